//! The per-flow record and the per-input verdict summary of a report.

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;

use crate::classify::{Classification, Missing, Verdict};
use crate::flow::Flow;
use crate::time::rfc3339_ns;

/// One flow as reported (`docs/report-format.md`). `src` is the initiator.
#[derive(Debug, Clone, Serialize)]
pub struct FlowRecord {
    pub id: u64,
    /// Outermost VLAN id, `null` when untagged.
    pub vlan: Option<u16>,
    /// Inner VLAN id of a QinQ stack.
    pub inner_vlan: Option<u16>,
    pub transport: &'static str,
    /// The initiator's IP address; null for a flow without IP (`ether`).
    pub src_ip: Option<String>,
    pub src_port: u16,
    pub dst_ip: Option<String>,
    pub dst_port: u16,
    /// The EtherType of a flow without IP (`0x88f7` for PTP), absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ether_type: Option<String>,
    /// The MAC addresses of a flow without IP (its key), absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub src_mac: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dst_mac: Option<String>,
    /// `unicast`, `multicast` or `broadcast`.
    pub destination: &'static str,
    pub first_ts: String,
    pub last_ts: String,
    pub first_ts_ns: i64,
    pub last_ts_ns: i64,
    pub packets: u64,
    pub bytes: u64,
    pub packets_fwd: u64,
    pub packets_rev: u64,
    pub bytes_fwd: u64,
    pub bytes_rev: u64,
    /// Zeek's `conn_state` (TCP and UDP), `null` otherwise.
    pub conn_state: Option<&'static str>,
    pub history: String,
    /// What the content says (`rtp`, `ptp`, ...); `null` until detected.
    pub app: Option<&'static str>,
    pub verdict: Verdict,
    /// What a `documented` verdict rests on: `inventory` or `port-only`
    /// (`docs/verdicts.md`); null for other verdicts.
    pub basis: Option<&'static str>,
    /// For `port-only`: the products whose rules match the port.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<String>,
    pub blocked_kind: Option<&'static str>,
    pub rule_ids: Vec<String>,
    pub hints: Vec<String>,
    pub findings: Vec<crate::classify::Finding>,
    pub src_device: Option<String>,
    pub dst_device: Option<String>,
    pub icmp_errors: Vec<IcmpRecord>,
    /// RTP streams of the flow, one per direction and SSRC (absent when none).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub rtp: Vec<crate::detect::rtp::StreamReport>,
    /// RTCP seen on the flow (absent when none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rtcp: Option<crate::detect::rtcp::RtcpReport>,
    /// PTP seen on the flow (absent when none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ptp: Option<crate::detect::ptp::PtpFlowReport>,
    /// SIP messages of the flow (absent when none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sip: Option<crate::detect::sip::SipReport>,
    /// SAP packets of the flow (absent when none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sap: Option<crate::detect::sap::SapReport>,
    /// Id of the flow whose SDP (SIP or SAP) announced this media flow
    /// (absent when none did).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub announced_by: Option<u64>,
    /// TCP data acknowledged but never captured (docs/mirror.md); absent
    /// when the flow had no ACK of new data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capture_loss: Option<crate::flow::loss::LossCounts>,
}

/// An ICMP error that quoted the flow.
#[derive(Debug, Clone, Serialize)]
pub struct IcmpRecord {
    pub family: &'static str,
    #[serde(rename = "type")]
    pub icmp_type: u8,
    pub code: u8,
    pub from: String,
    pub ts: String,
}

impl FlowRecord {
    pub fn new(flow: &Flow, c: Classification) -> FlowRecord {
        let (outer, inner) = flow.vlans();
        let tcp_or_udp = matches!(
            flow.key.transport,
            crate::flow::Transport::Tcp | crate::flow::Transport::Udp
        );
        let [src_device, dst_device] = c.devices;
        let app = c.app.or_else(|| crate::detect::app_of(flow));
        let detected = crate::detect::report_of(flow);
        let ip = !flow.is_ether();
        let mac = |e: &crate::flow::Endpoint| {
            (!ip)
                .then(|| e.mac())
                .flatten()
                .map(|m| crate::detect::ptp::mac_text(&m))
        };
        FlowRecord {
            id: flow.id,
            vlan: (outer != 0).then_some(outer),
            inner_vlan: (inner != 0).then_some(inner),
            transport: flow.key.transport.name(),
            src_ip: ip.then(|| flow.orig.ip.to_string()),
            src_port: flow.orig.port,
            dst_ip: ip.then(|| flow.resp.ip.to_string()),
            dst_port: flow.resp.port,
            ether_type: match flow.key.transport {
                crate::flow::Transport::Ether(t) => Some(format!("0x{t:04x}")),
                _ => None,
            },
            src_mac: mac(&flow.orig),
            dst_mac: mac(&flow.resp),
            destination: match flow.dest_kind {
                crate::flow::DestKind::Unicast => "unicast",
                crate::flow::DestKind::Multicast => "multicast",
                crate::flow::DestKind::Broadcast => "broadcast",
            },
            first_ts: rfc3339_ns(flow.first_ts_ns),
            last_ts: rfc3339_ns(flow.last_ts_ns),
            first_ts_ns: flow.first_ts_ns,
            last_ts_ns: flow.last_ts_ns,
            packets: flow.total_packets(),
            bytes: flow.total_bytes(),
            packets_fwd: flow.packets[0],
            packets_rev: flow.packets[1],
            bytes_fwd: flow.bytes[0],
            bytes_rev: flow.bytes[1],
            conn_state: tcp_or_udp.then(|| flow.conn_state()),
            history: flow.history.clone(),
            app,
            verdict: c.verdict,
            basis: c.basis,
            candidates: c.candidates,
            blocked_kind: c.blocked_kind.map(|k| k.name()),
            rule_ids: c.rule_ids,
            hints: c.hints,
            findings: c.findings,
            src_device,
            dst_device,
            icmp_errors: flow
                .icmp_errors
                .iter()
                .map(|e| IcmpRecord {
                    family: if e.v6 { "icmpv6" } else { "icmp" },
                    icmp_type: e.icmp_type,
                    code: e.code,
                    from: e.reporter.to_string(),
                    ts: rfc3339_ns(e.ts_ns),
                })
                .collect(),
            rtp: detected.rtp,
            rtcp: detected.rtcp,
            ptp: detected.ptp,
            sip: detected.sip,
            sap: detected.sap,
            announced_by: c.announced_by,
            capture_loss: flow
                .tcp
                .as_ref()
                .map(|t| t.loss.counts)
                .filter(|c| c.acks > 0),
        }
    }
}

/// Verdict counts and the inventory-level findings of one input.
#[derive(Debug, Clone, Serialize)]
pub struct VerdictSummary {
    pub flows: u64,
    /// Flows per verdict (every verdict present, zero included).
    pub verdicts: BTreeMap<&'static str, u64>,
    /// Blocked flows per kind.
    pub blocked_kinds: BTreeMap<&'static str, u64>,
    /// Flows ended early by the live-flow cap.
    pub evictions: u64,
    /// Mandatory flows between listed devices that never appeared.
    pub missing: Vec<Missing>,
    /// Whether a site inventory was used.
    pub inventory: bool,
    /// Documented flows per basis (`inventory`, `port-only`).
    pub documented_basis: BTreeMap<&'static str, u64>,
    /// Capture loss of the input's TCP flows, summed (docs/mirror.md).
    pub capture_loss: crate::flow::loss::LossCounts,
    /// Hosts seen in one direction only (docs/mirror.md).
    pub one_way: crate::oneway::OneWay,
}

impl VerdictSummary {
    /// True when anything but `documented` was found.
    pub fn has_findings(&self) -> bool {
        self.verdicts
            .iter()
            .any(|(k, n)| *k != "documented" && *n > 0)
            || !self.missing.is_empty()
    }
}

/// Counts flows as they are classified, in bounded memory (the documented
/// device pairs are bounded by rules × devices).
#[derive(Debug, Clone, Default)]
pub struct Tally {
    flows: u64,
    verdicts: BTreeMap<&'static str, u64>,
    blocked_kinds: BTreeMap<&'static str, u64>,
    documented_basis: BTreeMap<&'static str, u64>,
    /// `(rule id, device, device)` of documented flows between listed devices.
    pub documented_pairs: HashSet<(String, String, String)>,
    /// `(device, port)` of documented multicast UDP flows sent by a listed device.
    pub multicast_sent: HashSet<(String, u16)>,
    pub(crate) capture_loss: crate::flow::loss::LossCounts,
}

impl Tally {
    pub fn add(&mut self, f: &FlowRecord) {
        self.flows += 1;
        if let Some(l) = &f.capture_loss {
            self.capture_loss.add(l);
        }
        *self.verdicts.entry(f.verdict.name()).or_insert(0) += 1;
        if let Some(k) = f.blocked_kind {
            *self.blocked_kinds.entry(k).or_insert(0) += 1;
        }
        if let Some(b) = f.basis {
            *self.documented_basis.entry(b).or_insert(0) += 1;
        }
        if f.verdict == Verdict::Documented && f.destination == "multicast" && f.transport == "udp"
        {
            if let Some(a) = &f.src_device {
                self.multicast_sent.insert((a.clone(), f.dst_port));
            }
        }
        if f.verdict == Verdict::Documented {
            if let (Some(a), Some(b)) = (&f.src_device, &f.dst_device) {
                for id in &f.rule_ids {
                    self.documented_pairs
                        .insert((id.clone(), a.clone(), b.clone()));
                }
            }
        }
    }

    /// The summary, with every verdict present.
    pub fn summary(self, evictions: u64, missing: Vec<Missing>, inventory: bool) -> VerdictSummary {
        let mut verdicts: BTreeMap<&'static str, u64> =
            Verdict::ALL.iter().map(|v| (v.name(), 0)).collect();
        for (k, n) in self.verdicts {
            *verdicts.entry(k).or_insert(0) += n;
        }
        VerdictSummary {
            flows: self.flows,
            verdicts,
            blocked_kinds: self.blocked_kinds,
            evictions,
            missing,
            inventory,
            documented_basis: self.documented_basis,
            capture_loss: self.capture_loss,
            one_way: Default::default(),
        }
    }
}

/// What is reported about one input besides its flows (which went to a
/// [`crate::FlowSink`] as they ended): the input summary and the verdict summary.
#[derive(Debug, Clone, Serialize)]
pub struct InputReport {
    #[serde(flatten)]
    pub input: crate::summary::InputSummary,
    pub summary: VerdictSummary,
    /// PTP in the capture, per domain, with its findings (absent when none).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ptp: Option<crate::detect::ptp::tracker::PtpReport>,
    /// IGMP/MLD membership and multicast traffic (absent when none was seen).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub multicast: Option<crate::multicast::MulticastReport>,
    /// Media announced by SDP in SIP or SAP (absent when no SDP was seen).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub announced: Option<Vec<crate::detect::sdp::AnnouncedReport>>,
    /// Announced media that no flow of the capture used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub announced_not_seen: Option<Vec<crate::detect::sdp::AnnouncedReport>>,
    /// Why nothing was analysed (no packets, no decodable packets, no IP
    /// flows), or null (`crate::nothing`).
    pub nothing_analysed: Option<String>,
    /// Recognised hosts (docs/recognition.md), when recognition was asked for.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<crate::recognize::Host>,
}

impl InputReport {
    pub fn new(input: crate::summary::InputSummary, summary: VerdictSummary) -> InputReport {
        let nothing_analysed = crate::nothing::nothing_analysed(&input, &summary);
        InputReport {
            input,
            summary,
            nothing_analysed,
            ptp: None,
            multicast: None,
            announced: None,
            announced_not_seen: None,
            hosts: Vec::new(),
        }
    }

    /// The report of an input that could not be opened.
    pub fn unreadable(input: crate::summary::InputSummary) -> InputReport {
        InputReport::new(input, Tally::default().summary(0, Vec::new(), false))
    }
}

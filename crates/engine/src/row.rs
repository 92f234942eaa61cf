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
    pub src_ip: String,
    pub src_port: u16,
    pub dst_ip: String,
    pub dst_port: u16,
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
        FlowRecord {
            id: flow.id,
            vlan: (outer != 0).then_some(outer),
            inner_vlan: (inner != 0).then_some(inner),
            transport: flow.key.transport.name(),
            src_ip: flow.orig.ip.to_string(),
            src_port: flow.orig.port,
            dst_ip: flow.resp.ip.to_string(),
            dst_port: flow.resp.port,
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
}

impl Tally {
    pub fn add(&mut self, f: &FlowRecord) {
        self.flows += 1;
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
    /// Recognised hosts (docs/recognition.md), when recognition was asked for.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<crate::recognize::Host>,
}

impl InputReport {
    /// The report of an input that could not be opened.
    pub fn unreadable(input: crate::summary::InputSummary) -> InputReport {
        InputReport {
            input,
            summary: Tally::default().summary(0, Vec::new(), false),
            hosts: Vec::new(),
        }
    }
}

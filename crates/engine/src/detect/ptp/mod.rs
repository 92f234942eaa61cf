//! PTP (IEEE 1588-2002 "v1", IEEE 1588-2008/2019 "v2") by content, over UDP
//! 319/320 and over Ethernet (EtherType 0x88F7), `docs/detectors.md`.
//!
//! Probe: a UDP datagram from or to port 319 or 320, or an Ethernet frame of
//! EtherType 0x88F7, whose payload reads as a PTP message through
//! `portmatrix_wire::app::ptp`: version 1 when the first 16-bit word is 1
//! with a 40-octet header and messageType 1 (event) or 2 (general); version
//! 2 when versionPTP is 2, the 34-octet common header is present,
//! messageLength fits, and messageType is one IEEE 1588-2008 Table 19
//! defines. A flow is PTP when such samples make up at least half of its
//! packets.
//!
//! The per-flow state counts messages per type, domains, versions and
//! source clocks, and the grandmasters named by Announce (v2) or Sync (v1);
//! [`tracker::Tracker`] follows every PTP message of the capture, per
//! domain, for the input's `ptp` report and findings.

pub mod tracker;

use std::collections::BTreeMap;

use serde::Serialize;

use portmatrix_wire::app::ptp as view;

use super::{AppReport, Detector, FlowState, Probe, Sample, Update};
use crate::classify::Finding;
use crate::flow::{Flow, Transport};

pub const NAME: &str = "ptp";

pub const DETECTOR: Detector = Detector {
    name: NAME,
    udp: true,
    tcp: false,
    ether: true,
    probe,
    state: || Box::<PtpState>::default(),
};

/// A PTP domain: a version 2 domainNumber, or a version 1 subdomain name
/// (its first 8 octets, NUL-padded; `_DFLT`, `_ALT1`, ... are 5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Domain {
    Number(u8),
    Subdomain([u8; 8]),
}

impl Domain {
    /// As reported: the number, or the subdomain name.
    pub fn report(&self) -> DomainReport {
        match self {
            Domain::Number(n) => DomainReport::Number(*n),
            Domain::Subdomain(s) => {
                let end = s.iter().position(|&c| c == 0).unwrap_or(s.len());
                DomainReport::Name(
                    s[..end]
                        .iter()
                        .map(|&c| {
                            if c.is_ascii_graphic() {
                                char::from(c)
                            } else {
                                '?'
                            }
                        })
                        .collect(),
                )
            }
        }
    }
}

/// A domain in a report: a number (v2) or a name (v1 subdomain).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(untagged)]
pub enum DomainReport {
    Number(u8),
    Name(String),
}

impl std::fmt::Display for DomainReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DomainReport::Number(n) => write!(f, "{n}"),
            DomainReport::Name(s) => f.write_str(s),
        }
    }
}

/// The grandmaster a message names: the body of a v2 Announce (IEEE
/// 1588-2008 §13.5) or the grandmaster fields of a v1 Sync (IEEE
/// 1588-2002 §6.2.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Grandmaster {
    V2 {
        identity: [u8; 8],
        priority1: u8,
        priority2: u8,
        clock_class: u8,
        clock_accuracy: u8,
        steps_removed: u16,
    },
    V1 {
        uuid: [u8; 6],
        stratum: u8,
        preferred: bool,
        identifier: [u8; 4],
        /// localStepsRemoved of the sender.
        steps_removed: u16,
    },
}

impl Grandmaster {
    /// The grandmaster's identity as text (see [`clock_text`]).
    pub fn identity_text(&self) -> String {
        match self {
            Grandmaster::V2 { identity, .. } => clock_text(2, identity),
            Grandmaster::V1 { uuid, .. } => mac_text(uuid),
        }
    }
}

/// The message types of both versions, as one list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Sync,
    DelayReq,
    PdelayReq,
    PdelayResp,
    FollowUp,
    DelayResp,
    PdelayRespFollowUp,
    Announce,
    Signaling,
    Management,
}

impl Kind {
    pub const COUNT: usize = 10;

    /// The name IEEE 1588 gives the message.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Sync => "Sync",
            Kind::DelayReq => "Delay_Req",
            Kind::PdelayReq => "Pdelay_Req",
            Kind::PdelayResp => "Pdelay_Resp",
            Kind::FollowUp => "Follow_Up",
            Kind::DelayResp => "Delay_Resp",
            Kind::PdelayRespFollowUp => "Pdelay_Resp_Follow_Up",
            Kind::Announce => "Announce",
            Kind::Signaling => "Signaling",
            Kind::Management => "Management",
        }
    }

    /// Event messages are timestamped and go to UDP port 319, general
    /// messages to 320 (IEEE 1588-2008 Table 19, Annex D/E).
    pub fn is_event(self) -> bool {
        matches!(
            self,
            Kind::Sync | Kind::DelayReq | Kind::PdelayReq | Kind::PdelayResp
        )
    }

    /// Peer-delay messages (the P2P delay mechanism).
    pub fn is_peer_delay(self) -> bool {
        matches!(
            self,
            Kind::PdelayReq | Kind::PdelayResp | Kind::PdelayRespFollowUp
        )
    }

    fn index(self) -> usize {
        self as usize
    }

    const ALL: [Kind; Kind::COUNT] = [
        Kind::Sync,
        Kind::DelayReq,
        Kind::PdelayReq,
        Kind::PdelayResp,
        Kind::FollowUp,
        Kind::DelayResp,
        Kind::PdelayRespFollowUp,
        Kind::Announce,
        Kind::Signaling,
        Kind::Management,
    ];

    /// A version 2 messageType (IEEE 1588-2008 Table 19).
    fn of_v2(t: u8) -> Option<Kind> {
        use view::message_type as m;
        Some(match t {
            m::SYNC => Kind::Sync,
            m::DELAY_REQ => Kind::DelayReq,
            m::PDELAY_REQ => Kind::PdelayReq,
            m::PDELAY_RESP => Kind::PdelayResp,
            m::FOLLOW_UP => Kind::FollowUp,
            m::DELAY_RESP => Kind::DelayResp,
            m::PDELAY_RESP_FOLLOW_UP => Kind::PdelayRespFollowUp,
            m::ANNOUNCE => Kind::Announce,
            m::SIGNALING => Kind::Signaling,
            m::MANAGEMENT => Kind::Management,
            _ => return None,
        })
    }

    /// A version 1 control value (IEEE 1588-2002 Table 23).
    fn of_v1(control: u8) -> Option<Kind> {
        use view::v1_control as c;
        Some(match control {
            c::SYNC => Kind::Sync,
            c::DELAY_REQ => Kind::DelayReq,
            c::FOLLOW_UP => Kind::FollowUp,
            c::DELAY_RESP => Kind::DelayResp,
            c::MANAGEMENT => Kind::Management,
            _ => return None,
        })
    }
}

/// What one PTP message showed (small and `Copy`: it crosses threads).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PtpSample {
    /// 1 or 2 (versionPTP).
    pub version: u8,
    /// minorVersionPTP (version 2; 1 for IEEE 1588-2019).
    pub minor: u8,
    pub kind: Kind,
    pub domain: Domain,
    pub sequence_id: u16,
    /// logMessageInterval (v2; 0x7F = not applicable); v1: syncInterval of
    /// a Sync, else 0x7F.
    pub log_interval: i8,
    /// sourcePortIdentity.clockIdentity (v2), or sourceUuid (v1, the first
    /// 6 octets).
    pub clock: [u8; 8],
    /// sourcePortIdentity.portNumber (v2) or sourcePortId (v1).
    pub port_number: u16,
    /// The UDP destination port; 0 over Ethernet.
    pub dst_port: u16,
    /// The grandmaster an Announce (v2) or a Sync (v1) names.
    pub grandmaster: Option<Grandmaster>,
}

impl PtpSample {
    /// The message went to the UDP port of the other class: an event
    /// message to 320 or a general message to 319 (IEEE 1588-2008 Annex
    /// D.2 / E.2).
    pub fn wrong_port(&self) -> bool {
        match self.dst_port {
            view::EVENT_PORT => !self.kind.is_event(),
            view::GENERAL_PORT => self.kind.is_event(),
            _ => false,
        }
    }

    /// The source clock as text.
    pub fn clock_text(&self) -> String {
        clock_text(self.version, &self.clock)
    }
}

/// A clock identity as text: version 2 EUI-64 identities as 16 hex digits
/// grouped as `xxxxxx.xxxx.xxxxxx` (the notation of linuxptp), version 1
/// UUIDs (MAC addresses) as `xx:xx:xx:xx:xx:xx`.
pub fn clock_text(version: u8, id: &[u8; 8]) -> String {
    if version == 1 {
        let mut m = [0u8; 6];
        m.copy_from_slice(&id[..6]);
        return mac_text(&m);
    }
    let h: String = id.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}.{}.{}", &h[..6], &h[6..10], &h[10..])
}

/// A MAC address as `xx:xx:xx:xx:xx:xx`.
pub fn mac_text(m: &[u8; 6]) -> String {
    m.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

fn is_ptp_port(p: u16) -> bool {
    p == view::EVENT_PORT || p == view::GENERAL_PORT
}

fn probe(p: &Probe<'_>) -> Option<Sample> {
    let dst_port = match p.transport {
        Transport::Udp if is_ptp_port(p.dst_port) || is_ptp_port(p.src_port) => p.dst_port,
        Transport::Ether(view::ETHER_TYPE) => 0,
        _ => return None,
    };
    let b = p.payload;
    let sample = match view::version(b)? {
        view::Version::V1 => {
            let v = view::V1Packet::new_checked(b).ok()?;
            if !matches!(v.message_type(), 1 | 2) {
                return None;
            }
            let kind = Kind::of_v1(v.control())?;
            let mut name = [0u8; 8];
            let sub = v.subdomain();
            let n = sub.len().min(8);
            name[..n].copy_from_slice(&sub[..n]);
            let mut clock = [0u8; 8];
            clock[..6].copy_from_slice(&v.source_uuid());
            let sync = v.sync().filter(|_| kind == Kind::Sync);
            PtpSample {
                version: 1,
                minor: 0,
                kind,
                domain: Domain::Subdomain(name),
                sequence_id: v.sequence_id(),
                log_interval: sync.map_or(0x7f, |s| s.sync_interval),
                clock,
                port_number: v.source_port_id(),
                dst_port,
                grandmaster: sync.map(|s| Grandmaster::V1 {
                    uuid: s.grandmaster_clock_uuid,
                    stratum: s.grandmaster_clock_stratum,
                    preferred: s.grandmaster_preferred,
                    identifier: s.grandmaster_clock_identifier,
                    steps_removed: s.local_steps_removed,
                }),
            }
        }
        view::Version::V2 { minor } => {
            let v = view::Packet::new_checked(b).ok()?;
            v.check_message_length().ok()?;
            let kind = Kind::of_v2(v.message_type())?;
            let id = v.source_port_identity();
            PtpSample {
                version: 2,
                minor,
                kind,
                domain: Domain::Number(v.domain_number()),
                sequence_id: v.sequence_id(),
                log_interval: v.log_message_interval(),
                clock: id.clock_identity,
                port_number: id.port_number,
                dst_port,
                grandmaster: v.announce().map(|a| Grandmaster::V2 {
                    identity: a.grandmaster_identity,
                    priority1: a.grandmaster_priority1,
                    priority2: a.grandmaster_priority2,
                    clock_class: a.clock_class,
                    clock_accuracy: a.clock_accuracy,
                    steps_removed: a.steps_removed,
                }),
            }
        }
    };
    Some(Sample::Ptp(sample))
}

/// At most this many domains, clocks and grandmasters are kept per flow.
const KEPT: usize = 8;

fn remember<T: PartialEq>(v: &mut Vec<T>, x: T) {
    if v.len() < KEPT && !v.contains(&x) {
        v.push(x);
    }
}

/// The PTP of one flow.
#[derive(Clone, Debug, Default)]
pub struct PtpState {
    /// Messages per [`Kind`].
    counts: [u64; Kind::COUNT],
    /// Messages per version (1, 2).
    versions: [u64; 2],
    /// The last logMessageInterval per [`Kind`] (0x7F = not applicable).
    intervals: [Option<i8>; Kind::COUNT],
    domains: Vec<Domain>,
    /// `(version, clock)`.
    clocks: Vec<(u8, [u8; 8])>,
    grandmasters: Vec<Grandmaster>,
    /// Messages sent to the UDP port of the other class, and the first.
    wrong_port: u64,
    first_wrong: Option<(Kind, u16)>,
}

impl PtpState {
    /// PTP messages of the flow.
    pub fn samples(&self) -> u64 {
        self.versions[0] + self.versions[1]
    }

    /// The domains of the flow's messages (the first few).
    pub fn domains(&self) -> &[Domain] {
        &self.domains
    }

    /// The grandmasters its Announce (v2) or Sync (v1) messages named.
    pub fn grandmasters(&self) -> &[Grandmaster] {
        &self.grandmasters
    }

    /// The flow's own findings: messages on the wrong port, versions mixed.
    pub fn findings(&self) -> Vec<Finding> {
        let mut out = Vec::new();
        if let Some((kind, port)) = self.first_wrong {
            let class = if kind.is_event() {
                "an event"
            } else {
                "a general"
            };
            let want = if kind.is_event() {
                view::EVENT_PORT
            } else {
                view::GENERAL_PORT
            };
            out.push(Finding {
                kind: "ptp-wrong-port",
                detail: format!(
                    "{} PTP message(s) on the port of the other class, the first {} {} ({class} message) to port {port}; event messages (Sync, Delay_Req, Pdelay_Req, Pdelay_Resp) go to 319, general messages to 320 (IEEE 1588 Annex D/E), so it belongs on {want}",
                    self.wrong_port,
                    if kind.name().starts_with('A') { "an" } else { "a" },
                    kind.name()
                ),
            });
        }
        if self.versions[0] > 0 && self.versions[1] > 0 {
            out.push(Finding {
                kind: "ptp-versions-mixed",
                detail: format!(
                    "PTPv1 ({} message(s)) and PTPv2 ({} message(s)) on one flow; the versions do not interoperate (a v1 clock ignores v2 messages), so a boundary clock must translate between them",
                    self.versions[0], self.versions[1]
                ),
            });
        }
        out
    }
}

impl FlowState for PtpState {
    fn update(&mut self, _up: &Update<'_>, sample: &Sample) {
        let Sample::Ptp(s) = sample else { return };
        let k = s.kind.index();
        self.counts[k] += 1;
        self.versions[usize::from(s.version == 2)] += 1;
        if s.log_interval != 0x7f {
            self.intervals[k] = Some(s.log_interval);
        }
        remember(&mut self.domains, s.domain);
        remember(&mut self.clocks, (s.version, s.clock));
        if let Some(gm) = s.grandmaster {
            if !self.grandmasters.contains(&gm) {
                // A changed priority or class is a new entry, kept up to the cap.
                remember(&mut self.grandmasters, gm);
            }
        }
        if s.wrong_port() {
            self.wrong_port += 1;
            self.first_wrong.get_or_insert((s.kind, s.dst_port));
        }
    }

    fn app(&self, flow: &Flow) -> Option<&'static str> {
        (self.samples() > 0 && self.samples() * 2 >= flow.total_packets()).then_some(NAME)
    }

    fn report(&self, _flow: &Flow, out: &mut AppReport) {
        let mut versions = Vec::new();
        if self.versions[0] > 0 {
            versions.push(1);
        }
        if self.versions[1] > 0 {
            versions.push(2);
        }
        out.ptp = Some(PtpFlowReport {
            versions,
            messages: Kind::ALL
                .iter()
                .filter(|k| self.counts[k.index()] > 0)
                .map(|k| (k.name(), self.counts[k.index()]))
                .collect(),
            log_intervals: Kind::ALL
                .iter()
                .filter_map(|k| self.intervals[k.index()].map(|i| (k.name(), i)))
                .collect(),
            domains: self.domains.iter().map(Domain::report).collect(),
            clocks: self.clocks.iter().map(|(v, c)| clock_text(*v, c)).collect(),
            grandmasters: self
                .grandmasters
                .iter()
                .map(GrandmasterReport::of)
                .collect(),
            wrong_port: self.wrong_port,
        });
    }

    fn swap_directions(&mut self) {}

    fn clone_box(&self) -> Box<dyn FlowState> {
        Box::new(self.clone())
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// The PTP state of a flow, if it has one.
pub fn state(flow: &Flow) -> Option<&PtpState> {
    flow.detect
        .as_deref()?
        .state(NAME)
        .and_then(|s| s.as_any().downcast_ref::<PtpState>())
}

/// The PTP findings of one flow (empty for flows without PTP).
pub fn findings(flow: &Flow) -> Vec<Finding> {
    state(flow).map(PtpState::findings).unwrap_or_default()
}

/// The PTP of a flow as reported (`ptp` in the flow's row).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PtpFlowReport {
    /// PTP versions seen (1, 2).
    pub versions: Vec<u8>,
    /// Messages per type (IEEE 1588 names).
    pub messages: BTreeMap<&'static str, u64>,
    /// The last logMessageInterval per message type (log2 seconds; v1:
    /// syncInterval of Sync), where one was given.
    pub log_intervals: BTreeMap<&'static str, i8>,
    /// Domain numbers (v2) and subdomain names (v1).
    pub domains: Vec<DomainReport>,
    /// Source clock identities (the first few).
    pub clocks: Vec<String>,
    /// Grandmasters named by Announce (v2) or Sync (v1).
    pub grandmasters: Vec<GrandmasterReport>,
    /// Messages sent to the port of the other class (`ptp-wrong-port`).
    pub wrong_port: u64,
}

/// A grandmaster as reported: its identity and the data the best master
/// clock algorithm compares.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GrandmasterReport {
    pub identity: String,
    pub version: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority1: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority2: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clock_class: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clock_accuracy: Option<u8>,
    /// v1: grandmasterClockStratum.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stratum: Option<u8>,
    /// v1: grandmasterPreferred.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preferred: Option<bool>,
    /// v1: grandmasterClockIdentifier (`ATOM`, `GPS`, `DFLT`, ...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub identifier: Option<String>,
    /// stepsRemoved (v2 Announce) or localStepsRemoved (v1 Sync).
    pub steps_removed: u16,
}

impl GrandmasterReport {
    pub fn of(gm: &Grandmaster) -> GrandmasterReport {
        let none = GrandmasterReport {
            identity: gm.identity_text(),
            version: 2,
            priority1: None,
            priority2: None,
            clock_class: None,
            clock_accuracy: None,
            stratum: None,
            preferred: None,
            identifier: None,
            steps_removed: 0,
        };
        match *gm {
            Grandmaster::V2 {
                priority1,
                priority2,
                clock_class,
                clock_accuracy,
                steps_removed,
                ..
            } => GrandmasterReport {
                priority1: Some(priority1),
                priority2: Some(priority2),
                clock_class: Some(clock_class),
                clock_accuracy: Some(clock_accuracy),
                steps_removed,
                ..none
            },
            Grandmaster::V1 {
                stratum,
                preferred,
                identifier,
                steps_removed,
                ..
            } => GrandmasterReport {
                version: 1,
                stratum: Some(stratum),
                preferred: Some(preferred),
                identifier: Some(
                    identifier
                        .iter()
                        .take_while(|&&c| c != 0)
                        .map(|&c| {
                            if c.is_ascii_graphic() {
                                char::from(c)
                            } else {
                                '?'
                            }
                        })
                        .collect(),
                ),
                steps_removed,
                ..none
            },
        }
    }
}

#[cfg(test)]
mod tests;

//! Multicast membership: who joined and left which group, and who queried
//! (`docs/detectors.md`, "Multicast membership").
//!
//! IGMP and MLD messages belong to no flow ([`crate::flow::route`] returns
//! `None` for them). On the decoding thread [`events`] reduces each one to
//! small `Copy` [`Event`]s (one per group record, one more per source of a
//! record), which travel beside the batch of packets; on the flow thread a
//! [`Membership`] tracker, in capture order, keeps per group and host the
//! joins, leaves, times and source lists, and the queriers seen. At the end
//! of the pass it judges the multicast flows:
//!
//! - `multicast-no-join`: UDP to a group no host joined during the capture;
//! - `igmp-no-querier`: hosts joined groups of the flow's family but no
//!   querier was seen, so snooping switches stop forwarding after the
//!   membership timeout (RFC 4541 §2.1.1; the project's domain notes §5.4).
//!
//! Link-local groups (IPv4 224.0.0.0/24, IPv6 scopes 1 and 2) are never
//! judged: snooping switches flood them (RFC 4541 §2.1.2).

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use portmatrix_wire::group::{GroupRecord, RecordType};
use portmatrix_wire::igmp::IgmpMessage;
use portmatrix_wire::mld::MldMessage;
use portmatrix_wire::{PacketFacts, Transport as WireTransport};
use serde::Serialize;

use crate::classify::Finding;
use crate::flow::{DestKind, Flow, Transport};
use crate::time::rfc3339_ns;

/// What one membership message (or one record of it) says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The host is (or becomes) a member: v1/v2 reports, MLDv1 reports,
    /// and v3 / MLDv2 records that leave the host listening.
    Join(Mode),
    /// The host leaves: IGMPv2 Leave, MLD Done, or a change to INCLUDE
    /// with no sources (RFC 3376 §4.2.12, RFC 3810 §5.2.12).
    Leave,
    /// BLOCK_OLD_SOURCES: the listed sources are no longer wanted.
    Block,
    /// One source of the record before it (not counted on its own).
    Source,
    /// A Membership Query (general when the group is `None`).
    Query,
}

/// The filter mode a report leaves the host in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// IGMPv1/v2, MLDv1: every source.
    Any,
    /// INCLUDE: only the listed sources (source-specific).
    Include,
    /// EXCLUDE: every source but the listed ones.
    Exclude,
}

/// One membership fact of one packet (owned, `Copy`: it crosses threads).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    pub ts_ns: i64,
    /// The IP source of the message: the member, or the querier.
    pub host: IpAddr,
    /// The group; `None` for a general query.
    pub group: Option<IpAddr>,
    pub kind: Kind,
    /// IGMP 1-3 or MLD 1-2.
    pub version: u8,
    pub mld: bool,
    /// The source of a [`Kind::Source`] event.
    pub source: Option<IpAddr>,
}

/// Sources read per record (the rest are not listed).
const SOURCES_PER_RECORD: usize = 16;

/// The membership events of a decoded packet, in message order (decoding
/// thread; nothing is allocated here).
pub fn events(facts: &PacketFacts<'_>, ts_ns: i64, mut push: impl FnMut(Event)) {
    let Some(host) = facts.src_ip() else { return };
    let ev = |group: Option<IpAddr>, kind, version, mld| Event {
        ts_ns,
        host,
        group,
        kind,
        version,
        mld,
        source: None,
    };
    match &facts.transport {
        WireTransport::Igmp(g) => {
            let Some(version) = g.message.version() else {
                return;
            };
            let group = Some(IpAddr::V4(g.group_address)).filter(|a| !a.is_unspecified());
            match g.message {
                IgmpMessage::QueryV1 | IgmpMessage::QueryV2 | IgmpMessage::QueryV3 => {
                    push(ev(group, Kind::Query, version, false));
                }
                IgmpMessage::ReportV1 | IgmpMessage::ReportV2 => {
                    push(ev(group, Kind::Join(Mode::Any), version, false));
                }
                IgmpMessage::LeaveGroup => push(ev(group, Kind::Leave, version, false)),
                IgmpMessage::ReportV3 => {
                    for r in g.records.flatten() {
                        record_events(
                            &r,
                            IpAddr::V4(r.multicast_address),
                            &ev,
                            3,
                            false,
                            &mut push,
                        );
                    }
                }
                IgmpMessage::Other(_) => {}
            }
        }
        WireTransport::Mld(m) => {
            let version = m.message.version();
            let group = Some(IpAddr::V6(m.multicast_address)).filter(|a| !a.is_unspecified());
            match m.message {
                MldMessage::QueryV1 | MldMessage::QueryV2 => {
                    push(ev(group, Kind::Query, version, true));
                }
                MldMessage::ReportV1 => push(ev(group, Kind::Join(Mode::Any), version, true)),
                MldMessage::Done => push(ev(group, Kind::Leave, version, true)),
                MldMessage::ReportV2 => {
                    for r in m.records.flatten() {
                        record_events(&r, IpAddr::V6(r.multicast_address), &ev, 2, true, &mut push);
                    }
                }
            }
        }
        _ => {}
    }
}

/// The events of one IGMPv3 / MLDv2 group record (RFC 3376 §4.2.12).
fn record_events<A: portmatrix_wire::GroupAddress + Into<IpAddr>>(
    r: &GroupRecord<'_, A>,
    group: IpAddr,
    ev: &impl Fn(Option<IpAddr>, Kind, u8, bool) -> Event,
    version: u8,
    mld: bool,
    push: &mut impl FnMut(Event),
) {
    let n = r.number_of_sources;
    let kind = match r.record_type {
        RecordType::MODE_IS_EXCLUDE | RecordType::CHANGE_TO_EXCLUDE_MODE => {
            Kind::Join(Mode::Exclude)
        }
        RecordType::MODE_IS_INCLUDE | RecordType::CHANGE_TO_INCLUDE_MODE if n == 0 => Kind::Leave,
        RecordType::MODE_IS_INCLUDE
        | RecordType::CHANGE_TO_INCLUDE_MODE
        | RecordType::ALLOW_NEW_SOURCES => Kind::Join(Mode::Include),
        RecordType::BLOCK_OLD_SOURCES => Kind::Block,
        _ => return,
    };
    push(ev(Some(group), kind, version, mld));
    for s in r.sources.take(SOURCES_PER_RECORD) {
        push(Event {
            source: Some(s.into()),
            ..ev(Some(group), Kind::Source, version, mld)
        });
    }
}

/// Groups followed (more are counted in `groups_dropped`).
const GROUPS_CAP: usize = 4096;
/// Members followed per group.
const MEMBERS_CAP: usize = 256;
/// Sources listed per member.
const SOURCES_CAP: usize = 16;
/// Queriers followed.
const QUERIERS_CAP: usize = 256;

#[derive(Clone, Debug)]
struct Member {
    joins: u64,
    leaves: u64,
    first_ts_ns: i64,
    last_ts_ns: i64,
    mode: Mode,
    sources: BTreeSet<IpAddr>,
    /// Bit `v` set: a message of version `v` was seen.
    versions: u8,
    /// Whether the last word of the host was a leave.
    left: bool,
}

#[derive(Clone, Debug, Default)]
struct Group {
    members: BTreeMap<IpAddr, Member>,
    joins: u64,
    leaves: u64,
    queries: u64,
    traffic_flows: u64,
    mld: bool,
}

#[derive(Clone, Debug)]
struct Querier {
    mld: bool,
    versions: u8,
    general: u64,
    group_specific: u64,
    first_ts_ns: i64,
    last_ts_ns: i64,
}

/// The membership tracker of one pass (flow thread).
#[derive(Clone, Debug, Default)]
pub struct Membership {
    groups: BTreeMap<IpAddr, Group>,
    queriers: BTreeMap<IpAddr, Querier>,
    /// Membership reports and leaves seen, `[IGMP, MLD]`.
    reports: [u64; 2],
    /// Queries seen, `[IGMP, MLD]`.
    queries: [u64; 2],
    groups_dropped: u64,
    /// The group and host of the last join or block, for its sources.
    last: Option<(IpAddr, IpAddr)>,
}

fn bit(version: u8) -> u8 {
    1u8.checked_shl(u32::from(version)).unwrap_or(0)
}

fn versions(bits: u8) -> Vec<u8> {
    (0..8).filter(|v| bits & (1 << v) != 0).collect()
}

/// True for groups snooping switches flood: IPv4 224.0.0.0/24 (RFC 4541
/// §2.1.2), IPv6 interface- and link-local scopes (RFC 4291 §2.7).
pub fn is_link_local_group(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(a) => {
            let o = a.octets();
            o[0] == 224 && o[1] == 0 && o[2] == 0
        }
        IpAddr::V6(a) => a.octets()[0] == 0xff && a.octets()[1] & 0x0f <= 2,
    }
}

impl Membership {
    fn group(&mut self, ip: IpAddr, mld: bool) -> Option<&mut Group> {
        if !self.groups.contains_key(&ip) && self.groups.len() >= GROUPS_CAP {
            self.groups_dropped += 1;
            return None;
        }
        let g = self.groups.entry(ip).or_default();
        g.mld = mld;
        Some(g)
    }

    /// One membership event, in capture order.
    pub fn observe(&mut self, e: &Event) {
        let fam = usize::from(e.mld);
        if e.kind == Kind::Query {
            self.queries[fam] += 1;
            if let Some(g) = e.group.and_then(|g| self.group(g, e.mld)) {
                g.queries += 1;
            }
            if !self.queriers.contains_key(&e.host) && self.queriers.len() >= QUERIERS_CAP {
                return;
            }
            let q = self.queriers.entry(e.host).or_insert(Querier {
                mld: e.mld,
                versions: 0,
                general: 0,
                group_specific: 0,
                first_ts_ns: e.ts_ns,
                last_ts_ns: e.ts_ns,
            });
            q.versions |= bit(e.version);
            if e.group.is_some() {
                q.group_specific += 1;
            } else {
                q.general += 1;
            }
            q.last_ts_ns = q.last_ts_ns.max(e.ts_ns);
            return;
        }
        let Some(group_ip) = e.group else { return };
        if e.kind == Kind::Source {
            if self.last != Some((group_ip, e.host)) {
                return;
            }
            if let Some(m) = self
                .groups
                .get_mut(&group_ip)
                .and_then(|g| g.members.get_mut(&e.host))
            {
                if let Some(s) = e.source {
                    if m.sources.len() < SOURCES_CAP {
                        m.sources.insert(s);
                    }
                }
            }
            return;
        }
        self.reports[fam] += 1;
        self.last = None;
        let Some(g) = self.group(group_ip, e.mld) else {
            return;
        };
        match e.kind {
            Kind::Join(_) => g.joins += 1,
            Kind::Leave => g.leaves += 1,
            _ => {}
        }
        if !g.members.contains_key(&e.host) && g.members.len() >= MEMBERS_CAP {
            return;
        }
        let m = g.members.entry(e.host).or_insert(Member {
            joins: 0,
            leaves: 0,
            first_ts_ns: e.ts_ns,
            last_ts_ns: e.ts_ns,
            mode: Mode::Any,
            sources: BTreeSet::new(),
            versions: 0,
            left: false,
        });
        m.versions |= bit(e.version);
        m.last_ts_ns = m.last_ts_ns.max(e.ts_ns);
        match e.kind {
            Kind::Join(mode) => {
                m.joins += 1;
                m.left = false;
                // A new filter mode replaces the source list (RFC 3376 §6.4).
                if mode != m.mode || mode == Mode::Any {
                    m.sources.clear();
                }
                m.mode = mode;
                self.last = Some((group_ip, e.host));
            }
            Kind::Leave => {
                m.leaves += 1;
                m.left = true;
                m.sources.clear();
            }
            Kind::Block => {
                // The blocked sources are listed by the Source events that
                // follow; they are not tracked one by one.
            }
            _ => {}
        }
    }

    /// A multicast UDP flow was seen (counted per group).
    pub fn note_flow(&mut self, flow: &Flow) {
        if let Some(ip) = judged_group(flow) {
            let mld = ip.is_ipv6();
            if let Some(g) = self.group(ip, mld) {
                g.traffic_flows += 1;
            }
        }
    }

    fn joined(&self, ip: IpAddr) -> bool {
        self.groups.get(&ip).is_some_and(|g| g.joins > 0)
    }

    fn has_querier(&self, mld: bool) -> bool {
        self.queriers.values().any(|q| q.mld == mld)
    }

    /// The membership findings of a flow (see the module notes).
    pub fn judge(&self, flow: &Flow) -> Vec<Finding> {
        let Some(ip) = judged_group(flow) else {
            return Vec::new();
        };
        let (proto, mld) = if ip.is_ipv6() {
            ("MLD", true)
        } else {
            ("IGMP", false)
        };
        if !self.joined(ip) {
            let seen = self.reports[usize::from(mld)];
            let detail = if seen == 0 {
                format!(
                    "no host joined {ip} during the capture: no {proto} membership report at all was seen (is the capture point where reports pass?)"
                )
            } else {
                format!(
                    "no host joined {ip} during the capture, though {seen} {proto} membership message(s) for other groups were seen; snooping switches forward it to no receiver"
                )
            };
            return vec![Finding {
                kind: "multicast-no-join",
                detail,
            }];
        }
        if !self.has_querier(mld) {
            let members = self.groups.get(&ip).map_or(0, |g| g.members.len());
            return vec![Finding {
                kind: "igmp-no-querier",
                detail: format!(
                    "{members} host(s) joined {ip} but no {proto} querier was seen: snooping switches stop forwarding the group once the membership times out (about 260 s)"
                ),
            }];
        }
        Vec::new()
    }

    /// Nothing was seen (no report, no query, no multicast flow).
    pub fn is_empty(&self) -> bool {
        self.groups.is_empty() && self.queriers.is_empty()
    }

    /// The input-level report (`docs/report-format.md`).
    pub fn report(&self) -> MulticastReport {
        let groups = self
            .groups
            .iter()
            .map(|(ip, g)| GroupReport {
                group: ip.to_string(),
                family: if g.mld { "mld" } else { "igmp" },
                link_local: is_link_local_group(*ip),
                members: g
                    .members
                    .iter()
                    .map(|(h, m)| MemberReport {
                        host: h.to_string(),
                        joins: m.joins,
                        leaves: m.leaves,
                        mode: m.mode,
                        sources: m.sources.iter().map(ToString::to_string).collect(),
                        versions: versions(m.versions),
                        left: m.left,
                        first_ts: rfc3339_ns(m.first_ts_ns),
                        last_ts: rfc3339_ns(m.last_ts_ns),
                    })
                    .collect(),
                joins: g.joins,
                leaves: g.leaves,
                queries: g.queries,
                traffic_flows: g.traffic_flows,
            })
            .collect();
        let queriers = self
            .queriers
            .iter()
            .map(|(ip, q)| QuerierReport {
                address: ip.to_string(),
                family: if q.mld { "mld" } else { "igmp" },
                versions: versions(q.versions),
                general_queries: q.general,
                group_queries: q.group_specific,
                first_ts: rfc3339_ns(q.first_ts_ns),
                last_ts: rfc3339_ns(q.last_ts_ns),
            })
            .collect();
        let mut findings = Vec::new();
        for (mld, proto) in [(false, "IGMP"), (true, "MLD")] {
            let fam = usize::from(mld);
            let joined = self
                .groups
                .iter()
                .filter(|(ip, g)| g.mld == mld && g.joins > 0 && !is_link_local_group(**ip))
                .count();
            if joined > 0 && !self.has_querier(mld) {
                findings.push(Finding {
                    kind: "igmp-no-querier",
                    detail: format!(
                        "{} {proto} membership message(s) for {joined} group(s) but no {proto} query in the capture: without a querier, snooping switches age the groups out and multicast audio and PTP stop (or flood)",
                        self.reports[fam]
                    ),
                });
            }
        }
        MulticastReport {
            groups,
            queriers,
            reports: self.reports[0],
            mld_reports: self.reports[1],
            queries: self.queries[0],
            mld_queries: self.queries[1],
            groups_dropped: self.groups_dropped,
            findings,
        }
    }
}

/// The group of a flow that membership judges: UDP to a group that is not
/// link-local.
fn judged_group(flow: &Flow) -> Option<IpAddr> {
    (flow.key.transport == Transport::Udp
        && flow.dest_kind == DestKind::Multicast
        && !is_link_local_group(flow.resp.ip))
    .then_some(flow.resp.ip)
}

/// Input-level multicast membership (`docs/report-format.md`).
#[derive(Clone, Debug, Serialize)]
pub struct MulticastReport {
    pub groups: Vec<GroupReport>,
    pub queriers: Vec<QuerierReport>,
    /// IGMP membership reports and leaves (one per v3 group record).
    pub reports: u64,
    /// MLD reports and dones (one per v2 record).
    pub mld_reports: u64,
    /// IGMP and MLD queries.
    pub queries: u64,
    pub mld_queries: u64,
    /// Groups beyond the tracker's cap, not listed.
    pub groups_dropped: u64,
    /// Input-level findings (`igmp-no-querier`).
    pub findings: Vec<Finding>,
}

#[derive(Clone, Debug, Serialize)]
pub struct GroupReport {
    pub group: String,
    pub family: &'static str,
    pub link_local: bool,
    pub members: Vec<MemberReport>,
    pub joins: u64,
    pub leaves: u64,
    /// Group-specific queries.
    pub queries: u64,
    /// Multicast UDP flows to the group (link-local groups: not counted).
    pub traffic_flows: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct MemberReport {
    pub host: String,
    pub joins: u64,
    pub leaves: u64,
    /// Filter mode after the last join: `any` (v1/v2), `include`, `exclude`.
    pub mode: Mode,
    /// Sources of the last INCLUDE/EXCLUDE list (at most 16).
    pub sources: Vec<String>,
    pub versions: Vec<u8>,
    /// The host's last message was a leave.
    pub left: bool,
    pub first_ts: String,
    pub last_ts: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct QuerierReport {
    pub address: String,
    pub family: &'static str,
    pub versions: Vec<u8>,
    pub general_queries: u64,
    pub group_queries: u64,
    pub first_ts: String,
    pub last_ts: String,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::{Endpoint, FlowKey};

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn ev(host: &str, group: Option<&str>, kind: Kind, version: u8) -> Event {
        Event {
            ts_ns: 0,
            host: ip(host),
            group: group.map(ip),
            kind,
            version,
            mld: ip(host).is_ipv6(),
            source: None,
        }
    }

    fn source(host: &str, group: &str, s: &str) -> Event {
        Event {
            source: Some(ip(s)),
            ..ev(host, Some(group), Kind::Source, 3)
        }
    }

    fn flow_to(group: &str) -> Flow {
        let (s, d) = (
            Endpoint {
                ip: ip("10.0.0.11"),
                port: 5004,
            },
            Endpoint {
                ip: ip(group),
                port: 5004,
            },
        );
        let (key, _) = FlowKey::new(0, Transport::Udp, s, d);
        Flow::new(1, 0, key, s, d, DestKind::Multicast, None)
    }

    fn kinds(m: &Membership, group: &str) -> Vec<&'static str> {
        m.judge(&flow_to(group)).iter().map(|f| f.kind).collect()
    }

    #[test]
    fn filter_modes_and_sources_follow_rfc_3376() {
        let mut m = Membership::default();
        // MODE_IS_INCLUDE {S1, S2}, then CHANGE_TO_EXCLUDE {} (RFC 3376
        // §6.4: the new mode replaces the list), then TO_IN {} (leave).
        m.observe(&ev(
            "10.0.0.21",
            Some("232.1.1.1"),
            Kind::Join(Mode::Include),
            3,
        ));
        m.observe(&source("10.0.0.21", "232.1.1.1", "10.0.0.11"));
        m.observe(&source("10.0.0.21", "232.1.1.1", "10.0.0.12"));
        let r = m.report();
        assert_eq!(r.groups[0].members[0].sources, ["10.0.0.11", "10.0.0.12"]);
        assert_eq!(r.groups[0].members[0].mode, Mode::Include);
        m.observe(&ev(
            "10.0.0.21",
            Some("232.1.1.1"),
            Kind::Join(Mode::Exclude),
            3,
        ));
        let r = m.report();
        assert!(r.groups[0].members[0].sources.is_empty());
        assert_eq!(r.groups[0].members[0].mode, Mode::Exclude);
        m.observe(&ev("10.0.0.21", Some("232.1.1.1"), Kind::Leave, 3));
        let r = m.report();
        let member = &r.groups[0].members[0];
        assert_eq!((member.joins, member.leaves, member.left), (2, 1, true));
        // A source event of another host is not added to this one.
        m.observe(&source("10.0.0.99", "232.1.1.1", "10.0.0.13"));
        assert!(m.report().groups[0].members.len() == 1);
    }

    #[test]
    fn flows_are_judged_by_joins_and_queriers() {
        let mut m = Membership::default();
        // Nothing seen: not joined, and the detail says no report was seen.
        assert_eq!(kinds(&m, "239.69.1.10"), ["multicast-no-join"]);
        assert!(m.judge(&flow_to("239.69.1.10"))[0]
            .detail
            .contains("no IGMP membership report at all"));
        // Link-local groups are flooded, never judged (RFC 4541 §2.1.2).
        assert!(kinds(&m, "224.0.0.251").is_empty());
        assert!(kinds(&m, "ff02::fb").is_empty());
        m.observe(&ev(
            "10.0.0.21",
            Some("239.69.1.10"),
            Kind::Join(Mode::Any),
            2,
        ));
        assert_eq!(kinds(&m, "239.69.1.10"), ["igmp-no-querier"]);
        assert_eq!(kinds(&m, "239.69.1.11"), ["multicast-no-join"]);
        assert_eq!(m.report().findings.len(), 1);
        // An MLD querier does not serve IPv4.
        m.observe(&ev("fe80::1", None, Kind::Query, 2));
        assert_eq!(kinds(&m, "239.69.1.10"), ["igmp-no-querier"]);
        m.observe(&ev("10.0.0.1", None, Kind::Query, 2));
        assert!(kinds(&m, "239.69.1.10").is_empty());
        assert!(m.report().findings.is_empty());
        let q = &m.report().queriers;
        assert_eq!(
            (q[0].address.as_str(), q[0].general_queries),
            ("10.0.0.1", 1)
        );
    }
}

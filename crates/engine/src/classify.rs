//! Classification of flows into verdicts with evidence (DESIGN.md "Verdicts").
//!
//! Each flow gets one primary [`Verdict`] and a list of [`Finding`]s. The
//! order of the checks:
//!
//! 1. **blocked** — the flow was attempted and failed: a TCP SYN never
//!    answered (Zeek `S0`), a SYN answered by RST (`REJ`, `RSTOS0`-free), an
//!    ICMP/ICMPv6 destination-unreachable quoting it, or a request/response
//!    UDP service (DNS, SNMP get, NTP, H.323 RAS, ...) that got no reply. A
//!    one-way flow (multicast, broadcast, RTP, traps) is never `no-reply`.
//! 2. **forbidden** — a rule with requirement `blocked` matched and the flow
//!    succeeded. Without an inventory such a rule cannot know the host is the
//!    product it speaks of, so it only adds the finding `forbidden-if-product`.
//! 3. **documented** — a rule matches transport, server port (or group and
//!    port) and, with an inventory, roles and direction.
//! 4. **wrong-direction** — ports match a rule but the opener is on the side
//!    the rule does not allow.
//! 5. **undocumented** — nothing matches; the nearest rules are a hint.
//!
//! Without an inventory, rules covering thousands of ports (`any`, whole
//! ephemeral ranges) would document nearly every flow; they only count once
//! the inventory confirms the roles (see `docs/verdicts.md`).

use std::collections::{BTreeMap, HashSet};
use std::net::IpAddr;

use portmatrix_rules::{
    Confidence, Destination, Matcher, Mismatch, Query, Requirement, RoleRef, Rule, Side, Site,
    Transport as RuleTransport,
};
use serde::Serialize;

use crate::detect::media::Pairing;
use crate::flow::{DestKind, Flow, Transport};

/// A rule covering more destination ports than this is "wide": without an
/// inventory it does not document a flow on its own.
pub const WIDE_RULE_PORTS: u32 = 4096;

/// The primary verdict of a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    Documented,
    Undocumented,
    Blocked,
    Forbidden,
    WrongDirection,
}

impl Verdict {
    pub const ALL: [Verdict; 5] = [
        Verdict::Documented,
        Verdict::Undocumented,
        Verdict::Blocked,
        Verdict::Forbidden,
        Verdict::WrongDirection,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Verdict::Documented => "documented",
            Verdict::Undocumented => "undocumented",
            Verdict::Blocked => "blocked",
            Verdict::Forbidden => "forbidden",
            Verdict::WrongDirection => "wrong-direction",
        }
    }
}

/// How a blocked flow failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BlockedKind {
    /// TCP SYN (and its retransmissions) never answered.
    SynUnanswered,
    /// SYN answered by RST from the responder.
    Reset,
    /// ICMP 3/9, 3/10, 3/13 or ICMPv6 1/1: a filter said no.
    IcmpProhibited,
    /// ICMP 3/3 or ICMPv6 1/4: nothing listens (or a REJECT rule imitates that).
    IcmpPortUnreachable,
    /// Another destination-unreachable (host, network, ...).
    IcmpUnreachable,
    /// A request/response UDP service that never answered.
    NoReply,
}

impl BlockedKind {
    pub fn name(self) -> &'static str {
        match self {
            BlockedKind::SynUnanswered => "syn-unanswered",
            BlockedKind::Reset => "reset",
            BlockedKind::IcmpProhibited => "icmp-prohibited",
            BlockedKind::IcmpPortUnreachable => "icmp-port-unreachable",
            BlockedKind::IcmpUnreachable => "icmp-unreachable",
            BlockedKind::NoReply => "no-reply",
        }
    }
}

/// An extra observation about a flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub kind: &'static str,
    pub detail: String,
}

/// The classification of one flow.
#[derive(Debug, Clone, Serialize)]
pub struct Classification {
    pub verdict: Verdict,
    pub blocked_kind: Option<BlockedKind>,
    /// Rules that document the flow (most specific first), or the rule it
    /// violates (forbidden, wrong-direction).
    pub rule_ids: Vec<String>,
    /// Nearest rules, for undocumented flows.
    pub hints: Vec<String>,
    pub findings: Vec<Finding>,
    /// Inventory names of the two sides (initiator, responder), when known.
    pub devices: [Option<String>; 2],
    /// What the flow carries, as the media pairing decided it (SRTP when
    /// its RTCP is SRTCP); `None` leaves it to the flow's own detectors.
    #[serde(skip)]
    pub app: Option<&'static str>,
    /// The flow whose SDP announced this media flow.
    #[serde(skip)]
    pub announced_by: Option<u64>,
    /// What a `documented` verdict rests on (`docs/verdicts.md`): `inventory`
    /// (the site inventory named at least one side's device, and its roles
    /// were part of the match) or `port-only` (transport and port alone:
    /// any product of the matching rules could be there).
    pub basis: Option<&'static str>,
    /// For a `port-only` verdict: the products whose rules match ("vendor
    /// product"), the candidates a reader has to confirm.
    pub candidates: Vec<String>,
}

/// A mandatory documented flow between two listed devices that never appeared.
#[derive(Debug, Clone, Serialize)]
pub struct Missing {
    pub rule_id: String,
    pub service: String,
    pub transport: &'static str,
    pub destination_ports: String,
    pub source_device: String,
    pub destination_device: String,
}

/// UDP services that answer every request (so silence means a drop):
/// DNS 53, TFTP 69, Kerberos 88, NTP 123, NetBIOS name 137, SNMP get/set
/// 161, CLDAP 389, H.323 RAS 1719, STUN 3478.
const REQUEST_RESPONSE_UDP: &[u16] = &[53, 69, 88, 123, 137, 161, 389, 1719, 3478];

/// UDP services that need not answer (so silence is normal): SNMP traps
/// 162, syslog 514, NetFlow 2055, sFlow 6343, IPFIX 4739, and mDNS 5353
/// (a responder answers only for names it owns).
const ONE_WAY_UDP: &[u16] = &[162, 514, 2055, 4739, 5353, 6343];

/// Most hosts remembered as having sent something.
const TALKERS_CAP: usize = 1 << 16;

/// Classifies flows against rules (and an inventory).
pub struct Classifier<'a> {
    matcher: &'a Matcher,
    site: Option<&'a Site>,
    /// Hosts seen sending anything so far: a silent responder that talks
    /// elsewhere makes a filter more likely than a host that is down.
    talkers: HashSet<IpAddr>,
    /// Per rule (by index in the rule set), what its words say of the
    /// service: computed once, used for every unanswered UDP flow.
    service_kinds: Vec<ServiceKind>,
}

/// What a rule's id and service name say about answers.
#[derive(Clone, Copy, Debug, Default)]
struct ServiceKind {
    /// Mentions traps: one-way by nature.
    trap: bool,
    /// DNS, NTP, RAS, SNMP get/set: every request is answered.
    request_response: bool,
}

impl ServiceKind {
    fn of(rule: &Rule) -> ServiceKind {
        ServiceKind {
            trap: mentions_trap(&rule.id) || mentions_trap(&rule.service),
            request_response: is_request_response_service(&rule.service),
        }
    }
}

impl<'a> Classifier<'a> {
    pub fn new(matcher: &'a Matcher, site: Option<&'a Site>) -> Self {
        Classifier {
            matcher,
            site,
            talkers: HashSet::new(),
            service_kinds: matcher
                .rule_set()
                .rules()
                .iter()
                .map(ServiceKind::of)
                .collect(),
        }
    }

    /// [`ServiceKind`] of a rule of the matcher's rule set (from the table
    /// built once; computed for a rule from elsewhere).
    fn service_kind(&self, rule: &Rule) -> ServiceKind {
        let rules = self.matcher.rule_set().rules();
        // The rule's index, from its address in the rule set's slice.
        let size = std::mem::size_of::<Rule>().max(1);
        let index = (rule as *const Rule as usize)
            .checked_sub(rules.as_ptr() as usize)
            .filter(|off| off % size == 0)
            .map(|off| off / size);
        match index.and_then(|i| self.service_kinds.get(i).zip(rules.get(i))) {
            Some((kind, r)) if std::ptr::eq(r, rule) => *kind,
            _ => ServiceKind::of(rule),
        }
    }

    /// Whether an inventory is in use.
    pub fn has_inventory(&self) -> bool {
        self.site.is_some()
    }

    /// Remembers which sides of `flow` sent packets (call for every flow
    /// before classifying it; flows still live at the end should all be
    /// noted before any of them is classified).
    pub fn note_talkers(&mut self, flow: &Flow) {
        // Bounded: a flood of spoofed sources must not grow memory without
        // limit; past the cap the evidence detail uses the hosts known so far.
        if self.talkers.len() >= TALKERS_CAP || flow.is_ether() {
            return;
        }
        if flow.packets[0] > 0 {
            self.talkers.insert(flow.orig.ip);
        }
        if flow.packets[1] > 0 {
            self.talkers.insert(flow.resp.ip);
        }
    }

    fn roles(&self, ip: Option<IpAddr>, mac: Option<[u8; 6]>) -> (Vec<RoleRef>, Option<String>) {
        match self.site {
            Some(site) => {
                let r = site.lookup(ip, mac);
                (r.roles(), r.primary().map(|d| d.name.clone()))
            }
            None => (Vec::new(), None),
        }
    }

    /// The verdict and findings of one flow.
    pub fn classify(&self, flow: &Flow) -> Classification {
        self.classify_with(flow, None)
    }

    /// As [`Classifier::classify`], and for RTP and RTCP flows the pairing
    /// findings of `pairing` (every media flow of the capture).
    pub fn classify_with(&self, flow: &Flow, pairing: Option<&Pairing>) -> Classification {
        // A flow without IP is known by its MAC addresses only.
        let ip = |e: &crate::flow::Endpoint| (!flow.is_ether()).then_some(e.ip);
        let (orig_roles, orig_dev) = self.roles(ip(&flow.orig), flow.macs[0]);
        let (resp_roles, resp_dev) =
            self.roles(ip(&flow.resp), flow.macs[1].or_else(|| flow.resp.mac()));
        let mut c = Classification {
            verdict: Verdict::Undocumented,
            blocked_kind: None,
            rule_ids: Vec::new(),
            hints: Vec::new(),
            findings: Vec::new(),
            devices: [orig_dev.clone(), resp_dev.clone()],
            app: None,
            announced_by: None,
            basis: None,
            candidates: Vec::new(),
        };
        let transport = match flow.key.transport {
            Transport::Tcp => Some(RuleTransport::Tcp),
            Transport::Udp => Some(RuleTransport::Udp),
            _ => None,
        };

        // Rule lookup (TCP and UDP only).
        let mut documented: Vec<&Rule> = Vec::new();
        let mut wide_only: Vec<&Rule> = Vec::new();
        let mut wrong_direction: Vec<&Rule> = Vec::new();
        let mut unlisted_group: Vec<&Rule> = Vec::new();
        if let Some(t) = transport {
            let dest = match flow.dest_kind {
                DestKind::Unicast => Destination::Unicast,
                DestKind::Broadcast => Destination::Broadcast,
                DestKind::Multicast => Destination::Multicast(flow.resp.ip),
            };
            let mut q = Query::new(t, flow.resp.port)
                .from_port(flow.orig.port)
                .roles(side(&orig_dev, &orig_roles), side(&resp_dev, &resp_roles));
            q.destination = dest;
            let mut lookup = self.matcher.lookup(&q);
            lookup.sort_by_specificity();
            for m in &lookup.matches {
                if self.site.is_none() && is_wide(m.rule) {
                    wide_only.push(m.rule);
                } else {
                    documented.push(m.rule);
                }
            }
            for n in &lookup.near {
                match n.reason {
                    Mismatch::WrongDirection => wrong_direction.push(n.rule),
                    Mismatch::UnlistedGroup => unlisted_group.push(n.rule),
                    _ => {}
                }
            }
            // A UDP flow first seen midstream may have its roles the other
            // way round: try the other side's port before calling it undocumented.
            if documented.is_empty()
                && t == RuleTransport::Udp
                && flow.dest_kind == DestKind::Unicast
                && flow.packets[1] > 0
            {
                let rq = Query::new(t, flow.orig.port)
                    .from_port(flow.resp.port)
                    .roles(side(&resp_dev, &resp_roles), side(&orig_dev, &orig_roles));
                let mut rev = self.matcher.lookup(&rq);
                rev.sort_by_specificity();
                let found: Vec<&Rule> = rev
                    .matches
                    .iter()
                    .map(|m| m.rule)
                    .filter(|r| self.site.is_some() || !is_wide(r))
                    .collect();
                if !found.is_empty() {
                    c.findings.push(Finding {
                        kind: "initiator-uncertain",
                        detail: format!(
                            "matches with {} as the server port; the capture does not show who started",
                            flow.orig.port
                        ),
                    });
                    documented = found;
                }
            }
        }

        // Without an inventory, a rule that says a product's port must be
        // blocked cannot tell whether this host is that product: it becomes
        // a conditional finding, and the other rules decide the verdict.
        if self.site.is_none() {
            let (must_block, allowing): (Vec<&Rule>, Vec<&Rule>) = documented
                .iter()
                .partition(|r| r.requirement == Requirement::Blocked);
            if let Some(rule) = must_block.first() {
                if succeeded(flow) {
                    c.findings.push(Finding {
                        kind: "forbidden-if-product",
                        detail: format!(
                            "if {} is the {}, this flow must be blocked ({}); a site inventory decides",
                            flow.resp.ip, rule.product, rule.id
                        ),
                    });
                }
            }
            documented = allowing;
        }

        // 1. Blocked?
        if let Some((kind, detail)) = self.blocked(flow, &documented) {
            c.verdict = Verdict::Blocked;
            c.blocked_kind = Some(kind);
            c.findings.push(Finding {
                kind: kind.name(),
                detail,
            });
            if documented
                .iter()
                .any(|r| r.requirement == Requirement::Blocked)
            {
                c.findings.push(Finding {
                    kind: "blocked-as-documented",
                    detail: "a rule says this flow must be blocked, and it was".into(),
                });
            }
            c.rule_ids = ids(&documented);
        } else if let Some(rule) = documented
            .iter()
            .find(|r| r.requirement == Requirement::Blocked)
            .filter(|_| succeeded(flow))
        {
            // 2. Forbidden.
            c.verdict = Verdict::Forbidden;
            c.rule_ids = vec![rule.id.clone()];
            c.findings.push(Finding {
                kind: "forbidden",
                detail: format!(
                    "{} ({}) must always be blocked, but the flow succeeded",
                    rule.id, rule.service
                ),
            });
        } else if !documented.is_empty() {
            // 3. Documented.
            c.verdict = Verdict::Documented;
            c.rule_ids = ids(&documented);
            // docs/verdicts.md, `rule-guess`: every documenting rule guesses.
            if documented.iter().all(|r| r.confidence == Confidence::Guess) {
                c.findings.push(Finding {
                    kind: "rule-guess",
                    detail: format!(
                        "documented only by rules whose correction is a guess, not a reading of the document ({}); check the vendor's document",
                        c.rule_ids.join(", ")
                    ),
                });
            }
            if orig_dev.is_some() || resp_dev.is_some() {
                c.basis = Some("inventory");
            } else {
                c.basis = Some("port-only");
                for r in &documented {
                    let name = format!("{} {}", r.vendor, r.product);
                    if !c.candidates.contains(&name) {
                        c.candidates.push(name);
                    }
                }
            }
        } else if !wrong_direction.is_empty() {
            // 4. Wrong direction.
            c.verdict = Verdict::WrongDirection;
            c.rule_ids = ids(&wrong_direction);
            c.findings.push(Finding {
                kind: "wrong-direction",
                detail: format!(
                    "{} opened the flow; {} documents it the other way round",
                    orig_dev.as_deref().unwrap_or(&flow.orig.ip.to_string()),
                    wrong_direction[0].id
                ),
            });
        } else {
            // 5. Undocumented.
            c.verdict = Verdict::Undocumented;
            if let Some(t) = transport {
                c.hints = self.hints(t, flow.resp.port, &orig_roles, &resp_roles);
            } else if let Transport::Ether(et) = flow.key.transport {
                self.ether_hints(flow, et, &orig_roles, &resp_roles, &mut c);
            }
        }
        if !wide_only.is_empty() && c.verdict == Verdict::Undocumented {
            c.findings.push(Finding {
                kind: "wide-rule-only",
                detail: format!(
                    "only rules covering thousands of ports match ({}); a site inventory can confirm them",
                    wide_only.iter().take(3).map(|r| r.id.as_str()).collect::<Vec<_>>().join(", ")
                ),
            });
        }
        if !unlisted_group.is_empty() && c.verdict != Verdict::Documented {
            c.findings.push(Finding {
                kind: "multicast-undocumented-group",
                detail: format!(
                    "port {} is documented for other groups by {}, not for {}",
                    flow.resp.port, unlisted_group[0].id, flow.resp.ip
                ),
            });
        }
        if let Some(pairing) = pairing {
            let by: &[&Rule] = if c.verdict == Verdict::Documented {
                &documented
            } else {
                &[]
            };
            let (app, findings) = pairing.judge(flow, by);
            c.app = app;
            c.findings.extend(findings);
            if let Some(registry) = pairing.announced() {
                let (by, finding) = registry.judge(flow, app);
                c.announced_by = by;
                c.findings.extend(finding);
            }
        }
        c.findings.extend(crate::detect::ptp::findings(flow));
        if flow.quoted_only {
            c.findings.push(Finding {
                kind: "seen-only-in-icmp",
                detail: "the flow's own packets were not captured; an ICMP error quoted it".into(),
            });
        }
        if flow.evicted {
            c.findings.push(Finding {
                kind: "evicted",
                detail: "ended early by the live-flow cap; counts may be split".into(),
            });
        }
        c
    }

    /// Why the flow counts as blocked, if it does.
    fn blocked(&self, flow: &Flow, documented: &[&Rule]) -> Option<(BlockedKind, String)> {
        let answered = flow.packets[1] > 0;
        if let Some(err) = flow.icmp_errors.iter().find(|e| e.is_unreachable()) {
            if !answered || flow.quoted_only {
                let kind = if err.is_prohibited() {
                    BlockedKind::IcmpProhibited
                } else if err.is_port_unreachable() {
                    BlockedKind::IcmpPortUnreachable
                } else {
                    BlockedKind::IcmpUnreachable
                };
                let family = if err.v6 { "ICMPv6" } else { "ICMP" };
                let who = if err.reporter == flow.resp.ip {
                    "the destination".to_string()
                } else {
                    format!("{} (a router or firewall)", err.reporter)
                };
                return Some((
                    kind,
                    format!(
                        "{family} type {} code {} from {who}, {} error(s)",
                        err.icmp_type, err.code, flow.icmp_error_count
                    ),
                ));
            }
        }
        match &flow.tcp {
            Some(tcp) => {
                let state = flow.conn_state();
                if state == "S0" && tcp.syns > 0 {
                    let seen = if self.talkers.contains(&flow.resp.ip) {
                        "the responder answers other flows, so a filter is likely"
                    } else {
                        "the responder sent nothing in the whole capture (down, absent, or not mirrored)"
                    };
                    return Some((
                        BlockedKind::SynUnanswered,
                        format!(
                            "{} SYN(s) ({} retransmission(s)) never answered; {seen}",
                            tcp.syns,
                            tcp.syns.saturating_sub(1)
                        ),
                    ));
                }
                if state == "REJ" && tcp.refused {
                    return Some((
                        BlockedKind::Reset,
                        "the SYN was answered by RST (closed port or a reject rule)".into(),
                    ));
                }
                None
            }
            None if flow.key.transport == Transport::Udp => {
                let one_way_kind = flow.dest_kind != DestKind::Unicast;
                if answered || one_way_kind || flow.packets[0] == 0 {
                    return None;
                }
                let one_way = ONE_WAY_UDP.contains(&flow.resp.port)
                    || documented.iter().any(|r| self.service_kind(r).trap);
                let request_response = !one_way
                    && (REQUEST_RESPONSE_UDP.contains(&flow.resp.port)
                        || documented
                            .iter()
                            .any(|r| self.service_kind(r).request_response));
                if request_response {
                    return Some((
                        BlockedKind::NoReply,
                        format!(
                            "{} request(s) to a request/response service, no reply",
                            flow.packets[0]
                        ),
                    ));
                }
                None
            }
            None => None,
        }
    }

    /// A flow without IP: rules describe TCP and UDP only, so none can
    /// document it; PTP over Ethernet gets the rules of PTP over UDP
    /// (319 event, 320 general) as its nearest rules.
    fn ether_hints(
        &self,
        flow: &Flow,
        ether_type: u16,
        orig_roles: &[RoleRef],
        resp_roles: &[RoleRef],
        c: &mut Classification,
    ) {
        let ptp = ether_type == portmatrix_wire::app::ptp::ETHER_TYPE;
        if ptp {
            for port in [319, 320] {
                for id in self.hints(RuleTransport::Udp, port, orig_roles, resp_roles) {
                    if !c.hints.contains(&id) {
                        c.hints.push(id);
                    }
                }
            }
        }
        let what = if ptp {
            "PTP over Ethernet (EtherType 0x88f7)".to_string()
        } else {
            format!("EtherType 0x{ether_type:04x}")
        };
        let near = if ptp {
            "; the nearest rules are those for PTP over UDP 319/320"
        } else {
            ""
        };
        c.findings.push(Finding {
            kind: "not-ip",
            detail: format!(
                "{what} from {} to {}: rules describe TCP and UDP ports, so no rule can document a flow without IP{near}",
                flow.orig.mac().map(|m| crate::detect::ptp::mac_text(&m)).unwrap_or_default(),
                flow.resp.mac().map(|m| crate::detect::ptp::mac_text(&m)).unwrap_or_default(),
            ),
        });
    }

    /// Nearest rules: same port on the other transport, then rules of the
    /// sides' roles (or every rule) on nearby ports.
    fn hints(
        &self,
        t: RuleTransport,
        port: u16,
        orig_roles: &[RoleRef],
        resp_roles: &[RoleRef],
    ) -> Vec<String> {
        let mut out: Vec<String> = self
            .matcher
            .other_transport(t, port)
            .filter(|(_, r)| !is_wide(r))
            .map(|(_, r)| r.id.clone())
            .take(3)
            .collect();
        // Both searches walk outwards from the port over sorted ranges, so
        // their cost does not grow with the number of rules.
        let roles: Vec<RoleRef> = orig_roles.iter().chain(resp_roles).copied().collect();
        let near = if roles.is_empty() {
            self.matcher.nearest_by(Some(t), port, 3, |r| !is_wide(r))
        } else {
            self.matcher
                .nearest_for_roles(&roles, t, port, 3, |r| !is_wide(r))
        };
        for n in near {
            if !out.contains(&n.rule.id) {
                out.push(n.rule.id.clone());
            }
        }
        out
    }

    /// Mandatory rules whose two roles are both listed devices, with no
    /// documented flow between such a pair. `seen` holds `(rule id, device,
    /// device)` for every documented flow between two listed devices.
    ///
    /// `multicast` holds `(device, port)` of documented multicast UDP flows a
    /// listed device sent: a UDP rule between two devices is satisfied when
    /// its source device sent the service to a group instead (Dante PTP runs
    /// over multicast, its unicast rule only allows the routed case).
    pub fn missing(
        &self,
        seen: &HashSet<(String, String, String)>,
        multicast: &HashSet<(String, u16)>,
    ) -> Vec<Missing> {
        let Some(site) = self.site else {
            return Vec::new();
        };
        let mut out = BTreeMap::new();
        for rule in self.matcher.rule_set().rules() {
            if rule.requirement != Requirement::Mandatory
                || !rule.multicast_groups.is_empty()
                || rule.broadcast
            {
                continue;
            }
            let (src, dst) = (rule.source_role_ref(), rule.destination_role_ref());
            if src == RoleRef::ANY || dst == RoleRef::ANY {
                continue;
            }
            for a in site.devices().iter().filter(|d| d.roles.contains(&src)) {
                for b in site.devices().iter().filter(|d| d.roles.contains(&dst)) {
                    if a.name == b.name {
                        continue;
                    }
                    let key = (rule.id.clone(), a.name.clone(), b.name.clone());
                    let rev = (rule.id.clone(), b.name.clone(), a.name.clone());
                    if seen.contains(&key) || seen.contains(&rev) {
                        continue;
                    }
                    let over_multicast = rule.transport.contains(RuleTransport::Udp)
                        && multicast.iter().any(|(dev, port)| {
                            dev == &a.name && rule.destination_ports.contains(*port)
                        });
                    if over_multicast {
                        continue;
                    }
                    out.insert(
                        (rule.id.clone(), a.name.clone(), b.name.clone()),
                        Missing {
                            rule_id: rule.id.clone(),
                            service: rule.service.clone(),
                            transport: rule.transport.name(),
                            destination_ports: rule.destination_ports.to_string(),
                            source_device: a.name.clone(),
                            destination_device: b.name.clone(),
                        },
                    );
                }
            }
        }
        out.into_values().collect()
    }
}

/// What the matcher knows of a side: its roles when the inventory lists it.
fn side<'r>(known: &Option<String>, roles: &'r [RoleRef]) -> Side<'r> {
    if known.is_some() {
        Side::Roles(roles)
    } else {
        Side::Unknown
    }
}

/// The ids of `rules`, each once, in order. Rule ids are unique in a rule
/// set (`docs/rules.md`), so the same id is the same rule: addresses are
/// compared, not strings, and past a few rules through a set (a port can
/// carry hundreds of rules, and comparing each with all before it made the
/// cost of a flow grow with their square).
fn ids(rules: &[&Rule]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(rules.len());
    if rules.len() <= 16 {
        for (i, r) in rules.iter().enumerate() {
            if !rules[..i].iter().any(|x| std::ptr::eq(*x, *r)) {
                out.push(r.id.clone());
            }
        }
    } else {
        let mut seen: HashSet<*const Rule> = HashSet::with_capacity(rules.len());
        for r in rules {
            if seen.insert(*r as *const Rule) {
                out.push(r.id.clone());
            }
        }
    }
    out
}

fn is_wide(rule: &Rule) -> bool {
    rule.destination_ports.port_count() > WIDE_RULE_PORTS
}

/// The flow got through: TCP reached establishment, or UDP/other got a
/// reply; a one-way flow (multicast, broadcast) counts as delivered when sent.
fn succeeded(flow: &Flow) -> bool {
    match &flow.tcp {
        Some(_) => matches!(
            flow.conn_state(),
            "S1" | "SF" | "S2" | "S3" | "RSTO" | "RSTR" | "SHR"
        ),
        None => flow.packets[1] > 0 || (flow.dest_kind != DestKind::Unicast && flow.packets[0] > 0),
    }
}

fn mentions_trap(text: &str) -> bool {
    text.as_bytes()
        .windows(4)
        .any(|w| w.eq_ignore_ascii_case(b"trap"))
}

/// A documented service that answers each request: DNS, NTP, H.323 RAS,
/// SNMP get/set (not traps), judged by the words of the rule's service name.
fn is_request_response_service(service: &str) -> bool {
    let mut has = [false; 4];
    let mut one_way = false;
    for word in service
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        for (i, name) in ["dns", "ntp", "ras", "snmp"].iter().enumerate() {
            has[i] |= word.eq_ignore_ascii_case(name);
        }
        // mDNS answers only when it has something to say; traps never.
        one_way |= ["trap", "traps", "mdns"]
            .iter()
            .any(|w| word.eq_ignore_ascii_case(w));
    }
    has.iter().any(|&h| h) && !one_way
}

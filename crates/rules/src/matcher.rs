//! The compiled matcher: which rules could a flow belong to.
//!
//! [`Matcher::new`] compiles a [`RuleSet`] once. For each transport it splits
//! the port space 0-65535 at every boundary of every rule's destination ports
//! into elementary intervals; each interval gets the (shared, deduplicated)
//! list of rules covering it, and a dense 65536-entry table maps a port to its
//! interval. A lookup is one table read plus a walk over the rules at that
//! port, whatever the number of rules (256 KiB for both tables).
//!
//! Each rule at the port is then checked against the rest of the flow:
//!
//! 1. the destination kind: a multicast rule matches only a flow to one of
//!    its groups; a broadcast rule matches a broadcast destination and also a
//!    unicast one (DHCP renewals, directed discovery); any other rule matches
//!    only a unicast destination;
//! 2. the roles, when an inventory knows them (a side whose roles are
//!    [`Side::Unknown`] fits every role; the role `any` fits every side): the
//!    side that opened the flow must have the rule's `source_role` and the
//!    other side its `destination_role`; with `direction = "both"` the two may
//!    be swapped. For multicast and broadcast destinations only the sender's
//!    role is checked (a group has no device);
//! 3. the source port, when given, against the rule's `source_ports` (not
//!    checked when a `both` rule is used the other way round, since the rule's
//!    source ports are those of its `source_role` side).
//!
//! A rule that passes is a [`Candidate`]; a rule that has the port and
//! transport but fails a check is a [`NearMiss`] that says why, so the flow
//! engine can tell `wrong-direction` and `multicast-undocumented-group` from
//! plain `undocumented`.

use std::collections::HashMap;
use std::net::IpAddr;

mod nearest;

pub use nearest::{NearScope, NearestSearch};

use crate::groups::Group;
use crate::model::{Direction, RoleRef, Rule, RuleSet, Transport};
use crate::ports::PortSpec;

/// Where a flow is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Destination {
    /// A unicast address (one host).
    Unicast,
    /// A multicast group.
    Multicast(IpAddr),
    /// A broadcast address (limited or directed).
    Broadcast,
}

/// What the inventory knows about one side of a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side<'a> {
    /// Nothing (no inventory, or the address is not in it): fits every role.
    Unknown,
    /// The side has exactly these roles (it also fits `any`).
    Roles(&'a [RoleRef]),
}

impl Side<'_> {
    #[inline]
    fn has(&self, role: RoleRef) -> bool {
        role == RoleRef::ANY
            || match self {
                Side::Unknown => true,
                Side::Roles(rs) => rs.contains(&role),
            }
    }
}

/// One question to the matcher: a flow as the engine sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Query<'a> {
    /// TCP or UDP.
    pub transport: Transport,
    /// The port of the side that did not open the flow (server, receiver, group port).
    pub destination_port: u16,
    /// Unicast, multicast group, or broadcast.
    pub destination: Destination,
    /// The port of the side that opened the flow, if it should be checked.
    pub source_port: Option<u16>,
    /// Roles of the side that opened the flow.
    pub source_roles: Side<'a>,
    /// Roles of the other side (ignored for multicast and broadcast).
    pub destination_roles: Side<'a>,
}

impl<'a> Query<'a> {
    /// A unicast flow to `destination_port`, roles unknown, source port unchecked.
    pub fn new(transport: Transport, destination_port: u16) -> Query<'a> {
        Query {
            transport,
            destination_port,
            destination: Destination::Unicast,
            source_port: None,
            source_roles: Side::Unknown,
            destination_roles: Side::Unknown,
        }
    }

    /// The flow goes to multicast group `group`.
    pub fn to_group(mut self, group: IpAddr) -> Query<'a> {
        self.destination = Destination::Multicast(group);
        self
    }

    /// The flow goes to a broadcast address.
    pub fn to_broadcast(mut self) -> Query<'a> {
        self.destination = Destination::Broadcast;
        self
    }

    /// Check the opener's source port too.
    pub fn from_port(mut self, port: u16) -> Query<'a> {
        self.source_port = Some(port);
        self
    }

    /// The roles of the opener and of the other side.
    pub fn roles(mut self, source: Side<'a>, destination: Side<'a>) -> Query<'a> {
        self.source_roles = source;
        self.destination_roles = destination;
        self
    }
}

/// How a matching rule was applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Orientation {
    /// The opener plays the rule's `source_role` (or the roles are unknown).
    AsWritten,
    /// The opener plays the rule's `destination_role`; allowed because the
    /// rule's direction is `both`.
    Reversed,
}

/// A rule the flow matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate<'m> {
    /// The rule.
    pub rule: &'m Rule,
    /// Its index in [`RuleSet::rules`].
    pub index: usize,
    /// How it was applied.
    pub orientation: Orientation,
}

/// Why a rule with the flow's transport and destination port does not match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mismatch {
    /// A multicast rule for this port, but the flow's group is not one of its
    /// groups (`multicast-undocumented-group`).
    UnlistedGroup,
    /// The destination kind differs: a group or broadcast destination for a
    /// unicast rule, a unicast or broadcast one for a multicast rule, or a
    /// group for a broadcast rule.
    DestinationKind,
    /// The roles fit the rule the other way round and the rule is not `both`
    /// (`wrong-direction`).
    WrongDirection,
    /// The roles of the two sides do not fit the rule.
    Roles,
    /// Everything fits except the opener's source port.
    SourcePort,
}

/// A rule that has the flow's transport and destination port but does not match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NearMiss<'m> {
    /// The rule.
    pub rule: &'m Rule,
    /// Its index in [`RuleSet::rules`].
    pub index: usize,
    /// The first check it failed.
    pub reason: Mismatch,
}

/// The answer to a [`Query`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lookup<'m> {
    /// Rules the flow matches, in rule-set order.
    pub matches: Vec<Candidate<'m>>,
    /// Rules with the same transport and destination port that do not match, in rule-set order.
    pub near: Vec<NearMiss<'m>>,
}

impl Lookup<'_> {
    /// Whether some rule matches.
    pub fn is_documented(&self) -> bool {
        !self.matches.is_empty()
    }

    /// Whether a near miss failed for `reason`.
    pub fn has_near(&self, reason: Mismatch) -> bool {
        self.near.iter().any(|n| n.reason == reason)
    }

    /// Sorts the matches so the most specific rules come first: fewest
    /// destination ports, then rule-set order. Without an inventory, rules
    /// documenting "any port" or a whole ephemeral range match nearly every
    /// flow; this puts a rule naming the exact port ahead of them.
    pub fn sort_by_specificity(&mut self) {
        self.matches
            .sort_by_cached_key(|c| (c.rule.destination_ports.port_count(), c.index));
    }

    /// Empties both lists, keeping their memory.
    pub fn clear(&mut self) {
        self.matches.clear();
        self.near.clear();
    }
}

/// A rule at some distance from a port, for the "nearest rules" hint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Nearest<'m> {
    /// The rule.
    pub rule: &'m Rule,
    /// Its index in [`RuleSet::rules`].
    pub index: usize,
    /// Ports between the asked port and the rule's nearest destination port.
    pub distance: u16,
}

/// The per-transport port index.
#[derive(Debug, Clone)]
struct PortIndex {
    /// Port → interval class.
    class_of_port: Vec<u16>,
    /// Class → range into `postings`.
    classes: Vec<(u32, u32)>,
    /// Rule indices, sorted within each class.
    postings: Vec<u32>,
}

impl PortIndex {
    fn build(rules: &[Rule], transport: Transport) -> PortIndex {
        // Boundaries: every range start and every range end + 1.
        let mut cuts: Vec<u32> = vec![0];
        let mut spans: Vec<(u32, u32, u32)> = Vec::new();
        for (i, r) in rules.iter().enumerate() {
            if !r.transport.contains(transport) {
                continue;
            }
            for range in r.destination_ports.ranges() {
                let (lo, hi) = (u32::from(range.low), u32::from(range.high) + 1);
                cuts.push(lo);
                cuts.push(hi);
                spans.push((lo, hi, i as u32));
            }
        }
        cuts.retain(|&c| c <= 65535);
        cuts.sort_unstable();
        cuts.dedup();

        let mut interned: HashMap<Vec<u32>, u16> = HashMap::new();
        let mut classes: Vec<(u32, u32)> = Vec::new();
        let mut postings: Vec<u32> = Vec::new();
        let mut class_of_port = vec![0u16; 65536];
        // Sweep: start events at `lo`, end events at `hi` (exclusive).
        let mut starts: Vec<(u32, u32)> = spans.iter().map(|&(lo, _, r)| (lo, r)).collect();
        let mut ends: Vec<(u32, u32)> = spans.iter().map(|&(_, hi, r)| (hi, r)).collect();
        starts.sort_unstable();
        ends.sort_unstable();
        let mut active: HashMap<u32, u32> = HashMap::new();
        let (mut si, mut ei) = (0, 0);
        for (k, &cut) in cuts.iter().enumerate() {
            while ei < ends.len() && ends[ei].0 <= cut {
                let r = ends[ei].1;
                if let Some(n) = active.get_mut(&r) {
                    *n -= 1;
                    if *n == 0 {
                        active.remove(&r);
                    }
                }
                ei += 1;
            }
            while si < starts.len() && starts[si].0 <= cut {
                *active.entry(starts[si].1).or_insert(0) += 1;
                si += 1;
            }
            let mut set: Vec<u32> = active.keys().copied().collect();
            set.sort_unstable();
            let class = match interned.get(&set) {
                Some(&c) => c,
                None => {
                    // At most 65536 intervals, so at most 65536 classes: u16 fits.
                    let c = classes.len() as u16;
                    let start = postings.len() as u32;
                    postings.extend_from_slice(&set);
                    classes.push((start, postings.len() as u32));
                    interned.insert(set, c);
                    c
                }
            };
            let end = cuts.get(k + 1).copied().unwrap_or(65536);
            for p in cut..end {
                class_of_port[p as usize] = class;
            }
        }
        PortIndex {
            class_of_port,
            classes,
            postings,
        }
    }

    #[inline]
    fn rules_at(&self, port: u16) -> &[u32] {
        let (a, b) = self.classes[usize::from(self.class_of_port[usize::from(port)])];
        &self.postings[a as usize..b as usize]
    }
}

/// What a lookup needs of a rule, packed so the rules at a port sit close
/// together in memory (the full [`Rule`] is only read for source ports).
#[derive(Debug, Clone, Copy)]
struct Compact {
    source: RoleRef,
    destination: RoleRef,
    either_side_opens: bool,
    broadcast: bool,
    any_source_port: bool,
    /// Range into `Matcher::groups`; empty for a rule that is not multicast.
    groups: (u32, u32),
}

/// A rule set compiled for lookups. It owns a copy of the rule set, so it can
/// be shared across threads for as long as needed.
#[derive(Debug, Clone)]
pub struct Matcher {
    rules: RuleSet,
    tcp: PortIndex,
    udp: PortIndex,
    compact: Vec<Compact>,
    groups: Vec<Group>,
    /// Ranges sorted by their ends, for the nearest-rule search.
    near: nearest::NearIndex,
}

impl Matcher {
    /// Compiles `rules` (cost: linear in the rules' port ranges, plus 256 KiB,
    /// and a sort of the ranges for the nearest-rule search).
    pub fn new(rules: &RuleSet) -> Matcher {
        let mut groups = Vec::new();
        let compact = rules
            .rules()
            .iter()
            .map(|r| {
                let start = groups.len() as u32;
                groups.extend_from_slice(&r.multicast_groups);
                Compact {
                    source: r.source_ref,
                    destination: r.destination_ref,
                    either_side_opens: r.direction == Direction::Both,
                    broadcast: r.broadcast,
                    any_source_port: r.source_ports == PortSpec::Any,
                    groups: (start, groups.len() as u32),
                }
            })
            .collect();
        Matcher {
            tcp: PortIndex::build(rules.rules(), Transport::Tcp),
            udp: PortIndex::build(rules.rules(), Transport::Udp),
            near: nearest::NearIndex::build(rules.rules(), rules.roles().len()),
            rules: rules.clone(),
            compact,
            groups,
        }
    }

    /// The rule set the matcher was compiled from.
    pub fn rule_set(&self) -> &RuleSet {
        &self.rules
    }

    fn index(&self, t: Transport) -> &PortIndex {
        match t {
            Transport::Tcp => &self.tcp,
            Transport::Udp => &self.udp,
        }
    }

    /// Every rule whose transport and destination ports cover `port`,
    /// whatever the destination kind and roles (rule-set order).
    pub fn rules_at(
        &self,
        transport: Transport,
        port: u16,
    ) -> impl Iterator<Item = (usize, &Rule)> {
        self.index(transport)
            .rules_at(port)
            .iter()
            .map(move |&i| (i as usize, &self.rules.rules()[i as usize]))
    }

    /// The rules a flow matches and the near misses.
    pub fn lookup(&self, q: &Query<'_>) -> Lookup<'_> {
        let mut out = Lookup::default();
        self.lookup_into(q, &mut out);
        out
    }

    /// As [`Matcher::lookup`], reusing `out`'s memory (it is cleared first).
    pub fn lookup_into<'m>(&'m self, q: &Query<'_>, out: &mut Lookup<'m>) {
        out.clear();
        let all = self.rules.rules();
        for &i in self.index(q.transport).rules_at(q.destination_port) {
            let index = i as usize;
            let rule = &all[index];
            match self.evaluate(index, q) {
                Ok(orientation) => out.matches.push(Candidate {
                    rule,
                    index,
                    orientation,
                }),
                Err(reason) => out.near.push(NearMiss {
                    rule,
                    index,
                    reason,
                }),
            }
        }
    }

    /// Rules on the *other* transport that cover `port` ("same port, other
    /// transport" hint), in rule-set order.
    pub fn other_transport(
        &self,
        transport: Transport,
        port: u16,
    ) -> impl Iterator<Item = (usize, &Rule)> {
        self.rules_at(transport.other(), port)
    }

    /// Rules accepted by `filter`, nearest to `port` first (then by id), at most
    /// `limit`; `transport` restricts to rules covering it. The cost depends
    /// on the rules around `port` and on how many of them `filter` refuses
    /// (see [`Matcher::nearest_search`]), not on the number of rules.
    pub fn nearest_by(
        &self,
        transport: Option<Transport>,
        port: u16,
        limit: usize,
        filter: impl Fn(&Rule) -> bool,
    ) -> Vec<Nearest<'_>> {
        self.nearest_search(NearScope::Transport(transport), port, limit, filter)
            .found
    }

    /// As [`Matcher::nearest_by`] on `transport`, for the rules naming one of
    /// `roles` (`any` included when given) as source or destination role.
    pub fn nearest_for_roles(
        &self,
        roles: &[RoleRef],
        transport: Transport,
        port: u16,
        limit: usize,
        filter: impl Fn(&Rule) -> bool,
    ) -> Vec<Nearest<'_>> {
        self.nearest_search(NearScope::Roles(transport, roles), port, limit, filter)
            .found
    }

    /// Rules of `product` (exact product name) on `transport` whose ports do
    /// not include `port`, nearest first ("same product, other port").
    pub fn same_product_other_port(
        &self,
        product: &str,
        transport: Transport,
        port: u16,
        limit: usize,
    ) -> Vec<Nearest<'_>> {
        self.nearest_by(Some(transport), port, limit, |r| {
            r.product == product && !r.destination_ports.contains(port)
        })
    }

    /// Rules naming one of `roles` (other than `any`) as source or destination,
    /// on `transport`, whose ports do not include `port`, nearest first ("same
    /// device, other port" with an inventory).
    pub fn same_role_other_port(
        &self,
        roles: &[RoleRef],
        transport: Transport,
        port: u16,
        limit: usize,
    ) -> Vec<Nearest<'_>> {
        let named: Vec<RoleRef> = roles
            .iter()
            .copied()
            .filter(|&r| r != RoleRef::ANY)
            .collect();
        if named.is_empty() {
            return Vec::new();
        }
        self.nearest_for_roles(&named, transport, port, limit, |r| {
            !r.destination_ports.contains(port)
        })
    }
}

impl Matcher {
    /// Checks one rule (already known to cover the transport and port) against the query.
    #[inline]
    fn evaluate(&self, index: usize, q: &Query<'_>) -> Result<Orientation, Mismatch> {
        let c = &self.compact[index];
        let groups = &self.groups[c.groups.0 as usize..c.groups.1 as usize];
        let multicast = !groups.is_empty();
        // 1. Destination kind.
        let group_like = match q.destination {
            Destination::Multicast(g) => {
                if !multicast {
                    return Err(Mismatch::DestinationKind);
                }
                if !groups.iter().any(|x| x.contains(g)) {
                    return Err(Mismatch::UnlistedGroup);
                }
                true
            }
            Destination::Broadcast => {
                if !c.broadcast {
                    return Err(Mismatch::DestinationKind);
                }
                true
            }
            // A broadcast rule also covers unicast: the same services renew,
            // answer or probe by unicast (DHCP renewals, directed discovery).
            Destination::Unicast => {
                if multicast {
                    return Err(Mismatch::DestinationKind);
                }
                false
            }
        };
        // 2. Roles and direction.
        let orientation = if group_like {
            if q.source_roles.has(c.source) {
                Orientation::AsWritten
            } else if c.either_side_opens && q.source_roles.has(c.destination) {
                Orientation::Reversed
            } else {
                return Err(Mismatch::Roles);
            }
        } else {
            let forward = q.source_roles.has(c.source) && q.destination_roles.has(c.destination);
            let reverse = q.source_roles.has(c.destination) && q.destination_roles.has(c.source);
            if forward {
                Orientation::AsWritten
            } else if reverse && c.either_side_opens {
                Orientation::Reversed
            } else if reverse {
                return Err(Mismatch::WrongDirection);
            } else {
                return Err(Mismatch::Roles);
            }
        };
        // 3. Source port (only meaningful for the side the rule describes).
        if let (Some(sp), Orientation::AsWritten, false) =
            (q.source_port, orientation, c.any_source_port)
        {
            if !self.rules.rules()[index].source_ports.contains(sp) {
                return Err(Mismatch::SourcePort);
            }
        }
        Ok(orientation)
    }
}

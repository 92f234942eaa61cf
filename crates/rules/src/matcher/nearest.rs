//! The "nearest rules" search: rules ordered by how far their destination
//! ports are from a port, the `limit` first kept.
//!
//! The order is (distance, rule id), where a rule's distance is that of its
//! nearest destination range ([`PortSpec::distance`](crate::PortSpec::distance)).
//! Scanning every rule for each undocumented flow made the cost of a flow
//! grow with the rule count (`docs/performance.md`, "Many rules"); instead,
//! per transport (and per transport and role), the ranges of the rules are
//! kept sorted by their low end and by their high end. From a port the
//! search reads the rules at the port itself (the lookup's port index), then
//! walks outwards, to lower ranges by descending high end and to higher ones
//! by ascending low end, always taking the nearer side, and stops when it
//! holds `limit` rules and the next range is farther than the last of them.
//! Its cost is the number of ranges read, which depends on how dense the
//! rules are around the port and how many the filter refuses, not on how
//! many rules there are.

use super::{Matcher, Nearest};
use crate::model::{RoleRef, Rule, Transport};
use crate::ports::PortRange;

/// The ranges of a group of rules, sorted by each end.
#[derive(Debug, Clone, Default)]
pub(super) struct RangeEnds {
    /// `(low, rule)`, sorted.
    by_low: Vec<(u16, u32)>,
    /// `(high, rule)`, sorted.
    by_high: Vec<(u16, u32)>,
}

impl RangeEnds {
    fn push(&mut self, range: PortRange, rule: u32) {
        self.by_low.push((range.low, rule));
        self.by_high.push((range.high, rule));
    }

    fn finish(&mut self) {
        self.by_low.sort_unstable();
        self.by_high.sort_unstable();
        self.by_low.shrink_to_fit();
        self.by_high.shrink_to_fit();
    }

    /// The ranges strictly below and strictly above `port`, nearest first.
    fn outward(&self, port: u16) -> Outward<'_> {
        let below = self.by_high.partition_point(|&(high, _)| high < port);
        let above = self.by_low.partition_point(|&(low, _)| low <= port);
        Outward {
            below: &self.by_high[..below],
            above: &self.by_low[above..],
            port,
        }
    }
}

/// A walk away from a port over one [`RangeEnds`].
struct Outward<'a> {
    /// Ranges ending below the port; the nearest is the last.
    below: &'a [(u16, u32)],
    /// Ranges starting above the port; the nearest is the first.
    above: &'a [(u16, u32)],
    port: u16,
}

impl Outward<'_> {
    /// Distance of the next range, if any is left.
    fn peek(&self) -> Option<u16> {
        let down = self.below.last().map(|&(high, _)| self.port - high);
        let up = self.above.first().map(|&(low, _)| low - self.port);
        match (down, up) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The next range's distance and rule.
    fn pop(&mut self) -> Option<(u16, u32)> {
        let down = self.below.last().map(|&(high, r)| (self.port - high, r));
        let up = self.above.first().map(|&(low, r)| (low - self.port, r));
        match (down, up) {
            (Some(d), Some(u)) if d.0 <= u.0 => {
                self.below = &self.below[..self.below.len() - 1];
                Some(d)
            }
            (_, Some(u)) => {
                self.above = &self.above[1..];
                Some(u)
            }
            (Some(d), None) => {
                self.below = &self.below[..self.below.len() - 1];
                Some(d)
            }
            (None, None) => None,
        }
    }
}

/// The sorted ranges of a rule set: per transport, per transport and
/// either, and per transport and role.
#[derive(Debug, Clone)]
pub(super) struct NearIndex {
    tcp: RangeEnds,
    udp: RangeEnds,
    either: RangeEnds,
    /// By role index: the rules naming the role as source or destination,
    /// on TCP and on UDP.
    roles: Vec<[RangeEnds; 2]>,
}

impl NearIndex {
    pub(super) fn build(rules: &[Rule], role_count: usize) -> NearIndex {
        let mut ix = NearIndex {
            tcp: RangeEnds::default(),
            udp: RangeEnds::default(),
            either: RangeEnds::default(),
            roles: vec![Default::default(); role_count],
        };
        for (i, rule) in rules.iter().enumerate() {
            let i = i as u32;
            let tcp = rule.transport.contains(Transport::Tcp);
            let udp = rule.transport.contains(Transport::Udp);
            let (src, dst) = (rule.source_ref.index(), rule.destination_ref.index());
            for range in rule.destination_ports.range_iter() {
                ix.either.push(range, i);
                for (on, t) in [(tcp, 0), (udp, 1)] {
                    if !on {
                        continue;
                    }
                    if t == 0 {
                        ix.tcp.push(range, i);
                    } else {
                        ix.udp.push(range, i);
                    }
                    for role in [Some(src), (dst != src).then_some(dst)]
                        .into_iter()
                        .flatten()
                    {
                        if let Some(slot) = ix.roles.get_mut(role) {
                            slot[t].push(range, i);
                        }
                    }
                }
            }
        }
        for ends in [&mut ix.tcp, &mut ix.udp, &mut ix.either] {
            ends.finish();
        }
        for pair in &mut ix.roles {
            for ends in pair {
                ends.finish();
            }
        }
        ix
    }
}

/// Which rules a nearest-rule search considers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NearScope<'a> {
    /// Rules covering the transport (every rule for `None`).
    Transport(Option<Transport>),
    /// Rules covering the transport that name one of the roles as their
    /// source or destination role (`any` counts as a role here: a rule from
    /// `any` is found when `any` is among the roles). No roles, no rules.
    Roles(Transport, &'a [RoleRef]),
}

/// The answer of [`Matcher::nearest_search`] and what it cost.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NearestSearch<'m> {
    /// The rules found, nearest first, then by id.
    pub found: Vec<Nearest<'m>>,
    /// How many (rule, distance) entries of the index the search read: the
    /// rules at the port plus the ranges walked. It is bounded by the rules
    /// around the port, whatever the size of the rule set.
    pub examined: usize,
}

impl Matcher {
    /// Rules in `scope` accepted by `filter`, nearest to `port` first (then
    /// by id), at most `limit`, with the number of index entries read.
    pub fn nearest_search<'m>(
        &'m self,
        scope: NearScope<'_>,
        port: u16,
        limit: usize,
        filter: impl Fn(&Rule) -> bool,
    ) -> NearestSearch<'m> {
        let mut out = NearestSearch {
            found: Vec::with_capacity(limit + 1),
            examined: 0,
        };
        if limit == 0 {
            return out;
        }
        let ix = &self.near;
        let mut walks: Vec<Outward<'_>> = Vec::new();
        // The rules at the port itself, and whether one is in scope.
        let at_port: [&[u32]; 2];
        let mut roles: Vec<RoleRef> = Vec::new();
        match scope {
            NearScope::Transport(Some(t)) => {
                at_port = [self.index(t).rules_at(port), &[]];
                walks.push(match t {
                    Transport::Tcp => ix.tcp.outward(port),
                    Transport::Udp => ix.udp.outward(port),
                });
            }
            NearScope::Transport(None) => {
                at_port = [self.tcp.rules_at(port), self.udp.rules_at(port)];
                walks.push(ix.either.outward(port));
            }
            NearScope::Roles(t, asked) => {
                at_port = [self.index(t).rules_at(port), &[]];
                roles.extend_from_slice(asked);
                roles.sort_unstable();
                roles.dedup();
                let side = usize::from(t == Transport::Udp);
                walks.extend(
                    roles
                        .iter()
                        .filter_map(|r| ix.roles.get(r.index()))
                        .map(|pair| pair[side].outward(port)),
                );
            }
        }
        let by_role = matches!(scope, NearScope::Roles(..));
        let in_scope = |rule: &Rule| {
            !by_role || roles.contains(&rule.source_ref) || roles.contains(&rule.destination_ref)
        };
        let all = self.rules.rules();
        let order = |a: &Nearest<'_>, b: &Nearest<'_>| {
            (a.distance, &a.rule.id).cmp(&(b.distance, &b.rule.id))
        };
        let consider = |found: &mut Vec<Nearest<'m>>, index: u32, distance: u16| {
            let index = index as usize;
            let rule = &all[index];
            let candidate = Nearest {
                rule,
                index,
                distance,
            };
            if found.len() == limit
                && found
                    .last()
                    .is_some_and(|worst| order(&candidate, worst).is_ge())
            {
                return;
            }
            // A rule with several ranges comes by once per range, the
            // nearest first; a rule seen in several roles' walks likewise.
            if found.iter().any(|f| f.index == index) || !filter(rule) {
                return;
            }
            let at = found.partition_point(|f| order(f, &candidate).is_lt());
            found.insert(at, candidate);
            found.truncate(limit);
        };
        for &i in at_port.iter().copied().flatten() {
            out.examined += 1;
            if in_scope(&all[i as usize]) {
                consider(&mut out.found, i, 0);
            }
        }
        loop {
            let next = walks
                .iter()
                .enumerate()
                .filter_map(|(k, w)| w.peek().map(|d| (d, k)))
                .min();
            let Some((distance, k)) = next else { break };
            let full = out.found.len() == limit;
            if full
                && out
                    .found
                    .last()
                    .is_some_and(|worst| distance > worst.distance)
            {
                break;
            }
            if let Some((d, i)) = walks[k].pop() {
                out.examined += 1;
                consider(&mut out.found, i, d);
            }
        }
        out
    }
}

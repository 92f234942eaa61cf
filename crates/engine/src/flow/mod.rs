//! The flow table: bidirectional conversations with TCP/UDP/ICMP state.
//!
//! Flows are sharded by a symmetric hash of their key ([`FlowKey::symmetric_hash`]):
//! each [`FlowTable`] shard sees its flows' packets in capture order and
//! shares nothing with the others, so shards can run on separate cores.
//! Memory grows with the number of live flows: idle flows are finished after
//! their timeout, and a cap on live flows evicts the least recently seen
//! (counted, never silent).

pub mod key;
pub mod tcp;

use std::net::IpAddr;

use hashbrown::HashTable;
use portmatrix_wire::{PacketFacts, Transport as WireTransport};

pub use key::{Endpoint, FlowKey, Transport};
pub use tcp::{EndpointState, Segment, TcpConn};

/// Timeouts and limits of the flow table.
#[derive(Clone, Debug)]
pub struct FlowConfig {
    /// Idle timeout of TCP connections (Zeek: 5 min).
    pub tcp_timeout_ns: i64,
    /// Idle timeout of UDP flows (Zeek: 1 min).
    pub udp_timeout_ns: i64,
    /// Idle timeout of ICMP and other flows (Zeek: 1 min).
    pub other_timeout_ns: i64,
    /// Most live flows kept in one shard before the least recently seen are evicted.
    pub max_flows: usize,
}

impl Default for FlowConfig {
    fn default() -> Self {
        FlowConfig {
            tcp_timeout_ns: 300 * 1_000_000_000,
            udp_timeout_ns: 60 * 1_000_000_000,
            other_timeout_ns: 60 * 1_000_000_000,
            max_flows: 1_000_000,
        }
    }
}

/// What kind of address a flow is sent to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DestKind {
    Unicast,
    Multicast,
    Broadcast,
}

/// An ICMP or ICMPv6 error that quoted a packet of the flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IcmpError {
    pub v6: bool,
    pub icmp_type: u8,
    pub code: u8,
    /// Who sent the error (the destination host itself, or a router/firewall).
    pub reporter: IpAddr,
    pub ts_ns: i64,
}

impl IcmpError {
    /// Destination unreachable (ICMP type 3, ICMPv6 type 1).
    pub fn is_unreachable(&self) -> bool {
        (!self.v6 && self.icmp_type == 3) || (self.v6 && self.icmp_type == 1)
    }

    /// Administratively prohibited: ICMP 3/9, 3/10, 3/13; ICMPv6 1/1.
    pub fn is_prohibited(&self) -> bool {
        if self.v6 {
            self.icmp_type == 1 && self.code == 1
        } else {
            self.icmp_type == 3 && matches!(self.code, 9 | 10 | 13)
        }
    }

    /// Port unreachable: ICMP 3/3, ICMPv6 1/4.
    pub fn is_port_unreachable(&self) -> bool {
        if self.v6 {
            self.icmp_type == 1 && self.code == 4
        } else {
            self.icmp_type == 3 && self.code == 3
        }
    }
}

/// One conversation.
///
/// The fields a packet updates come first and in declaration order
/// (`repr(C)`): the key, the last timestamp and the side of the originator
/// share the first cache line of a flow-table slot, the counters and MAC
/// addresses the second, so a packet of a UDP flow touches two lines.
#[derive(Clone, Debug)]
#[repr(C)]
pub struct Flow {
    pub key: FlowKey,
    pub last_ts_ns: i64,
    /// The originator is the key's `lo` endpoint (cached for the per-packet
    /// direction test; kept in step with `orig` by the constructors and
    /// [`Flow::swap_roles`]).
    orig_is_lo: bool,
    pub dest_kind: DestKind,
    /// Packets `[originator → responder, responder → originator]`.
    pub packets: [u64; 2],
    /// Bytes on the wire, same order.
    pub bytes: [u64; 2],
    /// Transport payload bytes, same order.
    pub payload_bytes: [u64; 2],
    /// Source MAC address seen from each side, same order as `packets`.
    pub macs: [Option<[u8; 6]>; 2],
    /// Record number of the packet that opened the flow (unique in an input,
    /// independent of sharding).
    pub id: u64,
    /// The initiator.
    pub orig: Endpoint,
    /// The responder.
    pub resp: Endpoint,
    pub first_ts_ns: i64,
    /// TCP state, for TCP flows.
    pub tcp: Option<TcpConn>,
    /// Zeek-style history letters.
    pub history: String,
    /// ICMP errors that quoted this flow (the first few; `icmp_error_count` counts all).
    pub icmp_errors: Vec<IcmpError>,
    pub icmp_error_count: u32,
    /// The flow is known only from an ICMP error quoting it.
    pub quoted_only: bool,
    /// What the content says (`rtp`, `ptp`, ...), set by content detectors.
    pub app: Option<&'static str>,
    /// The flow was ended by the live-flow cap rather than by a timeout or the end of input.
    pub evicted: bool,
}

/// At most this many ICMP errors are kept per flow (all are counted).
const ICMP_ERRORS_KEPT: usize = 4;

impl Flow {
    /// VLAN ids `(outer, inner)`, 0 when absent.
    pub fn vlans(&self) -> (u16, u16) {
        ((self.key.vlan >> 16) as u16, self.key.vlan as u16)
    }

    pub fn total_packets(&self) -> u64 {
        self.packets[0] + self.packets[1]
    }

    pub fn total_bytes(&self) -> u64 {
        self.bytes[0] + self.bytes[1]
    }

    /// Zeek's `conn_state` (TCP and UDP; `OTH` for everything else).
    pub fn conn_state(&self) -> &'static str {
        match (&self.tcp, self.key.transport) {
            (Some(tcp), _) => tcp.conn_state(&self.history),
            (None, Transport::Udp) => match (self.packets[0] > 0, self.packets[1] > 0) {
                (true, true) => "SF",
                (true, false) => "S0",
                (false, true) => "SHR",
                (false, false) => "OTH",
            },
            _ => "OTH",
        }
    }

    fn timeout(&self, cfg: &FlowConfig) -> i64 {
        match self.key.transport {
            Transport::Tcp => cfg.tcp_timeout_ns,
            Transport::Udp => cfg.udp_timeout_ns,
            _ => cfg.other_timeout_ns,
        }
    }

    /// Follows a flip of the TCP roles: the endpoints and every per-side
    /// counter change places (the TCP state has already flipped itself).
    fn swap_roles(&mut self) {
        std::mem::swap(&mut self.orig, &mut self.resp);
        self.orig_is_lo = self.orig == self.key.lo;
        self.packets.swap(0, 1);
        self.bytes.swap(0, 1);
        self.payload_bytes.swap(0, 1);
        self.macs.swap(0, 1);
        self.dest_kind = dest_kind(self.resp.ip);
    }

    /// A placeholder for a free flow-table slot (allocates nothing).
    fn vacant() -> Flow {
        let nowhere = Endpoint {
            ip: IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
            port: 0,
        };
        Flow {
            key: FlowKey {
                vlan: 0,
                transport: Transport::Other(0),
                lo: nowhere,
                hi: nowhere,
            },
            last_ts_ns: 0,
            orig_is_lo: true,
            dest_kind: DestKind::Unicast,
            packets: [0; 2],
            bytes: [0; 2],
            payload_bytes: [0; 2],
            macs: [None; 2],
            id: 0,
            orig: nowhere,
            resp: nowhere,
            first_ts_ns: 0,
            tcp: None,
            history: String::new(),
            icmp_errors: Vec::new(),
            icmp_error_count: 0,
            quoted_only: false,
            app: None,
            evicted: false,
        }
    }

    /// Moves the flow out, leaving a [`Flow::vacant`] placeholder.
    fn take(&mut self) -> Flow {
        std::mem::replace(self, Flow::vacant())
    }

    fn attach_icmp(&mut self, err: IcmpError) {
        self.icmp_error_count += 1;
        if self.icmp_errors.len() < ICMP_ERRORS_KEPT {
            self.icmp_errors.push(err);
        }
    }
}

/// Decides which ports are services (listened on) rather than ephemeral,
/// to pick the initiator of a flow seen from the middle.
pub trait ServicePorts {
    fn is_service(&self, transport: Transport, port: u16) -> bool;
}

/// Ports below 1024 plus a short list of registered conferencing and AV
/// service ports; used when no rules say more.
#[derive(Clone, Copy, Debug, Default)]
pub struct WellKnownPorts;

/// Registered ports of services common on AV and conferencing networks
/// (IANA): H.323 1718-1720, STUN 3478, SIP 5060/5061, RTP/AVP 5004/5005,
/// mDNS 5353, SAP 9875, HTTP alternates 8080/8443, Dante ARC/CMC 4440/8800.
const REGISTERED: &[u16] = &[
    1718, 1719, 1720, 3478, 5004, 5005, 5060, 5061, 5349, 5353, 8080, 8443, 9875, 4440, 8800,
];

/// Well-known ports that clients, not servers, use: the DHCP client 68
/// and the DHCPv6 client 546 (RFC 2131, RFC 8415). A reply from 67 to 68 is
/// then seen as the server's answer, as Zeek's DHCP analyzer sees it.
const CLIENT_PORTS: &[u16] = &[68, 546];

impl ServicePorts for WellKnownPorts {
    fn is_service(&self, _transport: Transport, port: u16) -> bool {
        (port < 1024 && !CLIENT_PORTS.contains(&port)) || REGISTERED.contains(&port)
    }
}

/// The destination ports of a rule set (rules covering at most
/// [`PortSet::MAX_RULE_PORTS`] ports) plus the well-known ones: a port in
/// the set is where a server listens.
#[derive(Clone, Debug)]
pub struct PortSet {
    tcp: Vec<u64>,
    udp: Vec<u64>,
}

impl PortSet {
    /// Rules wider than this (RTP ranges, "ephemeral") do not make a port a service.
    pub const MAX_RULE_PORTS: u32 = 1024;

    /// The well-known ports and every destination port of `rules`' narrow rules.
    pub fn from_rules(rules: &portmatrix_rules::RuleSet) -> PortSet {
        let mut set = PortSet {
            tcp: vec![0; 1024],
            udp: vec![0; 1024],
        };
        for p in 0..=u16::MAX {
            if WellKnownPorts.is_service(Transport::Tcp, p) {
                set.insert(Transport::Tcp, p);
                set.insert(Transport::Udp, p);
            }
        }
        for rule in rules.rules() {
            if rule.destination_ports.port_count() > Self::MAX_RULE_PORTS {
                continue;
            }
            // A rule's destination may be the DHCP client port (replies
            // 67 -> 68); it stays a client port for choosing the initiator.
            if rule
                .destination_ports
                .ranges()
                .iter()
                .all(|r| (r.low..=r.high).all(|p| CLIENT_PORTS.contains(&p)))
            {
                continue;
            }
            for range in rule.destination_ports.ranges() {
                for p in range.low..=range.high {
                    if rule.transport.contains(portmatrix_rules::Transport::Tcp) {
                        set.insert(Transport::Tcp, p);
                    }
                    if rule.transport.contains(portmatrix_rules::Transport::Udp) {
                        set.insert(Transport::Udp, p);
                    }
                }
            }
        }
        set
    }

    fn insert(&mut self, t: Transport, p: u16) {
        let bits = match t {
            Transport::Tcp => &mut self.tcp,
            _ => &mut self.udp,
        };
        bits[usize::from(p) / 64] |= 1 << (p % 64);
    }
}

impl ServicePorts for PortSet {
    fn is_service(&self, t: Transport, port: u16) -> bool {
        let bits = match t {
            Transport::Tcp => &self.tcp,
            Transport::Udp => &self.udp,
            _ => return port < 1024,
        };
        bits[usize::from(port) / 64] & (1 << (port % 64)) != 0
    }
}

/// One shard of the flow table.
///
/// Flows live in a slab of 64-byte-aligned slots; the hash table holds only
/// slot numbers (4 bytes a bucket plus a control byte), so the probe of a
/// packet stays in a table that fits the first-level cache for tens of
/// thousands of flows, and the packet then touches the first two cache
/// lines of its flow's slot (see [`Flow`]'s layout and docs/performance.md).
pub struct FlowTable {
    cfg: FlowConfig,
    /// Slot numbers of the live flows, hashed by their keys.
    index: HashTable<u32>,
    /// The flows. Only slots named in `index` hold live flows; the others
    /// are listed in `free` and hold a [`Flow::vacant`] placeholder.
    slots: Slab,
    free: Vec<u32>,
    finished: Vec<Flow>,
    last_sweep_ns: i64,
    /// Whether `observe` sweeps idle flows by itself; off when a caller
    /// drives the sweeps of several shards from one clock.
    self_sweeping: bool,
    /// Flows ended by the live-flow cap.
    pub evictions: u64,
}

/// A slab slot: a flow starts on a cache-line boundary. (Not an
/// `Option<Flow>`: its discriminant would sit in a later cache line of the
/// flow, and every probe would touch it.)
#[derive(Debug)]
#[repr(align(64))]
struct Slot(Flow);

/// Sweep idle flows at most once per this much capture time.
const SWEEP_INTERVAL_NS: i64 = 1_000_000_000;

/// Slots per slab chunk.
const SLAB_CHUNK: usize = 1024;

/// The flows, in chunks of [`SLAB_CHUNK`] slots: growing adds a chunk and
/// never moves a flow (a single vector would copy every flow each time it
/// doubles: 10 % of a 100 000-flow pass).
#[derive(Debug, Default)]
struct Slab {
    chunks: Vec<Vec<Slot>>,
    len: usize,
}

impl Slab {
    #[inline]
    fn get(&self, i: u32) -> Option<&Flow> {
        let i = i as usize;
        self.chunks
            .get(i / SLAB_CHUNK)
            .and_then(|c| c.get(i % SLAB_CHUNK))
            .map(|s| &s.0)
    }

    #[inline]
    fn get_mut(&mut self, i: u32) -> Option<&mut Flow> {
        let i = i as usize;
        self.chunks
            .get_mut(i / SLAB_CHUNK)
            .and_then(|c| c.get_mut(i % SLAB_CHUNK))
            .map(|s| &mut s.0)
    }

    /// Stores a flow in a new slot and returns its number.
    fn push(&mut self, flow: Flow) -> u32 {
        if self.len % SLAB_CHUNK == 0 {
            self.chunks.push(Vec::with_capacity(SLAB_CHUNK));
        }
        if let Some(chunk) = self.chunks.last_mut() {
            chunk.push(Slot(flow));
        }
        self.len += 1;
        (self.len - 1) as u32
    }
}

#[inline]
fn slot_hash(slots: &Slab, i: u32) -> u64 {
    slots.get(i).map_or(0, |f| f.key.symmetric_hash())
}

impl FlowTable {
    pub fn new(cfg: FlowConfig) -> Self {
        FlowTable {
            cfg,
            index: HashTable::new(),
            slots: Slab::default(),
            free: Vec::new(),
            finished: Vec::new(),
            last_sweep_ns: i64::MIN,
            self_sweeping: true,
            evictions: 0,
        }
    }

    /// Live flows now.
    pub fn live_len(&self) -> usize {
        self.index.len()
    }

    /// The slot of the live flow `key` (whose hash is `hash`).
    #[inline]
    fn find(&self, hash: u64, key: &FlowKey) -> Option<u32> {
        let slots = &self.slots;
        self.index
            .find(hash, |&i| slots.get(i).is_some_and(|f| f.key == *key))
            .copied()
    }

    /// Stores a new live flow and returns its slot.
    fn insert(&mut self, hash: u64, flow: Flow) -> u32 {
        let i = match self.free.pop() {
            Some(i) => {
                if let Some(slot) = self.slots.get_mut(i) {
                    *slot = flow;
                }
                i
            }
            None => self.slots.push(flow),
        };
        let slots = &self.slots;
        self.index.insert_unique(hash, i, |&j| slot_hash(slots, j));
        i
    }

    /// Takes the live flow `key` out of the table.
    fn remove(&mut self, hash: u64, key: &FlowKey) -> Option<Flow> {
        let slots = &self.slots;
        let entry = self
            .index
            .find_entry(hash, |&i| slots.get(i).is_some_and(|f| f.key == *key))
            .ok()?;
        let (i, _) = entry.remove();
        self.free.push(i);
        self.slots.get_mut(i).map(Flow::take)
    }

    /// Feeds one packet that [`classify_packet`] turned into a [`Routed`]
    /// (and that was routed to this shard by its key's hash). `index` is
    /// its record number, `wire_len` its length on the wire.
    pub fn observe(
        &mut self,
        index: u64,
        ts_ns: i64,
        wire_len: u32,
        routed: &Routed,
        facts: &PacketInfo,
        services: &dyn ServicePorts,
    ) {
        if self.self_sweeping && ts_ns.saturating_sub(self.last_sweep_ns) >= SWEEP_INTERVAL_NS {
            self.sweep(ts_ns);
        }
        let (key, src_is_lo, tcp_seg) = match *routed {
            Routed::Packet {
                key,
                src_is_lo,
                tcp,
            } => (key, src_is_lo, tcp),
            Routed::IcmpError { key, err, .. } => {
                let (s, d) = routed.endpoints();
                self.icmp_error(index, key, s, d, err);
                return;
            }
        };

        // One probe per packet of a known flow.
        let hash = key.symmetric_hash();
        let slot = match self.find(hash, &key) {
            Some(i) => {
                let cfg = &self.cfg;
                let Some(flow) = self.slots.get_mut(i) else {
                    return;
                };
                // An idle flow, or a TCP connection re-opened after it ended,
                // starts afresh; the old one is finished. As in Zeek, a flow
                // has expired once it has been idle for its whole timeout.
                let idle = ts_ns.saturating_sub(flow.last_ts_ns) >= flow.timeout(cfg);
                let reopened = tcp_seg.is_some_and(|seg| reopens(flow, seg));
                if idle || reopened {
                    let fresh = new_flow(index, ts_ns, key, src_is_lo, tcp_seg, facts, services);
                    self.finished.push(std::mem::replace(flow, fresh));
                }
                i
            }
            None => {
                if self.index.len() >= self.cfg.max_flows {
                    self.evict();
                }
                let fresh = new_flow(index, ts_ns, key, src_is_lo, tcp_seg, facts, services);
                self.insert(hash, fresh)
            }
        };
        let Some(flow) = self.slots.get_mut(slot) else {
            return;
        };
        let dir = usize::from(flow.orig_is_lo != src_is_lo);
        flow.last_ts_ns = flow.last_ts_ns.max(ts_ns);
        flow.packets[dir] += 1;
        flow.bytes[dir] += u64::from(wire_len);
        flow.payload_bytes[dir] += u64::from(facts.payload_len);
        // Per-direction firsts only on a direction's first packet, so the
        // common case touches no other cache line of the flow.
        let first_of_direction = flow.packets[dir] == 1;
        if first_of_direction && flow.macs[dir].is_none() {
            flow.macs[dir] = facts.src_mac;
        }
        let flipped = match (&mut flow.tcp, tcp_seg) {
            (Some(tcp), Some(seg)) => {
                tcp.update(dir, seg, &mut flow.history);
                tcp.take_role_flip()
            }
            _ => {
                if first_of_direction {
                    push_once(&mut flow.history, if dir == 0 { 'D' } else { 'd' });
                }
                false
            }
        };
        if flipped {
            flow.swap_roles();
        }
    }

    fn icmp_error(&mut self, index: u64, key: FlowKey, s: Endpoint, d: Endpoint, err: IcmpError) {
        let ts_ns = err.ts_ns;
        let transport = key.transport;
        let hash = key.symmetric_hash();
        if let Some(i) = self.find(hash, &key) {
            let cfg = &self.cfg;
            if let Some(flow) = self.slots.get_mut(i) {
                if ts_ns.saturating_sub(flow.last_ts_ns) < flow.timeout(cfg) {
                    flow.attach_icmp(err);
                    return;
                }
            }
            // The quoted flow has expired, whether or not a sweep has
            // finished it yet: finish it now, so that the outcome does not
            // depend on when this shard last swept.
            if let Some(old) = self.remove(hash, &key) {
                self.finished.push(old);
            }
        }
        // The quoted packet itself was not captured (one-sided mirror, or it
        // left on another path, or its flow has ended): the attempt is still
        // evidence.
        if self.index.len() >= self.cfg.max_flows {
            self.evict();
        }
        let mut flow = Flow {
            key,
            last_ts_ns: ts_ns,
            orig_is_lo: s == key.lo,
            dest_kind: dest_kind(d.ip),
            packets: [0; 2],
            bytes: [0; 2],
            payload_bytes: [0; 2],
            macs: [None; 2],
            id: index,
            orig: s,
            resp: d,
            first_ts_ns: ts_ns,
            tcp: (transport == Transport::Tcp).then(TcpConn::default),
            history: String::new(),
            icmp_errors: Vec::new(),
            icmp_error_count: 0,
            quoted_only: true,
            app: None,
            evicted: false,
        };
        flow.attach_icmp(err);
        self.insert(hash, flow);
    }

    /// Leaves idle-flow sweeps to the caller ([`FlowTable::sweep`]), so that
    /// several shards end their flows at the same capture times and the
    /// result does not depend on how flows are spread over shards.
    pub fn with_external_sweeps(mut self) -> Self {
        self.self_sweeping = false;
        self
    }

    /// Ends the live flows for which `end` says so (they go to `finished`,
    /// marked evicted when `evicted`); returns how many ended.
    fn end_where(&mut self, evicted: bool, mut end: impl FnMut(&Flow) -> bool) -> usize {
        let (slots, free, finished) = (&mut self.slots, &mut self.free, &mut self.finished);
        let mut ended = 0;
        self.index.retain(|&mut i| {
            let Some(flow) = slots.get_mut(i) else {
                return false;
            };
            let stop = end(flow);
            if stop {
                let mut flow = flow.take();
                flow.evicted |= evicted;
                finished.push(flow);
                ended += 1;
                free.push(i);
            }
            !stop
        });
        ended
    }

    /// Finishes flows idle for their timeout or longer.
    pub fn sweep(&mut self, now_ns: i64) {
        self.last_sweep_ns = now_ns;
        let cfg = self.cfg.clone();
        self.end_where(false, |flow| {
            now_ns.saturating_sub(flow.last_ts_ns) >= flow.timeout(&cfg)
        });
    }

    /// Evicts the least recently seen tenth of the live flows.
    fn evict(&mut self) {
        let mut ages: Vec<i64> = self.live_flows().map(|f| f.last_ts_ns).collect();
        if ages.is_empty() {
            return;
        }
        let n = (ages.len() / 10).max(1);
        let (_, cut, _) = ages.select_nth_unstable(n - 1);
        let cut = *cut;
        let mut chosen = 0usize;
        let removed = self.end_where(true, |flow| {
            let stop = chosen < n && flow.last_ts_ns <= cut;
            chosen += usize::from(stop);
            stop
        });
        self.evictions += removed as u64;
    }

    /// The flows still live (any order).
    pub fn live_flows(&self) -> impl Iterator<Item = &Flow> {
        let slots = &self.slots;
        self.index.iter().filter_map(|&i| slots.get(i))
    }

    /// Takes the flows that have ended so far (timeouts, the cap, re-opened
    /// connections), leaving the live ones.
    pub fn drain_finished(&mut self) -> std::vec::Drain<'_, Flow> {
        self.finished.drain(..)
    }

    /// Ends the pass: every flow, finished and live, in order of first packet.
    pub fn finish(mut self) -> (Vec<Flow>, u64) {
        let mut slots = self.slots;
        for &i in &self.index {
            if let Some(flow) = slots.get_mut(i) {
                self.finished.push(flow.take());
            }
        }
        // Unstable is enough: record numbers (ids) are unique.
        self.finished
            .sort_unstable_by_key(|f| (f.first_ts_ns, f.id));
        (self.finished, self.evictions)
    }
}

/// What the flow table needs of a packet besides its [`Routed`] key: small
/// and owned, so packets can be decoded on one thread and tracked on another.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PacketInfo {
    /// Transport payload length.
    pub payload_len: u32,
    pub src_mac: Option<[u8; 6]>,
    /// Sent to the broadcast MAC address (a subnet-directed broadcast).
    pub mac_broadcast: bool,
    /// Sent to an IP broadcast address.
    pub ip_broadcast: bool,
    /// An ICMP/ICMPv6 reply (echo reply and the like).
    pub icmp_reply: bool,
}

impl PacketInfo {
    #[inline]
    pub fn from_facts(facts: &PacketFacts<'_>) -> PacketInfo {
        PacketInfo {
            payload_len: facts.payload.len() as u32,
            src_mac: facts.src_mac,
            mac_broadcast: facts.is_mac_broadcast(),
            ip_broadcast: facts.is_broadcast(),
            icmp_reply: icmp_is_reply(facts),
        }
    }
}

/// A packet reduced to what the flow table needs, with the key that routes
/// it to its shard.
#[derive(Clone, Copy, Debug)]
pub enum Routed {
    /// A packet of the flow `key`, sent from `key.lo` to `key.hi` when
    /// `src_is_lo`, the other way otherwise.
    Packet {
        key: FlowKey,
        src_is_lo: bool,
        tcp: Option<Segment>,
    },
    /// An ICMP/ICMPv6 error quoting a packet of the flow `key`, which the
    /// quoted packet shows going from `key.lo` to `key.hi` when `src_is_lo`.
    IcmpError {
        key: FlowKey,
        src_is_lo: bool,
        err: IcmpError,
    },
}

impl Routed {
    pub fn key(&self) -> &FlowKey {
        match self {
            Routed::Packet { key, .. } | Routed::IcmpError { key, .. } => key,
        }
    }

    /// The sender and the receiver of the packet (for an ICMP error: of
    /// the quoted packet).
    pub fn endpoints(&self) -> (Endpoint, Endpoint) {
        let (Routed::Packet { key, src_is_lo, .. } | Routed::IcmpError { key, src_is_lo, .. }) =
            self;
        key.sender_receiver(*src_is_lo)
    }
}

/// Reduces a decoded packet to its flow key and the facts the flow table
/// needs; `None` for packets that belong to no flow (non-IP, IGMP/MLD
/// membership, later fragments, transport headers cut by the snap length).
#[inline]
pub fn classify_packet(facts: &PacketFacts<'_>, ts_ns: i64) -> Option<Routed> {
    let (src, dst) = (facts.src_ip()?, facts.dst_ip()?);
    let vlan = vlan_key(facts);
    let (transport, sport, dport, tcp) = match &facts.transport {
        WireTransport::Tcp(t) => {
            let seg = Segment {
                syn: t.flags.syn(),
                ack: t.flags.ack(),
                fin: t.flags.fin(),
                rst: t.flags.rst(),
                seq: t.sequence_number,
                len: facts.payload.len() as u32,
            };
            (Transport::Tcp, t.source_port, t.destination_port, Some(seg))
        }
        WireTransport::Udp(u) => (Transport::Udp, u.source_port, u.destination_port, None),
        WireTransport::Icmpv4(i) | WireTransport::Icmpv6(i) => {
            let v6 = matches!(facts.transport, WireTransport::Icmpv6(_));
            if let Some(q) = i.quoted.filter(|_| is_error(v6, i.icmp_type)) {
                let (sp, dp) = q.ports.unwrap_or((0, 0));
                let s = Endpoint {
                    ip: q.source_address,
                    port: sp,
                };
                let d = Endpoint {
                    ip: q.destination_address,
                    port: dp,
                };
                let (key, src_is_lo) =
                    FlowKey::new(vlan, Transport::from_protocol(q.protocol), s, d);
                let err = IcmpError {
                    v6,
                    icmp_type: i.icmp_type,
                    code: i.code,
                    reporter: src,
                    ts_ns,
                };
                return Some(Routed::IcmpError {
                    key,
                    src_is_lo,
                    err,
                });
            }
            let (a, b) = icmp_ports(v6, i.icmp_type, i.code, i.identifier());
            let t = if v6 {
                Transport::Icmpv6
            } else {
                Transport::Icmp
            };
            (t, a, b, None)
        }
        WireTransport::Other { protocol } => (Transport::Other(*protocol), 0, 0, None),
        _ => return None,
    };
    let s = Endpoint {
        ip: src,
        port: sport,
    };
    let d = Endpoint {
        ip: dst,
        port: dport,
    };
    let (key, src_is_lo) = FlowKey::new(vlan, transport, s, d);
    Some(Routed::Packet {
        key,
        src_is_lo,
        tcp,
    })
}

fn is_error(v6: bool, icmp_type: u8) -> bool {
    if v6 {
        matches!(icmp_type, 1..=4)
    } else {
        matches!(icmp_type, 3 | 4 | 5 | 11 | 12)
    }
}

/// Ports of an ICMP "flow", as `(source, destination)` of this message:
/// requests and their replies share one key (echo 8/0 and 128/129,
/// timestamp 13/14, information 15/16, address mask 17/18) with the request
/// type on the requester's side and the identifier, which keeps concurrent
/// pings apart, on the other; a reply therefore has them the other way round.
fn icmp_ports(v6: bool, icmp_type: u8, code: u8, identifier: u16) -> (u16, u16) {
    let request = if v6 {
        match icmp_type {
            128 | 129 => Some(128u16),
            _ => None,
        }
    } else {
        match icmp_type {
            8 | 0 => Some(8u16),
            13 | 14 => Some(13),
            15 | 16 => Some(15),
            17 | 18 => Some(17),
            _ => None,
        }
    };
    match request {
        Some(t) if u16::from(icmp_type) == t => (t, identifier),
        Some(t) => (identifier, t),
        None => (u16::from(icmp_type), u16::from(code)),
    }
}

fn vlan_key(facts: &PacketFacts<'_>) -> u32 {
    let mut it = facts.vlans.iter();
    let outer = it.next().unwrap_or(0);
    let inner = it.next().unwrap_or(0);
    u32::from(outer) << 16 | u32::from(inner)
}

fn dest_kind(ip: IpAddr) -> DestKind {
    match ip {
        IpAddr::V4(a) if a.is_broadcast() => DestKind::Broadcast,
        IpAddr::V4(a) if a.is_multicast() => DestKind::Multicast,
        IpAddr::V6(a) if a.is_multicast() => DestKind::Multicast,
        _ => DestKind::Unicast,
    }
}

/// Zeek's `IsReuse`: a SYN that starts a new connection on the same ports.
///
/// Once either side has closed (FIN) or reset, any SYN starts a new
/// connection. Before that, a SYN starts one only when its sequence number
/// differs from the originator's initial one (a retransmitted SYN does not);
/// a SYN-ACK counts only while the originator has sent nothing, and is then
/// compared with the responder's initial sequence number.
fn reopens(flow: &Flow, seg: Segment) -> bool {
    let Some(tcp) = &flow.tcp else { return false };
    if !seg.syn || flow.total_packets() == 0 {
        return false;
    }
    use EndpointState::*;
    let conn_orig = if seg.ack {
        if tcp.state[0] != Inactive {
            return false;
        }
        1
    } else {
        0
    };
    let ended = |s: EndpointState| matches!(s, Closed | Reset);
    if ended(tcp.state[0]) || ended(tcp.state[1]) {
        return true;
    }
    match tcp.start_seq(conn_orig) {
        // Nothing seen from that side yet: Zeek numbers it from the peer's
        // ACK, which acknowledges exactly this SYN when the two were merely
        // captured out of order. Not a new connection.
        None => false,
        Some(start) if start == seg.seq => false,
        // The SYN that answers an originator's SYN-ACK (captured in reverse
        // order) is not a new connection either.
        Some(_) => {
            let reversed = !seg.ack && tcp.state[0] == SynAckSent && tcp.state[1] == Inactive;
            !reversed
        }
    }
}

fn new_flow(
    index: u64,
    ts_ns: i64,
    key: FlowKey,
    src_is_lo: bool,
    tcp_seg: Option<Segment>,
    facts: &PacketInfo,
    services: &dyn ServicePorts,
) -> Flow {
    let (s, d) = key.sender_receiver(src_is_lo);
    let kind = if facts.mac_broadcast && dest_kind(d.ip) == DestKind::Unicast {
        // A subnet-directed broadcast: the IP alone does not say so.
        DestKind::Broadcast
    } else {
        dest_kind(d.ip)
    };
    let mut history = String::new();
    let flip = if kind != DestKind::Unicast || facts.ip_broadcast {
        false
    } else if let Some(seg) = tcp_seg {
        // As Zeek's TCP analyzer: a SYN is never flipped; anything else
        // (midstream traffic, or a SYN-ACK) is flipped when it comes from a
        // service port to a port that is not one. A SYN-ACK that is not
        // flipped here is flipped when its connection shows an ACK or data
        // (`TcpConn::update`): until then it may be a scan's backscatter,
        // whose SYN-ACK sender really is the one that was probed.
        (!seg.syn || seg.ack) && server_side(key.transport, s.port, d.port, services)
    } else {
        match key.transport {
            Transport::Icmp | Transport::Icmpv6 => facts.icmp_reply,
            _ => server_side(key.transport, s.port, d.port, services),
        }
    };
    let (orig, resp) = if flip { (d, s) } else { (s, d) };
    if flip {
        history.push('^');
    }
    Flow {
        key,
        last_ts_ns: ts_ns,
        orig_is_lo: orig == key.lo,
        dest_kind: if flip { dest_kind(resp.ip) } else { kind },
        packets: [0; 2],
        bytes: [0; 2],
        payload_bytes: [0; 2],
        macs: [None; 2],
        id: index,
        orig,
        resp,
        first_ts_ns: ts_ns,
        tcp: tcp_seg.map(|_| TcpConn::new(flip)),
        history,
        icmp_errors: Vec::new(),
        icmp_error_count: 0,
        quoted_only: false,
        app: None,
        evicted: false,
    }
}

/// True when the sender's port looks like the service and the receiver's does not.
fn server_side(t: Transport, sport: u16, dport: u16, services: &dyn ServicePorts) -> bool {
    services.is_service(t, sport) && !services.is_service(t, dport)
}

fn icmp_is_reply(facts: &PacketFacts<'_>) -> bool {
    match &facts.transport {
        WireTransport::Icmpv4(i) => matches!(i.icmp_type, 0 | 14 | 16 | 18),
        WireTransport::Icmpv6(i) => i.icmp_type == 129,
        _ => false,
    }
}

fn push_once(history: &mut String, c: char) {
    if !history.contains(c) && history.len() < tcp::HISTORY_CAP {
        history.push(c);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portmatrix_wire::LinkType;
    use std::net::Ipv4Addr;

    const CLIENT: [u8; 4] = [192, 0, 2, 10];
    const SERVER: [u8; 4] = [198, 51, 100, 20];

    fn ep(a: [u8; 4], port: u16) -> Endpoint {
        Endpoint {
            ip: IpAddr::V4(Ipv4Addr::from(a)),
            port,
        }
    }

    /// Feeds TCP segments `(from, to, flags, seq, len, ms)` to one flow table
    /// and returns its flows.
    fn tcp_flows(pkts: &[(Endpoint, Endpoint, &str, u32, u32, i64)]) -> Vec<Flow> {
        let mut table = FlowTable::new(FlowConfig::default());
        let facts = PacketFacts::empty(LinkType::ETHERNET);
        for (i, &(src, dst, flags, seq, len, ms)) in pkts.iter().enumerate() {
            let (key, src_is_lo) = FlowKey::new(0, Transport::Tcp, src, dst);
            let seg = Segment {
                syn: flags.contains('S'),
                ack: flags.contains('A'),
                fin: flags.contains('F'),
                rst: flags.contains('R'),
                seq,
                len,
            };
            let routed = Routed::Packet {
                key,
                src_is_lo,
                tcp: Some(seg),
            };
            table.observe(
                i as u64 + 1,
                ms * 1_000_000,
                60,
                &routed,
                &PacketInfo::from_facts(&facts),
                &WellKnownPorts,
            );
        }
        table.finish().0
    }

    fn summary(f: &Flow) -> (u16, u16, &'static str, String, [u64; 2]) {
        (
            f.orig.port,
            f.resp.port,
            f.conn_state(),
            f.history.clone(),
            f.packets,
        )
    }

    // Expected values follow Zeek's TCP analyzer: `IsReuse` for new
    // connections on the same ports, `WantConnection` and
    // `TCP_Endpoint::CheckHistory` for flipping the roles.

    #[test]
    fn a_syn_after_a_reset_starts_a_new_connection_even_with_the_same_isn() {
        let (c, s) = (ep(CLIENT, 52478), ep(SERVER, 8554));
        let flows = tcp_flows(&[
            (c, s, "S", 100, 0, 0),
            (s, c, "RA", 0, 0, 1),
            (c, s, "S", 100, 0, 500),
            (c, s, "S", 100, 0, 501),
            (s, c, "SA", 900, 0, 502),
            (c, s, "A", 101, 0, 503),
        ]);
        let got: Vec<_> = flows.iter().map(summary).collect();
        assert_eq!(
            got,
            vec![
                (52478, 8554, "REJ", "Sr".to_string(), [1, 1]),
                (52478, 8554, "S1", "ShA".to_string(), [3, 1]),
            ]
        );
    }

    #[test]
    fn a_syn_with_a_new_isn_starts_a_new_attempt_a_retransmission_does_not() {
        let (c, s) = (ep(CLIENT, 40000), ep(SERVER, 1720));
        let flows = tcp_flows(&[
            (c, s, "S", 100, 0, 0),
            (c, s, "S", 100, 0, 1000),
            (c, s, "S", 7777, 0, 3000),
        ]);
        let got: Vec<_> = flows.iter().map(summary).collect();
        assert_eq!(
            got,
            vec![
                (40000, 1720, "S0", "S".to_string(), [2, 0]),
                (40000, 1720, "S0", "S".to_string(), [1, 0]),
            ]
        );
    }

    #[test]
    fn a_syn_ack_from_a_service_port_is_flipped_at_once() {
        let (c, s) = (ep(CLIENT, 51000), ep(SERVER, 443));
        let flows = tcp_flows(&[(s, c, "SA", 900, 0, 0)]);
        assert_eq!(
            summary(&flows[0]),
            (51000, 443, "OTH", "^h".to_string(), [0, 1])
        );
    }

    #[test]
    fn a_lone_syn_ack_between_unlisted_ports_is_not_flipped() {
        // Zeek keeps the SYN-ACK's sender as originator (a scan's backscatter
        // looks like this); the receiver's RST then rejects it.
        let (a, b) = (ep(CLIENT, 2721), ep(SERVER, 58999));
        let flows = tcp_flows(&[(b, a, "SA", 900, 0, 0), (a, b, "R", 1, 0, 1)]);
        assert_eq!(
            summary(&flows[0]),
            (58999, 2721, "REJ", "Hr".to_string(), [1, 1])
        );
        assert!(!flows[0].tcp.as_ref().unwrap().refused);
    }

    #[test]
    fn the_first_ack_after_a_lone_syn_ack_flips_the_flow_and_its_counters() {
        let (a, b) = (ep(CLIENT, 50000), ep(SERVER, 50001));
        let flows = tcp_flows(&[
            (b, a, "SA", 900, 0, 0),
            (a, b, "A", 101, 0, 1),
            (a, b, "A", 101, 10, 2),
        ]);
        assert_eq!(flows.len(), 1);
        let f = &flows[0];
        assert_eq!(
            summary(f),
            (50000, 50001, "OTH", "^hAD".to_string(), [2, 1])
        );
        assert_eq!(f.orig, a);
        assert!(f.tcp.as_ref().unwrap().flipped);
    }

    #[test]
    fn a_syn_ack_whose_own_sender_then_acks_is_flipped_with_its_packets() {
        // Zeek's core.conn-size-flip baseline (tcp/one-sided-2745.pcap):
        // history `^haf`, orig_pkts 0, resp_pkts 3: the SYN-ACK's sender is
        // the responder once its own ACK has flipped the connection.
        let (a, b) = (ep(CLIENT, 2745), ep(SERVER, 1433));
        let flows = tcp_flows(&[
            (b, a, "SA", 900, 0, 0),
            (b, a, "A", 901, 0, 1),
            (b, a, "FA", 901, 0, 2),
        ]);
        assert_eq!(
            summary(&flows[0]),
            (2745, 1433, "SHR", "^haf".to_string(), [0, 3])
        );
        assert_eq!(flows[0].resp, b);
    }

    #[test]
    fn a_flow_idle_for_exactly_its_timeout_has_expired() {
        // Zeek's inactivity timer expires a connection when
        // `last_time + timeout <= now`: its core.expire-all-timers baseline
        // logs a retransmission 300 s after the last packet as a second
        // connection (`Da` OTH, then `D` OTH).
        let (c, s) = (ep(CLIENT, 51889), ep(SERVER, 80));
        let flows = tcp_flows(&[
            (c, s, "A", 1001, 18, 0),
            (s, c, "A", 2001, 0, 0),
            (c, s, "A", 1001, 18, 300_000),
        ]);
        let got: Vec<_> = flows.iter().map(summary).collect();
        assert_eq!(
            got,
            vec![
                (51889, 80, "OTH", "Da".to_string(), [1, 1]),
                (51889, 80, "OTH", "D".to_string(), [1, 0]),
            ]
        );
        let flows = tcp_flows(&[(c, s, "A", 1001, 18, 0), (c, s, "A", 1001, 18, 299_999)]);
        assert_eq!(flows.len(), 1);
    }

    #[test]
    fn an_echo_request_and_its_reply_share_one_key() {
        let (a, b) = (ep(CLIENT, 0), ep(SERVER, 0));
        for (v6, req, rep) in [(false, 8u8, 0u8), (true, 128, 129)] {
            for id in [0u16, 8, 0x1234, u16::MAX] {
                let (rs, rd) = icmp_ports(v6, req, 0, id);
                let (ps, pd) = icmp_ports(v6, rep, 0, id);
                assert_eq!((rs, rd), (u16::from(req), id));
                let t = if v6 {
                    Transport::Icmpv6
                } else {
                    Transport::Icmp
                };
                let request =
                    FlowKey::new(0, t, Endpoint { port: rs, ..a }, Endpoint { port: rd, ..b });
                let reply =
                    FlowKey::new(0, t, Endpoint { port: ps, ..b }, Endpoint { port: pd, ..a });
                assert_eq!(request.0, reply.0, "type {req}/{rep}, id {id}");
            }
        }
        // Other messages keep type and code.
        assert_eq!(icmp_ports(false, 3, 3, 77), (3, 3));
    }

    #[test]
    fn an_icmp_error_after_the_quoted_flow_expired_starts_a_new_flow() {
        let (c, s) = (ep(CLIENT, 40000), ep(SERVER, 161));
        let (key, src_is_lo) = FlowKey::new(0, Transport::Udp, c, s);
        let facts = PacketFacts::empty(LinkType::ETHERNET);
        let packet = Routed::Packet {
            key,
            src_is_lo,
            tcp: None,
        };
        let error = |ts_ns| Routed::IcmpError {
            key,
            src_is_lo,
            err: IcmpError {
                v6: false,
                icmp_type: 3,
                code: 3,
                reporter: s.ip,
                ts_ns,
            },
        };
        let sec = 1_000_000_000;
        let (o1, o2) = (ep(CLIENT, 40001), ep(SERVER, 53));
        let (other_key, other_src_is_lo) = FlowKey::new(0, Transport::Udp, o1, o2);
        let other = Routed::Packet {
            key: other_key,
            src_is_lo: other_src_is_lo,
            tcp: None,
        };
        let mut table = FlowTable::new(FlowConfig::default());
        table.observe(
            1,
            0,
            60,
            &packet,
            &PacketInfo::from_facts(&facts),
            &WellKnownPorts,
        );
        table.observe(
            2,
            30 * sec,
            70,
            &error(30 * sec),
            &PacketInfo::from_facts(&facts),
            &WellKnownPorts,
        );
        // A sweep at 59.5 s keeps the flow (idle 59.5 s: errors do not
        // refresh it); none runs at 60.4 s, when it has been idle for 60.4 s.
        table.observe(
            3,
            59 * sec + sec / 2,
            60,
            &other,
            &PacketInfo::from_facts(&facts),
            &WellKnownPorts,
        );
        let late = 60 * sec + 4 * sec / 10;
        table.observe(
            4,
            late,
            70,
            &error(late),
            &PacketInfo::from_facts(&facts),
            &WellKnownPorts,
        );
        let (flows, _) = table.finish();
        let quoted: Vec<_> = flows
            .iter()
            .filter(|f| f.key == key)
            .map(|f| (f.icmp_error_count, f.quoted_only))
            .collect();
        assert_eq!(quoted, vec![(1, false), (1, true)]);
    }

    #[test]
    fn a_syn_captured_after_its_syn_ack_stays_in_the_connection() {
        // Zeek numbers the silent originator from the SYN-ACK's ACK, so the
        // late SYN is no reuse.
        let (c, s) = (ep(CLIENT, 51000), ep(SERVER, 80));
        let flows = tcp_flows(&[
            (s, c, "SA", 900, 0, 0),
            (c, s, "S", 100, 0, 1),
            (c, s, "A", 101, 0, 2),
        ]);
        assert_eq!(flows.len(), 1);
        assert_eq!(
            summary(&flows[0]),
            (51000, 80, "OTH", "^hSA".to_string(), [2, 1])
        );
    }
}

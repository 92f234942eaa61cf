//! One shard of the flow table: lookup, new flows, timeouts and the cap.

use hashbrown::HashTable;

use super::route::{PacketInfo, Routed};
use super::services::{server_side, ServicePorts};
use super::{
    dest_kind, dest_kind_of, push_once, DestKind, Endpoint, EndpointState, Flow, FlowConfig,
    FlowKey, IcmpError, Segment, TcpConn, Transport,
};

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

    /// The id of the live flow `key`, if there is one.
    pub fn flow_id(&self, key: &FlowKey) -> Option<u64> {
        let i = self.find(key.symmetric_hash(), key)?;
        self.slots.get(i).map(|f| f.id)
    }

    /// Feeds one packet that [`route`](super::route()) turned into a [`Routed`]
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
        self.observe_announced(index, ts_ns, wire_len, routed, facts, services, None);
    }

    /// As [`FlowTable::observe`], with the media SDP announced so far, which
    /// the content detectors consult (RTP clock rates).
    #[allow(clippy::too_many_arguments)]
    pub fn observe_announced(
        &mut self,
        index: u64,
        ts_ns: i64,
        wire_len: u32,
        routed: &Routed,
        facts: &PacketInfo,
        services: &dyn ServicePorts,
        announced: Option<&crate::detect::sdp::Registry>,
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
        if let Some(tagged) = &facts.sample {
            let up = crate::detect::Update {
                dir,
                ts_ns,
                payload_len: facts.payload_len,
                config: &self.cfg.detect,
                dst: if dir == 0 { flow.resp } else { flow.orig },
                announced,
            };
            flow.detect
                .get_or_insert_with(Default::default)
                .update(&up, tagged);
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
        let tcp = (transport == Transport::Tcp).then(TcpConn::default);
        let mut flow = Flow::new(index, ts_ns, key, s, d, dest_kind(d.ip), tcp);
        flow.quoted_only = true;
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
        dest_kind_of(key.transport, &d)
    };
    let mut history = String::new();
    let flip = if kind != DestKind::Unicast || facts.ip_broadcast || key.transport.is_ether() {
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
    let dest = if flip {
        dest_kind_of(key.transport, &resp)
    } else {
        kind
    };
    let mut flow = Flow::new(
        index,
        ts_ns,
        key,
        orig,
        resp,
        dest,
        tcp_seg.map(|_| TcpConn::new(flip)),
    );
    flow.history = history;
    flow
}

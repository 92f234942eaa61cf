//! The flow table: bidirectional conversations with TCP/UDP/ICMP state.
//!
//! Flows are sharded by a symmetric hash of their key ([`FlowKey::symmetric_hash`]):
//! each [`FlowTable`] shard sees its flows' packets in capture order and
//! shares nothing with the others, so shards can run on separate cores.
//! Memory grows with the number of live flows: idle flows are finished after
//! their timeout, and a cap on live flows evicts the least recently seen
//! (counted, never silent).
//!
//! - [`route`]: a decoded packet reduced to its flow key ([`Routed`]) and the
//!   few facts the flow stage needs ([`PacketInfo`]);
//! - [`table`]: the shard ([`FlowTable`]): lookup, new flows, timeouts, the cap;
//! - [`services`]: which ports are services, to pick the initiator;
//! - [`tcp`]: TCP state and Zeek's history letters.

pub mod key;
pub mod loss;
pub mod route;
pub mod services;
pub mod table;
pub mod tcp;

use std::net::IpAddr;

pub use key::{Endpoint, FlowKey, Transport};
pub use route::{route, route_ether, PacketInfo, Routed};
pub use services::{PortSet, ServicePorts, WellKnownPorts};
pub use table::FlowTable;
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
    /// Settings of the content detectors.
    pub detect: crate::detect::DetectConfig,
}

impl Default for FlowConfig {
    fn default() -> Self {
        FlowConfig {
            tcp_timeout_ns: 300 * 1_000_000_000,
            udp_timeout_ns: 60 * 1_000_000_000,
            other_timeout_ns: 60 * 1_000_000_000,
            max_flows: 1_000_000,
            detect: crate::detect::DetectConfig::default(),
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
    /// The flow was ended by the live-flow cap rather than by a timeout or the end of input.
    pub evicted: bool,
    /// Content detectors' state (out of line; only flows whose packets a
    /// probe accepted have one).
    pub detect: Option<Box<crate::detect::FlowDetect>>,
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

    pub(crate) fn timeout(&self, cfg: &FlowConfig) -> i64 {
        match self.key.transport {
            Transport::Tcp => cfg.tcp_timeout_ns,
            Transport::Udp => cfg.udp_timeout_ns,
            _ => cfg.other_timeout_ns,
        }
    }

    /// Follows a flip of the TCP roles: the endpoints and every per-side
    /// counter change places (the TCP state has already flipped itself).
    pub(crate) fn swap_roles(&mut self) {
        std::mem::swap(&mut self.orig, &mut self.resp);
        self.orig_is_lo = self.orig == self.key.lo;
        self.packets.swap(0, 1);
        self.bytes.swap(0, 1);
        self.payload_bytes.swap(0, 1);
        self.macs.swap(0, 1);
        self.dest_kind = dest_kind_of(self.key.transport, &self.resp);
        if let Some(d) = &mut self.detect {
            d.swap_directions();
        }
    }

    /// A flow opened at `ts_ns` by the packet with record number `id`, from
    /// `orig` to `resp` (one of them `key.lo`, the other `key.hi`).
    pub(crate) fn new(
        id: u64,
        ts_ns: i64,
        key: FlowKey,
        orig: Endpoint,
        resp: Endpoint,
        dest_kind: DestKind,
        tcp: Option<TcpConn>,
    ) -> Flow {
        Flow {
            key,
            last_ts_ns: ts_ns,
            orig_is_lo: orig == key.lo,
            dest_kind,
            packets: [0; 2],
            bytes: [0; 2],
            payload_bytes: [0; 2],
            macs: [None; 2],
            id,
            orig,
            resp,
            first_ts_ns: ts_ns,
            tcp,
            history: String::new(),
            icmp_errors: Vec::new(),
            icmp_error_count: 0,
            quoted_only: false,
            evicted: false,
            detect: None,
        }
    }

    /// A placeholder for a free flow-table slot (allocates nothing).
    fn vacant() -> Flow {
        let nowhere = Endpoint {
            ip: IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
            port: 0,
        };
        let key = FlowKey {
            vlan: 0,
            transport: Transport::Other(0),
            lo: nowhere,
            hi: nowhere,
        };
        Flow::new(0, 0, key, nowhere, nowhere, DestKind::Unicast, None)
    }

    /// Moves the flow out, leaving a [`Flow::vacant`] placeholder.
    pub(crate) fn take(&mut self) -> Flow {
        std::mem::replace(self, Flow::vacant())
    }

    pub(crate) fn attach_icmp(&mut self, err: IcmpError) {
        self.icmp_error_count += 1;
        if self.icmp_errors.len() < ICMP_ERRORS_KEPT {
            self.icmp_errors.push(err);
        }
    }
}

/// The kind of destination of an endpoint: by its IP address, or for a
/// flow without IP by its MAC address (group bit, broadcast).
pub(crate) fn dest_kind_of(transport: Transport, e: &Endpoint) -> DestKind {
    match (transport, e.mac()) {
        (Transport::Ether(_), Some(m)) if m == [0xff; 6] => DestKind::Broadcast,
        (Transport::Ether(_), Some(m)) if m[0] & 1 == 1 => DestKind::Multicast,
        (Transport::Ether(_), _) => DestKind::Unicast,
        _ => dest_kind(e.ip),
    }
}

impl Flow {
    /// A flow without IP ([`Transport::Ether`]), keyed by MAC addresses.
    pub fn is_ether(&self) -> bool {
        self.key.transport.is_ether()
    }
}

/// The kind of destination of an address.
pub(crate) fn dest_kind(ip: IpAddr) -> DestKind {
    match ip {
        IpAddr::V4(a) if a.is_broadcast() => DestKind::Broadcast,
        IpAddr::V4(a) if a.is_multicast() => DestKind::Multicast,
        IpAddr::V6(a) if a.is_multicast() => DestKind::Multicast,
        _ => DestKind::Unicast,
    }
}

/// Appends a history letter once (UDP and other flows: first packet of a direction).
pub(crate) fn push_once(history: &mut String, c: char) {
    if !history.contains(c) && history.len() < tcp::HISTORY_CAP {
        history.push(c);
    }
}

#[cfg(test)]
mod tests;

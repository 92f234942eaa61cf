//! A decoded packet reduced to its flow key and the few facts the flow stage needs.

use portmatrix_wire::{Net, PacketFacts, Transport as WireTransport};

use super::{Endpoint, FlowKey, IcmpError, Segment, Transport};

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
    /// What a content detector's probe saw in the payload.
    pub sample: Option<crate::detect::Tagged>,
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
            sample: probe(facts),
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
pub fn route(facts: &PacketFacts<'_>, ts_ns: i64) -> Option<Routed> {
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
                ack_no: t.acknowledgment_number,
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

/// The flow key of a frame without IP that a content detector recognised
/// (`info.sample`, e.g. PTP over Ethernet): keyed by EtherType and the two
/// MAC addresses ([`Endpoint::of_mac`]). `None` for every other frame, so
/// ARP, LLDP, spanning tree and the like stay out of the flow table.
#[inline]
pub fn route_ether(facts: &PacketFacts<'_>, info: &PacketInfo) -> Option<Routed> {
    info.sample?;
    let Net::Other { ether_type } = facts.net else {
        return None;
    };
    let (src, dst) = (facts.src_mac?, facts.dst_mac?);
    let (key, src_is_lo) = FlowKey::new(
        vlan_key(facts),
        Transport::Ether(ether_type),
        Endpoint::of_mac(src),
        Endpoint::of_mac(dst),
    );
    Some(Routed::Packet {
        key,
        src_is_lo,
        tcp: None,
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
pub(crate) fn icmp_ports(v6: bool, icmp_type: u8, code: u8, identifier: u16) -> (u16, u16) {
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

fn icmp_is_reply(facts: &PacketFacts<'_>) -> bool {
    match &facts.transport {
        WireTransport::Icmpv4(i) => matches!(i.icmp_type, 0 | 14 | 16 | 18),
        WireTransport::Icmpv6(i) => i.icmp_type == 129,
        _ => false,
    }
}

/// Runs the content detectors' probes on the packet's payload.
#[inline]
fn probe(facts: &PacketFacts<'_>) -> Option<crate::detect::Tagged> {
    let (transport, src_port, dst_port) = match &facts.transport {
        WireTransport::Udp(u) => (Transport::Udp, u.source_port, u.destination_port),
        WireTransport::Tcp(t) => (Transport::Tcp, t.source_port, t.destination_port),
        WireTransport::None => match facts.net {
            Net::Other { ether_type } => (Transport::Ether(ether_type), 0, 0),
            _ => return None,
        },
        _ => return None,
    };
    crate::detect::probe(&crate::detect::Probe {
        transport,
        src_port,
        dst_port,
        payload: facts.payload,
    })
}

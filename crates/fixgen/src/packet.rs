//! Network- and transport-layer packets, built with `pnet_packet`, each paired
//! with what a correct decoder must find in it.
//!
//! Every builder returns a [`Net`]: the bytes that follow the link-layer
//! header, the EtherType that announces them, and the facts (layer-3 and
//! layer-4 protocol, first malformed layer) known from the construction.
//! Those facts, not the output of any parser, become the expected results.

use std::net::{Ipv4Addr, Ipv6Addr};

use pnet_packet::arp::{ArpHardwareTypes, ArpOperation, MutableArpPacket};
use pnet_packet::ethernet::EtherTypes;
use pnet_packet::icmp::destination_unreachable::MutableDestinationUnreachablePacket;
use pnet_packet::icmp::echo_request::MutableEchoRequestPacket;
use pnet_packet::icmp::{self, IcmpCode, IcmpPacket, IcmpTypes};
use pnet_packet::icmpv6::{self, Icmpv6Code, Icmpv6Packet, Icmpv6Type, MutableIcmpv6Packet};
use pnet_packet::ip::{IpNextHeaderProtocol, IpNextHeaderProtocols};
use pnet_packet::ipv4::{self, Ipv4Flags, MutableIpv4Packet};
use pnet_packet::ipv6::{
    MutableExtensionPacket, MutableFragmentPacket, MutableIpv6Packet, MutableRoutingPacket,
};
use pnet_packet::tcp::{self, MutableTcpPacket, TcpOption, TcpPacket};
use pnet_packet::udp::{self, MutableUdpPacket, UdpPacket};
use pnet_packet::MutablePacket;

/// IP protocol numbers used below.
pub mod proto {
    pub const ICMP: u8 = 1;
    pub const IGMP: u8 = 2;
    pub const TCP: u8 = 6;
    pub const UDP: u8 = 17;
    pub const ICMPV6: u8 = 58;
}

/// Network-layer protocol as the summary names it (`protocols.l3`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum L3 {
    Ipv4,
    Ipv6,
    Arp,
    /// Neither IP nor ARP (plain LLC, other EtherTypes).
    Other,
}

impl L3 {
    pub const ALL: [L3; 4] = [L3::Ipv4, L3::Ipv6, L3::Arp, L3::Other];

    pub fn name(self) -> &'static str {
        match self {
            L3::Ipv4 => "ipv4",
            L3::Ipv6 => "ipv6",
            L3::Arp => "arp",
            L3::Other => "other",
        }
    }
}

/// Transport-layer protocol as the summary names it (`protocols.l4`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum L4 {
    Tcp,
    Udp,
    Icmp,
    /// ICMPv6 other than MLD.
    Icmpv6,
    Igmp,
    Mld,
    /// A non-first IP fragment: no transport header in it.
    Fragment,
    Other,
}

impl L4 {
    pub const ALL: [L4; 8] = [
        L4::Tcp,
        L4::Udp,
        L4::Icmp,
        L4::Icmpv6,
        L4::Igmp,
        L4::Mld,
        L4::Fragment,
        L4::Other,
    ];

    pub fn name(self) -> &'static str {
        match self {
            L4::Tcp => "tcp",
            L4::Udp => "udp",
            L4::Icmp => "icmp",
            L4::Icmpv6 => "icmpv6",
            L4::Igmp => "igmp",
            L4::Mld => "mld",
            L4::Fragment => "fragment",
            L4::Other => "other",
        }
    }
}

/// Decode layer names used in `malformed`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Layer {
    Link,
    Vlan,
    Ipv4,
    Ipv6,
    Tcp,
    Udp,
    Icmp,
    Icmpv6,
    Igmp,
    Mld,
}

impl Layer {
    pub const ALL: [Layer; 10] = [
        Layer::Link,
        Layer::Vlan,
        Layer::Ipv4,
        Layer::Ipv6,
        Layer::Tcp,
        Layer::Udp,
        Layer::Icmp,
        Layer::Icmpv6,
        Layer::Igmp,
        Layer::Mld,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Layer::Link => "link",
            Layer::Vlan => "vlan",
            Layer::Ipv4 => "ipv4",
            Layer::Ipv6 => "ipv6",
            Layer::Tcp => "tcp",
            Layer::Udp => "udp",
            Layer::Icmp => "icmp",
            Layer::Icmpv6 => "icmpv6",
            Layer::Igmp => "igmp",
            Layer::Mld => "mld",
        }
    }
}

/// What the construction says about one protocol layer of a packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Known<T> {
    /// The layer is this protocol.
    Is(T),
    /// The packet has no such layer.
    Absent,
    /// The construction cannot say how a decoder should count it (damaged
    /// packets); fixtures holding such a packet leave the count out.
    Unsure,
}

/// The bytes after the link-layer header, and what they are.
#[derive(Clone, Debug)]
pub struct Net {
    /// EtherType announcing these bytes (0 for non-Ethernet-II payloads).
    pub ethertype: u16,
    pub bytes: Vec<u8>,
    pub l3: Known<L3>,
    pub l4: Known<L4>,
    /// The first layer a decoder must find malformed (`Absent`: well formed).
    pub malformed: Known<Layer>,
    /// Octets of protocol headers (network and transport) at the front of
    /// `bytes`; a capture cut shorter than this leaves the protocols unsure.
    pub header_len: usize,
}

impl Net {
    /// `payload_len` trailing octets are application data, the rest headers.
    fn ip(ethertype: u16, bytes: Vec<u8>, l3: L3, l4: L4, payload_len: usize) -> Net {
        Net {
            ethertype,
            header_len: bytes.len() - payload_len,
            bytes,
            l3: Known::Is(l3),
            l4: Known::Is(l4),
            malformed: Known::Absent,
        }
    }
}

// ---------------------------------------------------------------------------
// IPv4

/// Header fields of an IPv4 datagram.
#[derive(Clone, Debug)]
pub struct Ip4 {
    pub src: Ipv4Addr,
    pub dst: Ipv4Addr,
    pub ttl: u8,
    pub id: u16,
    pub dscp: u8,
    pub df: bool,
    /// Raw option bytes, a multiple of 4 long.
    pub options: Vec<u8>,
    pub more_fragments: bool,
    /// Fragment offset in 8-octet units.
    pub frag_offset: u16,
}

impl Ip4 {
    pub fn new(src: [u8; 4], dst: [u8; 4]) -> Ip4 {
        Ip4 {
            src: Ipv4Addr::from(src),
            dst: Ipv4Addr::from(dst),
            ttl: 64,
            id: 0,
            dscp: 0,
            df: true,
            options: Vec::new(),
            more_fragments: false,
            frag_offset: 0,
        }
    }

    pub fn ttl(mut self, ttl: u8) -> Ip4 {
        self.ttl = ttl;
        self
    }

    pub fn id(mut self, id: u16) -> Ip4 {
        self.id = id;
        self
    }

    pub fn dscp(mut self, dscp: u8) -> Ip4 {
        self.dscp = dscp;
        self
    }

    pub fn df(mut self, df: bool) -> Ip4 {
        self.df = df;
        self
    }

    /// Adds the Router Alert option (RFC 2113), which IGMPv2/v3 messages carry.
    pub fn router_alert(mut self) -> Ip4 {
        self.options.extend_from_slice(&[0x94, 0x04, 0x00, 0x00]);
        self
    }

    pub fn options(mut self, options: &[u8]) -> Ip4 {
        self.options.extend_from_slice(options);
        self
    }

    fn fragment(mut self, more: bool, offset_units: u16) -> Ip4 {
        self.df = false;
        self.more_fragments = more;
        self.frag_offset = offset_units;
        self
    }
}

/// A complete IPv4 datagram with a correct header checksum.
pub fn ipv4_datagram(h: &Ip4, protocol: u8, payload: &[u8]) -> Vec<u8> {
    assert!(h.options.len() % 4 == 0 && h.options.len() <= 40);
    let header_len = 20 + h.options.len();
    let total = header_len + payload.len();
    let mut buf = vec![0u8; total];
    let mut p = MutableIpv4Packet::new(&mut buf).expect("buffer holds an IPv4 header");
    p.set_version(4);
    p.set_header_length((header_len / 4) as u8);
    p.set_dscp(h.dscp);
    p.set_ecn(0);
    p.set_total_length(u16::try_from(total).expect("datagram fits in 64 KiB"));
    p.set_identification(h.id);
    let mut flags = 0;
    if h.df {
        flags |= Ipv4Flags::DontFragment;
    }
    if h.more_fragments {
        flags |= Ipv4Flags::MoreFragments;
    }
    p.set_flags(flags);
    p.set_fragment_offset(h.frag_offset);
    p.set_ttl(h.ttl);
    p.set_next_level_protocol(IpNextHeaderProtocol(protocol));
    p.set_source(h.src);
    p.set_destination(h.dst);
    // pnet's typed option setter needs `Ipv4Option` values whose fields are
    // private, so the (already encoded) options are copied in place.
    p.packet_mut()[20..header_len].copy_from_slice(&h.options);
    p.set_payload(payload);
    let sum = ipv4::checksum(&p.to_immutable());
    p.set_checksum(sum);
    buf
}

fn v4_net(bytes: Vec<u8>, l4: L4, payload_len: usize) -> Net {
    Net::ip(EtherTypes::Ipv4.0, bytes, L3::Ipv4, l4, payload_len)
}

/// A UDP datagram (header + payload) with its checksum over the IPv4 pseudo header.
pub fn udp4_segment(src: Ipv4Addr, dst: Ipv4Addr, sport: u16, dport: u16, data: &[u8]) -> Vec<u8> {
    udp_segment(sport, dport, data, |p| udp::ipv4_checksum(p, &src, &dst))
}

/// A UDP datagram with its checksum over the IPv6 pseudo header.
pub fn udp6_segment(src: Ipv6Addr, dst: Ipv6Addr, sport: u16, dport: u16, data: &[u8]) -> Vec<u8> {
    udp_segment(sport, dport, data, |p| udp::ipv6_checksum(p, &src, &dst))
}

/// A UDP datagram whose checksum `sum` computes (over the pseudo header of
/// the IP version carrying it).
fn udp_segment(
    sport: u16,
    dport: u16,
    data: &[u8],
    sum: impl Fn(&UdpPacket<'_>) -> u16,
) -> Vec<u8> {
    let len = 8 + data.len();
    let mut buf = vec![0u8; len];
    let mut p = MutableUdpPacket::new(&mut buf).expect("buffer holds a UDP header");
    p.set_source(sport);
    p.set_destination(dport);
    p.set_length(u16::try_from(len).expect("UDP datagram fits in 64 KiB"));
    p.set_payload(data);
    let sum = sum(&p.to_immutable());
    p.set_checksum(sum);
    buf
}

/// UDP over IPv4.
pub fn udp4(h: &Ip4, sport: u16, dport: u16, data: &[u8]) -> Net {
    let seg = udp4_segment(h.src, h.dst, sport, dport, data);
    v4_net(ipv4_datagram(h, proto::UDP, &seg), L4::Udp, data.len())
}

/// TCP flag bits.
pub mod flags {
    use pnet_packet::tcp::TcpFlags;
    pub const FIN: u8 = TcpFlags::FIN;
    pub const SYN: u8 = TcpFlags::SYN;
    pub const RST: u8 = TcpFlags::RST;
    pub const PSH: u8 = TcpFlags::PSH;
    pub const ACK: u8 = TcpFlags::ACK;
}

/// One TCP segment's header fields and payload.
#[derive(Clone, Debug)]
pub struct Seg<'a> {
    pub sport: u16,
    pub dport: u16,
    pub seq: u32,
    pub ack: u32,
    pub flags: u8,
    pub window: u16,
    /// Adds MSS 1460, SACK permitted and window scale 7, as SYNs carry them.
    pub syn_options: bool,
    pub data: &'a [u8],
}

impl<'a> Seg<'a> {
    pub fn new(sport: u16, dport: u16, seq: u32, ack: u32, flags: u8) -> Seg<'a> {
        Seg {
            sport,
            dport,
            seq,
            ack,
            flags,
            // A SYN offers 64240 octets unscaled; later segments carry the
            // same offer scaled by the window-scale option (2^7).
            window: if flags & self::flags::SYN != 0 {
                64240
            } else {
                502
            },
            syn_options: flags & self::flags::SYN != 0,
            data: &[],
        }
    }

    pub fn window(mut self, window: u16) -> Seg<'a> {
        self.window = window;
        self
    }

    pub fn data(mut self, data: &'a [u8]) -> Seg<'a> {
        self.data = data;
        self
    }
}

/// A TCP segment whose checksum `sum` computes (over the pseudo header of
/// the IP version carrying it).
fn tcp_segment(s: &Seg<'_>, sum: impl Fn(&TcpPacket<'_>) -> u16) -> Vec<u8> {
    let options: Vec<TcpOption> = if s.syn_options {
        vec![
            TcpOption::mss(1460),
            TcpOption::sack_perm(),
            TcpOption::nop(),
            TcpOption::wscale(7),
        ]
    } else {
        Vec::new()
    };
    // mss 4 + sack_perm 2 + nop 1 + wscale 3 = 10, padded to 12 with NOPs
    // written as zero bytes (end of option list).
    let opt_len = if s.syn_options { 12 } else { 0 };
    let header_len = 20 + opt_len;
    let mut buf = vec![0u8; header_len + s.data.len()];
    let mut p = MutableTcpPacket::new(&mut buf).expect("buffer holds a TCP header");
    p.set_source(s.sport);
    p.set_destination(s.dport);
    p.set_sequence(s.seq);
    p.set_acknowledgement(s.ack);
    p.set_data_offset((header_len / 4) as u8);
    p.set_flags(s.flags);
    p.set_window(s.window);
    p.set_urgent_ptr(0);
    if !options.is_empty() {
        p.set_options(&options);
    }
    p.set_payload(s.data);
    let sum = sum(&p.to_immutable());
    p.set_checksum(sum);
    buf
}

/// A TCP segment with its checksum over the IPv4 pseudo header.
pub fn tcp4_segment(src: Ipv4Addr, dst: Ipv4Addr, s: &Seg<'_>) -> Vec<u8> {
    tcp_segment(s, |p| tcp::ipv4_checksum(p, &src, &dst))
}

/// A TCP segment with its checksum over the IPv6 pseudo header.
pub fn tcp6_segment(src: Ipv6Addr, dst: Ipv6Addr, s: &Seg<'_>) -> Vec<u8> {
    tcp_segment(s, |p| tcp::ipv6_checksum(p, &src, &dst))
}

/// TCP over IPv4.
pub fn tcp4(h: &Ip4, s: &Seg<'_>) -> Net {
    let seg = tcp4_segment(h.src, h.dst, s);
    v4_net(ipv4_datagram(h, proto::TCP, &seg), L4::Tcp, s.data.len())
}

/// ICMP echo request (`request`) or reply.
pub fn icmp4_echo(h: &Ip4, request: bool, ident: u16, seq: u16, data: &[u8]) -> Net {
    let mut buf = vec![0u8; 8 + data.len()];
    // Request and reply share one layout (RFC 792), so pnet's request view
    // writes both; only the type differs.
    let mut p = MutableEchoRequestPacket::new(&mut buf).expect("echo message fits");
    p.set_icmp_type(if request {
        IcmpTypes::EchoRequest
    } else {
        IcmpTypes::EchoReply
    });
    p.set_icmp_code(IcmpCode(0));
    p.set_identifier(ident);
    p.set_sequence_number(seq);
    p.set_payload(data);
    set_icmp_checksum(&mut buf);
    v4_net(ipv4_datagram(h, proto::ICMP, &buf), L4::Icmp, data.len())
}

fn set_icmp_checksum(buf: &mut [u8]) {
    let sum = icmp::checksum(&IcmpPacket::new(buf).expect("ICMP header present"));
    buf[2..4].copy_from_slice(&sum.to_be_bytes());
}

/// ICMP destination unreachable (type 3) with `code`, quoting the IP header
/// and first 8 octets of `original` (RFC 792).
pub fn icmp4_unreachable(h: &Ip4, code: u8, original: &[u8]) -> Net {
    let ihl = usize::from(original[0] & 0x0F) * 4;
    let quoted = &original[..(ihl + 8).min(original.len())];
    let mut buf = vec![0u8; 8 + quoted.len()];
    let mut p = MutableDestinationUnreachablePacket::new(&mut buf).expect("ICMP header fits");
    p.set_icmp_type(IcmpTypes::DestinationUnreachable);
    p.set_icmp_code(IcmpCode(code));
    p.set_unused(0);
    p.set_next_hop_mtu(0);
    p.set_payload(quoted);
    set_icmp_checksum(&mut buf);
    v4_net(ipv4_datagram(h, proto::ICMP, &buf), L4::Icmp, quoted.len())
}

/// An IGMP message (`msg`, checksum field zero) over IPv4; the checksum is filled in.
pub fn igmp4(h: &Ip4, msg: &[u8]) -> Net {
    let mut msg = msg.to_vec();
    msg[2] = 0;
    msg[3] = 0;
    let sum = pnet_packet::util::checksum(&msg, 1);
    msg[2..4].copy_from_slice(&sum.to_be_bytes());
    v4_net(ipv4_datagram(h, proto::IGMP, &msg), L4::Igmp, 0)
}

/// IGMP message bodies (RFC 1112, 2236, 3376), checksum left zero.
pub mod igmp {
    pub fn v1_report(group: [u8; 4]) -> Vec<u8> {
        let mut m = vec![0x12, 0, 0, 0];
        m.extend_from_slice(&group);
        m
    }

    pub fn v2_report(group: [u8; 4]) -> Vec<u8> {
        let mut m = vec![0x16, 0, 0, 0];
        m.extend_from_slice(&group);
        m
    }

    pub fn v2_leave(group: [u8; 4]) -> Vec<u8> {
        let mut m = vec![0x17, 0, 0, 0];
        m.extend_from_slice(&group);
        m
    }

    /// v2 general query (group 0) or group-specific query; max resp in 1/10 s.
    pub fn v2_query(max_resp: u8, group: [u8; 4]) -> Vec<u8> {
        let mut m = vec![0x11, max_resp, 0, 0];
        m.extend_from_slice(&group);
        m
    }

    /// v3 query: S=0, QRV 2, QQIC 125 s, with `sources`.
    pub fn v3_query(max_resp: u8, group: [u8; 4], sources: &[[u8; 4]]) -> Vec<u8> {
        let mut m = vec![0x11, max_resp, 0, 0];
        m.extend_from_slice(&group);
        m.push(0x02);
        m.push(125);
        m.extend_from_slice(&(sources.len() as u16).to_be_bytes());
        for s in sources {
            m.extend_from_slice(s);
        }
        m
    }

    /// Group record types of an IGMPv3 report.
    pub const MODE_IS_INCLUDE: u8 = 1;
    pub const MODE_IS_EXCLUDE: u8 = 2;
    pub const CHANGE_TO_INCLUDE: u8 = 3;
    pub const CHANGE_TO_EXCLUDE: u8 = 4;
    pub const ALLOW_NEW_SOURCES: u8 = 5;

    /// One IGMPv3 group record: record type, multicast address, sources.
    pub type GroupRecord<'a> = (u8, [u8; 4], &'a [[u8; 4]]);

    /// v3 report with one group record per `(record type, group, sources)`.
    pub fn v3_report(records: &[GroupRecord<'_>]) -> Vec<u8> {
        let mut m = vec![0x22, 0, 0, 0, 0, 0];
        m.extend_from_slice(&(records.len() as u16).to_be_bytes());
        for (kind, group, sources) in records {
            m.push(*kind);
            m.push(0);
            m.extend_from_slice(&(sources.len() as u16).to_be_bytes());
            m.extend_from_slice(group);
            for s in sources.iter() {
                m.extend_from_slice(s);
            }
        }
        m
    }
}

/// Splits a UDP datagram over IPv4 into fragments of at most `chunk`
/// octets of IP payload (a multiple of 8). The first fragment carries the
/// UDP header; later ones carry only data.
pub fn udp4_fragments(h: &Ip4, sport: u16, dport: u16, data: &[u8], chunk: usize) -> Vec<Net> {
    let seg = udp4_segment(h.src, h.dst, sport, dport, data);
    udp_fragments(&seg, chunk, v4_net, |offset_units, more, piece| {
        let fh = h.clone().fragment(more, offset_units);
        ipv4_datagram(&fh, proto::UDP, piece)
    })
}

/// Cuts the UDP datagram `seg` (header + data) into pieces of at most
/// `chunk` octets (a multiple of 8) and wraps each with
/// `packet(offset in 8-octet units, more fragments, piece)`; only the first
/// fragment holds the UDP header.
fn udp_fragments(
    seg: &[u8],
    chunk: usize,
    net: fn(Vec<u8>, L4, usize) -> Net,
    packet: impl Fn(u16, bool, &[u8]) -> Vec<u8>,
) -> Vec<Net> {
    assert!(chunk % 8 == 0 && chunk >= 8);
    let pieces: Vec<&[u8]> = seg.chunks(chunk).collect();
    let last = pieces.len() - 1;
    pieces
        .iter()
        .enumerate()
        .map(|(i, piece)| {
            let bytes = packet((i * chunk / 8) as u16, i != last, piece);
            let (l4, payload) = if i == 0 {
                (L4::Udp, piece.len() - 8)
            } else {
                (L4::Fragment, piece.len())
            };
            net(bytes, l4, payload)
        })
        .collect()
}

// ---------------------------------------------------------------------------
// IPv6

/// An IPv6 extension header placed between the fixed header and the payload.
#[derive(Clone, Debug)]
pub enum Ext {
    /// Hop-by-hop options; the option bytes must make the header a multiple of 8.
    HopByHop(Vec<u8>),
    /// Routing header of `routing_type` with `segments_left` and type-specific data.
    Routing {
        routing_type: u8,
        segments_left: u8,
        data: Vec<u8>,
    },
    /// Fragment header: offset in 8-octet units, M flag, identification.
    Fragment {
        offset_units: u16,
        more: bool,
        id: u32,
    },
}

/// Header fields of an IPv6 packet.
#[derive(Clone, Debug)]
pub struct Ip6 {
    pub src: Ipv6Addr,
    pub dst: Ipv6Addr,
    pub hop_limit: u8,
    pub traffic_class: u8,
    pub flow_label: u32,
    pub ext: Vec<Ext>,
}

impl Ip6 {
    pub fn new(src: &str, dst: &str) -> Ip6 {
        Ip6 {
            src: src.parse().expect("valid IPv6 literal"),
            dst: dst.parse().expect("valid IPv6 literal"),
            hop_limit: 64,
            traffic_class: 0,
            flow_label: 0,
            ext: Vec::new(),
        }
    }

    pub fn hop_limit(mut self, hop_limit: u8) -> Ip6 {
        self.hop_limit = hop_limit;
        self
    }

    pub fn ext(mut self, ext: Ext) -> Ip6 {
        self.ext.push(ext);
        self
    }

    /// Hop-by-hop header holding the Router Alert option for MLD (RFC 2711)
    /// and a PadN to 8 octets.
    pub fn mld_router_alert(self) -> Ip6 {
        self.ext(Ext::HopByHop(vec![0x05, 0x02, 0x00, 0x00, 0x01, 0x00]))
    }
}

/// A complete IPv6 packet: fixed header, extension chain, upper-layer payload.
pub fn ipv6_packet(h: &Ip6, upper: u8, payload: &[u8]) -> Vec<u8> {
    let mut chain: Vec<u8> = Vec::new();
    for (i, ext) in h.ext.iter().enumerate() {
        let next = match h.ext.get(i + 1) {
            Some(e) => ext_number(e),
            None => upper,
        };
        chain.extend_from_slice(&ext_bytes(ext, next));
    }
    let first = h.ext.first().map_or(upper, ext_number);
    let plen = chain.len() + payload.len();
    let mut buf = vec![0u8; 40 + plen];
    let mut p = MutableIpv6Packet::new(&mut buf).expect("buffer holds an IPv6 header");
    p.set_version(6);
    p.set_traffic_class(h.traffic_class);
    p.set_flow_label(h.flow_label);
    p.set_payload_length(u16::try_from(plen).expect("payload fits in 64 KiB"));
    p.set_next_header(IpNextHeaderProtocol(first));
    p.set_hop_limit(h.hop_limit);
    p.set_source(h.src);
    p.set_destination(h.dst);
    let mut body = chain;
    body.extend_from_slice(payload);
    p.set_payload(&body);
    buf
}

fn ext_number(e: &Ext) -> u8 {
    match e {
        Ext::HopByHop(_) => IpNextHeaderProtocols::Hopopt.0,
        Ext::Routing { .. } => IpNextHeaderProtocols::Ipv6Route.0,
        Ext::Fragment { .. } => IpNextHeaderProtocols::Ipv6Frag.0,
    }
}

fn ext_bytes(e: &Ext, next: u8) -> Vec<u8> {
    match e {
        Ext::HopByHop(options) => {
            let len = 2 + options.len();
            assert!(len % 8 == 0, "hop-by-hop header must be a multiple of 8");
            let mut buf = vec![0u8; len];
            let mut p = MutableExtensionPacket::new(&mut buf).expect("extension fits");
            p.set_next_header(IpNextHeaderProtocol(next));
            p.set_hdr_ext_len((len / 8 - 1) as u8);
            p.set_options(options);
            buf
        }
        Ext::Routing {
            routing_type,
            segments_left,
            data,
        } => {
            let len = 4 + data.len();
            assert!(len % 8 == 0, "routing header must be a multiple of 8");
            let mut buf = vec![0u8; len];
            let mut p = MutableRoutingPacket::new(&mut buf).expect("routing header fits");
            p.set_next_header(IpNextHeaderProtocol(next));
            p.set_hdr_ext_len((len / 8 - 1) as u8);
            p.set_routing_type(*routing_type);
            p.set_segments_left(*segments_left);
            p.set_data(data);
            buf
        }
        Ext::Fragment {
            offset_units,
            more,
            id,
        } => {
            let mut buf = vec![0u8; 8];
            let mut p = MutableFragmentPacket::new(&mut buf).expect("fragment header fits");
            p.set_next_header(IpNextHeaderProtocol(next));
            p.set_reserved(0);
            p.set_fragment_offset_with_flags((offset_units << 3) | u16::from(*more));
            p.set_id(*id);
            buf
        }
    }
}

fn v6_net(bytes: Vec<u8>, l4: L4, payload_len: usize) -> Net {
    Net::ip(EtherTypes::Ipv6.0, bytes, L3::Ipv6, l4, payload_len)
}

/// UDP over IPv6.
pub fn udp6(h: &Ip6, sport: u16, dport: u16, data: &[u8]) -> Net {
    let seg = udp6_segment(h.src, h.dst, sport, dport, data);
    v6_net(ipv6_packet(h, proto::UDP, &seg), L4::Udp, data.len())
}

/// TCP over IPv6.
pub fn tcp6(h: &Ip6, s: &Seg<'_>) -> Net {
    let seg = tcp6_segment(h.src, h.dst, s);
    v6_net(ipv6_packet(h, proto::TCP, &seg), L4::Tcp, s.data.len())
}

fn icmpv6_message(h: &Ip6, kind: u8, code: u8, body: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; 4 + body.len()];
    let mut p = MutableIcmpv6Packet::new(&mut buf).expect("ICMPv6 header fits");
    p.set_icmpv6_type(Icmpv6Type(kind));
    p.set_icmpv6_code(Icmpv6Code(code));
    p.set_payload(body);
    let sum = icmpv6::checksum(&Icmpv6Packet::new(&buf).expect("ICMPv6"), &h.src, &h.dst);
    buf[2..4].copy_from_slice(&sum.to_be_bytes());
    buf
}

/// ICMPv6 destination unreachable (type 1) with `code`, quoting as much of
/// `original` as the minimum MTU allows (RFC 4443 §3.1).
pub fn icmp6_unreachable(h: &Ip6, code: u8, original: &[u8]) -> Net {
    let quoted = &original[..original.len().min(1280 - 48)];
    let mut body = vec![0u8; 4];
    body.extend_from_slice(quoted);
    let msg = icmpv6_message(h, 1, code, &body);
    v6_net(
        ipv6_packet(h, proto::ICMPV6, &msg),
        L4::Icmpv6,
        quoted.len(),
    )
}

/// ICMPv6 echo request or reply.
pub fn icmp6_echo(h: &Ip6, request: bool, ident: u16, seq: u16, data: &[u8]) -> Net {
    let mut body = Vec::with_capacity(4 + data.len());
    body.extend_from_slice(&ident.to_be_bytes());
    body.extend_from_slice(&seq.to_be_bytes());
    body.extend_from_slice(data);
    let kind = if request { 128 } else { 129 };
    let msg = icmpv6_message(h, kind, 0, &body);
    v6_net(ipv6_packet(h, proto::ICMPV6, &msg), L4::Icmpv6, data.len())
}

/// MLDv1 report (type 131) for `group` (RFC 2710); `h` should carry the
/// hop-by-hop Router Alert.
pub fn mld_v1_report(h: &Ip6, group: &str) -> Net {
    let group: Ipv6Addr = group.parse().expect("valid IPv6 group");
    let mut body = vec![0u8; 4]; // max response delay, reserved
    body.extend_from_slice(&group.octets());
    let msg = icmpv6_message(h, 131, 0, &body);
    v6_net(ipv6_packet(h, proto::ICMPV6, &msg), L4::Mld, 0)
}

/// MLDv2 report (type 143, RFC 3810) with `(record type, group, sources)` records.
pub fn mld_v2_report(h: &Ip6, records: &[(u8, &str, &[&str])]) -> Net {
    let mut body = vec![0u8, 0];
    body.extend_from_slice(&(records.len() as u16).to_be_bytes());
    for (kind, group, sources) in records {
        body.push(*kind);
        body.push(0);
        body.extend_from_slice(&(sources.len() as u16).to_be_bytes());
        let g: Ipv6Addr = group.parse().expect("valid IPv6 group");
        body.extend_from_slice(&g.octets());
        for s in sources.iter() {
            let a: Ipv6Addr = s.parse().expect("valid IPv6 source");
            body.extend_from_slice(&a.octets());
        }
    }
    let msg = icmpv6_message(h, 143, 0, &body);
    v6_net(ipv6_packet(h, proto::ICMPV6, &msg), L4::Mld, 0)
}

/// A UDP datagram over IPv6 cut into fragments (RFC 8200 §4.5): the
/// unfragmentable part (`h.ext`) repeats in each, followed by a Fragment
/// header; only the first fragment holds the UDP header.
pub fn udp6_fragments(
    h: &Ip6,
    id: u32,
    sport: u16,
    dport: u16,
    data: &[u8],
    chunk: usize,
) -> Vec<Net> {
    let seg = udp6_segment(h.src, h.dst, sport, dport, data);
    udp_fragments(&seg, chunk, v6_net, |offset_units, more, piece| {
        let fh = h.clone().ext(Ext::Fragment {
            offset_units,
            more,
            id,
        });
        ipv6_packet(&fh, proto::UDP, piece)
    })
}

// ---------------------------------------------------------------------------
// ARP and non-IP

/// An ARP request (`op` 1) or reply (2) for IPv4 over Ethernet.
pub fn arp(op: u16, sha: [u8; 6], spa: [u8; 4], tha: [u8; 6], tpa: [u8; 4]) -> Net {
    let mut buf = vec![0u8; 28];
    let mut p = MutableArpPacket::new(&mut buf).expect("ARP fits");
    p.set_hardware_type(ArpHardwareTypes::Ethernet);
    p.set_protocol_type(EtherTypes::Ipv4);
    p.set_hw_addr_len(6);
    p.set_proto_addr_len(4);
    p.set_operation(ArpOperation(op));
    p.set_sender_hw_addr(sha.into());
    p.set_sender_proto_addr(Ipv4Addr::from(spa));
    p.set_target_hw_addr(tha.into());
    p.set_target_proto_addr(Ipv4Addr::from(tpa));
    Net {
        ethertype: EtherTypes::Arp.0,
        bytes: buf,
        l3: Known::Is(L3::Arp),
        l4: Known::Absent,
        malformed: Known::Absent,
        header_len: 28,
    }
}

// ---------------------------------------------------------------------------
// Deliberately malformed IP

/// An IPv4 datagram whose IHL field says 4 (16 octets), below the minimum of 5.
pub fn ipv4_ihl_below_five(h: &Ip4, sport: u16, dport: u16, data: &[u8]) -> Net {
    let mut n = udp4(h, sport, dport, data);
    n.bytes[0] = 0x44;
    ipv4_header_fault(n)
}

/// An IPv4 datagram whose total length (12) is below its header length (20).
pub fn ipv4_total_length_below_header(h: &Ip4, sport: u16, dport: u16, data: &[u8]) -> Net {
    let mut n = udp4(h, sport, dport, data);
    n.bytes[2..4].copy_from_slice(&12u16.to_be_bytes());
    ipv4_header_fault(n)
}

/// `n` after a field of its 20-octet IPv4 header was spoiled: the header
/// checksum is recomputed so that field is the only fault, and a decoder
/// must call the IPv4 layer malformed (what follows it is then unsure).
fn ipv4_header_fault(mut n: Net) -> Net {
    refresh_ipv4_checksum(&mut n.bytes, 20);
    n.l3 = Known::Unsure;
    n.l4 = Known::Unsure;
    n.malformed = Known::Is(Layer::Ipv4);
    n
}

/// A TCP segment whose data offset says 4 words, below the minimum of 5.
pub fn tcp_data_offset_below_five(h: &Ip4, s: &Seg<'_>) -> Net {
    let mut n = tcp4(h, s);
    let ihl = usize::from(n.bytes[0] & 0x0F) * 4;
    n.bytes[ihl + 12] = (4 << 4) | (n.bytes[ihl + 12] & 0x0F);
    // The checksum is recomputed over the altered header so that the data
    // offset is the only fault.
    n.bytes[ihl + 16] = 0;
    n.bytes[ihl + 17] = 0;
    let sum = pnet_packet::util::ipv4_checksum(
        &n.bytes[ihl..],
        8,
        &[],
        &h.src,
        &h.dst,
        IpNextHeaderProtocols::Tcp,
    );
    n.bytes[ihl + 16..ihl + 18].copy_from_slice(&sum.to_be_bytes());
    n.l4 = Known::Unsure;
    n.malformed = Known::Is(Layer::Tcp);
    n
}

fn refresh_ipv4_checksum(bytes: &mut [u8], header_len: usize) {
    bytes[10] = 0;
    bytes[11] = 0;
    let sum = pnet_packet::util::checksum(&bytes[..header_len], 5);
    bytes[10..12].copy_from_slice(&sum.to_be_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use pnet_packet::ipv4::Ipv4Packet;
    use pnet_packet::tcp::TcpPacket;
    use pnet_packet::udp::UdpPacket;
    use pnet_packet::Packet;

    #[test]
    fn udp4_checksums_verify() {
        let h = Ip4::new([10, 0, 0, 1], [10, 0, 0, 2]);
        let n = udp4(&h, 1000, 53, b"abc");
        let ip = Ipv4Packet::new(&n.bytes).unwrap();
        assert_eq!(ipv4::checksum(&ip), ip.get_checksum());
        assert_eq!(pnet_packet::util::checksum(&n.bytes[..20], 99), 0);
        let u = UdpPacket::new(ip.payload()).unwrap();
        assert_eq!(udp::ipv4_checksum(&u, &h.src, &h.dst), u.get_checksum());
        assert_eq!(u.get_length(), 11);
    }

    #[test]
    fn syn_has_twelve_option_octets() {
        let h = Ip4::new([10, 0, 0, 1], [10, 0, 0, 2]);
        let n = tcp4(&h, &Seg::new(40000, 80, 7, 0, flags::SYN));
        let ip = Ipv4Packet::new(&n.bytes).unwrap();
        let t = TcpPacket::new(ip.payload()).unwrap();
        assert_eq!(t.get_data_offset(), 8);
        assert_eq!(&t.packet()[20..24], &[2, 4, 0x05, 0xB4]);
    }

    #[test]
    fn ipv4_options_extend_header() {
        let h = Ip4::new([10, 0, 0, 1], [224, 0, 0, 22]).router_alert();
        let n = igmp4(&h, &igmp::v2_report([239, 1, 1, 1]));
        assert_eq!(n.bytes[0], 0x46);
        assert_eq!(&n.bytes[20..24], &[0x94, 0x04, 0, 0]);
        assert_eq!(pnet_packet::util::checksum(&n.bytes[24..], 99), 0);
    }

    #[test]
    fn fragments_cover_the_datagram() {
        let h = Ip4::new([10, 0, 0, 1], [10, 0, 0, 2]).id(7);
        let data = [0x55u8; 100];
        let f = udp4_fragments(&h, 5000, 6000, &data, 48);
        assert_eq!(f.len(), 3);
        let sizes: Vec<usize> = f.iter().map(|n| n.bytes.len() - 20).collect();
        assert_eq!(sizes, vec![48, 48, 12]);
        assert_eq!(
            u16::from_be_bytes([f[1].bytes[6], f[1].bytes[7]]),
            0x2000 | 6
        );
        assert_eq!(u16::from_be_bytes([f[2].bytes[6], f[2].bytes[7]]), 12);
    }

    #[test]
    fn ipv6_chain_links_next_headers() {
        let h = Ip6::new("2001:db8::1", "2001:db8::2")
            .ext(Ext::HopByHop(vec![1, 4, 0, 0, 0, 0]))
            .ext(Ext::Routing {
                routing_type: 0,
                segments_left: 0,
                data: vec![0; 20],
            });
        let n = udp6(&h, 1, 2, b"x");
        assert_eq!(n.bytes[6], 0);
        assert_eq!(n.bytes[40], 43);
        assert_eq!(n.bytes[48], 17);
        assert_eq!(n.bytes[49], 2);
        assert_eq!(
            u16::from_be_bytes([n.bytes[4], n.bytes[5]]) as usize,
            8 + 24 + 9
        );
    }
}

//! Frame builders on top of `pnet_packet`: the bytes the tests feed to the
//! decoder come from a different library than the one that parses them.
//! IGMP and MLD, which pnet does not model, are laid out by hand from the
//! RFC figures and wrapped in pnet-built IP headers.

use std::net::{Ipv4Addr, Ipv6Addr};

use pnet_packet::arp::{ArpHardwareType, ArpOperation, MutableArpPacket};
use pnet_packet::ethernet::{EtherType, MutableEthernetPacket};
use pnet_packet::icmp::{IcmpCode, IcmpType, MutableIcmpPacket};
use pnet_packet::icmpv6::{Icmpv6Code, Icmpv6Type, MutableIcmpv6Packet};
use pnet_packet::ip::IpNextHeaderProtocol;
use pnet_packet::ipv4::{self, Ipv4OptionNumber, MutableIpv4OptionPacket, MutableIpv4Packet};
use pnet_packet::ipv6::{MutableExtensionPacket, MutableFragmentPacket, MutableIpv6Packet};
use pnet_packet::sll::MutableSLLPacket;
use pnet_packet::sll2::MutableSLL2Packet;
use pnet_packet::tcp::{MutableTcpPacket, TcpOption};
use pnet_packet::udp::MutableUdpPacket;
use pnet_packet::vlan::{ClassOfService, MutableVlanPacket};

pub const MAC_A: [u8; 6] = [0x00, 0x1d, 0xc1, 0x0a, 0x0b, 0x0c];
pub const MAC_B: [u8; 6] = [0x00, 0x0e, 0xdd, 0x01, 0x02, 0x03];

/// Ethernet II / 802.3 header + payload, not padded.
pub fn ethernet(dst: [u8; 6], src: [u8; 6], type_or_len: u16, payload: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; 14 + payload.len()];
    let mut e = MutableEthernetPacket::new(&mut buf).unwrap();
    e.set_destination(dst.into());
    e.set_source(src.into());
    e.set_ethertype(EtherType(type_or_len));
    e.set_payload(payload);
    buf
}

/// One VLAN tag (TCI + inner EtherType) followed by `payload`; the TPID
/// belongs to the header in front.
pub fn vlan(pcp: u8, dei: u8, vid: u16, inner_type: u16, payload: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; 4 + payload.len()];
    let mut v = MutableVlanPacket::new(&mut buf).unwrap();
    v.set_priority_code_point(ClassOfService(pcp));
    v.set_drop_eligible_indicator(dei);
    v.set_vlan_identifier(vid);
    v.set_ethertype(EtherType(inner_type));
    v.set_payload(payload);
    buf
}

/// A tag stack: `tags` are (tpid, pcp, dei, vid), outer first.
pub fn tagged(
    dst: [u8; 6],
    src: [u8; 6],
    tags: &[(u16, u8, u8, u16)],
    ethertype: u16,
    payload: &[u8],
) -> Vec<u8> {
    let mut inner = payload.to_vec();
    for (i, &(_, pcp, dei, vid)) in tags.iter().enumerate().rev() {
        let next = tags.get(i + 1).map_or(ethertype, |t| t.0);
        inner = vlan(pcp, dei, vid, next, &inner);
    }
    let first = tags.first().map_or(ethertype, |t| t.0);
    ethernet(dst, src, first, &inner)
}

pub fn sll(packet_type: u16, arphrd: u16, addr: &[u8], protocol: u16, payload: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; 16 + payload.len()];
    let mut s = MutableSLLPacket::new(&mut buf).unwrap();
    s.set_packet_type(packet_type);
    s.set_link_layer_address_type(arphrd);
    s.set_link_layer_address_len(addr.len() as u16);
    let mut a = addr.to_vec();
    a.resize(8, 0);
    s.set_link_layer_address(&a);
    s.set_protocol(EtherType(protocol));
    s.set_payload(payload);
    buf
}

pub fn sll2(
    protocol: u16,
    ifindex: u32,
    arphrd: u16,
    packet_type: u8,
    addr: &[u8],
    payload: &[u8],
) -> Vec<u8> {
    let mut buf = vec![0u8; 20 + payload.len()];
    let mut s = MutableSLL2Packet::new(&mut buf).unwrap();
    s.set_protocol_type(EtherType(protocol));
    s.set_reserved(0);
    s.set_interface_index(ifindex);
    s.set_arphrd_type(arphrd);
    s.set_packet_type(packet_type);
    s.set_link_layer_address_length(addr.len() as u8);
    let mut a = addr.to_vec();
    a.resize(8, 0);
    s.set_link_layer_address(&a);
    s.set_payload(payload);
    buf
}

/// Everything an IPv4 header can vary in these tests.
#[derive(Clone, Debug)]
pub struct V4 {
    pub src: Ipv4Addr,
    pub dst: Ipv4Addr,
    pub protocol: u8,
    pub ttl: u8,
    pub id: u16,
    pub dscp: u8,
    pub ecn: u8,
    pub df: bool,
    pub mf: bool,
    pub frag_offset: u16,
    /// Router Alert options (RFC 2113), 4 octets each.
    pub router_alerts: usize,
    /// Extra no-operation options, padded with EOL to a 4-octet boundary.
    pub nops: usize,
    /// Total length override (None: header + payload).
    pub total_length: Option<u16>,
}

impl V4 {
    pub fn new(src: [u8; 4], dst: [u8; 4], protocol: u8) -> V4 {
        V4 {
            src: src.into(),
            dst: dst.into(),
            protocol,
            ttl: 64,
            id: 0x1234,
            dscp: 0,
            ecn: 0,
            df: false,
            mf: false,
            frag_offset: 0,
            router_alerts: 0,
            nops: 0,
            total_length: None,
        }
    }

    pub fn options_len(&self) -> usize {
        (self.router_alerts * 4 + self.nops).div_ceil(4) * 4
    }

    pub fn header_len(&self) -> usize {
        20 + self.options_len()
    }
}

pub fn ipv4(h: &V4, payload: &[u8]) -> Vec<u8> {
    let hl = h.header_len();
    let mut buf = vec![0u8; hl + payload.len()];
    {
        let mut p = MutableIpv4Packet::new(&mut buf).unwrap();
        p.set_version(4);
        p.set_header_length((hl / 4) as u8);
        p.set_dscp(h.dscp);
        p.set_ecn(h.ecn);
        p.set_total_length((hl + payload.len()) as u16);
        p.set_identification(h.id);
        p.set_flags((u8::from(h.df) << 1) | u8::from(h.mf));
        p.set_fragment_offset(h.frag_offset);
        p.set_ttl(h.ttl);
        p.set_next_level_protocol(IpNextHeaderProtocol(h.protocol));
        p.set_source(h.src);
        p.set_destination(h.dst);
        p.set_payload(payload);
        // pnet bounds the payload by the length field, so an override goes last.
        if let Some(tl) = h.total_length {
            p.set_total_length(tl);
        }
    }
    // Options, written through pnet's option view.
    let mut at = 20;
    for _ in 0..h.router_alerts {
        let mut o = MutableIpv4OptionPacket::new(&mut buf[at..at + 4]).unwrap();
        o.set_copied(1);
        o.set_class(0);
        o.set_number(Ipv4OptionNumber(20));
        o.set_length(&[4]);
        o.set_data(&[0, 0]);
        at += 4;
    }
    for _ in 0..h.nops {
        let mut o = MutableIpv4OptionPacket::new(&mut buf[at..at + 1]).unwrap();
        o.set_number(Ipv4OptionNumber(1));
        at += 1;
    }
    // Remaining option octets stay 0 = End of Option List.
    let cs = ipv4::checksum(&pnet_packet::ipv4::Ipv4Packet::new(&buf).unwrap());
    MutableIpv4Packet::new(&mut buf).unwrap().set_checksum(cs);
    buf
}

/// An IPv6 extension header to put between the fixed header and the payload.
#[derive(Clone, Copy, Debug)]
pub enum Ext {
    HopByHop { hdr_ext_len: u8 },
    DestOpts { hdr_ext_len: u8 },
    Fragment { offset: u16, more: bool, id: u32 },
}

impl Ext {
    pub fn code(self) -> u8 {
        match self {
            Ext::HopByHop { .. } => 0,
            Ext::DestOpts { .. } => 60,
            Ext::Fragment { .. } => 44,
        }
    }

    pub fn len(self) -> usize {
        match self {
            Ext::HopByHop { hdr_ext_len } | Ext::DestOpts { hdr_ext_len } => {
                8 + usize::from(hdr_ext_len) * 8
            }
            Ext::Fragment { .. } => 8,
        }
    }
}

#[derive(Clone, Debug)]
pub struct V6 {
    pub src: Ipv6Addr,
    pub dst: Ipv6Addr,
    pub protocol: u8,
    pub hop_limit: u8,
    pub traffic_class: u8,
    pub flow_label: u32,
    pub exts: Vec<Ext>,
    /// Payload length override (None: extensions + payload).
    pub payload_length: Option<u16>,
}

impl V6 {
    pub fn new(src: &str, dst: &str, protocol: u8) -> V6 {
        V6 {
            src: src.parse().unwrap(),
            dst: dst.parse().unwrap(),
            protocol,
            hop_limit: 64,
            traffic_class: 0,
            flow_label: 0,
            exts: Vec::new(),
            payload_length: None,
        }
    }

    pub fn exts_len(&self) -> usize {
        self.exts.iter().map(|e| e.len()).sum()
    }
}

pub fn ipv6(h: &V6, payload: &[u8]) -> Vec<u8> {
    // Build the extension chain inside out.
    let mut body = payload.to_vec();
    for (i, ext) in h.exts.iter().enumerate().rev() {
        let next = h.exts.get(i + 1).map_or(h.protocol, |e| e.code());
        let mut buf = vec![0u8; ext.len() + body.len()];
        match *ext {
            Ext::HopByHop { hdr_ext_len } | Ext::DestOpts { hdr_ext_len } => {
                let mut e = MutableExtensionPacket::new(&mut buf).unwrap();
                e.set_next_header(IpNextHeaderProtocol(next));
                e.set_hdr_ext_len(hdr_ext_len);
                // PadN option (RFC 8200 §4.2) filling the header.
                let pad = ext.len() - 2;
                let mut opts = vec![0u8; pad];
                opts[0] = 1;
                opts[1] = (pad - 2) as u8;
                e.set_options(&opts);
                let n = ext.len();
                buf[n..].copy_from_slice(&body);
            }
            Ext::Fragment { offset, more, id } => {
                let mut f = MutableFragmentPacket::new(&mut buf).unwrap();
                f.set_next_header(IpNextHeaderProtocol(next));
                f.set_fragment_offset_with_flags((offset << 3) | u16::from(more));
                f.set_id(id);
                buf[8..].copy_from_slice(&body);
            }
        }
        body = buf;
    }
    let first = h.exts.first().map_or(h.protocol, |e| e.code());
    let mut buf = vec![0u8; 40 + body.len()];
    let mut p = MutableIpv6Packet::new(&mut buf).unwrap();
    p.set_version(6);
    p.set_traffic_class(h.traffic_class);
    p.set_flow_label(h.flow_label);
    p.set_payload_length(body.len() as u16);
    p.set_next_header(IpNextHeaderProtocol(first));
    p.set_hop_limit(h.hop_limit);
    p.set_source(h.src);
    p.set_destination(h.dst);
    p.set_payload(&body);
    if let Some(pl) = h.payload_length {
        p.set_payload_length(pl);
    }
    buf
}

#[derive(Clone, Debug)]
pub struct Tcp {
    pub src_port: u16,
    pub dst_port: u16,
    pub seq: u32,
    pub ack: u32,
    /// Flags octet; NS goes into the reserved nibble.
    pub flags: u8,
    pub ns: bool,
    pub window: u16,
    pub urgent: u16,
    /// Option list; its encoded length must be a multiple of 4.
    pub options: Vec<TcpOption>,
    pub options_len: usize,
}

impl Tcp {
    pub fn new(src_port: u16, dst_port: u16, flags: u8) -> Tcp {
        Tcp {
            src_port,
            dst_port,
            seq: 1000,
            ack: 0,
            flags,
            ns: false,
            window: 65535,
            urgent: 0,
            options: Vec::new(),
            options_len: 0,
        }
    }

    /// MSS, SACK-permitted, window scale and NOP padding: 12 octets.
    pub fn with_syn_options(mut self) -> Tcp {
        self.options = vec![
            TcpOption::mss(1460),
            TcpOption::sack_perm(),
            TcpOption::nop(),
            TcpOption::wscale(7),
            TcpOption::nop(),
            TcpOption::nop(),
        ];
        self.options_len = 4 + 2 + 1 + 3 + 2;
        self
    }
}

pub fn tcp(t: &Tcp, payload: &[u8]) -> Vec<u8> {
    let hl = 20 + t.options_len;
    let mut buf = vec![0u8; hl + payload.len()];
    let mut p = MutableTcpPacket::new(&mut buf).unwrap();
    p.set_source(t.src_port);
    p.set_destination(t.dst_port);
    p.set_sequence(t.seq);
    p.set_acknowledgement(t.ack);
    p.set_data_offset((hl / 4) as u8);
    p.set_reserved(u8::from(t.ns));
    p.set_flags(t.flags);
    p.set_window(t.window);
    p.set_checksum(0xcafe);
    p.set_urgent_ptr(t.urgent);
    p.set_options(&t.options);
    p.set_payload(payload);
    buf
}

pub fn udp(src_port: u16, dst_port: u16, payload: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; 8 + payload.len()];
    let mut p = MutableUdpPacket::new(&mut buf).unwrap();
    p.set_source(src_port);
    p.set_destination(dst_port);
    p.set_length((8 + payload.len()) as u16);
    p.set_checksum(0xbeef);
    p.set_payload(payload);
    buf
}

/// ICMP message: type, code, then `rest` (octets 4-7) and `body`.
pub fn icmp(t: u8, code: u8, rest: [u8; 4], body: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; 8 + body.len()];
    let mut p = MutableIcmpPacket::new(&mut buf).unwrap();
    p.set_icmp_type(IcmpType(t));
    p.set_icmp_code(IcmpCode(code));
    p.set_payload(&[&rest[..], body].concat());
    let cs = pnet_packet::icmp::checksum(&p.to_immutable());
    p.set_checksum(cs);
    buf
}

pub fn icmpv6(t: u8, code: u8, rest: [u8; 4], body: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; 8 + body.len()];
    let mut p = MutableIcmpv6Packet::new(&mut buf).unwrap();
    p.set_icmpv6_type(Icmpv6Type(t));
    p.set_icmpv6_code(Icmpv6Code(code));
    p.set_checksum(0x4321);
    p.set_payload(&[&rest[..], body].concat());
    buf
}

pub fn arp(op: u16, sha: [u8; 6], spa: [u8; 4], tha: [u8; 6], tpa: [u8; 4]) -> Vec<u8> {
    let mut buf = vec![0u8; 28];
    let mut p = MutableArpPacket::new(&mut buf).unwrap();
    p.set_hardware_type(ArpHardwareType(1));
    p.set_protocol_type(EtherType(0x0800));
    p.set_hw_addr_len(6);
    p.set_proto_addr_len(4);
    p.set_operation(ArpOperation(op));
    p.set_sender_hw_addr(sha.into());
    p.set_sender_proto_addr(spa.into());
    p.set_target_hw_addr(tha.into());
    p.set_target_proto_addr(tpa.into());
    buf
}

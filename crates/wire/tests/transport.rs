//! TCP, UDP, ICMP and ICMPv6, including the quoted invoking packet.

use std::net::{IpAddr, Ipv4Addr};

use portmatrix_wire::{
    decode, decode_with, DecodeOptions, ErrorKind, Layer, LinkType, TcpFlags, Transport,
};

use crate::util::*;

fn v4(protocol: u8, body: &[u8]) -> Vec<u8> {
    ethernet(
        MAC_B,
        MAC_A,
        0x0800,
        &ipv4(&V4::new([10, 0, 0, 1], [10, 0, 0, 2], protocol), body),
    )
}

#[test]
fn tcp_every_field() {
    let mut t = Tcp::new(49152, 443, 0b0101_0010).with_syn_options(); // ECE, SYN... plus ACK
    t.flags = 0x12 | 0x40 | 0x80; // SYN ACK ECE CWR
    t.ns = true;
    t.seq = 0xdead_beef;
    t.ack = 0x0102_0304;
    t.window = 29200;
    t.urgent = 0x0a0b;
    let f = v4(6, &tcp(&t, b"hello"));
    let d = decode(LinkType::ETHERNET, &f);
    assert_eq!(d.error, None);
    let s = d.tcp().unwrap();
    assert_eq!((s.source_port, s.destination_port), (49152, 443));
    assert_eq!(
        (s.sequence_number, s.acknowledgment_number),
        (0xdead_beef, 0x0102_0304)
    );
    assert_eq!((s.data_offset, s.header_len()), (8, 32));
    assert_eq!(s.flags, TcpFlags(0x100 | 0x80 | 0x40 | 0x12));
    assert!(s.flags.syn() && s.flags.ack() && s.flags.ece() && s.flags.cwr() && s.flags.ns());
    assert!(!s.flags.fin() && !s.flags.rst() && !s.flags.psh() && !s.flags.urg());
    assert_eq!(
        (s.window, s.checksum, s.urgent_pointer),
        (29200, 0xcafe, 0x0a0b)
    );
    assert_eq!(d.payload, b"hello");
    assert_eq!(d.payload_offset, 14 + 20 + 32);
    assert_eq!(d.l4_name(), Some("tcp"));
}

#[test]
fn tcp_rst_and_fin_flags() {
    for (flags, check) in [
        (0x04u8, TcpFlags::RST),
        (0x11, TcpFlags(0x11)),
        (0x29, TcpFlags(0x29)),
    ] {
        let frame = v4(6, &tcp(&Tcp::new(1, 2, flags), &[]));
        let d = decode(LinkType::ETHERNET, &frame);
        assert_eq!(d.tcp().unwrap().flags, check);
    }
}

#[test]
fn tcp_options_cut_by_snaplen_keep_fixed_header() {
    let f = v4(6, &tcp(&Tcp::new(1, 2, 0x02).with_syn_options(), &[]));
    let d = decode(LinkType::ETHERNET, &f[..14 + 20 + 24]);
    assert_eq!(d.error, None);
    assert!(d.truncated);
    let s = d.tcp().unwrap();
    assert_eq!((s.data_offset, s.sequence_number), (8, 1000));
    assert!(d.payload.is_empty());
}

#[test]
fn tcp_data_offset_below_five_is_malformed() {
    let mut seg = tcp(&Tcp::new(1, 2, 0x02), &[0; 8]);
    seg[12] = 0x20;
    let f = v4(6, &seg);
    let d = decode(LinkType::ETHERNET, &f);
    let e = d.error.unwrap();
    assert_eq!((e.layer, e.offset), (Layer::Tcp, 46));
    assert_eq!(
        e.kind,
        ErrorKind::BadField {
            field: "data_offset",
            value: 2
        }
    );
}

#[test]
fn udp_fields_and_bad_lengths() {
    let f = v4(17, &udp(6970, 6971, &[9; 20]));
    let d = decode(LinkType::ETHERNET, &f);
    let u = d.udp().unwrap();
    assert_eq!(
        (u.source_port, u.destination_port, u.length, u.checksum),
        (6970, 6971, 28, 0xbeef)
    );
    assert_eq!(d.payload, &[9; 20][..]);

    let mut dg = udp(6970, 6971, &[9; 20]);
    dg[4..6].copy_from_slice(&60u16.to_be_bytes());
    let e = decode(LinkType::ETHERNET, &v4(17, &dg)).error.unwrap();
    assert_eq!((e.layer, e.offset), (Layer::Udp, 38));
    assert_eq!(
        e.kind,
        ErrorKind::LengthMismatch {
            field: "length",
            claimed: 60,
            actual: 28
        }
    );
    dg[4..6].copy_from_slice(&3u16.to_be_bytes());
    let e = decode(LinkType::ETHERNET, &v4(17, &dg)).error.unwrap();
    assert_eq!(
        (e.offset, e.kind),
        (
            38,
            ErrorKind::BadField {
                field: "length",
                value: 3
            }
        )
    );
}

#[test]
fn icmp_port_unreachable_quotes_the_udp_flow() {
    let mut inner_h = V4::new([10, 0, 0, 2], [10, 0, 0, 1], 17);
    inner_h.id = 0x4242;
    let inner = ipv4(&inner_h, &udp(33000, 161, b"snmp-get-request"));
    let msg = icmp(3, 3, [0; 4], &inner[..28]);
    let f = v4(1, &msg);
    let d = decode(LinkType::ETHERNET, &f);
    assert_eq!(d.error, None);
    let Transport::Icmpv4(i) = d.transport else {
        panic!("{:?}", d.transport)
    };
    assert_eq!((i.icmp_type, i.code), (3, 3));
    let q = i.quoted.unwrap();
    assert_eq!(q.source_address, IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)));
    assert_eq!(
        q.destination_address,
        IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1))
    );
    assert_eq!(
        (q.protocol, q.identification, q.ports),
        (17, Some(0x4242), Some((33000, 161)))
    );
    assert_eq!(d.l4_name(), Some("icmp"));
    assert_eq!(d.ports(), None);
}

#[test]
fn icmp_admin_prohibited_quotes_tcp_syn() {
    let mut t = Tcp::new(51000, 5061, 0x02);
    t.seq = 0x7777_0001;
    let inner = ipv4(&V4::new([10, 0, 0, 2], [10, 9, 9, 9], 6), &tcp(&t, &[]));
    let f = v4(1, &icmp(3, 13, [0; 4], &inner));
    let d = decode(LinkType::ETHERNET, &f);
    let q = d.icmp().unwrap().quoted.unwrap();
    assert_eq!(q.ports, Some((51000, 5061)));
    assert_eq!(q.tcp_sequence_number, Some(0x7777_0001));
    assert_eq!(d.icmp().unwrap().code, 13);
}

#[test]
fn icmp_echo() {
    let f = v4(1, &icmp(8, 0, [0x12, 0x34, 0x00, 0x05], b"ping"));
    let d = decode(LinkType::ETHERNET, &f);
    let i = d.icmp().unwrap();
    assert_eq!(
        (i.icmp_type, i.identifier(), i.sequence_number()),
        (8, 0x1234, 5)
    );
    assert_eq!(i.quoted, None);
}

#[test]
fn icmp_quote_cut_by_snaplen_is_not_malformed() {
    let inner = ipv4(&V4::new([10, 0, 0, 2], [10, 0, 0, 1], 17), &udp(1, 2, &[]));
    let f = v4(1, &icmp(11, 0, [0; 4], &inner));
    let d = decode(LinkType::ETHERNET, &f[..14 + 20 + 8 + 10]);
    assert_eq!(d.error, None);
    assert!(d.truncated);
    assert_eq!(d.icmp().unwrap().quoted, None);
    assert_eq!(d.icmp().unwrap().icmp_type, 11);
}

#[test]
fn icmpv6_destination_unreachable_quotes_udp() {
    let inner = ipv6(
        &V6::new("2001:db8::5", "2001:db8::9", 17),
        &udp(5004, 5005, &[0; 100]),
    );
    let msg = icmpv6(1, 4, [0; 4], &inner[..48]);
    let f = ethernet(
        MAC_B,
        MAC_A,
        0x86dd,
        &ipv6(&V6::new("2001:db8::9", "2001:db8::5", 58), &msg),
    );
    let d = decode(LinkType::ETHERNET, &f);
    assert_eq!(d.error, None);
    let Transport::Icmpv6(i) = d.transport else {
        panic!("{:?}", d.transport)
    };
    assert_eq!((i.icmp_type, i.code, i.checksum), (1, 4, 0x4321));
    let q = i.quoted.unwrap();
    assert_eq!(q.source_address, "2001:db8::5".parse::<IpAddr>().unwrap());
    assert_eq!(
        (q.protocol, q.identification, q.ports),
        (17, None, Some((5004, 5005)))
    );
    assert_eq!(d.l4_name(), Some("icmpv6"));
}

#[test]
fn icmpv6_quote_with_bad_version_reports_absolute_offset() {
    let mut inner = ipv6(&V6::new("2001:db8::5", "2001:db8::9", 17), &udp(1, 2, &[]));
    inner[0] = 0x30;
    let msg = icmpv6(3, 0, [0; 4], &inner);
    let f = ethernet(
        MAC_B,
        MAC_A,
        0x86dd,
        &ipv6(&V6::new("fe80::1", "fe80::2", 58), &msg),
    );
    let e = decode(LinkType::ETHERNET, &f).error.unwrap();
    assert_eq!((e.layer, e.offset), (Layer::Icmpv6, 14 + 40 + 8));
}

#[test]
fn icmpv6_echo_and_neighbor_solicitation() {
    let f = ipv6(
        &V6::new("fe80::1", "fe80::2", 58),
        &icmpv6(128, 0, [0, 1, 0, 2], b"x"),
    );
    let d = decode(LinkType::IPV6, &f);
    let i = d.icmp().unwrap();
    assert_eq!(
        (i.icmp_type, i.identifier(), i.sequence_number()),
        (128, 1, 2)
    );
    let f = ipv6(
        &V6::new("::", "ff02::1:ff00:1", 58),
        &icmpv6(135, 0, [0; 4], &[0; 16]),
    );
    let d = decode(LinkType::IPV6, &f);
    assert_eq!(d.icmp().unwrap().icmp_type, 135);
    assert_eq!(d.l4_name(), Some("icmpv6"));
}

#[test]
fn other_ip_protocols() {
    // ESP (50): not decoded further.
    let frame = v4(50, &[0, 0, 1, 0, 0, 0, 0, 1]);
    let d = decode(LinkType::ETHERNET, &frame);
    assert_eq!(d.error, None);
    assert_eq!(d.transport, Transport::Other { protocol: 50 });
    assert_eq!(
        (d.l4_name(), d.ip_protocol(), d.ports()),
        (Some("other"), Some(50), None)
    );
    // GRE announcing IPv4, kept in place with --no-decap.
    let frame = v4(47, &[0, 0, 0x08, 0x00]);
    let d = decode_with(LinkType::ETHERNET, &frame, None, DecodeOptions::NO_DECAP);
    assert_eq!((d.error, d.encap), (None, None));
    assert_eq!(d.transport, Transport::Other { protocol: 47 });
    // Decapsulated, the IPv4 packet GRE announces is missing: the packet
    // stays the tunnel, with the inner layer's error.
    let d = decode(LinkType::ETHERNET, &frame);
    let e = d.error.unwrap();
    assert_eq!((e.layer, e.offset), (Layer::Ipv4, 14 + 20 + 4));
    assert!(e.is_truncation());
    assert_eq!(d.encap, None);
    assert_eq!(d.transport, Transport::Other { protocol: 47 });
}

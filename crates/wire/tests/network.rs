//! IPv4 and IPv6 headers, options, extension headers, fragments, truncation.

use std::net::{Ipv4Addr, Ipv6Addr};

use portmatrix_wire::{decode, ErrorKind, Ipv6Fragment, Layer, LinkType, Net, Transport};

use crate::util::*;

fn eth(ether_type: u16, ip: &[u8]) -> Vec<u8> {
    ethernet(MAC_B, MAC_A, ether_type, ip)
}

#[test]
fn ipv4_fields_and_options() {
    let mut h = V4::new([172, 16, 0, 1], [224, 0, 0, 22], 17);
    h.ttl = 1;
    h.id = 0xbeef;
    h.dscp = 46;
    h.ecn = 2;
    h.df = true;
    h.router_alerts = 1;
    h.nops = 3; // 4 + 3 octets, padded to 8
    let f = eth(0x0800, &ipv4(&h, &udp(319, 319, &[0; 44])));
    let d = decode(LinkType::ETHERNET, &f);
    assert_eq!(d.error, None);
    let Net::Ipv4(ip) = d.net else {
        panic!("{:?}", d.net)
    };
    assert_eq!(ip.source_address, Ipv4Addr::new(172, 16, 0, 1));
    assert_eq!(ip.destination_address, Ipv4Addr::new(224, 0, 0, 22));
    assert_eq!((ip.ihl, ip.header_len()), (7, 28));
    assert_eq!((ip.dscp, ip.ecn, ip.time_to_live), (46, 2, 1));
    assert_eq!(ip.identification, 0xbeef);
    assert!(ip.dont_fragment && !ip.more_fragments && !ip.is_fragment());
    assert_eq!(ip.protocol, 17);
    assert_eq!(usize::from(ip.total_length), 28 + 8 + 44);
    assert_eq!(
        (d.transport_offset, d.payload_offset),
        (14 + 28, 14 + 28 + 8)
    );
    assert_eq!(d.ports(), Some((319, 319)));
    assert_eq!(d.payload.len(), 44);
    assert_eq!(d.ip_protocol(), Some(17));
    assert!(d.is_multicast());
}

#[test]
fn ipv4_first_fragment_has_ports_later_ones_do_not() {
    let dgram = udp(5004, 5004, &[0xab; 64]);
    let mut h = V4::new([10, 0, 0, 1], [10, 0, 0, 2], 17);
    h.id = 777;
    h.mf = true;
    // First fragment: UDP header + 32 octets of a 72-octet datagram.
    let f = eth(0x0800, &ipv4(&h, &dgram[..40]));
    let d = decode(LinkType::ETHERNET, &f);
    assert_eq!(d.error, None);
    assert_eq!(d.ports(), Some((5004, 5004)));
    assert_eq!(d.payload, &[0xab; 32][..]);
    let Net::Ipv4(ip) = d.net else { panic!() };
    assert!(ip.more_fragments && ip.is_fragment() && !ip.is_later_fragment());

    h.mf = false;
    h.frag_offset = 5; // 40 octets
    let f = eth(0x0800, &ipv4(&h, &dgram[40..]));
    let d = decode(LinkType::ETHERNET, &f);
    assert_eq!(d.error, None);
    assert_eq!(d.transport, Transport::Fragment { protocol: 17 });
    assert_eq!((d.ports(), d.l4_name()), (None, Some("fragment")));
    assert!(d.payload.is_empty());
    let Net::Ipv4(ip) = d.net else { panic!() };
    assert_eq!(
        (
            ip.identification,
            ip.fragment_offset,
            ip.fragment_offset_len()
        ),
        (777, 5, 40)
    );
    assert!(!ip.more_fragments && ip.is_later_fragment());
}

#[test]
fn ipv4_cut_by_snaplen_is_truncated_not_malformed() {
    let f = eth(
        0x0800,
        &ipv4(
            &V4::new([10, 0, 0, 1], [10, 0, 0, 2], 17),
            &udp(1000, 2000, &[7; 200]),
        ),
    );
    let d = decode(LinkType::ETHERNET, &f[..96]);
    assert_eq!(d.error, None);
    assert!(d.truncated);
    assert_eq!(d.ports(), Some((1000, 2000)));
    assert_eq!(d.payload.len(), 96 - 42);
    let Net::Ipv4(ip) = d.net else { panic!() };
    assert_eq!(ip.total_length, 228);

    // Cut inside the UDP header: the ports are still there.
    let d = decode(LinkType::ETHERNET, &f[..38]);
    assert_eq!(d.error, None);
    assert!(d.truncated);
    assert_eq!(
        d.transport,
        Transport::Snapped {
            protocol: 17,
            ports: Some((1000, 2000))
        }
    );
    assert_eq!(d.l4_name(), Some("udp"));

    // Cut inside the IPv4 header itself: an error (the decoder cannot tell).
    let e = decode(LinkType::ETHERNET, &f[..30]).error.unwrap();
    assert_eq!((e.layer, e.offset), (Layer::Ipv4, 14));
    assert_eq!(
        e.kind,
        ErrorKind::Truncated {
            needed: 20,
            available: 16
        }
    );
}

#[test]
fn ipv4_malformed_lengths_report_offsets() {
    let mut h = V4::new([10, 0, 0, 1], [10, 0, 0, 2], 6);
    h.total_length = Some(12);
    let f = eth(0x0800, &ipv4(&h, &tcp(&Tcp::new(1, 2, 0x02), &[])));
    let d = decode(LinkType::ETHERNET, &f);
    let e = d.error.unwrap();
    assert_eq!((e.layer, e.offset), (Layer::Ipv4, 16));
    assert_eq!(
        e.kind,
        ErrorKind::BadField {
            field: "total_length",
            value: 12
        }
    );
    // The header facts are kept.
    assert!(matches!(d.net, Net::Ipv4(_)));
    assert_eq!(d.transport, Transport::None);
    assert_eq!((d.l3_name(), d.l4_name()), (Some("ipv4"), None));
}

#[test]
fn ipv4_total_length_zero_reads_to_end_of_frame() {
    let mut h = V4::new([10, 0, 0, 1], [10, 0, 0, 2], 6);
    h.total_length = Some(0);
    let f = eth(
        0x0800,
        &ipv4(&h, &tcp(&Tcp::new(40000, 443, 0x18), &[1; 3000])),
    );
    let d = decode(LinkType::ETHERNET, &f);
    assert_eq!(d.error, None);
    assert_eq!(d.payload.len(), 3000);
    assert!(!d.truncated);
}

#[test]
fn ipv6_fields_and_extension_chain() {
    let mut h = V6::new("2001:db8::10", "2001:db8::20", 6);
    h.traffic_class = 0xb8;
    h.flow_label = 0xabcde;
    h.hop_limit = 7;
    h.exts = vec![
        Ext::HopByHop { hdr_ext_len: 0 },
        Ext::DestOpts { hdr_ext_len: 1 },
    ];
    let seg = tcp(&Tcp::new(5060, 5061, 0x10), b"INVITE");
    let f = eth(0x86dd, &ipv6(&h, &seg));
    let d = decode(LinkType::ETHERNET, &f);
    assert_eq!(d.error, None);
    let Net::Ipv6(ip) = d.net else { panic!() };
    assert_eq!(
        ip.source_address,
        "2001:db8::10".parse::<Ipv6Addr>().unwrap()
    );
    assert_eq!(
        ip.destination_address,
        "2001:db8::20".parse::<Ipv6Addr>().unwrap()
    );
    assert_eq!(
        (ip.traffic_class, ip.flow_label, ip.hop_limit),
        (0xb8, 0xabcde, 7)
    );
    assert_eq!((ip.next_header, ip.protocol), (0, 6));
    assert_eq!(ip.extension_headers_len, 8 + 16);
    assert_eq!(usize::from(ip.payload_length), 24 + seg.len());
    assert_eq!(ip.fragment, None);
    assert_eq!(d.transport_offset, 14 + 40 + 24);
    assert_eq!(d.ports(), Some((5060, 5061)));
    assert_eq!(d.payload, b"INVITE");
}

#[test]
fn ipv6_fragments() {
    let dgram = udp(319, 319, &[1; 40]);
    let mut h = V6::new("fe80::1", "ff02::181", 17);
    h.exts = vec![Ext::Fragment {
        offset: 0,
        more: true,
        id: 0x0102_0304,
    }];
    let d_first = ipv6(&h, &dgram[..24]);
    let d = decode(LinkType::IPV6, &d_first);
    assert_eq!(d.error, None);
    assert_eq!(d.ports(), Some((319, 319)));
    let Net::Ipv6(ip) = d.net else { panic!() };
    assert_eq!(
        ip.fragment,
        Some(Ipv6Fragment {
            identification: 0x0102_0304,
            fragment_offset: 0,
            more_fragments: true
        })
    );
    assert!(ip.is_fragment());

    h.exts = vec![
        Ext::HopByHop { hdr_ext_len: 0 },
        Ext::Fragment {
            offset: 3,
            more: false,
            id: 0x0102_0304,
        },
    ];
    let later = ipv6(&h, &dgram[24..]);
    let d = decode(LinkType::IPV6, &later);
    assert_eq!(d.error, None);
    assert_eq!(d.transport, Transport::Fragment { protocol: 17 });
    let Net::Ipv6(ip) = d.net else { panic!() };
    assert_eq!(ip.fragment.unwrap().fragment_offset, 3);
    assert!(ip.is_later_fragment());

    // Atomic fragment (offset 0, M = 0): a whole packet.
    h.exts = vec![Ext::Fragment {
        offset: 0,
        more: false,
        id: 9,
    }];
    let frame = ipv6(&h, &dgram);
    let d = decode(LinkType::IPV6, &frame);
    assert_eq!(d.ports(), Some((319, 319)));
    let Net::Ipv6(ip) = d.net else { panic!() };
    assert!(ip.fragment.is_some() && !ip.is_fragment());
}

#[test]
fn ipv6_extension_cut_by_payload_length_is_malformed_at_its_offset() {
    let mut h = V6::new("fe80::1", "fe80::2", 17);
    h.exts = vec![
        Ext::HopByHop { hdr_ext_len: 0 },
        Ext::DestOpts { hdr_ext_len: 2 },
    ];
    h.payload_length = Some(16); // HbH 8 + only 8 of the 24-octet DestOpts
    let ip = ipv6(&h, &udp(1, 2, &[]));
    let f = tagged(MAC_B, MAC_A, &[(0x8100, 0, 0, 10)], 0x86dd, &ip);
    let d = decode(LinkType::ETHERNET, &f);
    let e = d.error.unwrap();
    // 14 Ethernet + 4 tag + 40 IPv6 + 8 hop-by-hop.
    assert_eq!((e.layer, e.offset), (Layer::Ipv6, 66));
    assert_eq!(
        e.kind,
        ErrorKind::Truncated {
            needed: 24,
            available: 8
        }
    );
    assert_eq!(d.l3_name(), Some("ipv6"));

    // The same chain cut by the capture instead is only truncated.
    h.payload_length = None;
    let ip = ipv6(&h, &udp(1, 2, &[]));
    let d = decode(LinkType::IPV6, &ip[..60]);
    assert_eq!(d.error, None);
    assert!(d.truncated);
    assert_eq!(d.transport, Transport::None);
}

#[test]
fn ipv6_wrong_version_at_offset() {
    let mut ip = ipv6(&V6::new("fe80::1", "fe80::2", 59), &[]);
    ip[0] = 0x70;
    let f = eth(0x86dd, &ip);
    let e = decode(LinkType::ETHERNET, &f).error.unwrap();
    assert_eq!(
        (e.layer, e.offset, e.kind),
        (
            Layer::Ipv6,
            14,
            ErrorKind::BadField {
                field: "version",
                value: 7
            }
        )
    );
}

#[test]
fn ipv6_no_next_header_is_other() {
    let frame = ipv6(&V6::new("fe80::1", "fe80::2", 59), &[]);
    let d = decode(LinkType::IPV6, &frame);
    assert_eq!(d.error, None);
    assert_eq!(d.transport, Transport::Other { protocol: 59 });
    assert_eq!((d.ip_protocol(), d.l4_name()), (Some(59), Some("other")));
}

#[test]
fn ipv4_broadcast() {
    let f = ethernet(
        [0xff; 6],
        MAC_A,
        0x0800,
        &ipv4(
            &V4::new([10, 0, 0, 7], [255, 255, 255, 255], 17),
            &udp(2362, 2362, b"CP"),
        ),
    );
    let d = decode(LinkType::ETHERNET, &f);
    assert!(d.is_broadcast() && !d.is_multicast());
}

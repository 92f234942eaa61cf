//! Link types and tag stacks.

use std::net::{IpAddr, Ipv4Addr};

use portmatrix_wire::{decode, ErrorKind, Layer, LinkType, Net, Transport};

use crate::util::*;

fn udp_v4() -> Vec<u8> {
    ipv4(
        &V4::new([10, 1, 2, 3], [10, 1, 2, 4], 17),
        &udp(4440, 4440, b"dante"),
    )
}

fn udp_v6() -> Vec<u8> {
    ipv6(
        &V6::new("fe80::1", "ff02::fb", 17),
        &udp(5353, 5353, b"mdns"),
    )
}

#[test]
fn ethernet_ii_ipv4_udp() {
    let f = ethernet(MAC_B, MAC_A, 0x0800, &udp_v4());
    let d = decode(LinkType::ETHERNET, &f);
    assert_eq!(d.error, None);
    assert_eq!((d.dst_mac, d.src_mac), (Some(MAC_B), Some(MAC_A)));
    assert_eq!(d.ether_type, Some(0x0800));
    assert!(d.vlans.is_empty());
    assert_eq!(d.src_ip(), Some(IpAddr::V4(Ipv4Addr::new(10, 1, 2, 3))));
    assert_eq!(d.dst_ip(), Some(IpAddr::V4(Ipv4Addr::new(10, 1, 2, 4))));
    assert_eq!(d.ports(), Some((4440, 4440)));
    assert_eq!(d.payload, b"dante");
    assert_eq!(d.payload_offset, 14 + 20 + 8);
    assert_eq!((d.l3_name(), d.l4_name()), (Some("ipv4"), Some("udp")));
}

#[test]
fn ethernet_padding_is_not_payload() {
    // A 60-octet minimum frame: the IP total length ends the datagram.
    let mut ip = udp_v4();
    ip.resize(46, 0);
    let f = ethernet(MAC_B, MAC_A, 0x0800, &ip);
    assert_eq!(f.len(), 60);
    let d = decode(LinkType::ETHERNET, &f);
    assert_eq!(d.error, None);
    assert_eq!(d.payload, b"dante");
    assert!(!d.truncated);
}

#[test]
fn single_tag_each_tpid() {
    for tpid in [0x8100u16, 0x88a8, 0x9100] {
        let f = tagged(MAC_B, MAC_A, &[(tpid, 6, 1, 301)], 0x0800, &udp_v4());
        let d = decode(LinkType::ETHERNET, &f);
        assert_eq!(d.error, None, "tpid {tpid:#x}");
        assert_eq!(d.vlans.len(), 1);
        let t = d.vlans.tags()[0];
        assert_eq!((t.tpid, t.pcp(), t.dei(), t.vid()), (tpid, 6, true, 301));
        assert_eq!((d.ether_type, d.net_offset), (Some(0x0800), 18));
        assert_eq!(d.ports(), Some((4440, 4440)));
    }
}

#[test]
fn qinq_keeps_outer_first() {
    let tags = [(0x88a8, 1, 0, 100), (0x8100, 5, 0, 200)];
    let f = tagged(MAC_B, MAC_A, &tags, 0x86dd, &udp_v6());
    let d = decode(LinkType::ETHERNET, &f);
    assert_eq!(d.error, None);
    assert_eq!(d.vlans.iter().collect::<Vec<_>>(), vec![100, 200]);
    assert_eq!((d.vlans.outer(), d.vlans.inner()), (Some(100), Some(200)));
    assert_eq!(d.vlans.tags()[1].pcp(), 5);
    assert_eq!(d.ether_type, Some(0x86dd));
    assert_eq!(d.net_offset, 22);
    assert_eq!(d.ports(), Some((5353, 5353)));
    assert!(d.is_multicast());
}

#[test]
fn four_tags_decode_five_are_refused() {
    let four: Vec<_> = (1..=4).map(|v| (0x8100u16, 0u8, 0u8, v as u16)).collect();
    let f = tagged(MAC_B, MAC_A, &four, 0x0800, &udp_v4());
    let d = decode(LinkType::ETHERNET, &f);
    assert_eq!(d.error, None);
    assert_eq!(d.vlans.iter().collect::<Vec<_>>(), vec![1, 2, 3, 4]);
    assert_eq!(d.ports(), Some((4440, 4440)));

    let five: Vec<_> = (1..=5).map(|v| (0x8100u16, 0u8, 0u8, v as u16)).collect();
    let f = tagged(MAC_B, MAC_A, &five, 0x0800, &udp_v4());
    let d = decode(LinkType::ETHERNET, &f);
    let e = d.error.unwrap();
    assert_eq!(e.kind, ErrorKind::TooManyVlanTags { max: 4 });
    // The TPID announcing the fifth tag is the EtherType field of the fourth.
    assert_eq!((e.layer, e.offset), (Layer::Vlan, 12 + 4 * 4));
    assert_eq!(d.vlans.len(), 4);
    assert_eq!(d.net, Net::None);
}

#[test]
fn ieee_8023_llc_counts_as_other() {
    // STP configuration BPDU header after LLC 42 42 03.
    let llc = [0x42, 0x42, 0x03, 0x00, 0x00, 0x00, 0x00];
    let f = ethernet([0x01, 0x80, 0xc2, 0, 0, 0], MAC_A, llc.len() as u16, &llc);
    let d = decode(LinkType::ETHERNET, &f);
    assert_eq!(d.error, None);
    assert_eq!(d.ether_type, None);
    match d.net {
        Net::Llc(l) => {
            assert_eq!((l.dsap, l.ssap, l.control, l.snap), (0x42, 0x42, 3, None))
        }
        other => panic!("{other:?}"),
    }
    assert_eq!((d.l3_name(), d.l4_name()), (Some("other"), None));
    assert!(d.is_multicast() && !d.is_broadcast());
}

#[test]
fn snap_with_ethertype_is_decoded_further() {
    let mut body = vec![0xaa, 0xaa, 0x03, 0x00, 0x00, 0x00, 0x08, 0x00];
    body.extend_from_slice(&udp_v4());
    let f = ethernet(MAC_B, MAC_A, body.len() as u16, &body);
    let d = decode(LinkType::ETHERNET, &f);
    assert_eq!(d.error, None);
    assert_eq!((d.ether_type, d.net_offset), (Some(0x0800), 22));
    assert_eq!(d.ports(), Some((4440, 4440)));

    // Cisco SNAP (CDP): OUI 00-00-0C, protocol id 0x2000 is not an EtherType.
    let cdp = [0xaa, 0xaa, 0x03, 0x00, 0x00, 0x0c, 0x20, 0x00, 0x02, 0xb4];
    let f = ethernet([0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc], MAC_A, 10, &cdp);
    let d = decode(LinkType::ETHERNET, &f);
    assert_eq!(d.error, None);
    match d.net {
        Net::Llc(l) => assert_eq!(l.snap, Some(([0, 0, 0x0c], 0x2000))),
        other => panic!("{other:?}"),
    }
}

#[test]
fn tagged_8023_frame() {
    let llc = [0x42, 0x42, 0x03, 0x00, 0x00];
    let f = tagged(MAC_B, MAC_A, &[(0x8100, 0, 0, 7)], llc.len() as u16, &llc);
    let d = decode(LinkType::ETHERNET, &f);
    assert_eq!(d.error, None);
    assert_eq!(d.vlans.outer(), Some(7));
    assert!(matches!(d.net, Net::Llc(_)));
}

#[test]
fn arp_request() {
    let a = arp(1, MAC_A, [192, 168, 1, 10], [0; 6], [192, 168, 1, 1]);
    let f = ethernet([0xff; 6], MAC_A, 0x0806, &a);
    let d = decode(LinkType::ETHERNET, &f);
    assert_eq!(d.error, None);
    assert!(d.is_broadcast() && d.is_mac_broadcast());
    assert_eq!(d.l3_name(), Some("arp"));
    match d.net {
        Net::Arp(a) => {
            assert_eq!(a.operation, 1);
            assert_eq!(a.sender_hardware_address, Some(MAC_A));
            assert_eq!(
                a.sender_protocol_address,
                Some(Ipv4Addr::new(192, 168, 1, 10))
            );
            assert_eq!(
                a.target_protocol_address,
                Some(Ipv4Addr::new(192, 168, 1, 1))
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn unknown_ethertype_is_other() {
    let f = ethernet(MAC_B, MAC_A, 0x88f7, &[0x12, 0x02, 0x00, 0x2c]);
    let d = decode(LinkType::ETHERNET, &f);
    assert_eq!(d.error, None);
    assert_eq!(d.net, Net::Other { ether_type: 0x88f7 });
    assert_eq!((d.l3_name(), d.l4_name()), (Some("other"), None));
    // The octets after the EtherType are the payload, for the detectors.
    assert_eq!((d.payload, d.payload_offset), (&f[14..], 14));
}

#[test]
fn linux_sll_v4_and_v6() {
    let f = sll(4, 1, &MAC_A, 0x0800, &udp_v4());
    let d = decode(LinkType::LINUX_SLL, &f);
    assert_eq!(d.error, None);
    assert_eq!((d.src_mac, d.dst_mac), (Some(MAC_A), None));
    assert_eq!(d.sll_packet_type, Some(4));
    assert_eq!((d.ether_type, d.net_offset), (Some(0x0800), 16));
    assert_eq!(d.ports(), Some((4440, 4440)));

    let f = sll(2, 1, &MAC_A, 0x86dd, &udp_v6());
    let d = decode(LinkType::LINUX_SLL, &f);
    assert_eq!(d.error, None);
    assert_eq!(d.ports(), Some((5353, 5353)));
}

#[test]
fn linux_sll_with_vlan_tag_in_payload() {
    let inner = vlan(0, 0, 42, 0x0800, &udp_v4());
    let f = sll(0, 1, &MAC_A, 0x8100, &inner);
    let d = decode(LinkType::LINUX_SLL, &f);
    assert_eq!(d.error, None);
    assert_eq!(d.vlans.outer(), Some(42));
    assert_eq!(d.net_offset, 20);
}

#[test]
fn linux_sll_802_2_and_pseudo_protocols() {
    let llc = [0x42, 0x42, 0x03, 0x00];
    let frame = sll(0, 1, &MAC_A, 0x0004, &llc);
    let d = decode(LinkType::LINUX_SLL, &frame);
    assert_eq!(d.error, None);
    assert!(matches!(d.net, Net::Llc(_)));
    // LINUX_SLL_P_CAN (0x000C): not IP.
    let frame = sll(0, 280, &[], 0x000c, &[0; 16]);
    let d = decode(LinkType::LINUX_SLL, &frame);
    assert_eq!(d.error, None);
    assert_eq!(d.net, Net::Other { ether_type: 0x000c });
    assert_eq!(d.src_mac, None);
}

#[test]
fn linux_sll2() {
    let f = sll2(0x86dd, 7, 1, 3, &MAC_A, &udp_v6());
    let d = decode(LinkType::LINUX_SLL2, &f);
    assert_eq!(d.error, None);
    assert_eq!(d.src_mac, Some(MAC_A));
    assert_eq!(d.sll_packet_type, Some(3));
    assert_eq!((d.ether_type, d.net_offset), (Some(0x86dd), 20));
    assert_eq!(d.ports(), Some((5353, 5353)));
    let e = decode(LinkType::LINUX_SLL2, &f[..19]).error.unwrap();
    assert_eq!((e.layer, e.offset), (Layer::Link, 0));
}

#[test]
fn raw_ip_link_types() {
    for (link, ip, port) in [
        (LinkType::RAW, udp_v4(), 4440),
        (LinkType::RAW, udp_v6(), 5353),
        (LinkType::IPV4, udp_v4(), 4440),
        (LinkType::IPV6, udp_v6(), 5353),
    ] {
        let d = decode(link, &ip);
        assert_eq!(d.error, None, "{link:?}");
        assert_eq!((d.net_offset, d.ports()), (0, Some((port, port))));
        assert_eq!((d.src_mac, d.ether_type), (None, None));
    }
    // LINKTYPE_IPV4 holding IPv6 is an IPv4 version error.
    let e = decode(LinkType::IPV4, &udp_v6()).error.unwrap();
    assert_eq!(
        (e.layer, e.offset, e.kind),
        (
            Layer::Ipv4,
            0,
            ErrorKind::BadField {
                field: "version",
                value: 6
            }
        )
    );
}

#[test]
fn bsd_null_accepts_both_byte_orders_and_all_inet6_values() {
    let v4 = udp_v4();
    let v6 = udp_v6();
    let cases: [(u32, &[u8], u16); 4] = [
        (2, &v4, 4440),
        (24, &v6, 5353),
        (28, &v6, 5353),
        (30, &v6, 5353),
    ];
    for (af, ip, port) in cases {
        for hdr in [af.to_le_bytes(), af.to_be_bytes()] {
            let f = [&hdr[..], ip].concat();
            let d = decode(LinkType::NULL, &f);
            assert_eq!(d.error, None, "af {af} {hdr:?}");
            assert_eq!((d.net_offset, d.ports()), (4, Some((port, port))));
        }
        // LOOP is big-endian only.
        let f = [&af.to_be_bytes()[..], ip].concat();
        assert_eq!(decode(LinkType::LOOP, &f).ports(), Some((port, port)));
        let f = [&af.to_le_bytes()[..], ip].concat();
        let d = decode(LinkType::LOOP, &f);
        assert_eq!(d.net, Net::OtherFamily { family: af << 24 });
        assert_eq!(d.transport, Transport::None);
    }
}

#[test]
fn short_link_headers_fail_at_offset_zero() {
    for (link, len) in [
        (LinkType::ETHERNET, 13),
        (LinkType::LINUX_SLL, 15),
        (LinkType::LINUX_SLL2, 19),
        (LinkType::NULL, 3),
        (LinkType::LOOP, 3),
    ] {
        let d = decode(link, &[0u8; 32][..len]);
        let e = d.error.unwrap();
        assert_eq!((e.layer, e.offset), (Layer::Link, 0), "{link:?}");
        assert!(e.is_truncation());
        assert_eq!(d.l3_name(), None);
    }
}

//! Properties over generated frames.

use std::net::IpAddr;

use proptest::prelude::*;

use portmatrix_wire::{decode, decode_with_orig_len, LinkType, Net, TcpFlags, Transport};

use crate::testgen::{frame_spec, FrameSpec, NetSpec, TransportSpec};

/// The frames of these properties are built layer by layer up to the
/// transport: a random port may be a tunnel's (VXLAN 4789, Geneve 6081) and
/// a random protocol IP-in-IP, so they are decoded without decapsulation,
/// as the outer packet they were built as (tunnels: `tests/tunnels.rs`).
fn outer(frame: &[u8]) -> portmatrix_wire::PacketFacts<'_> {
    portmatrix_wire::decode_with(
        LinkType::ETHERNET,
        frame,
        None,
        portmatrix_wire::DecodeOptions::NO_DECAP,
    )
}

fn check_fields(spec: &FrameSpec, frame: &[u8]) -> Result<(), TestCaseError> {
    let d = outer(frame);
    prop_assert_eq!(d.error, None);
    prop_assert!(!d.truncated);
    prop_assert_eq!(d.dst_mac, Some(spec.dst_mac));
    prop_assert_eq!(d.src_mac, Some(spec.src_mac));
    prop_assert_eq!(d.vlans.len(), spec.tags.len());
    for (got, want) in d.vlans.tags().iter().zip(&spec.tags) {
        prop_assert_eq!((got.tpid, got.pcp(), u8::from(got.dei()), got.vid()), *want);
    }
    prop_assert_eq!(d.net_offset, spec.net_offset());
    match (&spec.net, &d.net) {
        (NetSpec::V4(h), Net::Ipv4(ip)) => {
            prop_assert_eq!(d.ether_type, Some(0x0800));
            prop_assert_eq!(ip.source_address, h.src);
            prop_assert_eq!(ip.destination_address, h.dst);
            prop_assert_eq!(ip.header_len(), h.header_len());
            prop_assert_eq!((ip.dscp, ip.ecn), (h.dscp, h.ecn));
            prop_assert_eq!((ip.time_to_live, ip.identification), (h.ttl, h.id));
            prop_assert_eq!((ip.dont_fragment, ip.more_fragments), (h.df, h.mf));
            prop_assert_eq!(ip.fragment_offset, 0);
            prop_assert_eq!(ip.protocol, spec.ip_protocol());
            prop_assert_eq!(
                usize::from(ip.total_length),
                frame.len() - spec.net_offset()
            );
        }
        (NetSpec::V6(h), Net::Ipv6(ip)) => {
            prop_assert_eq!(d.ether_type, Some(0x86dd));
            prop_assert_eq!(ip.source_address, h.src);
            prop_assert_eq!(ip.destination_address, h.dst);
            prop_assert_eq!(ip.traffic_class, h.traffic_class);
            prop_assert_eq!(ip.flow_label, h.flow_label);
            prop_assert_eq!(ip.hop_limit, h.hop_limit);
            prop_assert_eq!(
                ip.next_header,
                h.exts.first().map_or(spec.ip_protocol(), |e| e.code())
            );
            prop_assert_eq!(ip.protocol, spec.ip_protocol());
            prop_assert_eq!(usize::from(ip.extension_headers_len), h.exts_len());
            prop_assert_eq!(
                usize::from(ip.payload_length),
                frame.len() - spec.net_offset() - 40
            );
            let frag = h.exts.iter().find_map(|e| match *e {
                crate::util::Ext::Fragment { offset, more, id } => Some((offset, more, id)),
                _ => None,
            });
            prop_assert_eq!(
                ip.fragment
                    .map(|f| (f.fragment_offset, f.more_fragments, f.identification)),
                frag
            );
        }
        (want, got) => prop_assert!(false, "net {:?} decoded as {:?}", want, got),
    }
    let want_src: IpAddr = match &spec.net {
        NetSpec::V4(h) => h.src.into(),
        NetSpec::V6(h) => h.src.into(),
    };
    prop_assert_eq!(d.src_ip(), Some(want_src));
    prop_assert_eq!(d.transport_offset, spec.transport_offset());
    prop_assert_eq!(d.payload_offset, spec.payload_offset());
    prop_assert_eq!(d.ports(), Some(spec.ports()));
    prop_assert_eq!(d.ip_protocol(), Some(spec.ip_protocol()));
    match (&spec.transport, &d.transport) {
        (TransportSpec::Tcp(t), Transport::Tcp(s)) => {
            prop_assert_eq!(s.sequence_number, t.seq);
            prop_assert_eq!(s.acknowledgment_number, t.ack);
            prop_assert_eq!(s.header_len(), 20 + t.options_len);
            prop_assert_eq!(
                s.flags,
                TcpFlags(u16::from(t.flags) | (u16::from(t.ns) << 8))
            );
            prop_assert_eq!((s.window, s.urgent_pointer), (t.window, t.urgent));
        }
        (TransportSpec::Udp { .. }, Transport::Udp(u)) => {
            prop_assert_eq!(usize::from(u.length), 8 + spec.payload.len());
        }
        (want, got) => prop_assert!(false, "transport {:?} decoded as {:?}", want, got),
    }
    prop_assert_eq!(d.payload, &spec.payload[..]);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn pnet_built_frames_decode_to_their_fields(spec in frame_spec()) {
        let frame = spec.build();
        check_fields(&spec, &frame)?;
    }

    /// Differential check against etherparse's own lax slicer (which keeps
    /// at most three link extensions and stops at fragments).
    #[test]
    fn agrees_with_etherparse_lax_slicer(mut spec in frame_spec()) {
        spec.tags.truncate(3);
        match &mut spec.net {
            NetSpec::V4(h) => h.mf = false,
            NetSpec::V6(h) => {
                for e in &mut h.exts {
                    if let crate::util::Ext::Fragment { more, .. } = e {
                        *more = false;
                    }
                }
            }
        }
        let frame = spec.build();
        let ours = outer(&frame);
        let theirs = etherparse::LaxSlicedPacket::from_ethernet(&frame).unwrap();
        let ids: Vec<u16> = theirs.vlan_ids().iter().map(|v| v.value()).collect();
        prop_assert_eq!(ours.vlans.iter().collect::<Vec<_>>(), ids);
        let (src, dst) = match &theirs.net {
            Some(etherparse::LaxNetSlice::Ipv4(ip)) => (
                IpAddr::from(ip.header().source_addr()),
                IpAddr::from(ip.header().destination_addr()),
            ),
            Some(etherparse::LaxNetSlice::Ipv6(ip)) => (
                IpAddr::from(ip.header().source_addr()),
                IpAddr::from(ip.header().destination_addr()),
            ),
            other => return Err(TestCaseError::fail(format!("etherparse net {other:?}"))),
        };
        prop_assert_eq!((ours.src_ip(), ours.dst_ip()), (Some(src), Some(dst)));
        let (ports, payload) = match &theirs.transport {
            Some(etherparse::TransportSlice::Tcp(t)) => ((t.source_port(), t.destination_port()), t.payload()),
            Some(etherparse::TransportSlice::Udp(u)) => ((u.source_port(), u.destination_port()), u.payload()),
            other => return Err(TestCaseError::fail(format!("etherparse transport {other:?}"))),
        };
        prop_assert_eq!(ours.ports(), Some(ports));
        prop_assert_eq!(ours.payload, payload);
    }

    /// Any capture cut after the IP header is truncation, never an error;
    /// any cut inside the link or IP header is a truncation error whose
    /// offset lies inside the frame.
    #[test]
    fn every_snap_length_is_handled(spec in frame_spec(), cut in any::<proptest::sample::Index>()) {
        let frame = spec.build();
        let len = cut.index(frame.len() + 1);
        let d = outer(&frame[..len]);
        let fixed_ip = match spec.net { NetSpec::V4(ref h) => h.header_len(), NetSpec::V6(_) => 40 };
        if len >= spec.net_offset() + fixed_ip {
            prop_assert_eq!(d.error, None);
            prop_assert_eq!(d.truncated, len < frame.len());
            prop_assert!(d.src_ip().is_some());
            if len >= spec.transport_offset() + 4 {
                prop_assert_eq!(d.ports(), Some(spec.ports()));
            }
            prop_assert!(d.payload_offset + d.payload.len() <= len);
        } else {
            let e = d.error.expect("cut inside a header");
            prop_assert!(e.is_truncation());
            prop_assert!(e.offset <= len);
        }
    }

    /// Arbitrary bytes under every link type: no panic, and an error's
    /// offset always lies within the frame.
    #[test]
    fn arbitrary_bytes_never_panic(
        link in prop_oneof![
            Just(LinkType::NULL), Just(LinkType::ETHERNET), Just(LinkType::RAW),
            Just(LinkType::LOOP), Just(LinkType::LINUX_SLL), Just(LinkType::IPV4),
            Just(LinkType::IPV6), Just(LinkType::LINUX_SLL2), Just(LinkType(147)),
        ],
        bytes in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let d = decode(link, &bytes);
        if let Some(e) = d.error {
            prop_assert!(e.offset <= bytes.len(), "{:?} beyond {}", e, bytes.len());
        }
        prop_assert!(d.payload_offset + d.payload.len() <= bytes.len());
        if let Transport::Igmp(g) = d.transport {
            for r in g.records { let _ = r; }
        }
    }
}

/// Sets the upper-layer protocol number of a built frame, so the bytes
/// after the IP headers are read as another transport.
fn set_protocol(spec: &FrameSpec, frame: &mut [u8], protocol: u8) {
    let at = match &spec.net {
        NetSpec::V4(_) => spec.net_offset() + 9,
        NetSpec::V6(h) => match h.exts.split_last() {
            None => spec.net_offset() + 6,
            Some((_, before)) => {
                spec.net_offset() + 40 + before.iter().map(|e| e.len()).sum::<usize>()
            }
        },
    };
    frame[at] = protocol;
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// Valid frames with their transport bytes read as ICMP, IGMP, ICMPv6
    /// or MLD, then with random octets overwritten: no panic, offsets in
    /// bounds, and group records and sources iterate to completion.
    #[test]
    fn mutated_frames_never_panic(
        spec in frame_spec(),
        protocol in prop_oneof![Just(None), Just(Some(1u8)), Just(Some(2u8)), Just(Some(58u8))],
        mld_type in prop_oneof![Just(130u8), Just(131), Just(132), Just(143), Just(1), Just(3)],
        flips in proptest::collection::vec((any::<proptest::sample::Index>(), any::<u8>()), 0..6),
        snap in any::<proptest::sample::Index>(),
    ) {
        let mut frame = spec.build();
        if let Some(p) = protocol {
            set_protocol(&spec, &mut frame, p);
            if p == 58 {
                frame[spec.transport_offset()] = mld_type;
            }
        }
        for (at, value) in flips {
            let i = at.index(frame.len());
            frame[i] = value;
        }
        let len = snap.index(frame.len() + 1);
        let frame = &frame[..len];
        for orig_len in [frame.len(), frame.len() + 1000] {
            let d = decode_with_orig_len(LinkType::ETHERNET, frame, orig_len);
            if let Some(e) = d.error {
                prop_assert!(e.offset <= frame.len(), "{:?} beyond {}", e, frame.len());
            }
            prop_assert!(d.payload_offset + d.payload.len() <= frame.len());
            match d.transport {
                Transport::Igmp(g) => {
                    for r in g.records.flatten() {
                        prop_assert!(r.offset < frame.len());
                        let _ = r.sources.count();
                    }
                    if let Some(q) = g.query {
                        prop_assert!(q.sources.len() <= usize::from(q.number_of_sources));
                    }
                }
                Transport::Mld(m) => {
                    for r in m.records.flatten() {
                        prop_assert!(r.offset < frame.len());
                        let _ = r.sources.count();
                    }
                }
                _ => {}
            }
            let _ = (d.l3_name(), d.l4_name(), d.is_multicast(), d.is_broadcast(), d.ip_protocol());
        }
    }
}

//! Property: frames built by `pnet_packet` with random fields decode to the
//! fields they were built with, and reach the flow they belong to. This
//! adds what `crates/wire/tests/props.rs` leaves out: ICMP and ICMPv6
//! errors quoting a TCP or UDP packet (cut at any length that still holds
//! the ports) and echo exchanges, inside 802.1ad/802.1Q (QinQ) tag stacks,
//! followed through `route`, the flow table and the verdicts.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use pnet_packet::ethernet::{EtherType, MutableEthernetPacket};
use pnet_packet::icmp::{IcmpCode, IcmpType, MutableIcmpPacket};
use pnet_packet::icmpv6::{Icmpv6Code, Icmpv6Type, MutableIcmpv6Packet};
use pnet_packet::ip::IpNextHeaderProtocol;
use pnet_packet::ipv4::{self, MutableIpv4Packet};
use pnet_packet::ipv6::MutableIpv6Packet;
use pnet_packet::tcp::MutableTcpPacket;
use pnet_packet::udp::MutableUdpPacket;
use pnet_packet::vlan::{ClassOfService, MutableVlanPacket};
use proptest::prelude::*;

use portmatrix_capture::CaptureReader;
use portmatrix_engine::flow::Endpoint;
use portmatrix_engine::flow::{route, FlowKey, Routed, Transport};
use portmatrix_wire::{decode, LinkType, Transport as Wire};

use crate::gen;

/// (tpid, pcp, dei, vid), outer first.
type Tag = (u16, u8, u8, u16);

#[derive(Clone, Debug)]
struct Inner {
    v6: bool,
    src: IpAddr,
    dst: IpAddr,
    tcp: bool,
    sport: u16,
    dport: u16,
    seq: u32,
    ident: u16,
    payload: Vec<u8>,
}

#[derive(Clone, Debug)]
struct ErrorSpec {
    tags: Vec<Tag>,
    reporter: IpAddr,
    icmp_type: u8,
    code: u8,
    rest: [u8; 4],
    inner: Inner,
    /// Bytes of the invoking packet quoted: from its IP header + 8 to all.
    quote_extra: usize,
}

fn vlan_tag(pcp: u8, dei: u8, vid: u16, next: u16, payload: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; 4 + payload.len()];
    let mut v = MutableVlanPacket::new(&mut buf).unwrap();
    v.set_priority_code_point(ClassOfService(pcp));
    v.set_drop_eligible_indicator(dei);
    v.set_vlan_identifier(vid);
    v.set_ethertype(EtherType(next));
    v.set_payload(payload);
    buf
}

fn ether(tags: &[Tag], src: [u8; 6], dst: [u8; 6], ethertype: u16, payload: &[u8]) -> Vec<u8> {
    let mut inner = payload.to_vec();
    for (i, &(_, pcp, dei, vid)) in tags.iter().enumerate().rev() {
        let next = tags.get(i + 1).map_or(ethertype, |t| t.0);
        inner = vlan_tag(pcp, dei, vid, next, &inner);
    }
    let mut buf = vec![0u8; 14 + inner.len()];
    let mut e = MutableEthernetPacket::new(&mut buf).unwrap();
    e.set_destination(dst.into());
    e.set_source(src.into());
    e.set_ethertype(EtherType(tags.first().map_or(ethertype, |t| t.0)));
    e.set_payload(&inner);
    buf
}

fn ip(src: IpAddr, dst: IpAddr, proto: u8, ident: u16, payload: &[u8]) -> Vec<u8> {
    match (src, dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            let mut buf = vec![0u8; 20 + payload.len()];
            let mut p = MutableIpv4Packet::new(&mut buf).unwrap();
            p.set_version(4);
            p.set_header_length(5);
            p.set_total_length((20 + payload.len()) as u16);
            p.set_identification(ident);
            p.set_ttl(64);
            p.set_next_level_protocol(IpNextHeaderProtocol(proto));
            p.set_source(s);
            p.set_destination(d);
            p.set_payload(payload);
            let c = ipv4::checksum(&p.to_immutable());
            p.set_checksum(c);
            buf
        }
        (IpAddr::V6(s), IpAddr::V6(d)) => {
            let mut buf = vec![0u8; 40 + payload.len()];
            let mut p = MutableIpv6Packet::new(&mut buf).unwrap();
            p.set_version(6);
            p.set_payload_length(payload.len() as u16);
            p.set_next_header(IpNextHeaderProtocol(proto));
            p.set_hop_limit(64);
            p.set_source(s);
            p.set_destination(d);
            p.set_payload(payload);
            buf
        }
        _ => unreachable!("one family per packet"),
    }
}

fn transport(i: &Inner, flags: u8) -> (u8, Vec<u8>) {
    if i.tcp {
        let mut buf = vec![0u8; 20 + i.payload.len()];
        let mut t = MutableTcpPacket::new(&mut buf).unwrap();
        t.set_source(i.sport);
        t.set_destination(i.dport);
        t.set_sequence(i.seq);
        t.set_data_offset(5);
        t.set_flags(flags);
        t.set_window(8192);
        t.set_payload(&i.payload);
        (6, buf)
    } else {
        let mut buf = vec![0u8; 8 + i.payload.len()];
        let mut u = MutableUdpPacket::new(&mut buf).unwrap();
        u.set_source(i.sport);
        u.set_destination(i.dport);
        u.set_length((8 + i.payload.len()) as u16);
        u.set_payload(&i.payload);
        (17, buf)
    }
}

/// The invoking packet's IP datagram (a SYN for TCP).
fn invoking(i: &Inner) -> Vec<u8> {
    let (proto, l4) = transport(i, 0x02);
    ip(i.src, i.dst, proto, i.ident, &l4)
}

fn icmp_message(v6: bool, t: u8, code: u8, rest: [u8; 4], body: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; 8 + body.len()];
    if v6 {
        let mut p = MutableIcmpv6Packet::new(&mut buf).unwrap();
        p.set_icmpv6_type(Icmpv6Type(t));
        p.set_icmpv6_code(Icmpv6Code(code));
        p.set_payload(&[&rest[..], body].concat());
    } else {
        let mut p = MutableIcmpPacket::new(&mut buf).unwrap();
        p.set_icmp_type(IcmpType(t));
        p.set_icmp_code(IcmpCode(code));
        p.set_payload(&[&rest[..], body].concat());
        let c = pnet_packet::icmp::checksum(&p.to_immutable());
        p.set_checksum(c);
    }
    buf
}

fn ethertype(v6: bool) -> u16 {
    if v6 {
        0x86dd
    } else {
        0x0800
    }
}

impl ErrorSpec {
    fn header_len(&self) -> usize {
        if self.inner.v6 {
            40
        } else {
            20
        }
    }

    fn quoted_bytes(&self) -> Vec<u8> {
        let full = invoking(&self.inner);
        let keep = (self.header_len() + 8 + self.quote_extra).min(full.len());
        full[..keep].to_vec()
    }

    /// The error travelling back from the reporter to the invoking host.
    fn frame(&self) -> Vec<u8> {
        let v6 = self.inner.v6;
        let msg = icmp_message(
            v6,
            self.icmp_type,
            self.code,
            self.rest,
            &self.quoted_bytes(),
        );
        let proto = if v6 { 58 } else { 1 };
        let ip = ip(self.reporter, self.inner.src, proto, 7, &msg);
        ether(
            &self.tags,
            gen::mac_of(self.reporter),
            gen::mac_of(self.inner.src),
            ethertype(v6),
            &ip,
        )
    }

    /// The invoking packet itself, on the same tags.
    fn invoking_frame(&self) -> Vec<u8> {
        ether(
            &self.tags,
            gen::mac_of(self.inner.src),
            gen::mac_of(self.inner.dst),
            ethertype(self.inner.v6),
            &invoking(&self.inner),
        )
    }

    fn vlan_key(&self) -> u32 {
        let outer = self.tags.first().map_or(0, |t| t.3);
        let inner = self.tags.get(1).map_or(0, |t| t.3);
        u32::from(outer) << 16 | u32::from(inner)
    }

    fn is_unreachable(&self) -> bool {
        (self.inner.v6 && self.icmp_type == 1) || (!self.inner.v6 && self.icmp_type == 3)
    }
}

fn unicast_v4() -> impl Strategy<Value = IpAddr> {
    (1u8..224, any::<[u8; 3]>()).prop_map(|(a, r)| IpAddr::V4(Ipv4Addr::new(a, r[0], r[1], r[2])))
}

fn unicast_v6() -> impl Strategy<Value = IpAddr> {
    any::<[u16; 7]>().prop_map(|r| {
        IpAddr::V6(Ipv6Addr::new(
            0x2001,
            r[0],
            r[1],
            r[2],
            r[3],
            r[4],
            r[5],
            r[6] | 1,
        ))
    })
}

/// Tag stacks: none, one 802.1Q tag, or QinQ with an 802.1ad (or the older
/// 0x9100) service tag outside an 802.1Q customer tag.
fn tags() -> impl Strategy<Value = Vec<Tag>> {
    let tag = |tpid: u16| (Just(tpid), 0u8..8, 0u8..2, 1u16..4095);
    prop_oneof![
        Just(vec![]),
        tag(0x8100).prop_map(|t| vec![t]),
        (
            prop_oneof![Just(0x88a8u16), Just(0x9100)],
            0u8..8,
            0u8..2,
            1u16..4095,
            tag(0x8100)
        )
            .prop_map(|(tpid, p, d, v, inner)| vec![(tpid, p, d, v), inner]),
    ]
}

fn inner(v6: bool) -> impl Strategy<Value = Inner> {
    let addr = if v6 {
        unicast_v6().boxed()
    } else {
        unicast_v4().boxed()
    };
    (
        addr.clone(),
        addr,
        any::<bool>(),
        any::<u16>(),
        any::<u16>(),
        any::<u32>(),
        any::<u16>(),
        proptest::collection::vec(any::<u8>(), 0..40),
    )
        .prop_filter("two different hosts", |(s, d, ..)| s != d)
        .prop_map(
            move |(src, dst, tcp, sport, dport, seq, ident, payload)| Inner {
                v6,
                src,
                dst,
                tcp,
                sport,
                dport,
                seq,
                ident,
                payload,
            },
        )
}

fn error_spec() -> impl Strategy<Value = ErrorSpec> {
    any::<bool>().prop_flat_map(|v6| {
        let types = if v6 {
            prop_oneof![Just(1u8), Just(2), Just(3), Just(4)].boxed()
        } else {
            prop_oneof![Just(3u8), Just(4), Just(5), Just(11), Just(12)].boxed()
        };
        let reporter = if v6 {
            unicast_v6().boxed()
        } else {
            unicast_v4().boxed()
        };
        (
            tags(),
            reporter,
            types,
            0u8..16,
            any::<[u8; 4]>(),
            inner(v6),
            0usize..80,
            any::<bool>(),
        )
            .prop_map(
                |(tags, reporter, icmp_type, code, rest, inner, quote_extra, from_dst)| {
                    ErrorSpec {
                        tags,
                        // The destination itself, or a router on the way.
                        reporter: if from_dst { inner.dst } else { reporter },
                        icmp_type,
                        code,
                        rest,
                        inner,
                        quote_extra,
                    }
                },
            )
    })
}

fn endpoint(ip: IpAddr, port: u16) -> Endpoint {
    Endpoint { ip, port }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// The decoder gives back every field of the error and of its quote.
    #[test]
    fn icmp_errors_in_tag_stacks_decode_to_their_fields(spec in error_spec()) {
        let frame = spec.frame();
        let d = decode(LinkType::ETHERNET, &frame);
        prop_assert_eq!(d.error, None);
        let got_tags: Vec<Tag> = d
            .vlans
            .tags()
            .iter()
            .map(|t| (t.tpid, t.pcp(), u8::from(t.dei()), t.vid()))
            .collect();
        prop_assert_eq!(&got_tags, &spec.tags);
        prop_assert_eq!(d.src_ip(), Some(spec.reporter));
        prop_assert_eq!(d.dst_ip(), Some(spec.inner.src));
        let icmp = match (&d.transport, spec.inner.v6) {
            (Wire::Icmpv4(i), false) | (Wire::Icmpv6(i), true) => i,
            (other, _) => return Err(TestCaseError::fail(format!("transport {other:?}"))),
        };
        prop_assert_eq!((icmp.icmp_type, icmp.code), (spec.icmp_type, spec.code));
        prop_assert_eq!(icmp.rest_of_header, spec.rest);
        let q = icmp.quoted.expect("an error quotes its invoking packet");
        prop_assert_eq!(q.source_address, spec.inner.src);
        prop_assert_eq!(q.destination_address, spec.inner.dst);
        prop_assert_eq!(q.protocol, if spec.inner.tcp { 6 } else { 17 });
        prop_assert_eq!(q.ports, Some((spec.inner.sport, spec.inner.dport)));
        prop_assert_eq!(
            q.tcp_sequence_number,
            spec.inner.tcp.then_some(spec.inner.seq)
        );
        prop_assert_eq!(
            q.identification,
            (!spec.inner.v6).then_some(spec.inner.ident)
        );
    }

    /// The flow router sends the error to the quoted flow's key, with the
    /// QinQ tags, and names the reporter.
    #[test]
    fn icmp_errors_route_to_the_quoted_flow(spec in error_spec()) {
        let frame = spec.frame();
        let d = decode(LinkType::ETHERNET, &frame);
        let routed = route(&d, 42).expect("an error is routed");
        let t = if spec.inner.tcp { Transport::Tcp } else { Transport::Udp };
        let (want, _) = FlowKey::new(
            spec.vlan_key(),
            t,
            endpoint(spec.inner.src, spec.inner.sport),
            endpoint(spec.inner.dst, spec.inner.dport),
        );
        match routed {
            Routed::IcmpError { key, err, .. } => {
                let (src, dst) = routed.endpoints();
                prop_assert_eq!(key, want);
                prop_assert_eq!(src, endpoint(spec.inner.src, spec.inner.sport));
                prop_assert_eq!(dst, endpoint(spec.inner.dst, spec.inner.dport));
                prop_assert_eq!((err.v6, err.icmp_type, err.code), (spec.inner.v6, spec.icmp_type, spec.code));
                prop_assert_eq!(err.reporter, spec.reporter);
                prop_assert_eq!(err.ts_ns, 42);
            }
            other => return Err(TestCaseError::fail(format!("routed as {other:?}"))),
        }
        // The invoking packet itself has the same key.
        let inv = spec.invoking_frame();
        let di = decode(LinkType::ETHERNET, &inv);
        let r = route(&di, 41).expect("a TCP/UDP packet is routed");
        prop_assert_eq!(*r.key(), want);
    }

    /// Through the whole analysis: the invoking packet and its error make
    /// one flow carrying the error; an unreachable error with no reply
    /// blocks it. Without the invoking packet, the error alone makes the
    /// flow (`seen-only-in-icmp`).
    #[test]
    fn icmp_errors_attach_to_their_flow(spec in error_spec(), with_packet in any::<bool>()) {
        let mut w = gen::Pcap::new(1);
        let t0 = 1_700_000_000_000_000_000i64;
        if with_packet {
            w.add(t0, &spec.invoking_frame());
        }
        w.add(t0 + 1_000_000, &spec.frame());
        let bytes = w.into_bytes();
        let mut reader = CaptureReader::new(&bytes[..]).unwrap();
        let (report, flows) = gen::analyse(&mut reader, gen::options(1000, 1), None);
        prop_assert_eq!(report.input.packets, 1 + u64::from(with_packet));
        prop_assert_eq!(flows.len(), 1, "{:?}", flows);
        let f = &flows[0];
        prop_assert_eq!(f.packets, u64::from(with_packet));
        prop_assert_eq!(f.icmp_errors.len(), 1);
        let e = &f.icmp_errors[0];
        prop_assert_eq!((e.icmp_type, e.code), (spec.icmp_type, spec.code));
        prop_assert_eq!(&e.from, &spec.reporter.to_string());
        prop_assert_eq!(e.family, if spec.inner.v6 { "icmpv6" } else { "icmp" });
        let outer = spec.tags.first().map(|t| t.3);
        let inner_vlan = spec.tags.get(1).map(|t| t.3);
        prop_assert_eq!((f.vlan, f.inner_vlan), (outer, inner_vlan));
        let ends = [
            (f.src_ip.clone().unwrap_or_default(), f.src_port),
            (f.dst_ip.clone().unwrap_or_default(), f.dst_port),
        ];
        let want_a = (spec.inner.src.to_string(), spec.inner.sport);
        let want_b = (spec.inner.dst.to_string(), spec.inner.dport);
        prop_assert!(
            ends == [want_a.clone(), want_b.clone()] || ends == [want_b, want_a],
            "flow endpoints {:?}", ends
        );
        let only_icmp = f.findings.iter().any(|x| x.kind == "seen-only-in-icmp");
        prop_assert_eq!(only_icmp, !with_packet);
        // Unreachable and never answered (a UDP packet from a service port
        // to an ephemeral one is turned round, so its sender is the responder).
        if spec.is_unreachable() && f.packets_rev == 0 {
            prop_assert_eq!(f.verdict.name(), "blocked");
            prop_assert!(f.blocked_kind.is_some_and(|k| k.starts_with("icmp-")));
        }
    }

    /// Echo request and reply under random tags and identifiers: one ICMP
    /// flow, keyed by the identifier, one packet each way
    /// (`docs/verdicts.md`: "ICMP echo and similar request/reply pairs
    /// share one flow keyed by their identifier").
    #[test]
    fn echo_exchanges_make_one_flow(
        tags in tags(),
        v6 in any::<bool>(),
        a4 in unicast_v4(), b4 in unicast_v4(),
        a6 in unicast_v6(), b6 in unicast_v6(),
        id in any::<u16>(), seq in any::<u16>(),
        body in proptest::collection::vec(any::<u8>(), 0..64),
    ) {
        let (a, b) = if v6 { (a6, b6) } else { (a4, b4) };
        prop_assume!(a != b);
        let (req_t, rep_t, proto) = if v6 { (128u8, 129u8, 58u8) } else { (8, 0, 1) };
        let mut rest = [0u8; 4];
        rest[..2].copy_from_slice(&id.to_be_bytes());
        rest[2..].copy_from_slice(&seq.to_be_bytes());
        let req = ip(a, b, proto, 1, &icmp_message(v6, req_t, 0, rest, &body));
        let rep = ip(b, a, proto, 2, &icmp_message(v6, rep_t, 0, rest, &body));
        let req = ether(&tags, gen::mac_of(a), gen::mac_of(b), ethertype(v6), &req);
        let rep = ether(&tags, gen::mac_of(b), gen::mac_of(a), ethertype(v6), &rep);
        let mut w = gen::Pcap::new(1);
        let t0 = 1_700_000_000_000_000_000i64;
        w.add(t0, &req);
        w.add(t0 + 500_000, &rep);
        let bytes = w.into_bytes();
        let d = decode(LinkType::ETHERNET, &req);
        let got = d.icmp().map(|i| (i.icmp_type, i.identifier(), i.sequence_number()));
        prop_assert_eq!(got, Some((req_t, id, seq)));
        let mut reader = CaptureReader::new(&bytes[..]).unwrap();
        let (_, flows) = gen::analyse(&mut reader, gen::options(1000, 1), None);
        prop_assert_eq!(flows.len(), 1, "{:?}", flows);
        let f = &flows[0];
        prop_assert_eq!(f.transport, if v6 { "icmpv6" } else { "icmp" });
        prop_assert_eq!(
            (f.src_ip.clone(), f.dst_ip.clone()),
            (Some(a.to_string()), Some(b.to_string()))
        );
        prop_assert_eq!((f.src_port, f.dst_port), (u16::from(req_t), id));
        prop_assert_eq!((f.packets_fwd, f.packets_rev), (1, 1));
        prop_assert_eq!((f.vlan, f.inner_vlan), (tags.first().map(|t| t.3), tags.get(1).map(|t| t.3)));
    }
}

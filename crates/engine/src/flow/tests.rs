//! Flow-table behaviour: initiators, re-opened connections, timeouts, ICMP.

use super::route::icmp_ports;
use super::*;
use portmatrix_wire::{LinkType, PacketFacts};
use std::net::Ipv4Addr;

const CLIENT: [u8; 4] = [192, 0, 2, 10];
const SERVER: [u8; 4] = [198, 51, 100, 20];

fn ep(a: [u8; 4], port: u16) -> Endpoint {
    Endpoint {
        ip: IpAddr::V4(Ipv4Addr::from(a)),
        port,
    }
}

/// Feeds TCP segments `(from, to, flags, seq, len, ms)` to one flow table
/// and returns its flows.
fn tcp_flows(pkts: &[(Endpoint, Endpoint, &str, u32, u32, i64)]) -> Vec<Flow> {
    let mut table = FlowTable::new(FlowConfig::default());
    let facts = PacketFacts::empty(LinkType::ETHERNET);
    for (i, &(src, dst, flags, seq, len, ms)) in pkts.iter().enumerate() {
        let (key, src_is_lo) = FlowKey::new(0, Transport::Tcp, src, dst);
        let seg = Segment {
            syn: flags.contains('S'),
            ack: flags.contains('A'),
            fin: flags.contains('F'),
            rst: flags.contains('R'),
            seq,
            len,
            ack_no: 0,
        };
        let routed = Routed::Packet {
            key,
            src_is_lo,
            tcp: Some(seg),
        };
        table.observe(
            i as u64 + 1,
            ms * 1_000_000,
            60,
            &routed,
            &PacketInfo::from_facts(&facts),
            &WellKnownPorts,
        );
    }
    table.finish().0
}

fn summary(f: &Flow) -> (u16, u16, &'static str, String, [u64; 2]) {
    (
        f.orig.port,
        f.resp.port,
        f.conn_state(),
        f.history.clone(),
        f.packets,
    )
}

// Expected values follow Zeek's TCP analyzer: `IsReuse` for new
// connections on the same ports, `WantConnection` and
// `TCP_Endpoint::CheckHistory` for flipping the roles.

#[test]
fn a_syn_after_a_reset_starts_a_new_connection_even_with_the_same_isn() {
    let (c, s) = (ep(CLIENT, 52478), ep(SERVER, 8554));
    let flows = tcp_flows(&[
        (c, s, "S", 100, 0, 0),
        (s, c, "RA", 0, 0, 1),
        (c, s, "S", 100, 0, 500),
        (c, s, "S", 100, 0, 501),
        (s, c, "SA", 900, 0, 502),
        (c, s, "A", 101, 0, 503),
    ]);
    let got: Vec<_> = flows.iter().map(summary).collect();
    assert_eq!(
        got,
        vec![
            (52478, 8554, "REJ", "Sr".to_string(), [1, 1]),
            (52478, 8554, "S1", "ShA".to_string(), [3, 1]),
        ]
    );
}

#[test]
fn a_syn_with_a_new_isn_starts_a_new_attempt_a_retransmission_does_not() {
    let (c, s) = (ep(CLIENT, 40000), ep(SERVER, 1720));
    let flows = tcp_flows(&[
        (c, s, "S", 100, 0, 0),
        (c, s, "S", 100, 0, 1000),
        (c, s, "S", 7777, 0, 3000),
    ]);
    let got: Vec<_> = flows.iter().map(summary).collect();
    assert_eq!(
        got,
        vec![
            (40000, 1720, "S0", "S".to_string(), [2, 0]),
            (40000, 1720, "S0", "S".to_string(), [1, 0]),
        ]
    );
}

#[test]
fn a_syn_ack_from_a_service_port_is_flipped_at_once() {
    let (c, s) = (ep(CLIENT, 51000), ep(SERVER, 443));
    let flows = tcp_flows(&[(s, c, "SA", 900, 0, 0)]);
    assert_eq!(
        summary(&flows[0]),
        (51000, 443, "OTH", "^h".to_string(), [0, 1])
    );
}

#[test]
fn a_lone_syn_ack_between_unlisted_ports_is_not_flipped() {
    // Zeek keeps the SYN-ACK's sender as originator (a scan's backscatter
    // looks like this); the receiver's RST then rejects it.
    let (a, b) = (ep(CLIENT, 2721), ep(SERVER, 58999));
    let flows = tcp_flows(&[(b, a, "SA", 900, 0, 0), (a, b, "R", 1, 0, 1)]);
    assert_eq!(
        summary(&flows[0]),
        (58999, 2721, "REJ", "Hr".to_string(), [1, 1])
    );
    assert!(!flows[0].tcp.as_ref().unwrap().refused);
}

#[test]
fn the_first_ack_after_a_lone_syn_ack_flips_the_flow_and_its_counters() {
    let (a, b) = (ep(CLIENT, 50000), ep(SERVER, 50001));
    let flows = tcp_flows(&[
        (b, a, "SA", 900, 0, 0),
        (a, b, "A", 101, 0, 1),
        (a, b, "A", 101, 10, 2),
    ]);
    assert_eq!(flows.len(), 1);
    let f = &flows[0];
    assert_eq!(
        summary(f),
        (50000, 50001, "OTH", "^hAD".to_string(), [2, 1])
    );
    assert_eq!(f.orig, a);
    assert!(f.tcp.as_ref().unwrap().flipped);
}

#[test]
fn a_syn_ack_whose_own_sender_then_acks_is_flipped_with_its_packets() {
    // Zeek's core.conn-size-flip baseline (tcp/one-sided-2745.pcap):
    // history `^haf`, orig_pkts 0, resp_pkts 3: the SYN-ACK's sender is
    // the responder once its own ACK has flipped the connection.
    let (a, b) = (ep(CLIENT, 2745), ep(SERVER, 1433));
    let flows = tcp_flows(&[
        (b, a, "SA", 900, 0, 0),
        (b, a, "A", 901, 0, 1),
        (b, a, "FA", 901, 0, 2),
    ]);
    assert_eq!(
        summary(&flows[0]),
        (2745, 1433, "SHR", "^haf".to_string(), [0, 3])
    );
    assert_eq!(flows[0].resp, b);
}

#[test]
fn a_flow_idle_for_exactly_its_timeout_has_expired() {
    // Zeek's inactivity timer expires a connection when
    // `last_time + timeout <= now`: its core.expire-all-timers baseline
    // logs a retransmission 300 s after the last packet as a second
    // connection (`Da` OTH, then `D` OTH).
    let (c, s) = (ep(CLIENT, 51889), ep(SERVER, 80));
    let flows = tcp_flows(&[
        (c, s, "A", 1001, 18, 0),
        (s, c, "A", 2001, 0, 0),
        (c, s, "A", 1001, 18, 300_000),
    ]);
    let got: Vec<_> = flows.iter().map(summary).collect();
    assert_eq!(
        got,
        vec![
            (51889, 80, "OTH", "Da".to_string(), [1, 1]),
            (51889, 80, "OTH", "D".to_string(), [1, 0]),
        ]
    );
    let flows = tcp_flows(&[(c, s, "A", 1001, 18, 0), (c, s, "A", 1001, 18, 299_999)]);
    assert_eq!(flows.len(), 1);
}

#[test]
fn an_echo_request_and_its_reply_share_one_key() {
    let (a, b) = (ep(CLIENT, 0), ep(SERVER, 0));
    for (v6, req, rep) in [(false, 8u8, 0u8), (true, 128, 129)] {
        for id in [0u16, 8, 0x1234, u16::MAX] {
            let (rs, rd) = icmp_ports(v6, req, 0, id);
            let (ps, pd) = icmp_ports(v6, rep, 0, id);
            assert_eq!((rs, rd), (u16::from(req), id));
            let t = if v6 {
                Transport::Icmpv6
            } else {
                Transport::Icmp
            };
            let request =
                FlowKey::new(0, t, Endpoint { port: rs, ..a }, Endpoint { port: rd, ..b });
            let reply = FlowKey::new(0, t, Endpoint { port: ps, ..b }, Endpoint { port: pd, ..a });
            assert_eq!(request.0, reply.0, "type {req}/{rep}, id {id}");
        }
    }
    // Other messages keep type and code.
    assert_eq!(icmp_ports(false, 3, 3, 77), (3, 3));
}

#[test]
fn an_icmp_error_after_the_quoted_flow_expired_starts_a_new_flow() {
    let (c, s) = (ep(CLIENT, 40000), ep(SERVER, 161));
    let (key, src_is_lo) = FlowKey::new(0, Transport::Udp, c, s);
    let facts = PacketFacts::empty(LinkType::ETHERNET);
    let packet = Routed::Packet {
        key,
        src_is_lo,
        tcp: None,
    };
    let error = |ts_ns| Routed::IcmpError {
        key,
        src_is_lo,
        err: IcmpError {
            v6: false,
            icmp_type: 3,
            code: 3,
            reporter: s.ip,
            ts_ns,
        },
    };
    let sec = 1_000_000_000;
    let (o1, o2) = (ep(CLIENT, 40001), ep(SERVER, 53));
    let (other_key, other_src_is_lo) = FlowKey::new(0, Transport::Udp, o1, o2);
    let other = Routed::Packet {
        key: other_key,
        src_is_lo: other_src_is_lo,
        tcp: None,
    };
    let mut table = FlowTable::new(FlowConfig::default());
    table.observe(
        1,
        0,
        60,
        &packet,
        &PacketInfo::from_facts(&facts),
        &WellKnownPorts,
    );
    table.observe(
        2,
        30 * sec,
        70,
        &error(30 * sec),
        &PacketInfo::from_facts(&facts),
        &WellKnownPorts,
    );
    // A sweep at 59.5 s keeps the flow (idle 59.5 s: errors do not
    // refresh it); none runs at 60.4 s, when it has been idle for 60.4 s.
    table.observe(
        3,
        59 * sec + sec / 2,
        60,
        &other,
        &PacketInfo::from_facts(&facts),
        &WellKnownPorts,
    );
    let late = 60 * sec + 4 * sec / 10;
    table.observe(
        4,
        late,
        70,
        &error(late),
        &PacketInfo::from_facts(&facts),
        &WellKnownPorts,
    );
    let (flows, _) = table.finish();
    let quoted: Vec<_> = flows
        .iter()
        .filter(|f| f.key == key)
        .map(|f| (f.icmp_error_count, f.quoted_only))
        .collect();
    assert_eq!(quoted, vec![(1, false), (1, true)]);
}

#[test]
fn a_syn_captured_after_its_syn_ack_stays_in_the_connection() {
    // Zeek numbers the silent originator from the SYN-ACK's ACK, so the
    // late SYN is no reuse.
    let (c, s) = (ep(CLIENT, 51000), ep(SERVER, 80));
    let flows = tcp_flows(&[
        (s, c, "SA", 900, 0, 0),
        (c, s, "S", 100, 0, 1),
        (c, s, "A", 101, 0, 2),
    ]);
    assert_eq!(flows.len(), 1);
    assert_eq!(
        summary(&flows[0]),
        (51000, 80, "OTH", "^hSA".to_string(), [2, 1])
    );
}

/// An Ethernet frame `dst, src, [802.1Q tag vid], ethertype, payload`.
fn ether_frame(dst: [u8; 6], src: [u8; 6], vid: Option<u16>, et: u16, payload: &[u8]) -> Vec<u8> {
    let mut f = Vec::new();
    f.extend_from_slice(&dst);
    f.extend_from_slice(&src);
    if let Some(v) = vid {
        f.extend_from_slice(&0x8100u16.to_be_bytes());
        f.extend_from_slice(&v.to_be_bytes());
    }
    f.extend_from_slice(&et.to_be_bytes());
    f.extend_from_slice(payload);
    f
}

/// Frames without IP become flows only when a detector knew them: PTP over
/// Ethernet (IEEE 1588-2008 Annex F) does, keyed by VLAN and MAC
/// addresses, with a multicast destination; ARP and an unknown EtherType
/// carrying the same bytes do not.
#[test]
fn only_recognised_frames_without_ip_become_flows() {
    // A PTPv2 Sync, 44 octets (IEEE 1588-2008 §13.3), padded to 46.
    let mut sync = vec![0u8; 46];
    sync[1] = 0x02;
    sync[2..4].copy_from_slice(&44u16.to_be_bytes());
    let group = [0x01, 0x1b, 0x19, 0, 0, 0];
    let src = [0x02, 0, 0, 0, 0, 0x0a];
    let route = |frame: &[u8]| {
        let facts = portmatrix_wire::decode(LinkType::ETHERNET, frame);
        let info = PacketInfo::from_facts(&facts);
        (route(&facts, 0), route_ether(&facts, &info), info)
    };
    let f = ether_frame(group, src, Some(20), 0x88f7, &sync);
    let (ip, l2, info) = route(&f);
    assert!(ip.is_none());
    let l2 = l2.expect("PTP over Ethernet is a flow");
    let (s, d) = l2.endpoints();
    assert_eq!((s.mac(), d.mac()), (Some(src), Some(group)));
    assert_eq!(l2.key().transport, Transport::Ether(0x88f7));
    assert_eq!(l2.key().vlan, 20 << 16);
    let mut table = FlowTable::new(FlowConfig::default());
    table.observe(1, 0, f.len() as u32, &l2, &info, &WellKnownPorts);
    let (flows, _) = table.finish();
    assert_eq!(flows.len(), 1);
    assert_eq!(flows[0].dest_kind, DestKind::Multicast);
    assert!(flows[0].is_ether());
    assert_eq!(flows[0].orig.mac(), Some(src));
    for et in [0x0806, 0x88cc] {
        let (ip, l2, _) = route(&ether_frame(group, src, None, et, &sync));
        assert!(ip.is_none() && l2.is_none(), "EtherType {et:#06x}");
    }
}

//! Messages laid out by hand from IEEE 1588-2008 §13.3/§13.5 (v2) and
//! IEEE 1588-2002 §6.2.3/§6.2.4 as tabled in the project's domain notes
//! (v1); the timing scenarios are built here and their expected findings
//! follow from the definitions in `docs/verdicts.md`.

use super::tracker::Tracker;
use super::*;

/// A v2 message of `len` octets: type, domain, clock, sequence, interval.
fn v2(t: u8, len: usize, domain: u8, clock: [u8; 8], seq: u16, log: i8) -> Vec<u8> {
    let mut b = vec![0u8; len];
    b[0] = t;
    b[1] = 0x02;
    b[2..4].copy_from_slice(&(len as u16).to_be_bytes());
    b[4] = domain;
    b[20..28].copy_from_slice(&clock);
    b[28..30].copy_from_slice(&1u16.to_be_bytes());
    b[30..32].copy_from_slice(&seq.to_be_bytes());
    b[33] = log as u8;
    b
}

fn announce(domain: u8, clock: [u8; 8], gm: [u8; 8], p1: u8, seq: u16) -> Vec<u8> {
    let mut b = v2(0x0b, 64, domain, clock, seq, 1);
    b[47] = p1;
    b[48] = 6; // clockClass
    b[49] = 0x21; // clockAccuracy
    b[52] = 128; // priority2
    b[53..61].copy_from_slice(&gm);
    b[61..63].copy_from_slice(&1u16.to_be_bytes());
    b
}

/// A v1 Sync (124 octets) from `uuid` in subdomain `_DFLT`.
fn v1_sync(uuid: [u8; 6], gm: [u8; 6], seq: u16) -> Vec<u8> {
    let mut b = vec![0u8; 124];
    b[0..2].copy_from_slice(&1u16.to_be_bytes());
    b[2..4].copy_from_slice(&1u16.to_be_bytes());
    b[4..9].copy_from_slice(b"_DFLT");
    b[20] = 1; // event
    b[21] = 1; // Ethernet
    b[22..28].copy_from_slice(&uuid);
    b[28..30].copy_from_slice(&1u16.to_be_bytes());
    b[30..32].copy_from_slice(&seq.to_be_bytes());
    b[32] = 0; // Sync
    b[54..60].copy_from_slice(&gm);
    b[67] = 4; // stratum
    b[68..72].copy_from_slice(b"DFLT");
    b[77] = 1; // preferred
    b[83] = (-2i8) as u8; // syncInterval
    b[90..92].copy_from_slice(&0u16.to_be_bytes());
    b
}

fn udp(port: u16, payload: &[u8]) -> Option<PtpSample> {
    match probe(&Probe {
        transport: Transport::Udp,
        src_port: port,
        dst_port: port,
        payload,
    })? {
        Sample::Ptp(s) => Some(s),
        _ => None,
    }
}

fn ether(et: u16, payload: &[u8]) -> Option<PtpSample> {
    match probe(&Probe {
        transport: Transport::Ether(et),
        src_port: 0,
        dst_port: 0,
        payload,
    })? {
        Sample::Ptp(s) => Some(s),
        _ => None,
    }
}

const A: [u8; 8] = [0x00, 0x1d, 0xc1, 0xff, 0xfe, 0x01, 0x02, 0x03];
const B: [u8; 8] = [0xac, 0xde, 0x48, 0xff, 0xfe, 0x00, 0x11, 0x22];

#[test]
fn v2_sync_over_udp_and_ethernet() {
    let sync = v2(0x00, 44, 127, A, 4711, -3);
    let s = udp(319, &sync).expect("a v2 Sync on 319 is PTP");
    assert_eq!(
        (s.version, s.kind, s.domain),
        (2, Kind::Sync, Domain::Number(127))
    );
    assert_eq!((s.sequence_id, s.log_interval, s.clock), (4711, -3, A));
    assert_eq!((s.port_number, s.dst_port), (1, 319));
    assert_eq!(s.clock_text(), "001dc1.fffe.010203");
    assert!(!s.wrong_port());
    // Ethernet pads a 44-octet message to 46 octets of payload.
    let mut padded = sync.clone();
    padded.extend_from_slice(&[0, 0]);
    let e = ether(0x88f7, &padded).expect("EtherType 0x88F7");
    assert_eq!((e.dst_port, e.kind), (0, Kind::Sync));
    // Not PTP: another port, another EtherType, a reserved type, a
    // messageLength beyond the payload.
    assert_eq!(udp(5004, &sync), None);
    assert_eq!(ether(0x0800, &sync), None);
    assert_eq!(udp(319, &v2(0x05, 44, 0, A, 1, 0)), None);
    assert_eq!(udp(319, &sync[..40]), None);
}

#[test]
fn announce_carries_the_grandmaster() {
    let s = udp(320, &announce(0, A, B, 128, 9)).expect("Announce");
    assert_eq!(s.kind, Kind::Announce);
    assert_eq!(
        s.grandmaster,
        Some(Grandmaster::V2 {
            identity: B,
            priority1: 128,
            priority2: 128,
            clock_class: 6,
            clock_accuracy: 0x21,
            steps_removed: 1,
        })
    );
}

#[test]
fn v1_sync_carries_subdomain_and_grandmaster() {
    let s = udp(
        319,
        &v1_sync([0, 0x1d, 0xc1, 9, 8, 7], [0, 0x1d, 0xc1, 1, 1, 1], 3),
    )
    .expect("v1");
    assert_eq!((s.version, s.kind, s.log_interval), (1, Kind::Sync, -2));
    assert_eq!(s.domain.report(), DomainReport::Name("_DFLT".into()));
    assert_eq!(s.clock_text(), "00:1d:c1:09:08:07");
    let gm = GrandmasterReport::of(&s.grandmaster.expect("grandmaster"));
    assert_eq!(gm.identity, "00:1d:c1:01:01:01");
    assert_eq!((gm.stratum, gm.preferred), (Some(4), Some(true)));
    assert_eq!(gm.identifier.as_deref(), Some("DFLT"));
    // messageType 3 is neither event (1) nor general (2).
    let mut bad = v1_sync([0; 6], [0; 6], 1);
    bad[20] = 3;
    assert_eq!(udp(319, &bad), None);
}

#[test]
fn event_and_general_messages_on_the_wrong_port() {
    let a = udp(319, &announce(0, A, A, 128, 1)).unwrap();
    let s = udp(320, &v2(0x00, 44, 0, A, 1, 0)).unwrap();
    let f = udp(320, &v2(0x08, 44, 0, A, 1, 0)).unwrap();
    let p = udp(320, &v2(0x03, 54, 0, A, 1, 0x7f)).unwrap();
    assert!(a.wrong_port() && s.wrong_port() && p.wrong_port());
    assert!(!f.wrong_port());
    let mut st = PtpState::default();
    let cfg = super::super::DetectConfig::default();
    let up = Update {
        dir: 0,
        ts_ns: 0,
        payload_len: 44,
        config: &cfg,
        dst: crate::flow::Endpoint {
            ip: std::net::IpAddr::V4(std::net::Ipv4Addr::new(224, 0, 1, 129)),
            port: 319,
        },
        announced: None,
    };
    for x in [a, s, f] {
        st.update(&up, &Sample::Ptp(x));
    }
    let kinds: Vec<&str> = st.findings().iter().map(|f| f.kind).collect();
    assert_eq!(kinds, ["ptp-wrong-port"]);
    st.update(
        &up,
        &Sample::Ptp(udp(319, &v1_sync([1; 6], [1; 6], 1)).unwrap()),
    );
    let kinds: Vec<&str> = st.findings().iter().map(|f| f.kind).collect();
    assert_eq!(kinds, ["ptp-wrong-port", "ptp-versions-mixed"]);
}

const S: i64 = 1_000_000_000;

fn kinds(t: &Tracker) -> Vec<&'static str> {
    t.report()
        .map(|r| r.findings.iter().map(|f| f.kind).collect())
        .unwrap_or_default()
}

#[test]
fn rates_and_delay_mechanism() {
    let mut t = Tracker::default();
    assert!(t.report().is_none());
    // 9 Syncs 125 ms apart (8/s), Announce every 2 s, Delay_Req/Resp.
    for i in 0..9 {
        let s = udp(319, &v2(0x00, 44, 0, A, i, -3)).unwrap();
        t.observe(i64::from(i) * S / 8, &s, None);
    }
    for i in 0..3 {
        let a = udp(320, &announce(0, A, A, 128, i)).unwrap();
        t.observe(i64::from(i) * 2 * S, &a, None);
    }
    t.observe(S, &udp(319, &v2(0x01, 44, 0, B, 1, 0x7f)).unwrap(), None);
    t.observe(S, &udp(320, &v2(0x09, 54, 0, A, 1, 0)).unwrap(), None);
    let r = t.report().unwrap();
    let d = &r.domains[0];
    assert_eq!(d.sync.len(), 1);
    assert_eq!(d.sync[0].clock, "001dc1.fffe.010203");
    assert_eq!(d.sync[0].per_second, Some(8.0));
    assert_eq!(d.sync[0].log_interval, Some(-3));
    assert_eq!(d.announce[0].per_second, Some(0.5));
    assert_eq!(d.delay_mechanism, Some("e2e"));
    assert_eq!(d.clocks.len(), 2);
    assert_eq!(d.grandmasters.len(), 1);
    assert_eq!(d.grandmasters[0].periods.len(), 1);
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    // Peer delay to the 802.1AS / 1588 Annex F peer-delay group.
    let group = crate::flow::Endpoint::of_mac([0x01, 0x80, 0xc2, 0, 0, 0x0e]);
    let p = ether(0x88f7, &v2(0x02, 54, 0, B, 1, 0x7f)).unwrap();
    t.observe(2 * S, &p, Some(&group));
    let d = &t.report().unwrap().domains[0];
    assert_eq!(d.delay_mechanism, Some("e2e+p2p"));
    assert_eq!(d.pdelay_to, ["01:80:c2:00:00:0e"]);
}

#[test]
fn a_handover_is_a_change_and_a_long_overlap_is_two_grandmasters() {
    // A announces for 20 s, then B takes over (one overlapping Announce).
    let mut t = Tracker::default();
    for i in 0..10 {
        t.observe(
            i * 2 * S,
            &udp(320, &announce(0, A, A, 128, 0)).unwrap(),
            None,
        );
    }
    for i in 8..20 {
        t.observe(
            i * 2 * S + S,
            &udp(320, &announce(0, B, B, 100, 0)).unwrap(),
            None,
        );
    }
    assert_eq!(kinds(&t), ["ptp-grandmaster-change"]);
    // B announces itself for 2 s while A stays grandmaster: a transient.
    let mut t = Tracker::default();
    for i in 0..10 {
        t.observe(
            i * 2 * S,
            &udp(320, &announce(0, A, A, 128, 0)).unwrap(),
            None,
        );
    }
    for i in 2..4 {
        t.observe(
            i * S + S / 2,
            &udp(320, &announce(0, B, B, 200, 0)).unwrap(),
            None,
        );
    }
    assert_eq!(kinds(&t), Vec::<&str>::new());
    // A and B both announce, interleaved, for 40 s.
    let mut t = Tracker::default();
    for i in 0..20 {
        t.observe(
            i * 2 * S,
            &udp(320, &announce(0, A, A, 128, 0)).unwrap(),
            None,
        );
        t.observe(
            i * 2 * S + S,
            &udp(320, &announce(0, B, B, 128, 0)).unwrap(),
            None,
        );
    }
    assert_eq!(kinds(&t), ["ptp-two-grandmasters"]);
    // A goes silent for longer than the receipt timeout and comes back
    // after B: two changes, no overlap.
    let mut t = Tracker::default();
    for (clock, from, to) in [(A, 0, 10), (B, 11, 20), (A, 21, 30)] {
        for i in from..to {
            t.observe(
                i * 2 * S,
                &udp(320, &announce(0, clock, clock, 128, 0)).unwrap(),
                None,
            );
        }
    }
    let r = t.report().unwrap();
    assert_eq!(kinds(&t), ["ptp-grandmaster-change"]);
    assert!(r.findings[0].detail.contains("changed 2 time(s)"));
    let a = r.domains[0]
        .grandmasters
        .iter()
        .find(|g| g.grandmaster.identity == "001dc1.fffe.010203")
        .unwrap();
    assert_eq!(a.periods.len(), 2);
}

#[test]
fn versions_and_domains() {
    let mut t = Tracker::default();
    t.observe(0, &udp(319, &v2(0x00, 44, 0, A, 1, 0)).unwrap(), None);
    t.observe(S, &udp(319, &v2(0x00, 44, 127, B, 1, 0)).unwrap(), None);
    t.observe(2 * S, &udp(319, &v1_sync([1; 6], [1; 6], 1)).unwrap(), None);
    assert_eq!(kinds(&t), ["ptp-versions-mixed", "ptp-domains-differ"]);
    let r = t.report().unwrap();
    assert_eq!(r.versions, [1, 2]);
    let domains: Vec<String> = r.domains.iter().map(|d| d.domain.to_string()).collect();
    assert_eq!(domains, ["_DFLT", "0", "127"]);
}

/// The sample rides in every packet between the threads: PTP's, the
/// largest, keeps a packet's `PacketInfo` within one 64-byte cache line.
#[test]
fn the_sample_keeps_packet_info_in_a_cache_line() {
    assert!(std::mem::size_of::<crate::flow::PacketInfo>() <= 64);
}

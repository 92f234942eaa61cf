//! Flow floods inside the engine: the live-flow cap bounds the flow table
//! whatever arrives, no flow is lost or counted twice, and conversations
//! that stay active keep the verdicts they have without the flood.
//! (`crates/cli/tests/flood.rs` runs the binary on bigger floods and
//! measures its memory.)

use std::collections::HashSet;
use std::io;
use std::net::{IpAddr, Ipv4Addr};

use portmatrix_capture::CaptureReader;
use portmatrix_engine::flow::{route, FlowConfig, FlowTable};
use portmatrix_engine::{Analysis, FlowRecord, FlowSink};
use portmatrix_wire::{decode, LinkType};

use crate::gen::{self, Pkt, L4};

/// A small xorshift generator: the floods are random but repeatable.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
}

/// One UDP packet of a random 5-tuple: sources in 10.128.0.0/9, destinations
/// in 172.16.0.0/12, both ports ephemeral (so no side looks like a server).
fn flood_packet(rng: &mut Rng) -> (Pkt, (u32, u32, u16, u16)) {
    let r = rng.next();
    let s = 0x0a80_0000 | (r as u32 & 0x007f_ffff);
    let d = 0xac10_0000 | ((r >> 23) as u32 & 0x000f_ffff);
    let sp = 1024 + ((r >> 43) % 64_000) as u16;
    let dp = 1024 + (rng.next() % 64_000) as u16;
    let p = Pkt {
        vlans: vec![],
        src: IpAddr::V4(Ipv4Addr::from(s)),
        dst: IpAddr::V4(Ipv4Addr::from(d)),
        l4: L4::Udp {
            sport: sp,
            dport: dp,
            payload: 12,
        },
    };
    (p, (s, d, sp, dp))
}

fn v4(a: [u8; 4]) -> IpAddr {
    IpAddr::from(a)
}

/// The real conversations of the demo room, in groups of packets that
/// travel together: a Telnet session from the control PC to the ClearOne
/// Converge Pro (TCP 23: handshake, `rounds` data segments alternating
/// between the two sides, FINs) and, in the middle, a DNS query and its answer.
pub fn real_packets(rounds: usize) -> Vec<Vec<Pkt>> {
    let (pc, dsp) = (v4([10, 10, 20, 51]), v4([10, 10, 20, 20]));
    let (cp, dns) = (v4([10, 10, 20, 10]), v4([10, 10, 20, 2]));
    let tcp = |from_pc: bool, seq: u32, ack: u32, flags: u8, payload: usize| {
        let (src, dst, sport, dport) = if from_pc {
            (pc, dsp, 50523, 23)
        } else {
            (dsp, pc, 23, 50523)
        };
        Pkt {
            vlans: vec![20],
            src,
            dst,
            l4: L4::Tcp {
                sport,
                dport,
                seq,
                ack,
                flags,
                payload,
            },
        }
    };
    let udp = |src, dst, sport, dport, payload| Pkt {
        vlans: vec![20],
        src,
        dst,
        l4: L4::Udp {
            sport,
            dport,
            payload,
        },
    };
    let (a, b) = (1000u32, 9000u32);
    let mut v = vec![
        vec![tcp(true, a, 0, gen::SYN, 0)],
        vec![tcp(false, b, a + 1, gen::SYN | gen::ACK, 0)],
        vec![tcp(true, a + 1, b + 1, gen::ACK, 0)],
    ];
    let (mut sa, mut sb) = (a + 1, b + 1);
    for i in 0..rounds {
        if i % 2 == 0 {
            v.push(vec![tcp(true, sa, sb, gen::PSH | gen::ACK, 10)]);
            sa += 10;
        } else {
            v.push(vec![tcp(false, sb, sa, gen::PSH | gen::ACK, 30)]);
            sb += 30;
        }
        if i == rounds / 2 {
            v.push(vec![
                udp(cp, dns, 41000, 53, 30),
                udp(dns, cp, 53, 41000, 46),
            ]);
        }
    }
    v.push(vec![tcp(true, sa, sb, gen::FIN | gen::ACK, 0)]);
    v.push(vec![tcp(false, sb, sa + 1, gen::ACK, 0)]);
    v.push(vec![tcp(false, sb, sa + 1, gen::FIN | gen::ACK, 0)]);
    v.push(vec![tcp(true, sa + 1, sb + 1, gen::ACK, 0)]);
    v
}

/// A capture: `flood` random UDP 5-tuples, one packet each, 2 µs apart,
/// with the real packet groups spread evenly over it (one group every
/// 250 flood packets, far inside any cap used here). Returns the bytes and
/// the number of distinct flows.
fn flood_capture(flood: usize, seed: u64) -> (Vec<u8>, usize) {
    let real = real_packets(flood / 250);
    let mut rng = Rng::new(seed);
    let mut w = gen::Pcap::new(1);
    let mut ts = 1_700_000_000_000_000_000i64;
    let mut tuples = HashSet::new();
    let every = (flood / (real.len() + 1)).max(1);
    let mut real_iter = real.iter();
    for i in 0..flood {
        if i % every == 0 {
            for p in real_iter.next().into_iter().flatten() {
                w.add(ts, &gen::frame(p));
                ts += 2_000;
            }
        }
        let (p, t) = flood_packet(&mut rng);
        tuples.insert(t);
        w.add(ts, &gen::frame(&p));
        ts += 2_000;
    }
    for p in real_iter.flatten() {
        w.add(ts, &gen::frame(p));
        ts += 2_000;
    }
    (w.into_bytes(), tuples.len() + 2)
}

/// Counts flows and keeps only those of the demo room (10.10.0.0/16).
#[derive(Default)]
struct Keep {
    flows: u64,
    evicted: u64,
    ids: HashSet<u64>,
    room: Vec<FlowRecord>,
}

impl FlowSink for Keep {
    fn flow(&mut self, r: FlowRecord) -> io::Result<()> {
        self.flows += 1;
        assert!(self.ids.insert(r.id), "flow id {} reported twice", r.id);
        if r.findings.iter().any(|f| f.kind == "evicted") {
            self.evicted += 1;
        }
        if r.src_ip
            .as_deref()
            .is_some_and(|ip| ip.starts_with("10.10."))
        {
            self.room.push(r);
        }
        Ok(())
    }
}

/// What must not change in a room flow: everything but its id (the flood
/// shifts record numbers), its timestamps (the flood spaces packets out)
/// and the `evicted` finding (a finished exchange, such as the DNS query
/// and answer, may be ended by the cap once idle, with nothing lost).
fn essentials(f: &FlowRecord) -> serde_json::Value {
    let mut v = serde_json::to_value(f).unwrap();
    let m = v.as_object_mut().unwrap();
    for k in ["id", "first_ts", "last_ts", "first_ts_ns", "last_ts_ns"] {
        m.remove(k);
    }
    if let Some(serde_json::Value::Array(findings)) = m.get_mut("findings") {
        findings.retain(|x| x["kind"] != "evicted");
    }
    v
}

/// The live-flow cap holds after every single packet, evicted flows are
/// marked and counted, and every flow comes out exactly once.
#[test]
fn the_live_flow_table_never_exceeds_its_cap() {
    const CAP: usize = 1000;
    let mut table = FlowTable::new(FlowConfig {
        max_flows: CAP,
        ..FlowConfig::default()
    });
    let services = gen::services();
    let mut rng = Rng::new(7);
    let mut tuples = HashSet::new();
    let mut out = Vec::new();
    let mut ts = 1_700_000_000_000_000_000i64;
    for index in 1..=30_000u64 {
        let (p, t) = flood_packet(&mut rng);
        tuples.insert(t);
        let frame = gen::frame(&p);
        let facts = decode(LinkType::ETHERNET, &frame);
        let routed = route(&facts, ts).expect("a UDP packet is routed");
        table.observe(
            index,
            ts,
            frame.len() as u32,
            &routed,
            &portmatrix_engine::flow::PacketInfo::from_facts(&facts),
            services,
        );
        assert!(
            table.live_len() <= CAP,
            "{} live flows after packet {index}",
            table.live_len()
        );
        if index % 4096 == 0 {
            out.extend(table.drain_finished());
        }
        ts += 1_000;
    }
    let evictions = table.evictions;
    let (rest, e) = table.finish();
    assert_eq!(e, evictions);
    out.extend(rest);
    assert_eq!(out.len(), tuples.len(), "every flow comes out once");
    let evicted = out.iter().filter(|f| f.evicted).count() as u64;
    assert_eq!(evicted, evictions);
    assert!(
        evictions as usize >= tuples.len() - CAP,
        "{evictions} evictions"
    );
    let ids: HashSet<u64> = out.iter().map(|f| f.id).collect();
    assert_eq!(ids.len(), out.len(), "flow ids are unique");
}

/// 12 000 random 5-tuples against a cap of 600 (20×): evictions are
/// reported, flows = distinct 5-tuples, and the Telnet session and DNS
/// exchange spread through the flood keep their verdicts, states and
/// counts, with one shard and with three.
#[test]
fn active_flows_keep_their_verdicts_through_a_flood() {
    let (bytes, distinct) = flood_capture(12_000, 99);
    let quiet = {
        let mut w = gen::Pcap::new(1);
        for (i, p) in real_packets(12_000 / 250).iter().flatten().enumerate() {
            w.add(
                1_700_000_000_000_000_000 + i as i64 * 3_000_000,
                &gen::frame(p),
            );
        }
        w.into_bytes()
    };
    let run = |bytes: &[u8], cap: usize, shards: usize| {
        let mut reader = CaptureReader::new(bytes).unwrap();
        Analysis::new(
            "flood",
            gen::options(cap, shards),
            gen::matcher(),
            None,
            Keep::default(),
        )
        .with_dedup_window(0)
        .run(&mut reader)
        .unwrap()
    };
    let base = run(&quiet, 600, 1);
    assert_eq!(base.sink.room.len(), 2, "{:?}", base.sink.room);
    assert_eq!(base.report.summary.evictions, 0);
    for shards in [1, 3] {
        let done = run(&bytes, 600, shards);
        let s = &done.report.summary;
        assert!(s.evictions > 0, "no evictions with {shards} shard(s)");
        assert_eq!(s.flows, distinct as u64, "flows with {shards} shard(s)");
        assert_eq!(done.sink.flows, distinct as u64);
        assert_eq!(done.sink.evicted, s.evictions);
        // The Telnet session, active all along, is never evicted.
        let telnet = done.sink.room.iter().find(|f| f.dst_port == 23).unwrap();
        assert!(
            !telnet.findings.iter().any(|x| x.kind == "evicted"),
            "{telnet:?}"
        );
        let mut room = done.sink.room.clone();
        room.sort_by_key(|f| f.dst_port);
        let mut want = base.sink.room.clone();
        want.sort_by_key(|f| f.dst_port);
        assert_eq!(
            room.iter().map(essentials).collect::<Vec<_>>(),
            want.iter().map(essentials).collect::<Vec<_>>(),
            "room flows with {shards} shard(s)"
        );
    }
}

//! Cost of the PTP detector (`docs/detectors.md`, PTP).
//!
//! - `probe/ptp_udp`: the detector table's probe on PTP messages over UDP
//!   319/320 (v2 Sync, Follow_Up, Announce, Delay_Req, Delay_Resp and a v1
//!   Sync), as the decoding thread runs it per packet;
//! - `probe/ptp_ether`: the same v2 messages over Ethernet (EtherType
//!   0x88F7);
//! - `probe/rtp_udp`: RTP on port 5004, which the PTP probe sees first and
//!   must turn away (what PTP's place at the head of the table costs other
//!   traffic);
//! - `tracker/observe`: the capture-level tracker on the flow thread, per
//!   PTP message (a one-hour mix of Sync, Follow_Up and Announce from two
//!   grandmasters in turn).
//!
//! One iteration handles every message of a set once; throughput is in
//! messages.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use portmatrix_engine::detect::ptp::tracker::Tracker;
use portmatrix_engine::detect::{probe, Probe, Sample};
use portmatrix_engine::flow::Transport;

/// A v2 message of type `t` and `len` octets (IEEE 1588-2008 §13.3).
fn v2(t: u8, len: usize, seq: u16, gm: u8) -> Vec<u8> {
    let mut b = vec![0u8; len];
    b[0] = t;
    b[1] = 0x02;
    b[2..4].copy_from_slice(&(len as u16).to_be_bytes());
    b[20..28].copy_from_slice(&[0, 0x1d, 0xc1, 0xff, 0xfe, 0, 0, gm]);
    b[30..32].copy_from_slice(&seq.to_be_bytes());
    if t == 0x0b {
        b[47] = 128;
        b[48] = 6;
        b[52] = 128;
        b[53..61].copy_from_slice(&[0, 0x1d, 0xc1, 0xff, 0xfe, 0, 0, gm]);
    }
    b
}

/// A v1 Sync (IEEE 1588-2002 §6.2.4).
fn v1_sync(seq: u16) -> Vec<u8> {
    let mut b = vec![0u8; 124];
    b[0..2].copy_from_slice(&1u16.to_be_bytes());
    b[2..4].copy_from_slice(&1u16.to_be_bytes());
    b[4..9].copy_from_slice(b"_DFLT");
    b[20] = 1;
    b[30..32].copy_from_slice(&seq.to_be_bytes());
    b
}

/// `(transport, destination port, payload)` of each message.
type Set = Vec<(Transport, u16, Vec<u8>)>;

fn ptp_set(ether: bool) -> Set {
    let mut out = Vec::new();
    for seq in 0..200u16 {
        let msgs = [
            (319, v2(0x0, 44, seq, 1)),
            (320, v2(0x8, 44, seq, 1)),
            (320, v2(0xb, 64, seq, 1)),
            (319, v2(0x1, 44, seq, 2)),
            (320, v2(0x9, 54, seq, 1)),
        ];
        for (port, m) in msgs {
            if ether {
                out.push((Transport::Ether(0x88f7), 0, m));
            } else {
                out.push((Transport::Udp, port, m));
            }
        }
        if !ether {
            out.push((Transport::Udp, 319, v1_sync(seq)));
        }
    }
    out
}

fn rtp_set() -> Set {
    (0..1000u16)
        .map(|seq| {
            let mut b = vec![0u8; 172];
            b[0] = 0x80;
            b[1] = 0;
            b[2..4].copy_from_slice(&seq.to_be_bytes());
            b[8..12].copy_from_slice(&0x1234_5678u32.to_be_bytes());
            (Transport::Udp, 5004, b)
        })
        .collect()
}

fn run(set: &Set) -> usize {
    set.iter()
        .filter(|(t, port, payload)| {
            probe(&Probe {
                transport: *t,
                src_port: *port,
                dst_port: *port,
                payload,
            })
            .is_some()
        })
        .count()
}

fn bench_probe(c: &mut Criterion) {
    let mut g = c.benchmark_group("probe");
    g.measurement_time(Duration::from_secs(3));
    for (name, set) in [
        ("ptp_udp", ptp_set(false)),
        ("ptp_ether", ptp_set(true)),
        ("rtp_udp", rtp_set()),
    ] {
        g.throughput(Throughput::Elements(set.len() as u64));
        g.bench_function(name, |b| b.iter(|| black_box(run(black_box(&set)))));
    }
    g.finish();
}

fn bench_tracker(c: &mut Criterion) {
    // One hour: Sync and Follow_Up at 8/s, Announce every 2 s; the
    // grandmaster changes every 10 minutes.
    let mut samples = Vec::new();
    for i in 0..(3600 * 8u32) {
        let gm = if (i / (600 * 8)) % 2 == 0 { 1 } else { 2 };
        let seq = i as u16;
        let ts = i64::from(i) * 125_000_000;
        let mut msgs = vec![(319, v2(0x0, 44, seq, gm)), (320, v2(0x8, 44, seq, gm))];
        if i % 16 == 0 {
            msgs.push((320, v2(0xb, 64, seq, gm)));
        }
        for (port, m) in msgs {
            if let Some(t) = probe(&Probe {
                transport: Transport::Udp,
                src_port: port,
                dst_port: port,
                payload: &m,
            }) {
                if let Sample::Ptp(s) = t.sample {
                    samples.push((ts, s));
                }
            }
        }
    }
    let mut g = c.benchmark_group("tracker");
    g.measurement_time(Duration::from_secs(3));
    g.throughput(Throughput::Elements(samples.len() as u64));
    g.bench_function("observe", |b| {
        b.iter(|| {
            let mut t = Tracker::default();
            for (ts, s) in &samples {
                t.observe(*ts, s, None);
            }
            black_box(t.is_empty())
        })
    });
    g.finish();
}

criterion_group!(benches, bench_probe, bench_tracker);
criterion_main!(benches);

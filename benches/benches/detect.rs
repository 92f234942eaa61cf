//! Cost of the content detectors (`docs/detectors.md`).
//!
//! - `detect/probe/<set>`: `detect::probe` on the transport payloads of a
//!   set of frames, as the decoding thread runs it for every TCP and UDP
//!   packet: `rtp` (RTP payloads of the synthetic AV traffic), `rtcp` (its
//!   RTCP payloads), `other` (TCP control payloads and the rest: the probes
//!   must give up on the first bytes).
//! - `detect/update/rtp`: `FlowDetect::update` with the samples of one RTP
//!   stream, as the flow thread runs it (sequence, loss and jitter per packet).
//!
//! The payloads come from `synth::Generator` (the traffic of `gencap`), at
//! most 1 MiB per set so that they stay in cache as in the pass.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use portmatrix_benches::synth::Options;
use portmatrix_benches::traffic::Frames;
use portmatrix_engine::detect::{self, DetectConfig, FlowDetect, Probe, Sample, Tagged, Update};
use portmatrix_engine::flow::{Endpoint, Transport};
use portmatrix_wire::{decode, LinkType, Transport as WireTransport};

const PACKETS: usize = 50_000;

/// `(transport, source port, destination port, payload)` of every TCP/UDP frame.
type Payload = (Transport, u16, u16, Vec<u8>);

fn payloads(frames: &Frames) -> Vec<Payload> {
    frames
        .iter()
        .filter_map(|f| {
            let facts = decode(LinkType::ETHERNET, f);
            let (t, s, d) = match &facts.transport {
                WireTransport::Udp(u) => (Transport::Udp, u.source_port, u.destination_port),
                WireTransport::Tcp(t) => (Transport::Tcp, t.source_port, t.destination_port),
                _ => return None,
            };
            Some((t, s, d, facts.payload.to_vec()))
        })
        .collect()
}

fn probe_all(set: &[Payload]) -> u64 {
    let mut n = 0;
    for (transport, src_port, dst_port, payload) in set {
        let p = Probe {
            transport: *transport,
            src_port: *src_port,
            dst_port: *dst_port,
            payload,
        };
        n += u64::from(detect::probe(black_box(&p)).is_some());
    }
    n
}

fn bench(c: &mut Criterion) {
    let frames = Frames::synthetic(Options::default(), PACKETS);
    let all = payloads(&frames);
    let kind = |p: &Payload| match detect::probe(&Probe {
        transport: p.0,
        src_port: p.1,
        dst_port: p.2,
        payload: &p.3,
    }) {
        Some(Tagged {
            sample: Sample::Rtp(_),
            ..
        }) => "rtp",
        Some(Tagged {
            sample: Sample::Rtcp(_),
            ..
        }) => "rtcp",
        _ => "other",
    };
    let mut g = c.benchmark_group("detect/probe");
    g.measurement_time(Duration::from_secs(3));
    for name in ["rtp", "rtcp", "other"] {
        // At most 1 MiB of payloads, as the reader's buffer holds them: in
        // the pass a payload is probed just after decoding brought it into cache.
        let mut bytes = 0;
        let set: Vec<Payload> = all
            .iter()
            .filter(|p| kind(p) == name)
            .take_while(|p| {
                bytes += p.3.len();
                bytes <= 1 << 20
            })
            .cloned()
            .collect();
        if set.is_empty() {
            continue;
        }
        g.throughput(Throughput::Elements(set.len() as u64));
        g.bench_function(name, |b| b.iter(|| probe_all(&set)));
    }
    g.finish();

    // One RTP stream's samples, 20 ms apart.
    let rtp = all
        .iter()
        .find_map(|p| {
            detect::probe(&Probe {
                transport: p.0,
                src_port: p.1,
                dst_port: p.2,
                payload: &p.3,
            })
            .filter(|t| matches!(t.sample, Sample::Rtp(_)))
        })
        .expect("an RTP packet in the synthetic traffic");
    let Sample::Rtp(first) = rtp.sample else {
        unreachable!("filtered above")
    };
    let samples: Vec<Tagged> = (0..10_000u32)
        .map(|i| {
            let mut s = first;
            s.seq = s.seq.wrapping_add(i as u16);
            s.timestamp = s.timestamp.wrapping_add(i * 960);
            Tagged {
                detector: rtp.detector,
                sample: Sample::Rtp(s),
            }
        })
        .collect();
    let config = DetectConfig::default();
    let mut g = c.benchmark_group("detect/update");
    g.measurement_time(Duration::from_secs(3));
    g.throughput(Throughput::Elements(samples.len() as u64));
    g.bench_function("rtp", |b| {
        b.iter(|| {
            let mut d = FlowDetect::default();
            for (i, t) in samples.iter().enumerate() {
                let up = Update {
                    dir: 0,
                    ts_ns: i as i64 * 20_000_000,
                    payload_len: 160,
                    config: &config,
                    dst: Endpoint {
                        ip: std::net::Ipv4Addr::new(192, 0, 2, 20).into(),
                        port: 5004,
                    },
                    announced: None,
                };
                d.update(&up, black_box(t));
            }
            d
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

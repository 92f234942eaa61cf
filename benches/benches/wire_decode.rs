//! Cost of `portmatrix_wire::decode`, the per-packet decoder of the analyzer.
//!
//! The frames come from the synthetic AV traffic of the record-walk bench
//! (`synth::Generator`, 5 000 flows), stored back to back in one buffer as
//! the capture reader's 1 MiB buffer holds them. In the analyzer a frame is
//! decoded just after the reader's copy brought it into cache, so the sets
//! are kept to 1 MiB too:
//!
//! - `synthetic_mix`: frames as generated, about half 802.1Q-tagged;
//!   RTP/RTCP over UDP, TCP control sessions, multicast, 5 % IPv6.
//! - `vlan_qinq`: the same frames with an 802.1ad service tag in front,
//!   so each carries two tags (S-tag + C-tag).
//! - `ipv6`: only IPv6 (UDP) frames, picked out of the mix.
//! - `synthetic_mix_26mb`: all 50 000 frames of the mix (26 MB), more than
//!   the caches hold: frame headers about 500 bytes apart are too far for
//!   the prefetchers, so this one measures decoding plus a memory miss per
//!   frame.
//!
//! One iteration decodes every frame of a set once; throughput is reported
//! in packets and in frame bytes.

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use portmatrix_benches::synth::Options;
use portmatrix_benches::traffic::{inner_ether_type, push_qinq, Frames};
use portmatrix_wire::{decode, LinkType};

/// Packets of synthetic traffic the frame sets are made from.
const PACKETS: usize = 50_000;

/// Size of the in-cache frame sets: the capture reader's buffer.
const SET_LEN: usize = 1 << 20;

/// EtherType of IPv6.
const IPV6: u16 = 0x86DD;

/// Decodes every frame; counts those with ports and sums offsets so the
/// work cannot be optimised away.
fn decode_all(frames: &Frames) -> u64 {
    let mut acc = 0u64;
    for f in frames.iter() {
        let facts = decode(LinkType::ETHERNET, black_box(f));
        acc += u64::from(facts.ports().is_some()) + facts.payload_offset as u64;
    }
    acc
}

fn bench(c: &mut Criterion) {
    let all = Frames::synthetic(Options::default(), PACKETS);
    let mix = all.prefix(SET_LEN);
    let qinq = mix.map(|f, out| push_qinq(f, 200, 10, out));
    let ipv6 = all
        .filter(|f| inner_ether_type(f).map(|(et, _)| et) == Some(IPV6))
        .prefix(SET_LEN);
    let sets = [
        ("synthetic_mix", &mix),
        ("vlan_qinq", &qinq),
        ("ipv6", &ipv6),
        ("synthetic_mix_26mb", &all),
    ];
    for (name, frames) in sets {
        let clean = frames
            .iter()
            .filter(|f| decode(LinkType::ETHERNET, f).error.is_none())
            .count();
        assert_eq!(clean, frames.len(), "{name}: every frame decodes cleanly");
        eprintln!(
            "wire_decode: {name}: {} frames, {} bytes",
            frames.len(),
            frames.total_len()
        );
    }

    let mut g = c.benchmark_group("decode");
    // One iteration decodes thousands of frames: flat sampling keeps the run short.
    g.sampling_mode(SamplingMode::Flat).sample_size(50);
    for (name, frames) in sets {
        g.throughput(Throughput::ElementsAndBytes {
            elements: frames.len() as u64,
            bytes: frames.total_len() as u64,
        });
        g.bench_function(name, |b| b.iter(|| decode_all(frames)));
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);

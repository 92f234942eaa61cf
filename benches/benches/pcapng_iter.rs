//! Cost of walking the records of a capture, alone and with decoding.
//!
//! The input is a synthetic capture of AV traffic (`synth::Generator`,
//! 50 000 packets over 5 000 flows, about 28 MB) written into memory once,
//! as classic pcap and as pcapng, and read through `CaptureReader` over a
//! `Cursor`, so the figures exclude the disk and the kernel's page-cache
//! copy (the reader's own copy out of the `Cursor` stays in).
//!
//! - `record_walk`: every record is delivered and its length summed, the
//!   work of a plain record walk such as `tcpdump -r FILE -w /dev/null`.
//! - `walk_decode`: the same walk plus `portmatrix_wire::decode` of each
//!   frame, the first step of the analyzer's single pass (the flow table
//!   and classification come after it; `portmatrix check` on a file made by
//!   `gencap` measures the whole pass, see `docs/performance.md`).
//!
//! Throughput is reported per packet and per byte of the capture file.

use std::hint::black_box;
use std::io::Cursor;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use portmatrix_benches::synth::Options;
use portmatrix_benches::traffic::capture;
use portmatrix_capture::CaptureReader;

/// Packets in each synthetic capture.
const PACKETS: usize = 50_000;

/// One measured pass over a whole in-memory capture.
type Pass = fn(&[u8]) -> u64;

fn reader(data: &[u8]) -> CaptureReader<Cursor<&[u8]>> {
    CaptureReader::new(Cursor::new(data)).expect("the generator writes valid captures")
}

/// Records and captured bytes of one walk.
fn walk(data: &[u8]) -> (u64, u64) {
    let mut r = reader(data);
    let (mut records, mut bytes) = (0u64, 0u64);
    while let Some(item) = r.next_record() {
        if let Ok(rec) = item {
            records += 1;
            bytes += rec.data.len() as u64;
        }
    }
    (records, bytes)
}

/// Records of one walk that decode to a transport header.
fn walk_decode(data: &[u8]) -> u64 {
    let mut r = reader(data);
    let mut with_ports = 0u64;
    while let Some(item) = r.next_record() {
        if let Ok(rec) = item {
            let facts = portmatrix_wire::decode(rec.link_type, rec.frame());
            with_ports += u64::from(black_box(&facts).ports().is_some());
        }
    }
    with_ports
}

fn bench(c: &mut Criterion) {
    let inputs: Vec<(&str, Vec<u8>)> = [("pcap", false), ("pcapng", true)]
        .into_iter()
        .map(|(name, pcapng)| {
            let opts = Options {
                pcapng,
                ..Options::default()
            };
            (name, capture(opts, PACKETS))
        })
        .collect();
    for (name, data) in &inputs {
        let (records, _) = walk(data);
        assert_eq!(records, PACKETS as u64, "{name}: every record is read");
        eprintln!(
            "pcapng_iter: {name}: {PACKETS} packets, {} bytes",
            data.len()
        );
    }

    let targets: [(&str, Pass); 2] = [("record_walk", |d| walk(d).1), ("walk_decode", walk_decode)];
    for (group, run) in targets {
        let mut g = c.benchmark_group(group);
        // One iteration is a whole capture (milliseconds): few, flat samples.
        g.sampling_mode(SamplingMode::Flat).sample_size(20);
        for (name, data) in &inputs {
            g.throughput(Throughput::ElementsAndBytes {
                elements: PACKETS as u64,
                bytes: data.len() as u64,
            });
            g.bench_function(*name, |b| b.iter(|| run(black_box(data))));
        }
        g.finish();
    }
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);

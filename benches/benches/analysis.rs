//! Cost of the whole analysis pass of `portmatrix check`: record walk,
//! decoding, the input summary, the flow table and the classification of
//! every flow against the built-in rules, on an in-memory synthetic capture.
//!
//! - `analysis/one_thread`: `Analysis::run`, everything on one thread.
//! - `analysis/pipeline`: `Analysis::run_parallel` (walk and decode on one
//!   thread, flows and verdicts on another) with the reader's read-ahead
//!   thread, as `portmatrix check` runs it.
//!
//! Inputs: 50 000 packets over 5 000 flows (the traffic of `gencap`), and
//! the same number of packets over 50 000 flows, where the end-of-pass
//! classification weighs more. Flows go to a `Vec` sink, as in the tests.
//! Throughput is per packet and per byte of the capture file.

use std::hint::black_box;
use std::io::Cursor;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use portmatrix_benches::synth::Options as SynthOptions;
use portmatrix_benches::traffic::capture;
use portmatrix_capture::CaptureReader;
use portmatrix_engine::{Analysis, FlowRecord, Options, PortSet};
use portmatrix_rules::{Matcher, RuleSet};

/// Packets in each synthetic capture.
const PACKETS: usize = 50_000;

fn options(rules: &RuleSet) -> Options {
    Options {
        services: Box::new(PortSet::from_rules(rules)),
        ..Options::default()
    }
}

/// Flows of one pass on one thread.
fn one_thread(data: &[u8], matcher: &Matcher) -> usize {
    let mut reader = CaptureReader::new(Cursor::new(data)).expect("a valid capture");
    let sink: Vec<FlowRecord> = Vec::new();
    Analysis::new("bench", options(matcher.rule_set()), matcher, None, sink)
        .run(&mut reader)
        .expect("a Vec sink cannot fail")
        .sink
        .len()
}

/// Flows of one pass as `portmatrix check` runs it (the capture is copied
/// into an owned buffer first, as a file's bytes would be read).
fn pipeline(data: &[u8], matcher: &Matcher) -> usize {
    let mut reader = CaptureReader::new(Cursor::new(data.to_vec())).expect("a valid capture");
    let _ = reader.start_read_ahead();
    let sink: Vec<FlowRecord> = Vec::new();
    Analysis::new("bench", options(matcher.rule_set()), matcher, None, sink)
        .run_parallel(&mut reader)
        .expect("a Vec sink cannot fail")
        .sink
        .len()
}

type Pass = fn(&[u8], &Matcher) -> usize;

fn bench(c: &mut Criterion) {
    let rules = RuleSet::builtin().expect("the built-in rules load");
    let matcher = Matcher::new(&rules);
    let inputs: Vec<(String, Vec<u8>)> = [5_000u32, 50_000]
        .into_iter()
        .map(|flows| {
            let opts = SynthOptions {
                flows,
                ..SynthOptions::default()
            };
            (format!("{flows}_flows"), capture(opts, PACKETS))
        })
        .collect();
    for (name, data) in &inputs {
        let a = one_thread(data, &matcher);
        let b = pipeline(data, &matcher);
        assert_eq!(a, b, "{name}: both passes find the same flows");
        eprintln!(
            "analysis: {name}: {PACKETS} packets, {} bytes, {a} flows",
            data.len()
        );
    }
    let passes: [(&str, Pass); 2] = [("one_thread", one_thread), ("pipeline", pipeline)];
    let mut g = c.benchmark_group("analysis");
    g.sampling_mode(SamplingMode::Flat).sample_size(20);
    for (name, data) in &inputs {
        g.throughput(Throughput::ElementsAndBytes {
            elements: PACKETS as u64,
            bytes: data.len() as u64,
        });
        for (pass, run) in passes {
            g.bench_function(format!("{pass}/{name}"), |b| {
                b.iter(|| run(black_box(data), &matcher))
            });
        }
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

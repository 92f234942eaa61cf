//! Cost of classifying flows with the built-in rules (665) and with a
//! generated set of 50 000 (`portmatrix_benches::rulegen`, as `genrules`
//! writes it): the per-flow cost should not depend on the rule count.
//!
//! - `classify/pass/*`: the whole pass of `portmatrix check` on one thread
//!   (`Analysis::run`: walk, decode, flow table, and the classification of
//!   every flow at the end) over 50 000 packets spread over 50 000 flows,
//!   so classification weighs most. Throughput is per flow classified.
//! - `classify/hint/*`: the "nearest rules" search of an undocumented flow
//!   (three rules, wide ones refused, as `Classifier` asks it) at 4 096
//!   pseudo-random ports and transports: the part that scanned every rule.
//! - `classify/lookup/*`: `Matcher::lookup_into` at the same ports.

use std::hint::black_box;
use std::io::Cursor;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};
use portmatrix_benches::rulegen::{rule_file, RuleOptions};
use portmatrix_benches::synth::Options as SynthOptions;
use portmatrix_benches::traffic::capture;
use portmatrix_capture::CaptureReader;
use portmatrix_engine::classify::WIDE_RULE_PORTS;
use portmatrix_engine::{Analysis, FlowRecord, Options, PortSet};
use portmatrix_rules::{Lookup, Matcher, Query, RuleSet, Transport};

const PACKETS: usize = 50_000;
const FLOWS: u32 = 50_000;
const GENERATED: usize = 50_000;

/// The flow records of one pass on one thread.
fn pass(data: &[u8], matcher: &Matcher) -> Vec<FlowRecord> {
    let mut reader = CaptureReader::new(Cursor::new(data)).expect("a valid capture");
    let opts = Options {
        services: Box::new(PortSet::from_rules(matcher.rule_set())),
        ..Options::default()
    };
    Analysis::new("bench", opts, matcher, None, Vec::new())
        .run(&mut reader)
        .expect("a Vec sink cannot fail")
        .sink
}

/// Pseudo-random (transport, port) pairs, the same on every run.
fn probes(n: usize) -> Vec<(Transport, u16)> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let t = if x & 1 == 0 {
                Transport::Tcp
            } else {
                Transport::Udp
            };
            (t, (x >> 16) as u16)
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let builtin = RuleSet::builtin().expect("the built-in rules load");
    let text = rule_file(&RuleOptions {
        rules: GENERATED,
        ..RuleOptions::default()
    });
    let generated = RuleSet::from_sources(vec![(PathBuf::from("generated.toml"), text)])
        .expect("the generated rules load");
    let sets = [
        ("builtin".to_string(), Matcher::new(&builtin)),
        (
            format!("generated_{}k", GENERATED / 1000),
            Matcher::new(&generated),
        ),
    ];
    let data = capture(
        SynthOptions {
            flows: FLOWS,
            ..SynthOptions::default()
        },
        PACKETS,
    );
    let ports = probes(4096);

    let mut g = c.benchmark_group("classify");
    g.sampling_mode(SamplingMode::Flat).sample_size(10);
    for (name, matcher) in &sets {
        let records = pass(&data, matcher);
        let undocumented = records.iter().filter(|r| !r.hints.is_empty()).count();
        eprintln!(
            "classify: {name}: {} rules; {PACKETS} packets, {} flows, {undocumented} with hints",
            matcher.rule_set().rules().len(),
            records.len()
        );
        g.throughput(Throughput::Elements(records.len() as u64));
        g.bench_function(format!("pass/{name}"), |b| {
            b.iter(|| pass(black_box(&data), matcher).len())
        });
    }
    g.throughput(Throughput::Elements(ports.len() as u64));
    for (name, matcher) in &sets {
        g.bench_function(format!("hint/{name}"), |b| {
            b.iter(|| {
                let mut found = 0usize;
                for &(t, p) in &ports {
                    found += matcher
                        .nearest_by(Some(t), black_box(p), 3, |r| {
                            r.destination_ports.port_count() <= WIDE_RULE_PORTS
                        })
                        .len();
                }
                found
            })
        });
        g.bench_function(format!("lookup/{name}"), |b| {
            let mut out = Lookup::default();
            b.iter(|| {
                let mut found = 0usize;
                for &(t, p) in &ports {
                    matcher.lookup_into(&Query::new(t, black_box(p)), &mut out);
                    found += out.matches.len() + out.near.len();
                }
                found
            })
        });
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

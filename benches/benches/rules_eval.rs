//! Cost of matching flows against all built-in rule sets.
//!
//! `lookup` groups measure one `Matcher::lookup_into` per element over a fixed
//! mix of queries: ports inside documented ranges (both ends and the middle
//! of each rule's ranges, on each of its transports, to its groups or as
//! broadcast when the rule says so) and as many pseudo-random ports, so about
//! half the lookups find nothing. `compile` and `load` measure the one-off
//! costs of building the matcher and loading the embedded rule files.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use portmatrix_rules::{Group, Lookup, Matcher, Query, RoleRef, RuleSet, Side, Transport};

/// A small deterministic generator (no dependency, same queries every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

fn queries(rules: &RuleSet) -> Vec<Query<'static>> {
    let mut out = Vec::new();
    for r in rules.rules() {
        for t in r.transport.iter() {
            for range in r.destination_ports.ranges() {
                let mid = range.low + (range.high - range.low) / 2;
                for p in [range.low, mid, range.high] {
                    let q = Query::new(t, p);
                    let q = match r.multicast_groups.first() {
                        Some(Group::Addr(a) | Group::Range(a, _) | Group::Prefix(a, _)) => {
                            q.to_group(*a)
                        }
                        None if r.broadcast => q.to_broadcast(),
                        None => q,
                    };
                    out.push(q);
                }
            }
        }
    }
    let mut rng = Lcg(0x5eed);
    let documented = out.len();
    for _ in 0..documented.max(1024) {
        let t = if rng.next() & 1 == 0 {
            Transport::Tcp
        } else {
            Transport::Udp
        };
        out.push(Query::new(t, (rng.next() % 65536) as u16).from_port(49152));
    }
    // Interleave so branch prediction does not learn the order.
    let n = out.len();
    for i in (1..n).rev() {
        out.swap(i, (rng.next() % (i as u64 + 1)) as usize);
    }
    out
}

fn bench(c: &mut Criterion) {
    let rules = RuleSet::builtin().expect("the built-in rules load");
    let matcher = Matcher::new(&rules);
    let qs = queries(&rules);
    eprintln!(
        "rules_eval: {} rules in {} files, {} queries per iteration",
        rules.rules().len(),
        rules.files().len(),
        qs.len()
    );

    let mut g = c.benchmark_group("lookup");
    g.throughput(Throughput::Elements(qs.len() as u64));
    g.bench_function("no_inventory", |b| {
        let mut out = Lookup::default();
        b.iter(|| {
            let mut found = 0usize;
            for q in &qs {
                matcher.lookup_into(black_box(q), &mut out);
                found += out.matches.len();
            }
            found
        })
    });
    // With an inventory: both sides have a few roles (cycled over the declared roles).
    let declared: Vec<RoleRef> = rules
        .roles()
        .iter()
        .filter(|r| !r.is_builtin())
        .filter_map(|r| rules.role_ref(&r.id))
        .collect();
    let role_sets: Vec<Vec<RoleRef>> = (0..declared.len().max(1))
        .map(|i| declared.iter().cycle().skip(i).take(2).copied().collect())
        .collect();
    g.bench_function("with_roles", |b| {
        let mut out = Lookup::default();
        b.iter(|| {
            let mut found = 0usize;
            for (i, q) in qs.iter().enumerate() {
                let a = &role_sets[i % role_sets.len()];
                let z = &role_sets[(i / 3) % role_sets.len()];
                let q = q.roles(Side::Roles(a), Side::Roles(z));
                matcher.lookup_into(black_box(&q), &mut out);
                found += out.matches.len();
            }
            found
        })
    });
    g.bench_function("port_index_only", |b| {
        b.iter(|| {
            let mut found = 0usize;
            for q in &qs {
                found += matcher
                    .rules_at(q.transport, black_box(q.destination_port))
                    .count();
            }
            found
        })
    });
    g.finish();

    let mut g = c.benchmark_group("setup");
    g.sample_size(10);
    g.bench_function("compile_matcher", |b| {
        b.iter(|| Matcher::new(black_box(&rules)))
    });
    g.bench_function("load_builtin_rules", |b| b.iter(RuleSet::builtin));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

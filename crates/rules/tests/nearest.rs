//! The nearest-rule search: the same answer as a scan of every rule, and a
//! cost (rules read per search) that does not grow with the rule count.
//!
//! The reference answer is the definition of the hint (`docs/verdicts.md`,
//! "undocumented"): every rule in scope that the filter accepts, ordered by
//! (distance of its nearest destination port, id), cut to the limit;
//! distances come from `PortSpec::distance`, ids from the rule list.

use std::cell::Cell;
use std::path::PathBuf;

use portmatrix_rules::{Matcher, NearScope, RoleRef, Rule, RuleSet, Transport};
use proptest::prelude::*;

/// A rule of a generated file.
#[derive(Debug, Clone)]
struct Spec {
    ports: String,
    transport: &'static str,
    source: usize,
    destination: usize,
}

/// Role names: `any` and `r1`..`r5` (declared).
const ROLES: usize = 6;

fn role_name(i: usize) -> String {
    if i == 0 {
        "any".to_string()
    } else {
        format!("t.r{i}")
    }
}

fn rule_file(specs: &[Spec]) -> String {
    let mut text = String::from("[document]\nfile = \"n.txt\"\nvendor = \"N\"\ntitle = \"N\"\n");
    for i in 1..ROLES {
        text.push_str(&format!(
            "\n[[role]]\nid = \"{}\"\nname = \"R{i}\"\n",
            role_name(i)
        ));
    }
    for (i, s) in specs.iter().enumerate() {
        // Ids out of index order, so the tie-break by id is not the rule order.
        let id = format!("n.r{}", (i * 7919) % 100_003);
        text.push_str(&format!(
            "\n[[rule]]\nid = \"{id}\"\nproduct = \"N\"\nsection = \"S\"\nsource_role = \"{}\"\n\
             destination_role = \"{}\"\ndestination_ports = \"{}\"\ntransport = \"{}\"\n\
             direction = \"both\"\nservice = \"s\"\nrequirement = \"optional\"\nquote = \"q\"\n",
            role_name(s.source),
            role_name(s.destination),
            s.ports,
            s.transport
        ));
    }
    text
}

fn load(specs: &[Spec]) -> RuleSet {
    RuleSet::from_sources(vec![(PathBuf::from("n.toml"), rule_file(specs))])
        .unwrap_or_else(|e| panic!("generated rules must load: {e}"))
}

/// Port specs clustered on a small stretch of ports, so ties and overlaps
/// between rules are frequent; lists give rules several ranges.
fn ports() -> impl Strategy<Value = String> {
    let port = 990u16..1040;
    prop_oneof![
        port.clone().prop_map(|p| p.to_string()),
        (port.clone(), 0u16..12).prop_map(|(a, w)| format!("{a}-{}", a + w)),
        (port.clone(), 1u16..20, 1u16..30).prop_map(|(a, gap, w)| {
            let b = a + 1 + gap;
            format!("{a};{b}-{}", b + w)
        }),
        Just("any".to_string()),
        Just("0".to_string()),
        Just("65535".to_string()),
    ]
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        ports(),
        prop_oneof![Just("tcp"), Just("udp"), Just("tcp;udp")],
        0..ROLES,
        0..ROLES,
    )
        .prop_map(|(ports, transport, source, destination)| Spec {
            ports,
            transport,
            source,
            destination,
        })
}

/// The definition: scan, filter, sort by (distance, id), cut.
fn reference(
    rules: &RuleSet,
    scope: NearScope<'_>,
    port: u16,
    limit: usize,
    filter: impl Fn(&Rule) -> bool,
) -> Vec<(u16, String, usize)> {
    let mut all: Vec<(u16, String, usize)> = rules
        .rules()
        .iter()
        .enumerate()
        .filter(|(_, r)| match scope {
            NearScope::Transport(t) => t.is_none_or(|t| r.transport.contains(t)),
            NearScope::Roles(t, roles) => {
                r.transport.contains(t)
                    && (roles.contains(&r.source_role_ref())
                        || roles.contains(&r.destination_role_ref()))
            }
        })
        .filter(|(_, r)| filter(r))
        .map(|(i, r)| (r.destination_ports.distance(port), r.id.clone(), i))
        .collect();
    all.sort();
    all.truncate(limit);
    all
}

fn searched(
    m: &Matcher,
    scope: NearScope<'_>,
    port: u16,
    limit: usize,
    filter: impl Fn(&Rule) -> bool,
) -> Vec<(u16, String, usize)> {
    m.nearest_search(scope, port, limit, filter)
        .found
        .iter()
        .map(|n| (n.distance, n.rule.id.clone(), n.index))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn the_search_agrees_with_a_scan(
        specs in proptest::collection::vec(spec(), 1..40),
        probes in proptest::collection::vec(prop_oneof![980u16..1080, any::<u16>()], 6),
        limit in 0usize..7,
        asked in proptest::collection::vec(0..ROLES, 0..4),
        refuse in 0u32..4,
    ) {
        let rules = load(&specs);
        let m = Matcher::new(&rules);
        let roles: Vec<RoleRef> = asked
            .iter()
            .map(|&i| rules.role_ref(&role_name(i)).unwrap())
            .collect();
        // A filter that refuses some rules: by port count (as the hint
        // refuses wide rules), or by id.
        let filter = |r: &Rule| match refuse {
            0 => true,
            1 => r.destination_ports.port_count() <= 4096,
            2 => !r.id.ends_with('3'),
            _ => r.id.len() % 2 == 0,
        };
        for &port in &probes {
            for t in [Some(Transport::Tcp), Some(Transport::Udp), None] {
                let scope = NearScope::Transport(t);
                prop_assert_eq!(
                    searched(&m, scope, port, limit, filter),
                    reference(&rules, scope, port, limit, filter),
                    "{:?} port {} limit {}", t, port, limit
                );
            }
            for t in [Transport::Tcp, Transport::Udp] {
                let scope = NearScope::Roles(t, &roles);
                prop_assert_eq!(
                    searched(&m, scope, port, limit, filter),
                    reference(&rules, scope, port, limit, filter),
                    "roles {:?} {:?} port {} limit {}", roles, t, port, limit
                );
            }
        }
    }
}

/// `n` rules spread over the whole port space as vendor tables are (single
/// ports and short ranges, on 200 products' roles), plus five rules on every
/// port (`any`) whatever `n`.
fn spread(n: usize) -> RuleSet {
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut text = String::from("[document]\nfile = \"s.txt\"\nvendor = \"S\"\ntitle = \"S\"\n");
    for p in 0..200 {
        text.push_str(&format!("\n[[role]]\nid = \"s.p{p}\"\nname = \"P{p}\"\n"));
    }
    for i in 0..n + 5 {
        let r = next();
        let ports = if i < 5 {
            "any".to_string()
        } else if r % 4 == 0 {
            let low = 1 + (r >> 8) % 65000;
            format!("{low}-{}", low + 1 + (r >> 40) % 30)
        } else {
            (1 + (r >> 8) % 65535).to_string()
        };
        let transport = ["tcp", "udp", "tcp;udp"][((r >> 20) % 3) as usize];
        text.push_str(&format!(
            "\n[[rule]]\nid = \"s.r{i}\"\nproduct = \"S\"\nsection = \"S\"\nsource_role = \"any\"\n\
             destination_role = \"s.p{}\"\ndestination_ports = \"{ports}\"\ntransport = \"{transport}\"\n\
             direction = \"source-to-destination\"\nservice = \"s\"\nrequirement = \"optional\"\nquote = \"q\"\n",
            (r >> 32) % 200
        ));
    }
    RuleSet::from_sources(vec![(PathBuf::from("s.toml"), text)])
        .unwrap_or_else(|e| panic!("generated rules must load: {e}"))
}

/// The hint of an undocumented flow (`classify.rs`): three rules, wide ones
/// refused. A scan calls the filter once per rule of the transport; the
/// index calls it only for the rules at the port and the few ranges walked
/// before three are found.
#[test]
fn the_hint_reads_a_bounded_number_of_rules_whatever_the_rule_count() {
    for n in [1_000, 20_000] {
        let rules = spread(n);
        let m = Matcher::new(&rules);
        let mut worst_calls = 0;
        let mut worst_examined = 0;
        for k in 0..400u32 {
            let port = (k.wrapping_mul(2_654_435_761) >> 16) as u16;
            for t in [Transport::Tcp, Transport::Udp] {
                let calls = Cell::new(0usize);
                let narrow = |r: &Rule| {
                    calls.set(calls.get() + 1);
                    r.destination_ports.port_count() <= 4096
                };
                let found = m.nearest_by(Some(t), port, 3, narrow);
                assert_eq!(found.len(), 3);
                worst_calls = worst_calls.max(calls.get());
                let search =
                    m.nearest_search(NearScope::Transport(Some(t)), port, 3, |r: &Rule| {
                        r.destination_ports.port_count() <= 4096
                    });
                worst_examined = worst_examined.max(search.examined);
            }
        }
        // Five `any` rules at every port, then at most a handful of ranges
        // per side before three narrow rules are held (ties included).
        assert!(
            worst_calls <= 16,
            "{n} rules: the filter ran {worst_calls} times for one hint"
        );
        assert!(
            worst_examined <= 16,
            "{n} rules: {worst_examined} index entries read for one hint"
        );
    }
}

/// With an inventory the hint asks for the rules of the two sides' roles:
/// only those roles' ranges are walked, not the other products' rules.
#[test]
fn the_hint_by_role_reads_only_the_roles_rules() {
    let rules = spread(20_000);
    let m = Matcher::new(&rules);
    let mut worst = 0;
    for p in 0..200 {
        let role = rules.role_ref(&format!("s.p{p}")).unwrap();
        // About 100 rules name each role; the search reads a few of them.
        let named = rules
            .rules()
            .iter()
            .filter(|r| r.destination_role_ref() == role)
            .count();
        assert!(named > 50, "s.p{p} has {named} rules");
        for port in [7u16, 20_000, 40_000, 65_000] {
            let search =
                m.nearest_search(NearScope::Roles(Transport::Udp, &[role]), port, 3, |r| {
                    r.destination_ports.port_count() <= 4096
                });
            assert_eq!(search.found.len(), 3);
            worst = worst.max(search.examined);
        }
    }
    // The rules at the port (five `any` rules and maybe one more) plus a few
    // of the role's ranges.
    assert!(worst <= 16, "{worst} index entries read for one hint");
}

//! Property tests: loading never panics, and the compiled port index agrees
//! with a plain scan of the rules.

use std::path::PathBuf;

use portmatrix_rules::{Matcher, RuleSet, Site, Transport};
use proptest::prelude::*;

fn rule_file(specs: &[(String, bool)]) -> String {
    let mut text = String::from("[document]\nfile = \"p.txt\"\nvendor = \"P\"\ntitle = \"P\"\n");
    for (i, (spec, tcp)) in specs.iter().enumerate() {
        text.push_str(&format!(
            "\n[[rule]]\nid = \"p.r{i}\"\nproduct = \"P\"\nsection = \"S\"\nsource_role = \"any\"\n\
             destination_role = \"any\"\ndestination_ports = \"{spec}\"\ntransport = \"{}\"\n\
             direction = \"both\"\nservice = \"s\"\nrequirement = \"optional\"\nquote = \"q\"\n",
            if *tcp { "tcp" } else { "udp" }
        ));
    }
    text
}

fn range() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<u16>().prop_map(|p| p.to_string()),
        (any::<u16>(), 0u16..2000).prop_map(|(a, w)| format!("{}-{}", a, a.saturating_add(w))),
        Just("ephemeral-linux".to_string()),
        Just("any".to_string()),
    ]
}

proptest! {
    #[test]
    fn loading_arbitrary_text_never_panics(text in "\\PC{0,400}") {
        let _ = RuleSet::from_sources(vec![(PathBuf::from("x.toml"), text.clone())]);
        let rules = RuleSet::from_sources(vec![]).unwrap();
        let _ = Site::parse(&PathBuf::from("s.toml"), &text, &rules);
    }

    #[test]
    fn loading_a_mangled_rule_file_never_panics(
        cut in 0usize..2000,
        insert in "[\\[\\]=\"',.\\-0-9a-z \n]{0,12}",
    ) {
        let base = std::fs::read_to_string(crate::util::fixture("rules/valid/acme.toml")).unwrap();
        let mut at = cut.min(base.len());
        while !base.is_char_boundary(at) { at -= 1; }
        let text = format!("{}{}{}", &base[..at], insert, &base[at..]);
        let _ = RuleSet::from_sources(vec![(PathBuf::from("x.toml"), text)]);
    }

    #[test]
    fn port_index_agrees_with_a_scan(
        specs in proptest::collection::vec((range(), any::<bool>()), 1..12),
        ports in proptest::collection::vec(any::<u16>(), 32),
    ) {
        let text = rule_file(&specs);
        let rules = RuleSet::from_sources(vec![(PathBuf::from("p.toml"), text)]).unwrap();
        let m = Matcher::new(&rules);
        // Probe random ports and every range boundary.
        let mut probes = ports.clone();
        for r in rules.rules() {
            for x in r.destination_ports.ranges() {
                probes.extend([x.low, x.high, x.low.saturating_sub(1), x.high.saturating_add(1)]);
            }
        }
        for t in [Transport::Tcp, Transport::Udp] {
            for &p in &probes {
                let indexed: Vec<usize> = m.rules_at(t, p).map(|(i, _)| i).collect();
                let scanned: Vec<usize> = rules.rules().iter().enumerate()
                    .filter(|(_, r)| r.transport.contains(t) && r.destination_ports.contains(p))
                    .map(|(i, _)| i)
                    .collect();
                prop_assert_eq!(indexed, scanned, "{} {}", t, p);
            }
        }
    }
}

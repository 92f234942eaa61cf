//! The shipped rule files: they load, the build embeds all of them, and every
//! quote is really in its document.

use std::collections::BTreeSet;
use std::fs;

use portmatrix_rules::RuleSet;

use crate::util::{fixture, seeds, workspace};

fn shipped_files() -> BTreeSet<String> {
    fs::read_dir(workspace().join("rules"))
        .expect("the workspace has a rules/ directory")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect()
}

#[test]
fn every_rule_file_in_rules_dir_loads() {
    let files = shipped_files();
    assert!(!files.is_empty(), "rules/ has no .toml files");
    match RuleSet::load(&[workspace().join("rules")]) {
        Ok(set) => {
            assert_eq!(set.files().len(), files.len());
            assert_eq!(set.documents().len(), files.len());
            assert!(!set.rules().is_empty());
        }
        Err(e) => panic!("rules/ does not load:\n{e}"),
    }
}

#[test]
fn builtin_rules_are_every_file_of_the_rules_dir() {
    let embedded: BTreeSet<String> = RuleSet::builtin_files()
        .map(|p| p.trim_start_matches("rules/").to_string())
        .collect();
    assert_eq!(embedded, shipped_files(), "rebuild to embed new rule files");
    let builtin = match RuleSet::builtin() {
        Ok(b) => b,
        Err(e) => panic!("built-in rules do not load:\n{e}"),
    };
    let from_disk = RuleSet::load(&[workspace().join("rules")]).expect("loads from disk");
    let ids = |s: &RuleSet| s.rules().iter().map(|r| r.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&builtin), ids(&from_disk));
}

/// The quote check of the issue, written independently of the library:
/// fold whitespace runs to one space on both sides and look for the quote.
fn fold(s: &str) -> String {
    let mut out = String::new();
    let mut in_space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            in_space = true;
        } else {
            if in_space && !out.is_empty() {
                out.push(' ');
            }
            in_space = false;
            out.push(c);
        }
    }
    out
}

#[test]
fn every_quote_is_in_its_document() {
    let seeds = seeds();
    if !seeds.is_dir() {
        println!("skipped: no seed documents at {}", seeds.display());
        return;
    }
    let set = match RuleSet::load(&[workspace().join("rules")]) {
        Ok(s) => s,
        Err(e) => panic!("rules/ does not load:\n{e}"),
    };
    let mut missing = Vec::new();
    let mut folded: std::collections::HashMap<String, Option<String>> = Default::default();
    for rule in set.rules() {
        let text = folded.entry(rule.document.clone()).or_insert_with(|| {
            fs::read_to_string(seeds.join(&rule.document))
                .ok()
                .map(|t| fold(&t))
        });
        let Some(text) = text else {
            missing.push(format!("{}: document {} not found", rule.id, rule.document));
            continue;
        };
        if !text.contains(&fold(&rule.quote)) {
            missing.push(format!("{} ({}): {:?}", rule.id, rule.origin, rule.quote));
        }
    }
    assert!(
        missing.is_empty(),
        "quotes not found in their documents:\n{}",
        missing.join("\n")
    );
    // The library's own check agrees.
    assert_eq!(set.check_documents(&seeds), vec![]);
}

#[test]
fn check_documents_finds_missing_documents_and_quotes() {
    let set = crate::util::test_rules();
    assert_eq!(set.check_documents(&fixture("rules/valid")), vec![]);
    // The seeds directory does not have the made-up documents.
    let problems = set.check_documents(&fixture("rules/invalid"));
    assert_eq!(problems.len(), 2);
    assert!(problems
        .iter()
        .all(|d| d.kind == portmatrix_rules::ProblemKind::DocumentNotFound));
    // acme.toml line 7: `file = "acme-ports.txt"`, the value starts at column 8.
    assert_eq!(
        problems[0].position.map(|p| (p.line, p.column)),
        Some((7, 8))
    );
}

#[test]
fn fold_matches_the_library() {
    for s in ["  a\t\tb \n c  ", "", "x", "53\tUDP\tBoth"] {
        assert_eq!(fold(s), portmatrix_rules::fold_whitespace(s));
    }
}

#[test]
fn check_documents_reports_a_quote_not_in_the_document() {
    let text = r#"[document]
file = "acme-ports.txt"
vendor = "Acme"
title = "Acme"

[[rule]]
id = "acme.x"
product = "Acme"
section = "Ports"
source_role = "any"
destination_role = "any"
destination_ports = "8443"
transport = "tcp"
direction = "inbound"
service = "Control"
requirement = "mandatory"
quote = "8443 TCP Outbound"
"#;
    let set = RuleSet::from_sources(vec![("quote.toml".into(), text.to_string())]).unwrap();
    let problems = set.check_documents(&fixture("rules/valid"));
    assert_eq!(problems.len(), 1);
    assert_eq!(
        problems[0].kind,
        portmatrix_rules::ProblemKind::QuoteNotFound
    );
    // Line 17 `quote = "8443 TCP Outbound"`: the value starts at column 9.
    assert_eq!(
        problems[0].position.map(|p| (p.line, p.column)),
        Some((17, 9))
    );
}

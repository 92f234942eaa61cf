//! One bad file per validation error (`fixtures/rules/invalid/`), each with
//! the line:column counted by hand from the file.

use std::path::PathBuf;

use portmatrix_rules::{Diagnostic, ProblemKind, RuleSet};

use crate::util::fixture;

fn load_err(paths: &[PathBuf]) -> Vec<Diagnostic> {
    match RuleSet::load(paths) {
        Ok(_) => panic!("{paths:?} loaded but should not"),
        Err(e) => e.into_diagnostics(),
    }
}

fn at(d: &Diagnostic) -> (ProblemKind, u32, u32) {
    let p = d.position.expect("a position");
    (d.kind, p.line, p.column)
}

/// (file, kind, line, column), positions counted by hand in each file.
const CASES: &[(&str, ProblemKind, u32, u32)] = &[
    ("syntax", ProblemKind::Syntax, 13, 21),
    ("unknown-key", ProblemKind::UnknownKey, 19, 1),
    ("missing-key", ProblemKind::MissingKey, 7, 1),
    ("wrong-type", ProblemKind::WrongType, 19, 13),
    ("empty-value", ProblemKind::EmptyValue, 16, 11),
    ("bad-value", ProblemKind::BadValue, 14, 13),
    ("bad-id", ProblemKind::BadId, 8, 6),
    ("bad-port-spec", ProblemKind::BadPortSpec, 13, 25),
    ("port-out-of-range", ProblemKind::PortOutOfRange, 13, 28),
    (
        "reversed-port-range",
        ProblemKind::ReversedPortRange,
        13,
        22,
    ),
    ("overlapping-ports", ProblemKind::OverlappingPorts, 13, 32),
    (
        "unknown-named-range",
        ProblemKind::UnknownNamedRange,
        19,
        17,
    ),
    ("bad-group", ProblemKind::BadGroup, 19, 22),
    ("not-multicast", ProblemKind::NotMulticast, 19, 37),
    ("not-multicast-v6", ProblemKind::NotMulticast, 19, 22),
    (
        "reversed-group-range",
        ProblemKind::ReversedGroupRange,
        19,
        22,
    ),
    ("empty-group-list", ProblemKind::EmptyValue, 19, 20),
    (
        "broadcast-and-multicast",
        ProblemKind::BroadcastAndMulticast,
        20,
        13,
    ),
    (
        "rtp-pairing-without-udp",
        ProblemKind::RtpPairingWithoutUdp,
        19,
        15,
    ),
    ("unknown-role", ProblemKind::UnknownRole, 12, 20),
    (
        "builtin-role-redeclared",
        ProblemKind::BuiltinRoleRedeclared,
        8,
        6,
    ),
    ("bad-role-id", ProblemKind::BadId, 8, 6),
    ("duplicate-role-id", ProblemKind::DuplicateRoleId, 12, 6),
    ("duplicate-rule-id", ProblemKind::DuplicateRuleId, 21, 6),
    ("bad-document-file", ProblemKind::BadDocumentFile, 3, 8),
    ("missing-document", ProblemKind::MissingKey, 1, 1),
    ("unknown-table", ProblemKind::UnknownKey, 7, 3),
    ("table-not-array", ProblemKind::WrongType, 7, 1),
    ("not-utf8", ProblemKind::Io, 5, 18),
    ("bad-confidence", ProblemKind::BadValue, 19, 14),
    ("guess-without-correction", ProblemKind::MissingKey, 7, 1),
];

#[test]
fn each_bad_file_gives_its_error_at_its_position() {
    let mut failures = Vec::new();
    for &(name, kind, line, column) in CASES {
        let path = fixture(&format!("rules/invalid/{name}.toml"));
        let diags = load_err(std::slice::from_ref(&path));
        let got: Vec<_> = diags.iter().map(at).collect();
        if got != [(kind, line, column)] {
            failures.push(format!(
                "{name}: expected {kind} at {line}:{column}, got:\n  {}",
                diags
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n  ")
            ));
        }
        // The message starts with the path and position, as the CLI prints it.
        let shown = diags[0].to_string();
        let prefix = format!("{}:{line}:{column}: ", path.display());
        if !shown.starts_with(&prefix) {
            failures.push(format!("{name}: {shown:?} does not start with {prefix:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_fixture_in_the_invalid_dir_is_a_case() {
    let mut names: Vec<String> = std::fs::read_dir(fixture("rules/invalid"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".toml").map(String::from))
        .filter(|n| n != "many-errors")
        .collect();
    names.sort();
    let mut cases: Vec<String> = CASES.iter().map(|c| c.0.to_string()).collect();
    cases.sort();
    assert_eq!(names, cases);
}

#[test]
fn every_problem_of_a_file_is_reported_at_once() {
    let diags = load_err(&[fixture("rules/invalid/many-errors.toml")]);
    let got: Vec<_> = diags.iter().map(at).collect();
    // Counted by hand in many-errors.toml.
    assert_eq!(
        got,
        vec![
            (ProblemKind::EmptyValue, 5, 9),
            (ProblemKind::UnknownRole, 12, 20),
            (ProblemKind::PortOutOfRange, 13, 22),
            (ProblemKind::ReversedPortRange, 13, 28),
            (ProblemKind::BadValue, 15, 13),
            (ProblemKind::UnknownKey, 19, 1),
            (ProblemKind::MissingKey, 21, 1),
            (ProblemKind::WrongType, 32, 13),
        ],
        "{diags:#?}"
    );
}

#[test]
fn conflicts_between_files_are_reported_in_the_second_file() {
    let diags = load_err(&[fixture("rules/across")]);
    let got: Vec<_> = diags
        .iter()
        .map(|d| {
            (
                d.path.file_name().unwrap().to_string_lossy().into_owned(),
                at(d),
            )
        })
        .collect();
    let b = |k, l, c| ("b.toml".to_string(), (k, l, c));
    assert_eq!(
        got,
        vec![
            b(ProblemKind::DuplicateDocument, 3, 8),
            b(ProblemKind::DuplicateRoleId, 8, 6),
            b(ProblemKind::DuplicateRuleId, 12, 6),
        ]
    );
    // The message names where the first one is.
    assert!(
        diags[2].reason.contains("a.toml:12:6"),
        "{}",
        diags[2].reason
    );
}

#[test]
fn a_bad_file_among_good_ones_loads_nothing() {
    let good = fixture("rules/valid");
    assert!(RuleSet::load(std::slice::from_ref(&good)).is_ok());
    let bad = fixture("rules/invalid/unknown-role.toml");
    let diags = load_err(&[good, bad.clone()]);
    // The bad file's own error, and (it reuses acme.toml's document) the conflict.
    assert!(diags.iter().any(|d| d.kind == ProblemKind::UnknownRole));
    assert!(diags.iter().all(|d| d.path == bad));
}

#[test]
fn files_and_directories_that_cannot_be_read_are_reported() {
    let empty = tempfile::tempdir().unwrap();
    let diags = load_err(&[
        fixture("rules/no-such-file.toml"),
        empty.path().to_path_buf(),
    ]);
    assert_eq!(diags.len(), 2);
    assert!(diags
        .iter()
        .all(|d| d.kind == ProblemKind::Io && d.position.is_none()));
    assert!(diags[0]
        .to_string()
        .contains("no-such-file.toml: cannot read"));
}

#[test]
fn reasons_are_plain_and_suggest_fixes() {
    let reason = |name: &str| {
        load_err(&[fixture(&format!("rules/invalid/{name}.toml"))])[0]
            .reason
            .clone()
    };
    assert!(reason("unknown-role").starts_with("unknown role `acme.controler`"));
    assert!(reason("unknown-key").contains("unknown key `comment` in [[rule]]"));
    assert!(
        reason("unknown-table").contains("did you mean `rule`?"),
        "{}",
        reason("unknown-table")
    );
    assert!(
        reason("bad-value").contains("did you mean `tcp`?"),
        "{}",
        reason("bad-value")
    );
    assert!(reason("unknown-named-range").contains("ephemeral-linux"));
    assert!(reason("port-out-of-range").contains("132000"));
    for (name, ..) in CASES {
        let r = reason(name);
        assert!(!r.ends_with('.'), "{name}: {r}");
        assert!(!r.starts_with(char::is_uppercase), "{name}: {r}");
    }
}

#[test]
fn extra_rules_over_a_base_are_checked_as_one_set() {
    // acme.toml as the base, globex.toml layered over it: globex uses the
    // role acme.controller that acme.toml declares.
    let base = [fixture("rules/valid/acme.toml")];
    let set = RuleSet::load_layered(Some(&base[..]), &[fixture("rules/valid/globex.toml")])
        .expect("globex over acme loads");
    assert!(set.rule("globex.dsp.control").is_some());
    assert!(set.rule("acme.codec.sip").is_some());
    // Without the base, globex.toml alone lacks that role.
    assert!(RuleSet::load(&[fixture("rules/valid/globex.toml")]).is_err());
    // rules/across/b.toml over a.toml: the clash is reported in the extra
    // file, naming the base file's definition (the same positions as
    // `conflicts_between_files_are_reported_in_the_second_file`).
    let base = [fixture("rules/across/a.toml")];
    let diags = RuleSet::load_layered(Some(&base[..]), &[fixture("rules/across/b.toml")])
        .unwrap_err()
        .into_diagnostics();
    let dup = diags
        .iter()
        .find(|d| d.kind == ProblemKind::DuplicateRuleId)
        .expect("a duplicate-rule-id problem");
    assert!(dup.path.ends_with("b.toml"));
    assert_eq!(at(dup), (ProblemKind::DuplicateRuleId, 12, 6));
    assert!(dup.reason.contains("a.toml:12:6"), "{}", dup.reason);
}

#[test]
fn selecting_products_keeps_matching_rules_and_names_unknown_ones() {
    let set = crate::util::test_rules();
    let globex = set.select_products(&["GLOBEX"]).unwrap();
    assert!(!globex.rules().is_empty());
    assert!(globex.rules().iter().all(|r| r.vendor == "Globex"));
    assert_eq!(globex.documents().len(), 1);
    assert_eq!(
        set.select_products(&["globex", "initech"]).unwrap_err(),
        vec!["initech".to_string()]
    );
    let names = set.product_names();
    assert!(names.iter().any(|n| n == "Acme"));
    assert!(names.iter().any(|n| n == "acme-ports.txt"), "{names:?}");
    // The file stem `globex` is the vendor `Globex` again: listed once.
    let lower: std::collections::BTreeSet<String> =
        names.iter().map(|n| n.to_lowercase()).collect();
    assert_eq!(lower.len(), names.len(), "{names:?}");
}

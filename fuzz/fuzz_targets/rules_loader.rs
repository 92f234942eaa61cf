//! Bytes as a rule file. Valid UTF-8 goes to `RuleSet::from_sources`;
//! other bytes go through `RuleSet::load` from a file (the path that
//! reports the first invalid byte by line and column) and, lossily
//! converted, through `from_sources`. Nothing may panic; a rule set that
//! loads is compiled, queried and exported.
#![no_main]

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use portmatrix_rules::{export, Matcher, Query, RuleSet, Transport};

/// A per-process scratch file for the non-UTF-8 case.
fn scratch() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        std::env::temp_dir().join(format!("portmatrix-fuzz-rules-{}.toml", std::process::id()))
    })
}

fn exercise(result: Result<RuleSet, portmatrix_rules::Error>) {
    let rules = match result {
        Ok(r) => r,
        Err(e) => {
            assert!(!e.diagnostics().is_empty(), "an error without a diagnostic");
            let _ = e.to_string();
            return;
        }
    };
    let matcher = Matcher::new(&rules);
    for port in [0u16, 1, 53, 80, 443, 5060, 49152, 65535] {
        for t in [Transport::Tcp, Transport::Udp] {
            let _ = matcher.lookup(&Query::new(t, port)).is_documented();
        }
    }
    for rule in rules.rules() {
        let _ = matcher.lookup(&Query::new(Transport::Udp, rule.id.len() as u16));
        let _ = export::describe(&rules, rule);
    }
    let _ = export::table(&rules);
    export::write_csv(&rules, std::io::sink()).expect("csv to a sink");
    let mut json = Vec::new();
    export::write_json(&rules, &mut json).expect("json to a Vec");
    serde_json_check(&json);
}

/// The JSON export must be well-formed.
fn serde_json_check(json: &[u8]) {
    if let Err(e) = serde_json::from_slice::<serde_json::Value>(json) {
        panic!("rule export is not JSON: {e}");
    }
}

fuzz_target!(|data: &[u8]| {
    match std::str::from_utf8(data) {
        Ok(text) => exercise(RuleSet::from_sources(vec![(
            PathBuf::from("fuzz.toml"),
            text.to_string(),
        )])),
        Err(_) => {
            let path = scratch();
            let mut f = std::fs::File::create(path).expect("create scratch file");
            f.write_all(data).expect("write scratch file");
            drop(f);
            let loaded = RuleSet::load(&[path]);
            assert!(loaded.is_err(), "a file that is not UTF-8 loaded");
            exercise(loaded);
            let lossy = String::from_utf8_lossy(data).into_owned();
            exercise(RuleSet::from_sources(vec![(
                PathBuf::from("fuzz.toml"),
                lossy,
            )]));
        }
    }
});

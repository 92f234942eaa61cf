//! Bytes as a site inventory, validated against the built-in rules (and
//! against the fixture rule set `acme`, whose roles the fixture sites
//! use). Nothing may panic; an inventory that loads is queried.
#![no_main]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use portmatrix_rules::{RuleSet, Site};

fn rule_sets() -> &'static [RuleSet; 2] {
    static SETS: OnceLock<[RuleSet; 2]> = OnceLock::new();
    SETS.get_or_init(|| {
        let builtin = RuleSet::builtin().expect("built-in rules load");
        let acme = RuleSet::from_sources(vec![(
            PathBuf::from("fixtures/rules/valid/acme.toml"),
            include_str!("../../fixtures/rules/valid/acme.toml").to_string(),
        )])
        .expect("fixture rules load");
        [builtin, acme]
    })
}

fn exercise(site: &Site, data: &[u8]) {
    let _ = (site.name(), site.note());
    let mut probes: Vec<(Option<IpAddr>, Option<[u8; 6]>)> = vec![
        (Some(IpAddr::V4(Ipv4Addr::new(10, 10, 0, 1))), None),
        (Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 10))), None),
        (Some(IpAddr::V6(Ipv6Addr::LOCALHOST)), None),
        (None, Some([0, 0x1d, 0xc1, 1, 2, 3])),
        (None, None),
    ];
    // Addresses made of the input, so lookups hit prefixes it declares.
    for c in data.chunks_exact(16).take(4) {
        let v6: [u8; 16] = c.try_into().expect("16 bytes");
        let v4: [u8; 4] = c[..4].try_into().expect("4 bytes");
        let mac: [u8; 6] = c[4..10].try_into().expect("6 bytes");
        probes.push((Some(IpAddr::V6(v6.into())), Some(mac)));
        probes.push((Some(IpAddr::V4(v4.into())), None));
    }
    for d in site.devices() {
        let _ = site.device(&d.name);
    }
    for (ip, mac) in probes {
        let r = site.lookup(ip, mac);
        let _ = (r.primary(), r.is_known(), r.roles(), r.devices().count());
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for rules in rule_sets() {
        match Site::parse(Path::new("site.toml"), &text, rules) {
            Ok(site) => exercise(&site, data),
            Err(e) => {
                assert!(!e.diagnostics().is_empty(), "an error without a diagnostic");
                let _ = e.to_string();
            }
        }
    }
});

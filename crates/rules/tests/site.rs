//! The site inventory: validation errors with hand-counted positions, the
//! lookup's precedence rules, and the documented room example.

use std::net::IpAddr;

use portmatrix_rules::{Address, ProblemKind, RuleSet, Site};

use crate::util::{fixture, test_rules};

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

fn room() -> Site {
    match Site::load(&fixture("site/acme-room.toml"), &test_rules()) {
        Ok(s) => s,
        Err(e) => panic!("acme-room.toml does not load:\n{e}"),
    }
}

fn names(site: &Site, addr: Option<&str>, mac: Option<[u8; 6]>) -> Vec<String> {
    site.lookup(addr.map(ip), mac)
        .devices()
        .map(|d| d.name.clone())
        .collect()
}

#[test]
fn test_room_loads_with_its_devices() {
    let site = room();
    assert_eq!(site.name(), Some("Acme test room"));
    assert_eq!(site.devices().len(), 8);
    let codecs = site.device("codecs").unwrap();
    assert_eq!(
        codecs.addresses,
        [
            Address::Ip(ip("10.0.0.4")),
            Address::Ip(ip("10.0.0.5")),
            Address::Ip(ip("fd00:10::4"))
        ]
    );
    assert_eq!(codecs.role_ids, ["acme.codec"]);
}

#[test]
fn exact_address_beats_subnet() {
    let site = room();
    assert_eq!(names(&site, Some("10.0.0.2"), None), ["controller"]);
    // 10.0.0.7 is only in the /24.
    assert_eq!(names(&site, Some("10.0.0.7"), None), ["av-vlan"]);
}

#[test]
fn longest_prefix_wins_among_subnets() {
    let site = room();
    // 10.0.0.200 is in 10.0.0.0/24, 10.0.0.128/25 and 0.0.0.0/0: the /25 wins.
    let r = site.lookup(Some(ip("10.0.0.200")), None);
    assert_eq!(
        r.by_subnet.map(|(d, len)| (d.name.as_str(), len)),
        Some(("av-corner", 25))
    );
    assert_eq!(names(&site, Some("10.0.0.127"), None), ["av-vlan"]);
    // Anything else falls to the default route.
    assert_eq!(names(&site, Some("192.0.2.1"), None), ["outside"]);
    // No IPv6 subnet is listed: an unlisted IPv6 address is unknown.
    let r = site.lookup(Some(ip("2001:db8::1")), None);
    assert!(!r.is_known() && r.roles().is_empty());
}

#[test]
fn mac_beats_subnet_and_both_exact_matches_are_kept() {
    let site = room();
    let mac = [0x00, 0x05, 0xa6, 0x00, 0x00, 0x02];
    // The controller's MAC with an address only the /24 covers (DHCP changed it).
    assert_eq!(names(&site, Some("10.0.0.99"), Some(mac)), ["controller"]);
    // MAC only.
    assert_eq!(names(&site, None, Some(mac)), ["controller"]);
    // IP of one device and MAC of another: both, the IP match first.
    assert_eq!(
        names(&site, Some("10.0.0.3"), Some(mac)),
        ["panel", "controller"]
    );
    // The same device by IP and MAC counts once.
    assert_eq!(names(&site, Some("10.0.0.2"), Some(mac)), ["controller"]);
}

#[test]
fn ipv6_and_mapped_addresses() {
    let site = room();
    assert_eq!(names(&site, Some("fd00:10::4"), None), ["codecs"]);
    assert_eq!(names(&site, Some("::ffff:10.0.0.2"), None), ["controller"]);
}

#[test]
fn roles_are_the_union_of_the_devices() {
    let rules = test_rules();
    let site = Site::load(&fixture("site/acme-room.toml"), &rules).unwrap();
    let r = site.lookup(Some(ip("10.0.0.9")), None);
    let mut got: Vec<&str> = r
        .roles()
        .iter()
        .map(|x| rules.role(*x).id.as_str())
        .collect();
    got.sort_unstable();
    assert_eq!(got, ["acme.codec", "globex.dsp"]);
}

/// (file, kind, line, column), positions counted by hand in each file.
const CASES: &[(&str, ProblemKind, u32, u32)] = &[
    ("unknown-key", ProblemKind::UnknownKey, 9, 1),
    ("unknown-role", ProblemKind::UnknownRole, 7, 10),
    ("bad-address", ProblemKind::BadAddress, 8, 15),
    ("multicast-address", ProblemKind::BadAddress, 8, 27),
    ("bad-prefix", ProblemKind::BadPrefix, 8, 24),
    ("host-bits-set", ProblemKind::HostBitsSet, 8, 15),
    (
        "duplicate-device-name",
        ProblemKind::DuplicateDeviceName,
        11,
        8,
    ),
    ("duplicate-address", ProblemKind::DuplicateAddress, 13, 27),
    ("missing-key", ProblemKind::MissingKey, 5, 1),
    ("wrong-type", ProblemKind::WrongType, 7, 9),
    ("syntax", ProblemKind::Syntax, 8, 24),
];

#[test]
fn each_bad_inventory_gives_its_error_at_its_position() {
    let rules = test_rules();
    let mut failures = Vec::new();
    for &(name, kind, line, column) in CASES {
        let path = fixture(&format!("site/invalid/{name}.toml"));
        let got: Vec<_> = match Site::load(&path, &rules) {
            Ok(_) => vec![],
            Err(e) => e
                .diagnostics()
                .iter()
                .map(|d| {
                    (
                        d.kind,
                        d.position.map(|p| (p.line, p.column)),
                        d.to_string(),
                    )
                })
                .collect(),
        };
        let summary: Vec<_> = got.iter().map(|g| (g.0, g.1)).collect();
        if summary != [(kind, Some((line, column)))] {
            failures.push(format!(
                "{name}: expected {kind} at {line}:{column}, got {got:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_fixture_in_the_invalid_dir_is_a_case() {
    let mut names: Vec<String> = std::fs::read_dir(fixture("site/invalid"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".toml").map(String::from))
        .collect();
    names.sort();
    let mut cases: Vec<String> = CASES.iter().map(|c| c.0.to_string()).collect();
    cases.sort();
    assert_eq!(names, cases);
}

#[test]
fn wrong_type_message_uses_toml_words() {
    let e = Site::load(&fixture("site/invalid/wrong-type.toml"), &test_rules()).unwrap_err();
    assert!(
        e.diagnostics()[0]
            .reason
            .contains("`roles` must be an array, found a string"),
        "{e}"
    );
}

#[test]
fn host_bits_message_names_the_subnet() {
    let e = Site::load(&fixture("site/invalid/host-bits-set.toml"), &test_rules()).unwrap_err();
    assert!(e.diagnostics()[0].reason.contains("10.0.0.0/24"), "{e}");
}

#[test]
fn a_missing_inventory_is_an_error_not_a_panic() {
    let e = Site::load(&fixture("site/no-such-site.toml"), &test_rules()).unwrap_err();
    assert_eq!(e.diagnostics()[0].kind, ProblemKind::Io);
}

/// The example of docs/site.md, against the built-in rules.
#[test]
fn room_example_validates_against_the_built_in_rules() {
    let rules = match RuleSet::builtin() {
        Ok(r) => r,
        Err(e) => panic!("built-in rules do not load:\n{e}"),
    };
    let site = match Site::load(&fixture("site/room.toml"), &rules) {
        Ok(s) => s,
        Err(e) => panic!("fixtures/site/room.toml does not validate:\n{e}"),
    };
    for role in [
        "extron.control-processor",
        "clearone.converge-pro",
        "avaya.media-server",
        "dante.device",
    ] {
        let r = rules.role_ref(role).unwrap();
        assert!(
            site.devices().iter().any(|d| d.roles.contains(&r)),
            "no device is {role}"
        );
    }
}

#[test]
fn room_example_is_the_one_in_the_docs() {
    let doc = std::fs::read_to_string(crate::util::workspace().join("docs/site.md")).unwrap();
    let example = std::fs::read_to_string(fixture("site/room.toml")).unwrap();
    assert!(
        doc.contains(example.trim()),
        "docs/site.md must show fixtures/site/room.toml verbatim"
    );
}

/// Issue 9 item 9: names that differ only in look-alike characters were
/// accepted silently. The look-alikes come from the Unicode confusables
/// table (UTS #39): CYRILLIC SMALL LETTER ER (U+0440) for `p`, GREEK
/// CAPITAL LETTER OMICRON (U+039F) for `O`, DIGIT ZERO for `O`, DIGIT ONE
/// for `l`. Positions counted by hand.
#[test]
fn confusable_device_names_warn_at_the_second_name() {
    let text = "[[device]]\nname = \"dsp\"\nroles = [\"acme.codec\"]\naddresses = [\"10.0.0.1\"]\n\n\
                [[device]]\nname = \"ds\u{440}\"\nroles = [\"acme.codec\"]\naddresses = [\"10.0.0.2\"]\n\n\
                [[device]]\nname = \"cam-0\"\nroles = [\"acme.codec\"]\naddresses = [\"10.0.0.3\"]\n\n\
                [[device]]\nname = \"cam-O\"\nroles = [\"acme.codec\"]\naddresses = [\"10.0.0.4\"]\n\n\
                [[device]]\nname = \"cam-\u{39f}\"\nroles = [\"acme.codec\"]\naddresses = [\"10.0.0.5\"]\n\n\
                [[device]]\nname = \"mic-1\"\nroles = [\"acme.codec\"]\naddresses = [\"10.0.0.6\"]\n\n\
                [[device]]\nname = \"mic-l\"\nroles = [\"acme.codec\"]\naddresses = [\"10.0.0.7\"]\n\n\
                [[device]]\nname = \"dsp-dante\"\nroles = [\"acme.codec\"]\naddresses = [\"10.0.0.8\"]\n";
    let site = Site::parse("s.toml".as_ref(), text, &test_rules()).expect("valid: warnings only");
    assert_eq!(site.devices().len(), 8);
    let got: Vec<(ProblemKind, u32, u32)> = site
        .warnings()
        .iter()
        .map(|d| {
            let p = d.position.unwrap();
            (d.kind, p.line, p.column)
        })
        .collect();
    assert_eq!(
        got,
        [
            (ProblemKind::ConfusableDeviceName, 7, 8),
            (ProblemKind::ConfusableDeviceName, 17, 8),
            (ProblemKind::ConfusableDeviceName, 22, 8),
            (ProblemKind::ConfusableDeviceName, 32, 8),
        ]
    );
    let w = &site.warnings()[0];
    assert!(
        w.reason
            .contains("`ds\u{440}` looks like `dsp` (line 2, column 8)")
            && w.reason.contains("U+0440 for U+0070"),
        "{}",
        w.reason
    );
    // cam-Ο (Greek) is reported against the first of the three, cam-0.
    assert!(
        site.warnings()[2]
            .reason
            .contains("looks like `cam-0` (line 12"),
        "{}",
        site.warnings()[2].reason
    );
    assert_eq!(
        ProblemKind::ConfusableDeviceName.name(),
        "confusable-device-name"
    );
}

#[test]
fn distinct_names_give_no_warning() {
    assert_eq!(room().warnings(), []);
    let site = Site::load(&fixture("site/room.toml"), &RuleSet::builtin().unwrap()).unwrap();
    assert_eq!(site.warnings(), []);
}

/// Issue 9 item 7: `::ffff:0:0/96` (every IPv4-mapped address, RFC 4291
/// §2.5.5.2) was rejected with "prefix length (0-32)".
#[test]
fn ipv4_mapped_subnets_are_their_ipv4_subnets() {
    let text = "[[device]]\nname = \"v4\"\nroles = [\"acme.codec\"]\naddresses = [\"::ffff:0:0/96\"]\n\n\
                [[device]]\nname = \"av\"\nroles = [\"acme.panel\"]\naddresses = [\"::ffff:10.1.3.0/120\"]\n";
    let site = Site::parse("s.toml".as_ref(), text, &test_rules()).expect("valid");
    assert_eq!(
        site.device("v4").unwrap().addresses,
        [Address::Subnet(ip("0.0.0.0"), 0)]
    );
    assert_eq!(names(&site, Some("192.0.2.1"), None), ["v4"]);
    assert_eq!(names(&site, Some("::ffff:192.0.2.1"), None), ["v4"]);
    assert_eq!(names(&site, Some("10.1.3.9"), None), ["av"]);
    assert_eq!(
        names(&site, Some("2001:db8::1"), None),
        Vec::<String>::new()
    );

    let bad =
        "[[device]]\nname = \"x\"\nroles = [\"acme.codec\"]\naddresses = [\"::ffff:0:0/95\"]\n";
    let e = Site::parse("s.toml".as_ref(), bad, &test_rules()).unwrap_err();
    let d = &e.diagnostics()[0];
    assert_eq!(d.kind, ProblemKind::BadPrefix);
    // Line 4, column 15 + "::ffff:0:0/" (11 characters).
    assert_eq!(d.position.map(|p| (p.line, p.column)), Some((4, 26)));
    assert!(d.reason.contains("96-128"), "{}", d.reason);
}

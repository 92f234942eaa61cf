//! Matcher behaviour on the made-up rules of fixtures/rules/valid (acme.toml,
//! globex.toml): the expected rules are read off those files.

use std::net::IpAddr;

use portmatrix_rules::{
    Lookup, Matcher, Mismatch, Orientation, Query, RoleRef, Side, Site, Transport,
};

use crate::util::{fixture, test_matcher, test_rules};

fn ids(l: &Lookup<'_>) -> Vec<String> {
    l.matches.iter().map(|c| c.rule.id.clone()).collect()
}

fn near(l: &Lookup<'_>) -> Vec<(String, Mismatch)> {
    l.near
        .iter()
        .map(|n| (n.rule.id.clone(), n.reason))
        .collect()
}

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

const TCP: Transport = Transport::Tcp;
const UDP: Transport = Transport::Udp;

#[test]
fn single_port_matches_only_that_port_and_transport() {
    let m = test_matcher();
    assert_eq!(
        ids(&m.lookup(&Query::new(TCP, 8443))),
        ["acme.controller.control"]
    );
    for (t, p) in [(TCP, 8442), (TCP, 8444), (UDP, 8443)] {
        let l = m.lookup(&Query::new(t, p));
        assert!(l.matches.is_empty() && l.near.is_empty(), "{t} {p}: {l:?}");
    }
    // An integer port (`destination_ports = 443`) works like a string.
    assert_eq!(ids(&m.lookup(&Query::new(TCP, 443))), ["acme.codec.web"]);
}

#[test]
fn list_matches_each_item_on_both_transports() {
    let m = test_matcher();
    for (t, p) in [(TCP, 5060), (TCP, 5061), (UDP, 5060), (UDP, 5061)] {
        assert_eq!(
            ids(&m.lookup(&Query::new(t, p))),
            ["acme.codec.sip"],
            "{t} {p}"
        );
    }
    assert!(!m.lookup(&Query::new(TCP, 5062)).is_documented());
    assert!(!m.lookup(&Query::new(UDP, 5059)).is_documented());
}

#[test]
fn range_matches_its_ends_and_nothing_outside() {
    let m = test_matcher();
    for p in [16384, 16400, 16483] {
        assert_eq!(
            ids(&m.lookup(&Query::new(UDP, p))),
            ["acme.codec.media"],
            "{p}"
        );
    }
    for p in [16383, 16484] {
        assert!(!m.lookup(&Query::new(UDP, p)).is_documented(), "{p}");
    }
    assert!(!m.lookup(&Query::new(TCP, 16400)).is_documented());
}

#[test]
fn without_inventory_every_rule_at_the_port_is_a_candidate() {
    let m = test_matcher();
    // tcp/23: the Acme telnet row (blocked) and the Globex control row.
    let l = m.lookup(&Query::new(TCP, 23));
    assert_eq!(ids(&l), ["acme.controller.telnet", "globex.dsp.control"]);
    assert!(l
        .matches
        .iter()
        .all(|c| c.orientation == Orientation::AsWritten));
    assert_eq!(m.rules_at(TCP, 23).count(), 2);
}

#[test]
fn other_transport_hint() {
    let m = test_matcher();
    let other: Vec<&str> = m
        .other_transport(UDP, 8443)
        .map(|(_, r)| r.id.as_str())
        .collect();
    assert_eq!(other, ["acme.controller.control"]);
    assert_eq!(m.other_transport(TCP, 8443).count(), 0);
}

#[test]
fn multicast_rules_match_on_group_and_port() {
    let m = test_matcher();
    for g in ["224.0.0.251", "ff02::fb"] {
        let l = m.lookup(&Query::new(UDP, 5353).to_group(ip(g)));
        assert_eq!(ids(&l), ["acme.discovery.mdns"], "{g}");
    }
    // A documented port on a group the rules do not list.
    let l = m.lookup(&Query::new(UDP, 5353).to_group(ip("239.1.1.1")));
    assert!(!l.is_documented());
    assert_eq!(
        near(&l),
        [("acme.discovery.mdns".to_string(), Mismatch::UnlistedGroup)]
    );
    // Unicast to the multicast rule's port is a different destination kind.
    let l = m.lookup(&Query::new(UDP, 5353));
    assert_eq!(
        near(&l),
        [("acme.discovery.mdns".to_string(), Mismatch::DestinationKind)]
    );
    // A listed group on an unlisted port matches nothing at all.
    let l = m.lookup(&Query::new(UDP, 5354).to_group(ip("224.0.0.251")));
    assert!(l.matches.is_empty() && l.near.is_empty());
}

#[test]
fn multicast_group_ranges_include_both_ends() {
    let m = test_matcher();
    for (g, p) in [
        ("224.0.1.129", 319),
        ("224.0.1.132", 319),
        ("224.0.1.130", 320),
    ] {
        assert_eq!(
            ids(&m.lookup(&Query::new(UDP, p).to_group(ip(g)))),
            ["acme.clock.ptp"]
        );
    }
    for g in ["224.0.1.128", "224.0.1.133"] {
        let l = m.lookup(&Query::new(UDP, 319).to_group(ip(g)));
        assert!(
            l.has_near(Mismatch::UnlistedGroup) && !l.is_documented(),
            "{g}"
        );
    }
    assert!(m
        .lookup(&Query::new(UDP, 321).to_group(ip("224.0.1.129")))
        .near
        .is_empty());
}

#[test]
fn broadcast_rules_match_broadcast_and_unicast() {
    let m = test_matcher();
    assert_eq!(
        ids(&m.lookup(&Query::new(UDP, 4502).to_broadcast())),
        ["acme.controller.discovery"]
    );
    // Directed (unicast) discovery to the same port is covered by the rule.
    assert_eq!(
        ids(&m.lookup(&Query::new(UDP, 4502))),
        ["acme.controller.discovery"]
    );
    // Broadcast to a port only documented for unicast or multicast is not.
    let l = m.lookup(&Query::new(TCP, 8443).to_broadcast());
    assert_eq!(
        near(&l),
        [(
            "acme.controller.control".to_string(),
            Mismatch::DestinationKind
        )]
    );
    let l = m.lookup(&Query::new(UDP, 5353).to_broadcast());
    assert_eq!(
        near(&l),
        [("acme.discovery.mdns".to_string(), Mismatch::DestinationKind)]
    );
    // A broadcast rule does not match a multicast group.
    let l = m.lookup(&Query::new(UDP, 4502).to_group(ip("239.1.1.1")));
    assert_eq!(
        near(&l),
        [(
            "acme.controller.discovery".to_string(),
            Mismatch::DestinationKind
        )]
    );
}

/// Roles from the test inventory (fixtures/site/acme-room.toml).
struct Room {
    matcher: Matcher,
    site: Site,
}

impl Room {
    fn new() -> Room {
        let rules = test_rules();
        let site = Site::load(&fixture("site/acme-room.toml"), &rules).expect("test room loads");
        Room {
            matcher: Matcher::new(&rules),
            site,
        }
    }

    fn roles(&self, addr: &str) -> Vec<RoleRef> {
        self.site.lookup(Some(ip(addr)), None).roles()
    }

    /// Looks up a unicast flow opened by `from` to `to`:`port`.
    fn flow(
        &self,
        t: Transport,
        from: &str,
        to: &str,
        port: u16,
        sport: Option<u16>,
    ) -> (Vec<String>, Vec<(String, Mismatch)>, Vec<Orientation>) {
        let (a, b) = (self.roles(from), self.roles(to));
        let mut q = Query::new(t, port).roles(Side::Roles(&a), Side::Roles(&b));
        if let Some(s) = sport {
            q = q.from_port(s);
        }
        let l = self.matcher.lookup(&q);
        (
            ids(&l),
            near(&l),
            l.matches.iter().map(|c| c.orientation).collect(),
        )
    }
}

const CONTROLLER: &str = "10.0.0.2";
const PANEL: &str = "10.0.0.3";
const CODEC_A: &str = "10.0.0.4";
const CODEC_B: &str = "10.0.0.5";
const DSP: &str = "10.0.0.6";

#[test]
fn directed_rule_needs_the_documented_opener() {
    let room = Room::new();
    let (m, n, o) = room.flow(TCP, PANEL, CONTROLLER, 8443, None);
    assert_eq!(
        (m, n, o),
        (
            vec!["acme.controller.control".to_string()],
            vec![],
            vec![Orientation::AsWritten]
        )
    );
    // The controller opening to the panel's 8443: the rule the other way round.
    let (m, n, _) = room.flow(TCP, CONTROLLER, PANEL, 8443, None);
    assert!(m.is_empty());
    assert_eq!(
        n,
        [(
            "acme.controller.control".to_string(),
            Mismatch::WrongDirection
        )]
    );
    // A codec is neither side of the rule.
    let (m, n, _) = room.flow(TCP, CODEC_A, CONTROLLER, 8443, None);
    assert!(m.is_empty());
    assert_eq!(
        n,
        [("acme.controller.control".to_string(), Mismatch::Roles)]
    );
}

#[test]
fn both_rule_may_be_opened_by_either_side() {
    let room = Room::new();
    let (m, _, o) = room.flow(TCP, PANEL, CONTROLLER, 4503, None);
    assert_eq!(
        (m, o),
        (
            vec!["acme.controller.ssh".to_string()],
            vec![Orientation::AsWritten]
        )
    );
    let (m, _, o) = room.flow(TCP, CONTROLLER, PANEL, 4503, None);
    assert_eq!(
        (m, o),
        (
            vec!["acme.controller.ssh".to_string()],
            vec![Orientation::Reversed]
        )
    );
    let (m, _, _) = room.flow(UDP, CODEC_B, CODEC_A, 16400, None);
    assert_eq!(m, ["acme.codec.media"]);
}

#[test]
fn roles_pick_the_right_rule_on_a_shared_port() {
    let room = Room::new();
    // tcp/23: controller -> DSP is Globex control; anyone -> controller is the blocked telnet.
    let (m, n, _) = room.flow(TCP, CONTROLLER, DSP, 23, None);
    assert_eq!(m, ["globex.dsp.control"]);
    // The telnet rule (any -> controller) read backwards fits too: the
    // controller opening to someone's 23. The Globex rule documents it anyway.
    assert_eq!(
        n,
        [(
            "acme.controller.telnet".to_string(),
            Mismatch::WrongDirection
        )]
    );
    // A codec opening to the DSP's 23 fits neither rule.
    let (m, n, _) = room.flow(TCP, CODEC_A, DSP, 23, None);
    assert!(m.is_empty());
    assert_eq!(
        n,
        [
            ("acme.controller.telnet".to_string(), Mismatch::Roles),
            ("globex.dsp.control".to_string(), Mismatch::Roles)
        ]
    );
    let (m, n, _) = room.flow(TCP, DSP, CONTROLLER, 23, None);
    assert_eq!(m, ["acme.controller.telnet"]);
    assert_eq!(
        n,
        [("globex.dsp.control".to_string(), Mismatch::WrongDirection)]
    );
    // A built-in role from the inventory: the DSP's DNS server.
    let (m, _, _) = room.flow(UDP, DSP, "10.9.0.53", 53, None);
    assert_eq!(m, ["globex.dsp.dns"]);
    let (m, n, _) = room.flow(UDP, "10.9.0.53", DSP, 53, None);
    assert!(m.is_empty());
    assert_eq!(
        n,
        [("globex.dsp.dns".to_string(), Mismatch::WrongDirection)]
    );
}

#[test]
fn an_unknown_side_fits_every_role() {
    let room = Room::new();
    let controller = room.roles(CONTROLLER);
    let q = Query::new(TCP, 8443).roles(Side::Unknown, Side::Roles(&controller));
    assert_eq!(ids(&room.matcher.lookup(&q)), ["acme.controller.control"]);
    // But a known side must have the role.
    let q = Query::new(TCP, 8443).roles(Side::Unknown, Side::Roles(&[]));
    assert_eq!(
        near(&room.matcher.lookup(&q)),
        [("acme.controller.control".to_string(), Mismatch::Roles)]
    );
}

#[test]
fn source_ports_are_checked_when_given() {
    let room = Room::new();
    // acme.controller.control: source ports ephemeral-linux, 32768-61000.
    for sp in [32768, 40000, 61000] {
        let (m, _, _) = room.flow(TCP, PANEL, CONTROLLER, 8443, Some(sp));
        assert_eq!(m, ["acme.controller.control"], "{sp}");
    }
    for sp in [32767, 61001] {
        let (m, n, _) = room.flow(TCP, PANEL, CONTROLLER, 8443, Some(sp));
        assert!(m.is_empty(), "{sp}");
        assert_eq!(
            n,
            [("acme.controller.control".to_string(), Mismatch::SourcePort)]
        );
    }
    // acme.codec.web: ephemeral-windows (49152-65535) or ephemeral-windows-old (1025-5000).
    let m = test_matcher();
    for (sp, ok) in [
        (49152, true),
        (65535, true),
        (1025, true),
        (5000, true),
        (5001, false),
        (1024, false),
    ] {
        let l = m.lookup(&Query::new(TCP, 443).from_port(sp));
        assert_eq!(l.is_documented(), ok, "{sp}");
    }
}

#[test]
fn multicast_checks_only_the_senders_role() {
    let room = Room::new();
    let codec = room.roles(CODEC_A);
    let panel = room.roles(PANEL);
    let group = ip("224.0.1.129");
    let q = Query::new(UDP, 319)
        .to_group(group)
        .roles(Side::Roles(&codec), Side::Roles(&[]));
    assert_eq!(ids(&room.matcher.lookup(&q)), ["acme.clock.ptp"]);
    let q = Query::new(UDP, 319)
        .to_group(group)
        .roles(Side::Roles(&panel), Side::Unknown);
    assert_eq!(
        near(&room.matcher.lookup(&q)),
        [("acme.clock.ptp".to_string(), Mismatch::Roles)]
    );
}

#[test]
fn nearest_hints() {
    let m = test_matcher();
    let near = m.same_product_other_port("Acme Room Controller", TCP, 8440, 10);
    let got: Vec<(&str, u16)> = near
        .iter()
        .map(|n| (n.rule.id.as_str(), n.distance))
        .collect();
    // 8443 is 3 away, 4503 is 3937 away, 23 is 8417 away (udp 4502 is another transport).
    assert_eq!(
        got,
        [
            ("acme.controller.control", 3),
            ("acme.controller.ssh", 3937),
            ("acme.controller.telnet", 8417)
        ]
    );
    // Rules covering the port itself are not "other port".
    assert!(m
        .same_product_other_port("Acme Room Controller", TCP, 8443, 10)
        .iter()
        .all(|n| n.distance > 0));

    let rules = m.rule_set();
    let controller = [rules.role_ref("acme.controller").unwrap()];
    let mut by_role: Vec<&str> = m
        .same_role_other_port(&controller, TCP, 1, 10)
        .iter()
        .map(|n| n.rule.id.as_str())
        .collect();
    by_role.sort_unstable();
    assert_eq!(
        by_role,
        [
            "acme.controller.control",
            "acme.controller.ssh",
            "acme.controller.telnet",
            "globex.dsp.control"
        ]
    );
    // `any` names no device.
    assert!(m
        .same_role_other_port(&[RoleRef::ANY], TCP, 1, 10)
        .is_empty());
}

#[test]
fn lookup_into_reuses_and_clears_the_buffer() {
    let m = test_matcher();
    let mut out = Lookup::default();
    m.lookup_into(&Query::new(TCP, 23), &mut out);
    assert_eq!(out.matches.len(), 2);
    m.lookup_into(&Query::new(TCP, 8443), &mut out);
    assert_eq!(ids(&out), ["acme.controller.control"]);
    m.lookup_into(&Query::new(TCP, 1), &mut out);
    assert!(out.matches.is_empty() && out.near.is_empty());
}

#[test]
fn the_built_in_rules_compile() {
    let Ok(rules) = portmatrix_rules::RuleSet::builtin() else {
        return; // reported by rule_files::builtin_rules_are_every_file_of_the_rules_dir
    };
    let m = Matcher::new(&rules);
    // Every rule is found at each end of each of its destination ranges.
    for (i, r) in rules.rules().iter().enumerate() {
        for t in r.transport.iter() {
            for range in r.destination_ports.ranges() {
                for p in [range.low, range.high] {
                    assert!(m.rules_at(t, p).any(|(j, _)| j == i), "{} {t} {p}", r.id);
                }
            }
        }
    }
}

#[test]
fn specific_rules_sort_first() {
    // 16400/udp: only the codec media range (100 ports) in the test rules; add
    // a rule for "any" port to see the order change.
    let extra = r#"[document]
file = "wide.txt"
vendor = "Wide"
title = "Wide"

[[rule]]
id = "wide.any"
product = "Wide"
section = "S"
source_role = "any"
destination_role = "any"
destination_ports = "any"
transport = "udp"
direction = "both"
service = "anything"
requirement = "optional"
quote = "any port"
"#;
    let mut sources: Vec<(std::path::PathBuf, String)> = ["acme.toml", "globex.toml"]
        .iter()
        .map(|f| {
            let p = fixture(&format!("rules/valid/{f}"));
            let t = std::fs::read_to_string(&p).unwrap();
            (p, t)
        })
        .collect();
    sources.insert(0, ("wide.toml".into(), extra.to_string()));
    let rules = portmatrix_rules::RuleSet::from_sources(sources).unwrap();
    let m = Matcher::new(&rules);
    let mut l = m.lookup(&Query::new(UDP, 16400));
    assert_eq!(ids(&l), ["wide.any", "acme.codec.media"]);
    l.sort_by_specificity();
    assert_eq!(ids(&l), ["acme.codec.media", "wide.any"]);
}

/// `nearest_by` keeps the `limit` best while scanning; the definition it
/// must agree with is "every accepted rule, sorted by (distance, id), cut
/// to `limit`", computed here from the rule list and `PortSpec::distance`.
#[test]
fn nearest_rules_are_the_first_of_the_full_ordering() {
    let rules = portmatrix_rules::RuleSet::builtin().expect("built-in rules load");
    let matcher = portmatrix_rules::Matcher::new(&rules);
    for port in [
        0u16, 1, 22, 443, 1719, 5004, 5060, 8080, 16384, 40000, 65535,
    ] {
        for limit in [0usize, 1, 3, 10, 2000] {
            for t in [Transport::Tcp, Transport::Udp] {
                let filter = |r: &portmatrix_rules::Rule| r.id.len() % 3 != 0;
                let got: Vec<(u16, String)> = matcher
                    .nearest_by(Some(t), port, limit, filter)
                    .iter()
                    .map(|n| (n.distance, n.rule.id.clone()))
                    .collect();
                let mut want: Vec<(u16, String)> = rules
                    .rules()
                    .iter()
                    .filter(|r| r.transport.contains(t) && filter(r))
                    .map(|r| (r.destination_ports.distance(port), r.id.clone()))
                    .collect();
                want.sort();
                want.truncate(limit);
                assert_eq!(got, want, "port {port}, limit {limit}, {t:?}");
            }
        }
    }
}

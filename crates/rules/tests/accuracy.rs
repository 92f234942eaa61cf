//! The accuracy review of the shipped rules (docs/rules.md, "Accuracy
//! review"). Each test quotes the document row it checks a rule against; the
//! expected roles, ports and ratings are read from that quote, and the quote
//! itself is checked against the document when the seed documents are there.

use std::fs;

use portmatrix_rules::{
    fold_whitespace, Confidence, Matcher, PortSpec, Query, Requirement, Rule, RuleSet, Side,
    Transport, Transports,
};

use crate::util::seeds;

const AVAYA: &str = "002_615c4775d6f19aa4.txt";
const EXTRON: &str = "000_1cb9c75137957cb3.txt";
const CLEARONE: &str = "001_d75e29b2fc443ec9.txt";

fn builtin() -> RuleSet {
    RuleSet::builtin().expect("the built-in rules load")
}

fn rule<'a>(set: &'a RuleSet, id: &str) -> &'a Rule {
    set.rule(id)
        .unwrap_or_else(|| panic!("no rule `{id}` in the built-in rules"))
}

/// Asserts that `text` is in the document `file` (whitespace folded); skips
/// with a message when the seed documents are absent.
fn in_document(file: &str, text: &str) {
    let path = seeds().join(file);
    let Ok(doc) = fs::read_to_string(&path) else {
        println!("skipped: no seed document at {}", path.display());
        return;
    };
    assert!(
        fold_whitespace(&doc).contains(&fold_whitespace(text)),
        "{file} does not contain {text:?}"
    );
}

/// The rules of the XT Series table from `source` to `destination` over
/// `transport` whose destination ports hold `port`.
fn xt_rules<'a>(
    set: &'a RuleSet,
    source: &str,
    destination: &str,
    transport: Transport,
    port: u16,
) -> Vec<&'a Rule> {
    set.rules()
        .iter()
        .filter(|r| {
            r.section.ends_with("XT Series Ports")
                && r.source_role == source
                && r.destination_role == destination
                && r.transport.contains(transport)
                && r.destination_ports.contains(port)
        })
        .collect()
}

#[test]
fn the_xt_h323_call_row_is_encoded_for_both_sources_and_every_destination() {
    // Source cell: "XT Series or EP in an H.323 call". Destination cells: the
    // gatekeeper and PathFinder take Q.931 on TCP 1720 and H.245 on
    // ephemeral TCP ports; an EP, XT or Elite MCU takes Q.931 on TCP 1720,
    // H.245 on TCP 3230-3250 (XT) or ephemeral ports, media on UDP.
    let gk = "H.323 Gatekeeper PathFinder <u>RAS signaling</u> UDP 1719 (RAS) UDP 1718 (RAS GK autodiscovery to multicast IPv4 address 224.0.0.41) <u>Q931 and H245 call signaling (when managed by GK)</u> TCP 1720 (H225/Q931) Ephemeral TCP ports";
    let peers = "H.323 EP/XT/Elite MCU <u>Q931 and H245 call signaling</u> TCP 1720 (H225/Q931) TCP 3230-3250* (H225/H245)(XT) or Ephemeral TCP ports <u>Media</u> UDP 3230-3313*(RTP/RTCP)(XT) or ephemeral UDP ports";
    in_document(AVAYA, "XT Series or EP in an H.323 call");
    in_document(AVAYA, gk);
    in_document(AVAYA, peers);
    let set = builtin();
    let mut missing = Vec::new();
    for source in ["avaya.xt-series", "avaya.h323-endpoint"] {
        for gatekeeper in ["avaya.ecs-gatekeeper", "avaya.h323-edge"] {
            // RAS 1719, Q.931 1720, H.245 on an ephemeral port (here 40000).
            for (t, port) in [
                (Transport::Udp, 1719),
                (Transport::Tcp, 1720),
                (Transport::Tcp, 40000),
            ] {
                if xt_rules(&set, source, gatekeeper, t, port).is_empty() {
                    missing.push(format!("{source} -> {gatekeeper} {t} {port}"));
                }
            }
        }
        for peer in ["avaya.h323-endpoint", "avaya.xt-series", "avaya.elite-mcu"] {
            // Q.931 1720, H.245 (3230 is in the XT range and ephemeral),
            // media (3232 likewise).
            for (t, port) in [
                (Transport::Tcp, 1720),
                (Transport::Tcp, 3230),
                (Transport::Udp, 3232),
            ] {
                if xt_rules(&set, source, peer, t, port).is_empty() {
                    missing.push(format!("{source} -> {peer} {t} {port}"));
                }
            }
        }
    }
    assert!(missing.is_empty(), "not encoded: {missing:#?}");
}

#[test]
fn equinox_management_h245_to_terminals_keeps_the_documents_direction() {
    // Source: Equinox Management "TCP (H.245) 32768-61000"; destination:
    // H.323 Terminals, ports "Consult the vendor documentation".
    let row = "Equinox Management TCP (H.245) 32768-61000 H.323 Terminals Consult the vendor documentation to confirm ports used.";
    in_document(AVAYA, row);
    let set = builtin();
    let r = rule(&set, "avaya.equinox-management.h323-terminal.h245");
    assert_eq!(r.source_role, "avaya.equinox-management");
    assert_eq!(r.destination_role, "avaya.h323-endpoint");
    assert_eq!(r.source_ports.to_string(), "32768-61000");
    // The terminal's ports: "Consult the vendor documentation"; the XT table
    // gives an endpoint's H.245 as "... or Ephemeral TCP ports".
    in_document(
        AVAYA,
        "TCP 3230-3250* (H225/H245)(XT) or Ephemeral TCP ports",
    );
    assert_eq!(r.destination_ports.to_string(), "ephemeral");
    assert_eq!(r.transport, Transports::Tcp);
    assert_eq!(r.confidence, Confidence::Reading);
    // The turned-round reading is a separate rule that says so.
    let rev = rule(&set, "avaya.equinox-management.h323-terminal.h245-to-em");
    assert_eq!(rev.source_role, "avaya.h323-endpoint");
    assert_eq!(rev.destination_role, "avaya.equinox-management");
    assert!(rev
        .correction
        .as_deref()
        .is_some_and(|c| c.contains("TCP (H.245) 32768-61000")));
    assert_eq!(rev.confidence, Confidence::Guess);
}

#[test]
fn vdn_to_sbc_has_no_literal_source_port_80() {
    // "TCP 80" sits in the source column; 80 is the VDN's HLS listening port
    // ("Virtual Delivery Node TCP (HLS Media) 80, 443" in the rows below).
    let row = "TCP 80 Session Border Controller (SBC) TCP 443 Media Streams to clients";
    in_document(AVAYA, row);
    in_document(AVAYA, "Virtual Delivery Node TCP (HLS Media) 80, 443");
    let set = builtin();
    let r = rule(&set, "avaya.sr-vdn.sbc");
    assert_eq!(r.source_ports, PortSpec::Any);
    assert_eq!(r.destination_ports.to_string(), "443");
    assert!(r
        .correction
        .as_deref()
        .is_some_and(|c| c.contains("\"TCP 80\"")));
}

#[test]
fn the_h323_edge_is_a_dns_client() {
    // The H.323 Edge table: the Edge -> "DNS Server TCP/UDP 53".
    let edge_row = "TCP 32768-61000* DNS Server TCP/UDP 53 Required for H.323 URI Dialing";
    in_document(AVAYA, edge_row);
    in_document(AVAYA, "UDP 53 (URI dialing/DNS)");
    let set = builtin();
    let r = rule(&set, "avaya.equinox-management.h323-edge.dns");
    assert_eq!(r.source_role, "avaya.h323-edge");
    assert_eq!(r.destination_role, "dns-server");
    assert!(r.correction.is_some());
    // No rule makes the Edge a DNS server.
    let servers: Vec<&str> = set
        .rules()
        .iter()
        .filter(|r| r.destination_role == "avaya.h323-edge" && r.destination_ports.contains(53))
        .map(|r| r.id.as_str())
        .collect();
    assert_eq!(servers, Vec::<&str>::new());
}

#[test]
fn corrections_that_interpret_are_marked_as_guesses() {
    // (rule, what the document says, a port the correction invents or moves
    // to, and whether the document's own value is still in the rule).
    let cases: &[(&str, &str, u16)] = &[
        (
            "avaya.media-server.mcu.client-audio",
            "UDP 16384-16784 (Audio RTP)",
            16984,
        ),
        (
            "avaya.media-server.mcu.peer-audio",
            "UDP 16384-16784 (Audio RTP)",
            16984,
        ),
        (
            "avaya.h323-edge.gatekeeper.h245-windows",
            "Default Windows TCP ports 49152-61000",
            65535,
        ),
        ("avaya.vc240.api", "TCP 224444 (API)", 22444),
        (
            "avaya.sr-cp.transcoder.wms",
            "TCP (Windows Media Stream) 9090 → 9XXXX",
            9999,
        ),
        (
            "avaya.sr-cp.transcoder.aac",
            "UDP (AAC-LC) 9090 → 9XXXX",
            9999,
        ),
        ("avaya.isdn-gateway.h323.q931", "UDP 1619 (Q931)", 1820),
        (
            "avaya.equinox-management.h323-terminal.q931",
            "Consult the vendor documentation to confirm ports used.",
            1720,
        ),
        (
            "avaya.isdn-gateway.equinox-management.ivr-registration",
            "UDP 1619 (IVR registration) UDP 1719 (RAS) Equinox Management TCP 32768-61000",
            1719,
        ),
        (
            "avaya.isdn-gateway.equinox-management.ras",
            "UDP 1619 (IVR registration) UDP 1719 (RAS) Equinox Management TCP 32768-61000",
            1719,
        ),
        ("avaya.classic-mcu.gatekeeper.ras", "UDP Ports", 1719),
    ];
    let set = builtin();
    for &(id, document_says, port) in cases {
        in_document(AVAYA, document_says);
        let r = rule(&set, id);
        assert_eq!(r.confidence, Confidence::Guess, "{id}");
        assert!(r.correction.is_some(), "{id} has no correction");
        let ports = if r.destination_ports.contains(port) {
            &r.destination_ports
        } else {
            &r.source_ports
        };
        assert!(ports.contains(port), "{id} does not hold {port}");
    }
    // A typo fixed from the document's own other rows stays a reading:
    // "UDP 137-128" is NetBIOS 137-138.
    in_document(AVAYA, "Active Directory UDP 137-128");
    let netbios = rule(&set, "avaya.scopia-desktop.active-directory.netbios");
    assert_eq!(netbios.confidence, Confidence::Reading);
}

#[test]
fn snmp_traps_and_clients_have_no_source_port_the_document_does_not_give() {
    // Rows with the ports swapped: source "UDP 162 (SNMP)", destination
    // "UDP 161 (SNMP)"; the trap goes to 162, from no documented port.
    in_document(AVAYA, "UDP 162 (SNMP) SNMP Trap Server UDP 161 (SNMP)");
    in_document(
        AVAYA,
        "UDP 162 (SNMP) SNMP Server UDP 161 (SNMP) SNMP traps",
    );
    let set = builtin();
    for id in [
        "avaya.classic-mcu.snmp-trap",
        "avaya.video-gateway.snmp-trap",
        "avaya.sip-gateway.snmp-trap",
        "avaya.tip-gateway.snmp-trap",
    ] {
        let r = rule(&set, id);
        assert_eq!(r.destination_ports.to_string(), "162", "{id}");
        assert_eq!(r.source_ports, PortSpec::Any, "{id}");
    }
    // The VC240 row does give 161 as the source of its traps: kept.
    in_document(AVAYA, "UDP 161 (SNMP) Any SNMP Trap server UDP 162 (SNMP)");
    assert_eq!(
        rule(&set, "avaya.vc240.snmp-trap").source_ports.to_string(),
        "161"
    );
    // "TCP 2946 TCP 3340 Scopia Classic MCU TCP 1024-4999": 1024-4999 is the
    // MCU's range, not the client's.
    in_document(AVAYA, "TCP 2946 TCP 3340 Scopia Classic MCU TCP 1024-4999");
    for id in [
        "avaya.classic-mcu.client.connect",
        "avaya.classic-mcu.client.fonts",
    ] {
        assert_eq!(rule(&set, id).source_ports, PortSpec::Any, "{id}");
    }
}

#[test]
fn dhcp_rules_keep_the_documented_ports_as_destinations_only() {
    // Extron: "67 UDP Both DHCP DHCP server", "68 UDP Both DHCP DHCP client";
    // ClearOne: "67 UDP BOOTPS", "68 UDP BOOTPC". No row gives a source port.
    in_document(EXTRON, "67 UDP Both DHCP DHCP server");
    in_document(EXTRON, "68 UDP Both DHCP DHCP client");
    in_document(CLEARONE, "67 UDP BOOTPS Used for DHCP");
    in_document(CLEARONE, "68 UDP BOOTPC Used for DHCP");
    let set = builtin();
    let dhcp: Vec<&Rule> = set
        .rules()
        .iter()
        .filter(|r| {
            (r.document == EXTRON || r.document == CLEARONE)
                && r.transport == Transports::Udp
                && (r.destination_ports.to_string() == "67"
                    || r.destination_ports.to_string() == "68")
        })
        .collect();
    assert_eq!(dhcp.len(), 6, "4 Extron and 2 ClearOne DHCP rules");
    for r in dhcp {
        assert_eq!(r.source_ports, PortSpec::Any, "{}", r.id);
    }
}

#[test]
fn always_blocked_rows_are_blocked_and_8445_is_told_apart_by_role() {
    // Destination device "Always blocked"; requirement cell "Optional. If
    // blocked, ...". Decision (docs/rules.md): `blocked`.
    let row = "Always blocked TCP 8085 ( HTTP) TCP 8445 (HTTPS - HTTP over SSL) TCP 21 (FTP) TCP 22 (SSH)";
    in_document(AVAYA, row);
    in_document(
        AVAYA,
        "Optional. If blocked, access to the MCU web interface; SSH and FTP access will not be possible.",
    );
    let set = builtin();
    for product in ["media-server", "elite-mcu"] {
        for (service, port) in [("http", 8085), ("https", 8445), ("ftp", 21), ("ssh", 22)] {
            let r = rule(&set, &format!("avaya.{product}.blocked.{service}"));
            assert_eq!(r.requirement, Requirement::Blocked, "{}", r.id);
            assert!(r.destination_ports.contains(port));
            assert!(r
                .note
                .as_deref()
                .is_some_and(|n| n.contains("Always blocked")));
        }
    }
    // PMGR: "Equinox Management TCP 32768-61000 Equinox Media Server,
    // Platform Manager (PMGR). ... TCP 8445", required for remote branches.
    in_document(
        AVAYA,
        "Equinox Media Server, Platform Manager (PMGR). TCP 3358 (XML) TLS 3368 (XML) TCP 8095 TCP 8445",
    );
    let matcher = Matcher::new(&set);
    let em = [set.role_ref("avaya.equinox-management").unwrap()];
    let ms = [set.role_ref("avaya.media-server").unwrap()];
    let browser = [set.role_ref("web-client").unwrap()];
    let ids = |source: &[_]| -> Vec<String> {
        matcher
            .lookup(
                &Query::new(Transport::Tcp, 8445)
                    .from_port(40000)
                    .roles(Side::Roles(source), Side::Roles(&ms)),
            )
            .matches
            .iter()
            .map(|c| c.rule.id.clone())
            .collect()
    };
    assert_eq!(ids(&em), ["avaya.equinox-management.pmgr.file-transfer"]);
    assert_eq!(ids(&browser), ["avaya.media-server.blocked.https"]);
}

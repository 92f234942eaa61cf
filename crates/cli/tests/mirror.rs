//! Remote mirrors (`docs/mirror.md`): traffic mirrored by the kernel onto a
//! VXLAN tunnel (`fixtures/recipes/mirror-tunnels.sh`, `tc ... action
//! mirred`) gives the same flows as the direct capture of the mirrored
//! link, and the report names the session it came through.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::util::{check_json, fixtures_dir, portmatrix};

/// The fields of a flow that must not depend on how it was captured.
fn flow_key(f: &Value) -> String {
    [
        "transport",
        "src_ip",
        "src_port",
        "dst_ip",
        "dst_port",
        "packets",
        "packets_fwd",
        "packets_rev",
        "bytes",
        "conn_state",
        "history",
        "verdict",
        "blocked_kind",
    ]
    .iter()
    .map(|k| f[*k].to_string())
    .collect::<Vec<_>>()
    .join(" ")
}

fn input0(path: &str) -> Value {
    let run = check_json(&fixtures_dir().join(path), None);
    run.input0().expect(path).clone()
}

fn flows(input: &Value) -> BTreeSet<String> {
    input["flows"]
        .as_array()
        .unwrap()
        .iter()
        .map(flow_key)
        .collect()
}

#[test]
fn vxlan_mirror_has_the_flows_of_the_direct_capture() {
    let direct = input0("mirror/direct.pcap");
    let mirrored = input0("mirror/vxlan-mirror.pcap");
    let (d, m) = (flows(&direct), flows(&mirrored));
    assert_eq!(d.len(), 4, "{d:#?}");
    assert_eq!(d, m);

    // Every flow the recipe made is there, opened by the side that opened it.
    let truth = std::fs::read_to_string(fixtures_dir().join("mirror/flows.truth.tsv")).unwrap();
    for row in truth.lines().filter(|l| !l.starts_with('#')) {
        let c: Vec<&str> = row.split('\t').collect();
        let found = mirrored["flows"].as_array().unwrap().iter().any(|f| {
            f["transport"] == c[0]
                && f["src_ip"] == c[1]
                && f["dst_ip"] == c[3]
                && (c[0] == "icmp"
                    || (f["src_port"].as_u64() == c[2].parse().ok()
                        && f["dst_port"].as_u64() == c[4].parse().ok()))
        });
        assert!(found, "{row}");
    }

    // The session: the recipe's VXLAN device (VNI 4242, 192.0.2.1 -> 192.0.2.2)
    // carried every frame of the mirrored link.
    let packets = direct["packets"].as_u64().unwrap();
    assert_eq!(direct["mirror_sessions"], Value::Array(Vec::new()));
    assert_eq!(direct["decapsulated"], 0);
    assert_eq!(mirrored["decapsulated"].as_u64(), Some(packets));
    let sessions = mirrored["mirror_sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 1);
    let s = &sessions[0];
    assert_eq!(
        (&s["kind"], &s["id"], &s["sensor"], &s["collector"]),
        (
            &Value::from("vxlan"),
            &Value::from(4242),
            &Value::from("192.0.2.1"),
            &Value::from("192.0.2.2")
        )
    );
    assert_eq!(s["packets"].as_u64(), Some(packets));
}

#[test]
fn no_decap_keeps_the_tunnel_as_the_flow() {
    let out = portmatrix()
        .args(["check", "--no-decap", "--format", "json"])
        .arg(fixtures_dir().join("mirror/vxlan-mirror.pcap"))
        .output()
        .unwrap();
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    let input = &doc["inputs"][0];
    assert_eq!(input["mirror_sessions"], Value::Array(Vec::new()));
    let flows = input["flows"].as_array().unwrap();
    assert!(!flows.is_empty());
    for f in flows {
        assert_eq!(
            (&f["transport"], &f["src_ip"], &f["dst_ip"], &f["dst_port"]),
            (
                &Value::from("udp"),
                &Value::from("192.0.2.1"),
                &Value::from("192.0.2.2"),
                &Value::from(4789)
            ),
            "{f}"
        );
    }
}

#[test]
fn every_kind_of_session_is_listed() {
    // fixtures/tunnels/tunnels.pcap, built by fixtures/recipes/tunnels.py:
    // 19 packets, the two IPv4-in-IPv4 ones (plain and 6in4) in one session.
    let input = input0("tunnels/tunnels.pcap");
    assert_eq!(input["decapsulated"], 19);
    let sessions = input["mirror_sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 18);
    let kinds: BTreeSet<&str> = sessions
        .iter()
        .map(|s| s["kind"].as_str().unwrap())
        .collect();
    let want: BTreeSet<&str> = [
        "erspan-i",
        "erspan-ii",
        "erspan-iii",
        "gre-ethernet",
        "gre-ip",
        "vxlan",
        "geneve",
        "mpls",
        "mpls-pseudowire",
        "ip-in-ip",
    ]
    .into();
    assert_eq!(kinds, want);
    // Packet 3: ERSPAN type III session 200, VLAN 20, D bit set (egress).
    let s = sessions
        .iter()
        .find(|s| s["kind"] == "erspan-iii" && s["id"] == 200)
        .unwrap();
    assert_eq!(
        (&s["vlans"], &s["egress"], &s["ingress"]),
        (&Value::from(vec![20]), &Value::from(1), &Value::from(0))
    );
    // Packet 18: VXLAN 7 carrying an ERSPAN type II session, two layers.
    let s = sessions
        .iter()
        .find(|s| s["kind"] == "vxlan" && s["id"] == 7)
        .unwrap();
    assert_eq!(s["max_depth"], 2);
}

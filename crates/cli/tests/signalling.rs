//! Multicast membership, SIP/SAP and SDP-announced media against outside
//! sources: tshark's output for corpus captures (saved in
//! `fixtures/oracle/tshark-signalling/` and `tshark-rtp-streams/`, each with
//! the tshark version and the command that made it in its header; the corpus
//! tests skip when `../shared/corpus` is absent), and the truth table of the
//! scapy recipe `fixtures/recipes/multicast-sdp.py`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use crate::corpus::corpus_dir;
use crate::util::{check_json, fixtures_dir};

/// A saved tshark output under `fixtures/oracle/`: its data lines (the
/// header of `#` lines dropped).
fn tshark(name: &str) -> Vec<String> {
    let name = if name.contains('/') {
        name.to_string()
    } else {
        format!("tshark-signalling/{name}")
    };
    let path = fixtures_dir().join("oracle").join(&name);
    let text = std::fs::read_to_string(&path).expect("read a saved tshark output");
    assert!(
        text.lines()
            .any(|l| l.starts_with("# command") && l.contains("tshark -r")),
        "{name}: no command line"
    );
    text.lines()
        .skip_while(|l| l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// `inputs[0]` of `portmatrix check --format json` on a file.
fn input(path: &Path) -> Value {
    let run = check_json(path, None);
    assert!(matches!(run.code, Some(0..=2)), "{path:?}: {}", run.stderr);
    run.input0().expect("inputs[0]").clone()
}

fn flows(input: &Value) -> &Vec<Value> {
    input["flows"].as_array().expect("flows")
}

#[test]
fn g726_jitter_uses_the_clock_rates_sip_announced_as_tshark_does() {
    let Some(dir) = corpus_dir() else { return };
    let ours = input(&dir.join("files/rtppcap/sip-rtp-g726.pcap"));
    let rows: Vec<Vec<String>> = tshark("tshark-rtp-streams/C141.txt")
        .iter()
        .filter(|l| l.contains("0x"))
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .collect();
    assert_eq!(rows.len(), 8, "tshark lists eight streams");
    for row in rows {
        // Start End SrcIP SrcPort DstIP DstPort SSRC Payload Pkts Lost (%) MinΔ MeanΔ MaxΔ MinJ MeanJ MaxJ
        let ssrc = u64::from_str_radix(row[6].trim_start_matches("0x"), 16).expect("ssrc");
        let n = row.len();
        let (mean, max): (f64, f64) = (row[n - 2].parse().unwrap(), row[n - 1].parse().unwrap());
        let packets: u64 = row[8].parse().unwrap();
        let flow = flows(&ours)
            .iter()
            .find(|f| {
                f["rtp"]
                    .as_array()
                    .is_some_and(|s| s.iter().any(|s| s["ssrc"].as_u64() == Some(ssrc)))
            })
            .unwrap_or_else(|| panic!("no RTP stream {ssrc:#x}"));
        let s = flow["rtp"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["ssrc"].as_u64() == Some(ssrc))
            .unwrap();
        // PT 99 is dynamic: only the SDP (a=rtpmap:99 G726-*/8000) gives the clock.
        assert_eq!(s["payload_type"], 99);
        assert_eq!(s["clock_rate"], 8000, "{ssrc:#x}");
        assert_eq!(s["packets"].as_u64(), Some(packets));
        let close = |a: &Value, b: f64| a.as_f64().is_some_and(|a| (a - b).abs() <= 0.0011);
        assert!(
            close(&s["mean_jitter_ms"], mean),
            "{ssrc:#x}: mean {} vs tshark {mean}",
            s["mean_jitter_ms"]
        );
        assert!(
            close(&s["max_jitter_ms"], max),
            "{ssrc:#x}: max {} vs tshark {max}",
            s["max_jitter_ms"]
        );
        // The stream points at the SIP flow whose SDP announced 10.0.2.20:6000.
        let by = flow["announced_by"].as_u64().expect("announced_by");
        let sip = flows(&ours)
            .iter()
            .find(|f| f["id"].as_u64() == Some(by))
            .expect("the announcing flow is reported");
        assert_eq!(sip["app"], "sip");
    }
}

/// What tshark's IGMP fields say of one capture: per (group, host) joins
/// and leaves, per querier general and group-specific queries. A v3 record
/// joins when it leaves the host listening (EXCLUDE, or INCLUDE/ALLOW with
/// sources) and leaves on INCLUDE with no sources (RFC 3376 §4.2.12).
#[derive(Debug, Default, PartialEq)]
struct Membership {
    members: BTreeMap<(String, String), (u64, u64)>,
    queriers: BTreeMap<String, (u64, u64)>,
}

fn tshark_membership(name: &str) -> Membership {
    let mut m = Membership::default();
    for line in tshark(name) {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 7 {
            continue;
        }
        let (host, ty, groups) = (f[0], f[2], f[3]);
        match ty {
            "0x11" => {
                let q = m.queriers.entry(host.to_string()).or_default();
                if groups == "0.0.0.0" {
                    q.0 += 1;
                } else {
                    q.1 += 1;
                }
            }
            "0x12" | "0x16" | "0x17" => {
                let e = m
                    .members
                    .entry((groups.to_string(), host.to_string()))
                    .or_default();
                if ty == "0x17" {
                    e.1 += 1;
                } else {
                    e.0 += 1;
                }
            }
            "0x22" => {
                let types: Vec<&str> = f[4].split(',').collect();
                let nsrc: Vec<&str> = f[5].split(',').collect();
                for (i, g) in groups.split(',').enumerate() {
                    let (t, n) = (types[i], nsrc[i] != "0");
                    let e = m
                        .members
                        .entry((g.to_string(), host.to_string()))
                        .or_default();
                    match (t, n) {
                        ("2" | "4", _) | ("1" | "3" | "5", true) => e.0 += 1,
                        ("1" | "3", false) => e.1 += 1,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    m
}

fn our_membership(input: &Value) -> Membership {
    let mut m = Membership::default();
    let Some(mc) = input.get("multicast") else {
        return m;
    };
    for g in mc["groups"].as_array().unwrap() {
        for h in g["members"].as_array().unwrap() {
            m.members.insert(
                (
                    g["group"].as_str().unwrap().to_string(),
                    h["host"].as_str().unwrap().to_string(),
                ),
                (h["joins"].as_u64().unwrap(), h["leaves"].as_u64().unwrap()),
            );
        }
    }
    for q in mc["queriers"].as_array().unwrap() {
        m.queriers.insert(
            q["address"].as_str().unwrap().to_string(),
            (
                q["general_queries"].as_u64().unwrap(),
                q["group_queries"].as_u64().unwrap(),
            ),
        );
    }
    m
}

#[test]
fn igmp_joins_leaves_and_queriers_match_tshark() {
    let Some(dir) = corpus_dir() else { return };
    for (file, saved) in [
        ("files/tcpdump/IGMP_V1.pcap", "igmp-IGMP_V1.txt"),
        ("files/tcpdump/IGMP_V2.pcap", "igmp-IGMP_V2.txt"),
        (
            "files/tcpdump/igmpv3-queries.pcap",
            "igmp-igmpv3-queries.txt",
        ),
        ("files/zeek/igmp.pcap", "igmp-igmp.txt"),
    ] {
        let want = tshark_membership(saved);
        assert!(
            !want.members.is_empty() || !want.queriers.is_empty(),
            "{saved}"
        );
        let ours = input(&dir.join(file));
        assert_eq!(our_membership(&ours), want, "{file}");
        // Joins without any query: the capture-level finding.
        let kinds: Vec<&str> = ours["multicast"]["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|f| f["kind"].as_str())
            .collect();
        let joins_of_routed_groups = want
            .members
            .iter()
            .any(|((g, _), (j, _))| *j > 0 && !g.starts_with("224.0.0."));
        let no_querier = want.queriers.is_empty() && joins_of_routed_groups;
        assert_eq!(kinds.contains(&"igmp-no-querier"), no_querier, "{file}");
    }
}

#[test]
fn sip_messages_and_sdp_media_match_tshark() {
    let Some(dir) = corpus_dir() else { return };
    let ours = input(&dir.join("files/ndpi/sip.pcap"));
    // Requests per method and responses per class, over the capture.
    let mut want: BTreeMap<String, u64> = BTreeMap::new();
    for line in tshark("sip-ndpi-sip.txt") {
        let f: Vec<&str> = line.split('\t').collect();
        let key = match (f[4], f[5]) {
            (m, "") => m.to_string(),
            ("", code) => format!("{}xx", &code[..1]),
            _ => continue,
        };
        *want.entry(key).or_default() += 1;
    }
    let mut got: BTreeMap<String, u64> = BTreeMap::new();
    for f in flows(&ours).iter().filter(|f| f["app"] == "sip") {
        for part in ["requests", "responses"] {
            for (k, n) in f["sip"][part].as_object().unwrap() {
                *got.entry(k.clone()).or_default() += n.as_u64().unwrap();
            }
        }
    }
    assert_eq!(got, want);
    // Every (c= address, m= port) tshark read is announced, and nothing else.
    let want: BTreeSet<(String, u64)> = tshark("sdp-ndpi-sip.txt")
        .iter()
        .map(|l| l.split('\t').collect::<Vec<_>>())
        .filter(|f| f[1] != "0")
        .map(|f| (f[0].to_string(), f[1].parse().unwrap()))
        .collect();
    let got: BTreeSet<(String, u64)> = ours["announced"]
        .as_array()
        .expect("announced")
        .iter()
        .map(|a| {
            (
                a["address"].as_str().unwrap().to_string(),
                a["port"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, want);
    // The RTP between the announced ports points at a SIP flow.
    let rtp = flows(&ours)
        .iter()
        .find(|f| f["app"] == "rtp")
        .expect("an RTP flow");
    let by = rtp["announced_by"].as_u64().expect("announced_by");
    assert!(flows(&ours)
        .iter()
        .any(|f| f["id"].as_u64() == Some(by) && f["app"] == "sip"));
    assert!(!rtp["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["kind"] == "media-not-announced"));
}

#[test]
fn sap_announcements_match_tshark() {
    let Some(dir) = corpus_dir() else { return };
    let ours = input(&dir.join("files/zeek/q-in-q.pcap"));
    let rows: Vec<Vec<String>> = tshark("sap-q-in-q.txt")
        .iter()
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect();
    let sap = flows(&ours)
        .iter()
        .find(|f| f["app"] == "sap")
        .expect("a SAP flow");
    assert_eq!(sap["dst_ip"], rows[0][1].as_str());
    let announcements = rows.iter().filter(|r| r[2] == "0").count() as u64;
    assert_eq!(sap["sap"]["announcements"].as_u64(), Some(announcements));
    let announced = ours["announced"].as_array().expect("announced");
    assert_eq!(announced.len(), 1);
    assert_eq!(announced[0]["address"], rows[0][3].as_str());
    assert_eq!(announced[0]["port"].as_u64(), rows[0][4].parse().ok());
    assert_eq!(announced[0]["proto"], rows[0][5].as_str());
    // Nothing in the capture goes to the announced group (tshark -Y
    // ip.addr==233.4.189.38 lists no packet).
    assert_eq!(ours["announced_not_seen"].as_array().map(Vec::len), Some(1));
    // Nobody joined the SAP group: the capture has no IGMP at all.
    assert!(sap["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["kind"] == "multicast-no-join"));
}

#[test]
fn the_multicast_sdp_recipe_capture_meets_its_truth_table() {
    let dir = fixtures_dir().join("multicast");
    let truth: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("room.truth.json")).expect("truth table"),
    )
    .expect("truth JSON");
    let ours = input(&dir.join("room.pcap"));
    assert_eq!(ours["packets"], truth["packets"]);
    let mc = &ours["multicast"];
    for (group, members) in truth["multicast"]["groups"].as_object().unwrap() {
        let g = mc["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["group"] == group.as_str())
            .unwrap_or_else(|| panic!("group {group} missing"));
        for (host, want) in members.as_object().unwrap() {
            let m = g["members"]
                .as_array()
                .unwrap()
                .iter()
                .find(|m| m["host"] == host.as_str())
                .unwrap_or_else(|| panic!("member {host} of {group} missing"));
            for (k, v) in want.as_object().unwrap() {
                assert_eq!(&m[k], v, "{group} {host} {k}");
            }
        }
    }
    for (addr, want) in truth["multicast"]["queriers"].as_object().unwrap() {
        let q = mc["queriers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["address"] == addr.as_str())
            .unwrap_or_else(|| panic!("querier {addr} missing"));
        for (k, v) in want.as_object().unwrap() {
            assert_eq!(&q[k], v, "querier {addr} {k}");
        }
    }
    assert_eq!(mc["queriers"].as_array().unwrap().len(), 1);
    let kinds: Vec<&Value> = mc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| &f["kind"])
        .collect();
    let want: Vec<&Value> = truth["multicast"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(kinds, want);

    for (dst, want) in truth["flows"].as_object().unwrap() {
        let (ip, port) = dst.rsplit_once(':').unwrap();
        let f = flows(&ours)
            .iter()
            .find(|f| f["dst_ip"] == ip && f["dst_port"].as_u64() == port.parse().ok())
            .unwrap_or_else(|| panic!("no flow to {dst}"));
        let kinds: Vec<&str> = f["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|x| x["kind"].as_str())
            .collect();
        for k in want["has"].as_array().unwrap() {
            assert!(
                kinds.contains(&k.as_str().unwrap()),
                "{dst}: {k} missing in {kinds:?}"
            );
        }
        for k in want["not"].as_array().unwrap() {
            assert!(
                !kinds.contains(&k.as_str().unwrap()),
                "{dst}: {k} unexpected"
            );
        }
        if let Some(rule) = want.get("rule") {
            assert_eq!(f["verdict"], "documented", "{dst}");
            assert!(
                f["rule_ids"].as_array().unwrap().contains(rule),
                "{dst}: {}",
                f["rule_ids"]
            );
        }
        if let Some(app) = want.get("app") {
            assert_eq!(&f["app"], app, "{dst}");
        }
        if let Some(by) = want.get("announced_by") {
            assert_eq!(&f["announced_by"], by, "{dst}");
        }
        if let Some(rate) = want.get("clock_rate") {
            let streams = f["rtp"].as_array().expect("RTP streams");
            assert!(
                streams.iter().all(|s| &s["clock_rate"] == rate),
                "{dst}: {streams:?}"
            );
        }
    }
    let pairs = |v: &Value| -> BTreeSet<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|a| match a.as_str() {
                Some(s) => s.to_string(),
                None => format!("{}:{}", a["address"].as_str().unwrap(), a["port"]),
            })
            .collect()
    };
    assert_eq!(pairs(&ours["announced"]), pairs(&truth["announced"]));
    assert_eq!(
        pairs(&ours["announced_not_seen"]),
        pairs(&truth["announced_not_seen"])
    );
}

/// Requests per method and responses per class of a saved `sip.Method,
/// sip.Status-Code` listing (the first two columns).
fn tshark_sip_counts(name: &str) -> BTreeMap<String, u64> {
    let mut want = BTreeMap::new();
    for line in tshark(name) {
        let f: Vec<&str> = line.split('\t').collect();
        let key = match (f[0], f.get(1).copied().unwrap_or("")) {
            (m, "") => m.to_string(),
            ("", code) => format!("{}xx", &code[..1]),
            _ => continue,
        };
        *want.entry(key).or_default() += 1;
    }
    want
}

fn our_sip_counts(input: &Value) -> BTreeMap<String, u64> {
    let mut got = BTreeMap::new();
    for f in flows(input).iter().filter(|f| f["app"] == "sip") {
        for part in ["requests", "responses"] {
            for (k, n) in f["sip"][part].as_object().unwrap() {
                *got.entry(k.clone()).or_default() += n.as_u64().unwrap();
            }
        }
    }
    got
}

#[test]
fn sip_over_tcp_and_a_cut_sdp_match_tshark() {
    let Some(dir) = corpus_dir() else { return };
    // A REGISTER whose head spans two TCP segments, and its 200 OK.
    let ours = input(&dir.join("files/suricata/sip-tcp.pcap"));
    assert_eq!(
        our_sip_counts(&ours),
        tshark_sip_counts("sip-suricata-sip-tcp.txt")
    );
    // Content-Length ends both SDP bodies before their m= line: tshark
    // reads a c= address and no media port, and nothing is announced.
    let ours = input(&dir.join("files/suricata/sdp.pcap"));
    assert_eq!(
        our_sip_counts(&ours),
        tshark_sip_counts("sip-suricata-sdp.txt")
    );
    let rows = tshark("sip-suricata-sdp.txt");
    assert!(rows.iter().all(|l| l.split('\t').nth(3) == Some("")));
    let sip = flows(&ours)
        .iter()
        .find(|f| f["app"] == "sip")
        .expect("SIP");
    assert_eq!(sip["sip"]["sdp_bodies"].as_u64(), Some(rows.len() as u64));
    assert_eq!(ours["announced"].as_array().map(Vec::len), Some(0));
}

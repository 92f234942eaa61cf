//! PTP in the real corpus captures, against tshark's dissection of the same
//! files saved with the command that made it (`fixtures/oracle/ptp/*.tsv`,
//! written by `fixtures/oracle/ptp/make.sh`): messages per type, domains,
//! clocks, grandmasters, flows (PTP over Ethernet included) and rates.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use crate::corpus::corpus_dir;
use crate::util::{check_json, fixtures_dir};

/// IEEE 1588-2008 Table 19: messageType values and names.
fn type_name(hex: &str) -> &'static str {
    match u8::from_str_radix(hex.trim_start_matches("0x"), 16).expect("message type") {
        0x0 => "Sync",
        0x1 => "Delay_Req",
        0x2 => "Pdelay_Req",
        0x3 => "Pdelay_Resp",
        0x8 => "Follow_Up",
        0x9 => "Delay_Resp",
        0xA => "Pdelay_Resp_Follow_Up",
        0xB => "Announce",
        0xC => "Signaling",
        0xD => "Management",
        other => panic!("reserved message type {other:#x}"),
    }
}

/// tshark's `0x7483efffff01ac16` as the report writes clock identities
/// (`7483ef.ffff.01ac16`, see docs/detectors.md).
fn clock(hex: &str) -> String {
    let h = format!("{:0>16}", hex.trim_start_matches("0x"));
    format!("{}.{}.{}", &h[..6], &h[6..10], &h[10..])
}

/// The rows of one oracle file, as maps from field name to value.
fn oracle(name: &str) -> Vec<BTreeMap<String, String>> {
    let path = fixtures_dir().join("oracle/ptp").join(name);
    let text = std::fs::read_to_string(&path).expect("read the oracle file");
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    lines
        .map(|l| {
            header
                .iter()
                .map(|h| h.to_string())
                .zip(l.split('\t').map(str::to_string))
                .collect()
        })
        .collect()
}

/// A flow's two ends, in a fixed order: MAC addresses for PTP over
/// Ethernet, `address:port` for UDP.
fn ends(a: String, b: String) -> (String, String) {
    if a <= b {
        (a, b)
    } else {
        (b, a)
    }
}

fn row_ends(r: &BTreeMap<String, String>) -> (String, String) {
    if r["eth.type"] == "0x88f7" {
        return ends(r["eth.src"].clone(), r["eth.dst"].clone());
    }
    let ip = |v4: &str, v6: &str| {
        if r[v4].is_empty() {
            r[v6].clone()
        } else {
            r[v4].clone()
        }
    };
    ends(
        format!("{}:{}", ip("ip.src", "ipv6.src"), r["udp.srcport"]),
        format!("{}:{}", ip("ip.dst", "ipv6.dst"), r["udp.dstport"]),
    )
}

fn flow_ends(f: &Value) -> (String, String) {
    if f["transport"] == "ether" {
        let s = |k: &str| f[k].as_str().expect(k).to_string();
        return ends(s("src_mac"), s("dst_mac"));
    }
    let s = |ip: &str, port: &str| format!("{}:{}", f[ip].as_str().expect(ip), f[port]);
    ends(s("src_ip", "src_port"), s("dst_ip", "dst_port"))
}

type Counts = BTreeMap<String, u64>;

fn counts(rows: &[&BTreeMap<String, String>]) -> Counts {
    let mut c = Counts::new();
    for r in rows {
        *c.entry(type_name(&r["ptp.v2.messagetype"]).to_string())
            .or_insert(0) += 1;
    }
    c
}

fn json_counts(v: &Value) -> Counts {
    v.as_object()
        .expect("messages object")
        .iter()
        .map(|(k, n)| (k.clone(), n.as_u64().expect("count")))
        .collect()
}

/// Runs one corpus file and compares it with its oracle; returns the
/// input report for further checks.
fn check(corpus_path: &str, oracle_name: &str, ether: bool) -> Value {
    let dir = corpus_dir().expect("corpus present");
    let rows = oracle(oracle_name);
    assert!(!rows.is_empty(), "{oracle_name}: empty oracle");
    let run = check_json(&dir.join(corpus_path), None);
    let input = run.input0().expect("report").clone();
    let ptp = &input["ptp"];
    let all: Vec<&BTreeMap<String, String>> = rows.iter().collect();

    // Messages per type, over the whole capture.
    let mut got = Counts::new();
    for d in ptp["domains"].as_array().expect("domains") {
        for (k, n) in json_counts(&d["messages"]) {
            *got.entry(k).or_insert(0) += n;
        }
    }
    assert_eq!(got, counts(&all), "{corpus_path}: messages per type");
    assert_eq!(ptp["messages"], rows.len() as u64, "{corpus_path}");
    assert_eq!(ptp["versions"], serde_json::json!([2]), "{corpus_path}");

    // Domains, clocks and grandmasters.
    let want: BTreeSet<u64> = rows
        .iter()
        .map(|r| r["ptp.v2.domainnumber"].parse().expect("domain"))
        .collect();
    let got: BTreeSet<u64> = ptp["domains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["domain"].as_u64().expect("v2 domain number"))
        .collect();
    assert_eq!(got, want, "{corpus_path}: domains");
    let want: BTreeSet<String> = rows
        .iter()
        .map(|r| clock(&r["ptp.v2.clockidentity"]))
        .collect();
    let got: BTreeSet<String> = ptp["domains"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["clocks"].as_array().unwrap().iter())
        .map(|c| c.as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, want, "{corpus_path}: clocks");
    let want: BTreeSet<String> = rows
        .iter()
        .map(|r| &r["ptp.v2.an.grandmasterclockidentity"])
        .filter(|g| !g.is_empty())
        .map(|g| clock(g))
        .collect();
    let got: BTreeSet<String> = ptp["domains"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|d| d["grandmasters"].as_array().unwrap().iter())
        .map(|g| g["identity"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, want, "{corpus_path}: grandmasters");

    // One flow per pair of ends, with the messages tshark saw between them.
    let mut want: BTreeMap<(String, String), Vec<&BTreeMap<String, String>>> = BTreeMap::new();
    for r in &rows {
        want.entry(row_ends(r)).or_default().push(r);
    }
    let flows: Vec<&Value> = input["flows"]
        .as_array()
        .expect("flows")
        .iter()
        .filter(|f| f["app"] == "ptp")
        .collect();
    let got: BTreeMap<(String, String), Counts> = flows
        .iter()
        .map(|f| (flow_ends(f), json_counts(&f["ptp"]["messages"])))
        .collect();
    let want: BTreeMap<(String, String), Counts> =
        want.into_iter().map(|(k, v)| (k, counts(&v))).collect();
    assert_eq!(got, want, "{corpus_path}: flows and their messages");
    for f in &flows {
        if ether {
            assert_eq!(f["transport"], "ether", "{corpus_path}");
            assert_eq!(f["ether_type"], "0x88f7", "{corpus_path}");
            assert!(
                f["src_ip"].is_null() && f["dst_ip"].is_null(),
                "{corpus_path}: no IP"
            );
            assert_eq!(f["verdict"], "undocumented", "{corpus_path}");
            assert!(
                f["findings"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|x| x["kind"] == "not-ip"),
                "{corpus_path}: {f}"
            );
        } else {
            assert_eq!(f["transport"], "udp", "{corpus_path}");
        }
    }
    input
}

#[test]
fn ptp_over_udp_matches_tshark() {
    if corpus_dir().is_none() {
        return;
    }
    let input = check("files/tcpdump/ptp.pcap", "ptp.tsv", false);
    let d = &input["ptp"]["domains"][0];
    assert_eq!(d["delay_mechanism"], "e2e");
    check(
        "files/tcpdump/ptp_corrections.pcap",
        "ptp_corrections.tsv",
        false,
    );
    // nDPI (expected/ndpi/ptpv2.pcap.out) also finds these three flows: 7, 6
    // and 1 packets over UDP/IPv6.
    let input = check("files/ndpi/ptpv2.pcap", "ptpv2.tsv", false);
    let mut packets: Vec<u64> = input["flows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["packets"].as_u64().unwrap())
        .collect();
    packets.sort_unstable();
    assert_eq!(packets, [1, 6, 7]);
}

#[test]
fn ptp_over_ethernet_matches_tshark() {
    let Some(_) = corpus_dir() else { return };
    check(
        "files/tcpdump/ptp_management.pcap",
        "ptp_management.tsv",
        true,
    );
    let input = check("files/tcpdump/ptp_v2_1.pcap", "ptp_v2_1.tsv", true);
    let d = &input["ptp"]["domains"][0];
    assert_eq!(d["delay_mechanism"], "p2p");
    assert_eq!(d["pdelay_to"], serde_json::json!(["01:80:c2:00:00:0e"]));

    let input = check("files/tcpdump/ptp_ethernet.pcap", "ptp_ethernet.tsv", true);
    assert_eq!(input["packets"], 205);
    assert!(input["summary"]["flows"].as_u64().unwrap() > 0);
    // The grandmaster changes once: tshark's first Announce naming each.
    let rows = oracle("ptp_ethernet.tsv");
    let mut firsts: Vec<(String, i64)> = Vec::new();
    let mut syncs: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for r in &rows {
        let t: f64 = r["frame.time_epoch"].parse().unwrap();
        let g = &r["ptp.v2.an.grandmasterclockidentity"];
        if !g.is_empty() && !firsts.iter().any(|(id, _)| *id == clock(g)) {
            firsts.push((clock(g), (t * 1e6).round() as i64 * 1000));
        }
        if r["ptp.v2.messagetype"] == "0x00" {
            syncs
                .entry(clock(&r["ptp.v2.clockidentity"]))
                .or_default()
                .push(t);
        }
    }
    assert_eq!(firsts.len(), 2);
    let d = &input["ptp"]["domains"][0];
    let gms = d["grandmasters"].as_array().unwrap();
    for (gm, (id, first_ns)) in gms.iter().zip(&firsts) {
        assert_eq!(gm["identity"], id.as_str());
        assert_eq!(gm["periods"][0]["first_ts_ns"], *first_ns, "{id}");
    }
    let change: Vec<&Value> = input["ptp"]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["kind"] == "ptp-grandmaster-change")
        .collect();
    assert_eq!(change.len(), 1);
    // On the flows concerned too: those that carried the Announces.
    let announcing: BTreeSet<(String, String)> = rows
        .iter()
        .filter(|r| r["ptp.v2.messagetype"] == "0x0b")
        .map(row_ends)
        .collect();
    let flagged: BTreeSet<(String, String)> = input["flows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["kind"] == "ptp-grandmaster-change")
        })
        .map(flow_ends)
        .collect();
    assert!(!announcing.is_empty());
    assert_eq!(flagged, announcing);
    let detail = change[0]["detail"].as_str().unwrap();
    assert!(
        detail.contains(&format!("{} -> {}", firsts[0].0, firsts[1].0)),
        "{detail}"
    );
    // Sync rate of the busiest sender: (n - 1) / (last - first), from
    // tshark's timestamps.
    let (master, syncs) = syncs.iter().max_by_key(|(_, v)| v.len()).unwrap();
    assert_eq!(d["sync"][0]["clock"], master.as_str());
    let want = (syncs.len() - 1) as f64 / (syncs[syncs.len() - 1] - syncs[0]);
    let got = d["sync"][0]["per_second"].as_f64().unwrap();
    assert!((got - want).abs() < 0.001, "sync rate {got} vs {want}");
    assert_eq!(d["delay_mechanism"], "e2e");
}

/// IEEE 1588-2002 Table 23: v1 control values and names.
fn v1_name(control: &str) -> &'static str {
    match control.parse::<u8>().expect("control") {
        0 => "Sync",
        1 => "Delay_Req",
        2 => "Follow_Up",
        3 => "Delay_Resp",
        4 => "Management",
        other => panic!("reserved control {other}"),
    }
}

/// `fixtures/ptp/mixed.pcap` (PTPv1 in `_DFLT` and `_ALT1`, PTPv2 in
/// domains 0 and 127, Announce sent to the event port) against tshark.
#[test]
fn mixed_versions_and_domains_match_tshark() {
    let rows = oracle("mixed.tsv");
    let run = check_json(&fixtures_dir().join("ptp/mixed.pcap"), None);
    let input = run.input0().expect("report");
    let name = |r: &BTreeMap<String, String>| {
        if r["ptp.versionptp"] == "1" {
            v1_name(&r["ptp.controlfield"])
        } else {
            type_name(&r["ptp.v2.messagetype"])
        }
    };

    // Flows and their messages.
    let mut want: BTreeMap<(String, String), Counts> = BTreeMap::new();
    for r in &rows {
        *want
            .entry(row_ends(r))
            .or_default()
            .entry(name(r).to_string())
            .or_insert(0) += 1;
    }
    let got: BTreeMap<(String, String), Counts> = input["flows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (flow_ends(f), json_counts(&f["ptp"]["messages"])))
        .collect();
    assert_eq!(got, want, "flows and their messages");

    // Domains per version: v1 subdomain names, v2 numbers.
    let ptp = &input["ptp"];
    assert_eq!(ptp["versions"], serde_json::json!([1, 2]));
    let got: BTreeSet<String> = ptp["domains"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            format!(
                "v{} {}",
                d["version"],
                d["domain"].to_string().trim_matches('"')
            )
        })
        .collect();
    let want: BTreeSet<String> = rows
        .iter()
        .map(|r| {
            if r["ptp.versionptp"] == "1" {
                format!("v1 {}", r["ptp.subdomain"])
            } else {
                format!("v2 {}", r["ptp.v2.domainnumber"])
            }
        })
        .collect();
    assert_eq!(got, want, "domains");

    // v1 grandmasters (from Sync) with their stratum, as tshark reads them.
    for d in ptp["domains"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["version"] == 1)
    {
        let sub = d["domain"].as_str().unwrap();
        let want: BTreeSet<(String, u64)> = rows
            .iter()
            .filter(|r| r["ptp.subdomain"] == sub && !r["ptp.sdr.grandmasterclockuuid"].is_empty())
            .map(|r| {
                (
                    r["ptp.sdr.grandmasterclockuuid"].clone(),
                    r["ptp.sdr.grandmasterclockstratum"].parse().unwrap(),
                )
            })
            .collect();
        let got: BTreeSet<(String, u64)> = d["grandmasters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| {
                (
                    g["identity"].as_str().unwrap().to_string(),
                    g["stratum"].as_u64().unwrap(),
                )
            })
            .collect();
        assert_eq!(got, want, "{sub}: grandmasters");
        // The Sync rate from tshark's times, and the advertised interval.
        let times: Vec<f64> = rows
            .iter()
            .filter(|r| r["ptp.subdomain"] == sub && r["ptp.controlfield"] == "0")
            .map(|r| r["frame.time_epoch"].parse().unwrap())
            .collect();
        let rate = (times.len() - 1) as f64 / (times[times.len() - 1] - times[0]);
        let sync = &d["sync"][0];
        assert!(
            (sync["per_second"].as_f64().unwrap() - rate).abs() < 0.001,
            "{sub}"
        );
        let interval: i64 = rows
            .iter()
            .find(|r| r["ptp.subdomain"] == sub && r["ptp.controlfield"] == "0")
            .map(|r| r["ptp.sdr.syncinterval"].parse().unwrap())
            .unwrap();
        assert_eq!(sync["log_interval"].as_i64(), Some(interval), "{sub}");
    }

    // Findings: both versions, two domains in each, Announce on 319.
    let kinds: Vec<&str> = ptp["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "ptp-versions-mixed",
            "ptp-domains-differ",
            "ptp-domains-differ",
            "ptp-wrong-port"
        ]
    );
    let wrong = rows
        .iter()
        .filter(|r| r["udp.dstport"] == "319" && r["ptp.v2.messagetype"] == "0x0b")
        .count() as u64;
    assert!(wrong > 0);
    assert_eq!(ptp["wrong_port"], wrong);
    let flagged: Vec<&Value> = input["flows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| {
            f["findings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|x| x["kind"] == "ptp-wrong-port")
        })
        .collect();
    assert_eq!(flagged.len(), 1);
    assert_eq!(flagged[0]["dst_port"], 319);
    assert_eq!(flagged[0]["ptp"]["wrong_port"], wrong);
    // Every flow is in one of two domains of its version: each says which.
    for f in input["flows"].as_array().unwrap() {
        let domain = f["ptp"]["domains"][0].to_string();
        let differ: Vec<&str> = f["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|x| x["kind"] == "ptp-domains-differ")
            .map(|x| x["detail"].as_str().unwrap())
            .collect();
        assert_eq!(differ.len(), 1, "{f}");
        assert!(
            differ[0].contains(&format!("in domain {} (", domain.trim_matches('"'))),
            "{}",
            differ[0]
        );
    }
}

//! What the mirror did to the traffic (docs/mirror.md) on variants of a real
//! capture made by `fixtures/recipes/mirror-variants.sh`: duplicates against
//! `editcap -D` (`fixtures/mirror/editcap-dedup.txt`), the capture clock
//! against tshark (`fixtures/mirror/spaced.tshark-time.txt`).

use std::fs;

use serde_json::Value;

use crate::util::{fixtures_dir, portmatrix};

fn check(args: &[&str]) -> (Option<i32>, Value) {
    let out = portmatrix()
        .args(["check", "--format", "json"])
        .args(args)
        .output()
        .expect("run portmatrix");
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{args:?}: not JSON ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), json)
}

/// `(window, file, packets seen, packets skipped)` from editcap's lines
/// `$ editcap -D W FILE out.pcap` / `N packets seen, M packet(s) skipped ...`.
fn editcap_oracle() -> Vec<(usize, String, u64, u64)> {
    let text = fs::read_to_string(fixtures_dir().join("mirror/editcap-dedup.txt"))
        .expect("fixtures/mirror/editcap-dedup.txt");
    let mut out = Vec::new();
    let mut cmd: Option<(usize, String)> = None;
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if let Some(rest) = line.strip_prefix("$ editcap -D ") {
            let w: Vec<&str> = rest.split_whitespace().collect();
            cmd = Some((w[0].parse().expect("window"), w[1].to_string()));
        } else if words.get(2) == Some(&"seen,") {
            let (w, f) = cmd.take().expect("a command before its output");
            out.push((
                w,
                f,
                words[0].parse().expect("seen"),
                words[3].parse().expect("skipped"),
            ));
        }
    }
    assert_eq!(out.len(), 8, "{text}");
    out
}

#[test]
fn duplicates_agree_with_editcap_for_every_window() {
    for (window, file, seen, skipped) in editcap_oracle() {
        let path = fixtures_dir().join("mirror").join(&file);
        let w = window.to_string();
        let (_, doc) = check(&["--dedup-window", &w, path.to_str().unwrap()]);
        let input = &doc["inputs"][0];
        assert_eq!(input["packets"], seen, "{file} -D {window}");
        assert_eq!(
            input["duplicates"]["count"], skipped,
            "{file} -D {window}: {}",
            input["duplicates"]
        );
        assert_eq!(input["duplicates"]["window"], window);
    }
}

/// A flow as the report gives it, without its id.
fn flows(doc: &Value) -> Vec<String> {
    let mut v: Vec<String> = doc["inputs"][0]["flows"]
        .as_array()
        .expect("flows")
        .iter()
        .map(|f| {
            format!(
                "{} {}:{} {}:{} {} {}/{} {} {}",
                f["transport"],
                f["src_ip"],
                f["src_port"],
                f["dst_ip"],
                f["dst_port"],
                f["packets"],
                f["packets_fwd"],
                f["packets_rev"],
                f["verdict"],
                f["blocked_kind"]
            )
        })
        .collect();
    v.sort();
    v
}

/// dup.pcap is firewall.pcap plus copies of its own frames: once they are
/// set aside, its flows are the original's, packet for packet; with the
/// window off, the copies are counted in the flows.
#[test]
fn duplicates_do_not_reach_the_flows() {
    let orig = fixtures_dir().join("blocked/firewall.pcap");
    let dup = fixtures_dir().join("mirror/dup.pcap");
    let (_, a) = check(&[orig.to_str().unwrap()]);
    let (_, b) = check(&[dup.to_str().unwrap()]);
    assert_eq!(flows(&a), flows(&b));
    let (_, c) = check(&["--dedup-window", "0", dup.to_str().unwrap()]);
    assert_eq!(c["inputs"][0]["duplicates"]["count"], 0);
    let total = |d: &Value| -> u64 {
        d["inputs"][0]["flows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["packets"].as_u64().unwrap())
            .sum()
    };
    // The recipe copies frames 5-20, 40 and 60-62; tshark lists frame 61
    // as `eth:ethertype:ip:icmp:ip:udp:data`, an ICMP error, which is
    // attached to the flow it quotes, not counted in its packets.
    assert_eq!(total(&c), total(&a) + 19);
}

/// Backward steps are where tshark sees a negative `frame.time_delta`,
/// at the byte offset the pcap layout gives (24-byte file header, then a
/// 16-byte record header before each frame's captured bytes).
#[test]
fn backward_steps_agree_with_tshark() {
    let text = fs::read_to_string(fixtures_dir().join("mirror/spaced.tshark-time.txt"))
        .expect("fixtures/mirror/spaced.tshark-time.txt");
    let mut offset = 24u64;
    let mut expected = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split('\t').collect();
        let number: u64 = f[0].parse().unwrap();
        let caplen: u64 = f[1].parse().unwrap();
        let delta: f64 = f[2].parse().unwrap();
        if delta < 0.0 {
            expected.push((number, offset, (delta * 1e9).round() as i64));
        }
        offset += 16 + caplen;
    }
    assert_eq!(expected.len(), 2, "the recipe steps back twice");
    let path = fixtures_dir().join("mirror/spaced.pcap");
    let (_, doc) = check(&[path.to_str().unwrap()]);
    let t = &doc["inputs"][0]["timestamps"];
    assert_eq!(t["backwards"], expected.len() as u64, "{t}");
    let got: Vec<(u64, u64, i64)> = t["first_backwards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["record"].as_u64().unwrap(),
                s["offset"].as_u64().unwrap(),
                s["to_ns"].as_i64().unwrap() - s["from_ns"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, expected);
    assert_eq!(t["jumps"], 0);
}

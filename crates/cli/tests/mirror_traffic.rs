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

/// Inputs of `fixtures/recipes/nothing-analysed.sh`: each exits 3 with one
/// line naming why; the cause follows from how text2pcap built it.
#[test]
fn nothing_analysed_is_not_a_pass() {
    for (file, why) in [
        ("empty.pcap", "no packets"),
        (
            "linktype147.pcap",
            "no decodable packets: unsupported link type 147",
        ),
        ("arp-only.pcap", "no IP flows"),
    ] {
        let path = fixtures_dir().join("mirror").join(file);
        let out = portmatrix()
            .args(["check", "--format", "json"])
            .arg(&path)
            .output()
            .expect("run portmatrix");
        assert_eq!(out.status.code(), Some(3), "{file}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("{file}: nothing analysed: {why}")),
            "{file}: {stderr}"
        );
        let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
        let said = doc["inputs"][0]["nothing_analysed"].as_str().unwrap_or("");
        assert!(said.starts_with(why), "{file}: {said}");
        // The text report says it too.
        let text = portmatrix().arg("check").arg(&path).output().unwrap();
        assert_eq!(text.status.code(), Some(3));
        assert!(String::from_utf8_lossy(&text.stdout).contains("NOTHING ANALYSED: "));
    }
    // Something analysed: no such field; next to an input with nothing
    // analysed, the run exits 3 (3 wins over 1).
    let good = fixtures_dir().join("blocked/firewall.pcap");
    let (code, doc) = check(&[good.to_str().unwrap()]);
    assert_eq!(code, Some(1), "blocked flows are findings");
    assert!(doc["inputs"][0]["nothing_analysed"].is_null());
    let empty = fixtures_dir().join("mirror/empty.pcap");
    let (code, _) = check(&[good.to_str().unwrap(), empty.to_str().unwrap()]);
    assert_eq!(code, Some(3));
}

/// `live` on a silent interface says so after 5 s, with the usual causes,
/// and exits 3 (nothing analysed).
#[cfg(feature = "live")]
#[test]
fn live_says_a_silent_interface_is_silent() {
    if !crate::live::can_capture() {
        return;
    }
    // Port 9 (discard) on lo: nothing sends to it in these tests.
    let out = portmatrix()
        .args(["live", "lo", "--duration", "6", "--filter", "udp port 9"])
        .output()
        .expect("run live");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains("no packet on lo for 5 s since the capture started"),
        "{err}"
    );
    assert!(err.contains("mirror (SPAN) session not active"), "{err}");
    assert!(err.contains("\"udp port 9\" too narrow"), "{err}");
    assert!(err.contains("nothing analysed: no packets"), "{err}");
}

/// lossy.pcap is firewall.pcap without the frames listed in the first line
/// of `fixtures/mirror/lossy.tshark-tcp.txt`. From tshark's fields of the
/// original: every dropped data segment that a later segment of the other
/// side acknowledges (`tcp.ack >= tcp.seq + tcp.len`) is one gap event of
/// its flow, of `tcp.len` bytes (the recipe drops segments that different
/// ACKs acknowledge).
#[test]
fn capture_loss_counts_the_dropped_segments_that_were_acknowledged() {
    let text = fs::read_to_string(fixtures_dir().join("mirror/lossy.tshark-tcp.txt"))
        .expect("fixtures/mirror/lossy.tshark-tcp.txt");
    let mut lines = text.lines();
    let dropped: Vec<u64> = lines
        .next()
        .and_then(|l| l.strip_prefix("# dropped: "))
        .expect("# dropped: line")
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    // frame, stream, sport, seq, len, ack, dport
    let rows: Vec<[u64; 7]> = lines
        .skip(1)
        .map(|l| {
            let f: Vec<u64> = l.split('\t').map(|x| x.parse().unwrap_or(0)).collect();
            [f[0], f[1], f[2], f[4], f[5], f[6], f[3]]
        })
        .collect();
    // Per (sender port, receiver port): (gaps, bytes).
    let mut expected: std::collections::BTreeMap<(u64, u64), (u64, u64)> = Default::default();
    for r in rows.iter().filter(|r| dropped.contains(&r[0]) && r[4] > 0) {
        let acked = rows
            .iter()
            .any(|o| o[0] > r[0] && o[1] == r[1] && o[2] != r[2] && o[5] >= r[3] + r[4]);
        if acked {
            let e = expected.entry((r[2], r[6])).or_default();
            e.0 += 1;
            e.1 += r[4];
        }
    }
    assert_eq!(expected.len(), 4, "{expected:?}");

    let path = fixtures_dir().join("mirror/lossy.pcap");
    let (_, doc) = check(&[path.to_str().unwrap()]);
    let input = &doc["inputs"][0];
    let total = &input["summary"]["capture_loss"];
    assert_eq!(total["gaps"], expected.values().map(|e| e.0).sum::<u64>());
    assert_eq!(
        total["gap_bytes"],
        expected.values().map(|e| e.1).sum::<u64>()
    );
    // Per flow: a flow's gaps are those of the segments its two ports sent.
    let mut per_flow = 0;
    for f in input["flows"].as_array().unwrap() {
        let (sp, dp) = (
            f["src_port"].as_u64().unwrap(),
            f["dst_port"].as_u64().unwrap(),
        );
        let want: (u64, u64) = [(sp, dp), (dp, sp)]
            .iter()
            .filter_map(|p| expected.get(p))
            .fold((0, 0), |a, e| (a.0 + e.0, a.1 + e.1));
        let got = &f["capture_loss"];
        assert_eq!(
            (
                got["gaps"].as_u64().unwrap_or(0),
                got["gap_bytes"].as_u64().unwrap_or(0)
            ),
            want,
            "{f}"
        );
        per_flow += want.0;
    }
    assert_eq!(per_flow, 4);
    // The original capture lost nothing.
    let orig = fixtures_dir().join("blocked/firewall.pcap");
    let (_, doc) = check(&[orig.to_str().unwrap()]);
    assert_eq!(doc["inputs"][0]["summary"]["capture_loss"]["gaps"], 0);
    assert!(doc["inputs"][0]["summary"]["capture_loss"]["acks"].as_u64() > Some(0));
}

/// oneway.pcap keeps only what 192.0.2.10 sent (`tcpdump 'src host
/// 192.0.2.10'`): by the filter, that host is seen sending and never
/// receiving, and each of its unanswered attempts is qualified
/// `capture-one-way`; in the original, which shows its answers, none is.
#[test]
fn one_way_capture_qualifies_unanswered_attempts() {
    let kinds = ["syn-unanswered", "no-reply"];
    let one_way = |f: &Value| {
        f["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["kind"] == "capture-one-way")
    };
    let path = fixtures_dir().join("mirror/oneway.pcap");
    let (_, doc) = check(&[path.to_str().unwrap()]);
    let input = &doc["inputs"][0];
    assert_eq!(input["summary"]["one_way"]["send_only"], 1);
    assert_eq!(
        input["summary"]["one_way"]["send_only_hosts"],
        serde_json::json!(["192.0.2.10"])
    );
    let mut qualified = 0;
    for f in input["flows"].as_array().unwrap() {
        assert_eq!(
            f["src_ip"], "192.0.2.10",
            "the filter keeps only its packets"
        );
        let unanswered = kinds.iter().any(|k| f["blocked_kind"] == *k);
        assert_eq!(one_way(f), unanswered, "{f}");
        qualified += usize::from(unanswered);
        // The verdict stands; the qualifier only says it is no proof.
        if unanswered {
            assert_eq!(f["verdict"], "blocked");
        }
    }
    assert!(qualified > 0);

    let orig = fixtures_dir().join("blocked/firewall.pcap");
    let (_, doc) = check(&[orig.to_str().unwrap()]);
    let input = &doc["inputs"][0];
    assert_eq!(input["summary"]["one_way"]["send_only"], 0);
    assert!(input["flows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| !one_way(f)));
}

//! RTP streams against tshark's RTP stream analysis on real captures.
//!
//! `fixtures/oracle/tshark-rtp-streams/<corpus id>.txt` holds the output of
//! `tshark -r FILE -o rtp.heuristic_rtp:TRUE -q -z rtp,streams` (tshark 4.0.17;
//! the command is in each file's header) for every corpus capture whose
//! families include RTP, RTCP, STUN, SIP or a conferencing application.
//! Every stream tshark lists with two packets or more must be one of ours
//! with the same SSRC, packets, lost and maximum delta, and, where both know
//! the clock rate, the same mean and maximum jitter within 1 %.
//!
//! Differences that are explained (docs/detectors.md, "RTP against tshark"):
//! - tshark's heuristic accepts a one-packet stream; we need two packets in
//!   sequence (RFC 3550 A.1, MIN_SEQUENTIAL = 2), so one-packet streams of
//!   the fuzzed capture C043 are not ours;
//! - tshark knows the clock rate of dynamic payload types from SDP or its
//!   name table, where we know it only from SDP or `--clock-rate`: without
//!   it our jitter is `null` (never guessed) and the payload type is dynamic;
//! - C009 switches to T.38 by a SIP re-INVITE: tshark then decodes the same
//!   port as T.38 and ends the RTP stream, we keep counting RTP packets.

use std::collections::HashMap;

use serde_json::Value;

use crate::corpus::{corpus_dir, manifest};
use crate::util::{fixtures_dir, portmatrix};

/// One line of tshark's `rtp,streams` table.
#[derive(Debug)]
struct TsharkStream {
    key: (String, u16, String, u16, u32),
    payload: String,
    packets: u64,
    lost: i64,
    max_delta_ms: f64,
    mean_jitter_ms: f64,
    max_jitter_ms: f64,
}

fn parse_tshark(text: &str) -> Vec<TsharkStream> {
    let mut out = Vec::new();
    for line in text.lines() {
        let mut t: Vec<&str> = line.split_whitespace().collect();
        if t.len() < 17 || t[0].parse::<f64>().is_err() || !t[6].starts_with("0x") {
            continue;
        }
        if t.last() == Some(&"X") {
            t.pop();
        }
        let n = t.len();
        let num = |i: usize| t[i].parse::<f64>().expect("tshark number");
        let ssrc = u32::from_str_radix(&t[6][2..], 16).expect("ssrc");
        out.push(TsharkStream {
            key: (
                t[2].to_string(),
                t[3].parse().expect("port"),
                t[4].to_string(),
                t[5].parse().expect("port"),
                ssrc,
            ),
            payload: t[7..n - 9].join(" "),
            packets: t[n - 9].parse().expect("packets"),
            lost: t[n - 8].parse().expect("lost"),
            max_delta_ms: num(n - 4),
            mean_jitter_ms: num(n - 2),
            max_jitter_ms: num(n - 1),
        });
    }
    out
}

/// Our streams keyed like tshark's: (source, port, destination, port, SSRC).
fn our_streams(doc: &Value) -> HashMap<(String, u16, String, u16, u32), Value> {
    let mut m = HashMap::new();
    for input in doc["inputs"].as_array().into_iter().flatten() {
        for f in input["flows"].as_array().into_iter().flatten() {
            let (a, ap) = (
                f["src_ip"].as_str().unwrap_or_default(),
                f["src_port"].as_u64().unwrap_or(0) as u16,
            );
            let (b, bp) = (
                f["dst_ip"].as_str().unwrap_or_default(),
                f["dst_port"].as_u64().unwrap_or(0) as u16,
            );
            for s in f["rtp"].as_array().into_iter().flatten() {
                let ssrc = s["ssrc"].as_u64().unwrap_or(0) as u32;
                let key = if s["direction"] == "forward" {
                    (a.to_string(), ap, b.to_string(), bp, ssrc)
                } else {
                    (b.to_string(), bp, a.to_string(), ap, ssrc)
                };
                m.insert(key, s.clone());
            }
        }
    }
    m
}

fn close(a: f64, b: f64) -> bool {
    // 1 %, or the last printed digit of both tools (3 decimals).
    (a - b).abs() <= (0.01 * a.abs().max(b.abs())).max(0.0011)
}

/// Compares our streams in the report of `capture` with tshark's listing;
/// returns how many streams were compared, and the failures.
fn compare_with_tshark(id: &str, capture: &std::path::Path, tshark: &str) -> (usize, Vec<String>) {
    let expected = parse_tshark(tshark);
    let out = portmatrix()
        .args(["check", "--format", "json"])
        .arg(capture)
        .output()
        .expect("run portmatrix");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json report");
    let ours = our_streams(&doc);
    let mut checked = 0;
    let mut failures = Vec::new();
    for want in &expected {
        let Some(got) = ours.get(&want.key) else {
            if want.packets >= 2 {
                failures.push(format!(
                    "{id}: tshark stream {:?} ({} packets) is not ours",
                    want.key, want.packets
                ));
            }
            continue;
        };
        checked += 1;
        if id == "C009" {
            // T.38 switch (see the module comment): SSRC and stream only.
            continue;
        }
        let g = |k: &str| got[k].clone();
        if g("packets").as_u64() != Some(want.packets) || g("lost").as_i64() != Some(want.lost) {
            failures.push(format!(
                "{id} {:?}: packets/lost {}/{} vs tshark {}/{}",
                want.key,
                g("packets"),
                g("lost"),
                want.packets,
                want.lost
            ));
        }
        if !close(
            g("max_delta_ms").as_f64().unwrap_or(-1.0),
            want.max_delta_ms,
        ) {
            failures.push(format!(
                "{id} {:?}: max delta {} vs tshark {}",
                want.key,
                g("max_delta_ms"),
                want.max_delta_ms
            ));
        }
        match (g("mean_jitter_ms").as_f64(), g("max_jitter_ms").as_f64()) {
            (Some(mean), Some(max)) => {
                if !close(mean, want.mean_jitter_ms) || !close(max, want.max_jitter_ms) {
                    failures.push(format!(
                        "{id} {:?} ({}): jitter mean/max {mean}/{max} vs tshark {}/{}",
                        want.key, want.payload, want.mean_jitter_ms, want.max_jitter_ms
                    ));
                }
            }
            _ => {
                // Unknown clock rate: only for dynamic payload types.
                let pt = g("payload_type").as_u64().unwrap_or(0);
                if pt < 96 || !g("clock_rate").is_null() {
                    failures.push(format!(
                        "{id} {:?}: no jitter for static payload type {pt}",
                        want.key
                    ));
                }
            }
        }
    }
    (checked, failures)
}

#[test]
fn rtp_streams_agree_with_tshark_on_the_corpus() {
    let Some(dir) = corpus_dir() else { return };
    let oracle = fixtures_dir().join("oracle/tshark-rtp-streams");
    let mut checked = 0;
    let mut failures = Vec::new();
    for row in manifest(&dir) {
        let file = oracle.join(format!("{}.txt", row["id"]));
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let (n, f) = compare_with_tshark(&row["id"], &dir.join(&row["local_path"]), &text);
        checked += n;
        failures.extend(f);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 30, "only {checked} streams compared");
}

/// The capture of `fixtures/recipes/media-rtp.sh` (GStreamer rtpbin and
/// FFmpeg's SAP muxer between two network namespaces): its streams agree
/// with tshark's.
#[test]
fn recipe_rtp_streams_agree_with_tshark() {
    let dir = fixtures_dir().join("media");
    let tshark =
        std::fs::read_to_string(dir.join("rtp.tshark-streams.txt")).expect("tshark listing");
    let (checked, failures) = compare_with_tshark("media/rtp.pcap", &dir.join("rtp.pcap"), &tshark);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(checked, 5, "tshark lists five streams");
}

/// The capture of `fixtures/recipes/media-rtp.sh` (GStreamer rtpbin and
/// FFmpeg's SAP muxer between two network namespaces): its streams agree
/// with tshark's, and every flow of its truth table has the application and
/// exactly the media findings the recipe set up.
#[test]
fn recipe_rtp_capture_matches_its_truth_table() {
    let dir = fixtures_dir().join("media");
    let capture = dir.join("rtp.pcap");
    let tshark =
        std::fs::read_to_string(dir.join("rtp.tshark-streams.txt")).expect("tshark listing");
    let (checked, failures) = compare_with_tshark("media/rtp.pcap", &capture, &tshark);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(checked, 5, "tshark lists five streams");

    let out = portmatrix()
        .args(["check", "--format", "json"])
        .arg(&capture)
        .output()
        .expect("run portmatrix");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json report");
    let flows = doc["inputs"][0]["flows"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let truth = std::fs::read_to_string(dir.join("rtp.truth.tsv")).expect("truth table");
    const MEDIA: &[&str] = &[
        "rtp-odd-port",
        "rtp-no-rtcp",
        "rtcp-not-paired",
        "port-coincidence",
    ];
    let mut rows = 0;
    for line in truth.lines().skip(1) {
        let c: Vec<&str> = line.split('\t').collect();
        let (src, dst, dport, app, want) = (c[1], c[3], c[4], c[5], c[6]);
        let matching: Vec<&Value> = flows
            .iter()
            .filter(|f| {
                f["src_ip"] == src
                    && f["dst_ip"] == dst
                    && f["dst_port"] == dport.parse::<u64>().unwrap_or(0)
            })
            .collect();
        assert_eq!(matching.len(), 1, "{line}: {} flows", matching.len());
        let f = matching[0];
        let got_app = f["app"].as_str().unwrap_or("-");
        assert_eq!(got_app, app, "{line}: app");
        let mut got: Vec<&str> = f["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|x| x["kind"].as_str())
            .filter(|k| MEDIA.contains(k))
            .collect();
        got.sort_unstable();
        let mut want: Vec<&str> = want.split(',').filter(|k| *k != "-").collect();
        want.sort_unstable();
        assert_eq!(got, want, "{line}: media findings");
        rows += 1;
    }
    assert_eq!(rows, 10, "rows of the truth table");
}

/// Flows of protocols whose first bytes can look like RTP or RTCP (DNS,
/// SNMP, PTP, mDNS, QUIC, NTP, syslog, NetBIOS, SSDP) are never called media, in any capture of the
/// corpus; media is found only in captures whose manifest (written by
/// other people) lists RTP, RTCP, STUN, SIP or a conferencing application.
#[test]
fn no_media_on_other_protocols_in_the_corpus() {
    let Some(dir) = corpus_dir() else { return };
    const NOT_MEDIA_PORTS: &[u16] = &[53, 123, 137, 161, 162, 319, 320, 443, 514, 1900, 5353, 5355];
    let mut failures = Vec::new();
    let mut media_flows = 0;
    for row in manifest(&dir) {
        let out = portmatrix()
            .args(["check", "--format", "json"])
            .arg(dir.join(&row["local_path"]))
            .output()
            .expect("run portmatrix");
        let Ok(doc) = serde_json::from_slice::<Value>(&out.stdout) else {
            continue;
        };
        let families: Vec<&str> = row["families"].split(';').collect();
        let media_capture = families
            .iter()
            .any(|f| matches!(*f, "rtp" | "rtcp" | "stun" | "sip" | "uc_apps"));
        for input in doc["inputs"].as_array().into_iter().flatten() {
            for f in input["flows"].as_array().into_iter().flatten() {
                let Some(app) = f["app"].as_str() else {
                    continue;
                };
                if !matches!(app, "rtp" | "rtcp" | "srtp" | "srtcp") {
                    continue;
                }
                media_flows += 1;
                let ports = [
                    f["src_port"].as_u64().unwrap_or(0) as u16,
                    f["dst_port"].as_u64().unwrap_or(0) as u16,
                ];
                if !media_capture || ports.iter().any(|p| NOT_MEDIA_PORTS.contains(p)) {
                    failures.push(format!(
                        "{} ({}): {app} on {}:{} -> {}:{}",
                        row["id"], row["families"], f["src_ip"], ports[0], f["dst_ip"], ports[1]
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        media_flows >= 20,
        "only {media_flows} media flows in the corpus"
    );
}

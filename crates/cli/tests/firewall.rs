//! The real firewall capture against what the firewall did.
//!
//! `fixtures/blocked/firewall.pcap` was recorded by
//! `fixtures/recipes/firewall-blocked.sh` in front of real nftables rules
//! (drop, reject with TCP reset, ICMP 3/10, 3/13, 3/3, ICMPv6 1/1) and real
//! servers; `firewall.truth.tsv` lists every attempt with the verdict the
//! recipe's own rules imply and the Zeek `conn_state` (see
//! `fixtures/recipes/README.md`). Each row must be one flow of the report:
//! `ok` rows not blocked, `blocked` rows blocked with the row's kind, and the
//! `conn_state` the row's `zeek_conn_state`.

use std::collections::BTreeMap;
use std::fs;
use std::net::IpAddr;
use std::sync::OnceLock;

use serde_json::Value;

use crate::util::{fixtures_dir, portmatrix};

/// One attempt of the recipe.
#[derive(Debug)]
struct Row {
    line: usize,
    client: (IpAddr, u16),
    server: (IpAddr, u16),
    transport: String,
    expected_verdict: String,
    blocked_kind: String,
    note: String,
    zeek_conn_state: String,
}

fn rows() -> Vec<Row> {
    let path = fixtures_dir().join("blocked").join("firewall.truth.tsv");
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("a header line").split('\t').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("firewall.truth.tsv has no column {name}"))
    };
    let c = [
        col("client_ip"),
        col("client_port"),
        col("server_ip"),
        col("server_port"),
        col("transport"),
        col("expected_verdict"),
        col("blocked_kind"),
        col("note"),
        col("zeek_conn_state"),
    ];
    lines
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            let f: Vec<&str> = l.split('\t').collect();
            let at = |k: usize| {
                f.get(c[k])
                    .copied()
                    .unwrap_or_else(|| panic!("line {}: short", i + 2))
            };
            let ip = |k: usize| {
                at(k)
                    .parse::<IpAddr>()
                    .unwrap_or_else(|e| panic!("line {}: {e}", i + 2))
            };
            let port = |k: usize| {
                at(k)
                    .parse::<u16>()
                    .unwrap_or_else(|e| panic!("line {}: {e}", i + 2))
            };
            Row {
                line: i + 2,
                client: (ip(0), port(1)),
                server: (ip(2), port(3)),
                transport: at(4).to_string(),
                expected_verdict: at(5).to_string(),
                blocked_kind: at(6).to_string(),
                note: at(7).to_string(),
                zeek_conn_state: at(8).to_string(),
            }
        })
        .collect()
}

/// Exit status and report of `check --format json` on the capture (run once).
fn report() -> &'static (Option<i32>, Value) {
    static REPORT: OnceLock<(Option<i32>, Value)> = OnceLock::new();
    REPORT.get_or_init(|| {
        let out = portmatrix()
            .args(["check", "--format", "json"])
            .arg(fixtures_dir().join("blocked").join("firewall.pcap"))
            .output()
            .expect("run the portmatrix binary");
        let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
            panic!(
                "standard output is not JSON ({e}); stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (out.status.code(), json)
    })
}

fn flows() -> Vec<&'static Value> {
    report().1["inputs"][0]["flows"]
        .as_array()
        .expect("inputs[0].flows")
        .iter()
        .collect()
}

fn end(v: &Value, ip: &str, port: &str) -> Option<(IpAddr, u16)> {
    Some((
        v[ip].as_str()?.parse().ok()?,
        u16::try_from(v[port].as_u64()?).ok()?,
    ))
}

/// The row's flow: same transport, client and server in either orientation.
fn is_row(flow: &Value, row: &Row) -> bool {
    let (s, d) = (
        end(flow, "src_ip", "src_port"),
        end(flow, "dst_ip", "dst_port"),
    );
    flow["transport"].as_str() == Some(row.transport.as_str())
        && ((s == Some(row.client) && d == Some(row.server))
            || (s == Some(row.server) && d == Some(row.client)))
}

#[test]
fn every_truth_row_gets_its_verdict_and_conn_state() {
    let rows = rows();
    assert!(rows.len() >= 17, "only {} truth rows", rows.len());
    let flows = flows();
    let mut problems = Vec::new();
    let mut tested = 0;
    for row in &rows {
        let label = format!(
            "line {}: {} {}:{} -> {}:{} ({})",
            row.line,
            row.transport,
            row.client.0,
            row.client.1,
            row.server.0,
            row.server.1,
            row.note
        );
        let found: Vec<&&Value> = flows.iter().filter(|f| is_row(f, row)).collect();
        let flow = match found.as_slice() {
            [f] => *f,
            other => {
                problems.push(format!("{label}: {} flows in the report", other.len()));
                continue;
            }
        };
        let verdict = flow["verdict"].as_str().unwrap_or("?");
        let kind = flow.get("blocked_kind").and_then(Value::as_str);
        match row.expected_verdict.as_str() {
            "ok" => {
                if verdict == "blocked" {
                    problems.push(format!("{label}: blocked ({kind:?}), but it went through"));
                }
            }
            "blocked" => {
                if verdict != "blocked" || kind != Some(row.blocked_kind.as_str()) {
                    problems.push(format!(
                        "{label}: {verdict} ({kind:?}), expected blocked ({})",
                        row.blocked_kind
                    ));
                }
            }
            other => problems.push(format!("{label}: unknown expected_verdict {other:?}")),
        }
        if flow["conn_state"].as_str() != Some(row.zeek_conn_state.as_str()) {
            problems.push(format!(
                "{label}: conn_state {}, Zeek's is {}",
                flow["conn_state"], row.zeek_conn_state
            ));
        }
        tested += 1;
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert_eq!(tested, rows.len(), "every row is tested");
}

#[test]
fn every_flow_is_a_truth_row() {
    let rows = rows();
    let extra: Vec<String> = flows()
        .into_iter()
        .filter(|f| !rows.iter().any(|r| is_row(f, r)))
        .map(|f| {
            format!(
                "{} {}:{} -> {}:{} ({})",
                f["transport"],
                f["src_ip"],
                f["src_port"],
                f["dst_ip"],
                f["dst_port"],
                f["verdict"]
            )
        })
        .collect();
    assert!(extra.is_empty(), "flows the recipe did not make: {extra:?}");
}

#[test]
fn summary_counts_the_blocked_rows_and_exit_status_is_one() {
    let rows = rows();
    let (code, json) = report();
    assert_eq!(*code, Some(1), "blocked flows make the exit status 1");
    let summary = &json["inputs"][0]["summary"];
    let blocked = rows
        .iter()
        .filter(|r| r.expected_verdict == "blocked")
        .count() as u64;
    assert_eq!(summary["verdicts"]["blocked"].as_u64(), Some(blocked));
    assert_eq!(summary["flows"].as_u64(), Some(rows.len() as u64));
    let mut kinds: BTreeMap<&str, u64> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.expected_verdict == "blocked") {
        *kinds.entry(r.blocked_kind.as_str()).or_default() += 1;
    }
    for (kind, n) in kinds {
        assert_eq!(
            summary["blocked_kinds"][kind].as_u64(),
            Some(n),
            "summary.blocked_kinds.{kind}"
        );
    }
}

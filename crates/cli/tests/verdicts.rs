//! Verdicts against outside truth: the synthetic captures under
//! `fixtures/verdicts/` and the demo capture, each without and with its
//! site inventory, against what `portmatrix-fixgen` derived from their
//! construction and the vendor rules (`fixtures/expected/verdicts/*.json`,
//! described in `fixtures/README.md`, section `verdicts/`).
//!
//! Every flow of the report must be an expected flow and the other way
//! round; for each, the initiator, Zeek `conn_state`, verdict, blocked kind,
//! the cited rule and the findings are compared; then `summary.missing` and
//! the exit status.

use std::collections::BTreeSet;
use std::fs;
use std::net::IpAddr;
use std::path::PathBuf;

use serde_json::Value;

use crate::util::{fixtures_dir, portmatrix};

/// Every expected file (stem), each run by one test below.
const CASES: &[&str] = &[
    "documented",
    "documented.site",
    "undocumented",
    "undocumented.site",
    "wide-rule",
    "wide-rule.site",
    "blocked",
    "blocked.site",
    "forbidden",
    "forbidden.site",
    "wrong-direction",
    "wrong-direction.site",
    "source-port",
    "source-port.site",
    "missing",
    "missing.site",
    "multicast-group",
    "multicast-group.site",
    "midstream",
    "midstream.site",
    "mac-address",
    "mac-address.site",
    "room",
    "room.site",
];

fn expected_dir() -> PathBuf {
    fixtures_dir().join("expected").join("verdicts")
}

fn load(stem: &str) -> Value {
    let path = expected_dir().join(format!("{stem}.json"));
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What one run of `portmatrix check --format json` gave.
struct Run {
    code: Option<i32>,
    report: Value,
}

/// Runs the check the expected file describes (capture, and site if any).
fn run(expected: &Value) -> Run {
    let root = fixtures_dir();
    let capture = expected["capture"]
        .as_str()
        .expect("expected file names its capture");
    let mut cmd = portmatrix();
    cmd.args(["check", "--format", "json"])
        .arg(root.join(capture));
    if let Some(site) = expected["site"].as_str() {
        cmd.arg("--site").arg(root.join(site));
    }
    let out = cmd.output().expect("run the portmatrix binary");
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{capture}: standard output is not JSON ({e}); stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    Run {
        code: out.status.code(),
        report,
    }
}

type Endpoint = (IpAddr, u16);

fn endpoint(v: &Value, ip: &str, port: &str) -> Option<Endpoint> {
    let ip = v[ip].as_str()?.parse().ok()?;
    let port = u16::try_from(v[port].as_u64()?).ok()?;
    Some((ip, port))
}

fn show((ip, port): Endpoint) -> String {
    match ip {
        IpAddr::V4(a) => format!("{a}:{port}"),
        IpAddr::V6(a) => format!("[{a}]:{port}"),
    }
}

/// Transport and the two endpoints, in no particular order.
fn same_flow(a: &Value, b: &Value) -> bool {
    let ends = |v: &Value| {
        let s = endpoint(v, "src_ip", "src_port");
        let d = endpoint(v, "dst_ip", "dst_port");
        (
            v["transport"].as_str().map(str::to_owned),
            [s, d].into_iter().collect::<BTreeSet<_>>(),
        )
    };
    ends(a) == ends(b)
}

fn kinds(flow: &Value) -> Vec<&str> {
    flow["findings"]
        .as_array()
        .map(|f| f.iter().filter_map(|x| x["kind"].as_str()).collect())
        .unwrap_or_default()
}

fn strings(v: &Value) -> Vec<&str> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// The differences between one expected flow and the report's flow.
fn compare_flow(label: &str, want: &Value, got: &Value) -> Vec<String> {
    let mut p = Vec::new();
    let (ws, gs) = (
        endpoint(want, "src_ip", "src_port"),
        endpoint(got, "src_ip", "src_port"),
    );
    if ws != gs {
        p.push(format!(
            "{label}: initiator {} in the report, built as {}",
            gs.map_or("?".into(), show),
            ws.map_or("?".into(), show)
        ));
    }
    if let Some(state) = want.get("conn_state") {
        if got["conn_state"] != *state {
            p.push(format!(
                "{label}: conn_state {}, expected {state}",
                got["conn_state"]
            ));
        }
    }
    if got["verdict"] != want["verdict"] {
        p.push(format!(
            "{label}: verdict {}, expected {} (rule_ids {}, findings {:?})",
            got["verdict"],
            want["verdict"],
            got["rule_ids"],
            kinds(got)
        ));
    }
    let got_kind = got.get("blocked_kind").cloned().unwrap_or(Value::Null);
    if got_kind != want["blocked_kind"] {
        p.push(format!(
            "{label}: blocked_kind {got_kind}, expected {}",
            want["blocked_kind"]
        ));
    }
    if let Some(rule) = want.get("rule").and_then(Value::as_str) {
        if !strings(&got["rule_ids"]).contains(&rule) {
            p.push(format!(
                "{label}: rule {rule} not in rule_ids {}",
                got["rule_ids"]
            ));
        }
    }
    let have = kinds(got);
    for k in strings(&want["findings"]) {
        if !have.contains(&k) {
            p.push(format!("{label}: finding {k} missing (findings {have:?})"));
        }
    }
    for k in strings(&want["absent_findings"]) {
        if have.contains(&k) {
            p.push(format!("{label}: finding {k} present, must not be"));
        }
    }
    p
}

type MissingEntry = (String, String, String);

fn missing_set(v: &Value) -> BTreeSet<MissingEntry> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|m| {
                    let s = |k: &str| m[k].as_str().unwrap_or_default().to_string();
                    (s("rule_id"), s("source_device"), s("destination_device"))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Every difference between the expected file and one run.
fn compare(expected: &Value, run: &Run) -> Vec<String> {
    let mut p = Vec::new();
    let want_code = expected["exit_status"].as_i64().map(|c| c as i32);
    if run.code != want_code {
        p.push(format!(
            "exit status {:?}, expected {want_code:?}",
            run.code
        ));
    }
    let input = &run.report["inputs"][0];
    let flows: Vec<&Value> = input["flows"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let wanted: Vec<&Value> = expected["flows"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    for want in &wanted {
        let label = format!(
            "{} {} -> {}",
            want["transport"].as_str().unwrap_or("?"),
            endpoint(want, "src_ip", "src_port").map_or("?".into(), show),
            endpoint(want, "dst_ip", "dst_port").map_or("?".into(), show)
        );
        let found: Vec<&&Value> = flows.iter().filter(|f| same_flow(f, want)).collect();
        match found.as_slice() {
            [got] => p.extend(compare_flow(&label, want, got)),
            [] => p.push(format!("{label}: not in the report")),
            more => p.push(format!("{label}: {} flows in the report", more.len())),
        }
    }
    for got in &flows {
        if !wanted.iter().any(|w| same_flow(w, got)) {
            p.push(format!(
                "unexpected flow in the report: {} {} -> {} ({})",
                got["transport"].as_str().unwrap_or("?"),
                endpoint(got, "src_ip", "src_port").map_or("?".into(), show),
                endpoint(got, "dst_ip", "dst_port").map_or("?".into(), show),
                got["verdict"]
            ));
        }
    }
    let missing = missing_set(&input["summary"]["missing"]);
    if let Some(exact) = expected.get("missing") {
        let want = missing_set(exact);
        for m in want.difference(&missing) {
            p.push(format!("missing flow not reported: {m:?}"));
        }
        for m in missing.difference(&want) {
            p.push(format!("missing flow reported but not expected: {m:?}"));
        }
    }
    if let Some(includes) = expected.get("missing_includes") {
        for m in missing_set(includes).difference(&missing) {
            p.push(format!("missing flow not reported: {m:?}"));
        }
    }
    if let Some(excludes) = expected.get("missing_excludes") {
        for m in missing_set(excludes).intersection(&missing) {
            p.push(format!("missing flow reported although documented: {m:?}"));
        }
    }
    p
}

fn check(stem: &str) {
    let expected = load(stem);
    let problems = compare(&expected, &run(&expected));
    assert!(
        problems.is_empty(),
        "expected/verdicts/{stem}.json: {} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn every_expected_file_is_checked() {
    let on_disk: BTreeSet<String> = fs::read_dir(expected_dir())
        .expect("fixtures/expected/verdicts exists")
        .filter_map(|e| {
            let name = e
                .expect("directory entry")
                .file_name()
                .to_string_lossy()
                .into_owned();
            name.strip_suffix(".json").map(str::to_owned)
        })
        .collect();
    let listed: BTreeSet<String> = CASES.iter().map(|s| s.to_string()).collect();
    assert_eq!(on_disk, listed, "CASES must list every expected file");
}

#[test]
fn comparison_reports_a_wrong_verdict_and_an_extra_flow() {
    let mut expected = load("documented");
    let run = run(&expected);
    assert!(
        compare(&expected, &run).is_empty(),
        "documented.json must hold"
    );
    let flows = expected["flows"].as_array_mut().expect("flows");
    flows[0]["verdict"] = Value::from("blocked");
    flows.pop();
    let problems = compare(&expected, &run);
    assert!(
        problems.iter().any(|p| p.contains("verdict")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("unexpected flow")),
        "{problems:?}"
    );
}

#[test]
fn documented() {
    check("documented");
}

#[test]
fn documented_with_site() {
    check("documented.site");
}

#[test]
fn undocumented() {
    check("undocumented");
}

#[test]
fn undocumented_with_site() {
    check("undocumented.site");
}

#[test]
fn wide_rule() {
    check("wide-rule");
}

#[test]
fn wide_rule_with_site() {
    check("wide-rule.site");
}

#[test]
fn blocked() {
    check("blocked");
}

#[test]
fn blocked_with_site() {
    check("blocked.site");
}

#[test]
fn forbidden() {
    check("forbidden");
}

#[test]
fn forbidden_with_site() {
    check("forbidden.site");
}

#[test]
fn wrong_direction() {
    check("wrong-direction");
}

#[test]
fn wrong_direction_with_site() {
    check("wrong-direction.site");
}

#[test]
fn source_port() {
    check("source-port");
}

#[test]
fn source_port_with_site() {
    check("source-port.site");
}

#[test]
fn missing() {
    check("missing");
}

#[test]
fn missing_with_site() {
    check("missing.site");
}

#[test]
fn multicast_group() {
    check("multicast-group");
}

#[test]
fn multicast_group_with_site() {
    check("multicast-group.site");
}

#[test]
fn midstream() {
    check("midstream");
}

#[test]
fn midstream_with_site() {
    check("midstream.site");
}

#[test]
fn mac_address() {
    check("mac-address");
}

#[test]
fn mac_address_with_site() {
    check("mac-address.site");
}

#[test]
fn demo_room() {
    check("room");
}

#[test]
fn demo_room_with_site() {
    check("room.site");
}

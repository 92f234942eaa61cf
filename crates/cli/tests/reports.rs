//! The report outputs of `portmatrix check`: the JSON document against
//! `docs/report.schema.json`, CSV rows and Parquet files against the JSON of
//! the same run (Parquet read back by DuckDB), firewall allowlists checked by
//! `nft -c` and `iptables-restore --test`, `--fail-on`, and one-line errors.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

use crate::corpus::{corpus_dir, manifest};
use crate::util::{fixtures_dir, portmatrix, workspace_root};

fn demo() -> (PathBuf, PathBuf) {
    let d = fixtures_dir().join("demo");
    (d.join("room.pcapng"), d.join("site.toml"))
}

/// Runs `portmatrix check ARGS` and returns (exit code, stdout, stderr).
fn check(args: &[&std::ffi::OsStr]) -> (i32, Vec<u8>, String) {
    let out = portmatrix()
        .arg("check")
        .args(args)
        .output()
        .expect("run portmatrix");
    (
        out.status.code().expect("an exit code"),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn os<S: AsRef<std::ffi::OsStr> + ?Sized>(s: &S) -> &std::ffi::OsStr {
    s.as_ref()
}

fn json_of(args: &[&std::ffi::OsStr]) -> Value {
    let mut a = vec![os("--format"), os("json")];
    a.extend_from_slice(args);
    let (_, out, err) = check(&a);
    serde_json::from_slice(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {err}"))
}

fn schema() -> jsonschema::Validator {
    let path = workspace_root().join("docs/report.schema.json");
    let text = std::fs::read_to_string(&path).expect("read docs/report.schema.json");
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::draft202012::new(&schema).expect("a valid draft 2020-12 schema")
}

fn schema_errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc)
        .take(5)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn json_reports_match_the_documented_schema() {
    let v = schema();
    let (room, site) = demo();
    let mut inputs: Vec<Vec<PathBuf>> = vec![
        vec![room.clone()],
        vec![fixtures_dir().join("blocked/firewall.pcap")],
        vec![PathBuf::from("no/such/capture.pcap")],
        // Flows and inputs with RTP, SIP/SAP and announced media, PTP,
        // IGMP/MLD membership, decapsulated mirror traffic.
        vec![fixtures_dir().join("media/rtp.pcap")],
        vec![fixtures_dir().join("ptp/mixed.pcap")],
        vec![fixtures_dir().join("multicast/room.pcap")],
        vec![fixtures_dir().join("mirror/vxlan-mirror.pcap")],
        // Duplicates, clock steps, TCP capture loss, one-way hosts.
        vec![fixtures_dir().join("mirror/dup.pcap")],
        vec![fixtures_dir().join("mirror/spaced.pcap")],
        vec![fixtures_dir().join("mirror/lossy.pcap")],
        vec![fixtures_dir().join("mirror/oneway.pcap")],
    ];
    for dir in ["pcap", "pcapng", "malformed"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(fixtures_dir().join(dir))
            .expect("fixture directory")
            .map(|e| e.expect("entry").path())
            .collect();
        files.sort();
        inputs.push(files);
    }
    let mut docs = vec![json_of(&[os("--site"), site.as_os_str(), room.as_os_str()])];
    for files in &inputs {
        let args: Vec<&std::ffi::OsStr> = files.iter().map(|p| p.as_os_str()).collect();
        docs.push(json_of(&args));
    }
    // Corpus captures with RTP and RTCP (those tshark's RTP streams were
    // saved for), so that `rtp` and `rtcp` are covered too.
    let (mut rtp, mut rtcp) = (0, 0);
    if let Some(dir) = corpus_dir() {
        let oracle = fixtures_dir().join("oracle/tshark-rtp-streams");
        for row in manifest(&dir) {
            let path = dir.join(&row["local_path"]);
            let small = std::fs::metadata(&path).is_ok_and(|m| m.len() < 1_000_000);
            if small && oracle.join(format!("{}.txt", row["id"])).is_file() {
                let doc = json_of(&[path.as_os_str()]);
                for f in doc["inputs"][0]["flows"].as_array().expect("flows") {
                    rtp += usize::from(f.get("rtp").is_some());
                    rtcp += usize::from(f.get("rtcp").is_some());
                }
                docs.push(doc);
            }
        }
        assert!(rtp > 0 && rtcp > 0, "rtp {rtp}, rtcp {rtcp} flows");
        // PTP over Ethernet: flows without IP (`ether_type`, MACs).
        let ptp = dir.join("files/tcpdump/ptp_ethernet.pcap");
        if ptp.is_file() {
            let doc = json_of(&[ptp.as_os_str()]);
            let flows = doc["inputs"][0]["flows"].as_array().expect("flows");
            assert!(flows.iter().any(|f| f.get("ether_type").is_some()));
            docs.push(doc);
        }
        // LLDP and CDP: recognised hosts (`hosts`).
        let lldp = dir.join("files/tcpdump/LLDP_and_CDP.pcap");
        if lldp.is_file() {
            let doc = json_of(&[lldp.as_os_str()]);
            assert!(doc["inputs"][0].get("hosts").is_some());
            docs.push(doc);
        }
    }
    // Each optional part of the report occurs in some document, so the
    // schema's description of it is exercised.
    let flows = || {
        docs.iter()
            .flat_map(|d| d["inputs"].as_array().expect("inputs").iter())
            .flat_map(|i| i["flows"].as_array().expect("flows").iter())
    };
    for key in ["ptp", "sip", "sap", "announced_by", "candidates"] {
        assert!(flows().any(|f| f.get(key).is_some()), "no flow with {key}");
    }
    let inputs = || {
        docs.iter()
            .flat_map(|d| d["inputs"].as_array().expect("inputs").iter())
    };
    for key in ["ptp", "multicast", "announced"] {
        assert!(
            inputs().any(|i| i.get(key).is_some()),
            "no input with {key}"
        );
    }
    assert!(inputs().any(|i| i["mirror_sessions"]
        .as_array()
        .is_some_and(|s| !s.is_empty())));
    for (i, doc) in docs.iter().enumerate() {
        let errors = schema_errors(&v, doc);
        assert!(errors.is_empty(), "document {i}: {errors:#?}");
    }
    // The schema is not vacuous: a wrong verdict, an unknown field and a
    // missing one are each refused.
    let mut bad = docs[0].clone();
    bad["inputs"][0]["flows"][0]["verdict"] = "fine".into();
    assert!(!schema_errors(&v, &bad).is_empty());
    let mut bad = docs[0].clone();
    bad["inputs"][0]["flows"][0]["colour"] = "red".into();
    assert!(!schema_errors(&v, &bad).is_empty());
    let mut bad = docs[0].clone();
    bad["summary"].as_object_mut().unwrap().remove("flows");
    assert!(!schema_errors(&v, &bad).is_empty());
}

/// Parses RFC 4180 CSV (CRLF rows, quoted fields with doubled quotes).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut field) = (Vec::new(), String::new());
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field)),
            (false, '\r') => {
                assert_eq!(chars.next(), Some('\n'), "CR without LF");
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => field.push(c),
        }
    }
    assert!(field.is_empty() && row.is_empty(), "last row without CRLF");
    rows
}

#[test]
fn csv_rows_are_the_flows_of_the_json_report() {
    let (room, site) = demo();
    let dir = tempfile::tempdir().unwrap();
    let prefix = dir.path().join("room");
    let (code, _, err) = check(&[
        os("--format"),
        os("json,csv"),
        os("--output"),
        prefix.as_os_str(),
        os("--site"),
        site.as_os_str(),
        room.as_os_str(),
    ]);
    assert_eq!(code, 1, "{err}");
    let doc: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("room.json")).unwrap()).unwrap();
    let rows = parse_csv(&std::fs::read_to_string(dir.path().join("room.csv")).unwrap());
    let header = &rows[0];
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let flows = doc["inputs"][0]["flows"].as_array().unwrap();
    assert_eq!(rows.len() - 1, flows.len());
    let by_id: BTreeMap<String, &Vec<String>> = rows[1..]
        .iter()
        .map(|r| (r[col("id")].clone(), r))
        .collect();
    for f in flows {
        let r = by_id[&f["id"].to_string()];
        assert_eq!(r.len(), header.len());
        let list = |k: &str| {
            f[k].as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect::<Vec<_>>()
                .join(";")
        };
        assert_eq!(r[col("verdict")], f["verdict"].as_str().unwrap());
        assert_eq!(r[col("src_ip")], f["src_ip"].as_str().unwrap());
        assert_eq!(r[col("dst_port")], f["dst_port"].to_string());
        assert_eq!(r[col("packets")], f["packets"].to_string());
        assert_eq!(r[col("rule_ids")], list("rule_ids"));
        assert_eq!(
            r[col("blocked_kind")],
            f["blocked_kind"].as_str().unwrap_or("")
        );
        let kinds: Vec<&str> = f["findings"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["kind"].as_str().unwrap())
            .collect();
        assert_eq!(r[col("findings")], kinds.join(";"));
        // The distinct document sections behind the rule ids.
        let bases: Vec<&str> = r[col("basis")]
            .split(';')
            .filter(|s| !s.is_empty())
            .collect();
        let ids = f["rule_ids"].as_array().unwrap().len();
        assert!(
            bases.len() <= ids && (bases.is_empty() == (ids == 0)),
            "{r:?}"
        );
        assert!(bases.iter().all(|b| b.contains(" §")), "{r:?}");
        assert_eq!(bases.len(), bases.iter().collect::<BTreeSet<_>>().len());
        assert_eq!(r[col("input")], room.to_string_lossy());
    }
}

#[test]
fn csv_cells_cannot_inject_formulas_or_control_characters() {
    // The input's name is a cell: a hostile file name must reach the
    // spreadsheet as text, without its escape sequence.
    let dir = tempfile::tempdir().unwrap();
    let hostile = dir.path().join("=HYPERLINK(\"x\")\x1b[2J.pcapng");
    std::fs::copy(demo().0, &hostile).unwrap();
    let (_, out, err) = check(&[os("--format"), os("csv"), hostile.as_os_str()]);
    let rows = parse_csv(&String::from_utf8(out).unwrap());
    assert!(rows.len() > 1, "{err}");
    let cell = &rows[1][0];
    let name = format!(
        "{}/=HYPERLINK(\"x\")\u{fffd}[2J.pcapng",
        dir.path().display()
    );
    assert_eq!(cell, &name, "the path is absolute, so no guard is needed");
    // Relative to its directory, the cell starts with `=` and is guarded.
    let out = portmatrix()
        .current_dir(dir.path())
        .args([
            "check",
            "--format",
            "csv",
            "=HYPERLINK(\"x\")\x1b[2J.pcapng",
        ])
        .output()
        .unwrap();
    let rows = parse_csv(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(rows[1][0], "'=HYPERLINK(\"x\")\u{fffd}[2J.pcapng");
    assert!(rows
        .iter()
        .flatten()
        .all(|c| !c.chars().any(char::is_control)));
}

/// `python3 -c SCRIPT ARGS`, or `None` (with a message) without python3 or duckdb.
#[cfg(feature = "parquet")]
fn duckdb(script: &str, args: &[&std::path::Path]) -> Option<String> {
    let probe = Command::new("python3")
        .args(["-c", "import duckdb"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!(
            "skipping: python3 with the duckdb package is not installed (pip install duckdb)"
        );
        return None;
    }
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("run python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8(out.stdout).unwrap())
}

#[cfg(feature = "parquet")]
#[test]
fn parquet_files_read_back_by_duckdb_agree_with_the_json() {
    let (room, site) = demo();
    let firewall = fixtures_dir().join("blocked/firewall.pcap");
    let dir = tempfile::tempdir().unwrap();
    let out_dir = format!("{}/", dir.path().join("out").display());
    let (code, _, err) = check(&[
        os("--format"),
        os("parquet"),
        os("--format"),
        os("json"),
        os("-o"),
        os(&out_dir),
        os("--site"),
        site.as_os_str(),
        room.as_os_str(),
        firewall.as_os_str(),
    ]);
    assert_eq!(code, 1, "{err}");
    let out = std::path::Path::new(&out_dir);
    let doc: Value =
        serde_json::from_slice(&std::fs::read(out.join("report.json")).unwrap()).unwrap();
    let script = "import duckdb, sys\n\
        flows, findings = sys.argv[1], sys.argv[2]\n\
        for i, v, n in duckdb.sql(f\"select input, verdict, count(*) from read_parquet('{flows}') group by all order by all\").fetchall():\n\
        \x20   print('flows', i, v, n)\n\
        for i, n in duckdb.sql(f\"select input, count(*) from read_parquet('{findings}') group by all order by all\").fetchall():\n\
        \x20   print('findings', i, n)\n\
        for i, n in duckdb.sql(f\"select input, sum(len(rule_ids)) from read_parquet('{flows}') group by all order by all\").fetchall():\n\
        \x20   print('rule_ids', i, n)\n";
    let Some(text) = duckdb(
        script,
        &[&out.join("flows.parquet"), &out.join("findings.parquet")],
    ) else {
        return;
    };
    let mut got = BTreeSet::new();
    for line in text.lines() {
        got.insert(line.to_string());
    }
    let mut want = BTreeSet::new();
    for input in doc["inputs"].as_array().unwrap() {
        let path = input["path"].as_str().unwrap();
        for (v, n) in input["summary"]["verdicts"].as_object().unwrap() {
            if n.as_u64() != Some(0) {
                want.insert(format!("flows {path} {v} {n}"));
            }
        }
        let flows = input["flows"].as_array().unwrap();
        let findings: usize = flows
            .iter()
            .map(|f| f["findings"].as_array().unwrap().len())
            .sum();
        if findings > 0 {
            want.insert(format!("findings {path} {findings}"));
        }
        let ids: usize = flows
            .iter()
            .map(|f| f["rule_ids"].as_array().unwrap().len())
            .sum();
        want.insert(format!("rule_ids {path} {ids}"));
    }
    assert_eq!(got, want);
}

/// `(transport, source, destination, port)` of every accept rule of an
/// nft allowlist.
fn nft_accepts(text: &str) -> BTreeSet<(String, String, String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|l| l.ends_with('"') && l.contains(" accept comment "))
        .map(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            // ip saddr A ip daddr B PROTO dport|type N accept ...
            let proto = if w[6] == "icmpv6" { "icmpv6" } else { w[6] };
            (
                proto.to_string(),
                w[2].to_string(),
                w[5].to_string(),
                w[8].to_string(),
            )
        })
        .collect()
}

#[test]
fn firewall_allowlists_allow_exactly_the_documented_flows_seen() {
    let (room, site) = demo();
    let dir = tempfile::tempdir().unwrap();
    let (nft, ipt) = (dir.path().join("room.nft"), dir.path().join("room.rules"));
    let mut args = vec![os("--site"), site.as_os_str(), room.as_os_str()];
    args.extend([os("--emit-firewall"), os("nft"), nft.as_os_str()]);
    args.extend([os("--emit-firewall"), os("iptables"), ipt.as_os_str()]);
    let doc = json_of(&args);
    let text = std::fs::read_to_string(&nft).unwrap();
    let mut want = BTreeSet::new();
    let mut other = BTreeSet::new();
    for f in doc["inputs"][0]["flows"].as_array().unwrap() {
        let transport = f["transport"].as_str().unwrap();
        // An ICMP flow's type is its source port (docs/report-format.md).
        let port = if transport.starts_with("icmp") {
            &f["src_port"]
        } else {
            &f["dst_port"]
        };
        let key = (
            transport.to_string(),
            f["src_ip"].as_str().unwrap().to_string(),
            f["dst_ip"].as_str().unwrap().to_string(),
            port.to_string(),
        );
        if f["verdict"] == "documented" {
            want.insert(key);
        } else {
            other.insert(key);
        }
    }
    assert!(!want.is_empty() && !other.is_empty());
    let got = nft_accepts(&text);
    assert_eq!(got, want, "{text}");
    assert!(got.is_disjoint(&other.difference(&want).cloned().collect()));
    // Each group comment names the rules under their document and section
    // (rules/igloo-imp.toml).
    assert!(
        text.contains(
            "#   IMP/Media Server network ports (untitled support page, \"Versions Compared\" \
             view) §Dante Audio section / multicast address table:\n\t\t#     \
             igloo.dante-audio.ptp.event, igloo.dante-audio.ptp.general\n"
        ),
        "{text}"
    );
    assert!(text.contains("# changing the line above to \"policy drop;\"."));
    let ipt_text = std::fs::read_to_string(&ipt).unwrap();
    let accepts = ipt_text
        .lines()
        .filter(|l| l.starts_with("-A PORTMATRIX -s "))
        .count();
    assert_eq!(accepts, want.len(), "{ipt_text}");

    match Command::new("nft").arg("-c").arg("-f").arg(&nft).output() {
        Ok(o) => assert!(
            o.status.success(),
            "nft -c: {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(_) => eprintln!("skipping nft -c: nft is not installed (apt-get install nftables)"),
    }
    match Command::new("iptables-restore")
        .arg("--test")
        .arg(&ipt)
        .output()
    {
        Ok(o) => assert!(
            o.status.success(),
            "iptables-restore --test: {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(_) => eprintln!("skipping iptables-restore --test: iptables is not installed"),
    }
}

#[test]
fn ipv6_flows_get_ip6_rules_and_an_ip6tables_file() {
    // The basic set (`basic_nets` in crates/fixgen/src/fixtures.rs) has an
    // answered IPv6 SYN 2001:db8::10 -> 2001:db8::20 port 443, which the
    // built-in rules document (HTTPS), next to IPv4 flows.
    let input = fixtures_dir().join("pcap/basic-usec-le.pcap");
    let dir = tempfile::tempdir().unwrap();
    let (nft, ipt) = (dir.path().join("b.nft"), dir.path().join("b.rules"));
    let (code, _, err) = check(&[
        os("--emit-firewall"),
        os("nft"),
        nft.as_os_str(),
        os("--emit-firewall"),
        os("iptables"),
        ipt.as_os_str(),
        input.as_os_str(),
    ]);
    assert!(code < 2, "{err}");
    let text = std::fs::read_to_string(&nft).unwrap();
    assert!(
        text.contains("\t\tip6 saddr 2001:db8::10 ip6 daddr 2001:db8::20 tcp dport 443 accept"),
        "{text}"
    );
    let v4 = std::fs::read_to_string(&ipt).unwrap();
    let v6 = std::fs::read_to_string(dir.path().join("b.rules.v6")).unwrap();
    assert!(
        !v4.contains("2001:db8")
            && v6.contains("-s 2001:db8::10/128 -d 2001:db8::20/128 -p tcp -m tcp --dport 443 ")
    );
    for (tool, args, file) in [
        ("nft", &["-c", "-f"][..], &nft),
        (
            "ip6tables-restore",
            &["--test"][..],
            &dir.path().join("b.rules.v6"),
        ),
    ] {
        match Command::new(tool).args(args).arg(file).output() {
            Ok(o) => assert!(
                o.status.success(),
                "{tool}: {}",
                String::from_utf8_lossy(&o.stderr)
            ),
            Err(_) => eprintln!("skipping {tool}: not installed"),
        }
    }
}

/// What the JSON of one input says about each `--fail-on` value.
fn selected(input: &Value, value: &str) -> bool {
    let s = &input["summary"];
    match value {
        "missing" => !s["missing"].as_array().unwrap().is_empty(),
        "damage" => !input["errors"].as_array().unwrap().is_empty(),
        "findings" => input["flows"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| !f["findings"].as_array().unwrap().is_empty()),
        "none" => false,
        verdict => s["verdicts"][verdict].as_u64().unwrap() > 0,
    }
}

#[test]
fn fail_on_selects_what_makes_the_exit_status_1() {
    let (room, site) = demo();
    let f = fixtures_dir();
    let (damaged, basic, firewall) = (
        f.join("malformed/truncated-record-data.pcap"),
        f.join("pcap/basic-usec-le.pcap"),
        f.join("blocked/firewall.pcap"),
    );
    let inputs: Vec<Vec<&std::ffi::OsStr>> = vec![
        vec![os("--site"), site.as_os_str(), room.as_os_str()],
        vec![room.as_os_str()],
        vec![damaged.as_os_str()],
        vec![basic.as_os_str()],
        vec![firewall.as_os_str()],
    ];
    let values = [
        "undocumented",
        "blocked",
        "forbidden",
        "wrong-direction",
        "missing",
        "damage",
        "findings",
        "none",
    ];
    let mut seen: BTreeMap<&str, BTreeSet<i32>> = BTreeMap::new();
    for args in &inputs {
        let doc = json_of(args);
        let input = &doc["inputs"][0];
        for value in values {
            let mut a = vec![os("--fail-on"), os(value)];
            a.extend_from_slice(args);
            let (code, _, err) = check(&a);
            let want = i32::from(selected(input, value));
            assert_eq!(code, want, "--fail-on {value} {args:?}: {err}");
            seen.entry(value).or_default().insert(code);
        }
        // The default is the behaviour before --fail-on.
        let (code, _, _) = check(args);
        let any = values[..6].iter().any(|v| selected(input, v));
        assert_eq!(code, i32::from(any), "default {args:?}");
        // A list: any of its values.
        let mut a = vec![os("--fail-on"), os("wrong-direction,damage")];
        a.extend_from_slice(args);
        let want = selected(input, "wrong-direction") || selected(input, "damage");
        assert_eq!(check(&a).0, i32::from(want));
    }
    // Every value except none and wrong-direction (needs a capture that
    // has one) was seen both ways over these inputs.
    for value in [
        "undocumented",
        "blocked",
        "forbidden",
        "missing",
        "damage",
        "findings",
    ] {
        assert_eq!(seen[value].len(), 2, "{value}: {:?}", seen[value]);
    }
    // An unreadable input is an error whatever --fail-on says.
    let (code, _, _) = check(&[os("--fail-on"), os("none"), os("no/such/file.pcap")]);
    assert_eq!(code, 2);
    let (code, _, err) = check(&[os("--fail-on"), os("sometimes"), room.as_os_str()]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn errors_are_one_line_naming_the_path() {
    let (room, _) = demo();
    // A missing capture: one line, no summary block, exit 2.
    let (code, out, err) = check(&[os("no/such/file.pcap")]);
    assert_eq!((code, out.as_slice()), (2, &b""[..]));
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("portmatrix: no/such/file.pcap: cannot open: "),
        "{err}"
    );
    // Next to a readable one: the readable one is still reported.
    let (code, out, err) = check(&[os("no/such/file.pcap"), room.as_os_str()]);
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    let out = String::from_utf8(out).unwrap();
    assert!(
        out.contains("room.pcapng") && !out.contains("no/such"),
        "{out}"
    );
    // A missing rules directory and site inventory.
    for flag in ["--rules", "--site"] {
        let (code, _, err) = check(&[os(flag), os("no/such/dir"), room.as_os_str()]);
        assert_eq!(code, 2);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with("portmatrix: no/such/dir: "), "{err}");
    }
    // An output that cannot be written: nothing is analysed.
    let (code, _, err) = check(&[
        os("--format"),
        os("json"),
        os("-o"),
        os("no/such/dir/r.json"),
        room.as_os_str(),
    ]);
    assert_eq!(code, 2);
    assert_eq!(err.trim_end(), "portmatrix: no/such/dir: no such directory");
    // Parquet and several formats need --output.
    let (code, _, err) = check(&[os("--format"), os("json,csv"), room.as_os_str()]);
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn every_subcommand_states_its_exit_codes() {
    let mut subcommands = vec![
        vec!["check"],
        vec!["rules"],
        vec!["rules", "validate"],
        vec!["rules", "list"],
        vec!["rules", "show"],
        vec!["rules", "export"],
        vec!["site"],
        vec!["site", "validate"],
    ];
    if cfg!(feature = "live") {
        subcommands.push(vec!["live"]);
    }
    for sub in subcommands {
        let out = portmatrix().args(&sub).arg("--help").output().unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("Exit status:\n  0  "), "{sub:?}: {text}");
        assert!(text.contains("\n  2  "), "{sub:?}: {text}");
    }
}

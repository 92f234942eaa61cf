//! `--products`/`--vendor` and `--extra-rules` (docs/rules.md, "Layering and
//! selecting"). Expected counts come from the rule files' text (their
//! `[[rule]]` headers), not from the program.

use std::fs;

use serde_json::Value;

use crate::util::{fixtures_dir, portmatrix, workspace_root};

/// `[[rule]]` headers in a built-in rule file.
fn rule_headers(file: &str) -> usize {
    let text = fs::read_to_string(workspace_root().join("rules").join(file)).unwrap();
    text.lines().filter(|l| l.trim() == "[[rule]]").count()
}

/// `rules list` rows (the table minus its header), exit status and stderr.
fn list(args: &[&str]) -> (Option<i32>, Vec<String>, String) {
    let out = portmatrix()
        .args(["rules", "list"])
        .args(args)
        .output()
        .unwrap();
    let rows = String::from_utf8_lossy(&out.stdout)
        .lines()
        .skip(1)
        .map(str::to_string)
        .collect();
    (
        out.status.code(),
        rows,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn products_keeps_only_that_vendors_rules() {
    let (code, rows, _) = list(&["--products", "avaya"]);
    assert_eq!(code, Some(0));
    assert_eq!(rows.len(), rule_headers("avaya-equinox-9.toml"));
    assert!(rows.iter().all(|r| r.starts_with("avaya.")));
}

#[test]
fn vendor_is_the_same_option_case_insensitive_and_comma_separated() {
    let (code, rows, _) = list(&["--vendor", "EXTRON,igloo-imp"]);
    assert_eq!(code, Some(0));
    assert_eq!(
        rows.len(),
        rule_headers("extron-control-systems.toml") + rule_headers("igloo-imp.toml")
    );
    assert!(rows.iter().any(|r| r.starts_with("extron.")));
    assert!(rows.iter().any(|r| r.starts_with("igloo.")));
    assert!(!rows.iter().any(|r| r.starts_with("avaya.")));
}

#[test]
fn a_product_name_selects_its_table() {
    // "ASBCE Edge" is one product (table) of the Avaya document.
    let (code, rows, _) = list(&["--products", "asbce edge"]);
    assert_eq!(code, Some(0));
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r.starts_with("avaya.")));
    assert!(rows.len() < rule_headers("avaya-equinox-9.toml"));
}

#[test]
fn unknown_product_is_an_error_listing_the_known_ones() {
    let (code, rows, err) = list(&["--products", "avaya,polycom"]);
    assert_eq!(code, Some(2));
    assert!(rows.is_empty());
    assert!(err.contains("`polycom`"), "{err}");
    assert!(!err.contains("`avaya`,"), "avaya is known: {err}");
    for known in ["`Avaya`", "`Extron`", "`ClearOne`", "`Biamp`", "`Igloo`"] {
        assert!(err.contains(known), "{known} missing: {err}");
    }
}

/// A site rule file for `--extra-rules`, in a fresh directory.
fn extra_dir(name: &str, text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(name), text).unwrap();
    dir
}

const SITE_RULES: &str = r#"[document]
file = "site-ports.txt"
vendor = "Site"
title = "Our own ports"

[[rule]]
id = "site.cp.backup"
product = "Backup agent"
section = "Ports"
source_role = "any"
destination_role = "extron.control-processor"
destination_ports = "9999"
transport = "tcp"
direction = "inbound"
service = "Backup"
requirement = "optional"
quote = "9999 TCP backup"
"#;

#[test]
fn extra_rules_add_to_the_builtin_set() {
    let dir = extra_dir("site.toml", SITE_RULES);
    let all: usize = [
        "avaya-equinox-9.toml",
        "biamp-impera.toml",
        "clearone-converge-pro.toml",
        "extron-control-systems.toml",
        "igloo-imp.toml",
    ]
    .iter()
    .map(|f| rule_headers(f))
    .sum();
    let d = dir.path().to_str().unwrap();
    let (code, rows, err) = list(&["--extra-rules", d]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(rows.len(), all + 1);
    assert!(rows.iter().any(|r| r.starts_with("site.cp.backup")));
    // The extra rules use a role of the built-in Extron file, and can be
    // selected like the others.
    let (code, rows, _) = list(&["--extra-rules", d, "--products", "site"]);
    assert_eq!(code, Some(0));
    assert_eq!(rows.len(), 1);
}

#[test]
fn an_extra_rule_with_a_builtin_id_is_a_clash_naming_both() {
    // Line 7, column 6 is the id's value below; the built-in rule is in
    // rules/extron-control-systems.toml.
    let text = SITE_RULES.replace("site.cp.backup", "extron.hardware.dns");
    let dir = extra_dir("site.toml", &text);
    let (code, rows, err) = list(&["--extra-rules", dir.path().to_str().unwrap()]);
    assert_eq!(code, Some(2));
    assert!(rows.is_empty());
    let file = dir.path().join("site.toml");
    let at = format!("{}:7:6:", file.display());
    assert!(err.contains(&at), "{err}");
    assert!(err.contains("extron.hardware.dns"), "{err}");
    assert!(err.contains("rules/extron-control-systems.toml:"), "{err}");
}

fn check(args: &[&str]) -> (Option<i32>, Value) {
    let v = fixtures_dir().join("verdicts");
    let out = portmatrix()
        .args(["check", "--format", "json"])
        .arg(v.join("documented.pcap"))
        .arg("--site")
        .arg(v.join("documented.site.toml"))
        .args(args)
        .output()
        .unwrap();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code(), json)
}

/// The verdict of the flow to TCP 4503 (Extron SSH, the site note of
/// fixtures/verdicts/documented.site.toml).
fn ssh_verdict(json: &Value) -> String {
    json["inputs"][0]["flows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["dst_port"] == 4503 && f["transport"] == "tcp")
        .map(|f| f["verdict"].as_str().unwrap().to_string())
        .unwrap()
}

#[test]
fn check_uses_only_the_selected_products() {
    let (_, extron) = check(&["--products", "extron"]);
    assert_eq!(ssh_verdict(&extron), "documented");
    let (code, avaya) = check(&["--vendor", "avaya"]);
    assert_eq!(code, Some(1));
    assert_eq!(ssh_verdict(&avaya), "undocumented");
}

#[test]
fn check_stops_on_unknown_products_and_clashes() {
    let (code, json) = check(&["--products", "nobody"]);
    assert_eq!(code, Some(2));
    assert_eq!(json, Value::Null);
    let text = SITE_RULES.replace("site.cp.backup", "extron.hardware.dns");
    let dir = extra_dir("site.toml", &text);
    let (code, _) = check(&["--extra-rules", dir.path().to_str().unwrap()]);
    assert_eq!(code, Some(2));
}

/// A rule file documenting TCP 4503 (the SSH flow of
/// fixtures/verdicts/documented.pcap) with the given confidence.
fn rules_at_4503(confidence: &str) -> tempfile::TempDir {
    let text = format!(
        r#"[document]
file = "test-ports.txt"
vendor = "Test"
title = "Test ports"

[[rule]]
id = "test.ssh"
product = "Test"
section = "Ports"
source_role = "any"
destination_role = "any"
destination_ports = "4503"
transport = "tcp"
direction = "source-to-destination"
service = "SSH"
requirement = "mandatory"
quote = "45O3 TCP SSH"
correction = "document: \"45O3\" (a letter O); read as 4503"
confidence = "{confidence}"
"#
    );
    extra_dir("test.toml", &text)
}

fn flow_4503(json: &Value) -> Value {
    json["inputs"][0]["flows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["dst_port"] == 4503)
        .cloned()
        .unwrap()
}

fn kinds(flow: &Value) -> Vec<String> {
    flow["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_flow_documented_only_by_guesses_says_so() {
    let v = fixtures_dir().join("verdicts");
    let run = |dir: &tempfile::TempDir| -> Value {
        let out = portmatrix()
            .args(["check", "--format", "json", "--rules"])
            .arg(dir.path())
            .arg(v.join("documented.pcap"))
            .output()
            .unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let guess = flow_4503(&run(&rules_at_4503("guess")));
    assert_eq!(guess["verdict"], "documented");
    assert!(kinds(&guess).contains(&"rule-guess".to_string()), "{guess}");
    let reading = flow_4503(&run(&rules_at_4503("reading")));
    assert_eq!(reading["verdict"], "documented");
    assert!(!kinds(&reading).contains(&"rule-guess".to_string()));
}

#[test]
fn rules_show_and_export_carry_the_confidence() {
    let dir = rules_at_4503("guess");
    let d = dir.path().to_str().unwrap();
    let out = portmatrix()
        .args(["rules", "show", "test.ssh", "--rules", d])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .any(|l| l.starts_with("confidence:") && l.ends_with(" guess")),
        "{text}"
    );
    let out = portmatrix()
        .args(["rules", "export", "--format", "json", "--rules", d])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["confidence"], "guess");
    let out = portmatrix()
        .args(["rules", "export", "--format", "csv", "--rules", d])
        .output()
        .unwrap();
    let csv = String::from_utf8_lossy(&out.stdout);
    let mut lines = csv.split("\r\n");
    assert!(lines.next().unwrap().ends_with(",correction,confidence"));
    assert!(lines.next().unwrap().ends_with(",guess"));
}

//! The synthetic fixtures (`fixtures/{pcap,pcapng,malformed,demo}`) against
//! the summaries `portmatrix-fixgen` derived from their construction
//! (`fixtures/expected/<file>.json`): `check --format json` must report, as
//! `inputs[0]`, every key the expected file holds.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::util::{check_json, compare_summary, fixtures_dir, Run};

/// Directories holding generated captures.
const CAPTURE_DIRS: [&str; 4] = ["pcap", "pcapng", "malformed", "demo"];

/// Every `(capture, expected summary)` pair, sorted by expected file name.
fn cases() -> Vec<(PathBuf, PathBuf)> {
    let root = fixtures_dir();
    let mut expected: Vec<PathBuf> = fs::read_dir(root.join("expected"))
        .expect("fixtures/expected exists")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    expected.sort();
    expected
        .into_iter()
        .map(|exp| {
            let name = exp
                .file_stem()
                .expect("expected file has a name")
                .to_string_lossy()
                .into_owned();
            let capture = CAPTURE_DIRS
                .iter()
                .map(|d| root.join(d).join(&name))
                .find(|p| p.is_file())
                .unwrap_or_else(|| panic!("{}: no capture named {name}", exp.display()));
            (capture, exp)
        })
        .collect()
}

fn load(path: &Path) -> Value {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// An input the expected summary describes as unreadable: no packets and
/// a fatal error at byte 0.
fn unreadable(expected: &Value) -> bool {
    expected["packets"] == 0
        && expected["errors"]
            .as_array()
            .and_then(|e| e.first())
            .is_some_and(|e| e["offset"] == 0 && e["fatal"] == true)
}

/// Checks one run against its expected summary; returns the problems.
fn verify(label: &str, run: &Run, expected: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    match run.code {
        Some(0..=3) => {}
        Some(101) => problems.push(format!("{label}: panicked: {}", run.stderr.trim())),
        other => problems.push(format!(
            "{label}: exit status {other:?}, expected 0, 1 or 2"
        )),
    }
    if unreadable(expected) {
        if run.code != Some(2) {
            problems.push(format!(
                "{label}: unreadable input must exit 2, got {:?}",
                run.code
            ));
        }
    } else if run.code == Some(2) {
        problems.push(format!(
            "{label}: exit 2 (could not be read at all) for a readable input: {}",
            run.stderr.trim()
        ));
    }
    match run.input0() {
        Ok(actual) => problems.extend(
            compare_summary(expected, actual)
                .into_iter()
                .map(|d| format!("{label}: {d}")),
        ),
        Err(e) => problems.push(format!("{label}: {e}; stderr: {}", run.stderr.trim())),
    }
    problems
}

#[test]
fn every_fixture_matches_its_expected_summary() {
    let cases = cases();
    assert!(cases.len() >= 40, "only {} expected files", cases.len());
    let mut problems = Vec::new();
    for (capture, expected_path) in &cases {
        let label = capture
            .strip_prefix(fixtures_dir())
            .unwrap_or(capture)
            .display()
            .to_string();
        let expected = load(expected_path);
        problems.extend(verify(&label, &check_json(capture, None), &expected));
    }
    assert!(
        problems.is_empty(),
        "{} problems over {} fixtures:\n{}",
        problems.len(),
        cases.len(),
        problems.join("\n")
    );
}

#[test]
fn every_generated_capture_has_an_expected_summary() {
    let root = fixtures_dir();
    let mut missing = Vec::new();
    for dir in CAPTURE_DIRS {
        for entry in fs::read_dir(root.join(dir)).expect("fixture directory exists") {
            let path = entry.expect("directory entry").path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let is_capture = [".pcap", ".pcapng", ".gz"]
                .iter()
                .any(|s| name.ends_with(s));
            if is_capture && !root.join("expected").join(format!("{name}.json")).is_file() {
                missing.push(format!("{dir}/{name}"));
            }
        }
    }
    assert!(missing.is_empty(), "no expected summary for: {missing:?}");
}

/// `check -` reads standard input; the summary is that of the file fed in.
fn check_stdin(relative: &str) {
    let root = fixtures_dir();
    let capture = root.join(relative);
    let name = capture.file_name().unwrap().to_string_lossy().into_owned();
    let expected = load(&root.join("expected").join(format!("{name}.json")));
    let bytes = fs::read(&capture).expect("fixture readable");
    let run = check_json(Path::new("-"), Some(bytes));
    let problems = verify(&format!("- < {relative}"), &run, &expected);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn check_reads_a_pcap_from_standard_input() {
    check_stdin("pcap/basic-usec-be.pcap");
}

#[test]
fn check_reads_gzip_pcapng_from_standard_input() {
    check_stdin("pcapng/basic-le.pcapng.gz");
}

#[test]
fn check_resynchronises_on_standard_input_at_the_same_offset() {
    check_stdin("malformed/block-length-mismatch.pcapng");
}

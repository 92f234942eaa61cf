//! Helpers shared by the integration tests: running the built binary and
//! comparing its JSON summary with an expected one.

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/cli sits two levels below the workspace root")
        .to_path_buf()
}

/// The `fixtures/` directory of the workspace.
pub fn fixtures_dir() -> PathBuf {
    workspace_root().join("fixtures")
}

/// The built `portmatrix` binary, ready for arguments.
pub fn portmatrix() -> assert_cmd::Command {
    assert_cmd::Command::new(env!("CARGO_BIN_EXE_portmatrix"))
}

/// What one run of `portmatrix check --format json` produced.
pub struct Run {
    /// Exit status; `None` when killed by a signal.
    pub code: Option<i32>,
    /// The parsed standard output, or why it could not be parsed.
    pub json: Result<Value, String>,
    pub stderr: String,
}

impl Run {
    /// `inputs[0]` of the report.
    pub fn input0(&self) -> Result<&Value, String> {
        let doc = self.json.as_ref().map_err(Clone::clone)?;
        doc.get("inputs")
            .and_then(|i| i.get(0))
            .ok_or_else(|| "the report has no inputs[0]".to_string())
    }
}

/// Runs `portmatrix check --format json <arg>`, feeding `stdin` if given.
pub fn check_json(arg: &Path, stdin: Option<Vec<u8>>) -> Run {
    let mut cmd = portmatrix();
    cmd.args(["check", "--format", "json"]).arg(arg);
    if let Some(bytes) = stdin {
        cmd.write_stdin(bytes);
    }
    let out = cmd.output().expect("run the portmatrix binary");
    let json = serde_json::from_slice::<Value>(&out.stdout).map_err(|e| {
        format!(
            "standard output is not JSON ({e}): {:?}",
            String::from_utf8_lossy(&out.stdout)
                .chars()
                .take(200)
                .collect::<String>()
        )
    });
    Run {
        code: out.status.code(),
        json,
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Compares `actual` with `expected`, looking only at the keys `expected`
/// has, and returns one line per difference, naming the key path.
///
/// - numbers, strings and booleans must be equal; a number missing from
///   the output (or `null`) counts as 0, so zero counts assert "none";
/// - objects are compared key by key, recursively (a missing object counts
///   as empty);
/// - `link_types` is compared as a set;
/// - other arrays (`errors`, `interfaces`) must have the same length and are
///   compared element by element, each element by the keys it has.
pub fn compare_summary(expected: &Value, actual: &Value) -> Vec<String> {
    let mut diffs = Vec::new();
    compare_at("", expected, Some(actual), &mut diffs);
    diffs
}

fn compare_at(path: &str, expected: &Value, actual: Option<&Value>, diffs: &mut Vec<String>) {
    let actual = actual.filter(|v| !v.is_null());
    match expected {
        Value::Number(want) => {
            let equal = match actual {
                None => want.as_u64() == Some(0),
                Some(Value::Number(got)) => numbers_equal(want, got),
                Some(_) => false,
            };
            if !equal {
                diffs.push(format!("{path}: expected {want}, got {}", show(actual)));
            }
        }
        Value::Bool(_) | Value::String(_) => {
            if actual != Some(expected) {
                diffs.push(format!("{path}: expected {expected}, got {}", show(actual)));
            }
        }
        Value::Null => {
            if actual.is_some() {
                diffs.push(format!("{path}: expected null, got {}", show(actual)));
            }
        }
        Value::Object(want) => {
            let empty = serde_json::Map::new();
            let got = match actual {
                None => &empty,
                Some(Value::Object(m)) => m,
                Some(other) => {
                    diffs.push(format!("{path}: expected an object, got {other}"));
                    return;
                }
            };
            for (k, v) in want {
                let sub = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                compare_at(&sub, v, got.get(k), diffs);
            }
        }
        Value::Array(want) => {
            let empty = Vec::new();
            let got = match actual {
                None => &empty,
                Some(Value::Array(a)) => a,
                Some(other) => {
                    diffs.push(format!("{path}: expected an array, got {other}"));
                    return;
                }
            };
            if path == "link_types" || path.ends_with(".link_types") {
                let mut w: Vec<String> = want.iter().map(Value::to_string).collect();
                let mut g: Vec<String> = got.iter().map(Value::to_string).collect();
                w.sort();
                w.dedup();
                g.sort();
                g.dedup();
                if w != g {
                    diffs.push(format!("{path}: expected the set {w:?}, got {g:?}"));
                }
                return;
            }
            if want.len() != got.len() {
                diffs.push(format!(
                    "{path}: expected {} entries, got {}: {}",
                    want.len(),
                    got.len(),
                    Value::Array(got.clone())
                ));
                return;
            }
            for (i, (w, g)) in want.iter().zip(got).enumerate() {
                compare_at(&format!("{path}[{i}]"), w, Some(g), diffs);
            }
        }
    }
}

fn numbers_equal(a: &serde_json::Number, b: &serde_json::Number) -> bool {
    match (a.as_i64(), b.as_i64(), a.as_u64(), b.as_u64()) {
        (Some(x), Some(y), _, _) => x == y,
        (_, _, Some(x), Some(y)) => x == y,
        _ => a.as_f64() == b.as_f64(),
    }
}

fn show(v: Option<&Value>) -> String {
    v.map_or_else(|| "nothing".to_string(), Value::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn missing_counts_are_zero() {
        let e = json!({"malformed": {"ipv4": 0, "tcp": 0}, "skipped_bytes": 0});
        assert!(compare_summary(&e, &json!({"malformed": {}})).is_empty());
        let d = compare_summary(&json!({"malformed": {"ipv4": 1}}), &json!({}));
        assert_eq!(d, vec!["malformed.ipv4: expected 1, got nothing"]);
    }

    #[test]
    fn only_expected_keys_are_compared() {
        let e = json!({"packets": 3, "errors": [{"offset": 24}]});
        let a = json!({"packets": 3, "variant": "x",
                       "errors": [{"offset": 24, "record": 1, "fatal": true, "message": "m"}]});
        assert!(compare_summary(&e, &a).is_empty());
    }

    #[test]
    fn error_offsets_and_counts_are_checked() {
        let e = json!({"errors": [{"offset": 24, "fatal": true}]});
        let wrong = json!({"errors": [{"offset": 40, "fatal": true}]});
        assert_eq!(
            compare_summary(&e, &wrong),
            vec!["errors[0].offset: expected 24, got 40"]
        );
        let extra = json!({"errors": [{"offset": 24, "fatal": true}, {"offset": 99}]});
        assert_eq!(compare_summary(&e, &extra).len(), 1);
        let none = json!({"errors": []});
        assert_eq!(
            compare_summary(&json!({"errors": []}), &none),
            Vec::<String>::new()
        );
    }

    #[test]
    fn link_types_compare_as_sets_and_strings_exactly() {
        let e = json!({"link_types": ["ether", "raw"], "format": "pcapng"});
        let a = json!({"link_types": ["raw", "ether"], "format": "pcapng"});
        assert!(compare_summary(&e, &a).is_empty());
        let b = json!({"link_types": ["ether"], "format": "pcap"});
        assert_eq!(compare_summary(&e, &b).len(), 2);
    }

    #[test]
    fn large_timestamps_compare_exactly() {
        let e = json!({"first_ts_ns": 1_700_000_000_123_456_789_i64});
        let a = json!({"first_ts_ns": 1_700_000_000_123_456_788_i64});
        assert_eq!(compare_summary(&e, &a).len(), 1);
    }
}

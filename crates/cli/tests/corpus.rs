//! Real captures written by other people (`../shared/corpus/`), with the
//! packet count capinfos recorded for each in `MANIFEST.tsv`: every file must
//! be read without a panic and deliver exactly that many packets.

use std::path::PathBuf;
use std::process::Command;

/// The corpus folder beside the checkout, or `None` (with a message) when absent.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if dir.join("MANIFEST.tsv").is_file() {
        Some(dir)
    } else {
        eprintln!("skipping: ../shared/corpus is absent");
        None
    }
}

/// Rows of the manifest as maps from column name to value.
pub fn manifest(dir: &std::path::Path) -> Vec<std::collections::HashMap<String, String>> {
    let text = std::fs::read_to_string(dir.join("MANIFEST.tsv")).expect("read MANIFEST.tsv");
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .expect("manifest header")
        .split('\t')
        .map(str::to_string)
        .collect();
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            header
                .iter()
                .cloned()
                .zip(l.split('\t').map(str::to_string))
                .collect()
        })
        .collect()
}

#[test]
fn every_corpus_file_reads_with_the_capinfos_packet_count() {
    let Some(dir) = corpus_dir() else { return };
    let rows = manifest(&dir);
    assert!(rows.len() >= 50, "manifest has only {} rows", rows.len());
    let mut failures = Vec::new();
    for row in &rows {
        let path = dir.join(&row["local_path"]);
        let want: u64 = row["packets"].parse().expect("packets column is a number");
        let out = Command::new(env!("CARGO_BIN_EXE_portmatrix"))
            .args(["check", "--format", "json"])
            .arg(&path)
            .output()
            .expect("run portmatrix");
        let code = out.status.code();
        if !matches!(code, Some(0..=3)) {
            failures.push(format!("{}: exit {:?} (panic or signal)", row["id"], code));
            continue;
        }
        let doc: serde_json::Value = match serde_json::from_slice(&out.stdout) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{}: output is not JSON: {e}", row["id"]));
                continue;
            }
        };
        let got = doc["inputs"][0]["packets"].as_u64();
        if got != Some(want) {
            failures.push(format!(
                "{} {}: capinfos counts {want} packets, portmatrix {got:?}",
                row["id"], row["local_path"]
            ));
        }
        let link = &row["link_type"];
        let ours = doc["inputs"][0]["link_types"][0].as_str().unwrap_or("");
        if want > 0 && !link.is_empty() && link != "-" && ours != link {
            failures.push(format!(
                "{}: capinfos says link type {link}, portmatrix {ours}",
                row["id"]
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

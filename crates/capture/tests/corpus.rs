//! Every capture of the shared corpus gives the packet count, format and
//! link type that capinfos (Wireshark 4.0) recorded in `MANIFEST.tsv`.

use portmatrix_capture::CaptureReader;

use crate::util::{corpus_dir, manifest, read_file};

#[test]
fn corpus_counts_formats_and_link_types_match_capinfos() {
    let Some(dir) = corpus_dir() else {
        println!("skipped: ../shared/corpus is not there");
        return;
    };
    let entries = manifest(&dir);
    assert!(entries.len() > 90, "manifest has {} rows", entries.len());
    let mut failures = Vec::new();
    for e in &entries {
        let mut r = match CaptureReader::open(&e.path) {
            Ok(r) => r,
            Err(err) => {
                failures.push(format!("{} {}: {err}", e.id, e.path.display()));
                continue;
            }
        };
        let (seen, errors) = read_file(&mut r);
        let format = r.format();
        let want_format = match e.file_format.as_str() {
            "gz(pcapng)" => ("pcapng", true),
            "gz(pcap)" => ("pcap", true),
            other => (other, false),
        };
        if (format.name(), format.compressed()) != (want_format.0, want_format.1) {
            failures.push(format!(
                "{}: format {format}, manifest {}",
                e.id, e.file_format
            ));
        }
        if seen.len() as u64 != e.packets {
            failures.push(format!(
                "{}: {} records, capinfos {} (errors: {errors:?})",
                e.id,
                seen.len(),
                e.packets
            ));
        }
        let link = r
            .interfaces()
            .first()
            .map(|i| i.link_type.to_string())
            .unwrap_or_default();
        if link != e.link_type {
            failures.push(format!(
                "{}: link type {link}, manifest {}",
                e.id, e.link_type
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

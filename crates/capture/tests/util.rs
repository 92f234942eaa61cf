//! Helpers shared by the integration tests.

use std::path::PathBuf;

use portmatrix_capture::{CaptureReader, Error, Record};

/// The shared corpus next to the repository, if it is there.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    dir.join("MANIFEST.tsv").is_file().then_some(dir)
}

/// One row of `MANIFEST.tsv`.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: String,
    pub file_format: String,
    pub link_type: String,
    pub packets: u64,
    pub path: PathBuf,
}

/// The rows of the corpus manifest, columns found by their header names.
pub fn manifest(dir: &std::path::Path) -> Vec<Entry> {
    let text = std::fs::read_to_string(dir.join("MANIFEST.tsv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (id, fmt, lt, pk, lp) = (
        col("id"),
        col("file_format"),
        col("link_type"),
        col("packets"),
        col("local_path"),
    );
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            Entry {
                id: f[id].to_string(),
                file_format: f[fmt].to_string(),
                link_type: f[lt].to_string(),
                packets: f[pk].parse().unwrap(),
                path: dir.join(f[lp]),
            }
        })
        .collect()
}

/// What the reader delivered for one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seen {
    pub ts_ns: i64,
    pub caplen: u32,
    pub orig_len: u32,
    pub interface_id: u32,
}

impl Seen {
    pub fn of(r: &Record<'_>) -> Self {
        Seen {
            ts_ns: r.ts_ns,
            caplen: r.data.len() as u32,
            orig_len: r.orig_len,
            interface_id: r.interface_id,
        }
    }
}

/// Reads a whole capture: the records and the errors.
pub fn read_file<R: std::io::Read>(reader: &mut CaptureReader<R>) -> (Vec<Seen>, Vec<Error>) {
    let mut seen = Vec::new();
    let mut errors = Vec::new();
    while let Some(item) = reader.next_record() {
        match item {
            Ok(r) => seen.push(Seen::of(&r)),
            Err(e) => errors.push(e),
        }
    }
    (seen, errors)
}

//! The evidence collector against tshark's field output of the same corpus
//! captures: `fixtures/oracle/tshark-recognize/<id>.txt`, written by
//! `fixtures/oracle/tshark-recognize/make.sh` (the commands are in each file).
//! Skipped with a message when the shared corpus is absent.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use portmatrix_capture::CaptureReader;
use portmatrix_engine::recognize::{mac_text, Collector, HostKey, Knowledge, MAX_EVIDENCE};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// (kind, host key) -> texts.
type Found = BTreeMap<(String, String), BTreeSet<String>>;

/// What our collector found in `capture`, and the hosts whose evidence list is full.
fn ours(capture: &std::path::Path) -> (Found, BTreeSet<String>) {
    let rules = portmatrix_rules::RuleSet::builtin().unwrap();
    let k = Knowledge::builtin(&rules).unwrap();
    let mut c: Collector = k.collector();
    let mut r = CaptureReader::open(capture).unwrap();
    while let Some(item) = r.next_record() {
        let Ok(rec) = item else { continue };
        let facts = portmatrix_wire::decode(rec.link_type, rec.frame());
        c.observe(rec.index, rec.ts_ns, rec.frame(), &facts);
    }
    let mut out = Found::new();
    let mut full = BTreeSet::new();
    for (key, h) in c.hosts() {
        let key = match key {
            HostKey::Ip(ip) => ip.to_string(),
            HostKey::Mac(m) => mac_text(*m),
        };
        if h.items.len() >= MAX_EVIDENCE {
            full.insert(key.clone());
        }
        for e in &h.items {
            out.entry((e.kind.to_string(), key.clone()))
                .or_default()
                .insert(e.text.clone());
        }
    }
    (out, full)
}

/// Folds white space as the collector documents (one space, trimmed).
fn fold(s: &str) -> String {
    s.replace("\\n", " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn evidence_matches_tshark_fields() {
    let corpus = root().join("../shared/corpus");
    if !corpus.join("MANIFEST.tsv").is_file() {
        eprintln!("skipped: no shared corpus next to the repository");
        return;
    }
    let dir = root().join("fixtures/oracle/tshark-recognize");
    let mut compared = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "txt") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let capture = text
            .lines()
            .find_map(|l| l.strip_prefix("# command: tshark -r "))
            .and_then(|l| l.split(' ').next())
            .map(|p| root().join(p))
            .unwrap();
        let mut want = Found::new();
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let f: Vec<&str> = line.split('\t').collect();
            let (kind, key, values) = (f[0], f[1].split('|').next().unwrap_or(""), f[2]);
            if key.is_empty() || key.contains(':') && kind.starts_with("mdns") {
                continue; // IPv6 sources: the field is ipv6.src, not asked for
            }
            for v in values.split('|') {
                let (kind, v) = match kind {
                    // Service-type names only (RFC 6763 §4.1, §7).
                    "mdns.ptr" => {
                        if !(v.starts_with('_') && (v.contains("._tcp.") || v.contains("._udp."))) {
                            continue;
                        }
                        ("mdns.service", v.to_string())
                    }
                    k => (k, fold(v)),
                };
                want.entry((kind.to_string(), key.to_string()))
                    .or_default()
                    .insert(v);
            }
        }
        let (got, full) = ours(&capture);
        let kinds: BTreeSet<&str> = want.keys().map(|k| k.0.as_str()).collect();
        for (k, w) in &want {
            let g = got.get(k).cloned().unwrap_or_default();
            if full.contains(&k.1) {
                assert!(
                    g.is_subset(w),
                    "{}: {k:?}: ours {g:?} not in tshark's {w:?}",
                    path.display()
                );
            } else {
                assert_eq!(&g, w, "{}: {k:?}", path.display());
            }
            compared += w.len();
        }
        for (k, g) in &got {
            // The oracle asked for ip.src only: IPv6 sources are not in it.
            if kinds.contains(k.0.as_str()) && k.1.parse::<std::net::Ipv6Addr>().is_err() {
                assert!(
                    want.contains_key(k),
                    "{}: ours only: {k:?} {g:?}",
                    path.display()
                );
            }
        }
    }
    assert!(compared > 30, "compared {compared}");
}

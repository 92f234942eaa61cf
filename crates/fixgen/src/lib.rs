//! Generator of the synthetic capture fixtures under `fixtures/`.
//!
//! What it is: a deterministic program that builds every packet with
//! `pnet_packet`, writes the pcap and pcapng containers byte by byte from
//! the format description, and writes next to each capture the summary
//! that `portmatrix check --format json` must report for it
//! (`fixtures/expected/<file>.json`), derived from the construction alone.
//! The verdict fixtures ([`verdicts`]) add, per flow, the verdict the
//! vendor rules give it without and with a site inventory.
//!
//! What it is not: a parser. It never reads a capture back through the
//! project's own crates (`portmatrix-capture`, `portmatrix-wire`), so the
//! expected results stay an independent oracle.
//!
//! Entry points: [`generate`] returns every output file in memory;
//! [`write_all`] writes them under a workspace root; [`check_all`] compares
//! them with the committed files.

#![forbid(unsafe_code)]

pub mod apps;
pub mod damage;
pub mod demo;
pub mod expect;
pub mod fixtures;
pub mod link;
pub mod packet;
pub mod pcap;
pub mod pcapng;
pub mod readme;
pub mod scene;
pub mod verdicts;

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use flate2::{read::GzDecoder, write::GzEncoder, Compression, GzBuilder};

use crate::expect::Expected;

/// One capture fixture with its expected summary and its README entry.
#[derive(Debug)]
pub struct Fixture {
    /// Sub-directory of `fixtures/`: `pcap`, `pcapng`, `malformed` or `demo`.
    pub dir: &'static str,
    pub name: String,
    pub bytes: Vec<u8>,
    /// The bytes are a gzip stream.
    pub gzip: bool,
    pub expected: Expected,
    /// The generator function that builds it.
    pub maker: &'static str,
    /// What is in it.
    pub contents: String,
    /// What reading it must produce.
    pub produces: String,
}

impl Fixture {
    /// An uncompressed fixture under `fixtures/<dir>/`, described for the
    /// README by `contents` and `produces`.
    pub fn new(
        dir: &'static str,
        name: &str,
        maker: &'static str,
        bytes: Vec<u8>,
        expected: Expected,
        contents: &str,
        produces: &str,
    ) -> Fixture {
        Fixture {
            dir,
            name: name.to_string(),
            bytes,
            gzip: false,
            expected,
            maker,
            contents: contents.to_string(),
            produces: produces.to_string(),
        }
    }

    /// Path relative to the workspace root.
    pub fn path(&self) -> String {
        format!("fixtures/{}/{}", self.dir, self.name)
    }
}

/// How an output is written and compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Written and compared byte for byte.
    Exact,
    /// A gzip stream, compared by its decompressed content: the compressed
    /// bytes depend on the deflate implementation `flate2` was built with.
    Gzip,
    /// The generated region of a Markdown file (see [`readme`]); the text
    /// around the markers belongs to others and is kept.
    Region,
}

/// One file to write, relative to the workspace root.
#[derive(Debug, Clone)]
pub struct Output {
    pub path: String,
    pub bytes: Vec<u8>,
    pub kind: Kind,
}

/// The fixtures README, whose generated region this crate writes.
pub const README: &str = "fixtures/README.md";

/// Directories whose whole content the generator owns.
pub const OWNED_DIRS: [&str; 7] = [
    "fixtures/pcap",
    "fixtures/pcapng",
    "fixtures/malformed",
    "fixtures/demo",
    "fixtures/expected",
    "fixtures/verdicts",
    "fixtures/expected/verdicts",
];

/// Every fixture, in README order.
pub fn all_fixtures() -> Vec<Fixture> {
    let mut v = fixtures::format_fixtures();
    v.extend(fixtures::link_fixtures());
    v.extend(fixtures::protocol_fixtures());
    v.extend(damage::fixtures());
    v.push(demo::room());
    v
}

/// Every output file: captures, expected summaries, the demo site
/// inventory and `fixtures/README.md`.
pub fn generate() -> Vec<Output> {
    let fixtures = all_fixtures();
    let mut out = Vec::new();
    for f in &fixtures {
        out.push(Output {
            path: f.path(),
            bytes: f.bytes.clone(),
            kind: if f.gzip { Kind::Gzip } else { Kind::Exact },
        });
        out.push(Output {
            path: format!("fixtures/expected/{}.json", f.name),
            bytes: f.expected.to_text().into_bytes(),
            kind: Kind::Exact,
        });
    }
    out.push(Output {
        path: "fixtures/demo/site.toml".to_string(),
        bytes: demo::site_toml().into_bytes(),
        kind: Kind::Exact,
    });
    let cases = verdicts::cases();
    let exact = |path: String, bytes: Vec<u8>| Output {
        path,
        bytes,
        kind: Kind::Exact,
    };
    for c in &cases {
        let (capture, site) = (c.capture_path(), c.site_path());
        out.push(exact(capture.clone(), c.bytes.clone()));
        out.push(exact(site.clone(), c.site_toml().into_bytes()));
        for (suffix, site) in [("", None), (".site", Some(site.as_str()))] {
            out.push(exact(
                format!("fixtures/expected/verdicts/{}{suffix}.json", c.name),
                verdicts::expected_json(&capture, site, &c.flows, &c.missing).into_bytes(),
            ));
        }
    }
    let demo_flows = demo::verdict_flows();
    for (suffix, site) in [("", None), (".site", Some("fixtures/demo/site.toml"))] {
        out.push(exact(
            format!("fixtures/expected/verdicts/room{suffix}.json"),
            verdicts::expected_json(
                "fixtures/demo/room.pcapng",
                site,
                &demo_flows,
                &demo::missing_truth(),
            )
            .into_bytes(),
        ));
    }
    out.push(Output {
        path: README.to_string(),
        bytes: readme::render(&fixtures, &cases).into_bytes(),
        kind: Kind::Region,
    });
    out
}

/// Compresses `data` as a gzip member with no name and a zero mtime, so the
/// output does not depend on when or where it was made.
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc: GzEncoder<Vec<u8>> = GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(Vec::new(), Compression::best());
    enc.write_all(data).expect("writing to a Vec cannot fail");
    enc.finish().expect("writing to a Vec cannot fail")
}

fn gunzip(data: &[u8]) -> anyhow::Result<Vec<u8>> {
    let mut out = Vec::new();
    GzDecoder::new(data).read_to_end(&mut out)?;
    Ok(out)
}

/// Writes every output under `root`, removing stale files in the owned
/// directories.
pub fn write_all(root: &Path, outputs: &[Output]) -> anyhow::Result<()> {
    for o in outputs {
        let path = root.join(&o.path);
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let bytes = match o.kind {
            Kind::Exact | Kind::Gzip => o.bytes.clone(),
            Kind::Region => {
                let existing = fs::read_to_string(&path).ok();
                let region = String::from_utf8_lossy(&o.bytes);
                readme::merge(existing.as_deref(), &region).into_bytes()
            }
        };
        fs::write(&path, &bytes).with_context(|| format!("writing {}", path.display()))?;
    }
    for stale in stale_files(root, outputs)? {
        fs::remove_file(root.join(&stale)).with_context(|| format!("removing {stale}"))?;
    }
    Ok(())
}

/// Files in the owned directories that the generator no longer writes.
fn stale_files(root: &Path, outputs: &[Output]) -> anyhow::Result<Vec<String>> {
    let mut stale = Vec::new();
    for dir in OWNED_DIRS {
        let abs = root.join(dir);
        if !abs.exists() {
            continue;
        }
        for entry in fs::read_dir(&abs).with_context(|| format!("listing {dir}"))? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            let rel = format!("{dir}/{name}");
            if entry.file_type()?.is_file() && !outputs.iter().any(|o| o.path == rel) {
                stale.push(rel);
            }
        }
    }
    stale.sort();
    Ok(stale)
}

/// Compares the committed files under `root` with `outputs`; returns the
/// list of differences (empty when everything matches).
pub fn check_all(root: &Path, outputs: &[Output]) -> anyhow::Result<Vec<String>> {
    let mut problems = Vec::new();
    for o in outputs {
        let path: PathBuf = root.join(&o.path);
        let Ok(on_disk) = fs::read(&path) else {
            problems.push(format!("{}: missing", o.path));
            continue;
        };
        let same = match o.kind {
            Kind::Exact => on_disk == o.bytes,
            Kind::Gzip => match (gunzip(&on_disk), gunzip(&o.bytes)) {
                (Ok(a), Ok(b)) => a == b,
                (Err(e), _) => bail!("{}: not a gzip stream: {e}", o.path),
                (_, Err(e)) => bail!("{}: generated gzip unreadable: {e}", o.path),
            },
            Kind::Region => {
                let text = String::from_utf8_lossy(&on_disk);
                readme::region_of(&text).map(str::as_bytes) == Some(&o.bytes[..])
            }
        };
        if !same {
            problems.push(format!(
                "{}: differs from a fresh generation ({} bytes committed, {} generated)",
                o.path,
                on_disk.len(),
                o.bytes.len()
            ));
        }
    }
    for s in stale_files(root, outputs)? {
        problems.push(format!("{s}: not produced by the generator"));
    }
    Ok(problems)
}

/// The workspace root, two levels above this crate's manifest.
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crate sits at crates/fixgen")
        .to_path_buf()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_is_deterministic() {
        let a = generate();
        let b = generate();
        assert_eq!(a.len(), b.len());
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.path, y.path);
            assert!(x.bytes == y.bytes, "{} differs between two runs", x.path);
        }
    }

    #[test]
    fn paths_are_unique_and_files_small() {
        let outs = generate();
        let mut paths: Vec<&str> = outs.iter().map(|o| o.path.as_str()).collect();
        paths.sort();
        let n = paths.len();
        paths.dedup();
        assert_eq!(paths.len(), n, "two outputs share a path");
        for o in &outs {
            let limit = if o.path.starts_with("fixtures/demo/") || o.path == README {
                100 * 1024
            } else {
                48 * 1024
            };
            assert!(
                o.bytes.len() < limit,
                "{} is {} bytes",
                o.path,
                o.bytes.len()
            );
        }
    }

    #[test]
    fn gzip_round_trips() {
        let z = gzip(b"hello pcap");
        assert_eq!(&z[..2], &[0x1F, 0x8B]);
        assert_eq!(gunzip(&z).unwrap(), b"hello pcap");
    }

    #[test]
    fn committed_fixtures_match_a_fresh_generation() {
        let problems = check_all(&workspace_root(), &generate()).unwrap();
        assert!(
            problems.is_empty(),
            "fixtures are out of date; run `cargo run -p portmatrix-fixgen`:\n{}",
            problems.join("\n")
        );
    }
}

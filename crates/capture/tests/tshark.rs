//! Per-packet comparison with tshark, when it is installed: timestamps
//! (to the nanosecond), captured and original lengths, interface ids.

use std::path::Path;
use std::process::Command;

use portmatrix_capture::{CaptureReader, LinkType, PcapngWriter};

use crate::util::{corpus_dir, manifest, read_file, Seen};

/// tshark's view of a capture, or `None` when tshark is not installed.
fn tshark_frames(path: &Path) -> Option<Vec<Seen>> {
    let out = Command::new("tshark")
        .args(["-n", "-r"])
        .arg(path)
        .args([
            "-T",
            "fields",
            "-e",
            "frame.time_epoch",
            "-e",
            "frame.cap_len",
            "-e",
            "frame.len",
            "-e",
            "frame.interface_id",
        ])
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).unwrap();
    Some(
        text.lines()
            .map(|l| {
                let f: Vec<&str> = l.split('\t').collect();
                Seen {
                    ts_ns: epoch_ns(f[0]),
                    caplen: f[1].parse().unwrap(),
                    orig_len: f[2].parse().unwrap(),
                    interface_id: f.get(3).and_then(|s| s.parse().ok()).unwrap_or(0),
                }
            })
            .collect(),
    )
}

/// "1027664341.625073000" as integer nanoseconds, without floating point.
fn epoch_ns(s: &str) -> i64 {
    let (sec, frac) = s.split_once('.').unwrap_or((s, "0"));
    let mut frac = frac.to_string();
    frac.truncate(9);
    while frac.len() < 9 {
        frac.push('0');
    }
    let sec: i64 = sec.parse().unwrap();
    let frac: i64 = frac.parse().unwrap();
    if sec < 0 {
        sec * 1_000_000_000 - frac
    } else {
        sec * 1_000_000_000 + frac
    }
}

fn tshark_available() -> bool {
    Command::new("tshark").arg("--version").output().is_ok()
}

#[test]
fn corpus_records_match_tshark_frame_by_frame() {
    let Some(dir) = corpus_dir() else {
        println!("skipped: ../shared/corpus is not there");
        return;
    };
    if !tshark_available() {
        println!("skipped: tshark is not installed");
        return;
    }
    let mut failures = Vec::new();
    for e in manifest(&dir) {
        let Some(want) = tshark_frames(&e.path) else {
            continue;
        };
        let mut r = CaptureReader::open(&e.path).unwrap();
        let (got, _) = read_file(&mut r);
        if got.len() != want.len() {
            failures.push(format!(
                "{}: {} records, tshark {}",
                e.id,
                got.len(),
                want.len()
            ));
            continue;
        }
        if let Some(i) = (0..got.len()).find(|&i| got[i] != want[i]) {
            failures.push(format!(
                "{} record {}: ours {:?}, tshark {:?}",
                e.id,
                i + 1,
                got[i],
                want[i]
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn tshark_reads_what_the_writer_wrote() {
    if !tshark_available() {
        println!("skipped: tshark is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("written.pcapng");
    let mut w = PcapngWriter::new(std::fs::File::create(&path).unwrap()).unwrap();
    let a = w
        .add_interface(LinkType::ETHERNET, 65535, Some("eth0"))
        .unwrap();
    let b = w.add_interface(LinkType::RAW, 1500, None).unwrap();
    let mut written = Vec::new();
    for i in 0..20u32 {
        let ifc = if i % 4 == 0 { b } else { a };
        let ts = 1_700_000_000_000_000_000 + i64::from(i) * 123_456_789;
        let data = vec![0x45; 14 + i as usize];
        w.write_packet(ifc, ts, data.len() as u32 + i, &data)
            .unwrap();
        written.push(Seen {
            ts_ns: ts,
            caplen: data.len() as u32,
            orig_len: data.len() as u32 + i,
            interface_id: ifc,
        });
    }
    w.into_inner().unwrap();
    assert_eq!(tshark_frames(&path).unwrap(), written);
}

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

/// text2pcap's pcapng of two frames (one ARP request, one IPv4 datagram),
/// or `None` when text2pcap is not installed.
fn text2pcap_capture(dir: &Path) -> Option<Vec<u8>> {
    let dump = dir.join("frames.txt");
    std::fs::write(
        &dump,
        "0000  ff ff ff ff ff ff 00 11 22 33 44 55 08 06 00 01\n\
         0010  08 00 06 04 00 01\n\n\
         0000  01 00 5e 00 00 01 00 11 22 33 44 55 08 00 45 00\n\
         0010  00 14 00 00 00 00 01 11 00 00\n",
    )
    .unwrap();
    let out = dir.join("one.pcapng");
    let status = Command::new("text2pcap")
        .arg("-q")
        .arg(&dump)
        .arg(&out)
        .output()
        .ok()?;
    assert!(status.status.success(), "text2pcap: {status:?}");
    Some(std::fs::read(out).unwrap())
}

#[test]
fn a_cat_of_4097_text2pcap_captures_is_read_whole() {
    // Issue: the interface limit was counted over all sections, so the
    // 4 097th single-interface capture of a `cat` lost its packets and
    // every later section repeated the limit message.
    if !tshark_available() {
        println!("skipped: tshark is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let Some(one) = text2pcap_capture(dir.path()) else {
        println!("skipped: text2pcap is not installed");
        return;
    };
    let path = dir.path().join("cat.pcapng");
    std::fs::write(&path, one.repeat(4097)).unwrap();
    let want = tshark_frames(&path).unwrap();
    assert_eq!(want.len(), 2 * 4097, "tshark's frame count");
    let mut r = CaptureReader::open(&path).unwrap();
    let (got, errors) = read_file(&mut r);
    assert_eq!(errors, []);
    assert_eq!(got.len(), want.len());
    // tshark (4.0) numbers interfaces within their section; ours are
    // global indexes into `interfaces()`, which name the section.
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        let ifc = &r.interfaces()[g.interface_id as usize];
        assert_eq!(
            (ifc.section, ifc.id_in_section),
            (i as u32 / 2, w.interface_id),
            "frame {}",
            i + 1
        );
        let g = Seen {
            interface_id: w.interface_id,
            ..g.clone()
        };
        assert_eq!(&g, w, "frame {}", i + 1);
    }
    assert_eq!(r.stats().sections, 4097);
}

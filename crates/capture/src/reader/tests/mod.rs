//! Every input here is written out byte by byte from the format
//! descriptions (pcap: draft-ietf-opsawg-pcap; pcapng:
//! draft-ietf-opsawg-pcapng), and every expected offset is the sum of
//! the block and record lengths given in the comments.

use super::*;
use crate::error::OptionFault;
use crate::format::{BlockCounts, BlockTypeCount};
use std::io::Write;

/// A delivered record, copied out of the reader for comparison.
#[derive(Debug, PartialEq)]
struct Got {
    index: u64,
    file_offset: u64,
    ts_ns: i64,
    interface_id: u32,
    link_type: LinkType,
    fcs_len: u8,
    orig_len: u32,
    data: Vec<u8>,
    frame_len: usize,
}

fn read_all<R: Read>(r: &mut CaptureReader<R>) -> Vec<std::result::Result<Got, Error>> {
    let mut out = Vec::new();
    while let Some(item) = r.next_record() {
        out.push(item.map(|rec| Got {
            index: rec.index,
            file_offset: rec.file_offset,
            ts_ns: rec.ts_ns,
            interface_id: rec.interface_id,
            link_type: rec.link_type,
            fcs_len: rec.fcs_len,
            orig_len: rec.orig_len,
            data: rec.data.to_vec(),
            frame_len: rec.frame().len(),
        }));
        assert!(out.len() < 10_000, "reader does not end");
    }
    // After the end (or a fatal error) it stays at the end.
    assert!(r.next_record().is_none());
    out
}

fn open(bytes: &[u8]) -> CaptureReader<&[u8]> {
    CaptureReader::new(bytes).unwrap()
}

fn ok(item: &std::result::Result<Got, Error>) -> &Got {
    item.as_ref().unwrap()
}

fn err(item: &std::result::Result<Got, Error>) -> &Error {
    item.as_ref().unwrap_err()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

#[test]
fn open_names_a_missing_file() {
    let e = CaptureReader::open(Path::new("no/such/capture.pcap")).unwrap_err();
    assert!(matches!(
        e.kind,
        ErrorKind::Open {
            kind: io::ErrorKind::NotFound,
            ..
        }
    ));
    assert!(e.to_string().starts_with("cannot open: no such file"));
}

mod pcap;
mod pcapng;
mod resync;
mod robustness;

//! Helpers shared by the fuzz targets in `fuzz_targets/`.
//!
//! Each helper reads an input the way the analyzer does and asserts the
//! invariants the crates document (a panic is a finding); the targets only
//! pick the input and the combination.

use std::io::{self, Cursor, Read, Write};

use portmatrix_capture::{
    CaptureReader, Error as CaptureError, ErrorKind, ErrorLog, FileKind, Interface, ReadStats,
    ERRORS_KEPT_PER_KIND, MAX_KEPT_INTERFACES,
};
use portmatrix_wire::LinkType;

pub mod wire;

/// The two bytes every gzip member starts with.
pub const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// `data` as one gzip member (fast level: the point is the decoder path).
pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(data).expect("writing to a Vec");
    enc.finish().expect("writing to a Vec")
}

/// A reader that hands out its bytes in short, uneven pieces and now and
/// then fails with `Interrupted`, as a pipe or a slow disk may: the capture
/// reader must deliver the same records as from one contiguous buffer.
pub struct Trickle {
    data: Vec<u8>,
    at: usize,
    calls: usize,
}

impl Trickle {
    /// A trickle over a copy of `data` (owned, so that a read-ahead thread
    /// can take it).
    pub fn new(data: &[u8]) -> Self {
        Trickle {
            data: data.to_vec(),
            at: 0,
            calls: 0,
        }
    }
}

/// Piece sizes handed out in turn (primes, so they rarely line up with
/// header sizes, plus a few large ones).
const PIECES: [usize; 10] = [1, 3, 7, 2, 13, 4099, 5, 65_537, 11, 1 << 20];

impl Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.calls += 1;
        if self.calls.is_multiple_of(7) {
            return Err(io::Error::from(io::ErrorKind::Interrupted));
        }
        let rest = &self.data[self.at..];
        let n = PIECES[self.calls % PIECES.len()]
            .min(buf.len())
            .min(rest.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.at += n;
        Ok(n)
    }
}

/// One item of a read, owned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    Record {
        index: u64,
        file_offset: u64,
        ts_ns: i64,
        interface_id: u32,
        link_type: LinkType,
        fcs_len: u8,
        orig_len: u32,
        data: Vec<u8>,
    },
    Error(CaptureError),
}

/// Everything a whole read produced.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadOutcome {
    /// The error of `CaptureReader::new`, if it failed.
    pub open_error: Option<CaptureError>,
    pub kind: Option<FileKind>,
    pub compressed: bool,
    pub items: Vec<Item>,
    pub stats: ReadStats,
    pub interfaces: Vec<Interface>,
    pub position: u64,
}

impl ReadOutcome {
    /// The outcome with the compression flag cleared, to compare a plain
    /// read with a read of the same bytes gzip-compressed.
    pub fn uncompressed(mut self) -> Self {
        self.compressed = false;
        self
    }
}

/// Reads every record of `src` and checks the reader's documented
/// invariants on the way. `stream_len` is the length of the (decompressed)
/// byte stream when the caller knows it.
pub fn read_capture<R: Read + Send + 'static>(src: R, stream_len: Option<u64>) -> ReadOutcome {
    read_capture_ahead(src, stream_len, None)
}

/// [`read_capture`], with the reader's read-ahead thread started after the
/// header in chunks of `read_ahead` bytes when given.
pub fn read_capture_ahead<R: Read + Send + 'static>(
    src: R,
    stream_len: Option<u64>,
    read_ahead: Option<usize>,
) -> ReadOutcome {
    let mut out = ReadOutcome {
        open_error: None,
        kind: None,
        compressed: false,
        items: Vec::new(),
        stats: ReadStats::default(),
        interfaces: Vec::new(),
        position: 0,
    };
    let mut reader = match CaptureReader::new(src) {
        Ok(r) => r,
        Err(e) => {
            let _ = e.to_string();
            assert!(e.fatal, "an open error must be fatal: {e:?}");
            if let Some(n) = stream_len {
                assert!(e.file_offset <= n, "open error past the end: {e:?}");
            }
            out.open_error = Some(e);
            return out;
        }
    };
    if let Some(chunk) = read_ahead {
        reader
            .start_read_ahead_with(chunk)
            .expect("the read-ahead thread starts");
    }
    out.kind = Some(reader.format().kind());
    out.compressed = reader.format().compressed();
    let _ = reader.format().description();
    let mut delivered = 0u64;
    let mut errors = 0u64;
    let mut fatal = false;
    // What a report keeps of the errors (the engine's input summary does
    // the same), and how often an interface limit was reported.
    let mut log = ErrorLog::new();
    let mut limit_reports = 0u32;
    loop {
        let item = match reader.next_record() {
            None => break,
            Some(Ok(rec)) => {
                // Record<'_>::frame() cuts the FCS: it must be a prefix.
                let frame = rec.frame();
                assert!(frame.len() <= rec.data.len());
                assert_eq!(frame, &rec.data[..frame.len()]);
                let _ = rec.is_truncated();
                Item::Record {
                    index: rec.index,
                    file_offset: rec.file_offset,
                    ts_ns: rec.ts_ns,
                    interface_id: rec.interface_id,
                    link_type: rec.link_type,
                    fcs_len: rec.fcs_len,
                    orig_len: rec.orig_len,
                    data: rec.data.to_vec(),
                }
            }
            Some(Err(e)) => Item::Error(e),
        };
        assert!(!fatal, "an item after a fatal error");
        match &item {
            Item::Record {
                index,
                file_offset,
                interface_id,
                data,
                ..
            } => {
                delivered += 1;
                assert_eq!(*index, delivered, "records are numbered 1, 2, 3, ...");
                assert!(
                    (*interface_id as usize) < reader.interfaces().len(),
                    "record {index} names interface {interface_id} of {}",
                    reader.interfaces().len()
                );
                if let Some(n) = stream_len {
                    // Never hand out a record whose bytes are not all in the file.
                    assert!(
                        file_offset + data.len() as u64 <= n,
                        "record {index} at {file_offset} (+{}) past the end {n}",
                        data.len()
                    );
                }
            }
            Item::Error(e) => {
                errors += 1;
                let _ = e.to_string();
                log.push(e);
                if matches!(
                    e.kind,
                    ErrorKind::TooManyInterfaces { .. } | ErrorKind::InterfaceTableFull { .. }
                ) {
                    limit_reports += 1;
                }
                if let Some(r) = e.record {
                    assert_eq!(r, delivered + 1, "error names record {r}: {e:?}");
                }
                if let Some(n) = stream_len {
                    assert!(e.file_offset <= n, "error past the end {n}: {e:?}");
                }
                fatal = e.fatal;
            }
        }
        out.items.push(item);
    }
    // The end (or a fatal error) is final.
    assert!(reader.next_record().is_none(), "a record after the end");
    let stats = reader.stats().clone();
    assert_eq!(stats.records, delivered, "stats.records");
    assert_eq!(stats.errors, errors, "stats.errors");
    out.position = reader.position();
    if let Some(n) = stream_len {
        assert!(
            out.position <= n,
            "position {} past the end {n}",
            out.position
        );
    }
    check_error_log(&log, &out.items);
    assert!(limit_reports <= 1, "an interface limit reported {limit_reports} times");
    assert!(
        reader.interfaces().len() <= MAX_KEPT_INTERFACES as usize,
        "{} interfaces kept",
        reader.interfaces().len()
    );
    out.stats = stats;
    out.interfaces = reader.interfaces().to_vec();
    out
}

/// The error log of a read counts every error and keeps, of each kind, the
/// first `ERRORS_KEPT_PER_KIND` and the last, in the order they came.
fn check_error_log(log: &ErrorLog, items: &[Item]) {
    let errors: Vec<&CaptureError> = items
        .iter()
        .filter_map(|i| match i {
            Item::Error(e) => Some(e),
            Item::Record { .. } => None,
        })
        .collect();
    assert_eq!(log.total(), errors.len() as u64, "errors counted");
    let cap = ERRORS_KEPT_PER_KIND as u64 + 1;
    let mut kept_sum = 0;
    let mut count_sum = 0;
    for k in log.kinds() {
        assert_eq!(k.kept, k.count.min(cap), "kept of {}", k.kind);
        let of_kind: Vec<&&CaptureError> =
            errors.iter().filter(|e| e.kind.name() == k.kind).collect();
        assert_eq!(of_kind.len() as u64, k.count, "count of {}", k.kind);
        assert_eq!(of_kind[0].file_offset, k.first_offset);
        assert_eq!(of_kind[of_kind.len() - 1].file_offset, k.last_offset);
        kept_sum += k.kept;
        count_sum += k.count;
    }
    assert_eq!(count_sum, log.total());
    assert_eq!(log.omitted(), log.total() - kept_sum);
    let kept = log.kept();
    assert_eq!(kept.len() as u64, kept_sum);
    // The kept errors are a subsequence of the errors, ending with the last.
    let mut rest = errors.iter();
    for k in &kept {
        assert!(rest.any(|e| e == k), "kept error out of order: {k:?}");
    }
    assert_eq!(kept.last(), errors.last());
}

/// Reads `data` plainly, in uneven pieces, and (unless it is gzip already)
/// gzip-compressed, and checks that all three reads agree.
pub fn read_three_ways(data: &[u8]) -> ReadOutcome {
    let is_gzip = data.starts_with(&GZIP_MAGIC);
    let len = if is_gzip {
        None
    } else {
        Some(data.len() as u64)
    };
    let plain = read_capture(Cursor::new(data.to_vec()), len);
    let trickled = read_capture(Trickle::new(data), len);
    assert_eq!(
        plain, trickled,
        "a read in pieces differs from a whole read"
    );
    // Read-ahead in small chunks (records cross chunk boundaries, tails
    // longer than the room in front of a chunk), from the uneven source.
    let chunk = 64 + data.len() % 193;
    let ahead = read_capture_ahead(Trickle::new(data), len, Some(chunk));
    assert_eq!(
        plain, ahead,
        "a read with read-ahead differs from a plain read"
    );
    if !is_gzip {
        assert!(!plain.compressed);
        let gz = gzip(data);
        let unzipped = read_capture(Cursor::new(gz), len);
        if plain.open_error.is_none() {
            assert!(unzipped.compressed);
        }
        assert_eq!(
            plain,
            unzipped.uncompressed(),
            "the gzip-compressed read differs from the plain one"
        );
    }
    plain
}

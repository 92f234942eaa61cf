//! Classic pcap.

use super::*;

/// File headers: version 2.4, snaplen 65535, LINKTYPE_ETHERNET.
pub(super) const PCAP_LE_US: [u8; 24] = [
    0xd4, 0xc3, 0xb2, 0xa1, 0x02, 0x00, 0x04, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00,
];
const PCAP_BE_US: [u8; 24] = [
    0xa1, 0xb2, 0xc3, 0xd4, 0x00, 0x02, 0x00, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0xff, 0xff,
    0x00, 0x00, 0x00, 0x01,
];
const PCAP_LE_NS: [u8; 24] = [
    0x4d, 0x3c, 0xb2, 0xa1, 0x02, 0x00, 0x04, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00,
];
const PCAP_BE_NS: [u8; 24] = [
    0xa1, 0xb2, 0x3c, 0x4d, 0x00, 0x02, 0x00, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0xff, 0xff,
    0x00, 0x00, 0x00, 0x01,
];

/// ts 1600000000 s + 500000 (0x7a120) units, caplen 4, len 60: 20 bytes.
pub(super) const REC1_LE: [u8; 20] = [
    0x00, 0x10, 0x5e, 0x5f, 0x20, 0xa1, 0x07, 0x00, 0x04, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x00, 0x00,
    0xde, 0xad, 0xbe, 0xef,
];
const REC1_BE: [u8; 20] = [
    0x5f, 0x5e, 0x10, 0x00, 0x00, 0x07, 0xa1, 0x20, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x3c,
    0xde, 0xad, 0xbe, 0xef,
];
/// ts 1600000001 s + 0, caplen 6, len 6: 22 bytes.
pub(super) const REC2_LE: [u8; 22] = [
    0x01, 0x10, 0x5e, 0x5f, 0, 0, 0, 0, 0x06, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 1, 2, 3, 4,
    5, 6,
];
const REC2_BE: [u8; 22] = [
    0x5f, 0x5e, 0x10, 0x01, 0, 0, 0, 0, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x06, 1, 2, 3, 4,
    5, 6,
];
/// Record 1 at 24, record 2 at 24 + 20 = 44, end at 44 + 22 = 66.
const AT1: u64 = 24;
const AT2: u64 = 44;

#[test]
fn all_four_pcap_variants() {
    /// File header, record 1, record 2, description, fraction in ns.
    type Case<'a> = (&'a [u8], &'a [u8], &'a [u8], &'a str, i64);
    let cases: [Case<'_>; 4] = [
        (
            &PCAP_LE_US,
            &REC1_LE,
            &REC2_LE,
            "pcap (little-endian, µs)",
            500_000_000,
        ),
        (
            &PCAP_BE_US,
            &REC1_BE,
            &REC2_BE,
            "pcap (big-endian, µs)",
            500_000_000,
        ),
        (
            &PCAP_LE_NS,
            &REC1_LE,
            &REC2_LE,
            "pcap (little-endian, ns)",
            500_000,
        ),
        (
            &PCAP_BE_NS,
            &REC1_BE,
            &REC2_BE,
            "pcap (big-endian, ns)",
            500_000,
        ),
    ];
    for (head, r1, r2, description, frac_ns) in cases {
        let file = [head, r1, r2].concat();
        let mut r = open(&file);
        assert_eq!(r.format().description(), description);
        let got = read_all(&mut r);
        assert_eq!(got.len(), 2, "{description}");
        assert_eq!(
            ok(&got[0]),
            &Got {
                index: 1,
                file_offset: AT1,
                ts_ns: 1_600_000_000_000_000_000 + frac_ns,
                interface_id: 0,
                link_type: LinkType::ETHERNET,
                fcs_len: 0,
                orig_len: 60,
                data: vec![0xde, 0xad, 0xbe, 0xef],
                frame_len: 4,
            },
            "{description}"
        );
        let second = ok(&got[1]);
        assert_eq!(second.file_offset, AT2);
        assert_eq!(second.index, 2);
        assert_eq!(second.ts_ns, 1_600_000_001_000_000_000);
        assert_eq!(second.data, [1, 2, 3, 4, 5, 6]);
        let s = r.stats();
        assert_eq!((s.records, s.captured_bytes, s.original_bytes), (2, 10, 66));
        assert_eq!((s.errors, s.sections), (0, 0));
        assert_eq!(r.interfaces().len(), 1);
        assert_eq!(r.interfaces()[0].snaplen, 65535);
        assert_eq!(r.interfaces()[0].packets, 2);
        assert_eq!(r.position(), 66);
    }
}

#[test]
fn header_only_file_has_no_records_and_no_error() {
    let mut r = open(&PCAP_LE_US);
    assert!(read_all(&mut r).is_empty());
    assert_eq!(r.stats().errors, 0);
}

#[test]
fn pcap_fcs_bits_give_the_fcs_length() {
    // Link-type field 0x24000001: 2 words (4 bytes) of FCS, bit 26 set.
    let mut head = PCAP_LE_US;
    head[20..24].copy_from_slice(&[0x01, 0x00, 0x00, 0x24]);
    // caplen 8, len 8: four bytes of frame, four of FCS.
    let rec = [
        0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 8, 0, 0, 0, 1, 2, 3, 4, 9, 9, 9, 9,
    ];
    let file = [&head[..], &rec].concat();
    let got = read_all(&mut open(&file));
    let g = ok(&got[0]);
    assert_eq!((g.fcs_len, g.frame_len, g.data.len()), (4, 4, 8));
}

#[test]
fn version_2_2_lengths_are_swapped_back() {
    let mut head = PCAP_LE_US;
    head[6] = 2; // version 2.2
                 // Stored as len 60 then caplen 4 (the old order).
    let rec = [0, 0, 0, 0, 0, 0, 0, 0, 60, 0, 0, 0, 4, 0, 0, 0, 1, 2, 3, 4];
    let file = [&head[..], &rec].concat();
    let mut r = open(&file);
    assert_eq!(
        r.format().description(),
        "pcap (little-endian, µs, version 2.2)"
    );
    let got = read_all(&mut r);
    assert_eq!((ok(&got[0]).data.len(), ok(&got[0]).orig_len), (4, 60));
}

#[test]
fn truncated_record_header_ends_with_a_fatal_error() {
    let file = [&PCAP_LE_US[..], &REC1_LE, &REC2_LE[..7]].concat();
    let mut r = open(&file);
    let got = read_all(&mut r);
    assert_eq!(got.len(), 2);
    assert_eq!(ok(&got[0]).file_offset, AT1);
    let e = err(&got[1]);
    assert_eq!(
        e,
        &Error {
            file_offset: AT2,
            record: Some(2),
            kind: ErrorKind::Truncated {
                what: "record header",
                needed: 16,
                available: 7
            },
            fatal: true
        }
    );
    assert_eq!(
        e.to_string(),
        "record 2 at byte 44 (0x2c): truncated record header: needs 16 bytes, only 7 left (capture cut short)"
    );
    assert_eq!(r.stats().skipped_bytes, 7);
    assert_eq!(r.stats().errors, 1);
}

#[test]
fn truncated_packet_data_ends_with_a_fatal_error() {
    // Record 2 header (16 bytes) and 3 of its 6 data bytes.
    let file = [&PCAP_BE_US[..], &REC1_BE, &REC2_BE[..19]].concat();
    let got = read_all(&mut open(&file));
    assert_eq!(got.len(), 2);
    assert_eq!(
        err(&got[1]),
        &Error {
            file_offset: AT2,
            record: Some(2),
            kind: ErrorKind::Truncated {
                what: "packet data",
                needed: 6,
                available: 3
            },
            fatal: true
        }
    );
}

#[test]
fn caplen_above_256_kib_is_fatal() {
    let mut rec2 = REC2_LE;
    // caplen 262145 = 0x00040001.
    rec2[8..12].copy_from_slice(&[0x01, 0x00, 0x04, 0x00]);
    let file = [&PCAP_LE_US[..], &REC1_LE, &rec2, &REC1_LE].concat();
    let got = read_all(&mut open(&file));
    assert_eq!(got.len(), 2);
    let e = err(&got[1]);
    assert!(e.fatal);
    assert_eq!((e.file_offset, e.record), (AT2, Some(2)));
    assert_eq!(
        e.kind,
        ErrorKind::CaplenTooLarge {
            caplen: 262_145,
            max: 262_144
        }
    );
}

#[test]
fn caplen_256_kib_exactly_is_read() {
    let mut head = PCAP_LE_US;
    head[16..20].copy_from_slice(&262_144u32.to_le_bytes());
    let mut rec = vec![0u8; 16 + 262_144];
    rec[8..12].copy_from_slice(&262_144u32.to_le_bytes());
    rec[12..16].copy_from_slice(&262_144u32.to_le_bytes());
    rec[16 + 262_143] = 0xaa;
    let file = [&head[..], &rec].concat();
    let got = read_all(&mut open(&file));
    assert_eq!(got.len(), 1);
    assert_eq!(ok(&got[0]).data.len(), 262_144);
    assert_eq!(ok(&got[0]).data[262_143], 0xaa);
}

#[test]
fn caplen_above_snaplen_is_kept_and_reported_once() {
    let mut head = PCAP_LE_US;
    head[16..20].copy_from_slice(&4u32.to_le_bytes()); // snaplen 4
                                                       // Record 1 (caplen 4) fits; record 2 at 44 and record 3 at 66 have caplen 6.
    let file = [&head[..], &REC1_LE, &REC2_LE, &REC2_LE].concat();
    let mut r = open(&file);
    let got = read_all(&mut r);
    assert_eq!(got.len(), 4);
    assert_eq!(ok(&got[0]).index, 1);
    let e = err(&got[1]);
    assert!(!e.fatal);
    assert_eq!((e.file_offset, e.record), (AT2, Some(2)));
    assert_eq!(
        e.kind,
        ErrorKind::CaplenOverSnaplen {
            caplen: 6,
            snaplen: 4
        }
    );
    // The record itself follows, whole.
    assert_eq!(ok(&got[2]).index, 2);
    assert_eq!(ok(&got[2]).data, [1, 2, 3, 4, 5, 6]);
    assert_eq!(ok(&got[3]).file_offset, 66);
    assert_eq!(r.stats().caplen_over_snaplen, 2);
    assert_eq!(r.interfaces()[0].caplen_over_snaplen, 2);
}

#[test]
fn zero_length_record_is_delivered_and_counted() {
    let rec0 = [0u8; 16]; // ts 0, caplen 0, len 0
    let file = [&PCAP_LE_US[..], &rec0, &REC1_LE].concat();
    let mut r = open(&file);
    let got = read_all(&mut r);
    assert_eq!(got.len(), 2);
    assert!(ok(&got[0]).data.is_empty());
    assert_eq!(ok(&got[1]).file_offset, 24 + 16);
    assert_eq!(r.stats().zero_length_records, 1);
}

#[test]
fn unreadable_starts_are_refused_at_open() {
    let e = CaptureReader::new(&[][..]).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Empty);
    let e = CaptureReader::new(&PCAP_LE_US[..10]).unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::Truncated {
            what: "file header",
            needed: 24,
            available: 10
        }
    );
    let e = CaptureReader::new(&b"GIF89a"[..]).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::UnknownMagic { .. }));
    assert!(e.fatal);
    assert_eq!(e.record, None);
    let e = CaptureReader::new(&[0xd4, 0xc3][..]).unwrap_err();
    assert!(matches!(
        e.kind,
        ErrorKind::Truncated {
            what: "magic number",
            ..
        }
    ));
}

#[test]
fn small_buffers_and_short_reads_give_the_same_records() {
    /// Hands out at most 5 bytes per read.
    struct Trickle<'a>(&'a [u8]);
    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(5).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    let mut file = PCAP_LE_US.to_vec();
    for _ in 0..100 {
        file.extend_from_slice(&REC1_LE);
        file.extend_from_slice(&REC2_LE);
    }
    let want = read_all(&mut open(&file));
    let mut small = CaptureReader::with_buffer(Trickle(&file), 64).unwrap();
    let got = read_all(&mut small);
    assert_eq!(got.len(), 200);
    assert_eq!(got, want);
    assert_eq!(ok(&got[199]).file_offset, 24 + 99 * 42 + 20);
}

#[test]
fn gzip_is_read_and_offsets_are_in_the_decompressed_stream() {
    let file = [&PCAP_LE_NS[..], &REC1_LE, &REC2_LE].concat();
    let gz = gzip(&file);
    let mut r = open(&gz);
    assert!(r.format().compressed());
    assert_eq!(
        r.format().description(),
        "pcap (little-endian, ns), gzip-compressed"
    );
    let got = read_all(&mut r);
    assert_eq!(got, read_all(&mut open(&file)));
    assert_eq!(ok(&got[1]).file_offset, AT2);
}

#[test]
fn cut_gzip_delivers_what_it_holds_then_a_fatal_error() {
    let mut file = PCAP_LE_US.to_vec();
    for _ in 0..2000 {
        file.extend_from_slice(&REC2_LE);
    }
    let gz = gzip(&file);
    let cut = &gz[..gz.len() - 20];
    let got = read_all(&mut open(cut));
    let (last, records) = got.split_last().unwrap();
    assert!(records.iter().all(|g| g.is_ok()));
    assert!(records.len() > 1000 && records.len() < 2000);
    let e = err(last);
    assert!(e.fatal);
    assert_eq!(e.record, Some(records.len() as u64 + 1));
    assert_eq!(e.file_offset, 24 + 22 * records.len() as u64);
    assert!(matches!(e.kind, ErrorKind::Decompress { .. }), "{e}");
}

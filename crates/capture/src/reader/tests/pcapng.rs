//! pcapng blocks, sections and interfaces.

use super::*;

/// SHB, little-endian, version 1.0, section length -1: 28 bytes.
pub(super) const SHB_LE: [u8; 28] = [
    0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a, 1, 0, 0, 0, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0x1c, 0, 0, 0,
];
/// SHB, big-endian: 28 bytes.
const SHB_BE: [u8; 28] = [
    0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0x1c, 0x1a, 0x2b, 0x3c, 0x4d, 0, 1, 0, 0, 0xff, 0xff, 0xff,
    0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0x1c,
];
/// IDB: Ethernet, snaplen 262144, no options (µs): 20 bytes.
pub(super) const IDB_ETH_LE: [u8; 20] = [
    1, 0, 0, 0, 0x14, 0, 0, 0, 1, 0, 0, 0, 0x00, 0x00, 0x04, 0x00, 0x14, 0, 0, 0,
];
/// IDB: Linux SLL, snaplen 0; if_tsresol 0x8a (2^-10 s), if_tsoffset
/// 100 s, if_name "eth1", if_fcslen 4, opt_endofopt:
/// 20 + 8 + 12 + 8 + 8 + 4 = 60 bytes.
#[rustfmt::skip]
pub(super) const IDB_SLL_LE: [u8; 60] = [
    1, 0, 0, 0, 0x3c, 0, 0, 0, 0x71, 0, 0, 0, 0, 0, 0, 0,
    9, 0, 1, 0, 0x8a, 0, 0, 0,
    14, 0, 8, 0, 100, 0, 0, 0, 0, 0, 0, 0,
    2, 0, 4, 0, b'e', b't', b'h', b'1',
    13, 0, 1, 0, 4, 0, 0, 0,
    0, 0, 0, 0,
    0x3c, 0, 0, 0,
];
/// EPB: interface 0, ts (0x60000 << 32 | 1) units, caplen 4, len 60,
/// "abcd": 32 + 4 = 36 bytes.
#[rustfmt::skip]
pub(super) const EPB_IF0_LE: [u8; 36] = [
    6, 0, 0, 0, 0x24, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x06, 0x00, 0x01, 0, 0, 0,
    4, 0, 0, 0, 0x3c, 0, 0, 0, b'a', b'b', b'c', b'd', 0x24, 0, 0, 0,
];
/// EPB: interface 1, ts 3072 units, caplen 5, len 64, "hello" + 3 pad:
/// 32 + 8 = 40 bytes.
#[rustfmt::skip]
pub(super) const EPB_IF1_LE: [u8; 40] = [
    6, 0, 0, 0, 0x28, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x0c, 0, 0,
    5, 0, 0, 0, 0x40, 0, 0, 0, b'h', b'e', b'l', b'l', b'o', 0, 0, 0, 0x28, 0, 0, 0,
];
/// NRB with only nrb_record_end: 16 bytes.
pub(super) const NRB_LE: [u8; 16] = [4, 0, 0, 0, 0x10, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0];
/// Custom block 0x00000BAD, PEN 32473: 16 bytes.
const CUSTOM_LE: [u8; 16] = [
    0xad, 0x0b, 0, 0, 0x10, 0, 0, 0, 0xd9, 0x7e, 0, 0, 0x10, 0, 0, 0,
];
/// A block of type 0x101, which no specification defines: 12 bytes.
const UNKNOWN_LE: [u8; 12] = [0x01, 0x01, 0, 0, 0x0c, 0, 0, 0, 0x0c, 0, 0, 0];
/// SPB: original length 3, data 1 2 3 + 1 pad: 16 + 4 = 20 bytes.
pub(super) const SPB_LE: [u8; 20] = [
    3, 0, 0, 0, 0x14, 0, 0, 0, 3, 0, 0, 0, 1, 2, 3, 0, 0x14, 0, 0, 0,
];
/// ISB: interface 0, ts 0, isb_ifdrop 5, isb_osdrop 2, opt_endofopt:
/// 24 + 12 + 12 + 4 = 52 bytes.
#[rustfmt::skip]
pub(super) const ISB_LE: [u8; 52] = [
    5, 0, 0, 0, 0x34, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    5, 0, 8, 0, 5, 0, 0, 0, 0, 0, 0, 0,
    7, 0, 8, 0, 2, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0x34, 0, 0, 0,
];
/// Obsolete PB: interface 1, drops 0, ts 1024 units, caplen 2, len 2,
/// "zz" + 2 pad: 32 + 4 = 36 bytes.
#[rustfmt::skip]
pub(super) const PB_IF1_LE: [u8; 36] = [
    2, 0, 0, 0, 0x24, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x04, 0, 0,
    2, 0, 0, 0, 2, 0, 0, 0, b'z', b'z', 0, 0, 0x24, 0, 0, 0,
];
/// EPB naming interface 7, which no IDB describes, caplen 0: 32 bytes.
#[rustfmt::skip]
pub(super) const EPB_IF7_LE: [u8; 32] = [
    6, 0, 0, 0, 0x20, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0,
];
/// EPB on interface 0, ts 0, caplen 0: 32 bytes.
#[rustfmt::skip]
pub(super) const EPB_EMPTY_LE: [u8; 32] = [
    6, 0, 0, 0, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0,
];

#[test]
fn pcapng_with_every_block_kind_little_endian() {
    // Offsets: SHB 0, IDB 28, IDB 48, EPB 108, NRB 144, EPB 160,
    // custom 200, unknown 216, SPB 228, ISB 248, PB 300, EPB(if 7) 336,
    // EPB(empty) 368, end 400.
    let file = [
        &SHB_LE[..],
        &IDB_ETH_LE,
        &IDB_SLL_LE,
        &EPB_IF0_LE,
        &NRB_LE,
        &EPB_IF1_LE,
        &CUSTOM_LE,
        &UNKNOWN_LE,
        &SPB_LE,
        &ISB_LE,
        &PB_IF1_LE,
        &EPB_IF7_LE,
        &EPB_EMPTY_LE,
    ]
    .concat();
    assert_eq!(file.len(), 400);
    let mut r = open(&file);
    assert_eq!(r.format().description(), "pcapng (little-endian)");
    let got = read_all(&mut r);
    assert_eq!(got.len(), 6);
    // Interface 0 counts microseconds: (0x60000 << 32 | 1) µs.
    assert_eq!(
        ok(&got[0]),
        &Got {
            index: 1,
            file_offset: 108,
            ts_ns: 1_688_849_860_263_937_000,
            interface_id: 0,
            link_type: LinkType::ETHERNET,
            fcs_len: 0,
            orig_len: 60,
            data: b"abcd".to_vec(),
            frame_len: 4,
        }
    );
    // Interface 1: 3072 units of 2^-10 s = 3 s, plus 100 s offset. Its
    // frame was cut before the FCS (5 of 64 bytes), so frame == data.
    assert_eq!(
        ok(&got[1]),
        &Got {
            index: 2,
            file_offset: 160,
            ts_ns: 103_000_000_000,
            interface_id: 1,
            link_type: LinkType::LINUX_SLL,
            fcs_len: 4,
            orig_len: 64,
            data: b"hello".to_vec(),
            frame_len: 5,
        }
    );
    // SPB: interface 0, the previous record's timestamp.
    let spb = ok(&got[2]);
    assert_eq!((spb.file_offset, spb.interface_id), (228, 0));
    assert_eq!((spb.ts_ns, spb.orig_len), (103_000_000_000, 3));
    assert_eq!(spb.data, [1, 2, 3]);
    // PB: interface 1, 1024 units = 1 s, + 100 s.
    let pb = ok(&got[3]);
    assert_eq!((pb.file_offset, pb.interface_id, pb.index), (300, 1, 4));
    assert_eq!((pb.ts_ns, &pb.data[..]), (101_000_000_000, &b"zz"[..]));
    // EPB naming interface 7: reported, skipped, reading goes on.
    let e = err(&got[4]);
    assert_eq!(
        e,
        &Error {
            file_offset: 336,
            record: Some(5),
            kind: ErrorKind::UnknownInterface {
                block: "enhanced packet block",
                interface_id: 7,
                section: 0,
                known: 2
            },
            fatal: false
        }
    );
    let last = ok(&got[5]);
    assert_eq!((last.index, last.file_offset, last.data.len()), (5, 368, 0));

    let s = r.stats();
    assert_eq!(
        s.blocks,
        BlockCounts {
            shb: 1,
            idb: 2,
            epb: 4,
            spb: 1,
            pb: 1,
            isb: 1,
            nrb: 1,
            dsb: 0,
            custom: 1,
            other: 1
        }
    );
    assert_eq!(s.unknown_blocks, 2);
    assert_eq!(
        s.unknown_block_types,
        vec![BlockTypeCount {
            block_type: 0x101,
            count: 1
        }]
    );
    assert_eq!((s.records, s.zero_length_records, s.sections), (5, 1, 1));
    assert_eq!((s.errors, s.skipped_records, s.skipped_bytes), (1, 1, 32));
    assert_eq!(s.captured_bytes, 4 + 5 + 3 + 2);
    let ifs = r.interfaces();
    assert_eq!(ifs.len(), 2);
    assert_eq!(
        (ifs[0].packets, ifs[0].if_drop, ifs[0].os_drop),
        (3, Some(5), Some(2))
    );
    assert_eq!(ifs[0].if_recv, None);
    assert_eq!(ifs[1].name.as_deref(), Some("eth1"));
    assert_eq!(ifs[1].tsresol, TsResolution::Pow2(10));
    assert_eq!(
        (ifs[1].ts_offset_s, ifs[1].fcs_len, ifs[1].packets),
        (100, 4, 2)
    );
    assert_eq!(
        (ifs[1].file_offset, ifs[1].index, ifs[1].id_in_section),
        (48, 1, 1)
    );
}

/// IDB, big-endian: LINKTYPE_RAW, snaplen 65535, if_tsresol 9,
/// opt_endofopt: 20 + 8 + 4 = 32 bytes.
#[rustfmt::skip]
const IDB_RAW_NS_BE: [u8; 32] = [
    0, 0, 0, 1, 0, 0, 0, 0x20, 0, 101, 0, 0, 0, 0, 0xff, 0xff,
    0, 9, 0, 1, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20,
];
/// EPB, big-endian: interface 0, ts 1_600_000_000_000_000_000 units
/// (high 0x16345785, low 0xd8a00000), caplen 4, len 4: 36 bytes.
#[rustfmt::skip]
const EPB_IF0_BE: [u8; 36] = [
    0, 0, 0, 6, 0, 0, 0, 0x24, 0, 0, 0, 0, 0x16, 0x34, 0x57, 0x85, 0xd8, 0xa0, 0, 0,
    0, 0, 0, 4, 0, 0, 0, 4, 0x45, 0, 0, 20, 0, 0, 0, 0x24,
];

#[test]
fn pcapng_big_endian() {
    let file = [&SHB_BE[..], &IDB_RAW_NS_BE, &EPB_IF0_BE].concat();
    let mut r = open(&file);
    assert_eq!(r.format().description(), "pcapng (big-endian)");
    let got = read_all(&mut r);
    assert_eq!(got.len(), 1);
    let g = ok(&got[0]);
    assert_eq!((g.file_offset, g.ts_ns), (60, 1_600_000_000_000_000_000));
    assert_eq!(
        (g.link_type, &g.data[..]),
        (LinkType::RAW, &[0x45, 0, 0, 20][..])
    );
    assert_eq!(r.interfaces()[0].tsresol, TsResolution::NANOS);
}

#[test]
fn a_new_section_resets_interface_numbering() {
    // Section 0 (LE): SHB 0, IDB 28, EPB 48. Section 1 (BE): SHB 84,
    // IDB 112, EPB 144 (interface 0 of section 1 = global 1), end 180.
    let file = [
        &SHB_LE[..],
        &IDB_ETH_LE,
        &EPB_IF0_LE,
        &SHB_BE,
        &IDB_RAW_NS_BE,
        &EPB_IF0_BE,
    ]
    .concat();
    let mut r = open(&file);
    let got = read_all(&mut r);
    assert_eq!(got.len(), 2);
    assert_eq!(ok(&got[0]).interface_id, 0);
    let second = ok(&got[1]);
    assert_eq!((second.file_offset, second.interface_id), (144, 1));
    assert_eq!(second.link_type, LinkType::RAW);
    assert_eq!(r.stats().sections, 2);
    let ifs = r.interfaces();
    assert_eq!(
        (ifs[1].section, ifs[1].id_in_section, ifs[1].index),
        (1, 0, 1)
    );
    assert_eq!(
        r.format().description(),
        "pcapng (little-endian, with sections of the other byte order)"
    );
}

#[test]
fn epb_flags_fcs_length_overrides_the_interface() {
    // EPB on interface 0 with caplen 8 (4 data + 4 FCS), epb_flags 0x80
    // (bits 5-8 = 4), opt_endofopt: 32 + 8 + 8 + 4 = 52 bytes.
    #[rustfmt::skip]
    let epb = [
        6, 0, 0, 0, 0x34, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        8, 0, 0, 0, 8, 0, 0, 0, 1, 2, 3, 4, 9, 9, 9, 9,
        2, 0, 4, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x34, 0, 0, 0,
    ];
    let file = [&SHB_LE[..], &IDB_ETH_LE, &epb].concat();
    let got = read_all(&mut open(&file));
    let g = ok(&got[0]);
    assert_eq!((g.fcs_len, g.frame_len), (4, 4));
}

/// SHB, IDB, then EPB 1 at 48 (36 bytes); the damage starts at 84.
pub(super) fn damaged(middle: &[u8]) -> Vec<u8> {
    [&SHB_LE[..], &IDB_ETH_LE, &EPB_IF0_LE, middle, &EPB_IF0_LE].concat()
}

#[test]
fn caplen_beyond_its_block_skips_that_block() {
    let mut bad = EPB_IF0_LE;
    bad[20] = 100; // caplen 100 in a block with room for 4
    let file = damaged(&bad);
    let mut r = open(&file);
    let got = read_all(&mut r);
    assert_eq!(got.len(), 3);
    assert_eq!(
        err(&got[1]),
        &Error {
            file_offset: 84,
            record: Some(2),
            kind: ErrorKind::BadBlock {
                block: "enhanced packet block",
                fault: BodyFault::CaplenBeyondBlock {
                    caplen: 100,
                    room: 4
                }
            },
            fatal: false
        }
    );
    assert_eq!(ok(&got[2]).file_offset, 120);
    assert_eq!(r.stats().skipped_records, 1);
}

#[test]
fn bad_idb_option_is_reported_and_the_interface_kept() {
    // IDB with if_tsresol of length 2: 20 + 8 + 4 = 32 bytes.
    #[rustfmt::skip]
    let idb = [
        1, 0, 0, 0, 0x20, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
        9, 0, 2, 0, 9, 9, 0, 0, 0, 0, 0, 0, 0x20, 0, 0, 0,
    ];
    let file = [&SHB_LE[..], &idb, &EPB_IF0_LE].concat();
    let mut r = open(&file);
    let got = read_all(&mut r);
    assert_eq!(got.len(), 2);
    let e = err(&got[0]);
    assert_eq!((e.file_offset, e.record, e.fatal), (28, None, false));
    assert_eq!(
        e.kind,
        ErrorKind::BadOption {
            block: "interface description block",
            code: 9,
            fault: OptionFault::BadLength {
                len: 2,
                expected: 1
            }
        }
    );
    assert_eq!(ok(&got[1]).ts_ns, 1_688_849_860_263_937_000);
    assert_eq!(r.stats().bad_options, 1);
}

#[test]
fn pcapng_start_damage_is_refused_at_open() {
    let e = CaptureReader::new(&SHB_LE[..10]).unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::Truncated {
            what: "section header block",
            needed: 28,
            available: 10
        }
    );
    let mut shb = SHB_LE;
    shb[8..12].copy_from_slice(&[0, 0, 0, 0]);
    let e = CaptureReader::new(&shb[..]).unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::BlockDamaged {
            fault: BlockFault::BadByteOrderMagic([0, 0, 0, 0]),
            skipped: 0,
            resumed_at: None
        }
    );
    let mut shb = SHB_LE;
    shb[12] = 2; // version 2.0
    let e = CaptureReader::new(&shb[..]).unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::UnsupportedVersion {
            format: "pcapng",
            major: 2,
            minor: 0
        }
    );
}

#[test]
fn gzip_pcapng_is_read() {
    let file = [&SHB_BE[..], &IDB_RAW_NS_BE, &EPB_IF0_BE].concat();
    let gz = gzip(&file);
    let mut r = open(&gz);
    assert_eq!(
        r.format().description(),
        "pcapng (big-endian), gzip-compressed"
    );
    assert_eq!(ok(&read_all(&mut r)[0]).file_offset, 60);
}

#[test]
fn statistics_for_an_undescribed_interface_are_reported() {
    // ISB_LE names interface 0, but this section describes none; the
    // SPB after it (interface 0 implied) is skipped too.
    let file = [&SHB_LE[..], &ISB_LE, &SPB_LE].concat();
    let mut r = open(&file);
    let got = read_all(&mut r);
    assert_eq!(got.len(), 2);
    let e = err(&got[0]);
    assert_eq!((e.file_offset, e.record, e.fatal), (28, None, false));
    assert!(matches!(
        e.kind,
        ErrorKind::UnknownInterface {
            block: "interface statistics block",
            interface_id: 0,
            known: 0,
            ..
        }
    ));
    let e = err(&got[1]);
    assert_eq!((e.file_offset, e.record), (80, Some(1)));
    assert_eq!(r.stats().skipped_records, 1);
}

#[test]
fn interfaces_beyond_the_limit_are_reported_once() {
    let mut file = SHB_LE.to_vec();
    for _ in 0..MAX_INTERFACES + 2 {
        file.extend_from_slice(&IDB_ETH_LE);
    }
    // An EPB on interface 4097 (beyond the limit), then one on 0.
    let mut beyond = EPB_IF0_LE;
    beyond[8..12].copy_from_slice(&(MAX_INTERFACES + 1).to_le_bytes());
    file.extend_from_slice(&beyond);
    file.extend_from_slice(&EPB_IF0_LE);
    let mut r = open(&file);
    let got = read_all(&mut r);
    assert_eq!(got.len(), 2);
    let e = err(&got[0]);
    assert_eq!(e.file_offset, 28 + 20 * u64::from(MAX_INTERFACES));
    assert_eq!(e.kind, ErrorKind::TooManyInterfaces { max: 4096 });
    assert_eq!(ok(&got[1]).interface_id, 0);
    assert_eq!(r.interfaces().len(), MAX_INTERFACES as usize);
    assert_eq!(r.stats().skipped_records, 1);
    assert_eq!(r.stats().blocks.idb, u64::from(MAX_INTERFACES) + 2);
}

/// `count` single-interface captures one after the other, as `cat` makes
/// them: SHB (28) + IDB (20) + EPB (36) = 84 bytes each. The IDB of
/// capture `i` has snapshot length `snaplen(i)`.
fn catenated(count: u32, snaplen: impl Fn(u32) -> u32) -> Vec<u8> {
    let mut file = Vec::with_capacity(count as usize * 84);
    for i in 0..count {
        let mut idb = IDB_ETH_LE;
        idb[12..16].copy_from_slice(&snaplen(i).to_le_bytes());
        file.extend_from_slice(&SHB_LE);
        file.extend_from_slice(&idb);
        file.extend_from_slice(&EPB_IF0_LE);
    }
    file
}

/// Reads to the end; returns the records' interface ids and the errors.
fn interfaces_and_errors<R: Read>(r: &mut CaptureReader<R>) -> (Vec<u32>, Vec<Error>) {
    let (mut ids, mut errors) = (Vec::new(), Vec::new());
    while let Some(item) = r.next_record() {
        match item {
            Ok(rec) => ids.push(rec.interface_id),
            Err(e) => errors.push(e),
        }
    }
    (ids, errors)
}

#[test]
fn the_interface_limit_is_per_section() {
    // pcapng interfaces belong to their section: 4 097 catenated
    // single-interface captures describe one interface each, far from the
    // limit of one section.
    let n = MAX_INTERFACES + 1;
    let file = catenated(n, |_| 262_144);
    let mut r = open(&file);
    let (ids, errors) = interfaces_and_errors(&mut r);
    assert_eq!(errors, []);
    assert_eq!(ids, (0..n).collect::<Vec<_>>());
    assert_eq!(r.interfaces().len(), n as usize);
    let last = &r.interfaces()[n as usize - 1];
    assert_eq!((last.section, last.id_in_section), (n - 1, 0));
    assert_eq!(last.file_offset, 84 * u64::from(n - 1) + 28);
    assert_eq!(r.stats().sections, u64::from(n));
}

#[test]
fn the_per_section_limit_is_reported_once_per_file() {
    // Two sections of 4 098 interfaces each, an EPB naming the last
    // interface at the end of each: one report, two skipped packets.
    let mut file = Vec::new();
    for _ in 0..2 {
        file.extend_from_slice(&SHB_LE);
        for _ in 0..MAX_INTERFACES + 2 {
            file.extend_from_slice(&IDB_ETH_LE);
        }
        let mut beyond = EPB_IF0_LE;
        beyond[8..12].copy_from_slice(&(MAX_INTERFACES + 1).to_le_bytes());
        file.extend_from_slice(&beyond);
        file.extend_from_slice(&EPB_IF0_LE);
    }
    let mut r = open(&file);
    let (ids, errors) = interfaces_and_errors(&mut r);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].kind, ErrorKind::TooManyInterfaces { max: 4096 });
    assert_eq!(errors[0].file_offset, 28 + 20 * u64::from(MAX_INTERFACES));
    assert_eq!(ids, [0, MAX_INTERFACES]);
    assert_eq!(r.interfaces().len(), 2 * MAX_INTERFACES as usize);
    assert_eq!(r.stats().skipped_records, 2);
}

#[test]
fn interfaces_past_the_file_limit_share_an_identical_kept_one() {
    // More sections than the file keeps interfaces for, all describing the
    // same interface: every packet is delivered; the extra sections'
    // packets count on the first interface like theirs.
    let n = MAX_KEPT_INTERFACES + 3;
    let file = catenated(n, |_| 262_144);
    let mut r = open(&file);
    let (ids, errors) = interfaces_and_errors(&mut r);
    assert_eq!(errors, []);
    assert_eq!(ids.len(), n as usize);
    assert_eq!(
        ids[..MAX_KEPT_INTERFACES as usize].last(),
        Some(&(MAX_KEPT_INTERFACES - 1))
    );
    assert_eq!(ids[MAX_KEPT_INTERFACES as usize..], [0, 0, 0]);
    assert_eq!(r.interfaces().len(), MAX_KEPT_INTERFACES as usize);
    assert_eq!(r.interfaces()[0].packets, 4);
    assert_eq!(r.stats().shared_interfaces, 3);
}

#[test]
fn an_interface_past_the_file_limit_unlike_every_kept_one_is_reported_once() {
    // Every section's interface has its own snapshot length, so none of
    // the extra ones can share: their packets are skipped, reported once.
    let n = MAX_KEPT_INTERFACES + 2;
    let file = catenated(n, |i| 1000 + i);
    let mut r = open(&file);
    let (ids, errors) = interfaces_and_errors(&mut r);
    assert_eq!(errors.len(), 1, "{errors:?}");
    let first_extra = 84 * u64::from(MAX_KEPT_INTERFACES);
    assert_eq!(errors[0].file_offset, first_extra + 28);
    assert_eq!(
        errors[0].kind,
        ErrorKind::InterfaceTableFull {
            max: MAX_KEPT_INTERFACES
        }
    );
    assert_eq!(ids.len(), MAX_KEPT_INTERFACES as usize);
    assert_eq!(r.stats().skipped_records, 2);
    assert_eq!(r.interfaces().len(), MAX_KEPT_INTERFACES as usize);
}

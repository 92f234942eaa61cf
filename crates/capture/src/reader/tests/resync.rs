//! Damaged pcapng framing: resynchronisation, or a fatal error at the end.

use super::pcapng::{damaged, EPB_IF0_LE, IDB_ETH_LE, SHB_LE};
use super::*;

fn expect_resync(middle: &[u8], fault: BlockFault) {
    let file = damaged(middle);
    let mut r = open(&file);
    let got = read_all(&mut r);
    assert_eq!(got.len(), 3, "{got:?}");
    assert_eq!(ok(&got[0]).file_offset, 48);
    let skipped = middle.len() as u64;
    let resumed = 84 + skipped;
    assert_eq!(
        err(&got[1]),
        &Error {
            file_offset: 84,
            record: Some(2),
            kind: ErrorKind::BlockDamaged {
                fault,
                skipped,
                resumed_at: Some(resumed)
            },
            fatal: false
        }
    );
    let next = ok(&got[2]);
    assert_eq!((next.index, next.file_offset), (2, resumed));
    assert_eq!(r.stats().skipped_bytes, skipped);
}

#[test]
fn block_length_below_12_resynchronises() {
    expect_resync(
        &[6, 0, 0, 0, 8, 0, 0, 0, 0xff, 0xff, 0xff, 0xff],
        BlockFault::LengthTooSmall(8),
    );
}

#[test]
fn block_length_not_multiple_of_4_resynchronises() {
    expect_resync(
        &[6, 0, 0, 0, 14, 0, 0, 0, 0xee, 0xee, 0xee, 0xee, 0xee, 0xee],
        BlockFault::LengthNotMultipleOf4(14),
    );
}

#[test]
fn block_length_above_16_mib_resynchronises() {
    // 0x01000004 = 16 MiB + 4.
    expect_resync(
        &[6, 0, 0, 0, 0x04, 0, 0, 0x01, 0, 0, 0, 0],
        BlockFault::LengthTooLarge {
            len: 0x0100_0004,
            max: MAX_BLOCK_LEN,
        },
    );
}

#[test]
fn trailer_mismatch_skips_the_whole_block() {
    let mut bad = EPB_IF0_LE;
    bad[32] = 0x28; // trailer says 40, header 36
    expect_resync(
        &bad,
        BlockFault::TrailerMismatch {
            header: 36,
            trailer: 40,
        },
    );
}

#[test]
fn zero_bytes_between_blocks_are_skipped() {
    expect_resync(&[0; 10], BlockFault::LengthTooSmall(0));
}

#[test]
fn bad_byte_order_magic_in_a_later_section_resynchronises() {
    let mut shb = SHB_LE;
    shb[8..12].copy_from_slice(&[1, 2, 3, 4]);
    expect_resync(&shb, BlockFault::BadByteOrderMagic([1, 2, 3, 4]));
}

#[test]
fn truncated_last_block_is_fatal_after_the_complete_ones() {
    let file = [&SHB_LE[..], &IDB_ETH_LE, &EPB_IF0_LE, &EPB_IF0_LE[..20]].concat();
    let mut r = open(&file);
    let got = read_all(&mut r);
    assert_eq!(got.len(), 2);
    assert_eq!(
        err(&got[1]),
        &Error {
            file_offset: 84,
            record: Some(2),
            kind: ErrorKind::Truncated {
                what: "block",
                needed: 36,
                available: 20
            },
            fatal: true
        }
    );
    assert_eq!(r.stats().skipped_bytes, 20);
}

#[test]
fn partial_block_header_at_the_end_is_fatal() {
    let file = [&SHB_LE[..], &IDB_ETH_LE, &EPB_IF0_LE, &EPB_IF0_LE[..5]].concat();
    let got = read_all(&mut open(&file));
    assert_eq!(got.len(), 2);
    assert_eq!(
        err(&got[1]).kind,
        ErrorKind::Truncated {
            what: "block header",
            needed: 8,
            available: 5
        }
    );
}

#[test]
fn damage_with_nothing_after_it_is_fatal() {
    let file = [
        &SHB_LE[..],
        &IDB_ETH_LE,
        &[6, 0, 0, 0, 18, 0, 0, 0, 0, 0, 0, 0, 0],
    ]
    .concat();
    let got = read_all(&mut open(&file));
    assert_eq!(got.len(), 1);
    let e = err(&got[0]);
    assert!(e.fatal);
    assert_eq!(
        e.kind,
        ErrorKind::BlockDamaged {
            fault: BlockFault::LengthNotMultipleOf4(18),
            skipped: 13,
            resumed_at: None
        }
    );
}

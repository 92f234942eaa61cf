//! Damaged captures (`fixtures/malformed/`), each named after the error it
//! must raise. The damage sits at a known offset, so the expected error's
//! `offset` and `record` come straight from the writer's position.

use crate::expect::{linktype, ErrorAt, Expected, Ledger};
use crate::fixtures::{basic_frames, ts, CLIENT, CLIENT_MAC, SERVER, SERVER_MAC};
use crate::link::{self, Frame};
use crate::packet::{self, flags, Ip4, Known, Layer, Seg};
use crate::pcap::{Endian, PcapWriter, Resolution};
use crate::pcapng::{block, IdbOptions, PcapngWriter};
use crate::Fixture;

/// Largest captured length libpcap accepts for Ethernet (MAXIMUM_SNAPLEN).
pub const MAX_CAPLEN: u32 = 262_144;

/// Directory of every damaged fixture under `fixtures/`.
const MALFORMED: &str = "malformed";

fn pcap_start(frames: &[Frame]) -> PcapWriter {
    let mut w = PcapWriter::new(Endian::Little, Resolution::Micro, linktype::ETHERNET, 65535);
    for (i, f) in frames.iter().enumerate() {
        w.packet(ts(i), f);
    }
    w
}

/// Frames for the damaged files: UDP and ICMP only, with no zero-heavy
/// fields, so that nothing inside them looks like a pcapng block header to
/// a resynchronising reader.
fn plain_frames(n: usize) -> Vec<Frame> {
    (0..n)
        .map(|i| {
            let net = packet::udp4(
                &Ip4::new(CLIENT, SERVER).id(0x5A5A + i as u16),
                0xC350 + i as u16,
                0x1F90,
                b"PORTMATRIX-DAMAGE-FIXTURE-PAYLOAD",
            );
            link::ether(SERVER_MAC, CLIENT_MAC, &[], &net)
        })
        .collect()
}

/// Every damaged fixture.
pub fn fixtures() -> Vec<Fixture> {
    let mut v = vec![
        truncated_record_header(),
        truncated_record_data(),
        caplen_exceeds_snaplen(),
        caplen_exceeds_maximum(),
        zero_length_record(),
        bad_magic(),
        file_shorter_than_header(),
    ];
    v.extend(pcapng_damage());
    v.extend(malformed_ip());
    v
}

/// Records an error at `offset`, in the packet record that would have come
/// next; `fatal` as the reader must report it (`None`: either way).
fn error_at(ledger: &mut Ledger, offset: u64, fatal: Option<bool>) {
    let record = ledger.next_record();
    ledger.errors.push(ErrorAt {
        offset,
        record: Some(record),
        fatal,
    });
}

fn fatal_at(ledger: &mut Ledger, offset: u64) {
    error_at(ledger, offset, Some(true));
}

/// Five complete basic records, then only the first `keep` octets of the
/// sixth record (header and data): one fatal error at the sixth record,
/// whose partial octets are read but not delivered.
fn cut_sixth_record(keep: usize) -> (Vec<u8>, Expected) {
    let frames = basic_frames();
    let mut w = pcap_start(&frames[..5]);
    let at = w.offset();
    let data = &frames[5].bytes;
    let mut record = w
        .record_header(ts(5), data.len() as u32, data.len() as u32)
        .to_vec();
    record.extend_from_slice(data);
    w.raw(&record[..keep]);
    let (bytes, mut ledger) = w.finish();
    fatal_at(&mut ledger, at);
    ledger.skipped_bytes = (bytes.len() as u64) - at;
    (bytes, ledger.expected("pcap"))
}

fn truncated_record_header() -> Fixture {
    // The partial header: 10 of its 16 octets.
    let (bytes, expected) = cut_sixth_record(10);
    Fixture::new(
        MALFORMED,
        "truncated-record-header.pcap",
        "damage::truncated_record_header",
        bytes,
        expected,
        "little-endian µs pcap: 5 complete basic packets, then 10 of the 16 octets of the \
         sixth record header (a capture killed mid-write)",
        "the 5 packets, then one fatal error at the partial header's offset, record 6",
    )
}

fn truncated_record_data() -> Fixture {
    // The whole header and 30 data octets.
    let (bytes, expected) = cut_sixth_record(16 + 30);
    Fixture::new(
        MALFORMED,
        "truncated-record-data.pcap",
        "damage::truncated_record_data",
        bytes,
        expected,
        "5 complete basic packets, then a complete header for a 98-octet record followed by \
         only 30 data octets",
        "the 5 packets, then one fatal error at the last record header, record 6",
    )
}

fn caplen_exceeds_snaplen() -> Fixture {
    let frames = plain_frames(4);
    let big = link::ether(
        SERVER_MAC,
        CLIENT_MAC,
        &[],
        &packet::udp4(
            &Ip4::new(CLIENT, SERVER).id(0x6B6B),
            0xC3A0,
            0x1F90,
            &[0x5Au8; 58],
        ),
    );
    let mut w = PcapWriter::new(Endian::Little, Resolution::Micro, linktype::ETHERNET, 64);
    w.packet(ts(0), &frames[0]);
    w.packet(ts(1), &frames[1]);
    w.packet_ignoring_snaplen(ts(2), &big);
    w.packet(ts(3), &frames[2]);
    let (bytes, ledger) = w.finish();
    let mut e = ledger.expected("pcap");
    // libpcap keeps snaplen octets and reports caplen = snaplen; other
    // readers keep all 100. Either way every record is read.
    e.bytes = None;
    e.malformed = None;
    e.errors = None;
    Fixture::new(
        MALFORMED,
        "caplen-exceeds-snaplen.pcap",
        "damage::caplen_exceeds_snaplen",
        bytes,
        e,
        "snaplen 64 in the file header; the third record has caplen = len = 100 (> snaplen, \
         < 256 KiB) and really holds 100 octets",
        "all 4 packets; reading does not stop (libpcap trims to snaplen, Wireshark accepts); \
         `bytes` is left unchecked because the two conventions differ",
    )
}

fn caplen_exceeds_maximum() -> Fixture {
    let frames = plain_frames(3);
    let mut w = pcap_start(&frames);
    let at = w.offset();
    let claimed = MAX_CAPLEN + 37_856; // 300 000
    let h = w.record_header(ts(3), claimed, claimed);
    w.raw(&h);
    w.raw(&frames[0].bytes);
    let (bytes, mut ledger) = w.finish();
    fatal_at(&mut ledger, at);
    Fixture::new(
        MALFORMED,
        "caplen-exceeds-maximum.pcap",
        "damage::caplen_exceeds_maximum",
        bytes,
        ledger.expected("pcap"),
        "3 good records, then a header claiming caplen = len = 300000 (> 262144) followed \
         by 60 octets",
        "the 3 packets, then one fatal error at the oversized record header, record 4; no \
         attempt to allocate or read 300000 octets",
    )
}

fn zero_length_record() -> Fixture {
    let frames = plain_frames(3);
    let mut w = PcapWriter::new(Endian::Little, Resolution::Micro, linktype::ETHERNET, 65535);
    w.packet(ts(0), &frames[0]);
    let empty = Frame::opaque(
        Vec::new(),
        Known::Unsure,
        Known::Unsure,
        Known::Is(Layer::Link),
    );
    w.packet(ts(1), &empty);
    w.packet(ts(2), &frames[1]);
    w.packet(ts(3), &frames[2]);
    let (bytes, ledger) = w.finish();
    let mut e = ledger.expected("pcap");
    e.errors = None;
    Fixture::new(
        MALFORMED,
        "zero-length-record.pcap",
        "damage::zero_length_record",
        bytes,
        e,
        "4 records, the second with caplen = len = 0 (no data at all)",
        "all 4 packets are delivered (libpcap and Wireshark accept empty records); the empty \
         one counts as `malformed.link`; reading continues after it",
    )
}

/// What a file with no usable header must produce: no packets and one
/// fatal error at offset 0. Nothing else is known: the other keys are left
/// out.
fn unreadable() -> Expected {
    let mut ledger = Ledger::default();
    ledger.errors.push(ErrorAt {
        offset: 0,
        record: None,
        fatal: Some(true),
    });
    let all = ledger.expected("pcap");
    Expected {
        packets: all.packets,
        errors: all.errors,
        ..Expected::default()
    }
}

fn bad_magic() -> Fixture {
    let frames = plain_frames(2);
    let (mut bytes, _) = pcap_start(&frames).finish();
    bytes[..4].copy_from_slice(&0xDEAD_BEEFu32.to_le_bytes());
    Fixture::new(
        MALFORMED,
        "bad-magic.pcap",
        "damage::bad_magic",
        bytes,
        unreadable(),
        "a little-endian pcap whose magic is EF BE AD DE (0xDEADBEEF), otherwise intact \
         with 2 records",
        "unreadable: 0 packets, one fatal error at offset 0; exit status 2",
    )
}

fn file_shorter_than_header() -> Fixture {
    let (full, _) = pcap_start(&[]).finish();
    Fixture::new(
        MALFORMED,
        "file-shorter-than-header.pcap",
        "damage::file_shorter_than_header",
        full[..20].to_vec(),
        unreadable(),
        "the first 20 octets of a valid 24-octet pcap file header",
        "unreadable: 0 packets, one fatal error at offset 0; exit status 2",
    )
}

fn pcapng_start(frames: &[Frame]) -> PcapngWriter {
    let mut w = PcapngWriter::new();
    w.shb(Endian::Little, &[]);
    w.idb(linktype::ETHERNET, 65535, &IdbOptions::default());
    for (i, f) in frames.iter().enumerate() {
        w.epb(0, ts(i), f);
    }
    w
}

/// Finishes a file whose last block, starting at `at`, is damaged: one
/// error there, fatal or not as the reader likes.
fn last_block_damaged(w: PcapngWriter, at: u64) -> (Vec<u8>, Ledger) {
    let (bytes, mut ledger) = w.finish();
    error_at(&mut ledger, at, None);
    (bytes, ledger)
}

fn pcapng_damage() -> Vec<Fixture> {
    let frames = plain_frames(5);
    // The body of an EPB holding the whole third frame.
    let third_body = |w: &PcapngWriter| {
        let data = &frames[2].bytes;
        w.epb_body(0, ts(2), data, data.len() as u32, &[])
    };
    let maker = "damage::pcapng_damage";
    let mut v = Vec::new();

    // Trailer length disagrees with the header; good blocks follow.
    let mut w = pcapng_start(&frames[..2]);
    let at = w.offset();
    let body = third_body(&w);
    let total = (12 + body.len()) as u32;
    let e = w.endian();
    w.raw(&e.u32(block::EPB));
    w.raw(&e.u32(total));
    w.raw(&body);
    w.raw(&e.u32(total + 8));
    error_at(&mut w.ledger, at, Some(false));
    w.ledger.skipped_bytes = u64::from(total);
    w.epb(0, ts(3), &frames[3]);
    w.epb(0, ts(4), &frames[4]);
    let (bytes, ledger) = w.finish();
    v.push(Fixture::new(
        MALFORMED,
        "block-length-mismatch.pcapng",
        maker,
        bytes,
        ledger.expected("pcapng"),
        "SHB, IDB, 2 EPBs, then an EPB whose trailing length (header + 8) disagrees with \
         its leading length, then 2 good EPBs",
        "4 packets; one non-fatal error at the bad block, record 3; the reader resynchronises \
         at the next block and `skipped_bytes` is the bad block's size",
    ));

    // Block length below 12 as the last block.
    let mut w = pcapng_start(&frames[..2]);
    let at = w.offset();
    let e = w.endian();
    w.raw(&e.u32(block::EPB));
    w.raw(&e.u32(8));
    let (bytes, ledger) = last_block_damaged(w, at);
    let mut x = ledger.expected("pcapng");
    x.skipped_bytes = None;
    v.push(Fixture::new(
        MALFORMED,
        "block-length-below-12.pcapng",
        maker,
        bytes,
        x,
        "SHB, IDB, 2 EPBs, then a last block header (type EPB) with total length 8",
        "the 2 packets and one error at the last block's offset, record 3",
    ));

    // Block length not a multiple of 4 as the last block.
    let mut w = pcapng_start(&frames[..2]);
    let at = w.offset();
    let e = w.endian();
    let body = w.epb_body(0, ts(2), &frames[2].bytes[..54], 54, &[]);
    let odd = (12 + body.len() - 2) as u32;
    let mut blockbytes = Vec::new();
    blockbytes.extend_from_slice(&e.u32(block::EPB));
    blockbytes.extend_from_slice(&e.u32(odd));
    blockbytes.extend_from_slice(&body[..body.len() - 2]);
    blockbytes.extend_from_slice(&e.u32(odd));
    w.raw(&blockbytes);
    let (bytes, ledger) = last_block_damaged(w, at);
    let mut x = ledger.expected("pcapng");
    x.skipped_bytes = None;
    v.push(Fixture::new(
        MALFORMED,
        "block-length-not-multiple-of-4.pcapng",
        maker,
        bytes,
        x,
        "SHB, IDB, 2 EPBs, then a last EPB whose total length (82) is not a multiple of 4, \
         written with that many octets",
        "the 2 packets and one error at the last block's offset, record 3",
    ));

    // EPB naming an interface with no IDB, as the last block.
    let mut w = pcapng_start(&frames[..2]);
    let at = w.offset();
    let mut body = third_body(&w);
    body[..4].copy_from_slice(&w.endian().u32(2));
    w.block(block::EPB, &body);
    let (bytes, mut ledger) = last_block_damaged(w, at);
    // The whole block is read and dropped.
    ledger.skipped_bytes = (bytes.len() as u64) - at;
    v.push(Fixture::new(
        MALFORMED,
        "interface-id-without-idb.pcapng",
        maker,
        bytes,
        ledger.expected("pcapng"),
        "SHB, one IDB (interface 0), 2 EPBs on interface 0, then a well-formed EPB naming \
         interface 2",
        "the 2 packets and one error at the last EPB's offset, record 3 (libpcap refuses \
         the whole file)",
    ));
    v
}

fn malformed_ip() -> Vec<Fixture> {
    let good = plain_frames(2);
    let h = Ip4::new(CLIENT, SERVER).id(0x7C7C);
    let cases = [
        (
            "ipv4-ihl-below-5.pcap",
            packet::ipv4_ihl_below_five(&h, 0xC400, 0x1F90, b"header length nibble is 4"),
            "a valid record whose IPv4 header has IHL = 4 (16 octets, below the minimum 5)",
            "3 packets, `malformed.ipv4: 1`; no read error",
        ),
        (
            "ipv4-total-length-below-header.pcap",
            packet::ipv4_total_length_below_header(&h, 0xC401, 0x1F90, b"total length is 12"),
            "a valid record whose IPv4 total length (12) is below its 20-octet header",
            "3 packets, `malformed.ipv4: 1`; no read error",
        ),
        (
            "tcp-data-offset-below-5.pcap",
            packet::tcp_data_offset_below_five(
                &h,
                &Seg::new(0xC402, 0x1F90, 0x1111_1111, 0x2222_2222, flags::ACK).data(b"x"),
            ),
            "a valid record holding IPv4 + a TCP header whose data offset is 4 (checksum \
             recomputed so the offset is the only fault)",
            "3 packets, `malformed.tcp: 1`, l3 ipv4 3; no read error",
        ),
    ];
    cases
        .into_iter()
        .map(|(name, net, contents, produces)| {
            let bad = link::ether(SERVER_MAC, CLIENT_MAC, &[], &net);
            let (bytes, ledger) = pcap_start(&[good[0].clone(), bad, good[1].clone()]).finish();
            Fixture::new(
                MALFORMED,
                name,
                "damage::malformed_ip",
                bytes,
                ledger.expected("pcap"),
                &format!("Ethernet pcap: a good UDP packet, {contents}, another good UDP packet"),
                produces,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pcap::RECORD_HEADER_LEN;

    #[test]
    fn truncated_header_error_points_past_five_records() {
        let f = truncated_record_header();
        let errs = f.expected.errors.unwrap();
        let frames = basic_frames();
        let expect: usize = 24
            + frames[..5]
                .iter()
                .map(|f| 16 + f.bytes.len())
                .sum::<usize>();
        assert_eq!(errs[0].offset, expect as u64);
        assert_eq!(f.bytes.len(), expect + 10);
        assert_eq!(errs[0].record, Some(6));
    }

    #[test]
    fn mismatch_block_is_followed_by_two_good_blocks() {
        let f = pcapng_damage().remove(0);
        let errs = f.expected.errors.clone().unwrap();
        let at = errs[0].offset as usize;
        let total = u32::from_le_bytes(f.bytes[at + 4..at + 8].try_into().unwrap()) as usize;
        assert_eq!(f.expected.skipped_bytes, Some(total as u64));
        let trailer = u32::from_le_bytes(f.bytes[at + total - 4..at + total].try_into().unwrap());
        assert_eq!(trailer as usize, total + 8);
        assert_eq!(&f.bytes[at + total..at + total + 4], &6u32.to_le_bytes());
        assert_eq!(f.expected.packets, Some(4));
    }

    #[test]
    fn no_aligned_word_inside_the_bad_block_names_a_block_type() {
        let f = pcapng_damage().remove(0);
        let at = f.expected.errors.clone().unwrap()[0].offset as usize;
        let total = f.expected.skipped_bytes.unwrap() as usize;
        for off in (at + 4..at + total).step_by(4) {
            let word = u32::from_le_bytes(f.bytes[off..off + 4].try_into().unwrap());
            assert!(
                !(1..=10).contains(&word) && word != block::SHB,
                "word {word:#x} at {off} could pass for a block type"
            );
        }
    }

    #[test]
    fn record_header_claims_more_than_the_maximum() {
        let f = caplen_exceeds_maximum();
        let at = f.expected.errors.as_ref().unwrap()[0].offset as usize;
        let caplen = u32::from_le_bytes(f.bytes[at + 8..at + 12].try_into().unwrap());
        assert!(caplen > MAX_CAPLEN);
        assert!(f.bytes.len() - at - RECORD_HEADER_LEN < caplen as usize);
    }
}

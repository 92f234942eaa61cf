//! The classic pcap record header (16 octets, no padding after the data).

use crate::endian::Endian;
use crate::pcap::LengthOrder;

/// Length of the record header.
pub(crate) const RECORD_HEADER_LEN: usize = 16;

mod field {
    pub const TS_SEC: usize = 0;
    pub const TS_FRAC: usize = 4;
    pub const CAPLEN: usize = 8;
    pub const ORIG_LEN: usize = 12;
}

/// The decoded record header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RecordHeader {
    /// Seconds since the epoch (unsigned, as the format draft says).
    pub ts_sec: u32,
    /// Microseconds or nanoseconds, per the magic number.
    pub ts_frac: u32,
    /// Bytes stored in the file.
    pub caplen: u32,
    /// Bytes on the wire.
    pub orig_len: u32,
}

/// Parses a record header; `b` holds at least 16 bytes.
#[inline]
pub(crate) fn parse<E: Endian>(b: &[u8], lengths: LengthOrder) -> RecordHeader {
    let mut caplen = E::u32(b, field::CAPLEN);
    let mut orig_len = E::u32(b, field::ORIG_LEN);
    let swap = match lengths {
        LengthOrder::Normal => false,
        LengthOrder::Swapped => true,
        LengthOrder::MaybeSwapped => caplen > orig_len,
    };
    if swap {
        std::mem::swap(&mut caplen, &mut orig_len);
    }
    RecordHeader {
        ts_sec: E::u32(b, field::TS_SEC),
        ts_frac: E::u32(b, field::TS_FRAC),
        caplen,
        orig_len,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endian::{Be, Le};

    // ts_sec 0x5f5e1000, ts_frac 0x000f423f (999999), caplen 60, len 1514.
    const LE: [u8; 16] = [
        0x00, 0x10, 0x5e, 0x5f, 0x3f, 0x42, 0x0f, 0x00, 0x3c, 0x00, 0x00, 0x00, 0xea, 0x05, 0x00,
        0x00,
    ];
    const BE: [u8; 16] = [
        0x5f, 0x5e, 0x10, 0x00, 0x00, 0x0f, 0x42, 0x3f, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x00, 0x05,
        0xea,
    ];

    #[test]
    fn fields_in_both_byte_orders() {
        let want = RecordHeader {
            ts_sec: 0x5f5e_1000,
            ts_frac: 999_999,
            caplen: 60,
            orig_len: 1514,
        };
        assert_eq!(parse::<Le>(&LE, LengthOrder::Normal), want);
        assert_eq!(parse::<Be>(&BE, LengthOrder::Normal), want);
    }

    #[test]
    fn swapped_lengths_are_put_back() {
        let h = parse::<Le>(&LE, LengthOrder::Swapped);
        assert_eq!((h.caplen, h.orig_len), (1514, 60));
        // 2.3 files: swapped only when caplen > len.
        let h = parse::<Le>(&LE, LengthOrder::MaybeSwapped);
        assert_eq!((h.caplen, h.orig_len), (60, 1514));
        let mut b = LE;
        b[8..12].copy_from_slice(&1514u32.to_le_bytes());
        b[12..16].copy_from_slice(&60u32.to_le_bytes());
        let h = parse::<Le>(&b, LengthOrder::MaybeSwapped);
        assert_eq!((h.caplen, h.orig_len), (60, 1514));
    }
}

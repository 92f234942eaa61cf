//! Enhanced Packet Block (type 6).
//!
//! ```text
//! 0  block type 6        4  total length
//! 8  interface id (4)
//! 12 timestamp upper 32 bits   16 timestamp lower 32 bits
//! 20 captured length     24 original length
//! 28 packet data, padded to 32 bits
//!    options ...         total length
//! ```
//!
//! Option read: `epb_flags` (2), whose bits 5-8 give the FCS length in
//! bytes for this packet.

use crate::endian::Endian;
use crate::error::BodyFault;
use crate::pcapng::{options, pad4};

/// Smallest total length.
pub(crate) const MIN_LEN: u32 = 32;
/// Offset of the packet data in the block.
pub(crate) const DATA_OFFSET: usize = 28;

mod field {
    pub const INTERFACE_ID: usize = 8;
    pub const TS_HIGH: usize = 12;
    pub const TS_LOW: usize = 16;
    pub const CAPLEN: usize = 20;
    pub const ORIG_LEN: usize = 24;
}

const EPB_FLAGS: u16 = 2;

/// The decoded block; the data is `block[DATA_OFFSET..][..caplen]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct EnhancedPacket {
    pub interface_id: u32,
    pub ts: u64,
    pub caplen: u32,
    pub orig_len: u32,
    /// FCS length from `epb_flags`, when the flags give one.
    pub fcs_len: Option<u8>,
    /// Malformed options (ignored).
    pub bad_options: u32,
}

/// Parses a framing-checked EPB.
#[inline]
pub(crate) fn parse<E: Endian>(block: &[u8]) -> Result<EnhancedPacket, BodyFault> {
    let len = block.len() as u32;
    if len < MIN_LEN {
        return Err(BodyFault::TooShort { len, min: MIN_LEN });
    }
    let caplen = E::u32(block, field::CAPLEN);
    let room = block.len() - 4 - DATA_OFFSET;
    if caplen as usize > room {
        return Err(BodyFault::CaplenBeyondBlock {
            caplen,
            room: room as u32,
        });
    }
    let mut p = EnhancedPacket {
        interface_id: E::u32(block, field::INTERFACE_ID),
        ts: (u64::from(E::u32(block, field::TS_HIGH)) << 32)
            | u64::from(E::u32(block, field::TS_LOW)),
        caplen,
        orig_len: E::u32(block, field::ORIG_LEN),
        fcs_len: None,
        bad_options: 0,
    };
    let opts = DATA_OFFSET + pad4(caplen as usize);
    if opts < block.len() - 4 {
        let mut fcs = None;
        let mut bad = 0;
        let walked = options::walk::<E>(&block[opts..block.len() - 4], |code, value| {
            if code == EPB_FLAGS {
                if value.len() == 4 {
                    let flags = E::u32(value, 0);
                    let n = ((flags >> 5) & 0xf) as u8;
                    if n != 0 {
                        fcs = Some(n);
                    }
                } else {
                    bad += 1;
                }
            }
        });
        if walked.is_err() {
            bad += 1;
        }
        p.fcs_len = fcs;
        p.bad_options = bad;
    }
    Ok(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endian::{Be, Le};

    #[test]
    fn fields_and_padding_little_endian() {
        // interface 1, ts 0x00000001_00000002, caplen 5, len 60, data
        // "hello" + 3 pad, no options: total 12 + 20 + 8 = 40.
        let b = [
            0x06, 0x00, 0x00, 0x00, 0x28, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x00,
            0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x3c, 0x00, 0x00, 0x00,
            b'h', b'e', b'l', b'l', b'o', 0, 0, 0, 0x28, 0x00, 0x00, 0x00,
        ];
        let p = parse::<Le>(&b).unwrap();
        assert_eq!(p.interface_id, 1);
        assert_eq!(p.ts, (1 << 32) | 2);
        assert_eq!((p.caplen, p.orig_len), (5, 60));
        assert_eq!(&b[DATA_OFFSET..DATA_OFFSET + 5], b"hello");
        assert_eq!(p.fcs_len, None);
    }

    #[test]
    fn epb_flags_give_the_fcs_length_big_endian() {
        // caplen 4, epb_flags = 0x80 (bits 5-8 = 4 bytes of FCS).
        let b = [
            0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x04,
            0xde, 0xad, 0xbe, 0xef, 0x00, 0x02, 0x00, 0x04, 0x00, 0x00, 0x00, 0x80, 0x00, 0x00,
            0x00, 0x2c,
        ];
        let p = parse::<Be>(&b).unwrap();
        assert_eq!(p.ts, 9);
        assert_eq!(p.fcs_len, Some(4));
        assert_eq!(p.bad_options, 0);
    }

    #[test]
    fn caplen_past_the_block_is_refused() {
        let mut b = [0u8; 32];
        b[0] = 6;
        b[4] = 32;
        b[20] = 1; // caplen 1, no room
        b[28] = 32;
        assert_eq!(
            parse::<Le>(&b),
            Err(BodyFault::CaplenBeyondBlock { caplen: 1, room: 0 })
        );
    }
}

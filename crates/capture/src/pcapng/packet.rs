//! Packet Block (type 2, obsolete; readers may still meet it).
//!
//! ```text
//! 0  block type 2        4  total length
//! 8  interface id (2)    10 drops count (2)
//! 12 timestamp upper     16 timestamp lower
//! 20 captured length     24 original length
//! 28 packet data, padded to 32 bits
//!    options ...         total length
//! ```

use crate::endian::Endian;
use crate::error::BodyFault;

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

/// The decoded block.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Packet {
    pub interface_id: u16,
    pub ts: u64,
    pub caplen: u32,
    pub orig_len: u32,
}

/// Parses a framing-checked PB.
pub(crate) fn parse<E: Endian>(block: &[u8]) -> Result<Packet, BodyFault> {
    let len = block.len() as u32;
    if len < MIN_LEN {
        return Err(BodyFault::TooShort { len, min: MIN_LEN });
    }
    let caplen = E::u32(block, field::CAPLEN);
    let room = (block.len() - 4 - DATA_OFFSET) as u32;
    if caplen > room {
        return Err(BodyFault::CaplenBeyondBlock { caplen, room });
    }
    Ok(Packet {
        interface_id: E::u16(block, field::INTERFACE_ID),
        ts: (u64::from(E::u32(block, field::TS_HIGH)) << 32)
            | u64::from(E::u32(block, field::TS_LOW)),
        caplen,
        orig_len: E::u32(block, field::ORIG_LEN),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endian::Be;

    #[test]
    fn sixteen_bit_interface_id_big_endian() {
        // interface 2, drops 7, ts 0x10, caplen 4, len 4, data, no options.
        let b = [
            0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x24, 0x00, 0x02, 0x00, 0x07, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x04,
            0xca, 0xfe, 0xba, 0xbe, 0x00, 0x00, 0x00, 0x24,
        ];
        assert_eq!(
            parse::<Be>(&b),
            Ok(Packet {
                interface_id: 2,
                ts: 0x10,
                caplen: 4,
                orig_len: 4
            })
        );
    }
}

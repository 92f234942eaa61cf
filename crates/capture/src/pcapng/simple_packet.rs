//! Simple Packet Block (type 3).
//!
//! ```text
//! 0  block type 3   4  total length
//! 8  original length
//! 12 packet data, padded to 32 bits
//!    total length
//! ```
//!
//! No interface id (always interface 0 of the section) and no timestamp.
//! The captured length is min(original length, interface snaplen).

use crate::endian::Endian;
use crate::error::BodyFault;

/// Smallest total length.
pub(crate) const MIN_LEN: u32 = 16;
/// Offset of the packet data in the block.
pub(crate) const DATA_OFFSET: usize = 12;

const ORIG_LEN: usize = 8;

/// Parses a framing-checked SPB for an interface with `snaplen` (0 = no
/// limit); returns `(caplen, orig_len)`.
pub(crate) fn parse<E: Endian>(block: &[u8], snaplen: u32) -> Result<(u32, u32), BodyFault> {
    let len = block.len() as u32;
    if len < MIN_LEN {
        return Err(BodyFault::TooShort { len, min: MIN_LEN });
    }
    let orig_len = E::u32(block, ORIG_LEN);
    let caplen = if snaplen == 0 {
        orig_len
    } else {
        orig_len.min(snaplen)
    };
    let room = (block.len() - 4 - DATA_OFFSET) as u32;
    if caplen > room {
        return Err(BodyFault::CaplenBeyondBlock { caplen, room });
    }
    Ok((caplen, orig_len))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endian::Le;

    // orig_len 6, data 6 bytes + 2 pad: total 12 + 4 + 8 = 24.
    const B: [u8; 24] = [
        0x03, 0x00, 0x00, 0x00, 0x18, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00, 1, 2, 3, 4, 5, 6,
        0, 0, 0x18, 0x00, 0x00, 0x00,
    ];

    #[test]
    fn caplen_is_the_smaller_of_length_and_snaplen() {
        assert_eq!(parse::<Le>(&B, 0), Ok((6, 6)));
        assert_eq!(parse::<Le>(&B, 65535), Ok((6, 6)));
        assert_eq!(parse::<Le>(&B, 4), Ok((4, 6)));
    }

    #[test]
    fn data_longer_than_the_block_is_refused() {
        let mut b = B;
        b[8] = 9;
        assert_eq!(
            parse::<Le>(&b, 0),
            Err(BodyFault::CaplenBeyondBlock { caplen: 9, room: 8 })
        );
    }
}

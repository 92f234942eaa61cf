//! Section Header Block (type 0x0A0D0D0A).
//!
//! ```text
//! 0  block type        0x0A0D0D0A
//! 4  total length
//! 8  byte-order magic  0x1A2B3C4D in the section's byte order
//! 12 major version (2) minor version (2)
//! 16 section length (8, signed, -1 = unknown)
//! 24 options ...
//!    total length
//! ```

use crate::endian::{ByteOrder, Endian};
use crate::error::ErrorKind;

/// Smallest total length.
pub(crate) const MIN_LEN: u32 = 28;

mod field {
    pub const BYTE_ORDER_MAGIC: core::ops::Range<usize> = 8..12;
    pub const MAJOR: usize = 12;
    pub const MINOR: usize = 14;
    pub const SECTION_LEN: usize = 16;
}

/// Where the byte-order magic sits in the block.
pub(crate) const MAGIC_RANGE: core::ops::Range<usize> = field::BYTE_ORDER_MAGIC;

/// The byte order told by the byte-order magic as it is on disk.
pub(crate) fn byte_order(magic: [u8; 4]) -> Option<ByteOrder> {
    match magic {
        [0x4d, 0x3c, 0x2b, 0x1a] => Some(ByteOrder::Little),
        [0x1a, 0x2b, 0x3c, 0x4d] => Some(ByteOrder::Big),
        _ => None,
    }
}

/// The decoded header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct SectionHeader {
    pub major: u16,
    pub minor: u16,
    /// Bytes in the section after this block, or -1 when unknown.
    pub section_len: i64,
}

/// Parses a framing-checked SHB of at least [`MIN_LEN`] bytes. Version 1.0
/// is read; 1.2 is treated as 1.0, as the specification asks.
pub(crate) fn parse<E: Endian>(block: &[u8]) -> Result<SectionHeader, ErrorKind> {
    let major = E::u16(block, field::MAJOR);
    let minor = E::u16(block, field::MINOR);
    if major != 1 || !matches!(minor, 0 | 2) {
        return Err(ErrorKind::UnsupportedVersion {
            format: "pcapng",
            major,
            minor,
        });
    }
    Ok(SectionHeader {
        major,
        minor,
        section_len: E::u64(block, field::SECTION_LEN) as i64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endian::{Be, Le};

    #[test]
    fn byte_order_from_magic() {
        assert_eq!(
            byte_order([0x4d, 0x3c, 0x2b, 0x1a]),
            Some(ByteOrder::Little)
        );
        assert_eq!(byte_order([0x1a, 0x2b, 0x3c, 0x4d]), Some(ByteOrder::Big));
        assert_eq!(byte_order([0x1a, 0x2b, 0x4d, 0x3c]), None);
    }

    #[test]
    fn little_endian_section_header() {
        let b = [
            0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0x00, 0x00, 0x00, 0x4d, 0x3c, 0x2b, 0x1a, 0x01, 0x00,
            0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1c, 0x00, 0x00, 0x00,
        ];
        assert_eq!(
            parse::<Le>(&b),
            Ok(SectionHeader {
                major: 1,
                minor: 0,
                section_len: -1
            })
        );
    }

    #[test]
    fn big_endian_version_1_2_with_known_length() {
        let b = [
            0x0a, 0x0d, 0x0d, 0x0a, 0x00, 0x00, 0x00, 0x1c, 0x1a, 0x2b, 0x3c, 0x4d, 0x00, 0x01,
            0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x1c,
        ];
        assert_eq!(
            parse::<Be>(&b),
            Ok(SectionHeader {
                major: 1,
                minor: 2,
                section_len: 256
            })
        );
    }

    #[test]
    fn other_versions_are_refused() {
        let mut b = [0u8; 28];
        b[12] = 2;
        assert_eq!(
            parse::<Le>(&b),
            Err(ErrorKind::UnsupportedVersion {
                format: "pcapng",
                major: 2,
                minor: 0
            })
        );
    }
}

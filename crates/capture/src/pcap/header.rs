//! The classic pcap file header (24 octets) and the magic numbers.

use portmatrix_wire::LinkType;

use crate::endian::{ByteOrder, Endian};
use crate::error::ErrorKind;
use crate::format::TsPrecision;

/// Length of the file header.
pub(crate) const FILE_HEADER_LEN: usize = 24;

mod field {
    use core::ops::Range;
    pub const MAGIC: Range<usize> = 0..4;
    pub const VERSION_MAJOR: usize = 4;
    pub const VERSION_MINOR: usize = 6;
    // 8..12 reserved1 (thiszone), 12..16 reserved2 (sigfigs): ignored.
    pub const SNAPLEN: usize = 16;
    pub const LINKTYPE: usize = 20;
}

/// Bit 26 of the link-type field: the FCS length bits are valid.
const FCS_PRESENT: u32 = 1 << 26;

/// What the first four bytes of an input say it is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Magic {
    Pcap {
        order: ByteOrder,
        precision: TsPrecision,
    },
    Pcapng,
}

/// Identifies the format from the first four bytes as they are on disk.
pub(crate) fn classify_magic(b: [u8; 4]) -> Result<Magic, ErrorKind> {
    use ByteOrder::{Big, Little};
    use TsPrecision::{Micro, Nano};
    let pcap = |order, precision| Ok(Magic::Pcap { order, precision });
    match b {
        [0xd4, 0xc3, 0xb2, 0xa1] => pcap(Little, Micro),
        [0xa1, 0xb2, 0xc3, 0xd4] => pcap(Big, Micro),
        [0x4d, 0x3c, 0xb2, 0xa1] => pcap(Little, Nano),
        [0xa1, 0xb2, 0x3c, 0x4d] => pcap(Big, Nano),
        [0x0a, 0x0d, 0x0d, 0x0a] => Ok(Magic::Pcapng),
        [0x34, 0xcd, 0xb2, 0xa1] | [0xa1, 0xb2, 0xcd, 0x34] => Err(ErrorKind::UnsupportedFormat {
            name: "modified (Kuznetzov) pcap",
        }),
        [0x4d, 0x3c, 0x2b, 0xa1] | [0xa1, 0x2b, 0x3c, 0x4d] => Err(ErrorKind::UnsupportedFormat {
            name: "Navtel pcap",
        }),
        _ if looks_like_text_mode_shb(b) => Err(ErrorKind::TextModeTransfer),
        _ => Err(ErrorKind::UnknownMagic { bytes: b }),
    }
}

/// The pcapng spec reserves block types 0x0A0D0AXX, 0xXX0A0D0A,
/// 0xXX0A0D0D and 0x0D0D0AXX so that a section header mangled by CR/LF
/// conversion can be recognised.
fn looks_like_text_mode_shb(b: [u8; 4]) -> bool {
    [u32::from_be_bytes(b), u32::from_le_bytes(b)]
        .iter()
        .any(|&v| {
            v & 0xffff_ff00 == 0x0a0d_0a00
                || v & 0x00ff_ffff == 0x000a_0d0a
                || v & 0x00ff_ffff == 0x000a_0d0d
                || v & 0xffff_ff00 == 0x0d0d_0a00
        })
}

/// Whether caplen and len are stored in swapped order (libpcap `sf-pcap.c`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LengthOrder {
    Normal,
    /// Version 2.0-2.2 (and 543.0): always swapped.
    Swapped,
    /// Version 2.3: swapped when caplen > len.
    MaybeSwapped,
}

/// The decoded file header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct FileHeader {
    pub version_major: u16,
    pub version_minor: u16,
    pub snaplen: u32,
    pub link_type: LinkType,
    pub fcs_len: u8,
    pub lengths: LengthOrder,
}

/// Parses the 24-byte file header; `b` holds at least 24 bytes and its
/// magic has been classified as pcap of byte order `E`.
pub(crate) fn parse<E: Endian>(b: &[u8]) -> Result<FileHeader, ErrorKind> {
    debug_assert!(b.len() >= FILE_HEADER_LEN && field::MAGIC.end == 4);
    let major = E::u16(b, field::VERSION_MAJOR);
    let minor = E::u16(b, field::VERSION_MINOR);
    // libpcap accepts any major version from 2 on ("archaic" below that),
    // and 543.0 from DG/UX, which has swapped lengths.
    let lengths = match (major, minor) {
        (0..=1, _) => {
            return Err(ErrorKind::UnsupportedVersion {
                format: "pcap",
                major,
                minor,
            })
        }
        (2, 0..=2) | (543, _) => LengthOrder::Swapped,
        (2, 3) => LengthOrder::MaybeSwapped,
        _ => LengthOrder::Normal,
    };
    let lt = E::u32(b, field::LINKTYPE);
    // Bits 28-31: FCS length in 16-bit words, valid when bit 26 is set.
    let fcs_len = if lt & FCS_PRESENT != 0 {
        ((lt >> 28) as u8) * 2
    } else {
        0
    };
    Ok(FileHeader {
        version_major: major,
        version_minor: minor,
        snaplen: E::u32(b, field::SNAPLEN),
        link_type: LinkType((lt & 0xffff) as u16),
        fcs_len,
        lengths,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endian::{Be, Le};

    #[test]
    fn the_four_pcap_magics_and_pcapng() {
        use ByteOrder::{Big, Little};
        use TsPrecision::{Micro, Nano};
        let cases = [
            ([0xd4, 0xc3, 0xb2, 0xa1], Little, Micro),
            ([0xa1, 0xb2, 0xc3, 0xd4], Big, Micro),
            ([0x4d, 0x3c, 0xb2, 0xa1], Little, Nano),
            ([0xa1, 0xb2, 0x3c, 0x4d], Big, Nano),
        ];
        for (bytes, order, precision) in cases {
            assert_eq!(classify_magic(bytes), Ok(Magic::Pcap { order, precision }));
        }
        assert_eq!(classify_magic([0x0a, 0x0d, 0x0d, 0x0a]), Ok(Magic::Pcapng));
    }

    #[test]
    fn known_unsupported_magics_are_named() {
        assert_eq!(
            classify_magic([0x34, 0xcd, 0xb2, 0xa1]),
            Err(ErrorKind::UnsupportedFormat {
                name: "modified (Kuznetzov) pcap"
            })
        );
        assert_eq!(
            classify_magic([0xa1, 0x2b, 0x3c, 0x4d]),
            Err(ErrorKind::UnsupportedFormat {
                name: "Navtel pcap"
            })
        );
    }

    #[test]
    fn crlf_mangled_section_header_is_recognised() {
        // "\n\r\r\n" after CR/LF -> LF conversion: "\n\r\n" + next byte.
        assert_eq!(
            classify_magic([0x0a, 0x0d, 0x0a, 0x1c]),
            Err(ErrorKind::TextModeTransfer)
        );
        // After LF -> CR/LF conversion: "\r\n\r\r\r\n".
        assert_eq!(
            classify_magic([0x0d, 0x0a, 0x0d, 0x0d]),
            Err(ErrorKind::TextModeTransfer)
        );
        assert_eq!(
            classify_magic([0x47, 0x49, 0x46, 0x38]),
            Err(ErrorKind::UnknownMagic {
                bytes: [0x47, 0x49, 0x46, 0x38]
            })
        );
    }

    #[test]
    fn header_fields_little_endian() {
        // magic, 2.4, thiszone 0, sigfigs 0, snaplen 65535, linktype 1.
        let h = [
            0xd4, 0xc3, 0xb2, 0xa1, 0x02, 0x00, 0x04, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff,
            0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
        ];
        let fh = parse::<Le>(&h).unwrap();
        assert_eq!((fh.version_major, fh.version_minor), (2, 4));
        assert_eq!(fh.snaplen, 65535);
        assert_eq!(fh.link_type, LinkType::ETHERNET);
        assert_eq!(fh.fcs_len, 0);
        assert_eq!(fh.lengths, LengthOrder::Normal);
    }

    #[test]
    fn header_fcs_bits_big_endian() {
        // Link-type field 0x2400_0001: FCS length 2 words (bits 28-31 = 2),
        // bit 26 set, link type 1. snaplen 262144 = 0x0004_0000.
        let h = [
            0xa1, 0xb2, 0xc3, 0xd4, 0x00, 0x02, 0x00, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x04,
            0x00, 0x00, 0x24, 0x00, 0x00, 0x01,
        ];
        let fh = parse::<Be>(&h).unwrap();
        assert_eq!(fh.snaplen, 262_144);
        assert_eq!(fh.link_type, LinkType::ETHERNET);
        assert_eq!(fh.fcs_len, 4);
    }

    #[test]
    fn fcs_bits_without_the_present_flag_are_ignored() {
        let mut h = [0u8; 24];
        h[..4].copy_from_slice(&[0xd4, 0xc3, 0xb2, 0xa1]);
        h[4] = 2;
        h[6] = 4;
        // 0x2000_0071: FCS bits say 2 words, bit 26 clear, link type 113.
        h[20..24].copy_from_slice(&[0x71, 0x00, 0x00, 0x20]);
        let fh = parse::<Le>(&h).unwrap();
        assert_eq!(fh.fcs_len, 0);
        assert_eq!(fh.link_type, LinkType::LINUX_SLL);
    }

    #[test]
    fn old_versions_have_swapped_lengths() {
        let mut h = [0u8; 24];
        h[..4].copy_from_slice(&[0xd4, 0xc3, 0xb2, 0xa1]);
        h[4] = 2;
        for (minor, expected) in [
            (0u8, LengthOrder::Swapped),
            (2, LengthOrder::Swapped),
            (3, LengthOrder::MaybeSwapped),
            (4, LengthOrder::Normal),
        ] {
            h[6] = minor;
            assert_eq!(parse::<Le>(&h).unwrap().lengths, expected, "2.{minor}");
        }
        h[4] = 1;
        h[6] = 0;
        assert_eq!(
            parse::<Le>(&h),
            Err(ErrorKind::UnsupportedVersion {
                format: "pcap",
                major: 1,
                minor: 0
            })
        );
        // 543.0 (0x021f) from DG/UX.
        h[4] = 0x1f;
        h[5] = 0x02;
        assert_eq!(parse::<Le>(&h).unwrap().lengths, LengthOrder::Swapped);
    }
}

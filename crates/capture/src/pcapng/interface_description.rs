//! Interface Description Block (type 1).
//!
//! ```text
//! 0  block type 1        4  total length
//! 8  link type (2)       10 reserved (2)
//! 12 snaplen (4, 0 = no limit)
//! 16 options ...         total length
//! ```
//!
//! Options read: `if_name` (2), `if_description` (3), `if_tsresol` (9),
//! `if_fcslen` (13), `if_tsoffset` (14).

use portmatrix_wire::LinkType;

use crate::endian::Endian;
use crate::error::{BodyFault, OptionFault};
use crate::format::TsResolution;
use crate::pcapng::options;

/// Smallest total length.
pub(crate) const MIN_LEN: u32 = 20;

/// Longest `if_name` / `if_description` kept, in bytes.
pub(crate) const MAX_TEXT_LEN: usize = 256;

mod field {
    pub const LINK_TYPE: usize = 8;
    pub const SNAPLEN: usize = 12;
    pub const OPTIONS: usize = 16;
}

const IF_NAME: u16 = 2;
const IF_DESCRIPTION: u16 = 3;
const IF_TSRESOL: u16 = 9;
const IF_FCSLEN: u16 = 13;
const IF_TSOFFSET: u16 = 14;

/// The decoded block.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Description {
    pub link_type: LinkType,
    pub snaplen: u32,
    pub name: Option<String>,
    pub description: Option<String>,
    pub tsresol: TsResolution,
    pub ts_offset_s: i64,
    pub fcs_len: u8,
    /// The first malformed option, if any.
    pub first_bad_option: Option<(u16, OptionFault)>,
    /// How many options were malformed.
    pub bad_options: u32,
}

/// Parses a framing-checked IDB. Malformed options are noted and the
/// interface is kept with defaults for them: an interface must exist for
/// the packet blocks that name it.
pub(crate) fn parse<E: Endian>(block: &[u8]) -> Result<Description, BodyFault> {
    let len = block.len() as u32;
    if len < MIN_LEN {
        return Err(BodyFault::TooShort { len, min: MIN_LEN });
    }
    let mut d = Description {
        link_type: LinkType(E::u16(block, field::LINK_TYPE)),
        snaplen: E::u32(block, field::SNAPLEN),
        name: None,
        description: None,
        tsresol: TsResolution::MICROS,
        ts_offset_s: 0,
        fcs_len: 0,
        first_bad_option: None,
        bad_options: 0,
    };
    let mut seen_tsresol = false;
    let mut seen_tsoffset = false;
    let area = &block[field::OPTIONS..block.len() - 4];
    let mut found: Vec<(u16, &[u8])> = Vec::new();
    if let Err((code, fault)) = options::walk::<E>(area, |code, value| found.push((code, value))) {
        note_bad(&mut d, code, fault);
    }
    for (code, value) in found {
        let expect = |n: u16| -> Result<(), OptionFault> {
            if value.len() == usize::from(n) {
                Ok(())
            } else {
                Err(OptionFault::BadLength {
                    len: value.len() as u16,
                    expected: n,
                })
            }
        };
        let outcome = match code {
            IF_NAME => {
                if d.name.is_none() {
                    d.name = Some(options::text(value, MAX_TEXT_LEN));
                }
                Ok(())
            }
            IF_DESCRIPTION => {
                if d.description.is_none() {
                    d.description = Some(options::text(value, MAX_TEXT_LEN));
                }
                Ok(())
            }
            // libpcap refuses a second if_tsresol or if_tsoffset; we keep
            // the first and say so.
            IF_TSRESOL if seen_tsresol => Err(OptionFault::Duplicate),
            IF_TSRESOL => expect(1).and_then(|()| {
                seen_tsresol = true;
                match TsResolution::from_if_tsresol(value[0]) {
                    Some(r) => {
                        d.tsresol = r;
                        Ok(())
                    }
                    None => Err(OptionFault::BadTsresol(value[0])),
                }
            }),
            IF_TSOFFSET if seen_tsoffset => Err(OptionFault::Duplicate),
            IF_TSOFFSET => expect(8).map(|()| {
                seen_tsoffset = true;
                d.ts_offset_s = E::u64(value, 0) as i64;
            }),
            IF_FCSLEN => expect(1).map(|()| d.fcs_len = fcs_bytes(value[0])),
            _ => Ok(()),
        };
        if let Err(fault) = outcome {
            note_bad(&mut d, code, fault);
        }
    }
    Ok(d)
}

fn note_bad(d: &mut Description, code: u16, fault: OptionFault) {
    d.bad_options += 1;
    if d.first_bad_option.is_none() {
        d.first_bad_option = Some((code, fault));
    }
}

/// `if_fcslen` in bytes. The specification text says bits while its
/// example and Wireshark use bytes (4 for Ethernet); a value above 8 that
/// is a whole number of bytes in bits (16, 32, 64) is read as bits.
fn fcs_bytes(v: u8) -> u8 {
    if v > 8 && v % 8 == 0 {
        v / 8
    } else {
        v.min(8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endian::{Be, Le};

    #[test]
    fn minimal_block_has_microsecond_default() {
        // type 1, len 20, link type 1, reserved, snaplen 65535, len 20.
        let b = [
            0x01, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0xff, 0xff,
            0x00, 0x00, 0x14, 0x00, 0x00, 0x00,
        ];
        let d = parse::<Le>(&b).unwrap();
        assert_eq!(d.link_type, LinkType::ETHERNET);
        assert_eq!(d.snaplen, 65535);
        assert_eq!(d.tsresol, TsResolution::Pow10(6));
        assert_eq!((d.ts_offset_s, d.fcs_len, d.bad_options), (0, 0, 0));
        assert_eq!(d.name, None);
    }

    #[test]
    fn options_big_endian() {
        // link type 113, snaplen 0; if_name "lo" (2 + 2 pad), if_tsresol
        // 0x8a (2^-10), if_tsoffset -3600, if_fcslen 4, opt_endofopt.
        let b = [
            0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x3c, // type, len 60
            0x00, 0x71, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // link, reserved, snaplen
            0x00, 0x02, 0x00, 0x02, b'l', b'o', 0x00, 0x00, // if_name
            0x00, 0x09, 0x00, 0x01, 0x8a, 0x00, 0x00, 0x00, // if_tsresol
            0x00, 0x0e, 0x00, 0x08, 0xff, 0xff, 0xff, 0xff, // if_tsoffset ...
            0xff, 0xff, 0xf1, 0xf0, // ... = -3600
            0x00, 0x0d, 0x00, 0x01, 0x04, 0x00, 0x00, 0x00, // if_fcslen 4
            0x00, 0x00, 0x00, 0x00, // opt_endofopt
            0x00, 0x00, 0x00, 0x3c,
        ];
        assert_eq!(b.len(), 60);
        let d = parse::<Be>(&b).unwrap();
        assert_eq!(d.link_type, LinkType::LINUX_SLL);
        assert_eq!(d.snaplen, 0);
        assert_eq!(d.name.as_deref(), Some("lo"));
        assert_eq!(d.tsresol, TsResolution::Pow2(10));
        assert_eq!(d.ts_offset_s, -3600);
        assert_eq!(d.fcs_len, 4);
        assert_eq!(d.bad_options, 0);
    }

    #[test]
    fn duplicate_and_bad_options_are_noted_first_kept() {
        // if_tsresol 9, then a second if_tsresol 3, then if_fcslen with length 2.
        let b = [
            0x01, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, // type, len 44
            0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, // link 1, snaplen 65536
            0x09, 0x00, 0x01, 0x00, 0x09, 0x00, 0x00, 0x00, // if_tsresol 9
            0x09, 0x00, 0x01, 0x00, 0x03, 0x00, 0x00, 0x00, // if_tsresol 3 again
            0x0d, 0x00, 0x02, 0x00, 0x04, 0x00, 0x00, 0x00, // if_fcslen, bad length
            0x2c, 0x00, 0x00, 0x00,
        ];
        let d = parse::<Le>(&b).unwrap();
        assert_eq!(d.tsresol, TsResolution::Pow10(9));
        assert_eq!(d.fcs_len, 0);
        assert_eq!(d.bad_options, 2);
        assert_eq!(d.first_bad_option, Some((9, OptionFault::Duplicate)));
    }

    #[test]
    fn out_of_range_tsresol_keeps_microseconds() {
        let b = [
            0x01, 0x00, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x09, 0x00, 0x01, 0x00, 0x14, 0x00, 0x00, 0x00, 0x1c, 0x00, 0x00, 0x00,
        ];
        let d = parse::<Le>(&b).unwrap();
        assert_eq!(d.tsresol, TsResolution::MICROS);
        assert_eq!(d.first_bad_option, Some((9, OptionFault::BadTsresol(20))));
    }

    #[test]
    fn fcslen_in_bits_or_bytes() {
        assert_eq!(fcs_bytes(4), 4);
        assert_eq!(fcs_bytes(32), 4);
        assert_eq!(fcs_bytes(16), 2);
        assert_eq!(fcs_bytes(0), 0);
    }
}

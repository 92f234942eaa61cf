//! The option list at the end of most pcapng blocks.
//!
//! Each option is `code(2) length(2) value padded to 4`; code 0
//! (`opt_endofopt`) ends the list, and so does the end of the block.

use crate::endian::Endian;
use crate::error::OptionFault;
use crate::pcapng::pad4;

/// End of the option list.
pub(crate) const OPT_ENDOFOPT: u16 = 0;

/// Calls `f(code, value)` for each option in `area` (the bytes between a
/// block's fixed fields and its trailing length). Stops at
/// `opt_endofopt`. An option whose value runs past the area ends the walk
/// with `Err((code, fault))`; the options before it were handed out.
pub(crate) fn walk<'a, E: Endian>(
    area: &'a [u8],
    mut f: impl FnMut(u16, &'a [u8]),
) -> Result<(), (u16, OptionFault)> {
    let mut pos = 0usize;
    while pos + 4 <= area.len() {
        let code = E::u16(area, pos);
        let len = E::u16(area, pos + 2);
        if code == OPT_ENDOFOPT {
            return Ok(());
        }
        let value_start = pos + 4;
        let value_end = value_start + usize::from(len);
        if value_end > area.len() {
            return Err((
                code,
                OptionFault::Overrun {
                    len,
                    room: (area.len() - value_start) as u32,
                },
            ));
        }
        f(code, &area[value_start..value_end]);
        pos = value_start + pad4(usize::from(len));
    }
    Ok(())
}

/// A UTF-8 option value as text, invalid sequences replaced and the
/// length capped at `max` bytes (on a character boundary).
pub(crate) fn text(value: &[u8], max: usize) -> String {
    let mut s = String::from_utf8_lossy(value).into_owned();
    // Some writers include the C string terminator.
    while s.ends_with('\0') {
        s.pop();
    }
    if s.len() > max {
        let mut cut = max;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        s.truncate(cut);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endian::{Be, Le};

    type Walked = (Vec<(u16, Vec<u8>)>, Result<(), (u16, OptionFault)>);

    fn collect<E: Endian>(area: &[u8]) -> Walked {
        let mut seen = Vec::new();
        let r = walk::<E>(area, |c, v| seen.push((c, v.to_vec())));
        (seen, r)
    }

    #[test]
    fn walks_padded_values_until_endofopt() {
        // if_name "eth0" (code 2, len 4), if_tsresol 9 (code 9, len 1, 3 pad),
        // opt_endofopt, then junk that must not be read.
        let area = [
            0x02, 0x00, 0x04, 0x00, b'e', b't', b'h', b'0', 0x09, 0x00, 0x01, 0x00, 0x09, 0, 0, 0,
            0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff,
        ];
        let (seen, r) = collect::<Le>(&area);
        assert_eq!(r, Ok(()));
        assert_eq!(seen, vec![(2, b"eth0".to_vec()), (9, vec![9])]);
    }

    #[test]
    fn big_endian_codes_and_lengths() {
        let area = [0x00, 0x0e, 0x00, 0x08, 0, 0, 0, 0, 0, 0, 0, 5];
        let (seen, r) = collect::<Be>(&area);
        assert_eq!(r, Ok(()));
        assert_eq!(seen, vec![(14, vec![0, 0, 0, 0, 0, 0, 0, 5])]);
    }

    #[test]
    fn missing_endofopt_is_fine() {
        let (seen, r) = collect::<Le>(&[0x01, 0x00, 0x02, 0x00, b'h', b'i', 0, 0]);
        assert_eq!(r, Ok(()));
        assert_eq!(seen, vec![(1, b"hi".to_vec())]);
    }

    #[test]
    fn overrun_stops_with_the_code() {
        // First option fine, second claims 16 bytes with 4 left.
        let area = [
            0x01, 0x00, 0x01, 0x00, b'x', 0, 0, 0, 0x02, 0x00, 0x10, 0x00, b'a', b'b', b'c', b'd',
        ];
        let (seen, r) = collect::<Le>(&area);
        assert_eq!(seen, vec![(1, b"x".to_vec())]);
        assert_eq!(r, Err((2, OptionFault::Overrun { len: 16, room: 4 })));
    }

    #[test]
    fn text_drops_terminators_and_caps_on_char_boundary() {
        assert_eq!(text(b"eth0\0", 64), "eth0");
        assert_eq!(text("aé".as_bytes(), 2), "a");
        assert_eq!(text(&[0x66, 0xff], 8), "f\u{fffd}");
    }
}

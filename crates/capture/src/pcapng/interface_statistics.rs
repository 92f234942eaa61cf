//! Interface Statistics Block (type 5).
//!
//! ```text
//! 0  block type 5   4  total length
//! 8  interface id
//! 12 timestamp upper   16 timestamp lower
//! 20 options ...    total length
//! ```
//!
//! Options read (each a 64-bit counter): `isb_ifrecv` (4), `isb_ifdrop`
//! (5), `isb_filteraccept` (6), `isb_osdrop` (7), `isb_usrdeliv` (8).

use crate::endian::Endian;
use crate::error::{BodyFault, OptionFault};
use crate::pcapng::options;

/// Smallest total length.
pub(crate) const MIN_LEN: u32 = 24;

const INTERFACE_ID: usize = 8;
const OPTIONS: usize = 20;

const ISB_IFRECV: u16 = 4;
const ISB_IFDROP: u16 = 5;
const ISB_FILTERACCEPT: u16 = 6;
const ISB_OSDROP: u16 = 7;
const ISB_USRDELIV: u16 = 8;

/// The counters of one ISB.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Statistics {
    pub interface_id: u32,
    pub if_recv: Option<u64>,
    pub if_drop: Option<u64>,
    pub filter_accept: Option<u64>,
    pub os_drop: Option<u64>,
    pub usr_deliv: Option<u64>,
    pub first_bad_option: Option<(u16, OptionFault)>,
    pub bad_options: u32,
}

/// The interface id of an ISB, if the block is long enough.
pub(crate) fn interface_id<E: Endian>(block: &[u8]) -> Option<u32> {
    (block.len() >= MIN_LEN as usize).then(|| E::u32(block, INTERFACE_ID))
}

/// Parses a framing-checked ISB.
pub(crate) fn parse<E: Endian>(block: &[u8]) -> Result<Statistics, BodyFault> {
    let len = block.len() as u32;
    if len < MIN_LEN {
        return Err(BodyFault::TooShort { len, min: MIN_LEN });
    }
    let mut s = Statistics {
        interface_id: E::u32(block, INTERFACE_ID),
        ..Statistics::default()
    };
    let mut faults: Vec<(u16, OptionFault)> = Vec::new();
    let walked = options::walk::<E>(&block[OPTIONS..block.len() - 4], |code, value| {
        let slot = match code {
            ISB_IFRECV => &mut s.if_recv,
            ISB_IFDROP => &mut s.if_drop,
            ISB_FILTERACCEPT => &mut s.filter_accept,
            ISB_OSDROP => &mut s.os_drop,
            ISB_USRDELIV => &mut s.usr_deliv,
            _ => return,
        };
        if value.len() == 8 {
            *slot = Some(E::u64(value, 0));
        } else {
            faults.push((
                code,
                OptionFault::BadLength {
                    len: value.len() as u16,
                    expected: 8,
                },
            ));
        }
    });
    if let Err(f) = walked {
        faults.push(f);
    }
    s.bad_options = faults.len() as u32;
    s.first_bad_option = faults.first().copied();
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::endian::Le;

    #[test]
    fn drop_counters_little_endian() {
        // interface 1, ts 0, isb_ifrecv 1000, isb_ifdrop 3, isb_osdrop 7,
        // opt_endofopt: 12 + 12 + 3*12 + 4 = 64.
        let b = [
            0x05, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, // header, interface, timestamp
            0x04, 0x00, 0x08, 0x00, 0xe8, 0x03, 0, 0, 0, 0, 0, 0, // isb_ifrecv 1000
            0x05, 0x00, 0x08, 0x00, 0x03, 0, 0, 0, 0, 0, 0, 0, // isb_ifdrop 3
            0x07, 0x00, 0x08, 0x00, 0x07, 0, 0, 0, 0, 0, 0, 0, // isb_osdrop 7
            0x00, 0x00, 0x00, 0x00, 0x40, 0x00, 0x00, 0x00,
        ];
        assert_eq!(b.len(), 64);
        let s = parse::<Le>(&b).unwrap();
        assert_eq!(s.interface_id, 1);
        assert_eq!(s.if_recv, Some(1000));
        assert_eq!(s.if_drop, Some(3));
        assert_eq!(s.os_drop, Some(7));
        assert_eq!(s.filter_accept, None);
        assert_eq!(s.bad_options, 0);
    }

    #[test]
    fn short_counter_is_a_bad_option() {
        let b = [
            0x05, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x04, 0x00, 0x03, 0x00, 0x00, 0x00,
            0x20, 0x00, 0x00, 0x00,
        ];
        let s = parse::<Le>(&b).unwrap();
        assert_eq!(s.if_drop, None);
        assert_eq!(
            s.first_bad_option,
            Some((
                5,
                OptionFault::BadLength {
                    len: 4,
                    expected: 8
                }
            ))
        );
    }
}

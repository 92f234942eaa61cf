//! BSD loopback encapsulations: LINKTYPE_NULL (0) and LINKTYPE_LOOP (108).
//!
//! Both put a 4-byte address family in front of the packet. NULL writes it
//! in the byte order of the host that captured, which a reader cannot know,
//! so both orders are accepted: the family values are small, so the order
//! whose upper 16 bits are zero is the right one (as tcpdump does). LOOP
//! always writes it big-endian.

use crate::error::Layer;
use crate::view::header_view;

/// Address family values found in loopback headers.
pub mod family {
    /// AF_INET on every BSD and Linux.
    pub const INET: u32 = 2;
    /// AF_ISO / AF_OSI.
    pub const OSI: u32 = 7;
    /// AF_IPX.
    pub const IPX: u32 = 23;
    /// AF_INET6 on NetBSD, OpenBSD and BSD/OS.
    pub const INET6_BSD: u32 = 24;
    /// AF_INET6 on FreeBSD and DragonFly BSD.
    pub const INET6_FREEBSD: u32 = 28;
    /// AF_INET6 on macOS / Darwin.
    pub const INET6_DARWIN: u32 = 30;

    /// True for any of the three AF_INET6 values.
    #[inline]
    pub const fn is_inet6(value: u32) -> bool {
        matches!(value, INET6_BSD | INET6_FREEBSD | INET6_DARWIN)
    }
}

mod field {
    use core::ops::Range;

    pub const FAMILY: Range<usize> = 0..4;
    pub const PAYLOAD: usize = FAMILY.end;
}

/// Length of the loopback header.
pub const HEADER_LEN: usize = field::PAYLOAD;

header_view! {
    /// A read-only view of a NULL / LOOP header.
    pub struct Packet<T>;
    /// Checks that the buffer holds the whole header; after this no accessor panics.
    check_len: Layer::Link, HEADER_LEN;
}

impl<T: AsRef<[u8]>> Packet<T> {
    #[inline]
    fn raw(&self) -> [u8; 4] {
        let b = &self.buffer.as_ref()[field::FAMILY];
        [b[0], b[1], b[2], b[3]]
    }

    /// The family as LINKTYPE_NULL stores it, in either byte order.
    #[inline]
    pub fn family_any_order(&self) -> u32 {
        let raw = self.raw();
        let le = u32::from_le_bytes(raw);
        if le >> 16 == 0 {
            le
        } else {
            u32::from_be_bytes(raw)
        }
    }

    /// The family as LINKTYPE_LOOP stores it (big-endian).
    #[inline]
    pub fn family_big_endian(&self) -> u32 {
        u32::from_be_bytes(self.raw())
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Packet<&'a T> {
    /// The bytes after the header.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        &self.buffer.as_ref()[field::PAYLOAD..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn null_family_in_both_byte_orders() {
        // A little-endian host (x86) writes 02 00 00 00, a big-endian one 00 00 00 02.
        for raw in [[2, 0, 0, 0], [0, 0, 0, 2]] {
            assert_eq!(Packet::new_unchecked(&raw[..]).family_any_order(), 2);
        }
        for v in [24u32, 28, 30] {
            let le = v.to_le_bytes();
            let be = v.to_be_bytes();
            assert_eq!(Packet::new_unchecked(&le[..]).family_any_order(), v);
            assert_eq!(Packet::new_unchecked(&be[..]).family_any_order(), v);
            assert!(family::is_inet6(v));
        }
    }

    #[test]
    fn loop_family_is_big_endian_only() {
        let p = Packet::new_checked(&[0, 0, 0, 24, 0x60][..]).unwrap();
        assert_eq!(p.family_big_endian(), 24);
        assert_eq!(p.payload(), &[0x60]);
        let p = Packet::new_checked(&[24, 0, 0, 0][..]).unwrap();
        assert_eq!(p.family_big_endian(), 0x1800_0000);
    }

    #[test]
    fn check_len_rejects_short_header() {
        let e = Packet::new_checked(&[2, 0, 0][..]).unwrap_err();
        assert_eq!((e.layer, e.offset), (Layer::Link, 0));
    }
}

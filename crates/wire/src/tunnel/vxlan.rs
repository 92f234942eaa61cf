//! VXLAN header (RFC 7348, section 5): an Ethernet frame in UDP, to
//! destination port 4789.
//!
//! ```text
//! |R|R|R|R|I|R|R|R|            Reserved                           |
//! |                VXLAN Network Identifier (VNI) |   Reserved    |
//! ```

use crate::error::{bad_field, Layer};
use crate::view::header_view;

mod field {
    use core::ops::Range;

    pub const FLAGS: usize = 0;
    pub const VNI: Range<usize> = 4..7;
    pub const PAYLOAD: usize = 8;
}

/// Length of the VXLAN header.
pub const HEADER_LEN: usize = field::PAYLOAD;

/// The IANA-assigned UDP destination port.
pub const UDP_PORT: u16 = 4789;

/// The I flag: the VNI is valid (RFC 7348: must be set).
pub const FLAG_VNI: u8 = 0x08;

header_view! {
    /// A read/write view of a VXLAN header.
    pub struct Packet<T>;
    /// Checks that the buffer holds the whole header; after this no accessor panics.
    check_len: Layer::Vxlan, HEADER_LEN;
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// The flags octet.
    #[inline]
    pub fn flags(&self) -> u8 {
        self.buffer.as_ref()[field::FLAGS]
    }

    /// The I flag is set: the VNI is valid.
    #[inline]
    pub fn vni_valid(&self) -> bool {
        self.flags() & FLAG_VNI != 0
    }

    /// VXLAN Network Identifier (24 bits).
    #[inline]
    pub fn vni(&self) -> u32 {
        let b = &self.buffer.as_ref()[field::VNI];
        u32::from_be_bytes([0, b[0], b[1], b[2]])
    }

    /// `Ok` when the I flag is set, as RFC 7348 requires; otherwise a
    /// [`crate::ErrorKind::BadField`] at the flags octet.
    pub fn check_flags(&self) -> crate::Result<()> {
        if self.vni_valid() {
            Ok(())
        } else {
            Err(bad_field(
                Layer::Vxlan,
                field::FLAGS,
                "flags",
                self.flags().into(),
            ))
        }
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Packet<&'a T> {
    /// The inner Ethernet frame.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        &self.buffer.as_ref()[field::PAYLOAD..]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Sets the flags octet.
    #[inline]
    pub fn set_flags(&mut self, value: u8) {
        self.buffer.as_mut()[field::FLAGS] = value;
    }

    /// Sets the VNI (the low 24 bits of `value`).
    #[inline]
    pub fn set_vni(&mut self, value: u32) {
        self.buffer.as_mut()[field::VNI].copy_from_slice(&value.to_be_bytes()[1..]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    // scapy 2.8.0: bytes(VXLAN(vni=0x123456, flags=0x08))
    const HDR: [u8; 8] = [0x08, 0x00, 0x00, 0x00, 0x12, 0x34, 0x56, 0x00];

    #[test]
    fn vni_and_flag() {
        let p = Packet::new_checked(&HDR[..]).unwrap();
        assert!(p.vni_valid());
        assert_eq!(p.vni(), 0x12_3456);
        assert!(p.check_flags().is_ok());
        assert!(p.payload().is_empty());
    }

    #[test]
    fn missing_i_flag_and_short_header() {
        let mut b = HDR;
        b[0] = 0;
        let e = Packet::new_checked(&b[..])
            .unwrap()
            .check_flags()
            .unwrap_err();
        assert_eq!((e.layer, e.offset), (Layer::Vxlan, 0));
        assert_eq!(
            e.kind,
            ErrorKind::BadField {
                field: "flags",
                value: 0
            }
        );
        assert!(Packet::new_checked(&HDR[..7]).unwrap_err().is_truncation());
    }

    #[test]
    fn setters_round_trip() {
        let mut b = [0u8; 8];
        let mut p = Packet::new_unchecked(&mut b[..]);
        p.set_flags(FLAG_VNI);
        p.set_vni(0x12_3456);
        assert_eq!(b, HDR);
    }
}

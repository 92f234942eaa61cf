//! Geneve header (RFC 8926, section 3.4), to UDP destination port 6081.
//!
//! ```text
//! |Ver|  Opt Len  |O|C|    Rsvd.  |          Protocol Type        |
//! |        Virtual Network Identifier (VNI)       |    Reserved   |
//! |                    Variable-Length Options                    |
//! ```

use crate::error::{bad_field, truncated, Layer, Result};
use crate::view::{check_min_len, header_view};

mod field {
    use core::ops::Range;

    pub const VER_OPTLEN: usize = 0;
    pub const FLAGS: usize = 1;
    pub const PROTOCOL: Range<usize> = 2..4;
    pub const VNI: Range<usize> = 4..7;
    pub const OPTIONS: usize = 8;
}

/// Length of the fixed header.
pub const BASE_LEN: usize = field::OPTIONS;

/// The IANA-assigned UDP destination port.
pub const UDP_PORT: u16 = 6081;

header_view! {
    /// A read-only view of a Geneve header.
    pub struct Packet<T>;
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Checks that the buffer holds the fixed header and the options, and
    /// that the version is 0 (RFC 8926: other versions must be dropped);
    /// after this no accessor panics.
    pub fn check_len(&self) -> Result<()> {
        let b = self.buffer.as_ref();
        check_min_len(b, Layer::Geneve, BASE_LEN)?;
        if self.version() != 0 {
            return Err(bad_field(
                Layer::Geneve,
                field::VER_OPTLEN,
                "version",
                self.version().into(),
            ));
        }
        let len = self.header_len();
        if b.len() < len {
            return Err(truncated(Layer::Geneve, 0, len, b.len()));
        }
        Ok(())
    }

    /// Ver (2 bits).
    #[inline]
    pub fn version(&self) -> u8 {
        self.buffer.as_ref()[field::VER_OPTLEN] >> 6
    }

    /// Opt Len: length of the options in 4-octet words.
    #[inline]
    pub fn option_length(&self) -> u8 {
        self.buffer.as_ref()[field::VER_OPTLEN] & 0x3f
    }

    /// O: an OAM (control) packet.
    #[inline]
    pub fn oam(&self) -> bool {
        self.buffer.as_ref()[field::FLAGS] & 0x80 != 0
    }

    /// C: critical options are present.
    #[inline]
    pub fn critical(&self) -> bool {
        self.buffer.as_ref()[field::FLAGS] & 0x40 != 0
    }

    /// Protocol Type: the EtherType of the payload (0x6558 for Ethernet).
    #[inline]
    pub fn protocol_type(&self) -> u16 {
        let b = &self.buffer.as_ref()[field::PROTOCOL];
        u16::from_be_bytes([b[0], b[1]])
    }

    /// Virtual Network Identifier (24 bits).
    #[inline]
    pub fn vni(&self) -> u32 {
        let b = &self.buffer.as_ref()[field::VNI];
        u32::from_be_bytes([0, b[0], b[1], b[2]])
    }

    /// Length of the header with its options.
    #[inline]
    pub fn header_len(&self) -> usize {
        BASE_LEN + 4 * usize::from(self.option_length())
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Packet<&'a T> {
    /// The options, undecoded.
    #[inline]
    pub fn options(&self) -> &'a [u8] {
        &self.buffer.as_ref()[BASE_LEN..self.header_len()]
    }

    /// The encapsulated frame or packet.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        &self.buffer.as_ref()[self.header_len()..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    // scapy 2.8.0: bytes(GENEVE(vni=0xabcdef, proto=0x6558, oam=1, critical=0,
    //   options=[GeneveOptions(classid=0x0102, type=0x80, data=b'\x01\x02\x03\x04')]))
    const HDR: [u8; 16] = [
        0x02, 0x80, 0x65, 0x58, 0xab, 0xcd, 0xef, 0x00, 0x01, 0x02, 0x80, 0x01, 0x01, 0x02, 0x03,
        0x04,
    ];

    #[test]
    fn fields_and_options() {
        let p = Packet::new_checked(&HDR[..]).unwrap();
        assert_eq!((p.version(), p.option_length()), (0, 2));
        assert!(p.oam() && !p.critical());
        assert_eq!((p.protocol_type(), p.vni()), (0x6558, 0xab_cdef));
        assert_eq!(p.header_len(), 16);
        assert_eq!(p.options(), &HDR[8..]);
        assert!(p.payload().is_empty());
    }

    #[test]
    fn options_cut_and_unknown_version() {
        let e = Packet::new_checked(&HDR[..12]).unwrap_err();
        assert_eq!(
            (e.layer, e.kind),
            (
                Layer::Geneve,
                ErrorKind::Truncated {
                    needed: 16,
                    available: 12
                }
            )
        );
        let mut b = HDR;
        b[0] |= 0x40;
        let e = Packet::new_checked(&b[..]).unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::BadField {
                field: "version",
                value: 1
            }
        );
    }
}

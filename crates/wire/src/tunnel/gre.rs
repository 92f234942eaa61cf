//! Generic Routing Encapsulation header (RFC 2784, with the key and
//! sequence number of RFC 2890).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! |C|R|K|S| Reserved0       | Ver |         Protocol Type         |
//! |      Checksum (optional)      |       Reserved1 (optional)    |
//! |                         Key (optional)                        |
//! |                 Sequence Number (optional)                    |
//! ```
//!
//! The R bit (routing present, RFC 1701) is reserved in RFC 2784; a header
//! with it set, or with a version other than 0 (version 1 is PPTP's
//! enhanced GRE), is read but not decapsulated.

use crate::error::{truncated, Layer, Result};
use crate::view::{check_min_len, header_view};

mod field {
    use core::ops::Range;

    pub const FLAGS: Range<usize> = 0..2;
    pub const PROTOCOL: Range<usize> = 2..4;
    pub const OPTIONAL: usize = PROTOCOL.end;
}

/// Length of the header without optional fields.
pub const BASE_LEN: usize = field::OPTIONAL;

/// Bits of the first 16-bit word.
pub mod flags {
    /// Checksum present.
    pub const CHECKSUM: u16 = 0x8000;
    /// Routing present (RFC 1701; reserved in RFC 2784).
    pub const ROUTING: u16 = 0x4000;
    /// Key present (RFC 2890).
    pub const KEY: u16 = 0x2000;
    /// Sequence number present (RFC 2890).
    pub const SEQUENCE: u16 = 0x1000;
    /// The version field.
    pub const VERSION: u16 = 0x0007;
}

header_view! {
    /// A read/write view of a GRE header.
    pub struct Packet<T>;
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Checks that the buffer holds the fixed part and every optional field
    /// the flags announce; after this no accessor panics.
    pub fn check_len(&self) -> Result<()> {
        let b = self.buffer.as_ref();
        check_min_len(b, Layer::Gre, BASE_LEN)?;
        let len = self.header_len();
        if b.len() < len {
            return Err(truncated(Layer::Gre, 0, len, b.len()));
        }
        Ok(())
    }

    /// The first 16-bit word: flags, reserved bits and version.
    #[inline]
    pub fn flags(&self) -> u16 {
        let b = &self.buffer.as_ref()[field::FLAGS];
        u16::from_be_bytes([b[0], b[1]])
    }

    /// C: the checksum field (and Reserved1) is present.
    #[inline]
    pub fn checksum_present(&self) -> bool {
        self.flags() & flags::CHECKSUM != 0
    }

    /// R: RFC 1701 routing is present.
    #[inline]
    pub fn routing_present(&self) -> bool {
        self.flags() & flags::ROUTING != 0
    }

    /// K: the key field is present.
    #[inline]
    pub fn key_present(&self) -> bool {
        self.flags() & flags::KEY != 0
    }

    /// S: the sequence number field is present.
    #[inline]
    pub fn sequence_present(&self) -> bool {
        self.flags() & flags::SEQUENCE != 0
    }

    /// Ver (0 for RFC 2784 GRE).
    #[inline]
    pub fn version(&self) -> u8 {
        (self.flags() & flags::VERSION) as u8
    }

    /// Protocol Type: the EtherType of the payload.
    #[inline]
    pub fn protocol_type(&self) -> u16 {
        let b = &self.buffer.as_ref()[field::PROTOCOL];
        u16::from_be_bytes([b[0], b[1]])
    }

    /// Length of the header with the optional fields the flags announce.
    #[inline]
    pub fn header_len(&self) -> usize {
        // RFC 1701: checksum and offset are present when C or R is set.
        let words = usize::from(self.checksum_present() || self.routing_present())
            + usize::from(self.key_present())
            + usize::from(self.sequence_present());
        BASE_LEN + 4 * words
    }

    fn word(&self, index: usize) -> u32 {
        let at = BASE_LEN + 4 * index;
        let b = &self.buffer.as_ref()[at..at + 4];
        u32::from_be_bytes([b[0], b[1], b[2], b[3]])
    }

    /// The checksum, when present.
    #[inline]
    pub fn checksum(&self) -> Option<u16> {
        (self.checksum_present() || self.routing_present()).then(|| (self.word(0) >> 16) as u16)
    }

    /// The key (RFC 2890), when present.
    #[inline]
    pub fn key(&self) -> Option<u32> {
        let before = usize::from(self.checksum_present() || self.routing_present());
        self.key_present().then(|| self.word(before))
    }

    /// The sequence number (RFC 2890), when present.
    #[inline]
    pub fn sequence_number(&self) -> Option<u32> {
        let before = usize::from(self.checksum_present() || self.routing_present())
            + usize::from(self.key_present());
        self.sequence_present().then(|| self.word(before))
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Packet<&'a T> {
    /// The bytes after the header.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        &self.buffer.as_ref()[self.header_len()..]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Sets the first 16-bit word (flags, reserved bits and version).
    #[inline]
    pub fn set_flags(&mut self, value: u16) {
        self.buffer.as_mut()[field::FLAGS].copy_from_slice(&value.to_be_bytes());
    }

    /// Sets the protocol type.
    #[inline]
    pub fn set_protocol_type(&mut self, value: u16) {
        self.buffer.as_mut()[field::PROTOCOL].copy_from_slice(&value.to_be_bytes());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    // Built with scapy 2.8.0 (a different library than the one under test):
    //   bytes(GRE(key_present=1, seqnum_present=1, chksum_present=1,
    //             key=0x01020304, sequence_number=7, proto=0x6558))
    // scapy fills in the checksum over the header alone.
    const CKS: [u8; 16] = [
        0xb0, 0x00, 0x65, 0x58, 0xe6, 0x99, 0x00, 0x00, 0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00,
        0x07,
    ];

    #[test]
    fn optional_fields_follow_the_flags() {
        let p = Packet::new_checked(&CKS[..]).unwrap();
        assert!(p.checksum_present() && p.key_present() && p.sequence_present());
        assert!(!p.routing_present());
        assert_eq!((p.version(), p.protocol_type()), (0, 0x6558));
        assert_eq!(p.header_len(), 16);
        assert_eq!(p.key(), Some(0x0102_0304));
        assert_eq!(p.sequence_number(), Some(7));
        assert_eq!(p.checksum(), Some(0xe699));
        assert!(p.payload().is_empty());
    }

    #[test]
    fn plain_header_is_four_octets() {
        // scapy: bytes(GRE(proto=0x0800))
        let b = [0x00, 0x00, 0x08, 0x00, 0x45];
        let p = Packet::new_checked(&b[..]).unwrap();
        assert_eq!(
            (p.header_len(), p.key(), p.sequence_number()),
            (4, None, None)
        );
        assert_eq!(p.payload(), &[0x45]);
    }

    #[test]
    fn check_len_counts_announced_fields() {
        let e = Packet::new_checked(&CKS[..13]).unwrap_err();
        assert_eq!((e.layer, e.offset), (Layer::Gre, 0));
        assert_eq!(
            e.kind,
            ErrorKind::Truncated {
                needed: 16,
                available: 13
            }
        );
        assert!(Packet::new_checked(&CKS[..3]).is_err());
    }

    #[test]
    fn setters_round_trip() {
        let mut b = [0u8; 4];
        let mut p = Packet::new_unchecked(&mut b[..]);
        p.set_flags(flags::KEY | 1);
        p.set_protocol_type(0x880b);
        let p = Packet::new_unchecked(&b[..]);
        assert!(p.key_present());
        assert_eq!((p.version(), p.protocol_type()), (1, 0x880b));
    }
}

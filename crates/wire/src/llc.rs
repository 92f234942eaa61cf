//! IEEE 802.2 LLC header and the SNAP extension (RFC 1042).
//!
//! An 802.3 frame (length field ≤ 1500) carries DSAP, SSAP and a control
//! field of one octet (U-format, low two bits `11`) or two octets (I- and
//! S-format). DSAP = SSAP = 0xAA with control 0x03 announces SNAP: a 3-octet
//! OUI and a 2-octet protocol id, which is an EtherType when the OUI is
//! 00-00-00 (RFC 1042) or 00-00-F8 (IEEE 802.1H bridge tunnel).

use crate::error::{Layer, Result};
use crate::view::{check_min_len, header_view};

mod field {
    use core::ops::Range;

    pub const DSAP: usize = 0;
    pub const SSAP: usize = 1;
    pub const CONTROL: usize = 2;
    /// SNAP follows a one-octet (U-format) control field.
    pub const SNAP_OUI: Range<usize> = 3..6;
    pub const SNAP_PROTOCOL_ID: Range<usize> = 6..8;
}

/// Shortest LLC header (U-format control field).
pub const MIN_HEADER_LEN: usize = field::CONTROL + 1;
/// LLC plus SNAP header length.
pub const SNAP_HEADER_LEN: usize = field::SNAP_PROTOCOL_ID.end;
/// The SAP value that announces SNAP.
pub const SAP_SNAP: u8 = 0xAA;

header_view! {
    /// A read-only view of an LLC (and SNAP) header.
    pub struct Packet<T>;
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Checks that the buffer holds the LLC header (and the SNAP header when
    /// announced); after this no accessor panics.
    pub fn check_len(&self) -> Result<()> {
        let buffer = self.buffer.as_ref();
        check_min_len(buffer, Layer::Link, MIN_HEADER_LEN)?;
        check_min_len(buffer, Layer::Link, self.header_len())
    }

    /// Destination service access point.
    #[inline]
    pub fn dsap(&self) -> u8 {
        self.buffer.as_ref()[field::DSAP]
    }

    /// Source service access point.
    #[inline]
    pub fn ssap(&self) -> u8 {
        self.buffer.as_ref()[field::SSAP]
    }

    /// True when the control field is one octet (U-format).
    #[inline]
    pub fn is_u_format(&self) -> bool {
        self.buffer.as_ref()[field::CONTROL] & 0x03 == 0x03
    }

    /// The control field: one octet for U-format, two (first octet high) otherwise.
    #[inline]
    pub fn control(&self) -> u16 {
        let b = self.buffer.as_ref();
        if self.is_u_format() {
            u16::from(b[field::CONTROL])
        } else {
            u16::from_be_bytes([b[field::CONTROL], b[field::CONTROL + 1]])
        }
    }

    /// True for a SNAP header (DSAP = SSAP = 0xAA, control UI 0x03).
    #[inline]
    pub fn is_snap(&self) -> bool {
        let b = self.buffer.as_ref();
        b[field::DSAP] == SAP_SNAP && b[field::SSAP] == SAP_SNAP && b[field::CONTROL] == 0x03
    }

    /// Length of the LLC header, plus the SNAP header when present.
    #[inline]
    pub fn header_len(&self) -> usize {
        if self.is_snap() {
            SNAP_HEADER_LEN
        } else if self.is_u_format() {
            MIN_HEADER_LEN
        } else {
            MIN_HEADER_LEN + 1
        }
    }

    /// SNAP organizationally unique identifier (only meaningful when
    /// [`Packet::is_snap`]; zeros when a shorter non-SNAP header ends first).
    #[inline]
    pub fn snap_oui(&self) -> [u8; 3] {
        // `check_len` only asks for the SNAP octets when SNAP is announced:
        // an accessor must not panic on a plain LLC header (found by fuzzing).
        match self.buffer.as_ref().get(field::SNAP_OUI) {
            Some(b) => [b[0], b[1], b[2]],
            None => [0; 3],
        }
    }

    /// SNAP protocol id (only meaningful when [`Packet::is_snap`]; 0 when a
    /// shorter non-SNAP header ends first).
    #[inline]
    pub fn snap_protocol_id(&self) -> u16 {
        // As in `snap_oui`: absent on a plain LLC header, not a panic.
        match self.buffer.as_ref().get(field::SNAP_PROTOCOL_ID) {
            Some(b) => u16::from_be_bytes([b[0], b[1]]),
            None => 0,
        }
    }

    /// The SNAP protocol id when it is an EtherType (OUI 00-00-00 or 00-00-F8).
    #[inline]
    pub fn snap_ether_type(&self) -> Option<u16> {
        if self.is_snap() && matches!(self.snap_oui(), [0, 0, 0] | [0, 0, 0xf8]) {
            Some(self.snap_protocol_id())
        } else {
            None
        }
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Packet<&'a T> {
    /// The bytes after the LLC (and SNAP) header.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        &self.buffer.as_ref()[self.header_len()..]
    }
}

/// An LLC header that does not carry an EtherType.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LlcFacts {
    /// Destination service access point (0x42 = spanning tree, 0xFE = OSI, ...).
    pub dsap: u8,
    /// Source service access point.
    pub ssap: u8,
    /// Control field (one or two octets).
    pub control: u16,
    /// SNAP OUI and protocol id when a SNAP header with a non-EtherType OUI
    /// follows (e.g. Cisco 00-00-0C / 0x2000 for CDP).
    pub snap: Option<([u8; 3], u16)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_stp_bpdu_llc() {
        // IEEE 802.1D: STP BPDUs use DSAP = SSAP = 0x42, UI control 0x03.
        let p = Packet::new_checked(&[0x42, 0x42, 0x03, 0x00, 0x00][..]).unwrap();
        assert_eq!((p.dsap(), p.ssap(), p.control()), (0x42, 0x42, 0x03));
        assert!(!p.is_snap());
        assert_eq!(p.header_len(), 3);
        assert_eq!(p.payload(), &[0, 0]);
        assert_eq!(p.snap_ether_type(), None);
    }

    #[test]
    fn parse_i_format_has_two_octet_control() {
        let p = Packet::new_checked(&[0xf0, 0xf0, 0x10, 0x22, 0x99][..]).unwrap();
        assert_eq!(p.control(), 0x1022);
        assert_eq!(p.header_len(), 4);
        assert_eq!(p.payload(), &[0x99]);
    }

    #[test]
    fn parse_rfc1042_snap_gives_ether_type() {
        // RFC 1042: AA AA 03 00 00 00 <EtherType>
        let p = Packet::new_checked(&[0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x06][..]).unwrap();
        assert!(p.is_snap());
        assert_eq!(p.snap_ether_type(), Some(0x0806));
        assert!(p.payload().is_empty());
        // Cisco OUI: protocol id is not an EtherType.
        let p = Packet::new_checked(&[0xaa, 0xaa, 0x03, 0, 0, 0x0c, 0x20, 0][..]).unwrap();
        assert_eq!(p.snap_ether_type(), None);
        assert_eq!(p.snap_oui(), [0, 0, 0x0c]);
        assert_eq!(p.snap_protocol_id(), 0x2000);
    }

    #[test]
    fn snap_accessors_do_not_panic_on_short_plain_llc() {
        // Fuzz finding (frame_decode): a 4-octet I-format LLC header passes
        // check_len; the SNAP accessors indexed octets 3..8 and panicked.
        let p = Packet::new_checked(&[0x32, 0x09, 0x01, 0x01][..]).unwrap();
        assert!(!p.is_snap());
        assert_eq!(p.snap_oui(), [0, 0, 0]);
        assert_eq!(p.snap_protocol_id(), 0);
        assert_eq!(p.snap_ether_type(), None);
    }

    #[test]
    fn check_len_rejects_cut_snap() {
        let e = Packet::new_checked(&[0xaa, 0xaa, 0x03, 0, 0][..]).unwrap_err();
        assert_eq!(
            e.kind,
            crate::ErrorKind::Truncated {
                needed: 8,
                available: 5
            }
        );
        assert_eq!(e.offset, 0);
    }
}

//! ERSPAN headers inside GRE (draft-foschiano-erspan-03).
//!
//! - Type I: GRE protocol 0x88BE without a GRE sequence number; there is
//!   no ERSPAN header, the mirrored Ethernet frame follows GRE directly.
//! - Type II: GRE protocol 0x88BE with a sequence number; an 8-octet header
//!   ([`Type2`]) precedes the mirrored frame.
//! - Type III: GRE protocol 0x22EB; a 12-octet header ([`Type3`]), plus an
//!   8-octet platform-specific subheader when its O bit is set.
//!
//! ```text
//! Type II:  |Ver=1|  VLAN (12)  |COS|En|T| Session ID (10) |
//!           | Reserved (12)     |        Index (20)        |
//! Type III: |Ver=2|  VLAN (12)  |COS|BSO|T| Session ID (10)|
//!           |                 Timestamp (32)               |
//!           |   SGT (16)    |P| FT (5) | Hw ID (6) |D|Gra|O|
//! ```

use crate::error::{bad_field, truncated, Layer, Result};
use crate::view::{check_min_len, header_view};

mod field {
    use core::ops::Range;

    pub const VER_VLAN: Range<usize> = 0..2;
    pub const COS_SESSION: Range<usize> = 2..4;
    pub const INDEX: Range<usize> = 4..8;
    pub const TIMESTAMP: Range<usize> = 4..8;
    pub const SGT: Range<usize> = 8..10;
    pub const FLAGS3: Range<usize> = 10..12;
}

/// Length of the type II header.
pub const TYPE2_LEN: usize = field::INDEX.end;
/// Length of the type III header without the platform-specific subheader.
pub const TYPE3_LEN: usize = field::FLAGS3.end;
/// Length of the type III platform-specific subheader (O bit set).
pub const PLATFORM_LEN: usize = 8;

/// Value of the version field of a type II header.
pub const VERSION_TYPE2: u8 = 1;
/// Value of the version field of a type III header.
pub const VERSION_TYPE3: u8 = 2;

/// Type III frame types (FT).
pub mod frame_type {
    /// An Ethernet frame.
    pub const ETHERNET: u8 = 0;
    /// An IP packet.
    pub const IP: u8 = 2;
}

fn u16_at(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

/// Checks the length and the version nibble of a type II or III header.
fn check(b: &[u8], len: usize, version: u8) -> Result<()> {
    check_min_len(b, Layer::Erspan, len)?;
    let v = b[0] >> 4;
    if v != version {
        return Err(bad_field(Layer::Erspan, 0, "version", v.into()));
    }
    Ok(())
}

header_view! {
    /// A read-only view of an ERSPAN type II header.
    pub struct Type2<T>;
}

impl<T: AsRef<[u8]>> Type2<T> {
    /// Checks that the buffer holds the header and that its version is 1;
    /// after this no accessor panics.
    pub fn check_len(&self) -> Result<()> {
        check(self.buffer.as_ref(), TYPE2_LEN, VERSION_TYPE2)
    }

    /// Ver (1).
    #[inline]
    pub fn version(&self) -> u8 {
        self.buffer.as_ref()[0] >> 4
    }

    /// VLAN: the VLAN of the mirrored frame at the source.
    #[inline]
    pub fn vlan(&self) -> u16 {
        u16_at(self.buffer.as_ref(), field::VER_VLAN.start) & 0x0fff
    }

    /// COS: class of service of the mirrored frame.
    #[inline]
    pub fn cos(&self) -> u8 {
        (u16_at(self.buffer.as_ref(), field::COS_SESSION.start) >> 13) as u8
    }

    /// En: how the frame's VLAN tag was kept (0 untagged, 1 ISL, 2 802.1Q
    /// tag kept in the frame, 3 VLAN tag kept).
    #[inline]
    pub fn encapsulation_type(&self) -> u8 {
        ((u16_at(self.buffer.as_ref(), field::COS_SESSION.start) >> 11) & 0x3) as u8
    }

    /// T: the mirrored frame was cut to fit the tunnel MTU.
    #[inline]
    pub fn truncated(&self) -> bool {
        u16_at(self.buffer.as_ref(), field::COS_SESSION.start) & 0x0400 != 0
    }

    /// Session ID (10 bits).
    #[inline]
    pub fn session_id(&self) -> u16 {
        u16_at(self.buffer.as_ref(), field::COS_SESSION.start) & 0x03ff
    }

    /// Index: the port index of the source (20 bits).
    #[inline]
    pub fn index(&self) -> u32 {
        let b = &self.buffer.as_ref()[field::INDEX];
        u32::from_be_bytes([b[0], b[1], b[2], b[3]]) & 0x000f_ffff
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Type2<&'a T> {
    /// The mirrored frame.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        &self.buffer.as_ref()[TYPE2_LEN..]
    }
}

header_view! {
    /// A read-only view of an ERSPAN type III header.
    pub struct Type3<T>;
}

impl<T: AsRef<[u8]>> Type3<T> {
    /// Checks that the buffer holds the header (and its platform-specific
    /// subheader when O is set) and that its version is 2; after this no
    /// accessor panics.
    pub fn check_len(&self) -> Result<()> {
        let b = self.buffer.as_ref();
        check(b, TYPE3_LEN, VERSION_TYPE3)?;
        let len = self.header_len();
        if b.len() < len {
            return Err(truncated(Layer::Erspan, 0, len, b.len()));
        }
        Ok(())
    }

    /// Ver (2).
    #[inline]
    pub fn version(&self) -> u8 {
        self.buffer.as_ref()[0] >> 4
    }

    /// VLAN: the VLAN of the mirrored frame at the source.
    #[inline]
    pub fn vlan(&self) -> u16 {
        u16_at(self.buffer.as_ref(), field::VER_VLAN.start) & 0x0fff
    }

    /// COS: class of service of the mirrored frame.
    #[inline]
    pub fn cos(&self) -> u8 {
        (u16_at(self.buffer.as_ref(), field::COS_SESSION.start) >> 13) as u8
    }

    /// BSO: bad/short/oversized frame indicator.
    #[inline]
    pub fn bso(&self) -> u8 {
        ((u16_at(self.buffer.as_ref(), field::COS_SESSION.start) >> 11) & 0x3) as u8
    }

    /// T: the mirrored frame was cut to fit the tunnel MTU.
    #[inline]
    pub fn truncated(&self) -> bool {
        u16_at(self.buffer.as_ref(), field::COS_SESSION.start) & 0x0400 != 0
    }

    /// Session ID (10 bits).
    #[inline]
    pub fn session_id(&self) -> u16 {
        u16_at(self.buffer.as_ref(), field::COS_SESSION.start) & 0x03ff
    }

    /// Timestamp, in units given by [`Type3::granularity`].
    #[inline]
    pub fn timestamp(&self) -> u32 {
        let b = &self.buffer.as_ref()[field::TIMESTAMP];
        u32::from_be_bytes([b[0], b[1], b[2], b[3]])
    }

    /// SGT: security group tag.
    #[inline]
    pub fn sgt(&self) -> u16 {
        u16_at(self.buffer.as_ref(), field::SGT.start)
    }

    fn flags(&self) -> u16 {
        u16_at(self.buffer.as_ref(), field::FLAGS3.start)
    }

    /// P: the frame's protocol is a preserved Ethernet frame.
    #[inline]
    pub fn p(&self) -> bool {
        self.flags() & 0x8000 != 0
    }

    /// FT: frame type (see [`frame_type`]).
    #[inline]
    pub fn frame_type(&self) -> u8 {
        ((self.flags() >> 10) & 0x1f) as u8
    }

    /// Hw ID: the ERSPAN engine that sent the frame.
    #[inline]
    pub fn hardware_id(&self) -> u8 {
        ((self.flags() >> 4) & 0x3f) as u8
    }

    /// D: the frame was mirrored on egress (`true`) or on ingress (`false`).
    #[inline]
    pub fn egress(&self) -> bool {
        self.flags() & 0x0008 != 0
    }

    /// Gra: timestamp granularity (0: 100 µs, 1: 100 ns, 2: IEEE 1588).
    #[inline]
    pub fn granularity(&self) -> u8 {
        ((self.flags() >> 1) & 0x3) as u8
    }

    /// O: a platform-specific subheader follows.
    #[inline]
    pub fn optional_present(&self) -> bool {
        self.flags() & 0x0001 != 0
    }

    /// Length of the header with the platform-specific subheader.
    #[inline]
    pub fn header_len(&self) -> usize {
        TYPE3_LEN
            + if self.optional_present() {
                PLATFORM_LEN
            } else {
                0
            }
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Type3<&'a T> {
    /// The mirrored frame or packet.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        &self.buffer.as_ref()[self.header_len()..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn type2_fields() {
        // scapy 2.8.0: bytes(ERSPAN_II(vlan=100, cos=5, en=2, t=1,
        //                              session_id=0x3ff, index=0xabcde))
        let b = [0x10, 0x64, 0xb7, 0xff, 0x00, 0x0a, 0xbc, 0xde, 0xaa];
        let p = Type2::new_checked(&b[..]).unwrap();
        assert_eq!((p.version(), p.vlan(), p.cos()), (1, 100, 5));
        assert_eq!((p.encapsulation_type(), p.truncated()), (2, true));
        assert_eq!((p.session_id(), p.index()), (0x3ff, 0xabcde));
        assert_eq!(p.payload(), &[0xaa]);
    }

    #[test]
    fn type3_fields_and_platform_subheader() {
        // scapy 2.8.0: bytes(ERSPAN_III(vlan=0x123, cos=3, bso=1, t=0,
        //   session_id=513, timestamp=0xdeadbeef, sgt_other=0x4242, p=0, ft=0,
        //   hw=0x2a, d=1, gra=2, o=1)
        //   / ERSPAN_PlatformSpecific(platf_id=3, info1=5, info2=6))
        let b = [
            0x21, 0x23, 0x6a, 0x01, 0xde, 0xad, 0xbe, 0xef, 0x42, 0x42, 0x02, 0xad, 0x0c, 0x00,
            0x00, 0x05, 0x00, 0x00, 0x00, 0x06,
        ];
        let p = Type3::new_checked(&b[..]).unwrap();
        assert_eq!((p.version(), p.vlan(), p.cos(), p.bso()), (2, 0x123, 3, 1));
        assert!(!p.truncated());
        assert_eq!(
            (p.session_id(), p.timestamp(), p.sgt()),
            (513, 0xdead_beef, 0x4242)
        );
        assert!(!p.p());
        assert_eq!(
            (p.frame_type(), p.hardware_id()),
            (frame_type::ETHERNET, 0x2a)
        );
        assert!(p.egress() && p.optional_present());
        assert_eq!((p.granularity(), p.header_len()), (2, 20));
        assert!(p.payload().is_empty());
        // The subheader is announced but cut.
        let e = Type3::new_checked(&b[..15]).unwrap_err();
        assert_eq!(
            (e.layer, e.kind),
            (
                Layer::Erspan,
                ErrorKind::Truncated {
                    needed: 20,
                    available: 15
                }
            )
        );
    }

    #[test]
    fn type3_ip_frame_type() {
        // scapy 2.8.0: bytes(ERSPAN_III(session_id=7, ft=2, d=0))
        let b = [0x20, 0x00, 0x00, 0x07, 0, 0, 0, 0, 0, 0, 0x08, 0x00];
        let p = Type3::new_checked(&b[..]).unwrap();
        assert_eq!((p.session_id(), p.frame_type()), (7, frame_type::IP));
        assert!(!p.egress() && !p.optional_present());
    }

    #[test]
    fn version_nibble_is_checked() {
        let b = [0x20, 0x64, 0, 0, 0, 0, 0, 0];
        let e = Type2::new_checked(&b[..]).unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::BadField {
                field: "version",
                value: 2
            }
        );
        assert!(Type3::new_checked(&[0x20, 0, 0][..])
            .unwrap_err()
            .is_truncation());
    }
}

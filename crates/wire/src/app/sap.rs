//! SAP announcements (RFC 2974 §6).
//!
//! ```text
//!  0                   1                   2                   3
//! | V=1 |A|R|T|E|C|   auth len    |         msg id hash           |
//! :                originating source (32 or 128 bits)            :
//! |                    optional authentication data               |
//! |      optional payload type      |0|                           |
//! |                            payload                            |
//! ```
//!
//! AES67 devices (Dante among them) announce their streams this way to
//! 239.255.255.255:9875 (the project's domain notes §5.3): the payload is
//! an SDP text (see [`crate::app::sdp`]).

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::{app_view, array, bad_field, be16, check_min_len, truncated, Proto, Result};

/// The UDP port of SAP.
pub const PORT: u16 = 9875;
/// The payload type of an SDP payload.
pub const SDP_MIME: &[u8] = b"application/sdp";

app_view! {
    /// A read-only view of a SAP packet.
    pub struct Packet<T>;
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Checks the version (1; RFC 2974 §6 asks receivers to drop others,
    /// version 0 of the SDR era being read the same way is accepted) and
    /// that the header, origin and authentication data fit.
    pub fn check_len(&self) -> Result<()> {
        let b = self.buffer.as_ref();
        check_min_len(b, Proto::Sap, 4)?;
        if self.version() > 1 {
            return Err(bad_field(
                Proto::Sap,
                0,
                "version",
                u32::from(self.version()),
            ));
        }
        let need = self.payload_offset_raw();
        if b.len() < need {
            return Err(truncated(Proto::Sap, 4, need - 4, b.len() - 4));
        }
        Ok(())
    }

    fn b(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// V.
    #[inline]
    pub fn version(&self) -> u8 {
        self.b()[0] >> 5
    }

    /// A: the originating source is IPv6.
    #[inline]
    pub fn ipv6(&self) -> bool {
        self.b()[0] & 0x10 != 0
    }

    /// T: a deletion rather than an announcement.
    #[inline]
    pub fn is_deletion(&self) -> bool {
        self.b()[0] & 0x04 != 0
    }

    /// E: the payload is encrypted.
    #[inline]
    pub fn encrypted(&self) -> bool {
        self.b()[0] & 0x02 != 0
    }

    /// C: the payload is zlib-compressed.
    #[inline]
    pub fn compressed(&self) -> bool {
        self.b()[0] & 0x01 != 0
    }

    /// auth len, in 32-bit words.
    #[inline]
    pub fn auth_len(&self) -> u8 {
        self.b()[1]
    }

    /// msg id hash.
    #[inline]
    pub fn msg_id_hash(&self) -> u16 {
        be16(self.b(), 2).unwrap_or(0)
    }

    fn source_len(&self) -> usize {
        if self.ipv6() {
            16
        } else {
            4
        }
    }

    /// Offset after the origin and authentication data.
    fn payload_offset_raw(&self) -> usize {
        4 + self.source_len() + 4 * usize::from(self.auth_len())
    }

    /// originating source.
    pub fn originating_source(&self) -> Option<IpAddr> {
        if self.ipv6() {
            array::<16>(self.b(), 4).map(|a| IpAddr::V6(Ipv6Addr::from(a)))
        } else {
            array::<4>(self.b(), 4).map(|a| IpAddr::V4(Ipv4Addr::from(a)))
        }
    }

    /// The authentication data.
    pub fn auth_data(&self) -> &[u8] {
        let at = 4 + self.source_len();
        self.b().get(at..self.payload_offset_raw()).unwrap_or(&[])
    }

    /// The optional payload type (a MIME type before a NUL). RFC 2974 §6:
    /// absent when the payload starts with `v=0`, as SDR-era senders do.
    pub fn payload_type(&self) -> Option<&[u8]> {
        let rest = self.b().get(self.payload_offset_raw()..)?;
        if rest.starts_with(b"v=0") || self.encrypted() || self.compressed() {
            return None;
        }
        let nul = rest.iter().position(|&c| c == 0)?;
        Some(&rest[..nul])
    }

    /// Offset of the payload: after the payload type and its NUL when
    /// present.
    pub fn payload_offset(&self) -> usize {
        let at = self.payload_offset_raw();
        match self.payload_type() {
            Some(t) => at + t.len() + 1,
            None => at,
        }
    }

    /// The payload (an SDP text unless encrypted, compressed or of
    /// another payload type).
    pub fn payload(&self) -> &[u8] {
        self.b().get(self.payload_offset()..).unwrap_or(&[])
    }

    /// The payload when it is a plain SDP text: not encrypted or
    /// compressed, and either typed `application/sdp` or untyped.
    pub fn sdp(&self) -> Option<&[u8]> {
        if self.encrypted() || self.compressed() {
            return None;
        }
        match self.payload_type() {
            Some(t) if !t.eq_ignore_ascii_case(SDP_MIME) => None,
            _ => Some(self.payload()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::sdp::Sdp;

    fn announce(flags: u8, auth: &[u8], ptype: &[u8], body: &[u8]) -> Vec<u8> {
        let mut v = vec![flags, (auth.len() / 4) as u8, 0xbe, 0xef, 192, 168, 1, 11];
        v.extend_from_slice(auth);
        v.extend_from_slice(ptype);
        v.extend_from_slice(body);
        v
    }

    const SDP: &[u8] = b"v=0\r\no=- 1 1 IN IP4 192.168.1.11\r\ns=x\r\nm=audio 5004 RTP/AVP 96\r\n";

    #[test]
    fn announce_with_payload_type() {
        // RFC 2974 §6 / domain notes §5.3: 0x20 = V1 announce, IPv4.
        let b = announce(0x20, &[], b"application/sdp\0", SDP);
        let p = Packet::new_checked(&b[..]).unwrap();
        assert_eq!((p.version(), p.ipv6(), p.is_deletion()), (1, false, false));
        assert_eq!(
            (p.encrypted(), p.compressed(), p.auth_len()),
            (false, false, 0)
        );
        assert_eq!(p.msg_id_hash(), 0xbeef);
        assert_eq!(
            p.originating_source(),
            Some(IpAddr::V4(Ipv4Addr::new(192, 168, 1, 11)))
        );
        assert_eq!(p.payload_type(), Some(SDP_MIME));
        assert_eq!(p.payload_offset(), 24);
        assert_eq!(p.sdp(), Some(SDP));
        assert_eq!(Sdp::new(p.sdp().unwrap()).media().count(), 1);
    }

    #[test]
    fn deletion_without_type_and_with_auth() {
        let b = announce(0x24, &[1, 2, 3, 4], b"", SDP);
        let p = Packet::new_checked(&b[..]).unwrap();
        assert!(p.is_deletion());
        assert_eq!(p.auth_data(), &[1, 2, 3, 4]);
        assert_eq!(p.payload_type(), None);
        assert_eq!(p.sdp(), Some(SDP));
        let enc = announce(0x22, &[], b"", b"\x00\x01secret");
        let p = Packet::new_checked(&enc[..]).unwrap();
        assert_eq!((p.encrypted(), p.sdp()), (true, None));
        let other = announce(0x20, &[], b"text/plain\0", b"hello");
        assert_eq!(Packet::new_checked(&other[..]).unwrap().sdp(), None);
    }

    #[test]
    fn ipv6_origin_and_short_buffers() {
        let mut b = vec![0x30, 0, 0, 1];
        b.extend_from_slice(&[0x20, 0x01, 0x0d, 0xb8]);
        b.extend_from_slice(&[0; 11]);
        b.push(1);
        let p = Packet::new_checked(&b[..]).unwrap();
        assert_eq!(p.originating_source(), Some("2001:db8::1".parse().unwrap()));
        assert!(Packet::new_checked(&b[..19]).unwrap_err().is_truncation());
        assert!(Packet::new_checked(&[0x20, 2, 0, 0, 1, 2, 3, 4][..]).is_err());
        assert!(Packet::new_checked(&[0x60, 0, 0, 0, 1, 2, 3, 4][..]).is_err());
    }
}

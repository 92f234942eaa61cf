//! STUN messages (RFC 5389 §6), for telling STUN/TURN apart from RTP on a
//! media port: both share ports under ICE, and RFC 7983 demultiplexes by
//! the first octet (0-3 STUN, 128-191 RTP/RTCP).
//!
//! ```text
//! |0 0|  STUN Message Type (14)   |        Message Length         |
//! |                   Magic Cookie = 0x2112A442                   |
//! |                Transaction ID (96 bits)                       |
//! ```
//!
//! Attributes follow as type (16), length (16) and a value padded to a
//! multiple of 4 octets. Classic STUN (RFC 3489) has no magic cookie and
//! is not recognised here.

use super::{app_view, be16, be32, check_min_len, length_mismatch, Proto, Result};

/// The magic cookie.
pub const MAGIC_COOKIE: u32 = 0x2112_A442;
/// Length of the header.
pub const HEADER_LEN: usize = 20;
/// The UDP/TCP port of STUN and TURN.
pub const PORT: u16 = 3478;

/// The class of a message (RFC 5389 §6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Class {
    /// Request.
    Request,
    /// Indication.
    Indication,
    /// Success response.
    SuccessResponse,
    /// Error response.
    ErrorResponse,
}

app_view! {
    /// A read-only view of a STUN message.
    pub struct Packet<T>;
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Checks the header: 20 octets, top two bits zero, magic cookie, a
    /// message length that is a multiple of 4 and fits the buffer.
    pub fn check_len(&self) -> Result<()> {
        let b = self.buffer.as_ref();
        check_min_len(b, Proto::Stun, HEADER_LEN)?;
        if b[0] & 0xc0 != 0 {
            return Err(super::bad_field(
                Proto::Stun,
                0,
                "message_type",
                u32::from(b[0] >> 6),
            ));
        }
        if self.magic_cookie() != MAGIC_COOKIE {
            return Err(super::bad_field(
                Proto::Stun,
                4,
                "magic_cookie",
                self.magic_cookie(),
            ));
        }
        let len = usize::from(self.message_length());
        if len % 4 != 0 {
            return Err(super::bad_field(
                Proto::Stun,
                2,
                "message_length",
                len as u32,
            ));
        }
        if HEADER_LEN + len > b.len() {
            return Err(length_mismatch(
                Proto::Stun,
                2,
                "message_length",
                len,
                b.len() - HEADER_LEN,
            ));
        }
        Ok(())
    }

    /// The 14-bit message type.
    pub fn message_type(&self) -> u16 {
        be16(self.buffer.as_ref(), 0).unwrap_or(0) & 0x3fff
    }

    /// The method (Binding = 1; TURN Allocate = 3, ...).
    pub fn method(&self) -> u16 {
        let t = self.message_type();
        (t & 0x000f) | ((t & 0x00e0) >> 1) | ((t & 0x3e00) >> 2)
    }

    /// The class.
    pub fn class(&self) -> Class {
        let t = self.message_type();
        match ((t >> 7) & 0x2) | ((t >> 4) & 0x1) {
            0 => Class::Request,
            1 => Class::Indication,
            2 => Class::SuccessResponse,
            _ => Class::ErrorResponse,
        }
    }

    /// Message Length (octets after the header).
    pub fn message_length(&self) -> u16 {
        be16(self.buffer.as_ref(), 2).unwrap_or(0)
    }

    /// Magic Cookie.
    pub fn magic_cookie(&self) -> u32 {
        be32(self.buffer.as_ref(), 4).unwrap_or(0)
    }

    /// Transaction ID.
    pub fn transaction_id(&self) -> [u8; 12] {
        super::array::<12>(self.buffer.as_ref(), 8).unwrap_or_default()
    }

    /// The attributes as (type, value); stops at one that does not fit.
    pub fn attributes(&self) -> impl Iterator<Item = (u16, &[u8])> + '_ {
        let b = self.buffer.as_ref();
        let end = (HEADER_LEN + usize::from(self.message_length())).min(b.len());
        let mut at = HEADER_LEN;
        core::iter::from_fn(move || {
            let t = be16(&b[..end], at)?;
            let len = usize::from(be16(&b[..end], at + 2)?);
            let value = b[..end].get(at + 4..at + 4 + len)?;
            at += 4 + len.next_multiple_of(4);
            Some((t, value))
        })
    }
}

/// True when `payload` is a whole STUN message (header checks of
/// [`Packet::check_len`] and a length that matches the datagram).
pub fn is_stun(payload: &[u8]) -> bool {
    Packet::new_checked(payload)
        .is_ok_and(|p| HEADER_LEN + usize::from(p.message_length()) == payload.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 5769 §2.1: sample request (software, priority, ice-controlled,
    // username, message-integrity, fingerprint).
    const REQUEST: [u8; 108] = [
        0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42, 0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6,
        0x86, 0xfa, 0x87, 0xdf, 0xae, 0x80, 0x22, 0x00, 0x10, 0x53, 0x54, 0x55, 0x4e, 0x20, 0x74,
        0x65, 0x73, 0x74, 0x20, 0x63, 0x6c, 0x69, 0x65, 0x6e, 0x74, 0x00, 0x24, 0x00, 0x04, 0x6e,
        0x00, 0x01, 0xff, 0x80, 0x29, 0x00, 0x08, 0x93, 0x2f, 0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36,
        0x00, 0x06, 0x00, 0x09, 0x65, 0x76, 0x74, 0x6a, 0x3a, 0x68, 0x36, 0x76, 0x59, 0x20, 0x20,
        0x20, 0x00, 0x08, 0x00, 0x14, 0x9a, 0xea, 0xa7, 0x0c, 0xbf, 0xd8, 0xcb, 0x56, 0x78, 0x1e,
        0xf2, 0xb5, 0xb2, 0xd3, 0xf2, 0x49, 0xc1, 0xb5, 0x71, 0xa2, 0x80, 0x28, 0x00, 0x04, 0xe5,
        0x7a, 0x3b, 0xcf,
    ];

    #[test]
    fn rfc_5769_request() {
        assert!(is_stun(&REQUEST));
        let p = Packet::new_checked(&REQUEST[..]).unwrap();
        assert_eq!((p.method(), p.class()), (1, Class::Request));
        assert_eq!(p.message_length(), 0x58);
        assert_eq!(p.transaction_id()[0], 0xb7);
        let types: Vec<u16> = p.attributes().map(|(t, _)| t).collect();
        assert_eq!(types, vec![0x8022, 0x0024, 0x8029, 0x0006, 0x0008, 0x8028]);
        let (_, software) = p.attributes().next().unwrap();
        assert_eq!(software, b"STUN test client");
    }

    #[test]
    fn rejects_rtp_and_bad_lengths() {
        let rtp = [
            0x80u8, 0, 0, 1, 0x21, 0x12, 0xa4, 0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ];
        assert!(!is_stun(&rtp));
        let mut b = REQUEST;
        b[3] = 0x59;
        assert!(!is_stun(&b));
        let mut b = REQUEST;
        b[4] = 0;
        assert!(Packet::new_checked(&b[..]).is_err());
        assert!(!is_stun(&REQUEST[..107]));
        // A success response: class bits 0x0100.
        let mut b = REQUEST;
        b[0] = 0x01;
        assert_eq!(
            Packet::new_checked(&b[..]).unwrap().class(),
            Class::SuccessResponse
        );
    }
}

//! RTP data packets (RFC 3550 §5.1) and the static payload types of the
//! audio/video profile (RFC 3551 §6).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! |V=2|P|X|  CC   |M|     PT      |       sequence number         |
//! |                           timestamp                           |
//! |           synchronization source (SSRC) identifier            |
//! |            contributing source (CSRC) identifiers             |  CC × 32 bits
//! |  defined by profile (X=1)     |           length              |  then length × 32 bits
//! ```
//!
//! [`Packet::check_len`] checks what makes a payload readable as RTP: the
//! fixed header, the CSRC list and the extension fit, and a padding count
//! (P set) is non-zero and leaves the header intact. [`check_plausible`]
//! adds the header tests a content detector uses before calling a UDP
//! payload RTP (docs/detectors.md; Wireshark's `rtp_udp` heuristic and
//! nDPI's packet test as summarised in the project's domain notes):
//! version 2 and a payload type outside 72-76, the range that with the
//! marker bit set reads as RTCP SR..APP (RFC 3551 §6, RFC 5761 §4).

use super::{app_view, bad_field, be16, be32, length_mismatch, truncated, Proto, Result};

mod field {
    pub const FLAGS: usize = 0;
    pub const MARKER_PT: usize = 1;
    pub const SEQUENCE: usize = 2;
    pub const TIMESTAMP: usize = 4;
    pub const SSRC: usize = 8;
    pub const CSRC: usize = 12;
}

/// Length of the fixed header.
pub const HEADER_LEN: usize = 12;
/// RTP version of RFC 3550.
pub const VERSION: u8 = 2;
/// RFC 8285 one-byte header extension profile.
pub const EXTENSION_ONE_BYTE: u16 = 0xBEDE;

app_view! {
    /// A read-only view of an RTP packet.
    pub struct Packet<T>;
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Checks that the fixed header, the CSRC list and the header
    /// extension fit and that a padding count (P set) is 1..=bytes after
    /// the header. The version is not checked (see [`check_plausible`]).
    pub fn check_len(&self) -> Result<()> {
        self.payload_range().map(|_| ())
    }

    fn byte(&self, at: usize) -> u8 {
        self.buffer.as_ref()[at]
    }

    /// Version (V), 2 bits.
    #[inline]
    pub fn version(&self) -> u8 {
        self.byte(field::FLAGS) >> 6
    }

    /// Padding (P).
    #[inline]
    pub fn padding(&self) -> bool {
        self.byte(field::FLAGS) & 0x20 != 0
    }

    /// Extension (X).
    #[inline]
    pub fn extension(&self) -> bool {
        self.byte(field::FLAGS) & 0x10 != 0
    }

    /// CSRC count (CC).
    #[inline]
    pub fn csrc_count(&self) -> u8 {
        self.byte(field::FLAGS) & 0x0f
    }

    /// Marker (M).
    #[inline]
    pub fn marker(&self) -> bool {
        self.byte(field::MARKER_PT) & 0x80 != 0
    }

    /// Payload type (PT), 7 bits.
    #[inline]
    pub fn payload_type(&self) -> u8 {
        self.byte(field::MARKER_PT) & 0x7f
    }

    /// Sequence number.
    #[inline]
    pub fn sequence_number(&self) -> u16 {
        be16(self.buffer.as_ref(), field::SEQUENCE).unwrap_or(0)
    }

    /// Timestamp, in media clock units.
    #[inline]
    pub fn timestamp(&self) -> u32 {
        be32(self.buffer.as_ref(), field::TIMESTAMP).unwrap_or(0)
    }

    /// Synchronization source identifier.
    #[inline]
    pub fn ssrc(&self) -> u32 {
        be32(self.buffer.as_ref(), field::SSRC).unwrap_or(0)
    }

    /// The contributing sources present in the buffer (at most CC).
    pub fn csrcs(&self) -> impl Iterator<Item = u32> + '_ {
        let b = self.buffer.as_ref();
        (0..usize::from(self.csrc_count())).map_while(move |i| be32(b, field::CSRC + 4 * i))
    }

    /// Offset of the header extension (when X is set).
    #[inline]
    fn extension_offset(&self) -> usize {
        field::CSRC + 4 * usize::from(self.csrc_count())
    }

    /// The extension's "defined by profile" field and its length in
    /// 32-bit words, when X is set and the extension header is present.
    pub fn extension_header(&self) -> Option<(u16, u16)> {
        if !self.extension() {
            return None;
        }
        let b = self.buffer.as_ref();
        let at = self.extension_offset();
        Some((be16(b, at)?, be16(b, at + 2)?))
    }

    /// The extension data after its 4-octet header, when present.
    pub fn extension_data(&self) -> Option<&[u8]> {
        let (_, words) = self.extension_header()?;
        let at = self.extension_offset() + 4;
        self.buffer.as_ref().get(at..at + 4 * usize::from(words))
    }

    /// Length of the whole header: 12 + 4·CC, plus 4 + 4·length when X is
    /// set. An error when those octets are not all present.
    pub fn header_len(&self) -> Result<usize> {
        let b = self.buffer.as_ref();
        let mut len = self.extension_offset();
        if b.len() < len {
            return Err(truncated(
                Proto::Rtp,
                HEADER_LEN,
                len - HEADER_LEN,
                b.len().saturating_sub(HEADER_LEN),
            ));
        }
        if self.extension() {
            let Some(words) = be16(b, len + 2) else {
                return Err(truncated(Proto::Rtp, len, 4, b.len() - len));
            };
            let ext = 4 + 4 * usize::from(words);
            if b.len() - len < ext {
                return Err(length_mismatch(
                    Proto::Rtp,
                    len + 2,
                    "extension_length",
                    ext,
                    b.len() - len,
                ));
            }
            len += ext;
        }
        Ok(len)
    }

    /// Padding octets at the end (0 when P is clear or the count is out of
    /// range).
    pub fn padding_len(&self) -> usize {
        let b = self.buffer.as_ref();
        if !self.padding() {
            return 0;
        }
        let (Some(&count), Ok(header)) = (b.last(), self.header_len()) else {
            return 0;
        };
        let count = usize::from(count);
        if count <= b.len() - header {
            count
        } else {
            0
        }
    }

    /// Byte range of the payload: after the header, before the padding.
    /// An error when the header does not fit or the padding count (P
    /// set) is 0 or larger than what follows the header.
    pub fn payload_range(&self) -> Result<core::ops::Range<usize>> {
        let b = self.buffer.as_ref();
        if b.len() < HEADER_LEN {
            return Err(truncated(Proto::Rtp, 0, HEADER_LEN, b.len()));
        }
        let start = self.header_len()?;
        let mut end = b.len();
        if self.padding() {
            let count = usize::from(b[b.len() - 1]);
            let room = b.len() - start;
            if count == 0 || count > room {
                return Err(length_mismatch(
                    Proto::Rtp,
                    b.len() - 1,
                    "padding",
                    count,
                    room,
                ));
            }
            end -= count;
        }
        Ok(start..end)
    }

    /// The payload (after the header, without padding).
    pub fn payload(&self) -> Result<&[u8]> {
        let r = self.payload_range()?;
        Ok(&self.buffer.as_ref()[r])
    }

    /// True when the second octet reads as an RTCP packet type 192-223
    /// (marker set with PT 64-95): on a shared port this is RTCP, not RTP
    /// (RFC 5761 §4).
    #[inline]
    pub fn is_rtcp_range(&self) -> bool {
        (192..=223).contains(&self.byte(field::MARKER_PT))
    }
}

/// The header tests a detector applies before taking a payload for RTP:
/// at least the fixed header, version 2, payload type not in 72-76, CSRCs
/// and extension fit, padding count valid. Returns the first failed test.
pub fn check_plausible(payload: &[u8]) -> Result<Packet<&[u8]>> {
    let p = Packet::new_unchecked(payload);
    if payload.len() < HEADER_LEN {
        return Err(truncated(Proto::Rtp, 0, HEADER_LEN, payload.len()));
    }
    if p.version() != VERSION {
        return Err(bad_field(Proto::Rtp, 0, "version", u32::from(p.version())));
    }
    if is_rtcp_conflict(p.payload_type()) {
        return Err(bad_field(
            Proto::Rtp,
            1,
            "payload_type",
            u32::from(p.payload_type()),
        ));
    }
    p.check_len()?;
    Ok(p)
}

/// True for [`check_plausible`]'s tests.
#[inline]
pub fn is_plausible(payload: &[u8]) -> bool {
    check_plausible(payload).is_ok()
}

/// Payload types 72-76, reserved because with the marker bit they read as
/// RTCP SR, RR, SDES, BYE and APP (RFC 3551 §6).
#[inline]
pub const fn is_rtcp_conflict(pt: u8) -> bool {
    matches!(pt, 72..=76)
}

/// Dynamic payload types 96-127 (RFC 3551 §6), bound by signalling.
#[inline]
pub const fn is_dynamic(pt: u8) -> bool {
    matches!(pt, 96..=127)
}

/// What a static payload type carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Media {
    /// Audio (RFC 3551 Table 4).
    Audio,
    /// Video (RFC 3551 Table 5).
    Video,
    /// Audio and video (MP2T).
    AudioVideo,
}

/// One row of RFC 3551 Tables 4 and 5.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StaticPayloadType {
    /// The payload type number.
    pub pt: u8,
    /// Encoding name as in SDP `a=rtpmap`.
    pub encoding: &'static str,
    /// Media kind.
    pub media: Media,
    /// RTP clock rate in Hz.
    pub clock_rate: u32,
    /// Channels (`None` where the table leaves it open: MPA and video).
    pub channels: Option<u8>,
}

const fn a(pt: u8, encoding: &'static str, clock_rate: u32, channels: u8) -> StaticPayloadType {
    StaticPayloadType {
        pt,
        encoding,
        media: Media::Audio,
        clock_rate,
        channels: Some(channels),
    }
}

const fn v(pt: u8, encoding: &'static str, media: Media) -> StaticPayloadType {
    StaticPayloadType {
        pt,
        encoding,
        media,
        clock_rate: 90_000,
        channels: None,
    }
}

/// RFC 3551 §6, Tables 4 and 5: the assigned static payload types.
/// PT 1, 2 and 19 are reserved; 20-24, 27, 29, 30 and 35-95 unassigned
/// (72-76 reserved against RTCP); 96-127 dynamic.
pub const STATIC_PAYLOAD_TYPES: [StaticPayloadType; 24] = [
    a(0, "PCMU", 8000, 1),
    a(3, "GSM", 8000, 1),
    a(4, "G723", 8000, 1),
    a(5, "DVI4", 8000, 1),
    a(6, "DVI4", 16000, 1),
    a(7, "LPC", 8000, 1),
    a(8, "PCMA", 8000, 1),
    a(9, "G722", 8000, 1),
    a(10, "L16", 44100, 2),
    a(11, "L16", 44100, 1),
    a(12, "QCELP", 8000, 1),
    a(13, "CN", 8000, 1),
    StaticPayloadType {
        pt: 14,
        encoding: "MPA",
        media: Media::Audio,
        clock_rate: 90_000,
        channels: None,
    },
    a(15, "G728", 8000, 1),
    a(16, "DVI4", 11025, 1),
    a(17, "DVI4", 22050, 1),
    a(18, "G729", 8000, 1),
    v(25, "CelB", Media::Video),
    v(26, "JPEG", Media::Video),
    v(28, "nv", Media::Video),
    v(31, "H261", Media::Video),
    v(32, "MPV", Media::Video),
    v(33, "MP2T", Media::AudioVideo),
    v(34, "H263", Media::Video),
];

/// The static payload type `pt`, if RFC 3551 assigns one.
pub fn static_payload_type(pt: u8) -> Option<&'static StaticPayloadType> {
    STATIC_PAYLOAD_TYPES.iter().find(|s| s.pt == pt)
}

/// Clock rate of a static payload type, in Hz.
#[inline]
pub fn static_clock_rate(pt: u8) -> Option<u32> {
    static_payload_type(pt).map(|s| s.clock_rate)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::ErrorKind;

    // Hand-laid from the RFC 3550 §5.1 figure: V=2, P=0, X=0, CC=0, M=0,
    // PT=0, seq 0x1234, ts 0x00000a0b, SSRC 0xdeadbeef, 4 octets payload.
    const PCMU: [u8; 16] = [
        0x80, 0x00, 0x12, 0x34, 0x00, 0x00, 0x0a, 0x0b, 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4,
    ];

    #[test]
    fn fixed_header_fields() {
        let p = Packet::new_checked(&PCMU[..]).unwrap();
        assert_eq!((p.version(), p.padding(), p.extension()), (2, false, false));
        assert_eq!(
            (p.csrc_count(), p.marker(), p.payload_type()),
            (0, false, 0)
        );
        assert_eq!(p.sequence_number(), 0x1234);
        assert_eq!(p.timestamp(), 0x0a0b);
        assert_eq!(p.ssrc(), 0xdead_beef);
        assert_eq!(p.header_len().unwrap(), 12);
        assert_eq!(p.payload().unwrap(), &[1, 2, 3, 4]);
        assert!(is_plausible(&PCMU));
    }

    #[test]
    fn csrc_extension_and_padding_bounds() {
        // CC=1, X=1 (one-byte form, 1 word), P=1 with 2 padding octets.
        let b = [
            0xb1, 0xe0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, // fixed, M=1 PT=96
            0, 0, 0, 9, // CSRC
            0xbe, 0xde, 0, 1, 0x10, 0xff, 0, 0, // extension
            7, 7, 7, 0, 2, // payload, padding count 2
        ];
        let p = Packet::new_checked(&b[..]).unwrap();
        assert!(p.marker() && p.padding() && p.extension());
        assert_eq!(p.payload_type(), 96);
        assert_eq!(p.csrcs().collect::<Vec<_>>(), vec![9]);
        assert_eq!(p.extension_header(), Some((EXTENSION_ONE_BYTE, 1)));
        assert_eq!(p.extension_data(), Some(&[0x10, 0xff, 0, 0][..]));
        assert_eq!(p.header_len().unwrap(), 24);
        assert_eq!(p.padding_len(), 2);
        assert_eq!(p.payload().unwrap(), &[7, 7, 7]);
    }

    #[test]
    fn rejects_what_does_not_fit() {
        let mut b = PCMU;
        b[0] = 0x82; // CC=2 needs 8 more octets, 4 present
        let e = Packet::new_checked(&b[..]).unwrap_err();
        assert!(e.is_truncation());
        b[0] = 0x90; // X=1, extension header claims 0x0304 words
        let e = Packet::new_checked(&b[..]).unwrap_err();
        assert_eq!(e.offset, 14);
        b[0] = 0xa0; // P=1 with count 4 = whole payload: allowed
        assert_eq!(Packet::new_checked(&b[..]).unwrap().payload().unwrap(), &[]);
        b[15] = 0; // count 0
        assert!(matches!(
            Packet::new_checked(&b[..]).unwrap_err().kind,
            ErrorKind::LengthMismatch {
                field: "padding",
                ..
            }
        ));
        assert!(Packet::new_checked(&b[..11]).unwrap_err().is_truncation());
    }

    #[test]
    fn plausibility_rejects_version_and_rtcp_types() {
        let mut b = PCMU;
        b[0] = 0x40;
        let e = check_plausible(&b).unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::BadField {
                field: "version",
                value: 1
            }
        );
        for pt in 72..=76u8 {
            b[0] = 0x80;
            b[1] = 0x80 | pt; // marker + PT reads as RTCP 200..204
            let e = check_plausible(&b).unwrap_err();
            assert_eq!(e.offset, 1);
            assert!(Packet::new_unchecked(&b[..]).is_rtcp_range());
        }
        b[1] = 77;
        assert!(is_plausible(&b));
    }

    #[test]
    fn static_table_matches_rfc_3551() {
        // RFC 3551 Table 4/5 rows.
        let pcma = static_payload_type(8).unwrap();
        assert_eq!(
            (pcma.encoding, pcma.clock_rate, pcma.channels),
            ("PCMA", 8000, Some(1))
        );
        assert_eq!(static_clock_rate(9), Some(8000)); // G722 quirk
        assert_eq!(static_payload_type(10).unwrap().channels, Some(2));
        assert_eq!(static_clock_rate(16), Some(11025));
        assert_eq!(static_payload_type(33).unwrap().media, Media::AudioVideo);
        assert_eq!(static_clock_rate(34), Some(90_000));
        for pt in [1, 2, 19, 20, 24, 27, 29, 30, 35, 72, 95, 96, 127] {
            assert_eq!(static_payload_type(pt), None, "pt {pt}");
        }
        assert!(is_dynamic(96) && !is_dynamic(95));
    }
}

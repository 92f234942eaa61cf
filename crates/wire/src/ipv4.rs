//! IPv4 (RFC 791), decoded with etherparse's lax slicer.
//!
//! The header may carry options (IHL > 5) and an Authentication Header
//! (RFC 4302) before the upper layer. A total length above the bytes present
//! is truncation by the capture and not an error; total length 0 is what a
//! sender with TCP segmentation offload hands to the capture point, and is
//! read as "up to the end of the frame" (as Wireshark does). IHL below 5 and
//! a non-zero total length below the header length are malformed.

use core::net::Ipv4Addr;

use etherparse::err::ip_auth::HeaderError as AuthHeaderError;
use etherparse::err::ip_auth::HeaderSliceError as AuthSliceError;
use etherparse::err::ipv4::{HeaderError, HeaderSliceError};
use etherparse::LaxIpv4Slice;

use crate::error::{bad_field, truncated, Layer, Result};
use crate::ip::IpPayload;

mod field {
    use core::ops::Range;

    pub const VER_IHL: usize = 0;
    pub const TOTAL_LENGTH: Range<usize> = 2..4;
}

/// Length of an IPv4 header without options.
pub const MIN_HEADER_LEN: usize = 20;

/// Offset of the Total Length field in the header.
pub const TOTAL_LENGTH_OFFSET: usize = field::TOTAL_LENGTH.start;

/// The fixed IPv4 header fields of one packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ipv4Facts {
    /// Source Address.
    pub source_address: Ipv4Addr,
    /// Destination Address.
    pub destination_address: Ipv4Addr,
    /// Internet Header Length in 32-bit words (5 without options).
    pub ihl: u8,
    /// Differentiated Services Code Point (RFC 2474), 6 bits.
    pub dscp: u8,
    /// Explicit Congestion Notification (RFC 3168), 2 bits.
    pub ecn: u8,
    /// Total Length in octets, header included (0 from segmentation offload).
    pub total_length: u16,
    /// Identification of the datagram (ties fragments together).
    pub identification: u16,
    /// DF flag.
    pub dont_fragment: bool,
    /// MF flag.
    pub more_fragments: bool,
    /// Fragment Offset in units of 8 octets.
    pub fragment_offset: u16,
    /// Time to Live.
    pub time_to_live: u8,
    /// Protocol field of the fixed header (51 when an AH follows).
    pub protocol: u8,
    /// Header Checksum (not verified: captures from the sending host carry
    /// offloaded, unfilled checksums).
    pub header_checksum: u16,
}

impl Ipv4Facts {
    /// Header length in octets, options included.
    #[inline]
    pub const fn header_len(&self) -> usize {
        self.ihl as usize * 4
    }

    /// Fragment offset in octets.
    #[inline]
    pub const fn fragment_offset_len(&self) -> usize {
        self.fragment_offset as usize * 8
    }

    /// True for any fragment of a fragmented datagram (MF set or offset non-zero).
    #[inline]
    pub const fn is_fragment(&self) -> bool {
        self.more_fragments || self.fragment_offset != 0
    }

    /// True for a fragment other than the first: it carries no transport header.
    #[inline]
    pub const fn is_later_fragment(&self) -> bool {
        self.fragment_offset != 0
    }
}

/// Decodes an IPv4 header (with options and AH) at the start of `bytes`.
/// Error offsets are relative to `bytes`.
#[inline]
pub(crate) fn parse(bytes: &[u8]) -> Result<(Ipv4Facts, IpPayload<'_>)> {
    let (ip, auth_err) = LaxIpv4Slice::from_slice(bytes).map_err(|e| match e {
        HeaderSliceError::Len(l) => truncated(Layer::Ipv4, 0, l.required_len, l.len),
        HeaderSliceError::Content(HeaderError::UnexpectedVersion { version_number }) => bad_field(
            Layer::Ipv4,
            field::VER_IHL,
            "version",
            version_number.into(),
        ),
        HeaderSliceError::Content(HeaderError::HeaderLengthSmallerThanHeader { ihl }) => {
            bad_field(Layer::Ipv4, field::VER_IHL, "ihl", ihl.into())
        }
    })?;
    let h = ip.header();
    let facts = Ipv4Facts {
        source_address: h.source_addr(),
        destination_address: h.destination_addr(),
        ihl: h.ihl(),
        dscp: h.dcp().value(),
        ecn: h.ecn().value(),
        total_length: h.total_len(),
        identification: h.identification(),
        dont_fragment: h.dont_fragment(),
        more_fragments: h.more_fragments(),
        fragment_offset: h.fragments_offset().value(),
        time_to_live: h.ttl(),
        protocol: h.protocol().0,
        header_checksum: h.header_checksum(),
    };
    let header_len = facts.header_len();
    let p = ip.payload();
    let mut stop = None;
    if facts.total_length != 0 && usize::from(facts.total_length) < header_len {
        stop = Some(bad_field(
            Layer::Ipv4,
            field::TOTAL_LENGTH.start,
            "total_length",
            facts.total_length.into(),
        ));
    } else if let Some(e) = auth_err {
        // The AH starts right after the header (and options).
        stop = Some(match e {
            AuthSliceError::Len(l) => truncated(Layer::Ipv4, header_len, l.required_len, l.len),
            AuthSliceError::Content(AuthHeaderError::ZeroPayloadLen) => {
                bad_field(Layer::Ipv4, header_len + 1, "ah payload_len", 0)
            }
        });
    }
    let payload = IpPayload::from_lax(
        bytes,
        p,
        facts.is_fragment(),
        !facts.is_later_fragment(),
        stop,
    );
    Ok((facts, payload))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    // RFC 791 §3.1 layout, filled by hand: IHL 6 with a Router Alert option
    // (RFC 2113: 94 04 00 00), as IGMP reports carry it.
    const WITH_OPTION: [u8; 28] = [
        0x46, 0xc0, 0x00, 0x1c, // version 4, IHL 6, DSCP 48 (CS6), ECN 0, total length 28
        0x12, 0x34, 0x40, 0x00, // id 0x1234, DF
        0x01, 0x02, 0xab, 0xcd, // TTL 1, IGMP, checksum
        192, 168, 1, 10, // source
        224, 0, 0, 22, // destination
        0x94, 0x04, 0x00, 0x00, // router alert
        0x22, 0x00, 0xf9, 0xfd, // 4 bytes of IGMP
    ];

    #[test]
    fn parse_reads_fixed_fields_and_skips_options() {
        let (f, p) = parse(&WITH_OPTION).unwrap();
        assert_eq!(f.source_address, Ipv4Addr::new(192, 168, 1, 10));
        assert_eq!(f.destination_address, Ipv4Addr::new(224, 0, 0, 22));
        assert_eq!((f.ihl, f.header_len()), (6, 24));
        assert_eq!((f.dscp, f.ecn), (48, 0));
        assert_eq!((f.total_length, f.identification), (28, 0x1234));
        assert!(f.dont_fragment && !f.more_fragments && !f.is_fragment());
        assert_eq!(
            (f.time_to_live, f.protocol, f.header_checksum),
            (1, 2, 0xabcd)
        );
        assert_eq!((p.offset, p.data), (24, &WITH_OPTION[24..]));
        assert_eq!(p.protocol, 2);
        assert!(!p.truncated && p.stop.is_none());
    }

    #[test]
    fn parse_marks_total_length_beyond_bytes_as_truncated() {
        let (_, p) = parse(&WITH_OPTION[..26]).unwrap();
        assert!(p.truncated);
        assert_eq!(p.data, &WITH_OPTION[24..26]);
    }

    #[test]
    fn parse_bounds_payload_by_total_length() {
        let mut b = WITH_OPTION;
        b[3] = 26; // total length 26: two trailing bytes are link padding
        let (_, p) = parse(&b).unwrap();
        assert_eq!(p.data, &b[24..26]);
        assert!(!p.truncated);
    }

    #[test]
    fn parse_rejects_ihl_below_five() {
        let mut b = WITH_OPTION;
        b[0] = 0x44;
        let e = parse(&b).unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::BadField {
                field: "ihl",
                value: 4
            }
        );
        assert_eq!((e.layer, e.offset), (Layer::Ipv4, 0));
    }

    #[test]
    fn parse_rejects_total_length_below_header() {
        let mut b = WITH_OPTION;
        b[3] = 20; // header is 24 bytes
        let (f, p) = parse(&b).unwrap();
        assert_eq!(f.total_length, 20);
        let e = p.stop.unwrap();
        assert_eq!(
            e.kind,
            ErrorKind::BadField {
                field: "total_length",
                value: 20
            }
        );
        assert_eq!(e.offset, 2);
    }

    #[test]
    fn parse_reads_zero_total_length_as_offload() {
        let mut b = WITH_OPTION;
        b[2] = 0;
        b[3] = 0;
        let (_, p) = parse(&b).unwrap();
        assert!(p.stop.is_none());
        assert_eq!(p.data.len(), 4);
    }

    #[test]
    fn parse_rejects_wrong_version_and_short_options() {
        let mut b = WITH_OPTION;
        b[0] = 0x65;
        let e = parse(&b).unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::BadField {
                field: "version",
                value: 6
            }
        );
        let e = parse(&WITH_OPTION[..22]).unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::Truncated {
                needed: 24,
                available: 22
            }
        );
    }

    #[test]
    fn parse_keeps_fragment_fields() {
        let mut b = WITH_OPTION;
        b[6] = 0x20; // MF, offset high bits 0
        b[7] = 0x00;
        let (f, p) = parse(&b).unwrap();
        assert!(f.more_fragments && f.is_fragment() && !f.is_later_fragment());
        assert!(p.fragmented && p.first_fragment);
        b[6] = 0x00;
        b[7] = 0xb9; // offset 185 * 8 = 1480
        let (f, p) = parse(&b).unwrap();
        assert_eq!((f.fragment_offset, f.fragment_offset_len()), (185, 1480));
        assert!(p.fragmented && !p.first_fragment);
    }
}

//! IPv6 (RFC 8200) with its extension headers, decoded with etherparse's
//! lax slicer.
//!
//! Hop-by-Hop, Routing, Fragment, Destination Options and Authentication
//! headers are walked; the upper-layer protocol is the Next Header of the
//! last one. A payload length above the bytes present is truncation by the
//! capture; payload length 0 (jumbogram or segmentation offload) reads to
//! the end of the frame.

use core::net::Ipv6Addr;

use etherparse::err::ipv6::{HeaderError, HeaderSliceError};
use etherparse::err::ipv6_exts::{HeaderError as ExtError, HeaderSliceError as ExtSliceError};
use etherparse::LaxIpv6Slice;

use crate::ip::ip_protocol;

use crate::error::{bad_field, truncated, Layer, Result};
use crate::ip::IpPayload;

mod field {
    use core::ops::Range;

    pub const VERSION: usize = 0;
    pub const PAYLOAD_LENGTH: Range<usize> = 4..6;
}

/// Length of the fixed IPv6 header.
pub const HEADER_LEN: usize = 40;

/// Offset of the Payload Length field in the header.
pub const PAYLOAD_LENGTH_OFFSET: usize = field::PAYLOAD_LENGTH.start;

/// The Fragment extension header (RFC 8200 §4.5).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ipv6Fragment {
    /// Identification shared by all fragments of the packet.
    pub identification: u32,
    /// Fragment Offset in units of 8 octets.
    pub fragment_offset: u16,
    /// M flag: more fragments follow.
    pub more_fragments: bool,
}

/// The IPv6 header fields of one packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ipv6Facts {
    /// Source Address.
    pub source_address: Ipv6Addr,
    /// Destination Address.
    pub destination_address: Ipv6Addr,
    /// Traffic Class (DSCP in the upper 6 bits, ECN in the lower 2).
    pub traffic_class: u8,
    /// Flow Label, 20 bits.
    pub flow_label: u32,
    /// Payload Length in octets (extension headers included).
    pub payload_length: u16,
    /// Next Header of the fixed header.
    pub next_header: u8,
    /// Hop Limit.
    pub hop_limit: u8,
    /// Upper-layer protocol: the Next Header of the last extension header.
    pub protocol: u8,
    /// Octets of extension headers decoded between the fixed header and the upper layer.
    pub extension_headers_len: u16,
    /// The Fragment header, when present.
    pub fragment: Option<Ipv6Fragment>,
}

impl Ipv6Facts {
    /// True for any fragment of a fragmented packet (atomic fragments,
    /// offset 0 without M, are not).
    #[inline]
    pub fn is_fragment(&self) -> bool {
        self.fragment
            .is_some_and(|f| f.more_fragments || f.fragment_offset != 0)
    }

    /// True for a fragment other than the first: it carries no upper-layer header.
    #[inline]
    pub fn is_later_fragment(&self) -> bool {
        self.fragment.is_some_and(|f| f.fragment_offset != 0)
    }
}

/// Finds the Fragment header among the extension headers `exts` that the
/// slicer validated, the first of which is announced by `next_header`.
///
/// This walks the bytes itself rather than with etherparse's extension
/// iterator: in etherparse 0.21 that iterator does not stop at the end of
/// the validated headers when the chain was cut by an error, and reads past
/// the slice.
fn find_fragment(mut next_header: u8, exts: &[u8]) -> Option<Ipv6Fragment> {
    let mut rest = exts;
    while rest.len() >= 8 {
        let len = match next_header {
            ip_protocol::IPV6_FRAG => {
                let off_flags = u16::from_be_bytes([rest[2], rest[3]]);
                return Some(Ipv6Fragment {
                    identification: u32::from_be_bytes([rest[4], rest[5], rest[6], rest[7]]),
                    fragment_offset: off_flags >> 3,
                    more_fragments: off_flags & 1 != 0,
                });
            }
            // RFC 8200 §4.3-4.6: Hdr Ext Len in 8-octet units, not counting the first 8.
            ip_protocol::HOPOPT | ip_protocol::IPV6_ROUTE | ip_protocol::IPV6_OPTS => {
                (usize::from(rest[1]) + 1) * 8
            }
            // RFC 4302 §2.2: Payload Len in 4-octet units, minus 2.
            ip_protocol::AH => (usize::from(rest[1]) + 2) * 4,
            _ => return None,
        };
        next_header = rest[0];
        rest = rest.get(len..)?;
    }
    None
}

/// Decodes an IPv6 header and its extension headers at the start of
/// `bytes`. Error offsets are relative to `bytes`.
#[inline]
pub(crate) fn parse(bytes: &[u8]) -> Result<(Ipv6Facts, IpPayload<'_>)> {
    let (ip, ext_err) = LaxIpv6Slice::from_slice(bytes).map_err(|e| match e {
        HeaderSliceError::Len(l) => truncated(Layer::Ipv6, 0, l.required_len, l.len),
        HeaderSliceError::Content(HeaderError::UnexpectedVersion { version_number }) => bad_field(
            Layer::Ipv6,
            field::VERSION,
            "version",
            version_number.into(),
        ),
    })?;
    let h = ip.header();
    let exts = ip.extensions();
    let fragment = find_fragment(h.next_header().0, exts.slice());
    let p = ip.payload();
    let exts_len = exts.slice().len();
    let facts = Ipv6Facts {
        source_address: h.source_addr(),
        destination_address: h.destination_addr(),
        traffic_class: h.traffic_class(),
        flow_label: h.flow_label().value(),
        payload_length: h.payload_length(),
        next_header: h.next_header().0,
        hop_limit: h.hop_limit(),
        protocol: p.ip_number.0,
        // Extension headers live inside the 16-bit payload length.
        extension_headers_len: exts_len.min(usize::from(u16::MAX)) as u16,
        fragment,
    };
    // The failing extension header starts right after the decoded ones.
    let at = HEADER_LEN + exts_len;
    let stop = ext_err.map(|(e, _)| match e {
        ExtSliceError::Len(l) => truncated(Layer::Ipv6, at, l.required_len, l.len),
        ExtSliceError::Content(ExtError::HopByHopNotAtStart) => {
            bad_field(Layer::Ipv6, at, "next_header", 0)
        }
        ExtSliceError::Content(ExtError::IpAuth(_)) => {
            bad_field(Layer::Ipv6, at + 1, "ah payload_len", 0)
        }
    });
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

    /// RFC 8200 §3 fixed header, then a Fragment header (§4.5), then 8 bytes of UDP.
    fn fragmented(offset_words: u16, more: bool) -> Vec<u8> {
        let mut b = vec![
            0x6b, 0x81, 0x23, 0x45, // version 6, traffic class 0xb8, flow label 0x12345
            0x00, 0x10, 44, 64, // payload length 16, next header Fragment, hop limit 64
        ];
        b.extend_from_slice(&[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
        b.extend_from_slice(&[0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xfb]);
        let off_flags = (offset_words << 3) | u16::from(more);
        b.extend_from_slice(&[17, 0]);
        b.extend_from_slice(&off_flags.to_be_bytes());
        b.extend_from_slice(&0xdead_beef_u32.to_be_bytes());
        b.extend_from_slice(&[0x14, 0xe9, 0x14, 0xe9, 0x00, 0x08, 0x00, 0x00]);
        b
    }

    #[test]
    fn parse_reads_fixed_header_and_fragment_header() {
        let b = fragmented(0, true);
        let (f, p) = parse(&b).unwrap();
        assert_eq!(f.source_address, "fe80::1".parse::<Ipv6Addr>().unwrap());
        assert_eq!(
            f.destination_address,
            "ff02::fb".parse::<Ipv6Addr>().unwrap()
        );
        assert_eq!((f.traffic_class, f.flow_label), (0xb8, 0x12345));
        assert_eq!((f.payload_length, f.next_header, f.hop_limit), (16, 44, 64));
        assert_eq!((f.protocol, f.extension_headers_len), (17, 8));
        assert_eq!(
            f.fragment,
            Some(Ipv6Fragment {
                identification: 0xdead_beef,
                fragment_offset: 0,
                more_fragments: true
            })
        );
        assert!(f.is_fragment() && !f.is_later_fragment());
        assert_eq!(p.offset, 48);
        assert_eq!(p.data.len(), 8);
        assert!(p.fragmented && p.first_fragment && !p.truncated);
    }

    #[test]
    fn parse_marks_later_fragments() {
        let b = fragmented(185, false);
        let (f, p) = parse(&b).unwrap();
        assert_eq!(f.fragment.unwrap().fragment_offset, 185);
        assert!(f.is_later_fragment());
        assert!(p.fragmented && !p.first_fragment);
    }

    #[test]
    fn parse_treats_atomic_fragment_as_whole() {
        let b = fragmented(0, false);
        let (f, p) = parse(&b).unwrap();
        assert!(f.fragment.is_some() && !f.is_fragment());
        assert!(!p.fragmented && p.first_fragment);
    }

    #[test]
    fn parse_reports_cut_extension_header_offset() {
        let mut b = fragmented(0, true);
        b[5] = 6; // payload length 6: the 8-byte fragment header does not fit
        let (_, p) = parse(&b).unwrap();
        let e = p.stop.unwrap();
        assert_eq!((e.layer, e.offset), (Layer::Ipv6, 40));
        assert_eq!(
            e.kind,
            ErrorKind::Truncated {
                needed: 8,
                available: 6
            }
        );
    }

    #[test]
    fn parse_rejects_hop_by_hop_not_first() {
        let mut b = fragmented(0, true);
        b[40] = 0; // fragment header says Hop-by-Hop follows
        let (_, p) = parse(&b).unwrap();
        let e = p.stop.unwrap();
        assert_eq!(e.offset, 48);
        assert_eq!(
            e.kind,
            ErrorKind::BadField {
                field: "next_header",
                value: 0
            }
        );
    }

    #[test]
    fn parse_rejects_wrong_version_and_short_header() {
        let mut b = fragmented(0, true);
        b[0] = 0x4b;
        let e = parse(&b).unwrap_err();
        assert_eq!((e.layer, e.offset), (Layer::Ipv6, 0));
        let e = parse(&b[..39]).unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::Truncated {
                needed: 40,
                available: 39
            }
        );
    }

    #[test]
    fn parse_marks_payload_beyond_bytes_as_truncated() {
        let b = fragmented(0, true);
        let (_, p) = parse(&b[..52]).unwrap();
        assert!(p.truncated);
        assert_eq!(p.data.len(), 4);
    }
}

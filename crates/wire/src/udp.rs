//! UDP header (RFC 768), decoded with etherparse's `UdpSlice`.

use etherparse::UdpSlice;

use crate::error::{bad_field, truncated, Error, ErrorKind, Layer, Result};

mod field {
    use core::ops::Range;

    pub const LENGTH: Range<usize> = 4..6;
    pub const CHECKSUM: Range<usize> = 6..8;
}

/// Length of the UDP header.
pub const HEADER_LEN: usize = field::CHECKSUM.end;

/// The UDP header fields of one datagram.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UdpFacts {
    /// Source Port.
    pub source_port: u16,
    /// Destination Port.
    pub destination_port: u16,
    /// Length of header and data in octets (0 only in IPv6 jumbograms).
    pub length: u16,
    /// Checksum (not verified).
    pub checksum: u16,
}

/// How the bytes given to [`parse`] relate to the datagram.
#[derive(Clone, Copy, Debug)]
pub(crate) struct UdpContext {
    /// Carried in IPv6: length 0 then means a jumbogram (RFC 2675).
    pub ipv6: bool,
    /// The IP packet was cut by the capture.
    pub truncated: bool,
    /// The IP packet is the first fragment of a larger datagram.
    pub fragmented: bool,
}

/// Decodes a UDP header at the start of `bytes` (bounded by the IP length):
/// the facts and the data, bounded by the UDP length. Error offsets are
/// relative to `bytes`.
#[inline]
pub(crate) fn parse(bytes: &[u8], cx: UdpContext) -> Result<(UdpFacts, &[u8])> {
    let u = UdpSlice::from_slice_lax(bytes)
        .map_err(|l| truncated(Layer::Udp, 0, l.required_len, l.len))?;
    let facts = UdpFacts {
        source_port: u.source_port(),
        destination_port: u.destination_port(),
        length: u.length(),
        checksum: u.checksum(),
    };
    let length = usize::from(facts.length);
    if length < HEADER_LEN && !(length == 0 && cx.ipv6) {
        return Err(bad_field(
            Layer::Udp,
            field::LENGTH.start,
            "length",
            facts.length.into(),
        ));
    }
    if length > bytes.len() && !cx.truncated && !cx.fragmented {
        return Err(Error::new(
            Layer::Udp,
            field::LENGTH.start,
            ErrorKind::LengthMismatch {
                field: "length",
                claimed: length,
                actual: bytes.len(),
            },
        ));
    }
    Ok((facts, u.payload()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const WHOLE: UdpContext = UdpContext {
        ipv6: false,
        truncated: false,
        fragmented: false,
    };

    // RFC 768: source port, destination port, length, checksum, data.
    const PTP_EVENT: [u8; 12] = [
        0x01, 0x3f, 0x01, 0x3f, // 319 -> 319
        0x00, 0x0a, 0xbe, 0xef, // length 10, checksum
        0x12, 0x34, // data
        0x00, 0x00, // beyond the UDP length
    ];

    #[test]
    fn parse_reads_fields_and_bounds_payload_by_length() {
        let (f, data) = parse(&PTP_EVENT, WHOLE).unwrap();
        assert_eq!(
            f,
            UdpFacts {
                source_port: 319,
                destination_port: 319,
                length: 10,
                checksum: 0xbeef
            }
        );
        assert_eq!(data, &[0x12, 0x34]);
    }

    #[test]
    fn parse_rejects_length_below_eight() {
        let mut b = PTP_EVENT;
        b[5] = 7;
        let e = parse(&b, WHOLE).unwrap_err();
        assert_eq!((e.layer, e.offset), (Layer::Udp, 4));
        assert_eq!(
            e.kind,
            ErrorKind::BadField {
                field: "length",
                value: 7
            }
        );
    }

    #[test]
    fn parse_allows_zero_length_only_over_ipv6() {
        let mut b = PTP_EVENT;
        b[5] = 0;
        assert!(parse(&b, WHOLE).is_err());
        let (f, data) = parse(
            &b,
            UdpContext {
                ipv6: true,
                ..WHOLE
            },
        )
        .unwrap();
        assert_eq!(f.length, 0);
        assert_eq!(data.len(), 4);
    }

    #[test]
    fn parse_rejects_length_beyond_complete_ip_payload() {
        let mut b = PTP_EVENT;
        b[5] = 40;
        let e = parse(&b, WHOLE).unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::LengthMismatch {
                field: "length",
                claimed: 40,
                actual: 12
            }
        );
        assert_eq!(e.offset, 4);
        // The same length in a snapped packet or a first fragment is fine.
        for cx in [
            UdpContext {
                truncated: true,
                ..WHOLE
            },
            UdpContext {
                fragmented: true,
                ..WHOLE
            },
        ] {
            let (_, data) = parse(&b, cx).unwrap();
            assert_eq!(data.len(), 4);
        }
    }

    #[test]
    fn parse_reports_short_header() {
        let e = parse(&PTP_EVENT[..5], WHOLE).unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::Truncated {
                needed: 8,
                available: 5
            }
        );
    }
}

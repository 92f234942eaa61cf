//! ICMP for IPv4 (RFC 792) and ICMPv6 (RFC 4443), decoded with etherparse's
//! `Icmpv4Slice` / `Icmpv6Slice`, plus the invoking packet that error
//! messages quote.
//!
//! Error messages (destination unreachable, source quench, redirect, time
//! exceeded, parameter problem; ICMPv6 packet too big) quote the start of
//! the packet that caused them: its IP header and at least the first 8
//! octets of its payload, enough for the ports and the TCP sequence number.
//! [`QuotedPacket`] carries what a flow table needs to attach the error to
//! the flow it refers to.

use core::net::IpAddr;

use etherparse::{Icmpv4Slice, Icmpv6Slice};

use crate::error::{bad_field, truncated, Error, ErrorKind, Layer, Result};
use crate::ip::{ip_protocol, IpPayload};
use crate::{ipv4, ipv6};

/// Length of the ICMP / ICMPv6 header (type, code, checksum, rest of header).
pub const HEADER_LEN: usize = 8;

/// ICMP (IPv4) message types.
pub mod icmpv4_type {
    /// Echo Reply.
    pub const ECHO_REPLY: u8 = 0;
    /// Destination Unreachable.
    pub const DESTINATION_UNREACHABLE: u8 = 3;
    /// Source Quench (deprecated by RFC 6633).
    pub const SOURCE_QUENCH: u8 = 4;
    /// Redirect.
    pub const REDIRECT: u8 = 5;
    /// Echo Request.
    pub const ECHO_REQUEST: u8 = 8;
    /// Time Exceeded.
    pub const TIME_EXCEEDED: u8 = 11;
    /// Parameter Problem.
    pub const PARAMETER_PROBLEM: u8 = 12;

    /// True for the types that quote the invoking datagram.
    #[inline]
    pub const fn is_error(t: u8) -> bool {
        matches!(
            t,
            DESTINATION_UNREACHABLE | SOURCE_QUENCH | REDIRECT | TIME_EXCEEDED | PARAMETER_PROBLEM
        )
    }
}

/// ICMPv6 message types.
pub mod icmpv6_type {
    /// Destination Unreachable.
    pub const DESTINATION_UNREACHABLE: u8 = 1;
    /// Packet Too Big.
    pub const PACKET_TOO_BIG: u8 = 2;
    /// Time Exceeded.
    pub const TIME_EXCEEDED: u8 = 3;
    /// Parameter Problem.
    pub const PARAMETER_PROBLEM: u8 = 4;
    /// Echo Request.
    pub const ECHO_REQUEST: u8 = 128;
    /// Echo Reply.
    pub const ECHO_REPLY: u8 = 129;

    /// True for the error types (0-127 are errors; 1-4 are assigned and
    /// quote the invoking packet).
    #[inline]
    pub const fn is_error(t: u8) -> bool {
        matches!(
            t,
            DESTINATION_UNREACHABLE | PACKET_TOO_BIG | TIME_EXCEEDED | PARAMETER_PROBLEM
        )
    }
}

/// The invoking packet quoted by an ICMP error message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct QuotedPacket {
    /// Source address of the invoking packet (the host that sent it).
    pub source_address: IpAddr,
    /// Destination address of the invoking packet.
    pub destination_address: IpAddr,
    /// Upper-layer protocol of the invoking packet.
    pub protocol: u8,
    /// IPv4 Identification of the invoking datagram (`None` for IPv6).
    pub identification: Option<u16>,
    /// Source and destination port, for TCP, UDP, DCCP, SCTP and UDP-Lite
    /// when the quote holds them.
    pub ports: Option<(u16, u16)>,
    /// TCP Sequence Number of the invoking segment, when quoted.
    pub tcp_sequence_number: Option<u32>,
}

/// One ICMP or ICMPv6 message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct IcmpFacts {
    /// Type.
    pub icmp_type: u8,
    /// Code.
    pub code: u8,
    /// Checksum (not verified).
    pub checksum: u16,
    /// Octets 4-7: identifier and sequence number of echo messages, the
    /// MTU of packet-too-big and fragmentation-needed, the pointer of
    /// parameter-problem, the gateway of a redirect.
    pub rest_of_header: [u8; 4],
    /// The invoking packet of an error message.
    pub quoted: Option<QuotedPacket>,
}

impl IcmpFacts {
    /// Identifier of an echo request or reply.
    #[inline]
    pub const fn identifier(&self) -> u16 {
        u16::from_be_bytes([self.rest_of_header[0], self.rest_of_header[1]])
    }

    /// Sequence number of an echo request or reply.
    #[inline]
    pub const fn sequence_number(&self) -> u16 {
        u16::from_be_bytes([self.rest_of_header[2], self.rest_of_header[3]])
    }

    /// Next-hop MTU: all four octets for ICMPv6 packet too big (RFC 4443
    /// §3.2), the low two for ICMP fragmentation needed (RFC 1191).
    #[inline]
    pub const fn mtu(&self) -> u32 {
        u32::from_be_bytes(self.rest_of_header)
    }
}

#[inline]
fn rebase_quote(e: Error, layer: Layer) -> Error {
    Error::new(layer, e.offset, e.kind).add_offset(HEADER_LEN)
}

/// Decodes the packet quoted after the 8-octet ICMP header. Error offsets
/// are relative to the ICMP message.
fn parse_quoted(bytes: &[u8], layer: Layer) -> Result<QuotedPacket> {
    let Some(&first) = bytes.first() else {
        return Err(truncated(layer, HEADER_LEN, ipv4::MIN_HEADER_LEN, 0));
    };
    let (src, dst, ident, p): (IpAddr, IpAddr, Option<u16>, IpPayload<'_>) = match first >> 4 {
        4 => {
            let (f, p) = ipv4::parse(bytes).map_err(|e| rebase_quote(e, layer))?;
            (
                f.source_address.into(),
                f.destination_address.into(),
                Some(f.identification),
                p,
            )
        }
        6 => {
            let (f, p) = ipv6::parse(bytes).map_err(|e| rebase_quote(e, layer))?;
            (
                f.source_address.into(),
                f.destination_address.into(),
                None,
                p,
            )
        }
        v => return Err(bad_field(layer, HEADER_LEN, "quoted version", v.into())),
    };
    // The quote is cut on purpose, so a length the quoted header claims is
    // not checked; only a decodable first fragment has ports.
    let d = p.data;
    let upper = p.stop.is_none() && p.first_fragment;
    let ports = (upper && ip_protocol::has_ports(p.protocol) && d.len() >= 4).then(|| {
        (
            u16::from_be_bytes([d[0], d[1]]),
            u16::from_be_bytes([d[2], d[3]]),
        )
    });
    let tcp_sequence_number = (upper && p.protocol == ip_protocol::TCP && d.len() >= 8)
        .then(|| u32::from_be_bytes([d[4], d[5], d[6], d[7]]));
    Ok(QuotedPacket {
        source_address: src,
        destination_address: dst,
        protocol: p.protocol,
        identification: ident,
        ports,
        tcp_sequence_number,
    })
}

/// The packet quoted by an error message (`quote`: the bytes after its
/// header; `None` for a message that is not an error). `snapped` says the
/// IP packet was cut by the capture: an unreadable quote is then left out
/// instead of reported.
#[inline]
fn quoted(quote: Option<&[u8]>, layer: Layer, snapped: bool) -> Result<Option<QuotedPacket>> {
    match quote.map(|q| parse_quoted(q, layer)) {
        Some(Err(_)) if snapped => Ok(None),
        other => other.transpose(),
    }
}

/// Decodes an ICMP (IPv4) message. `snapped` says the IP packet was cut by
/// the capture: an unreadable quote is then left out instead of reported.
/// Error offsets are relative to `bytes`.
pub(crate) fn parse_v4(bytes: &[u8], snapped: bool) -> Result<IcmpFacts> {
    let s = Icmpv4Slice::from_slice(bytes).map_err(|l| {
        if l.len < l.required_len {
            truncated(Layer::Icmp, 0, l.required_len, l.len)
        } else {
            // Timestamp messages (types 13, 14) are exactly 20 octets.
            Error::new(
                Layer::Icmp,
                0,
                ErrorKind::LengthMismatch {
                    field: "timestamp message",
                    claimed: l.required_len,
                    actual: l.len,
                },
            )
        }
    })?;
    let t = s.type_u8();
    let quote = icmpv4_type::is_error(t).then(|| s.payload());
    Ok(IcmpFacts {
        icmp_type: t,
        code: s.code_u8(),
        checksum: s.checksum(),
        rest_of_header: s.bytes5to8(),
        quoted: quoted(quote, Layer::Icmp, snapped)?,
    })
}

/// Decodes an ICMPv6 message other than MLD. Error offsets are relative to `bytes`.
pub(crate) fn parse_v6(bytes: &[u8], snapped: bool) -> Result<IcmpFacts> {
    let s = Icmpv6Slice::from_slice(bytes)
        .map_err(|l| truncated(Layer::Icmpv6, 0, l.required_len, l.len))?;
    let t = s.type_u8();
    let quote = icmpv6_type::is_error(t).then(|| s.payload());
    Ok(IcmpFacts {
        icmp_type: t,
        code: s.code_u8(),
        checksum: s.checksum(),
        rest_of_header: s.bytes5to8(),
        quoted: quoted(quote, Layer::Icmpv6, snapped)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use core::net::{Ipv4Addr, Ipv6Addr};

    // RFC 792 destination unreachable, code 3 (port unreachable), quoting
    // an IPv4/UDP datagram 10.0.0.5:5353 -> 10.0.0.9:161, by hand.
    const PORT_UNREACHABLE: [u8; 36] = [
        3, 3, 0xab, 0xcd, 0, 0, 0, 0, // type, code, checksum, unused
        0x45, 0, 0, 0x4e, 0x1c, 0x46, 0, 0, // quoted IPv4: total length 78, id 0x1c46
        64, 17, 0, 0, 10, 0, 0, 5, 10, 0, 0, 9, // TTL, UDP, checksum, addresses
        0x14, 0xe9, 0x00, 0xa1, 0x00, 0x3a, 0x00, 0x00, // UDP 5353 -> 161
    ];

    #[test]
    fn parse_v4_quoted_udp_ports_and_id() {
        let f = parse_v4(&PORT_UNREACHABLE, false).unwrap();
        assert_eq!((f.icmp_type, f.code, f.checksum), (3, 3, 0xabcd));
        let q = f.quoted.unwrap();
        assert_eq!(q.source_address, IpAddr::V4(Ipv4Addr::new(10, 0, 0, 5)));
        assert_eq!(
            q.destination_address,
            IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9))
        );
        assert_eq!((q.protocol, q.identification), (17, Some(0x1c46)));
        assert_eq!(q.ports, Some((5353, 161)));
        assert_eq!(q.tcp_sequence_number, None);
    }

    #[test]
    fn parse_v4_quoted_tcp_sequence_number() {
        let mut b = PORT_UNREACHABLE;
        b[17] = 6;
        b[32..36].copy_from_slice(&[0x01, 0x02, 0x03, 0x04]);
        let q = parse_v4(&b, false).unwrap().quoted.unwrap();
        assert_eq!(q.protocol, 6);
        assert_eq!(q.tcp_sequence_number, Some(0x0102_0304));
    }

    #[test]
    fn parse_v4_echo_has_identifier_and_sequence() {
        let echo = [8, 0, 0x12, 0x34, 0x00, 0x2a, 0x00, 0x07, 0xde, 0xad];
        let f = parse_v4(&echo, false).unwrap();
        assert_eq!((f.identifier(), f.sequence_number()), (42, 7));
        assert!(f.quoted.is_none());
    }

    #[test]
    fn parse_v4_rejects_bad_quoted_version_at_its_offset() {
        let mut b = PORT_UNREACHABLE;
        b[8] = 0x55;
        let e = parse_v4(&b, false).unwrap_err();
        assert_eq!((e.layer, e.offset), (Layer::Icmp, 8));
        assert_eq!(
            e.kind,
            ErrorKind::BadField {
                field: "quoted version",
                value: 5
            }
        );
        // In a snapped packet the quote is dropped instead.
        assert!(parse_v4(&b, true).unwrap().quoted.is_none());
    }

    #[test]
    fn parse_v4_rejects_quoted_ihl_with_absolute_offset() {
        let mut b = PORT_UNREACHABLE;
        b[8] = 0x43;
        let e = parse_v4(&b, false).unwrap_err();
        assert_eq!((e.layer, e.offset), (Layer::Icmp, 8));
        assert_eq!(
            e.kind,
            ErrorKind::BadField {
                field: "ihl",
                value: 3
            }
        );
    }

    #[test]
    fn parse_v4_timestamp_must_be_twenty_octets() {
        let mut ts = [0u8; 21];
        ts[0] = 13;
        let e = parse_v4(&ts, false).unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::LengthMismatch {
                field: "timestamp message",
                claimed: 20,
                actual: 21
            }
        );
        let f = parse_v4(&ts[..20], false).unwrap();
        assert_eq!((f.icmp_type, f.quoted), (13, None));
        let e = parse_v4(&ts[..12], false).unwrap_err();
        assert!(e.is_truncation());
    }

    #[test]
    fn parse_v4_short_header() {
        let e = parse_v4(&[3, 3, 0, 0, 0], false).unwrap_err();
        assert_eq!(
            e.kind,
            ErrorKind::Truncated {
                needed: 8,
                available: 5
            }
        );
    }

    #[test]
    fn parse_v6_packet_too_big_quotes_tcp() {
        // RFC 4443 §3.2: type 2, code 0, checksum, MTU 1280, invoking packet.
        let mut b = vec![2, 0, 0x11, 0x22, 0, 0, 0x05, 0x00];
        b.extend_from_slice(&[0x60, 0, 0, 0, 0x05, 0xdc, 6, 64]);
        b.extend_from_slice(&"2001:db8::1".parse::<Ipv6Addr>().unwrap().octets());
        b.extend_from_slice(&"2001:db8::2".parse::<Ipv6Addr>().unwrap().octets());
        b.extend_from_slice(&[0x01, 0xbb, 0xc0, 0x00, 0, 0, 0, 9]);
        let f = parse_v6(&b, false).unwrap();
        assert_eq!((f.icmp_type, f.code, f.mtu()), (2, 0, 1280));
        let q = f.quoted.unwrap();
        assert_eq!(q.source_address, "2001:db8::1".parse::<IpAddr>().unwrap());
        assert_eq!(
            q.destination_address,
            "2001:db8::2".parse::<IpAddr>().unwrap()
        );
        assert_eq!((q.protocol, q.identification), (6, None));
        assert_eq!(q.ports, Some((443, 49152)));
        assert_eq!(q.tcp_sequence_number, Some(9));
    }

    #[test]
    fn parse_v6_error_without_quote_is_truncated() {
        let e = parse_v6(&[1, 4, 0, 0, 0, 0, 0, 0], false).unwrap_err();
        assert_eq!((e.layer, e.offset), (Layer::Icmpv6, 8));
    }
}

//! What the IPv4 and IPv6 decoders hand to the transport stage, and the
//! protocol numbers this crate names.

use etherparse::LaxIpPayloadSlice;

use crate::error::Error;

/// IP protocol numbers (IANA "Assigned Internet Protocol Numbers").
pub mod ip_protocol {
    /// IPv6 Hop-by-Hop Options.
    pub const HOPOPT: u8 = 0;
    /// Internet Control Message Protocol.
    pub const ICMP: u8 = 1;
    /// Internet Group Management Protocol.
    pub const IGMP: u8 = 2;
    /// IPv4 encapsulated in IP (RFC 2003).
    pub const IPIP: u8 = 4;
    /// Transmission Control Protocol.
    pub const TCP: u8 = 6;
    /// User Datagram Protocol.
    pub const UDP: u8 = 17;
    /// Datagram Congestion Control Protocol.
    pub const DCCP: u8 = 33;
    /// IPv6 encapsulated in IP (RFC 4213 "6in4", RFC 2473).
    pub const IPV6: u8 = 41;
    /// IPv6 Routing Header.
    pub const IPV6_ROUTE: u8 = 43;
    /// IPv6 Fragment Header.
    pub const IPV6_FRAG: u8 = 44;
    /// Generic Routing Encapsulation.
    pub const GRE: u8 = 47;
    /// Encapsulating Security Payload.
    pub const ESP: u8 = 50;
    /// Authentication Header.
    pub const AH: u8 = 51;
    /// ICMP for IPv6.
    pub const ICMPV6: u8 = 58;
    /// IPv6 No Next Header.
    pub const IPV6_NONXT: u8 = 59;
    /// IPv6 Destination Options.
    pub const IPV6_OPTS: u8 = 60;
    /// Stream Control Transmission Protocol.
    pub const SCTP: u8 = 132;
    /// UDP-Lite.
    pub const UDPLITE: u8 = 136;

    /// True for transports whose first four octets are source and
    /// destination port (TCP, UDP, DCCP, SCTP, UDP-Lite).
    #[inline]
    pub const fn has_ports(protocol: u8) -> bool {
        matches!(protocol, TCP | UDP | DCCP | SCTP | UDPLITE)
    }
}

/// The upper-layer part of an IP packet, as found by an IP decoder.
#[derive(Clone, Copy, Debug)]
pub(crate) struct IpPayload<'a> {
    /// Upper-layer bytes, bounded by the IP length field and the frame.
    pub data: &'a [u8],
    /// Offset of `data` from the start of the IP header.
    pub offset: usize,
    /// Upper-layer protocol (after IPv6 extension headers / IPv4 AH).
    pub protocol: u8,
    /// The IP length field claims more bytes than the frame holds.
    pub truncated: bool,
    /// This datagram is a fragment (MF set or offset non-zero).
    pub fragmented: bool,
    /// This packet holds the start of the upper-layer header (fragment offset zero).
    pub first_fragment: bool,
    /// An error found after the header facts were read (relative to the IP
    /// header start); decoding stops at the IP layer.
    pub stop: Option<Error>,
}

impl<'a> IpPayload<'a> {
    /// The payload etherparse's lax slicer found in `packet` (which starts
    /// at the IP header), with the fragment state of the header and the
    /// error that stopped decoding after it, if any.
    #[inline]
    pub(crate) fn from_lax(
        packet: &'a [u8],
        payload: &LaxIpPayloadSlice<'a>,
        fragmented: bool,
        first_fragment: bool,
        stop: Option<Error>,
    ) -> Self {
        IpPayload {
            data: payload.payload,
            offset: payload.payload.as_ptr() as usize - packet.as_ptr() as usize,
            protocol: payload.ip_number.0,
            truncated: payload.incomplete,
            fragmented,
            first_fragment,
            stop,
        }
    }
}

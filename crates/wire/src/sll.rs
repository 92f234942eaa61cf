//! Linux "cooked" capture headers: LINKTYPE_LINUX_SLL (113) and
//! LINKTYPE_LINUX_SLL2 (276), as written by `tcpdump -i any`.
//!
//! All fields are big-endian. The protocol field is an EtherType, except
//! for values below 0x0600, which name a Linux pseudo-protocol
//! (`LINUX_SLL_P_802_2` = 4: an 802.2 LLC frame follows; others are
//! non-IP).

use crate::error::Layer;
use crate::view::header_view;

/// Protocol value announcing an IEEE 802.2 LLC frame (`LINUX_SLL_P_802_2`).
pub const PROTOCOL_802_2: u16 = 0x0004;

/// Packet type values (`sll_pkttype`).
pub mod packet_type {
    /// Addressed to this host.
    pub const HOST: u8 = 0;
    /// Link-layer broadcast.
    pub const BROADCAST: u8 = 1;
    /// Link-layer multicast.
    pub const MULTICAST: u8 = 2;
    /// Addressed to another host (promiscuous).
    pub const OTHERHOST: u8 = 3;
    /// Sent by this host.
    pub const OUTGOING: u8 = 4;
}

mod field_v1 {
    use core::ops::Range;

    pub const PACKET_TYPE: Range<usize> = 0..2;
    pub const ARPHRD_TYPE: Range<usize> = 2..4;
    pub const ADDRESS_LEN: Range<usize> = 4..6;
    pub const ADDRESS: Range<usize> = 6..14;
    pub const PROTOCOL: Range<usize> = 14..16;
    pub const PAYLOAD: usize = PROTOCOL.end;
}

mod field_v2 {
    use core::ops::Range;

    pub const PROTOCOL: Range<usize> = 0..2;
    pub const RESERVED: Range<usize> = 2..4;
    pub const INTERFACE_INDEX: Range<usize> = 4..8;
    pub const ARPHRD_TYPE: Range<usize> = 8..10;
    pub const PACKET_TYPE: usize = 10;
    pub const ADDRESS_LEN: usize = 11;
    pub const ADDRESS: Range<usize> = 12..20;
    pub const PAYLOAD: usize = ADDRESS.end;
}

/// Length of an SLL (v1) header.
pub const HEADER_LEN: usize = field_v1::PAYLOAD;
/// Length of an SLL2 header.
pub const HEADER_LEN_V2: usize = field_v2::PAYLOAD;
/// Offset of the protocol field in an SLL (v1) header.
pub const PROTOCOL_OFFSET: usize = field_v1::PROTOCOL.start;
/// Offset of the protocol field in an SLL2 header.
pub const PROTOCOL_OFFSET_V2: usize = field_v2::PROTOCOL.start;

#[inline]
fn be16(b: &[u8]) -> u16 {
    u16::from_be_bytes([b[0], b[1]])
}

#[inline]
fn address_of(b: &[u8], len: usize) -> Option<[u8; 6]> {
    (len == 6).then(|| [b[0], b[1], b[2], b[3], b[4], b[5]])
}

header_view! {
    /// A read-only view of a Linux SLL (v1) header.
    pub struct Packet<T>;
    /// Checks that the buffer holds the whole header; after this no accessor panics.
    check_len: Layer::Link, HEADER_LEN;
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Packet type (see [`packet_type`]).
    #[inline]
    pub fn packet_type(&self) -> u16 {
        be16(&self.buffer.as_ref()[field_v1::PACKET_TYPE])
    }

    /// ARPHRD_ type of the capturing device (1 = Ethernet, 772 = loopback, ...).
    #[inline]
    pub fn arphrd_type(&self) -> u16 {
        be16(&self.buffer.as_ref()[field_v1::ARPHRD_TYPE])
    }

    /// Number of valid octets in the link-layer address field.
    #[inline]
    pub fn address_len(&self) -> u16 {
        be16(&self.buffer.as_ref()[field_v1::ADDRESS_LEN])
    }

    /// The sender's link-layer address when it is a 6-octet MAC address.
    #[inline]
    pub fn mac_address(&self) -> Option<[u8; 6]> {
        address_of(
            &self.buffer.as_ref()[field_v1::ADDRESS],
            usize::from(self.address_len()),
        )
    }

    /// Protocol: an EtherType, or a Linux pseudo-protocol below 0x0600.
    #[inline]
    pub fn protocol(&self) -> u16 {
        be16(&self.buffer.as_ref()[field_v1::PROTOCOL])
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Packet<&'a T> {
    /// The bytes after the header.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        &self.buffer.as_ref()[field_v1::PAYLOAD..]
    }
}

header_view! {
    /// A read-only view of a Linux SLL2 header.
    pub struct Packet2<T>;
    /// Checks that the buffer holds the whole header; after this no accessor panics.
    check_len: Layer::Link, HEADER_LEN_V2;
}

impl<T: AsRef<[u8]>> Packet2<T> {
    /// Protocol: an EtherType, or a Linux pseudo-protocol below 0x0600.
    #[inline]
    pub fn protocol(&self) -> u16 {
        be16(&self.buffer.as_ref()[field_v2::PROTOCOL])
    }

    /// Reserved (must be zero).
    #[inline]
    pub fn reserved(&self) -> u16 {
        be16(&self.buffer.as_ref()[field_v2::RESERVED])
    }

    /// Interface index of the capturing device.
    #[inline]
    pub fn interface_index(&self) -> u32 {
        let b = &self.buffer.as_ref()[field_v2::INTERFACE_INDEX];
        u32::from_be_bytes([b[0], b[1], b[2], b[3]])
    }

    /// ARPHRD_ type of the capturing device.
    #[inline]
    pub fn arphrd_type(&self) -> u16 {
        be16(&self.buffer.as_ref()[field_v2::ARPHRD_TYPE])
    }

    /// Packet type (see [`packet_type`]).
    #[inline]
    pub fn packet_type(&self) -> u8 {
        self.buffer.as_ref()[field_v2::PACKET_TYPE]
    }

    /// Number of valid octets in the link-layer address field.
    #[inline]
    pub fn address_len(&self) -> u8 {
        self.buffer.as_ref()[field_v2::ADDRESS_LEN]
    }

    /// The sender's link-layer address when it is a 6-octet MAC address.
    #[inline]
    pub fn mac_address(&self) -> Option<[u8; 6]> {
        address_of(
            &self.buffer.as_ref()[field_v2::ADDRESS],
            usize::from(self.address_len()),
        )
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Packet2<&'a T> {
    /// The bytes after the header.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        &self.buffer.as_ref()[field_v2::PAYLOAD..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // libpcap LINKTYPE_LINUX_SLL: pkttype(2) hatype(2) halen(2) addr(8) protocol(2)
    const SLL: [u8; 17] = [
        0x00, 0x04, // outgoing
        0x00, 0x01, // ARPHRD_ETHER
        0x00, 0x06, // address length
        0x00, 0x1d, 0xc1, 0x01, 0x02, 0x03, 0x00, 0x00, // address, padded to 8
        0x86, 0xdd, // IPv6
        0x60,
    ];

    // libpcap LINKTYPE_LINUX_SLL2: protocol(2) reserved(2) ifindex(4) hatype(2) pkttype(1) halen(1) addr(8)
    const SLL2: [u8; 21] = [
        0x08, 0x00, // IPv4
        0x00, 0x00, // reserved
        0x00, 0x00, 0x00, 0x03, // ifindex 3
        0x03, 0x04, // ARPHRD_LOOPBACK (772)
        0x00, // to us
        0x06, // address length
        0, 0, 0, 0, 0, 0, 0, 0, 0x45,
    ];

    #[test]
    fn parse_sll_fields() {
        let p = Packet::new_checked(&SLL[..]).unwrap();
        assert_eq!(p.packet_type(), u16::from(packet_type::OUTGOING));
        assert_eq!(p.arphrd_type(), 1);
        assert_eq!(p.address_len(), 6);
        assert_eq!(p.mac_address(), Some([0x00, 0x1d, 0xc1, 0x01, 0x02, 0x03]));
        assert_eq!(p.protocol(), 0x86dd);
        assert_eq!(p.payload(), &[0x60]);
    }

    #[test]
    fn parse_sll2_fields() {
        let p = Packet2::new_checked(&SLL2[..]).unwrap();
        assert_eq!(p.protocol(), 0x0800);
        assert_eq!(p.reserved(), 0);
        assert_eq!(p.interface_index(), 3);
        assert_eq!(p.arphrd_type(), 772);
        assert_eq!(p.packet_type(), packet_type::HOST);
        assert_eq!(p.mac_address(), Some([0; 6]));
        assert_eq!(p.payload(), &[0x45]);
    }

    #[test]
    fn check_len_rejects_short_headers() {
        let e = Packet::new_checked(&SLL[..15]).unwrap_err();
        assert_eq!((e.layer, e.offset), (Layer::Link, 0));
        let e = Packet2::new_checked(&SLL2[..19]).unwrap_err();
        assert_eq!(
            e.kind,
            crate::ErrorKind::Truncated {
                needed: 20,
                available: 19
            }
        );
    }

    #[test]
    fn address_of_other_length_is_not_a_mac() {
        let mut b = SLL;
        b[5] = 4;
        assert_eq!(Packet::new_unchecked(&b[..]).mac_address(), None);
    }
}

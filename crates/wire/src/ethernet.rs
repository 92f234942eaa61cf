//! Ethernet II and IEEE 802.3 MAC header (IEEE 802.3 clause 3.1.1).
//!
//! The two framings share one 14-byte header; the last field is an EtherType
//! when it is at least 0x0600 and a length when it is at most 1500
//! ([`ether_type::MAX_LENGTH`]), in which case an IEEE 802.2 LLC header
//! follows (see [`crate::llc`]).

use crate::error::Layer;
use crate::view::header_view;

mod field {
    use core::ops::Range;

    pub const DESTINATION: Range<usize> = 0..6;
    pub const SOURCE: Range<usize> = 6..12;
    pub const ETHERTYPE: Range<usize> = 12..14;
    pub const PAYLOAD: usize = ETHERTYPE.end;
}

/// Length of the MAC header (destination, source, EtherType or length).
pub const HEADER_LEN: usize = field::PAYLOAD;

/// Offset of the EtherType / length field in the header.
pub const ETHERTYPE_OFFSET: usize = field::ETHERTYPE.start;

/// EtherType values this crate decodes or names (IEEE registry numbers).
pub mod ether_type {
    /// Largest value of the type/length field that is an 802.3 length.
    pub const MAX_LENGTH: u16 = 1500;
    /// Internet Protocol version 4.
    pub const IPV4: u16 = 0x0800;
    /// Address Resolution Protocol.
    pub const ARP: u16 = 0x0806;
    /// Reverse ARP (RFC 903), same packet format as ARP.
    pub const RARP: u16 = 0x8035;
    /// IEEE 802.1Q customer VLAN tag (C-tag).
    pub const VLAN: u16 = 0x8100;
    /// IEEE 802.1ad provider bridging tag (S-tag).
    pub const PROVIDER_BRIDGING: u16 = 0x88A8;
    /// Pre-standard QinQ outer tag used by several switch vendors.
    pub const QINQ_LEGACY: u16 = 0x9100;
    /// Internet Protocol version 6.
    pub const IPV6: u16 = 0x86DD;
    /// IEEE 1588 Precision Time Protocol over Ethernet.
    pub const PTP: u16 = 0x88F7;
    /// Link Layer Discovery Protocol.
    pub const LLDP: u16 = 0x88CC;
    /// MPLS unicast (RFC 3032).
    pub const MPLS_UNICAST: u16 = 0x8847;
    /// MPLS multicast (RFC 5332).
    pub const MPLS_MULTICAST: u16 = 0x8848;
    /// Transparent Ethernet Bridging: an Ethernet frame inside GRE or Geneve.
    pub const TRANSPARENT_ETHERNET: u16 = 0x6558;
    /// ERSPAN type I and II inside GRE (type I without a GRE sequence number).
    pub const ERSPAN_I_II: u16 = 0x88BE;
    /// ERSPAN type III inside GRE.
    pub const ERSPAN_III: u16 = 0x22EB;

    /// True for the tag protocol identifiers of 802.1Q and 802.1ad tags.
    #[inline]
    pub const fn is_vlan_tpid(value: u16) -> bool {
        matches!(value, VLAN | PROVIDER_BRIDGING | QINQ_LEGACY)
    }
}

/// True for the all-ones broadcast MAC address.
#[inline]
pub const fn is_broadcast_mac(mac: &[u8; 6]) -> bool {
    matches!(mac, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
}

/// True for a group (multicast or broadcast) MAC address: the I/G bit, the
/// least significant bit of the first octet, is set.
#[inline]
pub const fn is_multicast_mac(mac: &[u8; 6]) -> bool {
    mac[0] & 0x01 != 0
}

header_view! {
    /// A read/write view of an Ethernet II / 802.3 MAC header.
    pub struct Packet<T>;
    /// Checks that the buffer holds the whole header; after this no accessor panics.
    check_len: Layer::Link, HEADER_LEN;
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Destination MAC address.
    #[inline]
    pub fn destination(&self) -> [u8; 6] {
        mac(&self.buffer.as_ref()[field::DESTINATION])
    }

    /// Source MAC address.
    #[inline]
    pub fn source(&self) -> [u8; 6] {
        mac(&self.buffer.as_ref()[field::SOURCE])
    }

    /// The EtherType (≥ 0x0600) or 802.3 length (≤ 1500) field.
    #[inline]
    pub fn ethertype(&self) -> u16 {
        let b = &self.buffer.as_ref()[field::ETHERTYPE];
        u16::from_be_bytes([b[0], b[1]])
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Packet<&'a T> {
    /// The bytes after the header.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        &self.buffer.as_ref()[field::PAYLOAD..]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Sets the destination MAC address.
    #[inline]
    pub fn set_destination(&mut self, value: [u8; 6]) {
        self.buffer.as_mut()[field::DESTINATION].copy_from_slice(&value);
    }

    /// Sets the source MAC address.
    #[inline]
    pub fn set_source(&mut self, value: [u8; 6]) {
        self.buffer.as_mut()[field::SOURCE].copy_from_slice(&value);
    }

    /// Sets the EtherType / length field.
    #[inline]
    pub fn set_ethertype(&mut self, value: u16) {
        self.buffer.as_mut()[field::ETHERTYPE].copy_from_slice(&value.to_be_bytes());
    }
}

#[inline]
fn mac(b: &[u8]) -> [u8; 6] {
    [b[0], b[1], b[2], b[3], b[4], b[5]]
}

#[cfg(test)]
mod tests {
    use super::*;

    // IEEE 802.3 clause 3.1.1: DA(6) SA(6) Length/Type(2).
    const FRAME: [u8; 16] = [
        0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb, // DA: IPv4 multicast 224.0.0.251
        0x00, 0x1d, 0xc1, 0x12, 0x34, 0x56, // SA
        0x08, 0x00, // IPv4
        0x45, 0x00,
    ];

    #[test]
    fn parse_reads_named_fields() {
        let p = Packet::new_checked(&FRAME[..]).unwrap();
        assert_eq!(p.destination(), [0x01, 0x00, 0x5e, 0x00, 0x00, 0xfb]);
        assert_eq!(p.source(), [0x00, 0x1d, 0xc1, 0x12, 0x34, 0x56]);
        assert_eq!(p.ethertype(), 0x0800);
        assert_eq!(p.payload(), &[0x45, 0x00]);
        assert!(is_multicast_mac(&p.destination()));
        assert!(!is_broadcast_mac(&p.destination()));
        assert!(!is_multicast_mac(&p.source()));
    }

    #[test]
    fn check_len_rejects_short_header_at_offset_zero() {
        let e = Packet::new_checked(&FRAME[..13]).unwrap_err();
        assert_eq!(e.layer, Layer::Link);
        assert_eq!(e.offset, 0);
        assert_eq!(
            e.kind,
            crate::ErrorKind::Truncated {
                needed: 14,
                available: 13
            }
        );
    }

    #[test]
    fn emit_round_trips() {
        let mut buf = [0u8; 14];
        let mut p = Packet::new_unchecked(&mut buf[..]);
        p.set_destination([0xff; 6]);
        p.set_source([2, 0, 0, 0, 0, 1]);
        p.set_ethertype(ether_type::IPV6);
        assert_eq!(
            buf,
            [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x86, 0xdd]
        );
        let p = Packet::new_checked(&buf[..]).unwrap();
        assert!(is_broadcast_mac(&p.destination()));
        assert!(ether_type::is_vlan_tpid(0x9100));
        assert!(!ether_type::is_vlan_tpid(0x0800));
    }
}

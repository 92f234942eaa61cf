//! MPLS label stack entries (RFC 3032, section 2.1) and the pseudowire
//! control word (RFC 4385, section 3).
//!
//! ```text
//! |                Label (20)             | TC  |S|     TTL       |
//! ```
//!
//! What follows the entry whose S (bottom of stack) bit is set is not
//! announced anywhere; see [`Payload::guess`] for how it is told.

use crate::error::Layer;
use crate::ethernet::{self, ether_type};
use crate::view::header_view;

mod field {
    use core::ops::Range;

    pub const ENTRY: Range<usize> = 0..4;
}

/// Length of one label stack entry, and of a pseudowire control word.
pub const ENTRY_LEN: usize = field::ENTRY.end;

header_view! {
    /// A read-only view of one label stack entry.
    pub struct Packet<T>;
    /// Checks that the buffer holds the whole entry; after this no accessor panics.
    check_len: Layer::Mpls, ENTRY_LEN;
}

impl<T: AsRef<[u8]>> Packet<T> {
    fn entry(&self) -> u32 {
        let b = &self.buffer.as_ref()[field::ENTRY];
        u32::from_be_bytes([b[0], b[1], b[2], b[3]])
    }

    /// Label (20 bits).
    #[inline]
    pub fn label(&self) -> u32 {
        self.entry() >> 12
    }

    /// Traffic Class (3 bits, formerly EXP).
    #[inline]
    pub fn traffic_class(&self) -> u8 {
        ((self.entry() >> 9) & 0x7) as u8
    }

    /// S: this is the last entry of the stack.
    #[inline]
    pub fn bottom_of_stack(&self) -> bool {
        self.entry() & 0x100 != 0
    }

    /// Time to Live.
    #[inline]
    pub fn ttl(&self) -> u8 {
        self.entry() as u8
    }
}

impl<'a, T: AsRef<[u8]> + ?Sized> Packet<&'a T> {
    /// The bytes after the entry.
    #[inline]
    pub fn payload(&self) -> &'a [u8] {
        &self.buffer.as_ref()[ENTRY_LEN..]
    }
}

/// What the bytes after the bottom of the stack are taken to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Payload {
    /// First nibble 4: an IPv4 packet.
    Ipv4,
    /// First nibble 6: an IPv6 packet.
    Ipv6,
    /// A pseudowire control word (RFC 4385: first nibble 0), then an
    /// Ethernet frame (RFC 4448).
    EthernetWithControlWord,
    /// An Ethernet frame without control word.
    Ethernet,
    /// None of the above (a PW associated channel, or unknown).
    Unknown,
}

impl Payload {
    /// Tells the payload the way Wireshark's MPLS dissector does for IP
    /// (first nibble 4 or 6). For an Ethernet pseudowire, where Wireshark
    /// looks the MAC addresses up in its manufacturer table, this looks at
    /// the EtherType instead: an Ethernet frame behind a control word
    /// (first nibble 0) has a plausible EtherType (IPv4, IPv6, ARP, MPLS or
    /// a VLAN tag) at octet 16, one without at octet 12. The control word
    /// wins when both fit, as RFC 4385 prefers it.
    pub fn guess(bytes: &[u8]) -> Payload {
        let ether_type_at = |at: usize| match bytes.get(at..at + 2) {
            Some(&[a, b]) => is_plausible(u16::from_be_bytes([a, b])),
            _ => false,
        };
        match bytes.first().map(|b| b >> 4) {
            None => Payload::Unknown,
            Some(4) => Payload::Ipv4,
            Some(6) => Payload::Ipv6,
            Some(0) if ether_type_at(ENTRY_LEN + ethernet::ETHERTYPE_OFFSET) => {
                Payload::EthernetWithControlWord
            }
            Some(_) if ether_type_at(ethernet::ETHERTYPE_OFFSET) => Payload::Ethernet,
            Some(_) => Payload::Unknown,
        }
    }
}

fn is_plausible(et: u16) -> bool {
    matches!(
        et,
        ether_type::IPV4
            | ether_type::IPV6
            | ether_type::ARP
            | ether_type::MPLS_UNICAST
            | ether_type::MPLS_MULTICAST
    ) || ether_type::is_vlan_tpid(et)
}

#[cfg(test)]
mod tests {
    use super::*;

    // scapy 2.8.0: bytes(MPLS(label=16, cos=5, s=0, ttl=64)
    //                    / MPLS(label=0xfffff, cos=0, s=1, ttl=1))
    const STACK: [u8; 8] = [0x00, 0x01, 0x0a, 0x40, 0xff, 0xff, 0xf1, 0x01];

    #[test]
    fn two_entries() {
        let top = Packet::new_checked(&STACK[..]).unwrap();
        assert_eq!((top.label(), top.traffic_class(), top.ttl()), (16, 5, 64));
        assert!(!top.bottom_of_stack());
        let bottom = Packet::new_checked(top.payload()).unwrap();
        assert_eq!((bottom.label(), bottom.traffic_class()), (0xfffff, 0));
        assert!(bottom.bottom_of_stack());
        assert_eq!(bottom.ttl(), 1);
        assert!(Packet::new_checked(&STACK[..3])
            .unwrap_err()
            .is_truncation());
    }

    #[test]
    fn payload_guess() {
        assert_eq!(Payload::guess(&[0x45]), Payload::Ipv4);
        assert_eq!(Payload::guess(&[0x60]), Payload::Ipv6);
        assert_eq!(Payload::guess(&[]), Payload::Unknown);
        // An Ethernet header whose destination starts with 00:1d:c1 (nibble 0), ARP.
        let mut eth = [0u8; 18];
        eth[..3].copy_from_slice(&[0x00, 0x1d, 0xc1]);
        assert_eq!(Payload::guess(&eth), Payload::Unknown);
        eth[12..14].copy_from_slice(&[0x08, 0x06]);
        assert_eq!(Payload::guess(&eth), Payload::Ethernet);
        // The same frame behind a control word 0x00000005.
        let mut cw = [0u8; 22];
        cw[3] = 5;
        cw[4..].copy_from_slice(&eth);
        assert_eq!(Payload::guess(&cw), Payload::EthernetWithControlWord);
        // A PW associated channel (nibble 1) is not Ethernet.
        cw[0] = 0x10;
        assert_eq!(Payload::guess(&cw), Payload::Unknown);
    }
}

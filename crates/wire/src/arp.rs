//! ARP (RFC 826), decoded with etherparse's `ArpPacketSlice`.

use core::net::Ipv4Addr;

use etherparse::ArpPacketSlice;

use crate::error::{truncated, Layer, Result};

/// The ARP fields of one packet. Addresses are filled for the usual
/// Ethernet (6-octet) / IPv4 (4-octet, protocol type 0x0800) form only.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ArpFacts {
    /// Hardware type (ar$hrd; 1 = Ethernet).
    pub hardware_type: u16,
    /// Protocol type (ar$pro; an EtherType).
    pub protocol_type: u16,
    /// Opcode (ar$op; 1 = request, 2 = reply).
    pub operation: u16,
    /// Sender hardware address (ar$sha).
    pub sender_hardware_address: Option<[u8; 6]>,
    /// Sender protocol address (ar$spa).
    pub sender_protocol_address: Option<Ipv4Addr>,
    /// Target hardware address (ar$tha).
    pub target_hardware_address: Option<[u8; 6]>,
    /// Target protocol address (ar$tpa).
    pub target_protocol_address: Option<Ipv4Addr>,
}

fn mac(b: &[u8]) -> Option<[u8; 6]> {
    <[u8; 6]>::try_from(b).ok()
}

/// Decodes an ARP packet at the start of `bytes`. Error offsets are relative to `bytes`.
pub(crate) fn parse(bytes: &[u8]) -> Result<ArpFacts> {
    let a = ArpPacketSlice::from_slice(bytes)
        .map_err(|l| truncated(Layer::Arp, 0, l.required_len, l.len))?;
    let ipv4 = a.proto_addr_type().0 == crate::ether_type::IPV4;
    let ip = |b: &[u8]| -> Option<Ipv4Addr> {
        let o = <[u8; 4]>::try_from(b).ok()?;
        ipv4.then_some(Ipv4Addr::from(o))
    };
    Ok(ArpFacts {
        hardware_type: a.hw_addr_type().0,
        protocol_type: a.proto_addr_type().0,
        operation: a.operation().0,
        sender_hardware_address: mac(a.sender_hw_addr()),
        sender_protocol_address: ip(a.sender_protocol_addr()),
        target_hardware_address: mac(a.target_hw_addr()),
        target_protocol_address: ip(a.target_protocol_addr()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    // RFC 826 packet format, an Ethernet/IPv4 request, by hand.
    const REQUEST: [u8; 28] = [
        0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01, // hrd, pro, hln, pln, op
        0x00, 0x1d, 0xc1, 1, 2, 3, 192, 168, 1, 10, // sha, spa
        0, 0, 0, 0, 0, 0, 192, 168, 1, 1, // tha, tpa
    ];

    #[test]
    fn parse_request() {
        let f = parse(&REQUEST).unwrap();
        assert_eq!(
            (f.hardware_type, f.protocol_type, f.operation),
            (1, 0x0800, 1)
        );
        assert_eq!(f.sender_hardware_address, Some([0x00, 0x1d, 0xc1, 1, 2, 3]));
        assert_eq!(
            f.sender_protocol_address,
            Some(Ipv4Addr::new(192, 168, 1, 10))
        );
        assert_eq!(f.target_hardware_address, Some([0; 6]));
        assert_eq!(
            f.target_protocol_address,
            Some(Ipv4Addr::new(192, 168, 1, 1))
        );
    }

    #[test]
    fn parse_reports_addresses_beyond_bytes() {
        let e = parse(&REQUEST[..27]).unwrap_err();
        assert_eq!((e.layer, e.offset), (Layer::Arp, 0));
        assert_eq!(
            e.kind,
            ErrorKind::Truncated {
                needed: 28,
                available: 27
            }
        );
    }
}

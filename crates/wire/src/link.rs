//! Link-layer header types (LINKTYPE_* values of the pcap and pcapng formats).

use core::fmt;

/// A LINKTYPE value as stored in a pcap file header or a pcapng Interface
/// Description Block. Unknown values survive unchanged; they are a finding
/// for the report, never a parse error.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct LinkType(pub u16);

impl LinkType {
    /// BSD loopback: 4-byte address family in the capturing host's byte order.
    pub const NULL: LinkType = LinkType(0);
    /// Ethernet II / IEEE 802.3.
    pub const ETHERNET: LinkType = LinkType(1);
    /// Raw IPv4 or IPv6, told apart by the version nibble.
    pub const RAW: LinkType = LinkType(101);
    /// OpenBSD loopback: 4-byte address family, always big-endian.
    pub const LOOP: LinkType = LinkType(108);
    /// Linux "cooked" capture, version 1 (16-byte header).
    pub const LINUX_SLL: LinkType = LinkType(113);
    /// Raw IPv4 only.
    pub const IPV4: LinkType = LinkType(228);
    /// Raw IPv6 only.
    pub const IPV6: LinkType = LinkType(229);
    /// Linux "cooked" capture, version 2 (20-byte header).
    pub const LINUX_SLL2: LinkType = LinkType(276);

    /// The short name used in reports (`ether`, `linux-sll`, ...), or `None`
    /// for a link type this crate does not decode.
    pub fn name(self) -> Option<&'static str> {
        Some(match self {
            LinkType::NULL => "null",
            LinkType::ETHERNET => "ether",
            LinkType::RAW => "raw",
            LinkType::LOOP => "loop",
            LinkType::LINUX_SLL => "linux-sll",
            LinkType::IPV4 => "rawip4",
            LinkType::IPV6 => "rawip6",
            LinkType::LINUX_SLL2 => "linux-sll2",
            _ => return None,
        })
    }
}

impl fmt::Display for LinkType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.name() {
            Some(n) => f.write_str(n),
            None => write!(f, "linktype-{}", self.0),
        }
    }
}

impl fmt::Debug for LinkType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LinkType({} = {})", self.0, self)
    }
}

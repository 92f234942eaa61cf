//! [`PacketFacts`]: everything [`crate::decode`] learned about one frame.

use core::net::IpAddr;

use crate::arp::ArpFacts;
use crate::error::{Error, Layer};
use crate::ethernet::{is_broadcast_mac, is_multicast_mac};
use crate::icmp::IcmpFacts;
use crate::igmp::IgmpFacts;
use crate::ip::ip_protocol;
use crate::ipv4::Ipv4Facts;
use crate::ipv6::Ipv6Facts;
use crate::link::LinkType;
use crate::llc::LlcFacts;
use crate::mld::MldFacts;
use crate::tcp::TcpFacts;
use crate::tunnel::Encap;
use crate::udp::UdpFacts;
use crate::vlan::VlanStack;

/// The network layer of a frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Net {
    /// Nothing decoded: the link header failed or the link type is unsupported.
    #[default]
    None,
    /// IPv4.
    Ipv4(Ipv4Facts),
    /// IPv6.
    Ipv6(Ipv6Facts),
    /// ARP, or RARP (RFC 903, same format; operations 3 and 4).
    Arp(ArpFacts),
    /// An 802.2 LLC frame that carries no EtherType (spanning tree, CDP, ...).
    Llc(LlcFacts),
    /// An EtherType (or Linux SLL pseudo-protocol) this crate does not decode.
    Other {
        /// The EtherType.
        ether_type: u16,
    },
    /// A BSD loopback address family other than IPv4 / IPv6.
    OtherFamily {
        /// The address family value.
        family: u32,
    },
}

/// The transport layer of a frame.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Transport<'a> {
    /// Nothing decoded (no IP, or decoding stopped at the IP layer).
    #[default]
    None,
    /// TCP.
    Tcp(TcpFacts),
    /// UDP.
    Udp(UdpFacts),
    /// ICMP (IPv4).
    Icmpv4(IcmpFacts),
    /// ICMPv6 other than MLD.
    Icmpv6(IcmpFacts),
    /// IGMP.
    Igmp(IgmpFacts<'a>),
    /// MLD (ICMPv6 types 130, 131, 132, 143).
    Mld(MldFacts<'a>),
    /// A fragment other than the first: no transport header.
    Fragment {
        /// Upper-layer protocol of the datagram.
        protocol: u8,
    },
    /// A transport header cut short by the capture's snap length.
    Snapped {
        /// Upper-layer protocol.
        protocol: u8,
        /// Ports, when the first four octets were captured (TCP, UDP, SCTP, ...).
        ports: Option<(u16, u16)>,
    },
    /// A protocol this crate does not decode (ESP, GRE, SCTP, ...).
    Other {
        /// Upper-layer protocol.
        protocol: u8,
    },
}

/// What one frame says, borrowed from the frame.
///
/// Produced by [`crate::decode`]; every layer decoded before the first
/// malformed one is kept, the malformed one is in [`PacketFacts::error`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PacketFacts<'a> {
    /// The link type the frame was decoded as.
    pub link: LinkType,
    /// Source MAC address (Ethernet; Linux SLL/SLL2 when the address is 6 octets).
    pub src_mac: Option<[u8; 6]>,
    /// Destination MAC address (Ethernet only).
    pub dst_mac: Option<[u8; 6]>,
    /// Linux SLL/SLL2 packet type (see [`crate::sll::packet_type`]).
    pub sll_packet_type: Option<u16>,
    /// 802.1Q / 802.1ad tags, outer first.
    pub vlans: VlanStack,
    /// The innermost EtherType (after tags and SNAP); `None` for raw IP,
    /// BSD loopback and plain LLC frames.
    pub ether_type: Option<u16>,
    /// The network layer.
    pub net: Net,
    /// Offset of the network-layer header in the frame.
    pub net_offset: usize,
    /// The transport layer.
    pub transport: Transport<'a>,
    /// Offset of the transport header (after IP options and extension headers).
    pub transport_offset: usize,
    /// TCP or UDP data (bounded by the IP and UDP lengths); for a frame
    /// of an EtherType this crate does not decode ([`Net::Other`]), the
    /// octets after the EtherType (Ethernet padding included); empty otherwise.
    pub payload: &'a [u8],
    /// Offset of `payload` in the frame: the first data octet for TCP and
    /// UDP, the transport header for other transports.
    pub payload_offset: usize,
    /// The IP length fields claim more octets than the frame holds: the
    /// capture cut the packet. Header facts are kept; this is not an error.
    pub truncated: bool,
    /// The first malformed layer, if any.
    pub error: Option<Error>,
    /// The tunnel or remote-mirror session the packet was taken out of;
    /// every other field describes the innermost frame.
    pub encap: Option<Encap>,
}

impl<'a> PacketFacts<'a> {
    /// Facts of a frame of which nothing is decoded yet.
    pub const fn empty(link: LinkType) -> PacketFacts<'a> {
        PacketFacts {
            link,
            src_mac: None,
            dst_mac: None,
            sll_packet_type: None,
            vlans: VlanStack::new(),
            ether_type: None,
            net: Net::None,
            net_offset: 0,
            transport: Transport::None,
            transport_offset: 0,
            payload: &[],
            payload_offset: 0,
            truncated: false,
            error: None,
            encap: None,
        }
    }

    /// IP source address.
    #[inline]
    pub fn src_ip(&self) -> Option<IpAddr> {
        match &self.net {
            Net::Ipv4(h) => Some(IpAddr::V4(h.source_address)),
            Net::Ipv6(h) => Some(IpAddr::V6(h.source_address)),
            _ => None,
        }
    }

    /// IP destination address.
    #[inline]
    pub fn dst_ip(&self) -> Option<IpAddr> {
        match &self.net {
            Net::Ipv4(h) => Some(IpAddr::V4(h.destination_address)),
            Net::Ipv6(h) => Some(IpAddr::V6(h.destination_address)),
            _ => None,
        }
    }

    /// Source and destination port of TCP and UDP (also of a transport
    /// header cut by the capture, when its ports were captured).
    #[inline]
    pub fn ports(&self) -> Option<(u16, u16)> {
        match &self.transport {
            Transport::Tcp(t) => Some((t.source_port, t.destination_port)),
            Transport::Udp(u) => Some((u.source_port, u.destination_port)),
            Transport::Snapped { ports, .. } => *ports,
            _ => None,
        }
    }

    /// Upper-layer protocol number (after IPv6 extension headers and IPv4 AH).
    #[inline]
    pub fn ip_protocol(&self) -> Option<u8> {
        match &self.transport {
            Transport::Tcp(_) => return Some(ip_protocol::TCP),
            Transport::Udp(_) => return Some(ip_protocol::UDP),
            Transport::Icmpv4(_) => return Some(ip_protocol::ICMP),
            Transport::Icmpv6(_) | Transport::Mld(_) => return Some(ip_protocol::ICMPV6),
            Transport::Igmp(_) => return Some(ip_protocol::IGMP),
            Transport::Fragment { protocol }
            | Transport::Snapped { protocol, .. }
            | Transport::Other { protocol } => return Some(*protocol),
            Transport::None => {}
        }
        match &self.net {
            Net::Ipv4(h) => Some(h.protocol),
            Net::Ipv6(h) => Some(h.protocol),
            _ => None,
        }
    }

    /// The TCP header, if this is a TCP segment.
    #[inline]
    pub fn tcp(&self) -> Option<&TcpFacts> {
        match &self.transport {
            Transport::Tcp(t) => Some(t),
            _ => None,
        }
    }

    /// The UDP header, if this is a UDP datagram.
    #[inline]
    pub fn udp(&self) -> Option<&UdpFacts> {
        match &self.transport {
            Transport::Udp(u) => Some(u),
            _ => None,
        }
    }

    /// The ICMP or ICMPv6 message (MLD excluded).
    #[inline]
    pub fn icmp(&self) -> Option<&IcmpFacts> {
        match &self.transport {
            Transport::Icmpv4(i) | Transport::Icmpv6(i) => Some(i),
            _ => None,
        }
    }

    /// Network-layer name for summaries: `"ipv4"`, `"ipv6"`, `"arp"` or
    /// `"other"`; `None` when the link layer itself failed. A frame whose
    /// IP or ARP header is malformed still counts under its protocol.
    pub fn l3_name(&self) -> Option<&'static str> {
        Some(match &self.net {
            Net::Ipv4(_) => "ipv4",
            Net::Ipv6(_) => "ipv6",
            Net::Arp(_) => "arp",
            Net::Llc(_) | Net::Other { .. } | Net::OtherFamily { .. } => "other",
            Net::None => match self.error?.layer {
                Layer::Ipv4 => "ipv4",
                Layer::Ipv6 => "ipv6",
                Layer::Arp => "arp",
                _ => return None,
            },
        })
    }

    /// Transport-layer name for summaries: `"tcp"`, `"udp"`, `"icmp"`,
    /// `"icmpv6"` (other than MLD), `"igmp"`, `"mld"`, `"fragment"` (a
    /// non-first fragment) or `"other"`; `None` without a transport. A
    /// malformed transport header still counts under its protocol.
    pub fn l4_name(&self) -> Option<&'static str> {
        Some(match &self.transport {
            Transport::Tcp(_) => "tcp",
            Transport::Udp(_) => "udp",
            Transport::Icmpv4(_) => "icmp",
            Transport::Icmpv6(_) => "icmpv6",
            Transport::Igmp(_) => "igmp",
            Transport::Mld(_) => "mld",
            Transport::Fragment { .. } => "fragment",
            Transport::Snapped { protocol, .. } => match *protocol {
                ip_protocol::TCP => "tcp",
                ip_protocol::UDP => "udp",
                ip_protocol::ICMP => "icmp",
                ip_protocol::ICMPV6 => "icmpv6",
                ip_protocol::IGMP => "igmp",
                _ => "other",
            },
            Transport::Other { .. } => "other",
            Transport::None => match self.error?.layer {
                Layer::Tcp => "tcp",
                Layer::Udp => "udp",
                Layer::Icmp => "icmp",
                Layer::Icmpv6 => "icmpv6",
                Layer::Igmp => "igmp",
                Layer::Mld => "mld",
                _ => return None,
            },
        })
    }

    /// The destination is a multicast group: IPv4 224.0.0.0/4, IPv6
    /// ff00::/8, or without IP a group MAC address other than broadcast.
    pub fn is_multicast(&self) -> bool {
        match self.dst_ip() {
            Some(ip) => ip.is_multicast(),
            None => self
                .dst_mac
                .is_some_and(|m| is_multicast_mac(&m) && !is_broadcast_mac(&m)),
        }
    }

    /// The destination is a broadcast: IPv4 255.255.255.255, or without
    /// IP the broadcast MAC address. (A subnet-directed broadcast needs the
    /// netmask, which a frame does not carry.)
    pub fn is_broadcast(&self) -> bool {
        match self.dst_ip() {
            Some(IpAddr::V4(a)) => a.is_broadcast(),
            Some(IpAddr::V6(_)) => false,
            None => self.dst_mac.as_ref().is_some_and(is_broadcast_mac),
        }
    }

    /// The destination MAC address is a group (multicast or broadcast) address.
    #[inline]
    pub fn is_mac_multicast(&self) -> bool {
        self.dst_mac.as_ref().is_some_and(is_multicast_mac)
    }

    /// The destination MAC address is ff:ff:ff:ff:ff:ff.
    #[inline]
    pub fn is_mac_broadcast(&self) -> bool {
        self.dst_mac.as_ref().is_some_and(is_broadcast_mac)
    }
}

//! Flow keys: a bidirectional conversation keyed by VLAN, transport and the
//! two endpoints, with a hash that is the same in both directions.

use std::hash::{Hash, Hasher};
use std::net::IpAddr;

/// One side of a conversation.
///
/// A flow without IP ([`Transport::Ether`]) is keyed by MAC addresses: its
/// endpoints are made by [`Endpoint::of_mac`] and read with
/// [`Endpoint::mac`]; their `ip` is an internal key, never reported (the
/// report shows the MAC addresses and no IP address for such flows).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Endpoint {
    pub ip: IpAddr,
    pub port: u16,
}

/// The prefix under which [`Endpoint::of_mac`] keeps a MAC address: the
/// IPv6 discard-only prefix 100::/64 (RFC 6666), so the key can never be
/// taken for a host's address.
const MAC_KEY_PREFIX: [u8; 8] = [0x01, 0, 0, 0, 0, 0, 0, 0];

impl Endpoint {
    /// The endpoint of a frame without IP: its MAC address (port 0).
    #[inline]
    pub fn of_mac(mac: [u8; 6]) -> Endpoint {
        let mut a = [0u8; 16];
        a[..8].copy_from_slice(&MAC_KEY_PREFIX);
        a[10..].copy_from_slice(&mac);
        Endpoint {
            ip: IpAddr::V6(std::net::Ipv6Addr::from(a)),
            port: 0,
        }
    }

    /// The MAC address of an endpoint made by [`Endpoint::of_mac`].
    pub fn mac(&self) -> Option<[u8; 6]> {
        match self.ip {
            IpAddr::V6(a) => {
                let o = a.octets();
                (o[..10] == [0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0]).then(|| {
                    let mut m = [0u8; 6];
                    m.copy_from_slice(&o[10..]);
                    m
                })
            }
            IpAddr::V4(_) => None,
        }
    }
}

/// Transport of a flow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Transport {
    Tcp,
    Udp,
    Icmp,
    Icmpv6,
    /// Any other IP protocol, by number (IGMP is tracked as membership, not as a flow).
    Other(u8),
    /// A frame without IP, by EtherType (PTP over Ethernet, 0x88F7), keyed
    /// by MAC addresses ([`Endpoint::of_mac`]). Only frames a content
    /// detector recognises become such flows.
    Ether(u16),
}

impl Transport {
    /// Name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Transport::Tcp => "tcp",
            Transport::Udp => "udp",
            Transport::Icmp => "icmp",
            Transport::Icmpv6 => "icmpv6",
            Transport::Other(_) => "other",
            Transport::Ether(_) => "ether",
        }
    }

    /// A transport without IP ([`Transport::Ether`]).
    #[inline]
    pub fn is_ether(self) -> bool {
        matches!(self, Transport::Ether(_))
    }

    /// The transport for an IP protocol number.
    pub fn from_protocol(p: u8) -> Transport {
        match p {
            6 => Transport::Tcp,
            17 => Transport::Udp,
            1 => Transport::Icmp,
            58 => Transport::Icmpv6,
            other => Transport::Other(other),
        }
    }
}

/// Key of a bidirectional flow: the endpoints are stored in a canonical
/// order (`lo <= hi`) so both directions of a conversation give the same key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FlowKey {
    /// Outer and inner VLAN id packed as `outer << 16 | inner`; 0 untagged.
    pub vlan: u32,
    pub transport: Transport,
    pub lo: Endpoint,
    pub hi: Endpoint,
}

impl FlowKey {
    /// The key of a packet from `src` to `dst`, and whether `src` is the `lo` side.
    #[inline]
    pub fn new(vlan: u32, transport: Transport, src: Endpoint, dst: Endpoint) -> (FlowKey, bool) {
        if src <= dst {
            (
                FlowKey {
                    vlan,
                    transport,
                    lo: src,
                    hi: dst,
                },
                true,
            )
        } else {
            (
                FlowKey {
                    vlan,
                    transport,
                    lo: dst,
                    hi: src,
                },
                false,
            )
        }
    }

    /// The sender and receiver of a packet of this flow that was sent by
    /// the `lo` endpoint when `src_is_lo` (as [`FlowKey::new`] returned it).
    #[inline]
    pub fn sender_receiver(&self, src_is_lo: bool) -> (Endpoint, Endpoint) {
        if src_is_lo {
            (self.lo, self.hi)
        } else {
            (self.hi, self.lo)
        }
    }

    /// A hash that does not depend on the packet's direction (the key is
    /// already canonical), used to route a flow to its shard.
    #[inline]
    pub fn symmetric_hash(&self) -> u64 {
        let mut h = rustc_hash::FxHasher::default();
        self.hash(&mut h);
        h.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::Ipv4Addr;

    fn ep(a: u8, port: u16) -> Endpoint {
        Endpoint {
            ip: IpAddr::V4(Ipv4Addr::new(10, 0, 0, a)),
            port,
        }
    }

    #[test]
    fn both_directions_give_one_key_and_one_hash() {
        let (k1, fwd1) = FlowKey::new(0, Transport::Tcp, ep(1, 40000), ep(2, 443));
        let (k2, fwd2) = FlowKey::new(0, Transport::Tcp, ep(2, 443), ep(1, 40000));
        assert_eq!(k1, k2);
        assert_ne!(fwd1, fwd2);
        assert_eq!(k1.symmetric_hash(), k2.symmetric_hash());
        // Each packet's own sender and receiver come back from the key.
        assert_eq!(k1.sender_receiver(fwd1), (ep(1, 40000), ep(2, 443)));
        assert_eq!(k2.sender_receiver(fwd2), (ep(2, 443), ep(1, 40000)));
    }

    #[test]
    fn mac_endpoints_round_trip_and_never_read_as_an_ip_endpoint() {
        let m = [0x01, 0x1b, 0x19, 0, 0, 0];
        let e = Endpoint::of_mac(m);
        assert_eq!(e.mac(), Some(m));
        assert_eq!(e.ip.to_string(), "100::11b:1900:0");
        assert_eq!(ep(1, 0).mac(), None);
        let v6 = Endpoint {
            ip: "2001:db8::1".parse().unwrap(),
            port: 0,
        };
        assert_eq!(v6.mac(), None);
    }

    #[test]
    fn vlan_and_transport_separate_flows() {
        let (a, _) = FlowKey::new(0, Transport::Udp, ep(1, 5004), ep(2, 5004));
        let (b, _) = FlowKey::new(100 << 16, Transport::Udp, ep(1, 5004), ep(2, 5004));
        let (c, _) = FlowKey::new(0, Transport::Tcp, ep(1, 5004), ep(2, 5004));
        assert_ne!(a, b);
        assert_ne!(a, c);
    }
}

//! The whole-frame decoder: link layer, tags, network, transport.

use crate::error::{bad_field, truncated, Error, ErrorKind, Layer, Result};
use crate::ethernet::{self, ether_type};
use crate::facts::{Net, PacketFacts, Transport};
use crate::ip::{ip_protocol, IpPayload};
use crate::link::LinkType;
use crate::llc::{self, LlcFacts};
use crate::loopback::{self, family};
use crate::mld::mld_type;
use crate::udp::UdpContext;
use crate::vlan::{self, VlanStack, VlanTag};
use crate::{arp, icmp, igmp, ipv4, ipv6, mld, sll, tcp, udp};

/// Decodes one captured frame of link type `link`.
///
/// Lax: it never fails, never panics and never allocates. Every layer
/// decoded before the first malformed one is kept; the malformed one is
/// recorded in [`PacketFacts::error`] with its byte offset in the frame.
/// A packet cut by the capture's snap length is decoded as far as its
/// bytes go and flagged [`PacketFacts::truncated`].
///
/// ```
/// use portmatrix_wire::{decode, LinkType};
/// # let frame: [u8; 42] = [
/// #     0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x1d, 0xc1, 0x01, 0x02, 0x03, 0x08, 0x00,
/// #     0x45, 0x00, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00,
/// #     10, 0, 0, 5, 255, 255, 255, 255,
/// #     0x22, 0xb8, 0x22, 0xb8, 0x00, 0x08, 0x00, 0x00,
/// # ];
/// let facts = decode(LinkType::ETHERNET, &frame);
/// assert_eq!(facts.l4_name(), Some("udp"));
/// assert_eq!(facts.ports(), Some((8888, 8888)));
/// assert!(facts.is_broadcast());
/// assert!(facts.error.is_none());
/// ```
pub fn decode(link: LinkType, frame: &[u8]) -> PacketFacts<'_> {
    let mut facts = PacketFacts::empty(link);
    if let Err(e) = decode_link(&mut facts, link, frame) {
        facts.error = Some(e);
    }
    facts
}

/// Decodes one frame and fails on the first malformed layer.
///
/// # Errors
///
/// The error [`decode`] would record in [`PacketFacts::error`].
pub fn decode_strict(link: LinkType, frame: &[u8]) -> Result<PacketFacts<'_>> {
    let facts = decode(link, frame);
    match facts.error {
        Some(e) => Err(e),
        None => Ok(facts),
    }
}

fn decode_link<'a>(f: &mut PacketFacts<'a>, link: LinkType, frame: &'a [u8]) -> Result<()> {
    match link {
        LinkType::ETHERNET => {
            let eth = ethernet::Packet::new_checked(frame)?;
            f.dst_mac = Some(eth.destination());
            f.src_mac = Some(eth.source());
            ether(
                f,
                frame,
                ethernet::ETHERTYPE_OFFSET,
                eth.ethertype(),
                ethernet::HEADER_LEN,
            )
        }
        LinkType::LINUX_SLL => {
            let p = sll::Packet::new_checked(frame)?;
            f.src_mac = p.mac_address();
            f.sll_packet_type = Some(p.packet_type());
            sll_protocol(
                f,
                frame,
                sll::PROTOCOL_OFFSET,
                p.protocol(),
                sll::HEADER_LEN,
            )
        }
        LinkType::LINUX_SLL2 => {
            let p = sll::Packet2::new_checked(frame)?;
            f.src_mac = p.mac_address();
            f.sll_packet_type = Some(p.packet_type().into());
            sll_protocol(
                f,
                frame,
                sll::PROTOCOL_OFFSET_V2,
                p.protocol(),
                sll::HEADER_LEN_V2,
            )
        }
        LinkType::NULL | LinkType::LOOP => {
            let p = loopback::Packet::new_checked(frame)?;
            let af = if link == LinkType::NULL {
                p.family_any_order()
            } else {
                p.family_big_endian()
            };
            match af {
                family::INET => ip4(f, frame, loopback::HEADER_LEN),
                v if family::is_inet6(v) => ip6(f, frame, loopback::HEADER_LEN),
                family => {
                    f.net = Net::OtherFamily { family };
                    f.net_offset = loopback::HEADER_LEN;
                    Ok(())
                }
            }
        }
        LinkType::RAW => match frame.first().map(|b| b >> 4) {
            Some(4) => ip4(f, frame, 0),
            Some(6) => ip6(f, frame, 0),
            Some(v) => Err(bad_field(Layer::Link, 0, "version", v.into())),
            None => Err(truncated(Layer::Link, 0, 1, 0)),
        },
        LinkType::IPV4 => ip4(f, frame, 0),
        LinkType::IPV6 => ip6(f, frame, 0),
        LinkType(other) => Err(Error::new(
            Layer::Link,
            0,
            ErrorKind::UnsupportedLinkType { link_type: other },
        )),
    }
}

/// The protocol field of Linux SLL/SLL2: an EtherType, or below 0x0600 a
/// Linux pseudo-protocol of which only 802.2 LLC is decoded further.
fn sll_protocol<'a>(
    f: &mut PacketFacts<'a>,
    frame: &'a [u8],
    type_offset: usize,
    protocol: u16,
    start: usize,
) -> Result<()> {
    if protocol == sll::PROTOCOL_802_2 {
        llc_frame(f, frame, start)
    } else if protocol <= ether_type::MAX_LENGTH {
        f.net = Net::Other {
            ether_type: protocol,
        };
        f.net_offset = start;
        Ok(())
    } else {
        ether(f, frame, type_offset, protocol, start)
    }
}

/// Follows an EtherType / 802.3 length field at `type_offset` whose
/// payload starts at `start`, through any VLAN tags.
fn ether<'a>(
    f: &mut PacketFacts<'a>,
    frame: &'a [u8],
    mut type_offset: usize,
    mut et: u16,
    mut start: usize,
) -> Result<()> {
    while ether_type::is_vlan_tpid(et) {
        if f.vlans.len() == VlanStack::CAPACITY {
            return Err(Error::new(
                Layer::Vlan,
                type_offset,
                ErrorKind::TooManyVlanTags {
                    max: VlanStack::CAPACITY,
                },
            ));
        }
        let tag = vlan::Packet::new_checked(&frame[start..]).map_err(|e| e.add_offset(start))?;
        f.vlans.push(
            VlanTag {
                tpid: et,
                tci: tag.tci(),
            },
            type_offset,
        )?;
        type_offset = start + 2;
        et = tag.ethertype();
        start += vlan::HEADER_LEN;
    }
    if et <= ether_type::MAX_LENGTH {
        return llc_frame(f, frame, start);
    }
    f.ether_type = Some(et);
    match et {
        ether_type::IPV4 => ip4(f, frame, start),
        ether_type::IPV6 => ip6(f, frame, start),
        ether_type::ARP => {
            f.net_offset = start;
            let a = arp::parse(&frame[start..]).map_err(|e| e.add_offset(start))?;
            f.net = Net::Arp(a);
            Ok(())
        }
        _ => {
            f.net = Net::Other { ether_type: et };
            f.net_offset = start;
            Ok(())
        }
    }
}

/// An 802.2 LLC header at `start`; SNAP with an EtherType continues there.
fn llc_frame<'a>(f: &mut PacketFacts<'a>, frame: &'a [u8], start: usize) -> Result<()> {
    let p = llc::Packet::new_checked(&frame[start..]).map_err(|e| e.add_offset(start))?;
    // A SNAP EtherType that is itself an 802.3 length would nest LLC in
    // LLC; it is kept as an LLC frame instead of recursing.
    if let Some(et) = p
        .snap_ether_type()
        .filter(|&et| et > ether_type::MAX_LENGTH)
    {
        return ether(
            f,
            frame,
            start + llc::SNAP_HEADER_LEN - 2,
            et,
            start + llc::SNAP_HEADER_LEN,
        );
    }
    f.net = Net::Llc(LlcFacts {
        dsap: p.dsap(),
        ssap: p.ssap(),
        control: p.control(),
        snap: p.is_snap().then(|| (p.snap_oui(), p.snap_protocol_id())),
    });
    f.net_offset = start;
    Ok(())
}

fn ip4<'a>(f: &mut PacketFacts<'a>, frame: &'a [u8], start: usize) -> Result<()> {
    f.net_offset = start;
    let (h, p) = ipv4::parse(&frame[start..]).map_err(|e| e.add_offset(start))?;
    f.net = Net::Ipv4(h);
    upper(f, start, p, false)
}

fn ip6<'a>(f: &mut PacketFacts<'a>, frame: &'a [u8], start: usize) -> Result<()> {
    f.net_offset = start;
    let (h, p) = ipv6::parse(&frame[start..]).map_err(|e| e.add_offset(start))?;
    f.net = Net::Ipv6(h);
    upper(f, start, p, true)
}

#[inline]
fn ports_of(protocol: u8, d: &[u8]) -> Option<(u16, u16)> {
    (ip_protocol::has_ports(protocol) && d.len() >= 4).then(|| {
        (
            u16::from_be_bytes([d[0], d[1]]),
            u16::from_be_bytes([d[2], d[3]]),
        )
    })
}

/// The transport layer of an IP packet whose header starts at `ip_start`.
fn upper<'a>(f: &mut PacketFacts<'a>, ip_start: usize, p: IpPayload<'a>, v6: bool) -> Result<()> {
    f.truncated = p.truncated;
    let off = ip_start + p.offset;
    f.transport_offset = off;
    f.payload_offset = off;
    if let Some(e) = p.stop {
        // An extension header cut by the capture is not malformed.
        if p.truncated && e.is_truncation() {
            return Ok(());
        }
        return Err(e.add_offset(ip_start));
    }
    let protocol = p.protocol;
    if !p.first_fragment {
        f.transport = Transport::Fragment { protocol };
        return Ok(());
    }
    // Only part of the transport message is present: cut by the capture,
    // or the first fragment of a larger datagram.
    let partial = p.truncated || p.fragmented;
    let data = p.data;
    let result = match protocol {
        ip_protocol::TCP => tcp::parse(data).map(|(t, payload)| {
            f.transport = Transport::Tcp(t);
            f.payload = payload;
            f.payload_offset = off + t.header_len();
        }),
        ip_protocol::UDP => {
            let cx = UdpContext {
                ipv6: v6,
                truncated: p.truncated,
                fragmented: p.fragmented,
            };
            udp::parse(data, cx).map(|(u, payload)| {
                f.transport = Transport::Udp(u);
                f.payload = payload;
                f.payload_offset = off + udp::HEADER_LEN;
            })
        }
        ip_protocol::ICMP if !v6 => {
            icmp::parse_v4(data, partial).map(|i| f.transport = Transport::Icmpv4(i))
        }
        ip_protocol::ICMPV6 if v6 => match data.first() {
            Some(&t) if mld_type::is_mld(t) => mld::parse(data, partial).and_then(|m| {
                f.transport = Transport::Mld(m);
                m.records.validate()
            }),
            _ => icmp::parse_v6(data, partial).map(|i| f.transport = Transport::Icmpv6(i)),
        },
        ip_protocol::IGMP if !v6 => igmp::parse(data, partial).and_then(|g| {
            f.transport = Transport::Igmp(g);
            g.records.validate()
        }),
        _ => {
            f.transport = Transport::Other { protocol };
            Ok(())
        }
    };
    // Group records were read relative to the message; their offsets count
    // from the start of the frame.
    match &mut f.transport {
        Transport::Igmp(g) => g.add_offset(off),
        Transport::Mld(m) => m.add_offset(off),
        _ => {}
    }
    match result {
        Ok(()) => Ok(()),
        Err(e) if partial && e.is_truncation() => {
            // Keep what the capture holds: the fixed TCP header when its
            // options were cut, else the ports.
            if matches!(f.transport, Transport::None) {
                f.transport = match tcp::parse_fixed(data).filter(|_| protocol == ip_protocol::TCP)
                {
                    Some(t) => Transport::Tcp(t),
                    None => Transport::Snapped {
                        protocol,
                        ports: ports_of(protocol, data),
                    },
                };
            }
            Ok(())
        }
        Err(e) => Err(e.add_offset(off)),
    }
}

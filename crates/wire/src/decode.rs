//! The whole-frame decoder: link layer, tags, network, transport.

use crate::error::{bad_field, truncated, Error, ErrorKind, Layer, Result};
use crate::ethernet::{self, ether_type};
use crate::facts::{Net, PacketFacts, Transport};
use crate::ip::{ip_protocol, IpPayload};
use crate::link::LinkType;
use crate::llc::{self, LlcFacts};
use crate::loopback::{self, family};
use crate::mld::mld_type;
use crate::tunnel::DecodeOptions;
use crate::udp::UdpContext;
use crate::vlan::{self, VlanStack, VlanTag};
use crate::{arp, decap, icmp, igmp, ipv4, ipv6, mld, sll, tcp, udp};

/// Decodes one captured frame of link type `link`.
///
/// Tunnels and remote-mirror encapsulations (ERSPAN, GRE, VXLAN, Geneve,
/// MPLS, IP-in-IP) are removed: the facts are those of the innermost
/// packet, and [`PacketFacts::encap`] says what was removed (see
/// [`decode_with`] to keep the tunnel instead).
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
#[inline]
pub fn decode(link: LinkType, frame: &[u8]) -> PacketFacts<'_> {
    decode_frame(
        link,
        Frame {
            bytes: frame,
            whole: false,
            opts: DecodeOptions::DEFAULT,
        },
    )
}

/// Decodes one captured frame with explicit [`DecodeOptions`], knowing its
/// original length when `orig_len` is given (see [`decode_with_orig_len`]).
///
/// With [`DecodeOptions::NO_DECAP`] a tunnel is decoded as the packet it
/// is on the wire (a GRE or UDP flow between the sensor and the
/// collector), as `--no-decap` asks.
#[inline]
pub fn decode_with(
    link: LinkType,
    frame: &[u8],
    orig_len: Option<usize>,
    opts: DecodeOptions,
) -> PacketFacts<'_> {
    decode_frame(
        link,
        Frame {
            bytes: frame,
            whole: orig_len.is_some_and(|n| frame.len() >= n),
            opts,
        },
    )
}

/// Decodes one captured frame knowing its original (on-the-wire) length.
///
/// Like [`decode`], but a frame that was captured whole (`frame.len() >=
/// orig_len`) cannot have been cut by the capture: an IP length field that
/// claims more bytes than the frame holds is then reported as a
/// [`ErrorKind::LengthMismatch`] at the IP layer instead of flagging the
/// packet [`PacketFacts::truncated`].
#[inline]
pub fn decode_with_orig_len(link: LinkType, frame: &[u8], orig_len: usize) -> PacketFacts<'_> {
    decode_frame(
        link,
        Frame {
            bytes: frame,
            whole: frame.len() >= orig_len,
            opts: DecodeOptions::DEFAULT,
        },
    )
}

/// The frame being decoded and what is known about its capture.
///
/// Inside a tunnel `bytes` ends where the tunnel's payload ends, and still
/// starts at the first byte of the captured frame, so that every offset
/// stays an offset in the frame.
#[derive(Clone, Copy)]
pub(crate) struct Frame<'a> {
    pub bytes: &'a [u8],
    /// The capture holds every byte that was on the wire.
    pub whole: bool,
    pub opts: DecodeOptions,
}

#[inline]
fn decode_frame(link: LinkType, frame: Frame<'_>) -> PacketFacts<'_> {
    let mut facts = PacketFacts::empty(link);
    facts.error = decode_link(&mut facts, link, frame).err();
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

#[inline]
fn decode_link<'a>(f: &mut PacketFacts<'a>, link: LinkType, frame: Frame<'a>) -> Result<()> {
    match link {
        LinkType::ETHERNET => ethernet_at(f, frame, 0),
        LinkType::LINUX_SLL => {
            let p = sll::Packet::new_checked(frame.bytes)?;
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
            let p = sll::Packet2::new_checked(frame.bytes)?;
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
            let p = loopback::Packet::new_checked(frame.bytes)?;
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
        LinkType::RAW => match frame.bytes.first().map(|b| b >> 4) {
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

/// An Ethernet / 802.3 header at `start` and what it carries.
#[inline]
pub(crate) fn ethernet_at<'a>(
    f: &mut PacketFacts<'a>,
    frame: Frame<'a>,
    start: usize,
) -> Result<()> {
    let eth =
        ethernet::Packet::new_checked(&frame.bytes[start..]).map_err(|e| e.add_offset(start))?;
    f.dst_mac = Some(eth.destination());
    f.src_mac = Some(eth.source());
    ether(
        f,
        frame,
        start + ethernet::ETHERTYPE_OFFSET,
        eth.ethertype(),
        start + ethernet::HEADER_LEN,
    )
}

/// The protocol field of Linux SLL/SLL2: an EtherType, or below 0x0600 a
/// Linux pseudo-protocol of which only 802.2 LLC is decoded further.
#[inline]
fn sll_protocol<'a>(
    f: &mut PacketFacts<'a>,
    frame: Frame<'a>,
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
#[inline]
fn ether<'a>(
    f: &mut PacketFacts<'a>,
    frame: Frame<'a>,
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
        let tag =
            vlan::Packet::new_checked(&frame.bytes[start..]).map_err(|e| e.add_offset(start))?;
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
        ether_type::ARP | ether_type::RARP => {
            f.net_offset = start;
            let a = arp::parse(&frame.bytes[start..]).map_err(|e| e.add_offset(start))?;
            f.net = Net::Arp(a);
            Ok(())
        }
        ether_type::MPLS_UNICAST | ether_type::MPLS_MULTICAST => decap::mpls(f, frame, et, start),
        _ => {
            f.net = Net::Other { ether_type: et };
            f.net_offset = start;
            // The payload of an EtherType without IP (PTP over Ethernet,
            // 0x88F7), for the content detectors; it may end in padding.
            f.payload = &frame.bytes[start..];
            f.payload_offset = start;
            Ok(())
        }
    }
}

/// An 802.2 LLC header at `start`; SNAP with an EtherType continues there.
#[inline]
fn llc_frame<'a>(f: &mut PacketFacts<'a>, frame: Frame<'a>, start: usize) -> Result<()> {
    let p = llc::Packet::new_checked(&frame.bytes[start..]).map_err(|e| e.add_offset(start))?;
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

#[inline]
pub(crate) fn ip4<'a>(f: &mut PacketFacts<'a>, frame: Frame<'a>, start: usize) -> Result<()> {
    f.net_offset = start;
    let (h, p) = ipv4::parse(&frame.bytes[start..]).map_err(|e| e.add_offset(start))?;
    f.net = Net::Ipv4(h);
    if p.truncated && frame.whole {
        return Err(Error::new(
            Layer::Ipv4,
            start + ipv4::TOTAL_LENGTH_OFFSET,
            ErrorKind::LengthMismatch {
                field: "total_length",
                claimed: h.total_length.into(),
                actual: frame.bytes.len() - start,
            },
        ));
    }
    upper(f, frame, start, p, false)
}

#[inline]
pub(crate) fn ip6<'a>(f: &mut PacketFacts<'a>, frame: Frame<'a>, start: usize) -> Result<()> {
    f.net_offset = start;
    let (h, p) = ipv6::parse(&frame.bytes[start..]).map_err(|e| e.add_offset(start))?;
    f.net = Net::Ipv6(h);
    if p.truncated && frame.whole {
        return Err(Error::new(
            Layer::Ipv6,
            start + ipv6::PAYLOAD_LENGTH_OFFSET,
            ErrorKind::LengthMismatch {
                field: "payload_length",
                claimed: h.payload_length.into(),
                actual: frame.bytes.len() - start - ipv6::HEADER_LEN,
            },
        ));
    }
    upper(f, frame, start, p, true)
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
#[inline]
fn upper<'a>(
    f: &mut PacketFacts<'a>,
    frame: Frame<'a>,
    ip_start: usize,
    p: IpPayload<'a>,
    v6: bool,
) -> Result<()> {
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
    // The tunnel steps are out of line (and recursive): only tunnels pay for them.
    if frame.opts.decap && !p.fragmented && decap::is_ip_tunnel(protocol) {
        if let Some(r) = decap::ip_payload(f, frame, protocol, off, data) {
            return r;
        }
    }
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
    if frame.opts.decap && result.is_ok() && !p.fragmented && decap::is_udp_tunnel(&f.transport) {
        if let Some(r) = decap::udp(f, frame) {
            return r;
        }
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

#[cfg(test)]
mod tests {
    //! Whole frames assembled by hand from the RFC / IEEE layouts; each
    //! malformed case asserts the absolute frame offset of the bad byte.

    use super::*;
    use core::net::{IpAddr, Ipv4Addr};

    const ETH_IPV4: [u8; 14] = [
        0x01, 0x00, 0x5e, 0x45, 0x01, 0x0a, // dst: 239.69.1.10 multicast MAC
        0x00, 0x1d, 0xc1, 0x0a, 0x0b, 0x0c, // src
        0x08, 0x00,
    ];

    /// IPv4 header without options: total length, protocol, src, dst.
    fn ipv4(total_length: u16, protocol: u8, src: [u8; 4], dst: [u8; 4]) -> Vec<u8> {
        let mut h = vec![0x45, 0x00];
        h.extend_from_slice(&total_length.to_be_bytes());
        h.extend_from_slice(&[0x00, 0x2a, 0x00, 0x00, 0x20, protocol, 0x00, 0x00]);
        h.extend_from_slice(&src);
        h.extend_from_slice(&dst);
        h
    }

    fn frame(parts: &[&[u8]]) -> Vec<u8> {
        parts.concat()
    }

    const UDP_5004: [u8; 12] = [
        0x13, 0x8c, 0x13, 0x8c, 0x00, 0x0c, 0x00, 0x00, // 5004 -> 5004, length 12
        0x80, 0x60, 0x00, 0x01, // first RTP octets
    ];

    #[test]
    fn decode_ethernet_ipv4_udp() {
        let f = frame(&[
            &ETH_IPV4,
            &ipv4(32, 17, [10, 0, 0, 5], [239, 69, 1, 10]),
            &UDP_5004,
        ]);
        let d = decode(LinkType::ETHERNET, &f);
        assert_eq!(d.error, None);
        assert_eq!(d.dst_mac, Some([0x01, 0x00, 0x5e, 0x45, 0x01, 0x0a]));
        assert_eq!(d.ether_type, Some(0x0800));
        assert_eq!(d.src_ip(), Some(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 5))));
        assert_eq!(d.ports(), Some((5004, 5004)));
        assert_eq!(
            (d.net_offset, d.transport_offset, d.payload_offset),
            (14, 34, 42)
        );
        assert_eq!(d.payload, &[0x80, 0x60, 0x00, 0x01]);
        assert_eq!((d.l3_name(), d.l4_name()), (Some("ipv4"), Some("udp")));
        assert!(d.is_multicast() && !d.is_broadcast() && d.is_mac_multicast());
        assert!(!d.truncated);
    }

    #[test]
    fn decode_rejects_ipv4_ihl_at_frame_offset_14() {
        let mut ip = ipv4(32, 17, [10, 0, 0, 5], [10, 0, 0, 6]);
        ip[0] = 0x43;
        let f = frame(&[&ETH_IPV4, &ip, &UDP_5004]);
        let d = decode(LinkType::ETHERNET, &f);
        let e = d.error.unwrap();
        assert_eq!((e.layer, e.offset), (Layer::Ipv4, 14));
        assert_eq!(
            e.kind,
            ErrorKind::BadField {
                field: "ihl",
                value: 3
            }
        );
        // The link layer is kept, the packet still counts as IPv4.
        assert_eq!(d.src_mac, Some([0x00, 0x1d, 0xc1, 0x0a, 0x0b, 0x0c]));
        assert_eq!((d.l3_name(), d.l4_name()), (Some("ipv4"), None));
        assert_eq!(decode_strict(LinkType::ETHERNET, &f).unwrap_err(), e);
    }

    #[test]
    fn decode_rejects_total_length_below_header_at_offset_16() {
        let f = frame(&[
            &ETH_IPV4,
            &ipv4(16, 17, [10, 0, 0, 5], [10, 0, 0, 6]),
            &UDP_5004,
        ]);
        let e = decode(LinkType::ETHERNET, &f).error.unwrap();
        assert_eq!((e.layer, e.offset), (Layer::Ipv4, 16));
    }

    #[test]
    fn decode_rejects_udp_length_at_offset_38() {
        let mut udp = UDP_5004;
        udp[5] = 4;
        let f = frame(&[&ETH_IPV4, &ipv4(32, 17, [10, 0, 0, 5], [10, 0, 0, 6]), &udp]);
        let d = decode(LinkType::ETHERNET, &f);
        let e = d.error.unwrap();
        assert_eq!((e.layer, e.offset), (Layer::Udp, 38));
        assert_eq!(d.l4_name(), Some("udp"));
        assert_eq!(d.ports(), None);
    }

    #[test]
    fn decode_rejects_tcp_data_offset_at_offset_46() {
        let tcp = [
            0x00, 0x50, 0xc0, 0x01, 0, 0, 0, 1, 0, 0, 0, 0, 0x30, 0x02, 0x10, 0x00, 0, 0, 0, 0,
        ];
        let f = frame(&[&ETH_IPV4, &ipv4(40, 6, [10, 0, 0, 5], [10, 0, 0, 6]), &tcp]);
        let d = decode(LinkType::ETHERNET, &f);
        let e = d.error.unwrap();
        assert_eq!((e.layer, e.offset), (Layer::Tcp, 46));
        assert_eq!(
            e.kind,
            ErrorKind::BadField {
                field: "data_offset",
                value: 3
            }
        );
        assert_eq!(d.l4_name(), Some("tcp"));
    }

    #[test]
    fn decode_snapped_tcp_keeps_fixed_header_without_error() {
        // Data offset 8 (12 option octets), capture cut after the fixed header.
        let tcp = [
            0x00, 0x50, 0xc0, 0x01, 0, 0, 0, 1, 0, 0, 0, 9, 0x80, 0x12, 0x10, 0x00, 0, 0, 0, 0,
        ];
        let f = frame(&[&ETH_IPV4, &ipv4(60, 6, [10, 0, 0, 5], [10, 0, 0, 6]), &tcp]);
        let d = decode(LinkType::ETHERNET, &f);
        assert_eq!(d.error, None);
        assert!(d.truncated);
        let t = d.tcp().unwrap();
        assert!(t.flags.syn() && t.flags.ack());
        assert_eq!((t.acknowledgment_number, t.data_offset), (9, 8));
        assert_eq!(d.ports(), Some((80, 0xc001)));
        assert!(d.payload.is_empty());
        // Cut inside the fixed header: only the ports survive.
        let d = decode(LinkType::ETHERNET, &f[..40]);
        assert_eq!(d.error, None);
        assert_eq!(
            d.transport,
            Transport::Snapped {
                protocol: 6,
                ports: Some((80, 0xc001))
            }
        );
        assert_eq!(d.l4_name(), Some("tcp"));
    }

    #[test]
    fn decode_vlan_stack_outer_first_and_fifth_tag_offset() {
        let mut f = ETH_IPV4[..12].to_vec();
        // S-tag 100, C-tag 200, then IPv4.
        f.extend_from_slice(&[0x88, 0xa8, 0x00, 0x64, 0x81, 0x00, 0xa0, 0xc8, 0x08, 0x00]);
        f.extend_from_slice(&ipv4(32, 17, [10, 0, 0, 5], [10, 0, 0, 6]));
        f.extend_from_slice(&UDP_5004);
        let d = decode(LinkType::ETHERNET, &f);
        assert_eq!(d.error, None);
        assert_eq!(d.vlans.iter().collect::<Vec<_>>(), vec![100, 200]);
        assert_eq!(d.vlans.tags()[0].tpid, 0x88a8);
        assert_eq!(d.vlans.tags()[1].pcp(), 5);
        assert_eq!((d.net_offset, d.payload_offset), (22, 50));
        assert_eq!(d.ports(), Some((5004, 5004)));

        let mut f = ETH_IPV4[..12].to_vec();
        for vid in 1..=5u8 {
            f.extend_from_slice(&[0x81, 0x00, 0x00, vid]);
        }
        f.extend_from_slice(&[0x08, 0x00]);
        let d = decode(LinkType::ETHERNET, &f);
        let e = d.error.unwrap();
        // The fifth TPID sits at 12 + 4 * 4.
        assert_eq!((e.layer, e.offset), (Layer::Vlan, 28));
        assert_eq!(e.kind, ErrorKind::TooManyVlanTags { max: 4 });
        assert_eq!(d.vlans.len(), 4);
        assert_eq!(d.l3_name(), None);
    }

    #[test]
    fn decode_cut_vlan_tag_reports_its_offset() {
        let mut f = ETH_IPV4[..12].to_vec();
        f.extend_from_slice(&[0x81, 0x00, 0x00]);
        let e = decode(LinkType::ETHERNET, &f).error.unwrap();
        assert_eq!((e.layer, e.offset), (Layer::Vlan, 14));
    }

    #[test]
    fn decode_8023_llc_and_snap() {
        let mut stp = ETH_IPV4[..12].to_vec();
        stp.extend_from_slice(&[0x00, 0x26, 0x42, 0x42, 0x03, 0x00, 0x00]);
        let d = decode(LinkType::ETHERNET, &stp);
        assert_eq!(d.error, None);
        assert_eq!(d.ether_type, None);
        assert!(matches!(d.net, Net::Llc(LlcFacts { dsap: 0x42, .. })));
        assert_eq!(d.l3_name(), Some("other"));

        let mut snap = ETH_IPV4[..12].to_vec();
        snap.extend_from_slice(&[0x00, 0x30, 0xaa, 0xaa, 0x03, 0, 0, 0, 0x08, 0x00]);
        snap.extend_from_slice(&ipv4(32, 17, [10, 0, 0, 5], [10, 0, 0, 6]));
        snap.extend_from_slice(&UDP_5004);
        let d = decode(LinkType::ETHERNET, &snap);
        assert_eq!(d.error, None);
        assert_eq!((d.ether_type, d.net_offset), (Some(0x0800), 22));
        assert_eq!(d.ports(), Some((5004, 5004)));

        let e = decode(LinkType::ETHERNET, &snap[..19]).error.unwrap();
        assert_eq!((e.layer, e.offset), (Layer::Link, 14));
    }

    #[test]
    fn decode_loopback_families() {
        let ip = frame(&[&ipv4(32, 17, [127, 0, 0, 1], [127, 0, 0, 1]), &UDP_5004]);
        for (link, hdr) in [
            (LinkType::NULL, [2u8, 0, 0, 0]),
            (LinkType::NULL, [0, 0, 0, 2]),
            (LinkType::LOOP, [0, 0, 0, 2]),
        ] {
            let f = frame(&[&hdr, &ip]);
            let d = decode(link, &f);
            assert_eq!(d.error, None, "{link:?} {hdr:?}");
            assert_eq!((d.net_offset, d.ports()), (4, Some((5004, 5004))));
        }
        let f = frame(&[&[7, 0, 0, 0], &ip]);
        let d = decode(LinkType::NULL, &f);
        assert_eq!(d.net, Net::OtherFamily { family: 7 });
        assert_eq!(d.l3_name(), Some("other"));
        let e = decode(LinkType::LOOP, &[0, 0]).error.unwrap();
        assert_eq!((e.layer, e.offset), (Layer::Link, 0));
    }

    #[test]
    fn decode_raw_ip_by_version_nibble() {
        let ip = frame(&[&ipv4(32, 17, [10, 0, 0, 1], [10, 0, 0, 2]), &UDP_5004]);
        assert_eq!(decode(LinkType::RAW, &ip).ports(), Some((5004, 5004)));
        assert_eq!(decode(LinkType::IPV4, &ip).ports(), Some((5004, 5004)));
        let e = decode(LinkType::IPV6, &ip).error.unwrap();
        assert_eq!((e.layer, e.offset), (Layer::Ipv6, 0));
        let e = decode(LinkType::RAW, &[0x50, 0, 0]).error.unwrap();
        assert_eq!(
            (e.layer, e.offset, e.kind),
            (
                Layer::Link,
                0,
                ErrorKind::BadField {
                    field: "version",
                    value: 5
                }
            )
        );
        assert!(decode(LinkType::RAW, &[]).error.unwrap().is_truncation());
    }

    #[test]
    fn decode_sll2_offset_of_ipv4_error() {
        let mut f = vec![0x08, 0x00, 0, 0, 0, 0, 0, 2, 0, 1, 0, 6];
        f.extend_from_slice(&[0x00, 0x1d, 0xc1, 1, 2, 3, 0, 0]);
        let mut ip = ipv4(32, 17, [10, 0, 0, 5], [10, 0, 0, 6]);
        ip[0] = 0x42;
        f.extend_from_slice(&ip);
        let d = decode(LinkType::LINUX_SLL2, &f);
        assert_eq!(d.src_mac, Some([0x00, 0x1d, 0xc1, 1, 2, 3]));
        assert_eq!(d.sll_packet_type, Some(0));
        let e = d.error.unwrap();
        assert_eq!((e.layer, e.offset), (Layer::Ipv4, 20));
    }

    #[test]
    fn decode_unsupported_link_type() {
        let d = decode(LinkType(147), &[0; 40]);
        let e = d.error.unwrap();
        assert_eq!(e.kind, ErrorKind::UnsupportedLinkType { link_type: 147 });
        assert_eq!((d.l3_name(), d.l4_name()), (None, None));
    }

    #[test]
    fn decode_icmp_quote_error_offset_is_absolute() {
        // Port unreachable quoting a datagram whose version nibble is 5.
        let icmp = [
            3, 3, 0, 0, 0, 0, 0, 0, 0x55, 0, 0, 0x1c, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 6, 10, 0,
            0, 5, 0x13, 0x8c, 0x13, 0x8c, 0, 8, 0, 0,
        ];
        let f = frame(&[&ETH_IPV4, &ipv4(56, 1, [10, 0, 0, 6], [10, 0, 0, 5]), &icmp]);
        let d = decode(LinkType::ETHERNET, &f);
        let e = d.error.unwrap();
        assert_eq!((e.layer, e.offset), (Layer::Icmp, 42));
        assert_eq!(d.l4_name(), Some("icmp"));
    }

    #[test]
    fn decode_igmpv3_record_error_offset_is_absolute() {
        // Report claiming two records, only one present.
        let igmp = [0x22, 0, 0, 0, 0, 0, 0, 2, 4, 0, 0, 0, 239, 69, 1, 10];
        let f = frame(&[
            &ETH_IPV4,
            &ipv4(36, 2, [10, 0, 0, 5], [224, 0, 0, 22]),
            &igmp,
        ]);
        let d = decode(LinkType::ETHERNET, &f);
        let e = d.error.unwrap();
        // Second record would start at 14 + 20 + 8 + 8.
        assert_eq!((e.layer, e.offset), (Layer::Igmp, 50));
        let Transport::Igmp(g) = d.transport else {
            panic!("expected igmp, got {:?}", d.transport)
        };
        let first = g.records.into_iter().next().unwrap().unwrap();
        assert_eq!(first.offset, 42);
        assert_eq!(first.multicast_address, Ipv4Addr::new(239, 69, 1, 10));
    }

    #[test]
    fn decode_later_fragment_carries_no_ports() {
        let mut ip = ipv4(32, 17, [10, 0, 0, 5], [10, 0, 0, 6]);
        ip[6] = 0x00;
        ip[7] = 0xb9; // offset 1480
        let f = frame(&[&ETH_IPV4, &ip, &UDP_5004]);
        let d = decode(LinkType::ETHERNET, &f);
        assert_eq!(d.error, None);
        assert_eq!(d.transport, Transport::Fragment { protocol: 17 });
        assert_eq!((d.ports(), d.l4_name()), (None, Some("fragment")));
        let Net::Ipv4(h) = d.net else { panic!() };
        assert_eq!((h.identification, h.fragment_offset_len()), (42, 1480));
    }

    #[test]
    fn decode_arp_cut_reports_arp_layer() {
        let mut f = ETH_IPV4[..12].to_vec();
        f.extend_from_slice(&[0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 6, 4, 0, 1]);
        let d = decode(LinkType::ETHERNET, &f);
        let e = d.error.unwrap();
        assert_eq!((e.layer, e.offset), (Layer::Arp, 14));
        assert_eq!(d.l3_name(), Some("arp"));
    }

    #[test]
    fn decode_with_orig_len_tells_snapped_from_lying_length() {
        // IPv4 total length 60 over a 32-octet datagram.
        let f = frame(&[
            &ETH_IPV4,
            &ipv4(60, 17, [10, 0, 0, 5], [10, 0, 0, 6]),
            &UDP_5004,
        ]);
        let d = decode(LinkType::ETHERNET, &f);
        assert!(d.truncated && d.error.is_none());
        // The wire held 88 octets and the capture kept 46: snapped.
        let d = decode_with_orig_len(LinkType::ETHERNET, &f, 88);
        assert!(d.truncated && d.error.is_none());
        assert_eq!(d.ports(), Some((5004, 5004)));
        // The capture kept every octet: the length field is wrong.
        let d = decode_with_orig_len(LinkType::ETHERNET, &f, f.len());
        let e = d.error.unwrap();
        assert_eq!((e.layer, e.offset), (Layer::Ipv4, 16));
        assert_eq!(
            e.kind,
            ErrorKind::LengthMismatch {
                field: "total_length",
                claimed: 60,
                actual: 32
            }
        );
        assert!(!d.truncated && matches!(d.net, Net::Ipv4(_)));
        assert_eq!(d.transport, Transport::None);

        // IPv6: payload length 200 over 8 octets, captured whole.
        let mut v6 = vec![0x60, 0, 0, 0, 0x00, 0xc8, 59, 64];
        v6.extend_from_slice(&[0; 32]);
        v6.extend_from_slice(&[0; 8]);
        let mut f = ETH_IPV4.to_vec();
        f[12..14].copy_from_slice(&[0x86, 0xdd]);
        f.extend_from_slice(&v6);
        let e = decode_with_orig_len(LinkType::ETHERNET, &f, f.len())
            .error
            .unwrap();
        assert_eq!((e.layer, e.offset), (Layer::Ipv6, 18));
        assert_eq!(
            e.kind,
            ErrorKind::LengthMismatch {
                field: "payload_length",
                claimed: 200,
                actual: 8
            }
        );
        assert!(decode(LinkType::ETHERNET, &f).truncated);
    }
}

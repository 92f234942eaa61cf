//! Removal of tunnels and remote-mirror encapsulations (`docs/mirror.md`):
//! the decoder's steps from an outer IP, UDP or MPLS layer to the frame
//! inside. The header views are in [`crate::tunnel`].
//!
//! Every step first reads the tunnel header; a malformed one is the
//! packet's error and the outer facts are kept (the packet stays the tunnel
//! flow). Otherwise the outer facts are replaced by those of the inner
//! frame, and [`PacketFacts::encap`] records the session. Offsets stay
//! offsets in the captured frame.

use crate::decode::{ethernet_at, ip4, ip6, Frame};
use crate::error::{truncated, Layer, Result};
use crate::ethernet::ether_type;
use crate::facts::{Net, PacketFacts, Transport};
use crate::ip::ip_protocol;
use crate::tunnel::erspan::{self, frame_type};
use crate::tunnel::mpls::{self, Payload};
use crate::tunnel::{geneve, gre, vxlan, Direction, Encap, EncapKind};

/// What one encapsulation layer says about its session.
#[derive(Clone, Copy)]
struct Session {
    kind: EncapKind,
    id: Option<u32>,
    vlan: Option<u16>,
    direction: Option<Direction>,
}

impl Session {
    const fn new(kind: EncapKind, id: Option<u32>) -> Session {
        Session {
            kind,
            id,
            vlan: None,
            direction: None,
        }
    }

    fn encap(self, f: &PacketFacts<'_>, depth: u8) -> Encap {
        Encap {
            kind: self.kind,
            outer_src: f.src_ip(),
            outer_dst: f.dst_ip(),
            id: self.id,
            vlan: self.vlan,
            direction: self.direction,
            depth,
            inner_offset: 0,
            depth_exceeded: false,
        }
    }
}

/// What the inner frame is.
#[derive(Clone, Copy)]
enum Inner {
    Ethernet,
    Ipv4,
    Ipv6,
    /// An MPLS label stack of this EtherType (inside GRE).
    Mpls(u16),
}

/// Enters one more layer: `false` when decapsulation is off or the depth
/// limit is reached (then flagged), and the outer facts stay.
fn enter(f: &mut PacketFacts<'_>, frame: Frame<'_>, s: Session) -> bool {
    if !frame.opts.decap {
        return false;
    }
    let depth = f.encap.map_or(0, |e| e.depth);
    if depth >= frame.opts.max_depth {
        let e = f.encap.get_or_insert(s.encap(f, 0));
        e.depth_exceeded = true;
        return false;
    }
    let encap = match f.encap {
        // The session is the outermost layer with IP endpoints.
        Some(e) if e.outer_src.is_none() && f.src_ip().is_some() => s.encap(f, e.depth + 1),
        Some(e) => Encap {
            depth: e.depth + 1,
            ..e
        },
        None => s.encap(f, 1),
    };
    *f = PacketFacts::empty(f.link);
    f.encap = Some(encap);
    true
}

/// Enters one more layer and decodes the inner frame at `start`; `None`
/// when the layer is not entered ([`enter`]). When not even the inner
/// frame's first header can be read, the packet stays the tunnel: the
/// outer facts are kept, with the inner frame's error.
fn descend<'a>(
    f: &mut PacketFacts<'a>,
    frame: Frame<'a>,
    s: Session,
    what: Inner,
    start: usize,
) -> Option<Result<()>> {
    let outer = *f;
    if !enter(f, frame, s) {
        return None;
    }
    let r = inner(f, frame, what, start);
    if r.is_err() && matches!(f.net, Net::None) {
        *f = outer;
    }
    Some(r)
}

/// Decodes the inner frame starting at `start` of `frame` (bounded).
fn inner<'a>(f: &mut PacketFacts<'a>, frame: Frame<'a>, what: Inner, start: usize) -> Result<()> {
    if let Some(e) = f.encap.as_mut() {
        e.inner_offset = start;
    }
    match what {
        Inner::Ethernet => ethernet_at(f, frame, start),
        Inner::Ipv4 => ip4(f, frame, start),
        Inner::Ipv6 => ip6(f, frame, start),
        Inner::Mpls(et) => mpls(f, frame, et, start),
    }
}

/// `frame` cut at `end`; `cut` when the sender says it shortened the inner frame.
fn bounded(frame: Frame<'_>, end: usize, cut: bool) -> Frame<'_> {
    Frame {
        bytes: &frame.bytes[..end],
        whole: frame.whole && !cut,
        opts: frame.opts,
    }
}

/// IP protocols that are tunnels: GRE, IP-in-IP, IPv6-in-IP.
#[inline]
pub(crate) const fn is_ip_tunnel(protocol: u8) -> bool {
    matches!(
        protocol,
        ip_protocol::GRE | ip_protocol::IPIP | ip_protocol::IPV6
    )
}

/// A UDP datagram to the VXLAN or Geneve port.
#[inline]
pub(crate) fn is_udp_tunnel(t: &Transport<'_>) -> bool {
    matches!(t, Transport::Udp(u) if matches!(u.destination_port, vxlan::UDP_PORT | geneve::UDP_PORT))
}

/// The upper layer of an IP packet (not a fragment) whose payload `data`
/// starts at frame offset `off`: GRE, IP-in-IP and 6in4 are decapsulated.
/// `None` when this is no tunnel (or it stays in place): the caller
/// decodes the transport as usual.
#[cold]
#[inline(never)]
pub(crate) fn ip_payload<'a>(
    f: &mut PacketFacts<'a>,
    frame: Frame<'a>,
    protocol: u8,
    off: usize,
    data: &'a [u8],
) -> Option<Result<()>> {
    if !frame.opts.decap {
        return None;
    }
    let snapped = f.truncated;
    ip_tunnel(f, frame, protocol, off, data).map(|r| unless_snapped(f, r, snapped))
}

/// A tunnel inside an IP packet the capture cut (`snapped`): a tunnel
/// header or inner frame that is only missing octets is not malformed; the
/// packet is flagged truncated, as the outer one is.
fn unless_snapped(f: &mut PacketFacts<'_>, r: Result<()>, snapped: bool) -> Result<()> {
    match r {
        Err(e) if snapped && e.is_truncation() => {
            f.truncated = true;
            Ok(())
        }
        r => r,
    }
}

fn ip_tunnel<'a>(
    f: &mut PacketFacts<'a>,
    frame: Frame<'a>,
    protocol: u8,
    off: usize,
    data: &'a [u8],
) -> Option<Result<()>> {
    let frame = bounded(frame, off + data.len(), false);
    match protocol {
        ip_protocol::IPIP | ip_protocol::IPV6 => {
            let what = if protocol == ip_protocol::IPIP {
                Inner::Ipv4
            } else {
                Inner::Ipv6
            };
            f.transport = Transport::Other { protocol };
            descend(f, frame, Session::new(EncapKind::IpInIp, None), what, off)
        }
        ip_protocol::GRE => gre_payload(f, frame, off, data),
        _ => None,
    }
}

fn gre_payload<'a>(
    f: &mut PacketFacts<'a>,
    frame: Frame<'a>,
    off: usize,
    data: &'a [u8],
) -> Option<Result<()>> {
    f.transport = Transport::Other {
        protocol: ip_protocol::GRE,
    };
    let g = match gre::Packet::new_checked(data) {
        Ok(g) => g,
        Err(e) => return Some(Err(e.add_offset(off))),
    };
    // RFC 2784 receivers discard other versions and the RFC 1701 routing
    // bit; PPTP (version 1) carries PPP, not a mirrored frame.
    if g.version() != 0 || g.routing_present() {
        return None;
    }
    let start = off + g.header_len();
    let rest = g.payload();
    let key = g.key();
    let (session, what, start, cut) = match g.protocol_type() {
        ether_type::TRANSPARENT_ETHERNET => (
            Session::new(EncapKind::GreEthernet, key),
            Inner::Ethernet,
            start,
            false,
        ),
        ether_type::IPV4 => (
            Session::new(EncapKind::GreIp, key),
            Inner::Ipv4,
            start,
            false,
        ),
        ether_type::IPV6 => (
            Session::new(EncapKind::GreIp, key),
            Inner::Ipv6,
            start,
            false,
        ),
        et @ (ether_type::MPLS_UNICAST | ether_type::MPLS_MULTICAST) => {
            return descend(
                f,
                frame,
                Session::new(EncapKind::GreIp, key),
                Inner::Mpls(et),
                start,
            );
        }
        // Draft-foschiano-erspan: type I has no GRE sequence number and no
        // ERSPAN header.
        ether_type::ERSPAN_I_II if !g.sequence_present() => (
            Session::new(EncapKind::ErspanI, None),
            Inner::Ethernet,
            start,
            false,
        ),
        ether_type::ERSPAN_I_II => {
            let h = match erspan::Type2::new_checked(rest) {
                Ok(h) => h,
                Err(e) => return Some(Err(e.add_offset(start))),
            };
            let s = Session {
                vlan: Some(h.vlan()),
                ..Session::new(EncapKind::ErspanII, Some(h.session_id().into()))
            };
            (s, Inner::Ethernet, start + erspan::TYPE2_LEN, h.truncated())
        }
        ether_type::ERSPAN_III => {
            let h = match erspan::Type3::new_checked(rest) {
                Ok(h) => h,
                Err(e) => return Some(Err(e.add_offset(start))),
            };
            let body = h.payload();
            let what = match (h.frame_type(), body.first().map(|b| b >> 4)) {
                (frame_type::ETHERNET, _) => Inner::Ethernet,
                (frame_type::IP, Some(4)) => Inner::Ipv4,
                (frame_type::IP, Some(6)) => Inner::Ipv6,
                _ => return None,
            };
            let s = Session {
                kind: EncapKind::ErspanIII,
                id: Some(h.session_id().into()),
                vlan: Some(h.vlan()),
                direction: Some(if h.egress() {
                    Direction::Egress
                } else {
                    Direction::Ingress
                }),
            };
            (s, what, start + h.header_len(), h.truncated())
        }
        _ => return None,
    };
    descend(
        f,
        bounded(frame, frame.bytes.len(), cut),
        session,
        what,
        start,
    )
}

/// A UDP datagram already decoded into `f`: VXLAN (to port 4789) and
/// Geneve (to port 6081) are decapsulated. `None` for any other datagram,
/// or when the tunnel stays in place.
#[cold]
#[inline(never)]
pub(crate) fn udp<'a>(f: &mut PacketFacts<'a>, frame: Frame<'a>) -> Option<Result<()>> {
    let Transport::Udp(u) = f.transport else {
        return None;
    };
    if !frame.opts.decap {
        return None;
    }
    let snapped = f.truncated;
    udp_tunnel(f, frame, u.destination_port).map(|r| unless_snapped(f, r, snapped))
}

fn udp_tunnel<'a>(
    f: &mut PacketFacts<'a>,
    frame: Frame<'a>,
    destination_port: u16,
) -> Option<Result<()>> {
    let (data, off) = (f.payload, f.payload_offset);
    let frame = bounded(frame, off + data.len(), false);
    match destination_port {
        vxlan::UDP_PORT => {
            let h = match vxlan::Packet::new_checked(data).and_then(|h| h.check_flags().map(|_| h))
            {
                Ok(h) => h,
                Err(e) => return Some(Err(e.add_offset(off))),
            };
            let s = Session::new(EncapKind::Vxlan, Some(h.vni()));
            descend(f, frame, s, Inner::Ethernet, off + vxlan::HEADER_LEN)
        }
        geneve::UDP_PORT => {
            let h = match geneve::Packet::new_checked(data) {
                Ok(h) => h,
                Err(e) => return Some(Err(e.add_offset(off))),
            };
            let what = match h.protocol_type() {
                ether_type::TRANSPARENT_ETHERNET => Inner::Ethernet,
                ether_type::IPV4 => Inner::Ipv4,
                ether_type::IPV6 => Inner::Ipv6,
                _ => return None,
            };
            let s = Session::new(EncapKind::Geneve, Some(h.vni()));
            descend(f, frame, s, what, off + h.header_len())
        }
        _ => None,
    }
}

/// An MPLS label stack (EtherType `et`) at `start`: decapsulated when what
/// follows the bottom of the stack can be told ([`Payload::guess`]),
/// otherwise kept as an MPLS frame.
#[cold]
#[inline(never)]
pub(crate) fn mpls<'a>(
    f: &mut PacketFacts<'a>,
    frame: Frame<'a>,
    et: u16,
    start: usize,
) -> Result<()> {
    f.net = Net::Other { ether_type: et };
    f.net_offset = start;
    if !frame.opts.decap {
        return Ok(());
    }
    let mut at = start;
    let label = loop {
        let e = mpls::Packet::new_checked(&frame.bytes[at..]).map_err(|e| e.add_offset(at))?;
        at += mpls::ENTRY_LEN;
        if e.bottom_of_stack() {
            break e.label();
        }
    };
    let rest = &frame.bytes[at..];
    let (kind, what, body) = match Payload::guess(rest) {
        Payload::Ipv4 => (EncapKind::Mpls, Inner::Ipv4, at),
        Payload::Ipv6 => (EncapKind::Mpls, Inner::Ipv6, at),
        Payload::EthernetWithControlWord => {
            if rest.len() < mpls::ENTRY_LEN {
                return Err(truncated(Layer::Mpls, at, mpls::ENTRY_LEN, rest.len()));
            }
            (
                EncapKind::MplsPseudowire,
                Inner::Ethernet,
                at + mpls::ENTRY_LEN,
            )
        }
        Payload::Ethernet => (EncapKind::MplsPseudowire, Inner::Ethernet, at),
        Payload::Unknown => return Ok(()),
    };
    descend(f, frame, Session::new(kind, Some(label)), what, body).unwrap_or(Ok(()))
}

#[cfg(test)]
mod tests {
    //! Frames laid out by hand from the RFC figures; every malformed case
    //! asserts the absolute frame offset of the bad byte.

    use core::net::{IpAddr, Ipv4Addr};

    use crate::error::{ErrorKind, Layer};
    use crate::facts::Transport;
    use crate::link::LinkType;
    use crate::tunnel::{DecodeOptions, EncapKind};
    use crate::{decode, decode_with};

    const ETH: [u8; 14] = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00];

    /// IPv4 header without options.
    fn ipv4(payload_len: usize, protocol: u8, src: [u8; 4], dst: [u8; 4]) -> Vec<u8> {
        let total = (20 + payload_len) as u16;
        let mut h = vec![0x45, 0x00];
        h.extend_from_slice(&total.to_be_bytes());
        h.extend_from_slice(&[0x00, 0x01, 0x00, 0x00, 0x40, protocol, 0x00, 0x00]);
        h.extend_from_slice(&src);
        h.extend_from_slice(&dst);
        h
    }

    fn udp(sport: u16, dport: u16, data: &[u8]) -> Vec<u8> {
        let mut u = sport.to_be_bytes().to_vec();
        u.extend_from_slice(&dport.to_be_bytes());
        u.extend_from_slice(&((8 + data.len()) as u16).to_be_bytes());
        u.extend_from_slice(&[0, 0]);
        u.extend_from_slice(data);
        u
    }

    /// `inner` wrapped in `n` IPv4-in-IPv4 layers (10.0.0.n -> 10.0.1.n outermost).
    fn ipip(n: u8, inner: Vec<u8>) -> Vec<u8> {
        (1..=n).fold(inner, |p, i| {
            let mut h = ipv4(p.len(), 4, [10, 0, 0, i], [10, 0, 1, i]);
            h.extend_from_slice(&p);
            h
        })
    }

    fn plain_udp() -> Vec<u8> {
        let u = udp(5004, 5004, b"rtp");
        let mut p = ipv4(u.len(), 17, [192, 0, 2, 10], [192, 0, 2, 20]);
        p.extend_from_slice(&u);
        p
    }

    #[test]
    fn depth_limit_keeps_the_tunnel_and_flags_it() {
        let frame = [&ETH[..], &ipip(5, plain_udp())].concat();
        let d = decode(LinkType::ETHERNET, &frame);
        assert_eq!(d.error, None);
        let e = d.encap.unwrap();
        assert_eq!(
            (e.kind, e.depth, e.depth_exceeded),
            (EncapKind::IpInIp, 4, true)
        );
        // The session is the outermost layer.
        assert_eq!(e.outer_src, Some(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 5))));
        // The facts are those of the fifth IPv4 header, whose payload stayed.
        assert_eq!(d.src_ip(), Some(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1))));
        assert_eq!(d.transport, Transport::Other { protocol: 4 });
        assert_eq!(d.net_offset, 14 + 4 * 20);

        let five = DecodeOptions {
            max_depth: 5,
            ..DecodeOptions::DEFAULT
        };
        let d = decode_with(LinkType::ETHERNET, &frame, None, five);
        let e = d.encap.unwrap();
        assert_eq!(
            (e.depth, e.depth_exceeded, e.inner_offset),
            (5, false, 14 + 100)
        );
        assert_eq!(d.ports(), Some((5004, 5004)));
        assert_eq!((d.net_offset, d.payload_offset), (14 + 100, 14 + 128));
        assert_eq!(d.payload, b"rtp");
    }

    #[test]
    fn vxlan_without_i_flag_is_an_error_at_its_offset() {
        let mut vx = vec![0x00, 0, 0, 0, 0, 0, 7, 0];
        vx.extend_from_slice(&ETH);
        vx.extend_from_slice(&plain_udp());
        let u = udp(40000, 4789, &vx);
        let frame = [
            &ETH[..],
            &ipv4(u.len(), 17, [192, 0, 2, 1], [192, 0, 2, 2]),
            &u,
        ]
        .concat();
        let d = decode(LinkType::ETHERNET, &frame);
        let e = d.error.unwrap();
        assert_eq!((e.layer, e.offset), (Layer::Vxlan, 42));
        assert_eq!(
            e.kind,
            ErrorKind::BadField {
                field: "flags",
                value: 0
            }
        );
        // The outer datagram is kept: the packet stays the tunnel.
        assert_eq!((d.encap, d.ports()), (None, Some((40000, 4789))));
        // With the flag set, the inner datagram is the packet.
        let mut frame = frame;
        frame[42] = 0x08;
        let d = decode(LinkType::ETHERNET, &frame);
        assert_eq!(d.error, None);
        assert_eq!(d.ports(), Some((5004, 5004)));
        assert_eq!(d.encap.unwrap().id, Some(7));
        assert_eq!(d.src_mac, Some([2, 0, 0, 0, 0, 1]));

        // The I flag set, but only 4 octets where the inner Ethernet header
        // should be: the packet stays the outer datagram, with the error.
        let vx = [0x08, 0, 0, 0, 0, 0, 7, 0, 1, 2, 3, 4];
        let u = udp(40000, 4789, &vx);
        let frame = [
            &ETH[..],
            &ipv4(u.len(), 17, [192, 0, 2, 1], [192, 0, 2, 2]),
            &u,
        ]
        .concat();
        let d = decode(LinkType::ETHERNET, &frame);
        let e = d.error.unwrap();
        assert_eq!((e.layer, e.offset), (Layer::Link, 50));
        assert_eq!((d.encap, d.ports()), (None, Some((40000, 4789))));
    }

    #[test]
    fn tunnel_cut_by_the_capture_is_truncated_not_malformed() {
        let mut vx = vec![0x08, 0, 0, 0, 0, 0, 7, 0];
        vx.extend_from_slice(&ETH);
        vx.extend_from_slice(&plain_udp());
        let u = udp(40000, 4789, &vx);
        let frame = [
            &ETH[..],
            &ipv4(u.len(), 17, [192, 0, 2, 1], [192, 0, 2, 2]),
            &u,
        ]
        .concat();
        // Cut inside the VXLAN header, then inside the inner Ethernet header.
        for cut in [14 + 20 + 8 + 4, 14 + 20 + 8 + 8 + 10] {
            let d = decode(LinkType::ETHERNET, &frame[..cut]);
            assert_eq!(d.error, None, "cut at {cut}");
            assert!(d.truncated, "cut at {cut}");
        }
        // The same cut in a frame captured whole is a malformed VXLAN header.
        let short = &frame[..14 + 20 + 8 + 4];
        let d = decode_with(
            LinkType::ETHERNET,
            short,
            Some(short.len()),
            DecodeOptions::DEFAULT,
        );
        let e = d.error.unwrap();
        assert_eq!(e.layer, Layer::Ipv4);
        assert!(matches!(e.kind, ErrorKind::LengthMismatch { .. }));
    }

    /// Ethernet / IPv4 / GRE (flags, protocol) / `rest`.
    fn gre(flags: u16, protocol: u16, rest: &[u8]) -> Vec<u8> {
        let mut g = flags.to_be_bytes().to_vec();
        g.extend_from_slice(&protocol.to_be_bytes());
        g.extend_from_slice(rest);
        [
            &ETH[..],
            &ipv4(g.len(), 47, [192, 0, 2, 1], [192, 0, 2, 2]),
            &g,
        ]
        .concat()
    }

    #[test]
    fn erspan_ii_cut_header_and_truncated_bit() {
        // GRE with sequence number (S), then 6 of the 8 ERSPAN octets.
        let frame = gre(0x1000, 0x88be, &[0, 0, 0, 1, 0x10, 0x0a, 0x00, 0x64, 0, 0]);
        let d = decode(LinkType::ETHERNET, &frame);
        let e = d.error.unwrap();
        assert_eq!((e.layer, e.offset), (Layer::Erspan, 14 + 20 + 8));
        assert!(e.is_truncation());
        assert_eq!(d.transport, Transport::Other { protocol: 47 });

        // T set: the sensor cut the mirrored frame; its IPv4 length says 60
        // more octets than are there, and that is no error although the
        // capture kept every octet.
        let mut inner = plain_udp();
        let claimed = inner.len() as u16 + 60;
        inner[2..4].copy_from_slice(&claimed.to_be_bytes());
        // Version 1, VLAN 10, T set, session 100, index 3.
        let erspan = [0x10, 0x0a, 0x04, 0x64, 0, 0, 0, 3];
        let rest = [&[0, 0, 0, 1][..], &erspan, &ETH, &inner].concat();
        let frame = gre(0x1000, 0x88be, &rest);
        let d = decode_with(
            LinkType::ETHERNET,
            &frame,
            Some(frame.len()),
            DecodeOptions::DEFAULT,
        );
        assert_eq!(d.error, None);
        assert!(d.truncated);
        let e = d.encap.unwrap();
        assert_eq!(
            (e.kind, e.id, e.vlan),
            (EncapKind::ErspanII, Some(100), Some(10))
        );
        // Without T the same length is a lie.
        let mut frame = frame;
        frame[14 + 20 + 8 + 2] = 0x00;
        let d = decode_with(
            LinkType::ETHERNET,
            &frame,
            Some(frame.len()),
            DecodeOptions::DEFAULT,
        );
        let e = d.error.unwrap();
        assert_eq!((e.layer, e.offset), (Layer::Ipv4, 14 + 20 + 8 + 8 + 14 + 2));
    }

    #[test]
    fn gre_version_1_and_fragments_stay_tunnels() {
        let frame = gre(0x0001, 0x0800, &plain_udp());
        let d = decode(LinkType::ETHERNET, &frame);
        assert_eq!((d.error, d.encap), (None, None));
        assert_eq!(d.transport, Transport::Other { protocol: 47 });

        // The first fragment (MF set) of a GRE datagram is not reassembled.
        let mut frame = gre(0x0000, 0x0800, &plain_udp());
        frame[14 + 6] = 0x20;
        let d = decode(LinkType::ETHERNET, &frame);
        assert_eq!(d.encap, None);
        assert_eq!(d.transport, Transport::Other { protocol: 47 });
    }

    #[test]
    fn gre_header_cut() {
        // K announces a key that is not there.
        let frame = gre(0x2000, 0x6558, &[0, 0]);
        let e = decode(LinkType::ETHERNET, &frame).error.unwrap();
        assert_eq!((e.layer, e.offset), (Layer::Gre, 34));
        assert_eq!(
            e.kind,
            ErrorKind::Truncated {
                needed: 8,
                available: 6
            }
        );
    }

    #[test]
    fn mpls_stack_cut_and_unknown_payload() {
        let mut frame = ETH.to_vec();
        frame[12..14].copy_from_slice(&[0x88, 0x47]);
        // Label 16 without S, then two octets.
        frame.extend_from_slice(&[0x00, 0x01, 0x00, 0x40, 0x00, 0x02]);
        let d = decode(LinkType::ETHERNET, &frame);
        let e = d.error.unwrap();
        assert_eq!((e.layer, e.offset), (Layer::Mpls, 18));
        assert_eq!(d.l3_name(), Some("other"));

        // Label 16 with S, then a PW associated channel (nibble 1): kept as MPLS.
        let mut frame = ETH.to_vec();
        frame[12..14].copy_from_slice(&[0x88, 0x47]);
        frame.extend_from_slice(&[0x00, 0x01, 0x01, 0x40, 0x10, 0x00, 0x00, 0x07]);
        let d = decode(LinkType::ETHERNET, &frame);
        assert_eq!((d.error, d.encap), (None, None));
        assert_eq!(d.l3_name(), Some("other"));
    }

    #[test]
    fn session_is_the_outermost_layer_with_ip_endpoints() {
        // MPLS (label 16) / IPv4 192.0.2.1 -> 192.0.2.2 / GRE key 9 / Ethernet / IPv4 / UDP.
        let mut g = vec![0x20, 0x00, 0x65, 0x58, 0, 0, 0, 9];
        g.extend_from_slice(&ETH);
        g.extend_from_slice(&plain_udp());
        let mut frame = ETH.to_vec();
        frame[12..14].copy_from_slice(&[0x88, 0x47]);
        frame.extend_from_slice(&[0x00, 0x01, 0x01, 0x40]);
        frame.extend_from_slice(&ipv4(g.len(), 47, [192, 0, 2, 1], [192, 0, 2, 2]));
        frame.extend_from_slice(&g);
        let d = decode(LinkType::ETHERNET, &frame);
        assert_eq!(d.error, None);
        let e = d.encap.unwrap();
        assert_eq!(
            (e.kind, e.id, e.depth),
            (EncapKind::GreEthernet, Some(9), 2)
        );
        assert_eq!(e.outer_src, Some(IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1))));
        // Ethernet, label, IPv4, GRE with key: the mirrored frame starts at 14 + 4 + 20 + 8.
        assert_eq!(e.inner_offset, 46);
        assert_eq!(d.ports(), Some((5004, 5004)));
        assert_eq!(d.vlans.len(), 0);
    }
}

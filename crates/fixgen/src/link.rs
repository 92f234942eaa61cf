//! Link-layer framing: Ethernet II (with 802.1Q / 802.1ad tags), IEEE
//! 802.3 with LLC or SNAP, Linux cooked captures v1 and v2, BSD and OpenBSD
//! loopback, and raw IP. Ethernet, VLAN and SLL headers are written with
//! `pnet_packet`; the loopback and LLC headers, which pnet does not model,
//! byte by byte from the link-type definitions.

use pnet_packet::ethernet::{EtherType, MutableEthernetPacket};
use pnet_packet::sll::MutableSLLPacket;
use pnet_packet::sll2::MutableSLL2Packet;
use pnet_packet::vlan::{ClassOfService, MutableVlanPacket};

use crate::packet::{Known, Layer, Net, L3, L4};

/// One captured frame and what a decoder must find in it.
#[derive(Clone, Debug)]
pub struct Frame {
    pub bytes: Vec<u8>,
    pub l3: Known<L3>,
    pub l4: Known<L4>,
    /// Number of 802.1Q/802.1ad tags in front of the payload.
    pub vlan_tags: u8,
    /// The first layer a decoder must find malformed (`Absent`: well formed).
    pub malformed: Known<Layer>,
    /// Octets of headers (link through transport) at the front of `bytes`.
    pub header_len: usize,
}

impl Frame {
    fn wrap(net: &Net, bytes: Vec<u8>, link_len: usize, vlan_tags: u8) -> Frame {
        Frame {
            bytes,
            l3: net.l3,
            l4: net.l4,
            vlan_tags,
            malformed: net.malformed,
            header_len: link_len + net.header_len,
        }
    }

    /// A frame with arbitrary bytes and explicitly stated facts.
    pub fn opaque(bytes: Vec<u8>, l3: Known<L3>, l4: Known<L4>, malformed: Known<Layer>) -> Frame {
        Frame {
            header_len: bytes.len(),
            bytes,
            l3,
            l4,
            vlan_tags: 0,
            malformed,
        }
    }

    /// Appends an Ethernet FCS (CRC-32 of the frame, least significant byte first).
    pub fn with_fcs(mut self) -> Frame {
        let mut crc = flate2::Crc::new();
        crc.update(&self.bytes);
        self.bytes.extend_from_slice(&crc.sum().to_le_bytes());
        self
    }
}

/// Smallest Ethernet frame without FCS; shorter frames are padded on the wire.
pub const ETHER_MIN_LEN: usize = 60;

/// TPID of an 802.1Q customer tag.
pub const TPID_8021Q: u16 = 0x8100;
/// TPID of an 802.1ad service tag.
pub const TPID_8021AD: u16 = 0x88A8;

/// A VLAN tag: TPID, priority (PCP) and VLAN id.
#[derive(Clone, Copy, Debug)]
pub struct Tag {
    pub tpid: u16,
    pub pcp: u8,
    pub vid: u16,
}

impl Tag {
    pub fn q(vid: u16, pcp: u8) -> Tag {
        Tag {
            tpid: TPID_8021Q,
            pcp,
            vid,
        }
    }

    pub fn ad(vid: u16, pcp: u8) -> Tag {
        Tag {
            tpid: TPID_8021AD,
            pcp,
            vid,
        }
    }
}

/// Ethernet II frame carrying `net`, behind `tags` (outermost first), padded
/// to the 60-octet minimum.
pub fn ether(dst: [u8; 6], src: [u8; 6], tags: &[Tag], net: &Net) -> Frame {
    let inner = tagged(tags, net.ethertype, &net.bytes);
    let first_type = tags.first().map_or(net.ethertype, |t| t.tpid);
    let bytes = ethernet_frame(dst, src, first_type, &inner);
    Frame::wrap(net, bytes, 14 + 4 * tags.len(), tags.len() as u8)
}

fn tagged(tags: &[Tag], ethertype: u16, payload: &[u8]) -> Vec<u8> {
    let Some((tag, rest)) = tags.split_first() else {
        return payload.to_vec();
    };
    let next_type = rest.first().map_or(ethertype, |t| t.tpid);
    let inner = tagged(rest, ethertype, payload);
    let mut buf = vec![0u8; 4 + inner.len()];
    let mut v = MutableVlanPacket::new(&mut buf).expect("VLAN tag fits");
    v.set_priority_code_point(ClassOfService(tag.pcp));
    v.set_drop_eligible_indicator(0);
    v.set_vlan_identifier(tag.vid);
    v.set_ethertype(EtherType(next_type));
    v.set_payload(&inner);
    buf
}

fn ethernet_frame(dst: [u8; 6], src: [u8; 6], type_or_len: u16, payload: &[u8]) -> Vec<u8> {
    let len = (14 + payload.len()).max(ETHER_MIN_LEN);
    let mut buf = vec![0u8; len];
    let mut e = MutableEthernetPacket::new(&mut buf).expect("Ethernet header fits");
    e.set_destination(dst.into());
    e.set_source(src.into());
    e.set_ethertype(EtherType(type_or_len));
    e.set_payload(&{
        let mut p = payload.to_vec();
        p.resize(len - 14, 0);
        p
    });
    buf
}

/// IEEE 802.3 frame (length field) with an LLC header `AA AA 03` and SNAP
/// header (OUI 00-00-00, EtherType of `net`) in front of `net`.
pub fn ieee8023_snap(dst: [u8; 6], src: [u8; 6], net: &Net) -> Frame {
    let mut llc = vec![0xAA, 0xAA, 0x03, 0x00, 0x00, 0x00];
    llc.extend_from_slice(&net.ethertype.to_be_bytes());
    llc.extend_from_slice(&net.bytes);
    let bytes = ethernet_frame(dst, src, llc.len() as u16, &llc);
    Frame::wrap(net, bytes, 14 + 8, 0)
}

/// IEEE 802.3 frame with a plain LLC header (no SNAP): here a spanning-tree
/// configuration BPDU (DSAP/SSAP 0x42, UI), the usual non-IP LLC frame.
pub fn ieee8023_stp_bpdu(src: [u8; 6]) -> Frame {
    let mut llc = vec![0x42, 0x42, 0x03];
    // Configuration BPDU (IEEE 802.1D §9.3.1): protocol 0, version 0, type 0,
    // flags, root id, root path cost, bridge id, port id, timers (1/256 s).
    llc.extend_from_slice(&[0x00, 0x00, 0x00, 0x00, 0x00]);
    let bridge = [0x80, 0x00, src[0], src[1], src[2], src[3], src[4], src[5]];
    llc.extend_from_slice(&bridge);
    llc.extend_from_slice(&[0, 0, 0, 0]);
    llc.extend_from_slice(&bridge);
    llc.extend_from_slice(&[0x80, 0x01]);
    for secs in [0u16, 20, 2, 15] {
        llc.extend_from_slice(&(secs * 256).to_be_bytes());
    }
    let dst = [0x01, 0x80, 0xC2, 0x00, 0x00, 0x00];
    let bytes = ethernet_frame(dst, src, llc.len() as u16, &llc);
    Frame::opaque(bytes, Known::Is(L3::Other), Known::Absent, Known::Absent)
}

/// Packet types of Linux cooked captures.
pub mod sll_type {
    pub const HOST: u8 = 0;
    pub const BROADCAST: u8 = 1;
    pub const MULTICAST: u8 = 2;
    pub const OTHERHOST: u8 = 3;
    pub const OUTGOING: u8 = 4;
}

/// ARPHRD_ETHER.
const ARPHRD_ETHER: u16 = 1;

/// LINKTYPE_LINUX_SLL: 16-byte header, protocol = EtherType of `net`.
pub fn linux_sll(packet_type: u8, addr: [u8; 6], net: &Net) -> Frame {
    let mut buf = vec![0u8; 16 + net.bytes.len()];
    let mut s = MutableSLLPacket::new(&mut buf).expect("SLL header fits");
    s.set_packet_type(u16::from(packet_type));
    s.set_link_layer_address_type(ARPHRD_ETHER);
    s.set_link_layer_address_len(6);
    let mut a = addr.to_vec();
    a.resize(8, 0);
    s.set_link_layer_address(&a);
    s.set_protocol(EtherType(net.ethertype));
    s.set_payload(&net.bytes);
    Frame::wrap(net, buf, 16, 0)
}

/// LINKTYPE_LINUX_SLL2: 20-byte header with the interface index.
pub fn linux_sll2(packet_type: u8, ifindex: u32, addr: [u8; 6], net: &Net) -> Frame {
    let mut buf = vec![0u8; 20 + net.bytes.len()];
    let mut s = MutableSLL2Packet::new(&mut buf).expect("SLL2 header fits");
    s.set_protocol_type(EtherType(net.ethertype));
    s.set_reserved(0);
    s.set_interface_index(ifindex);
    s.set_arphrd_type(ARPHRD_ETHER);
    s.set_packet_type(packet_type);
    s.set_link_layer_address_length(6);
    let mut a = addr.to_vec();
    a.resize(8, 0);
    s.set_link_layer_address(&a);
    s.set_payload(&net.bytes);
    Frame::wrap(net, buf, 20, 0)
}

/// Byte order of a loopback address-family word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfOrder {
    Little,
    Big,
}

/// LINKTYPE_NULL: a 4-byte address family in the capturing host's byte order.
pub fn bsd_null(af: u32, order: AfOrder, net: &Net) -> Frame {
    let mut bytes = match order {
        AfOrder::Little => af.to_le_bytes().to_vec(),
        AfOrder::Big => af.to_be_bytes().to_vec(),
    };
    bytes.extend_from_slice(&net.bytes);
    Frame::wrap(net, bytes, 4, 0)
}

/// LINKTYPE_LOOP: a 4-byte address family, always big-endian.
pub fn openbsd_loop(af: u32, net: &Net) -> Frame {
    let mut bytes = af.to_be_bytes().to_vec();
    bytes.extend_from_slice(&net.bytes);
    Frame::wrap(net, bytes, 4, 0)
}

/// LINKTYPE_RAW / IPV4 / IPV6: the IP packet itself.
pub fn raw(net: &Net) -> Frame {
    Frame::wrap(net, net.bytes.clone(), 0, 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::{udp4, Ip4};

    #[test]
    fn qinq_stacks_tags_outer_first() {
        let n = udp4(&Ip4::new([10, 0, 0, 1], [10, 0, 0, 2]), 1, 2, b"x");
        let f = ether([2; 6], [4; 6], &[Tag::ad(100, 0), Tag::q(20, 5)], &n);
        assert_eq!(&f.bytes[12..14], &[0x88, 0xA8]);
        assert_eq!(&f.bytes[14..16], &[0x00, 100]);
        assert_eq!(&f.bytes[16..18], &[0x81, 0x00]);
        assert_eq!(&f.bytes[18..20], &[0xA0, 20]);
        assert_eq!(&f.bytes[20..22], &[0x08, 0x00]);
        assert_eq!(f.bytes[22], 0x45);
        assert_eq!(f.vlan_tags, 2);
    }

    #[test]
    fn short_frames_are_padded_to_sixty() {
        let n = udp4(&Ip4::new([10, 0, 0, 1], [10, 0, 0, 2]), 1, 2, b"x");
        assert_eq!(ether([2; 6], [4; 6], &[], &n).bytes.len(), 60);
    }

    #[test]
    fn fcs_matches_known_crc() {
        // CRC-32 of "123456789" is 0xCBF43926 (the standard check value).
        let f = Frame::opaque(
            b"123456789".to_vec(),
            Known::Absent,
            Known::Absent,
            Known::Absent,
        );
        assert_eq!(&f.with_fcs().bytes[9..], &[0x26, 0x39, 0xF4, 0xCB]);
    }

    #[test]
    fn snap_length_field_counts_llc_and_payload() {
        let n = udp4(&Ip4::new([10, 0, 0, 1], [10, 0, 0, 2]), 1, 2, b"x");
        let f = ieee8023_snap([2; 6], [4; 6], &n);
        assert_eq!(u16::from_be_bytes([f.bytes[12], f.bytes[13]]), 8 + 29);
        assert_eq!(&f.bytes[14..22], &[0xAA, 0xAA, 3, 0, 0, 0, 8, 0]);
    }
}

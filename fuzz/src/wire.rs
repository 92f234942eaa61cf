//! Checks of `portmatrix-wire` output against the frame it came from.

use core::fmt::Debug;

use portmatrix_wire::{
    decode, decode_strict, decode_with_orig_len, ethernet, igmp, llc, loopback, mld, sll, vlan,
    GroupAddress, GroupRecords, LinkType, PacketFacts, Sources, Transport,
};

/// The link types `decode` supports, in the order a selector picks them.
pub const SUPPORTED: [LinkType; 8] = [
    LinkType::NULL,
    LinkType::ETHERNET,
    LinkType::RAW,
    LinkType::LOOP,
    LinkType::LINUX_SLL,
    LinkType::IPV4,
    LinkType::IPV6,
    LinkType::LINUX_SLL2,
];

/// A link type from a 16-bit selector: one of [`SUPPORTED`] most of the
/// time, otherwise the raw value (usually an unsupported link type).
pub fn link_type(selector: u16) -> LinkType {
    let slot = usize::from(selector) % (SUPPORTED.len() + 1);
    SUPPORTED.get(slot).copied().unwrap_or(LinkType(selector))
}

/// `part` lies inside `whole`; returns its offset.
fn offset_in(whole: &[u8], part: &[u8], what: &str) -> usize {
    let start = whole.as_ptr() as usize;
    let p = part.as_ptr() as usize;
    assert!(
        p >= start && p + part.len() <= start + whole.len(),
        "{what} ({} bytes) is not a sub-slice of the frame ({} bytes)",
        part.len(),
        whole.len()
    );
    p - start
}

fn check_sources<A: GroupAddress + Debug>(frame: &[u8], sources: Sources<'_, A>, what: &str) {
    let bytes = sources.as_bytes();
    if !bytes.is_empty() {
        offset_in(frame, bytes, what);
    }
    assert_eq!(bytes.len() % A::LEN, 0, "{what}: a partial address");
    let n = sources.len();
    assert_eq!(sources.count(), n, "{what}: ExactSizeIterator length");
}

fn check_records<A: GroupAddress + Debug>(frame: &[u8], records: GroupRecords<'_, A>) {
    let claimed = records.remaining();
    let mut seen = 0u32;
    let mut last_end = 0;
    for r in records {
        seen += 1;
        match r {
            Ok(rec) => {
                // Type, aux data len, number of sources, address: 4 + A::LEN.
                assert!(
                    rec.offset + 4 + A::LEN <= frame.len(),
                    "record past the frame"
                );
                assert!(rec.offset >= last_end, "records overlap");
                check_sources(frame, rec.sources, "record sources");
                assert_eq!(rec.sources.len(), usize::from(rec.number_of_sources));
                last_end = rec.offset
                    + 4
                    + A::LEN
                    + usize::from(rec.number_of_sources) * A::LEN
                    + usize::from(rec.aux_data_len) * 4;
                assert!(last_end <= frame.len(), "record data past the frame");
                let _ = (
                    rec.is_leave(),
                    rec.is_join_any_source(),
                    rec.record_type.name(),
                );
            }
            Err(e) => {
                assert!(
                    e.offset <= frame.len(),
                    "record error offset past the frame: {e}"
                );
                let _ = e.to_string();
            }
        }
    }
    assert!(seen <= u32::from(claimed), "more records than claimed");
    let _ = records.validate();
}

/// Asserts the invariants of one decode result.
pub fn check_facts(frame: &[u8], f: &PacketFacts<'_>) {
    let len = frame.len();
    if let Some(e) = f.error {
        assert!(
            e.offset <= len,
            "error offset {} > frame length {len}: {e:?}",
            e.offset
        );
        let _ = e.to_string();
        let _ = e.is_truncation();
    }
    assert!(f.net_offset <= len, "net_offset {} > {len}", f.net_offset);
    assert!(
        f.transport_offset <= len,
        "transport_offset {} > {len}",
        f.transport_offset
    );
    assert!(
        f.payload_offset <= len,
        "payload_offset {} > {len}",
        f.payload_offset
    );
    if !f.payload.is_empty() {
        let at = offset_in(frame, f.payload, "payload");
        assert_eq!(
            at, f.payload_offset,
            "payload_offset disagrees with the payload slice"
        );
    }
    match &f.transport {
        Transport::Igmp(i) => {
            if let Some(q) = &i.query {
                check_sources(frame, q.sources, "igmp query sources");
            }
            check_records(frame, i.records);
            let _ = (i.message.is_query(), i.message.version());
        }
        Transport::Mld(m) => {
            if let Some(q) = &m.query {
                check_sources(frame, q.sources, "mld query sources");
            }
            check_records(frame, m.records);
            let _ = (m.message.is_query(), m.message.version());
        }
        Transport::Icmpv4(i) | Transport::Icmpv6(i) => {
            let _ = (i.identifier(), i.sequence_number(), i.mtu());
        }
        Transport::Tcp(t) => {
            let fl = t.flags;
            let _ = (fl.syn(), fl.ack(), fl.fin(), fl.rst(), fl.psh(), fl.urg());
        }
        _ => {}
    }
    let _ = (f.src_ip(), f.dst_ip(), f.ports(), f.ip_protocol());
    let _ = (f.tcp(), f.udp(), f.icmp(), f.l3_name(), f.l4_name());
    let _ = (f.is_multicast(), f.is_broadcast());
    let _ = (f.is_mac_multicast(), f.is_mac_broadcast());
    let _ = (f.vlans.outer(), f.vlans.inner(), f.vlans.iter().count());
    let _ = format!("{f:?}");
}

/// Decodes `frame` every way there is and checks the results and how they
/// relate.
pub fn decode_all(link: LinkType, frame: &[u8]) {
    let lax = decode(link, frame);
    check_facts(frame, &lax);
    match decode_strict(link, frame) {
        Ok(strict) => {
            assert!(lax.error.is_none(), "strict succeeded where lax failed");
            assert_eq!(strict, lax, "strict and lax disagree on a good frame");
        }
        Err(e) => assert_eq!(Some(e), lax.error, "strict fails with another error"),
    }
    // An original length above the captured one is what `decode` assumes.
    let snapped = decode_with_orig_len(link, frame, frame.len() + 1);
    assert_eq!(
        snapped, lax,
        "decode_with_orig_len(len + 1) differs from decode"
    );
    // Captured whole: only the IP length checks may differ.
    let whole = decode_with_orig_len(link, frame, frame.len());
    check_facts(frame, &whole);
}

/// Wraps `bytes` in every per-protocol view; after `new_checked` succeeds
/// no accessor may panic (the crate's view contract).
pub fn views(bytes: &[u8]) {
    if let Ok(p) = ethernet::Packet::new_checked(bytes) {
        let _ = (p.destination(), p.source(), p.ethertype());
        offset_in(bytes, p.payload(), "ethernet payload");
    }
    if let Ok(p) = vlan::Packet::new_checked(bytes) {
        let _ = (p.tci(), p.ethertype());
        offset_in(bytes, p.payload(), "vlan payload");
    }
    if let Ok(p) = sll::Packet::new_checked(bytes) {
        let _ = (p.packet_type(), p.arphrd_type(), p.address_len());
        let _ = (p.mac_address(), p.protocol());
        offset_in(bytes, p.payload(), "sll payload");
    }
    if let Ok(p) = sll::Packet2::new_checked(bytes) {
        let _ = (p.protocol(), p.reserved(), p.interface_index());
        let _ = (p.arphrd_type(), p.packet_type(), p.address_len());
        let _ = p.mac_address();
        offset_in(bytes, p.payload(), "sll2 payload");
    }
    if let Ok(p) = loopback::Packet::new_checked(bytes) {
        let _ = (p.family_any_order(), p.family_big_endian());
        offset_in(bytes, p.payload(), "loopback payload");
    }
    if let Ok(p) = llc::Packet::new_checked(bytes) {
        let _ = (
            p.dsap(),
            p.ssap(),
            p.is_u_format(),
            p.control(),
            p.is_snap(),
        );
        let _ = (p.header_len(), p.snap_oui(), p.snap_protocol_id());
        let _ = p.snap_ether_type();
        offset_in(bytes, p.payload(), "llc payload");
    }
    if let Ok(p) = igmp::Packet::new_checked(bytes) {
        let _ = (
            p.msg_type(),
            p.max_resp_code(),
            p.checksum(),
            p.group_address(),
        );
        let _ = (p.s_flag(), p.qrv(), p.qqic(), p.number_of_sources());
        let _ = p.number_of_group_records();
        check_sources(bytes, p.sources(), "igmp view sources");
        check_records(bytes, p.group_records());
    }
    if let Ok(p) = mld::Packet::new_checked(bytes) {
        let _ = (p.msg_type(), p.code(), p.checksum(), p.max_resp_code());
        let _ = (p.multicast_address(), p.s_flag(), p.qrv(), p.qqic());
        let _ = (p.number_of_sources(), p.number_of_records());
        check_sources(bytes, p.sources(), "mld view sources");
        check_records(bytes, p.records());
    }
}

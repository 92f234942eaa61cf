//! IGMP and MLD. The messages are laid out by hand from RFC 2236 §2,
//! RFC 3376 §4 and RFC 2710 §3 / RFC 3810 §5; the IP (and ICMPv6) framing
//! comes from pnet.

use std::net::{Ipv4Addr, Ipv6Addr};

use portmatrix_wire::{
    decode, ErrorKind, IgmpMessage, Layer, LinkType, MldMessage, RecordType, Transport,
};

use crate::util::*;

fn igmp_frame(dst: [u8; 4], msg: &[u8]) -> Vec<u8> {
    let mut h = V4::new([192, 168, 10, 20], dst, 2);
    h.ttl = 1;
    h.router_alerts = 1; // RFC 2236 §2 / RFC 3376 §4: IP Router Alert
    ethernet(
        [0x01, 0x00, 0x5e, dst[1] & 0x7f, dst[2], dst[3]],
        MAC_A,
        0x0800,
        &ipv4(&h, msg),
    )
}

/// IGMP message body: type, max resp code, checksum (not checked), group.
fn igmp_v12(t: u8, max_resp: u8, group: [u8; 4]) -> Vec<u8> {
    vec![
        t, max_resp, 0xfa, 0xce, group[0], group[1], group[2], group[3],
    ]
}

const IGMP_AT: usize = 14 + 24;

#[test]
fn igmp_v1_v2_messages() {
    let cases = [
        (
            igmp_v12(0x11, 0, [0; 4]),
            [224, 0, 0, 1],
            IgmpMessage::QueryV1,
            [0u8; 4],
        ),
        (
            igmp_v12(0x11, 100, [0; 4]),
            [224, 0, 0, 1],
            IgmpMessage::QueryV2,
            [0; 4],
        ),
        (
            igmp_v12(0x11, 10, [239, 69, 1, 10]),
            [239, 69, 1, 10],
            IgmpMessage::QueryV2,
            [239, 69, 1, 10],
        ),
        (
            igmp_v12(0x12, 0, [239, 1, 1, 1]),
            [239, 1, 1, 1],
            IgmpMessage::ReportV1,
            [239, 1, 1, 1],
        ),
        (
            igmp_v12(0x16, 0, [239, 255, 255, 250]),
            [239, 255, 255, 250],
            IgmpMessage::ReportV2,
            [239, 255, 255, 250],
        ),
        (
            igmp_v12(0x17, 0, [239, 255, 255, 250]),
            [224, 0, 0, 2],
            IgmpMessage::LeaveGroup,
            [239, 255, 255, 250],
        ),
    ];
    for (msg, dst, kind, group) in cases {
        let f = igmp_frame(dst, &msg);
        let d = decode(LinkType::ETHERNET, &f);
        assert_eq!(d.error, None, "{kind:?}");
        let Transport::Igmp(g) = d.transport else {
            panic!("{:?}", d.transport)
        };
        assert_eq!(g.message, kind);
        assert_eq!(g.igmp_type, msg[0]);
        assert_eq!(g.max_resp_code, msg[1]);
        assert_eq!(g.checksum, 0xface);
        assert_eq!(g.group_address, Ipv4Addr::from(group));
        assert_eq!(g.records.remaining(), 0);
        assert_eq!(d.transport_offset, IGMP_AT);
        assert_eq!((d.l4_name(), d.ip_protocol()), (Some("igmp"), Some(2)));
        assert!(d.is_multicast());
    }
}

#[test]
fn igmp_v3_query_with_sources() {
    let mut q = igmp_v12(0x11, 0x64, [232, 10, 0, 1]);
    q.extend_from_slice(&[0x0a, 60, 0x00, 0x03]); // S=1 QRV=2 QQIC=60 N=3
    for s in [[10, 0, 0, 1], [10, 0, 0, 2], [10, 0, 0, 3]] {
        q.extend_from_slice(&s);
    }
    let frame = igmp_frame([232, 10, 0, 1], &q);
    let d = decode(LinkType::ETHERNET, &frame);
    assert_eq!(d.error, None);
    let Transport::Igmp(g) = d.transport else {
        panic!()
    };
    assert_eq!(g.message, IgmpMessage::QueryV3);
    let sq = g.query.unwrap();
    assert!(sq.suppress_router_side_processing);
    assert_eq!((sq.qrv, sq.qqic, sq.number_of_sources), (2, 60, 3));
    assert_eq!(
        sq.sources.collect::<Vec<_>>(),
        vec![
            Ipv4Addr::new(10, 0, 0, 1),
            Ipv4Addr::new(10, 0, 0, 2),
            Ipv4Addr::new(10, 0, 0, 3)
        ]
    );
}

#[test]
fn igmp_v3_report_records() {
    let mut r = vec![0x22, 0x00, 0x12, 0x34, 0x00, 0x00, 0x00, 0x03];
    // Dante flow join, an SSM include with one source and aux data, a leave.
    r.extend_from_slice(&[4, 0, 0, 0, 239, 69, 161, 5]);
    r.extend_from_slice(&[
        1, 1, 0, 1, 232, 1, 1, 1, 10, 0, 0, 9, 0xde, 0xad, 0xbe, 0xef,
    ]);
    r.extend_from_slice(&[3, 0, 0, 0, 239, 69, 161, 6]);
    let frame = igmp_frame([224, 0, 0, 22], &r);
    let d = decode(LinkType::ETHERNET, &frame);
    assert_eq!(d.error, None);
    let Transport::Igmp(g) = d.transport else {
        panic!()
    };
    assert_eq!(g.message, IgmpMessage::ReportV3);
    assert_eq!(g.group_address, Ipv4Addr::UNSPECIFIED);
    let recs: Vec<_> = g.records.map(Result::unwrap).collect();
    assert_eq!(recs.len(), 3);
    assert_eq!(recs[0].record_type, RecordType::CHANGE_TO_EXCLUDE_MODE);
    assert_eq!(recs[0].multicast_address, Ipv4Addr::new(239, 69, 161, 5));
    assert!(recs[0].is_join_any_source());
    assert_eq!(recs[0].offset, IGMP_AT + 8);
    assert_eq!(recs[1].record_type, RecordType::MODE_IS_INCLUDE);
    assert_eq!((recs[1].aux_data_len, recs[1].number_of_sources), (1, 1));
    assert_eq!(
        recs[1].sources.collect::<Vec<_>>(),
        vec![Ipv4Addr::new(10, 0, 0, 9)]
    );
    assert_eq!(recs[1].offset, IGMP_AT + 16);
    assert!(recs[2].is_leave());
    assert_eq!(recs[2].offset, IGMP_AT + 32);
}

#[test]
fn igmp_v3_report_overrun_reports_record_offset() {
    let mut r = vec![0x22, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02];
    r.extend_from_slice(&[2, 0, 0, 5, 239, 1, 2, 3, 10, 0, 0, 1]); // claims 5 sources, has 1
    let frame = igmp_frame([224, 0, 0, 22], &r);
    let d = decode(LinkType::ETHERNET, &frame);
    let e = d.error.unwrap();
    assert_eq!((e.layer, e.offset), (Layer::Igmp, IGMP_AT + 8));
    assert_eq!(
        e.kind,
        ErrorKind::Truncated {
            needed: 28,
            available: 12
        }
    );
    assert_eq!(d.l4_name(), Some("igmp"));
}

#[test]
fn igmp_query_of_wrong_length_is_malformed() {
    let mut q = igmp_v12(0x11, 0x64, [0; 4]);
    q.extend_from_slice(&[0, 0]);
    let e = decode(LinkType::ETHERNET, &igmp_frame([224, 0, 0, 1], &q))
        .error
        .unwrap();
    assert_eq!((e.layer, e.offset), (Layer::Igmp, IGMP_AT));
}

fn mld_frame(dst: &str, msg: &[u8]) -> Vec<u8> {
    let mut h = V6::new("fe80::20c:29ff:fe00:1", dst, 58);
    h.hop_limit = 1;
    h.exts = vec![Ext::HopByHop { hdr_ext_len: 0 }];
    ethernet([0x33, 0x33, 0, 0, 0, 0x16], MAC_A, 0x86dd, &ipv6(&h, msg))
}

const MLD_AT: usize = 14 + 40 + 8;

fn addr(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}

#[test]
fn mldv1_messages() {
    let group = addr("ff15::efc0:a01");
    for (t, delay, a, kind) in [
        (130u8, 10000u16, Ipv6Addr::UNSPECIFIED, MldMessage::QueryV1),
        (131, 0, group, MldMessage::ReportV1),
        (132, 0, group, MldMessage::Done),
    ] {
        let d16 = delay.to_be_bytes();
        let msg = icmpv6(t, 0, [d16[0], d16[1], 0, 0], &a.octets());
        let frame = mld_frame("ff02::1", &msg);
        let d = decode(LinkType::ETHERNET, &frame);
        assert_eq!(d.error, None, "{kind:?}");
        let Transport::Mld(m) = d.transport else {
            panic!("{:?}", d.transport)
        };
        assert_eq!(m.message, kind);
        assert_eq!(m.max_resp_code, delay);
        assert_eq!(m.checksum, 0x4321);
        assert_eq!(m.multicast_address, a);
        assert_eq!(d.transport_offset, MLD_AT);
        assert_eq!((d.l4_name(), d.ip_protocol()), (Some("mld"), Some(58)));
    }
}

#[test]
fn mldv2_query_and_report() {
    let mut body = addr("ff3e::1234").octets().to_vec();
    body.extend_from_slice(&[0x02, 125, 0x00, 0x01]); // S=0 QRV=2 QQIC=125 N=1
    body.extend_from_slice(&addr("2001:db8::7").octets());
    let msg = icmpv6(130, 0, [0x03, 0xe8, 0, 0], &body);
    let frame = mld_frame("ff3e::1234", &msg);
    let d = decode(LinkType::ETHERNET, &frame);
    assert_eq!(d.error, None);
    let Transport::Mld(m) = d.transport else {
        panic!()
    };
    assert_eq!((m.message, m.max_resp_code), (MldMessage::QueryV2, 1000));
    let q = m.query.unwrap();
    assert!(!q.suppress_router_side_processing);
    assert_eq!((q.qrv, q.qqic, q.number_of_sources), (2, 125, 1));
    assert_eq!(q.sources.collect::<Vec<_>>(), vec![addr("2001:db8::7")]);

    let mut recs = vec![4u8, 0, 0, 0];
    recs.extend_from_slice(&addr("ff02::fb").octets());
    recs.extend_from_slice(&[5, 0, 0, 2]);
    recs.extend_from_slice(&addr("ff3e::8000:1").octets());
    recs.extend_from_slice(&addr("2001:db8::1").octets());
    recs.extend_from_slice(&addr("2001:db8::2").octets());
    let msg = icmpv6(143, 0, [0, 0, 0, 2], &recs);
    let frame = mld_frame("ff02::16", &msg);
    let d = decode(LinkType::ETHERNET, &frame);
    assert_eq!(d.error, None);
    let Transport::Mld(m) = d.transport else {
        panic!()
    };
    assert_eq!(m.message, MldMessage::ReportV2);
    let r: Vec<_> = m.records.map(Result::unwrap).collect();
    assert_eq!(r.len(), 2);
    assert_eq!(r[0].multicast_address, addr("ff02::fb"));
    assert!(r[0].is_join_any_source());
    assert_eq!(r[0].offset, MLD_AT + 8);
    assert_eq!(r[1].record_type, RecordType::ALLOW_NEW_SOURCES);
    assert_eq!(
        r[1].sources.collect::<Vec<_>>(),
        vec![addr("2001:db8::1"), addr("2001:db8::2")]
    );
    assert_eq!(r[1].offset, MLD_AT + 8 + 20);
}

#[test]
fn mldv2_report_overrun_and_short_v1() {
    let mut recs = vec![2u8, 0, 0, 1];
    recs.extend_from_slice(&addr("ff02::fb").octets());
    let msg = icmpv6(143, 0, [0, 0, 0, 1], &recs); // one source claimed, none present
    let e = decode(LinkType::ETHERNET, &mld_frame("ff02::16", &msg))
        .error
        .unwrap();
    assert_eq!((e.layer, e.offset), (Layer::Mld, MLD_AT + 8));

    let msg = icmpv6(131, 0, [0; 4], &[0xff; 12]);
    let e = decode(LinkType::ETHERNET, &mld_frame("ff02::16", &msg))
        .error
        .unwrap();
    assert_eq!((e.layer, e.offset), (Layer::Mld, MLD_AT));
    assert_eq!(
        e.kind,
        ErrorKind::Truncated {
            needed: 24,
            available: 20
        }
    );
}

//! Properties of the application views: packets built by other libraries
//! (`rtp-types`, `simple-dns`) read back field for field, and no input
//! makes any view panic.

use proptest::collection::vec;
use proptest::prelude::*;

use portmatrix_wire::app::{dns, ptp, rtcp, rtp, sap, sdp, sip, stun};

#[derive(Debug, Clone)]
struct RtpSpec {
    marker: bool,
    pt: u8,
    seq: u16,
    ts: u32,
    ssrc: u32,
    csrcs: Vec<u32>,
    ext: Option<(u16, Vec<u8>)>,
    padding: Option<u8>,
    payload: Vec<u8>,
}

fn rtp_spec() -> impl Strategy<Value = RtpSpec> {
    (
        any::<bool>(),
        0u8..128,
        any::<u16>(),
        any::<u32>(),
        any::<u32>(),
        vec(any::<u32>(), 0..=15),
        prop::option::of((any::<u16>(), (0usize..8).prop_map(|w| vec![0xa5u8; 4 * w]))),
        prop::option::of(1u8..=255),
        vec(any::<u8>(), 0..64),
    )
        .prop_map(
            |(marker, pt, seq, ts, ssrc, csrcs, ext, padding, payload)| RtpSpec {
                marker,
                pt,
                seq,
                ts,
                ssrc,
                csrcs,
                ext,
                padding,
                payload,
            },
        )
}

fn build(s: &RtpSpec) -> Vec<u8> {
    let mut b = rtp_types::RtpPacketBuilder::<&[u8], &[u8]>::new()
        .marker_bit(s.marker)
        .payload_type(s.pt)
        .sequence_number(s.seq)
        .timestamp(s.ts)
        .ssrc(s.ssrc)
        .maybe_padding(s.padding)
        .payload(&s.payload);
    for c in &s.csrcs {
        b = b.add_csrc(*c);
    }
    if let Some((id, data)) = &s.ext {
        b = b.extension(*id, data);
    }
    b.write_vec().unwrap()
}

proptest! {
    #[test]
    fn rtp_built_by_rtp_types_reads_back(s in rtp_spec()) {
        let bytes = build(&s);
        let p = rtp::Packet::new_checked(&bytes[..]).unwrap();
        prop_assert_eq!(p.version(), 2);
        prop_assert_eq!(p.marker(), s.marker);
        prop_assert_eq!(p.payload_type(), s.pt);
        prop_assert_eq!(p.sequence_number(), s.seq);
        prop_assert_eq!(p.timestamp(), s.ts);
        prop_assert_eq!(p.ssrc(), s.ssrc);
        prop_assert_eq!(p.csrcs().collect::<Vec<_>>(), s.csrcs.clone());
        prop_assert_eq!(p.padding(), s.padding.is_some());
        prop_assert_eq!(p.padding_len(), usize::from(s.padding.unwrap_or(0)));
        match &s.ext {
            Some((id, data)) => {
                prop_assert_eq!(p.extension_header(), Some((*id, (data.len() / 4) as u16)));
                prop_assert_eq!(p.extension_data(), Some(&data[..]));
            }
            None => prop_assert_eq!(p.extension_header(), None),
        }
        prop_assert_eq!(p.payload().unwrap(), &s.payload[..]);
        prop_assert_eq!(rtp::is_plausible(&bytes), !rtp::is_rtcp_conflict(s.pt));
    }

    #[test]
    fn rtp_agrees_with_rtp_types_on_any_input(b in vec(any::<u8>(), 0..80)) {
        // rtp-types checks version 2 first; our check_len does not.
        let theirs = rtp_types::RtpPacket::parse(&b[..]);
        let ours = rtp::Packet::new_checked(&b[..]);
        if let Ok(t) = &theirs {
            let o = ours.unwrap();
            prop_assert_eq!(o.payload().unwrap(), t.payload());
            prop_assert_eq!(o.header_len().unwrap(), t.payload_offset());
        }
    }

    #[test]
    fn views_never_panic(b in vec(any::<u8>(), 0..200)) {
        if let Ok(p) = rtp::Packet::new_checked(&b[..]) {
            let _ = (p.payload(), p.csrcs().count(), p.extension_data(), p.is_rtcp_range());
        }
        let _ = rtp::check_plausible(&b);
        let _ = (rtcp::check_compound(&b), rtcp::check_reduced_size(&b));
        for t in [0, 4, 10] {
            let _ = rtcp::srtcp_trailer(&b, 0, t);
        }
        for (_, p) in rtcp::Packets::new(&b).flatten() {
            let _ = (p.ssrc(), p.sender_info(), p.cname(), p.bye_reason());
            let _ = (p.report_blocks().count(), p.bye_sources().count());
            for c in p.sdes_chunks() {
                let _ = c.items().count();
            }
        }
        let _ = ptp::version(&b);
        if let Ok(p) = ptp::Packet::new_checked(&b[..]) {
            let _ = (p.announce(), p.body(), p.check_message_length(), p.correction_field());
            let _ = (p.source_port_identity(), p.log_message_interval());
        }
        if let Ok(p) = ptp::V1Packet::new_checked(&b[..]) {
            let _ = (p.sync(), p.subdomain(), p.source_uuid(), p.flags());
        }
    }

    #[test]
    fn rtcp_walk_stays_inside(b in vec(any::<u8>(), 0..200)) {
        let mut end = 0;
        for item in rtcp::Packets::new(&b) {
            match item {
                Ok((at, p)) => {
                    prop_assert_eq!(at, end);
                    end = at + p.packet_len();
                    prop_assert!(end <= b.len());
                }
                Err(e) => prop_assert!(e.offset <= b.len()),
            }
        }
    }

    #[test]
    fn mdns_built_by_simple_dns_reads_back(
        instance in "[A-Za-z0-9 ]{1,20}",
        service in "_[a-z][a-z-]{0,12}",
        port in any::<u16>(),
        ttl in any::<u32>(),
        txt in vec("[a-z]{1,8}=[a-z0-9]{0,8}", 0..4),
        addr in any::<[u8; 4]>(),
        compressed in any::<bool>(),
    ) {
        use simple_dns::{rdata, Name, Packet, ResourceRecord, CLASS};
        let svc = format!("{service}._udp.local");
        let inst = format!("{instance}.{svc}");
        let mut p = Packet::new_reply(0);
        p.answers.push(ResourceRecord::new(
            Name::new_unchecked(&svc),
            CLASS::IN,
            ttl,
            rdata::RData::PTR(rdata::PTR(Name::new_unchecked(&inst))),
        ));
        p.additional_records.push(ResourceRecord::new(
            Name::new_unchecked(&inst),
            CLASS::IN,
            ttl,
            rdata::RData::SRV(rdata::SRV {
                priority: 0,
                weight: 0,
                port,
                target: Name::new_unchecked("dev.local"),
            }),
        ));
        let mut t = rdata::TXT::new();
        for kv in &txt {
            t.add_string(kv).unwrap();
        }
        p.additional_records.push(ResourceRecord::new(
            Name::new_unchecked(&inst),
            CLASS::IN,
            ttl,
            rdata::RData::TXT(t),
        ));
        p.additional_records.push(ResourceRecord::new(
            Name::new_unchecked("dev.local"),
            CLASS::IN,
            ttl,
            rdata::RData::A(rdata::A { address: u32::from_be_bytes(addr) }),
        ));
        let bytes = if compressed {
            p.build_bytes_vec_compressed().unwrap()
        } else {
            p.build_bytes_vec().unwrap()
        };
        let m = dns::Message::new_checked(&bytes[..]).unwrap();
        m.check().unwrap();
        prop_assert!(m.is_response());
        let rs: Vec<_> = m.records().map(|r| r.unwrap()).collect();
        prop_assert_eq!(rs.len(), 4);
        let mut buf = [0u8; dns::MAX_NAME_LEN + 2];
        prop_assert_eq!(rs[0].name.write_to(&mut buf).unwrap(), svc.as_bytes());
        prop_assert!(rs[0].name.eq_dotted(&svc) && rs[0].name.ends_with("_udp.local"));
        prop_assert_eq!(rs[0].ttl, ttl);
        let dns::RData::Ptr(target) = rs[0].data().unwrap() else {
            return Err(TestCaseError::fail("not a PTR"));
        };
        prop_assert_eq!(target.write_to(&mut buf).unwrap(), inst.as_bytes());
        let dns::RData::Srv { port: p2, target, .. } = rs[1].data().unwrap() else {
            return Err(TestCaseError::fail("not an SRV"));
        };
        prop_assert_eq!(p2, port);
        prop_assert!(target.eq_dotted("dev.local"));
        let dns::RData::Txt(strings) = rs[2].data().unwrap() else {
            return Err(TestCaseError::fail("not a TXT"));
        };
        let got: Vec<String> = strings.map(|s| String::from_utf8(s.to_vec()).unwrap()).collect();
        // An empty TXT holds one empty string (RFC 6763 §6.1).
        let want = if txt.is_empty() { vec![String::new()] } else { txt.clone() };
        prop_assert_eq!(got, want);
        prop_assert_eq!(strings.key_values().count(), txt.len());
        for kv in &txt {
            let (k, v) = kv.split_once('=').unwrap();
            prop_assert!(strings.key_values().any(|(k2, v2)| k2 == k.as_bytes() && v2 == Some(v.as_bytes())));
        }
        prop_assert_eq!(rs[3].data().unwrap(), dns::RData::A(addr.into()));
    }

    #[test]
    fn text_and_dns_views_never_panic(b in vec(any::<u8>(), 0..300)) {
        text_views(&b);
    }

    #[test]
    fn text_views_never_panic_on_text(t in "[a-zA-Z0-9=:/ .;\r\n-]{0,300}") {
        text_views(t.as_bytes());
        let mut sdp_like = b"v=0\r\n".to_vec();
        sdp_like.extend_from_slice(t.as_bytes());
        text_views(&sdp_like);
        let mut sip_like = b"SIP/2.0 200 OK\r\n".to_vec();
        sip_like.extend_from_slice(t.as_bytes());
        text_views(&sip_like);
    }
}

fn text_views(b: &[u8]) {
    let s = sdp::Sdp::new(b);
    let _ = (
        s.check(),
        s.version(),
        s.origin(),
        s.connection(),
        s.session_name(),
    );
    let _ = s.attributes().count();
    for m in s.media() {
        let _ = (
            m.connection(),
            m.rtcp(),
            m.rtcp_port(),
            m.rtcp_mux(),
            m.has_crypto(),
        );
        let _ = (m.rtpmaps().count(), m.clock_rate(96));
        if let Some(l) = m.line {
            let _ = (l.payload_types().count(), l.is_rtp(), l.is_srtp());
        }
    }
    if let Ok(m) = sip::Message::parse(b) {
        let _ = (
            m.content_length(),
            m.content_type(),
            m.cseq(),
            m.body(),
            m.len(),
        );
        let _ = (m.headers().count(), m.method(), m.user_agent(), m.server());
    }
    let _ = sip::is_sip(b);
    if let Ok(p) = sap::Packet::new_checked(b) {
        let _ = (
            p.originating_source(),
            p.payload_type(),
            p.sdp(),
            p.auth_data(),
        );
    }
    if let Ok(m) = dns::Message::new_checked(b) {
        let _ = m.check();
        let mut buf = [0u8; dns::MAX_NAME_LEN + 2];
        for q in m.questions().flatten() {
            let _ = (
                q.name.write_to(&mut buf).is_ok(),
                q.name.eq_dotted("a.local"),
            );
        }
        for r in m.records().flatten() {
            let _ = (r.name.write_to(&mut buf).is_ok(), r.name.ends_with("local"));
            if let Ok(dns::RData::Txt(t)) = r.data() {
                let _ = t.key_values().count();
            }
        }
    }
    if let Ok(p) = stun::Packet::new_checked(b) {
        let _ = (p.method(), p.class(), p.attributes().count());
    }
    let _ = stun::is_stun(b);
}

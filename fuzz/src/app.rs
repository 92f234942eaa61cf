//! Checks of the application views of `portmatrix_wire::app` against the
//! payload they read: beyond "no panic", every slice they hand out lies in
//! the payload, walks are contiguous and bounded, and the strict and lax
//! readers agree.

use portmatrix_wire::app::{dns, ptp, rtcp, rtp, sap, sdp, sip, stun};

/// `part` lies inside `whole`; returns its offset.
fn offset_in(whole: &[u8], part: &[u8], what: &str) -> usize {
    let start = whole.as_ptr() as usize;
    let p = part.as_ptr() as usize;
    assert!(
        p >= start && p + part.len() <= start + whole.len(),
        "{what} ({} bytes) is not a sub-slice of the payload ({} bytes)",
        part.len(),
        whole.len()
    );
    p - start
}

/// RTP, RTCP (plain and SRTCP) and STUN: what a media port carries.
pub fn media(b: &[u8]) {
    if let Ok(p) = rtp::check_plausible(b) {
        assert_eq!(p.version(), 2);
        assert!(!rtp::is_rtcp_conflict(p.payload_type()));
        let r = p
            .payload_range()
            .expect("plausible implies a payload range");
        assert!(r.start <= r.end && r.end <= b.len());
        assert_eq!(p.header_len().unwrap(), r.start);
        assert!(p.csrcs().count() == usize::from(p.csrc_count()));
        if let Some(x) = p.extension_data() {
            offset_in(b, x, "rtp extension");
        }
    }

    let mut end = 0;
    let mut walked = 0;
    let mut walk_ok = true;
    for item in rtcp::Packets::new(b) {
        match item {
            Ok((at, p)) => {
                assert_eq!(at, end, "rtcp packets are contiguous");
                assert_eq!(offset_in(b, p.as_bytes(), "rtcp packet"), at);
                end = at + p.packet_len();
                assert!(end <= b.len());
                walked += 1;
                let _ = (p.ssrc(), p.sender_info());
                assert!(p.report_blocks().count() <= usize::from(p.count()));
                for c in p.sdes_chunks() {
                    for i in c.items() {
                        offset_in(b, i.value, "sdes item");
                    }
                }
                if let Some(c) = p.cname() {
                    offset_in(b, c, "cname");
                }
                if let Some(r) = p.bye_reason() {
                    offset_in(b, r, "bye reason");
                }
                assert!(p.bye_sources().count() <= usize::from(p.count()));
            }
            Err(e) => {
                assert!(
                    e.offset <= b.len(),
                    "rtcp error offset {} past {}",
                    e.offset,
                    b.len()
                );
                walk_ok = false;
            }
        }
    }
    match rtcp::check_compound(b) {
        Ok(n) => {
            assert!(walk_ok && n == walked && end == b.len());
            assert_eq!(
                rtcp::check_reduced_size(b),
                Ok(n),
                "RFC 3550 valid implies RFC 5506 valid"
            );
        }
        Err(e) => assert!(e.offset <= b.len()),
    }
    if let Ok(n) = rtcp::check_reduced_size(b) {
        assert!(walk_ok && n == walked && end == b.len());
    }
    for (mki, tag) in [(0, 10), (0, 4), (4, 10)] {
        if let Ok(t) = rtcp::srtcp_trailer(b, mki, tag) {
            assert_eq!(t.compound_len + 4 + mki + tag, b.len());
            assert_eq!(t.compound_len % 4, 0);
            if !t.encrypted {
                assert!(rtcp::check_reduced_size(&b[..t.compound_len]).is_ok());
            }
        }
    }

    if let Ok(p) = stun::Packet::new_checked(b) {
        let len = usize::from(p.message_length());
        let mut total = 0;
        for (_, v) in p.attributes() {
            offset_in(b, v, "stun attribute");
            total += 4 + v.len();
        }
        assert!(total <= len);
        let _ = (p.method(), p.class(), p.transaction_id());
    }
    if stun::is_stun(b) {
        assert!(
            !rtp::is_plausible(b),
            "STUN's top bits are 00, RTP's version 2"
        );
    }
}

/// PTP v1 and v2.
pub fn ptp(b: &[u8]) {
    match ptp::version(b) {
        Some(ptp::Version::V2 { minor }) => {
            assert_eq!(b[1] >> 4, minor);
            let p = ptp::Packet::new_checked(b);
            assert_eq!(p.is_ok(), b.len() >= ptp::HEADER_LEN);
            if let Ok(p) = p {
                offset_in(b, p.body(), "ptp body");
                let _ = (
                    p.correction_field(),
                    p.source_port_identity(),
                    p.check_message_length(),
                );
                if p.announce().is_some() {
                    assert!(
                        p.message_type() == ptp::message_type::ANNOUNCE
                            && b.len() >= ptp::ANNOUNCE_LEN
                    );
                }
            }
        }
        Some(ptp::Version::V1) => {
            let p = ptp::V1Packet::new_checked(b);
            assert_eq!(p.is_ok(), b.len() >= ptp::V1_HEADER_LEN);
            if let Ok(p) = p {
                offset_in(b, p.subdomain(), "ptp subdomain");
                assert!(p.subdomain().len() <= 16);
                if p.sync().is_some() {
                    assert!(b.len() >= ptp::V1_SYNC_LEN);
                }
                let _ = (p.source_uuid(), p.flags(), p.sequence_id());
            }
        }
        None => {
            assert!(ptp::Packet::new_checked(b).is_err());
            assert!(ptp::V1Packet::new_checked(b).is_err());
        }
    }
}

/// SDP text, and the same bytes as a SAP packet.
pub fn sdp_and_sap(b: &[u8]) {
    sdp_text(b);
    if let Ok(p) = sap::Packet::new_checked(b) {
        assert!(p.version() <= 1);
        offset_in(b, p.auth_data(), "sap auth data");
        let at = p.payload_offset();
        assert!(at <= b.len() || p.payload().is_empty());
        if let Some(t) = p.payload_type() {
            offset_in(b, t, "sap payload type");
        }
        if let Some(text) = p.sdp() {
            assert_eq!(offset_in(b, text, "sap sdp"), at);
            sdp_text(text);
        }
    }
}

fn sdp_text(b: &[u8]) {
    let s = sdp::Sdp::new(b);
    let checked = s.check();
    if let Err(e) = checked {
        assert!(e.offset <= b.len());
    } else {
        assert_eq!(s.version(), Some(0));
    }
    let mut lines_ok = true;
    for l in s.lines() {
        match l {
            Ok(l) => {
                offset_in(b, l.value, "sdp line");
                assert!(l.kind.is_ascii_alphabetic());
            }
            Err(e) => {
                assert!(e.offset <= b.len());
                lines_ok = false;
            }
        }
    }
    if checked.is_ok() {
        assert!(lines_ok, "check passed over a malformed line");
    }
    let session = s.session_section();
    assert_eq!(offset_in(b, session, "sdp session"), 0);
    let mut next = session.len();
    for m in s.media() {
        let at = offset_in(b, m.section, "sdp media section");
        assert_eq!(at, next, "media sections follow each other");
        assert_eq!(at, m.offset);
        next = at + m.section.len();
        if checked.is_ok() {
            assert!(m.line.is_some(), "check passed over a bad m= line");
        }
        if let Some(c) = m.connection() {
            offset_in(b, c.address, "sdp address");
        }
        for map in m.rtpmaps() {
            offset_in(b, map.encoding, "rtpmap encoding");
            assert!(m.rtpmap(map.payload_type).is_some());
        }
        let _ = (m.rtcp(), m.rtcp_port(), m.rtcp_mux(), m.has_crypto());
        if let Some(line) = m.line {
            for pt in line.payload_types() {
                assert!(pt < 128);
            }
        }
    }
    assert_eq!(next, b.len(), "the last media section runs to the end");
}

/// A SIP message.
pub fn sip(b: &[u8]) {
    let parsed = sip::Message::parse(b);
    let first_line_short = b.iter().take(1024).any(|&c| c == b'\r' || c == b'\n');
    if parsed.is_ok() && first_line_short {
        assert!(sip::is_sip(b), "a message that parses has a SIP start line");
    }
    let Ok(m) = parsed else { return };
    let at = m.body_offset();
    assert!(at <= b.len());
    for h in m.headers() {
        assert!(h.offset < at);
        offset_in(&b[..at], h.name, "sip header name");
        offset_in(&b[..at], h.value, "sip header value");
    }
    let body = m.body();
    assert_eq!(offset_in(b, body.bytes, "sip body"), at);
    assert_eq!(at + body.bytes.len() + body.trailing, b.len());
    match m.content_length() {
        Some(Ok(n)) if !body.truncated => assert_eq!(body.bytes.len() as u64, n),
        Some(Ok(n)) => assert!((body.bytes.len() as u64) < n && body.trailing == 0),
        _ => assert!(!body.truncated && body.trailing == 0),
    }
    assert_eq!(m.len(), at + body.bytes.len());
    let _ = (m.cseq(), m.content_type(), m.method(), m.status_code());
}

/// A DNS / mDNS message.
pub fn dns(b: &[u8]) {
    let Ok(m) = dns::Message::new_checked(b) else {
        assert!(b.len() < dns::HEADER_LEN);
        return;
    };
    let checked = m.check();
    let mut all_ok = true;
    let mut buf = [0u8; dns::MAX_NAME_LEN + 2];
    let mut name_check = |n: dns::Name<'_>| {
        let labels: Vec<_> = n.labels().collect();
        assert!(labels.len() <= 128);
        let ok = labels.iter().all(Result::is_ok);
        let written = n.write_to(&mut buf).map(<[u8]>::to_vec);
        assert_eq!(ok, written.is_ok(), "write_to agrees with the label walk");
        if let Ok(w) = written {
            assert!(w.len() <= dns::MAX_NAME_LEN + 1);
            let plain = labels.iter().all(|l| {
                let l = l.as_ref().unwrap();
                !l.contains(&b'.') && l.is_ascii()
            });
            if plain {
                let text = core::str::from_utf8(&w).unwrap();
                assert!(n.eq_dotted(text), "a name equals its own text");
                if let Some(last) = text.rsplit('.').next().filter(|_| text != ".") {
                    assert!(n.ends_with(last));
                }
            }
        }
        ok
    };
    for q in m.questions() {
        match q {
            Ok(q) => all_ok &= name_check(q.name),
            Err(e) => {
                assert!(e.offset <= b.len());
                all_ok = false;
            }
        }
    }
    for r in m.records() {
        match r {
            Ok(r) => {
                assert_eq!(offset_in(b, r.rdata, "dns rdata"), r.rdata_offset);
                all_ok &= name_check(r.name);
                match r.data() {
                    Ok(dns::RData::Ptr(t)) => all_ok &= name_check(t),
                    Ok(dns::RData::Srv { target, .. }) => all_ok &= name_check(target),
                    Ok(dns::RData::Txt(t)) => {
                        for s in t {
                            offset_in(b, s, "txt string");
                        }
                        let _ = t.key_values().count();
                    }
                    Ok(_) => {}
                    Err(e) => {
                        assert!(e.offset <= b.len());
                        all_ok = false;
                    }
                }
            }
            Err(e) => {
                assert!(e.offset <= b.len());
                all_ok = false;
            }
        }
    }
    assert_eq!(checked.is_ok(), all_ok, "check agrees with the walk");
}

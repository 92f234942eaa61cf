//! The application views against real captures: every field is compared
//! with what tshark read from the same packet. The listings and the
//! commands that made them are in `tests/tshark/` (`regen.sh`); the
//! captures are read from the shared corpus and each test is skipped with
//! a message when it is absent.

use std::collections::BTreeMap;
use std::path::PathBuf;

use portmatrix_wire::app::{dns, ptp, rtcp, rtp, sap, sdp, sip, stun};
use portmatrix_wire::{decode, LinkType};

use crate::corpus::read_pcap;

fn corpus_file(rel: &str) -> Option<Vec<u8>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/corpus/files")
        .join(rel);
    match std::fs::read(&path) {
        Ok(b) => Some(b),
        Err(_) => {
            eprintln!("skipping: {} not found", path.display());
            None
        }
    }
}

/// Rows of a tshark field listing, keyed by frame number.
fn listing(name: &str) -> BTreeMap<usize, Vec<String>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/tshark")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let cols: Vec<String> = l.split('\t').map(str::to_string).collect();
            (cols[0].parse().unwrap(), cols)
        })
        .collect()
}

/// Application payload of each frame (1-based numbers): the UDP payload,
/// or the bytes after the link header for EtherType 0x88F7.
fn payloads(rel: &str) -> Option<Vec<Vec<u8>>> {
    let bytes = corpus_file(rel)?;
    let (link, recs) = if bytes.starts_with(&[0x0a, 0x0d, 0x0d, 0x0a]) {
        read_pcapng(&bytes)
    } else {
        let (link, recs) = read_pcap(&bytes);
        (link, recs.into_iter().map(|r| r.data).collect())
    };
    Some(
        recs.iter()
            .map(|r| {
                let d = decode(link, r);
                if d.ether_type == Some(ptp::ETHER_TYPE) {
                    r[d.net_offset..].to_vec()
                } else if d.ports().is_some() {
                    d.payload.to_vec()
                } else {
                    // Not UDP or TCP (e.g. PPPoE, which is not decoded): the
                    // bytes after an unknown EtherType are no application payload.
                    Vec::new()
                }
            })
            .collect(),
    )
}

/// A minimal little-endian, single-interface pcapng reader (section
/// header, interface description, enhanced packet blocks), enough for
/// the corpus files the tests use; the capture crate owns the real one.
fn read_pcapng(b: &[u8]) -> (LinkType, Vec<Vec<u8>>) {
    let u32_at = |o: usize| u32::from_le_bytes(b[o..o + 4].try_into().unwrap());
    assert_eq!(u32_at(8), 0x1a2b_3c4d, "big-endian pcapng not handled here");
    let mut link = LinkType(0);
    let mut frames = Vec::new();
    let mut at = 0;
    while at + 12 <= b.len() {
        let (kind, len) = (u32_at(at), u32_at(at + 4) as usize);
        match kind {
            1 => link = LinkType(u16::from_le_bytes([b[at + 8], b[at + 9]])),
            6 => {
                let caplen = u32_at(at + 20) as usize;
                frames.push(b[at + 28..at + 28 + caplen].to_vec());
            }
            _ => {}
        }
        at += len;
    }
    (link, frames)
}

fn hex_u32(s: &str) -> u32 {
    u32::from_str_radix(s.trim_start_matches("0x"), 16).unwrap()
}

fn check_rtp(capture: &str, expected: &str) {
    let Some(frames) = payloads(capture) else {
        return;
    };
    let rows = listing(expected);
    assert!(rows.len() > 100, "{expected}: {} rows", rows.len());
    for (n, c) in &rows {
        let b = &frames[n - 1];
        if c[1] != "2" {
            // tshark took a short datagram for RTP and read only the version.
            assert_eq!((b[0] >> 6).to_string(), c[1], "frame {n}");
            assert!(!rtp::is_plausible(b), "frame {n}");
            continue;
        }
        let p = rtp::check_plausible(b).unwrap_or_else(|e| panic!("frame {n}: {e}"));
        let got = [
            p.version().to_string(),
            u8::from(p.padding()).to_string(),
            u8::from(p.extension()).to_string(),
            p.csrc_count().to_string(),
            u8::from(p.marker()).to_string(),
            p.payload_type().to_string(),
            p.sequence_number().to_string(),
            p.timestamp().to_string(),
        ];
        assert_eq!(&got[..], &c[1..9], "frame {n}");
        assert_eq!(p.ssrc(), hex_u32(&c[9]), "frame {n}");
        assert_eq!(p.payload().unwrap().len(), b.len() - 12, "frame {n}");
    }
}

#[test]
fn rtp_g729a_matches_tshark() {
    check_rtp("rtppcap/sip-rtp-g729a.pcap", "rtp-g729a.txt");
}

#[test]
fn rtp_l16_matches_tshark() {
    check_rtp("rtppcap/sip-rtp-l16.pcap", "rtp-l16.txt");
}

#[test]
fn rtp_plausibility_rejects_sip_frames() {
    // The SIP messages of the same capture start with ASCII: version 1.
    let Some(frames) = payloads("rtppcap/sip-rtp-g729a.pcap") else {
        return;
    };
    let rows = listing("rtp-g729a.txt");
    for (i, b) in frames.iter().enumerate() {
        if !rows.contains_key(&(i + 1)) && !b.is_empty() {
            assert!(!rtp::is_plausible(b), "frame {}", i + 1);
        }
    }
}

#[test]
fn rtcp_compound_matches_tshark() {
    let Some(frames) = payloads("ndpi/sip.pcap") else {
        return;
    };
    let rows = listing("rtcp-sip.txt");
    let c = &rows[&104];
    let b = &frames[103];
    assert_eq!(rtcp::check_compound(b), Ok(3));
    let ps: Vec<_> = rtcp::Packets::new(b).map(|p| p.unwrap().1).collect();
    let pts: Vec<String> = ps.iter().map(|p| p.packet_type().to_string()).collect();
    assert_eq!(pts.join(","), c[1]);
    let lens: Vec<String> = ps.iter().map(|p| p.length().to_string()).collect();
    assert_eq!(lens.join(","), c[2]);
    assert_eq!(ps[0].ssrc(), Some(hex_u32(&c[3])));
    assert_eq!(ps[0].report_blocks().count(), 0);
    let types: Vec<String> = ps[1]
        .sdes_chunks()
        .flat_map(|ch| ch.items())
        .map(|i| i.item_type.to_string())
        .collect();
    // tshark lists the END item (0) too.
    assert_eq!(types.join(",") + ",0", c[4]);
    let texts: Vec<&str> = c[5].split(',').collect();
    assert_eq!(ps[1].cname(), Some(texts[0].as_bytes()));
    assert_eq!(ps[2].bye_reason(), Some(texts[2].as_bytes()));
    let ids: Vec<u32> = c[6].split(',').map(hex_u32).collect();
    assert_eq!(ps[1].sdes_chunks().next().unwrap().ssrc, ids[0]);
    assert_eq!(ps[2].bye_sources().collect::<Vec<_>>(), vec![ids[1]]);
}

#[test]
fn srtcp_trailer_matches_tshark() {
    let Some(frames) = payloads("ndpi/stun.pcap") else {
        return;
    };
    for (n, c) in listing("srtcp-stun.txt") {
        let b = &frames[n - 1];
        assert_eq!(b.len() + 8, c[4].parse::<usize>().unwrap());
        // HMAC-SHA1-80, no MKI (the WebRTC default).
        let t = rtcp::srtcp_trailer(b, 0, 10).unwrap_or_else(|e| panic!("frame {n}: {e}"));
        assert_eq!(b[1].to_string(), c[1]);
        if !c[2].is_empty() {
            assert_eq!(u8::from(t.encrypted).to_string(), c[2], "frame {n}");
            assert_eq!(t.index.to_string(), c[3], "frame {n}");
            // Encrypted: the plain compound walk does not add up.
            assert!(rtcp::check_compound(b).is_err());
        }
    }
}

fn check_ptp(capture: &str, expected: &str) {
    let Some(frames) = payloads(capture) else {
        return;
    };
    let rows = listing(expected);
    assert!(!rows.is_empty());
    for (n, c) in &rows {
        let b = &frames[n - 1];
        assert!(matches!(ptp::version(b), Some(ptp::Version::V2 { .. })));
        let p = ptp::Packet::new_checked(&b[..]).unwrap_or_else(|e| panic!("frame {n}: {e}"));
        p.check_message_length().unwrap();
        let id = p.source_port_identity();
        let clock: String = id
            .clock_identity
            .iter()
            .map(|x| format!("{x:02x}"))
            .collect();
        let got = [
            format!("{:#04x}", p.message_type()),
            p.minor_version_ptp().to_string(),
            p.message_length().to_string(),
            p.domain_number().to_string(),
            u8::from(p.two_step()).to_string(),
            u8::from(p.unicast()).to_string(),
            (p.correction_field() >> 16).to_string(),
            format!("0x{clock}"),
            id.port_number.to_string(),
            p.sequence_id().to_string(),
            p.control_field().to_string(),
            p.log_message_interval().to_string(),
        ];
        assert_eq!(&got[..], &c[1..13], "{expected} frame {n}");
        match p.announce() {
            Some(a) => {
                let gm: String = a
                    .grandmaster_identity
                    .iter()
                    .map(|x| format!("{x:02x}"))
                    .collect();
                let got = [
                    a.grandmaster_priority1.to_string(),
                    a.clock_class.to_string(),
                    format!("{:#04x}", a.clock_accuracy),
                    a.offset_scaled_log_variance.to_string(),
                    a.grandmaster_priority2.to_string(),
                    format!("0x{gm}"),
                    a.steps_removed.to_string(),
                    format!("{:#04x}", a.time_source),
                ];
                assert_eq!(&got[..], &c[13..21], "{expected} frame {n}");
            }
            None => assert_eq!(c[13], "", "{expected} frame {n}"),
        }
    }
}

#[test]
fn ptp_udp_ipv4_matches_tshark() {
    check_ptp("tcpdump/ptp.pcap", "ptp-ptp.txt");
    check_ptp("tcpdump/ptp_corrections.pcap", "ptp-ptp_corrections.txt");
}

#[test]
fn ptp_udp_ipv6_matches_tshark() {
    check_ptp("ndpi/ptpv2.pcap", "ptp-ptpv2.txt");
}

#[test]
fn ptp_ethernet_matches_tshark() {
    check_ptp("tcpdump/ptp_ethernet.pcap", "ptp-ptp_ethernet.txt");
    check_ptp("tcpdump/ptp_management.pcap", "ptp-ptp_management.txt");
    check_ptp("tcpdump/ptp_v2_1.pcap", "ptp-ptp_v2_1.txt");
}

fn mac(b: &[u8]) -> String {
    b.iter()
        .map(|x| format!("{x:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

#[test]
fn ptp_v1_sync_matches_tshark() {
    // No PTPv1 capture in the corpus: a Sync with a distinct value in
    // every field, wrapped by text2pcap and read by tshark's dissector.
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/tshark");
    let hex = std::fs::read_to_string(dir.join("ptpv1-sync.hex")).unwrap();
    let b: Vec<u8> = hex
        .lines()
        .filter(|l| !l.starts_with('#'))
        .flat_map(str::split_whitespace)
        .map(|h| u8::from_str_radix(h, 16).unwrap())
        .collect();
    let text = std::fs::read_to_string(dir.join("ptpv1-sync.txt")).unwrap();
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    let names: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let values: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let want: BTreeMap<&str, &str> = names.into_iter().zip(values).collect();
    let field = |name: &str| want[format!("ptp.{name}").as_str()].to_string();

    assert_eq!(ptp::version(&b), Some(ptp::Version::V1));
    let p = ptp::V1Packet::new_checked(&b[..]).unwrap();
    assert_eq!(p.version_network().to_string(), field("versionnetwork"));
    assert_eq!(p.subdomain(), field("subdomain").as_bytes());
    assert_eq!(p.message_type().to_string(), field("messagetype"));
    assert_eq!(
        p.source_communication_technology().to_string(),
        field("sourcecommunicationtechnology")
    );
    assert_eq!(mac(&p.source_uuid()), field("sourceuuid"));
    assert_eq!(p.source_port_id().to_string(), field("sourceportid"));
    assert_eq!(p.sequence_id().to_string(), field("sequenceid"));
    assert_eq!(p.control().to_string(), field("controlfield"));
    assert_eq!(format!("{:#06x}", p.flags()), field("flags"));
    let s = p.sync().unwrap();
    let got = [
        ("origintimestamp_seconds", s.origin_seconds.to_string()),
        (
            "origintimestamp_nanoseconds",
            s.origin_nanoseconds.to_string(),
        ),
        ("epochnumber", s.epoch_number.to_string()),
        ("currentutcoffset", s.current_utc_offset.to_string()),
        (
            "grandmastercommunicationtechnology",
            s.grandmaster_communication_technology.to_string(),
        ),
        ("grandmasterclockuuid", mac(&s.grandmaster_clock_uuid)),
        ("grandmasterportid", s.grandmaster_port_id.to_string()),
        (
            "grandmastersequenceid",
            s.grandmaster_sequence_id.to_string(),
        ),
        (
            "grandmasterclockstratum",
            s.grandmaster_clock_stratum.to_string(),
        ),
        (
            "grandmasterclockidentifier",
            String::from_utf8_lossy(&s.grandmaster_clock_identifier).into_owned(),
        ),
        (
            "grandmasterclockvariance",
            s.grandmaster_clock_variance.to_string(),
        ),
        (
            "grandmasterpreferred",
            u8::from(s.grandmaster_preferred).to_string(),
        ),
        (
            "grandmasterisboundaryclock",
            u8::from(s.grandmaster_is_boundary_clock).to_string(),
        ),
        ("syncinterval", s.sync_interval.to_string()),
        ("localclockvariance", s.local_clock_variance.to_string()),
        ("localstepsremoved", s.local_steps_removed.to_string()),
        ("localclockstratum", s.local_clock_stratum.to_string()),
        (
            "localclockidentifier",
            String::from_utf8_lossy(&s.local_clock_identifier)
                .trim_end_matches('\0')
                .to_string(),
        ),
        (
            "parentcommunicationtechnology",
            s.parent_communication_technology.to_string(),
        ),
        ("parentuuid", mac(&s.parent_uuid)),
        ("parentportfield", s.parent_port_field.to_string()),
        (
            "estimatedmastervariance",
            s.estimated_master_variance.to_string(),
        ),
        ("estimatedmasterdrift", s.estimated_master_drift.to_string()),
        ("utcreasonable", u8::from(s.utc_reasonable).to_string()),
    ];
    for (name, value) in got {
        assert_eq!(value, field(&format!("sdr.{name}")), "{name}");
    }
}

/// The SDP fields of a listing from column `at` on, as the views read
/// them: c= addresses and TTLs (session first), m= media, ports,
/// protos, then rtpmap encodings and clock rates, comma-joined.
fn sdp_columns(text: &[u8]) -> Vec<String> {
    fn join<T: ToString>(v: impl Iterator<Item = T>) -> String {
        v.map(|x| x.to_string()).collect::<Vec<_>>().join(",")
    }
    let s = sdp::Sdp::new(text);
    let media: Vec<_> = s.media().collect();
    let conns: Vec<_> = s
        .connection()
        .into_iter()
        .chain(media.iter().filter_map(|m| m.own_connection()))
        .collect();
    let lines: Vec<_> = media.iter().filter_map(|m| m.line).collect();
    let maps: Vec<_> = media.iter().flat_map(|m| m.rtpmaps()).collect();
    let utf8 = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    vec![
        join(conns.iter().map(|c| utf8(c.address))),
        join(conns.iter().filter_map(|c| c.ttl)),
        join(lines.iter().map(|l| utf8(l.media))),
        join(lines.iter().map(|l| l.port)),
        join(lines.iter().map(|l| utf8(l.proto))),
        join(maps.iter().map(|m| utf8(m.encoding))),
        join(maps.iter().map(|m| m.clock_rate)),
    ]
}

/// SDP columns of a listing row (format column dropped: tshark names
/// the payload types there).
fn sdp_expected(c: &[String]) -> Vec<String> {
    let mut v = c.to_vec();
    v.remove(5);
    v
}

#[test]
fn sap_and_sdp_match_tshark() {
    let Some(frames) = payloads("zeek/q-in-q.pcap") else {
        return;
    };
    let rows = listing("sap-qinq.txt");
    assert_eq!(rows.len(), 2);
    for (n, c) in rows {
        let b = &frames[n - 1];
        let p = sap::Packet::new_checked(&b[..]).unwrap();
        let got = [
            p.version().to_string(),
            u8::from(p.ipv6()).to_string(),
            u8::from(p.is_deletion()).to_string(),
            u8::from(p.encrypted()).to_string(),
            u8::from(p.compressed()).to_string(),
            p.auth_len().to_string(),
            format!("{:#06x}", p.msg_id_hash()),
            p.originating_source().unwrap().to_string(),
            String::from_utf8_lossy(p.payload_type().unwrap()).into_owned(),
        ];
        assert_eq!(&got[..], &c[1..10], "frame {n}");
        let text = p.sdp().unwrap();
        sdp::Sdp::new_checked(text).unwrap();
        assert_eq!(sdp_columns(text), sdp_expected(&c[10..]), "frame {n}");
    }
}

fn check_sip(capture: &str, expected: &str) {
    let Some(frames) = payloads(capture) else {
        return;
    };
    let rows = listing(expected);
    assert!(!rows.is_empty());
    let mut with_sdp = 0;
    for (n, c) in &rows {
        let b = &frames[n - 1];
        assert!(sip::is_sip(b), "frame {n}");
        let m = sip::Message::parse(b).unwrap_or_else(|e| panic!("{expected} frame {n}: {e}"));
        let s = |v: Option<&[u8]>| {
            v.map(|x| String::from_utf8_lossy(x).into_owned())
                .unwrap_or_default()
        };
        let (method, uri, code) = match m.start_line() {
            sip::StartLine::Request { method, uri, .. } => {
                (s(Some(method)), s(Some(uri)), String::new())
            }
            sip::StartLine::Response { code, .. } => {
                (String::new(), String::new(), code.to_string())
            }
        };
        let got = [
            method,
            uri,
            code,
            s(m.call_id()),
            m.cseq().map(|(n, _)| n.to_string()).unwrap_or_default(),
            m.content_length()
                .map(|r| r.unwrap().to_string())
                .unwrap_or_default(),
            s(m.content_type()),
            s(m.user_agent()),
            s(m.server()),
        ];
        assert_eq!(&got[..], &c[1..10], "{expected} frame {n}");
        let body = m.body();
        assert!(!body.truncated, "{expected} frame {n}");
        if m.content_type() == Some(b"application/sdp") {
            with_sdp += 1;
            assert_eq!(
                sdp_columns(body.bytes),
                sdp_expected(&c[10..]),
                "{expected} frame {n}"
            );
        }
    }
    assert!(with_sdp > 0, "{expected}: no SDP body");
}

#[test]
fn sip_and_sdp_match_tshark() {
    for (capture, expected) in [
        ("ndpi/sip.pcap", "sip-sip.txt"),
        ("suricata/sdp.pcap", "sip-sdp.txt"),
        (
            "suricata/public-cloudshark-sip-s0.pcap",
            "sip-public-cloudshark-sip-s0.txt",
        ),
        ("rtppcap/sip-rtp-g729a.pcap", "sip-sip-rtp-g729a.txt"),
        ("rtppcap/sip-rtp-l16.pcap", "sip-sip-rtp-l16.txt"),
        (
            "ndpi/FAX-Call-t38-CA-TDM-SIP-FB-1.pcap",
            "sip-FAX-Call-t38-CA-TDM-SIP-FB-1.txt",
        ),
    ] {
        check_sip(capture, expected);
    }
}

fn check_dns(capture: &str, expected: &str) {
    let Some(frames) = payloads(capture) else {
        return;
    };
    let rows = listing(expected);
    assert!(!rows.is_empty());
    let mut buf = [0u8; dns::MAX_NAME_LEN + 2];
    let mut name = |n: dns::Name<'_>| {
        let s = n.write_to(&mut buf).unwrap();
        if s == b"." {
            "<Root>".to_string()
        } else {
            String::from_utf8_lossy(s).into_owned()
        }
    };
    let mut checked = 0;
    for (n, c) in &rows {
        let b = &frames[n - 1];
        if b.is_empty() {
            // PPPoE-framed (ndpi/dns.pcap 4-5): the frame decoder stops
            // below IP, so there is no payload to hand to the view.
            continue;
        }
        checked += 1;
        let m =
            dns::Message::new_checked(b).unwrap_or_else(|e| panic!("{expected} frame {n}: {e}"));
        m.check()
            .unwrap_or_else(|e| panic!("{expected} frame {n}: {e}"));
        let qs: Vec<_> = m.questions().map(|q| q.unwrap()).collect();
        let rs: Vec<_> = m.records().map(|r| r.unwrap()).collect();
        let (mut ptr, mut srv_port, mut srv_target, mut a, mut aaaa, mut txt) =
            (vec![], vec![], vec![], vec![], vec![], vec![]);
        for r in &rs {
            match r.data().unwrap() {
                dns::RData::Ptr(t) if r.rtype == dns::rtype::PTR => ptr.push(name(t)),
                dns::RData::Srv { port, target, .. } => {
                    srv_port.push(port.to_string());
                    srv_target.push(name(target));
                }
                dns::RData::A(x) => a.push(x.to_string()),
                dns::RData::Aaaa(x) => aaaa.push(x.to_string()),
                dns::RData::Txt(t) => {
                    txt.extend(t.map(|s| String::from_utf8_lossy(s).into_owned()))
                }
                _ => {}
            }
        }
        let join = |v: Vec<String>| v.join(";");
        let got = [
            u8::from(m.is_response()).to_string(),
            m.question_count().to_string(),
            m.answer_count().to_string(),
            m.authority_count().to_string(),
            m.additional_count().to_string(),
            join(qs.iter().map(|q| name(q.name)).collect()),
            join(qs.iter().map(|q| q.qtype.to_string()).collect()),
        ];
        assert_eq!(&got[..], &c[1..8], "{expected} frame {n}");
        let rdata = [
            join(ptr),
            join(srv_port),
            join(srv_target),
            join(a),
            join(aaaa),
            join(txt),
        ];
        assert_eq!(&rdata[..], &c[11..17], "{expected} frame {n}");
        // tshark's record columns have quirks: it leaves some SRV owner
        // names out of dns.resp.name, lists the NSEC type bitmap under
        // dns.resp.type and has no TTL for the OPT pseudo-record. Where
        // none of these are present the columns must be equal; otherwise
        // tshark's list must be a subsequence of ours (or ours of its
        // for the types).
        let names: Vec<String> = rs.iter().map(|r| name(r.name)).collect();
        let types: Vec<String> = rs.iter().map(|r| r.rtype.to_string()).collect();
        let ttls: Vec<String> = rs
            .iter()
            .filter(|r| r.rtype != dns::rtype::OPT)
            .map(|r| r.ttl.to_string())
            .collect();
        let has = |t: u16| rs.iter().any(|r| r.rtype == t);
        let split = |s: &str| -> Vec<String> {
            if s.is_empty() {
                vec![]
            } else {
                s.split(';').map(str::to_string).collect()
            }
        };
        if has(dns::rtype::SRV) {
            assert!(
                is_subsequence(&split(&c[8]), &names),
                "{expected} frame {n}"
            );
        } else {
            assert_eq!(names, split(&c[8]), "{expected} frame {n}");
        }
        if has(dns::rtype::NSEC) {
            assert!(
                is_subsequence(&types, &split(&c[9])),
                "{expected} frame {n}"
            );
        } else {
            assert_eq!(types, split(&c[9]), "{expected} frame {n}");
        }
        assert_eq!(ttls, split(&c[10]), "{expected} frame {n}");
    }
    assert!(
        checked * 2 > rows.len(),
        "{expected}: {checked} of {}",
        rows.len()
    );
}

fn is_subsequence(small: &[String], big: &[String]) -> bool {
    let mut it = big.iter();
    small.iter().all(|s| it.any(|b| b == s))
}

#[test]
fn dns_and_mdns_match_tshark() {
    for (capture, expected) in [
        ("zeek/mdns.pcap", "dns-mdns.txt"),
        ("ndpi/iphone.pcap", "dns-iphone.txt"),
        ("ndpi/dns.pcap", "dns-dns.txt"),
        ("zeek/wikipedia.pcap", "dns-wikipedia.txt"),
    ] {
        check_dns(capture, expected);
    }
}

#[test]
fn stun_matches_tshark_and_is_not_rtp() {
    for (capture, expected) in [
        ("zeek/webrtc-stun.pcap", "stun-webrtc-stun.txt"),
        ("ndpi/stun.pcap", "stun-stun.txt"),
    ] {
        let Some(frames) = payloads(capture) else {
            return;
        };
        let rows = listing(expected);
        let mut checked = 0;
        for (n, c) in &rows {
            let b = &frames[n - 1];
            if b.is_empty() {
                continue; // not decoded to UDP by the frame decoder
            }
            checked += 1;
            if c[1].is_empty() {
                // TURN ChannelData (RFC 5766 §11.4), first octet 0x40-0x4F.
                assert!((0x40..=0x4f).contains(&b[0]) && !stun::is_stun(b));
                continue;
            }
            let p = stun::Packet::new_checked(&b[..])
                .unwrap_or_else(|e| panic!("{expected} frame {n}: {e}"));
            let class = match p.class() {
                stun::Class::Request => 0x00,
                stun::Class::Indication => 0x01,
                stun::Class::SuccessResponse => 0x10,
                stun::Class::ErrorResponse => 0x11,
            };
            let id: String = p
                .transaction_id()
                .iter()
                .map(|x| format!("{x:02x}"))
                .collect();
            let got = [
                format!("{:#06x}", p.method()),
                format!("{class:#06x}"),
                p.message_length().to_string(),
                id,
            ];
            assert_eq!(&got[..], &c[1..5], "{expected} frame {n}");
            assert!(!rtp::is_plausible(b), "{expected} frame {n}");
        }
        assert!(
            checked * 2 > rows.len(),
            "{expected}: {checked} of {}",
            rows.len()
        );
    }
}

//! Real captures written by other projects, decoded and compared with what
//! peer tools (tcpdump, Zeek, tshark) recorded about them. The corpus lives
//! outside the repository; each test is skipped with a message when it is
//! absent.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;

use portmatrix_wire::{
    decode, decode_with, decode_with_orig_len, DecodeOptions, IgmpFacts, IgmpMessage, LinkType,
    Net, PacketFacts, Transport,
};

/// The shared corpus folder, beside the repository.
fn corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if dir.join("MANIFEST.tsv").is_file() {
        Some(dir)
    } else {
        eprintln!("skipping: corpus not found at {}", dir.display());
        None
    }
}

/// One record of a classic pcap file.
pub struct Rec {
    /// Timestamp in microseconds since the epoch.
    pub ts_us: i64,
    pub data: Vec<u8>,
    pub orig_len: u32,
}

/// A minimal classic-pcap reader (the four magic variants), enough to feed
/// the decoder in tests; the capture crate owns the real one.
pub fn read_pcap(bytes: &[u8]) -> (LinkType, Vec<Rec>) {
    let magic = u32::from_le_bytes(bytes[0..4].try_into().unwrap());
    let (le, nanos) = match magic {
        0xa1b2_c3d4 => (true, false),
        0xa1b2_3c4d => (true, true),
        0xd4c3_b2a1 => (false, false),
        0x4d3c_b2a1 => (false, true),
        m => panic!("not a classic pcap file: magic {m:#x}"),
    };
    let u32_at = |b: &[u8], o: usize| {
        let a: [u8; 4] = b[o..o + 4].try_into().unwrap();
        if le {
            u32::from_le_bytes(a)
        } else {
            u32::from_be_bytes(a)
        }
    };
    let link = LinkType((u32_at(bytes, 20) & 0xffff) as u16);
    let mut recs = Vec::new();
    let mut at = 24;
    while at + 16 <= bytes.len() {
        let sec = i64::from(u32_at(bytes, at));
        let frac = i64::from(u32_at(bytes, at + 4));
        let caplen = u32_at(bytes, at + 8) as usize;
        let orig_len = u32_at(bytes, at + 12);
        let start = at + 16;
        if start + caplen > bytes.len() {
            break;
        }
        recs.push(Rec {
            ts_us: sec * 1_000_000 + if nanos { frac / 1000 } else { frac },
            data: bytes[start..start + caplen].to_vec(),
            orig_len,
        });
        at = start + caplen;
    }
    (link, recs)
}

fn load(dir: &std::path::Path, rel: &str) -> (LinkType, Vec<Rec>) {
    let bytes = std::fs::read(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    read_pcap(&bytes)
}

fn read_text(dir: &std::path::Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Frames per protocol name among the network-layer nodes of a tshark
/// protocol hierarchy (the first `ip` / `ipv6` / `arp` under the link
/// headers and VLAN tags) and among their direct children.
#[derive(Debug, Default, PartialEq, Eq)]
struct Hierarchy {
    l3: BTreeMap<String, u64>,
    l4: BTreeMap<String, u64>,
}

fn parse_phs(text: &str) -> Hierarchy {
    const LINK: &[&str] = &["eth", "sll", "null", "loop", "raw", "vlan"];
    let mut h = Hierarchy::default();
    // (depth, name) of the current path.
    let mut path: Vec<(usize, String)> = Vec::new();
    for line in text.lines() {
        let Some(pos) = line.find("frames:") else {
            continue;
        };
        let depth = line.len() - line.trim_start().len();
        let name = line.split_whitespace().next().unwrap().to_string();
        let frames: u64 = line[pos + 7..]
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        while path.last().is_some_and(|(d, _)| *d >= depth) {
            path.pop();
        }
        let above: Vec<&str> = path.iter().map(|(_, n)| n.as_str()).collect();
        if matches!(name.as_str(), "ip" | "ipv6" | "arp") && above.iter().all(|n| LINK.contains(n))
        {
            *h.l3.entry(name.clone()).or_default() += frames;
        }
        if let Some((last, rest)) = above.split_last() {
            if matches!(*last, "ip" | "ipv6") && rest.iter().all(|n| LINK.contains(n)) {
                *h.l4.entry(name.clone()).or_default() += frames;
            }
        }
        path.push((depth, name));
    }
    h
}

/// Our counts in tshark's vocabulary. The top level of tshark's hierarchy
/// is the outermost packet, so tunnels are left in place (`--no-decap`).
fn ours(link: LinkType, recs: &[Rec]) -> (Hierarchy, u64) {
    let mut h = Hierarchy::default();
    let mut fragments = 0;
    for r in recs {
        let d = decode_with(link, &r.data, None, DecodeOptions::NO_DECAP);
        let l3 = match d.l3_name() {
            Some("ipv4") => "ip",
            Some(n @ ("ipv6" | "arp")) => n,
            _ => continue,
        };
        *h.l3.entry(l3.to_string()).or_default() += 1;
        let l4 = match d.l4_name() {
            Some("mld") => "icmpv6",
            Some(n @ ("tcp" | "udp" | "icmp" | "icmpv6" | "igmp")) => n,
            Some("fragment") => {
                fragments += 1;
                continue;
            }
            _ => continue,
        };
        *h.l4.entry(l4.to_string()).or_default() += 1;
    }
    (h, fragments)
}

/// Every classic-pcap capture of the corpus: the frames per network and
/// transport protocol agree with tshark's protocol hierarchy. Transport
/// counts are compared where tshark's view is frame by frame: not for
/// captures with IP fragments (tshark reassembles) nor for the
/// Wireshark-fuzzed capture, whose damaged headers tshark and this crate
/// classify differently.
#[test]
fn protocol_counts_match_tshark_hierarchy() {
    let Some(dir) = corpus() else { return };
    let manifest = read_text(&dir, "MANIFEST.tsv");
    let mut compared = 0;
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        let (id, format, path) = (cols[0], cols[7], cols[14]);
        let phs = dir.join(format!("tshark/{id}.phs.txt"));
        if format != "pcap" || !phs.is_file() {
            continue;
        }
        let bytes = std::fs::read(dir.join(path)).unwrap();
        if bytes.len() < 24 {
            continue;
        }
        let (link, recs) = read_pcap(&bytes);
        let theirs = parse_phs(&std::fs::read_to_string(&phs).unwrap());
        let (mine, fragments) = ours(link, &recs);
        if id == "C043" {
            continue;
        }
        assert_eq!(mine.l3, theirs.l3, "{id} {path}: network layer");
        if fragments == 0 {
            let mut want = theirs.l4.clone();
            want.retain(|k, _| matches!(k.as_str(), "tcp" | "udp" | "icmp" | "icmpv6" | "igmp"));
            assert_eq!(mine.l4, want, "{id} {path}: transport layer");
        }
        compared += 1;
    }
    assert!(compared > 60, "only {compared} captures compared");
}

/// Every frame of every classic-pcap capture: decoding stops inside the
/// frame, the payload lies inside it, and only frames the capture cut are
/// flagged truncated.
#[test]
fn corpus_frames_decode_within_bounds() {
    let Some(dir) = corpus() else { return };
    let manifest = read_text(&dir, "MANIFEST.tsv");
    for line in manifest.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols[7] != "pcap" {
            continue;
        }
        let bytes = std::fs::read(dir.join(cols[14])).unwrap();
        if bytes.len() < 24 {
            continue;
        }
        let (link, recs) = read_pcap(&bytes);
        for r in &recs {
            let d = decode_with_orig_len(link, &r.data, r.orig_len as usize);
            if let Some(e) = d.error {
                assert!(e.offset <= r.data.len(), "{}: {e}", cols[0]);
            }
            assert!(d.payload_offset + d.payload.len() <= r.data.len());
            // Truncation is claimed only where the capture cut the frame.
            if d.truncated {
                assert!(r.data.len() < r.orig_len as usize, "{}", cols[0]);
            }
        }
    }
}

fn igmp<'a>(d: &PacketFacts<'a>) -> IgmpFacts<'a> {
    match d.transport {
        Transport::Igmp(g) => g,
        other => panic!("not igmp: {other:?}"),
    }
}

/// tcpdump's expected print-outs of its IGMP tests: source, destination,
/// message and group of every packet.
#[test]
fn igmp_messages_match_tcpdump() {
    let Some(dir) = corpus() else { return };
    for (pcap, out) in [
        ("files/tcpdump/IGMP_V1.pcap", "expected/tcpdump/igmpv1.out"),
        ("files/tcpdump/IGMP_V2.pcap", "expected/tcpdump/igmpv2.out"),
        (
            "files/tcpdump/igmpv3-queries.pcap",
            "expected/tcpdump/igmpv3-queries.out",
        ),
    ] {
        let (link, recs) = load(&dir, pcap);
        let text = read_text(&dir, out);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), recs.len(), "{out}");
        for (r, line) in recs.iter().zip(lines) {
            // "   N  date time IP SRC > DST: igmp WHAT..."
            let rest = &line[line.find(" IP ").unwrap() + 4..];
            let (addrs, what) = rest.split_once(": igmp ").unwrap();
            let (src, dst) = addrs.split_once(" > ").unwrap();
            let d = decode(link, &r.data);
            assert_eq!(d.error, None, "{line}");
            assert_eq!(d.src_ip(), Some(src.parse::<IpAddr>().unwrap()), "{line}");
            assert_eq!(d.dst_ip(), Some(dst.parse::<IpAddr>().unwrap()), "{line}");
            let g = igmp(&d);
            let gaddr = what
                .split_once("[gaddr ")
                .map(|(_, a)| a.trim_end_matches(']').parse::<Ipv4Addr>().unwrap());
            let (kind, group) = if let Some(v) = what.strip_prefix("query v") {
                let kind = match &v[..1] {
                    "1" => IgmpMessage::QueryV1,
                    "2" => IgmpMessage::QueryV2,
                    "3" => IgmpMessage::QueryV3,
                    other => panic!("{other}"),
                };
                (kind, gaddr.unwrap_or(Ipv4Addr::UNSPECIFIED))
            } else if let Some(a) = what.strip_prefix("v1 report ") {
                (IgmpMessage::ReportV1, a.parse().unwrap())
            } else if let Some(a) = what.strip_prefix("v2 report ") {
                (IgmpMessage::ReportV2, a.parse().unwrap())
            } else if let Some(a) = what.strip_prefix("leave ") {
                (IgmpMessage::LeaveGroup, a.parse().unwrap())
            } else {
                panic!("unexpected tcpdump line {line}")
            };
            assert_eq!((g.message, g.group_address), (kind, group), "{line}");
        }
    }
}

/// Zeek's IGMP test baseline: layer-2, IPv4 and IGMP fields of every
/// packet, and the group records of v3 reports, matched by timestamp.
#[test]
fn igmp_packets_match_zeek_baseline() {
    let Some(dir) = corpus() else { return };
    let (link, recs) = load(&dir, "files/zeek/igmp.pcap");
    let text = read_text(
        &dir,
        "expected/zeek/igmp__igmp.pcap/scripts.base.protocols.igmp.basic/out",
    );
    let ts_us = |s: &str| -> i64 { (s.parse::<f64>().unwrap() * 1e6).round() as i64 };
    // The value of `key=` where the key starts a record item (after `[` or `, `).
    let field = |line: &str, key: &str| -> String {
        let at = [format!("[{key}="), format!(" {key}=")]
            .iter()
            .filter_map(|k| line.find(k.as_str()))
            .min()
            .unwrap_or_else(|| panic!("{key} in {line}"));
        line[at + key.len() + 2..]
            .split([',', ']'])
            .next()
            .unwrap()
            .trim()
            .to_string()
    };
    let mac = |m: [u8; 6]| {
        m.iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .join(":")
    };
    let mut matched = 0;
    for r in &recs {
        let d = decode(link, &r.data);
        assert_eq!(d.error, None);
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| {
                l.split(", ")
                    .next()
                    .is_some_and(|t| t.parse::<f64>().is_ok())
            })
            .filter(|l| (ts_us(l.split(", ").next().unwrap()) - r.ts_us).abs() <= 1)
            .collect();
        let msg = lines
            .iter()
            .find(|l| l.contains("IGMP::message"))
            .expect("zeek saw every packet");
        assert_eq!(field(msg, "src"), mac(d.src_mac.unwrap()));
        assert_eq!(field(msg, "dst"), mac(d.dst_mac.unwrap()));
        let Net::Ipv4(ip) = d.net else { panic!() };
        // The IPv4 record follows the layer-2 one, which also has src, dst and len.
        let msg = &msg[msg.find("ip=[").unwrap()..];
        assert_eq!(field(msg, "src"), ip.source_address.to_string());
        assert_eq!(field(msg, "dst"), ip.destination_address.to_string());
        assert_eq!(field(msg, "hl"), ip.header_len().to_string());
        assert_eq!(
            field(msg, "tos"),
            (u32::from(ip.dscp) << 2 | u32::from(ip.ecn)).to_string()
        );
        assert_eq!(field(msg, "len"), ip.total_length.to_string());
        assert_eq!(field(msg, "id"), ip.identification.to_string());
        assert_eq!(field(msg, "DF") == "T", ip.dont_fragment);
        assert_eq!(field(msg, "MF") == "T", ip.more_fragments);
        assert_eq!(field(msg, "ttl"), ip.time_to_live.to_string());
        assert_eq!(field(msg, "p"), ip.protocol.to_string());
        assert_eq!(field(msg, "sum"), ip.header_checksum.to_string());
        let kind = msg.rsplit("IGMP::").next().unwrap().trim();
        let Transport::Igmp(g) = d.transport else {
            panic!()
        };
        let want = match kind {
            "MEMBERSHIP_QUERY" => g.message.is_query(),
            "MEMBERSHIP_REPORT_V1" => g.message == IgmpMessage::ReportV1,
            "MEMBERSHIP_REPORT_V2" => g.message == IgmpMessage::ReportV2,
            "MEMBERSHIP_REPORT_V3" => g.message == IgmpMessage::ReportV3,
            "LEAVE_GROUP" => g.message == IgmpMessage::LeaveGroup,
            other => panic!("zeek kind {other}"),
        };
        assert!(want, "{kind} decoded as {:?}", g.message);
        if let Some(ev) = lines
            .iter()
            .find(|l| l.contains("IGMP::membership_report_v3"))
        {
            let recs: Vec<_> = g.records.map(Result::unwrap).collect();
            let zeek_recs: Vec<&str> = ev.split("[group_type=").skip(1).collect();
            assert_eq!(recs.len(), zeek_recs.len());
            for (ours, z) in recs.iter().zip(zeek_recs) {
                let ty = z.split(',').next().unwrap().trim_start_matches("IGMP::");
                assert_eq!(ours.record_type.name(), Some(ty));
                assert_eq!(field(z, "aux_data_len"), ours.aux_data_len.to_string());
                assert_eq!(field(z, "num_sources"), ours.number_of_sources.to_string());
                assert_eq!(
                    field(z, "multicast_addr"),
                    ours.multicast_address.to_string()
                );
            }
            assert_eq!(
                ev.split(", ").nth(2),
                Some(ip.source_address.to_string().as_str())
            );
        }
        for ev in lines
            .iter()
            .filter(|l| l.contains("IGMP::membership_report_v2") || l.contains("IGMP::leave_group"))
        {
            assert_eq!(
                ev.split(", ").nth(3),
                Some(g.group_address.to_string().as_str())
            );
        }
        matched += 1;
    }
    assert_eq!(matched, 12);
}

/// Zeek's conn.log with VLAN logging for a QinQ capture: every UDP flow
/// with its outer and inner VLAN id and its packet count.
#[test]
fn qinq_flows_match_zeek_conn_log() {
    let Some(dir) = corpus() else { return };
    let (link, recs) = load(&dir, "files/zeek/q-in-q.pcap");
    let log = read_text(
        &dir,
        "expected/zeek/q-in-q.pcap/scripts.policy.protocols.conn.vlan-logging/conn.log",
    );
    let fields: Vec<&str> = log
        .lines()
        .find_map(|l| l.strip_prefix("#fields\t"))
        .unwrap()
        .split('\t')
        .collect();
    let col = |name: &str| fields.iter().position(|f| *f == name).unwrap();
    let mut seen: BTreeMap<(String, u16, String, u16, u16, u16), u64> = BTreeMap::new();
    for r in &recs {
        let d = decode(link, &r.data);
        assert_eq!(d.error, None);
        if let (Some(u), Some(src), Some(dst)) = (d.udp(), d.src_ip(), d.dst_ip()) {
            let key = (
                src.to_string(),
                u.source_port,
                dst.to_string(),
                u.destination_port,
                d.vlans.outer().unwrap(),
                d.vlans.inner().unwrap(),
            );
            *seen.entry(key).or_default() += 1;
        }
    }
    let mut want = BTreeMap::new();
    for l in log.lines().filter(|l| !l.starts_with('#')) {
        let c: Vec<&str> = l.split('\t').collect();
        assert_eq!(c[col("proto")], "udp");
        let key = (
            c[col("id.orig_h")].to_string(),
            c[col("id.orig_p")].parse().unwrap(),
            c[col("id.resp_h")].to_string(),
            c[col("id.resp_p")].parse().unwrap(),
            c[col("vlan")].parse().unwrap(),
            c[col("inner_vlan")].parse().unwrap(),
        );
        let pkts: u64 = c[col("orig_pkts")].parse::<u64>().unwrap()
            + c[col("resp_pkts")].parse::<u64>().unwrap();
        want.insert(key, pkts);
    }
    assert_eq!(seen, want);
}

/// Zeek's Linux SLL2 test: ICMP echo type, code, length and TTL for IPv4
/// and IPv6, and the ARP request's addresses.
#[test]
fn linux_sll2_matches_zeek_events() {
    let Some(dir) = corpus() else { return };
    let (link, recs) = load(&dir, "files/zeek/linux_dlt_sll2.pcap");
    assert_eq!(link, LinkType::LINUX_SLL2);
    let out = read_text(
        &dir,
        "expected/zeek/linux_dlt_sll2.pcap/core.linuxsll2/.stdout",
    );
    let mut echo_lines = out.lines().filter(|l| l.contains("itype="));
    let mut arp_lines = out.lines().filter(|l| l.matches(", ").count() == 5);
    for r in &recs {
        let d = decode(link, &r.data);
        assert_eq!(d.error, None);
        match (&d.net, d.icmp()) {
            (Net::Arp(a), None) if a.operation == 1 => {
                // print mac_src, mac_dst, SPA, SHA, TPA, THA
                let want: Vec<&str> = arp_lines.next().unwrap().split(", ").collect();
                let mac = |m: [u8; 6]| {
                    m.iter()
                        .map(|b| format!("{b:02x}"))
                        .collect::<Vec<_>>()
                        .join(":")
                };
                assert_eq!(want[0], mac(d.src_mac.unwrap()));
                assert_eq!(want[2], a.sender_protocol_address.unwrap().to_string());
                assert_eq!(want[3], mac(a.sender_hardware_address.unwrap()));
                assert_eq!(want[4], a.target_protocol_address.unwrap().to_string());
                assert_eq!(want[5], mac(a.target_hardware_address.unwrap()));
            }
            (Net::Arp(a), None) => assert_eq!(a.operation, 3), // RARP request, no zeek event
            (net, Some(i)) => {
                let line = echo_lines.next().unwrap();
                let info = &line[line.find("[v6=").unwrap()..];
                let (v6, ttl) = match net {
                    Net::Ipv4(h) => ("F", h.time_to_live),
                    Net::Ipv6(h) => ("T", h.hop_limit),
                    other => panic!("{other:?}"),
                };
                // icmp_info: len is the ICMP message length after its 8-octet header.
                let len = r.data.len() - d.transport_offset - 8;
                let want = format!(
                    "[v6={v6}, itype={}, icode={}, len={len}, ttl={ttl}]",
                    i.icmp_type, i.code
                );
                assert!(info.starts_with(&want), "{info} vs {want}");
                // The trailing "id, seq" printed by the event.
                let tail: Vec<&str> = line.rsplit(", ").take(2).collect();
                assert_eq!(
                    tail,
                    [i.sequence_number().to_string(), i.identifier().to_string()]
                );
            }
            (net, _) => panic!("{net:?}"),
        }
    }
    assert!(echo_lines.next().is_none() && arp_lines.next().is_none());
}

/// Zeek's ICMP event baseline: the unreachable and time-exceeded messages
/// name the flow of the packet they quote.
#[test]
fn icmp_quotes_match_zeek_context() {
    let Some(dir) = corpus() else { return };
    let out = read_text(
        &dir,
        "expected/zeek/icmp__icmp-timeexceeded.pcap/core.icmp.icmp-events/output",
    );
    for (pcap, event) in [
        ("files/zeek/icmp-destunreach-udp.pcap", "icmp_unreachable"),
        ("files/zeek/icmp-timeexceeded.pcap", "icmp_time_exceeded"),
    ] {
        let (link, recs) = load(&dir, pcap);
        assert_eq!(recs.len(), 1);
        let d = decode(link, &recs[0].data);
        assert_eq!(d.error, None);
        let i = d.icmp().unwrap();
        let block: Vec<&str> = out
            .lines()
            .skip_while(|l| !l.starts_with(event))
            .take(4)
            .collect();
        let info = block[2];
        assert!(
            info.contains(&format!("itype={}, icode={}", i.icmp_type, i.code)),
            "{info}"
        );
        let Net::Ipv4(outer) = d.net else { panic!() };
        assert!(info.contains(&format!("ttl={}]", outer.time_to_live)));
        let conn = block[1];
        assert!(
            conn.contains(&format!("orig_h={},", outer.source_address)),
            "{conn}"
        );
        assert!(conn.contains(&format!("resp_h={},", outer.destination_address)));
        let q = i.quoted.unwrap();
        let (sp, dp) = q.ports.unwrap();
        let ctx = block[3];
        let want = format!(
            "id=[orig_h={}, orig_p={sp}/udp, resp_h={}, resp_p={dp}/udp",
            q.source_address, q.destination_address
        );
        assert!(ctx.contains(&want), "{ctx} vs {want}");
        assert_eq!(q.protocol, 17);
    }
}

/// tcpdump -v print-out of host-unreachable messages: the quoted echo
/// request's addresses and IPv4 identification.
#[test]
fn icmp_host_unreachable_quotes_match_tcpdump() {
    let Some(dir) = corpus() else { return };
    let (link, recs) = load(&dir, "files/tcpdump/dhcp-rfc4388.pcap");
    let out = read_text(&dir, "expected/tcpdump/dhcp-rfc4388.out");
    let lines: Vec<&str> = out.lines().collect();
    let mut checked = 0;
    for (i, l) in lines.iter().enumerate() {
        if !l.contains(": ICMP host ") {
            continue;
        }
        // The packet number heads the block two lines up ("   6  2019-...").
        let n: usize = lines[i - 1]
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let d = decode(link, &recs[n - 1].data);
        assert_eq!(d.error, None);
        let icmp = d.icmp().unwrap();
        assert_eq!((icmp.icmp_type, icmp.code), (3, 1));
        let (outer, _) = l.trim().split_once(": ").unwrap();
        let (src, dst) = outer.split_once(" > ").unwrap();
        assert_eq!(d.src_ip(), Some(src.parse().unwrap()));
        assert_eq!(d.dst_ip(), Some(dst.parse().unwrap()));
        let inner_ip = lines[i + 1];
        let id: u16 = inner_ip
            .split("id ")
            .nth(1)
            .unwrap()
            .split(',')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let (isrc, rest) = lines[i + 2].trim().split_once(" > ").unwrap();
        let idst = rest.split(':').next().unwrap();
        let q = icmp.quoted.unwrap();
        assert_eq!(q.identification, Some(id));
        assert_eq!(q.source_address, isrc.parse::<IpAddr>().unwrap());
        assert_eq!(q.destination_address, idst.parse::<IpAddr>().unwrap());
        assert_eq!((q.protocol, q.ports), (1, None));
        checked += 1;
    }
    assert_eq!(checked, 3);
}

/// tcpdump on a LINKTYPE_IPV4 capture.
#[test]
fn linktype_ipv4_matches_tcpdump() {
    let Some(dir) = corpus() else { return };
    let (link, recs) = load(&dir, "files/tcpdump/LINKTYPE_IPV4.pcap");
    assert_eq!(link, LinkType::IPV4);
    let out = read_text(&dir, "expected/tcpdump/LINKTYPE_IPV4.out");
    // "... IP 192.168.1.100.12345 > 9.9.9.9.53: ..."
    let flow = out.split(" IP ").nth(1).unwrap().split(':').next().unwrap();
    let (a, b) = flow.split_once(" > ").unwrap();
    let split = |s: &str| {
        let (ip, port) = s.rsplit_once('.').unwrap();
        (ip.parse::<IpAddr>().unwrap(), port.parse::<u16>().unwrap())
    };
    let ((sa, sp), (da, dp)) = (split(a), split(b));
    let d = decode(link, &recs[0].data);
    assert_eq!(d.error, None);
    assert_eq!(
        (d.src_ip(), d.dst_ip(), d.ports()),
        (Some(sa), Some(da), Some((sp, dp)))
    );
    assert_eq!(d.l4_name(), Some("udp"));
}

/// Zeek's truncation test capture: an IPv4 header cut short is reported at
/// the IPv4 layer (Zeek: "truncated_IP").
#[test]
fn truncated_ipv4_header_is_reported() {
    let Some(dir) = corpus() else { return };
    let out = read_text(
        &dir,
        "expected/zeek/trunc__ip4-trunc.pcap/core.truncation/output",
    );
    assert!(out.contains("truncated_IP"), "baseline names the weird");
    let (link, recs) = load(&dir, "files/zeek/ip4-trunc.pcap");
    let d = decode(link, &recs[0].data);
    let e = d.error.unwrap();
    assert_eq!((e.layer.name(), e.offset), ("ipv4", 14));
    assert!(e.is_truncation());
}

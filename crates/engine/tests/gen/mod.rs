//! Test traffic written byte by byte from the protocol layouts (RFC 791,
//! 8200, 793, 768, 792, 4443, IEEE 802.1Q/802.1ad) and the pcap file format,
//! without the project's own parsers or writers, plus the shared analysis
//! runner of these tests.

use std::net::IpAddr;
use std::sync::OnceLock;

use portmatrix_capture::CaptureReader;
use portmatrix_engine::{Analysis, FlowConfig, FlowRecord, InputReport, Options, PortSet};
use portmatrix_rules::{Matcher, RuleSet, Site};

/// TCP flag bits.
pub const FIN: u8 = 0x01;
pub const SYN: u8 = 0x02;
pub const RST: u8 = 0x04;
pub const PSH: u8 = 0x08;
pub const ACK: u8 = 0x10;

/// A classic pcap file being written: little-endian, nanosecond
/// timestamps (magic A1B23C4D), version 2.4, snaplen 262144.
pub struct Pcap {
    bytes: Vec<u8>,
}

impl Pcap {
    pub fn new(link_type: u32) -> Pcap {
        let mut bytes = Vec::with_capacity(1 << 16);
        bytes.extend_from_slice(&0xa1b2_3c4d_u32.to_le_bytes());
        bytes.extend_from_slice(&2u16.to_le_bytes());
        bytes.extend_from_slice(&4u16.to_le_bytes());
        bytes.extend_from_slice(&0i32.to_le_bytes()); // thiszone
        bytes.extend_from_slice(&0u32.to_le_bytes()); // sigfigs
        bytes.extend_from_slice(&262_144u32.to_le_bytes());
        bytes.extend_from_slice(&link_type.to_le_bytes());
        Pcap { bytes }
    }

    /// Appends one record (captured length = original length).
    pub fn add(&mut self, ts_ns: i64, frame: &[u8]) {
        let ts = ts_ns as u64;
        self.bytes
            .extend_from_slice(&((ts / 1_000_000_000) as u32).to_le_bytes());
        self.bytes
            .extend_from_slice(&((ts % 1_000_000_000) as u32).to_le_bytes());
        let len = frame.len() as u32;
        self.bytes.extend_from_slice(&len.to_le_bytes());
        self.bytes.extend_from_slice(&len.to_le_bytes());
        self.bytes.extend_from_slice(frame);
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

/// Transport part of a generated packet.
#[derive(Clone, Debug)]
pub enum L4 {
    Tcp {
        sport: u16,
        dport: u16,
        seq: u32,
        ack: u32,
        flags: u8,
        payload: usize,
    },
    Udp {
        sport: u16,
        dport: u16,
        payload: usize,
    },
    /// ICMP / ICMPv6 echo request or reply.
    Echo { reply: bool, id: u16, seq: u16 },
    /// ICMP / ICMPv6 error quoting the first 28 (IPv4) or 48 (IPv6) octets
    /// of `quoted`'s IP packet, as routers do.
    Error {
        icmp_type: u8,
        code: u8,
        quoted: Box<Pkt>,
    },
}

/// One packet: VLAN ids (outer first; two = 802.1ad outside 802.1Q),
/// addresses (same family) and transport.
#[derive(Clone, Debug)]
pub struct Pkt {
    pub vlans: Vec<u16>,
    pub src: IpAddr,
    pub dst: IpAddr,
    pub l4: L4,
}

/// A locally administered MAC address derived from an IP address, so every
/// host keeps one MAC.
pub fn mac_of(ip: IpAddr) -> [u8; 6] {
    let o = match ip {
        IpAddr::V4(a) => a.octets(),
        IpAddr::V6(a) => {
            let s = a.octets();
            [s[12], s[13], s[14], s[15]]
        }
    };
    [0x02, 0x00, o[0], o[1], o[2], o[3]]
}

fn dst_mac(ip: IpAddr) -> [u8; 6] {
    match ip {
        IpAddr::V4(a) if a.is_broadcast() => [0xff; 6],
        IpAddr::V4(a) if a.is_multicast() => {
            let o = a.octets();
            [0x01, 0x00, 0x5e, o[1] & 0x7f, o[2], o[3]]
        }
        IpAddr::V6(a) if a.is_multicast() => {
            let o = a.octets();
            [0x33, 0x33, o[12], o[13], o[14], o[15]]
        }
        _ => mac_of(ip),
    }
}

/// Internet checksum (RFC 1071) of `data`.
pub fn checksum(data: &[u8]) -> u16 {
    let mut sum = 0u32;
    for c in data.chunks(2) {
        let w = u16::from_be_bytes([c[0], *c.get(1).unwrap_or(&0)]);
        sum += u32::from(w);
    }
    while sum > 0xffff {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    !(sum as u16)
}

fn transport_bytes(p: &Pkt) -> (u8, Vec<u8>) {
    let v6 = p.src.is_ipv6();
    match &p.l4 {
        L4::Tcp {
            sport,
            dport,
            seq,
            ack,
            flags,
            payload,
        } => {
            let mut b = Vec::with_capacity(20 + payload);
            b.extend_from_slice(&sport.to_be_bytes());
            b.extend_from_slice(&dport.to_be_bytes());
            b.extend_from_slice(&seq.to_be_bytes());
            b.extend_from_slice(&ack.to_be_bytes());
            b.push(5 << 4);
            b.push(*flags);
            b.extend_from_slice(&65535u16.to_be_bytes());
            b.extend_from_slice(&[0, 0, 0, 0]); // checksum (unchecked), urgent
            b.extend((0..*payload).map(|i| i as u8));
            (6, b)
        }
        L4::Udp {
            sport,
            dport,
            payload,
        } => {
            let mut b = Vec::with_capacity(8 + payload);
            b.extend_from_slice(&sport.to_be_bytes());
            b.extend_from_slice(&dport.to_be_bytes());
            b.extend_from_slice(&((8 + payload) as u16).to_be_bytes());
            b.extend_from_slice(&[0, 0]);
            b.extend((0..*payload).map(|i| (i as u8) ^ 0x5a));
            (17, b)
        }
        L4::Echo { reply, id, seq } => {
            let t = match (v6, reply) {
                (false, false) => 8,
                (false, true) => 0,
                (true, false) => 128,
                (true, true) => 129,
            };
            let mut b = vec![t, 0, 0, 0];
            b.extend_from_slice(&id.to_be_bytes());
            b.extend_from_slice(&seq.to_be_bytes());
            b.extend_from_slice(b"0123456789abcdef");
            finish_icmp(v6, b)
        }
        L4::Error {
            icmp_type,
            code,
            quoted,
        } => {
            let inner = ip_packet(quoted);
            let keep = if v6 { 48 } else { 28 };
            let mut b = vec![*icmp_type, *code, 0, 0, 0, 0, 0, 0];
            b.extend_from_slice(&inner[..inner.len().min(keep)]);
            finish_icmp(v6, b)
        }
    }
}

fn finish_icmp(v6: bool, mut b: Vec<u8>) -> (u8, Vec<u8>) {
    if v6 {
        (58, b) // the ICMPv6 checksum covers a pseudo-header; left 0 (unchecked)
    } else {
        let c = checksum(&b);
        b[2..4].copy_from_slice(&c.to_be_bytes());
        (1, b)
    }
}

/// The IP packet (header and transport) of `p`.
pub fn ip_packet(p: &Pkt) -> Vec<u8> {
    let (proto, l4) = transport_bytes(p);
    match (p.src, p.dst) {
        (IpAddr::V4(s), IpAddr::V4(d)) => {
            let total = 20 + l4.len();
            let mut h = vec![0x45, 0];
            h.extend_from_slice(&(total as u16).to_be_bytes());
            h.extend_from_slice(&[0x12, 0x34, 0x40, 0x00, 64, proto, 0, 0]);
            h.extend_from_slice(&s.octets());
            h.extend_from_slice(&d.octets());
            let c = checksum(&h);
            h[10..12].copy_from_slice(&c.to_be_bytes());
            h.extend_from_slice(&l4);
            h
        }
        (IpAddr::V6(s), IpAddr::V6(d)) => {
            let mut h = vec![0x60, 0, 0, 0];
            h.extend_from_slice(&(l4.len() as u16).to_be_bytes());
            h.push(proto);
            h.push(64);
            h.extend_from_slice(&s.octets());
            h.extend_from_slice(&d.octets());
            h.extend_from_slice(&l4);
            h
        }
        _ => panic!("mixed address families in {p:?}"),
    }
}

/// The Ethernet frame of `p`: one VLAN id is an 802.1Q tag, two are an
/// 802.1ad service tag outside an 802.1Q customer tag.
pub fn frame(p: &Pkt) -> Vec<u8> {
    let ip = ip_packet(p);
    let mut f = Vec::with_capacity(14 + 8 + ip.len());
    f.extend_from_slice(&dst_mac(p.dst));
    f.extend_from_slice(&mac_of(p.src));
    let tpids: &[u16] = match p.vlans.len() {
        0 => &[],
        1 => &[0x8100],
        _ => &[0x88a8, 0x8100],
    };
    for (tpid, vid) in tpids.iter().zip(&p.vlans) {
        f.extend_from_slice(&tpid.to_be_bytes());
        f.extend_from_slice(&(vid & 0x0fff).to_be_bytes());
    }
    f.extend_from_slice(&(if p.src.is_ipv6() { 0x86ddu16 } else { 0x0800 }).to_be_bytes());
    f.extend_from_slice(&ip);
    f
}

/// The built-in rules, compiled once per test binary.
pub fn matcher() -> &'static Matcher {
    static M: OnceLock<Matcher> = OnceLock::new();
    M.get_or_init(|| Matcher::new(&RuleSet::builtin().expect("the built-in rules load")))
}

/// The demo room's inventory (`fixtures/demo/site.toml`) over the built-in rules.
pub fn demo_site() -> &'static Site {
    static S: OnceLock<Site> = OnceLock::new();
    S.get_or_init(|| {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/demo/site.toml");
        Site::load(&path, matcher().rule_set()).expect("the demo site loads")
    })
}

/// The service ports of the built-in rules, computed once.
pub fn services() -> &'static PortSet {
    static P: OnceLock<PortSet> = OnceLock::new();
    P.get_or_init(|| PortSet::from_rules(matcher().rule_set()))
}

/// Analysis options as `portmatrix check` sets them, with `shards` shards.
pub fn options(max_flows: usize, shards: usize) -> Options {
    Options {
        flows: FlowConfig {
            max_flows,
            ..FlowConfig::default()
        },
        shards,
        services: Box::new(services().clone()),
        ..Options::default()
    }
}

/// One pass over `reader` with every flow kept.
pub fn analyse<R: std::io::Read>(
    reader: &mut CaptureReader<R>,
    options: Options,
    site: Option<&Site>,
) -> (InputReport, Vec<FlowRecord>) {
    // The generated conversations repeat frames byte for byte (identical
    // retransmissions); they are traffic here, not mirror duplicates.
    let done = Analysis::new("test", options, matcher(), site, Vec::new())
        .with_dedup_window(0)
        .run(reader)
        .expect("a Vec sink never fails");
    (done.report, done.sink)
}

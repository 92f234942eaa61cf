//! Tunnels and remote mirrors against tshark: for every frame of
//! `fixtures/tunnels/tunnels.pcap` (built with scapy by
//! `fixtures/recipes/tunnels.py`) and of the corpus captures that carry
//! tunnels, the decoder's inner addresses, ports and transport, and the
//! session it reports (kind, outer addresses, id, ERSPAN VLAN and
//! direction, depth), equal what tshark decoded. tshark's output is saved
//! with the command that made it as the first line of each `.tsv`.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

use portmatrix_wire::{
    decode, decode_with, DecodeOptions, Direction, EncapKind, LinkType, PacketFacts,
};

use crate::corpus::read_pcap;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One row of a saved `tshark -T fields -E header=y -E occurrence=a` output.
struct Row(HashMap<String, String>);

impl Row {
    /// Every occurrence of `field`, outermost first.
    fn all(&self, field: &str) -> Vec<&str> {
        match self.0.get(field).map(String::as_str) {
            None | Some("") => Vec::new(),
            Some(v) => v.split(',').collect(),
        }
    }

    fn first(&self, field: &str) -> Option<&str> {
        self.all(field).first().copied()
    }

    fn last(&self, field: &str) -> Option<&str> {
        self.all(field).last().copied()
    }

    fn protocols(&self) -> Vec<&str> {
        self.0["frame.protocols"].split(':').collect()
    }
}

fn read_tsv(path: &Path) -> Vec<Row> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines().filter(|l| !l.starts_with('#'));
    let header: Vec<&str> = lines.next().expect("header").split('\t').collect();
    lines
        .map(|l| {
            Row(header
                .iter()
                .zip(l.split('\t').chain(std::iter::repeat("")))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect())
        })
        .collect()
}

fn num(s: &str) -> u32 {
    match s.strip_prefix("0x") {
        Some(h) => u32::from_str_radix(h, 16).unwrap(),
        None => s.parse().unwrap(),
    }
}

/// What tshark says the session of a frame is; `None` without a tunnel.
#[derive(Debug, PartialEq)]
struct Session {
    kind: EncapKind,
    outer: Option<(IpAddr, IpAddr)>,
    id: Option<u32>,
    vlan: Option<u16>,
    direction: Option<Direction>,
    depth: u8,
}

fn is_net(p: &str) -> bool {
    p == "ip" || p == "ipv6"
}

fn addr_field(net: &str) -> (&'static str, &'static str) {
    if net == "ip" {
        ("ip.src", "ip.dst")
    } else {
        ("ipv6.src", "ipv6.dst")
    }
}

fn expected_session(r: &Row) -> Option<Session> {
    let p = r.protocols();
    let mut depth = 0u8;
    let mut first_kind = None;
    for (i, w) in p.windows(2).enumerate() {
        let kind = match (w[0], w[1]) {
            (_, "mpls") => Some(if p.iter().any(|x| x.starts_with("pweth")) {
                EncapKind::MplsPseudowire
            } else {
                EncapKind::Mpls
            }),
            ("gre", "erspan") => Some(match r.first("erspan.version") {
                None => EncapKind::ErspanI,
                Some("1") => EncapKind::ErspanII,
                Some(_) => EncapKind::ErspanIII,
            }),
            ("gre", "eth") => Some(EncapKind::GreEthernet),
            ("gre", n) if is_net(n) => Some(EncapKind::GreIp),
            ("udp", "vxlan") => Some(EncapKind::Vxlan),
            ("udp", "geneve") => Some(EncapKind::Geneve),
            (a, b) if is_net(a) && is_net(b) => Some(EncapKind::IpInIp),
            _ => None,
        };
        if let Some(k) = kind {
            depth += 1;
            first_kind.get_or_insert((k, i));
        }
    }
    let (kind, _) = first_kind?;
    let outer = p
        .iter()
        .find(|x| is_net(x))
        .filter(|_| kind != EncapKind::Mpls && kind != EncapKind::MplsPseudowire)
        .map(|n| {
            let (s, d) = addr_field(n);
            (
                r.first(s).unwrap().parse().unwrap(),
                r.first(d).unwrap().parse().unwrap(),
            )
        });
    let id = match kind {
        EncapKind::ErspanII | EncapKind::ErspanIII => r.first("erspan.spanid").map(num),
        EncapKind::Vxlan => r.first("vxlan.vni").map(num),
        EncapKind::Geneve => r.first("geneve.vni").map(num),
        EncapKind::GreEthernet | EncapKind::GreIp => r.first("gre.key").map(num),
        EncapKind::Mpls | EncapKind::MplsPseudowire => r.last("mpls.label").map(num),
        _ => None,
    };
    let erspan = matches!(kind, EncapKind::ErspanII | EncapKind::ErspanIII);
    Some(Session {
        kind,
        outer,
        id,
        vlan: r
            .first("erspan.vlan")
            .filter(|_| erspan)
            .map(|v| num(v) as u16),
        direction: r.first("erspan.direction").map(|d| {
            if d == "1" {
                Direction::Egress
            } else {
                Direction::Ingress
            }
        }),
        depth,
    })
}

fn our_session(f: &PacketFacts<'_>) -> Option<Session> {
    let e = f.encap?;
    Some(Session {
        kind: e.kind,
        outer: e.outer_src.zip(e.outer_dst),
        id: e.id,
        vlan: e.vlan,
        direction: e.direction,
        depth: e.depth,
    })
}

/// Innermost addresses, transport name and ports.
type Inner = (
    Option<(IpAddr, IpAddr)>,
    Option<&'static str>,
    Option<(u16, u16)>,
);

/// The innermost addresses, transport and ports tshark decoded.
fn expected_inner(r: &Row) -> Inner {
    let p = r.protocols();
    let Some(at) = p.iter().rposition(|x| is_net(x)) else {
        return (None, None, None);
    };
    let (s, d) = addr_field(p[at]);
    let addrs = Some((
        r.last(s).unwrap().parse().unwrap(),
        r.last(d).unwrap().parse().unwrap(),
    ));
    let l4 = p[at + 1..].iter().find_map(|x| match *x {
        "tcp" => Some("tcp"),
        "udp" => Some("udp"),
        "icmp" => Some("icmp"),
        "icmpv6" => Some("icmpv6"),
        "igmp" => Some("igmp"),
        _ => None,
    });
    let ports = match l4 {
        Some(t @ ("tcp" | "udp")) => {
            let port = |k: &str| r.last(&format!("{t}.{k}")).unwrap().parse::<u16>().unwrap();
            Some((port("srcport"), port("dstport")))
        }
        _ => None,
    };
    (addrs, l4, ports)
}

/// Decodes every frame of `pcap` and compares it with `tsv`; returns the
/// number of frames that went through a tunnel.
fn compare(pcap: &Path, tsv: &Path) -> usize {
    let (link, recs) = read_pcap(&std::fs::read(pcap).unwrap());
    assert_eq!(link, LinkType::ETHERNET);
    let rows = read_tsv(tsv);
    assert_eq!(rows.len(), recs.len(), "{}", tsv.display());
    let mut tunnelled = 0;
    for (i, (rec, row)) in recs.iter().zip(&rows).enumerate() {
        let n = i + 1;
        assert_eq!(row.0["frame.number"], n.to_string());
        let f = decode(link, &rec.data);
        let ctx = format!(
            "{} frame {n} ({})",
            pcap.display(),
            row.0["frame.protocols"]
        );
        assert_eq!(f.error, None, "{ctx}");
        let (addrs, l4, ports) = expected_inner(row);
        assert_eq!(f.src_ip().zip(f.dst_ip()), addrs, "{ctx}");
        assert_eq!(f.l4_name(), l4, "{ctx}");
        assert_eq!(f.ports(), ports, "{ctx}");
        let session = expected_session(row);
        tunnelled += usize::from(session.is_some());
        assert_eq!(our_session(&f), session, "{ctx}");
        // --no-decap: the outermost network layer is the packet.
        let kept = decode_with(link, &rec.data, None, DecodeOptions::NO_DECAP);
        assert_eq!(kept.encap, None, "{ctx}");
        let p = row.protocols();
        if let Some(net) = p
            .iter()
            .find(|x| is_net(x))
            .filter(|_| !p.contains(&"mpls"))
        {
            let (s, d) = addr_field(net);
            let outer: (IpAddr, IpAddr) = (
                row.first(s).unwrap().parse().unwrap(),
                row.first(d).unwrap().parse().unwrap(),
            );
            assert_eq!(kept.src_ip().zip(kept.dst_ip()), Some(outer), "{ctx}");
        }
    }
    tunnelled
}

#[test]
fn scapy_tunnels_equal_tshark() {
    let dir = workspace().join("fixtures/tunnels");
    let n = compare(&dir.join("tunnels.pcap"), &dir.join("tunnels.tshark.tsv"));
    assert_eq!(n, 19);
}

#[test]
fn corpus_tunnels_equal_tshark() {
    let corpus = workspace().join("../shared/corpus/files/zeek");
    if !corpus.is_dir() {
        eprintln!("skipping: corpus not found at {}", corpus.display());
        return;
    }
    let expected = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/expected");
    // C084: 11 MPLS frames among VLAN-tagged and plain ones; C093: VXLAN with IGMP inside.
    assert_eq!(
        compare(
            &corpus.join("mixed-vlan-mpls.pcap"),
            &expected.join("C084.tunnels.tsv")
        ),
        11
    );
    assert_eq!(
        compare(
            &corpus.join("vxlan-encapsulated-igmp-v2.pcap"),
            &expected.join("C093.tunnels.tsv")
        ),
        3
    );
}

/// The frames of `fixtures/tunnels/tunnels.pcap`, read once.
fn tunnel_frames() -> &'static [Vec<u8>] {
    static FRAMES: std::sync::OnceLock<Vec<Vec<u8>>> = std::sync::OnceLock::new();
    FRAMES.get_or_init(|| {
        let bytes = std::fs::read(workspace().join("fixtures/tunnels/tunnels.pcap")).unwrap();
        read_pcap(&bytes).1.into_iter().map(|r| r.data).collect()
    })
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2048))]

    /// Every tunnel frame with random octets overwritten and cut anywhere,
    /// decoded with and without the original length and at every depth
    /// limit: no panic, and every offset lies within the frame.
    #[test]
    fn mutated_tunnel_frames_never_panic(
        which in proptest::prelude::any::<proptest::sample::Index>(),
        flips in proptest::collection::vec(
            (proptest::prelude::any::<proptest::sample::Index>(), proptest::prelude::any::<u8>()),
            0..6,
        ),
        snap in proptest::prelude::any::<proptest::sample::Index>(),
        max_depth in 0u8..6,
    ) {
        let frames = tunnel_frames();
        let mut frame = frames[which.index(frames.len())].clone();
        for (at, value) in flips {
            let i = at.index(frame.len());
            frame[i] = value;
        }
        let frame = &frame[..snap.index(frame.len() + 1)];
        let opts = DecodeOptions { decap: true, max_depth };
        for orig_len in [None, Some(frame.len()), Some(frame.len() + 100)] {
            let d = decode_with(LinkType::ETHERNET, frame, orig_len, opts);
            if let Some(e) = d.error {
                proptest::prop_assert!(e.offset <= frame.len(), "{:?} beyond {}", e, frame.len());
            }
            proptest::prop_assert!(d.net_offset <= frame.len());
            proptest::prop_assert!(d.payload_offset + d.payload.len() <= frame.len());
            if let Some(e) = d.encap {
                proptest::prop_assert!(e.inner_offset <= frame.len());
                proptest::prop_assert!(e.depth <= max_depth);
            }
        }
    }
}

//! Well-formed fixtures: one per container variant (`fixtures/pcap`,
//! `fixtures/pcapng`), per link type and per tag stack, plus one Ethernet
//! capture holding every protocol case the decoder must count.

use crate::apps;
use crate::expect::{linktype, Ledger};
use crate::gzip;
use crate::link::{self, sll_type, AfOrder, Frame, Tag};
use crate::packet::{self, flags, igmp, Ext, Ip4, Ip6, Net, Seg};
use crate::pcap::{linktype_with_fcs, Endian, PcapWriter, Resolution};
use crate::pcapng::{IdbOptions, Opt, PcapngWriter, TsResol};
use crate::Fixture;

/// 2023-11-14T22:13:20Z, the first timestamp of every fixture.
pub const T0_NS: i64 = 1_700_000_000 * 1_000_000_000;
/// Spacing of consecutive packets: 125 ms is a whole number of units in
/// every resolution used (µs, ns, ms, 2^-10 s).
pub const STEP_NS: i64 = 125_000_000;

pub const CLIENT_MAC: [u8; 6] = [0x0A, 0x1B, 0x2C, 0x3D, 0x4E, 0x5F];
pub const SERVER_MAC: [u8; 6] = [0x0A, 0x1B, 0x2C, 0x3D, 0x4E, 0x6A];
pub const ROUTER_MAC: [u8; 6] = [0x0A, 0x1B, 0x2C, 0x3D, 0x4E, 0x71];
pub const BROADCAST: [u8; 6] = [0xFF; 6];

pub const CLIENT: [u8; 4] = [192, 0, 2, 10];
pub const SERVER: [u8; 4] = [192, 0, 2, 20];
pub const ROUTER: [u8; 4] = [192, 0, 2, 1];
pub const RESOLVER: [u8; 4] = [192, 0, 2, 53];
pub const REMOTE: [u8; 4] = [198, 51, 100, 7];

pub const CLIENT6: &str = "2001:db8::10";
pub const SERVER6: &str = "2001:db8::20";
pub const ROUTER6: &str = "2001:db8::1";

/// Timestamp of the `i`-th packet.
pub fn ts(i: usize) -> i64 {
    T0_NS + i as i64 * STEP_NS
}

/// Ethernet multicast MAC of an IPv4 group (RFC 1112 §6.4).
pub fn mcast_mac(group: [u8; 4]) -> [u8; 6] {
    [0x01, 0x00, 0x5E, group[1] & 0x7F, group[2], group[3]]
}

/// Ethernet multicast MAC of an IPv6 group (RFC 2464 §7).
pub fn mcast_mac6(group: &str) -> [u8; 6] {
    let g: std::net::Ipv6Addr = group.parse().expect("valid IPv6 group");
    let o = g.octets();
    [0x33, 0x33, o[12], o[13], o[14], o[15]]
}

fn c2s() -> Ip4 {
    Ip4::new(CLIENT, SERVER)
}

fn s2c() -> Ip4 {
    Ip4::new(SERVER, CLIENT)
}

const HTTP_REQUEST: &[u8] = b"GET /status HTTP/1.1\r\nHost: 192.0.2.20\r\n\r\n";
const HTTP_RESPONSE: &[u8] = b"HTTP/1.1 204 No Content\r\nServer: fixture\r\n\r\n";

/// The network-layer packets of the "basic" set: ARP, a complete TCP
/// exchange (SYN, SYN-ACK, ACK, data both ways, FIN both ways, last ACK), a
/// SYN refused with RST, DNS over UDP, ICMP echo, and IPv6 UDP/TCP/ICMPv6.
pub fn basic_nets() -> Vec<Net> {
    let (cs, ss) = (1000u32, 5000u32);
    let req_end = cs + 1 + HTTP_REQUEST.len() as u32;
    let resp_end = ss + 1 + HTTP_RESPONSE.len() as u32;
    let id = 0x1F2E;
    let name = "av.example.";
    let c6 = Ip6::new(CLIENT6, SERVER6);
    let s6 = Ip6::new(SERVER6, CLIENT6);
    vec![
        packet::arp(1, CLIENT_MAC, CLIENT, [0; 6], SERVER),
        packet::arp(2, SERVER_MAC, SERVER, CLIENT_MAC, CLIENT),
        packet::tcp4(&c2s().id(1), &Seg::new(49152, 80, cs, 0, flags::SYN)),
        packet::tcp4(
            &s2c().id(101),
            &Seg::new(80, 49152, ss, cs + 1, flags::SYN | flags::ACK).window(65160),
        ),
        packet::tcp4(
            &c2s().id(2),
            &Seg::new(49152, 80, cs + 1, ss + 1, flags::ACK),
        ),
        packet::tcp4(
            &c2s().id(3),
            &Seg::new(49152, 80, cs + 1, ss + 1, flags::PSH | flags::ACK).data(HTTP_REQUEST),
        ),
        packet::tcp4(
            &s2c().id(102),
            &Seg::new(80, 49152, ss + 1, req_end, flags::PSH | flags::ACK)
                .window(509)
                .data(HTTP_RESPONSE),
        ),
        packet::tcp4(
            &c2s().id(4),
            &Seg::new(49152, 80, req_end, resp_end, flags::ACK),
        ),
        packet::tcp4(
            &c2s().id(5),
            &Seg::new(49152, 80, req_end, resp_end, flags::FIN | flags::ACK),
        ),
        packet::tcp4(
            &s2c().id(103),
            &Seg::new(80, 49152, resp_end, req_end + 1, flags::FIN | flags::ACK).window(509),
        ),
        packet::tcp4(
            &c2s().id(6),
            &Seg::new(49152, 80, req_end + 1, resp_end + 1, flags::ACK),
        ),
        packet::tcp4(&c2s().id(7), &Seg::new(49153, 81, 9000, 0, flags::SYN)),
        packet::tcp4(
            &s2c().id(104),
            &Seg::new(81, 49153, 0, 9001, flags::RST | flags::ACK).window(0),
        ),
        packet::udp4(
            &Ip4::new(CLIENT, RESOLVER).id(8),
            53000,
            53,
            &apps::dns_query(id, name, 1),
        ),
        packet::udp4(
            &Ip4::new(RESOLVER, CLIENT).id(201),
            53,
            53000,
            &apps::dns_a_response(id, name, SERVER),
        ),
        packet::icmp4_echo(&c2s().id(9), true, 0x0101, 1, b"portmatrix echo data...."),
        packet::icmp4_echo(
            &s2c().id(105),
            false,
            0x0101,
            1,
            b"portmatrix echo data....",
        ),
        packet::udp6(&c6, 50000, 5004, b"ipv6 udp payload"),
        packet::tcp6(&c6, &Seg::new(50001, 443, 77, 0, flags::SYN)),
        packet::tcp6(
            &s6,
            &Seg::new(443, 50001, 880, 78, flags::SYN | flags::ACK).window(64800),
        ),
        packet::icmp6_echo(&c6, true, 7, 1, b"ping6"),
        packet::icmp6_echo(&s6, false, 7, 1, b"ping6"),
    ]
}

/// Which host sends a basic-set packet, for its Ethernet addresses.
fn ether_for(net: &Net) -> Frame {
    let b = &net.bytes;
    let from_server = match net.ethertype {
        0x0806 => b[7] == 2,
        0x0800 => b[12..16] == SERVER || b[12..16] == RESOLVER,
        _ => b[8..24] == SERVER6.parse::<std::net::Ipv6Addr>().unwrap().octets(),
    };
    let is_arp_request = net.ethertype == 0x0806 && b[7] == 1;
    let (dst, src) = if is_arp_request {
        (BROADCAST, CLIENT_MAC)
    } else if from_server {
        (CLIENT_MAC, SERVER_MAC)
    } else {
        (SERVER_MAC, CLIENT_MAC)
    };
    link::ether(dst, src, &[], net)
}

/// The basic set as Ethernet frames.
pub fn basic_frames() -> Vec<Frame> {
    basic_nets().iter().map(ether_for).collect()
}

fn pcap_of(
    endian: Endian,
    res: Resolution,
    link_type: u16,
    snaplen: u32,
    frames: &[Frame],
) -> (Vec<u8>, Ledger) {
    let mut w = PcapWriter::new(endian, res, link_type, snaplen);
    for (i, f) in frames.iter().enumerate() {
        w.packet(ts(i), f);
    }
    w.finish()
}

/// A fixture of `format` (`pcap` or `pcapng`, also its directory) from a
/// finished writer; the expected summary holds every key of its ledger.
fn written(
    format: &'static str,
    name: &str,
    maker: &'static str,
    (bytes, ledger): (Vec<u8>, Ledger),
    contents: &str,
    produces: &str,
) -> Fixture {
    let expected = ledger.expected(format);
    Fixture::new(format, name, maker, bytes, expected, contents, produces)
}

const BASIC: &str = "the basic set";

/// Classic pcap in its four magic variants, an old-version file, the FCS
/// link-type bits, pcapng variants, and gzip-compressed files.
pub fn format_fixtures() -> Vec<Fixture> {
    let frames = basic_frames();
    let mut v = Vec::new();
    const FORMATS: &str = "fixtures::format_fixtures";
    for (endian, res, name, what) in [
        (
            Endian::Little,
            Resolution::Micro,
            "basic-usec-le.pcap",
            "magic D4 C3 B2 A1",
        ),
        (
            Endian::Big,
            Resolution::Micro,
            "basic-usec-be.pcap",
            "magic A1 B2 C3 D4",
        ),
        (
            Endian::Little,
            Resolution::Nano,
            "basic-nsec-le.pcap",
            "magic 4D 3C B2 A1",
        ),
        (
            Endian::Big,
            Resolution::Nano,
            "basic-nsec-be.pcap",
            "magic A1 B2 3C 4D",
        ),
    ] {
        v.push(written(
            "pcap",
            name,
            FORMATS,
            pcap_of(endian, res, linktype::ETHERNET, 65535, &frames),
            &format!("pcap 2.4, {what}, Ethernet, snaplen 65535; {BASIC}"),
            "22 packets, identical summary for all four twins (timestamps 125 ms apart)",
        ));
    }

    // Version 2.2: caplen and len stored in swapped order; snaplen 96 cuts
    // the longer frames.
    let mut w = PcapWriter::with_header(
        Endian::Little,
        Resolution::Micro,
        (2, 2),
        96,
        u32::from(linktype::ETHERNET),
        linktype::ETHERNET,
    );
    for (i, f) in frames.iter().enumerate() {
        w.packet(ts(i), f);
    }
    v.push(written(
        "pcap",
        "v22-swapped-lengths.pcap",
        FORMATS,
        w.finish(),
        &format!(
            "pcap version 2.2 (record header holds len before caplen), snaplen 96 so the \
             98-octet HTTP response frame is cut to 96; {BASIC}"
        ),
        "22 packets; `bytes` counts the captured (cut) lengths, so a reader that does not \
         swap the fields back reports wrong lengths",
    ));

    // FCS bits in the link-type field: every frame carries a 4-octet FCS.
    let fcs_frames: Vec<Frame> = frames
        .iter()
        .take(8)
        .map(|f| f.clone().with_fcs())
        .collect();
    let mut w = PcapWriter::with_header(
        Endian::Little,
        Resolution::Micro,
        (2, 4),
        65535,
        linktype_with_fcs(linktype::ETHERNET, 4),
        linktype::ETHERNET,
    );
    for (i, f) in fcs_frames.iter().enumerate() {
        w.packet(ts(i), f);
    }
    v.push(written(
        "pcap",
        "ether-fcs.pcap",
        FORMATS,
        w.finish(),
        "pcap whose link-type field is 0x24000001 (Ethernet, P bit, FCS length 2 words); \
         the first 8 packets of the basic set, each followed by its CRC-32 FCS",
        "8 packets, link type `ether`, `bytes` includes the 4 FCS octets of each frame",
    ));

    // pcapng twins.
    for (endian, name, order) in [
        (Endian::Little, "basic-le.pcapng", "little"),
        (Endian::Big, "basic-be.pcapng", "big"),
    ] {
        v.push(written(
            "pcapng",
            name,
            FORMATS,
            pcapng_basic(endian, &frames),
            &format!(
                "one section ({order} endian), one Ethernet IDB (snaplen 262144, if_name eth0, \
                 default µs resolution), EPBs; {BASIC}"
            ),
            "22 packets; same counts and timestamps as the pcap twins",
        ));
    }

    // gzip: pcap and pcapng, plus a gzip stream without the .gz name.
    let pcap = pcap_of(
        Endian::Little,
        Resolution::Micro,
        linktype::ETHERNET,
        65535,
        &frames,
    );
    let pcapng = pcapng_basic(Endian::Little, &frames);
    for (format, name, (bytes, ledger), contents, produces) in [
        (
            "pcap",
            "basic-usec-le.pcap.gz",
            &pcap,
            "basic-usec-le.pcap compressed with gzip (flate2, mtime 0)",
            "as basic-usec-le.pcap with `compressed: true`; error offsets would count \
             decompressed bytes",
        ),
        (
            "pcap",
            "gzip-content-plain-name.pcap",
            &pcap,
            "the same gzip stream as basic-usec-le.pcap.gz under a name without .gz",
            "as basic-usec-le.pcap.gz: compression is detected from the content (1F 8B), \
             not the name",
        ),
        (
            "pcapng",
            "basic-le.pcapng.gz",
            &pcapng,
            "basic-le.pcapng compressed with gzip",
            "as basic-le.pcapng with `compressed: true`",
        ),
    ] {
        let mut e = ledger.expected(format);
        e.compressed = Some(true);
        let mut f = Fixture::new(format, name, FORMATS, gzip(bytes), e, contents, produces);
        f.gzip = true;
        v.push(f);
    }

    v.push(two_sections(&frames));
    v.push(multi_interface());
    v.extend(tsresol_fixtures());
    v.push(simple_packet_blocks(&frames));
    v.push(obsolete_packet_blocks(&frames));
    v.push(interface_statistics(&frames));
    v.push(other_blocks(&frames));
    v
}

fn shb_options() -> Vec<Opt> {
    vec![Opt::new(3, b"Linux 6.1"), Opt::new(4, b"portmatrix-fixgen")]
}

fn named(name: &str) -> IdbOptions {
    IdbOptions {
        name: Some(name.to_string()),
        ..IdbOptions::default()
    }
}

/// A pcapng writer holding a section header (with [`shb_options`]) and
/// one Ethernet interface, number 0.
fn ether_section(endian: Endian, snaplen: u32, idb: &IdbOptions) -> PcapngWriter {
    let mut w = PcapngWriter::new();
    w.shb(endian, &shb_options());
    w.idb(linktype::ETHERNET, snaplen, idb);
    w
}

fn pcapng_basic(endian: Endian, frames: &[Frame]) -> (Vec<u8>, Ledger) {
    let mut w = ether_section(endian, 262_144, &named("eth0"));
    for (i, f) in frames.iter().enumerate() {
        w.epb(0, ts(i), f);
    }
    w.finish()
}

fn two_sections(frames: &[Frame]) -> Fixture {
    let mut w = ether_section(Endian::Little, 65535, &named("eth0"));
    for (i, f) in frames.iter().take(11).enumerate() {
        w.epb(0, ts(i), f);
    }
    w.shb(Endian::Big, &shb_options());
    w.idb(linktype::RAW, 65535, &named("tun0"));
    for (i, n) in basic_nets().iter().enumerate().skip(11) {
        if n.ethertype == 0x0806 {
            continue;
        }
        w.epb(0, ts(i), &link::raw(n));
    }
    written(
        "pcapng",
        "two-sections.pcapng",
        "fixtures::format_fixtures",
        w.finish(),
        "two sections: a little-endian one (Ethernet IDB, the first 11 basic packets) and \
         a big-endian one whose interface numbering restarts at 0 (raw IP IDB, the other 11 \
         basic packets without link header)",
        "22 packets; two interfaces (`ether`, `raw`); the byte-order switch and the \
         restart of interface ids are followed",
    )
}

fn multi_interface() -> Fixture {
    let mut w = PcapngWriter::new();
    w.shb(Endian::Little, &shb_options());
    let eth = w.idb(linktype::ETHERNET, 65535, &named("eth0"));
    let any = w.idb(linktype::LINUX_SLL, 128, &named("any"));
    let raw = w.idb(linktype::RAW, 0, &named("wg0"));
    let sll2 = w.idb(
        linktype::LINUX_SLL2,
        262_144,
        &IdbOptions {
            name: Some("any2".into()),
            tsresol: Some(TsResol::Dec(9)),
            ..IdbOptions::default()
        },
    );
    let nets = basic_nets();
    let big = packet::udp4(
        &Ip4::new(CLIENT, SERVER).id(300),
        40000,
        9000,
        &[0x5Au8; 200],
    );
    let mut i = 0;
    let mut next = || {
        i += 1;
        ts(i)
    };
    w.epb(eth, next(), &ether_for(&nets[0]));
    w.epb(
        any,
        next(),
        &link::linux_sll(sll_type::HOST, SERVER_MAC, &nets[2]),
    );
    w.epb(raw, next(), &link::raw(&nets[17]));
    w.epb(
        sll2,
        next(),
        &link::linux_sll2(sll_type::OUTGOING, 3, CLIENT_MAC, &nets[13]),
    );
    w.epb(
        any,
        next(),
        &link::linux_sll(sll_type::OUTGOING, CLIENT_MAC, &big),
    );
    w.epb(eth, next(), &ether_for(&nets[1]));
    w.epb(raw, next(), &link::raw(&nets[15]));
    w.epb(
        sll2,
        next(),
        &link::linux_sll2(sll_type::HOST, 3, SERVER_MAC, &nets[14]),
    );
    written(
        "pcapng",
        "multi-interface.pcapng",
        "fixtures::multi_interface",
        w.finish(),
        "one section, four IDBs with different link types and snaplens: Ethernet/65535, \
         Linux SLL/128, raw/0 (no limit), Linux SLL2/262144 with if_tsresol 9; EPBs \
         interleaved across them; a 244-octet SLL frame is cut to 128",
        "8 packets (2 per interface), link types ether, linux-sll, raw, linux-sll2 in that \
         order; per-interface packet counts; libpcap-based tools refuse this file",
    )
}

fn tsresol_fixtures() -> Vec<Fixture> {
    let frames = basic_frames();
    let idb = |tsresol, tsoffset| IdbOptions {
        tsresol: Some(tsresol),
        tsoffset,
        ..IdbOptions::default()
    };
    // (section byte order, interface options, nanosecond digits in the
    // timestamps, name, contents, produces)
    let cases = [
        (
            Endian::Little,
            idb(TsResol::Dec(9), None),
            true,
            "tsresol-nsec.pcapng",
            "Ethernet IDB with if_tsresol = 9 (ns); 6 EPBs whose timestamps have nanosecond \
             digits (…123456789 + 7·i ns)",
            "6 packets; first_ts_ns/last_ts_ns exact to the nanosecond",
        ),
        (
            Endian::Little,
            idb(TsResol::Bin(10), None),
            false,
            "tsresol-pow2.pcapng",
            "Ethernet IDB with if_tsresol = 0x8A (2^-10 s units); 6 EPBs 125 ms (128 units) apart",
            "6 packets; timestamps converted from binary fractions exactly (1 unit = \
             976562.5 ns, every timestamp an even number of units)",
        ),
        (
            Endian::Big,
            idb(TsResol::Dec(3), Some(1_700_000_000)),
            false,
            "tsoffset.pcapng",
            "big-endian section; Ethernet IDB with if_tsresol = 3 (ms) and if_tsoffset = \
             1700000000 s; 6 EPBs whose raw timestamps are 0, 125, 250 … ms",
            "6 packets; absolute timestamps = offset + raw (first_ts_ns 1700000000000000000)",
        ),
    ];
    cases
        .into_iter()
        .map(|(endian, opts, ns_digits, name, contents, produces)| {
            let mut w = ether_section(endian, 65535, &opts);
            for (i, f) in frames.iter().take(6).enumerate() {
                // Sub-microsecond parts that only a nanosecond reader keeps.
                let digits = if ns_digits {
                    123_456_789 + i as i64 * 7
                } else {
                    0
                };
                w.epb(0, ts(i) + digits, f);
            }
            let maker = "fixtures::tsresol_fixtures";
            written("pcapng", name, maker, w.finish(), contents, produces)
        })
        .collect()
}

fn simple_packet_blocks(frames: &[Frame]) -> Fixture {
    let mut w = ether_section(Endian::Little, 64, &named("eth0"));
    for f in frames.iter().take(8) {
        w.spb(f);
    }
    written(
        "pcapng",
        "simple-packet-blocks.pcapng",
        "fixtures::simple_packet_blocks",
        w.finish(),
        "Ethernet IDB with snaplen 64; 8 SPBs (no timestamp, no interface id) holding the \
         first 8 basic frames, the longer ones cut to 64 octets",
        "8 packets on interface 0; captured length = min(snaplen, original length); no \
         timestamps are compared",
    )
}

fn obsolete_packet_blocks(frames: &[Frame]) -> Fixture {
    let mut w = ether_section(Endian::Little, 65535, &named("eth0"));
    for (i, f) in frames.iter().take(6).enumerate() {
        w.pb(0, 0, ts(i), f);
    }
    written(
        "pcapng",
        "obsolete-packet-blocks.pcapng",
        "fixtures::obsolete_packet_blocks",
        w.finish(),
        "6 obsolete Packet Blocks (type 2: 16-bit interface id and drops count)",
        "6 packets, read like EPBs",
    )
}

fn interface_statistics(frames: &[Frame]) -> Fixture {
    let mut w = ether_section(Endian::Little, 65535, &named("eth0"));
    w.idb(linktype::ETHERNET, 65535, &named("eth1"));
    for (i, f) in frames.iter().take(10).enumerate() {
        w.epb((i % 2) as u32, ts(i), f);
    }
    w.isb(0, ts(10), ts(0), 8, 3);
    w.isb(1, ts(10), ts(0), 5, 0);
    written(
        "pcapng",
        "isb-ifdrop.pcapng",
        "fixtures::interface_statistics",
        w.finish(),
        "two Ethernet IDBs, 10 EPBs alternating between them, then one ISB per interface \
         (isb_starttime, isb_endtime, isb_ifrecv, isb_ifdrop = 3 and 0)",
        "10 packets (5 per interface); interface 0 `dropped: 3`, interface 1 `dropped: 0`",
    )
}

fn other_blocks(frames: &[Frame]) -> Fixture {
    let mut w = ether_section(Endian::Little, 65535, &named("eth0"));
    w.nrb(
        &[(SERVER, "server.av.example"), (RESOLVER, "dns.av.example")],
        &[(SERVER6, "server6.av.example")],
    );
    w.epb(0, ts(0), &frames[0]);
    // Custom block, copyable (PEN 32473 is reserved for documentation, RFC 5612).
    w.custom(
        crate::pcapng::block::CUSTOM_COPY,
        32473,
        b"fixture custom data",
    );
    w.epb(0, ts(1), &frames[1]);
    w.unknown(0x0000_0F0F, b"a block type no reader knows");
    w.epb_with(
        0,
        ts(2),
        &frames[2],
        &[Opt::comment("EPB with a comment option")],
    );
    w.custom(0x4000_0BAD, 32473, b"not to be copied");
    w.epb(0, ts(3), &frames[3]);
    written(
        "pcapng",
        "nrb-custom-unknown.pcapng",
        "fixtures::other_blocks",
        w.finish(),
        "an NRB (two IPv4 and one IPv6 record), a custom block 0x00000BAD and one \
         0x40000BAD (PEN 32473), a block of unknown type 0x00000F0F, and 4 EPBs (one with \
         an opt_comment) between them",
        "4 packets; `unknown_blocks: 3` (two custom, one unknown); the NRB is understood, \
         not counted",
    )
}

// ---------------------------------------------------------------------------
// Link types and tag stacks

fn v4_udp(i: u16) -> Net {
    packet::udp4(
        &Ip4::new(CLIENT, SERVER).id(i),
        40000 + i,
        5000,
        b"link-type test",
    )
}

fn v6_udp(i: u16) -> Net {
    packet::udp6(
        &Ip6::new(CLIENT6, SERVER6),
        40000 + i,
        5000,
        b"link-type test v6",
    )
}

fn link_fixture(
    name: &str,
    link_type: u16,
    frames: &[Frame],
    contents: &str,
    produces: &str,
) -> Fixture {
    let capture = pcap_of(Endian::Little, Resolution::Micro, link_type, 65535, frames);
    let maker = "fixtures::link_fixtures";
    written("pcap", name, maker, capture, contents, produces)
}

/// One pcap per link type, and one per Ethernet encapsulation / tag stack.
pub fn link_fixtures() -> Vec<Fixture> {
    let mut v = Vec::new();

    let mut null = Vec::new();
    for order in [AfOrder::Little, AfOrder::Big] {
        null.push(link::bsd_null(2, order, &v4_udp(1)));
        for af in [24, 28, 30] {
            null.push(link::bsd_null(af, order, &v6_udp(af as u16)));
        }
    }
    v.push(link_fixture(
        "linktype-null.pcap",
        linktype::NULL,
        &null,
        "LINKTYPE_NULL (0), little-endian file; AF 2 (IPv4 UDP) and AF 24, 28, 30 (IPv6 \
         UDP), first with the AF word in little-endian host order, then the same four in \
         big-endian host order",
        "8 packets: 2 IPv4 + 6 IPv6, all UDP; the AF byte order is detected per packet",
    ));

    let mut lo = vec![link::openbsd_loop(2, &v4_udp(2))];
    for af in [24, 28, 30] {
        lo.push(link::openbsd_loop(af, &v6_udp(af as u16)));
    }
    v.push(link_fixture(
        "linktype-loop.pcap",
        linktype::LOOP,
        &lo,
        "LINKTYPE_LOOP (108): AF word always big-endian; AF 2 (IPv4 UDP), 24, 28, 30 (IPv6 UDP)",
        "4 packets: 1 IPv4 + 3 IPv6, all UDP",
    ));

    let arp = packet::arp(1, CLIENT_MAC, CLIENT, [0; 6], SERVER);
    let tcp = packet::tcp4(&c2s().id(3), &Seg::new(49200, 4503, 1, 0, flags::SYN));
    let sll = vec![
        link::linux_sll(sll_type::HOST, SERVER_MAC, &v4_udp(3)),
        link::linux_sll(sll_type::OUTGOING, CLIENT_MAC, &v6_udp(4)),
        link::linux_sll(sll_type::BROADCAST, CLIENT_MAC, &arp),
        link::linux_sll(sll_type::OUTGOING, CLIENT_MAC, &tcp),
    ];
    v.push(link_fixture(
        "linktype-linux-sll.pcap",
        linktype::LINUX_SLL,
        &sll,
        "LINKTYPE_LINUX_SLL (113), 16-octet cooked header: IPv4 UDP (to us), IPv6 UDP \
         (outgoing), ARP (broadcast), IPv4 TCP SYN (outgoing)",
        "4 packets: l3 ipv4 2, ipv6 1, arp 1; l4 udp 2, tcp 1",
    ));
    let sll2 = vec![
        link::linux_sll2(sll_type::HOST, 2, SERVER_MAC, &v4_udp(5)),
        link::linux_sll2(sll_type::OUTGOING, 2, CLIENT_MAC, &v6_udp(6)),
        link::linux_sll2(sll_type::BROADCAST, 2, CLIENT_MAC, &arp),
        link::linux_sll2(sll_type::OUTGOING, 7, CLIENT_MAC, &tcp),
    ];
    v.push(link_fixture(
        "linktype-linux-sll2.pcap",
        linktype::LINUX_SLL2,
        &sll2,
        "LINKTYPE_LINUX_SLL2 (276), 20-octet cooked header with interface index: the same \
         four packets as linktype-linux-sll.pcap",
        "4 packets: l3 ipv4 2, ipv6 1, arp 1; l4 udp 2, tcp 1",
    ));

    let icmp6 = packet::icmp6_echo(&Ip6::new(CLIENT6, SERVER6), true, 1, 1, b"raw");
    let raw = vec![
        link::raw(&v4_udp(7)),
        link::raw(&v6_udp(8)),
        link::raw(&tcp),
        link::raw(&icmp6),
    ];
    v.push(link_fixture(
        "linktype-raw.pcap",
        linktype::RAW,
        &raw,
        "LINKTYPE_RAW (101): IPv4 UDP, IPv6 UDP, IPv4 TCP, IPv6 ICMPv6 echo; the version \
         nibble tells IPv4 from IPv6",
        "4 packets: l3 ipv4 2, ipv6 2; l4 udp 2, tcp 1, icmpv6 1",
    ));
    let icmp4 = packet::icmp4_echo(&c2s().id(9), true, 3, 1, b"raw");
    let raw4 = vec![link::raw(&v4_udp(9)), link::raw(&tcp), link::raw(&icmp4)];
    v.push(link_fixture(
        "linktype-ipv4.pcap",
        linktype::IPV4,
        &raw4,
        "LINKTYPE_IPV4 (228): IPv4 UDP, TCP SYN, ICMP echo request",
        "3 packets, all ipv4; l4 udp 1, tcp 1, icmp 1",
    ));
    let tcp6 = packet::tcp6(
        &Ip6::new(CLIENT6, SERVER6),
        &Seg::new(50010, 5061, 1, 0, flags::SYN),
    );
    let raw6 = vec![link::raw(&v6_udp(10)), link::raw(&tcp6), link::raw(&icmp6)];
    v.push(link_fixture(
        "linktype-ipv6.pcap",
        linktype::IPV6,
        &raw6,
        "LINKTYPE_IPV6 (229): IPv6 UDP, TCP SYN, ICMPv6 echo request",
        "3 packets, all ipv6; l4 udp 1, tcp 1, icmpv6 1",
    ));

    let vlan = vec![
        link::ether(SERVER_MAC, CLIENT_MAC, &[Tag::q(20, 0)], &v4_udp(11)),
        link::ether(SERVER_MAC, CLIENT_MAC, &[Tag::q(30, 5)], &tcp),
        link::ether(SERVER_MAC, CLIENT_MAC, &[Tag::q(40, 6)], &v6_udp(12)),
        link::ether(BROADCAST, CLIENT_MAC, &[Tag::q(20, 0)], &arp),
        link::ether(SERVER_MAC, CLIENT_MAC, &[Tag::q(0, 5)], &v4_udp(13)),
        link::ether(SERVER_MAC, CLIENT_MAC, &[], &v4_udp(14)),
    ];
    v.push(link_fixture(
        "ether-vlan.pcap",
        linktype::ETHERNET,
        &vlan,
        "Ethernet with 802.1Q tags (TPID 0x8100): VLAN 20 IPv4 UDP, VLAN 30 PCP 5 TCP SYN, \
         VLAN 40 IPv6 UDP, VLAN 20 ARP, a priority-only tag (VID 0, PCP 5) on IPv4 UDP, and \
         one untagged IPv4 UDP frame",
        "6 packets, `vlan_tagged: 5`; l3 ipv4 4, ipv6 1, arp 1",
    ));

    // Service tag S-VID 100 outside a customer tag.
    let qinq_tags = |vid, pcp| [Tag::ad(100, 0), Tag::q(vid, pcp)];
    let qinq = vec![
        link::ether(SERVER_MAC, CLIENT_MAC, &qinq_tags(20, 0), &v4_udp(15)),
        link::ether(SERVER_MAC, CLIENT_MAC, &qinq_tags(30, 5), &tcp),
        link::ether(SERVER_MAC, CLIENT_MAC, &qinq_tags(40, 0), &v6_udp(16)),
        link::ether(BROADCAST, CLIENT_MAC, &qinq_tags(20, 0), &arp),
    ];
    v.push(link_fixture(
        "ether-qinq.pcap",
        linktype::ETHERNET,
        &qinq,
        "Ethernet with 802.1ad service tag (TPID 0x88A8, S-VID 100) outside an 802.1Q \
         customer tag (C-VID 20/30/40): IPv4 UDP, IPv4 TCP SYN, IPv6 UDP, ARP",
        "4 packets, all `vlan_tagged`; l3 ipv4 2, ipv6 1, arp 1",
    ));

    let llc = vec![
        link::ieee8023_snap(SERVER_MAC, CLIENT_MAC, &v4_udp(17)),
        link::ieee8023_stp_bpdu(ROUTER_MAC),
        link::ieee8023_snap(SERVER_MAC, CLIENT_MAC, &tcp),
        link::ieee8023_stp_bpdu(ROUTER_MAC),
    ];
    v.push(link_fixture(
        "ether-llc.pcap",
        linktype::ETHERNET,
        &llc,
        "IEEE 802.3 frames (length field, no EtherType): LLC AA-AA-03 + SNAP (OUI 00-00-00, \
         type 0x0800) carrying IPv4 UDP and IPv4 TCP, and plain LLC 42-42-03 spanning-tree \
         BPDUs to 01-80-C2-00-00-00",
        "4 packets: l3 ipv4 2 (through SNAP), other 2 (plain LLC); l4 udp 1, tcp 1",
    ));
    v
}

// ---------------------------------------------------------------------------
// Protocol cases

/// One Ethernet capture with every protocol case the summary must count.
pub fn protocol_fixtures() -> Vec<Fixture> {
    let mut nets: Vec<(Net, [u8; 6], [u8; 6])> = Vec::new();
    let c_to_s = (SERVER_MAC, CLIENT_MAC);
    let s_to_c = (CLIENT_MAC, SERVER_MAC);
    let r_to_c = (CLIENT_MAC, ROUTER_MAC);
    let mut add = |n: Net, (dst, src): ([u8; 6], [u8; 6])| nets.push((n, dst, src));

    // ICMP port unreachable (3/3) quoting a UDP datagram.
    let udp = packet::udp4(
        &c2s().id(20),
        45100,
        33434,
        b"@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_",
    );
    add(udp.clone(), c_to_s);
    add(
        packet::icmp4_unreachable(&s2c().id(120).df(false), 3, &udp.bytes),
        s_to_c,
    );
    // ICMP communication administratively prohibited (3/13) quoting a TCP SYN.
    let syn = packet::tcp4(
        &Ip4::new(CLIENT, REMOTE).id(21),
        &Seg::new(45101, 443, 424242, 0, flags::SYN),
    );
    add(syn.clone(), (ROUTER_MAC, CLIENT_MAC));
    add(
        packet::icmp4_unreachable(&Ip4::new(ROUTER, CLIENT).df(false).ttl(255), 13, &syn.bytes),
        r_to_c,
    );
    // ICMPv6 destination unreachable, code 1 (administratively prohibited), quoting UDP.
    let udp6 = packet::udp6(
        &Ip6::new(CLIENT6, "2001:db8:ffff::5"),
        45102,
        5060,
        b"OPTIONS sip:probe SIP/2.0\r\n\r\n",
    );
    add(udp6.clone(), (ROUTER_MAC, CLIENT_MAC));
    add(
        packet::icmp6_unreachable(&Ip6::new(ROUTER6, CLIENT6).hop_limit(255), 1, &udp6.bytes),
        r_to_c,
    );
    // IGMP.
    let g1 = [239, 1, 2, 3];
    let g2 = [239, 1, 2, 4];
    let all_hosts = [224, 0, 0, 1];
    let all_routers = [224, 0, 0, 2];
    let v3_reports = [224, 0, 0, 22];
    let srcs: &[[u8; 4]] = &[SERVER, RESOLVER];
    // (sender, its MAC, destination group, Router Alert option, message)
    let igmp_cases = [
        (CLIENT, CLIENT_MAC, g1, false, igmp::v1_report(g1)),
        (CLIENT, CLIENT_MAC, g2, true, igmp::v2_report(g2)),
        (CLIENT, CLIENT_MAC, all_routers, true, igmp::v2_leave(g2)),
        (
            CLIENT,
            CLIENT_MAC,
            v3_reports,
            true,
            igmp::v3_report(&[
                (igmp::CHANGE_TO_EXCLUDE, [239, 255, 0, 1], &[]),
                (igmp::MODE_IS_INCLUDE, [232, 1, 1, 1], srcs),
                (igmp::ALLOW_NEW_SOURCES, [232, 1, 1, 2], &[SERVER]),
            ]),
        ),
        (
            ROUTER,
            ROUTER_MAC,
            all_hosts,
            true,
            igmp::v2_query(100, [0; 4]),
        ),
        (
            ROUTER,
            ROUTER_MAC,
            all_hosts,
            true,
            igmp::v3_query(100, [0; 4], &[]),
        ),
        (
            ROUTER,
            ROUTER_MAC,
            g1,
            true,
            igmp::v3_query(10, g1, &[SERVER]),
        ),
    ];
    for (src, src_mac, dst, router_alert, msg) in igmp_cases {
        let h = Ip4::new(src, dst).ttl(1);
        let h = if router_alert { h.router_alert() } else { h };
        add(packet::igmp4(&h, &msg), (mcast_mac(dst), src_mac));
    }
    // MLD.
    let link_local = "fe80::81b:2cff:fe3d:4e5f";
    add(
        packet::mld_v1_report(
            &Ip6::new(link_local, "ff15::4321")
                .hop_limit(1)
                .mld_router_alert(),
            "ff15::4321",
        ),
        (mcast_mac6("ff15::4321"), CLIENT_MAC),
    );
    add(
        packet::mld_v2_report(
            &Ip6::new(link_local, "ff02::16")
                .hop_limit(1)
                .mld_router_alert(),
            &[
                (igmp::CHANGE_TO_EXCLUDE, "ff15::4321", &[]),
                (igmp::MODE_IS_INCLUDE, "ff3e::8000:1", &[SERVER6]),
            ],
        ),
        (mcast_mac6("ff02::16"), CLIENT_MAC),
    );
    // IPv4 fragments: 208-octet UDP datagram in 96 + 96 + 16.
    for n in packet::udp4_fragments(&c2s().id(0x4242), 45103, 5004, &[0x33u8; 200], 96) {
        add(n, c_to_s);
    }
    // IPv6 with hop-by-hop, routing and fragment headers; second fragment.
    let ext = Ip6::new(CLIENT6, SERVER6)
        .ext(Ext::HopByHop(vec![0x01, 0x04, 0, 0, 0, 0]))
        .ext(Ext::Routing {
            routing_type: 0,
            segments_left: 0,
            data: {
                let mut d = vec![0u8; 4];
                d.extend_from_slice(&SERVER6.parse::<std::net::Ipv6Addr>().unwrap().octets());
                d
            },
        });
    for n in packet::udp6_fragments(&ext, 0x0BAD_CAFE, 45104, 5006, &[0x44u8; 120], 64) {
        add(n, c_to_s);
    }
    // ARP (gratuitous) and an IPv4 datagram with a Record Route option.
    add(
        packet::arp(1, SERVER_MAC, SERVER, [0; 6], SERVER),
        (BROADCAST, SERVER_MAC),
    );
    let mut rr = vec![0x07, 11, 4];
    rr.extend_from_slice(&[0u8; 8]);
    rr.push(0); // end of option list, pads to 12
    add(
        packet::udp4(&c2s().id(22).options(&rr), 45105, 7, b"record my route"),
        c_to_s,
    );

    let frames: Vec<Frame> = nets
        .iter()
        .map(|(n, dst, src)| link::ether(*dst, *src, &[], n))
        .collect();
    vec![written(
        "pcap",
        "protocols.pcap",
        "fixtures::protocol_fixtures",
        pcap_of(
            Endian::Little,
            Resolution::Micro,
            linktype::ETHERNET,
            65535,
            &frames,
        ),
        "Ethernet: UDP + ICMP 3/3 quoting it; TCP SYN + ICMP 3/13 quoting it; IPv6 UDP to \
         5060 + ICMPv6 1/1 quoting it; IGMPv1 report, v2 report, v2 leave, v3 report (3 \
         group records: TO_EX, IS_IN with 2 sources, ALLOW), v2 general query, v3 general \
         query, v3 group-and-source query; MLDv1 report, MLDv2 report (2 records); a UDP \
         datagram in 3 IPv4 fragments (ports in the first only); IPv6 hop-by-hop + routing \
         + fragment headers (2 fragments); gratuitous ARP; IPv4 with a Record Route option",
        "the packets quoted inside ICMP errors are not counted again; the first fragment of \
         each datagram counts as udp, later ones as fragment; IGMP queries and reports all \
         count as igmp, MLD reports as mld; nothing malformed",
    )]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn basic_set_has_twenty_two_packets() {
        assert_eq!(basic_nets().len(), 22);
    }

    #[test]
    fn twins_share_an_expected_summary() {
        let v = format_fixtures();
        let texts: Vec<String> = v
            .iter()
            .filter(|f| f.name.starts_with("basic-") && !f.name.ends_with(".gz"))
            .map(|f| {
                let mut e = f.expected.clone();
                e.format = None;
                e.interfaces = None;
                e.to_text()
            })
            .collect();
        assert_eq!(texts.len(), 6);
        assert!(texts.iter().all(|t| *t == texts[0]));
    }

    #[test]
    fn ether_fcs_frames_end_in_their_crc() {
        let f = basic_frames()[0].clone().with_fcs();
        let n = f.bytes.len();
        let mut crc = flate2::Crc::new();
        crc.update(&f.bytes[..n - 4]);
        assert_eq!(&f.bytes[n - 4..], &crc.sum().to_le_bytes());
    }
}

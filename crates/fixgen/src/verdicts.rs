//! Verdict fixtures: small captures under `fixtures/verdicts/`, each about
//! one verdict or finding of `docs/verdicts.md`, with a site inventory next
//! to it (`<name>.site.toml`) and, under `fixtures/expected/verdicts/`, the
//! verdict every flow must get without the inventory (`<name>.json`) and
//! with it (`<name>.site.json`). The demo capture gets the same two files
//! (`room.json`, `room.site.json`) from the flow table in [`crate::demo`].
//!
//! The expected verdicts come from how each flow was built (who opened it,
//! what came back, which ICMP error quoted it) and from the vendor rule that
//! applies, cited by id and quote in [`RULES`]; nothing is read back from the
//! analyzer.

use std::net::{IpAddr, SocketAddr};

use serde_json::{json, Map, Value};

use crate::apps::{self, ptp2};
use crate::expect::linktype;
use crate::fixtures::T0_NS;
use crate::link;
use crate::packet::{self, flags, Ip6, Seg};
use crate::pcap::{Endian, PcapWriter, Resolution};
use crate::scene::{Capture, Conn, Host, To};

/// What the report must say about one flow in one mode (with or without
/// the inventory).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Expect {
    pub verdict: &'static str,
    pub blocked_kind: Option<&'static str>,
    /// A rule id that must be among the flow's `rule_ids` (the rule that
    /// documents, forbids or is violated by the flow).
    pub rule: Option<&'static str>,
    /// Finding kinds that must be present (besides the evidence finding
    /// every blocked, forbidden and wrong-direction flow carries).
    pub findings: &'static [&'static str],
    /// Finding kinds that must be absent.
    pub absent: &'static [&'static str],
}

impl Expect {
    const fn new(
        verdict: &'static str,
        kind: Option<&'static str>,
        rule: Option<&'static str>,
    ) -> Expect {
        Expect {
            verdict,
            blocked_kind: kind,
            rule,
            findings: &[],
            absent: &[],
        }
    }

    /// `documented` by `rule`.
    pub const fn documented(rule: &'static str) -> Expect {
        Expect::new("documented", None, Some(rule))
    }

    /// `undocumented`: no rule applies.
    pub const fn undocumented() -> Expect {
        Expect::new("undocumented", None, None)
    }

    /// `blocked` with `kind`; `rule` documents the attempted flow.
    pub const fn blocked(kind: &'static str, rule: Option<&'static str>) -> Expect {
        Expect::new("blocked", Some(kind), rule)
    }

    /// `forbidden`: `rule` says the flow must be blocked, and it succeeded.
    pub const fn forbidden(rule: &'static str) -> Expect {
        Expect::new("forbidden", None, Some(rule))
    }

    /// `wrong-direction` against `rule`.
    pub const fn wrong_direction(rule: &'static str) -> Expect {
        Expect::new("wrong-direction", None, Some(rule))
    }

    /// These finding kinds must be present too.
    pub const fn with(mut self, findings: &'static [&'static str]) -> Expect {
        self.findings = findings;
        self
    }

    /// These finding kinds must be absent.
    pub const fn without(mut self, absent: &'static [&'static str]) -> Expect {
        self.absent = absent;
        self
    }

    /// Every finding kind that must be present: the evidence of the verdict
    /// (`docs/verdicts.md`, "Extra findings") and [`Expect::findings`].
    pub fn required_findings(&self) -> Vec<&'static str> {
        let mut v: Vec<&'static str> = match self.verdict {
            "blocked" => self.blocked_kind.into_iter().collect(),
            "forbidden" => vec!["forbidden"],
            "wrong-direction" => vec!["wrong-direction"],
            _ => Vec::new(),
        };
        for f in self.findings {
            if !v.contains(f) {
                v.push(f);
            }
        }
        v
    }

    /// The one-line text of the README tables.
    pub fn describe(&self) -> String {
        let mut s = self.verdict.to_string();
        if let Some(k) = self.blocked_kind {
            s.push_str(&format!(" ({k})"));
        }
        if let Some(r) = self.rule {
            s.push_str(&format!(", `{r}`"));
        }
        for f in self.findings {
            s.push_str(&format!("; finding `{f}`"));
        }
        for f in self.absent {
            s.push_str(&format!("; no `{f}`"));
        }
        s
    }
}

/// One flow of a fixture: its 5-tuple as built (`src` opened it), the
/// Zeek `conn_state` it must have, and its verdict without and with the
/// inventory.
#[derive(Clone, Debug)]
pub struct FlowTruth {
    pub what: String,
    /// Why the verdicts follow from the construction and the rules.
    pub why: String,
    pub transport: &'static str,
    pub src: SocketAddr,
    pub dst: SocketAddr,
    /// `None` when the construction does not fix it (a flow seen only in
    /// an ICMP error has no connection of its own in Zeek).
    pub conn_state: Option<&'static str>,
    pub bare: Expect,
    pub site: Expect,
}

impl FlowTruth {
    fn json(&self, e: &Expect) -> Value {
        let mut m = Map::new();
        m.insert("what".into(), json!(self.what));
        m.insert("transport".into(), json!(self.transport));
        m.insert("src_ip".into(), json!(self.src.ip().to_string()));
        m.insert("src_port".into(), json!(self.src.port()));
        m.insert("dst_ip".into(), json!(self.dst.ip().to_string()));
        m.insert("dst_port".into(), json!(self.dst.port()));
        if let Some(c) = self.conn_state {
            m.insert("conn_state".into(), json!(c));
        }
        m.insert("verdict".into(), json!(e.verdict));
        m.insert("blocked_kind".into(), json!(e.blocked_kind));
        if let Some(r) = e.rule {
            m.insert("rule".into(), json!(r));
        }
        m.insert("findings".into(), json!(e.required_findings()));
        m.insert("absent_findings".into(), json!(e.absent));
        Value::Object(m)
    }
}

/// A mandatory documented flow between two listed devices that the
/// capture lacks (`summary.missing`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Missing {
    pub rule_id: &'static str,
    pub source_device: &'static str,
    pub destination_device: &'static str,
}

impl Missing {
    pub const fn new(rule_id: &'static str, src: &'static str, dst: &'static str) -> Missing {
        Missing {
            rule_id,
            source_device: src,
            destination_device: dst,
        }
    }

    fn json(&self) -> Value {
        json!({
            "rule_id": self.rule_id,
            "source_device": self.source_device,
            "destination_device": self.destination_device,
        })
    }
}

/// What `summary.missing` must hold with the inventory.
#[derive(Clone, Debug)]
pub enum MissingTruth {
    /// Exactly these entries (in any order).
    Exactly(Vec<Missing>),
    /// At least the first list, none of the second.
    Some {
        includes: Vec<Missing>,
        excludes: Vec<Missing>,
    },
}

/// One `[[device]]` of a site inventory.
#[derive(Clone, Debug)]
pub struct Device {
    pub name: &'static str,
    pub roles: &'static [&'static str],
    pub addresses: &'static [&'static str],
    pub note: &'static str,
}

/// One capture with its inventory and the verdicts of its flows.
#[derive(Debug)]
pub struct Case {
    pub name: &'static str,
    /// What the fixture is about (README).
    pub about: &'static str,
    pub bytes: Vec<u8>,
    pub devices: Vec<Device>,
    pub flows: Vec<FlowTruth>,
    pub missing: MissingTruth,
}

impl Case {
    pub fn capture_path(&self) -> String {
        format!("fixtures/verdicts/{}.pcap", self.name)
    }

    pub fn site_path(&self) -> String {
        format!("fixtures/verdicts/{}.site.toml", self.name)
    }

    /// The inventory, in the format of `docs/site.md`.
    pub fn site_toml(&self) -> String {
        site_toml(
            &self.capture_path(),
            "verdicts.rs",
            &format!("{}.pcap", self.name),
            &self.about.replace('"', "'"),
            &self.devices,
        )
    }
}

/// A rule the expected verdicts rely on: its id, the rule file and the
/// quote of the vendor document it carries.
#[derive(Clone, Copy, Debug)]
pub struct Cited {
    pub id: &'static str,
    pub file: &'static str,
    pub quote: &'static str,
}

const EXTRON: &str = "rules/extron-control-systems.toml";
const CLEARONE: &str = "rules/clearone-converge-pro.toml";
const AVAYA: &str = "rules/avaya-equinox-9.toml";
const IGLOO: &str = "rules/igloo-imp.toml";

const Q_SIP: &str = "<b>SIP PROTOCOL</b> TCP/UDP 5060 (SIP signaling) TCP 5061 (SIP Signaling using TLS) TCP 3400-3580 (BFCP)";
const Q_MEDIA: &str = "UDP 12000-13200 (Video RTP) UDP 16384-16984 SIP Terminals Endpoint TCP and UDP Ports Audio and video media, RTCP";
const Q_ALWAYS_BLOCKED: &str = "Administrative Client Ephemeral TCP Ports Always blocked TCP 8085 ( HTTP) TCP 8445 (HTTPS - HTTP over SSL) TCP 21 (FTP) TCP 22 (SSH)";
const Q_MS_GK: &str = "TCP 1024-1324 (H.245) UDP 1719 (RAS) TCP 1720 (Q931) ECS or H.323 Gatekeeper UDP 1719 (RAS) TCP 1720 (Q931) TCP 32768-61000";
const Q_PTP: &str = "319-320 224.0.1.129 - 224.0.1.132 Precision Time Protocol (PTP).";

/// Every rule cited by the verdict fixtures and the demo, with the quote
/// of the vendor document it carries (a test checks them against `rules/`).
pub const RULES: &[Cited] = &[
    Cited { id: "extron.hardware.discovery", file: EXTRON, quote: "4502 UDP Inbound Discovery Broadcast network discovery" },
    Cited { id: "extron.hardware.dns", file: EXTRON, quote: "53 UDP Both DNS DNS service" },
    Cited { id: "extron.hardware.https", file: EXTRON, quote: "443 TCP Both HTTPS Default web page, GlobalViewer, Extron Control for Web" },
    Cited { id: "extron.configurator.ssh", file: EXTRON, quote: "4503 TCP Both SSH Internal system messaging" },
    Cited { id: "extron.configurator.sftp", file: EXTRON, quote: "4522 TCP Both SFTP Internal system file transfer" },
    Cited { id: "extron.configurator.trace", file: EXTRON, quote: "4504 UDP Inbound Trace Extron trace messages" },
    Cited { id: "clearone.converge-pro.telnet", file: CLEARONE, quote: "If you want to connect to your Converge Pro / SR with Console, you will need to allow communication through Port 23." },
    Cited { id: "clearone.converge-pro.snmp", file: CLEARONE, quote: "The Converge Pro / SR monitors this port for *get* and *set* commands sent by your SNMP management software." },
    Cited { id: "clearone.converge-pro.snmp-trap", file: CLEARONE, quote: "The port used to send SNMP traps can be changed to any port from 1 – 255." },
    Cited { id: "clearone.converge-pro.ntp", file: CLEARONE, quote: "123 UDP NTP Used for the Network Time Server" },
    Cited { id: "avaya.media-server.blocked.http", file: AVAYA, quote: Q_ALWAYS_BLOCKED },
    Cited { id: "avaya.media-server.blocked.https", file: AVAYA, quote: Q_ALWAYS_BLOCKED },
    Cited { id: "avaya.media-server.ams.client-web-admin", file: AVAYA, quote: "Media Server/AMS - UDP Port range 6000 - 17999 Client or another media server" },
    Cited { id: "avaya.media-server.from-sip-terminal.sip", file: AVAYA, quote: Q_SIP },
    Cited { id: "avaya.media-server.from-sip-terminal.sip-tls", file: AVAYA, quote: Q_SIP },
    Cited { id: "avaya.media-server.from-sip-terminal.bfcp", file: AVAYA, quote: Q_SIP },
    Cited { id: "avaya.media-server.from-sip-terminal.video", file: AVAYA, quote: Q_MEDIA },
    Cited { id: "avaya.media-server.from-sip-terminal.audio", file: AVAYA, quote: Q_MEDIA },
    Cited { id: "avaya.media-server.sip-terminal.sip", file: AVAYA, quote: Q_SIP },
    Cited { id: "avaya.media-server.sip-terminal.sip-tls", file: AVAYA, quote: Q_SIP },
    Cited { id: "avaya.media-server.sip-terminal.bfcp", file: AVAYA, quote: Q_SIP },
    Cited { id: "avaya.media-server.sip-terminal.video", file: AVAYA, quote: Q_MEDIA },
    Cited { id: "avaya.media-server.sip-terminal.audio", file: AVAYA, quote: Q_MEDIA },
    Cited { id: "avaya.xt-series.h323-ep.gatekeeper.ras", file: AVAYA, quote: "H.323 Gatekeeper PathFinder <u>RAS signaling</u> UDP 1719 (RAS)" },
    Cited { id: "avaya.xt-series.h323-ep.gatekeeper.q931", file: AVAYA, quote: "<u>Q931 and H245 call signaling (when managed by GK)</u> TCP 1720 (H225/Q931) Ephemeral TCP ports" },
    Cited { id: "avaya.xt-series.h323-ep.gatekeeper.discovery", file: AVAYA, quote: "UDP 1718 (RAS GK autodiscovery to multicast IPv4 address 224.0.0.41)" },
    Cited { id: "avaya.isdn-gateway.ras.receive", file: AVAYA, quote: "TCP 1024-4999 UDP 1619 (Q931) UDP 1719 (RAS) UDP 1820 (RAS) TCP 1620 (IVR) TCP 1503 (T.120)" },
    Cited { id: "avaya.media-server.gatekeeper.ras", file: AVAYA, quote: Q_MS_GK },
    Cited { id: "avaya.media-server.gatekeeper.q931", file: AVAYA, quote: Q_MS_GK },
    Cited { id: "avaya.media-server.gatekeeper.h245", file: AVAYA, quote: Q_MS_GK },
    Cited { id: "igloo.dante-audio.ptp.event", file: IGLOO, quote: Q_PTP },
    Cited { id: "igloo.dante-audio.ptp.general", file: IGLOO, quote: Q_PTP },
    Cited { id: "igloo.dante-audio.multicast-audio", file: IGLOO, quote: "4321 Dante Audio. IMP/Media Server Dante Receiver" },
    Cited { id: "igloo.dante-audio.mdns", file: IGLOO, quote: "5353 224.0.0.251 mDNS and DNS-SD discovery for Dante devices." },
    Cited { id: "igloo.dante-audio.sap", file: IGLOO, quote: "9875 239.255.255.255 AES67 discovery for Dante devices." },
    Cited { id: "igloo.dante-audio.aes67", file: IGLOO, quote: "5004 AES67 Audio. IMP/Media Server Dante Receiver" },
];

// ---------------------------------------------------------------------------
// The network of the fixtures

/// Start of every verdict fixture: two hours after the format fixtures.
const VERDICT_T0: i64 = T0_NS + 7_200_000_000_000;

/// Milliseconds after the start.
fn at(ms: u64) -> i64 {
    VERDICT_T0 + ms as i64 * 1_000_000
}

/// Microseconds after the start.
fn at_us(us: u64) -> i64 {
    VERDICT_T0 + us as i64 * 1_000
}

const ROUTER: [u8; 4] = [192, 0, 2, 1];
const MEDIA_SERVER: [u8; 4] = [192, 0, 2, 5];
const GATEKEEPER: [u8; 4] = [192, 0, 2, 6];
const CP: [u8; 4] = [192, 0, 2, 10];
const DSP: [u8; 4] = [192, 0, 2, 20];
const ENDPOINT: [u8; 4] = [192, 0, 2, 21];
const H323_EP: [u8; 4] = [192, 0, 2, 22];
const DSP2: [u8; 4] = [192, 0, 2, 31];
const ISDN_GW: [u8; 4] = [192, 0, 2, 40];
const GC_PC: [u8; 4] = [192, 0, 2, 50];
const CTL_PC: [u8; 4] = [192, 0, 2, 51];
const RESOLVER: [u8; 4] = [192, 0, 2, 53];
const NMS: [u8; 4] = [192, 0, 2, 60];
const BMS: [u8; 4] = [192, 0, 2, 70];
const LAPTOP: [u8; 4] = [192, 0, 2, 100];
const DANTE: [u8; 4] = [192, 0, 2, 111];
const CLOCK: [u8; 4] = [192, 0, 2, 120];

const ROUTER6: &str = "2001:db8:1::1";
const ENDPOINT6: &str = "2001:db8:1::21";
const DSP6: &str = "2001:db8:1::20";
const NMS6: &str = "2001:db8:1::60";
const MEDIA_SERVER6: &str = "2001:db8:2::5";
const GONE6: &str = "2001:db8:2::99";

const PTP_GROUP: [u8; 4] = [224, 0, 1, 129];

fn host(ip: [u8; 4]) -> Host {
    Host::new(ip, None, 0, 64)
}

fn v4(ip: [u8; 4], port: u16) -> SocketAddr {
    SocketAddr::new(IpAddr::from(ip), port)
}

fn v6(ip: &str, port: u16) -> SocketAddr {
    SocketAddr::new(ip.parse().expect("valid IPv6 literal"), port)
}

/// The MAC of an IPv6 host: locally administered, from the last two octets.
fn mac6(ip: &str) -> [u8; 6] {
    let a: std::net::Ipv6Addr = ip.parse().expect("valid IPv6 literal");
    let o = a.octets();
    [0x02, 0x60, o[12], o[13], o[14], o[15]]
}

/// A flow as built: its transport, the side that opened it, the other
/// side, and the Zeek `conn_state` the construction fixes (`None`: it does
/// not).
#[derive(Clone, Copy)]
struct Built {
    transport: &'static str,
    src: SocketAddr,
    dst: SocketAddr,
    conn_state: Option<&'static str>,
}

/// A TCP flow from `src` to `dst`.
fn tcp(src: SocketAddr, dst: SocketAddr, conn_state: impl Into<Option<&'static str>>) -> Built {
    Built {
        transport: "tcp",
        src,
        dst,
        conn_state: conn_state.into(),
    }
}

/// A UDP flow from `src` to `dst`.
fn udp(src: SocketAddr, dst: SocketAddr, conn_state: impl Into<Option<&'static str>>) -> Built {
    Built {
        transport: "udp",
        ..tcp(src, dst, conn_state)
    }
}

/// A capture being built with its flows' truth.
#[derive(Default)]
struct Scene {
    cap: Capture,
    flows: Vec<FlowTruth>,
}

impl Scene {
    /// The truth of `flow`: `bare` without the inventory, `site` with it.
    fn truth(&mut self, what: &str, why: &str, flow: Built, bare: Expect, site: Expect) {
        self.flows.push(FlowTruth {
            what: what.to_string(),
            why: why.to_string(),
            transport: flow.transport,
            src: flow.src,
            dst: flow.dst,
            conn_state: flow.conn_state,
            bare,
            site,
        });
    }

    /// The truth of a flow that gets `e` with and without the inventory.
    fn same(&mut self, what: &str, why: &str, flow: Built, e: Expect) {
        self.truth(what, why, flow, e, e);
    }

    /// A unicast UDP datagram on the LAN; returns its IP bytes.
    fn udp(&mut self, ts: i64, from: &Host, to: To<'_>, ports: (u16, u16), data: &[u8]) -> Vec<u8> {
        let net = packet::udp4(&from.ip4(to.ip()), ports.0, ports.1, data);
        self.cap.emit(ts, from, to, 0, &net);
        net.bytes
    }

    /// A TCP SYN; returns its IP bytes.
    fn syn(&mut self, ts: i64, from: &Host, to: To<'_>, ports: (u16, u16), isn: u32) -> Vec<u8> {
        let seg = Seg::new(ports.0, ports.1, isn, 0, flags::SYN);
        let net = packet::tcp4(&from.ip4(to.ip()), &seg);
        self.cap.emit(ts, from, to, 0, &net);
        net.bytes
    }

    /// A PTP message from `from` to `group` on `port` (319 event, 320
    /// general) from the same port, DSCP 46.
    fn ptp(&mut self, ts: i64, from: &Host, group: [u8; 4], port: u16, msg: &[u8]) {
        self.cap
            .udp(ts, from, To::Group(group), (port, port), 46, msg);
    }

    /// ICMP destination unreachable `code` from `reporter` to `to`, quoting `original`.
    fn icmp(&mut self, ts: i64, reporter: &Host, to: &Host, code: u8, original: &[u8]) {
        let net = packet::icmp4_unreachable(&reporter.ip4(to.ip).df(false), code, original);
        self.cap.emit(ts, reporter, To::Host(to), 0, &net);
    }

    /// An IPv6 packet from `src` to `dst` on the LAN (`via`: next hop's MAC).
    fn emit6(&mut self, ts: i64, src: &str, next_hop: &str, net: &packet::Net) {
        let frame = link::ether(mac6(next_hop), mac6(src), &[], net);
        self.cap.push(ts, 0, frame);
    }

    /// A whole TCP session from `c` to `s`: handshake, the `exchange`
    /// (request from `c`, response), FINs.
    fn session(
        &mut self,
        t_ms: u64,
        c: &Host,
        s: &Host,
        ports: (u16, u16),
        isn: u32,
        (request, response): (&[u8], &[u8]),
    ) -> Built {
        let mut conn = Conn::new(
            c,
            s,
            ports.0,
            ports.1,
            isn,
            isn.rotate_left(16) ^ 0x5A5A_A5A5,
        );
        conn.open(&mut self.cap, at(t_ms));
        conn.c_data(&mut self.cap, at(t_ms + 2), request);
        conn.s_data(&mut self.cap, at(t_ms + 5), response);
        conn.c_ack(&mut self.cap, at(t_ms + 6));
        conn.close(&mut self.cap, at(t_ms + 20));
        tcp(v4(c.ip, ports.0), v4(s.ip, ports.1), "SF")
    }

    /// A SYN from `c` to `s` at `t_ms`, refused by an RST-ACK `rst_us` later.
    fn refused(
        &mut self,
        t_ms: u64,
        rst_us: u64,
        c: &Host,
        s: &Host,
        ports: (u16, u16),
        isn: u32,
    ) -> Built {
        let conn = Conn::new(c, s, ports.0, ports.1, isn, 0);
        conn.syn(&mut self.cap, at(t_ms));
        conn.rst_ack(&mut self.cap, at_us(t_ms * 1000 + rst_us));
        tcp(v4(c.ip, ports.0), v4(s.ip, ports.1), "REJ")
    }

    /// The case: the capture as classic pcap (µs, Ethernet), frames in
    /// time order, with the flows' truth.
    fn case(
        mut self,
        name: &'static str,
        about: &'static str,
        devices: Vec<Device>,
        missing: MissingTruth,
    ) -> Case {
        self.cap.events.sort_by_key(|e| e.ts);
        let mut w = PcapWriter::new(Endian::Little, Resolution::Micro, linktype::ETHERNET, 65535);
        for e in &self.cap.events {
            w.packet(e.ts, &e.frame);
        }
        Case {
            name,
            about,
            bytes: w.finish().0,
            devices,
            flows: self.flows,
            missing,
        }
    }
}

// ---------------------------------------------------------------------------
// Devices

const D_GC_PC: Device = Device {
    name: "gc-pc",
    roles: &["extron.configurator-pc"],
    addresses: &["192.0.2.50"],
    note: "PC running Global Configurator Professional",
};
const D_ROOM_CP: Device = Device {
    name: "room-cp",
    roles: &["extron.control-processor"],
    addresses: &["192.0.2.10"],
    note: "Extron IPCP Pro control processor",
};
const D_DSP: Device = Device {
    name: "dsp",
    roles: &["clearone.converge-pro"],
    addresses: &["192.0.2.20"],
    note: "ClearOne Converge Pro",
};
const D_CONTROL_PC: Device = Device {
    name: "control-pc",
    roles: &["clearone.console-pc"],
    addresses: &["192.0.2.51"],
    note: "PC running ClearOne Console",
};
const D_NMS: Device = Device {
    name: "nms",
    roles: &["snmp-manager"],
    addresses: &["192.0.2.60"],
    note: "SNMP manager",
};
const D_MEDIA_SERVER: Device = Device {
    name: "media-server",
    roles: &["avaya.media-server"],
    addresses: &["192.0.2.5"],
    note: "Avaya Equinox Media Server",
};
const D_RESOLVER: Device = Device {
    name: "resolver",
    roles: &["dns-server"],
    addresses: &["192.0.2.53"],
    note: "DNS server",
};

/// A site inventory in the format of `docs/site.md`: comments naming the
/// capture and the `source` file of this crate that writes it, the `[site]`
/// table, then one `[[device]]` table per device.
pub fn site_toml(
    capture: &str,
    source: &str,
    name: &str,
    note: &str,
    devices: &[Device],
) -> String {
    let mut s = format!("# Site inventory of {capture} (see docs/site.md).\n");
    s.push_str(&format!(
        "# Written by `cargo run -p portmatrix-fixgen`; edit crates/fixgen/src/{source}.\n\n"
    ));
    s.push_str(&format!("[site]\nname = \"{name}\"\n"));
    s.push_str(&format!("note = \"{note}\"\n"));
    for d in devices {
        s.push_str("\n[[device]]\n");
        s.push_str(&format!("name = \"{}\"\n", d.name));
        let q = |v: &[&str]| {
            v.iter()
                .map(|x| format!("\"{x}\""))
                .collect::<Vec<_>>()
                .join(", ")
        };
        s.push_str(&format!("roles = [{}]\n", q(d.roles)));
        s.push_str(&format!("addresses = [{}]\n", q(d.addresses)));
        s.push_str(&format!("note = \"{}\"\n", d.note));
    }
    s
}

// ---------------------------------------------------------------------------
// The fixtures

/// Every verdict fixture, in README order.
pub fn cases() -> Vec<Case> {
    vec![
        documented(),
        undocumented(),
        wide_rule(),
        blocked(),
        forbidden(),
        wrong_direction(),
        source_port(),
        missing(),
        multicast_group(),
        midstream(),
        mac_address(),
    ]
}

/// A request and its response.
type Exchange = (&'static [u8], &'static [u8]);

const SSH_BANNER_S: &[u8] = b"SSH-2.0-OpenSSH_8.4 Extron\r\n";
const SSH_BANNER_C: &[u8] = b"SSH-2.0-GlobalConfigurator_3.14\r\n";
/// SSH banners of a session the configurator PC opens to the processor.
const SSH_FROM_PC: Exchange = (SSH_BANNER_C, SSH_BANNER_S);
/// SSH banners of a session the processor opens to the configurator PC.
const SSH_FROM_CP: Exchange = (SSH_BANNER_S, SSH_BANNER_C);
/// Telnet option negotiation: IAC DO ECHO, answered by IAC WILL ECHO.
const TELNET_ECHO: Exchange = (b"\xFF\xFD\x01", b"\xFF\xFB\x01");

fn documented() -> Case {
    let mut sc = Scene::default();
    let (gc_pc, cp, dsp, nms, dante) = (host(GC_PC), host(CP), host(DSP), host(NMS), host(DANTE));

    let flow = sc.session(0, &gc_pc, &cp, (51300, 4503), 0x4503_0001, SSH_FROM_PC);
    sc.same(
        "Global Configurator PC 192.0.2.50:51300 -> control processor 192.0.2.10 TCP 4503: \
         handshake, SSH banners both ways, FIN both ways",
        "the Extron tables list 4503/TCP on the processor; with the inventory the opener is \
         the configurator PC the configurator table names",
        flow,
        Expect::documented("extron.configurator.ssh"),
    );

    for (k, t) in [(0u8, 100u64), (1, 5100)] {
        let msg = format!("EXTRON-DISCOVERY\x00model=IPCP Pro 350\x00seq={k}\x00");
        sc.cap.udp(
            at(t),
            &cp,
            To::Broadcast([255; 4]),
            (4502, 4502),
            0,
            msg.as_bytes(),
        );
    }
    sc.same(
        "control processor 192.0.2.10:4502 -> 255.255.255.255:4502, two discovery announcements",
        "broadcast discovery on 4502/UDP; for a broadcast only the sender's role is checked and \
         the rule's source is `any`",
        udp(v4(CP, 4502), v4([255; 4], 4502), "S0"),
        Expect::documented("extron.hardware.discovery"),
    );

    sc.cap.udp(
        at(200),
        &gc_pc,
        To::Broadcast([192, 0, 2, 255]),
        (51299, 4502),
        0,
        b"EXTRON-DISCOVER?\x00from=Global Configurator Professional\x00",
    );
    sc.same(
        "configurator PC 192.0.2.50:51299 -> 192.0.2.255:4502 (subnet-directed broadcast, \
         Ethernet ff:ff:ff:ff:ff:ff), discovery request",
        "same rule: a directed broadcast is a broadcast (the Ethernet destination says so)",
        udp(v4(GC_PC, 51299), v4([192, 0, 2, 255], 4502), "S0"),
        Expect::documented("extron.hardware.discovery"),
    );

    let clock = apps::ptp_clock_id(dante.mac);
    for k in 0..3u16 {
        let t = 300 + 1000 * u64::from(k);
        let sync = apps::ptp_v2(ptp2::SYNC, 0, clock, k, 0);
        sc.ptp(at(t), &dante, PTP_GROUP, 319, &sync);
        let fu = apps::ptp_v2(ptp2::FOLLOW_UP, 0, clock, k, 0);
        sc.ptp(at(t + 1), &dante, PTP_GROUP, 320, &fu);
    }
    sc.same(
        "Dante device 192.0.2.111:319 -> 224.0.1.129:319, three PTPv2 Sync messages",
        "PTP event port 319 to a group the Dante table lists (224.0.1.129-224.0.1.132), sent by \
         a `dante.device`",
        udp(v4(DANTE, 319), v4(PTP_GROUP, 319), "S0"),
        Expect::documented("igloo.dante-audio.ptp.event")
            .without(&["multicast-undocumented-group"]),
    );
    sc.same(
        "Dante device 192.0.2.111:320 -> 224.0.1.129:320, three PTPv2 Follow_Up messages",
        "PTP general port 320, same groups",
        udp(v4(DANTE, 320), v4(PTP_GROUP, 320), "S0"),
        Expect::documented("igloo.dante-audio.ptp.general"),
    );

    let sys_name: &[u32] = &[1, 3, 6, 1, 2, 1, 1, 5, 0];
    let get = apps::snmp_v2c(0xA0, 0x5101, &[(sys_name, apps::ber_null())]);
    sc.udp(at(400), &nms, To::Host(&dsp), (50161, 161), &get);
    let resp = apps::snmp_v2c(
        0xA2,
        0x5101,
        &[(sys_name, apps::ber_string("converge-pro"))],
    );
    sc.udp(at(402), &dsp, To::Host(&nms), (161, 50161), &resp);
    sc.same(
        "SNMP manager 192.0.2.60:50161 -> DSP 192.0.2.20:161 GetRequest, answered",
        "the ClearOne document: the unit monitors 161 for get/set from the management software; \
         answered, so not `no-reply`",
        udp(v4(NMS, 50161), v4(DSP, 161), "SF"),
        Expect::documented("clearone.converge-pro.snmp").without(&["no-reply"]),
    );

    let trap = apps::snmp_link_up_trap(0x5110, 42_000);
    sc.udp(at(500), &dsp, To::Host(&nms), (49500, 162), &trap);
    sc.same(
        "DSP 192.0.2.20:49500 -> SNMP manager 192.0.2.60:162, one SNMPv2 trap, no answer",
        "SNMP traps go from the unit to the manager's port 162 and are never answered: one-way \
         by nature, so never `no-reply`",
        udp(v4(DSP, 49500), v4(NMS, 162), "S0"),
        Expect::documented("clearone.converge-pro.snmp-trap").without(&["no-reply"]),
    );

    let h323 = host(H323_EP);
    let gk_discovery = [224, 0, 1, 41];
    for (k, t) in [(1u16, 600u64), (2, 3600)] {
        let grq = apps::h225_grq(k, H323_EP);
        sc.cap.udp(
            at(t),
            &h323,
            To::Group(gk_discovery),
            (49203, 1718),
            24,
            &grq,
        );
    }
    sc.same(
        "H.323 endpoint 192.0.2.22:49203 (not in the inventory) -> 224.0.1.41:1718, two RAS \
         gatekeeperRequests, no answer",
        "gatekeeper discovery to the multicast group of the Avaya XT table; RAS is a \
         request/response service, but a multicast flow is never `no-reply`",
        udp(v4(H323_EP, 49203), v4(gk_discovery, 1718), "S0"),
        Expect::documented("avaya.xt-series.h323-ep.gatekeeper.discovery").without(&["no-reply"]),
    );

    sc.case(
        "documented",
        "flows the vendor documents: Extron SSH 4503, broadcast discovery 4502 (limited \
                and subnet-directed), Dante PTP to 224.0.1.129:319/320, ClearOne SNMP get \
                (answered) and trap (one-way), H.323 gatekeeper discovery to 224.0.1.41:1718 \
                (multicast, unanswered)",
        vec![
            D_GC_PC,
            D_ROOM_CP,
            D_DSP,
            D_NMS,
            Device {
                name: "dante-a",
                roles: &["dante.device"],
                addresses: &["192.0.2.111"],
                note: "Dante device, PTP leader",
            },
        ],
        MissingTruth::Exactly(vec![
            Missing::new("extron.configurator.sftp", "gc-pc", "room-cp"),
            Missing::new("extron.configurator.trace", "room-cp", "gc-pc"),
        ]),
    )
}

fn undocumented() -> Case {
    let mut sc = Scene::default();
    let (ctl_pc, dsp, bms) = (host(CTL_PC), host(DSP), host(BMS));
    for k in 0..5u64 {
        let (t, poll) = (at(100 + 200 * k), format!("poll {k}\r"));
        sc.udp(t, &ctl_pc, To::Host(&dsp), (40404, 1234), poll.as_bytes());
    }
    sc.truth(
        "control PC 192.0.2.51:40404 -> DSP 192.0.2.20 UDP 1234, five datagrams, no reply",
        "no rule names UDP 1234; only rules covering every port (Avaya 'any' rows) reach it. \
         Without the inventory they do not count and are named in `wide-rule-only`; with it, \
         both hosts are listed and their roles fit none of them. UDP 1234 is no \
         request/response service, so the silence is not `no-reply`",
        udp(v4(CTL_PC, 40404), v4(DSP, 1234), "S0"),
        Expect::undocumented().with(&["wide-rule-only"]),
        Expect::undocumented().without(&["wide-rule-only"]),
    );

    // Modbus/TCP "read holding registers" request and response.
    let req = [
        0x00, 0x01, 0x00, 0x00, 0x00, 0x06, 0x01, 0x03, 0x00, 0x00, 0x00, 0x02,
    ];
    let resp = [
        0x00, 0x01, 0x00, 0x00, 0x00, 0x07, 0x01, 0x03, 0x04, 0x00, 0x2A, 0x00, 0x00,
    ];
    let flow = sc.session(1500, &bms, &dsp, (50200, 502), 0x0502_0001, (&req, &resp));
    sc.same(
        "building controller 192.0.2.70:50200 (not in the inventory) -> DSP 192.0.2.20 TCP 502 \
         (Modbus/TCP), one request and response, FIN both ways",
        "no vendor document lists TCP 502; the rules covering every port fix their source port \
         (5060, 3400-3580, ...), which 50200 is not, so not even a wide rule applies",
        flow,
        Expect::undocumented().without(&["wide-rule-only"]),
    );

    sc.case(
        "undocumented",
        "flows no vendor document lists: UDP 1234 from the ClearOne control PC to the \
                DSP, Modbus/TCP 502 from a building controller",
        vec![D_CONTROL_PC, D_DSP],
        MissingTruth::Exactly(vec![]),
    )
}

fn wide_rule() -> Case {
    let mut sc = Scene::default();
    let (ms, ep) = (host(MEDIA_SERVER), host(ENDPOINT));
    // BFCP (RFC 8855) Hello and HelloAck, conference 1, user 2.
    let hello = [
        0x20, 0x0B, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x02,
    ];
    let ack = [
        0x20, 0x0C, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x02,
    ];
    let flow = sc.session(0, &ms, &ep, (3400, 62000), 0x3400_0001, (&hello, &ack));
    sc.truth(
        "media server 192.0.2.5:3400 -> SIP endpoint 192.0.2.21 TCP 62000 (BFCP), FIN both ways",
        "the Avaya media-server table documents BFCP from the server's ports 3400-3580 to any \
         port of a SIP endpoint. That rule covers 65536 ports: without the inventory it does \
         not document the flow on its own (`wide-rule-only`); with the inventory the roles \
         confirm it",
        flow,
        Expect::undocumented().with(&["wide-rule-only"]),
        Expect::documented("avaya.media-server.sip-terminal.bfcp").without(&["wide-rule-only"]),
    );
    // RTP video both ways between two ports neither of which is a service
    // port; the media server's packet comes first.
    for i in 0..5u16 {
        let t = 1000 + 40 * u64::from(i);
        let nal = [0x41, 0x9A, i as u8, 0x00, 0x17, 0x2C];
        let from_ms = apps::rtp(97, true, 700 + i, 9000 * u32::from(i), 0x4001_F1F0, &nal);
        sc.udp(at(t), &ms, To::Host(&ep), (13100, 20102), &from_ms);
        let from_ep = apps::rtp(97, true, 300 + i, 9000 * u32::from(i), 0x3001_B0D1, &nal);
        sc.udp(at(t + 5), &ep, To::Host(&ms), (20102, 13100), &from_ep);
    }
    sc.truth(
        "media server 192.0.2.5:13100 <-> SIP endpoint 192.0.2.21:20102, RTP video (PT 97) \
         five packets each way, the media server's first",
        "the first sender is the initiator (neither port is a service port). Without the \
         inventory only wide rules cover 20102, but the endpoints' video rule (12000-13200 on \
         the media server, 1201 ports) fits with the roles the other way round: \
         `initiator-uncertain`. With the inventory the media server's wide video rule to any \
         endpoint port fits as captured",
        udp(v4(MEDIA_SERVER, 13100), v4(ENDPOINT, 20102), "SF"),
        Expect::documented("avaya.media-server.from-sip-terminal.video")
            .with(&["initiator-uncertain"]),
        Expect::documented("avaya.media-server.sip-terminal.video")
            .without(&["initiator-uncertain"]),
    );

    let ms = "media-server";
    let ep = "endpoint";
    sc.case(
        "wide-rule",
        "flows only a rule covering every port documents as captured: Avaya BFCP from \
                the media server to any port of a SIP endpoint, and RTP video between two \
                non-service ports",
        vec![
            D_MEDIA_SERVER,
            Device {
                name: "endpoint",
                roles: &["avaya.sip-endpoint"],
                addresses: &["192.0.2.21"],
                note: "SIP room endpoint",
            },
        ],
        MissingTruth::Exactly(vec![
            Missing::new("avaya.media-server.sip-terminal.sip", ms, ep),
            Missing::new("avaya.media-server.sip-terminal.sip-tls", ms, ep),
            Missing::new("avaya.media-server.sip-terminal.audio", ms, ep),
            Missing::new("avaya.media-server.from-sip-terminal.sip", ep, ms),
            Missing::new("avaya.media-server.from-sip-terminal.sip-tls", ep, ms),
            Missing::new("avaya.media-server.from-sip-terminal.bfcp", ep, ms),
            Missing::new("avaya.media-server.from-sip-terminal.video", ep, ms),
            Missing::new("avaya.media-server.from-sip-terminal.audio", ep, ms),
        ]),
    )
}

fn blocked() -> Case {
    let mut sc = Scene::default();
    let (router, cp, gc_pc) = (host(ROUTER), host(CP), host(GC_PC));
    let (dsp, nms, resolver, h323) = (host(DSP), host(NMS), host(RESOLVER), host(H323_EP));

    // 1. SYN never answered, retransmitted after 1 s, 2 s and 4 s.
    let lost = Conn::new(&gc_pc, &cp, 51310, 4503, 0x5EED_4503, 0);
    for t in [0u64, 1000, 3000, 7000] {
        lost.syn(&mut sc.cap, at(t));
    }
    sc.same(
        "configurator PC 192.0.2.50:51310 -> control processor 192.0.2.10 TCP 4503: SYN at 0 s, \
         retransmitted with the same ISN at 1 s, 3 s and 7 s (back-off 1 s, 2 s, 4 s), never \
         answered",
        "a documented flow attempted and never answered",
        tcp(v4(GC_PC, 51310), v4(CP, 4503), "S0"),
        Expect::blocked("syn-unanswered", Some("extron.configurator.ssh")),
    );

    // 2. SYN answered by RST-ACK.
    let flow = sc.refused(100, 350, &gc_pc, &cp, (51311, 4522), 0x5EED_4522);
    sc.same(
        "configurator PC 192.0.2.50:51311 -> control processor 192.0.2.10 TCP 4522: SYN answered \
         by RST-ACK",
        "the responder refused the connection (closed port or a reject rule)",
        flow,
        Expect::blocked("reset", Some("extron.configurator.sftp")),
    );

    // 3. ICMPv6 administratively prohibited (1/1) quoting a UDP SIP request.
    for (k, t) in [(0u32, 200u64), (1, 700)] {
        let invite = apps::sip(
            "OPTIONS sip:ms@[2001:db8:2::5] SIP/2.0",
            &[
                (
                    "Via",
                    format!("SIP/2.0/UDP [2001:db8:1::21]:5060;branch=z9hG4bK-v6-{k}"),
                ),
                ("Max-Forwards", "70".to_string()),
                ("From", "<sip:ep@[2001:db8:1::21]>;tag=6a".to_string()),
                ("To", "<sip:ms@[2001:db8:2::5]>".to_string()),
                ("Call-ID", "v6-options@2001:db8:1::21".to_string()),
                ("CSeq", format!("{} OPTIONS", k + 1)),
            ],
            "",
        );
        let options6 = packet::udp6(&Ip6::new(ENDPOINT6, MEDIA_SERVER6), 5060, 5060, &invite);
        sc.emit6(at(t), ENDPOINT6, ROUTER6, &options6);
        let err = packet::icmp6_unreachable(&Ip6::new(ROUTER6, ENDPOINT6), 1, &options6.bytes);
        sc.emit6(at_us(t * 1000 + 300), ROUTER6, ENDPOINT6, &err);
    }
    sc.same(
        "SIP endpoint [2001:db8:1::21]:5060 -> media server [2001:db8:2::5]:5060 UDP, two \
         OPTIONS; the router 2001:db8:1::1 answers each with ICMPv6 1/1 (administratively \
         prohibited) quoting it",
        "ICMPv6 destination unreachable code 1 = a filter said no",
        udp(v6(ENDPOINT6, 5060), v6(MEDIA_SERVER6, 5060), "S0"),
        Expect::blocked(
            "icmp-prohibited",
            Some("avaya.media-server.from-sip-terminal.sip"),
        ),
    );

    // 4. ICMP 3/13 quoting a UDP RAS request.
    let gk = [198, 51, 100, 6];
    let rrq = apps::h225_rrq(9, H323_EP, "3002");
    let q = sc.udp(at(1200), &h323, To::Via(&router, gk), (49201, 1719), &rrq);
    sc.icmp(at_us(1_200_400), &router, &h323, 13, &q);
    sc.same(
        "H.323 endpoint 192.0.2.22:49201 -> gatekeeper 198.51.100.6:1719 UDP RAS \
         registrationRequest; the router 192.0.2.1 answers ICMP 3/13 (communication \
         administratively prohibited) quoting it",
        "ICMP 3/13 = filtered",
        udp(v4(H323_EP, 49201), v4(gk, 1719), "S0"),
        Expect::blocked(
            "icmp-prohibited",
            Some("avaya.xt-series.h323-ep.gatekeeper.ras"),
        ),
    );

    // 5. and 6. ICMP 3/10 and 3/9 quoting TCP SYNs.
    for (port, dst, code, t, name) in [
        (
            51312u16,
            [198, 51, 100, 20],
            10u8,
            1400u64,
            "3/10 (host administratively prohibited)",
        ),
        (
            51313,
            [203, 0, 113, 30],
            9,
            1600,
            "3/9 (network administratively prohibited)",
        ),
    ] {
        let q = sc.syn(
            at(t),
            &gc_pc,
            To::Via(&router, dst),
            (port, 443),
            0x0443_0000 | u32::from(port),
        );
        sc.icmp(at_us(t * 1000 + 500), &router, &gc_pc, code, &q);
        sc.same(
            &format!(
                "configurator PC 192.0.2.50:{port} -> {} TCP 443 SYN; the router answers ICMP \
                 {name} quoting it",
                IpAddr::from(dst)
            ),
            "codes 9 and 10 are administrative prohibitions too",
            tcp(v4(GC_PC, port), v4(dst, 443), "S0"),
            Expect::blocked("icmp-prohibited", None),
        );
    }

    // 7. ICMP 3/3 from the destination itself quoting an SNMP get.
    let sys_name: &[u32] = &[1, 3, 6, 1, 2, 1, 1, 5, 0];
    let get = apps::snmp_v2c(0xA0, 0x5201, &[(sys_name, apps::ber_null())]);
    let q = sc.udp(at(1800), &nms, To::Host(&dsp), (50162, 161), &get);
    sc.icmp(at_us(1_800_300), &dsp, &nms, 3, &q);
    sc.same(
        "SNMP manager 192.0.2.60:50162 -> DSP 192.0.2.20:161 GetRequest; the DSP answers ICMP \
         3/3 (port unreachable) quoting it",
        "nothing listens on the port (or a reject rule imitates that)",
        udp(v4(NMS, 50162), v4(DSP, 161), "S0"),
        Expect::blocked("icmp-port-unreachable", Some("clearone.converge-pro.snmp")),
    );

    // 8. ICMPv6 1/4 (port unreachable) quoting an SNMP get over IPv6.
    let get6 = apps::snmp_v2c(0xA0, 0x5202, &[(sys_name, apps::ber_null())]);
    let query6 = packet::udp6(&Ip6::new(NMS6, DSP6), 50163, 161, &get6);
    sc.emit6(at(2000), NMS6, DSP6, &query6);
    let err = packet::icmp6_unreachable(&Ip6::new(DSP6, NMS6), 4, &query6.bytes);
    sc.emit6(at_us(2_000_300), DSP6, NMS6, &err);
    sc.same(
        "SNMP manager [2001:db8:1::60]:50163 -> DSP [2001:db8:1::20]:161 GetRequest; the DSP \
         answers ICMPv6 1/4 (port unreachable) quoting it",
        "ICMPv6 code 4 is port unreachable",
        udp(v6(NMS6, 50163), v6(DSP6, 161), "S0"),
        Expect::blocked("icmp-port-unreachable", Some("clearone.converge-pro.snmp")),
    );

    // 9. ICMP 3/1 (host unreachable) from the router quoting a SYN.
    let gone = [198, 51, 100, 99];
    let q = sc.syn(
        at(2200),
        &gc_pc,
        To::Via(&router, gone),
        (51314, 443),
        0x0443_1314,
    );
    sc.icmp(at(5200), &router, &gc_pc, 1, &q);
    sc.same(
        "configurator PC 192.0.2.50:51314 -> 198.51.100.99 TCP 443 SYN; 3 s later the router \
         answers ICMP 3/1 (host unreachable) quoting it",
        "a destination-unreachable that is neither a prohibition nor port unreachable",
        tcp(v4(GC_PC, 51314), v4(gone, 443), "S0"),
        Expect::blocked("icmp-unreachable", None),
    );

    // 10. ICMPv6 1/3 (address unreachable) quoting a SYN.
    let seg = Seg::new(51315, 443, 0x0443_1315, 0, flags::SYN);
    let syn6 = packet::tcp6(&Ip6::new(ENDPOINT6, GONE6), &seg);
    sc.emit6(at(2400), ENDPOINT6, ROUTER6, &syn6);
    let err = packet::icmp6_unreachable(&Ip6::new(ROUTER6, ENDPOINT6), 3, &syn6.bytes);
    sc.emit6(at(5400), ROUTER6, ENDPOINT6, &err);
    sc.same(
        "SIP endpoint [2001:db8:1::21]:51315 -> [2001:db8:2::99]:443 TCP SYN; the router \
         answers ICMPv6 1/3 (address unreachable) quoting it",
        "ICMPv6 code 3 is neither prohibited (1) nor port unreachable (4)",
        tcp(v6(ENDPOINT6, 51315), v6(GONE6, 443), "S0"),
        Expect::blocked("icmp-unreachable", None),
    );

    // 11. DNS query sent twice, never answered.
    let dns = apps::dns_query(0x7E57, "time.av.example.", 1);
    for t in [2600u64, 4600] {
        sc.udp(at(t), &cp, To::Host(&resolver), (41000, 53), &dns);
    }
    sc.same(
        "control processor 192.0.2.10:41000 -> resolver 192.0.2.53:53, the same DNS query at 0 s \
         and 2 s, never answered",
        "DNS answers every query: silence means a drop",
        udp(v4(CP, 41000), v4(RESOLVER, 53), "S0"),
        Expect::blocked("no-reply", Some("extron.hardware.dns")),
    );

    // 12. SNMP get to a host that never answers.
    let dsp2 = host(DSP2);
    for k in 0..3u64 {
        sc.udp(
            at(2800 + 1000 * k),
            &nms,
            To::Host(&dsp2),
            (50164, 161),
            &get,
        );
    }
    sc.same(
        "SNMP manager 192.0.2.60:50164 -> 192.0.2.31:161 (a second unit, not in the \
         inventory), three GetRequests 1 s apart, never answered",
        "SNMP get is request/response",
        udp(v4(NMS, 50164), v4(DSP2, 161), "S0"),
        Expect::blocked("no-reply", Some("clearone.converge-pro.snmp")),
    );

    // 13. RAS to the ISDN gateway's port 1820, never answered: not a port of
    // the built-in request/response list, but the rule's service says RAS.
    let isdn = host(ISDN_GW);
    let gk_host = Host::new(gk, None, 0, 63);
    for (k, t) in [(11u16, 3100u64), (12, 4100)] {
        let msg = apps::h225_grq(k, gk);
        sc.udp(at(t), &gk_host, To::Host(&isdn), (1719, 1820), &msg);
    }
    sc.same(
        "gatekeeper 198.51.100.6:1719 -> ISDN gateway 192.0.2.40:1820 UDP, two RAS messages \
         1 s apart, never answered",
        "1820 is in no built-in list of request/response ports, but the rule documenting it \
         names the service RAS, which answers every request",
        udp(v4(gk, 1719), v4(ISDN_GW, 1820), "S0"),
        Expect::blocked("no-reply", Some("avaya.isdn-gateway.ras.receive")),
    );

    // 14. An ICMP error quoting a datagram the capture does not hold.
    let unseen = [198, 51, 100, 7];
    let rrq = apps::h225_rrq(10, H323_EP, "3002");
    let h = h323.ip4(unseen);
    let original = packet::udp4(&h, 49202, 1719, &rrq);
    sc.icmp(at(6000), &router, &h323, 13, &original.bytes);
    sc.same(
        "ICMP 3/13 from the router 192.0.2.1 quoting 192.0.2.22:49202 -> 198.51.100.7:1719 UDP; \
         the datagram itself is not in the capture",
        "the attempt is known only from the quote: still blocked, with `seen-only-in-icmp`",
        udp(v4(H323_EP, 49202), v4(unseen, 1719), None),
        Expect::blocked(
            "icmp-prohibited",
            Some("avaya.xt-series.h323-ep.gatekeeper.ras"),
        )
        .with(&["seen-only-in-icmp"]),
    );

    sc.case(
        "blocked",
        "one flow per blocked kind and ICMP code: SYN unanswered (1 s, 2 s, 4 s \
                back-off), SYN refused by RST, ICMP 3/9, 3/10, 3/13 and ICMPv6 1/1 (prohibited), \
                ICMP 3/3 and ICMPv6 1/4 (port unreachable), ICMP 3/1 and ICMPv6 1/3 \
                (unreachable), DNS, SNMP and RAS (port 1820) without reply, and an error \
                quoting an uncaptured datagram",
        vec![
            D_GC_PC,
            D_ROOM_CP,
            D_RESOLVER,
            Device {
                name: "nms",
                roles: &["snmp-manager"],
                addresses: &["192.0.2.60", "2001:db8:1::60"],
                note: "SNMP manager",
            },
            Device {
                name: "dsp",
                roles: &["clearone.converge-pro"],
                addresses: &["192.0.2.20", "2001:db8:1::20"],
                note: "ClearOne Converge Pro",
            },
        ],
        MissingTruth::Exactly(vec![
            Missing::new("extron.configurator.ssh", "gc-pc", "room-cp"),
            Missing::new("extron.configurator.sftp", "gc-pc", "room-cp"),
            Missing::new("extron.configurator.trace", "room-cp", "gc-pc"),
        ]),
    )
}

const HTTP_GET: &[u8] = b"GET / HTTP/1.1\r\nHost: admin\r\nUser-Agent: Mozilla/5.0\r\n\r\n";
const HTTP_OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 0\r\n\r\n";
const HTTP_EXCHANGE: Exchange = (HTTP_GET, HTTP_OK);

/// A successful flow to an 'Always blocked' port without an inventory.
const IF_PRODUCT: Expect = Expect::undocumented()
    .with(&["forbidden-if-product", "wide-rule-only"])
    .without(&["forbidden"]);

fn forbidden() -> Case {
    let mut sc = Scene::default();
    let (laptop, ms, cp) = (host(LAPTOP), host(MEDIA_SERVER), host(CP));

    let flow = sc.session(0, &laptop, &ms, (52011, 8085), 0x8085_0001, HTTP_EXCHANGE);
    sc.truth(
        "admin laptop 192.0.2.100:52011 -> media server 192.0.2.5 TCP 8085: HTTP GET, 200 OK, \
         FIN both ways",
        "the Avaya table says TCP 8085 on the media server is 'Always blocked' and the \
         connection was established: with the inventory saying the host is that media server, \
         the rule is violated. Without it the rule cannot know the host is that product: it \
         only adds `forbidden-if-product`, and the other rules at 8085 decide; they all cover \
         thousands of ports (`wide-rule-only`)",
        flow,
        IF_PRODUCT,
        Expect::forbidden("avaya.media-server.blocked.http").without(&["forbidden-if-product"]),
    );

    let flow = sc.refused(100, 300, &laptop, &ms, (52012, 8445), 0x8445_0001);
    sc.truth(
        "admin laptop 192.0.2.100:52012 -> media server 192.0.2.5 TCP 8445: SYN answered by \
         RST-ACK",
        "the same 'Always blocked' row lists 8445: blocked, and with the inventory \
         `blocked-as-documented` (as the vendor asks); without it only the blocked kind is \
         asserted (docs/verdicts.md does not say whether an 'always blocked' rule counts for \
         an unknown host here)",
        flow,
        Expect::blocked("reset", None),
        Expect::blocked("reset", Some("avaya.media-server.blocked.https"))
            .with(&["blocked-as-documented"]),
    );

    let flow = sc.session(200, &laptop, &cp, (52013, 8085), 0x8085_0002, HTTP_EXCHANGE);
    sc.truth(
        "admin laptop 192.0.2.100:52013 -> control processor 192.0.2.10 TCP 8085: HTTP GET, \
         200 OK, FIN both ways",
        "without the inventory as the first flow (`forbidden-if-product`, only wide rules); \
         with it, the host is an Extron processor, which neither the 'Always blocked' rule nor \
         any other rule at 8085 names",
        flow,
        IF_PRODUCT,
        Expect::undocumented().without(&["forbidden", "forbidden-if-product"]),
    );

    sc.case(
        "forbidden",
        "the Avaya media server's 'Always blocked' administration ports: an HTTP session \
                to 8085 that succeeded, an attempt on 8445 that was refused, and port 8085 on a \
                device the rule does not name; without an inventory 'forbidden' cannot be \
                decided",
        vec![
            Device {
                name: "admin-laptop",
                roles: &["web-client"],
                addresses: &["192.0.2.100"],
                note: "administrator's laptop",
            },
            D_MEDIA_SERVER,
            D_ROOM_CP,
        ],
        MissingTruth::Exactly(vec![Missing::new(
            "avaya.media-server.ams.client-web-admin",
            "admin-laptop",
            "media-server",
        )]),
    )
}

fn wrong_direction() -> Case {
    let mut sc = Scene::default();
    let (dsp, ctl_pc, gc_pc, cp) = (host(DSP), host(CTL_PC), host(GC_PC), host(CP));

    let flow = sc.session(0, &dsp, &ctl_pc, (40023, 23), 0x0023_0001, TELNET_ECHO);
    sc.truth(
        "DSP 192.0.2.20:40023 -> control PC 192.0.2.51 TCP 23: Telnet negotiation, FIN both ways",
        "the ClearOne rule is inbound to the unit's port 23; here the unit opened the connection \
         to the PC's port 23",
        flow,
        Expect::documented("clearone.converge-pro.telnet"),
        Expect::wrong_direction("clearone.converge-pro.telnet"),
    );

    let flow = sc.session(100, &ctl_pc, &dsp, (50523, 23), 0x0023_0002, TELNET_ECHO);
    sc.same(
        "control PC 192.0.2.51:50523 -> DSP 192.0.2.20 TCP 23: Telnet negotiation, FIN both ways",
        "the documented direction",
        flow,
        Expect::documented("clearone.converge-pro.telnet"),
    );

    for t in [200u64, 300] {
        sc.udp(
            at(t),
            &gc_pc,
            To::Host(&cp),
            (50504, 4504),
            b"TRACE? all\r\n",
        );
    }
    sc.truth(
        "configurator PC 192.0.2.50:50504 -> control processor 192.0.2.10 UDP 4504, two \
         datagrams",
        "the configurator table lists 4504/UDP as inbound to the PC (the processor sends trace \
         messages to it); here the PC sent to the processor's 4504",
        udp(v4(GC_PC, 50504), v4(CP, 4504), "S0"),
        Expect::documented("extron.configurator.trace"),
        Expect::wrong_direction("extron.configurator.trace"),
    );

    for t in [400u64, 500] {
        sc.udp(
            at(t),
            &cp,
            To::Host(&gc_pc),
            (50505, 4504),
            b"TRACE 1 main.py: started\r\n",
        );
    }
    sc.same(
        "control processor 192.0.2.10:50505 -> configurator PC 192.0.2.50 UDP 4504, two trace \
         messages",
        "the documented direction",
        udp(v4(CP, 50505), v4(GC_PC, 4504), "S0"),
        Expect::documented("extron.configurator.trace"),
    );

    let flow = sc.session(600, &cp, &gc_pc, (50506, 4503), 0x4503_0003, SSH_FROM_CP);
    sc.same(
        "control processor 192.0.2.10:50506 -> configurator PC 192.0.2.50 TCP 4503, SSH \
         banners, FIN both ways",
        "also the other way round, but the SSH rule's direction is `both`: either side may \
         open it. It is a documented flow of `extron.configurator.ssh` between the two devices, \
         so that rule is not missing",
        flow,
        Expect::documented("extron.configurator.ssh"),
    );

    sc.case(
        "wrong-direction",
        "flows on documented ports opened from the side the rule does not allow (ClearOne \
                Telnet 23, Extron trace 4504), each next to the same flow the right way round, \
                and SSH 4503 opened from the processor, which its `both` rule allows",
        vec![D_DSP, D_CONTROL_PC, D_GC_PC, D_ROOM_CP],
        MissingTruth::Exactly(vec![Missing::new(
            "extron.configurator.sftp",
            "gc-pc",
            "room-cp",
        )]),
    )
}

fn missing() -> Case {
    let mut sc = Scene::default();
    let (gc_pc, cp) = (host(GC_PC), host(CP));
    let flow = sc.session(0, &gc_pc, &cp, (51300, 4503), 0x4503_0002, SSH_FROM_PC);
    sc.same(
        "configurator PC 192.0.2.50:51300 -> control processor 192.0.2.10 TCP 4503, SSH banners, \
         FIN both ways",
        "documented, so `extron.configurator.ssh` is not missing",
        flow,
        Expect::documented("extron.configurator.ssh"),
    );
    let flow = sc.refused(100, 300, &gc_pc, &cp, (51301, 4522), 0x4522_0002);
    let e = Expect::blocked("reset", Some("extron.configurator.sftp"));
    sc.same(
        "configurator PC 192.0.2.50:51301 -> control processor 192.0.2.10 TCP 4522: SYN answered \
         by RST-ACK",
        "attempted but blocked: a blocked flow does not make `extron.configurator.sftp` present",
        flow,
        e,
    );
    sc.case(
        "missing",
        "a configurator PC and a control processor: SSH 4503 works, SFTP 4522 is refused, \
                trace 4504 never happens; the Extron configurator table makes all three \
                mandatory between them",
        vec![D_GC_PC, D_ROOM_CP],
        MissingTruth::Exactly(vec![
            Missing::new("extron.configurator.sftp", "gc-pc", "room-cp"),
            Missing::new("extron.configurator.trace", "room-cp", "gc-pc"),
        ]),
    )
}

fn source_port() -> Case {
    let mut sc = Scene::default();
    let (ms, gk) = (host(MEDIA_SERVER), host(GATEKEEPER));
    for (k, sport, t) in [(21u16, 1719u16, 0u64), (22, 40000, 500)] {
        let rrq = apps::h225_rrq(k, MEDIA_SERVER, "9001");
        sc.udp(at(t), &ms, To::Host(&gk), (sport, 1719), &rrq);
        let rcf = apps::h225_rcf(k, GATEKEEPER, "MS1");
        sc.udp(at(t + 3), &gk, To::Host(&ms), (1719, sport), &rcf);
    }
    sc.same(
        "media server 192.0.2.5:1719 -> gatekeeper 192.0.2.6:1719 RAS registrationRequest, \
         registrationConfirm back",
        "the Avaya media-server table documents RAS to the gatekeeper from the server's port \
         1719",
        udp(v4(MEDIA_SERVER, 1719), v4(GATEKEEPER, 1719), "SF"),
        Expect::documented("avaya.media-server.gatekeeper.ras"),
    );
    sc.truth(
        "media server 192.0.2.5:40000 -> gatekeeper 192.0.2.6:1719 RAS registrationRequest, \
         registrationConfirm back",
        "the same exchange from source port 40000: the media server's rule fixes source port \
         1719. Without the inventory the endpoints' RAS rule (any ephemeral source port) fits; \
         with it, the inventory says the opener is the media server, not an H.323 endpoint",
        udp(v4(MEDIA_SERVER, 40000), v4(GATEKEEPER, 1719), "SF"),
        Expect::documented("avaya.xt-series.h323-ep.gatekeeper.ras"),
        Expect::undocumented(),
    );
    sc.case(
        "source-port",
        "a rule that fixes the opener's source port: RAS from the media server to the \
                gatekeeper from port 1719 and from port 40000",
        vec![
            D_MEDIA_SERVER,
            Device {
                name: "gatekeeper",
                roles: &["avaya.ecs-gatekeeper"],
                addresses: &["192.0.2.6"],
                note: "ECS gatekeeper",
            },
        ],
        MissingTruth::Exactly(vec![
            Missing::new(
                "avaya.media-server.gatekeeper.q931",
                "media-server",
                "gatekeeper",
            ),
            Missing::new(
                "avaya.media-server.gatekeeper.h245",
                "media-server",
                "gatekeeper",
            ),
        ]),
    )
}

fn midstream() -> Case {
    let mut sc = Scene::default();
    let (ctl_pc, dsp, cp, resolver) = (host(CTL_PC), host(DSP), host(CP), host(RESOLVER));

    // The capture starts after the SYN: the first frame is the SYN-ACK.
    let mut late = Conn::new(&ctl_pc, &dsp, 50530, 23, 0x0023_0030, 0x7E1E_0030);
    late.syn_ack(&mut sc.cap, at(0));
    late.c_ack(&mut sc.cap, at_us(500));
    late.s_data(&mut sc.cap, at(2), b"Converge Pro 880T\r\nuser: ");
    late.c_data(&mut sc.cap, at(200), b"clearone\r");
    late.close(&mut sc.cap, at(300));
    sc.same(
        "control PC 192.0.2.51:50530 -> DSP 192.0.2.20 TCP 23, the capture starting with the \
         DSP's SYN-ACK (the SYN was not captured); login prompt, FIN both ways",
        "the receiver of a SYN-ACK opened the connection (`^`): the PC, the documented \
         direction; taking the DSP as the opener would make it `wrong-direction` with the \
         inventory",
        tcp(v4(CTL_PC, 50530), v4(DSP, 23), None),
        Expect::documented("clearone.converge-pro.telnet"),
    );

    // The capture starts in the middle of a session, with the DSP's data.
    let mut mid = Conn::new(&ctl_pc, &dsp, 50531, 23, 0x0023_0031, 0x7E1E_0031);
    mid.s_data(&mut sc.cap, at(1000), b"#30 VER 4.4.0.2\r\n");
    mid.c_ack(&mut sc.cap, at(1001));
    mid.c_data(&mut sc.cap, at(1200), b"#30 GAIN 1 I -5 A\r");
    mid.s_data(&mut sc.cap, at(1202), b"#30 GAIN 1 I -5.00 A\r\n");
    mid.close(&mut sc.cap, at(1300));
    sc.same(
        "control PC 192.0.2.51:50531 -> DSP 192.0.2.20 TCP 23, the capture starting in the \
         middle of the session with data from the DSP's port 23; FIN both ways",
        "no SYN seen: port 23 is a service port and 50531 is not, so the PC is the initiator",
        tcp(v4(CTL_PC, 50531), v4(DSP, 23), None),
        Expect::documented("clearone.converge-pro.telnet"),
    );

    // Only the DNS answer is in the capture.
    let answer = apps::dns_a_response(0x7E58, "time.av.example.", [192, 0, 2, 123]);
    sc.udp(at(2000), &resolver, To::Host(&cp), (53, 41001), &answer);
    sc.same(
        "resolver 192.0.2.53:53 -> control processor 192.0.2.10:41001, a DNS answer whose query \
         was not captured",
        "the sender's port 53 is the service: the processor is the initiator and only the \
         responder sent (`SHR`); nothing was left unanswered, so not `no-reply`",
        udp(v4(CP, 41001), v4(RESOLVER, 53), "SHR"),
        Expect::documented("extron.hardware.dns").without(&["no-reply"]),
    );

    sc.case(
        "midstream",
        "flows whose first packets were not captured: the initiator comes from the \
                SYN-ACK or the service port, and the verdict follows it",
        vec![D_CONTROL_PC, D_DSP, D_ROOM_CP, D_RESOLVER],
        MissingTruth::Exactly(vec![]),
    )
}

fn mac_address() -> Case {
    let mut sc = Scene::default();
    let (dsp, ctl_pc) = (host(DSP), host(CTL_PC));
    let flow = sc.session(0, &dsp, &ctl_pc, (40024, 23), 0x0023_0041, TELNET_ECHO);
    sc.truth(
        "DSP 192.0.2.20:40024 (listed by its MAC address only) -> control PC 192.0.2.51 TCP 23",
        "the inventory finds the DSP by its Ethernet address: it opened the connection to the \
         PC's port 23, against the inbound ClearOne rule",
        flow,
        Expect::documented("clearone.converge-pro.telnet"),
        Expect::wrong_direction("clearone.converge-pro.telnet"),
    );
    let flow = sc.session(100, &ctl_pc, &dsp, (50524, 23), 0x0023_0042, TELNET_ECHO);
    sc.same(
        "control PC 192.0.2.51:50524 -> DSP 192.0.2.20 TCP 23",
        "the documented direction; the DSP, the responder, is found by the MAC address of its \
         answers",
        flow,
        Expect::documented("clearone.converge-pro.telnet"),
    );
    sc.case(
        "mac-address",
        "an inventory that lists a device by its MAC address only (docs/site.md): the \
                roles of the ClearOne DSP must come from its Ethernet address",
        vec![
            D_CONTROL_PC,
            Device {
                name: "dsp",
                roles: &["clearone.converge-pro"],
                addresses: &["02:50:c0:00:02:14"],
                note: "ClearOne Converge Pro, listed by MAC address",
            },
        ],
        MissingTruth::Exactly(vec![]),
    )
}

fn multicast_group() -> Case {
    let mut sc = Scene::default();
    let (dante, clock_host) = (host(DANTE), host(CLOCK));
    let d_clock = apps::ptp_clock_id(dante.mac);
    let c_clock = apps::ptp_clock_id(clock_host.mac);
    let unlisted = [239, 1, 2, 3];
    let pdelay = [224, 0, 0, 107];
    for k in 0..2u16 {
        let t = 1000 * u64::from(k);
        let sync = apps::ptp_v2(ptp2::SYNC, 0, d_clock, k, 0);
        sc.ptp(at(t), &dante, unlisted, 319, &sync);
        let pd = apps::ptp_v2(ptp2::PDELAY_REQ, 0, d_clock, k, 0);
        sc.ptp(at(t + 10), &dante, pdelay, 319, &pd);
        sc.ptp(at(t + 20), &dante, PTP_GROUP, 319, &sync);
        let csync = apps::ptp_v2(ptp2::SYNC, 0, c_clock, k, 0);
        sc.ptp(at(t + 30), &clock_host, PTP_GROUP, 319, &csync);
    }
    let e = Expect::undocumented().with(&["multicast-undocumented-group"]);
    sc.same(
        "Dante device 192.0.2.111:319 -> 239.1.2.3:319, two PTPv2 Sync",
        "port 319 is documented for multicast only to 224.0.1.129-224.0.1.132; 239.1.2.3 is not \
         one of them (the Avaya SR multicast rule that covers 239.1.2.3 fixes the source ports \
         49152-65535)",
        udp(v4(DANTE, 319), v4(unlisted, 319), "S0"),
        e,
    );
    sc.same(
        "Dante device 192.0.2.111:319 -> 224.0.0.107:319, two PTPv2 Pdelay_Req",
        "224.0.0.107 is the PTPv2 peer-delay group, which the Dante table does not list (the \
         rule's note says so)",
        udp(v4(DANTE, 319), v4(pdelay, 319), "S0"),
        e,
    );
    let ok = Expect::documented("igloo.dante-audio.ptp.event")
        .without(&["multicast-undocumented-group"]);
    sc.same(
        "Dante device 192.0.2.111:319 -> 224.0.1.129:319, two PTPv2 Sync",
        "a listed group, sent by a Dante device",
        udp(v4(DANTE, 319), v4(PTP_GROUP, 319), "S0"),
        ok,
    );
    sc.truth(
        "time server 192.0.2.120:319 -> 224.0.1.129:319, two PTPv2 Sync",
        "a listed group; the rule's sender is a Dante device, and the inventory lists this host \
         as an NTP server only",
        udp(v4(CLOCK, 319), v4(PTP_GROUP, 319), "S0"),
        ok,
        Expect::undocumented().without(&["multicast-undocumented-group"]),
    );
    sc.case(
        "multicast-group",
        "PTP event messages (port 319) to groups the Dante table does not list (239.1.2.3, \
                the peer-delay group 224.0.0.107) and to the listed 224.0.1.129, from a Dante \
                device and from a time server the inventory does not call a Dante device",
        vec![
            Device {
                name: "dante-a",
                roles: &["dante.device"],
                addresses: &["192.0.2.111"],
                note: "Dante device",
            },
            Device {
                name: "clock",
                roles: &["ntp-server"],
                addresses: &["192.0.2.120"],
                note: "time server",
            },
        ],
        MissingTruth::Exactly(vec![]),
    )
}

// ---------------------------------------------------------------------------
// Expected-result files

/// The expected-result file of one capture in one mode.
pub fn expected_json(
    capture: &str,
    site: Option<&str>,
    flows: &[FlowTruth],
    missing: &MissingTruth,
) -> String {
    let with_site = site.is_some();
    let pick = |f: &FlowTruth| if with_site { f.site } else { f.bare };
    let mut m = Map::new();
    m.insert(
        "capture".into(),
        json!(capture.trim_start_matches("fixtures/")),
    );
    m.insert(
        "site".into(),
        json!(site.map(|s| s.trim_start_matches("fixtures/"))),
    );
    let all_documented = flows.iter().all(|f| pick(f).verdict == "documented");
    let some_missing = with_site
        && match missing {
            MissingTruth::Exactly(v) => !v.is_empty(),
            MissingTruth::Some { includes, .. } => !includes.is_empty(),
        };
    let exit = if all_documented && !some_missing {
        0
    } else {
        1
    };
    m.insert("exit_status".into(), json!(exit));
    m.insert(
        "flows".into(),
        Value::Array(flows.iter().map(|f| f.json(&pick(f))).collect()),
    );
    match (with_site, missing) {
        (false, _) => {
            m.insert("missing".into(), json!([]));
        }
        (true, MissingTruth::Exactly(v)) => {
            m.insert(
                "missing".into(),
                Value::Array(v.iter().map(Missing::json).collect()),
            );
        }
        (true, MissingTruth::Some { includes, excludes }) => {
            m.insert(
                "missing_includes".into(),
                Value::Array(includes.iter().map(Missing::json).collect()),
            );
            m.insert(
                "missing_excludes".into(),
                Value::Array(excludes.iter().map(Missing::json).collect()),
            );
        }
    }
    let mut s = serde_json::to_string_pretty(&Value::Object(m)).expect("JSON values serialise");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The `[[rule]]` block of `id` in the text of a rule file.
    fn rule_block<'a>(text: &'a str, id: &str) -> Option<&'a str> {
        let start = text.find(&format!("\nid = \"{id}\"\n"))?;
        let rest = &text[start + 1..];
        let end = rest.find("\n[[rule]]").unwrap_or(rest.len());
        Some(&rest[..end])
    }

    #[test]
    fn cited_rules_exist_with_their_quotes() {
        let root = crate::workspace_root();
        for c in RULES {
            let text = std::fs::read_to_string(root.join(c.file)).expect("rule file readable");
            let block =
                rule_block(&text, c.id).unwrap_or_else(|| panic!("{}: no rule {}", c.file, c.id));
            let quote = block
                .lines()
                .find_map(|l| l.strip_prefix("quote = \""))
                .and_then(|q| q.strip_suffix('"'))
                .unwrap_or_else(|| panic!("{}: no quote", c.id))
                .replace("\\\"", "\"");
            assert_eq!(quote, c.quote, "{}", c.id);
        }
    }

    #[test]
    fn every_expected_rule_is_cited() {
        let cited = |id: &str| RULES.iter().any(|c| c.id == id);
        let mut flows: Vec<FlowTruth> = cases().into_iter().flat_map(|c| c.flows).collect();
        flows.extend(crate::demo::verdict_flows());
        for f in &flows {
            for e in [f.bare, f.site] {
                if let Some(r) = e.rule {
                    assert!(cited(r), "{r} (of {}) is not in RULES", f.what);
                }
            }
        }
        for c in cases() {
            if let MissingTruth::Exactly(v) = &c.missing {
                for m in v {
                    assert!(cited(m.rule_id), "{} is not in RULES", m.rule_id);
                }
            }
        }
    }

    #[test]
    fn flows_are_distinct_and_small() {
        for c in cases() {
            let mut keys: Vec<(&str, SocketAddr, SocketAddr)> = c
                .flows
                .iter()
                .map(|f| (f.transport, f.src, f.dst))
                .collect();
            keys.sort();
            let n = keys.len();
            keys.dedup();
            assert_eq!(keys.len(), n, "{}: two flows share a 5-tuple", c.name);
            assert!(
                c.bytes.len() < 16 * 1024,
                "{} is {} bytes",
                c.name,
                c.bytes.len()
            );
        }
    }

    #[test]
    fn exit_status_follows_the_verdicts() {
        let c = documented();
        let bare = expected_json("a", None, &c.flows, &c.missing);
        assert!(bare.contains("\"exit_status\": 0"));
        let site = expected_json("a", Some("s"), &c.flows, &c.missing);
        assert!(
            site.contains("\"exit_status\": 1"),
            "missing flows make it 1"
        );
    }
}

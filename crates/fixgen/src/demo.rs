//! The demo capture `fixtures/demo/room.pcapng`: a commissioning capture of
//! an AV room, with the flows a commissioning engineer must see documented
//! and the ones that must be flagged, and its site inventory.
//!
//! Two interfaces: 0 is a mirror of the room trunk (802.1Q-tagged VLAN 20
//! control and VLAN 30 conferencing), 1 an access port on the Dante VLAN 40
//! (untagged). Every flow is listed in [`FLOWS`] with what it must produce;
//! `fixtures/README.md` prints that list.

use crate::apps::{self, ptp1, ptp2, q931, uuie};
use crate::expect::linktype;
use crate::fixtures::T0_NS;
use crate::packet::{self, igmp};
use crate::pcap::Endian;
use crate::pcapng::{IdbOptions, Opt, PcapngWriter};
use crate::scene::{Capture, Conn, Host, To};
use crate::verdicts::{self, Device, Expect, FlowTruth, Missing, MissingTruth};
use crate::Fixture;

/// One flow of the demo and the verdict or finding it must produce.
pub struct Flow {
    pub what: &'static str,
    pub verdict: &'static str,
    /// The flows of the report this row stands for (none: not a flow).
    pub keys: &'static [Key],
    /// What each of them must get without and with `demo/site.toml`.
    pub expect: Option<(Expect, Expect)>,
}

/// One flow of the report: transport, initiator and responder as built,
/// Zeek `conn_state`, and the rule that documents it when that is not the
/// rule its row's expectations name (a row whose keys differ in their
/// rule, e.g. PTP event and general ports).
pub struct Key {
    pub transport: &'static str,
    pub src: &'static str,
    pub dst: &'static str,
    pub conn_state: Option<&'static str>,
    pub rule: Option<&'static str>,
}

const fn key(
    transport: &'static str,
    src: &'static str,
    dst: &'static str,
    conn_state: &'static str,
) -> Key {
    Key {
        transport,
        src,
        dst,
        conn_state: Some(conn_state),
        rule: None,
    }
}

/// A UDP flow of the report from `src` to `dst`.
const fn udp(src: &'static str, dst: &'static str, conn_state: &'static str) -> Key {
    key("udp", src, dst, conn_state)
}

/// A TCP flow of the report from `src` to `dst`.
const fn tcp(src: &'static str, dst: &'static str, conn_state: &'static str) -> Key {
    key("tcp", src, dst, conn_state)
}

impl Key {
    /// The flow is documented (or tried) by `rule` rather than by the rule
    /// its row's expectations name.
    const fn rule(mut self, rule: &'static str) -> Key {
        self.rule = Some(rule);
        self
    }
}

const fn both(e: Expect) -> Option<(Expect, Expect)> {
    Some((e, e))
}

/// The flows of the demo.
pub const FLOWS: &[Flow] = &[
    Flow {
        what: "Extron control processor 10.10.20.10 -> 255.255.255.255 UDP 4502, every 5 s \
               (broadcast discovery announcements)",
        verdict: "documented (extron discovery, broadcast); `discovery` finding naming an \
                  Extron control processor",
        keys: &[udp("10.10.20.10:4502", "255.255.255.255:4502", "S0")],
        expect: both(Expect::documented("extron.hardware.discovery")),
    },
    Flow {
        what: "Global Configurator PC 10.10.20.50 -> 10.10.20.255 UDP 4502 discovery request, \
               unicast answer from 10.10.20.10:4502",
        verdict: "documented (extron discovery)",
        keys: &[
            udp("10.10.20.50:51299", "10.10.20.255:4502", "S0"),
            // Only the answer was sent; 4502 is the service port, so the
            // PC is the initiator and only the responder sent (SHR).
            udp("10.10.20.50:51299", "10.10.20.10:4502", "SHR"),
        ],
        expect: both(Expect::documented("extron.hardware.discovery")),
    },
    Flow {
        what: "GC PC 10.10.20.50:51300 -> 10.10.20.10 TCP 4503 (SSH banner, key exchange, \
               encrypted messaging, FIN both ways)",
        verdict: "documented (extron configurator SSH 4503)",
        keys: &[tcp("10.10.20.50:51300", "10.10.20.10:4503", "SF")],
        expect: both(Expect::documented("extron.configurator.ssh")),
    },
    Flow {
        what: "GC PC 10.10.20.50:51301 -> 10.10.20.10 TCP 4522 (SFTP file transfer over SSH)",
        verdict: "documented (extron SFTP 4522)",
        keys: &[tcp("10.10.20.50:51301", "10.10.20.10:4522", "SF")],
        expect: both(Expect::documented("extron.configurator.sftp")),
    },
    Flow {
        what: "Touchpanel 10.10.20.11:40112 -> 10.10.20.10 TCP 443 (TLS ClientHello with SNI, \
               ServerHello, application data)",
        verdict: "documented (extron HTTPS 443)",
        keys: &[tcp("10.10.20.11:40112", "10.10.20.10:443", "SF")],
        expect: both(Expect::documented("extron.hardware.https")),
    },
    Flow {
        what: "Control PC 10.10.20.51:50523 -> ClearOne Converge Pro 10.10.20.20 TCP 23 \
               (Telnet option negotiation, login, #… commands)",
        verdict: "documented (clearone telnet 23)",
        keys: &[tcp("10.10.20.51:50523", "10.10.20.20:23", "SF")],
        expect: both(Expect::documented("clearone.converge-pro.telnet")),
    },
    Flow {
        what: "SNMP manager 10.10.20.60:50161 -> 10.10.20.20 UDP 161 GetRequest sysDescr/\
               sysUpTime, two requests with responses",
        verdict: "documented (clearone SNMP 161), answered",
        keys: &[udp("10.10.20.60:50161", "10.10.20.20:161", "SF")],
        expect: both(Expect::documented("clearone.converge-pro.snmp").without(&["no-reply"])),
    },
    Flow {
        what: "10.10.20.20 -> 10.10.20.60 UDP 162 SNMPv2-Trap linkUp",
        verdict: "documented (clearone SNMP traps 162); one-way by nature, not blocked",
        keys: &[udp("10.10.20.20:49500", "10.10.20.60:162", "S0")],
        expect: both(Expect::documented("clearone.converge-pro.snmp-trap").without(&["no-reply"])),
    },
    Flow {
        what: "10.10.20.20:123 -> NTP server 10.10.20.1:123, client request and server reply",
        verdict: "documented (clearone NTP 123), answered",
        keys: &[udp("10.10.20.20:123", "10.10.20.1:123", "SF")],
        expect: both(Expect::documented("clearone.converge-pro.ntp")),
    },
    Flow {
        what: "10.10.20.10:41000 -> DNS server 10.10.20.2 UDP 53, query for \
               time.room.example sent twice (0 s, 2 s), never answered",
        verdict: "blocked (request/response UDP service with no reply)",
        keys: &[udp("10.10.20.10:41000", "10.10.20.2:53", "S0")],
        expect: both(Expect::blocked("no-reply", Some("extron.hardware.dns"))),
    },
    Flow {
        what: "Avaya endpoint 10.10.30.21 -> Equinox media server 10.10.30.5 UDP 5060: SIP \
               INVITE with SDP (m=audio 20100, m=video 20102), 100 Trying, 180 Ringing, 200 OK \
               with SDP (m=audio 16400, m=video 12100), ACK; later BYE and 200 OK",
        verdict: "documented (avaya SIP 5060)",
        keys: &[udp("10.10.30.21:5060", "10.10.30.5:5060", "SF")],
        expect: both(Expect::documented(
            "avaya.media-server.from-sip-terminal.sip",
        )),
    },
    Flow {
        what: "RTP audio PCMU 10.10.30.21:20100 <-> 10.10.30.5:16400, 20 ms packets, fixed SSRC \
               per direction; the media server's stream misses sequence numbers 7 and 23",
        verdict: "documented (avaya audio RTP 16384-16984); RTP stream health: 2 lost in the \
                  media-server-to-endpoint direction, none the other way",
        keys: &[udp("10.10.30.21:20100", "10.10.30.5:16400", "SF")],
        expect: both(Expect::documented(
            "avaya.media-server.from-sip-terminal.audio",
        )),
    },
    Flow {
        what: "RTCP sender reports 10.10.30.21:20101 <-> 10.10.30.5:16401 and \
               10.10.30.21:20103 <-> 10.10.30.5:12101",
        verdict: "documented; RTCP paired with RTP on port + 1 (no `rtcp-not-paired`)",
        keys: &[
            udp("10.10.30.21:20101", "10.10.30.5:16401", "SF"),
            udp("10.10.30.21:20103", "10.10.30.5:12101", "SF")
                .rule("avaya.media-server.from-sip-terminal.video"),
        ],
        expect: both(Expect::documented(
            "avaya.media-server.from-sip-terminal.audio",
        )),
    },
    Flow {
        what: "RTP video H.264 (PT 97, 90 kHz) 10.10.30.21:20102 <-> 10.10.30.5:12100",
        verdict: "documented (avaya video RTP 12000-13200)",
        keys: &[udp("10.10.30.21:20102", "10.10.30.5:12100", "SF")],
        expect: both(Expect::documented(
            "avaya.media-server.from-sip-terminal.video",
        )),
    },
    Flow {
        what: "H.323 endpoint 10.10.30.22:49201 -> Equinox Management / ECS gatekeeper \
               10.10.30.6:1719 H.225 RAS registrationRequest, registrationConfirm back",
        verdict: "documented (avaya H.323 endpoint to gatekeeper RAS 1719), answered",
        keys: &[udp("10.10.30.22:49201", "10.10.30.6:1719", "SF")],
        expect: both(
            Expect::documented("avaya.xt-series.h323-ep.gatekeeper.ras").without(&["no-reply"]),
        ),
    },
    Flow {
        what: "10.10.30.22:49200 -> 10.10.30.6 TCP 1720 H.225/Q.931 over TPKT: setup, \
               callProceeding, alerting, connect, releaseComplete, FIN both ways",
        verdict: "documented (avaya H.323 endpoint to gatekeeper Q.931 1720)",
        keys: &[tcp("10.10.30.22:49200", "10.10.30.6:1720", "SF")],
        expect: both(Expect::documented(
            "avaya.xt-series.h323-ep.gatekeeper.q931",
        )),
    },
    Flow {
        what: "10.10.30.22:5060 -> SIP server 203.0.113.10:5060 UDP REGISTER (sent twice); \
               gateway 10.10.30.1 answers each with ICMP 3/13 quoting it",
        verdict: "blocked (ICMP communication administratively prohibited = filtered)",
        keys: &[udp("10.10.30.22:5060", "203.0.113.10:5060", "S0")],
        expect: both(Expect::blocked(
            "icmp-prohibited",
            Some("avaya.media-server.from-sip-terminal.sip"),
        )),
    },
    Flow {
        what: "10.10.30.21:49822 -> 10.10.30.5 TCP 443 SYN, retransmitted after 1 s, 2 s and \
               4 s with the same ISN, never answered",
        verdict: "blocked (SYN never answered; 3 retransmissions)",
        keys: &[tcp("10.10.30.21:49822", "10.10.30.5:443", "S0")],
        expect: both(Expect::blocked("syn-unanswered", None)),
    },
    Flow {
        what: "10.10.30.21:49823 -> 10.10.30.5 TCP 8080 SYN answered by RST-ACK",
        verdict: "blocked (SYN answered by RST: closed port or REJECT)",
        keys: &[tcp("10.10.30.21:49823", "10.10.30.5:8080", "REJ")],
        expect: both(Expect::blocked("reset", None)),
    },
    Flow {
        what: "Admin laptop 10.10.30.100:52011 -> 10.10.30.5 TCP 8085 HTTP GET /, 200 OK, \
               closed normally",
        verdict: "forbidden (Avaya media server port 8085 is 'Always blocked' and it \
                  succeeded)",
        keys: &[tcp("10.10.30.100:52011", "10.10.30.5:8085", "SF")],
        expect: Some((
            // docs/verdicts.md: without an inventory the 'Always blocked' rule
            // only adds `forbidden-if-product`; the other rules at 8085 cover
            // thousands of ports.
            Expect::undocumented()
                .with(&["forbidden-if-product", "wide-rule-only"])
                .without(&["forbidden"]),
            Expect::forbidden("avaya.media-server.blocked.http"),
        )),
    },
    Flow {
        what: "Control PC 10.10.20.51:40404 -> 10.10.20.20 UDP 1234, 5 datagrams, no reply",
        verdict: "undocumented (no rule lists UDP 1234 for the Converge Pro)",
        keys: &[udp("10.10.20.51:40404", "10.10.20.20:1234", "S0")],
        expect: Some((
            Expect::undocumented().with(&["wide-rule-only"]),
            Expect::undocumented().without(&["wide-rule-only"]),
        )),
    },
    Flow {
        what: "IGMPv3 general query from the switch 10.10.40.1 to 224.0.0.1 (interface 1)",
        verdict: "shows a querier is present on the Dante VLAN",
        keys: &[],
        expect: None,
    },
    Flow {
        what: "IGMPv3 reports (to 224.0.0.22) from Dante devices 10.10.40.12 and 10.10.40.13 \
               joining 239.255.10.1, 224.0.1.129, 224.0.0.251, 239.255.255.255 and 239.69.1.1",
        verdict: "joins for every multicast group used below (no `multicast-no-join`)",
        keys: &[],
        expect: None,
    },
    Flow {
        what: "Dante leader 10.10.40.11 PTPv1 (_DFLT) Sync to 224.0.1.129:319 and Follow_Up to \
               :320 every second; Delay_Req from 10.10.40.12/.13 to :319, Delay_Resp to :320",
        verdict: "documented (dante PTP 319/320 multicast); one grandmaster",
        keys: &[
            udp("10.10.40.11:319", "224.0.1.129:319", "S0"),
            udp("10.10.40.11:320", "224.0.1.129:320", "S0").rule("igloo.dante-audio.ptp.general"),
            udp("10.10.40.12:319", "224.0.1.129:319", "S0"),
            udp("10.10.40.13:319", "224.0.1.129:319", "S0"),
        ],
        expect: both(
            Expect::documented("igloo.dante-audio.ptp.event")
                .without(&["multicast-undocumented-group"]),
        ),
    },
    Flow {
        what: "10.10.40.11 PTPv2 domain 0: Announce every 2 s, Sync + Follow_Up every second, \
               to 224.0.1.129:319/320",
        verdict: "documented (dante PTP); one grandmaster in domain 0",
        keys: &[
            udp("10.10.40.11:319", "224.0.1.129:319", "S0"),
            udp("10.10.40.11:320", "224.0.1.129:320", "S0").rule("igloo.dante-audio.ptp.general"),
        ],
        expect: both(
            Expect::documented("igloo.dante-audio.ptp.event")
                .without(&["multicast-undocumented-group"]),
        ),
    },
    Flow {
        what: "10.10.40.11:4321 -> 239.255.10.1:4321 Dante multicast audio, 30 packets 10 ms \
               apart",
        verdict: "documented (dante multicast audio 4321)",
        keys: &[udp("10.10.40.11:4321", "239.255.10.1:4321", "S0")],
        expect: both(Expect::documented("igloo.dante-audio.multicast-audio")),
    },
    Flow {
        what: "mDNS 224.0.0.251:5353: query for _netaudio-arc._udp.local from 10.10.40.12, \
               answers from 10.10.40.11 and 10.10.40.13",
        verdict: "documented (dante mDNS discovery); `discovery` findings for Dante devices",
        keys: &[
            udp("10.10.40.12:5353", "224.0.0.251:5353", "S0"),
            udp("10.10.40.11:5353", "224.0.0.251:5353", "S0"),
            udp("10.10.40.13:5353", "224.0.0.251:5353", "S0"),
        ],
        expect: both(Expect::documented("igloo.dante-audio.mdns")),
    },
    Flow {
        what: "SAP 10.10.40.11 -> 239.255.255.255:9875 announcing an AES67 session \
               (239.69.1.1:5004, L24/48000/2, ptime 1)",
        verdict: "documented (dante SAP 9875)",
        keys: &[udp("10.10.40.11:9875", "239.255.255.255:9875", "S0")],
        expect: both(Expect::documented("igloo.dante-audio.sap")),
    },
    Flow {
        what: "AES67 RTP 10.10.40.11:5004 -> 239.69.1.1:5004, PT 96, 48 samples per packet, \
               20 packets",
        verdict: "documented (dante AES67 5004 multicast)",
        keys: &[udp("10.10.40.11:5004", "239.69.1.1:5004", "S0")],
        expect: both(Expect::documented("igloo.dante-audio.aes67")),
    },
];

/// Start of the demo: one hour after the other fixtures.
const DEMO_T0: i64 = T0_NS + 3_600_000_000_000;

/// Milliseconds after the demo start.
fn at_ms(ms: u64) -> i64 {
    DEMO_T0 + ms as i64 * 1_000_000
}

/// Microseconds after the demo start.
fn at_us(us: u64) -> i64 {
    DEMO_T0 + us as i64 * 1_000
}

const TRUNK: u32 = 0;
const DANTE_PORT: u32 = 1;

/// Deterministic filler standing in for encrypted bytes (xorshift32).
fn ciphertext(seed: u32, len: usize) -> Vec<u8> {
    let mut x = seed | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            (x >> 24) as u8
        })
        .collect()
}

/// An SSH binary packet (RFC 4253 §6) of message `msg` with `payload`,
/// padded to a multiple of 8 with at least 4 octets of padding.
fn ssh_packet(msg: u8, payload: &[u8], seed: u32) -> Vec<u8> {
    let body = 1 + payload.len();
    let mut pad = 8 - (4 + 1 + body) % 8;
    if pad < 4 {
        pad += 8;
    }
    let len = 1 + body + pad;
    let mut v = (len as u32).to_be_bytes().to_vec();
    v.push(pad as u8);
    v.push(msg);
    v.extend_from_slice(payload);
    v.extend_from_slice(&ciphertext(seed, pad));
    v
}

fn ssh_kexinit(seed: u32) -> Vec<u8> {
    let mut p = ciphertext(seed, 16); // cookie
    for list in [
        "curve25519-sha256,ecdh-sha2-nistp256",
        "ssh-ed25519,rsa-sha2-256",
        "aes128-ctr,aes256-ctr",
        "aes128-ctr,aes256-ctr",
        "hmac-sha2-256",
        "hmac-sha2-256",
        "none",
        "none",
        "",
        "",
    ] {
        p.extend_from_slice(&(list.len() as u32).to_be_bytes());
        p.extend_from_slice(list.as_bytes());
    }
    p.push(0); // first_kex_packet_follows
    p.extend_from_slice(&[0, 0, 0, 0]);
    ssh_packet(20, &p, seed ^ 0x55)
}

/// An SSH session: banners, KEXINIT both ways, then `rounds` encrypted
/// request/response exchanges.
fn ssh_session(cap: &mut Capture, conn: &mut Conn<'_>, t_ms: u64, rounds: u32, seed: u32) -> u64 {
    conn.open(cap, at_ms(t_ms));
    let mut t = t_ms + 3;
    conn.s_data(cap, at_ms(t), b"SSH-2.0-OpenSSH_8.4 Extron\r\n");
    t += 2;
    conn.c_data(cap, at_ms(t), b"SSH-2.0-GlobalConfigurator_3.14\r\n");
    t += 2;
    conn.c_data(cap, at_ms(t), &ssh_kexinit(seed));
    t += 1;
    conn.s_ack(cap, at_ms(t));
    t += 2;
    conn.s_data(cap, at_ms(t), &ssh_kexinit(seed + 1));
    for r in 0..rounds {
        t += 20;
        let req = ciphertext(seed + 10 + r, 64 + 16 * (r as usize % 3));
        conn.c_data(cap, at_ms(t), &req);
        t += 4;
        let resp = ciphertext(seed + 100 + r, 128 + 48 * (r as usize % 4));
        conn.s_data(cap, at_ms(t), &resp);
        t += 1;
        conn.c_ack(cap, at_ms(t));
    }
    t += 30;
    conn.close(cap, at_ms(t));
    t + 2
}

/// A TLS 1.2 record.
fn tls_record(content_type: u8, body: &[u8]) -> Vec<u8> {
    let mut v = vec![content_type, 0x03, 0x03];
    v.extend_from_slice(&(body.len() as u16).to_be_bytes());
    v.extend_from_slice(body);
    v
}

fn tls_client_hello(sni: &str) -> Vec<u8> {
    let mut hello = vec![0x03, 0x03];
    hello.extend_from_slice(&ciphertext(0x7A11, 32)); // random
    hello.push(0); // session id
    hello.extend_from_slice(&[0x00, 0x04, 0xC0, 0x2F, 0xC0, 0x30]); // two suites
    hello.extend_from_slice(&[0x01, 0x00]); // null compression
    let mut sni_ext = Vec::new();
    let name = sni.as_bytes();
    sni_ext.extend_from_slice(&((name.len() + 3) as u16).to_be_bytes());
    sni_ext.push(0);
    sni_ext.extend_from_slice(&(name.len() as u16).to_be_bytes());
    sni_ext.extend_from_slice(name);
    let mut exts = vec![0x00, 0x00];
    exts.extend_from_slice(&(sni_ext.len() as u16).to_be_bytes());
    exts.extend_from_slice(&sni_ext);
    hello.extend_from_slice(&(exts.len() as u16).to_be_bytes());
    hello.extend_from_slice(&exts);
    let mut hs = vec![0x01];
    hs.extend_from_slice(&(hello.len() as u32).to_be_bytes()[1..]);
    hs.extend_from_slice(&hello);
    let mut rec = tls_record(0x16, &hs);
    rec[2] = 0x01; // ClientHello record version TLS 1.0, as clients send it
    rec
}

fn tls_server_hello() -> Vec<u8> {
    let mut hello = vec![0x03, 0x03];
    hello.extend_from_slice(&ciphertext(0x5E4B, 32));
    hello.push(0);
    hello.extend_from_slice(&[0xC0, 0x2F, 0x00, 0x00, 0x00]); // suite, compression, no exts
    let mut hs = vec![0x02];
    hs.extend_from_slice(&(hello.len() as u32).to_be_bytes()[1..]);
    hs.extend_from_slice(&hello);
    let mut v = tls_record(0x16, &hs);
    v.extend_from_slice(&tls_record(0x16, &ciphertext(0xCE47, 300))); // certificate (opaque)
    v.extend_from_slice(&tls_record(0x14, &[0x01]));
    v
}

/// Builds the demo capture and its fixture entry.
pub fn room() -> Fixture {
    let mut cap = Capture::default();
    let v20 = Some(20);
    let v30 = Some(30);

    // VLAN 20 — control.
    let gw20 = Host::new([10, 10, 20, 1], v20, TRUNK, 64);
    let cp = Host::new([10, 10, 20, 10], v20, TRUNK, 64);
    let panel = Host::new([10, 10, 20, 11], v20, TRUNK, 64);
    let dsp = Host::new([10, 10, 20, 20], v20, TRUNK, 64);
    let gc_pc = Host::new([10, 10, 20, 50], v20, TRUNK, 128);
    let ctl_pc = Host::new([10, 10, 20, 51], v20, TRUNK, 128);
    let nms = Host::new([10, 10, 20, 60], v20, TRUNK, 64);
    // VLAN 30 — conferencing.
    let gw30 = Host::new([10, 10, 30, 1], v30, TRUNK, 255);
    let ms = Host::new([10, 10, 30, 5], v30, TRUNK, 64);
    let ecs = Host::new([10, 10, 30, 6], v30, TRUNK, 64);
    let ep_a = Host::new([10, 10, 30, 21], v30, TRUNK, 64);
    let ep_b = Host::new([10, 10, 30, 22], v30, TRUNK, 64);
    let admin = Host::new([10, 10, 30, 100], v30, TRUNK, 128);
    // VLAN 40 — Dante, seen untagged on the access port.
    let sw40 = Host::new([10, 10, 40, 1], None, DANTE_PORT, 1);
    let d11 = Host::new([10, 10, 40, 11], None, DANTE_PORT, 1);
    let d12 = Host::new([10, 10, 40, 12], None, DANTE_PORT, 1);
    let d13 = Host::new([10, 10, 40, 13], None, DANTE_PORT, 1);

    // --- Extron discovery -------------------------------------------------
    for k in 0..3u64 {
        let msg = format!(
            "EXTRON-DISCOVERY\x00model=IPCP Pro 350\x00ip=10.10.20.10\x00mac=02:50:0a:0a:14:0a\x00seq={k}\x00"
        );
        cap.udp(
            at_ms(20 + 5000 * k),
            &cp,
            To::Broadcast([255, 255, 255, 255]),
            (4502, 4502),
            0,
            msg.as_bytes(),
        );
    }
    cap.udp(
        at_ms(300),
        &gc_pc,
        To::Broadcast([10, 10, 20, 255]),
        (51299, 4502),
        0,
        b"EXTRON-DISCOVER?\x00from=Global Configurator Professional\x00",
    );
    cap.udp(
        at_ms(302),
        &cp,
        To::Host(&gc_pc),
        (4502, 51299),
        0,
        b"EXTRON-DISCOVERY\x00model=IPCP Pro 350\x00name=ROOM-CP\x00fw=3.14.0001\x00",
    );

    // --- GC PC: SSH 4503 and SFTP 4522 -----------------------------------
    let mut ssh = Conn::new(&gc_pc, &cp, 51300, 4503, 0x1A2B_3C4D, 0x0BAD_F00D);
    let t = ssh_session(&mut cap, &mut ssh, 500, 3, 0x4503);
    let mut sftp = Conn::new(&gc_pc, &cp, 51301, 4522, 0x2233_4455, 0x6677_8899);
    ssh_session(&mut cap, &mut sftp, t + 50, 4, 0x4522);

    // --- Touchpanel HTTPS 443 ---------------------------------------------
    let mut https = Conn::new(&panel, &cp, 40112, 443, 0x0443_0001, 0x0443_8001);
    https.open(&mut cap, at_ms(1400));
    https.c_data(
        &mut cap,
        at_ms(1402),
        &tls_client_hello("room-cp.av.example"),
    );
    https.s_data(&mut cap, at_ms(1405), &tls_server_hello());
    https.c_data(
        &mut cap,
        at_ms(1409),
        &tls_record(0x16, &ciphertext(0xC1E7, 70)),
    );
    https.s_data(&mut cap, at_ms(1411), &tls_record(0x14, &[0x01]));
    https.c_data(
        &mut cap,
        at_ms(1413),
        &tls_record(0x17, &ciphertext(0xA11, 180)),
    );
    https.s_data(
        &mut cap,
        at_ms(1420),
        &tls_record(0x17, &ciphertext(0xB22, 420)),
    );
    https.c_ack(&mut cap, at_ms(1421));
    https.close(&mut cap, at_ms(1500));

    // --- ClearOne: Telnet 23 ----------------------------------------------
    let mut telnet = Conn::new(&ctl_pc, &dsp, 50523, 23, 0x2323_0000, 0x7E1E_0000);
    telnet.open(&mut cap, at_ms(1700));
    telnet.s_data(&mut cap, at_ms(1703), &[0xFF, 0xFB, 0x01, 0xFF, 0xFB, 0x03]);
    telnet.c_data(&mut cap, at_ms(1704), &[0xFF, 0xFD, 0x01, 0xFF, 0xFD, 0x03]);
    telnet.s_data(&mut cap, at_ms(1706), b"Converge Pro 880T\r\nuser: ");
    telnet.c_data(&mut cap, at_ms(1900), b"clearone\r");
    telnet.s_data(&mut cap, at_ms(1902), b"\r\npass: ");
    telnet.c_data(&mut cap, at_ms(2100), b"converge\r");
    telnet.s_data(&mut cap, at_ms(2103), b"\r\nAuthenticated.\r\n");
    telnet.c_data(&mut cap, at_ms(2300), b"#30 VER\r");
    telnet.s_data(&mut cap, at_ms(2302), b"#30 VER 4.4.0.2\r\n");
    telnet.c_data(&mut cap, at_ms(2500), b"#30 GAIN 1 I -5 A\r");
    telnet.s_data(&mut cap, at_ms(2502), b"#30 GAIN 1 I -5.00 A\r\n");
    telnet.c_ack(&mut cap, at_ms(2503));
    telnet.close(&mut cap, at_ms(2700));

    // --- ClearOne: SNMP 161 / trap 162, NTP 123 ---------------------------
    let sys_descr: &[u32] = &[1, 3, 6, 1, 2, 1, 1, 1, 0];
    let sys_uptime: &[u32] = &[1, 3, 6, 1, 2, 1, 1, 3, 0];
    for (k, req_id) in [(0u64, 0x3A01u32), (1, 0x3A02)] {
        let t = 2800 + 1000 * k;
        let get = apps::snmp_v2c(
            0xA0,
            req_id,
            &[
                (sys_descr, apps::ber_null()),
                (sys_uptime, apps::ber_null()),
            ],
        );
        cap.udp(at_ms(t), &nms, To::Host(&dsp), (50161, 161), 0, &get);
        let resp = apps::snmp_v2c(
            0xA2,
            req_id,
            &[
                (sys_descr, apps::ber_string("ClearOne Converge Pro 880T")),
                (sys_uptime, apps::ber_timeticks(8_640_000 + 100 * k as u32)),
            ],
        );
        let t_resp = at_us(t * 1000 + 2100);
        cap.udp(t_resp, &dsp, To::Host(&nms), (161, 50161), 0, &resp);
    }
    let trap = apps::snmp_link_up_trap(0x3A10, 8_640_250);
    cap.udp(at_ms(4300), &dsp, To::Host(&nms), (49500, 162), 0, &trap);
    let now_s = (DEMO_T0 / 1_000_000_000) as u32;
    let (request, reply) = (apps::ntp(3, 0, now_s + 3), apps::ntp(4, 2, now_s + 3));
    cap.udp(at_ms(3100), &dsp, To::Host(&gw20), (123, 123), 0, &request);
    let t_reply = at_us(3_101_200);
    cap.udp(t_reply, &gw20, To::Host(&dsp), (123, 123), 0, &reply);

    // --- DNS query never answered ------------------------------------------
    let dns = apps::dns_query(0x6D6E, "time.room.example.", 1);
    let resolver = [10, 10, 20, 2];
    for t in [3500u64, 5500] {
        cap.udp(
            at_ms(t),
            &cp,
            To::Via(&gw20, resolver),
            (41000, 53),
            0,
            &dns,
        );
    }

    // --- SIP call with RTP/RTCP --------------------------------------------
    sip_call(&mut cap, &ep_a, &ms);

    // --- H.323: RAS and call signalling ------------------------------------
    h323(&mut cap, &ep_b, &ecs);

    // --- SIP REGISTER refused by ICMP 3/13 ---------------------------------
    let sip_server = [203, 0, 113, 10];
    for t in [7000u64, 7500] {
        let register = apps::sip(
            "REGISTER sip:sip.provider.example SIP/2.0",
            &[
                (
                    "Via",
                    "SIP/2.0/UDP 10.10.30.22:5060;branch=z9hG4bK-reg-1;rport".to_string(),
                ),
                ("Max-Forwards", "70".to_string()),
                (
                    "From",
                    "<sip:3002@sip.provider.example>;tag=r3g1".to_string(),
                ),
                ("To", "<sip:3002@sip.provider.example>".to_string()),
                ("Call-ID", "reg-5a7f@10.10.30.22".to_string()),
                ("CSeq", "1 REGISTER".to_string()),
                ("Contact", "<sip:3002@10.10.30.22:5060>".to_string()),
                ("Expires", "3600".to_string()),
            ],
            "",
        );
        let h = ep_b.ip4(sip_server).dscp(24);
        let udp = packet::udp4(&h, 5060, 5060, &register);
        cap.emit(at_ms(t), &ep_b, To::Via(&gw30, sip_server), 3, &udp);
        let icmp = packet::icmp4_unreachable(&gw30.ip4(ep_b.ip).df(false), 13, &udp.bytes);
        cap.emit(at_us(t * 1000 + 800), &gw30, To::Host(&ep_b), 0, &icmp);
    }

    // --- TCP 443 SYN never answered (1 s, 2 s, 4 s back-off) ---------------
    let lost = Conn::new(&ep_a, &ms, 49822, 443, 0x5EED_0443, 0);
    for t in [8000u64, 9000, 11000, 15000] {
        lost.syn(&mut cap, at_ms(t));
    }

    // --- TCP 8080 SYN answered by RST ---------------------------------------
    let refused = Conn::new(&ep_a, &ms, 49823, 8080, 0x5EED_8080, 0);
    refused.syn(&mut cap, at_ms(8200));
    refused.rst_ack(&mut cap, at_us(8_200_350));

    // --- HTTP to the always-blocked admin port 8085 ------------------------
    let mut web = Conn::new(&admin, &ms, 52011, 8085, 0x8085_0001, 0x8085_9001);
    web.open(&mut cap, at_ms(9500));
    web.c_data(
        &mut cap,
        at_ms(9502),
        b"GET / HTTP/1.1\r\nHost: 10.10.30.5:8085\r\nUser-Agent: Mozilla/5.0\r\nAccept: text/html\r\n\r\n",
    );
    web.s_data(
        &mut cap,
        at_ms(9510),
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 64\r\n\r\n<html><head><title>MCU Administrator</title></head></html>\r\n\r\n",
    );
    web.c_ack(&mut cap, at_ms(9511));
    web.close(&mut cap, at_ms(9600));

    // --- Undocumented UDP flow ----------------------------------------------
    for k in 0..5u64 {
        let (t, poll) = (at_ms(10_000 + 200 * k), format!("poll {k}\r"));
        cap.udp(
            t,
            &ctl_pc,
            To::Host(&dsp),
            (40404, 1234),
            0,
            poll.as_bytes(),
        );
    }

    // --- Dante VLAN ---------------------------------------------------------
    dante(&mut cap, &sw40, &d11, &d12, &d13);

    // Write the capture: events in time order (stable for equal times).
    cap.events.sort_by_key(|e| e.ts);
    let mut w = PcapngWriter::new();
    w.shb(
        Endian::Little,
        &[
            Opt::new(2, b"commissioning laptop"),
            Opt::new(3, b"Linux 6.1"),
            Opt::new(4, b"portmatrix-fixgen"),
            Opt::comment(
                "Room 4.12 commissioning, mirror of the room trunk and a Dante access port",
            ),
        ],
    );
    w.idb(
        linktype::ETHERNET,
        262_144,
        &IdbOptions {
            name: Some("enp0s31f6".into()),
            description: Some("mirror of room trunk (VLAN 20, 30 tagged)".into()),
            ..IdbOptions::default()
        },
    );
    w.idb(
        linktype::ETHERNET,
        65535,
        &IdbOptions {
            name: Some("enx00e04c680001".into()),
            description: Some("Dante VLAN 40 access port".into()),
            tsresol: Some(crate::pcapng::TsResol::Dec(9)),
            ..IdbOptions::default()
        },
    );
    for e in &cap.events {
        w.epb(e.iface, e.ts, &e.frame);
    }
    let (bytes, ledger) = w.finish();
    Fixture {
        dir: "demo",
        name: "room.pcapng".to_string(),
        bytes,
        gzip: false,
        expected: ledger.expected("pcapng"),
        maker: "demo::room",
        contents: "commissioning capture of an AV room (see the flow table below): Extron \
                   control processor, ClearOne Converge Pro, Avaya Equinox media server, \
                   Equinox Management (ECS gatekeeper) and two endpoints, Dante devices; interface 0 = tagged trunk mirror, interface \
                   1 = Dante access port (ns timestamps)"
            .to_string(),
        produces: "the input summary below; the verdicts of the flow table".to_string(),
    }
}

fn sip_call(cap: &mut Capture, ep: &Host, ms: &Host) {
    // Every packet of the call goes between the endpoint and the media
    // server; `ports` are (the endpoint's, the media server's).
    let send =
        |cap: &mut Capture, t_us: u64, from_ep: bool, ports: (u16, u16), dscp, msg: &[u8]| {
            let (src, dst, ports) = if from_ep {
                (ep, ms, ports)
            } else {
                (ms, ep, (ports.1, ports.0))
            };
            cap.udp(at_us(t_us), src, To::Host(dst), ports, dscp, msg);
        };

    let via = "SIP/2.0/UDP 10.10.30.21:5060;branch=z9hG4bK-74bf9-1;rport";
    let from = "\"Room 4.12\" <sip:3001@10.10.30.5>;tag=9fxced76sl";
    let to = "<sip:4001@10.10.30.5>";
    let to_tag = "<sip:4001@10.10.30.5>;tag=314159";
    let call_id = "3848276298220188511@10.10.30.21";
    let common = |cseq: &str, to: &str| -> Vec<(&'static str, String)> {
        vec![
            ("Via", via.to_string()),
            ("From", from.to_string()),
            ("To", to.to_string()),
            ("Call-ID", call_id.to_string()),
            ("CSeq", cseq.to_string()),
        ]
    };
    // A request from the endpoint starts with Max-Forwards.
    let request = |cseq: &str, to: &str| {
        let mut h = vec![("Max-Forwards", "70".to_string())];
        h.extend(common(cseq, to));
        h
    };
    let sip = |cap: &mut Capture, t_us, from_ep, start: &str, headers: &[_], body: &str| {
        let msg = apps::sip(start, headers, body);
        send(cap, t_us, from_ep, (5060, 5060), 24, &msg);
    };
    let offer = apps::sdp_av(1_700_003_600, "room412", "10.10.30.21", 20100, 20102);
    let answer = apps::sdp_av(4_242, "equinox", "10.10.30.5", 16400, 12100);

    let mut invite = request("1 INVITE", to);
    invite.push(("Contact", "<sip:3001@10.10.30.21:5060>".to_string()));
    invite.push(("Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS".to_string()));
    invite.push(("User-Agent", "Avaya Equinox H.323/SIP endpoint".to_string()));
    let mut ok = common("1 INVITE", to_tag);
    ok.push(("Contact", "<sip:4001@10.10.30.5:5060>".to_string()));
    // (time in µs, from the endpoint, start line, headers, body)
    let setup = [
        (
            3_800_000,
            true,
            "INVITE sip:4001@10.10.30.5 SIP/2.0",
            invite,
            &offer[..],
        ),
        (
            3_802_000,
            false,
            "SIP/2.0 100 Trying",
            common("1 INVITE", to),
            "",
        ),
        (
            3_830_000,
            false,
            "SIP/2.0 180 Ringing",
            common("1 INVITE", to_tag),
            "",
        ),
        (3_900_000, false, "SIP/2.0 200 OK", ok, &answer[..]),
        (
            3_905_000,
            true,
            "ACK sip:4001@10.10.30.5:5060 SIP/2.0",
            request("1 ACK", to_tag),
            "",
        ),
    ];
    for (t, from_ep, start, headers, body) in &setup {
        sip(cap, *t, *from_ep, start, headers, body);
    }

    // Audio: 60 packets each way, 20 ms apart, PCMU (160 samples). Per
    // direction: (from the endpoint, delay in µs, first sequence number,
    // first timestamp, SSRC, payload seed).
    let (ssrc_ep, ssrc_ms) = (0x3001_A0D1u32, 0x4001_E1F0u32);
    let audio = [
        (true, 0, 1000, 8000, ssrc_ep, 0x0A00),
        (false, 7_300, 30_000, 96_000, ssrc_ms, 0x0B00),
    ];
    for i in 0..60u16 {
        let t = 3_920_000 + u64::from(i) * 20_000;
        for (from_ep, delay, seq, ts, ssrc, seed) in audio {
            if !from_ep && (i == 7 || i == 23) {
                continue; // lost before the mirror port
            }
            let payload = ciphertext(seed + u32::from(i), 160);
            let rtp = apps::rtp(0, i == 0, seq + i, ts + 160 * u32::from(i), ssrc, &payload);
            send(cap, t + delay, from_ep, (20100, 16400), 46, &rtp);
        }
    }
    // Video: 10 packets each way, one frame every 100 ms (9000 ticks). Per
    // direction as for audio, and the NAL unit header.
    let (vssrc_ep, vssrc_ms) = (0x3001_B0D1u32, 0x4001_F1F0u32);
    let video = [
        (true, 0, 500, 90_000, vssrc_ep, 0x0C00, 0x65),
        (false, 11_000, 7000, 450_000, vssrc_ms, 0x0D00, 0x41),
    ];
    for i in 0..10u16 {
        let t = 3_950_000 + u64::from(i) * 100_000;
        for (from_ep, delay, seq, ts, ssrc, seed, nal_header) in video {
            let mut nal = vec![nal_header];
            nal.extend_from_slice(&ciphertext(seed + u32::from(i), 240));
            let rtp = apps::rtp(97, true, seq + i, ts + 9000 * u32::from(i), ssrc, &nal);
            send(cap, t + delay, from_ep, (20102, 12100), 34, &rtp);
        }
    }
    // RTCP sender reports, audio and video, both directions.
    let ntp_s = (DEMO_T0 / 1_000_000_000) as u32 + 2_208_988_800;
    for (k, t) in [(0u32, 4_400_000u64), (1, 5_100_000)] {
        let sr = apps::rtcp_sr_sdes(
            ssrc_ep,
            ntp_s + 4 + k,
            8000 + 4000 * (k + 1),
            25 + 35 * k,
            4000 + 5600 * k,
            "room412@10.10.30.21",
        );
        send(cap, t, true, (20101, 16401), 46, &sr);
        let sr = apps::rtcp_sr_sdes(
            ssrc_ms,
            ntp_s + 4 + k,
            96_000 + 4000 * (k + 1),
            24 + 34 * k,
            3840 + 5440 * k,
            "equinox@10.10.30.5",
        );
        send(cap, t + 3_000, false, (20101, 16401), 46, &sr);
    }
    let cname = "room412@10.10.30.21";
    let sr = apps::rtcp_sr_sdes(vssrc_ep, ntp_s + 5, 180_000, 10, 2410, cname);
    send(cap, 4_900_000, true, (20103, 12101), 34, &sr);
    let rr = apps::rtcp_rr_sdes(vssrc_ms, vssrc_ep, 0, 509, 12, "equinox@10.10.30.5");
    send(cap, 4_903_000, false, (20103, 12101), 34, &rr);

    // BYE and its 200 OK.
    let bye = [
        (
            5_200_000,
            true,
            "BYE sip:4001@10.10.30.5:5060 SIP/2.0",
            request("2 BYE", to_tag),
        ),
        (5_203_000, false, "SIP/2.0 200 OK", common("2 BYE", to_tag)),
    ];
    for (t, from_ep, start, headers) in &bye {
        sip(cap, *t, *from_ep, start, headers, "");
    }
}

fn h323(cap: &mut Capture, ep: &Host, gk: &Host) {
    let rrq = apps::h225_rrq(77, ep.ip, "3002");
    cap.udp(at_ms(6000), ep, To::Host(gk), (49201, 1719), 24, &rrq);
    let rcf = apps::h225_rcf(77, gk.ip, "EP3002");
    cap.udp(at_ms(6004), gk, To::Host(ep), (1719, 49201), 24, &rcf);
    let mut call = Conn::new(ep, gk, 49200, 1720, 0x1720_0001, 0x1720_9001);
    call.dscp = 24;
    call.open(cap, at_ms(6100));
    let conf: [u8; 16] = ciphertext(0x0323, 16).try_into().expect("16 octets");
    // The Q.931 message carrying each H.225.0 body, sent by the caller or
    // (`from_gk`) by the gatekeeper.
    let signal = |from_gk: bool, body: u8| {
        let msg_type = match body {
            uuie::SETUP => q931::SETUP,
            uuie::CALL_PROCEEDING => q931::CALL_PROCEEDING,
            uuie::ALERTING => q931::ALERTING,
            uuie::CONNECT => q931::CONNECT,
            _ => q931::RELEASE_COMPLETE,
        };
        let ies = apps::q931_ies(&apps::h225_uuie(body, conf));
        apps::tpkt_q931(0x0042, from_gk, msg_type, &ies)
    };
    call.c_data(cap, at_ms(6103), &signal(false, uuie::SETUP));
    call.s_data(cap, at_ms(6108), &signal(true, uuie::CALL_PROCEEDING));
    call.s_data(cap, at_ms(6200), &signal(true, uuie::ALERTING));
    call.s_data(cap, at_ms(6900), &signal(true, uuie::CONNECT));
    call.c_ack(cap, at_ms(6901));
    call.c_data(cap, at_ms(6950), &signal(false, uuie::RELEASE_COMPLETE));
    call.close(cap, at_ms(6960));
}

fn dante(cap: &mut Capture, sw: &Host, d11: &Host, d12: &Host, d13: &Host) {
    let all_hosts = [224, 0, 0, 1];
    let reports = [224, 0, 0, 22];
    let ptp_group = [224, 0, 1, 129];
    let audio_group = [239, 255, 10, 1];
    let mdns_group = [224, 0, 0, 251];
    let sap_group = [239, 255, 255, 255];
    let aes67_group = [239, 69, 1, 1];

    // Querier and joins.
    let q = packet::igmp4(
        &sw.ip4(all_hosts).router_alert().df(false).dscp(48),
        &igmp::v3_query(100, [0; 4], &[]),
    );
    cap.emit(at_ms(100), sw, To::Group(all_hosts), 0, &q);
    for (k, d) in [d12, d13].iter().enumerate() {
        let mut groups: Vec<[u8; 4]> = vec![audio_group, ptp_group, mdns_group, sap_group];
        if k == 1 {
            groups.push(aes67_group);
        }
        let records: Vec<igmp::GroupRecord<'_>> = groups
            .iter()
            .map(|g| (igmp::CHANGE_TO_EXCLUDE, *g, &[][..]))
            .collect();
        let r = packet::igmp4(
            &d.ip4(reports).router_alert().df(false).dscp(48),
            &igmp::v3_report(&records),
        );
        cap.emit(at_ms(200 + 100 * k as u64), d, To::Group(reports), 0, &r);
    }

    // PTP event messages go to port 319 with DSCP 56, general messages to
    // port 320 with DSCP 46.
    let event = |cap: &mut Capture, ts, from, msg: &[u8]| {
        to_group(cap, ts, from, ptp_group, 319, 56, msg);
    };
    let general = |cap: &mut Capture, ts, from, msg: &[u8]| {
        to_group(cap, ts, from, ptp_group, 320, 46, msg);
    };

    // PTPv1 from the leader, Delay_Req from followers.
    let leader_mac = d11.mac;
    for k in 0..15u16 {
        let t = 50_000 + u64::from(k) * 1_000_000;
        let sync = apps::ptp_v1(ptp1::SYNC, leader_mac, k, 0, leader_mac);
        event(cap, at_us(t), d11, &sync);
        let fu = apps::ptp_v1(ptp1::FOLLOW_UP, leader_mac, k, 0, leader_mac);
        general(cap, at_us(t + 150), d11, &fu);
        if k % 4 == 1 {
            let f = if k % 8 == 1 { d12 } else { d13 };
            let dreq = apps::ptp_v1(ptp1::DELAY_REQ, f.mac, k / 4, 0, leader_mac);
            event(cap, at_us(t + 240_000), f, &dreq);
            let dresp = apps::ptp_v1(ptp1::DELAY_RESP, leader_mac, k / 4, 0, leader_mac);
            general(cap, at_us(t + 240_400), d11, &dresp);
        }
    }
    // PTPv2 domain 0 from the same leader (EUI-64 from its MAC).
    let clock = apps::ptp_clock_id(leader_mac);
    for k in 0..15u16 {
        let t = 80_000 + u64::from(k) * 1_000_000;
        if k % 2 == 0 {
            let ann = apps::ptp_v2(ptp2::ANNOUNCE, 0, clock, k / 2, 1);
            general(cap, at_us(t), d11, &ann);
        }
        let sync = apps::ptp_v2(ptp2::SYNC, 0, clock, k, 0);
        event(cap, at_us(t + 500), d11, &sync);
        let fu = apps::ptp_v2(ptp2::FOLLOW_UP, 0, clock, k, 0);
        general(cap, at_us(t + 650), d11, &fu);
    }

    // Dante multicast audio: 2 channels, 16 samples of 24-bit PCM per packet.
    for k in 0..30u32 {
        let mut p = vec![0x44, 0x41, 0x01, 0x02];
        p.extend_from_slice(&k.to_be_bytes());
        p.extend_from_slice(&(k * 16).to_be_bytes());
        p.extend_from_slice(&[0, 0, 0, 0]);
        p.extend_from_slice(&ciphertext(0xDA00 + k, 2 * 16 * 3));
        let t = 1_000_000 + u64::from(k) * 10_000;
        to_group(cap, at_us(t), d11, audio_group, 4321, 46, &p);
    }

    // mDNS: a query, then two devices announcing themselves.
    let svc = "_netaudio-arc._udp.local";
    let query = apps::mdns_ptr_query(svc);
    to_group(cap, at_ms(600), d12, mdns_group, 5353, 0, &query);
    let stage = apps::mdns_announce(svc, "AVIO-Stage", "AVIO-Stage.local", 4440, d11.ip);
    to_group(cap, at_ms(602), d11, mdns_group, 5353, 0, &stage);
    let wallplate = apps::mdns_announce(svc, "Wallplate-2", "Wallplate-2.local", 4440, d13.ip);
    to_group(cap, at_ms(604), d13, mdns_group, 5353, 0, &wallplate);

    // SAP announcing an AES67 session, and the session's RTP.
    let sdp = "v=0\r\n\
               o=- 1311738121 1311738121 IN IP4 10.10.40.11\r\n\
               s=AVIO-Stage : 32\r\n\
               c=IN IP4 239.69.1.1/32\r\n\
               t=0 0\r\n\
               a=keywds:Dante\r\n\
               m=audio 5004 RTP/AVP 96\r\n\
               i=2 channels: 01, 02\r\n\
               a=recvonly\r\n\
               a=rtpmap:96 L24/48000/2\r\n\
               a=ptime:1\r\n\
               a=ts-refclk:ptp=IEEE1588-2008:02-50-0A-FF-FE-0A-28-0B:0\r\n\
               a=mediaclk:direct=0\r\n";
    let sap = apps::sap_announce(0x5A1E, d11.ip, sdp);
    for t in [700u64, 10_700] {
        to_group(cap, at_ms(t), d11, sap_group, 9875, 0, &sap);
    }
    for k in 0..20u32 {
        let rtp = apps::rtp(
            96,
            false,
            (4000 + k) as u16,
            480_000 + 48 * k,
            0x0A28_0B01,
            &ciphertext(0xAE00 + k, 48 * 2 * 3),
        );
        let t = 2_000_000 + u64::from(k) * 1_000;
        to_group(cap, at_us(t), d11, aes67_group, 5004, 46, &rtp);
    }
}

/// A datagram from `from` to the multicast `group`, from `port` to the
/// same port.
fn to_group(
    cap: &mut Capture,
    ts: i64,
    from: &Host,
    group: [u8; 4],
    port: u16,
    dscp: u8,
    msg: &[u8],
) {
    cap.udp(ts, from, To::Group(group), (port, port), dscp, msg);
}

/// The devices of the site inventory.
const DEVICES: &[Device] = &[
    Device {
        name: "room-cp",
        roles: &["extron.control-processor"],
        addresses: &["10.10.20.10"],
        note: "Extron IPCP Pro 350 control processor",
    },
    Device {
        name: "room-touchpanel",
        roles: &["extron.control-processor"],
        addresses: &["10.10.20.11"],
        note: "Extron TLP Pro touchpanel (same port table as the processors)",
    },
    Device {
        name: "gc-pc",
        roles: &["extron.configurator-pc"],
        addresses: &["10.10.20.50"],
        note: "Global Configurator Professional PC",
    },
    Device {
        name: "dsp",
        roles: &["clearone.converge-pro"],
        addresses: &["10.10.20.20"],
        note: "ClearOne Converge Pro 880T",
    },
    Device {
        name: "control-pc",
        roles: &["clearone.console-pc"],
        addresses: &["10.10.20.51"],
        note: "PC running the Converge Console / Telnet control",
    },
    Device {
        name: "nms",
        roles: &["snmp-manager"],
        addresses: &["10.10.20.60"],
        note: "SNMP manager",
    },
    Device {
        name: "gateway-vlan20",
        roles: &["ntp-server"],
        addresses: &["10.10.20.1"],
        note: "VLAN 20 gateway, also the NTP server",
    },
    Device {
        name: "resolver",
        roles: &["dns-server"],
        addresses: &["10.10.20.2"],
        note: "DNS server (did not answer during the capture)",
    },
    Device {
        name: "equinox-media-server",
        roles: &["avaya.media-server"],
        addresses: &["10.10.30.5"],
        note: "Avaya Equinox Media Server",
    },
    Device {
        name: "equinox-management",
        roles: &["avaya.equinox-management", "avaya.ecs-gatekeeper"],
        addresses: &["10.10.30.6"],
        note: "Equinox Management with the ECS gatekeeper",
    },
    Device {
        name: "endpoint-a",
        roles: &["avaya.sip-endpoint", "avaya.endpoint"],
        addresses: &["10.10.30.21"],
        note: "Room codec, SIP",
    },
    Device {
        name: "endpoint-b",
        roles: &[
            "avaya.h323-endpoint",
            "avaya.sip-endpoint",
            "avaya.endpoint",
        ],
        addresses: &["10.10.30.22"],
        note: "Room codec, H.323",
    },
    Device {
        name: "admin-laptop",
        roles: &["avaya.management-pc", "web-client"],
        addresses: &["10.10.30.100"],
        note: "Administrator's laptop",
    },
    Device {
        name: "dante-leader",
        roles: &["dante.device", "dante.sender"],
        addresses: &["10.10.40.11"],
        note: "clock leader, sends the multicast audio and the AES67 stream",
    },
    Device {
        name: "dante-subnet",
        roles: &["dante.device", "dante.receiver"],
        addresses: &["10.10.40.0/24"],
        note: "every other address on the Dante VLAN 40",
    },
];

/// The site inventory of the demo (format of `docs/site.md`).
pub fn site_toml() -> String {
    verdicts::site_toml(
        "fixtures/demo/room.pcapng",
        "demo.rs",
        "Room 4.12 (demo)",
        "VLAN 20 control, VLAN 30 conferencing, VLAN 40 Dante",
        DEVICES,
    )
}

/// The demo's flows as expected-result entries, one per flow of the report
/// (a flow that several rows describe, like the leader's PTP ports, once).
pub fn verdict_flows() -> Vec<FlowTruth> {
    let mut out: Vec<FlowTruth> = Vec::new();
    for row in FLOWS {
        let Some((bare, site)) = row.expect else {
            continue;
        };
        for k in row.keys {
            // The key's rule documents (or is tried by) the flow; an
            // undocumented flow has no rule to name.
            let keyed = |mut e: Expect| {
                if k.rule.is_some() && e.verdict != "undocumented" {
                    e.rule = k.rule;
                }
                e
            };
            let f = FlowTruth {
                what: row.what.to_string(),
                why: row.verdict.to_string(),
                transport: k.transport,
                src: k.src.parse().expect("address:port"),
                dst: k.dst.parse().expect("address:port"),
                conn_state: k.conn_state,
                bare: keyed(bare),
                site: keyed(site),
            };
            let same_key =
                |p: &&FlowTruth| (p.transport, p.src, p.dst) == (f.transport, f.src, f.dst);
            if let Some(prev) = out.iter().find(same_key) {
                assert!(
                    prev.bare == f.bare && prev.site == f.site && prev.conn_state == f.conn_state,
                    "two rows expect different things of {} {} -> {}",
                    f.transport,
                    f.src,
                    f.dst
                );
                continue;
            }
            out.push(f);
        }
    }
    out
}

/// What `summary.missing` must and must not hold with `demo/site.toml`:
/// mandatory rules between listed devices with no documented flow (the
/// capture has no Extron trace, no SSH to the touchpanel, no SIP from the
/// H.323 endpoint), and none of the pairs whose flows the capture documents.
pub fn missing_truth() -> MissingTruth {
    MissingTruth::Some {
        includes: vec![
            Missing::new("extron.configurator.trace", "room-cp", "gc-pc"),
            Missing::new("extron.configurator.ssh", "gc-pc", "room-touchpanel"),
            Missing::new(
                "avaya.media-server.from-sip-terminal.sip",
                "endpoint-b",
                "equinox-media-server",
            ),
        ],
        excludes: vec![
            Missing::new("extron.configurator.ssh", "gc-pc", "room-cp"),
            Missing::new("extron.configurator.sftp", "gc-pc", "room-cp"),
            Missing::new(
                "avaya.media-server.from-sip-terminal.sip",
                "endpoint-a",
                "equinox-media-server",
            ),
            Missing::new(
                "avaya.media-server.from-sip-terminal.audio",
                "endpoint-a",
                "equinox-media-server",
            ),
            Missing::new(
                "avaya.media-server.from-sip-terminal.video",
                "endpoint-a",
                "equinox-media-server",
            ),
            Missing::new(
                "avaya.xt-series.h323-ep.gatekeeper.ras",
                "endpoint-b",
                "equinox-management",
            ),
            Missing::new(
                "avaya.xt-series.h323-ep.gatekeeper.q931",
                "endpoint-b",
                "equinox-management",
            ),
        ],
    }
}

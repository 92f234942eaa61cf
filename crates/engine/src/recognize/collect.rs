//! The evidence collector: what hosts say about themselves, packet by
//! packet (`docs/recognition.md`). Bounded: at most [`MAX_HOSTS`] hosts and
//! [`MAX_EVIDENCE`] distinct items per host; later items are counted, not kept.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use portmatrix_wire::app::{cdp, dhcp, dns, lldp, sip, ssdp, tls};
use portmatrix_wire::{Net, PacketFacts, Transport};
use serde::Serialize;

/// Hosts kept per capture.
pub const MAX_HOSTS: usize = 4096;
/// Distinct evidence items kept per host.
pub const MAX_EVIDENCE: usize = 32;
/// Characters kept of one evidence text.
const MAX_TEXT: usize = 255;
/// A MAC that sends for more IP addresses than this is a router's: its
/// organisation and its layer-2 evidence say nothing about those addresses.
const ROUTER_IPS: usize = 2;

/// One thing a host said about itself, with where it was seen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// What kind of statement: `lldp.system-name`, `dhcp.vendor-class`,
    /// `mdns.service`, `tls.sni`, `port`, `oui`, ... (docs/recognition.md).
    pub kind: &'static str,
    /// Its text (printable ASCII, cut at 255 characters, the longest LLDP string (IEEE 802.1AB §8.5.7)).
    pub text: String,
    /// The capture record it came from (1-based, as in the report), 0 for
    /// what is derived (the MAC organisation).
    pub record: u64,
    /// Capture time, nanoseconds since the epoch.
    pub ts_ns: i64,
}

/// Who the evidence is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HostKey {
    Ip(IpAddr),
    Mac([u8; 6]),
}

/// The evidence of one host.
#[derive(Clone, Debug, Default)]
pub struct HostEvidence {
    pub items: Vec<Evidence>,
    /// Items not kept (over [`MAX_EVIDENCE`]).
    pub dropped: u64,
}

impl HostEvidence {
    /// Adds an item unless it is there already; true when it is there now.
    fn add(&mut self, kind: &'static str, text: &[u8], record: u64, ts_ns: i64) -> bool {
        let text = clean(text);
        if text.is_empty() {
            return false;
        }
        if self.items.iter().any(|e| e.kind == kind && e.text == text) {
            return true;
        }
        if self.items.len() >= MAX_EVIDENCE {
            self.dropped += 1;
            return false;
        }
        self.items.push(Evidence {
            kind,
            text,
            record,
            ts_ns,
        });
        true
    }
}

/// Printable ASCII, other bytes and runs of white space as one space.
fn clean(b: &[u8]) -> String {
    let mut s = String::new();
    for &c in b {
        if s.len() >= MAX_TEXT {
            break;
        }
        let c = if c.is_ascii_graphic() { c as char } else { ' ' };
        if c == ' ' && (s.is_empty() || s.ends_with(' ')) {
            continue;
        }
        s.push(c);
    }
    s.trim_end().to_string()
}

/// Collects evidence per host over a capture.
#[derive(Clone, Debug, Default)]
pub struct Collector {
    pub(crate) hosts: BTreeMap<HostKey, HostEvidence>,
    /// The source IPs seen behind each MAC (up to `ROUTER_IPS + 1`).
    pub(crate) mac_ips: BTreeMap<[u8; 6], BTreeSet<IpAddr>>,
    /// Addresses a host announced for its MAC (LLDP/CDP management
    /// address, DHCP lease).
    pub(crate) announced: BTreeMap<[u8; 6], IpAddr>,
    /// UDP and TCP ports of interest: a host sending from one of them
    /// gets `port` evidence (`udp/319`).
    ports: BTreeSet<(u8, u16)>,
    /// UDP ports of interest as destinations: a host sending to one of
    /// them gets `sent-to` evidence.
    sent_to: BTreeSet<u16>,
    /// Hosts not kept (over [`MAX_HOSTS`]).
    pub hosts_dropped: u64,
    /// `port` and `sent-to` evidence already recorded, `(host, kind is
    /// sent-to, protocol, port)`: media and PTP send thousands of packets
    /// from one port, and each would otherwise format and clean the same
    /// text again (one hash per such packet instead).
    port_seen: rustc_hash::FxHashSet<(HostKey, bool, u8, u16)>,
    /// `(MAC, IP)` pairs already put in `mac_ips`, by a hash of the pair:
    /// every IP packet has one, and the two tree lookups are needed only
    /// the first time (a pair once refused by a cap stays refused).
    pair_seen: Vec<Option<([u8; 6], IpAddr)>>,
}

/// Slots of the `(MAC, IP)` pair cache.
const PAIR_SLOTS: usize = 256;

impl Collector {
    /// A collector recording `port` evidence for `ports` ((6 TCP | 17 UDP,
    /// port)) and `sent-to` evidence for the UDP ports of `sent_to`.
    pub fn new(
        ports: impl IntoIterator<Item = (u8, u16)>,
        sent_to: impl IntoIterator<Item = (u8, u16)>,
    ) -> Self {
        Collector {
            ports: ports.into_iter().collect(),
            sent_to: sent_to
                .into_iter()
                .filter(|p| p.0 == 17)
                .map(|p| p.1)
                .collect(),
            ..Collector::default()
        }
    }

    /// The evidence gathered so far, by host.
    pub fn hosts(&self) -> impl Iterator<Item = (&HostKey, &HostEvidence)> {
        self.hosts.iter()
    }

    fn host(&mut self, key: HostKey) -> Option<&mut HostEvidence> {
        if !self.hosts.contains_key(&key) {
            if self.hosts.len() >= MAX_HOSTS {
                self.hosts_dropped += 1;
                return None;
            }
            self.hosts.insert(key, HostEvidence::default());
        }
        self.hosts.get_mut(&key)
    }

    fn add(&mut self, key: HostKey, kind: &'static str, text: &[u8], record: u64, ts: i64) -> bool {
        self.host(key)
            .is_some_and(|h| h.add(kind, text, record, ts))
    }

    /// `port` (or `sent-to`) evidence `proto/port` for `key`, formatted and
    /// added only until it is recorded.
    fn add_port(
        &mut self,
        key: HostKey,
        sent_to: bool,
        proto: u8,
        port: u16,
        record: u64,
        ts: i64,
    ) {
        let seen = (key, sent_to, proto, port);
        if self.port_seen.contains(&seen) {
            return;
        }
        let (kind, name) = match (sent_to, proto) {
            (true, _) => ("sent-to", "udp"),
            (false, 6) => ("port", "tcp"),
            (false, _) => ("port", "udp"),
        };
        if self.add(key, kind, format!("{name}/{port}").as_bytes(), record, ts) {
            self.port_seen.insert(seen);
        }
    }

    /// Remembers that `ip` was seen behind `mac` (bounded as the hosts are).
    fn note_mac_ip(&mut self, m: [u8; 6], ip: IpAddr) {
        if self.pair_seen.is_empty() {
            self.pair_seen = vec![None; PAIR_SLOTS];
        }
        let slot = {
            use std::hash::{Hash, Hasher};
            let mut h = rustc_hash::FxHasher::default();
            (m, ip).hash(&mut h);
            h.finish() as usize % PAIR_SLOTS
        };
        if self.pair_seen[slot] == Some((m, ip)) {
            return;
        }
        self.pair_seen[slot] = Some((m, ip));
        // Bounded like the hosts: a flood of spoofed MACs keeps at most
        // MAX_HOSTS of them.
        if self.mac_ips.len() < MAX_HOSTS || self.mac_ips.contains_key(&m) {
            let ips = self.mac_ips.entry(m).or_default();
            if ips.len() <= ROUTER_IPS {
                ips.insert(ip);
            }
        }
    }

    /// One decoded frame (`record` is the 1-based record number).
    pub fn observe(&mut self, record: u64, ts_ns: i64, frame: &[u8], facts: &PacketFacts<'_>) {
        let mac = facts.src_mac;
        match facts.net {
            Net::Other { ether_type } if ether_type == lldp::ETHER_TYPE => {
                if let (Some(m), Some(b)) = (mac, frame.get(facts.net_offset..)) {
                    self.lldp(m, b, record, ts_ns);
                }
                return;
            }
            Net::Llc(l) if l.snap == Some((cdp::SNAP_OUI, cdp::SNAP_PROTOCOL_ID)) => {
                if let (Some(m), Some(b)) = (mac, frame.get(facts.net_offset + 8..)) {
                    self.cdp(m, b, record, ts_ns);
                }
                return;
            }
            _ => {}
        }
        let Some(ip) = facts.src_ip() else { return };
        if let Some(m) = mac {
            self.note_mac_ip(m, ip);
        }
        let key = HostKey::Ip(ip);
        let b = facts.payload;
        match facts.transport {
            Transport::Udp(u) => {
                let (sp, dp) = (u.source_port, u.destination_port);
                // Discovery requests go to broadcast or multicast; answers
                // come back unicast from the service port; a device's own
                // announcement goes to a group from the service port to it.
                let group = facts.dst_mac.is_some_and(|m| m[0] & 1 == 1)
                    || facts.dst_ip().is_some_and(|d| match d {
                        IpAddr::V4(v4) => v4.is_broadcast() || v4.is_multicast(),
                        IpAddr::V6(v6) => v6.is_multicast(),
                    });
                if (!group || sp == dp) && self.ports.contains(&(17, sp)) {
                    self.add_port(key, false, 17, sp, record, ts_ns);
                }
                if group && sp != dp && self.sent_to.contains(&dp) {
                    self.add_port(key, true, 17, dp, record, ts_ns);
                }
                if sp == 68 && dp == 67 || sp == 67 && dp == 68 {
                    self.dhcp(b, record, ts_ns);
                } else if sp == 5353 || dp == 5353 {
                    self.mdns(key, b, record, ts_ns);
                } else if dp == ssdp::PORT || sp == ssdp::PORT {
                    self.http(key, b, record, ts_ns, "ssdp");
                } else if sip::is_sip(b) {
                    self.sip(key, b, record, ts_ns);
                }
            }
            Transport::Tcp(t) => {
                if self.ports.contains(&(6, t.source_port)) && t.flags.syn() && t.flags.ack() {
                    self.add_port(key, false, 6, t.source_port, record, ts_ns);
                }
                match b.first() {
                    Some(22) => {
                        if let Ok(Some(name)) = tls::client_hello_sni(b) {
                            self.add(key, "tls.sni", name, record, ts_ns);
                        }
                    }
                    Some(b'A'..=b'Z') => {
                        if sip::is_sip(b) {
                            self.sip(key, b, record, ts_ns);
                        } else {
                            self.http(key, b, record, ts_ns, "http");
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }

    fn lldp(&mut self, m: [u8; 6], b: &[u8], record: u64, ts: i64) {
        let key = HostKey::Mac(m);
        if let Some(v) = lldp::system_name(b) {
            self.add(key, "lldp.system-name", v, record, ts);
        }
        if let Some(v) = lldp::system_description(b) {
            self.add(key, "lldp.system-description", v, record, ts);
        }
        if let Some(a) = lldp::management_ipv4(b) {
            if self.announced.len() < MAX_HOSTS {
                self.announced.insert(m, IpAddr::from(a));
            }
        }
    }

    fn cdp(&mut self, m: [u8; 6], b: &[u8], record: u64, ts: i64) {
        let key = HostKey::Mac(m);
        for (t, kind) in [
            (cdp::tlv::DEVICE_ID, "cdp.device-id"),
            (cdp::tlv::PLATFORM, "cdp.platform"),
        ] {
            if let Some(v) = cdp::find(b, t) {
                self.add(key, kind, v, record, ts);
            }
        }
        if let Some(v) = cdp::find(b, cdp::tlv::SOFTWARE_VERSION) {
            let first = v.split(|&c| c == b'\n').next().unwrap_or(v);
            self.add(key, "cdp.software", first, record, ts);
        }
        if let Some(a) = cdp::first_ipv4(b).filter(|a| *a != [0; 4]) {
            if self.announced.len() < MAX_HOSTS {
                self.announced.insert(m, IpAddr::from(a));
            }
        }
    }

    fn dhcp(&mut self, b: &[u8], record: u64, ts: i64) {
        let Ok(msg) = dhcp::Message::parse(b) else {
            return;
        };
        let Some(m) = msg.client_mac() else { return };
        if msg.op() == 2 {
            // DHCPACK (RFC 2132 §9.6): the lease ties the MAC to yiaddr.
            if msg.message_type() == Some(5)
                && msg.your_ip() != [0; 4]
                && self.announced.len() < MAX_HOSTS
            {
                self.announced.insert(m, IpAddr::from(msg.your_ip()));
            }
            return;
        }
        let key = HostKey::Mac(m);
        for (code, kind) in [
            (dhcp::option::HOST_NAME, "dhcp.host-name"),
            (dhcp::option::VENDOR_CLASS, "dhcp.vendor-class"),
            (dhcp::option::USER_CLASS, "dhcp.user-class"),
        ] {
            if let Some(v) = msg.option(code) {
                self.add(key, kind, v, record, ts);
            }
        }
    }

    fn mdns(&mut self, key: HostKey, b: &[u8], record: u64, ts: i64) {
        let Ok(msg) = dns::Message::new_checked(b) else {
            return;
        };
        if !msg.is_response() {
            return;
        }
        let mut buf = [0u8; dns::MAX_NAME_LEN + 2];
        for r in msg.records().take(64) {
            let Ok(r) = r else { break };
            let Ok(name) = r.name.write_to(&mut buf) else {
                continue;
            };
            let name = name.to_vec();
            match r.data() {
                Ok(dns::RData::Ptr(target)) if is_service_type(&name) => {
                    self.add(key, "mdns.service", &name, record, ts);
                    if let Ok(t) = target.write_to(&mut buf) {
                        let t = t.to_vec();
                        self.add(key, "mdns.instance", &t, record, ts);
                    }
                }
                Ok(dns::RData::A(_) | dns::RData::Aaaa(_)) => {
                    self.add(key, "mdns.host-name", &name, record, ts);
                }
                Ok(dns::RData::Txt(txt)) => {
                    for k in ["model", "md", "mf", "ty"] {
                        if let Some(Some(v)) = txt.get(k) {
                            let mut t = k.as_bytes().to_vec();
                            t.push(b'=');
                            t.extend_from_slice(v);
                            self.add(key, "mdns.txt", &t, record, ts);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn http(&mut self, key: HostKey, b: &[u8], record: u64, ts: i64, proto: &str) {
        let Ok(head) = ssdp::Head::parse(b) else {
            return;
        };
        let ssdp = proto == "ssdp";
        if let Some(v) = head.header("server") {
            self.add(
                key,
                if ssdp { "ssdp.server" } else { "http.server" },
                v,
                record,
                ts,
            );
        }
        if ssdp {
            if let Some(v) = head.header("usn") {
                self.add(key, "ssdp.usn", v, record, ts);
            }
        } else if let Some(v) = head.header("user-agent") {
            self.add(key, "http.user-agent", v, record, ts);
        }
    }

    fn sip(&mut self, key: HostKey, b: &[u8], record: u64, ts: i64) {
        let Ok(msg) = sip::Message::parse(b) else {
            return;
        };
        if let Some(v) = msg.user_agent() {
            self.add(key, "sip.user-agent", v, record, ts);
        }
        if let Some(v) = msg.server() {
            self.add(key, "sip.server", v, record, ts);
        }
    }
}

/// A DNS-SD service type name: `_service._udp.<domain>` or `_tcp`
/// (RFC 6763 §7), sub-types included.
fn is_service_type(name: &[u8]) -> bool {
    let n = name.to_ascii_lowercase();
    n.starts_with(b"_") && (contains(&n, b"._udp.") || contains(&n, b"._tcp."))
}

fn contains(h: &[u8], n: &[u8]) -> bool {
    h.windows(n.len()).any(|w| w == n)
}

//! The input summary: what `portmatrix check` says about a capture before
//! any flow is classified.

use std::collections::BTreeMap;
use std::io::Read;

use portmatrix_capture::{CaptureReader, ErrorLog, Record};
use portmatrix_wire::{Direction, Encap, EncapKind, PacketFacts};
use serde::Serialize;

use crate::time::rfc3339_ns;

/// Everything the summary reports about one input. `Default` is an input
/// of which nothing is known yet (tests build summaries from it).
#[derive(Debug, Clone, Default, Serialize)]
pub struct InputSummary {
    /// The path as given on the command line (`-` for standard input).
    pub path: String,
    /// `pcap` or `pcapng`; `None` when the input could not be opened.
    pub format: Option<String>,
    /// Human description of the variant (byte order, timestamp resolution, version).
    pub variant: Option<String>,
    /// The input was gzip-compressed.
    pub compressed: bool,
    /// Link types seen on the interfaces, in order of first appearance.
    pub link_types: Vec<String>,
    /// One entry per interface (pcapng IDB, or the single pcap interface).
    pub interfaces: Vec<InterfaceSummary>,
    /// Packet records delivered.
    pub packets: u64,
    /// Sum of captured lengths.
    pub bytes: u64,
    /// Sum of original (on-the-wire) lengths.
    pub orig_bytes: u64,
    /// Timestamp of the earliest packet, ns since the Unix epoch.
    pub first_ts_ns: Option<i64>,
    /// Timestamp of the latest packet, ns since the Unix epoch.
    pub last_ts_ns: Option<i64>,
    /// `first_ts_ns` as RFC 3339 text (UTC).
    pub first_ts: Option<String>,
    /// `last_ts_ns` as RFC 3339 text (UTC).
    pub last_ts: Option<String>,
    /// Packets per network- and transport-layer protocol.
    pub protocols: Protocols,
    /// Packets carrying at least one 802.1Q/802.1ad tag.
    pub vlan_tagged: u64,
    /// VLAN ids seen (outer and inner), with packet counts.
    pub vlans: BTreeMap<u16, u64>,
    /// Packets whose captured length is shorter than the original length.
    pub snapped: u64,
    /// Packets whose IP datagram was cut short by the capture.
    pub truncated_ip: u64,
    /// Malformed packets per decode layer (the first malformed layer counts).
    pub malformed: BTreeMap<String, u64>,
    /// Read errors, in file order: all of them when there are few; of a
    /// flood, the first [`ERRORS_KEPT_PER_KIND`] of each kind and the last
    /// (`error_kinds` counts them all).
    ///
    /// [`ERRORS_KEPT_PER_KIND`]: portmatrix_capture::ERRORS_KEPT_PER_KIND
    pub errors: Vec<ErrorEntry>,
    /// Read errors counted, kept in `errors` or not.
    pub error_count: u64,
    /// Read errors per kind, in order of first appearance.
    pub error_kinds: Vec<ErrorKindCount>,
    /// Bytes skipped while resynchronising after damage.
    pub skipped_bytes: u64,
    /// Blocks of unknown or custom types that were skipped.
    pub unknown_blocks: u64,
    /// The kernel's counters of a live capture.
    pub live: Option<LiveCounters>,
    /// Packets taken out of a tunnel or remote-mirror session (`docs/mirror.md`).
    pub decapsulated: u64,
    /// Packets with more nested encapsulations than the depth limit: the
    /// innermost tunnel within the limit was kept as the packet.
    pub decap_depth_exceeded: u64,
    /// The tunnels and remote-mirror sessions the packets came through, in
    /// order of first appearance (at most [`MAX_MIRROR_SESSIONS`]; packets
    /// of further sessions count in `decapsulated` only).
    pub mirror_sessions: Vec<MirrorSession>,
    /// Frames repeated by the mirror (docs/mirror.md).
    pub duplicates: crate::mirror::Duplicates,
    /// Backward steps, jumps and gaps of the capture clock (docs/mirror.md).
    pub timestamps: crate::mirror::Timestamps,
}

/// Distinct sessions listed per input.
pub const MAX_MIRROR_SESSIONS: usize = 256;

/// One tunnel or remote-mirror session: the outermost encapsulation with IP
/// endpoints of a packet (see `portmatrix_wire::Encap`).
#[derive(Debug, Clone, Serialize)]
pub struct MirrorSession {
    /// `erspan-i`, `erspan-ii`, `erspan-iii`, `gre-ethernet`, `gre-ip`,
    /// `vxlan`, `geneve`, `mpls`, `mpls-pseudowire` or `ip-in-ip`.
    pub kind: &'static str,
    /// ERSPAN session id, VXLAN/Geneve VNI, GRE key or bottom MPLS label.
    pub id: Option<u32>,
    /// Outer source address: the sensor (switch or tap) that sent the copies.
    pub sensor: Option<String>,
    /// Outer destination address: where the copies were sent.
    pub collector: Option<String>,
    /// Packets of the session.
    pub packets: u64,
    /// VLAN ids the ERSPAN header gave for the mirrored frames.
    pub vlans: Vec<u16>,
    /// ERSPAN type III frames mirrored on ingress of the source port.
    pub ingress: u64,
    /// ERSPAN type III frames mirrored on egress of the source port.
    pub egress: u64,
    /// Most encapsulation layers removed from one packet of the session.
    pub max_depth: u8,
}

impl MirrorSession {
    fn new(e: &Encap) -> MirrorSession {
        MirrorSession {
            kind: e.kind.name(),
            id: e.id,
            sensor: e.outer_src.map(|a| a.to_string()),
            collector: e.outer_dst.map(|a| a.to_string()),
            packets: 0,
            vlans: Vec::new(),
            ingress: 0,
            egress: 0,
            max_depth: 0,
        }
    }
}

/// What the kernel counted during a live capture (libpcap `pcap_stats`).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct LiveCounters {
    pub received: u64,
    /// Dropped because the capture buffer was full (the reader was too slow).
    pub dropped: u64,
    /// Dropped by the interface or its driver.
    pub if_dropped: u64,
}

/// What the source of the packets says about itself.
#[derive(Debug, Clone)]
pub struct SourceInfo {
    pub format: String,
    pub variant: String,
    pub compressed: bool,
    pub interfaces: Vec<InterfaceSummary>,
    pub skipped_bytes: u64,
    pub unknown_blocks: u64,
    pub live: Option<LiveCounters>,
}

impl SourceInfo {
    /// Format, interfaces and skipped data as a capture file reader saw them.
    pub fn of_reader<R: Read>(reader: &CaptureReader<R>) -> SourceInfo {
        let format = reader.format();
        let stats = reader.stats();
        let interfaces = reader
            .interfaces()
            .iter()
            .enumerate()
            .map(|(i, ifc)| InterfaceSummary {
                id: i as u32,
                section: ifc.section,
                link_type: ifc.link_type.to_string(),
                link_type_code: ifc.link_type.0,
                snaplen: ifc.snaplen,
                name: ifc.name.clone(),
                packets: ifc.packets,
                dropped: ifc.if_drop,
            })
            .collect();
        SourceInfo {
            format: format.name().to_string(),
            variant: format.to_string(),
            compressed: format.compressed(),
            interfaces,
            skipped_bytes: stats.skipped_bytes,
            unknown_blocks: stats.unknown_blocks,
            live: None,
        }
    }
}

/// Per-interface counters.
#[derive(Debug, Clone, Serialize)]
pub struct InterfaceSummary {
    pub id: u32,
    pub section: u32,
    pub link_type: String,
    pub link_type_code: u16,
    pub snaplen: u32,
    pub name: Option<String>,
    pub packets: u64,
    /// Packets the capturing interface dropped (pcapng ISB `isb_ifdrop`), when recorded.
    pub dropped: Option<u64>,
}

/// Packets per protocol at layers 3 and 4.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Protocols {
    pub l3: BTreeMap<String, u64>,
    pub l4: BTreeMap<String, u64>,
}

/// One read error.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorEntry {
    /// Byte offset of the damaged record or block (decompressed stream for gzip).
    pub offset: u64,
    /// 1-based number of the packet record concerned, when there is one.
    pub record: Option<u64>,
    /// The kind of fault (`unknown-interface`, `bad-block`, ...).
    pub kind: &'static str,
    pub message: String,
    /// Reading stopped here.
    pub fatal: bool,
}

/// How many read errors of one kind there were.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ErrorKindCount {
    /// The kind of fault, as in [`ErrorEntry::kind`].
    pub kind: &'static str,
    /// Errors of this kind.
    pub count: u64,
    /// Of them, listed in `errors`.
    pub kept: u64,
    /// Byte offset of the first error of this kind.
    pub first_offset: u64,
    /// Byte offset of the last error of this kind.
    pub last_offset: u64,
}

/// A tiny counter keyed by static names: a handful of keys, scanned
/// linearly, so the per-packet path neither hashes nor allocates.
#[derive(Debug, Default, Clone)]
struct NameCounts(Vec<(&'static str, u64)>);

impl NameCounts {
    #[inline]
    fn bump(&mut self, name: &'static str) {
        for (k, v) in self.0.iter_mut() {
            if core::ptr::eq(*k, name) || *k == name {
                *v += 1;
                return;
            }
        }
        self.0.push((name, 1));
    }

    fn into_map(self) -> BTreeMap<String, u64> {
        let mut map = BTreeMap::new();
        for (k, v) in self.0 {
            *map.entry(k.to_string()).or_insert(0) += v;
        }
        map
    }
}

/// Builds an [`InputSummary`] packet by packet.
#[derive(Debug, Clone)]
pub(crate) struct Accumulator {
    path: String,
    packets: u64,
    bytes: u64,
    orig_bytes: u64,
    first_ts_ns: Option<i64>,
    last_ts_ns: Option<i64>,
    l3: NameCounts,
    l4: NameCounts,
    malformed: NameCounts,
    vlan_tagged: u64,
    vlans: Vec<(u16, u64)>,
    snapped: u64,
    truncated_ip: u64,
    errors: ErrorLog,
    decapsulated: u64,
    decap_depth_exceeded: u64,
    /// Sessions with their key, scanned linearly (a handful per capture, capped).
    sessions: Vec<(SessionKey, MirrorSession)>,
    pub(crate) dedup: crate::mirror::Dedup,
    clock: crate::mirror::Clock,
    /// Recognition evidence (docs/recognition.md), when asked for.
    pub(crate) hosts: Option<Box<crate::recognize::Collector>>,
}

/// What tells one mirror session from another.
type SessionKey = (
    EncapKind,
    Option<std::net::IpAddr>,
    Option<std::net::IpAddr>,
    Option<u32>,
);

impl Accumulator {
    pub(crate) fn new(path: &str) -> Self {
        Accumulator {
            path: path.to_string(),
            packets: 0,
            bytes: 0,
            orig_bytes: 0,
            first_ts_ns: None,
            last_ts_ns: None,
            l3: NameCounts::default(),
            l4: NameCounts::default(),
            malformed: NameCounts::default(),
            vlan_tagged: 0,
            vlans: Vec::new(),
            snapped: 0,
            truncated_ip: 0,
            errors: ErrorLog::new(),
            decapsulated: 0,
            decap_depth_exceeded: 0,
            sessions: Vec::new(),
            dedup: crate::mirror::Dedup::new(crate::mirror::DEFAULT_DEDUP_WINDOW),
            clock: crate::mirror::Clock::default(),
            hosts: None,
        }
    }

    /// Counts one record; true when it repeats a recent frame (a mirror
    /// duplicate, not to be fed to the flow stage).
    #[inline]
    pub(crate) fn observe(&mut self, record: &Record<'_>, facts: &PacketFacts<'_>) -> bool {
        self.clock
            .observe(record.index, record.file_offset, record.ts_ns);
        let duplicate = self.dedup.is_duplicate(record.index, record.data);
        self.packets += 1;
        if let Some(c) = self.hosts.as_deref_mut() {
            c.observe(record.index, record.ts_ns, record.frame(), facts);
        }
        self.bytes += record.data.len() as u64;
        self.orig_bytes += u64::from(record.orig_len);
        let ts = record.ts_ns;
        self.first_ts_ns = Some(self.first_ts_ns.map_or(ts, |f| f.min(ts)));
        self.last_ts_ns = Some(self.last_ts_ns.map_or(ts, |l| l.max(ts)));
        if (record.data.len() as u64) < u64::from(record.orig_len) {
            self.snapped += 1;
        }
        if let Some(l3) = facts.l3_name() {
            self.l3.bump(l3);
        }
        if let Some(l4) = facts.l4_name() {
            self.l4.bump(l4);
        }
        if !facts.vlans.is_empty() {
            self.vlan_tagged += 1;
            for id in facts.vlans.iter() {
                // A handful of VLANs per capture: a linear scan, no tree walk per packet.
                match self.vlans.iter_mut().find(|(v, _)| *v == id) {
                    Some((_, n)) => *n += 1,
                    None => self.vlans.push((id, 1)),
                }
            }
        }
        if facts.truncated {
            self.truncated_ip += 1;
        }
        if let Some(err) = &facts.error {
            self.malformed.bump(err.layer.name());
        }
        if let Some(e) = &facts.encap {
            self.observe_encap(e);
        }
        duplicate
    }

    /// Counts a packet that came through a tunnel in its session.
    fn observe_encap(&mut self, e: &Encap) {
        if e.depth_exceeded {
            self.decap_depth_exceeded += 1;
        }
        if e.depth == 0 {
            return;
        }
        self.decapsulated += 1;
        let key = (e.kind, e.outer_src, e.outer_dst, e.id);
        let at = match self.sessions.iter().position(|(k, _)| *k == key) {
            Some(at) => at,
            None if self.sessions.len() < MAX_MIRROR_SESSIONS => {
                self.sessions.push((key, MirrorSession::new(e)));
                self.sessions.len() - 1
            }
            None => return,
        };
        let s = &mut self.sessions[at].1;
        s.packets += 1;
        s.max_depth = s.max_depth.max(e.depth);
        if let Some(v) = e.vlan {
            if let Err(i) = s.vlans.binary_search(&v) {
                s.vlans.insert(i, v);
            }
        }
        match e.direction {
            Some(Direction::Ingress) => s.ingress += 1,
            Some(Direction::Egress) => s.egress += 1,
            None => {}
        }
    }

    /// Counts a read error; memory does not grow with their number (see
    /// [`ErrorLog`]).
    pub(crate) fn read_error(&mut self, err: &portmatrix_capture::Error) {
        self.errors.push(err);
    }

    /// The summary; `source` is `None` when the input could not be opened.
    pub(crate) fn finish(self, mut source: Option<SourceInfo>) -> InputSummary {
        // A live capture has one interface, and every packet came from it.
        if let Some(src) = source.as_mut().filter(|s| s.live.is_some()) {
            if let [only] = src.interfaces.as_mut_slice() {
                only.packets = self.packets;
            }
        }
        let mut link_types: Vec<String> = Vec::new();
        if let Some(src) = &source {
            for ifc in &src.interfaces {
                if !link_types.contains(&ifc.link_type) {
                    link_types.push(ifc.link_type.clone());
                }
            }
        }
        InputSummary {
            path: self.path,
            format: source.as_ref().map(|s| s.format.clone()),
            variant: source.as_ref().map(|s| s.variant.clone()),
            compressed: source.as_ref().is_some_and(|s| s.compressed),
            link_types,
            first_ts: self.first_ts_ns.map(rfc3339_ns),
            last_ts: self.last_ts_ns.map(rfc3339_ns),
            packets: self.packets,
            bytes: self.bytes,
            orig_bytes: self.orig_bytes,
            first_ts_ns: self.first_ts_ns,
            last_ts_ns: self.last_ts_ns,
            protocols: Protocols {
                l3: self.l3.into_map(),
                l4: self.l4.into_map(),
            },
            vlan_tagged: self.vlan_tagged,
            vlans: self.vlans.into_iter().collect(),
            snapped: self.snapped,
            truncated_ip: self.truncated_ip,
            malformed: self.malformed.into_map(),
            errors: self
                .errors
                .kept()
                .into_iter()
                .map(|e| ErrorEntry {
                    offset: e.file_offset,
                    record: e.record,
                    kind: e.kind.name(),
                    message: e.kind.to_string(),
                    fatal: e.fatal,
                })
                .collect(),
            error_count: self.errors.total(),
            error_kinds: self
                .errors
                .kinds()
                .map(|k| ErrorKindCount {
                    kind: k.kind,
                    count: k.count,
                    kept: k.kept,
                    first_offset: k.first_offset,
                    last_offset: k.last_offset,
                })
                .collect(),
            skipped_bytes: source.as_ref().map_or(0, |s| s.skipped_bytes),
            unknown_blocks: source.as_ref().map_or(0, |s| s.unknown_blocks),
            live: source.as_ref().and_then(|s| s.live),
            decapsulated: self.decapsulated,
            decap_depth_exceeded: self.decap_depth_exceeded,
            mirror_sessions: self.sessions.into_iter().map(|(_, s)| s).collect(),
            duplicates: self.dedup.report(),
            timestamps: self.clock.report(),
            interfaces: source.map(|s| s.interfaces).unwrap_or_default(),
        }
    }
}

impl InputSummary {
    /// The summary of an input that could not be opened at all.
    pub fn unreadable(path: &str, err: &portmatrix_capture::Error) -> Self {
        let mut acc = Accumulator::new(path);
        acc.read_error(err);
        acc.finish(None)
    }
}

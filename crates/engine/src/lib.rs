//! Analysis of captured traffic.
//!
//! `portmatrix-engine` sits between the capture reader and the report. Today
//! it walks a capture once and builds the input summary (formats, link types,
//! packet and byte counts, protocols, malformed layers, read errors with byte
//! offsets). The flow table and the classification of flows into verdicts
//! plug into the same single pass: every decoded packet goes through
//! [`Analysis::observe`], and content detectors (RTP, PTP, ...) will hang off
//! that call.
#![forbid(unsafe_code)]

pub mod classify;
pub mod detect;
pub mod flow;
pub mod mirror;
pub mod multicast;
pub mod nothing;
pub mod oneway;
pub mod recognize;
pub mod row;
pub mod summary;
pub mod time;

use std::io::{self, Read};

use portmatrix_capture::{CaptureReader, Record};
use portmatrix_rules::{Matcher, Site};

use detect::media::Pairing;

pub use classify::{BlockedKind, Classification, Classifier, Finding, Missing, Verdict};
pub use flow::{Flow, FlowConfig, FlowTable, PortSet, ServicePorts, WellKnownPorts};
pub use row::{FlowRecord, InputReport, Tally, VerdictSummary};
pub use summary::{
    ErrorEntry, ErrorKindCount, InputSummary, InterfaceSummary, LiveCounters, MirrorSession,
    Protocols, SourceInfo,
};

/// Receives every flow, classified, as soon as it ends (idle timeout, the
/// live-flow cap, or the end of input), so memory does not grow with the
/// number of flows in a capture.
pub trait FlowSink {
    /// One finished flow.
    ///
    /// # Errors
    /// Writing it failed; the pass goes on and the error is returned at the end.
    fn flow(&mut self, record: FlowRecord) -> io::Result<()>;
}

/// Keeps every flow (tests, small inputs).
impl FlowSink for Vec<FlowRecord> {
    fn flow(&mut self, record: FlowRecord) -> io::Result<()> {
        self.push(record);
        Ok(())
    }
}

impl<T: FlowSink + ?Sized> FlowSink for &mut T {
    fn flow(&mut self, record: FlowRecord) -> io::Result<()> {
        (**self).flow(record)
    }
}

/// Settings of one analysis pass.
pub struct Options {
    pub flows: FlowConfig,
    /// Number of flow-table shards (flows are routed by a symmetric hash).
    pub shards: usize,
    /// Which ports are services, to find the initiator of flows seen midstream.
    pub services: Box<dyn ServicePorts + Send + Sync>,
    /// How frames are decoded: tunnels removed (the default) or kept (`--no-decap`).
    pub decode: portmatrix_wire::DecodeOptions,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            flows: FlowConfig::default(),
            shards: 1,
            services: Box::new(WellKnownPorts),
            decode: portmatrix_wire::DecodeOptions::DEFAULT,
        }
    }
}

/// Capture time between two sweeps for idle flows.
const SWEEP_INTERVAL_NS: i64 = 1_000_000_000;

/// Unanswered attempts held back for the end of the pass; beyond this many
/// (a SYN scan), they are classified as they end, with what is known then.
const PENDING_CAP: usize = 65_536;

/// Media flows held back for pairing; beyond this many, they are classified
/// as they end, paired with the media flows held so far.
const MEDIA_CAP: usize = 65_536;

/// PTP flows held back until the end of the pass, for the capture-level
/// PTP findings; beyond this many, they are classified as they end.
const PTP_FLOWS_CAP: usize = 4096;

/// Packets per batch between the reading and the tracking thread.
const BATCH: usize = 2048;
/// Full batches queued between the two threads.
const BATCHES_IN_FLIGHT: usize = 8;

/// One decoded packet as the flow stage needs it (owned: it can cross threads).
#[derive(Clone, Copy, Debug)]
struct Packet {
    index: u64,
    ts_ns: i64,
    wire_len: u32,
    routed: Option<flow::Routed>,
    info: flow::PacketInfo,
    /// How many [`Extra`]s that follow in the batch's side list are this
    /// packet's (0 for nearly every packet).
    extras: u16,
}

/// What a rare packet carries for the capture-level trackers besides its
/// flow, in a side list of the batch (the list is reused, so membership
/// events allocate nothing per packet; an SDP allocates its announcement).
#[derive(Clone, Debug)]
enum Extra {
    /// An IGMP/MLD membership fact.
    Membership(multicast::Event),
    /// The SDP of a SIP or SAP packet.
    Announcement(Box<detect::sdp::Announcement>),
}

/// Side-list entries kept per packet (an IGMPv3 report may list many records).
const EXTRAS_PER_PACKET: usize = 1024;

/// Decodes one record, counts it in the input summary, and reduces it to
/// what the flow stage needs; its [`Extra`]s are appended to `extras`.
#[inline]
fn decode_record(
    summary: &mut summary::Accumulator,
    record: &Record<'_>,
    extras: &mut Vec<Extra>,
    opts: portmatrix_wire::DecodeOptions,
) -> Packet {
    let facts = portmatrix_wire::decode_with(record.link_type, record.frame(), None, opts);
    // A mirror duplicate is counted, not tracked (docs/mirror.md).
    let duplicate = summary.observe(record, &facts);
    let info = flow::PacketInfo::from_facts(&facts);
    let before = extras.len();
    if matches!(
        facts.transport,
        portmatrix_wire::Transport::Igmp(_) | portmatrix_wire::Transport::Mld(_)
    ) {
        multicast::events(&facts, record.ts_ns, |e| {
            if extras.len() - before < EXTRAS_PER_PACKET {
                extras.push(Extra::Membership(e));
            }
        });
    } else if let Some(t) = &info.sample {
        if let Some(a) = detect::sdp::announcement(&t.sample, facts.payload) {
            extras.push(Extra::Announcement(a));
        }
    }
    Packet {
        index: record.index,
        ts_ns: record.ts_ns,
        // A mirrored frame counts its own length, not the tunnel's.
        wire_len: facts.encap.map_or(record.orig_len, |e| {
            record.orig_len.saturating_sub(e.inner_offset as u32)
        }),
        // Frames without IP become flows only when a detector knew them.
        routed: (!duplicate)
            .then(|| flow::route(&facts, record.ts_ns).or_else(|| flow::route_ether(&facts, &info)))
            .flatten(),
        info,
        extras: (extras.len() - before) as u16,
    }
}

/// Packets between two collections of finished flows.
const DRAIN_EVERY: u32 = 4096;

/// One pass over one input: the summary, the flows, and their verdicts.
pub struct Analysis<'a, S: FlowSink> {
    summary: summary::Accumulator,
    shards: Vec<FlowTable>,
    services: Box<dyn ServicePorts + Send + Sync>,
    decode: portmatrix_wire::DecodeOptions,
    classifier: Classifier<'a>,
    tally: Tally,
    sink: S,
    sink_error: Option<io::Error>,
    /// Unanswered TCP attempts that ended early, held back (up to
    /// [`PENDING_CAP`]) so that their verdict detail can say whether the
    /// responder talked anywhere in the whole capture.
    pending: Vec<Flow>,
    /// RTP and RTCP flows, held back (up to [`MEDIA_CAP`]) until the end of
    /// the pass, when every media flow is known and RTP can be paired with
    /// its RTCP.
    media: Vec<Flow>,
    /// PTP of the whole capture, per domain.
    ptp: detect::ptp::tracker::Tracker,
    /// PTP flows, held back (up to [`PTP_FLOWS_CAP`]) for the findings
    /// that need the whole capture (grandmasters, domains).
    ptp_flows: Vec<Flow>,
    /// IGMP/MLD membership of the pass.
    multicast: multicast::Membership,
    /// Media announced by SDP (SIP, SAP) in the pass.
    announced: detect::sdp::Registry,
    /// The side list of [`Analysis::observe`] (reused).
    extras: Vec<Extra>,
    since_drain: u32,
    last_sweep_ns: i64,
    /// Unicast packets sent by and to each host (docs/mirror.md).
    hosts: oneway::Hosts,
    /// Recognition knowledge, when hosts are recognised (docs/recognition.md).
    knowledge: Option<recognize::Knowledge>,
}

/// Whether a read error says the input ended inside a record, a block or a
/// gzip member: what an input cut short by a stop looks like.
fn cut_short(err: &portmatrix_capture::Error) -> bool {
    use portmatrix_capture::ErrorKind;
    matches!(
        err.kind,
        ErrorKind::Truncated { .. } | ErrorKind::Decompress { .. }
    )
}

/// The end of a pass: the report and the sink that received the flows.
pub struct Finished<S> {
    pub report: InputReport,
    pub sink: S,
}

impl<'a, S: FlowSink> Analysis<'a, S> {
    /// A fresh analysis of the input named `path` (used only as a label);
    /// flows are classified against `matcher` (and `site`) and handed to `sink`.
    pub fn new(
        path: &str,
        options: Options,
        matcher: &'a Matcher,
        site: Option<&'a Site>,
        sink: S,
    ) -> Self {
        let n = options.shards.max(1);
        // The live-flow cap is for the whole pass, shared out over the shards.
        let mut per_shard = options.flows.clone();
        per_shard.max_flows = (per_shard.max_flows / n).max(1);
        let shards = (0..n)
            .map(|_| FlowTable::new(per_shard.clone()).with_external_sweeps())
            .collect();
        Analysis {
            summary: summary::Accumulator::new(path),
            shards,
            services: options.services,
            decode: options.decode,
            classifier: Classifier::new(matcher, site),
            tally: Tally::default(),
            sink,
            sink_error: None,
            pending: Vec::new(),
            media: Vec::new(),
            ptp: Default::default(),
            ptp_flows: Vec::new(),
            multicast: multicast::Membership::default(),
            announced: detect::sdp::Registry::default(),
            extras: Vec::new(),
            since_drain: 0,
            last_sweep_ns: i64::MIN,
            hosts: oneway::Hosts::default(),
            knowledge: None,
        }
    }

    /// Compares each frame with the previous `window - 1` to find mirror
    /// duplicates (default [`mirror::DEFAULT_DEDUP_WINDOW`]; 0 turns it off).
    pub fn with_dedup_window(mut self, window: usize) -> Self {
        self.summary.dedup = mirror::Dedup::new(window);
        self
    }

    /// Also recognises hosts (the report's `hosts`, docs/recognition.md).
    pub fn with_recognition(mut self, knowledge: recognize::Knowledge) -> Self {
        self.summary.hosts = Some(Box::new(knowledge.collector()));
        self.knowledge = Some(knowledge);
        self
    }

    /// Feeds one captured record.
    #[inline]
    pub fn observe(&mut self, record: &Record<'_>) {
        let mut extras = std::mem::take(&mut self.extras);
        extras.clear();
        let packet = decode_record(&mut self.summary, record, &mut extras, self.decode);
        self.track(&packet, &extras);
        self.extras = extras;
    }

    /// The flow stage of one packet: the sweep clock, the flow table, and
    /// the periodic hand-over of ended flows.
    #[inline]
    fn track(&mut self, packet: &Packet, extras: &[Extra]) {
        // One clock for every shard: idle flows end at the same capture
        // times however flows are spread over shards.
        if packet.ts_ns.saturating_sub(self.last_sweep_ns) >= SWEEP_INTERVAL_NS {
            self.last_sweep_ns = packet.ts_ns;
            for shard in &mut self.shards {
                shard.sweep(packet.ts_ns);
            }
        }
        if let Some(detect::Tagged {
            sample: detect::Sample::Ptp(s),
            ..
        }) = &packet.info.sample
        {
            let dst = packet.routed.as_ref().map(|r| r.endpoints().1);
            self.ptp.observe(packet.ts_ns, s, dst.as_ref());
        }
        if let Some(routed) = &packet.routed {
            let n = self.shards.len();
            let shard = if n == 1 {
                0
            } else {
                (routed.key().symmetric_hash() % n as u64) as usize
            };
            let announced = (!self.announced.is_empty()).then_some(&self.announced);
            self.shards[shard].observe_announced(
                packet.index,
                packet.ts_ns,
                packet.wire_len,
                routed,
                &packet.info,
                self.services.as_ref(),
                announced,
            );
            for extra in extras {
                if let Extra::Announcement(a) = extra {
                    let id = self.shards[shard].flow_id(routed.key());
                    self.announced.add(a, id, packet.ts_ns);
                }
            }
        }
        for extra in extras {
            if let Extra::Membership(e) = extra {
                self.multicast.observe(e);
            }
        }
        self.since_drain += 1;
        if self.since_drain >= DRAIN_EVERY {
            self.since_drain = 0;
            self.drain();
        }
    }

    /// Records a read error reported by the capture reader.
    pub fn read_error(&mut self, err: &portmatrix_capture::Error) {
        self.summary.read_error(err);
    }

    /// Classifies and hands on the flows that ended since the last call.
    fn drain(&mut self) {
        let mut ended = Vec::new();
        for shard in &mut self.shards {
            ended.extend(shard.drain_finished());
        }
        for flow in &ended {
            self.classifier.note_talkers(flow);
            self.hosts.note(flow);
        }
        for flow in &ended {
            self.emit(flow);
        }
    }

    fn emit(&mut self, flow: &Flow) {
        if self.ptp_flows.len() < PTP_FLOWS_CAP && detect::ptp::state(flow).is_some() {
            self.ptp_flows.push(flow.clone());
            return;
        }
        // Media flows wait for pairing, multicast UDP for the joins of the
        // whole capture.
        let multicast = flow.dest_kind == flow::DestKind::Multicast
            && flow.key.transport == flow::Transport::Udp;
        if multicast || detect::media::is_media(flow) {
            if self.media.len() < MEDIA_CAP {
                self.media.push(flow.clone());
            } else {
                self.announced.mark_seen(flow);
                let registry = std::mem::take(&mut self.announced);
                let pairing =
                    Pairing::new(self.media.iter().chain([flow])).with_announcements(&registry);
                self.emit_now(flow, Some(&pairing));
                drop(pairing);
                self.announced = registry;
            }
            return;
        }
        // Unanswered attempts wait for the whole capture's evidence: whether
        // the responder talked anywhere, whether anything was sent to the
        // initiator at all (docs/mirror.md, "One-way capture").
        if self.pending.len() < PENDING_CAP
            && flow.packets[1] == 0
            && (flow.tcp.as_ref().is_some_and(|t| t.syns > 0)
                || (flow.tcp.is_none()
                    && flow.dest_kind == flow::DestKind::Unicast
                    && self.classifier.classify(flow).blocked_kind == Some(BlockedKind::NoReply)))
        {
            self.pending.push(flow.clone());
            return;
        }
        self.emit_now(flow, None);
    }

    fn emit_now(&mut self, flow: &Flow, pairing: Option<&Pairing>) {
        self.emit_with(flow, pairing, Vec::new());
    }

    /// As [`Analysis::emit_now`], with findings made outside the classifier.
    fn emit_with(&mut self, flow: &Flow, pairing: Option<&Pairing>, extra: Vec<Finding>) {
        if pairing.is_none() {
            // Held-back media flows were counted when the pass ended.
            self.announced.mark_seen(flow);
        }
        let mut c = self.classifier.classify_with(flow, pairing);
        c.findings.extend(extra);
        self.multicast.note_flow(flow);
        c.findings.extend(self.multicast.judge(flow));
        self.hosts
            .qualify(flow, &mut c, self.tally.capture_loss.gaps);
        let record = FlowRecord::new(flow, c);
        self.tally.add(&record);
        if self.sink_error.is_none() {
            if let Err(e) = self.sink.flow(record) {
                self.sink_error = Some(e);
            }
        }
    }

    /// Reads every record of `reader`, then ends the pass.
    ///
    /// # Errors
    /// The sink failed to take a flow (e.g. a closed output pipe).
    pub fn run<R: Read>(mut self, reader: &mut CaptureReader<R>) -> io::Result<Finished<S>> {
        while let Some(item) = reader.next_record() {
            match item {
                Ok(record) => self.observe(&record),
                Err(err) => self.read_error(&err),
            }
        }
        self.finish(reader)
    }

    /// As [`Analysis::run`], on two threads: one reads and decodes the
    /// capture (and keeps the input summary), this one tracks flows and
    /// classifies them. Packets cross in batches, in capture order, so the
    /// result is the same as [`Analysis::run`]'s.
    ///
    /// # Errors
    /// As [`Analysis::run`].
    pub fn run_parallel<R: Read + Send>(
        self,
        reader: &mut CaptureReader<R>,
    ) -> io::Result<Finished<S>> {
        self.run_parallel_until(reader, &|| false)
    }

    /// As [`Analysis::run_parallel`], for an input that `stopped` may end
    /// early (`check` on SIGINT, SIGTERM or SIGHUP: its reader then returns
    /// end of input). Once `stopped()` is true, a fatal error that says the
    /// input ended inside a record, a block or a gzip member is the mark of
    /// the stop, not damage in the capture, and is not reported; every
    /// record read before it is analysed.
    ///
    /// # Errors
    /// As [`Analysis::run`].
    pub fn run_parallel_until<R: Read + Send>(
        mut self,
        reader: &mut CaptureReader<R>,
        stopped: &(dyn Fn() -> bool + Sync),
    ) -> io::Result<Finished<S>> {
        use std::sync::mpsc;
        let mut summary = std::mem::replace(&mut self.summary, summary::Accumulator::new(""));
        let source = &mut *reader;
        let opts = self.decode;
        let summary = std::thread::scope(|scope| {
            // A batch: packets, and the side list of their extras.
            type Batch = (Vec<Packet>, Vec<Extra>);
            let (full_tx, full_rx) = mpsc::sync_channel::<Batch>(BATCHES_IN_FLIGHT);
            let (empty_tx, empty_rx) = mpsc::channel::<Batch>();
            let producer = scope.spawn(move || {
                let mut batch: Batch = (Vec::with_capacity(BATCH), Vec::new());
                while let Some(item) = source.next_record() {
                    match item {
                        Ok(record) => {
                            batch
                                .0
                                .push(decode_record(&mut summary, &record, &mut batch.1, opts))
                        }
                        Err(err) if err.fatal && cut_short(&err) && stopped() => {}
                        Err(err) => summary.read_error(&err),
                    }
                    if batch.0.len() == BATCH {
                        let next = empty_rx
                            .try_recv()
                            .unwrap_or_else(|_| (Vec::with_capacity(BATCH), Vec::new()));
                        if full_tx.send(std::mem::replace(&mut batch, next)).is_err() {
                            break;
                        }
                    }
                }
                if !batch.0.is_empty() {
                    let _ = full_tx.send(batch);
                }
                summary
            });
            for mut batch in full_rx {
                let mut at = 0;
                for packet in &batch.0 {
                    let n = usize::from(packet.extras);
                    let extras = batch.1.get(at..at + n).unwrap_or(&[]);
                    at += n;
                    self.track(packet, extras);
                }
                batch.0.clear();
                batch.1.clear();
                let _ = empty_tx.send(batch);
            }
            producer.join()
        });
        match summary {
            Ok(summary) => self.summary = summary,
            Err(panic) => std::panic::resume_unwind(panic),
        }
        self.finish(reader)
    }

    /// Ends the pass over a capture file.
    ///
    /// # Errors
    /// As [`Analysis::run`].
    pub fn finish<R: Read>(self, reader: &CaptureReader<R>) -> io::Result<Finished<S>> {
        self.finish_source(SourceInfo::of_reader(reader))
    }

    /// The input summary so far, leaving the pass running (live refreshes).
    pub fn summary_snapshot(&self, source: SourceInfo) -> InputSummary {
        self.summary.clone().finish(Some(source))
    }

    /// The verdicts so far, for a live display: the flows that ended (as
    /// counted) plus every live flow classified as it stands now, and the
    /// live flows that are not documented, most packets first (at most `top`).
    pub fn verdict_snapshot(&self, top: usize) -> (VerdictSummary, Vec<FlowRecord>) {
        let mut tally = self.tally.clone();
        let mut open: Vec<FlowRecord> = Vec::new();
        for flow in self.shards.iter().flat_map(|s| s.live_flows()) {
            let record = FlowRecord::new(flow, self.classifier.classify(flow));
            tally.add(&record);
            if record.verdict != Verdict::Documented {
                open.push(record);
            }
        }
        open.sort_by(|a, b| b.packets.cmp(&a.packets).then(a.id.cmp(&b.id)));
        open.truncate(top);
        let evictions = self.shards.iter().map(|s| s.evictions).sum();
        (
            tally.summary(evictions, Vec::new(), self.classifier.has_inventory()),
            open,
        )
    }

    /// Ends the pass over a source described by `source`: every flow still
    /// live is classified and handed on, then the report is assembled.
    ///
    /// # Errors
    /// As [`Analysis::run`].
    pub fn finish_source(mut self, source: SourceInfo) -> io::Result<Finished<S>> {
        self.drain();
        let mut rest = Vec::new();
        let mut evictions = 0;
        for shard in std::mem::take(&mut self.shards) {
            let (flows, e) = shard.finish();
            rest.extend(flows);
            evictions += e;
        }
        rest.sort_by_key(|f| (f.first_ts_ns, f.id));
        for flow in &rest {
            self.classifier.note_talkers(flow);
            self.hosts.note(flow);
        }
        for flow in rest {
            let multicast = flow.dest_kind == flow::DestKind::Multicast
                && flow.key.transport == flow::Transport::Udp;
            if detect::ptp::state(&flow).is_some() {
                self.ptp_flows.push(flow);
            } else if multicast || detect::media::is_media(&flow) {
                self.media.push(flow);
            } else {
                self.emit_now(&flow, None);
            }
        }
        for flow in std::mem::take(&mut self.pending) {
            self.emit_now(&flow, None);
        }
        let media = std::mem::take(&mut self.media);
        let mut registry = std::mem::take(&mut self.announced);
        for flow in &media {
            registry.mark_seen(flow);
        }
        let pairing = Pairing::new(&media).with_announcements(&registry);
        for flow in &media {
            self.emit_now(flow, Some(&pairing));
        }
        for flow in std::mem::take(&mut self.ptp_flows) {
            let extra = detect::ptp::state(&flow)
                .map(|s| self.ptp.flow_findings(s))
                .unwrap_or_default();
            self.emit_with(&flow, None, extra);
        }
        drop(pairing);
        if let Some(e) = self.sink_error {
            return Err(e);
        }
        let missing = self
            .classifier
            .missing(&self.tally.documented_pairs, &self.tally.multicast_sent);
        let inventory = self.classifier.has_inventory();
        let hosts = match (&self.knowledge, self.summary.hosts.as_deref()) {
            (Some(k), Some(c)) => k.recognise(c),
            _ => Vec::new(),
        };
        let mut verdicts = self.tally.summary(evictions, missing, inventory);
        verdicts.one_way = self.hosts.report();
        let mut report = InputReport {
            ptp: self.ptp.report(),
            multicast: (!self.multicast.is_empty()).then(|| self.multicast.report()),
            announced: (!registry.is_empty()).then(|| registry.report().0),
            announced_not_seen: (!registry.is_empty()).then(|| registry.report().1),
            hosts,
            ..InputReport::new(self.summary.finish(Some(source)), verdicts)
        };
        // Multicast membership (IGMP/MLD) and PTP are analysed without any IP
        // flow of their own: such an input was analysed.
        if report.multicast.is_some() || report.ptp.is_some() {
            report.nothing_analysed = None;
        }
        Ok(Finished {
            report,
            sink: self.sink,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The two-thread pass gives exactly what the one-thread pass gives.
    #[test]
    fn parallel_pass_equals_sequential_pass() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
        let rules = portmatrix_rules::RuleSet::builtin().expect("built-in rules");
        let matcher = Matcher::new(&rules);
        for name in [
            "demo/room.pcapng",
            "blocked/firewall.pcap",
            "pcap/protocols.pcap",
        ] {
            let path = dir.join(name);
            let run = |parallel: bool| {
                let mut reader = CaptureReader::open(&path).expect("open fixture");
                let analysis = Analysis::new(name, Options::default(), &matcher, None, Vec::new());
                let done = if parallel {
                    analysis.run_parallel(&mut reader)
                } else {
                    analysis.run(&mut reader)
                }
                .expect("pass");
                let mut flows = serde_json::to_value(&done.sink).expect("flows json");
                if let serde_json::Value::Array(a) = &mut flows {
                    a.sort_by_key(|f| f["id"].as_u64());
                }
                (
                    serde_json::to_value(&done.report).expect("report json"),
                    flows,
                )
            };
            let (a, b) = (run(false), run(true));
            assert!(
                a.1.as_array().is_some_and(|f| !f.is_empty()),
                "{name}: no flows"
            );
            assert_eq!(a, b, "{name}");
        }
    }

    /// The side list of membership events and SDP announcements stays in
    /// step with its packets across batch boundaries: a capture of many
    /// batches (the multicast/SDP recipe repeated) reports the same both ways.
    #[test]
    fn extras_cross_batches_in_step_with_their_packets() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
        let mut one = CaptureReader::open(&dir.join("multicast/room.pcap")).expect("open fixture");
        let mut w = portmatrix_capture::PcapngWriter::new(Vec::new()).expect("writer");
        let ifc = w
            .add_interface(portmatrix_capture::LinkType(1), 65535, None)
            .expect("interface");
        let mut records = Vec::new();
        while let Some(Ok(r)) = one.next_record() {
            records.push((r.ts_ns, r.orig_len, r.data.to_vec()));
        }
        let copies = 3 * BATCH / records.len() + 1;
        for k in 0..copies as i64 {
            for (ts, len, data) in &records {
                w.write_packet(ifc, ts + k * 1_000_000_000, *len, data)
                    .expect("write");
            }
        }
        let bytes = w.into_inner().expect("bytes");
        let rules = portmatrix_rules::RuleSet::builtin().expect("built-in rules");
        let matcher = Matcher::new(&rules);
        let run = |parallel: bool| {
            let mut reader = CaptureReader::new(std::io::Cursor::new(bytes.clone())).expect("read");
            let analysis = Analysis::new("x", Options::default(), &matcher, None, Vec::new());
            let done = if parallel {
                analysis.run_parallel(&mut reader)
            } else {
                analysis.run(&mut reader)
            }
            .expect("pass");
            let mut flows = serde_json::to_value(&done.sink).expect("flows json");
            if let serde_json::Value::Array(a) = &mut flows {
                a.sort_by_key(|f| f["id"].as_u64());
            }
            (
                serde_json::to_value(&done.report).expect("report json"),
                flows,
            )
        };
        let (a, b) = (run(false), run(true));
        // Every copy's IGMP records and SDP bodies were seen.
        let joins = a.0["multicast"]["groups"]
            .as_array()
            .expect("groups")
            .iter()
            .find(|g| g["group"] == "239.69.1.10")
            .map(|g| g["joins"].as_u64());
        assert_eq!(joins, Some(Some(copies as u64)));
        assert_eq!(a, b);
    }
}

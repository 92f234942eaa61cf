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
pub mod flow;
pub mod record;
pub mod summary;
pub mod time;

pub use summary::{
    ErrorEntry, InputSummary, InterfaceSummary, LiveCounters, Protocols, SourceInfo,
};

use std::io::Read;

use portmatrix_capture::{CaptureReader, Record};

pub use classify::{BlockedKind, Classification, Classifier, Finding, Missing, Verdict};
pub use flow::{Flow, FlowConfig, FlowTable, PortSet, ServicePorts, WellKnownPorts};
pub use record::{FlowRecord, InputReport, VerdictSummary};

/// Settings of one analysis pass.
pub struct Options {
    pub flows: FlowConfig,
    /// Number of flow-table shards (flows are routed by a symmetric hash).
    pub shards: usize,
    /// Which ports are services, to find the initiator of flows seen midstream.
    pub services: Box<dyn ServicePorts + Send + Sync>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            flows: FlowConfig::default(),
            shards: 1,
            services: Box::new(WellKnownPorts),
        }
    }
}

/// One pass over one input.
pub struct Analysis {
    summary: summary::Accumulator,
    shards: Vec<FlowTable>,
    services: Box<dyn ServicePorts + Send + Sync>,
}

/// What one pass found: the input summary and every flow.
pub struct Outcome {
    pub summary: InputSummary,
    pub flows: Vec<Flow>,
    /// Flows ended early by the live-flow cap.
    pub evictions: u64,
}

impl Outcome {
    /// Classifies every flow against `matcher` (and `site`) and assembles the report.
    pub fn report(
        self,
        matcher: &portmatrix_rules::Matcher,
        site: Option<&portmatrix_rules::Site>,
    ) -> InputReport {
        let classifier = Classifier::new(matcher, site, &self.flows);
        let classified: Vec<Classification> =
            self.flows.iter().map(|f| classifier.classify(f)).collect();
        let pairs: Vec<(&Flow, &Classification)> = self.flows.iter().zip(&classified).collect();
        let missing = classifier.missing(&pairs);
        let flows: Vec<FlowRecord> = self
            .flows
            .iter()
            .zip(classified)
            .map(|(f, c)| FlowRecord::new(f, c))
            .collect();
        let summary = VerdictSummary::new(&flows, self.evictions, missing, site.is_some());
        InputReport {
            input: self.summary,
            flows,
            summary,
        }
    }
}

impl Analysis {
    /// A fresh analysis of the input named `path` (used only as a label).
    pub fn new(path: &str, options: Options) -> Self {
        let shards = (0..options.shards.max(1))
            .map(|_| FlowTable::new(options.flows.clone()))
            .collect();
        Analysis {
            summary: summary::Accumulator::new(path),
            shards,
            services: options.services,
        }
    }

    /// Feeds one captured record.
    #[inline]
    pub fn observe(&mut self, record: &Record<'_>) {
        let facts = portmatrix_wire::decode(record.link_type, record.frame());
        self.summary.observe(record, &facts);
        if let Some(routed) = flow::classify_packet(&facts, record.ts_ns) {
            let n = self.shards.len();
            let shard = if n == 1 {
                0
            } else {
                (routed.key().symmetric_hash() % n as u64) as usize
            };
            self.shards[shard].observe(
                record.index,
                record.ts_ns,
                record.orig_len,
                &routed,
                &facts,
                self.services.as_ref(),
            );
        }
    }

    /// Records a read error reported by the capture reader.
    pub fn read_error(&mut self, err: &portmatrix_capture::Error) {
        self.summary.read_error(err);
    }

    /// Reads every record of `reader`, then returns what was found.
    pub fn run<R: Read>(mut self, reader: &mut CaptureReader<R>) -> Outcome {
        while let Some(item) = reader.next_record() {
            match item {
                Ok(record) => self.observe(&record),
                Err(err) => self.read_error(&err),
            }
        }
        self.finish(reader)
    }

    /// Ends the pass: folds in what the reader knows about formats,
    /// interfaces and skipped data, and collects the flows of every shard.
    pub fn finish<R: Read>(self, reader: &CaptureReader<R>) -> Outcome {
        self.finish_source(SourceInfo::of_reader(reader))
    }

    /// The input summary so far, leaving the pass running (live refreshes).
    pub fn summary_snapshot(&self, source: SourceInfo) -> InputSummary {
        self.summary.clone().finish(Some(source))
    }

    /// Ends the pass over a source described by `source` (a live capture).
    pub fn finish_source(self, source: SourceInfo) -> Outcome {
        let mut flows = Vec::new();
        let mut evictions = 0;
        for shard in self.shards {
            let (f, e) = shard.finish();
            flows.extend(f);
            evictions += e;
        }
        flows.sort_by_key(|f| (f.first_ts_ns, f.id));
        Outcome {
            summary: self.summary.finish(Some(source)),
            flows,
            evictions,
        }
    }
}

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

pub mod summary;
pub mod time;

pub use summary::{ErrorEntry, InputSummary, InterfaceSummary, Protocols};

use std::io::Read;

use portmatrix_capture::{CaptureReader, Record};

/// One pass over one input.
#[derive(Debug)]
pub struct Analysis {
    summary: summary::Accumulator,
}

impl Analysis {
    /// A fresh analysis of the input named `path` (used only as a label).
    pub fn new(path: &str) -> Self {
        Analysis {
            summary: summary::Accumulator::new(path),
        }
    }

    /// Feeds one captured record.
    #[inline]
    pub fn observe(&mut self, record: &Record<'_>) {
        let facts = portmatrix_wire::decode(record.link_type, record.frame());
        self.summary.observe(record, &facts);
    }

    /// Records a read error reported by the capture reader.
    pub fn read_error(&mut self, err: &portmatrix_capture::Error) {
        self.summary.read_error(err);
    }

    /// Reads every record of `reader`, then returns the summary.
    pub fn run<R: Read>(mut self, reader: &mut CaptureReader<R>) -> InputSummary {
        while let Some(item) = reader.next_record() {
            match item {
                Ok(record) => self.observe(&record),
                Err(err) => self.read_error(&err),
            }
        }
        self.finish(reader)
    }

    /// Ends the pass: folds in what the reader knows about formats,
    /// interfaces and skipped data.
    pub fn finish<R: Read>(self, reader: &CaptureReader<R>) -> InputSummary {
        self.summary.finish(reader)
    }
}

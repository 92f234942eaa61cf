//! The JSON report document (`docs/report-format.md`), written as the
//! analysis goes: each input's flows are streamed out as they end, so the
//! document of a capture with millions of flows needs no memory for them.

use std::collections::BTreeMap;
use std::io::{self, Write};

use portmatrix_engine::{FlowRecord, FlowSink, InputReport};
use serde::Serialize;

use crate::SCHEMA_VERSION;

/// serde_json's formatter, but DEL, the C1 controls (U+007F-U+009F) and the
/// bidirectional format characters and line separators of
/// [`portmatrix_rules::is_unsafe_char`] are written as `\uXXXX` too: JSON
/// only requires C0 to be escaped, and a terminal that honours 8-bit
/// controls would act on raw C1 from a packet, or show text reordered. The
/// strings read back unchanged.
struct SafeFormatter;

impl serde_json::ser::Formatter for SafeFormatter {
    fn write_string_fragment<W: ?Sized + Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let mut start = 0;
        for (i, c) in fragment.char_indices() {
            if portmatrix_rules::is_unsafe_char(c) {
                writer.write_all(&fragment.as_bytes()[start..i])?;
                write!(writer, "\\u{:04x}", c as u32)?;
                start = i + c.len_utf8();
            }
        }
        writer.write_all(&fragment.as_bytes()[start..])
    }
}

/// Writes `value` as compact JSON with [`SafeFormatter`].
fn write_value<W: Write, T: Serialize + ?Sized>(out: &mut W, value: &T) -> io::Result<()> {
    let mut ser = serde_json::Serializer::with_formatter(out, SafeFormatter);
    value.serialize(&mut ser).map_err(io::Error::other)
}

/// Totals over every input.
#[derive(Serialize, Default)]
struct Totals {
    inputs: usize,
    packets: u64,
    flows: u64,
    verdicts: BTreeMap<&'static str, u64>,
    missing: usize,
    /// Read errors counted (also those not listed in an input's `errors`).
    errors: u64,
}

/// Writes one JSON document: call [`JsonReport::begin_input`], let the
/// analysis stream flows into it (it is a [`FlowSink`]), call
/// [`JsonReport::end_input`], repeat, then [`JsonReport::finish`].
pub struct JsonReport<W: Write> {
    out: W,
    inputs: usize,
    flows_in_input: u64,
    totals: Totals,
    interrupted: Option<String>,
}

impl<W: Write> JsonReport<W> {
    /// Writes the document's opening.
    ///
    /// # Errors
    /// Writing failed.
    pub fn new(mut out: W) -> io::Result<Self> {
        write!(
            out,
            "{{\"schema_version\":{SCHEMA_VERSION},\"generator\":\"portmatrix {}\",\"inputs\":[",
            env!("CARGO_PKG_VERSION")
        )?;
        Ok(JsonReport {
            out,
            inputs: 0,
            flows_in_input: 0,
            totals: Totals::default(),
            interrupted: None,
        })
    }

    /// Marks the document as cut short by `signal` (`"SIGINT"`, ...): the
    /// inputs it has are complete for what was read before the signal.
    pub fn set_interrupted(&mut self, signal: &str) {
        self.interrupted = Some(signal.to_string());
    }

    /// Opens the next input object and its `flows` array.
    ///
    /// # Errors
    /// Writing failed.
    pub fn begin_input(&mut self) -> io::Result<()> {
        if self.inputs > 0 {
            self.out.write_all(b",")?;
        }
        self.inputs += 1;
        self.flows_in_input = 0;
        self.out.write_all(b"\n{\"flows\":[")
    }

    /// Closes the `flows` array and writes the input summary and verdict summary.
    ///
    /// # Errors
    /// Writing failed.
    pub fn end_input(&mut self, report: &InputReport) -> io::Result<()> {
        self.out.write_all(b"\n]")?;
        let value = serde_json::to_value(report).map_err(io::Error::other)?;
        if let serde_json::Value::Object(map) = value {
            for (k, v) in map {
                write!(self.out, ",\n{}:", serde_json::Value::String(k))?;
                write_value(&mut self.out, &v)?;
            }
        }
        self.out.write_all(b"}")?;
        let t = &mut self.totals;
        t.inputs += 1;
        t.packets += report.input.packets;
        t.flows += report.summary.flows;
        t.missing += report.summary.missing.len();
        t.errors += report.input.error_count;
        for (k, n) in &report.summary.verdicts {
            *t.verdicts.entry(k).or_insert(0) += n;
        }
        Ok(())
    }

    /// Writes the totals and closes the document.
    ///
    /// # Errors
    /// Writing failed.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.write_all(b"\n],\"summary\":")?;
        write_value(&mut self.out, &self.totals)?;
        self.out.write_all(b",\"interrupted\":")?;
        write_value(&mut self.out, &self.interrupted)?;
        self.out.write_all(b"}\n")?;
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> FlowSink for JsonReport<W> {
    fn flow(&mut self, record: FlowRecord) -> io::Result<()> {
        self.out.write_all(if self.flows_in_input == 0 {
            b"\n"
        } else {
            b",\n"
        })?;
        self.flows_in_input += 1;
        write_value(&mut self.out, &record)?;
        Ok(())
    }
}

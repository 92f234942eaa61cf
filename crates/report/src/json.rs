//! The JSON report document (`docs/report-format.md`).

use std::collections::BTreeMap;
use std::io::Write;

use portmatrix_engine::InputReport;
use serde::Serialize;

use crate::SCHEMA_VERSION;

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    generator: &'static str,
    inputs: &'a [InputReport],
    summary: Totals,
}

/// Totals over every input.
#[derive(Serialize)]
struct Totals {
    inputs: usize,
    packets: u64,
    flows: u64,
    verdicts: BTreeMap<&'static str, u64>,
    missing: usize,
    errors: usize,
}

/// Writes the report for `inputs` as one JSON document followed by a newline.
pub fn write_report<W: Write>(out: &mut W, inputs: &[InputReport]) -> std::io::Result<()> {
    let mut totals = Totals {
        inputs: inputs.len(),
        packets: 0,
        flows: 0,
        verdicts: BTreeMap::new(),
        missing: 0,
        errors: 0,
    };
    for r in inputs {
        totals.packets += r.input.packets;
        totals.flows += r.summary.flows;
        totals.missing += r.summary.missing.len();
        totals.errors += r.input.errors.len();
        for (k, n) in &r.summary.verdicts {
            *totals.verdicts.entry(k).or_insert(0) += n;
        }
    }
    let doc = Document {
        schema_version: SCHEMA_VERSION,
        generator: concat!("portmatrix ", env!("CARGO_PKG_VERSION")),
        inputs,
        summary: totals,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")
}

//! The JSON report document.

use std::io::Write;

use portmatrix_engine::InputSummary;
use serde::Serialize;

use crate::SCHEMA_VERSION;

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    generator: &'static str,
    inputs: &'a [InputSummary],
}

/// Writes the report for `inputs` as one JSON document followed by a newline.
pub fn write_report<W: Write>(out: &mut W, inputs: &[InputSummary]) -> std::io::Result<()> {
    let doc = Document {
        schema_version: SCHEMA_VERSION,
        generator: concat!("portmatrix ", env!("CARGO_PKG_VERSION")),
        inputs,
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    out.write_all(b"\n")
}

//! `portmatrix check FILE...`: read each input, summarise it, report.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use portmatrix_capture::CaptureReader;
use portmatrix_engine::{Analysis, InputSummary, Options};

use crate::args::{CheckArgs, OutputFormat};

/// Exit status when everything was read cleanly.
const EXIT_OK: u8 = 0;
/// Exit status when an input was read but with damage (findings).
const EXIT_FINDINGS: u8 = 1;
/// Exit status when an input could not be read at all.
const EXIT_ERROR: u8 = 2;

pub fn run(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let mut summaries = Vec::with_capacity(args.files.len());
    let mut status = EXIT_OK;
    for path in &args.files {
        let label = path.to_string_lossy().into_owned();
        let summary = analyse(path, &label);
        if summary.format.is_none() {
            status = EXIT_ERROR;
        } else if !summary.errors.is_empty() && status == EXIT_OK {
            status = EXIT_FINDINGS;
        }
        for e in &summary.errors {
            let record = e.record.map(|r| format!("record {r} ")).unwrap_or_default();
            eprintln!(
                "portmatrix: {label}: {record}at byte {} (0x{:x}): {}",
                e.offset, e.offset, e.message
            );
        }
        summaries.push(summary);
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        OutputFormat::Json => portmatrix_report::json::write_report(&mut out, &summaries)?,
        OutputFormat::Text => portmatrix_report::text::write_report(&mut out, &summaries)?,
    }
    out.flush()?;
    Ok(ExitCode::from(status))
}

fn analyse(path: &Path, label: &str) -> InputSummary {
    match CaptureReader::open(path) {
        Ok(mut reader) => {
            Analysis::new(label, Options::default())
                .run(&mut reader)
                .summary
        }
        Err(err) => InputSummary::unreadable(label, &err),
    }
}

//! `portmatrix check FILE...`: read each input, follow its flows, classify
//! them against the rules (and the site inventory), report.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use portmatrix_capture::CaptureReader;
use portmatrix_engine::{
    Analysis, FlowConfig, FlowSink, InputReport, InputSummary, Options, PortSet,
};
use portmatrix_report::json::JsonReport;
use portmatrix_report::text::{sanitize, TextFlows};
use portmatrix_rules::{Matcher, Site};

use crate::args::{CheckArgs, OutputFormat};
use crate::rules_cmd::{print_problems, rules_or_report};

/// Exit status when everything was read and every flow is documented.
const EXIT_OK: u8 = 0;
/// Exit status when a finding was made (a flow not documented, damage in an input).
const EXIT_FINDINGS: u8 = 1;
/// Exit status when an input could not be read at all, or the rules/site are bad.
const EXIT_ERROR: u8 = 2;

/// The compiled rules (`--rules DIR` or the built-in ones) and the site
/// inventory; `None` after printing every problem when either is bad.
pub fn load_rules_and_site(
    rules: Option<&Path>,
    site: Option<&Path>,
) -> anyhow::Result<Option<(Matcher, Option<Site>)>> {
    let stderr = std::io::stderr();
    let Some(rules) = rules_or_report(rules, &mut stderr.lock())? else {
        return Ok(None);
    };
    let matcher = Matcher::new(&rules);
    let site = match site {
        Some(path) => match Site::load(path, matcher.rule_set()) {
            Ok(s) => Some(s),
            Err(e) => {
                print_problems(&mut stderr.lock(), e.diagnostics())?;
                return Ok(None);
            }
        },
        None => None,
    };
    Ok(Some((matcher, site)))
}

pub fn run(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let Some((matcher, site)) = load_rules_and_site(args.rules.as_deref(), args.site.as_deref())?
    else {
        return Ok(ExitCode::from(EXIT_ERROR));
    };
    let mut status = EXIT_OK;
    let mut note = |report: &InputReport, label: &str| {
        let input = &report.input;
        if input.format.is_none() {
            status = EXIT_ERROR;
        } else if (!input.errors.is_empty() || report.summary.has_findings()) && status == EXIT_OK {
            status = EXIT_FINDINGS;
        }
        for e in &input.errors {
            let record = e.record.map(|r| format!("record {r} ")).unwrap_or_default();
            // The path and messages may come from someone else's file
            // names and bytes: no control characters reach the terminal.
            eprintln!(
                "portmatrix: {}: {record}at byte {} (0x{:x}): {}",
                sanitize(label),
                e.offset,
                e.offset,
                sanitize(&e.message)
            );
        }
    };
    let stdout = std::io::stdout();
    match args.format {
        OutputFormat::Json => {
            // Flows are written as they end, so memory does not grow with them.
            let mut json = JsonReport::new(std::io::BufWriter::new(stdout.lock()))?;
            for path in &args.files {
                let label = path.to_string_lossy().into_owned();
                json.begin_input()?;
                let report = analyse(path, &label, &args, &matcher, site.as_ref(), &mut json)?;
                json.end_input(&report)?;
                note(&report, &label);
            }
            json.finish()?;
        }
        OutputFormat::Text => {
            let mut reports = Vec::with_capacity(args.files.len());
            for path in &args.files {
                let label = path.to_string_lossy().into_owned();
                let mut flows = TextFlows::default();
                let report = analyse(path, &label, &args, &matcher, site.as_ref(), &mut flows)?;
                note(&report, &label);
                reports.push((report, flows));
            }
            let mut out = stdout.lock();
            portmatrix_report::text::write_report(&mut out, &reports)?;
            out.flush()?;
        }
    }
    Ok(ExitCode::from(status))
}

/// One input through the analysis; its flows go to `sink` as they end.
fn analyse<S: FlowSink>(
    path: &Path,
    label: &str,
    args: &CheckArgs,
    matcher: &Matcher,
    site: Option<&Site>,
    sink: S,
) -> std::io::Result<InputReport> {
    let options = Options {
        flows: FlowConfig {
            max_flows: args.max_flows.max(1),
            ..FlowConfig::default()
        },
        shards: 1,
        services: Box::new(PortSet::from_rules(matcher.rule_set())),
        decode: crate::args::decode_options(args.no_decap),
    };
    match CaptureReader::open(path) {
        Ok(mut reader) => {
            // read() calls and gzip decompression on a thread of their own;
            // if it cannot be started, this thread reads, with the same result.
            let _ = reader.start_read_ahead();
            Ok(Analysis::new(label, options, matcher, site, sink)
                .run_parallel(&mut reader)?
                .report)
        }
        Err(err) => Ok(InputReport::unreadable(InputSummary::unreadable(
            label, &err,
        ))),
    }
}

//! `portmatrix check FILE...`: read each input, follow its flows, classify
//! them against the rules (and the site inventory), report.

use std::path::Path;
use std::process::ExitCode;

use portmatrix_capture::CaptureReader;
use portmatrix_engine::{
    Analysis, FlowConfig, FlowSink, InputReport, InputSummary, Options, PortSet,
};
use portmatrix_report::text::sanitize;
use portmatrix_rules::{Matcher, Site};

use crate::args::CheckArgs;
use crate::output::Outputs;
use crate::rules_cmd::{print_problems, rules_or_report};

/// Exit status when everything was read and every flow is documented.
const EXIT_OK: u8 = 0;
/// Exit status when something `--fail-on` selects was found.
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
    // Every output is opened first: a bad path fails before any analysis.
    let mut outputs = Outputs::open(&args.report, matcher.rule_set())?;
    let mut status = EXIT_OK;
    for path in &args.files {
        let label = path.to_string_lossy().into_owned();
        outputs.begin_input(&label)?;
        // Flows go to every report as they end, so memory does not grow with them.
        let report = analyse(path, &label, &args, &matcher, site.as_ref(), &mut outputs)?;
        let input = &report.input;
        if input.format.is_none() {
            status = EXIT_ERROR;
        } else if status == EXIT_OK
            && crate::output::fails(&args.report.fail_on, &report, outputs.flows_with_findings)
        {
            status = EXIT_FINDINGS;
        }
        for e in &input.errors {
            // The path and messages may come from someone else's file
            // names and bytes: no control characters reach the terminal.
            // An input that could not be opened is one line: path, reason
            // (no position: not a byte of it was read).
            let at = if input.format.is_none() && e.message.starts_with("cannot open: ") {
                String::new()
            } else {
                let record = e.record.map(|r| format!("record {r} ")).unwrap_or_default();
                format!("{record}at byte {} (0x{:x}): ", e.offset, e.offset)
            };
            eprintln!(
                "portmatrix: {}: {at}{}",
                sanitize(&label),
                sanitize(&e.message)
            );
        }
        outputs.end_input(report)?;
    }
    outputs.finish()?;
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
            detect: crate::args::detect_config(&args.clock_rates),
            ..FlowConfig::default()
        },
        shards: 1,
        services: Box::new(PortSet::from_rules(matcher.rule_set())),
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

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
use crate::interrupt::{Interrupt, Stoppable};
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
            Ok(s) => {
                crate::rules_cmd::print_warnings(&mut stderr.lock(), s.warnings())?;
                Some(s)
            }
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
    // First, so that a signal at any later point ends the run with a report.
    let interrupt = Interrupt::install()?;
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
        // Errors are kept per kind up to a cap (docs/robustness.md): say how
        // many of a kind there were when not all are printed above.
        for k in input.error_kinds.iter().filter(|k| k.count > k.kept) {
            eprintln!(
                "portmatrix: {}: {} {} errors in all, from byte {} to byte {}; {} shown",
                sanitize(label),
                k.count,
                k.kind,
                k.first_offset,
                k.last_offset,
                k.kept
            );
        }
    };
    let stdout = std::io::stdout();
    match args.format {
        OutputFormat::Json => {
            // Flows are written as they end, so memory does not grow with them.
            let mut json = JsonReport::new(std::io::BufWriter::new(stdout.lock()))?;
            for path in &args.files {
                if interrupt.is_set() {
                    break;
                }
                let label = path.to_string_lossy().into_owned();
                let Some(opened) = open(path, &interrupt) else {
                    break;
                };
                json.begin_input()?;
                let report = analyse(
                    opened,
                    &label,
                    &args,
                    &matcher,
                    site.as_ref(),
                    &interrupt,
                    &mut json,
                )?;
                json.end_input(&report)?;
                note(&report, &label);
            }
            if let Some(sig) = interrupt.signal() {
                json.set_interrupted(&Interrupt::name(sig));
            }
            json.finish()?;
        }
        OutputFormat::Text => {
            let mut reports = Vec::with_capacity(args.files.len());
            for path in &args.files {
                if interrupt.is_set() {
                    break;
                }
                let label = path.to_string_lossy().into_owned();
                let Some(opened) = open(path, &interrupt) else {
                    break;
                };
                let mut flows = TextFlows::default();
                let report = analyse(
                    opened,
                    &label,
                    &args,
                    &matcher,
                    site.as_ref(),
                    &interrupt,
                    &mut flows,
                )?;
                note(&report, &label);
                reports.push((report, flows));
            }
            let mut out = stdout.lock();
            portmatrix_report::text::write_report(&mut out, &reports)?;
            if let Some(sig) = interrupt.signal() {
                portmatrix_report::text::write_interrupted(&mut out, &Interrupt::name(sig))?;
            }
            out.flush()?;
        }
    }
    if let Some(sig) = interrupt.signal() {
        eprintln!(
            "portmatrix: interrupted by {}: the report covers what was read before it",
            Interrupt::name(sig)
        );
        return Ok(ExitCode::from(Interrupt::exit_status(sig)));
    }
    Ok(ExitCode::from(status))
}

/// An input opened as `CaptureReader::open` does, with reads that end at
/// SIGINT/SIGTERM/SIGHUP; `None` when a signal stopped it before its header
/// was read (the input is then not read at all, not reported unreadable).
fn open(
    path: &Path,
    interrupt: &Interrupt,
) -> Option<Result<CaptureReader<Stoppable>, portmatrix_capture::Error>> {
    let opened = crate::interrupt::open(path, interrupt);
    if opened.is_err() && interrupt.is_set() {
        return None;
    }
    Some(opened)
}

/// One input through the analysis; its flows go to `sink` as they end.
#[allow(clippy::too_many_arguments)]
fn analyse<S: FlowSink>(
    opened: Result<CaptureReader<Stoppable>, portmatrix_capture::Error>,
    label: &str,
    args: &CheckArgs,
    matcher: &Matcher,
    site: Option<&Site>,
    interrupt: &Interrupt,
    sink: S,
) -> std::io::Result<InputReport> {
    let options = Options {
        flows: FlowConfig {
            max_flows: args.max_flows.get(),
            detect: crate::args::detect_config(&args.clock_rates),
            ..FlowConfig::default()
        },
        shards: 1,
        services: Box::new(PortSet::from_rules(matcher.rule_set())),
    };
    match opened {
        Ok(mut reader) => {
            // read() calls and gzip decompression on a thread of their own;
            // if it cannot be started, this thread reads, with the same result.
            let _ = reader.start_read_ahead();
            let mut analysis = Analysis::new(label, options, matcher, site, sink);
            // Rules of `--rules` may lack the roles the knowledge names:
            // then no recognition (docs/recognition.md).
            if let Ok(k) = portmatrix_engine::recognize::Knowledge::builtin(matcher.rule_set()) {
                analysis = analysis.with_recognition(k);
            }
            Ok(analysis
                .run_parallel_until(&mut reader, &|| interrupt.is_set())?
                .report)
        }
        Err(err) => Ok(InputReport::unreadable(InputSummary::unreadable(
            label, &err,
        ))),
    }
}

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
use crate::interrupt::{Interrupt, Stoppable};
use crate::output::Outputs;
use crate::rules_cmd::print_problems;

/// Exit status when everything was read and every flow is documented.
const EXIT_OK: u8 = 0;
/// Exit status when something `--fail-on` selects was found.
const EXIT_FINDINGS: u8 = 1;
/// Exit status when an input could not be read at all, or the rules/site are bad.
const EXIT_ERROR: u8 = 2;
/// Exit status when an input was read but nothing in it was analysed (no
/// packets, no decodable packets, no IP flows); 2 wins over it, it wins over 1.
const EXIT_NOTHING: u8 = 3;

/// The compiled rules (`--rules DIR` or the built-in ones) and the site
/// inventory; `None` after printing every problem when either is bad.
pub fn load_rules_and_site(
    rules: Option<&Path>,
    selection: &crate::select::RuleSelection,
    site: Option<&Path>,
) -> anyhow::Result<Option<(Matcher, Option<Site>)>> {
    let stderr = std::io::stderr();
    let Some(rules) = selection.load(rules, &mut stderr.lock())? else {
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
    let Some((matcher, site)) =
        load_rules_and_site(args.rules.as_deref(), &args.selection, args.site.as_deref())?
    else {
        return Ok(ExitCode::from(EXIT_ERROR));
    };
    // Every output is opened first: a bad path fails before any analysis.
    let mut outputs = Outputs::open(&args.report, matcher.rule_set())?;
    let mut status = EXIT_OK;
    for path in &args.files {
        if interrupt.is_set() {
            break;
        }
        let label = path.to_string_lossy().into_owned();
        let Some(opened) = open(path, &interrupt) else {
            break;
        };
        outputs.begin_input(&label)?;
        // Flows go to every report as they end, so memory does not grow with them.
        let report = analyse(
            opened,
            &label,
            &args,
            &matcher,
            site.as_ref(),
            &interrupt,
            &mut outputs,
        )?;
        let input = &report.input;
        if input.format.is_none() {
            status = EXIT_ERROR;
        } else if let Some(why) = &report.nothing_analysed {
            eprintln!("portmatrix: {}: nothing analysed: {why}", sanitize(&label));
            if status != EXIT_ERROR {
                status = EXIT_NOTHING;
            }
        } else if status == EXIT_OK
            && crate::output::fails(&args.report.fail_on, &report, outputs.flows_with_findings)
        {
            status = EXIT_FINDINGS;
        }
        note(&report, &label);
        outputs.end_input(report)?;
    }
    let signal = interrupt.signal();
    outputs.finish(signal.map(Interrupt::name).as_deref())?;
    if let Some(sig) = signal {
        eprintln!(
            "portmatrix: interrupted by {}: the report covers what was read before it",
            Interrupt::name(sig)
        );
        return Ok(ExitCode::from(Interrupt::exit_status(sig)));
    }
    Ok(ExitCode::from(status))
}

/// Prints an input's read errors on standard error: the kept ones with
/// their positions, then for each kind with more than were kept, one line
/// with its count (errors are kept per kind up to a cap, docs/robustness.md).
fn note(report: &InputReport, label: &str) {
    let input = &report.input;
    for e in &input.errors {
        // The path and messages may come from someone else's file names
        // and bytes: no control characters reach the terminal. An input
        // that could not be opened is one line: path, reason (no position:
        // not a byte of it was read).
        let at = if input.format.is_none() && e.message.starts_with("cannot open: ") {
            String::new()
        } else {
            let record = e.record.map(|r| format!("record {r} ")).unwrap_or_default();
            format!("{record}at byte {} (0x{:x}): ", e.offset, e.offset)
        };
        eprintln!(
            "portmatrix: {}: {at}{}",
            sanitize(label),
            sanitize(&e.message)
        );
    }
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
        decode: crate::args::decode_options(args.no_decap),
    };
    match opened {
        Ok(mut reader) => {
            // read() calls and gzip decompression on a thread of their own;
            // if it cannot be started, this thread reads, with the same result.
            let _ = reader.start_read_ahead();
            let mut analysis = Analysis::new(label, options, matcher, site, sink)
                .with_dedup_window(args.dedup_window);
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

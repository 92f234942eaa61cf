//! `portmatrix check FILE...`: read each input, follow its flows, classify
//! them against the rules (and the site inventory), report.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use portmatrix_capture::CaptureReader;
use portmatrix_engine::{Analysis, FlowConfig, InputReport, InputSummary, Options, PortSet};
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

    let mut reports = Vec::with_capacity(args.files.len());
    let mut status = EXIT_OK;
    for path in &args.files {
        let label = path.to_string_lossy().into_owned();
        let report = analyse(path, &label, &args, &matcher, site.as_ref());
        let input = &report.input;
        if input.format.is_none() {
            status = EXIT_ERROR;
        } else if (!input.errors.is_empty() || report.summary.has_findings()) && status == EXIT_OK {
            status = EXIT_FINDINGS;
        }
        for e in &input.errors {
            let record = e.record.map(|r| format!("record {r} ")).unwrap_or_default();
            eprintln!(
                "portmatrix: {label}: {record}at byte {} (0x{:x}): {}",
                e.offset, e.offset, e.message
            );
        }
        reports.push(report);
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        OutputFormat::Json => portmatrix_report::json::write_report(&mut out, &reports)?,
        OutputFormat::Text => portmatrix_report::text::write_report(&mut out, &reports)?,
    }
    out.flush()?;
    Ok(ExitCode::from(status))
}

fn analyse(
    path: &Path,
    label: &str,
    args: &CheckArgs,
    matcher: &Matcher,
    site: Option<&Site>,
) -> InputReport {
    let options = Options {
        flows: FlowConfig {
            max_flows: args.max_flows.max(1),
            ..FlowConfig::default()
        },
        shards: 1,
        services: Box::new(PortSet::from_rules(matcher.rule_set())),
    };
    match CaptureReader::open(path) {
        Ok(mut reader) => Analysis::new(label, options)
            .run(&mut reader)
            .report(matcher, site),
        Err(err) => InputReport::unreadable(InputSummary::unreadable(label, &err)),
    }
}

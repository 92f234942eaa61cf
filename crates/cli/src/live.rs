//! `portmatrix live IFACE`: capture, show the summary refreshed on a
//! terminal, and print the final one on Ctrl-C or at the end of `--duration`.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use portmatrix_capture::live::{LiveCapture, LiveOptions};
use portmatrix_capture::PcapngWriter;
use portmatrix_engine::{
    Analysis, FlowSink, InputSummary, InterfaceSummary, LiveCounters, Options, SourceInfo,
};
use portmatrix_report::json::JsonReport;
use portmatrix_report::text::TextFlows;

use crate::args::{LiveArgs, OutputFormat};
use crate::outfile::OutputFile;
use portmatrix_rules::sanitize;

pub fn run(args: LiveArgs) -> anyhow::Result<ExitCode> {
    let Some((matcher, site)) = crate::check::load_rules_and_site(
        args.rules.as_deref(),
        &args.selection,
        args.site.as_deref(),
    )?
    else {
        return Ok(ExitCode::from(2));
    };
    let options = LiveOptions {
        snaplen: args.snaplen,
        filter: args.filter.clone(),
        // Deliver packets as they arrive: the read timeout then bounds every
        // wait, so the display refreshes and Ctrl-C / --duration end the
        // capture even on a silent interface.
        immediate: true,
        ..LiveOptions::default()
    };
    // The output file first: an existing one is refused before capturing.
    let mut saving = match &args.write {
        Some(path) => Some(OutputFile::create(path, args.force)?),
        None => None,
    };
    let mut cap = match LiveCapture::open(&args.interface, &options) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("portmatrix: live: {}", sanitize(&e.to_string()));
            return Ok(ExitCode::from(2));
        }
    };
    let mut writer = match saving.take() {
        Some((out, file)) => {
            let shown = sanitize(&out.temp_path().display().to_string());
            let mut w = PcapngWriter::new(std::io::BufWriter::new(file))
                .with_context(|| format!("cannot write {shown}"))?;
            w.add_interface(cap.link_type(), cap.snaplen(), Some(&args.interface))
                .with_context(|| format!("cannot write {shown}"))?;
            Some((out, w))
        }
        None => None,
    };
    let mut write_failure: Option<String> = None;

    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = Arc::clone(&stop);
        // A second Ctrl-C while we are finishing still ends the process.
        let _ = ctrlc::set_handler(move || {
            if stop.swap(true, Ordering::SeqCst) {
                std::process::exit(130);
            }
        });
    }

    let label = format!("live:{}", args.interface);
    let options = Options {
        flows: portmatrix_engine::FlowConfig {
            detect: crate::args::detect_config(&args.clock_rates),
            ..portmatrix_engine::FlowConfig::default()
        },
        services: Box::new(portmatrix_engine::PortSet::from_rules(matcher.rule_set())),
        decode: crate::args::decode_options(args.no_decap),
        ..Options::default()
    };
    let mut json = match args.format {
        OutputFormat::Json => Some(JsonReport::new(std::io::BufWriter::new(std::io::stdout()))?),
        OutputFormat::Text => None,
        OutputFormat::Html => anyhow::bail!(
            "--format html is for capture files: record with --write, then run check on the file"
        ),
    };
    if let Some(j) = json.as_mut() {
        j.begin_input()?;
    }
    let mut text = TextFlows::default();
    let sink: &mut dyn FlowSink = match json.as_mut() {
        Some(j) => j,
        None => &mut text,
    };
    let mut counting = crate::output::Counting::new(sink);
    let mut analysis = Analysis::new(&label, options, &matcher, site.as_ref(), &mut counting)
        .with_dedup_window(args.dedup_window);
    let started = Instant::now();
    let deadline = args
        .duration
        .map(|s| started + Duration::from_secs_f64(s.max(0.0)));
    let refresh = Duration::from_secs_f64(args.refresh.max(0.2));
    let terminal = std::io::stdout().is_terminal() && args.format == OutputFormat::Text;
    let mut last_refresh = Instant::now();
    let mut index = 0u64;
    let mut failure = None;
    // Silence on the interface is said once per silent stretch.
    let mut last_packet = started;
    let mut silence_said = false;

    while !stop.load(Ordering::SeqCst) && deadline.is_none_or(|d| Instant::now() < d) {
        match cap.next_record() {
            Ok(Some(record)) => {
                index += 1;
                last_packet = Instant::now();
                silence_said = false;
                let mut record = record;
                record.index = index;
                analysis.observe(&record);
                if let Some((_, w)) = writer.as_mut() {
                    if let Err(e) = w.write_record(0, &record) {
                        // Stop: the report covers what was captured, the
                        // partial file is removed (dropping it), exit 2.
                        write_failure = Some(write_error(&args, &e));
                        writer = None;
                        break;
                    }
                }
            }
            Ok(None) => {
                if !silence_said && last_packet.elapsed() >= SILENCE {
                    silence_said = true;
                    eprintln!("portmatrix: live: {}", silence(&args, index));
                }
            }
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
        if terminal && last_refresh.elapsed() >= refresh {
            last_refresh = Instant::now();
            let snapshot = snapshot_outcome(&analysis, &mut cap, &args);
            let (verdicts, open) = analysis.verdict_snapshot(10);
            let mut out = std::io::stdout().lock();
            // Clear the screen and home the cursor before each refresh.
            out.write_all(b"\x1b[H\x1b[2J")?;
            portmatrix_report::text::write_live(&mut out, &snapshot, &verdicts, &open)?;
            writeln!(
                out,
                "\n  capturing for {:.0} s; Ctrl-C ends",
                started.elapsed().as_secs_f64()
            )?;
            out.flush()?;
        }
    }

    let counters = cap.stats().ok().map(|s| LiveCounters {
        received: u64::from(s.received),
        dropped: u64::from(s.dropped),
        if_dropped: u64::from(s.if_dropped),
    });
    if let Some((out, w)) = writer.take() {
        if let Err(e) = finish_file(out, w) {
            write_failure = Some(format!("{e:#}"));
        }
    }
    let report = analysis
        .finish_source(source_info(&cap, &args, counters))?
        .report;
    let findings = crate::output::fails(&args.fail_on, &report, counting.flows_with_findings);
    let report_nothing = report.nothing_analysed.clone();
    match json {
        Some(mut j) => {
            j.end_input(&report)?;
            j.finish()?;
        }
        None => {
            let mut out = std::io::stdout().lock();
            portmatrix_report::text::write_report(&mut out, &[(report, text)])?;
            out.flush()?;
        }
    }
    if let Some(e) = failure {
        eprintln!("portmatrix: live: {}", sanitize(&e.to_string()));
        return Ok(ExitCode::from(2));
    }
    if let Some(e) = write_failure {
        eprintln!("portmatrix: live: {e}");
        return Ok(ExitCode::from(2));
    }
    if let Some(why) = &report_nothing {
        eprintln!("portmatrix: {}: nothing analysed: {why}", sanitize(&label));
        if index == 0 {
            eprintln!("portmatrix: live: {}", silence(&args, 0));
        }
        return Ok(ExitCode::from(3));
    }
    Ok(ExitCode::from(u8::from(findings)))
}

/// Seconds without a packet before `live` says the interface is silent.
const SILENCE: Duration = Duration::from_secs(5);

/// What a silent interface usually means (docs/mirror.md).
fn silence(args: &LiveArgs, packets: u64) -> String {
    let filter = match &args.filter {
        Some(f) => format!("the filter {:?} too narrow", sanitize(f)),
        None => "a capture filter too narrow".to_string(),
    };
    let since = if packets == 0 {
        "since the capture started".to_string()
    } else {
        format!("after {packets} packets")
    };
    format!(
        "no packet on {} for {} s {since}: wrong interface? mirror (SPAN) session not active or \
         not pointed at this port? {filter}? link down?",
        sanitize(&args.interface),
        SILENCE.as_secs()
    )
}

/// Flushes, syncs and renames the capture file to its name.
fn finish_file(
    out: OutputFile,
    w: PcapngWriter<std::io::BufWriter<std::fs::File>>,
) -> anyhow::Result<()> {
    let shown = sanitize(&out.temp_path().display().to_string());
    let file = w
        .into_inner()
        .and_then(|b| b.into_inner().map_err(std::io::IntoInnerError::into_error))
        .with_context(|| format!("cannot write {shown}; nothing was saved"))?;
    file.sync_all()
        .with_context(|| format!("cannot write {shown}; nothing was saved"))?;
    drop(file);
    out.commit()
}

fn write_error(args: &LiveArgs, e: &std::io::Error) -> String {
    let path = args
        .write
        .as_deref()
        .map(|p| sanitize(&p.display().to_string()))
        .unwrap_or_default();
    format!("cannot write {path}: {e}; capture stopped, nothing was saved")
}

/// The summary so far, without ending the pass.
fn snapshot_outcome<S: FlowSink>(
    analysis: &Analysis<'_, S>,
    cap: &mut LiveCapture,
    args: &LiveArgs,
) -> InputSummary {
    let counters = cap.stats().ok().map(|s| LiveCounters {
        received: u64::from(s.received),
        dropped: u64::from(s.dropped),
        if_dropped: u64::from(s.if_dropped),
    });
    analysis.summary_snapshot(source_info(cap, args, counters))
}

fn source_info(cap: &LiveCapture, args: &LiveArgs, live: Option<LiveCounters>) -> SourceInfo {
    SourceInfo {
        format: "live".to_string(),
        variant: format!("live capture on {}", args.interface),
        compressed: false,
        interfaces: vec![InterfaceSummary {
            id: 0,
            section: 0,
            link_type: cap.link_type().to_string(),
            link_type_code: cap.link_type().0,
            snaplen: cap.snaplen(),
            name: Some(args.interface.clone()),
            packets: 0,
            dropped: live.map(|l| l.if_dropped),
        }],
        skipped_bytes: 0,
        unknown_blocks: 0,
        live,
    }
}

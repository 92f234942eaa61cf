//! Where `portmatrix check` writes its reports: the formats asked for
//! (`--format text,json,csv,parquet`), their files (`--output`), firewall
//! allowlists (`--emit-firewall`), and what makes the exit status 1
//! (`--fail-on`). Naming rules are in `docs/report-format.md` ("Files").

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::ValueEnum;
use portmatrix_engine::{FlowRecord, FlowSink, InputReport};
use portmatrix_report::csv::CsvReport;
use portmatrix_report::firewall::{Allowlist, FirewallKind};
use portmatrix_report::json::JsonReport;
use portmatrix_report::text::TextFlows;
use portmatrix_rules::RuleSet;

/// Exit codes of `check` and `live`, shown by `--help`.
pub const CHECK_EXIT_HELP: &str = "\
Exit status:
  0  every input was read and nothing selected by --fail-on was found
  1  something selected by --fail-on was found (default: any flow not
     documented, a missing flow, or damage in an input)
  2  an error: an input could not be read at all, the rules or the site
     inventory are invalid, an output could not be written, bad arguments";

/// Exit codes of `rules` and `site`, shown by `--help`.
pub const RULES_EXIT_HELP: &str = "\
Exit status:
  0  valid / printed
  2  invalid rules or inventory, an unknown rule id, bad arguments";

/// A report format of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum ReportFormat {
    /// The terminal summary
    Text,
    /// One JSON document (docs/report-format.md, docs/report.schema.json)
    Json,
    /// One row per flow, for spreadsheets
    Csv,
    /// One self-contained page with charts, for people (docs/report-format.md)
    Html,
    /// flows.parquet and findings.parquet, to query many captures together
    #[cfg(feature = "parquet")]
    Parquet,
}

impl ReportFormat {
    /// File names in an output directory.
    fn file_name(self) -> &'static str {
        match self {
            ReportFormat::Text => "report.txt",
            ReportFormat::Json => "report.json",
            ReportFormat::Csv => "report.csv",
            ReportFormat::Html => "report.html",
            #[cfg(feature = "parquet")]
            ReportFormat::Parquet => "flows.parquet",
        }
    }
}

/// What makes the exit status 1 (`--fail-on`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// A flow no rule documents
    Undocumented,
    /// A flow that was attempted and failed
    Blocked,
    /// A flow a rule says must be blocked (with an inventory)
    Forbidden,
    /// A flow opened by the rule's destination (with an inventory)
    WrongDirection,
    /// A mandatory flow between listed devices that never appeared
    Missing,
    /// A read error in an input that was still analysed
    Damage,
    /// Any flow carrying a finding, whatever its verdict
    Findings,
    /// Nothing: exit 1 is never used
    None,
}

/// The default of `--fail-on`: the behaviour before the option existed.
pub const FAIL_ON_DEFAULT: &str = "undocumented,blocked,forbidden,wrong-direction,missing,damage";

/// Report options shared by the flags of `check`.
#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Report formats, comma-separated or repeated (parquet needs --output)
    #[arg(long, value_enum, value_delimiter = ',', default_value = "text")]
    pub format: Vec<ReportFormat>,
    /// Where reports go: a file for one format (default: standard output);
    /// a directory (existing, or ending in `/`) or a file-name prefix for
    /// several formats or parquet
    #[arg(long, short = 'o', value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// Write a firewall allowlist of the documented flows observed; repeatable
    #[arg(long, num_args = 2, value_names = ["nft|iptables", "PATH"])]
    pub emit_firewall: Vec<String>,
    /// What makes the exit status 1, comma-separated
    #[arg(long, value_enum, value_delimiter = ',', default_value = FAIL_ON_DEFAULT)]
    pub fail_on: Vec<FailOn>,
}

/// True when `report` (and the count of its flows carrying findings)
/// holds something `fail_on` selects.
pub fn fails(fail_on: &[FailOn], report: &InputReport, flows_with_findings: u64) -> bool {
    let verdict = |name: &str| report.summary.verdicts.get(name).copied().unwrap_or(0) > 0;
    fail_on.iter().any(|f| match f {
        FailOn::Undocumented => verdict("undocumented"),
        FailOn::Blocked => verdict("blocked"),
        FailOn::Forbidden => verdict("forbidden"),
        FailOn::WrongDirection => verdict("wrong-direction"),
        FailOn::Missing => !report.summary.missing.is_empty(),
        FailOn::Damage => !report.input.errors.is_empty(),
        FailOn::Findings => flows_with_findings > 0,
        FailOn::None => false,
    })
}

/// Passes flows on, counting those that carry a finding (`--fail-on findings`).
#[cfg(feature = "live")]
pub struct Counting<S> {
    inner: S,
    pub flows_with_findings: u64,
}

#[cfg(feature = "live")]
impl<S: FlowSink> Counting<S> {
    pub fn new(inner: S) -> Self {
        Counting {
            inner,
            flows_with_findings: 0,
        }
    }
}

#[cfg(feature = "live")]
impl<S: FlowSink> FlowSink for Counting<S> {
    fn flow(&mut self, record: FlowRecord) -> io::Result<()> {
        if !record.findings.is_empty() {
            self.flows_with_findings += 1;
        }
        self.inner.flow(record)
    }
}

/// A file writer whose errors name the file.
struct Named {
    path: PathBuf,
    out: BufWriter<File>,
}

impl Named {
    fn create(path: &Path) -> anyhow::Result<Named> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if !dir.is_dir() {
                bail!("{}: no such directory", dir.display());
            }
        }
        let file = File::create(path).with_context(|| format!("{}", path.display()))?;
        Ok(Named {
            path: path.to_path_buf(),
            out: BufWriter::new(file),
        })
    }

    fn err(&self, e: io::Error) -> io::Error {
        io::Error::new(e.kind(), format!("{}: {e}", self.path.display()))
    }
}

impl Write for Named {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.write(buf).map_err(|e| self.err(e))
    }
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush().map_err(|e| self.err(e))
    }
}

type Out = Box<dyn Write>;

/// The destination of one format.
#[derive(Debug, PartialEq, Eq)]
enum Dest {
    Stdout,
    File(PathBuf),
}

/// An existing directory, or a path ending in `/`.
fn dir_like(p: &Path) -> bool {
    p.is_dir() || p.as_os_str().to_string_lossy().ends_with('/')
}

/// The files of each format (`docs/report-format.md`, "Files").
fn destinations(
    formats: &[ReportFormat],
    output: Option<&Path>,
) -> anyhow::Result<Vec<(ReportFormat, Dest)>> {
    let mut formats = formats.to_vec();
    formats.sort();
    formats.dedup();
    #[cfg(feature = "parquet")]
    let parquet = formats.contains(&ReportFormat::Parquet);
    #[cfg(not(feature = "parquet"))]
    let parquet = false;
    match (output, formats.as_slice()) {
        (None, [one]) if !parquet => return Ok(vec![(*one, Dest::Stdout)]),
        (Some(p), [one]) if !parquet && !dir_like(p) => {
            return Ok(vec![(*one, Dest::File(p.to_path_buf()))])
        }
        (None, _) => bail!(
            "--format {}: give --output DIR or PREFIX for several formats or parquet",
            formats
                .iter()
                .map(|f| f
                    .to_possible_value()
                    .map_or(String::new(), |v| v.get_name().to_string()))
                .collect::<Vec<_>>()
                .join(",")
        ),
        _ => {}
    }
    let base = output.unwrap_or(Path::new("."));
    let as_dir = dir_like(base);
    if as_dir && !base.is_dir() {
        std::fs::create_dir_all(base).with_context(|| format!("{}", base.display()))?;
    }
    Ok(formats
        .into_iter()
        .map(|f| {
            let path = if as_dir {
                base.join(f.file_name())
            } else {
                let mut s = base.as_os_str().to_os_string();
                s.push(".");
                s.push(f.file_name().trim_start_matches("report."));
                PathBuf::from(s)
            };
            (f, Dest::File(path))
        })
        .collect())
}

/// `flows.parquet` → `findings.parquet` beside it (same directory or prefix).
#[cfg(feature = "parquet")]
fn findings_path(flows: &Path) -> PathBuf {
    let s = flows.as_os_str().to_string_lossy();
    PathBuf::from(format!(
        "{}findings.parquet",
        s.strip_suffix("flows.parquet").unwrap_or(&s)
    ))
}

fn open(dest: &Dest) -> anyhow::Result<Out> {
    Ok(match dest {
        Dest::Stdout => Box::new(BufWriter::new(io::stdout())),
        Dest::File(p) => Box::new(Named::create(p)?),
    })
}

/// Every report being written, fed each flow as it ends.
pub struct Outputs<'r> {
    rules: &'r RuleSet,
    json: Option<JsonReport<Out>>,
    csv: Option<CsvReport<'r, Out>>,
    html: Option<(Out, portmatrix_report::html::HtmlReport<'r>)>,
    #[cfg(feature = "parquet")]
    parquet: Option<portmatrix_report::parquet::ParquetReport<Named>>,
    text: Option<(Out, Vec<(InputReport, TextFlows)>)>,
    text_flows: TextFlows,
    firewall: Vec<(FirewallKind, PathBuf)>,
    allowlist: Allowlist,
    /// Flows of the current input carrying at least one finding.
    pub flows_with_findings: u64,
}

impl<'r> Outputs<'r> {
    /// Opens every output (so a bad path fails before any analysis).
    pub fn open(args: &ReportArgs, rules: &'r RuleSet) -> anyhow::Result<Outputs<'r>> {
        let mut firewall = Vec::new();
        for pair in args.emit_firewall.chunks(2) {
            let kind = match pair[0].as_str() {
                "nft" => FirewallKind::Nft,
                "iptables" => FirewallKind::Iptables,
                other => bail!("--emit-firewall {other:?}: expected nft or iptables"),
            };
            let path = PathBuf::from(&pair[1]);
            // Fail now, not after the analysis, when it cannot be written.
            Named::create(&path)?;
            firewall.push((kind, path));
        }
        let mut outputs = Outputs {
            rules,
            json: None,
            csv: None,
            html: None,
            #[cfg(feature = "parquet")]
            parquet: None,
            text: None,
            text_flows: TextFlows::default(),
            firewall,
            allowlist: Allowlist::default(),
            flows_with_findings: 0,
        };
        for (format, dest) in destinations(&args.format, args.output.as_deref())? {
            match format {
                ReportFormat::Text => outputs.text = Some((open(&dest)?, Vec::new())),
                ReportFormat::Json => outputs.json = Some(JsonReport::new(open(&dest)?)?),
                ReportFormat::Csv => outputs.csv = Some(CsvReport::new(open(&dest)?, rules)?),
                ReportFormat::Html => {
                    outputs.html = Some((
                        open(&dest)?,
                        portmatrix_report::html::HtmlReport::new(rules),
                    ))
                }
                #[cfg(feature = "parquet")]
                ReportFormat::Parquet => {
                    let Dest::File(flows) = dest else {
                        unreachable!("parquet always has files")
                    };
                    let findings = findings_path(&flows);
                    outputs.parquet = Some(portmatrix_report::parquet::ParquetReport::new(
                        Named::create(&flows)?,
                        Named::create(&findings)?,
                    )?);
                }
            }
        }
        Ok(outputs)
    }

    /// Starts the next input.
    pub fn begin_input(&mut self, label: &str) -> io::Result<()> {
        self.flows_with_findings = 0;
        if let Some(j) = self.json.as_mut() {
            j.begin_input()?;
        }
        if let Some(c) = self.csv.as_mut() {
            c.begin_input(label);
        }
        if let Some((_, h)) = self.html.as_mut() {
            h.begin_input();
        }
        #[cfg(feature = "parquet")]
        if let Some(p) = self.parquet.as_mut() {
            p.begin_input(label);
        }
        if !self.firewall.is_empty() {
            self.allowlist.add_input(label);
        }
        Ok(())
    }

    /// Ends the current input. The text report leaves out an input that
    /// could not be read at all: its one-line error says it all.
    pub fn end_input(&mut self, report: InputReport) -> io::Result<()> {
        if let Some(j) = self.json.as_mut() {
            j.end_input(&report)?;
        }
        if let Some((_, h)) = self.html.as_mut() {
            h.end_input(&report);
        }
        let flows = std::mem::take(&mut self.text_flows);
        if let Some((_, reports)) = self.text.as_mut() {
            if report.input.format.is_some() {
                reports.push((report, flows));
            }
        }
        Ok(())
    }

    /// Finishes every report and writes the allowlists.
    /// Ends every report; `interrupted` names the signal that stopped the
    /// run early, if one did (the reports are then marked).
    pub fn finish(self, interrupted: Option<&str>) -> anyhow::Result<()> {
        if let Some(mut j) = self.json {
            if let Some(sig) = interrupted {
                j.set_interrupted(sig);
            }
            j.finish()?.flush()?;
        }
        if let Some(c) = self.csv {
            c.finish()?.flush()?;
        }
        if let Some((out, mut h)) = self.html {
            if let Some(sig) = interrupted {
                h.set_interrupted(sig);
            }
            h.finish(out)?.flush()?;
        }
        #[cfg(feature = "parquet")]
        if let Some(p) = self.parquet {
            p.finish()?;
        }
        if let Some((mut out, reports)) = self.text {
            portmatrix_report::text::write_report(&mut out, &reports)?;
            if let Some(sig) = interrupted {
                portmatrix_report::text::write_interrupted(&mut out, sig)?;
            }
            out.flush()?;
        }
        for (kind, path) in &self.firewall {
            let (main, v6) = self.allowlist.render(*kind, self.rules);
            let mut f = Named::create(path)?;
            f.write_all(main.as_bytes())?;
            f.flush()?;
            if let Some(v6) = v6 {
                let mut p = path.as_os_str().to_os_string();
                p.push(".v6");
                let mut f = Named::create(Path::new(&p))?;
                f.write_all(v6.as_bytes())?;
                f.flush()?;
            }
        }
        Ok(())
    }
}

impl FlowSink for Outputs<'_> {
    fn flow(&mut self, record: FlowRecord) -> io::Result<()> {
        if !record.findings.is_empty() {
            self.flows_with_findings += 1;
        }
        #[cfg(feature = "parquet")]
        let parquet = self.parquet.as_mut().map(|p| p as &mut dyn FlowSink);
        #[cfg(not(feature = "parquet"))]
        let parquet = None;
        let sinks: [Option<&mut dyn FlowSink>; 6] = [
            (!self.firewall.is_empty()).then_some(&mut self.allowlist as &mut dyn FlowSink),
            self.csv.as_mut().map(|c| c as &mut dyn FlowSink),
            self.html.as_mut().map(|(_, h)| h as &mut dyn FlowSink),
            parquet,
            self.json.as_mut().map(|j| j as &mut dyn FlowSink),
            self.text
                .is_some()
                .then_some(&mut self.text_flows as &mut dyn FlowSink),
        ];
        // Each sink but the last gets a copy; the last gets the record.
        let mut sinks = sinks.into_iter().flatten().peekable();
        let mut record = Some(record);
        while let Some(sink) = sinks.next() {
            let r = if sinks.peek().is_some() {
                record.clone()
            } else {
                record.take()
            };
            if let Some(r) = r {
                sink.flow(r)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_format_goes_to_stdout_or_the_file() {
        let d = destinations(&[ReportFormat::Json], None).unwrap();
        assert_eq!(d, vec![(ReportFormat::Json, Dest::Stdout)]);
        let d = destinations(&[ReportFormat::Csv], Some(Path::new("x.csv"))).unwrap();
        assert_eq!(d, vec![(ReportFormat::Csv, Dest::File("x.csv".into()))]);
    }

    #[test]
    fn several_formats_need_output_and_use_a_prefix_or_directory() {
        assert!(destinations(&[ReportFormat::Json, ReportFormat::Csv], None).is_err());
        let d = destinations(
            &[ReportFormat::Csv, ReportFormat::Json, ReportFormat::Json],
            Some(Path::new("out/room1")),
        )
        .unwrap();
        assert_eq!(
            d,
            vec![
                (ReportFormat::Json, Dest::File("out/room1.json".into())),
                (ReportFormat::Csv, Dest::File("out/room1.csv".into())),
            ]
        );
        let dir = tempfile::tempdir().unwrap();
        let d = destinations(&[ReportFormat::Text, ReportFormat::Csv], Some(dir.path())).unwrap();
        assert_eq!(
            d,
            vec![
                (
                    ReportFormat::Text,
                    Dest::File(dir.path().join("report.txt"))
                ),
                (ReportFormat::Csv, Dest::File(dir.path().join("report.csv"))),
            ]
        );
    }

    #[cfg(feature = "parquet")]
    #[test]
    fn parquet_names_its_two_files() {
        assert!(destinations(&[ReportFormat::Parquet], None).is_err());
        let d = destinations(&[ReportFormat::Parquet], Some(Path::new("out/a"))).unwrap();
        let Dest::File(flows) = &d[0].1 else { panic!() };
        assert_eq!(flows, Path::new("out/a.flows.parquet"));
        assert_eq!(findings_path(flows), Path::new("out/a.findings.parquet"));
        let dir = tempfile::tempdir().unwrap();
        let d = destinations(&[ReportFormat::Parquet], Some(dir.path())).unwrap();
        let Dest::File(flows) = &d[0].1 else { panic!() };
        assert_eq!(flows, &dir.path().join("flows.parquet"));
        assert_eq!(findings_path(flows), dir.path().join("findings.parquet"));
    }
}

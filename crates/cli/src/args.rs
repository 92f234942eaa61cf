//! Command-line syntax (clap derive). Only syntax checks happen here.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "portmatrix",
    version,
    about = "Checks captured AV and conferencing traffic against vendor port documentation"
)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read capture files (pcap, pcapng, gzip; `-` for standard input) and report on them
    Check(CheckArgs),
    /// Capture live from an interface and show the same summary, refreshed
    #[cfg(feature = "live")]
    Live(LiveArgs),
    /// Validate, list, show and export rule sets
    Rules(RulesArgs),
    /// Validate a site inventory
    Site(SiteArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Capture files; `-` reads standard input
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub report: crate::output::ReportArgs,
    /// Directory of rule files replacing the built-in rules
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Site inventory (site.toml): enables roles, direction and missing flows
    #[arg(long)]
    pub site: Option<PathBuf>,
    /// Most live flows kept at once; beyond it the least recently seen are evicted (and reported)
    #[arg(long, default_value_t = 1_000_000)]
    pub max_flows: usize,
    /// RTP clock rate of a payload type, PT=HZ (e.g. 96=48000 for AES67 L24); repeatable.
    /// Without it, dynamic payload types get no jitter unless an SDP in the capture gives their rate
    #[arg(long = "clock-rate", value_name = "PT=HZ", value_parser = parse_clock_rate)]
    pub clock_rates: Vec<(u8, u32)>,
}

/// Parses `PT=HZ` for `--clock-rate`.
pub fn parse_clock_rate(s: &str) -> Result<(u8, u32), String> {
    let (pt, hz) = s
        .split_once('=')
        .ok_or_else(|| format!("expected PT=HZ (e.g. 96=48000), got {s:?}"))?;
    let pt: u8 = pt
        .trim()
        .parse()
        .ok()
        .filter(|p| *p < 128)
        .ok_or_else(|| format!("payload type must be 0-127, got {pt:?}"))?;
    let hz: u32 = hz
        .trim()
        .parse()
        .ok()
        .filter(|h| *h > 0)
        .ok_or_else(|| format!("clock rate must be a positive number of Hz, got {hz:?}"))?;
    Ok((pt, hz))
}

/// The detectors' settings from `--clock-rate` options.
pub fn detect_config(rates: &[(u8, u32)]) -> portmatrix_engine::detect::DetectConfig {
    let mut c = portmatrix_engine::detect::DetectConfig::default();
    for &(pt, hz) in rates {
        c.clock_rates[usize::from(pt)] = hz;
    }
    c
}

#[cfg(feature = "live")]
#[derive(Debug, clap::Args)]
pub struct LiveArgs {
    /// Interface to capture on
    pub interface: String,
    /// BPF capture filter (note: `udp port X` does not match 802.1Q-tagged frames;
    /// write `udp port X or (vlan and udp port X)`)
    #[arg(long)]
    pub filter: Option<String>,
    /// Stop after this many seconds
    #[arg(long)]
    pub duration: Option<f64>,
    /// Bytes kept per packet
    #[arg(long, default_value_t = 262_144)]
    pub snaplen: u32,
    /// Also write every captured packet to this pcapng file
    #[arg(long)]
    pub write: Option<PathBuf>,
    /// Output format of the final summary
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    /// Seconds between refreshes of the summary on a terminal
    #[arg(long, default_value_t = 2.0)]
    pub refresh: f64,
    /// RTP clock rate of a payload type, PT=HZ (e.g. 96=48000); repeatable
    #[arg(long = "clock-rate", value_name = "PT=HZ", value_parser = parse_clock_rate)]
    pub clock_rates: Vec<(u8, u32)>,
    /// Directory of rule files replacing the built-in rules
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Site inventory (site.toml): enables roles, direction and missing flows
    #[arg(long)]
    pub site: Option<PathBuf>,
    /// What makes the exit status 1, comma-separated
    #[arg(long, value_enum, value_delimiter = ',', default_value = crate::output::FAIL_ON_DEFAULT)]
    pub fail_on: Vec<crate::output::FailOn>,
}

#[derive(Debug, clap::Args)]
pub struct RulesArgs {
    #[command(subcommand)]
    pub command: RulesCommand,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Load and validate rule files or directories (default: the built-in rules)
    Validate {
        /// Rule files or directories (default: the built-in rules)
        paths: Vec<PathBuf>,
        /// Also check that each rule file's document is in DIR and that every
        /// quote is in its document (whitespace runs folded)
        #[arg(long, value_name = "DIR")]
        documents: Option<PathBuf>,
    },
    /// A table of every rule: id, product, transport, ports, service, requirement
    List {
        /// Directory of rule files replacing the built-in rules
        #[arg(long)]
        rules: Option<PathBuf>,
    },
    /// Everything about one rule, with its provenance
    Show {
        /// A rule id (`portmatrix rules list` shows them)
        id: String,
        /// Directory of rule files replacing the built-in rules
        #[arg(long)]
        rules: Option<PathBuf>,
    },
    /// Export the rules as CSV or JSON
    Export {
        /// Output format
        #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
        format: ExportFormat,
        /// Directory of rule files replacing the built-in rules
        #[arg(long)]
        rules: Option<PathBuf>,
    },
}

#[derive(Debug, clap::Args)]
pub struct SiteArgs {
    #[command(subcommand)]
    pub command: SiteCommand,
}

#[derive(Debug, Subcommand)]
pub enum SiteCommand {
    /// Load and validate a site inventory against the rules' roles
    Validate {
        /// The site inventory (site.toml)
        path: PathBuf,
        /// Directory of rule files replacing the built-in rules
        #[arg(long)]
        rules: Option<PathBuf>,
    },
}

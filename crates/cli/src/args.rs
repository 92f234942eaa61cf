//! Command-line syntax (clap derive). Only syntax checks happen here.

use std::num::NonZeroUsize;
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
    #[command(after_help = CHECK_EXIT_STATUS)]
    Check(CheckArgs),
    /// Capture live from an interface and show the same summary, refreshed
    #[cfg(feature = "live")]
    Live(LiveArgs),
    /// Validate, list, show and export rule sets
    Rules(RulesArgs),
    /// Validate a site inventory, or infer a draft one from captures
    Site(SiteArgs),
    /// The role vocabulary of the rule sets (for writing a site file)
    Roles(RolesArgs),
}

/// The exit statuses of `check` (`docs/verdicts.md`).
const CHECK_EXIT_STATUS: &str = "\
Exit status:
  0    every input was read, something in each was analysed, and every flow is documented
  1    a finding: a flow not documented, a missing flow, damage in an input
  2    an input could not be read at all, the rules or the inventory are invalid,
       or writing the report (or to standard error) failed
  3    nothing analysed in an input that was read: no packets, no decodable packets
       (an unsupported link type), or no IP flows (one line on standard error says
       which); 2 wins over 3, 3 over 1
  130, 143, 129
       interrupted by SIGINT (Ctrl-C), SIGTERM or SIGHUP: reading stopped, and the
       report of what was read before it is complete, marked as interrupted";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
    /// One self-contained HTML page (docs/report-format.md)
    Html,
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
    #[command(flatten)]
    pub selection: crate::select::RuleSelection,
    /// Site inventory (site.toml): enables roles, direction and missing flows
    #[arg(long)]
    pub site: Option<PathBuf>,
    /// Most live flows kept at once (at least 1); beyond it the least recently seen are
    /// evicted (and reported)
    #[arg(long, default_value = "1000000", value_parser = parse_max_flows)]
    pub max_flows: NonZeroUsize,
    /// RTP clock rate of a payload type, PT=HZ (e.g. 96=48000 for AES67 L24); repeatable.
    /// Without it, dynamic payload types get no jitter unless an SDP in the capture gives their rate
    #[arg(long = "clock-rate", value_name = "PT=HZ", value_parser = parse_clock_rate)]
    pub clock_rates: Vec<(u8, u32)>,
    /// Keep tunnels and remote-mirror encapsulations (ERSPAN, GRE, VXLAN, Geneve, MPLS,
    /// IP-in-IP) as the packets' flows instead of analysing the frames inside them
    #[arg(long)]
    pub no_decap: bool,
    /// Frames compared for mirror duplicates, as `editcap -D N`: each frame with the previous
    /// N-1 (captured length and first and last 64 bytes); duplicates are counted, not tracked.
    /// 0 turns it off
    #[arg(long, value_name = "N", default_value_t = portmatrix_engine::mirror::DEFAULT_DEDUP_WINDOW)]
    pub dedup_window: usize,
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
/// Largest snapshot length libpcap takes (its `MAXIMUM_SNAPLEN`); also what
/// it, and `tcpdump -s 0`, use for 0.
pub const MAX_SNAPLEN: u32 = 262_144;

/// `--max-flows`: 0 would keep no flow at all (it used to act as 1).
fn parse_max_flows(s: &str) -> Result<NonZeroUsize, String> {
    let n: usize = s
        .parse()
        .map_err(|e| format!("`{s}` is not a number of flows: {e}"))?;
    NonZeroUsize::new(n)
        .ok_or_else(|| "0 would keep no flow; give at least 1 (the default is 1000000)".to_string())
}

#[cfg(feature = "live")]
/// `--snaplen`: 1 to 262144 bytes; 0 means 262144, whole packets, as for
/// libpcap and `tcpdump -s 0` (it used to cut every packet to 1 byte).
pub fn parse_snaplen(s: &str) -> Result<u32, String> {
    let n: u32 = s
        .parse()
        .map_err(|e| format!("`{s}` is not a number of bytes: {e}"))?;
    match n {
        0 => Ok(MAX_SNAPLEN),
        n if n <= MAX_SNAPLEN => Ok(n),
        n => Err(format!(
            "{n} is above {MAX_SNAPLEN}, the largest snapshot length libpcap takes; 0 or {MAX_SNAPLEN} keeps whole packets"
        )),
    }
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
    /// Bytes kept per packet, 1-262144; 0 means 262144 (whole packets), as for tcpdump -s 0
    #[arg(long, default_value = "262144", value_parser = parse_snaplen)]
    pub snaplen: u32,
    /// Also write every captured packet to this pcapng file (written beside it under a
    /// temporary name and renamed at the end; an existing file is refused)
    #[arg(long)]
    pub write: Option<PathBuf>,
    /// Replace the file of --write if it exists
    #[arg(long, requires = "write")]
    pub force: bool,
    /// Output format of the final summary
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    /// Seconds between refreshes of the summary on a terminal
    #[arg(long, default_value_t = 2.0)]
    pub refresh: f64,
    /// RTP clock rate of a payload type, PT=HZ (e.g. 96=48000); repeatable
    #[arg(long = "clock-rate", value_name = "PT=HZ", value_parser = parse_clock_rate)]
    pub clock_rates: Vec<(u8, u32)>,
    /// Frames compared for mirror duplicates, as `editcap -D N`: each frame with the previous
    /// N-1 (captured length and first and last 64 bytes); duplicates are counted, not tracked.
    /// 0 turns it off
    #[arg(long, value_name = "N", default_value_t = portmatrix_engine::mirror::DEFAULT_DEDUP_WINDOW)]
    pub dedup_window: usize,
    /// Directory of rule files replacing the built-in rules
    #[arg(long)]
    pub rules: Option<PathBuf>,
    #[command(flatten)]
    pub selection: crate::select::RuleSelection,
    /// Site inventory (site.toml): enables roles, direction and missing flows
    #[arg(long)]
    pub site: Option<PathBuf>,
    /// What makes the exit status 1, comma-separated
    #[arg(long, value_enum, value_delimiter = ',', default_value = crate::output::FAIL_ON_DEFAULT)]
    pub fail_on: Vec<crate::output::FailOn>,
    /// Keep tunnels and remote-mirror encapsulations as the packets' flows
    #[arg(long)]
    pub no_decap: bool,
}

/// The decoder's options for `--no-decap`.
pub fn decode_options(no_decap: bool) -> portmatrix_wire::DecodeOptions {
    if no_decap {
        portmatrix_wire::DecodeOptions::NO_DECAP
    } else {
        portmatrix_wire::DecodeOptions::DEFAULT
    }
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
        #[command(flatten)]
        selection: crate::select::RuleSelection,
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
    /// Write a draft site inventory recognised from captures to stdout
    Infer {
        /// Capture files to recognise devices in (pcap, pcapng, gzip)
        #[arg(required = true)]
        captures: Vec<PathBuf>,
        /// Directory of rule files replacing the built-in rules (their roles are the vocabulary)
        #[arg(long)]
        rules: Option<PathBuf>,
    },
}

#[derive(Debug, clap::Args)]
pub struct RolesArgs {
    #[command(subcommand)]
    pub command: RolesCommand,
}

#[derive(Debug, Subcommand)]
pub enum RolesCommand {
    /// Every role: id, vendor, name
    List {
        /// Only the roles of vendors whose name contains this
        #[arg(long)]
        vendor: Option<String>,
        /// Directory of rule files replacing the built-in rules
        #[arg(long)]
        rules: Option<PathBuf>,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    /// Issue 9 item 7: `--max-flows 0` acted as 1.
    #[test]
    fn max_flows_zero_is_rejected_with_a_reason() {
        let e = Args::try_parse_from(["portmatrix", "check", "--max-flows", "0", "x.pcap"])
            .unwrap_err();
        assert_eq!(e.kind(), clap::error::ErrorKind::ValueValidation);
        assert!(e.to_string().contains("0 would keep no flow"), "{e}");
        let ok = Args::try_parse_from(["portmatrix", "check", "--max-flows", "1", "x.pcap"]);
        match ok.unwrap().command {
            Command::Check(c) => assert_eq!(c.max_flows.get(), 1),
            _ => unreachable!(),
        }
    }

    #[cfg(feature = "live")]
    /// Issue 9 item 7: `--snaplen 0` was stored as 1 (every packet cut to
    /// one byte). libpcap (`pcap_set_snaplen`) and tcpdump read 0 as 262144.
    #[test]
    fn snaplen_zero_means_whole_packets() {
        assert_eq!(parse_snaplen("0"), Ok(262_144));
        assert_eq!(parse_snaplen("1"), Ok(1));
        assert_eq!(parse_snaplen("65535"), Ok(65_535));
        assert_eq!(parse_snaplen("262144"), Ok(262_144));
        assert!(parse_snaplen("262145")
            .unwrap_err()
            .contains("above 262144"));
        assert!(parse_snaplen("4294967295").is_err());
        assert!(parse_snaplen("-1").is_err());
    }
}

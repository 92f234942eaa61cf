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
    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Text)]
    pub format: OutputFormat,
    /// Directory of rule files replacing the built-in rules
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Site inventory (site.toml): enables roles, direction and missing flows
    #[arg(long)]
    pub site: Option<PathBuf>,
    /// Most live flows kept at once; beyond it the least recently seen are evicted (and reported)
    #[arg(long, default_value_t = 1_000_000)]
    pub max_flows: usize,
    /// Keep tunnels and remote-mirror encapsulations (ERSPAN, GRE, VXLAN, Geneve, MPLS,
    /// IP-in-IP) as the packets' flows instead of analysing the frames inside them
    #[arg(long)]
    pub no_decap: bool,
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
    /// Directory of rule files replacing the built-in rules
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// Site inventory (site.toml): enables roles, direction and missing flows
    #[arg(long)]
    pub site: Option<PathBuf>,
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
        paths: Vec<PathBuf>,
        /// Also check that each rule file's document is in DIR and that every
        /// quote is in its document (whitespace runs folded)
        #[arg(long, value_name = "DIR")]
        documents: Option<PathBuf>,
    },
    /// A table of every rule: id, product, transport, ports, service, requirement
    List {
        #[arg(long)]
        rules: Option<PathBuf>,
    },
    /// Everything about one rule, with its provenance
    Show {
        id: String,
        #[arg(long)]
        rules: Option<PathBuf>,
    },
    /// Export the rules as CSV or JSON
    Export {
        #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
        format: ExportFormat,
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
        path: PathBuf,
        #[arg(long)]
        rules: Option<PathBuf>,
    },
}

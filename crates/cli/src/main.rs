//! The `portmatrix` command: argument parsing and wiring only. The analysis
//! lives in the library crates.

use std::io::Write;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

/// Set when a write to standard error failed (a full disk, a closed
/// descriptor): the run goes on, and exits 2 at the end.
static STDERR_FAILED: AtomicBool = AtomicBool::new(false);

/// Every line this program writes to standard error goes through this
/// macro, which replaces the standard library's: that one panics when the
/// write fails (`2>/dev/full` ended with a panic and exit 101). Here a
/// failed write is recorded and the run exits 2 (`docs/robustness.md`).
/// Text of elsewhere must still go through `sanitize` first.
macro_rules! eprintln {
    ($($arg:tt)*) => {
        $crate::write_stderr(format_args!($($arg)*))
    };
}

mod args;
mod check;
mod interrupt;
#[cfg(feature = "live")]
mod live;
mod outfile;
mod output;
mod rules_cmd;
mod select;
mod site_infer;

/// Adds the exit codes to the help of every subcommand.
fn with_exit_help(cmd: clap::Command) -> clap::Command {
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .collect();
    names.into_iter().fold(cmd, |cmd, name| {
        let text = match name.as_str() {
            "check" | "live" => output::CHECK_EXIT_HELP,
            _ => output::RULES_EXIT_HELP,
        };
        cmd.mut_subcommand(name, |s| with_exit_help(s.after_help(text)))
    })
}

/// Writes one line to standard error; a failure is remembered, not raised.
fn write_stderr(line: std::fmt::Arguments<'_>) {
    let mut err = std::io::stderr().lock();
    if writeln!(err, "{line}").and_then(|()| err.flush()).is_err() {
        STDERR_FAILED.store(true, Ordering::Relaxed);
    }
}

/// Whether a write to standard error has failed so far.
fn stderr_failed() -> bool {
    STDERR_FAILED.load(Ordering::Relaxed)
}

/// Exit status of a failed run: a write failed (standard output or
/// standard error), or an error ended the command (`docs/verdicts.md`).
const EXIT_ERROR: u8 = 2;

fn main() -> ExitCode {
    let parsed = with_exit_help(<args::Args as clap::CommandFactory>::command())
        .try_get_matches()
        .and_then(|m| <args::Args as clap::FromArgMatches>::from_arg_matches(&m));
    let args = match parsed {
        Ok(a) => a,
        Err(e) => {
            // Help, version and usage errors; clap's own `exit` ignores a
            // failed write (`--help >/dev/full` exited 0).
            return match e.print() {
                Ok(()) => ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2)),
                Err(_) => ExitCode::from(EXIT_ERROR),
            };
        }
    };
    let code = match run(args) {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                // The reader went away (`| head`): not a failure.
                return ExitCode::SUCCESS;
            }
            eprintln!(
                "portmatrix: {}",
                portmatrix_rules::sanitize(&format!("{err:#}"))
            );
            ExitCode::from(EXIT_ERROR)
        }
    };
    if stderr_failed() {
        return ExitCode::from(EXIT_ERROR);
    }
    code
}

fn run(args: args::Args) -> anyhow::Result<ExitCode> {
    match args.command {
        args::Command::Check(a) => check::run(a),
        #[cfg(feature = "live")]
        args::Command::Live(a) => live::run(a),
        args::Command::Rules(a) => rules_cmd::run_rules(a),
        args::Command::Site(a) => rules_cmd::run_site(a),
        args::Command::Roles(a) => rules_cmd::run_roles(a),
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    /// Every argument of every subcommand, and every subcommand, has help text.
    #[test]
    fn every_argument_has_help() {
        fn walk(cmd: &clap::Command, path: &str, missing: &mut Vec<String>) {
            for a in cmd.get_arguments() {
                if a.get_help().is_none() && !["help", "version"].contains(&a.get_id().as_str()) {
                    missing.push(format!("{path} {}", a.get_id()));
                }
            }
            for s in cmd.get_subcommands() {
                if s.get_about().is_none() {
                    missing.push(format!("{path} {}", s.get_name()));
                }
                walk(s, &format!("{path} {}", s.get_name()), missing);
            }
        }
        let mut missing = Vec::new();
        walk(
            &<super::args::Args as clap::CommandFactory>::command(),
            "portmatrix",
            &mut missing,
        );
        assert!(missing.is_empty(), "no help text: {missing:?}");
    }
}

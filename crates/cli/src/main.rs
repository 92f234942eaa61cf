//! The `portmatrix` command: argument parsing and wiring only. The analysis
//! lives in the library crates.

use std::process::ExitCode;

mod args;
mod check;
#[cfg(feature = "live")]
mod live;
mod rules_cmd;

fn main() -> ExitCode {
    let args = <args::Args as clap::Parser>::parse();
    match run(args) {
        Ok(code) => code,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitCode::SUCCESS;
            }
            eprintln!("portmatrix: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn run(args: args::Args) -> anyhow::Result<ExitCode> {
    match args.command {
        args::Command::Check(a) => check::run(a),
        #[cfg(feature = "live")]
        args::Command::Live(a) => live::run(a),
        args::Command::Rules(a) => rules_cmd::run_rules(a),
        args::Command::Site(a) => rules_cmd::run_site(a),
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

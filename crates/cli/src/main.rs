//! The `portmatrix` command: argument parsing and wiring only. The analysis
//! lives in the library crates.

use std::process::ExitCode;

mod args;
mod check;
#[cfg(feature = "live")]
mod live;
mod output;
mod rules_cmd;

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

fn main() -> ExitCode {
    let matches = with_exit_help(<args::Args as clap::CommandFactory>::command()).get_matches();
    let args = match <args::Args as clap::FromArgMatches>::from_arg_matches(&matches) {
        Ok(a) => a,
        Err(e) => e.exit(),
    };
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

//! `portmatrix live`.

use std::process::ExitCode;

use crate::args::LiveArgs;

pub fn run(_args: LiveArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("live is being wired up")
}

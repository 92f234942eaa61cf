//! `portmatrix check`.

use std::process::ExitCode;

use crate::args::CheckArgs;

pub fn run(_args: CheckArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("check is being wired up")
}

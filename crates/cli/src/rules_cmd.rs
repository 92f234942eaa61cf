//! `portmatrix rules ...` and `portmatrix site ...`.

use std::process::ExitCode;

use crate::args::{RulesArgs, SiteArgs};

pub fn run_rules(_args: RulesArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("rules is being wired up")
}

pub fn run_site(_args: SiteArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("site is being wired up")
}

//! Writes a large, valid synthetic rule file for timing the rule matcher and
//! the classification (`portmatrix check --rules DIR`).
//!
//! ```text
//! genrules OUT.toml [--rules N] [--seed N]
//! ```
//!
//! What the rules look like: `portmatrix_benches::rulegen`. The same
//! arguments give the same bytes.

use anyhow::{bail, Context};
use portmatrix_benches::rulegen::{rule_file, RuleOptions};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let mut out = None;
    let mut opts = RuleOptions::default();
    while let Some(a) = args.next() {
        let mut value = |name: &str| -> anyhow::Result<String> {
            args.next().with_context(|| format!("{name} needs a value"))
        };
        match a.as_str() {
            "--rules" => opts.rules = value("--rules")?.parse()?,
            "--seed" => opts.seed = value("--seed")?.parse()?,
            "-h" | "--help" => {
                println!("genrules OUT.toml [--rules N] [--seed N]");
                return Ok(());
            }
            _ if out.is_none() => out = Some(a),
            _ => bail!("unexpected argument {a:?}"),
        }
    }
    let out = out.context("missing output file")?;
    let text = rule_file(&opts);
    std::fs::write(&out, &text).with_context(|| format!("cannot write {out}"))?;
    eprintln!(
        "genrules: wrote {} rules, {} bytes to {out}",
        opts.rules,
        text.len()
    );
    Ok(())
}

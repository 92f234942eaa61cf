//! Which rules a run uses beyond `--rules DIR`: `--extra-rules DIR` layered
//! over them and `--products`/`--vendor` keeping only some products
//! (docs/rules.md, "Layering and selecting").

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use portmatrix_rules::{sanitize, RuleSet};

use crate::rules_cmd::print_problems;

/// The options shared by `check`, `live` and `rules list`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct RuleSelection {
    /// Directory of a site's own rule files, loaded over the built-in (or --rules) set;
    /// a rule id in both is an error
    #[arg(long, value_name = "DIR")]
    pub extra_rules: Option<PathBuf>,
    /// Keep only the rules of these products or vendors (comma-separated, any case):
    /// a vendor (`avaya`), a product, a document file or a rule file name (`igloo-imp`)
    #[arg(
        long = "products",
        visible_alias = "vendor",
        value_name = "LIST",
        value_delimiter = ','
    )]
    pub products: Vec<String>,
}

impl RuleSelection {
    /// Loads the rules of `--rules DIR` (or the built-in ones), layers
    /// `--extra-rules` over them and keeps the selected products. On any
    /// problem prints it to `err` and gives `None` (the caller exits 2).
    pub fn load(&self, dir: Option<&Path>, err: &mut dyn Write) -> io::Result<Option<RuleSet>> {
        let loaded = match (&self.extra_rules, dir) {
            (None, _) => crate::rules_cmd::load_rules(dir),
            (Some(extra), Some(d)) => RuleSet::load_layered(Some(&[d]), &[extra.as_path()]),
            (Some(extra), None) => RuleSet::load_layered(None, &[extra.as_path()]),
        };
        let set = match loaded {
            Ok(set) => set,
            Err(e) => {
                print_problems(err, e.diagnostics())?;
                return Ok(None);
            }
        };
        let names: Vec<&str> = self
            .products
            .iter()
            .map(|n| n.trim())
            .filter(|n| !n.is_empty())
            .collect();
        if names.is_empty() {
            return Ok(Some(set));
        }
        match set.select_products(&names) {
            Ok(selected) => Ok(Some(selected)),
            Err(unknown) => {
                let quoted = |v: &[String]| {
                    v.iter()
                        .map(|n| format!("`{}`", sanitize(n)))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                writeln!(
                    err,
                    "portmatrix: --products: no rule is of {}; known products and vendors: {}",
                    quoted(&unknown),
                    quoted(&set.product_names())
                )?;
                Ok(None)
            }
        }
    }
}

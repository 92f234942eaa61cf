//! Integration tests of portmatrix-rules (one test binary, see docs/STYLE.md).

mod accuracy;
mod export;
mod invalid;
mod matcher;
mod nearest;
mod props;
mod rule_files;
mod site;
mod util;

//! Paths and loaders shared by the tests.

use std::path::PathBuf;

use portmatrix_rules::{Matcher, RuleSet};

/// The workspace root (two levels above this crate).
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A path under `fixtures/`.
pub fn fixture(rel: &str) -> PathBuf {
    workspace().join("fixtures").join(rel)
}

/// The shared seed documents, next to the workspace (may be absent).
pub fn seeds() -> PathBuf {
    workspace().join("../shared/seeds")
}

/// The made-up Acme and Globex rules of `fixtures/rules/valid`.
pub fn test_rules() -> RuleSet {
    match RuleSet::load(&[fixture("rules/valid")]) {
        Ok(r) => r,
        Err(e) => panic!("fixtures/rules/valid does not load:\n{e}"),
    }
}

/// A matcher over [`test_rules`].
pub fn test_matcher() -> Matcher {
    Matcher::new(&test_rules())
}

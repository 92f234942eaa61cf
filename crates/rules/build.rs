//! Embeds every `rules/*.toml` of the workspace into the library as the
//! built-in rule set.
//!
//! The generated file only names paths relative to `CARGO_MANIFEST_DIR`, and
//! cargo is told to rerun this script when the directory or any of its files
//! changes, so a new rule file is picked up without touching any code.

use std::env;
use std::fmt::Write as _;
use std::fs;
use std::path::PathBuf;

/// The workspace's rule directory, relative to this crate's manifest.
const RULES_DIR: &str = "../../rules";

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo"));
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed={RULES_DIR}");

    let mut names: Vec<String> = Vec::new();
    match fs::read_dir(manifest.join(RULES_DIR)) {
        Ok(entries) => {
            for entry in entries.flatten() {
                let path = entry.path();
                if path.extension().and_then(|e| e.to_str()) != Some("toml") || !path.is_file() {
                    continue;
                }
                match path.file_name().and_then(|n| n.to_str()) {
                    Some(name) => names.push(name.to_string()),
                    None => println!(
                        "cargo:warning=skipping rule file with a non-UTF-8 name: {}",
                        path.display()
                    ),
                }
            }
        }
        Err(e) => println!("cargo:warning=no built-in rules: cannot list {RULES_DIR}: {e}"),
    }
    names.sort();

    let mut code = String::from(
        "/// The rule files found in the workspace's `rules/` directory at build time:\n\
         /// (display path, contents).\n\
         pub(crate) static BUILTIN_FILES: &[(&str, &str)] = &[\n",
    );
    for name in &names {
        println!("cargo:rerun-if-changed={RULES_DIR}/{name}");
        writeln!(
            code,
            "    ({display:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), {rel:?}))),",
            display = format!("rules/{name}"),
            rel = format!("/{RULES_DIR}/{name}"),
        )
        .expect("writing to a String");
    }
    code.push_str("];\n");
    fs::write(out.join("builtin_rules.rs"), code).expect("writing OUT_DIR/builtin_rules.rs");
}

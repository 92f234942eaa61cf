//! `portmatrix rules ...` and `portmatrix site ...`: load, validate, list,
//! show and export rule sets; validate a site inventory. The work is done by
//! `portmatrix_rules`; this module only picks the rule set and prints.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use portmatrix_rules::{export, sanitize, Diagnostic, RuleSet, Site};

use crate::args::{
    ExportFormat, RolesArgs, RolesCommand, RulesArgs, RulesCommand, SiteArgs, SiteCommand,
};

/// Everything is valid / was printed.
const EXIT_OK: u8 = 0;
/// Invalid input, or an unknown rule id.
const EXIT_ERROR: u8 = 2;

pub fn run_rules(args: RulesArgs) -> anyhow::Result<ExitCode> {
    let (stdout, stderr) = (io::stdout(), io::stderr());
    let code = rules(args.command, &mut stdout.lock(), &mut stderr.lock())?;
    Ok(ExitCode::from(code))
}

pub fn run_site(args: SiteArgs) -> anyhow::Result<ExitCode> {
    let (stdout, stderr) = (io::stdout(), io::stderr());
    let code = site(args.command, &mut stdout.lock(), &mut stderr.lock())?;
    Ok(ExitCode::from(code))
}

/// `portmatrix roles ...`.
pub fn run_roles(args: RolesArgs) -> anyhow::Result<ExitCode> {
    let (stdout, stderr) = (io::stdout(), io::stderr());
    let RolesCommand::List { vendor, rules } = args.command;
    let Some(set) = rules_or_report(rules.as_deref(), &mut stderr.lock())? else {
        return Ok(ExitCode::from(EXIT_ERROR));
    };
    crate::site_infer::list_roles(&mut stdout.lock(), &set, vendor.as_deref())?;
    Ok(ExitCode::from(EXIT_OK))
}

/// The rule set of `--rules DIR`, or the built-in one.
///
/// # Errors
///
/// Every problem of the rule files, as `path:line:column: reason` lines.
pub fn load_rules(dir: Option<&Path>) -> Result<RuleSet, portmatrix_rules::Error> {
    match dir {
        Some(d) => RuleSet::load(&[d]),
        None => RuleSet::builtin(),
    }
}

/// Prints every problem; a single one is a single line,
/// `portmatrix: <path>:<line>:<column>: <what>` (or `<path>: <what>`). Paths
/// and reasons quote the files (names, roles, keys): they go through the
/// one sanitiser, like everything of elsewhere that is printed.
pub fn print_problems(err: &mut dyn Write, problems: &[Diagnostic]) -> io::Result<()> {
    if let [one] = problems {
        return writeln!(err, "portmatrix: {}", sanitize(&one.to_string()));
    }
    for d in problems {
        writeln!(err, "{}", sanitize(&d.to_string()))?;
    }
    let files: std::collections::BTreeSet<&PathBuf> = problems.iter().map(|d| &d.path).collect();
    writeln!(
        err,
        "portmatrix: {} problem{} in {} file{}",
        problems.len(),
        plural(problems.len()),
        files.len(),
        plural(files.len())
    )
}

/// Prints warnings as `path:line:column: warning: reason` (sanitised).
pub fn print_warnings(err: &mut dyn Write, warnings: &[Diagnostic]) -> io::Result<()> {
    for d in warnings {
        let at = d
            .position
            .map(|p| format!(":{}:{}", p.line, p.column))
            .unwrap_or_default();
        writeln!(
            err,
            "{}{at}: warning: {}",
            sanitize(&d.path.display().to_string()),
            sanitize(&d.reason)
        )?;
    }
    Ok(())
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Loads the rules for list/show/export/site, printing the problems on failure.
pub fn rules_or_report(dir: Option<&Path>, err: &mut dyn Write) -> io::Result<Option<RuleSet>> {
    match load_rules(dir) {
        Ok(r) => Ok(Some(r)),
        Err(e) => {
            print_problems(err, e.diagnostics())?;
            Ok(None)
        }
    }
}

fn rules(cmd: RulesCommand, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<u8> {
    match cmd {
        RulesCommand::Validate { paths, documents } => {
            let loaded = if paths.is_empty() {
                RuleSet::builtin()
            } else {
                RuleSet::load(&paths)
            };
            let set = match loaded {
                Ok(s) => s,
                Err(e) => {
                    print_problems(err, e.diagnostics())?;
                    return Ok(EXIT_ERROR);
                }
            };
            if let Some(dir) = documents {
                let problems = set.check_documents(&dir);
                if !problems.is_empty() {
                    print_problems(err, &problems)?;
                    return Ok(EXIT_ERROR);
                }
            }
            let declared = set.roles().iter().filter(|r| !r.is_builtin()).count();
            writeln!(
                out,
                "ok: {} file{}, {} rule{}, {} role{} ({} declared, {} built in)",
                set.files().len(),
                plural(set.files().len()),
                set.rules().len(),
                plural(set.rules().len()),
                set.roles().len(),
                plural(set.roles().len()),
                declared,
                set.roles().len() - declared
            )?;
            Ok(EXIT_OK)
        }
        RulesCommand::List { rules, selection } => {
            let Some(set) = selection.load(rules.as_deref(), err)? else {
                return Ok(EXIT_ERROR);
            };
            out.write_all(export::table(&set).as_bytes())?;
            out.flush()?;
            Ok(EXIT_OK)
        }
        RulesCommand::Show { id, rules } => {
            let Some(set) = rules_or_report(rules.as_deref(), err)? else {
                return Ok(EXIT_ERROR);
            };
            match set.rule(&id) {
                Some(rule) => {
                    out.write_all(export::describe(&set, rule).as_bytes())?;
                    Ok(EXIT_OK)
                }
                None => {
                    let close = set.similar_rule_ids(&id, 5);
                    if close.is_empty() {
                        writeln!(
                            err,
                            "portmatrix: no rule `{}`; `portmatrix rules list` shows them all",
                            sanitize(&id)
                        )?;
                    } else {
                        writeln!(
                            err,
                            "portmatrix: no rule `{}`; did you mean:",
                            sanitize(&id)
                        )?;
                        for c in close {
                            writeln!(err, "  {c}")?;
                        }
                    }
                    Ok(EXIT_ERROR)
                }
            }
        }
        RulesCommand::Export { format, rules } => {
            let Some(set) = rules_or_report(rules.as_deref(), err)? else {
                return Ok(EXIT_ERROR);
            };
            let mut buf = io::BufWriter::new(out);
            match format {
                ExportFormat::Csv => export::write_csv(&set, &mut buf)?,
                ExportFormat::Json => export::write_json(&set, &mut buf)?,
            }
            buf.flush()?;
            Ok(EXIT_OK)
        }
    }
}

fn site(cmd: SiteCommand, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<u8> {
    match cmd {
        SiteCommand::Validate { path, rules } => {
            let Some(set) = rules_or_report(rules.as_deref(), err)? else {
                return Ok(EXIT_ERROR);
            };
            match Site::load(&path, &set) {
                Ok(site) => {
                    print_warnings(err, site.warnings())?;
                    let addresses: usize = site.devices().iter().map(|d| d.addresses.len()).sum();
                    let name = site
                        .name()
                        .map(|n| format!(" ({})", sanitize(n)))
                        .unwrap_or_default();
                    writeln!(
                        out,
                        "ok: {}{name}: {} device{}, {} address{}",
                        sanitize(&path.display().to_string()),
                        site.devices().len(),
                        plural(site.devices().len()),
                        addresses,
                        if addresses == 1 { "" } else { "es" }
                    )?;
                    Ok(EXIT_OK)
                }
                Err(e) => {
                    print_problems(err, e.diagnostics())?;
                    Ok(EXIT_ERROR)
                }
            }
        }
        SiteCommand::Infer { captures, rules } => {
            let Some(set) = rules_or_report(rules.as_deref(), err)? else {
                return Ok(EXIT_ERROR);
            };
            let hosts = crate::site_infer::recognise(&captures, &set)?;
            crate::site_infer::write_draft(out, &captures, &hosts)?;
            Ok(EXIT_OK)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(rel: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures")
            .join(rel)
    }

    fn run(cmd: RulesCommand) -> (u8, String, String) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = rules(cmd, &mut out, &mut err).unwrap();
        (
            code,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    fn run_site(cmd: SiteCommand) -> (u8, String, String) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = site(cmd, &mut out, &mut err).unwrap();
        (
            code,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    #[test]
    fn validate_prints_a_summary_on_success() {
        let (code, out, err) = run(RulesCommand::Validate {
            paths: vec![fixture("rules/valid")],
            documents: Some(fixture("rules/valid")),
        });
        assert_eq!((code, err.as_str()), (0, ""));
        // acme.toml + globex.toml: 11 rules, 4 declared roles + 11 built-in.
        assert_eq!(
            out,
            "ok: 2 files, 11 rules, 15 roles (4 declared, 11 built in)\n"
        );
    }

    #[test]
    fn validate_prints_every_problem_and_exits_2() {
        let path = fixture("rules/invalid/many-errors.toml");
        let (code, out, err) = run(RulesCommand::Validate {
            paths: vec![path.clone()],
            documents: None,
        });
        assert_eq!((code, out.as_str()), (2, ""));
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(lines.len(), 9, "{err}");
        assert!(
            lines[0].starts_with(&format!("{}:5:9: ", path.display())),
            "{}",
            lines[0]
        );
        assert_eq!(lines[8], "portmatrix: 8 problems in 1 file");
    }

    #[test]
    fn validate_with_documents_reports_missing_documents() {
        let (code, _, err) = run(RulesCommand::Validate {
            paths: vec![fixture("rules/valid")],
            documents: Some(fixture("site")),
        });
        assert_eq!(code, 2);
        assert!(err.contains("document `acme-ports.txt` is not in"), "{err}");
    }

    #[test]
    fn show_unknown_id_suggests_close_ids() {
        let (code, out, err) = run(RulesCommand::Show {
            id: "acme.controller.contrl".into(),
            rules: Some(fixture("rules/valid")),
        });
        assert_eq!((code, out.as_str()), (2, ""));
        assert!(
            err.contains("did you mean:\n  acme.controller.control\n"),
            "{err}"
        );
    }

    #[test]
    fn show_known_id_prints_provenance() {
        let (code, out, _) = run(RulesCommand::Show {
            id: "acme.codec.web".into(),
            rules: Some(fixture("rules/valid")),
        });
        assert_eq!(code, 0);
        assert!(out.contains("if the web interface is enabled"));
        assert!(out.contains("acme-ports.txt (Acme Room Kit — network ports)"));
    }

    #[test]
    fn list_and_export_use_the_given_rules() {
        let (code, out, _) = run(RulesCommand::List {
            selection: Default::default(),
            rules: Some(fixture("rules/valid")),
        });
        assert_eq!((code, out.lines().count()), (0, 12));
        let (code, out, _) = run(RulesCommand::Export {
            format: ExportFormat::Csv,
            rules: Some(fixture("rules/valid")),
        });
        assert_eq!(code, 0);
        assert!(out.starts_with("id,document,vendor,"));
        let (code, out, _) = run(RulesCommand::Export {
            format: ExportFormat::Json,
            rules: Some(fixture("rules/valid")),
        });
        assert_eq!(code, 0);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v.as_array().unwrap().len(), 11);
    }

    #[test]
    fn bad_rules_dir_stops_list_with_exit_2() {
        let (code, out, err) = run(RulesCommand::List {
            selection: Default::default(),
            rules: Some(fixture("rules/across")),
        });
        assert_eq!((code, out.as_str()), (2, ""));
        assert!(err.ends_with("portmatrix: 3 problems in 1 file\n"), "{err}");
    }

    #[test]
    fn site_validate() {
        let (code, out, _) = run_site(SiteCommand::Validate {
            path: fixture("site/acme-room.toml"),
            rules: Some(fixture("rules/valid")),
        });
        assert_eq!(code, 0);
        assert!(
            out.ends_with("acme-room.toml (Acme test room): 8 devices, 11 addresses\n"),
            "{out}"
        );
        let (code, _, err) = run_site(SiteCommand::Validate {
            path: fixture("site/invalid/host-bits-set.toml"),
            rules: Some(fixture("rules/valid")),
        });
        assert_eq!(code, 2);
        assert!(err.contains("host-bits-set.toml:8:15: "), "{err}");
    }
}

//! `portmatrix site infer CAPTURE...`: a draft site inventory from what the
//! devices in the captures say about themselves and the services they use
//! (`docs/recognition.md`); `portmatrix roles list`: the role vocabulary.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use portmatrix_capture::CaptureReader;
use portmatrix_engine::recognize::{Host, Knowledge, Mix, STRONG};
use portmatrix_engine::{Analysis, FlowRecord, Options};
use portmatrix_rules::{sanitize, Matcher, RuleSet};

/// Candidates from this confidence on give their roles to the draft, marked
/// uncertain below [`STRONG`].
const DRAFTED: f64 = 0.5;

/// The recognised hosts of `captures`.
///
/// # Errors
/// A capture that cannot be opened, or the knowledge file against `rules`.
pub fn recognise(captures: &[PathBuf], rules: &RuleSet) -> anyhow::Result<Vec<Host>> {
    let knowledge = Knowledge::builtin(rules)?;
    let matcher = Matcher::new(rules);
    let mut collector = knowledge.collector();
    let mut mix = Mix::default();
    for path in captures {
        let mut reader =
            CaptureReader::open(path).with_context(|| format!("cannot read {}", path.display()))?;
        let label = path.display().to_string();
        let mut analysis = Analysis::new(&label, Options::default(), &matcher, None, Vec::new());
        while let Some(item) = reader.next_record() {
            match item {
                Ok(rec) => {
                    let facts = portmatrix_wire::decode(rec.link_type, rec.frame());
                    collector.observe(rec.index, rec.ts_ns, rec.frame(), &facts);
                    analysis.observe(&rec);
                }
                Err(e) => analysis.read_error(&e),
            }
        }
        let done = analysis.finish(&reader)?;
        let flows: Vec<FlowRecord> = done.sink;
        for f in &flows {
            mix.add(rules, f);
        }
    }
    let mut hosts = knowledge.recognise(&collector);
    mix.into_hosts(rules, &mut hosts);
    Ok(hosts)
}

/// A site-file name: lowercase letters, digits and dashes.
fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.len() >= 40 {
            break;
        }
    }
    out.trim_end_matches('-').to_string()
}

/// A TOML basic string.
fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One line of comment (no line breaks).
fn comment(s: &str) -> String {
    sanitize(s).replace(['\n', '\r'], " ")
}

/// Writes the draft inventory (the format of `docs/site.md`).
///
/// # Errors
/// Writing failed.
pub fn write_draft(
    out: &mut dyn Write,
    captures: &[PathBuf],
    hosts: &[Host],
) -> std::io::Result<()> {
    let names: Vec<String> = captures.iter().map(|p| p.display().to_string()).collect();
    writeln!(
        out,
        "# Draft site inventory written by `portmatrix site infer` (docs/recognition.md)."
    )?;
    writeln!(
        out,
        "# Every device, role and address here is a guess from the captures: review it,"
    )?;
    writeln!(
        out,
        "# remove what is wrong, then run `portmatrix check --site`."
    )?;
    writeln!(
        out,
        "# Roles marked `uncertain` in the comment above a device rest on weak evidence."
    )?;
    writeln!(out)?;
    writeln!(out, "[site]")?;
    writeln!(
        out,
        "name = {}",
        quoted(&format!("inferred from {}", names.join(", ")))
    )?;
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut seen_addr: BTreeSet<String> = BTreeSet::new();
    for h in hosts {
        let mut addresses: Vec<String> = Vec::new();
        for a in h.ip.map(|i| i.to_string()).into_iter().chain(h.mac.clone()) {
            if seen_addr.insert(a.clone()) {
                addresses.push(a);
            }
        }
        if addresses.is_empty() {
            continue;
        }
        let drafted: Vec<_> = h
            .candidates
            .iter()
            .filter(|c| c.confidence >= DRAFTED && !c.roles.is_empty())
            .collect();
        let mut roles: Vec<&str> = Vec::new();
        for c in &drafted {
            for r in &c.roles {
                if !roles.contains(&r.as_str()) {
                    roles.push(r);
                }
            }
        }
        let base = h
            .names
            .first()
            .map(|n| slug(n.trim_end_matches(".local")))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| slug(&format!("host {}", addresses[0])));
        let mut name = base.clone();
        let mut n = 2;
        while !used.insert(name.clone()) {
            name = format!("{base}-{n}");
            n += 1;
        }
        writeln!(out)?;
        for c in &h.candidates {
            let mark = if c.roles.is_empty() {
                "no role"
            } else if c.confidence >= STRONG {
                "strong"
            } else if c.confidence >= DRAFTED {
                "uncertain"
            } else {
                "too weak, not drafted"
            };
            let ev: Vec<String> = c
                .evidence
                .iter()
                .take(4)
                .map(|e| {
                    if e.record > 0 {
                        format!("{} {:?} (record {})", e.kind, e.text, e.record)
                    } else {
                        format!("{} {:?}", e.kind, e.text)
                    }
                })
                .collect();
            writeln!(
                out,
                "# {} {:.2} [{mark}]: {} — roles [{}]; evidence: {}",
                comment(&c.product),
                c.confidence,
                comment(&c.name),
                comment(&c.roles.join(", ")),
                comment(&ev.join("; "))
            )?;
        }
        if let Some(org) = &h.organisation {
            writeln!(out, "# MAC organisation: {}", comment(org))?;
        }
        if roles.is_empty() {
            writeln!(
                out,
                "# no role recognised: the built-in role `any` keeps the device listed"
            )?;
            roles.push("any");
        }
        writeln!(out, "[[device]]")?;
        writeln!(out, "name = {}", quoted(&name))?;
        let r: Vec<String> = roles.iter().map(|r| quoted(r)).collect();
        writeln!(out, "roles = [{}]", r.join(", "))?;
        let a: Vec<String> = addresses.iter().map(|a| quoted(a)).collect();
        writeln!(out, "addresses = [{}]", a.join(", "))?;
        if let Some(best) = drafted.first() {
            writeln!(
                out,
                "note = {}",
                quoted(&format!(
                    "{} (confidence {:.2})",
                    best.name, best.confidence
                ))
            )?;
        }
    }
    Ok(())
}

/// `roles list`: id, vendor and name of every role, built-in first.
///
/// # Errors
/// Writing failed.
pub fn list_roles(
    out: &mut dyn Write,
    rules: &RuleSet,
    vendor: Option<&str>,
) -> std::io::Result<()> {
    writeln!(out, "role\tvendor\tname")?;
    for role in rules.roles() {
        let v = match &role.origin {
            None => "built-in".to_string(),
            Some(o) => rules
                .documents()
                .iter()
                .find(|d| d.origin.path == o.path)
                .map(|d| d.vendor.clone())
                .unwrap_or_default(),
        };
        if let Some(want) = vendor {
            if !v.to_ascii_lowercase().contains(&want.to_ascii_lowercase()) {
                continue;
            }
        }
        writeln!(
            out,
            "{}\t{}\t{}",
            sanitize(&role.id),
            sanitize(&v),
            sanitize(&role.name)
        )?;
    }
    Ok(())
}

/// For tests: the draft of `captures` with the built-in rules.
#[cfg(test)]
fn draft(captures: &[PathBuf]) -> String {
    let rules = RuleSet::builtin().unwrap();
    let hosts = recognise(captures, &rules).unwrap();
    let mut out = Vec::new();
    write_draft(&mut out, captures, &hosts).unwrap();
    String::from_utf8(out).unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(rel: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../fixtures")
            .join(rel)
    }

    /// The draft of the demo capture is a valid site file.
    #[test]
    fn the_demo_draft_is_a_valid_site() {
        let cap = fixture("demo/room.pcapng");
        let text = draft(std::slice::from_ref(&cap));
        let rules = RuleSet::builtin().unwrap();
        let site = portmatrix_rules::Site::parse(std::path::Path::new("draft.toml"), &text, &rules);
        assert!(site.is_ok(), "{text}\n{:?}", site.err());
    }

    /// `roles list --vendor clearone` lists the roles the ClearOne rule
    /// file declares (its `[[role]]` tables), read here line by line.
    #[test]
    fn roles_list_by_vendor_gives_the_files_roles() {
        let text = std::fs::read_to_string(
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../rules/clearone-converge-pro.toml"),
        )
        .unwrap();
        let mut declared = Vec::new();
        let mut in_role = false;
        for line in text.lines() {
            if line.starts_with("[[") {
                in_role = line == "[[role]]";
            } else if in_role {
                if let Some(id) = line.strip_prefix("id = \"") {
                    declared.push(id.trim_end_matches('"').to_string());
                }
            }
        }
        let mut out = Vec::new();
        list_roles(&mut out, &RuleSet::builtin().unwrap(), Some("clearone")).unwrap();
        let listed: Vec<String> = String::from_utf8(out)
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| l.split('\t').next().unwrap().to_string())
            .collect();
        assert!(!declared.is_empty());
        assert_eq!(listed, declared);
    }

    /// Every role the draft gives an address is a role the demo's own
    /// inventory (`fixtures/demo/site.toml`, written with the scenario)
    /// gives it, but for the one difference explained in
    /// docs/recognition.md: the Global Configurator PC sends the discovery
    /// broadcast the Extron document attributes to Toolbelt.
    #[test]
    fn the_demo_draft_agrees_with_the_demo_inventory() {
        let rules = RuleSet::builtin().unwrap();
        let truth = portmatrix_rules::Site::load(&fixture("demo/site.toml"), &rules).unwrap();
        let cap = fixture("demo/room.pcapng");
        let text = draft(std::slice::from_ref(&cap));
        let draft =
            portmatrix_rules::Site::parse(std::path::Path::new("d.toml"), &text, &rules).unwrap();
        let explained = [("10.10.20.50", "extron.toolbelt-pc")];
        let mut agreed = 0;
        for d in draft.devices() {
            let ip = d.addresses.iter().find_map(|a| a.to_string().parse().ok());
            let known: Vec<&str> = truth
                .lookup(ip, None)
                .devices()
                .flat_map(|t| t.role_ids.iter().map(String::as_str))
                .collect();
            for r in d.role_ids.iter().filter(|r| *r != "any") {
                let at = ip
                    .map(|i: std::net::IpAddr| i.to_string())
                    .unwrap_or_default();
                if explained.contains(&(at.as_str(), r.as_str())) {
                    continue;
                }
                assert!(
                    known.contains(&r.as_str()),
                    "{at}: {r} not in {known:?}\n{text}"
                );
                agreed += 1;
            }
        }
        assert!(agreed >= 5, "{agreed}\n{text}");
    }
}

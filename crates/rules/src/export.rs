//! Writing a rule set out: CSV, JSON, a plain-text table, and the full
//! description of one rule.
//!
//! CSV follows RFC 4180 (CRLF line ends; a field with a comma or a quote is
//! quoted and its quotes doubled). To keep spreadsheets from running a field
//! as a formula, a field that starts with `=`, `+`, `-`, `@`, a tab or a
//! carriage return gets a leading `'`; then, as everywhere text leaves the
//! program, control and bidirectional format characters (tab, CR and LF
//! included) become U+FFFD ([`crate::sanitize`]), so a field is one line.

use std::fmt::Write as _;
use std::io::{self, Write};

use serde::Serialize;

use crate::model::{Rule, RuleSet};
use crate::ports::PortSpec;

/// The CSV columns, in order.
pub const CSV_COLUMNS: [&str; 20] = [
    "id",
    "document",
    "vendor",
    "product",
    "section",
    "source_role",
    "source_ports",
    "destination_role",
    "transport",
    "destination_ports",
    "direction",
    "service",
    "requirement",
    "multicast_groups",
    "broadcast",
    "rtp_pairing",
    "configurable",
    "quote",
    "correction",
    "confidence",
];

/// One CSV field: injection-guarded, sanitised, then quoted when needed
/// (RFC 4180).
pub fn csv_field(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        crate::sanitize(&format!("'{value}"))
    } else {
        crate::sanitize(value)
    };
    if guarded.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

fn groups_text(rule: &Rule) -> String {
    rule.multicast_groups
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(";")
}

fn csv_row(rule: &Rule) -> [String; 20] {
    [
        rule.id.clone(),
        rule.document.clone(),
        rule.vendor.clone(),
        rule.product.clone(),
        rule.section.clone(),
        rule.source_role.clone(),
        rule.source_ports.to_string(),
        rule.destination_role.clone(),
        rule.transport.to_string(),
        rule.destination_ports.to_string(),
        rule.direction.to_string(),
        rule.service.clone(),
        rule.requirement.to_string(),
        groups_text(rule),
        rule.broadcast.to_string(),
        rule.rtp_pairing.to_string(),
        rule.configurable.to_string(),
        rule.quote.clone(),
        rule.correction.clone().unwrap_or_default(),
        rule.confidence.to_string(),
    ]
}

/// Writes every rule as CSV with a header row of [`CSV_COLUMNS`].
///
/// # Errors
///
/// Errors of the writer.
pub fn write_csv(rules: &RuleSet, mut out: impl Write) -> io::Result<()> {
    out.write_all(CSV_COLUMNS.join(",").as_bytes())?;
    out.write_all(b"\r\n")?;
    for r in rules.rules() {
        let row: Vec<String> = csv_row(r).iter().map(|f| csv_field(f)).collect();
        out.write_all(row.join(",").as_bytes())?;
        out.write_all(b"\r\n")?;
    }
    Ok(())
}

/// Ports in JSON: the spec as written in rule files, and its ranges.
#[derive(Debug, Serialize)]
struct JsonPorts {
    spec: String,
    ranges: Vec<[u16; 2]>,
}

impl From<&PortSpec> for JsonPorts {
    fn from(p: &PortSpec) -> JsonPorts {
        JsonPorts {
            spec: p.to_string(),
            ranges: p.ranges().iter().map(|r| [r.low, r.high]).collect(),
        }
    }
}

/// One rule in JSON: the CSV columns, typed.
#[derive(Debug, Serialize)]
struct JsonRule<'a> {
    id: &'a str,
    document: &'a str,
    vendor: &'a str,
    product: &'a str,
    section: &'a str,
    source_role: &'a str,
    source_ports: JsonPorts,
    destination_role: &'a str,
    transport: Vec<&'static str>,
    destination_ports: JsonPorts,
    direction: &'static str,
    service: &'a str,
    requirement: &'static str,
    multicast_groups: Vec<String>,
    broadcast: bool,
    rtp_pairing: bool,
    configurable: bool,
    quote: &'a str,
    correction: Option<&'a str>,
    confidence: &'static str,
}

impl<'a> From<&'a Rule> for JsonRule<'a> {
    fn from(r: &'a Rule) -> JsonRule<'a> {
        JsonRule {
            id: &r.id,
            document: &r.document,
            vendor: &r.vendor,
            product: &r.product,
            section: &r.section,
            source_role: &r.source_role,
            source_ports: (&r.source_ports).into(),
            destination_role: &r.destination_role,
            transport: r.transport.iter().map(|t| t.name()).collect(),
            destination_ports: (&r.destination_ports).into(),
            direction: r.direction.name(),
            service: &r.service,
            requirement: r.requirement.name(),
            multicast_groups: r.multicast_groups.iter().map(ToString::to_string).collect(),
            broadcast: r.broadcast,
            rtp_pairing: r.rtp_pairing,
            configurable: r.configurable,
            quote: &r.quote,
            correction: r.correction.as_deref(),
            confidence: r.confidence.name(),
        }
    }
}

/// Writes every rule as a JSON array of objects with the CSV's fields, typed:
/// `transport` is an array (`["tcp", "udp"]`), ports are
/// `{"spec": "3336;3338", "ranges": [[3336, 3336], [3338, 3338]]}`, groups an
/// array of strings, flags booleans, a missing correction `null`.
///
/// # Errors
///
/// Errors of the writer.
pub fn write_json(rules: &RuleSet, mut out: impl Write) -> io::Result<()> {
    let rows: Vec<JsonRule<'_>> = rules.rules().iter().map(JsonRule::from).collect();
    let text = serde_json::to_string_pretty(&rows)?;
    out.write_all(escape_unsafe(&text).as_bytes())?;
    out.write_all(b"\n")
}

/// `json` with every [unsafe character](crate::is_unsafe_char) that
/// serde_json writes raw (DEL, C1, bidirectional format characters, line
/// separators) written as a `\uXXXX` escape. Outside strings a JSON text is
/// ASCII without controls, so each such character is inside a string, and
/// the strings read back unchanged.
fn escape_unsafe(json: &str) -> std::borrow::Cow<'_, str> {
    if !json.chars().any(crate::is_unsafe_char) {
        return std::borrow::Cow::Borrowed(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if crate::is_unsafe_char(c) && c != '\n' {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// A plain-text table of every rule: id, product, transport, ports, service,
/// requirement (products longer than 40 characters are shortened).
pub fn table(rules: &RuleSet) -> String {
    crate::sanitize_lines(&table_raw(rules))
}

fn table_raw(rules: &RuleSet) -> String {
    let header = [
        "ID",
        "PRODUCT",
        "TRANSPORT",
        "PORTS",
        "SERVICE",
        "REQUIREMENT",
    ];
    let rows: Vec<[String; 6]> = rules
        .rules()
        .iter()
        .map(|r| {
            let mut ports = r.destination_ports.to_string();
            if r.is_multicast() {
                let _ = write!(ports, " @{}", groups_text(r));
            } else if r.broadcast {
                ports.push_str(" (broadcast)");
            }
            [
                r.id.clone(),
                shorten(&r.product, 40),
                r.transport.to_string(),
                ports,
                r.service.clone(),
                r.requirement.to_string(),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: &[String]| {
        let mut l = String::new();
        for (i, (cell, w)) in cells.iter().zip(widths).enumerate() {
            if i + 1 == cells.len() {
                l.push_str(cell);
            } else {
                let pad = w - cell.chars().count();
                l.push_str(cell);
                l.push_str(&" ".repeat(pad + 2));
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(&header.map(String::from));
    for row in &rows {
        line(row);
    }
    out
}

/// Everything about one rule, one `key: value` per line, with its provenance.
pub fn describe(rules: &RuleSet, rule: &Rule) -> String {
    crate::sanitize_lines(&describe_raw(rules, rule))
}

fn describe_raw(rules: &RuleSet, rule: &Rule) -> String {
    let mut out = String::new();
    let mut kv = |k: &str, v: &str| {
        let _ = writeln!(out, "{:<18} {}", format!("{k}:"), v);
    };
    let role = |id: &str| match rules.role_ref(id) {
        Some(r) => format!("{id} ({})", rules.role(r).name),
        None => id.to_string(),
    };
    kv("id", &rule.id);
    kv("vendor", &rule.vendor);
    kv("product", &rule.product);
    kv("service", &rule.service);
    kv("requirement", rule.requirement.name());
    if let Some(c) = &rule.condition {
        kv("condition", c);
    }
    kv("transport", rule.transport.name());
    kv("source role", &role(&rule.source_role));
    kv("source ports", &rule.source_ports.to_string());
    kv("destination role", &role(&rule.destination_role));
    kv("destination ports", &rule.destination_ports.to_string());
    kv("direction", rule.direction.name());
    if rule.is_multicast() {
        kv("multicast groups", &groups_text(rule));
    }
    kv("broadcast", if rule.broadcast { "yes" } else { "no" });
    kv("rtp pairing", if rule.rtp_pairing { "yes" } else { "no" });
    kv("configurable", if rule.configurable { "yes" } else { "no" });
    match rules.document_of(rule) {
        Some(d) => kv("document", &format!("{} ({})", d.file, d.title)),
        None => kv("document", &rule.document),
    }
    kv("section", &rule.section);
    kv("quote", &format!("\"{}\"", rule.quote));
    if let Some(c) = &rule.correction {
        kv("correction", c);
    }
    kv("confidence", rule.confidence.name());
    if let Some(n) = &rule.note {
        kv("note", n);
    }
    kv("defined at", &rule.origin.to_string());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_field_quotes_per_rfc_4180() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field(""), "");
    }

    #[test]
    fn csv_field_guards_formula_starts() {
        assert_eq!(csv_field("=1+2"), "'=1+2");
        assert_eq!(csv_field("+1"), "'+1");
        assert_eq!(csv_field("-1"), "'-1");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("=a,b"), "\"'=a,b\"");
        assert_eq!(csv_field("a=b"), "a=b");
        assert_eq!(csv_field("\t=1"), "'\u{fffd}=1");
        assert_eq!(csv_field("\r=1"), "'\u{fffd}=1");
    }

    #[test]
    fn csv_field_is_one_line_without_controls() {
        // Issue 9 item 3: ESC, BEL, CR, LF and bidi overrides reached the CSV.
        assert_eq!(csv_field("two\nlines"), "two\u{fffd}lines");
        assert_eq!(csv_field("a\r\nb"), "a\u{fffd}\u{fffd}b");
        assert_eq!(csv_field("x\u{1b}[2J\u{7}"), "x\u{fffd}[2J\u{fffd}");
        assert_eq!(csv_field("abc\u{202e}fdp.exe"), "abc\u{fffd}fdp.exe");
        assert_eq!(csv_field("a,\nb"), "\"a,\u{fffd}b\"");
    }

    #[test]
    fn json_escapes_what_would_drive_a_terminal() {
        let text = "{\n  \"a\": \"x\u{9b}31m\u{202e}y\u{7f}\"\n}";
        let escaped = escape_unsafe(text);
        assert_eq!(escaped, "{\n  \"a\": \"x\\u009b31m\\u202ey\\u007f\"\n}");
        let back: serde_json::Value = serde_json::from_str(&escaped).unwrap();
        assert_eq!(back["a"], "x\u{9b}31m\u{202e}y\u{7f}");
    }

    #[test]
    fn shorten_keeps_short_text() {
        assert_eq!(shorten("abc", 5), "abc");
        assert_eq!(shorten("abcdef", 4), "abc…");
    }
}

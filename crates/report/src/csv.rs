//! The CSV report (`docs/report-format.md`, "CSV"): one row per flow, for
//! spreadsheets. Rows are written as flows end (it is a [`FlowSink`]), so
//! memory does not grow with the number of flows.
//!
//! Every text cell is stripped of control characters ([`crate::text::sanitize`])
//! and then quoted and guarded against formula injection exactly as
//! `portmatrix rules export --format csv` does
//! ([`portmatrix_rules::export::csv_field`], RFC 4180 with CRLF line ends).

use std::io::{self, Write};

use portmatrix_engine::{FlowRecord, FlowSink};
use portmatrix_rules::export::csv_field;
use portmatrix_rules::RuleSet;

use crate::text::sanitize;

/// The CSV columns, in order (documented in `docs/report-format.md`).
pub const CSV_COLUMNS: [&str; 34] = [
    "input",
    "id",
    "vlan",
    "inner_vlan",
    "transport",
    "src_ip",
    "src_port",
    "dst_ip",
    "dst_port",
    "destination",
    "first_ts",
    "last_ts",
    "packets",
    "bytes",
    "packets_fwd",
    "packets_rev",
    "bytes_fwd",
    "bytes_rev",
    "conn_state",
    "history",
    "app",
    "src_device",
    "dst_device",
    "verdict",
    "blocked_kind",
    "rule_ids",
    "basis",
    "hints",
    "findings",
    "finding_details",
    "rtp_streams",
    "rtp_packets",
    "rtp_lost",
    "rtcp_packets",
];

/// Separator of the values of a list cell (`rule_ids`, `basis`, `hints`,
/// `findings`, `finding_details`).
pub const LIST_SEPARATOR: &str = ";";

/// Writes the CSV report: a header row, then a row per flow handed to it;
/// [`CsvReport::begin_input`] names the input of the rows that follow.
pub struct CsvReport<'r, W: Write> {
    out: W,
    rules: &'r RuleSet,
    input: String,
    row: String,
    /// Rule id → its basis (bounded by the rule set).
    basis: std::collections::HashMap<String, String>,
}

impl<'r, W: Write> CsvReport<'r, W> {
    /// Writes the header row. `rules` gives each rule id's document and
    /// section for the `basis` column.
    ///
    /// # Errors
    /// Writing failed.
    pub fn new(mut out: W, rules: &'r RuleSet) -> io::Result<Self> {
        out.write_all(CSV_COLUMNS.join(",").as_bytes())?;
        out.write_all(b"\r\n")?;
        Ok(CsvReport {
            out,
            rules,
            input: String::new(),
            row: String::new(),
            basis: std::collections::HashMap::new(),
        })
    }

    /// The input (path as given) of the rows that follow.
    pub fn begin_input(&mut self, path: &str) {
        self.input = cell(path);
    }

    /// Flushes and returns the writer.
    ///
    /// # Errors
    /// Writing failed.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// A text cell: control characters replaced, then guarded and quoted.
fn cell(value: &str) -> String {
    csv_field(&sanitize(value))
}

/// A list cell: the sanitized values joined with [`LIST_SEPARATOR`].
fn list_cell<'a>(values: impl IntoIterator<Item = &'a str>) -> String {
    let joined: Vec<String> = values.into_iter().map(sanitize).collect();
    csv_field(&joined.join(LIST_SEPARATOR))
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_default()
}

/// What a rule rests on: `title §section` of its document (the file name
/// when the document has no entry); the id itself when the rule is unknown.
pub fn basis(rules: &RuleSet, id: &str) -> String {
    let Some(r) = rules.rule(id) else {
        return id.to_string();
    };
    let doc = rules
        .document_of(r)
        .map_or(r.document.as_str(), |d| d.title.as_str());
    if r.section.is_empty() {
        doc.to_string()
    } else {
        format!("{doc} §{}", r.section)
    }
}

impl<W: Write> CsvReport<'_, W> {
    /// The distinct bases of `ids`, in order of first appearance: many
    /// rules of one document section often document the same port.
    fn bases(&mut self, ids: &[String]) -> Vec<&str> {
        for id in ids {
            if !self.basis.contains_key(id) {
                self.basis.insert(id.clone(), basis(self.rules, id));
            }
        }
        let mut out: Vec<&str> = Vec::new();
        for id in ids {
            let b = self.basis[id].as_str();
            if !out.contains(&b) {
                out.push(b);
            }
        }
        out
    }
}

impl<W: Write> FlowSink for CsvReport<'_, W> {
    fn flow(&mut self, f: FlowRecord) -> io::Result<()> {
        let bases = list_cell(self.bases(&f.rule_ids));
        let details: Vec<String> = f
            .findings
            .iter()
            .map(|x| format!("{}: {}", x.kind, x.detail))
            .collect();
        let rtp_packets: u64 = f.rtp.iter().map(|s| s.packets).sum();
        let rtp_lost: i64 = f.rtp.iter().map(|s| s.lost).sum();
        let rtcp = f.rtcp.as_ref().map(|r| r.packets_fwd + r.packets_rev);
        let cells: [String; 34] = [
            self.input.clone(),
            f.id.to_string(),
            opt(f.vlan),
            opt(f.inner_vlan),
            f.transport.to_string(),
            cell(f.src_ip.as_deref().unwrap_or_default()),
            f.src_port.to_string(),
            cell(f.dst_ip.as_deref().unwrap_or_default()),
            f.dst_port.to_string(),
            f.destination.to_string(),
            f.first_ts.clone(),
            f.last_ts.clone(),
            f.packets.to_string(),
            f.bytes.to_string(),
            f.packets_fwd.to_string(),
            f.packets_rev.to_string(),
            f.bytes_fwd.to_string(),
            f.bytes_rev.to_string(),
            opt(f.conn_state),
            cell(&f.history),
            opt(f.app),
            f.src_device.as_deref().map(cell).unwrap_or_default(),
            f.dst_device.as_deref().map(cell).unwrap_or_default(),
            f.verdict.name().to_string(),
            opt(f.blocked_kind),
            list_cell(f.rule_ids.iter().map(String::as_str)),
            bases,
            list_cell(f.hints.iter().map(String::as_str)),
            list_cell(f.findings.iter().map(|x| x.kind)),
            list_cell(details.iter().map(String::as_str)),
            f.rtp.len().to_string(),
            if f.rtp.is_empty() {
                String::new()
            } else {
                rtp_packets.to_string()
            },
            if f.rtp.is_empty() {
                String::new()
            } else {
                rtp_lost.to_string()
            },
            opt(rtcp),
        ];
        self.row.clear();
        for (i, c) in cells.iter().enumerate() {
            if i > 0 {
                self.row.push(',');
            }
            self.row.push_str(c);
        }
        self.row.push_str("\r\n");
        self.out.write_all(self.row.as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_lose_control_characters_and_formula_starts() {
        // A device name or history taken from someone else's file: an
        // escape sequence, a line break and a formula start.
        assert_eq!(cell("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
        assert_eq!(cell("a\r\nb"), "a\u{fffd}\u{fffd}b");
        assert_eq!(cell("\x1b[2J"), "\u{fffd}[2J");
        assert_eq!(cell("-1,2"), "\"'-1,2\"");
        assert_eq!(list_cell(["@x", "y"]), "'@x;y");
        assert_eq!(list_cell(["x", "=y"]), "x;=y");
    }
}

//! Problems found while loading rule files and site inventories.
//!
//! Loading never stops at the first problem: every problem of every file is
//! collected as a [`Diagnostic`] (path, line:column, kind, reason) and the load
//! returns them all in one [`Error`]. Nothing is half-loaded: a load returns
//! either a complete value or the error.

use std::fmt;
use std::path::{Path, PathBuf};

/// `Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

/// A 1-based line and column in a text file.
///
/// The column counts characters (Unicode scalar values), not bytes, so it is
/// what an editor shows for a file without tabs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    /// Line, starting at 1.
    pub line: u32,
    /// Column, starting at 1.
    pub column: u32,
}

impl Position {
    /// The position of byte `offset` in `text` (clamped to the text's end and
    /// moved back to a character boundary).
    pub fn from_offset(text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
        let column = before[line_start..].chars().count() + 1;
        Position {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
        }
    }
}

/// Line starts of a text, for turning many byte offsets into positions
/// without rescanning the text each time.
#[derive(Debug, Clone)]
pub(crate) struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub(crate) fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// As [`Position::from_offset`], in O(log lines + line length).
    pub(crate) fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        let column = text[start..offset].chars().count() + 1;
        Position {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            column: u32::try_from(column).unwrap_or(u32::MAX),
        }
    }
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// What kind of problem a [`Diagnostic`] reports.
///
/// [`ProblemKind::name`] gives the kebab-case name used in the docs and for
/// the negative fixtures (`fixtures/rules/invalid/<name>.toml`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ProblemKind {
    /// The file could not be read (missing, unreadable, not UTF-8).
    Io,
    /// The file is not valid TOML.
    Syntax,
    /// A key the schema does not know.
    UnknownKey,
    /// A required key is absent.
    MissingKey,
    /// A value has the wrong TOML type (string where a boolean belongs, ...).
    WrongType,
    /// A required string is empty or only whitespace.
    EmptyValue,
    /// A value is not one of the allowed words (transport, direction, requirement).
    BadValue,
    /// A rule or role id does not follow `[a-z0-9.-]+` (or, for roles, the vendor prefix).
    BadId,
    /// A port spec that is not `any`, a name, `N`, `A-B` or a `;` list of those.
    BadPortSpec,
    /// A port above 65535.
    PortOutOfRange,
    /// A port range whose low end is above its high end.
    ReversedPortRange,
    /// Two items of one port list overlap.
    OverlappingPorts,
    /// A word in a port spec that is not a named range.
    UnknownNamedRange,
    /// A multicast group that is not an address, a range or a prefix.
    BadGroup,
    /// A "multicast group" outside 224.0.0.0/4 or ff00::/8.
    NotMulticast,
    /// A group range whose low end is above its high end (or mixes IPv4 and IPv6).
    ReversedGroupRange,
    /// `multicast_groups` and `broadcast = true` on the same rule.
    BroadcastAndMulticast,
    /// `rtp_pairing = true` on a TCP-only rule.
    RtpPairingWithoutUdp,
    /// A role that is neither declared in a loaded file nor built in.
    UnknownRole,
    /// A declared role reuses the id of a built-in role.
    BuiltinRoleRedeclared,
    /// The same role id declared twice (in one file or across files).
    DuplicateRoleId,
    /// The same rule id used twice (in one file or across files).
    DuplicateRuleId,
    /// `[document] file` is not a bare file name.
    BadDocumentFile,
    /// Two rule files claim the same source document.
    DuplicateDocument,
    /// The cited document is missing from the documents directory.
    DocumentNotFound,
    /// The rule's quote is not in its document (whitespace runs folded).
    QuoteNotFound,
    /// A site address that is not an IPv4/IPv6 address, a CIDR subnet or a MAC.
    BadAddress,
    /// A CIDR prefix length above 32 (IPv4) or 128 (IPv6), or not a number.
    BadPrefix,
    /// A CIDR subnet with bits set after the prefix (`10.1.3.5/24`).
    HostBitsSet,
    /// Two devices of one site share a name.
    DuplicateDeviceName,
    /// The same exact address (or subnet, or MAC) on two devices.
    DuplicateAddress,
    /// A warning, not an error: two device names that differ only in
    /// look-alike characters (Unicode TR39 confusables), see [`crate::Site::warnings`].
    ConfusableDeviceName,
}

impl ProblemKind {
    /// The kebab-case name of the kind, e.g. `port-out-of-range`.
    pub fn name(self) -> &'static str {
        match self {
            ProblemKind::Io => "io",
            ProblemKind::Syntax => "syntax",
            ProblemKind::UnknownKey => "unknown-key",
            ProblemKind::MissingKey => "missing-key",
            ProblemKind::WrongType => "wrong-type",
            ProblemKind::EmptyValue => "empty-value",
            ProblemKind::BadValue => "bad-value",
            ProblemKind::BadId => "bad-id",
            ProblemKind::BadPortSpec => "bad-port-spec",
            ProblemKind::PortOutOfRange => "port-out-of-range",
            ProblemKind::ReversedPortRange => "reversed-port-range",
            ProblemKind::OverlappingPorts => "overlapping-ports",
            ProblemKind::UnknownNamedRange => "unknown-named-range",
            ProblemKind::BadGroup => "bad-group",
            ProblemKind::NotMulticast => "not-multicast",
            ProblemKind::ReversedGroupRange => "reversed-group-range",
            ProblemKind::BroadcastAndMulticast => "broadcast-and-multicast",
            ProblemKind::RtpPairingWithoutUdp => "rtp-pairing-without-udp",
            ProblemKind::UnknownRole => "unknown-role",
            ProblemKind::BuiltinRoleRedeclared => "builtin-role-redeclared",
            ProblemKind::DuplicateRoleId => "duplicate-role-id",
            ProblemKind::DuplicateRuleId => "duplicate-rule-id",
            ProblemKind::BadDocumentFile => "bad-document-file",
            ProblemKind::DuplicateDocument => "duplicate-document",
            ProblemKind::DocumentNotFound => "document-not-found",
            ProblemKind::QuoteNotFound => "quote-not-found",
            ProblemKind::BadAddress => "bad-address",
            ProblemKind::BadPrefix => "bad-prefix",
            ProblemKind::HostBitsSet => "host-bits-set",
            ProblemKind::DuplicateDeviceName => "duplicate-device-name",
            ProblemKind::DuplicateAddress => "duplicate-address",
            ProblemKind::ConfusableDeviceName => "confusable-device-name",
        }
    }
}

impl fmt::Display for ProblemKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One problem in one file: where it is and what is wrong.
///
/// Displays as `path:line:column: reason`, or `path: reason` when the problem
/// has no position (an unreadable file).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Diagnostic {
    /// The file, as it was given (or `rules/<name>.toml` for built-in rules).
    pub path: PathBuf,
    /// Where in the file; `None` for problems with the whole file.
    pub position: Option<Position>,
    /// The kind of problem.
    pub kind: ProblemKind,
    /// A plain-language reason, lowercase, no trailing period.
    pub reason: String,
}

impl Diagnostic {
    /// A diagnostic at `position` of `path`.
    pub fn new(
        path: &Path,
        position: Option<Position>,
        kind: ProblemKind,
        reason: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic {
            path: path.to_path_buf(),
            position,
            kind,
            reason: reason.into(),
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some(p) => write!(
                f,
                "{}:{}:{}: {}",
                self.path.display(),
                p.line,
                p.column,
                self.reason
            ),
            None => write!(f, "{}: {}", self.path.display(), self.reason),
        }
    }
}

/// The error of every load in this crate: all problems found, in file order
/// and then position order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct Error {
    diagnostics: Vec<Diagnostic>,
}

impl Error {
    /// An error made of `diagnostics` (sorted by file order as given, then position).
    pub fn new(diagnostics: Vec<Diagnostic>) -> Error {
        Error { diagnostics }
    }

    /// Every problem found.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.diagnostics
    }

    /// Consumes the error, giving its problems.
    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.diagnostics.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn position_counts_lines_and_characters() {
        let text = "ab\ncé d\n";
        assert_eq!(
            Position::from_offset(text, 0),
            Position { line: 1, column: 1 }
        );
        // "ab\n" is bytes 0-2; 'c' is byte 3, 'é' bytes 4-5, ' ' byte 6, 'd' byte 7:
        // line 2, column 4.
        assert_eq!(
            Position::from_offset(text, 7),
            Position { line: 2, column: 4 }
        );
        // Past the end clamps; a non-boundary offset moves back.
        assert_eq!(
            Position::from_offset(text, 100),
            Position { line: 3, column: 1 }
        );
        assert_eq!(
            Position::from_offset(text, 5),
            Position { line: 2, column: 2 }
        );
    }

    #[test]
    fn line_index_agrees_with_from_offset() {
        let text = "ab\ncé d\n\nx";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() + 2 {
            assert_eq!(
                index.position(text, offset),
                Position::from_offset(text, offset),
                "{offset}"
            );
        }
    }

    #[test]
    fn diagnostic_displays_path_line_column_reason() {
        let d = Diagnostic::new(
            Path::new("rules/x.toml"),
            Some(Position { line: 3, column: 7 }),
            ProblemKind::PortOutOfRange,
            "port 70000 is above 65535",
        );
        assert_eq!(d.to_string(), "rules/x.toml:3:7: port 70000 is above 65535");
        let d = Diagnostic::new(Path::new("a.toml"), None, ProblemKind::Io, "no such file");
        assert_eq!(d.to_string(), "a.toml: no such file");
    }
}

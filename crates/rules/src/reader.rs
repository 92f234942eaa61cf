//! Reading TOML with spans, collecting every problem instead of stopping at
//! the first.
//!
//! A file is parsed into toml's span-carrying [`DeTable`]. Each table of the
//! schema (`[document]`, every `[[rule]]`, every `[[device]]`, ...) is then
//! deserialised on its own into a `#[serde(deny_unknown_fields)]` struct, so
//! one bad table does not hide the problems of the others. Before serde sees a
//! table, its unknown keys are reported (all of them, with a suggestion) and
//! dropped; a value of the wrong type is reported and dropped too, and the
//! table is deserialised again, so every bad key of a table is reported.
//! Required keys are `Option`s in the structs and checked by the caller, so
//! every missing key is reported as well.

use std::borrow::Cow;
use std::ops::Range;
use std::path::Path;

use serde::de::{self, Deserialize, Visitor};
use toml::de::{DeTable, DeValue, ValueDeserializer};
use toml::Spanned;

use crate::error::{Diagnostic, LineIndex, Position, ProblemKind};
use crate::suggest;

/// One file being read: its display path and text, and the problems found so far.
pub(crate) struct FileCx<'a> {
    pub path: &'a Path,
    pub text: &'a str,
    pub diags: Vec<Diagnostic>,
    /// Keys dropped for having the wrong type: (table start, key). They are
    /// not reported again as missing.
    dropped: Vec<(usize, String)>,
    lines: LineIndex,
}

impl<'a> FileCx<'a> {
    pub fn new(path: &'a Path, text: &'a str) -> FileCx<'a> {
        FileCx {
            path,
            text,
            diags: Vec::new(),
            dropped: Vec::new(),
            lines: LineIndex::new(text),
        }
    }

    pub fn position(&self, offset: usize) -> Position {
        self.lines.position(self.text, offset)
    }

    /// Records a problem at byte `offset`.
    pub fn report(&mut self, offset: usize, kind: ProblemKind, reason: impl Into<String>) {
        let position = Some(self.position(offset));
        self.diags
            .push(Diagnostic::new(self.path, position, kind, reason));
    }

    /// The byte offset of `inner` (a byte offset inside the decoded string
    /// value spanning `span`) in the file. Exact when the string is written
    /// without escapes; otherwise the start of the value.
    pub fn offset_in_string(&self, span: &Range<usize>, value: &str, inner: usize) -> usize {
        let raw = self.text.get(span.clone()).unwrap_or("");
        for quote in ["\"", "'"] {
            let triple = quote.repeat(3);
            if raw.starts_with(&triple) {
                break;
            }
            if raw.len() >= 2
                && raw.starts_with(quote)
                && raw.ends_with(quote)
                && &raw[1..raw.len() - 1] == value
            {
                return span.start + 1 + inner.min(value.len());
            }
        }
        span.start
    }

    /// Reports that `what` (whose table starts at `at`) lacks `key`, unless the
    /// key was there with a wrong type (already reported).
    pub fn missing(&mut self, at: usize, key: &str, what: &str) {
        if !self.dropped.iter().any(|(t, k)| *t == at && k == key) {
            self.report(
                at,
                ProblemKind::MissingKey,
                format!("{what} is missing required key `{key}`"),
            );
        }
    }

    /// Parses the whole file; on syntax errors reports all of them and gives `None`.
    pub fn parse(&mut self) -> Option<Spanned<DeTable<'a>>> {
        let (table, errors) = DeTable::parse_recoverable(self.text);
        if errors.is_empty() {
            return Some(table);
        }
        // The parser recovers and goes on, which often yields a second,
        // consequential error on the same line: keep the first of each line.
        let mut lines_seen = Vec::new();
        for e in errors {
            let offset = e.span().map_or(0, |s| s.start);
            let message = e.message().trim_end_matches('.').to_string();
            let line = self.position(offset).line;
            if lines_seen.contains(&line) {
                continue;
            }
            lines_seen.push(line);
            self.report(
                offset,
                ProblemKind::Syntax,
                format!("invalid TOML: {message}"),
            );
        }
        None
    }
}

/// The TOML type of a value, for messages.
pub(crate) fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// The field names of a `#[derive(Deserialize)]` struct, asked from serde itself
/// so that the key check and the struct cannot disagree.
pub(crate) fn fields_of<'de, T: Deserialize<'de>>() -> &'static [&'static str] {
    struct Capture(&'static [&'static str]);
    impl<'de> de::Deserializer<'de> for &mut Capture {
        type Error = de::value::Error;
        fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
            Err(de::Error::custom("not a struct"))
        }
        fn deserialize_struct<V: Visitor<'de>>(
            self,
            _name: &'static str,
            fields: &'static [&'static str],
            _visitor: V,
        ) -> Result<V::Value, Self::Error> {
            self.0 = fields;
            Err(de::Error::custom("fields captured"))
        }
        serde::forward_to_deserialize_any! {
            bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
            bytes byte_buf option unit unit_struct newtype_struct seq tuple
            tuple_struct map enum identifier ignored_any
        }
    }
    let mut c = Capture(&[]);
    let _ = T::deserialize(&mut c);
    c.0
}

/// Deserialises one table of the schema into `T`, reporting every unknown key
/// and every value of the wrong type. `what` names the table in messages
/// (`[[rule]]`). Gives `None` only when serde fails in a way that cannot be
/// pinned on one key.
pub(crate) fn read_table<'d, T>(
    cx: &mut FileCx<'_>,
    what: &str,
    table: &DeTable<'d>,
    span: Range<usize>,
) -> Option<T>
where
    T: de::DeserializeOwned,
{
    let fields = fields_of::<T>();
    let mut table = table.clone();
    let unknown: Vec<Spanned<Cow<'d, str>>> = table
        .keys()
        .filter(|k| !fields.contains(&k.get_ref().as_ref()))
        .cloned()
        .collect();
    for key in &unknown {
        let name = key.get_ref().as_ref();
        let hint = suggest::did_you_mean(name, fields.iter().copied());
        cx.report(
            key.span().start,
            ProblemKind::UnknownKey,
            format!("unknown key `{name}` in {what}{hint}"),
        );
        table.remove(key.get_ref().as_ref());
    }
    // Each round either succeeds or removes one key, so this ends.
    loop {
        let value = Spanned::new(span.clone(), DeValue::Table(table.clone()));
        match T::deserialize(ValueDeserializer::from(value)) {
            Ok(t) => return Some(t),
            Err(e) => {
                let at = e.span().map_or(span.start, |s| s.start);
                let culprit = table
                    .iter()
                    .find(|(k, v)| v.span().contains(&at) || k.span().contains(&at))
                    .map(|(k, v)| (k.get_ref().to_string(), v.span(), type_name(v.get_ref())));
                match culprit {
                    Some((name, vspan, found)) => {
                        let expected = e.message().rsplit_once("expected ").map(|(_, x)| {
                            // serde's data-model words, in TOML's words.
                            x.trim_end_matches('.')
                                .replace("a sequence", "an array")
                                .replace("a map", "a table")
                        });
                        let reason = match expected {
                            Some(x) => format!("`{name}` must be {x}, found {found}"),
                            None => format!("`{name}`: {}", e.message()),
                        };
                        cx.report(vspan.start, ProblemKind::WrongType, reason);
                        table.remove(name.as_str());
                        cx.dropped.push((span.start, name));
                    }
                    None => {
                        cx.report(
                            at,
                            ProblemKind::WrongType,
                            format!("{what}: {}", e.message().trim_end_matches('.')),
                        );
                        return None;
                    }
                }
            }
        }
    }
}

/// The key/value pairs at the top of a file, checked against `allowed`
/// (key, expected shape) — unknown keys and wrong shapes are reported.
pub(crate) fn top_level<'t, 'a>(
    cx: &mut FileCx<'a>,
    root: &'t DeTable<'a>,
    allowed: &[(&str, Shape)],
) -> Vec<(&'t str, &'t Spanned<DeValue<'a>>)> {
    let mut out = Vec::new();
    for (k, v) in root.iter() {
        let name = k.get_ref().as_ref();
        match allowed.iter().find(|(n, _)| *n == name) {
            None => {
                let hint = suggest::did_you_mean(name, allowed.iter().map(|(n, _)| *n));
                let names: Vec<String> = allowed.iter().map(|(n, s)| s.syntax(n)).collect();
                cx.report(
                    k.span().start,
                    ProblemKind::UnknownKey,
                    format!(
                        "unknown key `{name}` at the top of the file{hint}; expected {}",
                        names.join(", ")
                    ),
                );
            }
            Some((_, shape)) => {
                if shape.matches(v.get_ref()) {
                    out.push((name, v));
                } else {
                    cx.report(
                        v.span().start,
                        ProblemKind::WrongType,
                        format!(
                            "`{name}` must be {} (`{}`), found {}",
                            shape.describe(),
                            shape.syntax(name),
                            type_name(v.get_ref())
                        ),
                    );
                }
            }
        }
    }
    out
}

/// The shape of a top-level value.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Shape {
    /// `[name]`
    Table,
    /// `[[name]]`
    ArrayOfTables,
}

impl Shape {
    fn matches(self, v: &DeValue<'_>) -> bool {
        match (self, v) {
            (Shape::Table, DeValue::Table(_)) => true,
            (Shape::ArrayOfTables, DeValue::Array(a)) => {
                a.iter().all(|i| matches!(i.get_ref(), DeValue::Table(_)))
            }
            _ => false,
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Shape::Table => "a table",
            Shape::ArrayOfTables => "an array of tables",
        }
    }

    fn syntax(self, name: &str) -> String {
        match self {
            Shape::Table => format!("[{name}]"),
            Shape::ArrayOfTables => format!("[[{name}]]"),
        }
    }
}

/// The tables of an array of tables, with their spans.
pub(crate) fn tables<'t, 'a>(v: &'t Spanned<DeValue<'a>>) -> Vec<(&'t DeTable<'a>, Range<usize>)> {
    match v.get_ref() {
        DeValue::Array(a) => a
            .iter()
            .filter_map(|i| match i.get_ref() {
                DeValue::Table(t) => Some((t, i.span())),
                _ => None,
            })
            .collect(),
        DeValue::Table(t) => vec![(t, v.span())],
        _ => Vec::new(),
    }
}

/// A required string: reports a missing key (at the table header `at`) or an
/// empty value, and gives the value with its span.
pub(crate) fn required_str(
    cx: &mut FileCx<'_>,
    value: Option<Spanned<String>>,
    key: &str,
    what: &str,
    at: usize,
) -> Option<Spanned<String>> {
    match value {
        None => {
            cx.missing(at, key, what);
            None
        }
        Some(v) => non_empty(cx, Some(v), key),
    }
}

/// An optional string that, when present, must not be empty.
pub(crate) fn non_empty(
    cx: &mut FileCx<'_>,
    value: Option<Spanned<String>>,
    key: &str,
) -> Option<Spanned<String>> {
    let v = value?;
    if v.get_ref().trim().is_empty() {
        cx.report(
            v.span().start,
            ProblemKind::EmptyValue,
            format!("`{key}` is empty"),
        );
        return None;
    }
    Some(v)
}

/// Checks an id against `[a-z0-9.-]+` with no empty dot-separated part.
pub(crate) fn id_problem(id: &str) -> Option<String> {
    if id.is_empty() {
        return Some("is empty".to_string());
    }
    if let Some(c) = id
        .chars()
        .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '.' || *c == '-'))
    {
        return Some(format!(
            "contains `{c}`; ids use lowercase letters, digits, `.` and `-`"
        ));
    }
    if id.split('.').any(str::is_empty) {
        return Some("has an empty part between dots".to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Default, Deserialize)]
    #[serde(deny_unknown_fields, default)]
    struct Sample {
        name: Option<Spanned<String>>,
        flag: Option<Spanned<bool>>,
        list: Option<Vec<Spanned<String>>>,
    }

    #[test]
    fn fields_of_asks_serde() {
        assert_eq!(fields_of::<Sample>(), &["name", "flag", "list"]);
    }

    #[test]
    fn read_table_reports_every_unknown_key_and_wrong_type() {
        let text = "[t]\nnmae = \"a\"\nflag = \"yes\"\nlist = [1]\nzzz = 2\nname = \"ok\"\n";
        let path = Path::new("t.toml");
        let mut cx = FileCx::new(path, text);
        let root = cx.parse().unwrap();
        let (k, v) = root.get_ref().iter().next().unwrap();
        assert_eq!(k.get_ref(), "t");
        let DeValue::Table(t) = v.get_ref() else {
            panic!("not a table")
        };
        let s: Sample = read_table(&mut cx, "[t]", t, v.span()).unwrap();
        assert_eq!(s.name.unwrap().into_inner(), "ok");
        let got: Vec<(ProblemKind, u32, u32)> = cx
            .diags
            .iter()
            .map(|d| {
                let p = d.position.unwrap();
                (d.kind, p.line, p.column)
            })
            .collect();
        // Counted by hand in `text`: `nmae` line 2 col 1, `"yes"` line 3 col 8,
        // `[1]` line 4 col 8, `zzz` line 5 col 1.
        let mut expected = vec![
            (ProblemKind::UnknownKey, 2, 1),
            (ProblemKind::UnknownKey, 5, 1),
            (ProblemKind::WrongType, 3, 8),
            (ProblemKind::WrongType, 4, 8),
        ];
        let mut got_sorted = got.clone();
        got_sorted.sort_by_key(|g| (g.1, g.2));
        expected.sort_by_key(|g| (g.1, g.2));
        assert_eq!(got_sorted, expected, "{:?}", cx.diags);
        assert!(cx.diags[0].reason.contains("did you mean `name`"));
    }

    #[test]
    fn offset_in_string_is_exact_without_escapes() {
        let text = "a = \"12;70000\"\nb = \"x\\ty;70000\"\n";
        let cx = FileCx::new(Path::new("x"), text);
        assert_eq!(cx.offset_in_string(&(4..14), "12;70000", 3), 8);
        // With an escape the raw text differs from the value: the value's start.
        assert_eq!(cx.offset_in_string(&(19..31), "x\ty;70000", 4), 19);
    }

    #[test]
    fn parse_reports_syntax_errors_with_position() {
        let text = "a = 1\nb = \n";
        let mut cx = FileCx::new(Path::new("x.toml"), text);
        assert!(cx.parse().is_none());
        assert_eq!(cx.diags[0].kind, ProblemKind::Syntax);
        assert_eq!(cx.diags[0].position.unwrap().line, 2);
    }

    #[test]
    fn id_problem_checks_charset_and_parts() {
        assert_eq!(id_problem("extron.cp-1"), None);
        assert!(id_problem("Extron.cp").is_some());
        assert!(id_problem("a..b").is_some());
        assert!(id_problem("a b").is_some());
        assert!(id_problem(".a").is_some());
    }
}

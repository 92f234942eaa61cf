//! Loading and validating rule files into a [`RuleSet`].

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::de::{self, Deserialize, Deserializer, Visitor};
use toml::de::DeValue;
use toml::Spanned;

use crate::error::{Diagnostic, Error, LineIndex, Position, ProblemKind, Result};
use crate::groups::Group;
use crate::model::{
    Confidence, Direction, Document, Origin, Requirement, Role, RoleRef, Rule, RuleSet, Transports,
    BUILTIN_ROLES,
};
use crate::ports::PortSpec;
use crate::reader::{self, FileCx, Shape};
use crate::suggest;

include!(concat!(env!("OUT_DIR"), "/builtin_rules.rs"));

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawDocument {
    file: Option<Spanned<String>>,
    vendor: Option<Spanned<String>>,
    title: Option<Spanned<String>>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawRole {
    id: Option<Spanned<String>>,
    name: Option<Spanned<String>>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields, default)]
struct RawRule {
    id: Option<Spanned<String>>,
    product: Option<Spanned<String>>,
    section: Option<Spanned<String>>,
    source_role: Option<Spanned<String>>,
    source_ports: Option<Spanned<RawPorts>>,
    destination_role: Option<Spanned<String>>,
    destination_ports: Option<Spanned<RawPorts>>,
    transport: Option<Spanned<String>>,
    direction: Option<Spanned<String>>,
    service: Option<Spanned<String>>,
    requirement: Option<Spanned<String>>,
    condition: Option<Spanned<String>>,
    multicast_groups: Option<Spanned<Vec<Spanned<String>>>>,
    broadcast: Option<Spanned<bool>>,
    rtp_pairing: Option<Spanned<bool>>,
    configurable: Option<Spanned<bool>>,
    quote: Option<Spanned<String>>,
    correction: Option<Spanned<String>>,
    note: Option<Spanned<String>>,
    confidence: Option<Spanned<String>>,
}

/// A port spec as written: a string, or (leniently) a bare integer.
#[derive(Debug)]
enum RawPorts {
    Text(String),
    Number(i64),
}

impl<'de> Deserialize<'de> for RawPorts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = RawPorts;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a port spec string such as \"5060\", \"1024-1324\" or \"any\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> std::result::Result<RawPorts, E> {
                Ok(RawPorts::Text(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> std::result::Result<RawPorts, E> {
                Ok(RawPorts::Number(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> std::result::Result<RawPorts, E> {
                Ok(RawPorts::Number(i64::try_from(v).unwrap_or(i64::MAX)))
            }
        }
        d.deserialize_any(V)
    }
}

/// A role declared in a file, waiting for the cross-file checks.
struct PendingRole {
    role: Role,
    id_offset: usize,
}

/// A valid rule read from a file, waiting for role resolution.
struct PendingRule {
    rule: Rule,
}

/// Names a rule table uses, checked across files even when the rule has other
/// problems, so that every problem is reported at once.
#[derive(Default)]
struct Uses {
    /// Rule ids with the offset of their value.
    rule_ids: Vec<(String, usize)>,
    /// Role names used by rules, with the offset of their value.
    roles: Vec<(String, usize)>,
}

/// Everything read from one file.
struct FileRead {
    path: PathBuf,
    text: String,
    diags: Vec<Diagnostic>,
    document: Option<Document>,
    roles: Vec<PendingRole>,
    rules: Vec<PendingRule>,
    uses: Uses,
    lines: LineIndex,
}

impl FileRead {
    fn position(&self, offset: usize) -> Position {
        self.lines.position(&self.text, offset)
    }

    fn report(&mut self, offset: usize, kind: ProblemKind, reason: String) {
        let p = Some(self.position(offset));
        self.diags
            .push(Diagnostic::new(&self.path, p, kind, reason));
    }
}

impl RuleSet {
    /// The rules compiled into the binary: every `rules/*.toml` of the
    /// workspace at build time.
    ///
    /// # Errors
    ///
    /// Every problem of the embedded files (they are validated like any other).
    pub fn builtin() -> Result<RuleSet> {
        RuleSet::from_sources(
            BUILTIN_FILES
                .iter()
                .map(|(p, t)| (PathBuf::from(p), (*t).to_string()))
                .collect(),
        )
    }

    /// The display paths of the built-in rule files (`rules/<name>.toml`).
    pub fn builtin_files() -> impl Iterator<Item = &'static str> {
        BUILTIN_FILES.iter().map(|(p, _)| *p)
    }

    /// Loads rule files; a directory stands for its `*.toml` files (sorted by
    /// name, not recursive).
    ///
    /// # Errors
    ///
    /// Every problem of every file: unreadable files, TOML syntax, schema and
    /// semantic errors, and conflicts between files. Nothing is half-loaded.
    pub fn load<P: AsRef<Path>>(paths: &[P]) -> Result<RuleSet> {
        let (sources, io) = read_paths(paths);
        finish(RuleSet::from_sources(sources), io)
    }

    /// Loads `extra` rule files over a base set: the files of `base`, or the
    /// built-in rules when `base` is `None` (`--extra-rules`, docs/rules.md
    /// "Layering"). The two are validated as one set, so an extra rule whose
    /// id is already a base rule's is a `duplicate-rule-id` problem reported
    /// at the extra rule and naming the base rule's origin; nothing replaces
    /// anything silently.
    ///
    /// # Errors
    ///
    /// As [`RuleSet::load`], for both layers.
    pub fn load_layered<P: AsRef<Path>>(base: Option<&[P]>, extra: &[P]) -> Result<RuleSet> {
        let (mut sources, mut io) = match base {
            Some(paths) => read_paths(paths),
            None => (
                BUILTIN_FILES
                    .iter()
                    .map(|(p, t)| (PathBuf::from(p), (*t).to_string()))
                    .collect(),
                Vec::new(),
            ),
        };
        let (extra_sources, extra_io) = read_paths(extra);
        sources.extend(extra_sources);
        io.extend(extra_io);
        finish(RuleSet::from_sources(sources), io)
    }

    /// Loads rule files given as (display path, text).
    ///
    /// # Errors
    ///
    /// As [`RuleSet::load`].
    pub fn from_sources(sources: Vec<(PathBuf, String)>) -> Result<RuleSet> {
        let mut files: Vec<FileRead> = sources
            .into_iter()
            .map(|(path, text)| read_file(path, text))
            .collect();
        cross_check(&mut files)
    }
}

/// Reads files and directories (a directory stands for its `*.toml` files):
/// the sources read, and the problems of those that could not be read.
fn read_paths<P: AsRef<Path>>(paths: &[P]) -> (Vec<(PathBuf, String)>, Vec<Diagnostic>) {
    let mut sources = Vec::new();
    let mut io = Vec::new();
    for p in paths {
        let p = p.as_ref();
        if p.is_dir() {
            match toml_files(p) {
                Ok(files) if files.is_empty() => io.push(Diagnostic::new(
                    p,
                    None,
                    ProblemKind::Io,
                    "no .toml files in this directory",
                )),
                Ok(files) => {
                    for f in files {
                        read_source(&f, &mut sources, &mut io);
                    }
                }
                Err(e) => io.push(Diagnostic::new(
                    p,
                    None,
                    ProblemKind::Io,
                    format!("cannot list directory: {e}"),
                )),
            }
        } else {
            read_source(p, &mut sources, &mut io);
        }
    }
    (sources, io)
}

/// A loaded set, unless a file could not be read (then every problem).
fn finish(loaded: Result<RuleSet>, mut io: Vec<Diagnostic>) -> Result<RuleSet> {
    match loaded {
        Ok(set) if io.is_empty() => Ok(set),
        Ok(_) => Err(Error::new(io)),
        Err(e) => {
            io.extend(e.into_diagnostics());
            Err(Error::new(io))
        }
    }
}

/// The `*.toml` files of a directory, sorted.
pub(crate) fn toml_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == "toml") && path.is_file() {
            out.push(path);
        }
    }
    out.sort();
    Ok(out)
}

fn read_source(p: &Path, sources: &mut Vec<(PathBuf, String)>, io: &mut Vec<Diagnostic>) {
    match fs::read(p) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => sources.push((p.to_path_buf(), text)),
            Err(e) => {
                let pos = Position::from_offset(
                    &String::from_utf8_lossy(e.as_bytes()),
                    e.utf8_error().valid_up_to(),
                );
                io.push(Diagnostic::new(
                    p,
                    Some(pos),
                    ProblemKind::Io,
                    "the file is not UTF-8 text",
                ));
            }
        },
        Err(e) => io.push(Diagnostic::new(
            p,
            None,
            ProblemKind::Io,
            format!("cannot read: {e}"),
        )),
    }
}

fn read_file(path: PathBuf, text: String) -> FileRead {
    let mut document = None;
    let mut roles = Vec::new();
    let mut rules = Vec::new();
    let mut uses = Uses::default();
    let diags = {
        let mut cx = FileCx::new(&path, &text);
        if let Some(root) = cx.parse() {
            let top = reader::top_level(
                &mut cx,
                root.get_ref(),
                &[
                    ("document", Shape::Table),
                    ("role", Shape::ArrayOfTables),
                    ("rule", Shape::ArrayOfTables),
                ],
            );
            let mut doc_info: Option<(String, String)> = None;
            for (key, value) in &top {
                if let ("document", DeValue::Table(t)) = (*key, value.get_ref()) {
                    document = read_document(&mut cx, t, value.span());
                    doc_info = document
                        .as_ref()
                        .map(|d| (d.file.clone(), d.vendor.clone()));
                }
            }
            if !root.get_ref().contains_key("document") {
                cx.report(
                    0,
                    ProblemKind::MissingKey,
                    "the file has no [document] table (file, vendor, title)",
                );
            }
            let (doc_file, vendor) = doc_info.unwrap_or_default();
            for (key, value) in &top {
                match *key {
                    "role" => {
                        for (t, span) in reader::tables(value) {
                            if let Some(r) = read_role(&mut cx, t, span) {
                                roles.push(r);
                            }
                        }
                    }
                    "rule" => {
                        for (t, span) in reader::tables(value) {
                            if let Some(r) =
                                read_rule(&mut cx, t, span, &doc_file, &vendor, &mut uses)
                            {
                                rules.push(r);
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        cx.diags
    };
    FileRead {
        lines: LineIndex::new(&text),
        path,
        text,
        diags,
        document,
        roles,
        rules,
        uses,
    }
}

fn origin(cx: &FileCx<'_>, offset: usize) -> Origin {
    Origin {
        path: cx.path.to_path_buf(),
        position: cx.position(offset),
    }
}

fn read_document(
    cx: &mut FileCx<'_>,
    t: &toml::de::DeTable<'_>,
    span: Range<usize>,
) -> Option<Document> {
    let raw: RawDocument = reader::read_table(cx, "[document]", t, span.clone())?;
    let at = span.start;
    let file = reader::required_str(cx, raw.file, "file", "[document]", at);
    let vendor = reader::required_str(cx, raw.vendor, "vendor", "[document]", at);
    let title = reader::required_str(cx, raw.title, "title", "[document]", at);
    if let Some(f) = &file {
        let name = f.get_ref();
        let bare = !name.contains(['/', '\\'])
            && name != "."
            && name != ".."
            && name.trim() == name
            && !name.contains(char::is_control);
        if !bare {
            cx.report(
                f.span().start,
                ProblemKind::BadDocumentFile,
                format!(
                    "`file` must be the document's bare file name (like `002_615c4775d6f19aa4.txt`), found `{name}`"
                ),
            );
            return None;
        }
    }
    let (file, vendor, title) = (file?, vendor?, title?);
    Some(Document {
        file_position: cx.position(file.span().start),
        file: file.into_inner(),
        vendor: vendor.into_inner(),
        title: title.into_inner(),
        origin: origin(cx, at),
    })
}

fn read_role(
    cx: &mut FileCx<'_>,
    t: &toml::de::DeTable<'_>,
    span: Range<usize>,
) -> Option<PendingRole> {
    let raw: RawRole = reader::read_table(cx, "[[role]]", t, span.clone())?;
    let id = reader::required_str(cx, raw.id, "id", "[[role]]", span.start);
    let name = reader::required_str(cx, raw.name, "name", "[[role]]", span.start);
    let id = id?;
    let id_offset = id.span().start;
    let text = id.get_ref();
    if let Some(problem) = reader::id_problem(text) {
        cx.report(
            id_offset,
            ProblemKind::BadId,
            format!("role id `{text}` {problem}"),
        );
        return None;
    }
    if BUILTIN_ROLES.iter().any(|(b, _)| b == text) {
        cx.report(
            id_offset,
            ProblemKind::BuiltinRoleRedeclared,
            format!("role `{text}` is built in; use it without declaring it"),
        );
        return None;
    }
    if !text.contains('.') {
        cx.report(
            id_offset,
            ProblemKind::BadId,
            format!(
                "role id `{text}` has no vendor prefix; write it like `extron.{text}` (built-in roles have none)"
            ),
        );
        return None;
    }
    Some(PendingRole {
        role: Role {
            id: id.into_inner(),
            name: name?.into_inner(),
            origin: Some(origin(cx, span.start)),
        },
        id_offset,
    })
}

/// Reads a port spec value, reporting problems at their exact offsets.
fn read_ports(cx: &mut FileCx<'_>, v: Spanned<RawPorts>) -> Option<PortSpec> {
    let span = v.span();
    match v.into_inner() {
        RawPorts::Number(n) => match PortSpec::from_integer(n) {
            Ok(s) => Some(s),
            Err(e) => {
                cx.report(span.start, e.kind, e.reason);
                None
            }
        },
        RawPorts::Text(s) => match PortSpec::parse(&s) {
            Ok(spec) => Some(spec),
            Err(errors) => {
                for e in errors {
                    let at = cx.offset_in_string(&span, &s, e.offset);
                    cx.report(at, e.kind, e.reason);
                }
                None
            }
        },
    }
}

/// Reads a word value (transport, direction, requirement).
fn read_word<T>(
    cx: &mut FileCx<'_>,
    v: Option<Spanned<String>>,
    key: &str,
    what: &str,
    at: usize,
    parse: impl Fn(&str) -> Option<T>,
    allowed: &[&str],
) -> Option<T> {
    let v = reader::required_str(cx, v, key, what, at)?;
    let text = v.get_ref();
    match parse(text) {
        Some(t) => Some(t),
        None => {
            let hint = suggest::did_you_mean(&text.to_lowercase(), allowed.iter().copied());
            let list: Vec<String> = allowed.iter().map(|a| format!("`{a}`")).collect();
            cx.report(
                v.span().start,
                ProblemKind::BadValue,
                format!(
                    "`{key}` must be one of {}, found `{text}`{hint}",
                    list.join(", ")
                ),
            );
            None
        }
    }
}

fn read_rule(
    cx: &mut FileCx<'_>,
    t: &toml::de::DeTable<'_>,
    span: Range<usize>,
    document: &str,
    vendor: &str,
    uses: &mut Uses,
) -> Option<PendingRule> {
    let raw: RawRule = reader::read_table(cx, "[[rule]]", t, span.clone())?;
    for role in [&raw.source_role, &raw.destination_role]
        .into_iter()
        .flatten()
    {
        uses.roles.push((role.get_ref().clone(), role.span().start));
    }
    let at = span.start;
    let what = match &raw.id {
        Some(id) => format!("rule `{}`", id.get_ref()),
        None => "[[rule]]".to_string(),
    };
    let w = what.as_str();

    let id = reader::required_str(cx, raw.id, "id", w, at);
    let id = id.and_then(|id| match reader::id_problem(id.get_ref()) {
        Some(problem) => {
            cx.report(
                id.span().start,
                ProblemKind::BadId,
                format!("rule id `{}` {problem}", id.get_ref()),
            );
            None
        }
        None => Some(id),
    });
    if let Some(id) = &id {
        uses.rule_ids.push((id.get_ref().clone(), id.span().start));
    }
    let product = reader::required_str(cx, raw.product, "product", w, at);
    let section = reader::required_str(cx, raw.section, "section", w, at);
    let source_role = reader::required_str(cx, raw.source_role, "source_role", w, at);
    let source_ports = match raw.source_ports {
        Some(v) => read_ports(cx, v),
        None => Some(PortSpec::Any),
    };
    let destination_role =
        reader::required_str(cx, raw.destination_role, "destination_role", w, at);
    let destination_ports = match raw.destination_ports {
        Some(v) => read_ports(cx, v),
        None => {
            cx.missing(at, "destination_ports", w);
            None
        }
    };
    let transport = read_word(
        cx,
        raw.transport,
        "transport",
        w,
        at,
        Transports::parse,
        &["tcp", "udp", "tcp;udp"],
    );
    let directions: Vec<&str> = Direction::names().collect();
    let direction = read_word(
        cx,
        raw.direction,
        "direction",
        w,
        at,
        Direction::parse,
        &directions,
    );
    let service = reader::required_str(cx, raw.service, "service", w, at);
    let requirements: Vec<&str> = Requirement::names().collect();
    let requirement = read_word(
        cx,
        raw.requirement,
        "requirement",
        w,
        at,
        Requirement::parse,
        &requirements,
    );
    let condition = reader::non_empty(cx, raw.condition, "condition");
    let correction = reader::non_empty(cx, raw.correction, "correction");
    let note = reader::non_empty(cx, raw.note, "note");
    let confidence = match raw.confidence {
        None => Some(Confidence::Reading),
        Some(v) => {
            let words: Vec<&str> = Confidence::names().collect();
            let c = read_word(cx, Some(v), "confidence", w, at, Confidence::parse, &words);
            if c == Some(Confidence::Guess) && correction.is_none() {
                cx.report(
                    at,
                    ProblemKind::MissingKey,
                    format!("{w} has `confidence = \"guess\"` but no `correction`; say what the document says and what the rule makes of it"),
                );
                None
            } else {
                c
            }
        }
    };
    let quote = reader::required_str(cx, raw.quote, "quote", w, at);

    let mut groups_ok = true;
    let mut groups = Vec::new();
    if let Some(list) = raw.multicast_groups {
        if list.get_ref().is_empty() {
            cx.report(
                list.span().start,
                ProblemKind::EmptyValue,
                "`multicast_groups` is empty; leave the key out for a unicast rule",
            );
            groups_ok = false;
        }
        for g in list.into_inner() {
            let gspan = g.span();
            match Group::parse(g.get_ref()) {
                Ok(group) => groups.push(group),
                Err(e) => {
                    let at = cx.offset_in_string(&gspan, g.get_ref(), e.offset);
                    cx.report(at, e.kind, e.reason);
                    groups_ok = false;
                }
            }
        }
    }
    let flag = |v: &Option<Spanned<bool>>| v.as_ref().is_some_and(|b| *b.get_ref());
    let broadcast = flag(&raw.broadcast);
    let rtp_pairing = flag(&raw.rtp_pairing);
    let configurable = flag(&raw.configurable);
    let mut flags_ok = true;
    if broadcast && !groups.is_empty() {
        if let Some(b) = &raw.broadcast {
            cx.report(
                b.span().start,
                ProblemKind::BroadcastAndMulticast,
                format!("{w} has both `broadcast = true` and `multicast_groups`; a flow goes to one or the other"),
            );
        }
        flags_ok = false;
    }
    if rtp_pairing && transport == Some(Transports::Tcp) {
        if let Some(r) = &raw.rtp_pairing {
            cx.report(
                r.span().start,
                ProblemKind::RtpPairingWithoutUdp,
                format!("{w} has `rtp_pairing = true` but `transport = \"tcp\"`; RTP/RTCP port pairing applies to UDP"),
            );
        }
        flags_ok = false;
    }

    let id = id?;
    let source_role = source_role?;
    let destination_role = destination_role?;
    let quote = quote?;
    if !(groups_ok && flags_ok) {
        return None;
    }
    Some(PendingRule {
        rule: Rule {
            id: id.into_inner(),
            document: document.to_string(),
            vendor: vendor.to_string(),
            product: product?.into_inner(),
            section: section?.into_inner(),
            source_role: source_role.into_inner(),
            source_ports: source_ports?,
            destination_role: destination_role.into_inner(),
            destination_ports: destination_ports?,
            transport: transport?,
            direction: direction?,
            service: service?.into_inner(),
            requirement: requirement?,
            condition: condition.map(Spanned::into_inner),
            multicast_groups: groups,
            broadcast,
            rtp_pairing,
            configurable,
            quote_position: cx.position(quote.span().start),
            quote: quote.into_inner(),
            correction: correction.map(Spanned::into_inner),
            note: note.map(Spanned::into_inner),
            confidence: confidence?,
            origin: origin(cx, at),
            source_ref: RoleRef::ANY,
            destination_ref: RoleRef::ANY,
        },
    })
}

/// Checks across files (duplicate ids and documents, role references) and
/// builds the set when nothing is wrong.
fn cross_check(files: &mut [FileRead]) -> Result<RuleSet> {
    let mut roles: Vec<Role> = BUILTIN_ROLES
        .iter()
        .map(|(id, name)| Role {
            id: (*id).to_string(),
            name: (*name).to_string(),
            origin: None,
        })
        .collect();
    let mut role_index: HashMap<String, RoleRef> = roles
        .iter()
        .enumerate()
        .map(|(i, r)| (r.id.clone(), RoleRef(i as u16)))
        .collect();

    // Declared roles, first declaration wins.
    for file in files.iter_mut() {
        let pending = std::mem::take(&mut file.roles);
        for p in pending {
            if let Some(&r) = role_index.get(&p.role.id) {
                let first = roles[r.index()]
                    .origin
                    .as_ref()
                    .map_or_else(String::new, |o| format!(" at {o}"));
                file.report(
                    p.id_offset,
                    ProblemKind::DuplicateRoleId,
                    format!("role `{}` is already declared{first}", p.role.id),
                );
                continue;
            }
            if roles.len() >= usize::from(u16::MAX) {
                file.report(
                    p.id_offset,
                    ProblemKind::BadId,
                    "too many roles (at most 65535)".to_string(),
                );
                continue;
            }
            role_index.insert(p.role.id.clone(), RoleRef(roles.len() as u16));
            roles.push(p.role);
        }
    }

    // Documents: one rule file per document.
    let mut documents: Vec<Document> = Vec::new();
    for f in files.iter_mut() {
        if let Some(d) = f.document.take() {
            if let Some(first) = documents.iter().find(|x| x.file == d.file) {
                let reason = format!(
                    "document `{}` is already covered by {}; one rule file per document",
                    d.file,
                    first.origin.path.display()
                );
                let p = Some(d.file_position);
                f.diags.push(Diagnostic::new(
                    &f.path,
                    p,
                    ProblemKind::DuplicateDocument,
                    reason,
                ));
                continue;
            }
            documents.push(d);
        }
    }

    // Rule ids: unique across files (checked for every rule, valid or not).
    let mut first_id: HashMap<String, Origin> = HashMap::new();
    for f in files.iter_mut() {
        let ids = std::mem::take(&mut f.uses.rule_ids);
        for (id, offset) in ids {
            let here = Origin {
                path: f.path.clone(),
                position: f.position(offset),
            };
            match first_id.get(&id) {
                Some(first) => {
                    let reason = format!("rule id `{id}` is already used at {first}");
                    f.report(offset, ProblemKind::DuplicateRuleId, reason);
                }
                None => {
                    first_id.insert(id, here);
                }
            }
        }
    }

    // Role references: declared somewhere or built in.
    let role_ids: Vec<String> = roles.iter().map(|r| r.id.clone()).collect();
    for f in files.iter_mut() {
        let used = std::mem::take(&mut f.uses.roles);
        for (name, offset) in used {
            if !role_index.contains_key(&name) {
                let hint = suggest::did_you_mean(&name, role_ids.iter().map(String::as_str));
                f.report(
                    offset,
                    ProblemKind::UnknownRole,
                    format!(
                        "unknown role `{name}`{hint}; declare it in a [[role]] table or use a built-in role"
                    ),
                );
            }
        }
    }

    let mut diags = Vec::new();
    for f in files.iter_mut() {
        let mut d = std::mem::take(&mut f.diags);
        d.sort_by_key(|d| d.position);
        diags.extend(d);
    }
    if !diags.is_empty() {
        return Err(Error::new(diags));
    }
    // Nothing is wrong: every id is unique and every role resolves.
    let mut rules: Vec<Rule> = Vec::new();
    let mut rule_index: HashMap<String, usize> = HashMap::new();
    for f in files.iter_mut() {
        for p in std::mem::take(&mut f.rules) {
            let mut rule = p.rule;
            match (
                role_index.get(&rule.source_role),
                role_index.get(&rule.destination_role),
            ) {
                (Some(&s), Some(&d)) => {
                    rule.source_ref = s;
                    rule.destination_ref = d;
                }
                // Unreachable: every role a valid rule uses was checked above.
                _ => {
                    return Err(Error::new(vec![Diagnostic::new(
                        &rule.origin.path,
                        Some(rule.origin.position),
                        ProblemKind::UnknownRole,
                        format!("rule `{}` names an unknown role", rule.id),
                    )]))
                }
            }
            rule_index.insert(rule.id.clone(), rules.len());
            rules.push(rule);
        }
    }
    Ok(RuleSet {
        files: files.iter().map(|f| f.path.clone()).collect(),
        documents,
        roles,
        rules,
        role_index,
        rule_index,
    })
}

/// Folds every run of whitespace to one space and trims the ends.
pub fn fold_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether `quote` appears in `document`, comparing with whitespace runs folded
/// to one space on both sides.
pub fn quote_in_document(document: &str, quote: &str) -> bool {
    fold_whitespace(document).contains(&fold_whitespace(quote))
}

impl RuleSet {
    /// Checks the rules against the source documents in `dir`: each rule
    /// file's document must be there and each quote must be in its document
    /// (whitespace runs folded). Gives the problems found (empty: all good).
    pub fn check_documents(&self, dir: &Path) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let mut texts: HashMap<&str, Option<String>> = HashMap::new();
        for d in &self.documents {
            let path = dir.join(&d.file);
            let text = fs::read_to_string(&path).ok().map(|t| fold_whitespace(&t));
            if text.is_none() {
                out.push(Diagnostic::new(
                    &d.origin.path,
                    Some(d.file_position),
                    ProblemKind::DocumentNotFound,
                    format!("document `{}` is not in {}", d.file, dir.display()),
                ));
            }
            texts.insert(d.file.as_str(), text);
        }
        for r in &self.rules {
            if let Some(Some(text)) = texts.get(r.document.as_str()) {
                if !text.contains(&fold_whitespace(&r.quote)) {
                    out.push(Diagnostic::new(
                        &r.origin.path,
                        Some(r.quote_position),
                        ProblemKind::QuoteNotFound,
                        format!("the quote of rule `{}` is not in {}", r.id, r.document),
                    ));
                }
            }
        }
        out.sort_by(|a, b| (&a.path, a.position).cmp(&(&b.path, b.position)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_whitespace_folds_runs_and_trims() {
        assert_eq!(
            fold_whitespace(" 53\tUDP \n Both\t\tDNS "),
            "53 UDP Both DNS"
        );
        assert!(quote_in_document(
            "Port\tProtocol\n53\tUDP\tBoth\tDNS\tDNS service\n",
            "53 UDP Both DNS DNS service"
        ));
        assert!(!quote_in_document("53\tUDP", "53 TCP"));
    }

    #[test]
    fn raw_rule_fields_are_the_documented_keys() {
        // The keys of docs/rules.md's [[rule]] table, in its order.
        let documented = [
            "id",
            "product",
            "section",
            "source_role",
            "source_ports",
            "destination_role",
            "destination_ports",
            "transport",
            "direction",
            "service",
            "requirement",
            "condition",
            "multicast_groups",
            "broadcast",
            "rtp_pairing",
            "configurable",
            "quote",
            "correction",
            "note",
            "confidence",
        ];
        assert_eq!(reader::fields_of::<RawRule>(), &documented);
        assert_eq!(
            reader::fields_of::<RawDocument>(),
            &["file", "vendor", "title"]
        );
        assert_eq!(reader::fields_of::<RawRole>(), &["id", "name"]);
    }
}

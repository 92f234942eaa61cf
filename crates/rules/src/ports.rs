//! Port specs: `any`, a named ephemeral range, `N`, `A-B`, or a `;` list of those.

use std::fmt;

use crate::error::ProblemKind;
use crate::suggest;

/// An inclusive range of ports, `low ≤ high`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PortRange {
    /// First port of the range.
    pub low: u16,
    /// Last port of the range (inclusive).
    pub high: u16,
}

impl PortRange {
    /// The range `low..=high`; `None` when `low > high`.
    pub fn new(low: u16, high: u16) -> Option<PortRange> {
        (low <= high).then_some(PortRange { low, high })
    }

    /// A range of one port.
    pub fn single(port: u16) -> PortRange {
        PortRange {
            low: port,
            high: port,
        }
    }

    /// Whether `port` is in the range.
    #[inline]
    pub fn contains(&self, port: u16) -> bool {
        self.low <= port && port <= self.high
    }

    /// How far `port` is from the range (0 inside it).
    pub fn distance(&self, port: u16) -> u16 {
        if port < self.low {
            self.low - port
        } else {
            port.saturating_sub(self.high)
        }
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.low == self.high {
            write!(f, "{}", self.low)
        } else {
            write!(f, "{}-{}", self.low, self.high)
        }
    }
}

/// A named range of ports a rule may refer to by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NamedRange {
    /// `ephemeral`: 1024-65535, for documents that only say "ephemeral".
    Ephemeral,
    /// `ephemeral-linux`: 32768-61000.
    EphemeralLinux,
    /// `ephemeral-windows`: 49152-65535 (Windows Vista / Server 2008 and later).
    EphemeralWindows,
    /// `ephemeral-windows-old`: 1025-5000 (Windows XP / Server 2003 and earlier).
    EphemeralWindowsOld,
    /// `iana-dynamic`: 49152-65535 (RFC 6335 dynamic/private ports).
    IanaDynamic,
}

impl NamedRange {
    /// Every named range, in the order of the docs.
    pub const ALL: [NamedRange; 5] = [
        NamedRange::Ephemeral,
        NamedRange::EphemeralLinux,
        NamedRange::EphemeralWindows,
        NamedRange::EphemeralWindowsOld,
        NamedRange::IanaDynamic,
    ];

    /// The name used in rule files.
    pub fn name(self) -> &'static str {
        match self {
            NamedRange::Ephemeral => "ephemeral",
            NamedRange::EphemeralLinux => "ephemeral-linux",
            NamedRange::EphemeralWindows => "ephemeral-windows",
            NamedRange::EphemeralWindowsOld => "ephemeral-windows-old",
            NamedRange::IanaDynamic => "iana-dynamic",
        }
    }

    /// The ports the name stands for.
    pub fn range(self) -> PortRange {
        let (low, high) = match self {
            NamedRange::Ephemeral => (1024, 65535),
            NamedRange::EphemeralLinux => (32768, 61000),
            NamedRange::EphemeralWindows => (49152, 65535),
            NamedRange::EphemeralWindowsOld => (1025, 5000),
            NamedRange::IanaDynamic => (49152, 65535),
        };
        PortRange { low, high }
    }

    /// The named range called `name`, if there is one.
    pub fn from_name(name: &str) -> Option<NamedRange> {
        NamedRange::ALL.into_iter().find(|n| n.name() == name)
    }
}

impl fmt::Display for NamedRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One item of a port list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PortItem {
    /// `N` or `A-B`.
    Range(PortRange),
    /// A named range such as `ephemeral-linux`.
    Named(NamedRange),
}

impl PortItem {
    /// The ports of the item.
    pub fn range(&self) -> PortRange {
        match *self {
            PortItem::Range(r) => r,
            PortItem::Named(n) => n.range(),
        }
    }
}

impl fmt::Display for PortItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PortItem::Range(r) => r.fmt(f),
            PortItem::Named(n) => n.fmt(f),
        }
    }
}

/// The ports of one side of a rule.
///
/// Displays in the rule-file syntax: `any`, `5060`, `1024-1324`,
/// `3336;3338;16384-16984`, `ephemeral-linux`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PortSpec {
    /// Every port, 0-65535.
    Any,
    /// A non-empty list of ports, ranges and named ranges, without overlaps.
    List(Vec<PortItem>),
}

impl PortSpec {
    /// Whether `port` is one of the spec's ports.
    #[inline]
    pub fn contains(&self, port: u16) -> bool {
        match self {
            PortSpec::Any => true,
            PortSpec::List(items) => items.iter().any(|i| i.range().contains(port)),
        }
    }

    /// The port ranges of the spec (named ranges resolved), in written order.
    pub fn ranges(&self) -> Vec<PortRange> {
        self.range_iter().collect()
    }

    /// [`PortSpec::ranges`] without allocating.
    pub fn range_iter(&self) -> impl Iterator<Item = PortRange> + '_ {
        let (any, items) = match self {
            PortSpec::Any => (
                Some(PortRange {
                    low: 0,
                    high: u16::MAX,
                }),
                &[][..],
            ),
            PortSpec::List(items) => (None, &items[..]),
        };
        any.into_iter().chain(items.iter().map(PortItem::range))
    }

    /// How many ports the spec covers (65536 for `any`). Validated specs
    /// have no overlaps, so this is the sum of the ranges' sizes.
    pub fn port_count(&self) -> u32 {
        self.range_iter()
            .map(|r| u32::from(r.high) - u32::from(r.low) + 1)
            .sum()
    }

    /// How far `port` is from the nearest port of the spec (0 if it is one).
    pub fn distance(&self, port: u16) -> u16 {
        self.range_iter()
            .map(|r| r.distance(port))
            .min()
            .unwrap_or(u16::MAX)
    }

    /// Parses a port spec; every problem is reported with the byte offset in
    /// `text` where it starts.
    pub fn parse(text: &str) -> Result<PortSpec, Vec<SpecError>> {
        let trimmed = text.trim();
        if trimmed.is_empty() {
            return Err(vec![SpecError::new(
                0,
                ProblemKind::BadPortSpec,
                "empty port spec; write `any`, a port, a range or a list",
            )]);
        }
        if trimmed == "any" {
            return Ok(PortSpec::Any);
        }
        let mut errors = Vec::new();
        let mut items: Vec<(usize, &str, PortItem)> = Vec::new();
        let mut start = 0;
        for raw in text.split(';') {
            let item_offset = start + (raw.len() - raw.trim_start().len());
            start += raw.len() + 1;
            let item = raw.trim();
            match parse_item(item, item_offset) {
                Ok(parsed) => items.push((item_offset, item, parsed)),
                Err(mut e) => errors.append(&mut e),
            }
        }
        // Overlaps: sort by range and compare neighbours, reporting the later item.
        let mut sorted: Vec<&(usize, &str, PortItem)> = items.iter().collect();
        sorted.sort_by_key(|(off, _, item)| (item.range(), *off));
        for pair in sorted.windows(2) {
            let (a_off, a_text, a) = pair[0];
            let (b_off, b_text, b) = pair[1];
            if b.range().low <= a.range().high {
                let (first, later_off, later) = if a_off < b_off {
                    (a_text, *b_off, b_text)
                } else {
                    (b_text, *a_off, a_text)
                };
                errors.push(SpecError::new(
                    later_off,
                    ProblemKind::OverlappingPorts,
                    format!("`{later}` overlaps `{first}` in the same port list"),
                ));
            }
        }
        if errors.is_empty() {
            Ok(PortSpec::List(
                items.into_iter().map(|(_, _, i)| i).collect(),
            ))
        } else {
            errors.sort_by_key(|e| e.offset);
            Err(errors)
        }
    }

    /// A spec from a TOML integer (`destination_ports = 5060`).
    pub fn from_integer(value: i64) -> Result<PortSpec, SpecError> {
        match u16::try_from(value) {
            Ok(p) => Ok(PortSpec::List(vec![PortItem::Range(PortRange::single(p))])),
            Err(_) => Err(SpecError::new(
                0,
                ProblemKind::PortOutOfRange,
                format!("port {value} is outside 0-65535"),
            )),
        }
    }
}

impl fmt::Display for PortSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PortSpec::Any => f.write_str("any"),
            PortSpec::List(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(";")?;
                    }
                    item.fmt(f)?;
                }
                Ok(())
            }
        }
    }
}

/// A problem in a port spec or group list, at a byte offset of the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// Byte offset in the spec text where the offending part starts.
    pub offset: usize,
    /// The kind of problem.
    pub kind: ProblemKind,
    /// What is wrong.
    pub reason: String,
}

impl SpecError {
    pub(crate) fn new(offset: usize, kind: ProblemKind, reason: impl Into<String>) -> SpecError {
        SpecError {
            offset,
            kind,
            reason: reason.into(),
        }
    }
}

fn parse_item(item: &str, offset: usize) -> Result<PortItem, Vec<SpecError>> {
    if item.is_empty() {
        return Err(vec![SpecError::new(
            offset,
            ProblemKind::BadPortSpec,
            "empty item in port list",
        )]);
    }
    if item.starts_with(|c: char| c.is_ascii_alphabetic()) {
        if item == "any" {
            return Err(vec![SpecError::new(
                offset,
                ProblemKind::BadPortSpec,
                "`any` stands alone; it cannot be part of a list",
            )]);
        }
        return match NamedRange::from_name(item) {
            Some(n) => Ok(PortItem::Named(n)),
            None => {
                let names: Vec<&str> = NamedRange::ALL.iter().map(|n| n.name()).collect();
                let hint = suggest::did_you_mean(item, names.iter().copied());
                Err(vec![SpecError::new(
                    offset,
                    ProblemKind::UnknownNamedRange,
                    format!(
                        "`{item}` is not a named port range{hint}; names are {}",
                        names.join(", ")
                    ),
                )])
            }
        };
    }
    match item.split_once('-') {
        Some((lo, hi)) => {
            let hi_offset = offset + lo.len() + 1 + (hi.len() - hi.trim_start().len());
            let lo_v = parse_number(lo.trim_end(), offset);
            let hi_v = parse_number(hi.trim(), hi_offset);
            match (lo_v, hi_v) {
                (Ok(l), Ok(h)) if l > h => Err(vec![SpecError::new(
                    offset,
                    ProblemKind::ReversedPortRange,
                    format!("range `{item}` has its low end above its high end"),
                )]),
                (Ok(l), Ok(h)) => Ok(PortItem::Range(PortRange { low: l, high: h })),
                (l, h) => Err(l.err().into_iter().chain(h.err()).collect()),
            }
        }
        None => parse_number(item, offset)
            .map(|p| PortItem::Range(PortRange::single(p)))
            .map_err(|e| vec![e]),
    }
}

fn parse_number(text: &str, offset: usize) -> Result<u16, SpecError> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        let shown = if text.is_empty() { "(nothing)" } else { text };
        return Err(SpecError::new(
            offset,
            ProblemKind::BadPortSpec,
            format!("`{shown}` is not a port number"),
        ));
    }
    match text.parse::<u64>() {
        Ok(v) if v <= u64::from(u16::MAX) => Ok(v as u16),
        _ => Err(SpecError::new(
            offset,
            ProblemKind::PortOutOfRange,
            format!("port {text} is outside 0-65535"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(spec: &PortSpec) -> Vec<PortItem> {
        match spec {
            PortSpec::Any => vec![],
            PortSpec::List(v) => v.clone(),
        }
    }

    #[test]
    fn parse_accepts_single_range_list_named_and_any() {
        assert_eq!(PortSpec::parse("any").unwrap(), PortSpec::Any);
        assert_eq!(
            items(&PortSpec::parse("5060").unwrap()),
            vec![PortItem::Range(PortRange::single(5060))]
        );
        assert_eq!(
            items(&PortSpec::parse(" 3336; 3338 ;16384 - 16984").unwrap()),
            vec![
                PortItem::Range(PortRange::single(3336)),
                PortItem::Range(PortRange::single(3338)),
                PortItem::Range(PortRange {
                    low: 16384,
                    high: 16984
                }),
            ]
        );
        assert_eq!(
            items(&PortSpec::parse("ephemeral-linux").unwrap()),
            vec![PortItem::Named(NamedRange::EphemeralLinux)]
        );
    }

    #[test]
    fn named_ranges_have_the_documented_bounds() {
        // Values from the issue and docs/rules.md.
        let r = |n: NamedRange| (n.range().low, n.range().high);
        assert_eq!(r(NamedRange::EphemeralLinux), (32768, 61000));
        assert_eq!(r(NamedRange::EphemeralWindows), (49152, 65535));
        assert_eq!(r(NamedRange::EphemeralWindowsOld), (1025, 5000));
        assert_eq!(r(NamedRange::IanaDynamic), (49152, 65535));
        assert_eq!(r(NamedRange::Ephemeral), (1024, 65535));
    }

    #[test]
    fn display_round_trips_the_rule_file_syntax() {
        for text in [
            "any",
            "5060",
            "1024-1324",
            "3336;3338;16384-16984",
            "ephemeral-windows",
        ] {
            assert_eq!(PortSpec::parse(text).unwrap().to_string(), text);
        }
    }

    #[test]
    fn parse_rejects_port_above_65535_at_its_offset() {
        let e = PortSpec::parse("12000-132000").unwrap_err();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].kind, ProblemKind::PortOutOfRange);
        assert_eq!(e[0].offset, 6);
    }

    #[test]
    fn parse_rejects_reversed_range() {
        let e = PortSpec::parse("80;5000-4000").unwrap_err();
        assert_eq!(e[0].kind, ProblemKind::ReversedPortRange);
        assert_eq!(e[0].offset, 3);
    }

    #[test]
    fn parse_reports_every_bad_item() {
        let e = PortSpec::parse("1x;;70000;ephemeral-mac").unwrap_err();
        let kinds: Vec<_> = e.iter().map(|e| (e.kind, e.offset)).collect();
        assert_eq!(
            kinds,
            vec![
                (ProblemKind::BadPortSpec, 0),
                (ProblemKind::BadPortSpec, 3),
                (ProblemKind::PortOutOfRange, 4),
                (ProblemKind::UnknownNamedRange, 10),
            ]
        );
    }

    #[test]
    fn parse_rejects_overlaps_and_any_in_list() {
        let e = PortSpec::parse("5001-5008;5005").unwrap_err();
        assert_eq!(
            (e[0].kind, e[0].offset),
            (ProblemKind::OverlappingPorts, 10)
        );
        let e = PortSpec::parse("80;any").unwrap_err();
        assert_eq!(e[0].kind, ProblemKind::BadPortSpec);
    }

    #[test]
    fn contains_and_distance() {
        let s = PortSpec::parse("80;1000-2000").unwrap();
        assert!(s.contains(80) && s.contains(1000) && s.contains(2000));
        assert!(!s.contains(81) && !s.contains(2001));
        assert_eq!(s.distance(90), 10);
        assert_eq!(s.distance(2005), 5);
        assert_eq!(s.distance(1500), 0);
        assert!(PortSpec::Any.contains(0) && PortSpec::Any.contains(65535));
    }

    #[test]
    fn port_count_sums_the_ranges() {
        assert_eq!(PortSpec::Any.port_count(), 65536);
        assert_eq!(PortSpec::parse("80").unwrap().port_count(), 1);
        assert_eq!(
            PortSpec::parse("3336;3338;16384-16984")
                .unwrap()
                .port_count(),
            603
        );
        assert_eq!(
            PortSpec::parse("ephemeral-linux").unwrap().port_count(),
            28233
        );
    }

    #[test]
    fn from_integer_checks_range() {
        assert!(PortSpec::from_integer(65535).is_ok());
        assert_eq!(
            PortSpec::from_integer(65536).unwrap_err().kind,
            ProblemKind::PortOutOfRange
        );
        assert!(PortSpec::from_integer(-1).is_err());
    }
}

//! Mutation tests: intact captures (synthetic fixtures and real corpus
//! files, pcap and pcapng, several link types) are damaged in every way a
//! capture file gets damaged — cut at every record boundary and inside
//! records, header fields with bits flipped, absurd lengths, wrong magic,
//! packet blocks naming interfaces that do not exist — and each mutant goes
//! through the same pass as `portmatrix check --format json`.
//!
//! The record and block boundaries are computed here from the format
//! descriptions (pcap: 24-octet file header, 16-octet record headers;
//! pcapng: the block lengths), not with the reader under test. For every
//! mutant:
//!
//! - nothing panics; the exit status is 0, 1, 2 or 3; the output is JSON;
//! - every reported error has an offset within the file, at most one error
//!   is fatal and it is the last;
//! - the `packets` count equals the records delivered;
//! - the records delivered are the intact ones: exactly those that end
//!   before a cut; exactly all but the damaged block when pcapng framing
//!   lets the reader resynchronise; at least those before the damage
//!   otherwise (always at an offset where an intact record starts, when
//!   the framing is intact).
//!
//! Most mutants run in-process through the engine API (it is what the
//! command runs, and thousands of process starts would be slow); a
//! representative subset runs through the binary, which must agree.

use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::OnceLock;
use std::time::Instant;

use portmatrix_capture::CaptureReader;
use portmatrix_engine::{Analysis, InputReport, InputSummary, Options, PortSet};
use portmatrix_report::json::JsonReport;
use portmatrix_rules::{Matcher, RuleSet};
use serde_json::Value;

use crate::corpus::{corpus_dir, manifest};
use crate::util::{fixtures_dir, portmatrix};

// ---- the layout of an intact file ------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// The pcap file header.
    Header,
    /// A pcap record.
    Record,
    Shb,
    Idb,
    /// EPB, SPB or obsolete PB.
    Packet,
    /// NRB, ISB, custom, unknown.
    Other,
}

#[derive(Clone, Debug)]
struct Unit {
    start: usize,
    end: usize,
    kind: Kind,
    /// Byte order of the file (pcap) or section (pcapng).
    le: bool,
    /// pcapng block type.
    block_type: u32,
    /// pcapng: interfaces described in the section before this block.
    known_interfaces: u32,
}

#[derive(Clone, Debug)]
struct Layout {
    ng: bool,
    units: Vec<Unit>,
}

const SHB: u32 = 0x0a0d_0d0a;
const EPB: u32 = 6;

fn u32_at(b: &[u8], at: usize, le: bool) -> u32 {
    let w = [b[at], b[at + 1], b[at + 2], b[at + 3]];
    if le {
        u32::from_le_bytes(w)
    } else {
        u32::from_be_bytes(w)
    }
}

fn put_u32(b: &mut [u8], at: usize, le: bool, v: u32) {
    let w = if le { v.to_le_bytes() } else { v.to_be_bytes() };
    b[at..at + 4].copy_from_slice(&w);
}

fn layout(b: &[u8]) -> Layout {
    match b[..4] {
        [0xd4, 0xc3, 0xb2, 0xa1] | [0x4d, 0x3c, 0xb2, 0xa1] => pcap_layout(b, true),
        [0xa1, 0xb2, 0xc3, 0xd4] | [0xa1, 0xb2, 0x3c, 0x4d] => pcap_layout(b, false),
        [0x0a, 0x0d, 0x0d, 0x0a] => pcapng_layout(b),
        _ => panic!("not a capture: magic {:02x?}", &b[..4]),
    }
}

fn unit(start: usize, end: usize, kind: Kind, le: bool) -> Unit {
    Unit {
        start,
        end,
        kind,
        le,
        block_type: 0,
        known_interfaces: 0,
    }
}

fn pcap_layout(b: &[u8], le: bool) -> Layout {
    let mut units = vec![unit(0, 24, Kind::Header, le)];
    let mut o = 24;
    while o < b.len() {
        let caplen = u32_at(b, o + 8, le) as usize;
        units.push(unit(o, o + 16 + caplen, Kind::Record, le));
        o += 16 + caplen;
    }
    assert_eq!(o, b.len(), "records end at the end of the file");
    Layout { ng: false, units }
}

fn pcapng_layout(b: &[u8]) -> Layout {
    let mut units = Vec::new();
    let (mut o, mut le, mut described) = (0, true, 0);
    while o < b.len() {
        let is_shb = b[o..o + 4] == SHB.to_be_bytes();
        if is_shb {
            le = b[o + 8..o + 12] == [0x4d, 0x3c, 0x2b, 0x1a];
            described = 0;
        }
        let t = if is_shb { SHB } else { u32_at(b, o, le) };
        let len = u32_at(b, o + 4, le) as usize;
        let kind = match t {
            SHB => Kind::Shb,
            1 => Kind::Idb,
            2 | 3 | 6 => Kind::Packet,
            _ => Kind::Other,
        };
        units.push(Unit {
            start: o,
            end: o + len,
            kind,
            le,
            block_type: t,
            known_interfaces: described,
        });
        if kind == Kind::Idb {
            described += 1;
        }
        o += len;
    }
    assert_eq!(o, b.len(), "blocks end at the end of the file");
    Layout { ng: true, units }
}

impl Layout {
    fn packets(&self) -> Vec<u64> {
        self.units
            .iter()
            .filter(|u| matches!(u.kind, Kind::Record | Kind::Packet))
            .map(|u| u.start as u64)
            .collect()
    }

    /// Packet records that end at or before `cut`.
    fn packets_within(&self, cut: usize) -> Vec<u64> {
        self.units
            .iter()
            .filter(|u| matches!(u.kind, Kind::Record | Kind::Packet) && u.end <= cut)
            .map(|u| u.start as u64)
            .collect()
    }

    fn packets_before(&self, at: usize) -> Vec<u64> {
        self.packets()
            .into_iter()
            .filter(|&p| (p as usize) < at)
            .collect()
    }

    fn packets_except(&self, at: usize) -> Vec<u64> {
        self.packets()
            .into_iter()
            .filter(|&p| p as usize != at)
            .collect()
    }

    fn starts(&self) -> BTreeSet<u64> {
        self.units.iter().map(|u| u.start as u64).collect()
    }

    /// The header (pcap) or first section header (pcapng).
    fn first(&self) -> &Unit {
        &self.units[0]
    }

    fn has(&self, block_type: u32) -> bool {
        self.units.iter().any(|u| u.block_type == block_type)
    }
}

// ---- running a mutant ------------------------------------------------------

/// What one pass gave: the exit status `check` would give, the JSON
/// document, and the file offsets of the records delivered.
struct Outcome {
    exit: u8,
    doc: Value,
    delivered: Vec<u64>,
}

fn rules() -> &'static (Matcher, PortSet) {
    static R: OnceLock<(Matcher, PortSet)> = OnceLock::new();
    R.get_or_init(|| {
        let m = Matcher::new(&RuleSet::builtin().expect("built-in rules"));
        let p = PortSet::from_rules(m.rule_set());
        (m, p)
    })
}

/// The pass of `portmatrix check --format json` (`crates/cli/src/check.rs`)
/// over in-memory bytes.
fn analyse(bytes: &[u8]) -> Result<Outcome, String> {
    let (matcher, services) = rules();
    let options = Options {
        shards: 1,
        services: Box::new(services.clone()),
        ..Options::default()
    };
    let mut json = JsonReport::new(Vec::new()).map_err(|e| e.to_string())?;
    json.begin_input().map_err(|e| e.to_string())?;
    let mut delivered = Vec::new();
    let report = match CaptureReader::new(bytes) {
        Ok(mut reader) => {
            let mut a = Analysis::new("mutant", options, matcher, None, &mut json);
            while let Some(item) = reader.next_record() {
                match item {
                    Ok(rec) => {
                        delivered.push(rec.file_offset);
                        a.observe(&rec);
                    }
                    Err(e) => a.read_error(&e),
                }
            }
            a.finish(&reader).map_err(|e| e.to_string())?.report
        }
        Err(e) => InputReport::unreadable(InputSummary::unreadable("mutant", &e)),
    };
    json.end_input(&report).map_err(|e| e.to_string())?;
    let text = json.finish().map_err(|e| e.to_string())?;
    let exit = if report.input.format.is_none() {
        2
    } else if report.nothing_analysed.is_some() {
        // docs/verdicts.md, "Exit status": nothing analysed.
        3
    } else if !report.input.errors.is_empty() || report.summary.has_findings() {
        1
    } else {
        0
    };
    let doc = serde_json::from_slice(&text).map_err(|e| format!("output is not JSON: {e}"))?;
    Ok(Outcome {
        exit,
        doc,
        delivered,
    })
}

#[derive(Clone, Debug)]
enum Expect {
    /// Exit 2: nothing read, one fatal error at offset 0.
    Unreadable,
    /// Exactly these records; `fatal_at`: the last error is fatal, at this
    /// offset, numbered after the delivered records. Without it, no error
    /// is fatal.
    Exact {
        packets: Vec<u64>,
        fatal_at: Option<u64>,
    },
    /// A prefix (possibly empty) of these records, in order (gzip: the
    /// records of the decompressed twin).
    PrefixOf(Vec<u64>),
    /// These records first, then (in any order) at least `required`; any
    /// delivered record starts at one of `allowed` (when the framing is
    /// known to be intact).
    AtLeast {
        packets: Vec<u64>,
        required: Vec<u64>,
        allowed: Option<BTreeSet<u64>>,
    },
}

struct Mutant {
    name: String,
    bytes: Vec<u8>,
    expect: Expect,
    /// Error offsets refer to a decompressed stream: not bounded by the file.
    gzip: bool,
}

/// The checks every mutant must pass.
fn check(m: &Mutant, o: &Outcome) -> Result<(), String> {
    let input = &o.doc["inputs"][0];
    let packets = input["packets"].as_u64().ok_or("no inputs[0].packets")?;
    if packets != o.delivered.len() as u64 || o.doc["summary"]["packets"] != packets {
        return Err(format!(
            "packets {packets} (summary {}) but {} records delivered",
            o.doc["summary"]["packets"],
            o.delivered.len()
        ));
    }
    let errors = input["errors"].as_array().ok_or("no errors array")?;
    for (i, e) in errors.iter().enumerate() {
        let off = e["offset"].as_u64().ok_or("error without offset")?;
        if !m.gzip && off > m.bytes.len() as u64 {
            return Err(format!(
                "error offset {off} beyond the file ({} bytes): {e}",
                m.bytes.len()
            ));
        }
        if e["fatal"] == true && i + 1 != errors.len() {
            return Err(format!("a fatal error is not the last: {e}"));
        }
        if let Some(r) = e["record"].as_u64() {
            if r > packets + 1 {
                return Err(format!("error names record {r} after {packets}: {e}"));
            }
        }
    }
    let in_flows: u64 = input["flows"]
        .as_array()
        .ok_or("no flows")?
        .iter()
        .map(|f| f["packets"].as_u64().unwrap_or(0))
        .sum();
    if in_flows > packets {
        return Err(format!(
            "flows count {in_flows} packets of {packets} delivered"
        ));
    }
    let fatal = errors.last().filter(|e| e["fatal"] == true);
    match &m.expect {
        Expect::Unreadable => {
            let ok = o.exit == 2
                && o.delivered.is_empty()
                && input["format"].is_null()
                && errors.len() == 1
                && errors[0]["offset"] == 0
                && fatal.is_some();
            if !ok {
                return Err(format!(
                    "expected unreadable (exit 2, one fatal error at 0), got exit {}, {} records, errors {}",
                    o.exit,
                    o.delivered.len(),
                    Value::Array(errors.clone())
                ));
            }
        }
        Expect::Exact { packets, fatal_at } => {
            if &o.delivered != packets {
                return Err(format!(
                    "expected records at {packets:?}, got {:?}; errors {}",
                    o.delivered,
                    Value::Array(errors.clone())
                ));
            }
            match (fatal_at, fatal) {
                (None, None) => {}
                (Some(at), Some(e))
                    if e["offset"] == *at
                        && e["record"].as_u64() == Some(o.delivered.len() as u64 + 1) => {}
                _ => {
                    return Err(format!(
                        "expected a fatal error at {fatal_at:?} (record {}), got errors {}",
                        o.delivered.len() + 1,
                        Value::Array(errors.clone())
                    ))
                }
            }
            if o.exit == 2 {
                return Err("exit 2 for a readable file".into());
            }
        }
        Expect::PrefixOf(all) => {
            if !all.starts_with(&o.delivered) {
                return Err(format!(
                    "expected a prefix of {all:?}, got {:?}",
                    o.delivered
                ));
            }
        }
        Expect::AtLeast {
            packets,
            required,
            allowed,
        } => {
            if !o.delivered.starts_with(packets) {
                return Err(format!(
                    "expected the records at {packets:?} first, got {:?}",
                    o.delivered
                ));
            }
            if let Some(miss) = required.iter().find(|p| !o.delivered.contains(p)) {
                return Err(format!(
                    "the intact record at {miss} was not delivered; got {:?}",
                    o.delivered
                ));
            }
            if let Some(allowed) = allowed {
                if let Some(bad) = o.delivered.iter().find(|p| !allowed.contains(p)) {
                    return Err(format!(
                        "a record delivered at {bad}, where no block starts; got {:?}",
                        o.delivered
                    ));
                }
            }
        }
    }
    Ok(())
}

// ---- making mutants --------------------------------------------------------

fn mutant(name: String, bytes: Vec<u8>, expect: Expect) -> Mutant {
    Mutant {
        name,
        bytes,
        expect,
        gzip: false,
    }
}

/// Cuts at every `boundary_every`-th unit boundary, and at a few points
/// inside every `inside_every`-th unit.
fn truncations(
    label: &str,
    b: &[u8],
    l: &Layout,
    boundary_every: usize,
    inside_every: usize,
) -> Vec<Mutant> {
    let first_end = l.first().end;
    let mut out = Vec::new();
    let mut cuts: Vec<(usize, Option<&Unit>)> = vec![(0, None), (1, None), (4, None)];
    cuts.push((first_end - 1, None));
    for (i, u) in l.units.iter().enumerate() {
        if u.end < b.len() && (i % boundary_every == 0 || i < 3) {
            cuts.push((u.end, None));
        }
        if i > 0 && i % inside_every == 0 {
            let len = u.end - u.start;
            let mut inside = vec![1, 7, 12, 16, len - 1, len / 2];
            inside.retain(|&k| k > 0 && k < len);
            inside.sort_unstable();
            inside.dedup();
            for k in inside {
                cuts.push((u.start + k, Some(u)));
            }
        }
    }
    for (cut, inside) in cuts {
        let expect = if cut < first_end {
            Expect::Unreadable
        } else {
            Expect::Exact {
                packets: l.packets_within(cut),
                fatal_at: inside.map(|u| u.start as u64),
            }
        };
        out.push(mutant(
            format!("{label}: cut at {cut}"),
            b[..cut].to_vec(),
            expect,
        ));
    }
    out
}

/// Every single-bit flip of the 32-bit field at `at`, with the expectation
/// each new value gives.
fn flips(
    label: &str,
    what: &str,
    b: &[u8],
    at: usize,
    bits: u32,
    expect: impl Fn(&[u8]) -> Expect,
) -> Vec<Mutant> {
    (0..bits)
        .map(|bit| {
            let mut m = b.to_vec();
            m[at + (bit / 8) as usize] ^= 1 << (bit % 8);
            let e = expect(&m);
            mutant(format!("{label}: {what} at {at}, bit {bit} flipped"), m, e)
        })
        .collect()
}

fn set_u32(b: &[u8], at: usize, le: bool, v: u32) -> Vec<u8> {
    let mut m = b.to_vec();
    put_u32(&mut m, at, le, v);
    m
}

fn all(l: &Layout) -> Expect {
    Expect::Exact {
        packets: l.packets(),
        fatal_at: None,
    }
}

fn at_least(packets: Vec<u64>, l: &Layout) -> Expect {
    Expect::AtLeast {
        packets,
        required: vec![],
        allowed: Some(l.starts()),
    }
}

/// Only the checks every mutant must pass.
fn anything() -> Expect {
    Expect::AtLeast {
        packets: vec![],
        required: vec![],
        allowed: None,
    }
}

fn pcap_mutants(label: &str, b: &[u8], l: &Layout) -> Vec<Mutant> {
    let le = l.first().le;
    let mut out = Vec::new();
    // Magic: no single flip gives another known variant.
    out.extend(flips(label, "magic", b, 0, 32, |_| Expect::Unreadable));
    // Version: below 2 refused; 2.0-2.2 swap caplen and len back (the same
    // records when nothing was snapped); anything else reads as 2.4.
    let snapped = l
        .units
        .iter()
        .filter(|u| u.kind == Kind::Record)
        .any(|u| u32_at(b, u.start + 8, le) != u32_at(b, u.start + 12, le));
    let read16 = |m: &[u8], at: usize| {
        let w = [m[at], m[at + 1]];
        if le {
            u16::from_le_bytes(w)
        } else {
            u16::from_be_bytes(w)
        }
    };
    out.extend(flips(label, "version", b, 4, 32, |m| {
        let (major, minor) = (read16(m, 4), read16(m, 6));
        match (major, minor) {
            (0..=1, _) => Expect::Unreadable,
            (2, 0..=2) | (543, _) if snapped => anything(),
            _ => all(l),
        }
    }));
    // Snaplen and link type change what is decoded, not what is read.
    out.extend(flips(label, "snaplen", b, 16, 32, |_| all(l)));
    out.extend(flips(label, "link type", b, 20, 32, |_| all(l)));
    // Record headers of the first, a middle and the last record.
    let records: Vec<&Unit> = l.units.iter().filter(|u| u.kind == Kind::Record).collect();
    let picks = [0, records.len() / 2, records.len().saturating_sub(1)];
    let mut seen = BTreeSet::new();
    for &i in &picks {
        let Some(r) = records.get(i) else { continue };
        if !seen.insert(r.start) {
            continue;
        }
        let before = l.packets_before(r.start);
        // A wrong caplen misframes everything after it.
        out.extend(flips(label, "caplen", b, r.start + 8, 32, |m| {
            if u32_at(m, r.start + 8, le) > 262_144 {
                Expect::Exact {
                    packets: before.clone(),
                    fatal_at: Some(r.start as u64),
                }
            } else {
                Expect::AtLeast {
                    packets: before.clone(),
                    required: vec![],
                    allowed: None,
                }
            }
        }));
        out.extend(flips(label, "ts_sec", b, r.start, 32, |_| all(l)));
        out.extend(flips(label, "len", b, r.start + 12, 32, |_| all(l)));
        for v in [0x7fff_ffff, 300_000, 0xffff_ffff, 262_145] {
            out.push(mutant(
                format!("{label}: caplen {v} at {}", r.start + 8),
                set_u32(b, r.start + 8, le, v),
                Expect::Exact {
                    packets: before.clone(),
                    fatal_at: Some(r.start as u64),
                },
            ));
        }
    }
    // Wrong magic numbers.
    for (name, magic) in [
        ("pcapng magic", [0x0a, 0x0d, 0x0d, 0x0a]),
        ("zeros", [0, 0, 0, 0]),
        ("text", *b"GET "),
        ("gzip magic without a stream", [0x1f, 0x8b, 0x08, 0x00]),
        ("Kuznetzov magic", [0x34, 0xcd, 0xb2, 0xa1]),
        ("Navtel magic", [0x4d, 0x3c, 0x2b, 0xa1]),
        ("text-mode damaged pcapng magic", [0x0a, 0x0d, 0x0a, 0x0a]),
    ] {
        let mut m = b.to_vec();
        m[..4].copy_from_slice(&magic);
        out.push(mutant(format!("{label}: {name}"), m, Expect::Unreadable));
    }
    // The other byte order: the header no longer makes sense the same way.
    let mut m = b.to_vec();
    m[..4].reverse();
    out.push(mutant(
        format!("{label}: magic of the other byte order"),
        m,
        anything(),
    ));
    out
}

fn pcapng_mutants(label: &str, b: &[u8], l: &Layout) -> Vec<Mutant> {
    let shb = l.first();
    let le = shb.le;
    let spb = l.has(3);
    let mut out = Vec::new();
    // Section header: byte-order magic, version, type, length.
    out.extend(flips(label, "byte-order magic", b, 8, 32, |_| {
        Expect::Unreadable
    }));
    out.extend(flips(label, "version", b, 12, 32, |m| {
        let major = u32_at(m, 12, le);
        let (maj, min) = if le {
            (major & 0xffff, major >> 16)
        } else {
            (major >> 16, major & 0xffff)
        };
        if maj == 1 && (min == 0 || min == 2) {
            all(l)
        } else {
            Expect::Unreadable
        }
    }));
    out.extend(flips(label, "block type", b, 0, 32, |_| Expect::Unreadable));
    for v in [0, 8, 13, 0xffff_ffff] {
        out.push(mutant(
            format!("{label}: section header length {v}"),
            set_u32(b, 4, le, v),
            Expect::Unreadable,
        ));
    }
    // Later blocks: every IDB, and the first, a middle and the last packet
    // block and other block.
    let mut picks: Vec<&Unit> = Vec::new();
    for kind in [Kind::Packet, Kind::Other, Kind::Shb] {
        let of: Vec<&Unit> = l.units[1..].iter().filter(|u| u.kind == kind).collect();
        for i in [0, of.len() / 2, of.len().saturating_sub(1)] {
            if let Some(u) = of.get(i) {
                if !picks.iter().any(|p| p.start == u.start) {
                    picks.push(u);
                }
            }
        }
    }
    picks.extend(l.units.iter().filter(|u| u.kind == Kind::Idb));
    for u in picks {
        let s = u.start;
        let before = l.packets_before(s);
        let what = format!("block {:#x} at {s}", u.block_type);
        // Block type: the framing stays; the block may become another
        // type, lose its interface, or be skipped as unknown.
        out.extend(flips(label, &format!("type of {what}"), b, s, 32, |_| {
            match u.kind {
                // The block may become another known type (and even be
                // read as a packet) or an unknown one; every other packet
                // block is still read.
                Kind::Packet | Kind::Other => Expect::AtLeast {
                    packets: before.clone(),
                    required: if u.kind == Kind::Packet {
                        l.packets_except(s)
                    } else {
                        l.packets()
                    },
                    allowed: Some(l.packets().into_iter().chain([s as u64]).collect()),
                },
                // An IDB lost renumbers the interfaces after it; a section
                // header lost leaves its section in the wrong byte order.
                _ => at_least(before.clone(), l),
            }
        }));
        // Lengths: leading length damaged (absurd values and flips), and
        // the trailing copy. Framing is lost: the reader must resynchronise
        // on the next block; for a packet or other block, everything else
        // is still read.
        let last = u.end == b.len();
        let lost = |kind: Kind| match kind {
            Kind::Packet | Kind::Other => Expect::Exact {
                packets: l.packets_except(s),
                // The last block has no next block to resume at.
                fatal_at: last.then_some(s as u64),
            },
            _ => at_least(before.clone(), l),
        };
        for v in [0, 8, 13, 0xffff_ffff] {
            out.push(mutant(
                format!("{label}: length of {what} = {v}"),
                set_u32(b, s + 4, u.le, v),
                lost(u.kind),
            ));
        }
        out.extend(flips(
            label,
            &format!("length of {what}"),
            b,
            s + 4,
            32,
            |_| lost(u.kind),
        ));
        out.push(mutant(
            format!("{label}: trailing length of {what} + 4"),
            set_u32(b, u.end - 4, u.le, (u.end - u.start + 4) as u32),
            lost(u.kind),
        ));
        if u.kind == Kind::Idb {
            // Link type and snaplen: the packets are still read (an SPB
            // takes its length from the snaplen, so it may not fit).
            let e = if spb { at_least(vec![], l) } else { all(l) };
            out.extend(flips(
                label,
                &format!("link type of {what}"),
                b,
                s + 8,
                16,
                |_| e.clone(),
            ));
            out.extend(flips(
                label,
                &format!("snaplen of {what}"),
                b,
                s + 12,
                32,
                |_| e.clone(),
            ));
        }
        if u.block_type == EPB {
            // Interface ids: an id the section has reads on that
            // interface, any other skips the block alone.
            let known = u.known_interfaces;
            out.extend(flips(
                label,
                &format!("interface id of {what}"),
                b,
                s + 8,
                32,
                |m| {
                    let id = u32_at(m, s + 8, u.le);
                    Expect::Exact {
                        packets: if id < known {
                            l.packets()
                        } else {
                            l.packets_except(s)
                        },
                        fatal_at: None,
                    }
                },
            ));
            for id in [known, known + 7, 0xffff_ffff] {
                out.push(mutant(
                    format!("{label}: interface id {id} in {what}"),
                    set_u32(b, s + 8, u.le, id),
                    Expect::Exact {
                        packets: l.packets_except(s),
                        fatal_at: None,
                    },
                ));
            }
            // Captured lengths the block cannot hold.
            let caplen = u32_at(b, s + 20, u.le);
            for v in [0x7fff_ffff, 300_000, 0xffff_ffff, caplen + 64] {
                out.push(mutant(
                    format!("{label}: caplen {v} in {what}"),
                    set_u32(b, s + 20, u.le, v),
                    Expect::Exact {
                        packets: l.packets_except(s),
                        fatal_at: None,
                    },
                ));
            }
            out.push(mutant(
                format!("{label}: caplen 0 in {what}"),
                set_u32(b, s + 20, u.le, 0),
                all(l),
            ));
        }
    }
    // Wrong magic numbers.
    for (name, magic) in [
        ("pcap magic", [0xd4, 0xc3, 0xb2, 0xa1]),
        ("zeros", [0, 0, 0, 0]),
        ("text-mode damage", [0x0a, 0x0d, 0x0a, 0x0a]),
        ("gzip magic without a stream", [0x1f, 0x8b, 0x08, 0x00]),
    ] {
        let mut m = b.to_vec();
        m[..4].copy_from_slice(&magic);
        let expect = if name == "pcap magic" {
            // Read as a pcap file whose header is the section header.
            anything()
        } else {
            Expect::Unreadable
        };
        out.push(mutant(format!("{label}: {name}"), m, expect));
    }
    out
}

/// Gzip-compressed captures cut short and with damaged bytes: what comes
/// out is a prefix of the plain twin's records (cuts), or anything that
/// passes the common checks (flipped bytes).
fn gzip_mutants(label: &str, gz: &[u8], plain: &Layout) -> Vec<Mutant> {
    let mut out = Vec::new();
    let step = (gz.len() / 40).max(1);
    for cut in (1..gz.len())
        .step_by(step)
        .chain([gz.len() - 4, gz.len() - 1])
    {
        out.push(Mutant {
            name: format!("{label}: cut at {cut}"),
            bytes: gz[..cut].to_vec(),
            expect: if cut < 3 {
                Expect::Unreadable
            } else {
                Expect::PrefixOf(plain.packets())
            },
            gzip: true,
        });
    }
    for at in (2..gz.len()).step_by(step) {
        let mut m = gz.to_vec();
        m[at] ^= 0x10;
        out.push(Mutant {
            name: format!("{label}: byte {at} flipped"),
            bytes: m,
            expect: anything(),
            gzip: true,
        });
    }
    out
}

/// A capture to mutate.
struct Source {
    label: String,
    bytes: Vec<u8>,
}

/// Synthetic fixtures: pcap (both byte orders, µs and ns), link types
/// Ethernet, QinQ, Linux SLL, NULL, raw IPv4; pcapng in both byte orders,
/// two sections, four interfaces with four link types, SPB, obsolete PB,
/// ISB, NRB/custom/unknown blocks, and the demo room.
const SYNTHETIC: &[&str] = &[
    "pcap/basic-usec-le.pcap",
    "pcap/basic-nsec-be.pcap",
    "pcap/ether-qinq.pcap",
    "pcap/linktype-linux-sll.pcap",
    "pcap/linktype-null.pcap",
    "pcap/linktype-ipv4.pcap",
    "pcapng/basic-be.pcapng",
    "pcapng/two-sections.pcapng",
    "pcapng/multi-interface.pcapng",
    "pcapng/simple-packet-blocks.pcapng",
    "pcapng/obsolete-packet-blocks.pcapng",
    "pcapng/isb-ifdrop.pcapng",
    "pcapng/nrb-custom-unknown.pcapng",
    "demo/room.pcapng",
];

/// Small real captures (`MANIFEST.tsv` ids): LINKTYPE_IPV4 pcap, Linux SLL2
/// pcap, BSD NULL pcap with IPv6, Ethernet pcapng written by other tools
/// (Wireshark/dumpcap, with options), a pcapng with several interfaces.
const CORPUS: &[&str] = &["C137", "C113", "C117", "C031", "C013", "C092"];

fn sources() -> Vec<Source> {
    let mut v: Vec<Source> = SYNTHETIC
        .iter()
        .map(|p| Source {
            label: (*p).to_string(),
            bytes: std::fs::read(fixtures_dir().join(p)).expect("read a fixture"),
        })
        .collect();
    if let Some(dir) = corpus_dir() {
        let rows = manifest(&dir);
        for id in CORPUS {
            let row = rows
                .iter()
                .find(|r| r["id"] == *id)
                .unwrap_or_else(|| panic!("{id} is in MANIFEST.tsv"));
            let path: PathBuf = dir.join(&row["local_path"]);
            let bytes = std::fs::read(&path).expect("read a corpus file");
            let want: usize = row["packets"].parse().unwrap();
            assert_eq!(
                layout(&bytes).packets().len(),
                want,
                "{id}: the layout finds the capinfos packet count"
            );
            v.push(Source {
                label: format!("{id} ({})", row["local_path"]),
                bytes,
            });
        }
    }
    v
}

fn all_mutants() -> Vec<Mutant> {
    let mut out = Vec::new();
    for src in sources() {
        let l = layout(&src.bytes);
        // Truncation at every boundary (at ~100 spread over the file for
        // the few bigger files), inside-record cuts in ~40 units, header
        // mutations.
        let boundary_every = (l.units.len() / 100).max(1);
        let inside_every = (l.units.len() / 40).max(1);
        out.extend(truncations(
            &src.label,
            &src.bytes,
            &l,
            boundary_every,
            inside_every,
        ));
        if l.ng {
            out.extend(pcapng_mutants(&src.label, &src.bytes, &l));
        } else {
            out.extend(pcap_mutants(&src.label, &src.bytes, &l));
        }
    }
    for (gz, plain) in [
        ("pcap/basic-usec-le.pcap.gz", "pcap/basic-usec-le.pcap"),
        ("pcapng/basic-le.pcapng.gz", "pcapng/basic-le.pcapng"),
    ] {
        let gz_bytes = std::fs::read(fixtures_dir().join(gz)).unwrap();
        let plain = layout(&std::fs::read(fixtures_dir().join(plain)).unwrap());
        out.extend(gzip_mutants(gz, &gz_bytes, &plain));
    }
    out
}

/// The intact files themselves: the layout computed here and the reader
/// agree on every record, so the expectations above mean what they say.
#[test]
fn intact_files_deliver_every_record_of_the_layout() {
    for src in sources() {
        let l = layout(&src.bytes);
        let o = analyse(&src.bytes).unwrap_or_else(|e| panic!("{}: {e}", src.label));
        assert_eq!(o.delivered, l.packets(), "{}", src.label);
        let m = mutant(src.label.clone(), src.bytes.clone(), all(&l));
        check(&m, &o).unwrap_or_else(|e| panic!("{}: {e}", src.label));
    }
}

/// The checks bite: wrong expectations about a real outcome are caught.
#[test]
fn the_checks_catch_wrong_expectations() {
    let b = std::fs::read(fixtures_dir().join("pcap/basic-usec-le.pcap")).unwrap();
    let l = layout(&b);
    let r = l.units[6].clone();
    let cut = r.start + 20;
    let o = analyse(&b[..cut]).unwrap();
    let right = Expect::Exact {
        packets: l.packets_within(cut),
        fatal_at: Some(r.start as u64),
    };
    assert_eq!(o.delivered.len(), 5);
    let m = |expect| mutant("probe".into(), b[..cut].to_vec(), expect);
    check(&m(right), &o).unwrap();
    let mut fewer = l.packets_within(cut);
    fewer.pop();
    let wrong = [
        Expect::Exact {
            packets: fewer.clone(),
            fatal_at: Some(r.start as u64),
        },
        Expect::Exact {
            packets: l.packets_within(cut),
            fatal_at: Some(r.start as u64 + 1),
        },
        Expect::Exact {
            packets: l.packets_within(cut),
            fatal_at: None,
        },
        Expect::Unreadable,
        Expect::PrefixOf(fewer),
        Expect::AtLeast {
            packets: vec![],
            required: l.packets(),
            allowed: None,
        },
        Expect::AtLeast {
            packets: vec![],
            required: vec![],
            allowed: Some(BTreeSet::from([24])),
        },
    ];
    for w in wrong {
        assert!(check(&m(w.clone()), &o).is_err(), "{w:?} passed");
    }
    // An error offset beyond the (claimed) file is caught.
    let short = mutant("probe".into(), b[..100].to_vec(), anything());
    assert!(check(&short, &o).is_err());
}

#[test]
fn damaged_captures_give_the_intact_records_and_an_error_within_the_file() {
    let started = Instant::now();
    let mutants = all_mutants();
    let mut failures = Vec::new();
    for m in &mutants {
        let r = catch_unwind(AssertUnwindSafe(|| analyse(&m.bytes)));
        let res = match r {
            Err(p) => Err(format!(
                "panicked: {}",
                p.downcast_ref::<String>()
                    .map(String::as_str)
                    .or_else(|| p.downcast_ref::<&str>().copied())
                    .unwrap_or("?")
            )),
            Ok(Err(e)) => Err(e),
            Ok(Ok(o)) => check(m, &o),
        };
        if let Err(e) = res {
            failures.push(format!("{}: {e}", m.name));
        }
    }
    let count = |f: &dyn Fn(&Expect) -> bool| mutants.iter().filter(|m| f(&m.expect)).count();
    eprintln!(
        "mutation: {} mutants in-process in {:.1} s: {} unreadable, {} exact with a fatal \
         error, {} exact without one, {} at least, {} gzip prefixes",
        mutants.len(),
        started.elapsed().as_secs_f64(),
        count(&|e| matches!(e, Expect::Unreadable)),
        count(&|e| matches!(
            e,
            Expect::Exact {
                fatal_at: Some(_),
                ..
            }
        )),
        count(&|e| matches!(e, Expect::Exact { fatal_at: None, .. })),
        count(&|e| matches!(e, Expect::AtLeast { .. })),
        count(&|e| matches!(e, Expect::PrefixOf(_))),
    );
    assert!(
        failures.is_empty(),
        "{} of {} mutants failed:\n{}",
        failures.len(),
        mutants.len(),
        failures
            .iter()
            .take(40)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// A spread of the mutants (every kind of damage, every source) through
/// the binary: no crash, JSON on standard output, and the same exit status,
/// packet count and errors as the in-process pass.
#[test]
fn the_binary_agrees_on_a_sample_of_mutants() {
    let started = Instant::now();
    let mutants = all_mutants();
    let step = (mutants.len() / 40).max(1);
    let sample: Vec<&Mutant> = mutants.iter().step_by(step).collect();
    let dir = tempfile::tempdir().unwrap();
    let failures = std::sync::Mutex::new(Vec::new());
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(m) = sample.get(i) else { break };
                if let Err(e) = binary_agrees(m, &dir.path().join(format!("m{i}.cap"))) {
                    failures.lock().unwrap().push(format!("{}: {e}", m.name));
                }
            });
        }
    });
    eprintln!(
        "mutation: {} mutants through the binary in {:.1} s",
        sample.len(),
        started.elapsed().as_secs_f64()
    );
    let failures = failures.into_inner().unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn binary_agrees(m: &Mutant, path: &std::path::Path) -> Result<(), String> {
    std::fs::write(path, &m.bytes).map_err(|e| e.to_string())?;
    let out = portmatrix()
        .args(["check", "--format", "json"])
        .arg(path)
        .output()
        .map_err(|e| e.to_string())?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let code = out.status.code();
    if !matches!(code, Some(0..=3)) || stderr.contains("panicked") {
        return Err(format!("exit {code:?}: {stderr}"));
    }
    let doc: Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("standard output is not JSON: {e}"))?;
    let mine = analyse(&m.bytes)?;
    if code != Some(i32::from(mine.exit)) {
        return Err(format!("exit {code:?}, in-process {}", mine.exit));
    }
    let (a, b) = (&doc["inputs"][0], &mine.doc["inputs"][0]);
    for key in ["packets", "format", "skipped_bytes"] {
        if a[key] != b[key] {
            return Err(format!("{key}: binary {}, in-process {}", a[key], b[key]));
        }
    }
    let offsets = |v: &Value| -> Vec<Value> {
        v["errors"]
            .as_array()
            .map(|e| e.iter().map(|x| x["offset"].clone()).collect())
            .unwrap_or_default()
    };
    if offsets(a) != offsets(b) {
        return Err(format!(
            "error offsets: binary {:?}, in-process {:?}",
            offsets(a),
            offsets(b)
        ));
    }
    for e in a["errors"].as_array().into_iter().flatten() {
        let line = format!("at byte {} (0x", e["offset"]);
        if !stderr.contains(&line) {
            return Err(format!("standard error does not name {line}…: {stderr}"));
        }
    }
    Ok(())
}

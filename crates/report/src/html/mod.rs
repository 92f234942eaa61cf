//! The HTML report (`docs/report-format.md`, "HTML report"): one
//! self-contained file, styles, charts (inline SVG) and its small script
//! inline, nothing fetched.
//!
//! Like the JSON report it is a [`FlowSink`], but a page is read by a
//! person, so it keeps in memory only what it shows: aggregates over every
//! flow (verdict counts, a device-pair matrix, flow starts over time,
//! multicast groups) and the detail of a bounded number of flows worth
//! looking at (not documented, with findings, media), the largest by
//! packets first; it says how many it left out.

mod escape;
mod render;
mod svg;

use std::cmp::{Ordering, Reverse};
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::io::{self, Write};

use portmatrix_engine::{FlowRecord, FlowSink, InputReport};
use portmatrix_rules::RuleSet;

pub use escape::{escape, Esc};

/// Flows whose detail is kept per input (the largest by packets).
pub const DETAIL_CAP: usize = 2000;
/// Flows drawn as bars on the timeline per input.
pub const TIMELINE_CAP: usize = 60;
/// Device pairs counted separately per input; further pairs go to "(others)".
pub const PAIR_CAP: usize = 20_000;
/// Devices shown as rows and columns of the matrix; the rest are merged.
pub const MATRIX_CAP: usize = 24;
/// Flows listed in one matrix cell.
pub const CELL_SAMPLE: usize = 12;
/// Time buckets of the flow-start histogram at most.
pub const BUCKETS_MAX: usize = 200;
/// Multicast groups counted separately per input.
pub const GROUP_CAP: usize = 2000;

/// The verdicts in the order the report lists them.
pub const VERDICTS: [&str; 5] = [
    "documented",
    "undocumented",
    "wrong-direction",
    "blocked",
    "forbidden",
];

/// Index in [`VERDICTS`]; also how bad a verdict is (higher: worse).
fn severity(verdict: &str) -> usize {
    VERDICTS.iter().position(|v| *v == verdict).unwrap_or(1)
}

/// The colour of a verdict in charts and matrix cells.
pub fn verdict_colour(verdict: &str) -> &'static str {
    match verdict {
        "documented" => "#4caf50",
        "undocumented" => "#f4b400",
        "wrong-direction" => "#ef6c00",
        "blocked" => "#8e24aa",
        "forbidden" => "#d32f2f",
        _ => "#9e9e9e",
    }
}

/// A flow kept for its detail, ordered so that the heap drops the least interesting.
struct Kept {
    rank: (u64, Reverse<u64>),
    rec: FlowRecord,
}

impl PartialEq for Kept {
    fn eq(&self, o: &Self) -> bool {
        self.rank == o.rank
    }
}
impl Eq for Kept {}
impl PartialOrd for Kept {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Kept {
    fn cmp(&self, o: &Self) -> Ordering {
        self.rank.cmp(&o.rank)
    }
}

/// A flow in one line: what a matrix cell and the timeline show.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Line {
    /// (not documented, packets): the worst and largest first.
    rank: (bool, u64, Reverse<u64>),
    id: u64,
    verdict: &'static str,
    text: String,
    first_ns: i64,
    last_ns: i64,
}

/// One source→destination cell of the device matrix.
#[derive(Default, Clone)]
struct Cell {
    counts: [u64; 5],
    packets: u64,
    sample: Vec<Line>,
}

impl Cell {
    fn add_line(&mut self, line: Line) {
        if self.sample.len() < CELL_SAMPLE {
            self.sample.push(line);
        } else if let Some(min) = self.sample.iter_mut().min() {
            if line > *min {
                *min = line;
            }
        }
    }

    fn merge(&mut self, other: &Cell) {
        for (a, b) in self.counts.iter_mut().zip(other.counts) {
            *a += b;
        }
        self.packets += other.packets;
        for l in &other.sample {
            self.add_line(l.clone());
        }
    }

    fn flows(&self) -> u64 {
        self.counts.iter().sum()
    }

    fn worst(&self) -> Option<&'static str> {
        (0..5)
            .rev()
            .find(|i| self.counts[*i] > 0)
            .map(|i| VERDICTS[i])
    }
}

/// One multicast group (or broadcast address) and port.
#[derive(Default)]
struct Group {
    flows: u64,
    packets: u64,
    bytes: u64,
    counts: [u64; 5],
    senders: Vec<String>,
    more_senders: bool,
    apps: Vec<&'static str>,
}

/// What is gathered about one input while its flows stream by.
#[derive(Default)]
struct InputAcc {
    flows: u64,
    detail: BinaryHeap<Reverse<Kept>>,
    worth: u64,
    timeline: BinaryHeap<Reverse<Line>>,
    pairs: HashMap<(String, String), Cell>,
    bucket_ns: i64,
    buckets: BTreeMap<i64, [u64; 5]>,
    groups: BTreeMap<(String, u16), Group>,
    groups_dropped: u64,
    rtp_streams: u64,
    ptp_flows: u64,
}

/// The label of one side of a flow: the inventory device, else the address.
fn endpoint(device: &Option<String>, ip: &Option<String>, mac: &Option<String>) -> String {
    device
        .clone()
        .or_else(|| ip.clone())
        .or_else(|| mac.clone())
        .unwrap_or_else(|| "?".to_string())
}

/// A flow in a few words: `udp 10.0.0.1:5004 → 239.1.1.1:5004`.
fn flow_text(f: &FlowRecord) -> String {
    let side = |ip: &Option<String>, mac: &Option<String>, port: u16| match ip {
        Some(ip) if ip.contains(':') => format!("[{ip}]:{port}"),
        Some(ip) => format!("{ip}:{port}"),
        None => mac.clone().unwrap_or_default(),
    };
    format!(
        "{} {} \u{2192} {}",
        f.ether_type.as_deref().unwrap_or(f.transport),
        side(&f.src_ip, &f.src_mac, f.src_port),
        side(&f.dst_ip, &f.dst_mac, f.dst_port)
    )
}

impl InputAcc {
    fn add(&mut self, f: FlowRecord) {
        self.flows += 1;
        let verdict = f.verdict.name();
        let vi = severity(verdict);
        let bad = vi != 0;
        let line = Line {
            rank: (bad, f.packets, Reverse(f.id)),
            id: f.id,
            verdict,
            text: flow_text(&f),
            first_ns: f.first_ts_ns,
            last_ns: f.last_ts_ns,
        };

        // Device pair matrix.
        let key = (
            endpoint(&f.src_device, &f.src_ip, &f.src_mac),
            endpoint(&f.dst_device, &f.dst_ip, &f.dst_mac),
        );
        let key = if self.pairs.len() >= PAIR_CAP && !self.pairs.contains_key(&key) {
            ("(others)".to_string(), "(others)".to_string())
        } else {
            key
        };
        let cell = self.pairs.entry(key).or_default();
        cell.counts[vi] += 1;
        cell.packets += f.packets;
        cell.add_line(line.clone());

        // Flow starts over time, in buckets that widen to stay few.
        if self.bucket_ns == 0 {
            self.bucket_ns = 1_000_000_000;
        }
        self.buckets
            .entry(f.first_ts_ns.div_euclid(self.bucket_ns))
            .or_default()[vi] += 1;
        while self.buckets.len() > BUCKETS_MAX {
            self.bucket_ns = self.bucket_ns.saturating_mul(2);
            let old = std::mem::take(&mut self.buckets);
            for (b, c) in old {
                let e = self.buckets.entry(b.div_euclid(2)).or_default();
                for (a, n) in e.iter_mut().zip(c) {
                    *a += n;
                }
            }
        }

        // Timeline bars: the worst and largest flows.
        self.timeline.push(Reverse(line));
        if self.timeline.len() > TIMELINE_CAP {
            self.timeline.pop();
        }

        // Multicast and broadcast groups.
        if f.destination != "unicast" {
            let gkey = (
                f.dst_ip
                    .clone()
                    .or_else(|| f.dst_mac.clone())
                    .unwrap_or_default(),
                f.dst_port,
            );
            if self.groups.len() < GROUP_CAP || self.groups.contains_key(&gkey) {
                let g = self.groups.entry(gkey).or_default();
                g.flows += 1;
                g.packets += f.packets;
                g.bytes += f.bytes;
                g.counts[vi] += 1;
                let sender = endpoint(&f.src_device, &f.src_ip, &f.src_mac);
                if !g.senders.contains(&sender) {
                    if g.senders.len() < 16 {
                        g.senders.push(sender);
                    } else {
                        g.more_senders = true;
                    }
                }
                if let Some(app) = f.app {
                    if !g.apps.contains(&app) {
                        g.apps.push(app);
                    }
                }
            } else {
                self.groups_dropped += 1;
            }
        }

        self.rtp_streams += f.rtp.len() as u64;
        self.ptp_flows += u64::from(f.ptp.is_some());

        // Detail of the flows worth showing.
        let worth = bad
            || !f.findings.is_empty()
            || !f.rtp.is_empty()
            || f.rtcp.is_some()
            || f.ptp.is_some()
            || !f.icmp_errors.is_empty();
        if worth {
            self.worth += 1;
            self.detail.push(Reverse(Kept {
                rank: (f.packets, Reverse(f.id)),
                rec: f,
            }));
            if self.detail.len() > DETAIL_CAP {
                self.detail.pop();
            }
        }
    }
}

/// One input, finished.
struct Input {
    report: InputReport,
    acc: InputAcc,
}

/// Builds the HTML report: call [`HtmlReport::begin_input`], let the
/// analysis stream flows into it (it is a [`FlowSink`]), call
/// [`HtmlReport::end_input`], repeat, then [`HtmlReport::finish`].
pub struct HtmlReport<'r> {
    rules: &'r RuleSet,
    inputs: Vec<Input>,
    current: InputAcc,
    interrupted: Option<String>,
}

impl<'r> HtmlReport<'r> {
    /// A report whose rule references are explained from `rules`.
    pub fn new(rules: &'r RuleSet) -> Self {
        HtmlReport {
            rules,
            inputs: Vec::new(),
            current: InputAcc::default(),
            interrupted: None,
        }
    }

    /// Marks the report as cut short by `signal`.
    pub fn set_interrupted(&mut self, signal: &str) {
        self.interrupted = Some(signal.to_string());
    }

    /// Starts the next input.
    pub fn begin_input(&mut self) {
        self.current = InputAcc::default();
    }

    /// Ends the current input with its summaries.
    pub fn end_input(&mut self, report: &InputReport) {
        let acc = std::mem::take(&mut self.current);
        self.inputs.push(Input {
            report: report.clone(),
            acc,
        });
    }

    /// Writes the whole document to `out`.
    ///
    /// # Errors
    /// Writing failed.
    pub fn finish<W: Write>(self, mut out: W) -> io::Result<W> {
        let page = render::page(self.rules, &self.inputs, self.interrupted.as_deref());
        out.write_all(page.as_bytes())?;
        out.flush()?;
        Ok(out)
    }
}

impl FlowSink for HtmlReport<'_> {
    fn flow(&mut self, record: FlowRecord) -> io::Result<()> {
        self.current.add(record);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use portmatrix_engine::{Finding, InputSummary, Tally, Verdict};
    use proptest::prelude::*;

    fn summary(path: &str, first: i64, last: i64) -> InputSummary {
        InputSummary {
            path: path.into(),
            format: Some("pcap".into()),
            link_types: vec!["ether".into()],
            packets: 2,
            bytes: 132,
            orig_bytes: 132,
            first_ts_ns: Some(first),
            last_ts_ns: Some(last),
            ..Default::default()
        }
    }

    /// A flow whose every free-text field is `text`.
    fn record(id: u64, verdict: Verdict, text: &str, ts: i64, packets: u64) -> FlowRecord {
        FlowRecord {
            id,
            vlan: None,
            inner_vlan: None,
            transport: "udp",
            src_ip: Some(format!("10.0.{}.{}", id / 250 % 250, id % 250)),
            src_port: 5004,
            dst_ip: Some("239.1.1.1".into()),
            dst_port: 5004,
            ether_type: None,
            src_mac: None,
            dst_mac: None,
            destination: "multicast",
            first_ts: text.into(),
            last_ts: text.into(),
            first_ts_ns: ts,
            last_ts_ns: ts,
            packets,
            bytes: packets * 100,
            packets_fwd: packets,
            packets_rev: 0,
            bytes_fwd: packets * 100,
            bytes_rev: 0,
            conn_state: Some("S0"),
            history: text.into(),
            app: None,
            verdict,
            basis: None,
            candidates: vec![text.into()],
            blocked_kind: None,
            rule_ids: vec![text.into()],
            hints: vec![text.into()],
            findings: vec![Finding {
                kind: "no-reply",
                detail: text.into(),
            }],
            src_device: Some(text.into()),
            dst_device: Some(format!("{text}-dst")),
            icmp_errors: Vec::new(),
            rtp: Vec::new(),
            rtcp: None,
            ptp: None,
            sip: None,
            sap: None,
            announced_by: None,
            capture_loss: None,
        }
    }

    fn page_of(text: &str, flows: Vec<FlowRecord>, first: i64, last: i64) -> String {
        let rules = RuleSet::builtin().expect("built-in rules");
        let mut html = HtmlReport::new(&rules);
        html.begin_input();
        let mut tally = Tally::default();
        for f in flows {
            tally.add(&f);
            html.flow(f).unwrap();
        }
        html.end_input(&InputReport::new(
            summary(text, first, last),
            tally.summary(0, Vec::new(), false),
        ));
        let out = html.finish(Vec::new()).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn timestamps_across_the_whole_i64_range_draw() {
        // As the text report's fuzz finding: packets stamped 1677 and 2023.
        let (a, b) = (-9_223_372_036_604_775_808, 1_700_000_000_250_000_000);
        let flows = vec![
            record(1, Verdict::Documented, "a", a, 3),
            record(2, Verdict::Blocked, "b", b, 2),
        ];
        let page = page_of("fuzz", flows, a, b);
        assert!(page.contains("<svg class=\"chart timeline\""));
        assert!(!page.contains("NaN") && !page.contains("inf"));
    }

    #[test]
    fn memory_stays_bounded_over_many_flows() {
        let rules = RuleSet::builtin().expect("built-in rules");
        let mut html = HtmlReport::new(&rules);
        html.begin_input();
        let n = (DETAIL_CAP as u64) * 3;
        for id in 0..n {
            // Flow starts over a long time: the buckets must widen.
            let ts = (id as i64) * 7_000_000_000;
            let v = if id % 2 == 0 {
                Verdict::Undocumented
            } else {
                Verdict::Documented
            };
            html.flow(record(id, v, "x", ts, id % 97)).unwrap();
        }
        let acc = &html.current;
        assert_eq!(acc.flows, n);
        assert_eq!(acc.detail.len(), DETAIL_CAP);
        // Every flow here has a finding, so every flow was worth showing.
        assert_eq!(acc.worth, n);
        // The kept ones are the largest by packets.
        let smallest_kept = acc.detail.iter().map(|k| k.0.rec.packets).min().unwrap();
        assert!(
            smallest_kept >= 60,
            "kept a flow of {smallest_kept} packets"
        );
        assert!(acc.buckets.len() <= BUCKETS_MAX);
        assert_eq!(acc.buckets.values().flatten().sum::<u64>(), n);
        assert_eq!(acc.timeline.len(), TIMELINE_CAP);
        assert!(acc.pairs.len() <= PAIR_CAP + 1);
        assert_eq!(acc.pairs.values().map(Cell::flows).sum::<u64>(), n);
        assert!(acc.pairs.values().all(|c| c.sample.len() <= CELL_SAMPLE));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Hostile text in every field a packet or a file can fill never
        /// becomes markup: the page holds only its own script and no
        /// element the text names, nor any unsafe character.
        #[test]
        fn hostile_fields_never_become_markup(
            text in proptest::collection::vec(
                prop_oneof![
                    Just("<script>alert(1)</script>"), Just("<img src=x onerror=alert(1)>"),
                    Just("\" onclick=\"x"), Just("' onclick='x"), Just("</td></table>"),
                    Just("&"), Just("\u{202e}"), Just("\u{2067}"), Just("\u{0}"), Just("\u{1b}[2J"),
                    Just("\u{85}"), Just("\u{2028}"), Just("-->"), Just("<!--"), Just("]]>"),
                    Just("<svg onload=alert(1)>"), Just("a"), Just("é"),
                ],
                1..12,
            ).prop_map(|v| v.concat())
        ) {
            let flows = vec![
                record(1, Verdict::Forbidden, &text, 1_000, 5),
                record(2, Verdict::Documented, &text, 2_000, 9),
            ];
            let page = page_of(&text, flows, 1_000, 2_000);
            prop_assert_eq!(page.matches("<script").count(), 1);
            prop_assert!(!page.contains("<img"));
            prop_assert!(!page.contains("<svg onload"));
            // As text the attribute is harmless; as markup it would follow a real quote.
            prop_assert!(!page.contains("\" onclick") && !page.contains("' onclick"));
            prop_assert!(!page.contains("<!--") && !page.contains("-->"));
            prop_assert!(!page.contains("</td></table>"));
            prop_assert!(!page.chars().any(|c| portmatrix_rules::is_unsafe_char(c) && c != '\n'));
        }
    }
}

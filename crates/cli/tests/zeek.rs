//! Agreement with Zeek: for every corpus trace that has a Zeek conn_state
//! baseline (`../shared/corpus/expected/zeek/…`), our `conn_state` must be
//! Zeek's for the same flows.
//!
//! Method (docs/zeek-agreement.md):
//! - A trace is compared when its manifest row is `oracle = zeek-conn_state`
//!   or lists a Zeek `conn*.log` baseline. A baseline is used when it has a
//!   `conn_state` column (read from its header: `#fields …`, or the first
//!   line of a `.cut` file) or is the `out` of `conn_state-RST-behavior`
//!   (`history, conn_state` lines, one per trace in the order the test reads
//!   them).
//! - A baseline written by a test that reads several traces keeps only the
//!   rows tied to this trace: both addresses of the row must be addresses of
//!   our flows (`out` lines are tied by the test's order instead). Rows of all
//!   used baselines of a trace are merged (a row present in two baselines
//!   counts once).
//! - A Zeek row matches one of our flows with the same transport and the same
//!   two endpoints, in either orientation (Zeek's originator may be our
//!   responder). TCP and UDP rows always count, unmatched ones as a
//!   difference; Zeek's ICMP rows (always OTH) only when we report a flow with
//!   the same ports.
//! - Every difference must be in [`EXPLAINED`], and every entry there must
//!   still happen, so the list stays true. With them set aside, agreement must
//!   be at least 95 % overall and 100 % for Zeek's S0, REJ and SF rows.
//!
//! Run with `cargo test -p portmatrix --test main zeek -- --nocapture` to see
//! the per-trace table.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// A difference we understand: `(trace id, flow as Zeek orients it, Zeek's
/// conn_state, ours ("-" when we report no such flow), reason)`.
const EXPLAINED: &[(&str, &str, &str, &str, &str)] = &[
    (
        "C056",
        "udp 192.168.1.95:123 > 17.253.4.253:123",
        "S0",
        "SF",
        "Zeek's NTP analyzer flips the roles after the first packet (a server-mode reply seen \
         before its request; history D^), but the UDP session adapter does not swap its \
         per-direction lengths, so both packets are counted for the new originator \
         (orig_pkts 2, resp_pkts 0, orig_bytes 96) and Zeek logs S0. One packet went each way, \
         so by Zeek's own UDP rule (both sides sent) the state is SF, which is what we report",
    ),
    (
        "C093",
        "udp 172.30.0.1:48036 > 172.30.0.2:4789",
        "OTH",
        "-",
        "Zeek logs the VXLAN tunnel's own UDP connection (OTH, history C: the test runs Zeek \
         without -C and every outer UDP checksum in this trace is wrong, the same 0x588f in all \
         three frames). portmatrix removes the tunnel (docs/mirror.md) and analyses the frame \
         inside, an IGMPv2 report, which forms no flow; with --no-decap the tunnel is the flow \
         (S0: we never drop packets for a bad checksum)",
    ),
    (
        "C093",
        "udp 172.30.0.1:45303 > 172.30.0.2:4789",
        "OTH",
        "-",
        "the VXLAN tunnel's own connection, removed by us; see the first VXLAN frame",
    ),
    (
        "C093",
        "udp 172.30.0.1:36030 > 172.30.0.2:4789",
        "OTH",
        "-",
        "the VXLAN tunnel's own connection, removed by us; see the first VXLAN frame",
    ),
];

/// Zeek tests that read more than one trace, from their `@TEST-EXEC` lines:
/// rows of their baselines are tied to a trace by address.
const MULTI_TRACE_TESTS: &[(&str, &str)] = &[
    (
        "core.print-bpf-filters",
        "empty.pcap twice, then mixed-vlan-mpls.pcap with restricted_filter=\"vlan\"",
    ),
    (
        "core.tcp.rxmit-history",
        "tcp/retransmit-fast009.pcap (conn-1.log), wikipedia.pcap (conn-2.log)",
    ),
    (
        "scripts.policy.protocols.conn.mac-logging",
        "wikipedia.pcap (conn1.log), radiotap.pcap (conn2.log), llc.pcap (conn3.log)",
    ),
];

/// The test whose `out` holds one `history, conn_state` line per trace, and
/// the traces in the order its `@TEST-EXEC` lines read them.
const RST_BEHAVIOR_TEST: &str = "scripts.base.protocols.conn.conn_state-RST-behavior";
const RST_BEHAVIOR_ORDER: &[&str] = &[
    "tcp/single-rst.pcap",
    "tcp/syn-then-rst.pcap",
    "tcp/syn-then-ack-then-rst.pcap",
    "tcp/syn-then-stuff-then-rst.pcap",
];

/// The corpus folder beside the checkout, or `None` (with a message) when absent.
fn corpus_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus");
    if dir.join("MANIFEST.tsv").is_file() {
        Some(dir)
    } else {
        eprintln!("skipping the Zeek agreement test: ../shared/corpus is absent");
        None
    }
}

fn manifest(dir: &Path) -> Vec<HashMap<String, String>> {
    let text = std::fs::read_to_string(dir.join("MANIFEST.tsv")).expect("read MANIFEST.tsv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("manifest header").split('\t').collect();
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            header
                .iter()
                .map(|h| h.to_string())
                .zip(l.split('\t').map(str::to_string))
                .collect()
        })
        .collect()
}

type Addr = (IpAddr, u16);

/// One connection of a Zeek baseline.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct ZeekRow {
    proto: String,
    /// `(originator, responder)`; `None` for `out` lines, which have no addresses.
    ends: Option<(Addr, Addr)>,
    state: String,
    history: String,
}

/// One flow of ours.
#[derive(Debug)]
struct OurFlow {
    transport: String,
    src: Addr,
    dst: Addr,
    state: String,
    history: String,
}

/// What a baseline gave for one trace.
enum Baseline {
    Rows(Vec<ZeekRow>),
    /// Not usable for conn_state, and why.
    Skipped(String),
}

fn show_addr((ip, port): Addr) -> String {
    match ip {
        IpAddr::V4(a) => format!("{a}:{port}"),
        IpAddr::V6(a) => format!("[{a}]:{port}"),
    }
}

impl ZeekRow {
    fn label(&self) -> String {
        match self.ends {
            Some((o, r)) => format!("{} {} > {}", self.proto, show_addr(o), show_addr(r)),
            None => format!("{} (the trace's only connection)", self.proto),
        }
    }
}

/// Parses a Zeek log (`#fields` header, or a `.cut` file's plain header line).
fn parse_log(text: &str) -> Result<Vec<ZeekRow>, String> {
    let mut header: Option<Vec<&str>> = None;
    let mut rows = Vec::new();
    for line in text.lines() {
        if line.starts_with('#') && !line.starts_with("#fields\t") || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        let Some(h) = &header else {
            // `#fields …`, or in a `.cut` file the first line, names the columns.
            let names: Vec<&str> = line.trim_start_matches("#fields\t").split('\t').collect();
            if !names.contains(&"conn_state") {
                return Err(format!(
                    "no conn_state column (columns: {})",
                    names.join(" ")
                ));
            }
            header = Some(names);
            continue;
        };
        let get = |name: &str| -> Result<&str, String> {
            let i = h
                .iter()
                .position(|c| *c == name)
                .ok_or_else(|| format!("no {name} column (columns: {})", h.join(" ")))?;
            cols.get(i)
                .copied()
                .ok_or_else(|| format!("short row: {line}"))
        };
        let addr = |host: &str, port: &str| -> Result<Addr, String> {
            let ip = get(host)?
                .parse()
                .map_err(|e| format!("{host}: {e}: {line}"))?;
            let p = get(port)?
                .parse()
                .map_err(|e| format!("{port}: {e}: {line}"))?;
            Ok((ip, p))
        };
        rows.push(ZeekRow {
            proto: get("proto")?.to_string(),
            ends: Some((
                addr("id.orig_h", "id.orig_p")?,
                addr("id.resp_h", "id.resp_p")?,
            )),
            state: get("conn_state")?.to_string(),
            history: get("history").unwrap_or("-").to_string(),
        });
    }
    Ok(rows)
}

/// Reads one baseline for the trace `path_in_repo`.
fn read_baseline(
    corpus: &Path,
    rel: &str,
    path_in_repo: &str,
    multi_trace_notes: bool,
    our_addrs: &HashSet<IpAddr>,
) -> Baseline {
    let file = Path::new(rel)
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("");
    let test = Path::new(rel)
        .parent()
        .and_then(|p| p.file_name())
        .and_then(|n| n.to_str())
        .unwrap_or("");
    let text = match std::fs::read_to_string(corpus.join(rel)) {
        Ok(t) => t,
        Err(e) => return Baseline::Skipped(format!("unreadable: {e}")),
    };
    if test == RST_BEHAVIOR_TEST && file == "out" {
        let Some(i) = RST_BEHAVIOR_ORDER
            .iter()
            .position(|t| path_in_repo.ends_with(t))
        else {
            return Baseline::Skipped("trace not read by the test".into());
        };
        let lines: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with('#') && l.contains(", "))
            .collect();
        let Some((history, state)) = lines.get(i).and_then(|l| l.split_once(", ")) else {
            return Baseline::Skipped(format!("no line {} in out", i + 1));
        };
        return Baseline::Rows(vec![ZeekRow {
            proto: "tcp".into(),
            ends: None,
            state: state.trim().to_string(),
            history: history.trim().to_string(),
        }]);
    }
    if !file.starts_with("conn") {
        return Baseline::Skipped("not a conn.log".into());
    }
    let rows = match parse_log(&text) {
        Ok(rows) => rows,
        Err(e) => return Baseline::Skipped(e),
    };
    let multi = multi_trace_notes || MULTI_TRACE_TESTS.iter().any(|(t, _)| *t == test);
    if !multi {
        return Baseline::Rows(rows);
    }
    let total = rows.len();
    let kept: Vec<ZeekRow> = rows
        .into_iter()
        .filter(|r| {
            r.ends
                .is_some_and(|(o, d)| our_addrs.contains(&o.0) && our_addrs.contains(&d.0))
        })
        .collect();
    if kept.is_empty() && total > 0 {
        return Baseline::Skipped(format!(
            "a test reading several traces; none of its {total} rows has this trace's addresses"
        ));
    }
    Baseline::Rows(kept)
}

/// Runs `portmatrix check --format json` on a trace and returns its flows.
fn our_flows(trace: &Path) -> Vec<OurFlow> {
    let out = Command::new(env!("CARGO_BIN_EXE_portmatrix"))
        .args(["check", "--format", "json"])
        .arg(trace)
        .output()
        .expect("run portmatrix");
    assert!(
        matches!(out.status.code(), Some(0..=3)),
        "{}: exit {:?}: {}",
        trace.display(),
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON report");
    let mut flows = Vec::new();
    for input in doc["inputs"].as_array().into_iter().flatten() {
        for f in input["flows"].as_array().into_iter().flatten() {
            let addr = |ip: &str, port: &str| -> Option<Addr> {
                Some((
                    f[ip].as_str()?.parse().ok()?,
                    u16::try_from(f[port].as_u64()?).ok()?,
                ))
            };
            let (Some(src), Some(dst)) = (addr("src_ip", "src_port"), addr("dst_ip", "dst_port"))
            else {
                continue;
            };
            flows.push(OurFlow {
                transport: f["transport"].as_str().unwrap_or("").to_string(),
                src,
                dst,
                state: f["conn_state"].as_str().unwrap_or("-").to_string(),
                history: f["history"].as_str().unwrap_or("").to_string(),
            });
        }
    }
    flows
}

fn same_proto(zeek: &str, ours: &str) -> bool {
    zeek == ours || (zeek == "icmp" && ours == "icmpv6")
}

fn same_ends(row: &ZeekRow, f: &OurFlow) -> bool {
    match row.ends {
        Some((o, r)) => (f.src == o && f.dst == r) || (f.src == r && f.dst == o),
        None => true,
    }
}

/// Counts of one trace.
#[derive(Default)]
struct Tally {
    compared: usize,
    agree: usize,
    key: usize,
    key_agree: usize,
    explained: usize,
    key_explained: usize,
    /// Matched rows whose history letters are Zeek's too (reported, not asserted).
    history_agree: usize,
}

fn is_key_state(s: &str) -> bool {
    matches!(s, "S0" | "REJ" | "SF")
}

fn pct(n: usize, d: usize) -> String {
    if d == 0 {
        "-".into()
    } else {
        format!("{:.1} %", 100.0 * n as f64 / d as f64)
    }
}

#[test]
fn zeek_conn_state_agreement() {
    let Some(corpus) = corpus_dir() else { return };
    let rows = manifest(&corpus);
    let mut table = String::new();
    let mut details = String::new();
    let mut total = Tally::default();
    let mut seen_explained = HashSet::new();
    let mut unexplained = Vec::new();
    let mut traces = 0;

    for row in &rows {
        let baselines: Vec<&str> = row["has_expected_output"]
            .split(';')
            .filter(|b| b.starts_with("expected/zeek/"))
            .collect();
        let has_conn_log = baselines.iter().any(|b| {
            Path::new(b)
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("conn"))
        });
        if row["oracle"] != "zeek-conn_state" && !has_conn_log {
            continue;
        }
        traces += 1;
        let id = row["id"].as_str();
        let trace = corpus.join(&row["local_path"]);
        let flows = our_flows(&trace);
        let our_addrs: HashSet<IpAddr> = flows.iter().flat_map(|f| [f.src.0, f.dst.0]).collect();
        let multi_notes = row["notes"].contains("test reading");

        // Rows of all usable baselines, merged: a row counts as often as the
        // baseline that has it most often.
        let mut merged: Vec<ZeekRow> = Vec::new();
        let mut used = Vec::new();
        for b in &baselines {
            let short = b.trim_start_matches("expected/zeek/");
            match read_baseline(&corpus, b, &row["path_in_repo"], multi_notes, &our_addrs) {
                Baseline::Rows(rs) => {
                    // In the baseline's order: the n-th copy of a row is added
                    // when the rows merged so far have fewer than n.
                    let mut seen: HashMap<&ZeekRow, usize> = HashMap::new();
                    for r in &rs {
                        let n = seen.entry(r).or_default();
                        *n += 1;
                        if merged.iter().filter(|m| *m == r).count() < *n {
                            merged.push(r.clone());
                        }
                    }
                    used.push(format!("{short} ({} rows)", rs.len()));
                }
                Baseline::Skipped(why) => {
                    let _ = writeln!(details, "  {id}: {short} not used: {why}");
                }
            }
        }

        let mut taken = vec![false; flows.len()];
        let mut t = Tally::default();
        for r in &merged {
            let candidates: Vec<usize> = (0..flows.len())
                .filter(|&i| !taken[i] && same_proto(&r.proto, &flows[i].transport))
                .filter(|&i| same_ends(r, &flows[i]))
                .collect();
            // Several connections on the same ports: prefer one in Zeek's state.
            let matched = match (r.ends, candidates.as_slice()) {
                (None, [only]) => Some(*only),
                (None, _) => None,
                (Some(_), c) => c
                    .iter()
                    .find(|&&i| flows[i].state == r.state)
                    .or(c.first())
                    .copied(),
            };
            if matched.is_none() && r.proto == "icmp" {
                let _ = writeln!(
                    details,
                    "  {id}: {} {} (Zeek ICMP) not compared: no ICMP flow of ours",
                    r.label(),
                    r.state
                );
                continue;
            }
            let (ours, our_history) = match matched {
                Some(i) => {
                    taken[i] = true;
                    (flows[i].state.as_str(), flows[i].history.as_str())
                }
                None => ("-", ""),
            };
            t.compared += 1;
            if matched.is_some() && our_history == r.history {
                t.history_agree += 1;
            } else if matched.is_some() {
                let _ = writeln!(
                    details,
                    "  {id}: {}: history: Zeek {}, ours {our_history} (not asserted)",
                    r.label(),
                    r.history
                );
            }
            let key = is_key_state(&r.state);
            t.key += usize::from(key);
            if ours == r.state {
                t.agree += 1;
                t.key_agree += usize::from(key);
                continue;
            }
            let label = r.label();
            let explained = EXPLAINED
                .iter()
                .position(|e| e.0 == id && e.1 == label && e.2 == r.state && e.3 == ours);
            let _ = write!(
                details,
                "  {id}: {label}: Zeek {} ({}), ours {ours} ({our_history})",
                r.state, r.history
            );
            match explained {
                Some(i) => {
                    seen_explained.insert(i);
                    t.explained += 1;
                    t.key_explained += usize::from(key);
                    let _ = writeln!(details, ": explained: {}", EXPLAINED[i].4);
                }
                None => {
                    let _ = writeln!(details, ": UNEXPLAINED");
                    unexplained.push(format!(
                        "(\"{id}\", \"{label}\", \"{}\", \"{ours}\") Zeek history {}, ours {our_history}",
                        r.state, r.history
                    ));
                }
            }
        }
        let extra: Vec<String> = flows
            .iter()
            .zip(&taken)
            .filter(|(f, taken)| !**taken && matches!(f.transport.as_str(), "tcp" | "udp"))
            .map(|(f, _)| {
                format!(
                    "{} {} > {} {}",
                    f.transport,
                    show_addr(f.src),
                    show_addr(f.dst),
                    f.state
                )
            })
            .collect();
        if !extra.is_empty() && t.compared > 0 {
            let _ = writeln!(
                details,
                "  {id}: flows of ours with no Zeek row: {}",
                extra.join(", ")
            );
        }
        let _ = writeln!(
            table,
            "{id:<5} {:<44} {:>3} {:>3} {:>8} {:>3}/{:<3} {:>3} {:>4} {}",
            row["local_path"].trim_start_matches("files/"),
            t.compared,
            t.agree,
            pct(t.agree, t.compared),
            t.key_agree,
            t.key,
            t.explained,
            t.history_agree,
            if used.is_empty() {
                "(no usable baseline)".to_string()
            } else {
                used.join(", ")
            }
        );
        total.compared += t.compared;
        total.agree += t.agree;
        total.key += t.key;
        total.key_agree += t.key_agree;
        total.explained += t.explained;
        total.key_explained += t.key_explained;
        total.history_agree += t.history_agree;
    }

    eprintln!("conn_state agreement with Zeek ({traces} traces)");
    eprintln!(
        "{:<5} {:<44} {:>3} {:>3} {:>8} {:>7} {:>3} {:>4} baselines",
        "id", "trace", "n", "=", "agree", "S0/REJ/SF", "exp", "hist"
    );
    eprint!("{table}");
    eprintln!(
        "total: {} of {} flows agree ({}); S0/REJ/SF: {} of {} ({}); explained differences: {} \
         ({} S0/REJ/SF)",
        total.agree,
        total.compared,
        pct(total.agree, total.compared),
        total.key_agree,
        total.key,
        pct(total.key_agree, total.key),
        total.explained,
        total.key_explained
    );
    eprintln!(
        "history letters equal to Zeek's: {} of {} (informational: we do not write Zeek's \
         C, T, W, G, X letters)",
        total.history_agree, total.compared
    );
    let rest = total.compared - total.explained;
    let key_rest = total.key - total.key_explained;
    eprintln!(
        "with explained differences set aside: {} of {} ({}); S0/REJ/SF {} of {} ({})",
        total.agree,
        rest,
        pct(total.agree, rest),
        total.key_agree,
        key_rest,
        pct(total.key_agree, key_rest)
    );
    eprint!("{details}");

    assert!(traces >= 10, "only {traces} traces with a Zeek baseline");
    assert!(
        total.compared >= 50,
        "only {} flows compared",
        total.compared
    );
    let stale: Vec<String> = EXPLAINED
        .iter()
        .enumerate()
        .filter(|(i, _)| !seen_explained.contains(i))
        .map(|(_, e)| format!("{} {}: Zeek {}, ours {}", e.0, e.1, e.2, e.3))
        .collect();
    assert!(
        unexplained.is_empty() && stale.is_empty(),
        "differences from Zeek not in EXPLAINED:\n  {}\nEXPLAINED entries that no longer happen \
         (remove them):\n  {}",
        unexplained.join("\n  "),
        stale.join("\n  ")
    );
    assert!(
        total.agree * 100 >= rest * 95,
        "agreement {} of {} is below 95 %",
        total.agree,
        rest
    );
    assert_eq!(
        total.key_agree, key_rest,
        "Zeek's S0/REJ/SF rows must all agree"
    );
}

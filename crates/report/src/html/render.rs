//! The document itself: sections written from what [`super::InputAcc`] kept.

use std::collections::HashMap;
use std::fmt::Write;

use portmatrix_engine::FlowRecord;
use portmatrix_rules::RuleSet;
use serde_json::Value;

use super::escape::Esc;
use super::svg::{self, Bar};
use super::{severity, verdict_colour, Cell, Input, Line, MATRIX_CAP, VERDICTS};

const STYLE: &str = "
body{font:14px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 24px 40px;color:#222;max-width:1400px}
h1{font-size:22px;margin:18px 0 4px}h2{font-size:18px;border-bottom:2px solid #ddd;padding-bottom:3px;margin-top:28px}
h3{font-size:15px;margin:18px 0 6px}
table{border-collapse:collapse;margin:6px 0}td,th{border:1px solid #ddd;padding:3px 7px;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.chart text{font:12px system-ui,sans-serif;fill:#222}.chart text.small{font-size:10px}.chart text.axis{font-size:11px;fill:#666}
.v{display:inline-block;padding:0 6px;border-radius:3px;color:#fff;font-size:12px}
.matrix td.c{min-width:34px;text-align:center;color:#fff;font-weight:600}.matrix td.c details>summary{cursor:pointer;list-style:none}
.matrix td.c details[open]{position:relative}.matrix td.c details[open]>div{position:absolute;z-index:2;background:#fff;color:#222;font-weight:400;text-align:left;border:1px solid #999;padding:6px;box-shadow:0 2px 8px #0004;white-space:nowrap}
.matrix th.r{white-space:nowrap}.matrix th.col{writing-mode:vertical-rl;transform:rotate(180deg);white-space:nowrap}
.muted{color:#777}.quote{border-left:3px solid #bbb;margin:4px 0;padding:2px 8px;color:#444;font-style:italic}
details.flow{border:1px solid #ddd;margin:4px 0;padding:3px 8px}details.flow>summary{cursor:pointer}
.kv th{font-weight:500;background:#fafafa}
.bad{color:#c62828;font-weight:600}
.row{display:flex;gap:32px;align-items:flex-start;flex-wrap:wrap}
";

/// Filters the flow lists by verdict; the page reads fine without it.
const SCRIPT: &str = "
document.querySelectorAll('select.vfilter').forEach(function(s){s.addEventListener('change',function(){
var sec=s.closest('section');sec.querySelectorAll('details.flow').forEach(function(d){
d.style.display=(s.value===''||d.dataset.flowVerdict===s.value)?'':'none';});});});
";

fn n(x: u64) -> String {
    x.to_string()
}

fn pill(v: &str) -> String {
    format!(
        "<span class=\"v\" style=\"background:{}\">{}</span>",
        verdict_colour(v),
        Esc(v)
    )
}

/// The whole page.
pub(super) fn page(rules: &RuleSet, inputs: &[Input], interrupted: Option<&str>) -> String {
    let mut s = String::with_capacity(64 * 1024);
    let mut totals = [0u64; 5];
    let (mut packets, mut flows, mut errors) = (0u64, 0u64, 0u64);
    for i in inputs {
        for (k, c) in &i.report.summary.verdicts {
            totals[severity(k)] += c;
        }
        packets += i.report.input.packets;
        flows += i.report.summary.flows;
        errors += i.report.input.error_count;
    }
    let _ = write!(
        s,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\
         <title>portmatrix report</title><style>{STYLE}</style></head><body>\
         <h1>portmatrix report</h1><p class=\"muted\">{} &middot; {} input(s)</p>",
        Esc(concat!("portmatrix ", env!("CARGO_PKG_VERSION"))),
        inputs.len()
    );
    if let Some(sig) = interrupted {
        let _ = write!(
            s,
            "<p class=\"bad\" id=\"interrupted\">Interrupted by {}: the report covers what was read before it.</p>",
            Esc(sig)
        );
    }
    // Totals.
    let _ = write!(
        s,
        "<section id=\"totals\"><h2>Verdicts</h2><div class=\"row\">{}<table><tr><th>verdict</th><th class=\"n\">flows</th></tr>",
        svg::verdict_bars(&totals)
    );
    for (v, c) in VERDICTS.iter().zip(totals) {
        let _ = write!(
            s,
            "<tr><td>{}</td><td class=\"n\" data-total-verdict=\"{}\">{c}</td></tr>",
            pill(v),
            Esc(v)
        );
    }
    let _ = write!(
        s,
        "<tr><th>all flows</th><th class=\"n\" data-total=\"flows\">{flows}</th></tr>\
         <tr><td>packets</td><td class=\"n\" data-total=\"packets\">{packets}</td></tr>\
         <tr><td>read errors</td><td class=\"n\" data-total=\"errors\">{errors}</td></tr></table></div></section>"
    );
    for (ix, input) in inputs.iter().enumerate() {
        input_section(&mut s, rules, ix, input);
    }
    let _ = writeln!(s, "<script>{SCRIPT}</script></body></html>");
    s
}

fn input_section(s: &mut String, rules: &RuleSet, ix: usize, input: &Input) {
    let r = &input.report;
    let _ = write!(
        s,
        "<section class=\"input\" data-input=\"{ix}\"><h2>Input {}: {}</h2>",
        ix + 1,
        Esc(&r.input.path)
    );

    // Verdict counts of this input.
    s.push_str("<table><tr>");
    for v in VERDICTS {
        let _ = write!(s, "<th>{}</th>", pill(v));
    }
    s.push_str("<th>flows</th></tr><tr>");
    for v in VERDICTS {
        let c = r.summary.verdicts.get(v).copied().unwrap_or(0);
        let _ = write!(s, "<td class=\"n\" data-verdict=\"{}\">{c}</td>", Esc(v));
    }
    let _ = write!(
        s,
        "<td class=\"n\" data-flows=\"{}\">{}</td></tr></table>",
        r.summary.flows, r.summary.flows
    );
    input_summary(s, input);
    matrix(s, input);
    timeline(s, input);
    flow_details(s, rules, input);
    missing(s, input);
    rtp(s, input);
    ptp(s, input);
    multicast(s, input);
    s.push_str("</section>");
}

fn missing(s: &mut String, input: &Input) {
    let r = &input.report;
    if !r.summary.missing.is_empty() {
        let _ = write!(
            s,
            "<details class=\"flow\"><summary><b>Missing flows</b>: <span data-missing=\"{}\">{}</span> flows the inventory says must exist were not seen</summary><table><tr><th>rule</th><th>service</th><th>transport</th><th>ports</th><th>from</th><th>to</th></tr>",
            r.summary.missing.len(),
            r.summary.missing.len()
        );
        for m in &r.summary.missing {
            let _ = write!(
                s,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                Esc(&m.rule_id),
                Esc(&m.service),
                Esc(m.transport),
                Esc(&m.destination_ports),
                Esc(&m.source_device),
                Esc(&m.destination_device)
            );
        }
        s.push_str("</table></details>");
    }
}

/// A row of a flow's evidence.
fn field(s: &mut String, key: &str, attr: &str, value: &str) {
    let _ = write!(
        s,
        "<tr><th>{}</th><td data-field=\"{}\">{}</td></tr>",
        Esc(key),
        Esc(attr),
        Esc(value)
    );
}

fn kv(s: &mut String, key: &str, attr: &str, value: &str) {
    let _ = write!(
        s,
        "<tr><th>{}</th><td data-summary=\"{}\">{}</td></tr>",
        Esc(key),
        Esc(attr),
        Esc(value)
    );
}

fn input_summary(s: &mut String, input: &Input) {
    let i = &input.report.input;
    s.push_str("<h3>Input summary</h3><table class=\"kv\">");
    kv(
        s,
        "format",
        "format",
        i.format.as_deref().unwrap_or("unreadable"),
    );
    kv(s, "variant", "variant", i.variant.as_deref().unwrap_or(""));
    kv(s, "link types", "link_types", &i.link_types.join(", "));
    kv(s, "packets", "packets", &n(i.packets));
    kv(s, "bytes captured", "bytes", &n(i.bytes));
    kv(
        s,
        "first packet",
        "first_ts",
        i.first_ts.as_deref().unwrap_or("-"),
    );
    kv(
        s,
        "last packet",
        "last_ts",
        i.last_ts.as_deref().unwrap_or("-"),
    );
    let l4: Vec<String> = i
        .protocols
        .l4
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    kv(s, "transport protocols", "l4", &l4.join(", "));
    if !i.vlans.is_empty() {
        let v: Vec<String> = i.vlans.iter().map(|(k, c)| format!("{k}: {c}")).collect();
        kv(s, "VLANs", "vlans", &v.join(", "));
    }
    kv(s, "snapped packets", "snapped", &n(i.snapped));
    kv(s, "truncated IP", "truncated_ip", &n(i.truncated_ip));
    let m: Vec<String> = i
        .malformed
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect();
    kv(s, "malformed", "malformed", &m.join(", "));
    kv(s, "read errors", "error_count", &n(i.error_count));
    kv(s, "skipped bytes", "skipped_bytes", &n(i.skipped_bytes));
    kv(
        s,
        "flows evicted early",
        "evictions",
        &n(input.report.summary.evictions),
    );
    s.push_str("</table>");
    if !i.errors.is_empty() {
        s.push_str("<h3 class=\"bad\">Read errors</h3><table><tr><th class=\"n\">byte offset</th><th class=\"n\">record</th><th>kind</th><th>message</th><th>fatal</th></tr>");
        for e in &i.errors {
            let _ = write!(
                s,
                "<tr data-error-offset=\"{}\"><td class=\"n\">{} (0x{:x})</td><td class=\"n\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                e.offset,
                e.offset,
                e.offset,
                e.record.map(n).unwrap_or_default(),
                Esc(e.kind),
                Esc(&e.message),
                if e.fatal { "yes" } else { "" }
            );
        }
        s.push_str("</table>");
        for k in i.error_kinds.iter().filter(|k| k.count > k.kept) {
            let _ = write!(
                s,
                "<p>{} {} errors in all, from byte {} to byte {}; {} listed.</p>",
                k.count,
                Esc(k.kind),
                k.first_offset,
                k.last_offset,
                k.kept
            );
        }
    }
}

fn matrix(s: &mut String, input: &Input) {
    let pairs = &input.acc.pairs;
    if pairs.is_empty() {
        return;
    }
    // Senders as rows, receivers as columns, each by flows; the rest merged.
    let mut rows_w: HashMap<&str, u64> = HashMap::new();
    let mut cols_w: HashMap<&str, u64> = HashMap::new();
    for ((a, b), c) in pairs {
        *rows_w.entry(a).or_default() += c.flows();
        *cols_w.entry(b).or_default() += c.flows();
    }
    let rows = Axis::new(rows_w);
    let cols = Axis::new(cols_w);
    let (nr, nc) = (rows.len(), cols.len());
    let mut grid: Vec<Cell> = vec![Cell::default(); nr * nc];
    for ((a, b), c) in pairs {
        grid[rows.slot(a) * nc + cols.slot(b)].merge(c);
    }
    let merged = rows.merged || cols.merged;
    let _ = write!(
        s,
        "<h3>Device matrix</h3><p class=\"muted\">Rows send (open the flow), columns receive. A cell counts the flows of the pair and takes the colour of its worst verdict; click it to see the flows.{}</p><table class=\"matrix\"><tr><th>from \\ to</th>",
        if merged {
            format!(
                " {} senders and {} receivers in all; the smaller ones are merged into (others).",
                rows.total, cols.total
            )
        } else {
            String::new()
        }
    );
    for j in 0..nc {
        let _ = write!(s, "<th class=\"col\">{}</th>", Esc(cols.label(j)));
    }
    s.push_str("</tr>");
    for i in 0..nr {
        let _ = write!(s, "<tr><th class=\"r\">{}</th>", Esc(rows.label(i)));
        for j in 0..nc {
            let c = &grid[i * nc + j];
            let Some(worst) = c.worst() else {
                s.push_str("<td></td>");
                continue;
            };
            let _ = write!(
                s,
                "<td class=\"c\" style=\"background:{}\" data-cell-worst=\"{}\" data-cell-flows=\"{}\"><details><summary title=\"{} \u{2192} {}\">{}</summary><div>",
                verdict_colour(worst),
                Esc(worst),
                c.flows(),
                Esc(rows.label(i)),
                Esc(cols.label(j)),
                c.flows()
            );
            let _ = write!(
                s,
                "<b>{} \u{2192} {}</b>: ",
                Esc(rows.label(i)),
                Esc(cols.label(j))
            );
            for (v, k) in VERDICTS.iter().zip(c.counts) {
                if k > 0 {
                    let _ = write!(s, "{} {k} ", pill(v));
                }
            }
            let _ = write!(s, "&middot; {} packets<br>", c.packets);
            let mut sample = c.sample.clone();
            sample.sort_by(|x, y| y.cmp(x));
            for l in &sample {
                let _ = write!(
                    s,
                    "{} {} <span class=\"muted\">#{}</span><br>",
                    pill(l.verdict),
                    Esc(&l.text),
                    l.id
                );
            }
            if c.flows() > sample.len() as u64 {
                let _ = write!(
                    s,
                    "<span class=\"muted\">{} more flows not listed</span>",
                    c.flows() - sample.len() as u64
                );
            }
            s.push_str("</div></details></td>");
        }
        s.push_str("</tr>");
    }
    s.push_str("</table>");
}

/// The rows or the columns of the device matrix.
struct Axis<'a> {
    shown: Vec<&'a str>,
    merged: bool,
    total: usize,
}

impl<'a> Axis<'a> {
    fn new(weight: HashMap<&'a str, u64>) -> Self {
        let mut names: Vec<(&str, u64)> = weight.into_iter().collect();
        names.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(y.0)));
        let total = names.len();
        let merged = total > MATRIX_CAP;
        let keep = if merged { MATRIX_CAP - 1 } else { MATRIX_CAP };
        let mut shown: Vec<&str> = names.iter().take(keep).map(|x| x.0).collect();
        // Alphabetical reads better than by weight once the cut is made.
        shown.sort_unstable();
        Axis {
            shown,
            merged,
            total,
        }
    }

    fn len(&self) -> usize {
        self.shown.len() + usize::from(self.merged)
    }

    fn slot(&self, name: &str) -> usize {
        self.shown
            .iter()
            .position(|x| *x == name)
            .unwrap_or(self.shown.len())
    }

    fn label(&self, i: usize) -> &str {
        self.shown.get(i).copied().unwrap_or("(others)")
    }
}

fn timeline(s: &mut String, input: &Input) {
    let a = &input.acc;
    let r = &input.report.input;
    let (Some(start), Some(end)) = (r.first_ts_ns, r.last_ts_ns) else {
        return;
    };
    if a.flows == 0 {
        return;
    }
    let mut lines: Vec<&Line> = a.timeline.iter().map(|x| &x.0).collect();
    lines.sort_by_key(|l| (l.first_ns, l.id));
    let bars: Vec<Bar> = lines
        .iter()
        .map(|l| Bar {
            label: format!("#{} {}", l.id, l.text),
            verdict: l.verdict,
            first_ns: l.first_ns,
            last_ns: l.last_ns,
        })
        .collect();
    let buckets: Vec<(i64, [u64; 5])> = a.buckets.iter().map(|(k, v)| (*k, *v)).collect();
    let _ = write!(
        s,
        "<h3>Timeline</h3><p class=\"muted\">Flow starts per {:.3} s, then the {} flows drawn (of {}), those not documented and the largest first.</p>{}",
        a.bucket_ns as f64 / 1e9,
        bars.len(),
        a.flows,
        svg::timeline(start, end, a.bucket_ns, &buckets, &bars)
    );
}

/// The rule's provenance: document, section and the quote it rests on.
fn rule_block(s: &mut String, rules: &RuleSet, id: &str, role: &str) {
    match rules.rule(id) {
        Some(rule) => {
            let _ = write!(
                s,
                "<div class=\"rule\" data-rule=\"{}\"><b>{}</b> {}: {} {} &mdash; {} <span class=\"muted\">({}, {})</span>, {} &sect; {}<div class=\"quote\">{}</div></div>",
                Esc(id),
                Esc(role),
                Esc(id),
                Esc(&rule.vendor),
                Esc(&rule.product),
                Esc(&rule.service),
                Esc(rule.requirement.name()),
                Esc(rule.direction.name()),
                Esc(&rule.document),
                Esc(&rule.section),
                Esc(&rule.quote)
            );
        }
        None => {
            let _ = write!(
                s,
                "<div class=\"rule\"><b>{}</b> {}</div>",
                Esc(role),
                Esc(id)
            );
        }
    }
}

fn flow_details(s: &mut String, rules: &RuleSet, input: &Input) {
    let a = &input.acc;
    let mut bad: Vec<&FlowRecord> = a
        .detail
        .iter()
        .map(|k| &k.0.rec)
        .filter(|f| f.verdict.name() != "documented" || !f.findings.is_empty())
        .collect();
    if bad.is_empty() {
        return;
    }
    bad.sort_by(|x, y| {
        severity(y.verdict.name())
            .cmp(&severity(x.verdict.name()))
            .then(y.packets.cmp(&x.packets))
            .then(x.id.cmp(&y.id))
    });
    let _ = write!(
        s,
        "<h3>Flows to act on</h3><p class=\"muted\">Flows not documented, or with findings: {} listed{}. Show <select class=\"vfilter\"><option value=\"\">all</option>",
        bad.len(),
        if a.worth > a.detail.len() as u64 {
            format!(
                "; {} more flows worth showing were left out, the smallest by packets",
                a.worth - a.detail.len() as u64
            )
        } else {
            String::new()
        }
    );
    for v in VERDICTS {
        let _ = write!(s, "<option>{}</option>", Esc(v));
    }
    s.push_str("</select></p>");
    for f in bad {
        let v = f.verdict.name();
        let _ = write!(
            s,
            "<details class=\"flow\" data-flow-id=\"{}\" data-flow-verdict=\"{}\"><summary>{} {} <b>{}</b> &rarr; <b>{}</b> &middot; {} packets{}</summary>",
            f.id,
            Esc(v),
            pill(v),
            Esc(&flow_text(f)),
            Esc(&super::endpoint(&f.src_device, &f.src_ip, &f.src_mac)),
            Esc(&super::endpoint(&f.dst_device, &f.dst_ip, &f.dst_mac)),
            f.packets,
            f.blocked_kind
                .map(|k| format!(" &middot; {}", Esc(k)))
                .unwrap_or_default()
        );
        s.push_str("<table class=\"kv\">");
        field(s, "flow", "id", &format!("#{}", f.id));
        field(
            s,
            "time",
            "time",
            &format!("{} \u{2013} {}", f.first_ts, f.last_ts),
        );
        field(
            s,
            "packets (fwd / rev)",
            "packets",
            &format!("{} / {}", f.packets_fwd, f.packets_rev),
        );
        field(
            s,
            "bytes (fwd / rev)",
            "bytes",
            &format!("{} / {}", f.bytes_fwd, f.bytes_rev),
        );
        field(
            s,
            "state",
            "conn_state",
            &format!("{} {}", f.conn_state.unwrap_or("-"), f.history),
        );
        if let Some(app) = f.app {
            field(s, "application", "app", app);
        }
        if let Some(vlan) = f.vlan {
            field(s, "VLAN", "vlan", &vlan.to_string());
        }
        for e in &f.icmp_errors {
            field(
                s,
                "ICMP error",
                "icmp",
                &format!(
                    "{} type {} code {} from {} at {}",
                    e.family, e.icmp_type, e.code, e.from, e.ts
                ),
            );
        }
        for fi in &f.findings {
            field(s, fi.kind, "finding", &fi.detail);
        }
        if !f.candidates.is_empty() {
            field(s, "candidates", "candidates", &f.candidates.join(", "));
        }
        s.push_str("</table>");
        let role = match v {
            "documented" | "blocked" => "documented by",
            "undocumented" => "rule",
            _ => "violates",
        };
        for id in &f.rule_ids {
            rule_block(s, rules, id, role);
        }
        for id in &f.hints {
            rule_block(s, rules, id, "nearest rule");
        }
        s.push_str("</details>");
    }
}

fn fmt_opt(x: Option<f64>) -> String {
    x.map(|v| format!("{v:.3}"))
        .unwrap_or_else(|| "-".to_string())
}

fn rtp(s: &mut String, input: &Input) {
    let a = &input.acc;
    if a.rtp_streams == 0 {
        return;
    }
    let mut flows: Vec<&FlowRecord> = a
        .detail
        .iter()
        .map(|k| &k.0.rec)
        .filter(|f| !f.rtp.is_empty())
        .collect();
    flows.sort_by_key(|f| f.id);
    let listed: usize = flows.iter().map(|f| f.rtp.len()).sum();
    let _ = write!(
        s,
        "<h3>RTP stream health</h3><p class=\"muted\"><span data-rtp-streams=\"{}\">{}</span> streams{}.</p><table><tr><th>flow</th><th>direction</th><th>SSRC</th><th class=\"n\">PT</th><th class=\"n\">clock Hz</th><th class=\"n\">packets</th><th class=\"n\">expected</th><th class=\"n\">lost</th><th class=\"n\">duplicates</th><th class=\"n\">out of order</th><th class=\"n\">seq errors</th><th class=\"n\">max delta ms</th><th class=\"n\">mean jitter ms</th><th class=\"n\">max jitter ms</th></tr>",
        a.rtp_streams,
        a.rtp_streams,
        if (listed as u64) < a.rtp_streams {
            format!(", {listed} listed")
        } else {
            String::new()
        }
    );
    for f in flows {
        for st in &f.rtp {
            let lost_cls = if st.lost > 0 { " bad" } else { "" };
            let _ = write!(
                s,
                "<tr data-rtp-ssrc=\"0x{:08x}\"><td>#{} {}</td><td>{}</td><td>0x{:08x}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\" data-rtp=\"packets\">{}</td><td class=\"n\">{}</td><td class=\"n{lost_cls}\" data-rtp=\"lost\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{:.3}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                st.ssrc,
                f.id,
                Esc(&flow_text(f)),
                Esc(st.direction),
                st.ssrc,
                st.payload_type,
                st.clock_rate.map(|c| c.to_string()).unwrap_or_else(|| "-".into()),
                st.packets,
                st.expected,
                st.lost,
                st.duplicates,
                st.out_of_order,
                st.seq_errors,
                st.max_delta_ms,
                fmt_opt(st.mean_jitter_ms),
                fmt_opt(st.max_jitter_ms)
            );
        }
    }
    s.push_str("</table>");
    let mut rtcp: Vec<&FlowRecord> = a
        .detail
        .iter()
        .map(|k| &k.0.rec)
        .filter(|f| f.rtcp.is_some())
        .collect();
    rtcp.sort_by_key(|f| f.id);
    if !rtcp.is_empty() {
        s.push_str("<h3>RTCP</h3>");
        for f in rtcp {
            let _ = write!(
                s,
                "<details class=\"flow\"><summary>#{} {}</summary>",
                f.id,
                Esc(&flow_text(f))
            );
            if let Ok(v) = serde_json::to_value(&f.rtcp) {
                value(s, &v);
            }
            s.push_str("</details>");
        }
    }
}

fn ptp(s: &mut String, input: &Input) {
    let Some(p) = &input.report.ptp else {
        return;
    };
    let _ = write!(
        s,
        "<h3>PTP health</h3><p class=\"muted\"><span data-ptp-flows=\"{}\">{}</span> flows carry PTP.</p>",
        input.acc.ptp_flows, input.acc.ptp_flows
    );
    let _ = write!(
        s,
        "<table class=\"kv\"><tr><th>messages</th><td data-ptp=\"messages\">{}</td></tr>\
         <tr><th>versions</th><td>{}</td></tr>\
         <tr><th>domains</th><td data-ptp=\"domains\">{}</td></tr>\
         <tr><th>sent to the wrong port</th><td data-ptp=\"wrong_port\">{}</td></tr>",
        p.messages,
        Esc(&p
            .versions
            .iter()
            .map(u8::to_string)
            .collect::<Vec<_>>()
            .join(", ")),
        p.domains.len(),
        p.wrong_port
    );
    for f in &p.findings {
        let _ = write!(
            s,
            "<tr><th class=\"bad\" data-ptp-finding=\"{}\">{}</th><td>{}</td></tr>",
            Esc(f.kind),
            Esc(f.kind),
            Esc(&f.detail)
        );
    }
    s.push_str("</table>");
    if let Ok(v) = serde_json::to_value(&p.domains) {
        s.push_str("<details class=\"flow\"><summary>Domains, clocks and rates</summary>");
        value(s, &v);
        s.push_str("</details>");
    }
}

fn multicast(s: &mut String, input: &Input) {
    let a = &input.acc;
    if a.groups.is_empty() {
        return;
    }
    s.push_str("<h3>Multicast and broadcast</h3><table><tr><th>group</th><th class=\"n\">port</th><th class=\"n\">flows</th><th class=\"n\">packets</th><th class=\"n\">bytes</th><th>verdicts</th><th>senders</th><th>content</th></tr>");
    for ((g, port), grp) in &a.groups {
        let _ = write!(
            s,
            "<tr data-group=\"{}\"><td>{}</td><td class=\"n\">{port}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>",
            Esc(g),
            Esc(g),
            grp.flows,
            grp.packets,
            grp.bytes
        );
        for (v, k) in VERDICTS.iter().zip(grp.counts) {
            if k > 0 {
                let _ = write!(s, "{} {k} ", pill(v));
            }
        }
        let _ = write!(
            s,
            "</td><td>{}{}</td><td>{}</td></tr>",
            Esc(&grp.senders.join(", ")),
            if grp.more_senders { ", ..." } else { "" },
            Esc(&grp.apps.join(", "))
        );
    }
    s.push_str("</table>");
    if a.groups_dropped > 0 {
        let _ = write!(
            s,
            "<p class=\"muted\">{} flows to further groups not listed.</p>",
            a.groups_dropped
        );
    }
}

/// A JSON value as nested tables (PTP and RTCP reports).
fn value(s: &mut String, v: &Value) {
    match v {
        Value::Object(map) => {
            s.push_str("<table class=\"kv\">");
            for (k, x) in map {
                let _ = write!(s, "<tr><th>{}</th><td>", Esc(k));
                value(s, x);
                s.push_str("</td></tr>");
            }
            s.push_str("</table>");
        }
        Value::Array(items) => {
            if items.is_empty() {
                s.push_str("<span class=\"muted\">none</span>");
            }
            for x in items {
                value(s, x);
            }
        }
        Value::String(t) => {
            let _ = write!(s, "{}", Esc(t));
        }
        Value::Null => s.push_str("<span class=\"muted\">-</span>"),
        other => {
            let _ = write!(s, "{}", Esc(&other.to_string()));
        }
    }
}

use super::flow_text;

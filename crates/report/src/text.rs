//! The human-readable terminal summary.

use std::fmt::Write as _;
use std::io::Write;

use std::collections::BTreeMap;

use portmatrix_engine::{FlowRecord, FlowSink, InputReport, InputSummary, Verdict};
/// Text taken from captures, files and file names passes through this one
/// sanitiser (control and bidirectional format characters become U+FFFD)
/// before it reaches the terminal.
pub use portmatrix_rules::sanitize;

/// Flows listed per verdict section before "… and N more".
const LISTED: usize = 25;

/// What the terminal report keeps of an input's flows, in bounded memory:
/// the flows with most packets of each non-documented verdict, and
/// per-device verdict counts.
#[derive(Debug, Default)]
pub struct TextFlows {
    /// Per verdict: the kept flows (at most [`LISTED`], most packets first).
    listed: BTreeMap<Verdict, Vec<FlowRecord>>,
    /// Device name → verdict → flows in which the device is either side.
    devices: BTreeMap<String, BTreeMap<&'static str, u64>>,
}

impl FlowSink for TextFlows {
    fn flow(&mut self, record: FlowRecord) -> std::io::Result<()> {
        for d in [&record.src_device, &record.dst_device]
            .into_iter()
            .flatten()
        {
            *self
                .devices
                .entry(d.clone())
                .or_default()
                .entry(record.verdict.name())
                .or_insert(0) += 1;
        }
        if record.verdict == Verdict::Documented {
            return Ok(());
        }
        let list = self.listed.entry(record.verdict).or_default();
        // Keep the LISTED flows with most packets (ties: earliest id).
        let pos = list
            .iter()
            .position(|f| {
                (f.packets, std::cmp::Reverse(f.id))
                    < (record.packets, std::cmp::Reverse(record.id))
            })
            .unwrap_or(list.len());
        if pos < LISTED {
            list.insert(pos, record);
            list.truncate(LISTED);
        }
        Ok(())
    }
}

/// Writes the terminal summary of every input, with its flows' verdicts.
pub fn write_report<W: Write>(
    out: &mut W,
    inputs: &[(InputReport, TextFlows)],
) -> std::io::Result<()> {
    let mut s = String::new();
    for (i, (r, flows)) in inputs.iter().enumerate() {
        if i > 0 {
            s.push('\n');
        }
        render_input(&mut s, &r.input);
        if let Some(why) = &r.nothing_analysed {
            let _ = writeln!(s, "  NOTHING ANALYSED: {why}");
        }
        if r.input.format.is_some() {
            render_verdicts(&mut s, r, flows);
            render_multicast(&mut s, r);
            render_announced(&mut s, r);
        }
        if let Some(ptp) = &r.ptp {
            render_ptp(&mut s, ptp);
        }
    }
    out.write_all(s.as_bytes())
}

/// Writes the line that says the report was cut short by `signal`.
pub fn write_interrupted<W: Write>(out: &mut W, signal: &str) -> std::io::Result<()> {
    writeln!(
        out,
        "\ninterrupted by {}: reading stopped; the report covers what was read before it",
        sanitize(signal)
    )
}

/// Writes only the input summaries (live refreshes).
pub fn write_summaries<W: Write>(out: &mut W, inputs: &[InputSummary]) -> std::io::Result<()> {
    let mut s = String::new();
    for (i, input) in inputs.iter().enumerate() {
        if i > 0 {
            s.push('\n');
        }
        render_input(&mut s, input);
    }
    out.write_all(s.as_bytes())
}

/// Writes a live refresh: the input summary, the verdicts so far, and the
/// live flows that need attention.
pub fn write_live<W: Write>(
    out: &mut W,
    input: &InputSummary,
    verdicts: &portmatrix_engine::VerdictSummary,
    open: &[FlowRecord],
) -> std::io::Result<()> {
    let mut s = String::new();
    render_input(&mut s, input);
    let _ = writeln!(s, "\n  flows        {}", verdicts.flows);
    for v in Verdict::ALL {
        let n = verdicts.verdicts.get(v.name()).copied().unwrap_or(0);
        let _ = writeln!(s, "    {:<16} {n}", v.name());
    }
    if !open.is_empty() {
        let _ = writeln!(s, "\n  live flows that need attention (most packets first)");
        for f in open {
            render_flow(&mut s, f);
        }
    }
    out.write_all(s.as_bytes())
}

fn render_verdicts(s: &mut String, r: &InputReport, flows: &TextFlows) {
    let sum = &r.summary;
    let _ = writeln!(s, "\n  flows        {}", sum.flows);
    crate::mirror::render_loss(s, &sum.capture_loss, "  capture loss ");
    crate::mirror::render_one_way(s, &sum.one_way);
    for v in Verdict::ALL {
        let n = sum.verdicts.get(v.name()).copied().unwrap_or(0);
        let kinds = if v == Verdict::Blocked && n > 0 {
            let k: Vec<String> = sum
                .blocked_kinds
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect();
            format!(" ({})", k.join(", "))
        } else if v == Verdict::Documented && n > 0 {
            // What the verdicts rest on: a port match alone is not a
            // confirmation (docs/verdicts.md, "Basis").
            let k: Vec<String> = sum
                .documented_basis
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect();
            let caveat = if sum.documented_basis.get("port-only").copied().unwrap_or(0) > 0 {
                "; port-only: the port matches a vendor rule, nothing confirms the product"
            } else {
                ""
            };
            format!(" ({}{caveat})", k.join(", "))
        } else {
            String::new()
        };
        let _ = writeln!(s, "    {:<16} {n}{kinds}", v.name());
    }
    if sum.evictions > 0 {
        let _ = writeln!(s, "    evicted early    {} (live-flow cap)", sum.evictions);
    }
    for v in [
        Verdict::Blocked,
        Verdict::Forbidden,
        Verdict::WrongDirection,
        Verdict::Undocumented,
    ] {
        let Some(list) = flows.listed.get(&v).filter(|l| !l.is_empty()) else {
            continue;
        };
        let total = sum.verdicts.get(v.name()).copied().unwrap_or(0) as usize;
        let _ = writeln!(s, "\n  {} flows (most packets first)", v.name());
        for f in list {
            render_flow(s, f);
        }
        if total > list.len() {
            let _ = writeln!(
                s,
                "    … and {} more (see --format json)",
                total - list.len()
            );
        }
    }
    render_hosts(s, &r.hosts);
    if sum.inventory {
        render_devices(s, &flows.devices);
        if !sum.missing.is_empty() {
            render_missing(s, &sum.missing);
        }
    }
}

/// Groups and announced media listed in the text report (the rest: JSON).
const SECTION_ROWS: usize = 10;

/// Multicast membership: groups with their members and flows, queriers, findings.
fn render_multicast(s: &mut String, r: &InputReport) {
    let Some(m) = &r.multicast else { return };
    let queriers: Vec<String> = m
        .queriers
        .iter()
        .map(|q| format!("{} ({})", q.address, q.family.to_uppercase()))
        .collect();
    let _ = writeln!(
        s,
        "\n  multicast    {} group(s), {} IGMP and {} MLD membership message(s), queriers: {}",
        m.groups.len(),
        m.reports,
        m.mld_reports,
        if queriers.is_empty() {
            "none".to_string()
        } else {
            queriers.join(", ")
        }
    );
    for g in m.groups.iter().take(SECTION_ROWS) {
        let members = if g.members.is_empty() {
            "not joined".to_string()
        } else {
            let hosts: Vec<&str> = g.members.iter().take(3).map(|h| h.host.as_str()).collect();
            let more = if g.members.len() > 3 { ", …" } else { "" };
            format!("joined by {} ({}{more})", g.members.len(), hosts.join(", "))
        };
        let _ = writeln!(
            s,
            "    {:<24} {members}; {} flow(s)",
            g.group, g.traffic_flows
        );
    }
    if m.groups.len() > SECTION_ROWS {
        let _ = writeln!(s, "    … and {} more groups", m.groups.len() - SECTION_ROWS);
    }
    for f in &m.findings {
        let _ = writeln!(s, "    ! {}: {}", f.kind, sanitize(&f.detail));
    }
}

/// Media announced by SDP (SIP, SAP), and the announced media never seen.
fn render_announced(s: &mut String, r: &InputReport) {
    let Some(all) = &r.announced else { return };
    let unseen = r.announced_not_seen.as_ref().map_or(0, Vec::len);
    let _ = writeln!(
        s,
        "\n  announced media (SDP)  {} ({unseen} never seen)",
        all.len()
    );
    let line = |s: &mut String, a: &portmatrix_engine::detect::sdp::AnnouncedReport| {
        let addr = a
            .media
            .address
            .map_or_else(|| "?".to_string(), |ip| ip.to_string());
        let formats: Vec<String> = a
            .media
            .formats
            .iter()
            .take(4)
            .map(|f| match (&f.encoding, f.clock_rate) {
                (Some(e), Some(r)) => format!("{} {e}/{r}", f.payload_type),
                (None, Some(r)) => format!("{} /{r}", f.payload_type),
                _ => f.payload_type.to_string(),
            })
            .collect();
        let by = a
            .announced_by
            .map_or_else(String::new, |id| format!(", flow {id}"));
        let _ = writeln!(
            s,
            "    {addr}:{} {} {} [{}] ({}{by}; {} flow(s))",
            a.media.port,
            sanitize(&a.media.media),
            sanitize(&a.media.proto),
            sanitize(&formats.join(", ")),
            a.protocol,
            a.flows
        );
    };
    for a in all.iter().take(SECTION_ROWS) {
        line(s, a);
    }
    if all.len() > SECTION_ROWS {
        let _ = writeln!(s, "    … and {} more", all.len() - SECTION_ROWS);
    }
    if let Some(unseen) = r.announced_not_seen.as_ref().filter(|u| !u.is_empty()) {
        let _ = writeln!(s, "  announced but never seen");
        for a in unseen.iter().take(SECTION_ROWS) {
            line(s, a);
        }
    }
}

/// Recognised hosts with a candidate, best candidate each (docs/recognition.md).
fn render_hosts(s: &mut String, hosts: &[portmatrix_engine::recognize::Host]) {
    let seen: Vec<_> = hosts
        .iter()
        .filter_map(|h| h.candidates.first().map(|c| (h, c)))
        .collect();
    if seen.is_empty() {
        return;
    }
    let _ = writeln!(s, "\n  devices seen (recognised, not inventory)");
    for (h, c) in seen.iter().take(25) {
        let at =
            h.ip.map(|i| i.to_string())
                .or_else(|| h.mac.clone())
                .unwrap_or_default();
        let roles = if c.roles.is_empty() {
            String::new()
        } else {
            format!(" [{}]", c.roles.join(", "))
        };
        let _ = writeln!(
            s,
            "    {:<18} {} {:.2}{}",
            at,
            sanitize(&c.name),
            c.confidence,
            sanitize(&roles)
        );
    }
    if seen.len() > 25 {
        let _ = writeln!(s, "    … and {} more (see --format json)", seen.len() - 25);
    }
}

/// Missing mandatory flows, grouped by device pair.
fn render_missing(s: &mut String, missing: &[portmatrix_engine::Missing]) {
    let mut pairs: BTreeMap<(&str, &str), Vec<&portmatrix_engine::Missing>> = BTreeMap::new();
    for m in missing {
        pairs
            .entry((m.source_device.as_str(), m.destination_device.as_str()))
            .or_default()
            .push(m);
    }
    let _ = writeln!(
        s,
        "\n  missing mandatory flows: {} rules between {} device pairs never seen",
        missing.len(),
        pairs.len()
    );
    for ((a, b), list) in &pairs {
        let services: Vec<String> = list
            .iter()
            .take(6)
            .map(|m| {
                format!(
                    "{} {} ({})",
                    m.transport,
                    m.destination_ports,
                    sanitize(&m.service)
                )
            })
            .collect();
        let more = if list.len() > 6 {
            format!(", +{} more", list.len() - 6)
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "    {} -> {}: {}{more}",
            sanitize(a),
            sanitize(b),
            services.join(", ")
        );
    }
}

fn endpoint(ip: Option<&str>, mac: Option<&str>, port: u16, device: &Option<String>) -> String {
    let host = match (ip, mac) {
        (Some(ip), _) if ip.contains(':') => format!("[{ip}]:{port}"),
        (Some(ip), _) => format!("{ip}:{port}"),
        // A flow without IP: its MAC address, no port.
        (None, Some(mac)) => mac.to_string(),
        (None, None) => "?".to_string(),
    };
    match device {
        Some(d) => format!("{host} ({})", sanitize(d)),
        None => host,
    }
}

fn render_flow(s: &mut String, f: &FlowRecord) {
    let vlan = f.vlan.map(|v| format!(" vlan {v}")).unwrap_or_default();
    let state = f.conn_state.map(|c| format!(" {c}")).unwrap_or_default();
    let kind = f
        .blocked_kind
        .map(|k| format!(" [{k}]"))
        .unwrap_or_default();
    let _ = writeln!(
        s,
        "    {} {} -> {}{vlan}  {} pkts ({}/{}){state} {}{kind}",
        f.transport,
        endpoint(
            f.src_ip.as_deref(),
            f.src_mac.as_deref(),
            f.src_port,
            &f.src_device
        ),
        endpoint(
            f.dst_ip.as_deref(),
            f.dst_mac.as_deref(),
            f.dst_port,
            &f.dst_device
        ),
        f.packets,
        f.packets_fwd,
        f.packets_rev,
        sanitize(&f.history),
    );
    if !f.rule_ids.is_empty() {
        let more = if f.rule_ids.len() > 3 {
            format!(" (+{})", f.rule_ids.len() - 3)
        } else {
            String::new()
        };
        let _ = writeln!(
            s,
            "        rules: {}{more}",
            f.rule_ids
                .iter()
                .take(3)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    for finding in &f.findings {
        let _ = writeln!(s, "        {}: {}", finding.kind, sanitize(&finding.detail));
    }
    if let Some(l) = f.capture_loss.as_ref().filter(|l| l.gaps > 0) {
        crate::mirror::render_loss(s, l, "        capture-loss:");
    }
    if !f.hints.is_empty() {
        let _ = writeln!(s, "        nearest rules: {}", f.hints.join(", "));
    }
}

/// A short PTP section: per domain its grandmasters, rates and delay
/// mechanism, then the PTP findings.
fn render_ptp(s: &mut String, ptp: &portmatrix_engine::detect::ptp::tracker::PtpReport) {
    let _ = writeln!(s, "\n  PTP          {} messages", ptp.messages);
    for d in &ptp.domains {
        // The busiest sender (the master) of each kind.
        let rate = |r: &[portmatrix_engine::detect::ptp::tracker::RateReport]| match r.first() {
            Some(r) => match r.per_second {
                Some(p) => format!("{p:.2}/s"),
                None => format!("{} msg", r.messages),
            },
            None => "none".to_string(),
        };
        let _ = writeln!(
            s,
            "    v{} domain {}: {} clock(s), sync {}, announce {}, delay {}",
            d.version,
            sanitize(&d.domain.to_string()),
            d.clocks.len(),
            rate(&d.sync),
            rate(&d.announce),
            d.delay_mechanism.unwrap_or("none seen")
        );
        for g in &d.grandmasters {
            let first = g.periods.first().map_or("", |p| p.first_ts.as_str());
            let last = g.periods.last().map_or("", |p| p.last_ts.as_str());
            let data = match (g.grandmaster.priority1, g.grandmaster.stratum) {
                (Some(p1), _) => format!(
                    "priority1 {p1}, class {}, priority2 {}",
                    g.grandmaster.clock_class.unwrap_or(0),
                    g.grandmaster.priority2.unwrap_or(0)
                ),
                (None, Some(st)) => format!("stratum {st}"),
                (None, None) => String::new(),
            };
            let _ = writeln!(
                s,
                "      grandmaster {} ({data}) {first} .. {last}",
                g.grandmaster.identity
            );
        }
    }
    for f in &ptp.findings {
        let _ = writeln!(s, "    {}: {}", f.kind, sanitize(&f.detail));
    }
}

fn render_devices(s: &mut String, table: &BTreeMap<String, BTreeMap<&'static str, u64>>) {
    if table.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "\n  per device     documented undocumented blocked forbidden wrong-dir"
    );
    for (dev, counts) in table {
        let g = |k: &str| counts.get(k).copied().unwrap_or(0);
        let _ = writeln!(
            s,
            "    {:<24} {:>6} {:>12} {:>7} {:>9} {:>9}",
            sanitize(dev),
            g("documented"),
            g("undocumented"),
            g("blocked"),
            g("forbidden"),
            g("wrong-direction")
        );
    }
}

fn render_input(s: &mut String, input: &InputSummary) {
    let _ = writeln!(s, "{}", sanitize(&input.path));
    match &input.variant {
        Some(v) => {
            let gz = if input.compressed {
                ", gzip-compressed"
            } else {
                ""
            };
            let _ = writeln!(s, "  format       {}{gz}", sanitize(v));
        }
        None => {
            let _ = writeln!(s, "  format       unreadable");
        }
    }
    if !input.link_types.is_empty() {
        let _ = writeln!(s, "  link types   {}", input.link_types.join(", "));
    }
    if input.interfaces.len() > 1 || input.interfaces.iter().any(|i| i.dropped.is_some()) {
        for ifc in &input.interfaces {
            let name = ifc.name.as_deref().map(sanitize).unwrap_or_default();
            let dropped = ifc
                .dropped
                .map(|d| format!(", {d} dropped by the interface"))
                .unwrap_or_default();
            let _ = writeln!(
                s,
                "  interface {:<2} {} {} snaplen {}: {} packets{dropped}",
                ifc.id, ifc.link_type, name, ifc.snaplen, ifc.packets
            );
        }
    }
    let _ = writeln!(s, "  packets      {}", input.packets);
    let _ = writeln!(
        s,
        "  bytes        {} captured, {} on the wire",
        input.bytes, input.orig_bytes
    );
    if let (Some(first), Some(last)) = (&input.first_ts, &input.last_ts) {
        // i128: capture timestamps span the whole i64 range (a pcapng
        // tsoffset can push one near i64::MIN), and the difference of two
        // overflowed i64 (found by fuzzing).
        let span =
            i128::from(input.last_ts_ns.unwrap_or(0)) - i128::from(input.first_ts_ns.unwrap_or(0));
        let dur = span as f64 / 1e9;
        let _ = writeln!(s, "  first        {first}");
        let _ = writeln!(s, "  last         {last} ({dur:.3} s)");
    }
    if !input.protocols.l3.is_empty() {
        let _ = writeln!(s, "  network      {}", counts(&input.protocols.l3));
    }
    if !input.protocols.l4.is_empty() {
        let _ = writeln!(s, "  transport    {}", counts(&input.protocols.l4));
    }
    if input.vlan_tagged > 0 {
        let ids: Vec<String> = input
            .vlans
            .iter()
            .map(|(id, n)| format!("{id} ({n})"))
            .collect();
        let _ = writeln!(
            s,
            "  vlan-tagged  {} packets; ids {}",
            input.vlan_tagged,
            ids.join(", ")
        );
    }
    if input.snapped > 0 {
        let _ = writeln!(
            s,
            "  snapped      {} packets shorter than on the wire",
            input.snapped
        );
    }
    if !input.malformed.is_empty() {
        let _ = writeln!(s, "  malformed    {}", counts(&input.malformed));
    }
    render_mirror_sessions(s, input);
    if input.unknown_blocks > 0 {
        let _ = writeln!(
            s,
            "  skipped      {} unknown or custom blocks",
            input.unknown_blocks
        );
    }
    if input.skipped_bytes > 0 {
        let _ = writeln!(
            s,
            "  resync       {} bytes skipped after damage",
            input.skipped_bytes
        );
    }
    crate::mirror::render(s, input);
    if let Some(live) = &input.live {
        let _ = writeln!(
            s,
            "  kernel       {} received, {} dropped (buffer full), {} dropped by the interface",
            live.received, live.dropped, live.if_dropped
        );
    }
    for e in &input.errors {
        let record = e
            .record
            .map(|r| format!("record {r}, "))
            .unwrap_or_default();
        let stop = if e.fatal { " (reading stopped)" } else { "" };
        let _ = writeln!(
            s,
            "  error        {record}byte {} (0x{:x}): {}{stop}",
            e.offset,
            e.offset,
            sanitize(&e.message)
        );
    }
    // A flood of one kind of error is listed by its first and last ones only.
    for k in input.error_kinds.iter().filter(|k| k.count > k.kept) {
        let _ = writeln!(
            s,
            "  error        … {} {} errors in all, bytes {} to {}; {} shown",
            k.count, k.kind, k.first_offset, k.last_offset, k.kept
        );
    }
}

/// The tunnels and remote-mirror sessions the packets came through
/// (`docs/mirror.md`).
fn render_mirror_sessions(s: &mut String, input: &InputSummary) {
    if input.decapsulated > 0 {
        let _ = writeln!(
            s,
            "  decapsulated {} packets from {} tunnel or mirror sessions",
            input.decapsulated,
            input.mirror_sessions.len()
        );
    }
    for m in &input.mirror_sessions {
        let id = m.id.map(|i| format!(" {i}")).unwrap_or_default();
        let ends = match (&m.sensor, &m.collector) {
            (Some(a), Some(b)) => format!(" {} -> {}", sanitize(a), sanitize(b)),
            _ => String::new(),
        };
        let mut detail = Vec::new();
        if !m.vlans.is_empty() {
            let v: Vec<String> = m.vlans.iter().map(u16::to_string).collect();
            detail.push(format!("vlan {}", v.join(",")));
        }
        if m.ingress + m.egress > 0 {
            detail.push(format!("{} ingress, {} egress", m.ingress, m.egress));
        }
        if m.max_depth > 1 {
            detail.push(format!("up to {} layers", m.max_depth));
        }
        let detail = if detail.is_empty() {
            String::new()
        } else {
            format!(" ({})", detail.join("; "))
        };
        let _ = writeln!(
            s,
            "    session    {}{id}{ends}: {} packets{detail}",
            m.kind, m.packets
        );
    }
    if input.decap_depth_exceeded > 0 {
        let _ = writeln!(
            s,
            "  decap depth  {} packets nested deeper than the limit (the tunnel is the packet)",
            input.decap_depth_exceeded
        );
    }
}

fn counts(map: &std::collections::BTreeMap<String, u64>) -> String {
    let mut v: Vec<(&String, &u64)> = map.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    v.iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn sanitize_removes_escape_sequences() {
        assert_eq!(sanitize("eth0\x1b[2Jx"), "eth0\u{fffd}[2Jx");
    }

    #[test]
    fn duration_of_timestamps_across_the_whole_i64_range() {
        // Fuzz finding (target analysis): a 443-byte pcapng whose packets
        // are stamped 1677-09-21 (near i64::MIN ns, through if_tsoffset)
        // and 2023-11-14; `last - first` overflowed i64.
        let input = portmatrix_engine::InputSummary {
            path: "fuzz".into(),
            format: Some("pcapng".into()),
            link_types: vec!["ether".into()],
            packets: 2,
            bytes: 132,
            orig_bytes: 132,
            first_ts_ns: Some(-9_223_372_036_604_775_808),
            last_ts_ns: Some(1_700_000_000_250_000_000),
            first_ts: Some("1677-09-21T00:12:43.395224192Z".into()),
            last_ts: Some("2023-11-14T22:13:20.250000000Z".into()),
            ..Default::default()
        };
        let mut out = Vec::new();
        super::write_summaries(&mut out, &[input]).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("(10923372036.855 s)"), "{text}");
    }

    #[test]
    fn mirror_sessions_are_listed_under_the_input() {
        let mut input = portmatrix_engine::InputSummary {
            path: "erspan.pcap".into(),
            format: Some("pcap".into()),
            link_types: vec!["ether".into()],
            packets: 12,
            bytes: 1200,
            orig_bytes: 1200,
            ..Default::default()
        };
        input.decapsulated = 12;
        input.decap_depth_exceeded = 1;
        input.mirror_sessions = vec![portmatrix_engine::MirrorSession {
            kind: "erspan-iii",
            id: Some(200),
            sensor: Some("192.0.2.1".into()),
            collector: Some("192.0.2.2\u{1b}[2J".into()),
            packets: 12,
            vlans: vec![20, 30],
            ingress: 5,
            egress: 7,
            max_depth: 1,
        }];
        let mut out = Vec::new();
        super::write_summaries(&mut out, &[input]).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("decapsulated 12 packets from 1 tunnel or mirror sessions\n"),
            "{text}"
        );
        assert!(
            text.contains(
                "session    erspan-iii 200 192.0.2.1 -> 192.0.2.2\u{fffd}[2J: 12 packets \
                 (vlan 20,30; 5 ingress, 7 egress)\n"
            ),
            "{text}"
        );
        assert!(text.contains("decap depth  1 packets"), "{text}");
    }
}

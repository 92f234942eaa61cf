//! The human-readable terminal summary.

use std::fmt::Write as _;
use std::io::Write;

use portmatrix_engine::InputSummary;

/// Writes the terminal summary of every input.
pub fn write_report<W: Write>(out: &mut W, inputs: &[InputSummary]) -> std::io::Result<()> {
    let mut s = String::new();
    for (i, input) in inputs.iter().enumerate() {
        if i > 0 {
            s.push('\n');
        }
        render_input(&mut s, input);
    }
    out.write_all(s.as_bytes())
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
            let _ = writeln!(s, "  format       {v}{gz}");
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
        let dur = (input.last_ts_ns.unwrap_or(0) - input.first_ts_ns.unwrap_or(0)) as f64 / 1e9;
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
}

fn counts(map: &std::collections::BTreeMap<String, u64>) -> String {
    let mut v: Vec<(&String, &u64)> = map.iter().collect();
    v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    v.iter()
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Replaces control characters so text taken from a capture cannot drive the terminal.
pub fn sanitize(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '\u{fffd}' } else { c })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::sanitize;

    #[test]
    fn sanitize_removes_escape_sequences() {
        assert_eq!(sanitize("eth0\x1b[2Jx"), "eth0\u{fffd}[2Jx");
    }
}

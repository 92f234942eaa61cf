//! The text lines of what the mirror did to the traffic (docs/mirror.md):
//! duplicates and the capture clock.

use std::fmt::Write as _;

use portmatrix_engine::mirror::Step;
use portmatrix_engine::InputSummary;

fn step(st: &Step) -> String {
    format!(
        "record {} (byte {}), {:+.6} s",
        st.record,
        st.offset,
        st.ns() as f64 / 1e9
    )
}

/// Appends the mirror lines of the input summary (nothing when the mirror
/// left no trace).
pub(crate) fn render(s: &mut String, input: &InputSummary) {
    let d = &input.duplicates;
    if d.count > 0 {
        let first: Vec<String> = d.first_records.iter().map(u64::to_string).collect();
        let _ = writeln!(
            s,
            "  duplicates   {} frames repeated within {} frames, not counted in flows (first: records {})",
            d.count,
            d.window,
            first.join(", ")
        );
    }
    let t = &input.timestamps;
    if t.backwards > 0 {
        let first: Vec<String> = t.first_backwards.iter().map(step).collect();
        let _ = writeln!(
            s,
            "  clock        {} steps backwards; first: {}",
            t.backwards,
            first.join("; ")
        );
    }
    if t.jumps > 0 {
        let first: Vec<String> = t.first_jumps.iter().map(step).collect();
        let _ = writeln!(
            s,
            "  clock        {} jumps forward over an hour; first: {}",
            t.jumps,
            first.join("; ")
        );
    }
    if t.gaps > 0 {
        let longest: Vec<String> = t.longest_gaps.iter().map(step).collect();
        let _ = writeln!(
            s,
            "  gaps         {} over 10 s with no packet; longest: {}",
            t.gaps,
            longest.join("; ")
        );
    }
}

/// The capture-loss line of an input or a flow (nothing without ACKs).
pub(crate) fn render_loss(
    s: &mut String,
    l: &portmatrix_engine::flow::loss::LossCounts,
    label: &str,
) {
    if l.acks == 0 {
        return;
    }
    let _ = writeln!(
        s,
        "{label} {:.2} % ({} of {} TCP ACKs acknowledged data never captured, {} bytes)",
        l.percent(),
        l.gaps,
        l.acks,
        l.gap_bytes
    );
}

/// The one-way line of an input (nothing when every host was seen both ways).
pub(crate) fn render_one_way(s: &mut String, o: &portmatrix_engine::oneway::OneWay) {
    if o.send_only > 0 {
        let more = if o.send_only as usize > o.send_only_hosts.len() {
            ", ..."
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "  one-way      {} hosts only seen sending (nothing to them captured: one direction mirrored?): {}{more}",
            o.send_only,
            o.send_only_hosts.join(", ")
        );
    }
    if o.receive_only > 0 {
        let more = if o.receive_only as usize > o.receive_only_hosts.len() {
            ", ..."
        } else {
            ""
        };
        let _ = writeln!(
            s,
            "  one-way      {} hosts only seen receiving: {}{more}",
            o.receive_only,
            o.receive_only_hosts.join(", ")
        );
    }
}

//! The report's charts as inline SVG: no script and no fetch draws them.

use std::fmt::Write;

use super::escape::Esc;
use super::{verdict_colour, VERDICTS};

/// A horizontal bar per verdict, with its count: `counts` in [`VERDICTS`] order.
pub fn verdict_bars(counts: &[u64; 5]) -> String {
    let max = counts.iter().copied().max().unwrap_or(0).max(1);
    let (row, label_w, bar_w) = (26u32, 130u32, 420u32);
    let height = row * VERDICTS.len() as u32 + 8;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg class=\"chart\" role=\"img\" aria-label=\"flows per verdict\" width=\"{}\" height=\"{height}\" viewBox=\"0 0 {} {height}\">",
        label_w + bar_w + 90,
        label_w + bar_w + 90
    );
    for (i, (v, n)) in VERDICTS.iter().zip(counts).enumerate() {
        let y = 4 + row * i as u32;
        let w = if *n == 0 {
            0
        } else {
            ((*n as f64 / max as f64) * f64::from(bar_w))
                .ceil()
                .max(2.0) as u32
        };
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>\
             <rect x=\"{label_w}\" y=\"{y}\" width=\"{w}\" height=\"{}\" fill=\"{}\"><title>{}: {n}</title></rect>\
             <text x=\"{}\" y=\"{}\" data-chart-verdict=\"{}\">{n}</text>",
            label_w - 8,
            y + 15,
            Esc(v),
            row - 6,
            verdict_colour(v),
            Esc(v),
            label_w + w + 6,
            y + 15,
            Esc(v),
        );
    }
    s.push_str("</svg>");
    s
}

/// One flow drawn on the timeline.
pub struct Bar {
    pub label: String,
    pub verdict: &'static str,
    pub first_ns: i64,
    pub last_ns: i64,
}

/// Flow starts per time bucket (stacked by verdict) over `[start, end]`,
/// then one bar per flow of `bars` from its first to its last packet.
pub fn timeline(
    start: i64,
    end: i64,
    bucket_ns: i64,
    buckets: &[(i64, [u64; 5])],
    bars: &[Bar],
) -> String {
    // i128: timestamps may span the whole i64 range (a damaged capture).
    let span = (i128::from(end) - i128::from(start)).max(1) as f64;
    let (left, width) = (330.0f64, 860.0f64);
    let hist_h = 80.0f64;
    let bar_h = 12.0f64;
    let height = hist_h + 30.0 + bar_h * bars.len() as f64 + 10.0;
    let x = |t: i64| left + ((i128::from(t) - i128::from(start)) as f64 / span) * width;
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg class=\"chart timeline\" role=\"img\" aria-label=\"flows over capture time\" width=\"{w}\" height=\"{height}\" viewBox=\"0 0 {w} {height}\">",
        w = left + width + 20.0
    );
    // Histogram of flow starts.
    let max = buckets
        .iter()
        .map(|(_, c)| c.iter().sum::<u64>())
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let _ = write!(
        s,
        "<text x=\"{}\" y=\"14\" text-anchor=\"end\">flows started</text><text x=\"{}\" y=\"{}\" text-anchor=\"end\">(max {})</text>",
        left - 8.0,
        left - 8.0,
        30,
        max as u64
    );
    for (b, counts) in buckets {
        let t0 = b.saturating_mul(bucket_ns);
        let x0 = x(t0.max(start));
        let x1 = x(t0
            .saturating_add(bucket_ns)
            .min(end.max(start.saturating_add(1))));
        let w = (x1 - x0).max(1.0);
        let mut y = hist_h;
        for (v, n) in VERDICTS.iter().zip(counts) {
            if *n == 0 {
                continue;
            }
            let h = (*n as f64 / max) * (hist_h - 4.0);
            y -= h;
            let _ = write!(
                s,
                "<rect x=\"{x0:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"{}\"><title>{}: {n}</title></rect>",
                verdict_colour(v),
                Esc(v)
            );
        }
    }
    let _ = write!(
        s,
        "<line x1=\"{left}\" y1=\"{hist_h}\" x2=\"{}\" y2=\"{hist_h}\" stroke=\"#888\"/>\
         <text x=\"{left}\" y=\"{}\" class=\"axis\">+0 s</text>\
         <text x=\"{}\" y=\"{}\" class=\"axis\" text-anchor=\"end\">+{:.3} s</text>",
        left + width,
        hist_h + 14.0,
        left + width,
        hist_h + 14.0,
        span / 1e9
    );
    for (i, b) in bars.iter().enumerate() {
        let y = hist_h + 24.0 + bar_h * i as f64;
        let x0 = x(b.first_ns);
        let w = (x(b.last_ns) - x0).max(2.0);
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\" class=\"small\">{}</text>\
             <rect x=\"{x0:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{:.1}\" fill=\"{}\"><title>{} ({})</title></rect>",
            left - 6.0,
            y + bar_h - 3.0,
            Esc(&b.label),
            bar_h - 2.0,
            verdict_colour(b.verdict),
            Esc(&b.label),
            Esc(b.verdict),
        );
    }
    s.push_str("</svg>");
    s
}

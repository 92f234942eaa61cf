//! Capture loss as Zeek's `capture_loss` estimates it (docs/mirror.md,
//! "Capture loss"): TCP data acknowledged but never seen. Each time one side
//! acknowledges sequence space beyond what it had acknowledged before, that
//! is an ACK event; when part of that newly acknowledged space was never
//! captured, it is also a gap event. Loss is gaps / acks.

use serde::Serialize;

use super::tcp::Segment;

/// Segments seen beyond a hole, per direction, before the oldest are
/// forgotten (they then count as missing: bounded memory per flow).
const RANGES: usize = 8;

/// Gap and ACK events of a flow or an input.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LossCounts {
    /// ACKs that acknowledged new sequence space.
    pub acks: u64,
    /// Of them, ACKs that acknowledged space never captured.
    pub gaps: u64,
    /// Bytes acknowledged but never captured.
    pub gap_bytes: u64,
}

impl LossCounts {
    pub fn add(&mut self, o: &LossCounts) {
        self.acks += o.acks;
        self.gaps += o.gaps;
        self.gap_bytes += o.gap_bytes;
    }

    /// Gaps per ACK event, in percent (Zeek's `percent_lost`); 0 without ACKs.
    pub fn percent(&self) -> f64 {
        if self.acks == 0 {
            0.0
        } else {
            self.gaps as f64 * 100.0 / self.acks as f64
        }
    }
}

/// What was seen of one direction's sequence space.
#[derive(Debug, Clone, Default)]
struct Side {
    /// Everything before this was seen or acknowledged; `None` until the
    /// first segment of the side.
    seen: Option<u32>,
    /// Segments seen beyond `seen` (a hole before them), `[start, end)`.
    ahead: Vec<(u32, u32)>,
    /// The highest acknowledgement of this side's data; `None` before the
    /// first (which sets the baseline and is no event).
    acked: Option<u32>,
}

/// `a` is before `b` in sequence space (RFC 9293 §3.4: modulo 2^32).
#[inline]
fn before(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}

impl Side {
    fn data(&mut self, start: u32, end: u32) {
        let Some(seen) = self.seen else {
            self.seen = Some(end);
            return;
        };
        if !before(seen, start) {
            // Contiguous with (or overlapping) what was seen.
            if before(seen, end) {
                let mut s = end;
                // Close holes the segment filled.
                loop {
                    let before_len = self.ahead.len();
                    self.ahead.retain(|&(a, b)| {
                        if !before(s, a) {
                            if before(s, b) {
                                s = b;
                            }
                            false
                        } else {
                            true
                        }
                    });
                    if self.ahead.len() == before_len {
                        break;
                    }
                }
                self.seen = Some(s);
            }
        } else if start != end {
            if self.ahead.len() == RANGES {
                self.ahead.remove(0);
            }
            self.ahead.push((start, end));
        }
    }

    /// The peer acknowledged everything before `ack`: the bytes of the newly
    /// acknowledged space that were never seen, or `None` when nothing new
    /// was acknowledged.
    fn acked(&mut self, ack: u32) -> Option<u64> {
        let seen = self.seen?;
        let Some(prev) = self.acked.replace(ack) else {
            if before(seen, ack) {
                self.seen = Some(ack);
                self.ahead.retain(|&(_, b)| before(ack, b));
            }
            return None;
        };
        if !before(prev, ack) {
            self.acked = Some(prev);
            return None;
        }
        if !before(seen, ack) {
            return Some(0);
        }
        let mut missing = u64::from(ack.wrapping_sub(seen));
        for &(a, b) in &self.ahead {
            // The part of [a, b) within [seen, ack).
            let lo = if before(a, seen) { seen } else { a };
            let hi = if before(ack, b) { ack } else { b };
            if before(lo, hi) {
                missing = missing.saturating_sub(u64::from(hi.wrapping_sub(lo)));
            }
        }
        self.ahead.retain(|&(_, b)| before(ack, b));
        self.seen = Some(ack);
        Some(missing)
    }
}

/// Capture-loss state of one TCP connection, by endpoint.
#[derive(Debug, Clone, Default)]
pub struct Loss {
    sides: [Side; 2],
    pub counts: LossCounts,
}

impl Loss {
    /// One segment sent by endpoint `dir`, acknowledging the peer's data
    /// up to `ack_no` when it has the ACK flag.
    pub fn segment(&mut self, dir: usize, seg: &Segment) {
        let space = seg.len + u32::from(seg.syn) + u32::from(seg.fin);
        let side = &mut self.sides[dir];
        side.data(seg.seq, seg.seq.wrapping_add(space));
        if seg.ack && !seg.rst {
            if let Some(missing) = self.sides[1 - dir].acked(seg.ack_no) {
                self.counts.acks += 1;
                if missing > 0 {
                    self.counts.gaps += 1;
                    self.counts.gap_bytes += missing;
                }
            }
        }
    }

    /// The roles of the connection were swapped: so are the sides.
    pub fn flip(&mut self) {
        self.sides.swap(0, 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg(ack: bool, seq: u32, len: u32, ack_no: u32) -> Segment {
        Segment {
            syn: false,
            ack,
            fin: false,
            rst: false,
            seq,
            len,
            ack_no,
        }
    }

    #[test]
    fn an_ack_beyond_the_data_seen_is_a_gap() {
        let mut l = Loss::default();
        l.segment(0, &seg(true, 1000, 100, 1));
        l.segment(1, &seg(true, 1, 0, 1100)); // the first ACK: the baseline
        l.segment(0, &seg(true, 1100, 100, 1)); // 1100..1200
                                                // 1200..1300 not captured
        l.segment(0, &seg(true, 1300, 100, 1)); // 1300..1400, ahead
        l.segment(1, &seg(true, 1, 0, 1400));
        assert_eq!(
            l.counts,
            LossCounts {
                acks: 1,
                gaps: 1,
                gap_bytes: 100
            }
        );
        // The same ACK again acknowledges nothing new.
        l.segment(1, &seg(true, 1, 0, 1400));
        assert_eq!(l.counts.acks, 1);
        // A retransmission that fills a hole before the ACK: no gap.
        l.segment(0, &seg(true, 1500, 100, 1));
        l.segment(0, &seg(true, 1400, 100, 1));
        l.segment(1, &seg(true, 1, 0, 1600));
        assert_eq!(l.counts.gaps, 1);
        assert_eq!(l.counts.acks, 2);
    }

    #[test]
    fn sequence_numbers_wrap() {
        let mut l = Loss::default();
        l.segment(0, &seg(true, u32::MAX - 49, 100, 1));
        l.segment(1, &seg(true, 1, 0, 50));
        assert_eq!((l.counts.acks, l.counts.gaps), (0, 0));
        l.segment(1, &seg(true, 1, 0, 150));
        assert_eq!(
            (l.counts.acks, l.counts.gaps, l.counts.gap_bytes),
            (1, 1, 100)
        );
    }
}

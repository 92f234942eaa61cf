//! What the mirror port did to the traffic (docs/mirror.md, "What the
//! mirror did to the traffic"): duplicated frames and timestamps that go
//! backwards, jump or leave gaps. Both run on the decoding thread, per
//! record, before the flow stage.

use serde::Serialize;

/// The default duplicate window, as `editcap -D`'s: a frame is compared
/// with the previous four.
pub const DEFAULT_DEDUP_WINDOW: usize = 5;

/// Bytes sampled at each end of a frame for the duplicate check.
const SAMPLE: usize = 64;

/// Frames up to this long have their whole middle hashed; longer ones a
/// sample of it (16 words spread over the middle).
const MIDDLE_WHOLE: usize = 512;

/// Record numbers of duplicates listed in the summary.
const LISTED: usize = 8;

/// Finds frames that repeat one of the previous `window - 1` frames, as
/// `editcap -D window` does, but comparing the captured length and the
/// first and last [`SAMPLE`] bytes and a hash of the bytes between them
/// (all of them up to [`MIDDLE_WHOLE`] bytes, 16 words spread over them in
/// longer frames) instead of an MD5 of the whole frame (docs/mirror.md says
/// when the two can differ).
#[derive(Debug, Clone)]
pub struct Dedup {
    /// The previous `window - 1` frames' samples, as editcap keeps them:
    /// duplicates are remembered too.
    ring: Vec<Sample>,
    next: usize,
    window: usize,
    count: u64,
    first: Vec<u64>,
}

#[derive(Debug, Clone, Copy)]
struct Sample {
    /// Captured length + 1; 0 is an empty slot.
    len: u64,
    head: [u8; SAMPLE],
    tail: [u8; SAMPLE],
    /// Hash of the bytes between head and tail.
    middle: u64,
}

const EMPTY: Sample = Sample {
    len: 0,
    head: [0; SAMPLE],
    tail: [0; SAMPLE],
    middle: 0,
};

/// Hash of the bytes of `data` between its first and last [`SAMPLE`] bytes.
fn middle_hash(data: &[u8]) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    if data.len() <= 2 * SAMPLE {
        return 0;
    }
    let mid = &data[SAMPLE..data.len() - SAMPLE];
    if data.len() <= MIDDLE_WHOLE {
        h.write(mid);
    } else {
        let step = mid.len() / 16;
        for i in 0..16 {
            let at = i * step;
            h.write(&mid[at..(at + 8).min(mid.len())]);
        }
    }
    h.finish()
}

impl Dedup {
    /// A duplicate finder over `window` frames (the current one included);
    /// 0 or 1 turns it off.
    pub fn new(window: usize) -> Dedup {
        Dedup {
            ring: vec![EMPTY; window.saturating_sub(1)],
            next: 0,
            window,
            count: 0,
            first: Vec::new(),
        }
    }

    /// Whether the record numbered `index` with captured bytes `data`
    /// repeats one of the previous frames of the window.
    #[inline]
    pub fn is_duplicate(&mut self, index: u64, data: &[u8]) -> bool {
        if self.ring.is_empty() {
            return false;
        }
        let mut s = Sample {
            len: data.len() as u64 + 1,
            head: [0; SAMPLE],
            tail: [0; SAMPLE],
            middle: middle_hash(data),
        };
        let h = data.len().min(SAMPLE);
        s.head[..h].copy_from_slice(&data[..h]);
        let t = data.len().min(SAMPLE);
        s.tail[..t].copy_from_slice(&data[data.len() - t..]);
        let dup = self.ring.iter().any(|p| {
            p.len == s.len && p.head == s.head && p.tail == s.tail && p.middle == s.middle
        });
        self.ring[self.next] = s;
        self.next = (self.next + 1) % self.ring.len();
        if dup {
            self.count += 1;
            if self.first.len() < LISTED {
                self.first.push(index);
            }
        }
        dup
    }

    pub fn report(&self) -> Duplicates {
        Duplicates {
            window: self.window,
            count: self.count,
            first_records: self.first.clone(),
        }
    }
}

/// Duplicated frames of an input (`duplicates` in the input summary).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Duplicates {
    /// Frames compared: each with the previous `window - 1`; 0 or 1 = off.
    pub window: usize,
    /// Frames found to repeat an earlier one: counted in `packets`, not
    /// fed to the flow table.
    pub count: u64,
    /// Record numbers (1-based) of the first duplicates.
    pub first_records: Vec<u64>,
}

/// A forward step longer than this between two packets is a gap: on a
/// mirror port of a room in use, ten seconds without a single frame
/// (not even ARP, LLDP or PTP) means the capture or the mirror stalled.
pub const GAP_NS: i64 = 10_000_000_000;
/// A forward step longer than this is a jump (a clock step, or captures
/// of different times put together) rather than silence.
pub const JUMP_NS: i64 = 3_600 * 1_000_000_000;
/// Steps of each kind listed with where they happen.
const STEPS_LISTED: usize = 5;

/// One step of the capture clock between two consecutive records.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct Step {
    /// Record number (1-based) of the packet after the step.
    pub record: u64,
    /// Byte offset of that record (0 in a live capture).
    pub offset: u64,
    /// Timestamp of the packet before the step, ns since the Unix epoch.
    pub from_ns: i64,
    /// Timestamp of the packet after it.
    pub to_ns: i64,
}

impl Step {
    /// The length of the step in ns (negative for a backward step).
    pub fn ns(&self) -> i64 {
        self.to_ns.saturating_sub(self.from_ns)
    }
}

/// The capture clock of an input (`timestamps` in the input summary).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Timestamps {
    /// Records whose timestamp is earlier than the previous record's.
    pub backwards: u64,
    /// The first backward steps.
    pub first_backwards: Vec<Step>,
    /// Forward steps longer than an hour.
    pub jumps: u64,
    /// The first jumps.
    pub first_jumps: Vec<Step>,
    /// Forward steps longer than ten seconds with no packet (jumps included).
    pub gaps: u64,
    /// The longest gaps, longest first.
    pub longest_gaps: Vec<Step>,
}

/// Follows the capture clock record by record.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    last: Option<i64>,
    out: Timestamps,
}

impl Clock {
    #[inline]
    pub fn observe(&mut self, record: u64, offset: u64, ts_ns: i64) {
        let Some(prev) = self.last.replace(ts_ns) else {
            return;
        };
        let d = ts_ns.saturating_sub(prev);
        if (0..=GAP_NS).contains(&d) {
            return;
        }
        let step = Step {
            record,
            offset,
            from_ns: prev,
            to_ns: ts_ns,
        };
        let t = &mut self.out;
        if d < 0 {
            t.backwards += 1;
            if t.first_backwards.len() < STEPS_LISTED {
                t.first_backwards.push(step);
            }
            return;
        }
        t.gaps += 1;
        if d > JUMP_NS {
            t.jumps += 1;
            if t.first_jumps.len() < STEPS_LISTED {
                t.first_jumps.push(step);
            }
        }
        let pos = t
            .longest_gaps
            .iter()
            .position(|g| g.ns() < d)
            .unwrap_or(t.longest_gaps.len());
        if pos < STEPS_LISTED {
            t.longest_gaps.insert(pos, step);
            t.longest_gaps.truncate(STEPS_LISTED);
        }
    }

    pub fn report(&self) -> Timestamps {
        self.out.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedup_window_compares_with_the_previous_window_minus_one() {
        let a = [1u8; 100];
        let b = [2u8; 100];
        let c = [3u8; 100];
        let d = [4u8; 100];
        let mut w = Dedup::new(3);
        // a b c a: a is three frames back, beyond a window of 3.
        assert!(!w.is_duplicate(1, &a));
        assert!(!w.is_duplicate(2, &b));
        assert!(!w.is_duplicate(3, &c));
        assert!(!w.is_duplicate(4, &a));
        // c is two back: a duplicate; d is new.
        assert!(w.is_duplicate(5, &c));
        assert!(!w.is_duplicate(6, &d));
        assert_eq!(w.report().count, 1);
        assert_eq!(w.report().first_records, vec![5]);
        let mut off = Dedup::new(0);
        assert!(!off.is_duplicate(1, &a));
        assert!(!off.is_duplicate(2, &a));
    }

    #[test]
    fn dedup_compares_length_and_both_ends() {
        let mut w = Dedup::new(5);
        let mut x = vec![0u8; 300];
        assert!(!w.is_duplicate(1, &x));
        x[299] = 1; // differs in the tail
        assert!(!w.is_duplicate(2, &x));
        x.push(1); // differs in length
        assert!(!w.is_duplicate(3, &x));
        let short = [9u8; 10];
        assert!(!w.is_duplicate(4, &short));
        assert!(w.is_duplicate(5, &short));
    }

    #[test]
    fn clock_reports_backward_steps_jumps_and_gaps() {
        let s = 1_000_000_000i64;
        let mut c = Clock::default();
        for (i, ts) in [10 * s, 11 * s, 9 * s, 25 * s, 25 * s + 1, 20_000 * s]
            .iter()
            .enumerate()
        {
            c.observe(i as u64 + 1, 24 + 100 * i as u64, *ts);
        }
        let t = c.report();
        assert_eq!(t.backwards, 1);
        assert_eq!(t.first_backwards[0].record, 3);
        assert_eq!(t.first_backwards[0].offset, 224);
        assert_eq!(t.gaps, 2);
        assert_eq!(t.jumps, 1);
        assert_eq!(t.first_jumps[0].record, 6);
        assert_eq!(t.longest_gaps[0].record, 6);
        assert_eq!(t.longest_gaps[1].record, 4);
        assert_eq!(t.longest_gaps[1].ns(), 16 * s);
    }
}

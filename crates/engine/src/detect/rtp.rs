//! RTP (RFC 3550) by content, and the health of each stream as Wireshark's
//! RTP stream analysis counts it (`docs/detectors.md`).
//!
//! Probe: version 2, payload type not in 72-76, CSRCs, extension and padding
//! consistent with the datagram (`portmatrix_wire::app::rtp::check_plausible`).
//! State: one stream per direction and SSRC. A stream is sure once it has two
//! packets in sequence (RFC 3550 A.1, MIN_SEQUENTIAL = 2) whose timestamp does
//! not go backwards, and a flow is RTP when such a stream exists and RTP or
//! RTCP samples make up at least half of its packets.

use serde::Serialize;

use portmatrix_wire::app::rtp as view;

use super::{AppReport, Detector, FlowState, Probe, Sample, Update};
use crate::flow::Flow;

pub const NAME: &str = "rtp";

pub const DETECTOR: Detector = Detector {
    name: NAME,
    udp: true,
    tcp: false,
    ether: false,
    probe,
    state: || Box::<RtpState>::default(),
};

/// The header fields of one RTP packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RtpSample {
    pub payload_type: u8,
    pub marker: bool,
    pub seq: u16,
    pub timestamp: u32,
    pub ssrc: u32,
}

/// UDP ports that carry other protocols whose first byte can read as RTP
/// version 2 (as nDPI excludes them): mDNS 5353, LLMNR 5355.
const NOT_RTP_PORTS: &[u16] = &[5353, 5355];

fn probe(p: &Probe<'_>) -> Option<Sample> {
    if NOT_RTP_PORTS.contains(&p.dst_port) || NOT_RTP_PORTS.contains(&p.src_port) {
        return None;
    }
    let h = view::check_plausible(p.payload).ok()?;
    Some(Sample::Rtp(RtpSample {
        payload_type: h.payload_type(),
        marker: h.marker(),
        seq: h.sequence_number(),
        timestamp: h.timestamp(),
        ssrc: h.ssrc(),
    }))
}

/// A jump of the sequence number of at most this much is a gap (RFC 3550 A.1).
const MAX_DROPOUT: u16 = 3000;
/// A step back of at most this much is a late or duplicate packet (RFC 3550 A.1).
const MAX_MISORDER: u16 = 100;
/// At most this many streams are followed per flow (the rest are counted).
const STREAMS_CAP: usize = 16;

/// One RTP stream: one SSRC in one direction of a flow.
#[derive(Clone, Debug)]
struct Stream {
    dir: u8,
    ssrc: u32,
    payload_type: u8,
    payload_type_changes: u32,
    packets: u64,
    /// Whether the stream has had two packets in sequence.
    sure: bool,
    /// Extended sequence numbers: the first, and the highest so far.
    base_ext: i64,
    max_ext: i64,
    /// Expected packets of earlier runs, before a re-synchronisation.
    expected_before: i64,
    /// Bit `i` set: the packet `max_ext - i` was seen (duplicates, late packets).
    seen: u128,
    last_seq: u16,
    duplicates: u64,
    out_of_order: u64,
    seq_errors: u64,
    last_arrival_ns: i64,
    max_delta_ns: i64,
    /// Clock rate used for jitter, chosen at the first packet.
    clock_rate: Option<u32>,
    /// RTP timestamp and arrival of the previous packet, for the jitter.
    prev_rtp_ts: u32,
    /// RFC 3550 A.8 interarrival jitter, in milliseconds.
    jitter_ms: f64,
    /// Mean jitter as Wireshark's RTP stream analysis computes it.
    mean_jitter_ms: f64,
    max_jitter_ms: f64,
    /// The previous packet was comfort noise.
    after_cn: bool,
}

impl Stream {
    fn new(dir: u8, s: &RtpSample, ts_ns: i64, clock_rate: Option<u32>) -> Stream {
        Stream {
            dir,
            ssrc: s.ssrc,
            payload_type: s.payload_type,
            payload_type_changes: 0,
            packets: 1,
            sure: false,
            base_ext: i64::from(s.seq),
            max_ext: i64::from(s.seq),
            expected_before: 0,
            seen: 1,
            last_seq: s.seq,
            duplicates: 0,
            out_of_order: 0,
            seq_errors: 0,
            last_arrival_ns: ts_ns,
            max_delta_ns: 0,
            clock_rate,
            prev_rtp_ts: s.timestamp,
            jitter_ms: 0.0,
            mean_jitter_ms: 0.0,
            max_jitter_ms: 0.0,
            after_cn: matches!(s.payload_type, 13 | 19),
        }
    }

    fn update(&mut self, s: &RtpSample, ts_ns: i64, up: &Update<'_>) {
        self.packets += 1;
        if s.payload_type != self.payload_type {
            self.payload_type_changes += 1;
            self.payload_type = s.payload_type;
            // A new payload type may have another clock; comfort noise
            // shares the clock of the media it replaces.
            if !matches!(s.payload_type, 13 | 19) {
                self.clock_rate = up.clock_rate(s.payload_type);
            }
        } else if self.clock_rate.is_none() && up.announced.is_some() {
            // The SDP may arrive after the stream started (SAP repeats its
            // announcements): a stream without a clock asks again.
            self.clock_rate = up.clock_rate(s.payload_type);
        }
        // Wireshark's sequence errors: every packet that does not follow
        // the previous one in arrival order.
        let in_sequence = s.seq == self.last_seq.wrapping_add(1);
        if !in_sequence {
            self.seq_errors += 1;
        }
        let forward_ts = (s.timestamp.wrapping_sub(self.prev_rtp_ts) as i32) >= 0;
        if in_sequence && forward_ts {
            self.sure = true;
        }
        self.last_seq = s.seq;

        let max_seq = (self.max_ext & 0xFFFF) as u16;
        let ahead = s.seq.wrapping_sub(max_seq);
        if ahead == 0 {
            self.duplicates += 1;
        } else if ahead < MAX_DROPOUT {
            // In order, possibly after a gap; a wrap adds a cycle.
            self.max_ext += i64::from(ahead);
            self.seen = if ahead >= 128 { 0 } else { self.seen << ahead } | 1;
        } else if ahead > u16::MAX - MAX_MISORDER {
            // Behind the highest by at most MAX_MISORDER: late or duplicate.
            let back = u32::from(u16::MAX - ahead) + 1;
            if back < 128 && self.seen & (1u128 << back) != 0 {
                self.duplicates += 1;
            } else {
                self.out_of_order += 1;
                if back < 128 {
                    self.seen |= 1u128 << back;
                }
                let ext = self.max_ext - i64::from(back);
                if ext < self.base_ext {
                    // Earlier than the first packet seen: it was expected too.
                    self.base_ext = ext;
                }
            }
        } else {
            // A jump too large to be a gap: the source restarted its
            // sequence (RFC 3550 A.1). Close the run and start another.
            self.expected_before += self.max_ext - self.base_ext + 1;
            self.base_ext = i64::from(s.seq);
            self.max_ext = i64::from(s.seq);
            self.seen = 1;
        }

        // Arrival deltas and the jitter (RFC 3550 A.8, in ms as Wireshark
        // computes them). As in Wireshark's RTP stream analysis, the maxima
        // and the mean leave out marker packets, comfort noise (PT 13, 19)
        // and the packet after it, and packets whose timestamp went back.
        let comfort_noise = matches!(s.payload_type, 13 | 19);
        let regular = !s.marker && !comfort_noise && !self.after_cn && forward_ts;
        self.after_cn = comfort_noise;
        let delta_ns = ts_ns.saturating_sub(self.last_arrival_ns);
        if regular {
            self.max_delta_ns = self.max_delta_ns.max(delta_ns);
        }
        if let Some(rate) = self.clock_rate {
            let rtp_delta = s.timestamp.wrapping_sub(self.prev_rtp_ts) as i32;
            let d_ms = delta_ns as f64 / 1e6 - f64::from(rtp_delta) * 1000.0 / f64::from(rate);
            self.jitter_ms += (d_ms.abs() - self.jitter_ms) / 16.0;
            if regular {
                // Wireshark's running mean: its weight is the number of
                // packets before this one, regular or not.
                let before = (self.packets - 1) as f64;
                self.mean_jitter_ms =
                    (self.mean_jitter_ms * (before - 1.0) + self.jitter_ms) / before;
                self.max_jitter_ms = self.max_jitter_ms.max(self.jitter_ms);
            }
        }
        self.last_arrival_ns = ts_ns;
        self.prev_rtp_ts = s.timestamp;
    }

    fn expected(&self) -> i64 {
        self.expected_before + self.max_ext - self.base_ext + 1
    }
}

/// The RTP streams of one flow.
#[derive(Clone, Debug, Default)]
pub struct RtpState {
    streams: Vec<Stream>,
    /// RTP samples of the flow (all streams).
    samples: u64,
    /// Streams beyond [`STREAMS_CAP`], counted.
    streams_dropped: u64,
}

impl RtpState {
    /// True when a stream has had packets in sequence.
    pub fn is_sure(&self) -> bool {
        self.streams.iter().any(|s| s.sure)
    }

    /// RTP samples of the flow.
    pub fn samples(&self) -> u64 {
        self.samples
    }

    /// The sure streams' `(direction, SSRC)`.
    pub fn sources(&self) -> impl Iterator<Item = (u8, u32)> + '_ {
        self.streams
            .iter()
            .filter(|s| s.sure)
            .map(|s| (s.dir, s.ssrc))
    }
}

impl FlowState for RtpState {
    fn update(&mut self, up: &Update<'_>, sample: &Sample) {
        let Sample::Rtp(s) = sample else { return };
        self.samples += 1;
        let dir = up.dir as u8;
        let n = self.streams.len();
        match self
            .streams
            .iter_mut()
            .find(|x| x.dir == dir && x.ssrc == s.ssrc)
        {
            Some(stream) => stream.update(s, up.ts_ns, up),
            None if n < STREAMS_CAP => {
                let rate = up.clock_rate(s.payload_type);
                self.streams.push(Stream::new(dir, s, up.ts_ns, rate));
            }
            None => self.streams_dropped += 1,
        }
    }

    fn app(&self, flow: &Flow) -> Option<&'static str> {
        (self.is_sure() && self.samples * 2 >= flow.total_packets()).then_some(NAME)
    }

    fn report(&self, _flow: &Flow, out: &mut AppReport) {
        for s in self.streams.iter().filter(|s| s.sure) {
            let expected = s.expected();
            out.rtp.push(StreamReport {
                direction: if s.dir == 0 { "forward" } else { "reverse" },
                ssrc: s.ssrc,
                payload_type: s.payload_type,
                payload_type_changes: s.payload_type_changes,
                clock_rate: s.clock_rate,
                packets: s.packets,
                expected,
                lost: expected - s.packets as i64,
                duplicates: s.duplicates,
                out_of_order: s.out_of_order,
                seq_errors: s.seq_errors,
                max_delta_ms: round3(s.max_delta_ns as f64 / 1e6),
                mean_jitter_ms: s.clock_rate.map(|_| round3(s.mean_jitter_ms)),
                max_jitter_ms: s.clock_rate.map(|_| round3(s.max_jitter_ms)),
            });
        }
    }

    fn swap_directions(&mut self) {
        for s in &mut self.streams {
            s.dir ^= 1;
        }
    }

    fn clone_box(&self) -> Box<dyn FlowState> {
        Box::new(self.clone())
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// One RTP stream as reported (`docs/report-format.md`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StreamReport {
    /// `forward`: sent by the flow's initiator; `reverse`: by its responder.
    pub direction: &'static str,
    pub ssrc: u32,
    /// The last payload type seen.
    pub payload_type: u8,
    pub payload_type_changes: u32,
    /// Hz; `null` when unknown (dynamic payload type without SDP or
    /// `--clock-rate`): then no jitter is computed.
    pub clock_rate: Option<u32>,
    pub packets: u64,
    /// Highest extended sequence number minus the first, plus one (RFC 3550 A.3).
    pub expected: i64,
    /// `expected - packets`; negative with duplicates, as Wireshark shows it.
    pub lost: i64,
    pub duplicates: u64,
    /// Packets older than the highest sequence number seen (late).
    pub out_of_order: u64,
    /// Packets whose sequence number is not the previous one plus one.
    pub seq_errors: u64,
    /// Longest gap between two packets, in milliseconds.
    pub max_delta_ms: f64,
    /// RFC 3550 A.8 interarrival jitter, mean and maximum, in milliseconds.
    pub mean_jitter_ms: Option<f64>,
    pub max_jitter_ms: Option<f64>,
}

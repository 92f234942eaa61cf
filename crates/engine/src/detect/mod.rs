//! Content detectors: what a flow carries, decided from its bytes, never
//! from its port alone (`docs/detectors.md`).
//!
//! A detector has two halves, one on each side of the thread boundary of
//! the analysis pass:
//!
//! - its **probe** runs on the decoding thread, where the payload bytes are:
//!   it looks at one packet through a view of `portmatrix_wire::app` and
//!   returns a small `Copy` [`Sample`] (no allocation) or `None`;
//! - its **state** lives with the flow and is updated on the flow thread,
//!   in capture order, from the samples of the flow's packets
//!   ([`FlowState::update`]). A flow gets a state only once one of its
//!   packets produced a sample, so flows of other protocols carry nothing.
//!
//! [`DETECTORS`] is the one table of detectors; the first probe that
//! accepts a packet wins, so more specific probes come first. A new
//! detector is a pure view in `crates/wire/src/app/`, one file here (copy
//! `template.rs`), one line in [`DETECTORS`] and, if its sample is new, one
//! variant of [`Sample`].

pub mod media;
pub mod ptp;
pub mod rtcp;
pub mod rtp;
pub mod sap;
pub mod sdp;
pub mod sip;
#[cfg(test)]
mod template;

use std::fmt::Debug;

use crate::flow::{Endpoint, Flow, Transport};

/// What a probe gets to see of one packet.
#[derive(Clone, Copy, Debug)]
pub struct Probe<'a> {
    /// The flow's transport; [`Transport::Ether`] with the EtherType for
    /// frames that carry no IP (PTP over Ethernet).
    pub transport: Transport,
    pub src_port: u16,
    pub dst_port: u16,
    /// The transport payload (for non-IP frames: the payload after the
    /// ethertype).
    pub payload: &'a [u8],
}

/// What one packet's payload showed, as a probe reduced it (owned, small,
/// `Copy`: it crosses threads inside the packet).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sample {
    Rtp(rtp::RtpSample),
    Rtcp(rtcp::RtcpSample),
    Ptp(ptp::PtpSample),
    Sip(sip::SipSample),
    Sap(sap::SapSample),
}

/// A sample and the index of the detector that made it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Tagged {
    pub detector: u8,
    pub sample: Sample,
}

/// One content detector.
pub struct Detector {
    /// The name reported in a flow's `app` when the detector is sure.
    pub name: &'static str,
    /// Whether the probe wants UDP, TCP and non-IP (Ethernet) payloads.
    pub udp: bool,
    pub tcp: bool,
    pub ether: bool,
    /// Looks at one packet (decoding thread).
    pub probe: fn(&Probe<'_>) -> Option<Sample>,
    /// A fresh per-flow state, made when the first sample of a flow arrives.
    pub state: fn() -> Box<dyn FlowState>,
}

/// The detectors, most specific first (the first probe that accepts a
/// packet wins): RTCP before RTP, because an RTP header with the marker bit
/// and a payload type in 64-95 reads like RTCP (RFC 5761 §4), and the
/// compound checks of RTCP are the stricter test. PTP comes first: it
/// looks only at its own ports (319/320) and EtherType (0x88F7), so other
/// traffic pays two comparisons for it. SAP and SIP (text, or a first octet
/// of 0x20) never read as RTP version 2.
pub static DETECTORS: &[Detector] = &[
    ptp::DETECTOR,
    rtcp::DETECTOR,
    rtp::DETECTOR,
    sap::DETECTOR,
    sip::DETECTOR,
];

/// Settings the detectors read (from the command line).
#[derive(Clone, Debug)]
pub struct DetectConfig {
    /// RTP clock rates by payload type, overriding RFC 3551's static table
    /// (`--clock-rate PT=HZ`); 0 = not set.
    pub clock_rates: [u32; 128],
}

impl Default for DetectConfig {
    fn default() -> Self {
        DetectConfig {
            clock_rates: [0; 128],
        }
    }
}

impl DetectConfig {
    /// The clock rate of payload type `pt`: the override, else the static
    /// table (RFC 3551 §6), else unknown (never guessed).
    pub fn clock_rate(&self, pt: u8) -> Option<u32> {
        match self.clock_rates.get(usize::from(pt)) {
            Some(&r) if r > 0 => Some(r),
            _ => portmatrix_wire::app::rtp::static_clock_rate(pt),
        }
    }
}

/// What an update is told besides the sample.
#[derive(Clone, Copy, Debug)]
pub struct Update<'a> {
    /// 0: from the flow's originator, 1: from its responder.
    pub dir: usize,
    /// Capture time of the packet.
    pub ts_ns: i64,
    /// Transport payload length.
    pub payload_len: u32,
    pub config: &'a DetectConfig,
    /// Where the packet went (for RTP: the receiver an SDP may have announced).
    pub dst: Endpoint,
    /// The media announced by SDP so far in the pass, when any.
    pub announced: Option<&'a sdp::Registry>,
}

impl Update<'_> {
    /// The clock rate of payload type `pt` for this packet: `--clock-rate`,
    /// else the rate an SDP announced for its destination (`a=rtpmap`), else
    /// the static table ([`DetectConfig::clock_rate`]).
    pub fn clock_rate(&self, pt: u8) -> Option<u32> {
        match self.config.clock_rates.get(usize::from(pt)) {
            Some(&r) if r > 0 => Some(r),
            _ => self
                .announced
                .and_then(|r| r.clock_rate(self.dst, pt))
                .or_else(|| self.config.clock_rate(pt)),
        }
    }
}

/// A detector's state for one flow.
pub trait FlowState: Debug + Send + Sync {
    /// One sample of this detector from a packet of the flow, in capture order.
    fn update(&mut self, up: &Update<'_>, sample: &Sample);
    /// What the flow carries, once the state is sure (`None` until then).
    fn app(&self, flow: &Flow) -> Option<&'static str>;
    /// Adds what the detector learned to the flow's report.
    fn report(&self, flow: &Flow, out: &mut AppReport);
    /// The flow's roles swapped (TCP initiator found late): directions flip.
    fn swap_directions(&mut self);
    fn clone_box(&self) -> Box<dyn FlowState>;
    /// For detectors that read another detector's state (RTP reads RTCP's).
    fn as_any(&self) -> &dyn std::any::Any;
}

impl Clone for Box<dyn FlowState> {
    fn clone(&self) -> Self {
        self.clone_box()
    }
}

/// The detector states of one flow (out of line: most flows have none).
#[derive(Clone, Debug, Default)]
pub struct FlowDetect {
    /// `(detector index, state)`, in order of first sample.
    states: Vec<(u8, Box<dyn FlowState>)>,
}

impl FlowDetect {
    /// Feeds a sample to its detector's state, making the state on first use.
    pub fn update(&mut self, up: &Update<'_>, tagged: &Tagged) {
        let i = match self.states.iter().position(|(d, _)| *d == tagged.detector) {
            Some(i) => i,
            None => {
                let Some(det) = DETECTORS.get(usize::from(tagged.detector)) else {
                    return;
                };
                self.states.push((tagged.detector, (det.state)()));
                self.states.len() - 1
            }
        };
        self.states[i].1.update(up, &tagged.sample);
    }

    pub fn swap_directions(&mut self) {
        for (_, s) in &mut self.states {
            s.swap_directions();
        }
    }

    /// The state of the detector named `name`, if the flow has one.
    pub fn state(&self, name: &str) -> Option<&dyn FlowState> {
        self.states
            .iter()
            .find(|(d, _)| {
                DETECTORS
                    .get(usize::from(*d))
                    .is_some_and(|x| x.name == name)
            })
            .map(|(_, s)| s.as_ref())
    }

    /// Every state, with its detector's name.
    pub fn states(&self) -> impl Iterator<Item = (&'static str, &dyn FlowState)> {
        self.states
            .iter()
            .filter_map(|(d, s)| DETECTORS.get(usize::from(*d)).map(|x| (x.name, s.as_ref())))
    }
}

/// Runs the probes on one packet (decoding thread).
#[inline]
pub fn probe(p: &Probe<'_>) -> Option<Tagged> {
    if p.payload.is_empty() {
        return None;
    }
    for (i, det) in DETECTORS.iter().enumerate() {
        let wanted = match p.transport {
            Transport::Udp => det.udp,
            Transport::Tcp => det.tcp,
            Transport::Ether(_) => det.ether,
            _ => false,
        };
        if wanted {
            if let Some(sample) = (det.probe)(p) {
                return Some(Tagged {
                    detector: i as u8,
                    sample,
                });
            }
        }
    }
    None
}

/// What the detectors add to a flow's report.
#[derive(Clone, Debug, Default)]
pub struct AppReport {
    /// RTP streams, one per direction and SSRC.
    pub rtp: Vec<rtp::StreamReport>,
    /// RTCP seen on the flow: compound packets per direction.
    pub rtcp: Option<rtcp::RtcpReport>,
    /// PTP seen on the flow: messages, domains, clocks, grandmasters.
    pub ptp: Option<ptp::PtpFlowReport>,
    /// SIP messages seen on the flow.
    pub sip: Option<sip::SipReport>,
    /// SAP packets seen on the flow.
    pub sap: Option<sap::SapReport>,
}

/// What the flow carries: the first detector that is sure, in the order of
/// [`DETECTORS`], with RTP taking precedence over RTCP multiplexed on its
/// port (RFC 5761), and SRTP/SRTCP reported as such.
pub fn app_of(flow: &Flow) -> Option<&'static str> {
    let d = flow.detect.as_deref()?;
    media::app(flow, d).or_else(|| {
        d.states()
            .filter(|(n, _)| *n != rtp::NAME && *n != rtcp::NAME)
            .find_map(|(_, s)| s.app(flow))
    })
}

/// The detectors' report of a flow.
pub fn report_of(flow: &Flow) -> AppReport {
    let mut out = AppReport::default();
    if let Some(d) = flow.detect.as_deref() {
        for (_, s) in d.states() {
            s.report(flow, &mut out);
        }
    }
    out
}

//! RTCP (RFC 3550 §6) and SRTCP (RFC 3711 §3.4) by content.
//!
//! Probe: second byte 192-223 (RTCP packet types, RFC 5761 §4) and either a
//! compound that passes RFC 3550 A.2 (version 2, SR or RR first, lengths that
//! add up to the datagram), a reduced-size packet (RFC 5506) of a feedback
//! type, or a compound followed by an SRTCP trailer (E flag and index, then an
//! 80- or 32-bit authentication tag). A flow is RTCP when such samples make up
//! at least half of its packets.

use serde::Serialize;

use portmatrix_wire::app::rtcp as view;

use super::{AppReport, Detector, FlowState, Probe, Sample, Update};
use crate::flow::Flow;

pub const NAME: &str = "rtcp";

pub const DETECTOR: Detector = Detector {
    name: NAME,
    udp: true,
    tcp: false,
    ether: false,
    probe,
    state: || Box::<RtcpState>::default(),
};

/// How an RTCP datagram looked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RtcpForm {
    /// A compound packet that passes RFC 3550 A.2.
    Compound,
    /// A reduced-size packet (RFC 5506): feedback without a report first.
    ReducedSize,
    /// A compound followed by an SRTCP trailer (RFC 3711 §3.4).
    Srtcp,
}

/// What one RTCP datagram showed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RtcpSample {
    pub form: RtcpForm,
    /// Packet type of the first packet.
    pub first_type: u8,
    /// SSRC of the sender of the first packet.
    pub ssrc: u32,
}

/// SRTCP authentication tag lengths: HMAC-SHA1-80 and -32 (RFC 3711 §4.2, RFC 4568).
const SRTCP_TAGS: [usize; 2] = [10, 4];

fn probe(p: &Probe<'_>) -> Option<Sample> {
    let b = p.payload;
    if b.len() < 8 || b[0] >> 6 != 2 || !(192..=223).contains(&b[1]) {
        return None;
    }
    let ssrc = u32::from_be_bytes([b[4], b[5], b[6], b[7]]);
    let sample = |form| {
        Some(Sample::Rtcp(RtcpSample {
            form,
            first_type: b[1],
            ssrc,
        }))
    };
    if view::check_compound(b).is_ok() {
        return sample(RtcpForm::Compound);
    }
    if SRTCP_TAGS
        .iter()
        .any(|&tag| view::srtcp_trailer(b, 0, tag).is_ok())
    {
        return sample(RtcpForm::Srtcp);
    }
    // Reduced-size RTCP carries feedback only (RTPFB, PSFB).
    if matches!(b[1], 205 | 206) && view::check_reduced_size(b).is_ok() {
        return sample(RtcpForm::ReducedSize);
    }
    None
}

/// At most this many sender SSRCs are remembered per flow.
const SSRCS_CAP: usize = 8;

/// The RTCP of one flow.
#[derive(Clone, Debug, Default)]
pub struct RtcpState {
    /// Datagrams per direction.
    packets: [u64; 2],
    srtcp: u64,
    reduced_size: u64,
    ssrcs: Vec<u32>,
}

impl RtcpState {
    /// RTCP datagrams of the flow.
    pub fn samples(&self) -> u64 {
        self.packets[0] + self.packets[1]
    }

    /// RTCP datagrams `[from the initiator, from the responder]`.
    pub fn per_direction(&self) -> [u64; 2] {
        self.packets
    }

    /// True when the flow's RTCP is SRTCP.
    pub fn is_srtcp(&self) -> bool {
        self.srtcp > 0 && self.srtcp * 2 >= self.samples()
    }
}

impl FlowState for RtcpState {
    fn update(&mut self, up: &Update<'_>, sample: &Sample) {
        let Sample::Rtcp(s) = sample else { return };
        self.packets[up.dir & 1] += 1;
        match s.form {
            RtcpForm::Srtcp => self.srtcp += 1,
            RtcpForm::ReducedSize => self.reduced_size += 1,
            RtcpForm::Compound => {}
        }
        if self.ssrcs.len() < SSRCS_CAP && !self.ssrcs.contains(&s.ssrc) {
            self.ssrcs.push(s.ssrc);
        }
    }

    fn app(&self, flow: &Flow) -> Option<&'static str> {
        if self.samples() * 2 < flow.total_packets() || self.samples() == 0 {
            return None;
        }
        Some(if self.is_srtcp() { "srtcp" } else { NAME })
    }

    fn report(&self, _flow: &Flow, out: &mut AppReport) {
        out.rtcp = Some(RtcpReport {
            packets_fwd: self.packets[0],
            packets_rev: self.packets[1],
            srtcp: self.srtcp,
            reduced_size: self.reduced_size,
            ssrcs: self.ssrcs.clone(),
        });
    }

    fn swap_directions(&mut self) {
        self.packets.swap(0, 1);
    }

    fn clone_box(&self) -> Box<dyn FlowState> {
        Box::new(self.clone())
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// The RTCP of a flow as reported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RtcpReport {
    pub packets_fwd: u64,
    pub packets_rev: u64,
    /// Datagrams with an SRTCP trailer.
    pub srtcp: u64,
    /// Reduced-size datagrams (RFC 5506).
    pub reduced_size: u64,
    /// Sender SSRCs (the first few).
    pub ssrcs: Vec<u32>,
}

//! SAP announcements (RFC 2974) by content (`docs/detectors.md`).
//!
//! Probe: UDP to or from port 9875 (RFC 2974 §3) with a SAP header of
//! version 0 or 1 whose origin and authentication data fit
//! (`portmatrix_wire::app::sap::Packet`). The SDP of an announcement travels
//! beside the packet as an [`super::sdp::Announcement`].
//! State: announcements, deletions and the distinct sessions (message id
//! hashes) of the flow.

use serde::Serialize;

use portmatrix_wire::app::sap as view;

use super::{AppReport, Detector, FlowState, Probe, Sample, Update};
use crate::flow::Flow;

pub const NAME: &str = "sap";

pub const DETECTOR: Detector = Detector {
    name: NAME,
    udp: true,
    tcp: false,
    ether: false,
    probe,
    state: || Box::<SapState>::default(),
};

/// One SAP packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SapSample {
    pub deletion: bool,
    pub msg_id_hash: u16,
    /// The payload is a plain SDP text.
    pub sdp: bool,
}

/// The SDP text of a SAP packet, when it carries one.
pub fn sdp_of(payload: &[u8]) -> Option<&[u8]> {
    let p = view::Packet::new_checked(payload).ok()?;
    let sdp = p.sdp()?;
    let start = payload.len() - sdp.len();
    sdp.starts_with(b"v=0").then(|| &payload[start..])
}

fn probe(p: &Probe<'_>) -> Option<Sample> {
    if p.dst_port != view::PORT && p.src_port != view::PORT {
        return None;
    }
    let h = view::Packet::new_checked(p.payload).ok()?;
    Some(Sample::Sap(SapSample {
        deletion: h.is_deletion(),
        msg_id_hash: h.msg_id_hash(),
        sdp: h.sdp().is_some_and(|s| s.starts_with(b"v=0")),
    }))
}

/// Distinct sessions remembered per flow.
const SESSIONS_CAP: usize = 64;

/// The SAP packets of one flow.
#[derive(Clone, Debug, Default)]
pub struct SapState {
    announcements: u64,
    deletions: u64,
    sdp: u64,
    /// Distinct (origin hash) sessions, at most [`SESSIONS_CAP`].
    sessions: Vec<u16>,
}

impl FlowState for SapState {
    fn update(&mut self, _up: &Update<'_>, sample: &Sample) {
        let Sample::Sap(s) = sample else { return };
        if s.deletion {
            self.deletions += 1;
        } else {
            self.announcements += 1;
        }
        self.sdp += u64::from(s.sdp);
        if !self.sessions.contains(&s.msg_id_hash) && self.sessions.len() < SESSIONS_CAP {
            self.sessions.push(s.msg_id_hash);
        }
    }

    fn app(&self, flow: &Flow) -> Option<&'static str> {
        ((self.announcements + self.deletions) * 2 >= flow.total_packets()).then_some(NAME)
    }

    fn report(&self, _flow: &Flow, out: &mut AppReport) {
        out.sap = Some(SapReport {
            announcements: self.announcements,
            deletions: self.deletions,
            sdp_bodies: self.sdp,
            sessions: self.sessions.len() as u64,
        });
    }

    fn swap_directions(&mut self) {}

    fn clone_box(&self) -> Box<dyn FlowState> {
        Box::new(self.clone())
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// SAP seen on a flow (`docs/report-format.md`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SapReport {
    pub announcements: u64,
    pub deletions: u64,
    /// Packets whose payload is an SDP text.
    pub sdp_bodies: u64,
    /// Distinct message id hashes (sessions), at most 64.
    pub sessions: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::Transport;

    #[test]
    fn the_probe_reads_the_rfc_2974_header() {
        // RFC 2974 §6: V=1, IPv4 origin, no auth, typed SDP payload.
        let mut pkt = vec![0x20, 0, 0x12, 0x34, 192, 168, 1, 11];
        pkt.extend_from_slice(b"application/sdp\0v=0\r\no=- 1 1 IN IP4 192.168.1.11\r\n");
        let probe_on = |payload: &[u8], port| {
            probe(&Probe {
                transport: Transport::Udp,
                src_port: 40000,
                dst_port: port,
                payload,
            })
        };
        let Some(Sample::Sap(s)) = probe_on(&pkt, 9875) else {
            panic!("not SAP")
        };
        assert_eq!((s.deletion, s.msg_id_hash, s.sdp), (false, 0x1234, true));
        assert!(sdp_of(&pkt).is_some_and(|t| t.starts_with(b"v=0\r\no=")));
        // The T bit: a deletion.
        pkt[0] = 0x24;
        assert!(matches!(probe_on(&pkt, 9875), Some(Sample::Sap(s)) if s.deletion));
        // Another port: not looked at.
        assert!(probe_on(&pkt, 9876).is_none());
        // Version 2: not SAP.
        pkt[0] = 0x40;
        assert!(probe_on(&pkt, 9875).is_none());
    }
}

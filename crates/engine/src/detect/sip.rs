//! SIP (RFC 3261) over UDP and TCP, by content (`docs/detectors.md`).
//!
//! Probe: a SIP/2.0 request or status line and a header section ending in
//! an empty line (`portmatrix_wire::app::sip::Message`); the sample says
//! the method or status code and whether an SDP body came with it. The SDP
//! itself does not fit a `Copy` sample: the decoding thread reads it into an
//! [`super::sdp::Announcement`] that travels beside the packet.
//! State: message counts per method and status class.

use std::collections::BTreeMap;

use serde::Serialize;

use portmatrix_wire::app::sip as view;

use super::{AppReport, Detector, FlowState, Probe, Sample, Update};
use crate::flow::{Flow, Transport};

pub const NAME: &str = "sip";

pub const DETECTOR: Detector = Detector {
    name: NAME,
    udp: true,
    tcp: true,
    ether: false,
    probe,
    state: || Box::<SipState>::default(),
};

/// Methods counted by name (RFC 3261 §27.4 and common extensions); the
/// last slot counts the others.
const METHODS: [&str; 13] = [
    "INVITE",
    "ACK",
    "BYE",
    "CANCEL",
    "REGISTER",
    "OPTIONS",
    "PRACK",
    "UPDATE",
    "INFO",
    "SUBSCRIBE",
    "NOTIFY",
    "REFER",
    "MESSAGE",
];
const OTHER: u8 = METHODS.len() as u8;

/// One SIP message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SipSample {
    /// Index in [`METHODS`] (requests, and responses by their CSeq method);
    /// `OTHER` when unknown.
    pub method: u8,
    /// Status code of a response, 0 for a request.
    pub code: u16,
    /// The body is an SDP text (Content-Type `application/sdp`).
    pub sdp: bool,
}

/// True when the message carries an SDP body.
pub fn has_sdp(msg: &view::Message<'_>) -> bool {
    msg.content_type()
        .is_some_and(|t| t.eq_ignore_ascii_case(b"application/sdp"))
        && !msg.body().bytes.is_empty()
}

/// A cheap look at the first octets, before any line is scanned: a status
/// line starts with `SIP/2.0 `, a request line with one of the methods of
/// RFC 3261 §27.4 and its registered extensions ([`METHODS`]) and a space.
/// Other payloads stop at their first or second octet. (Requests of other
/// extension methods are not recognised.)
fn start_looks_like_sip(b: &[u8]) -> bool {
    let candidates: &[&[u8]] = match b.first() {
        Some(b'S') => &[b"SIP/2.0 ", b"SUBSCRIBE "],
        Some(b'I') => &[b"INVITE ", b"INFO "],
        Some(b'A') => &[b"ACK "],
        Some(b'B') => &[b"BYE "],
        Some(b'C') => &[b"CANCEL "],
        Some(b'R') => &[b"REGISTER ", b"REFER "],
        Some(b'O') => &[b"OPTIONS "],
        Some(b'P') => &[b"PRACK ", b"PUBLISH "],
        Some(b'U') => &[b"UPDATE "],
        Some(b'N') => &[b"NOTIFY "],
        Some(b'M') => &[b"MESSAGE "],
        _ => return false,
    };
    candidates.iter().any(|c| b.starts_with(c))
}

fn probe(p: &Probe<'_>) -> Option<Sample> {
    let b = p.payload;
    if b.len() < 16 || !start_looks_like_sip(b) {
        return None;
    }
    let index = |m: &[u8]| {
        METHODS
            .iter()
            .position(|x| x.as_bytes() == m)
            .map_or(OTHER, |i| i as u8)
    };
    // The start line first (bounded): other text protocols stop here.
    let end = b
        .iter()
        .take(1024)
        .position(|&c| c == b'\r' || c == b'\n')?;
    let start = view::StartLine::parse(&b[..end])?;
    let Ok(msg) = view::Message::parse(b) else {
        // A head split over TCP segments: the start line alone still says
        // SIP (the SDP of such a message is not read: no reassembly).
        let (method, code) = match start {
            view::StartLine::Request { method, .. } => (index(method), 0),
            view::StartLine::Response { code, .. } => (OTHER, code),
        };
        return Some(Sample::Sip(SipSample {
            method,
            code,
            sdp: false,
        }));
    };
    Some(Sample::Sip(SipSample {
        method: msg.method().map_or(OTHER, index),
        code: msg.status_code().unwrap_or(0),
        sdp: has_sdp(&msg),
    }))
}

/// The SIP messages of one flow.
#[derive(Clone, Debug, Default)]
pub struct SipState {
    requests: [u64; METHODS.len() + 1],
    /// Responses per class 1xx-6xx.
    responses: [u64; 6],
    sdp: u64,
    samples: u64,
}

impl FlowState for SipState {
    fn update(&mut self, _up: &Update<'_>, sample: &Sample) {
        let Sample::Sip(s) = sample else { return };
        self.samples += 1;
        if s.code == 0 {
            self.requests[usize::from(s.method.min(OTHER))] += 1;
        } else if let Some(n) = self
            .responses
            .get_mut(usize::from(s.code / 100).wrapping_sub(1))
        {
            *n += 1;
        }
        self.sdp += u64::from(s.sdp);
    }

    fn app(&self, flow: &Flow) -> Option<&'static str> {
        // Over TCP, segments without a start line (acks, continuations)
        // are normal; over UDP every datagram is one message.
        let sure = match flow.key.transport {
            Transport::Udp => self.samples * 2 >= flow.total_packets(),
            _ => self.samples > 0,
        };
        sure.then_some(NAME)
    }

    fn report(&self, _flow: &Flow, out: &mut AppReport) {
        let mut requests = BTreeMap::new();
        for (i, &n) in self.requests.iter().enumerate().filter(|(_, n)| **n > 0) {
            requests.insert(METHODS.get(i).copied().unwrap_or("other"), n);
        }
        let mut responses = BTreeMap::new();
        for (i, &n) in self.responses.iter().enumerate().filter(|(_, n)| **n > 0) {
            responses.insert(["1xx", "2xx", "3xx", "4xx", "5xx", "6xx"][i], n);
        }
        out.sip = Some(SipReport {
            requests,
            responses,
            sdp_bodies: self.sdp,
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

/// SIP seen on a flow (`docs/report-format.md`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SipReport {
    /// Requests per method (`other` for methods not listed).
    pub requests: BTreeMap<&'static str, u64>,
    /// Responses per status class.
    pub responses: BTreeMap<&'static str, u64>,
    /// Messages with an SDP body.
    pub sdp_bodies: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(payload: &[u8]) -> Probe<'_> {
        Probe {
            transport: Transport::Udp,
            src_port: 5060,
            dst_port: 5060,
            payload,
        }
    }

    #[test]
    fn the_probe_reads_requests_responses_and_sdp() {
        // RFC 3261 §24.2 F1 and F4 (heads only; the F1 body shortened).
        let invite = b"INVITE sip:bob@biloxi.com SIP/2.0\r\nVia: SIP/2.0/UDP pc33.atlanta.com\r\nCSeq: 314159 INVITE\r\nContent-Type: application/sdp\r\nContent-Length: 4\r\n\r\nv=0\n";
        let Some(Sample::Sip(s)) = probe(&p(invite)) else {
            panic!("not SIP")
        };
        assert_eq!((s.method, s.code, s.sdp), (0, 0, true));
        let ok = b"SIP/2.0 180 Ringing\r\nCSeq: 314159 INVITE\r\nContent-Length: 0\r\n\r\n";
        let Some(Sample::Sip(s)) = probe(&p(ok)) else {
            panic!("not SIP")
        };
        assert_eq!((s.method, s.code, s.sdp), (0, 180, false));
        assert!(probe(&p(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")).is_none());
        // The first segment of a head split over TCP.
        let Some(Sample::Sip(s)) = probe(&p(
            b"REGISTER sip:192.168.43.100;transport=TCP SIP/2.0\r\nVia: SIP/2.0/TCP",
        )) else {
            panic!("not SIP")
        };
        assert_eq!((s.method, s.code, s.sdp), (4, 0, false));
        assert!(probe(&p(b"\x80\x00\x00\x01 not text at all...")).is_none());
        assert!(probe(&p(&[b'A'; 300])).is_none());
        assert!(probe(&p(b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n")).is_none());
        assert!(!start_looks_like_sip(b"ACKNOWLEDGE sip:x SIP/2.0\r\n"));
        assert!(start_looks_like_sip(
            b"BYE sips:bob@biloxi.example.com SIP/2.0\r\n"
        ));
        assert!(start_looks_like_sip(
            b"INVITE tel:+1-201-555-0123 SIP/2.0\r\n"
        ));
    }
}

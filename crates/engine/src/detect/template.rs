//! A detector to copy: the smallest complete one, compiled and tested but
//! not listed in [`super::DETECTORS`].
//!
//! To add a protocol `foo`:
//! 1. write its pure view in `crates/wire/src/app/foo.rs` (no allocation,
//!    no panic on any input), tested on its own against an outside source;
//! 2. copy this file to `foo.rs`, add `pub mod foo;` beside the others and a
//!    `Foo(foo::FooSample)` variant to [`Sample`];
//! 3. add `foo::DETECTOR` to [`super::DETECTORS`] (before any probe that
//!    would also accept its packets);
//! 4. give what it learns a field in [`AppReport`] and a scenario in
//!    `fixtures/` with the expected report.
//!
//! This one recognises a made-up protocol whose datagrams start with the
//! four bytes `TMPL` followed by a 16-bit counter.

use super::{AppReport, Detector, FlowState, Probe, Sample, Update};
use crate::flow::Flow;

pub const NAME: &str = "template";

#[allow(dead_code)]
pub const DETECTOR: Detector = Detector {
    name: NAME,
    udp: true,
    tcp: false,
    ether: false,
    probe,
    state: || Box::<TemplateState>::default(),
};

/// The probe: cheap tests first, and `None` as early as possible, since it
/// runs on every packet of every flow of the right transport.
fn probe(p: &Probe<'_>) -> Option<Sample> {
    let b = p.payload;
    if b.len() < 6 || &b[..4] != b"TMPL" {
        return None;
    }
    // A real detector returns its own variant; the template borrows RTCP's
    // so that it compiles without adding one.
    Some(Sample::Rtcp(super::rtcp::RtcpSample {
        form: super::rtcp::RtcpForm::Compound,
        first_type: 0,
        ssrc: u32::from(u16::from_be_bytes([b[4], b[5]])),
    }))
}

/// Per-flow state: small, allocated only for flows the probe accepted.
#[derive(Clone, Debug, Default)]
pub struct TemplateState {
    packets: u64,
}

impl FlowState for TemplateState {
    fn update(&mut self, _up: &Update<'_>, _sample: &Sample) {
        self.packets += 1;
    }

    fn app(&self, flow: &Flow) -> Option<&'static str> {
        // Sure only when most of the flow's packets looked right.
        (self.packets * 2 >= flow.total_packets()).then_some(NAME)
    }

    fn report(&self, _flow: &Flow, _out: &mut AppReport) {}

    fn swap_directions(&mut self) {}

    fn clone_box(&self) -> Box<dyn FlowState> {
        Box::new(self.clone())
    }

    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::Transport;

    #[test]
    fn the_template_probe_accepts_its_magic_only() {
        let p = |payload: &'static [u8]| Probe {
            transport: Transport::Udp,
            src_port: 40000,
            dst_port: 40001,
            payload,
        };
        assert!(probe(&p(b"TMPL\x00\x01")).is_some());
        assert!(probe(&p(b"TMPX\x00\x01")).is_none());
        assert!(probe(&p(b"TMPL")).is_none());
    }
}

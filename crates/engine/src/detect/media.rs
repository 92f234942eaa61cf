//! RTP and RTCP across flows: what a media flow is (RTP, SRTP, RTCP,
//! SRTCP, RTCP multiplexed on the RTP port) and the pairing of RTP with
//! RTCP on the next higher port (RFC 3550 §11, RFC 5761).
//!
//! Pairing needs every media flow of the capture, so the analysis pass holds
//! media flows back until the end ([`Pairing`]) and then classifies them.
//! Media an SDP announced pairs by what it announced: `a=rtcp` gives the
//! RTCP port (RFC 3605), `a=rtcp-mux` puts RTCP on the RTP port (RFC 5761).

use std::collections::HashMap;
use std::net::IpAddr;

use portmatrix_rules::Rule;

use super::rtcp::{self, RtcpState};
use super::rtp::{self, RtpState};
use super::sdp::Registry;
use super::FlowDetect;
use crate::classify::Finding;
use crate::flow::{Endpoint, Flow, Transport};

fn rtp_state(d: &FlowDetect) -> Option<&RtpState> {
    d.state(rtp::NAME)
        .and_then(|s| s.as_any().downcast_ref::<RtpState>())
}

fn rtcp_state(d: &FlowDetect) -> Option<&RtcpState> {
    d.state(rtcp::NAME)
        .and_then(|s| s.as_any().downcast_ref::<RtcpState>())
}

/// What a flow's media content is, from the flow alone.
pub fn app(flow: &Flow, d: &FlowDetect) -> Option<&'static str> {
    let rtp = rtp_state(d);
    let rtcp = rtcp_state(d);
    let rtp_n = rtp.map_or(0, RtpState::samples);
    let rtcp_n = rtcp.map_or(0, RtcpState::samples);
    if rtp.is_some_and(RtpState::is_sure) && (rtp_n + rtcp_n) * 2 >= flow.total_packets() {
        // RTCP multiplexed on the port: SRTCP there means the media is SRTP.
        return Some(if rtcp.is_some_and(RtcpState::is_srtcp) {
            "srtp"
        } else {
            rtp::NAME
        });
    }
    let state = rtcp?;
    if rtcp_n > 0 && rtcp_n * 2 >= flow.total_packets() {
        return Some(if state.is_srtcp() {
            "srtcp"
        } else {
            rtcp::NAME
        });
    }
    None
}

/// True when the flow carries RTP or RTCP (by content).
pub fn is_media(flow: &Flow) -> bool {
    flow.detect.as_deref().and_then(|d| app(flow, d)).is_some()
}

/// The two hosts of a flow, in a fixed order, with the VLAN.
type HostPair = (u32, IpAddr, IpAddr);

fn hosts(flow: &Flow) -> HostPair {
    let (a, b) = (flow.orig.ip, flow.resp.ip);
    if a <= b {
        (flow.key.vlan, a, b)
    } else {
        (flow.key.vlan, b, a)
    }
}

/// Where a flow's RTP goes: the receiving endpoint of each direction with
/// a sure stream (0: to the responder, 1: to the initiator).
fn rtp_destinations(flow: &Flow, d: &FlowDetect) -> Vec<Endpoint> {
    let mut out: Vec<Endpoint> = Vec::new();
    if let Some(r) = rtp_state(d) {
        for (dir, _) in r.sources() {
            let dst = if dir == 0 { flow.resp } else { flow.orig };
            if !out.contains(&dst) {
                out.push(dst);
            }
        }
    }
    out
}

/// Where a flow's RTCP goes: the receiving endpoint of each direction that
/// carried RTCP.
fn rtcp_destinations(flow: &Flow, d: &FlowDetect) -> Vec<Endpoint> {
    let Some(r) = rtcp_state(d) else {
        return Vec::new();
    };
    let [fwd, rev] = r.per_direction();
    let mut out = Vec::new();
    if fwd > 0 {
        out.push(flow.resp);
    }
    if rev > 0 {
        out.push(flow.orig);
    }
    out
}

/// What the media flows between two hosts send where.
#[derive(Debug, Default)]
struct HostMedia {
    /// Receiving endpoints of RTP.
    rtp_to: Vec<Endpoint>,
    /// Receiving endpoints of RTCP, and whether that RTCP is SRTCP.
    rtcp_to: Vec<(Endpoint, bool)>,
}

/// The media flows of a capture, indexed for pairing.
#[derive(Debug, Default)]
pub struct Pairing<'r> {
    hosts: HashMap<HostPair, HostMedia>,
    /// The media SDP announced in the pass: `a=rtcp` (RFC 3605) and
    /// `a=rtcp-mux` (RFC 5761) say where RTCP goes instead of port + 1.
    announced: Option<&'r Registry>,
}

impl<'r> Pairing<'r> {
    /// Pairs by what SDP announced too.
    pub fn with_announcements(mut self, registry: &'r Registry) -> Self {
        self.announced = Some(registry);
        self
    }

    /// The media SDP announced, when given.
    pub fn announced(&self) -> Option<&'r Registry> {
        self.announced
    }

    /// Indexes the media flows among `flows`.
    pub fn new<'f>(flows: impl IntoIterator<Item = &'f Flow>) -> Pairing<'r> {
        let mut p = Pairing::default();
        for f in flows {
            if f.key.transport != Transport::Udp {
                continue;
            }
            let Some(d) = f.detect.as_deref() else {
                continue;
            };
            if app(f, d).is_none() {
                continue;
            }
            let entry = p.hosts.entry(hosts(f)).or_default();
            entry.rtp_to.extend(rtp_destinations(f, d));
            let srtcp = rtcp_state(d).is_some_and(RtcpState::is_srtcp);
            entry
                .rtcp_to
                .extend(rtcp_destinations(f, d).into_iter().map(|e| (e, srtcp)));
        }
        p
    }

    /// What the pairing says of one flow: its media app (SRTP when its
    /// RTCP is SRTCP) and the pairing findings (RFC 3550 §11: RTP to an
    /// even destination port, its RTCP to the next odd one). `documented_by`
    /// are the rules that document the flow.
    pub fn judge(
        &self,
        flow: &Flow,
        documented_by: &[&Rule],
    ) -> (Option<&'static str>, Vec<Finding>) {
        let mut findings = Vec::new();
        let Some(d) = flow.detect.as_deref() else {
            return (None, findings);
        };
        let Some(mut app) = app(flow, d) else {
            return (None, findings);
        };
        let pairing_rule = documented_by.iter().find(|r| r.rtp_pairing);
        let by_rule = pairing_rule
            .map(|r| format!(" ({} asks for RTP/RTCP pairing)", r.id))
            .unwrap_or_default();
        let empty = HostMedia::default();
        let media = self.hosts.get(&hosts(flow)).unwrap_or(&empty);
        // RTCP multiplexed on the RTP port (RFC 5761): this flow's own RTCP.
        let muxed = matches!(app, "rtp" | "srtp") && rtcp_state(d).is_some_and(|r| r.samples() > 0);
        for dst in rtp_destinations(flow, d) {
            if dst.port % 2 == 1 {
                findings.push(Finding {
                    kind: "rtp-odd-port",
                    detail: format!(
                        "RTP to {}:{}, an odd port; RTP uses even ports and RTCP the next odd one (RFC 3550 §11){by_rule}",
                        dst.ip, dst.port
                    ),
                });
            }
            if muxed {
                continue;
            }
            // What SDP announced for this receiver: a=rtcp-mux, or the
            // RTCP port (a=rtcp overrides + 1).
            let said = self.announced.and_then(|r| r.rtcp_of(dst));
            let next = Endpoint {
                ip: dst.ip,
                port: match said {
                    Some((false, Some(p))) => p,
                    _ => dst.port.wrapping_add(1),
                },
            };
            match media.rtcp_to.iter().find(|(e, _)| *e == next) {
                Some((_, true)) => app = "srtp",
                Some(_) => {}
                None if said.is_some_and(|(mux, _)| mux) => findings.push(Finding {
                    kind: "rtp-no-rtcp",
                    detail: format!(
                        "SDP announced a=rtcp-mux (RFC 5761) for RTP to {}:{}, but no RTCP is multiplexed on that port{by_rule}",
                        dst.ip, dst.port
                    ),
                }),
                None if media.rtcp_to.is_empty() => findings.push(Finding {
                    kind: "rtp-no-rtcp",
                    detail: format!(
                        "RTP to {}:{} and no RTCP at all between {} and {}, none multiplexed on the RTP port either{by_rule}",
                        dst.ip, dst.port, flow.orig.ip, flow.resp.ip
                    ),
                }),
                None => findings.push(Finding {
                    kind: "rtp-no-rtcp",
                    detail: format!(
                        "RTP to {}:{} but no RTCP to {}:{} ({}); these hosts send RTCP to {}{by_rule}",
                        dst.ip,
                        dst.port,
                        next.ip,
                        next.port,
                        if matches!(said, Some((_, Some(_)))) {
                            "the RTCP port SDP announced by a=rtcp"
                        } else {
                            "RTP port + 1"
                        },
                        media
                            .rtcp_to
                            .iter()
                            .map(|(e, _)| format!("{}:{}", e.ip, e.port))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                }),
            }
        }
        if !matches!(app, "rtp" | "srtp") {
            for dst in rtcp_destinations(flow, d) {
                // RTCP on a port SDP announced with a=rtcp pairs with the
                // announced RTP port.
                let rtp_port = self
                    .announced
                    .and_then(|r| r.rtp_of_rtcp(dst))
                    .unwrap_or(dst.port.wrapping_sub(1));
                let to_host: Vec<u16> = media
                    .rtp_to
                    .iter()
                    .filter(|e| e.ip == dst.ip)
                    .map(|e| e.port)
                    .collect();
                if to_host.contains(&rtp_port) {
                    continue;
                }
                let detail = if !to_host.is_empty() {
                    format!(
                        "RTCP to {}:{}, but RTP to {} arrives on port {}; RTCP belongs on RTP port + 1 (RFC 3550 §11){by_rule}",
                        dst.ip,
                        dst.port,
                        dst.ip,
                        to_host
                            .iter()
                            .map(u16::to_string)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                } else if media.rtp_to.is_empty() {
                    format!(
                        "RTCP to {}:{} and no RTP at all between {} and {}{by_rule}",
                        dst.ip, dst.port, flow.orig.ip, flow.resp.ip
                    )
                } else {
                    // Reports to a host that only sends RTP here: receiver
                    // feedback, which goes wherever the sender listens.
                    continue;
                };
                findings.push(Finding {
                    kind: "rtcp-not-paired",
                    detail,
                });
            }
        }
        if !documented_by.is_empty() && !documented_by.iter().any(|r| is_media_rule(r)) {
            findings.push(Finding {
                kind: "port-coincidence",
                detail: format!(
                    "its content is {}, but the rules that match its port are not media rules ({}): the port alone documents it",
                    app.to_uppercase(),
                    documented_by
                        .iter()
                        .take(3)
                        .map(|r| format!("{}: {}", r.id, r.service))
                        .collect::<Vec<_>>()
                        .join("; ")
                ),
            });
        }
        (Some(app), findings)
    }
}

/// A rule for RTP/RTCP media: it asks for pairing, or its service names media.
pub fn is_media_rule(rule: &Rule) -> bool {
    if rule.rtp_pairing {
        return true;
    }
    let s = rule.service.to_ascii_lowercase();
    ["rtp", "rtcp", "media", "audio", "video", "aes67", "dante"]
        .iter()
        .any(|w| s.contains(w))
}

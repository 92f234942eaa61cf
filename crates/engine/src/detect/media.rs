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

/// True when the flow's RTP also carries RTCP on the same port (RFC 5761).
fn is_muxed(flow: &Flow) -> bool {
    flow.detect
        .as_deref()
        .and_then(rtcp_state)
        .is_some_and(|r| r.samples() > 0)
        && matches!(
            flow.detect.as_deref().and_then(|d| app(flow, d)),
            Some("rtp" | "srtp")
        )
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

/// Ports of a flow as `(port of the lower address, port of the higher)`.
fn ports(flow: &Flow) -> (u16, u16) {
    if flow.orig.ip <= flow.resp.ip {
        (flow.orig.port, flow.resp.port)
    } else {
        (flow.resp.port, flow.orig.port)
    }
}

/// A media flow under its host pair: its ports and what it carries.
type MediaEntry = ((u16, u16), &'static str);

/// The media flows of a capture, indexed for pairing.
#[derive(Debug, Default)]
pub struct Pairing<'r> {
    /// Per host pair: `(ports, app)` of each media flow.
    flows: HashMap<HostPair, Vec<MediaEntry>>,
    /// The media SDP announced in the pass.
    announced: Option<&'r Registry>,
}

/// The two endpoints of a flow as `(endpoint of the lower address, of the higher)`.
fn ends(flow: &Flow) -> (Endpoint, Endpoint) {
    if flow.orig.ip <= flow.resp.ip {
        (flow.orig, flow.resp)
    } else {
        (flow.resp, flow.orig)
    }
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

    /// A media flow between the hosts of `flow` whose port at `ip` is `port`.
    fn find_side(&self, flow: &Flow, ip: std::net::IpAddr, port: u16, apps: &[&str]) -> bool {
        let lower = ends(flow).0.ip == ip;
        self.flows.get(&hosts(flow)).is_some_and(|v| {
            v.iter()
                .any(|((lo, hi), a)| (if lower { *lo } else { *hi }) == port && apps.contains(a))
        })
    }

    /// Indexes the media flows among `flows`.
    pub fn new<'f>(flows: impl IntoIterator<Item = &'f Flow>) -> Pairing<'r> {
        let mut p = Pairing::default();
        for f in flows {
            if f.key.transport != Transport::Udp {
                continue;
            }
            if let Some(app) = f.detect.as_deref().and_then(|d| app(f, d)) {
                p.flows.entry(hosts(f)).or_default().push((ports(f), app));
            }
        }
        p
    }

    fn find(&self, flow: &Flow, want: (u16, u16), apps: &[&str]) -> Option<&'static str> {
        self.flows
            .get(&hosts(flow))?
            .iter()
            .find(|(p, a)| *p == want && apps.contains(a))
            .map(|(_, a)| *a)
    }

    /// What the pairing says of one flow: its media app (SRTP when its
    /// RTCP is SRTCP) and the pairing findings. `documented_by` are the
    /// rules that document the flow.
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
        let (lo, hi) = ports(flow);
        let minus = (lo.wrapping_sub(1), hi.wrapping_sub(1));
        match app {
            "rtp" | "srtp" => {
                // RTP goes to an even port (RFC 3550 §11); which ports
                // received RTP depends on the directions that carried it.
                let mut odd = Vec::new();
                if let Some(r) = rtp_state(d) {
                    for (dir, _) in r.sources() {
                        let dst = if dir == 0 { flow.resp } else { flow.orig };
                        if dst.port % 2 == 1 && !odd.contains(&dst) {
                            odd.push(dst);
                        }
                    }
                }
                for dst in odd {
                    findings.push(Finding {
                        kind: "rtp-odd-port",
                        detail: format!(
                            "RTP to {}:{}, an odd port; RTP uses even ports and RTCP the next odd one (RFC 3550 §11){by_rule}",
                            dst.ip, dst.port
                        ),
                    });
                }
                // What SDP announced for the two ends: a=rtcp-mux, RTCP port.
                let (elo, ehi) = ends(flow);
                let said = [elo, ehi].map(|ep| self.announced.and_then(|r| r.rtcp_of(ep)));
                let known = said.iter().flatten().count();
                let mux = known > 0 && said.iter().flatten().all(|(m, _)| *m);
                let rtcp_port = |i: usize, port: u16| match said[i] {
                    Some((false, Some(p))) => p,
                    _ => port.wrapping_add(1),
                };
                let want = (rtcp_port(0, lo), rtcp_port(1, hi));
                if !is_muxed(flow) {
                    match self.find(flow, want, &["rtcp", "srtcp"]) {
                        Some("srtcp") => app = "srtp",
                        Some(_) => {}
                        None if mux => findings.push(Finding {
                            kind: "rtp-no-rtcp",
                            detail: format!(
                                "SDP announced a=rtcp-mux (RFC 5761) for RTP between {} and {}, but no RTCP is multiplexed on the RTP port{by_rule}",
                                flow.orig.ip, flow.resp.ip
                            ),
                        }),
                        None => {
                            let how = if known > 0 {
                                "as SDP announced (a=rtcp, else RTP port + 1)"
                            } else {
                                "RTP port + 1"
                            };
                            findings.push(Finding {
                                kind: "rtp-no-rtcp",
                                detail: format!(
                                    "no RTCP between {} and {} on ports {}/{} ({how}), and none multiplexed on the RTP port{by_rule}",
                                    elo.ip, ehi.ip, want.0, want.1
                                ),
                            });
                        }
                    }
                }
            }
            _ => {
                // RTCP on a port SDP announced by a=rtcp pairs with the
                // announced RTP port of that side.
                let announced_pair = [flow.orig, flow.resp].into_iter().any(|ep| {
                    self.announced
                        .and_then(|r| r.rtp_of_rtcp(ep))
                        .is_some_and(|rtp| self.find_side(flow, ep.ip, rtp, &["rtp", "srtp"]))
                });
                if !announced_pair && self.find(flow, minus, &["rtp", "srtp"]).is_none() {
                    let elsewhere = self
                        .flows
                        .get(&hosts(flow))
                        .map(|v| {
                            v.iter()
                                .filter(|(_, a)| matches!(*a, "rtp" | "srtp"))
                                .count()
                        })
                        .unwrap_or(0);
                    let other = if elsewhere > 0 {
                        format!("; these hosts exchange RTP on {elsewhere} other port pair(s)")
                    } else {
                        String::new()
                    };
                    findings.push(Finding {
                        kind: "rtcp-not-paired",
                        detail: format!(
                            "RTCP on {}:{} -> {}:{} is not on RTP port + 1: no RTP between these hosts on {}/{}{other}{by_rule}",
                            flow.orig.ip,
                            flow.orig.port,
                            flow.resp.ip,
                            flow.resp.port,
                            flow.orig.port.wrapping_sub(1),
                            flow.resp.port.wrapping_sub(1)
                        ),
                    });
                }
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

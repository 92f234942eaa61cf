//! Media announced by SDP (RFC 8866) in SIP and SAP, and what the RTP and
//! RTCP flows of the capture make of it (`docs/detectors.md`).
//!
//! SDP bodies are text of any length, so they cannot ride in a `Copy`
//! sample. The decoding thread reads the SDP of a SIP or SAP packet (rare)
//! into an owned [`Announcement`] that travels beside the packet's batch; on
//! the flow thread a [`Registry`] keeps the announced media by where it will
//! be received (connection address or group, port), with the flow that
//! announced it. The registry then gives:
//!
//! - RTP streams sent to an announced (address, port) the clock rate of
//!   their payload type from `a=rtpmap` ([`Registry::clock_rate`]);
//! - RTP and RTCP flows the id of the flow that announced them, and the
//!   RTCP port (`a=rtcp`, RFC 3605; `a=rtcp-mux`, RFC 5761) for pairing;
//! - `media-not-announced` for RTP no SDP announced while SDP was seen, and
//!   the announced media that never appeared.

use std::collections::HashMap;
use std::net::IpAddr;

use serde::Serialize;

use portmatrix_wire::app::sdp::{Media, Sdp};
use portmatrix_wire::app::sip as sip_view;

use super::Sample;
use crate::classify::Finding;
use crate::flow::{Endpoint, Flow, Transport};
use crate::time::rfc3339_ns;

/// Media descriptions read per SDP.
const MEDIA_PER_SDP: usize = 16;
/// Formats read per media description.
const FORMATS_PER_MEDIA: usize = 32;
/// Longest text kept from an SDP field.
const TEXT_CAP: usize = 64;
/// Ports registered per `m=` line with a port count.
const PORTS_PER_MEDIA: u32 = 8;
/// Announced media kept per pass.
const ENTRIES_CAP: usize = 4096;

/// One payload format of an `m=` line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Format {
    pub payload_type: u8,
    /// From `a=rtpmap`; `null` for a static payload type without one.
    pub encoding: Option<String>,
    /// `a=rtpmap` rate, else RFC 3551's static rate; `null` when unknown.
    pub clock_rate: Option<u32>,
    pub channels: Option<u32>,
}

/// One media description of an SDP.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AnnouncedMedia {
    /// `audio`, `video`, `application`, ...
    pub media: String,
    /// `RTP/AVP`, `RTP/SAVP`, `UDP/TLS/RTP/SAVPF`, ...
    pub proto: String,
    /// The connection address or group in force (media `c=`, else session
    /// `c=`); `null` when it is not an IP literal.
    pub address: Option<IpAddr>,
    pub port: u16,
    /// `m=` port count (RTP: consecutive port pairs).
    pub port_count: u32,
    /// The RTCP port: `a=rtcp`, else the RTP port with `a=rtcp-mux`, else
    /// the RTP port + 1 (RFC 3550 §11); `null` for non-RTP media.
    pub rtcp_port: Option<u16>,
    /// `a=rtcp` gave the port (RFC 3605).
    pub rtcp_explicit: bool,
    /// The address of `a=rtcp`, when it names one.
    pub rtcp_address: Option<IpAddr>,
    pub rtcp_mux: bool,
    /// Secure RTP: a SAVP profile or `a=crypto` (RFC 3711, RFC 4568).
    pub srtp: bool,
    pub crypto: bool,
    pub formats: Vec<Format>,
}

/// The SDP of one SIP or SAP message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Announcement {
    /// `sip` or `sap`.
    pub protocol: &'static str,
    /// A SAP deletion (the session ends).
    pub deletion: bool,
    /// `s=` session name.
    pub session: Option<String>,
    pub media: Vec<AnnouncedMedia>,
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(&b[..b.len().min(TEXT_CAP)])
        .chars()
        .filter(|c| !c.is_control())
        .collect()
}

fn media_of(m: &Media<'_>) -> Option<AnnouncedMedia> {
    let line = m.line?;
    let rtp = line.is_rtp();
    let formats = if rtp {
        line.payload_types()
            .take(FORMATS_PER_MEDIA)
            .map(|pt| {
                let map = m.rtpmap(pt);
                Format {
                    payload_type: pt,
                    encoding: map.map(|x| text(x.encoding)),
                    clock_rate: m.clock_rate(pt),
                    channels: map.and_then(|x| x.channels),
                }
            })
            .collect()
    } else {
        Vec::new()
    };
    let rtcp = m.rtcp();
    let crypto = m.has_crypto();
    Some(AnnouncedMedia {
        media: text(line.media),
        proto: text(line.proto),
        address: m.connection().and_then(|c| c.ip()),
        port: line.port,
        port_count: line.port_count.unwrap_or(1),
        rtcp_port: m.rtcp_port(),
        rtcp_explicit: rtp && rtcp.is_some(),
        rtcp_address: rtcp.and_then(|r| r.connection).and_then(|c| c.ip()),
        rtcp_mux: m.rtcp_mux(),
        srtp: line.is_srtp() || crypto,
        crypto,
        formats,
    })
}

/// Reads an SDP text (decoding thread; allocates, but only for SDP).
pub fn parse(protocol: &'static str, deletion: bool, text_bytes: &[u8]) -> Option<Announcement> {
    let sdp = Sdp::new(text_bytes);
    sdp.version()?;
    Some(Announcement {
        protocol,
        deletion,
        session: sdp.session_name().map(text),
        media: sdp
            .media()
            .take(MEDIA_PER_SDP)
            .filter_map(|m| media_of(&m))
            .collect(),
    })
}

/// The announcement a packet carries, if its sample says it has an SDP
/// body (decoding thread).
pub fn announcement(sample: &Sample, payload: &[u8]) -> Option<Box<Announcement>> {
    match sample {
        Sample::Sip(s) if s.sdp => {
            let msg = sip_view::Message::parse(payload).ok()?;
            parse(super::sip::NAME, false, msg.body().bytes).map(Box::new)
        }
        Sample::Sap(s) if s.sdp => {
            parse(super::sap::NAME, s.deletion, super::sap::sdp_of(payload)?).map(Box::new)
        }
        _ => None,
    }
}

/// One announced media description as the registry keeps it.
#[derive(Clone, Debug)]
struct Entry {
    media: AnnouncedMedia,
    protocol: &'static str,
    session: Option<String>,
    /// Id of the flow that carried the latest announcement.
    announced_by: Option<u64>,
    first_ts_ns: i64,
    last_ts_ns: i64,
    announcements: u64,
    /// Flows seen to or from the announced ports.
    flows: u64,
}

/// Where media is received: the address (`None`: not an IP literal) and port.
type Key = (Option<IpAddr>, u16);

/// The media announced during a pass (flow thread).
#[derive(Clone, Debug, Default)]
pub struct Registry {
    entries: Vec<Entry>,
    /// RTP ports (and `a=rtcp-mux` RTCP) → entry.
    rtp: HashMap<Key, usize>,
    /// RTCP ports (`a=rtcp` or RTP + 1) → entry.
    rtcp: HashMap<Key, usize>,
    /// SDP bodies seen.
    sdps: u64,
    /// Media not kept (beyond the cap).
    dropped: u64,
}

impl Registry {
    /// Records one announcement, carried by the flow `flow_id`, at `ts_ns`.
    /// A media description announced again for the same address and port
    /// replaces the earlier one (a re-INVITE, a repeated SAP packet).
    pub fn add(&mut self, a: &Announcement, flow_id: Option<u64>, ts_ns: i64) {
        self.sdps += 1;
        if a.deletion {
            return;
        }
        for m in a.media.iter().filter(|m| m.port != 0) {
            let key = (m.address, m.port);
            let i = match self.rtp.get(&key) {
                Some(&i) => i,
                None if self.entries.len() < ENTRIES_CAP => {
                    self.entries.push(Entry {
                        media: m.clone(),
                        protocol: a.protocol,
                        session: None,
                        announced_by: None,
                        first_ts_ns: ts_ns,
                        last_ts_ns: ts_ns,
                        announcements: 0,
                        flows: 0,
                    });
                    self.entries.len() - 1
                }
                None => {
                    self.dropped += 1;
                    continue;
                }
            };
            let e = &mut self.entries[i];
            e.media = m.clone();
            e.protocol = a.protocol;
            e.session.clone_from(&a.session);
            e.announced_by = flow_id.or(e.announced_by);
            e.last_ts_ns = ts_ns;
            e.announcements += 1;
            for k in 0..m.port_count.clamp(1, PORTS_PER_MEDIA) {
                let Some(port) = m.port.checked_add((2 * k) as u16) else {
                    break;
                };
                self.rtp.insert((m.address, port), i);
                if let Some(rtcp) = m.rtcp_port {
                    let rtcp = if m.rtcp_explicit || m.rtcp_mux {
                        rtcp
                    } else {
                        port.wrapping_add(1)
                    };
                    if !m.rtcp_mux {
                        self.rtcp.insert((m.rtcp_address.or(m.address), rtcp), i);
                    }
                }
            }
        }
    }

    /// True when no SDP was seen.
    pub fn is_empty(&self) -> bool {
        self.sdps == 0
    }

    fn find(map: &HashMap<Key, usize>, ep: Endpoint) -> Option<usize> {
        map.get(&(Some(ep.ip), ep.port))
            .or_else(|| map.get(&(None, ep.port)))
            .copied()
    }

    fn media_at(&self, ep: Endpoint) -> Option<&Entry> {
        self.entries.get(Self::find(&self.rtp, ep)?)
    }

    /// The announced clock rate of payload type `pt` for RTP sent to `dst`.
    pub fn clock_rate(&self, dst: Endpoint, pt: u8) -> Option<u32> {
        self.media_at(dst)?
            .media
            .formats
            .iter()
            .find(|f| f.payload_type == pt)?
            .clock_rate
    }

    /// The announced media received at `ep`: whether it asked for
    /// `a=rtcp-mux`, and the RTCP port `a=rtcp` gave (`None`: RTP port + 1).
    pub fn rtcp_of(&self, ep: Endpoint) -> Option<(bool, Option<u16>)> {
        let m = &self.media_at(ep)?.media;
        Some((m.rtcp_mux, m.rtcp_port.filter(|_| m.rtcp_explicit)))
    }

    /// The RTP port whose RTCP is announced at `ep` (by `a=rtcp` or + 1).
    pub fn rtp_of_rtcp(&self, ep: Endpoint) -> Option<u16> {
        let e = self.entries.get(Self::find(&self.rtcp, ep)?)?;
        Some(e.media.port)
    }

    /// The entry either endpoint of a flow was announced as, RTP first.
    fn entry_of(&self, flow: &Flow) -> Option<&Entry> {
        [flow.resp, flow.orig]
            .into_iter()
            .find_map(|ep| Self::find(&self.rtp, ep).or_else(|| Self::find(&self.rtcp, ep)))
            .and_then(|i| self.entries.get(i))
    }

    /// Counts a UDP flow against the media announced at its endpoints.
    pub fn mark_seen(&mut self, flow: &Flow) {
        if self.entries.is_empty() || flow.key.transport != Transport::Udp {
            return;
        }
        let mut hit: [Option<usize>; 2] = [None; 2];
        for (slot, ep) in hit.iter_mut().zip([flow.resp, flow.orig]) {
            *slot = Self::find(&self.rtp, ep).or_else(|| Self::find(&self.rtcp, ep));
        }
        if hit[0] == hit[1] {
            hit[1] = None;
        }
        for i in hit.into_iter().flatten() {
            if let Some(e) = self.entries.get_mut(i) {
                e.flows += 1;
            }
        }
    }

    /// The announcing flow of a media flow, and `media-not-announced` for
    /// RTP that no SDP announced while SDP was seen in the capture.
    pub fn judge(&self, flow: &Flow, app: Option<&str>) -> (Option<u64>, Option<Finding>) {
        let Some(app) = app.filter(|a| matches!(*a, "rtp" | "srtp" | "rtcp" | "srtcp")) else {
            return (None, None);
        };
        if let Some(e) = self.entry_of(flow) {
            return (e.announced_by, None);
        }
        if self.sdps > 0 && matches!(app, "rtp" | "srtp") {
            let finding = Finding {
                kind: "media-not-announced",
                detail: format!(
                    "{} between {}:{} and {}:{} was not announced by any of the {} SDP bodies (SIP/SAP) seen in the capture",
                    app.to_uppercase(),
                    flow.orig.ip,
                    flow.orig.port,
                    flow.resp.ip,
                    flow.resp.port,
                    self.sdps
                ),
            };
            return (None, Some(finding));
        }
        (None, None)
    }

    /// The input-level report: every announced media, and those no flow used.
    pub fn report(&self) -> (Vec<AnnouncedReport>, Vec<AnnouncedReport>) {
        let all: Vec<AnnouncedReport> = self
            .entries
            .iter()
            .map(|e| AnnouncedReport {
                protocol: e.protocol,
                session: e.session.clone(),
                announced_by: e.announced_by,
                first_ts: rfc3339_ns(e.first_ts_ns),
                last_ts: rfc3339_ns(e.last_ts_ns),
                announcements: e.announcements,
                flows: e.flows,
                media: e.media.clone(),
            })
            .collect();
        let unseen = all.iter().filter(|a| a.flows == 0).cloned().collect();
        (all, unseen)
    }

    /// SDP bodies seen, and media beyond the cap.
    pub fn counts(&self) -> (u64, u64) {
        (self.sdps, self.dropped)
    }
}

/// One announced media description as reported (`docs/report-format.md`).
#[derive(Clone, Debug, Serialize)]
pub struct AnnouncedReport {
    /// `sip` or `sap`.
    pub protocol: &'static str,
    pub session: Option<String>,
    /// Id of the flow that carried the latest announcement.
    pub announced_by: Option<u64>,
    pub first_ts: String,
    pub last_ts: String,
    /// Times this media was announced.
    pub announcements: u64,
    /// Flows seen to or from its ports.
    pub flows: u64,
    #[serde(flatten)]
    pub media: AnnouncedMedia,
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 3264 §10.1 offer (Alice), with a dynamic payload type and a=rtcp
    // added from RFC 3605 §2.1's example.
    const OFFER: &[u8] = b"v=0\r\no=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com\r\ns=\r\nc=IN IP4 192.0.2.10\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0 8 97\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:97 iLBC/8000\r\nm=video 51372 RTP/AVP 31 32\r\na=rtcp:53020\r\nm=audio 0 RTP/AVP 0\r\n";

    fn ep(ip: &str, port: u16) -> Endpoint {
        Endpoint {
            ip: ip.parse().unwrap(),
            port,
        }
    }

    #[test]
    fn an_offer_gives_ports_rates_and_rtcp() {
        let a = parse("sip", false, OFFER).expect("sdp");
        assert_eq!(a.media.len(), 3);
        let audio = &a.media[0];
        assert_eq!(audio.address, Some("192.0.2.10".parse().unwrap()));
        assert_eq!(
            (audio.port, audio.rtcp_port, audio.rtcp_explicit),
            (49170, Some(49171), false)
        );
        assert_eq!(audio.formats[2].encoding.as_deref(), Some("iLBC"));
        let video = &a.media[1];
        // RFC 3551 §6: H261 (31) and MPV (32) run at 90 000 Hz.
        assert_eq!(video.formats[0].clock_rate, Some(90_000));
        assert_eq!((video.rtcp_port, video.rtcp_explicit), (Some(53020), true));

        let mut r = Registry::default();
        r.add(&a, Some(7), 0);
        assert_eq!(r.clock_rate(ep("192.0.2.10", 49170), 97), Some(8000));
        assert_eq!(r.clock_rate(ep("192.0.2.10", 49170), 96), None);
        assert_eq!(r.clock_rate(ep("192.0.2.11", 49170), 97), None);
        assert_eq!(r.rtp_of_rtcp(ep("192.0.2.10", 53020)), Some(51372));
        assert_eq!(r.rtp_of_rtcp(ep("192.0.2.10", 49171)), Some(49170));
        assert_eq!(
            r.rtcp_of(ep("192.0.2.10", 51372)),
            Some((false, Some(53020)))
        );
        assert_eq!(r.rtcp_of(ep("192.0.2.10", 49170)), Some((false, None)));
        // The rejected stream (port 0) is not registered.
        let (all, unseen) = r.report();
        assert_eq!((all.len(), unseen.len()), (2, 2));
        assert_eq!(all[0].announced_by, Some(7));
    }

    #[test]
    fn rtcp_mux_and_a_deletion() {
        let sdp = b"v=0\r\ns=x\r\nc=IN IP4 239.69.1.10/32\r\nm=audio 5004 RTP/AVP 96\r\na=rtpmap:96 L24/48000/2\r\na=rtcp-mux\r\n";
        let a = parse("sap", false, sdp).expect("sdp");
        let m = &a.media[0];
        assert!(m.rtcp_mux);
        assert_eq!(m.rtcp_port, Some(5004));
        assert_eq!(m.formats[0].channels, Some(2));
        let mut r = Registry::default();
        r.add(&a, None, 0);
        assert_eq!(r.rtcp_of(ep("239.69.1.10", 5004)), Some((true, None)));
        assert_eq!(r.clock_rate(ep("239.69.1.10", 5004), 96), Some(48_000));
        let gone = parse("sap", true, sdp).expect("sdp");
        r.add(&gone, None, 1);
        assert_eq!(r.counts(), (2, 0));
        assert!(parse("sap", false, b"not sdp").is_none());
    }
}

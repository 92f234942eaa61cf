//! One-way capture (docs/mirror.md, "One-way capture"): hosts the capture
//! shows sending unicast traffic but never receiving any (or the reverse),
//! and the qualifier of unanswered attempts whose initiator is one of them.

use std::collections::HashMap;
use std::net::IpAddr;

use serde::Serialize;

use crate::classify::{BlockedKind, Classification, Finding};
use crate::flow::{DestKind, Flow};

/// Hosts followed; beyond this many (a scan, spoofed sources), new hosts
/// are not followed and get no qualifier.
const HOSTS_CAP: usize = 16_384;
/// Hosts listed in the summary per list.
const LISTED: usize = 16;

/// Hosts seen in one direction only (`summary.one_way` of the report).
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct OneWay {
    /// Hosts that sent unicast packets but were sent none.
    pub send_only: u64,
    /// The first of them (by address).
    pub send_only_hosts: Vec<String>,
    /// Hosts that were sent unicast packets but sent none.
    pub receive_only: u64,
    /// The first of them (by address).
    pub receive_only_hosts: Vec<String>,
}

/// Unicast packets sent by and to each host, over the flows that ended.
#[derive(Debug, Default)]
pub struct Hosts {
    /// `[sent, received]` per host.
    seen: HashMap<IpAddr, [u64; 2]>,
}

impl Hosts {
    fn bump(&mut self, ip: IpAddr, side: usize, n: u64) {
        if n == 0 {
            return;
        }
        let len = self.seen.len();
        match self.seen.get_mut(&ip) {
            Some(c) => c[side] += n,
            None if len < HOSTS_CAP => {
                let mut c = [0; 2];
                c[side] = n;
                self.seen.insert(ip, c);
            }
            None => {}
        }
    }

    /// Counts an ended flow (unicast only: multicast and broadcast are sent
    /// to no one host).
    pub fn note(&mut self, flow: &Flow) {
        if flow.dest_kind != DestKind::Unicast {
            return;
        }
        self.bump(flow.orig.ip, 0, flow.packets[0]);
        self.bump(flow.resp.ip, 1, flow.packets[0]);
        self.bump(flow.resp.ip, 0, flow.packets[1]);
        self.bump(flow.orig.ip, 1, flow.packets[1]);
    }

    /// The host sent unicast packets and the capture shows none to it.
    pub fn send_only(&self, ip: &IpAddr) -> bool {
        self.seen.get(ip).is_some_and(|c| c[0] > 0 && c[1] == 0)
    }

    /// Adds the one-way qualifiers to the classification of an unanswered
    /// attempt (`syn-unanswered`, `no-reply`) whose answer may simply not
    /// have been mirrored: `capture-one-way` when the capture shows nothing
    /// sent to its initiator, `capture-loss` when the input lost data.
    pub fn qualify(&self, flow: &Flow, c: &mut Classification, input_gaps: u64) {
        if !matches!(
            c.blocked_kind,
            Some(BlockedKind::SynUnanswered | BlockedKind::NoReply)
        ) {
            return;
        }
        if self.send_only(&flow.orig.ip) {
            c.findings.push(Finding {
                kind: "capture-one-way",
                detail: format!(
                    "the capture shows no packet to {} at all: the answer may simply not have been mirrored (one direction of the port or VLAN only), so this is no proof of a filter",
                    flow.orig.ip
                ),
            });
        }
        if input_gaps > 0 {
            c.findings.push(Finding {
                kind: "capture-loss",
                detail: format!(
                    "the capture lost data ({input_gaps} TCP ACKs acknowledged data never captured): the answer may have been lost by the mirror"
                ),
            });
        }
    }

    pub fn report(&self) -> OneWay {
        let mut send: Vec<IpAddr> = Vec::new();
        let mut recv: Vec<IpAddr> = Vec::new();
        for (ip, c) in &self.seen {
            if c[1] == 0 {
                send.push(*ip);
            } else if c[0] == 0 {
                recv.push(*ip);
            }
        }
        send.sort();
        recv.sort();
        OneWay {
            send_only: send.len() as u64,
            send_only_hosts: send.iter().take(LISTED).map(IpAddr::to_string).collect(),
            receive_only: recv.len() as u64,
            receive_only_hosts: recv.iter().take(LISTED).map(IpAddr::to_string).collect(),
        }
    }
}

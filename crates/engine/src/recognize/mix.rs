//! The protocol mix: the documented services a host answers on and opens,
//! as evidence for the roles the rules give those sides
//! (`docs/recognition.md`, "Protocol mix").
//!
//! One flow is a port coincidence; a host that answers on several distinct
//! services all documented for one role is likely to play it. Each distinct
//! service (transport and destination port) counts once per host and role,
//! shared between the roles its rules name for that side, and adds
//! [`PER_SERVICE`] of independent evidence: four services of one role reach
//! [`super::STRONG`].

use std::collections::BTreeMap;
use std::net::IpAddr;

use portmatrix_rules::{RuleSet, BUILTIN_ROLES};

use super::{Candidate, Evidence, Host};
use crate::FlowRecord;

/// What one distinct service of a role gives.
pub const PER_SERVICE: f64 = 0.35;
/// A flow whose rules name more roles than this for one side says nothing
/// about that side (443 and 53 are everybody's).
const MAX_ROLES: usize = 2;

/// Service text -> (weight, time of the first flow).
type Services = BTreeMap<String, (f64, i64)>;

/// Votes per host and role.
#[derive(Debug, Default)]
pub struct Mix {
    votes: BTreeMap<IpAddr, BTreeMap<String, Services>>,
}

/// Built-in roles other than the server roles say nothing of a device.
fn telling(role: &str) -> bool {
    !matches!(role, "any" | "internet" | "web-client")
        && (BUILTIN_ROLES.iter().all(|(id, _)| *id != role)
            || role.ends_with("-server")
            || role == "snmp-manager")
}

impl Mix {
    /// One classified flow: its candidate rules vote for the roles of its
    /// two sides.
    pub fn add(&mut self, rules: &RuleSet, flow: &FlowRecord) {
        if flow.rule_ids.is_empty() {
            return;
        }
        // Flows without IP (PTP over Ethernet) have no addresses to vote for.
        let parse = |ip: &Option<String>| ip.as_deref().and_then(|s| s.parse::<IpAddr>().ok());
        let (Some(src), Some(dst)) = (parse(&flow.src_ip), parse(&flow.dst_ip)) else {
            return;
        };
        let service = format!("{}/{}", flow.transport, flow.dst_port);
        for (host, opens) in [(dst, false), (src, true)] {
            let mut roles: Vec<&str> = Vec::new();
            for id in &flow.rule_ids {
                let Some(r) = rules.rule(id) else { continue };
                let role = if opens {
                    &r.source_role
                } else {
                    &r.destination_role
                };
                if telling(role) && !roles.contains(&role.as_str()) {
                    roles.push(role);
                }
            }
            // A destination counts only when it answered (not a broadcast,
            // a group or a silent address).
            let answered = opens || flow.packets_rev > 0;
            if !answered || roles.is_empty() || roles.len() > MAX_ROLES || host.is_unspecified() {
                continue;
            }
            let w = 1.0 / roles.len() as f64;
            let text = if opens {
                format!("opens {service}")
            } else {
                format!("answers {service}")
            };
            for role in roles {
                let e = self
                    .votes
                    .entry(host)
                    .or_default()
                    .entry(role.to_string())
                    .or_default()
                    .entry(text.clone())
                    .or_insert((0.0, flow.first_ts_ns));
                e.0 = e.0.max(w);
            }
        }
    }

    /// Adds a candidate per voted role to the hosts (new hosts for
    /// addresses without other evidence).
    pub fn into_hosts(self, rules: &RuleSet, hosts: &mut Vec<Host>) {
        for (ip, roles) in self.votes {
            let i = match hosts.iter().position(|h| h.ip == Some(ip)) {
                Some(i) => i,
                None => {
                    hosts.push(Host {
                        ip: Some(ip),
                        mac: None,
                        organisation: None,
                        names: Vec::new(),
                        candidates: Vec::new(),
                        evidence: Vec::new(),
                    });
                    hosts.len() - 1
                }
            };
            for (role, services) in roles {
                let miss: f64 = services
                    .values()
                    .map(|(w, _)| 1.0 - PER_SERVICE * w)
                    .product();
                let confidence = ((1.0 - miss) * 100.0).round() / 100.0;
                if confidence < super::REPORTED {
                    continue;
                }
                let name = rules
                    .role_ref(&role)
                    .map(|r| rules.role(r).name.clone())
                    .unwrap_or_else(|| role.clone());
                let evidence: Vec<Evidence> = services
                    .iter()
                    .map(|(text, (_, ts))| Evidence {
                        kind: "service",
                        text: text.clone(),
                        record: 0,
                        ts_ns: *ts,
                    })
                    .collect();
                hosts[i].evidence.extend(evidence.iter().cloned());
                hosts[i].candidates.push(Candidate {
                    product: format!("role:{role}"),
                    name,
                    vendor: String::new(),
                    roles: vec![role],
                    confidence,
                    evidence,
                });
            }
            hosts[i].candidates.sort_by(|a, b| {
                b.confidence
                    .total_cmp(&a.confidence)
                    .then_with(|| a.product.cmp(&b.product))
            });
        }
        hosts.sort_by(|a, b| (a.ip, &a.mac).cmp(&(b.ip, &b.mac)));
    }
}

//! Recognition: which devices a capture shows, from what they say about
//! themselves (LLDP, CDP, DHCP, mDNS, SSDP, HTTP, SIP, TLS server names),
//! the organisation of their MAC, the vendors' own discovery traffic and
//! the services they answer on (`docs/recognition.md`).
//!
//! [`Collector`] gathers evidence per host during a pass; [`Knowledge`]
//! (the data file `crates/engine/data/recognize.toml` and the MAC table
//! `crates/engine/data/oui.tsv`) turns it into candidate products and roles
//! of the rule sets, each with a confidence and the evidence behind it.

mod collect;
mod mix;

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use portmatrix_rules::{Rule, RuleSet};
use serde::{Deserialize, Serialize};

pub use collect::{Collector, Evidence, HostEvidence, HostKey, MAX_EVIDENCE, MAX_HOSTS};
pub use mix::Mix;

/// The recognition knowledge shipped with the program.
pub const KNOWLEDGE: &str = include_str!("../../data/recognize.toml");
/// The MAC organisation table shipped with the program.
pub const OUI_TABLE: &str = include_str!("../../data/oui.tsv");

/// A confidence from which recognised roles are used like inventory roles.
pub const STRONG: f64 = 0.75;
/// Candidates below this confidence are not reported.
pub const REPORTED: f64 = 0.25;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    product: Vec<ProductDef>,
    #[serde(default)]
    discovery: Vec<DiscoveryDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProductDef {
    id: String,
    name: String,
    vendor: String,
    roles: Vec<String>,
    #[serde(rename = "match")]
    matches: Vec<Pattern>,
}

/// One pattern of a product.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pattern {
    /// The evidence kind it reads.
    pub kind: String,
    /// A substring of the evidence text, compared without case ("" = any).
    pub contains: String,
    /// What one matching item gives.
    pub confidence: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DiscoveryDef {
    rule: String,
    sender: f64,
    responder: f64,
}

/// A product recognition can name.
#[derive(Clone, Debug)]
pub struct Product {
    pub id: String,
    pub name: String,
    pub vendor: String,
    pub roles: Vec<String>,
    pub patterns: Vec<Pattern>,
}

/// The recognition knowledge, checked against a rule set's roles.
#[derive(Clone, Debug)]
pub struct Knowledge {
    pub products: Vec<Product>,
    oui: BTreeMap<[u8; 3], String>,
}

/// A problem of the knowledge file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KnowledgeError(pub String);

impl std::fmt::Display for KnowledgeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for KnowledgeError {}

/// The UDP/TCP port of a `port` or `sent-to` evidence text (`udp/4502`).
fn port_of(text: &str) -> Option<(u8, u16)> {
    let (t, p) = text.split_once('/')?;
    let proto = match t {
        "udp" => 17,
        "tcp" => 6,
        _ => return None,
    };
    Some((proto, p.parse().ok()?))
}

impl Knowledge {
    /// The shipped knowledge, its roles checked against `rules`.
    ///
    /// # Errors
    /// A malformed file, a role the rule set does not know, a discovery
    /// rule it does not have or a confidence outside 0..1.
    pub fn builtin(rules: &RuleSet) -> Result<Knowledge, KnowledgeError> {
        Knowledge::parse("recognize.toml", KNOWLEDGE, OUI_TABLE, rules)
    }

    /// Knowledge from the text of a knowledge file and an OUI table.
    ///
    /// # Errors
    /// As [`Knowledge::builtin`]; messages name `name` and the line.
    pub fn parse(
        name: &str,
        text: &str,
        oui: &str,
        rules: &RuleSet,
    ) -> Result<Knowledge, KnowledgeError> {
        let file: File = toml::from_str(text).map_err(|e| {
            let at = e
                .span()
                .map(|s| {
                    let line = text[..s.start.min(text.len())].lines().count().max(1);
                    format!(":{line}")
                })
                .unwrap_or_default();
            KnowledgeError(format!("{name}{at}: {}", e.message()))
        })?;
        let bad = |m: String| Err(KnowledgeError(format!("{name}: {m}")));
        let mut products = Vec::new();
        for p in file.product {
            for r in &p.roles {
                if rules.role_ref(r).is_none() {
                    return bad(format!("product `{}`: unknown role `{r}`", p.id));
                }
            }
            for m in &p.matches {
                if !(0.0..=1.0).contains(&m.confidence) {
                    return bad(format!(
                        "product `{}`: confidence {} outside 0..1",
                        p.id, m.confidence
                    ));
                }
            }
            products.push(Product {
                id: p.id,
                name: p.name,
                vendor: p.vendor,
                roles: p.roles,
                patterns: p.matches,
            });
        }
        for d in file.discovery {
            let Some(rule) = rules.rule(&d.rule) else {
                return bad(format!("discovery: no rule `{}` in the rule set", d.rule));
            };
            if !(0.0..=1.0).contains(&d.sender) || !(0.0..=1.0).contains(&d.responder) {
                return bad(format!("discovery `{}`: confidence outside 0..1", d.rule));
            }
            products.extend(discovery_products(rule, d.sender, d.responder));
        }
        Ok(Knowledge {
            products,
            oui: parse_oui(oui),
        })
    }

    /// The ports whose use is evidence: `port` (sent from) or `sent-to`.
    pub fn ports(&self, kind: &str) -> BTreeSet<(u8, u16)> {
        self.products
            .iter()
            .flat_map(|p| &p.patterns)
            .filter(|m| m.kind == kind)
            .filter_map(|m| port_of(&m.contains))
            .collect()
    }

    /// A collector for this knowledge's ports.
    pub fn collector(&self) -> Collector {
        Collector::new(self.ports("port"), self.ports("sent-to"))
    }

    /// The organisation of a MAC's OUI, when the table has it (universally
    /// administered addresses only: bit 1 of the first octet clear).
    pub fn organisation(&self, mac: [u8; 6]) -> Option<&str> {
        if mac[0] & 0x02 != 0 {
            return None;
        }
        self.oui.get(&[mac[0], mac[1], mac[2]]).map(String::as_str)
    }

    /// The candidates of one host, best first, from its evidence.
    pub fn candidates(&self, evidence: &[Evidence]) -> Vec<Candidate> {
        let mut out = Vec::new();
        for p in &self.products {
            let mut miss = 1.0;
            let mut used: Vec<Evidence> = Vec::new();
            for m in &p.patterns {
                let needle = m.contains.to_ascii_lowercase();
                let hit = evidence.iter().find(|e| {
                    e.kind == m.kind
                        && if m.kind == "port" || m.kind == "sent-to" {
                            e.text == m.contains
                        } else {
                            e.text.to_ascii_lowercase().contains(&needle)
                        }
                });
                if let Some(e) = hit {
                    miss *= 1.0 - m.confidence;
                    if !used.contains(e) {
                        used.push(e.clone());
                    }
                }
            }
            let confidence = 1.0 - miss;
            if confidence >= REPORTED {
                out.push(Candidate {
                    product: p.id.clone(),
                    name: p.name.clone(),
                    vendor: p.vendor.clone(),
                    roles: p.roles.clone(),
                    confidence: (confidence * 100.0).round() / 100.0,
                    evidence: used,
                });
            }
        }
        out.sort_by(|a, b| {
            b.confidence
                .total_cmp(&a.confidence)
                .then_with(|| a.product.cmp(&b.product))
        });
        out
    }

    /// The hosts of a collector, recognised.
    pub fn recognise(&self, c: &Collector) -> Vec<Host> {
        hosts(self, c)
    }
}

/// The two products a discovery rule describes: its sender and its
/// responder (a role `any` names no role).
fn discovery_products(rule: &Rule, sender: f64, responder: f64) -> Vec<Product> {
    let ports: Vec<u16> = (1..=u16::MAX)
        .filter(|&p| rule.destination_ports.contains(p))
        .take(4)
        .collect();
    let protos: Vec<&str> = rule.transport.iter().map(|t| t.name()).collect();
    let mut out = Vec::new();
    for (side, role, kind, conf) in [
        ("sends", &rule.source_role, "sent-to", sender),
        ("answers", &rule.destination_role, "port", responder),
    ] {
        if conf <= 0.0 || ports.len() > 3 {
            continue;
        }
        let patterns = protos
            .iter()
            .flat_map(|t| {
                ports.iter().map(move |p| Pattern {
                    kind: kind.to_string(),
                    contains: format!("{t}/{p}"),
                    confidence: conf,
                })
            })
            .collect();
        out.push(Product {
            id: format!(
                "{}:{}",
                rule.id,
                if kind == "port" {
                    "responder"
                } else {
                    "sender"
                }
            ),
            name: format!("{} {} ({side} {})", rule.vendor, rule.product, rule.service),
            vendor: rule.vendor.clone(),
            roles: if role == "any" {
                Vec::new()
            } else {
                vec![role.clone()]
            },
            patterns,
        });
    }
    out
}

fn parse_oui(text: &str) -> BTreeMap<[u8; 3], String> {
    let mut m = BTreeMap::new();
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let Some((hex, org)) = line.split_once('\t') else {
            continue;
        };
        let Ok(v) = u32::from_str_radix(hex, 16) else {
            continue;
        };
        if hex.len() == 6 {
            let b = v.to_be_bytes();
            m.insert([b[1], b[2], b[3]], org.to_string());
        }
    }
    m
}

/// One candidate product of a host.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Candidate {
    /// The product id of the knowledge file (`rule-id:sender` for discovery).
    pub product: String,
    pub name: String,
    pub vendor: String,
    /// Roles of the rule sets it plays (may be empty).
    pub roles: Vec<String>,
    /// 0..1, two decimals.
    pub confidence: f64,
    /// The items that gave it.
    pub evidence: Vec<Evidence>,
}

/// A recognised host (the `hosts` list of the report).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Host {
    pub ip: Option<IpAddr>,
    pub mac: Option<String>,
    pub organisation: Option<String>,
    /// Names it gave itself (DHCP host name, LLDP system name, CDP device
    /// id, mDNS host names).
    pub names: Vec<String>,
    pub candidates: Vec<Candidate>,
    /// Every evidence item (candidates cite some of them).
    pub evidence: Vec<Evidence>,
}

impl Host {
    /// Roles of the candidates at or above `min` confidence, each once.
    pub fn roles_at(&self, min: f64) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for c in self.candidates.iter().filter(|c| c.confidence >= min) {
            for r in &c.roles {
                if !out.contains(&r.as_str()) {
                    out.push(r);
                }
            }
        }
        out
    }
}

/// Formats a MAC as `00:05:a6:12:34:56`.
pub fn mac_text(m: [u8; 6]) -> String {
    format!(
        "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
        m[0], m[1], m[2], m[3], m[4], m[5]
    )
}

/// Joins MAC-keyed evidence to the IP host of that MAC (the only IP seen
/// behind it, or the address it announced), adds the organisation, and
/// recognises each host.
fn hosts(k: &Knowledge, c: &Collector) -> Vec<Host> {
    // The MAC of each IP, when the MAC is not a router's.
    let mut ip_mac: BTreeMap<IpAddr, [u8; 6]> = BTreeMap::new();
    for (m, ips) in &c.mac_ips {
        if ips.len() <= 2 {
            for ip in ips {
                ip_mac.insert(*ip, *m);
            }
        }
    }
    for (m, ip) in &c.announced {
        ip_mac.entry(*ip).or_insert(*m);
    }
    let mut by_ip: BTreeMap<IpAddr, Vec<Evidence>> = BTreeMap::new();
    let mut by_mac: BTreeMap<[u8; 6], Vec<Evidence>> = BTreeMap::new();
    for (key, h) in &c.hosts {
        match key {
            HostKey::Ip(ip) => by_ip
                .entry(*ip)
                .or_default()
                .extend(h.items.iter().cloned()),
            HostKey::Mac(m) => by_mac
                .entry(*m)
                .or_default()
                .extend(h.items.iter().cloned()),
        }
    }
    let mut mac_ip: BTreeMap<[u8; 6], IpAddr> = BTreeMap::new();
    for (ip, m) in &ip_mac {
        mac_ip.entry(*m).or_insert(*ip);
    }
    for (m, ip) in &c.announced {
        mac_ip.insert(*m, *ip);
    }
    for (m, ev) in std::mem::take(&mut by_mac) {
        match mac_ip.get(&m) {
            Some(ip) => by_ip.entry(*ip).or_default().extend(ev),
            None => {
                by_mac.insert(m, ev);
            }
        }
    }
    let mut out = Vec::new();
    let keyed = by_ip
        .into_iter()
        .map(|(ip, ev)| (Some(ip), ip_mac.get(&ip).copied(), ev))
        .chain(by_mac.into_iter().map(|(m, ev)| (None, Some(m), ev)));
    for (ip, mac, mut evidence) in keyed {
        let organisation = mac.and_then(|m| k.organisation(m)).map(str::to_string);
        if let Some(org) = &organisation {
            evidence.push(Evidence {
                kind: "oui",
                text: org.clone(),
                record: 0,
                ts_ns: 0,
            });
        }
        let mut names: Vec<String> = Vec::new();
        for e in &evidence {
            if matches!(
                e.kind,
                "dhcp.host-name" | "lldp.system-name" | "cdp.device-id" | "mdns.host-name"
            ) && !names.contains(&e.text)
            {
                names.push(e.text.clone());
            }
        }
        let candidates = k.candidates(&evidence);
        if evidence.is_empty() {
            continue;
        }
        out.push(Host {
            ip,
            mac: mac.map(mac_text),
            organisation,
            names,
            candidates,
            evidence,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_knowledge_names_only_roles_of_the_rule_sets() {
        let rules = RuleSet::builtin().unwrap();
        let k = Knowledge::builtin(&rules).unwrap();
        assert!(k.ports("sent-to").contains(&(17, 4502)));
        assert!(k.ports("port").contains(&(17, 3487)));
        let bad = KNOWLEDGE.replace("roles = [\"dante.device\"]", "roles = [\"dante.devise\"]");
        let e = Knowledge::parse("k.toml", &bad, "", &rules).unwrap_err();
        assert!(e.0.contains("unknown role `dante.devise`"), "{e}");
        let e = Knowledge::parse("k.toml", "[[product]]\nid = 1\n", "", &rules).unwrap_err();
        assert!(e.0.starts_with("k.toml:2:"), "{e}");
    }

    /// Extron's assignment in the IEEE registry (MA-L 00-05-A6).
    #[test]
    fn the_oui_table_names_extron() {
        let rules = RuleSet::builtin().unwrap();
        let k = Knowledge::builtin(&rules).unwrap();
        assert_eq!(
            k.organisation([0x00, 0x05, 0xa6, 1, 2, 3]),
            Some("Extron Electronics")
        );
        assert_eq!(k.organisation([0x02, 0x05, 0xa6, 1, 2, 3]), None);
    }
}

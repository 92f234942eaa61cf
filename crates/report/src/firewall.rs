//! Firewall allowlists from what was observed (`docs/report-format.md`,
//! "Firewall allowlist"): one accept rule per documented flow seen
//! (transport, source address, destination address or group, destination
//! port), grouped per device pair, each group headed by a comment naming
//! the rules and their documents. Nothing else is allowed besides the
//! replies of allowed connections; the default-drop policy is left as a
//! commented suggestion, to be switched on after review.
//!
//! The collector is a [`FlowSink`]; it keeps one entry per distinct allowed
//! tuple, not per flow.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io;

use portmatrix_engine::{FlowRecord, FlowSink, Verdict};
use portmatrix_rules::RuleSet;

use crate::text::sanitize;

/// The firewall syntax of an allowlist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirewallKind {
    /// An `nft -f` script (table `inet portmatrix`, chain `forward`).
    Nft,
    /// `iptables-restore` input (chain `PORTMATRIX`); IPv6 rules go to a
    /// second text for `ip6tables-restore`.
    Iptables,
}

/// One allowed tuple.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Allow {
    v6: bool,
    transport: &'static str,
    src_ip: String,
    dst_ip: String,
    /// The destination port, or the ICMP type.
    dst_port: u16,
}

/// The allowed tuples of one device pair, with the rules that document them.
type Pair = BTreeMap<Allow, BTreeSet<String>>;

/// Collects the documented flows of one or more inputs.
#[derive(Debug, Default)]
pub struct Allowlist {
    /// `(source label, destination label)` → tuples.
    pairs: BTreeMap<(String, String), Pair>,
    inputs: Vec<String>,
    /// Documented flows left out because their transport has no port
    /// (`other`), counted for the file's header.
    skipped: u64,
}

impl Allowlist {
    /// Names an input in the file's header.
    pub fn add_input(&mut self, path: &str) {
        self.inputs.push(path.to_string());
    }

    /// True when no flow is to be allowed.
    pub fn is_empty(&self) -> bool {
        self.pairs.is_empty()
    }

    /// The allowlist in `kind`'s syntax: the main text, and for iptables
    /// the `ip6tables-restore` text when IPv6 flows were allowed.
    pub fn render(&self, kind: FirewallKind, rules: &RuleSet) -> (String, Option<String>) {
        match kind {
            FirewallKind::Nft => (self.nft(rules), None),
            FirewallKind::Iptables => {
                let v6 = self.pairs.values().flat_map(|p| p.keys()).any(|a| a.v6);
                (
                    self.iptables(rules, false),
                    v6.then(|| self.iptables(rules, true)),
                )
            }
        }
    }

    fn header(&self, s: &mut String, kind: &str) {
        let _ = writeln!(
            s,
            "# {kind} allowlist written by portmatrix {} from:",
            env!("CARGO_PKG_VERSION")
        );
        for i in &self.inputs {
            let _ = writeln!(s, "#   {}", sanitize(i));
        }
        let _ = writeln!(
            s,
            "# It allows exactly the documented flows that were observed (transport,\n\
             # source address, destination address or group, destination port) and the\n\
             # replies of allowed connections, and nothing else. Review it before use."
        );
        if self.skipped > 0 {
            let _ = writeln!(
                s,
                "# {} documented flow(s) of a transport without ports were left out.",
                self.skipped
            );
        }
    }

    /// `# a -> b`, then each document section with the rule ids resting on it.
    fn pair_comment(s: &mut String, (src, dst): &(String, String), pair: &Pair, rules: &RuleSet) {
        let ids: BTreeSet<&String> = pair.values().flatten().collect();
        let mut by_basis: Vec<(String, Vec<&str>)> = Vec::new();
        for id in ids {
            let b = crate::csv::basis(rules, id);
            match by_basis.iter_mut().find(|(x, _)| *x == b) {
                Some((_, v)) => v.push(id),
                None => by_basis.push((b, vec![id])),
            }
        }
        let _ = writeln!(s, "\t\t# {} -> {}", sanitize(src), sanitize(dst));
        for (basis, ids) in by_basis {
            let _ = writeln!(s, "\t\t#   {}:", sanitize(&basis));
            let _ = writeln!(s, "\t\t#     {}", sanitize(&ids.join(", ")));
        }
    }

    fn nft(&self, rules: &RuleSet) -> String {
        let mut s = String::from("#!/usr/sbin/nft -f\n");
        self.header(&mut s, "nftables");
        s.push_str(
            "\n# Replaces the table on every load.\ntable inet portmatrix\ndelete table inet portmatrix\n\n\
             table inet portmatrix {\n\tchain forward {\n\
             \t\ttype filter hook forward priority filter; policy accept;\n\
             \t\t# Suggested once reviewed: drop everything not allowed below by\n\
             \t\t# changing the line above to \"policy drop;\".\n\
             \t\tct state established,related accept\n",
        );
        for (key, pair) in &self.pairs {
            s.push('\n');
            Self::pair_comment(&mut s, key, pair, rules);
            for (a, ids) in pair {
                let fam = if a.v6 { "ip6" } else { "ip" };
                let l4 = match a.transport {
                    "tcp" | "udp" => format!("{} dport {}", a.transport, a.dst_port),
                    "icmp" => format!("icmp type {}", a.dst_port),
                    _ => format!("icmpv6 type {}", a.dst_port),
                };
                let _ = writeln!(
                    s,
                    "\t\t{fam} saddr {} {fam} daddr {} {l4} accept comment \"{}\"",
                    a.src_ip,
                    a.dst_ip,
                    comment_text(ids)
                );
            }
        }
        s.push_str("\t}\n}\n");
        s
    }

    fn iptables(&self, rules: &RuleSet, v6: bool) -> String {
        let mut s = String::new();
        let tool = if v6 { "ip6tables" } else { "iptables" };
        self.header(&mut s, tool);
        let _ = write!(
            s,
            "# Load with `{tool}-restore --noflush FILE`, then hook the chain once:\n\
             #   {tool} -I FORWARD -j PORTMATRIX\n\
             *filter\n:PORTMATRIX - [0:0]\n\
             -A PORTMATRIX -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT\n"
        );
        let host = if v6 { "/128" } else { "/32" };
        for (key, pair) in &self.pairs {
            if !pair.keys().any(|a| a.v6 == v6) {
                continue;
            }
            s.push('\n');
            let mut c = String::new();
            Self::pair_comment(&mut c, key, pair, rules);
            s.push_str(&c.replace("\t\t", ""));
            for (a, ids) in pair.iter().filter(|(a, _)| a.v6 == v6) {
                let l4 = match a.transport {
                    "tcp" | "udp" => format!("-p {0} -m {0} --dport {1}", a.transport, a.dst_port),
                    "icmp" => format!("-p icmp -m icmp --icmp-type {}", a.dst_port),
                    _ => format!("-p ipv6-icmp -m icmp6 --icmpv6-type {}", a.dst_port),
                };
                let _ = writeln!(
                    s,
                    "-A PORTMATRIX -s {}{host} -d {}{host} {l4} -m comment --comment \"{}\" -j ACCEPT",
                    a.src_ip,
                    a.dst_ip,
                    comment_text(ids)
                );
            }
        }
        s.push_str(
            "\n# Suggested once reviewed: drop everything not allowed above.\n\
             # -A PORTMATRIX -j DROP\nCOMMIT\n",
        );
        s
    }
}

/// The rule ids of a firewall rule's comment: only characters a rule id
/// may have, and at most 120 bytes (nft comments hold 128, iptables 256).
fn comment_text(ids: &BTreeSet<String>) -> String {
    let mut t: String = ids
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._- ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    if t.len() > 120 {
        t.truncate(117);
        t.push_str("...");
    }
    t
}

impl FlowSink for Allowlist {
    fn flow(&mut self, f: FlowRecord) -> io::Result<()> {
        if f.verdict != Verdict::Documented {
            return Ok(());
        }
        // Only IP flows can be allowed by address (flows without IP, such as
        // PTP over Ethernet, are never documented, but are counted if so).
        let (Some(src_ip), Some(dst_ip)) = (f.src_ip.clone(), f.dst_ip.clone()) else {
            self.skipped += 1;
            return Ok(());
        };
        if !matches!(f.transport, "tcp" | "udp" | "icmp" | "icmpv6") {
            self.skipped += 1;
            return Ok(());
        }
        // A listed device is one group whatever its addresses.
        let label = |dev: &Option<String>, ip: &str| dev.clone().unwrap_or_else(|| ip.to_string());
        let key = (label(&f.src_device, &src_ip), label(&f.dst_device, &dst_ip));
        let allow = Allow {
            v6: src_ip.contains(':'),
            transport: f.transport,
            src_ip,
            dst_ip,
            // An ICMP flow's message type is its source "port" (see
            // docs/report-format.md, Flow).
            dst_port: if f.transport.starts_with("icmp") {
                f.src_port
            } else {
                f.dst_port
            },
        };
        self.pairs
            .entry(key)
            .or_default()
            .entry(allow)
            .or_default()
            .extend(f.rule_ids);
        Ok(())
    }
}

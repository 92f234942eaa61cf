//! The loaded, validated rule set: documents, roles and rules.

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;

use crate::error::Position;
use crate::groups::Group;
use crate::ports::PortSpec;
use crate::suggest;

/// A transport protocol of a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Transport {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
}

impl Transport {
    /// `tcp` or `udp`.
    pub fn name(self) -> &'static str {
        match self {
            Transport::Tcp => "tcp",
            Transport::Udp => "udp",
        }
    }

    /// The other transport.
    pub fn other(self) -> Transport {
        match self {
            Transport::Tcp => Transport::Udp,
            Transport::Udp => Transport::Tcp,
        }
    }
}

impl fmt::Display for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The transports a rule covers: `tcp`, `udp` or `tcp;udp`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transports {
    /// TCP only.
    Tcp,
    /// UDP only.
    Udp,
    /// Both TCP and UDP.
    TcpUdp,
}

impl Transports {
    /// Whether `t` is covered.
    #[inline]
    pub fn contains(self, t: Transport) -> bool {
        matches!(
            (self, t),
            (Transports::TcpUdp, _)
                | (Transports::Tcp, Transport::Tcp)
                | (Transports::Udp, Transport::Udp)
        )
    }

    /// The covered transports, TCP first.
    pub fn iter(self) -> impl Iterator<Item = Transport> {
        [Transport::Tcp, Transport::Udp]
            .into_iter()
            .filter(move |t| self.contains(*t))
    }

    /// `tcp`, `udp` or `tcp;udp`.
    pub fn name(self) -> &'static str {
        match self {
            Transports::Tcp => "tcp",
            Transports::Udp => "udp",
            Transports::TcpUdp => "tcp;udp",
        }
    }

    /// Parses `tcp`, `udp`, `tcp;udp` or `udp;tcp`.
    pub fn parse(s: &str) -> Option<Transports> {
        let mut tcp = false;
        let mut udp = false;
        for part in s.split(';').map(str::trim) {
            match part {
                "tcp" if !tcp => tcp = true,
                "udp" if !udp => udp = true,
                _ => return None,
            }
        }
        match (tcp, udp) {
            (true, true) => Some(Transports::TcpUdp),
            (true, false) => Some(Transports::Tcp),
            (false, true) => Some(Transports::Udp),
            (false, false) => None,
        }
    }
}

impl fmt::Display for Transports {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The direction of a rule, as the document states it.
///
/// Matching reads `Inbound`, `Outbound` and `SourceToDestination` alike: the
/// `source_role` side opens the flow to the `destination_ports` of the
/// `destination_role` side. `Both` lets either side open it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    /// `inbound`: received on the port of the device whose table it is.
    Inbound,
    /// `outbound`: sent from the device whose table it is.
    Outbound,
    /// `both`: either side may open the flow.
    Both,
    /// `source-to-destination`: an Avaya-style source → destination row.
    SourceToDestination,
}

impl Direction {
    const ALL: [Direction; 4] = [
        Direction::Inbound,
        Direction::Outbound,
        Direction::Both,
        Direction::SourceToDestination,
    ];

    /// The word used in rule files.
    pub fn name(self) -> &'static str {
        match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
            Direction::Both => "both",
            Direction::SourceToDestination => "source-to-destination",
        }
    }

    /// Parses the rule-file word.
    pub fn parse(s: &str) -> Option<Direction> {
        Direction::ALL.into_iter().find(|d| d.name() == s)
    }

    /// Every allowed word.
    pub fn names() -> impl Iterator<Item = &'static str> {
        Direction::ALL.into_iter().map(Direction::name)
    }

    /// Whether either side may open the flow.
    pub fn either_side_opens(self) -> bool {
        self == Direction::Both
    }
}

impl fmt::Display for Direction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How the vendor rates a flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Requirement {
    /// Must be open for the product to work.
    Mandatory,
    /// Should be open.
    Recommended,
    /// Needed only for an optional feature.
    Optional,
    /// Must never succeed (a `forbidden` verdict if it does).
    Blocked,
}

impl Requirement {
    const ALL: [Requirement; 4] = [
        Requirement::Mandatory,
        Requirement::Recommended,
        Requirement::Optional,
        Requirement::Blocked,
    ];

    /// The word used in rule files.
    pub fn name(self) -> &'static str {
        match self {
            Requirement::Mandatory => "mandatory",
            Requirement::Recommended => "recommended",
            Requirement::Optional => "optional",
            Requirement::Blocked => "blocked",
        }
    }

    /// Parses the rule-file word.
    pub fn parse(s: &str) -> Option<Requirement> {
        Requirement::ALL.into_iter().find(|r| r.name() == s)
    }

    /// Every allowed word.
    pub fn names() -> impl Iterator<Item = &'static str> {
        Requirement::ALL.into_iter().map(Requirement::name)
    }
}

impl fmt::Display for Requirement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How directly a rule reads its document (`docs/rules.md`, "Confidence").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Confidence {
    /// The rule says what the document says (or corrects an evident typo from
    /// the document's own other rows).
    #[default]
    Reading,
    /// The rule's `correction` interprets rather than reads the document: a
    /// value the document does not give, chosen by the reviewer.
    Guess,
}

impl Confidence {
    const ALL: [Confidence; 2] = [Confidence::Reading, Confidence::Guess];

    /// The word used in rule files.
    pub fn name(self) -> &'static str {
        match self {
            Confidence::Reading => "reading",
            Confidence::Guess => "guess",
        }
    }

    /// Parses the rule-file word.
    pub fn parse(s: &str) -> Option<Confidence> {
        Confidence::ALL.into_iter().find(|c| c.name() == s)
    }

    /// Every allowed word.
    pub fn names() -> impl Iterator<Item = &'static str> {
        Confidence::ALL.into_iter().map(Confidence::name)
    }
}

impl fmt::Display for Confidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where something was defined: file and position.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin {
    /// The rule file (as given, or `rules/<name>.toml` for built-in rules).
    pub path: PathBuf,
    /// Line and column of the definition (the `[[rule]]` header for a rule).
    pub position: Position,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.path.display(), self.position)
    }
}

/// A vendor document a rule file is written from.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Document {
    /// The document's file name (a seed file name such as `002_615c4775d6f19aa4.txt`).
    pub file: String,
    /// The vendor; every rule of the file inherits it.
    pub vendor: String,
    /// The document's title.
    pub title: String,
    /// The `[document]` table.
    pub origin: Origin,
    pub(crate) file_position: Position,
}

/// A role: what a device is or the part it plays. Rules name roles; the site
/// inventory says which addresses have which roles.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Role {
    /// The id, e.g. `extron.control-processor` or the built-in `any`.
    pub id: String,
    /// A human name.
    pub name: String,
    /// Where it was declared; `None` for built-in roles.
    pub origin: Option<Origin>,
}

impl Role {
    /// Whether the role is one of the built-in generic roles.
    pub fn is_builtin(&self) -> bool {
        self.origin.is_none()
    }
}

/// A compact handle to a role of one [`RuleSet`] (an index into
/// [`RuleSet::roles`]). Handles of one rule set mean nothing in another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RoleRef(pub(crate) u16);

impl RoleRef {
    /// The handle of the built-in role `any`, which every host has.
    pub const ANY: RoleRef = RoleRef(0);

    /// The index into [`RuleSet::roles`].
    pub fn index(self) -> usize {
        usize::from(self.0)
    }
}

/// The built-in generic roles: (id, name). `any` must stay first ([`RoleRef::ANY`]).
pub const BUILTIN_ROLES: [(&str, &str); 11] = [
    ("any", "any host"),
    ("dns-server", "DNS server"),
    ("ntp-server", "NTP server"),
    ("dhcp-server", "DHCP server"),
    ("snmp-manager", "SNMP manager"),
    ("smtp-server", "SMTP (email) server"),
    ("ldap-server", "LDAP / Active Directory server"),
    ("syslog-server", "syslog server"),
    ("netbios-server", "NetBIOS name server"),
    (
        "web-client",
        "a browser or other HTTP(S) client of an administrator or user",
    ),
    (
        "internet",
        "hosts outside the site (cloud services, updates, remote access)",
    ),
];

/// One documented flow.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Rule {
    /// Stable id, unique across all loaded files.
    pub id: String,
    /// The source document's file name (the seed file name).
    pub document: String,
    /// The vendor (from the file's `[document]`).
    pub vendor: String,
    /// The product (table) the row belongs to.
    pub product: String,
    /// The document section (heading path).
    pub section: String,
    /// Role of the side that opens the flow.
    pub source_role: String,
    /// Source ports (`any` when the rule does not say).
    pub source_ports: PortSpec,
    /// Role of the side that listens or receives.
    pub destination_role: String,
    /// Destination ports.
    pub destination_ports: PortSpec,
    /// TCP, UDP or both.
    pub transport: Transports,
    /// The direction as documented.
    pub direction: Direction,
    /// The service name as the document gives it.
    pub service: String,
    /// How the vendor rates the flow.
    pub requirement: Requirement,
    /// The document's qualifier, e.g. `if deployed with SameTime Server`.
    pub condition: Option<String>,
    /// Multicast groups the flow is sent to (empty: not multicast).
    pub multicast_groups: Vec<Group>,
    /// The flow is sent to a broadcast address.
    pub broadcast: bool,
    /// RTP on even, RTCP on the next odd port applies to the destination range.
    pub rtp_pairing: bool,
    /// The document says the port or range can be changed.
    pub configurable: bool,
    /// A short verbatim quote of the row or sentence.
    pub quote: String,
    /// The original text and the reason, when the document's text was corrected.
    pub correction: Option<String>,
    /// Anything else a reviewer should know.
    pub note: Option<String>,
    /// Whether the rule reads the document or guesses where it is unclear.
    pub confidence: Confidence,
    /// The `[[rule]]` table.
    pub origin: Origin,
    pub(crate) source_ref: RoleRef,
    pub(crate) destination_ref: RoleRef,
    pub(crate) quote_position: Position,
}

impl Rule {
    /// The handle of [`Rule::source_role`] in the rule set the rule belongs to.
    pub fn source_role_ref(&self) -> RoleRef {
        self.source_ref
    }

    /// The handle of [`Rule::destination_role`] in the rule set the rule belongs to.
    pub fn destination_role_ref(&self) -> RoleRef {
        self.destination_ref
    }

    /// Whether the rule's traffic goes to multicast groups.
    pub fn is_multicast(&self) -> bool {
        !self.multicast_groups.is_empty()
    }
}

/// A complete, validated set of rules from one or more rule files.
///
/// Obtained from [`RuleSet::builtin`], [`RuleSet::load`] or
/// [`RuleSet::from_sources`]; a load gives either a complete set or every
/// problem found.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub(crate) files: Vec<PathBuf>,
    pub(crate) documents: Vec<Document>,
    pub(crate) roles: Vec<Role>,
    pub(crate) rules: Vec<Rule>,
    pub(crate) role_index: HashMap<String, RoleRef>,
    pub(crate) rule_index: HashMap<String, usize>,
}

impl RuleSet {
    /// The rule files the set was loaded from, in load order.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// The source documents, one per rule file.
    pub fn documents(&self) -> &[Document] {
        &self.documents
    }

    /// Every role: the built-in ones first, then the declared ones in load order.
    pub fn roles(&self) -> &[Role] {
        &self.roles
    }

    /// Every rule, in load order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The rule with this id.
    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rule_index.get(id).map(|&i| &self.rules[i])
    }

    /// The index in [`RuleSet::rules`] of the rule with this id.
    pub fn rule_index(&self, id: &str) -> Option<usize> {
        self.rule_index.get(id).copied()
    }

    /// The handle of the role with this id (built-in or declared).
    pub fn role_ref(&self, id: &str) -> Option<RoleRef> {
        self.role_index.get(id).copied()
    }

    /// The role behind a handle of this set.
    ///
    /// # Panics
    ///
    /// Panics if the handle comes from another rule set with more roles.
    pub fn role(&self, r: RoleRef) -> &Role {
        &self.roles[r.index()]
    }

    /// The document of a rule.
    pub fn document_of(&self, rule: &Rule) -> Option<&Document> {
        self.documents.iter().find(|d| d.file == rule.document)
    }

    /// The names `--products`/`--vendor` accept (docs/rules.md, "Selecting
    /// products"): every vendor, product, document file and rule file stem,
    /// sorted case-insensitively, without repeats.
    pub fn product_names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        let mut push = |n: &str| {
            if !names.iter().any(|x| x.eq_ignore_ascii_case(n)) {
                names.push(n.to_string());
            }
        };
        for r in &self.rules {
            push(&r.vendor);
            push(&r.product);
            push(&r.document);
        }
        for f in &self.files {
            if let Some(stem) = f.file_stem().and_then(|s| s.to_str()) {
                push(stem);
            }
        }
        names.sort_by_key(|n| n.to_lowercase());
        names
    }

    /// Whether `rule` belongs to the product or vendor `name`: its vendor,
    /// product or document file, or the stem of the rule file defining it,
    /// equals `name` ignoring ASCII case.
    pub fn rule_is_of(rule: &Rule, name: &str) -> bool {
        let stem = rule.origin.path.file_stem().and_then(|s| s.to_str());
        [
            Some(rule.vendor.as_str()),
            Some(rule.product.as_str()),
            Some(rule.document.as_str()),
            stem,
        ]
        .into_iter()
        .flatten()
        .any(|n| n.eq_ignore_ascii_case(name.trim()))
    }

    /// Only the rules of the products or vendors `names` (any of them, see
    /// [`RuleSet::rule_is_of`]); roles stay, documents without a kept rule go.
    ///
    /// # Errors
    ///
    /// The names that select no rule, when there is any: the caller lists
    /// [`RuleSet::product_names`].
    pub fn select_products<S: AsRef<str>>(
        &self,
        names: &[S],
    ) -> std::result::Result<RuleSet, Vec<String>> {
        let unknown: Vec<String> = names
            .iter()
            .map(|n| n.as_ref())
            .filter(|n| !self.rules.iter().any(|r| RuleSet::rule_is_of(r, n)))
            .map(str::to_string)
            .collect();
        if !unknown.is_empty() {
            return Err(unknown);
        }
        let rules: Vec<Rule> = self
            .rules
            .iter()
            .filter(|r| names.iter().any(|n| RuleSet::rule_is_of(r, n.as_ref())))
            .cloned()
            .collect();
        let rule_index = rules
            .iter()
            .enumerate()
            .map(|(i, r)| (r.id.clone(), i))
            .collect();
        let documents = self
            .documents
            .iter()
            .filter(|d| rules.iter().any(|r| r.document == d.file))
            .cloned()
            .collect();
        Ok(RuleSet {
            files: self.files.clone(),
            documents,
            roles: self.roles.clone(),
            rules,
            role_index: self.role_index.clone(),
            rule_index,
        })
    }

    /// Rule ids close to `id` (misspellings, substrings), best first.
    pub fn similar_rule_ids(&self, id: &str, limit: usize) -> Vec<&str> {
        suggest::closest(id, self.rules.iter().map(|r| r.id.as_str()), limit)
    }

    /// Role ids close to `id`, best first.
    pub fn similar_role_ids(&self, id: &str, limit: usize) -> Vec<&str> {
        suggest::closest(id, self.roles.iter().map(|r| r.id.as_str()), limit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transports_parse_and_display() {
        assert_eq!(Transports::parse("tcp"), Some(Transports::Tcp));
        assert_eq!(Transports::parse("udp"), Some(Transports::Udp));
        assert_eq!(Transports::parse("tcp;udp"), Some(Transports::TcpUdp));
        assert_eq!(Transports::parse("udp;tcp"), Some(Transports::TcpUdp));
        assert_eq!(Transports::parse("tcp;tcp"), None);
        assert_eq!(Transports::parse("TCP"), None);
        assert_eq!(Transports::parse("sctp"), None);
        assert_eq!(Transports::TcpUdp.to_string(), "tcp;udp");
        assert!(Transports::TcpUdp.contains(Transport::Udp));
        assert!(!Transports::Tcp.contains(Transport::Udp));
    }

    #[test]
    fn words_parse() {
        assert_eq!(
            Direction::parse("source-to-destination"),
            Some(Direction::SourceToDestination)
        );
        assert_eq!(Direction::parse("Both"), None);
        assert_eq!(Requirement::parse("blocked"), Some(Requirement::Blocked));
        assert_eq!(Requirement::parse("required"), None);
    }

    #[test]
    fn any_is_the_first_builtin_role() {
        assert_eq!(BUILTIN_ROLES[RoleRef::ANY.index()].0, "any");
    }
}

//! Vendor port rule sets and the site inventory.
//!
//! This crate reads the rule files (`rules/*.toml`, one per vendor document,
//! schema in `docs/rules.md`) and the site inventory (`site.toml`, format in
//! `docs/site.md`), validates them with precise errors, and compiles the rules
//! into a [`Matcher`] that answers, per flow, which documented rules the flow
//! could belong to.
//!
//! What it is not: it reads no packets and gives no verdicts. The flow engine
//! asks the [`Matcher`] about each flow (transport, server port, destination
//! kind, and the roles the [`Site`] gives the two addresses) and turns the
//! answer into `documented`, `wrong-direction`, `forbidden`,
//! `multicast-undocumented-group` and so on.
//!
//! # Entry points
//!
//! - [`RuleSet::builtin`] — the rule files compiled into the binary;
//!   [`RuleSet::load`] — files or directories given by the user (replacing
//!   the built-in ones); [`RuleSet::load_layered`] — a site's files over the
//!   built-in ones or over others (a rule id in both is a problem);
//!   [`RuleSet::select_products`] — only some vendors' or products' rules.
//!   All validate everything and return either a
//!   complete [`RuleSet`] or an [`Error`] listing every problem as
//!   `path:line:column: reason`.
//! - [`Matcher::new`] — compile once; [`Matcher::lookup`] /
//!   [`Matcher::lookup_into`] per flow (a table read plus a walk over the
//!   rules at that port); [`Matcher::other_transport`],
//!   [`Matcher::nearest_by`], [`Matcher::nearest_for_roles`],
//!   [`Matcher::same_product_other_port`] and [`Matcher::same_role_other_port`]
//!   for the "nearest rules" hint of undocumented flows (a walk outwards from
//!   the port over sorted ranges, whose cost depends on the rules near the
//!   port, not on the rule count; [`Matcher::nearest_search`] also says how
//!   many rules it read).
//! - [`Site::load`] — the inventory, checked against a rule set's roles;
//!   [`Site::lookup`] maps an (IP, MAC) pair to devices and roles.
//! - [`export`] — CSV, JSON, a text table, and a full description of a rule.
//!
//! ```
//! use portmatrix_rules::{Matcher, Query, RuleSet, Transport};
//! # use std::path::PathBuf;
//!
//! let text = r#"
//! [document]
//! file = "000_1cb9c75137957cb3.txt"
//! vendor = "Extron"
//! title = "Control Systems"
//!
//! [[role]]
//! id = "extron.control-processor"
//! name = "Extron control processor"
//!
//! [[rule]]
//! id = "extron.hardware.dns"
//! product = "Pro Series control processors"
//! section = "Network Port Information"
//! source_role = "any"
//! destination_role = "extron.control-processor"
//! destination_ports = "53"
//! transport = "udp"
//! direction = "both"
//! service = "DNS"
//! requirement = "mandatory"
//! quote = "53 UDP Both DNS DNS service"
//! "#;
//! let rules = RuleSet::from_sources(vec![(PathBuf::from("extron.toml"), text.to_string())])?;
//! let matcher = Matcher::new(&rules);
//! let found = matcher.lookup(&Query::new(Transport::Udp, 53));
//! assert_eq!(found.matches[0].rule.id, "extron.hardware.dns");
//! assert!(!matcher.lookup(&Query::new(Transport::Tcp, 53)).is_documented());
//! # Ok::<(), portmatrix_rules::Error>(())
//! ```

#![warn(missing_docs)]

mod error;
pub mod export;
mod groups;
mod load;
mod matcher;
mod model;
mod ports;
mod reader;
mod site;
mod suggest;
mod visible;

pub use error::{Diagnostic, Error, Position, ProblemKind, Result};
pub use groups::Group;
pub use load::{fold_whitespace, quote_in_document};
pub use matcher::{
    Candidate, Destination, Lookup, Matcher, Mismatch, NearMiss, NearScope, Nearest, NearestSearch,
    Orientation, Query, Side,
};
pub use model::{
    Confidence, Direction, Document, Origin, Requirement, Role, RoleRef, Rule, RuleSet, Transport,
    Transports, BUILTIN_ROLES,
};
pub use ports::{NamedRange, PortItem, PortRange, PortSpec, SpecError};
pub use site::{Address, Device, Resolution, Site};
pub use visible::{is_unsafe_char, may_hold_unsafe, sanitize, sanitize_lines};

//! Integration tests of the `portmatrix` binary (one test binary, several modules).

mod corpus;
mod error_flood;
mod firewall;
mod fixtures;
mod flood;
mod hostile;
mod html;
mod interrupt;
#[cfg(feature = "live")]
mod live;
mod media;
mod mirror;
mod mirror_traffic;
mod mutation;
mod ptp;
mod recipes;
mod reports;
mod rule_selection;
mod signalling;
mod util;
mod verdicts;
mod zeek;

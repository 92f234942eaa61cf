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
mod mutation;
mod ptp;
mod recipes;
mod util;
mod verdicts;
mod zeek;

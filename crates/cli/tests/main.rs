//! Integration tests of the `portmatrix` binary (one test binary, several modules).

mod corpus;
mod firewall;
mod fixtures;
mod flood;
mod hostile;
#[cfg(feature = "live")]
mod live;
mod mirror;
mod mutation;
mod util;
mod verdicts;
mod zeek;

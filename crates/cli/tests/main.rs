//! Integration tests of the `portmatrix` binary (one test binary, several modules).

mod corpus;
mod firewall;
mod fixtures;
mod flood;
mod hostile;
#[cfg(feature = "live")]
mod live;
mod media;
mod mutation;
mod reports;
mod util;
mod verdicts;
mod zeek;

//! Integration tests: the reader against outside oracles (the shared
//! corpus of real captures with their capinfos counts, and tshark when it
//! is installed).

mod corpus;
mod tshark;
mod util;

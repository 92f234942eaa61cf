//! Integration tests of the `portmatrix` binary (one test binary, several modules).

mod corpus;
mod fixtures;
mod util;

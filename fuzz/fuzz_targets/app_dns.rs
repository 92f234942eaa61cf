//! One DNS / mDNS message: every name (owners, PTR and SRV targets) walks
//! in bounded steps, writes into the fixed buffer exactly when its label
//! walk succeeds and equals its own text; RDATA lies in the message;
//! `check` agrees with the walk.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portmatrix_fuzz::app;

fuzz_target!(|data: &[u8]| app::dns(data));

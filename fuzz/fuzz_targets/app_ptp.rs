//! One PTP message (UDP 319/320 or EtherType 0x88F7 payload) through the
//! version 1 and version 2 views: the version test agrees with what the
//! views accept, bodies are read only when present.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portmatrix_fuzz::app;

fuzz_target!(|data: &[u8]| app::ptp(data));

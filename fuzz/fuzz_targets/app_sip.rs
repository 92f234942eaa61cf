//! One SIP message: headers inside the head, the body at its offset and
//! bounded by Content-Length (truncated flag and trailing octets
//! consistent), `is_sip` agreeing with the parser.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portmatrix_fuzz::app;

fuzz_target!(|data: &[u8]| app::sip(data));

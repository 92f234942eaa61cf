//! One input as an SDP text and as a SAP packet: lines, media sections
//! (contiguous, running to the end), connection and rtpmap slices inside
//! the input; `check` agrees with the line reader; a SAP payload that is
//! SDP goes through the same checks.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portmatrix_fuzz::app;

fuzz_target!(|data: &[u8]| app::sdp_and_sap(data));

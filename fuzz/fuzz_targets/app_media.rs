//! One UDP payload of a media port through the RTP, RTCP (plain, RFC 5506
//! and SRTCP) and STUN views: no panic, every slice inside the payload,
//! the compound walk contiguous, the RFC 3550 and RFC 5506 checks
//! consistent with the walk and with each other.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portmatrix_fuzz::app;

fuzz_target!(|data: &[u8]| app::media(data));

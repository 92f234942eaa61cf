//! Whole-file bytes through `CaptureReader`: read from one buffer, in
//! uneven pieces with `Interrupted` errors in between, and gzip-compressed;
//! the three reads must agree and keep the reader's invariants.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    portmatrix_fuzz::read_three_ways(data);
});

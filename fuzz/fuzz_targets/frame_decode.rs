//! One frame through the decoder. The first two bytes (little-endian) pick
//! the link type from the supported set (or an unsupported value); the
//! rest is the frame. Lax, strict and original-length decoding must agree,
//! error offsets and the payload must lie within the frame, and the
//! per-protocol views must keep their no-panic contract.
#![no_main]

use libfuzzer_sys::fuzz_target;
use portmatrix_fuzz::wire;

fuzz_target!(|data: &[u8]| {
    let Some((selector, frame)) = data.split_first_chunk::<2>() else {
        return;
    };
    let link = wire::link_type(u16::from_le_bytes(*selector));
    wire::decode_all(link, frame);
    wire::views(frame);
});

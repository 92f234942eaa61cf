//! Shared code of the benchmarks: the synthetic traffic generator used by
//! `gencap` (whole-program runs) and by the criterion targets, the in-memory
//! captures and frame sets those targets measure, and the generator of large
//! rule files (`genrules`, the `classify` bench).

pub mod rulegen;
pub mod synth;
pub mod traffic;

//! Shared code of the benchmarks: the synthetic traffic generator used by
//! `gencap` (whole-program runs) and by the criterion targets, and the
//! in-memory captures and frame sets those targets measure.

pub mod synth;
pub mod traffic;

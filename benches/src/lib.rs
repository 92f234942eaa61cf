//! Shared code of the benchmarks: the synthetic traffic generator used by
//! `gencap` (whole-program runs) and by the criterion targets.

pub mod synth;

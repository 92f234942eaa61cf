//! Rendering of analysis results: the terminal summary and the JSON document.
//!
//! This crate knows results, not packets: it never reads a capture.
#![forbid(unsafe_code)]

pub mod json;
mod mirror;
pub mod text;

/// Version of the JSON document layout (`docs/report-format.md`).
pub const SCHEMA_VERSION: u32 = 1;

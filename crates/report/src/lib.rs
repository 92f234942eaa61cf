//! Rendering of analysis results: the terminal summary, the JSON document
//! and the self-contained HTML page.
//!
//! This crate knows results, not packets: it never reads a capture.
#![forbid(unsafe_code)]

pub mod html;
pub mod json;
pub mod text;

/// Version of the JSON document layout (`docs/report-format.md`).
pub const SCHEMA_VERSION: u32 = 1;

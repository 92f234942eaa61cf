//! Rendering of analysis results: the terminal summary, the JSON document,
//! CSV rows, Parquet files, firewall allowlists and the self-contained HTML page.
//!
//! This crate knows results, not packets: it never reads a capture.
#![forbid(unsafe_code)]

pub mod csv;
pub mod firewall;
pub mod html;
pub mod json;
mod mirror;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod text;

/// Version of the JSON document layout (`docs/report-format.md`).
pub const SCHEMA_VERSION: u32 = 1;

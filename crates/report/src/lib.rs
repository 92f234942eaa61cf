//! Rendering of analysis results: the terminal summary, the JSON document,
//! CSV rows, Parquet files and firewall allowlists.
//!
//! This crate knows results, not packets: it never reads a capture.
#![forbid(unsafe_code)]

pub mod csv;
pub mod firewall;
pub mod json;
mod mirror;
#[cfg(feature = "parquet")]
pub mod parquet;
pub mod text;

/// Version of the JSON document layout (`docs/report-format.md`).
pub const SCHEMA_VERSION: u32 = 1;

//! ris-lsp: a language server and checker for RIS bibliography files.
//!
//! Data flows one way: text → [`syntax`] (lines, records, spans) →
//! [`checks`] (diagnostics with codes, reading the [`catalog`] of static RIS
//! knowledge) → [`analysis`] (one per record and what follows it) →
//! [`document`] (open documents) → the language server and the CLI, which
//! only translate. See ARCHITECTURE.md.

pub mod analysis;
pub mod catalog;
pub mod checks;
pub mod cli;
pub mod config;
pub mod contain;
pub mod dedupe;
pub mod document;
pub mod features;
pub mod files;
pub mod fix;
pub mod format;
pub mod server;
pub mod syntax;
pub mod workspace;

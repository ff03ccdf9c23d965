//! ris-lsp: a language server and checker for RIS bibliography files.
//!
//! Data flows one way: text → [`syntax`] (lines, records, spans) →
//! [`catalog`] (static RIS knowledge) → [`checks`] (diagnostics with codes) →
//! the CLI and the language server, which only translate. See ARCHITECTURE.md.

pub mod catalog;
pub mod checks;
pub mod cli;
pub mod config;
pub mod document;
pub mod features;
pub mod fix;
pub mod format;
pub mod server;
pub mod syntax;

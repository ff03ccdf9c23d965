//! The `ris-lsp` binary: the language server by default, `check` for the CLI.

use std::process::ExitCode;

use clap::Parser;
use ris_lsp::cli::{self, Cli, Command};

fn main() -> ExitCode {
    let args = Cli::parse();
    match args.command {
        Some(Command::Check { paths, format }) => cli::check(&paths, format),
        None => ris_lsp::server::run(args.log_file.as_deref()),
    }
}

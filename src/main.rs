//! The `ris-lsp` binary: the language server by default, `check`, `fmt` and `dedupe` for the CLI.

use std::process::ExitCode;

use ris_lsp::cli::{self, Cli, Command, FixMode};

fn main() -> ExitCode {
    ris_lsp::contain::install_hook();
    let (args, ignored): (Cli, _) = cli::parse_args(std::env::args_os());
    match args.command {
        Some(Command::Check {
            paths,
            format,
            fix,
            diff,
        }) => {
            let mode = match (fix, diff) {
                (_, true) => FixMode::Diff,
                (true, false) => FixMode::Write,
                (false, false) => FixMode::Report,
            };
            cli::check(&paths, format, mode)
        }
        Some(Command::Fmt { paths, check, diff }) => cli::fmt(&paths, check, diff),
        Some(Command::Dedupe {
            paths,
            format,
            out,
            force,
        }) => cli::dedupe(&paths, format, out.as_deref(), force),
        None => ris_lsp::server::run(args.log_file.as_deref(), &ignored),
    }
}

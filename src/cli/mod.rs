//! The command line: `ris-lsp check PATH…` for people and CI, and the entry
//! to the language server. Output formatting lives here; RIS knowledge does not.

mod decode;
mod render;

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::checks::{self, Severity};

/// ris-lsp: a language server and checker for RIS bibliography files.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
pub struct Cli {
    /// Speak LSP over stdin/stdout (the default; VS Code passes this flag).
    #[arg(long, global = false)]
    pub stdio: bool,
    /// Write logs to this file instead of stderr.
    #[arg(long, value_name = "PATH")]
    pub log_file: Option<PathBuf>,
    /// What to do; without a command, run the language server.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check RIS files and folders (every `*.ris` inside, recursively); `-` reads stdin.
    Check {
        /// Files or folders to check.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
    },
}

/// How `check` prints its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// file:line:col, the source line and a caret, then a summary.
    Human,
    /// A JSON array of findings, one object each.
    Json,
}

/// Runs `check`: exit 0 without errors, 1 with errors, 2 for usage or I/O problems.
pub fn check(paths: &[PathBuf], format: Format) -> ExitCode {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            files.push(Input::Stdin);
        } else if path.is_dir() {
            let before = files.len();
            collect_ris_files(path, &mut files, &mut problems);
            if files.len() == before {
                problems.push(format!("{}: no .ris files in this folder", path.display()));
            }
        } else if path.exists() {
            files.push(Input::File(path.clone()));
        } else {
            problems.push(format!("{}: no such file or folder", path.display()));
        }
    }

    let color = format == Format::Human && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut report = render::Report::new(format, color);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    // One file at a time: a folder of many files is never held in memory at once.
    for input in &files {
        let name = input.name();
        let bytes = match input.read() {
            Ok(bytes) => bytes,
            Err(error) => {
                problems.push(format!("{name}: cannot read: {error}"));
                continue;
            }
        };
        let decoded = match decode::decode(&bytes) {
            Ok(decoded) => decoded,
            Err(decode::DecodeError::Binary) => {
                problems.push(format!("{name}: a binary file, not RIS text"));
                continue;
            }
        };
        drop(bytes);
        let mut diagnostics = checks::check(&decoded.text);
        if let Some(note) = decoded.note {
            diagnostics.insert(0, note);
        }
        if let Err(error) = report.file(&mut out, &name, &decoded.text, &diagnostics) {
            return broken_pipe_or_fail(error);
        }
    }
    if let Err(error) = report.finish(&mut out, &problems).and_then(|()| out.flush()) {
        return broken_pipe_or_fail(error);
    }
    drop(out);
    for problem in &problems {
        eprintln!("error: {problem}");
    }
    if !problems.is_empty() {
        ExitCode::from(2)
    } else if report.count(Severity::Error) > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn broken_pipe_or_fail(error: std::io::Error) -> ExitCode {
    if error.kind() == std::io::ErrorKind::BrokenPipe {
        ExitCode::from(1)
    } else {
        eprintln!("error: cannot write output: {error}");
        ExitCode::from(2)
    }
}

enum Input {
    Stdin,
    File(PathBuf),
}

impl Input {
    fn name(&self) -> String {
        match self {
            Input::Stdin => "<stdin>".to_string(),
            Input::File(path) => path.display().to_string(),
        }
    }

    fn read(&self) -> std::io::Result<Vec<u8>> {
        match self {
            Input::Stdin => {
                let mut bytes = Vec::new();
                std::io::stdin().read_to_end(&mut bytes)?;
                Ok(bytes)
            }
            Input::File(path) => std::fs::read(path),
        }
    }
}

/// Every `*.ris` file below `dir`, sorted for stable output.
fn collect_ris_files(dir: &Path, files: &mut Vec<Input>, problems: &mut Vec<String>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) => {
            problems.push(format!("{}: cannot read folder: {error}", dir.display()));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect_ris_files(&path, files, problems);
        } else if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("ris")) {
            files.push(Input::File(path));
        }
    }
}

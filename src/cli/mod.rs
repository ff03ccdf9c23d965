//! The command line: `ris-lsp check` and `ris-lsp fmt` for people and CI,
//! and the entry to the language server. Output lives here; RIS knowledge
//! does not.

mod decode;
mod render;

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::checks::{self, Severity};
use crate::config::{self, Config};
use crate::{fix, format};

/// ris-lsp: a language server and checker for RIS bibliography files.
#[derive(Debug, Parser)]
#[command(version, about, long_about = None)]
pub struct Cli {
    /// Speak LSP over stdin/stdout (the default; clients may pass it more than once).
    #[arg(long, action = clap::ArgAction::Count)]
    pub stdio: u8,
    /// The editor's process id, as language clients pass it (accepted, not used).
    #[arg(long = "clientProcessId", value_name = "PID", overrides_with = "client_process_id")]
    pub client_process_id: Option<u32>,
    /// Write logs to this file instead of stderr.
    #[arg(long, value_name = "PATH", overrides_with = "log_file")]
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
        /// Apply every safe fix and write the files (stdin: print the fixed text).
        #[arg(long)]
        fix: bool,
        /// Show the fixes as a diff without writing anything.
        #[arg(long)]
        diff: bool,
    },
    /// Format RIS files: `XX  - value` lines, one blank line between records.
    Fmt {
        /// Files or folders to format; `-` formats stdin to stdout.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Write nothing; exit 1 if a file is not formatted, and name it.
        #[arg(long)]
        check: bool,
        /// Write nothing; show the changes as a diff.
        #[arg(long)]
        diff: bool,
    },
}

/// The options of the server that take a value in the next argument.
const SERVER_VALUE_OPTIONS: [&str; 2] = ["--log-file", "--clientProcessId"];

/// Parses the command line. Started as a language server (no subcommand), the
/// binary drops the `--flags` it does not know, which editors' clients add,
/// and returns them for the log instead of exiting; a word right after such
/// a flag is taken as its value and dropped with it. With a subcommand, or
/// for `--help` and `--version`, clap parses everything as usual.
pub fn parse_args(args: impl IntoIterator<Item = std::ffi::OsString>) -> (Cli, Vec<String>) {
    use clap::CommandFactory;
    let args: Vec<std::ffi::OsString> = args.into_iter().collect();
    let command = Cli::command();
    let known: Vec<String> = command
        .get_arguments()
        .filter_map(|a| a.get_long())
        .map(|long| format!("--{long}"))
        .chain(["--help", "--version", "-h", "-V"].map(String::from))
        .collect();
    let subcommands: Vec<&str> = command
        .get_subcommands()
        .map(|c| c.get_name())
        .chain(["help"])
        .collect();
    // Is there a subcommand? Look at the first word that is not an option's value.
    let mut words = args.iter().skip(1).map(|a| a.to_string_lossy());
    let mut subcommand = false;
    while let Some(word) = words.next() {
        if word == "--" {
            break;
        }
        if SERVER_VALUE_OPTIONS.contains(&word.as_ref()) {
            words.next();
            continue;
        }
        if !word.starts_with('-') {
            subcommand = subcommands.contains(&word.as_ref());
            break;
        }
    }
    let mut ignored = Vec::new();
    let mut kept = Vec::with_capacity(args.len());
    if subcommand {
        kept = args;
    } else {
        let mut rest = args.into_iter();
        kept.extend(rest.next());
        let mut after_unknown = false;
        while let Some(arg) = rest.next() {
            let text = arg.to_string_lossy().into_owned();
            let name = text.split('=').next().unwrap_or_default();
            if text == "--" {
                kept.push(arg);
                kept.extend(rest.by_ref());
                break;
            }
            if text.starts_with('-') && text.len() > 1 && !known.iter().any(|k| k == name) {
                ignored.push(text);
                after_unknown = true;
                continue;
            }
            if after_unknown && !text.starts_with('-') {
                // The unknown flag's value.
                if let Some(flag) = ignored.last_mut() {
                    flag.push(' ');
                    flag.push_str(&text);
                }
                after_unknown = false;
                continue;
            }
            after_unknown = false;
            let takes_value = SERVER_VALUE_OPTIONS.contains(&text.as_str());
            kept.push(arg);
            if takes_value {
                kept.extend(rest.next());
            }
        }
    }
    (Cli::parse_from(kept), ignored)
}

/// How `check` prints its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// file:line:col, the source line and a caret, then a summary.
    Human,
    /// A JSON array of findings, one object each.
    Json,
}

/// What `check` does besides reporting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixMode {
    /// Report only.
    Report,
    /// Apply safe fixes and write them.
    Write,
    /// Show safe fixes as a diff.
    Diff,
}

/// Runs `check`: exit 0 without errors, 1 with errors, 2 for usage or I/O problems.
pub fn check(paths: &[PathBuf], format: Format, mode: FixMode) -> ExitCode {
    let (inputs, mut problems) = gather(paths);
    let color = format == Format::Human && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut report = render::Report::new(format, color);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut would_fix = false;
    let mut configs = Configs::default();
    let walked = each_input(&inputs, &mut problems, |input, decoded, problems| {
        let name = input.name();
        let mut text = decoded.text;
        if mode != FixMode::Report {
            let fixed = fix::fix_all(&text);
            if fixed.count() > 0 {
                would_fix |= mode == FixMode::Diff;
                let summary: Vec<String> = fixed.applied.iter().map(|(code, n)| format!("{code} ×{n}")).collect();
                let result = match mode {
                    FixMode::Diff => write_diff(&mut out, &name, &text, &fixed.text),
                    _ => write_back(input, &fixed.text, decoded.note.is_some(), &mut out),
                };
                if let Err(error) = result {
                    problems.push(format!("{name}: {error}"));
                    return Ok(());
                }
                let verb = if mode == FixMode::Diff { "Would fix" } else { "Fixed" };
                eprintln!("{verb} {} problem(s) in {name}: {}", fixed.count(), summary.join(", "));
                if mode == FixMode::Write {
                    // The file was rewritten: from here on only the new text.
                    text = std::borrow::Cow::Owned(fixed.text);
                }
            }
        }
        // Read even when not reporting, so that a bad file is still said.
        let config = configs.for_input(input, problems);
        // --diff shows only the diff; with stdin, --fix printed the fixed
        // text: no report, so no check either.
        if mode == FixMode::Diff || (mode == FixMode::Write && matches!(input, Input::Stdin)) {
            return Ok(());
        }
        let mut diagnostics = checks::check_with(&text, &config.rules());
        if let Some(note) = decoded.note {
            diagnostics.insert(0, note);
        }
        config.apply(&mut diagnostics);
        report
            .file(&mut out, &name, &text, &diagnostics)
            .map_err(broken_pipe_or_fail)
    });
    if let Err(code) = walked {
        return code;
    }
    let quiet = mode == FixMode::Diff || (mode == FixMode::Write && inputs.iter().all(|i| matches!(i, Input::Stdin)));
    let finish = if quiet {
        Ok(())
    } else {
        report.finish(&mut out, &problems)
    };
    if let Err(error) = finish.and_then(|()| out.flush()) {
        return broken_pipe_or_fail(error);
    }
    drop(out);
    exit_code(&problems, report.count(Severity::Error) > 0 || would_fix)
}

/// Runs `fmt`: exit 0 when all is formatted (or was written), 1 with
/// `--check`/`--diff` when a file would change, 2 for I/O problems.
pub fn fmt(paths: &[PathBuf], check_only: bool, diff: bool) -> ExitCode {
    let (inputs, mut problems) = gather(paths);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut unformatted = 0;
    let walked = each_input(&inputs, &mut problems, |input, decoded, problems| {
        let name = input.name();
        let formatted = format::format(&decoded.text);
        if matches!(input, Input::Stdin) && !check_only && !diff {
            if let Err(error) = out.write_all(formatted.as_bytes()) {
                return Err(broken_pipe_or_fail(error));
            }
            return Ok(());
        }
        if formatted == decoded.text {
            return Ok(());
        }
        unformatted += 1;
        let result = if diff {
            write_diff(&mut out, &name, &decoded.text, &formatted)
        } else if check_only {
            writeln!(out, "would reformat {name}")
        } else {
            write_back(input, &formatted, decoded.note.is_some(), &mut out)
                .and_then(|()| writeln!(out, "formatted {name}"))
        };
        if let Err(error) = result {
            problems.push(format!("{name}: {error}"));
        }
        Ok(())
    });
    if let Err(code) = walked {
        return code;
    }
    let _ = out.flush();
    drop(out);
    if !problems.is_empty() {
        exit_code(&problems, false)
    } else if unformatted > 0 && (check_only || diff) {
        eprintln!("{unformatted} file(s) would be reformatted");
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn exit_code(problems: &[String], errors: bool) -> ExitCode {
    for problem in problems {
        eprintln!("error: {problem}");
    }
    if !problems.is_empty() {
        ExitCode::from(2)
    } else if errors {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Reads and decodes each input in turn, one at a time (a folder of many
/// files is never held in memory at once), noting unreadable ones, and hands
/// each decoded text to `each`; an `Err` from it stops the walk.
fn each_input(
    inputs: &[Input],
    problems: &mut Vec<String>,
    mut each: impl FnMut(&Input, decode::Decoded<'_>, &mut Vec<String>) -> Result<(), ExitCode>,
) -> Result<(), ExitCode> {
    for input in inputs {
        let Some(bytes) = read(input, problems) else { continue };
        let Some(decoded) = decode(input, &bytes, problems) else {
            continue;
        };
        each(input, decoded, problems)?;
    }
    Ok(())
}

/// Reads one input; problems are noted, not fatal.
fn read(input: &Input, problems: &mut Vec<String>) -> Option<Bytes> {
    match input.read() {
        Ok(bytes) => Some(bytes),
        Err(error) => {
            problems.push(format!("{}: cannot read: {error}", input.name()));
            None
        }
    }
}

/// Decodes one input's bytes; a binary file is noted, not fatal.
fn decode<'b>(input: &Input, bytes: &'b Bytes, problems: &mut Vec<String>) -> Option<decode::Decoded<'b>> {
    match decode::decode(bytes) {
        Ok(decoded) => Some(decoded),
        Err(decode::DecodeError::Binary) => {
            problems.push(format!("{}: a binary file, not RIS text", input.name()));
            None
        }
    }
}

/// Writes `text` back to the input's file (stdin: to stdout). A file that was
/// not UTF-8 is not rewritten: that would change its encoding behind the
/// user's back.
fn write_back(input: &Input, text: &str, not_utf8: bool, out: &mut impl Write) -> std::io::Result<()> {
    match input {
        Input::Stdin => out.write_all(text.as_bytes()),
        Input::File(_) if not_utf8 => Err(std::io::Error::other(
            "not UTF-8: convert it to UTF-8 first; nothing written",
        )),
        Input::File(path) => std::fs::write(path, text),
    }
}

fn write_diff(out: &mut impl Write, name: &str, old: &str, new: &str) -> std::io::Result<()> {
    let diff = similar::TextDiff::from_lines(old, new);
    write!(out, "{}", diff.unified_diff().context_radius(2).header(name, name))
}

fn broken_pipe_or_fail(error: std::io::Error) -> ExitCode {
    if error.kind() == std::io::ErrorKind::BrokenPipe {
        ExitCode::from(1)
    } else {
        eprintln!("error: cannot write output: {error}");
        ExitCode::from(2)
    }
}

/// The configuration of each folder, read once.
#[derive(Default)]
struct Configs {
    by_dir: std::collections::HashMap<PathBuf, Config>,
}

impl Configs {
    /// The configuration for `input` (stdin: the current folder's). A bad
    /// file is reported once, with its position, and the defaults apply.
    fn for_input(&mut self, input: &Input, problems: &mut Vec<String>) -> Config {
        let dir = match input {
            Input::File(path) => path.parent().map(Path::to_path_buf).unwrap_or_default(),
            Input::Stdin => PathBuf::from("."),
        };
        let dir = std::fs::canonicalize(&dir).unwrap_or(dir);
        if let Some(config) = self.by_dir.get(&dir) {
            return config.clone();
        }
        let (config, error) = config::load_for(&dir);
        if let Some((path, text, error)) = error {
            let at = error.span.map(|span| {
                let (line, column) = crate::syntax::LineIndex::new(&text).line_column(span.start);
                format!(":{line}:{column}")
            });
            problems.push(format!(
                "{}{}: {}; using the defaults",
                path.display(),
                at.unwrap_or_default(),
                error
            ));
        }
        self.by_dir.insert(dir, config.clone());
        config
    }
}

/// Files from this size on are mapped rather than read: no copy, no zeroed
/// pages, half the time on a 100 MB export.
const MAP_FROM: u64 = 4 << 20;

/// A file's bytes, read or mapped.
enum Bytes {
    Owned(Vec<u8>),
    Mapped(memmap2::Mmap),
}

impl std::ops::Deref for Bytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Owned(bytes) => bytes,
            Bytes::Mapped(map) => map,
        }
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

    fn read(&self) -> std::io::Result<Bytes> {
        match self {
            Input::Stdin => {
                let mut bytes = Vec::new();
                std::io::stdin().read_to_end(&mut bytes)?;
                Ok(Bytes::Owned(bytes))
            }
            Input::File(path) => {
                let file = std::fs::File::open(path)?;
                if file.metadata()?.len() < MAP_FROM {
                    let mut bytes = Vec::new();
                    std::io::BufReader::new(file).read_to_end(&mut bytes)?;
                    return Ok(Bytes::Owned(bytes));
                }
                // SAFETY: the map is only read. If another program truncates
                // the file while it is checked, reading may fault; ripgrep
                // and others accept the same for the speed of big files.
                let map = unsafe { memmap2::MmapOptions::new().map(&file)? };
                Ok(Bytes::Mapped(map))
            }
        }
    }
}

/// The inputs named by `paths` (folders: every `*.ris` inside), and problems.
fn gather(paths: &[PathBuf]) -> (Vec<Input>, Vec<String>) {
    let mut inputs = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            inputs.push(Input::Stdin);
        } else if path.is_dir() {
            let before = inputs.len();
            collect_ris_files(path, &mut inputs, &mut problems);
            if inputs.len() == before {
                problems.push(format!("{}: no .ris files in this folder", path.display()));
            }
        } else if path.exists() {
            inputs.push(Input::File(path.clone()));
        } else {
            problems.push(format!("{}: no such file or folder", path.display()));
        }
    }
    (inputs, problems)
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

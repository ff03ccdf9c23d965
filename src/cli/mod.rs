//! The command line: `ris-lsp check`, `fmt` and `dedupe` for people and CI,
//! and the entry to the language server. Output lives here; RIS knowledge
//! does not.

mod dedupe;
mod render;

use std::borrow::Cow;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};

use crate::analysis;
use crate::checks::{self, Severity};
use crate::config::{self, Config};
use crate::features::exporter::describe;
use crate::files::{decode, input};
use crate::{fix, format};
pub use dedupe::{DedupeFormat, dedupe};
use input::{Bytes, Input};

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
    /// Find duplicate records across RIS files and folders; `-` reads stdin.
    Dedupe {
        /// Files or folders to search.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = DedupeFormat::Human)]
        format: DedupeFormat,
        /// Write the deduplicated records, each cluster merged, to this file.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Allow `--out` to write over one of the inputs.
        #[arg(long)]
        force: bool,
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

/// Runs `check`: exit 0 without errors, 1 with errors, 2 for usage or I/O
/// problems. With `--fix` on standard input the whole text (fixed, or as it
/// came) goes to stdout in the encoding it came in, so the report goes to
/// stderr.
pub fn check(paths: &[PathBuf], format: Format, mode: FixMode) -> ExitCode {
    let (inputs, mut problems) = gather(paths);
    let report_to_stderr = mode == FixMode::Write && inputs.iter().any(|i| matches!(i, Input::Stdin));
    let terminal = if report_to_stderr {
        std::io::stderr().is_terminal()
    } else {
        std::io::stdout().is_terminal()
    };
    let color = format == Format::Human && terminal && std::env::var_os("NO_COLOR").is_none();
    let mut report = render::Report::new(format, color);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut err_out = std::io::BufWriter::new(std::io::stderr());
    let mut would_fix = false;
    let mut configs = Configs::default();
    let walked = each_input(&inputs, &mut problems, |input, decoded, problems| {
        let name = input.name();
        let stdin_fix = mode == FixMode::Write && matches!(input, Input::Stdin);
        let decode::Decoded { text, note, source } = decoded;
        let mut text = text;
        // Read even when not reporting, so that a bad file is still said.
        let config = configs.for_input(input, problems);
        let rules = config.rules();
        if mode != FixMode::Report {
            let fixed = fix::fix_all(&text, &rules);
            if fixed.count() > 0 {
                would_fix |= mode == FixMode::Diff;
                let summary: Vec<String> = fixed.applied.iter().map(|(code, n)| format!("{code} ×{n}")).collect();
                let result = match mode {
                    FixMode::Diff => write_diff(&mut out, &name, &text, &fixed.text),
                    _ => write_back(input, &source, &fixed.text, &mut out),
                };
                match result {
                    Err(error) => {
                        // Not written: report on the text as it is.
                        problems.push(format!("{name}: {error}"));
                        if stdin_fix {
                            // Standard output still gets the whole text.
                            out.write_all(source.raw).map_err(broken_pipe_or_fail)?;
                        }
                    }
                    Ok(()) => {
                        let verb = if mode == FixMode::Diff { "Would fix" } else { "Fixed" };
                        eprintln!(
                            "{verb} {} problem(s) in {}: {}",
                            fixed.count(),
                            render::escape(&name),
                            summary.join(", ")
                        );
                        if mode == FixMode::Write {
                            // The file was rewritten: from here on only the new text.
                            text = Cow::Owned(fixed.text);
                        }
                    }
                }
            } else if stdin_fix {
                // Nothing to fix: the text as it came, byte for byte.
                out.write_all(source.raw).map_err(broken_pipe_or_fail)?;
            }
        }
        // --diff shows only the diff.
        if mode == FixMode::Diff {
            return Ok(());
        }
        let analysis::Checked {
            mut diagnostics,
            exporter,
            records,
        } = analysis::check_file(&text, &rules);
        if let Some(mut note) = note
            && let Some(severity) = rules.severity(note.code)
        {
            note.severity = severity;
            diagnostics.insert(0, note);
        }
        // A bug of ours on a record is a problem of the run (exit 2), with
        // the place, besides its finding.
        for failed in diagnostics.iter().filter(|d| d.code == checks::Code::InternalError) {
            let (line, _) = crate::syntax::LineIndex::new(&text).line_column(failed.span.start);
            problems.push(format!(
                "{}:{line}: internal error while checking this record; please report it",
                render::escape(&name)
            ));
        }
        let mut sink: &mut dyn Write = if report_to_stderr { &mut err_out } else { &mut out };
        report
            .file(&mut sink, &name, &text, &diagnostics, &describe(exporter, records))
            .map_err(broken_pipe_or_fail)
    });
    if let Err(code) = walked {
        return code;
    }
    let finish = if mode == FixMode::Diff {
        Ok(())
    } else if report_to_stderr {
        report.finish(&mut err_out, &problems)
    } else {
        report.finish(&mut out, &problems)
    };
    if let Err(error) = finish.and_then(|()| out.flush()).and_then(|()| err_out.flush()) {
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
        let changed = formatted != decoded.text;
        if matches!(input, Input::Stdin) && !check_only && !diff {
            // The whole text, in the encoding it came in; as it came when
            // unchanged or when it cannot be written back.
            let bytes = match changed.then(|| encoded(&decoded.source, &formatted)) {
                Some(Ok(bytes)) => bytes,
                Some(Err(why)) => {
                    problems.push(format!("{name}: not formatted: {why}; printed as it came"));
                    Cow::Borrowed(decoded.source.raw)
                }
                None => Cow::Borrowed(decoded.source.raw),
            };
            return out.write_all(&bytes).map_err(broken_pipe_or_fail);
        }
        if !changed {
            return Ok(());
        }
        unformatted += 1;
        let result = if diff {
            write_diff(&mut out, &name, &decoded.text, &formatted)
        } else if check_only {
            writeln!(out, "would reformat {}", render::escape(&name))
        } else {
            write_back(input, &decoded.source, &formatted, &mut out)
                .and_then(|()| writeln!(out, "formatted {}", render::escape(&name)))
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

/// The inputs named by `paths` and the problems so far; what was skipped,
/// and why, is said on stderr.
fn gather(paths: &[PathBuf]) -> (Vec<Input>, Vec<String>) {
    let gathered = input::gather(paths);
    for note in &gathered.notes {
        eprintln!("note: {}", render::escape(note));
    }
    (gathered.inputs, gathered.problems)
}

fn exit_code(problems: &[String], errors: bool) -> ExitCode {
    for problem in problems {
        eprintln!("error: {}", render::escape(problem));
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

/// `text` in the encoding (and with the BOM) `source` was read in, or why
/// it cannot be.
fn encoded<'t>(source: &decode::Source<'_>, text: &'t str) -> Result<Cow<'t, [u8]>, String> {
    if let Some(why) = &source.unwritable {
        return Err(why.clone());
    }
    decode::encode(text, source.encoding)
}

/// Writes `text` back to the input's file (stdin: to stdout), in the
/// encoding and with the BOM the input was read in. A text that cannot be
/// written so is not written at all.
fn write_back(input: &Input, source: &decode::Source<'_>, text: &str, out: &mut impl Write) -> std::io::Result<()> {
    let bytes = encoded(source, text).map_err(|why| std::io::Error::other(format!("not rewritten: {why}")))?;
    match input {
        Input::Stdin => out.write_all(&bytes),
        Input::File { path, .. } => std::fs::write(path, &bytes),
    }
}

/// Writes a unified diff; on a terminal with the file's control characters
/// shown escaped, line by line (piped, it stays a diff `patch` can apply).
fn write_diff(out: &mut impl Write, name: &str, old: &str, new: &str) -> std::io::Result<()> {
    let diff = similar::TextDiff::from_lines(old, new);
    let diff = diff.unified_diff().context_radius(2).header(name, name).to_string();
    if !std::io::stdout().is_terminal() {
        return out.write_all(diff.as_bytes());
    }
    for line in diff.split_inclusive('\n') {
        let (line, end) = line.strip_suffix('\n').map_or((line, ""), |l| (l, "\n"));
        write!(out, "{}{end}", render::escape(line))?;
    }
    Ok(())
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
            Input::File { path, .. } => path.parent().map(Path::to_path_buf).unwrap_or_default(),
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

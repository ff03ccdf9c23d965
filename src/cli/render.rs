//! Printing findings: rustc/ruff-style text for people, JSON for machines.
//!
//! Human output never passes a file's control characters to the terminal:
//! escape sequences, C0 and C1 controls, bidirectional overrides and line
//! separators are shown as `\u{1b}`, and a long line is shown cut around
//! the finding, with its length.

use std::borrow::Cow;
use std::io::Write;

use serde::Serialize;

use super::Format;
use crate::checks::{Diagnostic, Severity};
use crate::syntax::LineIndex;

/// Accumulates counts over files and prints each file's findings.
pub struct Report {
    format: Format,
    color: bool,
    counts: [usize; 4],
    files: usize,
    files_with_findings: usize,
    json_started: bool,
}

/// A 1-based line and column (in characters), as editors and rustc show them.
#[derive(Debug, Serialize, Clone, Copy)]
struct Position {
    line: usize,
    column: usize,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    file: &'a str,
    start: Position,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    file: &'a str,
    code: &'static str,
    name: &'static str,
    severity: &'static str,
    message: &'a str,
    start: Position,
    end: Position,
    related: Vec<JsonRelated<'a>>,
    fix: Option<&'a str>,
}

impl Report {
    /// A report in `format`; ANSI colours when `color`.
    pub fn new(format: Format, color: bool) -> Self {
        Self {
            format,
            color,
            counts: [0; 4],
            files: 0,
            files_with_findings: 0,
            json_started: false,
        }
    }

    /// How many findings of `severity` so far.
    pub fn count(&self, severity: Severity) -> usize {
        self.counts[severity as usize]
    }

    /// Prints the findings of one file.
    pub fn file(
        &mut self,
        out: &mut impl Write,
        name: &str,
        text: &str,
        diagnostics: &[Diagnostic],
        about: &str,
    ) -> std::io::Result<()> {
        self.files += 1;
        if !diagnostics.is_empty() {
            self.files_with_findings += 1;
        }
        if diagnostics.is_empty() {
            return Ok(()); // No line index to build: a scan of a big file.
        }
        let index = LineIndex::new(text);
        let mut counts = [0usize; 4];
        for diagnostic in diagnostics {
            counts[diagnostic.severity() as usize] += 1;
            match self.format {
                Format::Human => self.human(out, name, text, &index, diagnostic)?,
                Format::Json => self.json(out, name, &index, diagnostic)?,
            }
        }
        for (total, count) in self.counts.iter_mut().zip(counts) {
            *total += count;
        }
        if self.format == Format::Human {
            // The file as a whole: who wrote it, how big, what was found.
            writeln!(
                out,
                "{}: {about}: {}\n",
                self.paint("1", &escape(name)),
                Self::tally(counts)
            )?;
        }
        Ok(())
    }

    /// `2 errors, 1 warning, 3 notes` from counts by severity (notes and
    /// hints only when there are some).
    fn tally([errors, warnings, infos, hints]: [usize; 4]) -> String {
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        let mut parts = vec![plural(errors, "error"), plural(warnings, "warning")];
        if infos > 0 {
            parts.push(plural(infos, "note"));
        }
        if hints > 0 {
            parts.push(plural(hints, "hint"));
        }
        parts.join(", ")
    }

    /// Prints the summary (human) or closes the array (JSON).
    pub fn finish(&mut self, out: &mut impl Write, problems: &[String]) -> std::io::Result<()> {
        match self.format {
            Format::Json => {
                if self.json_started {
                    writeln!(out, "\n]")
                } else {
                    writeln!(out, "[]")
                }
            }
            Format::Human => {
                let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
                let verdict = if self.counts.iter().sum::<usize>() == 0 && problems.is_empty() {
                    self.paint("32;1", "All clear:")
                } else {
                    self.paint("1", "Found")
                };
                writeln!(
                    out,
                    "{verdict} {} in {} of {} checked",
                    Self::tally(self.counts),
                    plural(self.files_with_findings, "file"),
                    plural(self.files, "file")
                )
            }
        }
    }

    fn paint(&self, style: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{style}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }

    fn human(
        &self,
        out: &mut impl Write,
        name: &str,
        text: &str,
        index: &LineIndex,
        d: &Diagnostic,
    ) -> std::io::Result<()> {
        let severity = d.severity();
        let style = match severity {
            Severity::Error => "31;1",
            Severity::Warning => "33;1",
            Severity::Info | Severity::Hint => "36;1",
        };
        let label = self.paint(style, &format!("{}[{}]", severity.as_str(), d.code));
        writeln!(out, "{label}: {}", brief(&d.message))?;
        let name = &*escape(name);
        let start = position(index, d.span.start);
        let (line, _) = index.line_column(d.span.start);
        let line = line - 1;
        let content_span = index.content_at(d.span.start).unwrap_or_default();
        let content = content_span.text(text);
        let gutter = (line + 1).to_string();
        let pad = " ".repeat(gutter.len());
        writeln!(
            out,
            "{pad}{} {name}:{}:{}",
            self.paint("34;1", "-->"),
            start.line,
            start.column
        )?;
        writeln!(out, "{pad} {}", self.paint("34;1", "|"))?;
        let line_start = content_span.start;
        let caret_start = text[line_start..d.span.start.max(line_start)].chars().count();
        let end_on_line = d.span.end.min(line_start + content.len()).max(d.span.start);
        let width = text[d.span.start.max(line_start)..end_on_line.max(line_start)]
            .chars()
            .count();
        let shown = Shown::new(content, caret_start, width);
        writeln!(
            out,
            "{} {} {}",
            self.paint("34;1", &gutter),
            self.paint("34;1", "|"),
            shown.line
        )?;
        writeln!(
            out,
            "{pad} {} {}{}",
            self.paint("34;1", "|"),
            " ".repeat(shown.caret),
            self.paint(style, &"^".repeat(shown.width.max(1)))
        )?;
        for related in &d.related {
            let at = position(index, related.span.start);
            writeln!(
                out,
                "{pad} = note: {} ({name}:{}:{})",
                brief(&related.message),
                at.line,
                at.column
            )?;
        }
        if let Some(fix) = &d.fix {
            writeln!(out, "{pad} = fix: {}", brief(&fix.title))?;
        }
        writeln!(out)
    }

    fn json(&mut self, out: &mut impl Write, name: &str, index: &LineIndex, d: &Diagnostic) -> std::io::Result<()> {
        let finding = JsonFinding {
            file: name,
            code: d.code.as_str(),
            name: d.code.slug(),
            severity: d.severity().as_str(),
            message: &d.message,
            start: position(index, d.span.start),
            end: position(index, d.span.end),
            related: d
                .related
                .iter()
                .map(|r| JsonRelated {
                    file: name,
                    start: position(index, r.span.start),
                    message: &r.message,
                })
                .collect(),
            fix: d.fix.as_ref().map(|f| f.title.as_str()),
        };
        write!(out, "{}\n  ", if self.json_started { "," } else { "[" })?;
        self.json_started = true;
        serde_json::to_writer(&mut *out, &finding).map_err(std::io::Error::other)
    }
}

/// 1-based line and character column of byte `offset`.
fn position(index: &LineIndex, offset: usize) -> Position {
    let (line, column) = index.line_column(offset);
    Position { line, column }
}

/// How many columns of a source line are shown.
const SHOWN: usize = 160;

/// How `c` is shown when a terminal would act on it or hide it: C0 and C1
/// controls (tab aside), DEL, bidirectional marks and overrides, and the
/// line and paragraph separators.
fn escaped(c: char) -> Option<String> {
    let hidden = (c.is_control() && c != '\t')
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    hidden.then(|| c.escape_unicode().to_string())
}

/// `text` with what a terminal would act on shown escaped (see [`escaped`]).
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(|c| escaped(c).is_some()) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match escaped(c) {
            Some(escape) => shown.push_str(&escape),
            None => shown.push(c),
        }
    }
    Cow::Owned(shown)
}

/// How many characters of a message (which may quote the file) are shown.
const MESSAGE: usize = 400;

/// A message as shown: escaped, and cut with its length when long.
fn brief(message: &str) -> Cow<'_, str> {
    let shown = escape(message);
    let total = shown.chars().count();
    if total <= MESSAGE {
        return shown;
    }
    let cut: String = shown.chars().take(MESSAGE).collect();
    Cow::Owned(format!("{cut}… (cut: {total} characters)"))
}

/// A source line as shown: escaped, tabs as one space, at most [`SHOWN`]
/// columns around the finding, with the caret's column and width.
struct Shown {
    line: String,
    caret: usize,
    width: usize,
}

impl Shown {
    /// `content` is the line without its break; the finding covers `width`
    /// characters from character `start`.
    fn new(content: &str, start: usize, width: usize) -> Self {
        // Begin at the line's start when the finding fits, else a little
        // before the finding.
        let from = if start + 20 <= SHOWN { 0 } else { start - 40 };
        let mut line = String::new();
        let mut columns = 0;
        if from > 0 {
            line.push('…');
            columns += 1;
        }
        let (mut caret, mut caret_end) = (None, None);
        let mut chars = content.chars().enumerate().skip(from).peekable();
        while let Some(&(i, c)) = chars.peek() {
            if i == start {
                caret = Some(columns);
            }
            if i == start + width {
                caret_end = Some(columns);
            }
            let piece = match escaped(c) {
                Some(escape) => escape,
                None if c == '\t' => " ".to_string(),
                None => c.to_string(),
            };
            let piece_columns = piece.chars().count();
            if columns + piece_columns > SHOWN {
                break;
            }
            line.push_str(&piece);
            columns += piece_columns;
            chars.next();
        }
        let caret = caret.unwrap_or(columns);
        let caret_end = caret_end.unwrap_or(columns);
        if chars.peek().is_some() || from > 0 {
            let total = content.chars().count();
            if chars.peek().is_some() {
                line.push('…');
            }
            line.push_str(&format!(" (cut: the line has {total} characters)"));
        }
        Self {
            line,
            caret,
            width: caret_end.saturating_sub(caret),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{MESSAGE, SHOWN, Shown, brief, escape};

    #[test]
    fn controls_are_escaped_and_plain_text_is_not() {
        assert_eq!(escape("Müller, 中"), "Müller, 中");
        assert_eq!(
            escape("a\u{1b}[31mb\u{7}\u{9b}\u{202e}\t"),
            "a\\u{1b}[31mb\\u{7}\\u{9b}\\u{202e}\t"
        );
    }

    #[test]
    fn long_messages_are_cut_with_their_length() {
        assert_eq!(brief("short"), "short");
        let long = "x".repeat(MESSAGE + 1);
        assert_eq!(
            brief(&long),
            format!("{}… (cut: {} characters)", &long[..MESSAGE], MESSAGE + 1)
        );
    }

    #[test]
    fn carets_stay_under_the_finding() {
        let shown = Shown::new("TY  - \u{1b}X", 6, 2);
        assert_eq!(shown.line, "TY  - \\u{1b}X");
        assert_eq!((shown.caret, shown.width), (6, 7));
        let long = format!("{}TARGET{}", "a".repeat(5000), "b".repeat(5000));
        let shown = Shown::new(&long, 5000, 6);
        assert!(shown.line.starts_with('…'), "{}", shown.line);
        assert!(
            shown.line.ends_with("… (cut: the line has 10006 characters)"),
            "{}",
            shown.line
        );
        let under: String = shown.line.chars().skip(shown.caret).take(6).collect();
        assert_eq!(under, "TARGET");
        assert_eq!(shown.width, 6);
        let shown = Shown::new(&long, 0, 1);
        assert_eq!(
            shown.line.chars().count(),
            SHOWN + "… (cut: the line has 10006 characters)".chars().count()
        );
        assert_eq!(shown.caret, 0);
    }
}

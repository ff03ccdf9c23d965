//! Printing findings: rustc/ruff-style text for people, JSON for machines.

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
    ) -> std::io::Result<()> {
        self.files += 1;
        if !diagnostics.is_empty() {
            self.files_with_findings += 1;
        }
        if diagnostics.is_empty() {
            return Ok(()); // No line index to build: a scan of a big file.
        }
        let index = LineIndex::new(text);
        for diagnostic in diagnostics {
            self.counts[diagnostic.severity() as usize] += 1;
            match self.format {
                Format::Human => self.human(out, name, text, &index, diagnostic)?,
                Format::Json => self.json(out, name, &index, diagnostic)?,
            }
        }
        Ok(())
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
                let [errors, warnings, infos, hints] = self.counts;
                let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
                let mut parts = vec![plural(errors, "error"), plural(warnings, "warning")];
                if infos > 0 {
                    parts.push(plural(infos, "note"));
                }
                if hints > 0 {
                    parts.push(plural(hints, "hint"));
                }
                let verdict = if errors + warnings + infos + hints == 0 && problems.is_empty() {
                    self.paint("32;1", "All clear:")
                } else {
                    self.paint("1", "Found")
                };
                writeln!(
                    out,
                    "{verdict} {} in {} of {} checked",
                    parts.join(", "),
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
        writeln!(out, "{label}: {}", d.message)?;
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
        let shown: String = content
            .chars()
            .take(160)
            .map(|c| if c == '\t' { ' ' } else { c })
            .collect();
        writeln!(
            out,
            "{} {} {shown}",
            self.paint("34;1", &gutter),
            self.paint("34;1", "|")
        )?;
        let line_start = content_span.start;
        let caret_start = text[line_start..d.span.start.max(line_start)].chars().count();
        let end_on_line = d.span.end.min(line_start + content.len()).max(d.span.start);
        let width = text[d.span.start..end_on_line].chars().count().max(1);
        if caret_start < 160 {
            let carets = "^".repeat(width.min(160 - caret_start));
            writeln!(
                out,
                "{pad} {} {}{}",
                self.paint("34;1", "|"),
                " ".repeat(caret_start),
                self.paint(style, &carets)
            )?;
        }
        for related in &d.related {
            let at = position(index, related.span.start);
            writeln!(
                out,
                "{pad} = note: {} ({name}:{}:{})",
                related.message, at.line, at.column
            )?;
        }
        if let Some(fix) = &d.fix {
            writeln!(out, "{pad} = fix: {}", fix.title)?;
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

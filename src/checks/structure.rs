//! Record structure: `TY` … `ER`, what lies between records, flattened records.

use super::{Code, Diagnostic, Edit};
use crate::syntax::{self, LineKind, Parse, RecordEnd};

pub(super) fn check(text: &str, parse: &Parse, followed_by_record: bool, out: &mut Vec<Diagnostic>) {
    // Tag lines with no `TY` (an `AB  -` typed into a Web of Science file)
    // make it no more RIS, and removing them by a fix no less.
    if parse.records.iter().all(|r| !r.has_type)
        && let Some(diagnostic) = foreign_format(text, parse)
    {
        out.push(diagnostic);
        return;
    }
    for (i, record) in parse.records.iter().enumerate() {
        let first = &parse.lines[record.first_line];
        let Some(first_tag) = first.tag() else { continue };
        if !record.has_type {
            // Closed by its own ER, it is a record that lost its TY (Scopus with
            // the type unticked). Not closed, it is stray tag lines between
            // records (Ovid's `NL`, `C1  - Database:`). Either way: said once.
            let diagnostic = if record.end == RecordEnd::Er {
                Diagnostic::new(
                    Code::RecordWithoutType,
                    first_tag.tag,
                    format!(
                        "this record starts with `{}`, not `TY`: importers drop it or guess its type",
                        first_tag.code_str()
                    ),
                )
            } else {
                let lines = record.end_line - record.first_line;
                let last = &parse.lines[record.end_line - 1];
                Diagnostic::new(
                    Code::TextOutsideRecord,
                    syntax::Span::new(first.content.start, last.content.end),
                    format!(
                        "{} outside any record, starting with the tag `{}` (no `TY` before it, no `ER` after): \
                         importers skip {} or make a record without type",
                        if lines == 1 {
                            "a line".to_string()
                        } else {
                            format!("{lines} lines")
                        },
                        first_tag.code_str(),
                        if lines == 1 { "it" } else { "them" }
                    ),
                )
                .recurring(&first_tag.code)
            };
            out.push(diagnostic);
            continue;
        }
        if first_tag.flattened {
            out.push(flattened(text, parse, record.first_line));
        }
        if record.end != RecordEnd::Er {
            out.push(missing_end(text, parse, i, followed_by_record));
        } else if let Some(end_tag) = parse.lines[record.end_line - 1].tag().filter(|t| &t.code == b"ER")
            && !end_tag.value.is_empty()
        {
            // Keep the text: move it to a note line just before `ER`.
            let end_line = &parse.lines[record.end_line - 1];
            let eol = match &text[end_line.content.end..end_line.span.end] {
                "" => line_ending_near(text, parse, record.end_line - 1),
                eol => eol,
            };
            let moved = format!("N1  - {}{eol}ER  - ", end_tag.value.text(text));
            out.push(
                Diagnostic::new(
                    Code::EndWithValue,
                    end_tag.value,
                    "the `ER` line must be empty; this text is ignored",
                )
                .with_fix(
                    "Move the text after `ER  -` to a note (`N1`)",
                    vec![Edit {
                        span: syntax::Span::new(end_tag.tag.start, end_line.content.end),
                        text: moved,
                    }],
                    false,
                ),
            );
        }
    }
    outside_records(text, parse, out);
}

/// A diagnostic for a record cut off by the next `TY` or the end of the text,
/// with the edit that inserts `ER  - ` after its last line. When the text is
/// one piece of a file, `followed_by_record` says that a `TY` line follows it.
fn missing_end(text: &str, parse: &Parse, index: usize, followed_by_record: bool) -> Diagnostic {
    let record = &parse.records[index];
    let ty = parse.lines[record.first_line]
        .tag()
        .map_or(parse.lines[record.first_line].content, |t| t.tag);
    let insert = super::insert_line_after(text, parse, record.end_line - 1, "ER  - ");
    // Where the next record starts: the start of its line, which the same
    // record reports identically whether the file is checked whole or in pieces.
    let next = match record.end {
        RecordEnd::NextType => parse
            .records
            .get(index + 1)
            .map(|next| parse.lines[next.first_line].span.start),
        _ if followed_by_record => Some(text.len()),
        _ => None,
    };
    let place = if next.is_some() {
        "before the next record"
    } else {
        "before the end of the file"
    };
    let mut diagnostic = Diagnostic::new(
        Code::MissingEnd,
        ty,
        format!("this record is not closed: `ER  - ` is missing {place}"),
    )
    .with_fix("Insert `ER  - ` after the record's last line", vec![insert], true);
    if let Some(at) = next {
        diagnostic.related.push(super::Related {
            span: syntax::Span::new(at, at),
            message: "the next record starts here".into(),
        });
    }
    diagnostic
}

/// The line break to use for a new line after line `index`: the nearest one
/// above it in the same record (`\n` if none). Looking no further than the
/// record keeps the answer the same whether a file is checked whole, in
/// chunks or piece by piece.
pub(crate) fn line_ending_near<'t>(text: &'t str, parse: &Parse, index: usize) -> &'t str {
    let first = parse
        .record_at_line(index)
        .map_or(index, |r| parse.records[r].first_line);
    parse.lines[first..=index]
        .iter()
        .rev()
        .map(|l| &text[l.content.end..l.span.end])
        .find(|eol| !eol.is_empty())
        .unwrap_or("\n")
}

fn flattened(text: &str, parse: &Parse, line_index: usize) -> Diagnostic {
    let line = &parse.lines[line_index];
    let tag = line.tag().expect("flattened lines are tag lines");
    let fields = syntax::embedded_fields(text, tag);
    let eol = match &text[line.content.end..line.span.end] {
        "" => line_ending_near(text, parse, line_index),
        eol => eol,
    };
    let mut replacement = String::with_capacity(line.content.len() + 8 * fields.len());
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            replacement.push_str(eol);
        }
        replacement.push_str(std::str::from_utf8(&field.code).unwrap_or("??"));
        replacement.push_str("  - ");
        replacement.push_str(field.value.text(text));
    }
    let content = syntax::Span::new(tag.tag.start, line.content.end);
    Diagnostic::new(
        Code::FlattenedRecord,
        content,
        format!(
            "a whole record is on one line ({} fields): importers read it as one long type value",
            fields.len()
        ),
    )
    .with_fix(
        "Split the record into one tag per line",
        vec![Edit {
            span: content,
            text: replacement,
        }],
        true,
    )
}

/// Stray text runs (one diagnostic per run) and `ER` lines with no record.
/// A run made only of lines exporters write between records for people
/// (record numbers, links, banners) is said to be that, once per kind.
fn outside_records(text: &str, parse: &Parse, out: &mut Vec<Diagnostic>) {
    // A run: its span, its line count, and the kind of export text all its
    // lines are (`None` once one is not).
    struct Run {
        span: syntax::Span,
        lines: usize,
        export: Option<&'static str>,
    }
    let flush = |run: &mut Option<Run>, out: &mut Vec<Diagnostic>| {
        let Some(run) = run.take() else { return };
        let diagnostic = match run.export {
            Some(kind) => Diagnostic::new(
                Code::ExportText,
                run.span,
                format!("{kind}, written by the exporter between records: importers skip it, as intended"),
            )
            // Every kind one pattern: what an exporter writes between records.
            .recurring(b""),
            None => Diagnostic::new(
                Code::TextOutsideRecord,
                run.span,
                if run.lines == 1 {
                    "text outside any record: importers skip it, so if it is data it is lost".to_string()
                } else {
                    format!(
                        "{} lines of text outside any record: importers skip them, so if they are data they are lost",
                        run.lines
                    )
                },
            ),
        };
        out.push(diagnostic);
    };
    let mut run: Option<Run> = None;
    let mut record = 0;
    for (i, line) in parse.lines.iter().enumerate() {
        while record < parse.records.len() && parse.records[record].end_line <= i {
            record += 1;
        }
        let inside = parse.records.get(record).is_some_and(|r| r.first_line <= i);
        match &line.kind {
            LineKind::Stray => {
                let content = syntax::Span::new(line.content.start, line.content.end);
                let kind = export_text(content.text(text));
                run = Some(match run {
                    Some(Run { span, lines, export }) => Run {
                        span: syntax::Span::new(span.start, content.end),
                        lines: lines + 1,
                        export: export.filter(|_| kind.is_some()),
                    },
                    None => Run {
                        span: content,
                        lines: 1,
                        export: kind,
                    },
                });
            }
            LineKind::Blank => {}
            LineKind::Tag(tag) if !inside && &tag.code == b"ER" => {
                flush(&mut run, out);
                out.push(
                    Diagnostic::new(
                        Code::EndWithoutRecord,
                        tag.tag,
                        "`ER` without an open record: importers ignore it; is a `TY` line missing above?",
                    )
                    .with_fix(
                        "Remove this `ER` line",
                        vec![Edit {
                            span: super::removal(text, line.span),
                            text: String::new(),
                        }],
                        false,
                    ),
                );
            }
            _ => flush(&mut run, out),
        }
    }
    flush(&mut run, out);
}

/// What kind of exporter's text for people a line outside records is, if it
/// is one: Ovid's and rispy's record numbers (`12.`), Ovid's links after
/// each record, the Cochrane Library's record headers, database banners and
/// rules. Anything else might be data.
fn export_text(line: &str) -> Option<&'static str> {
    let line = line.trim();
    let number = |s: &str| !s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit());
    if line.strip_suffix('.').is_some_and(number) {
        return Some("a record number");
    }
    if let Some(rest) = line.strip_prefix("Record #")
        && let Some((n, total)) = rest.split_once(" of ")
        && number(n)
        && number(total.trim())
    {
        return Some("a record header (`Record #1 of N`)");
    }
    const PREFIXES: &[(&str, &str)] = &[
        ("Link to the ", "a link line (`Link to the Ovid Full Text…`)"),
        ("Provider: ", "a record header (`Provider:`)"),
        ("Content: ", "a record header (`Content:`)"),
        ("Database: ", "a database banner (`Database:`)"),
        ("Search Strategy:", "a search strategy heading"),
    ];
    if let Some(&(_, kind)) = PREFIXES.iter().find(|(prefix, _)| line.starts_with(prefix)) {
        return Some(kind);
    }
    if line.len() >= 10 && line.bytes().all(|b| b == b'-' || b == b'=' || b == b'*') {
        return Some("a rule line");
    }
    None
}

/// Recognises formats that look like RIS but are not: Web of Science plain
/// text (`FN`/`PT` with one space) and MEDLINE/PubMed (`PMID- `).
fn foreign_format(text: &str, parse: &Parse) -> Option<Diagnostic> {
    let first = parse.lines.iter().find(|l| !matches!(l.kind, LineKind::Blank))?;
    let content = first.content.text(text);
    let format = if content.starts_with("FN ") || content.starts_with("PT ") {
        "a Web of Science plain-text export"
    } else if content.starts_with("PMID-") {
        "a MEDLINE/PubMed (.nbib) file"
    } else {
        return None;
    };
    Some(Diagnostic::new(
        Code::NotRis,
        first.content,
        format!("this is {format}, not RIS: export the records again as RIS"),
    ))
}

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
    outside_records(parse, out);
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
fn outside_records(parse: &Parse, out: &mut Vec<Diagnostic>) {
    let mut run: Option<(syntax::Span, usize)> = None;
    let flush = |run: &mut Option<(syntax::Span, usize)>, out: &mut Vec<Diagnostic>| {
        if let Some((span, count)) = run.take() {
            out.push(Diagnostic::new(
                Code::TextOutsideRecord,
                span,
                if count == 1 {
                    "text outside any record: importers skip it".to_string()
                } else {
                    format!("{count} lines of text outside any record: importers skip them")
                },
            ));
        }
    };
    let mut record = 0;
    for (i, line) in parse.lines.iter().enumerate() {
        while record < parse.records.len() && parse.records[record].end_line <= i {
            record += 1;
        }
        let inside = parse.records.get(record).is_some_and(|r| r.first_line <= i);
        match &line.kind {
            LineKind::Stray => {
                let content = syntax::Span::new(line.content.start, line.content.end);
                run = Some(match run {
                    Some((span, count)) => (syntax::Span::new(span.start, content.end), count + 1),
                    None => (content, 1),
                });
            }
            LineKind::Blank => {}
            LineKind::Tag(tag) if !inside && &tag.code == b"ER" => {
                flush(&mut run, out);
                out.push(
                    Diagnostic::new(
                        Code::EndWithoutRecord,
                        tag.tag,
                        "`ER` without an open record: is a `TY` line missing above?",
                    )
                    .with_fix(
                        "Remove this `ER` line",
                        vec![Edit {
                            span: line.span,
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

//! The canonical layout of a RIS file, for `textDocument/formatting` and
//! `ris-lsp fmt`: `XX  - value` lines, no trailing white space (but the
//! standard `XX  - ` of an empty tag such as `ER  - `), one blank line
//! between records, the file's own line ending and BOM. Values are
//! never changed: only the bytes around them.

use crate::syntax::{self, LineKind, Parse, TagCase};

/// The formatted text. Formatting a formatted text changes nothing.
pub fn format(text: &str) -> String {
    let parse = syntax::parse(text);
    let eol = parse
        .lines
        .iter()
        .map(|l| &text[l.content.end..l.span.end])
        .find(|eol| !eol.is_empty())
        .unwrap_or("\n");
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    if text.starts_with('\u{feff}') {
        out.push('\u{feff}');
    }
    let inside = inside_records(&parse);
    // Blank lines outside records are written as one separator before the
    // next non-blank line (none at the start or the end of the file).
    let mut pending_blank = false;
    let mut wrote_any = false;
    let mut after_record = false;
    for (i, line) in parse.lines.iter().enumerate() {
        let content = line.content.text(text);
        let formatted = match &line.kind {
            LineKind::Blank if inside[i] => String::new(),
            LineKind::Blank => {
                pending_blank = wrote_any;
                continue;
            }
            LineKind::Tag(tag) if tag.flattened => content.trim().to_string(),
            LineKind::Tag(tag) => {
                let code = match tag.form.case {
                    TagCase::Upper | TagCase::Lower => tag.code_str().to_string(),
                    TagCase::Invalid => tag.tag.text(text).to_string(),
                };
                if tag.value.is_empty() && tag.sep.text(text).ends_with('-') {
                    // `ER  -` and `ER  - ` are both standard: keep the one
                    // the exporter wrote rather than touch every record.
                    format!("{code}  -")
                } else {
                    format!("{code}  - {}", tag.value.text(text))
                }
            }
            LineKind::Continuation | LineKind::Stray => content.trim_end().to_string(),
        };
        // A record right after another gets its one blank line; after stray
        // text (a `1.` header) it stays as written.
        let starts_record = parse.records.iter().any(|r| r.first_line == i && r.has_type);
        if wrote_any && (pending_blank || (starts_record && after_record && !previous_is_blank(&out, eol))) {
            out.push_str(eol);
        }
        pending_blank = false;
        after_record = inside[i];
        out.push_str(&formatted);
        out.push_str(eol);
        wrote_any = true;
    }
    out
}

/// The formatting as line-level edits of `text` (for range formatting:
/// an editor keeps those in its selection).
pub fn format_edits(text: &str) -> Vec<crate::checks::Edit> {
    let formatted = format(text);
    let diff = similar::TextDiff::from_lines(text, &formatted);
    let old_starts: Vec<usize> = std::iter::once(0)
        .chain(diff.old_slices().iter().scan(0, |at, line| {
            *at += line.len();
            Some(*at)
        }))
        .collect();
    let mut edits = Vec::new();
    for op in diff.ops() {
        if matches!(op, similar::DiffOp::Equal { .. }) {
            continue;
        }
        let old = op.old_range();
        let new: String = diff.new_slices()[op.new_range()].concat();
        edits.push(crate::checks::Edit {
            span: crate::syntax::Span::new(old_starts[old.start], old_starts[old.end]),
            text: new,
        });
    }
    edits
}

fn previous_is_blank(out: &str, eol: &str) -> bool {
    out.ends_with(&format!("{eol}{eol}")) || out.trim_start_matches('\u{feff}') == eol
}

/// For each line: whether it lies between a record's first line and its
/// end (blank lines there may be paragraph breaks of a wrapped value).
fn inside_records(parse: &Parse) -> Vec<bool> {
    let mut inside = vec![false; parse.lines.len()];
    for record in &parse.records {
        for flag in &mut inside[record.first_line..record.end_line] {
            *flag = true;
        }
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_layout() {
        let text = "\n\nTY - JOUR  \nau  - Smith, J\n  TI  -  A title  \nAB  - wrapped   \n   more text   \n\nAB2\n\nER  -\n\n\n\nTY  - BOOK\nER  -   \nHeader   \n\n";
        let expected = "TY  - JOUR\nAU  - Smith, J\nTI  - A title\nAB  - wrapped\n   more text\n\nAB2\n\nER  -\n\nTY  - BOOK\nER  - \nHeader\n";
        assert_eq!(format(text), expected);
        assert_eq!(format(expected), expected);
    }

    #[test]
    fn edits_rebuild_the_formatted_text() {
        let text = "\nTY - JOUR\nTI  - x  \nER  -\n\n\nTY  - BOOK\nER  - \n";
        let rebuilt = crate::fix::apply_edits(text, &format_edits(text));
        assert_eq!(rebuilt, format(text));
    }

    #[test]
    fn keeps_crlf_and_bom() {
        let text = "\u{feff}TY  - JOUR\r\nTI - x\r\nER  - \r\nTY  - BOOK\r\nER  - \r\n";
        assert_eq!(
            format(text),
            "\u{feff}TY  - JOUR\r\nTI  - x\r\nER  - \r\n\r\nTY  - BOOK\r\nER  - \r\n"
        );
    }
}

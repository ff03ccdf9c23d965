//! The canonical layout of a RIS file, for `textDocument/formatting` and
//! `ris-lsp fmt`: `XX  - value` lines, no trailing white space (but the
//! standard `XX  - ` of an empty tag such as `ER  - `), one blank line
//! between records, the file's own line ending and BOM. Values are
//! never changed: only the bytes around them.

use crate::analysis::{self, Source};
use crate::checks::Edit;
use crate::syntax::{self, LineKind, Parse, TagCase};

/// The formatted text. Formatting a formatted text changes nothing.
pub fn format(text: &str) -> String {
    let eol = line_ending(text);
    let pieces = analysis::map_pieces(text, 0, text.len(), |piece, followed, parse| {
        (piece.len(), format_piece(piece, eol, followed, parse))
    });
    let mut out = String::with_capacity(text.len() + text.len() / 16);
    for (start, (len, formatted)) in pieces {
        match formatted {
            Some(formatted) => out.push_str(&formatted),
            None => out.push_str(&text[start..start + len]),
        }
    }
    out
}

/// The formatting as edits, one per piece that changes, each the smallest
/// replacement within its piece: for the editor (range formatting keeps the
/// ones in its selection) and for `fmt --check`, which needs only whether
/// there are any. `source` is the whole text.
pub fn format_edits<S: Source + ?Sized>(source: &S, eol: &str) -> Vec<Edit> {
    let edits = analysis::map_pieces(source, 0, source.len(), |piece, followed, parse| {
        let formatted = format_piece(piece, eol, followed, parse)?;
        crate::fix::minimal_edit(piece, &formatted)
    });
    edits
        .into_iter()
        .filter_map(|(start, edit)| {
            let mut edit = edit?;
            edit.span = edit.span.shift(start);
            Some(edit)
        })
        .collect()
}

/// The line ending a formatted text uses: the first one the text has.
pub fn line_ending(text: &str) -> &'static str {
    let bytes = text.as_bytes();
    match memchr::memchr2(b'\n', b'\r', bytes) {
        Some(at) if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') => "\r\n",
        Some(at) if bytes[at] == b'\r' => "\r",
        _ => "\n",
    }
}

/// One piece (from a `TY` line to the next, or the text before the first)
/// in the canonical layout, or `None` when it is already so. Every piece
/// but the first starts with a `TY` line, so what it becomes depends only on
/// its own text, the file's line ending, whether it is the first (leading
/// blank lines go) and whether a piece follows (the one blank line before
/// the next record is written at the end of this piece, where the text
/// has it, and none at the end of the file).
pub fn format_piece(text: &str, eol: &str, followed: bool, parse: &mut Parse) -> Option<String> {
    syntax::parse_into(text, &[], parse);
    let starts_with_type = parse
        .lines
        .first()
        .and_then(|l| l.tag())
        .is_some_and(|t| &t.code == b"TY");
    let mut out = String::with_capacity(text.len() + 16);
    if text.starts_with('\u{feff}') {
        out.push('\u{feff}');
    }
    let inside = inside_records(parse);
    let starts_record = record_starts(parse);
    // Blank lines outside records are written as one separator before the
    // next non-blank line (none at the start or the end of the file).
    let mut pending_blank = false;
    let mut wrote_any = starts_with_type;
    let mut after_record = false;
    let mut last_blank = false;
    for (i, line) in parse.lines.iter().enumerate() {
        let content = line.content.text(text);
        let formatted = match &line.kind {
            LineKind::Blank if inside[i] => String::new(),
            LineKind::Blank => {
                pending_blank = wrote_any;
                continue;
            }
            // Only spaces and tabs are layout: other white space (U+00A0,
            // U+3000) is text, in a value as on any other line.
            LineKind::Tag(tag) if tag.flattened => content.trim_matches(LAYOUT).to_string(),
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
            LineKind::Continuation | LineKind::Stray => content.trim_end_matches(LAYOUT).to_string(),
        };
        // A record right after another gets its one blank line; after stray
        // text (a `1.` header) it stays as written.
        if wrote_any && (pending_blank || (starts_record[i] && after_record && !last_blank)) {
            out.push_str(eol);
        }
        // A U+FEFF starting the text is a BOM: a line starting with one
        // after leading blank lines (concatenated exports) must not become
        // the first line, or it would be read as a record.
        if out.is_empty() && formatted.starts_with('\u{feff}') {
            out.push_str(eol);
        }
        pending_blank = false;
        after_record = inside[i];
        last_blank = formatted.is_empty();
        out.push_str(&formatted);
        out.push_str(eol);
        wrote_any = true;
    }
    // The next piece starts a record: the separator before it, as above.
    if followed && wrote_any && (pending_blank || (after_record && !last_blank)) {
        out.push_str(eol);
    }
    (out != text).then_some(out)
}

/// The white space layout is made of; a value keeps any other.
const LAYOUT: [char; 2] = [' ', '\t'];

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

/// For each line: whether it starts a record with a `TY` line.
fn record_starts(parse: &Parse) -> Vec<bool> {
    let mut starts = vec![false; parse.lines.len()];
    for record in parse.records.iter().filter(|r| r.has_type) {
        starts[record.first_line] = true;
    }
    starts
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
        let rebuilt = crate::fix::apply_edits(text, &format_edits(text, line_ending(text)));
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

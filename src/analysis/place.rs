//! Positions inside a piece, worked out once when the piece is analysed, so
//! that a publish or a whole-document request only adds the line the piece
//! starts on.

use crate::syntax::{Parse, Span};

/// A line relative to the piece, and the column in both encodings a client
/// may ask for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Place {
    /// Lines after the piece's first line.
    pub line: u32,
    /// Column in UTF-8 bytes.
    pub utf8: u32,
    /// Column in UTF-16 code units.
    pub utf16: u32,
}

/// Start and end.
pub type PlaceSpan = (Place, Place);

/// A finding's span and each of its related spans.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Places {
    /// The finding's own span.
    pub span: PlaceSpan,
    /// Each related span, in order.
    pub related: Vec<PlaceSpan>,
}

fn clamp(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The place of byte `offset` of `text`, which `parse` is the parse of: a
/// binary search over its lines, then the column's characters. A record of
/// 40,000 lines costs no more per place than a record of ten.
pub fn of(text: &str, parse: &Parse, offset: usize) -> Place {
    let lines = &parse.lines;
    let mut i = lines.partition_point(|l| l.span.end <= offset);
    // The end of a last line without a line break is on that line; after a
    // final line break it is on a new, empty line.
    if i == lines.len() && i > 0 && lines[i - 1].content.end == lines[i - 1].span.end {
        i -= 1;
    }
    let line_start = lines.get(i).map_or(text.len(), |l| l.span.start);
    let column = text.get(line_start..offset.max(line_start)).unwrap_or("");
    Place {
        line: clamp(i),
        utf8: clamp(column.len()),
        utf16: clamp(column.chars().map(char::len_utf16).sum()),
    }
}

/// The places of both ends of `span`.
pub fn span(text: &str, parse: &Parse, span: Span) -> PlaceSpan {
    (of(text, parse, span.start), of(text, parse, span.end))
}

//! Byte offset → line number, with the same line breaks as the parser.

use super::{Span, split_lines};

/// Where each line starts, for turning byte offsets into line numbers.
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// `(whole line, content)` spans, in order.
    lines: Vec<(Span, Span)>,
}

impl LineIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        Self {
            lines: split_lines(text).collect(),
        }
    }

    /// The 0-based line holding byte `offset` (the last line for the end of text).
    pub fn line_of(&self, offset: usize) -> usize {
        self.lines
            .partition_point(|(span, _)| span.end <= offset)
            .min(self.lines.len().saturating_sub(1))
    }

    /// The content span (no line break) of line `line`, if it exists.
    pub fn content(&self, line: usize) -> Option<Span> {
        self.lines.get(line).map(|&(_, content)| content)
    }

    /// The whole span of line `line`, if it exists.
    pub fn span(&self, line: usize) -> Option<Span> {
        self.lines.get(line).map(|&(span, _)| span)
    }
}

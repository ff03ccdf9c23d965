//! Byte offset → line number, with the same line breaks as the parser.
//!
//! Sparse on purpose: it keeps the start of every 256th line, so that a
//! 100 MB file costs kilobytes, and finds a line by a binary search and a
//! short scan.

use super::{Span, split_lines};

/// Lines kept per checkpoint.
const STRIDE: usize = 256;

/// Where lines start, for turning byte offsets into line numbers.
#[derive(Debug, Clone)]
pub struct LineIndex<'t> {
    text: &'t str,
    /// `(line number, byte offset)` of every `STRIDE`th line start.
    checkpoints: Vec<(usize, usize)>,
}

impl<'t> LineIndex<'t> {
    /// Indexes `text`.
    pub fn new(text: &'t str) -> Self {
        let checkpoints = split_lines(text)
            .enumerate()
            .step_by(STRIDE)
            .map(|(line, (span, _))| (line, span.start))
            .collect();
        Self { text, checkpoints }
    }

    /// The line holding byte `offset` (the last line for the end of text):
    /// its 0-based number, its whole span and its content span.
    fn locate(&self, offset: usize) -> Option<(usize, Span, Span)> {
        let i = self
            .checkpoints
            .partition_point(|&(_, start)| start <= offset)
            .checked_sub(1)?;
        let (first, start) = self.checkpoints[i];
        let mut last = None;
        for (n, (span, content)) in split_lines(&self.text[start..]).enumerate() {
            let (span, content) = (span.shift(start), content.shift(start));
            // The first line's content excludes a BOM only at the very start.
            let content = if span.start == 0 {
                content
            } else {
                Span::new(span.start, content.end)
            };
            last = Some((first + n, span, content));
            if span.end > offset {
                break;
            }
        }
        last
    }

    /// The 0-based line holding byte `offset` (the last line for the end of text).
    pub fn line_of(&self, offset: usize) -> usize {
        self.locate(offset).map_or(0, |(line, _, _)| line)
    }

    /// The content span (no line break) of the line holding byte `offset`.
    pub fn content_at(&self, offset: usize) -> Option<Span> {
        self.locate(offset).map(|(_, _, content)| content)
    }

    /// The 1-based line and 1-based character column of byte `offset`.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        match self.locate(offset) {
            Some((line, _, content)) => {
                let start = content.start.min(offset);
                (line + 1, self.text[start..offset].chars().count() + 1)
            }
            None => (1, 1),
        }
    }
}

//! Lossless, error-tolerant syntax of RIS text: lines, tag lines and records.
//!
//! Every byte of the input belongs to exactly one [`Line`]: joining the lines'
//! spans gives back the input, so edits and fixes can be computed from spans.
//! The parser never fails and never panics; what is odd about a line is
//! recorded on the line ([`TagForm`]) and judged later by `checks`.
//!
//! A record starts at a `TY` line and a `TY` line always starts a record, so
//! the text from one `TY` line to the next parses the same whatever came
//! before it. The document store relies on that to reparse only what an edit
//! touched.

mod line;
mod line_index;

pub use line::{EmbeddedField, Spacing, TagCase, TagForm, TagLine, embedded_fields};
pub use line_index::LineIndex;

use memchr::memchr2;

/// A byte range in the parsed text, `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash, PartialOrd, Ord)]
pub struct Span {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl Span {
    /// The span `start..end`.
    pub const fn new(start: usize, end: usize) -> Self {
        Self { start, end }
    }

    /// Number of bytes covered.
    pub const fn len(self) -> usize {
        self.end - self.start
    }

    /// True for an empty span (a position).
    pub const fn is_empty(self) -> bool {
        self.start == self.end
    }

    /// The covered text.
    pub fn text(self, text: &str) -> &str {
        &text[self.start..self.end]
    }

    /// The same span moved by `delta` bytes.
    pub const fn shift(self, delta: usize) -> Self {
        Self::new(self.start + delta, self.end + delta)
    }
}

/// What a line is, once its record context is known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineKind {
    /// Empty or only spaces and tabs.
    Blank,
    /// `XX  - value`, possibly with tolerated deviations.
    Tag(TagLine),
    /// Untagged text inside a record: the previous value goes on (wrapped abstracts).
    Continuation,
    /// Untagged text outside any record (export headers, search strategies).
    Stray,
}

/// One line of input, including its line break.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    /// The whole line: optional BOM, content and line break.
    pub span: Span,
    /// The content: without a leading BOM and without the line break.
    pub content: Span,
    /// Its kind.
    pub kind: LineKind,
}

impl Line {
    /// The tag line, if this is one.
    pub fn tag(&self) -> Option<&TagLine> {
        match &self.kind {
            LineKind::Tag(tag) => Some(tag),
            _ => None,
        }
    }
}

/// How a record ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordEnd {
    /// By an `ER` line (or an `ER` inside a flattened line), as it should.
    Er,
    /// By the next `TY` line: its `ER` is missing.
    NextType,
    /// By the end of the text: its `ER` is missing.
    EndOfInput,
    /// By a blank line, for tag lines outside any record (no `TY` before
    /// them): they are stray lines (Ovid's `NL` after `ER`), not a record.
    Blank,
}

/// A record: from its first tag line to its `ER` line (or where it was cut off).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Index of the first line (normally the `TY` line) in [`Parse::lines`].
    pub first_line: usize,
    /// Index one past the last line that belongs to the record: its `ER` line,
    /// or its last non-blank line when the `ER` is missing.
    pub end_line: usize,
    /// Whether the record starts with a `TY` line.
    pub has_type: bool,
    /// How it ended.
    pub end: RecordEnd,
}

impl Record {
    /// The line indices of this record.
    pub fn line_range(&self) -> std::ops::Range<usize> {
        self.first_line..self.end_line
    }
}

/// The result of parsing: every line, and the records they form.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parse {
    /// Every line of the input, in order; their spans tile the input.
    pub lines: Vec<Line>,
    /// The records, in order.
    pub records: Vec<Record>,
}

impl Parse {
    /// The type code of a record (`TY` value, uppercased and trimmed), if it has one.
    pub fn record_type<'t>(&self, text: &'t str, record: &Record) -> Option<&'t str> {
        if !record.has_type {
            return None;
        }
        let tag = self.lines[record.first_line].tag()?;
        let value = tag.value.text(text);
        // A flattened line's value runs on into other fields: keep its first word.
        Some(value.split_ascii_whitespace().next().unwrap_or(""))
    }

    /// Index of the record containing line `line`, if any.
    pub fn record_at_line(&self, line: usize) -> Option<usize> {
        let i = self.records.partition_point(|r| r.end_line <= line);
        (i < self.records.len() && self.records[i].first_line <= line).then_some(i)
    }
}

/// Splits `text` into lines (LF, CRLF and lone CR breaks; nothing else).
pub fn split_lines(text: &str) -> impl Iterator<Item = (Span, Span)> + '_ {
    lines_from(text, 0)
}

/// [`split_lines`] from byte `start` on, the start of a line.
fn lines_from(text: &str, start: usize) -> impl Iterator<Item = (Span, Span)> + '_ {
    let bytes = text.as_bytes();
    let bom = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let mut pos = start;
    std::iter::from_fn(move || {
        if pos >= bytes.len() {
            return None;
        }
        let start = pos;
        let content_start = if start == 0 { bom } else { start };
        let (content_end, end) = match memchr2(b'\n', b'\r', &bytes[pos..]) {
            None => (bytes.len(), bytes.len()),
            Some(i) => {
                let at = pos + i;
                if bytes[at] == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                    (at, at + 2)
                } else {
                    (at, at + 1)
                }
            }
        };
        pos = end;
        Some((
            Span::new(start, end),
            Span::new(content_start.min(content_end), content_end),
        ))
    })
}

/// Parses RIS text. Never fails: odd input becomes stray or continuation lines
/// and odd tag lines carry their [`TagForm`] for the checks to report.
pub fn parse(text: &str) -> Parse {
    let mut parse = Parse::default();
    parse_into(text, &[], &mut parse);
    parse
}

/// [`parse`] into `parse`, reusing its buffers: checking a big file chunk by
/// chunk then allocates (and faults in) its line list once, not per chunk.
/// `extra_tags` are tags the configuration adds to the catalogue's.
pub fn parse_into(text: &str, extra_tags: &[[u8; 2]], parse: &mut Parse) {
    parse.lines.clear();
    // Room for lines of 32 bytes at once: growing by doubling copied a
    // record of 40,000 lines about twice over on each keystroke in it.
    parse.lines.reserve(text.len() / 32);
    lex(text, 0..text.len(), extra_tags, &mut parse.lines);
    group(text, parse);
}

/// Appends the lines of `text[range]` (`range` starts a line, and ends one
/// or the text), each classified on its own: a tag line, blank, or text.
/// [`group`] then reads them in order. A line's class does not depend on
/// the lines around it, so a big text's halves can be lexed side by side.
pub fn lex(text: &str, range: std::ops::Range<usize>, extra_tags: &[[u8; 2]], lines: &mut Vec<Line>) {
    for (span, content) in lines_from(text, range.start).take_while(|(span, _)| span.start < range.end) {
        let kind = match line::classify(text, content, extra_tags) {
            Some(tag) => LineKind::Tag(tag),
            None if is_blank(content.text(text)) => LineKind::Blank,
            None => LineKind::Continuation,
        };
        lines.push(Line { span, content, kind });
    }
}

/// What an edit did to a text: bytes `start..old_end` of the text before it
/// are bytes `start..new_end` of the text after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextEdit {
    /// Where the edit starts, in both texts.
    pub start: usize,
    /// Where it ended in the text before.
    pub old_end: usize,
    /// Where it ends in the text after.
    pub new_end: usize,
}

/// Makes `lines`, the lines of a text before `edit` as [`group`] left them,
/// the lines of `text`, the text after it, as [`group`] reads them from
/// [`lex`]: the lines the edit touched are lexed again, the others keep
/// their class and move by what the edit added, and tag lines `group` read
/// as text are tag lines again. [`group`] then reads them as it would a
/// fresh lex. A keystroke in a
/// record of 40,000 lines lexes two or three lines, not 40,000.
pub fn relex(text: &str, edit: TextEdit, extra_tags: &[[u8; 2]], lines: &mut Vec<Line>) {
    // From the line before the one the edit starts in (a lone CR ending it
    // may meet an LF the edit brings) to the line it ends in, through that
    // line's break: the text after it is unchanged, and so is where the
    // next line starts.
    let first = lines.partition_point(|l| l.span.end <= edit.start).saturating_sub(1);
    let last = lines.partition_point(|l| l.span.start <= edit.old_end);
    let from = lines.get(first).map_or(0, |l| l.span.start);
    let old_len = lines.last().map_or(0, |l| l.span.end);
    let old_to = lines.get(last).map_or(old_len, |l| l.span.start).max(edit.old_end);
    let new_to = old_to - edit.old_end + edit.new_end;
    let mut fresh = Vec::new();
    lex(text, from..new_to, extra_tags, &mut fresh);
    let relexed = first..first + fresh.len();
    lines.splice(first..last, fresh);
    let delta = edit.new_end.wrapping_sub(edit.old_end);
    let moved = |span: &mut Span| {
        span.start = span.start.wrapping_add(delta);
        span.end = span.end.wrapping_add(delta);
    };
    for line in &mut lines[relexed.end..] {
        moved(&mut line.span);
        moved(&mut line.content);
        if let LineKind::Tag(tag) = &mut line.kind {
            moved(&mut tag.tag);
            moved(&mut tag.sep);
            moved(&mut tag.value);
        }
    }
    // `group` reads a tag line no importer reads as one, after wrapped
    // text, as text: what comes before it may have changed. (It reads
    // stray and continuation lines alike, so those stay as they are.)
    let (before, after) = lines.split_at_mut(relexed.end);
    for line in before[..relexed.start].iter_mut().chain(after) {
        if matches!(line.kind, LineKind::Continuation)
            && let Some(tag) = line::classify(text, line.content, extra_tags)
        {
            line.kind = LineKind::Tag(tag);
        }
    }
}

/// Where a text may be cut for [`lex`]: just after the first line feed
/// from its middle on (a line break in LF and CRLF alike).
pub fn middle_line(text: &str) -> Option<usize> {
    let middle = text.len() / 2;
    memchr::memchr(b'\n', &text.as_bytes()[middle..]).map(|at| middle + at + 1)
}

/// Reads the lines [`lex`] made into records, in order, and settles what
/// depends on the lines above: a tag line no importer reads as one is text
/// after wrapped text, and text outside a record is stray.
pub fn group(text: &str, parse: &mut Parse) {
    let Parse { lines, records } = parse;
    records.clear();
    // The record being read, and the index one past its last non-blank line.
    let mut open: Option<(Record, usize)> = None;
    // Whether the last non-blank line of the open record holds wrapped text
    // that may go on: a continuation, or a free-text value.
    let mut prose = false;

    for (index, line) in lines.iter_mut().enumerate() {
        if open.is_some()
            && prose
            && let LineKind::Tag(tag) = &line.kind
            && reads_as_text(text, tag)
        {
            line.kind = LineKind::Continuation;
        }
        if open.is_none() {
            prose = false;
        }
        match &line.kind {
            LineKind::Tag(tag) => prose = !tag.value.is_empty() && line::holds_text(tag.code),
            LineKind::Blank => {}
            LineKind::Continuation | LineKind::Stray => prose = true,
        }
        match &line.kind {
            LineKind::Tag(tag) => {
                let code = tag.code;
                if &code == b"TY" {
                    if let Some((mut record, last)) = open.take() {
                        record.end = RecordEnd::NextType;
                        record.end_line = last;
                        records.push(record);
                    }
                    let record = Record {
                        first_line: index,
                        end_line: index + 1,
                        has_type: true,
                        end: RecordEnd::Er,
                    };
                    if tag.flattened_with_end {
                        records.push(record);
                    } else {
                        open = Some((record, index + 1));
                    }
                } else if &code == b"ER" {
                    if let Some((mut record, _)) = open.take() {
                        record.end = RecordEnd::Er;
                        record.end_line = index + 1;
                        records.push(record);
                    }
                    // An ER outside a record is left alone: `checks` reports it.
                } else if let Some((_, last)) = open.as_mut() {
                    *last = index + 1;
                } else {
                    // A tag line with no open record starts a record without TY.
                    open = Some((
                        Record {
                            first_line: index,
                            end_line: index + 1,
                            has_type: false,
                            end: RecordEnd::Er,
                        },
                        index + 1,
                    ));
                }
            }
            LineKind::Blank => {
                if open.as_ref().is_some_and(|(record, _)| !record.has_type) {
                    let (mut record, last) = open.take().expect("checked just above");
                    record.end = RecordEnd::Blank;
                    record.end_line = last;
                    records.push(record);
                }
            }
            LineKind::Continuation | LineKind::Stray => {
                line.kind = match open.as_mut() {
                    Some((_, last)) => {
                        *last = index + 1;
                        LineKind::Continuation
                    }
                    None => LineKind::Stray,
                }
            }
        }
    }
    if let Some((mut record, last)) = open {
        record.end = RecordEnd::EndOfInput;
        record.end_line = last;
        records.push(record);
    }
}

/// Whether a tag line no importer reads as one, written without the spaces
/// importers need (`ER-Positive tumours.`, `L4-L5 level`, `T1 -2`) or in
/// lowercase and loosely spaced (`is - that`), is text: after wrapped text
/// of a value it is read as that value going on, as importers read it. A
/// `TY` line always starts a record, and a tag without a value (`ER-`) is
/// one.
fn reads_as_text(text: &str, tag: &TagLine) -> bool {
    let unread = match tag.form.spacing {
        Spacing::Broken => true,
        Spacing::Loose => tag.form.case != TagCase::Upper,
        Spacing::Standard => false,
    };
    unread && &tag.code != b"TY" && !tag.value.text(text).is_empty()
}

/// The tag a continuation line would be if it did not follow wrapped text
/// (`ER-Positive tumours.` after an abstract line): for the finding that
/// says it is read as text, and the fix (a guess) that makes it a tag.
pub fn tag_like_text(text: &str, content: Span, extra_tags: &[[u8; 2]]) -> Option<TagLine> {
    line::classify(text, content, extra_tags).filter(|t| reads_as_text(text, t))
}

/// Whether a line's content is empty or only spaces and tabs.
pub fn is_blank(content: &str) -> bool {
    content.bytes().all(|b| b == b' ' || b == b'\t')
}

/// Whether this line content is a `TY` line, i.e. starts a record.
pub fn is_type_line(text: &str, content: Span) -> bool {
    // Cheap test first: most lines are not TY lines.
    may_be_type_line(text.as_bytes()[content.start..content.end].iter().copied())
        && line::classify(text, content, &[]).is_some_and(|tag| &tag.code == b"TY")
}

/// Whether a line starting with `bytes` may be a `TY` line: its first two
/// characters after indentation are `TY` in any case. A cheap test that
/// needs no copy of a line held elsewhere (in a rope).
pub fn may_be_type_line(bytes: impl Iterator<Item = u8>) -> bool {
    let mut head = bytes.skip_while(|&b| b == b' ' || b == b'\t');
    matches!((head.next(), head.next()), (Some(b'T' | b't'), Some(b'Y' | b'y')))
}

/// How many line breaks `text` holds: LF, CRLF and lone CR, as [`split_lines`] counts them.
pub fn count_line_breaks(text: &str) -> usize {
    let bytes = text.as_bytes();
    memchr::memchr2_iter(b'\n', b'\r', bytes)
        .filter(|&at| bytes[at] == b'\n' || bytes.get(at + 1) != Some(&b'\n'))
        .count()
}

/// Where independently parsable pieces of `text` start: `0`, then the start
/// of every `TY` line after the first line. A piece parses the same on its own
/// as inside the whole text, because a `TY` line always starts a record; the
/// CLI checks big files piece by piece and the document store reparses only
/// the pieces an edit touched.
pub fn piece_starts(text: &str) -> impl Iterator<Item = usize> + '_ {
    std::iter::once(0).chain(
        split_lines(text)
            .filter(move |&(span, content)| span.start > 0 && is_type_line(text, content))
            .map(|(span, _)| span.start),
    )
}

#[cfg(test)]
mod tests;

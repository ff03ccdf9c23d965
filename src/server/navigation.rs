//! Outline, folding, links, inlay hints and workspace symbols: the pieces'
//! analyses, read from a snapshot, translated to LSP.

use std::collections::HashMap;

use bytes::Bytes;
use tower_lsp::lsp_types::{self as lsp, Url};

use super::convert;
use crate::analysis::{Analysis, Link, Symbol};
use crate::checks::FastHash;
use crate::document::{self, Document, Encoding, Snapshot};

fn range(span: crate::analysis::PlaceSpan, first_line: u32, encoding: Encoding) -> lsp::Range {
    let (start, end) = document::positions(span, first_line, encoding);
    lsp::Range::new(convert::position(start), convert::position(end))
}

/// The methods [`answer`] answers.
pub const WHOLE_DOCUMENT: [&str; 3] = [
    "textDocument/documentSymbol",
    "textDocument/foldingRange",
    "textDocument/documentLink",
];

/// The last answer to each whole-document request of one document, kept
/// to make the next: the message (its buffers shared with the writer, not
/// copied) and where each piece's items lie in it. A keystroke changes one
/// piece, so the outline asked for after it is the last one's bytes around
/// one piece serialized anew: read in order, no lookup per piece, and never
/// copied (a copy of a 30 MB outline into fresh memory was 25 ms).
#[derive(Debug, Default)]
pub(crate) struct Answers {
    encoding: Option<Encoding>,
    by_method: HashMap<&'static str, Answered>,
}

/// One answer: its message, and its pieces in document order.
#[derive(Debug, Default)]
struct Answered {
    /// The message, in order: slices of the buffers of this answer and of
    /// earlier ones. A piece's items lie within one chunk.
    chunks: Vec<Bytes>,
    /// Where each chunk starts in the message.
    starts: Vec<usize>,
    pieces: Vec<Written>,
    /// Where each piece's line numbers are, the pieces' in turn.
    lines: Vec<LineAt>,
    /// Bytes written anew since the message was last one buffer: once they
    /// pass its length, most of the buffers it holds may be unused.
    written: usize,
}

/// Past this many chunks (two more per keystroke), the message is copied
/// into one buffer.
const MOST_CHUNKS: usize = 256;

impl Answered {
    /// The chunks holding bytes `range` of the message, cut to it.
    fn slices(&self, range: std::ops::Range<usize>) -> impl Iterator<Item = Bytes> + '_ {
        let first = self
            .starts
            .partition_point(|&start| start <= range.start)
            .saturating_sub(1);
        self.chunks[first..]
            .iter()
            .zip(&self.starts[first..])
            .take_while(move |&(_, &start)| start < range.end)
            .map(move |(chunk, &start)| {
                let from = range.start.saturating_sub(start);
                let to = (range.end - start).min(chunk.len());
                chunk.slice(from..to)
            })
    }

    /// Bytes `range` of the message: a slice of one chunk (a piece's items
    /// always are), else a copy.
    fn bytes(&self, range: std::ops::Range<usize>) -> Bytes {
        let mut slices = self.slices(range);
        let first = slices.next().unwrap_or_default();
        match slices.next() {
            None => first,
            Some(second) => {
                let mut all = first.to_vec();
                all.extend_from_slice(&second);
                slices.for_each(|slice| all.extend_from_slice(&slice));
                all.into()
            }
        }
    }
}

/// Where one piece's items were written.
#[derive(Debug, Clone)]
struct Written {
    id: u64,
    /// The line the piece started on.
    first_line: u32,
    /// Its items' bytes in the message (empty when it has none).
    bytes: std::ops::Range<usize>,
    /// Its entries in [`Answered::lines`].
    lines: std::ops::Range<usize>,
}

/// A line number in a piece's items: its offset from their start, and the
/// line relative to the piece.
#[derive(Debug, Clone, Copy)]
struct LineAt {
    at: u32,
    line: u32,
}

/// One piece's items serialized with lines relative to the piece, and where
/// the line numbers are.
struct Part {
    json: Vec<u8>,
    lines: Vec<LineAt>,
}

impl Part {
    /// Finds the numbers of `keys` in `json`. A key stands right after `{`
    /// or `,`: a string in the JSON has its quotes escaped, so text cannot
    /// look like one.
    fn new(json: Vec<u8>, keys: &[&str]) -> Self {
        let mut lines = Vec::new();
        for key in keys {
            let pattern = format!("\"{key}\":");
            for at in memchr::memmem::find_iter(&json, pattern.as_bytes()) {
                if at == 0 || !matches!(json[at - 1], b'{' | b',') {
                    continue;
                }
                let digits = at + pattern.len();
                let end = digits + json[digits..].iter().take_while(|b| b.is_ascii_digit()).count();
                let value = std::str::from_utf8(&json[digits..end])
                    .ok()
                    .and_then(|d| d.parse().ok());
                if let (Some(line), Ok(at)) = (value, u32::try_from(digits)) {
                    lines.push(LineAt { at, line });
                }
            }
        }
        lines.sort_unstable_by_key(|l| l.at);
        Part { json, lines }
    }
}

/// A stretch of the message being made.
enum Segment {
    /// Bytes of its own buffer.
    Fresh(std::ops::Range<usize>),
    /// Bytes of the last answer's message.
    Last(std::ops::Range<usize>),
}

/// The answer being made from the last one.
struct Making<'a> {
    last: &'a Answered,
    /// The bytes written anew.
    fresh: Vec<u8>,
    segments: Vec<Segment>,
    /// The message's length so far.
    len: usize,
    pieces: Vec<Written>,
    lines: Vec<LineAt>,
    /// Whether an item was written: the next one needs a comma.
    items: bool,
    /// Pieces of `last` taken unchanged and not yet added: their indexes
    /// in it, and the bytes from the first of them with items to the last.
    run: Option<(std::ops::Range<usize>, Option<std::ops::Range<usize>>)>,
}

impl Making<'_> {
    /// Appends bytes of its own.
    fn push(&mut self, bytes: &[u8]) {
        let start = self.fresh.len();
        self.fresh.extend_from_slice(bytes);
        self.grew(start);
    }

    /// Notes the bytes written to `fresh` since `start`.
    fn grew(&mut self, start: usize) {
        let end = self.fresh.len();
        match self.segments.last_mut() {
            Some(Segment::Fresh(range)) if range.end == start => range.end = end,
            _ => self.segments.push(Segment::Fresh(start..end)),
        }
        self.len += end - start;
    }

    fn comma(&mut self) {
        if self.items {
            self.push(b",");
        }
        self.items = true;
    }

    /// The last answer's piece `index`, on the same line as then.
    fn reuse(&mut self, index: usize) {
        if self.run.as_ref().is_some_and(|(indexes, _)| indexes.end != index) {
            self.add_run();
        }
        let items = self.last.pieces[index].bytes.clone();
        let (indexes, bytes) = self.run.get_or_insert((index..index, None));
        indexes.end = index + 1;
        if !items.is_empty() {
            let start = bytes.as_ref().map_or(items.start, |b| b.start);
            *bytes = Some(start..items.end);
        }
    }

    /// Adds the pieces of the run, as one stretch of the last message.
    fn add_run(&mut self) {
        let Some((indexes, bytes)) = self.run.take() else {
            return;
        };
        let last = self.last;
        let mut shift = 0;
        if let Some(bytes) = bytes {
            self.comma();
            shift = self.len as isize - bytes.start as isize;
            self.len += bytes.len();
            self.segments.push(Segment::Last(bytes));
        }
        for piece in &last.pieces[indexes] {
            let lines = &last.lines[piece.lines.clone()];
            let bytes = if piece.bytes.is_empty() {
                self.len..self.len
            } else {
                piece.bytes.start.wrapping_add_signed(shift)..piece.bytes.end.wrapping_add_signed(shift)
            };
            self.pieces.push(Written {
                id: piece.id,
                first_line: piece.first_line,
                bytes,
                lines: self.lines.len()..self.lines.len() + lines.len(),
            });
            self.lines.extend_from_slice(lines);
        }
    }

    /// Writes a piece's items, `json` with numbers `was + line` at `lines`,
    /// with `first_line + line` instead.
    fn write(&mut self, id: u64, json: &[u8], lines: &[LineAt], was: u32, first_line: u32) {
        self.add_run();
        if !json.is_empty() {
            self.comma();
        }
        let (start, fresh) = (self.len, self.fresh.len());
        let mut numbers = itoa::Buffer::new();
        let mut at = 0;
        let first = self.lines.len();
        for &LineAt { at: hole, line } in lines {
            let hole = hole as usize;
            self.fresh.extend_from_slice(&json[at..hole]);
            let number = numbers.format(first_line.saturating_add(line));
            self.lines.push(LineAt {
                at: u32::try_from(self.fresh.len() - fresh).unwrap_or(u32::MAX),
                line,
            });
            self.fresh.extend_from_slice(number.as_bytes());
            at = hole + numbers.format(was.saturating_add(line)).len();
        }
        self.fresh.extend_from_slice(&json[at..]);
        self.grew(fresh);
        self.pieces.push(Written {
            id,
            first_line,
            bytes: start..self.len,
            lines: first..self.lines.len(),
        });
    }

    /// The message, as chunks.
    fn finish(self) -> Answered {
        let fresh = Bytes::from(self.fresh);
        let mut chunks = Vec::new();
        for segment in self.segments {
            match segment {
                Segment::Fresh(range) => chunks.push(fresh.slice(range)),
                Segment::Last(range) => chunks.extend(self.last.slices(range)),
            }
        }
        let mut written = self.last.written + fresh.len();
        if chunks.len() == 1 {
            written = 0;
        } else if chunks.len() > MOST_CHUNKS || written > self.len {
            chunks = vec![Bytes::from(chunks.concat())];
            written = 0;
        }
        let starts = chunks
            .iter()
            .scan(0, |at, chunk| {
                let start = *at;
                *at += chunk.len();
                Some(start)
            })
            .collect();
        Answered {
            chunks,
            starts,
            pieces: self.pieces,
            lines: self.lines,
            written,
        }
    }
}

/// The message answering one of [`WHOLE_DOCUMENT`]'s requests, as chunks:
/// `opening` (the message up to its `result`), the result, then `closing`.
/// Pieces the last answer had are taken from it; a piece new since then is
/// serialized from typed values (never a `Value` tree).
pub fn answer(
    method: &str,
    snapshot: &Snapshot,
    encoding: Encoding,
    answers: &mut Answers,
    mut opening: Vec<u8>,
    closing: &[u8],
) -> Vec<Bytes> {
    let Some(&method) = WHOLE_DOCUMENT.iter().find(|&&m| m == method) else {
        opening.extend_from_slice(b"null");
        opening.extend_from_slice(closing);
        return vec![opening.into()];
    };
    if answers.encoding != Some(encoding) {
        answers.by_method.clear();
        answers.encoding = Some(encoding);
    }
    let last = answers.by_method.remove(method).unwrap_or_default();
    let mut making = Making {
        last: &last,
        fresh: Vec::new(),
        segments: Vec::new(),
        len: 0,
        pieces: Vec::with_capacity(last.pieces.len()),
        lines: Vec::with_capacity(last.lines.len()),
        items: false,
        run: None,
    };
    opening.push(b'[');
    if method == "textDocument/documentSymbol"
        && let Some((about, line)) = snapshot.about()
    {
        // The file as a whole first: who wrote it and how many records.
        serde_json::to_writer(&mut opening, &file_symbol(about, line)).expect("LSP types serialize");
        making.items = true;
    }
    making.fresh = opening;
    making.grew(0);
    let newest = last.pieces.iter().map(|p| p.id).max().unwrap_or(0);
    let mut ids: Option<HashMap<u64, usize, FastHash>> = None;
    // The last answer's pieces are in document order, and an edit keeps
    // the order of the pieces it leaves: the next one is at `at` or after
    // pieces the edit removed. A piece newer than every piece it had is new.
    let mut at = 0;
    for (id, first_line, analysis) in snapshot.pieces() {
        let found = if last.pieces.get(at).is_some_and(|p| p.id == id) {
            Some(at)
        } else if id > newest {
            None
        } else if let Some(skip) = last.pieces[at.min(last.pieces.len())..]
            .iter()
            .take(64)
            .position(|p| p.id == id)
        {
            Some(at + skip)
        } else {
            // Many pieces removed, or an older snapshot than the last answer's.
            let ids = ids.get_or_insert_with(|| last.pieces.iter().enumerate().map(|(i, p)| (p.id, i)).collect());
            ids.get(&id).copied()
        };
        match found {
            Some(index) if last.pieces[index].first_line == first_line => {
                making.reuse(index);
                at = index + 1;
            }
            Some(index) => {
                let piece = &last.pieces[index];
                let json = last.bytes(piece.bytes.clone());
                making.write(
                    id,
                    &json,
                    &last.lines[piece.lines.clone()],
                    piece.first_line,
                    first_line,
                );
                at = index + 1;
            }
            None => {
                let part = piece_part(method, analysis, encoding);
                making.write(id, &part.json, &part.lines, 0, first_line);
            }
        }
    }
    making.add_run();
    making.push(b"]");
    making.push(closing);
    let next = making.finish();
    let message = next.chunks.clone();
    answers.by_method.insert(method, next);
    message
}

/// One piece's items for `method`, lines relative to the piece.
fn piece_part(method: &str, analysis: &Analysis, encoding: Encoding) -> Part {
    match method {
        "textDocument/documentSymbol" => Part::new(
            convert::json_items(analysis.symbols.iter().map(|s| document_symbol(0, s, encoding))),
            &["line"],
        ),
        "textDocument/foldingRange" => Part::new(
            convert::json_items(analysis.folds.iter().map(|&(start, end)| folding_range(start, end))),
            &["startLine", "endLine"],
        ),
        _ => Part::new(
            convert::json_items(analysis.links.iter().map(|link| document_link(0, link, encoding))),
            &["line"],
        ),
    }
}

/// The outline's first entry: the file as a whole ("Ovid MEDLINE export,
/// 1,000 records"), on the line its first record starts.
#[allow(deprecated)] // `DocumentSymbol::deprecated` must be set, though deprecated.
fn file_symbol(about: String, line: u32) -> lsp::DocumentSymbol {
    let at = lsp::Range::new(lsp::Position::new(line, 0), lsp::Position::new(line, 0));
    lsp::DocumentSymbol {
        name: about,
        detail: None,
        kind: lsp::SymbolKind::FILE,
        tags: None,
        deprecated: None,
        range: at,
        selection_range: at,
        children: None,
    }
}

/// One `DocumentSymbol` per record.
#[allow(deprecated)] // `DocumentSymbol::deprecated` must be set, though deprecated.
fn document_symbol(first_line: u32, symbol: &Symbol, encoding: Encoding) -> lsp::DocumentSymbol {
    lsp::DocumentSymbol {
        name: symbol.name.clone(),
        detail: Some(symbol.detail.to_string()),
        kind: lsp::SymbolKind::STRUCT,
        tags: None,
        deprecated: None,
        range: range(symbol.range, first_line, encoding),
        selection_range: range(symbol.selection, first_line, encoding),
        children: None,
    }
}

/// A folding range: a record, or a value over three lines or more.
fn folding_range(start: u32, end: u32) -> lsp::FoldingRange {
    lsp::FoldingRange {
        start_line: start,
        end_line: end,
        kind: Some(lsp::FoldingRangeKind::Region),
        ..Default::default()
    }
}

/// A link as LSP writes it; the target is the analysis's string as it is
/// (made from a DOI or taken from a URL field), with no parse per link.
#[derive(serde::Serialize)]
struct DocumentLink<'a> {
    range: lsp::Range,
    target: &'a str,
}

fn document_link(first_line: u32, link: &Link, encoding: Encoding) -> DocumentLink<'_> {
    DocumentLink {
        range: range(link.range, first_line, encoding),
        target: &link.target,
    }
}

/// Inlay hints within `range`.
pub fn inlay_hints(document: &Document, encoding: Encoding, range: lsp::Range) -> Vec<lsp::InlayHint> {
    document
        .hints(range.start.line..range.end.line.saturating_add(1), encoding)
        .into_iter()
        .map(|(position, label)| (convert::position(position), label))
        .filter(|(position, _)| range.start <= *position && *position <= range.end)
        .map(|(position, label)| lsp::InlayHint {
            position,
            label: lsp::InlayHintLabel::String(label.to_string()),
            kind: Some(lsp::InlayHintKind::TYPE),
            text_edits: None,
            tooltip: None,
            padding_left: Some(true),
            padding_right: Some(true),
            data: None,
        })
        .collect()
}

/// Records of an open document whose title, authors or DOI contain `query`.
#[allow(deprecated)] // `SymbolInformation::deprecated` must be set, though deprecated.
pub fn workspace_symbols(
    snapshot: &Snapshot,
    uri: &Url,
    encoding: Encoding,
    query: &str,
) -> Vec<lsp::SymbolInformation> {
    snapshot
        .search(&query.to_lowercase())
        .into_iter()
        .map(|(first_line, symbol)| lsp::SymbolInformation {
            location: lsp::Location::new(uri.clone(), range(symbol.range, first_line, encoding)),
            name: symbol.name,
            kind: lsp::SymbolKind::STRUCT,
            tags: None,
            deprecated: None,
            container_name: Some(symbol.detail.to_string()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::document::Change;
    use crate::syntax::Span;

    fn record(i: usize) -> String {
        let link = if i.is_multiple_of(3) {
            format!("DO  - 10.1000/{i}\n")
        } else {
            String::new()
        };
        format!("TY  - JOUR\nAU  - Author {i}, A\nTI  - Title {i}\n  wrapped\n  and wrapped\n{link}ER  - \n\n")
    }

    /// Every answer, made from the last one, is the answer made afresh.
    fn same_as_fresh(snapshot: &Snapshot, answers: &mut Answers) {
        for method in WHOLE_DOCUMENT {
            let made = answer(method, snapshot, Encoding::Utf16, answers, b"<".to_vec(), b">").concat();
            let fresh = answer(
                method,
                snapshot,
                Encoding::Utf16,
                &mut Answers::default(),
                b"<".to_vec(),
                b">",
            );
            assert_eq!(fresh.len(), 1, "a first answer is one buffer");
            let fresh = fresh.concat();
            assert_eq!(
                String::from_utf8_lossy(&made),
                String::from_utf8_lossy(&fresh),
                "{method}"
            );
            let result: serde_json::Value = serde_json::from_slice(&made[1..made.len() - 1]).expect("JSON");
            assert!(result.is_array());
        }
    }

    /// Hundreds of keystrokes in one line: each answer is the fresh one,
    /// and the chunks the message is made of stay few.
    #[test]
    fn a_long_session_of_typing_keeps_the_message_in_few_chunks() {
        let text: String = (0..50).map(record).collect();
        let mut document = Document::new(&text, 1);
        let mut answers = Answers::default();
        for version in 0..600 {
            let text = document.text();
            let at = text
                .match_indices("TI  - ")
                .nth(version as usize % 50)
                .expect("a title")
                .0
                + 6;
            document.apply(
                vec![Change {
                    range: Some(Span::new(at, at)),
                    text: "x".into(),
                }],
                version + 2,
            );
            same_as_fresh(&document.snapshot(), &mut answers);
            let kept = &answers.by_method["textDocument/documentSymbol"];
            assert!(kept.chunks.len() <= MOST_CHUNKS, "{}", kept.chunks.len());
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Typing, new lines, new and broken records, deletions, and an
        /// answer for an older snapshot than the last answer's.
        #[test]
        fn answers_made_from_the_last_are_answers_made_afresh(
            records in 1usize..40,
            edits in proptest::collection::vec((0.0f64..1.0, 0usize..40, 0usize..6), 1..12),
        ) {
            let text: String = (0..records).map(record).collect();
            let mut document = Document::new(&text, 1);
            let mut answers = Answers::default();
            same_as_fresh(&document.snapshot(), &mut answers);
            let mut older = document.snapshot();
            for (version, (at, removed, inserted)) in edits.into_iter().enumerate() {
                let length = document.text().len();
                let start = ((length as f64) * at) as usize;
                let end = (start + removed).min(length);
                let text = ["x", "\n", "TY  - BOOK\nTI  - New\n", "ER  - \n", "", "DO  - 10.1/2\n"][inserted];
                document.apply(vec![Change { range: Some(Span::new(start, end)), text: text.into() }], version as i32 + 2);
                let snapshot = document.snapshot();
                same_as_fresh(&snapshot, &mut answers);
                same_as_fresh(&older, &mut answers);
                same_as_fresh(&snapshot, &mut answers);
                older = snapshot;
            }
        }
    }
}

//! Open documents: text in a rope, checked piece by piece, updated in place.
//!
//! A document is cut into pieces at its `TY` lines ([`syntax::piece_starts`]);
//! each piece keeps the diagnostics of its records. An edit reparses only the
//! pieces it touched and keeps the others' results as they are (their spans
//! are relative to the piece, so nothing needs shifting but the piece starts).
//! Duplicate DOIs, the one file-wide check, come from an index kept up to date
//! piece by piece.

mod position;

pub use position::{Encoding, Position};

use std::collections::{BTreeSet, HashMap};

use ropey::Rope;

use crate::checks::{self, Diagnostic, DoiOccurrence, Rules};
use crate::syntax::{self, Span};

/// A piece of the document: from a `TY` line to the next one.
#[derive(Debug, Clone)]
struct Piece {
    /// Identity, stable while the piece is untouched (for the DOI index).
    id: u64,
    /// Absolute byte offset of its first byte.
    start: usize,
    /// Its length in bytes.
    len: usize,
    /// Record-local diagnostics, spans relative to `start`.
    diagnostics: Vec<Diagnostic>,
    /// Its DOIs, spans relative to `start`.
    dois: Vec<DoiOccurrence>,
}

/// One open document.
#[derive(Debug)]
pub struct Document {
    /// The version the client gave with the last change.
    pub version: i32,
    rope: Rope,
    pieces: Vec<Piece>,
    next_id: u64,
    /// DOI key → ids of the pieces holding it (once per occurrence).
    doi_index: HashMap<String, Vec<u64>, checks::Fnv>,
    /// The DOI keys held by more than one piece: all the duplicate check needs
    /// to look at, so that it costs nothing on a file without duplicates.
    duplicated: BTreeSet<String>,
    /// Piece id → its index in `pieces`.
    positions: HashMap<u64, usize, checks::Fnv>,
    /// How many pieces the last change reparsed (for tests and logs).
    pub last_reparsed: usize,
    /// What the configuration adds to the checks.
    rules: Rules,
}

/// A change to apply: replace `range` (bytes) with `text`, or everything.
#[derive(Debug, Clone)]
pub struct Change {
    /// Byte range to replace; `None` replaces the whole text.
    pub range: Option<Span>,
    /// The new text.
    pub text: String,
}

impl Document {
    /// Opens a document and checks it fully.
    pub fn new(text: &str, version: i32) -> Self {
        Self::with_rules(text, version, Rules::default())
    }

    /// Opens a document and checks it fully with the configuration's rules.
    pub fn with_rules(text: &str, version: i32, rules: Rules) -> Self {
        let mut document = Self {
            version,
            rope: Rope::from_str(text),
            pieces: Vec::new(),
            next_id: 0,
            doi_index: HashMap::default(),
            duplicated: BTreeSet::new(),
            positions: HashMap::default(),
            last_reparsed: 0,
            rules,
        };
        document.replace_all(text);
        document
    }

    /// Changes the rules and, if they differ, re-checks everything.
    pub fn set_rules(&mut self, rules: Rules) {
        if rules != self.rules {
            self.rules = rules;
            let text = self.text();
            self.replace_all(&text);
        }
    }

    /// The text.
    pub fn rope(&self) -> &Rope {
        &self.rope
    }

    /// The whole text as a string (tests, formatting).
    pub fn text(&self) -> String {
        self.rope.to_string()
    }

    /// Length in bytes.
    pub fn len(&self) -> usize {
        self.rope.len_bytes()
    }

    /// True when the document is empty.
    pub fn is_empty(&self) -> bool {
        self.rope.len_bytes() == 0
    }

    /// Applies changes in order and re-checks what they touched.
    pub fn apply(&mut self, changes: Vec<Change>, version: i32) {
        self.last_reparsed = 0;
        for change in changes {
            match change.range {
                None => {
                    self.rope = Rope::from_str(&change.text);
                    self.replace_all(&change.text);
                }
                Some(range) => self.edit(range, &change.text),
            }
        }
        self.version = version;
    }

    /// Converts a client position to a byte offset, clamping positions past
    /// the end of a line or of the text. Returns whether it had to clamp.
    pub fn offset(&self, position: Position, encoding: Encoding) -> (usize, bool) {
        position::to_offset(&self.rope, position, encoding)
    }

    /// Converts a byte offset to a client position.
    pub fn position(&self, offset: usize, encoding: Encoding) -> Position {
        position::from_offset(&self.rope, offset, encoding)
    }

    /// Every diagnostic, with absolute spans, in document order.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut out: Vec<Diagnostic> = self
            .pieces
            .iter()
            .flat_map(|piece| piece.diagnostics.iter().map(|d| d.clone().shifted(piece.start)))
            .collect();
        out.extend(self.duplicate_dois());
        out.sort_by_key(|d| (d.span.start, d.span.end, d.code));
        out
    }

    /// The text of the piece (record and what follows it) around byte
    /// `offset`, and where it starts: what hover and completion look at.
    pub fn piece_at(&self, offset: usize) -> (usize, String) {
        let i = self.piece_index(offset);
        let piece = &self.pieces[i];
        (piece.start, self.slice(piece.start, piece.start + piece.len))
    }

    fn slice(&self, start: usize, end: usize) -> String {
        self.rope.byte_slice(start..end).to_string()
    }

    /// Index of the piece holding byte `offset` (the last one for the end).
    fn piece_index(&self, offset: usize) -> usize {
        self.pieces.partition_point(|p| p.start <= offset).saturating_sub(1)
    }

    fn replace_all(&mut self, text: &str) {
        self.pieces.clear();
        self.doi_index.clear();
        self.duplicated.clear();
        let pieces = self.check_pieces(text, 0, text.len() == self.rope.len_bytes());
        self.last_reparsed += pieces.len();
        self.insert_pieces(0, pieces);
        self.index_positions(0, None);
    }

    /// Checks `text`, which starts at byte `start` of the document, cut into
    /// pieces. Many pieces (opening a big file) are checked on every core.
    fn check_pieces(&mut self, text: &str, start: usize, reaches_end: bool) -> Vec<Piece> {
        let starts: Vec<usize> = syntax::piece_starts(text).collect();
        let rules = &self.rules;
        let check_range = |range: std::ops::Range<usize>| -> Vec<checks::PieceResult> {
            range
                .map(|i| {
                    let end = starts.get(i + 1).copied().unwrap_or(text.len());
                    let followed = end < text.len() || !reaches_end;
                    checks::check_piece(&text[starts[i]..end], followed, rules)
                })
                .collect()
        };
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let results: Vec<checks::PieceResult> = if threads < 2 || starts.len() < 2048 {
            check_range(0..starts.len())
        } else {
            let per_thread = starts.len().div_ceil(threads);
            std::thread::scope(|scope| {
                let handles: Vec<_> = (0..threads)
                    .map(|t| {
                        let range = t * per_thread..((t + 1) * per_thread).min(starts.len());
                        scope.spawn(move || check_range(range))
                    })
                    .collect();
                handles
                    .into_iter()
                    .flat_map(|h| h.join().expect("checks do not panic"))
                    .collect()
            })
        };
        let mut pieces = Vec::with_capacity(starts.len());
        for (i, result) in results.into_iter().enumerate() {
            let end = starts.get(i + 1).copied().unwrap_or(text.len());
            self.next_id += 1;
            pieces.push(Piece {
                id: self.next_id,
                start: start + starts[i],
                len: end - starts[i],
                diagnostics: result.diagnostics,
                dois: result.dois,
            });
        }
        pieces
    }

    fn insert_pieces(&mut self, at: usize, pieces: Vec<Piece>) {
        for piece in &pieces {
            for doi in &piece.dois {
                let ids = self.doi_index.entry(doi.key.clone()).or_default();
                ids.push(piece.id);
                if ids.len() == 2 {
                    self.duplicated.insert(doi.key.clone());
                }
            }
        }
        self.pieces.splice(at..at, pieces);
    }

    fn remove_pieces(&mut self, range: std::ops::Range<usize>) {
        for piece in self.pieces.drain(range) {
            self.positions.remove(&piece.id);
            for doi in &piece.dois {
                if let Some(ids) = self.doi_index.get_mut(&doi.key) {
                    if let Some(k) = ids.iter().position(|&id| id == piece.id) {
                        ids.swap_remove(k);
                    }
                    if ids.len() < 2 {
                        self.duplicated.remove(&doi.key);
                    }
                    if ids.is_empty() {
                        self.doi_index.remove(&doi.key);
                    }
                }
            }
        }
    }

    /// Records where pieces are: only `from..from + count` when the pieces
    /// after them kept their indices, else all from `from` on.
    fn index_positions(&mut self, from: usize, count: Option<usize>) {
        let end = count.map_or(self.pieces.len(), |count| from + count);
        for (i, piece) in self.pieces.iter().enumerate().take(end).skip(from) {
            self.positions.insert(piece.id, i);
        }
    }

    /// Replaces bytes `range` with `text` and re-checks the touched pieces.
    fn edit(&mut self, range: Span, text: &str) {
        let len = self.rope.len_bytes();
        let range = Span::new(range.start.min(len), range.end.min(len).max(range.start.min(len)));
        let start_char = self.rope.byte_to_char(range.start);
        let end_char = self.rope.byte_to_char(range.end);
        self.rope.remove(start_char..end_char);
        self.rope.insert(start_char, text);
        let delta = text.len() as isize - range.len() as isize;

        // The pieces touched: a change at the very start of a piece may join
        // it to the one before (its TY line may stop being one), and a change
        // reaching the start of the next piece touches that one too.
        let mut first = self.pieces.partition_point(|p| p.start < range.start).saturating_sub(1);
        let last = self.pieces.partition_point(|p| p.start <= range.end).saturating_sub(1);
        let old_end = self.pieces[last].start + self.pieces[last].len;
        let new_end = (old_end as isize + delta) as usize;
        // If the touched text no longer starts with a TY line, it belongs to
        // the piece before: widen until it does.
        while first > 0 && !self.starts_piece(self.pieces[first].start) {
            first -= 1;
        }
        let start = self.pieces[first].start;
        let region = self.slice(start, new_end);
        let reaches_end = new_end == self.rope.len_bytes();
        let pieces = self.check_pieces(&region, start, reaches_end);
        self.last_reparsed += pieces.len();
        self.remove_pieces(first..last + 1);
        let (removed, inserted) = (last + 1 - first, pieces.len());
        self.insert_pieces(first, pieces);
        // Typing inside a record replaces one piece by one: only its entry changes.
        self.index_positions(first, (removed == inserted).then_some(inserted));
        for piece in &mut self.pieces[first + inserted..] {
            piece.start = (piece.start as isize + delta) as usize;
        }
    }

    /// Whether byte `offset` of the current text starts a piece (a TY line).
    fn starts_piece(&self, offset: usize) -> bool {
        if offset == 0 {
            return true;
        }
        let line = self.rope.byte_to_line(offset);
        if self.rope.line_to_byte(line) != offset {
            return false;
        }
        let text = self.rope.line(line).to_string();
        let content = text.trim_end_matches(['\n', '\r']).len();
        syntax::is_type_line(&text, Span::new(0, content))
    }

    fn duplicate_dois(&self) -> Vec<Diagnostic> {
        let groups: Vec<(&str, Vec<Span>)> = self
            .duplicated
            .iter()
            .map(|key| {
                let mut spans: Vec<Span> = self.doi_index[key]
                    .iter()
                    .map(|id| &self.pieces[self.positions[id]])
                    .flat_map(|p| p.dois.iter().filter(|d| &d.key == key).map(|d| d.span.shift(p.start)))
                    .collect();
                spans.sort();
                spans.dedup();
                (key.as_str(), spans)
            })
            .collect();
        checks::duplicate_diagnostics(groups.iter().map(|(key, spans)| (*key, spans.as_slice())))
    }
}

#[cfg(test)]
mod tests;

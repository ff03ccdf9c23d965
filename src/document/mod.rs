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

use std::collections::{BTreeSet, HashMap, HashSet};

use ropey::Rope;

use crate::checks::{self, Diagnostic, DoiOccurrence, Rules};
use crate::syntax::{self, Span};

/// A piece of the document: from a `TY` line to the next one. Where it
/// starts is kept apart, in [`Document::starts`].
#[derive(Debug, Clone)]
struct Piece {
    /// Identity, stable while the piece is untouched (for the indexes).
    id: u64,
    /// Its length in bytes.
    len: usize,
    /// How many line breaks it holds: the next piece starts that many lines on.
    breaks: usize,
    /// Record-local diagnostics, spans relative to the piece's start.
    diagnostics: Vec<Diagnostic>,
    /// Its DOIs, spans relative to the piece's start.
    dois: Vec<DoiOccurrence>,
    /// Where each diagnostic's span and related spans fall, relative to the
    /// piece (which starts a line), worked out once when it is checked: a
    /// publish then costs one rope lookup per piece, not four per finding.
    places: Vec<Places>,
}

/// Relative line and both columns of one offset inside a piece.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Place {
    line: u32,
    utf8: u32,
    utf16: u32,
}

impl Place {
    fn position(self, first_line: u32, encoding: Encoding) -> Position {
        Position {
            line: first_line + self.line,
            character: match encoding {
                Encoding::Utf8 => self.utf8,
                Encoding::Utf16 => self.utf16,
            },
        }
    }
}

/// The places of one diagnostic: its span, then each related span.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Places {
    span: (Place, Place),
    related: Vec<(Place, Place)>,
}

/// Places of `offsets` (sorted or not) in `text`, by one scan per offset
/// over a piece's few lines.
fn place_of(text: &str, offset: usize) -> Place {
    let mut line = 0;
    let mut line_start = 0;
    for (span, _) in syntax::split_lines(text) {
        if span.end > offset || span.end == text.len() && offset == text.len() && !text.ends_with(['\n', '\r']) {
            break;
        }
        line += 1;
        line_start = span.end;
    }
    let column = &text[line_start..offset.max(line_start)];
    let utf16: usize = column.chars().map(char::len_utf16).sum();
    Place {
        line: u32::try_from(line).unwrap_or(u32::MAX),
        utf8: u32::try_from(column.len()).unwrap_or(u32::MAX),
        utf16: u32::try_from(utf16).unwrap_or(u32::MAX),
    }
}

fn places_of(text: &str, diagnostics: &[Diagnostic]) -> Vec<Places> {
    let pair = |span: Span| (place_of(text, span.start), place_of(text, span.end));
    diagnostics
        .iter()
        .map(|d| Places {
            span: pair(d.span),
            related: d.related.iter().map(|r| pair(r.span)).collect(),
        })
        .collect()
}

/// A diagnostic with its range and its related ranges as client positions.
/// It borrows the piece's diagnostic (publishing on every keystroke must not
/// copy messages and fix edits); its spans are relative to `offset`.
#[derive(Debug, Clone)]
pub struct Located<'d> {
    /// The diagnostic; add `offset` to its spans to make them absolute.
    pub diagnostic: std::borrow::Cow<'d, Diagnostic>,
    /// Where the diagnostic's spans count from.
    pub offset: usize,
    /// Start and end of its span.
    pub range: (Position, Position),
    /// Start and end of each related span, in order.
    pub related: Vec<(Position, Position)>,
}

/// A piece of a document that has findings (see [`Document::finding_pieces`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FindingPiece {
    /// Names the piece's findings while it is unchanged: an edit that
    /// reparses the piece gives it a new id.
    pub id: u64,
    /// The line it starts on: its findings' positions move with it.
    pub first_line: u32,
    /// Its index among the pieces, for [`Document::locate_piece`].
    index: usize,
}

/// One open document.
#[derive(Debug)]
pub struct Document {
    /// The version the client gave with the last change.
    pub version: i32,
    rope: Rope,
    pieces: Vec<Piece>,
    /// Where each piece starts, in bytes. Apart from the pieces so that an
    /// edit shifts one dense array (100,000 pieces: a few microseconds).
    starts: Vec<usize>,
    /// The line each piece starts on, kept like `starts`, so that a publish
    /// finds where its findings are without a rope lookup per piece.
    first_lines: Vec<usize>,
    next_id: u64,
    /// DOI hash → ids of the pieces holding it (once per occurrence).
    doi_index: HashMap<u64, Vec<u64>, checks::Fnv>,
    /// The DOI hashes held by more than one piece: all the duplicate check
    /// needs to look at, so that it costs nothing on a file without
    /// duplicates. Equal hashes are told apart by reading the DOIs back.
    duplicated: BTreeSet<u64>,
    /// Piece id → its index in `pieces`.
    positions: HashMap<u64, usize, checks::Fnv>,
    /// Ids of the pieces with diagnostics: publishing walks these, not all.
    with_findings: HashSet<u64, checks::Fnv>,
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

/// Bytes of text checked at a time when a big span is checked: big enough
/// that per-window costs vanish, small enough to stay in cache.
const WINDOW: usize = 1 << 18;

/// Checks one window of the text, which starts at byte `start` of the
/// document, and appends its pieces (ids unset) and their starts to `out`.
fn check_window(text: &str, start: usize, reaches_end: bool, rules: &Rules, out: &mut (Vec<usize>, Vec<Piece>)) {
    let starts: Vec<usize> = syntax::piece_starts(text).collect();
    let mut parse = syntax::Parse::default();
    for (i, &from) in starts.iter().enumerate() {
        let to = starts.get(i + 1).copied().unwrap_or(text.len());
        let piece_text = &text[from..to];
        let followed = to < text.len() || !reaches_end;
        let mut result = checks::check_piece(piece_text, followed, rules, &mut parse);
        result.diagnostics.sort_by_key(|d| (d.span.start, d.span.end, d.code));
        out.0.push(start + from);
        out.1.push(Piece {
            id: 0,
            len: to - from,
            breaks: syntax::count_line_breaks(piece_text),
            places: places_of(piece_text, &result.diagnostics),
            diagnostics: result.diagnostics,
            dois: result.dois,
        });
    }
}

/// Whether a line of the rope is a `TY` line, i.e. starts a piece.
fn is_type_line(line: ropey::RopeSlice<'_>) -> bool {
    // Copy only the rare lines that may be one.
    if !syntax::may_be_type_line(line.bytes()) {
        return false;
    }
    let text = line.to_string();
    let content = text.trim_end_matches(['\n', '\r']).len();
    syntax::is_type_line(&text, Span::new(0, content))
}

impl Document {
    /// Opens a document and checks it fully.
    pub fn new(text: &str, version: i32) -> Self {
        Self::with_rules(text, version, Rules::default())
    }

    /// Opens a document and checks it fully with the configuration's rules.
    pub fn with_rules(text: &str, version: i32, rules: Rules) -> Self {
        Self::from_rope(Rope::from_str(text), version, rules)
    }

    /// Opens a document from its rope and checks it fully. The text is read
    /// back from the rope, a window at a time, so that the caller can free
    /// its copy of a big text before the checks run (peak memory).
    pub fn from_rope(rope: Rope, version: i32, rules: Rules) -> Self {
        let mut document = Self {
            version,
            rope,
            pieces: Vec::new(),
            starts: Vec::new(),
            first_lines: Vec::new(),
            next_id: 0,
            doi_index: HashMap::default(),
            duplicated: BTreeSet::new(),
            positions: HashMap::default(),
            with_findings: HashSet::default(),
            last_reparsed: 0,
            rules,
        };
        document.check_all();
        document
    }

    /// Changes the rules and, if they differ, re-checks everything.
    pub fn set_rules(&mut self, rules: Rules) {
        if rules != self.rules {
            self.rules = rules;
            self.check_all();
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

    /// Applies changes in order and re-checks what they touched.
    pub fn apply(&mut self, changes: Vec<Change>, version: i32) {
        self.last_reparsed = 0;
        for change in changes {
            match change.range {
                None => {
                    self.rope = Rope::from_str(&change.text);
                    self.check_all();
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
            .with_findings
            .iter()
            .map(|id| self.positions[id])
            .flat_map(|i| {
                self.pieces[i]
                    .diagnostics
                    .iter()
                    .map(move |d| d.clone().shifted(self.starts[i]))
            })
            .collect();
        out.extend(self.duplicate_dois());
        out.sort_by_key(|d| (d.span.start, d.span.end, d.code));
        out
    }

    /// Every diagnostic with its client positions: the pieces' findings in
    /// document order, then the file-wide duplicate-DOI findings.
    pub fn located_diagnostics(&self, encoding: Encoding) -> Vec<Located<'_>> {
        let mut out: Vec<Located<'_>> = self
            .finding_pieces()
            .iter()
            .flat_map(|piece| self.locate_piece(piece, encoding))
            .collect();
        out.extend(self.located_duplicates(encoding));
        out
    }

    /// The pieces that have findings, in document order. A publish walks
    /// these, not every piece; the server may keep what it made of a piece
    /// while its `id` and `first_line` stay the same.
    pub fn finding_pieces(&self) -> Vec<FindingPiece> {
        let mut found: Vec<FindingPiece> = self
            .with_findings
            .iter()
            .map(|&id| {
                let index = self.positions[&id];
                FindingPiece {
                    id,
                    first_line: u32::try_from(self.first_lines[index]).unwrap_or(u32::MAX),
                    index,
                }
            })
            .collect();
        found.sort_unstable_by_key(|piece| piece.index);
        found
    }

    /// A piece's findings with their client positions, taken from the
    /// positions cached when the piece was checked.
    pub fn locate_piece(&self, piece: &FindingPiece, encoding: Encoding) -> impl Iterator<Item = Located<'_>> {
        let offset = self.starts[piece.index];
        let first_line = piece.first_line;
        let at = move |(a, b): (Place, Place)| (a.position(first_line, encoding), b.position(first_line, encoding));
        let checked = &self.pieces[piece.index];
        checked
            .diagnostics
            .iter()
            .zip(&checked.places)
            .map(move |(diagnostic, places)| Located {
                diagnostic: std::borrow::Cow::Borrowed(diagnostic),
                offset,
                range: at(places.span),
                related: places.related.iter().map(|&pair| at(pair)).collect(),
            })
    }

    /// The file-wide duplicate-DOI findings with their client positions, in
    /// document order, located through the rope (they are few).
    pub fn located_duplicates(&self, encoding: Encoding) -> Vec<Located<'static>> {
        let mut found = self.duplicate_dois();
        found.sort_by_key(|d| d.span);
        found
            .into_iter()
            .map(|diagnostic| {
                let at = |span: Span| (self.position(span.start, encoding), self.position(span.end, encoding));
                Located {
                    range: at(diagnostic.span),
                    related: diagnostic.related.iter().map(|r| at(r.span)).collect(),
                    diagnostic: std::borrow::Cow::Owned(diagnostic),
                    offset: 0,
                }
            })
            .collect()
    }

    /// The diagnostics whose span holds byte `offset` (for hover).
    pub fn diagnostics_at(&self, offset: usize) -> Vec<Diagnostic> {
        let i = self.piece_index(offset);
        let start = self.starts[i];
        let mut found: Vec<Diagnostic> = self.pieces[i]
            .diagnostics
            .iter()
            .map(|d| d.clone().shifted(start))
            .chain(self.duplicate_dois())
            .filter(|d| d.span.start <= offset && offset <= d.span.end)
            .collect();
        found.sort_by_key(|d| (d.span.start, d.code));
        found
    }

    /// The text of the piece (record and what follows it) around byte
    /// `offset`, and where it starts: what hover and completion look at.
    pub fn piece_at(&self, offset: usize) -> (usize, String) {
        let i = self.piece_index(offset);
        let start = self.starts[i];
        (start, self.slice(start, start + self.pieces[i].len))
    }

    fn slice(&self, start: usize, end: usize) -> String {
        self.rope.byte_slice(start..end).to_string()
    }

    /// Index of the piece holding byte `offset` (the last one for the end).
    fn piece_index(&self, offset: usize) -> usize {
        self.starts.partition_point(|&start| start <= offset).saturating_sub(1)
    }

    /// Checks the whole text afresh.
    fn check_all(&mut self) {
        self.pieces.clear();
        self.starts.clear();
        self.first_lines.clear();
        self.doi_index.clear();
        self.duplicated.clear();
        self.positions.clear();
        self.with_findings.clear();
        let (starts, pieces) = self.check_span(0, self.rope.len_bytes());
        self.last_reparsed += pieces.len();
        let _ = self.replace_pieces(0..0, starts, pieces);
    }

    /// Checks bytes `start..end` of the text, where `start` is the start of a
    /// piece and `end` the start of a piece or the end of the text, cut into
    /// pieces: their starts, and the pieces with fresh ids. The span is read
    /// from the rope in windows of about [`WINDOW`] bytes cut at `TY` lines;
    /// several windows (opening or pasting a big text) are checked on every
    /// core.
    fn check_span(&mut self, start: usize, end: usize) -> (Vec<usize>, Vec<Piece>) {
        // At least one window: an empty span is one empty piece.
        let mut bounds = vec![start, self.window_end(start + WINDOW, end)];
        while let Some(&last) = bounds.last().filter(|&&last| last < end) {
            bounds.push(self.window_end(last + WINDOW, end));
        }
        let windows: Vec<(usize, usize)> = bounds.windows(2).map(|w| (w[0], w[1])).collect();
        let (rope, rules, text_end) = (&self.rope, &self.rules, self.rope.len_bytes());
        let check_windows = |windows: &[(usize, usize)]| {
            let mut buffer = String::new();
            let mut out = (Vec::new(), Vec::new());
            for &(from, to) in windows {
                buffer.clear();
                buffer.extend(rope.byte_slice(from..to).chunks());
                check_window(&buffer, from, to == text_end, rules, &mut out);
            }
            out
        };
        // One window (every keystroke): no threads, and no asking the system
        // how many cores there are (it reads cgroup files).
        let threads = match windows.len() {
            0 | 1 => 1,
            n => std::thread::available_parallelism().map_or(1, |c| c.get()).min(n),
        };
        let (starts, mut pieces) = if threads < 2 {
            check_windows(&windows)
        } else {
            let per_thread = windows.len().div_ceil(threads);
            std::thread::scope(|scope| {
                let handles: Vec<_> = windows
                    .chunks(per_thread)
                    .map(|part| scope.spawn(move || check_windows(part)))
                    .collect();
                let mut all = (Vec::new(), Vec::new());
                for handle in handles {
                    let (starts, pieces) = handle.join().expect("checks do not panic");
                    all.0.extend(starts);
                    all.1.extend(pieces);
                }
                all
            })
        };
        for piece in &mut pieces {
            self.next_id += 1;
            piece.id = self.next_id;
        }
        (starts, pieces)
    }

    /// The start of the first `TY` line after the line holding byte
    /// `target`, or `end` if there is none before it: where a window of the
    /// text may end so that it parses as it does in the whole.
    fn window_end(&self, target: usize, end: usize) -> usize {
        if target >= end {
            return end;
        }
        let line = self.rope.byte_to_line(target) + 1;
        if line >= self.rope.len_lines() {
            return end;
        }
        let mut at = self.rope.line_to_byte(line);
        for slice in self.rope.lines_at(line) {
            if at >= end {
                break;
            }
            if is_type_line(slice) {
                return at;
            }
            at += slice.len_bytes();
        }
        end
    }

    /// Replaces the pieces at `range` with new ones, keeping the indexes.
    /// Returns how many more line breaks the new pieces hold than the old.
    fn replace_pieces(&mut self, range: std::ops::Range<usize>, starts: Vec<usize>, pieces: Vec<Piece>) -> isize {
        let old_breaks: usize = self.pieces[range.clone()].iter().map(|p| p.breaks).sum();
        let new_breaks: usize = pieces.iter().map(|p| p.breaks).sum();
        let mut line = match range.start {
            0 => 0,
            i => self.first_lines[i - 1] + self.pieces[i - 1].breaks,
        };
        let first_lines: Vec<usize> = pieces
            .iter()
            .map(|p| {
                line += p.breaks;
                line - p.breaks
            })
            .collect();
        self.first_lines.splice(range.clone(), first_lines);
        for piece in &self.pieces[range.clone()] {
            self.positions.remove(&piece.id);
            self.with_findings.remove(&piece.id);
            for doi in &piece.dois {
                if let Some(ids) = self.doi_index.get_mut(&doi.hash) {
                    if let Some(k) = ids.iter().position(|&id| id == piece.id) {
                        ids.swap_remove(k);
                    }
                    if ids.len() < 2 {
                        self.duplicated.remove(&doi.hash);
                    }
                    if ids.is_empty() {
                        self.doi_index.remove(&doi.hash);
                    }
                }
            }
        }
        for piece in &pieces {
            if !piece.diagnostics.is_empty() {
                self.with_findings.insert(piece.id);
            }
            for doi in &piece.dois {
                let ids = self.doi_index.entry(doi.hash).or_default();
                ids.push(piece.id);
                if ids.len() == 2 {
                    self.duplicated.insert(doi.hash);
                }
            }
        }
        let (from, removed, inserted) = (range.start, range.len(), pieces.len());
        // With as many pieces in as out (typing inside a record), `splice`
        // moves nothing after them, and only their positions change.
        self.starts.splice(range.clone(), starts);
        self.pieces.splice(range, pieces);
        let end = if removed == inserted {
            from + inserted
        } else {
            self.pieces.len()
        };
        for (i, piece) in self.pieces.iter().enumerate().take(end).skip(from) {
            self.positions.insert(piece.id, i);
        }
        new_breaks as isize - old_breaks as isize
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
        let mut first = self
            .starts
            .partition_point(|&start| start < range.start)
            .saturating_sub(1);
        let last = self
            .starts
            .partition_point(|&start| start <= range.end)
            .saturating_sub(1);
        let old_end = self.starts[last] + self.pieces[last].len;
        let new_end = (old_end as isize + delta) as usize;
        // If the touched text no longer starts with a TY line, it belongs to
        // the piece before: widen until it does.
        while first > 0 && !self.starts_piece(self.starts[first]) {
            first -= 1;
        }
        let start = self.starts[first];
        let (starts, pieces) = self.check_span(start, new_end);
        self.last_reparsed += pieces.len();
        let inserted = pieces.len();
        let line_delta = self.replace_pieces(first..last + 1, starts, pieces);
        for start in &mut self.starts[first + inserted..] {
            *start = (*start as isize + delta) as usize;
        }
        if line_delta != 0 {
            for line in &mut self.first_lines[first + inserted..] {
                *line = (*line as isize + line_delta) as usize;
            }
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
        is_type_line(self.rope.line(line))
    }

    /// The duplicate-DOI findings: the occurrences whose hash more than one
    /// piece holds, grouped by their DOI read back from the rope (which also
    /// separates hash collisions).
    fn duplicate_dois(&self) -> Vec<Diagnostic> {
        let mut groups: std::collections::BTreeMap<String, Vec<Span>> = std::collections::BTreeMap::new();
        for hash in &self.duplicated {
            let mut ids = self.doi_index[hash].clone();
            ids.sort_unstable();
            ids.dedup();
            for id in ids {
                let i = self.positions[&id];
                let start = self.starts[i];
                for doi in self.pieces[i].dois.iter().filter(|d| d.hash == *hash) {
                    let span = doi.span.shift(start);
                    if let Some(key) = checks::doi_key(&self.slice(span.start, span.end)) {
                        groups.entry(key).or_default().push(span);
                    }
                }
            }
        }
        for spans in groups.values_mut() {
            spans.sort();
        }
        checks::duplicate_diagnostics(groups.iter().map(|(key, spans)| (key.as_str(), spans.as_slice())))
    }
}

#[cfg(test)]
mod tests;

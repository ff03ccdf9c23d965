//! Open documents: text in a rope, checked piece by piece, updated in place.
//!
//! A document is cut into pieces at its `TY` lines ([`syntax::piece_starts`]);
//! each piece keeps the diagnostics of its records. An edit reparses only the
//! pieces it touched and keeps the others' results as they are (their spans
//! are relative to the piece, so nothing needs shifting but the piece starts).
//! Duplicate DOIs, the one file-wide check, come from an index kept up to date
//! piece by piece.

mod pieces;
mod position;
mod snapshot;

pub use position::{Encoding, Position, from_offset as position_in};
pub use snapshot::Snapshot;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Weak};

use ropey::Rope;

use crate::analysis::{self, Analysis, Place, PlaceSpan, Scope};
use crate::checks::{self, Diagnostic, Rules};
use crate::syntax::{self, Span};
use pieces::{Pieces, Placed};

/// A piece of the document: from a `TY` line to the next one, with its
/// analysis. Where it starts is kept beside it, in [`Pieces`]. The
/// analysis is shared with snapshots, which whole-document requests read
/// away from the store's lock.
#[derive(Debug, Clone)]
pub(crate) struct Piece {
    /// Identity, stable while the piece is untouched (for the indexes).
    id: u64,
    analysis: Arc<Analysis>,
}

impl Place {
    fn position(self, first_line: u32, encoding: Encoding) -> Position {
        Position {
            line: first_line.saturating_add(self.line),
            character: match encoding {
                Encoding::Utf8 => self.utf8,
                Encoding::Utf16 => self.utf16,
            },
        }
    }
}

/// Both ends of a piece-relative span as client positions.
pub fn positions(span: PlaceSpan, first_line: u32, encoding: Encoding) -> (Position, Position) {
    (
        span.0.position(first_line, encoding),
        span.1.position(first_line, encoding),
    )
}

/// The findings of `analysis`, a piece starting at byte `offset` and line
/// `first_line`, with their client positions.
fn locate(
    analysis: &Analysis,
    offset: usize,
    first_line: u32,
    encoding: Encoding,
) -> impl Iterator<Item = Located<'_>> {
    analysis
        .diagnostics
        .iter()
        .zip(&analysis.places)
        .map(move |(diagnostic, places)| Located {
            diagnostic: std::borrow::Cow::Borrowed(diagnostic),
            offset,
            range: positions(places.span, first_line, encoding),
            related: places
                .related
                .iter()
                .map(|&pair| positions(pair, first_line, encoding))
                .collect(),
        })
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
    /// The pieces, each with the byte and the line it starts on (so that a
    /// publish finds where its findings are without a rope lookup per piece).
    pieces: Pieces,
    next_id: u64,
    /// DOI hash → ids of the pieces holding it (once per occurrence).
    doi_index: HashMap<u64, Vec<u64>, checks::FastHash>,
    /// The DOI hashes held by more than one piece: all the duplicate check
    /// needs to look at, so that it costs nothing on a file without
    /// duplicates. Equal hashes are told apart by reading the DOIs back.
    duplicated: BTreeSet<u64>,
    /// Piece id → its index in `pieces`.
    positions: HashMap<u64, usize, checks::FastHash>,
    /// Ids of the pieces with diagnostics of no pattern: publishing walks
    /// these, not all (a file with a quirk on every line has a pattern in
    /// every piece, and it is shown once).
    with_findings: HashSet<u64, checks::FastHash>,
    /// Pattern → how many findings belong to it, and the ids of the pieces
    /// holding them (once each): a pattern is shown once, on its first place.
    patterns: HashMap<u64, (usize, HashSet<u64, checks::FastHash>), checks::FastHash>,
    /// How many records the pieces hold, kept as pieces come and go.
    records: usize,
    /// How many of their findings have a safe fix, kept the same way.
    safe_fixes: usize,
    /// How many pieces the last change reparsed (for tests and logs).
    pub last_reparsed: usize,
    /// What the configuration adds to the checks.
    rules: Rules,
    /// Ids of the pieces with records that edits removed and added since
    /// [`Document::take_record_changes`] was last called: what a workspace
    /// index of duplicate keys must drop and add, and nothing else.
    record_changes: (Vec<u64>, Vec<u64>),
    /// Whether some pieces were analysed without their keys (the whole
    /// text was checked): see [`Document::take_unkeyed`].
    unkeyed: bool,
    /// The parse of the last big piece an edit analysed, and the piece's
    /// id: the next edit in it lexes only the lines it touches
    /// ([`analysis::reanalyze`]).
    kept_parse: Option<(u64, syntax::Parse)>,
    /// Held only here: work on a snapshot away from the lock (making keys
    /// takes seconds at 100,000 records) watches its weak side and stops
    /// once the document is closed or replaced, instead of keeping a copy
    /// of a closed document alive for every time it was opened.
    open: Arc<()>,
}

/// A change to apply: replace `range` (bytes) with `text`, or everything.
#[derive(Debug, Clone)]
pub struct Change {
    /// Byte range to replace; `None` replaces the whole text.
    pub range: Option<Span>,
    /// The new text.
    pub text: String,
}

/// The first line ending of the text in `rope` (`\n` if it has none), as
/// [`crate::format::line_ending`] finds it in a string.
fn line_ending(rope: &Rope) -> &'static str {
    let mut bytes = rope.bytes();
    loop {
        match bytes.next() {
            Some(b'\n') | None => break "\n",
            Some(b'\r') if bytes.next() == Some(b'\n') => break "\r\n",
            Some(b'\r') => break "\r",
            Some(_) => {}
        }
    }
}

/// The rope as a source for [`analysis::analyze_span`]: windows are copied
/// out of it one at a time, so a big text is never held twice. Unless
/// `split`, a span is one window: re-checking the pieces a keystroke touched
/// (a record of 40,000 lines among them) needs no threads, and looking for
/// window ends would read every line for nothing.
struct RopeSource<'r> {
    rope: &'r Rope,
    split: bool,
}

impl analysis::Source for RopeSource<'_> {
    fn window_end(&self, target: usize, end: usize) -> usize {
        let rope = self.rope;
        if target >= end || !self.split {
            return end;
        }
        // Line breaks found in the rope's chunks: a line is looked at only
        // when its first bytes may make it a `TY` line.
        let (chunks, mut at, _, _) = rope.chunks_at_byte(target);
        for chunk in chunks {
            let bytes = chunk.as_bytes();
            let from = target.saturating_sub(at).min(bytes.len());
            for i in memchr::memchr2_iter(b'\n', b'\r', &bytes[from..]) {
                let line_start = at + from + i + 1;
                if line_start >= end {
                    return end;
                }
                // The line's first bytes, from this chunk when it holds them.
                let rest = &bytes[from + i + 1..];
                let indent = rest.iter().take_while(|&&b| b == b' ' || b == b'\t').count();
                let may_be = if indent + 2 <= rest.len() {
                    syntax::may_be_type_line(rest[indent..].iter().copied())
                } else {
                    syntax::may_be_type_line(rope.bytes_at(line_start))
                };
                if may_be && is_type_line(rope.line(rope.byte_to_line(line_start))) {
                    return line_start;
                }
            }
            at += bytes.len();
            if at >= end {
                return end;
            }
        }
        end
    }

    fn len(&self) -> usize {
        self.rope.len_bytes()
    }

    fn read<'a>(&'a self, from: usize, to: usize, buffer: &'a mut String) -> &'a str {
        buffer.clear();
        // At once: grown chunk by chunk, a window of 2 MB was copied twice over.
        buffer.reserve(to - from);
        buffer.extend(self.rope.byte_slice(from..to).chunks());
        buffer
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
            pieces: Pieces::default(),
            next_id: 0,
            doi_index: HashMap::default(),
            duplicated: BTreeSet::new(),
            positions: HashMap::default(),
            with_findings: HashSet::default(),
            patterns: HashMap::default(),
            records: 0,
            safe_fixes: 0,
            last_reparsed: 0,
            rules,
            record_changes: (Vec::new(), Vec::new()),
            unkeyed: false,
            kept_parse: None,
            open: Arc::new(()),
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

    /// Every diagnostic, with absolute spans, in document order: what a
    /// publish shows ([`Document::located_diagnostics`]), each pattern once.
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let mut out: Vec<Diagnostic> = self
            .located_diagnostics(Encoding::Utf8)
            .into_iter()
            .map(|l| l.diagnostic.into_owned().shifted(l.offset))
            .collect();
        out.sort_by_key(|d| (d.span.start, d.span.end, d.code));
        out
    }

    /// Every diagnostic with its client positions, as published: the
    /// pieces' findings that belong to no pattern, in document order, then
    /// the file-wide ones (each pattern once, duplicate DOIs).
    pub fn located_diagnostics(&self, encoding: Encoding) -> Vec<Located<'_>> {
        let mut out: Vec<Located<'_>> = self
            .finding_pieces()
            .iter()
            .flat_map(|&piece| self.locate_piece(piece, encoding))
            .filter(|l| l.diagnostic.pattern.is_none())
            .collect();
        out.extend(self.located_file_wide(encoding));
        out
    }

    /// The findings that depend on the whole file, with their positions:
    /// each pattern's one finding ([`checks::summarize`]), then the
    /// duplicate DOIs. What a publish adds to the pieces' own findings.
    pub fn located_file_wide(&self, encoding: Encoding) -> Vec<Located<'_>> {
        let mut out = self.located_patterns(encoding);
        out.extend(self.located_duplicates(encoding));
        out
    }

    /// Each pattern's first finding, told its count and pointing at the
    /// next few, located from the positions of the pieces that hold them.
    /// It looks at no more pieces than it needs: a pattern in every record
    /// is found in the first few, a rare one through its pieces' ids.
    fn located_patterns(&self, encoding: Encoding) -> Vec<Located<'_>> {
        let wanted = checks::MAX_RELATED + 1;
        let mut out = Vec::with_capacity(self.patterns.len());
        for (&key, (count, ids)) in &self.patterns {
            let holds = |at: &pieces::At<'_>| at.piece.analysis.patterns.iter().any(|&(k, _)| k == key);
            let indices: Vec<usize> = if ids.len() <= 4 * wanted {
                let mut indices: Vec<usize> = ids.iter().map(|id| self.positions[id]).collect();
                indices.sort_unstable();
                indices
            } else {
                self.pieces
                    .iter()
                    .filter(holds)
                    .map(|at| at.index)
                    .take(wanted)
                    .collect()
            };
            // The first finding whole, then the places of the next ones:
            // a piece holds its findings of the pattern whole, or the first
            // whole and the next as recurrences ([`Analysis::elided`]).
            let mut first: Option<Located<'_>> = None;
            let mut others: Vec<(Span, (Position, Position))> = Vec::new();
            for index in indices {
                let at = self.pieces.get(index);
                let piece = self.finding_piece(index);
                for whole in self
                    .locate_piece(piece, encoding)
                    .filter(|l| l.diagnostic.pattern == Some(key))
                {
                    if first.is_some() {
                        others.push((whole.diagnostic.span.shift(at.start), whole.range));
                    } else {
                        first = Some(whole);
                    }
                }
                let next = at.piece.analysis.recurrences.iter().filter(|r| r.pattern == key);
                others.extend(next.map(|r| (r.span.shift(at.start), positions(r.place, piece.first_line, encoding))));
                if others.len() >= checks::MAX_RELATED {
                    break;
                }
            }
            let Some(mut first) = first else { continue };
            others.truncate(checks::MAX_RELATED);
            let mut diagnostic = first.diagnostic.into_owned();
            checks::summarize(
                &mut diagnostic,
                *count,
                others
                    .iter()
                    .map(|&(span, _)| Span::new(span.start - first.offset, span.end - first.offset)),
            );
            first.related.extend(others.iter().map(|&(_, range)| range));
            first.diagnostic = std::borrow::Cow::Owned(diagnostic);
            out.push(first);
        }
        out.sort_by_key(|l| (l.offset + l.diagnostic.span.start, l.offset + l.diagnostic.span.end));
        out
    }

    /// The pieces that have findings, in document order. A publish walks
    /// these, not every piece; the server may keep what it made of a piece
    /// while its `id` and `first_line` stay the same.
    pub fn finding_pieces(&self) -> Vec<FindingPiece> {
        let mut found: Vec<FindingPiece> = self
            .with_findings
            .iter()
            .map(|id| self.finding_piece(self.positions[id]))
            .collect();
        found.sort_unstable_by_key(|piece| piece.index);
        found
    }

    /// The piece at `index`, named for [`Document::locate_piece`].
    fn finding_piece(&self, index: usize) -> FindingPiece {
        let at = self.pieces.get(index);
        FindingPiece {
            id: at.piece.id,
            first_line: u32::try_from(at.line).unwrap_or(u32::MAX),
            index,
        }
    }

    /// A piece's findings with their client positions, taken from the
    /// positions worked out when the piece was analysed. Of a pattern, a
    /// small piece holds its first finding only ([`Analysis::elided`]).
    pub fn locate_piece(&self, piece: FindingPiece, encoding: Encoding) -> impl Iterator<Item = Located<'_>> {
        let at = self.pieces.get(piece.index);
        locate(&at.piece.analysis, at.start, piece.first_line, encoding)
    }

    /// A piece's findings, every one whole: those of its analysis, or, when
    /// that kept only the first of a pattern's, of its text analysed again
    /// (what hover help and quick fixes at a cursor need, one piece a time).
    fn locate_whole(&self, index: usize, encoding: Encoding) -> Vec<Located<'_>> {
        let piece = self.finding_piece(index);
        let at = self.pieces.get(index);
        if !at.piece.analysis.elided {
            return self.locate_piece(piece, encoding).collect();
        }
        let text = self.slice(at.start, at.start + at.piece.analysis.len);
        let followed = index + 1 < self.pieces.len();
        let whole = analysis::analyze(
            &text,
            followed,
            &self.rules,
            Scope::Findings,
            &mut syntax::Parse::default(),
        );
        locate(&whole, at.start, piece.first_line, encoding)
            .map(|l| Located {
                diagnostic: std::borrow::Cow::Owned(l.diagnostic.into_owned()),
                ..l
            })
            .collect()
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

    /// The findings whose span touches bytes `range` (a cursor, a
    /// selection), with their positions: what hover help and quick fixes
    /// read. Only the pieces the range covers are looked at.
    pub fn located_in(&self, range: Span, encoding: Encoding) -> Vec<Located<'_>> {
        let (first, last) = (self.piece_index(range.start), self.piece_index(range.end));
        let touches = |l: &Located<'_>| {
            let span = l.diagnostic.span.shift(l.offset);
            span.start <= range.end && range.start <= span.end
        };
        let mut found: Vec<Located<'_>> = (first..=last)
            .flat_map(|index| self.locate_whole(index, encoding))
            .filter(touches)
            .collect();
        if !self.duplicated.is_empty() {
            found.extend(self.located_duplicates(encoding).into_iter().filter(touches));
        }
        found
    }

    /// The inlay hints on lines `lines`, with their positions: only the
    /// pieces those lines cover are looked at.
    pub fn hints(&self, lines: std::ops::Range<u32>, encoding: Encoding) -> Vec<(Position, &'static str)> {
        let first = self.pieces.count_lines(|l| l <= lines.start as usize).saturating_sub(1);
        let mut out = Vec::new();
        for at in self.pieces.iter_from(first) {
            let start = u32::try_from(at.line).unwrap_or(u32::MAX);
            if start >= lines.end {
                break;
            }
            out.extend(
                at.piece
                    .analysis
                    .hints
                    .iter()
                    .map(|&analysis::Hint { at, label }| (at.position(start, encoding), label))
                    .filter(|(at, _)| lines.contains(&at.line)),
            );
        }
        out
    }

    /// How many findings have a safe fix: what fix-all would apply first.
    pub fn safe_fixes(&self) -> usize {
        self.safe_fixes
    }

    /// The text's line ending: its first one ([`crate::format::line_ending`]).
    pub fn line_ending(&self) -> &'static str {
        line_ending(&self.rope)
    }

    /// The text of the piece (record and what follows it) around byte
    /// `offset`, and where it starts: what hover and completion look at.
    pub fn piece_at(&self, offset: usize) -> (usize, String) {
        let at = self.pieces.get(self.piece_index(offset));
        (at.start, self.slice(at.start, at.start + at.piece.analysis.len))
    }

    /// What whole-document requests read, cheap to take (the rope and the
    /// analyses are shared, not copied) so that they run away from the
    /// store while edits go on.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            rope: self.rope.clone(),
            pieces: self.pieces.clone(),
            rules: self.rules.clone(),
            records: self.records,
        }
    }

    /// The ids of the pieces with records removed and added since the last
    /// call (an id may be in both when a change added a piece and a later
    /// one removed it; [`Document::piece_records`] says which are there).
    pub fn take_record_changes(&mut self) -> (Vec<u64>, Vec<u64>) {
        std::mem::take(&mut self.record_changes)
    }

    /// The ids of every piece with records whose keys are known, in order.
    pub fn record_pieces(&self) -> Vec<u64> {
        let keyed = self.pieces.iter().filter(|at| !at.piece.analysis.keys().is_empty());
        keyed.map(|at| at.piece.id).collect()
    }

    /// Whether the whole text was analysed since the last call, its keys
    /// left to be made by [`Snapshot::key_pieces`] away from the lock.
    pub fn take_unkeyed(&mut self) -> bool {
        std::mem::take(&mut self.unkeyed)
    }

    /// Alive while this document is open: see [`Snapshot::key_pieces`].
    pub fn still_open(&self) -> Weak<()> {
        Arc::downgrade(&self.open)
    }

    /// A piece's records (their keys, lines and spans relative to the
    /// piece), the line it starts on and its offset, while it is there.
    pub fn piece_records(&self, id: u64) -> Option<(u32, usize, &[crate::dedupe::Located])> {
        let at = self.pieces.get(*self.positions.get(&id)?);
        let line = u32::try_from(at.line).unwrap_or(u32::MAX);
        Some((line, at.start, at.piece.analysis.keys()))
    }

    /// The id of the piece holding byte `offset`.
    pub fn piece_id_at(&self, offset: usize) -> u64 {
        self.pieces.get(self.piece_index(offset)).piece.id
    }

    /// The rules the document is checked with.
    pub fn rules(&self) -> &Rules {
        &self.rules
    }

    /// The file as a whole, for people: "Ovid MEDLINE export, 1,000
    /// records", and the line its first record starts on; `None` when no
    /// exporter is recognised.
    pub fn about(&self) -> Option<(String, u32)> {
        about(&self.pieces, self.records)
    }

    /// Analyses everything afresh: after a failure half-way through an
    /// edit, the way back to a consistent store.
    pub fn reanalyze(&mut self) {
        self.check_all();
    }

    fn slice(&self, start: usize, end: usize) -> String {
        self.rope.byte_slice(start..end).to_string()
    }

    /// Index of the piece holding byte `offset` (the last one for the end).
    fn piece_index(&self, offset: usize) -> usize {
        self.pieces.count_starts(|start| start <= offset).saturating_sub(1)
    }

    /// Checks the whole text afresh.
    fn check_all(&mut self) {
        let keyed = self.pieces.iter().filter(|at| !at.piece.analysis.keys().is_empty());
        self.record_changes.0.extend(keyed.map(|at| at.piece.id));
        self.unkeyed = true;
        self.pieces = Pieces::default();
        self.doi_index.clear();
        self.duplicated.clear();
        self.positions.clear();
        self.with_findings.clear();
        self.patterns.clear();
        self.records = 0;
        self.safe_fixes = 0;
        let (starts, pieces) = self.check_span(0, self.rope.len_bytes(), true, Scope::Shown);
        self.last_reparsed += pieces.len();
        self.replace_pieces(0..0, starts, pieces, 0);
    }

    /// Analyses bytes `start..end` of the text, where `start` is the start
    /// of a piece and `end` the start of a piece or the end of the text:
    /// the pieces' starts, and the pieces with fresh ids.
    fn check_span(&mut self, start: usize, end: usize, split: bool, scope: Scope) -> (Vec<usize>, Vec<Piece>) {
        let source = RopeSource {
            rope: &self.rope,
            split,
        };
        let analysed = analysis::analyze_span(&source, start, end, &self.rules, scope);
        let mut starts = Vec::with_capacity(analysed.len());
        let mut pieces = Vec::with_capacity(analysed.len());
        for (at, analysis) in analysed {
            starts.push(at);
            pieces.push(self.new_piece(analysis));
        }
        (starts, pieces)
    }

    /// A piece of `analysis` with a fresh id.
    fn new_piece(&mut self, analysis: Analysis) -> Piece {
        self.next_id += 1;
        Piece {
            id: self.next_id,
            analysis: Arc::new(analysis),
        }
    }

    /// Replaces the pieces at `range` with new ones, keeping the indexes;
    /// the pieces after them move by `bytes`.
    fn replace_pieces(&mut self, range: std::ops::Range<usize>, starts: Vec<usize>, pieces: Vec<Piece>, bytes: isize) {
        let new_breaks: usize = pieces.iter().map(|p| p.analysis.breaks).sum();
        let mut line = match range.start {
            0 => 0,
            i => {
                let before = self.pieces.get(i - 1);
                before.line + before.piece.analysis.breaks
            }
        };
        let placed: Vec<Placed> = pieces
            .into_iter()
            .zip(starts)
            .map(|(piece, start)| {
                line += piece.analysis.breaks;
                Placed {
                    start,
                    line: line - piece.analysis.breaks,
                    piece,
                }
            })
            .collect();
        let mut old_breaks = 0;
        for piece in self.pieces.iter_from(range.start).take(range.len()).map(|at| at.piece) {
            old_breaks += piece.analysis.breaks;
            if !piece.analysis.keys().is_empty() {
                self.record_changes.0.push(piece.id);
            }
            self.positions.remove(&piece.id);
            self.with_findings.remove(&piece.id);
            self.records -= piece.analysis.records;
            self.safe_fixes -= piece.analysis.safe_fixes;
            for &(key, count) in &piece.analysis.patterns {
                if let Some((total, ids)) = self.patterns.get_mut(&key) {
                    *total -= count;
                    ids.remove(&piece.id);
                    if ids.is_empty() {
                        self.patterns.remove(&key);
                    }
                }
            }
            for doi in &piece.analysis.dois {
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
        for piece in placed.iter().map(|p| &p.piece) {
            if !piece.analysis.keys().is_empty() {
                self.record_changes.1.push(piece.id);
            }
            if piece.analysis.diagnostics.iter().any(|d| d.pattern.is_none()) {
                self.with_findings.insert(piece.id);
            }
            self.records += piece.analysis.records;
            self.safe_fixes += piece.analysis.safe_fixes;
            for &(key, count) in &piece.analysis.patterns {
                let (total, ids) = self.patterns.entry(key).or_default();
                *total += count;
                ids.insert(piece.id);
            }
            for doi in &piece.analysis.dois {
                let ids = self.doi_index.entry(doi.hash).or_default();
                ids.push(piece.id);
                if ids.len() == 2 {
                    self.duplicated.insert(doi.hash);
                }
            }
        }
        let (from, removed, inserted) = (range.start, range.len(), placed.len());
        let lines = new_breaks as isize - old_breaks as isize;
        self.pieces.replace(range, placed, bytes, lines);
        // With as many pieces in as out (typing inside a record), only
        // their positions change.
        let moved = if removed == inserted {
            inserted
        } else {
            self.pieces.len() - from
        };
        for at in self.pieces.iter_from(from).take(moved) {
            self.positions.insert(at.piece.id, at.index);
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
        let mut first = self.pieces.count_starts(|start| start < range.start).saturating_sub(1);
        let last = self.pieces.count_starts(|start| start <= range.end).saturating_sub(1);
        let old_end = {
            let last = self.pieces.get(last);
            last.start + last.piece.analysis.len
        };
        let new_end = (old_end as isize + delta) as usize;
        // If the touched text no longer starts with a TY line, it belongs to
        // the piece before: widen until it does.
        while first > 0 && !self.starts_piece(self.pieces.get(first).start) {
            first -= 1;
        }
        let start = self.pieces.get(first).start;
        if first == last
            && let Some(piece) = self.edit_big_piece(first, range, text.len())
        {
            self.last_reparsed += 1;
            self.replace_pieces(first..first + 1, vec![start], vec![piece], delta);
            return;
        }
        // A big paste, or many pieces, is worth cutting into windows.
        let split = text.len() > analysis::WINDOW || last - first > 4;
        let (starts, pieces) = self.check_span(start, new_end, split, Scope::Everything);
        self.last_reparsed += pieces.len();
        self.replace_pieces(first..last + 1, starts, pieces, delta);
    }

    /// Analyses the piece at `index` again after an edit inside it (bytes
    /// `range` of the text before replaced by `inserted` bytes), from its
    /// kept parse when it is big; `None` when it is not big, or is no
    /// longer one piece.
    fn edit_big_piece(&mut self, index: usize, range: Span, inserted: usize) -> Option<Piece> {
        let at = self.pieces.get(index);
        if at.piece.analysis.len < analysis::KEEP_PARSED {
            return None;
        }
        let (start, id) = (at.start, at.piece.id);
        let end = at.start + at.piece.analysis.len - range.len() + inserted;
        let edit = syntax::TextEdit {
            start: range.start - start,
            old_end: range.end - start,
            new_end: range.start - start + inserted,
        };
        let (mut parse, edit) = match self.kept_parse.take() {
            Some((kept, parse)) if kept == id => (parse, Some(edit)),
            _ => (syntax::Parse::default(), None),
        };
        let text = self.slice(start, end);
        let followed = end < self.rope.len_bytes();
        let analysis = analysis::reanalyze(&text, followed, &self.rules, Scope::Everything, &mut parse, edit)?;
        let failed = analysis.internal_error.is_some();
        let piece = self.new_piece(analysis);
        if !failed {
            self.kept_parse = Some((piece.id, parse));
        }
        Some(piece)
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
    /// piece holds, grouped by their DOI read back from the rope.
    fn duplicate_dois(&self) -> Vec<Diagnostic> {
        let mut candidates = Vec::new();
        for hash in &self.duplicated {
            let mut ids = self.doi_index[hash].clone();
            ids.sort_unstable();
            ids.dedup();
            for id in ids {
                let at = self.pieces.get(self.positions[&id]);
                let dois = at.piece.analysis.dois.iter().filter(|d| d.hash == *hash);
                candidates.extend(dois.map(|doi| doi.span.shift(at.start)));
            }
        }
        checks::duplicate_findings(
            candidates,
            |span| checks::doi_key(&self.slice(span.start, span.end)),
            &self.rules,
        )
    }
}

/// What [`Document::about`] and [`Snapshot::about`] say: the exporter the
/// first pieces name, the record count, and where the first record starts.
fn about(pieces: &Pieces, records: usize) -> Option<(String, u32)> {
    let exporter = crate::features::exporter::of_file(pieces.iter().map(|at| at.piece.analysis.exporter))?;
    let first = pieces
        .iter()
        .find(|at| at.piece.analysis.records > 0)
        .map_or(0, |at| at.line);
    Some((
        crate::features::exporter::describe(Some(exporter), records),
        u32::try_from(first).unwrap_or(u32::MAX),
    ))
}

#[cfg(test)]
mod tests;

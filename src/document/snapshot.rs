//! A document as it was at one moment, for the requests that look at all of
//! it (outline, folding, links, fix-all, formatting, workspace symbols).
//! Taking one copies no text and no analysis, so these requests run away
//! from the store's lock and a keystroke never waits for them.

use std::sync::Weak;

use ropey::Rope;

use super::RopeSource;
use super::pieces::Pieces;
use crate::analysis::Symbol;
use crate::checks::{Code, Edit, Rules};
use crate::features::outline;
use crate::syntax::{self, Span};
use crate::{fix, format};

/// See the module's documentation.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub(super) rope: Rope,
    pub(super) pieces: Pieces,
    pub(super) rules: Rules,
    pub(super) records: usize,
}

/// A piece's first line, for positions.
fn line(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl Snapshot {
    /// The text.
    pub fn rope(&self) -> &Rope {
        &self.rope
    }

    /// The file as a whole, for people (see [`super::Document::about`]).
    pub fn about(&self) -> Option<(String, u32)> {
        super::about(&self.pieces, self.records)
    }

    /// Makes the duplicate keys of every piece analysed without them (a
    /// document just opened), on every core: they are shared with the
    /// document, which sees them at once. Stops early, returning false,
    /// once `open` is gone ([`super::Document::still_open`]).
    pub fn key_pieces(&self, open: &Weak<()>) -> bool {
        let todo: Vec<(usize, &crate::analysis::Analysis)> = self
            .pieces
            .iter()
            .filter(|at| !at.piece.analysis.is_keyed())
            .map(|at| (at.start, &*at.piece.analysis))
            .collect();
        let threads = match todo.len() {
            0..256 => 1,
            _ => std::thread::available_parallelism().map_or(1, |n| n.get()),
        };
        let per = todo.len().div_ceil(threads.max(1)).max(1);
        let work = |part: &[(usize, &crate::analysis::Analysis)]| {
            let (mut text, mut parse) = (String::new(), syntax::Parse::default());
            for &(start, analysis) in part {
                if open.strong_count() == 0 {
                    return;
                }
                text.clear();
                text.extend(self.rope.byte_slice(start..start + analysis.len).chunks());
                analysis.key(&text, &mut parse);
            }
        };
        if threads < 2 {
            work(&todo);
        } else {
            std::thread::scope(|scope| {
                for part in todo.chunks(per) {
                    scope.spawn(move || work(part));
                }
            });
        }
        open.strong_count() > 0
    }

    /// Every piece: its id (the same while it is unchanged), the line it
    /// starts on and its analysis.
    pub fn pieces(&self) -> impl Iterator<Item = (u64, u32, &crate::analysis::Analysis)> {
        self.pieces
            .iter()
            .map(|at| (at.piece.id, line(at.line), &*at.piece.analysis))
    }

    /// Fix-all as edits, one per piece it changes (absolute byte spans), and
    /// how many fixes of each code. Only pieces with a safe fix are read.
    pub fn fix_all(&self) -> (Vec<Edit>, Vec<(Code, usize)>) {
        let mut parse = syntax::Parse::default();
        let mut counts = std::collections::BTreeMap::new();
        let mut edits = Vec::new();
        let last = self.pieces.len().saturating_sub(1);
        let eol = super::line_ending(&self.rope);
        for at in self.pieces.iter() {
            let (start, analysis) = (at.start, &at.piece.analysis);
            if analysis.safe_fixes == 0 {
                continue;
            }
            let text = self.rope.byte_slice(start..start + analysis.len).to_string();
            let fixed = fix::fix_piece(&text, at.index < last, eol, &self.rules, &mut parse);
            for (code, n) in fixed.applied {
                *counts.entry(code).or_insert(0) += n;
            }
            if let Some(mut edit) = fixed.fixed.and_then(|new| fix::minimal_edit(&text, &new)) {
                edit.span = edit.span.shift(start);
                edits.push(edit);
            }
        }
        (edits, counts.into_iter().collect())
    }

    /// The formatting edits touching `range` (all with `None`), on every
    /// core for a big text.
    pub fn format(&self, range: Option<Span>) -> Vec<Edit> {
        let eol = super::line_ending(&self.rope);
        let source = RopeSource {
            rope: &self.rope,
            split: true,
        };
        let mut edits = format::format_edits(&source, eol);
        if let Some(range) = range {
            edits.retain(|e| e.span.start <= range.end && range.start <= e.span.end);
        }
        edits
    }

    /// The records whose title, authors or DOI contain `query` (lowercase):
    /// their symbols, with the line their piece starts on. Each piece is
    /// read back and parsed: a search is rare, and keeping every record's
    /// search text would cost memory all the time.
    pub fn search(&self, query: &str) -> Vec<(u32, Symbol)> {
        let mut out = Vec::new();
        let mut parse = syntax::Parse::default();
        for at in self.pieces.iter() {
            let (start, analysis) = (at.start, &at.piece.analysis);
            if analysis.symbols.is_empty() {
                continue;
            }
            let text = self.rope.byte_slice(start..start + analysis.len).to_string();
            syntax::parse_into(&text, &self.rules.extra_tags, &mut parse);
            let found = outline::search_texts(&text, &parse);
            for (symbol, search) in analysis.symbols.iter().zip(found) {
                if query.is_empty() || search.to_lowercase().contains(query) {
                    out.push((line(at.line), symbol.clone()));
                }
            }
        }
        out
    }
}

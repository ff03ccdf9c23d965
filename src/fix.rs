//! Applying fixes: one at a time (a quick fix) or every safe one at once
//! (fix-all, `check --fix`). Fixes are the edits the analyses attach to
//! their findings, so a code the configuration turns off is never fixed;
//! nothing here re-reads RIS.

use std::collections::BTreeMap;

use crate::analysis::{self, Scope, Source};
use crate::checks::{Code, Edit, Rules};
use crate::syntax::{Parse, Span};

/// The text with `edits` applied; edits must not overlap.
pub fn apply_edits(text: &str, edits: &[Edit]) -> String {
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|e| (e.span.start, e.span.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for edit in sorted {
        out.push_str(&text[at..edit.span.start]);
        out.push_str(&edit.text);
        at = edit.span.end;
    }
    out.push_str(&text[at..]);
    out
}

/// What fix-all did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FixAll {
    /// The fixed text.
    pub text: String,
    /// How many fixes of each code were applied, in code order.
    pub applied: Vec<(Code, usize)>,
}

impl FixAll {
    /// Total number of fixes applied.
    pub fn count(&self) -> usize {
        self.applied.iter().map(|(_, n)| n).sum()
    }
}

/// Applies every safe fix to a whole text, piece by piece (fixes never
/// reach past their record), on every core for a big text.
pub fn fix_all(text: &str, rules: &Rules) -> FixAll {
    let fixed = fix_pieces(text, 0, text.len(), crate::format::line_ending(text), rules);
    let mut counts: BTreeMap<Code, usize> = BTreeMap::new();
    let mut out = String::with_capacity(text.len() + text.len() / 64);
    let mut at = 0;
    for (start, piece) in fixed {
        out.push_str(&text[at..start]);
        at = start + piece.len;
        match piece.fixed {
            Some(fixed) => out.push_str(&fixed),
            None => out.push_str(&text[start..at]),
        }
        for (code, n) in piece.applied {
            *counts.entry(code).or_default() += n;
        }
    }
    out.push_str(&text[at..]);
    FixAll {
        text: out,
        applied: counts.into_iter().collect(),
    }
}

/// One piece after fix-all.
#[derive(Debug, Clone, Default)]
pub struct FixedPiece {
    /// The piece's length before.
    pub len: usize,
    /// Its text after, when a fix applied.
    pub fixed: Option<String>,
    /// How many fixes of each code.
    pub applied: BTreeMap<Code, usize>,
}

/// Fix-all of each piece of bytes `start..end` of `source`, with its start;
/// `eol` is the text's line ending (see [`fix_piece`]).
pub fn fix_pieces<S: Source + ?Sized>(
    source: &S,
    start: usize,
    end: usize,
    eol: &str,
    rules: &Rules,
) -> Vec<(usize, FixedPiece)> {
    analysis::map_pieces(source, start, end, |text, followed, parse| {
        fix_piece(text, followed, eol, rules, parse)
    })
}

/// Applies every safe fix to one piece. Fixes that touch the same bytes (a
/// lowercase tag with odd spacing) are applied in rounds, the piece
/// analysed afresh in between, until no safe fix is left; so running it
/// twice changes nothing the second time.
///
/// `eol` is the whole text's line ending ([`crate::format::line_ending`]).
/// A fix breaks lines with the ending of the lines around it; a piece with
/// no line break of its own (a flattened record on the last line of a
/// CRLF file) gets `eol`, not a line ending the file does not use.
pub fn fix_piece(text: &str, followed: bool, eol: &str, rules: &Rules, parse: &mut Parse) -> FixedPiece {
    let mut result = FixedPiece {
        len: text.len(),
        ..FixedPiece::default()
    };
    let mut current: Option<String> = None;
    // Each round removes at least one finding's cause; the bound is a guard.
    for _ in 0..16 {
        let now = current.as_deref().unwrap_or(text);
        let analysis = analysis::analyze(now, followed, rules, Scope::Findings, parse);
        if analysis.safe_fixes == 0 {
            break;
        }
        let mut edits: Vec<Edit> = Vec::new();
        let mut taken = Taken::default();
        let mut removed = Taken::default();
        for diagnostic in analysis.diagnostics {
            let Some(fix) = diagnostic.fix.filter(|f| f.safe) else {
                continue;
            };
            // Two removals side by side wait for the next round, which sees
            // the lines they would bring together (a lone CR and an LF
            // must not join into one break).
            if fix
                .edits
                .iter()
                .any(|e| taken.overlaps(e.span) || (e.text.is_empty() && removed.touches(e.span)))
            {
                continue;
            }
            for edit in fix.edits.iter().filter(|e| e.text.is_empty()) {
                removed.add(edit.span);
            }
            for edit in &fix.edits {
                taken.add(edit.span);
            }
            edits.extend(fix.edits);
            *result.applied.entry(diagnostic.code).or_default() += 1;
        }
        if edits.is_empty() {
            break;
        }
        if eol != "\n" && memchr::memchr2(b'\n', b'\r', now.as_bytes()).is_none() {
            for edit in &mut edits {
                edit.text = edit.text.replace('\n', eol);
            }
        }
        current = Some(apply_edits(now, &edits));
    }
    result.fixed = current;
    result
}

/// The spans the fixes of one round edit, disjoint, sorted: finding the
/// ones an edit might overlap is a lookup, not a scan (a record with
/// 40,000 lowercase tags has 40,000 fixes).
#[derive(Debug, Default)]
struct Taken(std::collections::BTreeSet<(usize, usize)>);

impl Taken {
    fn overlaps(&self, span: Span) -> bool {
        // Taken spans are disjoint, so their ends rise with their starts:
        // walk back from the last one starting by `span`'s end until one
        // ends before `span` starts.
        for &(start, end) in self.0.range(..=(span.end, usize::MAX)).rev() {
            if end < span.start {
                break;
            }
            if (span.start < end && start < span.end) || (span.is_empty() && span.start == start) {
                return true;
            }
        }
        false
    }

    /// Whether a span ends where `span` starts or starts where it ends.
    fn touches(&self, span: Span) -> bool {
        self.0
            .range(..=(span.start, usize::MAX))
            .next_back()
            .is_some_and(|&(_, end)| end == span.start)
            || self
                .0
                .range((span.end, 0)..)
                .next()
                .is_some_and(|&(start, _)| start == span.end)
    }

    fn add(&mut self, span: Span) {
        self.0.insert((span.start, span.end));
    }
}

/// The smallest single replacement turning `old` into `new`: the differing
/// middle, after their common prefix and suffix (on character boundaries).
pub fn minimal_edit(old: &str, new: &str) -> Option<Edit> {
    if old == new {
        return None;
    }
    let mut prefix = old.bytes().zip(new.bytes()).take_while(|(a, b)| a == b).count();
    while !old.is_char_boundary(prefix) || !new.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let max_suffix = old.len().min(new.len()) - prefix;
    let mut suffix = old
        .bytes()
        .rev()
        .zip(new.bytes().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    while !old.is_char_boundary(old.len() - suffix) || !new.is_char_boundary(new.len() - suffix) {
        suffix -= 1;
    }
    Some(Edit {
        span: Span::new(prefix, old.len() - suffix),
        text: new[prefix..new.len() - suffix].to_string(),
    })
}

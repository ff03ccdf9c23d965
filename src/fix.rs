//! Applying fixes: one at a time (a quick fix) or every safe one at once
//! (fix-all, `check --fix`). Fixes are the edits the checks attach to their
//! diagnostics; nothing here re-reads RIS.

use crate::checks::{self, Code, Edit};

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

/// Applies every safe fix. Fixes that touch the same bytes (a lowercase tag
/// with odd spacing) are applied in rounds, re-checking in between, until
/// no safe fix is left; so running it twice changes nothing the second time.
pub fn fix_all(text: &str) -> FixAll {
    let mut current = text.to_string();
    let mut counts: std::collections::BTreeMap<Code, usize> = std::collections::BTreeMap::new();
    // Each round removes at least one diagnostic's cause; the bound is a guard.
    for _ in 0..16 {
        let mut edits: Vec<Edit> = Vec::new();
        let mut taken: Vec<(usize, usize)> = Vec::new();
        for diagnostic in checks::check(&current) {
            let Some(fix) = diagnostic.fix.filter(|f| f.safe) else {
                continue;
            };
            let overlaps = fix.edits.iter().any(|e| {
                taken
                    .iter()
                    .any(|&(s, t)| e.span.start < t && s < e.span.end || (e.span.is_empty() && e.span.start == s))
            });
            if overlaps {
                continue;
            }
            taken.extend(fix.edits.iter().map(|e| (e.span.start, e.span.end)));
            edits.extend(fix.edits);
            *counts.entry(diagnostic.code).or_default() += 1;
        }
        if edits.is_empty() {
            break;
        }
        current = apply_edits(&current, &edits);
    }
    FixAll {
        text: current,
        applied: counts.into_iter().collect(),
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
        span: crate::syntax::Span::new(prefix, old.len() - suffix),
        text: new[prefix..new.len() - suffix].to_string(),
    })
}

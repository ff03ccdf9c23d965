//! Diagnostics: every rule about RIS text, each with a stable [`Code`].
//!
//! Checks read the syntax ([`crate::syntax`]) and the catalogue and produce
//! [`Diagnostic`]s with byte spans, messages a librarian understands, and the
//! edits of a fix where one is obvious. They know nothing of LSP or terminals:
//! the server and the CLI translate.
//!
//! Record-local checks ([`check_parsed`]) depend only on the text from one `TY`
//! line to the next, which lets the document store reuse the results of records
//! an edit did not touch. Duplicate DOIs are the one file-wide check
//! ([`duplicate_dois`]).

mod codes;
mod fields;
mod lines;
mod structure;
pub mod values;

pub use codes::{Code, Severity};

use crate::syntax::{self, Parse, Span};

/// A location elsewhere that explains a diagnostic (the other copy of a DOI).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    /// Where.
    pub span: Span,
    /// What is there.
    pub message: String,
}

/// Replace `span` with `text` (insert when the span is empty).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// The bytes to replace.
    pub span: Span,
    /// The new text.
    pub text: String,
}

/// A fix: what to call it and the edits that make it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// Imperative title for a code action ("Insert `ER  - `").
    pub title: String,
    /// Non-overlapping edits, in order.
    pub edits: Vec<Edit>,
    /// Whether applying it blindly (fix-all) is always right; a guess such as a
    /// did-you-mean is not.
    pub safe: bool,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable code.
    pub code: Code,
    /// How serious: the code's default unless the configuration says otherwise.
    pub severity: Severity,
    /// The bytes it is about.
    pub span: Span,
    /// What is wrong, in plain words.
    pub message: String,
    /// Other places that explain it.
    pub related: Vec<Related>,
    /// The fix, if one is obvious.
    pub fix: Option<Fix>,
}

impl Diagnostic {
    /// A diagnostic without related places or fix.
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Self {
        Self {
            code,
            severity: code.severity(),
            span,
            message: message.into(),
            related: Vec::new(),
            fix: None,
        }
    }

    /// Adds a fix.
    pub fn with_fix(mut self, title: impl Into<String>, edits: Vec<Edit>, safe: bool) -> Self {
        self.fix = Some(Fix {
            title: title.into(),
            edits,
            safe,
        });
        self
    }

    /// How serious it is.
    pub fn severity(&self) -> Severity {
        self.severity
    }

    /// The same diagnostic with every span moved by `delta` bytes.
    pub fn shifted(mut self, delta: usize) -> Self {
        self.span = self.span.shift(delta);
        for related in &mut self.related {
            related.span = related.span.shift(delta);
        }
        if let Some(fix) = &mut self.fix {
            for edit in &mut fix.edits {
                edit.span = edit.span.shift(delta);
            }
        }
        self
    }
}

/// What the configuration adds to the rules (see `config`): tags and types
/// not to report as unknown, and tags each record of a type must have.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rules {
    /// Tags accepted besides the catalogue's.
    pub extra_tags: Vec<[u8; 2]>,
    /// Reference types accepted besides the catalogue's (uppercase).
    pub extra_types: Vec<String>,
    /// `(type, tags)`: each record of the type must have these tags.
    pub required: Vec<(String, Vec<[u8; 2]>)>,
}

/// A DOI as found in a `DO` line, for the file-wide duplicate check. It
/// holds no copy of the DOI: a hundred thousand records would mean a hundred
/// thousand small strings to allocate, keep and free.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DoiOccurrence {
    /// The value span of the `DO` line.
    pub span: Span,
    /// FNV hash of the DOI's [`doi_key`], computed where the occurrence is
    /// found (in parallel), so that grouping them is integer work.
    pub hash: u64,
}

/// What two DOIs must share to be the same: the bare DOI, ASCII-lowercased
/// (DOIs compare case-insensitively), of a `DO` value holding one.
pub fn doi_key(value: &str) -> Option<String> {
    values::bare_doi(value).map(str::to_ascii_lowercase)
}

/// The edit that inserts a line holding `content` after line `index`, with
/// the line break the file uses (a last line without one gets one first).
fn insert_line_after(text: &str, parse: &Parse, index: usize, content: &str) -> Edit {
    let line = &parse.lines[index];
    let at = Span::new(line.span.end, line.span.end);
    match &text[line.content.end..line.span.end] {
        "" => {
            let eol = structure::line_ending_near(text, parse, index);
            Edit {
                span: at,
                text: format!("{eol}{content}{eol}"),
            }
        }
        eol => Edit {
            span: at,
            text: format!("{content}{eol}"),
        },
    }
}

/// Every check on `text`, file-wide ones included, sorted by position.
///
/// The text is checked in chunks cut at `TY` lines, so memory stays small on
/// big files, and results equal the document store's, which cuts at every one.
pub fn check(text: &str) -> Vec<Diagnostic> {
    check_with(text, &Rules::default())
}

/// [`check`] with the configuration's rules. Chunks are independent, so a
/// big text is checked on every core, the results joined in order.
pub fn check_with(text: &str, rules: &Rules) -> Vec<Diagnostic> {
    let mut bounds = vec![0];
    while *bounds.last().expect("starts with 0") < text.len() {
        let start = *bounds.last().expect("not empty");
        bounds.push(chunk_end(text, start + CHUNK));
    }
    let chunks: Vec<(usize, usize)> = bounds.windows(2).map(|w| (w[0], w[1])).collect();
    // One chunk, its spans made absolute, parsed into a thread's buffers.
    let check_chunk = |(start, end): (usize, usize), parse: &mut Parse| {
        let mut piece = check_piece(&text[start..end], end < text.len(), rules, parse);
        piece.diagnostics = piece.diagnostics.into_iter().map(|d| d.shifted(start)).collect();
        for doi in &mut piece.dois {
            doi.span = doi.span.shift(start);
        }
        piece
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(chunks.len())
        .max(1);
    let results: Vec<PieceResult> = if threads == 1 {
        let mut parse = Parse::default();
        chunks.iter().map(|&chunk| check_chunk(chunk, &mut parse)).collect()
    } else {
        // Threads take the next chunk as they finish one, so that none
        // waits for another that drew the slower half of the file.
        let next = std::sync::atomic::AtomicUsize::new(0);
        let mut done: Vec<(usize, PieceResult)> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        let (mut done, mut parse) = (Vec::new(), Parse::default());
                        loop {
                            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            let Some(&chunk) = chunks.get(i) else { break done };
                            done.push((i, check_chunk(chunk, &mut parse)));
                        }
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().expect("checks do not panic"))
                .collect()
        });
        done.sort_unstable_by_key(|&(i, _)| i);
        done.into_iter().map(|(_, result)| result).collect()
    };
    let mut diagnostics = Vec::new();
    let mut dois = Vec::new();
    for result in results {
        diagnostics.extend(result.diagnostics);
        dois.extend(result.dois);
    }
    diagnostics.extend(duplicate_dois(text, &dois));
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end, d.code));
    diagnostics
}

/// Bytes checked at a time by [`check_with`]: big enough that per-chunk costs
/// vanish, small enough that a parse of it stays in cache.
const CHUNK: usize = 1 << 18;

/// The start of the first `TY` line at or after the line following byte
/// `target`, or the end of the text: a place where the text can be cut and
/// both sides parse as in the whole (see [`syntax::piece_starts`]).
fn chunk_end(text: &str, target: usize) -> usize {
    if target >= text.len() {
        return text.len();
    }
    let bytes = text.as_bytes();
    let Some(at) = memchr::memchr2(b'\n', b'\r', &bytes[target..]) else {
        return text.len();
    };
    let mut line_start = target + at + 1;
    if bytes[target + at] == b'\r' && bytes.get(line_start) == Some(&b'\n') {
        line_start += 1;
    }
    syntax::split_lines(&text[line_start..])
        .find(|&(_, content)| syntax::is_type_line(&text[line_start..], content))
        .map_or(text.len(), |(span, _)| line_start + span.start)
}

/// What the record-local checks found in one piece of text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PieceResult {
    /// Its diagnostics, spans relative to the piece.
    pub diagnostics: Vec<Diagnostic>,
    /// Its DOIs, for the file-wide duplicate check.
    pub dois: Vec<DoiOccurrence>,
}

/// Parses and checks one piece (from a `TY` line to the next). `followed_by_record`
/// says that another piece follows it in the file.
/// It parses into `parse`, whose buffers are reused from one piece to the next.
pub fn check_piece(text: &str, followed_by_record: bool, rules: &Rules, parse: &mut Parse) -> PieceResult {
    syntax::parse_into(text, parse);
    PieceResult {
        diagnostics: check_parsed(text, parse, followed_by_record, rules),
        dois: doi_occurrences(text, parse),
    }
}

/// The record-local checks on a parse of `text`; `followed_by_record` says
/// that a `TY` line follows the text (it is a piece of a larger file).
pub fn check_parsed(text: &str, parse: &Parse, followed_by_record: bool, rules: &Rules) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    structure::check(text, parse, followed_by_record, &mut out);
    lines::check(text, parse, rules, &mut out);
    fields::check(text, parse, rules, &mut out);
    out
}

/// The valid DOIs of every `DO` line, in order.
pub fn doi_occurrences(text: &str, parse: &Parse) -> Vec<DoiOccurrence> {
    use std::hash::{BuildHasher, Hasher};
    let mut found: Vec<DoiOccurrence> = Vec::new();
    for record in &parse.records {
        // A DOI given twice in one record is a repeated line (RIS062), not
        // a second record with the same DOI: count it once.
        let record_start = found.len();
        for line in &parse.lines[record.line_range()] {
            let Some(tag) = line.tag() else { continue };
            if &tag.code != b"DO" {
                continue;
            }
            if let Some(bare) = values::bare_doi(tag.value.text(text)) {
                let mut hash = Fnv.build_hasher();
                for b in bare.bytes() {
                    hash.write_u8(b.to_ascii_lowercase());
                }
                let hash = hash.finish();
                if found[record_start..].iter().all(|earlier| earlier.hash != hash) {
                    found.push(DoiOccurrence { span: tag.value, hash });
                }
            }
        }
    }
    found
}

/// One warning on every copy of a DOI that occurs more than once, pointing at
/// the other copies (on every copy, since some clients hide related places).
/// `occurrences` are in document order, their spans in `text`.
pub fn duplicate_dois(text: &str, occurrences: &[DoiOccurrence]) -> Vec<Diagnostic> {
    // Sort by hash (integers), then group by key within the rare runs of
    // equal hashes, which also separates hash collisions.
    let mut order: Vec<(u64, u32)> = occurrences
        .iter()
        .enumerate()
        .map(|(i, o)| (o.hash, u32::try_from(i).unwrap_or(u32::MAX)))
        .collect();
    order.sort_unstable();
    let mut groups = std::collections::BTreeMap::new();
    for run in order.chunk_by(|a, b| a.0 == b.0).filter(|run| run.len() > 1) {
        for &(_, i) in run {
            let span = occurrences[i as usize].span;
            if let Some(key) = doi_key(span.text(text)) {
                groups.entry(key).or_insert_with(Vec::new).push(span);
            }
        }
    }
    duplicate_diagnostics(groups.iter().map(|(key, spans)| (key.as_str(), spans.as_slice())))
}

/// FNV-1a: a fast hash for short keys such as DOIs, where SipHash's
/// resistance to crafted collisions buys nothing (a file is checked once).
#[derive(Debug, Clone, Copy, Default)]
pub struct Fnv;

impl std::hash::BuildHasher for Fnv {
    type Hasher = FnvHasher;

    fn build_hasher(&self) -> FnvHasher {
        FnvHasher(0xcbf2_9ce4_8422_2325)
    }
}

/// The running state of [`Fnv`].
#[derive(Debug, Clone, Copy)]
pub struct FnvHasher(u64);

impl std::hash::Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// How many other copies a duplicate-DOI finding points at, at most.
pub const MAX_RELATED: usize = 10;

/// Diagnostics for groups of spans sharing one DOI (groups of one are skipped).
pub fn duplicate_diagnostics<'a>(groups: impl Iterator<Item = (&'a str, &'a [Span])>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (key, spans) in groups {
        if spans.len() < 2 {
            continue;
        }
        for (i, &span) in spans.iter().enumerate() {
            let others = spans.len() - 1;
            let mut diagnostic = Diagnostic::new(
                Code::DuplicateDoi,
                span,
                format!(
                    "the DOI {key} is also in {} other record{} of this file",
                    others,
                    if others == 1 { "" } else { "s" }
                ),
            );
            // A DOI a thousand times over must not cost a million places.
            diagnostic.related = spans
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .take(MAX_RELATED)
                .map(|(_, &other)| Related {
                    span: other,
                    message: format!("the same DOI {key} here"),
                })
                .collect();
            out.push(diagnostic);
        }
    }
    out
}

#[cfg(test)]
mod tests;

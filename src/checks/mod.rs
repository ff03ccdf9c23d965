//! Diagnostics: every rule about RIS text, each with a stable [`Code`].
//!
//! Checks read the syntax ([`crate::syntax`]) and the catalogue and produce
//! [`Diagnostic`]s with byte spans, messages a librarian understands, and the
//! edits of a fix where one is obvious. They know nothing of LSP or terminals:
//! the server and the CLI translate.
//!
//! Record-local checks ([`check_lines`], [`check_fields`]) depend only on the text from one `TY`
//! line to the next, which lets `analysis` run them piece by piece and the
//! document store reuse the results of records an edit did not touch.
//! Duplicate DOIs are the one file-wide check ([`duplicate_findings`]).

mod codes;
mod fields;
mod lines;
mod structure;
pub mod values;

pub use codes::{Code, Severity};

use crate::syntax::{LineKind, Parse, Span};

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
    /// Set on a finding that recurs for one reason across a file (an
    /// exporter's convention, a layout quirk on every line): the file shows
    /// it once, on its first place, with the count (see [`recurring`]).
    pub pattern: Option<u64>,
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
            pattern: None,
        }
    }

    /// Marks the finding as one of a pattern: the same code for the same
    /// `reason` (the tag, the separator written) anywhere in a file is one
    /// pattern, shown once.
    pub fn recurring(mut self, reason: &[u8]) -> Self {
        use std::hash::{BuildHasher, Hasher};
        let mut hash = FastHash::default().build_hasher();
        hash.write(self.code.as_str().as_bytes());
        hash.write(reason);
        self.pattern = Some(hash.finish());
        self
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
/// not to report as unknown, tags each record of a type must have, and the
/// severity of each code it changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rules {
    /// Tags accepted besides the catalogue's.
    pub extra_tags: Vec<[u8; 2]>,
    /// Reference types accepted besides the catalogue's (uppercase).
    pub extra_types: Vec<String>,
    /// `(type, tags)`: each record of the type must have these tags.
    pub required: Vec<(String, Vec<[u8; 2]>)>,
    /// `(code, severity)`, `None` for off: the codes whose severity differs
    /// from their default.
    pub severities: Vec<(Code, Option<Severity>)>,
}

impl Rules {
    /// The severity to report `code` with, or `None` when it is off.
    pub fn severity(&self, code: Code) -> Option<Severity> {
        self.severities
            .iter()
            .find(|(c, _)| *c == code)
            .map_or(Some(code.severity()), |&(_, severity)| severity)
    }
}

/// A DOI as found in a `DO` line, for the file-wide duplicate check. It
/// holds no copy of the DOI: a hundred thousand records would mean a hundred
/// thousand small strings to allocate, keep and free.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DoiOccurrence {
    /// The value span of the `DO` line.
    pub span: Span,
    /// Hash ([`FastHash`]) of the DOI's [`doi_key`], computed where the occurrence is
    /// found (in parallel), so that grouping them is integer work.
    pub hash: u64,
}

/// What two DOIs must share to be the same: the bare DOI, ASCII-lowercased
/// (DOIs compare case-insensitively), of a `DO` value holding one.
pub fn doi_key(value: &str) -> Option<String> {
    values::bare_doi(value).map(str::to_ascii_lowercase)
}

/// The lines of the logical field whose tag line is line `index`: that line
/// and the continuation lines carrying its value on (with any blank lines
/// between them), as `index..end`. Fixes remove and insert whole fields.
pub(crate) fn field_lines(parse: &Parse, index: usize) -> std::ops::Range<usize> {
    let mut end = index + 1;
    let mut next = index + 1;
    while let Some(line) = parse.lines.get(next) {
        match line.kind {
            LineKind::Continuation => {
                next += 1;
                end = next;
            }
            LineKind::Blank => next += 1,
            _ => break,
        }
    }
    index..end
}

/// The bytes of the logical field whose tag line is line `index`, line
/// breaks included: what removing the field removes.
pub(crate) fn field_span(parse: &Parse, index: usize) -> Span {
    let lines = field_lines(parse, index);
    Span::new(parse.lines[lines.start].span.start, parse.lines[lines.end - 1].span.end)
}

/// The continuation lines of the field whose tag line is line `index`,
/// without the spaces around them: the rest of its value.
pub(crate) fn continuations<'t>(text: &'t str, parse: &Parse, index: usize) -> Vec<&'t str> {
    let lines = field_lines(parse, index);
    parse.lines[lines.start + 1..lines.end]
        .iter()
        .filter(|l| l.kind == LineKind::Continuation)
        .map(|l| l.content.text(text).trim_matches([' ', '\t']))
        .collect()
}

/// The bytes that removing the lines `span` covers takes away: all of
/// them but a byte-order mark at the start of the text, which belongs to
/// the file, not to its first line.
pub(crate) fn removal(text: &str, span: Span) -> Span {
    if span.start == 0 && text.starts_with('\u{feff}') {
        Span::new(3.min(span.end), span.end)
    } else {
        span
    }
}

/// Whether removing the lines `span` covers leaves the lines around it as
/// they were: not when a line ending in a lone CR comes before and an LF
/// after, which would join into one CRLF break, a line ending the file may
/// not have, and one line less than it should be. A piece starts with a
/// `TY` line, so the bytes looked at are the piece's own.
pub(crate) fn removes_cleanly(text: &str, span: Span) -> bool {
    let bytes = text.as_bytes();
    !(span.start > 0 && bytes[span.start - 1] == b'\r' && bytes.get(span.end) == Some(&b'\n'))
}

/// The index of the line holding byte `offset`.
pub(crate) fn line_of(parse: &Parse, offset: usize) -> usize {
    parse.lines.partition_point(|l| l.span.end <= offset)
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

/// The record-local checks of records' shape and each line's form, on a
/// parse of `text`; `followed_by_record` says that a `TY` line follows the
/// text (it is a piece of a larger file).
///
/// With [`check_fields`], all the record-local checks: two calls, so that a
/// big piece runs them on two threads.
pub fn check_lines(text: &str, parse: &Parse, followed_by_record: bool, rules: &Rules) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    structure::check(text, parse, followed_by_record, &mut out);
    lines::check(text, parse, rules, &mut out);
    out
}

/// The record-local checks of each record's fields and values.
pub fn check_fields(text: &str, parse: &Parse, rules: &Rules) -> Vec<Diagnostic> {
    let mut out = Vec::new();
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
                let mut hash = FastHash::default().build_hasher();
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

/// One finding on every copy of a DOI that occurs more than once, pointing
/// at the other copies (on every copy, since some clients hide related
/// places). `occurrences` are in document order, their spans in `text`.
pub fn duplicate_dois(text: &str, occurrences: &[DoiOccurrence], rules: &Rules) -> Vec<Diagnostic> {
    // Sort by hash (integers); only runs of equal hashes can be duplicates.
    let mut order: Vec<(u64, u32)> = occurrences
        .iter()
        .enumerate()
        .map(|(i, o)| (o.hash, u32::try_from(i).unwrap_or(u32::MAX)))
        .collect();
    order.sort_unstable();
    let candidates = order
        .chunk_by(|a, b| a.0 == b.0)
        .filter(|run| run.len() > 1)
        .flatten()
        .map(|&(_, i)| occurrences[i as usize].span);
    duplicate_findings(candidates, |span| doi_key(span.text(text)), rules)
}

/// The duplicate-DOI findings among `candidates` (DOI spans whose hashes
/// are shared), grouped by their key as `key_of` reads it back, which also
/// tells hash collisions apart. The one grouping for the CLI's sorted
/// hashes and the document store's index.
pub fn duplicate_findings(
    candidates: impl IntoIterator<Item = Span>,
    key_of: impl Fn(Span) -> Option<String>,
    rules: &Rules,
) -> Vec<Diagnostic> {
    let Some(severity) = rules.severity(Code::DuplicateDoi) else {
        return Vec::new();
    };
    let mut groups: std::collections::BTreeMap<String, Vec<Span>> = std::collections::BTreeMap::new();
    for span in candidates {
        if let Some(key) = key_of(span) {
            groups.entry(key).or_default().push(span);
        }
    }
    let mut out = Vec::new();
    for (key, spans) in &mut groups {
        spans.sort_unstable();
        spans.dedup();
        out.extend(duplicate_diagnostics(key, spans, severity));
    }
    out
}

/// Makes `first`, the first occurrence of a pattern, the one finding a file
/// shows for it: told that it occurs `count` times in all and pointing at the
/// next ones (`others`, spans in `first`'s coordinates, at most
/// [`MAX_RELATED`] of them kept). A pattern seen once is its finding as it is.
pub fn summarize(first: &mut Diagnostic, count: usize, others: impl IntoIterator<Item = Span>) {
    if count < 2 {
        return;
    }
    let more = count - 1;
    first
        .message
        .push_str(&format!(" ({} more like it in this file)", thousands(more)));
    first
        .related
        .extend(others.into_iter().take(MAX_RELATED).map(|span| Related {
            span,
            message: "another like it".to_string(),
        }));
}

/// `12345` as `12,345`: counts in messages are read by people.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A whole text's findings, in order, with each pattern shown once
/// ([`summarize`]): what `ris-lsp check` reports and an open document shows.
pub fn group_recurring(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut recurring = Recurring::default();
    diagnostics.into_iter().for_each(|d| recurring.push(d));
    recurring.finish()
}

/// Findings taken in order, each pattern kept as its first finding, a
/// count and the next [`MAX_RELATED`] places as they come: a file with a
/// quirk on every one of its two million lines holds one finding for it,
/// not two million, while it is read.
#[derive(Debug, Default)]
pub struct Recurring {
    out: Vec<Diagnostic>,
    /// Pattern → index of its first finding in `out`, count, next spans.
    patterns: std::collections::HashMap<u64, (usize, usize, Vec<Span>), FastHash>,
}

impl Recurring {
    /// Takes the next finding (in the order of their spans).
    pub fn push(&mut self, diagnostic: Diagnostic) {
        let Some(key) = diagnostic.pattern else {
            self.out.push(diagnostic);
            return;
        };
        match self.patterns.entry(key) {
            std::collections::hash_map::Entry::Occupied(mut seen) => {
                let (_, count, others) = seen.get_mut();
                *count += 1;
                if others.len() < MAX_RELATED {
                    others.push(diagnostic.span);
                }
            }
            std::collections::hash_map::Entry::Vacant(place) => {
                place.insert((self.out.len(), 1, Vec::new()));
                self.out.push(diagnostic);
            }
        }
    }

    /// The findings kept, in the order taken, each pattern's told its count.
    pub fn finish(mut self) -> Vec<Diagnostic> {
        for (index, count, others) in self.patterns.into_values() {
            summarize(&mut self.out[index], count, others);
        }
        self.out
    }
}

/// The hash of the checks' and the store's own maps: their keys are short
/// (DOIs, tag and value pairs, ids) and come from the user's own files,
/// where SipHash's resistance to crafted collisions buys nothing; FxHash
/// takes eight bytes a step where FNV took one.
pub type FastHash = rustc_hash::FxBuildHasher;

/// How many other copies a duplicate-DOI finding points at, at most.
pub const MAX_RELATED: usize = 10;

/// Findings for spans sharing one DOI, in order (none for a single span).
fn duplicate_diagnostics(key: &str, spans: &[Span], severity: Severity) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if spans.len() > 1 {
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
            diagnostic.severity = severity;
            out.push(diagnostic);
        }
    }
    out
}

#[cfg(test)]
mod tests;

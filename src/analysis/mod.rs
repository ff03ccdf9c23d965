//! One analysis per piece: the single place where "what is wrong with this
//! record, and what does an editor need to know about it" is computed.
//!
//! A piece is a record and what follows it, up to the next `TY` line
//! ([`syntax::piece_starts`]); it parses the same alone as in the whole text.
//! Its [`Analysis`] holds the findings with the configured severities
//! applied (codes turned off are gone, so no fix, hover or fix-all offers
//! them), its DOIs for the file-wide duplicate check, and what outline,
//! folding, links and inlay hints show, with every position worked out
//! relative to the piece. The CLI analyses text chunks and the document
//! store rope windows, both through [`analyze_span`].
//!
//! Each piece is analysed contained ([`crate::contain`]): a bug in a check
//! becomes one RIS099 finding on that record, and every other record is
//! checked as usual.

mod place;

pub use place::{Place, PlaceSpan, Places};

use std::sync::atomic::{AtomicUsize, Ordering};

use crate::checks::{self, Code, Diagnostic, DoiOccurrence, Rules};
use crate::features::{exporter, outline};
use crate::syntax::{self, Parse, Span};

/// One record in the outline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    /// `JOUR · Issa 2021 · Benefiting the NHS…`.
    pub name: String,
    /// The type's name (`Journal article`).
    pub detail: &'static str,
    /// The whole record.
    pub range: PlaceSpan,
    /// Its `TY` tag, what an editor selects.
    pub selection: PlaceSpan,
}

/// A clickable DOI or URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    /// Where it is.
    pub range: PlaceSpan,
    /// Where it leads.
    pub target: String,
}

/// An inlay hint: what a tag means in this record's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hint {
    /// Just after the tag.
    pub at: Place,
    /// The meaning (`Journal`).
    pub label: &'static str,
}

/// Everything known about one piece. Spans and places are relative to the
/// piece, which starts a line: nothing in it moves when text before it does.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Analysis {
    /// Its length in bytes.
    pub len: usize,
    /// How many line breaks it holds: the next piece starts that many lines on.
    pub breaks: usize,
    /// Record-local findings with their configured severities, in order.
    pub diagnostics: Vec<Diagnostic>,
    /// Where each finding's span and related spans are.
    pub places: Vec<Places>,
    /// How many findings have a safe fix (what fix-all would apply).
    pub safe_fixes: usize,
    /// Its DOIs, for the file-wide duplicate check.
    pub dois: Vec<DoiOccurrence>,
    /// Each pattern its findings belong to ([`Diagnostic::pattern`]) and how
    /// many of them do, for the file-wide count.
    pub patterns: Vec<(u64, usize)>,
    /// One symbol per record.
    pub symbols: Vec<Symbol>,
    /// Folding ranges, as relative lines.
    pub folds: Vec<(u32, u32)>,
    /// DOIs and URLs.
    pub links: Vec<Link>,
    /// Inlay hints.
    pub hints: Vec<Hint>,
    /// Each record's duplicate key ([`crate::dedupe::piece_keys`]), for the
    /// workspace's duplicate index: a keystroke re-keys only its piece.
    /// Set by the analysis itself ([`Scope::Everything`]), or later, away
    /// from the first diagnostics of a newly opened document
    /// ([`Scope::Shown`], then [`Analysis::key`]): keys cost some three
    /// times the checks.
    pub duplicate_keys: std::sync::OnceLock<Vec<crate::dedupe::Located>>,
    /// Whether findings of a pattern beyond its first in the piece were
    /// left out of `diagnostics` ([`Scope::Shown`] and [`Scope::Everything`]
    /// keep its first finding, its count and the next places): the whole
    /// findings come from analysing the piece again with [`Scope::Findings`].
    pub elided: bool,
    /// Where the findings after each pattern's first are, up to
    /// [`checks::MAX_RELATED`] of each, in order, when `elided`.
    pub recurrences: Vec<Recurrence>,
    /// The panic a check raised on this piece, if one did (RIS099).
    pub internal_error: Option<String>,
    /// The exporter its text points to ([`exporter::recognise`]).
    pub exporter: Option<&'static str>,
    /// How many records (with a `TY`) it holds: one, or none for text
    /// before the first record.
    pub records: usize,
}

/// A finding of a pattern after the pattern's first in its piece, reduced
/// to what a file shows of it: its place, as "another like it".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recurrence {
    /// The pattern ([`Diagnostic::pattern`]).
    pub pattern: u64,
    /// Its span in the piece.
    pub span: Span,
    /// Where that is.
    pub place: PlaceSpan,
}

/// What an analysis computes beyond the findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Findings, all of them whole, and DOIs (the CLI's `check`, fixes).
    Findings,
    /// Also outline, folding, links, hints and duplicate keys (an open
    /// document's edits).
    Everything,
    /// All of [`Scope::Everything`] but the duplicate keys, made later
    /// ([`Analysis::key`]): a document as it is opened.
    Shown,
}

impl Analysis {
    /// The records' duplicate keys, once known (see [`Analysis::duplicate_keys`]).
    pub fn keys(&self) -> &[crate::dedupe::Located] {
        self.duplicate_keys.get().map_or(&[], Vec::as_slice)
    }

    /// Whether its keys are known.
    pub fn is_keyed(&self) -> bool {
        self.duplicate_keys.get().is_some()
    }

    /// Makes its records' keys from its text, `text`, unless known.
    pub fn key(&self, text: &str, parse: &mut Parse) {
        if self.duplicate_keys.get().is_none() {
            let keys = crate::contain::contained(|| {
                syntax::parse_into(text, &[], parse);
                crate::dedupe::piece_keys(text, parse)
            });
            // A failure leaves the record out of the duplicate index only.
            let keys = keys.unwrap_or_else(|panic| {
                tracing::error!(%panic, "making a record's duplicate key failed");
                Vec::new()
            });
            let _ = self.duplicate_keys.set(keys);
        }
    }
}

/// Analyses one piece, `followed` when another piece comes after it in the
/// text. `parse` is a buffer reused from piece to piece.
pub fn analyze(text: &str, followed: bool, rules: &Rules, scope: Scope, parse: &mut Parse) -> Analysis {
    crate::contain::contained(|| analyze_unchecked(text, followed, rules, scope, parse))
        .unwrap_or_else(|panic| failed(text, rules, panic))
}

/// What a piece whose analysis panicked shows: RIS099, the panic logged.
fn failed(text: &str, rules: &Rules, panic: crate::contain::Panic) -> Analysis {
    tracing::error!(%panic, "a check failed on a record; reported as RIS099");
    internal_error(text, rules, panic.message)
}

fn analyze_unchecked(text: &str, followed: bool, rules: &Rules, scope: Scope, parse: &mut Parse) -> Analysis {
    parse_into(text, &rules.extra_tags, parse);
    analyze_parsed(text, followed, rules, scope, parse)
}

/// [`analyze`] for a big piece kept parsed from one edit to the next (a
/// record of tens of thousands of lines: see [`KEEP_PARSED`]): `parse` is
/// the piece's parse before `edit`, and only the lines the edit touched are
/// lexed again ([`syntax::relex`]); with no `edit`, the piece is parsed
/// afresh into it. `None` when the text is no longer one piece (a `TY`
/// line came into it), for the caller to cut it as usual. A panic is
/// RIS099, as in [`analyze`], and leaves `parse` not to be kept.
pub fn reanalyze(
    text: &str,
    followed: bool,
    rules: &Rules,
    scope: Scope,
    parse: &mut Parse,
    edit: Option<syntax::TextEdit>,
) -> Option<Analysis> {
    let analysed = crate::contain::contained(|| {
        match edit {
            Some(edit) => syntax::relex(text, edit, &rules.extra_tags, &mut parse.lines),
            None => lex_into(text, &rules.extra_tags, &mut parse.lines),
        }
        let starts_another = |l: &syntax::Line| l.tag().is_some_and(|t| &t.code == b"TY");
        if parse.lines.iter().skip(1).any(starts_another) {
            return None;
        }
        syntax::group(text, parse);
        Some(analyze_parsed(text, followed, rules, scope, parse))
    });
    analysed.unwrap_or_else(|panic| Some(failed(text, rules, panic)))
}

/// Pieces from this size on keep their parse in the document store between
/// edits in them ([`reanalyze`]): the lex was a third of a keystroke's cost
/// in a record of 40,000 lines (2 MB), whose kept lines take 3.5 MB.
pub const KEEP_PARSED: usize = PARALLEL_ANALYSIS;

/// The analysis of a parsed piece.
fn analyze_parsed(text: &str, followed: bool, rules: &Rules, scope: Scope, parse: &Parse) -> Analysis {
    #[cfg(debug_assertions)]
    if text.contains(TEST_PANIC) {
        panic!("a test asked for a panic");
    }
    // The field checks are half the work: the rest goes beside them. Lines'
    // findings first, an order that ties in the sort below keep.
    let (fields, (mut diagnostics, mut analysis)) = both(
        text.len() >= PARALLEL_ANALYSIS,
        || checks::check_fields(text, parse, rules),
        || {
            (
                checks::check_lines(text, parse, followed, rules),
                shown(text, parse, scope),
            )
        },
    );
    diagnostics.extend(fields);
    diagnostics.retain_mut(|d| match rules.severity(d.code) {
        Some(severity) => {
            d.severity = severity;
            true
        }
        None => false,
    });
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end, d.code));
    analysis.safe_fixes = diagnostics
        .iter()
        .filter(|d| d.fix.as_ref().is_some_and(|f| f.safe))
        .count();
    analysis.patterns = patterns(&diagnostics);
    if scope != Scope::Findings
        && text.len() <= ELIDE_UP_TO
        && let Some(recurrences) = elide_recurring(text, parse, &mut diagnostics, &analysis.patterns)
    {
        analysis.recurrences = recurrences;
        analysis.elided = true;
    }
    analysis.places = diagnostics
        .iter()
        .map(|d| Places {
            span: place::span(text, parse, d.span),
            related: d.related.iter().map(|r| place::span(text, parse, r.span)).collect(),
        })
        .collect();
    analysis.diagnostics = diagnostics;
    analysis
}

/// Pieces up to this size keep only the first of a pattern's findings
/// ([`elide_recurring`]): analysing one again when a cursor asks for its
/// findings takes a fraction of a millisecond. A bigger piece (a record of
/// thousands of lines) keeps every finding, so that hover and code actions
/// in it stay lookups: analysing a record of 40,000 lines with a quirk on
/// each took 45 ms a request.
const ELIDE_UP_TO: usize = 16 << 10;

/// Keeps, of each pattern's findings in a piece, the first whole, the
/// places of the next [`checks::MAX_RELATED`] as [`Recurrence`]s, and
/// nothing of the rest (they are counted in `patterns`): all that a file
/// shows of a pattern is its first finding, its count and the next places.
/// Whole, a file with a quirk on every line (Cochrane's `TY  -  JOUR`) held
/// two million findings with their messages and fixes, ten times the memory
/// of its text. Returns the recurrences kept; what is at a cursor is found
/// by analysing the piece again ([`Scope::Findings`] keeps everything).
fn elide_recurring(
    text: &str,
    parse: &Parse,
    diagnostics: &mut Vec<Diagnostic>,
    patterns: &[(u64, usize)],
) -> Option<Vec<Recurrence>> {
    if patterns.iter().all(|&(_, count)| count == 1) {
        return None;
    }
    let mut seen: Vec<(u64, usize)> = patterns.iter().map(|&(key, _)| (key, 0)).collect();
    let mut recurrences = Vec::new();
    diagnostics.retain(|d| {
        let Some(key) = d.pattern else { return true };
        let Some((_, count)) = seen.iter_mut().find(|(k, _)| *k == key) else {
            return true;
        };
        *count += 1;
        if (2..=1 + checks::MAX_RELATED).contains(count) {
            recurrences.push(Recurrence {
                pattern: key,
                span: d.span,
                place: place::span(text, parse, d.span),
            });
        }
        *count == 1
    });
    // What was left out held most of the room.
    diagnostics.shrink_to_fit();
    recurrences.shrink_to_fit();
    Some(recurrences)
}

/// Pieces from this size on are analysed on two threads, the field checks
/// on one and the rest on the other: a record of 40,000 lines (2 MB) is
/// analysed again on each keystroke in it.
const PARALLEL_ANALYSIS: usize = 1 << 20;

/// [`syntax::parse_into`], a big piece's halves lexed on two threads (a
/// third of the work on a record of 40,000 lines) and then read in order.
fn parse_into(text: &str, extra_tags: &[[u8; 2]], parse: &mut Parse) {
    if text.len() < PARALLEL_ANALYSIS {
        return syntax::parse_into(text, extra_tags, parse);
    }
    lex_into(text, extra_tags, &mut parse.lines);
    syntax::group(text, parse);
}

/// The lines of `text` as [`syntax::lex`] makes them, into `lines`; a big
/// text's halves side by side.
fn lex_into(text: &str, extra_tags: &[[u8; 2]], lines: &mut Vec<syntax::Line>) {
    lines.clear();
    lines.reserve(text.len() / 32);
    let middle = (text.len() >= PARALLEL_ANALYSIS)
        .then(|| syntax::middle_line(text))
        .flatten();
    let Some(middle) = middle else {
        return syntax::lex(text, 0..text.len(), extra_tags, lines);
    };
    let ((), second) = both(
        true,
        || syntax::lex(text, 0..middle, extra_tags, lines),
        || {
            let mut lines = Vec::with_capacity((text.len() - middle) / 32);
            syntax::lex(text, middle..text.len(), extra_tags, &mut lines);
            lines
        },
    );
    lines.extend(second);
}

/// `(a(), b())`, on two threads when `parallel`.
fn both<A: Send, B: Send>(parallel: bool, a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B + Send) -> (A, B) {
    if !parallel {
        return (a(), b());
    }
    std::thread::scope(|scope| {
        // Contained on its thread too, so that the hook keeps its message
        // and place, which go on to whoever contains this analysis.
        let a = scope.spawn(|| crate::contain::contained(a));
        let b = b();
        match a.join() {
            Ok(Ok(a)) => (a, b),
            Ok(Err(panic)) => std::panic::resume_unwind(Box::new(panic.message)),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// All of a piece's analysis but its findings: what the parse says of it.
fn shown(text: &str, parse: &Parse, scope: Scope) -> Analysis {
    let at = |span: Span| place::span(text, parse, span);
    let mut analysis = Analysis {
        len: text.len(),
        // Every line ends with a break but perhaps the last.
        breaks: parse.lines.len() - usize::from(parse.lines.last().is_some_and(|l| l.span.end == l.content.end)),
        dois: checks::doi_occurrences(text, parse),
        exporter: exporter::recognise(text, parse),
        records: parse.records.iter().filter(|r| r.has_type).count(),
        ..Analysis::default()
    };
    if scope != Scope::Findings {
        analysis.symbols = outline::symbols(text, parse)
            .into_iter()
            .map(|s| Symbol {
                name: s.name,
                detail: s.detail,
                range: at(s.span),
                selection: at(s.selection),
            })
            .collect();
        let line = |i: usize| u32::try_from(i).unwrap_or(u32::MAX);
        analysis.folds = outline::folding(parse)
            .into_iter()
            .map(|(a, b)| (line(a), line(b)))
            .collect();
        analysis.links = outline::links(text, parse)
            .into_iter()
            .map(|(span, target)| Link {
                range: at(span),
                target,
            })
            .collect();
        analysis.hints = outline::inlay_hints(text, parse)
            .into_iter()
            .map(|(offset, label)| Hint {
                at: place::of(text, parse, offset),
                label,
            })
            .collect();
        if scope == Scope::Everything {
            let _ = analysis.duplicate_keys.set(crate::dedupe::piece_keys(text, parse));
        }
    }
    analysis
}

/// The patterns among `diagnostics`, each with its count, in order of first
/// appearance.
fn patterns(diagnostics: &[Diagnostic]) -> Vec<(u64, usize)> {
    let mut out: Vec<(u64, usize)> = Vec::new();
    for key in diagnostics.iter().filter_map(|d| d.pattern) {
        match out.iter_mut().find(|(k, _)| *k == key) {
            Some((_, count)) => *count += 1,
            None => out.push((key, 1)),
        }
    }
    out
}

/// A record whose text contains this panics in a debug build: how the tests
/// prove that one failing record does not stop the session.
#[cfg(debug_assertions)]
pub const TEST_PANIC: &str = "\u{1}ris-lsp test panic\u{1}";

/// The analysis of a piece whose checks panicked: one RIS099 on its first
/// line, and nothing else (what the checks might have said is unknown).
fn internal_error(text: &str, rules: &Rules, message: String) -> Analysis {
    let first = syntax::split_lines(text)
        .next()
        .map_or(Span::default(), |(_, content)| content);
    let parse = syntax::parse(&text[..first.end]);
    let diagnostics: Vec<Diagnostic> = rules
        .severity(Code::InternalError)
        .map(|severity| {
            let mut d = Diagnostic::new(
                Code::InternalError,
                first,
                format!(
                    "ris-lsp could not check this record (a bug in ris-lsp: {message}); the rest of the file is checked"
                ),
            );
            d.severity = severity;
            d
        })
        .into_iter()
        .collect();
    Analysis {
        len: text.len(),
        breaks: syntax::count_line_breaks(text),
        places: diagnostics
            .iter()
            .map(|_| Places {
                span: place::span(text, &parse, first),
                related: Vec::new(),
            })
            .collect(),
        diagnostics,
        internal_error: Some(message),
        ..Analysis::default()
    }
}

/// A text the analyses read from: a string as it is, or a rope a window at
/// a time. Windows are cut at `TY` lines, so each parses as in the whole.
pub trait Source: Sync {
    /// The start of the first `TY` line after the line holding byte
    /// `target`, or `end` when there is none before it.
    fn window_end(&self, target: usize, end: usize) -> usize;

    /// The length of the whole text.
    fn len(&self) -> usize;

    /// Whether the text is empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes `from..to`, borrowed or copied into `buffer`.
    fn read<'a>(&'a self, from: usize, to: usize, buffer: &'a mut String) -> &'a str;
}

impl Source for str {
    fn window_end(&self, target: usize, end: usize) -> usize {
        if target >= end {
            return end;
        }
        let bytes = self.as_bytes();
        let Some(at) = memchr::memchr2(b'\n', b'\r', &bytes[target..end]) else {
            return end;
        };
        let mut line_start = target + at + 1;
        if bytes[target + at] == b'\r' && bytes.get(line_start) == Some(&b'\n') {
            line_start += 1;
        }
        let rest = &self[line_start..end];
        syntax::split_lines(rest)
            .find(|&(_, content)| syntax::is_type_line(rest, content))
            .map_or(end, |(span, _)| line_start + span.start)
    }

    fn len(&self) -> usize {
        str::len(self)
    }

    fn read<'a>(&'a self, from: usize, to: usize, _buffer: &'a mut String) -> &'a str {
        &self[from..to]
    }
}

/// Bytes analysed at a time: big enough that per-window costs vanish, small
/// enough that a window's parse stays in cache.
pub const WINDOW: usize = 1 << 18;

/// Analyses bytes `start..end` of `source`, where `start` starts a piece and
/// `end` starts one or ends the text: each piece's start and analysis, in
/// order.
pub fn analyze_span<S: Source + ?Sized>(
    source: &S,
    start: usize,
    end: usize,
    rules: &Rules,
    scope: Scope,
) -> Vec<(usize, Analysis)> {
    map_pieces(source, start, end, |text, followed, parse| {
        analyze(text, followed, rules, scope, parse)
    })
}

/// Runs `each` on every piece of bytes `start..end` of `source` (see
/// [`analyze_span`]) with whether another piece follows it and a parse
/// buffer, and gives each piece's start and result, in order: the one
/// way the analyses, fix-all and formatting walk a text. Several windows
/// (opening a big file, a big paste, the CLI) are handled on every core,
/// threads drawing windows as they go; one window (a keystroke) on the
/// calling thread.
pub fn map_pieces<S, T, F>(source: &S, start: usize, end: usize, each: F) -> Vec<(usize, T)>
where
    S: Source + ?Sized,
    T: Send,
    F: Fn(&str, bool, &mut Parse) -> T + Sync,
{
    // At least one window: an empty span is one empty piece.
    let mut bounds = vec![start, source.window_end(start + WINDOW, end)];
    while let Some(&last) = bounds.last().filter(|&&last| last < end) {
        bounds.push(source.window_end(last + WINDOW, end));
    }
    let windows: Vec<(usize, usize)> = bounds.windows(2).map(|w| (w[0], w[1])).collect();
    let text_end = source.len();
    let each_window = |(from, to): (usize, usize), buffer: &mut String, parse: &mut Parse| {
        let text = source.read(from, to, buffer);
        let starts: Vec<usize> = syntax::piece_starts(text).collect();
        let mut out = Vec::with_capacity(starts.len());
        for (i, &at) in starts.iter().enumerate() {
            let next = starts.get(i + 1).copied().unwrap_or(text.len());
            let followed = next < text.len() || to < text_end;
            out.push((from + at, each(&text[at..next], followed, parse)));
        }
        out
    };
    // One window: no threads, and no asking the system how many cores there
    // are (it reads cgroup files).
    let threads = match windows.len() {
        0 | 1 => 1,
        n => std::thread::available_parallelism().map_or(1, |c| c.get()).min(n),
    };
    if threads < 2 {
        let (mut buffer, mut parse) = (String::new(), Parse::default());
        return windows
            .iter()
            .flat_map(|&window| each_window(window, &mut buffer, &mut parse))
            .collect();
    }
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, Vec<(usize, T)>)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let (mut done, mut buffer, mut parse) = (Vec::new(), String::new(), Parse::default());
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(&window) = windows.get(i) else { break done };
                        done.push((i, each_window(window, &mut buffer, &mut parse)));
                    }
                })
            })
            .collect();
        // A panic in `each` is passed on to the caller, as on one thread.
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    });
    done.sort_unstable_by_key(|&(i, _)| i);
    done.into_iter().flat_map(|(_, pieces)| pieces).collect()
}

/// What checking a whole text finds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checked {
    /// Every finding, file-wide ones included, in order, each pattern once.
    pub diagnostics: Vec<Diagnostic>,
    /// Who wrote it, when its first records say.
    pub exporter: Option<&'static str>,
    /// How many records it holds.
    pub records: usize,
}

/// Every finding of a whole text, file-wide ones included, in order: what
/// `ris-lsp check` reports and what an open document shows.
pub fn check(text: &str, rules: &Rules) -> Vec<Diagnostic> {
    check_file(text, rules).diagnostics
}

/// Checks a whole text: its findings, its exporter and its record count.
pub fn check_file(text: &str, rules: &Rules) -> Checked {
    check_in_batches(text, rules, BATCH)
}

/// Bytes of text [`check_file`] analyses at a time (on every core), so
/// that it holds one batch's findings at most before each pattern is
/// kept once: every line of a 118 MB file written `TY - JOUR` held 1.67
/// GB of findings for one warning.
const BATCH: usize = 32 * WINDOW;

fn check_in_batches(text: &str, rules: &Rules, batch: usize) -> Checked {
    let mut recurring = checks::Recurring::default();
    let mut exporters = Vec::with_capacity(exporter::PIECES_LOOKED_AT);
    let (mut records, mut dois) = (0, Vec::new());
    let mut start = 0;
    loop {
        let end = text.window_end(start + batch, text.len());
        for (at, analysis) in analyze_span(text, start, end, rules, Scope::Findings) {
            if exporters.len() < exporter::PIECES_LOOKED_AT {
                exporters.push(analysis.exporter);
            }
            records += analysis.records;
            // A piece's findings are in order, and so are the pieces: a
            // pattern's first finding taken is the text's first.
            analysis
                .diagnostics
                .into_iter()
                .for_each(|d| recurring.push(d.shifted(at)));
            dois.extend(analysis.dois.into_iter().map(|mut doi| {
                doi.span = doi.span.shift(at);
                doi
            }));
        }
        if end >= text.len() {
            break;
        }
        start = end;
    }
    let mut diagnostics = recurring.finish();
    diagnostics.extend(checks::duplicate_dois(text, &dois, rules));
    diagnostics.sort_by_key(|d| (d.span.start, d.span.end, d.code));
    Checked {
        diagnostics,
        exporter: exporter::of_file(exporters),
        records,
    }
}

#[cfg(test)]
mod tests;

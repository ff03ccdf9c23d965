//! The parser on any text: lossless, records in order, each piece parsed
//! alone as inside the whole, and no check failing (RIS099).
#![no_main]

use libfuzzer_sys::fuzz_target;
use ris_lsp::checks::{Code, Rules};
use ris_lsp::{analysis, syntax};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // A debug build (what cargo fuzz makes) fails a check on purpose on
    // this marker, for the tests of RIS099.
    if text.contains("\u{1}ris-lsp test panic\u{1}") {
        return;
    }
    let parse = syntax::parse(text);
    let mut at = 0;
    for line in &parse.lines {
        assert_eq!(line.span.start, at, "lines tile the text");
        assert!(line.span.start <= line.content.start && line.content.end <= line.span.end);
        at = line.span.end;
    }
    assert_eq!(at, text.len());
    assert_eq!(
        parse.lines.len(),
        syntax::count_line_breaks(text) + usize::from(!text.is_empty() && !text.ends_with(['\n', '\r']))
    );
    let mut last = 0;
    for record in &parse.records {
        assert!(last <= record.first_line && record.first_line < record.end_line);
        assert!(record.end_line <= parse.lines.len());
        last = record.end_line;
    }
    let starts: Vec<usize> = syntax::piece_starts(text).collect();
    let mut kinds = Vec::new();
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(text.len());
        let piece = syntax::parse(&text[start..end]);
        kinds.extend(piece.lines.iter().map(|l| (l.span.shift(start), kind(&l.kind))));
    }
    let whole: Vec<_> = parse.lines.iter().map(|l| (l.span, kind(&l.kind))).collect();
    assert_eq!(kinds, whole, "pieces parse alone as in the whole");
    let failed = analysis::check(text, &Rules::default())
        .into_iter()
        .filter(|d| d.code == Code::InternalError)
        .count();
    assert_eq!(failed, 0, "a check failed");
});

fn kind(kind: &syntax::LineKind) -> u8 {
    match kind {
        syntax::LineKind::Blank => 0,
        syntax::LineKind::Tag(_) => 1,
        syntax::LineKind::Continuation => 2,
        syntax::LineKind::Stray => 3,
    }
}

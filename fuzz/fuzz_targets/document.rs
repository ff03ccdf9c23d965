//! The document store under edits: the input is the opening text, and a
//! sequence of edits drawn from it (cuts, pastes of its own bytes, typed
//! line breaks, tags and hyphens at its positions). After every edit the
//! store's text is the text edited the same way, and its findings are a
//! fresh check's.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ris_lsp::analysis;
use ris_lsp::checks::Rules;
use ris_lsp::document::{Change, Document};
use ris_lsp::syntax::Span;

/// Text a person types or pastes between records.
const TYPED: &[&str] = &[
    "\n",
    "\r\n",
    "\r",
    "TY  - ",
    "ER  - \n",
    "-",
    " ",
    "  - ",
    "\u{feff}",
    "TY  - JOUR\nER  - \n",
    "",
];

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // A debug build (what cargo fuzz makes) fails a check on purpose on
    // this marker, for the tests of RIS099.
    if text.contains("\u{1}ris-lsp test panic\u{1}") {
        return;
    }
    let mut expected = text.to_string();
    let mut document = Document::new(text, 0);
    // A fixed sequence for this input: the same input, the same edits.
    let mut state = data.iter().fold(0x9e37_79b9_7f4a_7c15_u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    }) | 1;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for version in 1..=8 {
        let boundary = |s: &str, mut at: usize| {
            at = at.min(s.len());
            while !s.is_char_boundary(at) {
                at -= 1;
            }
            at
        };
        let len = expected.len();
        let start = boundary(&expected, (next() as usize) % (len + 1));
        let end = boundary(&expected, start + (next() as usize) % 8usize.min(len - start + 1));
        let end = end.max(start);
        let insert = if next() % 2 == 0 || text.is_empty() {
            TYPED[(next() as usize) % TYPED.len()].to_string()
        } else {
            let from = boundary(text, (next() as usize) % (text.len() + 1));
            let to = boundary(text, from + (next() as usize) % 64);
            text[from..to.max(from)].to_string()
        };
        let mut edited = expected.clone();
        edited.replace_range(start..end, &insert);
        // Edits may join the marker of the deliberate failure (see above).
        if edited.contains("\u{1}ris-lsp test panic\u{1}") {
            return;
        }
        expected = edited;
        document.apply(
            vec![Change {
                range: Some(Span::new(start, end)),
                text: insert,
            }],
            version,
        );
        assert_eq!(document.text(), expected, "the store's text");
        assert_eq!(
            document.diagnostics(),
            analysis::check(&expected, &Rules::default()),
            "the store's findings after edit {version}"
        );
    }
});

//! `fmt` on any text: formatting twice changes nothing, the edits rebuild
//! the formatted text, every tag line's value is kept byte for byte and in
//! order, and the BOM stays.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ris_lsp::{fix, format, syntax};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // A debug build (what cargo fuzz makes) fails a check on purpose on
    // this marker, for the tests of RIS099.
    if text.contains("\u{1}ris-lsp test panic\u{1}") {
        return;
    }
    let once = format::format(text);
    assert_eq!(format::format(&once), once, "a second fmt changed the text");
    let edits = format::format_edits(text, format::line_ending(text));
    assert_eq!(
        fix::apply_edits(text, &edits),
        once,
        "the edits rebuild the formatted text"
    );
    let values = |t: &str| -> Vec<String> {
        let parse = syntax::parse(t);
        parse
            .lines
            .iter()
            .filter_map(|l| l.tag())
            .map(|tag| tag.value.text(t).to_string())
            .collect()
    };
    assert_eq!(values(text), values(&once), "fmt changed a value");
    assert_eq!(once.starts_with('\u{feff}'), text.starts_with('\u{feff}'), "BOM");
});

//! Fix-all on any text: no check fails before or after, a second fix-all
//! changes nothing, the BOM stays and no new line ending appears.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ris_lsp::checks::{Code, Rules};
use ris_lsp::{analysis, fix};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    // A debug build (what cargo fuzz makes) fails a check on purpose on
    // this marker, for the tests of RIS099.
    if text.contains("\u{1}ris-lsp test panic\u{1}") {
        return;
    }
    let rules = Rules::default();
    let fixed = fix::fix_all(text, &rules);
    let again = fix::fix_all(&fixed.text, &rules);
    assert_eq!(again.text, fixed.text, "a second fix-all changed the text");
    assert_eq!(fixed.text.starts_with('\u{feff}'), text.starts_with('\u{feff}'), "BOM");
    let endings = |t: &str| {
        let crlf = t.matches("\r\n").count();
        (t.matches('\n').count() > crlf, crlf > 0, t.matches('\r').count() > crlf)
    };
    let (before, after) = (endings(text), endings(&fixed.text));
    let no_endings = before == (false, false, false);
    assert!(
        (!after.0 || before.0 || no_endings) && (!after.1 || before.1) && (!after.2 || before.2),
        "fix-all wrote a line ending the text did not have"
    );
    let failed = analysis::check(&fixed.text, &rules)
        .into_iter()
        .filter(|d| d.code == Code::InternalError)
        .count();
    assert_eq!(failed, 0, "a check failed on the fixed text");
});

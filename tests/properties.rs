//! Properties of fixes and formatting over generated documents.

use proptest::prelude::*;
use ris_lsp::checks::{Rules, values};
use ris_lsp::{analysis, fix, format, syntax};

/// Documents made of the lines real files (and their mistakes) contain.
fn document() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("TY  - JOUR"),
        Just("TY - BOOK"),
        Just("ty  - jour"),
        Just("TY-JOUR"),
        Just("TY  - JOURX"),
        Just("ER  - "),
        Just("ER  - junk"),
        Just("AU  - Issa, Hamdi"),
        Just("au  - Lower, Case"),
        Just("AU  -Smith"),
        Just("  TI  -  Indented title  "),
        Just("TI - Title"),
        Just("SP  - "),
        Just("DO  - https://doi.org/10.1136/bmjgh-2021-004936"),
        Just("DO  - doi: 10.1000/abc"),
        Just("DO  - 10.1000/ab c"),
        Just("M3  - doi: 10.1016/j.agee.2016.06.041"),
        Just("UR  - www.example.org"),
        Just("Y2  - 2014-06-01"),
        Just("TY - JOUR T1 - Flat title AU - Issa, H PY - 2021 ER -"),
        Just("wrapped continuation text"),
        Just("Record #1 of 2"),
        Just(""),
        Just("   "),
    ];
    let eol = prop_oneof![Just("\n"), Just("\r\n")];
    (prop::collection::vec(line, 0..30), eol).prop_map(|(lines, eol)| {
        let mut text = lines.join(eol);
        text.push_str(eol);
        text
    })
}

/// Every tag line value, as its essential text (a DOI without its wrapper;
/// letters and digits only, since fixes may rewrite separators such as an
/// ISO date's hyphens, or the case of a type), which fixes must keep.
fn values_of(text: &str) -> Vec<String> {
    let parse = syntax::parse(text);
    let mut out = Vec::new();
    for line in &parse.lines {
        let Some(tag) = line.tag() else { continue };
        let fields = if tag.flattened {
            syntax::embedded_fields(text, tag)
        } else {
            Vec::new()
        };
        let mut spans: Vec<syntax::Span> = fields.iter().map(|f| f.value).collect();
        if spans.is_empty() {
            spans.push(tag.value);
        }
        for span in spans {
            let value = span.text(text);
            let core = values::bare_doi(value).unwrap_or(value);
            let core: String = essentials(core);
            if !core.is_empty() {
                out.push(core);
            }
        }
    }
    out
}

fn essentials(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn fix_all_leaves_no_safe_fix_and_keeps_values(text in document()) {
        let fixed = fix::fix_all(&text, &Rules::default());
        let left: Vec<_> = analysis::check(&fixed.text, &Rules::default())
            .into_iter()
            .filter(|d| d.fix.as_ref().is_some_and(|f| f.safe))
            .map(|d| (d.code, d.message))
            .collect();
        prop_assert!(left.is_empty(), "safe fixes left: {:?}\n{}", left, fixed.text);
        let flat = essentials(&fixed.text);
        for value in values_of(&text) {
            prop_assert!(flat.contains(&value), "lost {:?} in\n{}", value, fixed.text);
        }
        prop_assert_eq!(fix::fix_all(&fixed.text, &Rules::default()).text, fixed.text.clone(), "idempotent");
    }

    #[test]
    fn formatting_is_idempotent_and_keeps_every_value_byte_for_byte(text in document()) {
        let once = format::format(&text);
        prop_assert_eq!(format::format(&once), once.clone());
        // The same values, in the same order, byte for byte.
        let before = syntax::parse(&text);
        let after = syntax::parse(&once);
        let values = |parse: &syntax::Parse, source: &str| -> Vec<String> {
            parse.lines.iter().filter_map(|l| l.tag()).map(|t| t.value.text(source).to_string()).collect()
        };
        prop_assert_eq!(values(&before, &text), values(&after, &once));
        if !once.is_empty() {
            prop_assert_eq!(text.contains("\r\n"), once.contains("\r\n"), "the file's own line ending");
        }
    }
}

/// Values of the shapes real fields hold, and their near misses: what a
/// person typing (or a broken export) puts after a tag.
fn value() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("10.".to_string()),
        Just("10.1".to_string()),
        Just("10.1000/".to_string()),
        Just("10.1136/bmjgh-2021-004936".to_string()),
        Just("doi:".to_string()),
        Just("https://doi.org/".to_string()),
        Just("http://".to_string()),
        Just("www.".to_string()),
        Just("[doi]".to_string()),
        Just("2021".to_string()),
        Just("2021/".to_string()),
        Just("2021/02/30".to_string()),
        Just("2021-06-01".to_string()),
        Just("Dec 2020".to_string()),
        Just("///Spring".to_string()),
        Just("806-7".to_string()),
        Just("e1234".to_string()),
        Just("1932-6203".to_string()),
        Just("978-0-306-40615-".to_string()),
        Just("X".to_string()),
        Just("Issa, Hamdi".to_string()),
        Just("é中😀\u{a0}\u{200b}\u{feff}".to_string()),
        Just("TY  - ".to_string()),
        Just("ER  -".to_string()),
        Just(" AU - ".to_string()),
        "[0-9./:;,() -]{0,6}",
        "[ -~]{0,8}",
        any::<char>().prop_map(|c| c.to_string()),
    ];
    prop::collection::vec(piece, 0..5).prop_map(|parts| parts.concat())
}

/// Records of real tags (every tag and type of the catalogue, in any case and
/// spacing) with values from [`value`]: the inputs arbitrary strings almost
/// never form.
fn ris_document() -> impl Strategy<Value = String> {
    let tags: Vec<&'static str> = ris_lsp::catalog::TAGS.iter().map(|t| t.code).collect();
    let types: Vec<&'static str> = ris_lsp::catalog::TYPES.iter().map(|t| t.code).collect();
    let separator = prop_oneof![
        4 => Just("  - "),
        1 => Just(" - "),
        1 => Just("  -  "),
        1 => Just("-"),
        1 => Just("  -"),
        1 => Just("\t- "),
    ];
    let field =
        (prop::sample::select(tags), separator.clone(), value(), any::<bool>()).prop_map(|(tag, sep, value, lower)| {
            let tag = if lower { tag.to_lowercase() } else { tag.to_string() };
            format!("{tag}{sep}{value}")
        });
    let line = prop_oneof![
        8 => field,
        1 => value(),
        1 => Just(String::new()),
        1 => Just("ER  - ".to_string()),
    ];
    let record = (
        prop::sample::select(types),
        prop::collection::vec(line, 0..12),
        any::<bool>(),
    )
        .prop_map(|(ty, lines, closed)| {
            let mut out = format!("TY  - {ty}\n");
            for line in lines {
                out.push_str(&line);
                out.push('\n');
            }
            if closed {
                out.push_str("ER  - \n");
            }
            out
        });
    let eol = prop_oneof![Just("\n"), Just("\r\n"), Just("\r")];
    (prop::collection::vec(record, 1..6), eol).prop_map(|(records, eol)| records.concat().replace('\n', eol))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// No check fails (RIS099) on RIS-shaped input, the parse is lossless, and
    /// fix-all and fmt run to the end.
    #[test]
    fn ris_shaped_input_never_fails_a_check(text in ris_document()) {
        let parse = syntax::parse(&text);
        let joined: String = parse.lines.iter().map(|l| l.span.text(&text)).collect();
        prop_assert_eq!(&joined, &text);
        let found = analysis::check(&text, &Rules::default());
        let failed: Vec<_> = found.iter().filter(|d| d.code == ris_lsp::checks::Code::InternalError).collect();
        prop_assert!(failed.is_empty(), "{:?}", failed);
        let fixed = fix::fix_all(&text, &Rules::default());
        let failed = analysis::check(&fixed.text, &Rules::default())
            .into_iter()
            .filter(|d| d.code == ris_lsp::checks::Code::InternalError)
            .count();
        prop_assert_eq!(failed, 0);
        let _ = format::format(&text);
    }
}

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

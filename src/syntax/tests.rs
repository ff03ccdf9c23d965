use proptest::prelude::*;

use super::*;

/// Text built from pieces real files contain, so that the generator hits
/// tag lines, odd spacing and every kind of line break often.
fn ris_like() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("TY  - JOUR".to_string()),
        Just("TY - BOOK".to_string()),
        Just("ER  - ".to_string()),
        Just("ER  -".to_string()),
        Just("AU  - Issa, Hamdi".to_string()),
        Just("au  - lower".to_string()),
        Just("  TI  - indented".to_string()),
        Just("TY-JOUR".to_string()),
        Just("TY - JOUR T1 - Flat AU - X, Y ER -".to_string()),
        Just("DO  - https://doi.org/10.1/x".to_string()),
        Just("\u{feff}".to_string()),
        Just("é中😀\u{2028}".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\r".to_string()),
        Just(" ".to_string()),
        "[ -~]{0,12}".prop_map(|s| s),
        any::<String>(),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn lines_tile_the_input(text in ris_like()) {
        let parse = parse(&text);
        let mut at = 0;
        for line in &parse.lines {
            prop_assert_eq!(line.span.start, at);
            prop_assert!(line.span.start <= line.content.start && line.content.end <= line.span.end);
            if let LineKind::Tag(tag) = &line.kind {
                prop_assert!(line.content.start <= tag.tag.start && tag.tag.end <= tag.sep.start);
                prop_assert!(tag.sep.end == tag.value.start && tag.value.end <= line.content.end);
            }
            at = line.span.end;
        }
        prop_assert_eq!(at, text.len());
        let rebuilt: String = parse.lines.iter().map(|l| l.span.text(&text)).collect();
        prop_assert_eq!(rebuilt, text.clone());
        for record in &parse.records {
            prop_assert!(record.first_line < record.end_line && record.end_line <= parse.lines.len());
        }
    }

    #[test]
    fn lines_lexed_in_parts_parse_as_the_whole(text in ris_like(), cuts in prop::collection::vec(0.0f64..1.0, 0..4)) {
        // Lexed from any line starts on (a big piece's halves on two
        // threads), then grouped: the same lines and records.
        let whole = parse(&text);
        let mut starts: Vec<usize> = cuts
            .iter()
            .map(|&cut| whole.lines.get((cut * whole.lines.len() as f64) as usize).map_or(text.len(), |l| l.span.start))
            .collect();
        starts.extend(middle_line(&text));
        starts.sort_unstable();
        starts.dedup();
        let mut lexed = Parse::default();
        let mut from = 0;
        for to in starts.into_iter().chain([text.len()]) {
            lex(&text, from..to, &[], &mut lexed.lines);
            from = to;
        }
        group(&text, &mut lexed);
        prop_assert_eq!(lexed, whole);
    }

    #[test]
    fn an_edit_lexed_again_parses_as_the_whole(
        text in ris_like(),
        edits in prop::collection::vec((0.0f64..1.0, 0usize..12, ris_like()), 1..6),
        extra in any::<bool>(),
    ) {
        // The lines an edit touched lexed again, the rest moved and their
        // grouping undone, then grouped: what parsing the new text gives,
        // edit after edit.
        let extra_tags: &[[u8; 2]] = if extra { &[*b"NL", *b"ZZ"] } else { &[] };
        let mut text = text;
        let mut kept = Parse::default();
        parse_into(&text, extra_tags, &mut kept);
        for (at, removed, inserted) in edits {
            let floor = |text: &str, mut i: usize| { while !text.is_char_boundary(i) { i -= 1; } i };
            let start = floor(&text, (at * text.len() as f64) as usize);
            let old_end = floor(&text, (start + removed).min(text.len())).max(start);
            let inserted: String = inserted.chars().take(8).collect();
            text.replace_range(start..old_end, &inserted);
            let edit = TextEdit { start, old_end, new_end: start + inserted.len() };
            relex(&text, edit, extra_tags, &mut kept.lines);
            group(&text, &mut kept);
            let mut fresh = Parse::default();
            parse_into(&text, extra_tags, &mut fresh);
            prop_assert_eq!(&kept, &fresh);
        }
    }

    #[test]
    fn pieces_parse_as_in_the_whole(text in ris_like()) {
        // Cutting at TY lines must not change what any line is.
        let whole = parse(&text);
        let starts: Vec<usize> = piece_starts(&text).collect();
        let mut kinds = Vec::new();
        for (i, &start) in starts.iter().enumerate() {
            let end = starts.get(i + 1).copied().unwrap_or(text.len());
            let piece = parse(&text[start..end]);
            kinds.extend(piece.lines.iter().map(|l| std::mem::discriminant(&l.kind)));
        }
        let expected: Vec<_> = whole.lines.iter().map(|l| std::mem::discriminant(&l.kind)).collect();
        prop_assert_eq!(kinds, expected);
    }

    #[test]
    fn never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let text = String::from_utf8_lossy(&bytes);
        let parse = parse(&text);
        let total: usize = parse.lines.iter().map(|l| l.span.len()).sum();
        prop_assert_eq!(total, text.len());
        let _ = crate::analysis::check(&text, &Default::default());
    }
}

#[test]
fn line_breaks_are_lf_crlf_and_lone_cr_only() {
    let text = "a\nb\r\nc\rd\u{2028}e\u{85}f";
    let contents: Vec<&str> = split_lines(text).map(|(_, c)| c.text(text)).collect();
    assert_eq!(contents, ["a", "b", "c", "d\u{2028}e\u{85}f"]);
}

#[test]
fn a_bom_is_kept_in_the_first_line_but_not_its_content() {
    let text = "\u{feff}TY  - JOUR\n";
    let parse = parse(text);
    assert_eq!(parse.lines[0].span, Span::new(0, text.len()));
    assert_eq!(parse.lines[0].content.text(text), "TY  - JOUR");
    assert_eq!(parse.records.len(), 1);
}

#[test]
fn a_wrapped_line_starting_with_er_does_not_end_the_record() {
    let text = "TY  - JOUR\nAB  - Endoplasmic reticulum\nER stress responses\nER  - \n";
    let parse = parse(text);
    assert_eq!(parse.lines[2].kind, LineKind::Continuation);
    assert_eq!(parse.records.len(), 1);
    assert_eq!(parse.records[0].end_line, 4);
}

#[test]
fn flattened_fields_keep_every_value() {
    let text = "TY - JOUR T1 - Benefiting the NHS AU - Issa, Hamdi DO - 10.1136/x ER -";
    let parse = parse(text);
    let tag = parse.lines[0].tag().unwrap();
    assert!(tag.flattened && tag.flattened_with_end);
    let fields: Vec<(String, &str)> = embedded_fields(text, tag)
        .iter()
        .map(|f| (String::from_utf8(f.code.to_vec()).unwrap(), f.value.text(text)))
        .collect();
    let expected = [
        ("TY", "JOUR"),
        ("T1", "Benefiting the NHS"),
        ("AU", "Issa, Hamdi"),
        ("DO", "10.1136/x"),
        ("ER", ""),
    ];
    assert_eq!(fields, expected.map(|(a, b)| (a.to_string(), b)));
}

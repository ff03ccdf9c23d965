use proptest::prelude::*;

use super::*;
use crate::analysis::WINDOW;
use crate::checks;

fn check(text: &str) -> Vec<checks::Diagnostic> {
    crate::analysis::check(text, &Rules::default())
}

fn record(i: usize) -> String {
    format!("TY  - JOUR\nAU  - Author {i}, A\nTI  - Title {i}\nPY  - 2021\nDO  - 10.1000/{i}\nER  - \n\n")
}

#[test]
fn an_edit_inside_one_record_reparses_only_that_record() {
    let text: String = (0..1000).map(record).collect();
    let mut document = Document::new(&text, 1);
    assert_eq!(document.last_reparsed, 1000, "one piece per record");
    // Type into the title of record 500.
    let at = text.find("Title 500").unwrap() + 5;
    document.apply(
        vec![Change {
            range: Some(Span::new(at, at)),
            text: "x".into(),
        }],
        2,
    );
    assert_eq!(document.last_reparsed, 1);
    assert_eq!(document.diagnostics(), check(&document.text()));
    // Break the record's TY line: it joins the piece before.
    let ty = text.find("TY  - JOUR\nAU  - Author 500").unwrap();
    document.apply(
        vec![Change {
            range: Some(Span::new(ty, ty + 1)),
            text: "X".into(),
        }],
        3,
    );
    assert!(document.last_reparsed <= 2, "{}", document.last_reparsed);
    assert_eq!(document.diagnostics(), check(&document.text()));
}

/// A text of many windows: opening it, pasting over most of it and typing
/// across a window's edge all give what a full check gives.
#[test]
fn big_texts_are_checked_in_windows_like_the_whole() {
    let record = |i: usize| {
        let defect = match i % 97 {
            0 => "PY  - 21\n",
            1 => "DA  - 2021/02/30\n",
            2 => "DO  - 10.1000/dup\n",
            _ => "",
        };
        format!("TY  - JOUR\nAU  - Author {i}, A\nTI  - Title {i}\n{defect}DO  - 10.1000/{i}\nER  - \n\n")
    };
    let mut text: String = (0..12_000).map(record).collect();
    // A long stretch without records: a window cannot end inside it.
    text.insert_str(text.len() / 3, &"stray text outside any record\n".repeat(20_000));
    assert!(text.len() > 4 * WINDOW, "{}", text.len());
    let mut document = Document::new(&text, 1);
    assert_eq!(document.diagnostics(), check(&text));

    let edit = |document: &mut Document, text: &mut String, range: std::ops::Range<usize>, insert: &str, version| {
        text.replace_range(range.clone(), insert);
        document.apply(
            vec![Change {
                range: Some(Span::new(range.start, range.end)),
                text: insert.to_string(),
            }],
            version,
        );
        assert_eq!(document.text(), *text);
        assert_eq!(document.diagnostics(), check(text));
    };
    // Paste a big block over most of the text.
    let block: String = (50_000..56_000).map(record).collect();
    let end = text.len() - 1000;
    edit(&mut document, &mut text, 100..end, &block, 2);
    // Break the TY line nearest a window's edge, then mend it.
    let ty = WINDOW + text[WINDOW..].find("TY  - ").unwrap();
    edit(&mut document, &mut text, ty..ty + 1, "X", 3);
    edit(&mut document, &mut text, ty..ty + 1, "T", 4);
    // Delete everything.
    let len = text.len();
    edit(&mut document, &mut text, 0..len, "", 5);
    assert!(document.diagnostics().is_empty());
}

/// A quirk on every line: the store keeps a pattern's first finding and
/// the next places, yet shows what a full check shows, and finds whole
/// findings (their fixes) at a cursor anywhere.
#[test]
fn a_quirk_on_every_line_is_kept_once_and_found_whole_at_a_cursor() {
    let record = |i: usize| {
        let lines: String = (0..30).map(|k| format!("N1  -  note {k}\n")).collect();
        format!("TY  -  JOUR\nTI  -  Title {i}\n{lines}ER  -  \n")
    };
    let text: String = (0..40).map(record).collect();
    let document = Document::new(&text, 1);
    assert_eq!(document.diagnostics(), check(&text));
    let shown = document.diagnostics();
    assert_eq!(shown.len(), 1, "{shown:#?}");
    assert_eq!(shown[0].related.len(), checks::MAX_RELATED);
    let kept: usize = document
        .pieces
        .iter()
        .map(|at| at.piece.analysis.diagnostics.len())
        .sum();
    assert!(kept <= 40, "{kept} findings kept of {}", 40 * 33);
    // The 20th note of the 31st record, which its piece kept no finding of.
    let at = text.match_indices("N1  -  note 20").nth(30).unwrap().0;
    let found = document.located_in(Span::new(at, at), Encoding::Utf8);
    let whole: Vec<_> = check_whole(&text)
        .into_iter()
        .filter(|d| d.span.start <= at && at <= d.span.end)
        .collect();
    assert!(!whole.is_empty());
    let found: Vec<_> = found
        .into_iter()
        .map(|l| l.diagnostic.into_owned().shifted(l.offset))
        .collect();
    assert_eq!(found, whole);
    assert!(found.iter().all(|d| d.fix.is_some() && !d.message.is_empty()));
}

/// Edits in a record of over 1 MB (whose parse the store keeps between
/// edits and lexes again only where touched) give what analysing the
/// record afresh gives: typing, line breaks of every kind, wrapped text
/// that turns a loose tag line into text, a `TY` line that cuts the record
/// in two, and its removal.
#[test]
fn edits_in_a_big_record_analyse_as_afresh() {
    let mut text = String::from("TY  - JOUR\nER  - \n\nTY  - JOUR\nTI  - A record of many lines\n");
    for i in 0..24_000 {
        text.push_str(&match i % 500 {
            0 => format!("AB  - Wrapped text {i}\nthat goes on\n"),
            1 => "ER-Positive after it\r\n".to_string(),
            2 => "M1  - The same line\r".to_string(),
            _ => format!("M1  - Cited reference {i}, 2001, J Something 12:34\n"),
        });
    }
    text.push_str("ER  - \nTY  - BOOK\nTI  - After\nER  - \n");
    assert!(text.len() > crate::analysis::KEEP_PARSED);
    let mut document = Document::new(&text, 1);
    let mut seed = 7u64;
    let mut next = |n: usize| {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (seed >> 33) as usize % n
    };
    let mut kept = 0;
    let inserts = [
        "x",
        "\n",
        "\r",
        "\r\n",
        "TY  - JOUR\n",
        "  ",
        "-",
        "M1  - The same line\n",
        "ER-",
        "",
    ];
    for version in 2..60 {
        let big = text.find("A record of many lines").unwrap();
        let find = |needle: &str| big + text[big..].find(needle).unwrap();
        let (at, end, insert) = match version {
            // (The first edit parses the record whole, and the next ones
            // lex again what they touch.) An LF after a lone CR: the two
            // lines become one.
            3 => (find("The same line\r") + 14, find("The same line\r") + 14, "\n"),
            // The wrapped text before a tag line no importer reads as one
            // becomes a year: the line is read as a tag line (an `ER`),
            // then as text again.
            4 | 5 => {
                let (from, to) = if version == 4 {
                    ("that goes on", "PY  - 2001")
                } else {
                    ("PY  - 2001", "that goes on")
                };
                let at = find("AB  - Wrapped text 1000");
                let at = at + text[at..].find(from).unwrap();
                (at, at + from.len(), to)
            }
            _ => {
                let at = big + next(text.len() - big - 40);
                let mut end = at + next(4);
                while !text.is_char_boundary(end) {
                    end += 1;
                }
                (at, end, inserts[next(inserts.len())])
            }
        };
        text.replace_range(at..end, insert);
        document.apply(
            vec![Change {
                range: Some(Span::new(at, end)),
                text: insert.to_string(),
            }],
            version,
        );
        assert_eq!(document.text(), text);
        let pieces: Vec<_> = document
            .pieces
            .iter()
            .map(|at| (at.start, at.piece.analysis.clone()))
            .collect();
        let fresh = crate::analysis::analyze_span(text.as_str(), 0, text.len(), &Rules::default(), Scope::Everything);
        assert_eq!(pieces.len(), fresh.len(), "version {version}");
        for ((start, kept), (fresh_start, fresh)) in pieces.into_iter().zip(fresh) {
            assert_eq!(start, fresh_start, "version {version}");
            // Pieces opened and not edited since have no keys yet.
            kept.key(&text[start..start + kept.len], &mut syntax::Parse::default());
            assert!(*kept == fresh, "version {version}: the piece at byte {start} differs");
        }
        assert_eq!(document.diagnostics(), check(&text), "version {version}");
        kept += usize::from(document.kept_parse.is_some());
    }
    assert!(kept > 40, "the big record's parse was kept after {kept} edits of 58");
}

/// A record too big to analyse again at each cursor keeps every finding
/// of its pattern, and still shows them once.
#[test]
fn a_big_record_with_a_quirk_on_every_line_keeps_its_findings() {
    let lines: String = (0..2_000).map(|k| format!("M1  -  cited {k}\n")).collect();
    let text = format!("TY  -  JOUR\n{lines}ER  -  \nTY  -  JOUR\nTI  -  Small\nN1  -  x\nER  -  \n");
    let document = Document::new(&text, 1);
    let elided: Vec<bool> = document.pieces.iter().map(|at| at.piece.analysis.elided).collect();
    assert_eq!(elided, [false, true]);
    assert_eq!(document.diagnostics(), check(&text));
    let spacing: Vec<_> = document
        .diagnostics()
        .into_iter()
        .filter(|d| d.code == checks::Code::ExtraSpaces)
        .collect();
    assert_eq!(spacing.len(), 1, "the pattern is shown once");
    assert_eq!(spacing[0].related.len(), checks::MAX_RELATED);
}

/// Every finding of a text, none grouped: what [`Scope::Findings`] gives.
fn check_whole(text: &str) -> Vec<checks::Diagnostic> {
    crate::analysis::analyze_span(text, 0, text.len(), &Rules::default(), Scope::Findings)
        .into_iter()
        .flat_map(|(start, analysis)| analysis.diagnostics.into_iter().map(move |d| d.shifted(start)))
        .collect()
}

#[test]
fn duplicate_dois_follow_edits() {
    let mut document = Document::new(
        "TY  - JOUR\nDO  - 10.1000/a\nER  - \nTY  - JOUR\nDO  - 10.1000/b\nER  - \n",
        1,
    );
    assert!(document.diagnostics().is_empty());
    let b = document.text().find("10.1000/b").unwrap() + 8;
    document.apply(
        vec![Change {
            range: Some(Span::new(b, b + 1)),
            text: "a".into(),
        }],
        2,
    );
    let codes: Vec<_> = document.diagnostics().iter().map(|d| d.code).collect();
    assert_eq!(codes, [checks::Code::DuplicateDoi, checks::Code::DuplicateDoi]);
}

#[test]
fn rope_lines_are_lsp_lines() {
    // U+2028 and NEL are not line breaks in LSP; CR, LF and CRLF are.
    let document = Document::new("a\u{2028}b\u{85}c\rd\r\ne\n", 1);
    assert_eq!(document.rope().len_lines(), 4, "a…c, d, e and the empty last line");
    let at = document.position(document.text().find('d').unwrap(), Encoding::Utf16);
    assert_eq!(at, Position { line: 1, character: 0 });
    let at = document.position(document.text().find('c').unwrap(), Encoding::Utf16);
    assert_eq!(at, Position { line: 0, character: 4 });
}

#[test]
fn positions_round_trip_in_both_encodings() {
    let document = Document::new("TI  - é中😀x\r\nAB  - y\n", 1);
    let text = document.text();
    for encoding in [Encoding::Utf8, Encoding::Utf16] {
        // Every character start but the `\n` of a CRLF, which no position names.
        for (offset, _) in text
            .char_indices()
            .filter(|&(i, c)| !(c == '\n' && text[..i].ends_with('\r')))
        {
            let position = document.position(offset, encoding);
            assert_eq!(
                document.offset(position, encoding),
                (offset, false),
                "{encoding:?} at {offset}"
            );
        }
    }
    // Inside a surrogate pair, past a line's end, past the last line: clamped.
    let x = text.find('x').unwrap();
    assert_eq!(
        document.offset(Position { line: 0, character: 9 }, Encoding::Utf16).0,
        x - 4
    );
    assert_eq!(
        document.offset(Position { line: 0, character: 99 }, Encoding::Utf16),
        (text.find('\r').unwrap(), true)
    );
    assert_eq!(
        document.offset(Position { line: 9, character: 0 }, Encoding::Utf8),
        (text.len(), true)
    );
}

fn edits() -> impl Strategy<Value = Vec<(usize, usize, String)>> {
    let insert = prop_oneof![
        Just("TY  - JOUR\n".to_string()),
        Just("ER  - \n".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\r".to_string()),
        Just("DO  - 10.1000/a\n".to_string()),
        Just("T".to_string()),
        Just("Y".to_string()),
        Just(" - ".to_string()),
        Just("é😀".to_string()),
        Just("\r\nTY  - JOURX\r\n".to_string()),
        // Findings of a pattern, shown once per file with their count.
        Just("PU  - Publisher\n".to_string()),
        Just("AU  -  Extra, Spaces\n".to_string()),
        Just("AD  - Somewhere\n".to_string()),
        Just(String::new()),
        "[A-Za-z -]{0,6}".prop_map(|s| s),
    ];
    prop::collection::vec((any::<usize>(), 0usize..12, insert), 1..25)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Random edits through the store give what a full check of the final text gives.
    #[test]
    fn incremental_equals_full(edits in edits()) {
        let start = "Header\nTY  - JOUR\nTI  - One\nDO  - 10.1000/a\nER  - \n\nTY  - BOOK\nTI  - Two\n";
        let mut document = Document::new(start, 0);
        let mut text = start.to_string();
        for (version, (at, len, insert)) in edits.into_iter().enumerate() {
            let mut at = at % (text.len() + 1);
            while !text.is_char_boundary(at) { at -= 1; }
            let mut end = (at + len).min(text.len());
            while !text.is_char_boundary(end) { end -= 1; }
            text.replace_range(at..end, &insert);
            document.apply(vec![Change { range: Some(Span::new(at, end)), text: insert }], version as i32 + 1);
            prop_assert_eq!(document.text(), text.clone());
            prop_assert_eq!(document.diagnostics(), check(&text));
            // At the edit, what hover help and quick fixes read is every
            // finding there, whole, as a full check makes it.
            let found: Vec<_> = document
                .located_in(Span::new(at, at), Encoding::Utf8)
                .into_iter()
                .filter(|l| l.diagnostic.code != checks::Code::DuplicateDoi)
                .map(|l| l.diagnostic.into_owned().shifted(l.offset))
                .collect();
            let whole: Vec<_> = check_whole(&text)
                .into_iter()
                .filter(|d| d.span.start <= at && at <= d.span.end)
                .collect();
            prop_assert_eq!(found, whole);
            // The counts kept through edits are a fresh open's.
            let fresh = Document::new(&text, 0);
            prop_assert_eq!(document.safe_fixes(), fresh.safe_fixes());
            prop_assert_eq!(document.about(), fresh.about());
            // Cached positions equal what the rope says.
            for encoding in [Encoding::Utf8, Encoding::Utf16] {
                for located in document.located_diagnostics(encoding) {
                    let d = located.diagnostic.clone().into_owned().shifted(located.offset);
                    prop_assert_eq!(located.range, (document.position(d.span.start, encoding), document.position(d.span.end, encoding)));
                    for (related, at) in d.related.iter().zip(&located.related) {
                        prop_assert_eq!(*at, (document.position(related.span.start, encoding), document.position(related.span.end, encoding)));
                    }
                }
            }
        }
    }
}

#[test]
fn an_edit_rekeys_only_the_records_it_touched() {
    let text: String = (0..100).map(record).collect();
    let mut document = Document::new(&text, 1);
    // Opened: keyed later, away from the first diagnostics.
    assert!(document.take_unkeyed());
    assert!(document.record_pieces().is_empty());
    assert!(document.snapshot().key_pieces(&document.still_open()));
    assert_eq!(document.record_pieces().len(), 100);
    let _ = document.take_record_changes();

    let at = text.find("Title 50").unwrap() + 5;
    let old = document.piece_id_at(at);
    document.apply(
        vec![Change {
            range: Some(Span::new(at, at)),
            text: "x".into(),
        }],
        2,
    );
    let (removed, added) = document.take_record_changes();
    assert_eq!(removed, [old]);
    assert_eq!(added.len(), 1);
    assert!(!document.take_unkeyed());
    let (first_line, start, records) = document.piece_records(added[0]).unwrap();
    assert_eq!(
        (first_line, start),
        (350, text.find("TY  - JOUR\nAU  - Author 50,").unwrap())
    );
    // The keys an edit makes are those a fresh read of the text makes.
    let fresh = crate::dedupe::keys(&document.text());
    assert_eq!(records[0].key, fresh[50].key);
    assert_eq!(&*records[0].key.title, "titlex 50");
}

#[test]
fn keying_stops_once_the_document_is_gone() {
    let text: String = (0..300).map(record).collect();
    let document = Document::new(&text, 1);
    let (snapshot, open) = (document.snapshot(), document.still_open());
    drop(document);
    assert!(!snapshot.key_pieces(&open));
    assert!(snapshot.pieces().all(|(_, _, analysis)| !analysis.is_keyed()));
}

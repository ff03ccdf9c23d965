//! What the fixtures cannot show: containment, and places in long records.

use super::*;

#[test]
#[cfg(debug_assertions)]
fn a_failing_record_gets_one_internal_error_and_the_others_are_checked() {
    crate::contain::install_hook();
    let text = format!("TY  - JOUR\nPY  - 21\nER  - \nTY  - JOUR\nN1  - {TEST_PANIC}\nER  - \nTY  - JOURX\nER  - \n");
    let found = check(&text, &Rules::default());
    let codes: Vec<Code> = found.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::InvalidYear, Code::InternalError, Code::UnknownType]);
    let internal = &found[1];
    assert!(
        internal.message.contains("a test asked for a panic"),
        "{}",
        internal.message
    );
    assert_eq!(internal.span.text(&text), "TY  - JOUR");
}

#[test]
#[cfg(debug_assertions)]
fn a_big_record_failing_after_an_edit_gets_one_internal_error_and_is_parsed_afresh_next() {
    crate::contain::install_hook();
    let lines: String = (0..40_000)
        .map(|i| format!("M1  - Cited reference {i}, 2001\n"))
        .collect();
    let before = format!("TY  - JOUR\nN1  - x\n{lines}ER  - \n");
    assert!(before.len() >= KEEP_PARSED);
    let mut parse = Parse::default();
    let rules = Rules::default();
    let first = reanalyze(&before, false, &rules, Scope::Everything, &mut parse, None).unwrap();
    assert!(first.internal_error.is_none());
    // The note becomes the test's panic: one RIS099, nothing else.
    let at = before.find("N1  - x").unwrap() + 6;
    let failing = before.replacen("N1  - x", &format!("N1  - {TEST_PANIC}"), 1);
    let edit = syntax::TextEdit {
        start: at,
        old_end: at + 1,
        new_end: at + TEST_PANIC.len(),
    };
    let failed = reanalyze(&failing, false, &rules, Scope::Everything, &mut parse, Some(edit)).unwrap();
    let codes: Vec<Code> = failed.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::InternalError]);
    assert!(failed.internal_error.is_some());
    // Its parse is not kept: the next analysis starts afresh and is whole.
    let mended = reanalyze(&before, false, &rules, Scope::Everything, &mut Parse::default(), None).unwrap();
    assert_eq!(mended, first);
}

#[test]
fn places_are_the_lines_and_columns_of_the_text() {
    let text = "TY  - JOUR\r\nTI  - é😀x\nAB  - a\n  b\rER  - ";
    let parse = syntax::parse(text);
    let x = text.find('x').unwrap();
    assert_eq!(
        place::of(text, &parse, x),
        Place {
            line: 1,
            utf8: 12,
            utf16: 9
        }
    );
    assert_eq!(
        place::of(text, &parse, text.len()),
        Place {
            line: 4,
            utf8: 6,
            utf16: 6
        }
    );
    let with_break = "TY  - JOUR\n";
    let parse = syntax::parse(with_break);
    assert_eq!(
        place::of(with_break, &parse, with_break.len()),
        Place {
            line: 1,
            utf8: 0,
            utf16: 0
        }
    );
    assert_eq!(place::of("", &syntax::parse(""), 0), Place::default());
}

#[test]
fn extra_tags_are_read_as_tags_however_they_are_spaced() {
    let text = "TY  - JOUR\nTI  - title\nNL - loose\nER  - \n";
    let rules = Rules {
        extra_tags: vec![*b"NL"],
        ..Rules::default()
    };
    let codes: Vec<Code> = check(text, &rules).iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::NonstandardSpacing]);
}

#[test]
fn a_record_too_big_for_one_thread_is_analysed_as_a_small_one() {
    // Above PARALLEL_ANALYSIS the checks and the rest run on two threads:
    // the same findings, outline and keys as the same lines would give.
    let mut text = String::from("TY  - JOUR\nTI  - A record of many lines\nPY  - 21\n");
    for i in 0..40_000 {
        text.push_str(&format!("M1  - Cited reference {i}, 2001, J Something 12:34\n"));
    }
    text.push_str("M1  - Cited reference 7, 2001, J Something 12:34\nER  - \n");
    assert!(text.len() >= PARALLEL_ANALYSIS);
    let analysis = analyze(
        &text,
        false,
        &Rules::default(),
        Scope::Everything,
        &mut Parse::default(),
    );
    let codes: Vec<Code> = analysis.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::InvalidYear, Code::RepeatedTag, Code::DuplicateLine]);
    assert_eq!(analysis.places.len(), 3);
    assert_eq!(analysis.places[2].span.0.line, 40_003);
    assert_eq!(analysis.symbols.len(), 1);
    assert_eq!(analysis.keys().len(), 1);
    assert_eq!(analysis.records, 1);
}

#[test]
fn a_panic_on_the_second_thread_keeps_its_message_and_place() {
    crate::contain::install_hook();
    let caught = crate::contain::contained(|| both(true, || -> u8 { panic!("on the other thread") }, || 1));
    let message = caught.expect_err("the panic comes through").message;
    assert!(message.starts_with("on the other thread (at "), "{message}");
    assert!(message.contains("tests.rs"), "{message}");
}

/// A text checked a batch at a time gives what it gives checked whole:
/// each pattern's first finding, count and next places, duplicate DOIs
/// across batches, the exporter and the record count.
#[test]
fn a_text_checked_in_batches_is_checked_as_a_whole() {
    let record = |i: usize| {
        let doi = if i.is_multiple_of(500) {
            "10.1000/same".to_string()
        } else {
            format!("10.1000/{i}")
        };
        let quirk = if i.is_multiple_of(3) {
            "TI - loose spacing\n"
        } else {
            ""
        };
        format!(
            "TY  - JOUR\nDB  - Ovid MEDLINE(R)\nAU  - Author {i}, A\nTI  - Title {i}\n{quirk}PY  - 21\nDO  - {doi}\nER  - \n\n"
        )
    };
    let text: String = (0..20_000).map(record).collect();
    assert!(text.len() > 8 * WINDOW, "{}", text.len());
    let rules = Rules::default();
    let whole = check_in_batches(&text, &rules, text.len() + 1);
    assert!(whole.diagnostics.iter().any(|d| d.message.contains("more like it")));
    assert!(whole.diagnostics.iter().any(|d| d.code == checks::Code::DuplicateDoi));
    assert_eq!((whole.records, whole.exporter), (20_000, Some("Ovid MEDLINE")));
    for batch in [1, WINDOW, 3 * WINDOW] {
        assert_eq!(
            check_in_batches(&text, &rules, batch),
            whole,
            "batches of {batch} bytes"
        );
    }
    assert_eq!(check_file(&text, &rules), whole);
}

//! Unit tests for what the fixtures (`tests/fixtures`) cannot show well.

use super::*;
use crate::analysis::check;
use crate::syntax;

#[test]
fn a_doi_many_times_over_points_at_a_bounded_number_of_copies() {
    let text: String = (0..15)
        .map(|i| {
            format!(
                "TY  - JOUR\nDO  - 10.1000/{}\nER  - \n",
                if i % 2 == 0 { "same" } else { "SAME" }
            )
        })
        .collect();
    let found = check(&text, &Rules::default());
    assert_eq!(found.len(), 15);
    for diagnostic in &found {
        assert_eq!(diagnostic.code, Code::DuplicateDoi);
        assert_eq!(diagnostic.related.len(), MAX_RELATED);
        assert!(
            diagnostic.message.contains("14 other records"),
            "{}",
            diagnostic.message
        );
    }
}

#[test]
fn dois_with_equal_hashes_but_different_text_are_not_duplicates() {
    // Two occurrences forced to share a hash: the keys still tell them apart.
    let text = "TY  - JOUR\nDO  - 10.1000/a\nER  - \nTY  - JOUR\nDO  - 10.1000/b\nER  - \n";
    let parse = syntax::parse(text);
    let mut occurrences = doi_occurrences(text, &parse);
    assert_eq!(occurrences.len(), 2);
    occurrences[1].hash = occurrences[0].hash;
    assert!(duplicate_dois(text, &occurrences, &Rules::default()).is_empty());
}

#[test]
fn shortened_end_pages_expand_only_forward() {
    use super::values::expand_end_page;
    assert_eq!(expand_end_page(806, "7"), Some(807));
    assert_eq!(expand_end_page(1299, "301"), Some(1301));
    assert_eq!(expand_end_page(120, "32"), Some(132));
    // Not shorter, not after the start, or a leading zero: not a short form.
    assert_eq!(expand_end_page(806, "700"), None);
    assert_eq!(expand_end_page(99, "2"), None);
    assert_eq!(expand_end_page(806, "07"), None);
}

#[test]
fn dates_in_other_forms_have_a_ris_form() {
    use super::values::worded_date;
    let form = |v: &str| worded_date(v).and_then(|d| d.ris_form());
    assert_eq!(form("Dec 2020").as_deref(), Some("2020/12//"));
    assert_eq!(form("2020 Dec 15").as_deref(), Some("2020/12/15/"));
    assert_eq!(form("Spring 2019").as_deref(), Some("2019///Spring"));
    assert_eq!(form("Sept. 3, 2001").as_deref(), Some("2001/09/03/"));
    assert_eq!(form("03/2018").as_deref(), Some("2018/03//"));
    assert!(worded_date("SEP").is_some_and(|d| d.ris_form().is_none()));
    assert_eq!(worded_date("the third of May"), None);
    assert_eq!(worded_date("2020 15"), None);
}

#[test]
fn a_repeated_line_is_found_among_lines_sharing_its_key() {
    // Two values whose 32-bit keys are the same, each repeated; a note
    // repeated with other lines after it, then with the same.
    let (a, b) = ("ref 52397", "ref 140705");
    assert_eq!(
        fields::line_hash(*b"M1", a),
        fields::line_hash(*b"M1", b),
        "pick two values whose keys are the same again"
    );
    let text = format!(
        "TY  - JOUR\nM1  - {a}\nM1  - {b}\nM1  - {b}\nM1  - {a}\nN1  - x\n  more\nN1  - x\n  other\nN1  - x\n  other\nER  - \n"
    );
    let parse = syntax::parse(&text);
    let line = |offset: usize| text[..offset].matches('\n').count();
    let repeats: Vec<(usize, usize)> = check_fields(&text, &parse, &Rules::default())
        .into_iter()
        .filter(|d| d.code == Code::DuplicateLine)
        .map(|d| (line(d.span.start), line(d.related[0].span.start)))
        .collect();
    assert_eq!(repeats, [(3, 2), (4, 1), (9, 7)]);
}

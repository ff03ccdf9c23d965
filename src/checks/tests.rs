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

use super::*;

const TEXT: &str = "header line\n\
TY  - JOUR\nID  - r1\nAU  - Zuber, J\nTI  - New insights into postrenal transplant hemolytic uremic syndrome.\n\
T2  - Nat Rev Nephrol\nPY  - 2011\nVL  - 7\nSP  - 23\nEP  - 35\nER  - \n\n\
TY  - JOUR\nID  - r2\nAU  - Zuber, J.\nTI  - New insights into post-renal transplant haemolytic uraemic syndrome\n\
T2  - Nature reviews. Nephrology\nPY  - 2011\nVL  - 7\nSP  - 23\nEP  - 5\nER  - \n\n\
TY  - JOUR\nID  - r3\nAU  - Other, A\nTI  - Something else entirely about kidneys and transplants\n\
T2  - Nat Rev Nephrol\nPY  - 2011\nVL  - 7\nSP  - 40\nER  - \n";

#[test]
fn keys_know_their_lines_and_fields() {
    let keys = keys(TEXT);
    assert_eq!(keys.len(), 3);
    assert_eq!(keys.iter().map(|k| k.line).collect::<Vec<_>>(), [1, 12, 23]);
    assert_eq!(keys[1].key.pages.range, Some((23, 25)));
    assert_eq!(keys[0].key.id.as_deref(), Some("r1"));
    assert!(TEXT[keys[2].span.start..keys[2].span.end].starts_with("TY  - JOUR\nID  - r3"));
    assert!(TEXT[keys[2].span.start..keys[2].span.end].ends_with("ER  - \n"));
}

#[test]
fn find_and_the_index_agree() {
    let located = keys(TEXT);
    let keys: Vec<Key> = located.into_iter().map(Located::into_key).collect();
    let found = find(&keys);
    assert_eq!(found.clusters, vec![vec![0, 1]]);
    let mut index = Index::new();
    let ids: Vec<u32> = keys
        .iter()
        .cloned()
        .map(|k| index.insert(std::sync::Arc::new(k)))
        .collect();
    let matches = index.matches(ids[0]);
    assert_eq!(matches.len(), 1);
    assert_eq!(matches[0].0, ids[1]);
    assert_eq!(matches[0].1.verdict, Verdict::Duplicate);
    index.remove_all(&[ids[1]]);
    assert!(index.matches(ids[0]).is_empty());
    assert_eq!(index.len(), 2);
}

#[test]
fn a_big_text_read_on_several_threads_keeps_every_line_number() {
    // Records of 4 and 5 lines, CRLF and LF, more than one thread's share.
    let mut text = String::new();
    let mut expected = Vec::new();
    let mut line = 0;
    for n in 0..25_000 {
        expected.push((line, format!("r{n}")));
        if n % 2 == 0 {
            text.push_str(&format!(
                "TY  - JOUR\r\nID  - r{n}\r\nTI  - Title number {n}\r\nER  - \r\n"
            ));
            line += 4;
        } else {
            text.push_str(&format!("TY  - JOUR\nID  - r{n}\nTI  - Title number {n}\nER  - \n\n"));
            line += 5;
        }
    }
    let got: Vec<(usize, String)> = keys(&text)
        .into_iter()
        .map(|l| (l.line, l.key.id.as_deref().unwrap().to_string()))
        .collect();
    assert_eq!(got, expected);
}

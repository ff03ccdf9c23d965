//! Merging duplicates into one record that keeps every distinct value:
//! repeatable tags are united, a tag that may appear once takes the first
//! record's value and any other value goes into a note (`N1`), never
//! dropped; so do the other records' IDs.

use super::normalize;
use crate::catalog::{self, Repeat};

/// One record's fields, `(tag, value)`, as [`super::fields`] gives them.
pub type Fields = Vec<([u8; 2], String)>;

/// How a value compares with others of its tag: folded words, and authors
/// by surname and first initial.
fn same_value(code: [u8; 2], a: &str, b: &str) -> bool {
    if is_author(code) {
        return match (normalize::author(a), normalize::author(b)) {
            (Some(x), Some(y)) => x.surname == y.surname && x.initials.chars().next() == y.initials.chars().next(),
            _ => normalize::words(a) == normalize::words(b),
        };
    }
    if &code == b"DO" {
        return normalize::doi(a).is_some() && normalize::doi(a) == normalize::doi(b);
    }
    if matches!(&code, b"TI" | b"T1") {
        return normalize::title(a) == normalize::title(b);
    }
    if matches!(&code, b"PY" | b"Y1") {
        return normalize::year(a).is_some() && normalize::year(a) == normalize::year(b);
    }
    if matches!(&code, b"SP" | b"EP") {
        let digits = |s: &str| s.trim().trim_start_matches('0').to_ascii_lowercase();
        if digits(a) == digits(b) {
            return true;
        }
    }
    normalize::words(a) == normalize::words(b)
}

fn is_author(code: [u8; 2]) -> bool {
    matches!(&code, b"AU" | b"A1" | b"A2" | b"A3" | b"A4")
}

fn repeatable(code: [u8; 2]) -> bool {
    catalog::lookup_tag_bytes(code).is_none_or(|tag| tag.repeat == Repeat::Many)
}

/// The merged fields of `records` (the first is kept as the base: its
/// values win for the tags that may appear once). `TY` and `ER` are the
/// base's; `sources` names each record for the notes (`scopus.ris:120`).
pub fn merge(records: &[Fields], sources: &[String]) -> Fields {
    let Some((base, others)) = records.split_first() else {
        return Vec::new();
    };
    let mut out: Fields = base.iter().filter(|(c, _)| c != b"ER").cloned().collect();
    let mut notes: Vec<String> = Vec::new();
    for (n, record) in others.iter().enumerate() {
        let source = sources.get(n + 1).map_or("", String::as_str);
        for (code, value) in record {
            if matches!(code, b"TY" | b"ER") || value.trim().is_empty() {
                continue;
            }
            let existing: Vec<usize> = (0..out.len()).filter(|&i| out[i].0 == *code).collect();
            if let Some(&i) = existing.iter().find(|&&i| same_value(*code, &out[i].1, value)) {
                // The same value; keep the fuller spelling (`Zhou, Xiangdong`
                // over `Zhou, X.`).
                if is_author(*code) && out[i].1.trim().len() < value.trim().len() {
                    out[i].1 = value.clone();
                }
                continue;
            }
            if existing.is_empty() {
                out.push((*code, value.clone()));
            } else if repeatable(*code) {
                let after = existing.last().copied().unwrap_or(out.len() - 1);
                out.insert(after + 1, (*code, value.clone()));
            } else {
                let tag = String::from_utf8_lossy(code);
                let from = if source.is_empty() {
                    String::new()
                } else {
                    format!(" ({source})")
                };
                notes.push(format!("Merged duplicate{from}: {tag}  - {}", value.trim()));
            }
        }
    }
    for note in notes {
        out.push((*b"N1", note));
    }
    out.push((*b"ER", String::new()));
    out
}

/// One record to merge: its text (the `TY` line to the `ER` line) and the
/// name the notes give it (`scopus.ris:120`).
pub struct Source<'a> {
    pub record: &'a str,
    pub name: String,
}

/// The fields of the first record of `record_text` with a `TY` line.
pub fn record_fields(record_text: &str) -> Fields {
    let parse = crate::syntax::parse(record_text);
    parse
        .records
        .iter()
        .find(|r| r.has_type)
        .map(|record| {
            super::fields(record_text, &parse, record)
                .into_iter()
                .map(|(code, value)| (code, value.into_owned()))
                .collect()
        })
        .unwrap_or_default()
}

/// The RIS text of `sources` merged into the first (see [`merge`]),
/// `line_break` after each line: what `dedupe --out` writes for a cluster
/// and what the editor's merge action puts in place of its record.
pub fn merged_text(sources: &[Source], line_break: &str) -> String {
    let records: Vec<Fields> = sources.iter().map(|s| record_fields(s.record)).collect();
    let names: Vec<String> = sources.iter().map(|s| s.name.clone()).collect();
    let mut out = String::new();
    write(&merge(&records, &names), line_break, &mut out);
    out
}

/// What removing the record at `span` of `text` takes away: the record
/// and the blank lines after it, up to the start of the next line with
/// text (its leading spaces kept), or to the end of the text.
pub fn removal(text: &str, span: crate::syntax::Span) -> crate::syntax::Span {
    let rest = &text[span.end..];
    let blank = rest.len() - rest.trim_start_matches(['\n', '\r', ' ', '\t']).len();
    let end = if span.end + blank < text.len() {
        span.end + rest[..blank].rfind(['\n', '\r']).map_or(0, |i| i + 1)
    } else {
        span.end + blank
    };
    crate::syntax::Span::new(span.start, end)
}

/// RIS text of `fields`: `XX  - value` lines, `line_break` between them.
pub fn write(fields: &Fields, line_break: &str, out: &mut String) {
    for (code, value) in fields {
        out.push_str(&String::from_utf8_lossy(code));
        out.push_str("  - ");
        out.push_str(value.trim());
        out.push_str(line_break);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(lines: &[(&str, &str)]) -> Fields {
        lines
            .iter()
            .map(|(c, v)| ([c.as_bytes()[0], c.as_bytes()[1]], v.to_string()))
            .collect()
    }

    #[test]
    fn merging_keeps_every_distinct_value() {
        let a = record(&[
            ("TY", "JOUR"),
            ("ID", "a1"),
            ("AU", "Zhou, X."),
            ("TI", "A study"),
            ("PY", "2002"),
            ("KW", "pleurisy"),
            ("ER", ""),
        ]);
        let b = record(&[
            ("TY", "JOUR"),
            ("ID", "b7"),
            ("AU", "Zhou, Xiangdong"),
            ("AU", "Lan, Jian"),
            ("TI", "A study."),
            ("PY", "2003"),
            ("KW", "tuberculosis"),
            ("DO", "10.1000/xyz"),
            ("ER", ""),
        ]);
        let merged = merge(&[a, b], &["a.ris:1".into(), "b.ris:9".into()]);
        let mut text = String::new();
        write(&merged, "\n", &mut text);
        assert_eq!(
            text,
            "TY  - JOUR\nID  - a1\nAU  - Zhou, Xiangdong\nAU  - Lan, Jian\nTI  - A study\nPY  - 2002\n\
             KW  - pleurisy\nKW  - tuberculosis\nDO  - 10.1000/xyz\n\
             N1  - Merged duplicate (b.ris:9): ID  - b7\nN1  - Merged duplicate (b.ris:9): PY  - 2003\nER  - \n"
        );
    }

    #[test]
    fn removing_a_copy_takes_its_blank_lines_but_not_the_next_record() {
        use crate::syntax::Span;
        let text = "TY  - JOUR\nER  - \n\n  \n  TY  - BOOK\nER  - \n\n";
        let first = Span::new(0, 18);
        assert_eq!(
            removal(text, first),
            Span::new(0, 22),
            "up to the spaces before the next TY"
        );
        let last = Span::new(24, 42);
        assert_eq!(&text[last.start..last.end], "TY  - BOOK\nER  - \n");
        assert_eq!(removal(text, last), Span::new(24, text.len()), "to the end of the text");
    }
}

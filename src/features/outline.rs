//! Navigation over a parsed piece: one symbol per record, folding ranges,
//! links for DOIs and URLs, and inlay hints naming what a generic tag means
//! in its record's type. `analysis` keeps them per piece.

use crate::catalog;
use crate::checks::values;
use crate::syntax::{LineKind, Parse, Span};

/// One record as an outline entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordSymbol {
    /// `JOUR · Issa 2021 · Benefiting the NHS…`.
    pub name: String,
    /// The type's name.
    pub detail: &'static str,
    /// The whole record.
    pub span: Span,
    /// Its `TY` line's tag (what the editor selects).
    pub selection: Span,
}

fn short(value: &str, max: usize) -> String {
    if value.chars().count() <= max {
        value.to_string()
    } else {
        let mut out: String = value.chars().take(max).collect();
        out.push('…');
        out
    }
}

/// The records of `text` (parsed as `parse`) as outline entries.
pub fn symbols(text: &str, parse: &Parse) -> Vec<RecordSymbol> {
    let mut out = Vec::with_capacity(parse.records.len());
    for record in &parse.records {
        let lines = &parse.lines[record.line_range()];
        let ty = parse.record_type(text, record).unwrap_or("?");
        // The first title, author and year, in one pass over the record.
        let (mut title, mut author, mut year) = (None, None, None);
        for tag in lines.iter().filter_map(|l| l.tag()) {
            let slot = match &tag.code {
                b"TI" | b"T1" | b"CT" | b"BT" => &mut title,
                b"AU" | b"A1" | b"A2" => &mut author,
                b"PY" | b"Y1" | b"DA" => &mut year,
                _ => continue,
            };
            slot.get_or_insert(tag.value.text(text));
        }
        let title = title.unwrap_or("(no title)");
        let author = author.map(|a: &str| a.split(',').next().unwrap_or(a).trim());
        let year = year.map(|y: &str| y.get(..4).unwrap_or(y));
        let mut name = ty.to_string();
        for part in [author, year].into_iter().flatten() {
            name.push_str(if name.len() == ty.len() { " · " } else { " " });
            name.push_str(part);
        }
        name.push_str(" · ");
        name.push_str(&short(title, 60));
        let first = &lines[0];
        let last = &lines[lines.len() - 1];
        out.push(RecordSymbol {
            name,
            detail: catalog::lookup_type(catalog::canonical_type(ty)).map_or("Record", |t| t.name),
            span: Span::new(first.content.start, last.content.end),
            selection: first.tag().map_or(first.content, |t| t.tag),
        });
    }
    out
}

/// What workspace symbol search looks in for each record of `text`: its
/// titles, authors and DOI.
pub fn search_texts(text: &str, parse: &Parse) -> Vec<String> {
    parse
        .records
        .iter()
        .map(|record| {
            let wanted = |code: &[u8; 2]| {
                matches!(
                    code,
                    b"TI" | b"T1" | b"CT" | b"BT" | b"AU" | b"A1" | b"A2" | b"A3" | b"A4" | b"DO"
                )
            };
            let values: Vec<&str> = parse.lines[record.line_range()]
                .iter()
                .filter_map(|l| l.tag())
                .filter(|t| wanted(&t.code))
                .map(|t| t.value.text(text))
                .collect();
            values.join(" ")
        })
        .collect()
}

/// Folding ranges as `(first line, last line)` (0-based): each record, and
/// each value that runs over three lines or more (long abstracts).
pub fn folding(parse: &Parse) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for record in &parse.records {
        if record.end_line - record.first_line > 1 {
            out.push((record.first_line, record.end_line - 1));
        }
        let mut i = record.first_line;
        while i < record.end_line {
            let mut end = i;
            if matches!(parse.lines[i].kind, LineKind::Tag(_)) {
                while end + 1 < record.end_line && matches!(parse.lines[end + 1].kind, LineKind::Continuation) {
                    end += 1;
                }
            }
            if end - i >= 2 {
                out.push((i, end));
            }
            i = end + 1;
        }
    }
    out
}

/// Links: `DO` values to `https://doi.org/…`, and each URL in `UR`, `L1`–`L4`.
pub fn links(text: &str, parse: &Parse) -> Vec<(Span, String)> {
    let mut out = Vec::new();
    for line in &parse.lines {
        let Some(tag) = line.tag() else { continue };
        let value = tag.value.text(text);
        match &tag.code {
            b"DO" => {
                if let Some(bare) = values::bare_doi(value) {
                    let start = tag.value.end - bare.len();
                    out.push((Span::new(start, tag.value.end), format!("https://doi.org/{bare}")));
                }
            }
            b"UR" | b"L1" | b"L2" | b"L3" | b"L4" => {
                let mut offset = 0;
                for part in value.split(';') {
                    let trimmed = part.trim();
                    let start = tag.value.start + offset + (part.len() - part.trim_start().len());
                    offset += part.len() + 1;
                    let lower = trimmed.to_ascii_lowercase();
                    if ["http://", "https://", "ftp://", "file:"]
                        .iter()
                        .any(|s| lower.starts_with(s))
                    {
                        out.push((Span::new(start, start + trimmed.len()), trimmed.to_string()));
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Inlay hints `(offset, label)`: at the end of a tag line whose meaning the 2011 tables
/// give for this record's type in particular, that meaning
/// (`T2` → "Journal" in `JOUR`, "Series Title" in `BOOK`).
pub fn inlay_hints(text: &str, parse: &Parse) -> Vec<(usize, &'static str)> {
    let mut out = Vec::new();
    for record in &parse.records {
        let Some(ty) = parse.record_type(text, record) else {
            continue;
        };
        let standard = catalog::canonical_type(ty);
        if catalog::lookup_type(standard).is_none() {
            continue;
        }
        // Each tag's label, looked up once per record: Ovid writes thousands
        // of `M1` lines into one.
        let mut known: Vec<([u8; 2], Option<&'static str>)> = Vec::new();
        for line in &parse.lines[record.line_range()] {
            let Some(tag) = line.tag() else { continue };
            let label = match known.iter().find(|(code, _)| *code == tag.code) {
                Some(&(_, label)) => label,
                None => {
                    let label = specific_label(tag.code, standard);
                    known.push((tag.code, label));
                    label
                }
            };
            // At the end of the line: between tag and separator it would
            // split what the eye reads as one token.
            if let Some(label) = label {
                out.push((line.content.end, label));
            }
        }
    }
    out
}

/// What tag `code` means in type `standard` in particular, when the 2011
/// tables say and it differs from the generic meaning (which needs no hint).
fn specific_label(code: [u8; 2], standard: &str) -> Option<&'static str> {
    let info = catalog::lookup_tag_bytes(code)?;
    let (label, _) = info.labels.iter().find(|(_, types)| types.contains(&standard))?;
    (!label.eq_ignore_ascii_case(info.name)).then_some(*label)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "TY  - JOUR\nAU  - Issa, Hamdi\nTI  - Benefiting the NHS\nT2  - BMJ\nPY  - 2021\nDO  - https://doi.org/10.1136/x\nAB  - one\n  two\n  three\nUR  - https://a.org; www.b.org\nER  - \n\nTY  - BOOK\nT2  - Series\nER  - \n";

    fn parse() -> Parse {
        crate::syntax::parse(TEXT)
    }

    #[test]
    fn symbol_names_read_type_author_year_title() {
        let symbols = symbols(TEXT, &parse());
        assert_eq!(symbols[0].name, "JOUR · Issa 2021 · Benefiting the NHS");
        assert_eq!(symbols[0].detail, "Journal article");
        assert!(search_texts(TEXT, &parse())[0].contains("10.1136/x"));
        assert_eq!(symbols[1].name, "BOOK · (no title)");
    }

    #[test]
    fn folds_records_and_long_values() {
        assert_eq!(folding(&parse()), [(0, 10), (6, 8), (12, 14)]);
    }

    #[test]
    fn links_dois_and_urls() {
        let links: Vec<String> = links(TEXT, &parse()).into_iter().map(|(_, url)| url).collect();
        assert_eq!(links, ["https://doi.org/10.1136/x", "https://a.org"]);
    }

    #[test]
    fn hints_name_type_specific_meanings() {
        let hints: Vec<&str> = inlay_hints(TEXT, &parse())
            .into_iter()
            .map(|(_, label)| label)
            .collect();
        assert_eq!(hints, ["Journal", "Series Title"]);
    }
}

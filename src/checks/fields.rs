//! Field-level checks within each record: the type, repeats, empty values and
//! the shape of values (DOI, dates, ISSN/ISBN, links, pages).

use super::values::{self, DateProblem, DoiShape, YearProblem};
use super::{Code, Diagnostic, Edit, Related, Rules};
use crate::catalog::{self, Repeat, TypeStatus, ValueFormat};
use crate::syntax::{Parse, Record, Span, TagLine};

pub(super) fn check<'p>(text: &'p str, parse: &'p Parse, rules: &Rules, out: &mut Vec<Diagnostic>) {
    // Buffers reused from record to record: no allocation per record.
    let mut scratch = Scratch::default();
    for record in &parse.records {
        check_record(text, parse, record, rules, &mut scratch, out);
    }
}

/// Per-record working lists, kept across records to save allocations.
#[derive(Default)]
struct Scratch<'p> {
    tags: Vec<&'p TagLine>,
    /// The line index of each of `tags`: found by a search per tag, it
    /// cost more than all other work on a record of 40,000 lines.
    lines: Vec<usize>,
    repeats: Vec<Repeated<'p>>,
    /// The first line of each tag and value seen, built once a record has
    /// a repeated tag: finding an earlier copy is then a lookup, not a scan
    /// (Ovid writes thousands of `M1` lines into one record).
    /// Keyed by 32 bits of a hash of tag and value, and giving the line's
    /// place in `tags`: eight bytes an entry, so that the table of a record
    /// of 40,000 lines stays in the cache (sixteen bytes an entry made each
    /// insertion a cache miss, half the cost of checking such a record).
    first_by_value: std::collections::HashMap<u32, u32, super::FastHash>,
    /// The other lines whose key a line in `first_by_value` already had
    /// (another value with the same 32 bits, or the same first line with
    /// other lines after it), in order: a key shared by chance once in
    /// 40,000 lines cost a search through every earlier line on each
    /// analysis of such a record.
    shared_keys: std::collections::HashMap<u32, Vec<u32>, super::FastHash>,
}

/// The key of a tag line in [`Scratch::first_by_value`]; two lines with
/// one key are compared before they are called the same.
pub(super) fn line_hash(code: [u8; 2], value: &str) -> u32 {
    use std::hash::Hasher;
    // The code as the seed and the value's bytes alone: hashing the pair
    // as a tuple cost twice as much.
    let mut hasher = rustc_hash::FxHasher::with_seed(usize::from(u16::from_le_bytes(code)));
    hasher.write(value.as_bytes());
    let hash = hasher.finish();
    (hash >> 32) as u32 ^ hash as u32
}

/// Adds the line at `position` among a record's tags, whose key is `key`,
/// to the lines a later one may repeat.
fn add_line(
    first_by_value: &mut std::collections::HashMap<u32, u32, super::FastHash>,
    shared_keys: &mut std::collections::HashMap<u32, Vec<u32>, super::FastHash>,
    key: u32,
    position: usize,
) {
    match first_by_value.entry(key) {
        std::collections::hash_map::Entry::Occupied(_) => shared_keys.entry(key).or_default().push(position as u32),
        std::collections::hash_map::Entry::Vacant(place) => {
            place.insert(position as u32);
        }
    }
}

/// A tag that may appear once, repeated in a record.
struct Repeated<'p> {
    info: &'static catalog::TagInfo,
    first: &'p TagLine,
    second: &'p TagLine,
    /// How many lines after the first.
    extra: usize,
}

fn check_record<'p>(
    text: &'p str,
    parse: &'p Parse,
    record: &Record,
    rules: &Rules,
    scratch: &mut Scratch<'p>,
    out: &mut Vec<Diagnostic>,
) {
    let Scratch {
        tags,
        lines,
        repeats,
        first_by_value,
        shared_keys,
    } = scratch;
    tags.clear();
    lines.clear();
    repeats.clear();
    first_by_value.clear();
    shared_keys.clear();
    tags.reserve(record.line_range().len());
    lines.reserve(record.line_range().len());
    for (line, index) in parse.lines[record.line_range()].iter().zip(record.line_range()) {
        if let Some(tag) = line.tag() {
            tags.push(tag);
            lines.push(index);
        }
    }
    let tags = &*tags;
    let Some(first) = tags.first() else { return };
    if first.flattened {
        return; // One diagnostic for the whole line; its fields are checked once split.
    }
    let ty = if record.has_type {
        check_type(text, first, rules, out)
    } else {
        None
    };
    if record.has_type {
        required_tags(text, first, tags, rules, out);
    }
    let ty = ty.unwrap_or("GEN");

    // Which codes were seen, one bit each: most tags appear once, and then
    // the searches for an earlier copy below are skipped.
    let mut seen_codes = [0u64; 15];
    let (mut start_page, mut end_page) = (None, None);
    let mut has_doi = false;
    for (position, (&tag, &index)) in tags.iter().zip(lines.iter()).enumerate() {
        let code = tag.code;
        if &code == b"TY" || &code == b"ER" {
            continue;
        }
        let value = tag.value.text(text);
        let info = catalog::lookup_tag_bytes(code);
        let bit = usize::from(code[0].wrapping_sub(b'A')) * 36
            + usize::from(if code[1].is_ascii_digit() {
                26 + code[1] - b'0'
            } else {
                code[1].wrapping_sub(b'A')
            });
        let (word, mask) = ((bit / 64).min(14), 1u64 << (bit % 64));
        let first_time = seen_codes[word] & mask == 0;
        seen_codes[word] |= mask;
        // Not for names (two co-authors may share one: `Wang, Wei`) nor
        // keywords (a set in every importer): there a repeat is no mistake.
        let may_repeat_value = &code == b"KW" || info.is_some_and(|i| i.format == ValueFormat::Name);
        // A field's value is its tag line's and its continuation lines':
        // two fields are the same only when all of it is. Earlier lines are
        // found by their first line's value, a lookup (Ovid writes thousands
        // of `M1` lines into one record), then compared whole.
        let repeated_line = if !first_time && !may_repeat_value {
            if first_by_value.is_empty() {
                first_by_value.reserve(tags.len());
                for (at, earlier) in tags[..position].iter().enumerate() {
                    if !matches!(&earlier.code, b"TY" | b"ER") {
                        add_line(
                            first_by_value,
                            shared_keys,
                            line_hash(earlier.code, earlier.value.text(text)),
                            at,
                        );
                    }
                }
            }
            let key = line_hash(code, value);
            let first = match first_by_value.entry(key) {
                std::collections::hash_map::Entry::Occupied(first) => Some(*first.get()),
                std::collections::hash_map::Entry::Vacant(place) => {
                    place.insert(position as u32);
                    None
                }
            };
            match first {
                Some(first) => {
                    let rest = super::continuations(text, parse, index);
                    let same = |&at: &u32| {
                        let t = tags[at as usize];
                        t.code == code
                            && t.value.text(text) == value
                            && super::continuations(text, parse, super::line_of(parse, t.tag.start)) == rest
                    };
                    // The first such line is never a repeat itself.
                    let earlier = std::iter::once(&first)
                        .chain(shared_keys.get(&key).into_iter().flatten())
                        .find(|at| same(at))
                        .copied();
                    if earlier.is_none() {
                        shared_keys.entry(key).or_default().push(position as u32);
                    }
                    earlier.map(|at| tags[at as usize])
                }
                None => None,
            }
        } else {
            None
        };
        if let Some(earlier) = repeated_line {
            out.push(
                Diagnostic::new(
                    Code::DuplicateLine,
                    tag.tag,
                    if super::field_lines(parse, index).len() > 1 {
                        format!(
                            "`{}  - {value}` is already in this record, with the same lines after it",
                            tag.code_str()
                        )
                    } else {
                        format!("`{}  - {value}` is already in this record", tag.code_str())
                    },
                )
                .recurring(&code)
                .with_related(earlier.tag, "first here")
                .with_fix(
                    "Remove the duplicate field",
                    vec![Edit {
                        span: super::field_span(parse, index),
                        text: String::new(),
                    }],
                    super::removes_cleanly(text, super::field_span(parse, index)),
                ),
            );
            continue;
        }
        if let Some(info) = info.filter(|i| i.repeat == Repeat::Once && !first_time) {
            // One finding per tag and record, on its first repeat: Ovid
            // writes each cited reference as an `M1` line, and thirty
            // identical warnings would bury the record's other findings.
            // The catalogue's entries are compared by address: a string
            // comparison per line was a tenth of such a record's checks.
            match repeats.iter_mut().find(|r| std::ptr::eq(r.info, info)) {
                Some(repeat) => repeat.extra += 1,
                None => {
                    if let Some(&earlier) = tags[..position].iter().find(|t| t.code == code) {
                        repeats.push(Repeated {
                            info,
                            first: earlier,
                            second: tag,
                            extra: 1,
                        });
                    }
                }
            }
        }
        if first_time && !first_by_value.is_empty() {
            add_line(first_by_value, shared_keys, line_hash(code, value), position);
        }
        if value.is_empty() && super::field_lines(parse, index).len() > 1 {
            // Its value is on the lines that follow (`KW  - ` then
            // `  second keyword`): not empty, and no shape to check.
            continue;
        }
        if value.is_empty() {
            out.push(
                Diagnostic::new(Code::EmptyValue, tag.tag, format!("`{}` has no value", tag.code_str()))
                    .recurring(&code)
                    .with_fix(
                        "Remove the empty line",
                        vec![Edit {
                            span: super::removal(text, parse.lines[index].span),
                            text: String::new(),
                        }],
                        super::removes_cleanly(text, parse.lines[index].span),
                    ),
            );
            continue;
        }
        let Some(info) = info else { continue };
        match info.format {
            ValueFormat::Doi => {
                has_doi |= &code == b"DO";
                check_doi(tag, value, out);
            }
            ValueFormat::Year => check_year(tag, value, out),
            ValueFormat::Date => check_date(tag, value, super::field_lines(parse, index).len() > 1, out),
            ValueFormat::StandardNumber => check_standard_number(tag, value, ty, out),
            ValueFormat::Link => check_link(tag, value, out),
            ValueFormat::Page if &code == b"SP" => start_page = Some((tag, values::page_number(value))),
            ValueFormat::Page if &code == b"EP" => end_page = Some((tag, values::page_number(value))),
            _ => {}
        }
    }
    for repeat in repeats.drain(..) {
        let message = match repeat.extra {
            1 => format!(
                "`{}` ({}) may appear once per record: importers keep the first value and drop this one",
                repeat.info.code, repeat.info.name
            ),
            extra => format!(
                "`{}` ({}) may appear once per record but is here {} times: importers keep the first value and drop the other {extra}",
                repeat.info.code,
                repeat.info.name,
                extra + 1
            ),
        };
        out.push(
            Diagnostic::new(Code::RepeatedTag, repeat.second.tag, message)
                .recurring(&repeat.info.code.as_bytes()[..2])
                .with_related(repeat.first.tag, "first value here"),
        );
    }
    if let (Some((sp, Some(start))), Some((ep, Some(end)))) = (start_page, end_page)
        && end < start
    {
        out.push(match values::expand_end_page(start, ep.value.text(text)) {
            // MEDLINE's `806-7`: the last digits of the end page.
            Some(full) => Diagnostic::new(
                Code::AbbreviatedPages,
                ep.value,
                format!("the end page `{end}` is short for {full} (pages {start}–{full}), as MEDLINE writes ranges"),
            )
            .recurring(b"")
            .with_related(sp.value, "start page here")
            .with_fix(
                format!("Write the end page in full: `{full}`"),
                vec![Edit {
                    span: ep.value,
                    text: full.to_string(),
                }],
                false,
            ),
            None => Diagnostic::new(
                Code::EndPageBeforeStart,
                ep.value,
                format!("the end page {end} comes before the start page {start}"),
            )
            .with_related(sp.value, "start page here"),
        });
    }
    if !has_doi {
        doi_elsewhere(text, parse, tags, out);
    }
}

/// The tags the configuration requires for this record's type.
fn required_tags(text: &str, first: &TagLine, tags: &[&TagLine], rules: &Rules, out: &mut Vec<Diagnostic>) {
    let ty = first.value.text(text).to_ascii_uppercase();
    let Some((_, needed)) = rules.required.iter().find(|(required, _)| *required == ty) else {
        return;
    };
    let missing: Vec<&str> = needed
        .iter()
        .filter(|code| !tags.iter().any(|t| t.code == **code))
        .map(|code| std::str::from_utf8(code).unwrap_or("??"))
        .collect();
    if !missing.is_empty() {
        out.push(Diagnostic::new(
            Code::MissingRequiredTag,
            first.value,
            format!(
                "this {ty} record has no {} (required by the configuration)",
                missing.join(", ")
            ),
        ));
    }
}

impl Diagnostic {
    fn with_related(mut self, span: Span, message: &str) -> Self {
        self.related.push(Related {
            span,
            message: message.to_string(),
        });
        self
    }
}

/// Checks the `TY` value; returns the standard type code when it is known.
fn check_type(text: &str, tag: &TagLine, rules: &Rules, out: &mut Vec<Diagnostic>) -> Option<&'static str> {
    let value = tag.value.text(text);
    if value.is_empty() {
        out.push(Diagnostic::new(
            Code::UnknownType,
            tag.tag,
            "the reference type is missing: write a type such as `JOUR` after `TY  - `",
        ));
        return None;
    }
    if let Some(known) = catalog::lookup_type(value) {
        if let TypeStatus::Alias(standard) = known.status {
            out.push(
                Diagnostic::new(
                    Code::TypeAlias,
                    tag.value,
                    format!(
                        "`{value}` is not a standard type; the standard code for {} is `{standard}`",
                        known.name.to_lowercase()
                    ),
                )
                .recurring(value.as_bytes())
                .with_fix(
                    format!("Change to `{standard}`"),
                    vec![Edit {
                        span: tag.value,
                        text: standard.into(),
                    }],
                    false,
                ),
            );
        }
        return Some(catalog::canonical_type(known.code))
            .map(|c| catalog::lookup_type(c).map_or(known.code, |t| t.code));
    }
    let upper = value.to_ascii_uppercase();
    if rules.extra_types.contains(&upper) {
        return None;
    }
    if let Some(known) = catalog::lookup_type(&upper) {
        out.push(
            Diagnostic::new(
                Code::LowercaseType,
                tag.value,
                format!("reference types are uppercase: `{value}` should be `{}`", known.code),
            )
            .recurring(value.as_bytes())
            .with_fix(
                format!("Change to `{}`", known.code),
                vec![Edit {
                    span: tag.value,
                    text: known.code.into(),
                }],
                true,
            ),
        );
        return Some(known.code);
    }
    let mut diagnostic = Diagnostic::new(
        Code::UnknownType,
        tag.value,
        format!("`{value}` is not a RIS reference type: Zotero imports the record as a journal article"),
    )
    .recurring(value.as_bytes());
    if let Some(suggestion) = suggest_type(&upper) {
        diagnostic.message.push_str(&format!(
            "; did you mean `{}` ({})?",
            suggestion.code,
            suggestion.name.to_lowercase()
        ));
        diagnostic = diagnostic.with_fix(
            format!("Change to `{}`", suggestion.code),
            vec![Edit {
                span: tag.value,
                text: suggestion.code.into(),
            }],
            false,
        );
    }
    out.push(diagnostic);
    None
}

/// The standard type closest to an unknown code: one it starts with or that
/// starts with it (`JOURNAL` → `JOUR`), else the nearest by edit distance (≤ 2).
fn suggest_type(upper: &str) -> Option<&'static catalog::RefType> {
    let standard = || {
        catalog::TYPES
            .iter()
            .filter(|t| !matches!(t.status, TypeStatus::Alias(_)))
    };
    if let Some(t) = standard()
        .filter(|t| upper.starts_with(t.code) || t.code.starts_with(upper))
        .max_by_key(|t| t.code.len())
    {
        return Some(t);
    }
    standard()
        .map(|t| (edit_distance(upper, t.code), t))
        .filter(|&(d, _)| d <= 2)
        .min_by_key(|&(d, _)| d)
        .map(|(_, t)| t)
}

/// Levenshtein distance over bytes; inputs are short type codes.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, &ca) in a.iter().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let next = (diagonal + usize::from(ca != cb)).min(row[j] + 1).min(row[j + 1] + 1);
            diagonal = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

fn check_doi(tag: &TagLine, value: &str, out: &mut Vec<Diagnostic>) {
    match values::doi_shape(value) {
        DoiShape::Bare => {}
        DoiShape::Wrapped(at) => {
            let bare = &value[at..];
            out.push(
                Diagnostic::new(
                    Code::DoiNotBare,
                    tag.value,
                    format!(
                        "`{}` should hold the bare DOI `{bare}`, without URL or prefix (Zotero reads the DOI out of it; rispy keeps it as written)",
                        tag.code_str()
                    ),
                )
                .recurring(value[..at].trim().to_ascii_lowercase().as_bytes())
                .with_fix(
                    format!("Use the bare DOI `{bare}`"),
                    vec![Edit {
                        span: Span::new(tag.value.start, tag.value.start + at),
                        text: String::new(),
                    }],
                    true,
                ),
            );
        }
        DoiShape::Whitespace => {
            let joined: String = value.split_whitespace().collect();
            out.push(
                Diagnostic::new(
                    Code::DoiWhitespace,
                    tag.value,
                    "this DOI contains white space, which no DOI has",
                )
                // A guess: `10.1/x [doi]` (PubMed's label) or two DOIs on
                // one line are not one DOI with a space in it.
                .with_fix(
                    format!("Remove the white space: `{joined}`"),
                    vec![Edit {
                        span: tag.value,
                        text: joined,
                    }],
                    false,
                ),
            );
        }
        DoiShape::Invalid => out.push(Diagnostic::new(
            Code::InvalidDoi,
            tag.value,
            format!("`{value}` is not a DOI: a DOI reads `10.<registrant>/<suffix>`"),
        )),
    }
}

fn check_year(tag: &TagLine, value: &str, out: &mut Vec<Diagnostic>) {
    let (code, message) = match values::check_year(value) {
        Ok(()) => return,
        // No year, said in a placeholder: nothing to lose, like an empty value.
        Err(YearProblem::NoYear) => (
            Code::EmptyValue,
            format!(
                "`{value}` stands for no year: importers read none, as meant; leave `PY` out when the year is unknown"
            ),
        ),
        // The 2001 specification's `PY`: Zotero reads the date from it.
        Err(YearProblem::FullDate) => (
            Code::DateNotRisForm,
            format!(
                "`PY` holds the year only (`{}`); the full date `{value}` goes in `DA` (Zotero reads it either way)",
                &value[..4]
            ),
        ),
        Err(YearProblem::Malformed) => (
            Code::InvalidYear,
            format!("`{value}` is not a four-digit year: Zotero reads no year from it"),
        ),
    };
    out.push(Diagnostic::new(code, tag.value, message).recurring(values::shape(value).as_bytes()));
}

/// `continued` when the value goes on on the next lines: then it is not
/// just the date of its first line, and rewriting that is no fix.
fn check_date(tag: &TagLine, value: &str, continued: bool, out: &mut Vec<Diagnostic>) {
    match values::check_date(value) {
        Ok(()) => {}
        Err(DateProblem::Malformed) if let Some(date) = values::worded_date(value) => {
            let mut diagnostic = Diagnostic::new(
                Code::DateNotRisForm,
                tag.value,
                match date.ris_form() {
                    Some(form) => format!("`{value}` is a date in another form than RIS's; the RIS form is `{form}` (Zotero reads both)"),
                    None => format!(
                        "`{value}` is a date in words without a year; the RIS form is `YYYY/MM/DD/other` (Zotero reads both)"
                    ),
                },
            )
            .recurring(&tag.code);
            if let Some(form) = date.ris_form().filter(|_| !continued) {
                // A suggestion, not fix-all: the text changes, if not the date.
                diagnostic = diagnostic.with_fix(
                    format!("Write `{form}`"),
                    vec![Edit { span: tag.value, text: form }],
                    false,
                );
            }
            out.push(diagnostic);
        }
        Err(DateProblem::Malformed)
            if value.len() == 10 && value.as_bytes()[4] == b'-' && values::check_date(&value.replace('-', "/")).is_ok() =>
        {
            // ISO dates (`2021-03-15`): read by Zotero, with an obvious rewrite.
            let iso = value.replace('-', "/");
            let mut diagnostic = Diagnostic::new(
                Code::DateNotRisForm,
                tag.value,
                format!("`{value}` is an ISO date; the RIS form is `{iso}` (Zotero reads both)"),
            )
            .recurring(&tag.code);
            if !continued {
                diagnostic = diagnostic.with_fix(
                    format!("Write `{iso}`"),
                    vec![Edit {
                        span: tag.value,
                        text: iso,
                    }],
                    true,
                );
            }
            out.push(diagnostic);
        }
        Err(DateProblem::Malformed) => out.push(
            Diagnostic::new(
                Code::InvalidDate,
                tag.value,
                format!("`{value}` is not a RIS date: write `YYYY/MM/DD/other`, for example `2021/03/15/`; importers read no date from it"),
            )
            .recurring(values::shape(value).as_bytes()),
        ),
        Err(DateProblem::Impossible(why)) => out.push(Diagnostic::new(
            Code::ImpossibleDate,
            tag.value,
            format!("`{value}` is not a real date: {why}"),
        )),
    }
}

fn check_standard_number(tag: &TagLine, value: &str, ty: &str, out: &mut Vec<Diagnostic>) {
    // Only where `SN` means ISSN or ISBN: not report, document or patent numbers.
    let label = catalog::lookup_tag("SN")
        .and_then(|t| t.label_for(catalog::canonical_type(ty)))
        .unwrap_or("ISSN/ISBN");
    if !(label.contains("ISSN") || label.contains("ISBN")) {
        return;
    }
    for number in values::standard_numbers(value).into_iter().filter(|n| !n.valid) {
        let span = Span::new(tag.value.start + number.start, tag.value.start + number.end);
        out.push(Diagnostic::new(
            Code::BadCheckDigit,
            span,
            format!(
                "the check digit of the {} `{}` is wrong: a digit was probably mistyped",
                number.kind.name(),
                &value[number.start..number.end]
            ),
        ));
    }
}

fn check_link(tag: &TagLine, value: &str, out: &mut Vec<Diagnostic>) {
    let mut offset = 0;
    for part in value.split(';') {
        let trimmed = part.trim();
        let start = offset + (part.len() - part.trim_start().len());
        offset += part.len() + 1;
        if trimmed.is_empty() || values::is_link(trimmed) || values::is_doi(trimmed) {
            continue;
        }
        let span = Span::new(tag.value.start + start, tag.value.start + start + trimmed.len());
        let mut diagnostic = Diagnostic::new(
            Code::InvalidLink,
            span,
            format!("`{trimmed}` is not a URL or a file path"),
        )
        .recurring(&tag.code);
        if trimmed.starts_with("www.") && !trimmed.contains(char::is_whitespace) {
            diagnostic.message.push_str(": add `https://`");
            diagnostic = diagnostic.with_fix(
                "Add `https://`",
                vec![Edit {
                    span: Span::new(span.start, span.start),
                    text: "https://".into(),
                }],
                true,
            );
        }
        out.push(diagnostic);
    }
}

/// A record without `DO` whose `M3`, `N1`, `UR`, `L1`–`L3` holds a DOI.
fn doi_elsewhere(text: &str, parse: &Parse, tags: &[&TagLine], out: &mut Vec<Diagnostic>) {
    const CARRIERS: [&[u8; 2]; 6] = [b"M3", b"N1", b"UR", b"L1", b"L2", b"L3"];
    for tag in tags.iter().filter(|t| CARRIERS.contains(&&t.code)) {
        let value = tag.value.text(text);
        let Some((start, end)) = values::find_doi(value) else {
            continue;
        };
        let doi = &value[start..end];
        // After the whole field: a line between a note and its
        // continuation would cut the note.
        let last = super::field_lines(parse, super::line_of(parse, tag.tag.start)).end - 1;
        let insert = super::insert_line_after(text, parse, last, &format!("DO  - {doi}"));
        out.push(
            Diagnostic::new(
                Code::DoiInOtherTag,
                Span::new(tag.value.start + start, tag.value.start + end),
                format!(
                    "this record has no `DO`, but `{}` holds the DOI `{doi}`",
                    tag.code_str()
                ),
            )
            .recurring(&tag.code)
            .with_fix(format!("Add `DO  - {doi}`"), vec![insert], true),
        );
        return;
    }
}

//! Value preservation over mutated real files: every fixture and example,
//! mutated as exports and hand edits break files (lines deleted,
//! duplicated, split, flattened, re-spaced; wrapped prose that looks like a
//! tag; Unicode white space and BOMs; line endings), goes through fix-all
//! and `fmt` twice. Each result is read back by the reader below, written
//! here and sharing nothing with the crate's parser but the catalogue's
//! list of tags, and must keep every value but what the README's safe
//! fixes change; a second fix-all and a second `fmt` change nothing; no
//! line ending the file did not have appears; the BOM stays; a fix never
//! leaves more errors than there were.

use std::path::{Path, PathBuf};

use ris_lsp::catalog::{self, ValueFormat};
use ris_lsp::checks::{Rules, Severity};
use ris_lsp::{analysis, fix, format};

/// How many mutated copies of each file are made.
const COPIES: usize = 500;

// ---------------------------------------------------------------------------
// The reader: what a careful reader (and an importer) takes the values to be.

/// One value: a field of a record, or a line of text outside records.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Field {
    /// The tag, uppercase; empty for text outside records.
    tag: String,
    /// The value: the tag line's, then each continuation line's, without
    /// the spaces and tabs around them, joined by line breaks.
    value: String,
    /// Which record it is in (fields outside records count as their own).
    record: usize,
}

fn is_layout(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn format_of(tag: &str) -> Option<ValueFormat> {
    catalog::lookup_tag(tag).map(|t| t.format)
}

fn known(tag: &str) -> bool {
    catalog::lookup_tag(tag).is_some()
}

/// How a line reads as a tag line, if it does: the tag, its value, and
/// whether it lacks the space before or after the hyphen that every
/// importer needs.
fn tag_line(line: &str) -> Option<(String, String, bool)> {
    let rest = line.trim_start_matches(is_layout);
    let indented = rest.len() != line.len();
    let mut chars = rest.chars();
    let (a, b) = (chars.next()?, chars.next()?);
    if !a.is_ascii_alphabetic() || !b.is_ascii_alphanumeric() {
        return None;
    }
    let after_tag = &rest[2..];
    let before = after_tag.len() - after_tag.trim_start_matches(is_layout).len();
    let after_gap = &after_tag[before..];
    let after_hyphen = after_gap.strip_prefix('-')?;
    let value = after_hyphen.trim_matches(is_layout);
    let gap_after = after_hyphen.len() - after_hyphen.trim_start_matches(is_layout).len();
    let tag = format!("{a}{b}").to_ascii_uppercase();
    let upper = a.is_ascii_uppercase() && (b.is_ascii_uppercase() || b.is_ascii_digit());
    let standard = !indented && &after_tag[..before] == "  " && (gap_after > 0 || value.is_empty());
    // Not read as a tag by any importer: no space before or after the
    // hyphen, or a lowercase tag loosely spaced.
    let broken = before == 0 || (gap_after == 0 && !value.is_empty()) || (!upper && !standard);
    if !standard {
        let plausible = if before == 0 {
            upper && !value.starts_with(|c: char| c.is_ascii_lowercase())
        } else if gap_after == 0 && !value.is_empty() {
            upper
        } else {
            upper || gap_after > 0 || value.is_empty()
        };
        if !known(&tag) || !plausible {
            return None;
        }
    }
    Some((tag, value.to_string(), broken))
}

/// The fields of a `TY` line that holds a whole record (two markers or
/// more, ` XX - `, of catalogue tags), or `None`.
fn flattened(value: &str) -> Option<Vec<(String, String)>> {
    let b = value.as_bytes();
    let mut markers = Vec::new();
    let mut i = 1;
    while i + 3 <= b.len() {
        let spaces = b[i + 2..].iter().take_while(|&&c| c == b' ').count();
        let hyphen = i + 2 + spaces;
        if (b[i - 1] == b' ' || b[i - 1] == b'\t')
            && b[i].is_ascii_uppercase()
            && (b[i + 1].is_ascii_uppercase() || b[i + 1].is_ascii_digit())
            && (1..=3).contains(&spaces)
            && b.get(hyphen) == Some(&b'-')
            && (hyphen + 1 >= b.len() || b[hyphen + 1] == b' ' || b[hyphen + 1] == b'\t')
            && known(&value[i..i + 2])
        {
            markers.push(i);
            i = hyphen + 1;
        } else {
            i += 1;
        }
    }
    if markers.len() < 2 {
        return None;
    }
    let mut fields = Vec::new();
    let mut tag = "TY".to_string();
    let mut from = 0;
    for &at in markers.iter().chain(std::iter::once(&b.len())) {
        let v = value[from..at].trim_matches(is_layout);
        fields.push((tag.clone(), v.to_string()));
        if at < b.len() {
            tag = value[at..at + 2].to_string();
            let hyphen = at + value[at..].find('-').unwrap();
            from = (hyphen + 1).min(b.len());
        }
    }
    Some(fields)
}

/// Reads `text` as records of fields and text outside records.
fn read(text: &str) -> Vec<Field> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut fields: Vec<Field> = Vec::new();
    // The open record: its number and whether it has a `TY`.
    let mut open: Option<(usize, bool)> = None;
    let mut records = 0;
    // Whether the last line of the open record holds wrapped text.
    let mut prose = false;
    // Whether the last field goes on with continuation lines.
    let mut in_field = false;
    for line in lines(text) {
        let content = line.trim_end_matches(['\r', '\n']);
        if content.chars().all(is_layout) {
            if open.is_some_and(|(_, typed)| !typed) {
                open = None;
                in_field = false;
            }
            continue;
        }
        let tag = tag_line(content)
            .filter(|(tag, value, broken)| !(open.is_some() && prose && *broken && tag != "TY" && !value.is_empty()));
        let Some((tag, value, _)) = tag else {
            if open.is_some() && in_field {
                let last = fields.last_mut().unwrap();
                last.value.push('\n');
                last.value.push_str(content.trim_matches(is_layout));
                prose = true;
            } else {
                records += 1;
                fields.push(Field {
                    tag: String::new(),
                    value: content.trim_matches(is_layout).to_string(),
                    record: records,
                });
            }
            continue;
        };
        prose = !value.is_empty() && format_of(&tag).is_none_or(|f| f == ValueFormat::Text);
        if tag == "TY" {
            records += 1;
            open = Some((records, true));
            if let Some(parts) = flattened(&value) {
                let closes = parts.last().is_some_and(|(t, _)| t == "ER");
                let mut after_end = false;
                for (i, (tag, value)) in parts.into_iter().enumerate() {
                    // A `TY` inside starts a record; after an `ER` inside,
                    // fields are outside the one it closed.
                    if i > 0 && (tag == "TY" || after_end) {
                        records += 1;
                    }
                    after_end = tag == "ER";
                    fields.push(Field {
                        tag,
                        value,
                        record: records,
                    });
                }
                prose = false;
                in_field = !closes;
                if closes {
                    open = None;
                }
                continue;
            }
        } else if open.is_none() {
            records += 1;
            open = Some((records, false));
        }
        let record = open.map_or(records, |(r, _)| r);
        fields.push(Field {
            tag: tag.clone(),
            value,
            record,
        });
        in_field = true;
        if tag == "ER" {
            open = None;
            in_field = false;
            prose = false;
        }
    }
    fields
}

/// The lines of `text` with their endings (LF, CRLF, lone CR).
fn lines(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\n' || b[i] == b'\r' {
            let end = if b[i] == b'\r' && b.get(i + 1) == Some(&b'\n') {
                i + 2
            } else {
                i + 1
            };
            out.push(&text[start..end]);
            start = end;
            i = end;
        } else {
            i += 1;
        }
    }
    if start < b.len() {
        out.push(&text[start..]);
    }
    out
}

/// The line-ending styles a text uses.
fn endings(text: &str) -> Vec<&'static str> {
    let mut found = Vec::new();
    for line in lines(text) {
        let ending = if line.ends_with("\r\n") {
            "\r\n"
        } else if line.ends_with('\n') {
            "\n"
        } else if line.ends_with('\r') {
            "\r"
        } else {
            continue;
        };
        if !found.contains(&ending) {
            found.push(ending);
        }
    }
    found
}

// ---------------------------------------------------------------------------
// What the README's safe fixes may change, and nothing else.

/// A value as the safe fixes leave it: a DOI without its URL or `doi:`
/// prefix, an ISO date with slashes, a type uppercase, a `www.` link with
/// `https://`.
fn canonical(field: &Field) -> (String, String) {
    let value = &field.value;
    let value = match format_of(&field.tag) {
        Some(ValueFormat::Doi) => match value.find("10.") {
            Some(at) if at == 0 || value[..at].to_ascii_lowercase().contains("doi") => value[at..].to_string(),
            _ => value.clone(),
        },
        Some(ValueFormat::Date) if iso_date(value) => value.replace('-', "/"),
        Some(ValueFormat::RefType) => value.to_ascii_uppercase(),
        Some(ValueFormat::Link) => value.replace("https://www.", "www."),
        _ => value.clone(),
    };
    (field.tag.clone(), value)
}

fn iso_date(value: &str) -> bool {
    let b = value.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

/// The values fix-all must keep: without empty fields (removed), a field
/// that repeats an earlier one of its record whole (removed), and the empty
/// `ER` (inserted where missing).
fn kept_by_fixes(fields: &[Field]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (i, field) in fields.iter().enumerate() {
        let value = canonical(field);
        if field.tag == "ER" && field.value.is_empty() {
            continue;
        }
        if !field.tag.is_empty() && field.tag != "TY" && field.value.is_empty() {
            continue;
        }
        if !field.tag.is_empty()
            && fields[..i]
                .iter()
                .any(|f| f.record == field.record && canonical(f) == value)
        {
            continue;
        }
        out.push(value);
    }
    out
}

/// The values after fix-all, as [`kept_by_fixes`] reads them, without a
/// `DO` the fix added from a DOI that was in another field before.
fn after_fixes(before: &[Field], after: &[Field]) -> Vec<(String, String)> {
    // How many `DO` fields hold a DOI: one more after than before is added.
    let dois = |fields: &[Field], value: &str| {
        fields
            .iter()
            .filter(|f| f.tag == "DO" && canonical(f).1 == value)
            .count()
    };
    // A DOI in a link may be percent-encoded (`10.1007%2Fs00404`).
    let written = |value: &str| {
        before.iter().any(|f| {
            f.tag != "DO"
                && (f.value.contains(value) || f.value.replace("%2F", "/").replace("%2f", "/").contains(value))
        })
    };
    let mut kept: Vec<Field> = Vec::new();
    for field in after {
        let added =
            field.tag == "DO" && dois(&kept, &field.value) >= dois(before, &field.value) && written(&field.value);
        if !added {
            kept.push(field.clone());
        }
    }
    kept_by_fixes(&kept)
}

fn errors(text: &str) -> usize {
    analysis::check(text, &Rules::default())
        .iter()
        .filter(|d| d.severity() == Severity::Error)
        .count()
}

/// What is wrong with fix-all and `fmt` on `text`, if anything.
fn problems(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let before = read(text);
    let bom = text.starts_with('\u{feff}');
    let mut had = endings(text);
    if had.is_empty() {
        had.push("\n");
    }
    let mut outputs = Vec::new();

    let fixed = fix::fix_all(text, &Rules::default()).text;
    let again = fix::fix_all(&fixed, &Rules::default()).text;
    if again != fixed {
        out.push(format!("a second fix-all changes the text:\n{again:?}"));
    }
    let (want, got) = (kept_by_fixes(&before), after_fixes(&before, &read(&fixed)));
    if want != got {
        out.push(format!("fix-all changed values:\n{}", difference(&want, &got)));
    }
    // Splitting a flattened record shows its fields' own errors, which its
    // one RIS014 stood for: there the count may grow.
    let split = analysis::check(text, &Rules::default())
        .iter()
        .any(|d| d.code == ris_lsp::checks::Code::FlattenedRecord);
    let (was, now) = (errors(text), errors(&fixed));
    if now > was && !split {
        out.push(format!("fix-all left {now} errors where there were {was}"));
    }
    outputs.push(("fix-all", fixed.clone()));

    let formatted = format::format(text);
    let twice = format::format(&formatted);
    if twice != formatted {
        out.push(format!("a second fmt changes the text:\n{twice:?}"));
    }
    let after = read(&formatted);
    if after != before {
        let show = |fields: &[Field]| {
            fields
                .iter()
                .map(|f| (f.tag.clone(), f.value.clone()))
                .collect::<Vec<_>>()
        };
        out.push(format!(
            "fmt changed values:\n{}",
            difference(&show(&before), &show(&after))
        ));
    }
    outputs.push(("fmt", formatted));

    for (what, output) in outputs {
        if output.starts_with('\u{feff}') != bom {
            out.push(format!("{what} did not keep the BOM as it was"));
        }
        for ending in endings(&output) {
            if !had.contains(&ending) {
                out.push(format!("{what} wrote a line ending {ending:?} the file did not have"));
            }
        }
    }
    out
}

/// The first place two lists of values differ.
fn difference(want: &[(String, String)], got: &[(String, String)]) -> String {
    let same = want.iter().zip(got).take_while(|(a, b)| a == b).count();
    format!(
        "  kept {same}, then expected {:?}\n  but found {:?}",
        &want[same..(same + 3).min(want.len())],
        &got[same..(same + 3).min(got.len())]
    )
}

// ---------------------------------------------------------------------------
// Mutations.

/// xorshift64*: a fixed sequence, so every run tries the same files.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A text as lines, each with its own ending, and whether a BOM leads it.
#[derive(Clone)]
struct Lines {
    bom: bool,
    lines: Vec<(String, String)>,
}

impl Lines {
    fn of(text: &str) -> Self {
        let bom = text.starts_with('\u{feff}');
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let lines = lines(text)
            .into_iter()
            .map(|l| {
                let content = l.trim_end_matches(['\r', '\n']);
                (content.to_string(), l[content.len()..].to_string())
            })
            .collect();
        Self { bom, lines }
    }

    fn text(&self) -> String {
        let mut out = String::new();
        if self.bom {
            out.push('\u{feff}');
        }
        for (content, ending) in &self.lines {
            out.push_str(content);
            out.push_str(ending);
        }
        out
    }

    /// The ending most lines have (`\n` if none).
    fn eol(&self) -> String {
        self.lines
            .iter()
            .map(|(_, e)| e.clone())
            .find(|e| !e.is_empty())
            .unwrap_or_else(|| "\n".into())
    }

    fn insert(&mut self, at: usize, contents: &[&str]) {
        let eol = self.eol();
        let at = at.min(self.lines.len());
        if at == self.lines.len()
            && let Some(last) = self.lines.last_mut()
            && last.1.is_empty()
        {
            last.1 = eol.clone();
        }
        for (i, content) in contents.iter().enumerate() {
            self.lines.insert(at + i, (content.to_string(), eol.clone()));
        }
    }
}

/// Lines a wrapped value holds that read like tags written without spaces.
const PROSE: &[&str] = &[
    "L4-L5 level of the lumbar spine, and",
    "ER-Positive tumours.",
    "T1-2 N0 disease in most patients",
    "AU-Smith, J",
    "A1-antitrypsin deficiency",
    "PY-2021",
    "ER-",
    "TY-JOUR",
    "T1 -x",
    "is - that a tag",
    "AB  -",
];

/// Runs of lines worth inserting anywhere.
const SNIPPETS: &[&[&str]] = &[
    &["KW  - ", "  second keyword"],
    &["N1  - a", "N1  - a", "more text"],
    &["N1  - b", "  wrapped on", "N1  - b", "  wrapped on"],
    &["DO  - 10.1000/abc 10.1000/def"],
    &["DO  - 10.1/x [doi]"],
    &["N1  - see 10.1000/abcd.1 for", "the rest of note"],
    &["M3  - doi: 10.1016/j.agee.2016.06.041"],
    &["DO  - https://doi.org/10.1000/xyz"],
    &["Y2  - 2014-06-01"],
    &["UR  - www.example.org"],
    &["\u{a0}"],
    &["\u{3000}"],
    &["ER  - "],
    &["TY  - JOUR"],
    &[""],
    &["TI  - \u{a0}"],
    &["AB  - é中😀 text\u{200b} with\u{2028}odd characters"],
];

const SEPARATORS: &[&str] = &[" - ", "-", "   - ", "\t- ", "  -  ", " -", "  -", "\t-\t"];

fn mutate(source: &Lines, random: &mut Random) -> Lines {
    let mut m = source.clone();
    for _ in 0..1 + random.below(3) {
        let n = m.lines.len();
        let at = random.below(n);
        match random.below(16) {
            0 if n > 0 => {
                m.lines.remove(at);
            }
            1 if n > 0 => {
                let line = m.lines[at].clone();
                m.lines.insert(at, line);
            }
            2 if n > 0 => {
                // Split at a space: the rest goes on the next line.
                let (content, ending) = m.lines[at].clone();
                let spaces: Vec<usize> = content.match_indices(' ').map(|(i, _)| i).collect();
                if !spaces.is_empty() {
                    let cut = *random.pick(&spaces);
                    let indent = if random.below(2) == 0 { "" } else { "  " };
                    let eol = m.eol();
                    m.lines[at] = (content[..cut].to_string(), eol);
                    m.lines
                        .insert(at + 1, (format!("{indent}{}", &content[cut + 1..]), ending));
                }
            }
            3 => {
                // Flatten a record: from a `TY` line to its `ER`, one line.
                let starts: Vec<usize> = (0..n).filter(|&i| m.lines[i].0.starts_with("TY")).collect();
                if !starts.is_empty() {
                    let start = *random.pick(&starts);
                    let end = (start..n).find(|&i| m.lines[i].0.starts_with("ER")).unwrap_or(n - 1);
                    let joined: Vec<String> = m.lines[start..=end].iter().map(|(c, _)| c.clone()).collect();
                    let ending = m.lines[end].1.clone();
                    m.lines.splice(start..=end, [(joined.join(" "), ending)]);
                }
            }
            4 if n > 0 => {
                // Re-space or re-case a tag line.
                let content = m.lines[at].0.clone();
                if content.get(2..6) == Some("  - ") {
                    let rest = &content[6..];
                    let tag = &content[..2];
                    m.lines[at].0 = match random.below(3) {
                        0 => format!("{tag}{}{rest}", random.pick(SEPARATORS)),
                        1 => format!("  {content}"),
                        _ => format!("{}  - {rest}", tag.to_lowercase()),
                    };
                }
            }
            5 => {
                let line = *random.pick(PROSE);
                m.insert(at + 1, &[line]);
            }
            6 => {
                let snippet = *random.pick(SNIPPETS);
                m.insert(at + 1, snippet);
            }
            7 if n > 0 => {
                let tail = *random.pick(&["\u{a0}", "\u{3000}", " ", "\t", "\u{a0} ", " \u{3000}"]);
                m.lines[at].0.push_str(tail);
            }
            8 if n > 0 => {
                // A BOM in mid-file, as concatenated exports have.
                m.lines[at].0.insert(0, '\u{feff}');
            }
            9 => m.bom = !m.bom,
            10 => {
                let eol = *random.pick(&["\n", "\r\n", "\r"]);
                for line in &mut m.lines {
                    if !line.1.is_empty() {
                        line.1 = eol.to_string();
                    }
                }
            }
            11 if n > 0 => {
                // No line ending at the end.
                let len = m.lines.len();
                m.lines[len - 1].1.clear();
            }
            12 if n > 1 => {
                // One line with a different ending.
                let eol = *random.pick(&["\n", "\r\n", "\r"]);
                let at = at.min(n - 2);
                m.lines[at].1 = eol.to_string();
            }
            13 if n > 0 => {
                // Join a line to the next (a lost line break).
                if at + 1 < n {
                    let next = m.lines.remove(at + 1);
                    m.lines[at].0.push(' ');
                    m.lines[at].0.push_str(&next.0);
                    m.lines[at].1 = next.1;
                }
            }
            14 => m.insert(at, &[""]),
            _ => {
                // A wrapped prose line inside a value: after an `AB` line.
                if let Some(i) =
                    (0..n).find(|&i| m.lines[i].0.starts_with("AB  - ") || m.lines[i].0.starts_with("N1  - "))
                {
                    let line = *random.pick(PROSE);
                    m.insert(i + 1, &[line]);
                }
            }
        }
    }
    m
}

fn sources() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths = Vec::new();
    for dir in ["tests/fixtures", "examples"] {
        for entry in std::fs::read_dir(root.join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "ris") {
                paths.push(path);
            }
        }
    }
    // More files to mutate, for a longer run by hand:
    // `VALUES_EXTRA=../shared/corpus cargo test --release --test values`
    // (folders and files, separated as in `PATH`).
    if let Some(extra) = std::env::var_os("VALUES_EXTRA") {
        let mut folders = Vec::new();
        for extra in std::env::split_paths(&extra) {
            if extra.is_dir() {
                folders.push(extra);
            } else {
                paths.push(extra);
            }
        }
        while let Some(folder) = folders.pop() {
            for entry in std::fs::read_dir(&folder).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    folders.push(path);
                } else if path.extension().is_some_and(|e| e == "ris") {
                    paths.push(path);
                }
            }
        }
    }
    paths.sort();
    paths
}

#[test]
fn fixes_and_formatting_keep_values_in_mutated_files() {
    let mut random = Random(0x9e37_79b9_7f4a_7c15);
    let (mut files, mut failures) = (0, Vec::new());
    for path in sources() {
        // Files that are not UTF-8 (old Windows-1252 exports) are the CLI's
        // to decode; tests/cli.rs covers them.
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        let source = Lines::of(&text);
        let mut cases = vec![text.clone()];
        cases.extend((0..COPIES).map(|_| mutate(&source, &mut random).text()));
        for case in cases {
            files += 1;
            let found = problems(&case);
            if !found.is_empty() {
                failures.push(format!("{} mutated:\n{case:?}\n{}", path.display(), found.join("\n")));
            }
        }
    }
    println!("{files} mutated files, {} failures", failures.len());
    assert!(
        failures.is_empty(),
        "{} of {files} files failed; the first ones:\n\n{}",
        failures.len(),
        failures.iter().take(5).cloned().collect::<Vec<_>>().join("\n\n")
    );
}

#[test]
fn the_reader_reads_what_importers_read() {
    let text =
        "TY  - JOUR\nAB  - at the\nL4-L5 level\nKW  - \n  second\nau  - Lower\nPY  - 2021\nAU-Smith\nER  - \nstray\n";
    let fields: Vec<(String, String)> = read(text).into_iter().map(|f| (f.tag, f.value)).collect();
    let expected = [
        ("TY", "JOUR"),
        ("AB", "at the\nL4-L5 level"),
        ("KW", "\nsecond"),
        ("AU", "Lower"),
        ("PY", "2021"),
        ("AU", "Smith"),
        ("ER", ""),
        ("", "stray"),
    ];
    let expected: Vec<(String, String)> = expected.iter().map(|(t, v)| (t.to_string(), v.to_string())).collect();
    assert_eq!(fields, expected);
}

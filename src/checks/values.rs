//! Validators for the shapes of values: DOI, dates, years, ISSN/ISBN, links,
//! pages. Pure functions over `&str`, shared by the checks and by hover.

/// What a `DO` value is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DoiShape {
    /// A bare DOI, as it should be.
    Bare,
    /// A DOI behind a resolver URL or a `doi:` prefix; the bare DOI starts at
    /// this byte offset of the value and runs to its end.
    Wrapped(usize),
    /// A DOI broken by white space (the joined form would be valid).
    Whitespace,
    /// Not a DOI.
    Invalid,
}

/// Prefixes that wrap a DOI in exports, lowercase; several may stack
/// (`doi: DOI: 10.…`, ScienceDirect).
const DOI_PREFIXES: &[&str] = &[
    "https://doi.org/",
    "http://doi.org/",
    "https://dx.doi.org/",
    "http://dx.doi.org/",
    "doi.org/",
    "dx.doi.org/",
    "doi:",
    "doi ",
];

/// Whether `s` is a DOI: `10.<digits>[.<digits>…]/<suffix>` (or a short DOI
/// `10/<suffix>`), the suffix non-empty and free of white space.
pub fn is_doi(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("10") else {
        return false;
    };
    let Some(slash) = rest.find('/') else {
        return false;
    };
    let (prefix, suffix) = (&rest[..slash], &rest[slash + 1..]);
    let prefix_ok = prefix.is_empty()
        || (prefix.starts_with('.')
            && prefix[1..]
                .split('.')
                .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit())));
    prefix_ok && !suffix.is_empty() && !suffix.chars().any(char::is_whitespace)
}

/// Classifies a `DO` value (already trimmed).
pub fn doi_shape(value: &str) -> DoiShape {
    if is_doi(value) {
        return DoiShape::Bare;
    }
    // Every shape holds a slash: most values (an Ovid record's thousands of
    // `M1` lines, keyed for duplicates) are turned away without a copy.
    if !value.contains('/') {
        return DoiShape::Invalid;
    }
    let mut offset = 0;
    loop {
        let rest = &value.as_bytes()[offset..];
        let Some(prefix) = DOI_PREFIXES.iter().find(|p| {
            rest.get(..p.len())
                .is_some_and(|start| start.eq_ignore_ascii_case(p.as_bytes()))
        }) else {
            break;
        };
        offset += prefix.len();
        offset += value[offset..].len() - value[offset..].trim_start().len();
    }
    if offset > 0 && is_doi(&value[offset..]) {
        return DoiShape::Wrapped(offset);
    }
    if value[offset..].contains(char::is_whitespace) {
        let joined: String = value[offset..].split_whitespace().collect();
        if is_doi(&joined) {
            return DoiShape::Whitespace;
        }
    }
    DoiShape::Invalid
}

/// The bare DOI inside a `DO` value, if it is one or wraps one.
pub fn bare_doi(value: &str) -> Option<&str> {
    match doi_shape(value) {
        DoiShape::Bare => Some(value),
        DoiShape::Wrapped(at) => Some(&value[at..]),
        DoiShape::Whitespace | DoiShape::Invalid => None,
    }
}

/// Finds a DOI inside free text (a note, a URL), as `start..end` byte offsets.
/// Trailing `.`, `,`, `;` and an unbalanced `)` are left out, as they end
/// sentences more often than DOIs.
pub fn find_doi(text: &str) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut from = 0;
    // Built once: setting up a search per value cost more than the search
    // over an Ovid record's thousands of short `M1` lines.
    static DOI_START: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"10."));
    while let Some(i) = DOI_START.find(&bytes[from..]) {
        let start = from + i;
        from = start + 3;
        if start > 0 && bytes[start - 1].is_ascii_alphanumeric() {
            continue;
        }
        let mut end = start + text[start..].find(char::is_whitespace).unwrap_or(text.len() - start);
        while end > start && matches!(bytes[end - 1], b'.' | b',' | b';' | b'"' | b'\'') {
            end -= 1;
        }
        let candidate = &text[start..end];
        if candidate.ends_with(')') && candidate.matches('(').count() < candidate.matches(')').count() {
            end -= 1;
        }
        // In a link, a publisher's page after the DOI is no part of it
        // (`…/doi/10.1002/central/CN-01234567/full`).
        for page in ["/full", "/abstract", "/pdf", "/epdf", "/html"] {
            if text[start..end].ends_with(page) {
                end -= page.len();
            }
        }
        let candidate = &text[start..end];
        // Trailing punctuation may leave less than `10.` (`10.,`).
        let registrant = candidate.get(3..).and_then(|rest| rest.split('/').next()).unwrap_or("");
        if registrant.len() >= 4 && is_doi(candidate) {
            return Some((start, end));
        }
    }
    None
}

/// What is wrong with a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateProblem {
    /// Not `YYYY/MM/DD/other`.
    Malformed,
    /// Well formed but not in the calendar; says why.
    Impossible(String),
}

/// Checks a `DA`/`Y1`/`Y2` value: `YYYY`, then optionally `/MM`, `/DD`,
/// `/other`, each part but the year optional (`1998///Spring`). Zeros mean
/// "unknown" (Zotero), so `2020/00/00` passes.
pub fn check_date(value: &str) -> Result<(), DateProblem> {
    let mut parts = value.splitn(4, '/');
    let year = parts.next().unwrap_or("");
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DateProblem::Malformed);
    }
    let number = |part: Option<&str>| -> Result<Option<u32>, DateProblem> {
        match part {
            None | Some("") => Ok(None),
            Some(p) if p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()) => Ok(p.parse().ok()),
            Some(_) => Err(DateProblem::Malformed),
        }
    };
    let month = number(parts.next())?;
    let day = number(parts.next())?;
    let year: u32 = year.parse().map_err(|_| DateProblem::Malformed)?;
    if let Some(month) = month.filter(|&m| m != 0) {
        if month > 12 {
            return Err(DateProblem::Impossible(format!("there is no month {month}")));
        }
        if let Some(day) = day.filter(|&d| d != 0) {
            let last = days_in_month(year, month);
            if day > last {
                return Err(DateProblem::Impossible(format!(
                    "month {month:02} of {year:04} has {last} days, not {day}"
                )));
            }
        }
    } else if day.is_some_and(|d| d > 31) {
        return Err(DateProblem::Impossible("no month has more than 31 days".into()));
    }
    Ok(())
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// What is wrong with a `PY` value, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum YearProblem {
    /// A full date in the 2001 style (`2014/06/01`): readable, not a year.
    FullDate,
    /// `0000`, `NA`, `n.d.`: what exporters write for "no year" (Publish
    /// or Perish writes `NA`); importers read no year, as meant.
    NoYear,
    /// Anything else.
    Malformed,
}

/// Checks a `PY` value: exactly four digits.
pub fn check_year(value: &str) -> Result<(), YearProblem> {
    if value.len() == 4 && value.bytes().all(|b| b.is_ascii_digit()) {
        return if value == "0000" {
            Err(YearProblem::NoYear)
        } else {
            Ok(())
        };
    }
    if value.contains('/') && check_date(value).is_ok() {
        return Err(YearProblem::FullDate);
    }
    if ["na", "n/a", "n.d.", "nd", "s.d.", "unknown", "no date"]
        .iter()
        .any(|placeholder| value.eq_ignore_ascii_case(placeholder))
    {
        return Err(YearProblem::NoYear);
    }
    Err(YearProblem::Malformed)
}

/// A standard number found in an `SN` value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StandardNumber {
    /// 8 characters, `NNNN-NNNC`.
    Issn,
    /// 10 characters.
    Isbn10,
    /// 13 digits starting 978 or 979.
    Isbn13,
}

impl StandardNumber {
    /// Its name for messages.
    pub fn name(self) -> &'static str {
        match self {
            StandardNumber::Issn => "ISSN",
            StandardNumber::Isbn10 => "ISBN-10",
            StandardNumber::Isbn13 => "ISBN-13",
        }
    }
}

/// One identifier in an `SN` value: where, what, and whether its check digit holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FoundNumber {
    /// Byte offsets in the value.
    pub start: usize,
    /// One past the end.
    pub end: usize,
    /// ISSN or ISBN.
    pub kind: StandardNumber,
    /// Whether the check digit is right.
    pub valid: bool,
}

/// The ISSNs and ISBNs in an `SN` value. Values often hold several, split by
/// `;`, `,` or spaces, with qualifiers like `(Print)`; anything that is not
/// shaped like an ISSN or ISBN is left alone (report and patent numbers).
pub fn standard_numbers(value: &str) -> Vec<FoundNumber> {
    let mut found = Vec::new();
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && (bytes[i].is_ascii_digit() || matches!(bytes[i], b'-' | b'X' | b'x')) {
            i += 1;
        }
        let token = &value[start..i];
        let digits: Vec<u8> = token.bytes().filter(|&b| b != b'-').collect();
        let x_only_last = digits.iter().rev().skip(1).all(|b| b.is_ascii_digit());
        let kind = match digits.len() {
            8 if x_only_last && token.len() == 9 && token.as_bytes()[4] == b'-'
                || digits.len() == 8 && x_only_last && !token.contains('-') =>
            {
                Some(StandardNumber::Issn)
            }
            10 if x_only_last => Some(StandardNumber::Isbn10),
            13 if digits.iter().all(u8::is_ascii_digit)
                && (digits.starts_with(b"978") || digits.starts_with(b"979")) =>
            {
                Some(StandardNumber::Isbn13)
            }
            _ => None,
        };
        if let Some(kind) = kind {
            found.push(FoundNumber {
                start,
                end: i,
                kind,
                valid: check_digit_holds(kind, &digits),
            });
        }
    }
    found
}

fn digit_value(b: u8) -> u32 {
    if b == b'X' || b == b'x' {
        10
    } else {
        u32::from(b - b'0')
    }
}

/// Whether the check digit of an ISSN/ISBN (digits without hyphens) holds.
pub fn check_digit_holds(kind: StandardNumber, digits: &[u8]) -> bool {
    match kind {
        StandardNumber::Issn => {
            let sum: u32 = digits.iter().zip((1..=8).rev()).map(|(&d, w)| digit_value(d) * w).sum();
            sum.is_multiple_of(11)
        }
        StandardNumber::Isbn10 => {
            let sum: u32 = digits
                .iter()
                .zip((1..=10).rev())
                .map(|(&d, w)| digit_value(d) * w)
                .sum();
            sum.is_multiple_of(11)
        }
        StandardNumber::Isbn13 => {
            let sum: u32 = digits
                .iter()
                .enumerate()
                .map(|(i, &d)| digit_value(d) * if i % 2 == 0 { 1 } else { 3 })
                .sum();
            sum.is_multiple_of(10)
        }
    }
}

/// Whether one part of a link value is a URL (`scheme:…`) or a file path.
pub fn is_link(part: &str) -> bool {
    // EndNote's own links: attachments in its library (file names with
    // spaces) and Web of Science records.
    if part.starts_with("internal-pdf://") || part.starts_with("<Go to ISI>://") {
        return true;
    }
    let scheme_len = part
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-'))
        .count();
    let has_scheme =
        scheme_len >= 2 && part.as_bytes()[0].is_ascii_alphabetic() && part.as_bytes().get(scheme_len) == Some(&b':');
    let windows_drive = part.len() >= 3
        && part.as_bytes()[0].is_ascii_alphabetic()
        && part.as_bytes()[1] == b':'
        && matches!(part.as_bytes()[2], b'\\' | b'/');
    let path = part.starts_with('/')
        || part.starts_with("./")
        || part.starts_with("../")
        || part.starts_with('~')
        || part.starts_with("\\\\")
        || windows_drive;
    (has_scheme || path) && !part.contains(char::is_whitespace)
}

/// A plain page number, if the value is one (not `e0815`, not a range).
pub fn page_number(value: &str) -> Option<u64> {
    if value.is_empty() || value.len() > 18 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    value.parse().ok()
}

/// The full end page of a range whose end gives only its last digits, as
/// MEDLINE writes them (`806`, `7` → 807; `1299`, `301` → 1301): `end`
/// written with fewer digits than `start`, read as replacing its last
/// digits, and then not before `start`. `None` when `end` is not that.
pub fn expand_end_page(start: u64, end: &str) -> Option<u64> {
    let short = page_number(end)?;
    let start_digits = start.to_string();
    if end.len() >= start_digits.len() || end.starts_with('0') {
        return None;
    }
    let unit = 10u64.checked_pow(u32::try_from(end.len()).ok()?)?;
    let full = start - start % unit + short;
    (full > start).then_some(full)
}

/// A value's outline, for telling patterns apart: digits as `9`, letters
/// as `a`, the rest as written, at most 16 characters (`Dec 2020` →
/// `aaa 9999`).
pub fn shape(value: &str) -> String {
    value
        .chars()
        .take(16)
        .map(|c| match c {
            '0'..='9' => '9',
            c if c.is_alphabetic() => 'a',
            c => c,
        })
        .collect()
}

/// A date written in words, as Web of Science, ProQuest and Ovid write them
/// (`Dec 2020`, `2020 Dec 15`, `NOV 15`, `Spring 2019`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WordedDate {
    /// The year, if given.
    pub year: Option<u16>,
    /// The month, 1–12.
    pub month: Option<u8>,
    /// The day of the month.
    pub day: Option<u8>,
    /// A season or a month range (`Spring`, `Jan-Feb`): the RIS "other" part.
    pub other: Option<String>,
}

impl WordedDate {
    /// `YYYY/MM/DD/other` with the parts it has, when it has a year.
    pub fn ris_form(&self) -> Option<String> {
        let year = self.year?;
        let two = |n: Option<u8>| n.map(|n| format!("{n:02}")).unwrap_or_default();
        Some(format!(
            "{year:04}/{}/{}/{}",
            two(self.month),
            two(self.day),
            self.other.as_deref().unwrap_or("")
        ))
    }
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// The month a word names (`Dec`, `DEC`, `December`, `Sept.`), 1–12.
fn month(word: &str) -> Option<u8> {
    let word = word.strip_suffix('.').unwrap_or(word).to_ascii_lowercase();
    if word.len() < 3 {
        return None;
    }
    let found = MONTHS
        .iter()
        .position(|m| m.starts_with(&word) || (word == "sept" && *m == "september"))?;
    u8::try_from(found + 1).ok()
}

/// A year and month in digits, `2018-06` or `03/2018`.
fn year_month(word: &str) -> Option<(u16, u8)> {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    let (year, month) = match (word.split_once('-'), word.split_once('/')) {
        (Some((y, m)), None) if digits(y, 4) && digits(m, 2) => (y, m),
        (None, Some((m, y))) if digits(y, 4) && (digits(m, 2) || digits(m, 1)) => (y, m),
        _ => return None,
    };
    let month: u8 = month.parse().ok().filter(|m| (1..=12).contains(m))?;
    Some((year.parse().ok()?, month))
}

/// Reads a date in words: a year, a month name, a day, a season or a month
/// range, each at most once, in any order, with a month or a season
/// among them. `None` for anything else.
pub fn worded_date(value: &str) -> Option<WordedDate> {
    let mut date = WordedDate::default();
    for word in value
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty())
    {
        if word.len() == 4 && word.bytes().all(|b| b.is_ascii_digit()) && date.year.is_none() {
            date.year = word.parse().ok();
        } else if word.len() <= 2 && word.bytes().all(|b| b.is_ascii_digit()) && date.day.is_none() {
            date.day = word.parse().ok().filter(|d| (1..=31).contains(d));
            date.day?;
        } else if let Some((from, to)) = word
            .split_once('-')
            .filter(|_| date.day.is_none() && date.other.is_none())
            && [from, to]
                .iter()
                .all(|d| (1..=2).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
        {
            // A conference's days (`16-18 Oct. 2014`, IEEE Xplore).
            date.day = from.parse().ok().filter(|d| (1..=31).contains(d));
            date.day?;
            date.other = Some(word.to_string());
        } else if let Some((year, month)) = year_month(word).filter(|_| date.year.is_none() && date.month.is_none()) {
            date.year = Some(year);
            date.month = Some(month);
        } else if let Some(m) = month(word).filter(|_| date.month.is_none()) {
            date.month = Some(m);
        } else if date.other.is_none()
            && (matches!(
                word.to_ascii_lowercase().as_str(),
                "spring" | "summer" | "autumn" | "fall" | "winter" | "spr" | "sum" | "aut" | "fal" | "win"
            ) || word
                .split_once('-')
                .is_some_and(|(a, b)| month(a).is_some() && month(b).is_some()))
        {
            date.other = Some(word.to_string());
        } else {
            return None;
        }
    }
    let named = date.month.is_some() || date.other.is_some();
    (named && (date.day.is_none() || date.month.is_some())).then_some(date)
}

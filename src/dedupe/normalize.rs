//! Normalising field values into the forms records are compared in: plain
//! lowercase ASCII words for titles and journals, surnames and initials for
//! authors, numbers for years and pages.

use crate::checks::values;

/// Folds one character to lowercase ASCII: letters with diacritics lose
/// them (`é` → `e`, `ß` → `ss`, `ø` → `o`), Greek letters are spelled
/// (`α` → `alpha`, as titles write `TNF-α` and `TNF-alpha`), combining marks
/// vanish, anything else that is not alphanumeric becomes a space.
pub fn fold_char(c: char, out: &mut String) {
    if c.is_ascii() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if c == '\'' || c == '\u{2019}' {
            // `Alzheimer's` and `Alzheimers`, `O'Brien` and `OBrien`.
        } else {
            out.push(' ');
        }
        return;
    }
    let folded: &str =
        match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' | 'Ā' | 'Ă'
            | 'Ą' => "a",
            'æ' | 'Æ' => "ae",
            'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' | 'Ç' | 'Ć' | 'Ĉ' | 'Ċ' | 'Č' => "c",
            'ď' | 'đ' | 'Ď' | 'Đ' | 'ð' | 'Ð' => "d",
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' | 'È' | 'É' | 'Ê' | 'Ë' | 'Ē' | 'Ĕ' | 'Ė' | 'Ę'
            | 'Ě' => "e",
            'ĝ' | 'ğ' | 'ġ' | 'ģ' | 'Ĝ' | 'Ğ' | 'Ġ' | 'Ģ' => "g",
            'ĥ' | 'ħ' | 'Ĥ' | 'Ħ' => "h",
            'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' | 'Ì' | 'Í' | 'Î' | 'Ï' | 'Ĩ' | 'Ī' | 'Ĭ' | 'Į'
            | 'İ' => "i",
            'ĵ' | 'Ĵ' => "j",
            'ķ' | 'Ķ' => "k",
            'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' | 'Ĺ' | 'Ļ' | 'Ľ' | 'Ŀ' | 'Ł' => "l",
            'ñ' | 'ń' | 'ņ' | 'ň' | 'Ñ' | 'Ń' | 'Ņ' | 'Ň' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' | 'Ō' | 'Ŏ'
            | 'Ő' => "o",
            'œ' | 'Œ' => "oe",
            'ŕ' | 'ŗ' | 'ř' | 'Ŕ' | 'Ŗ' | 'Ř' => "r",
            'ś' | 'ŝ' | 'ş' | 'š' | 'Ś' | 'Ŝ' | 'Ş' | 'Š' => "s",
            'ß' => "ss",
            'ţ' | 'ť' | 'ŧ' | 'Ţ' | 'Ť' | 'Ŧ' => "t",
            'þ' | 'Þ' => "th",
            'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' | 'Ù' | 'Ú' | 'Û' | 'Ü' | 'Ũ' | 'Ū' | 'Ŭ'
            | 'Ů' | 'Ű' | 'Ų' => "u",
            'ŵ' | 'Ŵ' => "w",
            'ý' | 'ÿ' | 'ŷ' | 'Ý' | 'Ÿ' | 'Ŷ' => "y",
            'ź' | 'ż' | 'ž' | 'Ź' | 'Ż' | 'Ž' => "z",
            'α' | 'Α' => "alpha",
            'β' | 'Β' => "beta",
            'γ' | 'Γ' => "gamma",
            'δ' | 'Δ' => "delta",
            'ε' | 'Ε' => "epsilon",
            'κ' | 'Κ' => "kappa",
            'λ' | 'Λ' => "lambda",
            'μ' | 'µ' | 'Μ' => "mu",
            'ω' | 'Ω' => "omega",
            '\u{2019}' | '\u{2018}' => "",
            // Combining diacritical marks (a decomposed `é` is `e` + U+0301).
            '\u{0300}'..='\u{036f}' => "",
            _ if c.is_alphanumeric() => {
                // Other scripts (CJK, Cyrillic): kept, lowercased.
                for lower in c.to_lowercase() {
                    out.push(lower);
                }
                return;
            }
            _ => " ",
        };
    out.push_str(folded);
}

/// Decodes the HTML entities and drops the HTML tags that exports leave in
/// titles (`&amp;`, `&#946;`, `<i>…</i>`, `<sup>2</sup>`).
pub fn strip_markup(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.contains(['&', '<']) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(['&', '<']) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if rest.starts_with('<') {
            // A tag: `<` + optional `/` + letters, up to `>`.
            let body = &rest[1..];
            let name = body.strip_prefix('/').unwrap_or(body);
            if name.starts_with(|c: char| c.is_ascii_alphabetic())
                && let Some(close) = rest.find('>')
                && close < 40
            {
                rest = &rest[close + 1..];
                continue;
            }
            out.push('<');
            rest = &rest[1..];
            continue;
        }
        // An entity: `&name;`, `&#123;` or `&#x1F;`.
        let end = rest[1..].find(';').map(|i| i + 1).filter(|&i| i <= 10);
        let decoded = end.and_then(|end| entity(&rest[1..end]).map(|c| (c, end)));
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

fn entity(name: &str) -> Option<char> {
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        return char::from_u32(code);
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "ndash" => '–',
        "mdash" => '—',
        "alpha" => 'α',
        "beta" => 'β',
        "gamma" => 'γ',
        "delta" => 'δ',
        "kappa" => 'κ',
        "mu" => 'μ',
        "auml" => 'ä',
        "ouml" => 'ö',
        "uuml" => 'ü',
        "eacute" => 'é',
        "egrave" => 'è',
        "szlig" => 'ß',
        _ => return None,
    })
}

/// Lowercase ASCII words of `text`, single spaces between them.
pub fn words(text: &str) -> String {
    let text = strip_markup(text);
    let mut folded = String::with_capacity(text.len());
    for c in text.chars() {
        fold_char(c, &mut folded);
    }
    let mut out = String::with_capacity(folded.len());
    for word in folded.split_ascii_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Leading articles dropped from titles (`The …`, `A …`, and the common
/// French, German and Spanish ones).
const ARTICLES: &[&str] = &[
    "the", "a", "an", "le", "la", "les", "l", "der", "die", "das", "el", "los", "las",
];

/// A title as records are compared: markup and translations' brackets
/// resolved, words folded, a leading article and language notes dropped.
///
/// Short bracketed parts are notes (`… [Chinese]`, `[1]`, `[Review] [33
/// refs]`) and are dropped. A title that starts with a long bracketed part
/// is a translation (`[A study of …]`, MEDLINE's way for a non-English
/// article): that part is the title. A long bracketed part later on (the
/// original title after the English one, `[Erratum appears in …]`) is dropped.
pub fn title(raw: &str) -> String {
    let raw = strip_markup(raw);
    // Quoted whole (`"[A new …]"`, some exports).
    let mut raw = raw.trim().trim_matches(['"', '\u{201c}', '\u{201d}']).trim();
    // MEDLINE-style language notes after the title: `… LA: Chi`.
    if let Some(at) = raw.rfind(" LA: ") {
        raw = raw[..at].trim_end();
    }
    let mut plain = String::with_capacity(raw.len());
    let mut leading: Option<String> = None;
    let mut depth = 0usize;
    let mut inside = String::new();
    for c in raw.chars() {
        match c {
            '[' => {
                if depth == 0 {
                    inside.clear();
                }
                depth += 1;
            }
            ']' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    let long = inside.split_whitespace().count() > 3;
                    if long && leading.is_none() && plain.trim().is_empty() {
                        leading = Some(inside.clone());
                    }
                    plain.push(' ');
                }
            }
            _ if depth > 0 => inside.push(c),
            _ => plain.push(c),
        }
    }
    if depth > 0 && plain.trim().is_empty() {
        // An unclosed bracket at the start: its text is the title. Later
        // on, it is a note cut short (`….[Erratum appears in J Pediatr.`).
        plain.push_str(&inside);
    }
    let body = match leading {
        Some(inner) => inner,
        None if words(&plain).is_empty() => raw.to_string(),
        None => plain,
    };
    let mut out = words(without_label(&body));
    if let Some((first, rest)) = out.split_once(' ')
        && ARTICLES.contains(&first)
        && rest.len() > 8
    {
        out = rest.to_string();
    }
    out
}

/// The title of the corrected item if `raw` is a correction notice's
/// title, as databases write them: `Erratum: <title> (<citation>)`
/// (Embase, the citation often cut short), `<title> (vol 142, pg 310,
/// 2003)` (Web of Science) or `<title> (<Journal> (2009) 360 (542-544))`
/// (Embase without the word). Two notices of one correction then compare
/// by that title (when it has three words at least); the notice stays an
/// erratum, never its article.
pub fn corrected_title(raw: &str) -> Option<&str> {
    let raw = raw.trim();
    let mut rest = raw;
    let mut marked = false;
    for prefix in [
        "erratum to:",
        "erratum:",
        "errata:",
        "correction to:",
        "correction:",
        "corrigendum to:",
        "corrigendum:",
        "erratum to ",
        "correction to ",
        "corrigendum to ",
    ] {
        if rest.len() > prefix.len()
            && rest.is_char_boundary(prefix.len())
            && rest[..prefix.len()].eq_ignore_ascii_case(prefix)
        {
            rest = rest[prefix.len()..].trim_start();
            marked = true;
            break;
        }
    }
    let (body, cited) = match trailing_group(rest) {
        Some((at, inner, closed)) => {
            let cites = citation(inner) || (marked && !closed && inner.contains('('));
            if cites { (&rest[..at], true) } else { (rest, false) }
        }
        None => (rest, false),
    };
    let body = body.trim_end().trim_end_matches(['.', ':', ';', ',']).trim_end();
    (marked || cited).then_some(body)
}

/// The title's last top-level parenthesised group: where it starts, what is
/// inside, and whether it is closed (an unclosed one is a title cut short).
fn trailing_group(text: &str) -> Option<(usize, &str, bool)> {
    let mut depth = 0usize;
    let mut open = None;
    let mut last = None;
    for (i, c) in text.char_indices() {
        match c {
            '(' => {
                if depth == 0 {
                    open = Some(i);
                }
                depth += 1;
            }
            ')' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    last = open.map(|o| (o, i));
                }
            }
            _ => {}
        }
    }
    if depth > 0 {
        let at = open?;
        return Some((at, &text[at + 1..], false));
    }
    let (at, close) = last?;
    text[close + 1..]
        .trim()
        .trim_matches(['.', ' '])
        .is_empty()
        .then(|| (at, &text[at + 1..close], true))
}

/// Whether a parenthesised part cites another item: `vol 142, pg 310,
/// 2003`, or a journal with `(2009)` and a volume or pages after it.
fn citation(inner: &str) -> bool {
    let folded = words(inner);
    let w: Vec<&str> = folded.split(' ').collect();
    let number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let ["vol", v, "pg", _, y] = w.as_slice() {
        return number(v) && y.len() == 4 && number(y);
    }
    // `New England Journal of Medicine (2009) 360 (542-544)`
    if let Some(at) = inner.find('(') {
        let name_words = words(&inner[..at]).split(' ').filter(|x| !x.is_empty()).count();
        let after = &inner[at + 1..];
        let year = after.get(..4).is_some_and(number) && after[4..].starts_with(')');
        return name_words >= 2 && year && after[5..].bytes().any(|b| b.is_ascii_digit());
    }
    false
}

/// Labels of an article's section that some databases add after the title
/// (`…: Brief communication`, `…: a case report`): not part of the title.
const SECTION_LABELS: &[&str] = &[
    "brief communication",
    "brief report",
    "short communication",
    "rapid communication",
    "case report",
    "a case report",
    "original article",
    "original research",
    "review article",
];

/// `title` without a trailing `: <section label>`, if four words at least
/// are left.
fn without_label(title: &str) -> &str {
    let trimmed = title.trim_end().trim_end_matches('.').trim_end();
    if let Some((head, label)) = trimmed.rsplit_once(':')
        && SECTION_LABELS.contains(&words(label).as_str())
        && head.split_whitespace().count() >= 4
    {
        return head;
    }
    title
}

/// Titles that name a kind of item rather than an item: two records titled
/// so are the same only if everything else agrees.
const GENERIC_TITLES: &[&str] = &[
    "editorial",
    "editorial comment",
    "editors note",
    "erratum",
    "errata",
    "correction",
    "corrections",
    "corrigendum",
    "reply",
    "authors reply",
    "author reply",
    "in reply",
    "response",
    "authors response",
    "letter",
    "letters",
    "letter to the editor",
    "comment",
    "comments",
    "commentary",
    "introduction",
    "preface",
    "foreword",
    "news",
    "book review",
    "book reviews",
    "in this issue",
    "abstracts",
    "index",
    "contents",
    "table of contents",
    "untitled",
    "obituary",
    "announcement",
    "announcements",
    "acknowledgements",
    "acknowledgments",
    "reviewers",
    "conclusion",
    "conclusions",
    "discussion",
    "retraction",
    "retraction notice",
    "expression of concern",
    "notice of retraction",
    "guest editorial",
    "overview",
    "summary",
];

/// Whether a normalised title names a kind of item (`editorial`,
/// `erratum`, `reply`) or is too short to tell items apart.
pub fn is_generic_title(title: &str) -> bool {
    GENERIC_TITLES.contains(&title) || title.len() < 12 && !title.contains(' ') && !title.is_empty()
}

/// What kind of item a record is, as far as duplicates care: items of
/// different kinds share titles without being the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A journal article, a book, a chapter: the ordinary item.
    Article,
    /// A conference abstract or paper (or a meeting supplement).
    Conference,
    /// A correction of another item.
    Erratum,
    /// A letter, a reply, a comment on another item.
    Comment,
    /// A retraction notice.
    Retraction,
    /// A preprint (medRxiv, bioRxiv, arXiv, SSRN, Research Square).
    Preprint,
}

impl Kind {
    /// Its name in reasons.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Article => "article",
            Kind::Conference => "conference item",
            Kind::Erratum => "erratum",
            Kind::Comment => "comment or reply",
            Kind::Retraction => "retraction",
            Kind::Preprint => "preprint",
        }
    }
}

/// The kind of a record from its type, normalised title, journal names and DOI.
pub fn kind(ty: &str, title: &str, journals: &[String], doi: Option<&str>) -> Kind {
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| title.starts_with(p));
    let ends = |suffixes: &[&str]| suffixes.iter().any(|s| title.ends_with(s));
    // Not `correction …` alone: `Correction of scoliosis` is an article
    // (`Correction: …` is read from the raw title, [`corrected_title`]).
    if starts(&["erratum", "errata", "correction to ", "corrigendum"]) || matches!(title, "correction" | "corrections")
    {
        return Kind::Erratum;
    }
    if starts(&["retraction", "retracted", "notice of retraction", "withdrawn"]) {
        return Kind::Retraction;
    }
    if starts(&[
        "reply",
        "in reply",
        "authors reply",
        "author reply",
        "response to",
        "comment on",
        "comments on",
        "commentary on",
        "re ",
        "letter to the editor",
    ]) || ends(&[
        " reply",
        " authors reply",
        " a reply",
        " response",
        " comment",
        " commentary",
    ]) {
        return Kind::Comment;
    }
    let preprint_journal = journals.iter().any(|j| {
        [
            "medrxiv",
            "biorxiv",
            "arxiv",
            "ssrn",
            "research square",
            "preprints",
            "psyarxiv",
            "chemrxiv",
        ]
        .iter()
        .any(|p| j.contains(p))
    });
    let preprint_doi = doi.is_some_and(|d| {
        [
            "10.1101/",
            "10.48550/",
            "10.21203/",
            "10.2139/",
            "10.20944/",
            "10.31234/",
        ]
        .iter()
        .any(|p| d.starts_with(p))
    });
    if preprint_journal || preprint_doi || ty == "UNPB" {
        return Kind::Preprint;
    }
    // Only the type says so: a journal named `….Conference: …` (Embase's
    // conference abstracts) is also indexed under the bare journal name,
    // and years and pages tell such copies from the later article.
    if matches!(ty, "CONF" | "CPAPER" | "ABST" | "CPROC") {
        return Kind::Conference;
    }
    Kind::Article
}

/// Words a journal name loses before comparing: they are written or left
/// out at will (`Journal of …`, `… & …`, `The …`).
const JOURNAL_STOP: &[&str] = &["of", "the", "and", "for", "in", "on", "de", "la", "der", "und"];

/// A journal name as comparable words: folded, stop words dropped; what
/// follows ` = ` (MEDLINE's parallel titles) is a separate name, and so is
/// the meeting in Embase's `Journal.Conference: Meeting` (a record of the
/// abstract elsewhere may name the meeting alone).
pub fn journals(raw: &str, out: &mut Vec<String>) {
    let meeting = raw
        .find(".Conference:")
        .map(|at| &raw[at + ".Conference:".len()..])
        .filter(|m| words(m).split(' ').count() >= 3);
    for part in raw.split(" = ").chain(meeting) {
        // `PLoS ONE [Electronic Resource]`
        let part = match part.find('[') {
            Some(at) if at > 0 => &part[..at],
            _ => part,
        };
        let folded = words(part);
        let kept: Vec<&str> = folded
            .split(' ')
            .filter(|w| !w.is_empty() && !JOURNAL_STOP.contains(w))
            .collect();
        if !kept.is_empty() {
            let name = kept.join(" ");
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
}

/// The journal of Embase's `Journal.Conference: Meeting` form, as
/// comparable words (what [`journals`] makes of `Journal`); `None` for any
/// other name.
pub fn meeting_journal(raw: &str) -> Option<String> {
    let at = raw.find(".Conference:")?;
    let mut names = Vec::new();
    journals(&raw[..at], &mut names);
    names.into_iter().next()
}

/// Whether two journal names (from [`journals`]) name the same journal,
/// abbreviations allowed: every word of the shorter is a prefix of the
/// matching word of the longer (`j clin oncol` ~ `journal clinical
/// oncology`), or the names are the same once spaces are gone.
pub fn same_journal(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let squash = |s: &str| s.replace(' ', "");
    if squash(a) == squash(b) {
        return true;
    }
    let aw: Vec<&str> = a.split(' ').collect();
    let bw: Vec<&str> = b.split(' ').collect();
    abbreviates(&aw, &bw) || abbreviates(&bw, &aw) || squashed_abbreviation(a, b) || squashed_abbreviation(b, a)
}

/// Whether `short`'s words abbreviate `long`'s, in order: each is a prefix
/// of a word of `long`, the first of the first, and at most one word of
/// `long` is left unmatched.
fn abbreviates(short: &[&str], long: &[&str]) -> bool {
    if short.is_empty() || short.len() > long.len() {
        return false;
    }
    let mut li = 0;
    let mut skipped = 0;
    for (si, word) in short.iter().enumerate() {
        loop {
            let Some(candidate) = long.get(li) else {
                return false;
            };
            li += 1;
            if candidate.starts_with(word) {
                break;
            }
            skipped += 1;
            if si == 0 || skipped > 1 {
                return false;
            }
        }
    }
    skipped + long.len() - li <= 1
}

/// Whether `short` (spaces gone) is an abbreviation of `long` letter by
/// letter: same first letter, its letters in order (`cardiothorac` in
/// `cardio thoracic`).
fn squashed_abbreviation(short: &str, long: &str) -> bool {
    let short: Vec<u8> = short.bytes().filter(|&b| b != b' ').collect();
    let long: Vec<u8> = long.bytes().filter(|&b| b != b' ').collect();
    if short.len() < 8 || short.len() >= long.len() || short.first() != long.first() {
        return false;
    }
    let mut it = long.iter();
    short.iter().all(|c| it.any(|l| l == c))
}

/// One author: folded surname (letters only) and initials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    /// `quintrec` for `Le Quintrec, M.` (particles left out)
    pub surname: Box<str>,
    /// `qf` for `Qing-Feng` or `Q. F.`
    pub initials: Box<str>,
    /// The given names' letters (`qingfeng`), to see names written inverted.
    pub given: Box<str>,
}

/// Surname particles, left out when comparing surnames.
const PARTICLES: &[&str] = &[
    "van", "von", "de", "der", "den", "del", "della", "di", "da", "du", "le", "la", "dos", "das", "ten", "ter",
];

/// An author from an `AU` value: `Surname, Given`, `Surname GI` (MEDLINE),
/// or `Given Surname`. `None` for empty values and `et al.`
pub fn author(raw: &str) -> Option<Author> {
    let raw = raw.trim();
    if raw.is_empty() || raw.to_ascii_lowercase().starts_with("et al") {
        return None;
    }
    let (surname, given) = match raw.split_once(',') {
        Some((surname, given)) => (surname.to_string(), given.to_string()),
        None => {
            let parts: Vec<&str> = raw.split_whitespace().collect();
            match parts.as_slice() {
                [] => return None,
                [one] => ((*one).to_string(), String::new()),
                [.., last] if last.len() <= 3 && last.chars().all(|c| c.is_uppercase() || c == '.') => {
                    // `Smith JA`
                    (parts[..parts.len() - 1].join(" "), (*last).to_string())
                }
                [.., last] => ((*last).to_string(), parts[..parts.len() - 1].join(" ")),
            }
        }
    };
    let (mut surname, mut given) = (surname, given);
    // `Le, Quintrec M.`: a particle alone before the comma.
    if PARTICLES.contains(&words(&surname).as_str())
        && let Some((first, rest)) = given.trim().split_once(' ')
    {
        surname = first.to_string();
        given = rest.to_string();
    }
    let mut folded = words(&surname);
    for suffix in [" jr", " sr", " ii", " iii"] {
        if let Some(kept) = folded.strip_suffix(suffix) {
            folded = kept.to_string();
        }
    }
    // `van der Graaf` and `Graaf`, `Le Quintrec` and `Quintrec`.
    let mut kept: Vec<&str> = folded.split(' ').collect();
    while kept.len() > 1 && PARTICLES.contains(&kept[0]) {
        kept.remove(0);
    }
    let surname: String = kept.concat().chars().filter(char::is_ascii_alphanumeric).collect();
    if surname.is_empty() || surname == "etal" {
        return None;
    }
    let given_letters: String = words(&given).chars().filter(char::is_ascii_alphanumeric).collect();
    let mut initials = String::new();
    let given = strip_markup(&given).into_owned();
    for part in given.split(|c: char| c.is_whitespace() || c == '.' || c == '-') {
        let mut chars = part.chars();
        let Some(first) = chars.next() else { continue };
        let rest: Vec<char> = chars.collect();
        // `JA` as initials (MEDLINE), `Jean` as a name.
        if !rest.is_empty() && part.chars().all(char::is_uppercase) && part.len() <= 3 {
            for c in part.chars() {
                fold_char(c, &mut initials);
            }
        } else {
            fold_char(first, &mut initials);
        }
    }
    initials.retain(|c| c.is_ascii_alphanumeric());
    Some(Author {
        surname: surname.into(),
        initials: initials.into(),
        given: given_letters.into(),
    })
}

/// The year in a `PY`/`Y1`/`DA` value: its first four-digit run, if it is a
/// plausible year.
pub fn year(raw: &str) -> Option<u16> {
    let bytes = raw.as_bytes();
    let mut i = 0;
    while i + 4 <= bytes.len() {
        if bytes[i..i + 4].iter().all(u8::is_ascii_digit)
            && (i == 0 || !bytes[i - 1].is_ascii_digit())
            && bytes.get(i + 4).is_none_or(|b| !b.is_ascii_digit())
        {
            let year: u16 = raw[i..i + 4].parse().ok()?;
            return (1000..=2999).contains(&year).then_some(year);
        }
        i += 1;
    }
    None
}

/// A volume or issue as compared: folded, leading zeros gone (`Vol. 07` → `7`).
pub fn number(raw: &str) -> Option<Box<str>> {
    let folded = words(raw);
    let folded = folded.strip_prefix("vol ").unwrap_or(&folded);
    let folded = folded.strip_prefix("no ").unwrap_or(folded);
    // `35 Suppl 1` is volume 35; `Drug Discovery. 9` is 9.
    if let Some(n) = folded
        .split(' ')
        .find(|w| w.bytes().all(|b| b.is_ascii_digit()) && !w.is_empty())
    {
        let n = n.trim_start_matches('0');
        return Some(if n.is_empty() { "0".into() } else { n.into() });
    }
    // No number (`(Jul)`, `Ph.D.`): nothing to compare.
    None
}

/// Whether a volume or issue names a supplement (`Suppl. 1`, `13 SUPPL`,
/// `Supplement 2`), where a meeting's abstracts are printed.
pub fn supplement(raw: &str) -> bool {
    raw.to_ascii_lowercase().contains("suppl")
}

/// Pages: the first page as written (folded: `e1234`, `S12`, `806`) and, when
/// both ends are numbers, the range, an abbreviated end expanded
/// (`806`–`7` → 806–807, `1324-27` → 1324–1327).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Pages {
    /// The first page, folded; empty when unknown.
    pub first: Box<str>,
    /// The numeric range, when known.
    pub range: Option<(u32, u32)>,
}

/// Pages from the `SP` and `EP` values (`SP` may hold the whole range).
pub fn pages(sp: &str, ep: &str) -> Pages {
    let sp = sp.trim();
    let (start, mut end) = match sp.split_once(['-', '–', '—']) {
        Some((start, end)) if ep.trim().is_empty() => (start.trim(), end.trim()),
        _ => (sp, ep.trim()),
    };
    if end.is_empty() {
        end = start;
    }
    if !start.bytes().any(|b| b.is_ascii_digit()) {
        // `Suppl`, `t`: what is left of a cut page field.
        return Pages::default();
    }
    let first: String = words(start).chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    let first = first.trim_start_matches('0');
    // A range whose ends carry one letter (`c37`–`c42`: a journal's section
    // numbering its pages) is a range of pages; a lone `e12724` is not.
    let letter = |s: &str| s.chars().next().filter(char::is_ascii_alphabetic);
    let lettered = match (letter(start), letter(end)) {
        (Some(x), Some(y))
            if x.eq_ignore_ascii_case(&y) && start != end && letter_digits(start) && letter_digits(end) =>
        {
            Some(x.to_ascii_lowercase())
        }
        _ => None,
    };
    let numeric = |s: &str| -> Option<(String, u32)> {
        // The first run of digits: `106` of `106-11; discussion 111`.
        let digits: String = s
            .chars()
            .skip_while(|c| !c.is_ascii_digit())
            .take_while(char::is_ascii_digit)
            .collect();
        // Supplement pages (`S12`) count as pages; article numbers
        // (`e12724`, `a1754`) do not.
        let prefix: String = s.chars().take_while(|c| !c.is_ascii_digit()).collect();
        let one = |c: char| prefix.len() == 1 && prefix.starts_with([c, c.to_ascii_uppercase()]);
        let prefix_ok = prefix.is_empty() || one('s') || lettered.is_some_and(one);
        (prefix_ok && !digits.is_empty() && digits.len() <= 9)
            .then(|| digits.parse().ok().map(|n| (digits, n)))
            .flatten()
    };
    let range = match (numeric(start), numeric(end)) {
        (Some((sd, s)), Some((ed, e))) => {
            let e = if e < s && ed.len() < sd.len() {
                // `806`–`7`: the end repeats the start's leading digits.
                let expanded = format!("{}{}", &sd[..sd.len() - ed.len()], ed);
                expanded.parse().unwrap_or(e)
            } else {
                e
            };
            // `2297`–`2108`: a typo in one of them; the span between.
            Some((s.min(e), e.max(s)))
        }
        (Some((_, s)), None) => Some((s, s)),
        _ => None,
    };
    Pages {
        first: first.into(),
        range,
    }
}

/// Whether `s` is one letter and digits (`c37`).
fn letter_digits(s: &str) -> bool {
    s.len() >= 2 && s[1..].bytes().all(|b| b.is_ascii_digit())
}

/// The DOI of a record: the `DO` value, or a DOI found in a note, a URL or
/// `M3` (some exports put it there); lowercase, resolver prefixes gone.
pub fn doi(raw: &str) -> Option<Box<str>> {
    let bare = values::bare_doi(raw.trim()).or_else(|| values::find_doi(raw).map(|(start, end)| &raw[start..end]))?;
    Some(bare.to_ascii_lowercase().into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_lose_case_punctuation_marks_brackets_and_articles() {
        assert_eq!(title("The Effect of <i>X</i> &amp; Y."), "effect of x y");
        assert_eq!(
            title("[A study of tuberculous pleurisy]"),
            "study of tuberculous pleurisy"
        );
        assert_eq!(title("Efficacy of batroxobin. [Chinese]"), "efficacy of batroxobin");
        assert_eq!(title("Étude de l’hépatite"), "etude de lhepatite");
        assert_eq!(title("TNF-α in sepsis"), title("TNF-alpha in sepsis"));
        assert_eq!(title("[Research on surgery] LA: Chi"), "research on surgery");
        assert_eq!(
            title("Liver transplantation in a child with aHUS: Brief communication"),
            "liver transplantation in a child with ahus"
        );
        assert_eq!(title("Hemolysis: a case report"), "hemolysis a case report");
    }

    #[test]
    fn correction_notices_give_the_corrected_title() {
        assert_eq!(
            corrected_title("Erratum: Salt and blood pressure (J Hypertens (Ma"),
            Some("Salt and blood pressure")
        );
        assert_eq!(
            corrected_title("Salt and blood pressure (vol 17, pg 301, 2015)"),
            Some("Salt and blood pressure")
        );
        assert_eq!(
            corrected_title("Salt and blood pressure (Journal of Hypertension (2015) 17 (301-309))"),
            Some("Salt and blood pressure")
        );
        assert_eq!(corrected_title("Correction: Figure 2"), Some("Figure 2"));
        assert_eq!(corrected_title("Correction of scoliosis in adults"), None);
        assert_eq!(corrected_title("Salt and blood pressure (the SALT trial, 2015)"), None);
        assert_eq!(corrected_title("Salt and blood pressure (part 2)"), None);
    }

    #[test]
    fn authors_become_surnames_and_initials() {
        let a = author("Le Quintrec, M.").unwrap();
        assert_eq!((&*a.surname, &*a.initials), ("quintrec", "m"));
        let a = author("Zheng, Qing-Feng").unwrap();
        assert_eq!((&*a.surname, &*a.initials), ("zheng", "qf"));
        let a = author("Zheng QF").unwrap();
        assert_eq!((&*a.surname, &*a.initials), ("zheng", "qf"));
        let a = author("John A. Smith").unwrap();
        assert_eq!((&*a.surname, &*a.initials), ("smith", "ja"));
        assert!(author("et al.").is_none());
    }

    #[test]
    fn abbreviated_page_ranges_are_expanded() {
        assert_eq!(pages("806", "7").range, Some((806, 807)));
        assert_eq!(pages("1324-27", "").range, Some((1324, 1327)));
        assert_eq!(pages("e1234", "").first.as_ref(), "e1234");
        assert_eq!(pages("221", "8").range, Some((221, 228)));
        assert_eq!(pages("c37", "c42").range, Some((37, 42)));
        assert_eq!(pages("e12724", "").range, None);
        assert_eq!(pages("e12724", "e12724").range, None);
    }

    #[test]
    fn journals_match_their_abbreviations() {
        let mut a = Vec::new();
        journals("Journal of Clinical Oncology", &mut a);
        let mut b = Vec::new();
        journals("J Clin Oncol", &mut b);
        assert!(same_journal(&a[0], &b[0]));
        let mut c = Vec::new();
        journals("Clinical Oncology", &mut c);
        assert!(!same_journal(&b[0], &c[0]));
        let mut d = Vec::new();
        journals("Diabetes & metabolism", &mut d);
        let mut e = Vec::new();
        journals("Diabetes Metab", &mut e);
        assert!(same_journal(&d[0], &e[0]));
        let mut f = Vec::new();
        journals("Blood.Conference: 53rd Annual Meeting of the ASH San Diego", &mut f);
        assert_eq!(f.len(), 2);
        assert_eq!(f[1], "53rd annual meeting ash san diego");
        assert_eq!(
            meeting_journal("The Journal of Pediatrics.Conference: 6th Congress, Montreal").as_deref(),
            Some("journal pediatrics")
        );
        assert_eq!(meeting_journal("Blood"), None);
        assert_eq!(meeting_journal("53rd Annual Meeting of the ASH"), None);
    }

    #[test]
    fn dois_are_found_and_lowercased() {
        assert_eq!(doi("http://dx.doi.org/10.1177/ABC").as_deref(), Some("10.1177/abc"));
        assert_eq!(
            doi("see 10.1080/1097198X.2004.10856384").as_deref(),
            Some("10.1080/1097198x.2004.10856384")
        );
        assert_eq!(doi("none"), None);
    }
}

//! The decision on one pair of records: duplicate, possible duplicate or
//! distinct, with the reason. Precision first: a false merge loses a study
//! from a review, so a pair is a duplicate only on agreeing evidence, and
//! the known traps (different DOIs, distant years, pages apart, generic
//! titles, an erratum or reply beside its article, a conference abstract
//! beside the article, a preprint beside its published version) are checked
//! before any similarity.

use super::Key;
use super::normalize::{Author, Kind, same_journal};

/// What a pair of records is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    /// Two records of one item: merged.
    Duplicate,
    /// Alike, but not enough to merge: for a person to review.
    Possible,
    /// Two items.
    Distinct,
}

impl Verdict {
    /// Its name in output.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Duplicate => "duplicate",
            Verdict::Possible => "possible",
            Verdict::Distinct => "distinct",
        }
    }
}

/// The decision on a pair: the verdict, a similarity score (0–1, the
/// title's, raised by agreeing fields) and why.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Decision {
    /// Duplicate, possible or distinct.
    pub verdict: Verdict,
    /// How alike the records are, 0 to 1.
    pub score: f32,
    /// Why, in a few words.
    pub reason: &'static str,
}

fn decide(verdict: Verdict, score: f32, reason: &'static str) -> Decision {
    Decision { verdict, score, reason }
}

/// How two values of a field compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Agree {
    Same,
    Differ,
    Unknown,
}

fn agree<T: PartialEq + ?Sized>(a: Option<&T>, b: Option<&T>) -> Agree {
    match (a, b) {
        (Some(a), Some(b)) if a == b => Agree::Same,
        (Some(_), Some(_)) => Agree::Differ,
        _ => Agree::Unknown,
    }
}

/// Decides what records `a` and `b` are.
pub fn compare(a: &Key, b: &Key) -> Decision {
    if (a.kind == Kind::Preprint) != (b.kind == Kind::Preprint) {
        // A preprint and its published version have DOIs of their own.
        let title = title_similarity(&a.title, &b.title);
        let authors = author_similarity(&a.authors, &b.authors);
        if title >= 0.9
            && authors.is_none_or(|s| s >= 0.5)
            && a.year.zip(b.year).is_none_or(|(x, y)| x.abs_diff(y) <= 2)
        {
            return decide(Verdict::Possible, title, "preprint and published version");
        }
        return decide(Verdict::Distinct, title, "preprint and another item");
    }
    let same_doi = match (&a.doi, &b.doi) {
        (Some(x), Some(y)) if x != y => return decide(Verdict::Distinct, 0.0, "different DOIs"),
        (Some(_), Some(_)) => true,
        _ => false,
    };
    let title = title_similarity(&a.title, &b.title);
    let years = match (a.year, b.year) {
        (Some(x), Some(y)) => Some(x.abs_diff(y)),
        _ => None,
    };
    if same_doi {
        if years.is_some_and(|d| d > 1) {
            return decide(Verdict::Possible, title, "same DOI, but years more than one apart");
        }
        if title >= 0.6 || a.title.is_empty() || b.title.is_empty() {
            return decide(Verdict::Duplicate, title.max(0.99), "same DOI");
        }
        return decide(Verdict::Possible, title, "same DOI, but different titles");
    }
    if a.kind != b.kind {
        return kinds_differ(a.kind, b.kind, title);
    }
    if years.is_some_and(|d| d > 1) {
        return decide(Verdict::Distinct, title, "years more than one apart");
    }
    let shifted = shifted(a, b) || shifted(b, a);
    let pages = if shifted { Pages::Unknown } else { pages_agree(a, b) };
    if pages != Pages::SameFirst && same_meeting_abstract(a, b) {
        return decide(
            Verdict::Duplicate,
            title,
            "one meeting abstract in two indexes: same title, authors, journal, volume and year; pages differ",
        );
    }
    if pages != Pages::SameFirst && same_abstract_two_meetings(a, b) {
        return decide(
            Verdict::Duplicate,
            title,
            "one abstract at two meetings: same title, every author and year, both a page or two in a meeting's form",
        );
    }
    if pages == Pages::Disjoint {
        return decide(Verdict::Distinct, title, "pages do not overlap");
    }
    let journal = journal_agree(a, b);
    let volume = if shifted {
        Agree::Same
    } else {
        agree(a.volume.as_deref(), b.volume.as_deref())
    };
    let authors = author_similarity(&a.authors, &b.authors);
    let support = usize::from(journal == Agree::Same)
        + usize::from(volume == Agree::Same)
        + usize::from(pages == Pages::SameFirst);
    let conflict = usize::from(volume == Agree::Differ) + usize::from(pages == Pages::FirstDiffers);
    let year_same = years == Some(0);
    let authors_ok = authors.is_none_or(|s| s >= 0.5);
    let authors_strong = authors.is_some_and(|s| s >= 0.8);
    let score = (title * 0.7 + authors.unwrap_or(0.5) * 0.15 + support as f32 * 0.05).min(1.0);

    if a.title.is_empty() || b.title.is_empty() {
        if authors_strong && support == 3 && year_same && conflict == 0 {
            return decide(
                Verdict::Possible,
                score,
                "no title; authors, year, journal, volume and pages the same",
            );
        }
        return decide(Verdict::Distinct, score, "no title to compare");
    }
    if a.generic || b.generic {
        return generic(title, authors_ok, support, conflict, year_same, score);
    }
    if (0.7..1.0).contains(&title) && numbers_differ(&a.title, &b.title) {
        // `Part 1` and `Part 2`, `phase II` and `phase III`.
        return decide(Verdict::Possible, score, "titles alike but for a number");
    }
    if title >= 0.97 {
        if !authors_ok {
            if support == 3 && year_same {
                return decide(
                    Verdict::Duplicate,
                    score,
                    "same title, journal, volume, pages and year; authors written differently",
                );
            }
            return decide(Verdict::Possible, score, "same title, different authors");
        }
        if conflict > 0 {
            if pages == Pages::FirstDiffers
                && volume != Agree::Differ
                && journal == Agree::Same
                && volume == Agree::Same
            {
                return decide(
                    Verdict::Duplicate,
                    score,
                    "same title, authors, journal and volume; pages overlap",
                );
            }
            return decide(
                Verdict::Possible,
                score,
                "same title and authors, volume or pages differ",
            );
        }
        if journal == Agree::Differ && pages != Pages::SameFirst && a.kind == Kind::Article {
            // A secondary publication, a digest, an abstract reprinted.
            return decide(Verdict::Possible, score, "same title and authors in different journals");
        }
        if years == Some(1) && support == 0 {
            return decide(
                Verdict::Possible,
                score,
                "same title and authors, a year apart, nothing else agrees",
            );
        }
        let reason = if support > 0 {
            "same title, authors and source"
        } else {
            "same title and authors"
        };
        return decide(Verdict::Duplicate, score, reason);
    }
    if title >= 0.88 {
        if authors_ok && conflict == 0 && support >= 1 && years.is_none_or(|d| d == 0 || support >= 2) {
            return decide(Verdict::Duplicate, score, "titles alike, same authors and source");
        }
        if authors_ok {
            return decide(
                Verdict::Possible,
                score,
                "titles alike, but the source differs or is missing",
            );
        }
        return decide(Verdict::Possible, score, "titles alike, different authors");
    }
    if title >= 0.7 {
        if authors_strong && conflict == 0 && support >= 2 && years.is_none_or(|d| d <= 1) {
            return decide(
                Verdict::Duplicate,
                score,
                "same authors, journal, volume and pages; titles alike",
            );
        }
        if authors_ok && conflict == 0 {
            return decide(Verdict::Possible, score, "titles somewhat alike");
        }
        return decide(Verdict::Distinct, score, "titles differ");
    }
    if authors_strong && support == 3 && year_same {
        if title >= 0.6 && a.pages.range.is_some() && a.pages.range == b.pages.range {
            // Titles that differ by a note (`(vol 360, pg 542, 2009)`).
            return decide(
                Verdict::Duplicate,
                score,
                "same authors, journal, volume, page range and year",
            );
        }
        return decide(
            Verdict::Possible,
            score,
            "same authors, journal, volume and pages, but titles differ",
        );
    }
    decide(Verdict::Distinct, score, "titles differ")
}

/// Records of two kinds: a preprint and its published version are shown as
/// related; an erratum, a reply or a conference abstract is not the article.
fn kinds_differ(a: Kind, b: Kind, title: f32) -> Decision {
    let pair = |x: Kind, y: Kind| (a == x && b == y) || (a == y && b == x);
    if pair(Kind::Preprint, Kind::Article) || pair(Kind::Preprint, Kind::Conference) {
        if title >= 0.9 {
            return decide(Verdict::Possible, title, "preprint and published version");
        }
        return decide(Verdict::Distinct, title, "preprint and another item");
    }
    let reason = if pair(Kind::Conference, Kind::Article) {
        "conference item and journal article"
    } else if a == Kind::Erratum || b == Kind::Erratum {
        "an erratum and another item"
    } else if a == Kind::Comment || b == Kind::Comment {
        "a comment or reply and another item"
    } else {
        "different kinds of item"
    };
    decide(Verdict::Distinct, title, reason)
}

/// Whether `a` and `b` are one meeting abstract as two databases index it:
/// one in Embase's `Journal.Conference: Meeting` form, the other under that
/// journal's name alone, numbered differently (an abstract number beside a
/// supplement's page), so their pages are no guide. Everything else must be
/// the same: title, every author in order, journal, volume, year (an issue
/// if both give one), and both an abstract's length, a page or two (a later
/// article of the same title is longer, or in another volume or year).
fn same_meeting_abstract(a: &Key, b: &Key) -> bool {
    let (journal, other) = match (&a.meeting, &b.meeting) {
        (Some(journal), None) => (journal, b),
        (None, Some(journal)) => (journal, a),
        _ => return false,
    };
    let short = |k: &Key| k.pages.range.is_some_and(|(start, end)| end.saturating_sub(start) <= 1);
    let same_authors = !a.authors.is_empty()
        && a.authors.len() == b.authors.len()
        && a.authors.iter().zip(b.authors.iter()).all(|(x, y)| same_author(x, y));
    matches!(a.kind, Kind::Article | Kind::Conference)
        && a.kind == b.kind
        && !a.title.is_empty()
        && !a.generic
        && a.title == b.title
        && a.year.is_some()
        && a.year == b.year
        && a.volume.is_some()
        && a.volume == b.volume
        && agree(a.issue.as_deref(), b.issue.as_deref()) != Agree::Differ
        && short(a)
        && short(b)
        && other.journals.iter().any(|j| same_journal(journal, j))
        && same_authors
}

/// Whether `a` and `b` are one abstract presented at two meetings, printed
/// in each meeting's journal: both in a meeting's form (a supplement, or
/// Embase's `Journal.Conference: Meeting`), in journals that differ (within
/// one journal, pages apart are two abstracts), with the same title (six
/// words at least, not generic), year and authors (three at least, the
/// same first, every one in the other list, in any order), and both an
/// abstract's length, a page or two. A later article of the same title is
/// longer and not in a supplement; a digest of an article (`ACP Journal
/// Club`) is neither.
fn same_abstract_two_meetings(a: &Key, b: &Key) -> bool {
    let meeting_form = |k: &Key| k.supplement || k.meeting.is_some();
    let short = |k: &Key| k.pages.range.is_some_and(|(start, end)| end.saturating_sub(start) <= 1);
    let every_author = |x: &[Author], y: &[Author]| x.iter().all(|p| y.iter().any(|q| same_author(p, q)));
    matches!(a.kind, Kind::Article | Kind::Conference)
        && a.kind == b.kind
        && meeting_form(a)
        && meeting_form(b)
        && !a.generic
        && a.title.split(' ').count() >= 6
        && a.title == b.title
        && a.year.is_some()
        && a.year == b.year
        && a.authors.len() >= 3
        && a.authors.len() == b.authors.len()
        && same_author(&a.authors[0], &b.authors[0])
        && every_author(&a.authors, &b.authors)
        && every_author(&b.authors, &a.authors)
        && short(a)
        && short(b)
        && journal_agree(a, b) == Agree::Differ
}

/// Generic titles (`Editorial`, `Erratum`, `Reply`) merge only when
/// everything else agrees.
fn generic(title: f32, authors_ok: bool, support: usize, conflict: usize, year_same: bool, score: f32) -> Decision {
    if title < 1.0 {
        return decide(Verdict::Distinct, score, "generic titles that differ");
    }
    if authors_ok && support == 3 && year_same && conflict == 0 {
        return decide(
            Verdict::Duplicate,
            score,
            "generic title, same journal, volume, pages and year",
        );
    }
    if conflict == 0 && support == 0 {
        return decide(
            Verdict::Possible,
            score,
            "generic title, nothing else to tell them apart",
        );
    }
    decide(Verdict::Distinct, score, "generic title in different issues or places")
}

/// Whether `a`'s volume, issue and pages are `b`'s moved one field on (an
/// export that lost the volume: issue 26, page 9 for volume 26, issue 9):
/// no volume, its issue `b`'s volume and its first page `b`'s issue.
fn shifted(a: &Key, b: &Key) -> bool {
    a.volume.is_none()
        && a.issue.is_some()
        && a.issue == b.volume
        && b.issue.as_deref().is_some_and(|issue| *a.pages.first == *issue)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pages {
    SameFirst,
    /// One is a single page inside the other's range.
    Inside,
    FirstDiffers,
    Disjoint,
    Unknown,
}

fn pages_agree(a: &Key, b: &Key) -> Pages {
    if let (Some((s1, e1)), Some((s2, e2))) = (a.pages.range, b.pages.range) {
        if s1 == s2 {
            return Pages::SameFirst;
        }
        if e1 < s2 || e2 < s1 {
            return Pages::Disjoint;
        }
        // The last page alone, or a range cut short.
        return if s1 == e1 || s2 == e2 {
            Pages::Inside
        } else {
            Pages::FirstDiffers
        };
    }
    if a.pages.range.is_some() != b.pages.range.is_some() {
        // A page number beside an article number (`e12724`).
        return Pages::Unknown;
    }
    if a.pages.first.is_empty() || b.pages.first.is_empty() {
        Pages::Unknown
    } else if a.pages.first == b.pages.first {
        Pages::SameFirst
    } else {
        Pages::FirstDiffers
    }
}

fn journal_agree(a: &Key, b: &Key) -> Agree {
    if a.journals.is_empty() || b.journals.is_empty() {
        return Agree::Unknown;
    }
    let same = a.journals.iter().any(|x| b.journals.iter().any(|y| same_journal(x, y)));
    if same { Agree::Same } else { Agree::Differ }
}

/// How alike two normalised titles are, 0 to 1: one minus the edit distance
/// over the longer length; a title that is the other's beginning (a
/// subtitle left out) scores 0.9.
pub fn title_similarity(a: &str, b: &str) -> f32 {
    if a == b {
        return if a.is_empty() { 0.0 } else { 1.0 };
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    // A subtitle or a heading left out: the shorter is the longer's start
    // or end, three words at least.
    // (A long start may run into the rest: `…statesthe examples of …`.)
    let contained = short.bytes().filter(|&b| b == b' ').count() >= 2
        && ((long.starts_with(short) && (long.as_bytes()[short.len()] == b' ' || short.len() >= 40))
            || (long.ends_with(short) && long.as_bytes()[long.len() - short.len() - 1] == b' '));
    let limit = long.len() / 4;
    let edit = if long.len() - short.len() > limit {
        0.0
    } else {
        match bounded_levenshtein(short.as_bytes(), long.as_bytes(), limit) {
            Some(d) => 1.0 - d as f32 / long.len() as f32,
            None => 0.0,
        }
    };
    if contained { edit.max(0.86) } else { edit }
}

/// Whether the titles' numbers (digits or roman numerals as words) differ.
fn numbers_differ(a: &str, b: &str) -> bool {
    let numbers = |t: &str| -> Vec<String> {
        t.split(' ')
            .filter(|w| {
                (w.len() <= 2 && w.bytes().all(|c| c.is_ascii_digit()))
                    || matches!(*w, "ii" | "iii" | "iv" | "vi" | "vii" | "viii" | "ix" | "xi" | "xii")
            })
            .map(str::to_string)
            .collect()
    };
    let (x, y) = (numbers(a), numbers(b));
    !x.is_empty() && !y.is_empty() && x != y
}

/// Levenshtein distance of `a` and `b` (`a` no longer than `b`) if at most
/// `limit`: a band of width `2 limit + 1` around the diagonal, stopped as
/// soon as every cell in a row is over the limit.
pub fn bounded_levenshtein(a: &[u8], b: &[u8], limit: usize) -> Option<usize> {
    let (n, m) = (a.len(), b.len());
    if m - n > limit {
        return None;
    }
    let big = limit + 1;
    let mut prev: Vec<usize> = (0..=m).map(|j| j.min(big)).collect();
    let mut cur = vec![big; m + 1];
    for i in 1..=n {
        let lo = i.saturating_sub(limit).max(1);
        let hi = (i + limit).min(m);
        cur[lo - 1] = if lo == 1 { i.min(big) } else { big };
        let mut best = cur[lo - 1];
        for j in lo..=hi {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let value = (prev[j - 1] + cost).min(prev[j] + 1).min(cur[j - 1] + 1).min(big);
            cur[j] = value;
            best = best.min(value);
        }
        if hi < m {
            cur[hi + 1] = big;
        }
        if best > limit {
            return None;
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    let d = prev[m];
    (d <= limit).then_some(d)
}

fn same_surname(a: &str, b: &str) -> bool {
    a == b || (a.len() >= 5 && b.len() >= 5 && bounded_levenshtein_str(a, b, 1))
}

fn bounded_levenshtein_str(a: &str, b: &str, limit: usize) -> bool {
    let (a, b) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    bounded_levenshtein(a.as_bytes(), b.as_bytes(), limit).is_some()
}

fn same_author(a: &Author, b: &Author) -> bool {
    let initials = match (a.initials.chars().next(), b.initials.chars().next()) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    };
    if initials && same_surname(&a.surname, &b.surname) {
        return true;
    }
    // Written inverted (`Ching-yi, Wu` and `Wu, C. Y.`), or given names run
    // into the surname (`Si Hyun Kang, null` and `Kang, Si Hyun`).
    let inverted = |x: &Author, y: &Author| {
        (x.given.len() >= 2 && *x.given == *y.surname && y.initials.starts_with(&x.surname[..1]))
            || (!y.given.is_empty()
                && x.surname.len() > y.surname.len()
                && (x.surname.ends_with(&*y.surname) && x.surname.starts_with(&*y.given)
                    || x.surname.starts_with(&*y.surname) && x.surname.ends_with(&*y.given)))
    };
    // A given name written into the surname (`Il Cheong, H.` and
    // `Cheong, H. I.`): the rest of the surname starts with a later
    // initial of the other, and the first initials agree.
    let given_in_surname = |x: &Author, y: &Author| {
        let Some(rest) = x.surname.strip_suffix(&*y.surname) else {
            return false;
        };
        rest.len() >= 2
            && y.surname.len() >= 3
            && x.initials.get(..1).is_some_and(|i| y.initials.starts_with(i))
            && rest
                .get(..1)
                .is_some_and(|r| y.initials.get(1..).is_some_and(|later| later.contains(r)))
    };
    inverted(a, b) || inverted(b, a) || given_in_surname(a, b) || given_in_surname(b, a)
}

/// How many of the shorter author list (its first twelve) are in the other,
/// 0 to 1; `None` when a record has no authors.
pub fn author_similarity(a: &[Author], b: &[Author]) -> Option<f32> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let short = &short[..short.len().min(12)];
    let long = &long[..long.len().min(24)];
    let found = short.iter().filter(|x| long.iter().any(|y| same_author(x, y))).count();
    let mut score = found as f32 / short.len() as f32;
    if !same_author(&a[0], &b[0]) {
        // Inverted or reordered lists still count, a little less.
        score *= 0.9;
    }
    Some(score)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_given_name_in_the_surname_is_the_same_author() {
        let author = |raw| super::super::normalize::author(raw).unwrap();
        assert!(same_author(&author("Il Cheong, H."), &author("Cheong, H. I.")));
        assert!(same_author(&author("Cheong, H. I."), &author("Il Cheong, H.")));
        assert!(!same_author(&author("Il Cheong, H."), &author("Cheong, H. K.")));
        assert!(!same_author(&author("Il Cheong, H."), &author("Cheong, J. I.")));
    }

    /// The keys of the records of a case folder's `a.ris`.
    fn case_keys(case: &str) -> Vec<Key> {
        let path = format!("{}/tests/dedupe/{case}/a.ris", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(path).unwrap();
        super::super::keys(&text)
            .into_iter()
            .map(super::super::Located::into_key)
            .collect()
    }

    #[test]
    fn one_meeting_abstract_in_two_indexes_and_its_near_misses() {
        let keys = case_keys("meeting_abstract_near_misses");
        let embase = &keys[0];
        assert_eq!(embase.meeting.as_deref(), Some("transplant international"));
        // The same abstract under the journal's name, another page.
        let mut copy = keys[1].clone();
        copy.volume = embase.volume.clone();
        let decision = compare(embase, &copy);
        assert_eq!(decision.verdict, Verdict::Duplicate, "{decision:?}");
        assert!(decision.reason.starts_with("one meeting abstract"));
        assert_eq!(compare(&copy, embase).verdict, Verdict::Duplicate);
        // Another issue given on both.
        let mut issue = copy.clone();
        issue.issue = Some("9".into());
        let mut embase_issue = embase.clone();
        embase_issue.issue = Some("s1".into());
        assert_eq!(compare(&embase_issue, &issue).verdict, Verdict::Distinct);
        // Both in Embase's form: two abstracts of one meeting.
        let mut twice = copy.clone();
        twice.meeting = embase.meeting.clone();
        assert_ne!(compare(embase, &twice).verdict, Verdict::Duplicate);
        // Another volume, another author, a full article, another journal.
        for other in &keys[1..] {
            let decision = compare(embase, other);
            assert_eq!(decision.verdict, Verdict::Distinct, "{:?}: {decision:?}", other.id);
        }
    }

    #[test]
    fn one_abstract_at_two_meetings_and_its_near_misses() {
        let keys = case_keys("abstract_two_meetings_near_misses");
        let by_id = |id: &str| keys.iter().find(|k| k.id.as_deref() == Some(id)).unwrap().clone();
        let abstract_ = by_id("abstract");
        assert!(abstract_.supplement);
        let merged = |other: &Key| {
            let decision = compare(&abstract_, other);
            assert_eq!(compare(other, &abstract_).verdict, decision.verdict);
            decision.verdict == Verdict::Duplicate && decision.reason.starts_with("one abstract at two meetings")
        };
        // Each near miss, as it is, stays apart.
        for other in &keys[1..6] {
            let decision = compare(&abstract_, other);
            assert_ne!(decision.verdict, Verdict::Duplicate, "{:?}: {decision:?}", other.id);
        }
        for (a, b) in [
            ("short-title-spring", "short-title-summer"),
            ("two-authors-spring", "two-authors-summer"),
        ] {
            assert_ne!(compare(&by_id(a), &by_id(b)).verdict, Verdict::Duplicate, "{a} {b}");
        }
        // Mended in the one respect it misses, each merges.
        let mut author = by_id("author-left-out");
        author.authors = abstract_.authors.clone();
        assert!(merged(&author));
        let mut year = by_id("next-year");
        year.year = abstract_.year;
        assert!(merged(&year));
        let mut digest = by_id("digest-not-supplement");
        digest.supplement = true;
        assert!(merged(&digest));
        // Authors in another order still merge; another first author does not.
        let mut reordered = author.clone();
        reordered.authors.swap(2, 3);
        assert!(merged(&reordered));
        let mut first = author.clone();
        first.authors.swap(0, 1);
        assert!(!merged(&first));
        // Within one journal, pages apart are two abstracts.
        assert!(!merged(&by_id("same-journal-other-page")));
    }

    #[test]
    fn banded_levenshtein_agrees_with_the_plain_one() {
        fn plain(a: &[u8], b: &[u8]) -> usize {
            let mut prev: Vec<usize> = (0..=b.len()).collect();
            for i in 1..=a.len() {
                let mut cur = vec![i; b.len() + 1];
                for j in 1..=b.len() {
                    cur[j] = (prev[j - 1] + usize::from(a[i - 1] != b[j - 1]))
                        .min(prev[j] + 1)
                        .min(cur[j - 1] + 1);
                }
                prev = cur;
            }
            prev[b.len()]
        }
        let words = [
            "",
            "a",
            "ab",
            "kitten",
            "sitting",
            "hemolytic",
            "haemolytic",
            "abcdefgh",
            "hgfedcba",
        ];
        for a in words {
            for b in words {
                let (s, l) = if a.len() <= b.len() { (a, b) } else { (b, a) };
                for limit in 0..6 {
                    let d = plain(s.as_bytes(), l.as_bytes());
                    let expected = (d <= limit).then_some(d);
                    assert_eq!(
                        bounded_levenshtein(s.as_bytes(), l.as_bytes(), limit),
                        expected,
                        "{s} {l} {limit}"
                    );
                }
            }
        }
    }
}

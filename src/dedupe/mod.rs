//! Duplicate records across files: a compact [`Key`] per record (normalised
//! DOI, title, authors, year, journals, volume, issue, pages, kind), blocks
//! so that only records sharing a block are compared (cost grows with the
//! number of records, not its square), a three-way [`matching::compare`]
//! per pair with its reason, and clusters: connected components of
//! duplicate pairs only, possible pairs listed beside them, never merged.
//!
//! Data flows text → [`crate::syntax`] → [`keys`] → [`find`] (or an
//! [`Index`], record by record, for a workspace that changes) → clusters;
//! [`merge`] writes one record from several. Nothing here knows LSP,
//! terminals or files.

pub mod matching;
pub mod merge;
pub mod normalize;

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use crate::syntax::{self, LineKind, Parse, Span};
pub use matching::{Decision, Verdict, compare};
pub use normalize::{Author, Kind, Pages};

/// What a record is compared by: its fields normalised, a few hundred
/// bytes, no text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    /// The RIS `ID`, as written (trimmed), if any.
    pub id: Option<Box<str>>,
    /// The DOI, lowercase, without resolver prefixes.
    pub doi: Option<Box<str>>,
    /// The title's words (see [`normalize::title`]).
    pub title: Box<str>,
    /// Authors in order.
    pub authors: Box<[Author]>,
    /// The publication year.
    pub year: Option<u16>,
    /// Every journal or source name given, as comparable words.
    pub journals: Box<[Box<str>]>,
    /// The journal of Embase's `Journal.Conference: Meeting` form, as
    /// comparable words: the record is a meeting abstract printed there.
    pub meeting: Option<Box<str>>,
    /// Volume, folded.
    pub volume: Option<Box<str>>,
    /// Issue, folded.
    pub issue: Option<Box<str>>,
    /// Whether the volume or issue names a supplement (`Suppl. 1`), where
    /// meetings print their abstracts: the number alone is in `volume` or
    /// `issue`.
    pub supplement: bool,
    /// Pages.
    pub pages: Pages,
    /// What kind of item.
    pub kind: Kind,
    /// Whether the title names a kind of item (`Editorial`).
    pub generic: bool,
}

/// A record's key and where it is in its text (or in its piece, for
/// [`piece_keys`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// 0-based line of the record's `TY` line.
    pub line: usize,
    /// Its bytes in the text, `TY` line to `ER` line.
    pub span: Span,
    /// Its key, shared: an open document's analysis and the workspace
    /// index hold the same one (a copy each was 1.4 KB a record).
    pub key: Arc<Key>,
    /// Whether its DOI is a `DO` line's: two records of one file sharing
    /// such a DOI are what the file-wide duplicate-DOI check reports.
    pub doi_tagged: bool,
}

impl Located {
    /// Its key, owned: for callers that keep keys alone (the CLI's clusters).
    pub fn into_key(self) -> Key {
        Arc::unwrap_or_clone(self.key)
    }
}

/// The fields of one record as `(tag, value)`, continuation lines joined
/// to their value with a space.
pub fn fields<'t>(text: &'t str, parse: &Parse, record: &syntax::Record) -> Vec<([u8; 2], Cow<'t, str>)> {
    let mut out: Vec<([u8; 2], Cow<'t, str>)> = Vec::with_capacity(record.line_range().len());
    for line in &parse.lines[record.line_range()] {
        match &line.kind {
            // Borrowed unless continued: an Ovid record's thousands of
            // `M1` lines are keyed without a copy each.
            LineKind::Tag(tag) => out.push((tag.code, Cow::Borrowed(tag.value.text(text)))),
            LineKind::Continuation => {
                if let Some((_, value)) = out.last_mut() {
                    let more = line.content.text(text).trim();
                    if !more.is_empty() {
                        let value = value.to_mut();
                        value.push(' ');
                        value.push_str(more);
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// The key of a record from its fields.
pub fn key_of(fields: &[([u8; 2], Cow<str>)]) -> Key {
    // The first non-empty value of each tag read below, found in one pass:
    // a search per tag was a pass each over an Ovid record's thousands of
    // `M1` lines, on every keystroke in it.
    const READ: [&[u8; 2]; 13] = [
        b"TY", b"TI", b"T1", b"CT", b"ID", b"PY", b"Y1", b"DA", b"VL", b"IS", b"SP", b"EP", b"DO",
    ];
    let mut first: [Option<&str>; READ.len()] = [None; READ.len()];
    for (code, value) in fields {
        if let Some(slot) = READ.iter().position(|c| *c == code)
            && first[slot].is_none()
            && !value.trim().is_empty()
        {
            first[slot] = Some(value);
        }
    }
    let get = |codes: &[&[u8; 2]]| -> Option<&str> {
        codes
            .iter()
            .find_map(|code| READ.iter().position(|c| c == code).and_then(|slot| first[slot]))
    };
    let ty = get(&[b"TY"]).map(|t| t.split_ascii_whitespace().next().unwrap_or("").to_ascii_uppercase());
    let raw_title = get(&[b"TI", b"T1", b"CT"]).unwrap_or("");
    // A correction notice is compared by the title it corrects.
    let corrected = normalize::corrected_title(raw_title);
    let title = normalize::title(
        corrected
            .filter(|t| t.split_whitespace().count() >= 3)
            .unwrap_or(raw_title),
    );
    let mut authors: Vec<Author> = fields
        .iter()
        .filter(|(c, _)| c == b"AU" || c == b"A1")
        .filter_map(|(_, v)| normalize::author(v))
        .collect();
    authors.dedup();
    let mut journals = Vec::new();
    let mut meeting = None;
    for (code, value) in fields {
        if matches!(code, b"T2" | b"JO" | b"JF" | b"JA" | b"J1" | b"J2" | b"BT" | b"T3") {
            normalize::journals(value, &mut journals);
            if meeting.is_none() {
                meeting = normalize::meeting_journal(value);
            }
        }
    }
    let doi = get(&[b"DO"]).and_then(normalize::doi).or_else(|| {
        fields
            .iter()
            // Not `M1`: PsycINFO writes each cited reference there, and
            // the first one's DOI is another work's.
            .filter(|(c, _)| matches!(c, b"N1" | b"M3" | b"UR" | b"L3" | b"AN"))
            .find_map(|(c, v)| {
                // A DOI in a URL only behind a resolver.
                if c == b"UR" && !v.contains("doi.org/") {
                    return None;
                }
                normalize::doi(v)
            })
    });
    let kind = if corrected.is_some() {
        Kind::Erratum
    } else {
        normalize::kind(ty.as_deref().unwrap_or(""), &title, &journals, doi.as_deref())
    };
    let generic = normalize::is_generic_title(&title);
    Key {
        id: get(&[b"ID"]).map(|v| v.trim().into()),
        doi,
        authors: authors.into(),
        year: get(&[b"PY", b"Y1", b"DA"]).and_then(normalize::year),
        journals: journals.into_iter().map(String::into_boxed_str).collect(),
        meeting: meeting.map(String::into_boxed_str),
        volume: get(&[b"VL"]).and_then(normalize::number),
        issue: get(&[b"IS"]).and_then(normalize::number),
        supplement: get(&[b"VL"]).is_some_and(normalize::supplement)
            || get(&[b"IS"]).is_some_and(normalize::supplement),
        pages: normalize::pages(get(&[b"SP"]).unwrap_or(""), get(&[b"EP"]).unwrap_or("")),
        kind,
        generic,
        title: title.into(),
    }
}

/// The key of every record (with a `TY` line) in `text`, in order. Reads
/// the text piece by piece (a piece per `TY` line) through the one walk the
/// analyses use, so a big file is never parsed whole and is read on every
/// core.
pub fn keys(text: &str) -> Vec<Located> {
    let pieces = crate::analysis::map_pieces(text, 0, text.len(), |piece, _, parse| {
        syntax::parse_into(piece, &[], parse);
        // Every piece but the last ends with a line break.
        (parse.lines.len(), piece_keys(piece, parse))
    });
    let mut out = Vec::new();
    let mut line = 0;
    for (start, (lines, keys)) in pieces {
        out.extend(keys.into_iter().map(|located| Located {
            line: line + located.line,
            span: located.span.shift(start),
            ..located
        }));
        line += lines;
    }
    out
}

/// Whether `text` still holds the record keyed `key` at `span`, starting a
/// line: a file read again to merge a record indexed from it earlier.
pub fn still_at(text: &str, span: Span, key: &Key) -> bool {
    let Some(record) = text.get(span.start..span.end) else {
        return false;
    };
    let starts_line = span.start == 0 || text[..span.start].ends_with(['\n', '\r']);
    starts_line
        && keys(record)
            .first()
            .is_some_and(|again| *again.key == *key && again.span.shift(span.start) == span)
}

/// The key of every record (with a `TY` line) of one parsed piece of text,
/// its line and span relative to the piece: what [`keys`] reads of each
/// piece, and what an open document's analysis keeps per piece.
pub fn piece_keys(text: &str, parse: &Parse) -> Vec<Located> {
    parse
        .records
        .iter()
        .filter(|r| r.has_type)
        .map(|record| {
            let fields = fields(text, parse, record);
            let first = &parse.lines[record.first_line];
            let last = &parse.lines[record.end_line - 1];
            let key = key_of(&fields);
            let doi_tagged = key.doi.is_some()
                && fields
                    .iter()
                    .any(|(c, v)| c == b"DO" && normalize::doi(v).as_deref() == key.doi.as_deref());
            Located {
                line: record.first_line,
                span: Span::new(first.span.start, last.span.end),
                key: Arc::new(key),
                doi_tagged,
            }
        })
        .collect()
}

/// The blocks a record is in: records are compared only with records that
/// share one. Each is a hash of a field or two: the DOI; the title's first
/// and last 16 letters; the first author with the first page; volume with
/// first page.
pub fn blocks(key: &Key) -> impl Iterator<Item = u64> + use<> {
    let mut out: Vec<u64> = Vec::with_capacity(5);
    if let Some(doi) = &key.doi {
        out.push(hash(1, &[doi.as_bytes()]));
    }
    let squashed: Vec<u8> = key.title.bytes().filter(|&b| b != b' ').collect();
    if squashed.len() >= 8 {
        let n = squashed.len().min(16);
        out.push(hash(2, &[&squashed[..n]]));
        out.push(hash(3, &[&squashed[squashed.len() - n..]]));
    }
    let page = key.pages.first.as_bytes();
    if !page.is_empty() {
        if let Some(author) = key.authors.first() {
            out.push(hash(4, &[author.surname.as_bytes(), page]));
        }
        if let Some(volume) = &key.volume {
            out.push(hash(5, &[volume.as_bytes(), page]));
        }
    }
    out.into_iter()
}

/// A block's hash: which field pair it is (`tag`) and their bytes, with the
/// checks' hash (a collision only costs a comparison more).
fn hash(tag: u8, parts: &[&[u8]]) -> u64 {
    use std::hash::BuildHasher;
    crate::checks::FastHash::default().hash_one((tag, parts))
}

/// Blocks larger than this are not compared all with all: each record
/// there is compared with its [`WINDOW`] neighbours in title order.
pub const BLOCK_LIMIT: usize = 64;
/// Neighbours compared in an oversized block.
pub const WINDOW: usize = 8;

/// A pair of records (indices into the keys) and the decision on it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Link {
    /// The first record (the smaller index).
    pub a: u32,
    /// The second.
    pub b: u32,
    /// Why they are linked.
    pub decision: Decision,
}

/// What [`find`] finds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Found {
    /// Groups of duplicates (two or more records each, indices in order),
    /// in the order of their first records.
    pub clusters: Vec<Vec<u32>>,
    /// The duplicate pairs that made each cluster, by cluster.
    pub links: Vec<Vec<Link>>,
    /// Possible duplicates not in one cluster, for review.
    pub possible: Vec<Link>,
    /// How many pairs were compared.
    pub compared: usize,
}

/// Finds the duplicates among `keys`.
pub fn find(keys: &[Key]) -> Found {
    let pairs = candidate_pairs(keys);
    let links = decide_all(keys, &pairs);
    cluster(keys, links, pairs.len())
}

/// Every pair sharing a block, once, as `a << 32 | b` with `a < b`.
fn candidate_pairs(keys: &[Key]) -> Vec<u64> {
    let mut entries: Vec<(u64, u32)> = Vec::with_capacity(keys.len() * 5);
    for (i, key) in keys.iter().enumerate() {
        entries.extend(blocks(key).map(|h| (h, i as u32)));
    }
    entries.sort_unstable();
    let mut pairs: Vec<u64> = Vec::new();
    for group in entries.chunk_by(|x, y| x.0 == y.0) {
        let mut members: Vec<u32> = group.iter().map(|&(_, i)| i).collect();
        members.dedup();
        let pair = |x: u32, y: u32| {
            if x < y {
                u64::from(x) << 32 | u64::from(y)
            } else {
                u64::from(y) << 32 | u64::from(x)
            }
        };
        if members.len() <= BLOCK_LIMIT {
            for (n, &x) in members.iter().enumerate() {
                for &y in &members[n + 1..] {
                    pairs.push(pair(x, y));
                }
            }
        } else {
            members.sort_by(|&x, &y| keys[x as usize].title.cmp(&keys[y as usize].title).then(x.cmp(&y)));
            for (n, &x) in members.iter().enumerate() {
                for &y in members[n + 1..].iter().take(WINDOW) {
                    pairs.push(pair(x, y));
                }
            }
        }
    }
    pairs.sort_unstable();
    pairs.dedup();
    pairs
}

/// The decision on every pair that is not distinct, on every core.
fn decide_all(keys: &[Key], pairs: &[u64]) -> Vec<Link> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(8);
    let work = |chunk: &[u64]| -> Vec<Link> {
        chunk
            .iter()
            .filter_map(|&p| {
                let (a, b) = ((p >> 32) as u32, p as u32);
                let decision = compare(&keys[a as usize], &keys[b as usize]);
                (decision.verdict != Verdict::Distinct).then_some(Link { a, b, decision })
            })
            .collect()
    };
    if threads <= 1 || pairs.len() < 50_000 {
        return work(pairs);
    }
    let per = pairs.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = pairs
            .chunks(per)
            .map(|chunk| scope.spawn(move || work(chunk)))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("match threads do not panic"))
            .collect()
    })
}

/// Connected components of the duplicate links, strongest first; possible
/// links between records left in different components (or alone) are kept
/// for review. A link that would join two components holding different
/// DOIs, or years more than one apart, is not followed (it becomes a
/// possible link): a chain of likenesses must not merge what no pair would.
pub fn cluster(keys: &[Key], mut links: Vec<Link>, compared: usize) -> Found {
    let count = keys.len();
    let mut parent: Vec<u32> = (0..count as u32).collect();
    // Per root: its DOIs and its years' span.
    let mut dois: HashMap<u32, Vec<&str>> = HashMap::new();
    let mut years: HashMap<u32, (u16, u16)> = HashMap::new();
    fn root(parent: &mut [u32], mut x: u32) -> u32 {
        while parent[x as usize] != x {
            let up = parent[parent[x as usize] as usize];
            parent[x as usize] = up;
            x = up;
        }
        x
    }
    links.sort_by(|x, y| {
        x.decision
            .verdict
            .cmp(&y.decision.verdict)
            .then(y.decision.score.total_cmp(&x.decision.score))
            .then((x.a, x.b).cmp(&(y.a, y.b)))
    });
    let doi_of = |i: u32| keys[i as usize].doi.as_deref();
    let year_of = |i: u32| keys[i as usize].year;
    for link in links.iter_mut().filter(|l| l.decision.verdict == Verdict::Duplicate) {
        let (ra, rb) = (root(&mut parent, link.a), root(&mut parent, link.b));
        if ra == rb {
            continue;
        }
        let dois_a = dois
            .get(&ra)
            .cloned()
            .unwrap_or_else(|| doi_of(ra).into_iter().collect());
        let dois_b = dois
            .get(&rb)
            .cloned()
            .unwrap_or_else(|| doi_of(rb).into_iter().collect());
        let span = |r: u32| years.get(&r).copied().or_else(|| year_of(r).map(|y| (y, y)));
        let joined_years = match (span(ra), span(rb)) {
            (Some((a0, a1)), Some((b0, b1))) => Some((a0.min(b0), a1.max(b1))),
            (a, b) => a.or(b),
        };
        if dois_a
            .iter()
            .chain(&dois_b)
            .any(|d| !dois_a.contains(d) || !dois_b.contains(d))
            && !dois_a.is_empty()
            && !dois_b.is_empty()
        {
            link.decision = Decision {
                verdict: Verdict::Possible,
                reason: "alike, but joining them would join different DOIs",
                ..link.decision
            };
            continue;
        }
        if joined_years.is_some_and(|(lo, hi)| hi - lo > 1) {
            link.decision = Decision {
                verdict: Verdict::Possible,
                reason: "alike, but joining them would join years more than one apart",
                ..link.decision
            };
            continue;
        }
        // The smaller index is the root: clusters come out in order.
        let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
        parent[hi as usize] = lo;
        let mut merged = dois_a;
        for d in dois_b {
            if !merged.contains(&d) {
                merged.push(d);
            }
        }
        dois.remove(&hi);
        dois.insert(lo, merged);
        years.remove(&hi);
        if let Some(span) = joined_years {
            years.insert(lo, span);
        }
    }
    let mut members: HashMap<u32, Vec<u32>> = HashMap::new();
    for link in links.iter().filter(|l| l.decision.verdict == Verdict::Duplicate) {
        for x in [link.a, link.b] {
            let r = root(&mut parent, x);
            members.entry(r).or_default().push(x);
        }
    }
    let mut roots: Vec<u32> = members.keys().copied().collect();
    roots.sort_unstable();
    let mut at: HashMap<u32, usize> = HashMap::new();
    let mut clusters = Vec::with_capacity(roots.len());
    for (n, r) in roots.iter().enumerate() {
        let mut m = members.remove(r).unwrap_or_default();
        m.sort_unstable();
        m.dedup();
        clusters.push(m);
        at.insert(*r, n);
    }
    let mut cluster_links = vec![Vec::new(); clusters.len()];
    let mut possible = Vec::new();
    for link in links {
        let (ra, rb) = (root(&mut parent, link.a), root(&mut parent, link.b));
        match link.decision.verdict {
            Verdict::Duplicate => cluster_links[at[&ra]].push(link),
            _ if ra == rb => {}
            _ => possible.push(link),
        }
    }
    possible.sort_by_key(|l| (l.a, l.b));
    for links in &mut cluster_links {
        links.sort_by_key(|l| (l.a, l.b));
    }
    Found {
        clusters,
        links: cluster_links,
        possible,
        compared,
    }
}

/// Keys kept record by record, for a workspace that changes: insert and
/// remove one record, and ask what a record matches. The language server
/// keeps one of these (keys only, not the text) across every file.
#[derive(Debug, Default)]
pub struct Index {
    keys: Vec<Option<Arc<Key>>>,
    free: Vec<u32>,
    blocks: HashMap<u64, Vec<u32>>,
}

impl Index {
    /// An empty index.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many records it holds.
    pub fn len(&self) -> usize {
        self.keys.len() - self.free.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds a record; returns its handle.
    pub fn insert(&mut self, key: Arc<Key>) -> u32 {
        let id = match self.free.pop() {
            Some(id) => id,
            None => {
                self.keys.push(None);
                (self.keys.len() - 1) as u32
            }
        };
        for block in blocks(&key) {
            let members = self.blocks.entry(block).or_default();
            if !members.contains(&id) {
                members.push(id);
            }
        }
        self.keys[id as usize] = Some(key);
        id
    }

    /// Removes records; returns their keys. Each block they are in is
    /// filtered once: one by one, a block holding n of them was filtered n
    /// times (closing a 100,000-record file took a second).
    pub fn remove_all(&mut self, ids: &[u32]) -> Vec<Arc<Key>> {
        let mut gone = Vec::with_capacity(ids.len());
        let mut touched = Vec::new();
        let mut keys = Vec::with_capacity(ids.len());
        for &id in ids {
            let Some(key) = self.keys.get_mut(id as usize).and_then(Option::take) else {
                continue;
            };
            touched.extend(blocks(&key));
            gone.push(id);
            self.free.push(id);
            keys.push(key);
        }
        gone.sort_unstable();
        touched.sort_unstable();
        touched.dedup();
        for block in touched {
            if let Some(members) = self.blocks.get_mut(&block) {
                members.retain(|m| gone.binary_search(m).is_err());
                if members.is_empty() {
                    self.blocks.remove(&block);
                }
            }
        }
        keys
    }

    /// The key of a record.
    pub fn get(&self, id: u32) -> Option<&Key> {
        self.keys.get(id as usize)?.as_deref()
    }

    /// Every record that `id` is a duplicate or possible duplicate of, with
    /// the decision, best first. Oversized blocks are searched in full
    /// here: one record against a block is cheap.
    pub fn matches(&self, id: u32) -> Vec<(u32, Decision)> {
        let Some(key) = self.get(id) else { return Vec::new() };
        let mut seen: Vec<u32> = blocks(key)
            .filter_map(|b| self.blocks.get(&b))
            .flatten()
            .copied()
            .filter(|&other| other != id)
            .collect();
        seen.sort_unstable();
        seen.dedup();
        let mut out: Vec<(u32, Decision)> = seen
            .into_iter()
            .filter_map(|other| {
                let decision = compare(key, self.get(other)?);
                (decision.verdict != Verdict::Distinct).then_some((other, decision))
            })
            .collect();
        out.sort_by(|x, y| x.1.verdict.cmp(&y.1.verdict).then(y.1.score.total_cmp(&x.1.score)));
        out
    }
}

#[cfg(test)]
mod tests;

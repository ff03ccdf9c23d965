//! Duplicate records across a workspace: every record of every file, as a
//! compact key in a [`dedupe::Index`] (no text), where it is, and the
//! records it is a duplicate or a possible duplicate of.
//!
//! A file's records come from disk ([`Place::Disk`]: line and span as read)
//! or, while it is open, from its document's pieces ([`Place::Piece`]: the
//! piece's id and the record's rank in it, so nothing moves when text
//! before it does). Adding or removing a record compares it with the
//! records sharing a block with it, and keeps the links symmetric: the
//! work of a change is proportional to the records it touched and their
//! copies, never to the workspace. Every change says which files' findings
//! it changed, for the caller to publish.
//!
//! Two records of one file sharing the DOI of a `DO` line are left to the
//! file-wide duplicate-DOI check (RIS033), which the CLI reports too: one
//! finding per pair, not two.
//!
//! Files are opaque ids; the server maps them to URIs. Nothing here knows
//! LSP or reads files.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::dedupe::{self, Decision, Verdict};
use crate::syntax::Span;

/// A file of the workspace, as the caller names it.
pub type FileId = u32;

/// Where a record is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Place {
    /// A record of a file as read from disk: its 0-based `TY` line and
    /// its bytes.
    Disk {
        /// The line of its `TY`.
        line: u32,
        /// `TY` line to `ER` line.
        span: Span,
    },
    /// The `rank`-th record of a piece of an open document.
    Piece {
        /// The piece's id (see [`crate::document::Document::piece_records`]).
        id: u64,
        /// Which of the piece's records.
        rank: u32,
    },
}

/// A record of the workspace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Its file.
    pub file: FileId,
    /// Where in it.
    pub place: Place,
    doi_tagged: bool,
}

/// A record's handle in the workspace.
pub type Handle = u32;

/// The records of one file.
#[derive(Debug, Default)]
struct FileRecords {
    disk: Vec<Handle>,
    pieces: HashMap<u64, Vec<Handle>>,
    /// The records with at least one copy: what its findings are made of.
    flagged: BTreeSet<Handle>,
    /// Compared only with itself (an open file outside the workspace).
    alone: bool,
}

/// The duplicate index of a workspace.
#[derive(Debug, Default)]
pub struct Workspace {
    index: dedupe::Index,
    records: Vec<Option<Record>>,
    /// Handle → its copies (duplicates and possible duplicates), both ways.
    links: HashMap<Handle, Vec<(Handle, Decision)>>,
    /// Handle → when its copies last changed (a count of changes), for
    /// callers that keep what they made of a record's copies.
    versions: HashMap<Handle, u64>,
    clock: u64,
    files: HashMap<FileId, FileRecords>,
}

/// The files whose findings a change changed.
pub type Touched = HashSet<FileId>;

impl Workspace {
    /// An empty workspace.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many records it holds.
    pub fn len(&self) -> usize {
        self.index.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    /// Whether `file` is compared only with itself: an open document
    /// outside the workspace folders. Set it before adding its records.
    pub fn set_alone(&mut self, file: FileId, alone: bool) {
        self.files.entry(file).or_default().alone = alone;
    }

    fn alone(&self, file: FileId) -> bool {
        self.files.get(&file).is_some_and(|f| f.alone)
    }

    /// Replaces a file's records with those read from disk (`located` from
    /// [`dedupe::keys`]).
    pub fn set_disk(&mut self, file: FileId, located: Vec<dedupe::Located>, touched: &mut Touched) {
        self.remove_file(file, touched);
        self.add_disk(file, located, touched);
    }

    /// Adds records of a file read from disk to those it has: a big file a
    /// chunk at a time.
    pub fn add_disk(&mut self, file: FileId, located: Vec<dedupe::Located>, touched: &mut Touched) {
        for located in located {
            let place = Place::Disk {
                line: u32::try_from(located.line).unwrap_or(u32::MAX),
                span: located.span,
            };
            let handle = self.insert(file, place, located, touched);
            self.files.entry(file).or_default().disk.push(handle);
        }
    }

    /// Forgets every record of a file (deleted, or about to be read again).
    pub fn remove_file(&mut self, file: FileId, touched: &mut Touched) {
        let Some(records) = self.files.remove(&file) else {
            return;
        };
        let mut handles = records.disk;
        handles.extend(records.pieces.into_values().flatten());
        if handles.len() < self.len() {
            self.remove(&handles, touched);
            return;
        }
        // Its records are all there is: the index starts again, where
        // taking them out held the server a second for 100,000, and its
        // emptied tables would keep their size. Its findings change if a
        // record had a copy (in this file, then).
        if !self.links.is_empty() {
            touched.insert(file);
        }
        *self = Self {
            clock: self.clock + 1,
            ..Self::default()
        };
    }

    /// Forgets a file's records read from disk (it was opened: its
    /// document's pieces stand for it now).
    pub fn remove_disk(&mut self, file: FileId, touched: &mut Touched) {
        let Some(records) = self.files.get_mut(&file) else {
            return;
        };
        let handles = std::mem::take(&mut records.disk);
        self.remove(&handles, touched);
    }

    /// Adds the records of an open document's piece.
    pub fn add_piece(&mut self, file: FileId, id: u64, records: &[dedupe::Located], touched: &mut Touched) {
        let handles: Vec<Handle> = records
            .iter()
            .enumerate()
            .map(|(rank, located)| {
                let place = Place::Piece {
                    id,
                    rank: u32::try_from(rank).unwrap_or(u32::MAX),
                };
                self.insert(file, place, located.clone(), touched)
            })
            .collect();
        if !handles.is_empty() {
            self.files.entry(file).or_default().pieces.insert(id, handles);
        }
    }

    /// Forgets the records of an open document's piece (an edit replaced it).
    pub fn remove_piece(&mut self, file: FileId, id: u64, touched: &mut Touched) {
        let Some(handles) = self.files.get_mut(&file).and_then(|f| f.pieces.remove(&id)) else {
            return;
        };
        self.remove(&handles, touched);
    }

    /// A record.
    pub fn record(&self, handle: Handle) -> Option<&Record> {
        self.records.get(handle as usize)?.as_ref()
    }

    /// A record's key.
    pub fn key(&self, handle: Handle) -> Option<&dedupe::Key> {
        self.index.get(handle)
    }

    /// A record's copies, duplicates first, then by score.
    pub fn copies(&self, handle: Handle) -> &[(Handle, Decision)] {
        self.links.get(&handle).map_or(&[], Vec::as_slice)
    }

    /// A number that changes whenever the copies of `handle` do.
    pub fn version(&self, handle: Handle) -> u64 {
        self.versions.get(&handle).copied().unwrap_or(0)
    }

    fn changed(&mut self, handle: Handle) {
        self.clock += 1;
        self.versions.insert(handle, self.clock);
    }

    /// The records of `file` that have copies, by handle.
    pub fn flagged(&self, file: FileId) -> impl Iterator<Item = Handle> + '_ {
        self.files
            .get(&file)
            .into_iter()
            .flat_map(|f| f.flagged.iter().copied())
    }

    /// Whether `file` has records with copies.
    pub fn has_flagged(&self, file: FileId) -> bool {
        self.files.get(&file).is_some_and(|f| !f.flagged.is_empty())
    }

    /// The files with records with copies.
    pub fn flagged_files(&self) -> Vec<FileId> {
        let mut out: Vec<FileId> = self
            .files
            .iter()
            .filter(|(_, f)| !f.flagged.is_empty())
            .map(|(&id, _)| id)
            .collect();
        out.sort_unstable();
        out
    }

    /// The handles of a piece's records, in rank order.
    pub fn piece_handles(&self, file: FileId, id: u64) -> &[Handle] {
        self.files
            .get(&file)
            .and_then(|f| f.pieces.get(&id))
            .map_or(&[], Vec::as_slice)
    }

    /// The handle of the record of `file` read from disk whose `TY` is on
    /// `line`.
    pub fn disk_handle(&self, file: FileId, line: u32) -> Option<Handle> {
        let records = self.files.get(&file)?;
        records
            .disk
            .iter()
            .copied()
            .find(|&h| matches!(self.record(h), Some(Record { place: Place::Disk { line: l, .. }, .. }) if *l == line))
    }

    fn insert(&mut self, file: FileId, place: Place, located: dedupe::Located, touched: &mut Touched) -> Handle {
        let doi_tagged = located.doi_tagged;
        let handle = self.index.insert(located.key);
        let record = Record {
            file,
            place,
            doi_tagged,
        };
        let slot = handle as usize;
        if self.records.len() <= slot {
            self.records.resize(slot + 1, None);
        }
        self.records[slot] = Some(record);
        let found: Vec<(Handle, Decision)> = self
            .index
            .matches(handle)
            .into_iter()
            .filter(|&(other, _)| {
                let theirs = self.record(other).map_or(file, |r| r.file);
                !self.left_to_duplicate_doi(handle, other)
                    && (theirs == file || !(self.alone(file) || self.alone(theirs)))
            })
            .collect();
        if found.is_empty() {
            return handle;
        }
        for &(other, decision) in &found {
            let theirs = self.links.entry(other).or_default();
            theirs.push((handle, decision));
            sort_copies(theirs);
            self.changed(other);
            if let Some(Record { file: their_file, .. }) = self.record(other) {
                let their_file = *their_file;
                self.files.entry(their_file).or_default().flagged.insert(other);
                touched.insert(their_file);
            }
        }
        self.links.insert(handle, found);
        self.changed(handle);
        self.files.entry(file).or_default().flagged.insert(handle);
        touched.insert(file);
        handle
    }

    /// Removes records, out of the index in one batch.
    fn remove(&mut self, handles: &[Handle], touched: &mut Touched) {
        self.index.remove_all(handles);
        for &handle in handles {
            self.unlink(handle, touched);
        }
    }

    /// Forgets a record (already out of the index) and its links.
    fn unlink(&mut self, handle: Handle, touched: &mut Touched) {
        let Some(record) = self.records.get_mut(handle as usize).and_then(Option::take) else {
            return;
        };
        self.versions.remove(&handle);
        let Some(copies) = self.links.remove(&handle) else {
            return;
        };
        if let Some(file) = self.files.get_mut(&record.file) {
            file.flagged.remove(&handle);
        }
        touched.insert(record.file);
        for (other, _) in copies {
            let Some(theirs) = self.links.get_mut(&other) else {
                continue;
            };
            theirs.retain(|&(h, _)| h != handle);
            self.clock += 1;
            self.versions.insert(other, self.clock);
            let their_file = self.records[other as usize].as_ref().map(|r| r.file);
            if theirs.is_empty() {
                self.links.remove(&other);
                if let Some(file) = their_file.and_then(|f| self.files.get_mut(&f)) {
                    file.flagged.remove(&other);
                }
            }
            touched.extend(their_file);
        }
    }

    /// Whether the pair is the duplicate-DOI check's: one file, and the
    /// same DOI in both records' `DO` lines.
    fn left_to_duplicate_doi(&self, a: Handle, b: Handle) -> bool {
        let (Some(x), Some(y)) = (self.record(a), self.record(b)) else {
            return false;
        };
        x.file == y.file
            && x.doi_tagged
            && y.doi_tagged
            && self.index.get(a).and_then(|k| k.doi.as_deref()) == self.index.get(b).and_then(|k| k.doi.as_deref())
    }
}

fn sort_copies(copies: &mut [(Handle, Decision)]) {
    copies.sort_by(|x, y| {
        x.1.verdict
            .cmp(&y.1.verdict)
            .then(y.1.score.total_cmp(&x.1.score))
            .then(x.0.cmp(&y.0))
    });
}

/// Whether a record's copies hold a duplicate (not only possible ones).
pub fn has_duplicate(copies: &[(Handle, Decision)]) -> bool {
    copies.iter().any(|(_, d)| d.verdict == Verdict::Duplicate)
}

/// The message of a record's finding for its copies of one verdict, at
/// `places` (`scopus.ris:120`, best first), with the best pair's reason.
pub fn copies_message(verdict: Verdict, places: &[String], reason: &str) -> String {
    let what = match verdict {
        Verdict::Duplicate => "duplicate of",
        _ => "possible duplicate of",
    };
    let record = if places.len() == 1 { "the record" } else { "the records" };
    let shown = match places.len() {
        0..=3 => places.join(", "),
        n => format!("{} and {} more", places[..3].join(", "), n - 3),
    };
    format!("{what} {record} at {shown} ({reason})")
}

/// The title of the action merging `n` duplicates into a record.
pub fn merge_title(n: usize) -> String {
    format!("Merge {n} duplicate{} into this record", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn located(text: &str) -> Vec<dedupe::Located> {
        dedupe::keys(text)
    }

    const A: &str = "TY  - JOUR\nTI  - Benefiting the NHS through innovation\nAU  - Issa, Hamdi\nPY  - 2021\nDO  - 10.1136/bmjgh-2021-004936\nER  - \n";
    const B: &str = "TY  - JOUR\nTI  - Something else entirely about hospitals\nAU  - Smith, J\nPY  - 2019\nER  - \n";

    #[test]
    fn links_are_kept_both_ways_and_dropped_with_their_records() {
        let mut ws = Workspace::new();
        let mut touched = Touched::new();
        ws.set_disk(1, located(&format!("{A}\n{B}")), &mut touched);
        assert!(touched.is_empty(), "no copies yet: {touched:?}");
        ws.set_disk(2, located(A), &mut touched);
        assert_eq!(touched, Touched::from([1, 2]));
        let one: Vec<Handle> = ws.flagged(1).collect();
        let two: Vec<Handle> = ws.flagged(2).collect();
        assert_eq!((one.len(), two.len()), (1, 1));
        assert_eq!(ws.copies(one[0])[0].0, two[0]);
        assert_eq!(ws.copies(two[0])[0].0, one[0]);
        assert_eq!(ws.copies(one[0])[0].1.reason, "same DOI");
        assert_eq!(ws.disk_handle(1, 0), Some(one[0]));

        let mut touched = Touched::new();
        ws.remove_file(2, &mut touched);
        assert_eq!(touched, Touched::from([1, 2]));
        assert!(!ws.has_flagged(1));
        assert_eq!(ws.len(), 2);
    }

    #[test]
    fn the_last_file_goes_at_once_and_says_whether_it_had_copies() {
        let retitled = A.replace("DO  - 10.1136/bmjgh-2021-004936\n", "");
        for (text, had_copies) in [(format!("{A}\n{retitled}"), true), (format!("{A}\n{B}"), false)] {
            let mut ws = Workspace::new();
            let mut touched = Touched::new();
            ws.set_disk(1, located(&text), &mut touched);
            assert_eq!(ws.has_flagged(1), had_copies);
            let mut touched = Touched::new();
            ws.remove_file(1, &mut touched);
            assert_eq!(touched.contains(&1), had_copies);
            assert!(ws.is_empty() && ws.flagged_files().is_empty());
            // Its next records are compared afresh.
            ws.set_disk(2, located(A), &mut touched);
            ws.set_disk(3, located(A), &mut touched);
            assert!(ws.has_flagged(2) && ws.has_flagged(3));
        }
    }

    #[test]
    fn a_doi_shared_within_a_file_is_left_to_the_duplicate_doi_check() {
        let mut ws = Workspace::new();
        let mut touched = Touched::new();
        ws.set_disk(1, located(&format!("{A}\n{A}")), &mut touched);
        assert!(!ws.has_flagged(1));
        // The same pair across two files is this index's.
        ws.set_disk(2, located(A), &mut touched);
        assert_eq!(ws.flagged(1).count(), 2);
        assert_eq!(ws.flagged(2).count(), 1);
        let two = ws.flagged(2).next().unwrap();
        assert_eq!(ws.copies(two).len(), 2);
    }

    #[test]
    fn a_file_alone_is_compared_only_with_itself() {
        let mut ws = Workspace::new();
        let mut touched = Touched::new();
        ws.set_disk(1, located(A), &mut touched);
        ws.set_alone(2, true);
        ws.add_piece(
            2,
            7,
            &located(&A.replace("DO  - 10.1136/bmjgh-2021-004936\n", "")),
            &mut touched,
        );
        ws.add_piece(2, 8, &located(A), &mut touched);
        assert!(!ws.has_flagged(1));
        assert_eq!(ws.flagged(2).count(), 2);
    }

    #[test]
    fn pieces_come_and_go() {
        let mut ws = Workspace::new();
        let mut touched = Touched::new();
        ws.set_disk(1, located(A), &mut touched);
        ws.remove_disk(2, &mut touched);
        ws.add_piece(2, 7, &located(A), &mut touched);
        assert_eq!(ws.piece_handles(2, 7).len(), 1);
        assert!(ws.has_flagged(1) && ws.has_flagged(2));
        let mut touched = Touched::new();
        ws.remove_piece(2, 7, &mut touched);
        ws.add_piece(2, 8, &located(B), &mut touched);
        assert_eq!(touched, Touched::from([1, 2]));
        assert!(!ws.has_flagged(1) && !ws.has_flagged(2));
        assert_eq!(ws.flagged_files(), Vec::<FileId>::new());
    }
}

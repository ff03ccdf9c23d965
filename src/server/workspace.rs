//! The workspace's duplicate index in the server: every `*.ris` under the
//! workspace folders read in the background at start-up (the CLI's folder
//! walk and decoding), open documents through their pieces' keys, kept
//! current through edits, `didClose` (back to the file on disk) and
//! `workspace/didChangeWatchedFiles`; and what it shows: a duplicate-record
//! (RIS071) or possible-duplicate (RIS072) finding on every copy, open or
//! not, with the other copies as related places.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::sync::mpsc;
use tower_lsp::lsp_types::{self as lsp, Url};

use super::State;
use crate::checks::{Code, Rules};
use crate::dedupe::{self, Verdict};
use crate::files::{decode, input};
use crate::workspace::{FileId, Handle, Place, Touched, Workspace};

/// The server's side of the index: files by URI, and what happens while
/// the folders are read.
#[derive(Debug, Default)]
pub(crate) struct Files {
    /// The index.
    pub index: Workspace,
    ids: HashMap<Url, FileId>,
    uris: Vec<Url>,
    /// The workspace folders.
    pub roots: Vec<PathBuf>,
    /// Whether the folders are being read: file events wait meanwhile.
    pub indexing: bool,
    /// File events that came while indexing.
    pub pending: Vec<lsp::FileEvent>,
    /// Per file, a count of the reads from disk started and of openings:
    /// a read goes on only while it is the newest thing to happen to it.
    generations: HashMap<FileId, u64>,
}

impl Files {
    /// The id of `uri`, given one the first time it is asked for.
    pub fn id(&mut self, uri: &Url) -> FileId {
        if let Some(&id) = self.ids.get(uri) {
            return id;
        }
        let id = self.uris.len() as FileId;
        self.uris.push(uri.clone());
        self.ids.insert(uri.clone(), id);
        id
    }

    /// The id of `uri`, if it has one.
    pub fn known(&self, uri: &Url) -> Option<FileId> {
        self.ids.get(uri).copied()
    }

    /// The URI of a file id.
    pub fn uri(&self, id: FileId) -> &Url {
        &self.uris[id as usize]
    }

    /// The URIs of `touched`.
    pub fn uris(&self, touched: &Touched) -> Vec<Url> {
        touched.iter().map(|&id| self.uri(id).clone()).collect()
    }

    /// Starts a new generation of `file`: reads of it under way stop.
    fn bump(&mut self, file: FileId) -> u64 {
        let generation = self.generations.entry(file).or_default();
        *generation += 1;
        *generation
    }

    fn current(&self, file: FileId, generation: u64) -> bool {
        self.generations.get(&file) == Some(&generation)
    }

    /// Whether `path` is under a workspace folder.
    pub fn in_workspace(&self, path: &Path) -> bool {
        self.roots.iter().any(|root| path.starts_with(root))
    }
}

/// Runs a change of the index contained: after a panic half-way, the
/// file's records are dropped and its open document's pieces added afresh
/// (the way back to a consistent index), and every file is published.
pub(crate) fn contained(state: &mut State, uri: &Url, f: impl FnOnce(&mut State) -> Vec<Url>) -> Vec<Url> {
    match crate::contain::contained(|| f(state)) {
        Ok(uris) => uris,
        Err(panic) => {
            tracing::error!(%panic, %uri, "updating the workspace index failed; indexing the file afresh");
            let file = state.files.id(uri);
            let mut touched = Touched::new();
            let inside = uri.to_file_path().is_ok_and(|path| state.files.in_workspace(&path));
            let again = crate::contain::contained(|| {
                state.files.index.remove_file(file, &mut touched);
                state.files.index.set_alone(file, !inside);
                if let Some(document) = state.documents.get_mut(uri) {
                    document.take_record_changes();
                    for id in document.record_pieces() {
                        if let Some((_, _, records)) = document.piece_records(id) {
                            state.files.index.add_piece(file, id, records, &mut touched);
                        }
                    }
                }
            });
            if let Err(panic) = again {
                tracing::error!(%panic, %uri, "indexing the file afresh failed too");
            }
            state.files.uris(&touched)
        }
    }
}

/// Brings the index up to date with an open document's edits (or its
/// opening): the pieces with records the edits removed and added, nothing
/// else. Returns the URIs whose findings changed.
pub(crate) fn sync_document(state: &mut State, uri: &Url) -> Vec<Url> {
    let Some(document) = state.documents.get_mut(uri) else {
        return Vec::new();
    };
    let (removed, added) = document.take_record_changes();
    let file = state.files.id(uri);
    let mut touched = Touched::new();
    for id in removed {
        state.files.index.remove_piece(file, id, &mut touched);
    }
    for id in added {
        if let Some((_, _, records)) = document.piece_records(id)
            && state.files.index.piece_handles(file, id).is_empty()
        {
            state.files.index.add_piece(file, id, records, &mut touched);
        }
    }
    state.files.uris(&touched)
}

/// The files with duplicate findings: what a change of their codes'
/// severities must publish again.
pub(crate) fn flagged_uris(state: &State) -> Vec<Url> {
    let files = &state.files;
    files
        .index
        .flagged_files()
        .into_iter()
        .map(|id| files.uri(id).clone())
        .collect()
}

/// A document was opened: its pieces stand for the file from now on.
pub(crate) fn opened(state: &mut State, uri: &Url) -> Vec<Url> {
    let file = state.files.id(uri);
    state.files.bump(file);
    let mut touched = Touched::new();
    state.files.index.remove_file(file, &mut touched);
    // A file outside the workspace folders is compared with itself only.
    let inside = uri.to_file_path().is_ok_and(|path| state.files.in_workspace(&path));
    state.files.index.set_alone(file, !inside);
    let mut uris = state.files.uris(&touched);
    uris.extend(sync_document(state, uri));
    uris
}

/// A document was closed: its pieces are forgotten, and the file on disk
/// is read again in the background, if it is in the workspace.
pub(crate) fn closed(
    state: &mut State,
    uri: &Url,
    shared: &Arc<Mutex<State>>,
    publish: &mpsc::UnboundedSender<Url>,
) -> Vec<Url> {
    let Some(file) = state.files.known(uri) else {
        return Vec::new();
    };
    let mut touched = Touched::new();
    state.files.index.remove_file(file, &mut touched);
    reread(state, uri, shared, publish);
    state.files.uris(&touched)
}

/// Reads `uri` from disk in the background and puts its records in the
/// index, a chunk at a time under the lock, unless the document is opened,
/// or read again, meanwhile, or the file is not in the workspace.
fn reread(state: &mut State, uri: &Url, shared: &Arc<Mutex<State>>, publish: &mpsc::UnboundedSender<Url>) {
    let Ok(path) = uri.to_file_path() else { return };
    if !state.files.in_workspace(&path) || state.files.indexing {
        return;
    }
    let file = state.files.id(uri);
    let generation = state.files.bump(file);
    let (uri, shared, publish) = (uri.clone(), shared.clone(), publish.clone());
    tokio::task::spawn_blocking(move || load(&shared, &uri, &path, file, generation, &publish));
}

/// Reads the file at `path` and puts its records in the index as `file`,
/// a chunk at a time under the lock, while `generation` is its newest and
/// it is not open.
fn load(
    shared: &Arc<Mutex<State>>,
    uri: &Url,
    path: &Path,
    file: FileId,
    generation: u64,
    publish: &mpsc::UnboundedSender<Url>,
) {
    let read = match crate::contain::contained(|| read_keys(path)) {
        Ok(read) => read,
        Err(panic) => {
            tracing::error!(%panic, %uri, "indexing a file failed");
            return;
        }
    };
    let lock = || shared.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let mut touched = Touched::new();
    let mut chunks = read.unwrap_or_default().into_iter().peekable();
    let mut first = true;
    while first || chunks.peek().is_some() {
        let chunk: Vec<dedupe::Located> = chunks.by_ref().take(INSTALL_CHUNK).collect();
        let mut state = lock();
        if !state.files.current(file, generation) || state.documents.contains_key(uri) {
            break;
        }
        if std::mem::take(&mut first) {
            state.files.index.remove_file(file, &mut touched);
        }
        state.files.index.add_disk(file, chunk, &mut touched);
    }
    let state = lock();
    for uri in state.files.uris(&touched) {
        let _ = publish.send(uri);
    }
}

/// Workspace folders added and removed: the files of a removed folder (not
/// open, not in another folder) are forgotten at once; an added folder is
/// read on a thread of its own, a file at a time.
pub(crate) fn folders_changed(
    state: &mut State,
    event: lsp::WorkspaceFoldersChangeEvent,
    shared: &Arc<Mutex<State>>,
    publish: &mpsc::UnboundedSender<Url>,
) -> Vec<Url> {
    let paths = |folders: Vec<lsp::WorkspaceFolder>| -> Vec<PathBuf> {
        folders.into_iter().filter_map(|f| f.uri.to_file_path().ok()).collect()
    };
    let (added, removed) = (paths(event.added), paths(event.removed));
    state.files.roots.retain(|root| !removed.contains(root));
    let mut touched = Touched::new();
    let gone: Vec<(Url, FileId)> = state
        .files
        .ids
        .iter()
        .filter(|(uri, _)| !state.documents.contains_key(*uri))
        .filter(|(uri, _)| {
            uri.to_file_path()
                .is_ok_and(|path| removed.iter().any(|r| path.starts_with(r)) && !state.files.in_workspace(&path))
        })
        .map(|(uri, &id)| (uri.clone(), id))
        .collect();
    for (_, file) in gone {
        state.files.bump(file);
        state.files.index.remove_file(file, &mut touched);
        touched.insert(file);
    }
    let added: Vec<PathBuf> = added.into_iter().filter(|p| !state.files.roots.contains(p)).collect();
    state.files.roots.extend(added.iter().cloned());
    if !added.is_empty() {
        let (shared, publish) = (shared.clone(), publish.clone());
        let started = std::thread::Builder::new().name("workspace".into()).spawn(move || {
            lower_priority();
            // After the first reading of the folders, which did not see these.
            while shared
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .files
                .indexing
            {
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            let gathered = input::gather(&added);
            for found in &gathered.inputs {
                let input::Input::File { path, .. } = found else {
                    continue;
                };
                let Ok(uri) = Url::from_file_path(path) else { continue };
                let generation = {
                    let mut state = shared.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                    if state.documents.contains_key(&uri) {
                        continue;
                    }
                    let file = state.files.id(&uri);
                    (file, state.files.bump(file))
                };
                load(&shared, &uri, path, generation.0, generation.1, &publish);
            }
        });
        if let Err(error) = started {
            tracing::error!(%error, "cannot start a thread to read the added folders");
        }
    }
    state.files.uris(&touched)
}

/// Files created, changed or deleted on disk: read again or forgotten,
/// unless open (the editor's text stands for them).
pub(crate) fn files_changed(
    state: &mut State,
    events: Vec<lsp::FileEvent>,
    shared: &Arc<Mutex<State>>,
    publish: &mpsc::UnboundedSender<Url>,
) -> Vec<Url> {
    if state.files.indexing {
        state.files.pending.extend(events);
        return Vec::new();
    }
    let mut touched = Touched::new();
    for event in events {
        let is_ris = event
            .uri
            .path()
            .rsplit('.')
            .next()
            .is_some_and(|e| e.eq_ignore_ascii_case("ris"));
        if !is_ris || state.documents.contains_key(&event.uri) {
            continue;
        }
        if event.typ == lsp::FileChangeType::DELETED {
            if let Some(file) = state.files.known(&event.uri) {
                state.files.bump(file);
                state.files.index.remove_file(file, &mut touched);
                // Its findings are gone with it.
                touched.insert(file);
            }
        } else {
            reread(state, &event.uri, shared, publish);
        }
    }
    state.files.uris(&touched)
}

/// The keys of the records of the file at `path`, read and decoded as the
/// CLI reads a file found in a folder; `None` when it cannot be read or is
/// not text.
pub(crate) fn read_keys(path: &Path) -> Option<Vec<dedupe::Located>> {
    let text = read_text(path)?;
    Some(dedupe::keys(&text))
}

/// The text of the file at `path`, as the CLI decodes it.
pub(crate) fn read_text(path: &Path) -> Option<String> {
    let file = input::Input::File {
        path: path.to_path_buf(),
        walked: true,
    };
    let bytes = match file.read() {
        Ok(bytes) => bytes,
        Err(error) => {
            tracing::warn!(path = %path.display(), %error, "cannot read; not indexed");
            return None;
        }
    };
    match decode::decode(&bytes) {
        Ok(decoded) => Some(decoded.text.into_owned()),
        Err(decode::DecodeError::Binary) => {
            tracing::warn!(path = %path.display(), "binary file; not indexed");
            None
        }
    }
}

/// Reads every `*.ris` under the workspace folders on this thread, into an
/// index of its own, and puts it in place of the one the open documents
/// kept meanwhile (adding their pieces to it): the lock is held only for
/// that. Then publishes every file with copies.
pub(crate) fn index_folders(shared: Arc<Mutex<State>>, publish: mpsc::UnboundedSender<Url>) {
    let lock = || shared.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    lower_priority();
    let started = Instant::now();
    let roots = lock().files.roots.clone();
    let gathered = input::gather(&roots);
    for note in gathered.notes.iter().chain(&gathered.problems) {
        tracing::info!(%note, "workspace folders");
    }
    let mut fresh = Workspace::new();
    let mut ignored = Touched::new();
    let mut files = 0;
    for found in &gathered.inputs {
        let input::Input::File { path, .. } = found else {
            continue;
        };
        let Ok(uri) = Url::from_file_path(path) else { continue };
        let located = match crate::contain::contained(|| read_keys(path)) {
            Ok(Some(located)) => located,
            Ok(None) => continue,
            Err(panic) => {
                tracing::error!(%panic, %uri, "indexing a file failed");
                continue;
            }
        };
        let file = lock().files.id(&uri);
        fresh.set_disk(file, located, &mut ignored);
        files += 1;
    }
    let read = started.elapsed();
    // The files' texts are gone: give their memory back now, before the
    // index is in place (trimming a big heap holds up every allocation for
    // a moment, which must not fall on an edit).
    super::release_free_memory();
    // The files open now stand for themselves: their disk records out,
    // away from the lock.
    let open_then: Vec<Url> = lock().documents.keys().cloned().collect();
    for uri in &open_then {
        let file = lock().files.id(uri);
        fresh.remove_file(file, &mut ignored);
    }
    let (open, flagged, pending) = {
        let mut state = lock();
        let state = &mut *state;
        let open: Vec<Url> = state.documents.keys().cloned().collect();
        for uri in open.iter().filter(|uri| !open_then.contains(uri)) {
            let file = state.files.id(uri);
            fresh.remove_file(file, &mut ignored);
        }
        for uri in &open {
            let inside = uri.to_file_path().is_ok_and(|path| state.files.in_workspace(&path));
            fresh.set_alone(state.files.id(uri), !inside);
        }
        // Folders removed while they were read.
        for (uri, &file) in &state.files.ids {
            if !uri.to_file_path().is_ok_and(|path| state.files.in_workspace(&path)) && !open.contains(uri) {
                fresh.remove_file(file, &mut ignored);
            }
        }
        state.files.index = fresh;
        state.files.indexing = false;
        // Closed meanwhile: read again.
        for uri in open_then.iter().filter(|uri| !open.contains(uri)) {
            reread(state, uri, &shared, &publish);
        }
        let flagged = flagged_uris(state);
        let open: Vec<(Url, Vec<u64>)> = open
            .into_iter()
            .map(|uri| {
                let ids = state.documents[&uri].record_pieces();
                (uri, ids)
            })
            .collect();
        (open, flagged, std::mem::take(&mut state.files.pending))
    };
    // The open documents' records, a few at a time under the lock.
    let mut uris: Vec<Url> = flagged;
    for (uri, ids) in open {
        uris.extend(install_pieces(&shared, &uri, &ids));
        uris.push(uri);
    }
    uris.sort();
    uris.dedup();
    tracing::info!(
        files,
        records = lock().files.index.len(),
        read_ms = read.as_millis() as u64,
        total_ms = started.elapsed().as_millis() as u64,
        "workspace indexed"
    );
    for uri in uris {
        let _ = publish.send(uri);
    }
    if !pending.is_empty() {
        let mut state = lock();
        for uri in files_changed(&mut state, pending, &shared, &publish) {
            let _ = publish.send(uri);
        }
    }
}

/// Pieces added under the lock at a time: a keystroke waits for no more.
const INSTALL_CHUNK: usize = 256;

/// Adds the pieces `ids` of the open document `uri` to the index, those
/// still there and not in it yet, a chunk at a time under the lock.
/// Returns the URIs whose findings changed.
fn install_pieces(shared: &Arc<Mutex<State>>, uri: &Url, ids: &[u64]) -> Vec<Url> {
    let mut touched = Touched::new();
    for chunk in ids.chunks(INSTALL_CHUNK) {
        let mut state = shared.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let state = &mut *state;
        let Some(document) = state.documents.get(uri) else {
            break;
        };
        let file = state.files.id(uri);
        let added = crate::contain::contained(|| {
            for &id in chunk {
                if let Some((_, _, records)) = document.piece_records(id)
                    && !records.is_empty()
                    && state.files.index.piece_handles(file, id).is_empty()
                {
                    state.files.index.add_piece(file, id, records, &mut touched);
                }
            }
        });
        if let Err(panic) = added {
            tracing::error!(%panic, %uri, "adding a document's records to the index failed");
            break;
        }
    }
    let state = shared.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    state.files.uris(&touched)
}

/// When the whole of the open document `uri` was analysed (opened, or its
/// rules changed), makes its records' keys on another thread, after its
/// first diagnostics, and adds them to the index a chunk at a time.
pub(crate) fn key_later(
    state: &mut State,
    uri: &Url,
    shared: &Arc<Mutex<State>>,
    publish: &mpsc::UnboundedSender<Url>,
) {
    let Some(document) = state.documents.get_mut(uri) else {
        return;
    };
    if !document.take_unkeyed() {
        return;
    }
    let (snapshot, open) = (document.snapshot(), document.still_open());
    let (uri, shared, publish) = (uri.clone(), shared.clone(), publish.clone());
    // A thread of its own, yielding to the others: the document's first
    // diagnostics go out meanwhile.
    let started = std::thread::Builder::new().name("keys".into()).spawn(move || {
        lower_priority();
        let finished = match crate::contain::contained(|| snapshot.key_pieces(&open)) {
            Ok(finished) => finished,
            Err(panic) => {
                tracing::error!(%panic, %uri, "making the duplicate keys failed");
                return;
            }
        };
        if !finished {
            // Closed meanwhile: this was the last copy of its text.
            super::drop_and_release(snapshot);
            return;
        }
        drop(snapshot);
        let ids = {
            let state = shared.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            match state.documents.get(&uri) {
                Some(document) => document.record_pieces(),
                None => return,
            }
        };
        for touched in install_pieces(&shared, &uri, &ids) {
            let _ = publish.send(touched);
        }
    });
    if let Err(error) = started {
        tracing::error!(%error, "cannot start a thread to make duplicate keys");
    }
}

/// Makes this thread (and the threads it starts, which inherit it) yield
/// to the others: reading the folders must not slow down the checks of
/// the file being opened meanwhile.
fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority with `who` 0 changes only the calling thread's
    // nice value (Linux keeps it per thread); it reads no memory of ours.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, 0, 10);
    }
}

/// A record's place for a client: its URI, its `TY` line (0-based) and the
/// range of its tag.
pub(crate) fn locate(state: &State, handle: Handle) -> Option<(Url, u32)> {
    let record = state.files.index.record(handle)?;
    let uri = state.files.uri(record.file);
    let line = match record.place {
        Place::Disk { line, .. } => line,
        Place::Piece { id, rank } => {
            let (first, _, records) = state.documents.get(uri)?.piece_records(id)?;
            first + records.get(rank as usize)?.line as u32
        }
    };
    Some((uri.clone(), line))
}

/// The range of the `TY` tag on `line`.
pub(crate) fn tag_range(line: u32) -> lsp::Range {
    lsp::Range::new(lsp::Position::new(line, 0), lsp::Position::new(line, 2))
}

/// How a file is named in a message: its file name.
fn short_name(uri: &Url) -> String {
    uri.to_file_path()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| uri.to_string())
}

/// What a record's duplicate findings were made from, kept per open
/// document (with [`super::publish::Cache`]): a keystroke makes afresh only
/// the findings of records whose copies, or whose lines, changed.
#[derive(Debug, Default)]
pub(crate) struct FindingCache {
    records: HashMap<Handle, CachedFindings>,
    stamp: u64,
}

#[derive(Debug)]
struct CachedFindings {
    /// The index's version of its copies, and where it and they were.
    version: u64,
    places: Vec<(FileId, u32)>,
    json: Vec<u8>,
    stamp: u64,
}

/// The severities of the two codes under `rules`, by verdict.
fn levels(rules: &Rules) -> [(Verdict, Code, Option<crate::checks::Severity>); 2] {
    [
        (
            Verdict::Duplicate,
            Code::DuplicateRecord,
            rules.severity(Code::DuplicateRecord),
        ),
        (
            Verdict::Possible,
            Code::PossibleDuplicate,
            rules.severity(Code::PossibleDuplicate),
        ),
    ]
}

/// The duplicate findings of the file `uri` under `rules`: one per
/// record with copies and verdict (duplicates, possible duplicates), in
/// line order.
pub(crate) fn diagnostics(state: &State, uri: &Url, rules: &Rules) -> Vec<lsp::Diagnostic> {
    let Some(file) = state.files.known(uri) else {
        return Vec::new();
    };
    let levels = levels(rules);
    let mut out: Vec<lsp::Diagnostic> = state
        .files
        .index
        .flagged(file)
        .filter_map(|handle| {
            let (_, line) = locate(state, handle)?;
            Some(record_findings(state, handle, line, &levels))
        })
        .flatten()
        .collect();
    // In line order; a record's duplicate finding before its possible one.
    out.sort_by_key(|d| d.range.start.line);
    out
}

/// The duplicate findings of the open document `uri` as JSON items joined
/// by commas, each record's reused from `cache` while its copies and the
/// lines of all of them are unchanged.
pub(crate) fn diagnostics_json(state: &State, uri: &Url, rules: &Rules, cache: &mut FindingCache) -> Vec<u8> {
    let Some(file) = state.files.known(uri) else {
        return Vec::new();
    };
    let levels = levels(rules);
    cache.stamp += 1;
    let stamp = cache.stamp;
    let mut parts: Vec<(u32, Handle)> = Vec::new();
    for handle in state.files.index.flagged(file) {
        let Some((_, line)) = locate(state, handle) else {
            continue;
        };
        let index = &state.files.index;
        let places: Vec<(FileId, u32)> = std::iter::once((file, line))
            .chain(index.copies(handle).iter().filter_map(|&(other, _)| {
                let (uri, line) = locate(state, other)?;
                Some((state.files.known(&uri)?, line))
            }))
            .collect();
        let version = index.version(handle);
        let cached = cache.records.entry(handle).or_insert(CachedFindings {
            version: u64::MAX,
            places: Vec::new(),
            json: Vec::new(),
            stamp,
        });
        if cached.version != version || cached.places != places {
            cached.json = super::convert::json_items(record_findings(state, handle, line, &levels).iter());
            cached.version = version;
            cached.places = places;
        }
        cached.stamp = stamp;
        parts.push((line, handle));
    }
    if cache.records.len() > parts.len() {
        cache.records.retain(|_, cached| cached.stamp == stamp);
    }
    parts.sort_unstable();
    let mut out = Vec::new();
    for (_, handle) in parts {
        let json = &cache.records[&handle].json;
        if json.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(b',');
        }
        out.extend_from_slice(json);
    }
    out
}

/// The findings of one record with copies, on its `TY` line `line`.
fn record_findings(
    state: &State,
    handle: Handle,
    line: u32,
    levels: &[(Verdict, Code, Option<crate::checks::Severity>)],
) -> Vec<lsp::Diagnostic> {
    let copies = state.files.index.copies(handle);
    let mut out = Vec::new();
    for &(verdict, code, severity) in levels {
        let Some(severity) = severity else { continue };
        let of: Vec<_> = copies
            .iter()
            .filter(|(_, d)| d.verdict == verdict)
            .filter_map(|&(other, decision)| Some((locate(state, other)?, decision)))
            .collect();
        let Some(&((_, _), best)) = of.first() else { continue };
        let places: Vec<String> = of
            .iter()
            .map(|((uri, line), _)| format!("{}:{}", short_name(uri), line + 1))
            .collect();
        let related = of
            .iter()
            .map(|((uri, line), decision)| lsp::DiagnosticRelatedInformation {
                location: lsp::Location::new(uri.clone(), tag_range(*line)),
                message: format!("{} ({})", decision.verdict.as_str(), decision.reason),
            })
            .collect();
        out.push(lsp::Diagnostic {
            range: tag_range(line),
            severity: Some(super::convert::lsp_severity(severity)),
            code: Some(lsp::NumberOrString::String(code.as_str().to_string())),
            source: Some("ris-lsp".to_string()),
            message: crate::workspace::copies_message(verdict, &places, best.reason),
            related_information: Some(related),
            ..Default::default()
        });
    }
    out
}

/// The record of the open document `uri` around byte `offset`: its handle
/// in the index.
pub(crate) fn record_at(state: &State, uri: &Url, offset: usize) -> Option<Handle> {
    let file = state.files.known(uri)?;
    let document = state.documents.get(uri)?;
    let id = document.piece_id_at(offset);
    let (_, start, records) = document.piece_records(id)?;
    let handles = state.files.index.piece_handles(file, id);
    let rank = records
        .iter()
        .rposition(|r| start + r.span.start <= offset)
        .unwrap_or(0);
    handles.get(rank).copied()
}

/// The duplicate codes shown on the `TY` tag under `position` (byte
/// `offset`) of the open document `uri`, and the tag's range, for hover.
pub(crate) fn codes_at(
    state: &State,
    uri: &Url,
    offset: usize,
    position: lsp::Position,
    rules: &Rules,
) -> Option<(Vec<Code>, lsp::Range)> {
    let handle = record_at(state, uri, offset)?;
    let (_, line) = locate(state, handle)?;
    let range = tag_range(line);
    if position.line != line || position.character > range.end.character {
        return None;
    }
    let copies = state.files.index.copies(handle);
    let codes: Vec<Code> = levels(rules)
        .into_iter()
        .filter(|&(verdict, _, severity)| severity.is_some() && copies.iter().any(|(_, d)| d.verdict == verdict))
        .map(|(_, code, _)| code)
        .collect();
    (!codes.is_empty()).then_some((codes, range))
}

/// The copies of the record at `offset` of `uri` (duplicates only), with
/// the record itself first when `with_itself`.
pub(crate) fn references(state: &State, uri: &Url, offset: usize, with_itself: bool) -> Vec<lsp::Location> {
    let Some(handle) = record_at(state, uri, offset) else {
        return Vec::new();
    };
    let copies = state.files.index.copies(handle);
    if !crate::workspace::has_duplicate(copies) {
        return Vec::new();
    }
    let duplicates = copies
        .iter()
        .filter(|(_, d)| d.verdict == Verdict::Duplicate)
        .map(|&(other, _)| other);
    with_itself
        .then_some(handle)
        .into_iter()
        .chain(duplicates)
        .filter_map(|h| locate(state, h))
        .map(|(uri, line)| lsp::Location::new(uri, tag_range(line)))
        .collect()
}

/// A record to merge: the text it is in, as far as the lock allows.
enum Copy {
    /// In an open document: the text, its version, the record's bytes.
    Open {
        uri: Url,
        version: i32,
        rope: ropey::Rope,
        span: crate::syntax::Span,
        line: u32,
    },
    /// In a file on disk: found again when the action is made.
    Disk {
        uri: Url,
        path: PathBuf,
        line: u32,
        span: crate::syntax::Span,
        key: dedupe::Key,
    },
}

/// What merging the record at an offset needs, taken under the lock; the
/// files on disk are read after ([`MergePlan::action`]).
pub(crate) struct MergePlan {
    target: Copy,
    copies: Vec<Copy>,
    line_ending: &'static str,
    encoding: crate::document::Encoding,
    versioned: bool,
}

/// The merge action without its edit, for a client that resolves it when
/// chosen (editors ask for code actions on every cursor move, and the edit
/// reads the copies' files): `None` when the record has no duplicates.
pub(crate) fn lazy_merge(state: &State, uri: &Url, offset: usize, position: lsp::Position) -> Option<lsp::CodeAction> {
    let handle = record_at(state, uri, offset)?;
    let n = state
        .files
        .index
        .copies(handle)
        .iter()
        .filter(|(_, d)| d.verdict == Verdict::Duplicate)
        .count();
    (n > 0).then(|| lsp::CodeAction {
        title: crate::workspace::merge_title(n),
        kind: Some(lsp::CodeActionKind::QUICKFIX),
        data: Some(serde_json::json!({ "merge": { "uri": uri, "position": position } })),
        ..Default::default()
    })
}

/// Where a lazy merge action was offered.
pub(crate) fn merge_target(action: &lsp::CodeAction) -> Option<(Url, lsp::Position)> {
    let merge = action.data.as_ref()?.get("merge")?;
    let uri = Url::parse(merge.get("uri")?.as_str()?).ok()?;
    let position = serde_json::from_value(merge.get("position")?.clone()).ok()?;
    Some((uri, position))
}

/// The plan to merge the duplicates of the record at `offset` of `uri`
/// into it, if it has any.
pub(crate) fn merge_plan(state: &State, uri: &Url, offset: usize, versioned: bool) -> Option<MergePlan> {
    let handle = record_at(state, uri, offset)?;
    let copies = state.files.index.copies(handle);
    if !crate::workspace::has_duplicate(copies) {
        return None;
    }
    let copy = |h: Handle| -> Option<Copy> {
        let record = state.files.index.record(h)?;
        let (uri, line) = locate(state, h)?;
        match record.place {
            Place::Disk { span, .. } => Some(Copy::Disk {
                path: uri.to_file_path().ok()?,
                uri,
                line,
                span,
                key: state.files.index.key(h)?.clone(),
            }),
            Place::Piece { id, rank } => {
                let document = state.documents.get(&uri)?;
                let (_, start, records) = document.piece_records(id)?;
                let span = records.get(rank as usize)?.span.shift(start);
                Some(Copy::Open {
                    version: document.version,
                    rope: document.rope().clone(),
                    uri,
                    span,
                    line,
                })
            }
        }
    };
    let document = state.documents.get(uri)?;
    Some(MergePlan {
        target: copy(handle)?,
        copies: copies
            .iter()
            .filter(|(_, d)| d.verdict == Verdict::Duplicate)
            .filter_map(|&(h, _)| copy(h))
            .collect(),
        line_ending: document.line_ending(),
        encoding: state.encoding,
        versioned,
    })
}

/// A record's text found again, with the text holding it.
struct Found {
    uri: Url,
    version: Option<i32>,
    text: std::sync::Arc<str>,
    span: crate::syntax::Span,
    name: String,
}

/// A file's edits: its URI, version (if open), text and byte edits.
type FileEdits = (Url, Option<i32>, std::sync::Arc<str>, Vec<crate::checks::Edit>);

impl MergePlan {
    /// The code action: the target record replaced by the merge of it and
    /// its copies (every distinct value kept), the copies removed, in one
    /// workspace edit. Copies on disk that changed since they were indexed
    /// are left out.
    pub(crate) fn action(self) -> Option<lsp::CodeAction> {
        let mut texts: HashMap<Url, std::sync::Arc<str>> = HashMap::new();
        let mut find = |copy: &Copy| -> Option<Found> {
            match copy {
                Copy::Open {
                    uri,
                    version,
                    rope,
                    span,
                    line,
                } => {
                    let text = texts
                        .entry(uri.clone())
                        .or_insert_with(|| rope.to_string().into())
                        .clone();
                    Some(Found {
                        name: format!("{}:{}", short_name(uri), line + 1),
                        uri: uri.clone(),
                        version: Some(*version),
                        text,
                        span: *span,
                    })
                }
                Copy::Disk {
                    uri,
                    path,
                    line,
                    span,
                    key,
                } => {
                    let text = match texts.get(uri) {
                        Some(text) => text.clone(),
                        None => {
                            let text: std::sync::Arc<str> = read_text(path)?.into();
                            texts.insert(uri.clone(), text.clone());
                            text
                        }
                    };
                    if !dedupe::still_at(&text, *span, key) {
                        return None;
                    }
                    Some(Found {
                        name: format!("{}:{}", short_name(uri), line + 1),
                        uri: uri.clone(),
                        version: None,
                        text,
                        span: *span,
                    })
                }
            }
        };
        let target = find(&self.target)?;
        let copies: Vec<Found> = self.copies.iter().filter_map(&mut find).collect();
        if copies.is_empty() {
            return None;
        }
        let sources: Vec<dedupe::merge::Source> = std::iter::once(&target)
            .chain(&copies)
            .map(|found| dedupe::merge::Source {
                record: found.span.text(&found.text),
                name: found.name.clone(),
            })
            .collect();
        let mut new_text = dedupe::merge::merged_text(&sources, self.line_ending);
        if !target.span.text(&target.text).ends_with(['\n', '\r']) {
            new_text.truncate(new_text.trim_end_matches(['\n', '\r']).len());
        }
        // Edits per file, in order of the files first met.
        let mut by_file: Vec<FileEdits> = Vec::new();
        let mut add =
            |found: &Found, edit: crate::checks::Edit| match by_file.iter_mut().find(|(uri, ..)| *uri == found.uri) {
                Some((_, _, _, edits)) => edits.push(edit),
                None => by_file.push((found.uri.clone(), found.version, found.text.clone(), vec![edit])),
            };
        add(
            &target,
            crate::checks::Edit {
                span: target.span,
                text: new_text,
            },
        );
        for copy in &copies {
            add(
                copy,
                crate::checks::Edit {
                    span: dedupe::merge::removal(&copy.text, copy.span),
                    text: String::new(),
                },
            );
        }
        let mut changes: HashMap<Url, Vec<lsp::TextEdit>> = HashMap::new();
        let mut document_changes = Vec::new();
        for (uri, version, text, mut edits) in by_file {
            edits.sort_by_key(|e| e.span.start);
            let rope = ropey::Rope::from_str(&text);
            let edits = super::editing::text_edits(&rope, self.encoding, &edits);
            if self.versioned {
                document_changes.push(lsp::TextDocumentEdit {
                    text_document: lsp::OptionalVersionedTextDocumentIdentifier { uri, version },
                    edits: edits.into_iter().map(lsp::OneOf::Left).collect(),
                });
            } else {
                changes.insert(uri, edits);
            }
        }
        let n = copies.len();
        Some(lsp::CodeAction {
            title: crate::workspace::merge_title(n),
            kind: Some(lsp::CodeActionKind::QUICKFIX),
            edit: Some(if self.versioned {
                lsp::WorkspaceEdit {
                    document_changes: Some(lsp::DocumentChanges::Edits(document_changes)),
                    ..Default::default()
                }
            } else {
                lsp::WorkspaceEdit {
                    changes: Some(changes),
                    ..Default::default()
                }
            }),
            ..Default::default()
        })
    }
}

/// Inlay hints `N copies` at the end of the `TY` lines on `lines` of the
/// open document `uri` whose records have duplicates in the workspace.
pub(crate) fn copy_hints(state: &State, uri: &Url, lines: std::ops::Range<u32>) -> Vec<lsp::InlayHint> {
    let (Some(file), Some(document)) = (state.files.known(uri), state.documents.get(uri)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for handle in state.files.index.flagged(file) {
        let copies = state.files.index.copies(handle);
        let count = copies.iter().filter(|(_, d)| d.verdict == Verdict::Duplicate).count();
        if count == 0 {
            continue;
        }
        let Some((_, line)) = locate(state, handle) else {
            continue;
        };
        if !lines.contains(&line) || line as usize >= document.rope().len_lines() {
            continue;
        }
        let text = document.rope().line(line as usize);
        let mut end = text.len_chars();
        while end > 0 && matches!(text.char(end - 1), '\n' | '\r') {
            end -= 1;
        }
        let content = text.slice(..end);
        let character = match state.encoding {
            crate::document::Encoding::Utf8 => content.len_bytes(),
            crate::document::Encoding::Utf16 => content.len_utf16_cu(),
        };
        out.push(lsp::InlayHint {
            position: lsp::Position::new(line, u32::try_from(character).unwrap_or(u32::MAX)),
            label: lsp::InlayHintLabel::String(format!("{} copies", count + 1)),
            kind: None,
            text_edits: None,
            tooltip: None,
            padding_left: Some(true),
            padding_right: None,
            data: None,
        });
    }
    out.sort_by_key(|h| h.position.line);
    out
}

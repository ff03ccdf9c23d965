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

    /// Whether `path` is under a workspace folder.
    pub fn in_workspace(&self, path: &Path) -> bool {
        self.roots.iter().any(|root| path.starts_with(root))
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

/// A document was opened: its pieces stand for the file from now on.
pub(crate) fn opened(state: &mut State, uri: &Url) -> Vec<Url> {
    let file = state.files.id(uri);
    let mut touched = Touched::new();
    state.files.index.remove_file(file, &mut touched);
    let mut uris = state.files.uris(&touched);
    uris.extend(sync_document(state, uri));
    uris
}

/// A document was closed: its pieces are forgotten, and the file on disk
/// is read again in the background, if it is in the workspace.
pub(crate) fn closed(state: &mut State, uri: &Url, shared: &Arc<Mutex<State>>, publish: &mpsc::UnboundedSender<Url>) -> Vec<Url> {
    let Some(file) = state.files.known(uri) else {
        return Vec::new();
    };
    let mut touched = Touched::new();
    state.files.index.remove_file(file, &mut touched);
    reread(state, uri, shared, publish);
    state.files.uris(&touched)
}

/// Reads `uri` from disk in the background and puts its records in the
/// index, unless the document is open by then or the file is not in the
/// workspace.
fn reread(state: &State, uri: &Url, shared: &Arc<Mutex<State>>, publish: &mpsc::UnboundedSender<Url>) {
    let Ok(path) = uri.to_file_path() else { return };
    if !state.files.in_workspace(&path) {
        return;
    }
    let (uri, shared, publish) = (uri.clone(), shared.clone(), publish.clone());
    tokio::task::spawn_blocking(move || {
        let read = crate::contain::contained(|| read_keys(&path));
        let mut state = shared.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if state.documents.contains_key(&uri) || state.files.indexing {
            return;
        }
        let file = state.files.id(&uri);
        let mut touched = Touched::new();
        match read {
            Ok(Some(located)) => state.files.index.set_disk(file, located, &mut touched),
            Ok(None) => state.files.index.remove_file(file, &mut touched),
            Err(panic) => tracing::error!(%panic, %uri, "indexing a file failed"),
        }
        for uri in state.files.uris(&touched) {
            let _ = publish.send(uri);
        }
    });
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
        let input::Input::File { path, .. } = found else { continue };
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
    let (uris, pending) = {
        let mut state = lock();
        let state = &mut *state;
        let mut touched = Touched::new();
        // The open documents' pieces stand for their files.
        let open: Vec<Url> = state.documents.keys().cloned().collect();
        for uri in &open {
            let file = state.files.id(uri);
            fresh.remove_file(file, &mut touched);
            let document = &state.documents[uri];
            for id in document.record_pieces() {
                if let Some((_, _, records)) = document.piece_records(id) {
                    fresh.add_piece(file, id, records, &mut touched);
                }
            }
        }
        state.files.index = fresh;
        state.files.indexing = false;
        let mut uris: Vec<Url> = state
            .files
            .index
            .flagged_files()
            .into_iter()
            .map(|id| state.files.uri(id).clone())
            .collect();
        uris.extend(open);
        (uris, std::mem::take(&mut state.files.pending))
    };
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

/// The duplicate findings of the file `uri` under `rules`: one per
/// record with copies and verdict (duplicates, possible duplicates).
pub(crate) fn diagnostics(state: &State, uri: &Url, rules: &Rules) -> Vec<lsp::Diagnostic> {
    let Some(file) = state.files.known(uri) else {
        return Vec::new();
    };
    let levels = [
        (Verdict::Duplicate, Code::DuplicateRecord, rules.severity(Code::DuplicateRecord)),
        (Verdict::Possible, Code::PossibleDuplicate, rules.severity(Code::PossibleDuplicate)),
    ];
    if levels.iter().all(|(_, _, severity)| severity.is_none()) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for handle in state.files.index.flagged(file) {
        let Some((_, line)) = locate(state, handle) else { continue };
        let copies = state.files.index.copies(handle);
        for &(verdict, code, severity) in &levels {
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
            let what = match verdict {
                Verdict::Duplicate => "duplicate of",
                _ => "possible duplicate of",
            };
            let record = if places.len() == 1 { "the record" } else { "the records" };
            let shown = match places.len() {
                0..=3 => places.join(", "),
                n => format!("{} and {} more", places[..3].join(", "), n - 3),
            };
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
                message: format!("{what} {record} at {shown} ({})", best.reason),
                related_information: Some(related),
                ..Default::default()
            });
        }
    }
    // In line order; a record's duplicate finding before its possible one.
    out.sort_by_key(|d| d.range.start.line);
    out
}

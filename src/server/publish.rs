//! Publishing diagnostics: one task, in order, always for the newest text.
//!
//! LSP sends a document's whole list of findings on every change. On a big
//! file with a thousand findings that is a quarter of a megabyte per
//! keystroke, so each piece's findings are serialized once and the bytes
//! reused while the piece is unchanged and starts on the same line: a
//! keystroke serializes the findings of the record it touched, and copies
//! the rest.

use std::collections::HashMap;
use std::io::Write;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc;
use tower_lsp::lsp_types::{self as lsp, Url};

use super::{State, convert, transport, workspace};
use crate::checks::FastHash;
use crate::document::{Document, Encoding};

/// The serialized findings of a document's pieces, by piece id. Valid for
/// one document, encoding and configuration: drop it when any changes.
#[derive(Debug, Default)]
pub(crate) struct Cache {
    pieces: HashMap<u64, Serialized, FastHash>,
    /// Counts publishes; pieces not stamped by the last one are gone.
    stamp: u64,
    /// The workspace's duplicate findings, by record.
    copies: workspace::FindingCache,
}

/// A piece's findings as JSON objects joined by commas, and the line the
/// piece started on when they were serialized.
#[derive(Debug)]
struct Serialized {
    first_line: u32,
    json: Vec<u8>,
    /// The last publish that used it.
    stamp: u64,
}

/// Publishes diagnostics in order, for the documents named on `queue`. When
/// several changes queue up, it publishes once, for the newest text.
pub(crate) async fn publisher(
    out: transport::Outgoing,
    state: Arc<Mutex<State>>,
    mut queue: mpsc::UnboundedReceiver<Url>,
) {
    while let Some(first) = queue.recv().await {
        let mut pending = vec![first];
        while let Ok(uri) = queue.try_recv() {
            if !pending.contains(&uri) {
                pending.push(uri);
            }
        }
        for uri in pending {
            let body = {
                let mut state = state.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                let state = &mut *state;
                // The workspace's duplicate findings, which depend on other
                // files: an open document's kept per record while unchanged.
                let mut copies_json = Vec::new();
                let copies = crate::contain::contained(|| match state.documents.get(&uri) {
                    Some(document) => {
                        let cache = &mut state.published.entry(uri.clone()).or_default().copies;
                        let mut taken = std::mem::take(cache);
                        copies_json = workspace::diagnostics_json(state, &uri, document.rules(), &mut taken);
                        state.published.entry(uri.clone()).or_default().copies = taken;
                        Vec::new()
                    }
                    None if state.files.known(&uri).is_some() => {
                        let rules = state.config_for(&uri).0.rules();
                        workspace::diagnostics(state, &uri, &rules)
                    }
                    None => Vec::new(),
                })
                .unwrap_or_else(|panic| {
                    tracing::error!(%panic, %uri, "finding the workspace's duplicates failed");
                    state.published.remove(&uri);
                    Vec::new()
                });
                match state.documents.get(&uri) {
                    Some(document) => {
                        let cache = state.published.entry(uri.clone()).or_default();
                        let copies = copies_json;
                        // A failure here must not end publishing for good:
                        // log it, forget the cache and publish nothing now.
                        match crate::contain::contained(|| notification(document, &uri, state.encoding, cache, &copies))
                        {
                            Ok(body) => body,
                            Err(panic) => {
                                tracing::error!(%panic, %uri, "publishing failed");
                                state.published.remove(&uri);
                                continue;
                            }
                        }
                    }
                    // A configuration file, a file of the workspace that is
                    // not open, or a closed document.
                    None => {
                        let mut diagnostics = state.config_errors.get(&uri).cloned().unwrap_or_default();
                        diagnostics.extend(copies);
                        transport::notification::<lsp::notification::PublishDiagnostics>(
                            &lsp::PublishDiagnosticsParams {
                                diagnostics,
                                uri,
                                version: None,
                            },
                        )
                    }
                }
            };
            if out.send(body.into()).is_err() {
                return;
            }
        }
    }
}

/// The `publishDiagnostics` notification for an open document, with its
/// version, built from the cached pieces and the few findings that are not
/// cached (each pattern's one finding and duplicate DOIs, which depend on
/// the whole file, and `copies`, the workspace's duplicate findings,
/// serialized).
fn notification(document: &Document, uri: &Url, encoding: Encoding, cache: &mut Cache, copies: &[u8]) -> Vec<u8> {
    let pieces = document.finding_pieces();
    cache.stamp += 1;
    let stamp = cache.stamp;
    for piece in &pieces {
        let cached = cache.pieces.entry(piece.id).or_insert(Serialized {
            first_line: u32::MAX,
            json: Vec::new(),
            stamp,
        });
        if cached.first_line != piece.first_line {
            cached.first_line = piece.first_line;
            cached.json = convert::json_items(
                document
                    .locate_piece(*piece, encoding)
                    .filter(|l| l.diagnostic.pattern.is_none())
                    .map(|l| convert::located(&l, uri)),
            );
        }
        cached.stamp = stamp;
    }
    // Forget pieces an edit replaced.
    if cache.pieces.len() > pieces.len() {
        cache.pieces.retain(|_, cached| cached.stamp == stamp);
    }
    let duplicates = convert::json_items(
        document
            .located_file_wide(encoding)
            .iter()
            .map(|l| convert::located(l, uri)),
    );
    let mut body = Vec::with_capacity(
        128 + duplicates.len() + copies.len() + cache.pieces.values().map(|s| s.json.len() + 1).sum::<usize>(),
    );
    body.extend_from_slice(br#"{"jsonrpc":"2.0","method":"textDocument/publishDiagnostics","params":{"uri":"#);
    serde_json::to_writer(&mut body, uri).expect("a URL serializes");
    write!(body, r#","version":{},"diagnostics":["#, document.version).expect("writing to a Vec");
    let mut first = true;
    let parts = pieces
        .iter()
        .map(|piece| cache.pieces[&piece.id].json.as_slice())
        .chain([duplicates.as_slice(), copies]);
    for json in parts.filter(|json| !json.is_empty()) {
        if !first {
            body.push(b',');
        }
        body.extend_from_slice(json);
        first = false;
    }
    body.extend_from_slice(b"]}}");
    body
}

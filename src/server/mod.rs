//! The language server: LSP over stdio with tower-lsp.
//!
//! Handlers translate between LSP and the crate (documents, checks, features)
//! and hold no RIS knowledge. Text changes are applied synchronously inside
//! the notification handler, before any `.await`, so they apply in the order
//! they arrive. Diagnostics are published by one task, in order, always for the
//! document as it is when published: never an older version after a newer one.

mod convert;
mod editing;
mod exit;
mod navigation;
mod publish;
mod transport;
mod workspace;

use std::collections::HashMap;
use std::path::Path;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::mpsc;
use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::{self as lsp, Url};
use tower_lsp::{LanguageServer, LspService};

use editing::FixAllOffer;

use crate::config::{self, Config};
use crate::document::{Change, Document, Encoding, Snapshot};
use crate::features::completion::{Documentation, ItemKind};
use crate::features::{self, Style};
use crate::syntax::Span;

/// Everything the handlers share.
struct State {
    documents: HashMap<Url, Document>,
    encoding: Encoding,
    markdown: bool,
    snippets: bool,
    /// Whether the client resolves a code action's edit when it is chosen.
    resolves_edits: bool,
    /// Settings from the editor (initializationOptions, didChangeConfiguration).
    editor_config: Config,
    /// The settings in force for each open document: the editor's, then its
    /// folder's `ris-lsp.toml` on top.
    configs: HashMap<Url, Config>,
    /// Diagnostics for `ris-lsp.toml` files that could not be read.
    config_errors: HashMap<Url, Vec<lsp::Diagnostic>>,
    /// What was last published for each open document, to reuse.
    published: HashMap<Url, publish::Cache>,
    /// Each open document's cached parts of whole-document answers.
    answers: HashMap<Url, Arc<Mutex<navigation::Answers>>>,
    /// Whether `initialize` was answered.
    initialized: bool,
    /// The workspace's duplicate index.
    files: workspace::Files,
    /// Whether the client lets the server watch files.
    watches_files: bool,
    /// Whether the client takes workspace edits with document versions.
    document_changes: bool,
}

impl State {
    /// The configuration for `uri`: the editor's with the nearest
    /// `ris-lsp.toml` on top. A bad file is kept as diagnostics on the file.
    fn config_for(&mut self, uri: &Url) -> (Config, Option<Url>) {
        let Some(dir) = uri
            .to_file_path()
            .ok()
            .and_then(|p| p.parent().map(std::path::Path::to_path_buf))
        else {
            return (self.editor_config.clone(), None);
        };
        let (file_config, error) = config::load_for(&dir);
        let toml_uri = config::find(&dir).and_then(|path| Url::from_file_path(path).ok());
        if let Some(toml_uri) = &toml_uri {
            match error {
                Some((_, text, error)) => {
                    tracing::warn!(%toml_uri, %error, "bad configuration; using the defaults");
                    self.config_errors
                        .insert(toml_uri.clone(), vec![convert::config_error(&text, &error)]);
                }
                None => {
                    self.config_errors.insert(toml_uri.clone(), Vec::new());
                }
            }
        }
        (self.editor_config.merged_with(&file_config), toml_uri)
    }
}

struct Backend {
    state: Arc<Mutex<State>>,
    publish: mpsc::UnboundedSender<Url>,
    client: tower_lsp::Client,
}

impl Backend {
    /// Applies a change of the workspace (folders, files on disk) contained,
    /// and publishes the files whose findings it changed.
    fn workspace_event(&self, failed: &str, change: impl FnOnce(&mut State) -> Vec<Url>) {
        let touched = {
            let mut state = self.state();
            crate::contain::contained(|| change(&mut state)).unwrap_or_else(|panic| {
                tracing::error!(%panic, "{failed}");
                Vec::new()
            })
        };
        for uri in touched {
            let _ = self.publish.send(uri);
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic in another handler must not take every later request down.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `f` on an open document, or logs and gives `None`.
    fn with_document<T>(&self, uri: &Url, f: impl FnOnce(&Document, &State) -> T) -> Option<T> {
        let state = self.state();
        let Some(document) = state.documents.get(uri) else {
            tracing::warn!(%uri, "request for a document that is not open");
            return None;
        };
        Some(f(document, &state))
    }

    /// Runs `f` on a snapshot of an open document, away from the lock and
    /// off the async threads: whole-document requests must not hold back
    /// the keystrokes that arrive meanwhile.
    async fn with_snapshot<T: Send + 'static>(
        &self,
        uri: &Url,
        f: impl FnOnce(&Snapshot, Encoding) -> T + Send + 'static,
    ) -> Result<Option<T>> {
        let Some((snapshot, encoding)) =
            self.with_document(uri, |document, state| (document.snapshot(), state.encoding))
        else {
            return Ok(None);
        };
        match tokio::task::spawn_blocking(move || f(&snapshot, encoding)).await {
            Ok(value) => Ok(Some(value)),
            Err(error) => {
                tracing::error!(%error, %uri, "a request failed");
                Err(tower_lsp::jsonrpc::Error::internal_error())
            }
        }
    }
}

/// Where a request's position is: its offset, and the piece around it.
struct Cursor {
    /// The offset, relative to the piece.
    offset: usize,
    /// Where the piece starts in the document.
    start: usize,
    /// The piece's text.
    piece: String,
}

impl Cursor {
    /// The cursor at `position` of `document`, clamped (and logged) when out
    /// of range.
    fn at(document: &Document, uri: &Url, position: lsp::Position, encoding: Encoding) -> Self {
        let (offset, clamped) = document.offset(convert::from_position(position), encoding);
        if clamped {
            tracing::warn!(%uri, ?position, "position out of range; clamped");
        }
        let (start, piece) = document.piece_at(offset);
        Cursor {
            offset: offset - start,
            start,
            piece,
        }
    }
}

/// Makes the message answering a whole-document request: given the message
/// up to its `result`, and what follows the result.
pub(crate) type WholeDocumentJob = Box<dyn FnOnce(Vec<u8>, &[u8]) -> Vec<bytes::Bytes> + Send>;

/// What the transport calls itself as each message is read, in order: text
/// synchronisation (`didOpen`, `didChange`, `didClose`), with no `.await`
/// between reading a change and applying it, so edits apply in the order
/// they come; and the whole-document requests, whose answers are
/// serialized straight to bytes (tower-lsp's `Value` round trip of a
/// 100,000-record outline takes seconds).
#[derive(Clone)]
pub(crate) struct TextSync {
    state: Arc<Mutex<State>>,
    publish: mpsc::UnboundedSender<Url>,
}

impl TextSync {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Whether `initialize` was answered: before it, text sync is ignored.
    fn ready(&self, method: &str) -> bool {
        let ready = self.state().initialized;
        if !ready {
            tracing::warn!(method, "notification before initialize; ignored");
        }
        ready
    }

    fn open(&self, opened: transport::Opened) {
        let transport::Opened { uri, version, rope } = opened;
        let toml_uri = {
            let mut state = self.state();
            let (config, toml_uri) = state.config_for(&uri);
            let document = Document::from_rope(rope, version, config.rules());
            state.documents.insert(uri.clone(), document);
            state.configs.insert(uri.clone(), config);
            state.published.remove(&uri);
            state.answers.remove(&uri);
            let touched = workspace::contained(&mut state, &uri, |state| workspace::opened(state, &uri));
            workspace::key_later(&mut state, &uri, &self.state, &self.publish);
            (toml_uri, touched)
        };
        let (toml_uri, touched) = toml_uri;
        let _ = self.publish.send(uri.clone());
        for other in touched.into_iter().filter(|other| *other != uri) {
            let _ = self.publish.send(other);
        }
        if let Some(toml_uri) = toml_uri {
            let _ = self.publish.send(toml_uri);
        }
    }

    fn change(&self, params: lsp::DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        let touched = {
            let mut state = self.state();
            let encoding = state.encoding;
            let state = &mut *state;
            let Some(document) = state.documents.get_mut(&uri) else {
                tracing::warn!(%uri, "change for a document that is not open; ignored");
                return;
            };
            for change in params.content_changes {
                // Each change's range refers to the text after the ones before it.
                let range = change.range.map(|range| {
                    let (start, clamped_start) = document.offset(convert::from_position(range.start), encoding);
                    let (end, clamped_end) = document.offset(convert::from_position(range.end), encoding);
                    if clamped_start || clamped_end {
                        tracing::warn!(%uri, ?range, "change range out of the document; clamped");
                    }
                    Span::new(start.min(end), end.max(start))
                });
                let change = vec![Change {
                    range,
                    text: change.text,
                }];
                let version = params.text_document.version;
                // A failure half-way through an edit leaves the store
                // unsure: analyse the text it holds afresh.
                if let Err(panic) = crate::contain::contained(|| document.apply(change, version)) {
                    tracing::error!(%panic, %uri, "applying a change failed; analysing the document afresh");
                    document.version = version;
                    if let Err(panic) = crate::contain::contained(|| document.reanalyze()) {
                        tracing::error!(%panic, %uri, "analysing afresh failed too");
                    }
                }
            }
            tracing::debug!(%uri, reparsed = document.last_reparsed, "changed");
            let touched = workspace::contained(state, &uri, |state| workspace::sync_document(state, &uri));
            // After a failed change the whole text was analysed again.
            workspace::key_later(state, &uri, &self.state, &self.publish);
            touched.into_iter().filter(|other| *other != uri).collect::<Vec<_>>()
        };
        let _ = self.publish.send(uri);
        for other in touched {
            let _ = self.publish.send(other);
        }
    }

    /// The answer to a whole-document request whose answer is big (outline,
    /// folding, links), as a job that makes the JSON of its `result` away
    /// from the reader and the lock: a snapshot is taken here, under the
    /// lock, in the order of the messages. `None` before `initialize`
    /// (tower-lsp answers with the protocol's error then).
    pub(crate) fn whole_document(
        &self,
        method: &str,
        params: &str,
    ) -> Option<std::result::Result<WholeDocumentJob, String>> {
        #[derive(serde::Deserialize)]
        struct Params {
            #[serde(rename = "textDocument")]
            text_document: lsp::TextDocumentIdentifier,
        }
        let mut state = self.state();
        if !state.initialized {
            return None;
        }
        let uri = match serde_json::from_str::<Params>(params) {
            Ok(params) => params.text_document.uri,
            Err(error) => return Some(Err(error.to_string())),
        };
        let Some(document) = state.documents.get(&uri) else {
            tracing::warn!(%uri, method, "request for a document that is not open");
            return Some(Ok(Box::new(|mut out: Vec<u8>, closing: &[u8]| {
                out.extend_from_slice(b"null");
                out.extend_from_slice(closing);
                vec![out.into()]
            })));
        };
        let (snapshot, encoding, method) = (document.snapshot(), state.encoding, method.to_string());
        let answers = state.answers.entry(uri).or_default().clone();
        Some(Ok(Box::new(move |out: Vec<u8>, closing: &[u8]| {
            let mut answers = answers.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            navigation::answer(&method, &snapshot, encoding, &mut answers, out, closing)
        })))
    }

    fn close(&self, params: lsp::DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        let (touched, closed) = {
            let mut state = self.state();
            let closed = (state.documents.remove(&uri), state.answers.remove(&uri));
            state.configs.remove(&uri);
            state.published.remove(&uri);
            let touched = workspace::contained(&mut state, &uri, |state| {
                workspace::closed(state, &uri, &self.state, &self.publish)
            });
            (touched, closed)
        };
        // Freeing a 100,000-record document's text and analyses takes a
        // second: done away from the messages, which go on meanwhile.
        tokio::task::spawn_blocking(move || drop_and_release(closed));
        let _ = self.publish.send(uri.clone());
        for other in touched.into_iter().filter(|other| *other != uri) {
            let _ = self.publish.send(other);
        }
    }
}

#[tower_lsp::async_trait]
impl LanguageServer for Backend {
    async fn initialize(&self, params: lsp::InitializeParams) -> Result<lsp::InitializeResult> {
        let capabilities = &params.capabilities;
        let offers_utf8 = capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.as_ref())
            .is_some_and(|encodings| encodings.contains(&lsp::PositionEncodingKind::UTF8));
        let text = capabilities.text_document.as_ref();
        let markdown = text
            .and_then(|t| t.hover.as_ref())
            .and_then(|h| h.content_format.as_ref())
            .is_some_and(|formats| formats.contains(&lsp::MarkupKind::Markdown));
        let snippets = text
            .and_then(|t| t.completion.as_ref())
            .and_then(|c| c.completion_item.as_ref())
            .and_then(|i| i.snippet_support)
            .unwrap_or(false);
        let resolves_edits = text
            .and_then(|t| t.code_action.as_ref())
            .and_then(|c| c.resolve_support.as_ref())
            .is_some_and(|r| r.properties.iter().any(|p| p == "edit"));
        let encoding = if offers_utf8 { Encoding::Utf8 } else { Encoding::Utf16 };
        let editor_config = match params.initialization_options.map(settings_of).map(Config::from_json) {
            Some(Ok(config)) => config,
            Some(Err(error)) => {
                tracing::warn!(%error, "bad initializationOptions; using the defaults");
                Config::default()
            }
            None => Config::default(),
        };
        let watches_files = capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|w| w.dynamic_registration)
            .unwrap_or(false);
        let document_changes = capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.workspace_edit.as_ref())
            .and_then(|w| w.document_changes)
            .unwrap_or(false);
        #[allow(deprecated)] // rootPath: the oldest clients send only it.
        let roots: Vec<std::path::PathBuf> = match (&params.workspace_folders, &params.root_uri, &params.root_path) {
            (Some(folders), _, _) if !folders.is_empty() => {
                folders.iter().filter_map(|f| f.uri.to_file_path().ok()).collect()
            }
            (_, Some(root), _) => root.to_file_path().ok().into_iter().collect(),
            (_, _, Some(path)) => vec![std::path::PathBuf::from(path)],
            _ => Vec::new(),
        };
        {
            let mut state = self.state();
            state.initialized = true;
            state.watches_files = watches_files;
            state.document_changes = document_changes;
            state.files.indexing = !roots.is_empty();
            state.files.roots = roots;
            state.editor_config = editor_config;
            state.encoding = encoding;
            state.markdown = markdown;
            state.snippets = snippets;
            state.resolves_edits = resolves_edits;
        }
        tracing::info!(?encoding, markdown, snippets, "initialized");
        Ok(lsp::InitializeResult {
            capabilities: lsp::ServerCapabilities {
                position_encoding: Some(match encoding {
                    Encoding::Utf8 => lsp::PositionEncodingKind::UTF8,
                    Encoding::Utf16 => lsp::PositionEncodingKind::UTF16,
                }),
                text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(lsp::TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                    ..Default::default()
                })),
                completion_provider: Some(lsp::CompletionOptions {
                    trigger_characters: Some(vec![" ".to_string(), "-".to_string()]),
                    resolve_provider: Some(true),
                    ..Default::default()
                }),
                hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
                code_action_provider: Some(lsp::CodeActionProviderCapability::Options(lsp::CodeActionOptions {
                    code_action_kinds: Some(vec![
                        lsp::CodeActionKind::QUICKFIX,
                        lsp::CodeActionKind::new(editing::FIX_ALL),
                    ]),
                    resolve_provider: Some(true),
                    ..Default::default()
                })),
                document_formatting_provider: Some(lsp::OneOf::Left(true)),
                document_range_formatting_provider: Some(lsp::OneOf::Left(true)),
                document_symbol_provider: Some(lsp::OneOf::Left(true)),
                workspace_symbol_provider: Some(lsp::OneOf::Left(true)),
                folding_range_provider: Some(lsp::FoldingRangeProviderCapability::Simple(true)),
                document_link_provider: Some(lsp::DocumentLinkOptions {
                    resolve_provider: Some(false),
                    work_done_progress_options: Default::default(),
                }),
                inlay_hint_provider: Some(lsp::OneOf::Left(true)),
                references_provider: Some(lsp::OneOf::Left(true)),
                workspace: Some(lsp::WorkspaceServerCapabilities {
                    workspace_folders: Some(lsp::WorkspaceFoldersServerCapabilities {
                        supported: Some(true),
                        change_notifications: Some(lsp::OneOf::Left(true)),
                    }),
                    file_operations: None,
                }),
                ..Default::default()
            },
            server_info: Some(lsp::ServerInfo {
                name: "ris-lsp".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
        })
    }

    async fn initialized(&self, _: lsp::InitializedParams) {
        let (watch, index) = {
            let state = self.state();
            (state.watches_files, state.files.indexing)
        };
        if index {
            // A thread of its own: reading a big workspace must not hold
            // back the first diagnostics of the open file.
            let (state, publish) = (self.state.clone(), self.publish.clone());
            let started = std::thread::Builder::new().name("workspace".into()).spawn(move || {
                let guard = state.clone();
                if let Err(panic) = crate::contain::contained(|| workspace::index_folders(state, publish)) {
                    tracing::error!(%panic, "indexing the workspace failed");
                    guard.lock().unwrap_or_else(|p| p.into_inner()).files.indexing = false;
                }
            });
            if let Err(error) = started {
                tracing::error!(%error, "cannot start the workspace thread");
                self.state().files.indexing = false;
            }
        }
        if watch {
            let options = lsp::DidChangeWatchedFilesRegistrationOptions {
                watchers: vec![lsp::FileSystemWatcher {
                    glob_pattern: lsp::GlobPattern::String("**/*.ris".to_string()),
                    kind: None,
                }],
            };
            let registration = lsp::Registration {
                id: "ris-lsp-watch-ris".to_string(),
                method: "workspace/didChangeWatchedFiles".to_string(),
                register_options: serde_json::to_value(options).ok(),
            };
            if let Err(error) = self.client.register_capability(vec![registration]).await {
                tracing::warn!(%error, "the client did not let us watch *.ris files");
            }
        }
    }

    async fn did_change_workspace_folders(&self, params: lsp::DidChangeWorkspaceFoldersParams) {
        self.workspace_event("updating the workspace folders failed", |state| {
            workspace::folders_changed(state, params.event, &self.state, &self.publish)
        });
    }

    async fn did_change_watched_files(&self, params: lsp::DidChangeWatchedFilesParams) {
        self.workspace_event("updating the workspace index from file events failed", |state| {
            workspace::files_changed(state, params.changes, &self.state, &self.publish)
        });
    }

    async fn shutdown(&self) -> Result<()> {
        tracing::info!("shutdown");
        Ok(())
    }

    async fn did_change_configuration(&self, params: lsp::DidChangeConfigurationParams) {
        let uris: Vec<Url> = {
            let mut state = self.state();
            match Config::from_json(settings_of(params.settings)) {
                Ok(config) => state.editor_config = config,
                Err(error) => {
                    tracing::warn!(%error, "bad settings; keeping the previous ones");
                    return;
                }
            }
            // Severities may have changed: serialize everything afresh.
            state.published.clear();
            let mut uris: Vec<Url> = state.documents.keys().cloned().collect();
            for uri in &uris {
                let (config, _) = state.config_for(uri);
                if let Some(document) = state.documents.get_mut(uri) {
                    document.set_rules(config.rules());
                }
                state.configs.insert(uri.clone(), config);
                workspace::contained(&mut state, uri, |state| workspace::sync_document(state, uri));
                workspace::key_later(&mut state, uri, &self.state, &self.publish);
            }
            // Severities of the duplicate codes may have changed too.
            for uri in workspace::flagged_uris(&state) {
                if !uris.contains(&uri) {
                    uris.push(uri);
                }
            }
            uris
        };
        for uri in uris {
            let _ = self.publish.send(uri);
        }
    }

    async fn hover(&self, params: lsp::HoverParams) -> Result<Option<lsp::Hover>> {
        let position = params.text_document_position_params;
        let uri = position.text_document.uri;
        // One lock, so hover text, findings and range are of one version.
        let hover = self.with_document(&uri, |document, state| {
            let style = Style {
                markdown: state.markdown,
            };
            let cursor = Cursor::at(document, &uri, position.position, state.encoding);
            let mut found = features::hover::hover(&cursor.piece, cursor.offset, style);
            // On the first record's `TY` line: the file as a whole.
            if let Some(found) = &mut found
                && let Some((about, first_line)) = document.about()
                && document.position(cursor.start + cursor.offset, state.encoding).line == first_line
            {
                found.contents = format!("{}\n\n---\n\n{}", found.contents, style.bold(&about));
            }
            // Over a squiggle, also say why it matters.
            let at = cursor.start + cursor.offset;
            let findings = document.located_in(Span::new(at, at), state.encoding);
            let mut codes: Vec<_> = findings.iter().map(|l| l.diagnostic.code).collect();
            // And the workspace's duplicate findings on a TY tag.
            let copies = workspace::codes_at(state, &uri, at, position.position, document.rules());
            codes.extend(copies.iter().flat_map(|(codes, _)| codes.iter().copied()));
            let help = features::hover::findings_help(&codes, style);
            let (range, contents) = match (found, help) {
                (Some(found), Some(help)) => (
                    convert::range(document.rope(), found.span.shift(cursor.start), state.encoding),
                    format!("{}\n\n---\n\n{help}", found.contents),
                ),
                (Some(found), None) => (
                    convert::range(document.rope(), found.span.shift(cursor.start), state.encoding),
                    found.contents,
                ),
                (None, Some(help)) => match (findings.first(), copies) {
                    (Some(first), _) => {
                        let (start, end) = first.range;
                        (lsp::Range::new(convert::position(start), convert::position(end)), help)
                    }
                    (None, Some((_, range))) => (range, help),
                    (None, None) => return None,
                },
                (None, None) => return None,
            };
            Some(lsp::Hover {
                contents: lsp::HoverContents::Markup(lsp::MarkupContent {
                    kind: if style.markdown {
                        lsp::MarkupKind::Markdown
                    } else {
                        lsp::MarkupKind::PlainText
                    },
                    value: contents,
                }),
                range: Some(range),
            })
        });
        Ok(hover.flatten())
    }

    async fn references(&self, params: lsp::ReferenceParams) -> Result<Option<Vec<lsp::Location>>> {
        let position = params.text_document_position;
        let uri = position.text_document.uri;
        let with_itself = params.context.include_declaration;
        Ok(self.with_document(&uri, |document, state| {
            let (offset, _) = document.offset(convert::from_position(position.position), state.encoding);
            workspace::references(state, &uri, offset, with_itself)
        }))
    }

    async fn code_action(&self, params: lsp::CodeActionParams) -> Result<Option<lsp::CodeActionResponse>> {
        let uri = params.text_document.uri;
        let only = params.context.only;
        let Some((mut actions, offer, merge)) = self.with_document(&uri, |document, state| {
            let (start, _) = document.offset(convert::from_position(params.range.start), state.encoding);
            let (end, _) = document.offset(convert::from_position(params.range.end), state.encoding);
            let range = Span::new(start, end.max(start));
            let (actions, offer) = editing::quick_fixes(
                document,
                &uri,
                state.encoding,
                range,
                only.as_deref(),
                state.resolves_edits,
            );
            let offer = match offer {
                FixAllOffer::Lazy => Some(Err(editing::lazy_fix_all(&uri, document.safe_fixes()))),
                FixAllOffer::Now => Some(Ok(())),
                FixAllOffer::No => None,
            };
            let wants_fixes = only
                .as_deref()
                .is_none_or(|kinds| kinds.iter().any(|k| k.as_str() == "quickfix"));
            let mut actions = actions;
            let merge = if !wants_fixes {
                None
            } else if state.resolves_edits {
                let lazy = workspace::lazy_merge(state, &uri, range.start, params.range.start);
                actions.extend(lazy.map(lsp::CodeActionOrCommand::CodeAction));
                None
            } else {
                workspace::merge_plan(state, &uri, range.start, state.document_changes)
            };
            (actions, offer, merge)
        }) else {
            return Ok(None);
        };
        if let Some(plan) = merge {
            // Files on disk are read here, away from the lock.
            match tokio::task::spawn_blocking(move || plan.action()).await {
                Ok(Some(action)) => actions.insert(0, lsp::CodeActionOrCommand::CodeAction(action)),
                Ok(None) => {}
                Err(error) => tracing::error!(%error, %uri, "making the merge failed"),
            }
        }
        match offer {
            Some(Err(lazy)) => actions.push(lazy),
            Some(Ok(())) => {
                let target = uri.clone();
                let fixed = self
                    .with_snapshot(&uri, move |snapshot, encoding| {
                        editing::fix_all(snapshot, &target, encoding)
                    })
                    .await?;
                actions.extend(fixed.flatten().map(lsp::CodeActionOrCommand::CodeAction));
            }
            None => {}
        }
        Ok(Some(actions))
    }

    async fn code_action_resolve(&self, action: lsp::CodeAction) -> Result<lsp::CodeAction> {
        if let Some((uri, position)) = workspace::merge_target(&action) {
            let plan = self
                .with_document(&uri, |document, state| {
                    let (offset, _) = document.offset(convert::from_position(position), state.encoding);
                    workspace::merge_plan(state, &uri, offset, state.document_changes)
                })
                .flatten();
            let made = match plan {
                Some(plan) => tokio::task::spawn_blocking(move || plan.action()).await.ok().flatten(),
                None => None,
            };
            // The copies are gone or changed meanwhile: an empty edit.
            return Ok(made.unwrap_or(lsp::CodeAction {
                edit: Some(lsp::WorkspaceEdit::default()),
                ..action
            }));
        }
        let Some(uri) = editing::fix_all_target(&action) else {
            return Ok(action);
        };
        let target = uri.clone();
        let fixed = self
            .with_snapshot(&uri, move |snapshot, encoding| {
                editing::fix_all(snapshot, &target, encoding)
            })
            .await?;
        // Nothing left to fix (or the document closed): an empty edit.
        Ok(fixed.flatten().unwrap_or(lsp::CodeAction {
            edit: Some(lsp::WorkspaceEdit::default()),
            ..action
        }))
    }

    async fn formatting(&self, params: lsp::DocumentFormattingParams) -> Result<Option<Vec<lsp::TextEdit>>> {
        self.with_snapshot(&params.text_document.uri, |snapshot, encoding| {
            editing::formatting(snapshot, encoding, None)
        })
        .await
    }

    async fn range_formatting(&self, params: lsp::DocumentRangeFormattingParams) -> Result<Option<Vec<lsp::TextEdit>>> {
        let range = self.with_document(&params.text_document.uri, |document, state| {
            let (start, _) = document.offset(convert::from_position(params.range.start), state.encoding);
            let (end, _) = document.offset(convert::from_position(params.range.end), state.encoding);
            Span::new(start, end.max(start))
        });
        let Some(range) = range else { return Ok(None) };
        self.with_snapshot(&params.text_document.uri, move |snapshot, encoding| {
            editing::formatting(snapshot, encoding, Some(range))
        })
        .await
    }

    async fn inlay_hint(&self, params: lsp::InlayHintParams) -> Result<Option<Vec<lsp::InlayHint>>> {
        let range = params.range;
        Ok(self
            .with_document(&params.text_document.uri, |document, state| {
                let enabled = state
                    .configs
                    .get(&params.text_document.uri)
                    .is_none_or(|c| c.inlay_hints != Some(false));
                // A screenful: the pieces it covers, read under the lock;
                // and how many copies its records have in the workspace.
                enabled.then(|| {
                    let mut hints = navigation::inlay_hints(document, state.encoding, range);
                    let lines = range.start.line..range.end.line.saturating_add(1);
                    hints.extend(workspace::copy_hints(state, &params.text_document.uri, lines));
                    hints.sort_by_key(|h| (h.position.line, h.position.character));
                    hints
                })
            })
            .flatten())
    }

    async fn symbol(&self, params: lsp::WorkspaceSymbolParams) -> Result<Option<Vec<lsp::SymbolInformation>>> {
        let (snapshots, encoding) = {
            let state = self.state();
            let snapshots: Vec<(Url, Snapshot)> = state
                .documents
                .iter()
                .map(|(uri, document)| (uri.clone(), document.snapshot()))
                .collect();
            (snapshots, state.encoding)
        };
        let query = params.query;
        let found = tokio::task::spawn_blocking(move || {
            snapshots
                .iter()
                .flat_map(|(uri, snapshot)| navigation::workspace_symbols(snapshot, uri, encoding, &query))
                .collect::<Vec<_>>()
        })
        .await
        .map_err(|_| tower_lsp::jsonrpc::Error::internal_error())?;
        Ok(Some(found))
    }

    async fn completion_resolve(&self, mut item: lsp::CompletionItem) -> Result<lsp::CompletionItem> {
        let style = Style {
            markdown: self.state().markdown,
        };
        if let Some(data) = &item.data {
            let documentation = Documentation::Tag {
                code: data["tag"].as_str().unwrap_or_default().to_string(),
                record_type: data["type"].as_str().map(str::to_string),
            };
            item.documentation = Some(markup(documentation.render(style), style));
        }
        Ok(item)
    }

    async fn completion(&self, params: lsp::CompletionParams) -> Result<Option<lsp::CompletionResponse>> {
        let position = params.text_document_position;
        let uri = position.text_document.uri;
        // One lock: the items and their range are of one version.
        let found = self.with_document(&uri, |document, state| {
            let cursor = Cursor::at(document, &uri, position.position, state.encoding);
            let found = features::completion::complete(&cursor.piece, cursor.offset)?;
            let range = convert::range(document.rope(), found.replace.shift(cursor.start), state.encoding);
            let style = Style {
                markdown: state.markdown,
            };
            Some((found, range, style, state.snippets))
        });
        let Some((found, range, style, snippets)) = found.flatten() else {
            return Ok(None);
        };
        let items = found
            .items
            .into_iter()
            .filter(|item| item.kind != ItemKind::Snippet || snippets)
            .map(|item| lsp::CompletionItem {
                label: item.label.clone(),
                kind: Some(match item.kind {
                    ItemKind::Tag => lsp::CompletionItemKind::FIELD,
                    ItemKind::Type => lsp::CompletionItemKind::ENUM_MEMBER,
                    ItemKind::Snippet => lsp::CompletionItemKind::SNIPPET,
                }),
                detail: Some(item.detail),
                // Tag pages are built on resolve; short texts come now.
                documentation: match &item.documentation {
                    Documentation::Text(_) => Some(markup(item.documentation.render(style), style)),
                    Documentation::Tag { .. } => None,
                },
                data: match item.documentation {
                    Documentation::Tag { code, record_type } => {
                        Some(serde_json::json!({ "tag": code, "type": record_type }))
                    }
                    Documentation::Text(_) => None,
                },
                sort_text: Some(item.sort),
                filter_text: Some(item.label),
                insert_text_format: Some(if item.kind == ItemKind::Snippet {
                    lsp::InsertTextFormat::SNIPPET
                } else {
                    lsp::InsertTextFormat::PLAIN_TEXT
                }),
                text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit::new(range, item.insert))),
                ..Default::default()
            })
            .collect();
        Ok(Some(lsp::CompletionResponse::List(lsp::CompletionList {
            is_incomplete: false,
            items,
        })))
    }
}

/// Text for the client, Markdown or plain.
fn markup(value: String, style: Style) -> lsp::Documentation {
    lsp::Documentation::MarkupContent(lsp::MarkupContent {
        kind: if style.markdown {
            lsp::MarkupKind::Markdown
        } else {
            lsp::MarkupKind::PlainText
        },
        value,
    })
}

/// Keeps memory freed by an analysis for the next one: by default glibc
/// maps each block above 128 KiB afresh and unmaps it when freed, and trims
/// its heap as soon as 128 KiB at its top are free, so a keystroke in a
/// record of 40,000 lines faulted its parse's pages in again each time (a
/// third of its cost). Blocks up to 32 MiB now come from the heap and stay
/// there; the memory goes back to the system where it is worth it, on
/// close and after a big answer ([`release_free_memory`]).
///
/// Also one heap per core, not glibc's eight: memory freed in the heap of a
/// thread other than the first stays at that heap's top (`malloc_trim`
/// leaves it), and with a heap for each of the server's threads a closed
/// 100,000-record document left 60–160 MB behind; with one per core, 12 MB.
fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get().max(2));
        // SAFETY: mallopt only sets allocator parameters; it is called
        // before any other thread exists, as glibc asks.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
            libc::mallopt(libc::M_TRIM_THRESHOLD, 64 << 20);
            libc::mallopt(libc::M_ARENA_MAX, i32::try_from(cores).unwrap_or(i32::MAX));
        }
    }
}

/// Drops `value`, then gives the memory it held back to the system.
pub(crate) fn drop_and_release<T>(value: T) {
    drop(value);
    release_free_memory();
}

/// Gives freed memory back to the system. glibc keeps what a closed 100 MB
/// document used in its heap otherwise, and the editor sees the server grow.
pub(crate) fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        unsafe extern "C" {
            fn malloc_trim(pad: usize) -> i32;
        }
        // SAFETY: malloc_trim only returns unused heap pages to the kernel; it
        // is safe to call at any time from any thread.
        unsafe {
            malloc_trim(0);
        }
    }
}

/// The ris-lsp part of an editor's settings: under `ris-lsp` or `ris` when
/// the editor sends all its settings, else the value itself. The editor's own
/// settings in that section (VS Code's `ris-lsp.server.path` and
/// `ris-lsp.trace.server`) are not the server's and are left out.
fn settings_of(value: serde_json::Value) -> serde_json::Value {
    let mut settings = match value {
        serde_json::Value::Object(mut map) => ["ris-lsp", "ris_lsp", "ris"]
            .into_iter()
            .find_map(|key| map.remove(key))
            .unwrap_or(serde_json::Value::Object(map)),
        serde_json::Value::Null => serde_json::json!({}),
        other => other,
    };
    if let Some(map) = settings.as_object_mut() {
        map.remove("server");
        map.remove("trace");
    }
    settings
}

/// Sets up logging to stderr (or `log_file`), level from `RUST_LOG`.
fn init_logging(log_file: Option<&Path>) -> std::result::Result<(), String> {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_ansi(false);
    match log_file {
        Some(path) => {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| format!("cannot open log file {}: {e}", path.display()))?;
            builder.with_writer(Mutex::new(file)).init();
        }
        None => builder.with_writer(std::io::stderr).init(),
    }
    Ok(())
}

/// Runs the server on stdin/stdout until the client says exit. `ignored`
/// are the command-line flags it did not know, said in the log.
pub fn run(log_file: Option<&Path>, ignored: &[String]) -> ExitCode {
    keep_freed_memory();
    if let Err(message) = init_logging(log_file) {
        eprintln!("error: {message}");
        return ExitCode::from(2);
    }
    for flag in ignored {
        tracing::warn!(%flag, "unknown command-line flag; ignored");
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(2);
        }
    };
    let served = runtime.block_on(async {
        // A large buffer: opening a 100 MB file arrives as one message.
        let stdin = tokio::io::BufReader::with_capacity(1 << 20, tokio::io::stdin());
        let state = Arc::new(Mutex::new(State {
            documents: HashMap::new(),
            encoding: Encoding::Utf16,
            markdown: false,
            snippets: false,
            resolves_edits: false,
            editor_config: Config::default(),
            configs: HashMap::new(),
            config_errors: HashMap::new(),
            published: HashMap::new(),
            answers: HashMap::new(),
            initialized: false,
            files: Default::default(),
            watches_files: false,
            document_changes: false,
        }));
        let (publish_tx, publish_rx) = mpsc::unbounded_channel();
        let (out_tx, out_rx) = mpsc::unbounded_channel();
        transport::widen_pipes();
        let writer = std::thread::Builder::new()
            .name("stdout".into())
            .spawn(move || transport::write_all(std::io::stdout().lock(), out_rx));
        if let Err(error) = writer {
            tracing::error!(%error, "cannot start the writer thread");
            return Ok(());
        }
        tokio::spawn(publish::publisher(out_tx.clone(), state.clone(), publish_rx));
        let text = TextSync {
            state: state.clone(),
            publish: publish_tx.clone(),
        };
        let (service, socket) = LspService::new(|client| Backend {
            state: state.clone(),
            publish: publish_tx,
            client,
        });
        tracing::info!(version = env!("CARGO_PKG_VERSION"), "ris-lsp started");
        transport::serve(stdin, exit::ExitOnExit::new(service), socket, text, out_tx).await
    });
    // A read of stdin may still be blocked in a thread: do not wait for it.
    runtime.shutdown_background();
    if let Err(error) = served {
        // Not a clean end: say so where the editor shows it, and not with 0.
        tracing::error!(%error, "stopping");
        eprintln!("ris-lsp: {error}");
        return ExitCode::from(1);
    }
    tracing::info!("exit");
    ExitCode::SUCCESS
}

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

use std::collections::HashMap;
use std::path::Path;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::mpsc;
use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::{self as lsp, Url};
use tower_lsp::{LanguageServer, LspService};

use crate::config::{self, Config};
use crate::document::{Change, Document, Encoding};
use crate::features::completion::{Documentation, ItemKind};
use crate::features::{self, Style};
use crate::syntax::Span;

/// Everything the handlers share.
struct State {
    documents: HashMap<Url, Document>,
    encoding: Encoding,
    markdown: bool,
    snippets: bool,
    /// Settings from the editor (initializationOptions, didChangeConfiguration).
    editor_config: Config,
    /// The settings in force for each open document: the editor's, then its
    /// folder's `ris-lsp.toml` on top.
    configs: HashMap<Url, Config>,
    /// Diagnostics for `ris-lsp.toml` files that could not be read.
    config_errors: HashMap<Url, Vec<lsp::Diagnostic>>,
    /// What was last published for each open document, to reuse.
    published: HashMap<Url, publish::Cache>,
    /// Whether `initialize` was answered.
    initialized: bool,
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
}

impl Backend {
    fn state(&self) -> MutexGuard<'_, State> {
        // A panic in another handler must not take every later request down.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Byte offset of `position` in `uri` with the piece around it, or `None`
    /// (logged) when the document is not open.
    fn locate(&self, uri: &Url, position: lsp::Position) -> Option<(usize, usize, String, Style)> {
        let state = self.state();
        let Some(document) = state.documents.get(uri) else {
            tracing::warn!(%uri, "request for a document that is not open");
            return None;
        };
        let (offset, clamped) = document.offset(convert::from_position(position), state.encoding);
        if clamped {
            tracing::warn!(%uri, ?position, "position out of range; clamped");
        }
        let (start, piece) = document.piece_at(offset);
        Some((
            offset - start,
            start,
            piece,
            Style {
                markdown: state.markdown,
            },
        ))
    }

    /// Runs `f` on an open document, or logs and gives `None`.
    fn with_document<T>(&self, uri: &Url, f: impl FnOnce(&Document, Encoding) -> T) -> Option<T> {
        let state = self.state();
        let Some(document) = state.documents.get(uri) else {
            tracing::warn!(%uri, "request for a document that is not open");
            return None;
        };
        Some(f(document, state.encoding))
    }

    /// LSP range of a span relative to a piece starting at `start`.
    fn range_in(&self, uri: &Url, start: usize, span: Span) -> Option<lsp::Range> {
        let state = self.state();
        let document = state.documents.get(uri)?;
        Some(convert::range(document, span.shift(start), state.encoding))
    }
}

/// Text synchronisation: `didOpen`, `didChange`, `didClose`. The transport
/// calls these as each message is read, in order, with no `.await` between
/// reading a change and applying it, so edits apply in the order they come.
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
            toml_uri
        };
        let _ = self.publish.send(uri);
        if let Some(toml_uri) = toml_uri {
            let _ = self.publish.send(toml_uri);
        }
    }

    fn change(&self, params: lsp::DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        {
            let mut state = self.state();
            let encoding = state.encoding;
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
                document.apply(
                    vec![Change {
                        range,
                        text: change.text,
                    }],
                    params.text_document.version,
                );
            }
            tracing::debug!(%uri, reparsed = document.last_reparsed, "changed");
        }
        let _ = self.publish.send(uri);
    }

    fn close(&self, params: lsp::DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        {
            let mut state = self.state();
            state.documents.remove(&uri);
            state.configs.remove(&uri);
            state.published.remove(&uri);
        }
        release_free_memory();
        let _ = self.publish.send(uri);
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
        let encoding = if offers_utf8 { Encoding::Utf8 } else { Encoding::Utf16 };
        let editor_config = match params.initialization_options.map(settings_of).map(Config::from_json) {
            Some(Ok(config)) => config,
            Some(Err(error)) => {
                tracing::warn!(%error, "bad initializationOptions; using the defaults");
                Config::default()
            }
            None => Config::default(),
        };
        {
            let mut state = self.state();
            state.initialized = true;
            state.editor_config = editor_config;
            state.encoding = encoding;
            state.markdown = markdown;
            state.snippets = snippets;
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
                ..Default::default()
            },
            server_info: Some(lsp::ServerInfo {
                name: "ris-lsp".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
        })
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
            let uris: Vec<Url> = state.documents.keys().cloned().collect();
            for uri in &uris {
                let (config, _) = state.config_for(uri);
                if let Some(document) = state.documents.get_mut(uri) {
                    document.set_rules(config.rules());
                }
                state.configs.insert(uri.clone(), config);
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
        let Some((offset, start, piece, style)) = self.locate(&uri, position.position) else {
            return Ok(None);
        };
        let found = features::hover::hover(&piece, offset, style);
        // Over a squiggle, also say why it matters.
        let findings = self
            .with_document(&uri, |document, _| document.diagnostics_at(start + offset))
            .unwrap_or_default();
        let help = features::hover::findings_help(&findings, style);
        // Spans made absolute: the feature's is relative to the piece.
        let (span, contents) = match (found, help) {
            (Some(found), Some(help)) => (found.span.shift(start), format!("{}\n\n---\n\n{help}", found.contents)),
            (Some(found), None) => (found.span.shift(start), found.contents),
            (None, Some(help)) => (findings[0].span, help),
            (None, None) => return Ok(None),
        };
        let range = self.with_document(&uri, |document, encoding| convert::range(document, span, encoding));
        Ok(Some(lsp::Hover {
            contents: lsp::HoverContents::Markup(lsp::MarkupContent {
                kind: if style.markdown {
                    lsp::MarkupKind::Markdown
                } else {
                    lsp::MarkupKind::PlainText
                },
                value: contents,
            }),
            range,
        }))
    }

    async fn code_action(&self, params: lsp::CodeActionParams) -> Result<Option<lsp::CodeActionResponse>> {
        Ok(self.with_document(&params.text_document.uri, |document, encoding| {
            let (start, _) = document.offset(convert::from_position(params.range.start), encoding);
            let (end, _) = document.offset(convert::from_position(params.range.end), encoding);
            let only = params.context.only.as_deref();
            editing::code_actions(
                document,
                &params.text_document.uri,
                encoding,
                Span::new(start, end.max(start)),
                only,
            )
        }))
    }

    async fn formatting(&self, params: lsp::DocumentFormattingParams) -> Result<Option<Vec<lsp::TextEdit>>> {
        Ok(self.with_document(&params.text_document.uri, |document, encoding| {
            editing::formatting(document, encoding, None)
        }))
    }

    async fn range_formatting(&self, params: lsp::DocumentRangeFormattingParams) -> Result<Option<Vec<lsp::TextEdit>>> {
        Ok(self.with_document(&params.text_document.uri, |document, encoding| {
            let (start, _) = document.offset(convert::from_position(params.range.start), encoding);
            let (end, _) = document.offset(convert::from_position(params.range.end), encoding);
            editing::formatting(document, encoding, Some(Span::new(start, end.max(start))))
        }))
    }

    async fn document_symbol(&self, params: lsp::DocumentSymbolParams) -> Result<Option<lsp::DocumentSymbolResponse>> {
        Ok(self.with_document(&params.text_document.uri, |document, encoding| {
            lsp::DocumentSymbolResponse::Nested(navigation::document_symbols(document, encoding))
        }))
    }

    async fn folding_range(&self, params: lsp::FoldingRangeParams) -> Result<Option<Vec<lsp::FoldingRange>>> {
        Ok(self.with_document(&params.text_document.uri, |document, _| {
            navigation::folding_ranges(document)
        }))
    }

    async fn document_link(&self, params: lsp::DocumentLinkParams) -> Result<Option<Vec<lsp::DocumentLink>>> {
        Ok(self.with_document(&params.text_document.uri, navigation::document_links))
    }

    async fn inlay_hint(&self, params: lsp::InlayHintParams) -> Result<Option<Vec<lsp::InlayHint>>> {
        let enabled = self
            .state()
            .configs
            .get(&params.text_document.uri)
            .is_none_or(|c| c.inlay_hints != Some(false));
        if !enabled {
            return Ok(None);
        }
        Ok(self.with_document(&params.text_document.uri, |document, encoding| {
            navigation::inlay_hints(document, encoding, params.range)
        }))
    }

    async fn symbol(&self, params: lsp::WorkspaceSymbolParams) -> Result<Option<Vec<lsp::SymbolInformation>>> {
        let state = self.state();
        let symbols = state
            .documents
            .iter()
            .flat_map(|(uri, document)| navigation::workspace_symbols(document, uri, state.encoding, &params.query))
            .collect();
        Ok(Some(symbols))
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
        let Some((offset, start, piece, style)) = self.locate(&uri, position.position) else {
            return Ok(None);
        };
        let Some(found) = features::completion::complete(&piece, offset) else {
            return Ok(None);
        };
        let Some(range) = self.range_in(&uri, start, found.replace) else {
            return Ok(None);
        };
        let snippets = self.state().snippets;
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

/// Gives freed memory back to the system. glibc keeps what a closed 100 MB
/// document used in its heap otherwise, and the editor sees the server grow.
fn release_free_memory() {
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
    runtime.block_on(async {
        // A large buffer: opening a 100 MB file arrives as one message.
        let stdin = tokio::io::BufReader::with_capacity(1 << 20, tokio::io::stdin());
        let state = Arc::new(Mutex::new(State {
            documents: HashMap::new(),
            encoding: Encoding::Utf16,
            markdown: false,
            snippets: false,
            editor_config: Config::default(),
            configs: HashMap::new(),
            config_errors: HashMap::new(),
            published: HashMap::new(),
            initialized: false,
        }));
        let (publish_tx, publish_rx) = mpsc::unbounded_channel();
        let (out_tx, out_rx) = mpsc::unbounded_channel();
        transport::widen_pipes();
        let writer = std::thread::Builder::new()
            .name("stdout".into())
            .spawn(move || transport::write_all(std::io::stdout().lock(), out_rx));
        if let Err(error) = writer {
            tracing::error!(%error, "cannot start the writer thread");
            return;
        }
        tokio::spawn(publish::publisher(out_tx.clone(), state.clone(), publish_rx));
        let text = TextSync {
            state: state.clone(),
            publish: publish_tx.clone(),
        };
        let (service, socket) = LspService::new(|_client| Backend {
            state: state.clone(),
            publish: publish_tx,
        });
        tracing::info!(version = env!("CARGO_PKG_VERSION"), "ris-lsp started");
        transport::serve(stdin, exit::ExitOnExit::new(service), socket, text, out_tx).await;
    });
    // A read of stdin may still be blocked in a thread: do not wait for it.
    runtime.shutdown_background();
    tracing::info!("exit");
    ExitCode::SUCCESS
}

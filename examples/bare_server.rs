//! The floor for `lsp_bench`: a tower-lsp server that does nothing but keep
//! the text.
//!
//! Same transport as `ris-lsp` (tower-lsp 0.20, tokio stdin in a 1 MiB
//! `BufReader`, two worker threads), UTF-16 positions and incremental sync.
//! It stores each document in a ropey `Rope`, applies changes, and publishes
//! an empty diagnostics list for the new version; `hover` and `completion`
//! answer `null`. Whatever `ris-lsp` takes beyond this is its own work.
//!
//! ```sh
//! cargo build --release --examples && target/release/examples/bare_server
//! ```

use std::collections::HashMap;
use std::sync::Mutex;

use ropey::Rope;
use tower_lsp::jsonrpc::Result;
use tower_lsp::lsp_types::{self as lsp, Url};
use tower_lsp::{Client, LanguageServer, LspService, Server};

struct Bare {
    client: Client,
    documents: Mutex<HashMap<Url, Rope>>,
}

/// Char index of an LSP (UTF-16) position, clamped to its line.
fn char_index(rope: &Rope, position: lsp::Position) -> usize {
    let line = (position.line as usize).min(rope.len_lines().saturating_sub(1));
    let line_start = rope.line_to_char(line);
    let line_end = if line + 1 < rope.len_lines() {
        rope.line_to_char(line + 1)
    } else {
        rope.len_chars()
    };
    let start_cu = rope.char_to_utf16_cu(line_start);
    let end_cu = rope.char_to_utf16_cu(line_end);
    rope.utf16_cu_to_char((start_cu + position.character as usize).min(end_cu))
}

#[tower_lsp::async_trait]
impl LanguageServer for Bare {
    async fn initialize(&self, _: lsp::InitializeParams) -> Result<lsp::InitializeResult> {
        Ok(lsp::InitializeResult {
            capabilities: lsp::ServerCapabilities {
                position_encoding: Some(lsp::PositionEncodingKind::UTF16),
                text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(lsp::TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(lsp::TextDocumentSyncKind::INCREMENTAL),
                    ..Default::default()
                })),
                completion_provider: Some(lsp::CompletionOptions::default()),
                hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
                ..Default::default()
            },
            server_info: Some(lsp::ServerInfo {
                name: "bare_server".to_string(),
                version: None,
            }),
        })
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: lsp::DidOpenTextDocumentParams) {
        let document = params.text_document;
        let rope = Rope::from_str(&document.text);
        self.documents.lock().unwrap().insert(document.uri.clone(), rope);
        self.client
            .publish_diagnostics(document.uri, Vec::new(), Some(document.version))
            .await;
    }

    async fn did_change(&self, params: lsp::DidChangeTextDocumentParams) {
        let uri = params.text_document.uri;
        {
            let mut documents = self.documents.lock().unwrap();
            let Some(rope) = documents.get_mut(&uri) else {
                return;
            };
            for change in params.content_changes {
                match change.range {
                    Some(range) => {
                        let start = char_index(rope, range.start);
                        let end = char_index(rope, range.end).max(start);
                        rope.remove(start..end);
                        rope.insert(start, &change.text);
                    }
                    None => *rope = Rope::from_str(&change.text),
                }
            }
        }
        self.client
            .publish_diagnostics(uri, Vec::new(), Some(params.text_document.version))
            .await;
    }

    async fn did_close(&self, params: lsp::DidCloseTextDocumentParams) {
        let uri = params.text_document.uri;
        self.documents.lock().unwrap().remove(&uri);
        self.client.publish_diagnostics(uri, Vec::new(), None).await;
    }

    async fn hover(&self, _: lsp::HoverParams) -> Result<Option<lsp::Hover>> {
        Ok(None)
    }

    async fn completion(&self, _: lsp::CompletionParams) -> Result<Option<lsp::CompletionResponse>> {
        Ok(None)
    }
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("tokio runtime");
    runtime.block_on(async {
        let stdin = tokio::io::BufReader::with_capacity(1 << 20, tokio::io::stdin());
        let stdout = tokio::io::stdout();
        let (service, socket) = LspService::new(|client| Bare {
            client,
            documents: Mutex::new(HashMap::new()),
        });
        Server::new(stdin, stdout, socket).serve(service).await;
    });
    // A read of stdin may still be blocked in a thread: do not wait for it.
    runtime.shutdown_background();
}

//! Two protocol corners tower-lsp 0.20 gets wrong, mended in front of it:
//!
//! - `shutdown` and `exit` sent with `"params": null` (Emacs' eglot does) are
//!   rejected with "Unexpected params"; the params are dropped here instead.
//! - After `exit` the server keeps reading stdin until the editor closes it
//!   (Neovim and Emacs keep it open), so the process would linger. Here the
//!   process ends on `exit`: code 0 after `shutdown`, 1 without (LSP).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use tower_lsp::jsonrpc::{Request, Response};
use tower_service::Service;

/// Wraps the LSP service.
pub struct ExitOnExit<S> {
    inner: S,
    shut_down: Arc<AtomicBool>,
}

impl<S> ExitOnExit<S> {
    /// Wraps `inner`.
    pub fn new(inner: S) -> Self {
        Self {
            inner,
            shut_down: Arc::new(AtomicBool::new(false)),
        }
    }
}

impl<S> Service<Request> for ExitOnExit<S>
where
    S: Service<Request, Response = Option<Response>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let method = request.method();
        if method == "exit" {
            let code = if self.shut_down.load(Ordering::SeqCst) { 0 } else { 1 };
            tracing::info!(code, "exit");
            std::process::exit(code);
        }
        let request = if method == "shutdown" {
            self.shut_down.store(true, Ordering::SeqCst);
            match request.id() {
                Some(id) if request.params().is_some_and(|p| p.is_null()) => {
                    Request::build("shutdown").id(id.clone()).finish()
                }
                _ => request,
            }
        } else {
            request
        };
        self.inner.call(request)
    }
}

//! Containment of bugs: a panic in one record's analysis or in one request
//! becomes a finding or an error for that record or request, never the end
//! of the session or of a batch run.
//!
//! The panic hook keeps the message and place of a panic raised inside
//! [`contained`] (or a [`Contained`] future) for the catching side to
//! report, and prints nothing for it; a panic anywhere else is reported as
//! Rust always does.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

thread_local! {
    /// How many contained calls this thread is inside.
    static DEPTH: Cell<usize> = const { Cell::new(0) };
    /// What the hook saw of the last contained panic on this thread.
    static LAST: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// A contained panic: its message and where it was raised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Panic {
    /// `message (at src/file.rs:line:column)`.
    pub message: String,
}

impl std::fmt::Display for Panic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Installs the hook that keeps contained panics quiet (once per process).
pub fn install_hook() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if DEPTH.with(Cell::get) == 0 {
                default(info);
                return;
            }
            let message = payload_message(info.payload());
            let place = info
                .location()
                .map(|l| format!(" (at {}:{}:{})", l.file(), l.line(), l.column()))
                .unwrap_or_default();
            LAST.with(|last| *last.borrow_mut() = Some(format!("{message}{place}")));
        }));
    });
}

fn payload_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}

/// Marks the current thread as inside a contained call while it lives.
struct Inside;

impl Inside {
    fn enter() -> Self {
        DEPTH.with(|d| d.set(d.get() + 1));
        Inside
    }
}

impl Drop for Inside {
    fn drop(&mut self) {
        DEPTH.with(|d| d.set(d.get().saturating_sub(1)));
    }
}

fn caught(payload: Box<dyn std::any::Any + Send>) -> Panic {
    let message = LAST
        .with(|last| last.borrow_mut().take())
        .unwrap_or_else(|| payload_message(&*payload));
    Panic { message }
}

/// Runs `f`, turning a panic into `Err`. Whatever `f` was changing may be
/// half changed: the caller must throw it away or rebuild it.
pub fn contained<T>(f: impl FnOnce() -> T) -> Result<T, Panic> {
    let _inside = Inside::enter();
    catch_unwind(AssertUnwindSafe(f)).map_err(caught)
}

/// A future whose every poll is contained: it ends with `Err` instead of
/// unwinding through the executor.
pub struct Contained<F> {
    inner: Pin<Box<F>>,
}

/// Contains `future` (see [`Contained`]).
pub fn contained_future<F: Future>(future: F) -> Contained<F> {
    Contained {
        inner: Box::pin(future),
    }
}

impl<F: Future> Future for Contained<F> {
    type Output = Result<F::Output, Panic>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let inner = self.inner.as_mut();
        match contained(move || inner.poll(cx)) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_error_with_its_place() {
        install_hook();
        let caught = contained(|| -> usize { panic!("slice out of range") }).unwrap_err();
        assert!(
            caught.message.starts_with("slice out of range (at src/contain.rs:"),
            "{caught}"
        );
        assert_eq!(contained(|| 7), Ok(7));
        let future = contained_future(async { panic!("in a request") });
        let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
        let caught = runtime.block_on(future).unwrap_err();
        assert!(caught.message.contains("in a request"), "{caught}");
    }
}

//! The stdio transport, in place of tower-lsp's `Server`.
//!
//! tower-lsp turns every message into a `serde_json::Value` tree on the way
//! in and out. For a 100 MB `didOpen` that is seconds and gigabytes, and for
//! a publish of a thousand diagnostics per keystroke it is most of the
//! keystroke. Here messages are framed by hand; text sync goes straight from
//! the bytes to typed parameters and is applied as it is read (so in order);
//! diagnostics are serialized from typed values once; everything else goes
//! through tower-lsp's `LspService` as before. One writer owns stdout, so
//! messages never interleave.

use futures::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::io::Write;

use tokio::io::{AsyncBufReadExt, AsyncReadExt};
use tokio::sync::mpsc;
use tower_lsp::ClientSocket;
use tower_lsp::jsonrpc::{Request, Response};
use tower_lsp::lsp_types::{self as lsp, notification::Notification};
use tower_service::Service;

use super::TextSync;

/// A serialized message body, ready to frame.
pub(crate) type Outgoing = mpsc::UnboundedSender<Vec<u8>>;

/// Just enough of a message to route it; `params` stays unparsed.
#[derive(Deserialize)]
struct Head<'a> {
    method: Option<String>,
    #[serde(borrow)]
    params: Option<&'a RawValue>,
}

/// `didOpen` parameters with the text left as its JSON token, so that it is
/// unescaped once, in place in the message's own buffer (serde_json would
/// build it in a scratch buffer and then copy it: two more copies of a
/// 100 MB file).
#[derive(Deserialize)]
struct OpenParams<'a> {
    #[serde(rename = "textDocument", borrow)]
    text_document: OpenDocument<'a>,
}

#[derive(Deserialize)]
struct OpenDocument<'a> {
    uri: lsp::Url,
    version: i32,
    #[serde(borrow)]
    text: &'a RawValue,
}

/// An opened document: its URI, version and text in a rope. The message's
/// bytes are freed before it returns, so that a big text is never held
/// twice besides the rope.
pub(crate) struct Opened {
    pub uri: lsp::Url,
    pub version: i32,
    pub rope: ropey::Rope,
}

/// Reads `didOpen` parameters, which lie at `params` in `body`.
fn open_document(mut body: Vec<u8>, params: std::ops::Range<usize>) -> Result<Opened, String> {
    let (uri, version, token) = {
        let json = std::str::from_utf8(&body[params]).map_err(|e| e.to_string())?;
        let open: OpenParams = serde_json::from_str(json).map_err(|e| e.to_string())?;
        let document = open.text_document;
        let token = within(&body, document.text.get()).ok_or("the text is not in the message")?;
        (document.uri, document.version, token)
    };
    let inner = token.start + 1..token.end - 1;
    let text = match body.get(token.start..token.end) {
        Some([b'"', .., b'"']) => unescape_in_place(&mut body[inner.clone()])
            .and_then(|len| std::str::from_utf8(&body[inner.start..inner.start + len]).ok()),
        _ => None,
    }
    .ok_or("the text is not a JSON string")?;
    let rope = ropey::Rope::from_str(text);
    drop(body);
    Ok(Opened { uri, version, rope })
}

/// Where `part` lies in `whole`, if it is a slice of it (absent
/// parameters are read as a `null` that is not).
fn within(whole: &[u8], part: &str) -> Option<std::ops::Range<usize>> {
    let start = (part.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
    (start + part.len() <= whole.len()).then_some(start..start + part.len())
}

/// Unescapes the inside of a JSON string token in place and returns the
/// length of the result, or `None` for a bad escape. Escapes only shrink
/// (`\n` is two bytes for one, `\u00e9` six for two), so the output never
/// overtakes the input; runs without escapes are moved whole.
fn unescape_in_place(bytes: &mut [u8]) -> Option<usize> {
    let (mut read, mut write) = (0, 0);
    while let Some(found) = memchr::memchr(b'\\', &bytes[read..]) {
        let escape = read + found;
        bytes.copy_within(read..escape, write);
        write += escape - read;
        let unit = |from: usize| {
            let digits = std::str::from_utf8(bytes.get(from..from + 4)?).ok()?;
            u16::from_str_radix(digits, 16).ok()
        };
        let (c, used) = match *bytes.get(escape + 1)? {
            b'n' => ('\n', 2),
            b'r' => ('\r', 2),
            b't' => ('\t', 2),
            b'"' => ('"', 2),
            b'\\' => ('\\', 2),
            b'/' => ('/', 2),
            b'b' => ('\u{8}', 2),
            b'f' => ('\u{c}', 2),
            b'u' => {
                let high = unit(escape + 2)?;
                let paired = bytes.get(escape + 6..escape + 8) == Some(b"\\u");
                let low = unit(escape + 8).filter(|low| paired && (0xDC00..0xE000).contains(low));
                match low.filter(|_| (0xD800..0xDC00).contains(&high)) {
                    Some(low) => (
                        char::decode_utf16([high, low])
                            .next()?
                            .unwrap_or(char::REPLACEMENT_CHARACTER),
                        12,
                    ),
                    None => (
                        char::from_u32(u32::from(high)).unwrap_or(char::REPLACEMENT_CHARACTER),
                        6,
                    ),
                }
            }
            _ => return None,
        };
        write += c.encode_utf8(&mut bytes[write..escape + used]).len();
        read = escape + used;
    }
    bytes.copy_within(read.., write);
    Some(write + bytes.len() - read)
}

/// A notification as the server sends it.
#[derive(serde::Serialize)]
struct OutNotification<'a, P> {
    jsonrpc: &'static str,
    method: &'a str,
    params: P,
}

/// Serializes a notification straight from its typed parameters.
pub(crate) fn notification<N: Notification>(params: &N::Params) -> Vec<u8> {
    serde_json::to_vec(&OutNotification {
        jsonrpc: "2.0",
        method: N::METHOD,
        params,
    })
    .expect("LSP types serialize")
}

/// Writes framed messages to `stdout` until every sender is gone. It runs
/// on a thread of its own with plain blocking writes: tokio's `Stdout` hands
/// each write to its blocking pool, a thread switch per buffer, which on a
/// quarter-megabyte publish was a good part of a keystroke's round trip.
pub(crate) fn write_all(stdout: impl std::io::Write, mut queue: mpsc::UnboundedReceiver<Vec<u8>>) {
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, stdout);
    while let Some(body) = queue.blocking_recv() {
        let written = write!(stdout, "Content-Length: {}\r\n\r\n", body.len())
            .and_then(|()| stdout.write_all(&body))
            .and_then(|()| if queue.is_empty() { stdout.flush() } else { Ok(()) });
        if let Err(error) = written {
            tracing::error!(%error, "cannot write to stdout; stopping");
            return;
        }
    }
}

/// Widens the pipes on stdin and stdout to 1 MiB, when they are pipes (as
/// editors start servers). With the default 64 KiB, a publish of a thousand
/// findings crosses in four hand-offs between server and editor, and a
/// 100 MB `didOpen` in sixteen hundred.
pub(crate) fn widen_pipes() {
    #[cfg(target_os = "linux")]
    {
        unsafe extern "C" {
            fn fcntl(fd: i32, command: i32, ...) -> i32;
        }
        const F_SETPIPE_SZ: i32 = 1031;
        for fd in [0, 1] {
            // SAFETY: F_SETPIPE_SZ only resizes the kernel buffer of a pipe;
            // on anything else it fails with EBADF or EINVAL, which is fine.
            let size = unsafe { fcntl(fd, F_SETPIPE_SZ, 1i32 << 20) };
            tracing::debug!(fd, size, "pipe size (negative: not a pipe, or not allowed)");
        }
    }
}

/// Reads one framed message body; `None` at the end of input.
async fn read_message(stdin: &mut (impl AsyncBufReadExt + Unpin)) -> std::io::Result<Option<Vec<u8>>> {
    let mut length = None;
    let mut line = String::new();
    loop {
        line.clear();
        if stdin.read_line(&mut line).await? == 0 {
            return Ok(None);
        }
        let header = line.trim_end();
        if header.is_empty() {
            if length.is_some() {
                break;
            }
            continue; // Blank lines between messages.
        }
        if let Some((name, value)) = header.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length.unwrap_or(0)];
    stdin.read_exact(&mut body).await?;
    Ok(Some(body))
}

/// Serves `service` over `stdin` until the input ends.
pub(crate) async fn serve<S>(
    mut stdin: impl AsyncBufReadExt + Unpin,
    mut service: S,
    socket: ClientSocket,
    text: TextSync,
    out: Outgoing,
) where
    S: Service<Request, Response = Option<Response>> + Send + 'static,
    S::Future: Send + 'static,
    S::Error: std::fmt::Display,
{
    // Server → client requests and notifications (logs, …), and the
    // client's responses to them.
    let (mut requests, mut responses) = socket.split();
    let to_client = out.clone();
    tokio::spawn(async move {
        while let Some(request) = requests.next().await {
            if let Ok(body) = serde_json::to_vec(&request) {
                let _ = to_client.send(body);
            }
        }
    });
    let (response_tx, mut response_rx) = mpsc::unbounded_channel::<Response>();
    tokio::spawn(async move {
        while let Some(response) = response_rx.recv().await {
            if responses.send(response).await.is_err() {
                return;
            }
        }
    });

    loop {
        let body = match read_message(&mut stdin).await {
            Ok(Some(body)) => body,
            Ok(None) => break,
            Err(error) => {
                tracing::error!(%error, "cannot read stdin; stopping");
                break;
            }
        };
        let head: Head = match serde_json::from_slice(&body) {
            Ok(head) => head,
            Err(error) => {
                tracing::error!(%error, "message is not JSON; ignored");
                continue;
            }
        };
        let Head { method, params } = head;
        let params = params.map_or("null", RawValue::get);
        match method.as_deref() {
            None => match serde_json::from_slice::<Response>(&body) {
                Ok(response) => {
                    let _ = response_tx.send(response);
                }
                Err(error) => tracing::error!(%error, "bad response from the client; ignored"),
            },
            Some(method @ "textDocument/didOpen") => {
                if text.ready(method) {
                    let opened = match within(&body, params) {
                        Some(params) => open_document(body, params),
                        None => Err("no parameters".to_string()),
                    };
                    match opened {
                        Ok(opened) => text.open(opened),
                        Err(error) => tracing::error!(%error, method, "bad parameters; ignored"),
                    }
                }
            }
            Some(method @ "textDocument/didChange") => {
                if text.ready(method) {
                    match serde_json::from_str::<lsp::DidChangeTextDocumentParams>(params) {
                        Ok(params) => text.change(params),
                        Err(error) => tracing::error!(%error, method, "bad parameters; ignored"),
                    }
                }
            }
            Some(method @ "textDocument/didClose") => {
                if text.ready(method) {
                    match serde_json::from_str::<lsp::DidCloseTextDocumentParams>(params) {
                        Ok(params) => text.close(params),
                        Err(error) => tracing::error!(%error, method, "bad parameters; ignored"),
                    }
                }
            }
            Some(_) => {
                let request: Request = match serde_json::from_slice(&body) {
                    Ok(request) => request,
                    Err(error) => {
                        tracing::error!(%error, "bad request; ignored");
                        continue;
                    }
                };
                if let Err(error) = futures::future::poll_fn(|cx| service.poll_ready(cx)).await {
                    tracing::error!(%error, "service stopped");
                    break;
                }
                let id = request.id().cloned();
                let method = request.method().to_string();
                // A failing handler answers its request with an error; the
                // session goes on.
                let call = crate::contain::contained_future(service.call(request));
                let out = out.clone();
                tokio::spawn(async move {
                    let response = match call.await {
                        Ok(Ok(response)) => response,
                        Ok(Err(error)) => {
                            tracing::error!(%error, method, "request failed");
                            None
                        }
                        Err(panic) => {
                            tracing::error!(%panic, method, "request failed");
                            id.map(|id| Response::from_error(id, tower_lsp::jsonrpc::Error::internal_error()))
                        }
                    };
                    if let Some(response) = response
                        && let Ok(body) = serde_json::to_vec(&response)
                    {
                        let _ = out.send(body);
                    }
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::unescape_in_place;

    fn unescape(token: &str) -> Option<String> {
        let mut bytes = token.strip_prefix('"')?.strip_suffix('"')?.as_bytes().to_vec();
        let len = unescape_in_place(&mut bytes)?;
        bytes.truncate(len);
        String::from_utf8(bytes).ok()
    }

    #[test]
    fn unescapes_like_serde_json() {
        for text in [
            "",
            "plain",
            "TY  - JOUR\r\nER  - \n",
            "tab\t\"quoted\" back\\slash /",
            "é中😀\u{8}\u{c}\u{1}\u{2028}",
            "\\\\\n\n\"\"",
        ] {
            let token = serde_json::to_string(text).unwrap();
            assert_eq!(unescape(&token).as_deref(), Some(text), "{token}");
        }
        assert_eq!(unescape(r#""\ud83d\ude00 \u00e9 \u4e2d""#).as_deref(), Some("😀 é 中"));
        assert_eq!(unescape(r#""\ud83d""#).as_deref(), Some("\u{fffd}"));
        assert_eq!(unescape(r#""\ud83d\u0041""#).as_deref(), Some("\u{fffd}A"));
        assert_eq!(unescape(r#""bad \q escape""#), None);
        assert_eq!(unescape(r#""cut \u12""#), None);
        assert_eq!(unescape(r#""ends in \""#), None);
    }
}

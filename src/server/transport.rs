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

use bytes::Bytes;
use tokio::io::{AsyncBufReadExt, AsyncReadExt};
use tokio::sync::mpsc;
use tower_lsp::ClientSocket;
use tower_lsp::jsonrpc::{Id, Request, Response};
use tower_lsp::lsp_types::{self as lsp, notification::Notification};
use tower_service::Service;

use super::{TextSync, WholeDocumentJob, navigation};

/// Where serialized messages go to be framed and written.
pub(crate) type Outgoing = mpsc::UnboundedSender<Body>;

/// A serialized message body, ready to frame: one buffer, or slices of
/// several (a big answer made from the last one's bytes, uncopied).
pub(crate) struct Body(Vec<Bytes>);

impl From<Vec<u8>> for Body {
    fn from(bytes: Vec<u8>) -> Self {
        Body(vec![bytes.into()])
    }
}

impl From<Vec<Bytes>> for Body {
    fn from(chunks: Vec<Bytes>) -> Self {
        Body(chunks)
    }
}

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
pub(crate) fn write_all(stdout: impl std::io::Write, mut queue: mpsc::UnboundedReceiver<Body>) {
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, stdout);
    while let Some(Body(chunks)) = queue.blocking_recv() {
        let length: usize = chunks.iter().map(Bytes::len).sum();
        let written = write!(stdout, "Content-Length: {length}\r\n\r\n")
            .and_then(|()| chunks.iter().try_for_each(|chunk| stdout.write_all(chunk)))
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

/// The largest `Content-Length` accepted: 256 MiB. A `didOpen` carries the
/// whole text JSON-escaped, which for RIS (nearly all plain text) is a few
/// per cent more than the file, so this admits files of about 240 MB, more
/// than twice the biggest export benchmarked (100 MB). Past it the message,
/// the rope and the findings would need well over a gigabyte, and a length
/// that large is far likelier a broken or hostile client than a file: the
/// message is refused (logged, its bytes skipped) before anything is
/// allocated for it.
pub(crate) const MAX_CONTENT_LENGTH: u64 = 256 << 20;

/// A header line longer than this is not a header: the stream is out of step.
const MAX_HEADER_LINE: usize = 8 << 10;

/// What is searched for to find the next message after a framing error.
const RESYNC_AT: &[u8] = b"Content-Length:";

/// Why the input cannot be read on: the server stops with a non-zero exit
/// code and says why on stderr.
#[derive(Debug)]
pub(crate) enum Fatal {
    /// Reading stdin failed.
    Read(std::io::Error),
    /// A header line that is not UTF-8 text: not an LSP stream at all.
    NotText(Vec<u8>),
    /// The input ended inside a message (or while looking for the next one).
    Truncated(&'static str),
}

impl std::fmt::Display for Fatal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fatal::Read(error) => write!(f, "cannot read stdin: {error}"),
            Fatal::NotText(line) => write!(
                f,
                "a message header is not UTF-8 text ({}); this is not an LSP stream",
                shown(line)
            ),
            Fatal::Truncated(what) => write!(f, "the input ended {what}"),
        }
    }
}

/// The first bytes of `bytes`, escaped, for a log line.
fn shown(bytes: &[u8]) -> String {
    let cut = bytes.len().min(40);
    let mut text = bytes[..cut].escape_ascii().to_string();
    if cut < bytes.len() {
        text.push('…');
    }
    format!("\"{text}\"")
}

/// Messages framed by `Content-Length` headers. A framing error (a length
/// that is not a number or beyond [`MAX_CONTENT_LENGTH`], a header block
/// without one, a header line that is not `Name: value`, a body that is not
/// JSON) is logged and the reader skips ahead to the next `Content-Length:`,
/// wherever it lies, so later messages are read again; a too-long length
/// that swallowed the next header is caught by searching the bad body too.
/// Only a read error, a header that is not text, or input ending inside a
/// message stop it.
pub(crate) struct Frames<R> {
    input: R,
    /// Bytes to read again before `input` (the rest of a bad body).
    again: Vec<u8>,
    /// How much of `again` has been read.
    again_at: usize,
    /// Whether the last message was out of step: skip to the next header.
    lost: bool,
}

impl<R: AsyncBufReadExt + Unpin> Frames<R> {
    pub(crate) fn new(input: R) -> Self {
        Self {
            input,
            again: Vec::new(),
            again_at: 0,
            lost: false,
        }
    }

    /// The next bytes to read (empty at the end of input).
    async fn fill(&mut self) -> Result<&[u8], Fatal> {
        if self.again_at < self.again.len() {
            return Ok(&self.again[self.again_at..]);
        }
        self.input.fill_buf().await.map_err(Fatal::Read)
    }

    fn consume(&mut self, n: usize) {
        if self.again_at < self.again.len() {
            self.again_at += n;
            if self.again_at == self.again.len() {
                self.again.clear();
                self.again_at = 0;
            }
        } else {
            self.input.consume(n);
        }
    }

    /// Puts `bytes` back in front of what is left to read.
    fn unread(&mut self, bytes: &[u8]) {
        let mut again = bytes.to_vec();
        again.extend_from_slice(&self.again[self.again_at..]);
        self.again = again;
        self.again_at = 0;
    }

    /// Reads up to and including a line feed, at most `limit` bytes into
    /// `line`; returns whether a whole line was read (false: the limit or
    /// the end of input came first).
    async fn line(&mut self, line: &mut Vec<u8>, limit: usize) -> Result<bool, Fatal> {
        line.clear();
        loop {
            let chunk = self.fill().await?;
            if chunk.is_empty() {
                return Ok(false);
            }
            let room = limit - line.len();
            let (take, done) = match memchr::memchr(b'\n', &chunk[..chunk.len().min(room)]) {
                Some(at) => (at + 1, true),
                None => (chunk.len().min(room), false),
            };
            line.extend_from_slice(&chunk[..take]);
            self.consume(take);
            if done {
                return Ok(true);
            }
            if line.len() == limit {
                return Ok(false);
            }
        }
    }

    /// Skips to the next `Content-Length:` and leaves it to be read;
    /// `false` at the end of input.
    async fn resync(&mut self) -> Result<bool, Fatal> {
        let mut window: Vec<u8> = Vec::new();
        loop {
            let chunk = self.fill().await?;
            if chunk.is_empty() {
                return Ok(false);
            }
            let n = chunk.len();
            window.extend_from_slice(chunk);
            self.consume(n);
            if let Some(at) = memchr::memmem::find(&window, RESYNC_AT) {
                let rest = window.split_off(at);
                self.unread(&rest);
                return Ok(true);
            }
            let keep = window.len().saturating_sub(RESYNC_AT.len() - 1);
            window.drain(..keep);
        }
    }

    /// Marks the stream out of step after `skipped` (bytes already read that
    /// may hold the next header); the next read skips to a header. The first
    /// byte is dropped so that the same place is never found twice.
    pub(crate) fn lost_step(&mut self, skipped: &[u8]) {
        if let Some((_, rest)) = skipped.split_first() {
            self.unread(rest);
        }
        self.lost = true;
    }

    /// Reads the next message body: `Ok(None)` at the end of input between
    /// messages.
    pub(crate) async fn next(&mut self) -> Result<Option<Vec<u8>>, Fatal> {
        loop {
            if self.lost {
                self.lost = false;
                if !self.resync().await? {
                    return Err(Fatal::Truncated(
                        "while looking for the next message after a framing error",
                    ));
                }
            }
            let length = match self.headers().await? {
                Headers::End => return Ok(None),
                Headers::Length(length) => length,
                Headers::Lost => continue,
            };
            let length = usize::try_from(length).expect("at most MAX_CONTENT_LENGTH");
            let mut body = vec![0; length];
            let have = (self.again.len() - self.again_at).min(length);
            body[..have].copy_from_slice(&self.again[self.again_at..self.again_at + have]);
            self.consume(have);
            // The rest straight from the input: a big body bypasses the
            // input's buffer rather than being copied through it.
            if let Err(error) = self.input.read_exact(&mut body[have..]).await {
                return Err(match error.kind() {
                    std::io::ErrorKind::UnexpectedEof => Fatal::Truncated("inside a message body"),
                    _ => Fatal::Read(error),
                });
            }
            return Ok(Some(body));
        }
    }

    /// Reads a header block.
    async fn headers(&mut self) -> Result<Headers, Fatal> {
        let mut length: Option<u64> = None;
        let mut started = false;
        let mut line = Vec::new();
        loop {
            let whole = self.line(&mut line, MAX_HEADER_LINE).await?;
            if !whole {
                if line.is_empty() && !started {
                    return Ok(Headers::End);
                }
                if line.len() < MAX_HEADER_LINE {
                    return Err(Fatal::Truncated("inside a message header"));
                }
                tracing::error!(line = %shown(&line), "a header line longer than {MAX_HEADER_LINE} bytes; skipping to the next message");
                self.lost_step(&line);
                return Ok(Headers::Lost);
            }
            let Ok(text) = std::str::from_utf8(&line) else {
                return Err(Fatal::NotText(line));
            };
            let header = text.trim_end_matches(['\r', '\n']);
            if header.trim().is_empty() {
                if !started {
                    continue; // Blank lines between messages.
                }
                return Ok(match length {
                    Some(length) => Headers::Length(length),
                    None => {
                        tracing::error!("a message without Content-Length; skipping to the next message");
                        self.lost_step(&[]);
                        Headers::Lost
                    }
                });
            }
            started = true;
            let Some((name, value)) = header.split_once(':') else {
                tracing::error!(line = %shown(header.as_bytes()), "not a header; skipping to the next message");
                self.lost_step(&[]);
                return Ok(Headers::Lost);
            };
            if name.trim().eq_ignore_ascii_case("content-length") {
                let value = value.trim();
                match value.parse::<u64>() {
                    Ok(n) if n <= MAX_CONTENT_LENGTH => length = Some(n),
                    Ok(n) => {
                        tracing::error!(
                            length = n,
                            limit = MAX_CONTENT_LENGTH,
                            "Content-Length beyond the limit: message refused; skipping to the next message"
                        );
                        self.lost_step(&[]);
                        return Ok(Headers::Lost);
                    }
                    Err(_) => {
                        tracing::error!(value = %shown(value.as_bytes()), "Content-Length is not a length; skipping to the next message");
                        self.lost_step(&[]);
                        return Ok(Headers::Lost);
                    }
                }
            }
        }
    }
}

/// What a header block said.
enum Headers {
    /// The input ended before a new message.
    End,
    /// The body's length.
    Length(u64),
    /// Out of step: skip to the next message.
    Lost,
}

/// Answers a whole-document request on the blocking pool: a failure is an
/// error response, as for any request.
fn answer_whole_document(body: &[u8], method: &str, job: Result<WholeDocumentJob, String>, out: &Outgoing) {
    #[derive(Deserialize)]
    struct WithId {
        id: Id,
    }
    let Ok(WithId { id }) = serde_json::from_slice(body) else {
        tracing::error!(method, "a request without an id; ignored");
        return;
    };
    let job = match job {
        Ok(job) => job,
        Err(error) => {
            tracing::error!(%error, method, "bad parameters");
            let response = Response::from_error(id, tower_lsp::jsonrpc::Error::invalid_params(error));
            let _ = out.send(serde_json::to_vec(&response).expect("a response serializes").into());
            return;
        }
    };
    let (out, method) = (out.clone(), method.to_string());
    tokio::task::spawn_blocking(move || {
        // The result is made between the message's opening and closing, as
        // slices of the last answer's buffers around what is new: no copy
        // of a 30 MB outline.
        let opening = br#"{"jsonrpc":"2.0","result":"#.to_vec();
        let mut closing = br#","id":"#.to_vec();
        serde_json::to_writer(&mut closing, &id).expect("an id serializes");
        closing.push(b'}');
        let body = match crate::contain::contained(|| job(opening, &closing)) {
            Ok(body) => body,
            Err(panic) => {
                tracing::error!(%panic, method, "request failed");
                let response = Response::from_error(id, tower_lsp::jsonrpc::Error::internal_error());
                vec![serde_json::to_vec(&response).expect("a response serializes").into()]
            }
        };
        let big = body.iter().map(Bytes::len).sum::<usize>() > 1 << 20;
        let _ = out.send(body.into());
        // The answer was built on a pool thread, in that thread's heap,
        // which glibc keeps after it is freed unless asked.
        if big {
            super::release_free_memory();
        }
    });
}

/// Serves `service` over `stdin` until the input ends between messages
/// (`Ok`) or cannot be read on (`Err`: the caller exits non-zero).
pub(crate) async fn serve<S>(
    stdin: impl AsyncBufReadExt + Unpin,
    mut service: S,
    socket: ClientSocket,
    text: TextSync,
    out: Outgoing,
) -> Result<(), Fatal>
where
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
                let _ = to_client.send(body.into());
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

    let mut frames = Frames::new(stdin);
    loop {
        let Some(body) = frames.next().await? else {
            return Ok(());
        };
        let head: Head = match serde_json::from_slice(&body) {
            Ok(head) => head,
            Err(error) if error.is_data() => {
                tracing::error!(%error, "message is not a JSON-RPC message; ignored");
                continue;
            }
            Err(error) => {
                // Not JSON: the length was wrong, or the sender is out of
                // step. The next header may lie inside this body.
                tracing::error!(%error, "message is not JSON; skipping to the next message");
                frames.lost_step(&body);
                continue;
            }
        };
        let Head { method, params } = head;
        let params = params.map_or("null", RawValue::get);
        if let Some(method) = method.as_deref().filter(|m| navigation::WHOLE_DOCUMENT.contains(m))
            && let Some(job) = text.whole_document(method, params)
        {
            answer_whole_document(&body, method, job, &out);
            continue;
        }
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
                    return Ok(());
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
                        let _ = out.send(body.into());
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

//! A minimal LSP client over the real binary's stdio, as an editor would speak.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// `shutdown` and `exit` take no params: leave the member out, as clients do.
fn params_absent(message: &Value) -> bool {
    message["params"].is_null()
}

/// The server process and the messages it sends.
pub struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    next_id: i64,
    /// Notifications received while waiting for something else.
    pub notifications: Vec<Value>,
}

impl Client {
    /// Starts `ris-lsp` and reads its output on a thread.
    pub fn start() -> Self {
        Self::start_with(&[], Stdio::null())
    }

    /// Starts `ris-lsp` with command-line `args`, its log going to `stderr`.
    pub fn start_with(args: &[&str], stderr: Stdio) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ris-lsp"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("start ris-lsp");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut header = String::new();
                    if reader.read_line(&mut header).unwrap_or(0) == 0 {
                        return;
                    }
                    let header = header.trim_end();
                    if header.is_empty() {
                        break;
                    }
                    if let Some(value) = header.strip_prefix("Content-Length: ") {
                        length = value.parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; length.expect("Content-Length")];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                if tx
                    .send(serde_json::from_slice(&body).expect("JSON from server"))
                    .is_err()
                {
                    return;
                }
            }
        });
        Self {
            child,
            stdin,
            incoming,
            next_id: 0,
            notifications: Vec::new(),
        }
    }

    /// Starts and initializes, offering UTF-8 positions or not.
    pub fn initialized(utf8: bool) -> (Self, Value) {
        let mut client = Self::start();
        let result = client.initialize(utf8);
        (client, result)
    }

    /// Says `initialize` and `initialized`; returns the initialize result.
    pub fn initialize(&mut self, utf8: bool) -> Value {
        let client = self;
        let encodings = if utf8 {
            json!(["utf-8", "utf-16"])
        } else {
            json!(["utf-16"])
        };
        let result = client.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": null,
                "capabilities": {
                    "general": { "positionEncodings": encodings },
                    "textDocument": {
                        "hover": { "contentFormat": ["markdown", "plaintext"] },
                        "completion": { "completionItem": { "snippetSupport": true } }
                    }
                }
            }),
        );
        client.notify("initialized", json!({}));
        result
    }

    /// Sends a raw message.
    pub fn send(&mut self, message: &Value) {
        let body = serde_json::to_vec(message).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        self.stdin.write_all(&body).unwrap();
        self.stdin.flush().unwrap();
    }

    /// Sends bytes as they are, framed or not.
    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).unwrap();
        self.stdin.flush().unwrap();
    }

    /// Sends a notification.
    pub fn notify(&mut self, method: &str, params: Value) {
        let mut message = json!({ "jsonrpc": "2.0", "method": method, "params": params });
        if params_absent(&message) {
            message.as_object_mut().unwrap().remove("params");
        }
        self.send(&message);
    }

    /// Sends a request and waits for its response; returns the whole response.
    pub fn request_raw(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
        if params_absent(&message) {
            message.as_object_mut().unwrap().remove("params");
        }
        self.send(&message);
        loop {
            let message = self.recv(Duration::from_secs(30)).expect("response in time");
            if message.get("id") == Some(&json!(id)) && message.get("method").is_none() {
                return message;
            }
            self.notifications.push(message);
        }
    }

    /// Waits for the response to request `id`, sent by hand.
    pub fn response(&mut self, id: i64) -> Value {
        let is_it = |m: &Value| m.get("id") == Some(&json!(id)) && m.get("method").is_none();
        if let Some(i) = self.notifications.iter().position(is_it) {
            return self.notifications.remove(i);
        }
        loop {
            let message = self.recv(Duration::from_secs(30)).expect("response in time");
            if is_it(&message) {
                return message;
            }
            self.notifications.push(message);
        }
    }

    /// Sends a request and returns its result (panics on an error response).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.request_raw(method, params);
        assert!(response.get("error").is_none(), "error response: {response}");
        response["result"].clone()
    }

    fn recv(&mut self, timeout: Duration) -> Option<Value> {
        self.incoming.recv_timeout(timeout).ok()
    }

    /// Waits for diagnostics of `uri` at `version` (any version if `None`).
    pub fn diagnostics(&mut self, uri: &str, version: Option<i64>) -> Value {
        let deadline = Instant::now() + Duration::from_secs(30);
        let matches = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && version.is_none_or(|v| m["params"]["version"] == json!(v))
        };
        if let Some(i) = self.notifications.iter().rposition(&matches) {
            let found = self.notifications.remove(i);
            self.notifications
                .retain(|m| !(m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri));
            return found["params"].clone();
        }
        while Instant::now() < deadline {
            let Some(message) = self.recv(deadline - Instant::now()) else {
                break;
            };
            if matches(&message) {
                return message["params"].clone();
            }
            self.notifications.push(message);
        }
        panic!(
            "no diagnostics for {uri} version {version:?}; got {:?}",
            self.notifications
        );
    }

    /// The newest diagnostics of `uri` received so far or within `wait`,
    /// if any (later ones for it are dropped from `notifications`).
    pub fn diagnostics_within(&mut self, uri: &str, wait: Duration) -> Option<Value> {
        let deadline = Instant::now() + wait;
        while let Some(message) = self.recv(deadline.saturating_duration_since(Instant::now())) {
            self.notifications.push(message);
        }
        let is_it = |m: &Value| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri;
        let newest = self.notifications.iter().rposition(is_it)?;
        let found = self.notifications.remove(newest)["params"].clone();
        self.notifications.retain(|m| !is_it(m));
        Some(found)
    }

    /// Opens a document.
    pub fn open(&mut self, uri: &str, text: &str, version: i64) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "ris", "version": version, "text": text } }),
        );
    }

    /// Sends one incremental change.
    pub fn change(&mut self, uri: &str, version: i64, range: [u32; 4], text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": uri, "version": version },
                "contentChanges": [{ "range": {
                    "start": { "line": range[0], "character": range[1] },
                    "end": { "line": range[2], "character": range[3] } }, "text": text }]
            }),
        );
    }

    /// Replaces a document's whole text (a full-content change).
    pub fn replace_all(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
        );
    }

    /// Shuts down and exits; returns the exit status code.
    pub fn shutdown(mut self) -> Option<i32> {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        None
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// Byte offset of an LSP position (UTF-16 columns) in `text`.
pub fn offset_utf16(text: &str, line: u64, character: u64) -> usize {
    let mut at = 0;
    for _ in 0..line {
        match text[at..].find(['\n', '\r']) {
            Some(i) => {
                at += i + if text[at + i..].starts_with("\r\n") { 2 } else { 1 };
            }
            None => return text.len(),
        }
    }
    let mut units = 0;
    for (i, c) in text[at..].char_indices() {
        if units >= character as usize || c == '\n' || c == '\r' {
            return at + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// `text` with LSP `TextEdit`s (UTF-16 positions) applied, as an editor would.
pub fn apply_text_edits(text: &str, edits: &[Value]) -> String {
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            let p = |v: &Value| offset_utf16(text, v["line"].as_u64().unwrap(), v["character"].as_u64().unwrap());
            (
                p(&e["range"]["start"]),
                p(&e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse((s.0, s.1)));
    let mut out = text.to_string();
    for (start, end, new) in spans {
        out.replace_range(start..end, &new);
    }
    out
}

//! End-to-end benchmark of language servers over stdio, as an editor sees them.
//!
//! ```sh
//! cargo build --release --examples --bins
//! target/release/examples/lsp_bench                       # ris-lsp and bare_server, 1k/10k/100k
//! target/release/examples/lsp_bench --sizes 1000,10000 --defects 0.01
//! target/release/examples/lsp_bench path/to/some-server   # any LSP server on stdio
//! ```
//!
//! For each server and each size it starts a fresh server process, speaks
//! JSON-RPC over its stdio (Content-Length framing, read on a thread that
//! timestamps each message as it arrives), initializes with UTF-16 positions,
//! and measures on a text from `benches/common/generate.rs`:
//!
//! - open: `didOpen` sent → `publishDiagnostics` for that version received;
//! - keystrokes: K characters typed one at a time at the end of the title of
//!   the record nearest the middle, then of the last record: each `didChange`
//!   (version v) → `publishDiagnostics` with version ≥ v (servers may coalesce
//!   and publish only the newest), median and p95;
//! - completion at the start of a keyword line and hover on an author tag,
//!   both in the middle record: request → response, median;
//! - the other requests an editor sends, request → response (serializing
//!   included), median: inlay hints for a screenful (60 lines) and code
//!   actions at a cursor in the middle record, then document symbols,
//!   folding ranges, document links and formatting of the whole document
//!   (`--whole` times each); document symbols again right after a keystroke;
//!   and a keystroke's diagnostics while a document-symbols request runs;
//! - with `--long-record N`, one more record of N `M1` lines at the end of
//!   the text, and keystrokes typed into its title;
//! - close: `didClose` → the answer to the next request (a workspace-symbols
//!   query), the time the server is held by a close;
//! - memory: peak RSS (`VmHWM`) and RSS (`VmRSS`) with the file open, RSS
//!   once it has settled after closing it (the memory is freed away from
//!   the messages), and RSS after `--cycles` more open/close cycles (whose
//!   open times give a second, warm, open median).
//!
//! With `--workspace N`, it measures the workspace's duplicate index
//! instead: N generated records over `--files` files (10) in a temporary
//! folder, a fraction `--copies` (0.01) of them copied into another file
//! (half with their DOI, half without DOI and link, title in capitals),
//! the server started on that folder; it opens the first file at once and
//! reports: open → its first diagnostics while the folder is read;
//! `initialized` → the first diagnostics of a file nobody opened (the
//! index is in place); keystrokes in the open file with the index on; a
//! copy of another file's record pasted at the end → a duplicate finding
//! on it (`--pastes` times, each removed again after).
//!
//! Without server arguments it runs `ris-lsp` and `bare_server` found beside
//! this executable (`<target>/release/ris-lsp`, `<target>/release/examples/bare_server`),
//! and prints one table per server, then ratios: keystroke median at the
//! largest size over the smallest, and open time of the first server over the
//! second.

#[path = "../benches/common/generate.rs"]
mod generate;

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitCode, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const URI: &str = "file:///bench/generated.ris";

struct Args {
    servers: Vec<PathBuf>,
    sizes: Vec<usize>,
    defects: f64,
    seed: u64,
    crlf: bool,
    /// Every record also carries Web of Science's own `J9` tag: one pattern
    /// across the file, as real exports have.
    wos_tags: bool,
    /// Every tag line written as the Cochrane Library writes it, `TY  -  JOUR`:
    /// one layout hint on every line (2.3 million at 100,000 records), shown once.
    cochrane: bool,
    keys: usize,
    requests: usize,
    cycles: usize,
    whole: usize,
    long_record: usize,
    timeout: Duration,
    workspace: usize,
    files: usize,
    copies: f64,
    pastes: usize,
}

const USAGE: &str =
    "usage: lsp_bench [SERVER…] [--sizes 1000,10000,100000] [--defects RATE] [--seed N] [--crlf] [--wos-tags] [--cochrane]
                 [--keys 50] [--requests 50] [--cycles 20] [--whole 5] [--long-record LINES] [--timeout-secs 300]
                 [--workspace RECORDS [--files 10] [--copies 0.01] [--pastes 10]]";

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        servers: Vec::new(),
        sizes: vec![1_000, 10_000, 100_000],
        defects: 0.0,
        seed: 1,
        crlf: false,
        wos_tags: false,
        cochrane: false,
        keys: 50,
        requests: 50,
        cycles: 20,
        whole: 5,
        long_record: 0,
        timeout: Duration::from_secs(300),
        workspace: 0,
        files: 10,
        copies: 0.01,
        pastes: 10,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        fn num<T: std::str::FromStr>(name: &str, text: &str) -> Result<T, String> {
            text.parse().map_err(|_| format!("{name}: cannot read {text:?}"))
        }
        match arg.as_str() {
            "--sizes" => {
                args.sizes = value("--sizes")?
                    .split(',')
                    .map(|s| num("--sizes", s.trim()))
                    .collect::<Result<_, _>>()?;
            }
            "--defects" => args.defects = num("--defects", &value("--defects")?)?,
            "--seed" => args.seed = num("--seed", &value("--seed")?)?,
            "--crlf" => args.crlf = true,
            "--wos-tags" => args.wos_tags = true,
            "--cochrane" => args.cochrane = true,
            "--keys" => args.keys = num("--keys", &value("--keys")?)?,
            "--requests" => args.requests = num("--requests", &value("--requests")?)?,
            "--cycles" => args.cycles = num("--cycles", &value("--cycles")?)?,
            "--whole" => args.whole = num("--whole", &value("--whole")?)?,
            "--long-record" => args.long_record = num("--long-record", &value("--long-record")?)?,
            "--timeout-secs" => args.timeout = Duration::from_secs(num("--timeout-secs", &value("--timeout-secs")?)?),
            "--workspace" => args.workspace = num("--workspace", &value("--workspace")?)?,
            "--files" => args.files = num("--files", &value("--files")?)?,
            "--copies" => args.copies = num("--copies", &value("--copies")?)?,
            "--pastes" => args.pastes = num("--pastes", &value("--pastes")?)?,
            "-h" | "--help" => return Err(String::new()),
            _ if arg.starts_with('-') => return Err(format!("unknown option {arg}")),
            _ => args.servers.push(PathBuf::from(arg)),
        }
    }
    if args.sizes.is_empty() || args.keys == 0 || args.requests == 0 {
        return Err("--sizes, --keys and --requests need at least one".to_string());
    }
    if args.servers.is_empty() {
        args.servers = default_servers();
        if args.workspace > 0 {
            args.servers.truncate(1);
        }
    }
    if args.workspace > 0 && args.files < 2 {
        return Err("--files needs at least 2".to_string());
    }
    Ok(args)
}

/// `ris-lsp` and `bare_server` from the target directory this runs from.
fn default_servers() -> Vec<PathBuf> {
    let examples = std::env::current_exe()
        .ok()
        .and_then(|exe| exe.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("target/release/examples"));
    let ris_lsp = examples
        .parent()
        .map_or_else(|| PathBuf::from("target/release"), Path::to_path_buf);
    vec![ris_lsp.join("ris-lsp"), examples.join("bare_server")]
}

/// A message from the server, when it was read, and its size in bytes.
type Incoming = (Instant, Value, usize);

/// A server process and its messages.
struct Connection {
    child: Child,
    stdin: Option<BufWriter<ChildStdin>>,
    incoming: Receiver<Incoming>,
    /// Messages read while waiting for something else.
    backlog: VecDeque<Incoming>,
    next_id: i64,
    timeout: Duration,
}

impl Connection {
    fn start(path: &Path, timeout: Duration) -> Result<Self, String> {
        let mut child = Command::new(path)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .env("RUST_LOG", "warn")
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", path.display()))?;
        let stdin = BufWriter::with_capacity(1 << 16, child.stdin.take().expect("piped stdin"));
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::with_capacity(1 << 20, stdout);
            let mut header = String::new();
            loop {
                let mut length = None;
                loop {
                    header.clear();
                    match reader.read_line(&mut header) {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    let line = header.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some((name, value)) = line.split_once(':')
                        && name.eq_ignore_ascii_case("content-length")
                    {
                        length = value.trim().parse::<usize>().ok();
                    }
                }
                let Some(length) = length else { return };
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let at = Instant::now();
                let Ok(message) = serde_json::from_slice::<Value>(&body) else {
                    return;
                };
                if tx.send((at, message, length)).is_err() {
                    return;
                }
            }
        });
        Ok(Self {
            child,
            stdin: Some(stdin),
            incoming,
            backlog: VecDeque::new(),
            next_id: 0,
            timeout,
        })
    }

    fn send_body(&mut self, body: &[u8]) -> Result<(), String> {
        let stdin = self.stdin.as_mut().ok_or("stdin closed")?;
        write!(stdin, "Content-Length: {}\r\n\r\n", body.len())
            .and_then(|()| stdin.write_all(body))
            .and_then(|()| stdin.flush())
            .map_err(|e| format!("write to server: {e}"))
    }

    fn send(&mut self, message: &Value) -> Result<(), String> {
        self.send_body(&serde_json::to_vec(message).expect("JSON"))
    }

    fn notify(&mut self, method: &str, params: Value) -> Result<(), String> {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }))
    }

    /// Sends a request; returns its id.
    fn request(&mut self, method: &str, params: Value) -> Result<i64, String> {
        self.next_id += 1;
        let id = self.next_id;
        let mut message = json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params });
        if message["params"].is_null() {
            message.as_object_mut().expect("object").remove("params");
        }
        self.send(&message)?;
        Ok(id)
    }

    /// The next message that `matches`, keeping the others for later.
    fn wait(&mut self, what: &str, matches: impl Fn(&Value) -> bool) -> Result<Incoming, String> {
        if let Some(i) = self.backlog.iter().position(|(_, m, _)| matches(m)) {
            return Ok(self.backlog.remove(i).expect("index just found"));
        }
        let deadline = Instant::now() + self.timeout;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok((at, message, length)) => {
                    if matches(&message) {
                        return Ok((at, message, length));
                    }
                    // Answer requests from the server (registrations, …) with null.
                    if message.get("method").is_some()
                        && let Some(id) = message.get("id")
                    {
                        let id = id.clone();
                        self.send(&json!({ "jsonrpc": "2.0", "id": id, "result": null }))?;
                    } else if message
                        .get("method")
                        .is_some_and(|m| m != "textDocument/publishDiagnostics")
                    {
                        // Log messages and the like: not kept.
                    } else {
                        self.backlog.push_back((at, message, length));
                        if self.backlog.len() > 10_000 {
                            self.backlog.pop_front();
                        }
                    }
                }
                Err(RecvTimeoutError::Timeout) => return Err(format!("timed out waiting for {what}")),
                Err(RecvTimeoutError::Disconnected) => return Err(format!("server exited while waiting for {what}")),
            }
        }
    }

    fn response(&mut self, id: i64) -> Result<Incoming, String> {
        let (at, message, length) = self.wait("a response", |m| {
            m.get("id") == Some(&json!(id)) && m.get("method").is_none()
        })?;
        if let Some(error) = message.get("error") {
            return Err(format!("error response: {error}"));
        }
        Ok((at, message, length))
    }

    /// Diagnostics for [`URI`] with version ≥ `version`, or with no version
    /// (after a close) when `version` is `None`.
    fn diagnostics(&mut self, version: Option<i64>) -> Result<Incoming, String> {
        self.diagnostics_of(URI, version)
    }

    /// Diagnostics for `uri`, as [`Connection::diagnostics`].
    fn diagnostics_of(&mut self, uri: &str, version: Option<i64>) -> Result<Incoming, String> {
        // Older publications of the same document are stale: drop them.
        let matches = |m: &Value| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && match version {
                    Some(v) => m["params"]["version"].as_i64().is_some_and(|got| got >= v),
                    None => m["params"]["version"].is_null(),
                }
        };
        let found = self.wait("diagnostics", matches)?;
        self.backlog
            .retain(|(_, m, _)| !(m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri));
        Ok(found)
    }

    fn initialize(&mut self) -> Result<(), String> {
        self.initialize_in(None)
    }

    /// Initializes with `root` as the workspace folder, if given.
    fn initialize_in(&mut self, root: Option<&str>) -> Result<(), String> {
        let id = self.request(
            "initialize",
            json!({
                "processId": std::process::id(),
                "rootUri": root,
                "capabilities": {
                    "general": { "positionEncodings": ["utf-16"] },
                    "textDocument": {
                        "synchronization": { "didSave": false },
                        "publishDiagnostics": { "relatedInformation": true, "versionSupport": true },
                        "hover": { "contentFormat": ["markdown", "plaintext"] },
                        "completion": { "completionItem": { "snippetSupport": true } }
                    }
                }
            }),
        )?;
        self.response(id)?;
        self.notify("initialized", json!({}))
    }

    /// `(VmHWM, VmRSS)` in bytes.
    fn memory(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                .map_or(0, |kb| kb * 1024)
        };
        (field("VmHWM:"), field("VmRSS:"))
    }

    fn stop(mut self) {
        if let Ok(id) = self.request("shutdown", Value::Null) {
            let _ = self.response(id);
        }
        let _ = self.notify("exit", Value::Null);
        self.stdin = None;
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// A generated text and the places the benchmark works at.
struct Input {
    records: usize,
    text: String,
    /// The text as a JSON string literal, quotes included (built once).
    json_text: String,
    middle: Spots,
    last: Spots,
    /// The title's end in the long record (`--long-record`), if there is one.
    long_title_end: Option<(u32, u32)>,
}

/// Positions (line, UTF-16 character) in one record.
struct Spots {
    /// End of the title line's content: where typing happens.
    title_end: (u32, u32),
    /// Start of the first keyword line: completion.
    keyword_start: (u32, u32),
    /// On the first author tag: hover.
    author_tag: (u32, u32),
}

impl Input {
    fn new(records: usize, args: &Args) -> Self {
        let options = generate::Options {
            records,
            defects: args.defects,
            seed: args.seed,
            crlf: args.crlf,
        };
        let mut text = generate::generate(&options);
        let eol = if args.crlf { "\r\n" } else { "\n" };
        if args.wos_tags {
            text = text.replace(&format!("{eol}ER  - "), &format!("{eol}J9  - SOURCE ABBREV{eol}ER  - "));
        }
        if args.cochrane {
            // The generator writes `  - ` only as a separator.
            text = text.replace("  - ", "  -  ");
        }
        let middle_start = text[text.len() / 2..]
            .find("\nTY  - ")
            .map_or(0, |i| text.len() / 2 + i + 1);
        let last_start = text.rfind("\nTY  - ").map_or(0, |i| i + 1);
        let middle = Spots::find(&text, middle_start);
        let last = Spots::find(&text, last_start);
        let long_title_end = (args.long_record > 0).then(|| {
            let line = text.bytes().filter(|&b| b == b'\n').count() as u32 + 1;
            text.push_str(&format!("TY  - JOUR{eol}TI  - A record of many lines{eol}"));
            for i in 0..args.long_record {
                text.push_str(&format!("M1  - Cited reference {i}, 2001, J Something 12:34{eol}"));
            }
            text.push_str(&format!("ER  - {eol}"));
            (line, "TI  - A record of many lines".len() as u32)
        });
        let json_text = serde_json::to_string(&text).expect("JSON string");
        Self {
            records,
            text,
            json_text,
            middle,
            last,
            long_title_end,
        }
    }
}

impl Spots {
    fn find(text: &str, record: usize) -> Self {
        let line_of = |tag: &str| {
            let at = text[record..]
                .find(&format!("\n{tag}  - "))
                .map(|i| record + i + 1)
                .unwrap_or_else(|| panic!("no {tag} line in the record at byte {record}"));
            let line = text.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() as u32;
            (at, line)
        };
        let (title, title_line) = line_of("TI");
        let content = &text[title..title + text[title..].find(['\r', '\n']).unwrap_or(text.len() - title)];
        let (_, keyword_line) = line_of("KW");
        let (_, author_line) = line_of("AU");
        Self {
            title_end: (title_line, content.encode_utf16().count() as u32),
            keyword_start: (keyword_line, 0),
            author_tag: (author_line, 1),
        }
    }
}

fn position((line, character): (u32, u32)) -> Value {
    json!({ "line": line, "character": character })
}

/// Results for one server at one size.
#[derive(Default)]
struct Row {
    records: usize,
    bytes: usize,
    open: Duration,
    diagnostics: usize,
    /// Size of the open's `publishDiagnostics` message.
    diagnostics_bytes: usize,
    keys_middle: Vec<Duration>,
    keys_last: Vec<Duration>,
    completion: Vec<Duration>,
    hover: Vec<Duration>,
    completion_items: usize,
    hover_found: bool,
    peak: u64,
    rss_open: u64,
    rss_closed: u64,
    close: Option<Duration>,
    cycle_opens: Vec<Duration>,
    rss_cycles: u64,
    peak_cycles: u64,
    inlay: Vec<Duration>,
    action: Vec<Duration>,
    symbols: Vec<Duration>,
    folding: Vec<Duration>,
    links: Vec<Duration>,
    formatting: Vec<Duration>,
    symbols_after_key: Vec<Duration>,
    key_during_symbols: Vec<Duration>,
    keys_long: Vec<Duration>,
    /// Items in the last answers: symbols, folds, links, formatting edits.
    counts: [usize; 4],
}

fn open_body(input: &Input, version: i64) -> Vec<u8> {
    let mut body = Vec::with_capacity(input.json_text.len() + 200);
    body.extend_from_slice(
        format!(
            r#"{{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{{"textDocument":{{"uri":"{URI}","languageId":"ris","version":{version},"text":"#
        )
        .as_bytes(),
    );
    body.extend_from_slice(input.json_text.as_bytes());
    body.extend_from_slice(b"}}}");
    body
}

/// Opens the input at `version`; returns the time to its diagnostics, their
/// count and the size of their message.
fn open(server: &mut Connection, input: &Input, version: i64) -> Result<(Duration, usize, usize), String> {
    let body = open_body(input, version);
    let sent = Instant::now();
    server.send_body(&body)?;
    drop(body);
    let (at, message, length) = server.diagnostics(Some(version))?;
    let count = message["params"]["diagnostics"].as_array().map_or(0, Vec::len);
    Ok((at - sent, count, length))
}

/// Closes the document; returns how long the next request waited.
fn close(server: &mut Connection) -> Result<Duration, String> {
    server.notify("textDocument/didClose", json!({ "textDocument": { "uri": URI } }))?;
    let sent = Instant::now();
    let id = server.request("workspace/symbol", json!({ "query": "zzzz" }))?;
    let (at, _, _) = server.response(id)?;
    server.diagnostics(None)?;
    Ok(at - sent)
}

/// RSS once it has not moved by 1 MB for a second (read every 100 ms, for
/// at most 10 s): a closed document is freed, then trimmed, in the background.
fn settled_rss(server: &Connection) -> u64 {
    let mut last = server.memory().1;
    let mut still = 0;
    for _ in 0..100 {
        std::thread::sleep(Duration::from_millis(100));
        let now = server.memory().1;
        if now.abs_diff(last) < 1 << 20 {
            still += 1;
            if still == 10 {
                return now;
            }
        } else {
            still = 0;
        }
        last = now;
    }
    last
}

/// Types `keys` characters from `at` on, one change each; returns each latency.
fn type_at(
    server: &mut Connection,
    (line, character): (u32, u32),
    keys: usize,
    version: &mut i64,
) -> Result<Vec<Duration>, String> {
    let letters = b"benchmarking";
    let mut latencies = Vec::with_capacity(keys);
    for i in 0..keys {
        *version += 1;
        let column = character + i as u32;
        let letter = char::from(letters[i % letters.len()]).to_string();
        let message = json!({
            "jsonrpc": "2.0",
            "method": "textDocument/didChange",
            "params": {
                "textDocument": { "uri": URI, "version": *version },
                "contentChanges": [{
                    "range": { "start": position((line, column)), "end": position((line, column)) },
                    "text": letter,
                }]
            }
        });
        let body = serde_json::to_vec(&message).expect("JSON");
        let sent = Instant::now();
        server.send_body(&body)?;
        let (at, _, _) = server.diagnostics(Some(*version))?;
        latencies.push(at - sent);
    }
    Ok(latencies)
}

fn requests(
    server: &mut Connection,
    method: &str,
    at: (u32, u32),
    count: usize,
) -> Result<(Vec<Duration>, Value), String> {
    let params = json!({ "textDocument": { "uri": URI }, "position": position(at) });
    timed(server, method, &params, count)
}

fn measure(path: &Path, input: &Input, args: &Args) -> Result<Row, String> {
    let mut server = Connection::start(path, args.timeout)?;
    server.initialize()?;
    let mut row = Row {
        records: input.records,
        bytes: input.text.len(),
        ..Row::default()
    };
    let mut version = 1;
    (row.open, row.diagnostics, row.diagnostics_bytes) = open(&mut server, input, version)?;
    row.keys_middle = type_at(&mut server, input.middle.title_end, args.keys, &mut version)?;
    row.keys_last = type_at(&mut server, input.last.title_end, args.keys, &mut version)?;
    let (completion, result) = requests(
        &mut server,
        "textDocument/completion",
        input.middle.keyword_start,
        args.requests,
    )?;
    row.completion = completion;
    row.completion_items = result
        .get("items")
        .or(Some(&result))
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let (hover, result) = requests(
        &mut server,
        "textDocument/hover",
        input.middle.author_tag,
        args.requests,
    )?;
    row.hover = hover;
    row.hover_found = !result.is_null();
    if let Err(error) = other_requests(&mut server, input, args, &mut row, &mut version) {
        eprintln!("  other requests: {error}");
    }
    (row.peak, row.rss_open) = server.memory();
    row.close = Some(close(&mut server)?);
    row.rss_closed = settled_rss(&server);
    for cycle in 0..args.cycles {
        let (took, _, _) = open(&mut server, input, 1000 + cycle as i64)?;
        row.cycle_opens.push(took);
        close(&mut server)?;
    }
    (row.peak_cycles, row.rss_cycles) = (server.memory().0, settled_rss(&server));
    server.stop();
    Ok(row)
}

/// Sends `method` with `params` `count` times, one at a time; each latency,
/// and the last answer.
fn timed(
    server: &mut Connection,
    method: &str,
    params: &Value,
    count: usize,
) -> Result<(Vec<Duration>, Value), String> {
    let mut latencies = Vec::with_capacity(count);
    let mut last = Value::Null;
    for _ in 0..count {
        let sent = Instant::now();
        let id = server.request(method, params.clone())?;
        let (at, message, _) = server.response(id)?;
        latencies.push(at - sent);
        last = message["result"].clone();
    }
    Ok((latencies, last))
}

fn count(value: &Value) -> usize {
    value.as_array().map_or(0, Vec::len)
}

/// The requests besides completion and hover (see the module's documentation).
fn other_requests(
    server: &mut Connection,
    input: &Input,
    args: &Args,
    row: &mut Row,
    version: &mut i64,
) -> Result<(), String> {
    let (line, _) = input.middle.title_end;
    let document = json!({ "uri": URI });
    let screen = json!({ "textDocument": document, "range": {
        "start": position((line.saturating_sub(30), 0)), "end": position((line + 30, 0)) } });
    row.inlay = timed(server, "textDocument/inlayHint", &screen, args.requests)?.0;
    let cursor = json!({ "textDocument": document, "range": {
        "start": position(input.middle.title_end), "end": position(input.middle.title_end) },
        "context": { "diagnostics": [] } });
    row.action = timed(server, "textDocument/codeAction", &cursor, args.requests)?.0;
    let whole = json!({ "textDocument": document });
    let symbols;
    (row.symbols, symbols) = timed(server, "textDocument/documentSymbol", &whole, args.whole)?;
    let folds;
    (row.folding, folds) = timed(server, "textDocument/foldingRange", &whole, args.whole)?;
    let links;
    (row.links, links) = timed(server, "textDocument/documentLink", &whole, args.whole)?;
    let format = json!({ "textDocument": document, "options": { "tabSize": 2, "insertSpaces": true } });
    let edits;
    (row.formatting, edits) = timed(server, "textDocument/formatting", &format, args.whole)?;
    row.counts = [count(&symbols), count(&folds), count(&links), count(&edits)];
    // A keystroke, then the outline the editor asks for after it.
    let (line, column) = input.last.title_end;
    for i in 0..args.whole {
        type_at(server, (line, column + i as u32), 1, version)?;
        row.symbols_after_key
            .extend(timed(server, "textDocument/documentSymbol", &whole, 1)?.0);
    }
    // A keystroke sent while an outline is being made.
    for i in 0..args.whole {
        let id = server.request("textDocument/documentSymbol", whole.clone())?;
        row.key_during_symbols
            .extend(type_at(server, (line, column + (args.whole + i) as u32), 1, version)?);
        server.response(id)?;
    }
    if let Some(at) = input.long_title_end {
        row.keys_long = type_at(server, at, args.keys, version)?;
    }
    Ok(())
}

fn percentile(samples: &[Duration], p: f64) -> Option<Duration> {
    if samples.is_empty() {
        return None;
    }
    let mut sorted = samples.to_vec();
    sorted.sort();
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    Some(sorted[rank - 1])
}

fn median(samples: &[Duration]) -> Option<Duration> {
    percentile(samples, 0.5)
}

fn ms(d: Option<Duration>) -> String {
    let Some(d) = d else {
        return "-".to_string();
    };
    let ms = d.as_secs_f64() * 1e3;
    if ms >= 100.0 {
        format!("{ms:.0}")
    } else if ms >= 10.0 {
        format!("{ms:.1}")
    } else {
        format!("{ms:.2}")
    }
}

/// `a / b` as `1.23x`, or `-` when either is missing.
fn ratio(a: Option<Duration>, b: Option<Duration>) -> String {
    match (a, b) {
        (Some(a), Some(b)) => format!("{:.2}x", a.as_secs_f64() / b.as_secs_f64().max(1e-9)),
        _ => "-".to_string(),
    }
}

fn mb(bytes: u64) -> String {
    format!("{:.1}", bytes as f64 / 1e6)
}

fn print_table(name: &str, path: &Path, rows: &[Row], args: &Args) {
    println!();
    println!(
        "## {name} ({}) — defects {}, {} keys, {} requests, {} cycles",
        path.display(),
        args.defects,
        args.keys,
        args.requests,
        args.cycles
    );
    println!();
    println!("Times in ms (median, p95), sizes in MB (10^6 bytes).");
    println!();
    let header = [
        "records",
        "file MB",
        "open",
        "open warm",
        "diags",
        "diags KB",
        "key mid med",
        "key mid p95",
        "key end med",
        "key end p95",
        "compl med",
        "hover med",
        "close",
        "peak RSS",
        "peak/file",
        "RSS open",
        "RSS closed",
        "RSS after cycles",
    ];
    println!("| {} |", header.join(" | "));
    println!("|{}", "---:|".repeat(header.len()));
    for row in rows {
        let cells = [
            row.records.to_string(),
            mb(row.bytes as u64),
            ms(Some(row.open)),
            ms(median(&row.cycle_opens)),
            row.diagnostics.to_string(),
            format!("{:.0}", row.diagnostics_bytes as f64 / 1e3),
            ms(median(&row.keys_middle)),
            ms(percentile(&row.keys_middle, 0.95)),
            ms(median(&row.keys_last)),
            ms(percentile(&row.keys_last, 0.95)),
            ms(median(&row.completion)),
            ms(median(&row.hover)),
            ms(row.close),
            mb(row.peak),
            format!("{:.2}", row.peak as f64 / row.bytes as f64),
            mb(row.rss_open),
            mb(row.rss_closed),
            mb(row.rss_cycles),
        ];
        println!("| {} |", cells.join(" | "));
    }
    println!();
    println!(
        "Other requests, ms (median); whole-document ones over {} requests.",
        args.whole
    );
    println!();
    let header = [
        "records",
        "inlay 60 lines",
        "codeAction",
        "symbols",
        "folding",
        "links",
        "formatting",
        "symbols after key",
        "key during symbols",
        "key long record",
    ];
    println!("| {} |", header.join(" | "));
    println!("|{}", "---:|".repeat(header.len()));
    for row in rows {
        let cells = [
            row.records.to_string(),
            ms(median(&row.inlay)),
            ms(median(&row.action)),
            ms(median(&row.symbols)),
            ms(median(&row.folding)),
            ms(median(&row.links)),
            ms(median(&row.formatting)),
            ms(median(&row.symbols_after_key)),
            ms(median(&row.key_during_symbols)),
            ms(median(&row.keys_long)),
        ];
        println!("| {} |", cells.join(" | "));
    }
    for row in rows {
        println!(
            "records {}: {} symbols, {} folds, {} links, {} formatting edits",
            row.records, row.counts[0], row.counts[1], row.counts[2], row.counts[3]
        );
    }
    for row in rows {
        println!(
            "records {}: completion items {}, hover {}; peak RSS after cycles {} MB",
            row.records,
            row.completion_items,
            if row.hover_found { "found" } else { "null" },
            mb(row.peak_cycles)
        );
    }
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(args) => args,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("error: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(if message.is_empty() { 0 } else { 2 });
        }
    };
    for server in &args.servers {
        if !server.exists() {
            eprintln!(
                "error: {} not found (build with `cargo build --release --bins --examples`)",
                server.display()
            );
            return ExitCode::from(2);
        }
    }
    let names: Vec<String> = args
        .servers
        .iter()
        .map(|p| {
            p.file_name()
                .map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into())
        })
        .collect();
    if args.workspace > 0 {
        return match workspace_bench(&args.servers[0], &args) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("error: {error}");
                ExitCode::from(1)
            }
        };
    }
    let load_before = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let mut results: Vec<Vec<Row>> = args.servers.iter().map(|_| Vec::new()).collect();
    let mut failed = false;
    for &records in &args.sizes {
        let started = Instant::now();
        let input = Input::new(records, &args);
        eprintln!(
            "generated {records} records ({} MB) in {:.1}s",
            mb(input.text.len() as u64),
            started.elapsed().as_secs_f64()
        );
        for (i, path) in args.servers.iter().enumerate() {
            let started = Instant::now();
            match measure(path, &input, &args) {
                Ok(row) => {
                    eprintln!(
                        "  {}: open {} ms, keystroke median {} ms ({:.1}s in all)",
                        names[i],
                        ms(Some(row.open)),
                        ms(median(&row.keys_middle)),
                        started.elapsed().as_secs_f64()
                    );
                    results[i].push(row);
                }
                Err(error) => {
                    eprintln!("  {}: {records} records: {error}", names[i]);
                    failed = true;
                }
            }
        }
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "load average before: {}, after: {} (2 cores: anything else running skews the numbers)",
        load_before.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
        load.split_whitespace().take(3).collect::<Vec<_>>().join(" ")
    );
    for (i, path) in args.servers.iter().enumerate() {
        print_table(&names[i], path, &results[i], &args);
    }

    println!();
    println!("## Ratios");
    println!();
    for (i, rows) in results.iter().enumerate() {
        let (Some(small), Some(large)) = (rows.first(), rows.last()) else {
            continue;
        };
        if rows.len() < 2 {
            continue;
        }
        println!(
            "{}: keystroke median {}/{} records: middle {}, end {}; open {} for {:.0}x the bytes",
            names[i],
            large.records,
            small.records,
            ratio(median(&large.keys_middle), median(&small.keys_middle)),
            ratio(median(&large.keys_last), median(&small.keys_last)),
            ratio(Some(large.open), Some(small.open)),
            large.bytes as f64 / small.bytes as f64,
        );
    }
    if results.len() >= 2 {
        for (subject, base) in results[0].iter().zip(&results[1]) {
            println!(
                "{} / {} at {} records: open {} (warm {}), keystroke median {}, peak RSS {:.2}x",
                names[0],
                names[1],
                subject.records,
                ratio(Some(subject.open), Some(base.open)),
                ratio(median(&subject.cycle_opens), median(&base.cycle_opens)),
                ratio(median(&subject.keys_middle), median(&base.keys_middle)),
                subject.peak as f64 / base.peak.max(1) as f64,
            );
        }
    }
    if failed { ExitCode::from(1) } else { ExitCode::SUCCESS }
}

/// The workspace mode (see the module's documentation).
fn workspace_bench(path: &Path, args: &Args) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("ris-lsp-bench-workspace-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let started = Instant::now();
    let options = generate::Options {
        records: args.workspace,
        defects: args.defects,
        seed: args.seed,
        crlf: false,
    };
    let mut texts: Vec<String> = vec![String::new(); args.files];
    let mut rng = generate::Rng::new(args.seed ^ 0x5eed);
    let mut copies = 0;
    let mut n = 0;
    // A record of another file, to paste: one of file 1's, copied.
    let mut to_paste = String::new();
    generate::for_each_record(&options, |record| {
        let file = n * args.files / args.workspace;
        texts[file].push_str(record);
        if file == 1 && to_paste.is_empty() {
            to_paste = record.to_string();
        }
        if rng.unit() < args.copies {
            let other = (file + 1 + rng.range(0, args.files as u64 - 2) as usize) % args.files;
            let copy: String = if copies % 2 == 0 {
                record.to_string()
            } else {
                record
                    .lines()
                    .filter(|l| !l.starts_with("DO  - ") && !l.starts_with("UR  - "))
                    .map(|l| match l.strip_prefix("TI  - ") {
                        Some(title) => format!("TI  - {}\n", title.to_uppercase()),
                        None => format!("{l}\n"),
                    })
                    .collect()
            };
            texts[other].push_str(&copy);
            copies += 1;
        }
        n += 1;
    });
    let paths: Vec<PathBuf> = (0..args.files).map(|i| dir.join(format!("part-{i:02}.ris"))).collect();
    for (path, text) in paths.iter().zip(&texts) {
        std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let bytes: usize = texts.iter().map(String::len).sum();
    eprintln!(
        "generated {} records and {copies} copies in {} files ({} MB) in {:.1}s",
        args.workspace,
        args.files,
        mb(bytes as u64),
        started.elapsed().as_secs_f64()
    );
    let uri = |p: &Path| format!("file://{}", p.display());
    let open_uri = uri(&paths[0]);
    let text = std::mem::take(&mut texts[0]);
    drop(texts);

    let mut server = Connection::start(path, args.timeout)?;
    server.initialize_in(Some(&uri(&dir)))?;
    let indexing_from = Instant::now();
    let json_text = serde_json::to_string(&text).expect("JSON string");
    let mut body = Vec::with_capacity(json_text.len() + 200);
    body.extend_from_slice(
        format!(
            r#"{{"jsonrpc":"2.0","method":"textDocument/didOpen","params":{{"textDocument":{{"uri":"{open_uri}","languageId":"ris","version":1,"text":"#
        )
        .as_bytes(),
    );
    body.extend_from_slice(json_text.as_bytes());
    body.extend_from_slice(b"}}}");
    let sent = Instant::now();
    server.send_body(&body)?;
    let (at, first, _) = server.diagnostics_of(&open_uri, Some(1))?;
    let open = at - sent;
    let first_count = first["params"]["diagnostics"].as_array().map_or(0, Vec::len);
    // The index is in place when a file nobody opened is published.
    let (at, _, _) = server.wait("an unopened file's diagnostics", |m| {
        m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"].as_str().is_some_and(|u| u != open_uri)
    })?;
    let indexed = at - indexing_from;
    let duplicates = |m: &Value| {
        m["params"]["diagnostics"]
            .as_array()
            .map_or(0, |d| d.iter().filter(|d| d["code"] == "RIS071").count())
    };

    // Keystrokes in the middle record's title.
    let middle_start = text[text.len() / 2..]
        .find("\nTY  - ")
        .map_or(0, |i| text.len() / 2 + i + 1);
    let spots = Spots::find(&text, middle_start);
    let mut version = 1;
    let (keys, last) = type_at_uri(&mut server, &open_uri, spots.title_end, args.keys, &mut version)?;
    let flagged = duplicates(&last);

    // A pasted copy of another file's record, flagged; then removed.
    let end_line = text.bytes().filter(|&b| b == b'\n').count() as u32;
    let paste_lines = to_paste.bytes().filter(|&b| b == b'\n').count() as u32;
    let mut pastes = Vec::new();
    for _ in 0..args.pastes {
        version += 1;
        let sent = Instant::now();
        change(&mut server, &open_uri, version, (end_line, 0), (end_line, 0), &to_paste)?;
        let pasted_at = version;
        let (at, _, _) = server.wait("the pasted copy flagged", |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == open_uri
                && m["params"]["version"].as_i64().is_some_and(|v| v >= pasted_at)
                && m["params"]["diagnostics"].as_array().is_some_and(|d| {
                    d.iter()
                        .any(|d| d["code"] == "RIS071" && d["range"]["start"]["line"] == end_line)
                })
        })?;
        pastes.push(at - sent);
        version += 1;
        change(
            &mut server,
            &open_uri,
            version,
            (end_line, 0),
            (end_line + paste_lines, 0),
            "",
        )?;
        server.diagnostics_of(&open_uri, Some(version))?;
    }
    let (peak, rss) = server.memory();
    server.stop();
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "## workspace: {} records + {copies} copies in {} files ({} MB); open file {} records",
        args.workspace,
        args.files,
        mb(bytes as u64),
        args.workspace / args.files
    );
    println!();
    println!("| what | ms |");
    println!("|---|---:|");
    println!(
        "| open → first diagnostics of the open file ({first_count}), folder being read | {} |",
        ms(Some(open))
    );
    println!(
        "| initialized → index in place (first unopened file published) | {} |",
        ms(Some(indexed))
    );
    println!(
        "| keystroke → diagnostics, median ({} keys; {flagged} duplicate findings in the file) | {} |",
        args.keys,
        ms(median(&keys))
    );
    println!("| keystroke → diagnostics, p95 | {} |", ms(percentile(&keys, 0.95)));
    println!(
        "| pasted copy → flagged, median of {} | {} |",
        args.pastes,
        ms(median(&pastes))
    );
    println!("| pasted copy → flagged, max | {} |", ms(pastes.iter().max().copied()));
    println!();
    println!("server peak RSS {} MB, RSS {} MB", mb(peak), mb(rss));
    Ok(())
}

/// Sends one change of `uri` replacing `from..to` with `text`.
fn change(
    server: &mut Connection,
    uri: &str,
    version: i64,
    from: (u32, u32),
    to: (u32, u32),
    text: &str,
) -> Result<(), String> {
    server.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": version },
            "contentChanges": [{ "range": { "start": position(from), "end": position(to) }, "text": text }]
        }),
    )
}

/// [`type_at`] for a document of any URI.
fn type_at_uri(
    server: &mut Connection,
    uri: &str,
    (line, character): (u32, u32),
    keys: usize,
    version: &mut i64,
) -> Result<(Vec<Duration>, Value), String> {
    let letters = b"benchmarking";
    let mut latencies = Vec::with_capacity(keys);
    let mut last = Value::Null;
    for i in 0..keys {
        *version += 1;
        let column = character + i as u32;
        let letter = char::from(letters[i % letters.len()]).to_string();
        let sent = Instant::now();
        change(server, uri, *version, (line, column), (line, column), &letter)?;
        let (at, message, _) = server.diagnostics_of(uri, Some(*version))?;
        latencies.push(at - sent);
        last = message;
    }
    Ok((latencies, last))
}

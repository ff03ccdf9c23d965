//! The language server end to end: the real binary over stdio, as an editor
//! speaks to it. Nothing here reaches into the server's internals.

mod common;

use common::Client;
use serde_json::{Value, json};

const URI: &str = "file:///tmp/test.ris";

fn codes(diagnostics: &Value) -> Vec<String> {
    diagnostics["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

fn find<'a>(diagnostics: &'a Value, code: &str) -> &'a Value {
    diagnostics["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == code)
        .unwrap_or_else(|| panic!("no {code} in {diagnostics}"))
}

/// Starts the real binary with `args`, initializes, opens a broken document
/// and shuts down; returns the server's log.
fn serve_with_args(args: &[&str]) -> String {
    let log = std::env::temp_dir().join(format!("ris-lsp-args-{}-{}.log", std::process::id(), args.join("_")));
    let file = std::fs::File::create(&log).unwrap();
    let mut client = Client::start_with(args, file.into());
    let result = client.initialize(true);
    assert!(result["capabilities"].is_object(), "{args:?}: {result}");
    client.open(URI, "TY  - JOUR\nTI  - x\n", 1);
    assert_eq!(codes(&client.diagnostics(URI, Some(1))), ["RIS010"], "{args:?}");
    assert_eq!(client.shutdown(), Some(0), "{args:?}");
    let text = std::fs::read_to_string(&log).unwrap();
    std::fs::remove_file(&log).unwrap();
    text
}

#[test]
fn starts_with_the_arguments_language_clients_pass() {
    // vscode-languageclient appends `--stdio` to the arguments it is given,
    // and clients pass their process id: none of it may stop the server.
    for args in [
        &[][..],
        &["--stdio"],
        &["--stdio", "--stdio"],
        &["--stdio", "--clientProcessId=4242"],
        &["--clientProcessId", "4242", "--stdio"],
        &["--clientProcessId=1", "--stdio", "--clientProcessId=2", "--stdio"],
    ] {
        let log = serve_with_args(args);
        assert!(!log.contains("unknown command-line flag"), "{args:?}: {log}");
    }
}

#[test]
fn logs_unknown_flags_and_serves_on() {
    let log = serve_with_args(&["--stdio", "--node-ipc", "--socket=5007", "--trace", "verbose", "-x"]);
    for flag in ["--node-ipc", "--socket=5007", "--trace verbose", "-x"] {
        let said = log
            .lines()
            .any(|l| l.contains("unknown command-line flag") && l.contains(&format!("flag={flag}")));
        assert!(said, "no log line for {flag}: {log}");
    }
}

#[test]
fn negotiates_utf8_when_offered_and_utf16_otherwise() {
    let (client, result) = Client::initialized(true);
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-8");
    assert_eq!(
        result["capabilities"]["textDocumentSync"]["change"], 2,
        "incremental sync"
    );
    assert_eq!(result["serverInfo"]["name"], "ris-lsp");
    assert_eq!(client.shutdown(), Some(0));
    let (client, result) = Client::initialized(false);
    assert_eq!(result["capabilities"]["positionEncoding"], "utf-16");
    assert_eq!(client.shutdown(), Some(0));
}

#[test]
fn publishes_diagnostics_on_open_and_clears_them_after_a_fix() {
    let (mut client, _) = Client::initialized(false);
    let text = "TY  - JOUR\nTI  - First\n\nTY  - JOURX\nDO  - 10.1000/a\nER  - \nTY  - JOUR\nDO  - 10.1000/A\nER  - \n";
    client.open(URI, text, 1);
    let published = client.diagnostics(URI, Some(1));
    assert_eq!(codes(&published), ["RIS010", "RIS020", "RIS033", "RIS033"]);
    let missing = find(&published, "RIS010");
    assert_eq!(missing["severity"], 1);
    assert_eq!(missing["source"], "ris-lsp");
    assert_eq!(
        missing["range"],
        json!({"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 2}})
    );
    assert_eq!(
        missing["relatedInformation"][0]["location"]["range"]["start"]["line"],
        3
    );
    let duplicate = &published["diagnostics"][2];
    assert_eq!(duplicate["severity"], 2);
    assert_eq!(
        duplicate["relatedInformation"][0]["location"]["range"]["start"]["line"],
        7
    );
    // Hover over the squiggle says why it matters.
    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": URI }, "position": { "line": 0, "character": 1 } }),
    );
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("**RIS010** missing-end: Every record must end with an `ER  - ` line"),
        "{text}"
    );

    // Insert the missing ER line: the diagnostic goes, with the new version.
    client.change(URI, 2, [2, 0, 2, 0], "ER  - \n");
    let published = client.diagnostics(URI, Some(2));
    assert_eq!(codes(&published), ["RIS020", "RIS033", "RIS033"]);

    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": URI } }));
    let cleared = client.diagnostics(URI, None);
    assert_eq!(cleared["diagnostics"], json!([]));
    assert_eq!(client.shutdown(), Some(0));
}

/// Findings of records an edit did not touch move with their lines, and a
/// document opened again after closing gets its own findings, not old ones.
#[test]
fn untouched_findings_follow_line_changes_and_reopening() {
    let (mut client, _) = Client::initialized(false);
    let text = "TY  - JOUR\nTI  - A\nER  - \n\nTY  - JOUR\nPY  - 21\nER  - \n";
    client.open(URI, text, 1);
    let line_of = |published: &Value| find(published, "RIS040")["range"]["start"]["line"].clone();
    assert_eq!(line_of(&client.diagnostics(URI, Some(1))), 5);
    // Two lines into the first record: the second record's finding moves down.
    client.change(URI, 2, [1, 0, 1, 0], "AU  - Smith, J\nAU  - Jones, K\n");
    assert_eq!(line_of(&client.diagnostics(URI, Some(2))), 7);
    // Typing on a line does not move it.
    client.change(URI, 3, [1, 14, 1, 14], "x");
    assert_eq!(line_of(&client.diagnostics(URI, Some(3))), 7);
    // And deleting them moves it back.
    client.change(URI, 4, [1, 0, 3, 0], "");
    assert_eq!(line_of(&client.diagnostics(URI, Some(4))), 5);

    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": URI } }));
    assert_eq!(client.diagnostics(URI, None)["diagnostics"], json!([]));
    client.open(URI, "TY  - JOUR\nPY  - 2021\nDA  - 2021/02/30\nER  - \n", 5);
    let published = client.diagnostics(URI, Some(5));
    assert_eq!(codes(&published), ["RIS042"]);
    assert_eq!(find(&published, "RIS042")["range"]["start"]["line"], 2);
    assert_eq!(client.shutdown(), Some(0));
}

/// A DOI after `é中😀` (1, 1 and 2 UTF-16 units; 2, 3 and 4 bytes).
#[test]
fn positions_are_right_for_multibyte_text_in_both_encodings() {
    for (utf8, doi_column) in [(false, 11), (true, 16)] {
        let (mut client, _) = Client::initialized(utf8);
        client.open(URI, "TY  - JOUR\nN1  - é中😀 10.1000/abcd\nER  - \n", 1);
        let published = client.diagnostics(URI, Some(1));
        let found = find(&published, "RIS034");
        assert_eq!(
            found["range"]["start"],
            json!({"line": 1, "character": doi_column}),
            "utf8={utf8}"
        );
        // Change the DOI's `10` to `11`: no longer a DOI, the note goes.
        let c = doi_column as u32;
        client.change(URI, 2, [1, c, 1, c + 2], "11");
        assert_eq!(
            codes(&client.diagnostics(URI, Some(2))),
            Vec::<String>::new(),
            "utf8={utf8}"
        );
        // Out-of-range positions are clamped, not fatal.
        client.change(URI, 3, [1, 500, 7, 0], "");
        client.diagnostics(URI, Some(3));
        assert!(client.alive());
        client.shutdown();
    }
}

#[test]
fn incremental_changes_in_a_crlf_file() {
    let (mut client, _) = Client::initialized(false);
    client.open(
        URI,
        "TY  - JOUR\r\nTI  - Title\r\nER  - \r\nTY  - BOOK\r\nTI  - Other\r\n",
        1,
    );
    assert_eq!(codes(&client.diagnostics(URI, Some(1))), ["RIS010"]);
    // Append `ER  - ` at the end, then break the first record's TY.
    client.change(URI, 2, [5, 0, 5, 0], "ER  - \r\n");
    assert_eq!(codes(&client.diagnostics(URI, Some(2))), Vec::<String>::new());
    client.change(URI, 3, [0, 6, 0, 10], "jour");
    let published = client.diagnostics(URI, Some(3));
    assert_eq!(codes(&published), ["RIS021"]);
    assert_eq!(
        find(&published, "RIS021")["range"]["end"],
        json!({"line": 0, "character": 10})
    );
    client.shutdown();
}

#[test]
fn completion_offers_tags_at_line_start_and_types_after_ty() {
    let (mut client, _) = Client::initialized(false);
    client.open(URI, "TY  - JOUR\n\nER  - \nTY  - \nER  - \n", 1);
    let at = |line: u32, character: u32| json!({ "textDocument": { "uri": URI }, "position": { "line": line, "character": character } });
    let tags = client.request("textDocument/completion", at(1, 0));
    let items = tags["items"].as_array().unwrap();
    let t2 = items.iter().find(|i| i["label"] == "T2").expect("T2 offered");
    assert_eq!(t2["detail"], "Journal", "T2 means the journal in a JOUR record");
    assert_eq!(t2["textEdit"]["newText"], "T2  - ");
    // The tag's page comes on resolve.
    assert!(t2.get("documentation").is_none());
    let t2 = t2.clone();
    let resolved = client.request("completionItem/resolve", t2);
    let page = resolved["documentation"]["value"].as_str().unwrap();
    assert!(
        page.contains("In a journal article record (`JOUR`): **Journal**"),
        "{page}"
    );
    let first = items
        .iter()
        .min_by_key(|i| i["sortText"].as_str().unwrap().to_string())
        .unwrap();
    assert_ne!(first["label"], "IS", "tags defined for JOUR sort before legacy ones");
    let types = client.request("textDocument/completion", at(3, 6));
    let labels: Vec<&str> = types["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["label"].as_str().unwrap())
        .collect();
    assert!(labels.contains(&"JOUR") && labels.contains(&"BOOK"), "{labels:?}");
    let jour = types["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["label"] == "JOUR")
        .unwrap();
    assert_eq!(jour["detail"], "Journal article");
    // Between records: record skeletons as snippets, ending with ER.
    client.change(URI, 2, [5, 0, 5, 0], "\n");
    let outside = client.request("textDocument/completion", at(5, 0));
    let skeleton = outside["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == 15)
        .expect("a snippet");
    assert!(
        skeleton["textEdit"]["newText"]
            .as_str()
            .unwrap()
            .trim_end()
            .ends_with("ER  -")
    );
    client.shutdown();
}

#[test]
fn hover_explains_tags_types_dois_and_standard_numbers() {
    let (mut client, _) = Client::initialized(false);
    client.open(
        URI,
        "TY  - BOOK\nT2  - Series\nSN  - 978-0-306-40615-7\nDO  - 10.1000/xyz\nER  - \n",
        1,
    );
    let mut hover = |line: u32, character: u32| {
        client.request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": URI }, "position": { "line": line, "character": character } }),
        )
    };
    let t2 = hover(1, 1);
    let text = t2["contents"]["value"].as_str().unwrap();
    assert_eq!(t2["contents"]["kind"], "markdown");
    assert!(text.contains("Series Title"), "{text}");
    assert!(text.contains("Repeats: once per record"), "{text}");
    let ty = hover(0, 7);
    assert!(ty["contents"]["value"].as_str().unwrap().contains("Whole book"));
    let sn = hover(2, 8);
    assert!(sn["contents"]["value"].as_str().unwrap().contains("ISBN-13"));
    assert!(sn["contents"]["value"].as_str().unwrap().contains("check digit holds"));
    let doi = hover(3, 8);
    assert!(
        doi["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("https://doi.org/10.1000/xyz")
    );
    assert_eq!(hover(5, 0), Value::Null, "nothing to say past the last line");
    client.shutdown();
}

#[test]
fn rapid_changes_end_where_a_fresh_open_does() {
    let (mut client, _) = Client::initialized(false);
    let mut text = String::from("TY  - JOUR\nTI  - \nER  - \n");
    client.open(URI, &text, 0);
    // Type 1,000 characters into the title, one change each, without waiting.
    let word = "TY  - Zé😀\nAU  - 10.1000/x\n";
    let mut line = 1u32;
    let mut column = 6u32; // UTF-16 units
    for i in 0..1000 {
        let c = word.chars().nth(i % word.chars().count()).unwrap();
        client.change(URI, i as i64 + 1, [line, column, line, column], &c.to_string());
        let at = text.lines().take(line as usize).map(|l| l.len() + 1).sum::<usize>()
            + text
                .lines()
                .nth(line as usize)
                .unwrap_or("")
                .chars()
                .take_while({
                    let mut units = 0;
                    move |ch| {
                        let fits = units < column;
                        units += ch.len_utf16() as u32;
                        fits
                    }
                })
                .map(char::len_utf8)
                .sum::<usize>();
        text.insert(at, c);
        if c == '\n' {
            line += 1;
            column = 0;
        } else {
            column += c.len_utf16() as u32;
        }
    }
    let incremental = client.diagnostics(URI, Some(1000));
    let other = "file:///tmp/fresh.ris";
    client.open(other, &text, 1);
    let fresh = client.diagnostics(other, Some(1));
    assert!(!fresh["diagnostics"].as_array().unwrap().is_empty());
    let strip = |d: &Value| {
        let mut d = d["diagnostics"].clone();
        for item in d.as_array_mut().unwrap() {
            if let Some(related) = item["relatedInformation"].as_array_mut() {
                for r in related {
                    r["location"]["uri"] = json!("");
                }
            }
        }
        d
    };
    assert_eq!(strip(&incremental), strip(&fresh));
    client.shutdown();
}

#[test]
fn survives_bad_input_and_bad_clients() {
    let mut client = Client::start();
    // A request before initialize gets an error, not a crash.
    let early = client.request_raw(
        "textDocument/hover",
        json!({ "textDocument": { "uri": URI }, "position": { "line": 0, "character": 0 } }),
    );
    assert!(early.get("error").is_some(), "{early}");
    client.request("initialize", json!({ "capabilities": {} }));
    client.notify("initialized", json!({}));
    // A change for a document never opened is ignored, and so are opens
    // without parameters or with a text that is not a string.
    client.change("file:///never.ris", 1, [0, 0, 0, 0], "x");
    client.send(&json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen" }));
    client.send(&json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params": null }));
    client.send(&json!({ "jsonrpc": "2.0", "method": "textDocument/didOpen", "params":
        { "textDocument": { "uri": "file:///odd.ris", "languageId": "ris", "version": 1, "text": 42 } } }));
    // NUL bytes, a 50 MB single line, a million blank lines.
    client.open("file:///nul.ris", "TY  - JOUR\nTI  - \0\0\0\nER  - \0\n", 1);
    client.diagnostics("file:///nul.ris", Some(1));
    let long = format!("TY  - JOUR\nAB  - {}\nER  - \n", "x".repeat(50 << 20));
    client.open("file:///long.ris", &long, 1);
    assert_eq!(
        codes(&client.diagnostics("file:///long.ris", Some(1))),
        Vec::<String>::new()
    );
    client.change("file:///long.ris", 2, [1, 1000, 1, 1000], "y");
    client.diagnostics("file:///long.ris", Some(2));
    client.open("file:///blank.ris", &"\n".repeat(1_000_000), 1);
    client.diagnostics("file:///blank.ris", Some(1));
    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": "file:///blank.ris" }, "position": { "line": 999_999_999u32, "character": 5 } }),
    );
    assert_eq!(hover, Value::Null);
    assert!(client.alive());
    assert_eq!(client.shutdown(), Some(0));
}

/// The LSP position (UTF-16 columns) of byte `offset` of `text`.
fn position_of(text: &str, offset: usize) -> (u32, u32) {
    let before = &text[..offset];
    let bytes = before.as_bytes();
    let mut line = 0;
    let mut line_start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let crlf = b == b'\r' && bytes.get(i + 1) == Some(&b'\n');
        if b == b'\n' || (b == b'\r' && !crlf) {
            line += 1;
            line_start = i + 1;
        }
    }
    let column: usize = before[line_start..].chars().map(char::len_utf16).sum();
    (line, column as u32)
}

/// Every fixture typed into an empty document one character per change, as a
/// person types, then deleted one character per change from the end. The
/// server stays alive, ends where a fresh open of the same text does, and
/// ends empty.
#[test]
fn typing_each_fixture_one_key_at_a_time_and_deleting_it() {
    let (mut client, _) = Client::initialized(false);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut fixtures: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ris"))
        .collect();
    fixtures.sort();
    let mut keys = 0;
    for (n, path) in fixtures.iter().enumerate() {
        let full = std::fs::read_to_string(path).unwrap();
        let uri = format!("file:///tmp/typed-{n}.ris");
        client.open(&uri, "", 0);
        let mut version = 0;
        let mut text = String::new();
        for c in full.chars() {
            let (line, column) = position_of(&text, text.len());
            version += 1;
            client.change(&uri, version, [line, column, line, column], &c.to_string());
            text.push(c);
        }
        keys += version;
        let typed = client.diagnostics(&uri, Some(version));
        let fresh_uri = format!("file:///tmp/fresh-{n}.ris");
        client.open(&fresh_uri, &text, 1);
        let fresh = client.diagnostics(&fresh_uri, Some(1));
        // Duplicates in the workspace (RIS071/RIS072) are published for a
        // newly opened document once its records are keyed, after its
        // first diagnostics: tests/workspace.rs covers them.
        let strip = |d: &Value| {
            let mut d = d["diagnostics"].clone();
            d.as_array_mut()
                .unwrap()
                .retain(|item| item["code"] != "RIS071" && item["code"] != "RIS072");
            for item in d.as_array_mut().unwrap() {
                for r in item["relatedInformation"].as_array_mut().into_iter().flatten() {
                    r["location"]["uri"] = json!("");
                }
            }
            d
        };
        assert_eq!(strip(&typed), strip(&fresh), "{}", path.display());
        // Delete from the end, one character (or one CRLF) at a time.
        while !text.is_empty() {
            let last = text.chars().next_back().unwrap();
            let mut at = text.len() - last.len_utf8();
            if text[..at].ends_with('\r') && last == '\n' {
                at -= 1;
            }
            let (line, column) = position_of(&text, at);
            let (end_line, end_column) = position_of(&text, text.len());
            version += 1;
            client.change(&uri, version, [line, column, end_line, end_column], "");
            text.truncate(at);
        }
        let emptied = client.diagnostics(&uri, Some(version));
        assert_eq!(emptied["diagnostics"], json!([]), "{}", path.display());
        assert!(client.alive(), "{}", path.display());
    }
    assert!(keys > 4_000, "{keys} keys typed");
    assert_eq!(client.shutdown(), Some(0));
}

/// A check that fails on one record: that record gets RIS099, the others
/// their findings, and the session goes on (only debug builds can be made
/// to fail so).
#[test]
#[cfg(debug_assertions)]
fn a_failing_check_is_one_finding_and_the_session_goes_on() {
    let (mut client, _) = Client::initialized(false);
    client.open(URI, "TY  - JOUR\nPY  - 21\nER  - \nTY  - JOUR\nN1  - note\nER  - \n", 1);
    assert_eq!(codes(&client.diagnostics(URI, Some(1))), ["RIS040"]);
    // Type the marker that makes a check fail into the second record's note.
    client.change(URI, 2, [4, 10, 4, 10], "\u{1}ris-lsp test panic\u{1}");
    let published = client.diagnostics(URI, Some(2));
    let mut published_codes = codes(&published);
    published_codes.sort_unstable();
    assert_eq!(published_codes, ["RIS040", "RIS099"]);
    assert!(
        find(&published, "RIS099")["message"]
            .as_str()
            .unwrap()
            .contains("a bug in ris-lsp")
    );
    // Hover over it, then mend it: the session is as before.
    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": URI }, "position": { "line": 3, "character": 1 } }),
    );
    assert!(
        hover["contents"]["value"].as_str().unwrap().contains("RIS099"),
        "{hover}"
    );
    client.change(URI, 3, [4, 10, 4, 30], "");
    assert_eq!(codes(&client.diagnostics(URI, Some(3))), ["RIS040"]);
    assert!(client.alive());
    assert_eq!(client.shutdown(), Some(0));
}

/// A framed message, with the length it says it has.
fn frame(length: impl std::fmt::Display, body: &str) -> Vec<u8> {
    format!("Content-Length: {length}\r\n\r\n{body}").into_bytes()
}

fn hover_request(id: i64) -> String {
    json!({ "jsonrpc": "2.0", "id": id, "method": "textDocument/hover",
        "params": { "textDocument": { "uri": URI }, "position": { "line": 0, "character": 0 } } })
    .to_string()
}

/// The server's stderr (its log) in a file of its own.
fn log_path(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("ris-lsp-{name}-{}.log", std::process::id()))
}

/// Each framing error is logged, the reader skips to the next
/// `Content-Length:` (also one inside the bad body) and later requests are
/// answered; a huge length is refused before anything is allocated for it.
#[test]
fn framing_errors_are_logged_and_the_server_resynchronises() {
    let next = frame(hover_request(7).len(), &hover_request(7));
    let note = r#"{"jsonrpc":"2.0","method":"$/noSuchNote","params":{}}"#;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "length beyond the limit",
            frame("1000000000000", note),
            "beyond the limit",
        ),
        (
            "length past i64",
            frame("9223372036854775808", note),
            "beyond the limit",
        ),
        ("length past u64", frame("18446744073709551616", note), "not a length"),
        ("negative length", frame("-1", note), "not a length"),
        ("length not a number", frame("abc", note), "not a length"),
        ("garbage line", b"\x1b[31mgarbage\r\n".to_vec(), "not a header"),
        (
            "no Content-Length",
            b"Content-Type: x\r\n\r\n{}".to_vec(),
            "without Content-Length",
        ),
        ("body not JSON", frame(5, "hello"), "not JSON"),
        ("length too short", frame(note.len() - 10, note), "not JSON"),
        (
            "length too long by part of the next header",
            frame(note.len() + 5, note),
            "not JSON",
        ),
        (
            "length too long by the next message and more",
            frame(note.len() + next.len() + 10, note),
            "not JSON",
        ),
        ("header line without end", vec![b'x'; 20_000], "longer than"),
    ];
    for (name, bad, logged) in cases {
        let log = log_path("framing");
        let (mut client, _) = {
            let mut client = Client::start_with(&["--log-file", log.to_str().unwrap()], std::process::Stdio::null());
            let result = client.request("initialize", json!({ "capabilities": {} }));
            (client, result)
        };
        client.notify("initialized", json!({}));
        client.send_raw(&bad);
        // The message right after the bad one, then one more.
        client.send_raw(&next);
        let second = client.request_raw(
            "textDocument/hover",
            json!({ "textDocument": { "uri": URI }, "position": { "line": 0, "character": 0 } }),
        );
        assert!(second.get("result").is_some(), "{name}: {second}");
        let first = client.response(7);
        assert!(first.get("result").is_some(), "{name}: {first}");
        assert_eq!(client.shutdown(), Some(0), "{name}");
        let text = std::fs::read_to_string(&log).unwrap();
        assert!(text.contains(logged), "{name}: {text}");
        let _ = std::fs::remove_file(&log);
    }
}

/// Input that cannot be read on ends the server with exit code 1 and a
/// message on stderr, never 0 (which an editor takes for a clean exit).
#[test]
fn unreadable_input_exits_non_zero_with_a_message() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let hello = frame(hover_request(1).len(), &hover_request(1));
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "header not UTF-8",
            b"Content-Length: 5\xff\r\n\r\nhello".to_vec(),
            "not UTF-8",
        ),
        (
            "input ends in a header",
            b"Content-Length: 5\r\n".to_vec(),
            "inside a message header",
        ),
        ("input ends in a body", frame(100, "{}"), "inside a message body"),
        (
            "input ends after a framing error",
            [frame(5, "hello"), b"junk".to_vec()].concat(),
            "after a framing error",
        ),
        (
            "a good message, then a bad header",
            [hello.clone(), b"\xc3\x28: x\r\n".to_vec()].concat(),
            "not UTF-8",
        ),
    ];
    for (name, input, said) in cases {
        let mut child = Command::new(env!("CARGO_BIN_EXE_ris-lsp"))
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(&input).unwrap();
        drop(stdin);
        let output = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{name}: {stderr}");
        assert!(stderr.contains(said), "{name}: {stderr}");
    }
    // A read error: stdin is a folder.
    let output = Command::new(env!("CARGO_BIN_EXE_ris-lsp"))
        .stdin(std::fs::File::open(env!("CARGO_MANIFEST_DIR")).unwrap())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("cannot read stdin"), "{stderr}");
    // The input ending between messages is a clean end.
    let mut child = Command::new(env!("CARGO_BIN_EXE_ris-lsp"))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    drop(child.stdin.take());
    assert_eq!(child.wait().unwrap().code(), Some(0));
}

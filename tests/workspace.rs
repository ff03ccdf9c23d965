//! Duplicates across the workspace through the real binary: a folder of
//! `.ris` files, some open and some not, as an editor shows them.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::Client;
use serde_json::{Value, json};

/// A record with a DOI, and the same work as another database exports it.
const FIRST: &str = "TY  - JOUR\nTI  - Benefiting the NHS through innovation\nAU  - Issa, Hamdi\nPY  - 2021\nT2  - BMJ Global Health\nDO  - 10.1136/bmjgh-2021-004936\nER  - \n";
const COPY: &str = "TY  - JOUR\nTI  - Benefiting the NHS Through Innovation.\nAU  - Issa, H.\nPY  - 2021\nT2  - BMJ Glob Health\nKW  - innovation\nDO  - https://doi.org/10.1136/BMJGH-2021-004936\nER  - \n";
const OTHER: &str =
    "TY  - JOUR\nTI  - Malaria vaccines in young children\nAU  - Okafor, Chidi\nPY  - 2019\nT2  - The Lancet\nER  - \n";
const THIRD: &str = "TY  - JOUR\nTI  - Hospital food and recovery after surgery\nAU  - Brown, Ann\nPY  - 2018\nT2  - BMJ\nSP  - 12\nER  - \n";

/// A fresh folder for one test.
fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ris-lsp-ws-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// Starts the server on `root` as an editor with file watching would.
fn start(root: &Path) -> Client {
    start_with(
        root,
        json!({
            "general": { "positionEncodings": ["utf-16"] },
            "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } },
            "textDocument": { "codeAction": { "codeActionLiteralSupport": {
                "codeActionKind": { "valueSet": ["quickfix"] } } } }
        }),
    )
}

/// Starts the server on `root` as a client with `capabilities`.
fn start_with(root: &Path, capabilities: Value) -> Client {
    let mut client = Client::start();
    client.request(
        "initialize",
        json!({ "processId": null, "rootUri": uri(root), "capabilities": capabilities }),
    );
    client.notify("initialized", json!({}));
    client
}

/// Waits for the diagnostics of `uri` that satisfy `ok`, answering the
/// server's requests (capability registration) meanwhile.
fn diagnostics_until(client: &mut Client, uri: &str, ok: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut last = Value::Null;
    while Instant::now() < deadline {
        answer_requests(client);
        let found = client.diagnostics_within(uri, Duration::from_millis(200));
        if let Some(found) = found {
            if ok(&found) {
                return found;
            }
            last = found;
        }
    }
    panic!("diagnostics of {uri} never as expected; last: {last}");
}

/// Answers the requests the server sent (with an empty result).
fn answer_requests(client: &mut Client) {
    let requests: Vec<Value> = client
        .notifications
        .iter()
        .filter(|m| m.get("id").is_some() && m.get("method").is_some())
        .cloned()
        .collect();
    client
        .notifications
        .retain(|m| !(m.get("id").is_some() && m.get("method").is_some()));
    for request in requests {
        client.send(&json!({ "jsonrpc": "2.0", "id": request["id"], "result": null }));
    }
}

fn with_code<'a>(diagnostics: &'a Value, code: &str) -> Vec<&'a Value> {
    diagnostics["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == code)
        .collect()
}

fn has(code: &'static str) -> impl Fn(&Value) -> bool {
    move |d| !with_code(d, code).is_empty()
}

#[test]
fn a_duplicate_is_shown_on_every_copy_open_or_not() {
    let dir = folder("both");
    let (a, b) = (dir.join("a.ris"), dir.join("scopus.ris"));
    let a_text = format!("{OTHER}\n{FIRST}");
    std::fs::write(&a, &a_text).unwrap();
    std::fs::write(&b, format!("{THIRD}\n{COPY}")).unwrap();
    let mut client = start(&dir);
    client.open(&uri(&a), &a_text, 1);

    let open = diagnostics_until(&mut client, &uri(&a), has("RIS071"));
    let found = with_code(&open, "RIS071");
    assert_eq!(found.len(), 1, "{open}");
    assert_eq!(found[0]["range"]["start"]["line"], 7, "on the copy's TY line");
    assert_eq!(found[0]["severity"], 3, "information");
    let message = found[0]["message"].as_str().unwrap();
    assert!(message.contains("duplicate of the record at scopus.ris:9"), "{message}");
    assert!(message.contains("same DOI"), "{message}");
    let related = &found[0]["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], uri(&b));
    assert_eq!(related["location"]["range"]["start"]["line"], 8);

    // The file nobody opened shows it too, pointing back.
    let unopened = diagnostics_until(&mut client, &uri(&b), has("RIS071"));
    let found = with_code(&unopened, "RIS071");
    assert_eq!(found.len(), 1, "{unopened}");
    assert_eq!(found[0]["range"]["start"]["line"], 8);
    assert!(found[0]["message"].as_str().unwrap().contains("a.ris:8"), "{unopened}");
    assert_eq!(client.shutdown(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Two files sharing a duplicate: `a.ris` (open) holds OTHER then FIRST
/// (its TY on line 7), `scopus.ris` (on disk) THIRD then COPY (line 8).
/// The code action "Merge 1 duplicate into this record" at a cursor.
fn merge_action(client: &mut Client, uri: &str, line: u32, character: u32) -> Value {
    let at = json!({ "line": line, "character": character });
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": { "start": at, "end": at },
            "context": { "diagnostics": [] }
        }),
    );
    actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Merge 1 duplicate into this record")
        .unwrap_or_else(|| panic!("no merge in {actions}"))
        .clone()
}

fn two_files(name: &str) -> (PathBuf, PathBuf, PathBuf, String, String) {
    let dir = folder(name);
    let (a, b) = (dir.join("a.ris"), dir.join("scopus.ris"));
    let a_text = format!("{OTHER}\n{FIRST}");
    let b_text = format!("{THIRD}\n{COPY}");
    std::fs::write(&a, &a_text).unwrap();
    std::fs::write(&b, &b_text).unwrap();
    (dir, a, b, a_text, b_text)
}

#[test]
fn references_on_a_record_list_its_copies() {
    let (dir, a, b, a_text, _) = two_files("references");
    let mut client = start(&dir);
    client.open(&uri(&a), &a_text, 1);
    diagnostics_until(&mut client, &uri(&a), has("RIS071"));
    let at = |line: u32, character: u32, declaration: bool| {
        json!({
            "textDocument": { "uri": uri(&a) },
            "position": { "line": line, "character": character },
            "context": { "includeDeclaration": declaration }
        })
    };
    let found = client.request("textDocument/references", at(7, 1, true));
    let places: Vec<(String, u64)> = found
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["uri"].as_str().unwrap().to_string(),
                l["range"]["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(places, [(uri(&a), 7), (uri(&b), 8)]);
    // Anywhere in the record; without the record itself.
    let found = client.request("textDocument/references", at(10, 3, false));
    assert_eq!(found.as_array().unwrap().len(), 1, "{found}");
    // A record without copies has none.
    let found = client.request("textDocument/references", at(0, 0, true));
    assert_eq!(found, json!([]));
    // The number of copies, at the end of the TY line.
    let hints = client.request(
        "textDocument/inlayHint",
        json!({ "textDocument": { "uri": uri(&a) },
                "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 14, "character": 0 } } }),
    );
    let copies: Vec<&Value> = hints
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| h["label"] == "2 copies")
        .collect();
    assert_eq!(copies.len(), 1, "{hints}");
    assert_eq!(copies[0]["position"], json!({ "line": 7, "character": 10 }));
    // Hover on the TY tag says what the finding means.
    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri(&a) }, "position": { "line": 7, "character": 1 } }),
    );
    assert!(hover.to_string().contains("duplicate-record"), "{hover}");
    assert_eq!(client.shutdown(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn merging_keeps_every_value_and_removes_the_copies_in_one_edit() {
    let (dir, a, b, a_text, b_text) = two_files("merge");
    let mut client = start_with(
        &dir,
        json!({ "workspace": { "workspaceEdit": { "documentChanges": true } } }),
    );
    client.open(&uri(&a), &a_text, 3);
    diagnostics_until(&mut client, &uri(&a), has("RIS071"));
    let merge = merge_action(&mut client, &uri(&a), 8, 2);
    let changes = merge["edit"]["documentChanges"].as_array().unwrap();
    assert_eq!(changes.len(), 2, "{merge}");
    let edited = |path: &Path, text: &str| {
        let change = changes
            .iter()
            .find(|c| c["textDocument"]["uri"] == uri(path))
            .unwrap_or_else(|| panic!("no edit of {}", path.display()));
        (
            change["textDocument"]["version"].clone(),
            common::apply_text_edits(text, change["edits"].as_array().unwrap()),
        )
    };
    let (version, merged) = edited(&a, &a_text);
    assert_eq!(version, json!(3), "the open document's version");
    // T2 may appear once: the copy's spelling is kept in a note.
    assert_eq!(
        merged,
        format!(
            "{OTHER}\nTY  - JOUR\nTI  - Benefiting the NHS through innovation\nAU  - Issa, Hamdi\nPY  - 2021\n\
             T2  - BMJ Global Health\nDO  - 10.1136/bmjgh-2021-004936\nKW  - innovation\n\
             N1  - Merged duplicate (scopus.ris:9): T2  - BMJ Glob Health\nER  - \n"
        )
    );
    let (version, rest) = edited(&b, &b_text);
    assert_eq!(version, Value::Null, "a file on disk has no version");
    assert_eq!(rest, format!("{THIRD}\n"));
    assert_eq!(client.shutdown(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn watched_files_pasted_copies_and_closing_keep_it_current() {
    let (dir, a, b, a_text, _) = two_files("watched");
    std::fs::write(dir.join("ris-lsp.toml"), "[severity]\nduplicate-record = \"warning\"\n").unwrap();
    let mut client = start(&dir);
    client.open(&uri(&a), &a_text, 1);
    diagnostics_until(&mut client, &uri(&b), has("RIS071"));

    // A new file with another copy.
    let c = dir.join("embase.ris");
    std::fs::write(&c, FIRST).unwrap();
    let event = |path: &Path, typ: u32| json!({ "changes": [{ "uri": uri(path), "type": typ }] });
    client.notify("workspace/didChangeWatchedFiles", event(&c, 1));
    let open = diagnostics_until(&mut client, &uri(&a), |d| {
        with_code(d, "RIS071")
            .first()
            .is_some_and(|f| f["relatedInformation"].as_array().unwrap().len() == 2)
    });
    let message = with_code(&open, "RIS071")[0]["message"].as_str().unwrap().to_string();
    assert!(message.contains("the records at"), "{message}");
    let unopened = diagnostics_until(&mut client, &uri(&c), has("RIS071"));
    assert_eq!(
        with_code(&unopened, "RIS071")[0]["severity"],
        2,
        "the folder's ris-lsp.toml: {unopened}"
    );

    // One deleted: its findings are cleared, and the others forget it.
    std::fs::remove_file(&b).unwrap();
    client.notify("workspace/didChangeWatchedFiles", event(&b, 3));
    diagnostics_until(&mut client, &uri(&b), |d| d["diagnostics"] == json!([]));
    diagnostics_until(&mut client, &uri(&a), |d| {
        with_code(d, "RIS071")
            .first()
            .is_some_and(|f| f["relatedInformation"].as_array().unwrap().len() == 1)
    });

    // A pasted copy of a record from another file is flagged there too.
    std::fs::write(&b, THIRD).unwrap();
    client.notify("workspace/didChangeWatchedFiles", event(&b, 1));
    client.change(&uri(&a), 2, [14, 0, 14, 0], &format!("\n{THIRD}"));
    let open = diagnostics_until(&mut client, &uri(&a), |d| with_code(d, "RIS071").len() == 2);
    assert_eq!(with_code(&open, "RIS071")[1]["range"]["start"]["line"], 15, "{open}");
    diagnostics_until(&mut client, &uri(&b), has("RIS071"));

    // Closed without saving: the file on disk counts again.
    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri(&a) } }));
    diagnostics_until(&mut client, &uri(&b), |d| with_code(d, "RIS071").is_empty());
    let closed = diagnostics_until(&mut client, &uri(&a), |d| with_code(d, "RIS071").len() == 1);
    assert_eq!(with_code(&closed, "RIS071")[0]["range"]["start"]["line"], 7, "{closed}");
    assert_eq!(client.shutdown(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_preprint_and_its_published_version_are_a_possible_duplicate() {
    let dir = folder("possible");
    let preprint = "TY  - JOUR\nTI  - Benefiting the NHS through innovation\nAU  - Issa, Hamdi\nPY  - 2020\nT2  - medRxiv\nDO  - 10.1101/2020.01.01.12345\nER  - \n";
    std::fs::write(dir.join("preprints.ris"), preprint).unwrap();
    let a = dir.join("a.ris");
    std::fs::write(&a, FIRST).unwrap();
    let mut client = start(&dir);
    client.open(&uri(&a), FIRST, 1);
    let open = diagnostics_until(&mut client, &uri(&a), has("RIS072"));
    let found = with_code(&open, "RIS072");
    assert_eq!(found[0]["severity"], 4, "a hint: {open}");
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .starts_with("possible duplicate of the record at preprints.ris:1")
    );
    assert!(with_code(&open, "RIS071").is_empty(), "never a duplicate: {open}");
    assert_eq!(client.shutdown(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_client_that_resolves_edits_gets_the_merge_when_it_chooses_it() {
    let (dir, a, b, a_text, b_text) = two_files("resolve");
    let mut client = start_with(
        &dir,
        json!({ "textDocument": { "codeAction": { "resolveSupport": { "properties": ["edit"] } } } }),
    );
    client.open(&uri(&a), &a_text, 1);
    diagnostics_until(&mut client, &uri(&a), has("RIS071"));
    let merge = merge_action(&mut client, &uri(&a), 7, 0);
    assert!(merge.get("edit").is_none(), "made when chosen: {merge}");
    let resolved = client.request("codeAction/resolve", merge);
    // Without documentChanges support: plain changes per URI.
    let changes = &resolved["edit"]["changes"];
    let rest = common::apply_text_edits(&b_text, changes[uri(&b)].as_array().unwrap());
    assert_eq!(rest, format!("{THIRD}\n"));
    let merged = common::apply_text_edits(&a_text, changes[uri(&a)].as_array().unwrap());
    assert!(merged.contains("KW  - innovation\n"), "{merged}");
    assert_eq!(client.shutdown(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_doi_twice_in_one_file_is_reported_once_as_a_duplicate_doi() {
    let dir = folder("one-file");
    let a = dir.join("a.ris");
    let text = format!("{FIRST}\n{COPY}");
    std::fs::write(&a, &text).unwrap();
    let mut client = start(&dir);
    client.open(&uri(&a), &text, 1);
    let open = diagnostics_until(&mut client, &uri(&a), has("RIS033"));
    // Give the index time to have its say too.
    std::thread::sleep(std::time::Duration::from_millis(300));
    let open = client
        .diagnostics_within(&uri(&a), Duration::from_millis(200))
        .unwrap_or(open);
    assert_eq!(with_code(&open, "RIS033").len(), 2, "{open}");
    assert!(with_code(&open, "RIS071").is_empty(), "one finding per pair: {open}");
    assert_eq!(client.shutdown(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn folders_added_and_removed_are_read_and_forgotten() {
    let (dir, a, _, a_text, _) = two_files("folders");
    let more = folder("folders-more");
    let c = more.join("embase.ris");
    std::fs::write(&c, FIRST).unwrap();
    let mut client = start(&dir);
    client.open(&uri(&a), &a_text, 1);
    diagnostics_until(&mut client, &uri(&a), has("RIS071"));
    let folder_event = |added: &[&Path], removed: &[&Path]| {
        let folders =
            |paths: &[&Path]| -> Vec<Value> { paths.iter().map(|p| json!({ "uri": uri(p), "name": "f" })).collect() };
        json!({ "event": { "added": folders(added), "removed": folders(removed) } })
    };
    client.notify("workspace/didChangeWorkspaceFolders", folder_event(&[&more], &[]));
    let copies = |n: usize| {
        move |d: &Value| {
            with_code(d, "RIS071")
                .first()
                .is_some_and(|f| f["relatedInformation"].as_array().unwrap().len() == n)
        }
    };
    let open = diagnostics_until(&mut client, &uri(&a), copies(2));
    assert!(open.to_string().contains("embase.ris"), "{open}");
    client.notify("workspace/didChangeWorkspaceFolders", folder_event(&[], &[&more]));
    diagnostics_until(&mut client, &uri(&c), |d| d["diagnostics"] == json!([]));
    diagnostics_until(&mut client, &uri(&a), copies(1));
    assert_eq!(client.shutdown(), Some(0));
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&more);
}

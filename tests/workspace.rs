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
const OTHER: &str = "TY  - JOUR\nTI  - Malaria vaccines in young children\nAU  - Okafor, Chidi\nPY  - 2019\nT2  - The Lancet\nER  - \n";
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
    let mut client = Client::start();
    client.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": uri(root),
            "capabilities": {
                "general": { "positionEncodings": ["utf-16"] },
                "workspace": { "didChangeWatchedFiles": { "dynamicRegistration": true } },
                "textDocument": { "codeAction": { "codeActionLiteralSupport": {
                    "codeActionKind": { "valueSet": ["quickfix"] } } } }
            }
        }),
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

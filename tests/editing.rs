//! Quick fixes, fix-all and formatting through the real server: each fix
//! applied as an editor would gives the expected text, and its diagnostic
//! is gone afterwards.

mod common;

use common::{Client, apply_text_edits};
use serde_json::{Value, json};

const URI: &str = "file:///tmp/fix.ris";

/// (code, text, text after applying that code's quick fix)
const CASES: &[(&str, &str, &str)] = &[
    (
        "RIS014",
        "TY - JOUR T1 - Benefiting the NHS through innovation AU - Issa, Hamdi PY - 2021 DO - 10.1136/bmjgh-2021-004936 ER -\n",
        "TY  - JOUR\nT1  - Benefiting the NHS through innovation\nAU  - Issa, Hamdi\nPY  - 2021\nDO  - 10.1136/bmjgh-2021-004936\nER  - \n",
    ),
    (
        "RIS010",
        "TY  - JOUR\nTI  - One\n\n\nTY  - BOOK\nER  - \n",
        "TY  - JOUR\nTI  - One\nER  - \n\n\nTY  - BOOK\nER  - \n",
    ),
    (
        "RIS002",
        "TY  - JOUR\nTI - One\nER  - \n",
        "TY  - JOUR\nTI  - One\nER  - \n",
    ),
    ("RIS001", "TY-JOUR\nER  - \n", "TY  - JOUR\nER  - \n"),
    // On the last line of a CRLF file, without a line ending: the lines a
    // fix adds end as the file's do.
    (
        "RIS014",
        "TY  - BOOK\r\nER  - \r\nTY - JOUR T1 - Flat AU - Issa, Hamdi ER -",
        "TY  - BOOK\r\nER  - \r\nTY  - JOUR\r\nT1  - Flat\r\nAU  - Issa, Hamdi\r\nER  - ",
    ),
    (
        "RIS010",
        "TY  - BOOK\r\nER  - \r\nTY  - JOUR\r\nTI  - Last",
        "TY  - BOOK\r\nER  - \r\nTY  - JOUR\r\nTI  - Last\r\nER  - \r\n",
    ),
    (
        "RIS001",
        "TY  - JOUR\nAU  -Smith\nER  - \n",
        "TY  - JOUR\nAU  - Smith\nER  - \n",
    ),
    (
        "RIS003",
        "TY  - JOUR\nau  - Smith\nER  - \n",
        "TY  - JOUR\nAU  - Smith\nER  - \n",
    ),
    (
        "RIS031",
        "TY  - JOUR\nDO  - https://doi.org/10.1136/x\nER  - \n",
        "TY  - JOUR\nDO  - 10.1136/x\nER  - \n",
    ),
    (
        "RIS031",
        "TY  - JOUR\nDO  - doi: 10.1136/x\nER  - \n",
        "TY  - JOUR\nDO  - 10.1136/x\nER  - \n",
    ),
    (
        "RIS034",
        "TY  - JOUR\nM3  - doi: 10.1016/j.agee.2016.06.041\nER  - \n",
        "TY  - JOUR\nM3  - doi: 10.1016/j.agee.2016.06.041\nDO  - 10.1016/j.agee.2016.06.041\nER  - \n",
    ),
    ("RIS020", "TY  - JOURX\nER  - \n", "TY  - JOUR\nER  - \n"),
    (
        "RIS004",
        "TY  - JOUR\nTL  - x\nER  - \n",
        "TY  - JOUR\nT1  - x\nER  - \n",
    ),
    (
        "RIS062",
        "TY  - JOUR\nUR  - https://a.org\nUR  - https://a.org\nER  - \n",
        "TY  - JOUR\nUR  - https://a.org\nER  - \n",
    ),
    ("RIS021", "TY  - jour\nER  - \n", "TY  - JOUR\nER  - \n"),
    ("RIS015", "TY  - JOUR\nER  - junk\n", "TY  - JOUR\nN1  - junk\nER  - \n"),
];

fn diagnostics_with(published: &Value, code: &str) -> Vec<Value> {
    published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == code)
        .cloned()
        .collect()
}

#[test]
fn each_quick_fix_gives_the_expected_text_and_clears_its_diagnostic() {
    let (mut client, _) = Client::initialized(false);
    for (i, (code, before, after)) in CASES.iter().enumerate() {
        let uri = format!("{URI}{i}");
        client.open(&uri, before, 1);
        let published = client.diagnostics(&uri, Some(1));
        let found = diagnostics_with(&published, code);
        assert_eq!(found.len(), 1, "{code}: {published}");
        let actions = client.request(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": uri },
                "range": found[0]["range"],
                "context": { "diagnostics": [found[0]], "only": ["quickfix"] }
            }),
        );
        let action = actions
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["diagnostics"][0]["code"] == *code)
            .unwrap_or_else(|| panic!("no quick fix for {code}: {actions}"));
        assert_eq!(action["kind"], "quickfix");
        let edits = action["edit"]["changes"][&uri].as_array().unwrap();
        let fixed = apply_text_edits(before, edits);
        assert_eq!(fixed, *after, "{code}");
        client.replace_all(&uri, 2, &fixed);
        let published = client.diagnostics(&uri, Some(2));
        assert!(
            diagnostics_with(&published, code).is_empty(),
            "{code} still there: {published}"
        );
        if *code == "RIS014" {
            // The split record is one clean record with every value.
            assert_eq!(published["diagnostics"], json!([]), "{published}");
        }
    }
    client.shutdown();
}

#[test]
fn fix_all_fixes_every_safe_problem_in_one_edit_and_is_idempotent() {
    let (mut client, _) = Client::initialized(false);
    let before = "ty - jour\nau - Smith, J\nDO  - https://doi.org/10.1/x\nTI  - T\nTI  - T\n\nTY  - BOOK\nTI -  Two\n";
    client.open(URI, before, 1);
    client.diagnostics(URI, Some(1));
    let ask = |client: &mut Client| {
        client.request(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": URI },
                "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } },
                "context": { "diagnostics": [], "only": ["source.fixAll"] }
            }),
        )
    };
    let actions = ask(&mut client);
    let actions = actions.as_array().unwrap();
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert_eq!(actions[0]["kind"], "source.fixAll.ris");
    let edits = actions[0]["edit"]["changes"][URI].as_array().unwrap();
    assert_eq!(edits.len(), 2, "one edit per record it changes");
    let fixed = apply_text_edits(before, edits);
    assert_eq!(
        fixed,
        "TY  - JOUR\nAU  - Smith, J\nDO  - 10.1/x\nTI  - T\nER  - \n\nTY  - BOOK\nTI  - Two\nER  - \n"
    );
    client.replace_all(URI, 2, &fixed);
    assert_eq!(client.diagnostics(URI, Some(2))["diagnostics"], json!([]));
    assert_eq!(ask(&mut client), json!([]), "nothing left to fix");
    client.shutdown();
}

#[test]
fn formatting_and_range_formatting() {
    let (mut client, _) = Client::initialized(false);
    let before = "\nTY - JOUR  \nTI  -  A  \nER  - \n\n\n\nTY  - BOOK\nau  - X, Y\nER  - \n";
    client.open(URI, before, 1);
    let edits = client.request(
        "textDocument/formatting",
        json!({ "textDocument": { "uri": URI }, "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    let formatted = apply_text_edits(before, edits.as_array().unwrap());
    assert_eq!(
        formatted,
        "TY  - JOUR\nTI  - A\nER  - \n\nTY  - BOOK\nAU  - X, Y\nER  - \n"
    );
    let edits = client.request(
        "textDocument/rangeFormatting",
        json!({
            "textDocument": { "uri": URI },
            "range": { "start": { "line": 8, "character": 0 }, "end": { "line": 8, "character": 2 } },
            "options": { "tabSize": 2, "insertSpaces": true }
        }),
    );
    let partly = apply_text_edits(before, edits.as_array().unwrap());
    assert_eq!(
        partly,
        "\nTY - JOUR  \nTI  -  A  \nER  - \n\n\n\nTY  - BOOK\nAU  - X, Y\nER  - \n"
    );
    client.shutdown();
}

#[test]
fn outline_folding_links_hints_and_workspace_symbols() {
    let (mut client, _) = Client::initialized(false);
    let text = "TY  - JOUR\nAU  - Issa, Hamdi\nTI  - Benefiting the NHS\nT2  - BMJ Global Health\nPY  - 2021\nDO  - 10.1136/bmjgh-2021-004936\nUR  - https://gh.bmj.com/x\nER  - \n";
    client.open(URI, text, 1);
    let doc = json!({ "textDocument": { "uri": URI } });
    let symbols = client.request("textDocument/documentSymbol", doc.clone());
    assert_eq!(symbols[0]["name"], "JOUR · Issa 2021 · Benefiting the NHS");
    // Records only: a field per child would make the outline of a
    // 100,000-record export a million entries.
    assert!(symbols[0].get("children").is_none_or(|c| c.is_null()), "{symbols}");
    assert_eq!(symbols[0]["range"]["end"], json!({"line": 7, "character": 6}));
    let folds = client.request("textDocument/foldingRange", doc.clone());
    assert_eq!(folds[0]["startLine"], 0);
    assert_eq!(folds[0]["endLine"], 7);
    let links = client.request("textDocument/documentLink", doc.clone());
    assert_eq!(links[0]["target"], "https://doi.org/10.1136/bmjgh-2021-004936");
    assert_eq!(links[0]["range"]["start"], json!({"line": 5, "character": 6}));
    assert_eq!(links[1]["target"], "https://gh.bmj.com/x");
    let hints = client.request(
        "textDocument/inlayHint",
        json!({ "textDocument": { "uri": URI }, "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 8, "character": 0 } } }),
    );
    assert_eq!(hints[0]["label"], "Journal");
    assert_eq!(hints[0]["position"], json!({"line": 3, "character": 23}));
    // Lines added above: each answer moves with them (the parts of
    // unchanged records are reused with their lines made absolute again).
    client.change(URI, 2, [0, 0, 0, 0], "TY  - BOOK\nTI  - First\nER  - \n\n");
    client.diagnostics(URI, Some(2));
    let symbols = client.request("textDocument/documentSymbol", doc.clone());
    assert_eq!(symbols.as_array().unwrap().len(), 2);
    assert_eq!(symbols[1]["name"], "JOUR · Issa 2021 · Benefiting the NHS");
    assert_eq!(symbols[1]["range"]["start"], json!({"line": 4, "character": 0}));
    assert_eq!(symbols[1]["selectionRange"]["end"], json!({"line": 4, "character": 2}));
    let folds = client.request("textDocument/foldingRange", doc.clone());
    assert_eq!(folds[1], json!({"startLine": 4, "endLine": 11, "kind": "region"}));
    let links = client.request("textDocument/documentLink", doc.clone());
    assert_eq!(links[0]["range"]["start"], json!({"line": 9, "character": 6}));
    let found = client.request("workspace/symbol", json!({ "query": "issa" }));
    assert_eq!(found.as_array().unwrap().len(), 1);
    let found = client.request("workspace/symbol", json!({ "query": "10.1136/BMJGH" }));
    assert_eq!(found.as_array().unwrap().len(), 1);
    client.shutdown();
}

#[test]
fn configuration_from_the_project_file_and_the_editor() {
    let dir = std::env::temp_dir().join(format!("ris-lsp-config-{}", std::process::id()));
    let good = dir.join("good");
    let bad = dir.join("bad");
    std::fs::create_dir_all(&good).unwrap();
    std::fs::create_dir_all(&bad).unwrap();
    std::fs::write(
        good.join("ris-lsp.toml"),
        "[severity]\nempty-value = \"off\"\n[required]\nJOUR = [\"AU\"]\n",
    )
    .unwrap();
    std::fs::write(bad.join("ris-lsp.toml"), "[severity]\nRIS999 = \"off\"\n").unwrap();
    let text = "TY  - JOUR\nSP  - \nXX  - x\nER  - \n";
    let (mut client, _) = Client::initialized(false);

    let uri = format!("file://{}", good.join("a.ris").display());
    client.open(&uri, text, 1);
    let published = client.diagnostics(&uri, Some(1));
    let codes: Vec<&str> = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["RIS063", "RIS004"], "empty-value is off, AU is required");

    // The editor's settings come under the project file: XX allowed, AU still required.
    client.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "ris-lsp": {
            "extra-tags": ["XX"],
            // VS Code's own settings in the section are not the server's.
            "server": { "path": "" },
            "trace": { "server": "off" }
        } } }),
    );
    let published = client.diagnostics(&uri, Some(1));
    let codes: Vec<&str> = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["RIS063"]);

    // A bad file: a diagnostic on the file itself, and the defaults for the document.
    let uri = format!("file://{}", bad.join("b.ris").display());
    client.open(&uri, text, 1);
    let toml_uri = format!("file://{}", bad.join("ris-lsp.toml").display());
    let on_config = client.diagnostics(&toml_uri, None);
    assert_eq!(
        on_config["diagnostics"][0]["range"]["start"],
        json!({"line": 1, "character": 0})
    );
    assert!(
        on_config["diagnostics"][0]["message"]
            .as_str()
            .unwrap()
            .contains("RIS999")
    );
    let published = client.diagnostics(&uri, Some(1));
    let codes: Vec<&str> = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["RIS061"], "defaults, plus the editor's XX");
    client.shutdown();
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn fix_all_at_a_cursor_is_resolved_only_when_chosen() {
    let mut client = Client::start();
    client.request(
        "initialize",
        json!({ "capabilities": { "textDocument": {
            "codeAction": { "resolveSupport": { "properties": ["edit"] } } } } }),
    );
    client.notify("initialized", json!({}));
    let before = "ty  - JOUR\nTI  - T\nER  - \n";
    client.open(URI, before, 1);
    client.diagnostics(URI, Some(1));
    // Editors ask at every cursor move, with no `only`: fix-all comes
    // without its edit, which is computed when it is chosen.
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": URI },
            "range": { "start": { "line": 1, "character": 0 }, "end": { "line": 1, "character": 0 } },
            "context": { "diagnostics": [] }
        }),
    );
    let actions = actions.as_array().unwrap();
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert_eq!(actions[0]["kind"], "source.fixAll.ris");
    assert_eq!(actions[0]["title"], "Fix all safe problems (1)");
    assert!(actions[0].get("edit").is_none(), "{actions:?}");
    let resolved = client.request("codeAction/resolve", actions[0].clone());
    let edits = resolved["edit"]["changes"][URI].as_array().unwrap();
    assert_eq!(apply_text_edits(before, edits), "TY  - JOUR\nTI  - T\nER  - \n");
    client.shutdown();
}

#[test]
fn initialization_options_as_vs_code_sends_them() {
    let mut client = Client::start();
    client.request(
        "initialize",
        json!({
            "processId": null,
            "rootUri": null,
            "capabilities": {},
            "initializationOptions": {
                "severity": { "empty-value": "off", "RIS004": "error" },
                "extra-tags": [],
                "extra-types": ["INTV"],
                "required": {},
                "inlay-hints": true
            }
        }),
    );
    client.notify("initialized", json!({}));
    let uri = "file:///nonexistent-ris-lsp-dir/init.ris";
    client.open(uri, "TY  - INTV\nSP  - \nXX  - x\nER  - \n", 1);
    let published = client.diagnostics(uri, Some(1));
    let found: Vec<(&str, i64)> = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap(), d["severity"].as_i64().unwrap()))
        .collect();
    assert_eq!(
        found,
        [("RIS004", 1)],
        "INTV known, empty value off, unknown tag an error"
    );
    client.shutdown();
}

/// A Web of Science export in the editor: its own tags are one finding with
/// the count, the outline and the first `TY` name the exporter, and an edit
/// that removes one of them lowers the count.
#[test]
fn an_exporter_convention_is_one_finding_and_the_exporter_is_named() {
    let (mut client, _) = Client::initialized(false);
    let record = |n: u32| {
        format!(
            "TY  - JOUR\nTI  - Record {n}\nJ9  - VET COMP ORTHOPAED\nPU  - EXAMPLE VERLAG\nAN  - WOS:00000000000000{n}\nER  -\n\n"
        )
    };
    let text: String = (1..=3).map(record).collect();
    client.open(URI, &text, 1);
    let published = client.diagnostics(URI, Some(1));
    let tags = diagnostics_with(&published, "RIS005");
    assert_eq!(tags.len(), 1, "{published}");
    assert!(
        tags[0]["message"]
            .as_str()
            .unwrap()
            .ends_with("(5 more like it in this file)"),
        "{published}"
    );
    assert_eq!(tags[0]["relatedInformation"].as_array().unwrap().len(), 5);
    let doc = json!({ "textDocument": { "uri": URI } });
    let symbols = client.request("textDocument/documentSymbol", doc);
    assert_eq!(symbols[0]["name"], "Web of Science export, 3 records");
    assert_eq!(symbols[1]["name"], "JOUR · Record 1");
    let hover = client.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": URI }, "position": { "line": 0, "character": 7 } }),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("Web of Science export, 3 records"),
        "{hover}"
    );
    // Remove the third record's `PU` line (line 17): one fewer like it.
    client.change(URI, 2, [17, 0, 18, 0], "");
    let published = client.diagnostics(URI, Some(2));
    let tags = diagnostics_with(&published, "RIS005");
    assert!(
        tags[0]["message"]
            .as_str()
            .unwrap()
            .ends_with("(4 more like it in this file)"),
        "{published}"
    );
    client.shutdown();
}

/// A quirk on every line is shown once, yet a quick fix is offered on any
/// of its lines (the store keeps a pattern's first finding per record and
/// finds the rest when asked).
#[test]
fn a_quick_fix_on_any_line_of_a_quirk_on_every_line() {
    let (mut client, _) = Client::initialized(false);
    let record = |i: usize| {
        let notes: String = (0..12).map(|k| format!("N1  -  note {k}\n")).collect();
        format!("TY  -  JOUR\nTI  -  Title {i}\n{notes}ER  -  \n")
    };
    let before: String = (0..3).map(record).collect();
    client.open(URI, &before, 1);
    let published = client.diagnostics(URI, Some(1));
    let shown = published["diagnostics"].as_array().unwrap();
    assert_eq!(shown.len(), 1, "one finding for the pattern: {published}");
    // The eighth note of the second record.
    let line = before.lines().position(|l| l == "N1  -  note 7").unwrap() + 15;
    assert_eq!(before.lines().nth(line), Some("N1  -  note 7"));
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": URI },
            "range": { "start": { "line": line, "character": 1 }, "end": { "line": line, "character": 1 } },
            "context": { "diagnostics": [], "only": ["quickfix"] }
        }),
    );
    let actions = actions.as_array().unwrap();
    let action = actions
        .iter()
        .find(|a| a["diagnostics"][0]["code"] == shown[0]["code"])
        .unwrap_or_else(|| panic!("no quick fix on line {line}: {actions:?}"));
    let fixed = apply_text_edits(&before, action["edit"]["changes"][URI].as_array().unwrap());
    let mut lines: Vec<String> = before.lines().map(str::to_string).collect();
    lines[line] = "N1  - note 7".to_string();
    assert_eq!(fixed, lines.join("\n") + "\n");
    client.shutdown();
}

//! Data-driven check tests: every `tests/fixtures/NAME.ris` is checked and the
//! findings compared with `NAME.expected`; what fix-all (`check --fix`) and
//! `fmt` make of it is compared, byte for byte, with `NAME.fixed` and
//! `NAME.formatted`. A new case is a new `.ris` file. Run with
//! `UPDATE_EXPECT=1` to write the expected files after a deliberate change,
//! then review the diff.

use std::collections::BTreeSet;
use std::fmt::Write;
use std::path::Path;

use ris_lsp::checks::Code;
use ris_lsp::config::Config;
use ris_lsp::syntax::LineIndex;
use ris_lsp::{analysis, fix, format};

/// `line:col` (1-based, characters) of byte `offset`.
fn at(index: &LineIndex, offset: usize) -> String {
    let (line, column) = index.line_column(offset);
    format!("{line}:{column}")
}

/// The findings of `text` in a stable, reviewable text form, with the
/// configuration of a `NAME.toml` beside the fixture when there is one.
fn render(text: &str, config: &Config) -> String {
    let index = LineIndex::new(text);
    let mut out = String::new();
    let diagnostics = analysis::check(text, &config.rules());
    for d in diagnostics {
        let span = &text[d.span.start..d.span.end];
        let shown: String = span.chars().take(40).collect::<String>().escape_debug().to_string();
        writeln!(
            out,
            "{}-{} {} {} `{}`: {}",
            at(&index, d.span.start),
            at(&index, d.span.end),
            d.code,
            d.severity().as_str(),
            shown,
            d.message
        )
        .unwrap();
        for related in &d.related {
            writeln!(
                out,
                "    related {}: {}",
                at(&index, related.span.start),
                related.message
            )
            .unwrap();
        }
        if let Some(fix) = &d.fix {
            let edits: Vec<String> = fix
                .edits
                .iter()
                .map(|e| {
                    format!(
                        "{}..{} => {:?}",
                        at(&index, e.span.start),
                        at(&index, e.span.end),
                        e.text
                    )
                })
                .collect();
            writeln!(
                out,
                "    fix{}: {} [{}]",
                if fix.safe { "" } else { " (unsafe)" },
                fix.title,
                edits.join("; ")
            )
            .unwrap();
        }
    }
    if out.is_empty() {
        out.push_str("(no findings)\n");
    }
    out
}

fn fixtures() -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ris"))
        .collect();
    paths.sort();
    paths
}

#[test]
fn fixtures_match_expected_findings() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    for path in fixtures() {
        let (text, config) = read_fixture(&path);
        compare(
            &path.with_extension("expected"),
            &render(&text, &config),
            update,
            &mut failures,
        );
    }
    assert!(
        failures.is_empty(),
        "findings differ (UPDATE_EXPECT=1 to accept):\n{}",
        failures.join("\n")
    );
}

/// A fixture's text and the configuration of the `NAME.toml` beside it.
fn read_fixture(path: &Path) -> (String, Config) {
    let text = std::fs::read_to_string(path).unwrap();
    let config = match std::fs::read_to_string(path.with_extension("toml")) {
        Ok(toml) => Config::from_toml(&toml).unwrap(),
        Err(_) => Config::default(),
    };
    (text, config)
}

/// Compares `actual` with the file at `expected_path`, or writes it there
/// when updating; a difference is noted in `failures`.
fn compare(expected_path: &Path, actual: &str, update: bool, failures: &mut Vec<String>) {
    let expected = std::fs::read_to_string(expected_path).unwrap_or_default();
    if actual != expected {
        if update {
            std::fs::write(expected_path, actual).unwrap();
        } else {
            failures.push(format!("--- {}\n{actual}", expected_path.display()));
        }
    }
}

#[test]
fn fixtures_fix_and_format_as_expected() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    for path in fixtures() {
        let (text, config) = read_fixture(&path);
        let fixed = fix::fix_all(&text, &config.rules()).text;
        let formatted = format::format(&text);
        for (extension, actual) in [("fixed", fixed), ("formatted", formatted)] {
            compare(&path.with_extension(extension), &actual, update, &mut failures);
        }
    }
    assert!(
        failures.is_empty(),
        "fix-all or fmt output differs (UPDATE_EXPECT=1 to accept):\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_code_has_a_fixture() {
    // Each code must show up in some expected file (its positive case); the
    // lines around it in the same fixture are its negative cases.
    let mut seen = BTreeSet::new();
    for path in fixtures() {
        let expected = std::fs::read_to_string(path.with_extension("expected")).unwrap_or_default();
        for code in Code::ALL {
            if expected.contains(&format!(" {code} ")) {
                seen.insert(*code);
            }
        }
    }
    // Decoding findings come from the CLI; tests/cli.rs covers them. An
    // internal error needs a failing check: src/analysis/tests.rs and
    // tests/lsp.rs make one. Duplicates across the workspace are the
    // server's: tests/workspace.rs covers them.
    let missing: Vec<_> = Code::ALL
        .iter()
        .filter(|c| {
            !seen.contains(c)
                && !matches!(
                    c,
                    Code::NotUtf8 | Code::InternalError | Code::DuplicateRecord | Code::PossibleDuplicate
                )
        })
        .collect();
    assert!(missing.is_empty(), "codes without a fixture: {missing:?}");
}

#[test]
fn clean_fixture_has_no_findings() {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/clean.ris")).unwrap();
    assert_eq!(analysis::check(&text, &Default::default()), Vec::new());
}

#[test]
fn readme_table_gives_every_code_its_severity() {
    // The table in README.md is where people read why a code is as loud as
    // it is: it must list every code with the severity it has.
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let rows: Vec<(String, String)> = readme
        .lines()
        .filter_map(|line| {
            let mut cells = line.strip_prefix("| RIS")?.split('|').map(str::trim);
            Some((format!("RIS{}", cells.next()?), cells.next()?.to_string()))
        })
        .collect();
    let expected: Vec<(String, String)> = Code::ALL
        .iter()
        .map(|code| (code.as_str().to_string(), code.severity().as_str().to_string()))
        .collect();
    assert_eq!(rows, expected);
}

#[test]
fn exporter_layouts_are_quiet() {
    // Precision on real layouts: a file in an exporter's own layout gets a
    // handful of errors and warnings at most, for what an importer really
    // loses (Zotero keeping one `AD` of four, Google Scholar's `CITATION`
    // type read as a journal article), never one per record or per line.
    for path in fixtures().into_iter().filter(|p| {
        p.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("export_"))
    }) {
        let (text, config) = read_fixture(&path);
        let found = analysis::check_file(&text, &config.rules());
        assert!(found.exporter.is_some(), "{}: exporter not recognised", path.display());
        let loud: Vec<&str> = found
            .diagnostics
            .iter()
            .filter(|d| matches!(d.severity().as_str(), "error" | "warning"))
            .map(|d| d.code.as_str())
            .collect();
        assert!(loud.len() <= 3, "{}: {loud:?}", path.display());
    }
}

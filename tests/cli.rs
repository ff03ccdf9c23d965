//! `ris-lsp check` as a user runs it: output, exit codes, encodings, bad paths.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn run(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ris-lsp"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or_default()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn clean_file_exits_zero_and_says_so() {
    let output = run(&["check", "examples/clean.ris"], None);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(
        stdout(&output),
        "All clear: 0 errors, 0 warnings in 0 files of 1 file checked\n"
    );
}

#[test]
fn errors_exit_one_with_rustc_style_output() {
    let output = run(&["check", "examples/"], None);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    assert!(text.contains("error[RIS010]: this record is not closed"), "{text}");
    assert!(text.contains(" --> examples/broken.ris:4:1\n"), "{text}");
    assert!(text.contains("4 | TY  - JOUR\n  | ^^\n"), "{text}");
    assert!(
        text.ends_with("Found 3 errors, 10 warnings in 2 files of 3 files checked\n"),
        "{text}"
    );
}

#[test]
fn json_is_a_list_of_findings() {
    let output = run(&["check", "--format", "json", "examples/broken.ris"], None);
    assert_eq!(output.status.code(), Some(1));
    let findings: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let first = &findings[0];
    assert_eq!(first["code"], "RIS013");
    assert_eq!(first["severity"], "warning");
    assert_eq!(first["start"], serde_json::json!({"line": 1, "column": 1}));
    assert_eq!(findings.as_array().unwrap().len(), 12);
}

#[test]
fn stdin_utf16_and_windows_1252_are_read() {
    let output = run(&["check", "-"], Some(b"TY  - JOUR\nER  - \n"));
    assert_eq!(output.status.code(), Some(0));
    // UTF-16 LE with BOM.
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in "TY  - JOURX\r\nER  - \r\n".encode_utf16() {
        utf16.extend(unit.to_le_bytes());
    }
    let output = run(&["check", "-"], Some(&utf16));
    assert_eq!(output.status.code(), Some(1));
    assert!(stdout(&output).contains("`JOURX` is not a RIS reference type"));
    // Windows-1252: é is 0xE9.
    let output = run(&["check", "-"], Some(b"TY  - JOUR\nAU  - Andr\xe9, J\nER  - \n"));
    assert_eq!(output.status.code(), Some(0), "a warning, not an error");
    let text = stdout(&output);
    assert!(
        text.contains("warning[RIS080]: this file is not UTF-8 (byte 0xE9"),
        "{text}"
    );
    assert!(text.contains("<stdin>:2:1"), "{text}");
}

#[test]
fn bad_paths_exit_two_with_a_clear_message() {
    let output = run(&["check", "no/such/file.ris"], None);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no/such/file.ris: no such file or folder"));
    let output = run(&["check", "src/"], None);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no .ris files in this folder"));
    let dir = std::env::temp_dir().join(format!("ris-lsp-binary-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let binary = dir.join("binary.ris");
    std::fs::write(&binary, b"TY  - JOUR\0\0\x01\x02").unwrap();
    let output = run(&["check", binary.to_str().unwrap()], None);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("a binary file, not RIS text"));
    let output = run(&["check"], None);
    assert_eq!(output.status.code(), Some(2), "usage error");
}

#[test]
fn version_and_help_work() {
    let output = run(&["--version"], None);
    assert_eq!(output.status.code(), Some(0));
    assert!(stdout(&output).starts_with("ris-lsp "));
    let output = run(&["--help"], None);
    assert!(stdout(&output).contains("check"));
}

#[test]
fn subcommands_still_reject_unknown_flags() {
    let output = run(&["check", "--bogus", "examples/clean.ris"], None);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--bogus"));
    let output = run(&["fmt", "--check", "--stdio", "examples/clean.ris"], None);
    assert_eq!(output.status.code(), Some(2));
    let output = run(&["--stdio", "check", "examples/clean.ris"], None);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let output = run(&["--bogus", "check", "examples/clean.ris"], None);
    assert_eq!(output.status.code(), Some(2), "an unknown flag before a subcommand");
    // A stray word that is no flag's value is still a usage error.
    let output = run(&["chek"], None);
    assert_eq!(output.status.code(), Some(2));
}

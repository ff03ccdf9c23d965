//! `ris-lsp check` as a user runs it: output, exit codes, encodings, bad paths.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs the binary with `args` and `stdin`; fails the test if it has not
/// ended within a minute (a walk that never ends, a read that blocks).
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
    let bytes = stdin.unwrap_or_default().to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&bytes);
    });
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let _ = pipe.unwrap().read_to_end(&mut bytes);
            bytes
        })
    };
    let out = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let err = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("ris-lsp {args:?} did not end within a minute");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    writer.join().unwrap();
    Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A fresh, empty folder for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ris-lsp-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn arg(path: &Path) -> &str {
    path.to_str().unwrap()
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
        text.ends_with("Found 4 errors, 7 warnings, 2 notes in 2 files of 3 files checked\n"),
        "{text}"
    );
}

#[test]
fn json_is_a_list_of_findings() {
    let output = run(&["check", "--format", "json", "examples/broken.ris"], None);
    assert_eq!(output.status.code(), Some(1));
    let findings: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let first = &findings[0];
    // Its export header, which importers skip as meant.
    assert_eq!(first["code"], "RIS016");
    assert_eq!(first["severity"], "info");
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

/// A walk enters each real folder once (links back up and to itself are
/// seen), checks each real file once, and skips with a note, without
/// blocking, what is not a regular file.
#[cfg(unix)]
#[test]
fn folder_walks_follow_each_folder_once_and_skip_what_is_not_a_file() {
    use std::os::unix::fs::symlink;
    let dir = scratch("walk");
    std::fs::create_dir(dir.join("sub")).unwrap();
    std::fs::write(dir.join("a.ris"), "TY  - JOUR\nER  - \n").unwrap();
    std::fs::write(dir.join("sub/b.ris"), "TY  - JOURX\nER  - \n").unwrap();
    let fifo = std::ffi::CString::new(arg(&dir.join("fifo.ris"))).unwrap();
    // SAFETY: mkfifo(3) with a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
    let _socket = std::os::unix::net::UnixListener::bind(dir.join("socket.ris")).unwrap();
    // (entry, what makes it, the note it gets)
    let links: [(&str, &str, &str); 5] = [
        ("sub/up", "..", "sub/up: a folder already walked"),
        ("sub/self", ".", "sub/self: a folder already walked"),
        (
            "device.ris",
            "/dev/null",
            "device.ris: a device, not a regular file; skipped",
        ),
        ("gone.ris", "nowhere", "gone.ris: a link that leads nowhere"),
        ("alias.ris", "a.ris", ""),
    ];
    for (entry, target, _) in links {
        symlink(target, dir.join(entry)).unwrap();
    }
    let output = run(&["check", arg(&dir)], None);
    let (out, err) = (stdout(&output), stderr(&output));
    assert_eq!(output.status.code(), Some(1), "{out}{err}");
    assert!(out.ends_with("in 1 file of 2 files checked\n"), "each file once: {out}");
    assert_eq!(out.matches("sub/b.ris:1:7").count(), 1, "{out}");
    let notes = [
        "fifo.ris: a named pipe, not a regular file; skipped",
        "socket.ris: a socket, not a regular file; skipped",
    ];
    for note in notes.iter().copied().chain(links.iter().map(|l| l.2)) {
        assert!(err.contains(note), "{note:?} in {err}");
    }
    // fmt walks the same way.
    let output = run(&["fmt", "--check", arg(&dir)], None);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // Named twice, a file and its folder, a folder and one inside it: each
    // file still once, and no folder said to be empty.
    let (a, alias, sub) = (dir.join("a.ris"), dir.join("alias.ris"), dir.join("sub"));
    for paths in [
        vec![&dir, &a, &alias],
        vec![&dir, &dir],
        vec![&dir, &sub],
        vec![&sub, &dir],
    ] {
        let args: Vec<&str> = ["check"].into_iter().chain(paths.iter().map(|p| arg(p))).collect();
        let output = run(&args, None);
        assert_eq!(output.status.code(), Some(1), "{args:?}: {}", stderr(&output));
        assert!(stdout(&output).ends_with("of 2 files checked\n"), "{}", stdout(&output));
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A file named on the command line that cannot be read: exit 2 and a
/// message; a named pipe given by name is read, as `cat` would.
#[cfg(unix)]
#[test]
fn a_named_file_that_cannot_be_read_exits_two() {
    let dir = scratch("direct");
    let socket = dir.join("socket.ris");
    let _listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
    let gone = dir.join("gone.ris");
    std::os::unix::fs::symlink("nowhere", &gone).unwrap();
    for (path, said) in [
        (&socket, "socket.ris: cannot read"),
        (&gone, "gone.ris: no such file or folder"),
    ] {
        for command in ["check", "fmt"] {
            let output = run(&[command, arg(path)], None);
            assert_eq!(output.status.code(), Some(2), "{command} {path:?}");
            assert!(stderr(&output).contains(said), "{}", stderr(&output));
        }
    }
    let fifo = dir.join("pipe.ris");
    let name = std::ffi::CString::new(arg(&fifo)).unwrap();
    // SAFETY: mkfifo(3) with a NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o644) }, 0);
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, "TY  - JOUR\nER  - \n").unwrap())
    };
    let output = run(&["check", arg(&fifo)], None);
    writer.join().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).ends_with("of 1 file checked\n"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Writes a text in one encoding.
type Encoder = fn(&str) -> Vec<u8>;

/// How a test writes a text in each encoding the CLI reads.
const ENCODINGS: [(&str, Encoder); 5] = [
    ("UTF-8", |t| t.as_bytes().to_vec()),
    ("UTF-8 with BOM", |t| format!("\u{feff}{t}").into_bytes()),
    ("UTF-16 LE", |t| {
        let mut bytes = vec![0xFF, 0xFE];
        t.encode_utf16().for_each(|u| bytes.extend(u.to_le_bytes()));
        bytes
    }),
    ("UTF-16 BE", |t| {
        let mut bytes = vec![0xFE, 0xFF];
        t.encode_utf16().for_each(|u| bytes.extend(u.to_be_bytes()));
        bytes
    }),
    ("Windows-1252", |t| {
        let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(t);
        assert!(!unmappable, "{t:?}");
        bytes.into_owned()
    }),
];

/// Runs `args` on a file holding `bytes` (`{}` in `args` is its path) and
/// returns the output and the file's bytes afterwards.
fn on_file(dir: &Path, bytes: &[u8], args: &[&str]) -> (Output, Vec<u8>) {
    let path = dir.join("input.ris");
    std::fs::write(&path, bytes).unwrap();
    let args: Vec<&str> = args.iter().map(|a| if *a == "{}" { arg(&path) } else { a }).collect();
    let output = run(&args, None);
    (output, std::fs::read(&path).unwrap())
}

/// `check --fix` and `fmt`, on a file and on stdin, give in every encoding
/// exactly what they give in UTF-8, written in that encoding with its BOM.
#[test]
fn fixes_and_formatting_keep_the_encoding_and_bom() {
    let dir = scratch("encodings");
    let texts = [
        "TY - JOUR\r\nTI  - Café – 5 € naïve\r\nAU  - Müller, J\r\nER  - \r\n",
        "TY - JOURX\nTI  - Café 😀 中文\nER  - \n",
    ];
    let runs: [&[&str]; 4] = [
        &["check", "--fix", "{}"],
        &["fmt", "{}"],
        &["check", "--fix", "-"],
        &["fmt", "-"],
    ];
    for text in texts {
        for args in runs {
            let stdin = args.contains(&"-");
            let result = |bytes: &[u8]| -> (Option<i32>, Vec<u8>) {
                if stdin {
                    let output = run(args, Some(bytes));
                    (output.status.code(), output.stdout)
                } else {
                    let (output, after) = on_file(&dir, bytes, args);
                    (output.status.code(), after)
                }
            };
            let (utf8_code, utf8_result) = result(text.as_bytes());
            let utf8_result = String::from_utf8(utf8_result).unwrap();
            assert_ne!(utf8_result, text, "{args:?} changes something");
            for (name, encode) in ENCODINGS {
                if name == "Windows-1252" && text.contains('😀') {
                    continue;
                }
                let (code, bytes) = result(&encode(text));
                assert_eq!(code, utf8_code, "{name} {args:?}");
                assert!(
                    bytes == encode(&utf8_result),
                    "{name} {args:?}: {:?}",
                    String::from_utf8_lossy(&bytes)
                );
            }
        }
    }
    // Nothing to change: the bytes come back as they went in.
    for (name, encode) in ENCODINGS {
        let bytes = encode("TY  - JOUR\nTI  - Café\nER  - \n");
        for args in [["check", "--fix", "-"], ["fmt", "-", ""]] {
            let args: Vec<&str> = args.into_iter().filter(|a| !a.is_empty()).collect();
            let output = run(&args, Some(&bytes));
            assert_eq!(output.status.code(), Some(0), "{name} {args:?}");
            assert!(output.stdout == bytes, "{name} {args:?}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Windows-1252 is written back as Windows-1252: every byte of a line no
/// fix touches comes back as it was, the five bytes 1252 leaves undefined
/// among them.
#[test]
fn windows_1252_lines_come_back_byte_for_byte() {
    let dir = scratch("cp1252");
    let mut note = b"N1  - ".to_vec();
    note.extend((0x80..=0xFFu8).filter(|b| *b != 0xA0 && *b != 0x85));
    note.extend(b" \xA0\x85 end\n");
    let input = [b"TY - JOUR\n".as_slice(), &note, b"ER  - \n"].concat();
    let expected = [b"TY  - JOUR\n".as_slice(), &note, b"ER  - \n"].concat();
    for args in [&["check", "--fix", "{}"][..], &["fmt", "{}"]] {
        let (output, after) = on_file(&dir, &input, args);
        assert_eq!(output.status.code(), Some(0), "{args:?}: {}", stderr(&output));
        assert!(after == expected, "{args:?}: {:?}", String::from_utf8_lossy(&after));
    }
    let output = run(&["check", "--fix", "-"], Some(&input));
    assert!(output.stdout == expected);
    assert!(stderr(&output).contains("warning[RIS080]"), "{}", stderr(&output));
    let _ = std::fs::remove_dir_all(&dir);
}

/// UTF-16 that does not decode (a lone surrogate, an odd last byte) is
/// reported and never written back with U+FFFD in its place: files stay as
/// they were, stdin comes out as it went in, and writing was refused (2).
#[test]
fn broken_utf16_is_reported_and_never_rewritten() {
    let dir = scratch("surrogates");
    let utf16 = |text: &str| -> Vec<u8> { text.encode_utf16().flat_map(u16::to_le_bytes).collect() };
    let lone = [
        vec![0xFF, 0xFE],
        utf16("TY - JOUR\nTI  - "),
        vec![0x3D, 0xD8],
        utf16("A\nER  - \n"),
    ]
    .concat();
    let odd = [vec![0xFF, 0xFE], utf16("TY - JOUR\nER  - \n"), vec![0x41]].concat();
    for (name, bytes, said) in [
        (
            "lone surrogate",
            &lone,
            "1 unpaired UTF-16 surrogate(s) (the first, 0xD83D, at byte offset 34)",
        ),
        ("odd last byte", &odd, "an odd last byte"),
    ] {
        let output = run(&["check", "-"], Some(bytes));
        assert_eq!(output.status.code(), Some(0), "{name}: a warning");
        assert!(
            stdout(&output).contains(&format!("warning[RIS080]: this UTF-16 file holds {said}")),
            "{name}: {}",
            stdout(&output)
        );
        for args in [&["check", "--fix", "{}"][..], &["fmt", "{}"]] {
            let (output, after) = on_file(&dir, bytes, args);
            assert_eq!(output.status.code(), Some(2), "{name} {args:?}");
            assert!(&after == bytes, "{name} {args:?}: rewritten");
            assert!(
                stderr(&output).contains("not rewritten: it holds"),
                "{}",
                stderr(&output)
            );
        }
        for args in [&["check", "--fix", "-"][..], &["fmt", "-"]] {
            let output = run(args, Some(bytes));
            assert_eq!(output.status.code(), Some(2), "{name} {args:?}");
            assert!(&output.stdout == bytes, "{name} {args:?}: printed as it came");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// `check --fix -` prints the whole text, fixed or not, and exits as
/// `check` would for what is left; the report goes to stderr.
#[test]
fn check_fix_on_stdin_prints_the_whole_text_and_exits_for_what_remains() {
    // (input, the text printed, exit code, on stderr)
    let cases: [(&str, &str, i32, &str); 4] = [
        ("TY  - JOUR\nER  - \n", "TY  - JOUR\nER  - \n", 0, "All clear"),
        ("TY - JOUR\nER  - \n", "TY  - JOUR\nER  - \n", 0, "All clear"),
        ("TY - JOURX\nER  - \n", "TY  - JOURX\nER  - \n", 1, "error[RIS020]"),
        ("TY  - JOURX\nER  - \n", "TY  - JOURX\nER  - \n", 1, "Found 1 error"),
    ];
    for (input, printed, code, said) in cases {
        let output = run(&["check", "--fix", "-"], Some(input.as_bytes()));
        assert_eq!(stdout(&output), printed, "{input:?}");
        assert_eq!(output.status.code(), Some(code), "{input:?}");
        assert!(stderr(&output).contains(said), "{input:?}: {}", stderr(&output));
    }
    let output = run(
        &["check", "--fix", "--format", "json", "-"],
        Some(b"TY  - JOURX\nER  - \n"),
    );
    assert_eq!(stdout(&output), "TY  - JOURX\nER  - \n");
    let findings: serde_json::Value = serde_json::from_str(&stderr(&output)).unwrap();
    assert_eq!(findings[0]["code"], "RIS020");
    let output = run(&["fmt", "-"], Some(b"TY - JOURX\nER  - \n"));
    assert_eq!(stdout(&output), "TY  - JOURX\nER  - \n");
    assert_eq!(output.status.code(), Some(0));
}

/// What a file holds never reaches the terminal as control characters:
/// escape sequences, C0/C1 controls and bidirectional overrides in a value,
/// a message or a file name are shown escaped.
#[test]
fn control_characters_from_a_file_are_shown_escaped() {
    let hostile = [
        "\u{1b}[2J\u{1b}]0;title\u{7}",
        "\u{7}\u{8}\u{7f}",
        "\u{9b}31m",
        "\u{202e}evil",
        "x\u{85}y\u{2028}z",
    ];
    for bad in hostile {
        let input = format!("TY  - JOURX{bad}\nER  - \n");
        let output = run(&["check", "-"], Some(input.as_bytes()));
        let out = stdout(&output);
        assert_eq!(output.status.code(), Some(1), "{bad:?}");
        for c in bad.chars().filter(|c| c.is_control() || *c == '\u{202e}') {
            assert!(!out.contains(c), "{bad:?}: {c:?} reached the output: {out:?}");
            assert!(out.contains(&c.escape_unicode().to_string()), "{bad:?}: {out}");
        }
    }
    #[cfg(unix)]
    {
        let dir = scratch("names");
        let path = dir.join("evil\u{1b}[31m.ris");
        std::fs::write(&path, "TY  - JOURX\nER  - \n").unwrap();
        let output = run(&["check", arg(&dir)], None);
        assert!(!stdout(&output).contains('\u{1b}'), "{}", stdout(&output));
        assert!(
            stdout(&output).contains("evil\\u{1b}[31m.ris:1:7"),
            "{}",
            stdout(&output)
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// A very long line is shown cut around the finding, with its length.
#[test]
fn long_lines_are_shown_cut_with_their_length() {
    let input = format!(
        "TY  - JOUR\nDO  - 10.1000/{} b{}\nER  - \n",
        "a".repeat(3000),
        "c".repeat(3000)
    );
    let output = run(&["check", "-"], Some(input.as_bytes()));
    let out = stdout(&output);
    let line = out.lines().find(|l| l.starts_with("2 | ")).unwrap();
    assert!(line.ends_with("… (cut: the line has 6016 characters)"), "{line}");
    assert!(line.chars().count() < 250, "{line}");
    let fix = out.lines().find(|l| l.contains("= fix:")).unwrap();
    assert!(fix.ends_with("characters)"), "{fix}");
    assert!(fix.chars().count() < 500, "{fix}");
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

const COPY_A: &str = "TY  - JOUR\nID  - a1\nAU  - Moreau, C.\nTI  - Salt intake and blood pressure in rural cohorts\n\
T2  - J Clin Hypertens\nPY  - 2015\nVL  - 17\nSP  - 806\nEP  - 7\nKW  - salt\nER  - \n\n\
TY  - JOUR\nID  - a2\nAU  - Okafor, N.\nTI  - Malaria in pregnancy in coastal districts\nPY  - 2009\nER  - \n\n";
const COPY_B: &str = "TY  - JOUR\nID  - b1\nAU  - Moreau, Claire\nTI  - Salt Intake and Blood Pressure in Rural Cohorts.\n\
T2  - Journal of Clinical Hypertension\nPY  - 2016\nVL  - 17\nSP  - 806-807\nKW  - blood pressure\nDO  - 10.1234/jch.17.806\nER  - \n\n";

#[test]
fn dedupe_finds_copies_across_files_and_exits_one() {
    let dir = scratch("dedupe");
    std::fs::write(dir.join("a.ris"), COPY_A).unwrap();
    std::fs::write(dir.join("b.ris"), COPY_B).unwrap();
    let output = run(&["dedupe", "--format", "json", arg(&dir)], None);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let records = &json["clusters"][0]["records"];
    assert_eq!(json["clusters"].as_array().unwrap().len(), 1);
    assert_eq!(records[0]["file"], arg(&dir.join("a.ris")));
    assert_eq!(records[0]["line"], 1);
    assert_eq!(records[0]["id"], "a1");
    assert_eq!(records[1]["file"], arg(&dir.join("b.ris")));
    assert_eq!(records[1]["line"], 1);
    assert!(json["clusters"][0]["links"][0]["reason"].is_string());

    let human = run(&["dedupe", arg(&dir.join("a.ris")), arg(&dir.join("b.ris"))], None);
    assert!(stdout(&human).contains("a.ris:1"), "{}", stdout(&human));
    let csv = run(&["dedupe", "--format", "csv", "-"], Some(COPY_A.as_bytes()));
    assert_eq!(csv.status.code(), Some(0), "one file without copies: {}", stderr(&csv));
    assert_eq!(stdout(&csv), "group,status,file,line,id,score,reason\n");
    let not_ris = run(&["dedupe", "-"], Some(b"just some notes\n"));
    assert_eq!(not_ris.status.code(), Some(0));
    assert!(
        stderr(&not_ris).contains("<stdin>: no RIS records"),
        "{}",
        stderr(&not_ris)
    );
    let missing = run(&["dedupe", "no/such/file.ris"], None);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn dedupe_out_merges_keeping_every_value_and_never_overwrites_an_input() {
    let dir = scratch("dedupe-out");
    std::fs::write(dir.join("a.ris"), COPY_A).unwrap();
    std::fs::write(dir.join("b.ris"), COPY_B).unwrap();
    let a = dir.join("a.ris");
    let refused = run(&["dedupe", arg(&dir), "--out", arg(&a)], None);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("is an input"), "{}", stderr(&refused));
    assert_eq!(std::fs::read_to_string(&a).unwrap(), COPY_A);

    let merged_path = dir.join("merged.txt");
    let output = run(&["dedupe", arg(&dir), "--out", arg(&merged_path)], None);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let merged = std::fs::read_to_string(&merged_path).unwrap();
    assert_eq!(merged.matches("TY  - ").count(), 2, "{merged}");
    for kept in [
        "KW  - salt",
        "KW  - blood pressure",
        "DO  - 10.1234/jch.17.806",
        "AU  - Moreau, Claire",
        "ID  - a1",
    ] {
        assert!(merged.contains(kept), "{kept} in {merged}");
    }
    // Single values that differ go to a note: the other ID, the other year.
    assert!(merged.contains("N1  - Merged duplicate"), "{merged}");
    assert!(merged.contains("ID  - b1"), "{merged}");
    assert!(merged.contains("PY  - 2016"), "{merged}");
    assert!(merged.contains("TI  - Malaria in pregnancy"), "{merged}");
}

/// The binary fixes and formats every fixture as `tests/fixtures` records
/// it (`NAME.fixed`, `NAME.formatted`), byte for byte, and formatting its
/// output again changes nothing: the value-keeping cases (a DOI with white
/// space, continued fields, a DOI in a wrapped note, wrapped prose that
/// looks like tags, CRLF files ending without a line break, Unicode white
/// space, BOMs in mid-file) as a user runs them.
#[test]
fn fixtures_fix_and_format_through_the_binary_as_recorded() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        // A fixture with its own configuration is checked with it in tests/fixtures.rs.
        if path.extension().is_none_or(|e| e != "ris") || path.with_extension("toml").exists() {
            continue;
        }
        let input = std::fs::read(&path).unwrap();
        // The CLI refuses a file with NUL bytes as binary (a fuzzing find
        // that holds some); the library's output is pinned in tests/fixtures.rs.
        if input.contains(&0) {
            continue;
        }
        for (args, expected) in [
            (&["check", "--fix", "-"][..], "fixed"),
            (&["fmt", "-"][..], "formatted"),
        ] {
            let output = run(args, Some(&input));
            let want = std::fs::read(path.with_extension(expected)).unwrap();
            assert!(
                output.stdout == want,
                "{args:?} on {}: {}",
                path.display(),
                stdout(&output)
            );
        }
        let formatted = std::fs::read(path.with_extension("formatted")).unwrap();
        let again = run(&["fmt", "-"], Some(&formatted));
        assert!(again.stdout == formatted, "fmt twice on {}", path.display());
        checked += 1;
    }
    assert!(checked >= 20, "{checked} fixtures");
}

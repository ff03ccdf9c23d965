//! Times one in-process call of the core on a file, for `bench/compare.sh`.
//!
//! ```sh
//! target/release/examples/time_check check big.ris   # prints "SECONDS FINDINGS"
//! target/release/examples/time_check parse big.ris   # prints "SECONDS RECORDS"
//! ```
//!
//! The file is read (as UTF-8) before the clock starts, as the peers' parse
//! timings in `compare.sh` do; `check` is `analysis::check`, what
//! `ris-lsp check` runs after reading and decoding, and `parse` is
//! `syntax::parse` alone.

use std::process::ExitCode;
use std::time::Instant;

use ris_lsp::{analysis, syntax};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [mode, path] = args.as_slice() else {
        eprintln!("usage: time_check parse|check FILE");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("error: {path}: {error}");
            return ExitCode::from(2);
        }
    };
    // The result is dropped after the clock stops, as in the peers' timings.
    let (elapsed, count) = match mode.as_str() {
        "parse" => {
            let started = Instant::now();
            let parse = syntax::parse(&text);
            (started.elapsed(), parse.records.len())
        }
        "check" => {
            let started = Instant::now();
            let diagnostics = analysis::check(&text, &Default::default());
            (started.elapsed(), diagnostics.len())
        }
        _ => {
            eprintln!("error: unknown mode {mode:?} (parse or check)");
            return ExitCode::from(2);
        }
    };
    println!("{:.6} {count}", elapsed.as_secs_f64());
    ExitCode::SUCCESS
}

//! Writes generated RIS text to stdout, for benchmarks and comparisons.
//!
//! ```sh
//! cargo run --release --example gen_ris -- 100000 --defects 0.01 > big.ris
//! ```
//!
//! Usage: `gen_ris RECORDS [--defects RATE] [--seed N] [--crlf]`. The same
//! arguments always give the same bytes (see `benches/common/generate.rs`).

#[path = "../benches/common/generate.rs"]
mod generate;

use std::io::{BufWriter, Write};
use std::process::ExitCode;

const USAGE: &str = "usage: gen_ris RECORDS [--defects RATE] [--seed N] [--crlf]";

fn parse_args() -> Result<generate::Options, String> {
    let mut args = std::env::args().skip(1);
    let mut records = None;
    let mut options = generate::Options::new(0);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        match arg.as_str() {
            "--defects" => {
                let rate: f64 = value("--defects")?.parse().map_err(|e| format!("--defects: {e}"))?;
                if !(0.0..=1.0).contains(&rate) {
                    return Err("--defects must be between 0 and 1".to_string());
                }
                options.defects = rate;
            }
            "--seed" => options.seed = value("--seed")?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--crlf" => options.crlf = true,
            "-h" | "--help" => return Err(String::new()),
            _ if records.is_none() && !arg.starts_with('-') => {
                records = Some(arg.parse().map_err(|e| format!("RECORDS: {e}"))?);
            }
            _ => return Err(format!("unexpected argument {arg:?}")),
        }
    }
    options.records = records.ok_or("RECORDS is required")?;
    Ok(options)
}

fn main() -> ExitCode {
    let options = match parse_args() {
        Ok(options) => options,
        Err(message) => {
            if !message.is_empty() {
                eprintln!("error: {message}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(if message.is_empty() { 0 } else { 2 });
        }
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut result = Ok(());
    generate::for_each_record(&options, |record| {
        if result.is_ok() {
            result = out.write_all(record.as_bytes());
        }
    });
    match result.and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) if error.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(1)
        }
    }
}

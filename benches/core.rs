//! Core benchmarks: parse, full check, open a document, one keystroke.
//!
//! ```sh
//! cargo bench --bench core                                # 1k and 10k records
//! RIS_BENCH_SIZES=1000,10000,100000 cargo bench --bench core
//! cargo bench --bench core -- '10000/clean/edit'          # one benchmark
//! ```
//!
//! Inputs come from `benches/common/generate.rs` (about 1.18 KB a record),
//! clean and with 1% of records carrying a defect (`RIS_BENCH_DEFECTS`
//! overrides the rates, e.g. `0` or `0,0.05`). Whole-text benchmarks report
//! bytes of text per second; `edit`, `apply` and `diagnostics` report
//! keystrokes per second, and what matters is how little their time grows
//! with the size of the file.
//!
//! - `parse`: `syntax::parse` over the whole text.
//! - `check`: `analysis::check`, what `ris-lsp check` does after reading.
//! - `open`: `Document::new`, what `didOpen` does before publishing.
//! - `edit`: one keystroke in the middle record (`Document::apply` of one
//!   change), then `Document::diagnostics()`: what `didChange` costs before
//!   the conversion to LSP. Keystrokes alternate typing a character and
//!   deleting it, so the text does not grow.
//! - `apply` and `diagnostics`: the two halves of `edit`.

#[path = "common/generate.rs"]
mod generate;

use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use ris_lsp::analysis;
use ris_lsp::checks::Rules;
use ris_lsp::document::{Change, Document};
use ris_lsp::syntax::{self, Span};

fn list<T: std::str::FromStr>(var: &str, default: &str) -> Vec<T> {
    let text = std::env::var(var).unwrap_or_else(|_| default.to_string());
    text.split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse().unwrap_or_else(|_| panic!("{var}: cannot read {s:?}")))
        .collect()
}

/// Byte offset of the end of the title line of the record nearest the middle.
fn middle_title_end(text: &str) -> usize {
    let record = text[text.len() / 2..]
        .find("\nTY  - ")
        .map_or(0, |i| text.len() / 2 + i + 1);
    let title = record + text[record..].find("\nTI  - ").expect("every record has a title") + 1;
    title + text[title..].find(['\r', '\n']).unwrap_or(text.len() - title)
}

fn label(defects: f64) -> String {
    if defects == 0.0 {
        "clean".to_string()
    } else {
        format!("defects-{}%", defects * 100.0)
    }
}

fn benches(c: &mut Criterion) {
    let sizes: Vec<usize> = list("RIS_BENCH_SIZES", "1000,10000");
    let rates: Vec<f64> = list("RIS_BENCH_DEFECTS", "0,0.01");
    for &records in &sizes {
        for &defects in &rates {
            let text = generate::generate(&generate::Options::new(records).with_defects(defects));
            let bytes = text.len() as u64;
            let mut group = c.benchmark_group(format!("{records}/{}", label(defects)));
            group.throughput(Throughput::Bytes(bytes));
            if records >= 50_000 {
                // Whole-file work takes a tenth of a second or more here.
                group
                    .sample_size(10)
                    .sampling_mode(SamplingMode::Flat)
                    .measurement_time(Duration::from_secs(20));
            } else {
                group
                    .sample_size(20)
                    .warm_up_time(Duration::from_secs(1))
                    .measurement_time(Duration::from_secs(3));
            }

            group.bench_function("parse", |b| b.iter(|| syntax::parse(&text)));
            group.bench_function("check", |b| b.iter(|| analysis::check(&text, &Rules::default())));
            group.bench_function("open", |b| b.iter(|| Document::new(&text, 1)));

            let at = middle_title_end(&text);
            let mut document = Document::new(&text, 1);
            let mut version = 1;
            let mut typed = false;
            let mut keystroke = |document: &mut Document| {
                version += 1;
                let change = if typed {
                    Change {
                        range: Some(Span::new(at, at + 1)),
                        text: String::new(),
                    }
                } else {
                    Change {
                        range: Some(Span::new(at, at)),
                        text: "x".to_string(),
                    }
                };
                typed = !typed;
                document.apply(vec![change], version);
            };
            // Per keystroke from here on: keystrokes per second.
            group.throughput(Throughput::Elements(1));
            group.bench_function("edit", |b| {
                b.iter(|| {
                    keystroke(&mut document);
                    document.diagnostics()
                })
            });
            group.bench_function("apply", |b| b.iter(|| keystroke(&mut document)));
            group.bench_function("diagnostics", |b| b.iter(|| document.diagnostics()));
            group.finish();
        }
    }
}

criterion_group!(core, benches);
criterion_main!(core);

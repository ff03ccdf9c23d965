//! Scores `ris-lsp dedupe` on labelled sets: pair precision and pair recall
//! against each set's `truth_clusters.csv` (records keyed by their RIS `ID`),
//! the wall time, and whether the records shuffled and split over several
//! files give the same clusters.
//!
//! ```sh
//! cargo build --release && cargo run --release --example dedupe_bench -- ../shared/dedupe
//! ```
//!
//! Usage: `dedupe_bench [SETS_FOLDER] [--bin PATH] [--split N] [--show-errors]`.
//! A set is a folder holding `records.ris` and `truth_clusters.csv`
//! (`cluster_id,record_id`, one row per record that has a duplicate).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

/// Published figures for bib-dedupe 0.11.0 on the same sets (precision,
/// recall, seconds), as the sets' README reports them.
const BIB_DEDUPE: &[(&str, f64, f64, f64)] = &[
    ("rathbone2015-stroke", 1.000, 0.996, 7.0),
    ("rathbone2015-cytology-screening", 1.000, 0.985, 9.0),
    ("rathbone2015-respiratory", 1.000, 0.925, 25.0),
    ("rathbone2015-haematology", 0.985, 0.828, 10.0),
];

type Pair = (String, String);

fn pair(a: &str, b: &str) -> Pair {
    if a < b {
        (a.into(), b.into())
    } else {
        (b.into(), a.into())
    }
}

fn pairs_of(clusters: &[Vec<String>]) -> BTreeSet<Pair> {
    let mut out = BTreeSet::new();
    for cluster in clusters {
        for (i, a) in cluster.iter().enumerate() {
            for b in &cluster[i + 1..] {
                out.insert(pair(a, b));
            }
        }
    }
    out
}

fn truth(path: &Path) -> Result<Vec<Vec<String>>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut by: HashMap<String, Vec<String>> = HashMap::new();
    for line in text.lines().skip(1) {
        if let Some((cluster, record)) = line.trim().split_once(',') {
            by.entry(cluster.to_string()).or_default().push(record.to_string());
        }
    }
    Ok(by.into_values().collect())
}

/// Runs the binary on `paths`; the clusters as ID lists, the possible
/// pairs, and the seconds taken.
fn run(bin: &Path, paths: &[PathBuf]) -> Result<(Vec<Vec<String>>, usize, f64), String> {
    let start = Instant::now();
    let output = Command::new(bin)
        .arg("dedupe")
        .arg("--format")
        .arg("json")
        .args(paths)
        .output()
        .map_err(|e| format!("{}: {e}", bin.display()))?;
    let seconds = start.elapsed().as_secs_f64();
    if !matches!(output.status.code(), Some(0 | 1)) {
        return Err(format!("dedupe failed: {}", String::from_utf8_lossy(&output.stderr)));
    }
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).map_err(|e| format!("bad JSON: {e}"))?;
    let ids = |records: &serde_json::Value| -> Vec<String> {
        records
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r["id"].as_str().map(str::to_string))
            .collect()
    };
    let clusters = json["clusters"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| ids(&c["records"]))
        .collect();
    let possible = json["possible"].as_array().map_or(0, Vec::len);
    Ok((clusters, possible, seconds))
}

/// Records of `text` (split at `TY` lines), shuffled with `seed` and dealt
/// into `n` files in `dir`.
fn split(text: &str, n: usize, seed: u64, dir: &Path) -> Result<Vec<PathBuf>, String> {
    let mut records: Vec<&str> = Vec::new();
    let mut start = 0;
    for (at, _) in text.match_indices("\nTY  - ") {
        records.push(&text[start..=at]);
        start = at + 1;
    }
    records.push(&text[start..]);
    let mut state = seed | 1;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for i in (1..records.len()).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        records.swap(i, j);
    }
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let mut files = vec![String::new(); n];
    for (i, record) in records.iter().enumerate() {
        files[i % n].push_str(record);
        if !record.ends_with('\n') {
            files[i % n].push('\n');
        }
    }
    let mut paths = Vec::new();
    for (i, body) in files.iter().enumerate() {
        let path = dir.join(format!("part{i}.ris"));
        std::fs::write(&path, body).map_err(|e| e.to_string())?;
        paths.push(path);
    }
    Ok(paths)
}

fn canonical(clusters: &[Vec<String>]) -> BTreeSet<BTreeSet<String>> {
    clusters.iter().map(|c| c.iter().cloned().collect()).collect()
}

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let mut folder = PathBuf::from("../shared/dedupe");
    let mut bin = PathBuf::from("target/release/ris-lsp");
    let mut parts = 5;
    let mut show = false;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--bin" => bin = args.next().map(PathBuf::from).unwrap_or(bin),
            "--split" => parts = args.next().and_then(|n| n.parse().ok()).unwrap_or(parts),
            "--show-errors" => show = true,
            _ => folder = PathBuf::from(arg),
        }
    }
    let mut sets: Vec<PathBuf> = match std::fs::read_dir(&folder) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.join("records.ris").is_file() && p.join("truth_clusters.csv").is_file())
            .collect(),
        Err(e) => {
            eprintln!("{}: {e}", folder.display());
            return ExitCode::from(2);
        }
    };
    sets.sort();
    println!(
        "| set | records | true pairs | precision | recall | time | possible pairs | split over {parts} files | bib-dedupe precision | recall | time |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|");
    let scratch = std::env::temp_dir().join(format!("dedupe_bench_{}", std::process::id()));
    for set in &sets {
        let name = set.file_name().unwrap_or_default().to_string_lossy().to_string();
        let records = set.join("records.ris");
        let result = (|| -> Result<(), String> {
            let text = std::fs::read_to_string(&records).map_err(|e| e.to_string())?;
            let count = text.matches("\nTY  - ").count() + usize::from(text.starts_with("TY  - "));
            let truth = truth(&set.join("truth_clusters.csv"))?;
            let true_pairs = pairs_of(&truth);
            // Best of three runs: the machine is shared.
            let mut best = f64::MAX;
            let mut found = Vec::new();
            let mut possible = 0;
            for _ in 0..3 {
                let (clusters, p, seconds) = run(&bin, std::slice::from_ref(&records))?;
                best = best.min(seconds);
                found = clusters;
                possible = p;
            }
            let predicted = pairs_of(&found);
            let hits = predicted.intersection(&true_pairs).count();
            let precision = if predicted.is_empty() {
                1.0
            } else {
                hits as f64 / predicted.len() as f64
            };
            let recall = if true_pairs.is_empty() {
                1.0
            } else {
                hits as f64 / true_pairs.len() as f64
            };
            let paths = split(&text, parts, 0x9e37_79b9_7f4a_7c15, &scratch.join(&name))?;
            let (split_clusters, _, _) = run(&bin, &paths)?;
            let same = if canonical(&split_clusters) == canonical(&found) {
                "same clusters"
            } else {
                "DIFFERENT"
            };
            let bib = BIB_DEDUPE.iter().find(|(n, ..)| *n == name);
            let bib = bib.map_or("| – | – | – |".to_string(), |(_, p, r, t)| {
                format!("| {p:.3} | {r:.3} | {t:.0} s |")
            });
            println!(
                "| {name} | {count} | {} | {precision:.3} | {recall:.3} | {:.3} s | {possible} | {same} {bib}",
                true_pairs.len(),
                best
            );
            if show {
                for p in predicted.difference(&true_pairs) {
                    eprintln!("{name}: false pair {} {}", p.0, p.1);
                }
                for p in true_pairs.difference(&predicted) {
                    eprintln!("{name}: missed pair {} {}", p.0, p.1);
                }
            }
            Ok(())
        })();
        if let Err(error) = result {
            println!("| {name} | error: {error} |");
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);
    ExitCode::SUCCESS
}

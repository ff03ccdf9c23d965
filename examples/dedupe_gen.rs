//! Generates a workspace for the duplicate scale benchmark: RECORDS records
//! in FILES files, some of them perturbed copies of others (journal
//! abbreviated or spelled out, DOI dropped, a typo in the title, the title's
//! case changed, pages written `806-7`, authors cut to initials), and scores
//! `ris-lsp dedupe --format json` output against what it made.
//!
//! ```sh
//! cargo run --release --example dedupe_gen -- 1000000 10 /tmp/scale
//! target/release/ris-lsp dedupe --format json /tmp/scale > /tmp/scale.json
//! cargo run --release --example dedupe_gen -- --score /tmp/scale.json
//! ```
//!
//! Record IDs are `wN.C`: work N, copy C; copies of one work are duplicates.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::process::ExitCode;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() % 1_000_000) as f64 / 1_000_000.0 < p
    }
}

const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ter", "san", "vo", "ra", "en", "dul", "pha", "gen", "cor", "ti", "nu", "bel", "ox", "ze", "mar",
    "li", "sto", "pre", "na", "gra", "vi", "um", "hel", "qui", "tor", "ad", "fe",
];

const JOURNALS: &[(&str, &str)] = &[
    ("Journal of Clinical Medicine", "J Clin Med"),
    ("American Journal of Epidemiology", "Am J Epidemiol"),
    ("European Journal of Neurology", "Eur J Neurol"),
    ("International Journal of Cardiology", "Int J Cardiol"),
    ("Journal of Pediatric Surgery", "J Pediatr Surg"),
    ("Annals of Internal Medicine", "Ann Intern Med"),
    ("British Journal of Haematology", "Br J Haematol"),
    ("Clinical Infectious Diseases", "Clin Infect Dis"),
    ("Journal of Applied Physiology", "J Appl Physiol"),
    (
        "Archives of Physical Medicine and Rehabilitation",
        "Arch Phys Med Rehabil",
    ),
];

fn word(rng: &mut Rng) -> String {
    let n = 2 + rng.below(2);
    (0..n).map(|_| SYLLABLES[rng.below(SYLLABLES.len())]).collect()
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

struct Work {
    title: String,
    authors: Vec<(String, String)>,
    journal: usize,
    year: u32,
    volume: u32,
    issue: u32,
    first: u32,
    last: u32,
    doi: String,
}

fn work(rng: &mut Rng, n: usize) -> Work {
    let words: Vec<String> = (0..6 + rng.below(9)).map(|_| word(rng)).collect();
    let authors = (0..1 + rng.below(6))
        .map(|_| (capitalised(&word(rng)), capitalised(&word(rng))))
        .collect();
    let first = 1 + rng.below(2000) as u32;
    Work {
        title: capitalised(&words.join(" ")),
        authors,
        journal: rng.below(JOURNALS.len()),
        year: 1990 + rng.below(35) as u32,
        volume: 1 + rng.below(120) as u32,
        issue: 1 + rng.below(12) as u32,
        first,
        last: first + rng.below(15) as u32,
        doi: format!("10.{}/gen.{n}", 1000 + rng.below(9000)),
    }
}

/// One record of `w`; a copy (`copy > 0`) is perturbed.
fn record(rng: &mut Rng, w: &Work, n: usize, copy: usize, out: &mut String) {
    let perturb = copy > 0;
    let _ = writeln!(out, "TY  - JOUR\nID  - w{n}.{copy}");
    let initials = perturb && rng.chance(0.5);
    for (surname, given) in &w.authors {
        if initials {
            let _ = writeln!(out, "AU  - {surname}, {}.", &given[..1]);
        } else {
            let _ = writeln!(out, "AU  - {surname}, {given}");
        }
    }
    let mut title = w.title.clone();
    if perturb && rng.chance(0.3) && title.len() > 20 {
        // A typo: one letter dropped.
        let at = 5 + rng.below(title.len() - 10);
        if title.is_char_boundary(at) && title.is_char_boundary(at + 1) {
            title.remove(at);
        }
    }
    if perturb && rng.chance(0.3) {
        title = title.to_uppercase();
    } else if perturb && rng.chance(0.3) {
        title.push('.');
    }
    let _ = writeln!(out, "TI  - {title}");
    let (full, short) = JOURNALS[w.journal];
    let _ = writeln!(out, "T2  - {}", if perturb && rng.chance(0.5) { short } else { full });
    let _ = writeln!(out, "PY  - {}", w.year);
    let _ = writeln!(out, "VL  - {}", w.volume);
    if !perturb || rng.chance(0.7) {
        let _ = writeln!(out, "IS  - {}", w.issue);
    }
    if perturb && rng.chance(0.4) && w.last >= 10 {
        // `806-7`: the end abbreviated, in SP.
        let last = w.last.to_string();
        let first = w.first.to_string();
        let keep = last.len().min(first.len());
        let common = first
            .bytes()
            .zip(last.bytes())
            .take_while(|(a, b)| a == b)
            .count()
            .min(keep - 1);
        let _ = writeln!(out, "SP  - {first}-{}", &last[common..]);
    } else {
        let _ = writeln!(out, "SP  - {}\nEP  - {}", w.first, w.last);
    }
    if !perturb || rng.chance(0.5) {
        let _ = writeln!(out, "DO  - {}", w.doi);
    }
    out.push_str("ER  - \n\n");
}

fn generate(records: usize, files: usize, dir: &str) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut outs: Vec<std::io::BufWriter<std::fs::File>> = (0..files)
        .map(|i| std::fs::File::create(format!("{dir}/part{i:02}.ris")).map(std::io::BufWriter::new))
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let (mut made, mut n, mut pairs) = (0, 0usize, 0usize);
    let mut text = String::new();
    while made < records {
        let w = work(&mut rng, n);
        // A quarter of the works come back one to three more times.
        let copies = if rng.chance(0.25) { 1 + rng.below(3) } else { 0 };
        let copies = copies.min(records - made - 1);
        pairs += (copies + 1) * copies / 2;
        for copy in 0..=copies {
            text.clear();
            record(&mut rng, &w, n, copy, &mut text);
            let file = rng.below(files);
            outs[file].write_all(text.as_bytes()).map_err(|e| e.to_string())?;
        }
        made += copies + 1;
        n += 1;
    }
    for out in &mut outs {
        out.flush().map_err(|e| e.to_string())?;
    }
    println!("{made} records ({n} works) in {files} files under {dir}; {pairs} true pairs");
    Ok(())
}

fn score(path: &str) -> Result<(), String> {
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let json: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
    let (mut predicted, mut hits) = (0usize, 0usize);
    for cluster in json["clusters"].as_array().into_iter().flatten() {
        let ids: Vec<&str> = cluster["records"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r["id"].as_str())
            .collect();
        let mut works: HashMap<&str, usize> = HashMap::new();
        for id in &ids {
            *works.entry(id.split('.').next().unwrap_or("")).or_default() += 1;
        }
        predicted += ids.len() * (ids.len() - 1) / 2;
        hits += works.values().map(|k| k * (k - 1) / 2).sum::<usize>();
    }
    println!(
        "{} records, {predicted} predicted pairs, {hits} true among them (precision {:.4})",
        json["records"],
        if predicted == 0 {
            1.0
        } else {
            hits as f64 / predicted as f64
        }
    );
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.as_slice() {
        [flag, path] if flag == "--score" => score(path),
        [records, files, dir] => match (records.parse(), files.parse()) {
            (Ok(records), Ok(files)) if files > 0 => generate(records, files, dir),
            _ => Err("RECORDS and FILES are numbers".to_string()),
        },
        _ => Err("usage: dedupe_gen RECORDS FILES DIR | dedupe_gen --score OUT.json".to_string()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("{error}");
            ExitCode::from(2)
        }
    }
}

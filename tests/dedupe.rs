//! Data-driven duplicate tests: every folder `tests/dedupe/CASE/` holds RIS
//! files (read in name order, as one workspace) and `expected`, the
//! clusters and possible pairs found, with their reasons. Run with
//! `UPDATE_EXPECT=1` to write the expected files after a deliberate change,
//! then review the diff.

use std::fmt::Write;
use std::path::{Path, PathBuf};

use ris_lsp::dedupe::{self, Key};

/// The records of a case: (file name, 1-based line, key), files in name order.
fn records(dir: &Path) -> Vec<(String, usize, Key)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "ris"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        for located in dedupe::keys(&text) {
            out.push((name.clone(), located.line + 1, located.into_key()));
        }
    }
    out
}

fn render(records: &[(String, usize, Key)]) -> String {
    let keys: Vec<Key> = records.iter().map(|r| r.2.clone()).collect();
    let found = dedupe::find(&keys);
    let at = |i: u32| {
        let (file, line, key) = &records[i as usize];
        format!("{file}:{line} ({})", key.id.as_deref().unwrap_or("-"))
    };
    let mut out = String::new();
    for (members, links) in found.clusters.iter().zip(&found.links) {
        let places: Vec<String> = members.iter().map(|&i| at(i)).collect();
        writeln!(out, "duplicates: {}", places.join(", ")).unwrap();
        for link in links {
            writeln!(out, "    {} ~ {}: {}", at(link.a), at(link.b), link.decision.reason).unwrap();
        }
    }
    for link in &found.possible {
        writeln!(
            out,
            "possible: {} ~ {}: {}",
            at(link.a),
            at(link.b),
            link.decision.reason
        )
        .unwrap();
    }
    if out.is_empty() {
        out.push_str("no duplicates\n");
    }
    out
}

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/dedupe");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    cases
}

#[test]
fn every_case_finds_what_is_expected() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut failures = Vec::new();
    for case in cases() {
        let got = render(&records(&case));
        let expected_path = case.join("expected");
        if update {
            std::fs::write(&expected_path, &got).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if got != expected {
            failures.push(format!("{}:\n--- expected\n{expected}--- got\n{got}", case.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The clusters as sets of record IDs, whatever the order and files.
fn clusters_by_id(keys: &[Key]) -> Vec<Vec<String>> {
    let found = dedupe::find(keys);
    let mut clusters: Vec<Vec<String>> = found
        .clusters
        .iter()
        .map(|members| {
            let mut ids: Vec<String> = members
                .iter()
                .map(|&i| keys[i as usize].id.as_deref().unwrap_or("").to_string())
                .collect();
            ids.sort();
            ids
        })
        .collect();
    clusters.sort();
    clusters
}

#[test]
fn shuffled_and_split_records_give_the_same_clusters() {
    let keys_of = |files: &[String]| -> Vec<Key> {
        files
            .iter()
            .flat_map(|text| dedupe::keys(text).into_iter().map(dedupe::Located::into_key))
            .collect()
    };
    let mut state: u64 = 0x2545_f491_4f6c_dd1d;
    let mut clusters = 0;
    for case in cases() {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&case)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "ris"))
            .collect();
        files.sort();
        let mut texts: Vec<String> = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(file).unwrap();
            for record in text.split("\n\n").filter(|r| r.contains("TY  -")) {
                texts.push(format!("{record}\n\n"));
            }
        }
        let whole = clusters_by_id(&keys_of(&[texts.concat()]));
        clusters += whole.len();
        for round in 0..6 {
            let mut order: Vec<usize> = (0..texts.len()).collect();
            for i in (1..order.len()).rev() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                order.swap(i, (state % (i as u64 + 1)) as usize);
            }
            let parts = 1 + round % 3;
            let mut split = vec![String::new(); parts];
            for (n, &i) in order.iter().enumerate() {
                split[n % parts].push_str(&texts[i]);
            }
            assert_eq!(
                clusters_by_id(&keys_of(&split)),
                whole,
                "{}: round {round}",
                case.display()
            );
        }
    }
    assert!(clusters >= 8, "the cases hold clusters");
}

/// Records that no pair links strongly enough are not joined through a
/// third: a record without a DOI between two with different DOIs.
#[test]
fn a_chain_does_not_join_records_with_different_dois() {
    let record = |id: &str, doi: Option<&str>| {
        format!(
            "TY  - JOUR\nID  - {id}\nAU  - Moreau, Claire\nTI  - Salt intake and blood pressure in rural cohorts\n\
             T2  - J Clin Hypertens\nPY  - 2015\nVL  - 17\nSP  - 301\nEP  - 309\n{}ER  - \n\n",
            doi.map(|d| format!("DO  - {d}\n")).unwrap_or_default()
        )
    };
    let text = [
        record("x", Some("10.1/one")),
        record("bridge", None),
        record("y", Some("10.1/two")),
    ]
    .concat();
    let keys: Vec<Key> = dedupe::keys(&text).into_iter().map(dedupe::Located::into_key).collect();
    let clusters = clusters_by_id(&keys);
    assert_eq!(clusters.len(), 1, "{clusters:?}");
    assert_eq!(clusters[0].len(), 2, "{clusters:?}");
    let found = dedupe::find(&keys);
    assert!(
        found
            .possible
            .iter()
            .any(|l| l.decision.reason.contains("different DOIs")),
        "{:?}",
        found.possible
    );
}

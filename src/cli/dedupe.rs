//! `ris-lsp dedupe`: duplicate records across files and folders, printed
//! for people, as JSON or as CSV, and optionally merged into one RIS file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use serde::Serialize;

use super::input::Input;
use super::{broken_pipe_or_fail, each_input, exit_code, gather, render};
use crate::dedupe::{self, Found, Key, Link, merge};
use crate::syntax::Span;

/// How `dedupe` prints what it found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DedupeFormat {
    /// Clusters with their places and reasons, then a summary.
    Human,
    /// `{"clusters": [...], "possible": [...]}`.
    Json,
    /// One row per record of a cluster or possible pair.
    Csv,
}

/// Where a record is.
struct Place {
    file: u32,
    line: u32,
    span: Span,
}

/// Runs `dedupe`. Exit 0 when no duplicates were found, or when `--out`
/// was written; 1 when duplicates were found (and not merged); 2 for usage
/// or I/O problems.
pub fn dedupe(paths: &[PathBuf], format: DedupeFormat, out_path: Option<&Path>, force: bool) -> ExitCode {
    let (inputs, mut problems) = gather(paths);
    if let Some(out_path) = out_path
        && !force
        && let Some(input) = inputs.iter().find(|i| same_file(i, out_path))
    {
        eprintln!(
            "error: --out {} is an input ({}); choose another file, or add --force to write over it",
            render::escape(&out_path.display().to_string()),
            render::escape(&input.name())
        );
        return ExitCode::from(2);
    }
    let mut names: Vec<String> = Vec::new();
    let mut texts: Vec<String> = Vec::new();
    let mut places: Vec<Place> = Vec::new();
    let mut keys: Vec<Key> = Vec::new();
    let walked = each_input(&inputs, &mut problems, |input, decoded, _problems| {
        let file = names.len() as u32;
        names.push(input.name());
        let located = dedupe::keys(&decoded.text);
        if located.is_empty() {
            eprintln!("note: {}: no RIS records (no TY line)", render::escape(&input.name()));
        }
        for located in located {
            places.push(Place {
                file,
                line: located.line as u32 + 1,
                span: located.span,
            });
            keys.push(located.into_key());
        }
        if out_path.is_some() {
            texts.push(decoded.text.into_owned());
        }
        Ok(())
    });
    if let Err(code) = walked {
        return code;
    }
    let found = dedupe::find(&keys);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let report = Report {
        names: &names,
        places: &places,
        keys: &keys,
        found: &found,
    };
    let printed = match format {
        DedupeFormat::Human => report.human(&mut out),
        DedupeFormat::Json => report.json(&mut out),
        DedupeFormat::Csv => report.csv(&mut out),
    };
    if let Err(error) = printed.and_then(|()| out.flush()) {
        return broken_pipe_or_fail(error);
    }
    drop(out);
    if let Some(out_path) = out_path {
        let merged = merged_text(&texts, &names, &places, &found);
        match std::fs::write(out_path, merged.as_bytes()) {
            Ok(()) => eprintln!(
                "wrote {} ({} records from {})",
                render::escape(&out_path.display().to_string()),
                keys.len() - found.clusters.iter().map(|c| c.len() - 1).sum::<usize>(),
                keys.len()
            ),
            Err(error) => problems.push(format!("{}: cannot write: {error}", out_path.display())),
        }
        return exit_code(&problems, false);
    }
    exit_code(&problems, !found.clusters.is_empty())
}

/// Whether `input` is the file at `path`.
fn same_file(input: &Input, path: &Path) -> bool {
    let Input::File { path: input_path, .. } = input else {
        return false;
    };
    match (std::fs::canonicalize(input_path), std::fs::canonicalize(path)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

struct Report<'a> {
    names: &'a [String],
    places: &'a [Place],
    keys: &'a [Key],
    found: &'a Found,
}

#[derive(Serialize)]
struct JsonRecord<'a> {
    file: &'a str,
    line: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonLink {
    /// Indices into the cluster's records.
    a: usize,
    b: usize,
    score: f32,
    reason: &'static str,
}

#[derive(Serialize)]
struct JsonCluster<'a> {
    records: Vec<JsonRecord<'a>>,
    links: Vec<JsonLink>,
}

#[derive(Serialize)]
struct JsonPossible<'a> {
    records: [JsonRecord<'a>; 2],
    score: f32,
    reason: &'static str,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    records: usize,
    files: usize,
    compared: usize,
    clusters: Vec<JsonCluster<'a>>,
    possible: Vec<JsonPossible<'a>>,
}

impl Report<'_> {
    fn record(&self, i: u32) -> JsonRecord<'_> {
        let place = &self.places[i as usize];
        JsonRecord {
            file: &self.names[place.file as usize],
            line: place.line,
            id: self.keys[i as usize].id.as_deref(),
        }
    }

    fn at(&self, i: u32) -> String {
        let place = &self.places[i as usize];
        format!("{}:{}", render::escape(&self.names[place.file as usize]), place.line)
    }

    fn json(&self, out: &mut impl Write) -> std::io::Result<()> {
        let clusters = self
            .found
            .clusters
            .iter()
            .zip(&self.found.links)
            .map(|(members, links)| {
                let position = |x: u32| members.binary_search(&x).unwrap_or(0);
                JsonCluster {
                    records: members.iter().map(|&i| self.record(i)).collect(),
                    links: links
                        .iter()
                        .map(|l| JsonLink {
                            a: position(l.a),
                            b: position(l.b),
                            score: round(l.decision.score),
                            reason: l.decision.reason,
                        })
                        .collect(),
                }
            })
            .collect();
        let possible = self
            .found
            .possible
            .iter()
            .map(|l| JsonPossible {
                records: [self.record(l.a), self.record(l.b)],
                score: round(l.decision.score),
                reason: l.decision.reason,
            })
            .collect();
        let report = JsonReport {
            records: self.keys.len(),
            files: self.names.len(),
            compared: self.found.compared,
            clusters,
            possible,
        };
        serde_json::to_writer(&mut *out, &report)?;
        writeln!(out)
    }

    fn csv(&self, out: &mut impl Write) -> std::io::Result<()> {
        writeln!(out, "group,status,file,line,id,score,reason")?;
        let mut row = |group: &str, status: &str, i: u32, link: Option<&Link>| -> std::io::Result<()> {
            let place = &self.places[i as usize];
            let (score, reason) = link.map_or((String::new(), ""), |l| {
                (format!("{:.3}", l.decision.score), l.decision.reason)
            });
            writeln!(
                out,
                "{group},{status},{},{},{},{score},{}",
                csv_field(&self.names[place.file as usize]),
                place.line,
                csv_field(self.keys[i as usize].id.as_deref().unwrap_or("")),
                csv_field(reason)
            )
        };
        for (n, (members, links)) in self.found.clusters.iter().zip(&self.found.links).enumerate() {
            let group = format!("c{}", n + 1);
            for &i in members {
                // The link that brought the record in (none for the first).
                let link = links
                    .iter()
                    .find(|l| l.b == i)
                    .or_else(|| links.iter().find(|l| l.a == i && i != members[0]));
                row(&group, "duplicate", i, link)?;
            }
        }
        for (n, link) in self.found.possible.iter().enumerate() {
            let group = format!("p{}", n + 1);
            row(&group, "possible", link.a, None)?;
            row(&group, "possible", link.b, Some(link))?;
        }
        Ok(())
    }

    fn human(&self, out: &mut impl Write) -> std::io::Result<()> {
        for (n, (members, links)) in self.found.clusters.iter().zip(&self.found.links).enumerate() {
            let best = links.first().map_or("", |l| l.decision.reason);
            writeln!(out, "duplicates {}: {} records ({best})", n + 1, members.len())?;
            for &i in members {
                let key = &self.keys[i as usize];
                let id = key
                    .id
                    .as_deref()
                    .map(|id| format!("  {}", render::escape(id)))
                    .unwrap_or_default();
                let title: String = key.title.chars().take(60).collect();
                writeln!(out, "  {}{id}  {}", self.at(i), render::escape(&title))?;
            }
            for link in links.iter().filter(|l| l.decision.reason != best) {
                writeln!(
                    out,
                    "    {} ~ {}: {}",
                    self.at(link.a),
                    self.at(link.b),
                    link.decision.reason
                )?;
            }
        }
        if !self.found.possible.is_empty() {
            writeln!(out, "possible duplicates, to review (not merged):")?;
        }
        for link in &self.found.possible {
            writeln!(
                out,
                "  {} ~ {}: {} ({:.2})",
                self.at(link.a),
                self.at(link.b),
                link.decision.reason,
                link.decision.score
            )?;
        }
        let removed: usize = self.found.clusters.iter().map(|c| c.len() - 1).sum();
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        writeln!(
            out,
            "{} of duplicates ({} to remove), {} to review, among {} in {}",
            plural(self.found.clusters.len(), "cluster"),
            plural(removed, "record"),
            plural(self.found.possible.len(), "possible pair"),
            plural(self.keys.len(), "record"),
            plural(self.names.len(), "file")
        )
    }
}

fn round(score: f32) -> f32 {
    (score * 1000.0).round() / 1000.0
}

/// A CSV field, quoted when it must be.
fn csv_field(value: &str) -> std::borrow::Cow<'_, str> {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\"")).into()
    } else {
        value.into()
    }
}

/// Every record once: a cluster merged into its first record's place, the
/// others as they were, a blank line after each.
fn merged_text(texts: &[String], names: &[String], places: &[Place], found: &Found) -> String {
    let mut cluster_of: Vec<u32> = vec![u32::MAX; places.len()];
    for (n, members) in found.clusters.iter().enumerate() {
        for &i in members {
            cluster_of[i as usize] = n as u32;
        }
    }
    let mut out = String::new();
    for (i, place) in places.iter().enumerate() {
        let text = &texts[place.file as usize];
        let line_break = if text.contains("\r\n") { "\r\n" } else { "\n" };
        match cluster_of[i] {
            u32::MAX => {
                let record = &text[place.span.start..place.span.end];
                out.push_str(record);
                if !record.ends_with(['\n', '\r']) {
                    out.push_str(line_break);
                }
            }
            n => {
                let members = &found.clusters[n as usize];
                if members[0] as usize != i {
                    continue;
                }
                let sources: Vec<merge::Source> = members
                    .iter()
                    .map(|&m| {
                        let p = &places[m as usize];
                        merge::Source {
                            record: &texts[p.file as usize][p.span.start..p.span.end],
                            name: format!("{}:{}", names[p.file as usize], p.line),
                        }
                    })
                    .collect();
                out.push_str(&merge::merged_text(&sources, line_break));
            }
        }
        out.push_str(line_break);
    }
    out
}

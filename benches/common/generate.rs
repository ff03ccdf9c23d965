//! Deterministic generator of realistic RIS text for benchmarks.
//!
//! Shared by `benches/core.rs` and the example binaries (`gen_ris`,
//! `lsp_bench`) through `#[path]`, so that every measurement of the project
//! runs on the same text. No dependencies: a SplitMix64 generator makes the
//! output a pure function of [`Options`].
//!
//! Records look like reference-manager exports of journal articles, books,
//! chapters and conference papers: one to eight authors (some with non-ASCII
//! names, which exercises UTF-16 positions), title, journal, year and date,
//! volume, issue, pages, a valid ISSN, a unique DOI and its URL, an abstract
//! of a few hundred words on one line, keywords and language; about 1.18 KB a
//! record, with a blank line after each `ER`. Authors and keywords are
//! distinct within a record, so a clean text has no findings at all. With
//! `defects > 0`, that fraction of records carries one defect of the kinds
//! real exports have: a broken DOI, a malformed tag line, a missing `ER`, an
//! impossible date, a wrong ISSN check digit or an unknown reference type.

#![allow(dead_code)]

use std::fmt::Write as _;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Number of records.
    pub records: usize,
    /// Fraction of records (0..=1) that carry one defect.
    pub defects: f64,
    /// Seed: the same options give the same text.
    pub seed: u64,
    /// Break lines with CRLF instead of LF.
    pub crlf: bool,
}

impl Options {
    /// `records` clean records, seed 1, LF.
    pub fn new(records: usize) -> Self {
        Self {
            records,
            defects: 0.0,
            seed: 1,
            crlf: false,
        }
    }

    /// The same with a fraction of defective records.
    pub fn with_defects(self, defects: f64) -> Self {
        Self { defects, ..self }
    }
}

/// The defects a record can carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Defect {
    /// `DO  - doi: 10.1136 /bmjgh 2021`: prefix and white space.
    Doi,
    /// `Tl  - …` (lowercase L for I): a malformed tag line.
    Tag,
    /// The closing `ER  - ` line is missing.
    MissingEnd,
    /// `DA  - 2001/13/45`.
    Date,
    /// An ISSN whose check digit is off by one.
    Issn,
    /// `TY  - JRNL`, not a reference type.
    Type,
}

const DEFECTS: [Defect; 6] = [
    Defect::Doi,
    Defect::Tag,
    Defect::MissingEnd,
    Defect::Date,
    Defect::Issn,
    Defect::Type,
];

const WORDS: &[&str] = &[
    "health",
    "partnership",
    "reciprocity",
    "learning",
    "knowledge",
    "innovation",
    "care",
    "system",
    "policy",
    "global",
    "country",
    "income",
    "clinical",
    "capacity",
    "trial",
    "cohort",
    "analysis",
    "model",
    "network",
    "protein",
    "cell",
    "gene",
    "expression",
    "patient",
    "outcome",
    "risk",
    "factor",
    "study",
    "review",
    "meta",
    "evidence",
    "method",
    "data",
    "sample",
    "survey",
    "quality",
    "education",
    "training",
    "exchange",
    "practice",
    "theory",
    "impact",
];

const SURNAMES: &[&str] = &[
    "Issa", "Townsend", "Harris", "Müller", "García", "Nguyen", "Smith", "Okafor", "Kowalski", "Tanaka", "Dubois",
    "Silva", "Chen", "O'Brien",
];

const GIVEN: &[&str] = &[
    "Hamdi", "William", "Matthew", "Anna", "José", "Linh", "Sarah", "Chidi", "Piotr", "Yuki", "Élodie", "Rafael",
    "Wei", "Aoife",
];

const JOURNALS: &[&str] = &[
    "BMJ Global Health",
    "The Lancet",
    "Nature",
    "PLoS One",
    "Journal of Clinical Epidemiology",
    "Health Policy and Planning",
];

/// Journal articles dominate real exports.
const TYPES: &[&str] = &[
    "JOUR", "JOUR", "JOUR", "JOUR", "JOUR", "JOUR", "JOUR", "BOOK", "CHAP", "CONF",
];

/// SplitMix64: tiny, fast and good enough for test data.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        let span = hi - lo + 1;
        // Multiply-shift: unbiased enough for spans this small.
        lo + ((u128::from(self.next_u64()) * u128::from(span)) >> 64) as u64
    }

    /// A uniform float in `0..1`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// One element of `items`.
    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.range(0, items.len() as u64 - 1) as usize]
    }
}

/// The ISSN check character of seven digits.
pub fn issn_check(digits: &[u8; 7]) -> char {
    let sum: u32 = digits.iter().zip((2..=8).rev()).map(|(&d, w)| u32::from(d) * w).sum();
    match (11 - sum % 11) % 11 {
        10 => 'X',
        c => char::from(b'0' + c as u8),
    }
}

/// Appends `n` random words, the first capitalized.
fn sentence(rng: &mut Rng, n: u64, out: &mut String) {
    for i in 0..n {
        let word = rng.pick(WORDS);
        if i == 0 {
            let mut chars = word.chars();
            if let Some(first) = chars.next() {
                out.extend(first.to_uppercase());
                out.push_str(chars.as_str());
            }
        } else {
            out.push(' ');
            out.push_str(word);
        }
    }
}

/// Appends record number `index` to `out`, with `defect` if given, lines
/// ending in `eol`, followed by a blank line.
pub fn record(rng: &mut Rng, index: usize, defect: Option<Defect>, eol: &str, out: &mut String) {
    let ty = rng.pick(TYPES);
    let line = |out: &mut String, tag: &str, value: &str| {
        out.push_str(tag);
        out.push_str("  - ");
        out.push_str(value);
        out.push_str(eol);
    };
    let mut value = String::with_capacity(512);

    line(out, "TY", if defect == Some(Defect::Type) { "JRNL" } else { ty });
    // Distinct authors and keywords: a repeated line is a finding (RIS062).
    let mut seen: Vec<(&str, &str)> = Vec::with_capacity(8);
    for _ in 0..rng.range(1, 8) {
        let author = loop {
            let author = (rng.pick(SURNAMES), rng.pick(GIVEN));
            if !seen.contains(&author) {
                break author;
            }
        };
        seen.push(author);
        value.clear();
        let _ = write!(value, "{}, {}", author.0, author.1);
        line(out, "AU", &value);
    }
    if defect == Some(Defect::Tag) {
        value.clear();
        sentence(rng, 4, &mut value);
        line(out, "Tl", &value);
    }
    value.clear();
    let words = rng.range(6, 16);
    sentence(rng, words, &mut value);
    line(out, "TI", &value);
    if ty != "BOOK" {
        line(out, "T2", rng.pick(JOURNALS));
    }
    let year = rng.range(1950, 2026);
    line(out, "PY", &year.to_string());
    value.clear();
    let (month, day) = (rng.range(1, 12), rng.range(1, 28));
    if defect == Some(Defect::Date) {
        let _ = write!(value, "{year}/13/45");
    } else {
        let _ = write!(value, "{year}/{month:02}/{day:02}");
    }
    line(out, "DA", &value);
    line(out, "VL", &rng.range(1, 400).to_string());
    line(out, "IS", &rng.range(1, 12).to_string());
    let first_page = rng.range(1, 2000);
    line(out, "SP", &first_page.to_string());
    line(out, "EP", &(first_page + rng.range(1, 30)).to_string());
    let mut digits = [0u8; 7];
    for d in &mut digits {
        *d = rng.range(0, 9) as u8;
    }
    let mut check = issn_check(&digits);
    if defect == Some(Defect::Issn) {
        // Any other check character is wrong.
        check = match check {
            'X' => '0',
            '9' => 'X',
            c => char::from(c as u8 + 1),
        };
    }
    value.clear();
    for (i, d) in digits.iter().enumerate() {
        if i == 4 {
            value.push('-');
        }
        value.push(char::from(b'0' + d));
    }
    value.push(check);
    line(out, "SN", &value);
    let doi = format!("10.{}/{}-{year}-{index:06}", rng.range(1000, 99999), rng.pick(WORDS));
    line(
        out,
        "DO",
        if defect == Some(Defect::Doi) {
            "doi: 10.1136 /bmjgh 2021"
        } else {
            &doi
        },
    );
    line(out, "UR", &format!("https://doi.org/{doi}"));
    value.clear();
    for i in 0..rng.range(3, 10) {
        if i > 0 {
            value.push(' ');
        }
        let words = rng.range(8, 20);
        sentence(rng, words, &mut value);
        value.push('.');
    }
    line(out, "AB", &value);
    seen.clear();
    for _ in 0..rng.range(2, 6) {
        let keyword = loop {
            let keyword = rng.pick(WORDS);
            if !seen.iter().any(|&(k, _)| k == keyword) {
                break keyword;
            }
        };
        seen.push((keyword, ""));
        line(out, "KW", keyword);
    }
    line(out, "LA", "English");
    if defect != Some(Defect::MissingEnd) {
        line(out, "ER", "");
    }
    out.push_str(eol);
}

/// Calls `sink` with each record's text in turn (for streaming output).
pub fn for_each_record(options: &Options, mut sink: impl FnMut(&str)) {
    let mut rng = Rng::new(options.seed);
    let eol = if options.crlf { "\r\n" } else { "\n" };
    let mut buffer = String::with_capacity(4096);
    for index in 0..options.records {
        let defect = (rng.unit() < options.defects).then(|| rng.pick(&DEFECTS));
        buffer.clear();
        record(&mut rng, index, defect, eol, &mut buffer);
        sink(&buffer);
    }
}

/// The whole text.
pub fn generate(options: &Options) -> String {
    let mut text = String::with_capacity(options.records * 1300);
    for_each_record(options, |record| text.push_str(record));
    text
}

//! Static knowledge about RIS: every reference type and every tag.
//!
//! This is the one place where RIS facts live. Checks, hover and completion all
//! read these tables, so a fact corrected here is corrected everywhere. The data
//! itself is in [`types`] and [`tags`]; this module holds the shapes and lookups.

mod tags;
mod types;

pub use tags::TAGS;
pub use types::TYPES;

/// Where a reference type code comes from, so that hover and checks can tell a
/// standard code from one that only some tools understand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeStatus {
    /// In the 2001 RefMan specification (and kept in 2011).
    Spec2001,
    /// Added by the 2011 RefMan specification.
    Spec2011,
    /// Not in either specification but written by real tools; the field holds
    /// the standard code that means the same (e.g. `WEB` → `ELEC`).
    Alias(&'static str),
}

/// One reference type (the value of a `TY` line).
#[derive(Debug)]
pub struct RefType {
    /// The code as written after `TY  - `, e.g. `JOUR`.
    pub code: &'static str,
    /// Human name, e.g. "Journal article".
    pub name: &'static str,
    /// Standard or alias.
    pub status: TypeStatus,
}

/// Whether a tag may appear more than once in one record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Repeat {
    /// At most once per record; importers keep only the first value.
    Once,
    /// May repeat (authors, keywords, links, notes).
    Many,
}

/// Where a tag comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagStatus {
    /// In both the 2001 and the 2011 specification.
    Core,
    /// Added by the 2011 specification.
    Spec2011,
    /// Only in the 2001 specification; still read by most tools.
    Legacy,
    /// In no RefMan specification, but written by real exporters.
    Extension,
}

/// The shape a tag's value must have; drives the value checks and hover text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueFormat {
    /// A reference type code (`TY`).
    RefType,
    /// Must be empty (`ER`).
    Empty,
    /// Free text.
    Text,
    /// A person or corporate name, `Last, First, Suffix`.
    Name,
    /// A four-digit year, `YYYY` (`PY`).
    Year,
    /// `YYYY/MM/DD/other`, every part optional but the slashes (`DA`, `Y1`, `Y2`).
    Date,
    /// A bare DOI, `10.<registrant>/<suffix>`.
    Doi,
    /// ISSN or ISBN depending on the type; other identifiers for some types.
    StandardNumber,
    /// One or more URLs or file paths, separated by `;`.
    Link,
    /// A page number or range.
    Page,
    /// A reference ID: up to 20 characters, `0-9A-Z`.
    RefId,
}

/// Where a tag is defined across reference types in the 2011 per-type tables.
#[derive(Debug, Clone, Copy)]
pub enum Scope {
    /// Defined for every type (the fallback label applies to the ones not listed).
    All,
    /// Defined for every type except these.
    AllExcept(&'static [&'static str]),
    /// Defined only for the types listed in [`TagInfo::labels`].
    OnlyListed,
    /// Not in the 2011 tables at all (legacy and extension tags): no per-type meaning.
    Untyped,
}

/// One tag: its generic meaning, its meaning per reference type, and its rules.
#[derive(Debug)]
pub struct TagInfo {
    /// Two characters, e.g. `T2`.
    pub code: &'static str,
    /// Short generic name, e.g. "Secondary title".
    pub name: &'static str,
    /// A sentence or two for hover: what goes here, in our own words.
    pub doc: &'static str,
    /// Whether it may repeat within a record.
    pub repeat: Repeat,
    /// Core, 2011, legacy or extension.
    pub status: TagStatus,
    /// The shape its value must have.
    pub format: ValueFormat,
    /// Per-type labels from the 2011 tables: `(label, types)`.
    pub labels: &'static [(&'static str, &'static [&'static str])],
    /// Label for the defined types not listed in `labels`, if the tables give one.
    pub other_label: Option<&'static str>,
    /// Which types define this tag.
    pub scope: Scope,
}

impl TagInfo {
    /// What this tag means in a record of type `ty`: `Some(label)` when the type
    /// defines it (its own label, else the generic name), `None` when the 2011
    /// tables leave it out for that type.
    pub fn label_for(&self, ty: &str) -> Option<&'static str> {
        // Checks ask this for every record: answer from a table built once.
        let tag = tag_index(self.code.as_bytes())?;
        match type_index(ty) {
            Some(t) => label_table()[t * TAG_SLOTS + tag],
            None => self.compute_label(ty),
        }
    }

    /// `label_for` worked out from the data, for the table and unknown types.
    fn compute_label(&self, ty: &str) -> Option<&'static str> {
        if let Some((label, _)) = self.labels.iter().find(|(_, tys)| tys.contains(&ty)) {
            return Some(label);
        }
        let defined = match self.scope {
            Scope::All | Scope::Untyped => true,
            Scope::AllExcept(excluded) => !excluded.contains(&ty),
            Scope::OnlyListed => false,
        };
        defined.then(|| self.other_label.unwrap_or(self.name))
    }
}

/// Finds a tag by its exact (uppercase) code.
pub fn lookup_tag(code: &str) -> Option<&'static TagInfo> {
    match code.as_bytes() {
        &[a, b] => lookup_tag_bytes([a, b]),
        _ => None,
    }
}

/// The exporter whose own tag `code` is, for the nonstandard tags one
/// exporter writes in every record: one finding for all of them per file.
pub fn tag_exporter(code: [u8; 2]) -> Option<&'static str> {
    match &code {
        b"J9" | b"JI" | b"PU" | b"PI" | b"PA" | b"WE" | b"FU" | b"FX" | b"MA" => Some("Web of Science"),
        b"XT" => Some("Ovid Embase"),
        _ => None,
    }
}

/// Finds a tag by its two uppercase bytes. The parser calls this for every
/// line, so it is a table lookup, not a search.
pub fn lookup_tag_bytes(code: [u8; 2]) -> Option<&'static TagInfo> {
    const NONE: u8 = u8::MAX;
    static INDEX: std::sync::OnceLock<[u8; TAG_SLOTS]> = std::sync::OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let mut index = [NONE; TAG_SLOTS];
        for (i, tag) in TAGS.iter().enumerate() {
            if let Some(slot) = tag_index(tag.code.as_bytes()) {
                index[slot] = u8::try_from(i).expect("fewer than 255 tags");
            }
        }
        index
    });
    let at = index[tag_index(&code)?];
    (at != NONE).then(|| &TAGS[usize::from(at)])
}

/// Finds a reference type by its exact (uppercase) code, aliases included.
pub fn lookup_type(code: &str) -> Option<&'static RefType> {
    type_index(code).map(|i| &TYPES[i])
}

/// The standard code for `code`: itself, or what an alias stands for.
pub fn canonical_type(code: &str) -> &str {
    match lookup_type(code).map(|t| t.status) {
        Some(TypeStatus::Alias(standard)) => standard,
        _ => code,
    }
}

/// Index of a type in [`TYPES`]: codes (at most 7 bytes) packed with their
/// length into a `u64` and binary-searched, so a lookup compares integers,
/// not strings.
fn type_index(code: &str) -> Option<usize> {
    fn pack(code: &str) -> Option<u64> {
        let bytes = code.as_bytes();
        (bytes.len() <= 7).then(|| {
            let packed = bytes.iter().fold(0u64, |acc, &b| acc << 8 | u64::from(b)) << (8 * (7 - bytes.len()));
            packed << 8 | bytes.len() as u64
        })
    }
    static SORTED: std::sync::OnceLock<Vec<(u64, usize)>> = std::sync::OnceLock::new();
    let sorted = SORTED.get_or_init(|| {
        let mut sorted: Vec<_> = TYPES
            .iter()
            .enumerate()
            .filter_map(|(i, t)| pack(t.code).map(|key| (key, i)))
            .collect();
        sorted.sort_unstable();
        sorted
    });
    let key = pack(code)?;
    sorted
        .binary_search_by_key(&key, |&(k, _)| k)
        .ok()
        .map(|at| sorted[at].1)
}

/// Slots for two-character codes `[A-Z][A-Z0-9]`-ish: 36 × 36.
const TAG_SLOTS: usize = 36 * 36;

/// The slot of a two-byte uppercase code.
fn tag_index(code: &[u8]) -> Option<usize> {
    fn slot(c: u8) -> Option<usize> {
        match c {
            b'A'..=b'Z' => Some(usize::from(c - b'A')),
            b'0'..=b'9' => Some(26 + usize::from(c - b'0')),
            _ => None,
        }
    }
    match code {
        &[a, b] => Some(slot(a)? * 36 + slot(b)?),
        _ => None,
    }
}

/// `label_for` for every (type, tag slot), computed once.
fn label_table() -> &'static [Option<&'static str>] {
    static TABLE: std::sync::OnceLock<Vec<Option<&'static str>>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = vec![None; TYPES.len() * TAG_SLOTS];
        for (t, ty) in TYPES.iter().enumerate() {
            for tag in TAGS {
                if let Some(slot) = tag_index(tag.code.as_bytes()) {
                    table[t * TAG_SLOTS + slot] = tag.compute_label(ty.code);
                }
            }
        }
        table
    })
}

#[cfg(test)]
mod tests;

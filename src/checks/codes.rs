//! The table of diagnostic codes: one row per check, so codes stay stable and
//! every consumer (CLI, server, docs) reads the same name, severity and help.

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Records will be lost or misread on import.
    Error,
    /// Importers cope, but differently, or data may be wrong.
    Warning,
    /// Worth knowing; nothing is lost.
    Info,
    /// A gentle suggestion.
    Hint,
}

impl Severity {
    /// Lowercase name used in CLI output and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Hint => "hint",
        }
    }
}

macro_rules! codes {
    ($($variant:ident = $code:literal, $slug:literal, $severity:ident, $help:literal;)*) => {
        /// A stable diagnostic code (`RIS010`). Never renumber: users filter on them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Code { $(#[doc = $help] $variant,)* }

        impl Code {
            /// Every code, in order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as shown to users, e.g. `RIS010`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code,)* }
            }

            /// A short kebab-case name, e.g. `missing-end`.
            pub fn slug(self) -> &'static str {
                match self { $(Code::$variant => $slug,)* }
            }

            /// The default severity.
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }

            /// One paragraph on why this matters, for help text and hover.
            pub fn help(self) -> &'static str {
                match self { $(Code::$variant => $help,)* }
            }
        }
    };
}

codes! {
    MalformedTagLine = "RIS001", "malformed-tag-line", Error,
        "A tag line must read `XX  - value`: an uppercase letter, an uppercase letter or digit, two spaces, a hyphen and a space. Importers treat a line they cannot read as a tag as part of the previous value, or drop it.";
    NonstandardSpacing = "RIS002", "nonstandard-spacing", Warning,
        "The separator between tag and value should be exactly two spaces, a hyphen and a space. Zotero accepts one space, but rispy, citation-js, bibutils and JabRef do not, so the line may be lost on import.";
    LowercaseTag = "RIS003", "lowercase-tag", Warning,
        "Tags are uppercase. No common importer recognises a lowercase tag; the line becomes part of the previous value.";
    UnknownTag = "RIS004", "unknown-tag", Warning,
        "This tag is in no RIS specification and no known exporter writes it. Importers drop it or keep it aside.";
    NonstandardTag = "RIS005", "nonstandard-tag", Info,
        "This tag is not in the RIS specification, but some exporters write it and some importers read it.";
    TagLikeText = "RIS006", "tag-like-text", Info,
        "This line goes on the wrapped value above it but starts like a tag no importer reads, written without its spaces or in lowercase (`ER-Positive tumours.`, `L4-L5 level`, `is - that`): importers read it as text of that value, and so does ris-lsp. If it is meant as a tag, write `XX  - value`; that is a guess, so no fix-all does it.";
    MissingEnd = "RIS010", "missing-end", Error,
        "Every record must end with an `ER  - ` line. Without it, some importers merge this record into the next one, and rispy drops the last record of the file.";
    EndWithoutRecord = "RIS011", "end-without-record", Warning,
        "An `ER` line closes a record, but no record is open here. Importers ignore it; it often means a `TY` line is missing or broken above.";
    RecordWithoutType = "RIS012", "record-without-type", Error,
        "A record must start with a `TY` line. Importers drop such a record or give it a default type.";
    TextOutsideRecord = "RIS013", "text-outside-record", Warning,
        "Text between records (export headers, database notes, search strategies) is skipped silently by importers.";
    FlattenedRecord = "RIS014", "flattened-record", Error,
        "A whole record is on one line, as happens when RIS is pasted from a web page. Importers read it as one long type value and lose every field.";
    EndWithValue = "RIS015", "end-with-value", Warning,
        "The `ER` line must be empty; the text after it is ignored.";
    UnknownType = "RIS020", "unknown-type", Error,
        "The reference type decides how every other field is read. Importers replace an unknown type with a default (Zotero: journal article), so fields end up in the wrong place.";
    LowercaseType = "RIS021", "lowercase-type", Warning,
        "Reference types are uppercase. Zotero and citation-js uppercase them, rispy and JabRef do not.";
    TypeAlias = "RIS022", "type-alias", Info,
        "This type code is not in the specification but some tools write it; the standard code is understood everywhere.";
    InvalidDoi = "RIS030", "invalid-doi", Error,
        "A DOI reads `10.<registrant>/<suffix>`, for example `10.1136/bmjgh-2021-004936`. This value is not one, so links and duplicate detection fail.";
    DoiNotBare = "RIS031", "doi-not-bare", Warning,
        "`DO` should hold the bare DOI. A resolver URL or a `doi:` prefix defeats duplicate detection, and bibutils drops such values.";
    DoiWhitespace = "RIS032", "doi-whitespace", Error,
        "A DOI never contains white space; this is usually a line break that crept in.";
    DuplicateDoi = "RIS033", "duplicate-doi", Warning,
        "Two records of this file have the same DOI: probably the same work exported twice.";
    DoiInOtherTag = "RIS034", "doi-in-other-tag", Info,
        "This record has no `DO` line, but a DOI sits in another field (EndNote and ScienceDirect put it in `M3` or `N1`). Most importers only read `DO`.";
    InvalidYear = "RIS040", "invalid-year", Warning,
        "`PY` is the publication year: four digits, such as `2021` or `0765`.";
    InvalidDate = "RIS041", "invalid-date", Warning,
        "Dates read `YYYY/MM/DD/other`, each part optional but the slashes kept: `2021`, `2021/03`, `2021/03/15`, `1998///Spring`.";
    ImpossibleDate = "RIS042", "impossible-date", Warning,
        "This date does not exist in the calendar (a month above 12, or a day past the end of the month).";
    BadCheckDigit = "RIS050", "bad-check-digit", Warning,
        "The last character of an ISSN or ISBN is a check digit computed from the others. A mismatch means a typing or copying error.";
    EndPageBeforeStart = "RIS051", "end-page-before-start", Warning,
        "The end page (`EP`) is smaller than the start page (`SP`).";
    InvalidLink = "RIS052", "invalid-link", Warning,
        "Link fields hold URLs (`https://…`) or file paths, several separated by `;`.";
    RepeatedTag = "RIS060", "repeated-tag", Warning,
        "This tag may appear only once per record. Zotero and rispy keep the first value and ignore the rest; JabRef keeps the last.";
    EmptyValue = "RIS061", "empty-value", Warning,
        "This tag line has no value. Most importers drop it; rispy keeps an empty string.";
    DuplicateLine = "RIS062", "duplicate-line", Warning,
        "The same tag line appears twice in this record.";
    MissingRequiredTag = "RIS063", "missing-required-tag", Warning,
        "The configuration (`ris-lsp.toml`, `[required]`) says every record of this type must have this tag.";
    NotRis = "RIS070", "not-ris", Error,
        "This file is in another format that looks like RIS; RIS importers cannot read it.";
    DuplicateRecord = "RIS071", "duplicate-record", Info,
        "Another record in the workspace (this file or another `.ris` file under the workspace folders) is the same work: the same DOI, or the same title, authors and year with nothing that tells them apart. Importing both gives two entries, and a review counts the study twice; nothing is lost, so this is information. The related places list every copy; the code action merges them into one record that keeps every distinct value.";
    PossibleDuplicate = "RIS072", "possible-duplicate", Hint,
        "Another record in the workspace is alike but not enough to be sure (a preprint and its published version, `Part 1` beside `Part 2`, a title in two journals): for a person to review, never merged automatically.";
    NotUtf8 = "RIS080", "not-utf8", Warning,
        "The file is not valid UTF-8 (old EndNote exports are Windows-1252). It was checked as decoded lossily; convert it to UTF-8 so accented names survive import.";
    InternalError = "RIS099", "internal-error", Warning,
        "ris-lsp itself failed while checking this record: a bug in ris-lsp, not in the file. The other records are checked as usual. Please report it with the record's text.";
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

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
        "A tag line must read `XX  - value`: an uppercase letter, an uppercase letter or digit, two spaces, a hyphen and a space. No importer reads this line as a tag: Zotero, rispy, citation-js, bibutils and JabRef add it to the previous value or drop it, so the field is lost.";
    NonstandardSpacing = "RIS002", "nonstandard-spacing", Warning,
        "The separator between tag and value should be two spaces, a hyphen and a space. Zotero reads one space before the hyphen, but rispy, citation-js and JabRef need exactly two spaces and a tag at the start of the line (citation-js alone allows indentation), so the field is lost there.";
    LowercaseTag = "RIS003", "lowercase-tag", Error,
        "Tags are uppercase. Zotero, rispy, citation-js, bibutils and JabRef all require an uppercase tag, so the line becomes part of the previous value and the field is lost.";
    UnknownTag = "RIS004", "unknown-tag", Warning,
        "This tag is in no RIS specification and no known exporter writes it. Zotero drops it on import (unless told to keep unknown tags in a note); rispy keeps it aside as an unknown tag.";
    NonstandardTag = "RIS005", "nonstandard-tag", Info,
        "This tag is not in the RIS specification, but an exporter writes it for its own data (Web of Science `J9`, Ovid Embase `XT`, Scopus `DI`) and some importers read it. Zotero drops most of them; nothing the record needs is only there.";
    TagLikeText = "RIS006", "tag-like-text", Info,
        "This line goes on the wrapped value above it but starts like a tag no importer reads, written without its spaces or in lowercase (`ER-Positive tumours.`, `L4-L5 level`, `is - that`): importers read it as text of that value, and so does ris-lsp. If it is meant as a tag, write `XX  - value`; that is a guess, so no fix-all does it.";
    ExtraSpaces = "RIS007", "extra-spaces", Hint,
        "Extra spaces after the hyphen (`TY  -  JOUR`, as the Cochrane Library writes every line): Zotero, rispy, citation-js, bibutils and JabRef all read the value as intended. Layout only; `ris-lsp fmt` writes `TY  - JOUR`.";
    MissingEnd = "RIS010", "missing-end", Error,
        "Every record must end with an `ER  - ` line. Without it rispy and JabRef merge this record into the next one, and rispy drops the last record of the file.";
    EndWithoutRecord = "RIS011", "end-without-record", Info,
        "An `ER` line closes a record, but no record is open here. Every importer ignores it, so nothing is lost by it; it may mean a `TY` line is missing or broken above (that line has its own finding).";
    RecordWithoutType = "RIS012", "record-without-type", Error,
        "A record must start with a `TY` line. rispy and citation-js cannot read such a record (it is skipped or breaks the import); Zotero gives it a default type.";
    TextOutsideRecord = "RIS013", "text-outside-record", Warning,
        "Text between records that no exporter is known to write there. Every importer skips it silently: if it is data, it is lost.";
    FlattenedRecord = "RIS014", "flattened-record", Error,
        "A whole record is on one line, as happens when RIS is pasted from a web page. Importers read it as one long type value and lose every field.";
    EndWithValue = "RIS015", "end-with-value", Warning,
        "The `ER` line must be empty; every importer ignores the text after it, so it is lost.";
    ExportText = "RIS016", "export-text", Info,
        "Lines an exporter writes between records for people, not importers: Ovid's record numbers and `Link to the Ovid Full Text` lines, the Cochrane Library's `Record #1 of 82` headers, database banners. Every importer skips them, as intended; nothing is lost.";
    UnknownType = "RIS020", "unknown-type", Error,
        "The reference type decides how every other field is read. Importers replace an unknown type with a default (Zotero: journal article; bibutils: generic; JabRef: misc), so fields end up in the wrong place.";
    LowercaseType = "RIS021", "lowercase-type", Warning,
        "Reference types are uppercase. Zotero and citation-js uppercase them, but rispy keeps the lowercase code and JabRef reads the record as misc.";
    TypeAlias = "RIS022", "type-alias", Info,
        "This type code is not in the specification but exporters write it (EndNote's `WEB`) and Zotero reads it; the standard code is understood everywhere.";
    InvalidDoi = "RIS030", "invalid-doi", Error,
        "A DOI reads `10.<registrant>/<suffix>`, for example `10.1136/bmjgh-2021-004936`. This value is not one: Zotero keeps it as written, bibutils drops it, and links and duplicate detection fail.";
    DoiNotBare = "RIS031", "doi-not-bare", Info,
        "`DO` holds a DOI behind a resolver URL or a `doi:` prefix (EndNote writes `https://doi.org/…`). Zotero and citation-js take the DOI out of it; rispy keeps the value as written. The bare DOI is what every tool compares.";
    DoiWhitespace = "RIS032", "doi-whitespace", Error,
        "A DOI never contains white space; this is usually a line break that crept in. Zotero cannot clean it and keeps a DOI that resolves nowhere.";
    DuplicateDoi = "RIS033", "duplicate-doi", Warning,
        "Two records of this file have the same DOI: probably the same work exported twice. Every importer makes two items of it.";
    DoiInOtherTag = "RIS034", "doi-in-other-tag", Info,
        "This record has no `DO` line, but a DOI sits in another field (EndNote and ScienceDirect put it in `M3` or `N1`). Zotero reads a DOI from `M3`; rispy and citation-js only from `DO`.";
    InvalidYear = "RIS040", "invalid-year", Warning,
        "`PY` is the publication year: four digits, such as `2021` or `0765`. Zotero cannot read a date from this value, so the record has no year.";
    InvalidDate = "RIS041", "invalid-date", Warning,
        "Dates read `YYYY/MM/DD/other`, each part optional but the slashes kept: `2021`, `2021/03`, `2021/03/15`, `1998///Spring`. This value is none and no importer can read a date from it.";
    ImpossibleDate = "RIS042", "impossible-date", Warning,
        "This date does not exist in the calendar (a month above 12, or a day past the end of the month); importers keep it or drop it, and either way the date is wrong.";
    DateNotRisForm = "RIS043", "date-not-ris-form", Info,
        "A date written in words or another order (`Dec 2020`, `2020 Dec 15`, `SEP`, a full date in `PY`), as Web of Science, ProQuest and Ovid write them. Zotero reads it as intended; rispy and citation-js keep the text. The RIS form is `YYYY/MM/DD/other`, and `PY` holds the year alone.";
    BadCheckDigit = "RIS050", "bad-check-digit", Warning,
        "The last character of an ISSN or ISBN is a check digit computed from the others. A mismatch means a typing or copying error: the number identifies nothing, or something else.";
    EndPageBeforeStart = "RIS051", "end-page-before-start", Warning,
        "The end page (`EP`) is smaller than the start page (`SP`), and is not a shortened form of a later page. Zotero joins them into a range that cannot be right.";
    InvalidLink = "RIS052", "invalid-link", Warning,
        "Link fields hold URLs (`https://…`) or file paths, several separated by `;`. Zotero keeps this value as a link that opens nothing.";
    AbbreviatedPages = "RIS053", "abbreviated-pages", Info,
        "The end page gives only the last digits of the page (`SP  - 806`, `EP  - 7` for pages 806–807), as MEDLINE writes page ranges. Zotero joins them into `806-7`, which people read as intended; citation styles and duplicate detection need the full number.";
    RepeatedTag = "RIS060", "repeated-tag", Warning,
        "This tag may appear only once per record. Zotero and rispy keep the first value and drop the others (Zotero can keep them in a note); JabRef keeps the last.";
    EmptyValue = "RIS061", "empty-value", Hint,
        "This tag line has no value. Zotero, citation-js and bibutils drop it and rispy keeps an empty string: with no value, nothing is lost.";
    DuplicateLine = "RIS062", "duplicate-line", Info,
        "The same field twice in one record, value and all (Ovid repeats some lines). Importers keep the first copy or both; nothing is lost.";
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

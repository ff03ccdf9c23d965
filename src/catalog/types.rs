//! Every reference type code (the value of a `TY` line).
//!
//! The 56 standard codes of the 2011 RefMan specification (35 of them already in
//! the 2001 one), then the non-standard spellings that real tools write, each
//! pointing at the standard code it stands for.

use super::{RefType, TypeStatus};

/// All known type codes: standard codes sorted by code, then aliases.
pub static TYPES: &[RefType] = &[
    // Standard codes
    RefType {
        code: "ABST",
        name: "Abstract",
        status: TypeStatus::Spec2001,
    },
    RefType {
        code: "ADVS",
        name: "Audiovisual material",
        status: TypeStatus::Spec2001,
    },
    RefType {
        code: "AGGR",
        name: "Aggregated database",
        status: TypeStatus::Spec2011,
    },
    RefType {
        code: "ANCIENT",
        name: "Ancient text",
        status: TypeStatus::Spec2011,
    },
    RefType {
        code: "ART",
        name: "Art work",
        status: TypeStatus::Spec2001,
    },
    RefType {
        code: "BILL",
        name: "Bill",
        status: TypeStatus::Spec2001,
    },
    RefType {
        code: "BLOG",
        name: "Blog",
        status: TypeStatus::Spec2011,
    },
    RefType {
        code: "BOOK",
        name: "Whole book",
        status: TypeStatus::Spec2001,
    },
    RefType {
        code: "CASE",
        name: "Case",
        status: TypeStatus::Spec2001,
    },
    RefType {
        code: "CHAP",
        name: "Book chapter",
        status: TypeStatus::Spec2001,
    },
    RefType {
        code: "CHART",
        name: "Chart",
        status: TypeStatus::Spec2011,
    },
    RefType {
        code: "CLSWK",
        name: "Classical work",
        status: TypeStatus::Spec2011,
    },
    RefType {
        code: "COMP",
        name: "Computer program",
        status: TypeStatus::Spec2001,
    },
    RefType {
        code: "CONF",
        name: "Conference proceeding",
        status: TypeStatus::Spec2001,
    },
    RefType {
        code: "CPAPER",
        name: "Conference paper",
        status: TypeStatus::Spec2011,
    },
    RefType {
        code: "CTLG",
        name: "Catalog",
        status: TypeStatus::Spec2001,
    },
    RefType {
        code: "DATA",
        name: "Data file",
        status: TypeStatus::Spec2001,
    },
    RefType {
        code: "DBASE",
        name: "Online database",
        status: TypeStatus::Spec2011,
    },
    RefType {
        code: "DICT",
        name: "Dictionary",
        status: TypeStatus::Spec2011,
    },
    RefType {
        code: "EBOOK",
        name: "Electronic book",
        status: TypeStatus::Spec2011,
    },
    RefType {
        code: "ECHAP",
        name: "Electronic book section",
        status: TypeStatus::Spec2011,
    },
    RefType {
        code: "EDBOOK",
        name: "Edited book",
        status: TypeStatus::Spec2011,
    },
    RefType {
        code: "EJOUR",
        name: "Electronic article",
        status: TypeStatus::Spec2011,
    },
    RefType {
        code: "ELEC",
        name: "Web page",
        status: TypeStatus::Spec2001,
    },
    RefType {
        code: "ENCYC",
        name: "Encyclopedia",
        status: TypeStatus::Spec2011,
    },
    RefType {
        code: "EQUA",
        name: "Equation",
        status: TypeStatus::Spec2011,
    },
    RefType {
        code: "FIGURE",
        name: "Figure",
        status: TypeStatus::Spec2011,
    },
    RefType {
        code: "GEN",
        name: "Generic",
        status: TypeStatus::Spec2001,
    },
    RefType {
        code: "GOVDOC",
        name: "Government document",
        status: TypeStatus::Spec2011,
    },
    RefType {
        code: "GRANT",
        name: "Grant",
        status: TypeStatus::Spec2011,
    },
    RefType {
        code: "HEAR",
        name: "Hearing",
        status: TypeStatus::Spec2001,
    },
    RefType {
        code: "ICOMM",
        name: "Internet communication",
        status: TypeStatus::Spec2001,
    },
    RefType {
        code: "INPR",
        name: "In press",
        status: TypeStatus::Spec2001,
    },
    RefType {
        code: "JFULL",
        name: "Journal (full)",
        status: TypeStatus::Spec2001,
    },
    RefType {
        code: "JOUR",
        name: "Journal article",
        status: TypeStatus::Spec2001,
    },
    RefType {
        code: "LEGAL",
        name: "Legal rule or regulation",
        status: TypeStatus::Spec2011,
    },
    RefType {
        code: "MANSCPT",
        name: "Manuscript",
        status: TypeStatus::Spec2011,
    },
    RefType {
        code: "MAP",
        name: "Map",
        status: TypeStatus::Spec2001,
    },
    RefType {
        code: "MGZN",
        name: "Magazine article",
        status: TypeStatus::Spec2001,
    },
    RefType {
        code: "MPCT",
        name: "Motion picture",
        status: TypeStatus::Spec2001,
    },
    RefType {
        code: "MULTI",
        name: "Online multimedia",
        status: TypeStatus::Spec2011,
    },
    RefType {
        code: "MUSIC",
        name: "Music score",
        status: TypeStatus::Spec2001,
    },
    RefType {
        code: "NEWS",
        name: "Newspaper",
        status: TypeStatus::Spec2001,
    },
    RefType {
        code: "PAMP",
        name: "Pamphlet",
        status: TypeStatus::Spec2001,
    },
    RefType {
        code: "PAT",
        name: "Patent",
        status: TypeStatus::Spec2001,
    },
    RefType {
        code: "PCOMM",
        name: "Personal communication",
        status: TypeStatus::Spec2001,
    },
    RefType {
        code: "RPRT",
        name: "Report",
        status: TypeStatus::Spec2001,
    },
    RefType {
        code: "SER",
        name: "Serial publication",
        status: TypeStatus::Spec2001,
    },
    RefType {
        code: "SLIDE",
        name: "Slide",
        status: TypeStatus::Spec2001,
    },
    RefType {
        code: "SOUND",
        name: "Sound recording",
        status: TypeStatus::Spec2001,
    },
    RefType {
        code: "STAND",
        name: "Standard",
        status: TypeStatus::Spec2011,
    },
    RefType {
        code: "STAT",
        name: "Statute",
        status: TypeStatus::Spec2001,
    },
    RefType {
        code: "THES",
        name: "Thesis or dissertation",
        status: TypeStatus::Spec2001,
    },
    RefType {
        code: "UNBILL",
        name: "Unenacted bill",
        status: TypeStatus::Spec2001,
    },
    RefType {
        code: "UNPB",
        name: "Unpublished work",
        status: TypeStatus::Spec2001,
    },
    RefType {
        code: "VIDEO",
        name: "Video recording",
        status: TypeStatus::Spec2001,
    },
    // Aliases written by real tools but in neither specification
    RefType {
        code: "GRNT",
        name: "Grant",
        status: TypeStatus::Alias("GRANT"),
    },
    RefType {
        code: "JOURN",
        name: "Journal article",
        status: TypeStatus::Alias("JOUR"),
    },
    RefType {
        code: "UNPD",
        name: "Unpublished work",
        status: TypeStatus::Alias("UNPB"),
    },
    RefType {
        code: "WEB",
        name: "Web page",
        status: TypeStatus::Alias("ELEC"),
    },
];

//! Completion: tag codes at the start of a line, reference types after
//! `TY  - `, whole-record skeletons between records.

use super::{Style, line_at, record_type, word_before};
use crate::catalog::{self, TagStatus, TypeStatus};
use crate::features::hover::tag_doc;
use crate::syntax::{self, LineKind, Span};

/// What kind of thing an item completes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemKind {
    /// A tag code.
    Tag,
    /// A reference type code.
    Type,
    /// A whole record skeleton (a snippet with placeholders).
    Snippet,
}

/// One completion item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// What the list shows (`AU`, `JOUR`).
    pub label: String,
    /// A short line beside it ("Author", "Journal article").
    pub detail: String,
    /// The full documentation, or what to build it from on resolve.
    pub documentation: Documentation,
    /// The text that replaces [`Completion::replace`].
    pub insert: String,
    /// Tag, type or snippet.
    pub kind: ItemKind,
    /// Sort key: items fitting the record come first.
    pub sort: String,
}

/// An item's documentation: written out, or a tag's, built only when the
/// editor asks for it (`completionItem/resolve`): 88 tag pages per keystroke
/// would cost more than the completion itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Documentation {
    /// Ready text.
    Text(String),
    /// The page of a tag, for a record of this type (if known).
    Tag {
        /// The tag code.
        code: String,
        /// The record's type.
        record_type: Option<String>,
    },
}

impl Documentation {
    /// The text, built now if needed.
    pub fn render(&self, style: Style) -> String {
        match self {
            Documentation::Text(text) => text.clone(),
            Documentation::Tag { code, record_type } => catalog::lookup_tag(code)
                .map(|info| tag_doc(info, record_type.as_deref(), style))
                .unwrap_or_default(),
        }
    }
}

/// The items and the bytes they replace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// The text typed so far that an item replaces (relative to the piece).
    pub replace: Span,
    /// The items.
    pub items: Vec<Item>,
}

/// Completion at byte `offset` of `text` (a piece of a document).
pub fn complete(text: &str, offset: usize) -> Option<Completion> {
    let parse = syntax::parse(text);
    let (index, line_start, line_content_end) = match line_at(&parse, offset) {
        Some((i, line)) => (Some(i), line.content.start, line.content.end),
        None => (None, offset, offset),
    };
    let prefix = &text[line_start..offset.min(line_content_end).max(line_start)];

    // After `TY  - `: reference types.
    if let Some(rest) = type_prefix(prefix) {
        let word = word_before(text, line_start, offset);
        let typed = rest.to_ascii_uppercase();
        let items = catalog::TYPES
            .iter()
            .filter(|t| t.code.starts_with(&typed) || typed.is_empty())
            .map(|t| {
                let alias = matches!(t.status, TypeStatus::Alias(_));
                Item {
                    label: t.code.to_string(),
                    detail: t.name.to_string(),
                    documentation: Documentation::Text(match t.status {
                        TypeStatus::Alias(standard) => format!("Not standard: some tools write it for {standard}."),
                        _ => format!("{} — {}", t.code, t.name),
                    }),
                    insert: t.code.to_string(),
                    kind: ItemKind::Type,
                    sort: format!("{}{}", u8::from(alias), t.code),
                }
            })
            .collect();
        return Some(Completion { replace: word, items });
    }

    // At the start of a line or on a partial tag: tag codes.
    let partial = prefix.trim_start();
    let is_tag_start = partial.len() <= 2
        && partial.chars().next().is_none_or(|c| c.is_ascii_alphabetic())
        && partial.chars().all(|c| c.is_ascii_alphanumeric());
    if !is_tag_start {
        return None;
    }
    let replace = Span::new(offset - partial.len(), offset);
    let record = index.and_then(|i| parse.record_at_line(i));
    let inside = match (record, index) {
        (Some(_), _) => true,
        // A blank line right after an open record's content still belongs to it.
        (None, Some(i)) => parse
            .records
            .iter()
            .any(|r| r.first_line < i && r.end != syntax::RecordEnd::Er && r.end_line >= i),
        (None, None) => parse.records.last().is_some_and(|r| r.end != syntax::RecordEnd::Er),
    };
    let ty = match (record, index) {
        (Some(_), Some(i)) => record_type(&parse, text, i),
        _ => parse
            .records
            .last()
            .filter(|_| inside)
            .and_then(|r| parse.record_type(text, r)),
    };
    let standard = ty.map(catalog::canonical_type);
    let mut items: Vec<Item> = catalog::TAGS
        .iter()
        .filter(|t| t.code.starts_with(&partial.to_ascii_uppercase()))
        .map(|t| {
            let fits = standard.is_none_or(|ty| t.label_for(ty).is_some());
            let rank = match (fits, t.status) {
                (true, TagStatus::Core | TagStatus::Spec2011) => 0,
                (true, TagStatus::Legacy) => 1,
                (true, TagStatus::Extension) => 2,
                (false, _) => 3,
            };
            let detail = standard.and_then(|ty| t.label_for(ty)).unwrap_or(t.name).to_string();
            Item {
                label: t.code.to_string(),
                detail,
                documentation: Documentation::Tag {
                    code: t.code.to_string(),
                    record_type: ty.map(str::to_string),
                },
                insert: if t.code == "ER" {
                    "ER  - ".to_string()
                } else {
                    format!("{}  - ", t.code)
                },
                kind: ItemKind::Tag,
                sort: format!("{rank}{}", t.code),
            }
        })
        .collect();
    let on_blank_line = index.is_none_or(|i| matches!(parse.lines[i].kind, LineKind::Blank | LineKind::Stray));
    if !inside && partial.is_empty() && on_blank_line {
        items.extend(skeletons(text));
    }
    Some(Completion { replace, items })
}

/// The typed part of a type after `TY  - ` (any spacing), if the line is one.
fn type_prefix(prefix: &str) -> Option<&str> {
    let rest = prefix.trim_start();
    let rest = rest.strip_prefix("TY").or_else(|| rest.strip_prefix("ty"))?;
    let rest = rest.trim_start_matches([' ', '\t']).strip_prefix('-')?;
    let rest = rest.trim_start_matches([' ', '\t']);
    rest.chars().all(|c| c.is_ascii_alphanumeric()).then_some(rest)
}

/// Record skeletons for the common types, as snippets with placeholders.
fn skeletons(text: &str) -> Vec<Item> {
    const SKELETONS: &[(&str, &str, &[&str])] = &[
        (
            "JOUR",
            "Journal article",
            &["AU", "TI", "T2", "PY", "VL", "IS", "SP", "EP", "DO"],
        ),
        ("BOOK", "Book", &["AU", "TI", "PY", "CY", "PB", "SN"]),
        (
            "CHAP",
            "Book chapter",
            &["AU", "TI", "A2", "T2", "PY", "CY", "PB", "SP", "EP", "SN"],
        ),
        (
            "CPAPER",
            "Conference paper",
            &["AU", "TI", "T2", "PY", "CY", "SP", "EP", "DO"],
        ),
        ("THES", "Thesis", &["AU", "TI", "PY", "PB", "CY", "M3"]),
        ("RPRT", "Report", &["AU", "TI", "PY", "PB", "CY", "SN", "UR"]),
        ("ELEC", "Web page", &["AU", "TI", "PY", "UR", "Y2"]),
    ];
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    SKELETONS
        .iter()
        .map(|(code, name, tags)| {
            let mut body = format!("TY  - {code}{eol}");
            for (i, tag) in tags.iter().enumerate() {
                let label = catalog::lookup_tag(tag).and_then(|t| t.label_for(code)).unwrap_or(tag);
                body.push_str(&format!("{tag}  - ${{{}:{}}}{eol}", i + 1, label.replace('}', "")));
            }
            body.push_str("ER  - ");
            body.push_str(eol);
            Item {
                label: format!("record: {name}"),
                detail: format!("{name} ({code}) record skeleton"),
                documentation: Documentation::Text(format!(
                    "A new {} record with its usual tags, ending with `ER  - `.",
                    name.to_lowercase()
                )),
                insert: body,
                kind: ItemKind::Snippet,
                sort: format!("9{code}"),
            }
        })
        .collect()
}

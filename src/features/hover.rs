//! Hover: what a tag means in this record's type, a type's name, what a DOI
//! or ISSN/ISBN is and whether it holds up.

use super::{Style, line_at, record_type};
use crate::catalog::{self, Repeat, TagInfo, TagStatus, TypeStatus, ValueFormat};
use crate::checks::values::{self, DoiShape};
use crate::syntax::{self, Span};

/// What to show and for which bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hover {
    /// The bytes hovered (tag or value), relative to the text given.
    pub span: Span,
    /// The content, in the requested style.
    pub contents: String,
}

/// Hover at byte `offset` of `text` (a piece of a document).
pub fn hover(text: &str, offset: usize, style: Style) -> Option<Hover> {
    let parse = syntax::parse(text);
    let (index, line) = line_at(&parse, offset)?;
    let tag = line.tag()?;
    let ty = record_type(&parse, text, index);
    let on_value = offset >= tag.value.start && offset <= tag.value.end && !tag.value.is_empty();
    if on_value {
        let value = tag.value.text(text);
        let contents = match &tag.code {
            b"TY" => type_doc(value.split_ascii_whitespace().next().unwrap_or(value), style),
            b"DO" => doi_doc(value, style),
            b"SN" => standard_number_doc(value, ty, style),
            _ => None,
        };
        if let Some(contents) = contents {
            return Some(Hover {
                span: tag.value,
                contents,
            });
        }
    }
    if offset < tag.tag.start || offset > tag.value.end.max(tag.sep.end) {
        return None;
    }
    let info = catalog::lookup_tag_bytes(tag.code)?;
    Some(Hover {
        span: tag.tag,
        contents: tag_doc(info, ty, style),
    })
}

/// Why the findings at the cursor matter: each code's name and help, for
/// the hover shown over a squiggle.
pub fn findings_help(codes: &[crate::checks::Code], style: Style) -> Option<String> {
    let mut codes = codes.to_vec();
    codes.dedup();
    let parts: Vec<String> = codes
        .iter()
        .map(|code| {
            let help = if style.markdown {
                code.help().to_string()
            } else {
                code.help().replace('`', "")
            };
            format!("{} {}: {help}", style.bold(code.as_str()), code.slug())
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join("\n\n"))
}

/// Everything about a tag, with its meaning for `ty` first.
pub fn tag_doc(info: &TagInfo, ty: Option<&str>, style: Style) -> String {
    let mut out = String::new();
    let heading = format!("{} — {}", info.code, info.name);
    out.push_str(&style.bold(&heading));
    out.push_str("\n\n");
    if let Some(ty) = ty {
        let standard = catalog::canonical_type(ty);
        let type_name = catalog::lookup_type(standard).map_or(ty, |t| t.name);
        match info.label_for(standard) {
            Some(label) if catalog::lookup_type(standard).is_some() => out.push_str(&format!(
                "In a {} record ({}): {}.\n\n",
                type_name.to_lowercase(),
                style.code(ty),
                style.bold(label)
            )),
            Some(_) => {}
            None => out.push_str(&format!(
                "Not defined for {} records ({}) in the 2011 specification.\n\n",
                type_name.to_lowercase(),
                style.code(ty)
            )),
        }
    }
    out.push_str(info.doc);
    out.push_str("\n\n");
    let format = match info.format {
        ValueFormat::RefType => "a reference type code such as `JOUR`",
        ValueFormat::Empty => "empty",
        ValueFormat::Text => "free text",
        ValueFormat::Name => "a name, `Last, First, Suffix` (no comma: a corporate author)",
        ValueFormat::Year => "a four-digit year, `YYYY`",
        ValueFormat::Date => "`YYYY/MM/DD/other`, parts optional but the slashes kept",
        ValueFormat::Doi => "a bare DOI, `10.<registrant>/<suffix>`",
        ValueFormat::StandardNumber => "ISSN (`NNNN-NNNC`) or ISBN, depending on the type",
        ValueFormat::Link => "URLs or file paths, several separated by `;`",
        ValueFormat::Page => "a page number",
        ValueFormat::RefId => "up to 20 characters, `0-9` and `A-Z`",
    };
    let format = if style.markdown {
        format.to_string()
    } else {
        format.replace('`', "")
    };
    let repeat = match info.repeat {
        Repeat::Once => "once per record",
        Repeat::Many => "may repeat, one value per line",
    };
    let status = match info.status {
        TagStatus::Core => "standard (2001 and 2011 specifications)",
        TagStatus::Spec2011 => "standard since the 2011 specification",
        TagStatus::Legacy => "legacy (2001 specification only); still read by most tools",
        TagStatus::Extension => "not in the specification; written by some tools",
    };
    out.push_str(&format!("- Value: {format}\n- Repeats: {repeat}\n- Status: {status}"));
    out
}

fn type_doc(code: &str, style: Style) -> Option<String> {
    let known = catalog::lookup_type(&code.to_ascii_uppercase())?;
    let mut out = format!("{} — {}", style.code(known.code), style.bold(known.name));
    match known.status {
        TypeStatus::Spec2001 => out.push_str("\n\nStandard type (2001 and 2011 specifications)."),
        TypeStatus::Spec2011 => out.push_str("\n\nStandard type since the 2011 specification."),
        TypeStatus::Alias(standard) => out.push_str(&format!(
            "\n\nNot a standard code; some tools write it for {}.",
            style.code(standard)
        )),
    }
    Some(out)
}

fn doi_doc(value: &str, style: Style) -> Option<String> {
    let (bare, note) = match values::doi_shape(value) {
        DoiShape::Bare => (value, ""),
        DoiShape::Wrapped(at) => (&value[at..], "\n\nWritten with a URL or prefix; the bare DOI is above."),
        DoiShape::Whitespace | DoiShape::Invalid => return Some(format!("{} is not a valid DOI.", style.code(value))),
    };
    let link = format!("https://doi.org/{bare}");
    let link = if style.markdown {
        format!("[{link}]({link})")
    } else {
        link
    };
    Some(format!("DOI {}\n\n{link}{note}", style.code(bare)))
}

fn standard_number_doc(value: &str, ty: Option<&str>, style: Style) -> Option<String> {
    let found = values::standard_numbers(value);
    if found.is_empty() {
        let label = ty.and_then(|ty| catalog::lookup_tag("SN")?.label_for(catalog::canonical_type(ty)));
        return label.map(|label| format!("{}: {}", style.bold(label), style.code(value)));
    }
    let lines: Vec<String> = found
        .iter()
        .map(|n| {
            let verdict = if n.valid {
                "check digit holds"
            } else {
                "check digit is WRONG"
            };
            format!("- {} {}: {verdict}", n.kind.name(), style.code(&value[n.start..n.end]))
        })
        .collect();
    Some(lines.join("\n"))
}

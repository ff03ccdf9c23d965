//! Recognising a tag line, and what is odd about it.

use super::Span;
use crate::catalog;

/// How the tag code is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagCase {
    /// `[A-Z][A-Z0-9]`, as the specification requires.
    Upper,
    /// Lowercase or mixed case, and a known tag once uppercased (`au`, `Ti`).
    Lower,
    /// Not a well-formed code and not a known tag in any case (`Tl`, `a1x`).
    Invalid,
}

/// How the separator between tag and value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spacing {
    /// `XX  - value`: two spaces, hyphen, one space.
    Standard,
    /// Readable but not standard: one or three spaces, tabs, extra spaces
    /// after the hyphen, or indentation. Some importers accept it, most do not.
    Loose,
    /// No space before the hyphen (`TY-JOUR`) or none between hyphen and
    /// value (`T1 -x`): no importer reads it as a tag line.
    Broken,
}

/// Everything about a tag line's shape the checks may want to report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TagForm {
    /// Case of the tag code.
    pub case: TagCase,
    /// Shape of the separator.
    pub spacing: Spacing,
    /// Whether spaces or tabs come before the tag.
    pub indented: bool,
}

/// A tag line: `XX  - value` and its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagLine {
    /// The two characters of the tag as written.
    pub tag: Span,
    /// The tag code, uppercased (`ty` → `TY`).
    pub code: [u8; 2],
    /// From the end of the tag to the start of the value.
    pub sep: Span,
    /// The value, without the spaces around it (empty span at its place if none).
    pub value: Span,
    /// What is odd about the line.
    pub form: TagForm,
    /// A `TY` line carrying other fields on the same line (a record pasted
    /// flat from a web page).
    pub flattened: bool,
    /// A flattened line that also carries the record's `ER`.
    pub flattened_with_end: bool,
}

impl TagLine {
    /// The tag code as text (`TY`).
    pub fn code_str(&self) -> &str {
        // Both bytes are ASCII alphanumerics by construction.
        std::str::from_utf8(&self.code).unwrap_or("??")
    }
}

/// Whether `code`'s value is free text that exporters wrap (a title, an
/// abstract, a note; an unknown tag too), rather than a code, name, date,
/// number or link.
pub(super) fn holds_text(code: [u8; 2]) -> bool {
    catalog::lookup_tag_bytes(code).is_none_or(|t| t.format == catalog::ValueFormat::Text)
}

/// A field found inside a flattened line: data for the "split into lines" fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddedField {
    /// The tag code, uppercase.
    pub code: [u8; 2],
    /// The tag as written.
    pub tag: Span,
    /// Its value, trimmed (may be empty).
    pub value: Span,
}

fn is_space(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// Reads `content` (one line, no line break) as a tag line, if it is one.
/// `extra_tags` are known besides the catalogue's (the configuration's), so
/// that a loosely written one is read as a tag as a catalogue tag would be.
pub(super) fn classify(text: &str, content: Span, extra_tags: &[[u8; 2]]) -> Option<TagLine> {
    let s = &text.as_bytes()[content.start..content.end];
    let base = content.start;
    let indent = s.iter().take_while(|&&b| is_space(b)).count();
    let (a, b) = (*s.get(indent)?, *s.get(indent + 1)?);
    if !a.is_ascii_alphabetic() || !b.is_ascii_alphanumeric() {
        return None;
    }
    let tag_end = indent + 2;
    let hyphen = tag_end + s[tag_end..].iter().take_while(|&&c| is_space(c)).count();
    if s.get(hyphen) != Some(&b'-') {
        return None;
    }
    let value_start = hyphen + 1 + s[hyphen + 1..].iter().take_while(|&&c| is_space(c)).count();
    let value_end =
        value_start + s[value_start..].len() - s[value_start..].iter().rev().take_while(|&&c| is_space(c)).count();
    let before = &s[tag_end..hyphen];
    let after = &s[hyphen + 1..value_start];
    let value_empty = value_start == value_end;

    let code = [a.to_ascii_uppercase(), b.to_ascii_uppercase()];
    let upper = a.is_ascii_uppercase() && (b.is_ascii_uppercase() || b.is_ascii_digit());
    let strict = indent == 0 && before == b"  " && (after.first() == Some(&b' ') || value_empty);
    if !strict {
        // Looser shapes are read as tags only for known tags, and only where a
        // wrapped line of prose would not plausibly look the same
        // (`A1-antitrypsin`, `T1-weighted`, `is - that`).
        let known = catalog::lookup_tag_bytes(code).is_some() || extra_tags.contains(&code);
        let next = s.get(value_start).copied();
        let plausible = if before.is_empty() {
            upper && !next.is_some_and(|c| c.is_ascii_lowercase())
        } else if after.is_empty() && !value_empty {
            upper
        } else {
            upper || !after.is_empty() || value_empty
        };
        if !known || !plausible {
            return None;
        }
    }
    let spacing = if before.is_empty() || (after.is_empty() && !value_empty) {
        Spacing::Broken
    } else if indent == 0 && before == b"  " && (after == b" " || value_empty) {
        Spacing::Standard
    } else {
        Spacing::Loose
    };
    let case = if upper {
        TagCase::Upper
    } else if catalog::lookup_tag_bytes(code).is_some() || extra_tags.contains(&code) {
        TagCase::Lower
    } else {
        TagCase::Invalid
    };
    let value = Span::new(base + value_start, base + value_end);
    let (flattened, flattened_with_end) = if &code == b"TY" {
        let markers = field_markers(text, value);
        let last_is_end = markers.last().is_some_and(|&(_, code)| &code == b"ER");
        (markers.len() >= 2, markers.len() >= 2 && last_is_end)
    } else {
        (false, false)
    };
    Some(TagLine {
        tag: Span::new(base + indent, base + tag_end),
        code,
        sep: Span::new(base + tag_end, value.start),
        value,
        form: TagForm {
            case,
            spacing,
            indented: indent > 0,
        },
        flattened,
        flattened_with_end,
    })
}

/// Positions of `XX - ` field markers inside a value: a known uppercase tag
/// after white space, one to three spaces, a hyphen, then a space or the end.
fn field_markers(text: &str, value: Span) -> Vec<(usize, [u8; 2])> {
    let s = text.as_bytes();
    let mut found = Vec::new();
    let mut i = value.start + 1;
    while i + 3 <= value.end {
        let (a, b) = (s[i], s[i + 1]);
        if is_space(s[i - 1]) && a.is_ascii_uppercase() && (b.is_ascii_uppercase() || b.is_ascii_digit()) {
            let spaces = s[i + 2..value.end].iter().take_while(|&&c| c == b' ').count();
            let hyphen = i + 2 + spaces;
            if (1..=3).contains(&spaces)
                && s.get(hyphen) == Some(&b'-')
                && (hyphen + 1 >= value.end || is_space(s[hyphen + 1]))
                && catalog::lookup_tag_bytes([a, b]).is_some()
            {
                found.push((i, [a, b]));
                i = hyphen + 1;
                continue;
            }
        }
        i += 1;
    }
    found
}

/// The fields of a flattened `TY` line, in order, starting with `TY` itself.
pub fn embedded_fields(text: &str, line: &TagLine) -> Vec<EmbeddedField> {
    let markers = field_markers(text, line.value);
    let s = text.as_bytes();
    let mut fields = Vec::with_capacity(markers.len() + 1);
    let mut tag = line.tag;
    let mut code = line.code;
    let mut value_start = line.value.start;
    for (at, next_code) in markers.into_iter().chain(std::iter::once((line.value.end, *b"  "))) {
        let mut end = at;
        while end > value_start && is_space(s[end - 1]) {
            end -= 1;
        }
        fields.push(EmbeddedField {
            code,
            tag,
            value: Span::new(value_start, end),
        });
        if at == line.value.end {
            break;
        }
        tag = Span::new(at, at + 2);
        code = next_code;
        let mut v = at + 2;
        while v < line.value.end && s[v] == b' ' {
            v += 1;
        }
        v += 1; // the hyphen
        while v < line.value.end && is_space(s[v]) {
            v += 1;
        }
        value_start = v.min(line.value.end);
    }
    fields
}

//! The shape of each tag line: malformed, spacing, case, unknown tags.

use super::{Code, Diagnostic, Edit, Rules};
use crate::catalog::{self, TagStatus};
use crate::syntax::{self, LineKind, Parse, Spacing, Span, TagCase, TagLine};

pub(super) fn check(text: &str, parse: &Parse, rules: &Rules, out: &mut Vec<Diagnostic>) {
    for line in &parse.lines {
        if line.kind == LineKind::Continuation
            && let Some(tag) = syntax::tag_like_text(text, line.content, &rules.extra_tags)
        {
            out.push(tag_like_text(text, &tag, line.content.start));
            continue;
        }
        let Some(tag) = line.tag() else { continue };
        if tag.flattened {
            // The flattened-record diagnostic covers the whole line; its fix
            // rewrites every separator.
            continue;
        }
        let written = tag.tag.text(text);
        match tag.form.case {
            TagCase::Invalid => {
                let diagnostic = Diagnostic::new(
                    Code::MalformedTagLine,
                    tag.tag,
                    format!(
                        "`{written}` is not a RIS tag: a tag is an uppercase letter followed by an uppercase letter or digit"
                    ),
                );
                out.push(with_suggestion(diagnostic, tag));
            }
            TagCase::Lower => {
                let upper = tag.code_str();
                out.push(
                    Diagnostic::new(
                        Code::LowercaseTag,
                        tag.tag,
                        format!(
                            "tags are uppercase: `{written}` should be `{upper}`; importers read a lowercase tag as text of the field above"
                        ),
                    )
                    .recurring(written.as_bytes())
                    .with_fix(
                        format!("Change to `{upper}`"),
                        vec![Edit {
                            span: tag.tag,
                            text: upper.to_string(),
                        }],
                        true,
                    ),
                );
            }
            TagCase::Upper => match catalog::lookup_tag_bytes(tag.code) {
                None if rules.extra_tags.contains(&tag.code) => {}
                None => {
                    let diagnostic = Diagnostic::new(
                        Code::UnknownTag,
                        tag.tag,
                        format!("`{written}` is not a RIS tag: Zotero drops it on import"),
                    )
                    .recurring(written.as_bytes());
                    out.push(with_suggestion(diagnostic, tag));
                }
                Some(info) if info.status == TagStatus::Extension => out.push(match catalog::tag_exporter(tag.code) {
                    // An exporter's own tags are one pattern together.
                    Some(exporter) => Diagnostic::new(
                        Code::NonstandardTag,
                        tag.tag,
                        format!(
                            "`{written}` ({}) is one of {exporter}'s own tags, not in the RIS specification: Zotero drops them, and what the record needs is in standard tags too",
                            info.name
                        ),
                    )
                    .recurring(exporter.as_bytes()),
                    None => Diagnostic::new(
                        Code::NonstandardTag,
                        tag.tag,
                        format!(
                            "`{written}` ({}) is not in the RIS specification; some importers ignore it",
                            info.name
                        ),
                    )
                    .recurring(written.as_bytes()),
                }),
                Some(_) => {}
            },
        }
        if let Some(diagnostic) = spacing(text, tag, line.content.start) {
            out.push(diagnostic);
        }
    }
}

/// Adds "did you mean" and its (unsafe: a guess) fix when a known tag is
/// one slip away from the one written.
fn with_suggestion(mut diagnostic: Diagnostic, tag: &TagLine) -> Diagnostic {
    let Some(suggestion) = suggest_tag(tag.code) else {
        return diagnostic;
    };
    diagnostic.message.push_str(&format!("; did you mean `{suggestion}`?"));
    diagnostic.with_fix(
        format!("Change to `{suggestion}`"),
        vec![Edit {
            span: tag.tag,
            text: suggestion.to_string(),
        }],
        false,
    )
}

/// A continuation line that would be a tag written without its spaces if it
/// did not follow wrapped text: read as text, and said so; making it a tag
/// is offered, as a guess.
fn tag_like_text(text: &str, tag: &TagLine, content_start: usize) -> Diagnostic {
    let span = Span::new(content_start, tag.value.start.max(tag.sep.end));
    let line = Span::new(content_start, tag.value.end).text(text);
    let shown: String = line.chars().take(30).collect();
    let cut = if shown.len() < line.len() { "…" } else { "" };
    let canonical = format!("{}  - ", tag.code_str());
    Diagnostic::new(
        Code::TagLikeText,
        span,
        format!(
            "`{shown}{cut}` is read as text of the value above, not as a tag: it follows wrapped text and is not written as importers read a tag, so they read it as text too; if it is a tag, write `{}`",
            canonical.trim_end()
        ),
    )
    .with_fix(
        format!("Make it a tag: `{}`", canonical.trim_end()),
        vec![Edit { span, text: canonical }],
        false,
    )
}

/// The spacing diagnostic for a line, with the edit to `XX  - value`.
/// Extra spaces after the hyphen every importer reads past (a hint); any
/// other looseness loses the line in rispy, citation-js or JabRef.
fn spacing(text: &str, tag: &TagLine, content_start: usize) -> Option<Diagnostic> {
    let sep = tag.sep.text(text);
    let extra_after = !tag.form.indented
        && sep
            .strip_prefix("  -")
            .is_some_and(|after| after.len() > 1 && after.bytes().all(|b| b == b' '));
    let (code, what) = match tag.form.spacing {
        Spacing::Broken => (Code::MalformedTagLine, "importers cannot read this line as a tag"),
        Spacing::Loose if extra_after => (
            Code::ExtraSpaces,
            "every importer reads past them, and `ris-lsp fmt` writes one",
        ),
        Spacing::Loose if tag.form.indented => (
            Code::NonstandardSpacing,
            "the tag should start the line; rispy, JabRef and Zotero read an indented tag as text",
        ),
        Spacing::Loose => (
            Code::NonstandardSpacing,
            "the separator should be two spaces, a hyphen and a space; rispy, citation-js and JabRef read this line as text",
        ),
        Spacing::Standard if tag.form.indented => (
            Code::NonstandardSpacing,
            "the tag should start the line; rispy, JabRef and Zotero read an indented tag as text",
        ),
        Spacing::Standard => return None,
    };
    let span = Span::new(content_start, tag.value.start.max(tag.sep.end));
    let written = span.text(text);
    let canonical = format!("{}  - ", tag.code_str());
    // Trailing spaces do not show in a message: count them instead.
    let message = match code {
        Code::ExtraSpaces => format!(
            "{} spaces after `{}` where the standard has one: {what}",
            sep.len() - 3,
            canonical.trim_end()
        ),
        _ => format!(
            "`{}` should read `{}`: {what}",
            written.trim_end(),
            canonical.trim_end()
        ),
    };
    let diagnostic = Diagnostic::new(code, span, message);
    // One pattern per way of writing the separator; a broken line is each
    // a lost field, shown where it is.
    let diagnostic = match code {
        Code::MalformedTagLine => diagnostic,
        _ => diagnostic.recurring(format!("{}{sep}", tag.form.indented).as_bytes()),
    };
    Some(diagnostic.with_fix(
        format!("Write `{}`", canonical.trim_end()),
        vec![Edit { span, text: canonical }],
        true,
    ))
}

/// A known tag one typing slip away from `code`: a look-alike character
/// (`l`/`I` for `1`, `O` for `0`) or one character replaced.
pub(super) fn suggest_tag(code: [u8; 2]) -> Option<&'static str> {
    let confusable = |c: u8| match c {
        b'L' | b'I' => b'1',
        b'O' => b'0',
        b'1' => b'I',
        b'0' => b'O',
        c => c,
    };
    let candidates = [[code[0], confusable(code[1])], [confusable(code[0]), code[1]]];
    if let Some(tag) = candidates.iter().find_map(|&c| catalog::lookup_tag_bytes(c)) {
        return Some(tag.code);
    }
    // Otherwise a unique standard tag that differs in one position.
    let mut matches = catalog::TAGS.iter().filter(|t| {
        t.status != TagStatus::Extension && {
            let b = t.code.as_bytes();
            (b[0] == code[0]) != (b[1] == code[1])
        }
    });
    let first = matches.next()?;
    matches.next().is_none().then_some(first.code)
}

//! Editor features over one piece of text (a record and what follows it):
//! hover and completion. They return plain data with byte spans; the server
//! turns that into LSP. They read the catalogue, never the protocol.

pub mod completion;
pub mod exporter;
pub mod hover;
pub mod outline;

use crate::syntax::{Line, Parse, Span};

/// Text for people, as Markdown or plain text depending on the client.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    /// Whether the client renders Markdown.
    pub markdown: bool,
}

impl Style {
    /// `code` as inline code.
    fn code(self, code: &str) -> String {
        if self.markdown {
            format!("`{code}`")
        } else {
            code.to_string()
        }
    }

    /// `text` in bold.
    pub fn bold(self, text: &str) -> String {
        if self.markdown {
            format!("**{text}**")
        } else {
            text.to_string()
        }
    }
}

/// The line holding byte `offset` of a parse, and its index.
fn line_at(parse: &Parse, offset: usize) -> Option<(usize, &Line)> {
    let i = parse.lines.partition_point(|l| l.span.end <= offset);
    match parse.lines.get(i) {
        Some(line) => Some((i, line)),
        // The end of text after a final line break: a new, empty line.
        None => None,
    }
}

/// The reference type of the record holding line `index`, if known.
fn record_type<'t>(parse: &Parse, text: &'t str, index: usize) -> Option<&'t str> {
    let record = parse.record_at_line(index)?;
    parse.record_type(text, &parse.records[record])
}

/// A span that is valid inside `text` (for the cursor's word).
fn word_before(text: &str, line_start: usize, offset: usize) -> Span {
    let start = text[line_start..offset]
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_alphanumeric())
        .last()
        .map_or(offset, |(i, _)| line_start + i);
    Span::new(start, offset)
}

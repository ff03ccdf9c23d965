//! Outline, folding, links, inlay hints and workspace symbols: the pieces'
//! analyses, read from a snapshot, translated to LSP.

use tower_lsp::lsp_types::{self as lsp, Url};

use super::convert;
use std::collections::HashMap;

use crate::analysis::{Analysis, Link, Symbol};
use crate::checks::FastHash;
use crate::document::{self, Document, Encoding, Snapshot};

fn range(span: crate::analysis::PlaceSpan, first_line: u32, encoding: Encoding) -> lsp::Range {
    let (start, end) = document::positions(span, first_line, encoding);
    lsp::Range::new(convert::position(start), convert::position(end))
}

/// The methods [`answer`] answers.
pub const WHOLE_DOCUMENT: [&str; 3] = [
    "textDocument/documentSymbol",
    "textDocument/foldingRange",
    "textDocument/documentLink",
];

/// Each piece's part of the whole-document answers of one document, as JSON
/// with its line numbers relative to the piece: made once while the piece
/// is unchanged, whatever lines are added above it, so that the outline
/// asked for after a keystroke costs one piece and a copy.
#[derive(Debug, Default)]
pub(crate) struct Answers {
    encoding: Option<Encoding>,
    by_method: HashMap<&'static str, HashMap<u64, Part, FastHash>>,
    stamp: u64,
}

/// One piece's items, joined by commas, without their line numbers, and
/// where each line number goes (`(offset, line relative to the piece)`).
#[derive(Debug)]
struct Part {
    json: Vec<u8>,
    lines: Vec<(u32, u32)>,
    /// The last answer that used it.
    stamp: u64,
}

impl Part {
    /// `json` (items whose lines are relative) with the numbers of `keys`
    /// cut out. A key stands right after `{` or `,`: a string in the JSON
    /// has its quotes escaped, so text cannot look like one.
    fn new(json: Vec<u8>, keys: &[&str]) -> Self {
        let mut holes: Vec<(usize, usize, u32)> = Vec::new();
        for key in keys {
            let pattern = format!("\"{key}\":");
            for at in memchr::memmem::find_iter(&json, pattern.as_bytes()) {
                if at == 0 || !matches!(json[at - 1], b'{' | b',') {
                    continue;
                }
                let digits = at + pattern.len();
                let end = digits + json[digits..].iter().take_while(|b| b.is_ascii_digit()).count();
                let value = std::str::from_utf8(&json[digits..end])
                    .ok()
                    .and_then(|d| d.parse().ok());
                if let Some(value) = value {
                    holes.push((digits, end, value));
                }
            }
        }
        holes.sort_unstable();
        let mut out = Vec::with_capacity(json.len());
        let mut lines = Vec::with_capacity(holes.len());
        let mut at = 0;
        for (start, end, value) in holes {
            out.extend_from_slice(&json[at..start]);
            lines.push((u32::try_from(out.len()).unwrap_or(u32::MAX), value));
            at = end;
        }
        out.extend_from_slice(&json[at..]);
        Part {
            json: out,
            lines,
            stamp: 0,
        }
    }

    /// Writes the items with their lines made absolute.
    fn write(&self, first_line: u32, out: &mut Vec<u8>) {
        let mut numbers = itoa::Buffer::new();
        let mut at = 0;
        for &(hole, line) in &self.lines {
            let hole = hole as usize;
            out.extend_from_slice(&self.json[at..hole]);
            out.extend_from_slice(numbers.format(first_line.saturating_add(line)).as_bytes());
            at = hole;
        }
        out.extend_from_slice(&self.json[at..]);
    }
}

/// Appends the JSON of the `result` of one of [`WHOLE_DOCUMENT`]'s requests, from
/// the pieces' cached parts; a piece new since the last answer is
/// serialized from typed values (never a `Value` tree).
pub fn answer(method: &str, snapshot: &Snapshot, encoding: Encoding, answers: &mut Answers, out: &mut Vec<u8>) {
    let Some(&method) = WHOLE_DOCUMENT.iter().find(|&&m| m == method) else {
        out.extend_from_slice(b"null");
        return;
    };
    if answers.encoding != Some(encoding) {
        answers.by_method.clear();
        answers.encoding = Some(encoding);
    }
    answers.stamp += 1;
    let stamp = answers.stamp;
    let parts = answers.by_method.entry(method).or_default();
    out.reserve(
        64 + parts
            .values()
            .map(|p| p.json.len() + 8 * p.lines.len() + 1)
            .sum::<usize>(),
    );
    out.push(b'[');
    let opening = out.len();
    if method == "textDocument/documentSymbol"
        && let Some((about, line)) = snapshot.about()
    {
        // The file as a whole first: who wrote it and how many records.
        serde_json::to_writer(&mut *out, &file_symbol(about, line)).expect("LSP types serialize");
    }
    let mut pieces = 0;
    for (id, first_line, analysis) in snapshot.pieces() {
        pieces += 1;
        let part = parts
            .entry(id)
            .or_insert_with(|| piece_part(method, analysis, encoding));
        part.stamp = stamp;
        if part.json.is_empty() {
            continue;
        }
        if out.len() > opening {
            out.push(b',');
        }
        part.write(first_line, out);
    }
    out.push(b']');
    // Forget pieces an edit replaced.
    if parts.len() > pieces {
        parts.retain(|_, part| part.stamp == stamp);
    }
}

/// One piece's items for `method`, lines relative to the piece.
fn piece_part(method: &str, analysis: &Analysis, encoding: Encoding) -> Part {
    match method {
        "textDocument/documentSymbol" => Part::new(
            convert::json_items(analysis.symbols.iter().map(|s| document_symbol(0, s, encoding))),
            &["line"],
        ),
        "textDocument/foldingRange" => Part::new(
            convert::json_items(analysis.folds.iter().map(|&(start, end)| folding_range(start, end))),
            &["startLine", "endLine"],
        ),
        _ => Part::new(
            convert::json_items(analysis.links.iter().map(|link| document_link(0, link, encoding))),
            &["line"],
        ),
    }
}

/// The outline's first entry: the file as a whole ("Ovid MEDLINE export,
/// 1,000 records"), on the line its first record starts.
#[allow(deprecated)] // `DocumentSymbol::deprecated` must be set, though deprecated.
fn file_symbol(about: String, line: u32) -> lsp::DocumentSymbol {
    let at = lsp::Range::new(lsp::Position::new(line, 0), lsp::Position::new(line, 0));
    lsp::DocumentSymbol {
        name: about,
        detail: None,
        kind: lsp::SymbolKind::FILE,
        tags: None,
        deprecated: None,
        range: at,
        selection_range: at,
        children: None,
    }
}

/// One `DocumentSymbol` per record.
#[allow(deprecated)] // `DocumentSymbol::deprecated` must be set, though deprecated.
fn document_symbol(first_line: u32, symbol: &Symbol, encoding: Encoding) -> lsp::DocumentSymbol {
    lsp::DocumentSymbol {
        name: symbol.name.clone(),
        detail: Some(symbol.detail.to_string()),
        kind: lsp::SymbolKind::STRUCT,
        tags: None,
        deprecated: None,
        range: range(symbol.range, first_line, encoding),
        selection_range: range(symbol.selection, first_line, encoding),
        children: None,
    }
}

/// A folding range: a record, or a value over three lines or more.
fn folding_range(start: u32, end: u32) -> lsp::FoldingRange {
    lsp::FoldingRange {
        start_line: start,
        end_line: end,
        kind: Some(lsp::FoldingRangeKind::Region),
        ..Default::default()
    }
}

/// A link as LSP writes it; the target is the analysis's string as it is
/// (made from a DOI or taken from a URL field), with no parse per link.
#[derive(serde::Serialize)]
struct DocumentLink<'a> {
    range: lsp::Range,
    target: &'a str,
}

fn document_link(first_line: u32, link: &Link, encoding: Encoding) -> DocumentLink<'_> {
    DocumentLink {
        range: range(link.range, first_line, encoding),
        target: &link.target,
    }
}

/// Inlay hints within `range`.
pub fn inlay_hints(document: &Document, encoding: Encoding, range: lsp::Range) -> Vec<lsp::InlayHint> {
    document
        .hints(range.start.line..range.end.line.saturating_add(1), encoding)
        .into_iter()
        .map(|(position, label)| (convert::position(position), label))
        .filter(|(position, _)| range.start <= *position && *position <= range.end)
        .map(|(position, label)| lsp::InlayHint {
            position,
            label: lsp::InlayHintLabel::String(label.to_string()),
            kind: Some(lsp::InlayHintKind::TYPE),
            text_edits: None,
            tooltip: None,
            padding_left: Some(true),
            padding_right: Some(true),
            data: None,
        })
        .collect()
}

/// Records of an open document whose title, authors or DOI contain `query`.
#[allow(deprecated)] // `SymbolInformation::deprecated` must be set, though deprecated.
pub fn workspace_symbols(
    snapshot: &Snapshot,
    uri: &Url,
    encoding: Encoding,
    query: &str,
) -> Vec<lsp::SymbolInformation> {
    snapshot
        .search(&query.to_lowercase())
        .into_iter()
        .map(|(first_line, symbol)| lsp::SymbolInformation {
            location: lsp::Location::new(uri.clone(), range(symbol.range, first_line, encoding)),
            name: symbol.name,
            kind: lsp::SymbolKind::STRUCT,
            tags: None,
            deprecated: None,
            container_name: Some(symbol.detail.to_string()),
        })
        .collect()
}

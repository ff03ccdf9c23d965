//! Outline, folding, links, inlay hints and workspace symbols: the pieces'
//! analyses, read from a snapshot, translated to LSP.

use tower_lsp::lsp_types::{self as lsp, Url};

use super::convert;
use crate::analysis::Symbol;
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

/// The JSON of the `result` of one of [`WHOLE_DOCUMENT`]'s requests:
/// items serialized one by one from typed values, never as a `Value` tree.
pub fn answer(method: &str, snapshot: &Snapshot, encoding: Encoding) -> Vec<u8> {
    match method {
        "textDocument/documentSymbol" => json_array(document_symbols(snapshot, encoding)),
        "textDocument/foldingRange" => json_array(folding_ranges(snapshot)),
        "textDocument/documentLink" => json_array(document_links(snapshot, encoding)),
        _ => b"null".to_vec(),
    }
}

fn json_array<T: serde::Serialize>(items: impl Iterator<Item = T>) -> Vec<u8> {
    // About what an item takes: one allocation rather than a dozen doublings.
    let mut out = Vec::with_capacity(64 + items.size_hint().0 * 160);
    out.push(b'[');
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut out, &item).expect("LSP types serialize");
    }
    out.push(b']');
    out
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

/// The outline: one symbol per record.
fn document_symbols(snapshot: &Snapshot, encoding: Encoding) -> impl Iterator<Item = lsp::DocumentSymbol> + '_ {
    snapshot
        .symbols()
        .map(move |(first_line, symbol)| document_symbol(first_line, symbol, encoding))
}

/// Folding ranges: each record, and each value over three lines or more.
fn folding_ranges(snapshot: &Snapshot) -> impl Iterator<Item = lsp::FoldingRange> + '_ {
    snapshot.folds().map(|(start, end)| lsp::FoldingRange {
        start_line: start,
        end_line: end,
        kind: Some(lsp::FoldingRangeKind::Region),
        ..Default::default()
    })
}

/// A link as LSP writes it; the target is the analysis's string as it is
/// (made from a DOI or taken from a URL field), with no parse per link.
#[derive(serde::Serialize)]
struct DocumentLink<'a> {
    range: lsp::Range,
    target: &'a str,
}

/// Links for DOIs and URLs.
fn document_links(snapshot: &Snapshot, encoding: Encoding) -> impl Iterator<Item = DocumentLink<'_>> + '_ {
    snapshot.links().map(move |(first_line, link)| DocumentLink {
        range: range(link.range, first_line, encoding),
        target: &link.target,
    })
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

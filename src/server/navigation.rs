//! Outline, folding, links, inlay hints and workspace symbols, translated
//! from `features::outline` to LSP.

use tower_lsp::lsp_types::{self as lsp, Url};

use super::convert;
use crate::document::{Document, Encoding};
use crate::features::outline;

/// One `DocumentSymbol` per record, its tag lines as children.
#[allow(deprecated)] // `DocumentSymbol::deprecated` must be set, though deprecated.
pub fn document_symbols(document: &Document, encoding: Encoding) -> Vec<lsp::DocumentSymbol> {
    let text = document.text();
    outline::symbols(&text)
        .into_iter()
        .map(|record| lsp::DocumentSymbol {
            name: record.name,
            detail: Some(record.detail),
            kind: lsp::SymbolKind::STRUCT,
            tags: None,
            deprecated: None,
            range: convert::range(document, record.span, encoding),
            selection_range: convert::range(document, record.selection, encoding),
            children: Some(
                record
                    .fields
                    .into_iter()
                    .map(|(name, span, tag)| lsp::DocumentSymbol {
                        name,
                        detail: None,
                        kind: lsp::SymbolKind::FIELD,
                        tags: None,
                        deprecated: None,
                        range: convert::range(document, span, encoding),
                        selection_range: convert::range(document, tag, encoding),
                        children: None,
                    })
                    .collect(),
            ),
        })
        .collect()
}

/// Folding ranges (lines are the parser's, which are LSP's).
pub fn folding_ranges(document: &Document) -> Vec<lsp::FoldingRange> {
    outline::folding(&document.text())
        .into_iter()
        .map(|(start, end)| lsp::FoldingRange {
            start_line: u32::try_from(start).unwrap_or(u32::MAX),
            end_line: u32::try_from(end).unwrap_or(u32::MAX),
            kind: Some(lsp::FoldingRangeKind::Region),
            ..Default::default()
        })
        .collect()
}

/// Links for DOIs and URLs.
pub fn document_links(document: &Document, encoding: Encoding) -> Vec<lsp::DocumentLink> {
    outline::links(&document.text())
        .into_iter()
        .filter_map(|(span, target)| {
            Some(lsp::DocumentLink {
                range: convert::range(document, span, encoding),
                target: Some(Url::parse(&target).ok()?),
                tooltip: None,
                data: None,
            })
        })
        .collect()
}

/// Inlay hints within `range` (LSP lines).
pub fn inlay_hints(document: &Document, encoding: Encoding, range: lsp::Range) -> Vec<lsp::InlayHint> {
    outline::inlay_hints(&document.text())
        .into_iter()
        .map(|(offset, label)| (convert::position(document.position(offset, encoding)), label))
        .filter(|(position, _)| range.start <= *position && *position <= range.end)
        .map(|(position, label)| lsp::InlayHint {
            position,
            label: lsp::InlayHintLabel::String(label),
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
    document: &Document,
    uri: &Url,
    encoding: Encoding,
    query: &str,
) -> Vec<lsp::SymbolInformation> {
    let query = query.to_lowercase();
    outline::symbols(&document.text())
        .into_iter()
        .filter(|record| record.search.to_lowercase().contains(&query))
        .map(|record| lsp::SymbolInformation {
            name: record.name,
            kind: lsp::SymbolKind::STRUCT,
            tags: None,
            deprecated: None,
            location: lsp::Location::new(uri.clone(), convert::range(document, record.span, encoding)),
            container_name: Some(record.detail),
        })
        .collect()
}

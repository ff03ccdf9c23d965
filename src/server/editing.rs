//! Code actions (quick fixes, fix-all) and formatting: the fix edits the
//! checks produced and the formatter's output, turned into LSP edits.

use std::collections::HashMap;

use tower_lsp::lsp_types::{self as lsp, Url};

use super::convert;
use crate::checks::Edit;
use crate::document::{Document, Encoding};
use crate::syntax::Span;
use crate::{fix, format};

/// The kind of the fix-all action, as editors ask for it on save.
pub const FIX_ALL: &str = "source.fixAll.ris";

fn text_edits(document: &Document, encoding: Encoding, edits: &[Edit]) -> Vec<lsp::TextEdit> {
    edits
        .iter()
        .map(|e| lsp::TextEdit::new(convert::range(document, e.span, encoding), e.text.clone()))
        .collect()
}

fn workspace_edit(uri: &Url, edits: Vec<lsp::TextEdit>) -> lsp::WorkspaceEdit {
    lsp::WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..Default::default()
    }
}

/// Quick fixes for the diagnostics touching `range`, and fix-all when asked.
pub fn code_actions(
    document: &Document,
    uri: &Url,
    encoding: Encoding,
    range: Span,
    only: Option<&[lsp::CodeActionKind]>,
) -> Vec<lsp::CodeActionOrCommand> {
    let wants = |kind: &str| {
        only.is_none_or(|kinds| {
            kinds
                .iter()
                .any(|k| kind == k.as_str() || kind.starts_with(&format!("{}.", k.as_str())))
        })
    };
    let mut actions = Vec::new();
    let diagnostics = document.diagnostics();
    if wants(lsp::CodeActionKind::QUICKFIX.as_str()) {
        for diagnostic in &diagnostics {
            let touches = diagnostic.span.start <= range.end && range.start <= diagnostic.span.end;
            let Some(fix) = diagnostic.fix.as_ref().filter(|_| touches) else {
                continue;
            };
            actions.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: fix.title.clone(),
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![convert::diagnostic(document, uri, encoding, diagnostic)]),
                edit: Some(workspace_edit(uri, text_edits(document, encoding, &fix.edits))),
                is_preferred: Some(fix.safe),
                ..Default::default()
            }));
        }
    }
    let any_safe = diagnostics.iter().any(|d| d.fix.as_ref().is_some_and(|f| f.safe));
    if any_safe && wants(FIX_ALL) {
        let text = document.text();
        let fixed = fix::fix_all(&text);
        if let Some(edit) = fix::minimal_edit(&text, &fixed.text) {
            actions.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: format!("Fix all safe problems ({})", fixed.count()),
                kind: Some(lsp::CodeActionKind::new(FIX_ALL)),
                edit: Some(workspace_edit(uri, text_edits(document, encoding, &[edit]))),
                ..Default::default()
            }));
        }
    }
    actions
}

/// Formatting edits for the whole document, or only those touching `range`.
pub fn formatting(document: &Document, encoding: Encoding, range: Option<Span>) -> Vec<lsp::TextEdit> {
    let text = document.text();
    let edits: Vec<Edit> = format::format_edits(&text)
        .into_iter()
        .filter(|e| range.is_none_or(|r| e.span.start <= r.end && r.start <= e.span.end))
        .collect();
    text_edits(document, encoding, &edits)
}

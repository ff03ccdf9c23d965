//! Code actions (quick fixes, fix-all) and formatting: the fix edits the
//! analyses made and the formatter's output, turned into LSP edits.

use std::collections::HashMap;

use ropey::Rope;
use tower_lsp::lsp_types::{self as lsp, Url};

use super::convert;
use crate::checks::Edit;
use crate::document::{Document, Encoding, Snapshot};
use crate::syntax::Span;

/// The kind of the fix-all action, as editors ask for it on save.
pub const FIX_ALL: &str = "source.fixAll.ris";

/// LSP edits for byte edits of the text in `rope`.
pub fn text_edits(rope: &Rope, encoding: Encoding, edits: &[Edit]) -> Vec<lsp::TextEdit> {
    edits
        .iter()
        .map(|e| lsp::TextEdit::new(convert::range(rope, e.span, encoding), e.text.clone()))
        .collect()
}

fn workspace_edit(uri: &Url, edits: Vec<lsp::TextEdit>) -> lsp::WorkspaceEdit {
    lsp::WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..Default::default()
    }
}

/// Whether a request limited to `only` kinds wants actions of `kind`.
fn wants(only: Option<&[lsp::CodeActionKind]>, kind: &str) -> bool {
    only.is_none_or(|kinds| {
        kinds
            .iter()
            .any(|k| kind == k.as_str() || kind.starts_with(&format!("{}.", k.as_str())))
    })
}

/// How the fix-all action is to be offered for a code-action request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FixAllOffer {
    /// Not at all.
    No,
    /// Without its edit, which `codeAction/resolve` computes when chosen:
    /// editors ask for code actions on every cursor move.
    Lazy,
    /// With its edit (the client asked for fix-all by name).
    Now,
}

/// What `codeAction` answers at bytes `range`: the quick fixes of the
/// findings touching it (from the pieces it covers only), and how to offer
/// fix-all.
pub fn quick_fixes(
    document: &Document,
    uri: &Url,
    encoding: Encoding,
    range: Span,
    only: Option<&[lsp::CodeActionKind]>,
    can_resolve: bool,
) -> (Vec<lsp::CodeActionOrCommand>, FixAllOffer) {
    let mut actions = Vec::new();
    if wants(only, lsp::CodeActionKind::QUICKFIX.as_str()) {
        for located in document.located_in(range, encoding) {
            let Some(fix) = located.diagnostic.fix.as_ref() else {
                continue;
            };
            // A piece without a line break of its own (a flattened record
            // on the last line) breaks lines with the file's ending, as
            // fix-all does.
            let eol = document.line_ending();
            let own_break = || {
                let (_, piece) = document.piece_at(located.offset);
                piece.contains(['\n', '\r'])
            };
            let mend = eol != "\n" && fix.edits.iter().any(|e| e.text.contains('\n')) && !own_break();
            let edits: Vec<Edit> = fix
                .edits
                .iter()
                .map(|e| Edit {
                    span: e.span.shift(located.offset),
                    text: if mend {
                        e.text.replace('\n', eol)
                    } else {
                        e.text.clone()
                    },
                })
                .collect();
            actions.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
                title: fix.title.clone(),
                kind: Some(lsp::CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![convert::located(&located, uri)]),
                edit: Some(workspace_edit(uri, text_edits(document.rope(), encoding, &edits))),
                is_preferred: Some(fix.safe),
                ..Default::default()
            }));
        }
    }
    let asked_by_name = only.is_some_and(|kinds| {
        kinds
            .iter()
            .any(|k| FIX_ALL == k.as_str() || FIX_ALL.starts_with(&format!("{}.", k.as_str())))
    });
    let offer = if !wants(only, FIX_ALL) || document.safe_fixes() == 0 {
        FixAllOffer::No
    } else if asked_by_name {
        FixAllOffer::Now
    } else if can_resolve {
        FixAllOffer::Lazy
    } else {
        FixAllOffer::No
    };
    (actions, offer)
}

/// The fix-all action without its edit, for `codeAction/resolve`.
pub fn lazy_fix_all(uri: &Url, count: usize) -> lsp::CodeActionOrCommand {
    lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
        title: format!("Fix all safe problems ({count})"),
        kind: Some(lsp::CodeActionKind::new(FIX_ALL)),
        data: Some(serde_json::json!({ "fixAll": uri })),
        ..Default::default()
    })
}

/// The fix-all action with its edit, computed on `snapshot`; `None` when
/// nothing is left to fix.
pub fn fix_all(snapshot: &Snapshot, uri: &Url, encoding: Encoding) -> Option<lsp::CodeAction> {
    let (edits, applied) = snapshot.fix_all();
    if edits.is_empty() {
        return None;
    }
    let count: usize = applied.iter().map(|(_, n)| n).sum();
    Some(lsp::CodeAction {
        title: format!("Fix all safe problems ({count})"),
        kind: Some(lsp::CodeActionKind::new(FIX_ALL)),
        edit: Some(workspace_edit(uri, text_edits(snapshot.rope(), encoding, &edits))),
        ..Default::default()
    })
}

/// The URI a lazy fix-all action was made for.
pub fn fix_all_target(action: &lsp::CodeAction) -> Option<Url> {
    let uri = action.data.as_ref()?.get("fixAll")?.as_str()?;
    Url::parse(uri).ok()
}

/// Formatting edits for the whole document, or only those touching `range`.
pub fn formatting(snapshot: &Snapshot, encoding: Encoding, range: Option<Span>) -> Vec<lsp::TextEdit> {
    text_edits(snapshot.rope(), encoding, &snapshot.format(range))
}

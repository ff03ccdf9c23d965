//! Translations between the crate's types and LSP's. No RIS knowledge here.

use tower_lsp::lsp_types as lsp;

use ropey::Rope;

use crate::checks::{self, Severity};
use crate::config::ConfigError;
use crate::document::{Encoding, Located, Position};
use crate::syntax::Span;

/// An LSP position from ours.
pub fn position(position: Position) -> lsp::Position {
    lsp::Position::new(position.line, position.character)
}

/// Our position from an LSP one.
pub fn from_position(position: lsp::Position) -> Position {
    Position {
        line: position.line,
        character: position.character,
    }
}

/// The LSP range of byte span `span` of the text in `rope`.
pub fn range(rope: &Rope, span: Span, encoding: Encoding) -> lsp::Range {
    let at = |offset| position(crate::document::position_in(rope, offset, encoding));
    lsp::Range::new(at(span.start), at(span.end))
}

pub fn lsp_severity(severity: Severity) -> lsp::DiagnosticSeverity {
    match severity {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
        Severity::Hint => lsp::DiagnosticSeverity::HINT,
    }
}

/// A located diagnostic (its severity already the configured one) as an
/// LSP diagnostic: the one conversion for publishing and code actions.
pub fn located(l: &Located<'_>, uri: &lsp::Url) -> lsp::Diagnostic {
    let lsp_range = |(a, b)| lsp::Range::new(position(a), position(b));
    let related = (!l.related.is_empty()).then(|| {
        l.diagnostic
            .related
            .iter()
            .zip(&l.related)
            .map(|(r, &at)| lsp::DiagnosticRelatedInformation {
                location: lsp::Location::new(uri.clone(), lsp_range(at)),
                message: r.message.clone(),
            })
            .collect()
    });
    to_lsp(&l.diagnostic, l.diagnostic.severity, lsp_range(l.range), related)
}

/// A configuration error as a diagnostic on the configuration file itself.
pub fn config_error(text: &str, error: &ConfigError) -> lsp::Diagnostic {
    let span = error.span.unwrap_or_default();
    lsp::Diagnostic {
        range: range(&Rope::from_str(text), span, Encoding::Utf16),
        severity: Some(lsp::DiagnosticSeverity::ERROR),
        source: Some("ris-lsp".to_string()),
        message: format!("{}; ris-lsp uses its defaults until this is fixed", error.message),
        ..Default::default()
    }
}

fn to_lsp(
    d: &checks::Diagnostic,
    severity: Severity,
    range: lsp::Range,
    related: Option<Vec<lsp::DiagnosticRelatedInformation>>,
) -> lsp::Diagnostic {
    lsp::Diagnostic {
        range,
        severity: Some(lsp_severity(severity)),
        code: Some(lsp::NumberOrString::String(d.code.as_str().to_string())),
        code_description: None,
        source: Some("ris-lsp".to_string()),
        message: d.message.clone(),
        related_information: related,
        tags: None,
        // The help text is shown on hover over the finding, not sent with
        // every publish: on a big file that halves each message.
        data: None,
    }
}

/// Items serialized one by one from typed values (never a `Value` tree)
/// and joined by commas, without brackets: the parts publishing and the
/// whole-document answers are assembled from.
pub fn json_items<T: serde::Serialize>(items: impl Iterator<Item = T>) -> Vec<u8> {
    let mut out = Vec::new();
    for (i, item) in items.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut out, &item).expect("LSP types serialize");
    }
    out
}

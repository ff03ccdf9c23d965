//! Translations between the crate's types and LSP's. No RIS knowledge here.

use tower_lsp::lsp_types as lsp;

use crate::checks::{self, Severity};
use crate::config::{Config, ConfigError};
use crate::document::{Document, Encoding, Located, Position};
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

/// The LSP range of byte span `span`.
pub fn range(document: &Document, span: Span, encoding: Encoding) -> lsp::Range {
    lsp::Range::new(
        position(document.position(span.start, encoding)),
        position(document.position(span.end, encoding)),
    )
}

fn lsp_severity(severity: Severity) -> lsp::DiagnosticSeverity {
    match severity {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Info => lsp::DiagnosticSeverity::INFORMATION,
        Severity::Hint => lsp::DiagnosticSeverity::HINT,
    }
}

/// A located diagnostic with the configured severity as an LSP diagnostic,
/// or `None` when the configuration turns its code off.
pub fn located(l: &Located<'_>, uri: &lsp::Url, config: &Config) -> Option<lsp::Diagnostic> {
    let severity = config.severity(l.diagnostic.code)?;
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
    Some(to_lsp(&l.diagnostic, severity, lsp_range(l.range), related))
}

/// A configuration error as a diagnostic on the configuration file itself.
pub fn config_error(text: &str, error: &ConfigError) -> lsp::Diagnostic {
    let document = Document::new(text, 0);
    let span = error.span.unwrap_or_default();
    lsp::Diagnostic {
        range: range(&document, span, Encoding::Utf16),
        severity: Some(lsp::DiagnosticSeverity::ERROR),
        source: Some("ris-lsp".to_string()),
        message: format!("{}; ris-lsp uses its defaults until this is fixed", error.message),
        ..Default::default()
    }
}

/// One diagnostic in LSP terms.
pub fn diagnostic(document: &Document, uri: &lsp::Url, encoding: Encoding, d: &checks::Diagnostic) -> lsp::Diagnostic {
    let related = (!d.related.is_empty()).then(|| {
        d.related
            .iter()
            .map(|r| lsp::DiagnosticRelatedInformation {
                location: lsp::Location::new(uri.clone(), range(document, r.span, encoding)),
                message: r.message.clone(),
            })
            .collect()
    });
    to_lsp(d, d.severity(), range(document, d.span, encoding), related)
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

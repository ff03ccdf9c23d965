//! User settings, shared by the CLI and the server: a `ris-lsp.toml` found by
//! walking up from the checked file, and for the server the editor's
//! `initializationOptions` / `workspace/didChangeConfiguration` (same keys).
//!
//! ```toml
//! extra-tags = ["NL", "AI"]      # not reported as unknown tags
//! extra-types = ["INTV"]         # not reported as unknown types
//! inlay-hints = true             # server only
//!
//! [severity]                     # per code or name: error, warning, info, hint, off
//! RIS061 = "off"
//! duplicate-doi = "error"
//!
//! [required]                     # tags each record of a type must have
//! JOUR = ["AU", "TI", "PY"]
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::checks::{Code, Rules, Severity};
use crate::syntax::Span;

/// The file the CLI and the server look for.
pub const FILE_NAME: &str = "ris-lsp.toml";

/// A severity as written in the settings: one of the checks' severities
/// (`error`, `warning`, `info`, `hint`) or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Do not report.
    Off,
    /// Report with this severity.
    #[serde(untagged)]
    Report(Severity),
}

/// Settings; every key is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// Severity per code (`RIS061`) or name (`empty-value`).
    pub severity: BTreeMap<String, Level>,
    /// Tags not to report as unknown.
    pub extra_tags: Vec<String>,
    /// Reference types not to report as unknown.
    pub extra_types: Vec<String>,
    /// Tags every record of a type must have.
    pub required: BTreeMap<String, Vec<String>>,
    /// Whether the server offers inlay hints (default on).
    pub inlay_hints: Option<bool>,
}

/// A configuration that cannot be used, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// What is wrong.
    pub message: String,
    /// Where in the file, when known.
    pub span: Option<Span>,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

fn is_tag(code: &str) -> bool {
    let b = code.as_bytes();
    b.len() == 2 && b[0].is_ascii_uppercase() && (b[1].is_ascii_uppercase() || b[1].is_ascii_digit())
}

impl Config {
    /// Reads a `ris-lsp.toml`.
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| ConfigError {
            message: e.message().to_string(),
            span: e.span().map(|r| Span::new(r.start, r.end)),
        })?;
        config.validate().map_err(|message| {
            // Point at the offending word when it appears in the file.
            let span = message
                .split('`')
                .nth(1)
                .and_then(|word| text.find(word).map(|at| Span::new(at, at + word.len())));
            ConfigError { message, span }
        })?;
        Ok(config)
    }

    /// Reads the editor's settings (JSON with the same keys).
    pub fn from_json(value: serde_json::Value) -> Result<Self, ConfigError> {
        let config: Config = serde_json::from_value(value).map_err(|e| ConfigError {
            message: e.to_string(),
            span: None,
        })?;
        config
            .validate()
            .map_err(|message| ConfigError { message, span: None })?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), String> {
        for key in self.severity.keys() {
            if !Code::ALL.iter().any(|c| c.as_str() == key || c.slug() == key) {
                return Err(format!(
                    "`{key}` is not a diagnostic code (RIS001…) or name (missing-end…)"
                ));
            }
        }
        let tags = self.extra_tags.iter().chain(self.required.values().flatten());
        if let Some(bad) = tags.into_iter().find(|t| !is_tag(t)) {
            return Err(format!(
                "`{bad}` is not a tag: two characters, an uppercase letter then a letter or digit"
            ));
        }
        Ok(())
    }

    /// `other`'s settings on top of these (a project file over the editor's).
    pub fn merged_with(&self, other: &Config) -> Config {
        let mut merged = self.clone();
        merged.severity.extend(other.severity.clone());
        merged.extra_tags.extend(other.extra_tags.iter().cloned());
        merged.extra_types.extend(other.extra_types.iter().cloned());
        merged.required.extend(other.required.clone());
        merged.inlay_hints = other.inlay_hints.or(self.inlay_hints);
        merged
    }

    /// The rules the checks need.
    pub fn rules(&self) -> Rules {
        Rules {
            extra_tags: self
                .extra_tags
                .iter()
                .filter_map(|t| t.as_bytes().try_into().ok())
                .collect(),
            extra_types: self.extra_types.iter().map(|t| t.to_ascii_uppercase()).collect(),
            required: self
                .required
                .iter()
                .map(|(ty, tags)| {
                    (
                        ty.to_ascii_uppercase(),
                        tags.iter().filter_map(|t| t.as_bytes().try_into().ok()).collect(),
                    )
                })
                .collect(),
            severities: Code::ALL
                .iter()
                .filter_map(|&code| {
                    let level = self
                        .severity
                        .get(code.as_str())
                        .or_else(|| self.severity.get(code.slug()))?;
                    Some(match *level {
                        Level::Off => (code, None),
                        Level::Report(severity) => (code, Some(severity)),
                    })
                })
                .collect(),
        }
    }
}

/// The nearest `ris-lsp.toml` in `dir` or above it.
pub fn find(dir: &Path) -> Option<PathBuf> {
    dir.ancestors().map(|d| d.join(FILE_NAME)).find(|p| p.is_file())
}

/// Loads the configuration that applies to files in `dir`: the nearest file's,
/// or the defaults. The error, if any, comes with the file's path and text.
pub fn load_for(dir: &Path) -> (Config, Option<(PathBuf, String, ConfigError)>) {
    let Some(path) = find(dir) else {
        return (Config::default(), None);
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => match Config::from_toml(&text) {
            Ok(config) => (config, None),
            Err(error) => (Config::default(), Some((path, text, error))),
        },
        Err(error) => {
            let error = ConfigError {
                message: format!("cannot read: {error}"),
                span: None,
            };
            (Config::default(), Some((path, String::new(), error)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_every_key() {
        let config = Config::from_toml(
            "extra-tags = [\"NL\"]\nextra-types = [\"intv\"]\ninlay-hints = false\n[severity]\nRIS061 = \"off\"\nduplicate-doi = \"error\"\n[required]\nJOUR = [\"AU\", \"PY\"]\n",
        )
        .unwrap();
        let rules = config.rules();
        assert_eq!(rules.severity(Code::EmptyValue), None);
        assert_eq!(rules.severity(Code::DuplicateDoi), Some(Severity::Error));
        assert_eq!(rules.severity(Code::MissingEnd), Some(Severity::Error));
        assert_eq!(rules.extra_tags, [*b"NL"]);
        assert_eq!(rules.extra_types, ["INTV"]);
        assert_eq!(rules.required, [("JOUR".to_string(), vec![*b"AU", *b"PY"])]);
        assert_eq!(config.inlay_hints, Some(false));
    }

    #[test]
    fn bad_files_say_what_and_where() {
        let error = Config::from_toml("[severity]\nRIS999 = \"off\"\n").unwrap_err();
        assert!(error.message.contains("`RIS999` is not a diagnostic code"), "{error}");
        assert_eq!(error.span, Some(Span::new(11, 17)));
        let error = Config::from_toml("extra-tags = 3\n").unwrap_err();
        assert!(error.span.is_some(), "{error:?}");
        let error = Config::from_toml("colour = \"red\"\n").unwrap_err();
        assert!(error.message.contains("unknown field"), "{error}");
        assert!(Config::from_json(serde_json::json!({ "severity": { "RIS010": "loud" } })).is_err());
    }
}

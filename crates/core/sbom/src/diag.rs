//! Diagnostics and fatal parse errors.

use serde::{Deserialize, Serialize};

/// Severity of a diagnostic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

/// Stable diagnostic and error codes. The string forms (see [`Code::as_str`]) never change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Code {
    // ---- fatal (the document is unusable) ----
    /// Input larger than [`crate::ParseOptions::max_bytes`].
    InputTooLarge,
    /// Input is not valid UTF-8 (or UTF-8 with BOM).
    NotUtf8,
    /// The content is not a recognised SBOM format.
    UnknownFormat,
    /// JSON syntax error (e.g. truncated document).
    MalformedJson,
    /// XML syntax error.
    MalformedXml,
    /// XML with a DOCTYPE / DTD / entity declaration (refused: XXE and entity expansion).
    XmlDoctype,
    /// The spec version is missing or not one this crate reads.
    UnsupportedSpecVersion,
    /// A tag-value line that is not `Tag: value`, or an unterminated `<text>` block.
    BadTagValueLine,
    /// A structural element has the wrong JSON type (e.g. `components` is not an array).
    InvalidStructure,
    // ---- per-element problems (parse succeeds) ----
    /// A component without a name.
    MissingName,
    /// A purl that does not parse; the raw value is kept in `purl_raw`.
    InvalidPurl,
    /// A CPE that is not a valid CPE 2.3 formatted string (kept as written).
    InvalidCpe,
    /// Two components with the same bom-ref / SPDXID.
    DuplicateBomRef,
    /// A dependency edge naming a ref that no component has; the edge is dropped.
    UnknownDependencyRef,
    /// A `postmarket:support_level` value that is not understood.
    InvalidSupportLevel,
    /// A `postmarket:end_of_support` value that is not a `YYYY-MM-DD` date.
    InvalidEndOfSupport,
    /// An element that was skipped because it has the wrong type (e.g. a component that is not
    /// an object).
    SkippedElement,
}

impl Code {
    /// The stable string form, e.g. `invalid-purl`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Code::InputTooLarge => "input-too-large",
            Code::NotUtf8 => "not-utf8",
            Code::UnknownFormat => "unknown-format",
            Code::MalformedJson => "malformed-json",
            Code::MalformedXml => "malformed-xml",
            Code::XmlDoctype => "xml-doctype",
            Code::UnsupportedSpecVersion => "unsupported-spec-version",
            Code::BadTagValueLine => "bad-tag-value-line",
            Code::InvalidStructure => "invalid-structure",
            Code::MissingName => "missing-name",
            Code::InvalidPurl => "invalid-purl",
            Code::InvalidCpe => "invalid-cpe",
            Code::DuplicateBomRef => "duplicate-bom-ref",
            Code::UnknownDependencyRef => "unknown-dependency-ref",
            Code::InvalidSupportLevel => "invalid-support-level",
            Code::InvalidEndOfSupport => "invalid-end-of-support",
            Code::SkippedElement => "skipped-element",
        }
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A problem found in an otherwise usable document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    /// JSON pointer (JSON formats) or `line:column` (XML, tag-value); empty for the whole input.
    pub location: String,
    pub message: String,
}

/// A fatal error: the document cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{code} at {location}: {message}")]
pub struct ParseError {
    pub code: Code,
    /// JSON pointer, `line:column`, or `byte N` for size / encoding errors.
    pub location: String,
    pub message: String,
}

impl ParseError {
    pub(crate) fn new(code: Code, location: impl Into<String>, message: impl Into<String>) -> Self {
        ParseError {
            code,
            location: location.into(),
            message: message.into(),
        }
    }
}

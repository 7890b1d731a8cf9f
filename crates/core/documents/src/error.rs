//! What goes wrong writing (bad input model) and reading (bad document), and what a writer warns
//! about.

use std::fmt;

/// The input model cannot be written: `place` names the field (`vulnerabilities[0].statuses[2]`),
/// `message` what is wrong and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{place}: {message}")]
pub struct WriteError {
    pub place: String,
    pub message: String,
}

impl WriteError {
    pub(crate) fn new(place: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            place: place.into(),
            message: message.into(),
        }
    }
}

/// A document that cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// Not JSON at all.
    #[error("malformed JSON at line {line}, column {column}: {message}")]
    Malformed {
        line: usize,
        column: usize,
        message: String,
    },
    /// JSON, but not what the format requires at `pointer` (RFC 6901).
    #[error("at {pointer}: expected {expected}{}", found.as_ref().map(|f| format!(", found {f}")).unwrap_or_default())]
    Invalid {
        pointer: String,
        expected: String,
        found: Option<String>,
    },
}

impl ReadError {
    /// The JSON pointer of an [`ReadError::Invalid`] (empty for malformed JSON).
    pub fn pointer(&self) -> &str {
        match self {
            ReadError::Invalid { pointer, .. } => pointer,
            ReadError::Malformed { .. } => "",
        }
    }
}

/// Something the writer did that loses or drops information; the document is still valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// Where in the input model (`vulnerabilities[0].statuses[1].justification`).
    pub place: String,
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.place, self.message)
    }
}

/// A written document and the warnings its writer gave.
#[derive(Debug, Clone, PartialEq)]
pub struct Written {
    pub document: serde_json::Value,
    pub warnings: Vec<Warning>,
}

impl Written {
    /// The document as pretty-printed JSON (keys sorted, so equal input gives equal bytes).
    pub fn to_json_pretty(&self) -> String {
        // A Value always serialises.
        serde_json::to_string_pretty(&self.document).unwrap_or_default()
    }
}

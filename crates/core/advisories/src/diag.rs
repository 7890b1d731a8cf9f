//! Record-level diagnostics, parse options and the crate error type.

use serde::{Deserialize, Serialize};
use std::fmt;

/// Where in a file a problem is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "at", rename_all = "snake_case")]
pub enum Location {
    /// RFC 6901 JSON pointer into the document (`/vulnerabilities/3/cve`).
    Pointer(String),
    /// 1-based line number (CSV, text lists).
    Line(u64),
    /// Whole file (or archive entry).
    File,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Pointer(p) => write!(f, "{}", if p.is_empty() { "/" } else { p }),
            Location::Line(l) => write!(f, "line {l}"),
            Location::File => f.write_str("(file)"),
        }
    }
}

/// A problem with one record; the rest of the input still parsed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// File name (or `archive.zip!/entry.json`) when known.
    pub file: Option<String>,
    pub location: Location,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.file {
            Some(file) => write!(f, "{file}: {}: {}", self.location, self.message),
            None => write!(f, "{}: {}", self.location, self.message),
        }
    }
}

/// Limits applied to archives and compressed input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest total uncompressed size read from one archive or gzip stream.
    pub max_total_uncompressed: u64,
    /// Largest single archive entry.
    pub max_entry_uncompressed: u64,
    /// Most entries read from one archive.
    pub max_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_total_uncompressed: 4 << 30,
            max_entry_uncompressed: 64 << 20,
            max_entries: 2_000_000,
        }
    }
}

/// Options shared by every parser.
#[derive(Debug, Clone, Default)]
pub struct ParseOptions {
    /// Turn the first diagnostic into an error.
    pub strict: bool,
    /// Name used in diagnostics and errors.
    pub file: Option<String>,
    pub limits: Limits,
}

impl ParseOptions {
    pub fn named(file: impl Into<String>) -> Self {
        ParseOptions {
            file: Some(file.into()),
            ..Default::default()
        }
    }

    pub fn strict(mut self, strict: bool) -> Self {
        self.strict = strict;
        self
    }

    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    pub(crate) fn place(&self) -> String {
        self.file.clone().unwrap_or_else(|| "<input>".to_string())
    }

    pub(crate) fn child(&self, name: String) -> ParseOptions {
        ParseOptions {
            strict: self.strict,
            file: Some(name),
            limits: self.limits,
        }
    }
}

/// Errors: input that cannot be read at all, or a diagnostic in strict mode.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{place}: unreadable: {message}")]
    Unreadable { place: String, message: String },
    #[error("strict mode: {0}")]
    Strict(Diagnostic),
    #[error("{place}: I/O error: {source}")]
    Io {
        place: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{place}: archive refused: {message}")]
    ArchiveRefused { place: String, message: String },
    #[error("{place}: {message}")]
    Verification { place: String, message: String },
}

pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    pub(crate) fn unreadable(opts: &ParseOptions, message: impl fmt::Display) -> Error {
        Error::Unreadable {
            place: opts.place(),
            message: message.to_string(),
        }
    }
}

/// Collects diagnostics; in strict mode the first push fails.
#[derive(Debug)]
pub(crate) struct Diags<'a> {
    opts: &'a ParseOptions,
    pub(crate) list: Vec<Diagnostic>,
}

impl<'a> Diags<'a> {
    pub(crate) fn new(opts: &'a ParseOptions) -> Self {
        Diags {
            opts,
            list: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, location: Location, message: impl Into<String>) -> Result<()> {
        let d = Diagnostic {
            file: self.opts.file.clone(),
            location,
            message: message.into(),
        };
        if self.opts.strict {
            return Err(Error::Strict(d));
        }
        self.list.push(d);
        Ok(())
    }

    pub(crate) fn ptr(
        &mut self,
        pointer: impl Into<String>,
        message: impl Into<String>,
    ) -> Result<()> {
        self.push(Location::Pointer(pointer.into()), message)
    }

    /// Take over diagnostics produced elsewhere (archive entries); strict fails on the first.
    pub(crate) fn extend(&mut self, ds: Vec<Diagnostic>) -> Result<()> {
        for d in ds {
            if self.opts.strict {
                return Err(Error::Strict(d));
            }
            self.list.push(d);
        }
        Ok(())
    }
}

/// Records plus the diagnostics met while reading them.
#[derive(Debug, Clone)]
pub struct Parsed<T> {
    pub records: Vec<T>,
    pub diagnostics: Vec<Diagnostic>,
}

impl<T> Default for Parsed<T> {
    fn default() -> Self {
        Parsed {
            records: Vec::new(),
            diagnostics: Vec::new(),
        }
    }
}

/// Escape one JSON pointer segment (RFC 6901).
pub fn pointer_escape(seg: &str) -> String {
    seg.replace('~', "~0").replace('/', "~1")
}

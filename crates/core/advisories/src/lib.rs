//! # postmarket-advisories
//!
//! Pure parsers for the vulnerability intelligence a medical-device manufacturer must monitor:
//! NVD (API 2.0 and 1.1 feeds), CVE JSON 5, OSV (JSON, YAML, directories, `all.zip`),
//! CISA KEV (JSON, CSV), FIRST EPSS (CSV, gzip) and CSAF 2.0 (documents, provider metadata,
//! ROLIE feeds, `changes.csv`/`index.txt`, SHA-512 checks).
//!
//! Bytes in, typed records plus record-level [`Diagnostic`]s out. No network, no database.
//! A malformed record yields a diagnostic (file, JSON pointer or line, message) and the rest of
//! the input still parses; [`ParseOptions::strict`] turns the first diagnostic into an error.
//! Input that cannot be read at all is an [`Error`] naming the place.
//!
//! All parsers normalise into [`VulnRecord`]; [`merge::merge`] groups records about one issue by
//! alias and keeps every score with its provenance (see the module docs for the display rule).

pub mod csaf;
pub mod cve5;
mod detect;
mod diag;
pub mod discovery;
pub mod epss;
pub mod kev;
pub mod merge;
pub mod model;
pub mod nvd;
#[cfg(feature = "openpgp")]
pub mod openpgp;
pub mod osv;
pub mod timefmt;
mod util;

pub use detect::{detect, parse_any, AnyOutput, Kind, Output};
pub use diag::{pointer_escape, Diagnostic, Error, Limits, Location, ParseOptions, Parsed, Result};
pub use model::*;
pub use util::is_cve_id;

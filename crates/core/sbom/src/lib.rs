//! SBOM ingestion for Postmarket: pure parsers (bytes in, typed values plus diagnostics out) for
//! CycloneDX 1.2–1.6 JSON and XML, SPDX 2.2/2.3 JSON and tag-value and SPDX 3.0 JSON-LD; a
//! normalised component model; an NTIA/FDA quality report; CycloneDX 1.6 and SPDX 2.3 JSON writers.
//!
//! ```
//! let bytes = br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[
//!   {"type":"library","bom-ref":"a","name":"zlib","version":"1.3","purl":"pkg:generic/zlib@1.3"}]}"#;
//! let parsed = postmarket_sbom::parse(bytes, &postmarket_sbom::ParseOptions::default()).unwrap();
//! assert_eq!(parsed.sbom.components[0].purl.as_deref(), Some("pkg:generic/zlib@1.3"));
//! assert!(parsed.diagnostics.is_empty());
//! ```
#![forbid(unsafe_code)]

mod cdx_json;
mod cdx_xml;
pub mod diag;
pub mod model;
pub mod normalize;
pub mod output;
pub mod quality;
mod spdx3;
mod spdx_json;
mod spdx_tv;
pub mod write;

pub use diag::{Code, Diagnostic, ParseError, Severity};
pub use model::{Component, ExternalReference, Format, Hash, Metadata, Sbom, SupportLevel};
pub use output::ParseOutput;
pub use quality::{quality_report, QualityReport};
pub use write::{to_cyclonedx_json, to_spdx_json};

/// Parser limits.
#[derive(Debug, Clone)]
pub struct ParseOptions {
    /// Inputs longer than this many bytes are refused with [`Code::InputTooLarge`].
    pub max_bytes: usize,
}

/// Default input limit: 64 MiB.
pub const DEFAULT_MAX_BYTES: usize = 64 * 1024 * 1024;

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

/// A successfully parsed SBOM and the problems found in it. A valid file has no diagnostics.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed {
    pub sbom: Sbom,
    pub diagnostics: Vec<Diagnostic>,
}

/// `line:column` (1-based, column in characters) of a byte offset in `text`.
pub(crate) fn line_col(text: &str, offset: usize) -> String {
    let offset = offset.min(text.len());
    let mut cut = offset;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    let before = &text[..cut];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let col = before
        .rsplit('\n')
        .next()
        .map(|l| l.chars().count())
        .unwrap_or(0)
        + 1;
    format!("{line}:{col}")
}

fn decode<'a>(bytes: &'a [u8], opts: &ParseOptions) -> Result<&'a str, ParseError> {
    if bytes.len() > opts.max_bytes {
        return Err(ParseError::new(
            Code::InputTooLarge,
            format!("byte {}", opts.max_bytes),
            format!(
                "input is {} bytes, larger than the limit of {} bytes",
                bytes.len(),
                opts.max_bytes
            ),
        ));
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let ok = e.valid_up_to();
        let prefix = std::str::from_utf8(&bytes[..ok]).unwrap_or("");
        ParseError::new(
            Code::NotUtf8,
            line_col(prefix, ok),
            format!("input is not valid UTF-8 (invalid byte at offset {ok})"),
        )
    })
}

enum Sniff {
    Json,
    Xml,
    TagValue,
    Unknown,
}

fn sniff(text: &str) -> Sniff {
    match text.trim_start().as_bytes().first() {
        Some(b'{') | Some(b'[') => Sniff::Json,
        Some(b'<') => Sniff::Xml,
        _ => {
            let tv = text.lines().take(200).any(|l| {
                let l = l.trim_start();
                l.starts_with("SPDXVersion:")
                    || l.starts_with("SPDXID:")
                    || l.starts_with("DocumentName:")
            });
            if tv {
                Sniff::TagValue
            } else {
                Sniff::Unknown
            }
        }
    }
}

fn json_format(v: &serde_json::Value) -> Option<Format> {
    let o = v.as_object()?;
    if o.get("bomFormat").and_then(|b| b.as_str()) == Some("CycloneDX") {
        return Some(Format::CycloneDxJson);
    }
    if o.contains_key("spdxVersion") {
        return Some(Format::SpdxJson);
    }
    let ctx_is_spdx = match o.get("@context") {
        Some(serde_json::Value::String(c)) => c.contains("spdx.org/rdf/3"),
        Some(serde_json::Value::Array(a)) => a
            .iter()
            .any(|c| c.as_str().is_some_and(|c| c.contains("spdx.org/rdf/3"))),
        _ => false,
    };
    if ctx_is_spdx {
        return Some(Format::Spdx3JsonLd);
    }
    None
}

/// Detect the SBOM format from content alone (no parsing beyond what is needed).
pub fn detect_format(bytes: &[u8]) -> Option<Format> {
    let text = decode(
        bytes,
        &ParseOptions {
            max_bytes: usize::MAX,
        },
    )
    .ok()?;
    match sniff(text) {
        Sniff::Json => serde_json::from_str::<serde_json::Value>(text)
            .ok()
            .as_ref()
            .and_then(json_format),
        Sniff::Xml => cdx_xml::is_cyclonedx(text).then_some(Format::CycloneDxXml),
        Sniff::TagValue => Some(Format::SpdxTagValue),
        Sniff::Unknown => None,
    }
}

/// Parse an SBOM of any supported format, detected from its content.
pub fn parse(bytes: &[u8], opts: &ParseOptions) -> Result<Parsed, ParseError> {
    let text = decode(bytes, opts)?;
    match sniff(text) {
        Sniff::Json => {
            let v: serde_json::Value = serde_json::from_str(text).map_err(|e| {
                ParseError::new(
                    Code::MalformedJson,
                    format!("{}:{}", e.line(), e.column()),
                    format!("invalid JSON: {e}"),
                )
            })?;
            match json_format(&v) {
                Some(Format::CycloneDxJson) => cdx_json::parse(&v),
                Some(Format::SpdxJson) => spdx_json::parse(&v),
                Some(Format::Spdx3JsonLd) => spdx3::parse(&v),
                _ => Err(ParseError::new(
                    Code::UnknownFormat,
                    "",
                    "JSON document is neither CycloneDX (bomFormat), SPDX 2 (spdxVersion) nor SPDX 3 (@context)",
                )),
            }
        }
        Sniff::Xml => cdx_xml::parse(text),
        Sniff::TagValue => spdx_tv::parse(text),
        Sniff::Unknown => Err(ParseError::new(
            Code::UnknownFormat,
            "1:1",
            "content is not a recognised SBOM format",
        )),
    }
}

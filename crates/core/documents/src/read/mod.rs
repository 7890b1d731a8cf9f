//! Readers: a supplier's VEX (CycloneDX, OpenVEX, CSAF) as component-level [`Statement`]s.
//!
//! Every problem is a [`ReadError`] naming the JSON pointer and what was expected. Unknown
//! status or justification values are errors, not guesses. A CSAF product id that the
//! `product_tree` does not define is an error (CSAF test 6.1.1). A CycloneDX `affects[].ref` that
//! names no component of the document is kept as a reference to the supplier's BOM: CycloneDX VEX
//! is usually published apart from the BOM it annotates (BOM-Link `urn:cdx:…` or a bare bom-ref).

mod csaf;
mod cyclonedx;
mod openvex;

use serde::Serialize;
use serde_json::Value;

use crate::error::ReadError;
use crate::vocab::{Justification, Status, VexJustification};

pub use csaf::read_csaf;
pub use cyclonedx::read_cyclonedx;
pub use openvex::read_openvex;

/// The format a document was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csaf,
    Cyclonedx,
    Openvex,
}

/// What a statement is about, with every identifier the document gives for it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProductIdentity {
    /// The document's own handle: CSAF `product_id`, CycloneDX `bom-ref`, OpenVEX `@id`.
    pub id: Option<String>,
    pub name: Option<String>,
    /// The version (or CycloneDX version range) the statement names, if any.
    pub version: Option<String>,
    pub purl: Option<String>,
    pub cpe: Option<String>,
    /// For an OpenVEX subcomponent: the `@id` of the product it is part of.
    pub parent: Option<String>,
}

impl ProductIdentity {
    /// The most specific identifier: purl, then CPE, then the document's id.
    pub fn key(&self) -> Option<&str> {
        self.purl
            .as_deref()
            .or(self.cpe.as_deref())
            .or(self.id.as_deref())
    }
}

/// One product's status for one vulnerability, as a supplier's document states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    /// The vulnerability's id (CSAF: the CVE, else the first `ids` entry).
    pub vulnerability: String,
    /// Other ids the document gives for it.
    pub aliases: Vec<String>,
    pub product: ProductIdentity,
    pub status: Status,
    /// The status as written (`known_not_affected`, `exploitable`, …).
    pub native_status: String,
    /// The justification as written, in its own vocabulary.
    pub justification: Option<Justification>,
    /// The justification in the CSAF / OpenVEX vocabulary (see [`crate::vocab`]).
    pub neutral_justification: Option<VexJustification>,
    pub impact_statement: Option<String>,
    pub action_statement: Option<String>,
    /// When the statement was made (the most specific date the document gives).
    pub timestamp: Option<String>,
    /// Where in the document it came from.
    pub pointer: String,
}

/// A document read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Imported {
    pub format: Format,
    pub statements: Vec<Statement>,
}

/// Parses the text and reads it in the format its content shows.
pub fn read_vex(text: &str) -> Result<Imported, ReadError> {
    let v: Value = serde_json::from_str(text).map_err(|e| ReadError::Malformed {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    read_value(&v)
}

/// Reads a parsed document in the format its content shows: `document.csaf_version` → CSAF,
/// `bomFormat` → CycloneDX, `@context` → OpenVEX.
pub fn read_value(v: &Value) -> Result<Imported, ReadError> {
    let o = v
        .as_object()
        .ok_or_else(|| invalid("", "a JSON object", v))?;
    if o.get("document")
        .and_then(|d| d.get("csaf_version"))
        .is_some()
    {
        read_csaf(v)
    } else if o.contains_key("bomFormat") {
        read_cyclonedx(v)
    } else if o.contains_key("@context") {
        read_openvex(v)
    } else {
        Err(ReadError::Invalid {
            pointer: String::new(),
            expected: "a CSAF document (document.csaf_version), a CycloneDX BOM (bomFormat) or an OpenVEX document (@context)".into(),
            found: Some("none of these keys".into()),
        })
    }
}

// ---- JSON access with pointers ----

/// A short description of a value for error messages.
pub(crate) fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("boolean {b}"),
        Value::Number(n) => format!("number {n}"),
        Value::String(s) => {
            let short: String = s.chars().take(60).collect();
            format!("{short:?}")
        }
        Value::Array(a) => format!("an array of {}", a.len()),
        Value::Object(_) => "an object".into(),
    }
}

pub(crate) fn invalid(pointer: &str, expected: &str, found: &Value) -> ReadError {
    ReadError::Invalid {
        pointer: pointer.to_string(),
        expected: expected.to_string(),
        found: Some(describe(found)),
    }
}

pub(crate) fn missing(pointer: &str, expected: &str) -> ReadError {
    ReadError::Invalid {
        pointer: pointer.to_string(),
        expected: expected.to_string(),
        found: Some("nothing".into()),
    }
}

/// RFC 6901 escaping of one reference token.
pub(crate) fn esc(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// A JSON value with its pointer.
#[derive(Clone)]
pub(crate) struct At<'a> {
    pub v: &'a Value,
    pub ptr: String,
}

pub(crate) fn at(v: &Value, ptr: impl Into<String>) -> At<'_> {
    At { v, ptr: ptr.into() }
}

impl<'a> At<'a> {
    pub fn key(&self, k: &str) -> String {
        format!("{}/{}", self.ptr, esc(k))
    }

    /// The member `k` with its pointer, if present and not null.
    pub fn child(&self, k: &str) -> Option<At<'a>> {
        self.get(k).map(|v| at(v, self.key(k)))
    }

    /// The elements of an array member with their pointers (absent: none).
    pub fn items(&self, k: &str) -> Result<Vec<At<'a>>, ReadError> {
        let base = self.key(k);
        Ok(self
            .opt_array(k)?
            .iter()
            .enumerate()
            .map(|(i, v)| at(v, format!("{base}/{i}")))
            .collect())
    }

    pub fn get(&self, k: &str) -> Option<&'a Value> {
        self.v.get(k).filter(|x| !x.is_null())
    }

    pub fn object(&self) -> Result<&'a serde_json::Map<String, Value>, ReadError> {
        self.v
            .as_object()
            .ok_or_else(|| invalid(&self.ptr, "an object", self.v))
    }

    /// A required string member.
    pub fn str(&self, k: &str) -> Result<&'a str, ReadError> {
        match self.get(k) {
            Some(Value::String(s)) => Ok(s),
            Some(other) => Err(invalid(&self.key(k), "a string", other)),
            None => Err(missing(&self.key(k), "a string")),
        }
    }

    /// An optional string member (absent or null: `None`; anything else but a string: error).
    pub fn opt_str(&self, k: &str) -> Result<Option<&'a str>, ReadError> {
        match self.get(k) {
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(invalid(&self.key(k), "a string", other)),
            None => Ok(None),
        }
    }

    /// An optional array member (absent: empty).
    pub fn opt_array(&self, k: &str) -> Result<&'a [Value], ReadError> {
        match self.get(k) {
            Some(Value::Array(a)) => Ok(a),
            Some(other) => Err(invalid(&self.key(k), "an array", other)),
            None => Ok(&[]),
        }
    }

    /// A required array member.
    pub fn array(&self, k: &str) -> Result<&'a [Value], ReadError> {
        match self.get(k) {
            Some(Value::Array(a)) => Ok(a),
            Some(other) => Err(invalid(&self.key(k), "an array", other)),
            None => Err(missing(&self.key(k), "an array")),
        }
    }

    /// An optional array of strings.
    pub fn opt_strings(&self, k: &str) -> Result<Vec<&'a str>, ReadError> {
        let base = self.key(k);
        self.opt_array(k)?
            .iter()
            .enumerate()
            .map(|(i, x)| {
                x.as_str()
                    .ok_or_else(|| invalid(&format!("{base}/{i}"), "a string", x))
            })
            .collect()
    }
}

//! The normalised SBOM model shared by every parser and writer.

use serde::{Deserialize, Serialize};

/// The concrete serialisation an SBOM was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Format {
    #[serde(rename = "cyclonedx-json")]
    CycloneDxJson,
    #[serde(rename = "cyclonedx-xml")]
    CycloneDxXml,
    #[serde(rename = "spdx-json")]
    SpdxJson,
    #[serde(rename = "spdx-tag-value")]
    SpdxTagValue,
    #[serde(rename = "spdx3-jsonld")]
    Spdx3JsonLd,
}

impl Format {
    /// Stable short name (same as the serde name).
    pub fn as_str(&self) -> &'static str {
        match self {
            Format::CycloneDxJson => "cyclonedx-json",
            Format::CycloneDxXml => "cyclonedx-xml",
            Format::SpdxJson => "spdx-json",
            Format::SpdxTagValue => "spdx-tag-value",
            Format::Spdx3JsonLd => "spdx3-jsonld",
        }
    }
    /// `true` for the CycloneDX family.
    pub fn is_cyclonedx(&self) -> bool {
        matches!(self, Format::CycloneDxJson | Format::CycloneDxXml)
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// FDA support level of a component.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupportLevel {
    Maintained,
    NoLongerMaintained,
    Abandoned,
}

impl SupportLevel {
    pub fn as_str(&self) -> &'static str {
        match self {
            SupportLevel::Maintained => "maintained",
            SupportLevel::NoLongerMaintained => "no_longer_maintained",
            SupportLevel::Abandoned => "abandoned",
        }
    }
}

/// A hash of a component: algorithm as written by the source (e.g. `SHA-256` or `SHA256`) and
/// the lowercase hex value.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Hash {
    pub alg: String,
    pub value: String,
}

/// An external reference (CycloneDX `externalReferences`, SPDX `homepage`/other refs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExternalReference {
    pub kind: String,
    pub url: String,
}

/// A normalised component.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Component {
    /// Identity inside the document: CycloneDX `bom-ref`, SPDX `SPDXID` / `spdxId`. Components
    /// without one get a generated `postmarket:component-N` reference.
    pub bom_ref: String,
    /// Name; empty when the source had none (a `missing-name` diagnostic is raised).
    pub name: String,
    pub version: Option<String>,
    /// Supplier name (CycloneDX supplier → manufacturer → publisher → author; SPDX supplier →
    /// originator), without the SPDX `Organization:`/`Person:` prefix.
    pub supplier: Option<String>,
    /// Canonical purl when the source purl was valid.
    pub purl: Option<String>,
    /// The purl exactly as written in the source (kept when invalid).
    pub purl_raw: Option<String>,
    /// CPE as written (2.3 formatted string; invalid ones raise `invalid-cpe` and are kept).
    pub cpe: Option<String>,
    /// SWID tag id.
    pub swid: Option<String>,
    pub hashes: Vec<Hash>,
    /// License expression (CycloneDX license ids/names joined by ` AND `, or the expression).
    pub licenses: Option<String>,
    pub support_level: Option<SupportLevel>,
    /// Support level text as written in the source.
    pub support_level_raw: Option<String>,
    /// End-of-support date `YYYY-MM-DD`.
    pub end_of_support: Option<String>,
    /// End-of-support text as written in the source (kept when it is not a date).
    pub end_of_support_raw: Option<String>,
    /// CycloneDX component type / SPDX primary package purpose, lowercased.
    pub component_type: Option<String>,
    /// `bom_ref` of the enclosing component for nested CycloneDX components.
    pub parent: Option<String>,
    pub description: Option<String>,
    /// All name/value properties (CycloneDX properties; SPDX annotations parsed as `key=value`).
    pub properties: Vec<(String, String)>,
    pub external_references: Vec<ExternalReference>,
}

impl Component {
    /// `true` when the component has a purl, CPE or SWID tag id.
    pub fn has_identifier(&self) -> bool {
        self.purl_raw.is_some() || self.cpe.is_some() || self.swid.is_some()
    }
}

/// Document-level metadata.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Metadata {
    /// e.g. `1.4`, `2.3`, `3.0.1`.
    pub spec_version: String,
    /// Document name (SPDX `name`; CycloneDX: the device name).
    pub name: Option<String>,
    /// CycloneDX `serialNumber`, SPDX `documentNamespace` / document `spdxId`.
    pub serial_number: Option<String>,
    pub authors: Vec<String>,
    pub timestamp: Option<String>,
    pub tools: Vec<String>,
    /// The device itself: CycloneDX `metadata.component`; SPDX: the single package the document
    /// DESCRIBES (SPDX 3: the single package root element of the SBOM).
    pub device: Option<Component>,
}

/// A parsed, normalised SBOM.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sbom {
    pub format: Format,
    pub metadata: Metadata,
    /// All components, nested ones flattened (depth-first, parents before children), the device
    /// excluded.
    pub components: Vec<Component>,
    /// Dependency edges `(from bom_ref, to bom_ref)`, deduplicated, in document order. Refs are
    /// component or device refs.
    pub dependencies: Vec<(String, String)>,
}

impl Sbom {
    /// Find a component (or the device) by its reference.
    pub fn component(&self, bom_ref: &str) -> Option<&Component> {
        self.components
            .iter()
            .find(|c| c.bom_ref == bom_ref)
            .or_else(|| {
                self.metadata
                    .device
                    .as_ref()
                    .filter(|d| d.bom_ref == bom_ref)
            })
    }
}

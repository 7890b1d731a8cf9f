//! What a manufacturer publishes, independent of the format: one [`Publication`] is written as a
//! CSAF advisory, a CSAF VEX, a CycloneDX VEX or an OpenVEX document.
//!
//! Every type is plain data with serde (JSON field names are the Rust names). Dates are RFC 3339
//! strings with a time zone (`2026-03-01T00:00:00Z`), as all three formats require; the writers
//! check them.

use serde::{Deserialize, Serialize};

use crate::vocab::{Justification, Status};

/// One document's worth of content: the products (device releases), the vulnerabilities and each
/// product's status for each vulnerability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Publication {
    pub document: DocumentInfo,
    /// The devices and their releases the document speaks about.
    pub products: Vec<Device>,
    pub vulnerabilities: Vec<Vulnerability>,
}

/// Document-level metadata.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentInfo {
    /// The publisher's identifier of the document (CSAF `tracking.id`), e.g. `PM-2026-0007`.
    pub id: String,
    pub title: String,
    pub publisher: Publisher,
    pub status: DocumentStatus,
    /// At least one; oldest first. The first date is the initial release, the last the current
    /// one. Numbering is derived (CSAF §3.2.1.12.8): `1`, `2`, … once published (interim or
    /// final), `0.1.0`, `0.2.0`, … while a draft (CSAF test 6.1.17).
    pub revisions: Vec<Revision>,
    /// The summary every customer reads first (CSAF note `summary`).
    pub summary: String,
    /// Longer text (CSAF note `description`), if any.
    #[serde(default)]
    pub description: Option<String>,
    /// Traffic Light Protocol label for distribution, if any.
    #[serde(default)]
    pub tlp: Option<Tlp>,
    #[serde(default)]
    pub references: Vec<Reference>,
    /// Where the CSAF document will be published (an `https` URL ending in the CSAF file name,
    /// §5.1: the tracking id in lower case, other characters than `+`, `-`, `a-z`, `0-9` as `_`,
    /// then `.json`); written as the `self` reference (CSAF test 6.2.11).
    #[serde(default)]
    pub canonical_url: Option<String>,
    /// The language, e.g. `en` (CSAF `document.lang`).
    #[serde(default)]
    pub lang: Option<String>,
    /// What produced the document (CSAF `tracking.generator.engine`).
    pub generator: Generator,
}

/// Who publishes (the manufacturer).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publisher {
    pub name: String,
    /// The publisher's web namespace, e.g. `https://psirt.example.com` (CSAF
    /// `publisher.namespace`; also the base of the OpenVEX `@id`).
    pub namespace: String,
    /// How to reach the PSIRT, if given.
    #[serde(default)]
    pub contact_details: Option<String>,
}

/// CSAF `tracking.status` (§3.2.1.12.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentStatus {
    Draft,
    Interim,
    Final,
}

impl DocumentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentStatus::Draft => "draft",
            DocumentStatus::Interim => "interim",
            DocumentStatus::Final => "final",
        }
    }
}

/// One published revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    pub date: String,
    pub summary: String,
}

/// TLP 1.0 labels, the ones CSAF 2.0 allows (§3.2.1.5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Tlp {
    White,
    Green,
    Amber,
    Red,
}

impl Tlp {
    pub fn as_str(self) -> &'static str {
        match self {
            Tlp::White => "WHITE",
            Tlp::Green => "GREEN",
            Tlp::Amber => "AMBER",
            Tlp::Red => "RED",
        }
    }
}

/// A link with a short summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    pub url: String,
    pub summary: String,
}

/// The tool and version that produced a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Generator {
    pub name: String,
    pub version: String,
}

/// A device model and the releases the document covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Device {
    /// The manufacturer (CSAF branch `vendor`).
    pub vendor: String,
    /// The device model name (CSAF branch `product_name`).
    pub name: String,
    /// Model numbers shared by every release (CSAF helper `model_numbers`).
    #[serde(default)]
    pub model_numbers: Vec<String>,
    pub releases: Vec<DeviceRelease>,
}

/// One release of a device: a product in every format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRelease {
    /// A single version, never a range (CSAF test 6.1.31).
    pub version: String,
    #[serde(default)]
    pub purl: Option<String>,
    /// A CPE 2.3 formatted string.
    #[serde(default)]
    pub cpe: Option<String>,
}

/// Names a device release: the device's `name` and the release's `version`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ProductRef {
    pub device: String,
    pub version: String,
}

impl ProductRef {
    pub fn new(device: impl Into<String>, version: impl Into<String>) -> Self {
        Self {
            device: device.into(),
            version: version.into(),
        }
    }
}

/// One vulnerability and what it means for each product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vulnerability {
    /// The primary id, `CVE-…` when there is one.
    pub id: String,
    /// Other ids for the same vulnerability (GHSA, ICSMA, the manufacturer's own, …).
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub title: Option<String>,
    /// What the vulnerability is (CSAF note `description`; CycloneDX `description`).
    pub description: String,
    #[serde(default)]
    pub cwe: Option<Cwe>,
    #[serde(default)]
    pub discovery_date: Option<String>,
    #[serde(default)]
    pub release_date: Option<String>,
    #[serde(default)]
    pub scores: Vec<Score>,
    /// One entry per product the document speaks about for this vulnerability.
    pub statuses: Vec<ProductStatus>,
    /// What to do: the action statements (CSAF remediations).
    #[serde(default)]
    pub remediations: Vec<Remediation>,
    /// Known exploitation (CSAF threat `exploit_status`), if stated.
    #[serde(default)]
    pub exploit_status: Option<String>,
    #[serde(default)]
    pub involvements: Vec<Involvement>,
    #[serde(default)]
    pub references: Vec<Reference>,
    /// The package URL of the vulnerable component inside the device, when known
    /// (OpenVEX `subcomponents`).
    #[serde(default)]
    pub component: Option<String>,
}

/// A CWE weakness; `name` must be the catalogue's name for `id` (CSAF test 6.1.11).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cwe {
    /// `CWE-787`.
    pub id: String,
    pub name: String,
}

/// A CVSS vector (2.0, 3.0, 3.1 or 4.0) and the products it scores (empty: every product whose
/// status is `affected`, or every product named when none is).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Score {
    pub vector: String,
    #[serde(default)]
    pub products: Vec<ProductRef>,
    /// Who scored it (CycloneDX `ratings[].source.name`), if not the publisher.
    #[serde(default)]
    pub source: Option<String>,
}

/// One product's status for the vulnerability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductStatus {
    pub product: ProductRef,
    pub status: Status,
    /// Why it is not affected (required for `not_affected` unless an impact statement is given).
    #[serde(default)]
    pub justification: Option<Justification>,
    /// Free text on why or how the product is (not) affected.
    #[serde(default)]
    pub impact_statement: Option<String>,
    /// For `fixed`: this is the first release with the fix (CSAF `first_fixed`).
    #[serde(default)]
    pub first_fixed: bool,
    /// The release customers should move to (CSAF `recommended`).
    #[serde(default)]
    pub recommended: bool,
}

/// An action statement: CSAF remediation categories (§3.2.3.12.2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Remediation {
    pub category: RemediationCategory,
    pub details: String,
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    /// The products it applies to (at least one, CSAF test 6.1.29).
    pub products: Vec<ProductRef>,
}

/// CSAF 2.0 remediation categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RemediationCategory {
    VendorFix,
    Mitigation,
    Workaround,
    NoneAvailable,
    NoFixPlanned,
}

impl RemediationCategory {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VendorFix => "vendor_fix",
            Self::Mitigation => "mitigation",
            Self::Workaround => "workaround",
            Self::NoneAvailable => "none_available",
            Self::NoFixPlanned => "no_fix_planned",
        }
    }

    /// The CycloneDX `analysis.response` that says the same (CycloneDX has no "mitigation": a
    /// mitigation is a workaround there).
    pub fn cdx_response(self) -> &'static str {
        match self {
            Self::VendorFix => "update",
            Self::Mitigation | Self::Workaround => "workaround_available",
            Self::NoneAvailable => "can_not_fix",
            Self::NoFixPlanned => "will_not_fix",
        }
    }
}

/// Who was involved and how far (CSAF §3.2.3.6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Involvement {
    /// `coordinator`, `discoverer`, `other`, `user` or `vendor`.
    pub party: String,
    /// `completed`, `contact_attempted`, `disputed`, `in_progress`, `not_contacted` or `open`.
    pub status: String,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub date: Option<String>,
}

impl Publication {
    /// Every (device, release) in document order.
    pub fn releases(&self) -> impl Iterator<Item = (&Device, &DeviceRelease)> {
        self.products
            .iter()
            .flat_map(|d| d.releases.iter().map(move |r| (d, r)))
    }

    /// The release a reference names.
    pub fn release(&self, r: &ProductRef) -> Option<(&Device, &DeviceRelease)> {
        self.releases()
            .find(|(d, rel)| d.name == r.device && rel.version == r.version)
    }
}

impl Vulnerability {
    /// The action statement for a product: the details of every remediation that names it, in
    /// order, one per line. Every format's writer uses this one text.
    pub fn action_statement(&self, product: &ProductRef) -> Option<String> {
        let parts: Vec<&str> = self
            .remediations
            .iter()
            .filter(|r| r.products.contains(product))
            .map(|r| r.details.as_str())
            .collect();
        (!parts.is_empty()).then(|| parts.join("\n"))
    }
}

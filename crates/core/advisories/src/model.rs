//! The normalised model every parser produces.
//!
//! Version strings, CPE strings and vectors are kept exactly as the source wrote
//! them: version semantics and CVSS arithmetic belong to other crates.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Which feed (format) a record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// NVD CVE API 2.0.
    Nvd,
    /// NVD JSON 1.1 data feeds.
    Nvd11,
    /// CVE JSON 5 record (CVE Program / cvelistV5 / vulnrichment).
    Cve5,
    /// OSV record (JSON or YAML).
    Osv,
    /// CSAF 2.0 advisory.
    Csaf,
    /// CISA Known Exploited Vulnerabilities catalog.
    Kev,
    /// FIRST EPSS.
    Epss,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Nvd => "nvd",
            Source::Nvd11 => "nvd-1.1",
            Source::Cve5 => "cve5",
            Source::Osv => "osv",
            Source::Csaf => "csaf",
            Source::Kev => "kev",
            Source::Epss => "epss",
        }
    }
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One vulnerability as one source describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VulnRecord {
    pub source: Source,
    /// The source's own id (CVE id for NVD/CVE 5/KEV, OSV id, CVE id for a CSAF vulnerability).
    pub id: String,
    /// Ids naming the *same* issue (CVE, GHSA, PYSEC, RUSTSEC, …). Used as merge keys.
    pub aliases: Vec<String>,
    /// Related ids: documents or records that discuss this issue together with others
    /// (CSAF tracking ids, OSV `related`/`upstream`, a CVE 5 CNA's source advisory).
    /// Kept for display; never used as merge keys, because one advisory covers many issues.
    pub related: Vec<String>,
    pub summary: Option<String>,
    pub details: Option<String>,
    pub cwes: Vec<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub published: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub modified: Option<OffsetDateTime>,
    /// Rejected (NVD/CVE 5) or withdrawn (OSV): kept, but marked.
    pub withdrawn: bool,
    /// The raw status word when the source has one (NVD vulnStatus, CVE 5 state, CSAF status).
    pub status: Option<String>,
    pub scores: Vec<Score>,
    pub affected: Vec<Affected>,
    pub references: Vec<Reference>,
}

impl VulnRecord {
    pub fn new(source: Source, id: impl Into<String>) -> Self {
        VulnRecord {
            source,
            id: id.into(),
            aliases: Vec::new(),
            related: Vec::new(),
            summary: None,
            details: None,
            cwes: Vec::new(),
            published: None,
            modified: None,
            withdrawn: false,
            status: None,
            scores: Vec::new(),
            affected: Vec::new(),
            references: Vec::new(),
        }
    }

    /// `id` followed by the aliases, without duplicates.
    pub fn all_ids(&self) -> Vec<&str> {
        let mut v: Vec<&str> = Vec::with_capacity(1 + self.aliases.len());
        v.push(&self.id);
        for a in &self.aliases {
            if !v.contains(&a.as_str()) {
                v.push(a);
            }
        }
        v
    }
}

/// Primary = the scoring body's own assessment (NVD analyst, or the document owner);
/// Secondary = someone else's assessment carried along (a CNA's score inside NVD, an ADP).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ScoreKind {
    Primary,
    Secondary,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum CvssVersion {
    #[serde(rename = "2.0")]
    V2,
    #[serde(rename = "3.0")]
    V3_0,
    #[serde(rename = "3.1")]
    V3_1,
    #[serde(rename = "4.0")]
    V4_0,
    #[serde(untagged)]
    Other(String),
}

impl CvssVersion {
    /// From an explicit version field, falling back to the vector prefix.
    pub fn from_parts(version: Option<&str>, vector: &str) -> CvssVersion {
        if let Some(v) = version {
            match v.trim() {
                "2" | "2.0" => return CvssVersion::V2,
                "3.0" => return CvssVersion::V3_0,
                "3.1" => return CvssVersion::V3_1,
                "4" | "4.0" => return CvssVersion::V4_0,
                _ => {}
            }
        }
        Self::from_vector(vector)
            .unwrap_or_else(|| CvssVersion::Other(version.unwrap_or("").to_string()))
    }

    /// Recognise the version from a vector's prefix (`CVSS:3.1/…`); a bare `AV:N/AC:L/Au:N…` is v2.
    pub fn from_vector(vector: &str) -> Option<CvssVersion> {
        let v = vector.trim();
        if let Some(rest) = v.strip_prefix("CVSS:") {
            return Some(match rest.split('/').next().unwrap_or("") {
                "3.0" => CvssVersion::V3_0,
                "3.1" => CvssVersion::V3_1,
                "4.0" => CvssVersion::V4_0,
                "2.0" => CvssVersion::V2,
                other => CvssVersion::Other(other.to_string()),
            });
        }
        if v.contains("Au:") {
            return Some(CvssVersion::V2);
        }
        None
    }

    pub fn is_v3(&self) -> bool {
        matches!(self, CvssVersion::V3_0 | CvssVersion::V3_1)
    }

    pub fn as_str(&self) -> &str {
        match self {
            CvssVersion::V2 => "2.0",
            CvssVersion::V3_0 => "3.0",
            CvssVersion::V3_1 => "3.1",
            CvssVersion::V4_0 => "4.0",
            CvssVersion::Other(s) => s,
        }
    }
}

/// A severity score with provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// Who assessed it: `nvd@nist.gov`, a CNA's short name or e-mail, `CISA-ADP`, a CSAF publisher.
    pub source: String,
    /// The feed it was read from.
    pub feed: Source,
    pub kind: ScoreKind,
    pub version: CvssVersion,
    /// The vector exactly as published (may be empty for a score without vector).
    pub vector: String,
    pub base_score: Option<f64>,
    pub severity: Option<String>,
    /// CSAF: the product ids the score applies to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<String>,
}

/// What a record says is affected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Affected {
    /// OSV-style package with ranges and explicit versions.
    Package(PackageAffected),
    /// NVD configuration: a tree of CPE match nodes.
    Cpe(CpeConfiguration),
    /// CVE 5 `affected[]` entry (vendor/product or package, with version entries).
    Product(ProductAffected),
    /// CSAF product status for one product id.
    Csaf(CsafProductStatus),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct PackageAffected {
    pub ecosystem: Option<String>,
    pub name: Option<String>,
    pub purl: Option<String>,
    pub ranges: Vec<VersionRange>,
    /// Explicit affected versions, raw.
    pub versions: Vec<String>,
    /// Per-package severity (OSV `affected[].severity`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub severity: Vec<Score>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RangeKind {
    Semver,
    Ecosystem,
    Git,
    #[serde(untagged)]
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionRange {
    pub kind: RangeKind,
    /// GIT ranges: the repository URL.
    pub repo: Option<String>,
    /// Events in source order; versions raw.
    pub events: Vec<RangeEvent>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", content = "version", rename_all = "snake_case")]
pub enum RangeEvent {
    Introduced(String),
    Fixed(String),
    LastAffected(String),
    Limit(String),
}

impl RangeEvent {
    pub fn version(&self) -> &str {
        match self {
            RangeEvent::Introduced(v)
            | RangeEvent::Fixed(v)
            | RangeEvent::LastAffected(v)
            | RangeEvent::Limit(v) => v,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Operator {
    And,
    Or,
}

/// One NVD configuration (API 2.0 `configurations[]`; in 1.1 feeds the whole
/// `configurations.nodes` list forms one configuration).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CpeConfiguration {
    pub operator: Option<Operator>,
    pub negate: bool,
    pub nodes: Vec<CpeNode>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CpeNode {
    pub operator: Operator,
    pub negate: bool,
    pub cpe_match: Vec<CpeMatch>,
    /// NVD 1.1 nested nodes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<CpeNode>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CpeMatch {
    pub vulnerable: bool,
    /// CPE 2.3 formatted string (`criteria` in 2.0, `cpe23Uri` in 1.1).
    pub criteria: String,
    pub match_criteria_id: Option<String>,
    pub version_start_including: Option<String>,
    pub version_start_excluding: Option<String>,
    pub version_end_including: Option<String>,
    pub version_end_excluding: Option<String>,
}

/// CVE 5 `affected[]` entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ProductAffected {
    /// `cna` or the ADP's short name.
    pub container: String,
    pub vendor: Option<String>,
    pub product: Option<String>,
    pub package_name: Option<String>,
    pub collection_url: Option<String>,
    pub repo: Option<String>,
    pub cpes: Vec<String>,
    pub default_status: Option<String>,
    pub versions: Vec<ProductVersion>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ProductVersion {
    pub version: String,
    pub status: String,
    pub version_type: Option<String>,
    pub less_than: Option<String>,
    pub less_than_or_equal: Option<String>,
}

/// CSAF product status entry, resolved through the product tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsafProductStatus {
    pub product_id: String,
    pub status: String,
    pub name: Option<String>,
    pub purl: Option<String>,
    pub cpe: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reference {
    pub url: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

impl Reference {
    pub fn new(url: impl Into<String>, tags: Vec<String>) -> Self {
        Reference {
            url: url.into(),
            tags,
        }
    }
}

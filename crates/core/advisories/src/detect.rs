//! Format detection from content, and a single entry point that parses any supported input.

use crate::diag::{Diagnostic, Error, ParseOptions, Parsed, Result};
use crate::model::VulnRecord;
use crate::util;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::io::Read;

/// Input kinds, as in `--kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// NVD CVE API 2.0 page (or single `{"cve":…}` record).
    Nvd,
    /// NVD JSON 1.1 feed.
    Nvd11,
    Cve5,
    /// OSV JSON or YAML.
    Osv,
    /// OSV ecosystem archive (`all.zip`).
    OsvZip,
    Kev,
    KevCsv,
    Epss,
    Csaf,
    CsafProviderMetadata,
    RolieFeed,
    CsafChanges,
    CsafIndex,
    Unknown,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Nvd => "nvd",
            Kind::Nvd11 => "nvd-1.1",
            Kind::Cve5 => "cve5",
            Kind::Osv => "osv",
            Kind::OsvZip => "osv-zip",
            Kind::Kev => "kev",
            Kind::KevCsv => "kev-csv",
            Kind::Epss => "epss",
            Kind::Csaf => "csaf",
            Kind::CsafProviderMetadata => "csaf-provider-metadata",
            Kind::RolieFeed => "rolie-feed",
            Kind::CsafChanges => "csaf-changes",
            Kind::CsafIndex => "csaf-index",
            Kind::Unknown => "unknown",
        }
    }

    /// Parse a `--kind` word. `auto` gives `None`.
    pub fn from_name(s: &str) -> Option<Option<Kind>> {
        Some(Some(match s {
            "auto" => return Some(None),
            "nvd" => Kind::Nvd,
            "nvd-1.1" | "nvd11" => Kind::Nvd11,
            "cve5" => Kind::Cve5,
            "osv" => Kind::Osv,
            "osv-zip" => Kind::OsvZip,
            "kev" => Kind::Kev,
            "kev-csv" => Kind::KevCsv,
            "epss" => Kind::Epss,
            "csaf" => Kind::Csaf,
            "csaf-provider-metadata" => Kind::CsafProviderMetadata,
            "rolie-feed" => Kind::RolieFeed,
            "csaf-changes" => Kind::CsafChanges,
            "csaf-index" => Kind::CsafIndex,
            _ => return None,
        }))
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

fn kind_from_keys(keys: &BTreeMap<String, &RawValue>) -> Kind {
    let has = |k: &str| keys.contains_key(k);
    let val = |k: &str| keys.get(k).map(|v| v.get().trim_matches('"').to_string());
    if has("CVE_Items") {
        Kind::Nvd11
    } else if has("catalogVersion")
        || (has("vulnerabilities") && has("count") && has("dateReleased"))
    {
        Kind::Kev
    } else if has("document") {
        Kind::Csaf
    } else if has("cveMetadata") || val("dataType").as_deref() == Some("CVE_RECORD") {
        Kind::Cve5
    } else if (has("vulnerabilities")
        && (has("resultsPerPage") || val("format").as_deref() == Some("NVD_CVE")))
        || (has("cve") && keys.len() <= 2)
    {
        // An API 2.0 page, or a bare `{"cve": …}` record file.
        Kind::Nvd
    } else if has("feed") {
        Kind::RolieFeed
    } else if has("canonical_url") && (has("distributions") || has("metadata_version")) {
        Kind::CsafProviderMetadata
    } else if (has("id")
        && (has("modified") || has("affected") || has("aliases") || has("schema_version")))
        || has("vulns")
    {
        Kind::Osv
    } else {
        Kind::Unknown
    }
}

fn detect_json(b: &[u8]) -> Kind {
    if util::first_byte(b) == Some(b'[') {
        let Ok(items) = serde_json::from_slice::<Vec<&RawValue>>(util::strip_bom(b)) else {
            return Kind::Unknown;
        };
        return match items.first() {
            Some(first) => match serde_json::from_str::<BTreeMap<String, &RawValue>>(first.get()) {
                Ok(k) => match kind_from_keys(&k) {
                    k @ (Kind::Cve5 | Kind::Osv) => k,
                    _ => Kind::Unknown,
                },
                Err(_) => Kind::Unknown,
            },
            None => Kind::Unknown,
        };
    }
    match serde_json::from_slice::<BTreeMap<String, &RawValue>>(util::strip_bom(b)) {
        Ok(keys) => kind_from_keys(&keys),
        Err(_) => Kind::Unknown,
    }
}

fn detect_text(b: &[u8]) -> Kind {
    let head = &b[..b.len().min(64 * 1024)];
    let text = String::from_utf8_lossy(head);
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let Some(first) = lines.next() else {
        return Kind::Unknown;
    };
    if first.starts_with("#model_version") || first.starts_with("#score_date") {
        return Kind::Epss;
    }
    let lower = first.to_ascii_lowercase();
    if lower.contains("cve") && lower.contains("epss") && lower.contains("percentile") {
        return Kind::Epss;
    }
    if lower.starts_with("cveid,") || (lower.contains("cveid") && lower.contains("vendorproject")) {
        return Kind::KevCsv;
    }
    let cells: Vec<&str> = first
        .split([';', ',', '\t'])
        .map(|c| c.trim().trim_matches('"'))
        .collect();
    if cells.len() >= 3 && util::is_cve_id(cells[0]) && cells[1].parse::<f64>().is_ok() {
        return Kind::Epss;
    }
    if cells.len() == 2
        && cells[0].ends_with(".json")
        && crate::timefmt::parse_timestamp(cells[1]).is_some()
    {
        return Kind::CsafChanges;
    }
    if first.ends_with(".json") && !first.contains(',') && !first.contains(' ') {
        return Kind::CsafIndex;
    }
    // OSV YAML: top-level `id:` plus one of the usual keys.
    let has_key = |k: &str| text.lines().any(|l| l.starts_with(k));
    if has_key("id:") && (has_key("modified:") || has_key("affected:") || has_key("aliases:")) {
        return Kind::Osv;
    }
    Kind::Unknown
}

/// Guess the kind of an input from its content (gzip is looked through).
pub fn detect(bytes: &[u8]) -> Kind {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        return Kind::OsvZip;
    }
    if util::is_gzip(bytes) {
        // Inspect a bounded prefix only.
        let mut head = Vec::new();
        let dec = flate2::read::MultiGzDecoder::new(bytes);
        if dec.take(256 * 1024).read_to_end(&mut head).is_err() && head.is_empty() {
            return Kind::Unknown;
        }
        return detect_prefix(&head, true);
    }
    detect_prefix(bytes, false)
}

fn detect_prefix(b: &[u8], truncated: bool) -> Kind {
    match util::first_byte(b) {
        Some(b'{') | Some(b'[') => {
            if truncated {
                // A truncated JSON prefix cannot be parsed; fall back to key sniffing.
                let t = String::from_utf8_lossy(b);
                if t.contains("\"CVE_Items\"") {
                    Kind::Nvd11
                } else if t.contains("\"catalogVersion\"") {
                    Kind::Kev
                } else if t.contains("\"cveMetadata\"") {
                    Kind::Cve5
                } else if t.contains("\"NVD_CVE\"") {
                    Kind::Nvd
                } else {
                    detect_json(b)
                }
            } else {
                detect_json(b)
            }
        }
        Some(_) => detect_text(b),
        None => Kind::Unknown,
    }
}

/// The result of [`parse_any`].
#[derive(Debug, Clone)]
pub enum Output {
    Records(Parsed<VulnRecord>),
    Kev(crate::kev::KevCatalog),
    Epss(crate::epss::EpssSnapshot),
    Csaf(Box<crate::csaf::CsafDocument>),
    ProviderMetadata(crate::discovery::ProviderMetadata),
    RolieFeed(crate::discovery::RolieFeed),
    Changes(crate::discovery::ChangesList),
    Index(Vec<String>),
}

/// Output of [`parse_any`]: the kind that was used and what it gave.
pub type AnyOutput = (Kind, Output);

impl Output {
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            Output::Records(p) => &p.diagnostics,
            Output::Kev(k) => &k.diagnostics,
            Output::Epss(e) => &e.diagnostics,
            Output::Csaf(c) => &c.diagnostics,
            Output::RolieFeed(f) => &f.diagnostics,
            Output::Changes(c) => &c.diagnostics,
            Output::ProviderMetadata(_) | Output::Index(_) => &[],
        }
    }

    /// Number of top-level items (records, entries, rows, vulnerabilities).
    pub fn len(&self) -> usize {
        match self {
            Output::Records(p) => p.records.len(),
            Output::Kev(k) => k.entries.len(),
            Output::Epss(e) => e.rows.len(),
            Output::Csaf(c) => c.vulnerabilities.len(),
            Output::ProviderMetadata(p) => p.distributions.len(),
            Output::RolieFeed(f) => f.entries.len(),
            Output::Changes(c) => c.entries.len(),
            Output::Index(i) => i.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Normalised records, where the kind has them (KEV entries and CSAF vulnerabilities included).
    pub fn records(&self) -> Vec<VulnRecord> {
        match self {
            Output::Records(p) => p.records.clone(),
            Output::Kev(k) => k.entries.iter().map(|e| e.to_record()).collect(),
            Output::Csaf(c) => c.to_records(),
            _ => Vec::new(),
        }
    }
}

/// Parse `bytes` as `kind`, or as the detected kind when `kind` is `None` (`--kind auto`).
pub fn parse_any(bytes: &[u8], kind: Option<Kind>, opts: &ParseOptions) -> Result<AnyOutput> {
    let kind = match kind {
        Some(k) => k,
        None => match detect(bytes) {
            Kind::Unknown => return Err(Error::unreadable(opts, "format not recognised")),
            k => k,
        },
    };
    if kind == Kind::OsvZip {
        return Ok((
            kind,
            Output::Records(crate::osv::parse_zip_bytes(bytes, opts)?),
        ));
    }
    let data = util::maybe_gunzip(bytes, opts)?;
    let b: &[u8] = &data;
    let out = match kind {
        Kind::Nvd => Output::Records(crate::nvd::parse_api2(b, opts)?.into()),
        Kind::Nvd11 => Output::Records(crate::nvd::parse_feed11(b, opts)?.into()),
        Kind::Cve5 => Output::Records(crate::cve5::parse(b, opts)?),
        Kind::Osv => Output::Records(crate::osv::parse(b, opts)?),
        Kind::Kev => Output::Kev(crate::kev::parse_json(b, opts)?),
        Kind::KevCsv => Output::Kev(crate::kev::parse_csv(b, opts)?),
        Kind::Epss => Output::Epss(crate::epss::parse(b, opts)?),
        Kind::Csaf => Output::Csaf(Box::new(crate::csaf::parse(b, opts)?)),
        Kind::CsafProviderMetadata => {
            Output::ProviderMetadata(crate::discovery::parse_provider_metadata(b, opts)?)
        }
        Kind::RolieFeed => Output::RolieFeed(crate::discovery::parse_rolie_feed(b, opts)?),
        Kind::CsafChanges => Output::Changes(crate::discovery::parse_changes_csv(b, opts)?),
        Kind::CsafIndex => Output::Index(crate::discovery::parse_index_txt(b, opts)?),
        Kind::OsvZip | Kind::Unknown => {
            return Err(Error::unreadable(opts, "format not recognised"))
        }
    };
    Ok((kind, out))
}

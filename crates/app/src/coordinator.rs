//! A coordinator's advisory as case input (issue 7; FDA 2016 postmarket guidance §V.A: a CISA
//! ICSMA advisory is one way a manufacturer learns of a vulnerability). The CSAF product tree's
//! products are matched against the components of every release's latest SBOM; each
//! vulnerability that reaches a device opens a case with source `isao` and `advisory_ref` = the
//! CSAF tracking id.
//!
//! How a product is recognised, and how sure that is (the `confidence` reported per match):
//!
//! | evidence | confidence |
//! |---|---|
//! | `product_identification_helper.purl`: same package as the component's purl, version agreeing | 1.0 |
//! | `product_identification_helper.cpe` equal to the component's CPE | 1.0 |
//! | branch vendor ≈ component supplier and branch product name = component name, version agreeing | 0.8 |
//! | the same, but the advisory's version text cannot be compared (`9.x model 35700BAX3`) | 0.6 |
//! | product name only (no supplier in the SBOM) | 0.1 less than the above |
//!
//! Names compare case-insensitively with punctuation folded to single spaces; the vendor
//! matches when either name contains the other ("Becton, Dickinson and Company (BD)" vs
//! "Becton Dickinson"). Versions: the branch below the product name is `product_version`
//! (equal, or `vers:all/*`) or `product_version_range` as CISA writes it — comparators joined
//! by `|` (`>= 1.0.0 | <= 1.1.1`, all must hold) — compared with the generic scheme of
//! `postmarket-version`. Only matches of at least [`OPEN_THRESHOLD`] open cases; the others
//! are reported as possible.

use std::cmp::Ordering;
use std::path::Path;

use postmarket_advisories::csaf::{parse, CsafDocument, Product};
use postmarket_advisories::ParseOptions;
use postmarket_ident::PackageUrl;
use postmarket_model::{Actor, Date, DeviceName, ReleaseVersion};
use postmarket_program::evidence::CaseSource;
use postmarket_sbom::Component;
use postmarket_version::{compare, Scheme};
use serde::Serialize;

use crate::cases::OpenCase;
use crate::{App, AppError};

/// Matches below this open no case.
pub const OPEN_THRESHOLD: f64 = 0.7;

/// One advisory product found in one release.
#[derive(Debug, Clone, Serialize)]
pub struct AdvisoryMatch {
    pub device: String,
    pub release: String,
    pub product: String,
    pub component: String,
    pub component_version: Option<String>,
    pub vulnerabilities: Vec<String>,
    pub confidence: f64,
    pub how: String,
}

/// What importing an advisory did.
#[derive(Debug, Clone, Serialize)]
pub struct AdvisoryImport {
    pub file: String,
    pub tracking_id: String,
    pub title: String,
    pub matches: Vec<AdvisoryMatch>,
    /// Case ids opened by this import.
    pub opened: Vec<i64>,
    /// Cases that already covered a vulnerability on a device (nothing changed).
    pub existing: Vec<i64>,
}

fn fold(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                ' '
            }
        })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `Some(true/false)` when the advisory's version text can be checked against `v`.
fn version_agrees(spec: &str, v: &str) -> Option<bool> {
    let spec = spec.trim();
    if spec == "vers:all/*" || spec == "*" {
        return Some(true);
    }
    let parts: Vec<&str> = spec.split('|').map(str::trim).collect();
    let ops = ["<=", ">=", "<", ">", "="];
    if parts.iter().all(|p| ops.iter().any(|o| p.starts_with(o))) {
        let mut ok = true;
        for p in parts {
            let op = ops.iter().find(|o| p.starts_with(**o)).expect("checked");
            let bound = p[op.len()..].trim();
            if bound.is_empty() || !bound.starts_with(|c: char| c.is_ascii_digit()) {
                return None;
            }
            let ord = compare(Scheme::Generic, v, bound);
            ok &= match *op {
                "<=" => ord != Ordering::Greater,
                ">=" => ord != Ordering::Less,
                "<" => ord == Ordering::Less,
                ">" => ord == Ordering::Greater,
                _ => ord == Ordering::Equal,
            };
        }
        return Some(ok);
    }
    if spec.split_whitespace().count() == 1 && spec.starts_with(|c: char| c.is_ascii_digit()) {
        return Some(compare(Scheme::Generic, v, spec) == Ordering::Equal);
    }
    None
}

/// How sure the product is this component (see the module table); `None` when it is not.
fn product_matches(p: &Product, c: &Component) -> Option<(f64, String)> {
    let cv = c.version.as_deref();
    if let (Some(purl), Some(cp)) = (&p.purl, &c.purl) {
        if let (Ok(a), Ok(b)) = (purl.parse::<PackageUrl>(), cp.parse::<PackageUrl>()) {
            if a.without_version() == b.without_version()
                && a.version().is_none_or(|v| Some(v) == cv)
            {
                return Some((1.0, format!("purl {purl}")));
            }
        }
        return None;
    }
    if let (Some(cpe), Some(cc)) = (&p.cpe, &c.cpe) {
        return cpe
            .eq_ignore_ascii_case(cc)
            .then(|| (1.0, format!("CPE {cpe}")));
    }
    // Branches: vendor / product name / version (CISA's product trees).
    let (vendor, name, version) = match p.branch_path.as_slice() {
        [v, n, ver, ..] => (Some(v.as_str()), n.as_str(), Some(ver.as_str())),
        [v, n] => (Some(v.as_str()), n.as_str(), None),
        _ => (None, p.name.as_str(), None),
    };
    if fold(name) != fold(&c.name) {
        return None;
    }
    let mut confidence = 0.8;
    let mut how = format!("name {name:?}");
    match (vendor, c.supplier.as_deref()) {
        (Some(v), Some(s)) => {
            let (v, s) = (fold(v), fold(s));
            if !(v.contains(&s) || s.contains(&v)) {
                return None;
            }
            how = format!("supplier {s:?} and {how}");
        }
        _ => confidence -= 0.1,
    }
    match (version, cv) {
        (Some(spec), Some(v)) => match version_agrees(spec, v) {
            Some(true) => how.push_str(&format!(", version {v} in {spec:?}")),
            Some(false) => return None,
            None => {
                confidence -= 0.2;
                how.push_str(&format!(", version {v} not comparable with {spec:?}"));
            }
        },
        _ => confidence -= 0.2,
    }
    Some(((confidence * 10.0_f64).round() / 10.0, how))
}

fn bad(msg: impl Into<String>) -> AppError {
    AppError::BadInput(msg.into())
}

impl App {
    /// Imports a coordinator's CSAF advisory (see the module docs): matches its products against
    /// every release's latest SBOM and opens a case per device and vulnerability it reaches,
    /// T0 = `at` (the day the manufacturer learned of it).
    pub async fn import_coordinator_advisory(
        &self,
        actor: &Actor,
        path: &Path,
        at: Date,
    ) -> Result<AdvisoryImport, AppError> {
        let shown = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| bad(format!("cannot read {shown}: {e}")))?;
        let doc: CsafDocument = parse(&bytes, &ParseOptions::named(shown.clone()))
            .map_err(|e| bad(format!("{shown}: {e}")))?;
        if doc.tracking.id.trim().is_empty() {
            return Err(bad(format!("{shown}: /document/tracking/id is empty")));
        }
        let mut matches = Vec::new();
        for r in self.store().releases(None).await? {
            if self.store().sbom_revisions(r.id).await?.is_empty() {
                continue;
            }
            let sbom = self.release_sbom(&r.device, &r.version).await?;
            for (pid, p) in &doc.products {
                let vulns: Vec<String> = doc
                    .vulnerabilities
                    .iter()
                    .enumerate()
                    .filter(|(_, v)| {
                        ["known_affected", "first_affected", "last_affected"]
                            .iter()
                            .any(|s| {
                                v.product_status.get(*s).is_some_and(|ids| {
                                    ids.iter().any(|i| doc.expand_group(i).contains(pid))
                                })
                            })
                    })
                    .map(|(i, v)| {
                        v.cve
                            .clone()
                            .unwrap_or_else(|| format!("{}#{}", doc.tracking.id, i + 1))
                    })
                    .collect();
                if vulns.is_empty() {
                    continue;
                }
                for c in &sbom.components {
                    if let Some((confidence, how)) = product_matches(p, &c.component) {
                        matches.push(AdvisoryMatch {
                            device: r.device.to_string(),
                            release: r.version.to_string(),
                            product: p.name.clone(),
                            component: c.component.name.clone(),
                            component_version: c.component.version.clone(),
                            vulnerabilities: vulns.clone(),
                            confidence,
                            how,
                        });
                    }
                }
            }
        }
        // One case per (device, vulnerability), naming every release reached.
        let mut groups: std::collections::BTreeMap<(String, String), Vec<String>> =
            Default::default();
        for m in matches.iter().filter(|m| m.confidence >= OPEN_THRESHOLD) {
            for v in &m.vulnerabilities {
                let e = groups.entry((m.device.clone(), v.clone())).or_default();
                if !e.contains(&m.release) {
                    e.push(m.release.clone());
                }
            }
        }
        let (mut opened, mut existing) = (Vec::new(), Vec::new());
        for ((device, vulnerability), releases) in groups {
            let device: DeviceName = device.parse()?;
            if let Some(c) = self
                .cases(Some(&device))
                .await?
                .into_iter()
                .find(|c| c.vulnerability.eq_ignore_ascii_case(&vulnerability))
            {
                existing.push(c.id);
                continue;
            }
            let view = self
                .open_case(
                    actor,
                    &OpenCase {
                        device,
                        vulnerability: vulnerability.clone(),
                        title: Some(doc.title.clone()).filter(|t| !t.is_empty()),
                        source: CaseSource::Isao,
                        source_detail: Some(format!(
                            "{} advisory {}",
                            doc.publisher.name, doc.tracking.id
                        )),
                        advisory_ref: Some(doc.tracking.id.clone()),
                        releases: releases
                            .iter()
                            .map(|r| r.parse::<ReleaseVersion>())
                            .collect::<Result<_, _>>()?,
                        t0: at,
                    },
                    at,
                )
                .await?;
            opened.push(view.id());
        }
        Ok(AdvisoryImport {
            file: shown,
            tracking_id: doc.tracking.id.clone(),
            title: doc.title.clone(),
            matches,
            opened,
            existing,
        })
    }
}

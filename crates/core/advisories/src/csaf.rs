//! CSAF 2.0 advisories: tracking, product tree resolved down to product ids, vulnerabilities.

use crate::diag::{Diagnostic, Diags, ParseOptions, Result};
use crate::model::*;
use crate::util::{self, cwe, push_unique, LooseNum};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use std::collections::BTreeMap;
use time::OffsetDateTime;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Revision {
    pub number: String,
    pub date: Option<String>,
    pub summary: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Tracking {
    pub id: String,
    pub version: String,
    /// `draft` / `interim` / `final`.
    pub status: String,
    pub initial_release_date: Option<String>,
    pub current_release_date: Option<String>,
    pub revision_history: Vec<Revision>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Publisher {
    pub name: String,
    pub namespace: Option<String>,
    pub category: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Note {
    pub category: String,
    pub title: Option<String>,
    pub text: String,
}

/// A product resolved from the product tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Product {
    pub product_id: String,
    pub name: String,
    pub purl: Option<String>,
    pub cpe: Option<String>,
    /// Branch names leading to it (vendor, product name, version…), outermost first.
    pub branch_path: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Relationship {
    pub category: String,
    pub product_reference: String,
    pub relates_to_product_reference: String,
    pub product_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Remediation {
    pub category: String,
    pub details: String,
    pub product_ids: Vec<String>,
    pub group_ids: Vec<String>,
    pub url: Option<String>,
    pub date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Threat {
    pub category: String,
    pub details: String,
    pub product_ids: Vec<String>,
    pub group_ids: Vec<String>,
    pub date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CsafScore {
    pub products: Vec<String>,
    pub version: CvssVersion,
    pub vector: String,
    pub base_score: Option<f64>,
    pub severity: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct CsafVulnerability {
    pub cve: Option<String>,
    /// `ids[]`: (system_name, text).
    pub ids: Vec<(String, String)>,
    pub title: Option<String>,
    pub cwe: Option<(String, String)>,
    pub notes: Vec<Note>,
    pub discovery_date: Option<String>,
    pub release_date: Option<String>,
    /// status (`known_affected`, `fixed`, …) → product ids.
    pub product_status: BTreeMap<String, Vec<String>>,
    pub remediations: Vec<Remediation>,
    pub scores: Vec<CsafScore>,
    pub threats: Vec<Threat>,
    pub references: Vec<Reference>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct CsafDocument {
    pub csaf_version: String,
    pub category: String,
    pub title: String,
    pub lang: Option<String>,
    pub publisher: Publisher,
    pub tracking: Tracking,
    pub notes: Vec<Note>,
    pub references: Vec<Reference>,
    pub products: BTreeMap<String, Product>,
    pub product_groups: BTreeMap<String, Vec<String>>,
    pub relationships: Vec<Relationship>,
    pub vulnerabilities: Vec<CsafVulnerability>,
    pub diagnostics: Vec<Diagnostic>,
}

// ---------------------------------------------------------------- raw serde shapes

#[derive(Deserialize)]
struct RawDoc<'a> {
    document: RawHeader,
    #[serde(borrow)]
    product_tree: Option<&'a RawValue>,
    #[serde(borrow, default)]
    vulnerabilities: Option<Vec<&'a RawValue>>,
}

#[derive(Deserialize)]
struct RawHeader {
    csaf_version: String,
    category: String,
    title: String,
    lang: Option<String>,
    publisher: RawPublisher,
    tracking: RawTracking,
    #[serde(default)]
    notes: Vec<RawNote>,
    #[serde(default)]
    references: Vec<RawRef>,
}

#[derive(Deserialize)]
struct RawPublisher {
    name: String,
    namespace: Option<String>,
    category: Option<String>,
}

#[derive(Deserialize)]
struct RawTracking {
    id: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    status: String,
    initial_release_date: Option<String>,
    current_release_date: Option<String>,
    #[serde(default)]
    revision_history: Vec<RawRevision>,
}

#[derive(Deserialize)]
struct RawRevision {
    #[serde(default)]
    number: String,
    date: Option<String>,
    summary: Option<String>,
}

#[derive(Deserialize)]
struct RawNote {
    #[serde(default)]
    category: String,
    title: Option<String>,
    #[serde(default)]
    text: String,
}

#[derive(Deserialize)]
struct RawRef {
    url: String,
    category: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawTree {
    branches: Vec<RawBranch>,
    full_product_names: Vec<RawFpn>,
    relationships: Vec<RawRel>,
    product_groups: Vec<RawGroup>,
}

#[derive(Deserialize)]
struct RawBranch {
    #[serde(default)]
    name: String,
    #[serde(default)]
    branches: Vec<RawBranch>,
    product: Option<RawFpn>,
}

#[derive(Deserialize)]
struct RawFpn {
    #[serde(default)]
    name: String,
    product_id: String,
    product_identification_helper: Option<RawHelper>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawHelper {
    cpe: Option<String>,
    purl: Option<String>,
}

#[derive(Deserialize)]
struct RawRel {
    #[serde(default)]
    category: String,
    full_product_name: RawFpn,
    #[serde(default)]
    product_reference: String,
    #[serde(default)]
    relates_to_product_reference: String,
}

#[derive(Deserialize)]
struct RawGroup {
    group_id: String,
    #[serde(default)]
    product_ids: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawVuln {
    cve: Option<String>,
    ids: Vec<RawId>,
    title: Option<String>,
    cwe: Option<RawCwe>,
    notes: Vec<RawNote>,
    discovery_date: Option<String>,
    release_date: Option<String>,
    product_status: BTreeMap<String, Vec<String>>,
    remediations: Vec<RawRemediation>,
    scores: Vec<RawScore>,
    threats: Vec<RawThreat>,
    references: Vec<RawRef>,
}

#[derive(Deserialize)]
struct RawId {
    system_name: String,
    text: String,
}

#[derive(Deserialize)]
struct RawCwe {
    id: String,
    #[serde(default)]
    name: String,
}

#[derive(Deserialize)]
struct RawRemediation {
    #[serde(default)]
    category: String,
    #[serde(default)]
    details: String,
    #[serde(default)]
    product_ids: Vec<String>,
    #[serde(default)]
    group_ids: Vec<String>,
    url: Option<String>,
    date: Option<String>,
}

#[derive(Deserialize)]
struct RawThreat {
    #[serde(default)]
    category: String,
    #[serde(default)]
    details: String,
    #[serde(default)]
    product_ids: Vec<String>,
    #[serde(default)]
    group_ids: Vec<String>,
    date: Option<String>,
}

#[derive(Deserialize)]
struct RawScore {
    #[serde(default)]
    products: Vec<String>,
    cvss_v3: Option<RawCvss>,
    cvss_v2: Option<RawCvss>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawCvss {
    version: Option<String>,
    #[serde(default)]
    vector_string: String,
    #[serde(default)]
    base_score: LooseNum,
    base_severity: Option<String>,
}

fn note(n: RawNote) -> Note {
    Note {
        category: n.category,
        title: n.title,
        text: n.text,
    }
}

fn reference(r: RawRef) -> Reference {
    Reference::new(r.url, r.category.into_iter().collect())
}

fn fpn(f: RawFpn, path: Vec<String>) -> Product {
    let h = f.product_identification_helper.unwrap_or_default();
    Product {
        product_id: f.product_id,
        name: f.name,
        purl: h.purl,
        cpe: h.cpe,
        branch_path: path,
    }
}

fn walk(branches: Vec<RawBranch>, path: &mut Vec<String>, out: &mut Vec<Product>, depth: usize) {
    if depth > 64 {
        return;
    }
    for b in branches {
        path.push(b.name);
        if let Some(p) = b.product {
            out.push(fpn(p, path.clone()));
        }
        walk(b.branches, path, out, depth + 1);
        path.pop();
    }
}

/// Parse a CSAF 2.0 document. A malformed `document` header makes the file unreadable;
/// a malformed product tree or vulnerability is a diagnostic and the rest still parses.
pub fn parse(bytes: &[u8], opts: &ParseOptions) -> Result<CsafDocument> {
    let raw: RawDoc<'_> = util::parse_top(bytes, opts)?;
    let mut diags = Diags::new(opts);
    let h = raw.document;
    let mut doc = CsafDocument {
        csaf_version: h.csaf_version,
        category: h.category,
        title: h.title,
        lang: h.lang,
        publisher: Publisher {
            name: h.publisher.name,
            namespace: h.publisher.namespace,
            category: h.publisher.category,
        },
        tracking: Tracking {
            id: h.tracking.id,
            version: h.tracking.version,
            status: h.tracking.status,
            initial_release_date: h.tracking.initial_release_date,
            current_release_date: h.tracking.current_release_date,
            revision_history: h
                .tracking
                .revision_history
                .into_iter()
                .map(|r| Revision {
                    number: r.number,
                    date: r.date,
                    summary: r.summary,
                })
                .collect(),
        },
        notes: h.notes.into_iter().map(note).collect(),
        references: h.references.into_iter().map(reference).collect(),
        ..Default::default()
    };
    if !doc.csaf_version.starts_with("2.") {
        diags.ptr(
            "/document/csaf_version",
            format!("unsupported csaf_version {:?}", doc.csaf_version),
        )?;
    }
    for (f, v) in [
        ("initial_release_date", &doc.tracking.initial_release_date),
        ("current_release_date", &doc.tracking.current_release_date),
    ] {
        util::ts(
            v.as_deref(),
            || format!("/document/tracking/{f}"),
            &mut diags,
        )?;
    }

    if let Some(pt) = raw.product_tree {
        match serde_json::from_str::<RawTree>(pt.get()) {
            Ok(t) => {
                let mut products = Vec::new();
                walk(t.branches, &mut Vec::new(), &mut products, 0);
                products.extend(t.full_product_names.into_iter().map(|f| fpn(f, Vec::new())));
                for r in t.relationships {
                    doc.relationships.push(Relationship {
                        category: r.category,
                        product_reference: r.product_reference,
                        relates_to_product_reference: r.relates_to_product_reference,
                        product_id: r.full_product_name.product_id.clone(),
                    });
                    products.push(fpn(r.full_product_name, Vec::new()));
                }
                for p in products {
                    if doc.products.contains_key(&p.product_id) {
                        diags.ptr(
                            "/product_tree",
                            format!("product id {:?} defined more than once", p.product_id),
                        )?;
                        continue;
                    }
                    doc.products.insert(p.product_id.clone(), p);
                }
                for g in t.product_groups {
                    doc.product_groups.insert(g.group_id, g.product_ids);
                }
            }
            Err(e) => diags.ptr("/product_tree", format!("malformed product tree: {e}"))?,
        }
    }

    for (i, rv) in raw
        .vulnerabilities
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        let ptr = format!("/vulnerabilities/{i}");
        let Some(v) = util::record::<RawVuln>(rv, &ptr, &mut diags)? else {
            continue;
        };
        let mut vuln = CsafVulnerability {
            cve: v
                .cve
                .map(|c| c.trim().to_string())
                .filter(|c| !c.is_empty()),
            ids: v.ids.into_iter().map(|i| (i.system_name, i.text)).collect(),
            title: v.title,
            cwe: v.cwe.map(|c| (c.id, c.name)),
            notes: v.notes.into_iter().map(note).collect(),
            discovery_date: v.discovery_date,
            release_date: v.release_date,
            product_status: v.product_status,
            references: v.references.into_iter().map(reference).collect(),
            ..Default::default()
        };
        if let Some(c) = &vuln.cve {
            if !util::is_cve_id(c) {
                diags.ptr(format!("{ptr}/cve"), format!("not a CVE id: {c:?}"))?;
            }
        }
        for r in v.remediations {
            vuln.remediations.push(Remediation {
                category: r.category,
                details: r.details,
                product_ids: r.product_ids,
                group_ids: r.group_ids,
                url: r.url,
                date: r.date,
            });
        }
        for t in v.threats {
            vuln.threats.push(Threat {
                category: t.category,
                details: t.details,
                product_ids: t.product_ids,
                group_ids: t.group_ids,
                date: t.date,
            });
        }
        for (j, s) in v.scores.into_iter().enumerate() {
            if s.cvss_v3.is_none() && s.cvss_v2.is_none() {
                diags.ptr(
                    format!("{ptr}/scores/{j}"),
                    "score without cvss_v3 or cvss_v2",
                )?;
            }
            for c in [s.cvss_v3, s.cvss_v2].into_iter().flatten() {
                vuln.scores.push(CsafScore {
                    products: s.products.clone(),
                    version: CvssVersion::from_parts(c.version.as_deref(), &c.vector_string),
                    vector: c.vector_string,
                    base_score: c.base_score.0,
                    severity: c.base_severity,
                });
            }
        }
        // CSAF §6.1.1: every referenced product id must be defined in the product tree.
        let mut referenced: Vec<(String, &str)> = Vec::new();
        for (st, ids) in &vuln.product_status {
            for id in ids {
                referenced.push((format!("{ptr}/product_status/{st}"), id));
            }
        }
        for (j, s) in vuln.scores.iter().enumerate() {
            for id in &s.products {
                referenced.push((format!("{ptr}/scores/{j}/products"), id));
            }
        }
        for (j, r) in vuln.remediations.iter().enumerate() {
            for id in &r.product_ids {
                referenced.push((format!("{ptr}/remediations/{j}/product_ids"), id));
            }
        }
        for (p, id) in referenced {
            if !doc.products.contains_key(id) {
                diags.ptr(
                    p,
                    format!("product id {id:?} is not defined in the product tree"),
                )?;
            }
        }
        doc.vulnerabilities.push(vuln);
    }
    doc.diagnostics = diags.list;
    Ok(doc)
}

fn parse_ts(s: Option<&str>) -> Option<OffsetDateTime> {
    s.and_then(crate::timefmt::parse_timestamp)
}

impl CsafDocument {
    /// One normalised record per vulnerability. The id is the CVE, or
    /// `<tracking id>#<n>` for a vulnerability without CVE. The tracking id goes to `related`.
    pub fn to_records(&self) -> Vec<VulnRecord> {
        let mut out = Vec::with_capacity(self.vulnerabilities.len());
        for (i, v) in self.vulnerabilities.iter().enumerate() {
            let id = v
                .cve
                .clone()
                .unwrap_or_else(|| format!("{}#{}", self.tracking.id, i + 1));
            let mut r = VulnRecord::new(Source::Csaf, id);
            push_unique(&mut r.related, &self.tracking.id);
            for (_sys, text) in &v.ids {
                if looks_like_vuln_id(text) && *text != r.id {
                    push_unique(&mut r.aliases, text);
                } else {
                    push_unique(&mut r.related, text);
                }
            }
            r.summary = v
                .title
                .clone()
                .or_else(|| Some(self.title.clone()).filter(|s| !s.is_empty()));
            r.details = v
                .notes
                .iter()
                .find(|n| n.category == "summary" || n.category == "description")
                .map(|n| n.text.clone());
            if let Some(c) = v.cwe.as_ref().and_then(|(id, _)| cwe(id)) {
                r.cwes.push(c);
            }
            r.published = parse_ts(v.release_date.as_deref())
                .or_else(|| parse_ts(self.tracking.initial_release_date.as_deref()));
            r.modified = parse_ts(self.tracking.current_release_date.as_deref());
            r.status = Some(self.tracking.status.clone()).filter(|s| !s.is_empty());
            for s in &v.scores {
                r.scores.push(Score {
                    source: self.publisher.name.clone(),
                    feed: Source::Csaf,
                    kind: ScoreKind::Primary,
                    version: s.version.clone(),
                    vector: s.vector.clone(),
                    base_score: s.base_score,
                    severity: s.severity.clone(),
                    products: s.products.clone(),
                });
            }
            for (status, ids) in &v.product_status {
                for pid in ids {
                    let p = self.products.get(pid);
                    r.affected.push(Affected::Csaf(CsafProductStatus {
                        product_id: pid.clone(),
                        status: status.clone(),
                        name: p.map(|p| p.name.clone()),
                        purl: p.and_then(|p| p.purl.clone()),
                        cpe: p.and_then(|p| p.cpe.clone()),
                    }));
                }
            }
            r.references = v.references.clone();
            out.push(r);
        }
        out
    }

    /// Product ids of a group, or the id itself when it is not a group.
    pub fn expand_group(&self, id: &str) -> Vec<String> {
        self.product_groups
            .get(id)
            .cloned()
            .unwrap_or_else(|| vec![id.to_string()])
    }
}

/// Ids that name one vulnerability in a public database (usable as merge keys).
pub fn looks_like_vuln_id(s: &str) -> bool {
    let s = s.trim();
    util::is_cve_id(s)
        || ["GHSA-", "PYSEC-", "RUSTSEC-", "GO-", "OSV-"]
            .iter()
            .any(|p| s.len() > p.len() && s[..p.len()].eq_ignore_ascii_case(p))
}

impl From<&CsafDocument> for crate::diag::Parsed<VulnRecord> {
    fn from(d: &CsafDocument) -> Self {
        crate::diag::Parsed {
            records: d.to_records(),
            diagnostics: d.diagnostics.clone(),
        }
    }
}

//! CSAF 2.0 writer: `csaf_security_advisory` (§4.3) and `csaf_vex` (§4.5) from a [`Publication`].
//!
//! Layout: `product_tree` has one `vendor` branch per manufacturer, a `product_name` branch per
//! device and a `product_version` branch per release carrying the product (id from
//! [`crate::product_id`], helpers `purl`, `cpe`, `model_numbers`). Each vulnerability carries
//! `product_status` (ids sorted), a `vex_justification` flag per not-affected product with a
//! justification (§3.2.3.5), an `impact` threat per impact statement (§3.2.3.12 / 6.1.27.9),
//! the remediations (the action statements, 6.1.27.10), and CVSS 2.0 / 3.x scores as FIRST
//! JSON objects. CSAF 2.0 has no CVSS 4.0 object: such scores are left out with a warning.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::check::{check, Checked};
use crate::cvss_json::{csaf_cvss, CsafScoreKind};
use crate::error::{Warning, WriteError, Written};
use crate::model::{DocumentStatus, ProductRef, Publication, Reference, Vulnerability};
use crate::vocab::{Justification, Status};

/// Which CSAF profile to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsafProfile {
    /// `csaf_security_advisory` (§4.3): the customer advisory.
    SecurityAdvisory,
    /// `csaf_vex` (§4.5).
    Vex,
}

impl CsafProfile {
    pub fn category(self) -> &'static str {
        match self {
            CsafProfile::SecurityAdvisory => "csaf_security_advisory",
            CsafProfile::Vex => "csaf_vex",
        }
    }
}

/// Revision numbers (§3.2.1.12.8, integer versioning): `1`, `2`, … once published; a draft is
/// numbered `0.1.0`, `0.2.0`, … (semantic versioning below 1, CSAF test 6.1.17), since a draft
/// may not carry a released number and integer versioning has only `0` for drafts.
pub fn revision_numbers(status: DocumentStatus, n: usize) -> Vec<String> {
    (1..=n)
        .map(|i| match status {
            DocumentStatus::Draft => format!("0.{i}.0"),
            _ => i.to_string(),
        })
        .collect()
}

/// Writes the publication as a CSAF 2.0 document of the given profile.
pub fn write_csaf(p: &Publication, profile: CsafProfile) -> Result<Written, WriteError> {
    let c = check(p)?;
    let mut warnings = Vec::new();
    let doc = json!({
        "document": document(p, profile),
        "product_tree": product_tree(&c),
        "vulnerabilities": p.vulnerabilities.iter().enumerate()
            .map(|(i, v)| vulnerability(&c, i, v, &mut warnings))
            .collect::<Result<Vec<_>, _>>()?,
    });
    Ok(Written {
        document: doc,
        warnings,
    })
}

fn references(refs: &[Reference]) -> Vec<Value> {
    refs.iter()
        .map(|r| json!({"category": "external", "summary": r.summary, "url": r.url}))
        .collect()
}

fn document(p: &Publication, profile: CsafProfile) -> Value {
    let d = &p.document;
    let numbers = revision_numbers(d.status, d.revisions.len());
    let first = &d.revisions[0].date;
    let current = &d.revisions[d.revisions.len() - 1].date;
    let mut publisher = json!({
        "category": "vendor",
        "name": d.publisher.name,
        "namespace": d.publisher.namespace,
    });
    if let Some(c) = &d.publisher.contact_details {
        publisher["contact_details"] = json!(c);
    }
    let mut notes = vec![json!({"category": "summary", "title": "Summary", "text": d.summary})];
    if let Some(desc) = &d.description {
        notes.push(json!({"category": "description", "title": "Description", "text": desc}));
    }
    let mut out = json!({
        "category": profile.category(),
        "csaf_version": "2.0",
        "publisher": publisher,
        "title": d.title,
        "notes": notes,
        "tracking": {
            "id": d.id,
            "status": d.status.as_str(),
            "version": numbers[numbers.len() - 1],
            "initial_release_date": first,
            "current_release_date": current,
            "revision_history": d.revisions.iter().zip(&numbers)
                .map(|(r, n)| json!({"number": n, "date": r.date, "summary": r.summary}))
                .collect::<Vec<_>>(),
            "generator": {
                "date": current,
                "engine": {"name": d.generator.name, "version": d.generator.version},
            },
        },
    });
    if let Some(lang) = &d.lang {
        out["lang"] = json!(lang);
    }
    if let Some(tlp) = d.tlp {
        out["distribution"] = json!({"tlp": {"label": tlp.as_str()}});
    }
    let mut refs = references(&d.references);
    if let Some(url) = &d.canonical_url {
        refs.insert(
            0,
            json!({"category": "self", "summary": "Canonical URL", "url": url}),
        );
    }
    if !refs.is_empty() {
        out["references"] = json!(refs);
    }
    out
}

/// The CSAF file name of a tracking id (§5.1): lower case, every character other than `+`, `-`,
/// `a-z` and `0-9` replaced by `_`, then `.json`.
pub fn csaf_file_name(tracking_id: &str) -> String {
    let stem: String = tracking_id
        .to_lowercase()
        .chars()
        .map(|c| {
            if c == '+' || c == '-' || c.is_ascii_lowercase() || c.is_ascii_digit() {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{stem}.json")
}

fn product_tree(c: &Checked<'_>) -> Value {
    // Vendors in order of first appearance; devices and releases in input order.
    let mut vendors: Vec<(&str, Vec<Value>)> = Vec::new();
    for dev in &c.publication.products {
        let releases: Vec<Value> = dev
            .releases
            .iter()
            .map(|rel| {
                let id = c.id(&ProductRef::new(&dev.name, &rel.version));
                let mut helper = Map::new();
                if let Some(cpe) = &rel.cpe {
                    helper.insert("cpe".into(), json!(cpe));
                }
                if let Some(purl) = &rel.purl {
                    helper.insert("purl".into(), json!(purl));
                }
                if !dev.model_numbers.is_empty() {
                    helper.insert("model_numbers".into(), json!(dev.model_numbers));
                }
                let mut product = json!({
                    "product_id": id,
                    "name": format!("{} {} {}", dev.vendor, dev.name, rel.version),
                });
                if !helper.is_empty() {
                    product["product_identification_helper"] = Value::Object(helper);
                }
                json!({"category": "product_version", "name": rel.version, "product": product})
            })
            .collect();
        let branch = json!({"category": "product_name", "name": dev.name, "branches": releases});
        match vendors.iter_mut().find(|(v, _)| *v == dev.vendor) {
            Some((_, b)) => b.push(branch),
            None => vendors.push((&dev.vendor, vec![branch])),
        }
    }
    json!({
        "branches": vendors.into_iter()
            .map(|(name, branches)| json!({"category": "vendor", "name": name, "branches": branches}))
            .collect::<Vec<_>>()
    })
}

fn sorted_ids(c: &Checked<'_>, refs: impl IntoIterator<Item = ProductRef>) -> Vec<String> {
    let mut ids: Vec<String> = refs.into_iter().map(|r| c.id(&r).to_string()).collect();
    ids.sort();
    ids.dedup();
    ids
}

/// The system name CSAF `ids` carries for a non-CVE id: its prefix (`GHSA`, `ICSMA`, …).
fn system_name(id: &str) -> String {
    match id.split_once('-') {
        Some((prefix, _)) if !prefix.is_empty() => prefix.to_string(),
        _ => "other".to_string(),
    }
}

/// Products a score applies to: those given, else the affected ones, else every one named.
pub(crate) fn score_products(v: &Vulnerability, given: &[ProductRef]) -> Vec<ProductRef> {
    if !given.is_empty() {
        return given.to_vec();
    }
    let affected: Vec<ProductRef> = v
        .statuses
        .iter()
        .filter(|s| s.status == Status::Affected)
        .map(|s| s.product.clone())
        .collect();
    if affected.is_empty() {
        v.statuses.iter().map(|s| s.product.clone()).collect()
    } else {
        affected
    }
}

fn vulnerability(
    c: &Checked<'_>,
    vi: usize,
    v: &Vulnerability,
    warnings: &mut Vec<Warning>,
) -> Result<Value, WriteError> {
    let vp = format!("vulnerabilities[{vi}]");
    let mut out = Map::new();
    let all_ids: Vec<&String> = std::iter::once(&v.id).chain(&v.aliases).collect();
    if let Some(cve) = all_ids.iter().find(|a| a.starts_with("CVE-")) {
        out.insert("cve".into(), json!(cve));
    }
    let ids: Vec<Value> = all_ids
        .iter()
        .filter(|a| !a.starts_with("CVE-"))
        .map(|a| json!({"system_name": system_name(a), "text": a}))
        .collect();
    if !ids.is_empty() {
        out.insert("ids".into(), json!(ids));
    }
    if let Some(t) = &v.title {
        out.insert("title".into(), json!(t));
    }
    if let Some(cwe) = &v.cwe {
        out.insert("cwe".into(), json!({"id": cwe.id, "name": cwe.name}));
    }
    if let Some(d) = &v.discovery_date {
        out.insert("discovery_date".into(), json!(d));
    }
    if let Some(d) = &v.release_date {
        out.insert("release_date".into(), json!(d));
    }
    let mut notes =
        vec![json!({"category": "description", "title": "Description", "text": v.description})];
    if let Some(comp) = &v.component {
        notes.push(json!({"category": "details", "title": "Vulnerable component", "text": comp}));
    }
    out.insert("notes".into(), json!(notes));

    // product_status: one group per status, plus first_fixed / recommended.
    let mut status = Map::new();
    for st in Status::ALL {
        let ids = sorted_ids(
            c,
            v.statuses
                .iter()
                .filter(|s| s.status == st)
                .map(|s| s.product.clone()),
        );
        if !ids.is_empty() {
            status.insert(st.csaf_group().into(), json!(ids));
        }
    }
    let first_fixed = sorted_ids(
        c,
        v.statuses
            .iter()
            .filter(|s| s.first_fixed)
            .map(|s| s.product.clone()),
    );
    if !first_fixed.is_empty() {
        status.insert("first_fixed".into(), json!(first_fixed));
    }
    let recommended = sorted_ids(
        c,
        v.statuses
            .iter()
            .filter(|s| s.recommended)
            .map(|s| s.product.clone()),
    );
    if !recommended.is_empty() {
        status.insert("recommended".into(), json!(recommended));
    }
    out.insert("product_status".into(), Value::Object(status));

    // Flags: one per justification label (test 6.1.33: at most one per product).
    let mut flags: BTreeMap<&'static str, Vec<ProductRef>> = BTreeMap::new();
    for (si, s) in v.statuses.iter().enumerate() {
        if let Some(j) = s.justification {
            let (label, lost) = j.to_vex();
            if let (Some(lost), Justification::Cyclonedx(native)) = (lost, j) {
                warnings.push(Warning {
                    place: format!("{vp}.statuses[{si}].justification"),
                    message: format!("CSAF flag {label} stands for CycloneDX {native}: {lost}"),
                });
            }
            flags
                .entry(label.as_str())
                .or_default()
                .push(s.product.clone());
        }
    }
    if !flags.is_empty() {
        out.insert(
            "flags".into(),
            json!(flags
                .into_iter()
                .map(|(label, refs)| json!({"label": label, "product_ids": sorted_ids(c, refs)}))
                .collect::<Vec<_>>()),
        );
    }

    // Threats: the impact statements (grouped by text) and the exploit status.
    let mut impacts: Vec<(&str, Vec<ProductRef>)> = Vec::new();
    for s in &v.statuses {
        if let Some(text) = &s.impact_statement {
            match impacts.iter_mut().find(|(t, _)| *t == text) {
                Some((_, refs)) => refs.push(s.product.clone()),
                None => impacts.push((text, vec![s.product.clone()])),
            }
        }
    }
    let mut threats: Vec<Value> = impacts
        .into_iter()
        .map(|(text, refs)| json!({"category": "impact", "details": text, "product_ids": sorted_ids(c, refs)}))
        .collect();
    if let Some(e) = &v.exploit_status {
        threats.push(json!({"category": "exploit_status", "details": e}));
    }
    if !threats.is_empty() {
        out.insert("threats".into(), json!(threats));
    }

    if !v.remediations.is_empty() {
        let rems: Vec<Value> = v
            .remediations
            .iter()
            .map(|r| {
                let mut o = json!({
                    "category": r.category.as_str(),
                    "details": r.details,
                    "product_ids": sorted_ids(c, r.products.iter().cloned()),
                });
                if let Some(d) = &r.date {
                    o["date"] = json!(d);
                }
                if let Some(u) = &r.url {
                    o["url"] = json!(u);
                }
                o
            })
            .collect();
        out.insert("remediations".into(), json!(rems));
    }

    // Scores: test 6.1.7 allows one score per CVSS object kind per product.
    let mut scores = Vec::new();
    let mut scored: BTreeMap<(&'static str, String), usize> = BTreeMap::new();
    for (si, sc) in v.scores.iter().enumerate() {
        let place = format!("{vp}.scores[{si}]");
        let vector: postmarket_cvss::Vector = sc
            .vector
            .parse()
            .map_err(|e| WriteError::new(format!("{place}.vector"), format!("{e}")))?;
        let Some((kind, obj)) = csaf_cvss(&vector) else {
            warnings.push(Warning {
                place,
                message: format!(
                    "CSAF 2.0 has no CVSS 4.0 score object; {} is left out of the CSAF document",
                    sc.vector
                ),
            });
            continue;
        };
        let ids = sorted_ids(c, score_products(v, &sc.products));
        for id in &ids {
            if let Some(other) = scored.insert((kind_key(kind), id.clone()), si) {
                return Err(WriteError::new(
                    place,
                    format!("product {id} already has a {} score (scores[{other}]); CSAF allows one per product (test 6.1.7)", kind.key()),
                ));
            }
        }
        scores.push(json!({kind.key(): obj, "products": ids}));
    }
    if !scores.is_empty() {
        out.insert("scores".into(), json!(scores));
    }

    if !v.involvements.is_empty() {
        out.insert(
            "involvements".into(),
            json!(v
                .involvements
                .iter()
                .map(|i| {
                    let mut o = json!({"party": i.party, "status": i.status});
                    if let Some(s) = &i.summary {
                        o["summary"] = json!(s);
                    }
                    if let Some(d) = &i.date {
                        o["date"] = json!(d);
                    }
                    o
                })
                .collect::<Vec<_>>()),
        );
    }
    if !v.references.is_empty() {
        out.insert("references".into(), json!(references(&v.references)));
    }
    Ok(Value::Object(out))
}

fn kind_key(k: CsafScoreKind) -> &'static str {
    k.key()
}

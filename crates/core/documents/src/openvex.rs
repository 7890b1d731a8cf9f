//! OpenVEX 0.2.0 writer.
//!
//! Statements are grouped like the CycloneDX entries (same vulnerability, status,
//! justification and statements → one statement listing its products). A product's `@id` is its
//! purl, or `<namespace>/products/<product id>` when it has none; `identifiers` carry the purl and
//! CPE. The vulnerable component, when known, is the product's `subcomponents`. The impact
//! statement goes to `impact_statement` for `not_affected` (the only status the specification
//! gives it) and to `status_notes` otherwise.

use serde_json::{json, Map, Value};

use crate::check::{check, Checked};
use crate::cyclonedx::groups;
use crate::error::{Warning, WriteError, Written};
use crate::model::{ProductRef, Publication};
use crate::vocab::{Justification, Status};

/// The OpenVEX context this writer follows.
pub const OPENVEX_CONTEXT: &str = "https://openvex.dev/ns/v0.2.0";

/// The document `@id`: `<publisher namespace>/vex/<document id>`.
pub fn openvex_id(p: &Publication) -> String {
    format!(
        "{}/vex/{}",
        p.document.publisher.namespace.trim_end_matches('/'),
        p.document.id
    )
}

fn product(c: &Checked<'_>, r: &ProductRef, component: Option<&String>) -> Value {
    let p = c.publication;
    let (_, rel) = p.release(r).expect("checked reference");
    let id = match &rel.purl {
        Some(purl) => purl.clone(),
        None => format!(
            "{}/products/{}",
            p.document.publisher.namespace.trim_end_matches('/'),
            c.id(r)
        ),
    };
    let mut o = json!({"@id": id});
    let mut ids = Map::new();
    if let Some(purl) = &rel.purl {
        ids.insert("purl".into(), json!(purl));
    }
    if let Some(cpe) = &rel.cpe {
        ids.insert("cpe23".into(), json!(cpe));
    }
    if !ids.is_empty() {
        o["identifiers"] = Value::Object(ids);
    }
    if let Some(comp) = component {
        o["subcomponents"] = json!([{"@id": comp, "identifiers": {"purl": comp}}]);
    }
    o
}

/// Writes the publication as an OpenVEX 0.2.0 document.
pub fn write_openvex(p: &Publication) -> Result<Written, WriteError> {
    let c = check(p)?;
    let d = &p.document;
    let mut warnings = Vec::new();
    let mut statements = Vec::new();
    for (vi, v) in p.vulnerabilities.iter().enumerate() {
        for group in groups(v) {
            let head = group[0].1;
            let mut vuln = json!({"name": v.id});
            if !v.aliases.is_empty() {
                vuln["aliases"] = json!(v.aliases);
            }
            if v.id.starts_with("CVE-") {
                vuln["@id"] = json!(format!("https://nvd.nist.gov/vuln/detail/{}", v.id));
            }
            vuln["description"] = json!(v.description);
            let mut st = json!({
                "vulnerability": vuln,
                "products": group.iter().map(|(_, s)| product(&c, &s.product, v.component.as_ref())).collect::<Vec<_>>(),
                "status": head.status.as_str(),
            });
            if let Some(j) = head.justification {
                let (label, lost) = j.to_vex();
                if let (Some(lost), Justification::Cyclonedx(native)) = (lost, j) {
                    for (si, _) in &group {
                        warnings.push(Warning {
                            place: format!("vulnerabilities[{vi}].statuses[{si}].justification"),
                            message: format!("OpenVEX justification {label} stands for CycloneDX {native}: {lost}"),
                        });
                    }
                }
                st["justification"] = json!(label.as_str());
            }
            if let Some(text) = &head.impact_statement {
                let key = if head.status == Status::NotAffected {
                    "impact_statement"
                } else {
                    "status_notes"
                };
                st[key] = json!(text);
            }
            if let Some(action) = v.action_statement(&head.product) {
                st["action_statement"] = json!(action);
            }
            if let Some(date) = &v.release_date {
                st["timestamp"] = json!(date);
            }
            statements.push(st);
        }
    }
    let doc = json!({
        "@context": OPENVEX_CONTEXT,
        "@id": openvex_id(p),
        "author": d.publisher.name,
        "role": "Manufacturer",
        "timestamp": d.revisions[0].date,
        "last_updated": d.revisions[d.revisions.len() - 1].date,
        "version": d.revisions.len(),
        "tooling": format!("{} {}", d.generator.name, d.generator.version),
        "statements": statements,
    });
    Ok(Written {
        document: doc,
        warnings,
    })
}

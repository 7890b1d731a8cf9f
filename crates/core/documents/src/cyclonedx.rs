//! CycloneDX 1.6 VEX writer.
//!
//! Every device release is a `device` component whose `bom-ref` is its product id. CycloneDX
//! puts one `analysis` on a vulnerability, so a vulnerability whose products differ in status,
//! justification or statements becomes several `vulnerabilities[]` entries with the same `id`,
//! one per group, each listing its products in `affects` (with the release version and its
//! version status). The action statement goes to `recommendation`, the impact statement to
//! `analysis.detail`, the remediation categories to `analysis.response`.

use postmarket_cvss::Vector;
use serde_json::{json, Map, Value};
use sha1::{Digest, Sha1};

use crate::check::{check, Checked};
use crate::csaf::score_products;
use crate::cvss_json::cdx_method;
use crate::error::{Warning, WriteError, Written};
use crate::model::{ProductRef, ProductStatus, Publication, Vulnerability};
use crate::vocab::{Justification, Status};

/// RFC 4122 §4.3 name-based UUID, version 5 (SHA-1), in the URL namespace.
pub fn uuid_v5_url(name: &str) -> String {
    // The URL namespace 6ba7b811-9dad-11d1-80b4-00c04fd430c8 (RFC 4122 appendix C).
    const NS_URL: [u8; 16] = [
        0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30,
        0xc8,
    ];
    let mut h = Sha1::new();
    h.update(NS_URL);
    h.update(name.as_bytes());
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// The CycloneDX `serialNumber`: the same for every version of one document (publisher
/// namespace + document id), so a new revision is the next `version` of the same BOM.
pub fn serial_number(p: &Publication) -> String {
    format!(
        "urn:uuid:{}",
        uuid_v5_url(&format!(
            "{}/vex/{}",
            p.document.publisher.namespace.trim_end_matches('/'),
            p.document.id
        ))
    )
}

/// Writes the publication as a CycloneDX 1.6 VEX document.
pub fn write_cyclonedx(p: &Publication) -> Result<Written, WriteError> {
    let c = check(p)?;
    let d = &p.document;
    let first = &d.revisions[0].date;
    let current = &d.revisions[d.revisions.len() - 1].date;
    let mut warnings = Vec::new();
    let components: Vec<Value> = p
        .releases()
        .map(|(dev, rel)| {
            let mut o = json!({
                "type": "device",
                "bom-ref": c.id(&ProductRef::new(&dev.name, &rel.version)),
                "name": dev.name,
                "version": rel.version,
                "supplier": {"name": dev.vendor},
            });
            if let Some(purl) = &rel.purl {
                o["purl"] = json!(purl);
            }
            if let Some(cpe) = &rel.cpe {
                o["cpe"] = json!(cpe);
            }
            o
        })
        .collect();
    let mut vulns = Vec::new();
    for (vi, v) in p.vulnerabilities.iter().enumerate() {
        for group in groups(v) {
            vulns.push(entry(&c, vi, v, &group, first, current, &mut warnings));
        }
    }
    let doc = json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": serial_number(p),
        "version": d.revisions.len(),
        "metadata": {
            "timestamp": current,
            "supplier": {"name": d.publisher.name, "url": [d.publisher.namespace]},
            "tools": {"components": [{"type": "application", "name": d.generator.name, "version": d.generator.version}]},
        },
        "components": components,
        "vulnerabilities": vulns,
    });
    Ok(Written {
        document: doc,
        warnings,
    })
}

/// Statuses that share everything but the product, in order of first appearance.
pub(crate) fn groups(v: &Vulnerability) -> Vec<Vec<(usize, &ProductStatus)>> {
    let mut out: Vec<Vec<(usize, &ProductStatus)>> = Vec::new();
    for (si, s) in v.statuses.iter().enumerate() {
        let key = |x: &ProductStatus| {
            (
                x.status,
                x.justification,
                x.impact_statement.clone(),
                v.action_statement(&x.product),
            )
        };
        match out.iter_mut().find(|g| key(g[0].1) == key(s)) {
            Some(g) => g.push((si, s)),
            None => out.push(vec![(si, s)]),
        }
    }
    out
}

fn entry(
    c: &Checked<'_>,
    vi: usize,
    v: &Vulnerability,
    group: &[(usize, &ProductStatus)],
    first: &str,
    current: &str,
    warnings: &mut Vec<Warning>,
) -> Value {
    let head = group[0].1;
    let products: Vec<&ProductRef> = group.iter().map(|(_, s)| &s.product).collect();
    let mut o = Map::new();
    o.insert("id".into(), json!(v.id));
    let source = if v.id.starts_with("CVE-") {
        json!({"name": "NVD", "url": format!("https://nvd.nist.gov/vuln/detail/{}", v.id)})
    } else {
        json!({"name": c.publication.document.publisher.name})
    };
    o.insert("source".into(), source);
    if !v.aliases.is_empty() {
        o.insert(
            "references".into(),
            json!(v
                .aliases
                .iter()
                .map(|a| json!({"id": a, "source": {"name": a.split('-').next().unwrap_or(a)}}))
                .collect::<Vec<_>>()),
        );
    }
    let ratings: Vec<Value> = v
        .scores
        .iter()
        .filter(|sc| score_products(v, &sc.products).iter().any(|p| products.contains(&p)))
        .filter_map(|sc| {
            let vector: Vector = sc.vector.parse().ok()?;
            let s = vector.scores();
            let mut r = json!({
                "score": s.base,
                "severity": s.severity.as_str().to_ascii_lowercase(),
                "method": cdx_method(s.version),
                "vector": s.vector,
            });
            r["source"] = json!({"name": sc.source.as_deref().unwrap_or(&c.publication.document.publisher.name)});
            Some(r)
        })
        .collect();
    if !ratings.is_empty() {
        o.insert("ratings".into(), json!(ratings));
    }
    if let Some(cwe) = &v.cwe {
        if let Some(n) = cwe
            .id
            .strip_prefix("CWE-")
            .and_then(|n| n.parse::<u64>().ok())
        {
            o.insert("cwes".into(), json!([n]));
        }
    }
    o.insert("description".into(), json!(v.description));
    if let Some(action) = v.action_statement(&head.product) {
        o.insert("recommendation".into(), json!(action));
    }
    if !v.references.is_empty() {
        o.insert(
            "advisories".into(),
            json!(v
                .references
                .iter()
                .map(|r| json!({"title": r.summary, "url": r.url}))
                .collect::<Vec<_>>()),
        );
    }
    if let Some(d) = &v.release_date {
        o.insert("published".into(), json!(d));
    }
    o.insert("updated".into(), json!(current));

    let mut analysis = json!({
        "state": head.status.cdx_state(),
        "firstIssued": first,
        "lastUpdated": current,
    });
    if head.status == Status::NotAffected {
        if let Some(j) = head.justification {
            let (label, lost) = j.to_cdx();
            if let (Some(lost), Justification::Vex(native)) = (lost, j) {
                for (si, _) in group {
                    warnings.push(Warning {
                        place: format!("vulnerabilities[{vi}].statuses[{si}].justification"),
                        message: format!(
                            "CycloneDX justification {label} stands for {native}: {lost}"
                        ),
                    });
                }
            }
            analysis["justification"] = json!(label.as_str());
        }
    }
    let mut responses: Vec<&str> = Vec::new();
    for r in &v.remediations {
        if r.products.contains(&head.product) && !responses.contains(&r.category.cdx_response()) {
            responses.push(r.category.cdx_response());
        }
    }
    if !responses.is_empty() {
        analysis["response"] = json!(responses);
    }
    if let Some(detail) = &head.impact_statement {
        analysis["detail"] = json!(detail);
    }
    o.insert("analysis".into(), analysis);
    o.insert(
        "affects".into(),
        json!(group.iter().map(|(_, s)| json!({
            "ref": c.id(&s.product),
            "versions": [{"version": s.product.version, "status": s.status.cdx_version_status()}],
        })).collect::<Vec<_>>()),
    );
    if let Some(comp) = &v.component {
        if group.first().is_some_and(|(si, _)| *si == 0) {
            warnings.push(Warning {
                place: format!("vulnerabilities[{vi}].component"),
                message: format!("CycloneDX VEX names the device release; the vulnerable component {comp} is not carried"),
            });
        }
    }
    Value::Object(o)
}

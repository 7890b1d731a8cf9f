//! CycloneDX VEX reader (JSON, spec 1.4–1.6; the vulnerability object is the same).
//!
//! One statement per `affects[]` entry, or per `affects[].versions[]` entry when versions are
//! listed. The status is the version's `status` when it has one (it is the more specific), else
//! `analysis.state`. `affects[].ref` resolves to a component of the document (at any nesting
//! depth, or `metadata.component`) when one has that `bom-ref`; otherwise it is kept as a
//! reference into the supplier's separate BOM. A vulnerability without `affects` speaks about
//! `metadata.component`, or about no named product when there is none.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{at, invalid, missing, At, Format, Imported, ProductIdentity, Statement};
use crate::error::ReadError;
use crate::vocab::{CdxJustification, Justification, Status};

fn component(
    c: &At<'_>,
    out: &mut BTreeMap<String, ProductIdentity>,
    depth: usize,
) -> Result<(), ReadError> {
    if depth > 64 {
        return Err(invalid(&c.ptr, "components nested at most 64 deep", c.v));
    }
    c.object()?;
    if let Some(r) = c.opt_str("bom-ref")? {
        out.insert(
            r.to_string(),
            ProductIdentity {
                id: Some(r.to_string()),
                name: c.opt_str("name")?.map(str::to_string),
                version: c.opt_str("version")?.map(str::to_string),
                purl: c.opt_str("purl")?.map(str::to_string),
                cpe: c.opt_str("cpe")?.map(str::to_string),
                parent: None,
            },
        );
    }
    for child in c.items("components")? {
        component(&child, out, depth + 1)?;
    }
    Ok(())
}

/// Reads a CycloneDX BOM's `vulnerabilities`.
pub fn read_cyclonedx(v: &Value) -> Result<Imported, ReadError> {
    let root = at(v, "");
    root.object()?;
    let format = root.str("bomFormat")?;
    if format != "CycloneDX" {
        return Err(invalid(
            "/bomFormat",
            "\"CycloneDX\"",
            root.get("bomFormat").unwrap_or(&Value::Null),
        ));
    }
    root.str("specVersion")?;
    let mut components = BTreeMap::new();
    let mut subject = None;
    let metadata = root.child("metadata");
    if let Some(m) = &metadata {
        if let Some(c) = m.child("component") {
            component(&c, &mut components, 0)?;
            subject = c.opt_str("bom-ref")?.map(str::to_string);
        }
    }
    for c in root.items("components")? {
        component(&c, &mut components, 0)?;
    }
    let doc_time = match &metadata {
        Some(m) => m.opt_str("timestamp")?.map(str::to_string),
        None => None,
    };

    let mut statements = Vec::new();
    for vuln in root.items("vulnerabilities")? {
        vuln.object()?;
        let id = vuln.str("id")?.to_string();
        let mut aliases = Vec::new();
        for r in vuln.items("references")? {
            aliases.push(r.str("id")?.to_string());
        }
        let analysis = vuln.child("analysis");
        let (state, justification, detail, stamp) = match &analysis {
            Some(a) => {
                a.object()?;
                let state = match a.opt_str("state")? {
                    Some(s) => Some((
                        s,
                        Status::from_cdx_state(s).ok_or_else(|| {
                            invalid(&a.key("state"), "one of resolved, resolved_with_pedigree, exploitable, in_triage, false_positive, not_affected", a.get("state").unwrap_or(&Value::Null))
                        })?,
                    )),
                    None => None,
                };
                let justification = match a.opt_str("justification")? {
                    Some(j) => Some(CdxJustification::parse(j).ok_or_else(|| {
                        invalid(&a.key("justification"), "one of code_not_present, code_not_reachable, requires_configuration, requires_dependency, requires_environment, protected_by_compiler, protected_at_runtime, protected_at_perimeter, protected_by_mitigating_control", a.get("justification").unwrap_or(&Value::Null))
                    })?),
                    None => None,
                };
                let stamp = a.opt_str("lastUpdated")?.or(a.opt_str("firstIssued")?);
                (state, justification, a.opt_str("detail")?, stamp)
            }
            None => (None, None, None, None),
        };
        let action = vuln
            .opt_str("recommendation")?
            .or(vuln.opt_str("workaround")?);
        let timestamp = stamp
            .or(vuln.opt_str("updated")?)
            .or(vuln.opt_str("published")?)
            .map(str::to_string)
            .or_else(|| doc_time.clone());

        let make = |product: ProductIdentity, status: Status, native: &str, pointer: String| {
            let j = justification
                .filter(|_| status == Status::NotAffected)
                .map(Justification::Cyclonedx);
            Statement {
                vulnerability: id.clone(),
                aliases: aliases.clone(),
                product,
                status,
                native_status: native.to_string(),
                justification: j,
                neutral_justification: j.map(|j| j.to_vex().0),
                impact_statement: detail.map(str::to_string),
                action_statement: action.map(str::to_string),
                timestamp: timestamp.clone(),
                pointer,
            }
        };
        let need_state = |ptr: &str| {
            state.ok_or_else(|| {
                missing(
                    ptr,
                    "analysis.state, or a status on each affects[].versions[] entry",
                )
            })
        };

        let affects = vuln.items("affects")?;
        if affects.is_empty() {
            let (native, status) = need_state(&vuln.key("analysis"))?;
            let product = subject
                .as_ref()
                .and_then(|s| components.get(s))
                .cloned()
                .unwrap_or_default();
            statements.push(make(product, status, native, vuln.ptr.clone()));
            continue;
        }
        for a in affects {
            let r = a.str("ref")?;
            let base = components
                .get(r)
                .cloned()
                .unwrap_or_else(|| ProductIdentity {
                    id: Some(r.to_string()),
                    ..Default::default()
                });
            let versions = a.items("versions")?;
            if versions.is_empty() {
                let (native, status) = need_state(&vuln.key("analysis"))?;
                statements.push(make(base, status, native, a.ptr.clone()));
                continue;
            }
            for ver in versions {
                let named = match ver.opt_str("version")? {
                    Some(x) => x,
                    None => ver
                        .opt_str("range")?
                        .ok_or_else(|| missing(&ver.key("version"), "a version or a range"))?,
                };
                let (native, status) = match ver.opt_str("status")? {
                    Some(s) => (
                        s,
                        Status::from_cdx_version_status(s).ok_or_else(|| {
                            invalid(
                                &ver.key("status"),
                                "one of affected, unaffected, unknown",
                                ver.get("status").unwrap_or(&Value::Null),
                            )
                        })?,
                    ),
                    None => need_state(&vuln.key("analysis"))?,
                };
                // "unaffected" also covers a fixed version: the analysis says which.
                let (native, status) = match (status, state) {
                    (Status::NotAffected, Some((n, Status::Fixed))) => (n, Status::Fixed),
                    other => (native, other.0),
                };
                let mut product = base.clone();
                product.version = Some(named.to_string());
                statements.push(make(product, status, native, ver.ptr.clone()));
            }
        }
    }
    Ok(Imported {
        format: Format::Cyclonedx,
        statements,
    })
}

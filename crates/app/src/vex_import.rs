//! `vex import` (issue 7): a supplier's VEX document (CycloneDX, OpenVEX or CSAF, detected by
//! content) read by `postmarket-documents` into component-level statements, each resolved
//! against the components of a release's latest SBOM — by purl (same package; the version must
//! agree when the statement gives one), else CPE, else name (and version when given) — and
//! stored in one transaction. A statement naming something that is no component of the release
//! refuses the whole document, listing what did not resolve.

use std::path::Path;

use postmarket_documents::read_vex;
use postmarket_ident::PackageUrl;
use postmarket_model::{Actor, DeviceName, ReleaseVersion};
use postmarket_sbom::Component;
use postmarket_store::{NewVexStatement, VexStatementRow};
use serde::Serialize;

use crate::{component_key, App, AppError};

/// What an import stored.
#[derive(Debug, Clone, Serialize)]
pub struct VexImportReport {
    pub file: String,
    pub format: String,
    pub device: String,
    pub release: String,
    pub statements: Vec<VexStatementRow>,
}

fn bad(msg: impl Into<String>) -> AppError {
    AppError::BadInput(msg.into())
}

fn same_package(a: &str, b: &str) -> bool {
    match (a.parse::<PackageUrl>(), b.parse::<PackageUrl>()) {
        (Ok(a), Ok(b)) => a.without_version() == b.without_version(),
        _ => a.eq_ignore_ascii_case(b),
    }
}

/// The components of `components` a statement's product names (purl, then CPE, then name).
fn resolve<'a>(
    p: &postmarket_documents::ProductIdentity,
    components: &'a [Component],
) -> Vec<&'a Component> {
    let version_ok = |c: &Component, v: Option<&str>| match (v, c.version.as_deref()) {
        (None, _) => true,
        (Some(v), Some(cv)) => v == cv,
        (Some(_), None) => false,
    };
    if let Some(purl) = &p.purl {
        let wanted = purl.parse::<PackageUrl>().ok();
        let v = wanted
            .as_ref()
            .and_then(|w| w.version().map(String::from))
            .or_else(|| p.version.clone());
        return components
            .iter()
            .filter(|c| {
                c.purl.as_deref().is_some_and(|cp| same_package(cp, purl))
                    && version_ok(c, v.as_deref())
            })
            .collect();
    }
    if let Some(cpe) = &p.cpe {
        return components
            .iter()
            .filter(|c| {
                c.cpe
                    .as_deref()
                    .is_some_and(|x| x.eq_ignore_ascii_case(cpe))
            })
            .collect();
    }
    if let Some(name) = &p.name {
        return components
            .iter()
            .filter(|c| c.name.eq_ignore_ascii_case(name) && version_ok(c, p.version.as_deref()))
            .collect();
    }
    Vec::new()
}

impl App {
    /// Imports a supplier's VEX for one release (see the module docs): all statements or none.
    pub async fn import_vex(
        &self,
        actor: &Actor,
        path: &Path,
        device: &DeviceName,
        version: &ReleaseVersion,
        reason: Option<&str>,
    ) -> Result<VexImportReport, AppError> {
        let shown = path.display().to_string();
        let text =
            std::fs::read_to_string(path).map_err(|e| bad(format!("cannot read {shown}: {e}")))?;
        let imported = read_vex(&text).map_err(|e| bad(format!("{shown}: {e}")))?;
        if imported.statements.is_empty() {
            return Err(bad(format!("{shown}: the document makes no VEX statement")));
        }
        let sbom = self.release_sbom(device, version).await?;
        let components: Vec<Component> = sbom
            .components
            .iter()
            .map(|c| c.component.clone())
            .collect();
        let mut rows = Vec::new();
        let mut unresolved = Vec::new();
        for s in &imported.statements {
            let hits = resolve(&s.product, &components);
            if hits.is_empty() {
                let p = &s.product;
                let name = p
                    .key()
                    .map(String::from)
                    .or_else(|| p.name.clone())
                    .unwrap_or_else(|| "(a product without identifiers)".into());
                unresolved.push(format!("{} ({}) at {}", name, s.vulnerability, s.pointer));
                continue;
            }
            let justification = s
                .neutral_justification
                .map(|j| j.as_str().to_string())
                .or_else(|| s.justification.map(|j| j.as_str().to_string()));
            let detail = match (&s.impact_statement, &s.action_statement) {
                (Some(i), Some(a)) => Some(format!("{i} / {a}")),
                (i, a) => i.clone().or_else(|| a.clone()),
            };
            for c in hits {
                rows.push(NewVexStatement {
                    release_id: sbom.release.id,
                    component: component_key(c),
                    vulnerability: s.vulnerability.clone(),
                    status: s.status.as_str().to_string(),
                    justification: justification.clone(),
                    detail: detail.clone(),
                    source_document: Some(
                        path.file_name()
                            .map_or_else(|| shown.clone(), |n| n.to_string_lossy().into_owned()),
                    ),
                    statement_time: s.timestamp.clone(),
                });
            }
        }
        if !unresolved.is_empty() {
            return Err(bad(format!(
                "{shown}: {} statement(s) name a product that is not a component of {} {}; nothing was stored:\n  {}",
                unresolved.len(),
                device,
                version,
                unresolved.join("\n  ")
            )));
        }
        let stored = self
            .store()
            .record_vex_statements(actor, &rows, reason)
            .await?;
        // The findings show the statements at once (suppressed, with their justification).
        if self.store().count("source_records").await? > 0 {
            self.match_release(
                actor,
                sbom.release.id,
                &format!("VEX document {shown}"),
                None,
            )
            .await?;
        }
        Ok(VexImportReport {
            file: shown,
            format: format!("{:?}", imported.format).to_lowercase(),
            device: device.to_string(),
            release: version.to_string(),
            statements: stored,
        })
    }
}

//! Publishing a case (issue 7): the stored case — device, affected releases, the vulnerability
//! with its aliases, scores and CWE from the store, the decision, remediation plan, interim
//! controls, fix release and notices — mapped onto `postmarket-documents`' `Publication`, then
//! written as a CSAF 2.0 advisory or VEX (per case, product tree from the device and its
//! releases), or as CycloneDX 1.6 VEX / OpenVEX 0.2.0 (per release).

use std::fmt;
use std::str::FromStr;

use postmarket_advisories::merge::merge;
use postmarket_advisories::VulnRecord;
use postmarket_documents::{
    self as docs, write_csaf, write_cyclonedx, write_openvex, CsafProfile, DocumentInfo,
    DocumentStatus, Generator, Involvement, ProductRef, ProductStatus, Publication, Publisher,
    Remediation, RemediationCategory, Revision, Status,
};
use postmarket_model::Date;
use postmarket_program::state::{CaseState, VexJustification as CaseJustification};
use serde::Serialize;

use crate::cases::CaseView;
use crate::{App, AppError};

/// The document formats a case can be published in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AdvisoryFormat {
    /// CSAF 2.0 `csaf_security_advisory` (§4.3), per case.
    Csaf,
    /// CSAF 2.0 `csaf_vex` (§4.5), per case.
    CsafVex,
    /// CycloneDX 1.6 VEX, per release.
    CyclonedxVex,
    /// OpenVEX 0.2.0, per release.
    Openvex,
}

impl AdvisoryFormat {
    pub const ALL: [AdvisoryFormat; 4] =
        [Self::Csaf, Self::CsafVex, Self::CyclonedxVex, Self::Openvex];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Csaf => "csaf",
            Self::CsafVex => "csaf-vex",
            Self::CyclonedxVex => "cyclonedx-vex",
            Self::Openvex => "openvex",
        }
    }

    /// CycloneDX VEX and OpenVEX speak about one release (the product a customer runs).
    pub fn per_release(self) -> bool {
        matches!(self, Self::CyclonedxVex | Self::Openvex)
    }
}

impl fmt::Display for AdvisoryFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for AdvisoryFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                format!("unknown format {s:?}: expected csaf, csaf-vex, cyclonedx-vex or openvex")
            })
    }
}

/// A written document and what the format could not carry.
#[derive(Debug, Clone, Serialize)]
pub struct AdvisoryDocument {
    pub format: AdvisoryFormat,
    pub document: serde_json::Value,
    pub warnings: Vec<String>,
}

/// Who publishes: the namespace is the manufacturer's, the documents name the device line.
const NAMESPACE: &str = "https://postmarket.example/psirt";

fn rfc3339(d: Date) -> String {
    format!("{d}T00:00:00Z")
}

fn bad(msg: impl Into<String>) -> AppError {
    AppError::BadInput(msg.into())
}

fn to_doc_justification(j: CaseJustification) -> docs::Justification {
    use docs::VexJustification as D;
    docs::Justification::Vex(match j {
        CaseJustification::ComponentNotPresent => D::ComponentNotPresent,
        CaseJustification::VulnerableCodeNotPresent => D::VulnerableCodeNotPresent,
        CaseJustification::VulnerableCodeNotInExecutePath => D::VulnerableCodeNotInExecutePath,
        CaseJustification::VulnerableCodeCannotBeControlledByAdversary => {
            D::VulnerableCodeCannotBeControlledByAdversary
        }
        CaseJustification::InlineMitigationsAlreadyExist => D::InlineMitigationsAlreadyExist,
    })
}

impl App {
    /// The publication of a case on day `at`: one device, the case's releases (affected and
    /// fix), one vulnerability with one status per release.
    pub async fn case_publication(&self, case_id: i64, at: Date) -> Result<Publication, AppError> {
        let view = self.case(case_id).await?;
        let device = self
            .store()
            .devices()
            .await?
            .into_iter()
            .find(|d| d.id == view.case.device_id)
            .ok_or_else(|| AppError::Internal(format!("case {case_id} names no device")))?;
        let records = self.vulnerability_records(&view.case.vulnerability).await?;
        Ok(publication(&view, &device, &records, at))
    }

    /// Writes a case as `format`; `release` picks the release for the per-release formats (the
    /// only affected release when there is one).
    pub async fn case_advisory(
        &self,
        case_id: i64,
        format: AdvisoryFormat,
        release: Option<&str>,
        at: Date,
    ) -> Result<AdvisoryDocument, AppError> {
        let mut p = self.case_publication(case_id, at).await?;
        if format.per_release() {
            let versions: Vec<String> = p.products[0]
                .releases
                .iter()
                .map(|r| r.version.clone())
                .collect();
            let chosen = match release {
                Some(v) if versions.iter().any(|x| x == v) => v.to_string(),
                Some(v) => {
                    return Err(bad(format!(
                        "case {case_id} does not name release {v}; it names {}",
                        versions.join(", ")
                    )))
                }
                None if versions.len() == 1 => versions[0].clone(),
                None => {
                    return Err(bad(format!(
                        "{format} speaks about one release: give --release (one of {})",
                        versions.join(", ")
                    )))
                }
            };
            p = only_release(p, &chosen);
        } else if let Some(v) = release {
            return Err(bad(format!(
                "{format} covers every release of the case; --release {v} applies only to cyclonedx-vex and openvex"
            )));
        }
        let written = match format {
            AdvisoryFormat::Csaf => write_csaf(&p, CsafProfile::SecurityAdvisory),
            AdvisoryFormat::CsafVex => write_csaf(&p, CsafProfile::Vex),
            AdvisoryFormat::CyclonedxVex => write_cyclonedx(&p),
            AdvisoryFormat::Openvex => write_openvex(&p),
        }
        .map_err(|e| bad(format!("case {case_id} cannot be written as {format}: {e}")))?;
        let mut document = written.document;
        let mut warnings: Vec<String> = written.warnings.iter().map(ToString::to_string).collect();
        // CSAF 2.0 §3.2.3.3 / mandatory test 6.1.11: the CWE name must be the catalog's. The
        // store keeps CWE ids only (feeds carry no names), so CSAF leaves the weakness out
        // rather than name it wrongly; CycloneDX (`cwes`: numbers) keeps it.
        if matches!(format, AdvisoryFormat::Csaf | AdvisoryFormat::CsafVex) {
            if let Some(vulns) = document["vulnerabilities"].as_array_mut() {
                for v in vulns {
                    if let Some(cwe) = v.as_object_mut().and_then(|o| o.remove("cwe")) {
                        warnings.push(format!(
                            "{} left out of CSAF: its catalog name is not stored (CSAF test 6.1.11)",
                            cwe["id"].as_str().unwrap_or("the CWE")
                        ));
                    }
                }
            }
        }
        Ok(AdvisoryDocument {
            format,
            document,
            warnings,
        })
    }

    /// Every stored record of a vulnerability (by any of its ids), for aliases, scores, CWE.
    async fn vulnerability_records(&self, id: &str) -> Result<Vec<VulnRecord>, AppError> {
        let Some(vid) = self.store().find_vulnerability(id).await? else {
            return Ok(Vec::new());
        };
        let data = self.store().vulnerability(vid).await?;
        Ok(data.records.iter().map(|r| r.record.clone()).collect())
    }
}

/// The mapping itself (pure, so that it can be read in one place).
fn publication(
    view: &CaseView,
    device: &postmarket_model::Device,
    records: &[VulnRecord],
    at: Date,
) -> Publication {
    let case = &view.case;
    let dev_name = device.name.to_string();
    let pr = |v: &str| ProductRef::new(dev_name.clone(), v);
    let fix_ids: Vec<i64> = view.fixes.iter().map(|f| f.release_id).collect();
    let affected: Vec<&crate::cases::CaseRelease> = view
        .releases
        .iter()
        .filter(|r| !fix_ids.contains(&r.id))
        .collect();
    let fixed: Vec<&crate::cases::CaseRelease> = view
        .releases
        .iter()
        .filter(|r| fix_ids.contains(&r.id))
        .collect();

    let final_states = [
        CaseState::Fixed,
        CaseState::Closed,
        CaseState::NotAffected,
        CaseState::Duplicate,
    ];
    let status = if final_states.contains(&case.state) {
        DocumentStatus::Final
    } else {
        DocumentStatus::Interim
    };

    // Revisions: the opening, then each decision a customer would see (plan, control, fix,
    // notice), in date order — CSAF §3.2.1.12.6 revision history.
    let mut revisions: Vec<(Date, String)> = vec![(case.t0, "Case opened".into())];
    for p in &view.plans {
        revisions.push((p.made_on, "Remediation plan".into()));
    }
    for c in &view.controls {
        revisions.push((c.identified_on, "Interim compensating control".into()));
    }
    for f in &view.fixes {
        if let Some(d) = f.distributed_on.or(f.validated_on) {
            revisions.push((d, "Fix release".into()));
        }
    }
    for n in &view.notifications {
        revisions.push((n.sent_on, "Customer notification".into()));
    }
    revisions.retain(|(d, _)| *d <= at);
    revisions.sort_by_key(|(d, _)| *d);
    if revisions.is_empty() {
        revisions.push((at, "Current status".into()));
    }

    let merged = merge(records);
    let m = merged.first();
    let mut aliases: Vec<String> = m.map(|m| m.ids.clone()).unwrap_or_default();
    aliases.retain(|a| a != &case.vulnerability);
    let summary = records
        .iter()
        .find_map(|r| r.summary.clone().or_else(|| r.details.clone()))
        .or_else(|| case.title.clone())
        .unwrap_or_else(|| format!("{} affects {dev_name}", case.vulnerability));
    let cwe = records
        .iter()
        .flat_map(|r| r.cwes.iter())
        .find(|c| c.starts_with("CWE-"))
        .map(|c| docs::Cwe {
            id: c.clone(),
            name: c.clone(),
        });
    let affected_refs: Vec<ProductRef> = affected.iter().map(|r| pr(&r.version)).collect();
    let scores = m
        .and_then(|m| m.shown_score())
        .filter(|s| s.score.vector.starts_with("CVSS:3") || s.score.vector.starts_with("CVSS:4"))
        .map(|s| docs::Score {
            vector: s.score.vector.clone(),
            products: affected_refs.clone(),
            source: Some(s.score.source.clone()),
        })
        .into_iter()
        .filter(|_| !affected_refs.is_empty())
        .collect();

    let investigating = matches!(case.state, CaseState::New | CaseState::Triage);
    let not_affected = case.state == CaseState::NotAffected;
    let mut statuses = Vec::new();
    for r in &affected {
        let mut s = ProductStatus {
            product: pr(&r.version),
            status: if not_affected {
                Status::NotAffected
            } else if investigating {
                Status::UnderInvestigation
            } else {
                Status::Affected
            },
            justification: None,
            impact_statement: None,
            first_fixed: false,
            recommended: false,
        };
        if not_affected {
            s.justification = case.vex_justification.map(to_doc_justification);
            if s.justification.is_none() {
                s.impact_statement = Some("Assessed as not affected".into());
            }
        }
        statuses.push(s);
    }
    for (i, r) in fixed.iter().enumerate() {
        statuses.push(ProductStatus {
            product: pr(&r.version),
            status: Status::Fixed,
            justification: None,
            impact_statement: None,
            first_fixed: i == 0,
            recommended: i + 1 == fixed.len(),
        });
    }

    let mut remediations = Vec::new();
    let affected_now: Vec<ProductRef> = statuses
        .iter()
        .filter(|s| s.status == Status::Affected)
        .map(|s| s.product.clone())
        .collect();
    if !affected_now.is_empty() {
        for f in &view.fixes {
            let version = view
                .releases
                .iter()
                .find(|r| r.id == f.release_id)
                .map_or_else(String::new, |r| r.version.clone());
            remediations.push(Remediation {
                category: RemediationCategory::VendorFix,
                details: format!("Update to {dev_name} {version}. {}", f.justification),
                date: f.distributed_on.or(f.validated_on).map(rfc3339),
                url: None,
                products: affected_now.clone(),
            });
        }
        for c in &view.controls {
            remediations.push(Remediation {
                category: RemediationCategory::Mitigation,
                details: c.description.clone(),
                date: Some(rfc3339(c.identified_on)),
                url: None,
                products: affected_now.clone(),
            });
        }
        if view.fixes.is_empty() {
            for p in &view.plans {
                remediations.push(Remediation {
                    category: RemediationCategory::NoneAvailable,
                    details: format!("{} ({})", p.description, p.timeline_rationale),
                    date: Some(rfc3339(p.made_on)),
                    url: None,
                    products: affected_now.clone(),
                });
            }
        }
        if remediations.is_empty() {
            remediations.push(Remediation {
                category: RemediationCategory::NoneAvailable,
                details:
                    "No fix is available yet; the manufacturer is preparing a remediation plan."
                        .into(),
                date: None,
                url: None,
                products: affected_now.clone(),
            });
        }
    }

    let involvements = vec![Involvement {
        party: "vendor".into(),
        status: if final_states.contains(&case.state) {
            "completed".into()
        } else {
            "open".into()
        },
        summary: view
            .notifications
            .last()
            .map(|n| format!("Customers notified: {}", n.work_under_way)),
        date: view.notifications.last().map(|n| rfc3339(n.sent_on)),
    }];

    let mut releases: Vec<docs::DeviceRelease> = Vec::new();
    for r in affected.iter().chain(fixed.iter()) {
        releases.push(docs::DeviceRelease {
            version: r.version.clone(),
            purl: Some(format!(
                "pkg:generic/{}/{}@{}",
                slug(&device.product_line),
                slug(&dev_name),
                r.version
            )),
            cpe: None,
        });
    }

    Publication {
        document: DocumentInfo {
            id: format!("PM-{}-{}", slug(&dev_name).to_uppercase(), case.id),
            title: case
                .title
                .clone()
                .unwrap_or_else(|| format!("{} in {dev_name}", case.vulnerability)),
            publisher: Publisher {
                name: device.product_line.clone(),
                namespace: NAMESPACE.into(),
                contact_details: None,
            },
            status,
            revisions: revisions
                .into_iter()
                .map(|(d, s)| Revision {
                    date: rfc3339(d),
                    summary: s,
                })
                .collect(),
            summary: summary.clone(),
            description: None,
            tlp: None,
            references: Vec::new(),
            canonical_url: None,
            lang: Some("en".into()),
            generator: Generator {
                name: "Postmarket".into(),
                version: env!("CARGO_PKG_VERSION").into(),
            },
        },
        products: vec![docs::Device {
            vendor: device.product_line.clone(),
            name: dev_name.clone(),
            model_numbers: device.udi_di.iter().cloned().collect(),
            releases,
        }],
        vulnerabilities: vec![docs::Vulnerability {
            id: case.vulnerability.clone(),
            aliases,
            title: case.title.clone(),
            description: summary,
            cwe,
            discovery_date: Some(rfc3339(case.t0)),
            release_date: None,
            scores,
            statuses,
            remediations,
            exploit_status: None,
            involvements,
            references: Vec::new(),
            component: None,
        }],
    }
}

/// Lower-case, `-` between words: a purl name and document-id segment.
fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// The publication narrowed to one release.
fn only_release(mut p: Publication, version: &str) -> Publication {
    for d in &mut p.products {
        d.releases.retain(|r| r.version == version);
    }
    for v in &mut p.vulnerabilities {
        v.statuses.retain(|s| s.product.version == version);
        for s in &mut v.scores {
            s.products.retain(|r| r.version == version);
        }
        v.scores.retain(|s| !s.products.is_empty());
        for r in &mut v.remediations {
            r.products.retain(|r| r.version == version);
        }
        v.remediations.retain(|r| !r.products.is_empty());
    }
    p
}

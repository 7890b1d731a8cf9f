//! CVE JSON 5 records (CNA container plus ADP containers such as CISA's vulnrichment).

use crate::diag::{Diags, ParseOptions, Parsed, Result};
use crate::model::*;
use crate::util::{self, cwe, push_unique, record, LooseNum};
use serde::Deserialize;
use serde_json::value::RawValue;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Record {
    cve_metadata: Meta,
    #[serde(default)]
    containers: Containers,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Meta {
    cve_id: String,
    assigner_short_name: Option<String>,
    state: Option<String>,
    date_published: Option<String>,
    date_updated: Option<String>,
    date_rejected: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Containers {
    cna: Option<Container>,
    adp: Vec<Container>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Container {
    title: Option<String>,
    descriptions: Vec<Lang>,
    rejected_reasons: Vec<Lang>,
    affected: Vec<Aff>,
    metrics: Vec<Metric>,
    problem_types: Vec<ProblemType>,
    references: Vec<Ref>,
    provider_metadata: Option<Provider>,
    source: Option<SourceInfo>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SourceInfo {
    advisory: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Lang {
    lang: String,
    value: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Provider {
    short_name: Option<String>,
    date_updated: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Aff {
    vendor: Option<String>,
    product: Option<String>,
    package_name: Option<String>,
    #[serde(rename = "collectionURL")]
    collection_url: Option<String>,
    repo: Option<String>,
    cpes: Vec<String>,
    default_status: Option<String>,
    versions: Vec<Ver>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Ver {
    version: String,
    status: String,
    version_type: Option<String>,
    less_than: Option<String>,
    less_than_or_equal: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Metric {
    #[serde(rename = "cvssV4_0")]
    v40: Option<Cvss>,
    #[serde(rename = "cvssV3_1")]
    v31: Option<Cvss>,
    #[serde(rename = "cvssV3_0")]
    v30: Option<Cvss>,
    #[serde(rename = "cvssV2_0")]
    v20: Option<Cvss>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Cvss {
    version: Option<String>,
    vector_string: String,
    base_score: LooseNum,
    base_severity: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ProblemType {
    descriptions: Vec<PtDesc>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct PtDesc {
    cwe_id: Option<String>,
    description: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Ref {
    url: String,
    tags: Vec<String>,
}

fn english(ds: &[Lang]) -> Option<String> {
    ds.iter()
        .find(|d| d.lang.starts_with("en"))
        .or_else(|| ds.first())
        .map(|d| d.value.clone())
        .filter(|s| !s.is_empty())
}

fn convert(rec: Record, ptr: &str, diags: &mut Diags<'_>) -> Result<VulnRecord> {
    let m = rec.cve_metadata;
    let mut r = VulnRecord::new(Source::Cve5, m.cve_id.trim());
    r.withdrawn = m
        .state
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("REJECTED"));
    r.status = m.state.clone();
    r.published = util::ts(
        m.date_published.as_deref(),
        || format!("{ptr}/cveMetadata/datePublished"),
        diags,
    )?;
    let updated = m.date_updated.as_deref().or(m.date_rejected.as_deref());
    r.modified = util::ts(updated, || format!("{ptr}/cveMetadata/dateUpdated"), diags)?;
    let cna_name = m
        .assigner_short_name
        .clone()
        .unwrap_or_else(|| "cna".to_string());

    let mut containers: Vec<(bool, Container)> = Vec::new();
    if let Some(c) = rec.containers.cna {
        containers.push((true, c));
    }
    containers.extend(rec.containers.adp.into_iter().map(|c| (false, c)));
    for (is_cna, c) in containers {
        let who = c
            .provider_metadata
            .as_ref()
            .and_then(|p| p.short_name.clone())
            .unwrap_or_else(|| {
                if is_cna {
                    cna_name.clone()
                } else {
                    "adp".to_string()
                }
            });
        if is_cna {
            r.summary = c.title.clone();
            r.details = english(&c.descriptions).or_else(|| english(&c.rejected_reasons));
            if let Some(adv) = c.source.as_ref().and_then(|s| s.advisory.as_deref()) {
                push_unique(&mut r.related, adv);
            }
        }
        let _ = c
            .provider_metadata
            .as_ref()
            .and_then(|p| p.date_updated.as_ref());
        for met in c.metrics {
            for (cv, fallback) in [
                (met.v40, CvssVersion::V4_0),
                (met.v31, CvssVersion::V3_1),
                (met.v30, CvssVersion::V3_0),
                (met.v20, CvssVersion::V2),
            ] {
                let Some(cv) = cv else { continue };
                let version = if cv.version.is_some() {
                    CvssVersion::from_parts(cv.version.as_deref(), &cv.vector_string)
                } else {
                    fallback
                };
                r.scores.push(Score {
                    source: who.clone(),
                    feed: Source::Cve5,
                    kind: if is_cna {
                        ScoreKind::Primary
                    } else {
                        ScoreKind::Secondary
                    },
                    version,
                    vector: cv.vector_string,
                    base_score: cv.base_score.0,
                    severity: cv.base_severity,
                    products: Vec::new(),
                });
            }
        }
        for pt in &c.problem_types {
            for d in &pt.descriptions {
                if let Some(id) = d.cwe_id.as_deref().and_then(cwe) {
                    push_unique(&mut r.cwes, &id);
                } else if let Some(id) = d
                    .description
                    .as_deref()
                    .and_then(|s| s.split_whitespace().next())
                    .and_then(|s| cwe(s.trim_end_matches(':')))
                {
                    push_unique(&mut r.cwes, &id);
                }
            }
        }
        for a in c.affected {
            r.affected.push(Affected::Product(ProductAffected {
                container: if is_cna {
                    "cna".to_string()
                } else {
                    who.clone()
                },
                vendor: a.vendor,
                product: a.product,
                package_name: a.package_name,
                collection_url: a.collection_url,
                repo: a.repo,
                cpes: a.cpes,
                default_status: a.default_status,
                versions: a
                    .versions
                    .into_iter()
                    .map(|v| ProductVersion {
                        version: v.version,
                        status: v.status,
                        version_type: v.version_type,
                        less_than: v.less_than,
                        less_than_or_equal: v.less_than_or_equal,
                    })
                    .collect(),
            }));
        }
        for rf in c.references {
            if !r.references.iter().any(|x| x.url == rf.url) {
                r.references.push(Reference::new(rf.url, rf.tags));
            }
        }
    }
    Ok(r)
}

/// Parse one CVE JSON 5 record, or a JSON array of them.
pub fn parse(bytes: &[u8], opts: &ParseOptions) -> Result<Parsed<VulnRecord>> {
    let data = util::maybe_gunzip(bytes, opts)?;
    let (raws, many): (Vec<&RawValue>, bool) = if util::first_byte(&data) == Some(b'[') {
        (util::parse_top(&data, opts)?, true)
    } else {
        (vec![util::parse_top::<&RawValue>(&data, opts)?], false)
    };
    let mut diags = Diags::new(opts);
    let mut out = Parsed::default();
    for (i, raw) in raws.into_iter().enumerate() {
        let ptr = if many { format!("/{i}") } else { String::new() };
        if let Some(rec) = record::<Record>(raw, &ptr, &mut diags)? {
            if rec.cve_metadata.cve_id.trim().is_empty() {
                diags.ptr(
                    format!("{ptr}/cveMetadata/cveId"),
                    "empty CVE id; record skipped",
                )?;
                continue;
            }
            out.records.push(convert(rec, &ptr, &mut diags)?);
        }
    }
    out.diagnostics = diags.list;
    Ok(out)
}

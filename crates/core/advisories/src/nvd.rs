//! NVD CVE API 2.0 pages and NVD JSON 1.1 data feeds.

use crate::diag::{Diags, ParseOptions, Parsed, Result};
use crate::model::*;
use crate::util::{self, cwe, push_unique, record, LooseNum};
use serde::Deserialize;
use serde_json::value::RawValue;

/// NVD's own source identifier for its analyst scores.
pub const NVD_SOURCE: &str = "nvd@nist.gov";

// ---------------------------------------------------------------- API 2.0

/// Paging metadata of an API 2.0 response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageInfo {
    pub results_per_page: Option<u64>,
    pub start_index: Option<u64>,
    pub total_results: Option<u64>,
    pub format: Option<String>,
    pub version: Option<String>,
    pub timestamp: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct NvdPage {
    pub info: PageInfo,
    pub records: Vec<VulnRecord>,
    pub diagnostics: Vec<crate::Diagnostic>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RawPage<'a> {
    results_per_page: Option<u64>,
    start_index: Option<u64>,
    total_results: Option<u64>,
    format: Option<String>,
    version: Option<String>,
    timestamp: Option<String>,
    #[serde(borrow)]
    vulnerabilities: Option<Vec<&'a RawValue>>,
    /// A bare record file (`{"cve": {...}}`) is accepted too.
    #[serde(borrow)]
    cve: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct Wrapper {
    cve: Cve2,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct LangString {
    lang: String,
    value: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Cve2 {
    id: String,
    source_identifier: Option<String>,
    published: Option<String>,
    last_modified: Option<String>,
    vuln_status: Option<String>,
    #[serde(default)]
    descriptions: Vec<LangString>,
    #[serde(default)]
    metrics: Metrics2,
    #[serde(default)]
    weaknesses: Vec<Weakness2>,
    #[serde(default)]
    configurations: Vec<Config2>,
    #[serde(default)]
    references: Vec<Ref2>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Metrics2 {
    cvss_metric_v2: Vec<Metric2>,
    cvss_metric_v30: Vec<Metric2>,
    cvss_metric_v31: Vec<Metric2>,
    cvss_metric_v40: Vec<Metric2>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Metric2 {
    source: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    cvss_data: CvssData,
    /// v2 keeps severity outside cvssData.
    base_severity: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CvssData {
    version: Option<String>,
    #[serde(default)]
    vector_string: String,
    #[serde(default)]
    base_score: LooseNum,
    base_severity: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Weakness2 {
    #[serde(default)]
    description: Vec<LangString>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Config2 {
    operator: Option<String>,
    #[serde(default)]
    negate: bool,
    #[serde(default)]
    nodes: Vec<Node2>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Node2 {
    operator: Option<String>,
    #[serde(default)]
    negate: bool,
    #[serde(default)]
    cpe_match: Vec<Match2>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Match2 {
    #[serde(default)]
    vulnerable: bool,
    criteria: String,
    match_criteria_id: Option<String>,
    version_start_including: Option<String>,
    version_start_excluding: Option<String>,
    version_end_including: Option<String>,
    version_end_excluding: Option<String>,
}

#[derive(Deserialize)]
struct Ref2 {
    url: String,
    #[serde(default)]
    tags: Vec<String>,
}

pub(crate) fn operator(s: Option<&str>) -> Option<Operator> {
    match s.map(str::trim) {
        Some(o) if o.eq_ignore_ascii_case("AND") => Some(Operator::And),
        Some(o) if o.eq_ignore_ascii_case("OR") => Some(Operator::Or),
        _ => None,
    }
}

fn score_kind(s: Option<&str>) -> ScoreKind {
    match s {
        Some(k) if k.eq_ignore_ascii_case("Secondary") => ScoreKind::Secondary,
        _ => ScoreKind::Primary,
    }
}

fn english(ds: &[LangString]) -> Option<String> {
    ds.iter()
        .find(|d| d.lang.starts_with("en"))
        .or_else(|| ds.first())
        .map(|d| d.value.clone())
        .filter(|s| !s.is_empty())
}

fn convert2(c: Cve2, ptr: &str, diags: &mut Diags<'_>) -> Result<VulnRecord> {
    let mut r = VulnRecord::new(Source::Nvd, c.id.trim());
    r.details = english(&c.descriptions);
    r.published = util::ts(
        c.published.as_deref(),
        || format!("{ptr}/cve/published"),
        diags,
    )?;
    r.modified = util::ts(
        c.last_modified.as_deref(),
        || format!("{ptr}/cve/lastModified"),
        diags,
    )?;
    r.withdrawn = c
        .vuln_status
        .as_deref()
        .is_some_and(|s| s.eq_ignore_ascii_case("Rejected"))
        || r.details
            .as_deref()
            .is_some_and(|d| d.starts_with("** REJECT **"));
    r.status = c.vuln_status;
    let m = c.metrics;
    for (list, fallback) in [
        (m.cvss_metric_v40, CvssVersion::V4_0),
        (m.cvss_metric_v31, CvssVersion::V3_1),
        (m.cvss_metric_v30, CvssVersion::V3_0),
        (m.cvss_metric_v2, CvssVersion::V2),
    ] {
        for met in list {
            let d = met.cvss_data;
            let version = match d.version.as_deref() {
                Some(_) => CvssVersion::from_parts(d.version.as_deref(), &d.vector_string),
                None => CvssVersion::from_vector(&d.vector_string).unwrap_or(fallback.clone()),
            };
            r.scores.push(Score {
                source: met
                    .source
                    .or_else(|| c.source_identifier.clone())
                    .unwrap_or_else(|| NVD_SOURCE.to_string()),
                feed: Source::Nvd,
                kind: score_kind(met.kind.as_deref()),
                version,
                vector: d.vector_string,
                base_score: d.base_score.0,
                severity: d.base_severity.or(met.base_severity),
                products: Vec::new(),
            });
        }
    }
    for w in &c.weaknesses {
        for d in &w.description {
            if let Some(cw) = cwe(&d.value) {
                push_unique(&mut r.cwes, &cw);
            }
        }
    }
    for (i, cfg) in c.configurations.into_iter().enumerate() {
        let mut nodes = Vec::with_capacity(cfg.nodes.len());
        for (j, n) in cfg.nodes.into_iter().enumerate() {
            let op = match operator(n.operator.as_deref()) {
                Some(o) => o,
                None => {
                    if n.operator.is_some() {
                        diags.ptr(
                            format!("{ptr}/cve/configurations/{i}/nodes/{j}/operator"),
                            format!(
                                "unknown operator {:?}, read as OR",
                                n.operator.unwrap_or_default()
                            ),
                        )?;
                    }
                    Operator::Or
                }
            };
            nodes.push(CpeNode {
                operator: op,
                negate: n.negate,
                cpe_match: n
                    .cpe_match
                    .into_iter()
                    .map(|m| CpeMatch {
                        vulnerable: m.vulnerable,
                        criteria: m.criteria,
                        match_criteria_id: m.match_criteria_id,
                        version_start_including: m.version_start_including,
                        version_start_excluding: m.version_start_excluding,
                        version_end_including: m.version_end_including,
                        version_end_excluding: m.version_end_excluding,
                    })
                    .collect(),
                children: Vec::new(),
            });
        }
        r.affected.push(Affected::Cpe(CpeConfiguration {
            operator: operator(cfg.operator.as_deref()),
            negate: cfg.negate,
            nodes,
        }));
    }
    for rf in c.references {
        r.references.push(Reference::new(rf.url, rf.tags));
    }
    Ok(r)
}

/// Parse an NVD CVE API 2.0 response page (or a bare `{"cve": …}` record file).
pub fn parse_api2(bytes: &[u8], opts: &ParseOptions) -> Result<NvdPage> {
    let page: RawPage<'_> = util::parse_top(bytes, opts)?;
    let mut diags = Diags::new(opts);
    let mut out = NvdPage {
        info: PageInfo {
            results_per_page: page.results_per_page,
            start_index: page.start_index,
            total_results: page.total_results,
            format: page.format,
            version: page.version,
            timestamp: page.timestamp,
        },
        ..Default::default()
    };
    let (raws, base): (Vec<&RawValue>, &str) = match (page.vulnerabilities, page.cve) {
        (Some(v), _) => (v, "/vulnerabilities"),
        (None, Some(c)) => (vec![c], ""),
        (None, None) => {
            return Err(crate::Error::unreadable(
                opts,
                "not an NVD API 2.0 document: no `vulnerabilities` array",
            ))
        }
    };
    out.records.reserve(raws.len());
    for (i, raw) in raws.into_iter().enumerate() {
        let ptr = if base.is_empty() {
            String::new()
        } else {
            format!("{base}/{i}")
        };
        let rec = if base.is_empty() {
            // bare record: raw is the `cve` object itself
            record::<Cve2>(raw, "/cve", &mut diags)?
        } else {
            record::<Wrapper>(raw, &ptr, &mut diags)?.map(|w| w.cve)
        };
        if let Some(c) = rec {
            if c.id.trim().is_empty() {
                diags.ptr(format!("{ptr}/cve/id"), "empty CVE id; record skipped")?;
                continue;
            }
            out.records.push(convert2(c, &ptr, &mut diags)?);
        }
    }
    out.diagnostics = diags.list;
    Ok(out)
}

// ---------------------------------------------------------------- 1.1 feeds

#[derive(Debug, Clone, Default)]
pub struct NvdFeed {
    /// `CVE_data_numberOfCVEs` as declared by the feed.
    pub declared_count: Option<u64>,
    pub timestamp: Option<String>,
    pub records: Vec<VulnRecord>,
    pub diagnostics: Vec<crate::Diagnostic>,
}

#[derive(Deserialize)]
struct RawFeed<'a> {
    #[serde(rename = "CVE_data_numberOfCVEs", default)]
    count: LooseNum,
    #[serde(rename = "CVE_data_timestamp")]
    timestamp: Option<String>,
    #[serde(rename = "CVE_Items", borrow)]
    items: Option<Vec<&'a RawValue>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Item11 {
    cve: Cve11,
    #[serde(default)]
    configurations: Option<Configs11>,
    #[serde(default)]
    impact: Impact11,
    published_date: Option<String>,
    last_modified_date: Option<String>,
}

#[derive(Deserialize)]
struct Cve11 {
    #[serde(rename = "CVE_data_meta")]
    meta: Meta11,
    #[serde(default)]
    problemtype: Option<ProblemType11>,
    #[serde(default)]
    references: Option<Refs11>,
    #[serde(default)]
    description: Option<Desc11>,
}

#[derive(Deserialize)]
struct Meta11 {
    #[serde(rename = "ID")]
    id: String,
    #[serde(rename = "ASSIGNER")]
    assigner: Option<String>,
}

#[derive(Deserialize)]
struct ProblemType11 {
    #[serde(default)]
    problemtype_data: Vec<Desc11>,
}

#[derive(Deserialize)]
struct Desc11 {
    #[serde(default, alias = "description_data")]
    description: Vec<LangString>,
}

#[derive(Deserialize)]
struct Refs11 {
    #[serde(default)]
    reference_data: Vec<Ref11>,
}

#[derive(Deserialize)]
struct Ref11 {
    url: String,
    #[serde(default)]
    tags: Vec<String>,
}

#[derive(Deserialize)]
struct Configs11 {
    #[serde(default)]
    nodes: Vec<Node11>,
}

#[derive(Deserialize)]
struct Node11 {
    operator: Option<String>,
    #[serde(default)]
    negate: bool,
    #[serde(default)]
    children: Vec<Node11>,
    #[serde(default)]
    cpe_match: Vec<Match11>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Match11 {
    #[serde(default)]
    vulnerable: bool,
    cpe23_uri: String,
    version_start_including: Option<String>,
    version_start_excluding: Option<String>,
    version_end_including: Option<String>,
    version_end_excluding: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Impact11 {
    base_metric_v3: Option<BaseMetric11>,
    base_metric_v2: Option<BaseMetric11>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct BaseMetric11 {
    #[serde(alias = "cvssV2")]
    cvss_v3: CvssData,
    severity: Option<String>,
}

fn node11(n: Node11, ptr: &str, diags: &mut Diags<'_>) -> Result<CpeNode> {
    let op = match operator(n.operator.as_deref()) {
        Some(o) => o,
        None => {
            if n.operator.is_some() {
                diags.ptr(format!("{ptr}/operator"), "unknown operator, read as OR")?;
            }
            Operator::Or
        }
    };
    let mut children = Vec::with_capacity(n.children.len());
    for (i, c) in n.children.into_iter().enumerate() {
        children.push(node11(c, &format!("{ptr}/children/{i}"), diags)?);
    }
    Ok(CpeNode {
        operator: op,
        negate: n.negate,
        cpe_match: n
            .cpe_match
            .into_iter()
            .map(|m| CpeMatch {
                vulnerable: m.vulnerable,
                criteria: m.cpe23_uri,
                match_criteria_id: None,
                version_start_including: m.version_start_including,
                version_start_excluding: m.version_start_excluding,
                version_end_including: m.version_end_including,
                version_end_excluding: m.version_end_excluding,
            })
            .collect(),
        children,
    })
}

fn convert11(it: Item11, ptr: &str, diags: &mut Diags<'_>) -> Result<VulnRecord> {
    let mut r = VulnRecord::new(Source::Nvd11, it.cve.meta.id.trim());
    if let Some(d) = &it.cve.description {
        r.details = english(&d.description);
    }
    r.withdrawn = r
        .details
        .as_deref()
        .is_some_and(|d| d.starts_with("** REJECT **"));
    if r.withdrawn {
        r.status = Some("Rejected".into());
    }
    r.published = util::ts(
        it.published_date.as_deref(),
        || format!("{ptr}/publishedDate"),
        diags,
    )?;
    r.modified = util::ts(
        it.last_modified_date.as_deref(),
        || format!("{ptr}/lastModifiedDate"),
        diags,
    )?;
    if let Some(pt) = &it.cve.problemtype {
        for d in &pt.problemtype_data {
            for l in &d.description {
                if let Some(c) = cwe(&l.value) {
                    push_unique(&mut r.cwes, &c);
                }
            }
        }
    }
    let _ = &it.cve.meta.assigner;
    for (bm, fallback) in [
        (it.impact.base_metric_v3, CvssVersion::V3_0),
        (it.impact.base_metric_v2, CvssVersion::V2),
    ] {
        if let Some(bm) = bm {
            let d = bm.cvss_v3;
            let version = if d.version.is_some() {
                CvssVersion::from_parts(d.version.as_deref(), &d.vector_string)
            } else {
                CvssVersion::from_vector(&d.vector_string).unwrap_or(fallback)
            };
            r.scores.push(Score {
                source: NVD_SOURCE.to_string(),
                feed: Source::Nvd11,
                kind: ScoreKind::Primary,
                version,
                vector: d.vector_string,
                base_score: d.base_score.0,
                severity: d.base_severity.or(bm.severity),
                products: Vec::new(),
            });
        }
    }
    if let Some(cfg) = it.configurations {
        if !cfg.nodes.is_empty() {
            let mut nodes = Vec::with_capacity(cfg.nodes.len());
            for (i, n) in cfg.nodes.into_iter().enumerate() {
                nodes.push(node11(
                    n,
                    &format!("{ptr}/configurations/nodes/{i}"),
                    diags,
                )?);
            }
            r.affected.push(Affected::Cpe(CpeConfiguration {
                operator: None,
                negate: false,
                nodes,
            }));
        }
    }
    if let Some(refs) = it.cve.references {
        for rf in refs.reference_data {
            r.references.push(Reference::new(rf.url, rf.tags));
        }
    }
    Ok(r)
}

/// Parse an NVD JSON 1.1 feed, gzip-compressed or plain.
pub fn parse_feed11(bytes: &[u8], opts: &ParseOptions) -> Result<NvdFeed> {
    let data = util::maybe_gunzip(bytes, opts)?;
    let feed: RawFeed<'_> = util::parse_top(&data, opts)?;
    let items = feed.items.ok_or_else(|| {
        crate::Error::unreadable(opts, "not an NVD 1.1 feed: no `CVE_Items` array")
    })?;
    let mut diags = Diags::new(opts);
    let mut records = Vec::with_capacity(items.len());
    for (i, raw) in items.into_iter().enumerate() {
        let ptr = format!("/CVE_Items/{i}");
        if let Some(it) = record::<Item11>(raw, &ptr, &mut diags)? {
            if it.cve.meta.id.trim().is_empty() {
                diags.ptr(
                    format!("{ptr}/cve/CVE_data_meta/ID"),
                    "empty CVE id; record skipped",
                )?;
                continue;
            }
            records.push(convert11(it, &ptr, &mut diags)?);
        }
    }
    Ok(NvdFeed {
        declared_count: feed.count.0.map(|f| f as u64),
        timestamp: feed.timestamp,
        records,
        diagnostics: diags.list,
    })
}

impl From<NvdPage> for Parsed<VulnRecord> {
    fn from(p: NvdPage) -> Self {
        Parsed {
            records: p.records,
            diagnostics: p.diagnostics,
        }
    }
}

impl From<NvdFeed> for Parsed<VulnRecord> {
    fn from(p: NvdFeed) -> Self {
        Parsed {
            records: p.records,
            diagnostics: p.diagnostics,
        }
    }
}

//! Matching and findings (DESIGN.md §6, issue 5): the matcher's in-memory index built from the
//! store, matching one release (when its SBOM changes), the whole portfolio, or only what feed
//! changes touched; stateless scans; findings listed, explained and traced across the portfolio.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::{Duration, Instant};

use postmarket_advisories::merge::merge;
use postmarket_advisories::VulnRecord;
use postmarket_ident::PackageUrl;
use postmarket_matcher::{Finding, Index, IndexStats, MatchOptions, VexStatement, VexStatus};
use postmarket_model::{Actor, DeviceName, ReleaseVersion};
use postmarket_sbom::{Component, Sbom};
use postmarket_store::{
    FindingEvent, FindingFilter, FindingRow, MatchRun, MatchScope, NewFinding, NewMatchRun,
    NewVexStatement, VexStatementRow,
};
use serde::Serialize;

use crate::{component_key, App, AppError, SbomFile};

/// Heuristic matches below this confidence are possible matches (the matcher's default).
pub const DEFAULT_THRESHOLD: f64 = 0.7;

/// The matcher's index over the store's corpus, with where it stands.
pub struct LoadedIndex {
    pub index: Index,
    /// The highest `vuln_changes.id` reflected.
    pub checkpoint: i64,
    pub records: usize,
    /// Reading and decoding the records from the store.
    pub load: Duration,
    /// Building the index.
    pub build: Duration,
}

impl std::fmt::Debug for LoadedIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoadedIndex")
            .field("checkpoint", &self.checkpoint)
            .field("records", &self.records)
            .field("stats", self.index.stats())
            .finish_non_exhaustive()
    }
}

impl LoadedIndex {
    pub fn stats(&self) -> &IndexStats {
        self.index.stats()
    }
}

/// Progress of a portfolio match (releases done of total).
pub trait MatchProgress: Send + Sync {
    fn start(&self, _releases: u64) {}
    fn advance(&self, _release: &str) {}
    fn finish(&self) {}
}

/// No progress reporting.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoMatchProgress;
impl MatchProgress for NoMatchProgress {}

/// What a portfolio or incremental match did.
#[derive(Debug, Clone, Serialize)]
pub struct MatchSummary {
    pub run: MatchRun,
    pub index: IndexStats,
    /// Components evaluated (incremental: only those the changes touched).
    pub evaluated: usize,
    /// Feed changes covered (incremental).
    pub changes: usize,
    /// Time reading the corpus and building the index, and matching + storing, in ms.
    pub index_ms: u128,
    pub match_ms: u128,
    pub store_ms: u128,
}

/// The CVSS score shown for a vulnerability (rule: `postmarket_advisories::merge`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CvssShown {
    pub version: String,
    pub vector: String,
    pub base: Option<f64>,
}

/// Facts about a vulnerability that rank a finding.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct VulnFacts {
    /// `critical`, `high`, `medium`, `low`, `none`, or `unknown` without a score.
    pub severity: String,
    pub cvss: Option<CvssShown>,
    pub kev: bool,
    pub epss: Option<f64>,
    pub summary: Option<String>,
}

/// A component as `scan --json` shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScanComponent {
    pub name: String,
    pub version: Option<String>,
    pub purl: Option<String>,
    pub cpe: Option<String>,
}

/// One finding of `scan --json` (the shape issue 5 specifies).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScanFinding {
    pub component: ScanComponent,
    pub vulnerability: String,
    pub aliases: Vec<String>,
    pub source: String,
    pub affected: String,
    pub fixed: Option<String>,
    pub severity: String,
    pub cvss: Option<CvssShown>,
    pub kev: bool,
    pub epss: Option<f64>,
    #[serde(rename = "match")]
    pub kind: String,
    pub confidence: f64,
}

/// `scan`'s result: the JSON document, plus each finding's explanation for the text output.
#[derive(Debug, Clone, Serialize)]
pub struct ScanReport {
    pub components: usize,
    pub findings: Vec<ScanFinding>,
    pub possible_matches: Vec<ScanFinding>,
    /// Per finding (same order): the record, the identity reason and the comparison made.
    #[serde(skip)]
    pub explanations: Vec<String>,
    #[serde(skip)]
    pub possible_explanations: Vec<String>,
    #[serde(skip)]
    pub index_records: usize,
    #[serde(skip)]
    pub timings: ScanTimings,
}

/// Where a scan spent its time.
#[derive(Debug, Clone, Copy, Default)]
pub struct ScanTimings {
    pub load: Duration,
    pub build: Duration,
    pub matching: Duration,
    pub facts: Duration,
}

/// A finding with the facts that rank it.
#[derive(Debug, Clone, Serialize)]
pub struct FindingView {
    #[serde(flatten)]
    pub finding: FindingRow,
    pub severity: String,
    pub cvss: Option<CvssShown>,
    pub kev: bool,
    pub epss: Option<f64>,
}

/// `findings explain ID`: the finding, its history and the vulnerability's facts.
#[derive(Debug, Clone, Serialize)]
pub struct FindingExplained {
    #[serde(flatten)]
    pub view: FindingView,
    pub summary: Option<String>,
    pub events: Vec<FindingEvent>,
}

/// `where-used`: every device, release and component a package or vulnerability reaches.
#[derive(Debug, Clone, Serialize)]
pub struct WhereUsed {
    pub query: String,
    /// `purl` or `vulnerability`.
    pub kind: String,
    /// For a vulnerability: its display id.
    pub vulnerability: Option<String>,
    pub hits: Vec<WhereUsedHit>,
}

#[derive(Debug, Clone, Serialize)]
pub struct WhereUsedHit {
    pub device: String,
    pub release: String,
    pub install_base: i64,
    pub component: String,
    pub version: Option<String>,
    pub purl: Option<String>,
    /// Active findings of this component (for a vulnerability query: that one).
    pub findings: Vec<String>,
    /// VEX status when a statement applies (suppressed findings are listed, flagged).
    pub suppressed: Vec<String>,
}

fn ms(d: Duration) -> u128 {
    d.as_millis()
}

fn vex_status(s: &str) -> Option<VexStatus> {
    Some(match s {
        "not_affected" => VexStatus::NotAffected,
        "affected" => VexStatus::Affected,
        "fixed" => VexStatus::Fixed,
        "under_investigation" => VexStatus::UnderInvestigation,
        _ => return None,
    })
}

fn vex_status_str(s: VexStatus) -> &'static str {
    match s {
        VexStatus::NotAffected => "not_affected",
        VexStatus::Affected => "affected",
        VexStatus::Fixed => "fixed",
        VexStatus::UnderInvestigation => "under_investigation",
    }
}

/// Stored statements as the matcher takes them. A component written as a component key
/// (`purl:…`) is its purl; `name:…` keys cannot be matched by the matcher, which knows purls and
/// bom-refs, so they are resolved to the bom-refs of the SBOM's components with that key.
fn matcher_vex(rows: &[VexStatementRow], sbom: &Sbom) -> Vec<VexStatement> {
    let mut out = Vec::new();
    for r in rows {
        let Some(status) = vex_status(&r.status) else {
            continue;
        };
        let targets: Vec<String> = if let Some(p) = r.component.strip_prefix("purl:") {
            vec![p.to_string()]
        } else if r.component.starts_with("name:") {
            sbom.components
                .iter()
                .filter(|c| component_key(c) == r.component)
                .map(|c| c.bom_ref.clone())
                .collect()
        } else {
            vec![r.component.clone()]
        };
        for t in targets {
            out.push(VexStatement {
                vulnerability: r.vulnerability.clone(),
                component: t,
                status,
                justification: r.justification.clone(),
            });
        }
    }
    out
}

fn to_new_finding(release_id: i64, f: &Finding, possible: bool, c: &Component) -> NewFinding {
    NewFinding {
        release_id,
        component_key: component_key(c),
        bom_ref: f.component.bom_ref.clone(),
        component_name: f.component.name.clone(),
        component_version: f.component.version.clone(),
        component_purl: f.component.purl.clone(),
        component_cpe: f.component.cpe.clone(),
        vulnerability: f.vulnerability.clone(),
        aliases: f.aliases.clone(),
        possible,
        source: f.source.as_str().to_string(),
        record_id: f.record.clone(),
        also_matched: f.also_matched.clone(),
        match_kind: kind_str(f.kind).to_string(),
        confidence: f.confidence,
        reason: f.reason.clone(),
        affected: f.affected.clone(),
        fixed: f.fixed.clone(),
        explanation: serde_json::to_value(&f.explanation).unwrap_or_default(),
        vex_status: f.vex.as_ref().map(|v| vex_status_str(v.status).to_string()),
        vex_justification: f.vex.as_ref().and_then(|v| v.justification.clone()),
        suppressed: f.is_suppressed(),
    }
}

fn kind_str(k: postmarket_matcher::MatchKind) -> &'static str {
    match k {
        postmarket_matcher::MatchKind::Purl => "purl",
        postmarket_matcher::MatchKind::Cpe => "cpe",
        postmarket_matcher::MatchKind::Heuristic => "heuristic",
    }
}

/// Severity from a CVSS base score (CVSS v3.x / v4.0 qualitative scale, FIRST spec §5).
fn severity_of(base: Option<f64>, given: Option<&str>) -> String {
    if let Some(b) = base {
        return match b {
            b if b >= 9.0 => "critical",
            b if b >= 7.0 => "high",
            b if b >= 4.0 => "medium",
            b if b > 0.0 => "low",
            _ => "none",
        }
        .into();
    }
    given
        .map(|s| s.to_ascii_lowercase())
        .filter(|s| ["critical", "high", "medium", "moderate", "low", "none"].contains(&s.as_str()))
        .map(|s| if s == "moderate" { "medium".into() } else { s })
        .unwrap_or_else(|| "unknown".into())
}

/// Order of severities for `--fail-on`: unknown ranks below low (as grype does), so an unscored
/// finding does not fail a build by itself; it is still listed.
pub fn severity_rank(s: &str) -> u8 {
    match s {
        "critical" => 5,
        "high" => 4,
        "medium" => 3,
        "low" => 2,
        "none" => 1,
        _ => 0,
    }
}

fn explain_line(f: &Finding) -> String {
    let mut s = format!(
        "{} {} via {} record {} ({}, confidence {:.2}): {}; {}",
        f.component.name,
        f.component.version.as_deref().unwrap_or("-"),
        kind_str(f.kind),
        f.record,
        f.source.as_str(),
        f.confidence,
        f.reason,
        f.explanation
    );
    for n in &f.explanation.notes {
        s.push_str(&format!("; note: {n}"));
    }
    if let Some(v) = &f.vex {
        s.push_str(&format!(
            "; VEX {}{}{}",
            vex_status_str(v.status),
            v.justification
                .as_deref()
                .map(|j| format!(" ({j})"))
                .unwrap_or_default(),
            if v.suppressed { ", suppressed" } else { "" }
        ));
    }
    s
}

impl App {
    /// Builds the matcher's index from every stored source record.
    pub async fn load_match_index(&self) -> Result<LoadedIndex, AppError> {
        let checkpoint = self.store().vuln_change_head().await?;
        let t = Instant::now();
        let records = self.store().all_vuln_records().await?;
        let load = t.elapsed();
        let t = Instant::now();
        let index = Index::build(&records);
        Ok(LoadedIndex {
            index,
            checkpoint,
            records: records.len(),
            load,
            build: t.elapsed(),
        })
    }

    /// Facts per vulnerability display id (severity, shown CVSS, KEV, EPSS).
    pub async fn vuln_facts(
        &self,
        ids: impl IntoIterator<Item = &str>,
    ) -> Result<HashMap<String, VulnFacts>, AppError> {
        let mut out = HashMap::new();
        for id in ids {
            if out.contains_key(id) {
                continue;
            }
            let mut facts = VulnFacts {
                severity: "unknown".into(),
                ..VulnFacts::default()
            };
            if let Some(vid) = self.store().find_vulnerability(id).await? {
                let data = self.store().vulnerability(vid).await?;
                let records: Vec<VulnRecord> =
                    data.records.iter().map(|r| r.record.clone()).collect();
                let merged = merge(&records);
                if let Some(s) = merged.iter().find_map(|m| m.shown_score()) {
                    facts.cvss = Some(CvssShown {
                        version: s.score.version.as_str().to_string(),
                        vector: s.score.vector.clone(),
                        base: s.score.base_score,
                    });
                    facts.severity = severity_of(s.score.base_score, s.score.severity.as_deref());
                }
                facts.kev = !data.kev.is_empty();
                facts.epss = data.epss.first().map(|e| e.epss);
                facts.summary = data.vuln.summary.clone();
            }
            out.insert(id.to_string(), facts);
        }
        Ok(out)
    }

    /// Matches an SBOM against the corpus without storing anything (`postmarket scan`).
    pub async fn scan_sbom(&self, file: &SbomFile, threshold: f64) -> Result<ScanReport, AppError> {
        let idx = self.load_match_index().await?;
        self.scan_sbom_with(&idx, &file.parsed.sbom, threshold)
            .await
    }

    /// [`App::scan_sbom`] with an index already loaded.
    pub async fn scan_sbom_with(
        &self,
        idx: &LoadedIndex,
        sbom: &Sbom,
        threshold: f64,
    ) -> Result<ScanReport, AppError> {
        let t = Instant::now();
        let rep = idx.index.match_sbom_with(
            sbom,
            &MatchOptions {
                threshold,
                vex: Vec::new(),
            },
        );
        let matching = t.elapsed();
        let t = Instant::now();
        let facts = self
            .vuln_facts(
                rep.findings
                    .iter()
                    .chain(&rep.possible_matches)
                    .map(|f| f.vulnerability.as_str()),
            )
            .await?;
        let to_scan = |f: &Finding| {
            let fa = facts.get(&f.vulnerability).cloned().unwrap_or_default();
            ScanFinding {
                component: ScanComponent {
                    name: f.component.name.clone(),
                    version: f.component.version.clone(),
                    purl: f.component.purl.clone(),
                    cpe: f.component.cpe.clone(),
                },
                vulnerability: f.vulnerability.clone(),
                aliases: f.aliases.clone(),
                source: f.source.as_str().to_string(),
                affected: f.affected.clone(),
                fixed: f.fixed.clone(),
                severity: if fa.severity.is_empty() {
                    "unknown".into()
                } else {
                    fa.severity
                },
                cvss: fa.cvss,
                kev: fa.kev,
                epss: fa.epss,
                kind: kind_str(f.kind).to_string(),
                confidence: f.confidence,
            }
        };
        Ok(ScanReport {
            components: rep.components,
            findings: rep.findings.iter().map(to_scan).collect(),
            possible_matches: rep.possible_matches.iter().map(to_scan).collect(),
            explanations: rep.findings.iter().map(explain_line).collect(),
            possible_explanations: rep.possible_matches.iter().map(explain_line).collect(),
            index_records: idx.records,
            timings: ScanTimings {
                load: idx.load,
                build: idx.build,
                matching,
                facts: t.elapsed(),
            },
        })
    }

    /// Matches a release's latest SBOM revision and records the findings (one match run).
    /// `cause` is what made it run (a new SBOM revision, a request).
    pub async fn match_release(
        &self,
        actor: &Actor,
        release_id: i64,
        cause: &str,
        index: Option<&LoadedIndex>,
    ) -> Result<MatchRun, AppError> {
        let started = postmarket_store::now_rfc3339();
        let t = Instant::now();
        let owned;
        let idx = match index {
            Some(i) => i,
            None => {
                owned = self.load_match_index().await?;
                &owned
            }
        };
        let revisions = self.store().sbom_revisions(release_id).await?;
        let Some(rev) = revisions.last() else {
            return Err(AppError::NotFound(format!(
                "release id {release_id} has no SBOM to match"
            )));
        };
        let sbom = self.store().load_sbom(rev.id).await?;
        let vex = self.store().vex_statements(Some(release_id)).await?;
        let findings = match_one_release(idx, release_id, &sbom, &vex, None);
        let run = NewMatchRun {
            scope: "release",
            cause: cause.to_string(),
            release_id: Some(release_id),
            sbom_revision_id: Some(rev.id),
            change_checkpoint: idx.checkpoint,
            releases: 1,
            components: sbom.components.len() as i64,
            index_records: idx.records as i64,
            started_at: started,
            duration_ms: t.elapsed().as_millis() as i64,
            causes: HashMap::new(),
        };
        let scope = [MatchScope {
            release_id,
            components: None,
        }];
        let run = self
            .store()
            .record_match(actor, &run, &scope, &findings)
            .await?;
        self.open_cases_for_run(actor, &run).await?;
        Ok(run)
    }

    /// Called when a new SBOM revision is stored: its findings in the same workflow. Skipped when
    /// the store has no vulnerability records (nothing can match, and nothing was found before).
    pub(crate) async fn match_new_revision(
        &self,
        actor: &Actor,
        release_id: i64,
        revision: i64,
        device: &str,
        version: &str,
    ) -> Result<Option<MatchRun>, AppError> {
        if self.store().count("source_records").await? == 0 {
            return Ok(None);
        }
        let cause = format!("SBOM revision {revision} of {device} {version}");
        Ok(Some(
            self.match_release(actor, release_id, &cause, None).await?,
        ))
    }

    /// Matches every release's latest SBOM against the whole corpus (`postmarket match`).
    pub async fn match_portfolio(
        &self,
        actor: &Actor,
        progress: &dyn MatchProgress,
    ) -> Result<MatchSummary, AppError> {
        let started = postmarket_store::now_rfc3339();
        let t0 = Instant::now();
        let idx = self.load_match_index().await?;
        let index_ms = ms(t0.elapsed());
        let t1 = Instant::now();
        let latest = self.store().latest_sbom_revisions().await?;
        let names = self.release_names().await?;
        progress.start(latest.len() as u64);
        let mut findings = Vec::new();
        let mut scopes = Vec::new();
        let mut components = 0usize;
        for (release_id, rev) in &latest {
            let sbom = self.store().load_sbom(*rev).await?;
            let vex = self.store().vex_statements(Some(*release_id)).await?;
            components += sbom.components.len();
            findings.extend(match_one_release(&idx, *release_id, &sbom, &vex, None));
            scopes.push(MatchScope {
                release_id: *release_id,
                components: None,
            });
            progress.advance(names.get(release_id).map_or("", String::as_str));
        }
        let match_ms = ms(t1.elapsed());
        let t2 = Instant::now();
        let run = NewMatchRun {
            scope: "portfolio",
            cause: "whole portfolio re-matched".into(),
            release_id: None,
            sbom_revision_id: None,
            change_checkpoint: idx.checkpoint,
            releases: latest.len() as i64,
            components: components as i64,
            index_records: idx.records as i64,
            started_at: started,
            duration_ms: t0.elapsed().as_millis() as i64,
            causes: HashMap::new(),
        };
        let run = self
            .store()
            .record_match(actor, &run, &scopes, &findings)
            .await?;
        self.open_cases_for_run(actor, &run).await?;
        progress.finish();
        Ok(MatchSummary {
            run,
            index: idx.stats().clone(),
            evaluated: components,
            changes: 0,
            index_ms,
            match_ms,
            store_ms: ms(t2.elapsed()),
        })
    }

    /// Re-matches only the components that the feed changes since the last portfolio or
    /// incremental run can affect (`postmarket match --incremental`): components whose package
    /// keys, CPE `vendor:product` or heuristic product names the changed records touch, and
    /// components holding findings of a changed vulnerability (so a record that stopped naming a
    /// package makes its findings vanish). Without an earlier run it matches the whole portfolio.
    pub async fn match_incremental(
        &self,
        actor: &Actor,
        progress: &dyn MatchProgress,
    ) -> Result<MatchSummary, AppError> {
        let Some(checkpoint) = self.store().match_checkpoint().await? else {
            return self.match_portfolio(actor, progress).await;
        };
        let started = postmarket_store::now_rfc3339();
        let t0 = Instant::now();
        let idx = self.load_match_index().await?;
        let index_ms = ms(t0.elapsed());
        let t1 = Instant::now();
        let changes = self
            .store()
            .vuln_changes_between(checkpoint, idx.checkpoint)
            .await?;
        let vuln_ids: Vec<i64> = changes.iter().map(|c| c.0).collect();
        let records = self.store().vuln_records_of(&vuln_ids).await?;
        let touched = Index::keys_touched(&records);
        // Every id of the changed vulnerabilities: findings are keyed by display id, which an
        // alias merge may have changed.
        let mut cause_by_id: HashMap<String, String> = HashMap::new();
        for (_, primary, cause) in &changes {
            cause_by_id.insert(primary.clone(), cause.clone());
        }
        for r in &records {
            let primary = r
                .all_ids()
                .into_iter()
                .find(|i| cause_by_id.contains_key(*i));
            let cause = primary
                .and_then(|p| cause_by_id.get(p).cloned())
                .unwrap_or_else(|| format!("feed change: {} record {}", r.source.as_str(), r.id));
            for id in r.all_ids() {
                cause_by_id
                    .entry(id.to_string())
                    .or_insert_with(|| cause.clone());
            }
        }
        let ids: Vec<String> = cause_by_id.keys().cloned().collect();
        let mut holding: HashMap<i64, HashSet<String>> = HashMap::new();
        for (rel, key) in self.store().finding_components_of(&ids).await? {
            holding.entry(rel).or_default().insert(key);
        }
        let latest = self.store().latest_sbom_revisions().await?;
        let names = self.release_names().await?;
        progress.start(latest.len() as u64);
        let mut findings = Vec::new();
        let mut scopes = Vec::new();
        let mut evaluated = 0usize;
        let mut components = 0usize;
        if !changes.is_empty() {
            for (release_id, rev) in &latest {
                let sbom = self.store().load_sbom(*rev).await?;
                components += sbom.components.len();
                let held = holding.get(release_id);
                let selected: BTreeSet<String> = sbom
                    .components
                    .iter()
                    .filter(|c| {
                        held.is_some_and(|h| h.contains(&component_key(c)))
                            || Index::component_keys(c).intersects(&touched)
                    })
                    .map(component_key)
                    .collect();
                progress.advance(names.get(release_id).map_or("", String::as_str));
                if selected.is_empty() {
                    continue;
                }
                evaluated += selected.len();
                let vex = self.store().vex_statements(Some(*release_id)).await?;
                findings.extend(match_one_release(
                    &idx,
                    *release_id,
                    &sbom,
                    &vex,
                    Some(&selected),
                ));
                scopes.push(MatchScope {
                    release_id: *release_id,
                    components: Some(selected),
                });
            }
        }
        let match_ms = ms(t1.elapsed());
        let t2 = Instant::now();
        let run = NewMatchRun {
            scope: "incremental",
            cause: if changes.is_empty() {
                "no feed changes since the last match".into()
            } else {
                format!(
                    "{} changed vulnerabilities (feed changes {}..{})",
                    changes.len(),
                    checkpoint + 1,
                    idx.checkpoint
                )
            },
            release_id: None,
            sbom_revision_id: None,
            change_checkpoint: idx.checkpoint,
            releases: scopes.len() as i64,
            components: evaluated as i64,
            index_records: idx.records as i64,
            started_at: started,
            duration_ms: t0.elapsed().as_millis() as i64,
            causes: cause_by_id,
        };
        let run = self
            .store()
            .record_match(actor, &run, &scopes, &findings)
            .await?;
        self.open_cases_for_run(actor, &run).await?;
        progress.finish();
        let _ = components;
        Ok(MatchSummary {
            run,
            index: idx.stats().clone(),
            evaluated,
            changes: changes.len(),
            index_ms,
            match_ms,
            store_ms: ms(t2.elapsed()),
        })
    }

    async fn release_names(&self) -> Result<HashMap<i64, String>, AppError> {
        Ok(self
            .store()
            .releases(None)
            .await?
            .into_iter()
            .map(|r| (r.id, format!("{} {}", r.device, r.version)))
            .collect())
    }

    /// Findings with their severity, KEV and EPSS.
    pub async fn findings(&self, filter: &FindingFilter) -> Result<Vec<FindingView>, AppError> {
        if let Some(d) = &filter.device {
            let name: DeviceName = d.parse()?;
            self.store().device(&name).await?;
        }
        if let (Some(d), Some(r)) = (&filter.device, &filter.release) {
            let name: DeviceName = d.parse()?;
            let version: ReleaseVersion = r.parse()?;
            self.store().release(&name, &version).await?;
        }
        let rows = self.store().findings(filter).await?;
        let facts = self
            .vuln_facts(rows.iter().map(|r| r.vulnerability.as_str()))
            .await?;
        Ok(rows
            .into_iter()
            .map(|finding| {
                let f = facts
                    .get(&finding.vulnerability)
                    .cloned()
                    .unwrap_or_default();
                FindingView {
                    finding,
                    severity: if f.severity.is_empty() {
                        "unknown".into()
                    } else {
                        f.severity
                    },
                    cvss: f.cvss,
                    kev: f.kev,
                    epss: f.epss,
                }
            })
            .collect())
    }

    /// One finding with its evidence, history and the vulnerability's facts.
    pub async fn explain_finding(&self, id: i64) -> Result<FindingExplained, AppError> {
        let finding = self.store().finding(id).await?;
        let events = self.store().finding_events(id).await?;
        let mut facts = self.vuln_facts([finding.vulnerability.as_str()]).await?;
        let f = facts.remove(&finding.vulnerability).unwrap_or_default();
        Ok(FindingExplained {
            view: FindingView {
                finding,
                severity: f.severity,
                cvss: f.cvss,
                kev: f.kev,
                epss: f.epss,
            },
            summary: f.summary,
            events,
        })
    }

    /// Every device, release and component a package (purl, version optional) or a vulnerability
    /// (any alias) reaches: FDA's horizontal impact assessment (postmarket guidance §VI).
    pub async fn where_used(&self, query: &str) -> Result<WhereUsed, AppError> {
        let q = query.trim();
        let releases: HashMap<i64, postmarket_model::Release> = self
            .store()
            .releases(None)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        let all = FindingFilter {
            include_possible: false,
            include_inactive: false,
            ..FindingFilter::default()
        };
        if q.starts_with("pkg:") {
            let want = PackageUrl::parse(q).map_err(|e| {
                AppError::BadInput(format!(
                    "{q:?} is not a valid purl: {e}; expected pkg:TYPE/NAMESPACE/NAME[@VERSION]"
                ))
            })?;
            let base = want.without_version().to_string();
            let findings = self.store().findings(&all).await?;
            let mut hits = Vec::new();
            for (release_id, rev) in self.store().latest_sbom_revisions().await? {
                let Some(rel) = releases.get(&release_id) else {
                    continue;
                };
                let sbom = self.store().load_sbom(rev).await?;
                for c in &sbom.components {
                    let Some(cp) = c.purl.as_deref().and_then(|p| PackageUrl::parse(p).ok()) else {
                        continue;
                    };
                    if cp.without_version().to_string() != base {
                        continue;
                    }
                    if let Some(v) = want.version() {
                        if cp.version().or(c.version.as_deref()) != Some(v) {
                            continue;
                        }
                    }
                    let key = component_key(c);
                    let mine: Vec<&FindingRow> = findings
                        .iter()
                        .filter(|f| f.release_id == release_id && f.component_key == key)
                        .collect();
                    hits.push(WhereUsedHit {
                        device: rel.device.to_string(),
                        release: rel.version.to_string(),
                        install_base: rel.install_base,
                        component: c.name.clone(),
                        version: c.version.clone(),
                        purl: c.purl.clone(),
                        findings: mine
                            .iter()
                            .filter(|f| !f.suppressed)
                            .map(|f| f.vulnerability.clone())
                            .collect(),
                        suppressed: mine
                            .iter()
                            .filter(|f| f.suppressed)
                            .map(|f| {
                                format!(
                                    "{} (VEX {})",
                                    f.vulnerability,
                                    f.vex_status.as_deref().unwrap_or("-")
                                )
                            })
                            .collect(),
                    });
                }
            }
            return Ok(WhereUsed {
                query: q.to_string(),
                kind: "purl".into(),
                vulnerability: None,
                hits,
            });
        }
        // A vulnerability by any alias: its display id is the store's primary id.
        let display = match self.store().find_vulnerability(q).await? {
            Some(vid) => self.store().vulnerability(vid).await?.vuln.primary_id,
            None => {
                return Err(AppError::NotFound(format!(
                    "{q:?} is neither a purl (pkg:…) nor a known vulnerability id (CVE, GHSA, OSV id…); \
                     postmarket feeds import adds vulnerability records"
                )))
            }
        };
        let rows = self
            .store()
            .findings(&FindingFilter {
                vulnerability: Some(display.clone()),
                ..all
            })
            .await?;
        let hits = rows
            .iter()
            .map(|f| WhereUsedHit {
                device: f.device.clone(),
                release: f.release.clone(),
                install_base: releases.get(&f.release_id).map_or(0, |r| r.install_base),
                component: f.component_name.clone(),
                version: f.component_version.clone(),
                purl: f.component_purl.clone(),
                findings: if f.suppressed {
                    vec![]
                } else {
                    vec![f.vulnerability.clone()]
                },
                suppressed: if f.suppressed {
                    vec![format!(
                        "{} (VEX {})",
                        f.vulnerability,
                        f.vex_status.as_deref().unwrap_or("-")
                    )]
                } else {
                    vec![]
                },
            })
            .collect();
        Ok(WhereUsed {
            query: q.to_string(),
            kind: "vulnerability".into(),
            vulnerability: Some(display),
            hits,
        })
    }

    /// Records a component-level VEX statement for a release (the VEX document readers and
    /// `vex import` call this) and re-matches the release, so the finding shows it at once.
    pub async fn record_vex(
        &self,
        actor: &Actor,
        device: &DeviceName,
        version: &ReleaseVersion,
        statement: VexInput,
        reason: Option<&str>,
    ) -> Result<VexStatementRow, AppError> {
        let release = self.store().release(device, version).await?;
        let row = self
            .store()
            .record_vex_statement(
                actor,
                &NewVexStatement {
                    release_id: release.id,
                    component: statement.component,
                    vulnerability: statement.vulnerability,
                    status: statement.status,
                    justification: statement.justification,
                    detail: statement.detail,
                    source_document: statement.source_document,
                    statement_time: statement.statement_time,
                },
                reason,
            )
            .await?;
        if !self.store().sbom_revisions(release.id).await?.is_empty()
            && self.store().count("source_records").await? > 0
        {
            self.match_release(
                actor,
                release.id,
                &format!(
                    "VEX statement {} on {} for {}",
                    row.status, row.component, row.vulnerability
                ),
                None,
            )
            .await?;
        }
        Ok(row)
    }
}

/// A VEX statement as a reader produces it (see [`App::record_vex`]).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct VexInput {
    /// A purl (without version: every version), a bom-ref or a component key.
    pub component: String,
    pub vulnerability: String,
    /// `not_affected`, `affected`, `fixed` or `under_investigation`.
    pub status: String,
    pub justification: Option<String>,
    pub detail: Option<String>,
    pub source_document: Option<String>,
    pub statement_time: Option<String>,
}

/// Matches one release's SBOM (all components, or the `selected` component keys) into rows.
fn match_one_release(
    idx: &LoadedIndex,
    release_id: i64,
    sbom: &Sbom,
    vex: &[VexStatementRow],
    selected: Option<&BTreeSet<String>>,
) -> Vec<NewFinding> {
    let opts = MatchOptions {
        threshold: DEFAULT_THRESHOLD,
        vex: matcher_vex(vex, sbom),
    };
    let rep = match selected {
        None => idx.index.match_sbom_with(sbom, &opts),
        Some(keys) => idx
            .index
            .match_sbom_selected(sbom, &opts, |c| keys.contains(&component_key(c))),
    };
    let mut out = Vec::with_capacity(rep.findings.len() + rep.possible_matches.len());
    for (list, possible) in [(&rep.findings, false), (&rep.possible_matches, true)] {
        for f in list {
            let Some(c) = sbom.components.get(f.component.position) else {
                continue;
            };
            out.push(to_new_finding(release_id, f, possible, c));
        }
    }
    out
}

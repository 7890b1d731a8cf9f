//! Merging records from several sources into one vulnerability per real-world issue.
//!
//! # Grouping
//! Records are grouped with union-find over their `id` and `aliases` (CVE, GHSA, PYSEC,
//! RUSTSEC, GO, …). `related` ids (CSAF tracking ids, OSV `related`/`upstream`) are **not**
//! merge keys: one ICSMA advisory covers several CVEs, and joining on it would fuse distinct
//! issues. CVE ids are compared case-insensitively.
//!
//! # Scores
//! Every score of every record is kept, with the record it came from ([`SourcedScore`]).
//! Exactly one is *shown* ([`MergedVuln::shown`]), chosen by [`ScorePolicy`]. The default:
//!
//! 1. Scores of withdrawn/rejected records are considered only if no other record has one.
//! 2. Provider tier, best first: **NVD Primary** → **CNA** (the CVE 5 CNA container, or a CNA's
//!    Secondary score inside NVD) → **CISA ADP** (vulnrichment) → **CSAF advisory** publisher →
//!    **OSV** database → anything else.
//!    *Why:* NVD's analysts apply one methodology to every CVE, so the shown score is comparable
//!    across a device's whole SBOM and matches what regulators, scanners and customers look up.
//!    When NVD has not analysed a CVE (its backlog since 2024 is large), the CNA — usually the
//!    vendor who knows the product — is the next best authority; CISA's ADP fills the remaining gaps.
//!    CSAF advisory scores are per-advisory and per-product (and in ICS advisories CISA is often
//!    re-publishing the vendor's assessment); OSV severities are bare vectors without a score.
//! 3. CVSS version: 3.1 → 3.0 → 4.0 → 2.0 → other. v3.x is what nearly every source publishes,
//!    so preferring it keeps the shown scores comparable; 4.0 is used when there is no 3.x.
//! 4. A score with a base score beats one with only a vector; then the more recently modified
//!    record; then input order (stable and deterministic).
//!
//! The other scores stay visible: a UI should list them all and flag disagreements
//! ([`MergedVuln::disagreements`]), e.g. the 63 ICSMA CVEs where CISA's and NVD's vectors differ.

use crate::model::{CvssVersion, Score, ScoreKind, Source, VulnRecord};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use time::OffsetDateTime;

/// CISA ADP's organisation id, as NVD writes it in `metrics[].source`.
pub const CISA_ADP_ORG_ID: &str = "134c704f-9b21-4f2e-91b3-4a467353bcc0";

/// Who stands behind a score, coarsely.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tier {
    NvdPrimary,
    Cna,
    CisaAdp,
    CsafAdvisory,
    Osv,
    Other,
}

/// Classify a score by provider.
pub fn tier(s: &Score) -> Tier {
    let is_cisa_adp = s.source == CISA_ADP_ORG_ID || s.source.eq_ignore_ascii_case("CISA-ADP");
    match s.feed {
        Source::Nvd | Source::Nvd11 => {
            if is_cisa_adp {
                Tier::CisaAdp
            } else if s.kind == ScoreKind::Primary
                && (s.source == crate::nvd::NVD_SOURCE || s.feed == Source::Nvd11)
            {
                Tier::NvdPrimary
            } else {
                Tier::Cna
            }
        }
        Source::Cve5 => {
            if s.kind == ScoreKind::Primary {
                Tier::Cna
            } else if is_cisa_adp || s.source.to_ascii_uppercase().contains("CISA") {
                Tier::CisaAdp
            } else {
                Tier::Other
            }
        }
        Source::Csaf => Tier::CsafAdvisory,
        Source::Osv => Tier::Osv,
        Source::Kev | Source::Epss => Tier::Other,
    }
}

/// The order in which score providers and CVSS versions are preferred for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScorePolicy {
    pub tiers: Vec<Tier>,
    pub versions: Vec<CvssVersion>,
}

impl Default for ScorePolicy {
    fn default() -> Self {
        ScorePolicy {
            tiers: vec![
                Tier::NvdPrimary,
                Tier::Cna,
                Tier::CisaAdp,
                Tier::CsafAdvisory,
                Tier::Osv,
                Tier::Other,
            ],
            versions: vec![
                CvssVersion::V3_1,
                CvssVersion::V3_0,
                CvssVersion::V4_0,
                CvssVersion::V2,
            ],
        }
    }
}

/// A score plus the record it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SourcedScore {
    pub score: Score,
    pub tier: Tier,
    pub record_source: Source,
    pub record_id: String,
    /// For CSAF: the advisory's tracking id.
    pub document: Option<String>,
    pub record_withdrawn: bool,
    #[serde(with = "time::serde::rfc3339::option")]
    pub record_modified: Option<OffsetDateTime>,
}

/// One real-world issue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MergedVuln {
    /// Display id: the smallest CVE id in the group, else the smallest id.
    pub key: String,
    /// Every id and alias, sorted.
    pub ids: Vec<String>,
    pub related: Vec<String>,
    /// Indices into the input slice.
    pub records: Vec<usize>,
    /// True when every record in the group is withdrawn/rejected.
    pub withdrawn: bool,
    pub scores: Vec<SourcedScore>,
    /// Index into `scores` of the score to show, per [`ScorePolicy`].
    pub shown: Option<usize>,
}

impl MergedVuln {
    pub fn shown_score(&self) -> Option<&SourcedScore> {
        self.shown.and_then(|i| self.scores.get(i))
    }

    /// Pairs of scores (indices) of the same CVSS major version from different tiers whose base
    /// metrics differ ([`same_metrics`]).
    pub fn disagreements(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for i in 0..self.scores.len() {
            for j in i + 1..self.scores.len() {
                let (a, b) = (&self.scores[i], &self.scores[j]);
                if a.tier != b.tier
                    && major(&a.score.version) == major(&b.score.version)
                    && !a.score.vector.is_empty()
                    && !b.score.vector.is_empty()
                    && !same_metrics(&a.score.vector, &b.score.vector)
                {
                    out.push((i, j));
                }
            }
        }
        out
    }
}

fn major(v: &CvssVersion) -> u8 {
    match v {
        CvssVersion::V2 => 2,
        CvssVersion::V3_0 | CvssVersion::V3_1 => 3,
        CvssVersion::V4_0 => 4,
        CvssVersion::Other(_) => 0,
    }
}

/// The metric/value pairs of a vector, without the `CVSS:x.y` prefix.
pub fn vector_metrics(vector: &str) -> BTreeMap<&str, &str> {
    vector
        .trim()
        .split('/')
        .filter(|p| !p.starts_with("CVSS:") && !p.is_empty())
        .filter_map(|p| p.split_once(':'))
        .collect()
}

/// Whether two vectors state the same metrics, ignoring the `CVSS:3.0`/`CVSS:3.1` label and order.
pub fn same_metrics(a: &str, b: &str) -> bool {
    vector_metrics(a) == vector_metrics(b)
}

fn norm_id(s: &str) -> String {
    let t = s.trim();
    if crate::util::is_cve_id(t) {
        t.to_ascii_uppercase()
    } else {
        t.to_string()
    }
}

struct Dsu {
    parent: Vec<usize>,
}

impl Dsu {
    fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }
    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            let (lo, hi) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[hi] = lo;
        }
    }
}

/// Merge with the default [`ScorePolicy`].
pub fn merge(records: &[VulnRecord]) -> Vec<MergedVuln> {
    merge_with(records, &ScorePolicy::default())
}

/// Group records by shared ids and pick the shown score with `policy`.
/// Groups come out sorted by `key`.
pub fn merge_with(records: &[VulnRecord], policy: &ScorePolicy) -> Vec<MergedVuln> {
    let mut dsu = Dsu {
        parent: (0..records.len()).collect(),
    };
    let mut owner: HashMap<String, usize> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        for id in r.all_ids() {
            let k = norm_id(id);
            if k.is_empty() {
                continue;
            }
            match owner.get(&k) {
                Some(&j) => dsu.union(i, j),
                None => {
                    owner.insert(k, i);
                }
            }
        }
    }
    let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in 0..records.len() {
        let root = dsu.find(i);
        groups.entry(root).or_default().push(i);
    }
    let mut out: Vec<MergedVuln> = groups
        .into_values()
        .map(|members| build(records, members, policy))
        .collect();
    out.sort_by(|a, b| a.key.cmp(&b.key));
    out
}

fn build(records: &[VulnRecord], members: Vec<usize>, policy: &ScorePolicy) -> MergedVuln {
    let mut ids: Vec<String> = Vec::new();
    let mut related: Vec<String> = Vec::new();
    let mut scores = Vec::new();
    for &i in &members {
        let r = &records[i];
        for id in r.all_ids() {
            let k = norm_id(id);
            if !ids.contains(&k) {
                ids.push(k);
            }
        }
        for x in &r.related {
            if !related.contains(x) {
                related.push(x.clone());
            }
        }
        for s in &r.scores {
            scores.push(SourcedScore {
                tier: tier(s),
                score: s.clone(),
                record_source: r.source,
                record_id: r.id.clone(),
                document: if r.source == Source::Csaf {
                    r.related.first().cloned()
                } else {
                    None
                },
                record_withdrawn: r.withdrawn,
                record_modified: r.modified,
            });
        }
    }
    ids.sort();
    let key = ids
        .iter()
        .filter(|i| crate::util::is_cve_id(i))
        .min_by(|a, b| cve_order(a).cmp(&cve_order(b)))
        .or_else(|| ids.first())
        .cloned()
        .unwrap_or_default();
    let withdrawn = members.iter().all(|&i| records[i].withdrawn);
    let shown = pick(&scores, policy);
    MergedVuln {
        key,
        ids,
        related,
        records: members,
        withdrawn,
        scores,
        shown,
    }
}

fn cve_order(id: &str) -> (u32, u64) {
    let mut p = id.split('-').skip(1);
    let y = p.next().and_then(|s| s.parse().ok()).unwrap_or(u32::MAX);
    let n = p.next().and_then(|s| s.parse().ok()).unwrap_or(u64::MAX);
    (y, n)
}

fn pick(scores: &[SourcedScore], policy: &ScorePolicy) -> Option<usize> {
    let live = scores
        .iter()
        .any(|s| !s.record_withdrawn && !s.score.vector.is_empty());
    let rank = |v: &[Tier], t: Tier| v.iter().position(|x| *x == t).unwrap_or(v.len());
    let vrank = |v: &CvssVersion| {
        policy
            .versions
            .iter()
            .position(|x| x == v)
            .unwrap_or(policy.versions.len())
    };
    scores
        .iter()
        .enumerate()
        .filter(|(_, s)| !s.score.vector.is_empty() || s.score.base_score.is_some())
        .filter(|(_, s)| !live || !s.record_withdrawn)
        .min_by(|(ia, a), (ib, b)| {
            rank(&policy.tiers, a.tier)
                .cmp(&rank(&policy.tiers, b.tier))
                .then(vrank(&a.score.version).cmp(&vrank(&b.score.version)))
                .then(
                    b.score
                        .base_score
                        .is_some()
                        .cmp(&a.score.base_score.is_some()),
                )
                .then(b.record_modified.cmp(&a.record_modified))
                .then(ia.cmp(ib))
        })
        .map(|(i, _)| i)
}

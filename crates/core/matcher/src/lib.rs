//! # postmarket-matcher
//!
//! Pure, in-memory vulnerability matching (DESIGN.md §6): SBOM components against advisories
//! parsed by `postmarket-advisories`, with per-ecosystem version semantics from
//! `postmarket-version`. No I/O, no database: the store builds an [`Index`] from its corpus and
//! keeps it in memory.
//!
//! Identity, in order of precedence:
//! 1. **purl** — `type/namespace/name`, normalised by the purl spec, against OSV `affected[]`
//!    entries (ranges and explicit version lists, evaluated in the ecosystem's own ordering);
//!    `deb`/`rpm`/`apk` records keep their distro release and a component's `distro` qualifier
//!    must agree with it ([`key`] module docs).
//! 2. **CPE 2.3** — the component's `vendor:product` against NVD configurations, with AND/OR
//!    nodes, `negate` and `vulnerable: false` platforms ([`cpe`] module docs say what a single
//!    component can satisfy).
//! 3. **heuristic** — for components with neither, or with `pkg:generic`/`pkg:github` purls and no
//!    CPE: name (+ supplier, + GitHub owner) → candidate `vendor:product` with a confidence and a
//!    reason; below [`MatchOptions::threshold`] it is a *possible match*, not a finding.
//!
//! Aliases collapse: records are grouped by union-find over `id` + `aliases` (the rule of
//! `postmarket_advisories::merge`: `related` ids are not merge keys), and a component gets one
//! [`Finding`] per group — the strongest match (purl > cpe > heuristic, then confidence), naming
//! the other records of the group that matched too. Withdrawn and rejected records are not indexed
//! at all, so they never match (and do not bridge alias groups).
//!
//! VEX: a component-level `not_affected` (or `fixed`) [`VexStatement`] suppresses a finding but
//! keeps it in the report, flagged, with its justification (DESIGN.md §6 "never silently").
//!
//! Incremental re-match: [`Index::keys_touched`] gives the package keys, CPE `vendor:product`
//! pairs and heuristic product names a batch of changed records can affect;
//! [`Index::component_keys`] gives a component's; re-evaluate only components whose keys
//! intersect ([`Keys::intersects`]).

mod cpe;
pub mod heuristic;
mod key;

use cpe::{evaluate, vendor_product, Config, Ident};
use postmarket_advisories::{Affected, PackageAffected, RangeEvent, RangeKind, Source, VulnRecord};
use postmarket_ident::PackageUrl;
use postmarket_sbom::{Component, Sbom};
use postmarket_version::osv::{
    AffectedMatcher, Event, OsvAffected, OsvPackage, OsvRange, RangeType,
};
use postmarket_version::{Explanation, Scheme, Version};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};

/// How a component was tied to the vulnerable product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchKind {
    Purl,
    Cpe,
    Heuristic,
}

/// The component a finding is about (enough to find it again and show it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentRef {
    pub bom_ref: String,
    pub name: String,
    pub version: Option<String>,
    pub purl: Option<String>,
    pub cpe: Option<String>,
    /// Position of the component in the SBOM's component list (bom-refs need not be unique or
    /// present, so callers that map findings back to components use this).
    #[serde(skip)]
    pub position: usize,
}

impl ComponentRef {
    fn of(c: &Component) -> ComponentRef {
        ComponentRef {
            bom_ref: c.bom_ref.clone(),
            name: c.name.clone(),
            version: c.version.clone(),
            purl: c.purl.clone(),
            cpe: c.cpe.clone(),
            position: 0,
        }
    }
}

/// VEX status of a component-level statement (CycloneDX / OpenVEX vocabulary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VexStatus {
    NotAffected,
    Affected,
    Fixed,
    UnderInvestigation,
}

impl VexStatus {
    /// `not_affected` and `fixed` say this component is not exposed: they suppress.
    pub fn suppresses(self) -> bool {
        matches!(self, VexStatus::NotAffected | VexStatus::Fixed)
    }
}

/// A component-level VEX statement (ours or the supplier's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VexStatement {
    /// Any id of the vulnerability (CVE, GHSA, OSV id…); aliases are honoured.
    pub vulnerability: String,
    /// The component: its purl (a purl without version covers every version) or its `bom_ref`.
    pub component: String,
    pub status: VexStatus,
    pub justification: Option<String>,
}

/// A VEX statement applied to a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VexApplied {
    pub status: VexStatus,
    pub justification: Option<String>,
    /// True when the finding is suppressed (still reported, flagged).
    pub suppressed: bool,
}

/// One (component, vulnerability) match with its evidence. (Serialize only: the version crate's
/// `Explanation` names its range kind with a `&'static str`.)
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub component: ComponentRef,
    /// Display id of the vulnerability: the smallest CVE id of its alias group, else its smallest id.
    pub vulnerability: String,
    /// The other ids of the group, sorted.
    pub aliases: Vec<String>,
    /// Feed of the record that decided.
    pub source: Source,
    /// Id of the record that decided.
    pub record: String,
    /// Other records of the same group that matched this component too.
    pub also_matched: Vec<String>,
    #[serde(rename = "match")]
    pub kind: MatchKind,
    /// 0–1: 1 for purl and SBOM-given CPE matches; the heuristic's score otherwise.
    pub confidence: f64,
    /// How the identity was established (purl key, CPE, heuristic reason).
    pub reason: String,
    /// The version comparison made (range, bound, verdict).
    pub explanation: Explanation,
    /// The affected range as the record states it.
    pub affected: String,
    /// The first fixed version above the component's version, when the record names one.
    pub fixed: Option<String>,
    pub vex: Option<VexApplied>,
}

impl Finding {
    /// Suppressed by a VEX statement (kept visible).
    pub fn is_suppressed(&self) -> bool {
        self.vex.as_ref().is_some_and(|v| v.suppressed)
    }
}

/// The result of matching an SBOM.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MatchReport {
    pub components: usize,
    /// Findings, suppressed ones included (flagged).
    pub findings: Vec<Finding>,
    /// Candidates for review: heuristic identities below the threshold, and CPE configurations
    /// whose platform condition the SBOM does not show.
    pub possible_matches: Vec<Finding>,
}

impl MatchReport {
    /// Findings not suppressed by VEX.
    pub fn active(&self) -> impl Iterator<Item = &Finding> {
        self.findings.iter().filter(|f| !f.is_suppressed())
    }
}

/// Matching options.
#[derive(Debug, Clone, PartialEq)]
pub struct MatchOptions {
    /// Heuristic matches with confidence below this are possible matches (default 0.7).
    pub threshold: f64,
    pub vex: Vec<VexStatement>,
}

impl Default for MatchOptions {
    fn default() -> Self {
        MatchOptions {
            threshold: 0.7,
            vex: Vec::new(),
        }
    }
}

/// Counts from [`Index::build`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexStats {
    pub records: usize,
    pub withdrawn_skipped: usize,
    pub groups: usize,
    pub package_entries: usize,
    pub package_keys: usize,
    /// OSV entries with an ecosystem without ordering or without a name (not indexed).
    pub package_entries_unsupported: usize,
    pub cpe_configurations: usize,
    pub cpe_keys: usize,
    /// CVE 5 `affected[]` and CSAF product statuses: not indexed in this version.
    pub other_affected_skipped: usize,
}

/// Keys a component presents or a record batch touches.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Keys {
    /// Package keys `type/namespace/name`.
    pub packages: BTreeSet<String>,
    /// CPE `vendor:product`.
    pub cpes: BTreeSet<String>,
    /// Normalised product names (heuristic).
    pub products: BTreeSet<String>,
}

impl Keys {
    /// Do the two key sets share a key?
    pub fn intersects(&self, other: &Keys) -> bool {
        !self.packages.is_disjoint(&other.packages)
            || !self.cpes.is_disjoint(&other.cpes)
            || !self.products.is_disjoint(&other.products)
    }
}

struct Group {
    key: String,
    ids: Vec<String>,
}

struct Rec {
    id: String,
    source: Source,
    group: u32,
}

struct PkgEntry {
    record: u32,
    matcher: AffectedMatcher,
    release: Option<String>,
    affected: String,
    fixed: Vec<String>,
}

struct CfgEntry {
    record: u32,
    config: Config,
}

/// The in-memory inverted index.
pub struct Index {
    groups: Vec<Group>,
    records: Vec<Rec>,
    pkgs: Vec<PkgEntry>,
    by_pkg: HashMap<String, Vec<u32>>,
    cfgs: Vec<CfgEntry>,
    by_cpe: HashMap<String, Vec<u32>>,
    by_product: HashMap<String, Vec<String>>,
    stats: IndexStats,
}

fn is_cve(id: &str) -> bool {
    id.len() > 4 && id[..4].eq_ignore_ascii_case("CVE-")
}

/// Union-find over alias ids (ids compared case-insensitively).
struct Uf(Vec<u32>);
impl Uf {
    fn find(&mut self, mut x: u32) -> u32 {
        while self.0[x as usize] != x {
            let p = self.0[x as usize];
            self.0[x as usize] = self.0[p as usize];
            x = p;
        }
        x
    }
    fn union(&mut self, a: u32, b: u32) {
        let (a, b) = (self.find(a), self.find(b));
        if a != b {
            self.0[b as usize] = a;
        }
    }
}

fn to_osv(p: &PackageAffected, ecosystem: &str) -> OsvAffected {
    OsvAffected {
        package: OsvPackage {
            ecosystem: ecosystem.to_string(),
            name: p.name.clone().unwrap_or_default(),
            purl: p.purl.clone(),
        },
        ranges: p
            .ranges
            .iter()
            .map(|r| OsvRange {
                kind: match &r.kind {
                    RangeKind::Semver => RangeType::Semver,
                    RangeKind::Ecosystem => RangeType::Ecosystem,
                    RangeKind::Git => RangeType::Git,
                    RangeKind::Other(s) => RangeType::Other(s.clone()),
                },
                repo: r.repo.clone(),
                events: r
                    .events
                    .iter()
                    .map(|e| match e {
                        RangeEvent::Introduced(v) => Event::Introduced(v.clone()),
                        RangeEvent::Fixed(v) => Event::Fixed(v.clone()),
                        RangeEvent::LastAffected(v) => Event::LastAffected(v.clone()),
                        RangeEvent::Limit(v) => Event::Limit(v.clone()),
                    })
                    .collect(),
            })
            .collect(),
        versions: p.versions.clone(),
    }
}

/// The range as the record states it: `>=0.6.3 <0.6.14 | >=1.0.0 <1.6.1; 5 listed versions`.
fn range_text(p: &PackageAffected) -> String {
    let mut parts = Vec::new();
    for r in &p.ranges {
        if r.kind == RangeKind::Git {
            continue;
        }
        let mut cur = String::new();
        for e in &r.events {
            let piece = match e {
                RangeEvent::Introduced(v) if v == "0" => ">=0".to_string(),
                RangeEvent::Introduced(v) => format!(">={v}"),
                RangeEvent::Fixed(v) => format!("<{v}"),
                RangeEvent::LastAffected(v) => format!("<={v}"),
                RangeEvent::Limit(v) => format!("limit {v}"),
            };
            if matches!(e, RangeEvent::Introduced(_)) && !cur.is_empty() {
                parts.push(std::mem::take(&mut cur));
            }
            if !cur.is_empty() {
                cur.push(' ');
            }
            cur.push_str(&piece);
        }
        if !cur.is_empty() {
            parts.push(cur);
        }
    }
    let mut s = parts.join(" | ");
    if !p.versions.is_empty() {
        if !s.is_empty() {
            s.push_str("; ");
        }
        s.push_str(&format!("{} listed version(s)", p.versions.len()));
    }
    s
}

/// Scheme for a component's version: its purl type's, else the generic C/firmware scheme.
fn scheme_for(purl: Option<&PackageUrl>) -> Scheme {
    purl.and_then(|p| Scheme::from_purl_type(p.ty()))
        .unwrap_or(Scheme::Generic)
}

impl Index {
    /// Build the index. Withdrawn/rejected records are skipped (counted in [`IndexStats`]).
    pub fn build<'a>(vulns: impl IntoIterator<Item = &'a VulnRecord>) -> Index {
        let mut stats = IndexStats::default();
        let live: Vec<&VulnRecord> = vulns
            .into_iter()
            .inspect(|_| stats.records += 1)
            .filter(|r| {
                if r.withdrawn {
                    stats.withdrawn_skipped += 1;
                }
                !r.withdrawn
            })
            .collect();

        // Alias groups.
        let mut id_of: HashMap<String, u32> = HashMap::new();
        let mut spelled: Vec<String> = Vec::new();
        let mut rec_id: Vec<u32> = Vec::with_capacity(live.len());
        let mut uf = Uf(Vec::new());
        for r in &live {
            let mut first = None;
            for id in r.all_ids() {
                let k = id.trim().to_ascii_uppercase();
                let n = *id_of.entry(k).or_insert_with(|| {
                    spelled.push(id.trim().to_string());
                    uf.0.push(uf.0.len() as u32);
                    (uf.0.len() - 1) as u32
                });
                match first {
                    None => first = Some(n),
                    Some(f) => uf.union(f, n),
                }
            }
            rec_id.push(first.unwrap_or(0));
        }
        let mut root_group: HashMap<u32, u32> = HashMap::new();
        let mut groups: Vec<Group> = Vec::new();
        for n in 0..spelled.len() as u32 {
            let root = uf.find(n);
            let g = *root_group.entry(root).or_insert_with(|| {
                groups.push(Group {
                    key: String::new(),
                    ids: Vec::new(),
                });
                (groups.len() - 1) as u32
            });
            groups[g as usize].ids.push(spelled[n as usize].clone());
        }
        for g in &mut groups {
            g.ids.sort();
            g.key = g
                .ids
                .iter()
                .filter(|i| is_cve(i))
                .min()
                .or_else(|| g.ids.iter().min())
                .cloned()
                .unwrap_or_default();
        }
        stats.groups = groups.len();

        let mut idx = Index {
            groups,
            records: Vec::with_capacity(live.len()),
            pkgs: Vec::new(),
            by_pkg: HashMap::new(),
            cfgs: Vec::new(),
            by_cpe: HashMap::new(),
            by_product: HashMap::new(),
            stats,
        };
        for (i, r) in live.iter().enumerate() {
            let group = root_group[&uf.find(rec_id[i])];
            let record = idx.records.len() as u32;
            idx.records.push(Rec {
                id: r.id.clone(),
                source: r.source,
                group,
            });
            for a in &r.affected {
                match a {
                    Affected::Package(p) => idx.add_package(record, p),
                    Affected::Cpe(c) => idx.add_config(record, c),
                    Affected::Product(_) | Affected::Csaf(_) => {
                        idx.stats.other_affected_skipped += 1
                    }
                }
            }
        }
        idx.stats.package_keys = idx.by_pkg.len();
        idx.stats.cpe_keys = idx.by_cpe.len();
        for vp in idx.by_cpe.keys() {
            let product = vp.split_once(':').map(|x| x.1).unwrap_or("");
            let n = heuristic::normalize(product);
            for f in [n.clone(), n.replace('_', "")] {
                let e = idx.by_product.entry(f).or_default();
                if !e.contains(vp) {
                    e.push(vp.clone());
                }
            }
        }
        for v in idx.by_product.values_mut() {
            v.sort();
        }
        idx
    }

    fn add_package(&mut self, record: u32, p: &PackageAffected) {
        let Some(k) = package_record_key(p) else {
            self.stats.package_entries_unsupported += 1;
            return;
        };
        let eco = p.ecosystem.as_deref().unwrap_or("");
        let scheme = Scheme::from_ecosystem(eco)
            .or_else(|| k.key.split('/').next().and_then(Scheme::from_purl_type));
        let Some(scheme) = scheme else {
            self.stats.package_entries_unsupported += 1;
            return;
        };
        let matcher = to_osv(p, eco).matcher_with_scheme(scheme);
        let fixed = p
            .ranges
            .iter()
            .flat_map(|r| r.events.iter())
            .filter_map(|e| match e {
                RangeEvent::Fixed(v) => Some(v.clone()),
                _ => None,
            })
            .collect();
        let n = self.pkgs.len() as u32;
        self.pkgs.push(PkgEntry {
            record,
            matcher,
            release: k.release,
            affected: range_text(p),
            fixed,
        });
        self.by_pkg.entry(k.key).or_default().push(n);
        self.stats.package_entries += 1;
    }

    fn add_config(&mut self, record: u32, c: &postmarket_advisories::CpeConfiguration) {
        let config = Config::compile(c);
        let mut vps: Vec<String> = config
            .leaves()
            .into_iter()
            .filter(|l| l.vulnerable)
            .map(|l| l.vp.clone())
            .collect();
        vps.sort();
        vps.dedup();
        if vps.is_empty() {
            return;
        }
        let n = self.cfgs.len() as u32;
        self.cfgs.push(CfgEntry { record, config });
        for vp in vps {
            self.by_cpe.entry(vp).or_default().push(n);
        }
        self.stats.cpe_configurations += 1;
    }

    /// Counts.
    pub fn stats(&self) -> &IndexStats {
        &self.stats
    }

    /// Package keys, CPE `vendor:product` pairs (of `vulnerable: true` entries) and normalised
    /// product names that `records` can affect — withdrawn ones included, since withdrawing a
    /// record makes its findings vanish.
    ///
    /// Intended use (incremental re-match, DESIGN.md §6): when a feed import changes records,
    /// the caller rebuilds (or patches) the index, computes `keys_touched(changed)` — with the
    /// *old* versions of changed records too, so vanished keys are covered — and re-matches only
    /// the components whose [`Index::component_keys`] intersect it, recording new and vanished
    /// findings as events. Caveat: a record that only changes its *aliases* can merge or split
    /// groups and so change how findings of other keys collapse; alias-only changes should
    /// re-match the components holding findings of the affected groups.
    pub fn keys_touched(records: &[VulnRecord]) -> Keys {
        let mut k = Keys::default();
        for r in records {
            for a in &r.affected {
                match a {
                    Affected::Package(p) => {
                        if let Some(rk) = package_record_key(p) {
                            k.packages.insert(rk.key);
                        }
                    }
                    Affected::Cpe(c) => {
                        for l in Config::compile(c).leaves() {
                            if l.vulnerable {
                                let product = l.vp.split_once(':').map(|x| x.1).unwrap_or("");
                                let n = heuristic::normalize(product);
                                k.products.insert(n.replace('_', ""));
                                k.products.insert(n);
                                k.cpes.insert(l.vp.clone());
                            }
                        }
                    }
                    _ => {}
                }
            }
        }
        k
    }

    /// The keys under which a component can be matched (see [`Index::keys_touched`]).
    pub fn component_keys(component: &Component) -> Keys {
        let mut k = Keys::default();
        let purl = component
            .purl
            .as_deref()
            .and_then(|p| PackageUrl::parse(p).ok());
        if let Some(p) = &purl {
            k.packages.insert(key::purl_key(p));
        }
        if let Some(vp) = component.cpe.as_deref().and_then(vendor_product) {
            k.cpes.insert(vp);
        } else if heuristic_applies(component, purl.as_ref()) {
            for n in heuristic_names(component, purl.as_ref()) {
                for (f, _) in heuristic::forms(&n) {
                    k.products.insert(f);
                }
            }
        }
        k
    }

    /// Match one component on its own (platform conditions of CPE configurations can only be
    /// met by the component itself; see [`Index::match_sbom`]).
    pub fn match_component(&self, component: &Component) -> Vec<Finding> {
        self.match_one(component, &[], &MatchOptions::default()).0
    }

    /// Match one component with options; returns (findings, possible matches).
    pub fn match_component_with(
        &self,
        component: &Component,
        opts: &MatchOptions,
    ) -> (Vec<Finding>, Vec<Finding>) {
        self.match_one(component, &[], opts)
    }

    /// Match every component of an SBOM with default options.
    pub fn match_sbom(&self, sbom: &Sbom) -> MatchReport {
        self.match_sbom_with(sbom, &MatchOptions::default())
    }

    /// Match every component of an SBOM. The SBOM's components (and its device) are the
    /// environment for NVD platform conditions: a `vulnerable: false` "running on" entry is met
    /// when another component of the same SBOM presents that CPE within its bounds.
    pub fn match_sbom_with(&self, sbom: &Sbom, opts: &MatchOptions) -> MatchReport {
        self.match_sbom_selected(sbom, opts, |_| true)
    }

    /// Match the components of an SBOM that `select` picks (incremental re-match), with every
    /// component of the SBOM as the environment for platform conditions, as
    /// [`Index::match_sbom_with`] does. `components` in the report counts the selected ones.
    pub fn match_sbom_selected(
        &self,
        sbom: &Sbom,
        opts: &MatchOptions,
        select: impl Fn(&Component) -> bool,
    ) -> MatchReport {
        let mut env: Vec<Ident> = Vec::new();
        for c in sbom.components.iter().chain(sbom.metadata.device.iter()) {
            if let Some(id) = cpe_ident(c) {
                env.push(id);
            }
        }
        let mut report = MatchReport::default();
        for (i, c) in sbom.components.iter().enumerate() {
            if !select(c) {
                continue;
            }
            report.components += 1;
            let (mut f, mut p) = self.match_one(c, &env, opts);
            for x in f.iter_mut().chain(p.iter_mut()) {
                x.component.position = i;
            }
            report.findings.extend(f);
            report.possible_matches.extend(p);
        }
        report
    }

    // The evidence of a finding has this many parts; a struct for them would only rename them.
    #[allow(clippy::too_many_arguments)]
    fn finding(
        &self,
        c: &Component,
        record: u32,
        kind: MatchKind,
        confidence: f64,
        reason: String,
        explanation: Explanation,
        affected: String,
        fixed: Option<String>,
    ) -> Finding {
        let r = &self.records[record as usize];
        let g = &self.groups[r.group as usize];
        Finding {
            component: ComponentRef::of(c),
            vulnerability: g.key.clone(),
            aliases: g.ids.iter().filter(|i| **i != g.key).cloned().collect(),
            source: r.source,
            record: r.id.clone(),
            also_matched: Vec::new(),
            kind,
            confidence,
            reason,
            explanation,
            affected,
            fixed,
            vex: None,
        }
    }

    fn match_one(
        &self,
        c: &Component,
        env: &[Ident],
        opts: &MatchOptions,
    ) -> (Vec<Finding>, Vec<Finding>) {
        let mut found: Vec<Finding> = Vec::new();
        let mut possible: Vec<Finding> = Vec::new();
        let purl = c.purl.as_deref().and_then(|p| PackageUrl::parse(p).ok());

        // 1. purl
        if let Some(p) = &purl {
            let version = p.version().or(c.version.as_deref());
            let k = key::purl_key(p);
            if let (Some(version), Some(entries)) = (version, self.by_pkg.get(&k)) {
                let distro = p.qualifiers().get("distro");
                for &e in entries {
                    let e = &self.pkgs[e as usize];
                    let mut note = None;
                    match (&e.release, distro) {
                        (Some(rel), Some(d)) if !key::distro_agrees(d, rel) => continue,
                        (Some(rel), None) => {
                            note = Some(format!(
                            "the record applies to release {rel}; the purl has no distro qualifier"
                        ))
                        }
                        _ => {}
                    }
                    if !e.matcher.contains(version) {
                        continue;
                    }
                    let mut ex = e.matcher.explain(version);
                    ex.notes.extend(note);
                    let fixed = first_fixed_above(e.matcher.scheme(), version, &e.fixed);
                    found.push(self.finding(
                        c,
                        e.record,
                        MatchKind::Purl,
                        1.0,
                        format!("purl {k}"),
                        ex,
                        e.affected.clone(),
                        fixed,
                    ));
                }
            }
        }

        // 2. CPE given by the SBOM
        if let Some(me) = cpe_ident(c) {
            self.match_cpe(
                c,
                &me,
                env,
                MatchKind::Cpe,
                1.0,
                "CPE from the SBOM".into(),
                opts,
                &mut found,
                &mut possible,
            );
        } else if heuristic_applies(c, purl.as_ref()) {
            // 3. heuristic
            let version = purl
                .as_ref()
                .and_then(|p| p.version())
                .or(c.version.as_deref())
                .filter(|v| !v.is_empty());
            if let Some(version) = version {
                for (vp, conf, reason) in self.candidates(c, purl.as_ref()) {
                    let me = Ident {
                        vp: vp.clone(),
                        version: version.to_string(),
                        scheme: Scheme::Generic,
                        bom_ref: c.bom_ref.clone(),
                    };
                    self.match_cpe(
                        c,
                        &me,
                        env,
                        MatchKind::Heuristic,
                        conf,
                        reason,
                        opts,
                        &mut found,
                        &mut possible,
                    );
                }
            }
        }

        let found = collapse(found);
        let mut possible = collapse(possible);
        possible.retain(|p| !found.iter().any(|f| f.vulnerability == p.vulnerability));
        let found = found
            .into_iter()
            .map(|mut f| {
                f.vex = self.vex_for(&f, c, &opts.vex);
                f
            })
            .collect();
        (found, possible)
    }

    #[allow(clippy::too_many_arguments)]
    fn match_cpe(
        &self,
        c: &Component,
        me: &Ident,
        env: &[Ident],
        kind: MatchKind,
        confidence: f64,
        reason: String,
        opts: &MatchOptions,
        found: &mut Vec<Finding>,
        possible: &mut Vec<Finding>,
    ) {
        let Some(entries) = self.by_cpe.get(&me.vp) else {
            return;
        };
        for &e in entries {
            let e = &self.cfgs[e as usize];
            let out = evaluate(&e.config, me, env);
            let Some((leaf, mut ex)) = out.hit else {
                continue;
            };
            for (crit, by) in &out.platforms {
                ex.notes
                    .push(format!("platform condition {crit} met by component {by}"));
            }
            let affected = bounds_text(&leaf);
            let fixed = leaf.bounds.version_end_excluding.clone();
            match out.truth {
                Some(true) => {
                    let f = self.finding(
                        c,
                        e.record,
                        kind,
                        confidence,
                        reason.clone(),
                        ex,
                        affected,
                        fixed,
                    );
                    if confidence >= opts.threshold || kind != MatchKind::Heuristic {
                        found.push(f);
                    } else {
                        possible.push(f);
                    }
                }
                None => {
                    ex.notes.push(format!(
                        "not shown in the SBOM (platform condition): {}",
                        out.missing.join(", ")
                    ));
                    let mut f = self.finding(
                        c,
                        e.record,
                        kind,
                        confidence.min(0.5),
                        reason.clone(),
                        ex,
                        affected,
                        fixed,
                    );
                    f.reason
                        .push_str("; needs a platform the SBOM does not list");
                    possible.push(f);
                }
                Some(false) => {}
            }
        }
    }

    /// Heuristic candidates `vendor:product` with confidence and reason, best first.
    fn candidates(&self, c: &Component, purl: Option<&PackageUrl>) -> Vec<(String, f64, String)> {
        let owner = purl
            .filter(|p| p.ty() == "github")
            .and_then(|p| p.namespace())
            .map(str::to_string);
        let mut out: Vec<(String, f64, String)> = Vec::new();
        for name in heuristic_names(c, purl) {
            for (form, exact) in heuristic::forms(&name) {
                let Some(vps) = self.by_product.get(&form) else {
                    continue;
                };
                for vp in vps {
                    let (vendor, product) = vp.split_once(':').unwrap_or(("", vp));
                    let by_owner = owner
                        .as_deref()
                        .is_some_and(|o| heuristic::supplier_names_vendor(o, vendor));
                    let by_supplier = c
                        .supplier
                        .as_deref()
                        .is_some_and(|s| heuristic::supplier_names_vendor(s, vendor));
                    let (mut conf, mut why) = if by_owner {
                        (0.95, format!("name {name:?} ~ product {product:?}; GitHub owner names vendor {vendor:?}"))
                    } else if by_supplier {
                        (0.95, format!("name {name:?} ~ product {product:?}; supplier names vendor {vendor:?}"))
                    } else if heuristic::normalize(vendor) == heuristic::normalize(product) {
                        (
                            0.8,
                            format!("name {name:?} ~ product {product:?}, which is its own vendor"),
                        )
                    } else if vps.len() == 1 {
                        (0.6, format!("name {name:?} ~ product {product:?}; only vendor {vendor:?}, no vendor evidence"))
                    } else {
                        (
                            0.4,
                            format!(
                                "name {name:?} ~ product {product:?}; one of {} vendors",
                                vps.len()
                            ),
                        )
                    };
                    if !exact {
                        conf -= 0.15;
                        why.push_str(&format!(" (via the alternate form {form:?})"));
                    }
                    match out.iter_mut().find(|x| x.0 == *vp) {
                        Some(x) if x.1 >= conf => {}
                        Some(x) => *x = (vp.clone(), conf, why),
                        None => out.push((vp.clone(), conf, why)),
                    }
                }
            }
        }
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        out
    }

    fn vex_for(&self, f: &Finding, c: &Component, vex: &[VexStatement]) -> Option<VexApplied> {
        let ids_match = |v: &str| {
            v.eq_ignore_ascii_case(&f.vulnerability)
                || f.aliases.iter().any(|a| a.eq_ignore_ascii_case(v))
        };
        let comp_match = |s: &str| {
            if s == c.bom_ref {
                return true;
            }
            let (Ok(sp), Some(cp)) = (
                PackageUrl::parse(s),
                c.purl.as_deref().and_then(|p| PackageUrl::parse(p).ok()),
            ) else {
                return false;
            };
            key::purl_key(&sp) == key::purl_key(&cp)
                && match sp.version() {
                    None => true,
                    Some(v) => Some(v) == cp.version().or(c.version.as_deref()),
                }
        };
        vex.iter()
            .find(|s| ids_match(&s.vulnerability) && comp_match(&s.component))
            .map(|s| VexApplied {
                status: s.status,
                justification: s.justification.clone(),
                suppressed: s.status.suppresses(),
            })
    }
}

/// Key of an OSV affected package: its purl when it parses, else ecosystem + name.
fn package_record_key(p: &PackageAffected) -> Option<key::RecordKey> {
    let eco = p.ecosystem.as_deref().unwrap_or("");
    let release = eco
        .split_once(':')
        .map(|x| x.1.trim().to_string())
        .filter(|r| !r.is_empty());
    if let Some(pu) = p.purl.as_deref().and_then(|s| PackageUrl::parse(s).ok()) {
        return Some(key::RecordKey {
            key: key::purl_key(&pu),
            release,
        });
    }
    key::ecosystem_key(eco, p.name.as_deref()?)
}

fn heuristic_applies(c: &Component, purl: Option<&PackageUrl>) -> bool {
    c.cpe.is_none() && purl.is_none_or(|p| matches!(p.ty(), "generic" | "github"))
}

/// Names the heuristic tries: the component name, and the purl name when it differs.
fn heuristic_names(c: &Component, purl: Option<&PackageUrl>) -> Vec<String> {
    let mut v = Vec::new();
    if !c.name.trim().is_empty() {
        v.push(c.name.clone());
    }
    if let Some(p) = purl {
        if !v
            .iter()
            .any(|n| heuristic::normalize(n) == heuristic::normalize(p.name()))
        {
            v.push(p.name().to_string());
        }
    }
    v
}

/// A component's CPE identity: `vendor:product` from its CPE, version from the CPE's version
/// field when concrete, else the component's version.
fn cpe_ident(c: &Component) -> Option<Ident> {
    let cpe = c.cpe.as_deref()?;
    let vp = vendor_product(cpe)?;
    let f = postmarket_version::nvd::cpe23_fields(cpe);
    let version = f
        .get(5)
        .filter(|v| !v.is_empty() && *v != "*" && *v != "-")
        .cloned()
        .or_else(|| c.version.clone())
        .unwrap_or_default();
    let purl = c.purl.as_deref().and_then(|p| PackageUrl::parse(p).ok());
    Some(Ident {
        vp,
        version,
        scheme: scheme_for(purl.as_ref()),
        bom_ref: c.bom_ref.clone(),
    })
}

fn bounds_text(l: &cpe::Leaf) -> String {
    let b = &l.bounds;
    let mut parts = Vec::new();
    if let Some(v) = &b.version_start_including {
        parts.push(format!(">={v}"));
    }
    if let Some(v) = &b.version_start_excluding {
        parts.push(format!(">{v}"));
    }
    if let Some(v) = &b.version_end_including {
        parts.push(format!("<={v}"));
    }
    if let Some(v) = &b.version_end_excluding {
        parts.push(format!("<{v}"));
    }
    if parts.is_empty() {
        l.criteria.clone()
    } else {
        format!("{} {}", l.criteria, parts.join(" "))
    }
}

/// The smallest fixed version above `version` (the fix for the component's branch).
fn first_fixed_above(scheme: Scheme, version: &str, fixed: &[String]) -> Option<String> {
    let v = Version::new(scheme, version);
    fixed
        .iter()
        .map(|f| (Version::new(scheme, f), f))
        .filter(|(fv, _)| fv.compare(&v).is_gt())
        .min_by(|a, b| a.0.compare(&b.0))
        .map(|(_, f)| f.clone())
}

/// One finding per alias group: the strongest (purl > cpe > heuristic, then confidence).
fn collapse(mut v: Vec<Finding>) -> Vec<Finding> {
    v.sort_by(|a, b| {
        a.vulnerability
            .cmp(&b.vulnerability)
            .then(a.kind.cmp(&b.kind))
            .then(b.confidence.total_cmp(&a.confidence))
            .then(a.record.cmp(&b.record))
    });
    let mut out: Vec<Finding> = Vec::with_capacity(v.len());
    for f in v {
        match out.last_mut() {
            Some(last) if last.vulnerability == f.vulnerability => {
                if f.record != last.record && !last.also_matched.contains(&f.record) {
                    last.also_matched.push(f.record);
                }
            }
            _ => out.push(f),
        }
    }
    out
}

#[cfg(test)]
mod tests;

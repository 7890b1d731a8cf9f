//! Vulnerability intelligence use cases (issue 4): importing feed files, showing and searching
//! vulnerabilities, and how fresh each source is. Syncing over HTTP is in [`crate::sync`].
//!
//! # Import
//! `feeds import PATH…` is **one transaction**: every file is read, parsed and stored, and only
//! then committed; any error (an unreadable file, `--strict` meeting a malformed record, the
//! database) leaves the store exactly as it was. Directories are walked (sorted, hidden files and
//! non-data files such as README, LICENSE, `.asc`, `.sha512`, `.meta` skipped); every file's kind
//! is detected from its content unless `--kind` says it. Within one PATH, the files of one source
//! form one *run*: one `feed_runs` row with the hash of its files, counts and duration, and one
//! audit event. A run that changed nothing is not recorded (see `postmarket_store::feeds`).
//! A malformed record is reported with its file and location and counted as rejected; the other
//! records still import.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use postmarket_advisories::merge::{self, Tier};
use postmarket_advisories::{
    parse_any, Affected, Diagnostic, Kind, Output, ParseOptions, VulnRecord,
};
use postmarket_model::Actor;
use postmarket_store::feeds::{FeedImport, FeedRun, ImportItem, RunId};
use postmarket_store::{
    ConfigurationRow, CsafStatusRow, EpssRow, KevRow, PackageRow, SearchHit, VulnData,
};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::{App, AppError};

/// Progress reporting for long imports; the CLI draws a bar on a terminal.
pub trait Progress: Send + Sync {
    fn start(&self, _total_bytes: u64) {}
    fn advance(&self, _bytes: u64, _what: &str) {}
    fn finish(&self) {}
}

/// No progress reporting.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoProgress;
impl Progress for NoProgress {}

#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// `None` detects each file's kind from its content.
    pub kind: Option<Kind>,
    /// The first malformed record fails the whole import, and nothing is written.
    pub strict: bool,
}

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub runs: Vec<FeedRun>,
    /// Malformed records, each with its file and location; they were not imported.
    pub diagnostics: Vec<Diagnostic>,
    /// Things worth knowing that are not errors (unknown OSV ecosystems kept, ...).
    pub notes: Vec<String>,
    /// Files in walked directories that are not feed data, with why.
    pub skipped: Vec<String>,
}

impl ImportReport {
    pub fn changed(&self) -> bool {
        self.runs.iter().any(FeedRun::changed)
    }
}

/// The feed sources, as stored in `feed_runs.source`.
pub fn source_of(kind: Kind) -> Option<&'static str> {
    Some(match kind {
        Kind::Nvd => "nvd",
        Kind::Nvd11 => "nvd-1.1",
        Kind::Cve5 => "cve5",
        Kind::Osv | Kind::OsvZip => "osv",
        Kind::Kev | Kind::KevCsv => "kev",
        Kind::Epss => "epss",
        Kind::Csaf => "csaf",
        _ => return None,
    })
}

fn bad(msg: impl Into<String>) -> AppError {
    AppError::BadInput(msg.into())
}

/// File names in walked directories that are documentation, signatures or checksums.
fn is_not_data(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    if lower.starts_with('.') {
        return Some("hidden file");
    }
    if lower.starts_with("license")
        || lower.starts_with("readme")
        || lower.starts_with("copying")
        || lower.starts_with("notice")
    {
        return Some("documentation");
    }
    for ext in [
        ".md", ".asc", ".sig", ".sha512", ".sha256", ".meta", ".xlsx", ".html", ".py", ".sh",
    ] {
        if lower.ends_with(ext) {
            return Some("not feed data (documentation, signature or checksum)");
        }
    }
    if lower.contains("schema") && lower.ends_with(".json") {
        return Some("a JSON schema");
    }
    None
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), AppError> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(|e| bad(format!("{}: cannot read directory: {e}", dir.display())))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    entries.sort();
    for p in entries {
        let hidden = p
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        if p.is_dir() {
            if !hidden {
                walk(&p, out)?;
            }
        } else {
            out.push(p);
        }
    }
    Ok(())
}

/// One input file, as found.
struct Input {
    path: PathBuf,
    /// The PATH argument it came from (index) and its name relative to it.
    arg: usize,
    rel: String,
    explicit: bool,
    size: u64,
}

impl App {
    /// Imports feed files and directories: see the module docs.
    pub async fn import_feeds(
        &self,
        actor: &Actor,
        paths: &[PathBuf],
        opts: &ImportOptions,
        progress: &dyn Progress,
    ) -> Result<ImportReport, AppError> {
        if paths.is_empty() {
            return Err(bad(
                "no PATH given: name feed files or directories to import",
            ));
        }
        let mut inputs = Vec::new();
        let mut skipped = Vec::new();
        for (arg, path) in paths.iter().enumerate() {
            let meta = std::fs::metadata(path)
                .map_err(|e| bad(format!("{}: cannot read: {e}", path.display())))?;
            if meta.is_dir() {
                let mut files = Vec::new();
                walk(path, &mut files)?;
                for f in files {
                    let rel = f.strip_prefix(path).unwrap_or(&f).display().to_string();
                    let name = f
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    if let Some(why) = is_not_data(&name) {
                        skipped.push(format!("{}: {why}", f.display()));
                        continue;
                    }
                    let size = std::fs::metadata(&f).map(|m| m.len()).unwrap_or(0);
                    inputs.push(Input {
                        path: f,
                        arg,
                        rel,
                        explicit: false,
                        size,
                    });
                }
            } else {
                let rel = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                inputs.push(Input {
                    path: path.clone(),
                    arg,
                    rel,
                    explicit: true,
                    size: meta.len(),
                });
            }
        }
        progress.start(inputs.iter().map(|i| i.size).sum());

        let store = &self.store;
        let mut w = store.write(actor).await?;
        let mut import = FeedImport::start(&mut w, "import").await?;
        let mut runs: HashMap<(usize, &'static str), RunId> = HashMap::new();
        let mut diagnostics = Vec::new();
        let mut notes = Vec::new();
        let mut unknown_ecosystems: BTreeMap<String, (usize, String)> = BTreeMap::new();
        for input in &inputs {
            let shown = input.path.display().to_string();
            let bytes = std::fs::read(&input.path)
                .map_err(|e| bad(format!("{shown}: cannot read: {e}")))?;
            let kind = match opts.kind {
                Some(k) => k,
                None => postmarket_advisories::detect(&bytes),
            };
            let Some(source) = source_of(kind) else {
                let why = match kind {
                    Kind::Unknown => "format not recognised".to_string(),
                    k => format!(
                        "a {k} discovery document (`postmarket feeds sync --source cisa-csaf` reads those)"
                    ),
                };
                if input.explicit {
                    return Err(bad(format!(
                        "{shown}: {why}; expected an NVD (API 2.0 or 1.1), CVE 5, OSV, KEV, EPSS or CSAF file (or say which with --kind)"
                    )));
                }
                skipped.push(format!("{shown}: {why}"));
                progress.advance(input.size, &input.rel);
                continue;
            };
            let run = match runs.get(&(input.arg, source)) {
                Some(r) => *r,
                None => {
                    let r = import
                        .begin_run(
                            &mut w,
                            source,
                            kind.as_str(),
                            &paths[input.arg].display().to_string(),
                        )
                        .await?;
                    runs.insert((input.arg, source), r);
                    r
                }
            };
            let parse_opts = ParseOptions::named(shown.clone()).strict(opts.strict);
            let (_, output) = parse_any(&bytes, Some(kind), &parse_opts).map_err(|e| {
                bad(match e {
                    postmarket_advisories::Error::Strict(d) => {
                        format!("{d} (--strict: nothing was imported)")
                    }
                    other => format!("{other}; nothing was imported"),
                })
            })?;
            let sha = hex::encode(Sha256::digest(&bytes));
            drop(bytes);
            import.add_file(run, &input.rel, &sha);
            let diags = output.diagnostics().to_vec();
            import.add_rejected(run, diags.len());
            diagnostics.extend(diags);
            store_output(&mut import, &mut w, run, output, &mut unknown_ecosystems).await?;
            progress.advance(input.size, &input.rel);
        }
        for (eco, (n, example)) in unknown_ecosystems {
            notes.push(format!(
                "unknown OSV ecosystem {eco:?} in {n} affected package(s) (e.g. {example}): kept, \
                 without a package key for matching"
            ));
        }
        let report_runs = import.finish(&mut w).await?;
        if report_runs.iter().any(FeedRun::changed) {
            w.commit().await?;
        }
        // else: nothing changed; dropping the write rolls back the placeholder rows.
        progress.finish();
        Ok(ImportReport {
            runs: report_runs,
            diagnostics,
            notes,
            skipped,
        })
    }
}

/// Stores one parsed file's content into a run.
pub(crate) async fn store_output(
    import: &mut FeedImport,
    w: &mut postmarket_store::audit::Write,
    run: RunId,
    output: Output,
    unknown_ecosystems: &mut BTreeMap<String, (usize, String)>,
) -> Result<(), AppError> {
    match output {
        Output::Records(parsed) => {
            for r in &parsed.records {
                note_unknown_ecosystems(r, unknown_ecosystems);
            }
            let items = parsed.records.into_iter().map(ImportItem::new).collect();
            import.records(w, run, items).await?;
        }
        Output::Csaf(doc) => {
            let items = doc
                .to_records()
                .into_iter()
                .map(|record| ImportItem {
                    record,
                    document: Some(doc.tracking.id.clone()),
                    kev: None,
                })
                .collect();
            import.records(w, run, items).await?;
        }
        Output::Kev(catalog) => {
            let items = catalog
                .entries
                .into_iter()
                .map(|e| ImportItem {
                    record: e.to_record(),
                    document: None,
                    kev: Some(e),
                })
                .collect();
            import.records(w, run, items).await?;
        }
        Output::Epss(snap) => import.epss(w, run, &snap).await?,
        _ => {}
    }
    Ok(())
}

fn note_unknown_ecosystems(r: &VulnRecord, seen: &mut BTreeMap<String, (usize, String)>) {
    for a in &r.affected {
        if let Affected::Package(p) = a {
            if let Some(eco) = &p.ecosystem {
                if !postmarket_advisories::osv::is_known_ecosystem(eco) {
                    let e = seen.entry(eco.clone()).or_insert((0, r.id.clone()));
                    e.0 += 1;
                }
            }
        }
    }
}

// ------------------------------------------------------------------------------- show, search

/// One score with where it came from, for `vuln show`.
#[derive(Debug, Clone, Serialize)]
pub struct ScoreView {
    /// Who assessed it (`nvd@nist.gov`, a CNA, `CISA-ADP`, a CSAF publisher).
    pub provider: String,
    /// The feed it was read from.
    pub feed: String,
    pub tier: Tier,
    pub kind: String,
    pub version: String,
    pub vector: String,
    pub base_score: Option<f64>,
    pub severity: Option<String>,
    pub record_source: String,
    pub record_id: String,
    pub document: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub products: Vec<String>,
    /// The score shown for the vulnerability, by the documented rule.
    pub shown: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct RecordRef {
    pub source: String,
    pub id: String,
    pub document: Option<String>,
    pub modified: Option<String>,
    pub withdrawn: bool,
    pub status: Option<String>,
}

/// Everything known about one vulnerability.
#[derive(Debug, Clone, Serialize)]
pub struct VulnDetail {
    pub id: String,
    pub aliases: Vec<String>,
    pub related: Vec<String>,
    pub summary: Option<String>,
    pub details: Option<String>,
    pub cwes: Vec<String>,
    pub published: Option<String>,
    pub modified: Option<String>,
    pub withdrawn: bool,
    pub rejected: bool,
    pub shown_score: Option<ScoreView>,
    pub scores: Vec<ScoreView>,
    /// Pairs of indices into `scores` whose vectors disagree (same CVSS major version, different
    /// providers).
    pub disagreements: Vec<(usize, usize)>,
    pub kev: Vec<KevRow>,
    pub epss: Vec<EpssRow>,
    pub affected_packages: Vec<PackageRow>,
    pub configurations: Vec<ConfigurationRow>,
    pub csaf_product_status: Vec<CsafStatusRow>,
    pub records: Vec<RecordRef>,
}

/// A search result line.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResult {
    pub id: String,
    pub summary: Option<String>,
    pub withdrawn: bool,
    pub rejected: bool,
    pub matched: serde_json::Value,
}

fn detail(data: VulnData) -> VulnDetail {
    let primary = data.vuln.primary_id.clone();
    // Records stored under one vulnerability were linked by shared ids when they arrived; naming
    // the vulnerability's id in each makes `merge` see them as the one group they are.
    let records: Vec<VulnRecord> = data
        .records
        .iter()
        .map(|s| {
            let mut r = s.record.clone();
            r.aliases.push(primary.clone());
            r
        })
        .collect();
    let groups = merge::merge(&records);
    let (mut scores, shown, disagreements, related) = match groups.into_iter().next() {
        Some(g) => {
            let dis = g.disagreements();
            let views: Vec<ScoreView> = g
                .scores
                .iter()
                .enumerate()
                .map(|(i, s)| ScoreView {
                    provider: s.score.source.clone(),
                    feed: s.score.feed.as_str().to_string(),
                    tier: s.tier,
                    kind: match s.score.kind {
                        postmarket_advisories::ScoreKind::Primary => "primary".into(),
                        postmarket_advisories::ScoreKind::Secondary => "secondary".into(),
                    },
                    version: s.score.version.as_str().to_string(),
                    vector: s.score.vector.clone(),
                    base_score: s.score.base_score,
                    severity: s.score.severity.clone(),
                    record_source: s.record_source.as_str().to_string(),
                    record_id: s.record_id.clone(),
                    document: s.document.clone(),
                    products: s.score.products.clone(),
                    shown: g.shown == Some(i),
                })
                .collect();
            (views, g.shown, dis, g.related)
        }
        None => (Vec::new(), None, Vec::new(), Vec::new()),
    };
    let shown_score = shown.and_then(|i| scores.get(i).cloned());
    let mut cwes: Vec<String> = Vec::new();
    for r in &data.records {
        for c in &r.record.cwes {
            if !cwes.contains(c) {
                cwes.push(c.clone());
            }
        }
    }
    cwes.sort();
    scores.iter_mut().for_each(|s| s.products.sort());
    VulnDetail {
        id: primary,
        aliases: data.aliases,
        related,
        summary: data.vuln.summary,
        details: data.vuln.details,
        cwes,
        published: data.vuln.published,
        modified: data.vuln.modified,
        withdrawn: data.vuln.withdrawn,
        rejected: data.vuln.rejected,
        shown_score,
        scores,
        disagreements,
        kev: data.kev,
        epss: data.epss,
        affected_packages: data.packages,
        configurations: data.configurations,
        csaf_product_status: data.csaf_product_status,
        records: data
            .records
            .iter()
            .map(|s| RecordRef {
                source: s.source.clone(),
                id: s.record.id.clone(),
                document: s.document.clone(),
                modified: s.modified.clone(),
                withdrawn: s.record.withdrawn,
                status: s.record.status.clone(),
            })
            .collect(),
    }
}

fn hits(h: Vec<SearchHit>) -> Vec<SearchResult> {
    h.into_iter()
        .map(|h| SearchResult {
            id: h.vuln.primary_id,
            summary: h.vuln.summary.or(h.vuln.details),
            withdrawn: h.vuln.withdrawn,
            rejected: h.vuln.rejected,
            matched: h.matched,
        })
        .collect()
}

/// How fresh one source is.
#[derive(Debug, Clone, Serialize)]
pub struct SourceStatus {
    pub source: String,
    /// The last import or sync run that changed something, or the last successful sync check.
    pub last_success: Option<String>,
    pub age_seconds: Option<i64>,
    pub runs: i64,
    pub records: i64,
    pub last_file: Option<String>,
    pub last_sync_error: Option<String>,
    /// How the last sync checked its input, when that is worth knowing (e.g. CSAF documents
    /// whose OpenPGP signatures were not checked because no keys are configured).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Older than the maximum age (or never succeeded).
    pub stale: bool,
}

impl App {
    /// One vulnerability by any of its ids.
    pub async fn vuln_show(&self, id: &str) -> Result<VulnDetail, AppError> {
        let Some(vuln) = self.store.find_vulnerability(id).await? else {
            return Err(AppError::NotFound(format!(
                "vulnerability {id:?} not found (no stored record names it; `postmarket feeds import` or `feeds sync` brings records in)"
            )));
        };
        Ok(detail(self.store.vulnerability(vuln).await?))
    }

    /// Vulnerabilities affecting a package, by purl (type, namespace and name; a version in the
    /// purl is not used to filter: matching versions is the matcher's job).
    pub async fn vuln_search_purl(&self, purl: &str) -> Result<Vec<SearchResult>, AppError> {
        let p = postmarket_ident::PackageUrl::parse(purl).map_err(|e| {
            bad(format!(
                "--purl {purl:?}: {e}; expected a package URL such as pkg:pypi/django"
            ))
        })?;
        Ok(hits(
            self.store
                .vulns_by_package(p.ty(), p.namespace(), p.name())
                .await?,
        ))
    }

    /// Vulnerabilities whose records name a CPE's vendor and product.
    pub async fn vuln_search_cpe(&self, cpe: &str) -> Result<Vec<SearchResult>, AppError> {
        let (_, vendor, product) = postmarket_store::feeds::cpe_vendor_product(cpe).ok_or_else(|| {
            bad(format!(
                "--cpe {cpe:?}: expected a CPE 2.3 name with vendor and product, such as cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*"
            ))
        })?;
        Ok(hits(self.store.vulns_by_cpe(&vendor, &product).await?))
    }

    /// Per source: the last success, its age, and whether it is older than `max_age`.
    pub async fn feed_status(
        &self,
        max_age: std::time::Duration,
    ) -> Result<Vec<SourceStatus>, AppError> {
        let now = time::OffsetDateTime::now_utc();
        let parse = |s: &str| {
            time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
        };
        Ok(self
            .store
            .feed_sources()
            .await?
            .into_iter()
            .map(|s| {
                let last = match (&s.last_run_at, &s.last_sync_success_at) {
                    (Some(a), Some(b)) => Some(a.max(b).clone()),
                    (a, b) => a.clone().or_else(|| b.clone()),
                };
                let age = last
                    .as_deref()
                    .and_then(parse)
                    .map(|t| (now - t).whole_seconds());
                let stale = age.is_none_or(|a| a > max_age.as_secs() as i64);
                SourceStatus {
                    source: s.source,
                    last_success: last,
                    age_seconds: age,
                    runs: s.runs,
                    records: s.records,
                    last_file: s.last_run_file,
                    last_sync_error: s.last_sync_error,
                    note: s.sync_note,
                    stale,
                }
            })
            .collect())
    }
}

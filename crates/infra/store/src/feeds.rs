//! Storing vulnerability intelligence (issue 4): an idempotent, bulk upsert of normalised records.
//!
//! A [`FeedImport`] works inside one [`Write`] transaction and may carry several *runs* (one per
//! source and input path, or per synced page). For every record it decides, by `(source,
//! record_key)`:
//!
//! * **added**: not stored yet;
//! * **unchanged**: stored with the same content (SHA-256 of its normalised JSON), or stored with
//!   a newer `modified` (an older record never replaces a newer one);
//! * **updated**: anything else; the record and its scores, packages, configurations and product
//!   statuses are replaced.
//!
//! Records are grouped into vulnerabilities by their ids and aliases, as
//! `postmarket_advisories::merge` groups them: a record naming ids of two stored vulnerabilities
//! merges them into the older one. Each added, updated or merged vulnerability gets a
//! `vuln_changes` row naming the run. A run that changed nothing leaves no trace: its
//! `feed_runs` row is removed again before commit and no audit event is written, so importing an
//! unchanged file writes nothing. A run that changed something is one audit event
//! (`feeds.import` / `feeds.sync`) whose `after` is its final `feed_runs` row.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::Instant;

use postmarket_advisories::epss::EpssSnapshot;
use postmarket_advisories::kev::KevEntry;
use postmarket_advisories::{Affected, CpeNode, Source, VulnRecord};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;
use time::OffsetDateTime;

use crate::audit::Write;
use crate::bulk::{bind_all, placeholders, Bulk, Val};
use crate::schema::{read_row_json, table};
use crate::StoreError;

/// One record to store.
#[derive(Debug, Clone)]
pub struct ImportItem {
    pub record: VulnRecord,
    /// The document the record came from when one document holds many (a CSAF tracking id).
    pub document: Option<String>,
    /// The catalog entry, for KEV records.
    pub kev: Option<KevEntry>,
}

impl ImportItem {
    pub fn new(record: VulnRecord) -> Self {
        Self {
            record,
            document: None,
            kev: None,
        }
    }

    /// The key that is unique within a source.
    pub fn record_key(&self) -> String {
        match &self.document {
            Some(doc) => format!("{doc}/{}", self.record.id),
            None => self.record.id.clone(),
        }
    }
}

/// What one run did, as stored in `feed_runs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FeedRun {
    /// `None` when the run changed nothing and so was not recorded.
    pub id: Option<i64>,
    pub source: String,
    pub kind: String,
    pub via: String,
    pub file: String,
    pub files: i64,
    pub sha256: String,
    pub added: i64,
    pub updated: i64,
    pub unchanged: i64,
    pub rejected: i64,
    /// Records left as they were because the stored one is newer (counted in `unchanged`).
    pub older: i64,
    pub duration_ms: i64,
    pub started_at: String,
    pub finished_at: String,
    /// How the run's input was checked, when that is worth saying (e.g. CSAF documents whose
    /// OpenPGP signatures were not checked); it is the reason of the run's audit event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl FeedRun {
    pub fn changed(&self) -> bool {
        self.added + self.updated > 0
    }
}

/// Names a run inside a [`FeedImport`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunId(usize);

#[derive(Debug)]
struct RunState {
    id: i64,
    source: String,
    kind: String,
    file: String,
    files: i64,
    file_hashes: Vec<(String, String)>,
    added: i64,
    updated: i64,
    unchanged: i64,
    rejected: i64,
    older: i64,
    note: Option<String>,
    started_at: String,
    started: Instant,
    /// When the run last stored something (its duration ends there).
    last: Instant,
}

#[derive(Debug, Clone)]
struct Existing {
    id: i64,
    modified: Option<String>,
    sha256: String,
}

#[derive(Debug, Default, Clone, Copy)]
struct NextIds {
    run: i64,
    vuln: i64,
    record: i64,
    score: i64,
    package: i64,
    config: i64,
    cpe: i64,
    csaf: i64,
    change: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct EpssStored {
    epss: i64,
    percentile: i64,
    model: Option<String>,
    date: Option<String>,
}

const VULN_COLS: &[&str] = &[
    "id",
    "primary_id",
    "summary",
    "details",
    "published",
    "modified",
    "withdrawn",
    "rejected",
    "created_run",
    "updated_run",
];
const RECORD_COLS: &[&str] = &[
    "id",
    "source",
    "record_key",
    "record_id",
    "document",
    "vuln_id",
    "published",
    "modified",
    "withdrawn",
    "rejected",
    "status",
    "summary",
    "details",
    "sha256",
    "raw_json",
    "run_id",
];
const KEV_COLS: &[&str] = &[
    "cve",
    "vendor_project",
    "product",
    "vulnerability_name",
    "date_added",
    "short_description",
    "required_action",
    "due_date",
    "ransomware_use",
    "notes",
    "cwes",
    "run_id",
];
const KEV_UPSERT: &str =
    " ON CONFLICT (cve) DO UPDATE SET vendor_project = excluded.vendor_project, \
    product = excluded.product, vulnerability_name = excluded.vulnerability_name, \
    date_added = excluded.date_added, short_description = excluded.short_description, \
    required_action = excluded.required_action, due_date = excluded.due_date, \
    ransomware_use = excluded.ransomware_use, notes = excluded.notes, cwes = excluded.cwes, \
    run_id = excluded.run_id";
const EPSS_COLS: &[&str] = &[
    "cve",
    "epss_e9",
    "percentile_e9",
    "model_version",
    "score_date",
    "run_id",
];
const EPSS_UPSERT: &str = " ON CONFLICT (cve) DO UPDATE SET epss_e9 = excluded.epss_e9, \
    percentile_e9 = excluded.percentile_e9, model_version = excluded.model_version, \
    score_date = excluded.score_date, run_id = excluded.run_id";

/// Tables whose rows belong to a source record (replaced when the record is updated).
const CHILD_TABLES: &[&str] = &[
    "scores",
    "affected_packages",
    "cpe_configurations",
    "cpe_index",
    "csaf_product_status",
];

/// Rows buffered before a flush (bounded, so memory stays flat on large feeds).
const FLUSH_ROWS: usize = 20_000;

struct Buffers {
    vulns: Bulk,
    records: Bulk,
    aliases: Bulk,
    scores: Bulk,
    packages: Bulk,
    configs: Bulk,
    cpes: Bulk,
    csaf: Bulk,
    changes: Bulk,
    kev: HashMap<String, Vec<Val>>,
    epss: Vec<Val>,
    /// Source records to rewrite in place: (id, values of RECORD_COLS without id).
    record_updates: Vec<(i64, Vec<Val>)>,
    /// Source records whose child rows must go before the new ones are inserted.
    child_deletes: Vec<i64>,
    /// Ids of source records inserted into `records` but not yet flushed.
    unflushed_records: HashSet<i64>,
}

impl Buffers {
    fn new() -> Self {
        Self {
            vulns: Bulk::new("vulnerabilities", VULN_COLS),
            records: Bulk::new("source_records", RECORD_COLS),
            aliases: Bulk::new("aliases", &["alias", "vuln_id"]),
            scores: Bulk::new(
                "scores",
                &[
                    "id",
                    "vuln_id",
                    "record_id",
                    "feed",
                    "provider",
                    "kind",
                    "cvss_version",
                    "vector",
                    "base_score",
                    "severity",
                    "products",
                ],
            ),
            packages: Bulk::new(
                "affected_packages",
                &[
                    "id",
                    "vuln_id",
                    "record_id",
                    "ecosystem",
                    "name",
                    "purl",
                    "purl_type",
                    "purl_namespace",
                    "purl_name",
                    "ranges_json",
                    "versions_json",
                ],
            ),
            configs: Bulk::new(
                "cpe_configurations",
                &["id", "vuln_id", "record_id", "config_json"],
            ),
            cpes: Bulk::new(
                "cpe_index",
                &[
                    "id",
                    "vuln_id",
                    "record_id",
                    "part",
                    "vendor",
                    "product",
                    "vulnerable",
                ],
            ),
            csaf: Bulk::new(
                "csaf_product_status",
                &[
                    "id",
                    "vuln_id",
                    "record_id",
                    "document",
                    "product_id",
                    "status",
                    "name",
                    "purl",
                    "cpe",
                ],
            ),
            changes: Bulk::new(
                "vuln_changes",
                &[
                    "id",
                    "run_id",
                    "vuln_id",
                    "change",
                    "source",
                    "record_key",
                    "detail",
                ],
            ),
            kev: HashMap::new(),
            epss: Vec::new(),
            record_updates: Vec::new(),
            child_deletes: Vec::new(),
            unflushed_records: HashSet::new(),
        }
    }

    fn rows(&self) -> usize {
        self.vulns.rows()
            + self.records.rows()
            + self.aliases.rows()
            + self.scores.rows()
            + self.packages.rows()
            + self.configs.rows()
            + self.cpes.rows()
            + self.csaf.rows()
            + self.changes.rows()
            + self.kev.len()
            + self.epss.len() / EPSS_COLS.len()
            + self.record_updates.len()
    }
}

/// An import in progress: see the module docs.
pub struct FeedImport {
    via: &'static str,
    next: NextIds,
    runs: Vec<RunState>,
    alias_vuln: HashMap<String, i64>,
    vuln_aliases: HashMap<i64, Vec<String>>,
    vuln_primary: HashMap<i64, String>,
    records: HashMap<(String, String), Existing>,
    loaded_sources: HashSet<String>,
    epss: Option<HashMap<String, EpssStored>>,
    /// Vulnerabilities whose derived columns must be recomputed from their records.
    stale_vulns: BTreeSet<i64>,
    /// Vulnerabilities created by this import, with how many records touched them.
    fresh_vulns: HashMap<i64, u32>,
    buf: Buffers,
}

impl std::fmt::Debug for FeedImport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FeedImport")
            .field("via", &self.via)
            .field("runs", &self.runs)
            .finish_non_exhaustive()
    }
}

async fn max_id(conn: &mut sqlx::AnyConnection, table: &str) -> Result<i64, StoreError> {
    Ok(
        sqlx::query_scalar(&format!("SELECT COALESCE(MAX(id), 0) + 1 FROM {table}"))
            .fetch_one(conn)
            .await?,
    )
}

/// UTC, fixed width, so that text order is time order.
pub fn format_ts(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
    );
    t.format(&format)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// The merge key of an id: CVE ids upper-cased, everything trimmed.
pub fn normalize_id(id: &str) -> String {
    let t = id.trim();
    if postmarket_advisories::is_cve_id(t) {
        t.to_ascii_uppercase()
    } else {
        t.to_string()
    }
}

/// The display id of a set of ids: the smallest CVE id (by year, then number), else the smallest id.
pub fn primary_of<'a>(ids: impl IntoIterator<Item = &'a String>) -> String {
    let ids: Vec<&String> = ids.into_iter().collect();
    let cve_order = |id: &str| -> (u32, u64) {
        let mut p = id.split('-').skip(1);
        (
            p.next().and_then(|s| s.parse().ok()).unwrap_or(u32::MAX),
            p.next().and_then(|s| s.parse().ok()).unwrap_or(u64::MAX),
        )
    };
    ids.iter()
        .filter(|i| postmarket_advisories::is_cve_id(i))
        .min_by_key(|i| cve_order(i))
        .or_else(|| ids.iter().min())
        .map(|s| (*s).clone())
        .unwrap_or_default()
}

/// Rejected is the CVE authority withdrawing an id (NVD, CVE 5); withdrawn is a database
/// withdrawing its advisory (OSV).
fn is_rejection(r: &VulnRecord) -> bool {
    r.withdrawn && matches!(r.source, Source::Nvd | Source::Nvd11 | Source::Cve5)
}

fn to_e9(x: f64) -> i64 {
    (x * 1e9).round() as i64
}

impl FeedImport {
    /// Prepares an import inside `w`; `via` is `import` or `sync`.
    pub async fn start(w: &mut Write, via: &'static str) -> Result<Self, StoreError> {
        let conn = w.conn();
        let next = NextIds {
            run: max_id(conn, "feed_runs").await?,
            vuln: max_id(conn, "vulnerabilities").await?,
            record: max_id(conn, "source_records").await?,
            score: max_id(conn, "scores").await?,
            package: max_id(conn, "affected_packages").await?,
            config: max_id(conn, "cpe_configurations").await?,
            cpe: max_id(conn, "cpe_index").await?,
            csaf: max_id(conn, "csaf_product_status").await?,
            change: max_id(conn, "vuln_changes").await?,
        };
        let mut alias_vuln = HashMap::new();
        let mut vuln_aliases: HashMap<i64, Vec<String>> = HashMap::new();
        let rows = sqlx::query("SELECT alias, vuln_id FROM aliases")
            .fetch_all(&mut *conn)
            .await?;
        for row in rows {
            let alias: String = row.try_get(0)?;
            let vuln: i64 = row.try_get(1)?;
            vuln_aliases.entry(vuln).or_default().push(alias.clone());
            alias_vuln.insert(alias, vuln);
        }
        let mut vuln_primary = HashMap::new();
        for row in sqlx::query("SELECT id, primary_id FROM vulnerabilities")
            .fetch_all(&mut *conn)
            .await?
        {
            vuln_primary.insert(row.try_get::<i64, _>(0)?, row.try_get::<String, _>(1)?);
        }
        Ok(Self {
            via,
            next,
            runs: Vec::new(),
            alias_vuln,
            vuln_aliases,
            vuln_primary,
            records: HashMap::new(),
            loaded_sources: HashSet::new(),
            epss: None,
            stale_vulns: BTreeSet::new(),
            fresh_vulns: HashMap::new(),
            buf: Buffers::new(),
        })
    }

    /// Opens a run of `source` (e.g. `nvd-1.1`) read as `kind` from `file` (a path or URL).
    pub async fn begin_run(
        &mut self,
        w: &mut Write,
        source: &str,
        kind: &str,
        file: &str,
    ) -> Result<RunId, StoreError> {
        let id = self.next.run;
        self.next.run += 1;
        let started_at = crate::now_rfc3339();
        sqlx::query(
            "INSERT INTO feed_runs (id, source, kind, via, file, files, sha256, added, updated, unchanged, \
             rejected, duration_ms, started_at, finished_at) VALUES ($1, $2, $3, $4, $5, 0, '', 0, 0, 0, 0, 0, $6, $6)",
        )
        .bind(id)
        .bind(source)
        .bind(kind)
        .bind(self.via)
        .bind(file)
        .bind(&started_at)
        .execute(w.conn())
        .await?;
        self.runs.push(RunState {
            id,
            source: source.to_string(),
            kind: kind.to_string(),
            file: file.to_string(),
            files: 0,
            file_hashes: Vec::new(),
            added: 0,
            updated: 0,
            unchanged: 0,
            rejected: 0,
            older: 0,
            note: None,
            started_at,
            started: Instant::now(),
            last: Instant::now(),
        });
        Ok(RunId(self.runs.len() - 1))
    }

    /// Notes one input file of a run: its name (relative to the run's path) and SHA-256.
    pub fn add_file(&mut self, run: RunId, name: &str, sha256: &str) {
        let r = &mut self.runs[run.0];
        r.files += 1;
        r.file_hashes.push((name.to_string(), sha256.to_string()));
    }

    /// Says how the run's input was checked; recorded as the reason of its audit event.
    pub fn set_note(&mut self, run: RunId, note: impl Into<String>) {
        self.runs[run.0].note = Some(note.into());
    }

    /// Counts records the parser refused (reported as diagnostics).
    pub fn add_rejected(&mut self, run: RunId, n: usize) {
        self.runs[run.0].rejected += n as i64;
    }

    /// Counts so far of a run: (added, updated, unchanged, rejected).
    pub fn counts(&self, run: RunId) -> (i64, i64, i64, i64) {
        let r = &self.runs[run.0];
        (r.added, r.updated, r.unchanged, r.rejected)
    }

    async fn load_source(&mut self, w: &mut Write, source: &str) -> Result<(), StoreError> {
        if !self.loaded_sources.insert(source.to_string()) {
            return Ok(());
        }
        let rows = sqlx::query(
            "SELECT record_key, id, modified, sha256 FROM source_records WHERE source = $1",
        )
        .bind(source)
        .fetch_all(w.conn())
        .await?;
        for row in rows {
            self.records.insert(
                (source.to_string(), row.try_get(0)?),
                Existing {
                    id: row.try_get(1)?,
                    modified: row.try_get(2)?,
                    sha256: row.try_get(3)?,
                },
            );
        }
        Ok(())
    }

    /// Upserts records into a run.
    pub async fn records(
        &mut self,
        w: &mut Write,
        run: RunId,
        items: Vec<ImportItem>,
    ) -> Result<(), StoreError> {
        let run_id = self.runs[run.0].id;
        for item in items {
            let source = item.record.source.as_str().to_string();
            self.load_source(w, &source).await?;
            let key = item.record_key();
            let raw = serde_json::to_string(&item.record)
                .map_err(|e| StoreError::Corrupt(format!("cannot serialise a record: {e}")))?;
            let mut h = Sha256::new();
            h.update(raw.as_bytes());
            let kev_json = item
                .kev
                .as_ref()
                .map(|k| serde_json::to_string(k).unwrap_or_default());
            if let Some(k) = &kev_json {
                h.update(b"\nkev:");
                h.update(k.as_bytes());
            }
            let sha = hex::encode(h.finalize());
            let modified = item.record.modified.map(format_ts);
            let existing = self.records.get(&(source.clone(), key.clone())).cloned();
            if let Some(e) = &existing {
                if e.sha256 == sha {
                    self.runs[run.0].unchanged += 1;
                    continue;
                }
                if let (Some(new), Some(old)) = (&modified, &e.modified) {
                    if new < old {
                        self.runs[run.0].unchanged += 1;
                        self.runs[run.0].older += 1;
                        continue;
                    }
                }
                if self.buf.unflushed_records.contains(&e.id) {
                    // The same record twice before a flush: write the first one out, so that
                    // its children are in place to be replaced.
                    self.flush(w).await?;
                }
            }

            let mut ids: Vec<String> = Vec::new();
            for id in item.record.all_ids() {
                let n = normalize_id(id);
                if !n.is_empty() && !ids.contains(&n) {
                    ids.push(n);
                }
            }
            if ids.is_empty() {
                self.runs[run.0].rejected += 1;
                continue;
            }
            let vuln = self.resolve_vuln(w, run_id, &ids, &item).await?;
            for id in &ids {
                if !self.alias_vuln.contains_key(id) {
                    self.alias_vuln.insert(id.clone(), vuln);
                    self.vuln_aliases.entry(vuln).or_default().push(id.clone());
                    self.buf
                        .aliases
                        .push([Val::text(id.clone()), Val::Int(vuln)]);
                    if !self.fresh_vulns.contains_key(&vuln) {
                        self.stale_vulns.insert(vuln);
                    }
                }
            }

            let r = &item.record;
            let row_tail = vec![
                Val::text(source.clone()),
                Val::text(key.clone()),
                Val::text(r.id.clone()),
                Val::opt_text(item.document.clone()),
                Val::Int(vuln),
                Val::opt_text(r.published.map(format_ts)),
                Val::opt_text(modified.clone()),
                Val::flag(r.withdrawn),
                Val::flag(is_rejection(r)),
                Val::opt_text(r.status.clone()),
                Val::opt_text(r.summary.clone()),
                Val::opt_text(r.details.clone()),
                Val::text(sha.clone()),
                Val::text(raw),
                Val::Int(run_id),
            ];
            let (record_id, change) = match &existing {
                Some(e) => {
                    self.buf.child_deletes.push(e.id);
                    self.buf.record_updates.push((e.id, row_tail));
                    self.runs[run.0].updated += 1;
                    (e.id, "updated")
                }
                None => {
                    let id = self.next.record;
                    self.next.record += 1;
                    let mut row = vec![Val::Int(id)];
                    row.extend(row_tail);
                    self.buf.records.push(row);
                    self.buf.unflushed_records.insert(id);
                    self.runs[run.0].added += 1;
                    (id, "added")
                }
            };
            self.records.insert(
                (source.clone(), key.clone()),
                Existing {
                    id: record_id,
                    modified,
                    sha256: sha,
                },
            );
            self.push_children(vuln, record_id, &item);
            if let (Some(kev), Some(_)) = (&item.kev, &kev_json) {
                self.buf.kev.insert(
                    kev.cve_id.clone(),
                    vec![
                        Val::text(kev.cve_id.clone()),
                        Val::text(kev.vendor_project.clone()),
                        Val::text(kev.product.clone()),
                        Val::text(kev.vulnerability_name.clone()),
                        Val::text(kev.date_added.clone()),
                        Val::text(kev.short_description.clone()),
                        Val::text(kev.required_action.clone()),
                        Val::opt_text(kev.due_date.clone()),
                        Val::opt_text(kev.known_ransomware_campaign_use.clone()),
                        Val::opt_text(kev.notes.clone()),
                        Val::text(serde_json::to_string(&kev.cwes).unwrap_or_default()),
                        Val::Int(run_id),
                    ],
                );
            }
            let change_id = self.next.change;
            self.next.change += 1;
            self.buf.changes.push([
                Val::Int(change_id),
                Val::Int(run_id),
                Val::Int(vuln),
                Val::text(change),
                Val::text(source),
                Val::text(key),
                Val::NullText,
            ]);
            if self.buf.rows() >= FLUSH_ROWS {
                self.flush(w).await?;
            }
        }
        self.runs[run.0].last = Instant::now();
        Ok(())
    }

    /// The vulnerability a record belongs to: found by any of its ids, created, or — when its ids
    /// name several — the oldest of them, with the others merged into it.
    async fn resolve_vuln(
        &mut self,
        w: &mut Write,
        run_id: i64,
        ids: &[String],
        item: &ImportItem,
    ) -> Result<i64, StoreError> {
        let found: BTreeSet<i64> = ids
            .iter()
            .filter_map(|i| self.alias_vuln.get(i).copied())
            .collect();
        let mut found = found.into_iter();
        let Some(survivor) = found.next() else {
            let id = self.next.vuln;
            self.next.vuln += 1;
            let r = &item.record;
            let primary = primary_of(ids.iter());
            self.buf.vulns.push([
                Val::Int(id),
                Val::text(primary.clone()),
                Val::opt_text(r.summary.clone()),
                Val::opt_text(r.details.clone()),
                Val::opt_text(r.published.map(format_ts)),
                Val::opt_text(r.modified.map(format_ts)),
                Val::flag(r.withdrawn),
                Val::flag(is_rejection(r)),
                Val::Int(run_id),
                Val::Int(run_id),
            ]);
            self.vuln_primary.insert(id, primary);
            self.fresh_vulns.insert(id, 1);
            return Ok(id);
        };
        match self.fresh_vulns.get_mut(&survivor) {
            Some(n) => *n += 1,
            None => {
                self.stale_vulns.insert(survivor);
            }
        }
        let losers: Vec<i64> = found.collect();
        if !losers.is_empty() {
            self.flush(w).await?;
            for loser in losers {
                self.merge_into(w, run_id, survivor, loser, &item.record)
                    .await?;
            }
        }
        Ok(survivor)
    }

    async fn merge_into(
        &mut self,
        w: &mut Write,
        run_id: i64,
        survivor: i64,
        loser: i64,
        because: &VulnRecord,
    ) -> Result<(), StoreError> {
        for t in [
            "aliases",
            "source_records",
            "scores",
            "affected_packages",
            "cpe_configurations",
            "cpe_index",
            "csaf_product_status",
            "vuln_changes",
        ] {
            sqlx::query(&format!("UPDATE {t} SET vuln_id = $1 WHERE vuln_id = $2"))
                .bind(survivor)
                .bind(loser)
                .execute(w.conn())
                .await?;
        }
        sqlx::query("DELETE FROM vulnerabilities WHERE id = $1")
            .bind(loser)
            .execute(w.conn())
            .await?;
        let moved = self.vuln_aliases.remove(&loser).unwrap_or_default();
        for a in &moved {
            self.alias_vuln.insert(a.clone(), survivor);
        }
        self.vuln_aliases
            .entry(survivor)
            .or_default()
            .extend(moved.iter().cloned());
        let loser_primary = self.vuln_primary.remove(&loser).unwrap_or_default();
        self.fresh_vulns.remove(&loser);
        self.stale_vulns.remove(&loser);
        self.fresh_vulns.remove(&survivor);
        self.stale_vulns.insert(survivor);
        let change_id = self.next.change;
        self.next.change += 1;
        self.buf.changes.push([
            Val::Int(change_id),
            Val::Int(run_id),
            Val::Int(survivor),
            Val::text("merged"),
            Val::text(because.source.as_str()),
            Val::text(because.id.clone()),
            Val::text(format!(
                "{loser_primary} (vulnerability {loser}) merged in: {} names both",
                because.id
            )),
        ]);
        Ok(())
    }

    fn push_children(&mut self, vuln: i64, record_id: i64, item: &ImportItem) {
        let r = &item.record;
        for s in &r.scores {
            let id = self.next.score;
            self.next.score += 1;
            self.buf.scores.push([
                Val::Int(id),
                Val::Int(vuln),
                Val::Int(record_id),
                Val::text(s.feed.as_str()),
                Val::text(s.source.clone()),
                Val::text(match s.kind {
                    postmarket_advisories::ScoreKind::Primary => "primary",
                    postmarket_advisories::ScoreKind::Secondary => "secondary",
                }),
                Val::text(s.version.as_str()),
                Val::text(s.vector.clone()),
                Val::opt_text(s.base_score.map(|b| b.to_string())),
                Val::opt_text(s.severity.clone()),
                Val::opt_text(
                    (!s.products.is_empty())
                        .then(|| serde_json::to_string(&s.products).unwrap_or_default()),
                ),
            ]);
        }
        let mut pairs: BTreeSet<(String, String, String, bool)> = BTreeSet::new();
        for a in &r.affected {
            match a {
                Affected::Package(p) => {
                    let key =
                        package_key(p.ecosystem.as_deref(), p.name.as_deref(), p.purl.as_deref());
                    let id = self.next.package;
                    self.next.package += 1;
                    let (ty, ns, name) = match key {
                        Some((t, n, m)) => (Val::text(t), Val::opt_text(n), Val::text(m)),
                        None => (Val::NullText, Val::NullText, Val::NullText),
                    };
                    self.buf.packages.push([
                        Val::Int(id),
                        Val::Int(vuln),
                        Val::Int(record_id),
                        Val::opt_text(p.ecosystem.clone()),
                        Val::opt_text(p.name.clone()),
                        Val::opt_text(p.purl.clone()),
                        ty,
                        ns,
                        name,
                        Val::text(serde_json::to_string(&p.ranges).unwrap_or_default()),
                        Val::text(serde_json::to_string(&p.versions).unwrap_or_default()),
                    ]);
                }
                Affected::Cpe(cfg) => {
                    self.push_config(vuln, record_id, a);
                    for node in &cfg.nodes {
                        collect_cpes(node, &mut pairs);
                    }
                }
                Affected::Product(p) => {
                    self.push_config(vuln, record_id, a);
                    for c in &p.cpes {
                        if let Some(pair) = cpe_pair(c, true) {
                            pairs.insert(pair);
                        }
                    }
                    if p.cpes.is_empty() {
                        if let (Some(v), Some(pr)) = (&p.vendor, &p.product) {
                            let norm = |s: &str| s.trim().to_lowercase().replace(' ', "_");
                            if !v.trim().is_empty() && !pr.trim().is_empty() {
                                pairs.insert(("*".into(), norm(v), norm(pr), true));
                            }
                        }
                    }
                }
                Affected::Csaf(c) => {
                    let id = self.next.csaf;
                    self.next.csaf += 1;
                    self.buf.csaf.push([
                        Val::Int(id),
                        Val::Int(vuln),
                        Val::Int(record_id),
                        Val::text(item.document.clone().unwrap_or_default()),
                        Val::text(c.product_id.clone()),
                        Val::text(c.status.clone()),
                        Val::opt_text(c.name.clone()),
                        Val::opt_text(c.purl.clone()),
                        Val::opt_text(c.cpe.clone()),
                    ]);
                    if let Some(pair) = c
                        .cpe
                        .as_deref()
                        .and_then(|cpe| cpe_pair(cpe, c.status.contains("affected")))
                    {
                        pairs.insert(pair);
                    }
                }
            }
        }
        for (part, vendor, product, vulnerable) in pairs {
            let id = self.next.cpe;
            self.next.cpe += 1;
            self.buf.cpes.push([
                Val::Int(id),
                Val::Int(vuln),
                Val::Int(record_id),
                Val::text(part),
                Val::text(vendor),
                Val::text(product),
                Val::flag(vulnerable),
            ]);
        }
    }

    fn push_config(&mut self, vuln: i64, record_id: i64, a: &Affected) {
        let id = self.next.config;
        self.next.config += 1;
        self.buf.configs.push([
            Val::Int(id),
            Val::Int(vuln),
            Val::Int(record_id),
            Val::text(serde_json::to_string(a).unwrap_or_default()),
        ]);
    }

    /// Upserts an EPSS snapshot (the latest score per CVE; an older score date never replaces a
    /// newer one).
    pub async fn epss(
        &mut self,
        w: &mut Write,
        run: RunId,
        snap: &EpssSnapshot,
    ) -> Result<(), StoreError> {
        let run_id = self.runs[run.0].id;
        if self.epss.is_none() {
            let mut map = HashMap::new();
            let rows = sqlx::query(
                "SELECT cve, epss_e9, percentile_e9, model_version, score_date FROM epss_scores",
            )
            .fetch_all(w.conn())
            .await?;
            for row in rows {
                map.insert(
                    row.try_get::<String, _>(0)?,
                    EpssStored {
                        epss: row.try_get(1)?,
                        percentile: row.try_get(2)?,
                        model: row.try_get(3)?,
                        date: row.try_get(4)?,
                    },
                );
            }
            self.epss = Some(map);
        }
        let file_date = snap
            .score_date
            .map(|d| d.date().to_string())
            .or_else(|| snap.score_date_raw.clone());
        for row in &snap.rows {
            let new = EpssStored {
                epss: to_e9(row.epss),
                percentile: to_e9(row.percentile),
                model: snap.model_version.clone(),
                date: row.date.clone().or_else(|| file_date.clone()),
            };
            let cve = row.cve.to_ascii_uppercase();
            let map = self.epss.get_or_insert_with(HashMap::new);
            let runs = &mut self.runs[run.0];
            match map.get(&cve) {
                Some(old) if *old == new => {
                    runs.unchanged += 1;
                    continue;
                }
                Some(old) if matches!((&new.date, &old.date), (Some(n), Some(o)) if n < o) => {
                    runs.unchanged += 1;
                    runs.older += 1;
                    continue;
                }
                Some(_) => runs.updated += 1,
                None => runs.added += 1,
            }
            self.buf.epss.extend([
                Val::text(cve.clone()),
                Val::Int(new.epss),
                Val::Int(new.percentile),
                Val::opt_text(new.model.clone()),
                Val::opt_text(new.date.clone()),
                Val::Int(run_id),
            ]);
            map.insert(cve, new);
            if self.buf.epss.len() / EPSS_COLS.len() >= 100_000 {
                self.flush_epss(w).await?;
            }
        }
        self.flush_epss(w).await?;
        self.runs[run.0].last = Instant::now();
        Ok(())
    }

    async fn flush_epss(&mut self, w: &mut Write) -> Result<(), StoreError> {
        // One CVE appears once per flush: a snapshot repeats no CVE, and a time series is
        // reduced to its latest date above.
        let mut seen: HashMap<String, usize> = HashMap::new();
        let vals = std::mem::take(&mut self.buf.epss);
        let width = EPSS_COLS.len();
        let mut rows: Vec<&[Val]> = Vec::with_capacity(vals.len() / width);
        for row in vals.chunks(width) {
            let Val::Text(cve) = &row[0] else { continue };
            match seen.get(cve) {
                Some(&i) => rows[i] = row,
                None => {
                    seen.insert(cve.clone(), rows.len());
                    rows.push(row);
                }
            }
        }
        let mut bulk = Bulk::with_suffix("epss_scores", EPSS_COLS, EPSS_UPSERT);
        for row in rows {
            bulk.push(row.iter().cloned());
        }
        bulk.flush(w.conn()).await?;
        Ok(())
    }

    /// Writes every buffered row, in dependency order.
    async fn flush(&mut self, w: &mut Write) -> Result<(), StoreError> {
        let conn = w.conn();
        let b = &mut self.buf;
        b.vulns.flush(conn).await?;
        b.records.flush(conn).await?;
        b.unflushed_records.clear();
        for chunk in b.child_deletes.chunks(500) {
            let list = placeholders(chunk.len(), 1);
            let vals: Vec<Val> = chunk.iter().map(|i| Val::Int(*i)).collect();
            for t in CHILD_TABLES {
                let sql = format!("DELETE FROM {t} WHERE record_id IN ({list})");
                bind_all(sqlx::query(&sql).persistent(false), &vals)
                    .execute(&mut *conn)
                    .await?;
            }
        }
        b.child_deletes.clear();
        if !b.record_updates.is_empty() {
            let set: Vec<String> = RECORD_COLS[1..]
                .iter()
                .enumerate()
                .map(|(i, c)| format!("{c} = ${}", i + 1))
                .collect();
            let sql = format!(
                "UPDATE source_records SET {} WHERE id = ${}",
                set.join(", "),
                RECORD_COLS.len()
            );
            for (id, mut vals) in std::mem::take(&mut b.record_updates) {
                vals.push(Val::Int(id));
                bind_all(sqlx::query(&sql), &vals)
                    .execute(&mut *conn)
                    .await?;
            }
        }
        b.aliases.flush(conn).await?;
        b.scores.flush(conn).await?;
        b.packages.flush(conn).await?;
        b.configs.flush(conn).await?;
        b.cpes.flush(conn).await?;
        b.csaf.flush(conn).await?;
        b.changes.flush(conn).await?;
        if !b.kev.is_empty() {
            let mut kev = Bulk::with_suffix("kev_entries", KEV_COLS, KEV_UPSERT);
            let mut entries: Vec<_> = std::mem::take(&mut b.kev).into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            for (_, row) in entries {
                kev.push(row);
            }
            kev.flush(conn).await?;
        }
        if !b.epss.is_empty() {
            self.flush_epss(w).await?;
        }
        Ok(())
    }

    /// Flushes, recomputes what changed vulnerabilities derive from their records, and closes
    /// every run: a run that changed something is recorded (its row and one audit event), one
    /// that changed nothing is removed again. Returns every run.
    pub async fn finish(mut self, w: &mut Write) -> Result<Vec<FeedRun>, StoreError> {
        self.flush(w).await?;
        let last_run = self.runs.last().map(|r| r.id).unwrap_or(0);
        // Vulnerabilities created by this import from a single record already hold that
        // record's values; every other touched one is recomputed.
        let mut recompute: BTreeSet<i64> = self.stale_vulns.clone();
        recompute.extend(
            self.fresh_vulns
                .iter()
                .filter(|(_, n)| **n > 1)
                .map(|(id, _)| *id),
        );
        let recompute: Vec<i64> = recompute.into_iter().collect();
        for chunk in recompute.chunks(500) {
            self.recompute(w, chunk, last_run).await?;
        }
        let mut out = Vec::with_capacity(self.runs.len());
        for r in std::mem::take(&mut self.runs) {
            let finished_at = crate::now_rfc3339();
            let mut files = r.file_hashes.clone();
            files.sort();
            let sha256 = if files.len() == 1 {
                files[0].1.clone()
            } else {
                let mut h = Sha256::new();
                for (name, sha) in &files {
                    h.update(format!("{sha}  {name}\n").as_bytes());
                }
                hex::encode(h.finalize())
            };
            let duration_ms = i64::try_from((r.last - r.started).as_millis()).unwrap_or(i64::MAX);
            let mut run = FeedRun {
                id: Some(r.id),
                source: r.source,
                kind: r.kind,
                via: self.via.to_string(),
                file: r.file,
                files: r.files,
                sha256,
                added: r.added,
                updated: r.updated,
                unchanged: r.unchanged,
                rejected: r.rejected,
                older: r.older,
                duration_ms,
                started_at: r.started_at,
                finished_at,
                note: r.note,
            };
            if run.changed() {
                sqlx::query(
                    "UPDATE feed_runs SET files = $1, sha256 = $2, added = $3, updated = $4, unchanged = $5, \
                     rejected = $6, duration_ms = $7, finished_at = $8 WHERE id = $9",
                )
                .bind(run.files)
                .bind(&run.sha256)
                .bind(run.added)
                .bind(run.updated)
                .bind(run.unchanged)
                .bind(run.rejected)
                .bind(run.duration_ms)
                .bind(&run.finished_at)
                .bind(r.id)
                .execute(w.conn())
                .await?;
                let after = read_row_json(w.conn(), table("feed_runs"), r.id).await?;
                let action = format!("feeds.{}", self.via);
                w.record(&action, "feed_run", r.id, None, after, run.note.as_deref())
                    .await?;
            } else {
                sqlx::query("DELETE FROM feed_runs WHERE id = $1")
                    .bind(r.id)
                    .execute(w.conn())
                    .await?;
                run.id = None;
            }
            out.push(run);
        }
        Ok(out)
    }

    async fn recompute(
        &mut self,
        w: &mut Write,
        ids: &[i64],
        run_id: i64,
    ) -> Result<(), StoreError> {
        // Summary and details from the most authoritative record that has them.
        const RANK: &str =
            "CASE s.source WHEN 'nvd' THEN 0 WHEN 'nvd-1.1' THEN 1 WHEN 'cve5' THEN 2 \
                            WHEN 'osv' THEN 3 WHEN 'kev' THEN 4 WHEN 'csaf' THEN 5 ELSE 6 END";
        let list = placeholders(ids.len(), 2);
        let sql = format!(
            "UPDATE vulnerabilities SET \
             summary = (SELECT s.summary FROM source_records s WHERE s.vuln_id = vulnerabilities.id AND s.summary IS NOT NULL ORDER BY {RANK}, s.modified DESC LIMIT 1), \
             details = (SELECT s.details FROM source_records s WHERE s.vuln_id = vulnerabilities.id AND s.details IS NOT NULL ORDER BY {RANK}, s.modified DESC LIMIT 1), \
             published = (SELECT MIN(s.published) FROM source_records s WHERE s.vuln_id = vulnerabilities.id), \
             modified = (SELECT MAX(s.modified) FROM source_records s WHERE s.vuln_id = vulnerabilities.id), \
             withdrawn = (SELECT COALESCE(MIN(s.withdrawn), 0) FROM source_records s WHERE s.vuln_id = vulnerabilities.id), \
             rejected = (SELECT COALESCE(MAX(s.rejected), 0) FROM source_records s WHERE s.vuln_id = vulnerabilities.id), \
             updated_run = $1 \
             WHERE id IN ({list})"
        );
        let mut vals = vec![Val::Int(run_id)];
        vals.extend(ids.iter().map(|i| Val::Int(*i)));
        bind_all(sqlx::query(&sql).persistent(false), &vals)
            .execute(w.conn())
            .await?;
        for id in ids {
            let Some(aliases) = self.vuln_aliases.get(id) else {
                continue;
            };
            let primary = primary_of(aliases.iter());
            if self.vuln_primary.get(id) != Some(&primary) {
                sqlx::query("UPDATE vulnerabilities SET primary_id = $1 WHERE id = $2")
                    .bind(&primary)
                    .bind(*id)
                    .execute(w.conn())
                    .await?;
                self.vuln_primary.insert(*id, primary);
            }
        }
        Ok(())
    }
}

fn collect_cpes(node: &CpeNode, out: &mut BTreeSet<(String, String, String, bool)>) {
    for m in &node.cpe_match {
        if let Some(p) = cpe_pair(&m.criteria, m.vulnerable) {
            out.insert(p);
        }
    }
    for c in &node.children {
        collect_cpes(c, out);
    }
}

/// `(part, vendor, product, vulnerable)` of a CPE 2.3 string (or a CPE 2.2 URI), lower-cased.
pub fn cpe_pair(cpe: &str, vulnerable: bool) -> Option<(String, String, String, bool)> {
    let (part, vendor, product) = cpe_vendor_product(cpe)?;
    Some((part, vendor, product, vulnerable))
}

/// `(part, vendor, product)` of a CPE 2.3 formatted string or a CPE 2.2 URI, lower-cased.
pub fn cpe_vendor_product(cpe: &str) -> Option<(String, String, String)> {
    let cpe = cpe.trim();
    if let Ok(c) = postmarket_ident::Cpe23::parse(cpe) {
        let vendor = c.vendor_unescaped()?.to_lowercase();
        let product = c.product_unescaped()?.to_lowercase();
        return Some((c.part().to_string(), vendor, product));
    }
    // CPE 2.2 URI: cpe:/a:vendor:product:version
    let rest = cpe.strip_prefix("cpe:/")?;
    let mut parts = rest.split(':');
    let part = parts.next()?.to_string();
    let vendor = parts.next().filter(|s| !s.is_empty())?.to_lowercase();
    let product = parts.next().filter(|s| !s.is_empty())?.to_lowercase();
    Some((part, vendor, product))
}

/// The package key (purl type, namespace, name) of an affected package: from its purl when it
/// has one, else from its OSV ecosystem and name. `None` when neither gives one (GIT ranges, an
/// unknown ecosystem).
pub fn package_key(
    ecosystem: Option<&str>,
    name: Option<&str>,
    purl: Option<&str>,
) -> Option<(String, Option<String>, String)> {
    if let Some(p) = purl.and_then(|p| postmarket_ident::PackageUrl::parse(p).ok()) {
        return Some((
            p.ty().to_string(),
            p.namespace().map(str::to_string),
            p.name().to_string(),
        ));
    }
    let eco = ecosystem?.split(':').next()?.trim();
    let name = name?.trim();
    if name.is_empty() {
        return None;
    }
    let (ty, fixed_ns) = match eco {
        "crates.io" => ("cargo", None),
        "PyPI" => ("pypi", None),
        "Maven" => ("maven", None),
        "npm" => ("npm", None),
        "Go" => ("golang", None),
        "RubyGems" => ("gem", None),
        "NuGet" => ("nuget", None),
        "Packagist" => ("composer", None),
        "Hex" => ("hex", None),
        "Pub" => ("pub", None),
        "CRAN" => ("cran", None),
        "Hackage" => ("hackage", None),
        "SwiftURL" => ("swift", None),
        "ConanCenter" => ("conan", None),
        "GitHub Actions" => ("github", None),
        "Bitnami" => ("bitnami", None),
        "Debian" => ("deb", Some("debian")),
        "Ubuntu" => ("deb", Some("ubuntu")),
        "Alpine" => ("apk", Some("alpine")),
        "Wolfi" => ("apk", Some("wolfi")),
        "Chainguard" => ("apk", Some("chainguard")),
        "Red Hat" => ("rpm", Some("redhat")),
        "AlmaLinux" => ("rpm", Some("almalinux")),
        "Rocky Linux" => ("rpm", Some("rocky-linux")),
        "SUSE" => ("rpm", Some("suse")),
        "openSUSE" => ("rpm", Some("opensuse")),
        _ => return None,
    };
    let (ns, base): (Option<String>, String) = match ty {
        "maven" => match name.split_once(':') {
            Some((g, a)) => (Some(g.to_string()), a.to_string()),
            None => (None, name.to_string()),
        },
        "npm" if name.starts_with('@') => match name.split_once('/') {
            Some((s, n)) => (Some(s.to_string()), n.to_string()),
            None => (None, name.to_string()),
        },
        "golang" | "composer" | "github" => match name.rsplit_once('/') {
            Some((s, n)) => (Some(s.to_string()), n.to_string()),
            None => (None, name.to_string()),
        },
        _ => (fixed_ns.map(str::to_string), name.to_string()),
    };
    match postmarket_ident::PackageUrl::new(ty, ns.as_deref(), &base, None, [], None) {
        Ok(p) => Some((
            p.ty().to_string(),
            p.namespace().map(str::to_string),
            p.name().to_string(),
        )),
        Err(_) => Some((ty.to_string(), ns, base)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_keys_follow_the_purl_spec() {
        let k = |e, n| package_key(Some(e), Some(n), None);
        assert_eq!(
            k("Maven", "org.apache.logging.log4j:log4j-core"),
            Some((
                "maven".into(),
                Some("org.apache.logging.log4j".into()),
                "log4j-core".into()
            ))
        );
        assert_eq!(
            k("PyPI", "Django_Rest"),
            Some(("pypi".into(), None, "django-rest".into()))
        );
        assert_eq!(
            k("npm", "@babel/core"),
            Some(("npm".into(), Some("@babel".into()), "core".into()))
        );
        assert_eq!(
            k("Debian:11", "openssl"),
            Some(("deb".into(), Some("debian".into()), "openssl".into()))
        );
        assert_eq!(k("GIT", "https://x"), None);
        assert_eq!(k("Nonesuch", "x"), None);
        assert_eq!(
            package_key(Some("crates.io"), Some("x"), Some("pkg:cargo/tokio@1.0")),
            Some(("cargo".into(), None, "tokio".into()))
        );
    }

    #[test]
    fn cpe_pairs_from_both_cpe_forms() {
        assert_eq!(
            cpe_vendor_product("cpe:2.3:a:Apache:Log4j:2.0:*:*:*:*:*:*:*"),
            Some(("a".into(), "apache".into(), "log4j".into()))
        );
        assert_eq!(
            cpe_vendor_product("cpe:/o:linux:linux_kernel:5.0"),
            Some(("o".into(), "linux".into(), "linux_kernel".into()))
        );
        assert_eq!(cpe_vendor_product("not a cpe"), None);
    }

    #[test]
    fn primary_id_is_the_oldest_cve() {
        let ids = [
            "GHSA-xxxx".to_string(),
            "CVE-2021-10000".to_string(),
            "CVE-2021-9999".to_string(),
        ];
        assert_eq!(primary_of(ids.iter()), "CVE-2021-9999");
        let ids = ["RUSTSEC-2020-1".to_string(), "GHSA-a".to_string()];
        assert_eq!(primary_of(ids.iter()), "GHSA-a");
    }

    #[test]
    fn timestamps_have_one_width() {
        let t = time::macros::datetime!(2024-01-02 03:04:05 +02:00);
        assert_eq!(format_ts(t), "2024-01-02T01:04:05.000000Z");
    }
}

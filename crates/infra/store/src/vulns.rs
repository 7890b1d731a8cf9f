//! Reading vulnerability intelligence back: one vulnerability by any alias, searches by package
//! and CPE, per-source freshness, and the sync checkpoints.

use postmarket_advisories::VulnRecord;
use serde::Serialize;
use sqlx::Row;

use crate::bulk::{bind_all, placeholders, Val};
use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VulnRow {
    pub id: i64,
    pub primary_id: String,
    pub summary: Option<String>,
    pub details: Option<String>,
    pub published: Option<String>,
    pub modified: Option<String>,
    pub withdrawn: bool,
    pub rejected: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct StoredRecord {
    pub source: String,
    pub record_key: String,
    pub document: Option<String>,
    pub modified: Option<String>,
    pub run_id: i64,
    pub record: VulnRecord,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KevRow {
    pub cve: String,
    pub vendor_project: String,
    pub product: String,
    pub vulnerability_name: String,
    pub date_added: String,
    pub due_date: Option<String>,
    pub known_ransomware_campaign_use: Option<String>,
    pub required_action: String,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EpssRow {
    pub cve: String,
    pub epss: f64,
    pub percentile: f64,
    pub model_version: Option<String>,
    pub score_date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackageRow {
    pub source: String,
    pub record_id: String,
    pub ecosystem: Option<String>,
    pub name: Option<String>,
    pub purl: Option<String>,
    pub purl_type: Option<String>,
    pub purl_namespace: Option<String>,
    pub purl_name: Option<String>,
    pub ranges: serde_json::Value,
    pub versions: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConfigurationRow {
    pub source: String,
    pub record_id: String,
    pub configuration: serde_json::Value,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CsafStatusRow {
    pub document: String,
    pub product_id: String,
    pub status: String,
    pub name: Option<String>,
    pub purl: Option<String>,
    pub cpe: Option<String>,
}

/// Everything stored about one vulnerability.
#[derive(Debug, Clone, Serialize)]
pub struct VulnData {
    pub vuln: VulnRow,
    pub aliases: Vec<String>,
    pub records: Vec<StoredRecord>,
    pub kev: Vec<KevRow>,
    pub epss: Vec<EpssRow>,
    pub packages: Vec<PackageRow>,
    pub configurations: Vec<ConfigurationRow>,
    pub csaf_product_status: Vec<CsafStatusRow>,
}

/// A search hit: the vulnerability and what matched.
#[derive(Debug, Clone, Serialize)]
pub struct SearchHit {
    pub vuln: VulnRow,
    pub matched: serde_json::Value,
}

/// One source's freshness.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceCounts {
    pub source: String,
    pub runs: i64,
    pub last_run_at: Option<String>,
    pub last_run_file: Option<String>,
    pub records: i64,
    pub last_sync_success_at: Option<String>,
    pub last_sync_error: Option<String>,
    /// What the last sync says about how it checked its input (the checkpoint's `note`, e.g.
    /// that CSAF signatures were not checked).
    pub sync_note: Option<String>,
}

/// A sync source's checkpoint and history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncState {
    pub source: String,
    pub checkpoint: Option<serde_json::Value>,
    pub last_attempt_at: String,
    pub last_success_at: Option<String>,
    pub last_error: Option<String>,
}

const VULN_SELECT: &str =
    "v.id, v.primary_id, v.summary, v.details, v.published, v.modified, v.withdrawn, v.rejected";

fn vuln_from_row(row: &sqlx::any::AnyRow) -> Result<VulnRow, StoreError> {
    Ok(VulnRow {
        id: row.try_get(0)?,
        primary_id: row.try_get(1)?,
        summary: row.try_get(2)?,
        details: row.try_get(3)?,
        published: row.try_get(4)?,
        modified: row.try_get(5)?,
        withdrawn: row.try_get::<i64, _>(6)? != 0,
        rejected: row.try_get::<i64, _>(7)? != 0,
    })
}

fn json_col(row: &sqlx::any::AnyRow, i: usize) -> Result<serde_json::Value, StoreError> {
    let text: String = row.try_get(i)?;
    serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(format!("stored JSON: {e}")))
}

impl Store {
    /// The vulnerability one of whose ids is `id` (exactly, else ignoring case).
    pub async fn find_vulnerability(&self, id: &str) -> Result<Option<i64>, StoreError> {
        let id = id.trim();
        let norm = crate::feeds::normalize_id(id);
        for candidate in [id, norm.as_str()] {
            let hit: Option<i64> =
                sqlx::query_scalar("SELECT vuln_id FROM aliases WHERE alias = $1")
                    .bind(candidate)
                    .fetch_optional(self.pool())
                    .await?;
            if hit.is_some() {
                return Ok(hit);
            }
        }
        Ok(sqlx::query_scalar(
            "SELECT vuln_id FROM aliases WHERE lower(alias) = lower($1) ORDER BY alias LIMIT 1",
        )
        .bind(id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Everything stored about one vulnerability, from one consistent snapshot.
    pub async fn vulnerability(&self, vuln_id: i64) -> Result<VulnData, StoreError> {
        let mut tx = self.snapshot().await?;
        let row = sqlx::query(&format!(
            "SELECT {VULN_SELECT} FROM vulnerabilities v WHERE v.id = $1"
        ))
        .bind(vuln_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::not_found(format!("vulnerability {vuln_id}")))?;
        let vuln = vuln_from_row(&row)?;
        let aliases: Vec<String> =
            sqlx::query_scalar("SELECT alias FROM aliases WHERE vuln_id = $1 ORDER BY alias")
                .bind(vuln_id)
                .fetch_all(&mut *tx)
                .await?;
        let mut records = Vec::new();
        for row in sqlx::query(
            "SELECT source, record_key, document, modified, run_id, raw_json FROM source_records \
             WHERE vuln_id = $1 ORDER BY source, record_key",
        )
        .bind(vuln_id)
        .fetch_all(&mut *tx)
        .await?
        {
            let raw: String = row.try_get(5)?;
            let record: VulnRecord = serde_json::from_str(&raw).map_err(|e| {
                StoreError::Corrupt(format!("source record of vulnerability {vuln_id}: {e}"))
            })?;
            records.push(StoredRecord {
                source: row.try_get(0)?,
                record_key: row.try_get(1)?,
                document: row.try_get(2)?,
                modified: row.try_get(3)?,
                run_id: row.try_get(4)?,
                record,
            });
        }
        let cves: Vec<String> = aliases
            .iter()
            .filter(|a| postmarket_advisories::is_cve_id(a))
            .cloned()
            .collect();
        let mut kev = Vec::new();
        let mut epss = Vec::new();
        if !cves.is_empty() {
            let vals: Vec<Val> = cves.iter().map(|c| Val::text(c.clone())).collect();
            let list = placeholders(cves.len(), 1);
            let sql = format!(
                "SELECT cve, vendor_project, product, vulnerability_name, date_added, due_date, \
                 ransomware_use, required_action, notes FROM kev_entries WHERE cve IN ({list}) ORDER BY cve"
            );
            for row in bind_all(sqlx::query(&sql).persistent(false), &vals)
                .fetch_all(&mut *tx)
                .await?
            {
                kev.push(KevRow {
                    cve: row.try_get(0)?,
                    vendor_project: row.try_get(1)?,
                    product: row.try_get(2)?,
                    vulnerability_name: row.try_get(3)?,
                    date_added: row.try_get(4)?,
                    due_date: row.try_get(5)?,
                    known_ransomware_campaign_use: row.try_get(6)?,
                    required_action: row.try_get(7)?,
                    notes: row.try_get(8)?,
                });
            }
            let sql = format!(
                "SELECT cve, epss_e9, percentile_e9, model_version, score_date FROM epss_scores \
                 WHERE cve IN ({list}) ORDER BY cve"
            );
            for row in bind_all(sqlx::query(&sql).persistent(false), &vals)
                .fetch_all(&mut *tx)
                .await?
            {
                epss.push(EpssRow {
                    cve: row.try_get(0)?,
                    epss: row.try_get::<i64, _>(1)? as f64 / 1e9,
                    percentile: row.try_get::<i64, _>(2)? as f64 / 1e9,
                    model_version: row.try_get(3)?,
                    score_date: row.try_get(4)?,
                });
            }
        }
        let mut packages = Vec::new();
        for row in sqlx::query(
            "SELECT s.source, s.record_id, p.ecosystem, p.name, p.purl, p.purl_type, p.purl_namespace, \
             p.purl_name, p.ranges_json, p.versions_json FROM affected_packages p \
             JOIN source_records s ON s.id = p.record_id WHERE p.vuln_id = $1 ORDER BY p.id",
        )
        .bind(vuln_id)
        .fetch_all(&mut *tx)
        .await?
        {
            packages.push(PackageRow {
                source: row.try_get(0)?,
                record_id: row.try_get(1)?,
                ecosystem: row.try_get(2)?,
                name: row.try_get(3)?,
                purl: row.try_get(4)?,
                purl_type: row.try_get(5)?,
                purl_namespace: row.try_get(6)?,
                purl_name: row.try_get(7)?,
                ranges: json_col(&row, 8)?,
                versions: json_col(&row, 9)?,
            });
        }
        let mut configurations = Vec::new();
        for row in sqlx::query(
            "SELECT s.source, s.record_id, c.config_json FROM cpe_configurations c \
             JOIN source_records s ON s.id = c.record_id WHERE c.vuln_id = $1 ORDER BY c.id",
        )
        .bind(vuln_id)
        .fetch_all(&mut *tx)
        .await?
        {
            configurations.push(ConfigurationRow {
                source: row.try_get(0)?,
                record_id: row.try_get(1)?,
                configuration: json_col(&row, 2)?,
            });
        }
        let mut csaf_product_status = Vec::new();
        for row in sqlx::query(
            "SELECT document, product_id, status, name, purl, cpe FROM csaf_product_status \
             WHERE vuln_id = $1 ORDER BY document, status, product_id",
        )
        .bind(vuln_id)
        .fetch_all(&mut *tx)
        .await?
        {
            csaf_product_status.push(CsafStatusRow {
                document: row.try_get(0)?,
                product_id: row.try_get(1)?,
                status: row.try_get(2)?,
                name: row.try_get(3)?,
                purl: row.try_get(4)?,
                cpe: row.try_get(5)?,
            });
        }
        tx.rollback().await?;
        Ok(VulnData {
            vuln,
            aliases,
            records,
            kev,
            epss,
            packages,
            configurations,
            csaf_product_status,
        })
    }

    /// Vulnerabilities with an affected package of this key (purl type, namespace, name).
    pub async fn vulns_by_package(
        &self,
        ty: &str,
        namespace: Option<&str>,
        name: &str,
    ) -> Result<Vec<SearchHit>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {VULN_SELECT}, p.ecosystem, p.name, p.purl, p.ranges_json, p.versions_json, s.source, s.record_id \
             FROM affected_packages p JOIN vulnerabilities v ON v.id = p.vuln_id \
             JOIN source_records s ON s.id = p.record_id \
             WHERE p.purl_type = $1 AND p.purl_name = $2 AND COALESCE(p.purl_namespace, '') = $3 \
             ORDER BY v.primary_id, p.id"
        ))
        .bind(ty)
        .bind(name)
        .bind(namespace.unwrap_or(""))
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                Ok(SearchHit {
                    vuln: vuln_from_row(row)?,
                    matched: serde_json::json!({
                        "ecosystem": row.try_get::<Option<String>, _>(8)?,
                        "name": row.try_get::<Option<String>, _>(9)?,
                        "purl": row.try_get::<Option<String>, _>(10)?,
                        "ranges": json_col(row, 11)?,
                        "versions": json_col(row, 12)?,
                        "source": row.try_get::<String, _>(13)?,
                        "record": row.try_get::<String, _>(14)?,
                    }),
                })
            })
            .collect()
    }

    /// Vulnerabilities whose records name this CPE vendor and product, with their configurations.
    pub async fn vulns_by_cpe(
        &self,
        vendor: &str,
        product: &str,
    ) -> Result<Vec<SearchHit>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT DISTINCT {VULN_SELECT}, s.id, s.source, s.record_id, i.part \
             FROM cpe_index i JOIN vulnerabilities v ON v.id = i.vuln_id \
             JOIN source_records s ON s.id = i.record_id \
             WHERE i.vendor = $1 AND i.product = $2 ORDER BY v.primary_id, s.id"
        ))
        .bind(vendor)
        .bind(product)
        .fetch_all(self.pool())
        .await?;
        let mut out = Vec::new();
        for row in &rows {
            let record: i64 = row.try_get(8)?;
            let configs: Vec<String> = sqlx::query_scalar(
                "SELECT config_json FROM cpe_configurations WHERE record_id = $1 ORDER BY id",
            )
            .bind(record)
            .fetch_all(self.pool())
            .await?;
            let configs: Vec<serde_json::Value> = configs
                .iter()
                .filter_map(|c| serde_json::from_str(c).ok())
                .collect();
            out.push(SearchHit {
                vuln: vuln_from_row(row)?,
                matched: serde_json::json!({
                    "source": row.try_get::<String, _>(9)?,
                    "record": row.try_get::<String, _>(10)?,
                    "part": row.try_get::<String, _>(11)?,
                    "configurations": configs,
                }),
            });
        }
        Ok(out)
    }

    /// Per source: runs, last run, stored records, sync state.
    pub async fn feed_sources(&self) -> Result<Vec<SourceCounts>, StoreError> {
        let mut tx = self.snapshot().await?;
        let mut out: Vec<SourceCounts> = Vec::new();
        let runs = sqlx::query(
            "SELECT source, COUNT(*), MAX(finished_at) FROM feed_runs GROUP BY source ORDER BY source",
        )
        .fetch_all(&mut *tx)
        .await?;
        for row in runs {
            let source: String = row.try_get(0)?;
            let last_run_at: Option<String> = row.try_get(2)?;
            let last_file: Option<String> = sqlx::query_scalar(
                "SELECT file FROM feed_runs WHERE source = $1 ORDER BY finished_at DESC, id DESC LIMIT 1",
            )
            .bind(&source)
            .fetch_optional(&mut *tx)
            .await?;
            out.push(SourceCounts {
                source,
                runs: row.try_get(1)?,
                last_run_at,
                last_run_file: last_file,
                records: 0,
                last_sync_success_at: None,
                last_sync_error: None,
                sync_note: None,
            });
        }
        for row in sqlx::query(
            "SELECT source, last_success_at, last_error, checkpoint_json FROM feed_sync_state \
             ORDER BY source",
        )
        .fetch_all(&mut *tx)
        .await?
        {
            let source: String = row.try_get(0)?;
            let i = match out.iter().position(|s| s.source == source) {
                Some(i) => i,
                None => {
                    out.push(SourceCounts {
                        source: source.clone(),
                        runs: 0,
                        last_run_at: None,
                        last_run_file: None,
                        records: 0,
                        last_sync_success_at: None,
                        last_sync_error: None,
                        sync_note: None,
                    });
                    out.len() - 1
                }
            };
            out[i].last_sync_success_at = row.try_get(1)?;
            out[i].last_sync_error = row.try_get(2)?;
            let checkpoint: Option<String> = row.try_get(3)?;
            out[i].sync_note = checkpoint
                .and_then(|c| serde_json::from_str::<serde_json::Value>(&c).ok())
                .and_then(|c| c.get("note").and_then(|n| n.as_str()).map(str::to_string));
        }
        for s in &mut out {
            s.records = match s.source.as_str() {
                "epss" => {
                    sqlx::query_scalar("SELECT COUNT(*) FROM epss_scores")
                        .fetch_one(&mut *tx)
                        .await?
                }
                src => {
                    sqlx::query_scalar("SELECT COUNT(*) FROM source_records WHERE source = $1")
                        .bind(src)
                        .fetch_one(&mut *tx)
                        .await?
                }
            };
        }
        tx.rollback().await?;
        out.sort_by(|a, b| a.source.cmp(&b.source));
        Ok(out)
    }

    /// Row counts of the vulnerability tables (for reports and tests).
    pub async fn vuln_table_counts(&self) -> Result<Vec<(&'static str, i64)>, StoreError> {
        let mut out = Vec::new();
        for t in [
            "vulnerabilities",
            "aliases",
            "source_records",
            "scores",
            "affected_packages",
            "cpe_configurations",
            "cpe_index",
            "csaf_product_status",
            "kev_entries",
            "epss_scores",
            "vuln_changes",
            "feed_runs",
        ] {
            let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {t}"))
                .fetch_one(self.pool())
                .await?;
            out.push((t, n));
        }
        Ok(out)
    }

    /// The changes a run made: (primary id, change, source, record key).
    pub async fn run_changes(
        &self,
        run_id: i64,
    ) -> Result<Vec<(String, String, String, Option<String>)>, StoreError> {
        let rows = sqlx::query(
            "SELECT v.primary_id, c.change, c.source, c.record_key FROM vuln_changes c \
             JOIN vulnerabilities v ON v.id = c.vuln_id WHERE c.run_id = $1 ORDER BY c.id",
        )
        .bind(run_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?)))
            .collect()
    }

    /// A sync source's state, if it ever ran.
    pub async fn sync_state(&self, source: &str) -> Result<Option<SyncState>, StoreError> {
        let row = sqlx::query(
            "SELECT source, checkpoint_json, last_attempt_at, last_success_at, last_error \
             FROM feed_sync_state WHERE source = $1",
        )
        .bind(source)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            let checkpoint: Option<String> = r.try_get(1)?;
            Ok(SyncState {
                source: r.try_get(0)?,
                checkpoint: checkpoint
                    .map(|c| serde_json::from_str(&c))
                    .transpose()
                    .map_err(|e| StoreError::Corrupt(format!("sync checkpoint: {e}")))?,
                last_attempt_at: r.try_get(2)?,
                last_success_at: r.try_get(3)?,
                last_error: r.try_get(4)?,
            })
        })
        .transpose()
    }
}

/// Saves a sync source's checkpoint inside a write (so it commits with the data it covers).
/// `success` marks the sync complete; `error` records why it stopped.
pub async fn save_sync_state(
    conn: &mut sqlx::AnyConnection,
    source: &str,
    checkpoint: Option<&serde_json::Value>,
    success: bool,
    error: Option<&str>,
) -> Result<(), StoreError> {
    let now = crate::now_rfc3339();
    let checkpoint = checkpoint.map(|c| c.to_string());
    sqlx::query(
        "INSERT INTO feed_sync_state (source, checkpoint_json, last_attempt_at, last_success_at, last_error) \
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (source) DO UPDATE SET \
         checkpoint_json = excluded.checkpoint_json, last_attempt_at = excluded.last_attempt_at, \
         last_success_at = COALESCE(excluded.last_success_at, feed_sync_state.last_success_at), \
         last_error = excluded.last_error",
    )
    .bind(source)
    .bind(checkpoint)
    .bind(&now)
    .bind(success.then_some(now.clone()))
    .bind(error)
    .execute(conn)
    .await?;
    Ok(())
}

impl Store {
    /// Records a sync attempt's outcome outside any import (e.g. a failure before anything was
    /// fetched, or a sync that found nothing new).
    pub async fn set_sync_state(
        &self,
        source: &str,
        checkpoint: Option<&serde_json::Value>,
        success: bool,
        error: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut conn = self.pool().acquire().await?;
        save_sync_state(&mut conn, source, checkpoint, success, error).await
    }
}

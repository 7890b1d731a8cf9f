//! Findings (migration 0004, issue 5): what the matcher found per (release, component,
//! vulnerability), the evidence, the history of each finding, and component-level VEX statements.
//!
//! A match run is written in one transaction: its `match_runs` row (one audit event, whose `after`
//! is the final row with its counts), the findings it inserted or changed, and one
//! `finding_events` row per finding that appeared or vanished. Findings and events are bulk rows
//! (like feed data): a portfolio re-match touches every release, and one audit event per row would
//! make the chain the bottleneck. Their run is named in `first_run` / `last_run` / `run_id`.
//!
//! Diff rule, per run: within the run's scope (whole releases, or some components of a release),
//! a finding the matcher produced that was not active becomes active (`appeared` if it is a
//! finding, not a possible match); an active one it did not produce becomes inactive
//! (`vanished`); a finding that became a possible match vanished, and the other way round
//! appeared. Unchanged evidence only moves `last_seen`.

use std::collections::{BTreeSet, HashMap, HashSet};

use postmarket_advisories::VulnRecord;
use postmarket_model::Actor;
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::bulk::{bind_all, placeholders, Bulk, Val};
use crate::devices::next_id;
use crate::schema::{read_row_json, table};
use crate::{now_rfc3339, Store, StoreError};

/// One finding (or possible match) as the matcher produced it for a component of a release.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewFinding {
    pub release_id: i64,
    /// The component's identity across SBOM revisions (canonical purl, else name@version|supplier).
    pub component_key: String,
    pub bom_ref: String,
    pub component_name: String,
    pub component_version: Option<String>,
    pub component_purl: Option<String>,
    pub component_cpe: Option<String>,
    /// Display id of the alias group.
    pub vulnerability: String,
    pub aliases: Vec<String>,
    /// Below the confidence threshold or with an unshown platform condition: for review.
    pub possible: bool,
    pub source: String,
    pub record_id: String,
    pub also_matched: Vec<String>,
    /// `purl`, `cpe` or `heuristic`.
    pub match_kind: String,
    /// 0–1.
    pub confidence: f64,
    pub reason: String,
    pub affected: String,
    pub fixed: Option<String>,
    /// The version comparison made, as the matcher explains it.
    pub explanation: Value,
    pub vex_status: Option<String>,
    pub vex_justification: Option<String>,
    pub suppressed: bool,
}

impl NewFinding {
    /// SHA-256 over the evidence (everything but the seen/run bookkeeping): unchanged evidence is
    /// not rewritten.
    fn evidence_sha256(&self) -> String {
        let v = serde_json::json!([
            self.bom_ref,
            self.component_name,
            self.component_version,
            self.component_purl,
            self.component_cpe,
            self.aliases,
            self.possible,
            self.source,
            self.record_id,
            self.also_matched,
            self.match_kind,
            confidence_e3(self.confidence),
            self.reason,
            self.affected,
            self.fixed,
            self.explanation,
            self.vex_status,
            self.vex_justification,
            self.suppressed,
        ]);
        hex::encode(Sha256::digest(v.to_string().as_bytes()))
    }
}

fn confidence_e3(c: f64) -> i64 {
    // Confidence is in [0, 1]; thousandths are exact enough and compare exactly on both backends.
    (c.clamp(0.0, 1.0) * 1000.0).round() as i64
}

/// What a run re-evaluated: a whole release, or only some of its components (incremental).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchScope {
    pub release_id: i64,
    /// `None`: every component of the release; otherwise these component keys only.
    pub components: Option<BTreeSet<String>>,
}

/// The run being recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMatchRun {
    /// `release`, `portfolio` or `incremental`.
    pub scope: &'static str,
    /// Why it ran, in words (e.g. `SBOM revision 2 of Pump 1.0`).
    pub cause: String,
    pub release_id: Option<i64>,
    pub sbom_revision_id: Option<i64>,
    /// The highest `vuln_changes.id` the index reflected.
    pub change_checkpoint: i64,
    pub releases: i64,
    pub components: i64,
    pub index_records: i64,
    pub started_at: String,
    pub duration_ms: i64,
    /// A finer cause per vulnerability (display id), e.g. the feed change that touched it.
    pub causes: HashMap<String, String>,
}

/// A stored match run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatchRun {
    pub id: i64,
    pub scope: String,
    pub cause: String,
    pub release_id: Option<i64>,
    pub sbom_revision_id: Option<i64>,
    pub change_checkpoint: i64,
    pub releases: i64,
    pub components: i64,
    pub findings: i64,
    pub possible: i64,
    pub appeared: i64,
    pub vanished: i64,
    pub index_records: i64,
    pub duration_ms: i64,
    pub started_at: String,
    pub finished_at: String,
}

/// A stored finding, with its device and release.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FindingRow {
    pub id: i64,
    pub device: String,
    pub release: String,
    pub release_id: i64,
    pub component_key: String,
    pub bom_ref: String,
    pub component_name: String,
    pub component_version: Option<String>,
    pub component_purl: Option<String>,
    pub component_cpe: Option<String>,
    pub vulnerability: String,
    pub aliases: Vec<String>,
    /// `finding` or `possible`.
    pub state: String,
    pub active: bool,
    pub source: String,
    pub record_id: String,
    pub also_matched: Vec<String>,
    #[serde(rename = "match")]
    pub match_kind: String,
    pub confidence: f64,
    pub reason: String,
    pub affected: String,
    pub fixed: Option<String>,
    pub explanation: Value,
    pub vex_status: Option<String>,
    pub vex_justification: Option<String>,
    pub suppressed: bool,
    pub first_seen: String,
    pub last_seen: String,
    pub first_run: i64,
    pub last_run: i64,
}

/// One appeared / vanished event of a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingEvent {
    pub id: i64,
    pub finding_id: i64,
    pub run_id: i64,
    pub event: String,
    pub cause: String,
    pub at: String,
}

/// Which findings to list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FindingFilter {
    pub device: Option<String>,
    pub release: Option<String>,
    pub release_id: Option<i64>,
    /// Only findings of this vulnerability (display id).
    pub vulnerability: Option<String>,
    /// Include vanished findings.
    pub include_inactive: bool,
    /// Include possible matches.
    pub include_possible: bool,
}

/// A component-level VEX statement to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewVexStatement {
    pub release_id: i64,
    /// A purl (without version: every version), a bom-ref or a component key.
    pub component: String,
    /// Any id of the vulnerability.
    pub vulnerability: String,
    /// `not_affected`, `affected`, `fixed` or `under_investigation`.
    pub status: String,
    pub justification: Option<String>,
    /// Impact statement / action statement.
    pub detail: Option<String>,
    /// The VEX document the statement came from (file name, URL or document id).
    pub source_document: Option<String>,
    /// When the statement was made (RFC 3339), as the document says.
    pub statement_time: Option<String>,
}

/// A stored VEX statement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VexStatementRow {
    pub id: i64,
    pub release_id: i64,
    pub component: String,
    pub vulnerability: String,
    pub status: String,
    pub justification: Option<String>,
    pub detail: Option<String>,
    pub source_document: Option<String>,
    pub statement_time: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

const VEX_STATUSES: &[&str] = &["not_affected", "affected", "fixed", "under_investigation"];

const FINDING_COLS: &[&str] = &[
    "id",
    "release_id",
    "component_key",
    "bom_ref",
    "component_name",
    "component_version",
    "component_purl",
    "component_cpe",
    "vulnerability",
    "aliases_json",
    "state",
    "active",
    "source",
    "record_id",
    "also_matched_json",
    "match_kind",
    "confidence_e3",
    "reason",
    "affected",
    "fixed",
    "explanation_json",
    "vex_status",
    "vex_justification",
    "suppressed",
    "evidence_sha256",
    "first_seen",
    "last_seen",
    "first_run",
    "last_run",
];

const EVENT_COLS: &[&str] = &["id", "finding_id", "run_id", "event", "cause", "at"];

/// IDs per `IN (…)` list.
const IN_CHUNK: usize = 500;

fn json_text<T: Serialize + ?Sized>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// The evidence columns of a finding, in `FINDING_COLS` order from `component_key` to
/// `evidence_sha256` (what an update rewrites).
fn evidence_vals(f: &NewFinding, sha: &str) -> Vec<Val> {
    vec![
        Val::text(&f.component_key),
        Val::text(&f.bom_ref),
        Val::text(&f.component_name),
        Val::opt_text(f.component_version.as_deref()),
        Val::opt_text(f.component_purl.as_deref()),
        Val::opt_text(f.component_cpe.as_deref()),
        Val::text(&f.vulnerability),
        Val::text(json_text(&f.aliases)),
        Val::text(if f.possible { "possible" } else { "finding" }),
        Val::Int(1),
        Val::text(&f.source),
        Val::text(&f.record_id),
        Val::text(json_text(&f.also_matched)),
        Val::text(&f.match_kind),
        Val::Int(confidence_e3(f.confidence)),
        Val::text(&f.reason),
        Val::text(&f.affected),
        Val::opt_text(f.fixed.as_deref()),
        Val::text(json_text(&f.explanation)),
        Val::opt_text(f.vex_status.as_deref()),
        Val::opt_text(f.vex_justification.as_deref()),
        Val::flag(f.suppressed),
        Val::text(sha),
    ]
}

struct Existing {
    id: i64,
    state: String,
    active: bool,
    sha: String,
}

const FINDING_SELECT: &str = "f.id, d.name, r.version, f.release_id, f.component_key, f.bom_ref, \
     f.component_name, f.component_version, f.component_purl, f.component_cpe, f.vulnerability, \
     f.aliases_json, f.state, f.active, f.source, f.record_id, f.also_matched_json, f.match_kind, \
     f.confidence_e3, f.reason, f.affected, f.fixed, f.explanation_json, f.vex_status, \
     f.vex_justification, f.suppressed, f.first_seen, f.last_seen, f.first_run, f.last_run";

const FINDING_FROM: &str =
    "FROM findings f JOIN releases r ON r.id = f.release_id JOIN devices d ON d.id = r.device_id";

fn parse_json<T: serde::de::DeserializeOwned>(s: &str, what: &str) -> Result<T, StoreError> {
    serde_json::from_str(s).map_err(|e| StoreError::Corrupt(format!("{what}: {e}")))
}

fn finding_from_row(row: &sqlx::any::AnyRow) -> Result<FindingRow, StoreError> {
    let id: i64 = row.try_get(0)?;
    let what = format!("finding {id}");
    Ok(FindingRow {
        id,
        device: row.try_get(1)?,
        release: row.try_get(2)?,
        release_id: row.try_get(3)?,
        component_key: row.try_get(4)?,
        bom_ref: row.try_get(5)?,
        component_name: row.try_get(6)?,
        component_version: row.try_get(7)?,
        component_purl: row.try_get(8)?,
        component_cpe: row.try_get(9)?,
        vulnerability: row.try_get(10)?,
        aliases: parse_json(&row.try_get::<String, _>(11)?, &what)?,
        state: row.try_get(12)?,
        active: row.try_get::<i64, _>(13)? == 1,
        source: row.try_get(14)?,
        record_id: row.try_get(15)?,
        also_matched: parse_json(&row.try_get::<String, _>(16)?, &what)?,
        match_kind: row.try_get(17)?,
        confidence: row.try_get::<i64, _>(18)? as f64 / 1000.0,
        reason: row.try_get(19)?,
        affected: row.try_get(20)?,
        fixed: row.try_get(21)?,
        explanation: parse_json(&row.try_get::<String, _>(22)?, &what)?,
        vex_status: row.try_get(23)?,
        vex_justification: row.try_get(24)?,
        suppressed: row.try_get::<i64, _>(25)? == 1,
        first_seen: row.try_get(26)?,
        last_seen: row.try_get(27)?,
        first_run: row.try_get(28)?,
        last_run: row.try_get(29)?,
    })
}

const RUN_COLS: &str = "id, scope, cause, release_id, sbom_revision_id, change_checkpoint, releases, \
     components, findings, possible, appeared, vanished, index_records, duration_ms, started_at, finished_at";

fn run_from_row(row: &sqlx::any::AnyRow) -> Result<MatchRun, StoreError> {
    Ok(MatchRun {
        id: row.try_get(0)?,
        scope: row.try_get(1)?,
        cause: row.try_get(2)?,
        release_id: row.try_get(3)?,
        sbom_revision_id: row.try_get(4)?,
        change_checkpoint: row.try_get(5)?,
        releases: row.try_get(6)?,
        components: row.try_get(7)?,
        findings: row.try_get(8)?,
        possible: row.try_get(9)?,
        appeared: row.try_get(10)?,
        vanished: row.try_get(11)?,
        index_records: row.try_get(12)?,
        duration_ms: row.try_get(13)?,
        started_at: row.try_get(14)?,
        finished_at: row.try_get(15)?,
    })
}

const VEX_COLS: &str = "id, release_id, component, vulnerability, status, justification, detail, \
     source_document, statement_time, created_at, updated_at";

fn vex_from_row(row: &sqlx::any::AnyRow) -> Result<VexStatementRow, StoreError> {
    Ok(VexStatementRow {
        id: row.try_get(0)?,
        release_id: row.try_get(1)?,
        component: row.try_get(2)?,
        vulnerability: row.try_get(3)?,
        status: row.try_get(4)?,
        justification: row.try_get(5)?,
        detail: row.try_get(6)?,
        source_document: row.try_get(7)?,
        statement_time: row.try_get(8)?,
        created_at: row.try_get(9)?,
        updated_at: row.try_get(10)?,
    })
}

impl Store {
    /// Records a match run and its findings in one transaction (see the module documentation).
    /// `findings` must all belong to the releases of `scopes`.
    pub async fn record_match(
        &self,
        actor: &Actor,
        run: &NewMatchRun,
        scopes: &[MatchScope],
        findings: &[NewFinding],
    ) -> Result<MatchRun, StoreError> {
        let scope_of: HashMap<i64, &MatchScope> =
            scopes.iter().map(|s| (s.release_id, s)).collect();
        if let Some(f) = findings
            .iter()
            .find(|f| !scope_of.contains_key(&f.release_id))
        {
            return Err(StoreError::Refused(format!(
                "a finding for release id {} is outside the match run's scope",
                f.release_id
            )));
        }
        let mut w = self.write(actor).await?;
        let conn = w.conn();
        let run_id = next_id(conn, "match_runs").await?;
        let now = now_rfc3339();
        sqlx::query(&format!(
            "INSERT INTO match_runs ({RUN_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, 0, 0, 0, $9, $10, $11, $12)"
        ))
        .bind(run_id)
        .bind(run.scope)
        .bind(&run.cause)
        .bind(run.release_id)
        .bind(run.sbom_revision_id)
        .bind(run.change_checkpoint)
        .bind(run.releases)
        .bind(run.components)
        .bind(run.index_records)
        .bind(run.duration_ms)
        .bind(&run.started_at)
        .bind(&now)
        .execute(&mut *conn)
        .await?;

        // What is stored for the scope's releases.
        let mut existing: HashMap<(i64, String, String), Existing> = HashMap::new();
        let release_ids: Vec<i64> = scopes.iter().map(|s| s.release_id).collect();
        for chunk in release_ids.chunks(IN_CHUNK) {
            let vals: Vec<Val> = chunk.iter().map(|i| Val::Int(*i)).collect();
            let sql = format!(
                "SELECT id, release_id, component_key, vulnerability, state, active, evidence_sha256 \
                 FROM findings WHERE release_id IN ({})",
                placeholders(chunk.len(), 1)
            );
            for row in bind_all(sqlx::query(&sql).persistent(false), &vals)
                .fetch_all(&mut *conn)
                .await?
            {
                existing.insert(
                    (row.try_get(1)?, row.try_get(2)?, row.try_get(3)?),
                    Existing {
                        id: row.try_get(0)?,
                        state: row.try_get(4)?,
                        active: row.try_get::<i64, _>(5)? == 1,
                        sha: row.try_get(6)?,
                    },
                );
            }
        }

        let mut next_finding = next_id(conn, "findings").await?;
        let mut next_event = next_id(conn, "finding_events").await?;
        let mut inserts = Bulk::new("findings", FINDING_COLS);
        let mut events = Bulk::new("finding_events", EVENT_COLS);
        let mut touched: HashSet<i64> = HashSet::new();
        let mut seen_only: Vec<i64> = Vec::new();
        let (mut appeared, mut vanished, mut n_findings, mut n_possible) = (0i64, 0i64, 0i64, 0i64);
        let cause_of = |vuln: &str| -> String {
            run.causes
                .get(vuln)
                .cloned()
                .unwrap_or_else(|| run.cause.clone())
        };
        let mut produced: HashSet<(i64, &str, &str)> = HashSet::new();
        for f in findings {
            if !produced.insert((f.release_id, &f.component_key, &f.vulnerability)) {
                // The same component listed twice in one SBOM: one finding.
                continue;
            }
            if f.possible {
                n_possible += 1;
            } else {
                n_findings += 1;
            }
            let sha = f.evidence_sha256();
            let key = (
                f.release_id,
                f.component_key.clone(),
                f.vulnerability.clone(),
            );
            match existing.get(&key) {
                None => {
                    let id = next_finding;
                    next_finding += 1;
                    let mut row = vec![Val::Int(id), Val::Int(f.release_id)];
                    row.extend(evidence_vals(f, &sha));
                    row.extend([
                        Val::text(&now),
                        Val::text(&now),
                        Val::Int(run_id),
                        Val::Int(run_id),
                    ]);
                    inserts.push(row);
                    if !f.possible {
                        appeared += 1;
                        events.push(event_row(
                            next_event,
                            id,
                            run_id,
                            "appeared",
                            &cause_of(&f.vulnerability),
                            &now,
                        ));
                        next_event += 1;
                    }
                }
                Some(e) => {
                    touched.insert(e.id);
                    let was_finding = e.active && e.state == "finding";
                    if e.active && e.sha == sha {
                        seen_only.push(e.id);
                        continue;
                    }
                    let mut vals = evidence_vals(f, &sha);
                    vals.extend([Val::text(&now), Val::Int(run_id), Val::Int(e.id)]);
                    let sets: Vec<String> = FINDING_COLS[2..25]
                        .iter()
                        .enumerate()
                        .map(|(i, c)| format!("{c} = ${}", i + 1))
                        .collect();
                    let sql = format!(
                        "UPDATE findings SET {}, last_seen = $24, last_run = $25 WHERE id = $26",
                        sets.join(", ")
                    );
                    bind_all(sqlx::query(&sql), &vals)
                        .execute(&mut *conn)
                        .await?;
                    let event = match (was_finding, f.possible) {
                        (false, false) => Some("appeared"),
                        (true, true) => Some("vanished"),
                        _ => None,
                    };
                    if let Some(ev) = event {
                        if ev == "appeared" {
                            appeared += 1;
                        } else {
                            vanished += 1;
                        }
                        events.push(event_row(
                            next_event,
                            e.id,
                            run_id,
                            ev,
                            &cause_of(&f.vulnerability),
                            &now,
                        ));
                        next_event += 1;
                    }
                }
            }
        }
        inserts.flush(conn).await?;

        // Active findings in scope that this run did not produce have vanished.
        let mut gone: Vec<i64> = Vec::new();
        for ((release_id, component_key, vulnerability), e) in &existing {
            if !e.active || touched.contains(&e.id) {
                continue;
            }
            let in_scope = scope_of.get(release_id).is_some_and(|s| {
                s.components
                    .as_ref()
                    .is_none_or(|c| c.contains(component_key))
            });
            if !in_scope {
                continue;
            }
            gone.push(e.id);
            if e.state == "finding" {
                vanished += 1;
                events.push(event_row(
                    next_event,
                    e.id,
                    run_id,
                    "vanished",
                    &cause_of(vulnerability),
                    &now,
                ));
                next_event += 1;
            }
        }
        gone.sort_unstable();
        for chunk in gone.chunks(IN_CHUNK) {
            let mut vals = vec![Val::Int(run_id)];
            vals.extend(chunk.iter().map(|i| Val::Int(*i)));
            let sql = format!(
                "UPDATE findings SET active = 0, last_run = $1 WHERE id IN ({})",
                placeholders(chunk.len(), 2)
            );
            bind_all(sqlx::query(&sql).persistent(false), &vals)
                .execute(&mut *conn)
                .await?;
        }
        seen_only.sort_unstable();
        for chunk in seen_only.chunks(IN_CHUNK) {
            let mut vals = vec![Val::text(&now), Val::Int(run_id)];
            vals.extend(chunk.iter().map(|i| Val::Int(*i)));
            let sql = format!(
                "UPDATE findings SET last_seen = $1, last_run = $2 WHERE id IN ({})",
                placeholders(chunk.len(), 3)
            );
            bind_all(sqlx::query(&sql).persistent(false), &vals)
                .execute(&mut *conn)
                .await?;
        }
        events.flush(conn).await?;

        sqlx::query(
            "UPDATE match_runs SET findings = $1, possible = $2, appeared = $3, vanished = $4 WHERE id = $5",
        )
        .bind(n_findings)
        .bind(n_possible)
        .bind(appeared)
        .bind(vanished)
        .bind(run_id)
        .execute(&mut *conn)
        .await?;
        let after = read_row_json(conn, table("match_runs"), run_id).await?;
        let stored = after.clone().ok_or_else(|| {
            StoreError::Corrupt(format!("match run {run_id} vanished while written"))
        })?;
        w.record(
            &format!("match.{}", run.scope),
            "match_run",
            run_id,
            None,
            after,
            None,
        )
        .await?;
        w.commit().await?;
        serde_json::from_value::<MatchRunJson>(stored)
            .map(MatchRunJson::into_run)
            .map_err(|e| StoreError::Corrupt(format!("match run {run_id}: {e}")))
    }

    /// Findings, newest first within device and release order.
    pub async fn findings(&self, filter: &FindingFilter) -> Result<Vec<FindingRow>, StoreError> {
        let mut wheres: Vec<String> = Vec::new();
        let mut vals: Vec<Val> = Vec::new();
        if let Some(d) = &filter.device {
            vals.push(Val::text(d.to_lowercase()));
            wheres.push(format!("lower(d.name) = ${}", vals.len()));
        }
        if let Some(r) = &filter.release {
            vals.push(Val::text(r));
            wheres.push(format!("r.version = ${}", vals.len()));
        }
        if let Some(r) = filter.release_id {
            vals.push(Val::Int(r));
            wheres.push(format!("f.release_id = ${}", vals.len()));
        }
        if let Some(v) = &filter.vulnerability {
            vals.push(Val::text(v));
            wheres.push(format!("f.vulnerability = ${}", vals.len()));
        }
        if !filter.include_inactive {
            wheres.push("f.active = 1".into());
        }
        if !filter.include_possible {
            wheres.push("f.state = 'finding'".into());
        }
        let sql = format!(
            "SELECT {FINDING_SELECT} {FINDING_FROM} {} ORDER BY d.name, r.version, f.component_name, f.vulnerability, f.id",
            if wheres.is_empty() {
                String::new()
            } else {
                format!("WHERE {}", wheres.join(" AND "))
            }
        );
        let rows = bind_all(sqlx::query(&sql).persistent(false), &vals)
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(finding_from_row).collect()
    }

    /// One finding by id.
    pub async fn finding(&self, id: i64) -> Result<FindingRow, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {FINDING_SELECT} {FINDING_FROM} WHERE f.id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| StoreError::NotFound {
            what: format!("finding {id}"),
            hint: " (postmarket findings lists them with their ids)".into(),
        })?;
        finding_from_row(&row)
    }

    /// A finding's history, oldest first.
    pub async fn finding_events(&self, finding_id: i64) -> Result<Vec<FindingEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, finding_id, run_id, event, cause, at FROM finding_events WHERE finding_id = $1 ORDER BY id",
        )
        .bind(finding_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(FindingEvent {
                    id: r.try_get(0)?,
                    finding_id: r.try_get(1)?,
                    run_id: r.try_get(2)?,
                    event: r.try_get(3)?,
                    cause: r.try_get(4)?,
                    at: r.try_get(5)?,
                })
            })
            .collect()
    }

    /// Every event of one run (for reports of what a run changed).
    pub async fn run_finding_events(&self, run_id: i64) -> Result<Vec<FindingEvent>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, finding_id, run_id, event, cause, at FROM finding_events WHERE run_id = $1 ORDER BY id",
        )
        .bind(run_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(FindingEvent {
                    id: r.try_get(0)?,
                    finding_id: r.try_get(1)?,
                    run_id: r.try_get(2)?,
                    event: r.try_get(3)?,
                    cause: r.try_get(4)?,
                    at: r.try_get(5)?,
                })
            })
            .collect()
    }

    /// One match run.
    pub async fn match_run(&self, id: i64) -> Result<MatchRun, StoreError> {
        let row = sqlx::query(&format!("SELECT {RUN_COLS} FROM match_runs WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or_else(|| StoreError::not_found(format!("match run {id}")))?;
        run_from_row(&row)
    }

    /// The `vuln_changes` checkpoint the portfolio last caught up to (a portfolio or incremental
    /// run), if any.
    pub async fn match_checkpoint(&self) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT MAX(change_checkpoint) FROM match_runs WHERE scope IN ('portfolio', 'incremental')",
        )
        .fetch_one(self.pool())
        .await?)
    }

    /// The highest `vuln_changes.id` (0 when there is none).
    pub async fn vuln_change_head(&self) -> Result<i64, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM vuln_changes")
                .fetch_one(self.pool())
                .await?,
        )
    }

    /// Vulnerabilities changed after `checkpoint` up to `head`: (vulnerability id, primary id,
    /// a description of the change for finding events).
    pub async fn vuln_changes_between(
        &self,
        checkpoint: i64,
        head: i64,
    ) -> Result<Vec<(i64, String, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.vuln_id, v.primary_id, c.change, c.source, c.record_key, c.run_id FROM vuln_changes c \
             JOIN vulnerabilities v ON v.id = c.vuln_id WHERE c.id > $1 AND c.id <= $2 ORDER BY c.id",
        )
        .bind(checkpoint)
        .bind(head)
        .fetch_all(self.pool())
        .await?;
        let mut out: Vec<(i64, String, String)> = Vec::new();
        let mut seen: HashSet<i64> = HashSet::new();
        for r in &rows {
            let vuln_id: i64 = r.try_get(0)?;
            if !seen.insert(vuln_id) {
                continue;
            }
            let record: Option<String> = r.try_get(4)?;
            let run: i64 = r.try_get(5)?;
            out.push((
                vuln_id,
                r.try_get(1)?,
                format!(
                    "feed change: {} record {} {} (feed run {run})",
                    r.try_get::<String, _>(3)?,
                    record.unwrap_or_else(|| "-".into()),
                    r.try_get::<String, _>(2)?
                ),
            ));
        }
        Ok(out)
    }

    /// Every stored source record, for building the matcher's index (withdrawn ones included:
    /// the index counts and skips them).
    pub async fn all_vuln_records(&self) -> Result<Vec<VulnRecord>, StoreError> {
        let mut tx = self.snapshot().await?;
        let rows = sqlx::query("SELECT id, raw_json FROM source_records ORDER BY id")
            .fetch_all(&mut *tx)
            .await?;
        rows.iter()
            .map(|r| {
                let id: i64 = r.try_get(0)?;
                let raw: String = r.try_get(1)?;
                parse_json(&raw, &format!("source record {id}"))
            })
            .collect()
    }

    /// The source records of some vulnerabilities (by vulnerability id).
    pub async fn vuln_records_of(&self, vuln_ids: &[i64]) -> Result<Vec<VulnRecord>, StoreError> {
        let mut out = Vec::new();
        for chunk in vuln_ids.chunks(IN_CHUNK) {
            let vals: Vec<Val> = chunk.iter().map(|i| Val::Int(*i)).collect();
            let sql = format!(
                "SELECT id, raw_json FROM source_records WHERE vuln_id IN ({}) ORDER BY id",
                placeholders(chunk.len(), 1)
            );
            for r in bind_all(sqlx::query(&sql).persistent(false), &vals)
                .fetch_all(self.pool())
                .await?
            {
                let id: i64 = r.try_get(0)?;
                let raw: String = r.try_get(1)?;
                out.push(parse_json(&raw, &format!("source record {id}"))?);
            }
        }
        Ok(out)
    }

    /// (release id, component key) of the active findings of some vulnerabilities (display ids):
    /// components to re-evaluate when those vulnerabilities change, whatever keys they had.
    pub async fn finding_components_of(
        &self,
        vulnerabilities: &[String],
    ) -> Result<Vec<(i64, String)>, StoreError> {
        let mut out = Vec::new();
        for chunk in vulnerabilities.chunks(IN_CHUNK) {
            let vals: Vec<Val> = chunk.iter().map(Val::text).collect();
            let sql = format!(
                "SELECT release_id, component_key FROM findings WHERE active = 1 AND vulnerability IN ({})",
                placeholders(chunk.len(), 1)
            );
            for r in bind_all(sqlx::query(&sql).persistent(false), &vals)
                .fetch_all(self.pool())
                .await?
            {
                out.push((r.try_get(0)?, r.try_get(1)?));
            }
        }
        Ok(out)
    }

    /// Records a component-level VEX statement for a release; a statement for the same
    /// (release, component, vulnerability) replaces the earlier one (which the audit chain keeps).
    pub async fn record_vex_statement(
        &self,
        actor: &Actor,
        s: &NewVexStatement,
        reason: Option<&str>,
    ) -> Result<VexStatementRow, StoreError> {
        let mut rows = self
            .record_vex_statements(actor, std::slice::from_ref(s), reason)
            .await?;
        Ok(rows.remove(0))
    }

    /// Records several VEX statements in one transaction (a supplier's VEX document is taken
    /// whole or not at all): each is added, or replaces the statement for the same release,
    /// component and vulnerability.
    pub async fn record_vex_statements(
        &self,
        actor: &Actor,
        statements: &[NewVexStatement],
        reason: Option<&str>,
    ) -> Result<Vec<VexStatementRow>, StoreError> {
        for s in statements {
            if !VEX_STATUSES.contains(&s.status.as_str()) {
                return Err(StoreError::Refused(format!(
                    "VEX status {:?}: expected one of {}",
                    s.status,
                    VEX_STATUSES.join(", ")
                )));
            }
            if s.component.trim().is_empty() || s.vulnerability.trim().is_empty() {
                return Err(StoreError::Refused(
                    "a VEX statement needs a component and a vulnerability".into(),
                ));
            }
        }
        let mut w = self.write(actor).await?;
        let mut ids = Vec::with_capacity(statements.len());
        for s in statements {
            let conn = w.conn();
            let exists: i64 = sqlx::query_scalar("SELECT count(*) FROM releases WHERE id = $1")
                .bind(s.release_id)
                .fetch_one(&mut *conn)
                .await?;
            if exists == 0 {
                return Err(StoreError::not_found(format!(
                    "release id {}",
                    s.release_id
                )));
            }
            let now = now_rfc3339();
            let old: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM vex_statements WHERE release_id = $1 AND component = $2 AND vulnerability = $3",
            )
            .bind(s.release_id)
            .bind(&s.component)
            .bind(&s.vulnerability)
            .fetch_optional(&mut *conn)
            .await?;
            let (id, before, action) = match old {
                Some(id) => {
                    let before = read_row_json(conn, table("vex_statements"), id).await?;
                    sqlx::query(
                        "UPDATE vex_statements SET status = $1, justification = $2, detail = $3, \
                         source_document = $4, statement_time = $5, updated_at = $6 WHERE id = $7",
                    )
                    .bind(&s.status)
                    .bind(&s.justification)
                    .bind(&s.detail)
                    .bind(&s.source_document)
                    .bind(&s.statement_time)
                    .bind(&now)
                    .bind(id)
                    .execute(&mut *conn)
                    .await?;
                    (id, before, "vex.update")
                }
                None => {
                    let id = next_id(conn, "vex_statements").await?;
                    sqlx::query(&format!(
                        "INSERT INTO vex_statements ({VEX_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)"
                    ))
                    .bind(id)
                    .bind(s.release_id)
                    .bind(&s.component)
                    .bind(&s.vulnerability)
                    .bind(&s.status)
                    .bind(&s.justification)
                    .bind(&s.detail)
                    .bind(&s.source_document)
                    .bind(&s.statement_time)
                    .bind(&now)
                    .execute(&mut *conn)
                    .await?;
                    (id, None, "vex.add")
                }
            };
            let after = read_row_json(conn, table("vex_statements"), id).await?;
            w.record(action, "vex_statement", id, before, after, reason)
                .await?;
            ids.push(id);
        }
        w.commit().await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let row = sqlx::query(&format!(
                "SELECT {VEX_COLS} FROM vex_statements WHERE id = $1"
            ))
            .bind(id)
            .fetch_one(self.pool())
            .await?;
            out.push(vex_from_row(&row)?);
        }
        Ok(out)
    }

    /// VEX statements of one release, or of all.
    pub async fn vex_statements(
        &self,
        release_id: Option<i64>,
    ) -> Result<Vec<VexStatementRow>, StoreError> {
        let rows = match release_id {
            Some(r) => {
                sqlx::query(&format!(
                    "SELECT {VEX_COLS} FROM vex_statements WHERE release_id = $1 ORDER BY id"
                ))
                .bind(r)
                .fetch_all(self.pool())
                .await?
            }
            None => {
                sqlx::query(&format!(
                    "SELECT {VEX_COLS} FROM vex_statements ORDER BY id"
                ))
                .fetch_all(self.pool())
                .await?
            }
        };
        rows.iter().map(vex_from_row).collect()
    }

    /// Every release with its latest SBOM revision id: what a portfolio match evaluates.
    pub async fn latest_sbom_revisions(&self) -> Result<Vec<(i64, i64)>, StoreError> {
        let rows = sqlx::query(
            "SELECT release_id, MAX(id) FROM sbom_revisions GROUP BY release_id ORDER BY release_id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }
}

fn event_row(id: i64, finding: i64, run: i64, event: &str, cause: &str, at: &str) -> Vec<Val> {
    vec![
        Val::Int(id),
        Val::Int(finding),
        Val::Int(run),
        Val::text(event),
        Val::text(cause),
        Val::text(at),
    ]
}

/// A `match_runs` row as `read_row_json` gives it.
#[derive(serde::Deserialize)]
struct MatchRunJson {
    id: i64,
    scope: String,
    cause: String,
    release_id: Option<i64>,
    sbom_revision_id: Option<i64>,
    change_checkpoint: i64,
    releases: i64,
    components: i64,
    findings: i64,
    possible: i64,
    appeared: i64,
    vanished: i64,
    index_records: i64,
    duration_ms: i64,
    started_at: String,
    finished_at: String,
}

impl MatchRunJson {
    fn into_run(self) -> MatchRun {
        MatchRun {
            id: self.id,
            scope: self.scope,
            cause: self.cause,
            release_id: self.release_id,
            sbom_revision_id: self.sbom_revision_id,
            change_checkpoint: self.change_checkpoint,
            releases: self.releases,
            components: self.components,
            findings: self.findings,
            possible: self.possible,
            appeared: self.appeared,
            vanished: self.vanished,
            index_records: self.index_records,
            duration_ms: self.duration_ms,
            started_at: self.started_at,
            finished_at: self.finished_at,
        }
    }
}

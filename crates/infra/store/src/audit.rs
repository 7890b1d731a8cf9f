//! The tamper-evident audit chain (DESIGN.md §2 and §10): the "objective evidence" of every
//! decision. Each event's hash is SHA-256 over the RFC 8785 (JCS) canonical JSON of the event,
//! including the previous event's hash, so editing, deleting or reordering any event breaks every
//! link after it.

use postmarket_model::Actor;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::{Any, Row, Transaction};

use crate::{now_rfc3339, Store, StoreError};

/// The `prev_hash` of the first event.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One link of the chain, as stored and as hashed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEvent {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub reason: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// The hashed part of an event: every field but `hash` itself.
#[derive(Serialize)]
struct Hashed<'a> {
    seq: i64,
    at: &'a str,
    actor: &'a str,
    action: &'a str,
    entity: &'a str,
    entity_id: &'a str,
    before: &'a Option<Value>,
    after: &'a Option<Value>,
    reason: &'a Option<String>,
    prev_hash: &'a str,
}

impl AuditEvent {
    /// SHA-256 (hex) of the RFC 8785 canonical JSON of the event without its own hash.
    pub fn compute_hash(&self) -> String {
        let hashed = Hashed {
            seq: self.seq,
            at: &self.at,
            actor: &self.actor,
            action: &self.action,
            entity: &self.entity,
            entity_id: &self.entity_id,
            before: &self.before,
            after: &self.after,
            reason: &self.reason,
            prev_hash: &self.prev_hash,
        };
        // JCS cannot fail on values that came from serde_json (no NaN or infinities there).
        let canonical = serde_jcs::to_vec(&hashed).unwrap_or_default();
        hex::encode(Sha256::digest(&canonical))
    }

    pub(crate) fn from_row(row: &sqlx::any::AnyRow) -> Result<Self, StoreError> {
        let json = |col: &str| -> Result<Option<Value>, StoreError> {
            let text: Option<String> = row.try_get(col)?;
            text.map(|t| {
                serde_json::from_str(&t)
                    .map_err(|e| StoreError::Corrupt(format!("audit event {col} is not JSON: {e}")))
            })
            .transpose()
        };
        Ok(Self {
            seq: row.try_get("seq")?,
            at: row.try_get("at")?,
            actor: row.try_get("actor")?,
            action: row.try_get("action")?,
            entity: row.try_get("entity")?,
            entity_id: row.try_get("entity_id")?,
            before: json("before_json")?,
            after: json("after_json")?,
            reason: row.try_get("reason")?,
            prev_hash: row.try_get("prev_hash")?,
            hash: row.try_get("hash")?,
        })
    }
}

pub(crate) const EVENT_COLUMNS: &str =
    "seq, at, actor, action, entity, entity_id, before_json, after_json, reason, prev_hash, hash";

/// A write transaction. Opening one locks the chain head (serialising writers on both backends);
/// every change made through it is recorded with [`Write::record`]; nothing is visible to anyone
/// until [`Write::commit`], and dropping it rolls everything back.
pub struct Write {
    pub(crate) tx: Transaction<'static, Any>,
    actor: Actor,
    at: String,
    seq: i64,
    hash: String,
}

impl std::fmt::Debug for Write {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Write")
            .field("actor", &self.actor)
            .field("seq", &self.seq)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Begins a write transaction on behalf of `actor`.
    pub async fn write(&self, actor: &Actor) -> Result<Write, StoreError> {
        let mut tx = self.pool().begin().await?;
        // Taking the head row's write lock first orders concurrent writers: PostgreSQL locks the
        // row, SQLite takes its single RESERVED lock (waiting up to busy_timeout).
        sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1")
            .execute(&mut *tx)
            .await?;
        let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
            .fetch_one(&mut *tx)
            .await?;
        Ok(Write {
            tx,
            actor: actor.clone(),
            at: now_rfc3339(),
            seq: row.try_get("seq")?,
            hash: row.try_get("hash")?,
        })
    }
}

impl Write {
    /// Appends an audit event for a change made in this transaction; returns its seq.
    pub async fn record(
        &mut self,
        action: &str,
        entity: &str,
        entity_id: impl ToString,
        before: Option<Value>,
        after: Option<Value>,
        reason: Option<&str>,
    ) -> Result<i64, StoreError> {
        let mut event = AuditEvent {
            seq: self.seq + 1,
            at: self.at.clone(),
            actor: self.actor.to_string(),
            action: action.to_string(),
            entity: entity.to_string(),
            entity_id: entity_id.to_string(),
            before,
            after,
            reason: reason.map(str::to_string),
            prev_hash: self.hash.clone(),
            hash: String::new(),
        };
        event.hash = event.compute_hash();
        insert_event(&mut self.tx, &event).await?;
        self.seq = event.seq;
        self.hash = event.hash;
        Ok(self.seq)
    }

    /// The connection of this transaction, for the change itself.
    pub fn conn(&mut self) -> &mut sqlx::AnyConnection {
        &mut self.tx
    }

    /// Moves the head and commits the changes with their events.
    pub async fn commit(mut self) -> Result<(), StoreError> {
        sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
            .bind(self.seq)
            .bind(&self.hash)
            .execute(&mut *self.tx)
            .await?;
        stall_for_crash_tests().await;
        self.tx.commit().await?;
        Ok(())
    }
}

/// Crash-safety tests kill the process while a write is open. This pause, set only through the
/// environment, gives them a window that is certainly inside the transaction.
async fn stall_for_crash_tests() {
    if let Some(ms) = std::env::var("POSTMARKET_TEST_STALL_BEFORE_COMMIT_MS")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        eprintln!("postmarket: stalling {ms} ms before commit");
        tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
    }
}

pub(crate) async fn insert_event(
    conn: &mut sqlx::AnyConnection,
    event: &AuditEvent,
) -> Result<(), StoreError> {
    let json = |v: &Option<Value>| v.as_ref().map(Value::to_string);
    sqlx::query(&format!(
        "INSERT INTO audit_events ({EVENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
    ))
    .bind(event.seq)
    .bind(&event.at)
    .bind(&event.actor)
    .bind(&event.action)
    .bind(&event.entity)
    .bind(&event.entity_id)
    .bind(json(&event.before))
    .bind(json(&event.after))
    .bind(&event.reason)
    .bind(&event.prev_hash)
    .bind(&event.hash)
    .execute(conn)
    .await?;
    Ok(())
}

impl Store {
    /// Events in seq order, `limit` at most, starting after `after_seq`; optionally for one entity.
    pub async fn audit_events(
        &self,
        after_seq: i64,
        limit: i64,
        entity: Option<(&str, &str)>,
    ) -> Result<Vec<AuditEvent>, StoreError> {
        let rows = match entity {
            None => {
                sqlx::query(&format!(
                    "SELECT {EVENT_COLUMNS} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2"
                ))
                .bind(after_seq)
                .bind(limit)
                .fetch_all(self.pool())
                .await?
            }
            Some((kind, id)) => {
                sqlx::query(&format!(
                    "SELECT {EVENT_COLUMNS} FROM audit_events WHERE seq > $1 AND entity = $2 AND entity_id = $3 ORDER BY seq LIMIT $4"
                ))
                .bind(after_seq)
                .bind(kind)
                .bind(id)
                .bind(limit)
                .fetch_all(self.pool())
                .await?
            }
        };
        rows.iter().map(AuditEvent::from_row).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> AuditEvent {
        let mut e = AuditEvent {
            seq: 1,
            at: "2026-01-01T00:00:00.000000Z".into(),
            actor: "alice".into(),
            action: "device.add".into(),
            entity: "device".into(),
            entity_id: "1".into(),
            before: None,
            after: Some(serde_json::json!({"name": "Pump", "b": 1, "a": 2})),
            reason: None,
            prev_hash: GENESIS_HASH.into(),
            hash: String::new(),
        };
        e.hash = e.compute_hash();
        e
    }

    #[test]
    fn hash_is_over_canonical_json_so_key_order_does_not_matter() {
        let e = event();
        let mut reordered = e.clone();
        reordered.after = Some(serde_json::from_str(r#"{"a":2,"b":1,"name":"Pump"}"#).unwrap());
        assert_eq!(e.compute_hash(), reordered.compute_hash());
    }

    #[test]
    fn hash_matches_an_independent_canonicalisation() {
        // RFC 8785 for this event: keys sorted by UTF-16 code units, no whitespace.
        let canonical = concat!(
            r#"{"action":"device.add","actor":"alice","after":{"a":2,"b":1,"name":"Pump"},"#,
            r#""at":"2026-01-01T00:00:00.000000Z","before":null,"entity":"device","#,
            r#""entity_id":"1","prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","#,
            r#""reason":null,"seq":1}"#
        );
        assert_eq!(
            event().hash,
            hex::encode(Sha256::digest(canonical.as_bytes()))
        );
    }

    #[test]
    fn every_field_is_covered_by_the_hash() {
        let base = event();
        let mut changed = Vec::new();
        let mut e = base.clone();
        e.seq = 2;
        changed.push(e);
        let mut e = base.clone();
        e.actor = "mallory".into();
        changed.push(e);
        let mut e = base.clone();
        e.reason = Some("x".into());
        changed.push(e);
        let mut e = base.clone();
        e.prev_hash = "1".repeat(64);
        changed.push(e);
        let mut e = base.clone();
        e.after = None;
        changed.push(e);
        for e in changed {
            assert_ne!(e.compute_hash(), base.hash, "{e:?}");
        }
    }
}

//! `db verify`: recompute the audit chain and compare every audited row with its last recorded
//! state, so that an edit, deletion or insertion made behind Postmarket's back is named.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;

use crate::audit::{AuditEvent, EVENT_COLUMNS};
use crate::schema::{row_json, TABLES};
use crate::{Backend, Store, StoreError, GENESIS_HASH};

/// One place where the stored data is not what Postmarket wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Breach {
    /// The seq of the first event that does not check out (chain breaches), or of the last event
    /// about the row (state breaches).
    pub seq: Option<i64>,
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub problem: String,
}

impl std::fmt::Display for Breach {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(seq) = self.seq {
            write!(f, "seq {seq}: ")?;
        }
        if let (Some(e), Some(id)) = (&self.entity, &self.entity_id) {
            write!(f, "{e} {id}: ")?;
        }
        f.write_str(&self.problem)
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    pub ok: bool,
    /// Events read and checked.
    pub events: i64,
    pub head_seq: i64,
    pub head_hash: String,
    /// The first broken link of the chain, if any: everything from here on is unproven.
    pub first_broken: Option<Breach>,
    /// Rows whose live state differs from the chain (the first 100).
    pub state_breaches: Vec<Breach>,
}

const BATCH: i64 = 5_000;
const MAX_REPORTED: usize = 100;

impl Store {
    /// Checks the whole chain and every audited row, from one consistent snapshot.
    pub async fn verify(&self) -> Result<VerifyReport, StoreError> {
        let mut tx = self.snapshot().await?;
        let (head_seq, head_hash): (i64, String) =
            sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1")
                .fetch_one(&mut *tx)
                .await?;

        let mut first_broken: Option<Breach> = None;
        let mut expected_seq = 1_i64;
        let mut prev_hash = GENESIS_HASH.to_string();
        let mut events = 0_i64;
        // The last recorded state of every entity, to compare with the live rows.
        let mut last_state: HashMap<(String, String), (i64, Option<Value>)> = HashMap::new();
        let mut cursor = 0_i64;
        loop {
            let rows = sqlx::query(&format!(
                "SELECT {EVENT_COLUMNS} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2"
            ))
            .bind(cursor)
            .bind(BATCH)
            .fetch_all(&mut *tx)
            .await?;
            if rows.is_empty() {
                break;
            }
            for row in &rows {
                let event = AuditEvent::from_row(row)?;
                cursor = event.seq;
                events += 1;
                if first_broken.is_none() {
                    first_broken = check_link(&event, expected_seq, &prev_hash);
                }
                expected_seq = event.seq + 1;
                prev_hash = event.hash.clone();
                last_state.insert(
                    (event.entity.clone(), event.entity_id.clone()),
                    (event.seq, event.after.clone()),
                );
            }
        }
        if first_broken.is_none() && (cursor != head_seq || prev_hash != head_hash) {
            first_broken = Some(Breach {
                seq: Some(cursor + 1),
                entity: None,
                entity_id: None,
                problem: format!(
                    "the chain ends at seq {cursor} but its head records seq {head_seq}: \
                     events after seq {cursor} were deleted or the head was altered"
                ),
            });
        }

        let mut state_breaches = Vec::new();
        for table in TABLES {
            let Some(entity) = table.entity else { continue };
            let rows = sqlx::query(&format!(
                "SELECT {} FROM {} ORDER BY {}",
                table.column_list(),
                table.name,
                table.key
            ))
            .fetch_all(&mut *tx)
            .await?;
            for row in &rows {
                let live = row_json(table, row)?;
                let id = live
                    .get(table.key)
                    .map(Value::to_string)
                    .unwrap_or_default();
                let breach = |seq: Option<i64>, problem: &str| Breach {
                    seq,
                    entity: Some(entity.to_string()),
                    entity_id: Some(id.clone()),
                    problem: problem.to_string(),
                };
                match last_state.remove(&(entity.to_string(), id.clone())) {
                    None => state_breaches.push(breach(
                        None,
                        "row has no audit event: it was inserted outside Postmarket",
                    )),
                    Some((seq, None)) => state_breaches.push(breach(
                        Some(seq),
                        "row exists although its last audit event removed it",
                    )),
                    Some((seq, Some(recorded))) if recorded != live => {
                        state_breaches.push(breach(
                            Some(seq),
                            &format!(
                                "row differs from its last audited state: {}",
                                describe_difference(&recorded, &live)
                            ),
                        ));
                    }
                    Some(_) => {}
                }
            }
            let mut vanished: Vec<_> = last_state
                .iter()
                .filter(|((e, _), (_, after))| e == entity && after.is_some())
                .map(|((_, id), (seq, _))| (*seq, id.clone()))
                .collect();
            vanished.sort();
            for (seq, id) in vanished {
                state_breaches.push(Breach {
                    seq: Some(seq),
                    entity: Some(entity.to_string()),
                    entity_id: Some(id),
                    problem: "row was deleted outside Postmarket".into(),
                });
            }
        }
        crate::sboms::verify_sbom_rows(&mut tx, &mut state_breaches).await?;
        tx.rollback().await?;
        state_breaches.sort_by_key(|b| b.seq.unwrap_or(i64::MAX));
        state_breaches.truncate(MAX_REPORTED);
        Ok(VerifyReport {
            ok: first_broken.is_none() && state_breaches.is_empty(),
            events,
            head_seq,
            head_hash,
            first_broken,
            state_breaches,
        })
    }

    /// A read-only transaction that sees one consistent state of the whole database.
    pub(crate) async fn snapshot(
        &self,
    ) -> Result<sqlx::Transaction<'static, sqlx::Any>, StoreError> {
        Ok(match self.backend() {
            Backend::Postgres => {
                self.pool()
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    .await?
            }
            // A SQLite read transaction (WAL mode) reads one snapshot from its first read on.
            Backend::Sqlite => self.pool().begin().await?,
        })
    }
}

fn check_link(event: &AuditEvent, expected_seq: i64, prev_hash: &str) -> Option<Breach> {
    let breach = |seq: i64, problem: String| {
        Some(Breach {
            seq: Some(seq),
            entity: Some(event.entity.clone()),
            entity_id: Some(event.entity_id.clone()),
            problem,
        })
    };
    if event.seq != expected_seq {
        let problem = if event.seq > expected_seq {
            format!(
                "event missing: expected seq {expected_seq}, the next stored event is seq {}",
                event.seq
            )
        } else {
            format!(
                "seq out of order: expected {expected_seq}, found {}",
                event.seq
            )
        };
        return breach(expected_seq, problem);
    }
    if event.prev_hash != prev_hash {
        return breach(
            event.seq,
            format!(
                "prev_hash {} does not match the hash of seq {} ({prev_hash})",
                short(&event.prev_hash),
                event.seq - 1
            ),
        );
    }
    let recomputed = event.compute_hash();
    if recomputed != event.hash {
        return breach(
            event.seq,
            format!(
                "event content does not match its hash (stored {}, recomputed {}): it was edited",
                short(&event.hash),
                short(&recomputed)
            ),
        );
    }
    None
}

fn short(hash: &str) -> &str {
    hash.get(..12).unwrap_or(hash)
}

/// Names the columns that differ, e.g. `product_line: "A" → "B"`.
fn describe_difference(recorded: &Value, live: &Value) -> String {
    let (Some(a), Some(b)) = (recorded.as_object(), live.as_object()) else {
        return "not an object".into();
    };
    let mut keys: Vec<&String> = a.keys().chain(b.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| a.get(*k) != b.get(*k))
        .map(|k| {
            format!(
                "{k}: {} → {}",
                a.get(k).unwrap_or(&Value::Null),
                b.get(k).unwrap_or(&Value::Null)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

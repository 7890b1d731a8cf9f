//! Cases and the program settings (migration 0005; issue 7). The workflow rules live in
//! `postmarket-program` and `postmarket-app`; the store keeps rows and their audit events.
//!
//! The case tables are many and alike (a case plus dated records that hang off it), so they are
//! written through one checked interface: a [`CaseWrite`] inserts or updates rows given as JSON
//! objects, checks every table and column against `schema::TABLES`, binds each value by its
//! declared type, and records the row's full state in the audit chain (so `db verify` covers
//! them). Several changes in one `CaseWrite` commit together or not at all.

use postmarket_model::Actor;
use serde_json::{Map, Value};

use crate::audit::Write;
use crate::devices::next_id;
use crate::error::duplicate_or;
use crate::schema::{read_row_json, row_json, table, ColType, Table};
use crate::{Store, StoreError};

/// A row as JSON: column name → value.
pub type Fields = Map<String, Value>;

/// The tables this module writes.
pub const CASE_TABLES: &[&str] = &[
    "program_settings",
    "cases",
    "case_releases",
    "case_assessments",
    "case_signatures",
    "case_plans",
    "case_controls",
    "case_fixes",
    "case_deployments",
    "case_notifications",
    "case_isao_shares",
    "case_adverse_events",
    "case_determinations",
    "notification_deliveries",
];

fn case_table(name: &str) -> Result<&'static Table, StoreError> {
    if !CASE_TABLES.contains(&name) {
        return Err(StoreError::Refused(format!(
            "{name} is not a case table (expected one of {})",
            CASE_TABLES.join(", ")
        )));
    }
    Ok(table(name))
}

fn column(t: &Table, name: &str) -> Result<ColType, StoreError> {
    t.columns
        .iter()
        .find(|(c, _, _)| *c == name)
        .map(|(_, ty, _)| *ty)
        .ok_or_else(|| StoreError::Refused(format!("{} has no column {name}", t.name)))
}

/// One value to bind, converted by the column's declared type.
enum Bound {
    Int(Option<i64>),
    Text(Option<String>),
}

fn bound(t: &Table, name: &str, v: &Value) -> Result<Bound, StoreError> {
    let bad = || {
        StoreError::Refused(format!(
            "{}.{name}: {v} does not fit the column's type",
            t.name
        ))
    };
    Ok(match (column(t, name)?, v) {
        (_, Value::Null) => match column(t, name)? {
            ColType::Int => Bound::Int(None),
            ColType::Text => Bound::Text(None),
        },
        (ColType::Int, Value::Number(n)) => Bound::Int(Some(n.as_i64().ok_or_else(bad)?)),
        (ColType::Int, Value::Bool(b)) => Bound::Int(Some(i64::from(*b))),
        (ColType::Text, Value::String(s)) => Bound::Text(Some(s.clone())),
        (ColType::Text, other) => Bound::Text(Some(other.to_string())),
        (ColType::Int, _) => return Err(bad()),
    })
}

fn bind_values<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    values: Vec<Bound>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for v in values {
        q = match v {
            Bound::Int(i) => q.bind(i),
            Bound::Text(s) => q.bind(s),
        };
    }
    q
}

/// A write transaction over the case tables (see the module documentation).
#[derive(Debug)]
pub struct CaseWrite {
    w: Write,
}

impl Store {
    /// Begins a write over the case tables on behalf of `actor`.
    pub async fn case_write(&self, actor: &Actor) -> Result<CaseWrite, StoreError> {
        Ok(CaseWrite {
            w: self.write(actor).await?,
        })
    }

    /// The rows of a case table where `column = value`, by id.
    pub async fn case_rows(
        &self,
        table_name: &str,
        where_column: &str,
        value: i64,
    ) -> Result<Vec<Value>, StoreError> {
        let t = case_table(table_name)?;
        column(t, where_column)?;
        let rows = sqlx::query(&format!(
            "SELECT {} FROM {} WHERE {where_column} = $1 ORDER BY id",
            t.column_list(),
            t.name
        ))
        .bind(value)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| row_json(t, r))
            .collect::<Result<_, _>>()?)
    }

    /// Every row of a case table, by id.
    pub async fn case_table_rows(&self, table_name: &str) -> Result<Vec<Value>, StoreError> {
        let t = case_table(table_name)?;
        let rows = sqlx::query(&format!(
            "SELECT {} FROM {} ORDER BY id",
            t.column_list(),
            t.name
        ))
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| row_json(t, r))
            .collect::<Result<_, _>>()?)
    }

    /// One row of a case table by id.
    pub async fn case_row(&self, table_name: &str, id: i64) -> Result<Option<Value>, StoreError> {
        let t = case_table(table_name)?;
        let mut conn = self.pool().acquire().await?;
        Ok(read_row_json(&mut conn, t, id).await?)
    }

    /// A program setting's value.
    pub async fn program_setting(&self, key: &str) -> Result<Option<Value>, StoreError> {
        let text: Option<String> =
            sqlx::query_scalar("SELECT value_json FROM program_settings WHERE key = $1")
                .bind(key)
                .fetch_optional(self.pool())
                .await?;
        text.map(|t| {
            serde_json::from_str(&t)
                .map_err(|e| StoreError::Corrupt(format!("program setting {key}: {e}")))
        })
        .transpose()
    }

    /// Sets a program setting (audited, before and after).
    pub async fn set_program_setting(
        &self,
        actor: &Actor,
        key: &str,
        value: &Value,
        reason: Option<&str>,
    ) -> Result<(), StoreError> {
        let mut w = self.case_write(actor).await?;
        let existing: Option<i64> =
            sqlx::query_scalar("SELECT id FROM program_settings WHERE key = $1")
                .bind(key)
                .fetch_optional(w.w.conn())
                .await?;
        let mut fields = Fields::new();
        fields.insert("value_json".into(), Value::String(value.to_string()));
        fields.insert("updated_at".into(), Value::String(crate::now_rfc3339()));
        match existing {
            Some(id) => {
                w.update(
                    "program_settings",
                    id,
                    "program.setting.set",
                    fields,
                    reason,
                )
                .await?;
            }
            None => {
                fields.insert("key".into(), Value::String(key.into()));
                w.insert("program_settings", "program.setting.set", fields, reason)
                    .await?;
            }
        }
        w.commit().await
    }
}

impl CaseWrite {
    /// Inserts a row (a new id is assigned; `created_at` is filled in when the table has it and
    /// it is not given) and records it; returns the id.
    pub async fn insert(
        &mut self,
        table_name: &str,
        action: &str,
        mut fields: Fields,
        reason: Option<&str>,
    ) -> Result<i64, StoreError> {
        let t = case_table(table_name)?;
        let id = next_id(self.w.conn(), t.name).await?;
        fields.insert("id".into(), Value::from(id));
        let now = crate::now_rfc3339();
        for stamp in ["created_at", "updated_at"] {
            if column(t, stamp).is_ok() && !fields.contains_key(stamp) {
                fields.insert(stamp.into(), Value::String(now.clone()));
            }
        }
        let names: Vec<&String> = fields.keys().collect();
        let values = names
            .iter()
            .map(|n| bound(t, n, &fields[n.as_str()]))
            .collect::<Result<Vec<_>, _>>()?;
        let params: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            t.name,
            names
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            params.join(", ")
        );
        bind_values(sqlx::query(&sql), values)
            .execute(self.w.conn())
            .await
            .map_err(|e| duplicate_or(e, || format!("this {} row", t.name)))?;
        let after = read_row_json(self.w.conn(), t, id).await?;
        self.w
            .record(action, t.entity.unwrap_or(t.name), id, None, after, reason)
            .await?;
        Ok(id)
    }

    /// Updates columns of a row (and `updated_at` when the table has it), recording before and
    /// after.
    pub async fn update(
        &mut self,
        table_name: &str,
        id: i64,
        action: &str,
        mut fields: Fields,
        reason: Option<&str>,
    ) -> Result<(), StoreError> {
        let t = case_table(table_name)?;
        let before = read_row_json(self.w.conn(), t, id)
            .await?
            .ok_or_else(|| StoreError::not_found(format!("{} row {id}", t.name)))?;
        if column(t, "updated_at").is_ok() && !fields.contains_key("updated_at") {
            fields.insert("updated_at".into(), Value::String(crate::now_rfc3339()));
        }
        let names: Vec<&String> = fields.keys().collect();
        let mut values = names
            .iter()
            .map(|n| bound(t, n, &fields[n.as_str()]))
            .collect::<Result<Vec<_>, _>>()?;
        let sets: Vec<String> = names
            .iter()
            .enumerate()
            .map(|(i, n)| format!("{n} = ${}", i + 1))
            .collect();
        let sql = format!(
            "UPDATE {} SET {} WHERE id = ${}",
            t.name,
            sets.join(", "),
            names.len() + 1
        );
        values.push(Bound::Int(Some(id)));
        bind_values(sqlx::query(&sql), values)
            .execute(self.w.conn())
            .await
            .map_err(|e| duplicate_or(e, || format!("this {} row", t.name)))?;
        let after = read_row_json(self.w.conn(), t, id).await?;
        self.w
            .record(
                action,
                t.entity.unwrap_or(t.name),
                id,
                Some(before),
                after,
                reason,
            )
            .await?;
        Ok(())
    }

    /// The case for a vulnerability and device, read inside this write (so that opening cases
    /// stays idempotent with concurrent writers: the audit head lock is held).
    pub async fn find_case(
        &mut self,
        device_id: i64,
        vulnerability: &str,
    ) -> Result<Option<i64>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT id FROM cases WHERE device_id = $1 AND lower(vulnerability) = lower($2)",
        )
        .bind(device_id)
        .bind(vulnerability)
        .fetch_optional(self.w.conn())
        .await?)
    }

    /// Commits every change with its audit events.
    pub async fn commit(self) -> Result<(), StoreError> {
        self.w.commit().await
    }
}

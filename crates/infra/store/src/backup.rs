//! `db backup` / `db restore`: a backend-neutral snapshot as JSON lines.
//!
//! Line 1 is a header (`{"postmarket_backup":1,...}`), then one line per row
//! (`{"table":"devices","row":{...}}`) in dependency order, then a footer with the row count and
//! the SHA-256 of every line before it, so a truncated or edited file is refused before anything
//! is written. Restoring copies the audit chain verbatim, so it verifies exactly as the original.

use std::io::{BufRead, BufReader, BufWriter, Write as _};
use std::path::Path;

use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::schema::{row_json, ColType, Table, TABLES};
use crate::{Store, StoreError};

const FORMAT_VERSION: i64 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct BackupSummary {
    pub file: String,
    pub rows: u64,
    pub audit_events: u64,
    pub head_hash: String,
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RestoreSummary {
    pub file: String,
    pub rows: u64,
    pub audit_events: u64,
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.display().to_string(),
        source,
    }
}

impl Store {
    /// Writes a consistent snapshot of every table to `path` (atomically: a temporary file next
    /// to it is renamed into place once complete).
    pub async fn backup(&self, path: &Path) -> Result<BackupSummary, StoreError> {
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| Path::new("."));
        let tmp = dir.join(format!(
            ".{}.partial",
            path.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "backup".into())
        ));
        let file = std::fs::File::create(&tmp).map_err(io_err(&tmp))?;
        let mut out = BufWriter::new(file);
        let mut digest = Sha256::new();
        let mut emit =
            |line: &Value, out: &mut BufWriter<std::fs::File>| -> Result<(), StoreError> {
                let mut text = line.to_string();
                text.push('\n');
                digest.update(text.as_bytes());
                out.write_all(text.as_bytes()).map_err(io_err(&tmp))
            };

        let schema = self.applied_migrations().await?;
        let mut tx = self.snapshot().await?;
        emit(
            &json!({
                "postmarket_backup": FORMAT_VERSION,
                "schema": schema,
                "source_backend": self.backend().to_string(),
                "created_at": crate::now_rfc3339(),
                "tables": TABLES.iter().map(|t| t.name).collect::<Vec<_>>(),
            }),
            &mut out,
        )?;
        let (mut rows, mut audit_events) = (0_u64, 0_u64);
        let mut head_hash = String::new();
        for table in TABLES {
            let sql = format!(
                "SELECT {} FROM {} ORDER BY {}",
                table.column_list(),
                table.name,
                table.key
            );
            for row in sqlx::query(&sql).fetch_all(&mut *tx).await? {
                let row = row_json(table, &row)?;
                if table.name == "audit_head" {
                    head_hash = row["hash"].as_str().unwrap_or_default().to_string();
                }
                if table.name == "audit_events" {
                    audit_events += 1;
                }
                emit(&json!({"table": table.name, "row": row}), &mut out)?;
                rows += 1;
            }
        }
        tx.rollback().await?;
        let sha256 = hex::encode(digest.finalize_reset());
        let footer = json!({"end": {"rows": rows, "sha256": sha256}});
        out.write_all(format!("{footer}\n").as_bytes())
            .map_err(io_err(&tmp))?;
        let file = out.into_inner().map_err(|e| io_err(&tmp)(e.into_error()))?;
        file.sync_all().map_err(io_err(&tmp))?;
        std::fs::rename(&tmp, path).map_err(io_err(path))?;
        Ok(BackupSummary {
            file: path.display().to_string(),
            rows,
            audit_events,
            head_hash,
            sha256,
        })
    }

    /// Restores a backup into this database, which must be empty (freshly migrated). All rows go
    /// in one transaction: a bad file leaves the database as it was.
    pub async fn restore(&self, path: &Path) -> Result<RestoreSummary, StoreError> {
        let parsed = read_backup(path)?;
        let known = self.known_migrations();
        if parsed.schema > known {
            return Err(StoreError::Refused(format!(
                "{} was written by a newer postmarket (schema {}; this one knows {known})",
                path.display(),
                parsed.schema
            )));
        }
        let mut tx = self.pool().begin().await?;
        // The head row lock serialises us with any writer, as every write does.
        sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1")
            .execute(&mut *tx)
            .await?;
        for table in TABLES {
            let count_sql = match table.name {
                "audit_head" => "SELECT count(*) FROM audit_head WHERE seq <> 0".to_string(),
                name => format!("SELECT count(*) FROM {name}"),
            };
            let n: i64 = sqlx::query_scalar(&count_sql).fetch_one(&mut *tx).await?;
            if n > 0 {
                return Err(StoreError::Refused(format!(
                    "restore needs an empty database, but {} already holds data (table {}); \
                     restore into a new database",
                    self.display_url(),
                    table.name
                )));
            }
        }
        let mut audit_events = 0;
        for (line, table, row) in &parsed.rows {
            let at = |message: String| StoreError::BadBackup {
                file: path.display().to_string(),
                line: *line,
                message,
            };
            let values = column_values(table, row).map_err(at)?;
            let sql = if table.name == "audit_head" {
                "UPDATE audit_head SET seq = $2, hash = $3 WHERE id = $1".to_string()
            } else {
                let params: Vec<String> =
                    (1..=table.columns.len()).map(|i| format!("${i}")).collect();
                format!(
                    "INSERT INTO {} ({}) VALUES ({})",
                    table.name,
                    table.column_list(),
                    params.join(", ")
                )
            };
            let mut q = sqlx::query(&sql);
            for v in values {
                q = match v {
                    Cell::Int(i) => q.bind(i),
                    Cell::Text(s) => q.bind(s),
                    Cell::NullInt => q.bind(None::<i64>),
                    Cell::NullText => q.bind(None::<String>),
                };
            }
            q.execute(&mut *tx)
                .await
                .map_err(|e| at(format!("the database refused this {} row: {e}", table.name)))?;
            if table.name == "audit_events" {
                audit_events += 1;
            }
        }
        tx.commit().await?;
        Ok(RestoreSummary {
            file: path.display().to_string(),
            rows: parsed.rows.len() as u64,
            audit_events,
        })
    }
}

enum Cell {
    Int(i64),
    Text(String),
    NullInt,
    NullText,
}

fn column_values(table: &Table, row: &Value) -> Result<Vec<Cell>, String> {
    let obj = row
        .as_object()
        .ok_or_else(|| "expected \"row\" to be an object".to_string())?;
    if let Some(unknown) = obj
        .keys()
        .find(|k| !table.columns.iter().any(|(c, _, _)| c == k))
    {
        return Err(format!(
            "unknown column {unknown:?} in table {}",
            table.name
        ));
    }
    table
        .columns
        .iter()
        .map(|(name, ty, nullable)| {
            let v = obj.get(*name).unwrap_or(&Value::Null);
            match (v, ty) {
                (Value::Null, _) if !nullable => Err(format!(
                    "column {name:?} of table {} must not be null",
                    table.name
                )),
                (Value::Null, ColType::Int) => Ok(Cell::NullInt),
                (Value::Null, ColType::Text) => Ok(Cell::NullText),
                (Value::Number(n), ColType::Int) => n
                    .as_i64()
                    .map(Cell::Int)
                    .ok_or_else(|| format!("column {name:?}: expected an integer, found {n}")),
                (Value::String(s), ColType::Text) => Ok(Cell::Text(s.clone())),
                (other, ColType::Int) => Err(format!(
                    "column {name:?}: expected an integer, found {other}"
                )),
                (other, ColType::Text) => {
                    Err(format!("column {name:?}: expected a string, found {other}"))
                }
            }
        })
        .collect()
}

struct ParsedBackup {
    schema: usize,
    rows: Vec<(usize, &'static Table, Value)>,
}

/// Reads and checks a whole backup file before anything is written to the database.
fn read_backup(path: &Path) -> Result<ParsedBackup, StoreError> {
    let file = std::fs::File::open(path).map_err(io_err(path))?;
    let bad = |line: usize, message: String| StoreError::BadBackup {
        file: path.display().to_string(),
        line,
        message,
    };
    let mut digest = Sha256::new();
    let mut schema = None;
    let mut rows = Vec::new();
    let mut footer = None;
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let n = i + 1;
        let text = line.map_err(|e| bad(n, format!("cannot read: {e}")))?;
        if footer.is_some() {
            return Err(bad(n, "unexpected content after the end line".into()));
        }
        let value: Value = serde_json::from_str(&text).map_err(|e| {
            bad(
                n,
                format!("not JSON ({e}); expected one JSON object per line"),
            )
        })?;
        if n == 1 {
            let version = value.get("postmarket_backup").and_then(Value::as_i64);
            if version != Some(FORMAT_VERSION) {
                return Err(bad(
                    1,
                    format!(
                        "expected a Postmarket backup header {{\"postmarket_backup\":{FORMAT_VERSION},...}}"
                    ),
                ));
            }
            schema = value
                .get("schema")
                .and_then(Value::as_u64)
                .map(|s| s as usize);
            if schema.is_none() {
                return Err(bad(1, "the header has no \"schema\" number".into()));
            }
        } else if let Some(end) = value.get("end") {
            let expect_sha = hex::encode(digest.clone().finalize());
            let rows_said = end.get("rows").and_then(Value::as_u64);
            if rows_said != Some(rows.len() as u64) {
                return Err(bad(
                    n,
                    format!(
                        "the end line counts {} rows but the file holds {}",
                        rows_said.map_or("no".into(), |r| r.to_string()),
                        rows.len()
                    ),
                ));
            }
            if end.get("sha256").and_then(Value::as_str) != Some(expect_sha.as_str()) {
                return Err(bad(
                    n,
                    "checksum mismatch: the file was changed after it was written".into(),
                ));
            }
            footer = Some(n);
        } else {
            let name = value
                .get("table")
                .and_then(Value::as_str)
                .ok_or_else(|| bad(n, "expected {\"table\":NAME,\"row\":{...}}".into()))?;
            let table = TABLES
                .iter()
                .find(|t| t.name == name)
                .ok_or_else(|| bad(n, format!("unknown table {name:?}")))?;
            let row = value
                .get("row")
                .cloned()
                .ok_or_else(|| bad(n, "expected a \"row\" object".into()))?;
            column_values(table, &row).map_err(|m| bad(n, m))?;
            rows.push((n, table, row));
        }
        digest.update(text.as_bytes());
        digest.update(b"\n");
    }
    if footer.is_none() {
        return Err(bad(
            rows.len() + 1,
            "the file ends without its end line: it is truncated".into(),
        ));
    }
    Ok(ParsedBackup {
        schema: schema.unwrap_or_default(),
        rows,
    })
}

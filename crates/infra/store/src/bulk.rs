//! Multi-row `INSERT`s with the same SQL on both backends: feed imports write hundreds of
//! thousands of rows, and one statement per row would spend its time in round trips.

use sqlx::AnyConnection;

/// One bound value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Val {
    Int(i64),
    Text(String),
    NullText,
}

impl Val {
    pub fn text(s: impl Into<String>) -> Self {
        Self::Text(s.into())
    }

    pub fn opt_text(s: Option<impl Into<String>>) -> Self {
        s.map_or(Self::NullText, |s| Self::Text(s.into()))
    }

    pub fn flag(b: bool) -> Self {
        Self::Int(i64::from(b))
    }
}

pub(crate) fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    vals: &'q [Val],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    for v in vals {
        q = match v {
            Val::Int(i) => q.bind(*i),
            Val::Text(s) => q.bind(s.as_str()),
            Val::NullText => q.bind(None::<String>),
        };
    }
    q
}

/// Most parameters in one statement: below SQLite's 32,766 and PostgreSQL's 65,535.
const MAX_PARAMS: usize = 10_000;
/// Most rows in one statement.
const MAX_ROWS: usize = 2_000;

/// Rows waiting to be inserted into one table.
#[derive(Debug)]
pub(crate) struct Bulk {
    table: &'static str,
    columns: &'static [&'static str],
    /// Appended after `VALUES …`, e.g. an `ON CONFLICT` clause.
    suffix: &'static str,
    values: Vec<Val>,
    full_sql: Option<String>,
}

impl Bulk {
    pub fn new(table: &'static str, columns: &'static [&'static str]) -> Self {
        Self::with_suffix(table, columns, "")
    }

    pub fn with_suffix(
        table: &'static str,
        columns: &'static [&'static str],
        suffix: &'static str,
    ) -> Self {
        Self {
            table,
            columns,
            suffix,
            values: Vec::new(),
            full_sql: None,
        }
    }

    pub fn push(&mut self, row: impl IntoIterator<Item = Val>) {
        let before = self.values.len();
        self.values.extend(row);
        debug_assert_eq!(
            self.values.len() - before,
            self.columns.len(),
            "{}",
            self.table
        );
    }

    pub fn rows(&self) -> usize {
        self.values.len() / self.columns.len()
    }

    fn rows_per_statement(&self) -> usize {
        (MAX_PARAMS / self.columns.len()).clamp(1, MAX_ROWS)
    }

    /// The statement for `rows` rows. The one place where the SQL differs by backend: SQLite
    /// gets anonymous `?` parameters, because sqlx binds each `$n` by asking SQLite its name, and
    /// SQLite finds names by a linear scan, so a statement with `$n` parameters costs the square of
    /// their number (75% of an EPSS import's time with 2,000 per statement).
    fn sql(&self, rows: usize, anonymous: bool) -> String {
        let n = self.columns.len();
        let mut sql = format!(
            "INSERT INTO {} ({}) VALUES ",
            self.table,
            self.columns.join(", ")
        );
        let mut p = 1;
        for r in 0..rows {
            if r > 0 {
                sql.push(',');
            }
            sql.push('(');
            for c in 0..n {
                if c > 0 {
                    sql.push(',');
                }
                if anonymous {
                    sql.push('?');
                } else {
                    sql.push('$');
                    sql.push_str(&p.to_string());
                }
                p += 1;
            }
            sql.push(')');
        }
        sql.push_str(self.suffix);
        sql
    }

    /// Inserts every waiting row.
    pub async fn flush(&mut self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        if self.values.is_empty() {
            return Ok(());
        }
        let per = self.rows_per_statement();
        let width = self.columns.len();
        let anonymous = conn.backend_name().eq_ignore_ascii_case("sqlite");
        let values = std::mem::take(&mut self.values);
        for chunk in values.chunks(per * width) {
            let rows = chunk.len() / width;
            if rows == per {
                if self.full_sql.is_none() {
                    self.full_sql = Some(self.sql(per, anonymous));
                }
                let sql = self.full_sql.as_deref().unwrap_or_default();
                bind_all(sqlx::query(sql), chunk)
                    .execute(&mut *conn)
                    .await?;
            } else {
                let sql = self.sql(rows, anonymous);
                bind_all(sqlx::query(&sql).persistent(false), chunk)
                    .execute(&mut *conn)
                    .await?;
            }
        }
        Ok(())
    }
}

/// `$1, $2, …, $n` for an `IN (…)` list.
pub(crate) fn placeholders(n: usize, first: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sql_numbers_parameters_row_by_row() {
        let b = Bulk::with_suffix("t", &["a", "b"], " ON CONFLICT (a) DO NOTHING");
        assert_eq!(
            b.sql(2, false),
            "INSERT INTO t (a, b) VALUES ($1,$2),($3,$4) ON CONFLICT (a) DO NOTHING"
        );
        assert_eq!(
            b.sql(1, true),
            "INSERT INTO t (a, b) VALUES (?,?) ON CONFLICT (a) DO NOTHING"
        );
        assert_eq!(placeholders(3, 2), "$2, $3, $4");
    }

    #[test]
    fn statements_stay_under_the_parameter_limits() {
        let wide = Bulk::new("t", &["a"; 17]);
        assert!(wide.rows_per_statement() * 17 <= MAX_PARAMS);
        let narrow = Bulk::new("t", &["a"]);
        assert_eq!(narrow.rows_per_statement(), MAX_ROWS);
    }
}

//! A description of every table, used by backup/restore (to copy rows without knowing the
//! backend) and by verify (to compare live rows with their last audited state). A conformance
//! test checks this list against the tables the migrations actually create.

/// How a column is carried in a backup.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ColType {
    Int,
    Text,
}

#[derive(Debug)]
pub(crate) struct Table {
    pub name: &'static str,
    /// The audit chain's name for rows of this table; `None` for the chain's own tables.
    pub entity: Option<&'static str>,
    pub key: &'static str,
    pub columns: &'static [(&'static str, ColType, bool)],
}

impl Table {
    pub fn column_list(&self) -> String {
        self.columns
            .iter()
            .map(|(c, _, _)| *c)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

use ColType::{Int, Text};

/// In dependency order: a table comes after the tables it references. `(column, type, nullable)`.
pub(crate) const TABLES: &[Table] = &[
    Table {
        name: "audit_head",
        entity: None,
        key: "id",
        columns: &[
            ("id", Int, false),
            ("seq", Int, false),
            ("hash", Text, false),
        ],
    },
    Table {
        name: "audit_events",
        entity: None,
        key: "seq",
        columns: &[
            ("seq", Int, false),
            ("at", Text, false),
            ("actor", Text, false),
            ("action", Text, false),
            ("entity", Text, false),
            ("entity_id", Text, false),
            ("before_json", Text, true),
            ("after_json", Text, true),
            ("reason", Text, true),
            ("prev_hash", Text, false),
            ("hash", Text, false),
        ],
    },
    Table {
        name: "devices",
        entity: Some("device"),
        key: "id",
        columns: &[
            ("id", Int, false),
            ("name", Text, false),
            ("product_line", Text, false),
            ("device_class", Text, false),
            ("pathway", Text, false),
            ("udi_di", Text, true),
            ("cyber_device", Int, false),
            ("safety_statement", Text, true),
            ("harm_acceptance", Text, true),
            ("created_at", Text, false),
        ],
    },
    Table {
        name: "releases",
        entity: Some("release"),
        key: "id",
        columns: &[
            ("id", Int, false),
            ("device_id", Int, false),
            ("version", Text, false),
            ("released_at", Text, true),
            ("end_of_support", Text, true),
            ("install_base", Int, false),
            ("created_at", Text, false),
        ],
    },
];

pub(crate) fn table(name: &str) -> &'static Table {
    TABLES
        .iter()
        .find(|t| t.name == name)
        .unwrap_or_else(|| panic!("table {name} is not described in schema::TABLES"))
}

/// Reads one column of a row as JSON, by its declared type.
pub(crate) fn column_json(
    row: &sqlx::any::AnyRow,
    i: usize,
    ty: ColType,
) -> Result<serde_json::Value, sqlx::Error> {
    use sqlx::Row;
    Ok(match ty {
        ColType::Int => row
            .try_get::<Option<i64>, _>(i)?
            .map_or(serde_json::Value::Null, Into::into),
        ColType::Text => row
            .try_get::<Option<String>, _>(i)?
            .map_or(serde_json::Value::Null, Into::into),
    })
}

/// A whole row as a JSON object, column by column: the form in which the audit chain records an
/// entity's state, so that verify can compare any live row with its last audited state.
pub(crate) fn row_json(
    table: &Table,
    row: &sqlx::any::AnyRow,
) -> Result<serde_json::Value, sqlx::Error> {
    let mut map = serde_json::Map::new();
    for (i, (name, ty, _)) in table.columns.iter().enumerate() {
        map.insert((*name).to_string(), column_json(row, i, *ty)?);
    }
    Ok(serde_json::Value::Object(map))
}

/// Reads one row of `table` by key as JSON (`None` if absent).
pub(crate) async fn read_row_json(
    conn: &mut sqlx::AnyConnection,
    table: &Table,
    key: i64,
) -> Result<Option<serde_json::Value>, sqlx::Error> {
    let sql = format!(
        "SELECT {} FROM {} WHERE {} = $1",
        table.column_list(),
        table.name,
        table.key
    );
    let row = sqlx::query(&sql).bind(key).fetch_optional(conn).await?;
    row.as_ref().map(|r| row_json(table, r)).transpose()
}

/// The names of the tables a backup covers, in dependency order.
pub fn table_names() -> Vec<&'static str> {
    TABLES.iter().map(|t| t.name).collect()
}

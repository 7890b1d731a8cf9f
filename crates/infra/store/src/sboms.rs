//! SBOMs of releases (issue 3): each document a release receives is kept verbatim as a revision,
//! with its normalised components and dependency edges, written in one transaction.
//!
//! Components and edges are written in bulk (multi-row INSERTs), not row by row with an audit event
//! each. Instead the revision's audit event records `rows_digest`: SHA-256 over every component,
//! edge and document row of the revision as JSON arrays of their column values (the document's
//! content represented by its SHA-256). `db verify` recomputes it per revision, so an edit to any
//! of those rows is named by its revision.

use postmarket_model::{Actor, Device, DeviceName, NewRelease, Release, ReleaseVersion};
use postmarket_sbom::{
    Component, Diagnostic, ExternalReference, Format, Hash, Metadata, Parsed, QualityReport, Sbom,
    SupportLevel,
};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::devices::{insert_release, next_id};
use crate::error::duplicate_or;
use crate::schema::{read_row_json, row_json, table, ColType, Table};
use crate::verify::Breach;
use crate::{Backend, Store, StoreError};

/// PostgreSQL takes up to 65,535 bound parameters per statement; big statements are fastest there.
const PG_MAX_PARAMS: usize = 30_000;
/// SQLite takes up to 32,766, but binding `$n` parameters costs time quadratic in their number
/// (sqlx looks each name up, and SQLite's lookup is linear), so small statements are fastest:
/// about 200 parameters (8 component rows) stored 50,000 components in ~1.8 s, 24,000 in ~60 s.
const SQLITE_MAX_PARAMS: usize = 200;
/// Rows per INSERT at most, whatever the width.
const MAX_ROWS_PER_INSERT: usize = 1_000;

fn rows_per_insert(backend: Backend, width: usize) -> usize {
    let params = match backend {
        Backend::Sqlite => SQLITE_MAX_PARAMS,
        Backend::Postgres => PG_MAX_PARAMS,
    };
    (params / width.max(1)).clamp(1, MAX_ROWS_PER_INSERT)
}

/// Where an SBOM goes.
#[derive(Debug, Clone, Copy)]
pub enum SbomTarget<'a> {
    /// A release that must exist already.
    Existing {
        device: &'a DeviceName,
        version: &'a ReleaseVersion,
    },
    /// The release, created (audited) in the same transaction when it is new.
    CreateIfMissing(&'a NewRelease),
}

/// One stored SBOM revision's metadata (the document itself is in [`Store::sbom_document`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SbomRevision {
    pub id: i64,
    pub release_id: i64,
    pub revision: i64,
    pub format: String,
    pub spec_version: String,
    pub sha256: String,
    pub size_bytes: i64,
    pub doc_name: Option<String>,
    pub serial_number: Option<String>,
    pub authors: Vec<String>,
    pub timestamp: Option<String>,
    pub tools: Vec<String>,
    pub device: Option<Component>,
    pub component_count: i64,
    pub edge_count: i64,
    pub rows_digest: String,
    pub created_at: String,
}

/// The stored document of a revision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SbomDocument {
    pub revision_id: i64,
    /// The document exactly as received.
    pub content: String,
    pub quality: QualityReport,
    pub diagnostics: Vec<Diagnostic>,
}

/// A stored component: the normalised component plus its row identity.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredComponent {
    pub id: i64,
    pub ordinal: i64,
    #[serde(flatten)]
    pub component: Component,
}

/// What storing an SBOM did.
#[derive(Debug, Clone, Serialize)]
pub struct SbomStored {
    pub release: Release,
    /// The release was created by this call.
    pub release_created: bool,
    /// The revision now latest for the release (the existing one when `unchanged`).
    pub revision: SbomRevision,
    /// The document was byte-for-byte the release's latest revision: nothing was written.
    pub unchanged: bool,
}

/// A support level / end of support set in Postmarket for a component of a release.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SupportOverride {
    pub id: i64,
    pub release_id: i64,
    /// What the override applies to (see `postmarket_app`'s component key).
    pub component_key: String,
    pub component_name: String,
    pub support_level: SupportLevel,
    pub end_of_support: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

/// Latest-revision facts per release, for listings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReleaseSbomSummary {
    pub release_id: i64,
    pub revisions: i64,
    pub latest: SbomRevision,
}

/// SHA-256 of bytes, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub(crate) fn support_level_from_str(s: &str) -> Option<SupportLevel> {
    match s {
        "maintained" => Some(SupportLevel::Maintained),
        "no_longer_maintained" => Some(SupportLevel::NoLongerMaintained),
        "abandoned" => Some(SupportLevel::Abandoned),
        _ => None,
    }
}

fn text(v: Option<&str>) -> Value {
    v.map_or(Value::Null, |s| Value::String(s.to_string()))
}

fn json_text<T: Serialize + ?Sized>(v: &T) -> String {
    // Serialising plain data types to JSON cannot fail.
    serde_json::to_string(v).unwrap_or_else(|_| "null".into())
}

/// The digest over a revision's bulk rows (see the module documentation): per row, the table
/// name, a tab, the row's values in column order as a JSON array, a newline. An array, not an
/// object, so that the bytes do not depend on how a JSON map orders its keys.
struct RowsDigest(Sha256);

/// Lets serde_json write straight into the hash.
struct HashWriter<'a>(&'a mut Sha256);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl RowsDigest {
    fn new() -> Self {
        Self(Sha256::new())
    }
    fn add(&mut self, table: &str, values: &[Value]) {
        self.0.update(table.as_bytes());
        self.0.update(b"\t");
        // Writing plain JSON values into a hash cannot fail.
        let _ = serde_json::to_writer(HashWriter(&mut self.0), values);
        self.0.update(b"\n");
    }
    fn finish(self) -> String {
        hex::encode(self.0.finalize())
    }
}

/// A row read back (`row_json`) as its values in column order.
fn row_values(table: &Table, row: &Value) -> Vec<Value> {
    table
        .columns
        .iter()
        .map(|(c, _, _)| row.get(*c).cloned().unwrap_or(Value::Null))
        .collect()
}

/// The document row as it enters the digest: the content (column 1) by its SHA-256.
fn document_digest_values(values: &[Value]) -> Vec<Value> {
    let mut v = values.to_vec();
    if let Some(content) = v.get_mut(1) {
        let hash = content.as_str().map(|c| sha256_hex(c.as_bytes()));
        *content = text(hash.as_deref());
    }
    v
}

/// Inserts rows (values in column order) with as few multi-row INSERTs as the parameter limit
/// allows.
async fn insert_rows(
    conn: &mut sqlx::AnyConnection,
    backend: Backend,
    table: &Table,
    rows: &[Vec<Value>],
) -> Result<(), StoreError> {
    let width = table.columns.len();
    let per_insert = rows_per_insert(backend, width);
    for chunk in rows.chunks(per_insert) {
        let mut sql = format!(
            "INSERT INTO {} ({}) VALUES ",
            table.name,
            table.column_list()
        );
        let mut p = 1;
        for (i, _) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push_str(", ");
            }
            sql.push('(');
            for c in 0..width {
                if c > 0 {
                    sql.push_str(", ");
                }
                sql.push('$');
                sql.push_str(&p.to_string());
                p += 1;
            }
            sql.push(')');
        }
        let mut q = sqlx::query(&sql);
        for row in chunk {
            for ((name, ty, _), v) in table.columns.iter().zip(row) {
                q = match (v, ty) {
                    (Value::Null, ColType::Int) => q.bind(None::<i64>),
                    (Value::Null, ColType::Text) => q.bind(None::<String>),
                    (Value::Number(n), ColType::Int) => q.bind(n.as_i64().ok_or_else(|| {
                        StoreError::Corrupt(format!("{}.{name}: {n} is not an integer", table.name))
                    })?),
                    (Value::String(s), ColType::Text) => q.bind(s.clone()),
                    (other, _) => {
                        return Err(StoreError::Corrupt(format!(
                            "{}.{name}: unexpected value {other}",
                            table.name
                        )))
                    }
                };
            }
        }
        q.execute(&mut *conn).await?;
    }
    Ok(())
}

fn component_values(
    c: &Component,
    id: i64,
    revision_id: i64,
    release_id: i64,
    ordinal: i64,
) -> Vec<Value> {
    let purl_base = c
        .purl
        .as_deref()
        .and_then(|p| p.parse::<postmarket_ident::PackageUrl>().ok())
        .map(|p| p.without_version().to_string());
    vec![
        id.into(),
        revision_id.into(),
        release_id.into(),
        ordinal.into(),
        c.bom_ref.clone().into(),
        c.name.clone().into(),
        text(c.version.as_deref()),
        text(c.supplier.as_deref()),
        text(c.purl.as_deref()),
        text(c.purl_raw.as_deref()),
        text(purl_base.as_deref()),
        text(c.cpe.as_deref()),
        text(c.swid.as_deref()),
        json_text(&c.hashes).into(),
        text(c.licenses.as_deref()),
        text(c.support_level.map(|l| l.as_str())),
        text(c.support_level_raw.as_deref()),
        text(c.end_of_support.as_deref()),
        text(c.end_of_support_raw.as_deref()),
        text(c.component_type.as_deref()),
        text(c.parent.as_deref()),
        text(c.description.as_deref()),
        json_text(&c.properties).into(),
        json_text(&c.external_references).into(),
    ]
}

fn component_from_row(row: &sqlx::any::AnyRow) -> Result<StoredComponent, StoreError> {
    let id: i64 = row.try_get("id")?;
    let bad = |what: &str, e: &dyn std::fmt::Display| {
        StoreError::Corrupt(format!("sbom component {id}: {what}: {e}"))
    };
    let json_col = |col: &str| -> Result<String, StoreError> { Ok(row.try_get::<String, _>(col)?) };
    let hashes: Vec<Hash> =
        serde_json::from_str(&json_col("hashes_json")?).map_err(|e| bad("hashes_json", &e))?;
    let properties: Vec<(String, String)> = serde_json::from_str(&json_col("properties_json")?)
        .map_err(|e| bad("properties_json", &e))?;
    let external_references: Vec<ExternalReference> =
        serde_json::from_str(&json_col("external_refs_json")?)
            .map_err(|e| bad("external_refs_json", &e))?;
    let support_level = row
        .try_get::<Option<String>, _>("support_level")?
        .map(|s| support_level_from_str(&s).ok_or_else(|| bad("support_level", &s)))
        .transpose()?;
    Ok(StoredComponent {
        id,
        ordinal: row.try_get("ordinal")?,
        component: Component {
            bom_ref: row.try_get("bom_ref")?,
            name: row.try_get("name")?,
            version: row.try_get("version")?,
            supplier: row.try_get("supplier")?,
            purl: row.try_get("purl")?,
            purl_raw: row.try_get("purl_raw")?,
            cpe: row.try_get("cpe")?,
            swid: row.try_get("swid")?,
            hashes,
            licenses: row.try_get("licenses")?,
            support_level,
            support_level_raw: row.try_get("support_level_raw")?,
            end_of_support: row.try_get("end_of_support")?,
            end_of_support_raw: row.try_get("end_of_support_raw")?,
            component_type: row.try_get("component_type")?,
            parent: row.try_get("parent_ref")?,
            description: row.try_get("description")?,
            properties,
            external_references,
        },
    })
}

const REVISION_COLUMNS: &str = "id, release_id, revision, format, spec_version, sha256, size_bytes, doc_name, serial_number, authors_json, doc_timestamp, tools_json, device_json, component_count, edge_count, rows_digest, created_at";

fn revision_from_row(row: &sqlx::any::AnyRow) -> Result<SbomRevision, StoreError> {
    let id: i64 = row.try_get("id")?;
    let bad = |what: &str, e: serde_json::Error| {
        StoreError::Corrupt(format!("sbom revision {id}: {what}: {e}"))
    };
    let device_json: Option<String> = row.try_get("device_json")?;
    Ok(SbomRevision {
        id,
        release_id: row.try_get("release_id")?,
        revision: row.try_get("revision")?,
        format: row.try_get("format")?,
        spec_version: row.try_get("spec_version")?,
        sha256: row.try_get("sha256")?,
        size_bytes: row.try_get("size_bytes")?,
        doc_name: row.try_get("doc_name")?,
        serial_number: row.try_get("serial_number")?,
        authors: serde_json::from_str(&row.try_get::<String, _>("authors_json")?)
            .map_err(|e| bad("authors_json", e))?,
        timestamp: row.try_get("doc_timestamp")?,
        tools: serde_json::from_str(&row.try_get::<String, _>("tools_json")?)
            .map_err(|e| bad("tools_json", e))?,
        device: device_json
            .map(|d| serde_json::from_str(&d).map_err(|e| bad("device_json", e)))
            .transpose()?,
        component_count: row.try_get("component_count")?,
        edge_count: row.try_get("edge_count")?,
        rows_digest: row.try_get("rows_digest")?,
        created_at: row.try_get("created_at")?,
    })
}

fn format_from_str(s: &str) -> Option<Format> {
    [
        Format::CycloneDxJson,
        Format::CycloneDxXml,
        Format::SpdxJson,
        Format::SpdxTagValue,
        Format::Spdx3JsonLd,
    ]
    .into_iter()
    .find(|f| f.as_str() == s)
}

impl Store {
    /// Stores an SBOM document for a release, in one transaction: the release (when new and
    /// asked for), the original text with its SHA-256, every component and dependency edge, and
    /// one audit event for the revision. The same document as the release's latest revision
    /// changes nothing (`unchanged`); any other document becomes the next revision.
    pub async fn store_sbom(
        &self,
        actor: &Actor,
        target: SbomTarget<'_>,
        content: &str,
        parsed: &Parsed,
        reason: Option<&str>,
    ) -> Result<SbomStored, StoreError> {
        let (device_name, version, new_release) = match target {
            SbomTarget::Existing { device, version } => (device, version, None),
            SbomTarget::CreateIfMissing(new) => {
                new.validate()?;
                (&new.device, &new.version, Some(new))
            }
        };
        let device: Device = self.device(device_name).await?;
        let backend = self.backend();
        let sha256 = sha256_hex(content.as_bytes());

        let mut w = self.write(actor).await?;
        let existing: Option<i64> =
            sqlx::query_scalar("SELECT id FROM releases WHERE device_id = $1 AND version = $2")
                .bind(device.id)
                .bind(version.as_str())
                .fetch_optional(w.conn())
                .await?;
        let (release_id, release_created) = match (existing, new_release) {
            (Some(id), _) => (id, false),
            (None, Some(new)) => (insert_release(&mut w, &device, new, reason).await?, true),
            (None, None) => {
                return Err(StoreError::not_found(format!(
                    "release {:?} of device {:?}",
                    version.as_str(),
                    device.name.as_str()
                )))
            }
        };
        let latest = sqlx::query(&format!(
            "SELECT {REVISION_COLUMNS} FROM sbom_revisions WHERE release_id = $1 ORDER BY revision DESC LIMIT 1"
        ))
        .bind(release_id)
        .fetch_optional(w.conn())
        .await?
        .as_ref()
        .map(revision_from_row)
        .transpose()?;
        if let Some(latest) = latest.filter(|l| l.sha256 == sha256) {
            drop(w); // rolls back: nothing was written
            return Ok(SbomStored {
                release: self.release(&device.name, version).await?,
                release_created: false,
                revision: latest,
                unchanged: true,
            });
        }
        let revision_no: i64 = sqlx::query_scalar(
            "SELECT COALESCE(MAX(revision), 0) + 1 FROM sbom_revisions WHERE release_id = $1",
        )
        .bind(release_id)
        .fetch_one(w.conn())
        .await?;
        let revision_id = next_id(w.conn(), "sbom_revisions").await?;
        let first_component = next_id(w.conn(), "sbom_components").await?;
        let first_edge = next_id(w.conn(), "sbom_dependencies").await?;

        let sbom = &parsed.sbom;
        let mut digest = RowsDigest::new();
        let components_table = table("sbom_components");
        let component_rows: Vec<Vec<Value>> = sbom
            .components
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let i = i as i64;
                component_values(c, first_component + i, revision_id, release_id, i)
            })
            .collect();
        for row in &component_rows {
            digest.add(components_table.name, row);
        }
        let edges_table = table("sbom_dependencies");
        let edge_rows: Vec<Vec<Value>> = sbom
            .dependencies
            .iter()
            .enumerate()
            .map(|(i, (from, to))| {
                let i = i as i64;
                vec![
                    (first_edge + i).into(),
                    revision_id.into(),
                    i.into(),
                    from.clone().into(),
                    to.clone().into(),
                ]
            })
            .collect();
        for row in &edge_rows {
            digest.add(edges_table.name, row);
        }
        let documents_table = table("sbom_documents");
        let quality = postmarket_sbom::quality_report(sbom);
        let document_row: Vec<Value> = vec![
            revision_id.into(),
            content.into(),
            json_text(&quality).into(),
            json_text(&parsed.diagnostics).into(),
        ];
        digest.add(documents_table.name, &document_digest_values(&document_row));
        let rows_digest = digest.finish();

        let meta: &Metadata = &sbom.metadata;
        let revision_row: Vec<Value> = vec![
            revision_id.into(),
            release_id.into(),
            revision_no.into(),
            sbom.format.as_str().into(),
            meta.spec_version.clone().into(),
            sha256.clone().into(),
            (content.len() as i64).into(),
            text(meta.name.as_deref()),
            text(meta.serial_number.as_deref()),
            json_text(&meta.authors).into(),
            text(meta.timestamp.as_deref()),
            json_text(&meta.tools).into(),
            meta.device
                .as_ref()
                .map_or(Value::Null, |d| json_text(d).into()),
            (sbom.components.len() as i64).into(),
            (sbom.dependencies.len() as i64).into(),
            rows_digest.into(),
            crate::now_rfc3339().into(),
        ];
        let revisions_table = table("sbom_revisions");
        insert_rows(w.conn(), backend, revisions_table, &[revision_row]).await?;
        insert_rows(w.conn(), backend, documents_table, &[document_row]).await?;
        insert_rows(w.conn(), backend, components_table, &component_rows).await?;
        insert_rows(w.conn(), backend, edges_table, &edge_rows).await?;
        let after = read_row_json(w.conn(), revisions_table, revision_id).await?;
        w.record(
            "sbom.add",
            "sbom_revision",
            revision_id,
            None,
            after,
            reason,
        )
        .await?;
        w.commit().await?;
        Ok(SbomStored {
            release: self.release(&device.name, version).await?,
            release_created,
            revision: self.sbom_revision(revision_id).await?,
            unchanged: false,
        })
    }

    /// One revision by id.
    pub async fn sbom_revision(&self, id: i64) -> Result<SbomRevision, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {REVISION_COLUMNS} FROM sbom_revisions WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        match row {
            Some(r) => revision_from_row(&r),
            None => Err(StoreError::not_found(format!("SBOM revision {id}"))),
        }
    }

    /// A release's revisions, oldest first.
    pub async fn sbom_revisions(&self, release_id: i64) -> Result<Vec<SbomRevision>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {REVISION_COLUMNS} FROM sbom_revisions WHERE release_id = $1 ORDER BY revision"
        ))
        .bind(release_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(revision_from_row).collect()
    }

    /// Every release's revision count and latest revision (releases without an SBOM are absent).
    pub async fn sbom_summaries(&self) -> Result<Vec<ReleaseSbomSummary>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {REVISION_COLUMNS} FROM sbom_revisions ORDER BY release_id, revision"
        ))
        .fetch_all(self.pool())
        .await?;
        let mut out: Vec<ReleaseSbomSummary> = Vec::new();
        for row in &rows {
            let rev = revision_from_row(row)?;
            match out.last_mut() {
                Some(last) if last.release_id == rev.release_id => {
                    last.revisions += 1;
                    last.latest = rev;
                }
                _ => out.push(ReleaseSbomSummary {
                    release_id: rev.release_id,
                    revisions: 1,
                    latest: rev,
                }),
            }
        }
        Ok(out)
    }

    /// The stored document of a revision.
    pub async fn sbom_document(&self, revision_id: i64) -> Result<SbomDocument, StoreError> {
        let row = sqlx::query(
            "SELECT revision_id, content, quality_json, diagnostics_json FROM sbom_documents WHERE revision_id = $1",
        )
        .bind(revision_id)
        .fetch_optional(self.pool())
        .await?
        .ok_or_else(|| {
            StoreError::Corrupt(format!("SBOM revision {revision_id} has no document row"))
        })?;
        let bad = |what: &str, e: serde_json::Error| {
            StoreError::Corrupt(format!("SBOM document {revision_id}: {what}: {e}"))
        };
        Ok(SbomDocument {
            revision_id,
            content: row.try_get("content")?,
            quality: serde_json::from_str(&row.try_get::<String, _>("quality_json")?)
                .map_err(|e| bad("quality_json", e))?,
            diagnostics: serde_json::from_str(&row.try_get::<String, _>("diagnostics_json")?)
                .map_err(|e| bad("diagnostics_json", e))?,
        })
    }

    /// The quality report of a revision's document (without reading the document).
    pub async fn sbom_quality(&self, revision_id: i64) -> Result<QualityReport, StoreError> {
        let text: Option<String> =
            sqlx::query_scalar("SELECT quality_json FROM sbom_documents WHERE revision_id = $1")
                .bind(revision_id)
                .fetch_optional(self.pool())
                .await?;
        let text = text.ok_or_else(|| {
            StoreError::Corrupt(format!("SBOM revision {revision_id} has no document row"))
        })?;
        serde_json::from_str(&text).map_err(|e| {
            StoreError::Corrupt(format!("SBOM document {revision_id}: quality_json: {e}"))
        })
    }

    /// A revision's components in document order.
    pub async fn sbom_components(
        &self,
        revision_id: i64,
    ) -> Result<Vec<StoredComponent>, StoreError> {
        let t = table("sbom_components");
        let rows = sqlx::query(&format!(
            "SELECT {} FROM sbom_components WHERE revision_id = $1 ORDER BY ordinal",
            t.column_list()
        ))
        .bind(revision_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(component_from_row).collect()
    }

    /// A revision's dependency edges `(from, to)` in document order.
    pub async fn sbom_dependencies(
        &self,
        revision_id: i64,
    ) -> Result<Vec<(String, String)>, StoreError> {
        Ok(sqlx::query_as(
            "SELECT from_ref, to_ref FROM sbom_dependencies WHERE revision_id = $1 ORDER BY ordinal",
        )
        .bind(revision_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// The normalised SBOM of a revision, rebuilt from the stored rows.
    pub async fn load_sbom(&self, revision_id: i64) -> Result<Sbom, StoreError> {
        let rev = self.sbom_revision(revision_id).await?;
        let format = format_from_str(&rev.format).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "SBOM revision {revision_id}: unknown format {:?}",
                rev.format
            ))
        })?;
        Ok(Sbom {
            format,
            metadata: Metadata {
                spec_version: rev.spec_version,
                name: rev.doc_name,
                serial_number: rev.serial_number,
                authors: rev.authors,
                timestamp: rev.timestamp,
                tools: rev.tools,
                device: rev.device,
            },
            components: self
                .sbom_components(revision_id)
                .await?
                .into_iter()
                .map(|c| c.component)
                .collect(),
            dependencies: self.sbom_dependencies(revision_id).await?,
        })
    }

    /// The support overrides set for a release.
    pub async fn support_overrides(
        &self,
        release_id: i64,
    ) -> Result<Vec<SupportOverride>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, release_id, component_key, component_name, support_level, end_of_support, created_at, updated_at \
             FROM sbom_overrides WHERE release_id = $1 ORDER BY id",
        )
        .bind(release_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|row| {
                let id: i64 = row.try_get("id")?;
                let level: String = row.try_get("support_level")?;
                Ok(SupportOverride {
                    id,
                    release_id: row.try_get("release_id")?,
                    component_key: row.try_get("component_key")?,
                    component_name: row.try_get("component_name")?,
                    support_level: support_level_from_str(&level).ok_or_else(|| {
                        StoreError::Corrupt(format!("sbom override {id}: support level {level:?}"))
                    })?,
                    end_of_support: row.try_get("end_of_support")?,
                    created_at: row.try_get("created_at")?,
                    updated_at: row.try_get("updated_at")?,
                })
            })
            .collect()
    }

    /// Sets (or replaces) the support level and end of support Postmarket records for one
    /// component of a release; audited with the previous value as `before`.
    #[allow(clippy::too_many_arguments)]
    pub async fn set_support_override(
        &self,
        actor: &Actor,
        release_id: i64,
        component_key: &str,
        component_name: &str,
        level: SupportLevel,
        end_of_support: Option<&str>,
        reason: Option<&str>,
    ) -> Result<SupportOverride, StoreError> {
        let t = table("sbom_overrides");
        let mut w = self.write(actor).await?;
        let existing: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM sbom_overrides WHERE release_id = $1 AND component_key = $2",
        )
        .bind(release_id)
        .bind(component_key)
        .fetch_optional(w.conn())
        .await?;
        let now = crate::now_rfc3339();
        let id = match existing {
            Some(id) => {
                let before = read_row_json(w.conn(), t, id).await?;
                sqlx::query(
                    "UPDATE sbom_overrides SET component_name = $2, support_level = $3, end_of_support = $4, updated_at = $5 WHERE id = $1",
                )
                .bind(id)
                .bind(component_name)
                .bind(level.as_str())
                .bind(end_of_support)
                .bind(&now)
                .execute(w.conn())
                .await?;
                let after = read_row_json(w.conn(), t, id).await?;
                w.record(
                    "sbom.support.set",
                    "sbom_override",
                    id,
                    before,
                    after,
                    reason,
                )
                .await?;
                id
            }
            None => {
                let id = next_id(w.conn(), "sbom_overrides").await?;
                sqlx::query(
                    "INSERT INTO sbom_overrides (id, release_id, component_key, component_name, support_level, end_of_support, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
                )
                .bind(id)
                .bind(release_id)
                .bind(component_key)
                .bind(component_name)
                .bind(level.as_str())
                .bind(end_of_support)
                .bind(&now)
                .execute(w.conn())
                .await
                .map_err(|e| duplicate_or(e, || format!("override for {component_key}")))?;
                let after = read_row_json(w.conn(), t, id).await?;
                w.record("sbom.support.set", "sbom_override", id, None, after, reason)
                    .await?;
                id
            }
        };
        w.commit().await?;
        self.support_overrides(release_id)
            .await?
            .into_iter()
            .find(|o| o.id == id)
            .ok_or_else(|| StoreError::Corrupt(format!("sbom override {id} vanished")))
    }
}

/// `db verify` for SBOM rows: every revision's bulk rows against its audited `rows_digest`, the
/// document against its SHA-256, and rows that belong to no revision.
pub(crate) async fn verify_sbom_rows(
    conn: &mut sqlx::AnyConnection,
    breaches: &mut Vec<Breach>,
) -> Result<(), StoreError> {
    let revisions = sqlx::query(
        "SELECT s.id, s.revision, s.sha256, s.rows_digest, s.component_count, s.edge_count, r.version, d.name \
         FROM sbom_revisions s JOIN releases r ON r.id = s.release_id JOIN devices d ON d.id = r.device_id \
         ORDER BY s.id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let components = table("sbom_components");
    let edges = table("sbom_dependencies");
    let documents = table("sbom_documents");
    for rev in &revisions {
        let id: i64 = rev.try_get("id")?;
        let revision: i64 = rev.try_get("revision")?;
        let sha256: String = rev.try_get("sha256")?;
        let recorded: String = rev.try_get("rows_digest")?;
        let component_count: i64 = rev.try_get("component_count")?;
        let edge_count: i64 = rev.try_get("edge_count")?;
        let version: String = rev.try_get("version")?;
        let device: String = rev.try_get("name")?;
        let mut problems = Vec::new();
        let mut digest = RowsDigest::new();
        let mut counts = [0_i64; 2];
        for (k, t) in [components, edges].into_iter().enumerate() {
            let rows = sqlx::query(&format!(
                "SELECT {} FROM {} WHERE revision_id = $1 ORDER BY ordinal",
                t.column_list(),
                t.name
            ))
            .bind(id)
            .fetch_all(&mut *conn)
            .await?;
            counts[k] = rows.len() as i64;
            for row in &rows {
                digest.add(t.name, &row_values(t, &row_json(t, row)?));
            }
        }
        if counts[0] != component_count {
            problems.push(format!(
                "{} component rows stored, the revision records {component_count}",
                counts[0]
            ));
        }
        if counts[1] != edge_count {
            problems.push(format!(
                "{} dependency rows stored, the revision records {edge_count}",
                counts[1]
            ));
        }
        match read_row_json(conn, documents, id).await? {
            None => problems.push("its document row is missing".into()),
            Some(doc) => {
                let content = doc.get("content").and_then(Value::as_str).unwrap_or("");
                if sha256_hex(content.as_bytes()) != sha256 {
                    problems.push(format!(
                        "the stored document does not match its SHA-256 {}",
                        &sha256[..12.min(sha256.len())]
                    ));
                }
                digest.add(
                    documents.name,
                    &document_digest_values(&row_values(documents, &doc)),
                );
            }
        }
        let recomputed = digest.finish();
        if recomputed != recorded {
            problems.push(format!(
                "its component, dependency or document rows differ from the digest recorded when it was stored (recorded {}, recomputed {}): they were changed outside Postmarket",
                &recorded[..12.min(recorded.len())],
                &recomputed[..12]
            ));
        }
        if !problems.is_empty() {
            breaches.push(Breach {
                seq: None,
                entity: Some("sbom_revision".into()),
                entity_id: Some(id.to_string()),
                problem: format!(
                    "SBOM revision {revision} of {device:?} {version:?}: {}",
                    problems.join("; ")
                ),
            });
        }
    }
    for t in [components, edges, documents] {
        let orphans: i64 = sqlx::query_scalar(&format!(
            "SELECT count(*) FROM {} WHERE revision_id NOT IN (SELECT id FROM sbom_revisions)",
            t.name
        ))
        .fetch_one(&mut *conn)
        .await?;
        if orphans > 0 {
            breaches.push(Breach {
                seq: None,
                entity: None,
                entity_id: None,
                problem: format!(
                    "{orphans} {} row(s) belong to no SBOM revision: inserted outside Postmarket",
                    t.name
                ),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn digest_ignores_key_order_but_not_values() {
        // Values in column order, whatever order the row object has its keys in.
        let t = table("sbom_dependencies");
        let a = json!({"id": 1, "revision_id": 2, "ordinal": 0, "from_ref": "a", "to_ref": "b"});
        let b: Value = serde_json::from_str(
            r#"{"to_ref":"b","from_ref":"a","ordinal":0,"revision_id":2,"id":1}"#,
        )
        .unwrap();
        let c = json!({"id": 1, "revision_id": 2, "ordinal": 0, "from_ref": "a", "to_ref": "c"});
        let d = |v: &Value| {
            let mut d = RowsDigest::new();
            d.add(t.name, &row_values(t, v));
            d.finish()
        };
        assert_eq!(d(&a), d(&b));
        assert_ne!(d(&a), d(&c));
        // The exact bytes hashed, so the digest stays stable across versions.
        let mut expected = Sha256::new();
        expected.update(b"sbom_dependencies\t[1,2,0,\"a\",\"b\"]\n");
        assert_eq!(d(&a), hex::encode(expected.finalize()));
    }

    #[test]
    fn batches_stay_under_the_sqlite_parameter_limit() {
        let t = table("sbom_components");
        for backend in [Backend::Sqlite, Backend::Postgres] {
            let per = rows_per_insert(backend, t.columns.len());
            assert!(per * t.columns.len() <= 32_766, "{backend:?}");
            assert!(per > 1, "{backend:?}: still multi-row");
        }
        assert!(rows_per_insert(Backend::Postgres, t.columns.len()) > 1_000 / 2);
    }
}

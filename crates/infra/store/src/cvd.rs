//! Coordinated vulnerability disclosure reports (FDA postmarket guidance §VII, App. C; ISO/IEC
//! 29147): the researcher's report as received, its attachments, and the acknowledgement.
//!
//! A report is written in one small transaction (the report row, its attachments, one audit
//! event) so that intake stays quick when other writers are busy; the caller decides what to do
//! when even that cannot be done (the intake spools the report to disk).

use postmarket_model::Actor;
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::devices::next_id;
use crate::error::duplicate_or;
use crate::schema::{read_row_json, table};
use crate::{Store, StoreError};

/// One attachment's metadata as recorded (and audited) on its report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CvdAttachmentMeta {
    pub file_name: String,
    pub media_type: String,
    pub size_bytes: i64,
    pub sha256: String,
}

/// An attachment to store: its metadata and its body as base64.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCvdAttachment {
    #[serde(flatten)]
    pub meta: CvdAttachmentMeta,
    pub content_base64: String,
}

/// A report ready to store; the intake has validated every field and fixed the tracking id, the
/// receipt time and the acknowledgement due date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewCvdReport {
    pub tracking_id: String,
    /// RFC 3339, UTC.
    pub received_at: String,
    /// `form` or `api`.
    pub channel: String,
    /// True when the report waited in the spool directory before reaching the database.
    pub spooled: bool,
    pub reporter_name: String,
    pub reporter_email: String,
    pub reporter_pgp_key: Option<String>,
    pub reporter_organisation: Option<String>,
    pub product: String,
    pub device_name: Option<String>,
    pub affected_version: String,
    pub description: String,
    /// `YYYY-MM-DD`.
    pub disclosure_deadline: Option<String>,
    pub ack_days: i64,
    /// `YYYY-MM-DD`.
    pub ack_due_on: String,
    pub attachments: Vec<NewCvdAttachment>,
}

/// A stored report (without attachment bodies).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CvdReportRow {
    pub id: i64,
    pub tracking_id: String,
    pub received_at: String,
    pub channel: String,
    pub spooled: bool,
    pub reporter_name: String,
    pub reporter_email: String,
    pub reporter_pgp_key: Option<String>,
    pub reporter_organisation: Option<String>,
    pub product: String,
    pub device_name: Option<String>,
    pub affected_version: String,
    pub description: String,
    pub disclosure_deadline: Option<String>,
    pub ack_days: i64,
    pub ack_due_on: String,
    pub acknowledged_on: Option<String>,
    pub attachments: Vec<CvdAttachmentMeta>,
    pub stored_at: String,
}

/// An attachment as stored, body included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CvdAttachmentRow {
    pub ordinal: i64,
    #[serde(flatten)]
    pub meta: CvdAttachmentMeta,
    pub content_base64: String,
}

const REPORT_COLUMNS: &str = "id, tracking_id, received_at, channel, spooled, reporter_name, \
    reporter_email, reporter_pgp_key, reporter_organisation, product, device_name, \
    affected_version, description, disclosure_deadline, ack_days, ack_due_on, acknowledged_on, \
    attachments_json, stored_at";

fn report_from_row(row: &sqlx::any::AnyRow) -> Result<CvdReportRow, StoreError> {
    let id: i64 = row.try_get("id")?;
    let attachments_json: String = row.try_get("attachments_json")?;
    let attachments = serde_json::from_str(&attachments_json).map_err(|e| {
        StoreError::Corrupt(format!(
            "cvd report {id}: attachments_json is not valid: {e}"
        ))
    })?;
    Ok(CvdReportRow {
        id,
        tracking_id: row.try_get("tracking_id")?,
        received_at: row.try_get("received_at")?,
        channel: row.try_get("channel")?,
        spooled: row.try_get::<i64, _>("spooled")? != 0,
        reporter_name: row.try_get("reporter_name")?,
        reporter_email: row.try_get("reporter_email")?,
        reporter_pgp_key: row.try_get("reporter_pgp_key")?,
        reporter_organisation: row.try_get("reporter_organisation")?,
        product: row.try_get("product")?,
        device_name: row.try_get("device_name")?,
        affected_version: row.try_get("affected_version")?,
        description: row.try_get("description")?,
        disclosure_deadline: row.try_get("disclosure_deadline")?,
        ack_days: row.try_get("ack_days")?,
        ack_due_on: row.try_get("ack_due_on")?,
        acknowledged_on: row.try_get("acknowledged_on")?,
        attachments,
        stored_at: row.try_get("stored_at")?,
    })
}

impl Store {
    /// Stores a report with its attachments and one audit event, in one transaction. Returns
    /// `false` (and writes nothing) when a report with this tracking id is already stored, so that
    /// importing the same spooled report twice is harmless.
    pub async fn insert_cvd_report(
        &self,
        actor: &Actor,
        new: &NewCvdReport,
    ) -> Result<bool, StoreError> {
        let mut w = self.write(actor).await?;
        let exists: i64 =
            sqlx::query_scalar("SELECT count(*) FROM cvd_reports WHERE tracking_id = $1")
                .bind(&new.tracking_id)
                .fetch_one(w.conn())
                .await?;
        if exists > 0 {
            return Ok(false);
        }
        let id = next_id(w.conn(), "cvd_reports").await?;
        let metas: Vec<&CvdAttachmentMeta> = new.attachments.iter().map(|a| &a.meta).collect();
        let attachments_json = serde_json::to_string(&metas)
            .map_err(|e| StoreError::Refused(format!("cannot encode attachment list: {e}")))?;
        sqlx::query(&format!(
            "INSERT INTO cvd_reports ({REPORT_COLUMNS}) VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)"
        ))
        .bind(id)
        .bind(&new.tracking_id)
        .bind(&new.received_at)
        .bind(&new.channel)
        .bind(i64::from(new.spooled))
        .bind(&new.reporter_name)
        .bind(&new.reporter_email)
        .bind(new.reporter_pgp_key.as_deref())
        .bind(new.reporter_organisation.as_deref())
        .bind(&new.product)
        .bind(new.device_name.as_deref())
        .bind(&new.affected_version)
        .bind(&new.description)
        .bind(new.disclosure_deadline.as_deref())
        .bind(new.ack_days)
        .bind(&new.ack_due_on)
        .bind(None::<String>)
        .bind(&attachments_json)
        .bind(crate::now_rfc3339())
        .execute(w.conn())
        .await
        .map_err(|e| duplicate_or(e, || format!("CVD report {}", new.tracking_id)))?;
        let mut attachment_id = next_id(w.conn(), "cvd_attachments").await?;
        for (ordinal, a) in new.attachments.iter().enumerate() {
            sqlx::query(
                "INSERT INTO cvd_attachments (id, report_id, ordinal, file_name, media_type, \
                 size_bytes, sha256, content_base64) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(attachment_id)
            .bind(id)
            .bind(i64::try_from(ordinal).unwrap_or(i64::MAX))
            .bind(&a.meta.file_name)
            .bind(&a.meta.media_type)
            .bind(a.meta.size_bytes)
            .bind(&a.meta.sha256)
            .bind(&a.content_base64)
            .execute(w.conn())
            .await?;
            attachment_id += 1;
        }
        let after = read_row_json(w.conn(), table("cvd_reports"), id).await?;
        w.record("cvd.receive", "cvd_report", id, None, after, None)
            .await?;
        w.commit().await?;
        Ok(true)
    }

    /// Every report, newest first.
    pub async fn cvd_reports(&self) -> Result<Vec<CvdReportRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {REPORT_COLUMNS} FROM cvd_reports ORDER BY received_at DESC, id DESC"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(report_from_row).collect()
    }

    /// One report by its tracking id (case-insensitive).
    pub async fn cvd_report(&self, tracking_id: &str) -> Result<CvdReportRow, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {REPORT_COLUMNS} FROM cvd_reports WHERE upper(tracking_id) = upper($1)"
        ))
        .bind(tracking_id.trim())
        .fetch_optional(self.pool())
        .await?;
        match row {
            Some(row) => report_from_row(&row),
            None => Err(StoreError::NotFound {
                what: format!("CVD report {:?}", tracking_id.trim()),
                hint: " (postmarket cvd list shows the reports)".into(),
            }),
        }
    }

    /// The attachments of a report, bodies included, in the order received.
    pub async fn cvd_attachments(
        &self,
        report_id: i64,
    ) -> Result<Vec<CvdAttachmentRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT ordinal, file_name, media_type, size_bytes, sha256, content_base64 \
             FROM cvd_attachments WHERE report_id = $1 ORDER BY ordinal",
        )
        .bind(report_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(CvdAttachmentRow {
                    ordinal: r.try_get("ordinal")?,
                    meta: CvdAttachmentMeta {
                        file_name: r.try_get("file_name")?,
                        media_type: r.try_get("media_type")?,
                        size_bytes: r.try_get("size_bytes")?,
                        sha256: r.try_get("sha256")?,
                    },
                    content_base64: r.try_get("content_base64")?,
                })
            })
            .collect()
    }

    /// Records that the manufacturer acknowledged the report on `on` (`YYYY-MM-DD`). A report is
    /// acknowledged once; a second acknowledgement is refused naming the first.
    pub async fn acknowledge_cvd_report(
        &self,
        actor: &Actor,
        tracking_id: &str,
        on: &str,
        reason: Option<&str>,
    ) -> Result<CvdReportRow, StoreError> {
        let report = self.cvd_report(tracking_id).await?;
        let mut w = self.write(actor).await?;
        let t = table("cvd_reports");
        let before = read_row_json(w.conn(), t, report.id).await?;
        // Re-read inside the write lock: another writer may have acknowledged it meanwhile.
        let current: Option<String> =
            sqlx::query_scalar("SELECT acknowledged_on FROM cvd_reports WHERE id = $1")
                .bind(report.id)
                .fetch_one(w.conn())
                .await?;
        if let Some(first) = current {
            return Err(StoreError::Refused(format!(
                "CVD report {} was already acknowledged on {first}",
                report.tracking_id
            )));
        }
        sqlx::query("UPDATE cvd_reports SET acknowledged_on = $1 WHERE id = $2")
            .bind(on)
            .bind(report.id)
            .execute(w.conn())
            .await?;
        let after = read_row_json(w.conn(), t, report.id).await?;
        w.record(
            "cvd.acknowledge",
            "cvd_report",
            report.id,
            before,
            after,
            reason,
        )
        .await?;
        w.commit().await?;
        self.cvd_report(&report.tracking_id).await
    }
}

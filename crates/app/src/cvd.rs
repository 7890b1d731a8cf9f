//! Coordinated vulnerability disclosure intake (issue 7; FDA postmarket guidance §VII and
//! App. C; ISO/IEC 29147 and 30111): a researcher's report is validated, given an unguessable
//! tracking id and an acknowledgement due date from the CVD policy, and stored in one small
//! transaction. When the database is busy or unavailable the report is written to a spool
//! directory instead (atomically) and imported later, so what a reporter sends is never lost
//! (DESIGN.md §10).

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;
use postmarket_model::{Actor, Date};
use postmarket_store::{
    sha256_hex, CvdAttachmentMeta, CvdAttachmentRow, CvdReportRow, NewCvdAttachment, NewCvdReport,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::{App, AppError};

/// At most this many attachments per report.
pub const MAX_ATTACHMENTS: usize = 5;
/// At most this many bytes per attachment (2 MiB).
pub const MAX_ATTACHMENT_BYTES: usize = 2 * 1024 * 1024;
/// At most this many bytes per intake request, form or JSON, attachments included (10 MiB).
pub const MAX_REQUEST_BYTES: usize = 10 * 1024 * 1024;
/// The acknowledgement time of the default CVD policy, in calendar days. FDA leaves the time to
/// the manufacturer's policy (§VII); five days follows common CVD practice.
pub const DEFAULT_ACK_DAYS: u32 = 5;
/// Where reports wait when the database cannot take them, unless configured.
pub const DEFAULT_SPOOL_DIR: &str = "postmarket-cvd-spool";
/// How long an intake waits for the database before spooling the report instead.
pub const DEFAULT_STORE_TIMEOUT: Duration = Duration::from_secs(5);

const SINGLE_LINE_MAX: usize = 200;
const DESCRIPTION_MAX: usize = 100_000;
const PGP_KEY_MAX: usize = 32 * 1024;

/// The CVD policy and intake settings in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CvdPolicy {
    /// Days the manufacturer gives itself to acknowledge a report.
    pub ack_days: u32,
    /// Where reports are spooled when the database cannot take them.
    pub spool_dir: PathBuf,
    /// How long to wait for the database before spooling.
    pub store_timeout: Duration,
}

impl Default for CvdPolicy {
    fn default() -> Self {
        Self {
            ack_days: DEFAULT_ACK_DAYS,
            spool_dir: PathBuf::from(DEFAULT_SPOOL_DIR),
            store_timeout: DEFAULT_STORE_TIMEOUT,
        }
    }
}

/// How the report arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Form,
    Api,
}

impl Channel {
    fn as_str(self) -> &'static str {
        match self {
            Self::Form => "form",
            Self::Api => "api",
        }
    }
}

/// One attached file as received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubmittedAttachment {
    pub file_name: String,
    pub media_type: Option<String>,
    pub content: Vec<u8>,
}

/// What a reporter sent, before validation. Every field is optional here so that a missing one
/// is reported by its name rather than as a parse error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CvdSubmission {
    pub reporter_name: Option<String>,
    pub reporter_email: Option<String>,
    pub reporter_pgp_key: Option<String>,
    pub reporter_organisation: Option<String>,
    pub product: Option<String>,
    pub device_name: Option<String>,
    pub affected_version: Option<String>,
    pub description: Option<String>,
    pub disclosure_deadline: Option<String>,
    pub attachments: Vec<SubmittedAttachment>,
}

/// The JSON body of `POST /api/v1/cvd-reports`: the fields of [`CvdSubmission`], attachments
/// with their bodies in base64.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CvdSubmissionJson {
    pub reporter_name: Option<String>,
    pub reporter_email: Option<String>,
    pub reporter_pgp_key: Option<String>,
    pub reporter_organisation: Option<String>,
    pub product: Option<String>,
    pub device_name: Option<String>,
    pub affected_version: Option<String>,
    pub description: Option<String>,
    pub disclosure_deadline: Option<String>,
    pub attachments: Vec<JsonAttachment>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JsonAttachment {
    pub file_name: Option<String>,
    pub media_type: Option<String>,
    pub content_base64: Option<String>,
}

impl CvdSubmissionJson {
    /// Decodes the attachments; a bad one is named by its JSON pointer.
    pub fn into_submission(self) -> Result<CvdSubmission, CvdRejection> {
        if self.attachments.len() > MAX_ATTACHMENTS {
            return Err(too_many_attachments(self.attachments.len(), "/attachments"));
        }
        let mut attachments = Vec::with_capacity(self.attachments.len());
        for (i, a) in self.attachments.into_iter().enumerate() {
            let Some(b64) = a.content_base64 else {
                return Err(CvdRejection::invalid(
                    format!("/attachments/{i}/content_base64"),
                    "missing: expected the file's bytes in base64",
                ));
            };
            // Refuse before decoding: base64 is 4 bytes per 3, so this bounds the decoded size.
            if b64.len() / 4 * 3 > MAX_ATTACHMENT_BYTES + 3 {
                return Err(CvdRejection::too_large(
                    format!("/attachments/{i}/content_base64"),
                    format!(
                        "the attachment is about {} bytes; each may be at most {MAX_ATTACHMENT_BYTES} bytes (2 MiB)",
                        b64.len() / 4 * 3
                    ),
                ));
            }
            let content = base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .map_err(|e| {
                    CvdRejection::invalid(
                        format!("/attachments/{i}/content_base64"),
                        format!("not valid base64 ({e})"),
                    )
                })?;
            attachments.push(SubmittedAttachment {
                file_name: a.file_name.unwrap_or_default(),
                media_type: a.media_type,
                content,
            });
        }
        Ok(CvdSubmission {
            reporter_name: self.reporter_name,
            reporter_email: self.reporter_email,
            reporter_pgp_key: self.reporter_pgp_key,
            reporter_organisation: self.reporter_organisation,
            product: self.product,
            device_name: self.device_name,
            affected_version: self.affected_version,
            description: self.description,
            disclosure_deadline: self.disclosure_deadline,
            attachments,
        })
    }
}

/// Why a submission was refused: the field and what was expected. `TooLarge` is a size limit
/// (HTTP 413), `Invalid` anything else the reporter can correct (HTTP 422).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{field}: {message}")]
pub struct CvdRejection {
    pub kind: RejectionKind,
    /// The field's name (form) or JSON pointer (API).
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RejectionKind {
    Invalid,
    TooLarge,
}

impl CvdRejection {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            kind: RejectionKind::Invalid,
            field: field.into(),
            message: message.into(),
        }
    }

    pub fn too_large(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            kind: RejectionKind::TooLarge,
            field: field.into(),
            message: message.into(),
        }
    }
}

pub fn too_many_attachments(n: usize, field: &str) -> CvdRejection {
    CvdRejection::too_large(
        field,
        format!("{n} attachments; at most {MAX_ATTACHMENTS} are accepted"),
    )
}

/// A submission that failed: refused (the reporter can fix it) or not stored anywhere.
#[derive(Debug, thiserror::Error)]
pub enum CvdSubmitError {
    #[error(transparent)]
    Rejected(#[from] CvdRejection),
    /// Neither the database nor the spool directory could take the report.
    #[error("the report could not be stored: {0}")]
    Unavailable(String),
}

/// What the reporter gets back.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CvdReceipt {
    pub tracking_id: String,
    pub received_at: String,
    /// The manufacturer's acknowledgement deadline under the CVD policy.
    pub acknowledgement_due_on: String,
    pub acknowledgement_days: u32,
    pub attachments: usize,
    /// `database`, or `spool` when the report waits on disk for the database.
    pub stored_in: &'static str,
}

/// The acknowledgement clock of one report (FDA postmarket guidance App. C: acknowledge receipt
/// within the time the CVD policy states).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AckClock {
    pub due_on: String,
    pub acknowledged_on: Option<String>,
    /// `open` (days left), `overdue` (days past due), `on-time` (days before due), `late`
    /// (days after due).
    pub state: &'static str,
    pub days: i64,
}

impl AckClock {
    pub fn describe(&self) -> String {
        match self.state {
            "open" => format!("due {} ({} days left)", self.due_on, self.days),
            "overdue" => format!("OVERDUE since {} ({} days)", self.due_on, self.days),
            "on-time" => format!(
                "acknowledged {} (on time, due {})",
                self.acknowledged_on.as_deref().unwrap_or("?"),
                self.due_on
            ),
            _ => format!(
                "acknowledged {} ({} days late, due {})",
                self.acknowledged_on.as_deref().unwrap_or("?"),
                self.days,
                self.due_on
            ),
        }
    }
}

/// A stored report with its clock, for lists and detail views.
#[derive(Debug, Clone, Serialize)]
pub struct CvdReportView {
    #[serde(flatten)]
    pub report: CvdReportRow,
    pub clock: AckClock,
}

/// One attachment of a stored report, with a check of its body against the recorded SHA-256.
#[derive(Debug, Clone, Serialize)]
pub struct CvdAttachmentView {
    pub ordinal: i64,
    #[serde(flatten)]
    pub meta: CvdAttachmentMeta,
    /// False when the stored body no longer matches its recorded size and SHA-256.
    pub intact: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct CvdReportDetail {
    #[serde(flatten)]
    pub view: CvdReportView,
    pub attachment_checks: Vec<CvdAttachmentView>,
}

/// What `cvd import-spool` did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SpoolImport {
    pub imported: Vec<String>,
    /// Already in the database (the file is removed).
    pub already_stored: Vec<String>,
    /// Files that could not be imported, each with why; they stay in the spool.
    pub failed: Vec<SpoolFailure>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SpoolFailure {
    pub file: String,
    pub error: String,
}

/// What a case needs from a researcher's report: the seam through which a report will open a
/// case (source `researcher`, awareness date T0 = the day it was received, DESIGN.md §4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResearcherCaseInput {
    pub source: &'static str,
    pub source_ref: String,
    pub awareness_date: Date,
    pub title: String,
    pub device_name: Option<String>,
    pub product: String,
    pub affected_version: String,
    pub description: String,
    pub reporter: String,
    pub disclosure_deadline: Option<Date>,
}

/// Maps a stored report to the input a case opened from it takes.
pub fn cvd_report_to_case_input(r: &CvdReportRow) -> Result<ResearcherCaseInput, AppError> {
    let received: Date = r.received_at.get(..10).unwrap_or("").parse().map_err(|_| {
        AppError::Internal(format!(
            "CVD report {}: received_at {:?} is not an RFC 3339 time",
            r.tracking_id, r.received_at
        ))
    })?;
    let deadline = r
        .disclosure_deadline
        .as_deref()
        .map(str::parse::<Date>)
        .transpose()
        .map_err(|e| AppError::Internal(format!("CVD report {}: {e}", r.tracking_id)))?;
    let reporter = match &r.reporter_organisation {
        Some(org) => format!("{} <{}> ({org})", r.reporter_name, r.reporter_email),
        None => format!("{} <{}>", r.reporter_name, r.reporter_email),
    };
    Ok(ResearcherCaseInput {
        source: "researcher",
        source_ref: r.tracking_id.clone(),
        awareness_date: received,
        title: format!(
            "Researcher report {}: {} {}",
            r.tracking_id, r.product, r.affected_version
        ),
        device_name: r.device_name.clone(),
        product: r.product.clone(),
        affected_version: r.affected_version.clone(),
        description: r.description.clone(),
        reporter,
        disclosure_deadline: deadline,
    })
}

/// Validates a submission received at `now` and turns it into a report to store.
pub fn validate(
    sub: CvdSubmission,
    channel: Channel,
    policy: &CvdPolicy,
    now: OffsetDateTime,
) -> Result<NewCvdReport, CvdRejection> {
    let pointer = |name: &str| match channel {
        Channel::Form => name.to_string(),
        Channel::Api => format!("/{name}"),
    };
    let required = |name: &str, v: Option<String>, max: usize, multiline: bool| {
        let v = v.map(|s| s.trim().to_string()).unwrap_or_default();
        if v.is_empty() {
            return Err(CvdRejection::invalid(pointer(name), "required"));
        }
        check_text(&pointer(name), &v, max, multiline)?;
        Ok(v)
    };
    let optional = |name: &str, v: Option<String>, max: usize, multiline: bool| {
        let v = v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
        if let Some(v) = &v {
            check_text(&pointer(name), v, max, multiline)?;
        }
        Ok::<_, CvdRejection>(v)
    };
    let reporter_name = required("reporter_name", sub.reporter_name, SINGLE_LINE_MAX, false)?;
    let reporter_email = required("reporter_email", sub.reporter_email, 254, false)?;
    check_email(&reporter_email)
        .map_err(|m| CvdRejection::invalid(pointer("reporter_email"), m))?;
    let reporter_pgp_key = optional("reporter_pgp_key", sub.reporter_pgp_key, PGP_KEY_MAX, true)?;
    let reporter_organisation = optional(
        "reporter_organisation",
        sub.reporter_organisation,
        SINGLE_LINE_MAX,
        false,
    )?;
    let product = required("product", sub.product, SINGLE_LINE_MAX, false)?;
    let device_name = optional("device_name", sub.device_name, SINGLE_LINE_MAX, false)?;
    let affected_version = required(
        "affected_version",
        sub.affected_version,
        SINGLE_LINE_MAX,
        false,
    )?;
    let description = required("description", sub.description, DESCRIPTION_MAX, true)?;
    let today = Date::from_calendar(now.date());
    let disclosure_deadline = optional(
        "disclosure_deadline",
        sub.disclosure_deadline,
        SINGLE_LINE_MAX,
        false,
    )?
    .map(|d| {
        let date: Date = d.parse().map_err(|_| {
            CvdRejection::invalid(
                pointer("disclosure_deadline"),
                format!("{d:?} is not a date: expected YYYY-MM-DD"),
            )
        })?;
        if date < today {
            return Err(CvdRejection::invalid(
                pointer("disclosure_deadline"),
                format!("{date} is in the past; expected today ({today}) or later"),
            ));
        }
        Ok(date.to_string())
    })
    .transpose()?;

    if sub.attachments.len() > MAX_ATTACHMENTS {
        return Err(too_many_attachments(
            sub.attachments.len(),
            &pointer("attachments"),
        ));
    }
    let mut attachments = Vec::with_capacity(sub.attachments.len());
    for (i, a) in sub.attachments.into_iter().enumerate() {
        let field = match channel {
            Channel::Form => format!("attachments[{i}]"),
            Channel::Api => format!("/attachments/{i}"),
        };
        attachments.push(validate_attachment(&field, a)?);
    }

    let ack_due = now.date() + time::Duration::days(i64::from(policy.ack_days));
    Ok(NewCvdReport {
        tracking_id: new_tracking_id(now.year()),
        received_at: rfc3339(now),
        channel: channel.as_str().to_string(),
        spooled: false,
        reporter_name,
        reporter_email,
        reporter_pgp_key,
        reporter_organisation,
        product,
        device_name,
        affected_version,
        description,
        disclosure_deadline,
        ack_days: i64::from(policy.ack_days),
        ack_due_on: Date::from_calendar(ack_due).to_string(),
        attachments,
    })
}

fn validate_attachment(
    field: &str,
    a: SubmittedAttachment,
) -> Result<NewCvdAttachment, CvdRejection> {
    // Keep only the last path component: browsers and scripts sometimes send full paths.
    let name = a
        .file_name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .trim()
        .to_string();
    if name.is_empty() || name == "." || name == ".." {
        return Err(CvdRejection::invalid(
            format!("{field}.file_name"),
            "required: the attachment's file name",
        ));
    }
    check_text(&format!("{field}.file_name"), &name, 255, false)?;
    if a.content.len() > MAX_ATTACHMENT_BYTES {
        return Err(CvdRejection::too_large(
            field,
            format!(
                "{name:?} is {} bytes; each attachment may be at most {MAX_ATTACHMENT_BYTES} bytes (2 MiB)",
                a.content.len()
            ),
        ));
    }
    let media_type = a
        .media_type
        .map(|m| m.trim().to_ascii_lowercase())
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| "application/octet-stream".into());
    if !is_media_type(&media_type) {
        return Err(CvdRejection::invalid(
            format!("{field}.media_type"),
            format!("{media_type:?} is not a media type: expected type/subtype"),
        ));
    }
    Ok(NewCvdAttachment {
        meta: CvdAttachmentMeta {
            file_name: name,
            media_type,
            size_bytes: i64::try_from(a.content.len()).unwrap_or(i64::MAX),
            sha256: sha256_hex(&a.content),
        },
        content_base64: base64::engine::general_purpose::STANDARD.encode(&a.content),
    })
}

fn is_media_type(m: &str) -> bool {
    let token = |s: &str| {
        !s.is_empty()
            && s.len() <= 64
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "!#$&-^_.+".contains(c))
    };
    let essence = m.split(';').next().unwrap_or("");
    matches!(essence.split_once('/'), Some((t, s)) if token(t) && token(s)) && m.len() <= 127
}

fn check_text(field: &str, v: &str, max: usize, multiline: bool) -> Result<(), CvdRejection> {
    let chars = v.chars().count();
    if chars > max {
        let what = if field.ends_with("description") || field.ends_with("pgp_key") {
            CvdRejection::too_large
        } else {
            CvdRejection::invalid
        };
        return Err(what(
            field,
            format!("{chars} characters; at most {max} are accepted"),
        ));
    }
    if let Some(c) = v
        .chars()
        .find(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t')))
    {
        return Err(CvdRejection::invalid(
            field,
            format!("contains the control character U+{:04X}", u32::from(c)),
        ));
    }
    Ok(())
}

/// A practical check of an email address (RFC 5321 sizes; a dotted domain), enough to be sure
/// an acknowledgement can be addressed; it does not try to accept every RFC 5322 form.
pub fn check_email(v: &str) -> Result<(), String> {
    let bad = |why: &str| Err(format!("{v:?} is not an email address: {why}"));
    let Some((local, domain)) = v.rsplit_once('@') else {
        return bad("expected name@domain");
    };
    if local.is_empty() || local.len() > 64 {
        return bad("the part before @ must have 1 to 64 characters");
    }
    if local.contains('@')
        || local
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>()[]\\,;:\"".contains(c))
    {
        return bad("the part before @ contains characters an address cannot have");
    }
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 || domain.len() > 253 {
        return bad("expected a domain with a dot, e.g. example.org");
    }
    for label in &labels {
        let ok = !label.is_empty()
            && label.len() <= 63
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-');
        if !ok {
            return bad(&format!("the domain label {label:?} is not valid"));
        }
    }
    if labels
        .last()
        .is_some_and(|tld| tld.len() < 2 || tld.chars().all(|c| c.is_ascii_digit()))
    {
        return bad("the domain must end in a top-level domain such as .org");
    }
    Ok(())
}

/// `CVD-YYYY-` and 12 characters of Crockford base32: 60 random bits from the operating
/// system, so a tracking id cannot be guessed from another.
pub fn new_tracking_id(year: i32) -> String {
    const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let mut bytes = [0_u8; 8];
    // The OS random source failing is exceptional enough to fall back on the clock and process:
    // the id stays unique, only less unguessable.
    if getrandom::getrandom(&mut bytes).is_err() {
        let nanos = OffsetDateTime::now_utc().unix_timestamp_nanos();
        bytes = (nanos as u64 ^ u64::from(std::process::id()).rotate_left(32)).to_le_bytes();
    }
    let mut n = u64::from_le_bytes(bytes);
    let mut id = String::with_capacity(22);
    id.push_str(&format!("CVD-{year:04}-"));
    for _ in 0..12 {
        id.push(char::from(ALPHABET[(n & 31) as usize]));
        n >>= 5;
    }
    id
}

fn rfc3339(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
    );
    t.format(&format)
        .unwrap_or_else(|_| t.unix_timestamp().to_string())
}

/// The acknowledgement clock of `r` as of `today`.
pub fn ack_clock(r: &CvdReportRow, today: Date) -> AckClock {
    let due: Option<Date> = r.ack_due_on.parse().ok();
    let days_between = |a: Date, b: Date| (b.inner() - a.inner()).whole_days();
    let (state, days) = match (due, r.acknowledged_on.as_deref().map(str::parse::<Date>)) {
        (Some(due), Some(Ok(on))) if on <= due => ("on-time", days_between(on, due)),
        (Some(due), Some(Ok(on))) => ("late", days_between(due, on)),
        (Some(due), None) if today <= due => ("open", days_between(today, due)),
        (Some(due), None) => ("overdue", days_between(due, today)),
        // Unreadable dates cannot be judged; verify names rows changed behind Postmarket's back.
        _ => ("overdue", 0),
    };
    AckClock {
        due_on: r.ack_due_on.clone(),
        acknowledged_on: r.acknowledged_on.clone(),
        state,
        days,
    }
}

/// The current UTC date.
pub fn today() -> Date {
    Date::from_calendar(OffsetDateTime::now_utc().date())
}

/// Writes a report to `dir/TRACKING_ID.json` atomically: a temporary file in the same
/// directory, flushed to disk, then renamed, so an importer never sees half a report.
pub fn spool_report(dir: &Path, report: &NewCvdReport) -> std::io::Result<PathBuf> {
    use std::io::Write as _;
    std::fs::create_dir_all(dir)?;
    let target = dir.join(format!("{}.json", report.tracking_id));
    let tmp = dir.join(format!(".{}.json.tmp", report.tracking_id));
    let body = serde_json::to_vec_pretty(report).map_err(std::io::Error::other)?;
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(&body)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, &target)?;
    // The rename is durable once the directory itself is flushed.
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(target)
}

impl App {
    /// Takes a reporter's submission: validates it, stores it in one transaction, or — when the
    /// database does not answer within the policy's timeout — spools it to disk. Either way the
    /// reporter gets a tracking id.
    pub async fn submit_cvd_report(
        &self,
        actor: &Actor,
        policy: &CvdPolicy,
        submission: CvdSubmission,
        channel: Channel,
        now: OffsetDateTime,
    ) -> Result<CvdReceipt, CvdSubmitError> {
        let report = validate(submission, channel, policy, now)?;
        let stored = tokio::time::timeout(
            policy.store_timeout,
            self.store().insert_cvd_report(actor, &report),
        )
        .await;
        let stored_in = match stored {
            Ok(Ok(_)) => "database",
            failed => {
                let why = match failed {
                    Ok(Err(e)) => e.to_string(),
                    _ => format!(
                        "the database did not answer within {} ms",
                        policy.store_timeout.as_millis()
                    ),
                };
                match spool_report(&policy.spool_dir, &report) {
                    Ok(file) => {
                        tracing::warn!(tracking_id = %report.tracking_id, file = %file.display(), reason = %why, "CVD report spooled: the database could not take it");
                        "spool"
                    }
                    Err(e) => {
                        tracing::error!(tracking_id = %report.tracking_id, database = %why, spool = %e, "CVD report could not be stored");
                        return Err(CvdSubmitError::Unavailable(format!(
                            "database: {why}; spool directory {}: {e}",
                            policy.spool_dir.display()
                        )));
                    }
                }
            }
        };
        Ok(CvdReceipt {
            tracking_id: report.tracking_id,
            received_at: report.received_at,
            acknowledgement_due_on: report.ack_due_on,
            acknowledgement_days: policy.ack_days,
            attachments: report.attachments.len(),
            stored_in,
        })
    }

    /// Imports every report waiting in the spool directory (a missing directory is empty). A
    /// report already stored is not stored twice; a file that cannot be read or parsed is named
    /// and left in place. A database failure stops the import with the files still spooled.
    pub async fn import_cvd_spool(
        &self,
        actor: &Actor,
        dir: &Path,
    ) -> Result<SpoolImport, AppError> {
        let mut result = SpoolImport::default();
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(result),
            Err(source) => {
                return Err(AppError::Read {
                    file: dir.display().to_string(),
                    source,
                })
            }
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                p.extension().is_some_and(|x| x == "json")
                    && !p
                        .file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with('.'))
            })
            .collect();
        files.sort();
        for file in files {
            let name = file.display().to_string();
            let text = match std::fs::read_to_string(&file) {
                Ok(t) => t,
                Err(e) => {
                    result.failed.push(SpoolFailure {
                        file: name,
                        error: format!("cannot read: {e}"),
                    });
                    continue;
                }
            };
            let mut report: NewCvdReport = match serde_json::from_str(&text) {
                Ok(r) => r,
                Err(e) => {
                    result.failed.push(SpoolFailure {
                        file: name,
                        error: format!(
                            "line {} column {}: {e}; expected a spooled CVD report",
                            e.line(),
                            e.column()
                        ),
                    });
                    continue;
                }
            };
            report.spooled = true;
            match self.store().insert_cvd_report(actor, &report).await {
                Ok(true) => result.imported.push(report.tracking_id.clone()),
                Ok(false) => result.already_stored.push(report.tracking_id.clone()),
                Err(e) if e.is_user_error() => {
                    result.failed.push(SpoolFailure {
                        file: name,
                        error: e.to_string(),
                    });
                    continue;
                }
                Err(e) => return Err(e.into()),
            }
            std::fs::remove_file(&file).map_err(|source| AppError::Read {
                file: name.clone(),
                source,
            })?;
        }
        Ok(result)
    }

    /// Every report, newest first, with its acknowledgement clock as of `today`.
    pub async fn cvd_reports(&self, today: Date) -> Result<Vec<CvdReportView>, AppError> {
        Ok(self
            .store()
            .cvd_reports()
            .await?
            .into_iter()
            .map(|report| CvdReportView {
                clock: ack_clock(&report, today),
                report,
            })
            .collect())
    }

    /// One report with its clock and a check of every attachment body.
    pub async fn cvd_report(
        &self,
        tracking_id: &str,
        today: Date,
    ) -> Result<CvdReportDetail, AppError> {
        let report = self.store().cvd_report(tracking_id).await?;
        let bodies = self.store().cvd_attachments(report.id).await?;
        let attachment_checks = bodies.iter().map(check_attachment).collect();
        Ok(CvdReportDetail {
            view: CvdReportView {
                clock: ack_clock(&report, today),
                report,
            },
            attachment_checks,
        })
    }

    /// An attachment's bytes, checked against the SHA-256 recorded at receipt.
    pub async fn cvd_attachment(
        &self,
        tracking_id: &str,
        ordinal: i64,
    ) -> Result<(CvdAttachmentMeta, Vec<u8>), AppError> {
        let report = self.store().cvd_report(tracking_id).await?;
        let body = self
            .store()
            .cvd_attachments(report.id)
            .await?
            .into_iter()
            .find(|a| a.ordinal == ordinal)
            .ok_or_else(|| {
                AppError::NotFound(format!(
                    "CVD report {} has no attachment {ordinal}",
                    report.tracking_id
                ))
            })?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(&body.content_base64)
            .map_err(|e| AppError::Internal(format!("attachment body is not base64: {e}")))?;
        if sha256_hex(&bytes) != body.meta.sha256 {
            return Err(AppError::Internal(format!(
                "attachment {ordinal} of {} does not match the SHA-256 recorded at receipt",
                report.tracking_id
            )));
        }
        Ok((body.meta, bytes))
    }

    /// Records the acknowledgement of a report on `on` (default today). A date before the report
    /// was received, or in the future, is refused.
    pub async fn acknowledge_cvd_report(
        &self,
        actor: &Actor,
        tracking_id: &str,
        on: Option<Date>,
        reason: Option<&str>,
    ) -> Result<CvdReportView, AppError> {
        let today = today();
        let on = on.unwrap_or(today);
        let report = self.store().cvd_report(tracking_id).await?;
        let received = report.received_at.get(..10).unwrap_or("");
        if on.to_string().as_str() < received {
            return Err(AppError::BadInput(format!(
                "--at {on}: CVD report {} was received on {received}; an acknowledgement cannot come before it",
                report.tracking_id
            )));
        }
        if on > today {
            return Err(AppError::BadInput(format!(
                "--at {on}: the date is in the future (today is {today})"
            )));
        }
        let report = self
            .store()
            .acknowledge_cvd_report(actor, &report.tracking_id, &on.to_string(), reason)
            .await?;
        Ok(CvdReportView {
            clock: ack_clock(&report, today),
            report,
        })
    }
}

fn check_attachment(a: &CvdAttachmentRow) -> CvdAttachmentView {
    let intact = base64::engine::general_purpose::STANDARD
        .decode(&a.content_base64)
        .is_ok_and(|b| {
            i64::try_from(b.len()).ok() == Some(a.meta.size_bytes)
                && sha256_hex(&b) == a.meta.sha256
        });
    CvdAttachmentView {
        ordinal: a.ordinal,
        meta: a.meta.clone(),
        intact,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn submission() -> CvdSubmission {
        CvdSubmission {
            reporter_name: Some(" Ada ".into()),
            reporter_email: Some("ada@example.org".into()),
            product: Some("Infusion pump".into()),
            affected_version: Some("2.1".into()),
            description: Some("Line one\nline two".into()),
            ..CvdSubmission::default()
        }
    }

    fn at(s: &str) -> OffsetDateTime {
        OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).unwrap()
    }

    #[test]
    fn tracking_ids_are_well_formed_and_differ() {
        let a = new_tracking_id(2026);
        let b = new_tracking_id(2026);
        assert_ne!(a, b);
        assert_eq!(a.len(), "CVD-2026-".len() + 12);
        assert!(a.starts_with("CVD-2026-"));
        assert!(a[9..]
            .chars()
            .all(|c| "0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(c)));
    }

    #[test]
    fn acknowledgement_due_date_follows_the_policy() {
        let policy = CvdPolicy {
            ack_days: 7,
            ..CvdPolicy::default()
        };
        let r = validate(
            submission(),
            Channel::Api,
            &policy,
            at("2026-02-25T23:59:00Z"),
        )
        .unwrap();
        assert_eq!(
            r.ack_due_on, "2026-03-04",
            "7 days across the end of February"
        );
        assert_eq!(r.reporter_name, "Ada", "trimmed");
        assert_eq!(r.received_at, "2026-02-25T23:59:00.000000Z");
        assert!(r.tracking_id.starts_with("CVD-2026-"));
    }

    #[test]
    fn each_bad_field_is_named() {
        let now = at("2026-03-01T00:00:00Z");
        let cases: Vec<(CvdSubmission, &str)> = vec![
            (
                CvdSubmission {
                    reporter_email: Some("ada.example.org".into()),
                    ..submission()
                },
                "/reporter_email",
            ),
            (
                CvdSubmission {
                    reporter_email: Some("ada@localhost".into()),
                    ..submission()
                },
                "/reporter_email",
            ),
            (
                CvdSubmission {
                    product: None,
                    ..submission()
                },
                "/product",
            ),
            (
                CvdSubmission {
                    reporter_name: Some("Ada\u{7}".into()),
                    ..submission()
                },
                "/reporter_name",
            ),
            (
                CvdSubmission {
                    disclosure_deadline: Some("2026-02-30".into()),
                    ..submission()
                },
                "/disclosure_deadline",
            ),
            (
                CvdSubmission {
                    disclosure_deadline: Some("2026-02-28".into()),
                    ..submission()
                },
                "/disclosure_deadline",
            ),
        ];
        for (sub, field) in cases {
            let e = validate(sub, Channel::Api, &CvdPolicy::default(), now).unwrap_err();
            assert_eq!(e.field, field, "{e}");
            assert_eq!(e.kind, RejectionKind::Invalid);
        }
    }

    #[test]
    fn size_limits_are_too_large_rejections() {
        let now = at("2026-03-01T00:00:00Z");
        let big = SubmittedAttachment {
            file_name: "C:\\Users\\ada\\dump.bin".into(),
            media_type: None,
            content: vec![0; MAX_ATTACHMENT_BYTES + 1],
        };
        let e = validate(
            CvdSubmission {
                attachments: vec![big],
                ..submission()
            },
            Channel::Form,
            &CvdPolicy::default(),
            now,
        )
        .unwrap_err();
        assert_eq!(e.kind, RejectionKind::TooLarge);
        assert_eq!(e.field, "attachments[0]");
        assert!(e.message.contains("\"dump.bin\""), "{e}");
        let six = vec![
            SubmittedAttachment {
                file_name: "a.txt".into(),
                media_type: Some("text/plain".into()),
                content: b"x".to_vec(),
            };
            6
        ];
        let e = validate(
            CvdSubmission {
                attachments: six,
                ..submission()
            },
            Channel::Form,
            &CvdPolicy::default(),
            now,
        )
        .unwrap_err();
        assert_eq!(e.kind, RejectionKind::TooLarge);
        assert_eq!(e.field, "attachments");
    }

    #[test]
    fn email_check_accepts_ordinary_addresses() {
        for ok in [
            "a@b.co",
            "first.last+cvd@sub.example.org",
            "x@xn--bcher-kva.example",
        ] {
            assert!(check_email(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "a@",
            "@b.org",
            "a b@c.org",
            "a@b",
            "a@-b.org",
            "a@b..org",
            "a@1.2",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_clock_names_open_overdue_on_time_and_late() {
        let mut r = CvdReportRow {
            id: 1,
            tracking_id: "CVD-2026-X".into(),
            received_at: "2026-03-01T10:00:00.000000Z".into(),
            channel: "api".into(),
            spooled: false,
            reporter_name: "A".into(),
            reporter_email: "a@b.org".into(),
            reporter_pgp_key: None,
            reporter_organisation: None,
            product: "P".into(),
            device_name: None,
            affected_version: "1".into(),
            description: "d".into(),
            disclosure_deadline: None,
            ack_days: 5,
            ack_due_on: "2026-03-06".into(),
            acknowledged_on: None,
            attachments: vec![],
            stored_at: "2026-03-01T10:00:00.000000Z".into(),
        };
        let d = |s: &str| s.parse::<Date>().unwrap();
        let c = ack_clock(&r, d("2026-03-04"));
        assert_eq!((c.state, c.days), ("open", 2));
        let c = ack_clock(&r, d("2026-03-06"));
        assert_eq!(
            (c.state, c.days),
            ("open", 0),
            "the due day itself is in time"
        );
        let c = ack_clock(&r, d("2026-03-09"));
        assert_eq!((c.state, c.days), ("overdue", 3));
        r.acknowledged_on = Some("2026-03-06".into());
        let c = ack_clock(&r, d("2026-04-01"));
        assert_eq!((c.state, c.days), ("on-time", 0));
        r.acknowledged_on = Some("2026-03-08".into());
        let c = ack_clock(&r, d("2026-04-01"));
        assert_eq!((c.state, c.days), ("late", 2));

        let input = cvd_report_to_case_input(&r).unwrap();
        assert_eq!(input.source, "researcher");
        assert_eq!(input.awareness_date, d("2026-03-01"));
        assert_eq!(input.source_ref, "CVD-2026-X");
    }
}

//! The public vulnerability intake (issue 7; FDA postmarket guidance §VII and App. C; DESIGN.md
//! §10) and `security.txt` (RFC 9116). No login: anyone may report. Requests are size-limited
//! (413 naming the limit), rate-limited per client IP in memory (429 with `Retry-After`), and a
//! report is stored even when the database is busy (the app spools it to disk).

use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use maud::{html, Markup, DOCTYPE};
use postmarket_app::cvd::{
    Channel, CvdPolicy, CvdReceipt, CvdRejection, CvdSubmission, CvdSubmissionJson, CvdSubmitError,
    RejectionKind, SubmittedAttachment, MAX_ATTACHMENTS, MAX_ATTACHMENT_BYTES, MAX_REQUEST_BYTES,
};
use postmarket_app::App;
use postmarket_model::Actor;
use time::OffsetDateTime;

/// Default: 5 reports per client IP per 10 minutes.
pub const DEFAULT_RATE_LIMIT: RateLimit = RateLimit {
    max: 5,
    window: Duration::from_secs(600),
};
/// Default lifetime of `security.txt`'s `Expires` (RFC 9116 §2.5.5 recommends less than a year).
pub const DEFAULT_SECURITY_TXT_DAYS: u32 = 180;

/// How many intake requests one client IP may make per window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub max: u32,
    pub window: Duration,
}

impl std::str::FromStr for RateLimit {
    type Err = String;
    /// `N/DURATION`, e.g. `5/10m`, `100/1h`, `3/30s`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || {
            format!("{s:?} is not a rate limit: expected N/DURATION such as 5/10m, 100/1h or 3/30s")
        };
        let (n, d) = s.trim().split_once('/').ok_or_else(bad)?;
        let max: u32 = n.trim().parse().map_err(|_| bad())?;
        let d = d.trim();
        let (num, unit) = d.split_at(d.find(|c: char| !c.is_ascii_digit()).unwrap_or(d.len()));
        let num: u64 = if num.is_empty() {
            1
        } else {
            num.parse().map_err(|_| bad())?
        };
        let secs = match unit {
            "s" => num,
            "m" => num * 60,
            "h" => num * 3600,
            "d" => num * 86_400,
            _ => return Err(bad()),
        };
        if max == 0 || secs == 0 {
            return Err(format!(
                "{s:?}: the count and the duration must be above zero"
            ));
        }
        Ok(Self {
            max,
            window: Duration::from_secs(secs),
        })
    }
}

/// Everything the intake and `security.txt` need; the CLI builds it from flags and environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CvdSettings {
    pub policy: CvdPolicy,
    pub rate_limit: RateLimit,
    /// The public base URL (e.g. `https://psirt.example.com`); without it, `http://` and the
    /// request's Host header.
    pub public_url: Option<String>,
    /// A `mailto:` contact in `security.txt`.
    pub contact_email: Option<String>,
    pub preferred_languages: String,
    /// The CVD policy's URL; default the policy section of the intake form.
    pub policy_url: Option<String>,
    /// `Expires` is this many days after the request (1 to 365).
    pub security_txt_days: u32,
}

impl Default for CvdSettings {
    fn default() -> Self {
        Self {
            policy: CvdPolicy::default(),
            rate_limit: DEFAULT_RATE_LIMIT,
            public_url: None,
            contact_email: None,
            preferred_languages: "en".into(),
            policy_url: None,
            security_txt_days: DEFAULT_SECURITY_TXT_DAYS,
        }
    }
}

static CONFIGURED: OnceLock<CvdSettings> = OnceLock::new();

/// Sets the settings [`routes`] uses (once per process, before the router is built); returns
/// false if they were already set.
pub fn configure(settings: CvdSettings) -> bool {
    CONFIGURED.set(settings).is_ok()
}

/// The intake and `security.txt` routes with the configured settings (defaults if none).
pub fn routes<S>() -> Router<S>
where
    App: axum::extract::FromRef<S>,
    S: Clone + Send + Sync + 'static,
{
    routes_with(CONFIGURED.get().cloned().unwrap_or_default())
}

/// The intake and `security.txt` routes with these settings.
pub fn routes_with<S>(settings: CvdSettings) -> Router<S>
where
    App: axum::extract::FromRef<S>,
    S: Clone + Send + Sync + 'static,
{
    let state = Arc::new(Intake {
        limiter: RateLimiter::new(settings.rate_limit),
        settings,
    });
    Router::new()
        .route("/report-vulnerability", get(form_page).post(submit_form))
        .route("/api/v1/cvd-reports", axum::routing::post(submit_json))
        .route("/.well-known/security.txt", get(security_txt))
        // The handlers read the body themselves, with the intake's own limit and message.
        .layer(DefaultBodyLimit::disable())
        .layer(Extension(state))
}

struct Intake {
    settings: CvdSettings,
    limiter: RateLimiter,
}

/// A sliding-window limit per client IP, in memory (a restart forgets it, which is acceptable
/// for abuse control).
struct RateLimiter {
    limit: RateLimit,
    seen: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl RateLimiter {
    fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a request from `ip`; `Err(wait)` when it is over the limit.
    fn check(&self, ip: IpAddr, now: Instant) -> Result<(), Duration> {
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let window = self.limit.window;
        // Bound the memory: forget clients whose whole window has passed.
        if seen.len() > 10_000 {
            seen.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < window));
        }
        let q = seen.entry(ip).or_default();
        while q.front().is_some_and(|t| now.duration_since(*t) >= window) {
            q.pop_front();
        }
        if q.len() >= self.limit.max as usize {
            let oldest = q.front().copied().unwrap_or(now);
            return Err(window.saturating_sub(now.duration_since(oldest)));
        }
        q.push_back(now);
        Ok(())
    }
}

fn client_ip(req: &Request) -> IpAddr {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip())
}

fn intake_actor() -> Actor {
    Actor::new("cvd-intake").unwrap_or_else(|_| Actor::system())
}

/// A failure to answer, in the form (HTML or JSON) the client asked for.
struct Refusal {
    status: StatusCode,
    field: Option<String>,
    message: String,
    retry_after: Option<u64>,
}

impl Refusal {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            field: None,
            message: message.into(),
            retry_after: None,
        }
    }

    fn from_rejection(r: CvdRejection) -> Self {
        Self {
            status: match r.kind {
                RejectionKind::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
                RejectionKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
            },
            message: r.to_string(),
            field: Some(r.field),
            retry_after: None,
        }
    }

    fn from_submit(e: CvdSubmitError) -> Self {
        match e {
            CvdSubmitError::Rejected(r) => Self::from_rejection(r),
            CvdSubmitError::Unavailable(_) => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "the report could not be stored just now; please try again later",
            ),
        }
    }

    fn json(self) -> Response {
        let mut body = serde_json::json!({ "error": self.message });
        if let Some(f) = &self.field {
            body["field"] = f.clone().into();
        }
        self.with_headers((self.status, Json(body)).into_response())
    }

    fn html(self) -> Response {
        let page = layout(
            "Report not accepted",
            html! {
                h1 { (self.status.as_u16()) " " (self.status.canonical_reason().unwrap_or("")) }
                p.error { (self.message) }
                p { a href="/report-vulnerability" { "Back to the form" } }
            },
        );
        self.with_headers((self.status, page).into_response())
    }

    fn with_headers(&self, mut r: Response) -> Response {
        if let Some(secs) = self.retry_after {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        r
    }
}

/// Counts the request against the client's limit and reads the body within the size limit.
async fn admit(
    intake: &Intake,
    req: Request,
) -> Result<(axum::http::request::Parts, Bytes), Refusal> {
    if let Err(wait) = intake.limiter.check(client_ip(&req), Instant::now()) {
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let limit = intake.settings.rate_limit;
        return Err(Refusal {
            retry_after: Some(secs.max(1)),
            ..Refusal::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!(
                    "too many reports from your address: at most {} per {} s; try again in {} s",
                    limit.max,
                    limit.window.as_secs(),
                    secs.max(1)
                ),
            )
        });
    }
    let too_large = || {
        Refusal::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the request is larger than {MAX_REQUEST_BYTES} bytes (10 MiB), the limit for a report with its attachments (at most {MAX_ATTACHMENTS} attachments of {MAX_ATTACHMENT_BYTES} bytes each)"
            ),
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_REQUEST_BYTES as u64) {
        return Err(too_large());
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_REQUEST_BYTES)
        .await
        .map_err(|_| too_large())?;
    Ok((parts, bytes))
}

async fn submit_json(
    State(app): State<App>,
    Extension(intake): Extension<Arc<Intake>>,
    req: Request,
) -> Response {
    match accept_json(&app, &intake, req).await {
        Ok(receipt) => {
            (StatusCode::CREATED, Json(public_receipt(&receipt, &intake))).into_response()
        }
        Err(r) => r.json(),
    }
}

async fn accept_json(app: &App, intake: &Intake, req: Request) -> Result<CvdReceipt, Refusal> {
    let (parts, bytes) = admit(intake, req).await?;
    let is_json = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("application/json")
        });
    if !is_json {
        return Err(Refusal::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "expected Content-Type: application/json (the HTML form at /report-vulnerability takes multipart/form-data)",
        ));
    }
    let body: CvdSubmissionJson = serde_json::from_slice(&bytes).map_err(|e| {
        Refusal::new(
            StatusCode::BAD_REQUEST,
            format!(
                "the body is not a CVD report: line {} column {}: {e}",
                e.line(),
                e.column()
            ),
        )
    })?;
    let submission = body.into_submission().map_err(Refusal::from_rejection)?;
    submit(app, intake, submission, Channel::Api).await
}

async fn submit(
    app: &App,
    intake: &Intake,
    submission: CvdSubmission,
    channel: Channel,
) -> Result<CvdReceipt, Refusal> {
    app.submit_cvd_report(
        &intake_actor(),
        &intake.settings.policy,
        submission,
        channel,
        OffsetDateTime::now_utc(),
    )
    .await
    .map_err(Refusal::from_submit)
}

/// The receipt as the reporter sees it (where it is stored is Postmarket's business).
fn public_receipt(r: &CvdReceipt, intake: &Intake) -> serde_json::Value {
    serde_json::json!({
        "tracking_id": r.tracking_id,
        "received_at": r.received_at,
        "acknowledgement_due_on": r.acknowledgement_due_on,
        "acknowledgement_days": r.acknowledgement_days,
        "attachments": r.attachments,
        "message": acknowledgement_text(r, intake),
    })
}

fn acknowledgement_text(r: &CvdReceipt, _intake: &Intake) -> String {
    format!(
        "Thank you. Your report {} was received at {}. Under our coordinated vulnerability disclosure policy we acknowledge reports within {} days, by {}. Please quote the tracking id in any correspondence.",
        r.tracking_id, r.received_at, r.acknowledgement_days, r.acknowledgement_due_on
    )
}

async fn submit_form(
    State(app): State<App>,
    Extension(intake): Extension<Arc<Intake>>,
    req: Request,
) -> Response {
    match accept_form(&app, &intake, req).await {
        Ok(receipt) => (StatusCode::CREATED, receipt_page(&receipt, &intake)).into_response(),
        Err(r) => r.html(),
    }
}

async fn accept_form(app: &App, intake: &Intake, req: Request) -> Result<CvdReceipt, Refusal> {
    let (parts, bytes) = admit(intake, req).await?;
    let req = Request::from_parts(parts, Body::from(bytes));
    let mut multipart = Multipart::from_request(req, &()).await.map_err(|e| {
        Refusal::new(
            StatusCode::BAD_REQUEST,
            format!("expected a multipart/form-data form: {}", e.body_text()),
        )
    })?;
    let mut sub = CvdSubmission::default();
    let mut files = 0_usize;
    while let Some(field) = multipart.next_field().await.map_err(|e| {
        Refusal::new(
            StatusCode::BAD_REQUEST,
            format!("the form data is malformed: {}", e.body_text()),
        )
    })? {
        let name = field.name().unwrap_or("").to_string();
        if name == "attachments" {
            let file_name = field.file_name().unwrap_or("").to_string();
            let media_type = field.content_type().map(str::to_string);
            let content = field.bytes().await.map_err(|e| {
                Refusal::new(
                    StatusCode::BAD_REQUEST,
                    format!("attachments: {}", e.body_text()),
                )
            })?;
            // A file input left empty still sends a part without name or bytes.
            if file_name.is_empty() && content.is_empty() {
                continue;
            }
            files += 1;
            if files > MAX_ATTACHMENTS {
                return Err(Refusal::from_rejection(
                    postmarket_app::cvd::too_many_attachments(files, "attachments"),
                ));
            }
            sub.attachments.push(SubmittedAttachment {
                file_name,
                media_type,
                content: content.to_vec(),
            });
            continue;
        }
        let text = field.text().await.map_err(|e| {
            Refusal::new(
                StatusCode::BAD_REQUEST,
                format!("{name}: {}", e.body_text()),
            )
        })?;
        let slot = match name.as_str() {
            "reporter_name" => &mut sub.reporter_name,
            "reporter_email" => &mut sub.reporter_email,
            "reporter_pgp_key" => &mut sub.reporter_pgp_key,
            "reporter_organisation" => &mut sub.reporter_organisation,
            "product" => &mut sub.product,
            "device_name" => &mut sub.device_name,
            "affected_version" => &mut sub.affected_version,
            "description" => &mut sub.description,
            "disclosure_deadline" => &mut sub.disclosure_deadline,
            other => {
                return Err(Refusal {
                    field: Some(other.to_string()),
                    ..Refusal::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        format!("{other}: not a field of the report form"),
                    )
                })
            }
        };
        *slot = Some(text);
    }
    submit(app, intake, sub, Channel::Form).await
}

fn layout(title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Postmarket" }
                link rel="stylesheet" href="/assets/app.css";
            }
            body {
                header.top {
                    span.brand { "Postmarket" }
                    span.tagline { "coordinated vulnerability disclosure" }
                }
                main { (body) }
            }
        }
    }
}

async fn form_page(Extension(intake): Extension<Arc<Intake>>) -> Markup {
    let days = intake.settings.policy.ack_days;
    let limit = intake.settings.rate_limit;
    layout(
        "Report a vulnerability",
        html! {
            h1 { "Report a vulnerability" }
            p { "Found a security problem in one of our devices? Tell us here; no account is needed. You get a tracking id at once." }
            form method="post" action="/report-vulnerability" enctype="multipart/form-data" {
                fieldset {
                    legend { "You" }
                    p { label for="reporter_name" { "Name *" } br; input #reporter_name type="text" name="reporter_name" required maxlength="200"; }
                    p { label for="reporter_email" { "Email *" } br; input #reporter_email type="email" name="reporter_email" required maxlength="254"; }
                    p { label for="reporter_organisation" { "Organisation" } br; input #reporter_organisation type="text" name="reporter_organisation" maxlength="200"; }
                    p { label for="reporter_pgp_key" { "PGP public key (to encrypt our replies)" } br; textarea #reporter_pgp_key name="reporter_pgp_key" rows="4" {} }
                }
                fieldset {
                    legend { "The problem" }
                    p { label for="product" { "Product *" } br; input #product type="text" name="product" required maxlength="200"; }
                    p { label for="device_name" { "Device model" } br; input #device_name type="text" name="device_name" maxlength="200"; }
                    p { label for="affected_version" { "Affected version(s) *" } br; input #affected_version type="text" name="affected_version" required maxlength="200"; }
                    p { label for="description" { "Description *" } br; textarea #description name="description" rows="10" required {} }
                    p { label for="disclosure_deadline" { "Your planned disclosure date" } br; input #disclosure_deadline type="date" name="disclosure_deadline"; }
                    p { label for="attachments" { "Attachments (at most " (MAX_ATTACHMENTS) ", 2 MiB each)" } br; input #attachments type="file" name="attachments" multiple; }
                }
                p { button type="submit" { "Send report" } }
            }
            section #policy {
                h2 { "Our coordinated vulnerability disclosure policy" }
                ul {
                    li { "We acknowledge every report within " (days) " days of receipt and tell you who is handling it." }
                    li { "We assess the risk to patients and devices, keep you informed, and agree a disclosure date with you." }
                    li { "Please give us reasonable time to fix the problem before you publish, and do not test on devices in clinical use." }
                    li { "Limits: a report with its attachments may be at most 10 MiB; at most " (limit.max) " reports per " (limit.window.as_secs() / 60) " minutes from one address." }
                }
            }
        },
    )
}

fn receipt_page(r: &CvdReceipt, intake: &Intake) -> Markup {
    layout(
        "Report received",
        html! {
            h1 { "Report received" }
            p { "Your tracking id:" }
            p.tracking { strong { (r.tracking_id) } }
            dl {
                dt { "Received" } dd { (r.received_at) }
                dt { "We acknowledge by" } dd { (r.acknowledgement_due_on) " (within " (r.acknowledgement_days) " days)" }
                dt { "Attachments" } dd { (r.attachments) }
            }
            p { (acknowledgement_text(r, intake)) }
        },
    )
}

/// RFC 9116 `security.txt`, with `Expires` computed at each request.
async fn security_txt(Extension(intake): Extension<Arc<Intake>>, headers: HeaderMap) -> Response {
    let s = &intake.settings;
    let base = match &s.public_url {
        Some(u) => u.trim_end_matches('/').to_string(),
        None => format!(
            "http://{}",
            headers
                .get(header::HOST)
                .and_then(|h| h.to_str().ok())
                .filter(|h| h
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c)))
                .unwrap_or("localhost")
        ),
    };
    let days = s.security_txt_days.clamp(1, 365);
    let expires = (OffsetDateTime::now_utc() + time::Duration::days(i64::from(days)))
        .replace_nanosecond(0)
        .unwrap_or_else(|_| OffsetDateTime::now_utc());
    let expires = expires
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let mut text = String::new();
    text.push_str(&format!("Contact: {base}/report-vulnerability\n"));
    if let Some(mail) = &s.contact_email {
        text.push_str(&format!("Contact: mailto:{mail}\n"));
    }
    text.push_str(&format!("Expires: {expires}\n"));
    text.push_str(&format!("Preferred-Languages: {}\n", s.preferred_languages));
    let policy = s
        .policy_url
        .clone()
        .unwrap_or_else(|| format!("{base}/report-vulnerability#policy"));
    text.push_str(&format!("Policy: {policy}\n"));
    text.push_str(&format!("Canonical: {base}/.well-known/security.txt\n"));
    ([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limits_parse() {
        assert_eq!(
            "5/10m".parse::<RateLimit>().unwrap(),
            RateLimit {
                max: 5,
                window: Duration::from_secs(600)
            }
        );
        assert_eq!("3/h".parse::<RateLimit>().unwrap().window.as_secs(), 3600);
        for bad in ["", "5", "0/1m", "5/0s", "5/10x", "x/1m"] {
            assert!(bad.parse::<RateLimit>().is_err(), "{bad}");
        }
    }

    #[test]
    fn the_limiter_slides_and_says_how_long_to_wait() {
        let l = RateLimiter::new(RateLimit {
            max: 2,
            window: Duration::from_secs(60),
        });
        let ip: IpAddr = "192.0.2.1".parse().unwrap();
        let other: IpAddr = "192.0.2.2".parse().unwrap();
        let t0 = Instant::now();
        assert!(l.check(ip, t0).is_ok());
        assert!(l.check(ip, t0 + Duration::from_secs(10)).is_ok());
        let wait = l.check(ip, t0 + Duration::from_secs(20)).unwrap_err();
        assert_eq!(wait, Duration::from_secs(40));
        assert!(
            l.check(other, t0 + Duration::from_secs(20)).is_ok(),
            "per IP"
        );
        assert!(
            l.check(ip, t0 + Duration::from_secs(61)).is_ok(),
            "the first has expired"
        );
    }
}

//! The REST API under `/api/v1` (issue 8). JSON in and out; every 4xx and 5xx answer has one
//! shape, `{"error": {"code", "message", "details"}}`. Handlers check the permission first, then
//! the product line (a device the caller may not see is "not found", exactly like a missing one).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use postmarket_app::{AppError, ExportFormat, NewUser, Principal};
use postmarket_auth::{Permission, Role, Scope};
use postmarket_model::{Device, DeviceName, NewDevice, NewRelease, Release, ReleaseVersion};
use postmarket_store::SbomTarget;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::auth::User;
use crate::{public_message, status_of, AppState};

/// The error envelope of every 4xx and 5xx answer.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ErrorEnvelope {
    pub error: ErrorBody,
}

#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ErrorBody {
    /// A stable machine-readable code: `bad_request`, `invalid_sbom`, `unauthorized`,
    /// `forbidden`, `csrf`, `not_found`, `method_not_allowed`, `conflict`, `payload_too_large`,
    /// `unsupported_media_type`, `invalid_body`, `rate_limited`, `internal`.
    pub code: String,
    /// What went wrong, for people: names the value, file or place and what was expected.
    pub message: String,
    /// Structured details where there are some (e.g. the file, code and JSON pointer of a bad
    /// SBOM), else null.
    #[schema(value_type = Option<Object>)]
    pub details: Option<Value>,
}

pub(crate) fn error_body(
    status: StatusCode,
    code: &str,
    message: &str,
    details: Option<Value>,
) -> Response {
    let mut r = (
        status,
        Json(ErrorEnvelope {
            error: ErrorBody {
                code: code.to_string(),
                message: message.to_string(),
                details,
            },
        }),
    )
        .into_response();
    // Marks the body as already in the envelope for `envelope_errors`.
    r.extensions_mut().insert(Enveloped);
    r
}

#[derive(Clone, Copy)]
struct Enveloped;

fn code_for(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        409 => "conflict",
        413 => "payload_too_large",
        415 => "unsupported_media_type",
        422 => "invalid_body",
        429 => "rate_limited",
        s if s >= 500 => "internal",
        _ => "error",
    }
}

/// An application error as the envelope.
pub(crate) struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        Self(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = status_of(&self.0);
        let details = match &self.0 {
            AppError::Sbom { file, error } => Some(serde_json::json!({
                "file": file,
                "code": error.code.as_str(),
                "location": error.location,
                "reason": error.message,
            })),
            _ => None,
        };
        let code = match &self.0 {
            AppError::Sbom { .. } => "invalid_sbom",
            _ => code_for(status),
        };
        error_body(status, code, &public_message(&self.0), details)
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// Most units in the field one release may claim through the API.
const MAX_INSTALL_BASE: i64 = 1_000_000_000;

/// Puts every error answer of the API into the envelope, including those axum makes itself
/// (a malformed JSON body, a bad path parameter, a body over the limit, a wrong method).
pub(crate) async fn envelope_errors(response: Response) -> Response {
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error())
        || response.extensions().get::<Enveloped>().is_some()
    {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = axum::body::to_bytes(body, 64 * 1024)
        .await
        .map(|b| String::from_utf8_lossy(&b).trim().to_string())
        .unwrap_or_default();
    let message = if text.is_empty() || status.is_server_error() {
        status.canonical_reason().unwrap_or("error").to_string()
    } else {
        text
    };
    let mut r = error_body(status, code_for(status), &message, None);
    // Keep headers that matter to the client (Allow on 405, Retry-After, WWW-Authenticate).
    for name in [header::ALLOW, header::RETRY_AFTER, header::WWW_AUTHENTICATE] {
        if let Some(v) = parts.headers.get(&name) {
            r.headers_mut().insert(name, v.clone());
        }
    }
    r
}

pub(crate) async fn not_found() -> Response {
    error_body(
        StatusCode::NOT_FOUND,
        "not_found",
        "there is no API route at this address (GET /api/openapi.json lists them)",
        None,
    )
}

fn require(p: &Principal, perm: Permission) -> ApiResult<()> {
    Ok(p.require(perm)?)
}

fn device_name(s: &str) -> ApiResult<DeviceName> {
    Ok(s.parse::<DeviceName>()?)
}

fn version(s: &str) -> ApiResult<ReleaseVersion> {
    Ok(s.parse::<ReleaseVersion>()?)
}

fn bad(msg: impl Into<String>) -> ApiError {
    ApiError(AppError::BadInput(msg.into()))
}

// ----- representations -----

/// A device model.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ApiDevice {
    pub name: String,
    pub product_line: String,
    /// FDA device class: I, II or III.
    pub class: String,
    /// Premarket pathway: PMA, 510(k), De Novo or exempt.
    pub pathway: String,
    pub udi_di: Option<String>,
    /// A cyber device under FD&C Act section 524B.
    pub cyber_device: bool,
    pub safety_statement: Option<String>,
    pub harm_acceptance: Option<String>,
    pub created_at: String,
}

impl From<&Device> for ApiDevice {
    fn from(d: &Device) -> Self {
        Self {
            name: d.name.to_string(),
            product_line: d.product_line.clone(),
            class: d.class.to_string(),
            pathway: d.pathway.to_string(),
            udi_di: d.udi_di.clone(),
            cyber_device: d.cyber_device,
            safety_statement: d.safety_statement.clone(),
            harm_acceptance: d.harm_acceptance.clone(),
            created_at: d.created_at.clone(),
        }
    }
}

/// A device in the portfolio, with its release facts.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ApiDeviceSummary {
    #[serde(flatten)]
    pub device: ApiDevice,
    pub releases: usize,
    /// Units in the field over all releases.
    pub install_base: i64,
    pub latest_release: Option<String>,
}

/// A device with its releases.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ApiDeviceDetail {
    #[serde(flatten)]
    pub device: ApiDevice,
    pub releases: Vec<ApiRelease>,
}

/// A release of a device, with its latest SBOM's facts.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ApiRelease {
    pub device: String,
    pub version: String,
    /// `YYYY-MM-DD`.
    pub released_at: Option<String>,
    pub end_of_support: Option<String>,
    pub install_base: i64,
    pub created_at: String,
    pub sbom: Option<ApiSbomRevision>,
}

/// One stored SBOM revision.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ApiSbomRevision {
    pub revision: i64,
    pub format: String,
    pub spec_version: String,
    pub sha256: String,
    pub size_bytes: i64,
    pub component_count: i64,
    pub created_at: String,
}

impl From<&postmarket_store::SbomRevision> for ApiSbomRevision {
    fn from(r: &postmarket_store::SbomRevision) -> Self {
        Self {
            revision: r.revision,
            format: r.format.clone(),
            spec_version: r.spec_version.clone(),
            sha256: r.sha256.clone(),
            size_bytes: r.size_bytes,
            component_count: r.component_count,
            created_at: r.created_at.clone(),
        }
    }
}

fn api_release(r: &Release, sbom: Option<&postmarket_store::SbomRevision>) -> ApiRelease {
    ApiRelease {
        device: r.device.to_string(),
        version: r.version.to_string(),
        released_at: r.released_at.map(|d| d.to_string()),
        end_of_support: r.end_of_support.map(|d| d.to_string()),
        install_base: r.install_base,
        created_at: r.created_at.clone(),
        sbom: sbom.map(ApiSbomRevision::from),
    }
}

/// A component of a release's latest SBOM, Postmarket's support overrides applied.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ApiComponent {
    pub bom_ref: String,
    pub name: String,
    pub version: Option<String>,
    pub supplier: Option<String>,
    /// Canonical purl (or the purl as written when it is not valid).
    pub purl: Option<String>,
    pub cpe: Option<String>,
    pub licenses: Option<String>,
    /// `maintained`, `no_longer_maintained` or `abandoned`.
    pub support_level: Option<String>,
    pub end_of_support: Option<String>,
    /// The support level / end of support was set in Postmarket, not taken from the document.
    pub overridden: bool,
}

/// The result of an SBOM upload.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ApiSbomStored {
    pub release: ApiRelease,
    /// The release did not exist and was created with the SBOM.
    pub release_created: bool,
    /// The document was byte for byte the latest revision: nothing was written.
    pub unchanged: bool,
    pub revision: ApiSbomRevision,
}

/// How fresh a vulnerability source is.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ApiFeedStatus {
    pub source: String,
    pub last_success: Option<String>,
    pub age_seconds: Option<i64>,
    pub runs: i64,
    pub records: i64,
    pub last_sync_error: Option<String>,
    /// Older than two days, or never succeeded.
    pub stale: bool,
}

/// An account (never its password hash).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ApiUser {
    pub name: String,
    /// admin, analyst, approver, engineer or viewer.
    pub role: String,
    pub product_lines: Vec<String>,
    pub disabled: bool,
    pub created_at: String,
}

impl From<&postmarket_app::UserView> for ApiUser {
    fn from(u: &postmarket_app::UserView) -> Self {
        Self {
            name: u.name.clone(),
            role: u.role.to_string(),
            product_lines: u.product_lines.clone(),
            disabled: u.disabled,
            created_at: u.created_at.clone(),
        }
    }
}

/// An API token (never the secret, except once at creation).
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ApiToken {
    pub id: i64,
    pub user: String,
    pub name: String,
    /// read or write.
    pub scope: String,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
    /// The token itself: present only in the answer that created it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
}

impl From<&postmarket_store::ApiTokenRow> for ApiToken {
    fn from(t: &postmarket_store::ApiTokenRow) -> Self {
        Self {
            id: t.id,
            user: t.user.clone(),
            name: t.name.clone(),
            scope: t.scope.clone(),
            created_at: t.created_at.clone(),
            expires_at: t.expires_at.clone(),
            revoked_at: t.revoked_at.clone(),
            secret: None,
        }
    }
}

/// Who is calling.
#[derive(Debug, Serialize, ToSchema)]
pub(crate) struct ApiMe {
    pub name: String,
    pub role: String,
    pub product_lines: Vec<String>,
    /// `session` or `token`.
    pub via: String,
    /// The token's scope when called with a token.
    pub scope: Option<String>,
    /// What this caller may do.
    pub permissions: Vec<String>,
}

// ----- handlers -----

#[utoipa::path(get, path = "/api/v1/me", tag = "users",
    responses((status = 200, body = ApiMe), (status = 401, body = ErrorEnvelope)))]
pub(crate) async fn me(User(p, _): User) -> Json<ApiMe> {
    let (via, scope) = match p.via {
        postmarket_app::Via::Session { .. } => ("session", None),
        postmarket_app::Via::Token { scope, .. } => ("token", Some(scope.to_string())),
    };
    Json(ApiMe {
        permissions: Permission::ALL
            .into_iter()
            .filter(|x| p.can(*x))
            .map(|x| x.describe().to_string())
            .collect(),
        name: p.name,
        role: p.role.to_string(),
        product_lines: p.product_lines,
        via: via.into(),
        scope,
    })
}

#[utoipa::path(get, path = "/api/v1/devices", tag = "devices",
    responses((status = 200, body = [ApiDeviceSummary]), (status = 401, body = ErrorEnvelope)))]
pub(crate) async fn list_devices(
    State(s): State<AppState>,
    User(p, _): User,
) -> ApiResult<Json<Vec<ApiDeviceSummary>>> {
    require(&p, Permission::Read)?;
    Ok(Json(
        s.app
            .portfolio_for(&p)
            .await?
            .iter()
            .map(|d| ApiDeviceSummary {
                device: ApiDevice::from(&d.device),
                releases: d.releases,
                install_base: d.install_base,
                latest_release: d.latest_release.clone(),
            })
            .collect(),
    ))
}

/// A new device model.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewDeviceBody {
    pub name: String,
    pub product_line: String,
    /// I, II or III.
    pub class: String,
    /// pma, 510k, de-novo or exempt.
    pub pathway: String,
    pub udi_di: Option<String>,
    /// Default true.
    pub cyber_device: Option<bool>,
    pub safety_statement: Option<String>,
    pub harm_acceptance: Option<String>,
    /// Why, for the audit trail.
    pub reason: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/devices", tag = "devices", request_body = NewDeviceBody,
    responses((status = 201, body = ApiDevice), (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope)))]
pub(crate) async fn create_device(
    State(s): State<AppState>,
    User(p, _): User,
    Json(b): Json<NewDeviceBody>,
) -> ApiResult<(StatusCode, Json<ApiDevice>)> {
    require(&p, Permission::CreateDevice)?;
    let mut new = NewDevice::new(
        device_name(&b.name)?,
        &b.product_line,
        b.class.parse()?,
        b.pathway.parse()?,
    );
    if !p.sees(&b.product_line) {
        return Err(ApiError(AppError::Forbidden(format!(
            "{} may create devices only in the product lines granted ({})",
            p.name,
            if p.product_lines.is_empty() {
                "none".to_string()
            } else {
                p.product_lines.join(", ")
            }
        ))));
    }
    new.udi_di = b.udi_di;
    new.cyber_device = b.cyber_device.unwrap_or(true);
    new.safety_statement = b.safety_statement;
    new.harm_acceptance = b.harm_acceptance;
    let d = s
        .app
        .add_device(&p.actor(), &new, b.reason.as_deref())
        .await?;
    Ok((StatusCode::CREATED, Json(ApiDevice::from(&d))))
}

#[utoipa::path(get, path = "/api/v1/devices/{device}", tag = "devices",
    params(("device" = String, Path, description = "Device name")),
    responses((status = 200, body = ApiDeviceDetail), (status = 401, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope)))]
pub(crate) async fn get_device(
    State(s): State<AppState>,
    User(p, _): User,
    Path(device): Path<String>,
) -> ApiResult<Json<ApiDeviceDetail>> {
    require(&p, Permission::Read)?;
    let d = s.app.device_for(&p, &device_name(&device)?).await?;
    let lines = s.app.device_sboms(&d.name).await?;
    Ok(Json(ApiDeviceDetail {
        device: ApiDevice::from(&d),
        releases: lines
            .iter()
            .map(|l| api_release(&l.release, l.latest.as_ref()))
            .collect(),
    }))
}

#[utoipa::path(get, path = "/api/v1/devices/{device}/releases", tag = "releases",
    params(("device" = String, Path, description = "Device name")),
    responses((status = 200, body = [ApiRelease]), (status = 401, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope)))]
pub(crate) async fn list_releases(
    State(s): State<AppState>,
    User(p, _): User,
    Path(device): Path<String>,
) -> ApiResult<Json<Vec<ApiRelease>>> {
    require(&p, Permission::Read)?;
    let d = s.app.device_for(&p, &device_name(&device)?).await?;
    Ok(Json(
        s.app
            .device_sboms(&d.name)
            .await?
            .iter()
            .map(|l| api_release(&l.release, l.latest.as_ref()))
            .collect(),
    ))
}

/// A new release of a device.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewReleaseBody {
    pub version: String,
    /// `YYYY-MM-DD`.
    pub released_at: Option<String>,
    /// `YYYY-MM-DD`.
    pub end_of_support: Option<String>,
    /// Units in the field (default 0).
    #[schema(minimum = 0, maximum = 1_000_000_000)]
    pub install_base: Option<i64>,
    pub reason: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/devices/{device}/releases", tag = "releases",
    params(("device" = String, Path, description = "Device name")),
    request_body = NewReleaseBody,
    responses((status = 201, body = ApiRelease), (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope), (status = 409, body = ErrorEnvelope)))]
pub(crate) async fn create_release(
    State(s): State<AppState>,
    User(p, _): User,
    Path(device): Path<String>,
    Json(b): Json<NewReleaseBody>,
) -> ApiResult<(StatusCode, Json<ApiRelease>)> {
    require(&p, Permission::WriteRelease)?;
    let d = s.app.device_for(&p, &device_name(&device)?).await?;
    let date = |v: &Option<String>, what: &str| -> ApiResult<Option<postmarket_model::Date>> {
        v.as_deref()
            .map(|t| {
                t.parse()
                    .map_err(|_| bad(format!("{what} {t:?}: expected a date YYYY-MM-DD")))
            })
            .transpose()
    };
    // A billion units bounds every sum over the portfolio far from i64 overflow.
    let install_base = b.install_base.unwrap_or(0);
    if !(0..=MAX_INSTALL_BASE).contains(&install_base) {
        return Err(bad(format!(
            "install_base {install_base}: expected a number of units from 0 to {MAX_INSTALL_BASE}"
        )));
    }
    let new = NewRelease {
        device: d.name.clone(),
        version: version(&b.version)?,
        released_at: date(&b.released_at, "released_at")?,
        end_of_support: date(&b.end_of_support, "end_of_support")?,
        install_base,
    };
    let r = s
        .app
        .add_release(&p.actor(), &new, b.reason.as_deref())
        .await?;
    Ok((StatusCode::CREATED, Json(api_release(&r, None))))
}

async fn visible_release(
    s: &AppState,
    p: &Principal,
    device: &str,
    v: &str,
) -> ApiResult<(Device, Release)> {
    let d = s.app.device_for(p, &device_name(device)?).await?;
    let r = s.app.store().release(&d.name, &version(v)?).await?;
    Ok((d, r))
}

#[utoipa::path(get, path = "/api/v1/devices/{device}/releases/{version}", tag = "releases",
    params(("device" = String, Path, description = "Device name"),
        ("version" = String, Path, description = "Release version")),
    responses((status = 200, body = ApiRelease), (status = 401, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope)))]
pub(crate) async fn get_release(
    State(s): State<AppState>,
    User(p, _): User,
    Path((device, v)): Path<(String, String)>,
) -> ApiResult<Json<ApiRelease>> {
    require(&p, Permission::Read)?;
    let (_, r) = visible_release(&s, &p, &device, &v).await?;
    let revisions = s.app.store().sbom_revisions(r.id).await?;
    Ok(Json(api_release(&r, revisions.last())))
}

/// Query of an SBOM upload.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct UploadQuery {
    /// Why, for the audit trail.
    pub reason: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/devices/{device}/releases/{version}/sbom", tag = "sboms",
    params(("device" = String, Path, description = "Device name"),
        ("version" = String, Path, description = "Release version; created when missing"),
        UploadQuery),
    request_body(content = String, description = "The SBOM document: CycloneDX 1.2–1.6 JSON or XML, SPDX 2.2/2.3 JSON or tag-value, SPDX 3.0 JSON-LD", content_type = "application/octet-stream"),
    responses((status = 201, body = ApiSbomStored, description = "Stored (the release is created when missing)"),
        (status = 200, body = ApiSbomStored, description = "The same document again: nothing written"),
        (status = 400, body = ErrorEnvelope, description = "Not a usable SBOM: details name the code and the place"),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope), (status = 413, body = ErrorEnvelope)))]
pub(crate) async fn upload_sbom(
    State(s): State<AppState>,
    User(p, _): User,
    Path((device, v)): Path<(String, String)>,
    Query(q): Query<UploadQuery>,
    body: Bytes,
) -> ApiResult<(StatusCode, Json<ApiSbomStored>)> {
    require(&p, Permission::WriteRelease)?;
    let d = s.app.device_for(&p, &device_name(&device)?).await?;
    let version = version(&v)?;
    let stored = store_upload(&s, &p, &d, &version, body.to_vec(), q.reason.as_deref()).await?;
    let status = if stored.unchanged {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        Json(ApiSbomStored {
            release: api_release(&stored.release, Some(&stored.revision)),
            release_created: stored.release_created,
            unchanged: stored.unchanged,
            revision: ApiSbomRevision::from(&stored.revision),
        }),
    ))
}

/// Parses and stores an uploaded SBOM (API and upload form); the release is created if missing.
pub(crate) async fn store_upload(
    s: &AppState,
    p: &Principal,
    d: &Device,
    version: &ReleaseVersion,
    bytes: Vec<u8>,
    reason: Option<&str>,
) -> Result<postmarket_store::SbomStored, AppError> {
    let file = format!("upload for {} {}", d.name, version);
    let parsed = postmarket_app::parse_sbom_bytes(&file, bytes)?;
    let new = NewRelease {
        device: d.name.clone(),
        version: version.clone(),
        released_at: None,
        end_of_support: None,
        install_base: 0,
    };
    s.app
        .add_sbom(
            &p.actor(),
            SbomTarget::CreateIfMissing(&new),
            &parsed,
            reason,
        )
        .await
}

/// Query of an SBOM export.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct ExportQuery {
    /// `cyclonedx` (CycloneDX 1.6 JSON, the default) or `spdx` (SPDX 2.3 JSON).
    pub format: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/devices/{device}/releases/{version}/sbom", tag = "sboms",
    params(("device" = String, Path, description = "Device name"),
        ("version" = String, Path, description = "Release version"), ExportQuery),
    responses((status = 200, body = Object, description = "The latest revision as CycloneDX 1.6 or SPDX 2.3 JSON, overrides applied"),
        (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope)))]
pub(crate) async fn export_sbom(
    State(s): State<AppState>,
    User(p, _): User,
    Path((device, v)): Path<(String, String)>,
    Query(q): Query<ExportQuery>,
) -> ApiResult<Json<Value>> {
    require(&p, Permission::Read)?;
    let format = match q.format.as_deref().unwrap_or("cyclonedx") {
        "cyclonedx" => ExportFormat::CycloneDx,
        "spdx" => ExportFormat::Spdx,
        other => return Err(bad(format!("format {other:?}: expected cyclonedx or spdx"))),
    };
    let (d, r) = visible_release(&s, &p, &device, &v).await?;
    Ok(Json(s.app.export_sbom(&d.name, &r.version, format).await?))
}

#[utoipa::path(get, path = "/api/v1/devices/{device}/releases/{version}/components", tag = "sboms",
    params(("device" = String, Path, description = "Device name"),
        ("version" = String, Path, description = "Release version")),
    responses((status = 200, body = [ApiComponent]), (status = 401, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope)))]
pub(crate) async fn components(
    State(s): State<AppState>,
    User(p, _): User,
    Path((device, v)): Path<(String, String)>,
) -> ApiResult<Json<Vec<ApiComponent>>> {
    require(&p, Permission::Read)?;
    let (d, r) = visible_release(&s, &p, &device, &v).await?;
    let sbom = s.app.release_sbom(&d.name, &r.version).await?;
    Ok(Json(
        sbom.components
            .iter()
            .map(|c| {
                let cc = &c.component;
                ApiComponent {
                    bom_ref: cc.bom_ref.clone(),
                    name: cc.name.clone(),
                    version: cc.version.clone(),
                    supplier: cc.supplier.clone(),
                    purl: cc.purl.clone().or_else(|| cc.purl_raw.clone()),
                    cpe: cc.cpe.clone(),
                    licenses: cc.licenses.clone(),
                    support_level: cc.support_level.map(|l| l.as_str().to_string()),
                    end_of_support: cc.end_of_support.clone(),
                    overridden: c.overridden,
                }
            })
            .collect(),
    ))
}

/// Query of a vulnerability search: exactly one of `purl` and `cpe`.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub(crate) struct VulnQuery {
    /// A package URL (type, namespace and name are used), e.g. `pkg:pypi/django`.
    pub purl: Option<String>,
    /// A CPE 2.3 name (vendor and product are used).
    pub cpe: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/vulnerabilities", tag = "vulnerabilities", params(VulnQuery),
    responses((status = 200, body = [Object], description = "Vulnerabilities naming the package or CPE, with what matched"),
        (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope)))]
pub(crate) async fn search_vulnerabilities(
    State(s): State<AppState>,
    User(p, _): User,
    Query(q): Query<VulnQuery>,
) -> ApiResult<Json<Value>> {
    require(&p, Permission::Read)?;
    let hits = match (q.purl.as_deref(), q.cpe.as_deref()) {
        (Some(purl), None) => s.app.vuln_search_purl(purl).await?,
        (None, Some(cpe)) => s.app.vuln_search_cpe(cpe).await?,
        _ => return Err(bad("give exactly one of the query parameters purl and cpe")),
    };
    Ok(Json(serde_json::to_value(hits).map_err(|e| {
        ApiError(AppError::Internal(format!("cannot serialise results: {e}")))
    })?))
}

#[utoipa::path(get, path = "/api/v1/vulnerabilities/{id}", tag = "vulnerabilities",
    params(("id" = String, Path, description = "Any alias: CVE, GHSA, OSV id…")),
    responses((status = 200, body = Object, description = "Every alias, score, KEV and EPSS entry, affected package and source record"),
        (status = 401, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub(crate) async fn get_vulnerability(
    State(s): State<AppState>,
    User(p, _): User,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    require(&p, Permission::Read)?;
    let v = s.app.vuln_show(&id).await?;
    Ok(Json(serde_json::to_value(v).map_err(|e| {
        ApiError(AppError::Internal(format!("cannot serialise: {e}")))
    })?))
}

#[utoipa::path(get, path = "/api/v1/feeds", tag = "vulnerabilities",
    responses((status = 200, body = [ApiFeedStatus]), (status = 401, body = ErrorEnvelope)))]
pub(crate) async fn feeds_status(
    State(s): State<AppState>,
    User(p, _): User,
) -> ApiResult<Json<Vec<ApiFeedStatus>>> {
    require(&p, Permission::Read)?;
    let two_days = std::time::Duration::from_secs(2 * 24 * 3600);
    Ok(Json(
        s.app
            .feed_status(two_days)
            .await?
            .into_iter()
            .map(|f| ApiFeedStatus {
                source: f.source,
                last_success: f.last_success,
                age_seconds: f.age_seconds,
                runs: f.runs,
                records: f.records,
                last_sync_error: f.last_sync_error,
                stale: f.stale,
            })
            .collect(),
    ))
}

#[utoipa::path(get, path = "/api/v1/users", tag = "users",
    responses((status = 200, body = [ApiUser]), (status = 401, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope)))]
pub(crate) async fn list_users(
    State(s): State<AppState>,
    User(p, _): User,
) -> ApiResult<Json<Vec<ApiUser>>> {
    require(&p, Permission::ManageUsers)?;
    Ok(Json(
        s.app.users().await?.iter().map(ApiUser::from).collect(),
    ))
}

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewUserBody {
    pub name: String,
    /// admin, analyst, approver, engineer or viewer.
    pub role: String,
    /// At least 12 characters.
    pub password: String,
    #[serde(default)]
    pub product_lines: Vec<String>,
}

#[utoipa::path(post, path = "/api/v1/users", tag = "users", request_body = NewUserBody,
    responses((status = 201, body = ApiUser), (status = 400, body = ErrorEnvelope),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
        (status = 409, body = ErrorEnvelope)))]
pub(crate) async fn create_user(
    State(s): State<AppState>,
    User(p, _): User,
    Json(b): Json<NewUserBody>,
) -> ApiResult<(StatusCode, Json<ApiUser>)> {
    require(&p, Permission::ManageUsers)?;
    let role: Role = b
        .role
        .parse()
        .map_err(|e: postmarket_auth::Invalid| bad(e.to_string()))?;
    let u = s
        .app
        .add_user(
            &p.actor(),
            &NewUser {
                name: &b.name,
                role,
                password: &b.password,
                product_lines: b.product_lines,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(ApiUser::from(&u))))
}

/// A new API token.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewTokenBody {
    /// A label saying what the token is for.
    pub name: String,
    /// read or write.
    pub scope: String,
    /// A lifetime (`90d`, `12h`, `30m`) or last day (`YYYY-MM-DD`); none: until revoked.
    pub expires: Option<String>,
}

#[utoipa::path(post, path = "/api/v1/users/{name}/tokens", tag = "users",
    params(("name" = String, Path, description = "The user the token acts as")),
    request_body = NewTokenBody,
    responses((status = 201, body = ApiToken, description = "Created; `secret` is shown only here"),
        (status = 400, body = ErrorEnvelope), (status = 401, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope), (status = 404, body = ErrorEnvelope)))]
pub(crate) async fn create_token(
    State(s): State<AppState>,
    User(p, _): User,
    Path(name): Path<String>,
    Json(b): Json<NewTokenBody>,
) -> ApiResult<(StatusCode, Json<ApiToken>)> {
    require(&p, Permission::ManageUsers)?;
    let scope: Scope = b
        .scope
        .parse()
        .map_err(|e: postmarket_auth::Invalid| bad(e.to_string()))?;
    let expires = b
        .expires
        .as_deref()
        .map(postmarket_app::users::parse_expiry)
        .transpose()?;
    let t = s
        .app
        .create_token(&p.actor(), &name, &b.name, scope, expires.as_deref())
        .await?;
    let mut out = ApiToken::from(&t.token);
    out.secret = Some(t.secret);
    Ok((StatusCode::CREATED, Json(out)))
}

#[utoipa::path(get, path = "/api/v1/tokens", tag = "users",
    responses((status = 200, body = [ApiToken]), (status = 401, body = ErrorEnvelope),
        (status = 403, body = ErrorEnvelope)))]
pub(crate) async fn list_tokens(
    State(s): State<AppState>,
    User(p, _): User,
) -> ApiResult<Json<Vec<ApiToken>>> {
    require(&p, Permission::ManageUsers)?;
    Ok(Json(
        s.app
            .tokens(None)
            .await?
            .iter()
            .map(ApiToken::from)
            .collect(),
    ))
}

#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "users",
    params(("id" = i64, Path, description = "The token's id")),
    responses((status = 200, body = ApiToken, description = "Revoked"),
        (status = 400, body = ErrorEnvelope, description = "Revoked already"),
        (status = 401, body = ErrorEnvelope), (status = 403, body = ErrorEnvelope),
        (status = 404, body = ErrorEnvelope)))]
pub(crate) async fn revoke_token(
    State(s): State<AppState>,
    User(p, _): User,
    Path(id): Path<i64>,
) -> ApiResult<Json<ApiToken>> {
    require(&p, Permission::ManageUsers)?;
    Ok(Json(ApiToken::from(
        &s.app.revoke_token(&p.actor(), id).await?,
    )))
}

//! Server-rendered pages. maud escapes every interpolated value.

use axum::extract::{Multipart, Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup, DOCTYPE};
use postmarket_app::{AppError, NewUser, Principal};
use postmarket_auth::{Permission, Role};
use postmarket_model::{DeviceName, ReleaseVersion};
use postmarket_sbom::QualityReport;

use crate::auth::{Auth, MaybeUser, User};
use crate::{error_response, AppState};

const STYLESHEET: &str = include_str!("app.css");

pub(crate) async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
        .into_response()
}

/// The signed-in account shown in the header, with the sign-out form.
pub(crate) struct Chrome<'a> {
    pub principal: &'a Principal,
    pub csrf: String,
}

impl<'a> Chrome<'a> {
    fn new(principal: &'a Principal, auth: &Auth) -> Self {
        Self {
            principal,
            csrf: auth.csrf(),
        }
    }
}

fn layout(title: &str, body: Markup) -> Markup {
    page(title, None, body)
}

fn page(title: &str, chrome: Option<&Chrome<'_>>, body: Markup) -> Markup {
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
                    a.brand href="/" { "Postmarket" }
                    span.tagline { "postmarket cybersecurity for medical devices" }
                    @if let Some(c) = chrome {
                        nav.account {
                            @if c.principal.can(Permission::ManageUsers) {
                                a href="/admin/users" { "Users" }
                            }
                            span.who #who { (c.principal.name) " · " (c.principal.role) }
                            form.inline method="post" action="/logout" {
                                input type="hidden" name="csrf" value=(c.csrf);
                                button type="submit" #logout { "Sign out" }
                            }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

pub(crate) fn error_page(status: StatusCode, message: &str) -> Markup {
    layout(
        status.canonical_reason().unwrap_or("Error"),
        html! {
            h1 { (status.as_u16()) " " (status.canonical_reason().unwrap_or("")) }
            p.error { (message) }
            p { a href="/" { "Back to the portfolio" } }
        },
    )
}

pub(crate) async fn not_found() -> Response {
    (
        StatusCode::NOT_FOUND,
        error_page(StatusCode::NOT_FOUND, "There is no page at this address."),
    )
        .into_response()
}

pub(crate) async fn portfolio(State(s): State<AppState>, User(p, auth): User) -> Response {
    let chrome = Chrome::new(&p, &auth);
    let devices = match s.app.portfolio_for(&p).await {
        Ok(d) => d,
        Err(e) => return error_response(&e),
    };
    let units: i64 = devices
        .iter()
        .fold(0_i64, |a, d| a.saturating_add(d.install_base));
    page(
        "Portfolio",
        Some(&chrome),
        html! {
            h1 { "Device portfolio" }
            p.summary {
                (devices.len()) " devices · "
                (devices.iter().map(|d| d.releases).sum::<usize>()) " releases · "
                (units) " units in the field"
            }
            @if devices.is_empty() {
                p.empty { "No devices yet. Add one with " code { "postmarket device add" } "." }
            } @else {
                table #devices {
                    thead { tr {
                        th { "Device" } th { "Product line" } th { "Class" } th { "Pathway" }
                        th { "524B cyber device" } th.num { "Releases" } th { "Latest" }
                        th.num { "Units in field" }
                    } }
                    tbody {
                        @for d in &devices {
                            tr {
                                td { a href={ "/devices/" (urlencode(d.device.name.as_str())) } { (d.device.name) } }
                                td { (d.device.product_line) }
                                td { (d.device.class) }
                                td { (d.device.pathway) }
                                td { @if d.device.cyber_device { "yes" } @else { "no" } }
                                td.num { (d.releases) }
                                td { (d.latest_release.as_deref().unwrap_or("—")) }
                                td.num { (d.install_base) }
                            }
                        }
                    }
                }
            }
        },
    )
    .into_response()
}

pub(crate) async fn device(
    State(s): State<AppState>,
    User(p, auth): User,
    Path(name): Path<String>,
) -> Response {
    let chrome = Chrome::new(&p, &auth);
    let name: DeviceName = match name.parse() {
        Ok(n) => n,
        Err(e) => return error_response(&e.into()),
    };
    let device = match s.app.device_for(&p, &name).await {
        Ok(d) => d,
        Err(e) => return error_response(&e),
    };
    let sboms = match s.app.device_sboms(&device.name).await {
        Ok(s) => s,
        Err(e) => return error_response(&e),
    };
    let d = &device;
    page(
        d.name.as_str(),
        Some(&chrome),
        html! {
            p { a href="/" { "← Portfolio" } }
            h1 { (d.name) }
            dl.facts {
                dt { "Product line" } dd { (d.product_line) }
                dt { "Class" } dd { (d.class) }
                dt { "Pathway" } dd { (d.pathway) }
                dt { "UDI-DI" } dd { (d.udi_di.as_deref().unwrap_or("—")) }
                dt { "Cyber device (524B)" } dd { @if d.cyber_device { "yes" } @else { "no" } }
                @if let Some(s) = &d.safety_statement { dt { "Safety and essential performance" } dd { (s) } }
            }
            h2 { "Releases" }
            @if sboms.is_empty() {
                p.empty { "No releases yet." }
            } @else {
                table #releases {
                    thead { tr {
                        th { "Version" } th { "Released" } th { "End of support" } th.num { "Units in field" }
                        th { "SBOM" } th.num { "Components" } th.num { "NTIA score" }
                        th.num { "Support level" } th.num { "End-of-support date" }
                    } }
                    tbody {
                        @for line in &sboms {
                            @let r = &line.release;
                            tr {
                                td { a href={ "/devices/" (urlencode(d.name.as_str())) "/releases/" (urlencode(r.version.as_str())) } { (r.version) } }
                                td { (r.released_at.map(|d| d.to_string()).unwrap_or_else(|| "—".into())) }
                                td { (r.end_of_support.map(|d| d.to_string()).unwrap_or_else(|| "—".into())) }
                                td.num { (r.install_base) }
                                @match (&line.latest, &line.quality) {
                                    (Some(rev), Some(q)) => {
                                        td { (rev.format) " " (rev.spec_version) " · revision " (rev.revision) }
                                        td.num { (rev.component_count) }
                                        td.num { (q.ntia_score) "%" }
                                        td.num { (q.support_level.percent) "%" }
                                        td.num { (q.end_of_support.percent) "%" }
                                    }
                                    _ => {
                                        td.empty { "none" } td.num { "—" } td.num { "—" } td.num { "—" } td.num { "—" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if p.can(Permission::WriteRelease) {
                (upload_form(d.name.as_str(), None, &chrome.csrf))
            }
        },
    )
    .into_response()
}

/// The SBOM upload form: a new release (version field) on the device page, the next revision on a
/// release page. Plain HTML: it works without script.
fn upload_form(device: &str, version: Option<&str>, csrf: &str) -> Markup {
    html! {
        section.upload {
            h2 { @if version.is_some() { "Upload a new SBOM revision" } @else { "Upload an SBOM for a new release" } }
            form #upload method="post" enctype="multipart/form-data"
                action={ "/devices/" (urlencode(device)) "/upload" } {
                input type="hidden" name="csrf" value=(csrf);
                @if let Some(v) = version {
                    input type="hidden" name="version" value=(v);
                } @else {
                    label { "Version " input #version type="text" name="version" required maxlength="100"; }
                }
                label { "SBOM file " input #sbom type="file" name="sbom" required; }
                button #upload-submit type="submit" { "Upload" }
            }
            p.summary { "CycloneDX 1.2–1.6 (JSON, XML), SPDX 2.2/2.3 (JSON, tag-value) or SPDX 3.0 JSON-LD." }
        }
    }
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

fn quality_table(q: &QualityReport) -> Markup {
    let row = |label: &str, c: &postmarket_sbom::quality::Coverage| {
        html! { tr { td { (label) } td.num { (c.count) " of " (c.total) } td.num { (c.percent) "%" } } }
    };
    html! {
        table #quality {
            thead { tr { th { "Element" } th.num { "Components" } th.num { "Coverage" } } }
            tbody {
                (row("Supplier (NTIA)", &q.supplier))
                (row("Component name (NTIA)", &q.component_name))
                (row("Version (NTIA)", &q.version))
                (row("Unique identifier: purl, CPE or SWID (NTIA)", &q.unique_identifier))
                (row("Dependency relationship (NTIA)", &q.dependency_relationship))
                tr { td { "Author (NTIA)" } td.num { "document" } td.num { (yes_no(q.author)) } }
                tr { td { "Timestamp (NTIA)" } td.num { "document" } td.num { (yes_no(q.timestamp)) } }
                (row("Support level (FDA)", &q.support_level))
                (row("End-of-support date (FDA)", &q.end_of_support))
            }
        }
        p.summary { "NTIA score " (q.ntia_score) "% · "
            (q.components_without_identifier.len()) " components without any identifier · "
            (q.duplicates.len()) " duplicates" }
    }
}

pub(crate) async fn release(
    State(s): State<AppState>,
    User(p, auth): User,
    Path((name, version)): Path<(String, String)>,
) -> Response {
    let chrome = Chrome::new(&p, &auth);
    let app = &s.app;
    let name: DeviceName = match name.parse() {
        Ok(n) => n,
        Err(e) => return error_response(&e.into()),
    };
    let version: ReleaseVersion = match version.parse() {
        Ok(v) => v,
        Err(e) => return error_response(&e.into()),
    };
    if let Err(e) = app.device_for(&p, &name).await {
        return error_response(&e);
    }
    let release = match app.store().release(&name, &version).await {
        Ok(r) => r,
        Err(e) => return error_response(&e.into()),
    };
    let sbom = match app.release_sbom(&name, &version).await {
        Ok(s) => Some(s),
        Err(e) if e.kind() == postmarket_app::ErrorKind::NotFound => None,
        Err(e) => return error_response(&e),
    };
    let title = format!("{} {}", release.device, release.version);
    page(
        &title,
        Some(&chrome),
        html! {
            p { a href={ "/devices/" (urlencode(release.device.as_str())) } { "← " (release.device) } }
            h1 { (title) }
            dl.facts {
                dt { "Released" } dd { (release.released_at.map(|d| d.to_string()).unwrap_or_else(|| "—".into())) }
                dt { "End of support" } dd { (release.end_of_support.map(|d| d.to_string()).unwrap_or_else(|| "—".into())) }
                dt { "Units in field" } dd { (release.install_base) }
            }
            @match &sbom {
                None => {
                    h2 { "SBOM" }
                    p.empty { "No SBOM yet." }
                }
                Some(s) => {
                    h2 { "SBOM" }
                    dl.facts {
                        dt { "Revision" } dd { (s.revision.revision) " of " (s.revisions.len()) }
                        dt { "Format" } dd { (s.revision.format) " " (s.revision.spec_version) }
                        dt { "SHA-256" } dd { code { (s.revision.sha256) } }
                        dt { "Authors" } dd { (if s.revision.authors.is_empty() { "—".to_string() } else { s.revision.authors.join(", ") }) }
                        dt { "Timestamp" } dd { (s.revision.timestamp.as_deref().unwrap_or("—")) }
                        dt { "Stored" } dd { (s.revision.created_at) }
                    }
                    h2 { "Quality" }
                    (quality_table(&s.quality))
                    @if !s.overrides.is_empty() {
                        p.summary { "With the " (s.overrides.len()) " support levels set in Postmarket: support level "
                            (s.effective_quality.support_level.percent) "%, end-of-support date "
                            (s.effective_quality.end_of_support.percent) "%." }
                    }
                    @if !s.diagnostics.is_empty() {
                        h2 { "Diagnostics" }
                        table #diagnostics {
                            thead { tr { th { "Severity" } th { "Code" } th { "Location" } th { "Message" } } }
                            tbody {
                                @for d in &s.diagnostics {
                                    tr { td { (format!("{:?}", d.severity).to_lowercase()) } td { code { (d.code) } } td { code { (d.location) } } td { (d.message) } }
                                }
                            }
                        }
                    }
                    h2 { "Components (" (s.components.len()) ")" }
                    table #components {
                        thead { tr {
                            th { "Name" } th { "Version" } th { "Supplier" } th { "purl / CPE" }
                            th { "License" } th { "Support level" } th { "End of support" }
                        } }
                        tbody {
                            @for c in &s.components {
                                @let cc = &c.component;
                                tr {
                                    td { (cc.name) }
                                    td { (cc.version.as_deref().unwrap_or("—")) }
                                    td { (cc.supplier.as_deref().unwrap_or("—")) }
                                    td {
                                        @if let Some(p) = cc.purl.as_deref().or(cc.purl_raw.as_deref()) { code { (p) } br; }
                                        @if let Some(cpe) = &cc.cpe { code { (cpe) } }
                                    }
                                    td { (cc.licenses.as_deref().unwrap_or("—")) }
                                    td { (cc.support_level.map(|l| l.as_str()).unwrap_or("—")) @if c.overridden { " (set in Postmarket)" } }
                                    td { (cc.end_of_support.as_deref().or(cc.end_of_support_raw.as_deref()).unwrap_or("—")) }
                                }
                            }
                        }
                    }
                }
            }
            @if p.can(Permission::WriteRelease) {
                (upload_form(release.device.as_str(), Some(release.version.as_str()), &chrome.csrf))
            }
        },
    )
    .into_response()
}

#[derive(serde::Deserialize)]
pub(crate) struct NextQuery {
    #[serde(default)]
    next: String,
}

/// GET /login
pub(crate) async fn login_form(MaybeUser(auth): MaybeUser, Query(q): Query<NextQuery>) -> Response {
    let next = crate::auth::safe_next(&q.next);
    if auth.principal.is_some() {
        return Redirect::to(next).into_response();
    }
    login_page(None, next).into_response()
}

pub(crate) fn login_page(error: Option<&str>, next: &str) -> Markup {
    layout(
        "Sign in",
        html! {
            h1 { "Sign in" }
            @if let Some(e) = error { p.error #login-error { (e) } }
            form #login method="post" action="/login" {
                input type="hidden" name="next" value=(next);
                label { "User name " input #name type="text" name="name" required autocomplete="username" maxlength="64"; }
                label { "Password " input #password type="password" name="password" required autocomplete="current-password"; }
                button #login-submit type="submit" { "Sign in" }
            }
        },
    )
}

/// POST /devices/{name}/upload (multipart: csrf, version, sbom): stores the SBOM on the release,
/// creating the release when it is new, then shows the release.
pub(crate) async fn upload_sbom(
    State(s): State<AppState>,
    User(p, auth): User,
    Path(name): Path<String>,
    mut form: Multipart,
) -> Response {
    let (mut csrf, mut version, mut file) = (String::new(), String::new(), None::<Vec<u8>>);
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return error_response(&AppError::BadInput(format!(
                    "the upload could not be read: {e}"
                )))
            }
        };
        let field_name = field.name().unwrap_or("").to_string();
        let bytes = match field.bytes().await {
            Ok(b) => b,
            Err(e) => {
                return error_response(&AppError::BadInput(format!(
                    "the upload could not be read: {e}"
                )))
            }
        };
        match field_name.as_str() {
            "csrf" => csrf = String::from_utf8_lossy(&bytes).into_owned(),
            "version" => version = String::from_utf8_lossy(&bytes).trim().to_string(),
            "sbom" => file = Some(bytes.to_vec()),
            _ => {}
        }
    }
    if let Some(r) = auth.csrf_refusal(&csrf) {
        return r;
    }
    if let Err(e) = p.require(Permission::WriteRelease) {
        return error_response(&e);
    }
    let result = async {
        let name: DeviceName = name.parse()?;
        let device = s.app.device_for(&p, &name).await?;
        let version: ReleaseVersion = version.parse()?;
        let bytes = file
            .filter(|b| !b.is_empty())
            .ok_or_else(|| AppError::BadInput("no SBOM file was chosen".into()))?;
        crate::api::store_upload(
            &s,
            &p,
            &device,
            &version,
            bytes,
            Some("uploaded in the web app"),
        )
        .await
    }
    .await;
    match result {
        Ok(stored) => Redirect::to(&format!(
            "/devices/{}/releases/{}",
            urlencode(stored.release.device.as_str()),
            urlencode(stored.release.version.as_str())
        ))
        .into_response(),
        Err(e) => error_response(&e),
    }
}

/// GET /admin/users
pub(crate) async fn users(State(s): State<AppState>, User(p, auth): User) -> Response {
    users_page(&s, &p, &auth, None).await
}

async fn users_page(s: &AppState, p: &Principal, auth: &Auth, notice: Option<&str>) -> Response {
    if let Err(e) = p.require(Permission::ManageUsers) {
        return error_response(&e);
    }
    let chrome = Chrome::new(p, auth);
    let users = match s.app.users().await {
        Ok(u) => u,
        Err(e) => return error_response(&e),
    };
    page(
        "Users",
        Some(&chrome),
        html! {
            h1 { "Users" }
            @if let Some(n) = notice { p.summary #notice { (n) } }
            table #users {
                thead { tr { th { "Name" } th { "Role" } th { "Product lines" } th { "Status" } th { "Created" } } }
                tbody {
                    @for u in &users {
                        tr {
                            td { (u.name) }
                            td { (u.role) }
                            td { @if u.role.sees_all_product_lines() { "all" } @else if u.product_lines.is_empty() { "none" } @else { (u.product_lines.join(", ")) } }
                            td { @if u.disabled { "disabled" } @else { "active" } }
                            td { (u.created_at) }
                        }
                    }
                }
            }
            h2 { "Add a user" }
            form #add-user method="post" action="/admin/users" {
                input type="hidden" name="csrf" value=(chrome.csrf);
                label { "Name " input type="text" name="name" required maxlength="64"; }
                label { "Role "
                    select name="role" {
                        @for r in Role::ALL { option value=(r.as_str()) { (r.as_str()) } }
                    }
                }
                label { "Password (12 characters or more) " input type="password" name="password" required minlength="12" autocomplete="new-password"; }
                label { "Product lines (comma-separated) " input type="text" name="product_lines"; }
                button type="submit" { "Add user" }
            }
            h2 { "Permissions" }
            table #permissions {
                thead { tr { th { "Permission" } @for r in Role::ALL { th { (r.as_str()) } } } }
                tbody {
                    @for perm in Permission::ALL {
                        tr { td { (perm.describe()) } @for r in Role::ALL { td { @if r.allows(perm) { "✓" } } } }
                    }
                }
            }
            p.summary { "Every role but admin sees only the devices of its product lines. API tokens: "
                code { "postmarket token create --user NAME --scope read|write" } "." }
        },
    )
    .into_response()
}

#[derive(serde::Deserialize)]
pub(crate) struct AddUserForm {
    #[serde(default)]
    csrf: String,
    name: String,
    role: String,
    password: String,
    #[serde(default)]
    product_lines: String,
}

/// POST /admin/users
pub(crate) async fn add_user(
    State(s): State<AppState>,
    User(p, auth): User,
    Form(f): Form<AddUserForm>,
) -> Response {
    if let Some(r) = auth.csrf_refusal(&f.csrf) {
        return r;
    }
    if let Err(e) = p.require(Permission::ManageUsers) {
        return error_response(&e);
    }
    let role: Role = match f.role.parse() {
        Ok(r) => r,
        Err(e) => return error_response(&AppError::BadInput(format!("{e}"))),
    };
    let lines: Vec<String> = f
        .product_lines
        .split(',')
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    let new = NewUser {
        name: f.name.trim(),
        role,
        password: &f.password,
        product_lines: lines,
    };
    match s.app.add_user(&p.actor(), &new).await {
        Ok(u) => {
            users_page(
                &s,
                &p,
                &auth,
                Some(&format!("Added {} ({}).", u.name, u.role)),
            )
            .await
        }
        Err(e) => error_response(&e),
    }
}

/// Percent-encodes a path segment (device names contain spaces and may contain anything).
pub(crate) fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn urlencode_escapes_everything_but_unreserved() {
        assert_eq!(super::urlencode("Pump IP-300/β"), "Pump%20IP-300%2F%CE%B2");
    }
}

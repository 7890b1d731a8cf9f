//! Server-rendered pages. maud escapes every interpolated value.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};
use postmarket_app::App;
use postmarket_model::{DeviceName, ReleaseVersion};
use postmarket_sbom::QualityReport;

use crate::error_response;

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
                    a.brand href="/" { "Postmarket" }
                    span.tagline { "postmarket cybersecurity for medical devices" }
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

pub(crate) async fn portfolio(State(app): State<App>) -> Response {
    let devices = match app.portfolio().await {
        Ok(d) => d,
        Err(e) => return error_response(&e),
    };
    let units: i64 = devices.iter().map(|d| d.install_base).sum();
    layout(
        "Portfolio",
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

pub(crate) async fn device(State(app): State<App>, Path(name): Path<String>) -> Response {
    let name: DeviceName = match name.parse() {
        Ok(n) => n,
        Err(e) => return error_response(&e.into()),
    };
    let detail = match app.device_detail(&name).await {
        Ok(d) => d,
        Err(e) => return error_response(&e),
    };
    let sboms = match app.device_sboms(&detail.device.name).await {
        Ok(s) => s,
        Err(e) => return error_response(&e),
    };
    let d = &detail.device;
    layout(
        d.name.as_str(),
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
        },
    )
    .into_response()
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
    State(app): State<App>,
    Path((name, version)): Path<(String, String)>,
) -> Response {
    let name: DeviceName = match name.parse() {
        Ok(n) => n,
        Err(e) => return error_response(&e.into()),
    };
    let version: ReleaseVersion = match version.parse() {
        Ok(v) => v,
        Err(e) => return error_response(&e.into()),
    };
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
    layout(
        &title,
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
                    p.empty { "No SBOM yet. Add one with " code { "postmarket sbom attach" } "." }
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
        },
    )
    .into_response()
}

/// Percent-encodes a path segment (device names contain spaces and may contain anything).
fn urlencode(s: &str) -> String {
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

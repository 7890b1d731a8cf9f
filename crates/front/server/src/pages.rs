//! Server-rendered pages. maud escapes every interpolated value.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup, DOCTYPE};
use postmarket_app::App;
use postmarket_model::DeviceName;

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
            @if detail.releases.is_empty() {
                p.empty { "No releases yet." }
            } @else {
                table #releases {
                    thead { tr { th { "Version" } th { "Released" } th { "End of support" } th.num { "Units in field" } } }
                    tbody {
                        @for r in &detail.releases {
                            tr {
                                td { (r.version) }
                                td { (r.released_at.map(|d| d.to_string()).unwrap_or_else(|| "—".into())) }
                                td { (r.end_of_support.map(|d| d.to_string()).unwrap_or_else(|| "—".into())) }
                                td.num { (r.install_base) }
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

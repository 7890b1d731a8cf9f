//! Postmarket's HTTP front end (DESIGN.md §7 `server`): a thin layer over `postmarket-app`.
//! Pages are server-rendered with templates compiled into the binary; no asset comes from
//! anywhere but this binary.

pub mod cvd;
mod pages;

use std::net::SocketAddr;

use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use postmarket_app::{App, AppError, ErrorKind};

/// Builds the router; tests serve it on an ephemeral port.
pub fn router(app: App) -> Router {
    Router::new()
        .route("/", get(pages::portfolio))
        .route("/devices/{name}", get(pages::device))
        .route("/devices/{name}/releases/{version}", get(pages::release))
        .route("/healthz", get(healthz))
        .merge(cvd::routes())
        .route("/assets/app.css", get(pages::stylesheet))
        .fallback(pages::not_found)
        .layer(axum::middleware::map_response(security_headers))
        .with_state(app)
}

/// Serves until Ctrl-C (or SIGTERM).
pub async fn serve(app: App, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(app).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
}

/// Binds the address, with an error that says which one could not be bound.
pub async fn bind(addr: SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(addr)
        .await
        .map_err(|e| std::io::Error::new(e.kind(), format!("cannot listen on {addr}: {e}")))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

#[derive(serde::Serialize)]
struct Health {
    status: &'static str,
    database: String,
    version: &'static str,
}

/// Liveness and readiness: answers 200 only when the database answers.
async fn healthz(State(app): State<App>) -> Response {
    let database = app.store().backend().to_string();
    match app.store().count("devices").await {
        Ok(_) => Json(Health {
            status: "ok",
            database,
            version: env!("CARGO_PKG_VERSION"),
        })
        .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(Health {
                    status: "unavailable",
                    database,
                    version: env!("CARGO_PKG_VERSION"),
                }),
            )
                .into_response()
        }
    }
}

/// Headers every response carries (DESIGN.md §10): no inline script, no framing, no sniffing.
async fn security_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

/// An application error as an HTTP response; internal details go to the log, not the page.
pub(crate) fn error_response(e: &AppError) -> Response {
    let (status, message) = match e.kind() {
        ErrorKind::BadInput => (StatusCode::BAD_REQUEST, e.to_string()),
        ErrorKind::NotFound => (StatusCode::NOT_FOUND, e.to_string()),
        ErrorKind::Internal => {
            tracing::error!(error = %e, "request failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error; the server log has the details".to_string(),
            )
        }
    };
    (status, pages::error_page(status, &message)).into_response()
}

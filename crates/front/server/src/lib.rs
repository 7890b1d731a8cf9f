//! Postmarket's HTTP front end (DESIGN.md §7 `server`): a thin layer over `postmarket-app`.
//! Pages are server-rendered with templates compiled into the binary; no asset comes from
//! anywhere but this binary. The REST API lives under `/api/v1`, described by the OpenAPI 3
//! document at `/api/openapi.json`, which is generated from the handlers themselves.
//!
//! Security (DESIGN.md §10, issue 8): every route but the login page, the health check, the
//! stylesheet and the OpenAPI document needs a session cookie or a Bearer API token; every
//! unsafe request made with a session carries the session's CSRF token; responses carry a CSP
//! without inline script; request bodies are limited; request logs name no secret.

mod api;
mod auth;
pub mod cvd;
mod openapi;
mod pages;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, State};
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use postmarket_app::{App, AppError, ErrorKind};

pub use auth::SESSION_COOKIE;
pub use openapi::openapi_json;

/// Largest request body other than an SBOM upload (JSON bodies and forms).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// Largest SBOM upload by default (the CLI's default too).
pub const DEFAULT_MAX_UPLOAD_BYTES: usize = 100 * 1024 * 1024;

/// How the server behaves beyond the routes.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Mark the session cookie `Secure` (and name it with the `__Host-` prefix). Browsers accept
    /// Secure cookies from `http://localhost` and `http://127.0.0.1`, so this stays on for local
    /// use too; turn it off only for plain HTTP on another host inside a trusted network.
    pub secure_cookies: bool,
    /// Largest SBOM upload accepted.
    pub max_upload_bytes: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            secure_cookies: true,
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
        }
    }
}

/// What every handler gets: the application, the login limiter and the configuration.
#[derive(Clone)]
pub(crate) struct AppState {
    pub app: App,
    pub limiter: Arc<postmarket_auth::LoginLimiter>,
    pub config: Arc<ServerConfig>,
}

// The CVD intake's handlers need only the application.
impl axum::extract::FromRef<AppState> for App {
    fn from_ref(state: &AppState) -> App {
        state.app.clone()
    }
}

/// Builds the router; tests serve it on an ephemeral port with [`serve`].
pub fn router(app: App, config: ServerConfig) -> Router {
    let upload_limit = DefaultBodyLimit::max(config.max_upload_bytes);
    let state = AppState {
        app,
        limiter: Arc::new(postmarket_auth::LoginLimiter::default()),
        config: Arc::new(config),
    };
    let api = Router::new()
        .route("/me", get(api::me))
        .route("/devices", get(api::list_devices).post(api::create_device))
        .route("/devices/{device}", get(api::get_device))
        .route(
            "/devices/{device}/releases",
            get(api::list_releases).post(api::create_release),
        )
        .route(
            "/devices/{device}/releases/{version}",
            get(api::get_release),
        )
        .route(
            "/devices/{device}/releases/{version}/sbom",
            get(api::export_sbom)
                .post(api::upload_sbom)
                .layer(upload_limit),
        )
        .route(
            "/devices/{device}/releases/{version}/components",
            get(api::components),
        )
        .route("/vulnerabilities", get(api::search_vulnerabilities))
        .route("/vulnerabilities/{id}", get(api::get_vulnerability))
        .route("/feeds", get(api::feeds_status))
        .route("/users", get(api::list_users).post(api::create_user))
        .route("/users/{name}/tokens", post(api::create_token))
        .route("/tokens", get(api::list_tokens))
        .route("/tokens/{id}", delete(api::revoke_token))
        .fallback(api::not_found)
        .layer(axum::middleware::map_response(api::envelope_errors));
    Router::new()
        .route("/", get(pages::portfolio))
        .route("/login", get(pages::login_form).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/devices/{name}", get(pages::device))
        .route(
            "/devices/{name}/upload",
            post(pages::upload_sbom).layer(upload_limit),
        )
        .route("/devices/{name}/releases/{version}", get(pages::release))
        .route("/admin/users", get(pages::users).post(pages::add_user))
        .route("/healthz", get(healthz))
        .merge(cvd::routes())
        .route("/assets/app.css", get(pages::stylesheet))
        .route("/api/openapi.json", get(openapi::document))
        .nest("/api/v1", api)
        .fallback(pages::not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .layer(axum::middleware::map_response(security_headers))
        .layer(
            tower_http::trace::TraceLayer::new_for_http()
                .make_span_with(request_span)
                .on_request(())
                .on_response(
                    tower_http::trace::DefaultOnResponse::new().level(tracing::Level::INFO),
                ),
        )
        .with_state(state)
}

/// The request log's span: method and path only. Query strings, headers (cookies, tokens) and
/// bodies (passwords) are never logged; the user is recorded once known.
fn request_span<B>(req: &Request<B>) -> tracing::Span {
    tracing::info_span!(
        "request",
        method = %req.method(),
        path = %req.uri().path(),
        user = tracing::field::Empty,
    )
}

/// Serves until Ctrl-C (or SIGTERM).
pub async fn serve(
    app: App,
    config: ServerConfig,
    listener: tokio::net::TcpListener,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(app, config).into_make_service_with_connect_info::<SocketAddr>(),
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
async fn healthz(State(s): State<AppState>) -> Response {
    let database = s.app.store().backend().to_string();
    match s.app.store().count("devices").await {
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
    // `same-origin`, not `no-referrer`: under `no-referrer` browsers send `Origin: null` with
    // form posts (Fetch standard, "serializing a request origin"), which the cross-origin check
    // must refuse; `same-origin` keeps our own origin and still sends nothing to other sites.
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    // Pages behind a login must not be kept by shared caches or the back button after logout.
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// The HTTP status of an application error.
pub(crate) fn status_of(e: &AppError) -> StatusCode {
    match e.kind() {
        ErrorKind::BadInput => match e {
            AppError::Store(postmarket_store::StoreError::Duplicate { .. }) => StatusCode::CONFLICT,
            _ => StatusCode::BAD_REQUEST,
        },
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::Unauthorized => StatusCode::UNAUTHORIZED,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The message shown for an error: internal details go to the log, not the client.
pub(crate) fn public_message(e: &AppError) -> String {
    if e.kind() == ErrorKind::Internal {
        tracing::error!(error = %e, "request failed");
        "internal error; the server log has the details".to_string()
    } else {
        e.to_string()
    }
}

/// An application error as an HTML page.
pub(crate) fn error_response(e: &AppError) -> Response {
    let status = status_of(e);
    (status, pages::error_page(status, &public_message(e))).into_response()
}

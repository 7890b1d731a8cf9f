//! Who is asking: session cookies for people, Bearer API tokens for tools; CSRF checks; sign-in
//! with rate limits and sign-out.
//!
//! Sessions: a 256-bit random secret in a cookie that is `HttpOnly`, `SameSite=Strict`, `Secure`
//! (unless configured off) and `Path=/`, named with the `__Host-` prefix when Secure so that no
//! sub-domain can plant one; the server keeps only its SHA-256 and deletes it at sign-out.
//! CSRF (OWASP CSRF Cheat Sheet, synchronizer token): every unsafe request authenticated by the
//! cookie must carry the session's CSRF token (form field `csrf`, or the `X-CSRF-Token` header on
//! the API), and a cross-origin `Origin` is refused outright. Bearer requests carry no ambient
//! credential, so they need no CSRF token.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use postmarket_app::{ErrorKind, Principal};

use crate::{api, pages, AppState};

/// The session cookie's name when it is Secure (the `__Host-` prefix requires Secure).
pub const SESSION_COOKIE: &str = "__Host-pm_session";
/// Its name when Secure is configured off.
const PLAIN_SESSION_COOKIE: &str = "pm_session";

/// What the authentication layer found, for handlers.
#[derive(Debug, Clone, Default)]
pub(crate) struct Auth {
    pub principal: Option<Principal>,
    /// The session secret when the request came with a live session cookie.
    pub session_secret: Option<String>,
}

impl Auth {
    /// The CSRF token to put into this session's forms.
    pub fn csrf(&self) -> String {
        self.session_secret
            .as_deref()
            .map(postmarket_auth::csrf_token)
            .unwrap_or_default()
    }

    /// Checks a form's CSRF token against the session: the refusal to send when it does not match.
    pub fn csrf_refusal(&self, token: &str) -> Option<Response> {
        let ok = self.session_secret.as_deref().is_some_and(|secret| {
            postmarket_auth::constant_time_eq(&postmarket_auth::csrf_token(secret), token)
        });
        (!ok).then(|| {
            forbidden_page(
                "the form's CSRF token does not match your session; reload the page and try again",
            )
        })
    }
}

/// A signed-in account, for handlers of protected routes (the layer guarantees one is there).
pub(crate) struct User(pub Principal, pub Auth);

impl<S: Send + Sync> FromRequestParts<S> for User {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Response> {
        let auth = parts.extensions.get::<Auth>().cloned().unwrap_or_default();
        match auth.principal.clone() {
            Some(p) => Ok(User(p, auth)),
            None => Err(StatusCode::UNAUTHORIZED.into_response()),
        }
    }
}

/// The anonymous-or-not view, for public pages (the login form).
pub(crate) struct MaybeUser(pub Auth);

impl<S: Send + Sync> FromRequestParts<S> for MaybeUser {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(MaybeUser(
            parts.extensions.get::<Auth>().cloned().unwrap_or_default(),
        ))
    }
}

fn cookie_name(secure: bool) -> &'static str {
    if secure {
        SESSION_COOKIE
    } else {
        PLAIN_SESSION_COOKIE
    }
}

/// The value of a cookie in the request's `Cookie` headers.
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

fn is_public(path: &str) -> bool {
    matches!(
        path,
        "/login"
            | "/healthz"
            | "/assets/app.css"
            | "/api/openapi.json"
            // Coordinated vulnerability disclosure: reporters have no account (issue 7, CVD
            // intake; RFC 9116 for security.txt).
            | "/report-vulnerability"
            | "/api/v1/cvd-reports"
            | "/.well-known/security.txt"
    )
}

fn is_unsafe(m: &Method) -> bool {
    !matches!(
        *m,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

/// A cross-origin `Origin` on an unsafe request is refused whatever the credentials (a second
/// line behind SameSite=Strict and the CSRF token; it also protects the login form).
fn cross_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let origin_host = origin
        .strip_prefix("http://")
        .or_else(|| origin.strip_prefix("https://"))
        .unwrap_or("");
    // "null" (sandboxed or privacy-sensitive contexts) is not our origin either.
    origin_host != host
}

fn forbidden_page(message: &str) -> Response {
    (
        StatusCode::FORBIDDEN,
        pages::error_page(StatusCode::FORBIDDEN, message),
    )
        .into_response()
}

fn refuse(is_api: bool, status: StatusCode, code: &str, message: &str) -> Response {
    if is_api {
        let mut r = api::error_body(status, code, message, None);
        if status == StatusCode::UNAUTHORIZED {
            r.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"postmarket\""),
            );
        }
        r
    } else {
        (status, pages::error_page(status, message)).into_response()
    }
}

/// Authenticates every request and enforces sign-in on every non-public route.
pub(crate) async fn authenticate(
    State(s): State<AppState>,
    mut req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_string();
    let is_api = path.starts_with("/api/");
    let unsafe_method = is_unsafe(req.method());
    let mut auth = Auth::default();
    if unsafe_method && cross_origin(req.headers()) {
        return refuse(
            is_api,
            StatusCode::FORBIDDEN,
            "cross_origin",
            "cross-origin requests that change data are refused",
        );
    }
    if let Some(value) = req.headers().get(header::AUTHORIZATION) {
        let token = value
            .to_str()
            .ok()
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let Some(token) = token else {
            return refuse(
                is_api,
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "expected an Authorization header of the form `Bearer TOKEN`",
            );
        };
        match s.app.token_principal(token).await {
            Ok(Some(p)) => auth.principal = Some(p),
            Ok(None) => {
                return refuse(
                    is_api,
                    StatusCode::UNAUTHORIZED,
                    "unauthorized",
                    "the API token is unknown, expired or revoked",
                )
            }
            Err(e) => return crate::error_response(&e),
        }
    } else if let Some(secret) = cookie(req.headers(), cookie_name(s.config.secure_cookies)) {
        match s.app.session_principal(&secret).await {
            Ok(Some(p)) => {
                auth.principal = Some(p);
                auth.session_secret = Some(secret);
            }
            Ok(None) => {} // expired or signed out: anonymous
            Err(e) => return crate::error_response(&e),
        }
        // API calls from a page's script must show the session's CSRF token in a header; forms
        // are checked by their handlers (the token is a form field there).
        if let (true, true, Some(secret)) = (is_api, unsafe_method, &auth.session_secret) {
            let sent = req
                .headers()
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !postmarket_auth::constant_time_eq(&postmarket_auth::csrf_token(secret), sent) {
                return refuse(
                    true,
                    StatusCode::FORBIDDEN,
                    "csrf",
                    "a request authenticated by the session cookie must carry the session's X-CSRF-Token header",
                );
            }
        }
    }
    if let Some(p) = &auth.principal {
        tracing::Span::current().record("user", p.name.as_str());
    } else if !is_public(&path) {
        if is_api {
            return refuse(
                true,
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "sign in: send `Authorization: Bearer TOKEN` (postmarket token create makes one)",
            );
        }
        if req.method() == Method::GET {
            return Redirect::to(&format!("/login?next={}", pages::urlencode(&path)))
                .into_response();
        }
        return refuse(
            false,
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "your session has ended; sign in again",
        );
    }
    req.extensions_mut().insert(auth);
    next.run(req).await
}

#[derive(serde::Deserialize)]
pub(crate) struct LoginForm {
    name: String,
    password: String,
    #[serde(default)]
    next: String,
}

/// Only a local path may be a redirect target (no open redirect through `next`).
pub(crate) fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next
    } else {
        "/"
    }
}

/// The client's address (the TCP peer: Postmarket does not trust forwarding headers); the
/// unspecified address when served without connection info.
pub(crate) struct PeerIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for PeerIp {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(PeerIp(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |ConnectInfo(a)| a.ip()),
        ))
    }
}

/// POST /login: checks the limits, then the password; opens a session and sets its cookie.
pub(crate) async fn login(
    State(s): State<AppState>,
    PeerIp(ip): PeerIp,
    Form(form): Form<LoginForm>,
) -> Response {
    let next = safe_next(&form.next).to_string();
    if let Err(t) = s.limiter.check(ip, &form.name) {
        let secs = t.retry_after.as_secs().max(1);
        tracing::warn!(%ip, "login throttled");
        let mut r = (
            StatusCode::TOO_MANY_REQUESTS,
            pages::login_page(
                Some(&format!(
                    "Too many failed sign-ins; try again in {} minute(s).",
                    secs.div_ceil(60)
                )),
                &next,
            ),
        )
            .into_response();
        if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return r;
    }
    match s.app.login(&form.name, &form.password).await {
        Ok(session) => {
            s.limiter.succeeded(&form.name);
            tracing::info!(user = %session.principal.name, "signed in");
            let cookie = format!(
                "{}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age={}{}",
                cookie_name(s.config.secure_cookies),
                session.secret,
                postmarket_app::users::SESSION_LIFETIME.whole_seconds(),
                if s.config.secure_cookies {
                    "; Secure"
                } else {
                    ""
                }
            );
            let mut r = Redirect::to(&next).into_response();
            if let Ok(v) = HeaderValue::from_str(&cookie) {
                r.headers_mut().insert(header::SET_COOKIE, v);
            }
            r
        }
        Err(e) if e.kind() == ErrorKind::Unauthorized => {
            s.limiter.failed(ip, &form.name);
            tracing::warn!(%ip, "sign-in refused");
            (
                StatusCode::UNAUTHORIZED,
                pages::login_page(Some("Wrong user name or password."), &next),
            )
                .into_response()
        }
        Err(e) => crate::error_response(&e),
    }
}

#[derive(serde::Deserialize)]
pub(crate) struct CsrfOnly {
    #[serde(default)]
    csrf: String,
}

/// POST /logout: ends the session server-side and clears the cookie.
pub(crate) async fn logout(
    State(s): State<AppState>,
    User(p, auth): User,
    Form(form): Form<CsrfOnly>,
) -> Response {
    if let Some(r) = auth.csrf_refusal(&form.csrf) {
        return r;
    }
    if let Some(secret) = &auth.session_secret {
        if let Err(e) = s.app.logout(&p, secret).await {
            return crate::error_response(&e);
        }
    }
    let clear = format!(
        "{}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}",
        cookie_name(s.config.secure_cookies),
        if s.config.secure_cookies {
            "; Secure"
        } else {
            ""
        }
    );
    let mut r = Redirect::to("/login").into_response();
    if let Ok(v) = HeaderValue::from_str(&clear) {
        r.headers_mut().insert(header::SET_COOKIE, v);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_only_a_local_path() {
        assert_eq!(safe_next("/devices/x"), "/devices/x");
        assert_eq!(safe_next("//evil.example/"), "/");
        assert_eq!(safe_next("https://evil.example/"), "/");
        assert_eq!(safe_next("/\\evil"), "/");
    }

    #[test]
    fn cookies_are_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; __Host-pm_session=pms_abc; b=2"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("pms_abc"));
        assert_eq!(cookie(&h, "pm_session"), None);
    }

    #[test]
    fn cross_origin_is_recognised() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert!(!cross_origin(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://127.0.0.1:8080"),
        );
        assert!(!cross_origin(&h));
        h.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://evil.example"),
        );
        assert!(cross_origin(&h));
        h.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(cross_origin(&h));
    }
}

//! Sign-in, sessions, CSRF, rate limits, the upload form, the error envelope, limits and headers,
//! through a real server on SQLite.

mod common;

use common::{actor, device_with_release, enc, Backend, TestServer, PASSWORD};
use postmarket_app::NewUser;
use postmarket_auth::{Role, Scope};
use postmarket_server::ServerConfig;

fn server_with_people(config: ServerConfig) -> TestServer {
    let s = TestServer::start(Backend::Sqlite, "web", config).unwrap();
    let app = s.app.clone();
    s.block_on(async {
        device_with_release(&app, "Pump A", "Infusion").await;
        device_with_release(&app, "Scanner B", "Imaging").await;
        for (name, role) in [
            ("alice", Role::Admin),
            ("eve", Role::Engineer),
            ("vic", Role::Viewer),
        ] {
            app.add_user(
                &actor(),
                &NewUser {
                    name,
                    role,
                    password: PASSWORD,
                    product_lines: vec!["Infusion".into()],
                },
            )
            .await
            .unwrap();
        }
    });
    s
}

fn form(fields: &[(&str, &str)]) -> Option<(&'static str, Vec<u8>)> {
    let body = fields
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&");
    Some(("application/x-www-form-urlencoded", body.into_bytes()))
}

/// Signs in; returns the `Cookie` header value and the page's CSRF token.
fn sign_in(s: &TestServer, name: &str) -> (String, String) {
    let r = s.call(
        "POST",
        "/login",
        &[],
        form(&[("name", name), ("password", PASSWORD), ("next", "/")]),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let set = r.header("set-cookie").unwrap().to_string();
    let cookie = set.split(';').next().unwrap().to_string();
    let page = s.get("/", &[("cookie", &cookie)]);
    assert_eq!(page.status, 200);
    let csrf = page
        .body
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|t| t.split('"').next())
        .unwrap()
        .to_string();
    (cookie, csrf)
}

fn multipart(fields: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----postmarket-test-boundary";
    let mut body = Vec::new();
    for (name, filename, content) in fields {
        body.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match filename {
            Some(f) => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\nContent-Type: application/json\r\n\r\n").as_bytes(),
            ),
            None => body.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

#[test]
fn sessions_cookies_csrf_and_the_upload_form() {
    let s = server_with_people(ServerConfig::default());
    // Anonymous pages send to the login form; public routes stay public.
    let r = s.get("/devices/Pump%20A", &[]);
    assert_eq!(r.status, 303);
    assert_eq!(
        r.header("location"),
        Some("/login?next=%2Fdevices%2FPump%2520A")
    );
    assert_eq!(s.get("/login", &[]).status, 200);
    assert_eq!(s.get("/healthz", &[]).status, 200);
    assert_eq!(s.get("/assets/app.css", &[]).status, 200);

    // Wrong password: 401 and no cookie.
    let r = s.call(
        "POST",
        "/login",
        &[],
        form(&[("name", "eve"), ("password", "wrong password!!")]),
    );
    assert_eq!(r.status, 401);
    assert!(r.header("set-cookie").is_none());
    assert!(r.body.contains("Wrong user name or password"));

    // The session cookie: __Host- prefix, Secure, HttpOnly, SameSite=Strict; stored hashed.
    let r = s.call(
        "POST",
        "/login",
        &[],
        form(&[
            ("name", "eve"),
            ("password", PASSWORD),
            ("next", "/devices/Pump%20A"),
        ]),
    );
    assert_eq!(r.status, 303);
    assert_eq!(r.header("location"), Some("/devices/Pump%20A"));
    let set = r.header("set-cookie").unwrap();
    for attr in [
        "__Host-pm_session=pms_",
        "HttpOnly",
        "SameSite=Strict",
        "Secure",
        "Path=/",
    ] {
        assert!(set.contains(attr), "{attr} missing from {set}");
    }
    let secret = set
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_string();
    let stored = s
        .block_on(s.app.store().session(&postmarket_auth::token_hash(&secret)))
        .unwrap();
    assert!(
        stored.is_some(),
        "the session is found by the hash of its secret"
    );
    let backup_dir = tempfile::tempdir().unwrap();
    let backup = backup_dir.path().join("b.jsonl");
    s.block_on(s.app.store().backup(&backup)).unwrap();
    let dump = std::fs::read_to_string(&backup).unwrap();
    assert!(
        !dump.contains(&secret),
        "the session secret is never stored"
    );
    assert!(!dump.contains(PASSWORD), "no password is ever stored");

    let (cookie, csrf) = sign_in(&s, "eve");
    let c = [("cookie", cookie.as_str())];
    // Product-line scoping in pages.
    let home = s.get("/", &c);
    assert!(
        home.body.contains("Pump A") && !home.body.contains("Scanner B"),
        "{}",
        home.body
    );
    assert_eq!(s.get("/devices/Scanner%20B", &c).status, 404);
    // An engineer is not an admin.
    assert_eq!(s.get("/admin/users", &c).status, 403);

    // The upload form: refused without the CSRF token, stored with it.
    let sbom = std::fs::read(common::fixture("monitor.cdx.json")).unwrap();
    let (ctype, body) = multipart(&[("version", None, b"9.0"), ("sbom", Some("m.json"), &sbom)]);
    let r = s.call("POST", "/devices/Pump%20A/upload", &c, Some((&ctype, body)));
    assert_eq!(r.status, 403, "{}", r.body);
    let (ctype, body) = multipart(&[
        ("csrf", None, b"0000"),
        ("version", None, b"9.0"),
        ("sbom", Some("m.json"), &sbom),
    ]);
    assert_eq!(
        s.call("POST", "/devices/Pump%20A/upload", &c, Some((&ctype, body)))
            .status,
        403
    );
    let (ctype, body) = multipart(&[
        ("csrf", None, csrf.as_bytes()),
        ("version", None, b"9.0"),
        ("sbom", Some("m.json"), &sbom),
    ]);
    let r = s.call("POST", "/devices/Pump%20A/upload", &c, Some((&ctype, body)));
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.header("location"), Some("/devices/Pump%20A/releases/9.0"));
    let page = s.get("/devices/Pump%20A/releases/9.0", &c);
    assert!(page.body.contains("example-widget") && page.body.contains("monitor-firmware"));
    // A bad SBOM names the problem and the place; nothing is stored.
    let (ctype, body) = multipart(&[
        ("csrf", None, csrf.as_bytes()),
        ("version", None, b"9.1"),
        ("sbom", Some("bad.json"), b"{\"bomFormat\": \"CycloneDX\", "),
    ]);
    let r = s.call("POST", "/devices/Pump%20A/upload", &c, Some((&ctype, body)));
    assert_eq!(r.status, 400);
    assert!(r.body.contains("malformed-json"), "{}", r.body);
    assert_eq!(s.get("/devices/Pump%20A/releases/9.1", &c).status, 404);
    // Another product line's device cannot be uploaded to either.
    let (ctype, body) = multipart(&[
        ("csrf", None, csrf.as_bytes()),
        ("version", None, b"9.0"),
        ("sbom", Some("m.json"), &sbom),
    ]);
    assert_eq!(
        s.call(
            "POST",
            "/devices/Scanner%20B/upload",
            &c,
            Some((&ctype, body))
        )
        .status,
        404
    );

    // The API with a session cookie needs the CSRF header on unsafe methods.
    let json = || Some(("application/json", br#"{"version": "9.5"}"#.to_vec()));
    let r = s.call("POST", "/api/v1/devices/Pump%20A/releases", &c, json());
    assert_eq!(r.status, 403);
    assert_eq!(r.json()["error"]["code"], "csrf");
    let with = [("cookie", cookie.as_str()), ("x-csrf-token", csrf.as_str())];
    assert_eq!(
        s.call("POST", "/api/v1/devices/Pump%20A/releases", &with, json())
            .status,
        201
    );
    // A cross-origin unsafe request is refused whatever it carries.
    let cross = [
        ("cookie", cookie.as_str()),
        ("x-csrf-token", csrf.as_str()),
        ("origin", "http://evil.example"),
    ];
    assert_eq!(
        s.call("POST", "/api/v1/devices/Pump%20A/releases", &cross, json())
            .status,
        403
    );

    // Sign-out ends the session server-side: the old cookie is worthless.
    assert_eq!(
        s.call("POST", "/logout", &c, form(&[("csrf", "nope")]))
            .status,
        403
    );
    let r = s.call("POST", "/logout", &c, form(&[("csrf", &csrf)]));
    assert_eq!(r.status, 303);
    assert!(r.header("set-cookie").unwrap().contains("Max-Age=0"));
    assert_eq!(s.get("/", &c).status, 303);
    assert_eq!(s.get("/api/v1/me", &c).status, 401);

    // The audit trail records sign-in and sign-out, and verifies.
    let report = s.block_on(s.app.verify()).unwrap();
    assert!(report.ok, "{report:?}");
    s.finish();
}

#[test]
fn login_is_rate_limited_per_account_and_disabled_accounts_cannot_sign_in() {
    let s = server_with_people(ServerConfig::default());
    for _ in 0..postmarket_auth::ACCOUNT_LIMIT {
        let r = s.call(
            "POST",
            "/login",
            &[],
            form(&[("name", "vic"), ("password", "not the password")]),
        );
        assert_eq!(r.status, 401);
    }
    // Over the limit even the right password is not checked.
    let r = s.call(
        "POST",
        "/login",
        &[],
        form(&[("name", "vic"), ("password", PASSWORD)]),
    );
    assert_eq!(r.status, 429, "{}", r.body);
    let retry: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= postmarket_auth::WINDOW.as_secs());
    // Another account from the same address is still allowed (the address limit is higher).
    let (cookie, _) = sign_in(&s, "alice");
    // An admin's page lists the users and the permission table.
    let page = s.get("/admin/users", &[("cookie", &cookie)]);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("eve") && page.body.contains("manage users and API tokens"));
    // A disabled account's sessions and tokens stop at once.
    let token = s
        .block_on(s.app.create_token(&actor(), "eve", "t", Scope::Read, None))
        .unwrap();
    let (eve_cookie, _) = sign_in(&s, "eve");
    let bearer = format!("Bearer {}", token.secret);
    assert_eq!(
        s.get("/api/v1/me", &[("authorization", &bearer)]).status,
        200
    );
    s.block_on(s.app.set_disabled(&actor(), "eve", true))
        .unwrap();
    assert_eq!(
        s.get("/api/v1/me", &[("authorization", &bearer)]).status,
        401
    );
    assert_eq!(s.get("/", &[("cookie", &eve_cookie)]).status, 303);
    let r = s.call(
        "POST",
        "/login",
        &[],
        form(&[("name", "eve"), ("password", PASSWORD)]),
    );
    assert_eq!(r.status, 401);
    // Password re-entry for signatures: right, wrong, unknown.
    s.block_on(s.app.verify_password("alice", PASSWORD))
        .unwrap();
    assert!(s
        .block_on(s.app.verify_password("alice", "wrong password"))
        .is_err());
    assert!(s
        .block_on(s.app.verify_password("nobody", PASSWORD))
        .is_err());
    s.finish();
}

#[test]
fn api_errors_share_one_envelope_and_limits_hold() {
    let s = server_with_people(ServerConfig {
        max_upload_bytes: 4096,
        ..ServerConfig::default()
    });
    let t = s
        .block_on(
            s.app
                .create_token(&actor(), "alice", "t", Scope::Write, None),
        )
        .unwrap();
    let bearer = format!("Bearer {}", t.secret);
    let a = [("authorization", bearer.as_str())];
    let check = |r: &common::Resp, status: u16, code: &str| {
        assert_eq!(r.status, status, "{}", r.body);
        let e = r.json();
        assert_eq!(e["error"]["code"], code, "{}", r.body);
        assert!(!e["error"]["message"].as_str().unwrap().is_empty());
        assert!(e["error"].as_object().unwrap().contains_key("details"));
    };
    check(&s.get("/api/v1/devices", &[]), 401, "unauthorized");
    check(
        &s.get("/api/v1/devices", &[("authorization", "Basic abc")]),
        401,
        "unauthorized",
    );
    check(&s.get("/api/v1/nothing-here", &a), 404, "not_found");
    check(
        &s.call("PATCH", "/api/v1/devices", &a, None),
        405,
        "method_not_allowed",
    );
    // Units in the field are bounded, so sums over the portfolio cannot overflow.
    let huge_base = br#"{"version": "8.0", "install_base": 9223372036854775807}"#.to_vec();
    check(
        &s.call(
            "POST",
            "/api/v1/devices/Pump%20A/releases",
            &a,
            Some(("application/json", huge_base)),
        ),
        400,
        "bad_request",
    );
    check(
        &s.call(
            "POST",
            "/api/v1/devices",
            &a,
            Some(("application/json", b"{not json".to_vec())),
        ),
        400,
        "bad_request",
    );
    check(
        &s.call(
            "POST",
            "/api/v1/devices",
            &a,
            Some(("application/json", br#"{"name": "X"}"#.to_vec())),
        ),
        422,
        "invalid_body",
    );
    check(
        &s.call(
            "POST",
            "/api/v1/devices",
            &a,
            Some((
                "application/json",
                br#"{"name": "X", "product_line": "Infusion", "class": "IV", "pathway": "510k"}"#
                    .to_vec(),
            )),
        ),
        400,
        "bad_request",
    );
    check(&s.call("POST", "/api/v1/devices", &a, Some(("application/json", br#"{"name": "pump a", "product_line": "Infusion", "class": "II", "pathway": "510k"}"#.to_vec()))), 409, "conflict");
    // A bad SBOM: the file, the code and the JSON pointer or line:column.
    let r = s.call(
        "POST",
        "/api/v1/devices/Pump%20A/releases/5.0/sbom",
        &a,
        Some((
            "application/json",
            br#"{"bomFormat": "CycloneDX", "specVersion": "9.9"}"#.to_vec(),
        )),
    );
    check(&r, 400, "invalid_sbom");
    let d = &r.json()["error"]["details"];
    assert!(d["file"].as_str().unwrap().contains("Pump A 5.0"), "{d}");
    assert!(
        !d["code"].as_str().unwrap().is_empty() && d["location"].is_string(),
        "{d}"
    );
    assert_eq!(
        s.get("/api/v1/devices/Pump%20A/releases/5.0", &a).status,
        404,
        "nothing stored"
    );
    // Over the upload limit: 413 in the envelope.
    let big = vec![b' '; 5000];
    check(
        &s.call(
            "POST",
            "/api/v1/devices/Pump%20A/releases/5.0/sbom",
            &a,
            Some(("application/json", big)),
        ),
        413,
        "payload_too_large",
    );
    // Other bodies are limited to 1 MiB.
    let huge = vec![b' '; postmarket_server::MAX_BODY_BYTES + 1];
    check(
        &s.call(
            "POST",
            "/api/v1/devices",
            &a,
            Some(("application/json", huge)),
        ),
        413,
        "payload_too_large",
    );
    // A good upload, then the same bytes again change nothing.
    let sbom = std::fs::read(common::fixture("monitor.cdx.json")).unwrap();
    let r = s.call(
        "POST",
        "/api/v1/devices/Pump%20A/releases/5.0/sbom",
        &a,
        Some(("application/json", sbom.clone())),
    );
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.json()["release_created"], true);
    let r = s.call(
        "POST",
        "/api/v1/devices/Pump%20A/releases/5.0/sbom",
        &a,
        Some(("application/json", sbom)),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["unchanged"], true);
    let comps = s
        .get("/api/v1/devices/Pump%20A/releases/5.0/components", &a)
        .json();
    assert_eq!(comps.as_array().unwrap().len(), 3);
    let export = s
        .get("/api/v1/devices/Pump%20A/releases/5.0/sbom?format=spdx", &a)
        .json();
    assert_eq!(export["spdxVersion"], "SPDX-2.3");
    check(
        &s.get("/api/v1/devices/Pump%20A/releases/5.0/sbom?format=pdf", &a),
        400,
        "bad_request",
    );

    // Security headers on pages, API answers and errors alike.
    for path in [
        "/login",
        "/api/v1/devices",
        "/api/nothing",
        "/api/openapi.json",
    ] {
        let r = s.get(path, &a);
        let csp = r.header("content-security-policy").unwrap();
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"));
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    }
    s.finish();
}

#[test]
fn openapi_document_is_public_and_describes_the_api() {
    let s = server_with_people(ServerConfig::default());
    let r = s.get("/api/openapi.json", &[]);
    assert_eq!(r.status, 200);
    let doc = r.json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    assert_eq!(doc, postmarket_server::openapi_json());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    assert!(doc["components"]["schemas"]["ErrorEnvelope"].is_object());
    assert!(doc["paths"]["/api/v1/devices/{device}/releases/{version}/sbom"]["post"].is_object());
    s.finish();
}

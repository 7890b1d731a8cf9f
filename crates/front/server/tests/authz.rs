//! The authorization matrix: every API route × every role (through a write-scope token), a
//! read-scope token, a revoked and an expired token, and anonymous; and product-line scoping:
//! a device of a product line not granted is answered exactly like a device that does not exist.
//! On SQLite and on PostgreSQL, through a real server.

mod common;

use std::collections::BTreeSet;

use common::{actor, device_with_release, enc, Backend, TestServer, PASSWORD};
use postmarket_app::NewUser;
use postmarket_auth::{Permission, Role, Scope};

const VISIBLE: &str = "Pump A";
const HIDDEN: &str = "Scanner B";
const MISSING: &str = "No Such Device";

#[derive(Clone, Copy, PartialEq, Debug)]
enum Target {
    /// The route names no device.
    None,
    Visible,
    Hidden,
    Missing,
}

struct Route {
    method: &'static str,
    /// The OpenAPI template, e.g. `/api/v1/devices/{device}`.
    template: &'static str,
    /// `None`: any signed-in caller.
    permission: Option<Permission>,
    ok: u16,
}

const ROUTES: &[Route] = &[
    Route {
        method: "GET",
        template: "/api/v1/me",
        permission: None,
        ok: 200,
    },
    Route {
        method: "GET",
        template: "/api/v1/devices",
        permission: Some(Permission::Read),
        ok: 200,
    },
    Route {
        method: "POST",
        template: "/api/v1/devices",
        permission: Some(Permission::CreateDevice),
        ok: 201,
    },
    Route {
        method: "GET",
        template: "/api/v1/devices/{device}",
        permission: Some(Permission::Read),
        ok: 200,
    },
    Route {
        method: "GET",
        template: "/api/v1/devices/{device}/releases",
        permission: Some(Permission::Read),
        ok: 200,
    },
    Route {
        method: "POST",
        template: "/api/v1/devices/{device}/releases",
        permission: Some(Permission::WriteRelease),
        ok: 201,
    },
    Route {
        method: "GET",
        template: "/api/v1/devices/{device}/releases/{version}",
        permission: Some(Permission::Read),
        ok: 200,
    },
    Route {
        method: "GET",
        template: "/api/v1/devices/{device}/releases/{version}/sbom",
        permission: Some(Permission::Read),
        ok: 200,
    },
    Route {
        method: "POST",
        template: "/api/v1/devices/{device}/releases/{version}/sbom",
        permission: Some(Permission::WriteRelease),
        ok: 201,
    },
    Route {
        method: "GET",
        template: "/api/v1/devices/{device}/releases/{version}/components",
        permission: Some(Permission::Read),
        ok: 200,
    },
    Route {
        method: "GET",
        template: "/api/v1/vulnerabilities",
        permission: Some(Permission::Read),
        ok: 200,
    },
    Route {
        method: "GET",
        template: "/api/v1/vulnerabilities/{id}",
        permission: Some(Permission::Read),
        ok: 200,
    },
    Route {
        method: "GET",
        template: "/api/v1/feeds",
        permission: Some(Permission::Read),
        ok: 200,
    },
    Route {
        method: "GET",
        template: "/api/v1/users",
        permission: Some(Permission::ManageUsers),
        ok: 200,
    },
    Route {
        method: "POST",
        template: "/api/v1/users",
        permission: Some(Permission::ManageUsers),
        ok: 201,
    },
    Route {
        method: "POST",
        template: "/api/v1/users/{name}/tokens",
        permission: Some(Permission::ManageUsers),
        ok: 201,
    },
    Route {
        method: "GET",
        template: "/api/v1/tokens",
        permission: Some(Permission::ManageUsers),
        ok: 200,
    },
    Route {
        method: "DELETE",
        template: "/api/v1/tokens/{id}",
        permission: Some(Permission::ManageUsers),
        ok: 200,
    },
];

/// Who calls.
#[derive(Clone, Debug)]
struct Caller {
    label: String,
    /// (role, scope) or anonymous / dead token.
    grant: Option<(Role, Scope)>,
    token: Option<String>,
}

#[test]
fn authorization_matrix_on_sqlite() {
    run(Backend::Sqlite, "authz_matrix");
}

#[test]
fn authorization_matrix_on_postgres() {
    run(Backend::Postgres, "authz_matrix_postgres");
}

fn run(backend: Backend, test: &str) {
    let Some(server) = TestServer::start(backend, test, Default::default()) else {
        return;
    };
    let app = server.app.clone();
    // Two product lines; every account but admin is granted only Infusion.
    let (callers, victims) = server.block_on(async {
        device_with_release(&app, VISIBLE, "Infusion").await;
        device_with_release(&app, HIDDEN, "Imaging").await;
        let dir = tempfile::tempdir().unwrap();
        let feed = dir.path().join("widget.json");
        std::fs::copy(common::fixture("widget-osv.json"), &feed).unwrap();
        app.import_feeds(
            &actor(),
            &[feed],
            &Default::default(),
            &postmarket_app::NoProgress,
        )
        .await
        .unwrap();
        let mut callers = vec![Caller {
            label: "anonymous".into(),
            grant: None,
            token: None,
        }];
        let mut victims = Vec::new();
        for role in Role::ALL {
            let name = format!("r-{role}");
            app.add_user(
                &actor(),
                &NewUser {
                    name: &name,
                    role,
                    password: PASSWORD,
                    product_lines: vec!["Infusion".into()],
                },
            )
            .await
            .unwrap();
            for scope in [Scope::Write, Scope::Read] {
                let t = app
                    .create_token(&actor(), &name, "matrix", scope, None)
                    .await
                    .unwrap();
                callers.push(Caller {
                    label: format!("{role}/{scope}"),
                    grant: Some((role, scope)),
                    token: Some(t.secret),
                });
            }
        }
        // Dead tokens: revoked, and expired.
        let revoked = app
            .create_token(&actor(), "r-admin", "revoked", Scope::Write, None)
            .await
            .unwrap();
        app.revoke_token(&actor(), revoked.token.id).await.unwrap();
        callers.push(Caller {
            label: "revoked admin token".into(),
            grant: None,
            token: Some(revoked.secret),
        });
        let expired_secret = postmarket_auth::new_token(postmarket_auth::API_TOKEN_PREFIX);
        let admin = app.store().user("r-admin").await.unwrap();
        app.store()
            .add_api_token(
                &actor(),
                &postmarket_store::NewApiToken {
                    user_id: admin.id,
                    name: "expired",
                    token_sha256: &postmarket_auth::token_hash(&expired_secret),
                    scope: "write",
                    expires_at: Some("2001-01-01T00:00:00.000000Z"),
                },
                None,
            )
            .await
            .unwrap();
        callers.push(Caller {
            label: "expired admin token".into(),
            grant: None,
            token: Some(expired_secret),
        });
        // A token for every caller to try to revoke.
        for c in &callers {
            let t = app
                .create_token(
                    &actor(),
                    "r-viewer",
                    &format!("victim of {}", c.label),
                    Scope::Read,
                    None,
                )
                .await
                .unwrap();
            victims.push(t.token.id);
        }
        (callers, victims)
    });

    // Every route in the OpenAPI document is in the matrix, and nothing else.
    let doc = postmarket_server::openapi_json();
    let mut documented = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            documented.insert((method.to_uppercase(), path.clone()));
        }
    }
    let tested: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|r| (r.method.to_string(), r.template.to_string()))
        .collect();
    assert_eq!(
        documented, tested,
        "the matrix must cover every documented route"
    );

    let sbom = std::fs::read(common::fixture("monitor.cdx.json")).unwrap();
    let mut checked = 0;
    let mut not_found_bodies: Vec<(String, String)> = Vec::new();
    for (ci, caller) in callers.iter().enumerate() {
        for route in ROUTES {
            let targets: &[Target] = if route.template.contains("{device}") {
                &[Target::Visible, Target::Hidden, Target::Missing]
            } else {
                &[Target::None]
            };
            for &target in targets {
                let device = match target {
                    Target::Hidden => HIDDEN,
                    Target::Missing => MISSING,
                    _ => VISIBLE,
                };
                let unique = format!("{ci}-{target:?}");
                let version = if route.method == "POST" && route.template.ends_with("/sbom") {
                    format!("3.{unique}")
                } else {
                    "1.0".to_string()
                };
                let path = route
                    .template
                    .replace("{device}", &enc(device))
                    .replace("{version}", &enc(&version))
                    .replace(
                        "{id}",
                        &if route.template.starts_with("/api/v1/tokens") {
                            victims[ci].to_string()
                        } else {
                            "CVE-2025-99001".to_string()
                        },
                    )
                    .replace("{name}", "r-viewer");
                let path = if route.template == "/api/v1/vulnerabilities" {
                    format!("{path}?purl={}", enc("pkg:pypi/example-widget"))
                } else {
                    path
                };
                let body: Option<(&str, Vec<u8>)> = match (route.method, route.template) {
                    ("POST", "/api/v1/devices") => Some((
                        "application/json",
                        serde_json::json!({
                        "name": format!("New device {unique}"), "product_line": "Infusion",
                        "class": "II", "pathway": "510k"})
                        .to_string()
                        .into_bytes(),
                    )),
                    ("POST", "/api/v1/devices/{device}/releases") => Some((
                        "application/json",
                        serde_json::json!({"version": format!("2.{unique}")})
                            .to_string()
                            .into_bytes(),
                    )),
                    ("POST", "/api/v1/devices/{device}/releases/{version}/sbom") => {
                        Some(("application/vnd.cyclonedx+json", sbom.clone()))
                    }
                    ("POST", "/api/v1/users") => Some((
                        "application/json",
                        serde_json::json!({
                        "name": format!("made-{ci}"), "role": "viewer", "password": PASSWORD})
                        .to_string()
                        .into_bytes(),
                    )),
                    ("POST", "/api/v1/users/{name}/tokens") => Some((
                        "application/json",
                        serde_json::json!({"name": "made", "scope": "read"})
                            .to_string()
                            .into_bytes(),
                    )),
                    _ => None,
                };
                let auth = caller.token.as_ref().map(|t| format!("Bearer {t}"));
                let headers: Vec<(&str, &str)> = auth
                    .as_deref()
                    .map(|a| vec![("authorization", a)])
                    .unwrap_or_default();
                let resp = server.call(route.method, &path, &headers, body);
                let expected = match caller.grant {
                    None => 401,
                    Some((role, scope)) => {
                        let allowed = route
                            .permission
                            .is_none_or(|p| role.allows(p) && scope.allows(p));
                        if !allowed {
                            403
                        } else if target == Target::Missing
                            || (target == Target::Hidden && role != Role::Admin)
                        {
                            404
                        } else {
                            route.ok
                        }
                    }
                };
                assert_eq!(
                    resp.status, expected,
                    "{} {} as {} ({target:?}): {}",
                    route.method, path, caller.label, resp.body
                );
                if resp.status >= 400 {
                    let e = resp.json();
                    assert!(e["error"]["code"].is_string(), "{}", resp.body);
                    assert!(e["error"]["message"].is_string(), "{}", resp.body);
                    assert!(!resp.body.contains("Imaging"), "leak: {}", resp.body);
                }
                if resp.status == 404 && target != Target::None {
                    not_found_bodies.push((
                        format!("{} {} as {}", route.method, route.template, caller.label),
                        resp.body
                            .replace(&format!("{HIDDEN:?}"), "DEVICE")
                            .replace(&format!("{MISSING:?}"), "DEVICE")
                            .replace(&format!("\\\"{HIDDEN}\\\""), "DEVICE")
                            .replace(&format!("\\\"{MISSING}\\\""), "DEVICE"),
                    ));
                }
                // What a reader sees: only the devices of the granted product lines.
                if resp.status == 200 && route.template == "/api/v1/devices" {
                    let names: Vec<String> = resp
                        .json()
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|d| d["product_line"].as_str().unwrap().to_string())
                        .collect();
                    let role = caller.grant.unwrap().0;
                    assert!(names.iter().any(|l| l == "Infusion"), "{names:?}");
                    assert_eq!(
                        names.iter().any(|l| l == "Imaging"),
                        role == Role::Admin,
                        "{} sees {names:?}",
                        caller.label
                    );
                }
                checked += 1;
            }
        }
    }
    // A hidden device and a missing one get byte-identical answers (after the name).
    let distinct: BTreeSet<&String> = not_found_bodies.iter().map(|(_, b)| b).collect();
    assert_eq!(
        distinct.len(),
        1,
        "404 answers differ: {not_found_bodies:#?}"
    );
    eprintln!(
        "authorization matrix: {checked} requests ({} routes × {} callers and device targets)",
        ROUTES.len(),
        callers.len()
    );
    assert!(checked > ROUTES.len() * callers.len());
    // Every write above went through the audit chain, which still verifies.
    let report = server.block_on(server.app.verify()).unwrap();
    assert!(report.ok, "{report:?}");
    server.finish();
}

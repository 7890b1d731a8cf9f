//! The OpenAPI 3.1 document of `/api/v1`, generated from the handlers' annotations so that it
//! cannot drift from the code (a test compares it with the router).

use axum::response::{IntoResponse, Response};
use axum::Json;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::api;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Postmarket API",
        description = "The REST API of Postmarket, the system of record of a medical device manufacturer's postmarket cybersecurity program. Authenticate with `Authorization: Bearer TOKEN` (`postmarket token create`). Every 4xx/5xx answer is `{\"error\": {\"code\", \"message\", \"details\"}}`. A device outside the caller's product lines is answered as not found.",
        license(name = "Apache-2.0", identifier = "Apache-2.0")
    ),
    paths(
        api::me,
        api::list_devices,
        api::create_device,
        api::get_device,
        api::list_releases,
        api::create_release,
        api::get_release,
        api::upload_sbom,
        api::export_sbom,
        api::components,
        api::search_vulnerabilities,
        api::get_vulnerability,
        api::feeds_status,
        api::list_users,
        api::create_user,
        api::create_token,
        api::list_tokens,
        api::revoke_token,
    ),
    modifiers(&BearerAuth),
    security(("bearer" = [])),
    tags(
        (name = "devices", description = "Device models and the portfolio"),
        (name = "releases", description = "Releases of a device in the field"),
        (name = "sboms", description = "SBOM upload, components and export"),
        (name = "vulnerabilities", description = "Vulnerability records and feed freshness"),
        (name = "users", description = "Accounts and API tokens (admin)")
    )
)]
pub(crate) struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API token from `postmarket token create` (scope read or write)",
                    ))
                    .build(),
            ),
        );
    }
}

/// The document as a value (tests and the route).
pub fn openapi_json() -> serde_json::Value {
    serde_json::to_value(ApiDoc::openapi()).unwrap_or_default()
}

/// GET /api/openapi.json
pub(crate) async fn document() -> Response {
    Json(openapi_json()).into_response()
}

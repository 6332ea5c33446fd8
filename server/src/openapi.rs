//! The OpenAPI document: generated from the same route registration the server runs
//! ([`crate::api::register`]), completed once for what every bearer route answers, and the
//! methods of each documented route for the 405 fallback.

use actix_web::App;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "quanze 权责 API",
        description = "The public API of quanze, a registry of Chinese government departments' power lists (权力清单) and responsibility lists (责任清单): search the registered administrative powers in Chinese and read each one with its legal basis. Errors are application/problem+json (RFC 9457) with a stable `code`.",
        license(name = "MIT OR Apache-2.0", identifier = "MIT OR Apache-2.0")
    ),
    // Every error answer's body; `finish_openapi` points error statuses at it.
    // (and the export formats, which the export's parameters refer to by name).
    components(schemas(
        crate::error::Problem,
        crate::error::FieldProblem,
        crate::api::export::Format
    )),
    modifiers(&BearerAuth),
    tags(
        (name = "search", description = "Full-text search over published power items, in Simplified or Traditional Chinese"),
        (name = "items", description = "Power items (权力事项) and their categories"),
        (name = "departments", description = "Departments with their power lists (权力清单) and responsibility lists (责任清单)"),
        (name = "regions", description = "Regions (行政区划) with their departments and published items"),
        (name = "laws", description = "Laws and regulations with their articles, and the powers citing them"),
        (name = "feedback", description = "Citizens rate items and their steps, complain and report errors in the lists (评价、投诉、纠错); departments' answers in public"),
        (name = "changes", description = "The public change feed, for mirroring the registry"),
        (name = "maintenance", description = "Departments maintain their lists: drafts, review, publication, revocation, bulk import, audit log (bearer token)"),
        (name = "accounts", description = "Users and API tokens (bearer token; admins)"),
        (name = "export", description = "Bulk export of published items, streamed"),
        (name = "statistics", description = "Transparency figures: items per category, department and region, changes and citizens' feedback per month, withheld items by reason, and the list on two dates compared"),
        (name = "quality", description = "What in the published lists needs attention: the data-quality report"),
        (name = "operations", description = "Liveness and readiness for load balancers and orchestrators")
    )
)]
pub struct ApiDoc;

/// Declares the bearer-token scheme the maintenance routes use.
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An API token (`quanze token create`, or POST /api/v1/users/{id}/tokens)",
                    ))
                    .build(),
            ),
        );
    }
}

/// The methods each documented route takes (from the OpenAPI document), so a request with
/// another method gets 405 with `Allow` instead of 404.
pub struct RouteMethods(std::collections::HashMap<String, String>);

impl RouteMethods {
    pub fn from_openapi(api: &utoipa::openapi::OpenApi) -> RouteMethods {
        let routes = api
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let mut methods: Vec<&str> = [
                    ("GET", item.get.is_some()),
                    ("HEAD", item.get.is_some()),
                    ("POST", item.post.is_some()),
                    ("PUT", item.put.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("DELETE", item.delete.is_some()),
                ]
                .into_iter()
                .filter_map(|(m, present)| present.then_some(m))
                .collect();
                methods.dedup();
                (path.clone(), methods.join(", "))
            })
            .collect();
        RouteMethods(routes)
    }

    /// The methods a route pattern takes (`GET, HEAD`), if it is a documented route.
    pub fn allowed(&self, pattern: &str) -> Option<String> {
        self.0.get(pattern).cloned()
    }
}

/// The OpenAPI document of the app.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::api::register)
        .split_for_parts();
    finish_openapi(api)
}

/// Completes the document utoipa-actix-web assembled from the routes, for what every route
/// shares, so each route documents only its own cases:
/// - an error status documented without a body is a problem+json `Problem` (the only shape
///   `ApiError` answers in);
/// - every route behind the bearer token answers what the `Caller` extractor answers — 401
///   without a valid token, 429 after too many failed attempts.
pub fn finish_openapi(mut api: utoipa::openapi::OpenApi) -> utoipa::openapi::OpenApi {
    use utoipa::openapi::security::SecurityRequirement;
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    let bearer = SecurityRequirement::new("bearer", Vec::<String>::new());
    let problem = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/problem+json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build()
    };
    for item in api.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ];
        for operation in operations.into_iter().flatten() {
            for (status, response) in operation.responses.responses.iter_mut() {
                if let utoipa::openapi::RefOr::T(response) = response
                    && response.content.is_empty()
                    && (status.starts_with('4') || status.starts_with('5'))
                {
                    *response = problem(&response.description);
                }
            }
            if !operation
                .security
                .as_ref()
                .is_some_and(|s| s.contains(&bearer))
            {
                continue;
            }
            for (status, description) in [
                ("401", "No valid bearer token"),
                ("429", "Too many failed authentications from this address"),
            ] {
                operation
                    .responses
                    .responses
                    .entry(status.to_string())
                    .or_insert_with(|| problem(description).into());
            }
        }
    }
    api
}

#[cfg(test)]
mod tests {
    /// Every `$ref` in the document names a component that exists (client generators stop at
    /// a dangling one).
    #[test]
    fn every_reference_resolves() {
        fn refs(value: &serde_json::Value, out: &mut Vec<String>) {
            match value {
                serde_json::Value::Object(map) => {
                    for (k, v) in map {
                        match (k.as_str(), v) {
                            ("$ref", serde_json::Value::String(r)) => out.push(r.clone()),
                            _ => refs(v, out),
                        }
                    }
                }
                serde_json::Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
                _ => {}
            }
        }
        let doc = serde_json::to_value(super::openapi()).unwrap_or_default();
        let mut found = Vec::new();
        refs(&doc, &mut found);
        assert!(!found.is_empty());
        for r in found {
            let pointer = r.trim_start_matches('#');
            assert!(doc.pointer(pointer).is_some(), "dangling reference {r}");
        }
    }

    /// `openapi/openapi.json` is generated, never edited: regenerate with
    /// `cargo run -- openapi > openapi/openapi.json` (or QUANZE_BLESS=1 on this test).
    #[test]
    fn openapi_json_is_up_to_date() {
        let generated = super::openapi().to_pretty_json().unwrap_or_default() + "\n";
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi/openapi.json");
        if std::env::var("QUANZE_BLESS").is_ok_and(|v| v == "1") {
            std::fs::create_dir_all(path.parent().unwrap_or(&path)).unwrap_or_default();
            std::fs::write(&path, &generated).unwrap_or_default();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "openapi/openapi.json is out of date; regenerate it with\n  cargo run -- openapi > openapi/openapi.json"
        );
    }
}

//! The actix app: the documented API routes, Swagger UI, the pages, the fallback for
//! everything else, and the middleware around them in the order that matters. `quanze serve`
//! runs it on every worker; the OpenAPI document comes from the same route registration.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{App, HttpResponse, ResponseError, middleware, web};
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

use crate::error::ApiError;
use crate::middleware::body_limit::{MaxBody, payload_config};
use crate::openapi::{ApiDoc, RouteMethods, finish_openapi};
use crate::pages;
use crate::state::AppState;

/// Reads are public: any site may call them from a browser (preflight answered, no
/// credentials). Writes are not offered cross-origin: a preflight for them is refused.
fn cors() -> actix_cors::Cors {
    use actix_web::http::header;
    actix_cors::Cors::default()
        .allow_any_origin()
        .send_wildcard()
        .allowed_methods(["GET", "HEAD"])
        .allow_any_header()
        .expose_headers([
            header::ETAG,
            header::RETRY_AFTER,
            header::LINK,
            header::HeaderName::from_static(crate::middleware::request_id::HEADER),
        ])
        .max_age(86_400)
}

/// The whole app over `state`, accepting bodies up to `max_body`.
pub fn build(
    state: AppState,
    max_body: MaxBody,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let (app, api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::api::register)
        .split_for_parts();
    let api = finish_openapi(api);
    // Middleware and undocumented services go on after the split (utoipa-actix-web
    // documents only what is registered before it).
    let routes = RouteMethods::from_openapi(&api);
    app.app_data(web::Data::new(state))
        .app_data(web::Data::new(routes))
        .app_data(web::Data::new(max_body))
        .app_data(payload_config(max_body.0))
        .service(utoipa_swagger_ui::SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", api))
        .route(
            "/docs",
            web::get().to(|| async {
                HttpResponse::PermanentRedirect()
                    .insert_header(("Location", "/docs/"))
                    .finish()
            }),
        )
        .configure(pages::register)
        .configure(crate::workbench::register)
        .default_service(web::to(not_found))
        // Innermost: tags the uncompressed body.
        .wrap(middleware::from_fn(
            crate::middleware::etag::conditional_get,
        ))
        .wrap(middleware::from_fn(crate::middleware::head::head_as_get))
        // The usual hardening headers.
        .wrap(
            middleware::DefaultHeaders::new()
                .add(("X-Content-Type-Options", "nosniff"))
                .add(("X-Frame-Options", "DENY"))
                .add(("Referrer-Policy", "no-referrer")),
        )
        // Merge doubled slashes only: Swagger UI lives under `/docs/`.
        .wrap(middleware::NormalizePath::new(
            middleware::TrailingSlash::MergeOnly,
        ))
        .wrap(middleware::Compress::default())
        .wrap(middleware::from_fn(
            crate::middleware::rate_limit::limit_rate,
        ))
        .wrap(middleware::from_fn(
            crate::middleware::body_limit::limit_body,
        ))
        // Outside the limits, so a refusal (413, 429) is readable by the calling page too.
        .wrap(cors())
        // Counts every answer, refusals included.
        .wrap(middleware::from_fn(crate::middleware::metrics::record))
        // Outermost: every answer and problem body carries the request's id.
        .wrap(middleware::from_fn(crate::middleware::request_id::tag))
}

fn is_machine_path(path: &str) -> bool {
    path.starts_with("/api/")
        || matches!(path, "/openapi.json" | "/metrics" | "/healthz" | "/readyz")
}

/// What the app answers when no route takes a request: 405 with `Allow` when the path is a
/// route under other methods (as the OpenAPI document lists them), else 404.
pub async fn not_found(req: actix_web::HttpRequest) -> HttpResponse {
    let allowed = req.match_pattern().and_then(|pattern| {
        req.app_data::<actix_web::web::Data<RouteMethods>>()
            .and_then(|routes| routes.allowed(&pattern))
    });
    match allowed {
        Some(allow) => ApiError::MethodNotAllowed {
            method: req.method().to_string(),
            allow,
        }
        .error_response(),
        // Machines get a problem; people (any path outside the API) get a page.
        None if is_machine_path(req.path()) => {
            ApiError::NotFound(format!("the route {}", req.path())).error_response()
        }
        None => pages::not_found_page(),
    }
}

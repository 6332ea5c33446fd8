//! `quanze serve`: opens the index, starts the follower, runs the HTTP service until SIGINT or
//! SIGTERM, then lets in-flight requests finish and stops the follower after its current
//! batch (every batch is one index commit).

use std::path::Path;
use std::sync::Arc;

use actix_web::{App, HttpServer, middleware, web};
use quanze_indexer::SearchIndex;
use quanze_indexer::index::Analysis;
use quanze_registry::{Database, RegistryError};

use crate::http::body_limit::{MaxBody, payload_config};
use crate::http::follower::Follower;
use crate::http::metrics::Metrics;
use crate::http::rate_limit::{RateLimiter, RateLimits};
use crate::http::{ApiDoc, AppState, register};

/// Start-up failures of the search side, reported through the CLI's error type.
pub fn startup_error(e: quanze_indexer::IndexError) -> RegistryError {
    RegistryError::Corrupt(format!("search index: {e}"))
}

/// How the service runs: where it listens and what it lets one client do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub bind: String,
    pub workers: Option<usize>,
    /// Searches and suggestions per client per minute.
    pub search_per_minute: u32,
    /// Exports per client per minute.
    pub export_per_minute: u32,
    /// Failed authentications per client per minute before it is refused (429).
    pub auth_failures_per_minute: u32,
    /// Take the client address from the last `X-Forwarded-For` entry (the proxy's).
    pub behind_proxy: bool,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
}

pub fn serve(db: Database, data_dir: &Path, options: &ServeOptions) -> Result<(), RegistryError> {
    let bind = options.bind.as_str();
    let analysis = Analysis::load(Some(data_dir)).map_err(startup_error)?;
    let index = Arc::new(
        SearchIndex::open(&data_dir.join("index"), analysis, true).map_err(startup_error)?,
    );
    let follower = Follower::start(db.clone(), index.clone());
    let state = AppState {
        db,
        index,
        metrics: Arc::new(Metrics::default()),
        limits: Arc::new(RateLimits {
            search: RateLimiter::per_minute(options.search_per_minute),
            export: RateLimiter::per_minute(options.export_per_minute),
            auth_failures: RateLimiter::per_minute(options.auth_failures_per_minute),
            behind_proxy: options.behind_proxy,
        }),
        region_tallies: Default::default(),
    };
    let max_body = MaxBody(options.max_body_bytes);
    let io = |source: std::io::Error| RegistryError::Io {
        path: bind.to_string(),
        source,
    };
    let mut server = HttpServer::new(move || {
        use utoipa::OpenApi;
        use utoipa_actix_web::AppExt;
        let (app, api) = App::new()
            .into_utoipa_app()
            .openapi(ApiDoc::openapi())
            .configure(register)
            .split_for_parts();
        let api = crate::http::finish_openapi(api);
        // Middleware and undocumented services go on after the split (utoipa-actix-web
        // documents only what is registered before it).
        let routes = crate::http::RouteMethods::from_openapi(&api);
        app.app_data(web::Data::new(state.clone()))
            .app_data(web::Data::new(routes))
            .app_data(web::Data::new(max_body))
            .app_data(payload_config(max_body.0))
            .service(utoipa_swagger_ui::SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", api))
            .route(
                "/docs",
                web::get().to(|| async {
                    actix_web::HttpResponse::PermanentRedirect()
                        .insert_header(("Location", "/docs/"))
                        .finish()
                }),
            )
            .configure(crate::pages::register)
            .default_service(web::to(crate::http::error::not_found))
            // Innermost: tags the uncompressed body.
            .wrap(middleware::from_fn(crate::http::etag::conditional_get))
            .wrap(middleware::from_fn(crate::http::head::head_as_get))
            // Reads are public: any site may call them; the usual hardening headers.
            .wrap(
                middleware::DefaultHeaders::new()
                    .add(("Access-Control-Allow-Origin", "*"))
                    .add(("X-Content-Type-Options", "nosniff"))
                    .add(("X-Frame-Options", "DENY"))
                    .add(("Referrer-Policy", "no-referrer")),
            )
            // Merge doubled slashes only: Swagger UI lives under `/docs/`.
            .wrap(middleware::NormalizePath::new(
                middleware::TrailingSlash::MergeOnly,
            ))
            .wrap(middleware::Compress::default())
            .wrap(middleware::from_fn(crate::http::rate_limit::limit_rate))
            .wrap(middleware::from_fn(crate::http::body_limit::limit_body))
            // Outermost: counts every answer, refusals included.
            .wrap(middleware::from_fn(crate::http::metrics::record))
    })
    .bind(bind)
    .map_err(io)?;
    if let Some(w) = options.workers {
        server = server.workers(w.max(1));
    }
    eprintln!("quanze listening on http://{bind}");
    let result = actix_web::rt::System::new()
        .block_on(server.run())
        .map_err(io);
    follower.stop();
    result
}

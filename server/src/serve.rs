//! `quanze serve`: opens the index, starts the follower, runs the HTTP service until SIGINT or
//! SIGTERM, then lets in-flight requests finish and stops the follower after its current
//! batch (every batch is one index commit).

use std::path::Path;
use std::sync::Arc;

use actix_web::{App, HttpServer, middleware, web};
use quanze_indexer::SearchIndex;
use quanze_indexer::index::Analysis;
use quanze_registry::{Database, RegistryError};

use crate::http::follower::Follower;
use crate::http::{ApiDoc, AppState, register};

/// Start-up failures of the search side, reported through the CLI's error type.
pub fn startup_error(e: quanze_indexer::IndexError) -> RegistryError {
    RegistryError::Corrupt(format!("search index: {e}"))
}

pub fn serve(
    db: Database,
    data_dir: &Path,
    bind: &str,
    workers: Option<usize>,
) -> Result<(), RegistryError> {
    let analysis = Analysis::load(Some(data_dir)).map_err(startup_error)?;
    let index = Arc::new(
        SearchIndex::open(&data_dir.join("index"), analysis, true).map_err(startup_error)?,
    );
    let follower = Follower::start(db.clone(), index.clone());
    let state = AppState { db, index };
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
        // Middleware and undocumented services go on after the split (utoipa-actix-web
        // documents only what is registered before it).
        app.app_data(web::Data::new(state.clone()))
            .service(utoipa_swagger_ui::SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", api))
            .route(
                "/docs",
                web::get().to(|| async {
                    actix_web::HttpResponse::PermanentRedirect()
                        .insert_header(("Location", "/docs/"))
                        .finish()
                }),
            )
            .default_service(web::to(crate::http::error::not_found))
            // Innermost: tags the uncompressed body.
            .wrap(middleware::from_fn(crate::http::etag::conditional_get))
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
    })
    .bind(bind)
    .map_err(io)?;
    if let Some(w) = workers {
        server = server.workers(w.max(1));
    }
    eprintln!("quanze listening on http://{bind}");
    let result = actix_web::rt::System::new()
        .block_on(server.run())
        .map_err(io);
    follower.stop();
    result
}

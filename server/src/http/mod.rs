//! The HTTP service: one actix app that the `serve` command runs and the tests drive, and the
//! OpenAPI document generated from the same route registration.

pub mod atom;
pub mod body_limit;
pub mod changes;
pub mod departments;
pub mod error;
pub mod etag;
pub mod export;
pub mod follower;
pub mod head;
pub mod items;
pub mod laws;
pub mod metrics;
pub mod params;
pub mod rate_limit;
pub mod regions;
pub mod search;
pub mod status;
pub mod versions;

use std::sync::Arc;

use actix_web::App;
use quanze_indexer::SearchIndex;
use quanze_registry::Database;
use utoipa::OpenApi;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{AppExt, scope};

/// What every handler and middleware may use; shared by all workers.
#[derive(Clone)]
pub struct AppState {
    pub db: Database,
    pub index: Arc<SearchIndex>,
    pub metrics: Arc<metrics::Metrics>,
    pub limits: Arc<rate_limit::RateLimits>,
}

impl AppState {
    /// Runs database work off the async workers (diesel blocks) with a pooled connection.
    pub async fn with_conn<T, F>(&self, work: F) -> Result<T, error::ApiError>
    where
        F: FnOnce(&mut quanze_registry::DbConnection) -> Result<T, error::ApiError>
            + Send
            + 'static,
        T: Send + 'static,
    {
        let db = self.db.clone();
        actix_web::web::block(move || {
            let mut conn = db.conn()?;
            work(&mut conn)
        })
        .await?
    }
}

/// Timestamps are stored as naive UTC; the API writes them as RFC 3339 with a `Z`.
pub(crate) fn rfc3339(t: chrono::NaiveDateTime) -> String {
    t.and_utc()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "quanze 权责 API",
        description = "The public API of quanze, a registry of Chinese government departments' power lists (权力清单) and responsibility lists (责任清单): search the registered administrative powers in Chinese and read each one with its legal basis. Errors are application/problem+json (RFC 9457) with a stable `code`.",
        license(name = "MIT OR Apache-2.0", identifier = "MIT OR Apache-2.0")
    ),
    tags(
        (name = "search", description = "Full-text search over published power items, in Simplified or Traditional Chinese"),
        (name = "items", description = "Power items (权力事项) and their categories"),
        (name = "departments", description = "Departments with their power lists (权力清单) and responsibility lists (责任清单)"),
        (name = "regions", description = "Regions (行政区划) with their departments and published items"),
        (name = "laws", description = "Laws and regulations with their articles, and the powers citing them"),
        (name = "changes", description = "The public change feed, for mirroring the registry"),
        (name = "export", description = "Bulk export of published items, streamed"),
        (name = "operations", description = "Liveness and readiness for load balancers and orchestrators")
    )
)]
pub struct ApiDoc;

/// Registers every documented route. `serve` and [`openapi`] both go through here, so the
/// served document and the committed `openapi/openapi.json` describe the same app.
pub fn register(cfg: &mut ServiceConfig) {
    cfg.service(status::healthz)
        .service(status::readyz)
        .service(metrics::metrics)
        .service(
            scope("/api/v1")
                .service(search::search)
                .service(search::suggest)
                .service(items::get_item)
                .service(versions::item_versions)
                .service(versions::item_version)
                .service(versions::item_diff)
                .service(items::categories)
                .service(departments::list_departments)
                .service(departments::get_department)
                .service(departments::department_powers)
                .service(departments::department_responsibilities)
                .service(regions::list_regions)
                .service(regions::get_region)
                .service(laws::list_laws)
                .service(laws::get_law)
                .service(laws::law_items)
                .service(changes::changes)
                .service(atom::changes_atom)
                .service(export::export),
        );
}

/// The OpenAPI document of the app.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(register)
        .split_for_parts();
    api
}

#[cfg(test)]
mod tests {
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

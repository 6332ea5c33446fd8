//! The HTTP service: one actix app that the `serve` command runs and the tests drive.

pub mod error;
pub mod follower;
pub mod params;
pub mod search;
pub mod status;

use std::sync::Arc;

use actix_web::web;
use quanze_indexer::SearchIndex;
use quanze_registry::Database;

/// What every handler may use.
#[derive(Clone)]
pub struct AppState {
    pub db: Database,
    pub index: Arc<SearchIndex>,
}

/// Registers every route; `serve` and the tests build the app through this one function.
pub fn configure(state: AppState) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg: &mut web::ServiceConfig| {
        cfg.app_data(web::Data::new(state))
            .service(status::healthz)
            .service(status::readyz)
            .service(
                web::scope("/api/v1")
                    .service(search::search)
                    .service(search::suggest),
            )
            .default_service(web::to(error::not_found));
    }
}

//! Liveness and readiness.

use actix_web::{HttpResponse, get, web};

use crate::http::AppState;
use crate::http::error::ApiError;

/// The process is up.
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(serde_json::json!({"status": "ok"}))
}

/// The database answers and the index is reachable; reports how far the index lags.
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let s = state.clone();
    let lag = web::block(move || s.index.lag(&s.db)).await??;
    Ok(HttpResponse::Ok().json(serde_json::json!({"status": "ready", "index_lag": lag})))
}

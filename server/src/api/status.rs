//! Operations: liveness, readiness and Prometheus metrics.

use actix_web::{HttpResponse, get, web};

use crate::error::ApiError;
use crate::state::AppState;
use crate::state::metrics::ScrapeGauges;

/// Liveness and readiness answers.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Health {
    /// ok (live) or ready.
    pub status: String,
    /// Outbox rows not yet in the search index (readiness only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_lag: Option<i64>,
    /// How long, in seconds, the oldest change not yet in the index has waited (readiness
    /// only; 0 when the index is in step).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index_lag_seconds: Option<f64>,
    /// How searches run (readiness only): `hybrid` (words and the semantic channel) or
    /// `lexical` (no embedding model loaded: words only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub search: Option<String>,
    /// Distinct item names still waiting for their vector (readiness only, `hybrid`): until
    /// then those items are found by their words alone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub semantic_pending: Option<usize>,
}

/// Liveness: the process is up.
///
/// Answers as long as the HTTP server runs; touches neither the database nor the index.
#[utoipa::path(tag = "operations", responses((status = 200, description = "The process is up", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health {
        status: "ok".into(),
        index_lag: None,
        index_lag_seconds: None,
        search: None,
        semantic_pending: None,
    })
}

/// How long readiness waits for the read replica to answer.
const READINESS_WAIT: std::time::Duration = std::time::Duration::from_secs(2);
/// How long readiness waits for its whole check.
const READINESS_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(4);

/// Readiness: the database answers, the index is reachable and in step.
///
/// 503 (problem code `not_ready`, `Retry-After: 1`) while the database or the index cannot be
/// reached or the index is more than `--ready-max-lag` changes behind or has not applied a
/// change made more than `--ready-max-lag-seconds` ago, so that a load balancer takes a
/// lagging server out. Reports how many published changes the search index has still to apply, and whether
/// searches use the semantic channel (`search`: `hybrid`) or words only (`lexical`, when the
/// server has no embedding model).
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Ready", body = Health),
        (status = 503, description = "Not ready: the database or the index is unreachable, or the index lags by more than `--ready-max-lag` changes or `--ready-max-lag-seconds`")
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let s = state.clone();
    // The read replica, when there is one, must answer too (a pooled connection is checked
    // out with a query); the index's progress is measured against the primary's outbox. A
    // database that hangs rather than refuses makes the answer 503 after READINESS_TIMEOUT,
    // not whenever the pool or the network gives up.
    let check = web::block(move || {
        if let Some(replica) = &s.read_replica {
            replica.answers_within(READINESS_WAIT)?;
        }
        s.index.progress(&s.db)
    });
    let progress = actix_web::rt::time::timeout(READINESS_TIMEOUT, check)
        .await
        .map_err(|_| {
            ApiError::NotReady(format!(
                "the database did not answer within {} s",
                READINESS_TIMEOUT.as_secs()
            ))
        })?
        .map_err(|e| ApiError::NotReady(format!("readiness check: {e}")))?
        .map_err(|e| ApiError::NotReady(format!("database or index: {e}")))?;
    state.ready_max_lag.in_step(&progress)?;
    let semantic = state.index.semantic();
    Ok(HttpResponse::Ok().json(Health {
        status: "ready".into(),
        index_lag: Some(progress.lag()),
        index_lag_seconds: Some(progress.waiting_seconds),
        search: Some(
            if semantic.is_some() {
                "hybrid"
            } else {
                "lexical"
            }
            .into(),
        ),
        semantic_pending: semantic.map(|s| s.pending()),
    }))
}

/// Prometheus metrics.
///
/// Request counts by route pattern, method and status; latency histograms by route; the
/// search index's lag behind the registry in outbox rows; whether the semantic channel is on,
/// with the item names still waiting for a vector. Text exposition format 0.0.4.
#[utoipa::path(
    tag = "operations",
    responses(
        (status = 200, description = "Metrics in the Prometheus text format", body = String, content_type = "text/plain"),
        (status = 500, description = "The database or the index is unreachable")
    )
)]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let s = state.clone();
    let gauges = web::block(move || -> Result<ScrapeGauges, ApiError> {
        let progress = s.index.progress(&s.db)?;
        Ok(ScrapeGauges {
            pool: s.db.pool_status(),
            lag: progress.lag(),
            lag_seconds: progress.waiting_seconds,
            applied: progress.applied,
            outbox: progress.outbox,
            size_bytes: s.index.size_on_disk(),
            semantic: s
                .index
                .semantic()
                .map(|sem| (sem.pending(), sem.store().len())),
            process: crate::state::process::read(),
        })
    })
    .await??;
    Ok(HttpResponse::Ok()
        .content_type(prometheus_client::encoding::prometheus_text::CONTENT_TYPE)
        .body(state.metrics.render(&gauges)))
}

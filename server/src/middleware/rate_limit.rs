//! Per-client rate limits on search (the API and the search page), export and citizens'
//! feedback submitted: a request over
//! its client's budget gets 429 with Retry-After before any work is done. The buckets are in
//! [`crate::state::rate_limits`].

use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{ResponseError, web};

use crate::error::ApiError;
use crate::extract::auth::client_address;
use crate::state::AppState;

/// Refuses a limited request over its client's budget.
pub async fn limit_rate(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    // Routing matches the decoded path: so must the limits (`/api/v1/searc%68` is a search).
    let path = percent_encoding::percent_decode_str(req.path()).decode_utf8_lossy();
    let limits = req
        .app_data::<web::Data<AppState>>()
        .map(|s| s.limits.clone());
    let limiter = limits.as_ref().and_then(|l| {
        let search_page = path == "/" && !req.query_string().is_empty();
        if search_page || path.starts_with("/api/v1/search") || path.starts_with("/api/v1/suggest")
        {
            Some(&l.search)
        } else if path.starts_with("/api/v1/export") {
            Some(&l.export)
        } else if req.method() == actix_web::http::Method::POST
            && path.trim_end_matches('/').ends_with("/feedback")
        {
            Some(&l.feedback)
        } else {
            None
        }
    });
    if let (Some(limiter), Some(limits)) = (limiter, limits.as_ref())
        && let Some(client) = client_address(req.request(), limits.behind_proxy)
        && let Err(wait) = limiter.check(client, Instant::now())
    {
        let response = ApiError::rate_limited(wait).error_response();
        return Ok(req.into_response(response));
    }
    Ok(next.call(req).await?.map_into_boxed_body())
}

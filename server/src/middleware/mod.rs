//! Middleware around every route, in the order `crate::app::build` wraps them: metrics (the
//! outermost, so refusals count too), the body limit, the per-client rate limits, HEAD as GET,
//! and ETag / If-None-Match on reads (the innermost, over the uncompressed body).

pub mod body_limit;
pub mod etag;
pub mod head;
pub mod metrics;
pub mod rate_limit;

//! Middleware around every route, in the order `crate::app::build` wraps them: the request id
//! (the outermost, so every answer has one), metrics (so refusals count too), the body limit, the per-client rate limits, HEAD as GET,
//! and ETag / If-None-Match on reads (the innermost, over the uncompressed body).

pub mod body_limit;
pub mod etag;
pub mod head;
pub mod metrics;
pub mod rate_limit;
pub mod request_id;

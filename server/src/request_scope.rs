//! The id of the request being answered, for whatever runs on its task and needs it — the
//! problem+json body of an error, a log line — without passing it through every call.
//! `middleware::request_id` opens the scope; this module depends on nothing else, so that
//! errors and middleware may both use it.

use std::future::Future;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// Runs `future` (the rest of the request's handling) with `id` as the current request id.
pub async fn scope<F: Future>(id: String, future: F) -> F::Output {
    REQUEST_ID.scope(id, future).await
}

/// The id of the request this task answers, if any (outside a request: `None`).
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

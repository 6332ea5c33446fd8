//! Request ids: every answer carries `X-Request-Id` — the caller's own when it sent a sane one
//! (a proxy or a client tracing a call across systems), else one made here — and so does every
//! problem+json body and the access log line (`QUANZE_LOG=quanze::access=info`), so that an
//! operator can find the log of the request a user reports.

use std::time::Instant;

use actix_web::Error;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;

/// The header that carries the id, both ways.
pub const HEADER: &str = "x-request-id";

/// Longest id taken from a caller.
const MAX_LEN: usize = 128;

/// A caller's id is kept when it is short and made of letters, digits and `-_.:`; anything
/// else (empty, long, spaces, control characters) is replaced, never echoed.
fn sane(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

/// 128 random bits in hex.
fn fresh() -> String {
    let mut bytes = [0u8; 16];
    // Without randomness (never seen on Linux) the id is still unique enough from the clock.
    if quanze_registry::auth::random_bytes(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        bytes = nanos.to_le_bytes();
    }
    quanze_registry::auth::hex(&bytes)
}

/// Gives the request its id, answers it inside the id's scope, sets the header and logs one
/// access line.
pub async fn tag(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let id = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| sane(v))
        .map_or_else(fresh, str::to_string);
    // What the access line needs is kept only when it is written (off by default).
    let access = tracing::enabled!(target: "quanze::access", tracing::Level::INFO)
        .then(|| (Instant::now(), req.method().clone(), req.path().to_string()));
    // (An `Err` from inside passes through without the header: turning it into a response
    // here would need a second handle on the request, which the path normalisation inside
    // must hold alone. The app's own errors are responses, made inside the scope.)
    let mut response = crate::request_scope::scope(id.clone(), next.call(req)).await?;
    if let Some((started, method, path)) = access {
        tracing::info!(
            target: "quanze::access",
            request_id = %id,
            %method,
            path = %path,
            status = response.status().as_u16(),
            ms = format_args!("{:.2}", started.elapsed().as_secs_f64() * 1000.0),
        );
    }
    if let Ok(value) = HeaderValue::from_str(&id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static(HEADER), value);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_sane_ids_are_kept() {
        assert!(sane("3f9c2a-proxy.7:1"));
        assert!(!sane(""));
        assert!(!sane("a b"));
        assert!(!sane("<script>"));
        assert!(!sane(&"x".repeat(MAX_LEN + 1)));
        assert!(sane(&"x".repeat(MAX_LEN)));
        let made = fresh();
        assert_eq!(made.len(), 32);
        assert!(sane(&made));
        assert_ne!(made, fresh());
    }
}

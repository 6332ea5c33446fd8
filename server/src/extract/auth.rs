//! Bearer-token authentication for the maintenance API. A handler that takes a [`Caller`]
//! answers only to a valid token; failed attempts are rate limited per client address (a held
//! back address still gets through with a valid token), failures are logged at warn, and
//! tokens never reach the logs.

use std::future::Future;
use std::net::IpAddr;
use std::pin::Pin;
use std::time::Instant;

use actix_web::{FromRequest, HttpRequest, web};
use quanze_registry::auth::Principal;

use crate::error::ApiError;
use crate::state::AppState;

/// The client's address: the TCP peer, or behind a proxy the address the proxy appended to
/// `X-Forwarded-For` — the last entry, since a client can put anything before it.
pub fn client_address(req: &HttpRequest, behind_proxy: bool) -> Option<IpAddr> {
    let forwarded = behind_proxy
        .then(|| {
            req.headers()
                .get_all("x-forwarded-for")
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .last()
                .map(|a| a.trim().to_string())
        })
        .flatten()
        .and_then(|a| {
            a.parse::<IpAddr>()
                .ok()
                .or_else(|| a.parse::<std::net::SocketAddr>().ok().map(|s| s.ip()))
        });
    forwarded.or_else(|| req.peer_addr().map(|a| a.ip()))
}

/// An authenticated caller of the maintenance API.
pub struct Caller(pub Principal);

fn bearer(req: &HttpRequest) -> Option<String> {
    let value = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim().to_string())
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Caller, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer(req);
        let behind_proxy = state.as_ref().is_some_and(|s| s.limits.behind_proxy);
        let client = client_address(req, behind_proxy);
        Box::pin(async move {
            let state =
                state.ok_or_else(|| ApiError::Internal("no application state".to_string()))?;
            let origin = client
                .map(|c| c.to_string())
                .unwrap_or_else(|| "unknown".into());
            // A client address that keeps failing is held back, but a valid token still gets
            // through: someone behind the same NAT as a guesser is not locked out.
            let held_back =
                client.and_then(|c| state.limits.auth_failures.blocked_for(c, Instant::now()));
            let Some(token) = token else {
                return Err(match held_back {
                    Some(wait) => ApiError::rate_limited(wait),
                    None => ApiError::Unauthenticated("no bearer token".into()),
                });
            };
            let result = state
                .with_conn(move |conn| {
                    Ok(quanze_registry::repo::users::authenticate(
                        conn,
                        &token,
                        &origin,
                        quanze_registry::repo::now(),
                    )?)
                })
                .await;
            if let (Err(ApiError::Unauthenticated(_)), Some(c)) = (&result, client) {
                if let Some(wait) = held_back {
                    return Err(ApiError::rate_limited(wait));
                }
                let _ = state.limits.auth_failures.check(c, Instant::now());
            }
            result.map(Caller)
        })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    #[test]
    fn behind_a_proxy_the_last_forwarded_address_counts() {
        let req = TestRequest::default()
            .peer_addr("10.0.0.2:4000".parse().unwrap())
            .insert_header(("X-Forwarded-For", "6.6.6.6, 203.0.113.9"))
            .to_http_request();
        assert_eq!(
            client_address(&req, true),
            Some("203.0.113.9".parse().unwrap())
        );
        assert_eq!(
            client_address(&req, false),
            Some("10.0.0.2".parse().unwrap())
        );
        let bare = TestRequest::default()
            .peer_addr("10.0.0.2:4000".parse().unwrap())
            .to_http_request();
        assert_eq!(
            client_address(&bare, true),
            Some("10.0.0.2".parse().unwrap())
        );
    }
}

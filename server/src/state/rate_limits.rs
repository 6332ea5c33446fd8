//! The buckets of the per-client rate limits on the expensive public routes (search,
//! suggestions, export) and on failed authentications: a token bucket per client address, so
//! one script cannot starve everyone else. `crate::middleware::rate_limit` refuses with 429.
//!
//! Kept here rather than taken from actix-extensible-rate-limit or governor: the same buckets
//! serve a middleware (search, export) and the bearer-token extractor (only *failed*
//! authentications count, which a request-counting middleware cannot express); the clock is a
//! parameter, so tests check refill exactly; IPv6 clients are grouped by /64; and memory is
//! bounded by dropping full buckets. The arithmetic is a dozen lines.

use std::collections::HashMap;
use std::hash::Hash;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Buckets kept before idle (full) ones are dropped.
const MAX_TRACKED_CLIENTS: usize = 100_000;

struct Bucket {
    tokens: f64,
    refilled: Instant,
}

/// What a limiter keeps a bucket for: a client address (IPv6 by its /64), or an account name.
pub trait LimitKey: Hash + Eq {
    /// The key of the bucket this one shares.
    fn bucket(self) -> Self;
}

impl LimitKey for IpAddr {
    fn bucket(self) -> Self {
        client_key(self)
    }
}

impl LimitKey for String {
    fn bucket(self) -> Self {
        self
    }
}

/// A token bucket per client (or per account): a steady rate with bursts.
pub struct RateLimiter<K = IpAddr> {
    per_second: f64,
    burst: f64,
    buckets: Mutex<HashMap<K, Bucket>>,
}

impl<K: LimitKey> RateLimiter<K> {
    /// `per_minute` on average, in bursts of up to a sixth of that (at least one).
    pub fn per_minute(per_minute: u32) -> RateLimiter<K> {
        let per_minute = f64::from(per_minute.max(1));
        RateLimiter::with_burst((per_minute / 6.0).ceil(), per_minute / 60.0)
    }

    /// `burst` at once (at least one), then one every `1 / per_second` seconds.
    pub fn with_burst(burst: f64, per_second: f64) -> RateLimiter<K> {
        RateLimiter {
            per_second: per_second.max(1e-6),
            burst: burst.max(1.0),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// The tokens a bucket holds at `now` (refilled since it was last touched, up to the burst).
    fn tokens_at(&self, bucket: &Bucket, now: Instant) -> f64 {
        let elapsed = now.saturating_duration_since(bucket.refilled).as_secs_f64();
        (bucket.tokens + elapsed * self.per_second).min(self.burst)
    }

    /// How long until a bucket holding `tokens` has one.
    fn wait_for_token(&self, tokens: f64) -> Duration {
        Duration::from_secs_f64((1.0 - tokens) / self.per_second)
    }

    /// How long `client` must wait for a token, without taking one (None: it may go on).
    pub fn blocked_for(&self, client: K, now: Instant) -> Option<Duration> {
        let buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let tokens = self.tokens_at(buckets.get(&client.bucket())?, now);
        (tokens < 1.0).then(|| self.wait_for_token(tokens))
    }

    /// Gives back a token taken by [`RateLimiter::check`] (an attempt that turned out not to
    /// count, such as a sign-in with the right password).
    pub fn refund(&self, client: K, now: Instant) {
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(bucket) = buckets.get_mut(&client.bucket()) {
            bucket.tokens = (self.tokens_at(bucket, now) + 1.0).min(self.burst);
            bucket.refilled = now;
        }
    }

    /// Takes a token for `client`, or says how long until one is available.
    pub fn check(&self, client: K, now: Instant) -> Result<(), Duration> {
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if buckets.len() >= MAX_TRACKED_CLIENTS {
            // Full buckets are idle clients: forget them.
            buckets.retain(|_, b| self.tokens_at(b, now) < self.burst);
        }
        let bucket = buckets.entry(client.bucket()).or_insert(Bucket {
            tokens: self.burst,
            refilled: now,
        });
        bucket.tokens = self.tokens_at(bucket, now);
        bucket.refilled = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(self.wait_for_token(bucket.tokens))
        }
    }
}

/// The limits the server applies, and how it tells clients apart.
pub struct RateLimits {
    pub search: RateLimiter,
    pub export: RateLimiter,
    /// Citizens' ratings, complaints and corrections submitted (API and form).
    pub feedback: RateLimiter,
    /// Failed authentications (a bucket is taken only by a failure).
    pub auth_failures: RateLimiter,
    /// Failed workbench sign-ins per account (by the name typed, existing or not), so that a
    /// password is not guessed from many addresses.
    pub sign_in_failures: RateLimiter<String>,
    /// Take the client address from the last `X-Forwarded-For` entry (only behind a proxy
    /// that appends it; otherwise clients could pick their own address).
    pub behind_proxy: bool,
}

/// IPv6 clients are limited per /64, the block one subscriber usually gets, so rotating
/// addresses within it does not escape the limit.
fn client_key(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V4(_) => addr,
        IpAddr::V6(v6) => {
            let mut segments = v6.segments();
            segments[4..].fill(0);
            IpAddr::V6(segments.into())
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_the_refill_rate_per_client() {
        let limiter = RateLimiter::per_minute(60); // 1/s, bursts of 10
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let t0 = Instant::now();
        for _ in 0..10 {
            assert!(limiter.check(a, t0).is_ok());
        }
        let wait = limiter.check(a, t0).err();
        assert!(
            wait.is_some_and(|w| w > Duration::from_millis(900) && w <= Duration::from_secs(1))
        );
        assert!(
            limiter.check(b, t0).is_ok(),
            "another client is not affected"
        );
        assert!(limiter.check(a, t0 + Duration::from_millis(1_100)).is_ok());
        assert!(limiter.check(a, t0 + Duration::from_millis(1_200)).is_err());
    }

    #[test]
    fn ipv6_clients_share_their_64() {
        let one: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let other: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        assert_eq!(client_key(one), client_key(other));
        let v4: IpAddr = "192.0.2.7".parse().unwrap();
        assert_eq!(client_key(v4), v4);
    }
}

//! When a server is ready to take searches: how far its index may lag behind the registry.
//! `/readyz` asks this; a load balancer takes out a server that answers 503.

use quanze_indexer::index::IndexProgress;

use crate::error::ApiError;

/// How far behind the registry a server's index may be and still take searches: a load
/// balancer takes out a server whose `/readyz` says 503.
#[derive(Debug, Clone, Copy)]
pub struct LagLimits {
    /// Changes not yet in the index.
    pub changes: i64,
    /// Seconds the oldest of them has waited.
    pub seconds: u64,
}

impl LagLimits {
    /// Whether an index that far behind is close enough to serve.
    pub fn in_step(&self, progress: &IndexProgress) -> Result<(), ApiError> {
        let lag = progress.lag();
        if lag > self.changes {
            return Err(ApiError::NotReady(format!(
                "the index is {lag} changes behind the registry (more than {})",
                self.changes
            )));
        }
        if progress.waiting_seconds > self.seconds as f64 {
            return Err(ApiError::NotReady(format!(
                "the index has not applied a change made {:.0} s ago (more than {} s)",
                progress.waiting_seconds, self.seconds
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use actix_web::ResponseError;

    #[test]
    fn a_lagging_index_is_not_ready_with_503_and_retry_after() {
        let limits = LagLimits {
            changes: 1_000,
            seconds: 30,
        };
        let at = |applied: i64, waiting_seconds: f64| IndexProgress {
            outbox: 5_000,
            applied,
            waiting_seconds,
        };
        assert!(limits.in_step(&at(5_000, 0.0)).is_ok());
        assert!(limits.in_step(&at(4_000, 30.0)).is_ok());
        assert!(limits.in_step(&at(4_999, 30.5)).is_err());
        let e = limits.in_step(&at(3_999, 0.2)).unwrap_err();
        let response = e.error_response();
        assert_eq!(response.status().as_u16(), 503);
        assert_eq!(response.headers().get("retry-after").unwrap(), "1");
        assert_eq!(
            response.headers().get("content-type").unwrap(),
            "application/problem+json"
        );
    }
}

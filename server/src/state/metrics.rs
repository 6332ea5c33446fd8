//! What `/metrics` reports, in the Prometheus text format: requests by route, method and status, latency
//! histograms by route, and how far the search index is behind the registry. Routes are
//! labelled by their pattern (`/api/v1/items/{id_or_code}`), never by the raw path, so the
//! number of series stays fixed whatever clients request.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

#[derive(Default)]
struct Histogram {
    /// Observations at or below each bound (cumulative when rendered).
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Default)]
struct Recorded {
    requests: BTreeMap<(String, String, u16), u64>,
    latency: BTreeMap<String, Histogram>,
}

/// Request counts and latencies since the process started.
#[derive(Default)]
pub struct Metrics(Mutex<Recorded>);

impl Metrics {
    pub fn observe(&self, route: &str, method: &str, status: u16, seconds: f64) {
        let mut r = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *r.requests
            .entry((route.to_string(), method.to_string(), status))
            .or_default() += 1;
        let h = r.latency.entry(route.to_string()).or_default();
        if let Some(i) = BUCKETS.iter().position(|b| seconds <= *b) {
            h.counts[i] += 1;
        }
        h.sum += seconds;
        h.count += 1;
    }

    /// The Prometheus text exposition of what was recorded, plus the index gauges.
    pub fn render(&self, index: &IndexGauges) -> String {
        let r = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = writeln!(
            out,
            "# HELP quanze_http_requests_total HTTP requests answered, by route pattern, method and status.\n\
             # TYPE quanze_http_requests_total counter"
        );
        for ((route, method, status), n) in &r.requests {
            let _ = writeln!(
                out,
                "quanze_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{status}\"}} {n}",
                label(route),
                label(method)
            );
        }
        let _ = writeln!(
            out,
            "# HELP quanze_http_request_duration_seconds Time to the response head, by route pattern.\n\
             # TYPE quanze_http_request_duration_seconds histogram"
        );
        for (route, h) in &r.latency {
            let route = label(route);
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(h.counts) {
                cumulative += n;
                let _ = writeln!(
                    out,
                    "quanze_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {cumulative}"
                );
            }
            let _ = writeln!(
                out,
                "quanze_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}\n\
                 quanze_http_request_duration_seconds_sum{{route=\"{route}\"}} {}\n\
                 quanze_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count, h.sum, h.count
            );
        }
        let _ = writeln!(
            out,
            "# HELP quanze_index_lag_rows Published changes (outbox rows) not yet in the search index.\n\
             # TYPE quanze_index_lag_rows gauge\n\
             quanze_index_lag_rows {}\n\
             # HELP quanze_index_applied_seq Last outbox sequence number applied to the search index.\n\
             # TYPE quanze_index_applied_seq gauge\n\
             quanze_index_applied_seq {}\n\
             # HELP quanze_outbox_seq Newest outbox sequence number in the registry.\n\
             # TYPE quanze_outbox_seq gauge\n\
             quanze_outbox_seq {}\n\
             # HELP quanze_index_size_bytes Size of the live search index on disk.\n\
             # TYPE quanze_index_size_bytes gauge\n\
             quanze_index_size_bytes {}",
            index.lag, index.applied, index.outbox, index.size_bytes
        );
        out
    }
}

/// Escapes a label value (backslash, quote, newline).
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

pub struct IndexGauges {
    pub lag: i64,
    pub applied: i64,
    pub outbox: i64,
    pub size_bytes: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_buckets() {
        let m = Metrics::default();
        m.observe("/api/v1/search", "GET", 200, 0.004);
        m.observe("/api/v1/search", "GET", 200, 0.2);
        m.observe("/api/v1/search", "GET", 400, 0.0005);
        let text = m.render(&IndexGauges {
            lag: 3,
            applied: 7,
            outbox: 10,
            size_bytes: 1,
        });
        assert!(text.contains(
            "quanze_http_requests_total{route=\"/api/v1/search\",method=\"GET\",status=\"200\"} 2"
        ));
        assert!(text.contains(
            "quanze_http_request_duration_seconds_bucket{route=\"/api/v1/search\",le=\"0.005\"} 2"
        ));
        assert!(text.contains(
            "quanze_http_request_duration_seconds_bucket{route=\"/api/v1/search\",le=\"+Inf\"} 3"
        ));
        assert!(text.contains("quanze_index_lag_rows 3\n"));
        assert_eq!(label("a\"b\\c"), "a\\\"b\\\\c");
    }
}

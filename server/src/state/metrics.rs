//! What `/metrics` reports, in the Prometheus text format (0.0.4), through the
//! prometheus-client registry: requests by route, method and status, latency histograms by
//! route, and how far the search index is behind the registry. Routes are labelled by their
//! pattern (`/api/v1/items/{id_or_code}`), never by the raw path, so the number of series stays
//! fixed whatever clients request.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

fn latency_histogram() -> Histogram {
    Histogram::new(BUCKETS)
}

/// Request counts and latencies since the process started, and the index and pool gauges (set at each
/// scrape).
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: Family<RouteLabels, Histogram, fn() -> Histogram>,
    index_lag: Gauge,
    index_lag_seconds: Gauge<f64, AtomicU64>,
    index_applied: Gauge,
    outbox: Gauge,
    index_size: Gauge,
    semantic_enabled: Gauge,
    semantic_pending: Gauge,
    semantic_vectors: Gauge,
    pool_max: Gauge,
    pool_open: Gauge,
    pool_idle: Gauge,
    process_resident: Gauge,
    process_open_fds: Gauge,
    process_cpu: Counter<f64, AtomicU64>,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        let latency = Family::new_with_constructor(latency_histogram as fn() -> Histogram);
        let [
            index_lag,
            index_applied,
            outbox,
            index_size,
            semantic_enabled,
            semantic_pending,
            semantic_vectors,
            pool_max,
            pool_open,
            pool_idle,
            process_resident,
            process_open_fds,
        ] = std::array::from_fn(|_| Gauge::default());
        let process_cpu = Counter::<f64, AtomicU64>::default();
        let index_lag_seconds = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "quanze_http_requests",
            "HTTP requests answered, by route pattern, method and status",
            requests.clone(),
        );
        registry.register(
            "quanze_http_request_duration_seconds",
            "Time to the response head, by route pattern",
            latency.clone(),
        );
        registry.register(
            "quanze_index_lag_rows",
            "Published changes (outbox rows) not yet in the search index",
            index_lag.clone(),
        );
        registry.register(
            "quanze_index_lag_seconds",
            "How long the oldest change not yet in the search index has waited (0: in step)",
            index_lag_seconds.clone(),
        );
        registry.register(
            "quanze_index_applied_seq",
            "Last outbox sequence number applied to the search index",
            index_applied.clone(),
        );
        registry.register(
            "quanze_outbox_seq",
            "Newest outbox sequence number in the registry",
            outbox.clone(),
        );
        registry.register(
            "quanze_index_size_bytes",
            "Size of the live search index on disk",
            index_size.clone(),
        );
        registry.register(
            "quanze_semantic_enabled",
            "1 when searches use the semantic channel (an embedding model is loaded), else 0",
            semantic_enabled.clone(),
        );
        registry.register(
            "quanze_semantic_pending_passages",
            "Distinct item names waiting for their vector (found by their words until then)",
            semantic_pending.clone(),
        );
        registry.register(
            "quanze_semantic_vectors",
            "Distinct item names with a vector",
            semantic_vectors.clone(),
        );
        registry.register(
            "quanze_db_pool_max_connections",
            "Database connections the pool may hold (--db-pool-size)",
            pool_max.clone(),
        );
        registry.register(
            "quanze_db_pool_open_connections",
            "Database connections open now, in use or idle",
            pool_open.clone(),
        );
        registry.register(
            "quanze_db_pool_idle_connections",
            "Open database connections nobody is using; 0 for long means requests queue for one",
            pool_idle.clone(),
        );
        registry.register(
            "process_resident_memory_bytes",
            "Resident memory of the server process",
            process_resident.clone(),
        );
        registry.register(
            "process_open_fds",
            "Open file descriptors of the server process (connections, index files)",
            process_open_fds.clone(),
        );
        registry.register(
            "process_cpu_seconds",
            "User and system CPU time of the server process",
            process_cpu.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            index_lag,
            index_lag_seconds,
            index_applied,
            outbox,
            index_size,
            semantic_enabled,
            semantic_pending,
            semantic_vectors,
            pool_max,
            pool_open,
            pool_idle,
            process_resident,
            process_open_fds,
            process_cpu,
        }
    }
}

impl Metrics {
    pub fn observe(&self, route: &str, method: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_string(),
                method: method.to_string(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabels {
                route: route.to_string(),
            })
            .observe(seconds);
    }

    /// The Prometheus text exposition of what was recorded, with the gauges read at this scrape.
    pub fn render(&self, gauges: &ScrapeGauges) -> String {
        self.index_lag.set(gauges.lag);
        self.index_lag_seconds.set(gauges.lag_seconds);
        self.index_applied.set(gauges.applied);
        self.outbox.set(gauges.outbox);
        self.index_size
            .set(i64::try_from(gauges.size_bytes).unwrap_or(i64::MAX));
        let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        let (pending, vectors) = gauges.semantic.unwrap_or_default();
        self.semantic_enabled
            .set(i64::from(gauges.semantic.is_some()));
        self.semantic_pending.set(count(pending));
        self.semantic_vectors.set(count(vectors));
        self.pool_max.set(i64::from(gauges.pool.max));
        self.pool_open.set(i64::from(gauges.pool.open));
        self.pool_idle.set(i64::from(gauges.pool.idle));
        if let Some(p) = gauges.process {
            self.process_resident
                .set(i64::try_from(p.resident_bytes).unwrap_or(i64::MAX));
            self.process_open_fds
                .set(i64::try_from(p.open_fds).unwrap_or(i64::MAX));
            // A counter only grows: it is brought up to the total the process reports.
            let more = p.cpu_seconds - self.process_cpu.get();
            if more > 0.0 {
                self.process_cpu.inc_by(more);
            }
        }
        let mut out = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::prometheus_text::encode(&mut out, &self.registry);
        out
    }
}

/// The search index's progress and the connection pool's figures, read at each scrape.
pub struct ScrapeGauges {
    pub pool: quanze_registry::db::PoolStatus,
    pub lag: i64,
    /// How long the oldest change not yet applied has waited, in seconds.
    pub lag_seconds: f64,
    pub applied: i64,
    pub outbox: i64,
    pub size_bytes: u64,
    /// Passages waiting for a vector and vectors held, when the semantic channel is on.
    pub semantic: Option<(usize, usize)>,
    /// The process's memory, CPU time and open files (Linux).
    pub process: Option<super::process::ProcessFigures>,
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
        let text = m.render(&ScrapeGauges {
            lag: 3,
            lag_seconds: 1.5,
            applied: 7,
            outbox: 10,
            size_bytes: 1,
            semantic: Some((2, 1384)),
            process: Some(super::super::process::ProcessFigures {
                resident_bytes: 2048,
                cpu_seconds: 1.25,
                open_fds: 9,
            }),
            pool: quanze_registry::db::PoolStatus {
                max: 4,
                open: 2,
                idle: 1,
            },
        });
        assert!(text.contains("quanze_db_pool_idle_connections 1\n"));
        assert!(text.contains("quanze_semantic_vectors 1384\n"));
        assert!(text.contains("quanze_semantic_enabled 1\n"));
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
        assert!(text.contains("quanze_index_lag_seconds 1.5\n"), "{text}");
        assert!(
            text.contains("process_resident_memory_bytes 2048\n"),
            "{text}"
        );
        assert!(text.contains("process_open_fds 9\n"), "{text}");
        assert!(text.contains("process_cpu_seconds_total 1.25\n"), "{text}");
        // Label values are escaped.
        m.observe("/a\"b\\c", "GET", 200, 0.1);
        assert!(
            m.render(&ScrapeGauges {
                lag: 0,
                lag_seconds: 0.0,
                applied: 0,
                outbox: 0,
                size_bytes: 0,
                semantic: None,
                process: None,
                pool: quanze_registry::db::PoolStatus {
                    max: 1,
                    open: 0,
                    idle: 0,
                },
            })
            .contains("route=\"/a\\\"b\\\\c\"")
        );
    }
}

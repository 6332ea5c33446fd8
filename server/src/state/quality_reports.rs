//! Quality reports, cached while nothing public has changed: a report reads every published
//! item with its lists and links, which a public route must not do on each request. Every
//! change a report can see (an item written, flagged or relinked, a law imported) appends to
//! the outbox, so its newest sequence says when a cached report is out of date.

use std::sync::Arc;

use chrono::Timelike;
use quanze_registry::DbConnection;
use quanze_registry::quality::{QualityQuery, QualityReport, quality_report};

use crate::error::ApiError;
use crate::state::cached::KeptByKey;

/// Reports kept at most: one per department and staleness asked for within the hour.
const KEPT: usize = 64;

/// Which report: its department, its staleness threshold and the hour it was made in (items
/// become stale by the day, so an hour-old report says the same).
type ReportKey = (Option<i64>, i64, chrono::NaiveDateTime);

/// The reports of the last requests, kept while the outbox's newest sequence stays the same.
pub struct QualityReports(KeptByKey<i64, ReportKey, QualityReport>);

impl Default for QualityReports {
    fn default() -> Self {
        QualityReports(KeptByKey::new(KEPT))
    }
}

impl QualityReports {
    /// The report for `query`: cached when nothing changed since it was made.
    pub fn get(
        &self,
        conn: &mut DbConnection,
        query: &QualityQuery,
    ) -> Result<Arc<QualityReport>, ApiError> {
        let seq = quanze_registry::repo::history::max_outbox_seq(conn)?;
        let hour = query
            .now
            .with_minute(0)
            .and_then(|t| t.with_second(0))
            .and_then(|t| t.with_nanosecond(0))
            .unwrap_or(query.now);
        let key = (query.department, query.stale_after_days, hour);
        self.0.get(seq, key, || Ok(quality_report(conn, query)?))
    }
}

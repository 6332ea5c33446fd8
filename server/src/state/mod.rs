//! The state every handler and middleware shares — the database pool, the search index, the
//! request metrics, the rate-limit buckets, cached region tallies, statistics and quality
//! reports — and the one way handlers reach the database: off the async workers, since
//! diesel blocks.

pub mod cached;
pub mod metrics;
pub mod process;
pub mod quality_reports;
pub mod rate_limits;
pub mod readiness;

use std::sync::Arc;

use quanze_indexer::SearchIndex;
use quanze_registry::Database;

use crate::error::ApiError;
use cached::Cached;
use metrics::Metrics;
use quality_reports::QualityReports;
use rate_limits::RateLimits;

/// What every handler and middleware may use; shared by all workers.
#[derive(Clone)]
pub struct AppState {
    /// The primary: every write, and reads that must see the caller's own writes.
    pub db: Database,
    /// A PostgreSQL hot standby for public reads (`--read-database-url`), if the server has one.
    pub read_replica: Option<Database>,
    pub index: Arc<SearchIndex>,
    pub metrics: Arc<Metrics>,
    pub limits: Arc<RateLimits>,
    pub region_tallies: Arc<Cached<quanze_registry::repo::regions::RegionTallies>>,
    /// The statistics page's figures of items.
    pub item_figures: Arc<Cached<quanze_registry::statistics::ItemFigures>>,
    /// List reviews, by dates and department.
    pub list_reviews: Arc<cached::ListReviews>,
    pub quality_reports: Arc<QualityReports>,
    /// How long workbench sessions last.
    pub sessions: quanze_registry::sessions::SessionPolicy,
    /// Password checks running at once: each takes 19 MiB and a core for tens of milliseconds,
    /// so a burst of sign-ins waits here instead of taking every blocking thread.
    pub password_checks: Arc<tokio::sync::Semaphore>,
    /// How far behind the index may be while `/readyz` says ready.
    pub ready_max_lag: crate::state::readiness::LagLimits,
    /// Citizens' feedback: how long departments have to answer, and the key of the question
    /// on the form.
    pub feedback: Arc<FeedbackSettings>,
}

/// What the public feedback routes need besides the database.
pub struct FeedbackSettings {
    pub policy: quanze_registry::feedback::AnswerPolicy,
    /// The registry's shared key that signs the form's question (`quanze_registry::secrets`).
    pub question_key: Vec<u8>,
}

impl AppState {
    /// Runs database work off the async workers (diesel blocks) with a pooled connection of
    /// the primary: writes, and reads that must see the caller's own writes.
    pub async fn with_conn<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut quanze_registry::DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        blocking(self.db.clone(), work).await
    }

    /// Where what anyone may read is read from: the read replica, else the primary.
    pub fn public_reads(&self) -> &Database {
        self.read_replica.as_ref().unwrap_or(&self.db)
    }

    /// Like [`AppState::with_conn`] for what anyone may read (public pages and API reads):
    /// from the read replica when the server has one (`--read-database-url`), so a moment
    /// behind the primary.
    pub async fn with_public_read<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut quanze_registry::DbConnection) -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        blocking(self.public_reads().clone(), work).await
    }
}

/// `work` on a pooled connection of `db`, off the async workers.
async fn blocking<T, F>(db: Database, work: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut quanze_registry::DbConnection) -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    actix_web::web::block(move || {
        let mut conn = db.conn()?;
        work(&mut conn)
    })
    .await?
}

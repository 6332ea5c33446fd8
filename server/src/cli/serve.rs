//! `quanze serve`: opens the index, starts the follower, runs the HTTP service until SIGINT or
//! SIGTERM, then lets in-flight requests finish and stops the follower after its current
//! batch (every batch is one index commit).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use actix_web::HttpServer;
use quanze_indexer::SearchIndex;
use quanze_indexer::index::Analysis;
use quanze_indexer::semantic::Semantic;
use quanze_registry::Database;

use super::CliError;
use crate::follower::Follower;
use crate::middleware::body_limit::MaxBody;
use crate::state::metrics::Metrics;
use crate::state::rate_limits::{RateLimiter, RateLimits};
use crate::state::{AppState, FeedbackSettings};

/// How the service runs: where it listens and what it lets one client do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub bind: String,
    pub workers: Option<usize>,
    /// Searches and suggestions per client per minute.
    pub search_per_minute: u32,
    /// Exports per client per minute.
    pub export_per_minute: u32,
    /// Ratings, complaints and corrections per client per minute.
    pub feedback_per_minute: u32,
    /// Working days a department has to answer a complaint or correction.
    pub feedback_answer_days: u32,
    /// Failed authentications per client per minute before it is refused (429).
    pub auth_failures_per_minute: u32,
    /// Take the client address from the last `X-Forwarded-For` entry (the proxy's).
    pub behind_proxy: bool,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// The embedding model file of the semantic channel; `None`: words only.
    pub model: Option<PathBuf>,
    /// How long workbench sessions last.
    pub session: quanze_registry::sessions::SessionPolicy,
    /// Failed sign-ins one account may take at once (then one every 3 minutes).
    pub sign_in_failures_per_account: u32,
    /// How far behind the index may be while `/readyz` says ready.
    pub ready_max_lag: crate::state::readiness::LagLimits,
}

/// The model file a server uses unless told otherwise: `<data-dir>/model/e5-small-q4.bin` when
/// an operator put one there, else the one committed in the repository the binary was built
/// from.
pub fn default_model(data_dir: &Path) -> PathBuf {
    let local = data_dir.join("model").join(MODEL_FILE);
    if local.is_file() {
        return local;
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../indexer/embed/model")
        .join(MODEL_FILE)
}

const MODEL_FILE: &str = "e5-small-q4.bin";

/// Loads the semantic channel, seeded with the demo data's vectors. Without a usable model
/// the server searches by words alone, and says so once here (and in `/readyz`).
fn load_semantic(model: Option<&Path>, data_dir: &Path) -> Option<Arc<Semantic>> {
    let Some(model) = model else {
        tracing::warn!("semantic search is off (--model none): searching by words only");
        return None;
    };
    let started = std::time::Instant::now();
    let semantic = match Semantic::load(model, Some(&data_dir.join("vectors"))) {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!("semantic search is off: {e}; searching by words only");
            return None;
        }
    };
    match semantic.seed(&super::demo::default_demo_dir().join("vectors")) {
        Ok(n) if n > 0 => tracing::info!("{n} passage vectors taken from the demo data"),
        Ok(_) => {}
        Err(e) => tracing::warn!("cannot read the demo data's vectors: {e}"),
    }
    tracing::info!(
        "semantic search on: {} ({} passage vectors) loaded in {:.1}s",
        model.display(),
        semantic.store().len(),
        started.elapsed().as_secs_f64()
    );
    Some(Arc::new(semantic))
}

/// `quanze serve`.
/// `read_replica`, a PostgreSQL standby, takes public reads and the index follower's.
pub fn serve(
    db: Database,
    read_replica: Option<Database>,
    data_dir: &Path,
    options: &ServeOptions,
) -> Result<(), CliError> {
    let bind = options.bind.as_str();
    let analysis = Analysis::load(Some(data_dir))?;
    let root = data_dir.join("index");
    if quanze_indexer::index::needs_rebuild(&root, &analysis)? {
        eprintln!("the search index was built by another version: rebuilding it");
        let count = quanze_indexer::index::rebuild(&root, &db, &analysis)?;
        eprintln!("indexed {count} items");
    }
    let mut index = SearchIndex::open(&root, analysis, true)?;
    if let Some(semantic) = load_semantic(options.model.as_deref(), data_dir) {
        index = index.with_semantic(semantic)?;
    }
    let index = Arc::new(index);
    let follower = Follower::start(
        read_replica.clone().unwrap_or_else(|| db.clone()),
        index.clone(),
    );
    let question_key = {
        let mut conn = db.conn()?;
        quanze_registry::secrets::shared_secret(
            &mut conn,
            quanze_registry::feedback::question::SECRET_NAME,
        )?
    };
    let state = AppState {
        db,
        read_replica,
        index,
        metrics: Arc::new(Metrics::default()),
        limits: Arc::new(RateLimits {
            search: RateLimiter::per_minute(options.search_per_minute),
            export: RateLimiter::per_minute(options.export_per_minute),
            // A person who mistypes the question's answer tries again at once: the whole
            // minute's budget may go in one burst.
            feedback: RateLimiter::with_burst(
                options.feedback_per_minute.into(),
                f64::from(options.feedback_per_minute) / 60.0,
            ),
            auth_failures: RateLimiter::per_minute(options.auth_failures_per_minute),
            sign_in_failures: RateLimiter::with_burst(
                options.sign_in_failures_per_account.into(),
                1.0 / 180.0,
            ),
            behind_proxy: options.behind_proxy,
        }),
        region_tallies: Default::default(),
        item_figures: Default::default(),
        list_reviews: Default::default(),
        quality_reports: Default::default(),
        sessions: options.session,
        ready_max_lag: options.ready_max_lag,
        feedback: Arc::new(FeedbackSettings {
            policy: quanze_registry::feedback::AnswerPolicy {
                working_days: options.feedback_answer_days,
            },
            question_key,
        }),
        password_checks: Arc::new(tokio::sync::Semaphore::new(
            std::thread::available_parallelism().map_or(1, |n| n.get().min(4)),
        )),
    };
    let max_body = MaxBody(options.max_body_bytes);
    let mut server = HttpServer::new(move || crate::app::build(state.clone(), max_body))
        .bind(bind)
        .map_err(CliError::io(bind))?;
    if let Some(w) = options.workers {
        server = server.workers(w.max(1));
    }
    eprintln!("quanze listening on http://{bind}");
    let result = actix_web::rt::System::new()
        .block_on(server.run())
        .map_err(CliError::io(bind));
    follower.stop();
    result
}

/// `quanze reindex`: builds a new index beside the live one and swaps it in; a running server
/// switches to it within a second and keeps answering meanwhile.
pub fn reindex(db: &Database, data_dir: &Path) -> Result<(), CliError> {
    let analysis = Analysis::load(Some(data_dir))?;
    let started = std::time::Instant::now();
    let count = quanze_indexer::index::rebuild(&data_dir.join("index"), db, &analysis)?;
    println!(
        "indexed {count} items in {:.1}s; the new index is live",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

//! The background thread that keeps the index in step with the registry: every tick it
//! switches to a rebuilt generation if there is one and applies pending outbox rows.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use quanze_indexer::SearchIndex;
use quanze_indexer::index::FOLLOW_BATCH;
use quanze_registry::Database;

/// How often the follower looks for new outbox rows: well under the one second within which
/// a published change must be searchable.
pub const TICK: Duration = Duration::from_millis(200);

pub struct Follower {
    stop: Arc<AtomicBool>,
    handle: Option<JoinHandle<()>>,
}

impl Follower {
    pub fn start(db: Database, index: Arc<SearchIndex>) -> Follower {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let handle = std::thread::Builder::new()
            .name("index-follower".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    if let Err(e) = index.check_for_new_generation() {
                        tracing::error!("switching to a rebuilt index failed: {e}");
                    }
                    loop {
                        match index.apply_pending(&db, FOLLOW_BATCH) {
                            Ok(0) => break,
                            Ok(n) => tracing::debug!("indexed {n} outbox rows"),
                            Err(e) => {
                                tracing::error!("applying the outbox to the index failed: {e}");
                                break;
                            }
                        }
                        if flag.load(Ordering::Relaxed) {
                            break;
                        }
                    }
                    std::thread::sleep(TICK);
                }
            })
            .map_err(|e| tracing::error!("cannot start the index follower: {e}"))
            .ok();
        Follower { stop, handle }
    }

    /// Stops after the batch in progress (each batch is one commit, so nothing is half done).
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

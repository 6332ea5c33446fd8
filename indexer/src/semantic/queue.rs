//! The passages still to embed, and the background thread that embeds them.
//!
//! Indexing never waits for the model: an item is searchable by its words the moment the
//! follower commits it, and joins the semantic channel when its passage has a vector (tens of
//! milliseconds per distinct text). The thread embeds on a one-thread pool of its own, so a
//! bulk load keeps the other cores for questions being answered.

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use quanze_embed::Embedder;

use super::store::{QuantisedVector, VectorStore};

/// Passages embedded between two stores of their vectors.
const BATCH: usize = 16;

#[derive(Default)]
struct State {
    pending: VecDeque<(u64, String)>,
    queued: HashSet<u64>,
    /// Passages taken from the queue and not yet stored.
    in_flight: usize,
    stop: bool,
}

struct Shared {
    state: Mutex<State>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The queue with its thread; dropping it stops the thread after the passage in hand.
pub struct EmbeddingQueue {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl EmbeddingQueue {
    pub fn start(embedder: Arc<Embedder>, store: Arc<VectorStore>) -> EmbeddingQueue {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
        });
        let worker = shared.clone();
        let thread = std::thread::Builder::new()
            .name("passage-embedder".into())
            .spawn(move || run(&worker, &embedder, &store))
            .map_err(|e| tracing::error!("cannot start the passage embedder: {e}"))
            .ok();
        EmbeddingQueue { shared, thread }
    }

    /// Queues passages that have no vector and are not queued yet.
    pub fn request(&self, store: &VectorStore, passages: impl IntoIterator<Item = (u64, String)>) {
        let mut state = self.shared.lock();
        let before = state.pending.len();
        for (key, text) in passages {
            if !store.contains(key) && state.queued.insert(key) {
                state.pending.push_back((key, text));
            }
        }
        if state.pending.len() > before {
            self.shared.changed.notify_all();
        }
    }

    /// Passages waiting for a vector.
    pub fn pending(&self) -> usize {
        let state = self.shared.lock();
        state.pending.len() + state.in_flight
    }

    /// Waits until every queued passage has its vector; false on timeout.
    pub fn wait_idle(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut state = self.shared.lock();
        while !(state.pending.is_empty() && state.in_flight == 0) {
            let now = Instant::now();
            let stopped = self.thread.as_ref().is_none_or(|t| t.is_finished());
            if now >= deadline || stopped {
                return false;
            }
            state = match self.shared.changed.wait_timeout(state, deadline - now) {
                Ok((s, _)) => s,
                Err(p) => p.into_inner().0,
            };
        }
        true
    }
}

impl Drop for EmbeddingQueue {
    fn drop(&mut self) {
        self.shared.lock().stop = true;
        self.shared.changed.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(shared: &Shared, embedder: &Embedder, store: &VectorStore) {
    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .thread_name(|_| "passage-embedder-pool".into())
        .build()
    {
        Ok(pool) => pool,
        Err(e) => {
            tracing::error!("cannot start the passage embedder's pool: {e}");
            return;
        }
    };
    loop {
        let batch: Vec<(u64, String)> = {
            let mut state = shared.lock();
            while state.pending.is_empty() && !state.stop {
                state = match shared.changed.wait(state) {
                    Ok(s) => s,
                    Err(p) => p.into_inner(),
                };
            }
            if state.stop {
                return;
            }
            let n = state.pending.len().min(BATCH);
            state.in_flight = n;
            state.pending.drain(..n).collect()
        };
        let mut vectors = Vec::with_capacity(batch.len());
        for (key, text) in &batch {
            if shared.lock().stop {
                return;
            }
            // A text the model cannot take is skipped (and logged), not the end of the thread.
            let embedded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                pool.install(|| embedder.passage(text))
            }));
            match embedded {
                Ok(v) => vectors.push((*key, QuantisedVector::from_f32(&v))),
                Err(_) => tracing::error!("embedding the passage {text:?} failed; skipped"),
            }
        }
        if let Err(e) = store.insert(&vectors) {
            // The vectors are in memory; only the file copy is lost (they are embedded
            // again after a restart).
            tracing::warn!("cannot store passage vectors: {e}");
        }
        let mut state = shared.lock();
        for (key, _) in &batch {
            state.queued.remove(key);
        }
        state.in_flight = 0;
        shared.changed.notify_all();
    }
}

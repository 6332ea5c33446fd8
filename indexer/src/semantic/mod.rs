//! The semantic channel's model side: the e5 embedder (quanze-embed), the store of passage
//! vectors, the queue that fills it in the background, and a cache of question vectors.
//! How its results join the lexical ones is `crate::hybrid`.

pub mod queue;
pub mod store;

use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use lru::LruCache;
use quanze_embed::Embedder;
use sha2::{Digest, Sha256};

use crate::error::{IndexError, Result};
use crate::passage::passage_text;
use queue::EmbeddingQueue;
use store::VectorStore;

/// Question vectors kept for repeated questions.
const QUERY_CACHE: usize = 4_096;

/// A loaded model with its vectors; shared by the index (which feeds it passages) and every
/// search.
pub struct Semantic {
    embedder: Arc<Embedder>,
    store: Arc<VectorStore>,
    queue: EmbeddingQueue,
    queries: Mutex<LruCache<String, Arc<[f32]>>>,
    model_id: String,
}

impl Semantic {
    /// Loads the model file and opens its vector store in `vectors_dir` (one file per model,
    /// named by the model's SHA-256, so vectors of another model are never mixed in), or keeps
    /// its vectors in memory only when there is no directory.
    pub fn load(model_path: &Path, vectors_dir: Option<&Path>) -> Result<Semantic> {
        let bytes = std::fs::read(model_path).map_err(|source| IndexError::Io {
            path: model_path.display().to_string(),
            source,
        })?;
        let digest = Sha256::digest(&bytes);
        let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        let model_id = format!("e5-small-{hex}");
        let embedder =
            Embedder::from_bytes(&bytes).map_err(|e| IndexError::Model(e.to_string()))?;
        drop(bytes);
        let store = match vectors_dir {
            Some(dir) => VectorStore::open(dir, &model_id, embedder.dim())?,
            None => VectorStore::in_memory(embedder.dim()),
        };
        Ok(Semantic::with_store(embedder, store, model_id))
    }

    fn with_store(embedder: Embedder, store: VectorStore, model_id: String) -> Semantic {
        let embedder = Arc::new(embedder);
        let store = Arc::new(store);
        let capacity = NonZeroUsize::new(QUERY_CACHE).unwrap_or(NonZeroUsize::MIN);
        Semantic {
            queue: EmbeddingQueue::start(embedder.clone(), store.clone()),
            embedder,
            store,
            queries: Mutex::new(LruCache::new(capacity)),
            model_id,
        }
    }

    /// The name of this model's vector files: `e5-small-` and the first 16 hex digits of the
    /// model file's SHA-256.
    pub fn model_id(&self) -> &str {
        &self.model_id
    }

    /// Adds the vectors a store of the same model keeps in `dir` (the demo data's, shipped in
    /// the repository); returns how many were new.
    pub fn seed(&self, dir: &Path) -> Result<usize> {
        let entries = VectorStore::read_file(dir, &self.model_id, self.store.dim())?;
        let before = self.store.len();
        self.store.insert(&entries)?;
        Ok(self.store.len() - before)
    }

    pub fn store(&self) -> &VectorStore {
        &self.store
    }

    /// The model itself (tests and tools).
    pub fn embedder(&self) -> &Embedder {
        &self.embedder
    }

    /// Queues passages (key, text) that have no vector yet.
    pub fn request(&self, passages: impl IntoIterator<Item = (u64, String)>) {
        self.queue.request(&self.store, passages);
    }

    /// Passages waiting for their vector.
    pub fn pending(&self) -> usize {
        self.queue.pending()
    }

    /// Waits until every queued passage has a vector; false on timeout.
    pub fn wait_idle(&self, timeout: Duration) -> bool {
        self.queue.wait_idle(timeout)
    }

    /// The vector of a question (normalised as passages are), from the cache when the same
    /// question was asked before.
    pub fn query_vector(&self, question: &str) -> Arc<[f32]> {
        let key = passage_text(question);
        let cached = self
            .queries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&key)
            .cloned();
        if let Some(v) = cached {
            return v;
        }
        let v: Arc<[f32]> = self.embedder.query(&key).into();
        self.queries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .put(key, v.clone());
        v
    }
}

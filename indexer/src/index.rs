//! The item index on disk, its follower and its rebuild.
//!
//! Layout under the index root (`<data-dir>/index`): one directory per generation
//! (`gen-<timestamp>`) and a `CURRENT` file naming the live one. The follower applies outbox
//! rows in sequence order and commits the last applied sequence as the commit payload, so a
//! restart (even after kill -9) resumes exactly where the last commit ended: nothing lost,
//! nothing applied twice (re-applying a row re-indexes the item's current state, which is
//! idempotent anyway). A rebuild writes a new generation beside the live one and replaces
//! `CURRENT` with an atomic rename; a process following the index notices and switches, and
//! searches keep answering from the old generation until then.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use quanze_registry::Database;
use quanze_registry::models::PowerItemRow;
use quanze_registry::repo::history::{max_outbox_seq, outbox_since};
use quanze_registry::repo::items::{
    ItemFilter, find_items_by_ids, list_items_after, load_item_records,
};
use quanze_registry::repo::laws::law_ids_for_items;
use tantivy::schema::Term;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, Warmer};

use crate::analyzer::ChineseAnalyzer;
use crate::error::{IndexError, Result};
use crate::facets::FacetTables;
use crate::passage::{PassageKeys, passage_text};
use crate::schema::{IndexableItem, ItemFields, PASSAGE_KEY, item_document, register_tokenizers};
use crate::semantic::Semantic;
use crate::synonyms::Synonyms;

const CURRENT: &str = "CURRENT";
/// Memory budget of the index writer.
const WRITER_MEMORY: usize = 128 * 1024 * 1024;
/// Outbox rows applied per commit at most.
pub const FOLLOW_BATCH: i64 = 2_000;

/// One generation of the index, open for reading (and writing, in the following process).
pub struct Generation {
    pub name: String,
    pub index: Index,
    pub reader: IndexReader,
    /// Facet ordinals per segment, kept current by the reader's warmer.
    pub facet_tables: Arc<FacetTables>,
    writer: Mutex<Option<IndexWriter>>,
    /// The last outbox sequence searches can see: set after the reader reloads, so readiness
    /// never reports an index in step whose newest commit searches do not see yet.
    visible_seq: std::sync::atomic::AtomicI64,
}

/// Shared analysis state: dictionary, synonyms, field handles.
#[derive(Clone)]
pub struct Analysis {
    pub analyzer: ChineseAnalyzer,
    pub synonyms: Arc<Synonyms>,
    pub fields: ItemFields,
}

impl Analysis {
    /// Loads the built-in dictionary and synonyms plus the operator's files in `data_dir`
    /// (`user_dict.txt`, `synonyms.txt`) where present.
    pub fn load(data_dir: Option<&Path>) -> Result<Analysis> {
        let read = |name: &str| -> Result<Option<String>> {
            let Some(dir) = data_dir else { return Ok(None) };
            let path = dir.join(name);
            match std::fs::read_to_string(&path) {
                Ok(s) => Ok(Some(s)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                Err(source) => Err(IndexError::Io {
                    path: path.display().to_string(),
                    source,
                }),
            }
        };
        let user_dict = read("user_dict.txt")?;
        let extra_synonyms = read("synonyms.txt")?;
        let analyzer = ChineseAnalyzer::new(user_dict.as_deref())
            .map_err(|e| IndexError::Dictionary(e.to_string()))?;
        let mut sources = crate::synonyms::BUILTIN.to_vec();
        if let Some(extra) = &extra_synonyms {
            sources.push(extra);
        }
        Ok(Analysis {
            analyzer,
            synonyms: Arc::new(Synonyms::parse(&sources)),
            fields: ItemFields::new(),
        })
    }
}

/// The live index of a process.
pub struct SearchIndex {
    root: PathBuf,
    pub analysis: Analysis,
    live: RwLock<Arc<Generation>>,
    writable: bool,
    /// The semantic channel, when a model is loaded.
    semantic: Option<Arc<Semantic>>,
    /// How long pending changes have waited, by this process's clock.
    lag_clock: crate::lag::LagClock,
}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> IndexError + '_ {
    move |source| IndexError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn read_current(root: &Path) -> Result<Option<String>> {
    match std::fs::read_to_string(root.join(CURRENT)) {
        Ok(s) => Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(IndexError::Io {
            path: root.join(CURRENT).display().to_string(),
            source,
        }),
    }
}

/// Points `CURRENT` at a generation: write a temp file, then rename over (atomic on POSIX).
fn write_current(root: &Path, name: &str) -> Result<()> {
    let tmp = root.join(format!("{CURRENT}.tmp-{}", std::process::id()));
    std::fs::write(&tmp, name).map_err(io_error(&tmp))?;
    std::fs::rename(&tmp, root.join(CURRENT)).map_err(io_error(root))?;
    Ok(())
}

fn new_generation_name() -> String {
    format!("gen-{}", chrono_like_stamp())
}

/// A sortable, unique-enough stamp without pulling in a date crate: nanoseconds since epoch.
fn chrono_like_stamp() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{nanos:024}")
}

/// Threads that search one query's segments: `QUANZE_SEARCH_THREADS`, else one per core (at
/// most 8).
fn search_threads() -> usize {
    std::env::var("QUANZE_SEARCH_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| *n >= 1)
        .unwrap_or_else(|| {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
                .min(8)
        })
}

fn open_generation(
    root: &Path,
    name: &str,
    analysis: &Analysis,
    writable: bool,
) -> Result<Generation> {
    let dir = root.join(name);
    let mut index = Index::open_in_dir(&dir)?;
    register_tokenizers(&index, &analysis.analyzer);
    // Segments are searched in parallel: a broad query over a million items uses every core.
    let threads = search_threads();
    if threads > 1 {
        index.set_multithread_executor(threads)?;
    }
    let facet_tables = Arc::new(FacetTables::default());
    let warmer: Arc<dyn Warmer> = facet_tables.clone();
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::Manual)
        .warmers(vec![Arc::downgrade(&warmer)])
        .try_into()?;
    let writer = if writable {
        Some(index.writer(WRITER_MEMORY)?)
    } else {
        None
    };
    let generation = Generation {
        name: name.to_string(),
        index,
        reader,
        facet_tables,
        writer: Mutex::new(writer),
        visible_seq: Default::default(),
    };
    generation.set_visible_seq(generation.applied_seq()?);
    Ok(generation)
}

/// Whether the live generation under `root` was written by another version (another schema):
/// `quanze serve` then rebuilds it from the database before it answers, as `reindex` would,
/// rather than serving an empty index while the follower replays the whole outbox.
pub fn needs_rebuild(root: &Path, analysis: &Analysis) -> Result<bool> {
    match read_current(root)? {
        Some(name) if root.join(&name).is_dir() => Ok(!has_schema(root, &name, analysis)?),
        _ => Ok(false),
    }
}

/// Whether a generation was built with the schema and the analysis this version writes (a new
/// field, such as the passage key, or a change in what documents contain, such as more code
/// prefixes, means documents must be written again).
fn has_schema(root: &Path, name: &str, analysis: &Analysis) -> Result<bool> {
    let dir = root.join(name);
    let built_by = std::fs::read_to_string(dir.join(ANALYSIS_VERSION_FILE)).unwrap_or_default();
    if built_by.trim() != ANALYSIS_VERSION.to_string() {
        return Ok(false);
    }
    let index = Index::open_in_dir(&dir)?;
    let stored = serde_json::to_string(&index.schema()).unwrap_or_default();
    let ours = serde_json::to_string(&analysis.fields.schema).unwrap_or_default();
    Ok(stored == ours)
}

/// The version of what a document contains beyond its schema (analysis, code prefixes). Raise
/// it with any change to what `item_document` writes for the same item: a server then rebuilds
/// older generations at start instead of searching a mixture.
const ANALYSIS_VERSION: u32 = 2;
/// The file in a generation that says which [`ANALYSIS_VERSION`] built it.
const ANALYSIS_VERSION_FILE: &str = "analysis-version";

fn create_generation(root: &Path, name: &str, analysis: &Analysis) -> Result<Index> {
    let dir = root.join(name);
    std::fs::create_dir_all(&dir).map_err(io_error(&dir))?;
    let version_file = dir.join(ANALYSIS_VERSION_FILE);
    std::fs::write(&version_file, ANALYSIS_VERSION.to_string()).map_err(io_error(&version_file))?;
    let index = Index::create_in_dir(&dir, analysis.fields.schema.clone())?;
    register_tokenizers(&index, &analysis.analyzer);
    Ok(index)
}

impl Generation {
    fn set_visible_seq(&self, seq: i64) {
        self.visible_seq
            .store(seq, std::sync::atomic::Ordering::Release);
    }

    /// The last outbox sequence whose changes searches see.
    pub fn visible_seq(&self) -> i64 {
        self.visible_seq.load(std::sync::atomic::Ordering::Acquire)
    }

    /// The last outbox sequence this generation has applied (from its last commit).
    pub fn applied_seq(&self) -> Result<i64> {
        let meta = self.index.load_metas()?;
        Ok(meta
            .payload
            .as_deref()
            .and_then(|p| p.parse().ok())
            .unwrap_or(0))
    }
}

impl SearchIndex {
    /// Opens the live generation under `root`, creating an empty one (to be filled by the
    /// follower from outbox sequence 0) when there is none. `writable` takes the index
    /// writer: only the one process that follows the outbox may.
    pub fn open(root: &Path, analysis: Analysis, writable: bool) -> Result<SearchIndex> {
        std::fs::create_dir_all(root).map_err(io_error(root))?;
        let name = match read_current(root)? {
            Some(name) if root.join(&name).is_dir() && has_schema(root, &name, &analysis)? => name,
            Some(name) if root.join(&name).is_dir() && !writable => {
                return Err(IndexError::Corrupt(format!(
                    "index generation {name} was built by another version; the server \
                     rebuilds it when it starts, or run `quanze reindex`"
                )));
            }
            _ => {
                // No index yet, or one of an older schema: the follower fills a new one from
                // the start of the outbox.
                let name = new_generation_name();
                create_generation(root, &name, &analysis)?;
                write_current(root, &name)?;
                name
            }
        };
        let generation = open_generation(root, &name, &analysis, writable)?;
        let index = SearchIndex {
            root: root.to_path_buf(),
            analysis,
            live: RwLock::new(Arc::new(generation)),
            writable,
            semantic: None,
            lag_clock: Default::default(),
        };
        if writable {
            index.remove_stale_generations();
        }
        Ok(index)
    }

    /// Adds the semantic channel, and queues the passages of the live generation that have no
    /// vector yet.
    pub fn with_semantic(mut self, semantic: Arc<Semantic>) -> Result<SearchIndex> {
        self.semantic = Some(semantic);
        self.request_missing_passages()?;
        Ok(self)
    }

    /// The semantic channel, when a model is loaded.
    pub fn semantic(&self) -> Option<&Semantic> {
        self.semantic.as_deref()
    }

    /// Queues every passage of the live generation without a vector (after opening and after
    /// switching to a rebuilt generation). Reads each missing text once.
    fn request_missing_passages(&self) -> Result<()> {
        let Some(semantic) = &self.semantic else {
            return Ok(());
        };
        let searcher = self.live().reader.searcher();
        let mut seen = std::collections::HashSet::new();
        let mut missing = Vec::new();
        for (ordinal, reader) in searcher.segment_readers().iter().enumerate() {
            let keys = reader.fast_fields().u64(PASSAGE_KEY)?;
            for doc in reader.doc_ids_alive() {
                let Some(key) = keys.first(doc) else { continue };
                if semantic.store().contains(key) || !seen.insert(key) {
                    continue;
                }
                let stored: tantivy::TantivyDocument =
                    searcher.doc(tantivy::DocAddress::new(ordinal as u32, doc))?;
                let name = stored
                    .get_first(self.analysis.fields.name)
                    .and_then(|v| tantivy::schema::Value::as_str(&v))
                    .unwrap_or_default();
                missing.push((key, passage_text(name)));
            }
        }
        semantic.request(missing);
        Ok(())
    }

    /// Queues the passages met while indexing that have no vector yet.
    fn request_passages(&self, passages: &mut PassageKeys) {
        if let Some(semantic) = &self.semantic {
            semantic.request(passages.take_new());
        }
    }

    /// The generation searches use now.
    pub fn live(&self) -> Arc<Generation> {
        match self.live.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Switches to the generation `CURRENT` names if a rebuild replaced it. Returns whether
    /// it switched.
    pub fn check_for_new_generation(&self) -> Result<bool> {
        let Some(name) = read_current(&self.root)? else {
            return Ok(false);
        };
        if name == self.live().name {
            return Ok(false);
        }
        // Release the old writer's lock before the new one is taken.
        if let Ok(mut w) = self.live().writer.lock() {
            w.take();
        }
        let generation = open_generation(&self.root, &name, &self.analysis, self.writable)?;
        match self.live.write() {
            Ok(mut live) => *live = Arc::new(generation),
            Err(poisoned) => *poisoned.into_inner() = Arc::new(generation),
        }
        if self.writable {
            self.remove_stale_generations();
        }
        if let Err(e) = self.request_missing_passages() {
            tracing::warn!("cannot queue the new generation's passages for embedding: {e}");
        }
        Ok(true)
    }

    /// Deletes generation directories older than the live one (open files stay readable).
    fn remove_stale_generations(&self) {
        let live = self.live().name.clone();
        let Ok(entries) = std::fs::read_dir(&self.root) else {
            return;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            // Only older generations: a newer one may be a rebuild still being written.
            if name.starts_with("gen-")
                && name < live
                && e.path().is_dir()
                && let Err(err) = std::fs::remove_dir_all(e.path())
            {
                tracing::warn!("could not remove old index generation {name}: {err}");
            }
        }
    }

    /// Runs `write` with the live generation's writer; when it returns `Some((seq, value))`,
    /// commits with `seq` as the applied outbox sequence and makes the commit searchable.
    fn write_and_commit<T>(
        &self,
        write: impl FnOnce(&Generation, &mut IndexWriter) -> Result<Option<(i64, T)>>,
    ) -> Result<Option<T>> {
        let generation = self.live();
        let mut guard = generation
            .writer
            .lock()
            .map_err(|_| IndexError::Corrupt("index writer lock poisoned".into()))?;
        let Some(writer) = guard.as_mut() else {
            return Err(IndexError::Corrupt(
                "this process does not hold the index writer".into(),
            ));
        };
        let written = match write(&generation, writer) {
            Ok(written) => written,
            Err(e) => {
                // Nothing of a failed batch may ride along with the next commit.
                writer.rollback()?;
                return Err(e);
            }
        };
        let Some((seq, value)) = written else {
            return Ok(None);
        };
        let mut prepared = writer.prepare_commit()?;
        prepared.set_payload(&seq.to_string());
        quanze_registry::fault::point("index.commit");
        prepared.commit()?;
        generation.reader.reload()?;
        generation.set_visible_seq(seq);
        Ok(Some(value))
    }

    /// Applies up to `max_rows` pending outbox rows in one commit; returns how many rows.
    pub fn apply_pending(&self, db: &Database, max_rows: i64) -> Result<usize> {
        let applied = self.write_and_commit(|generation, writer| {
            let since = generation.applied_seq()?;
            let mut conn = db.conn()?;
            let rows = outbox_since(&mut conn, since, max_rows)?;
            let Some(last) = rows.last().map(|r| r.seq) else {
                return Ok(None);
            };
            // Entries about departments, their 责任清单 and laws leave the index as it is.
            let mut ids: Vec<i64> = rows
                .iter()
                .filter(|r| r.is_item())
                .map(|r| r.entity_id)
                .collect();
            ids.sort_unstable();
            ids.dedup();
            let items = load_indexable(&mut conn, &ids)?;
            drop(conn);
            let fields = &self.analysis.fields;
            for id in &ids {
                writer.delete_term(Term::from_field_u64(fields.id, *id as u64));
            }
            let mut passages = PassageKeys::default();
            for item in &items {
                let key = passages.key(&item.record.name);
                writer.add_document(item_document(fields, item, key))?;
            }
            self.request_passages(&mut passages);
            Ok(Some((last, rows.len())))
        })?;
        Ok(applied.unwrap_or(0))
    }

    /// Applies everything pending, batch by batch; returns the number of outbox rows.
    pub fn catch_up(&self, db: &Database) -> Result<usize> {
        let mut total = 0;
        loop {
            let n = self.apply_pending(db, FOLLOW_BATCH)?;
            if n == 0 {
                return Ok(total);
            }
            total += n;
        }
    }

    /// Adds items straight to the live generation and commits, bypassing the outbox (the
    /// applied sequence is kept). For benchmarks and tools that build an index from data that
    /// is not in a registry database.
    pub fn bulk_index(&self, items: impl IntoIterator<Item = IndexableItem>) -> Result<usize> {
        let count = self.write_and_commit(|generation, writer| {
            let mut count = 0;
            let mut passages = PassageKeys::default();
            for item in items {
                if !matches!(item.status.as_str(), "published" | "revoked") {
                    return Err(IndexError::NotSearchable {
                        id: item.id,
                        status: item.status,
                    });
                }
                let key = passages.key(&item.record.name);
                writer.add_document(item_document(&self.analysis.fields, &item, key))?;
                count += 1;
            }
            self.request_passages(&mut passages);
            Ok(Some((generation.applied_seq()?, count)))
        })?;
        Ok(count.unwrap_or(0))
    }

    /// Waits for the background merges a bulk load started, then searches the settled
    /// segments — what `rebuild` does before it swaps a generation in. (The writer is
    /// reopened: tantivy only waits for merges by closing it.)
    pub fn wait_for_merges(&self) -> Result<()> {
        let generation = self.live();
        let mut guard = generation
            .writer
            .lock()
            .map_err(|_| IndexError::Corrupt("index writer lock poisoned".into()))?;
        if let Some(writer) = guard.take() {
            let merged = writer.wait_merging_threads();
            // The writer is reopened even when a merge failed, so the follower keeps one.
            *guard = Some(generation.index.writer(WRITER_MEMORY)?);
            merged?;
        }
        generation.reader.reload()?;
        Ok(())
    }

    /// Bytes the live generation occupies on disk.
    pub fn size_on_disk(&self) -> u64 {
        fn walk(p: &Path) -> u64 {
            std::fs::read_dir(p)
                .map(|rd| {
                    rd.flatten()
                        .map(|e| {
                            let path = e.path();
                            if path.is_dir() {
                                walk(&path)
                            } else {
                                e.metadata().map(|m| m.len()).unwrap_or(0)
                            }
                        })
                        .sum()
                })
                .unwrap_or(0)
        }
        walk(&self.root.join(&self.live().name))
    }

    /// The last outbox sequence the live generation has applied.
    pub fn applied_seq(&self) -> Result<i64> {
        self.live().applied_seq()
    }

    /// How far searches have followed the registry's outbox (for /readyz and /metrics).
    pub fn progress(&self, db: &Database) -> Result<IndexProgress> {
        let mut conn = db.conn()?;
        let applied = self.live().visible_seq();
        let outbox = max_outbox_seq(&mut conn)?;
        let waiting_seconds = self.lag_clock.waiting_seconds(outbox, applied);
        Ok(IndexProgress {
            outbox,
            applied,
            waiting_seconds,
        })
    }

    /// Outbox rows not yet in the index.
    pub fn lag(&self, db: &Database) -> Result<i64> {
        Ok(self.progress(db)?.lag())
    }
}

/// The registry's last outbox sequence and the last one the index applied.
#[derive(Debug, Clone, Copy)]
pub struct IndexProgress {
    pub outbox: i64,
    pub applied: i64,
    /// How long the oldest change not yet in the index has been seen waiting, in seconds (0:
    /// none; see [`crate::lag`]).
    pub waiting_seconds: f64,
}

impl IndexProgress {
    /// Outbox rows not yet in the index.
    pub fn lag(&self) -> i64 {
        (self.outbox - self.applied).max(0)
    }
}

/// Loads the current state of items for indexing; drafts and items under review are left
/// out (they are not public), so the caller's delete removes them from the index.
fn load_indexable(
    conn: &mut quanze_registry::DbConnection,
    ids: &[i64],
) -> Result<Vec<IndexableItem>> {
    let rows: Vec<_> = find_items_by_ids(conn, ids)?
        .into_iter()
        .filter(PowerItemRow::is_public)
        .collect();
    indexable_from_rows(conn, rows)
}

fn indexable_from_rows(
    conn: &mut quanze_registry::DbConnection,
    rows: Vec<quanze_registry::models::PowerItemRow>,
) -> Result<Vec<IndexableItem>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let records = load_item_records(conn, &rows)?;
    let mut laws = law_ids_for_items(conn, &ids)?;
    Ok(rows
        .into_iter()
        .zip(records)
        .map(|(row, record)| IndexableItem {
            id: row.id,
            status: row.status,
            department_id: row.department_id,
            law_ids: laws.remove(&row.id).unwrap_or_default(),
            record,
        })
        .collect())
}

/// Takes the index's rebuild lock, held until the returned file is dropped. An OS file lock:
/// it goes with the process, so a rebuild killed halfway leaves nothing to clean up.
fn lock_rebuild(root: &Path) -> Result<std::fs::File> {
    let path = root.join("reindex.lock");
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(io_error(&path))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => {
            Err(IndexError::RebuildRunning(root.display().to_string()))
        }
        Err(std::fs::TryLockError::Error(e)) => Err(io_error(&path)(e)),
    }
}

/// Builds a complete new generation from the database beside the live one and makes it
/// live (atomic rename of `CURRENT`). Returns the number of items indexed. Safe while a
/// server follows the old generation: it switches on its next follow tick.
pub fn rebuild(root: &Path, db: &Database, analysis: &Analysis) -> Result<usize> {
    std::fs::create_dir_all(root).map_err(io_error(root))?;
    let _only_rebuild = lock_rebuild(root)?;
    let name = new_generation_name();
    let index = create_generation(root, &name, analysis)?;
    let mut writer: IndexWriter = index.writer(WRITER_MEMORY)?;
    // No merges while building: the whole generation becomes one segment at the end.
    writer.set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
    let mut conn = db.conn()?;
    // Everything up to this sequence is in the database now; later rows are applied by the
    // follower after the switch (re-applying is idempotent).
    let seq = max_outbox_seq(&mut conn)?;
    let mut after = 0;
    let mut count = 0;
    // The server that switches to this generation queues the passages it lacks.
    let mut passages = PassageKeys::default();
    loop {
        let rows = list_items_after(&mut conn, &ItemFilter::default(), after, 1_000)?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        let rows: Vec<_> = rows.into_iter().filter(PowerItemRow::is_public).collect();
        for item in indexable_from_rows(&mut conn, rows)? {
            let key = passages.key(&item.record.name);
            writer.add_document(item_document(&analysis.fields, &item, key))?;
            count += 1;
        }
    }
    drop(conn);
    let mut prepared = writer.prepare_commit()?;
    prepared.set_payload(&seq.to_string());
    prepared.commit()?;
    // Every query pays per segment (a term lookup per word and synonym, a scorer, a facet
    // pass), and under load that fixed cost, not the postings, is what limits searches per
    // second; a rebuilt generation is therefore searched as one segment. (The follower's
    // later changes add small segments that the default merge policy folds together.)
    let segments = index.searchable_segment_ids()?;
    if segments.len() > 1 {
        writer.merge(&segments).wait()?;
    }
    writer.wait_merging_threads()?;
    quanze_registry::fault::point("reindex.swap");
    write_current(root, &name)?;
    Ok(count)
}

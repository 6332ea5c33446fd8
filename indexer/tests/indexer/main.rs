//! Integration tests of the indexer against a real database (SQLite and PostgreSQL) and a
//! real tantivy index on disk. One binary for the crate.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod follower;
#[path = "../judged/mod.rs"]
mod judged;
mod relevance;
mod search;
mod semantic;

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use quanze_indexer::SearchIndex;
use quanze_indexer::index::Analysis;
use quanze_indexer::semantic::Semantic;
use quanze_registry::Database;
use quanze_registry::import::ImportOptions;

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Loading jieba's dictionary takes a moment: share one analysis per test process.
pub fn analysis() -> Analysis {
    static ANALYSIS: OnceLock<Analysis> = OnceLock::new();
    ANALYSIS
        .get_or_init(|| Analysis::load(None).unwrap())
        .clone()
}

/// The committed embedding model.
pub fn model_path() -> PathBuf {
    repo_root().join("indexer/embed/model/e5-small-q4.bin")
}

/// The model, loaded once per test process, with the demo data's vectors (kept in memory).
pub fn semantic() -> Arc<Semantic> {
    static SEMANTIC: OnceLock<Arc<Semantic>> = OnceLock::new();
    SEMANTIC
        .get_or_init(|| {
            let s = Semantic::load(&model_path(), None).unwrap();
            s.seed(&repo_root().join("demo/vectors")).unwrap();
            Arc::new(s)
        })
        .clone()
}

/// The 广安区 items in a registry on `t`, and an index of them with the semantic channel
/// (every name's vector made).
pub fn guangan_hybrid_index(t: &quanze_testkit::TestDatabase) -> (Database, SearchIndex) {
    let db = Database::open(&t.url).unwrap();
    import_file(&db, "demo/items/guangan-511602-services.ndjson");
    let index = SearchIndex::open(&t.dir.path().join("index"), analysis(), true)
        .unwrap()
        .with_semantic(semantic())
        .unwrap();
    index.catch_up(&db).unwrap();
    assert!(semantic().wait_idle(std::time::Duration::from_secs(120)));
    (db, index)
}

/// A first page of ten for a query, with the default filters.
pub fn search(index: &SearchIndex, q: &str) -> quanze_indexer::SearchResponse {
    index
        .search(&quanze_indexer::SearchRequest {
            q: q.into(),
            per_page: 10,
            ..Default::default()
        })
        .unwrap()
}

pub fn options() -> ImportOptions {
    ImportOptions::strict_by("tester", "test", None)
}

pub fn import_file(db: &Database, relative: &str) {
    let text = std::fs::read_to_string(repo_root().join(relative)).unwrap();
    let report =
        quanze_registry::import::items::import_items_ndjson(db, text.as_bytes(), &options())
            .unwrap();
    assert_eq!(report.errors(), 0, "{:?}", report.problems);
}

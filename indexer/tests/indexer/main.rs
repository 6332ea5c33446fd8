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

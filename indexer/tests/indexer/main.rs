//! Integration tests of the indexer against a real database (SQLite and PostgreSQL) and a
//! real tantivy index on disk. One binary for the crate.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod follower;
mod relevance;
mod search;

use std::path::PathBuf;
use std::sync::OnceLock;

use quanze_indexer::index::Analysis;
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

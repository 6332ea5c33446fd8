//! Integration tests of the registry crate against real databases: a SQLite file and a
//! throw-away PostgreSQL cluster (see quanze-testkit). One binary for the whole crate.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod backup;
mod items;
mod law_changes;
mod laws;
mod quality;
mod responsibilities;
mod schema;
mod sessions;
mod sheets;

use std::path::PathBuf;

use quanze_registry::Database;
use quanze_registry::import::ImportOptions;
use quanze_testkit::TestDatabase;

pub fn open(t: &TestDatabase) -> Database {
    Database::open(&t.url).unwrap_or_else(|e| panic!("open {} database: {e}", t.backend.name()))
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn options() -> ImportOptions {
    ImportOptions::strict_by("tester", "test", Some("测试"))
}

//! The HTTP service end to end: the real `quanze serve` process over real HTTP, on SQLite and
//! PostgreSQL, following the real registry into a real index. One file per topic; the harness
//! (start a server, wait for its index, requests) is `quanze_testkit::server`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod browser;
mod consistency;
mod law_changes;
mod pages;
mod protocol;
mod reads;
mod schemathesis;
mod search;
mod serve;
mod sheets;
mod workbench;
mod workflow;

use std::path::{Path, PathBuf};

use quanze_testkit::TestDatabase;
pub use quanze_testkit::server::Server;

/// The binary under test.
fn bin() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_quanze"))
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs one `quanze` command against the test database.
fn quanze(t: &TestDatabase, data: &Path, args: &[&str]) -> std::process::Output {
    quanze_testkit::server::run(bin(), t, data, args)
}

/// The first line of a demo file whose line contains `needle`, as JSON.
fn demo_record(file: &str, needle: &str) -> serde_json::Value {
    let text = std::fs::read_to_string(repo_root().join("demo/items").join(file)).unwrap();
    serde_json::from_str(text.lines().find(|l| l.contains(needle)).unwrap()).unwrap()
}

//! The HTTP service end to end: the real `quanze serve` process over real HTTP, on SQLite and
//! PostgreSQL, following the real registry into a real index. One file per topic; the harness
//! (start a server, wait for its index, requests) is `quanze_testkit::server`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod auth_matrix;
mod browser;
mod concurrency;
mod consistency;
mod crash;
mod feedback;
mod hostile;
mod law_changes;
mod multi_server;
mod pages;
mod protocol;
mod reads;
mod schemathesis;
mod search;
mod serve;
mod sheets;
mod support;
mod tasks;
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

/// How many write operations (any method but GET, behind a bearer token) the committed OpenAPI
/// document has, so that a test over all of them notices a new one.
fn write_operations() -> usize {
    let spec: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("openapi/openapi.json")).unwrap(),
    )
    .unwrap();
    spec["paths"]
        .as_object()
        .unwrap()
        .values()
        .flat_map(|ops| ops.as_object().unwrap().iter())
        .filter(|(method, op)| *method != "get" && op.get("security").is_some())
        .count()
}

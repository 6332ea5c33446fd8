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
mod statistics;
mod upgrade;

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

#[derive(diesel::QueryableByName)]
struct Line {
    #[diesel(sql_type = diesel::sql_types::Text)]
    line: String,
}

fn lines(conn: &mut diesel::SqliteConnection, sql: &str) -> Vec<String> {
    use diesel::RunQueryDsl;
    diesel::sql_query(sql)
        .load::<Line>(conn)
        .unwrap()
        .into_iter()
        .map(|l| l.line)
        .collect()
}

/// A connection to a SQLite file that changes nothing in it (no migrations).
pub fn sqlite_file(path: &std::path::Path) -> diesel::SqliteConnection {
    use diesel::Connection;
    diesel::SqliteConnection::establish(&path.to_string_lossy()).unwrap()
}

/// The tables of a SQLite file with their columns, by name.
pub fn tables_and_columns(path: &std::path::Path) -> Vec<(String, Vec<String>)> {
    let conn = &mut sqlite_file(path);
    lines(
        conn,
        "SELECT name AS line FROM sqlite_master WHERE type = 'table' \
         AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .into_iter()
    .map(|table| {
        let columns = lines(
            conn,
            &format!("SELECT name AS line FROM pragma_table_info('{table}') ORDER BY cid"),
        );
        (table, columns)
    })
    .collect()
}

/// The rows of `table` in a SQLite file, `columns` of each quoted as SQL and joined, in rowid
/// order.
pub fn rows_of(path: &std::path::Path, table: &str, columns: &[String]) -> Vec<String> {
    let row = columns
        .iter()
        .map(|c| format!("quote(\"{c}\")"))
        .collect::<Vec<_>>()
        .join(" || '|' || ");
    lines(
        &mut sqlite_file(path),
        &format!("SELECT {row} AS line FROM \"{table}\" ORDER BY rowid"),
    )
}

/// Every row of every table of a SQLite file, as text, table by table.
pub fn every_row(path: &std::path::Path) -> Vec<(String, Vec<String>)> {
    tables_and_columns(path)
        .into_iter()
        .map(|(table, columns)| {
            let rows = rows_of(path, &table, &columns);
            (table, rows)
        })
        .collect()
}

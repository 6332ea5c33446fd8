//! Repository functions: the only place that builds diesel queries. Callers get and pass
//! domain and interchange types; they never see the schema.

pub mod departments;
pub mod drafts;
pub mod flags;
pub mod history;
pub mod item_writes;
pub mod items;
pub mod laws;
pub mod regions;
pub mod responsibilities;
pub mod users;

/// Current time in UTC, as stored (timestamps are naive UTC in both backends).
pub fn now() -> chrono::NaiveDateTime {
    chrono::Utc::now().naive_utc()
}

/// A LIKE pattern matching values that contain `fragment` literally: `%`, `_` and the escape
/// character itself are escaped with a backslash (pair it with `.escape(...)`), so a citizen's
/// "100%" is not a wildcard.
pub(crate) fn like_contains(fragment: &str) -> String {
    let escaped = fragment
        .trim()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}

/// Inserts many rows in multi-row INSERTs of 500. Batch inserts do not compile on the
/// MultiConnection enum, so this matches the variant and runs the same statement on the
/// concrete connection.
macro_rules! insert_batch {
    ($conn:expr, $table:expr, $rows:expr) => {{
        let rows = $rows;
        let mut inserted = 0usize;
        for chunk in rows.chunks(500) {
            inserted += match &mut *$conn {
                $crate::db::DbConnection::Sqlite(c) => {
                    diesel::insert_into($table).values(chunk).execute(c)?
                }
                $crate::db::DbConnection::Postgres(c) => {
                    diesel::insert_into($table).values(chunk).execute(c)?
                }
            };
        }
        inserted
    }};
}
pub(crate) use insert_batch;

/// Inserts many rows that write every column themselves, no DEFAULT (what `COPY` can take:
/// tuples of `column.eq(value)`, or the `history::New…Row` structs, which write `None` as
/// NULL): SQLite gets multi-row INSERTs of 500 rows; PostgreSQL one binary `COPY FROM`, which
/// it neither parses nor plans per row — the bulk write path of an import.
macro_rules! copy_batch {
    ($conn:expr, $table:expr, $rows:expr) => {{
        let rows = $rows;
        let mut inserted = 0usize;
        if !rows.is_empty() {
            match &mut *$conn {
                $crate::db::DbConnection::Sqlite(c) => {
                    for chunk in rows.chunks(500) {
                        inserted += diesel::insert_into($table).values(chunk).execute(c)?;
                    }
                }
                $crate::db::DbConnection::Postgres(c) => {
                    inserted += diesel::copy_from($table)
                        .from_insertable(&rows)
                        .execute(c)?;
                }
            }
        }
        inserted
    }};
}
pub(crate) use copy_batch;

//! Backups of the embedded database and their restore (docs/backup.md). A backup is SQLite's
//! `VACUUM INTO`: one read transaction, so the copy is consistent however busy the server is,
//! and it is a plain SQLite file that any SQLite can open. It is written under a temporary
//! name and linked to its own when complete and checked, so a file under the chosen name is
//! always a whole backup, and no file is ever overwritten. PostgreSQL has its own tools (`pg_dump`, `pg_restore`); quanze does not
//! wrap them.

use std::path::{Path, PathBuf};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::db::{Database, DatabaseTarget, DbConnection};
use crate::error::{RegistryError, Result};

/// What a backup or a restore holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupSummary {
    pub path: PathBuf,
    pub bytes: u64,
    /// Items in any state, versions, users and audit entries it holds.
    pub items: i64,
    pub versions: i64,
    pub users: i64,
    pub audit_entries: i64,
    /// The newest change-feed sequence number: the index follows the feed up to here.
    pub outbox_seq: i64,
}

const POSTGRES_BACKUP: &str = "on PostgreSQL, back up with pg_dump and restore with pg_restore, then run `quanze reindex` (docs/backup.md)";

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> RegistryError + '_ {
    move |source| RegistryError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn refused(message: String) -> RegistryError {
    RegistryError::Conflict(message)
}

/// `path` with `suffix` added to its file name (`quanze.db` → `quanze.db-wal`).
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(suffix);
    path.with_file_name(name)
}

fn exists_refusal(path: &Path, what: &str) -> RegistryError {
    refused(format!("{} exists; {what}", path.display()))
}

/// Copies the open SQLite database `db` into a new file `to` while it stays in use; refuses to
/// overwrite a file. Returns what the copy holds.
pub fn backup(db: &Database, to: &Path) -> Result<BackupSummary> {
    const NEVER: &str = "a backup never overwrites a file";
    if to.exists() {
        return Err(exists_refusal(to, NEVER));
    }
    let mut conn = db.conn()?;
    let DbConnection::Sqlite(conn) = &mut *conn else {
        return Err(refused(POSTGRES_BACKUP.into()));
    };
    write_copy(conn, to, NEVER, |_| Ok(()))
}

/// Restores the backup `from` as the SQLite database `to_url`, which must not exist yet (a
/// restore never replaces a registry), brought up to this release's schema and data steps
/// before it gets its name. Rebuilding the search index from it is the caller's next step.
pub fn restore(from: &Path, to_url: &str) -> Result<BackupSummary> {
    const NEVER: &str =
        "restore into a new data directory or database path (a restore never replaces a registry)";
    let path = match DatabaseTarget::parse(to_url)? {
        DatabaseTarget::Sqlite(path) => path,
        DatabaseTarget::Postgres(_) => return Err(refused(POSTGRES_BACKUP.into())),
    };
    // A journal left beside the path would be replayed onto the restored database.
    for taken in [path.clone(), beside(&path, "-wal"), beside(&path, "-shm")] {
        if taken.exists() {
            return Err(exists_refusal(&taken, NEVER));
        }
    }
    if !from.is_file() {
        return Err(RegistryError::NotFound(format!(
            "backup {}",
            from.display()
        )));
    }
    let mut source = open_plain(from)?;
    check(&mut source, from)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    write_copy(&mut source, &path, NEVER, |copy| {
        // A backup made by an older release is brought up to this one, still unnamed.
        let db = Database::open(&format!("sqlite://{}", copy.display()))?;
        crate::upgrade::complete(&db)?;
        drop(db);
        // Fold the write-ahead log into the file, which alone gets the name.
        diesel::sql_query("PRAGMA wal_checkpoint(TRUNCATE)").execute(&mut open_plain(copy)?)?;
        Ok(())
    })
}

/// Copies the database behind `conn` to `to`: under a name of this process's own (claimed, so
/// two copies never share it), then `prepare`d and checked, then linked to `to` — which fails
/// if `to` appeared meanwhile, so nothing is ever overwritten. Nothing is left behind but `to`.
fn write_copy(
    conn: &mut diesel::SqliteConnection,
    to: &Path,
    never: &str,
    prepare: impl FnOnce(&Path) -> Result<()>,
) -> Result<BackupSummary> {
    let partial = beside(to, &format!(".{}.partial", std::process::id()));
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&partial)
        .map_err(io(&partial))?;
    let written = vacuum_into(conn, &partial)
        .and_then(|()| prepare(&partial))
        .and_then(|()| summarise(&partial, to))
        .and_then(|summary| {
            std::fs::hard_link(&partial, to).map_err(|e| match e.kind() {
                std::io::ErrorKind::AlreadyExists => exists_refusal(to, never),
                _ => io(to)(e),
            })?;
            Ok(summary)
        });
    for leftover in [
        partial.clone(),
        beside(&partial, "-wal"),
        beside(&partial, "-shm"),
    ] {
        let _ = std::fs::remove_file(leftover);
    }
    let summary = written?;
    let bytes = std::fs::metadata(to).map_err(io(to))?.len();
    Ok(BackupSummary { bytes, ..summary })
}

/// Writes a consistent copy of the database behind `conn` to the new file `to`.
fn vacuum_into(conn: &mut diesel::SqliteConnection, to: &Path) -> Result<()> {
    let target = to.to_str().ok_or_else(|| {
        refused(format!(
            "{} is not a UTF-8 path, which SQLite cannot be given",
            to.display()
        ))
    })?;
    diesel::sql_query("VACUUM INTO ?")
        .bind::<Text, _>(target)
        .execute(conn)?;
    Ok(())
}

/// A connection to a SQLite file that applies nothing to it (no migrations, no pragmas).
fn open_plain(path: &Path) -> Result<diesel::SqliteConnection> {
    Ok(diesel::SqliteConnection::establish(
        &path.to_string_lossy(),
    )?)
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Checks that `conn` is a whole quanze registry: SQLite's integrity check passes and the
/// registry's tables are there.
fn check(conn: &mut diesel::SqliteConnection, path: &Path) -> Result<()> {
    let not_a_backup = |why: String| {
        RegistryError::Invalid(vec![crate::problem::Problem::error(
            "backup",
            format!("{} is not a quanze backup: {why}", path.display()),
        )])
    };
    let integrity: Vec<Line> =
        diesel::sql_query("SELECT integrity_check AS line FROM pragma_integrity_check")
            .load(conn)
            .map_err(|e| not_a_backup(e.to_string()))?;
    if integrity.len() != 1 || integrity[0].line != "ok" {
        let first = integrity.first().map(|l| l.line.as_str()).unwrap_or("");
        return Err(not_a_backup(format!("integrity check: {first}")));
    }
    let tables: Count = diesel::sql_query(
        "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' \
         AND name IN ('__diesel_schema_migrations', 'power_items', 'outbox', 'users')",
    )
    .get_result(conn)?;
    if tables.n != 4 {
        return Err(not_a_backup("the registry's tables are missing".into()));
    }
    Ok(())
}

/// Checks the written copy and says what it holds.
fn summarise(partial: &Path, to: &Path) -> Result<BackupSummary> {
    let mut copy = open_plain(partial)?;
    check(&mut copy, partial)?;
    let mut count =
        |sql: &str| -> Result<i64> { Ok(diesel::sql_query(sql).get_result::<Count>(&mut copy)?.n) };
    Ok(BackupSummary {
        path: to.to_path_buf(),
        bytes: 0,
        items: count("SELECT COUNT(*) AS n FROM power_items")?,
        versions: count("SELECT COUNT(*) AS n FROM item_versions")?,
        users: count("SELECT COUNT(*) AS n FROM users")?,
        audit_entries: count("SELECT COUNT(*) AS n FROM audit_log")?,
        outbox_seq: count("SELECT COALESCE(MAX(seq), 0) AS n FROM outbox")?,
    })
}

//! Database access over SQLite (embedded default) and PostgreSQL (scale) through one diesel
//! connection type, so every repository function has a single code path.
//!
//! The backend is chosen from the URL scheme (`sqlite://path`, `postgres://…`), never by
//! trial, and each backend's migrations (same names, own dialect) are embedded in the binary
//! and applied at start.

use std::path::PathBuf;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{ManageConnection, Pool, PooledConnection};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

use crate::error::{RegistryError, Result};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../migrations/postgres");

/// One connection to either backend.
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

/// Which database a URL points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseTarget {
    /// Parses `sqlite://PATH`, `sqlite:PATH`, `postgres://…` or `postgresql://…`.
    pub fn parse(url: &str) -> Result<DatabaseTarget> {
        let url = url.trim();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(DatabaseTarget::Postgres(url.to_string()));
        }
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            if path.is_empty() {
                return Err(RegistryError::InvalidDatabaseUrl(
                    "sqlite URL without a file path".into(),
                ));
            }
            return Ok(DatabaseTarget::Sqlite(PathBuf::from(path)));
        }
        Err(RegistryError::InvalidDatabaseUrl(format!(
            "expected sqlite://PATH or postgres://…, got {:?}",
            url.split("://").next().unwrap_or_default()
        )))
    }

    pub fn backend_name(&self) -> &'static str {
        match self {
            DatabaseTarget::Sqlite(_) => "sqlite",
            DatabaseTarget::Postgres(_) => "postgres",
        }
    }

    fn connect(&self) -> std::result::Result<DbConnection, diesel::ConnectionError> {
        match self {
            DatabaseTarget::Sqlite(path) => {
                let mut conn = diesel::SqliteConnection::establish(&path.to_string_lossy())?;
                conn.batch_execute(
                    "PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;",
                )
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(DbConnection::Sqlite(conn))
            }
            DatabaseTarget::Postgres(url) => Ok(DbConnection::Postgres(
                diesel::PgConnection::establish(url)?,
            )),
        }
    }
}

/// r2d2 manager that builds the right variant for the URL and configures it.
pub struct ConnectionManager {
    target: DatabaseTarget,
}

impl ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> std::result::Result<DbConnection, Self::Error> {
        self.target
            .connect()
            .map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> std::result::Result<(), Self::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

/// A pool of connections plus what it points at. Cheap to clone.
#[derive(Clone)]
pub struct Database {
    pool: Pool<ConnectionManager>,
    target: std::sync::Arc<DatabaseTarget>,
}

impl Database {
    /// Opens (creating a SQLite file and its directory where needed) and migrates, with the
    /// backend's default pool size.
    pub fn open(url: &str) -> Result<Database> {
        Database::open_with_pool(url, None)
    }

    /// Like [`Database::open`], with at most `max_connections` pooled connections (`None`:
    /// [`default_pool_size`]). More serve more concurrent requests on PostgreSQL; on SQLite
    /// writers queue for one lock whatever the size, so few suffice.
    pub fn open_with_pool(url: &str, max_connections: Option<u32>) -> Result<Database> {
        let target = DatabaseTarget::parse(url)?;
        if max_connections == Some(0) {
            return Err(RegistryError::Pool(
                "a connection pool needs at least one connection".into(),
            ));
        }
        if let DatabaseTarget::Sqlite(path) = &target {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|source| RegistryError::Io {
                    path: dir.display().to_string(),
                    source,
                })?;
            }
            switch_to_wal(&target)?;
        }
        let max_size = max_connections.unwrap_or_else(|| default_pool_size(&target));
        let pool = Pool::builder()
            .max_size(max_size)
            .connection_timeout(Duration::from_secs(30))
            .build(ConnectionManager {
                target: target.clone(),
            })?;
        let db = Database {
            pool,
            target: std::sync::Arc::new(target),
        };
        db.migrate()?;
        Ok(db)
    }

    /// A PostgreSQL hot standby for reads that may be a moment behind the primary: public
    /// pages and API reads, the index follower, the change feed. Nothing is written through it
    /// and no migration is run on it (a standby is read-only); its schema must already be the
    /// primary's, replicated.
    pub fn open_replica(url: &str, max_connections: Option<u32>) -> Result<Database> {
        let target = DatabaseTarget::parse(url)?;
        if !matches!(target, DatabaseTarget::Postgres(_)) {
            return Err(RegistryError::Pool(
                "a read replica is a PostgreSQL standby (postgres://…)".into(),
            ));
        }
        let mut conn = target.connect()?;
        if !is_standby(&mut conn)? {
            return Err(RegistryError::Pool(
                "the read replica is not a standby (pg_is_in_recovery() is false): give the URL of a hot standby of the primary".into(),
            ));
        }
        // Just after the primary was migrated (a rolling upgrade), the standby may still be
        // replaying the migration: wait for it a while rather than refuse to start.
        let deadline = std::time::Instant::now() + REPLICA_SCHEMA_WAIT;
        while !holds_every_migration(&mut conn)? {
            if std::time::Instant::now() > deadline {
                return Err(RegistryError::Migration(format!(
                    "the read replica's schema is still behind this version's after {} s: migrate the primary and let the standby replay it",
                    REPLICA_SCHEMA_WAIT.as_secs()
                )));
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        let pool = Pool::builder()
            .max_size(max_connections.unwrap_or_else(|| default_pool_size(&target)))
            .connection_timeout(Duration::from_secs(30))
            .build(ConnectionManager {
                target: target.clone(),
            })?;
        Ok(Database {
            pool,
            target: std::sync::Arc::new(target),
        })
    }

    pub fn target(&self) -> &DatabaseTarget {
        &self.target
    }

    pub fn conn(&self) -> Result<PooledConnection<ConnectionManager>> {
        Ok(self.pool.get()?)
    }

    /// Whether the database answers within `within` (a pooled connection is checked out with a
    /// query): a readiness probe must not wait out the pool's 30 s for a server that is down.
    pub fn answers_within(&self, within: Duration) -> Result<()> {
        self.pool.get_timeout(within)?;
        Ok(())
    }

    /// The pool's figures now, for metrics and for tests that a connection is not held.
    pub fn pool_status(&self) -> PoolStatus {
        let state = self.pool.state();
        PoolStatus {
            max: self.pool.max_size(),
            open: state.connections,
            idle: state.idle_connections,
        }
    }

    /// Applies pending embedded migrations of the matching dialect; returns their names.
    /// (Data steps that go with a migration: `upgrade::complete`.)
    ///
    /// Several servers may start at once on one PostgreSQL database: the first to arrive
    /// migrates while the others wait on a lock, then find nothing pending. The lock is held
    /// by a connection of its own, outside the pool, so that closing it releases the lock
    /// whatever happened. On SQLite the write lock is taken before the pending migrations are
    /// read again, for the same reason (a command started beside a server on a new file). When
    /// nothing is pending no lock is taken at all: opening a database beside a long write (an
    /// import) must not wait for it.
    pub fn migrate(&self) -> Result<Vec<String>> {
        let mut conn = self.target.connect()?;
        let migration_error =
            |e: Box<dyn std::error::Error + Send + Sync>| RegistryError::Migration(e.to_string());
        let names = |v: Vec<diesel::migration::MigrationVersion<'_>>| {
            v.iter().map(ToString::to_string).collect::<Vec<String>>()
        };
        // PostgreSQL is asked by reading only: diesel's own question creates its bookkeeping
        // table first, and two servers creating it at once collide.
        if matches!(conn, DbConnection::Postgres(_)) && holds_every_migration(&mut conn)? {
            return Ok(Vec::new());
        }
        match &mut conn {
            DbConnection::Sqlite(c) => {
                if !c
                    .has_pending_migration(SQLITE_MIGRATIONS)
                    .map_err(migration_error)?
                {
                    return Ok(Vec::new());
                }
                c.immediate_transaction(|c| c.run_pending_migrations(SQLITE_MIGRATIONS).map(names))
                    .map_err(migration_error)
            }
            DbConnection::Postgres(c) => {
                c.batch_execute(&format!("SELECT pg_advisory_lock({MIGRATION_LOCK})"))?;
                c.run_pending_migrations(POSTGRES_MIGRATIONS)
                    .map(names)
                    .map_err(migration_error)
            }
        }
    }
}

/// How long openers starting together on a new SQLite file retry switching it to WAL.
const WAL_SWITCH_WAIT: Duration = Duration::from_secs(10);

/// Puts a SQLite file in WAL mode, once, before the pool opens connections (setting it on
/// every pooled connection races). The switch needs the file to itself and SQLite refuses it
/// at once ("database is locked") rather than waiting out the busy timeout, so several
/// processes opening one new file together retry until the first has switched it.
fn switch_to_wal(target: &DatabaseTarget) -> Result<()> {
    #[derive(diesel::QueryableByName)]
    struct JournalMode {
        #[diesel(sql_type = diesel::sql_types::Text)]
        journal_mode: String,
    }
    let mut conn = target.connect()?;
    let deadline = std::time::Instant::now() + WAL_SWITCH_WAIT;
    loop {
        match diesel::sql_query("PRAGMA journal_mode = WAL").get_result::<JournalMode>(&mut conn) {
            Ok(mode) if mode.journal_mode.eq_ignore_ascii_case("wal") => return Ok(()),
            Ok(mode) => {
                return Err(RegistryError::Pool(format!(
                    "SQLite kept journal mode {:?} instead of WAL (is the file on a network share?)",
                    mode.journal_mode
                )));
            }
            Err(diesel::result::Error::DatabaseError(_, info))
                if info.message().contains("locked") && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// The PostgreSQL advisory lock key of `write_transaction`.
const WRITE_LOCK: i64 = 7373420;
/// The PostgreSQL advisory lock key migrations run under.
const MIGRATION_LOCK: i64 = 7373421;

/// Pooled connections at most when not configured: SQLite has one writer at a time, so a few
/// connections serve its readers; a PostgreSQL server takes more at once.
pub fn default_pool_size(target: &DatabaseTarget) -> u32 {
    match target {
        DatabaseTarget::Sqlite(_) => 4,
        DatabaseTarget::Postgres(_) => 8,
    }
}

/// A connection pool's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStatus {
    /// Connections the pool may hold.
    pub max: u32,
    /// Connections open now (in use or idle).
    pub open: u32,
    /// Open connections nobody is using.
    pub idle: u32,
}

/// How long a starting server waits for its read replica to replay the primary's migrations.
const REPLICA_SCHEMA_WAIT: Duration = Duration::from_secs(120);

/// Whether a PostgreSQL server is a standby (in recovery, replaying a primary's WAL).
fn is_standby(conn: &mut DbConnection) -> Result<bool> {
    #[derive(diesel::QueryableByName)]
    struct Recovery {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        standby: bool,
    }
    let r: Recovery =
        diesel::sql_query("SELECT pg_is_in_recovery() AS standby").get_result(conn)?;
    Ok(r.standby)
}

/// Whether a PostgreSQL database holds every migration of this version, found by reading
/// only. (diesel's own check first creates its bookkeeping table: a read-only standby refuses
/// that, and servers starting together on a new database collide doing it.)
fn holds_every_migration(conn: &mut DbConnection) -> Result<bool> {
    #[derive(diesel::QueryableByName)]
    struct Present {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        present: bool,
    }
    #[derive(diesel::QueryableByName)]
    struct Applied {
        #[diesel(sql_type = diesel::sql_types::Text)]
        version: String,
    }
    let table: Present = diesel::sql_query(
        "SELECT to_regclass('__diesel_schema_migrations') IS NOT NULL AS present",
    )
    .get_result(conn)?;
    if !table.present {
        return Ok(false);
    }
    let applied: std::collections::HashSet<String> =
        diesel::sql_query("SELECT version FROM __diesel_schema_migrations")
            .load::<Applied>(conn)?
            .into_iter()
            .map(|a| a.version)
            .collect();
    let ours: Vec<Box<dyn diesel::migration::Migration<diesel::pg::Pg>>> =
        MigrationSource::<diesel::pg::Pg>::migrations(&POSTGRES_MIGRATIONS)
            .map_err(|e| RegistryError::Migration(e.to_string()))?;
    Ok(ours
        .iter()
        .all(|m| applied.contains(&m.name().version().to_string())))
}

/// Names of the embedded migrations for each backend, for the test that keeps them in step.
pub fn migration_names() -> (Vec<String>, Vec<String>) {
    fn names(m: &EmbeddedMigrations) -> Vec<String> {
        let migrations: Vec<Box<dyn diesel::migration::Migration<diesel::sqlite::Sqlite>>> =
            MigrationSource::<diesel::sqlite::Sqlite>::migrations(m).unwrap_or_default();
        migrations.iter().map(|m| m.name().to_string()).collect()
    }
    (names(&SQLITE_MIGRATIONS), names(&POSTGRES_MIGRATIONS))
}

use diesel::migration::MigrationSource;

/// Runs `f` in one transaction that holds the registry's write lock from its first statement.
/// On PostgreSQL that is an advisory lock, so writers (and thus outbox sequence numbers) commit
/// in the order they were assigned: a follower reading `seq > last` never skips a row that
/// commits late. On SQLite a no-op write takes the database's write lock at once (waiting up
/// to the busy timeout), like `BEGIN IMMEDIATE`: a transaction that read first and wrote later
/// would fail outright when another writer committed in between.
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> std::result::Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> std::result::Result<T, E>,
    E: From<diesel::result::Error>,
{
    conn.transaction(|c| {
        match c {
            DbConnection::Postgres(pg) => {
                pg.batch_execute(&format!("SELECT pg_advisory_xact_lock({WRITE_LOCK})"))?
            }
            DbConnection::Sqlite(lite) => {
                lite.batch_execute("UPDATE outbox SET seq = seq WHERE 0")?
            }
        }
        f(c)
    })
}

//! The one error type of the registry crate. Callers (the CLI, the HTTP layer) map its variants
//! to exit codes or HTTP statuses in one place each; the messages never carry secrets.

use crate::problem::Problem;

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// The database URL names no backend we support, or is malformed.
    #[error("invalid database URL: {0}")]
    InvalidDatabaseUrl(String),
    #[error("cannot connect to the database: {0}")]
    Connection(#[from] diesel::ConnectionError),
    #[error("connection pool: {0}")]
    Pool(String),
    #[error("database migration failed: {0}")]
    Migration(String),
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
    /// Input that failed validation; each problem names its row and field.
    #[error("{} invalid input problem(s)", .0.len())]
    Invalid(Vec<Problem>),
    #[error("not found: {0}")]
    NotFound(String),
    /// No valid credentials (missing, unknown, expired or revoked token, disabled user).
    #[error("not authenticated: {0}")]
    Unauthenticated(String),
    /// The caller's role or departments do not allow the action.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The action does not fit the current state (a draft already exists, not in review, …).
    #[error("conflict: {0}")]
    Conflict(String),
    /// An edit was based on an older revision of a draft.
    #[error("the draft has changed since revision {expected}; it is at revision {current}")]
    StaleRevision { expected: i32, current: i32 },
    #[error("I/O error on {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

impl From<diesel::r2d2::PoolError> for RegistryError {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        RegistryError::Pool(e.to_string())
    }
}

pub type Result<T, E = RegistryError> = std::result::Result<T, E>;

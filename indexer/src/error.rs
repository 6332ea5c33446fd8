//! The one error type of the indexer crate.

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("search index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error(transparent)]
    Registry(#[from] quanze_registry::RegistryError),
    #[error("search index I/O on {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot load the dictionary: {0}")]
    Dictionary(String),
    /// A search request the client got wrong (bad filter value, page out of range).
    #[error("invalid search parameter {parameter}: {message}")]
    InvalidParameter {
        parameter: &'static str,
        message: String,
    },
    /// The embedding model file could not be used (the server then searches by words only).
    #[error("embedding model: {0}")]
    Model(String),
    #[error("search index is corrupt: {0}")]
    Corrupt(String),
    /// Another process is rebuilding this index now; a second rebuild would only race it.
    #[error("another reindex of {0} is running; wait for it to finish")]
    RebuildRunning(String),
    /// Only published and revoked items are searchable (the rule of `PowerItemRow::is_public`,
    /// which the follower applies): anything else handed to the index is refused, so the
    /// default "published" search may exclude the revoked instead of listing the published.
    #[error("item {id} has status {status:?}: only published and revoked items are indexed")]
    NotSearchable { id: i64, status: String },
}

impl From<tantivy::directory::error::OpenDirectoryError> for IndexError {
    fn from(e: tantivy::directory::error::OpenDirectoryError) -> Self {
        IndexError::Tantivy(e.into())
    }
}

pub type Result<T, E = IndexError> = std::result::Result<T, E>;

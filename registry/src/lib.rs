//! quanze-registry: the registry of 权力清单 (power lists) and 责任清单 (responsibility lists).
//!
//! Domain types and validation, the storage schema on SQLite and PostgreSQL (one diesel code
//! path), repository functions, versions, audit log and outbox, and the importers (NDJSON
//! items and responsibility lists, LawRefBook laws). It knows neither HTTP nor the search
//! index: the server and the indexer build on it.
//!
//! Layers, bottom up (a test forbids loops between them): `problem`, `error`, `domain` →
//! `interchange`, `validate`, `schema`, `models`, `db` → `auth` (who may do what) → `repo`
//! (queries; the writes are crate-private) → `workflow`, `accounts`, `audit` (the public ways
//! to change and to read what is not public, each checking `auth`'s rules; `sessions`, people
//! signed in to the workbench, with `passwords`) → `import`,
//! `export`.

pub mod accounts;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod db;
pub mod domain;
pub mod error;
pub mod export;
pub mod fault;
pub mod feedback;
pub mod import;
pub mod interchange;
pub mod models;
pub mod passwords;
pub mod problem;
pub mod publish_guard;
pub mod quality;
pub mod repo;
pub mod schema;
pub mod secrets;
pub mod sessions;
pub mod sheet;
pub mod statistics;
pub mod tasks;
pub mod upgrade;
pub mod uploads;
pub mod validate;
pub mod workflow;

pub use db::{Database, DatabaseTarget, DbConnection};
pub use error::{RegistryError, Result};

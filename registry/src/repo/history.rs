//! The append-only records: item versions (immutable snapshots), the outbox that the search
//! index and the public change feed follow, and the audit log.

use diesel::prelude::*;

use crate::auth::Actor;
use crate::db::DbConnection;
pub use crate::domain::FeedEntity;
use crate::domain::ItemStatus;
use crate::error::Result;
use crate::models::{AuditRow, ItemVersionRow, OutboxRow};
use crate::schema::{audit_log, item_versions, outbox};

/// What happened to an item, as the public change feed says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Published,
    Revised,
    Revoked,
    /// A law the item cites changed: the item is due for review (still published as it was).
    NeedsReview,
    /// The stored laws or articles the item's legal bases link to changed (a laws import).
    Relinked,
    /// A reviewer approved the item as it stands (its content is the same): due-for-review
    /// flags are cleared, its citations bind to the laws in force now.
    Reviewed,
    /// A public item became withheld (不予公开): mirrors drop it; the feed says no more.
    Withdrawn,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Published => "published",
            ChangeKind::Revised => "revised",
            ChangeKind::Revoked => "revoked",
            ChangeKind::NeedsReview => "needs_review",
            ChangeKind::Relinked => "relinked",
            ChangeKind::Reviewed => "reviewed",
            ChangeKind::Withdrawn => "withdrawn",
        }
    }
}

pub(crate) struct NewVersion<'a> {
    pub item_id: i64,
    pub version: i32,
    pub status: &'a str,
    pub snapshot: &'a str,
    pub reason: Option<&'a str>,
}

/// A version row as written: the one mapping of a version onto the table's columns, for a
/// single change and for an import's batches alike. `None` is written as NULL (not the
/// column default), as `COPY` needs.
#[derive(Insertable)]
#[diesel(table_name = item_versions, treat_none_as_default_value = false)]
pub(crate) struct NewVersionRow<'a> {
    item_id: i64,
    version: i32,
    status: &'a str,
    snapshot: &'a str,
    actor: &'a str,
    reason: Option<&'a str>,
    created_at: chrono::NaiveDateTime,
}

impl<'a> NewVersion<'a> {
    pub(crate) fn row(&self, actor: &'a Actor, at: chrono::NaiveDateTime) -> NewVersionRow<'a> {
        NewVersionRow {
            item_id: self.item_id,
            version: self.version,
            status: self.status,
            snapshot: self.snapshot,
            actor: &actor.name,
            reason: self.reason,
            created_at: at,
        }
    }
}

pub(crate) fn append_version(
    conn: &mut DbConnection,
    v: &NewVersion<'_>,
    actor: &Actor,
    at: chrono::NaiveDateTime,
) -> Result<()> {
    diesel::insert_into(item_versions::table)
        .values(v.row(actor, at))
        .execute(conn)?;
    Ok(())
}

/// The newest version of an item, if it has any.
pub fn latest_version(conn: &mut DbConnection, item_id: i64) -> Result<Option<ItemVersionRow>> {
    Ok(item_versions::table
        .filter(item_versions::item_id.eq(item_id))
        .order(item_versions::version.desc())
        .select(ItemVersionRow::as_select())
        .first(conn)
        .optional()?)
}

/// An item's public versions, oldest first: a version approved while the item was withheld
/// (不予公开) is no one's to read but its department's.
pub fn list_versions(conn: &mut DbConnection, item_id: i64) -> Result<Vec<ItemVersionRow>> {
    Ok(item_versions::table
        .filter(item_versions::item_id.eq(item_id))
        .filter(item_versions::status.ne(ItemStatus::Withheld.as_str()))
        .order(item_versions::version.asc())
        .select(ItemVersionRow::as_select())
        .load(conn)?)
}

/// The numbers of an item's public versions, oldest first (no snapshots read).
pub fn public_version_numbers(conn: &mut DbConnection, item_id: i64) -> Result<Vec<i32>> {
    Ok(item_versions::table
        .filter(item_versions::item_id.eq(item_id))
        .filter(item_versions::status.ne(ItemStatus::Withheld.as_str()))
        .order(item_versions::version.asc())
        .select(item_versions::version)
        .load(conn)?)
}

/// One page of an item's public versions, oldest first, with how many there are.
pub fn versions_page(
    conn: &mut DbConnection,
    item_id: i64,
    offset: i64,
    limit: i64,
) -> Result<(Vec<ItemVersionRow>, i64)> {
    let total: i64 = item_versions::table
        .filter(item_versions::item_id.eq(item_id))
        .filter(item_versions::status.ne(ItemStatus::Withheld.as_str()))
        .count()
        .get_result(conn)?;
    let rows = item_versions::table
        .filter(item_versions::item_id.eq(item_id))
        .filter(item_versions::status.ne(ItemStatus::Withheld.as_str()))
        .order(item_versions::version.asc())
        .offset(offset)
        .limit(limit)
        .select(ItemVersionRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

/// Version `version` of an item, when it is a public one.
pub fn find_version(
    conn: &mut DbConnection,
    item_id: i64,
    version: i32,
) -> Result<Option<ItemVersionRow>> {
    Ok(item_versions::table
        .filter(item_versions::item_id.eq(item_id))
        .filter(item_versions::version.eq(version))
        .filter(item_versions::status.ne(ItemStatus::Withheld.as_str()))
        .select(ItemVersionRow::as_select())
        .first(conn)
        .optional()?)
}

pub(crate) struct OutboxEntry<'a> {
    pub entity: FeedEntity,
    /// The record's id (an item's; a department's for its 责任清单 and itself; a law
    /// version's).
    pub entity_id: i64,
    /// Item code, department name, law title.
    pub key: &'a str,
    pub kind: ChangeKind,
    /// The record's version after the change; 0 for records without versions.
    pub version: i32,
    pub reason: Option<&'a str>,
}

impl<'a> OutboxEntry<'a> {
    /// A change to a power item.
    pub fn item(
        id: i64,
        code: &'a str,
        kind: ChangeKind,
        version: i32,
        reason: Option<&'a str>,
    ) -> OutboxEntry<'a> {
        OutboxEntry {
            entity: FeedEntity::Item,
            entity_id: id,
            key: code,
            kind,
            version,
            reason,
        }
    }
}

/// An outbox row as written: the one mapping of an entry onto the table's columns, for a
/// single change and for an import's batches alike. `None` is written as NULL (not the
/// column default), as `COPY` needs.
#[derive(Insertable)]
#[diesel(table_name = outbox, treat_none_as_default_value = false)]
pub(crate) struct NewOutboxRow<'a> {
    at: chrono::NaiveDateTime,
    entity: &'a str,
    entity_id: i64,
    entity_key: &'a str,
    kind: &'a str,
    version: i32,
    reason: Option<&'a str>,
}

impl<'a> OutboxEntry<'a> {
    pub(crate) fn row(&self, at: chrono::NaiveDateTime) -> NewOutboxRow<'a> {
        NewOutboxRow {
            at,
            entity: self.entity.as_str(),
            entity_id: self.entity_id,
            entity_key: self.key,
            kind: self.kind.as_str(),
            version: self.version,
            reason: self.reason,
        }
    }
}

/// Appends a change to the outbox. Call inside the transaction that makes the change.
pub(crate) fn append_outbox(
    conn: &mut DbConnection,
    e: &OutboxEntry<'_>,
    at: chrono::NaiveDateTime,
) -> Result<()> {
    diesel::insert_into(outbox::table)
        .values(e.row(at))
        .execute(conn)?;
    Ok(())
}

/// Outbox rows after `since`, oldest first.
pub fn outbox_since(conn: &mut DbConnection, since: i64, limit: i64) -> Result<Vec<OutboxRow>> {
    Ok(outbox::table
        .filter(outbox::seq.gt(since))
        .order(outbox::seq.asc())
        .limit(limit)
        .select(OutboxRow::as_select())
        .load(conn)?)
}

/// Outbox rows after `since` about these kinds of record only, oldest first.
pub fn outbox_since_of(
    conn: &mut DbConnection,
    since: i64,
    limit: i64,
    entities: &[FeedEntity],
) -> Result<Vec<OutboxRow>> {
    let names: Vec<&str> = entities.iter().map(|e| e.as_str()).collect();
    Ok(outbox::table
        .filter(outbox::seq.gt(since))
        .filter(outbox::entity.eq_any(names))
        .order(outbox::seq.asc())
        .limit(limit)
        .select(OutboxRow::as_select())
        .load(conn)?)
}

/// The newest outbox rows, newest first (for feeds of recent changes).
pub fn outbox_latest(conn: &mut DbConnection, limit: i64) -> Result<Vec<OutboxRow>> {
    Ok(outbox::table
        .order(outbox::seq.desc())
        .limit(limit)
        .select(OutboxRow::as_select())
        .load(conn)?)
}

pub(crate) struct AuditEntry<'a> {
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_key: &'a str,
    pub department_id: Option<i64>,
    pub details: serde_json::Value,
}

/// An audit row as written: the one mapping of an entry and its actor onto the table's
/// columns, for a single change and for an import's batches alike.
#[derive(Insertable)]
#[diesel(table_name = audit_log, treat_none_as_default_value = false)]
pub(crate) struct NewAuditRow<'a> {
    at: chrono::NaiveDateTime,
    actor: &'a str,
    origin: &'a str,
    action: &'a str,
    entity_type: &'a str,
    entity_key: &'a str,
    department_id: Option<i64>,
    details: String,
}

impl<'a> AuditEntry<'a> {
    pub(crate) fn row(&self, actor: &'a Actor, at: chrono::NaiveDateTime) -> NewAuditRow<'a> {
        NewAuditRow {
            at,
            actor: &actor.name,
            origin: &actor.origin,
            action: self.action,
            entity_type: self.entity_type,
            entity_key: self.entity_key,
            department_id: self.department_id,
            details: self.details.to_string(),
        }
    }
}

pub(crate) fn append_audit(
    conn: &mut DbConnection,
    e: &AuditEntry<'_>,
    actor: &Actor,
    at: chrono::NaiveDateTime,
) -> Result<()> {
    diesel::insert_into(audit_log::table)
        .values(e.row(actor, at))
        .execute(conn)?;
    Ok(())
}

pub fn audit_for_entity(
    conn: &mut DbConnection,
    entity_type: &str,
    entity_key: &str,
) -> Result<Vec<AuditRow>> {
    Ok(audit_log::table
        .filter(audit_log::entity_type.eq(entity_type))
        .filter(audit_log::entity_key.eq(entity_key))
        .order(audit_log::id.asc())
        .select(AuditRow::as_select())
        .load(conn)?)
}

/// Which audit entries a listing covers.
#[derive(Debug, Clone, Default)]
pub(crate) struct AuditFilter {
    /// Only entries of these departments (None: all, including those of no department).
    pub department_ids: Option<Vec<i64>>,
    pub actor: Option<String>,
    pub since: Option<chrono::NaiveDateTime>,
}

/// Audit entries matching the filter with ids after `after_id`, oldest first.
/// Which way a page of the audit log runs from its cursor.
#[derive(Debug, Clone, Copy)]
pub(crate) enum AuditPage {
    /// Entries with ids above this, oldest first (a mirror following the log).
    After(i64),
    /// Entries with ids below this (none: from the newest), newest first (a person reading).
    Before(Option<i64>),
}

pub(crate) fn search_audit(
    conn: &mut DbConnection,
    filter: &AuditFilter,
    page: AuditPage,
    limit: i64,
) -> Result<Vec<AuditRow>> {
    let mut q = audit_log::table.into_boxed();
    q = match page {
        AuditPage::After(id) => q.filter(audit_log::id.gt(id)).order(audit_log::id.asc()),
        AuditPage::Before(Some(id)) => q.filter(audit_log::id.lt(id)).order(audit_log::id.desc()),
        AuditPage::Before(None) => q.order(audit_log::id.desc()),
    };
    if let Some(ids) = &filter.department_ids {
        q = q.filter(audit_log::department_id.eq_any(ids.clone()));
    }
    if let Some(actor) = &filter.actor {
        q = q.filter(audit_log::actor.eq(actor.clone()));
    }
    if let Some(since) = filter.since {
        q = q.filter(audit_log::at.ge(since));
    }
    Ok(q.limit(limit).select(AuditRow::as_select()).load(conn)?)
}

/// Field-level difference of two JSON objects: `{field: {"before": …, "after": …}}` for every
/// top-level key whose value differs. Used for audit details and version diffs.
pub fn diff_fields(
    before: &serde_json::Value,
    after: &serde_json::Value,
) -> serde_json::Map<String, serde_json::Value> {
    let empty = serde_json::Map::new();
    let b = before.as_object().unwrap_or(&empty);
    let a = after.as_object().unwrap_or(&empty);
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| b.get(*k) != a.get(*k))
        .map(|k| {
            (
                k.clone(),
                serde_json::json!({"before": b.get(k), "after": a.get(k)}),
            )
        })
        .collect()
}

/// The newest outbox sequence number (0 when empty).
pub fn max_outbox_seq(conn: &mut DbConnection) -> Result<i64> {
    Ok(outbox::table
        .select(diesel::dsl::max(outbox::seq))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0))
}

//! Draft storage for the review workflow (the rules are in [`crate::workflow`]).

use diesel::prelude::*;

use crate::db::DbConnection;
use crate::error::Result;
use crate::models::DraftRow;
use crate::schema::item_drafts;

/// What a draft holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftKind {
    PowerItem,
    ResponsibilityList,
    /// A proposal to revoke a published item (its record is the item as it stands; the reason
    /// is the draft's).
    Revocation,
}

impl DraftKind {
    pub fn as_str(self) -> &'static str {
        match self {
            DraftKind::PowerItem => "power_item",
            DraftKind::ResponsibilityList => "responsibility_list",
            DraftKind::Revocation => "revocation",
        }
    }

    pub fn parse(s: &str) -> Option<DraftKind> {
        match s {
            "power_item" => Some(DraftKind::PowerItem),
            "responsibility_list" => Some(DraftKind::ResponsibilityList),
            "revocation" => Some(DraftKind::Revocation),
            _ => None,
        }
    }
}

/// The content of a new draft.
pub(crate) struct NewDraft<'a> {
    pub kind: DraftKind,
    pub item_id: Option<i64>,
    /// For a revision: the item version it starts from.
    pub base_version: Option<i32>,
    pub code: &'a str,
    pub name: &'a str,
    pub department_id: i64,
    pub record: &'a str,
    pub reason: Option<&'a str>,
    pub user_id: i64,
}

pub(crate) fn insert_draft(
    conn: &mut DbConnection,
    d: &NewDraft<'_>,
    at: chrono::NaiveDateTime,
) -> Result<DraftRow> {
    let id: i64 = diesel::insert_into(item_drafts::table)
        .values((
            item_drafts::kind.eq(d.kind.as_str()),
            item_drafts::item_id.eq(d.item_id),
            item_drafts::base_version.eq(d.base_version),
            item_drafts::code.eq(d.code),
            item_drafts::name.eq(d.name),
            item_drafts::department_id.eq(d.department_id),
            item_drafts::record.eq(d.record),
            item_drafts::status.eq(crate::domain::ItemStatus::Draft.as_str()),
            item_drafts::revision.eq(1),
            item_drafts::reason.eq(d.reason),
            item_drafts::created_by.eq(d.user_id),
            item_drafts::updated_by.eq(d.user_id),
            item_drafts::created_at.eq(at),
            item_drafts::updated_at.eq(at),
        ))
        .returning(item_drafts::id)
        .get_result(conn)?;
    find_draft(conn, id)?.ok_or_else(|| crate::RegistryError::NotFound(format!("draft {id}")))
}

pub(crate) fn find_draft(conn: &mut DbConnection, id: i64) -> Result<Option<DraftRow>> {
    Ok(item_drafts::table
        .find(id)
        .select(DraftRow::as_select())
        .first(conn)
        .optional()?)
}

pub(crate) fn find_draft_by_code(conn: &mut DbConnection, code: &str) -> Result<Option<DraftRow>> {
    Ok(item_drafts::table
        .filter(item_drafts::code.eq(code))
        .select(DraftRow::as_select())
        .first(conn)
        .optional()?)
}

/// New content for a draft; bumps its revision.
pub(crate) struct DraftEdit<'a> {
    pub name: &'a str,
    pub department_id: i64,
    pub record: &'a str,
    pub reason: Option<&'a str>,
    pub user_id: i64,
}

pub(crate) fn update_draft_content(
    conn: &mut DbConnection,
    draft: &DraftRow,
    e: &DraftEdit<'_>,
    at: chrono::NaiveDateTime,
) -> Result<()> {
    diesel::update(item_drafts::table.find(draft.id))
        .set((
            item_drafts::name.eq(e.name),
            item_drafts::department_id.eq(e.department_id),
            item_drafts::record.eq(e.record),
            item_drafts::reason.eq(e.reason),
            item_drafts::revision.eq(draft.revision + 1),
            item_drafts::updated_by.eq(e.user_id),
            item_drafts::updated_at.eq(at),
            // An edited draft is no longer what its upload's change set was.
            item_drafts::change_set.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(())
}

/// Moves a draft to `status`; bumps its revision so an editor holding the old one notices.
pub(crate) struct StatusChange<'a> {
    pub status: crate::domain::ItemStatus,
    pub submitted_by: Option<i64>,
    pub review_comment: Option<&'a str>,
    pub reviewed_by: Option<i64>,
}

pub(crate) fn set_draft_status(
    conn: &mut DbConnection,
    draft: &DraftRow,
    c: &StatusChange<'_>,
    at: chrono::NaiveDateTime,
) -> Result<()> {
    let submitted_at = c.submitted_by.map(|_| at);
    diesel::update(item_drafts::table.find(draft.id))
        .set((
            item_drafts::status.eq(c.status.as_str()),
            item_drafts::revision.eq(draft.revision + 1),
            item_drafts::submitted_by.eq(c.submitted_by),
            item_drafts::submitted_at.eq(submitted_at),
            item_drafts::review_comment.eq(c.review_comment),
            item_drafts::reviewed_by.eq(c.reviewed_by),
            item_drafts::updated_at.eq(at),
            // Submitted or sent back on its own, a draft leaves its change set (an upload
            // gives the drafts it submits a new one afterwards).
            item_drafts::change_set.eq(None::<String>),
        ))
        .execute(conn)?;
    Ok(())
}

pub(crate) fn delete_draft_row(conn: &mut DbConnection, id: i64) -> Result<()> {
    diesel::delete(item_drafts::table.find(id)).execute(conn)?;
    Ok(())
}

/// Which drafts a listing covers.
#[derive(Debug, Clone, Default)]
pub(crate) struct DraftFilter {
    /// Only these departments (None: all).
    pub department_ids: Option<Vec<i64>>,
    pub status: Option<String>,
}

/// Puts drafts into one change set.
pub(crate) fn set_change_set(conn: &mut DbConnection, ids: &[i64], key: &str) -> Result<()> {
    diesel::update(item_drafts::table.filter(item_drafts::id.eq_any(ids)))
        .set(item_drafts::change_set.eq(Some(key)))
        .execute(conn)?;
    Ok(())
}

/// The drafts of a change set, oldest first.
pub(crate) fn change_set_drafts(conn: &mut DbConnection, key: &str) -> Result<Vec<DraftRow>> {
    Ok(item_drafts::table
        .filter(item_drafts::change_set.eq(key))
        .order(item_drafts::id.asc())
        .select(DraftRow::as_select())
        .load(conn)?)
}

pub(crate) fn list_drafts(
    conn: &mut DbConnection,
    filter: &DraftFilter,
    offset: i64,
    limit: i64,
) -> Result<(Vec<DraftRow>, i64)> {
    let filtered = || {
        let mut q = item_drafts::table.into_boxed();
        if let Some(ids) = &filter.department_ids {
            q = q.filter(item_drafts::department_id.eq_any(ids.clone()));
        }
        if let Some(status) = &filter.status {
            q = q.filter(item_drafts::status.eq(status.clone()));
        }
        q
    };
    let total = filtered().count().get_result(conn)?;
    let rows = filtered()
        .order(item_drafts::id.asc())
        .offset(offset)
        .limit(limit)
        .select(DraftRow::as_select())
        .load(conn)?;
    Ok((rows, total))
}

//! Row types for the diesel schema. Read functions return them as read-only records: the
//! server's views and the indexer read their fields. Only the registry's own write path (the
//! workflow, accounts and the importers, through `pub(crate)` repository functions) creates or
//! changes rows, so every change carries its audit entry and outbox row.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::schema::*;

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = regions, primary_key(code))]
pub struct RegionRow {
    pub code: String,
    pub name: Option<String>,
    pub level: String,
    pub parent_code: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = departments)]
pub struct DepartmentRow {
    pub id: i64,
    pub name: String,
    pub uscc: Option<String>,
    pub region_code: String,
    pub level: Option<String>,
    pub kind: Option<String>,
    pub parent_id: Option<i64>,
    pub consultation: Option<String>,
    pub supervision: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = laws)]
pub struct LawRow {
    pub id: i64,
    pub title: String,
    pub short_title: String,
    pub level: String,
    pub issuer: Option<String>,
    pub version_date: Option<NaiveDate>,
    pub effective_date: Option<NaiveDate>,
    pub status: String,
    pub supersedes_id: Option<i64>,
    pub source_path: String,
    pub history: String,
    pub article_count: i32,
    pub imported_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = laws, treat_none_as_null = true)]
pub struct NewLaw<'a> {
    pub title: &'a str,
    pub short_title: &'a str,
    pub level: &'a str,
    pub issuer: Option<&'a str>,
    pub version_date: Option<NaiveDate>,
    pub effective_date: Option<NaiveDate>,
    pub status: &'a str,
    pub supersedes_id: Option<i64>,
    pub source_path: &'a str,
    pub history: String,
    pub article_count: i32,
    pub imported_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = law_articles)]
pub struct ArticleRow {
    pub id: i64,
    pub law_id: i64,
    pub position: i32,
    pub number: i32,
    pub sub_number: i32,
    pub label: String,
    pub chapter: Option<String>,
    pub section: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, Insertable)]
#[diesel(table_name = law_articles, treat_none_as_default_value = false)]
pub struct NewArticle<'a> {
    pub law_id: i64,
    pub position: i32,
    pub number: i32,
    pub sub_number: i32,
    pub label: &'a str,
    pub chapter: Option<&'a str>,
    pub section: Option<&'a str>,
    pub text: &'a str,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = power_items)]
pub struct PowerItemRow {
    pub id: i64,
    pub code: String,
    pub base_code: Option<String>,
    pub name: String,
    pub category: String,
    pub parent_code: Option<String>,
    pub department_id: i64,
    pub undertaking_office: Option<String>,
    pub power_source: Option<String>,
    pub exercise_levels: String,
    pub statutory_days: Option<i32>,
    pub promised_days: Option<i32>,
    pub time_limit_unit: Option<String>,
    pub time_limit_note: Option<String>,
    pub fee_charged: Option<bool>,
    pub fee_basis: Option<String>,
    pub fee_standard: Option<String>,
    pub consultation: Option<String>,
    pub supervision: Option<String>,
    pub remarks: Option<String>,
    pub status: String,
    pub version: i32,
    pub effective_from: Option<NaiveDate>,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoke_reason: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// 不予公开: why the item is withheld (status `withheld`), and the provision that allows it.
    pub withheld_reason: Option<String>,
    pub withheld_basis: Option<String>,
}

impl PowerItemRow {
    /// Whether the public may see the item: published or revoked (revoked items stay readable,
    /// marked so); drafts, items under review and withheld items (不予公开) are not public.
    pub fn is_public(&self) -> bool {
        crate::domain::ItemStatus::is_public(&self.status)
    }
}

/// The columns of an item that its content determines (everything but identity, life cycle
/// and timestamps); written on create and on every update. A missing value is NULL, never the
/// column's DEFAULT: so SQLite inserts a batch of items in one statement (a batch that may
/// hold DEFAULT it inserts row by row).
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(
    table_name = power_items,
    treat_none_as_null = true,
    treat_none_as_default_value = false
)]
pub struct ItemContent<'a> {
    pub code: &'a str,
    pub base_code: Option<&'a str>,
    pub name: &'a str,
    pub category: &'a str,
    pub parent_code: Option<&'a str>,
    pub department_id: i64,
    pub undertaking_office: Option<&'a str>,
    pub power_source: Option<&'a str>,
    pub exercise_levels: String,
    pub statutory_days: Option<i32>,
    pub promised_days: Option<i32>,
    pub time_limit_unit: Option<&'a str>,
    pub time_limit_note: Option<&'a str>,
    pub fee_charged: Option<bool>,
    pub fee_basis: Option<&'a str>,
    pub fee_standard: Option<&'a str>,
    pub consultation: Option<&'a str>,
    pub supervision: Option<&'a str>,
    pub remarks: Option<&'a str>,
    pub effective_from: Option<NaiveDate>,
    pub withheld_reason: Option<&'a str>,
    pub withheld_basis: Option<&'a str>,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = item_versions)]
pub struct ItemVersionRow {
    pub id: i64,
    pub item_id: i64,
    pub version: i32,
    pub status: String,
    pub snapshot: String,
    pub actor: String,
    pub reason: Option<String>,
    pub created_at: NaiveDateTime,
}

/// One published version of a department's 责任清单: the whole list as it stood.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = responsibility_list_versions)]
pub struct ResponsibilityListVersionRow {
    pub id: i64,
    pub department_id: i64,
    pub version: i32,
    /// The list in the interchange format.
    pub snapshot: String,
    pub actor: String,
    pub reason: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = outbox)]
pub struct OutboxRow {
    pub seq: i64,
    pub at: NaiveDateTime,
    /// The record's id: an item's, a department's (its 责任清单 too), a law version's.
    pub entity_id: i64,
    /// The record's key: item code, department name, law title.
    pub entity_key: String,
    pub kind: String,
    /// The record's version after the change (0 for records without versions).
    pub version: i32,
    pub reason: Option<String>,
    /// What the record is (`domain::FeedEntity`): item, responsibility_list, department, law.
    pub entity: String,
}

impl OutboxRow {
    /// Whether the entry is about a power item (what the search index follows).
    pub fn is_item(&self) -> bool {
        self.entity == crate::domain::FeedEntity::Item.as_str()
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub id: i64,
    pub at: NaiveDateTime,
    pub actor: String,
    pub origin: String,
    pub action: String,
    pub entity_type: String,
    pub entity_key: String,
    pub department_id: Option<i64>,
    pub details: String,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub disabled: bool,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = api_tokens)]
pub struct TokenRow {
    pub id: i64,
    pub user_id: i64,
    pub token_hash: String,
    pub token_prefix: String,
    pub created_at: NaiveDateTime,
    pub expires_at: Option<NaiveDateTime>,
    pub last_used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
    pub label: Option<String>,
}

/// A person's session in the workbench (the secret itself is only in their cookie).
#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = user_sessions)]
pub struct SessionRow {
    pub id: i64,
    pub user_id: i64,
    pub secret_hash: String,
    pub created_at: NaiveDateTime,
    pub last_seen_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    pub origin: String,
    pub user_agent: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Identifiable)]
#[diesel(table_name = item_drafts)]
pub struct DraftRow {
    pub id: i64,
    pub kind: String,
    pub item_id: Option<i64>,
    /// The item version a revision started from (approval refuses a stale base).
    pub base_version: Option<i32>,
    pub code: String,
    pub name: String,
    pub department_id: i64,
    pub record: String,
    pub status: String,
    pub revision: i32,
    pub reason: Option<String>,
    pub created_by: i64,
    pub updated_by: i64,
    pub submitted_by: Option<i64>,
    pub submitted_at: Option<NaiveDateTime>,
    pub review_comment: Option<String>,
    pub reviewed_by: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The drafts one upload submitted together share this key (approved or sent back as one).
    pub change_set: Option<String>,
}

/// An item due for review because a law it cites changed (open while `cleared_at` is null).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = item_review_flags)]
pub struct ReviewFlagRow {
    pub id: i64,
    pub item_id: i64,
    pub law_id: Option<i64>,
    pub reason: String,
    /// JSON: `[{"article": "第十条", "change": "changed"}]`.
    pub articles: String,
    pub created_at: NaiveDateTime,
    pub cleared_at: Option<NaiveDateTime>,
}

/// A citizen's rating, complaint or correction (`crate::feedback`); `contact` is never public.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = crate::schema::feedback)]
pub struct FeedbackRow {
    pub id: i64,
    pub receipt: String,
    pub item_id: i64,
    pub department_id: i64,
    pub kind: String,
    pub step: Option<String>,
    pub score: Option<i32>,
    pub body: Option<String>,
    pub contact: Option<String>,
    pub status: String,
    pub due_at: Option<NaiveDateTime>,
    pub answer: Option<String>,
    pub outcome: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub question_nonce: Option<String>,
}

//! An item as the public sees it: its record, department and legal bases resolved to stored
//! articles.

use quanze_registry::domain::Category;
use quanze_registry::interchange::PowerItemRecord;
use quanze_registry::repo::flags::FlaggedArticle;
use quanze_registry::repo::laws::ResolvedBasis;
use serde::Serialize;

use crate::error::ApiError;
use crate::views::rfc3339;

/// The department an item belongs to.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DepartmentSummary {
    pub id: i64,
    pub name: String,
    /// 统一社会信用代码, when known.
    pub uscc: Option<String>,
    /// Region code (GB/T 2260).
    pub region: String,
}

/// A power item as the public sees it: the interchange record plus identity, life cycle and
/// the legal bases resolved to stored law articles.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ItemView {
    pub id: i64,
    pub code: String,
    /// published or revoked (drafts are never public).
    pub status: String,
    /// Version number of the published content.
    pub version: i32,
    /// Chinese name of the category (行政许可 …).
    pub category_label: String,
    /// First published (RFC 3339, UTC).
    pub created_at: String,
    /// Last changed (RFC 3339, UTC).
    pub updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoke_reason: Option<String>,
    pub department: DepartmentSummary,
    /// The item in the interchange format.
    pub item: PowerItemRecord,
    /// Legal bases whose law is in the registry, with the stored article text.
    pub resolved_legal_bases: Vec<ResolvedBasis>,
    /// Why the item is due for review: a law it cites changed since it was published (empty
    /// when nothing is pending). Cleared when a revised version is approved.
    pub needs_review: Vec<ReviewFlag>,
}

/// A law change that made the item due for review.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ReviewFlag {
    /// 《中华人民共和国道路运输条例》2022-03-29版已被2023-07-20版修改, or …已废止.
    pub reason: String,
    /// When the change was found (RFC 3339, UTC).
    pub flagged_at: String,
    /// The cited articles and what became of each.
    pub articles: Vec<FlaggedArticle>,
}

/// The public view of an item by id or code (API and pages).
pub fn load_item_view(
    conn: &mut quanze_registry::DbConnection,
    key: &str,
) -> Result<ItemView, ApiError> {
    let row = quanze_registry::repo::items::find_public_item(conn, key)?;
    let department =
        quanze_registry::repo::departments::get_department(conn, row.department_id)?
            .ok_or_else(|| ApiError::Internal(format!("item {} has no department", row.code)))?;
    let item = quanze_registry::repo::items::load_item_records(conn, std::slice::from_ref(&row))?
        .pop()
        .ok_or_else(|| ApiError::Internal(format!("item {} could not be loaded", row.code)))?;
    let resolved_legal_bases = quanze_registry::repo::laws::resolved_legal_bases(conn, row.id)?;
    let needs_review = quanze_registry::repo::flags::open_flags(conn, row.id)?
        .into_iter()
        .map(|f| ReviewFlag {
            reason: f.reason,
            flagged_at: rfc3339(f.created_at),
            articles: serde_json::from_str(&f.articles).unwrap_or_default(),
        })
        .collect();
    Ok(ItemView {
        id: row.id,
        code: row.code,
        status: row.status,
        version: row.version,
        category_label: Category::label_of(&row.category),
        created_at: rfc3339(row.created_at),
        updated_at: rfc3339(row.updated_at),
        revoked_at: row.revoked_at.map(rfc3339),
        revoke_reason: row.revoke_reason,
        department: DepartmentSummary {
            id: department.id,
            name: department.name,
            uscc: department.uscc,
            region: department.region_code,
        },
        item,
        resolved_legal_bases,
        needs_review,
    })
}

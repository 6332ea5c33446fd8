//! `GET /api/v1/items/{id_or_code}` and `GET /api/v1/categories`.

use actix_web::{HttpResponse, get, web};
use quanze_registry::domain::Category;
use quanze_registry::interchange::PowerItemRecord;
use quanze_registry::repo::laws::ResolvedBasis;
use serde::Serialize;

use crate::http::error::ApiError;
use crate::http::{AppState, rfc3339};

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
}

/// A category with its published item count.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CategoryCount {
    /// Stable key (licensing, penalty …).
    pub key: String,
    /// Two-digit code of national catalogues.
    pub code: String,
    /// Chinese name.
    pub label: String,
    /// Published items in this category.
    pub count: i64,
}

/// The public view of an item by id or code (API and pages).
pub(crate) fn load_item_view(
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
    })
}

/// One power item, by id or by code.
///
/// The full item in the interchange format with its status, version and timestamps, its
/// department, and each legal basis resolved to the stored law article where the law is in
/// the registry. Drafts and items under review are not public (404).
#[utoipa::path(
    tag = "items",
    params(("id_or_code" = String, Path, description = "The item's numeric id or its code (实施编码)", example = "511A0138000000-511602000000-000-115113010833722043-1-00")),
    responses(
        (status = 200, description = "The item", body = ItemView),
        (status = 404, description = "No public item has this id or code", body = crate::http::error::Problem, content_type = "application/problem+json")
    )
)]
#[get("/items/{id_or_code}")]
pub async fn get_item(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = path.into_inner();
    let view = state
        .with_conn(move |conn| load_item_view(conn, &key))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// The categories of power, with published item counts.
///
/// All eleven categories (ten kinds of administrative power and public services), in catalogue
/// order, with how many published items each has.
#[utoipa::path(tag = "items", responses((status = 200, description = "Every category with its count", body = Vec<CategoryCount>)))]
#[get("/categories")]
pub async fn categories(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let counts = state
        .with_conn(move |conn| {
            Ok(quanze_registry::repo::items::count_published_by_category(
                conn,
            )?)
        })
        .await?;
    let list: Vec<CategoryCount> = Category::ALL
        .iter()
        .map(|c| CategoryCount {
            key: c.key().to_string(),
            code: c.code().to_string(),
            label: c.label().to_string(),
            count: counts
                .iter()
                .find(|(k, _)| k == c.key())
                .map(|(_, n)| *n)
                .unwrap_or(0),
        })
        .collect();
    Ok(HttpResponse::Ok().json(list))
}

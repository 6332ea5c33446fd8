//! `GET /api/v1/items/{id_or_code}` and `GET /api/v1/categories`.

use actix_web::{HttpResponse, get, web};
use quanze_registry::domain::Category;
use serde::Serialize;

use crate::error::ApiError;
use crate::state::AppState;
use crate::views::items::{ItemView, load_item_view};

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
        (status = 404, description = "No public item has this id or code")
    )
)]
#[get("/items/{id_or_code}")]
pub async fn get_item(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let key = path.into_inner();
    let view = state
        .with_public_read(move |conn| load_item_view(conn, &key))
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
        .with_public_read(move |conn| {
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

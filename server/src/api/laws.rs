//! Laws and regulations (法律法规): search by title, read a law with its versions and articles,
//! and see which published powers cite it, article by article.

use actix_web::{HttpRequest, HttpResponse, get, web};
use quanze_registry::domain::LawStatus;
use quanze_registry::repo::laws::LawFilter;
use serde::Serialize;

use crate::error::ApiError;
use crate::extract::params::{QueryParams, RouteParams, path_id};
use crate::state::AppState;
use crate::views::laws::{
    LawCitations, LawDetail, LawSummary, load_law_citations, load_law_detail,
};

/// A page of laws.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LawPage {
    pub total: i64,
    pub page: usize,
    pub per_page: usize,
    pub laws: Vec<LawSummary>,
}

/// Filters of the law list.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LawListParams {
    /// Words of the title (full or short; 《》 are ignored).
    #[param(example = "道路运输条例")]
    q: Option<String>,
    /// Level: 法律, 行政法规, 地方性法规, 部门规章, ….
    #[param(example = "行政法规")]
    level: Option<String>,
    /// 现行有效, 已修改 or 已废止.
    #[param(value_type = Option<String>, example = "现行有效")]
    status: Option<LawStatus>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000, example = 1)]
    page: Option<u32>,
    /// Laws per page, at most 100 (default 20).
    #[param(minimum = 1, maximum = 100, example = 20)]
    per_page: Option<u32>,
}

impl RouteParams for LawListParams {
    fn parse(q: &QueryParams) -> Result<Self, ApiError> {
        let status = q
            .text("status", 20)
            .map(|s| {
                LawStatus::parse(&s).ok_or_else(|| {
                    ApiError::bad_request("status", format!("must be {}", LawStatus::expected()))
                })
            })
            .transpose()?;
        Ok(LawListParams {
            q: q.text("q", 100),
            level: q.text("level", 20),
            status,
            page: q.number("page", 1, 100_000)?,
            per_page: q.number("per_page", 1, 100)?,
        })
    }
}

/// Paging of a law's citing items.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CitationParams {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000, example = 1)]
    page: Option<u32>,
    /// Citations per page, at most 500 (default 100).
    #[param(minimum = 1, maximum = 500, example = 100)]
    per_page: Option<u32>,
}

impl RouteParams for CitationParams {
    fn parse(q: &QueryParams) -> Result<Self, ApiError> {
        Ok(CitationParams {
            page: q.number("page", 1, 100_000)?,
            per_page: q.number("per_page", 1, 500)?,
        })
    }
}

/// Search laws by title.
///
/// Stored laws and regulations whose full or short title contains `q`, optionally of one level
/// and status; versions in force first, then by title and newest version.
#[utoipa::path(
    tag = "laws",
    params(LawListParams),
    responses(
        (status = 200, description = "A page of laws", body = LawPage),
        (status = 400, description = "A filter or paging parameter is malformed")
    )
)]
#[get("/laws")]
pub async fn list_laws(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let p = LawListParams::from_query(req.query_string())?;
    let filter = LawFilter {
        title_contains: p.q,
        level: p.level,
        status: p.status.map(|s| s.as_str().to_string()),
    };
    let page = p.page.map_or(1, |n| n as usize);
    let per_page = p.per_page.map_or(20, |n| n as usize);
    let body = state
        .with_public_read(move |conn| {
            let (rows, total) = quanze_registry::repo::laws::search_laws(
                conn,
                &filter,
                ((page - 1) * per_page) as i64,
                per_page as i64,
            )?;
            Ok(LawPage {
                total,
                page,
                per_page,
                laws: rows.iter().map(LawSummary::from).collect(),
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// One law version.
///
/// The law's metadata and revision history, every stored version of it, and all its articles
/// in order.
#[utoipa::path(
    tag = "laws",
    params(("id" = i64, Path, description = "The law version's id", example = 1)),
    responses(
        (status = 200, description = "The law", body = LawDetail),
        (status = 400, description = "The id is not a number"),
        (status = 404, description = "No such law")
    )
)]
#[get("/laws/{id}")]
pub async fn get_law(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id("id", &path)?;
    let body = state
        .with_public_read(move |conn| load_law_detail(conn, id))
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// The published powers citing a law.
///
/// Every published item whose legal bases cite this law version, grouped by the article cited
/// (in article order; bases naming the law without an article come last). Paged over
/// (article, item) citations.
#[utoipa::path(
    tag = "laws",
    params(
        ("id" = i64, Path, description = "The law version's id", example = 1),
        CitationParams
    ),
    responses(
        (status = 200, description = "A page of citing items, grouped by article", body = LawCitations),
        (status = 400, description = "The id or a paging parameter is malformed"),
        (status = 404, description = "No such law")
    )
)]
#[get("/laws/{id}/items")]
pub async fn law_items(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = path_id("id", &path)?;
    let p = CitationParams::from_query(req.query_string())?;
    let page = p.page.map_or(1, |n| n as usize);
    let per_page = p.per_page.map_or(100, |n| n as usize);
    let body = state
        .with_public_read(move |conn| load_law_citations(conn, id, page, per_page))
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

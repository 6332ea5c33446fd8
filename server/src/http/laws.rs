//! Laws and regulations (法律法规): search by title, read a law with its versions and articles,
//! and see which published powers cite it, article by article.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, get, web};
use quanze_registry::domain::{Category, LawStatus};
use quanze_registry::models::{ArticleRow, LawRow};
use quanze_registry::repo::laws::LawFilter;
use serde::Serialize;

use crate::http::AppState;
use crate::http::error::ApiError;
use crate::http::params::{QueryParams, path_id};

fn date(d: Option<chrono::NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

/// A stored law version.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LawSummary {
    pub id: i64,
    /// Full title (中华人民共和国道路运输条例).
    pub title: String,
    /// Title without the 中华人民共和国 prefix (道路运输条例).
    pub short_title: String,
    /// 宪法 / 法律 / 行政法规 / 地方性法规 / 部门规章 / 地方政府规章 / 规范性文件 / 司法解释.
    pub level: String,
    /// Who issued it, when known.
    pub issuer: Option<String>,
    /// Date of this version (YYYY-MM-DD).
    pub version_date: Option<String>,
    /// Date it took effect (YYYY-MM-DD).
    pub effective_date: Option<String>,
    /// 现行有效 / 已修改 / 已废止.
    pub status: String,
    pub article_count: i32,
}

impl From<&LawRow> for LawSummary {
    fn from(l: &LawRow) -> Self {
        LawSummary {
            id: l.id,
            title: l.title.clone(),
            short_title: l.short_title.clone(),
            level: l.level.clone(),
            issuer: l.issuer.clone(),
            version_date: date(l.version_date),
            effective_date: date(l.effective_date),
            status: l.status.clone(),
            article_count: l.article_count,
        }
    }
}

/// A page of laws.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LawPage {
    pub total: i64,
    pub page: usize,
    pub per_page: usize,
    pub laws: Vec<LawSummary>,
}

/// An article of a law.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ArticleView {
    pub id: i64,
    /// As written: 第六十三条, 第六十三条之一.
    pub label: String,
    /// 63 for 第六十三条 and 第六十三条之一.
    pub number: i32,
    /// 1 for 第六十三条之一, else 0.
    pub sub_number: i32,
    /// The chapter heading (第七章 法律责任), when the law has chapters.
    pub chapter: Option<String>,
    pub section: Option<String>,
    pub text: String,
}

impl From<ArticleRow> for ArticleView {
    fn from(a: ArticleRow) -> Self {
        ArticleView {
            id: a.id,
            label: a.label,
            number: a.number,
            sub_number: a.sub_number,
            chapter: a.chapter,
            section: a.section,
            text: a.text,
        }
    }
}

/// A law version with its articles and its other stored versions.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LawDetail {
    #[serde(flatten)]
    pub law: LawSummary,
    /// Revision history as printed at the head of the law (公布, 修正, 修订 …), oldest first.
    pub history: Vec<String>,
    /// The older version this one replaced, when stored.
    pub supersedes_id: Option<i64>,
    /// Every stored version of the law (this one included), oldest first.
    pub versions: Vec<LawSummary>,
    /// The articles in order.
    pub articles: Vec<ArticleView>,
}

/// A published item citing a law.
#[derive(Serialize, utoipa::ToSchema)]
pub struct CitingItem {
    pub id: i64,
    pub code: String,
    pub name: String,
    /// Category key.
    pub category: String,
    /// Chinese name of the category.
    pub category_label: String,
    pub department_id: i64,
    pub department: String,
}

/// The items citing one article (or the law as a whole, when `article_id` is null).
#[derive(Serialize, utoipa::ToSchema)]
pub struct ArticleCitations {
    pub article_id: Option<i64>,
    pub article_label: Option<String>,
    pub items: Vec<CitingItem>,
}

/// A page of the published items citing a law, grouped by article.
#[derive(Serialize, utoipa::ToSchema)]
pub struct LawCitations {
    pub law: LawSummary,
    /// Citations (article, item) in all; an item citing two articles counts twice.
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    /// This page's citations, in article order.
    pub articles: Vec<ArticleCitations>,
}

/// Filters of the law list.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct LawListParams {
    /// Words of the title (full or short; 《》 are ignored).
    #[param(example = "道路运输条例")]
    q: Option<String>,
    /// Level: 法律, 行政法规, 地方性法规, 部门规章, ….
    #[param(example = "行政法规")]
    level: Option<String>,
    /// 现行有效, 已修改 or 已废止.
    #[param(example = "现行有效")]
    status: Option<String>,
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000, example = 1)]
    page: Option<u32>,
    /// Laws per page, at most 100 (default 20).
    #[param(minimum = 1, maximum = 100, example = 20)]
    per_page: Option<u32>,
}

/// Paging of a law's citing items.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct CitationParams {
    /// Page number, from 1.
    #[param(minimum = 1, maximum = 100000, example = 1)]
    page: Option<u32>,
    /// Citations per page, at most 500 (default 100).
    #[param(minimum = 1, maximum = 500, example = 100)]
    per_page: Option<u32>,
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
        (status = 400, description = "A filter or paging parameter is malformed", body = crate::http::error::Problem, content_type = "application/problem+json")
    )
)]
#[get("/laws")]
pub async fn list_laws(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let p = QueryParams::parse(req.query_string());
    let status = p
        .text("status", 20)
        .map(|s| {
            LawStatus::parse(&s)
                .map(|s| s.as_str().to_string())
                .ok_or_else(|| {
                    ApiError::bad_request("status", format!("must be {}", LawStatus::expected()))
                })
        })
        .transpose()?;
    let filter = LawFilter {
        title_contains: p.text("q", 100),
        level: p.text("level", 20),
        status,
    };
    let page = p.positive("page", 1, 100_000)?;
    let per_page = p.positive("per_page", 20, 100)?;
    let body = state
        .with_conn(move |conn| {
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

fn load_law(conn: &mut quanze_registry::DbConnection, id: i64) -> Result<LawRow, ApiError> {
    quanze_registry::repo::laws::get_law(conn, id)?
        .ok_or_else(|| ApiError::NotFound(format!("law {id}")))
}

/// A law version with its versions and articles (API and pages).
pub(crate) fn load_law_detail(
    conn: &mut quanze_registry::DbConnection,
    id: i64,
) -> Result<LawDetail, ApiError> {
    let law = load_law(conn, id)?;
    let versions = quanze_registry::repo::laws::find_law_versions(conn, &law.title)?;
    let articles = quanze_registry::repo::laws::list_articles(conn, id)?;
    Ok(LawDetail {
        law: LawSummary::from(&law),
        // Stored as a JSON array of lines; an unreadable one shows as one line.
        history: serde_json::from_str(&law.history).unwrap_or_else(|_| vec![law.history.clone()]),
        supersedes_id: law.supersedes_id,
        versions: versions.iter().map(LawSummary::from).collect(),
        articles: articles.into_iter().map(ArticleView::from).collect(),
    })
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
        (status = 400, description = "The id is not a number", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such law", body = crate::http::error::Problem, content_type = "application/problem+json")
    )
)]
#[get("/laws/{id}")]
pub async fn get_law(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id("id", &path)?;
    let body = state
        .with_conn(move |conn| load_law_detail(conn, id))
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// A page of the published items citing a law, grouped by article (API and pages).
pub(crate) fn load_law_citations(
    conn: &mut quanze_registry::DbConnection,
    id: i64,
    page: usize,
    per_page: usize,
) -> Result<LawCitations, ApiError> {
    let law = load_law(conn, id)?;
    let citations = quanze_registry::repo::laws::citations_of_law(conn, id)?;
    let total = citations.len();
    let page_of: Vec<_> = citations
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    let mut item_ids: Vec<i64> = page_of.iter().map(|c| c.item_id).collect();
    item_ids.sort_unstable();
    item_ids.dedup();
    let items: HashMap<i64, _> = quanze_registry::repo::items::find_items_by_ids(conn, &item_ids)?
        .into_iter()
        .map(|r| (r.id, r))
        .collect();
    let departments = quanze_registry::repo::departments::department_names(
        conn,
        items.values().map(|r| r.department_id),
    )?;
    let labels: HashMap<i64, String> = quanze_registry::repo::laws::list_articles(conn, id)?
        .into_iter()
        .map(|a| (a.id, a.label))
        .collect();
    let mut articles: Vec<ArticleCitations> = Vec::new();
    for c in page_of {
        let Some(item) = items.get(&c.item_id) else {
            continue;
        };
        if articles.last().is_none_or(|g| g.article_id != c.article_id) {
            articles.push(ArticleCitations {
                article_id: c.article_id,
                article_label: c.article_id.and_then(|a| labels.get(&a).cloned()),
                items: Vec::new(),
            });
        }
        if let Some(group) = articles.last_mut() {
            group.items.push(CitingItem {
                id: item.id,
                code: item.code.clone(),
                name: item.name.clone(),
                category: item.category.clone(),
                category_label: Category::label_of(&item.category),
                department_id: item.department_id,
                department: departments
                    .get(&item.department_id)
                    .cloned()
                    .unwrap_or_default(),
            });
        }
    }
    Ok(LawCitations {
        law: LawSummary::from(&law),
        total,
        page,
        per_page,
        articles,
    })
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
        (status = 400, description = "The id or a paging parameter is malformed", body = crate::http::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such law", body = crate::http::error::Problem, content_type = "application/problem+json")
    )
)]
#[get("/laws/{id}/items")]
pub async fn law_items(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let id = path_id("id", &path)?;
    let p = QueryParams::parse(req.query_string());
    let page = p.positive("page", 1, 100_000)?;
    let per_page = p.positive("per_page", 100, 500)?;
    let body = state
        .with_conn(move |conn| load_law_citations(conn, id, page, per_page))
        .await?;
    Ok(HttpResponse::Ok().json(body))
}

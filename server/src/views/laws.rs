//! A law version with its articles, and the published items citing each article.

use std::collections::HashMap;

use quanze_registry::domain::Category;
use quanze_registry::models::{ArticleRow, LawRow};
use serde::Serialize;

use crate::error::ApiError;

pub fn date(d: Option<chrono::NaiveDate>) -> Option<String> {
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

pub fn load_law(conn: &mut quanze_registry::DbConnection, id: i64) -> Result<LawRow, ApiError> {
    quanze_registry::repo::laws::get_law(conn, id)?
        .ok_or_else(|| ApiError::NotFound(format!("law {id}")))
}

/// A law version with its versions and articles (API and pages).
pub fn load_law_detail(
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

/// A page of the published items citing a law, grouped by article (API and pages).
pub fn load_law_citations(
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

//! `/laws/{id}`: a law's articles in order, each with the published powers that cite it — so a
//! citizen sees which powers rest on which article.

use std::collections::BTreeMap;

use actix_web::web;
use maud::{Markup, html};

use super::{PageResult, page, segment, with_conn};
use crate::extract::params::path_id;
use crate::state::AppState;
use crate::views::laws::{ArticleView, CitingItem, LawDetail, load_law_citations, load_law_detail};

/// Citations read for the page (a law cited more often than this lists the first ones).
const MAX_CITATIONS: usize = 5_000;

pub async fn law_page(state: web::Data<AppState>, path: web::Path<String>) -> PageResult {
    let id = path_id("id", &path)?;
    let (law, citations) = with_conn(&state, move |conn| {
        let law = load_law_detail(conn, id)?;
        let citations = load_law_citations(conn, id, 1, MAX_CITATIONS)?;
        Ok((law, citations))
    })
    .await?;
    let mut by_article: BTreeMap<Option<i64>, Vec<CitingItem>> = BTreeMap::new();
    for group in citations.articles {
        by_article
            .entry(group.article_id)
            .or_default()
            .extend(group.items);
    }
    page(
        &law.law.title.clone(),
        render(&law, &by_article, citations.total),
    )
}

fn render(l: &LawDetail, cited: &BTreeMap<Option<i64>, Vec<CitingItem>>, total: usize) -> Markup {
    let whole_law = cited.get(&None);
    html! {
        h1 { (l.law.title) }
        p {
            span.badge { (l.law.level) } " "
            @if l.law.status == "现行有效" { span.badge { (l.law.status) } } @else { span.badge.revoked { (l.law.status) } }
            @if let Some(v) = &l.law.version_date { " · " (v) " 版" }
            @if let Some(i) = &l.law.issuer { " · " (i) }
            " · 被 " (total) " 处权力事项引用"
        }
        @if l.versions.len() > 1 {
            p {
                "其他版本："
                @for v in &l.versions {
                    @if v.id != l.law.id {
                        a href={ "/laws/" (v.id) } { (v.version_date.as_deref().unwrap_or("未注明日期")) "（" (v.status) "）" } " "
                    }
                }
            }
        }
        @if !l.history.is_empty() {
            details { summary { "制定和修改情况" } ul.plain { @for h in &l.history { li { (h) } } } }
        }
        @if let Some(items) = whole_law {
            section {
                h2 { "引用本法（未注明条款）的事项" }
                (items_list(items))
            }
        }
        section aria-labelledby="articles" {
            h2 #articles { "条文" }
            @for (heading, a) in chapter_headings(&l.articles) {
                @if let Some(c) = heading { h3 { (c) } }
                article #{ "a-" (a.id) } {
                    p { strong { (a.label) } " " (a.text) }
                    @if let Some(items) = cited.get(&Some(a.id)) {
                        div.cited {
                            span.muted { "引用本条的事项：" }
                            (items_list(items))
                        }
                    }
                }
            }
        }
    }
}

/// Each article with the chapter heading to print before it (when the chapter changes).
fn chapter_headings(articles: &[ArticleView]) -> Vec<(Option<&str>, &ArticleView)> {
    let mut previous: Option<&str> = None;
    articles
        .iter()
        .map(|a| {
            let chapter = a.chapter.as_deref();
            let heading = (chapter != previous).then_some(chapter).flatten();
            previous = chapter;
            (heading, a)
        })
        .collect()
}

fn items_list(items: &[CitingItem]) -> Markup {
    html! {
        ul.plain {
            @for i in items {
                li {
                    a href={ "/items/" (segment(&i.code)) } { (i.name) }
                    " " span.badge { (i.category_label) }
                    " " a.muted href={ "/departments/" (i.department_id) } { (i.department) }
                }
            }
        }
    }
}

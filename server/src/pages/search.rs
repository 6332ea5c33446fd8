//! `/`: one search box, category chips with counts, department and region filters, highlighted
//! results, pages, and help when nothing matches. The query and filters live in the URL, so a
//! result page can be shared.

use std::collections::HashMap;

use actix_web::{HttpRequest, web};
use maud::{Markup, PreEscaped, html};
use quanze_indexer::search::MatchKind;
use quanze_indexer::{SearchRequest, SearchResponse};
use quanze_registry::domain::Category;

use super::{PageResult, page, query_string, segment, with_conn};
use crate::extract::params::QueryParams;
use crate::state::AppState;

const PER_PAGE: usize = 20;

/// What the page was asked.
struct Asked {
    q: String,
    category: String,
    department: String,
    region: String,
    page: usize,
}

impl Asked {
    fn link(&self, change: impl FnOnce(&mut Asked)) -> String {
        let mut next = Asked {
            q: self.q.clone(),
            category: self.category.clone(),
            department: self.department.clone(),
            region: self.region.clone(),
            page: 1,
        };
        change(&mut next);
        let page = if next.page > 1 {
            next.page.to_string()
        } else {
            String::new()
        };
        format!(
            "/?{}",
            query_string(&[
                ("q", next.q),
                ("category", next.category),
                ("department", next.department),
                ("region", next.region),
                ("page", page),
            ])
        )
    }

    fn filtered(&self) -> bool {
        !self.category.is_empty() || !self.department.is_empty() || !self.region.is_empty()
    }
}

pub async fn search_page(state: web::Data<AppState>, req: HttpRequest) -> PageResult {
    let p = QueryParams::parse(req.query_string());
    let text = |k: &str| p.text(k, 200).unwrap_or_default();
    let asked = Asked {
        q: text("q"),
        category: text("category"),
        department: text("department"),
        region: text("region"),
        page: p.positive("page", 1, 500)?,
    };
    let request = SearchRequest {
        q: asked.q.clone(),
        categories: if asked.category.is_empty() {
            vec![]
        } else {
            vec![asked.category.clone()]
        },
        department: Some(asked.department.clone()).filter(|d| !d.is_empty()),
        region: Some(asked.region.clone()).filter(|r| !r.is_empty()),
        level: None,
        law: None,
        status: None,
        page: asked.page,
        per_page: PER_PAGE,
        lexical_only: false,
    };
    let index = state.index.clone();
    let response = web::block(move || index.search(&request))
        .await
        .map_err(crate::error::ApiError::from)??;
    // Names for the department and region facets.
    let department_ids: Vec<i64> = response
        .facets
        .department
        .keys()
        .filter_map(|k| k.parse().ok())
        .chain(asked.department.parse().ok())
        .collect();
    let region_codes: Vec<String> = response.facets.region.keys().cloned().collect();
    let (departments, regions) = with_conn(&state, move |conn| {
        let departments: HashMap<String, String> =
            quanze_registry::repo::departments::department_names(conn, department_ids)?
                .into_iter()
                .map(|(id, name)| (id.to_string(), name))
                .collect();
        let regions = quanze_registry::repo::regions::region_names(conn, region_codes)?;
        Ok((departments, regions))
    })
    .await?;
    let title = if asked.q.is_empty() {
        "搜索权力事项".to_string()
    } else {
        format!("{} - 搜索", asked.q)
    };
    page(&title, render(&asked, &response, &departments, &regions))
}

fn render(
    asked: &Asked,
    r: &SearchResponse,
    departments: &HashMap<String, String>,
    regions: &HashMap<String, String>,
) -> Markup {
    let searched = !asked.q.is_empty() || asked.filtered();
    html! {
        h1 { "查询部门的权力和责任" }
        form.search method="get" action="/" role="search" {
            div.field.query {
                label for="q" { "事项名称、部门、法规或编码，也可以直接提问（简体、繁体均可）" }
                input #q type="search" name="q" value=(asked.q) list="suggestions" autocomplete="off" placeholder="例如：出租车、網約車、驾照、食品经营许可";
                datalist #suggestions {}
            }
            div.field {
                label for="department" { "部门" }
                select #department name="department" {
                    option value="" { "全部部门" }
                    @for (id, count) in &r.facets.department {
                        option value=(id) selected[*id == asked.department] {
                            (departments.get(id).map(String::as_str).unwrap_or(id.as_str())) "（" (count) "）"
                        }
                    }
                    @if !asked.department.is_empty() && !r.facets.department.contains_key(&asked.department) {
                        option value=(asked.department) selected {
                            (departments.get(&asked.department).map(String::as_str).unwrap_or(asked.department.as_str()))
                        }
                    }
                }
            }
            div.field {
                label for="region" { "地区" }
                select #region name="region" {
                    option value="" { "全部地区" }
                    @for (code, count) in &r.facets.region {
                        option value=(code) selected[*code == asked.region] {
                            (regions.get(code).map(String::as_str).unwrap_or(code.as_str())) "（" (count) "）"
                        }
                    }
                    @if !asked.region.is_empty() && !r.facets.region.contains_key(&asked.region) {
                        option value=(asked.region) selected { (asked.region) }
                    }
                }
            }
            @if !asked.category.is_empty() {
                input type="hidden" name="category" value=(asked.category);
            }
            button type="submit" { "搜索" }
        }
        nav aria-label="按类别筛选" {
            ul.chips {
                li { a href=(asked.link(|a| a.category.clear())) aria-current=[asked.category.is_empty().then_some("true")] { "全部类别" } }
                @for c in Category::ALL {
                    @let count = r.facets.category.get(c.key()).copied().unwrap_or(0);
                    @if count > 0 || asked.category == c.key() {
                        li {
                            a href=(asked.link(|a| a.category = c.key().to_string()))
                              aria-current=[(asked.category == c.key()).then_some("true")] {
                                (c.label()) " " (count)
                            }
                        }
                    }
                }
            }
        }
        @if searched {
            p.summary role="status" {
                @if r.total > 0 && r.no_good_match {
                    "没有找到直接对应的事项，以下为相关事项。"
                } @else if r.total > 0 {
                    "共 " strong { (r.total) } " 项"
                    @if r.relaxed && r.semantic {
                        "（没有同时包含所有词语的事项，以下是包含部分词语或意思相近的事项）"
                    } @else if r.relaxed {
                        "（没有同时包含所有词语的事项，以下是包含部分词语的结果）"
                    }
                } @else {
                    "没有找到符合条件的事项。"
                }
            }
        }
        @if r.hits.is_empty() && searched {
            section.help aria-labelledby="help" {
                h2 #help { "没有结果时可以这样试试" }
                ul.plain {
                    li { "检查错别字，或换一个说法：如“驾照”也可搜“机动车驾驶证”，“的士”也可搜“出租汽车”。" }
                    li { "少用几个词，或只输入事项名称的一部分。" }
                    @if asked.filtered() {
                        li { a href=(asked.link(|a| { a.category.clear(); a.department.clear(); a.region.clear(); })) { "去掉类别、部门和地区的筛选再搜" } }
                    }
                    li { "按类别浏览：" @for c in Category::ALL.iter().take(4) { a href=(asked.link(|a| { a.q.clear(); a.category = c.key().to_string(); })) { (c.label()) } " " } }
                }
            }
        }
        @if !r.hits.is_empty() {
            ol.hits {
                @for hit in &r.hits {
                    li {
                        a.name href={ "/items/" (segment(&hit.code)) } {
                            // The indexer's snippet: the name, escaped, with matches in <em>.
                            (PreEscaped(&hit.snippet))
                        }
                        " "
                        span.badge { (hit.category_label) }
                        @if hit.match_kind == MatchKind::Semantic {
                            " " span.badge.related title="名称里没有所搜的词语，但意思相近" { "相关事项" }
                        }
                        @if hit.status == "revoked" { " " span.badge.revoked { "已撤销" } }
                        div.meta {
                            a href={ "/departments/" (hit.department_id) } { (hit.department) }
                            " · " (hit.code)
                        }
                        // Where the match is in the item's text: an escaped excerpt.
                        @if let Some(context) = &hit.context {
                            div.snippet { (PreEscaped(context)) }
                        }
                    }
                }
            }
            (pagination(asked, r))
        }
        @if !searched {
            section {
                h2 { "按类别浏览" }
                ul.chips {
                    @for c in Category::ALL {
                        @let count = r.facets.category.get(c.key()).copied().unwrap_or(0);
                        @if count > 0 {
                            li { a href=(asked.link(|a| a.category = c.key().to_string())) { (c.label()) " " (count) } }
                        }
                    }
                }
                p.muted { "共收录 " (r.total) " 项已公布的权力和服务事项。每一项都写明法律依据、办理流程、时限、责任和监督投诉渠道。" }
            }
        }
    }
}

fn pagination(asked: &Asked, r: &SearchResponse) -> Markup {
    let last = r.total.div_ceil(PER_PAGE).clamp(1, 500);
    let current = asked.page;
    let from = current.saturating_sub(3).max(1);
    let to = (current + 3).min(last);
    html! {
        @if last > 1 {
            nav.pages aria-label="分页" {
                @if current > 1 {
                    a href=(asked.link(|a| a.page = current - 1)) rel="prev" { "上一页" }
                }
                @for n in from..=to {
                    @if n == current {
                        span aria-current="page" { (n) }
                    } @else {
                        a href=(asked.link(|a| a.page = n)) { (n) }
                    }
                }
                @if current < last {
                    a href=(asked.link(|a| a.page = current + 1)) rel="next" { "下一页" }
                }
            }
        }
    }
}

//! Browse pages, linked from every page: `/departments` (every department by region, with its
//! published items and its citizens' score), `/regions` and `/regions/{code}` (the hierarchy
//! with the departments and items in and below each region), `/laws` (laws with how many
//! published items cite each).

use std::collections::{BTreeMap, HashMap};

use actix_web::{HttpRequest, web};
use maud::{Markup, html};
use quanze_registry::domain::RegionCode;
use quanze_registry::feedback::Score;
use quanze_registry::models::{DepartmentRow, RegionRow};
use quanze_registry::repo::regions::RegionTallies;
use quanze_registry::statistics::ItemFigures;

use super::{PageResult, page, with_conn};
use crate::error::ApiError;
use crate::extract::params::{QueryParams, region_code};
use crate::state::AppState;
use crate::state::cached::Cached;

/// Published items and score of each department.
struct DepartmentFigures {
    items: HashMap<i64, i64>,
    scores: HashMap<i64, Score>,
}

/// The items per department come from the statistics' kept figures.
fn department_figures(
    conn: &mut quanze_registry::DbConnection,
    kept: &Cached<ItemFigures>,
) -> Result<DepartmentFigures, ApiError> {
    let items = kept
        .get(conn)?
        .departments
        .iter()
        .filter_map(|c| c.key.parse().ok().map(|id: i64| (id, c.count)))
        .collect();
    Ok(DepartmentFigures {
        items,
        scores: quanze_registry::feedback::department_scores(conn)?,
    })
}

fn department_table(departments: &[DepartmentRow], f: &DepartmentFigures) -> Markup {
    html! {
        table.browse {
            thead { tr {
                th scope="col" { "部门" }
                th scope="col" { "已公布事项" }
                th scope="col" { "群众评价" }
            } }
            tbody {
                @for d in departments {
                    tr {
                        td { a href={ "/departments/" (d.id) } { (d.name) } }
                        td.n { (f.items.get(&d.id).copied().unwrap_or(0)) }
                        td {
                            @match f.scores.get(&d.id) {
                                Some(s) => { (format!("{:.1}", s.average)) " 分，满意率 " (s.satisfaction) "%（" (s.ratings) " 人）" }
                                None => { span.muted { "暂无评价" } }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `GET /departments`: every department, by region.
pub async fn departments_page(state: web::Data<AppState>) -> PageResult {
    let kept = state.item_figures.clone();
    let (departments, names, figures) = with_conn(&state, move |conn| {
        let departments = quanze_registry::repo::departments::list_departments(conn)?;
        let codes: Vec<String> = departments.iter().map(|d| d.region_code.clone()).collect();
        let names = quanze_registry::repo::regions::region_names(conn, codes)?;
        Ok((departments, names, department_figures(conn, &kept)?))
    })
    .await?;
    let mut by_region: BTreeMap<String, Vec<DepartmentRow>> = BTreeMap::new();
    for d in departments {
        by_region.entry(d.region_code.clone()).or_default().push(d);
    }
    page(
        "部门",
        html! {
            h1 { "部门" }
            p { "行使权力的部门（实施主体），按地区列出，附已公布的事项数和群众评价。" }
            @for (code, list) in &by_region {
                section aria-labelledby={ "r-" (code) } {
                    h2 id={ "r-" (code) } {
                        a href={ "/regions/" (code) } { (names.get(code).cloned().unwrap_or_else(|| code.clone())) }
                        " " span.muted { "（" (list.len()) " 个部门）" }
                    }
                    (department_table(list, &figures))
                }
            }
        },
    )
}

fn region_name(r: &RegionRow) -> String {
    r.name.clone().unwrap_or_else(|| r.code.clone())
}

fn region_rows(regions: &[RegionRow], tallies: &RegionTallies) -> Markup {
    html! {
        table.browse {
            thead { tr {
                th scope="col" { "地区" }
                th scope="col" { "部门" }
                th scope="col" { "已公布事项" }
            } }
            tbody {
                @for r in regions {
                    @let t = RegionCode::parse(&r.code).map(|c| tallies.of(&c)).unwrap_or_default();
                    tr {
                        td { a href={ "/regions/" (r.code) } { (region_name(r)) } " " span.muted { (r.code) } }
                        td.n { (t.departments) }
                        td.n { (t.published_items) }
                    }
                }
            }
        }
    }
}

/// `GET /regions`: the regions at the top of the hierarchy the registry holds.
pub async fn regions_page(state: web::Data<AppState>) -> PageResult {
    let cache = state.region_tallies.clone();
    let (roots, tallies) = with_conn(&state, move |conn| {
        let (all, _) = quanze_registry::repo::regions::list_regions(conn, None, None, 0, 100_000)?;
        let codes: std::collections::HashSet<String> = all.iter().map(|r| r.code.clone()).collect();
        let roots: Vec<RegionRow> = all
            .into_iter()
            .filter(|r| r.parent_code.as_ref().is_none_or(|p| !codes.contains(p)))
            .collect();
        Ok((roots, cache.get(conn)?))
    })
    .await?;
    page(
        "地区",
        html! {
            h1 { "地区" }
            p { "按行政区划查看各地的部门和已公布的权力事项。" }
            (region_rows(&roots, &tallies))
        },
    )
}

/// `GET /regions/{code}`: a region, the regions below it and its own departments.
pub async fn region_page(state: web::Data<AppState>, path: web::Path<String>) -> PageResult {
    let code = region_code("code", &path)?;
    let cache = state.region_tallies.clone();
    let kept = state.item_figures.clone();
    let (region, parent, children, departments, tallies, figures) =
        with_conn(&state, move |conn| {
            let region = quanze_registry::repo::regions::find_region(conn, code.as_str())?
                .ok_or_else(|| ApiError::NotFound(format!("region {}", code.as_str())))?;
            let parent = match &region.parent_code {
                Some(p) => quanze_registry::repo::regions::find_region(conn, p)?,
                None => None,
            };
            let children = quanze_registry::repo::regions::child_regions(conn, code.as_str())?;
            let departments: Vec<DepartmentRow> =
                quanze_registry::repo::departments::list_departments(conn)?
                    .into_iter()
                    .filter(|d| d.region_code == region.code)
                    .collect();
            Ok((
                region,
                parent,
                children,
                departments,
                cache.get(conn)?,
                department_figures(conn, &kept)?,
            ))
        })
        .await?;
    let name = region_name(&region);
    let tally = RegionCode::parse(&region.code)
        .map(|c| tallies.of(&c))
        .unwrap_or_default();
    page(
        &name,
        html! {
            h1 { (name) }
            p {
                "行政区划代码 " (region.code)
                @if let Some(p) = &parent { " · 上级：" a href={ "/regions/" (p.code) } { (region_name(p)) } }
                " · 本地区及下辖共 " (tally.departments) " 个部门、" (tally.published_items) " 项已公布事项 · "
                a href={ "/?region=" (region.code) } { "检索本地区的事项" }
            }
            @if !children.is_empty() {
                section aria-labelledby="children" {
                    h2 #children { "下辖地区" }
                    (region_rows(&children, &tallies))
                }
            }
            section aria-labelledby="own" {
                h2 #own { "本级部门" }
                @if departments.is_empty() { p.muted { "没有登记本级部门。" } }
                @else { (department_table(&departments, &figures)) }
            }
        },
    )
}

/// `GET /laws?q=&page=`: laws and regulations with how many published items cite each.
pub async fn laws_page(state: web::Data<AppState>, req: HttpRequest) -> PageResult {
    let q = QueryParams::parse(req.query_string());
    let words = q.text("q", 100);
    let page_no = q.whole("page", 1, 10_000)?.unwrap_or(1);
    const PER_PAGE: i64 = 50;
    let filter = quanze_registry::repo::laws::LawFilter {
        title_contains: words.clone(),
        level: None,
        status: None,
    };
    let (laws, total, counts) = with_conn(&state, move |conn| {
        let (laws, total) = quanze_registry::repo::laws::search_laws(
            conn,
            &filter,
            (page_no - 1) * PER_PAGE,
            PER_PAGE,
        )?;
        let ids: Vec<i64> = laws.iter().map(|l| l.id).collect();
        let counts = quanze_registry::repo::laws::citing_item_counts(conn, &ids)?;
        Ok((laws, total, counts))
    })
    .await?;
    let pages = (total + PER_PAGE - 1) / PER_PAGE;
    let more = |n: i64| match &words {
        Some(w) => format!("/laws?q={}&page={n}", crate::views::path_segment(w)),
        None => format!("/laws?page={n}"),
    };
    page(
        "法律法规",
        html! {
            h1 { "法律法规" }
            form.search role="search" method="get" action="/laws" {
                label for="laws-q" { "法规名称" }
                input #laws-q type="search" name="q" value=(words.as_deref().unwrap_or(""));
                button type="submit" { "查找" }
            }
            p { "共 " (total) " 部（现行有效的在前），附引用它的已公布事项数。" }
            table.browse {
                thead { tr {
                    th scope="col" { "名称" }
                    th scope="col" { "效力级别" }
                    th scope="col" { "版本" }
                    th scope="col" { "状态" }
                    th scope="col" { "引用事项" }
                } }
                tbody {
                    @for l in &laws {
                        tr {
                            td { a href={ "/laws/" (l.id) } { (l.title) } }
                            td { (l.level) }
                            td { (l.version_date.map(|d| d.to_string()).unwrap_or_default()) }
                            td { (l.status) }
                            td.n { (counts.get(&l.id).copied().unwrap_or(0)) }
                        }
                    }
                }
            }
            @if pages > 1 {
                nav.pager aria-label="分页" {
                    @if page_no > 1 { a href=(more(page_no - 1)) { "上一页" } " " }
                    "第 " (page_no) " / " (pages) " 页"
                    @if page_no < pages { " " a href=(more(page_no + 1)) { "下一页" } }
                }
            }
        },
    )
}

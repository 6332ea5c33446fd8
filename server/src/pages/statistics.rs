//! `/statistics`: the registry's transparency figures as charts, each with its numbers as a
//! table and links to the same rows as JSON and CSV; and the list review between two dates
//! (`?from=&to=&department=`).

use actix_web::{HttpRequest, web};
use maud::{Markup, html};
use quanze_registry::statistics::{Count, ListReview};

use super::chart::{Chart, bar_chart};
use super::{PageResult, page, with_conn};
use crate::api::statistics::ReviewParams;
use crate::extract::params::RouteParams;
use crate::state::AppState;
use crate::views::statistics::{Figure, Statistics, load_statistics};

fn links(figure: Figure) -> Markup {
    html! {
        p.muted {
            "数据："
            a href={ "/api/v1/statistics/" (figure.key()) } { "JSON" }
            " · "
            a href={ "/api/v1/statistics/" (figure.key()) "?format=csv" } { "CSV" }
        }
    }
}

/// A figure of counts: chart, table, links.
fn counts(figure: Figure, heading: &str, what: &str, rows: &[Count], limit: usize) -> Markup {
    let id = format!("chart-{}", figure.key());
    html! {
        section aria-labelledby=(format!("h-{}", figure.key())) {
            h2 id=(format!("h-{}", figure.key())) { (heading) }
            @if rows.is_empty() {
                p.muted { "暂无。" }
            } @else {
                (bar_chart(&Chart {
                    id: &id,
                    title: heading,
                    series: &[what],
                    rows: rows.iter().take(limit).map(|r| (r.label.clone(), vec![r.count])).collect(),
                    grouped: false,
                }))
                @if rows.len() > limit { p.muted { "图中为前 " (limit) " 项，全部见下表。" } }
                details {
                    summary { "数据表（" (rows.len()) " 行）" }
                    table.figure data-figure=(figure.key()) {
                        thead { tr { th scope="col" { "名称" } th scope="col" { (what) } } }
                        tbody {
                            @for r in rows { tr { td { (r.label) } td.n { (r.count) } } }
                        }
                    }
                }
            }
            (links(figure))
        }
    }
}

fn render(s: &Statistics, review: &ListReview, department: Option<i64>) -> Markup {
    html! {
        h1 { "统计" }
        p { "权力清单向社会公开的数字：已公布的事项有多少、属于谁、怎样变化，群众怎样评价，依法不予公开的有多少。" }
        (counts(Figure::Categories, "各类别已公布事项", "事项数", &s.categories, 20))
        (counts(Figure::Departments, "各部门已公布事项", "事项数", &s.departments, 20))
        (counts(Figure::Regions, "各地区已公布事项", "事项数", &s.regions, 20))
        (counts(Figure::Withheld, "依法不予公开的事项（按理由）", "事项数", &s.withheld, 20))
        section aria-labelledby="h-changes" {
            h2 #h-changes { "每月变化" }
            @if s.changes.is_empty() { p.muted { "暂无。" } } @else {
                (bar_chart(&Chart {
                    id: "chart-changes",
                    title: "每月新增、修订、撤销和不再公开的事项",
                    series: &["新增", "修订", "撤销", "不再公开"],
                    rows: s.changes.iter().map(|m| (m.month.clone(), vec![m.published, m.revised, m.revoked, m.withdrawn])).collect(),
                    grouped: false,
                }))
                details {
                    summary { "数据表（" (s.changes.len()) " 个月）" }
                    table.figure data-figure="changes" {
                        thead { tr {
                            th scope="col" { "月份" } th scope="col" { "新增" } th scope="col" { "修订" }
                            th scope="col" { "撤销" } th scope="col" { "不再公开" } th scope="col" { "撤销理由" }
                        } }
                        tbody {
                            @for m in &s.changes {
                                tr {
                                    td { (m.month) } td.n { (m.published) } td.n { (m.revised) }
                                    td.n { (m.revoked) } td.n { (m.withdrawn) }
                                    td { @for (i, r) in m.revoke_reasons.iter().enumerate() { @if i > 0 { "；" } (r.label) "（" (r.count) "）" } }
                                }
                            }
                        }
                    }
                }
            }
            (links(Figure::Changes))
        }
        section aria-labelledby="h-feedback" {
            h2 #h-feedback { "群众评价和投诉（每月）" }
            @if s.feedback.is_empty() { p.muted { "暂无。" } } @else {
                (super::feedback::months_figure("chart-feedback", "每月收到的投诉和纠错：已答复、待答复、逾期未答复", &s.feedback))
            }
            (links(Figure::Feedback))
        }
        section aria-labelledby="h-review" {
            h2 #h-review { "清单前后对比" }
            form.review method="get" action="/statistics#h-review" {
                label for="review-from" { "从" }
                input #review-from type="date" name="from" value=(review.from);
                label for="review-to" { "到" }
                input #review-to type="date" name="to" value=(review.to);
                @if let Some(d) = department { input type="hidden" name="department" value=(d); }
                button type="submit" { "对比" }
            }
            p.review-summary {
                (review.from) " 共有事项 " strong { (review.before) } " 项，"
                (review.to) " 共有 " strong { (review.after) } " 项："
                "取消 " strong { (review.cancelled) } " 项，新增 " (review.added) " 项"
                @if review.withdrawn > 0 { "，依法不再公开 " (review.withdrawn) " 项" }
                "。"
            }
            @if !review.cancel_reasons.is_empty() {
                p { "取消的理由：" @for (i, r) in review.cancel_reasons.iter().enumerate() { @if i > 0 { "；" } (r.label) "（" (r.count) " 项）" } }
            }
            @if !review.categories.is_empty() {
                (bar_chart(&Chart {
                    id: "chart-review",
                    title: "各类别事项，前后对比",
                    series: &["之前", "之后"],
                    rows: review.categories.iter().map(|c| (c.label.clone(), vec![c.before, c.after])).collect(),
                    grouped: true,
                }))
            }
            @let scope = department.map(|d| format!("&department={d}")).unwrap_or_default();
            p.muted {
                "数据："
                a href={ "/api/v1/statistics/list-review?from=" (review.from) "&to=" (review.to) (scope) } { "JSON" }
                " · "
                a href={ "/api/v1/statistics/list-review?format=csv&from=" (review.from) "&to=" (review.to) (scope) } { "CSV" }
            }
        }
    }
}

/// `GET /statistics`.
pub async fn statistics_page(state: web::Data<AppState>, req: HttpRequest) -> PageResult {
    let p = ReviewParams::from_query(req.query_string())?;
    let (from, to) = p.dates()?;
    let department = p.department();
    let figures = std::sync::Arc::clone(&state.item_figures);
    let reviews = std::sync::Arc::clone(&state.list_reviews);
    let (s, review) = with_conn(&state, move |conn| {
        let s = load_statistics(conn, &figures)?;
        let review = reviews.get(conn, (from, to, department))?;
        Ok((s, review))
    })
    .await?;
    page("统计", render(&s, &review, department))
}

//! `/quality`: the data-quality report as a page — what in the published lists needs a
//! department's attention, counted per kind and per department, each item linked.

use actix_web::{HttpRequest, web};
use maud::html;

use super::{PageResult, page, query_string, with_conn};
use crate::api::quality::QualityParams;
use crate::extract::params::RouteParams;
use crate::state::AppState;
use crate::views::quality::load_quality;

/// Findings listed on the page (counts are always complete).
const SHOWN: usize = 500;

pub async fn quality_page(state: web::Data<AppState>, req: HttpRequest) -> PageResult {
    let p = QualityParams::from_query(req.query_string())?;
    let query = p.query();
    let department = query.department;
    let reports = std::sync::Arc::clone(&state.quality_reports);
    let view = with_conn(&state, move |conn| {
        load_quality(conn, &reports, &query, None, SHOWN)
    })
    .await?;
    let link = |department: Option<i64>| match department {
        Some(d) => format!(
            "/quality?{}",
            query_string(&[("department", d.to_string())])
        ),
        None => "/quality".to_string(),
    };
    page(
        "数据质量",
        html! {
            h1 { "清单数据质量" }
            p {
                "对已公布的 " (view.items_checked) " 个事项检查：没有法定依据、依据的法规已修改或废止、依据找不到、"
                "缺少责任事项或追责情形、行政处罚缺少裁量基准、多个部门列有同一项权力、超过 "
                (view.stale_after_days) " 天未复核。"
                @if department.is_some() { " " a href=(link(None)) { "查看全部部门" } }
            }
            h2 { "按问题" }
            table {
                thead { tr { th scope="col" { "问题" } th scope="col" { "事项数" } } }
                tbody {
                    @for k in &view.kinds {
                        tr { td { (k.label) } td { (k.count) } }
                    }
                }
            }
            h2 { "按部门" }
            @if view.departments.is_empty() { p { "没有发现问题。" } }
            @else {
                table {
                    thead { tr { th scope="col" { "部门" } th scope="col" { "问题数" } } }
                    tbody {
                        @for d in &view.departments {
                            tr {
                                td { a href=(link(Some(d.id))) { (d.name) } }
                                td { (d.total) }
                            }
                        }
                    }
                }
            }
            h2 { "问题事项" }
            @if view.truncated { p { "共 " (view.total_findings) " 条，此处列出前 " (SHOWN) " 条；完整列表见 " a href="/api/v1/quality" { "数据接口" } "。" } }
            table {
                thead { tr { th scope="col" { "问题" } th scope="col" { "事项" } th scope="col" { "部门" } th scope="col" { "说明" } } }
                tbody {
                    @for f in &view.findings {
                        tr {
                            td { (f.label) }
                            td { a href=(f.link) { (f.name) } }
                            td { a href={ "/departments/" (f.department_id) } { (f.department) } }
                            td { (f.detail.as_deref().unwrap_or("")) }
                        }
                    }
                }
            }
        },
    )
}

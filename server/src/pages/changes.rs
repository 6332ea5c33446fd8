//! `/changes`: the newest additions, revisions and revocations, with the Atom feed to follow.

use actix_web::web;
use maud::html;

use super::{PageResult, day, page, with_conn};
use crate::state::AppState;
use crate::views::changes::recent_changes;
use crate::views::rfc3339;

const SHOWN: i64 = 100;

pub async fn changes_page(state: web::Data<AppState>) -> PageResult {
    let changes = with_conn(&state, |conn| recent_changes(conn, SHOWN)).await?;
    page(
        "最近变更",
        html! {
            h1 { "最近变更" }
            p { "新增、修订和撤销的权力事项，以及部门、责任清单和法律法规的变更，最新的在前。用阅读器订阅：" a href="/api/v1/changes.atom" { "Atom 订阅" } "；系统对接：" a href="/api/v1/changes" { "变更接口" } "。" }
            @if changes.is_empty() { p { "暂无变更。" } }
            table {
                thead { tr { th scope="col" { "日期" } th scope="col" { "变更" } th scope="col" { "事项或清单" } th scope="col" { "部门" } th scope="col" { "理由" } } }
                tbody {
                    @for c in &changes {
                        @let r = &c.row;
                        tr {
                            td { (day(&rfc3339(r.at))) }
                            td {
                                @match r.kind.as_str() {
                                    "published" => { span.badge { "新增" } }
                                    "revised" => { span.badge { "修订" } @if r.version > 0 { " 第" (r.version) "版" } }
                                    "revoked" => { span.badge.revoked { "撤销" } }
                                    "needs_review" => { span.badge.revoked { "待复核" } }
                                    "relinked" => { span.badge { "依据链接更新" } }
                                    "reviewed" => { span.badge { "已复核" } }
                                    "withdrawn" => { span.badge.revoked { "依法不再公开" } }
                                    other => { (other) }
                                }
                            }
                            td { a href=(c.page) { (c.name) } }
                            td { @if let Some(id) = c.department_id { a href={ "/departments/" (id) } { (c.department) } } }
                            td { (r.reason.as_deref().unwrap_or("")) }
                        }
                    }
                }
            }
        },
    )
}

//! `/changes`: the newest additions, revisions and revocations, with the Atom feed to follow.

use std::collections::HashMap;

use actix_web::web;
use maud::html;

use super::{PageResult, day, page, segment, with_conn};
use crate::http::{AppState, rfc3339};

const SHOWN: i64 = 100;

pub async fn changes_page(state: web::Data<AppState>) -> PageResult {
    let (rows, names) = with_conn(&state, |conn| {
        let rows = quanze_registry::repo::history::outbox_latest(conn, SHOWN)?;
        let mut ids: Vec<i64> = rows.iter().map(|r| r.item_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let items = quanze_registry::repo::items::find_items_by_ids(conn, &ids)?;
        let mut department_ids: Vec<i64> = items.iter().map(|i| i.department_id).collect();
        department_ids.sort_unstable();
        department_ids.dedup();
        let departments: HashMap<i64, String> =
            quanze_registry::repo::departments::get_departments(conn, &department_ids)?
                .into_iter()
                .map(|d| (d.id, d.name))
                .collect();
        let names: HashMap<i64, (String, i64, String)> = items
            .into_iter()
            .map(|i| {
                let d = departments
                    .get(&i.department_id)
                    .cloned()
                    .unwrap_or_default();
                (i.id, (i.name, i.department_id, d))
            })
            .collect();
        Ok((rows, names))
    })
    .await?;
    page(
        "最近变更",
        html! {
            h1 { "最近变更" }
            p { "新增、修订和撤销的权力事项，最新的在前。用阅读器订阅：" a href="/api/v1/changes.atom" { "Atom 订阅" } "；系统对接：" a href="/api/v1/changes" { "变更接口" } "。" }
            @if rows.is_empty() { p { "暂无变更。" } }
            table {
                thead { tr { th scope="col" { "日期" } th scope="col" { "变更" } th scope="col" { "事项" } th scope="col" { "部门" } th scope="col" { "理由" } } }
                tbody {
                    @for r in &rows {
                        @let (name, department_id, department) = names.get(&r.item_id).cloned().unwrap_or_else(|| (r.item_code.clone(), 0, String::new()));
                        tr {
                            td { (day(&rfc3339(r.at))) }
                            td {
                                @match r.kind.as_str() {
                                    "published" => { span.badge { "新增" } }
                                    "revised" => { span.badge { "修订" } " 第" (r.version) "版" }
                                    "revoked" => { span.badge.revoked { "撤销" } }
                                    other => { (other) }
                                }
                            }
                            td { a href={ "/items/" (segment(&r.item_code)) } { (name) } }
                            td { @if department_id > 0 { a href={ "/departments/" (department_id) } { (department) } } }
                            td { (r.reason.as_deref().unwrap_or("")) }
                        }
                    }
                }
            }
        },
    )
}

//! The lists: my departments' drafts with their states (the home page), and the review queue.

use std::collections::HashMap;

use actix_web::web;
use maud::{Markup, html};
use quanze_registry::models::DraftRow;

use super::{Clerk, WorkbenchResult, page, state_name};
use crate::error::ApiError;
use crate::state::AppState;

/// Most drafts one list shows (a department's list is a few hundred items).
const LIST_LIMIT: i64 = 500;

struct Listing {
    drafts: Vec<DraftRow>,
    total: i64,
    departments: HashMap<i64, String>,
}

async fn load(state: &AppState, clerk: &Clerk, status: Option<&str>) -> Result<Listing, ApiError> {
    let p = clerk.session.principal.clone();
    let status = status.map(str::to_string);
    state
        .with_conn(move |conn| {
            let (drafts, total) =
                quanze_registry::workflow::list_drafts(conn, &p, None, status, 0, LIST_LIMIT)?;
            let mut ids: Vec<i64> = drafts.iter().map(|d| d.department_id).collect();
            ids.extend(&p.departments);
            ids.sort_unstable();
            ids.dedup();
            let departments = quanze_registry::repo::departments::get_departments(conn, &ids)?
                .into_iter()
                .map(|d| (d.id, d.name))
                .collect();
            Ok(Listing {
                drafts,
                total,
                departments,
            })
        })
        .await
}

fn draft_table(listing: &Listing, empty: &str) -> Markup {
    html! {
        @if listing.drafts.is_empty() {
            p.empty { (empty) }
        } @else {
            div.table-scroll {
                table.drafts {
                    thead { tr {
                        th scope="col" { "事项" }
                        th scope="col" { "部门" }
                        th scope="col" { "状态" }
                        th scope="col" { "说明" }
                        th scope="col" { "更新时间" }
                    } }
                    tbody {
                        @for d in &listing.drafts {
                            tr data-status=(d.status) {
                                td {
                                    a href=(format!("/workbench/drafts/{}", d.id)) { (d.name) }
                                    br;
                                    small.code { (d.code) }
                                }
                                td { (listing.departments.get(&d.department_id).map_or("", String::as_str)) }
                                td { span.state { (state_name(&d.status, d.review_comment.as_deref())) } }
                                td {
                                    @if let Some(c) = &d.review_comment {
                                        "退回理由：" (c)
                                    } @else if let Some(r) = &d.reason {
                                        (r)
                                    }
                                }
                                td { (d.updated_at.format("%Y-%m-%d %H:%M")) }
                            }
                        }
                    }
                }
            }
            @if listing.total > listing.drafts.len() as i64 {
                p { "共 " (listing.total) " 份，此处列出前 " (listing.drafts.len()) " 份。" }
            }
        }
    }
}

/// `GET /workbench`: the drafts of my departments, whatever their state.
pub async fn home(state: web::Data<AppState>, clerk: Clerk) -> WorkbenchResult {
    let listing = load(&state, &clerk, None).await?;
    let mine: Vec<&str> = clerk
        .session
        .principal
        .departments
        .iter()
        .filter_map(|d| listing.departments.get(d).map(String::as_str))
        .collect();
    page(
        &clerk,
        "我的清单",
        html! {
            h1 { "我的清单" }
            p {
                @if clerk.session.principal.is_admin() { "管理员：可处理所有部门的清单。" }
                @else { "所在部门：" (mine.join("、")) }
            }
            @if clerk.may_edit() {
                p.actions {
                    a.button href="/workbench/items/new" { "新建事项" }
                    " "
                    a.button href="/workbench/upload" { "上传清单表格" }
                }
            }
            h2 { "草稿和审核中的变更" }
            (draft_table(&listing, "目前没有草稿或待审核的变更。"))
        },
    )
}

/// The change sets in a queue: key → how many drafts, and whether this person may decide on
/// all of them.
/// A change set in the queue: its key, its drafts as `id:revision` (what the reviewer is
/// shown, checked again when they decide), and whether they may decide on all of them.
struct ShownSet {
    key: String,
    drafts: Vec<String>,
    decidable: bool,
}

fn change_sets(listing: &Listing, clerk: &Clerk) -> Vec<ShownSet> {
    let p = &clerk.session.principal;
    let mut sets: Vec<ShownSet> = Vec::new();
    for d in &listing.drafts {
        let Some(key) = &d.change_set else { continue };
        let shown = format!("{}:{}", d.id, d.revision);
        match sets.iter_mut().find(|s| &s.key == key) {
            Some(set) => {
                set.drafts.push(shown);
                set.decidable &= p.may_decide(d);
            }
            None => sets.push(ShownSet {
                key: key.clone(),
                drafts: vec![shown],
                decidable: p.may_decide(d),
            }),
        }
    }
    sets.retain(|s| s.drafts.len() > 1);
    sets
}

/// `GET /workbench/review`: what waits for my review; an upload's drafts also as one batch.
pub async fn review_queue(state: web::Data<AppState>, clerk: Clerk) -> WorkbenchResult {
    let mut listing = load(&state, &clerk, Some("in_review")).await?;
    let p = &clerk.session.principal;
    listing.drafts.retain(|d| p.can_review(d.department_id));
    let sets = change_sets(&listing, &clerk);
    page(
        &clerk,
        "待我审核",
        html! {
            h1 { "待我审核" }
            p { "按照“谁发布谁审核谁负责”的规定，您不能审核自己编写或提交的草稿。" }
            @for set in &sets {
                @let key = &set.key;
                @let count = set.drafts.len();
                @let shown = set.drafts.join(",");
                section.change-set data-change-set=(key) {
                    h2 { "一次上传的 " (count) " 项变更" }
                    @if set.decidable {
                        form.inline method="post" action=(format!("/workbench/change-sets/{key}/approve")) {
                            (clerk.csrf_field())
                            input type="hidden" name="drafts" value=(shown);
                            button type="submit" { "全部批准发布（" (count) " 项）" }
                        }
                        form.workbench-form method="post" action=(format!("/workbench/change-sets/{key}/reject")) {
                            (clerk.csrf_field())
                            input type="hidden" name="drafts" value=(shown);
                            p {
                                label for=(format!("comment-{key}")) { "全部退回的理由" }
                                textarea id=(format!("comment-{key}")) name="comment" rows="2" required maxlength="2000" {}
                            }
                            button.secondary type="submit" { "全部退回修改" }
                        }
                    } @else {
                        p.notice { "这一批中有您编写或提交的草稿，需由另一位审核人员审核。" }
                    }
                }
            }
            h2 { "逐项审核" }
            (draft_table(&listing, "没有等待您审核的变更。"))
        },
    )
}

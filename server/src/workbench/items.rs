//! My departments' published lists, item by item, with what needs doing: an open draft (and
//! its state), a review due because a cited law changed, and the data-quality findings — each
//! with the way to revise the item.

use std::collections::HashMap;

use actix_web::{HttpRequest, web};
use maud::html;
use quanze_registry::models::PowerItemRow;
use quanze_registry::quality::{FindingKind, QualityQuery};

use super::{Clerk, WorkbenchResult, page, see_other, state_name};
use crate::error::ApiError;
use crate::state::AppState;
use crate::views::departments::{PowerList, load_power_list};
use crate::views::path_segment;
use crate::views::quality::DEFAULT_STALE_DAYS;

/// One department's list with its open drafts (by code) and findings (by item).
struct DepartmentLists {
    lists: Vec<PowerList>,
    drafts: HashMap<String, (i64, String, Option<String>)>,
    findings: HashMap<i64, Vec<FindingKind>>,
    /// Each department's withheld items (不予公开), which only it sees, and whether a cited
    /// law's change flagged each for review.
    withheld: HashMap<i64, Vec<(PowerItemRow, bool)>>,
    /// For an admin who chose none: every department, to choose from.
    choices: Vec<(i64, String)>,
}

/// `POST /workbench/items/{code}/revoke`: a reviewer revokes a published power with a public
/// reason (the registry's `revoke_item`: reviewers and admins of its department only).
pub async fn revoke(
    state: web::Data<AppState>,
    clerk: Clerk,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> WorkbenchResult {
    let form = clerk.posted_form(&req, &body)?;
    let reason = super::one_line(form.get("reason"));
    let code = path.into_inner();
    let p = clerk.session.principal.clone();
    let department = state
        .with_conn(move |conn| {
            let item = quanze_registry::workflow::revoke_item(
                conn,
                &p,
                &code,
                Some(&reason),
                quanze_registry::repo::now(),
            )?;
            Ok(item.department_id)
        })
        .await
        // The registry checks the permission first, then the reason.
        .map_err(|e| match e {
            ApiError::InvalidRecord(_) => super::note_problem(
                "reason",
                "撤销一项权力须写明理由（不超过 2000 字），理由将向社会公开。",
            ),
            other => other,
        })?;
    Ok(see_other(&format!(
        "/workbench/items?department={department}&revoked"
    )))
}

/// `POST /workbench/items/{code}/propose-revocation`: an editor proposes revoking a published
/// power, with the reason; a reviewer decides on it like any draft.
pub async fn propose_revocation(
    state: web::Data<AppState>,
    clerk: Clerk,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> WorkbenchResult {
    let form = clerk.posted_form(&req, &body)?;
    let reason = super::one_line(form.get("reason"));
    let code = path.into_inner();
    let p = clerk.session.principal.clone();
    let draft = state
        .with_conn(move |conn| {
            Ok(quanze_registry::workflow::propose_revocation(
                conn,
                &p,
                &code,
                Some(&reason),
                quanze_registry::repo::now(),
            )?)
        })
        .await
        .map_err(|e| match e {
            ApiError::InvalidRecord(_) => {
                super::note_problem("reason", "申请撤销一项权力须写明理由（不超过 2000 字）。")
            }
            other => other,
        })?;
    Ok(see_other(&format!("/workbench/drafts/{}", draft.id)))
}

/// `GET /workbench/items`: the published lists of my departments (`?department=ID` for one).
pub async fn my_items(
    state: web::Data<AppState>,
    clerk: Clerk,
    req: HttpRequest,
) -> WorkbenchResult {
    let p = clerk.session.principal.clone();
    let chosen: Option<i64> = form_urlencoded::parse(req.query_string().as_bytes())
        .find(|(k, _)| k == "department")
        .and_then(|(_, v)| v.parse().ok());
    let reports = state.quality_reports.clone();
    let data = state
        .with_conn(move |conn| {
            let departments: Vec<i64> = match chosen {
                Some(d) => {
                    p.require(p.can_see(d), "see this department's lists")?;
                    vec![d]
                }
                None if p.is_admin() => Vec::new(),
                None => p.departments.clone(),
            };
            let mut lists = Vec::new();
            let mut findings: HashMap<i64, Vec<FindingKind>> = HashMap::new();
            let now = quanze_registry::repo::now();
            let mut withheld = HashMap::new();
            for d in &departments {
                lists.push(load_power_list(conn, *d)?);
                let rows = quanze_registry::workflow::withheld_items(conn, &p, *d)?;
                let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
                let flagged = quanze_registry::repo::flags::flagged_items(conn, &ids)?;
                withheld.insert(
                    *d,
                    rows.into_iter()
                        .map(|r| {
                            let due = flagged.contains(&r.id);
                            (r, due)
                        })
                        .collect(),
                );
                let query = QualityQuery {
                    department: Some(*d),
                    stale_after_days: DEFAULT_STALE_DAYS,
                    now,
                };
                for f in &reports.get(conn, &query)?.findings {
                    findings.entry(f.item_id).or_default().push(f.kind);
                }
            }
            let choices = if departments.is_empty() {
                quanze_registry::repo::departments::list_departments(conn)?
                    .into_iter()
                    .map(|d| (d.id, d.name))
                    .collect()
            } else {
                Vec::new()
            };
            let (open, _) = quanze_registry::workflow::list_drafts(conn, &p, None, None, 0, 5_000)?;
            let drafts = open
                .into_iter()
                .filter(|d| departments.contains(&d.department_id))
                .map(|d| (d.code, (d.id, d.status, d.review_comment)))
                .collect();
            Ok(DepartmentLists {
                lists,
                drafts,
                findings,
                withheld,
                choices,
            })
        })
        .await?;
    let may_edit = |d: i64| clerk.session.principal.can_edit(d);
    let may_review = |d: i64| clerk.session.principal.can_review(d);
    page(
        &clerk,
        "已发布的清单",
        html! {
            h1 { "已发布的清单" }
            @if req.query_string().ends_with("&revoked") {
                p.notice role="status" { "已撤销。撤销理由和时间已记入版本历史，并在公开页面显示。" }
            }
            @if !data.choices.is_empty() {
                p { "选择部门：" }
                ul.plain {
                    @for (id, name) in &data.choices {
                        li { a href=(format!("/workbench/items?department={id}")) { (name) } }
                    }
                }
            }
            @for list in &data.lists {
                h2 { (list.department.name) "（" (list.total) " 项）" }
                @if let Some(rows) = data.withheld.get(&list.department.id).filter(|r| !r.is_empty()) {
                    h3 { "不予公开的事项（" (rows.len()) " 项，不在任何公开页面、接口、导出和检索中，只公布数量）" }
                    ul.withheld {
                        @for (item, review_due) in rows {
                            @let draft = data.drafts.get(&item.code);
                            li data-code=(item.code) {
                                (item.name) " — " (item.withheld_reason.as_deref().unwrap_or(""))
                                "（" (item.withheld_basis.as_deref().unwrap_or("")) "） "
                                @if *review_due { span.state { "法律修改，需复核" } " " }
                                @if let Some((id, _, _)) = draft {
                                    a href=(format!("/workbench/drafts/{id}")) { "查看草稿" }
                                } @else if may_edit(list.department.id) {
                                    a href=(format!("/workbench/items/{}/revise", path_segment(&item.code))) { "修改" }
                                }
                            }
                        }
                    }
                }
                @for group in &list.categories {
                    h3 { (group.label) "（" (group.count) " 项）" }
                    div.table-scroll {
                        table.items {
                            thead { tr {
                                th scope="col" { "事项" }
                                th scope="col" { "状态" }
                                th scope="col" { "需要处理" }
                                th scope="col" { "操作" }
                            } }
                            tbody {
                                @for item in &group.items {
                                    @let draft = data.drafts.get(&item.code);
                                    @let findings = data.findings.get(&item.id);
                                    tr data-code=(item.code) {
                                        td { a href=(format!("/items/{}", path_segment(&item.code))) { (item.name) } }
                                        td {
                                            @if let Some((_, status, comment)) = draft {
                                                "已发布，有" (state_name(status, comment.as_deref()))
                                            } @else { "已发布" }
                                        }
                                        td {
                                            @if item.needs_review { div.state { "法律修改，需复核" } }
                                            @if let Some(kinds) = findings {
                                                @for k in kinds { div { (k.label()) } }
                                            }
                                        }
                                        td {
                                            @if let Some((id, _, _)) = draft {
                                                a href=(format!("/workbench/drafts/{id}")) { "查看草稿" }
                                            } @else if may_edit(list.department.id) {
                                                a href=(format!("/workbench/items/{}/revise", path_segment(&item.code))) { "修改" }
                                            }
                                            @if draft.is_none() && may_edit(list.department.id) && !may_review(list.department.id) {
                                                details.revoke {
                                                    summary { "申请撤销…" }
                                                    form.workbench-form method="post" action=(format!("/workbench/items/{}/propose-revocation", path_segment(&item.code))) {
                                                        (clerk.csrf_field())
                                                        p {
                                                            label for=(format!("propose-{}", item.id)) { "撤销理由（审核通过后公开）" }
                                                            textarea id=(format!("propose-{}", item.id)) name="reason" rows="2" required maxlength="2000" {}
                                                        }
                                                        button.secondary type="submit" { "提交撤销申请" }
                                                    }
                                                }
                                            }
                                            @if may_review(list.department.id) {
                                                details.revoke {
                                                    summary { "撤销…" }
                                                    form.workbench-form method="post" action=(format!("/workbench/items/{}/revoke", path_segment(&item.code))) {
                                                        (clerk.csrf_field())
                                                        p {
                                                            label for=(format!("revoke-{}", item.id)) { "撤销理由（公开）" }
                                                            textarea id=(format!("revoke-{}", item.id)) name="reason" rows="2" required maxlength="2000" {}
                                                        }
                                                        button.secondary type="submit" { "撤销这项权力" }
                                                    }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

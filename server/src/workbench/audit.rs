//! The audit log in the workbench, with filters: who, which department, since when. Admins read
//! everything, reviewers their departments' entries (the registry's `audit_scope`).

use actix_web::{HttpRequest, web};
use maud::html;
use quanze_registry::audit::AuditQuery;

use super::{Clerk, WorkbenchError, WorkbenchResult, page};
use crate::error::ApiError;
use crate::state::AppState;

/// Entries on one page.
const PAGE: i64 = 100;

/// `GET /workbench/audit?actor=&department=&since=YYYY-MM-DD&before=ID`: newest first.
pub async fn audit_page(
    state: web::Data<AppState>,
    clerk: Clerk,
    req: HttpRequest,
) -> WorkbenchResult {
    let q: Vec<(String, String)> = form_urlencoded::parse(req.query_string().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.trim().to_string()))
        .collect();
    let get = |k: &str| {
        q.iter()
            .rev()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let bad = |field: &'static str, why: &str| {
        WorkbenchError(ApiError::bad_request(field, why.to_string()))
    };
    let actor = get("actor");
    let department_raw = get("department");
    let since_raw = get("since");
    let department = match department_raw.as_str() {
        "" => None,
        d => Some(
            d.parse::<i64>()
                .map_err(|_| bad("department", "not a department id"))?,
        ),
    };
    let since = match since_raw.as_str() {
        "" => None,
        d => Some(
            chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                .map_err(|_| bad("since", "a date like 2026-12-01"))?
                .and_hms_opt(0, 0, 0)
                .unwrap_or_default(),
        ),
    };
    let before = get("before").parse::<i64>().ok().filter(|b| *b > 0);
    let p = clerk.session.principal.clone();
    let query = AuditQuery {
        department,
        actor: (!actor.is_empty()).then(|| actor.chars().take(100).collect()),
        since,
    };
    let (rows, departments) = state
        .with_conn(move |conn| {
            let rows =
                quanze_registry::audit::read_audit_log_newest(conn, &p, query, before, PAGE)?;
            let departments = quanze_registry::repo::departments::list_departments(conn)?;
            Ok((rows, departments))
        })
        .await?;
    let next = (rows.len() as i64 == PAGE)
        .then(|| rows.last().map(|r| r.id))
        .flatten();
    let next_query = next.map(|id| {
        form_urlencoded::Serializer::new(String::new())
            .append_pair("actor", &actor)
            .append_pair("department", &department_raw)
            .append_pair("since", &since_raw)
            .append_pair("before", &id.to_string())
            .finish()
    });
    let name_of = |id: Option<i64>| {
        id.and_then(|id| departments.iter().find(|d| d.id == id))
            .map_or(String::new(), |d| d.name.clone())
    };
    page(
        &clerk,
        "审计日志",
        html! {
            h1 { "审计日志" }
            form.search method="get" action="/workbench/audit" {
                div.field { label for="actor" { "操作人" } input #actor name="actor" type="search" value=(actor); }
                div.field {
                    label for="department" { "部门" }
                    select #department name="department" {
                        option value="" { "全部" }
                        @for d in &departments {
                            option value=(d.id) selected[department == Some(d.id)] { (d.name) }
                        }
                    }
                }
                div.field { label for="since" { "起始日期" } input #since name="since" type="search" placeholder="2026-12-01" value=(since_raw); }
                button type="submit" { "筛选" }
            }
            div.table-scroll {
                table.audit {
                    thead { tr {
                        th scope="col" { "时间" } th scope="col" { "操作人" } th scope="col" { "来源" }
                        th scope="col" { "操作" } th scope="col" { "对象" } th scope="col" { "部门" } th scope="col" { "详情" }
                    } }
                    tbody {
                        @for r in &rows {
                            tr {
                                td { (r.at.format("%Y-%m-%d %H:%M:%S")) }
                                td { (r.actor) }
                                td { (r.origin) }
                                td { (r.action) }
                                td { (r.entity_type) " " small.code { (r.entity_key) } }
                                td { (name_of(r.department_id)) }
                                td { small.code { (r.details.chars().take(300).collect::<String>()) } }
                            }
                        }
                    }
                }
            }
            @if rows.is_empty() { p.empty { "没有符合条件的记录。" } }
            @if let Some(q) = next_query {
                nav.pages aria-label="翻页" { a href=(format!("/workbench/audit?{q}")) { "更早的记录" } }
            }
        },
    )
}

//! `/departments/{id}`: what a department may do (its 权力清单 by category, with counts) and what
//! it must do (the four parts of its 责任清单).

use actix_web::web;
use maud::{Markup, html};
use quanze_registry::interchange::ResponsibilityListRecord;

use super::{PageResult, page, segment, with_conn};
use crate::extract::params::path_id;
use crate::state::AppState;
use crate::views::departments::{PowerList, load_department, load_power_list};

pub async fn department_page(state: web::Data<AppState>, path: web::Path<String>) -> PageResult {
    let id = path_id("id", &path)?;
    let (powers, duties, feedback, tasks) = with_conn(&state, move |conn| {
        let powers = load_power_list(conn, id)?;
        let now = quanze_registry::repo::now();
        let tasks = quanze_registry::tasks::department_tasks(
            conn,
            id,
            quanze_registry::tasks::china_today(now),
        )?;
        let feedback =
            quanze_registry::feedback::department_feedback(conn, id, quanze_registry::repo::now())?;
        let department = load_department(conn, id)?;
        let duties = quanze_registry::repo::responsibilities::load_responsibility_list(
            conn,
            id,
            department.as_record(),
        )?;
        Ok((powers, duties, feedback, tasks))
    })
    .await?;
    let content = html! {
        (render(&powers, &duties))
        (tasks_section(&tasks))
        (super::feedback::department_section(&feedback))
    };
    page(&powers.department.name.clone(), content)
}

fn render(p: &PowerList, d: &ResponsibilityListRecord) -> Markup {
    let dept = &p.department;
    html! {
        h1 { (dept.name) }
        dl.facts {
            dt { "地区代码" } dd { (dept.region) }
            @if let Some(u) = &dept.uscc { dt { "统一社会信用代码" } dd { (u) } }
            @if let Some(k) = &dept.kind { dt { "主体性质" } dd { (k) } }
            @if let Some(c) = &dept.consultation { dt { "咨询电话" } dd { (c) } }
            @if let Some(s) = &dept.supervision { dt { "监督投诉" } dd { strong { (s) } } }
        }
        section aria-labelledby="powers" {
            h2 #powers { "权力清单（共 " (p.total) " 项）" }
            ul.chips {
                @for g in &p.categories {
                    li { a href={ "#c-" (g.category) } { (g.label) " " (g.count) } }
                }
            }
            @if p.categories.is_empty() { p { "暂无已公布的事项。" } }
            @if !p.withheld.is_empty() {
                p #withheld {
                    "另有不予公开的事项 " (p.withheld.iter().map(|w| w.count).sum::<i64>()) " 项（依法不予公开："
                    @for (i, w) in p.withheld.iter().enumerate() {
                        @if i > 0 { "，" }
                        (w.reason) " " (w.count) " 项"
                    }
                    "）。"
                }
            }
            @for g in &p.categories {
                details #{ "c-" (g.category) } open[p.total <= 60] {
                    summary.group { (g.label) "（" (g.count) "）" }
                    ol {
                        @for item in &g.items {
                            li {
                                a href={ "/items/" (segment(&item.code)) } { (item.name) }
                                @if item.needs_review { " " span.badge.revoked { "法规修改，待复核" } }
                            }
                        }
                    }
                }
            }
        }
        section aria-labelledby="duties" {
            h2 #duties { "责任清单" }
            h3 { "一、主要职责" }
            @if d.main_duties.is_empty() { p.muted { "未公布。" } }
            ol {
                @for m in &d.main_duties {
                    li {
                        (m.duty)
                        @if let Some(o) = &m.office { span.muted { "（" (o) "）" } }
                        @if !m.work_items.is_empty() {
                            ul.plain {
                                @for w in &m.work_items {
                                    li { (w.item) @if let Some(o) = &w.office { span.muted { "（" (o) "）" } } }
                                }
                            }
                        }
                    }
                }
            }
            h3 { "二、与相关部门的职责边界" }
            @if d.duty_boundaries.is_empty() { p.muted { "未公布。" } }
            @for b in &d.duty_boundaries {
                details {
                    summary { (b.matter) }
                    table {
                        thead { tr { th scope="col" { "部门" } th scope="col" { "职责分工" } } }
                        tbody { @for party in &b.parties { tr { td { (party.department) } td { (party.division) } } } }
                    }
                    @if let Some(basis) = &b.basis { p { "依据：" (basis) } }
                    @if let Some(case) = &b.case { p { "案例：" (case) } }
                }
            }
            h3 { "三、事中事后监管制度" }
            @if d.supervision_rules.is_empty() { p.muted { "未公布。" } }
            ul.plain {
                @for r in &d.supervision_rules {
                    li { strong { (r.name) } "：" (r.content) @if let Some(b) = &r.basis { span.muted { "（" (b) "）" } } }
                }
            }
            h3 { "四、公共服务事项" }
            @if d.public_services.is_empty() { p.muted { "未公布。" } }
            ul.plain {
                @for s in &d.public_services {
                    li {
                        strong { (s.name) }
                        @if let Some(desc) = &s.description { "：" (desc) }
                        @if let Some(o) = &s.office { span.muted { "（" (o) "）" } }
                    }
                }
            }
        }
    }
}

/// The department's task list, overdue tasks in red.
fn tasks_section(tasks: &[quanze_registry::tasks::PublicTask]) -> Markup {
    let overdue = tasks.iter().filter(|t| t.overdue).count();
    html! {
        @if !tasks.is_empty() {
            section aria-labelledby="tasks" {
                h2 #tasks { "工作任务（" (tasks.len()) " 项）" }
                @if overdue > 0 { p.overdue { strong { (overdue) " 项任务已过完成时间仍未完成。" } } }
                div.table-scroll {
                    table.tasks {
                        thead { tr {
                            th scope="col" { "任务" }
                            th scope="col" { "责任单位" }
                            th scope="col" { "完成时间" }
                            th scope="col" { "状态" }
                            th scope="col" { "进展情况" }
                        } }
                        tbody {
                            @for t in tasks {
                                tr .overdue[t.overdue] {
                                    td { (t.task) }
                                    td { (t.responsible_unit) }
                                    td { (t.deadline) }
                                    td {
                                        (t.status_label)
                                        @if t.overdue { " " span.badge.overdue { "逾期" } }
                                    }
                                    td { (t.progress.as_deref().unwrap_or("")) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

//! `/workbench/feedback`: what citizens said about my departments' items — complaints and
//! corrections to answer (the overdue first, in red), with the submitter's contact, which only
//! the department sees; ratings with comments below. Answers are public at once.

use actix_web::{HttpRequest, web};
use maud::html;
use quanze_registry::feedback::{self, FeedbackKind, status};
use quanze_registry::repo::now;

use super::{Clerk, WorkbenchResult, page, see_other};
use crate::state::AppState;
use crate::views::path_segment;

/// `GET /workbench/feedback` (`?all` to include what is answered).
pub async fn feedback_page(
    state: web::Data<AppState>,
    clerk: Clerk,
    req: HttpRequest,
) -> WorkbenchResult {
    let p = clerk.session.principal.clone();
    let show_all = req.query_string().split('&').any(|q| q == "all");
    let answered = req.query_string().split('&').any(|q| q == "answered");
    let rows = state
        .with_conn(move |conn| {
            let departments: Vec<i64> = if p.is_admin() {
                quanze_registry::repo::departments::list_departments(conn)?
                    .into_iter()
                    .map(|d| d.id)
                    .collect()
            } else {
                p.departments.clone()
            };
            Ok(feedback::for_department_staff(
                conn,
                &p,
                &departments,
                !show_all,
            )?)
        })
        .await?;
    let at = now();
    let may_answer = |d: i64| clerk.session.principal.can_answer_feedback(d);
    page(
        &clerk,
        "群众评价与投诉",
        html! {
            h1 { "群众评价与投诉" }
            @if answered { p.notice role="status" { "已答复。答复已在事项页面公开。" } }
            p {
                @if show_all { "全部意见。 " a href="/workbench/feedback" { "只看待答复的" } }
                @else { "待答复的投诉和纠错，逾期的在前。 " a href="/workbench/feedback?all" { "查看全部（含评价和已答复）" } }
            }
            @if rows.is_empty() { p { "没有待答复的意见。" } }
            ol.plain.feedback {
                @for (f, item) in &rows {
                    @let kind = FeedbackKind::parse(&f.kind).map_or("意见", FeedbackKind::label);
                    @let overdue = f.is_overdue(at);
                    li.feedback-entry .overdue[overdue] data-receipt=(f.receipt) {
                        strong { (kind) }
                        " · " a href={ "/items/" (path_segment(&item.code)) "#feedback" } { (item.name) }
                        @if let Some(step) = &f.step { "（" (step) "环节）" }
                        @if let Some(score) = f.score { " · " (score) " 分" }
                        " · 受理号 " (f.receipt)
                        @if overdue { " " span.badge.overdue { "已逾期" } }
                        @if let Some(text) = &f.body { p { (text) } }
                        @if let Some(contact) = &f.contact { p.muted { "联系方式（不公开）：" (contact) } }
                        @if let Some(due) = f.due_at { p.muted { "答复期限：" (due.format("%Y-%m-%d")) } }
                        @if let Some(answer) = &f.answer {
                            div.answer { strong { "已答复" } "：" (answer) }
                        } @else if f.status == status::OPEN && may_answer(f.department_id) {
                            form.workbench-form method="post" action={ "/workbench/feedback/" (f.receipt) "/answer" } {
                                (clerk.csrf_field())
                                p {
                                    label for={ "answer-" (f.id) } { "答复（将公开，请勿写入个人信息）" }
                                    textarea id={ "answer-" (f.id) } name="answer" rows="3" required maxlength="2000" {}
                                }
                                @if f.kind == FeedbackKind::Correction.as_str() {
                                    p {
                                        label { input type="radio" name="outcome" value="accepted" required; " 采纳" }
                                        " "
                                        label { input type="radio" name="outcome" value="not_accepted"; " 不予采纳" }
                                    }
                                }
                                button type="submit" { "答复" }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// `POST /workbench/feedback/{receipt}/answer`.
pub async fn answer(
    state: web::Data<AppState>,
    clerk: Clerk,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> WorkbenchResult {
    let form = clerk.posted_form(&req, &body)?;
    let text = form.get("answer").to_string();
    let decided = Some(form.get("outcome").to_string()).filter(|o| !o.is_empty());
    let receipt = path.into_inner();
    let p = clerk.session.principal.clone();
    state
        .with_conn(move |conn| {
            feedback::answer(conn, &p, &receipt, &text, decided.as_deref(), now())?;
            Ok(())
        })
        .await?;
    Ok(see_other("/workbench/feedback?answered"))
}

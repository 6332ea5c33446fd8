//! Citizens' say on the pages: an item's scores per step and its complaints and corrections
//! with the department's answers (on the item page), the form to rate, complain or report an
//! error (`/items/{code}/feedback`, plain HTML that works without JavaScript, with the
//! question), the receipt page (`/feedback/{receipt}`), and a department's record (on its
//! page). Overdue answers are shown in red.

use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};
use maud::{Markup, html};
use quanze_registry::feedback::question::Question;
use quanze_registry::feedback::{
    DepartmentFeedback, FeedbackKind, ItemFeedback, MonthOfFeedback, NewFeedback, PublicFeedback,
    Score, outcome, status,
};
use quanze_registry::repo::now;

use super::chart::{Chart, bar_chart};
use super::{PageError, PageResult, day, html_response, layout, segment};
use crate::error::ApiError;
use crate::state::AppState;
use crate::views::feedback::FeedbackSubmission;

fn stars(average: f64) -> String {
    let full = average.round().clamp(0.0, 5.0) as usize;
    format!("{}{}", "★".repeat(full), "☆".repeat(5 - full))
}

fn score_line(s: &Score) -> Markup {
    html! {
        span.stars aria-hidden="true" { (stars(s.average)) }
        " " strong { (format!("{:.1}", s.average)) } " 分（" (s.ratings) " 人评价，满意率 " (s.satisfaction) "%）"
    }
}

fn status_badge(f: &PublicFeedback) -> Markup {
    html! {
        @if f.overdue {
            span.badge.overdue { "逾期未答复" }
        } @else if f.status == status::OPEN {
            span.badge { "待答复" }
        } @else if f.status == status::ANSWERED {
            span.badge { "已答复" }
        }
    }
}

fn kind_label(kind: &str) -> &'static str {
    FeedbackKind::parse(kind).map_or("意见", FeedbackKind::label)
}

/// One submission as the public reads it.
fn entry(f: &PublicFeedback) -> Markup {
    html! {
        li.feedback-entry .overdue[f.overdue] data-receipt=(f.receipt) {
            strong { (kind_label(&f.kind)) }
            @if let Some(step) = &f.step { "（" (step) "环节）" }
            @if let Some(score) = f.score { " " span.stars { (stars(f64::from(score))) } }
            " " (status_badge(f))
            " " span.muted { (day(&f.submitted_at)) " · 受理号 " (f.receipt) }
            @if let Some(text) = &f.text { p { (text) } }
            @if let Some(answer) = &f.answer {
                div.answer {
                    strong { "部门答复" }
                    @if let Some(at) = &f.answered_at { "（" (day(at)) "）" }
                    @match f.outcome.as_deref() {
                        Some(outcome::ACCEPTED) => { " " span.badge { "已采纳" } }
                        Some(outcome::NOT_ACCEPTED) => { " " span.badge { "未采纳" } }
                        _ => {}
                    }
                    "：" (answer)
                }
            } @else if let Some(due) = &f.due_at {
                p.muted .overdue[f.overdue] {
                    @if f.overdue { "已超过答复期限（" (day(due)) "），部门尚未答复。" }
                    @else { "部门应在 " (day(due)) " 前答复。" }
                }
            }
        }
    }
}

/// Complaints and corrections per month as a chart (answered, open, overdue) with the month's
/// ratings and mean score in the table beside it.
pub fn months_figure(id: &str, title: &str, months: &[MonthOfFeedback]) -> Markup {
    html! {
        (bar_chart(&Chart {
            id,
            title,
            series: &["已答复", "待答复", "逾期未答复"],
            rows: months
                .iter()
                .map(|m| (m.month.clone(), vec![m.answered, m.received - m.answered - m.overdue, m.overdue]))
                .collect(),
            grouped: false,
        }))
        details {
            summary { "数据表（" (months.len()) " 个月）" }
            table.figure data-figure="feedback" {
                thead { tr {
                    th scope="col" { "月份" } th scope="col" { "评价数" } th scope="col" { "平均分" }
                    th scope="col" { "投诉和纠错" } th scope="col" { "已答复" } th scope="col" { "逾期未答复" }
                } }
                tbody {
                    @for m in months {
                        tr {
                            td { (m.month) } td.n { (m.ratings) } td.n { (format!("{:.1}", m.average)) }
                            td.n { (m.received) } td.n { (m.answered) } td.n { (m.overdue) }
                        }
                    }
                }
            }
        }
    }
}

/// The item page's section: scores per step, complaints and corrections with their answers.
pub fn item_section(code: &str, f: &ItemFeedback) -> Markup {
    html! {
        section.no-print aria-labelledby="feedback" {
            h2 #feedback { "评价与监督" }
            @if f.scores.is_empty() {
                p.muted { "还没有人评价这项权力的行使。" }
            } @else {
                table.scores {
                    thead { tr { th scope="col" { "评价对象" } th scope="col" { "得分" } } }
                    tbody {
                        @for s in &f.scores {
                            tr {
                                td { @if let Some(step) = &s.step { (step) "环节" } @else { "整个事项" } }
                                td { (score_line(s)) }
                            }
                        }
                    }
                }
            }
            p {
                "投诉 " (f.complaints.received) " 件，已答复 " (f.complaints.answered) " 件"
                @if f.complaints.overdue > 0 { "，" strong.overdue { "逾期未答复 " (f.complaints.overdue) " 件" } }
                "；纠错 " (f.corrections.received) " 件，已采纳 " (f.corrections.accepted) " 件"
                @if f.corrections.overdue > 0 { "，" strong.overdue { "逾期未答复 " (f.corrections.overdue) " 件" } }
                "。"
            }
            p { a.button href={ "/items/" (segment(code)) "/feedback" } { "评价、投诉或纠错" } }
            @if f.by_month.len() > 1 {
                (months_figure("chart-item-feedback", "本事项每月收到的投诉和纠错", &f.by_month))
            }
            @if !f.entries.is_empty() {
                ol.plain.feedback { @for e in &f.entries { (entry(e)) } }
            }
        }
    }
}

/// A department's record on its page (民主评议).
pub fn department_section(f: &DepartmentFeedback) -> Markup {
    html! {
        section aria-labelledby="feedback" {
            h2 #feedback { "群众评价" }
            @if f.score.ratings == 0 {
                p.muted { "还没有人评价本部门的事项。" }
            } @else {
                p { "各事项及其办理环节的评价：" (score_line(&f.score)) }
                @if f.score.satisfaction < 50 {
                    p.overdue { strong { "满意率低于 50%。" } }
                }
            }
            p {
                "投诉 " (f.complaints.received) " 件，已答复 " (f.complaints.answered) " 件，待答复 " (f.complaints.open) " 件"
                "；纠错 " (f.corrections.received) " 件，已采纳 " (f.corrections.accepted) " 件。"
            }
            @if !f.by_month.is_empty() {
                (months_figure("chart-department-feedback", "本部门每月收到的投诉和纠错", &f.by_month))
            }
            @if !f.overdue.is_empty() {
                h3.overdue { "逾期未答复（" (f.overdue.len()) " 件）" }
                ul.plain.overdue-list {
                    @for o in &f.overdue {
                        li.overdue data-receipt=(o.feedback.receipt) {
                            a href={ "/items/" (segment(&o.feedback.item)) "#feedback" } { (o.item_name) }
                            "：" (kind_label(&o.feedback.kind)) "，" (day(&o.feedback.submitted_at)) "提交，应于 "
                            (o.feedback.due_at.as_deref().map(day).unwrap_or_default()) " 前答复"
                        }
                    }
                }
            }
        }
    }
}

/// What the form shows: the item, its steps, the question, and what was typed (after a
/// problem).
struct FormView {
    code: String,
    name: String,
    steps: Vec<String>,
    question: Question,
    typed: FeedbackSubmission,
    problem: Option<(String, String)>,
}

fn form(v: &FormView) -> Markup {
    let t = &v.typed.feedback;
    let kind = FeedbackKind::parse(&t.kind).unwrap_or(FeedbackKind::Rating);
    let problem_for = |field: &str| {
        v.problem
            .as_ref()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
    };
    html! {
        h1 { "评价、投诉或纠错" }
        p { "事项：" a href={ "/items/" (segment(&v.code)) } { (v.name) } }
        @if let Some((_, message)) = &v.problem {
            div.banner role="alert" #form-problem { strong { "未能提交：" } (message) }
        }
        form.feedback-form method="post" action={ "/items/" (segment(&v.code)) "/feedback" } {
            fieldset {
                legend { "您要" }
                @for k in FeedbackKind::ALL {
                    label.choice {
                        input type="radio" name="kind" value=(k.as_str()) checked[k == kind] required;
                        " " (k.label())
                        @match k {
                            FeedbackKind::Rating => { span.muted { "（给这项权力或其中一个环节打分）" } }
                            FeedbackKind::Complaint => { span.muted { "（权力行使中的问题，部门须答复）" } }
                            FeedbackKind::Correction => { span.muted { "（清单本身有误：依据过时、收费有误、电话打不通……）" } }
                        }
                    }
                }
            }
            p {
                label for="f-step" { "针对的环节" }
                select #f-step name="step" {
                    option value="" { "整个事项" }
                    @for s in &v.steps {
                        option value=(s) selected[t.step.as_deref() == Some(s.as_str())] { (s) }
                    }
                }
                @if let Some(m) = problem_for("step") { span.field-error { (m) } }
            }
            fieldset {
                legend { "评分（仅评价时填写）" }
                @for n in 1..=5 {
                    label.choice {
                        input type="radio" name="score" value=(n) checked[t.score == Some(n)];
                        " " (n) " 分"
                    }
                }
                @if let Some(m) = problem_for("score") { span.field-error { (m) } }
            }
            p {
                label for="f-text" { "内容（将公开，请勿填写姓名、身份证号、手机号等个人信息）" }
                textarea #f-text name="text" rows="5" maxlength="2000" { (t.text.as_deref().unwrap_or("")) }
                @if let Some(m) = problem_for("text") { span.field-error { (m) } }
            }
            p {
                label for="f-contact" { "联系方式（选填，只有部门能看到，不会公开）" }
                input #f-contact name="contact" type="text" maxlength="100" value=(t.contact.as_deref().unwrap_or(""));
                @if let Some(m) = problem_for("contact") { span.field-error { (m) } }
            }
            p {
                label for="f-answer" { "验证问题：" (v.question.text) }
                input #f-answer name="answer" type="text" inputmode="numeric" required autocomplete="off";
                input type="hidden" name="question_token" value=(v.question.token);
                @if let Some(m) = problem_for("answer") { span.field-error { (m) } }
            }
            button type="submit" { "提交" }
        }
        p.muted { "提交后会得到受理号，凭受理号查看办理情况和答复。投诉和纠错由部门在规定期限内答复，答复向社会公开。" }
    }
}

fn form_response(status: StatusCode, v: &FormView) -> HttpResponse {
    let mut response = html_response(status, layout("评价、投诉或纠错", form(v)));
    response.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    response
}

/// The item and its steps, for the form.
async fn item_for_form(
    state: &web::Data<AppState>,
    code: String,
) -> Result<(String, String, Vec<String>), PageError> {
    Ok(state
        .with_public_read(move |conn| {
            let item = quanze_registry::repo::items::find_public_item(conn, &code)?;
            let steps = quanze_registry::feedback::workflow_steps(conn, &item)?;
            Ok((item.code, item.name, steps))
        })
        .await?)
}

/// `GET /items/{code}/feedback`: the form, with a fresh question.
pub async fn form_page(state: web::Data<AppState>, path: web::Path<String>) -> PageResult {
    let (code, name, steps) = item_for_form(&state, path.into_inner()).await?;
    let question = quanze_registry::feedback::question::ask(&state.feedback.question_key, now())
        .map_err(ApiError::from)?;
    Ok(form_response(
        StatusCode::OK,
        &FormView {
            code,
            name,
            steps,
            question,
            typed: FeedbackSubmission::default(),
            problem: None,
        },
    ))
}

/// The posted form as a submission (the score as a number; anything else as typed).
fn read_form(body: &[u8]) -> FeedbackSubmission {
    let mut s = FeedbackSubmission::default();
    let mut new = NewFeedback::default();
    for (key, value) in form_urlencoded::parse(body) {
        let value = value.into_owned();
        match key.as_ref() {
            "kind" => new.kind = value,
            "step" => new.step = Some(value).filter(|v| !v.trim().is_empty()),
            "score" => new.score = value.trim().parse().ok(),
            "text" => new.text = Some(value),
            "contact" => new.contact = Some(value),
            "answer" => s.answer = value,
            "question_token" => s.question_token = value,
            _ => {}
        }
    }
    // A score clicked before choosing a complaint or correction is not part of it (radio
    // buttons cannot be cleared without a script).
    if FeedbackKind::parse(&new.kind) != Some(FeedbackKind::Rating) {
        new.score = None;
    }
    s.feedback = new;
    s
}

/// Whether the browser says the form was posted from another site (`Sec-Fetch-Site`), or its
/// `Origin` names another host than the one asked.
fn cross_site(req: &HttpRequest) -> bool {
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    if header("sec-fetch-site").as_deref() == Some("cross-site") {
        return true;
    }
    match (header("origin"), header("host")) {
        (Some(origin), Some(host)) => {
            let origin_host = origin
                .split_once("://")
                .map_or(origin.as_str(), |(_, rest)| rest);
            origin != "null" && origin_host != host
        }
        _ => false,
    }
}

/// `POST /items/{code}/feedback`: recorded → the receipt page; a problem → the form again with
/// what was typed, the problem beside its field and a new question.
pub async fn submit_form(
    state: web::Data<AppState>,
    path: web::Path<String>,
    req: HttpRequest,
    body: Bytes,
) -> PageResult {
    // Only this site's form posts here: another site cannot make its visitors' browsers file
    // complaints (each from their own address, past the per-client limit).
    if cross_site(&req) {
        return Err(PageError(ApiError::Forbidden(
            "a feedback form posted from another site".into(),
        )));
    }
    let key = path.into_inner();
    let typed = read_form(&body);
    let shared = state.clone();
    let submitted = FeedbackSubmission {
        feedback: typed.feedback.clone(),
        question_token: typed.question_token.clone(),
        answer: typed.answer.clone(),
    };
    let item_key = key.clone();
    let result = state
        .with_conn(move |conn| crate::views::feedback::submit(&shared, conn, &item_key, &submitted))
        .await;
    match result {
        Ok(recorded) => Ok(HttpResponse::SeeOther()
            .insert_header(("Location", format!("/feedback/{}", recorded.receipt)))
            .finish()),
        Err(ApiError::InvalidRecord(problems)) => {
            let problem = problems
                .first()
                .map(|p| (p.field.clone(), p.message.clone()))
                .unwrap_or_default();
            let (code, name, steps) = item_for_form(&state, key).await?;
            let question =
                quanze_registry::feedback::question::ask(&state.feedback.question_key, now())
                    .map_err(ApiError::from)?;
            Ok(form_response(
                StatusCode::UNPROCESSABLE_ENTITY,
                &FormView {
                    code,
                    name,
                    steps,
                    question,
                    typed: FeedbackSubmission {
                        answer: String::new(),
                        question_token: String::new(),
                        ..typed
                    },
                    problem: Some(problem),
                },
            ))
        }
        Err(e) => Err(PageError(e)),
    }
}

/// `GET /feedback/{receipt}`: where a submission stands.
pub async fn receipt_page(state: web::Data<AppState>, path: web::Path<String>) -> PageResult {
    let receipt = path.into_inner();
    let f = state
        .with_conn(move |conn| {
            Ok(quanze_registry::feedback::public_by_receipt(
                conn,
                &receipt,
                now(),
            )?)
        })
        .await?;
    let mut response = html_response(
        StatusCode::OK,
        layout(
            &format!("受理号 {}", f.receipt),
            html! {
                h1 { "受理号 " (f.receipt) }
                p.notice role="status" { (kind_label(&f.kind)) "的受理号是 " strong { (f.receipt) } "。请记下受理号，凭它查看办理情况和答复。" }
                ol.plain.feedback { (entry(&f)) }
                p { a href={ "/items/" (segment(&f.item)) "#feedback" } { "返回事项" } }
            },
        ),
    );
    response.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    Ok(response)
}

//! The workbench: the maintenance side as web pages for people (zh-CN, server-rendered, usable
//! without JavaScript) — sign in, the department's drafts and their states, a draft with its
//! difference from the live version, submitting, reviewing (approve or reject with a reason),
//! uploading a sheet with a checked report before it is submitted, one's password and sessions.
//!
//! Everything goes through the same registry functions as the API (the rules live there); this
//! module only turns forms into calls and results into pages. Its cookie is scoped to
//! `/workbench`, so a browser never sends it to the public pages or their caches, and every
//! answer here is `Cache-Control: no-store`.

mod account;
mod admin;
mod audit;
mod drafts;
mod editor;
mod feedback;
mod home;
mod item_form;
mod items;
mod session;
mod sign_in;
mod tasks;
mod upload;

use actix_web::http::StatusCode;
use actix_web::{HttpResponse, ResponseError, web};
use maud::{DOCTYPE, Markup, html};

use crate::error::ApiError;
pub use session::Clerk;

/// Where the sign-in form lives.
pub const SIGN_IN_PATH: &str = "/workbench/sign-in";

/// Errors of workbench handlers: a missing or ended session sends the person to the sign-in
/// form; anything else is a page with the status and a sentence in Chinese.
#[derive(Debug)]
pub struct WorkbenchError(pub ApiError);

impl std::fmt::Display for WorkbenchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl<E: Into<ApiError>> From<E> for WorkbenchError {
    fn from(e: E) -> Self {
        WorkbenchError(e.into())
    }
}

impl ResponseError for WorkbenchError {
    fn status_code(&self) -> StatusCode {
        match &self.0 {
            ApiError::Unauthenticated(_) => StatusCode::SEE_OTHER,
            other => other.status_code(),
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let ApiError::Unauthenticated(why) = &self.0 {
            tracing::info!("workbench: not signed in ({why})");
            return session::to_sign_in();
        }
        self.0.report();
        let status = self.status_code();
        let (title, message): (&str, String) = match &self.0 {
            ApiError::Forbidden(why) if why.contains("another reviewer") => (
                "需由另一位审核人员审核",
                "按照“谁发布谁审核谁负责”的规定，编写或提交草稿的人不能审核同一份草稿。".into(),
            ),
            ApiError::Forbidden(_) => ("无权操作", "您的账号没有这项操作的权限。".into()),
            ApiError::NotFound(_) => ("没有找到", "没有找到这一页，或它已被删除。".into()),
            ApiError::Conflict(why) => ("无法完成", conflict_message(why)),
            ApiError::PreconditionFailed { .. } => (
                "内容已被他人修改",
                "您打开这一页之后，草稿已被修改。请重新打开，确认最新内容后再操作。".into(),
            ),
            ApiError::InvalidRecord(problems) => (
                "填写有误",
                problems
                    .iter()
                    .map(|p| p.message.as_str())
                    .collect::<Vec<_>>()
                    .join("；"),
            ),
            ApiError::BadRequest { .. } | ApiError::UnsupportedMediaType(_) => (
                "请求有误",
                "提交的内容不完整或格式不对，请返回重试。".into(),
            ),
            ApiError::RateLimited { retry_after_secs } => (
                "操作过于频繁",
                format!("请 {} 分钟后再试。", retry_after_secs.div_ceil(60).max(1)),
            ),
            ApiError::PayloadTooLarge { .. } => ("文件太大", "上传的文件超过了大小限制。".into()),
            _ => (
                "服务暂时不可用",
                "服务器出现问题，已记录，请稍后再试。".into(),
            ),
        };
        let body = frame(
            None,
            title,
            html! {
                h1 { (title) }
                p.problem role="alert" { (message) }
                p { a href="/workbench" { "返回工作台" } }
            },
        );
        no_store(HttpResponse::build(status), body)
    }
}

/// The registry's conflict messages are for machines; people get the gist.
fn conflict_message(why: &str) -> String {
    if why.contains("exists; start a revision") {
        "已有这个实施编码的事项，请改用“修改”，或换一个编码或名称。".into()
    } else if why.contains("is open") {
        "这个事项已有一份未完成的草稿，请先处理那份草稿。".into()
    } else if why.contains("already") || why.contains("not in review") {
        "草稿的状态已经变了（可能已被提交或审核），请刷新后再看。".into()
    } else if why.contains("changed since this draft was started")
        || why.contains("no longer exists")
    {
        "这个事项在草稿开始之后已经发布了新版本或被撤销，请删除这份草稿，在最新版本上重新修改。"
            .into()
    } else {
        format!("操作与当前状态不符：{why}")
    }
}

/// Result of a workbench handler.
pub type WorkbenchResult = Result<HttpResponse, WorkbenchError>;

/// An answer that no cache may keep: it belongs to one signed-in person.
fn no_store(mut builder: actix_web::HttpResponseBuilder, body: Markup) -> HttpResponse {
    builder
        .content_type("text/html; charset=utf-8")
        .insert_header(("Cache-Control", "no-store"))
        // Browsers name the origin of a form post only when the page's referrer policy lets
        // them (the site's default, no-referrer, makes it "null"); the origin check needs it.
        .insert_header(("Referrer-Policy", "same-origin"))
        .insert_header((
            "Content-Security-Policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ))
        .body(body.into_string())
}

/// An OK workbench page for a signed-in person.
fn page(clerk: &Clerk, title: &str, content: Markup) -> WorkbenchResult {
    Ok(no_store(
        HttpResponse::Ok(),
        frame(Some(clerk), title, content),
    ))
}

/// After a form post: go to `location` (303, so a reload does not post again).
fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header(("Location", location.to_string()))
        .insert_header(("Cache-Control", "no-store"))
        .finish()
}

/// The frame of every workbench page: who is signed in, the sections their role has, sign-out.
fn frame(clerk: Option<&Clerk>, title: &str, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { (title) " · 权责清单工作台" }
                link rel="stylesheet" href="/static/style.css";
            }
            body.workbench {
                a.skip href="#main" { "跳到正文" }
                header.site {
                    nav aria-label="工作台导航" {
                        a.brand href="/workbench" { "权责清单工作台" }
                        @if let Some(c) = clerk {
                            a href="/workbench" { "我的清单" }
                            a href="/workbench/items" { "已发布" }
                            a href="/workbench/feedback" { "群众意见" }
                            @if c.may_review() { a href="/workbench/review" { "待我审核" } }
                            @if c.may_edit() { a href="/workbench/upload" { "上传表格" } }
                            @if c.may_edit() { a href="/workbench/tasks" { "任务清单" } }
                            @if c.may_review() { a href="/workbench/audit" { "审计日志" } }
                            @if c.session.principal.can_manage_accounts() { a href="/workbench/admin/users" { "账号管理" } }
                            a href="/workbench/account" { "账号" }
                        }
                        a href="/" { "公开查询" }
                    }
                    @if let Some(c) = clerk {
                        form.sign-out method="post" action="/workbench/sign-out" {
                            (c.csrf_field())
                            span.who { (c.session.display_name) "（" (role_name(c.session.principal.role)) "）" }
                            button type="submit" { "退出" }
                        }
                    }
                }
                main #main { (content) }
                script src="/static/workbench.js" defer {}
            }
        }
    }
}

fn role_name(role: quanze_registry::auth::Role) -> &'static str {
    use quanze_registry::auth::Role;
    match role {
        Role::Admin => "管理员",
        Role::Editor => "编辑",
        Role::Reviewer => "审核",
    }
}

/// The Chinese name of a draft's state, as the lists and pages show it.
fn state_name(status: &str, review_comment: Option<&str>) -> &'static str {
    match status {
        "draft" if review_comment.is_some() => "已退回",
        "draft" => "草稿",
        "in_review" => "待审核",
        "published" => "已发布",
        "revoked" => "已撤销",
        _ => "其他",
    }
}

/// The id a path names (`/workbench/drafts/{id}`): a whole number from 1, else no such
/// `what` (404, as for an id that names nothing).
fn path_id(raw: &str, what: &str) -> Result<i64, WorkbenchError> {
    raw.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
        let shown: String = raw.chars().take(20).collect();
        WorkbenchError(ApiError::NotFound(format!("{what} {shown:?}")))
    })
}

/// A required reason or comment that is missing (or too long), said in Chinese beside `field`.
fn note_problem(field: &str, message: &str) -> ApiError {
    ApiError::InvalidRecord(vec![crate::error::FieldProblem {
        field: field.into(),
        message: message.into(),
    }])
}

/// A reason or comment typed in a text area, on one line (the registry keeps notes free of
/// control characters, line breaks included).
fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Registers the workbench routes.
pub fn register(cfg: &mut web::ServiceConfig) {
    cfg.route(SIGN_IN_PATH, web::get().to(sign_in::form))
        .route(SIGN_IN_PATH, web::post().to(sign_in::submit))
        .route("/workbench/sign-out", web::post().to(sign_in::sign_out))
        .route("/workbench", web::get().to(home::home))
        .route("/workbench/review", web::get().to(home::review_queue))
        .route("/workbench/drafts/{id}", web::get().to(drafts::draft_page))
        .route("/workbench/items", web::get().to(items::my_items))
        .route(
            "/workbench/feedback",
            web::get().to(feedback::feedback_page),
        )
        .route(
            "/workbench/feedback/{receipt}/answer",
            web::post().to(feedback::answer),
        )
        .route(
            "/workbench/items/{code}/revoke",
            web::post().to(items::revoke),
        )
        .route(
            "/workbench/items/{code}/propose-revocation",
            web::post().to(items::propose_revocation),
        )
        .route("/workbench/items/new", web::get().to(editor::new_item))
        .route("/workbench/items/new", web::post().to(editor::save_new))
        .route(
            "/workbench/items/{code}/revise",
            web::get().to(editor::revise_item),
        )
        .route(
            "/workbench/items/{code}/revise",
            web::post().to(editor::save_revision),
        )
        .route(
            "/workbench/drafts/{id}/edit",
            web::get().to(editor::edit_draft),
        )
        .route(
            "/workbench/drafts/{id}/edit",
            web::post().to(editor::save_draft),
        )
        .route(
            "/workbench/drafts/{id}/{action}",
            web::post().to(drafts::draft_action),
        )
        .route(
            "/workbench/change-sets/{key}/{action}",
            web::post().to(drafts::change_set_action),
        )
        .route("/workbench/tasks", web::get().to(tasks::tasks_page))
        .route("/workbench/tasks", web::post().to(tasks::import))
        .route("/workbench/upload", web::get().to(upload::form))
        .route("/workbench/upload", web::post().to(upload::check))
        .route(
            "/workbench/upload/{id}/submit",
            web::post().to(upload::submit),
        )
        .route("/workbench/admin/users", web::get().to(admin::users_page))
        .route("/workbench/admin/users", web::post().to(admin::create_user))
        .route(
            "/workbench/admin/users/{id}/{action}",
            web::post().to(admin::user_action),
        )
        .route(
            "/workbench/admin/tokens/{id}/revoke",
            web::post().to(admin::revoke_token),
        )
        .route("/workbench/audit", web::get().to(audit::audit_page))
        .route("/workbench/account", web::get().to(account::account_page))
        .route(
            "/workbench/account/password",
            web::post().to(account::change_password),
        )
        .route(
            "/workbench/sessions/{id}/revoke",
            web::post().to(account::revoke),
        );
}

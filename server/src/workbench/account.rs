//! The person's account: changing their password (their other sessions end), their open
//! sessions with a way to end each, and for an admin everyone's sessions.

use std::collections::HashMap;
use std::time::Instant;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use maud::{Markup, html};
use quanze_registry::models::SessionRow;

use super::{Clerk, WorkbenchError, WorkbenchResult, frame, no_store, see_other};
use crate::error::ApiError;
use crate::state::AppState;

/// Problems of the password form, by field.
#[derive(Default)]
struct PasswordProblems {
    current: Option<String>,
    new: Option<String>,
    done: bool,
}

struct Sessions {
    rows: Vec<SessionRow>,
    names: HashMap<i64, String>,
}

async fn sessions(state: &AppState, clerk: &Clerk) -> Result<Sessions, ApiError> {
    let p = clerk.session.principal.clone();
    state
        .with_conn(move |conn| {
            let scope = (!p.can_manage_accounts()).then_some(p.user_id);
            let rows = quanze_registry::sessions::list_sessions(
                conn,
                &p,
                scope,
                quanze_registry::repo::now(),
            )?;
            let mut names = HashMap::new();
            for r in &rows {
                if let std::collections::hash_map::Entry::Vacant(e) = names.entry(r.user_id)
                    && let Some(u) = quanze_registry::repo::users::get_user(conn, r.user_id)?
                {
                    e.insert(u.row.username);
                }
            }
            Ok(Sessions { rows, names })
        })
        .await
}

fn field_error(id: &str, message: &Option<String>) -> Markup {
    html! { @if let Some(m) = message { span.field-error id=(id) { (m) } } }
}

fn account_view(clerk: &Clerk, problems: &PasswordProblems, sessions: &Sessions) -> Markup {
    let me = clerk.session.session_id;
    html! {
        h1 { "账号" }
        p { "用户名：" (clerk.session.principal.username) }
        h2 { "修改密码" }
        @if problems.done { p.notice role="status" { "密码已修改，您在其他设备上的登录已结束。" } }
        form.workbench-form method="post" action="/workbench/account/password" {
            (clerk.csrf_field())
            p {
                label for="current_password" { "当前密码" }
                input #current_password name="current_password" type="password" autocomplete="current-password" required
                    aria-invalid=[problems.current.as_ref().map(|_| "true")]
                    aria-describedby=[problems.current.as_ref().map(|_| "current_password-error")];
                (field_error("current_password-error", &problems.current))
            }
            p {
                label for="new_password" { "新密码（至少 10 个字符）" }
                input #new_password name="new_password" type="password" autocomplete="new-password" required minlength="10"
                    aria-invalid=[problems.new.as_ref().map(|_| "true")]
                    aria-describedby=[problems.new.as_ref().map(|_| "new_password-error")];
                (field_error("new_password-error", &problems.new))
            }
            p {
                label for="confirm_password" { "再次输入新密码" }
                input #confirm_password name="confirm_password" type="password" autocomplete="new-password" required;
            }
            p { button type="submit" { "修改密码" } }
        }
        h2 { @if clerk.session.principal.can_manage_accounts() { "所有登录会话" } @else { "我的登录会话" } }
        div.table-scroll {
            table.sessions {
                thead { tr {
                    th scope="col" { "用户" } th scope="col" { "登录时间" } th scope="col" { "最近使用" }
                    th scope="col" { "来源" } th scope="col" { "浏览器" } th scope="col" { "操作" }
                } }
                tbody {
                    @for s in &sessions.rows {
                        tr {
                            td { (sessions.names.get(&s.user_id).map_or("", String::as_str)) }
                            td { (s.created_at.format("%Y-%m-%d %H:%M")) }
                            td { (s.last_seen_at.format("%Y-%m-%d %H:%M")) }
                            td { (s.origin) }
                            td { (s.user_agent.as_deref().unwrap_or("")) }
                            td {
                                @if s.id == me { "当前会话" } @else {
                                    form.inline method="post" action=(format!("/workbench/sessions/{}/revoke", s.id)) {
                                        (clerk.csrf_field())
                                        button.secondary type="submit"
                                            aria-label=(format!("结束 {} 于 {} 登录的会话", sessions.names.get(&s.user_id).map_or("", String::as_str), s.created_at.format("%Y-%m-%d %H:%M"))) { "结束" }
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

async fn render(
    state: &AppState,
    clerk: &Clerk,
    status: StatusCode,
    problems: &PasswordProblems,
) -> WorkbenchResult {
    let sessions = sessions(state, clerk).await?;
    Ok(no_store(
        HttpResponse::build(status),
        frame(
            Some(clerk),
            "账号",
            account_view(clerk, problems, &sessions),
        ),
    ))
}

/// `GET /workbench/account`.
pub async fn account_page(
    state: web::Data<AppState>,
    clerk: Clerk,
    req: HttpRequest,
) -> WorkbenchResult {
    let problems = PasswordProblems {
        done: req.query_string() == "changed",
        ..Default::default()
    };
    render(&state, &clerk, StatusCode::OK, &problems).await
}

/// `POST /workbench/account/password`: the errors go beside their fields.
pub async fn change_password(
    state: web::Data<AppState>,
    clerk: Clerk,
    req: HttpRequest,
    body: web::Bytes,
) -> WorkbenchResult {
    let form = clerk.posted_form(&req, &body)?;
    let new = form.get("new_password").to_string();
    if new != form.get("confirm_password") {
        let problems = PasswordProblems {
            new: Some("两次输入的新密码不一致".into()),
            ..Default::default()
        };
        return render(&state, &clerk, StatusCode::UNPROCESSABLE_ENTITY, &problems).await;
    }
    // A wrong current password counts against the account like a failed sign-in: someone
    // holding another's session must not guess their password here at leisure.
    let account = clerk.session.principal.username.to_lowercase();
    if let Err(wait) = state
        .limits
        .sign_in_failures
        .check(account.clone(), Instant::now())
    {
        return Err(WorkbenchError(ApiError::rate_limited(wait)));
    }
    let current = form.get("current_password").to_string();
    let p = clerk.session.principal.clone();
    let keep = clerk.session.session_id;
    let result = state
        .with_conn(move |conn| {
            Ok(quanze_registry::accounts::set_password(
                conn,
                &p,
                p.user_id,
                Some(&current),
                &new,
                Some(keep),
                quanze_registry::repo::now(),
            )?)
        })
        .await;
    match result {
        Ok(()) => {
            state
                .limits
                .sign_in_failures
                .refund(account, Instant::now());
            Ok(see_other("/workbench/account?changed"))
        }
        Err(ApiError::InvalidRecord(list)) => {
            if list.iter().all(|p| p.field != "current_password") {
                // The current password was right; only the new one was refused.
                state
                    .limits
                    .sign_in_failures
                    .refund(account, Instant::now());
            }
            let mut problems = PasswordProblems::default();
            for p in list {
                match p.field.as_str() {
                    "current_password" => problems.current = Some(p.message),
                    _ => problems.new = Some(p.message),
                }
            }
            render(&state, &clerk, StatusCode::UNPROCESSABLE_ENTITY, &problems).await
        }
        Err(e) => Err(WorkbenchError(e)),
    }
}

/// `POST /workbench/sessions/{id}/revoke`: ends a session (one's own, or anyone's for an admin).
pub async fn revoke(
    state: web::Data<AppState>,
    clerk: Clerk,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> WorkbenchResult {
    clerk.posted_form(&req, &body)?;
    let id = super::path_id(&path, "session")?;
    let p = clerk.session.principal.clone();
    state
        .with_conn(move |conn| {
            Ok(quanze_registry::sessions::revoke_session(
                conn,
                &p,
                id,
                quanze_registry::repo::now(),
            )?)
        })
        .await?;
    Ok(see_other("/workbench/account"))
}

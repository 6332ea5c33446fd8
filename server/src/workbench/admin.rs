//! Admin pages: users (create with role, departments and a first password; reset a password;
//! disable), API tokens (issue — the secret shown once — and revoke), and the audit log with
//! filters (admins everything, reviewers their departments', as the API allows). Every change
//! goes through the registry's `accounts` functions, which check that the caller is an admin.

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, web};
use maud::{Markup, html};
use quanze_registry::auth::Role;
use quanze_registry::repo::users::User;

use super::{Clerk, WorkbenchError, WorkbenchResult, frame, no_store, page, role_name, see_other};
use crate::error::ApiError;
use crate::state::AppState;

/// Everything the users page shows.
struct Accounts {
    users: Vec<(User, bool)>,
    tokens: Vec<quanze_registry::models::TokenRow>,
    departments: Vec<(i64, String)>,
}

async fn accounts(state: &AppState, clerk: &Clerk) -> Result<Accounts, ApiError> {
    let p = clerk.session.principal.clone();
    state
        .with_conn(move |conn| {
            let mut users = Vec::new();
            for u in quanze_registry::accounts::list_users(conn, &p)? {
                let has = quanze_registry::repo::users::has_password(conn, u.row.id)?;
                users.push((u, has));
            }
            let tokens = quanze_registry::accounts::list_tokens(conn, &p, None)?;
            let departments = quanze_registry::repo::departments::list_departments(conn)?
                .into_iter()
                .map(|d| (d.id, d.name))
                .collect();
            Ok(Accounts {
                users,
                tokens,
                departments,
            })
        })
        .await
}

fn users_view(
    clerk: &Clerk,
    a: &Accounts,
    notice: Option<Markup>,
    problem: Option<&str>,
) -> Markup {
    let names: HashMap<i64, &str> = a
        .departments
        .iter()
        .map(|(id, n)| (*id, n.as_str()))
        .collect();
    let usernames: HashMap<i64, &str> = a
        .users
        .iter()
        .map(|(u, _)| (u.row.id, u.row.username.as_str()))
        .collect();
    html! {
        h1 { "账号管理" }
        @if let Some(n) = notice { (n) }
        @if let Some(p) = problem { p.problem role="alert" #admin-problem { (p) } }
        h2 { "用户" }
        div.table-scroll {
            table.users {
                thead { tr {
                    th scope="col" { "用户名" } th scope="col" { "姓名" } th scope="col" { "角色" }
                    th scope="col" { "部门" } th scope="col" { "状态" } th scope="col" { "操作" }
                } }
                tbody {
                    @for (u, has_password) in &a.users {
                        tr data-user=(u.row.username) {
                            td { (u.row.username) }
                            td { (u.row.display_name) }
                            td { (Role::parse(&u.row.role).map(role_name).unwrap_or(u.row.role.as_str())) }
                            td { (u.departments.iter().filter_map(|d| names.get(d).copied()).collect::<Vec<_>>().join("、")) }
                            td {
                                @if u.row.disabled { "已停用" }
                                @else if *has_password { "可登录" }
                                @else { "未设密码" }
                            }
                            td {
                                @if u.row.id == clerk.session.principal.user_id {
                                    a href="/workbench/account" { "修改自己的密码" }
                                } @else if !u.row.disabled {
                                    form.inline method="post" action=(format!("/workbench/admin/users/{}/password", u.row.id)) {
                                        (clerk.csrf_field())
                                        label for=(format!("pw-{}", u.row.id)) { "新密码" }
                                        " "
                                        input id=(format!("pw-{}", u.row.id)) name="password" type="password" autocomplete="new-password" required minlength="10";
                                        " "
                                        button.secondary type="submit" aria-label=(format!("重设 {} 的密码", u.row.username)) { "重设密码" }
                                    }
                                    form.inline method="post" action=(format!("/workbench/admin/users/{}/token", u.row.id)) {
                                        (clerk.csrf_field())
                                        button.secondary type="submit" aria-label=(format!("为 {} 签发接口令牌", u.row.username)) { "签发令牌" }
                                    }
                                    @if u.row.id != clerk.session.principal.user_id {
                                        form.inline method="post" action=(format!("/workbench/admin/users/{}/disable", u.row.id)) {
                                            (clerk.csrf_field())
                                            button.secondary type="submit" aria-label=(format!("停用 {}", u.row.username)) { "停用" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        h2 { "新建用户" }
        form.workbench-form method="post" action="/workbench/admin/users" {
            (clerk.csrf_field())
            p { label for="new-username" { "用户名（字母、数字和 . _ - @）" } input #new-username name="username" type="text" required autocapitalize="none"; }
            p { label for="new-display" { "姓名" } input #new-display name="display_name" type="text"; }
            p {
                label for="new-role" { "角色" }
                select #new-role name="role" {
                    option value="editor" { "编辑（维护本部门清单）" }
                    option value="reviewer" { "审核（审核并发布本部门清单）" }
                    option value="admin" { "管理员" }
                }
            }
            p {
                label for="new-departments" { "所在部门（编辑和审核必选，可多选）" }
                select #new-departments name="departments" multiple size="6" {
                    @for (id, name) in &a.departments { option value=(id) { (name) } }
                }
            }
            p { label for="new-password" { "初始密码（至少 10 个字符）" } input #new-password name="password" type="password" autocomplete="new-password" minlength="10"; }
            p { button type="submit" { "新建用户" } }
        }
        h2 { "接口令牌" }
        p { "令牌供其他系统调用维护接口；人员请用密码登录工作台。" }
        div.table-scroll {
            table.tokens {
                thead { tr {
                    th scope="col" { "编号" } th scope="col" { "用户" } th scope="col" { "用途" }
                    th scope="col" { "签发" } th scope="col" { "到期" } th scope="col" { "最近使用" } th scope="col" { "操作" }
                } }
                tbody {
                    @for t in &a.tokens {
                        tr {
                            td { (t.id) " " small.code { (t.token_prefix) "…" } }
                            td { (usernames.get(&t.user_id).copied().unwrap_or("")) }
                            td { (t.label.as_deref().unwrap_or("")) }
                            td { (t.created_at.format("%Y-%m-%d")) }
                            td { (t.expires().format("%Y-%m-%d")) }
                            td { (t.last_used_at.map(|e| e.format("%Y-%m-%d %H:%M").to_string()).unwrap_or_default()) }
                            td {
                                @if t.revoked_at.is_some() { "已吊销" } @else {
                                    form.inline method="post" action=(format!("/workbench/admin/tokens/{}/revoke", t.id)) {
                                        (clerk.csrf_field())
                                        button.secondary type="submit" aria-label=(format!("吊销令牌 {}", t.id)) { "吊销" }
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
    notice: Option<Markup>,
    problem: Option<&str>,
) -> WorkbenchResult {
    let a = accounts(state, clerk).await?;
    Ok(no_store(
        HttpResponse::build(status),
        frame(
            Some(clerk),
            "账号管理",
            users_view(clerk, &a, notice, problem),
        ),
    ))
}

/// `GET /workbench/admin/users`.
pub async fn users_page(
    state: web::Data<AppState>,
    clerk: Clerk,
    req: HttpRequest,
) -> WorkbenchResult {
    let notice = match req.query_string() {
        "created" => Some(html! { p.notice role="status" { "用户已建立。" } }),
        "password" => {
            Some(html! { p.notice role="status" { "密码已重设，该用户的登录已全部结束。" } })
        }
        "disabled" => {
            Some(html! { p.notice role="status" { "用户已停用，其令牌和登录立即失效。" } })
        }
        "revoked" => Some(html! { p.notice role="status" { "令牌已吊销。" } }),
        _ => None,
    };
    render(&state, &clerk, StatusCode::OK, notice, None).await
}

/// A refused account change: the page again with why, in Chinese.
async fn refused(state: &AppState, clerk: &Clerk, e: ApiError) -> WorkbenchResult {
    let message = match &e {
        ApiError::InvalidRecord(list) => list
            .iter()
            .map(|p| match (p.field.as_str(), p.message.as_str()) {
                ("username", _) => "用户名须为 2 到 64 个字母、数字或 . _ - @".to_string(),
                ("departments", m) if m.contains("at least one") => {
                    "编辑和审核至少要属于一个部门".to_string()
                }
                ("departments", _) => "管理员不属于具体部门，请不要选择部门".to_string(),
                (_, m) => m.to_string(),
            })
            .collect::<Vec<_>>()
            .join("；"),
        ApiError::Conflict(_) => "已有同名用户".to_string(),
        _ => return Err(WorkbenchError(e)),
    };
    render(
        state,
        clerk,
        StatusCode::UNPROCESSABLE_ENTITY,
        None,
        Some(&message),
    )
    .await
}

/// `POST /workbench/admin/users`: a new user, with a first password when one is given.
pub async fn create_user(
    state: web::Data<AppState>,
    clerk: Clerk,
    req: HttpRequest,
    body: web::Bytes,
) -> WorkbenchResult {
    let form = clerk.posted_form(&req, &body)?;
    let Some(role) = Role::parse(form.get("role")) else {
        return refused(
            &state,
            &clerk,
            ApiError::bad_request("role", "no such role"),
        )
        .await;
    };
    let departments: Vec<i64> = form
        .pairs()
        .filter(|(k, _)| *k == "departments")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let username = form.get("username").trim().to_string();
    let display = form.get("display_name").trim().to_string();
    let password = form.get("password").to_string();
    if !password.is_empty()
        && let Err(e) = quanze_registry::passwords::check_new_password(&username, &password)
    {
        return refused(&state, &clerk, e.into()).await;
    }
    let p = clerk.session.principal.clone();
    let result = state
        .with_conn(move |conn| {
            let now = quanze_registry::repo::now();
            let user = quanze_registry::accounts::add_user(
                conn,
                &p,
                &username,
                &display,
                role,
                &departments,
                now,
            )?;
            if !password.is_empty() {
                quanze_registry::accounts::set_password(
                    conn,
                    &p,
                    user.row.id,
                    None,
                    &password,
                    None,
                    now,
                )?;
            }
            Ok(())
        })
        .await;
    match result {
        Ok(()) => Ok(see_other("/workbench/admin/users?created")),
        Err(e) => refused(&state, &clerk, e).await,
    }
}

/// What an action on a user did.
enum Outcome {
    /// Done; the page says so (`?password`, `?disabled`).
    Done(&'static str),
    /// A token was issued: its id and its secret, to show once.
    Token(i64, String),
}

/// `POST /workbench/admin/users/{id}/{password|disable|token}`.
pub async fn user_action(
    state: web::Data<AppState>,
    clerk: Clerk,
    path: web::Path<(String, String)>,
    req: HttpRequest,
    body: web::Bytes,
) -> WorkbenchResult {
    let (id, verb) = path.into_inner();
    let id = super::path_id(&id, "user")?;
    let form = clerk.posted_form(&req, &body)?;
    let p = clerk.session.principal.clone();
    let password = form.get("password").to_string();
    let now = quanze_registry::repo::now();
    let result = state
        .with_conn(move |conn| {
            Ok(match verb.as_str() {
                "password" => {
                    quanze_registry::accounts::set_password(
                        conn, &p, id, None, &password, None, now,
                    )?;
                    Outcome::Done("password")
                }
                "disable" => {
                    quanze_registry::accounts::disable_user(conn, &p, id, now)?;
                    Outcome::Done("disabled")
                }
                "token" => {
                    let (row, secret) = quanze_registry::accounts::issue_token(
                        conn,
                        &p,
                        id,
                        Some("工作台签发"),
                        None,
                        now,
                    )?;
                    Outcome::Token(row.id, secret)
                }
                _ => return Err(ApiError::NotFound(format!("the action {verb:?}"))),
            })
        })
        .await;
    match result {
        Ok(Outcome::Done(done)) => Ok(see_other(&format!("/workbench/admin/users?{done}"))),
        // The secret exists only in this answer: shown once, never stored.
        Ok(Outcome::Token(token_id, secret)) => page(
            &clerk,
            "新令牌",
            html! {
                h1 { "新令牌" }
                p { "令牌 " (token_id) " 已签发，一年后到期。请现在复制保存：它只显示这一次，系统只保存它的摘要。" }
                p { code #token-secret { (secret) } }
                p { a href="/workbench/admin/users" { "返回账号管理" } }
            },
        ),
        Err(e) => refused(&state, &clerk, e).await,
    }
}

/// `POST /workbench/admin/tokens/{id}/revoke`.
pub async fn revoke_token(
    state: web::Data<AppState>,
    clerk: Clerk,
    path: web::Path<String>,
    req: HttpRequest,
    body: web::Bytes,
) -> WorkbenchResult {
    clerk.posted_form(&req, &body)?;
    let id = super::path_id(&path, "token")?;
    let p = clerk.session.principal.clone();
    state
        .with_conn(move |conn| {
            quanze_registry::accounts::withdraw_token(conn, &p, id, quanze_registry::repo::now())?;
            Ok(())
        })
        .await?;
    Ok(see_other("/workbench/admin/users?revoked"))
}

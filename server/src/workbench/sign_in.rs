//! Signing in and out. Failed sign-ins are held back per account (whatever name was typed) and
//! per client address, and every attempt is in the audit log; the form says the same thing for
//! an unknown name and a wrong password.

use std::time::Instant;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use maud::html;

use super::session::{FormFields, removal_cookie, same_origin, session_cookie};
use super::{Clerk, WorkbenchResult, frame, no_store, see_other};
use crate::error::ApiError;
use crate::extract::auth::client_address;
use crate::state::AppState;

/// The cookie and form field that tie a sign-in post to a sign-in form this browser was given
/// (a double-submit token): another site cannot sign a browser in under its own account.
const SIGN_IN_TOKEN: &str = "quanze_sign_in";

/// A fresh sign-in token (128 random bits, hex).
fn sign_in_token() -> Result<String, ApiError> {
    let mut bytes = [0u8; 16];
    quanze_registry::auth::random_bytes(&mut bytes)?;
    Ok(quanze_registry::auth::hex(&bytes))
}

fn sign_in_page(status: StatusCode, username: &str, error: Option<&str>) -> HttpResponse {
    let token = match sign_in_token() {
        Ok(t) => t,
        Err(e) => return super::WorkbenchError(e).error_response(),
    };
    let cookie = actix_web::cookie::Cookie::build(SIGN_IN_TOKEN, token.clone())
        .path("/workbench")
        .http_only(true)
        .same_site(actix_web::cookie::SameSite::Strict)
        .finish();
    let body = frame(
        None,
        "登录",
        html! {
            h1 { "登录工作台" }
            p { "各部门维护权力清单和责任清单的人员在此登录。公众查询清单无需登录：" a href="/" { "返回公开查询" } "。" }
            @if let Some(e) = error {
                p.problem #sign-in-error role="alert" { (e) }
            }
            form.workbench-form method="post" action=(super::SIGN_IN_PATH) {
                input type="hidden" name=(SIGN_IN_TOKEN) value=(token);
                p {
                    label for="username" { "用户名" }
                    input #username name="username" type="text" autocomplete="username" required
                        value=(username) autocapitalize="none" spellcheck="false"
                        aria-describedby=[error.map(|_| "sign-in-error")];
                }
                p {
                    label for="password" { "密码" }
                    input #password name="password" type="password" autocomplete="current-password" required
                        aria-describedby=[error.map(|_| "sign-in-error")];
                }
                p { button type="submit" { "登录" } }
            }
        },
    );
    let mut response = no_store(HttpResponse::build(status), body);
    if let Err(e) = response.add_cookie(&cookie) {
        return super::WorkbenchError(ApiError::Internal(format!("sign-in cookie: {e}")))
            .error_response();
    }
    response
}

/// `GET /workbench/sign-in`.
pub async fn form() -> HttpResponse {
    sign_in_page(StatusCode::OK, "", None)
}

fn minutes(wait: std::time::Duration) -> u64 {
    wait.as_secs().div_ceil(60).max(1)
}

/// `POST /workbench/sign-in`.
pub async fn submit(
    state: web::Data<AppState>,
    req: HttpRequest,
    body: web::Bytes,
) -> WorkbenchResult {
    same_origin(&req)?;
    let form = FormFields::parse(&body);
    let username = form.get("username").trim().to_string();
    let cookie = req.cookie(SIGN_IN_TOKEN).map(|c| c.value().to_string());
    let posted = form.get(SIGN_IN_TOKEN);
    let token_ok = cookie.is_some_and(|c| {
        !c.is_empty() && quanze_registry::auth::constant_time_eq(c.as_bytes(), posted.as_bytes())
    });
    if !token_ok {
        // Not from a form this browser was given (or the form is old): a fresh one.
        return Ok(sign_in_page(
            StatusCode::FORBIDDEN,
            &username,
            Some("登录页面已过期，请重新输入用户名和密码。"),
        ));
    }
    let password = form.get("password").to_string();
    if username.is_empty() || password.is_empty() {
        return Ok(sign_in_page(
            StatusCode::BAD_REQUEST,
            &username,
            Some("请填写用户名和密码"),
        ));
    }
    let limits = &state.limits;
    let client = client_address(&req, limits.behind_proxy);
    let account = username.to_lowercase();
    // Every attempt takes a token from the client's and the account's bucket before the
    // password is checked (so parallel guesses cannot all slip past), and a right password
    // gives them back.
    let now = Instant::now();
    let held_back = match client.map(|c| limits.auth_failures.check(c, now)) {
        Some(Err(wait)) => Some(wait),
        _ => limits.sign_in_failures.check(account.clone(), now).err(),
    };
    if let Some(wait) = held_back {
        tracing::warn!(user = %username, client = ?client, "sign-in held back after repeated failures");
        let mut page = sign_in_page(
            StatusCode::TOO_MANY_REQUESTS,
            &username,
            Some(&format!(
                "登录失败次数过多，请 {} 分钟后再试。",
                minutes(wait)
            )),
        );
        page.headers_mut().insert(
            actix_web::http::header::RETRY_AFTER,
            actix_web::http::header::HeaderValue::from(wait.as_secs().max(1)),
        );
        return Ok(page);
    }
    let origin = client.map_or_else(|| "unknown".into(), |c| c.to_string());
    let user_agent = req
        .headers()
        .get(actix_web::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let previous = req
        .cookie(super::session::SESSION_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|v| !v.is_empty());
    let name = username.clone();
    let attempt = state
        .with_conn(move |conn| Ok(quanze_registry::sessions::attempt(conn, &name)?))
        .await?;
    // The Argon2 check holds no database connection, and only a few run at once.
    let permit = state
        .password_checks
        .acquire()
        .await
        .map_err(|e| ApiError::Internal(format!("password check semaphore: {e}")))?;
    let (attempt, password_ok) = web::block(move || {
        let ok = attempt.verify(&password);
        (attempt, ok)
    })
    .await?;
    drop(permit);
    let policy = state.sessions;
    let result = state
        .with_conn(move |conn| {
            let now = quanze_registry::repo::now();
            let signed = quanze_registry::sessions::finish_sign_in(
                conn,
                attempt,
                password_ok,
                &origin,
                user_agent.as_deref(),
                policy,
                now,
            )?;
            // A browser that signs in again leaves no older session open behind it.
            if let Some(previous) = previous {
                quanze_registry::sessions::end_session_of_secret(conn, &previous, now)?;
            }
            Ok(signed)
        })
        .await;
    match result {
        Ok(signed) => {
            let now = Instant::now();
            if let Some(c) = client {
                limits.auth_failures.refund(c, now);
            }
            limits.sign_in_failures.refund(account, now);
            Ok(HttpResponse::SeeOther()
                .insert_header(("Location", "/workbench"))
                .insert_header(("Cache-Control", "no-store"))
                .cookie(session_cookie(&req, limits.behind_proxy, &signed.secret))
                .finish())
        }
        Err(ApiError::Unauthenticated(message)) => Ok(sign_in_page(
            StatusCode::UNAUTHORIZED,
            &username,
            Some(&message),
        )),
        Err(e) => Err(e.into()),
    }
}

/// `POST /workbench/sign-out`: ends the session at once.
pub async fn sign_out(
    state: web::Data<AppState>,
    clerk: Clerk,
    req: HttpRequest,
    body: web::Bytes,
) -> WorkbenchResult {
    clerk.posted_form(&req, &body)?;
    let session = clerk.session;
    state
        .with_conn(move |conn| {
            Ok(quanze_registry::sessions::sign_out(
                conn,
                &session,
                quanze_registry::repo::now(),
            )?)
        })
        .await?;
    let mut response = see_other(super::SIGN_IN_PATH);
    response
        .add_cookie(&removal_cookie())
        .map_err(|e| super::WorkbenchError(ApiError::Internal(format!("removal cookie: {e}"))))?;
    Ok(response)
}

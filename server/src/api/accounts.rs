//! Accounts over the API: who the caller is, and (admins) users and their tokens. A token's
//! secret appears once, in the answer that creates it.

use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, delete, get, post, web};
use quanze_registry::auth::Role;
use quanze_registry::models::TokenRow;
use quanze_registry::repo::users::User;
use serde::{Deserialize, Serialize};

use crate::error::ApiError;
use crate::extract::auth::Caller;
use crate::extract::body::json_body;
use crate::extract::params::path_id;
use crate::state::AppState;
use crate::views::rfc3339;

/// A user account.
#[derive(Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    /// admin, editor or reviewer.
    pub role: String,
    pub disabled: bool,
    /// Departments an editor or reviewer works for.
    pub departments: Vec<i64>,
    pub created_at: String,
}

impl From<User> for UserView {
    fn from(u: User) -> Self {
        UserView {
            id: u.row.id,
            username: u.row.username,
            display_name: u.row.display_name,
            role: u.row.role,
            disabled: u.row.disabled,
            departments: u.departments,
            created_at: rfc3339(u.row.created_at),
        }
    }
}

/// The caller.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    pub user_id: i64,
    pub username: String,
    pub role: String,
    pub departments: Vec<i64>,
}

/// A new user.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserBody {
    #[schema(example = "zhang.wei")]
    pub username: String,
    #[schema(example = "张伟")]
    pub display_name: Option<String>,
    /// admin, editor or reviewer.
    #[schema(example = "editor")]
    pub role: String,
    /// Department ids (editors and reviewers; none for admins).
    #[serde(default)]
    pub departments: Vec<i64>,
}

/// An API token (never its secret, but when it is created).
#[derive(Serialize, utoipa::ToSchema)]
pub struct TokenView {
    pub id: i64,
    pub user_id: i64,
    /// The first characters, to tell tokens apart.
    pub prefix: String,
    pub label: Option<String>,
    pub created_at: String,
    /// When the token stops working.
    pub expires_at: String,
    pub last_used_at: Option<String>,
    pub revoked_at: Option<String>,
    /// The secret, only in the answer that creates the token: keep it, it is not stored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
}

fn token_view(t: TokenRow, secret: Option<String>) -> TokenView {
    let expires = t.expires();
    TokenView {
        id: t.id,
        user_id: t.user_id,
        prefix: t.token_prefix,
        label: t.label,
        created_at: rfc3339(t.created_at),
        expires_at: rfc3339(expires),
        last_used_at: t.last_used_at.map(rfc3339),
        revoked_at: t.revoked_at.map(rfc3339),
        token: secret,
    }
}

/// A new token.
#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenBody {
    /// What the token is for.
    #[schema(example = "省平台同步")]
    pub label: Option<String>,
    /// Expiry (RFC 3339), at most 365 days ahead; none for the default of 90 days.
    #[schema(example = "2027-06-30T00:00:00Z")]
    pub expires_at: Option<String>,
}

/// Who am I.
///
/// The caller's account: name, role and departments.
#[utoipa::path(
    tag = "accounts",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = Me)
    )
)]
#[get("/me")]
pub async fn me(caller: Caller) -> HttpResponse {
    let p = caller.0;
    HttpResponse::Ok().json(Me {
        user_id: p.user_id,
        username: p.username,
        role: p.role.as_str().to_string(),
        departments: p.departments,
    })
}

/// Create a user.
///
/// Admins only. Editors and reviewers work for at least one department; admins for all.
#[utoipa::path(
    tag = "accounts",
    security(("bearer" = [])),
    request_body(content = NewUserBody, content_type = "application/json"),
    responses(
        (status = 201, description = "The user", body = UserView),
        (status = 400, description = "The body is malformed"),
        (status = 403, description = "Not an admin"),
        (status = 404, description = "A department does not exist"),
        (status = 409, description = "The username is taken"),
        (status = 415, description = "The body is not JSON"),
        (status = 422, description = "Invalid username, role or departments")
    )
)]
#[post("/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    body: Bytes,
) -> Result<HttpResponse, ApiError> {
    let body: NewUserBody = json_body(&req, &body, false)?;
    let role = Role::parse(&body.role).ok_or_else(|| {
        ApiError::InvalidRecord(vec![crate::error::FieldProblem {
            field: "role".into(),
            message: "must be admin, editor or reviewer".into(),
        }])
    })?;
    let by = caller.0;
    let user = state
        .with_conn(move |conn| {
            Ok(quanze_registry::accounts::add_user(
                conn,
                &by,
                &body.username,
                body.display_name.as_deref().unwrap_or(""),
                role,
                &body.departments,
                quanze_registry::repo::now(),
            )?)
        })
        .await?;
    Ok(HttpResponse::Created().json(UserView::from(user)))
}

/// List users.
///
/// Admins only. Every account with its role and departments.
#[utoipa::path(
    tag = "accounts",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The users", body = Vec<UserView>),
        (status = 403, description = "Not an admin")
    )
)]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<HttpResponse, ApiError> {
    let users = state
        .with_conn(move |conn| Ok(quanze_registry::accounts::list_users(conn, &caller.0)?))
        .await?;
    Ok(HttpResponse::Ok().json(users.into_iter().map(UserView::from).collect::<Vec<_>>()))
}

/// Create a token for a user.
///
/// Admins only. The answer carries the secret once (`token`); only its hash is stored.
#[utoipa::path(
    tag = "accounts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The user's id", example = 2)),
    request_body(content = NewTokenBody, description = "Optional label and expiry", content_type = "application/json"),
    responses(
        (status = 201, description = "The token with its secret", body = TokenView),
        (status = 400, description = "The id or body is malformed"),
        (status = 403, description = "Not an admin"),
        (status = 404, description = "No such user"),
        (status = 415, description = "The body is not JSON"),
        (status = 422, description = "The expiry lies in the past")
    )
)]
#[post("/users/{id}/tokens")]
pub async fn create_token(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
    req: HttpRequest,
    body: Bytes,
) -> Result<HttpResponse, ApiError> {
    let user_id = path_id("id", &path)?;
    let body: NewTokenBody = json_body(&req, &body, true)?;
    let expires_at = body
        .expires_at
        .as_deref()
        .map(|e| {
            chrono::DateTime::parse_from_rfc3339(e.trim())
                .map(|t| t.naive_utc())
                .map_err(|_| ApiError::bad_request("body.expires_at", "must be an RFC 3339 time"))
        })
        .transpose()?;
    let by = caller.0;
    let (row, secret) = state
        .with_conn(move |conn| {
            Ok(quanze_registry::accounts::issue_token(
                conn,
                &by,
                user_id,
                body.label.as_deref(),
                expires_at,
                quanze_registry::repo::now(),
            )?)
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(token_view(row, Some(secret))))
}

/// List a user's tokens.
///
/// Admins, or the user themself. Secrets are never shown again.
#[utoipa::path(
    tag = "accounts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The user's id", example = 2)),
    responses(
        (status = 200, description = "The tokens", body = Vec<TokenView>),
        (status = 400, description = "The id is malformed"),
        (status = 403, description = "Not an admin nor this user")
    )
)]
#[get("/users/{id}/tokens")]
pub async fn list_tokens(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let user_id = path_id("id", &path)?;
    let tokens = state
        .with_conn(move |conn| {
            Ok(quanze_registry::accounts::list_tokens(
                conn,
                &caller.0,
                Some(user_id),
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(
        tokens
            .into_iter()
            .map(|t| token_view(t, None))
            .collect::<Vec<_>>(),
    ))
}

/// Revoke a token.
///
/// Admins, or the token's owner. Takes effect at once.
#[utoipa::path(
    tag = "accounts",
    security(("bearer" = [])),
    params(("id" = i64, Path, description = "The token's id", example = 1)),
    responses(
        (status = 200, description = "The revoked token", body = TokenView),
        (status = 400, description = "The id is malformed"),
        (status = 403, description = "Not an admin nor the owner"),
        (status = 404, description = "No such token")
    )
)]
#[delete("/tokens/{id}")]
pub async fn revoke_token(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = path_id("id", &path)?;
    let p = caller.0;
    let row = state
        .with_conn(move |conn| {
            Ok(quanze_registry::accounts::withdraw_token(
                conn,
                &p,
                id,
                quanze_registry::repo::now(),
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(token_view(row, None)))
}

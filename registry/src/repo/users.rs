//! Accounts and API tokens. Users are never deleted (the audit log names them); they are
//! disabled. A token's secret is returned once by [`create_token`] and never stored.

use diesel::prelude::*;

use crate::auth::{Principal, Role, constant_time_eq, generate_token, hash_token, token_prefix};
use crate::db::DbConnection;
use crate::error::{RegistryError, Result};
use crate::models::{TokenRow, UserRow};
use crate::schema::{api_tokens, user_departments, users};

/// A user with the departments they work for.
#[derive(Debug, Clone)]
pub struct User {
    pub row: UserRow,
    pub departments: Vec<i64>,
}

fn departments_of(conn: &mut DbConnection, user_id: i64) -> Result<Vec<i64>> {
    Ok(user_departments::table
        .filter(user_departments::user_id.eq(user_id))
        .order(user_departments::department_id.asc())
        .select(user_departments::department_id)
        .load(conn)?)
}

/// Validates and creates a user. Editors and reviewers need at least one department; admins
/// have all and take none.
pub(crate) fn create_user(
    conn: &mut DbConnection,
    username: &str,
    display_name: &str,
    role: Role,
    departments: &[i64],
    at: chrono::NaiveDateTime,
) -> Result<User> {
    let username = username.trim();
    let mut departments = departments.to_vec();
    departments.sort_unstable();
    departments.dedup();
    let valid_name = (2..=64).contains(&username.chars().count())
        && username
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if !valid_name {
        return Err(RegistryError::Invalid(vec![
            crate::problem::Problem::error(
                "username",
                "2 to 64 letters, digits, '.', '_', '-' or '@'",
            ),
        ]));
    }
    if role != Role::Admin && departments.is_empty() {
        return Err(RegistryError::Invalid(vec![
            crate::problem::Problem::error(
                "departments",
                "an editor or reviewer works for at least one department",
            ),
        ]));
    }
    if role == Role::Admin && !departments.is_empty() {
        return Err(RegistryError::Invalid(vec![
            crate::problem::Problem::error(
                "departments",
                "an admin has every department; give none",
            ),
        ]));
    }
    if find_user_by_name(conn, username)?.is_some() {
        return Err(RegistryError::Conflict(format!(
            "a user named {username:?} exists"
        )));
    }
    for d in &departments {
        if crate::repo::departments::get_department(conn, *d)?.is_none() {
            return Err(RegistryError::NotFound(format!("department {d}")));
        }
    }
    let display_name = match display_name.trim() {
        "" => username,
        name => name,
    };
    let id: i64 = diesel::insert_into(users::table)
        .values((
            users::username.eq(username),
            users::display_name.eq(display_name),
            users::role.eq(role.as_str()),
            users::disabled.eq(false),
            users::created_at.eq(at),
        ))
        .returning(users::id)
        .get_result(conn)?;
    for d in &departments {
        diesel::insert_into(user_departments::table)
            .values((
                user_departments::user_id.eq(id),
                user_departments::department_id.eq(d),
            ))
            .execute(conn)?;
    }
    get_user(conn, id)?.ok_or_else(|| RegistryError::NotFound(format!("user {id}")))
}

pub fn get_user(conn: &mut DbConnection, id: i64) -> Result<Option<User>> {
    let row: Option<UserRow> = users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?;
    row.map(|row| {
        Ok(User {
            departments: departments_of(conn, row.id)?,
            row,
        })
    })
    .transpose()
}

pub fn find_user_by_name(conn: &mut DbConnection, username: &str) -> Result<Option<User>> {
    let id: Option<i64> = users::table
        .filter(users::username.eq(username.trim()))
        .select(users::id)
        .first(conn)
        .optional()?;
    id.map(|id| get_user(conn, id))
        .transpose()
        .map(Option::flatten)
}

pub(crate) fn list_users(conn: &mut DbConnection) -> Result<Vec<User>> {
    let rows: Vec<UserRow> = users::table
        .order(users::id.asc())
        .select(UserRow::as_select())
        .load(conn)?;
    rows.into_iter()
        .map(|row| {
            Ok(User {
                departments: departments_of(conn, row.id)?,
                row,
            })
        })
        .collect()
}

pub(crate) fn set_user_disabled(conn: &mut DbConnection, id: i64, disabled: bool) -> Result<()> {
    let n = diesel::update(users::table.find(id))
        .set(users::disabled.eq(disabled))
        .execute(conn)?;
    if n == 0 {
        return Err(RegistryError::NotFound(format!("user {id}")));
    }
    Ok(())
}

/// The stored password hash (PHC string) of a user, if they have a password.
pub(crate) fn password_hash_of(conn: &mut DbConnection, user_id: i64) -> Result<Option<String>> {
    Ok(users::table
        .find(user_id)
        .select(users::password_hash)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}

/// Stores a user's new password hash.
pub(crate) fn set_password_hash(
    conn: &mut DbConnection,
    user_id: i64,
    phc: &str,
    at: chrono::NaiveDateTime,
) -> Result<()> {
    let n = diesel::update(users::table.find(user_id))
        .set((
            users::password_hash.eq(Some(phc)),
            users::password_changed_at.eq(Some(at)),
        ))
        .execute(conn)?;
    if n == 0 {
        return Err(RegistryError::NotFound(format!("user {user_id}")));
    }
    Ok(())
}

/// Whether a user has a password (can sign in to the workbench).
pub fn has_password(conn: &mut DbConnection, user_id: i64) -> Result<bool> {
    Ok(password_hash_of(conn, user_id)?.is_some())
}

/// Creates a token for a user, expiring as `auth::token_expiry` says; returns its row and the
/// secret, which exists nowhere else.
pub(crate) fn create_token(
    conn: &mut DbConnection,
    user_id: i64,
    label: Option<&str>,
    expires_at: Option<chrono::NaiveDateTime>,
    at: chrono::NaiveDateTime,
) -> Result<(TokenRow, String)> {
    if get_user(conn, user_id)?.is_none() {
        return Err(RegistryError::NotFound(format!("user {user_id}")));
    }
    let expires_at = crate::auth::token_expiry(expires_at, at)?;
    let token = generate_token()?;
    let id: i64 = diesel::insert_into(api_tokens::table)
        .values((
            api_tokens::user_id.eq(user_id),
            api_tokens::token_hash.eq(&token.hash),
            api_tokens::token_prefix.eq(&token.prefix),
            api_tokens::created_at.eq(at),
            api_tokens::expires_at.eq(Some(expires_at)),
            api_tokens::label.eq(label.map(str::trim).filter(|l| !l.is_empty())),
        ))
        .returning(api_tokens::id)
        .get_result(conn)?;
    let row = get_token(conn, id)?.ok_or_else(|| RegistryError::NotFound(format!("token {id}")))?;
    Ok((row, token.secret))
}

pub(crate) fn get_token(conn: &mut DbConnection, id: i64) -> Result<Option<TokenRow>> {
    Ok(api_tokens::table
        .find(id)
        .select(TokenRow::as_select())
        .first(conn)
        .optional()?)
}

pub(crate) fn list_tokens(conn: &mut DbConnection, user_id: Option<i64>) -> Result<Vec<TokenRow>> {
    let mut q = api_tokens::table.into_boxed();
    if let Some(u) = user_id {
        q = q.filter(api_tokens::user_id.eq(u));
    }
    Ok(q.order(api_tokens::id.asc())
        .select(TokenRow::as_select())
        .load(conn)?)
}

/// Revokes a token (idempotent: an already revoked token keeps its first revocation time).
pub(crate) fn revoke_token(
    conn: &mut DbConnection,
    id: i64,
    at: chrono::NaiveDateTime,
) -> Result<TokenRow> {
    let row = get_token(conn, id)?.ok_or_else(|| RegistryError::NotFound(format!("token {id}")))?;
    if row.revoked_at.is_none() {
        diesel::update(api_tokens::table.find(id))
            .set(api_tokens::revoked_at.eq(Some(at)))
            .execute(conn)?;
    }
    get_token(conn, id)?.ok_or_else(|| RegistryError::NotFound(format!("token {id}")))
}

/// How often a token's last-used time is written (not on every request).
const LAST_USED_RESOLUTION_SECS: i64 = 60;

/// The caller a presented token stands for. Unknown, malformed, revoked or expired tokens and
/// disabled users are all `Unauthenticated`, with a reason for the log, never the token.
pub fn authenticate(
    conn: &mut DbConnection,
    presented: &str,
    origin: &str,
    now: chrono::NaiveDateTime,
) -> Result<Principal> {
    let unauthenticated = |why: &str| RegistryError::Unauthenticated(why.to_string());
    let prefix = token_prefix(presented).ok_or_else(|| unauthenticated("malformed token"))?;
    let hash = hash_token(presented);
    let candidates: Vec<TokenRow> = api_tokens::table
        .filter(api_tokens::token_prefix.eq(prefix))
        .select(TokenRow::as_select())
        .load(conn)?;
    let token = candidates
        .into_iter()
        .find(|t| constant_time_eq(t.token_hash.as_bytes(), hash.as_bytes()))
        .ok_or_else(|| unauthenticated("unknown token"))?;
    if token.revoked_at.is_some() {
        return Err(unauthenticated("revoked token"));
    }
    if token.expires() <= now {
        return Err(unauthenticated("expired token"));
    }
    let user = get_user(conn, token.user_id)?.ok_or_else(|| unauthenticated("no such user"))?;
    if user.row.disabled {
        return Err(unauthenticated("disabled user"));
    }
    let role = Role::parse(&user.row.role).ok_or_else(|| {
        RegistryError::Corrupt(format!("user {} has role {:?}", user.row.id, user.row.role))
    })?;
    if token
        .last_used_at
        .is_none_or(|t| (now - t).num_seconds() >= LAST_USED_RESOLUTION_SECS)
    {
        diesel::update(api_tokens::table.find(token.id))
            .set(api_tokens::last_used_at.eq(Some(now)))
            .execute(conn)?;
    }
    Ok(Principal {
        user_id: user.row.id,
        username: user.row.username,
        role,
        departments: user.departments,
        origin: origin.to_string(),
    })
}

//! Accounts: who may see and change users and tokens, and the changes with their audit
//! entries, in one transaction each. Used by the CLI (as [`Principal::operator`]) and over the
//! API; the rules are [`Principal`]'s.

use crate::auth::{Principal, Role};
use crate::db::{DbConnection, write_transaction};
use crate::error::{RegistryError, Result};
use crate::models::TokenRow;
use crate::repo::history::{AuditEntry, append_audit};
use crate::repo::users::{User, create_token, create_user, get_token, revoke_token};

fn audit(
    conn: &mut DbConnection,
    by: &Principal,
    action: &str,
    user: &str,
    details: serde_json::Value,
    at: chrono::NaiveDateTime,
) -> Result<()> {
    append_audit(
        conn,
        &AuditEntry {
            action,
            entity_type: "user",
            entity_key: user,
            department_id: None,
            details,
        },
        &by.actor(),
        at,
    )
}

/// Creates a user (see [`create_user`] for the rules) and audits it.
pub fn add_user(
    conn: &mut DbConnection,
    by: &Principal,
    username: &str,
    display_name: &str,
    role: Role,
    departments: &[i64],
    at: chrono::NaiveDateTime,
) -> Result<User> {
    by.require(by.can_manage_accounts(), "manage accounts")?;
    write_transaction(conn, |conn| {
        let user = create_user(conn, username, display_name, role, departments, at)?;
        audit(
            conn,
            by,
            "user.create",
            &user.row.username,
            serde_json::json!({"role": role.as_str(), "departments": user.departments}),
            at,
        )?;
        Ok(user)
    })
}

/// Issues a token for a user and audits it (never the secret); returns the row and the secret.
pub fn issue_token(
    conn: &mut DbConnection,
    by: &Principal,
    user_id: i64,
    label: Option<&str>,
    expires_at: Option<chrono::NaiveDateTime>,
    at: chrono::NaiveDateTime,
) -> Result<(TokenRow, String)> {
    by.require(by.can_manage_accounts(), "manage accounts")?;
    write_transaction(conn, |conn| {
        let (row, secret) = create_token(conn, user_id, label, expires_at, at)?;
        audit(
            conn,
            by,
            "token.create",
            &user_id.to_string(),
            serde_json::json!({"token": row.id, "prefix": row.token_prefix, "expires_at": row.expires_at}),
            at,
        )?;
        Ok((row, secret))
    })
}

/// Revokes a token (admins, or its owner) and audits it.
pub fn withdraw_token(
    conn: &mut DbConnection,
    by: &Principal,
    token_id: i64,
    at: chrono::NaiveDateTime,
) -> Result<TokenRow> {
    write_transaction(conn, |conn| {
        let token = get_token(conn, token_id)?
            .ok_or_else(|| RegistryError::NotFound(format!("token {token_id}")))?;
        by.require(by.can_manage_tokens_of(token.user_id), "revoke this token")?;
        let row = revoke_token(conn, token_id, at)?;
        audit(
            conn,
            by,
            "token.revoke",
            &token.user_id.to_string(),
            serde_json::json!({"token": token_id}),
            at,
        )?;
        Ok(row)
    })
}

/// Disables a user (tokens stop working at once) and audits it.
pub fn disable_user(
    conn: &mut DbConnection,
    by: &Principal,
    user_id: i64,
    at: chrono::NaiveDateTime,
) -> Result<()> {
    by.require(by.can_manage_accounts(), "manage accounts")?;
    write_transaction(conn, |conn| {
        crate::repo::users::set_user_disabled(conn, user_id, true)?;
        audit(
            conn,
            by,
            "user.disable",
            &user_id.to_string(),
            serde_json::json!({}),
            at,
        )
    })
}

/// Every user (admins only).
pub fn list_users(conn: &mut DbConnection, by: &Principal) -> Result<Vec<User>> {
    by.require(by.can_manage_accounts(), "manage accounts")?;
    crate::repo::users::list_users(conn)
}

/// A user's tokens, or everyone's (`None`), without secrets: admins see all, a user their own.
pub fn list_tokens(
    conn: &mut DbConnection,
    by: &Principal,
    user_id: Option<i64>,
) -> Result<Vec<TokenRow>> {
    let allowed = match user_id {
        Some(id) => by.can_manage_tokens_of(id),
        None => by.can_manage_accounts(),
    };
    by.require(allowed, "see these tokens")?;
    crate::repo::users::list_tokens(conn, user_id)
}

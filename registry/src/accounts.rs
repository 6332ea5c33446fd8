//! Accounts: who may see and change users and tokens, and the changes with their audit
//! entries, in one transaction each. Used by the CLI (as [`Principal::operator`]) and over the
//! API; the rules are [`Principal`]'s.

use crate::auth::{Principal, Role};
use crate::db::{DbConnection, write_transaction};
use crate::error::{RegistryError, Result};
use crate::models::TokenRow;
use crate::passwords::{check_new_password, hash_password, verify_password};
use crate::repo::history::{AuditEntry, append_audit};
use crate::repo::users::{
    User, create_token, create_user, get_token, password_hash_of, revoke_token, set_password_hash,
};
use crate::sessions::end_user_sessions;

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

/// Sets a user's password: an admin for anyone (a reset: every session of theirs ends), or a
/// person for themselves with their current password (their other sessions end, `keep` goes
/// on). The password is checked against the rules of [`check_new_password`] and hashed; the
/// audit entry says who set whose password, never the password.
pub fn set_password(
    conn: &mut DbConnection,
    by: &Principal,
    user_id: i64,
    current: Option<&str>,
    new_password: &str,
    keep: Option<i64>,
    at: chrono::NaiveDateTime,
) -> Result<()> {
    let user = crate::repo::users::get_user(conn, user_id)?
        .ok_or_else(|| RegistryError::NotFound(format!("user {user_id}")))?;
    let own = by.user_id == user_id;
    by.require(own || by.can_manage_accounts(), "set this user's password")?;
    if own {
        let stored = password_hash_of(conn, user_id)?;
        // An operator at the command line (user id 0) is never "own"; a person changing their
        // own password proves they know the current one, unless they had none.
        if stored.is_some() && !verify_password(current.unwrap_or(""), stored.as_deref()) {
            // Someone holding another's session may be guessing: on the record.
            write_transaction(conn, |conn| {
                audit(
                    conn,
                    by,
                    "user.password_change_failed",
                    &user.row.username,
                    serde_json::json!({"reason": "wrong current password"}),
                    at,
                )
            })?;
            return Err(RegistryError::Invalid(vec![
                crate::problem::Problem::error("current_password", "当前密码不正确"),
            ]));
        }
    }
    check_new_password(&user.row.username, new_password)?;
    let phc = hash_password(new_password)?;
    write_transaction(conn, |conn| {
        set_password_hash(conn, user_id, &phc, at)?;
        let ended = end_user_sessions(conn, user_id, if own { keep } else { None }, at)?;
        audit(
            conn,
            by,
            if own {
                "user.password_change"
            } else {
                "user.password_reset"
            },
            &user.row.username,
            serde_json::json!({"sessions_ended": ended}),
            at,
        )
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
        end_user_sessions(conn, user_id, None, at)?;
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

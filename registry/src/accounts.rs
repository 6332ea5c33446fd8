//! Account changes with their audit entries, in one transaction each: used by the CLI (the
//! operator) and by admins over the API.

use crate::auth::Role;
use crate::db::{DbConnection, write_transaction};
use crate::error::{RegistryError, Result};
use crate::models::TokenRow;
use crate::repo::history::{Actor, AuditEntry, append_audit};
use crate::repo::users::{User, create_token, create_user, get_token, revoke_token};

fn audit(
    conn: &mut DbConnection,
    actor: &Actor,
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
        actor,
        at,
    )
}

/// Creates a user (see [`create_user`] for the rules) and audits it.
pub fn add_user(
    conn: &mut DbConnection,
    actor: &Actor,
    username: &str,
    display_name: &str,
    role: Role,
    departments: &[i64],
    at: chrono::NaiveDateTime,
) -> Result<User> {
    write_transaction(conn, |conn| {
        let user = create_user(conn, username, display_name, role, departments, at)?;
        audit(
            conn,
            actor,
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
    actor: &Actor,
    user_id: i64,
    label: Option<&str>,
    expires_at: Option<chrono::NaiveDateTime>,
    at: chrono::NaiveDateTime,
) -> Result<(TokenRow, String)> {
    write_transaction(conn, |conn| {
        let (row, secret) = create_token(conn, user_id, label, expires_at, at)?;
        audit(
            conn,
            actor,
            "token.create",
            &user_id.to_string(),
            serde_json::json!({"token": row.id, "prefix": row.token_prefix, "expires_at": row.expires_at}),
            at,
        )?;
        Ok((row, secret))
    })
}

/// Revokes a token after `authorise` accepts it (e.g. "admin or owner"), and audits it.
pub fn withdraw_token(
    conn: &mut DbConnection,
    actor: &Actor,
    token_id: i64,
    authorise: impl FnOnce(&TokenRow) -> Result<()>,
    at: chrono::NaiveDateTime,
) -> Result<TokenRow> {
    write_transaction(conn, |conn| {
        let token = get_token(conn, token_id)?
            .ok_or_else(|| RegistryError::NotFound(format!("token {token_id}")))?;
        authorise(&token)?;
        let row = revoke_token(conn, token_id, at)?;
        audit(
            conn,
            actor,
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
    actor: &Actor,
    user_id: i64,
    at: chrono::NaiveDateTime,
) -> Result<()> {
    write_transaction(conn, |conn| {
        crate::repo::users::set_user_disabled(conn, user_id, true)?;
        audit(
            conn,
            actor,
            "user.disable",
            &user_id.to_string(),
            serde_json::json!({}),
            at,
        )
    })
}

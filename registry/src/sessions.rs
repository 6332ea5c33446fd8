//! People's sessions in the workbench: signing in with a password, the server-side session
//! record behind the cookie, its idle and absolute timeouts, signing out, and revocation by
//! the person or an admin. Every sign-in, sign-out, failure and revocation is in the audit log
//! (never a password or a session secret).
//!
//! A session's secret (256 random bits) exists only in the person's cookie; the row holds its
//! SHA-256. The CSRF token of the session's forms is derived from the secret, so a page can
//! print it and a form post must bring it back, but it cannot be computed from the database.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::auth::{Actor, Principal, Role, constant_time_eq, hash_token};
use crate::db::{DbConnection, write_transaction};
use crate::error::{RegistryError, Result};
use crate::models::SessionRow;
use crate::passwords::verify_password;
use crate::repo::history::{AuditEntry, append_audit};
use crate::repo::users::{User, find_user_by_name, get_user, password_hash_of};
use crate::schema::user_sessions;

/// How long a session lasts.
#[derive(Debug, Clone, Copy)]
pub struct SessionPolicy {
    /// Ends a session nobody used for this long.
    pub idle: Duration,
    /// Ends every session this long after sign-in, used or not.
    pub absolute: Duration,
}

impl Default for SessionPolicy {
    /// Half an hour idle, a working day in all.
    fn default() -> Self {
        SessionPolicy {
            idle: Duration::minutes(30),
            absolute: Duration::hours(12),
        }
    }
}

/// A signed-in person: who, in which session, and the token their forms must carry.
#[derive(Debug, Clone)]
pub struct ActiveSession {
    pub principal: Principal,
    pub display_name: String,
    pub session_id: i64,
    pub csrf_token: String,
}

/// A new session: the secret for the cookie (nowhere else) and the session it opens.
pub struct SignedIn {
    pub secret: String,
    pub session: ActiveSession,
    pub expires_at: NaiveDateTime,
}

/// Debug output leaves the secret out: it must reach no log.
impl std::fmt::Debug for SignedIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignedIn")
            .field("session", &self.session)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// What every failed sign-in answers, whatever the reason (unknown name, wrong password,
/// disabled account, no password set): the form must not tell which accounts exist.
pub const SIGN_IN_FAILED: &str = "用户名或密码不正确";

/// How often a session's last-seen time is written (not on every request).
const LAST_SEEN_RESOLUTION_SECS: i64 = 60;

fn audit(
    conn: &mut DbConnection,
    actor: &Actor,
    action: &str,
    username: &str,
    details: serde_json::Value,
    at: NaiveDateTime,
) -> Result<()> {
    append_audit(
        conn,
        &AuditEntry {
            action,
            entity_type: "user",
            entity_key: username,
            department_id: None,
            details,
        },
        actor,
        at,
    )
}

fn principal_of(user: &User, origin: &str) -> Result<Principal> {
    let role = Role::parse(&user.row.role).ok_or_else(|| {
        RegistryError::Corrupt(format!("user {} has role {:?}", user.row.id, user.row.role))
    })?;
    Ok(Principal {
        user_id: user.row.id,
        username: user.row.username.clone(),
        role,
        departments: user.departments.clone(),
        origin: origin.to_string(),
    })
}

/// The CSRF token of the session whose cookie holds `secret`.
pub fn csrf_token(secret: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"quanze csrf\0");
    h.update(secret.as_bytes());
    crate::auth::hex(&h.finalize())
}

/// Whether a form's `presented` CSRF token belongs to the session (constant time).
pub fn csrf_matches(session: &ActiveSession, presented: &str) -> bool {
    constant_time_eq(session.csrf_token.as_bytes(), presented.as_bytes())
}

/// Who a sign-in names, read before the password is checked: the password check (Argon2,
/// 19 MiB and tens of milliseconds) then runs without holding a database connection.
pub struct SignInAttempt {
    username: String,
    user: Option<User>,
    stored: Option<String>,
}

/// Reads the account a sign-in names (first of three steps: [`attempt`], [`SignInAttempt::verify`]
/// with no connection held, [`finish_sign_in`]).
pub fn attempt(conn: &mut DbConnection, username: &str) -> Result<SignInAttempt> {
    let username = username.trim().chars().take(64).collect::<String>();
    let user = find_user_by_name(conn, &username)?;
    let stored = match &user {
        Some(u) => password_hash_of(conn, u.row.id)?,
        None => None,
    };
    Ok(SignInAttempt {
        username,
        user,
        stored,
    })
}

impl SignInAttempt {
    /// Whether the password is right (always the full Argon2 work, so timing says nothing about
    /// whether the account exists or has a password).
    pub fn verify(&self, password: &str) -> bool {
        verify_password(password, self.stored.as_deref())
    }
}

/// Signs a person in: [`attempt`], the password check and [`finish_sign_in`] in one go, for
/// callers that hold their connection anyway.
pub fn sign_in(
    conn: &mut DbConnection,
    username: &str,
    password: &str,
    origin: &str,
    user_agent: Option<&str>,
    policy: SessionPolicy,
    now: NaiveDateTime,
) -> Result<SignedIn> {
    let attempt = attempt(conn, username)?;
    let password_ok = attempt.verify(password);
    finish_sign_in(conn, attempt, password_ok, origin, user_agent, policy, now)
}

/// Audits a sign-in attempt and, when the password was right and the account may sign in,
/// opens a session. Any failure is `Unauthenticated(SIGN_IN_FAILED)`; the audit entry keeps
/// the real reason.
pub fn finish_sign_in(
    conn: &mut DbConnection,
    attempt: SignInAttempt,
    password_ok: bool,
    origin: &str,
    user_agent: Option<&str>,
    policy: SessionPolicy,
    now: NaiveDateTime,
) -> Result<SignedIn> {
    let SignInAttempt {
        username,
        user,
        stored,
    } = attempt;
    let refused = match &user {
        None => Some("unknown user"),
        Some(_) if stored.is_none() => Some("no password set"),
        Some(_) if !password_ok => Some("wrong password"),
        Some(u) if u.row.disabled => Some("disabled user"),
        Some(_) => None,
    };
    let actor = Actor {
        name: username,
        origin: origin.to_string(),
    };
    if let Some(reason) = refused {
        write_transaction(conn, |conn| {
            audit(
                conn,
                &actor,
                "session.sign_in_failed",
                &actor.name,
                serde_json::json!({"reason": reason}),
                now,
            )
        })?;
        tracing::warn!(user = %actor.name, origin, reason, "failed sign-in");
        return Err(RegistryError::Unauthenticated(SIGN_IN_FAILED.into()));
    }
    let user = user.ok_or_else(|| RegistryError::Unauthenticated(SIGN_IN_FAILED.into()))?;
    let principal = principal_of(&user, origin)?;
    let token = crate::auth::generate_token()?;
    let expires_at = now + policy.absolute;
    let user_agent = user_agent.map(|a| a.chars().take(200).collect::<String>());
    let session_id = write_transaction(conn, |conn| {
        // Sessions ended a while ago are of no further use (the audit log keeps their story).
        diesel::delete(
            user_sessions::table.filter(user_sessions::expires_at.lt(now - Duration::days(30))),
        )
        .execute(conn)?;
        let id: i64 = diesel::insert_into(user_sessions::table)
            .values((
                user_sessions::user_id.eq(user.row.id),
                user_sessions::secret_hash.eq(&token.hash),
                user_sessions::created_at.eq(now),
                user_sessions::last_seen_at.eq(now),
                user_sessions::expires_at.eq(expires_at),
                user_sessions::origin.eq(origin),
                user_sessions::user_agent.eq(&user_agent),
            ))
            .returning(user_sessions::id)
            .get_result(conn)?;
        audit(
            conn,
            &principal.actor(),
            "session.sign_in",
            &principal.username,
            serde_json::json!({"session": id}),
            now,
        )?;
        Ok::<_, RegistryError>(id)
    })?;
    Ok(SignedIn {
        session: ActiveSession {
            principal,
            display_name: user.row.display_name.clone(),
            session_id,
            csrf_token: csrf_token(&token.secret),
        },
        secret: token.secret,
        expires_at,
    })
}

/// The session a cookie's `secret` stands for, if it is open: not revoked, not past its
/// absolute end, used within the idle time, its user enabled. Touches its last-seen time.
/// Anything else is `Unauthenticated` (with a reason for the log).
pub fn resume(
    conn: &mut DbConnection,
    secret: &str,
    origin: &str,
    policy: SessionPolicy,
    now: NaiveDateTime,
) -> Result<ActiveSession> {
    let ended = |why: &str| RegistryError::Unauthenticated(why.to_string());
    if crate::auth::token_prefix(secret).is_none() {
        return Err(ended("malformed session"));
    }
    let row: SessionRow = user_sessions::table
        .filter(user_sessions::secret_hash.eq(hash_token(secret)))
        .select(SessionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ended("unknown session"))?;
    if row.revoked_at.is_some() {
        return Err(ended("signed out or revoked session"));
    }
    if row.expires_at <= now {
        return Err(ended("session past its absolute timeout"));
    }
    // The last-seen time is written at most once a minute, so a session may end up to a
    // minute before the idle time has passed since its very last request.
    if now - row.last_seen_at >= policy.idle {
        return Err(ended("session idle too long"));
    }
    let user = get_user(conn, row.user_id)?.ok_or_else(|| ended("no such user"))?;
    if user.row.disabled {
        return Err(ended("disabled user"));
    }
    if (now - row.last_seen_at).num_seconds() >= LAST_SEEN_RESOLUTION_SECS {
        diesel::update(user_sessions::table.find(row.id))
            .set(user_sessions::last_seen_at.eq(now))
            .execute(conn)?;
    }
    Ok(ActiveSession {
        principal: principal_of(&user, origin)?,
        display_name: user.row.display_name,
        session_id: row.id,
        csrf_token: csrf_token(secret),
    })
}

/// Ends the person's own session and audits it.
pub fn sign_out(
    conn: &mut DbConnection,
    session: &ActiveSession,
    now: NaiveDateTime,
) -> Result<()> {
    write_transaction(conn, |conn| {
        end_session(conn, session.session_id, now)?;
        audit(
            conn,
            &session.principal.actor(),
            "session.sign_out",
            &session.principal.username,
            serde_json::json!({"session": session.session_id}),
            now,
        )
    })
}

/// Revokes a session: admins any, a person their own (anyone else's is `NotFound`, so session
/// ids tell nothing). Takes effect on its next request.
pub fn revoke_session(
    conn: &mut DbConnection,
    by: &Principal,
    session_id: i64,
    now: NaiveDateTime,
) -> Result<()> {
    write_transaction(conn, |conn| {
        let missing = || RegistryError::NotFound(format!("session {session_id}"));
        let row: SessionRow = user_sessions::table
            .find(session_id)
            .select(SessionRow::as_select())
            .first(conn)
            .optional()?
            .filter(|row| by.can_manage_tokens_of(row.user_id))
            .ok_or_else(missing)?;
        let user = get_user(conn, row.user_id)?.ok_or_else(missing)?;
        end_session(conn, session_id, now)?;
        audit(
            conn,
            &by.actor(),
            "session.revoke",
            &user.row.username,
            serde_json::json!({"session": session_id}),
            now,
        )
    })
}

/// Ends the session a cookie's `secret` stands for, if any (a browser that signs in again
/// leaves no second session open behind it).
pub fn end_session_of_secret(
    conn: &mut DbConnection,
    secret: &str,
    now: NaiveDateTime,
) -> Result<()> {
    diesel::update(
        user_sessions::table
            .filter(user_sessions::secret_hash.eq(hash_token(secret)))
            .filter(user_sessions::revoked_at.is_null()),
    )
    .set(user_sessions::revoked_at.eq(now))
    .execute(conn)?;
    Ok(())
}

/// Ends every open session of a user but `keep` (a password change keeps the session that
/// made it; a reset or a disabled account keeps none), in the caller's transaction; returns
/// how many ended.
pub(crate) fn end_user_sessions(
    conn: &mut DbConnection,
    user_id: i64,
    keep: Option<i64>,
    now: NaiveDateTime,
) -> Result<usize> {
    Ok(diesel::update(
        user_sessions::table
            .filter(user_sessions::user_id.eq(user_id))
            .filter(user_sessions::id.ne(keep.unwrap_or(0)))
            .filter(user_sessions::revoked_at.is_null()),
    )
    .set(user_sessions::revoked_at.eq(now))
    .execute(conn)?)
}

fn end_session(conn: &mut DbConnection, session_id: i64, now: NaiveDateTime) -> Result<()> {
    diesel::update(
        user_sessions::table
            .find(session_id)
            .filter(user_sessions::revoked_at.is_null()),
    )
    .set(user_sessions::revoked_at.eq(now))
    .execute(conn)?;
    Ok(())
}

/// The open sessions (not revoked, not expired) of a user, or of everyone (admins), newest
/// first. Idle ones are listed until their absolute end: a revocation list must show them.
pub fn list_sessions(
    conn: &mut DbConnection,
    by: &Principal,
    user_id: Option<i64>,
    now: NaiveDateTime,
) -> Result<Vec<SessionRow>> {
    let allowed = match user_id {
        Some(id) => by.can_manage_tokens_of(id),
        None => by.can_manage_accounts(),
    };
    by.require(allowed, "see these sessions")?;
    let mut q = user_sessions::table
        .filter(user_sessions::revoked_at.is_null())
        .filter(user_sessions::expires_at.gt(now))
        .into_boxed();
    if let Some(u) = user_id {
        q = q.filter(user_sessions::user_id.eq(u));
    }
    Ok(q.order(user_sessions::id.desc())
        .select(SessionRow::as_select())
        .load(conn)?)
}

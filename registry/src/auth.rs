//! Who may do what. Users have one role; editors and reviewers are scoped to departments.
//! API tokens are 256 random bits shown once; only their SHA-256 is stored, found by a short
//! non-secret prefix and compared in constant time.

use sha2::{Digest, Sha256};

use crate::error::{RegistryError, Result};
use crate::models::DraftRow;
use crate::problem::Problem;

/// A user's role (谁发布、谁审核、谁负责: editors write, reviewers publish, admins do both and
/// manage accounts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Admin,
    Editor,
    Reviewer,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Editor => "editor",
            Role::Reviewer => "reviewer",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s.trim() {
            "admin" => Some(Role::Admin),
            "editor" => Some(Role::Editor),
            "reviewer" => Some(Role::Reviewer),
            _ => None,
        }
    }
}

/// An authenticated caller, with where the request came from (for the audit log).
#[derive(Debug, Clone)]
pub struct Principal {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    /// The departments an editor or reviewer works for (empty for admins, who have all).
    pub departments: Vec<i64>,
    pub origin: String,
}

impl Principal {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    fn in_department(&self, department_id: i64) -> bool {
        self.is_admin() || self.departments.contains(&department_id)
    }

    /// May see the department's drafts and audit trail.
    pub fn can_see(&self, department_id: i64) -> bool {
        self.in_department(department_id)
    }

    /// May write drafts of the department's items.
    pub fn can_edit(&self, department_id: i64) -> bool {
        self.in_department(department_id) && matches!(self.role, Role::Admin | Role::Editor)
    }

    /// May publish, reject and revoke the department's items.
    pub fn can_review(&self, department_id: i64) -> bool {
        self.in_department(department_id) && matches!(self.role, Role::Admin | Role::Reviewer)
    }

    /// May answer citizens' complaints and corrections about the department's items: its
    /// editors and reviewers (and admins).
    pub fn can_answer_feedback(&self, department_id: i64) -> bool {
        self.can_edit(department_id) || self.can_review(department_id)
    }

    /// Edits some department's list (the workbench offers uploads and drafts).
    pub fn edits_any(&self) -> bool {
        self.is_admin() || self.departments.iter().any(|d| self.can_edit(*d))
    }

    /// Reviews some department's list (the workbench offers the review queue).
    pub fn reviews_any(&self) -> bool {
        self.is_admin() || self.departments.iter().any(|d| self.can_review(*d))
    }

    /// Wrote or submitted the draft, so may not decide on it (four eyes: 谁发布谁审核).
    pub fn wrote(&self, draft: &DraftRow) -> bool {
        draft.submitted_by == Some(self.user_id) || draft.updated_by == self.user_id
    }

    /// May approve or reject the draft: a reviewer of its department who did not write it.
    pub fn may_decide(&self, draft: &DraftRow) -> bool {
        self.can_review(draft.department_id) && !self.wrote(draft)
    }

    /// Is the user `user_id` (their own uploads and sessions).
    pub fn is(&self, user_id: i64) -> bool {
        self.user_id == user_id
    }

    /// May create and disable users and issue anyone's tokens.
    pub fn can_manage_accounts(&self) -> bool {
        self.is_admin()
    }

    /// May list or revoke the tokens of `user_id`: admins, and every user their own.
    pub fn can_manage_tokens_of(&self, user_id: i64) -> bool {
        self.is_admin() || self.is(user_id)
    }

    /// The departments whose drafts a listing may show: the one asked for if the caller may see
    /// it, else all of the caller's (`None`: every department, for admins).
    pub fn draft_scope(&self, department: Option<i64>) -> Result<Option<Vec<i64>>> {
        match department {
            Some(d) => {
                self.require(self.can_see(d), "see this department's drafts")?;
                Ok(Some(vec![d]))
            }
            None if self.is_admin() => Ok(None),
            None => Ok(Some(self.departments.clone())),
        }
    }

    /// The departments whose audit trail the caller may read: reviewers read their departments'
    /// (they answer for what is published), admins everything; editors none.
    pub fn audit_scope(&self, department: Option<i64>) -> Result<Option<Vec<i64>>> {
        if self.is_admin() {
            return Ok(department.map(|d| vec![d]));
        }
        let reviewed: Vec<i64> = self
            .departments
            .iter()
            .copied()
            .filter(|d| self.can_review(*d))
            .collect();
        self.require(!reviewed.is_empty(), "read the audit log")?;
        match department {
            Some(d) => {
                self.require(reviewed.contains(&d), "read this department's audit log")?;
                Ok(Some(vec![d]))
            }
            None => Ok(Some(reviewed)),
        }
    }

    /// The operator at the machine's command line: trusted like the database file they can
    /// open anyway, so an admin. User id 0 belongs to no user (ids start at 1).
    pub fn operator(name: &str) -> Principal {
        Principal {
            user_id: 0,
            username: name.to_string(),
            role: Role::Admin,
            departments: Vec::new(),
            origin: "cli".into(),
        }
    }

    /// Fails with `Forbidden` unless `allowed`.
    pub fn require(&self, allowed: bool, what: &str) -> Result<()> {
        if allowed {
            Ok(())
        } else {
            Err(RegistryError::Forbidden(format!(
                "{} ({}) may not {what}",
                self.username,
                self.role.as_str()
            )))
        }
    }

    /// The actor recorded in versions and the audit log.
    pub fn actor(&self) -> Actor {
        Actor {
            name: self.username.clone(),
            origin: self.origin.clone(),
        }
    }
}

/// Days an API token lives when its issuer names no expiry: a token forgotten in a script or
/// a leaked log stops working within a quarter, not never.
pub const DEFAULT_TOKEN_DAYS: i64 = 90;
/// The most days a token may be given. A token stored without an expiry or with a later one
/// (issued before the limit) ends this long after it was made.
pub const MAX_TOKEN_DAYS: i64 = 365;

/// When a token issued `at` expires: `requested`, or [`DEFAULT_TOKEN_DAYS`] from now when none
/// is asked for. A time in the past or more than [`MAX_TOKEN_DAYS`] ahead is refused.
pub fn token_expiry(
    requested: Option<chrono::NaiveDateTime>,
    at: chrono::NaiveDateTime,
) -> Result<chrono::NaiveDateTime> {
    let latest = at + chrono::Duration::days(MAX_TOKEN_DAYS);
    match requested {
        None => Ok(at + chrono::Duration::days(DEFAULT_TOKEN_DAYS)),
        Some(e) if e <= at => Err(RegistryError::Invalid(vec![Problem::error(
            "expires_at",
            "lies in the past",
        )])),
        Some(e) if e > latest => Err(RegistryError::Invalid(vec![Problem::error(
            "expires_at",
            format!("a token lasts at most {MAX_TOKEN_DAYS} days (until {latest} UTC)"),
        )])),
        Some(e) => Ok(e),
    }
}

impl crate::models::TokenRow {
    /// When this token stops working: its expiry, and never later than [`MAX_TOKEN_DAYS`]
    /// after it was made (tokens issued before the limit may have none, or a later one).
    pub fn expires(&self) -> chrono::NaiveDateTime {
        let longest = self.created_at + chrono::Duration::days(MAX_TOKEN_DAYS);
        self.expires_at.map_or(longest, |e| e.min(longest))
    }
}

/// Characters of the token that are stored in clear to find its row.
pub const TOKEN_PREFIX_LEN: usize = 12;
const TOKEN_SCHEME: &str = "qz_";

/// A freshly generated token: the secret (shown once) and what is stored.
pub struct NewToken {
    pub secret: String,
    pub prefix: String,
    pub hash: String,
}

/// Lower-case hex of `bytes` (tokens, their hashes, session and request ids).
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        // Writing to a String cannot fail.
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// SHA-256 of the token, hex. Tokens carry 256 random bits, so a fast hash is enough: there is
/// nothing to brute-force.
pub fn hash_token(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

/// Fills `bytes` with randomness from the operating system.
pub fn random_bytes(bytes: &mut [u8]) -> Result<()> {
    getrandom::fill(bytes)
        .map_err(|e| RegistryError::Corrupt(format!("no randomness from the OS: {e}")))
}

/// Generates a token: `qz_` and 64 hex digits (256 bits from the operating system).
pub fn generate_token() -> Result<NewToken> {
    let mut bytes = [0u8; 32];
    random_bytes(&mut bytes)?;
    let secret = format!("{TOKEN_SCHEME}{}", hex(&bytes));
    Ok(NewToken {
        prefix: secret[..TOKEN_PREFIX_LEN].to_string(),
        hash: hash_token(&secret),
        secret,
    })
}

/// The stored prefix of a presented token, if it has the token's shape.
pub fn token_prefix(presented: &str) -> Option<&str> {
    let well_formed = presented.len() == TOKEN_SCHEME.len() + 64
        && presented.starts_with(TOKEN_SCHEME)
        && presented[TOKEN_SCHEME.len()..]
            .bytes()
            .all(|b| b.is_ascii_hexdigit());
    well_formed.then(|| &presented[..TOKEN_PREFIX_LEN])
}

/// Equality whose time does not depend on where the inputs differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Who did something and from where (`cli`, or a client address later).
#[derive(Debug, Clone)]
pub struct Actor {
    pub name: String,
    pub origin: String,
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn tokens_live_ninety_days_by_default_and_a_year_at_most() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 12, 7)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        let days = chrono::Duration::days;
        assert_eq!(token_expiry(None, at).unwrap(), at + days(90));
        assert_eq!(
            token_expiry(Some(at + days(30)), at).unwrap(),
            at + days(30)
        );
        assert_eq!(
            token_expiry(Some(at + days(365)), at).unwrap(),
            at + days(365)
        );
        for refused in [at, at - days(1), at + days(366)] {
            assert!(matches!(
                token_expiry(Some(refused), at),
                Err(RegistryError::Invalid(p)) if p[0].field == "expires_at"
            ));
        }
        let legacy = crate::models::TokenRow {
            id: 1,
            user_id: 1,
            token_hash: String::new(),
            token_prefix: String::new(),
            created_at: at,
            expires_at: None,
            last_used_at: None,
            revoked_at: None,
            label: None,
        };
        assert_eq!(legacy.expires(), at + days(365), "stored without an expiry");
        let far = crate::models::TokenRow {
            expires_at: Some(at + days(3650)),
            ..legacy
        };
        assert_eq!(far.expires(), at + days(365), "stored with a later expiry");
    }

    #[test]
    fn tokens_are_random_well_formed_and_hashed() {
        let a = generate_token().unwrap();
        let b = generate_token().unwrap();
        assert_ne!(a.secret, b.secret);
        assert_eq!(a.secret.len(), 67);
        assert_eq!(token_prefix(&a.secret), Some(a.prefix.as_str()));
        assert_eq!(hash_token(&a.secret), a.hash);
        assert!(!a.hash.contains(&a.secret[3..]));
        assert_eq!(token_prefix("qz_short"), None);
        assert_eq!(token_prefix(&a.secret.replace("qz_", "xx_")), None);
    }

    #[test]
    fn constant_time_comparison() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }

    #[test]
    fn permissions_follow_role_and_department() {
        let p = |role, departments: Vec<i64>| Principal {
            user_id: 1,
            username: "u".into(),
            role,
            departments,
            origin: "test".into(),
        };
        let editor = p(Role::Editor, vec![7]);
        assert!(editor.can_edit(7) && !editor.can_edit(8) && !editor.can_review(7));
        let reviewer = p(Role::Reviewer, vec![7]);
        assert!(reviewer.can_review(7) && !reviewer.can_edit(7) && !reviewer.can_review(8));
        let admin = p(Role::Admin, vec![]);
        assert!(admin.can_edit(99) && admin.can_review(99) && admin.can_see(99));
        assert!(editor.require(false, "x").is_err());
    }
}

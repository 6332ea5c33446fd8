//! People's passwords (the workbench; machines keep their tokens): Argon2id with its default
//! parameters (19 MiB, two passes — the OWASP minimum), stored as the PHC string, which carries
//! its own salt and parameters so that stronger settings later still verify old hashes.

use argon2::password_hash::{PasswordHasher, PasswordVerifier};

use crate::error::{RegistryError, Result};
use crate::problem::Problem;

/// Fewest characters of a password. Long passphrases beat composition rules (NIST SP 800-63B).
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Most characters: bounds the hashing work a request can ask for.
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Why a new password is refused, for the field `password` (in Chinese: people read it).
pub fn check_new_password(username: &str, password: &str) -> Result<()> {
    let chars = password.chars().count();
    let problem = if chars < MIN_PASSWORD_CHARS {
        Some(format!("密码至少需要 {MIN_PASSWORD_CHARS} 个字符"))
    } else if chars > MAX_PASSWORD_CHARS {
        Some(format!("密码不能超过 {MAX_PASSWORD_CHARS} 个字符"))
    } else if password.trim().eq_ignore_ascii_case(username.trim()) {
        Some("密码不能与用户名相同".to_string())
    } else if password.chars().all(|c| password.starts_with(c)) {
        Some("密码不能由同一个字符重复组成".to_string())
    } else {
        None
    };
    match problem {
        Some(message) => Err(RegistryError::Invalid(vec![Problem::error(
            "password", message,
        )])),
        None => Ok(()),
    }
}

/// The PHC string of `password` under a fresh random salt.
pub fn hash_password(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    crate::auth::random_bytes(&mut salt)?;
    argon2::Argon2::default()
        .hash_password_with_salt(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| RegistryError::Corrupt(format!("password hashing failed: {e}")))
}

/// Whether `password` matches the stored PHC string (`None`: the user has no password, and the
/// same work is done against a dummy hash, so the answer takes as long either way and does not
/// tell whether the account exists). An unreadable stored hash never matches.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    let password = password.as_bytes();
    let hasher = argon2::Argon2::default();
    match stored {
        Some(phc) => hasher.verify_password(password, phc).is_ok(),
        None => {
            let _ = hasher.verify_password(password, DUMMY_HASH);
            false
        }
    }
}

/// The Argon2id hash of a random string nobody kept, with the default parameters.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$5kFq2mHAB3rr0J7xZGpXlAKu0eHldsSEpBMCZpg8rGk";

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_only_against_its_own_hash() {
        let hash = hash_password("正确的马电池订书钉").unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("正确的马电池订书钉", Some(&hash)));
        assert!(!verify_password("正确的马电池订书针", Some(&hash)));
        assert_ne!(hash, hash_password("正确的马电池订书钉").unwrap(), "salted");
        assert!(!verify_password("anything", None));
        assert!(!verify_password("anything", Some("not a phc string")));
    }

    #[test]
    fn the_dummy_hash_is_well_formed() {
        // A malformed dummy would return at once and give away that an account is missing.
        let parsed = argon2::password_hash::phc::PasswordHash::new(DUMMY_HASH);
        assert!(parsed.is_ok());
    }

    #[test]
    fn weak_passwords_are_refused_with_a_reason() {
        assert!(check_new_password("clerk", "short").is_err());
        assert!(check_new_password("clerk.one", "clerk.one").is_err());
        assert!(check_new_password("clerk", "aaaaaaaaaaaa").is_err());
        assert!(check_new_password("clerk", &"x1".repeat(65)).is_err());
        assert!(check_new_password("clerk", "交通运输局清单维护2026").is_ok());
    }
}

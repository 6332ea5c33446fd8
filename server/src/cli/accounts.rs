//! `quanze user …` and `quanze token …`: the operator's account commands (the first admin is
//! made here). A token's secret is printed once and stored nowhere.

use clap::Subcommand;
use quanze_registry::Database;
use quanze_registry::auth::{Principal, Role};

use super::{CliError, resolve_departments};

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user: admins manage accounts and may do anything; editors write drafts of
    /// their departments; reviewers publish, reject and revoke them.
    Add {
        username: String,
        #[arg(long, value_parser = ["admin", "editor", "reviewer"])]
        role: String,
        /// A department (numeric id or exact name) the user works for; repeatable.
        #[arg(long)]
        department: Vec<String>,
        /// Full name (default: the username).
        #[arg(long, default_value = "")]
        display_name: String,
        /// Read a password for the workbench from standard input (one line), so that it is
        /// in no shell history or process list.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set or reset a user's password for the workbench, read from standard input (one line);
    /// every session of theirs ends.
    Password {
        username: String,
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// List users with role and departments.
    List,
    /// Disable a user (their tokens stop working; the audit log keeps their name).
    Disable { username: String },
}

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Create an API token for a user and print it once.
    Create {
        #[arg(long)]
        user: String,
        /// Expiry: a number of days (`30d`) or a date (`2027-06-30`), at most 365 days ahead
        /// (default: 90 days).
        #[arg(long)]
        expires: Option<String>,
        /// What the token is for.
        #[arg(long)]
        label: Option<String>,
    },
    /// List tokens (never their secrets).
    List {
        #[arg(long)]
        user: Option<String>,
    },
    /// Revoke a token by its id.
    Revoke { id: i64 },
}

/// The operator at this machine, named for the audit log.
fn operator() -> Principal {
    Principal::operator(&std::env::var("USER").unwrap_or_else(|_| "cli".into()))
}

/// `90d` → now + 90 days; `2027-06-30` → that day, 00:00 UTC.
fn parse_expiry(raw: &str, now: chrono::NaiveDateTime) -> Result<chrono::NaiveDateTime, CliError> {
    let raw = raw.trim();
    if let Some(days) = raw.strip_suffix('d').and_then(|d| d.parse::<i64>().ok())
        && days > 0
    {
        return Ok(now + chrono::Duration::days(days));
    }
    chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .ok_or_else(|| {
            CliError::Argument(format!(
                "--expires takes a number of days (90d) or a date (2027-06-30), not {raw:?}"
            ))
        })
}

/// One line of standard input, without its line ending (a password may hold spaces).
fn read_password() -> Result<String, CliError> {
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).map_err(|e| {
        CliError::Argument(format!("cannot read the password from standard input: {e}"))
    })?;
    let password = line.trim_end_matches(['\n', '\r']).to_string();
    if password.is_empty() {
        return Err(CliError::Argument(
            "--password-stdin: standard input held no password".into(),
        ));
    }
    Ok(password)
}

fn user_id(db: &Database, username: &str) -> Result<i64, CliError> {
    let mut conn = db.conn()?;
    quanze_registry::repo::users::find_user_by_name(&mut conn, username)?
        .map(|u| u.row.id)
        .ok_or_else(|| CliError::Argument(format!("no user {username:?}")))
}

/// `quanze user …`.
pub fn run_user(db: &Database, command: UserCommand) -> Result<(), CliError> {
    match command {
        UserCommand::Add {
            username,
            role,
            department,
            display_name,
            password_stdin,
        } => {
            // Read first: a user is not made when the password is missing or refused.
            let password = password_stdin.then(read_password).transpose()?;
            if let Some(p) = &password {
                quanze_registry::passwords::check_new_password(&username, p)?;
            }
            let role = Role::parse(&role)
                .ok_or_else(|| CliError::Argument(format!("no role {role:?}")))?;
            let departments = resolve_departments(db, &department)?.unwrap_or_default();
            let mut conn = db.conn()?;
            let user = quanze_registry::accounts::add_user(
                &mut conn,
                &operator(),
                &username,
                &display_name,
                role,
                &departments,
                quanze_registry::repo::now(),
            )?;
            if let Some(p) = password {
                quanze_registry::accounts::set_password(
                    &mut conn,
                    &operator(),
                    user.row.id,
                    None,
                    &p,
                    None,
                    quanze_registry::repo::now(),
                )?;
            }
            println!(
                "user {} (id {}): {} of departments {:?}{}",
                user.row.username,
                user.row.id,
                user.row.role,
                user.departments,
                if password_stdin {
                    ", may sign in to /workbench"
                } else {
                    ""
                }
            );
        }
        UserCommand::Password { username, .. } => {
            let id = user_id(db, &username)?;
            let password = read_password()?;
            let mut conn = db.conn()?;
            quanze_registry::accounts::set_password(
                &mut conn,
                &operator(),
                id,
                None,
                &password,
                None,
                quanze_registry::repo::now(),
            )?;
            println!("password of {username} set; their sessions have ended");
        }
        UserCommand::List => {
            let mut conn = db.conn()?;
            for u in quanze_registry::accounts::list_users(&mut conn, &operator())? {
                let password = quanze_registry::repo::users::has_password(&mut conn, u.row.id)?;
                println!(
                    "{}\t{}\t{}\t{}\tdepartments {:?}{}{}",
                    u.row.id,
                    u.row.username,
                    u.row.display_name,
                    u.row.role,
                    u.departments,
                    if password { "\tpassword set" } else { "" },
                    if u.row.disabled { "\tdisabled" } else { "" }
                );
            }
        }
        UserCommand::Disable { username } => {
            let id = user_id(db, &username)?;
            let mut conn = db.conn()?;
            quanze_registry::accounts::disable_user(
                &mut conn,
                &operator(),
                id,
                quanze_registry::repo::now(),
            )?;
            println!("user {username} disabled");
        }
    }
    Ok(())
}

/// `quanze token …`.
pub fn run_token(db: &Database, command: TokenCommand) -> Result<(), CliError> {
    match command {
        TokenCommand::Create {
            user,
            expires,
            label,
        } => {
            let now = quanze_registry::repo::now();
            let expires_at = expires
                .as_deref()
                .map(|e| parse_expiry(e, now))
                .transpose()?;
            let id = user_id(db, &user)?;
            let mut conn = db.conn()?;
            let (row, secret) = quanze_registry::accounts::issue_token(
                &mut conn,
                &operator(),
                id,
                label.as_deref(),
                expires_at,
                now,
            )?;
            eprintln!(
                "token {} for {user}, expires {} UTC; it is shown this once:",
                row.id,
                row.expires()
            );
            println!("{secret}");
        }
        TokenCommand::List { user } => {
            let id = user.as_deref().map(|u| user_id(db, u)).transpose()?;
            let mut conn = db.conn()?;
            for t in quanze_registry::accounts::list_tokens(&mut conn, &operator(), id)? {
                println!(
                    "{}\tuser {}\t{}…\t{}\tcreated {}\texpires {}\tlast used {}\t{}",
                    t.id,
                    t.user_id,
                    t.token_prefix,
                    t.label.as_deref().unwrap_or_default(),
                    t.created_at,
                    t.expires(),
                    t.last_used_at
                        .map(|e| e.to_string())
                        .unwrap_or_else(|| "never".into()),
                    if t.revoked_at.is_some() {
                        "revoked"
                    } else {
                        "active"
                    }
                );
            }
        }
        TokenCommand::Revoke { id } => {
            let mut conn = db.conn()?;
            quanze_registry::accounts::withdraw_token(
                &mut conn,
                &operator(),
                id,
                quanze_registry::repo::now(),
            )?;
            println!("token {id} revoked");
        }
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn expiry_in_days_or_a_date() {
        let now = chrono::NaiveDate::from_ymd_opt(2026, 11, 22)
            .unwrap()
            .and_hms_opt(12, 0, 0)
            .unwrap();
        assert_eq!(
            parse_expiry("90d", now).unwrap(),
            now + chrono::Duration::days(90)
        );
        assert_eq!(
            parse_expiry("2027-06-30", now).unwrap().to_string(),
            "2027-06-30 00:00:00"
        );
        assert!(parse_expiry("0d", now).is_err());
        assert!(parse_expiry("soon", now).is_err());
    }
}

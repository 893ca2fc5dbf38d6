//! Workbench users and their sign-in sessions, kept in the workspace's app database.
//!
//! Passwords are stored only as Argon2id hashes (PHC strings with their own salt). A session is
//! a random 256-bit token given to the browser as a cookie; the database keeps only its SHA-256,
//! with the user, the session's CSRF token and its expiry.

use std::path::Path;

use argon2::{Argon2, PasswordHasher as _, PasswordVerifier as _};
use polku_store::AppDb;
use rusqlite::{OptionalExtension as _, params};
use sha2::Digest as _;

use crate::error::ServerError;

/// What a user may do. Each role can do everything the ones before it can.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Reads personas, maps and dashboards.
    Viewer,
    /// Also edits personas and maps.
    Editor,
    /// Also adds, changes and removes users.
    Admin,
}

impl Role {
    /// Every role, least powerful first.
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Editor, Role::Admin];

    /// The role's name as stored and typed: `viewer`, `editor`, `admin`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }
}

impl std::str::FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "viewer" => Ok(Role::Viewer),
            "editor" => Ok(Role::Editor),
            "admin" => Ok(Role::Admin),
            other => Err(format!(
                "unknown role `{other}`: use viewer, editor or admin"
            )),
        }
    }
}

/// A user as listed to admins: never the password hash.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct User {
    /// The sign-in name.
    pub name: String,
    /// What the user may do.
    pub role: Role,
}

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 8;

/// Checks a user name: 1–64 characters of letters, digits, `.`, `_`, `-` and `@`.
///
/// # Errors
/// When the name has other characters or the wrong length.
pub fn check_name(name: &str) -> Result<(), ServerError> {
    let ok = !name.is_empty()
        && name.chars().count() <= 64
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok {
        Ok(())
    } else {
        Err(ServerError::Invalid(format!(
            "the user name `{name}` is not valid: use 1–64 letters, digits, `.`, `_`, `-` or `@`"
        )))
    }
}

/// Hashes a password with Argon2id and a random salt.
///
/// # Errors
/// When the password is shorter than [`MIN_PASSWORD_CHARS`].
pub fn hash_password(password: &str) -> Result<String, ServerError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(ServerError::Invalid(format!(
            "the password is too short: use at least {MIN_PASSWORD_CHARS} characters"
        )));
    }
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| ServerError::Internal(format!("cannot hash the password: {e}")))
}

/// Whether `password` matches a stored PHC hash.
#[must_use]
pub fn verify_password(password: &str, stored: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), stored)
        .is_ok()
}

/// Adds a user to the workspace at `root`, or replaces the role and password of an existing
/// one. Returns whether the user is new.
///
/// # Errors
/// When the name or password is not acceptable or the database cannot be written.
pub fn add_user(root: &Path, name: &str, role: Role, password: &str) -> Result<bool, ServerError> {
    check_name(name)?;
    let hash = hash_password(password)?;
    let db = AppDb::open(root)?;
    upsert_user(&db, name, role, &hash)
}

/// The users of the workspace at `root`, by name.
///
/// # Errors
/// When the database cannot be read.
pub fn list(root: &Path) -> Result<Vec<User>, ServerError> {
    list_users(&AppDb::open(root)?)
}

pub(crate) fn upsert_user(
    db: &AppDb,
    name: &str,
    role: Role,
    hash: &str,
) -> Result<bool, ServerError> {
    let conn = db.connection();
    let existed: bool = conn
        .query_row("SELECT 1 FROM users WHERE name = ?1", [name], |_| Ok(()))
        .optional()?
        .is_some();
    conn.execute(
        "INSERT INTO users (name, role, password_hash, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT(name) DO UPDATE SET role = excluded.role,
             password_hash = excluded.password_hash",
        params![name, role.as_str(), hash, now_secs()],
    )?;
    if existed {
        // A new password ends the user's other sessions.
        conn.execute("DELETE FROM web_sessions WHERE user = ?1", [name])?;
    }
    Ok(!existed)
}

pub(crate) fn list_users(db: &AppDb) -> Result<Vec<User>, ServerError> {
    let mut stmt = db
        .connection()
        .prepare("SELECT name, role FROM users ORDER BY name")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut users = Vec::new();
    for row in rows {
        let (name, role) = row?;
        let role = role.parse().map_err(ServerError::Internal)?;
        users.push(User { name, role });
    }
    Ok(users)
}

pub(crate) fn set_role(db: &AppDb, name: &str, role: Role) -> Result<bool, ServerError> {
    Ok(db.connection().execute(
        "UPDATE users SET role = ?2 WHERE name = ?1",
        params![name, role.as_str()],
    )? > 0)
}

pub(crate) fn delete_user(db: &AppDb, name: &str) -> Result<bool, ServerError> {
    let conn = db.connection();
    conn.execute("DELETE FROM web_sessions WHERE user = ?1", [name])?;
    Ok(conn.execute("DELETE FROM users WHERE name = ?1", [name])? > 0)
}

/// The stored hash and role of a user.
pub(crate) fn credentials(db: &AppDb, name: &str) -> Result<Option<(String, Role)>, ServerError> {
    let row: Option<(String, String)> = db
        .connection()
        .query_row(
            "SELECT password_hash, role FROM users WHERE name = ?1",
            [name],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    row.map(|(hash, role)| Ok((hash, role.parse().map_err(ServerError::Internal)?)))
        .transpose()
}

/// A signed-in user, as the session says.
#[derive(Debug, Clone)]
pub(crate) struct SessionUser {
    pub name: String,
    pub role: Role,
    pub csrf: String,
}

/// How long a session lasts after sign-in.
pub(crate) const SESSION_SECS: i64 = 12 * 60 * 60;

/// Starts a session; returns the cookie token.
pub(crate) fn create_session(db: &AppDb, user: &str) -> Result<String, ServerError> {
    let token = random_token()?;
    let csrf = random_token()?;
    let now = now_secs();
    let conn = db.connection();
    conn.execute("DELETE FROM web_sessions WHERE expires_at <= ?1", [now])?;
    conn.execute(
        "INSERT INTO web_sessions (token_hash, user, csrf, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
        params![token_hash(&token), user, csrf, now, now + SESSION_SECS],
    )?;
    Ok(token)
}

pub(crate) fn session_user(db: &AppDb, token: &str) -> Result<Option<SessionUser>, ServerError> {
    let row: Option<(String, String, String)> = db
        .connection()
        .query_row(
            "SELECT s.user, u.role, s.csrf FROM web_sessions s JOIN users u ON u.name = s.user
             WHERE s.token_hash = ?1 AND s.expires_at > ?2",
            params![token_hash(token), now_secs()],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?;
    row.map(|(name, role, csrf)| {
        Ok(SessionUser {
            name,
            role: role.parse().map_err(ServerError::Internal)?,
            csrf,
        })
    })
    .transpose()
}

pub(crate) fn end_session(db: &AppDb, token: &str) -> Result<(), ServerError> {
    db.connection().execute(
        "DELETE FROM web_sessions WHERE token_hash = ?1",
        [token_hash(token)],
    )?;
    Ok(())
}

/// 32 random bytes as hex.
pub(crate) fn random_token() -> Result<String, ServerError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| ServerError::Internal(format!("no random numbers: {e}")))?;
    Ok(hex(&bytes))
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn token_hash(token: &str) -> String {
    hex(&sha2::Sha256::digest(token.as_bytes()))
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let h = hash_password("correct horse").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("correct hors", &h));
        assert!(!verify_password("correct horse", "not a hash"));
        assert!(hash_password("short").is_err());
    }

    #[test]
    fn sessions_name_their_user_until_ended() {
        let dir = tempfile::tempdir().unwrap();
        let db = AppDb::open(dir.path()).unwrap();
        upsert_user(&db, "anni", Role::Editor, "x").unwrap();
        let token = create_session(&db, "anni").unwrap();
        let user = session_user(&db, &token).unwrap().unwrap();
        assert_eq!((user.name.as_str(), user.role), ("anni", Role::Editor));
        assert!(session_user(&db, "forged").unwrap().is_none());
        // Only the hash is stored.
        let stored: String = db
            .connection()
            .query_row("SELECT token_hash FROM web_sessions", [], |r| r.get(0))
            .unwrap();
        assert_ne!(stored, token);
        end_session(&db, &token).unwrap();
        assert!(session_user(&db, &token).unwrap().is_none());
    }

    #[test]
    fn names_are_checked() {
        assert!(check_name("anni.m@example").is_ok());
        assert!(check_name("").is_err());
        assert!(check_name("a b").is_err());
        assert!(check_name("<script>").is_err());
    }
}

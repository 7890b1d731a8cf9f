//! Accounts, browser sessions and API tokens (migration 0006). The store keeps only hashes of
//! secrets; what a role may do and how secrets are hashed is `postmarket-auth`'s business.

use postmarket_model::Actor;
use serde::Serialize;
use sqlx::Row;

use crate::devices::next_id;
use crate::error::duplicate_or;
use crate::schema::{read_row_json, table};
use crate::{Store, StoreError};

const USER_COLUMNS: &str =
    "id, name, role, password_hash, product_lines_json, disabled, created_at, updated_at";
const TOKEN_COLUMNS: &str =
    "t.id, t.user_id, u.name AS user_name, t.name, t.scope, t.created_at, t.expires_at, t.revoked_at";

/// A stored account. `password_hash` is an argon2id PHC string.
#[derive(Clone, Serialize)]
pub struct UserRow {
    pub id: i64,
    pub name: String,
    pub role: String,
    #[serde(skip)]
    pub password_hash: String,
    pub product_lines: Vec<String>,
    pub disabled: bool,
    pub created_at: String,
    pub updated_at: String,
}

impl std::fmt::Debug for UserRow {
    // The hash stays out of logs and panics.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserRow")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("role", &self.role)
            .field("product_lines", &self.product_lines)
            .field("disabled", &self.disabled)
            .finish_non_exhaustive()
    }
}

/// What `add_user` needs.
#[derive(Debug, Clone)]
pub struct NewUserRow<'a> {
    pub name: &'a str,
    pub role: &'a str,
    pub password_hash: &'a str,
    pub product_lines: &'a [String],
}

/// A stored API token (never the token itself).
#[derive(Debug, Clone, Serialize)]
pub struct ApiTokenRow {
    pub id: i64,
    pub user_id: i64,
    pub user: String,
    pub name: String,
    pub scope: String,
    pub created_at: String,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// A live session found by its token hash.
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub id: i64,
    pub user: UserRow,
    pub created_at: String,
    pub expires_at: String,
}

fn user_from_row(row: &sqlx::any::AnyRow) -> Result<UserRow, StoreError> {
    let id: i64 = row.try_get("id")?;
    let lines: String = row.try_get("product_lines_json")?;
    Ok(UserRow {
        id,
        name: row.try_get("name")?,
        role: row.try_get("role")?,
        password_hash: row.try_get("password_hash")?,
        product_lines: serde_json::from_str(&lines)
            .map_err(|e| StoreError::Corrupt(format!("user {id} product lines: {e}")))?,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn token_from_row(row: &sqlx::any::AnyRow) -> Result<ApiTokenRow, StoreError> {
    Ok(ApiTokenRow {
        id: row.try_get("id")?,
        user_id: row.try_get("user_id")?,
        user: row.try_get("user_name")?,
        name: row.try_get("name")?,
        scope: row.try_get("scope")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

fn lines_json(lines: &[String]) -> String {
    let mut sorted: Vec<&String> = lines.iter().collect();
    sorted.sort();
    sorted.dedup();
    serde_json::to_string(&sorted).unwrap_or_else(|_| "[]".into())
}

impl Store {
    /// Creates an account. A name already taken (ignoring case) is refused.
    pub async fn add_user(
        &self,
        actor: &Actor,
        new: &NewUserRow<'_>,
        reason: Option<&str>,
    ) -> Result<UserRow, StoreError> {
        let mut w = self.write(actor).await?;
        let id = next_id(w.conn(), "users").await?;
        let now = crate::now_rfc3339();
        sqlx::query(&format!(
            "INSERT INTO users ({USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, 0, $6, $6)"
        ))
        .bind(id)
        .bind(new.name)
        .bind(new.role)
        .bind(new.password_hash)
        .bind(lines_json(new.product_lines))
        .bind(&now)
        .execute(w.conn())
        .await
        .map_err(|e| duplicate_or(e, || format!("user {:?}", new.name)))?;
        let after = read_row_json(w.conn(), table("users"), id).await?;
        w.record("user.add", "user", id, None, after, reason)
            .await?;
        w.commit().await?;
        self.user(new.name).await
    }

    /// All accounts, by name.
    pub async fn users(&self) -> Result<Vec<UserRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users ORDER BY lower(name), id"
        ))
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(user_from_row).collect()
    }

    /// One account by name (case-insensitive).
    pub async fn user(&self, name: &str) -> Result<UserRow, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users WHERE lower(name) = lower($1)"
        ))
        .bind(name)
        .fetch_optional(self.pool())
        .await?;
        match row {
            Some(r) => user_from_row(&r),
            None => Err(StoreError::NotFound {
                what: format!("user {name:?}"),
                hint: " (postmarket user list shows the accounts)".into(),
            }),
        }
    }

    /// Changes an account's role, product lines, password hash or disabled flag; `None` keeps a
    /// field as it is.
    pub async fn update_user(
        &self,
        actor: &Actor,
        name: &str,
        change: &UserChange<'_>,
        reason: Option<&str>,
    ) -> Result<UserRow, StoreError> {
        let current = self.user(name).await?;
        let mut w = self.write(actor).await?;
        let users = table("users");
        let before = read_row_json(w.conn(), users, current.id).await?;
        sqlx::query(
            "UPDATE users SET role = $1, password_hash = $2, product_lines_json = $3, \
             disabled = $4, updated_at = $5 WHERE id = $6",
        )
        .bind(change.role.unwrap_or(&current.role))
        .bind(change.password_hash.unwrap_or(&current.password_hash))
        .bind(lines_json(
            change.product_lines.unwrap_or(&current.product_lines),
        ))
        .bind(i64::from(change.disabled.unwrap_or(current.disabled)))
        .bind(crate::now_rfc3339())
        .bind(current.id)
        .execute(w.conn())
        .await?;
        let after = read_row_json(w.conn(), users, current.id).await?;
        w.record("user.update", "user", current.id, before, after, reason)
            .await?;
        w.commit().await?;
        self.user(&current.name).await
    }

    /// Opens a session for a user; the user's expired sessions are removed in the same write.
    pub async fn create_session(
        &self,
        actor: &Actor,
        user_id: i64,
        token_sha256: &str,
        expires_at: &str,
    ) -> Result<i64, StoreError> {
        let now = crate::now_rfc3339();
        let mut w = self.write(actor).await?;
        let sessions = table("sessions");
        let expired: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM sessions WHERE user_id = $1 AND expires_at <= $2")
                .bind(user_id)
                .bind(&now)
                .fetch_all(&mut *w.conn())
                .await?;
        for id in expired {
            let before = read_row_json(w.conn(), sessions, id).await?;
            sqlx::query("DELETE FROM sessions WHERE id = $1")
                .bind(id)
                .execute(w.conn())
                .await?;
            w.record("session.expire", "session", id, before, None, None)
                .await?;
        }
        let id = next_id(w.conn(), "sessions").await?;
        sqlx::query(
            "INSERT INTO sessions (id, user_id, token_sha256, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(user_id)
        .bind(token_sha256)
        .bind(&now)
        .bind(expires_at)
        .execute(w.conn())
        .await?;
        let after = read_row_json(w.conn(), sessions, id).await?;
        w.record("session.start", "session", id, None, after, None)
            .await?;
        w.commit().await?;
        Ok(id)
    }

    /// The session with this token hash, with its user (expired ones too: the caller decides).
    pub async fn session(&self, token_sha256: &str) -> Result<Option<SessionRow>, StoreError> {
        let row = sqlx::query(
            "SELECT s.id AS session_id, s.created_at AS session_created, s.expires_at, \
             u.id, u.name, u.role, u.password_hash, u.product_lines_json, u.disabled, \
             u.created_at, u.updated_at \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_sha256 = $1",
        )
        .bind(token_sha256)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            Ok(SessionRow {
                id: r.try_get("session_id")?,
                created_at: r.try_get("session_created")?,
                expires_at: r.try_get("expires_at")?,
                user: user_from_row(&r)?,
            })
        })
        .transpose()
    }

    /// Ends a session (logout). Unknown tokens are no error: the outcome is the same.
    pub async fn end_session(&self, actor: &Actor, token_sha256: &str) -> Result<(), StoreError> {
        let mut w = self.write(actor).await?;
        let id: Option<i64> = sqlx::query_scalar("SELECT id FROM sessions WHERE token_sha256 = $1")
            .bind(token_sha256)
            .fetch_optional(&mut *w.conn())
            .await?;
        if let Some(id) = id {
            let before = read_row_json(w.conn(), table("sessions"), id).await?;
            sqlx::query("DELETE FROM sessions WHERE id = $1")
                .bind(id)
                .execute(w.conn())
                .await?;
            w.record("session.end", "session", id, before, None, None)
                .await?;
            w.commit().await?;
        }
        Ok(())
    }

    /// Records a new API token for a user (its hash only).
    pub async fn add_api_token(
        &self,
        actor: &Actor,
        new: &NewApiToken<'_>,
        reason: Option<&str>,
    ) -> Result<ApiTokenRow, StoreError> {
        let mut w = self.write(actor).await?;
        let id = next_id(w.conn(), "api_tokens").await?;
        sqlx::query(
            "INSERT INTO api_tokens (id, user_id, name, token_sha256, scope, created_at, expires_at, revoked_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)",
        )
        .bind(id)
        .bind(new.user_id)
        .bind(new.name)
        .bind(new.token_sha256)
        .bind(new.scope)
        .bind(crate::now_rfc3339())
        .bind(new.expires_at)
        .execute(w.conn())
        .await?;
        let after = read_row_json(w.conn(), table("api_tokens"), id).await?;
        w.record("api_token.create", "api_token", id, None, after, reason)
            .await?;
        w.commit().await?;
        self.api_token(id).await
    }

    /// One API token by id.
    pub async fn api_token(&self, id: i64) -> Result<ApiTokenRow, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {TOKEN_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1"
        ))
        .bind(id)
        .fetch_optional(self.pool())
        .await?;
        match row {
            Some(r) => token_from_row(&r),
            None => Err(StoreError::NotFound {
                what: format!("API token {id}"),
                hint: " (postmarket token list shows the tokens)".into(),
            }),
        }
    }

    /// API tokens, newest first; one user's when given.
    pub async fn api_tokens(&self, user_id: Option<i64>) -> Result<Vec<ApiTokenRow>, StoreError> {
        let rows = match user_id {
            Some(u) => {
                sqlx::query(&format!(
                    "SELECT {TOKEN_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id \
                     WHERE t.user_id = $1 ORDER BY t.id DESC"
                ))
                .bind(u)
                .fetch_all(self.pool())
                .await?
            }
            None => {
                sqlx::query(&format!(
                    "SELECT {TOKEN_COLUMNS} FROM api_tokens t JOIN users u ON u.id = t.user_id \
                     ORDER BY t.id DESC"
                ))
                .fetch_all(self.pool())
                .await?
            }
        };
        rows.iter().map(token_from_row).collect()
    }

    /// The token with this hash and its user (revoked and expired ones too: the caller decides).
    pub async fn api_token_by_hash(
        &self,
        token_sha256: &str,
    ) -> Result<Option<(ApiTokenRow, UserRow)>, StoreError> {
        let id: Option<i64> =
            sqlx::query_scalar("SELECT id FROM api_tokens WHERE token_sha256 = $1")
                .bind(token_sha256)
                .fetch_optional(self.pool())
                .await?;
        let Some(id) = id else { return Ok(None) };
        let token = self.api_token(id).await?;
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
            .bind(token.user_id)
            .fetch_one(self.pool())
            .await?;
        Ok(Some((token, user_from_row(&row)?)))
    }

    /// Revokes an API token; revoking twice is refused so that the audit trail stays exact.
    pub async fn revoke_api_token(
        &self,
        actor: &Actor,
        id: i64,
        reason: Option<&str>,
    ) -> Result<ApiTokenRow, StoreError> {
        let current = self.api_token(id).await?;
        if current.revoked_at.is_some() {
            return Err(StoreError::Refused(format!(
                "API token {id} was revoked already"
            )));
        }
        let mut w = self.write(actor).await?;
        let tokens = table("api_tokens");
        let before = read_row_json(w.conn(), tokens, id).await?;
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2")
            .bind(crate::now_rfc3339())
            .bind(id)
            .execute(w.conn())
            .await?;
        let after = read_row_json(w.conn(), tokens, id).await?;
        w.record("api_token.revoke", "api_token", id, before, after, reason)
            .await?;
        w.commit().await?;
        self.api_token(id).await
    }
}

/// Fields of an account to change; `None` keeps the stored value.
#[derive(Debug, Clone, Default)]
pub struct UserChange<'a> {
    pub role: Option<&'a str>,
    pub password_hash: Option<&'a str>,
    pub product_lines: Option<&'a [String]>,
    pub disabled: Option<bool>,
}

/// What `add_api_token` needs.
#[derive(Debug, Clone)]
pub struct NewApiToken<'a> {
    pub user_id: i64,
    pub name: &'a str,
    pub token_sha256: &'a str,
    pub scope: &'a str,
    pub expires_at: Option<&'a str>,
}

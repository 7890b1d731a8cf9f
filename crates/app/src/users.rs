//! Accounts, sign-in, API tokens and who may see what (issue 8). The rules themselves (roles,
//! permissions, hashing) are `postmarket-auth`'s; here they meet the store.

use postmarket_auth::{Permission, Role, Scope};
use postmarket_model::{Actor, Device};
use postmarket_store::{ApiTokenRow, NewApiToken, NewUserRow, UserChange, UserRow};
use serde::Serialize;

use crate::{App, AppError};

/// How long a browser session lasts, from sign-in (absolute, not sliding): one working day.
pub const SESSION_LIFETIME: time::Duration = time::Duration::hours(8);

/// An account as shown to people and the API (never the password hash).
#[derive(Debug, Clone, Serialize)]
pub struct UserView {
    pub id: i64,
    pub name: String,
    pub role: Role,
    /// Product lines granted; an admin sees every product line whatever is listed.
    pub product_lines: Vec<String>,
    pub disabled: bool,
    pub created_at: String,
    pub updated_at: String,
}

fn view(u: &UserRow) -> Result<UserView, AppError> {
    Ok(UserView {
        id: u.id,
        name: u.name.clone(),
        role: role_of(u)?,
        product_lines: u.product_lines.clone(),
        disabled: u.disabled,
        created_at: u.created_at.clone(),
        updated_at: u.updated_at.clone(),
    })
}

fn role_of(u: &UserRow) -> Result<Role, AppError> {
    u.role
        .parse()
        .map_err(|e| AppError::Internal(format!("user {}: stored {e}", u.id)))
}

/// How a request proved who it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Via {
    Session { id: i64 },
    Token { id: i64, scope: Scope },
}

/// Someone signed in: what every web and API request carries once authenticated.
#[derive(Debug, Clone, Serialize)]
pub struct Principal {
    pub user_id: i64,
    pub name: String,
    pub role: Role,
    pub product_lines: Vec<String>,
    pub via: Via,
}

impl Principal {
    /// The role allows it and, for an API token, so does the token's scope.
    pub fn can(&self, p: Permission) -> bool {
        let scope_ok = match self.via {
            Via::Session { .. } => true,
            Via::Token { scope, .. } => scope.allows(p),
        };
        self.role.allows(p) && scope_ok
    }

    /// [`Principal::can`] as an error that names what is missing.
    pub fn require(&self, p: Permission) -> Result<(), AppError> {
        if self.can(p) {
            return Ok(());
        }
        let why = match self.via {
            Via::Token {
                scope: Scope::Read, ..
            } if self.role.allows(p) => "this API token has the read scope".to_string(),
            _ => format!("the {} role does not allow it", self.role),
        };
        Err(AppError::Forbidden(format!(
            "{} may not {}: {why}",
            self.name,
            p.describe()
        )))
    }

    /// May this account see devices of this product line?
    pub fn sees(&self, product_line: &str) -> bool {
        self.role.sees_all_product_lines()
            || self
                .product_lines
                .iter()
                .any(|l| l.eq_ignore_ascii_case(product_line))
    }

    /// A device this account may not see is answered exactly like one that does not exist, so
    /// that nothing about other product lines leaks.
    pub fn check_device(&self, d: &Device) -> Result<(), AppError> {
        if self.sees(&d.product_line) {
            Ok(())
        } else {
            Err(AppError::NotFound(format!(
                "device {:?} not found",
                d.name.as_str()
            )))
        }
    }

    /// The actor recorded in the audit trail for this account's writes.
    pub fn actor(&self) -> Actor {
        // Names are validated at creation (short, printable), so this cannot fail.
        Actor::new(format!("user:{}", self.name)).unwrap_or_else(|_| Actor::system())
    }
}

/// A new account.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub name: &'a str,
    pub role: Role,
    pub password: &'a str,
    pub product_lines: Vec<String>,
}

/// An API token as created: the secret is shown once and never stored.
#[derive(Debug, Clone, Serialize)]
pub struct CreatedToken {
    #[serde(flatten)]
    pub token: ApiTokenRow,
    pub secret: String,
}

/// A new browser session: the cookie value (secret) and when it ends.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub secret: String,
    pub expires_at: String,
    pub principal: Principal,
}

/// Account names: 1 to 64 of letters, digits and `.`, `_`, `-`, `@` (so they are safe in audit
/// actors, URLs and logs).
pub fn check_user_name(name: &str) -> Result<(), AppError> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'));
    if ok {
        Ok(())
    } else {
        Err(AppError::BadInput(format!(
            "user name {name:?} is not valid: expected 1 to 64 letters, digits, '.', '_', '-' or '@'"
        )))
    }
}

fn check_product_lines(lines: &[String]) -> Result<(), AppError> {
    for l in lines {
        if l.trim().is_empty() || l.len() > 200 || l.chars().any(char::is_control) {
            return Err(AppError::BadInput(format!(
                "product line {l:?} is not valid: expected a non-empty name of at most 200 printable characters"
            )));
        }
    }
    Ok(())
}

fn auth_err(e: postmarket_auth::Invalid) -> AppError {
    AppError::BadInput(e.to_string())
}

/// RFC 3339 UTC with microseconds, the format the store compares lexically.
fn stamp(t: time::OffsetDateTime) -> String {
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
    );
    t.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_default()
}

/// Parses a token lifetime: `90d`, `12h`, `30m` from now, or a date `YYYY-MM-DD` (midnight UTC).
pub fn parse_expiry(s: &str) -> Result<String, AppError> {
    let s = s.trim();
    let bad = || {
        AppError::BadInput(format!(
            "--expires {s:?}: expected a lifetime such as 90d, 12h or 30m, or a date YYYY-MM-DD in the future"
        ))
    };
    let now = time::OffsetDateTime::now_utc();
    let at = if let Some((n, unit)) = s
        .char_indices()
        .last()
        .filter(|(_, c)| matches!(c, 'd' | 'h' | 'm'))
        .map(|(i, c)| (&s[..i], c))
    {
        let n: i64 = n.parse().map_err(|_| bad())?;
        if n <= 0 || n > 3650 * 24 * 60 {
            return Err(bad());
        }
        now + match unit {
            'd' => time::Duration::days(n),
            'h' => time::Duration::hours(n),
            _ => time::Duration::minutes(n),
        }
    } else {
        let date = time::Date::parse(
            s,
            &time::macros::format_description!("[year]-[month]-[day]"),
        )
        .map_err(|_| bad())?;
        date.midnight().assume_utc()
    };
    if at <= now {
        return Err(bad());
    }
    Ok(stamp(at))
}

fn is_past(rfc3339: &str) -> bool {
    rfc3339 <= stamp(time::OffsetDateTime::now_utc()).as_str()
}

impl App {
    /// Creates an account with an argon2id hash of its password.
    pub async fn add_user(&self, actor: &Actor, new: &NewUser<'_>) -> Result<UserView, AppError> {
        check_user_name(new.name)?;
        check_product_lines(&new.product_lines)?;
        let hash = postmarket_auth::hash_password(new.password).map_err(auth_err)?;
        let row = self
            .store()
            .add_user(
                actor,
                &NewUserRow {
                    name: new.name,
                    role: new.role.as_str(),
                    password_hash: &hash,
                    product_lines: &new.product_lines,
                },
                None,
            )
            .await?;
        view(&row)
    }

    pub async fn users(&self) -> Result<Vec<UserView>, AppError> {
        self.store().users().await?.iter().map(view).collect()
    }

    pub async fn user(&self, name: &str) -> Result<UserView, AppError> {
        view(&self.store().user(name).await?)
    }

    /// Grants product lines (`grant = true`) or takes them away.
    pub async fn change_product_lines(
        &self,
        actor: &Actor,
        name: &str,
        lines: &[String],
        grant: bool,
    ) -> Result<UserView, AppError> {
        check_product_lines(lines)?;
        let current = self.store().user(name).await?;
        let mut next = current.product_lines.clone();
        for l in lines {
            let has = next.iter().position(|x| x.eq_ignore_ascii_case(l));
            match (grant, has) {
                (true, None) => next.push(l.trim().to_string()),
                (false, Some(i)) => {
                    next.remove(i);
                }
                (false, None) => {
                    return Err(AppError::BadInput(format!(
                        "user {:?} has no grant for product line {l:?} (granted: {})",
                        current.name,
                        if current.product_lines.is_empty() {
                            "none".to_string()
                        } else {
                            current.product_lines.join(", ")
                        }
                    )))
                }
                (true, Some(_)) => {}
            }
        }
        let change = UserChange {
            product_lines: Some(&next),
            ..UserChange::default()
        };
        view(&self.store().update_user(actor, name, &change, None).await?)
    }

    pub async fn set_role(
        &self,
        actor: &Actor,
        name: &str,
        role: Role,
    ) -> Result<UserView, AppError> {
        let change = UserChange {
            role: Some(role.as_str()),
            ..UserChange::default()
        };
        view(&self.store().update_user(actor, name, &change, None).await?)
    }

    pub async fn set_password(
        &self,
        actor: &Actor,
        name: &str,
        password: &str,
    ) -> Result<UserView, AppError> {
        let hash = postmarket_auth::hash_password(password).map_err(auth_err)?;
        let change = UserChange {
            password_hash: Some(&hash),
            ..UserChange::default()
        };
        view(&self.store().update_user(actor, name, &change, None).await?)
    }

    pub async fn set_disabled(
        &self,
        actor: &Actor,
        name: &str,
        disabled: bool,
    ) -> Result<UserView, AppError> {
        let change = UserChange {
            disabled: Some(disabled),
            ..UserChange::default()
        };
        view(&self.store().update_user(actor, name, &change, None).await?)
    }

    /// Checks an account's password: sign-in, and the password re-entry an electronic signature
    /// requires (21 CFR 11.200(a)(1)). Unknown, disabled and wrong all give the same error.
    pub async fn verify_password(&self, name: &str, password: &str) -> Result<UserView, AppError> {
        let refused = || AppError::Unauthorized("wrong user name or password".into());
        let user = match self.store().user(name).await {
            Ok(u) => u,
            Err(e) if e.is_not_found() => {
                postmarket_auth::verify_nothing(password);
                return Err(refused());
            }
            Err(e) => return Err(e.into()),
        };
        let hash = user.password_hash.clone();
        let pw = password.to_string();
        // argon2 takes tens of milliseconds of CPU: keep it off the async workers.
        let ok = tokio::task::spawn_blocking(move || postmarket_auth::verify_password(&hash, &pw))
            .await
            .map_err(|e| AppError::Internal(format!("password check failed: {e}")))?;
        if !ok || user.disabled {
            return Err(refused());
        }
        view(&user)
    }

    /// Signs in: checks the password and opens a session; returns the cookie secret.
    pub async fn login(&self, name: &str, password: &str) -> Result<NewSession, AppError> {
        let user = self.verify_password(name, password).await?;
        let secret = postmarket_auth::new_token(postmarket_auth::SESSION_TOKEN_PREFIX);
        let expires_at = stamp(time::OffsetDateTime::now_utc() + SESSION_LIFETIME);
        let actor = Actor::new(format!("user:{}", user.name))?;
        let id = self
            .store()
            .create_session(
                &actor,
                user.id,
                &postmarket_auth::token_hash(&secret),
                &expires_at,
            )
            .await?;
        Ok(NewSession {
            secret,
            expires_at,
            principal: Principal {
                user_id: user.id,
                name: user.name,
                role: user.role,
                product_lines: user.product_lines,
                via: Via::Session { id },
            },
        })
    }

    /// The account behind a session cookie, if the session is live and the account enabled.
    pub async fn session_principal(&self, secret: &str) -> Result<Option<Principal>, AppError> {
        let Some(s) = self
            .store()
            .session(&postmarket_auth::token_hash(secret))
            .await?
        else {
            return Ok(None);
        };
        if s.user.disabled || is_past(&s.expires_at) {
            return Ok(None);
        }
        Ok(Some(Principal {
            user_id: s.user.id,
            role: role_of(&s.user)?,
            name: s.user.name,
            product_lines: s.user.product_lines,
            via: Via::Session { id: s.id },
        }))
    }

    /// Signs out: the session is deleted server-side, so a copied cookie dies with it.
    pub async fn logout(&self, principal: &Principal, secret: &str) -> Result<(), AppError> {
        self.store()
            .end_session(&principal.actor(), &postmarket_auth::token_hash(secret))
            .await?;
        Ok(())
    }

    /// The account behind a Bearer token, if the token is live and the account enabled.
    pub async fn token_principal(&self, secret: &str) -> Result<Option<Principal>, AppError> {
        if !secret.starts_with(postmarket_auth::API_TOKEN_PREFIX) {
            return Ok(None);
        }
        let Some((t, u)) = self
            .store()
            .api_token_by_hash(&postmarket_auth::token_hash(secret))
            .await?
        else {
            return Ok(None);
        };
        if t.revoked_at.is_some() || u.disabled || t.expires_at.as_deref().is_some_and(is_past) {
            return Ok(None);
        }
        let scope: Scope = t
            .scope
            .parse()
            .map_err(|e| AppError::Internal(format!("API token {}: stored {e}", t.id)))?;
        Ok(Some(Principal {
            user_id: u.id,
            role: role_of(&u)?,
            name: u.name,
            product_lines: u.product_lines,
            via: Via::Token { id: t.id, scope },
        }))
    }

    /// Creates an API token for a user; the secret is returned once.
    pub async fn create_token(
        &self,
        actor: &Actor,
        user: &str,
        name: &str,
        scope: Scope,
        expires_at: Option<&str>,
    ) -> Result<CreatedToken, AppError> {
        let u = self.store().user(user).await?;
        if name.trim().is_empty() || name.len() > 100 || name.chars().any(char::is_control) {
            return Err(AppError::BadInput(format!(
                "token name {name:?} is not valid: expected a non-empty label of at most 100 printable characters"
            )));
        }
        let secret = postmarket_auth::new_token(postmarket_auth::API_TOKEN_PREFIX);
        let token = self
            .store()
            .add_api_token(
                actor,
                &NewApiToken {
                    user_id: u.id,
                    name: name.trim(),
                    token_sha256: &postmarket_auth::token_hash(&secret),
                    scope: scope.as_str(),
                    expires_at,
                },
                None,
            )
            .await?;
        Ok(CreatedToken { token, secret })
    }

    pub async fn tokens(&self, user: Option<&str>) -> Result<Vec<ApiTokenRow>, AppError> {
        let id = match user {
            Some(n) => Some(self.store().user(n).await?.id),
            None => None,
        };
        Ok(self.store().api_tokens(id).await?)
    }

    pub async fn revoke_token(&self, actor: &Actor, id: i64) -> Result<ApiTokenRow, AppError> {
        Ok(self.store().revoke_api_token(actor, id, None).await?)
    }

    /// The demo's administrator: `admin` with a fresh random password each time the demo starts
    /// (created on the first run), so that the printed credentials always work.
    pub async fn demo_admin(&self, actor: &Actor) -> Result<(String, String), AppError> {
        const NAME: &str = "admin";
        let password = postmarket_auth::generate_password();
        match self.store().user(NAME).await {
            Ok(_) => {
                self.set_password(actor, NAME, &password).await?;
                self.set_role(actor, NAME, Role::Admin).await?;
            }
            Err(e) if e.is_not_found() => {
                self.add_user(
                    actor,
                    &NewUser {
                        name: NAME,
                        role: Role::Admin,
                        password: &password,
                        product_lines: Vec::new(),
                    },
                )
                .await?;
            }
            Err(e) => return Err(e.into()),
        }
        Ok((NAME.to_string(), password))
    }

    /// The portfolio as this account may see it.
    pub async fn portfolio_for(
        &self,
        p: &Principal,
    ) -> Result<Vec<crate::DeviceSummary>, AppError> {
        Ok(self
            .portfolio()
            .await?
            .into_iter()
            .filter(|d| p.sees(&d.device.product_line))
            .collect())
    }

    /// A device by name, answered as "not found" when the account may not see it.
    pub async fn device_for(
        &self,
        p: &Principal,
        name: &postmarket_model::DeviceName,
    ) -> Result<Device, AppError> {
        // The store's own "not found" suggests similar names, which could be devices of other
        // product lines: every miss gets the same plain answer.
        let hidden = || AppError::NotFound(format!("device {:?} not found", name.as_str()));
        let d = match self.store().device(name).await {
            Ok(d) => d,
            Err(e) if e.is_not_found() => return Err(hidden()),
            Err(e) => return Err(e.into()),
        };
        p.check_device(&d).map_err(|_| hidden())?;
        Ok(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_parses_lifetimes_and_dates() {
        assert!(parse_expiry("90d").unwrap() > stamp(time::OffsetDateTime::now_utc()));
        assert!(parse_expiry("2999-01-01")
            .unwrap()
            .starts_with("2999-01-01T00:00:00"));
        let e = parse_expiry("2000-01-01").unwrap_err().to_string();
        assert!(e.contains("in the future"), "{e}");
        assert!(parse_expiry("soon").is_err());
        assert!(parse_expiry("0d").is_err());
    }

    #[test]
    fn user_names_are_restricted() {
        check_user_name("alice.smith@example").unwrap();
        assert!(check_user_name("").is_err());
        assert!(check_user_name("a b").is_err());
        assert!(check_user_name(&"x".repeat(65)).is_err());
    }
}

use std::fmt;
use std::str::FromStr;

use crate::StoreError;

/// Which database engine a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        })
    }
}

/// A checked database URL: `sqlite://FILE`, `sqlite::memory:` or `postgres://USER@HOST:PORT/DB`.
///
/// Checked here rather than left to the driver so that a typo gets a message that says what was
/// expected, and so that a SQLite file is created when missing (`mode=rwc`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DbUrl {
    backend: Backend,
    raw: String,
    /// For SQLite: the file path, or `:memory:`. For PostgreSQL: `host:port`.
    target: String,
}

impl DbUrl {
    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn is_memory(&self) -> bool {
        self.backend == Backend::Sqlite && self.target == ":memory:"
    }

    /// The SQLite file, or PostgreSQL's `host:port`: what a user needs to see in an error.
    pub fn target(&self) -> &str {
        &self.target
    }

    /// The URL handed to the driver.
    pub(crate) fn connect_url(&self) -> String {
        match self.backend {
            Backend::Postgres => self.raw.clone(),
            Backend::Sqlite if self.is_memory() => "sqlite::memory:".into(),
            Backend::Sqlite => {
                if self.raw.contains("mode=") {
                    self.raw.clone()
                } else if self.raw.contains('?') {
                    format!("{}&mode=rwc", self.raw)
                } else {
                    format!("{}?mode=rwc", self.raw)
                }
            }
        }
    }

    /// The URL with the password replaced by `***`.
    pub fn redacted(&self) -> String {
        match url::Url::parse(&self.raw) {
            Ok(mut u) if u.password().is_some() => {
                let _ = u.set_password(Some("***"));
                u.to_string()
            }
            _ => self.raw.clone(),
        }
    }
}

impl fmt::Display for DbUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl FromStr for DbUrl {
    type Err = StoreError;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let bad = |reason: &str| StoreError::BadUrl {
            url: raw.to_string(),
            reason: reason.to_string(),
        };
        let raw = raw.trim();
        if let Some(rest) = raw.strip_prefix("sqlite:") {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            let path = path.split('?').next().unwrap_or_default();
            if path.is_empty() {
                return Err(bad(
                    "expected a file after sqlite://, e.g. sqlite://postmarket.db or sqlite::memory:",
                ));
            }
            return Ok(Self {
                backend: Backend::Sqlite,
                raw: raw.to_string(),
                target: path.to_string(),
            });
        }
        if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            let parsed = url::Url::parse(raw)
                .map_err(|e| bad(&format!("{e}; expected postgres://USER@HOST:PORT/DATABASE")))?;
            let host = parsed
                .host_str()
                .filter(|h| !h.is_empty())
                .ok_or_else(|| bad("no host; expected postgres://USER@HOST:PORT/DATABASE"))?;
            if parsed.path().trim_matches('/').is_empty() {
                return Err(bad(
                    "no database name; expected postgres://USER@HOST:PORT/DATABASE",
                ));
            }
            let port = parsed.port().unwrap_or(5432);
            return Ok(Self {
                backend: Backend::Postgres,
                raw: raw.to_string(),
                target: format!("{host}:{port}"),
            });
        }
        let scheme = raw.split(':').next().unwrap_or_default();
        Err(bad(&format!(
            "unsupported scheme {scheme:?}; expected sqlite://FILE or postgres://USER@HOST:PORT/DATABASE"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_get_create_mode_and_keep_their_path() {
        let u: DbUrl = "sqlite://postmarket.db".parse().unwrap();
        assert_eq!(u.backend(), Backend::Sqlite);
        assert_eq!(u.target(), "postmarket.db");
        assert_eq!(u.connect_url(), "sqlite://postmarket.db?mode=rwc");
        let m: DbUrl = "sqlite::memory:".parse().unwrap();
        assert!(m.is_memory());
    }

    #[test]
    fn postgres_urls_name_host_and_port_and_hide_passwords() {
        let u: DbUrl = "postgres://pm:secret@db.example:6543/pm".parse().unwrap();
        assert_eq!(u.target(), "db.example:6543");
        assert!(!u.redacted().contains("secret"));
        let d: DbUrl = "postgresql://postgres@127.0.0.1/test".parse().unwrap();
        assert_eq!(d.target(), "127.0.0.1:5432");
    }

    #[test]
    fn malformed_urls_say_what_was_expected() {
        for bad in [
            "mysql://x/y",
            "postmarket.db",
            "sqlite://",
            "postgres://",
            "postgres://host:notaport/db",
            "postgres://host:5432",
        ] {
            let err = bad.parse::<DbUrl>().unwrap_err().to_string();
            assert!(err.contains("expected"), "{bad}: {err}");
        }
    }
}

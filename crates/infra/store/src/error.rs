use crate::DbUrl;

/// Everything the store can refuse or fail at. [`StoreError::is_user_error`] separates the user's
/// mistakes (exit 2, HTTP 4xx) from the environment's (exit 3, HTTP 5xx).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("bad database URL {url:?}: {reason}")]
    BadUrl { url: String, reason: String },

    #[error("cannot reach PostgreSQL at {target}: {reason}")]
    Unreachable { target: String, reason: String },

    #[error("{path} is not a SQLite database (SQLite: {reason})")]
    NotADatabase { path: String, reason: String },

    #[error("cannot open SQLite database {path}: {reason}")]
    CannotOpen { path: String, reason: String },

    #[error("{0}")]
    Invalid(#[from] postmarket_model::InvalidValue),

    #[error("{what} already exists")]
    Duplicate { what: String },

    #[error("{what} not found{hint}")]
    NotFound { what: String, hint: String },

    #[error("{0}")]
    Refused(String),

    #[error("{file}:{line}: {message}")]
    BadBackup {
        file: String,
        line: usize,
        message: String,
    },

    #[error("this database has {applied} migrations but this postmarket knows only {known}: upgrade postmarket")]
    SchemaTooNew { applied: usize, known: usize },

    #[error("stored data is not as Postmarket wrote it: {0} (run `postmarket db verify`)")]
    Corrupt(String),

    #[error("migration failed: {0}")]
    Migrate(#[source] sqlx::migrate::MigrateError),

    #[error("I/O error on {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },

    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
}

impl StoreError {
    /// True when the user can fix it by changing what they asked for.
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            Self::BadUrl { .. }
                | Self::NotADatabase { .. }
                | Self::Invalid(_)
                | Self::Duplicate { .. }
                | Self::NotFound { .. }
                | Self::Refused(_)
                | Self::BadBackup { .. }
        )
    }

    pub fn is_not_found(&self) -> bool {
        matches!(self, Self::NotFound { .. })
    }

    pub(crate) fn not_found(what: impl Into<String>) -> Self {
        Self::NotFound {
            what: what.into(),
            hint: String::new(),
        }
    }

    pub(crate) fn from_connect(url: &DbUrl, e: sqlx::Error) -> Self {
        match url.backend() {
            crate::Backend::Postgres => match e {
                sqlx::Error::Database(_) => Self::Unreachable {
                    target: url.target().to_string(),
                    reason: e.to_string(),
                },
                sqlx::Error::Io(io) => Self::Unreachable {
                    target: url.target().to_string(),
                    reason: io.to_string(),
                },
                sqlx::Error::PoolTimedOut => Self::Unreachable {
                    target: url.target().to_string(),
                    reason: "timed out waiting for a connection".into(),
                },
                other => Self::Unreachable {
                    target: url.target().to_string(),
                    reason: other.to_string(),
                },
            },
            crate::Backend::Sqlite => Self::from_probe(url, e),
        }
    }

    pub(crate) fn from_probe(url: &DbUrl, e: sqlx::Error) -> Self {
        if url.backend() == crate::Backend::Sqlite {
            let msg = e.to_string();
            let code = match &e {
                sqlx::Error::Database(db) => db.code().map(|c| c.to_string()),
                _ => None,
            };
            // SQLITE_NOTADB (26): the file exists but is not a database.
            if code.as_deref() == Some("26") || msg.contains("not a database") {
                return Self::NotADatabase {
                    path: url.target().to_string(),
                    reason: msg,
                };
            }
            return Self::CannotOpen {
                path: url.target().to_string(),
                reason: msg,
            };
        }
        Self::from_connect(url, e)
    }
}

/// Maps a unique-constraint violation to a [`StoreError::Duplicate`] naming the thing.
pub(crate) fn duplicate_or(e: sqlx::Error, what: impl FnOnce() -> String) -> StoreError {
    if let sqlx::Error::Database(db) = &e {
        if db.is_unique_violation() {
            return StoreError::Duplicate { what: what() };
        }
    }
    StoreError::Database(e)
}

//! Postmarket's store: one interface, two real databases (DESIGN.md §7 "Storage").
//!
//! SQLite is the embedded default and PostgreSQL the multi-user store; the backend is chosen by the
//! URL scheme. Queries go through sqlx's `Any` driver with the same SQL on both (`$n` parameters,
//! portable types: integers, text, JSON kept as text), so both backends run the same code and the
//! same conformance suite. Every write goes through [`audit::Write`], which appends a hash-chained
//! audit event in the same transaction.

pub mod audit;
mod backup;
mod bulk;
pub mod cases;
mod cvd;
mod db_url;
mod devices;
mod error;
pub mod feeds;
mod findings;
mod sboms;
mod schema;
mod users;
mod verify;
mod vulns;

use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, ConnectOptions, Connection, Executor};

pub use audit::{AuditEvent, GENESIS_HASH};
pub use backup::{BackupSummary, RestoreSummary};
pub use cases::{CaseWrite, Fields, CASE_TABLES};
pub use cvd::{CvdAttachmentMeta, CvdAttachmentRow, CvdReportRow, NewCvdAttachment, NewCvdReport};
pub use db_url::{Backend, DbUrl};
pub use error::StoreError;
pub use findings::{
    FindingEvent, FindingFilter, FindingRow, MatchRun, MatchScope, NewFinding, NewMatchRun,
    NewVexStatement, VexStatementRow,
};
pub use sboms::{
    sha256_hex, ReleaseSbomSummary, SbomDocument, SbomRevision, SbomStored, SbomTarget,
    StoredComponent, SupportOverride,
};
pub use schema::table_names;
pub use users::{ApiTokenRow, NewApiToken, NewUserRow, SessionRow, UserChange, UserRow};
pub use verify::{Breach, VerifyReport};
pub use vulns::{
    save_sync_state, ConfigurationRow, CsafStatusRow, EpssRow, KevRow, PackageRow, SearchHit,
    SourceCounts, StoredRecord, SyncState, VulnData, VulnRow,
};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// A handle on one Postmarket database. Cheap to clone (it holds a connection pool).
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    url: DbUrl,
}

impl Store {
    /// Connects to the database named by `url` without changing it. A missing SQLite file is
    /// created (empty) so that `db migrate` can fill it.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let url: DbUrl = url.parse()?;
        sqlx::any::install_default_drivers();
        let options: AnyConnectOptions = url
            .connect_url()
            .parse::<AnyConnectOptions>()
            .map_err(|e| StoreError::BadUrl {
                url: url.redacted(),
                reason: e.to_string(),
            })?
            .disable_statement_logging();
        let backend = url.backend();
        let in_memory = url.is_memory();
        check_sqlite_header(&url)?;
        if backend == Backend::Postgres {
            // One direct attempt first: the pool would retry a refused connection until its
            // timeout and then report only the timeout, not the reason.
            let conn = sqlx::AnyConnection::connect_with(&options)
                .await
                .map_err(|e| StoreError::from_connect(&url, e))?;
            let _ = conn.close().await;
        }
        let pool = AnyPoolOptions::new()
            // An in-memory SQLite database lives in one connection; sharing it needs exactly one.
            .max_connections(match (backend, in_memory) {
                (Backend::Sqlite, true) => 1,
                (Backend::Sqlite, false) => 4,
                (Backend::Postgres, _) => 8,
            })
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // Foreign keys are off by default in SQLite; the busy timeout makes a
                        // second writer wait for the first instead of failing at once.
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA busy_timeout = 10000").await?;
                        conn.execute("PRAGMA synchronous = NORMAL").await?;
                        // 64 MiB of page cache (default 2 MiB): bulk feed imports touch indexes
                        // far larger than the default, and re-read evicted pages otherwise.
                        conn.execute("PRAGMA cache_size = -65536").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(|e| StoreError::from_connect(&url, e))?;
        let store = Self { pool, url };
        store.probe().await?;
        Ok(store)
    }

    /// Connects and brings the schema up to date: what every command but `db migrate` wants.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let store = Self::connect(url).await?;
        store.migrate().await?;
        Ok(store)
    }

    /// First contact: turns "this file is not a database" and friends into clear errors, and puts
    /// a SQLite file into WAL mode (a property of the file, so once is enough).
    async fn probe(&self) -> Result<(), StoreError> {
        let check = match self.backend() {
            Backend::Sqlite => "SELECT count(*) FROM sqlite_master",
            Backend::Postgres => "SELECT 1",
        };
        self.pool
            .execute(check)
            .await
            .map_err(|e| StoreError::from_probe(&self.url, e))?;
        if self.backend() == Backend::Sqlite && !self.url.is_memory() {
            self.pool
                .execute("PRAGMA journal_mode = WAL")
                .await
                .map_err(|e| StoreError::from_probe(&self.url, e))?;
        }
        Ok(())
    }

    /// Applies pending migrations; returns how many were applied.
    pub async fn migrate(&self) -> Result<usize, StoreError> {
        let migrator = self.migrator();
        let before = self.applied_migrations().await?;
        let known = migrator.iter().count();
        if before > known {
            return Err(StoreError::SchemaTooNew {
                applied: before,
                known,
            });
        }
        migrator
            .run(&self.pool)
            .await
            .map_err(StoreError::Migrate)?;
        Ok(self.applied_migrations().await? - before)
    }

    fn migrator(&self) -> &'static sqlx::migrate::Migrator {
        match self.backend() {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        }
    }

    /// How many migrations this database has had (0 for a new database).
    pub async fn applied_migrations(&self) -> Result<usize, StoreError> {
        let exists_sql = match self.backend() {
            Backend::Sqlite => {
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'"
            }
            Backend::Postgres => {
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'"
            }
        };
        let exists: i64 = sqlx::query_scalar(exists_sql).fetch_one(&self.pool).await?;
        if exists == 0 {
            return Ok(0);
        }
        let n: i64 =
            sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_one(&self.pool)
                .await?;
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// The number of migrations compiled into this binary.
    pub fn known_migrations(&self) -> usize {
        self.migrator().iter().count()
    }

    pub fn backend(&self) -> Backend {
        self.url.backend()
    }

    /// The database URL with any password masked, for messages and logs.
    pub fn display_url(&self) -> String {
        self.url.redacted()
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Closes the pool, waiting for connections to finish (SQLite checkpoints its WAL then).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// A file that exists and is not empty must start with SQLite's magic header; checking it here
/// gives a clear error at once instead of a failing connection retried until a timeout.
fn check_sqlite_header(url: &DbUrl) -> Result<(), StoreError> {
    use std::io::Read;
    if url.backend() != Backend::Sqlite || url.is_memory() {
        return Ok(());
    }
    let path = std::path::Path::new(url.target());
    let Ok(mut file) = std::fs::File::open(path) else {
        return Ok(()); // missing: SQLite creates it
    };
    let mut header = [0_u8; 16];
    let read = file.read(&mut header).unwrap_or(0);
    if read == 0 || header == *b"SQLite format 3\0" {
        return Ok(());
    }
    Err(StoreError::NotADatabase {
        path: url.target().to_string(),
        reason: "it does not start with the SQLite file header".into(),
    })
}

/// The current UTC time as stored in the audit chain: RFC 3339 with microseconds, always `Z`.
pub fn now_rfc3339() -> String {
    let now = time::OffsetDateTime::now_utc();
    let format = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z"
    );
    now.format(&format)
        .unwrap_or_else(|_| now.unix_timestamp().to_string())
}

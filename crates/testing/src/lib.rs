//! Test support: where the real-data corpus is, and throwaway PostgreSQL databases.
//!
//! Real data stays outside the repository (`../shared/data` beside the project root, or
//! `POSTMARKET_CORPUS`). A test that needs it calls [`corpus`]: when the corpus is absent the test
//! says so and is skipped, unless `POSTMARKET_CORPUS` is set, in which case it must be there and
//! the test fails loudly. CI sets it, so there those tests cannot skip.
//!
//! PostgreSQL tests run when `POSTMARKET_TEST_PG` names a server database
//! (e.g. `postgres://postgres@127.0.0.1:5432/test`); each test gets a database of its own on that
//! server, dropped when the test ends. When the variable is set the server must be reachable.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::{Connection, Executor};

/// The project's root (the workspace folder).
pub fn workspace_root() -> PathBuf {
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    here.ancestors()
        .find(|p| p.join("Cargo.lock").exists() || p.join(".ci").exists())
        .unwrap_or(here)
        .to_path_buf()
}

/// The real-data corpus (`shared/data`), or `None` (after saying why) when a test should skip.
///
/// # Panics
/// When `POSTMARKET_CORPUS` is set but does not name a directory: then the data is mandatory.
pub fn corpus(test: &str) -> Option<PathBuf> {
    if let Ok(dir) = std::env::var("POSTMARKET_CORPUS") {
        let dir = PathBuf::from(dir);
        assert!(
            dir.is_dir(),
            "{test}: POSTMARKET_CORPUS={} is not a directory; the real-data tests need it",
            dir.display()
        );
        return Some(dir);
    }
    let default = workspace_root().join("../shared/data");
    if default.is_dir() {
        return Some(default);
    }
    eprintln!(
        "{test}: skipped: the real-data corpus is missing (looked for ../shared/data beside the \
         project; set POSTMARKET_CORPUS to its folder)"
    );
    None
}

/// The `shared/` folder beside the corpus (FDA requirements, oracle tools).
pub fn shared(test: &str) -> Option<PathBuf> {
    corpus(test).and_then(|data| data.parent().map(Path::to_path_buf))
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A database of its own on the test PostgreSQL server.
#[derive(Debug)]
pub struct PgTestDb {
    pub url: String,
    pub name: String,
    admin_url: String,
}

impl PgTestDb {
    /// Creates a fresh database, or returns `None` (after saying so) when `POSTMARKET_TEST_PG` is
    /// unset.
    ///
    /// # Panics
    /// When `POSTMARKET_TEST_PG` is set but the server cannot be reached or refuses.
    pub async fn create(test: &str) -> Option<Self> {
        let Ok(admin_url) = std::env::var("POSTMARKET_TEST_PG") else {
            eprintln!("{test}: skipped on PostgreSQL: set POSTMARKET_TEST_PG=postgres://USER@HOST:PORT/DB to run it");
            return None;
        };
        let parsed = url::Url::parse(&admin_url)
            .unwrap_or_else(|e| panic!("POSTMARKET_TEST_PG={admin_url} is not a URL: {e}"));
        let base = parsed.path().trim_matches('/').to_string();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!(
            "{}_t{}_{}_{}",
            base.chars().take(30).collect::<String>(),
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            nanos % 100_000
        )
        .to_lowercase();
        let mut admin = sqlx::PgConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("POSTMARKET_TEST_PG={admin_url}: cannot connect: {e}"));
        admin
            .execute(format!("CREATE DATABASE \"{name}\"").as_str())
            .await
            .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
        let _ = admin.close().await;
        let mut db_url = parsed.clone();
        db_url.set_path(&format!("/{name}"));
        Some(Self {
            url: db_url.to_string(),
            name,
            admin_url,
        })
    }

    /// Drops the database (forcing other sessions off it).
    pub async fn drop_db(self) {
        if let Ok(mut admin) = sqlx::PgConnection::connect(&self.admin_url).await {
            let _ = admin
                .execute(format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.name).as_str())
                .await;
            let _ = admin.close().await;
        }
    }
}

/// A SQLite database file in a fresh temporary folder; keep the folder alive while you use it.
pub fn sqlite_url(dir: &Path, file: &str) -> String {
    format!("sqlite://{}", dir.join(file).display())
}

//! The `postmarket` binary as a user meets it: real processes, real files, real databases,
//! real HTTP. PostgreSQL cases run when `POSTMARKET_TEST_PG` is set.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use postmarket_testing::{sqlite_url, PgTestDb};

const BIN: &str = env!("CARGO_BIN_EXE_postmarket");

fn pm(dir: &Path, db: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(dir)
        .env("POSTMARKET_DB", db)
        .env("POSTMARKET_ACTOR", "tester")
        .env_remove("POSTMARKET_LOG")
        .args(args)
        .output()
        .expect("run postmarket")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Asserts exit code, and that stderr is one clear line with no panic or backtrace.
fn assert_clean_error(out: &Output, code: i32, must_contain: &[&str]) {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(code), "stderr: {err}");
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "one line expected: {err}"
    );
    assert!(err.starts_with("postmarket: "), "{err}");
    for needle in must_contain {
        assert!(err.contains(needle), "{needle:?} not in {err}");
    }
    for bad in ["panicked", "RUST_BACKTRACE", "stack backtrace"] {
        assert!(!err.contains(bad), "{err}");
    }
}

fn add_pump(dir: &Path, db: &str) {
    let out = pm(
        dir,
        db,
        &[
            "device",
            "add",
            "Infusion Pump",
            "--product-line",
            "Infusion",
            "--class",
            "II",
            "--pathway",
            "510k",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn malformed_db_url_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    for url in [
        "mysql://root@localhost/pm",
        "postmarket.db",
        "postgres://host:port/db",
    ] {
        let out = pm(dir.path(), url, &["device", "list"]);
        assert_clean_error(&out, 2, &["bad database URL", "expected"]);
    }
}

#[test]
fn unreachable_postgres_names_host_and_port() {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = pm(
        dir.path(),
        "postgres://postgres@127.0.0.1:1/test",
        &["device", "list"],
    );
    assert_clean_error(&out, 3, &["cannot reach PostgreSQL at 127.0.0.1:1"]);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "refused connections fail fast"
    );
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.db");
    std::fs::write(&file, "these are my notes, not a database\n").unwrap();
    let out = pm(dir.path(), "sqlite://notes.db", &["device", "list"]);
    assert_clean_error(&out, 2, &["notes.db is not a SQLite database"]);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "these are my notes, not a database\n"
    );
}

#[test]
fn device_and_release_commands_round_trip_with_json() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path(), "pm.db");
    add_pump(dir.path(), &db);
    let dup = pm(
        dir.path(),
        &db,
        &[
            "device",
            "add",
            "infusion pump",
            "--product-line",
            "X",
            "--class",
            "II",
            "--pathway",
            "pma",
        ],
    );
    assert_clean_error(&dup, 2, &["device \"infusion pump\" already exists"]);

    let out = pm(
        dir.path(),
        &db,
        &[
            "release",
            "add",
            "Infusion Pump",
            "4.2.0",
            "--released-at",
            "2023-06-15",
            "--end-of-support",
            "2030-06-15",
            "--install-base",
            "3400",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let bad_date = pm(
        dir.path(),
        &db,
        &[
            "release",
            "add",
            "Infusion Pump",
            "5",
            "--released-at",
            "2023-02-30",
        ],
    );
    assert_eq!(bad_date.status.code(), Some(2));
    assert!(text(&bad_date.stderr).contains("expected YYYY-MM-DD"));
    let eos_before = pm(
        dir.path(),
        &db,
        &[
            "release",
            "add",
            "Infusion Pump",
            "5",
            "--released-at",
            "2024-01-02",
            "--end-of-support",
            "2024-01-01",
        ],
    );
    assert_clean_error(
        &eos_before,
        2,
        &["end of support", "on or after the release date"],
    );
    let unknown = pm(dir.path(), &db, &["release", "add", "Pump", "1.0"]);
    assert_clean_error(
        &unknown,
        2,
        &["device \"Pump\" not found", "did you mean Infusion Pump"],
    );

    let list = pm(dir.path(), &db, &["--json", "device", "list"]);
    let v: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(v[0]["name"], "Infusion Pump");
    assert_eq!(v[0]["class"], "II");
    assert_eq!(v[0]["pathway"], "510k");
    assert_eq!(v[0]["releases"], 1);
    assert_eq!(v[0]["install_base"], 3400);

    let show = pm(
        dir.path(),
        &db,
        &["--json", "device", "show", "infusion pump"],
    );
    let v: serde_json::Value = serde_json::from_slice(&show.stdout).unwrap();
    assert_eq!(v["releases"][0]["version"], "4.2.0");
    assert_eq!(v["releases"][0]["end_of_support"], "2030-06-15");

    let table = pm(dir.path(), &db, &["release", "list"]);
    let t = text(&table.stdout);
    assert!(t.lines().next().unwrap().starts_with("DEVICE"), "{t}");
    assert!(t.contains("Infusion Pump  4.2.0"), "{t}");

    let verify = pm(dir.path(), &db, &["db", "verify"]);
    assert_eq!(verify.status.code(), Some(0));
    assert!(text(&verify.stdout).starts_with("ok: 2 audit events verified"));
}

#[test]
fn verify_names_the_seq_edited_with_sqlite3() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path(), "pm.db");
    for i in 0..5 {
        let out = pm(
            dir.path(),
            &db,
            &[
                "device",
                "add",
                &format!("Device {i}"),
                "--product-line",
                "L",
                "--class",
                "I",
                "--pathway",
                "exempt",
            ],
        );
        assert!(out.status.success());
    }
    let status = Command::new("sqlite3")
        .arg(dir.path().join("pm.db"))
        .arg("UPDATE audit_events SET actor = 'mallory' WHERE seq = 3;")
        .status()
        .expect("sqlite3 is installed");
    assert!(status.success());
    let out = pm(dir.path(), &db, &["db", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    let s = text(&out.stdout);
    assert!(
        s.contains("BROKEN: first broken link at seq 3: device 3"),
        "{s}"
    );
    let json = pm(dir.path(), &db, &["--json", "db", "verify"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert_eq!(v["first_broken"]["seq"], 3);
}

#[tokio::test]
async fn verify_names_the_seq_edited_with_psql_on_postgres() {
    let Some(pg) = PgTestDb::create("verify_names_the_seq_edited_with_psql_on_postgres").await
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    add_pump(dir.path(), &pg.url);
    add_pump_release(dir.path(), &pg.url, "1.0");
    add_pump_release(dir.path(), &pg.url, "1.1");
    let status = Command::new("psql")
        .arg(&pg.url)
        .args(["-q", "-c", "DELETE FROM audit_events WHERE seq = 2"])
        .status()
        .expect("psql is installed");
    assert!(status.success());
    let out = pm(dir.path(), &pg.url, &["db", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("first broken link at seq 2"),
        "{}",
        text(&out.stdout)
    );
    pg.drop_db().await;
}

fn add_pump_release(dir: &Path, db: &str, v: &str) {
    let out = pm(dir, db, &["release", "add", "Infusion Pump", v]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// Starts `device add` with a pause inside its transaction, kills it there with SIGKILL, and
/// checks that nothing of it is left and the chain still verifies.
fn killed_mid_write_leaves_nothing(db: &str) {
    let dir = tempfile::tempdir().unwrap();
    add_pump(dir.path(), db);
    let mut child = Command::new(BIN)
        .current_dir(dir.path())
        .env("POSTMARKET_DB", db)
        .env("POSTMARKET_TEST_STALL_BEFORE_COMMIT_MS", "60000")
        .args([
            "device",
            "add",
            "Half Written",
            "--product-line",
            "X",
            "--class",
            "II",
            "--pathway",
            "pma",
        ])
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    stderr.read_line(&mut line).unwrap();
    assert!(line.contains("stalling"), "{line}");
    child.kill().unwrap(); // SIGKILL: no destructor, no rollback by the process itself
    child.wait().unwrap();

    let list = pm(dir.path(), db, &["--json", "device", "list"]);
    let v: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 1, "{v}");
    let verify = pm(dir.path(), db, &["--json", "db", "verify"]);
    let v: serde_json::Value = serde_json::from_slice(&verify.stdout).unwrap();
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["events"], 1);
    // And the next write goes on from the same head.
    add_pump_release(dir.path(), db, "2.0");
    let verify = pm(dir.path(), db, &["db", "verify"]);
    assert_eq!(verify.status.code(), Some(0));
}

#[test]
fn killed_mid_write_leaves_nothing_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    killed_mid_write_leaves_nothing(&sqlite_url(dir.path(), "pm.db"));
}

#[tokio::test]
async fn killed_mid_write_leaves_nothing_on_postgres() {
    let Some(pg) = PgTestDb::create("killed_mid_write_leaves_nothing_on_postgres").await else {
        return;
    };
    let url = pg.url.clone();
    tokio::task::spawn_blocking(move || killed_mid_write_leaves_nothing(&url))
        .await
        .unwrap();
    pg.drop_db().await;
}

#[tokio::test]
async fn backup_from_sqlite_restores_into_postgres_and_back() {
    let dir = tempfile::tempdir().unwrap();
    let lite = sqlite_url(dir.path(), "pm.db");
    add_pump(dir.path(), &lite);
    add_pump_release(dir.path(), &lite, "1.0");
    let out = pm(dir.path(), &lite, &["--json", "db", "backup", "snap.jsonl"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let head = summary["head_hash"].as_str().unwrap().to_string();

    let lite2 = sqlite_url(dir.path(), "copy.db");
    let out = pm(
        dir.path(),
        &lite2,
        &["--json", "db", "restore", "snap.jsonl"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verify"]["head_hash"], head.as_str());

    let Some(pg) = PgTestDb::create("backup_from_sqlite_restores_into_postgres_and_back").await
    else {
        return;
    };
    let out = pm(
        dir.path(),
        &pg.url,
        &["--json", "db", "restore", "snap.jsonl"],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verify"]["ok"], true);
    assert_eq!(v["verify"]["head_hash"], head.as_str());
    let out = pm(dir.path(), &pg.url, &["db", "backup", "from-pg.jsonl"]);
    assert!(out.status.success());
    let lite3 = sqlite_url(dir.path(), "back.db");
    let out = pm(
        dir.path(),
        &lite3,
        &["--json", "db", "restore", "from-pg.jsonl"],
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["verify"]["head_hash"], head.as_str());
    pg.drop_db().await;
}

/// A served process, killed when dropped.
struct Served {
    child: Child,
    base: String,
    first_line: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// The child moves into `Served`, whose Drop kills and waits for it.
#[allow(clippy::zombie_processes)]
fn start(dir: &Path, db: Option<&str>, args: &[&str]) -> Served {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    match db {
        Some(db) => cmd.env("POSTMARKET_DB", db),
        None => cmd.env_remove("POSTMARKET_DB"),
    };
    let mut child = cmd.spawn().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut first_line = String::new();
    let mut line = String::new();
    loop {
        line.clear();
        if out.read_line(&mut line).unwrap_or(0) == 0 {
            let _ = child.kill();
            let status = child.wait();
            panic!("server exited before printing its URL: {status:?}");
        }
        if first_line.is_empty() {
            first_line = line.clone();
        }
        if let Some(i) = line.find("http://") {
            let base = line[i..]
                .split_whitespace()
                .next()
                .unwrap()
                .trim_end_matches('/')
                .to_string();
            return Served {
                child,
                base,
                first_line,
            };
        }
    }
}

thread_local! {
    /// The API token the current test's requests carry (pages need an account).
    static BEARER: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Creates an admin account and a read token on `db` through the binary; later `get`s carry it.
fn sign_in_as_admin(dir: &Path, db: &str) {
    let mut add = Command::new(BIN)
        .current_dir(dir)
        .env("POSTMARKET_DB", db)
        .args([
            "-q",
            "user",
            "add",
            "t-admin",
            "--admin",
            "--password-stdin",
        ])
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    add.stdin
        .take()
        .unwrap()
        .write_all(b"a long test password\n")
        .unwrap();
    assert!(add.wait().unwrap().success());
    let out = pm(
        dir,
        db,
        &["token", "create", "--user", "t-admin", "--scope", "read"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let token = text(&out.stdout).trim().to_string();
    BEARER.with(|b| *b.borrow_mut() = token);
}

/// A minimal HTTP/1.1 GET: status, headers (lower-cased names) and body.
fn get(base: &str, path: &str) -> (u16, Vec<(String, String)>, String) {
    let host = base.trim_start_matches("http://");
    let mut s = TcpStream::connect(host).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let auth = BEARER.with(|b| {
        let b = b.borrow();
        if b.is_empty() {
            String::new()
        } else {
            format!("Authorization: Bearer {b}\r\n")
        }
    });
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {host}\r\n{auth}Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status: u16 = lines
        .next()
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    (status, headers, body.to_string())
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

#[test]
fn serve_answers_health_and_lists_devices_with_security_headers() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path(), "pm.db");
    add_pump(dir.path(), &db);
    let served = start(dir.path(), Some(&db), &["serve", "--listen", "127.0.0.1:0"]);
    let (status, _, _) = get(&served.base, "/");
    assert_eq!(status, 303, "pages need an account");
    sign_in_as_admin(dir.path(), &db);
    let (status, _, body) = get(&served.base, "/healthz");
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(body.trim()).unwrap_or_else(|_| {
        // chunked transfer: the JSON is the line between the chunk sizes
        serde_json::from_str(body.lines().nth(1).unwrap()).unwrap()
    });
    assert_eq!(v["status"], "ok");
    assert_eq!(v["database"], "sqlite");

    let (status, headers, body) = get(&served.base, "/");
    assert_eq!(status, 200);
    assert!(body.contains("Infusion Pump"), "{body}");
    let csp = header(&headers, "content-security-policy").unwrap();
    assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"));
    assert_eq!(header(&headers, "x-content-type-options"), Some("nosniff"));

    let (status, _, body) = get(&served.base, "/devices/Infusion%20Pump");
    assert_eq!(status, 200);
    assert!(body.contains("Infusion"), "{body}");
    let (status, _, _) = get(&served.base, "/devices/Nope");
    assert_eq!(status, 404);
    let (status, _, _) = get(&served.base, "/no/such/page");
    assert_eq!(status, 404);
}

#[test]
fn demo_creates_then_reuses_its_database_and_serves_the_portfolio() {
    let dir = tempfile::tempdir().unwrap();
    {
        let served = start(dir.path(), None, &["demo", "--listen", "127.0.0.1:0"]);
        assert!(
            served.first_line.contains("loaded the demo portfolio"),
            "{}",
            served.first_line
        );
        sign_in_as_admin(dir.path(), "sqlite://postmarket-demo.db");
        let (status, _, body) = get(&served.base, "/");
        assert_eq!(status, 200);
        for name in [
            "Infusion Pump IP-300",
            "Insulin Pump IX",
            "Patient Monitor PM-7",
        ] {
            assert!(body.contains(name), "{name} missing");
        }
    }
    assert!(dir.path().join("postmarket-demo.db").exists());
    let served = start(dir.path(), None, &["demo", "--listen", "127.0.0.1:0"]);
    assert!(
        served.first_line.contains("already there"),
        "{}",
        served.first_line
    );
    drop(served);
    let verify = pm(dir.path(), "sqlite://postmarket-demo.db", &["db", "verify"]);
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify.stdout));
}

#[test]
fn version_and_help_work_without_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN)
        .current_dir(dir.path())
        .arg("--version")
        .output()
        .unwrap();
    assert!(text(&out.stdout).starts_with("postmarket "));
    let out = Command::new(BIN)
        .current_dir(dir.path())
        .args(["no-such-command"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "nothing created"
    );
}

#[test]
fn device_and_release_pages_show_sboms_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path(), "pm.db");
    add_pump(dir.path(), &db);
    std::fs::write(
        dir.path().join("x.json"),
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[
          {"type":"library","bom-ref":"a","name":"<script>alert(1)</script>","version":"1","purl":"pkg:generic/zlib@1.3.1"},
          {"type":"library","bom-ref":"b","name":"openssl","version":"3.0.13","supplier":{"name":"OpenSSL"}}]}"#,
    )
    .unwrap();
    let out = pm(
        dir.path(),
        &db,
        &[
            "release",
            "add",
            "Infusion Pump",
            "1.0/β",
            "--sbom",
            "x.json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let out = pm(dir.path(), &db, &["release", "add", "Infusion Pump", "0.1"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let served = start(dir.path(), Some(&db), &["serve", "--listen", "127.0.0.1:0"]);
    sign_in_as_admin(dir.path(), &db);
    let (status, _, body) = get(&served.base, "/devices/Infusion%20Pump");
    assert_eq!(status, 200);
    assert!(
        body.contains("/devices/Infusion%20Pump/releases/1.0%2F%CE%B2"),
        "{body}"
    );
    assert!(body.contains("cyclonedx-json 1.6 · revision 1"), "{body}");
    assert!(
        body.contains(">none<"),
        "the release without an SBOM: {body}"
    );
    let (status, _, body) = get(
        &served.base,
        "/devices/Infusion%20Pump/releases/1.0%2F%CE%B2",
    );
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Components (2)"), "{body}");
    assert!(
        body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{body}"
    );
    assert!(!body.contains("<script>"), "{body}");
    assert!(body.contains("Supplier (NTIA)"), "{body}");
    assert!(body.contains("pkg:generic/zlib@1.3.1"), "{body}");
    let (status, _, body) = get(&served.base, "/devices/Infusion%20Pump/releases/0.1");
    assert_eq!(status, 200);
    assert!(body.contains("No SBOM yet"), "{body}");
    let (status, _, _) = get(&served.base, "/devices/Infusion%20Pump/releases/9.9");
    assert_eq!(status, 404);
}

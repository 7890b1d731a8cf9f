//! `postmarket feeds sync` through the real binary against a real HTTP server on 127.0.0.1
//! serving corpus files (`../shared/data`): NVD paging, a 429 then success, an interruption
//! (exit 3, what was committed stays) and a resume from the checkpoint (exit 0), and a CSAF
//! document whose SHA-512 does not match (refused, exit 1). On SQLite and on PostgreSQL
//! (`POSTMARKET_TEST_PG`).

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

const BIN: &str = env!("CARGO_BIN_EXE_postmarket");

#[derive(Default)]
struct Behaviour {
    /// Answer the next N NVD requests with 429 and `Retry-After: 1`.
    nvd_429: usize,
    /// Answer NVD pages from this startIndex on with 503.
    nvd_fail_from: Option<u64>,
    /// Every NVD startIndex asked for, in order.
    nvd_log: Vec<u64>,
    sent_429: usize,
    files: HashMap<String, Vec<u8>>,
}

struct Server {
    base: String,
    state: Arc<Mutex<Behaviour>>,
}

fn respond(stream: &mut TcpStream, status: &str, extra: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n{extra}\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

fn param(path: &str, name: &str) -> Option<u64> {
    let (_, q) = path.split_once('?')?;
    q.split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .and_then(|(_, v)| v.parse().ok())
}

fn handle(mut stream: TcpStream, state: &Mutex<Behaviour>, nvd: &[serde_json::Value]) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h == "\r\n" || h.is_empty() {
            break;
        }
    }
    let mut s = state.lock().unwrap();
    if path.starts_with("/nvd") {
        let start = param(&path, "startIndex").unwrap_or(0);
        let per = param(&path, "resultsPerPage").unwrap_or(2000) as usize;
        s.nvd_log.push(start);
        if s.nvd_429 > 0 {
            s.nvd_429 -= 1;
            s.sent_429 += 1;
            drop(s);
            return respond(
                &mut stream,
                "429 Too Many Requests",
                "Retry-After: 1\r\n",
                b"",
            );
        }
        if s.nvd_fail_from.is_some_and(|f| start >= f) {
            drop(s);
            return respond(&mut stream, "503 Service Unavailable", "", b"maintenance");
        }
        drop(s);
        let page: Vec<&serde_json::Value> = nvd.iter().skip(start as usize).take(per).collect();
        let body = serde_json::to_vec(&serde_json::json!({
            "resultsPerPage": page.len(), "startIndex": start, "totalResults": nvd.len(),
            "format": "NVD_CVE", "version": "2.0", "timestamp": "2024-03-01T00:00:00.000",
            "vulnerabilities": page,
        }))
        .unwrap();
        return respond(&mut stream, "200 OK", "", &body);
    }
    let body = s.files.get(&path).cloned();
    drop(s);
    match body {
        Some(b) => respond(&mut stream, "200 OK", "", &b),
        None => respond(&mut stream, "404 Not Found", "", b"no such file"),
    }
}

fn serve(nvd: Vec<serde_json::Value>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = Arc::new(Mutex::new(Behaviour::default()));
    let st = Arc::clone(&state);
    let nvd = Arc::new(nvd);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let (st, nvd) = (Arc::clone(&st), Arc::clone(&nvd));
            std::thread::spawn(move || handle(stream, &st, &nvd));
        }
    });
    Server { base, state }
}

fn pm(dir: &Path, db: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(dir)
        .env("POSTMARKET_DB", db)
        .env("POSTMARKET_ACTOR", "tester")
        .env("POSTMARKET_FEEDS_RETRIES", "2")
        .env("POSTMARKET_FEEDS_BACKOFF_MS", "10")
        .env("POSTMARKET_NVD_DELAY_MS", "0")
        .env_remove("POSTMARKET_LOG")
        .env_remove("POSTMARKET_CSAF_KEYS")
        .args(args)
        .output()
        .expect("run postmarket")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The 38 CVEs of a real NVD API 2.0 page plus 23 single records: 61 to page through.
fn nvd_records(root: &Path) -> Vec<serde_json::Value> {
    let dir = root.join("03-nvd-cve/nvd-api-2.0");
    let read = |p: PathBuf| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
    };
    let mut out: Vec<serde_json::Value> = read(dir.join("vunnel/full-page.json"))
        ["vulnerabilities"]
        .as_array()
        .unwrap()
        .clone();
    let mut singles: Vec<PathBuf> = std::fs::read_dir(dir.join("osv.dev-vulnfeeds"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("CVE-"))
        .collect();
    singles.sort();
    for f in singles {
        out.extend(
            read(f)["vulnerabilities"]
                .as_array()
                .unwrap()
                .iter()
                .cloned(),
        );
    }
    out
}

fn nvd_records_stored(dir: &Path, db: &str) -> i64 {
    let out = pm(dir, db, &["--json", "feeds", "status", "--max-age", "1d"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["source"] == "nvd")
        .map_or(0, |s| s["records"].as_i64().unwrap())
}

fn nvd_paging_429_interruption_and_resume(dir: &Path, db: &str, root: &Path) {
    let records = nvd_records(root);
    assert_eq!(records.len(), 61);
    let server = serve(records);
    {
        let mut s = server.state.lock().unwrap();
        s.nvd_429 = 1;
        s.nvd_fail_from = Some(30);
    }
    let nvd_url = format!("{}/nvd", server.base);
    let since = (time::OffsetDateTime::now_utc() - time::Duration::days(30))
        .date()
        .to_string();
    let args = [
        "feeds",
        "sync",
        "--source",
        "nvd",
        "--nvd-url",
        &nvd_url,
        "--nvd-page-size",
        "10",
    ];
    let mut first = args.to_vec();
    first.extend(["--since", since.as_str()]);
    let out = pm(dir, db, &first);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "a failed source exits 3: {err}");
    assert!(err.contains("HTTP 503"), "{err}");
    assert!(
        text(&out.stdout).contains("FAILED"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(server.state.lock().unwrap().sent_429, 1);
    assert_eq!(
        server.state.lock().unwrap().nvd_log[..4],
        [0, 0, 10, 20],
        "page 0 asked twice (429, then success)"
    );
    assert_eq!(nvd_records_stored(dir, db), 30, "the committed pages stay");

    server.state.lock().unwrap().nvd_fail_from = None;
    server.state.lock().unwrap().nvd_log.clear();
    let out = pm(dir, db, &args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        server.state.lock().unwrap().nvd_log,
        [30, 40, 50, 60],
        "resumed from the checkpoint"
    );
    assert_eq!(nvd_records_stored(dir, db), 61);
    let out = pm(dir, db, &["--json", "vuln", "show", "CVE-2024-3094"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let verify = pm(dir, db, &["db", "verify"]);
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify.stdout));
}

fn csaf_hash_mismatch_is_refused(dir: &Path, db: &str, root: &Path) {
    let server = serve(Vec::new());
    let names = ["icsma-24-151-02.json", "icsma-24-200-01.json"];
    let tampered = names[1];
    let mut entries = Vec::new();
    {
        let mut s = server.state.lock().unwrap();
        for n in names {
            let mut doc = std::fs::read(root.join("01-cisa-csaf/icsma").join(n)).unwrap();
            if n == tampered {
                let i = doc.windows(6).position(|w| w == b"\"title").unwrap() + 10;
                doc[i] ^= 0x01;
            }
            s.files.insert(format!("/docs/{n}"), doc);
            let sha = root
                .join("01-cisa-csaf/signatures")
                .join(format!("{n}.sha512"));
            s.files
                .insert(format!("/docs/{n}.sha512"), std::fs::read(sha).unwrap());
            entries.push(serde_json::json!({
                "id": n, "updated": "2024-10-01T00:00:00Z",
                "link": [{"rel": "self", "href": format!("docs/{n}")},
                         {"rel": "hash", "href": format!("docs/{n}.sha512")}],
            }));
        }
        s.files.insert(
            "/feed.json".into(),
            serde_json::to_vec(&serde_json::json!({"feed": {"id": "f", "entry": entries}}))
                .unwrap(),
        );
        s.files.insert(
            "/provider-metadata.json".into(),
            serde_json::to_vec(&serde_json::json!({
                "canonical_url": format!("{}/provider-metadata.json", server.base),
                "distributions": [{"rolie": {"feeds": [{"url": "feed.json"}]}}],
            }))
            .unwrap(),
        );
    }
    let pm_url = format!("{}/provider-metadata.json", server.base);
    let args = [
        "feeds",
        "sync",
        "--source",
        "cisa-csaf",
        "--csaf-url",
        &pm_url,
    ];
    let out = pm(dir, db, &args);
    let err = text(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "a refused document exits 1: {err}"
    );
    assert!(
        err.contains("REFUSED") && err.contains(tampered) && err.contains("SHA-512 mismatch"),
        "{err}"
    );
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("1 document(s) fetched and verified, 1 refused")
            && stdout.contains("OpenPGP signatures NOT checked"),
        "{stdout}"
    );
    let status = pm(dir, db, &["feeds", "status"]);
    assert!(
        text(&status.stdout)
            .contains("cisa-csaf: CSAF documents checked against their SHA-512 only"),
        "{}",
        text(&status.stdout)
    );
    // A key file that is no key: exit 2, naming it, before anything is fetched.
    let junk = dir.join("junk.asc");
    std::fs::write(&junk, "not a key").unwrap();
    let mut with_key = args.to_vec();
    let junk_s = junk.display().to_string();
    with_key.extend(["--csaf-key", junk_s.as_str()]);
    let out = pm(dir, db, &with_key);
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("junk.asc") && err.contains("OpenPGP"), "{err}");
}

fn run_sqlite(test: &str, f: fn(&Path, &str, &Path)) {
    let Some(root) = postmarket_testing::corpus(test) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    f(
        dir.path(),
        &postmarket_testing::sqlite_url(dir.path(), "pm.db"),
        &root,
    );
}

async fn run_postgres(test: &str, f: fn(&Path, &str, &Path)) {
    let Some(root) = postmarket_testing::corpus(test) else {
        return;
    };
    let Some(db) = postmarket_testing::PgTestDb::create(test).await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let url = db.url.clone();
    tokio::task::spawn_blocking(move || f(dir.path(), &url, &root))
        .await
        .unwrap();
    db.drop_db().await;
}

#[test]
fn sqlite_nvd_paging_429_interruption_and_resume() {
    run_sqlite("cli_nvd_sync", nvd_paging_429_interruption_and_resume);
}

#[test]
fn sqlite_csaf_hash_mismatch_is_refused() {
    run_sqlite("cli_csaf_sync", csaf_hash_mismatch_is_refused);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_nvd_paging_429_interruption_and_resume() {
    run_postgres("cli_nvd_sync_pg", nvd_paging_429_interruption_and_resume).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_csaf_hash_mismatch_is_refused() {
    run_postgres("cli_csaf_sync_pg", csaf_hash_mismatch_is_refused).await;
}

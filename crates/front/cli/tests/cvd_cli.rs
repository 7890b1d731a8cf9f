//! `postmarket cvd …` and the intake of `postmarket serve`, through the real binary: spooled
//! reports imported (by the command and at server start), listed with their clocks, shown,
//! acknowledged once; bad input named with exit 2.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

use postmarket_testing::sqlite_url;

const BIN: &str = env!("CARGO_BIN_EXE_postmarket");

fn pm(dir: &Path, db: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(dir)
        .env("POSTMARKET_DB", db)
        .env("POSTMARKET_ACTOR", "psirt:tester")
        .env_remove("POSTMARKET_LOG")
        .env_remove("POSTMARKET_CVD_SPOOL")
        .args(args)
        .output()
        .expect("run postmarket")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn days_ago(n: i64) -> time::Date {
    time::OffsetDateTime::now_utc().date() - time::Duration::days(n)
}

/// A report as the intake spools it when the database cannot take it.
fn spool_report(spool: &Path, id: &str, received: time::Date, ack_days: i64) {
    std::fs::create_dir_all(spool).unwrap();
    let report = serde_json::json!({
        "tracking_id": id,
        "received_at": format!("{received}T08:30:00.000000Z"),
        "channel": "form",
        "spooled": false,
        "reporter_name": "Ada Researcher",
        "reporter_email": "ada@example.org",
        "reporter_pgp_key": null,
        "reporter_organisation": null,
        "product": "Infusion pump",
        "device_name": "Pump A",
        "affected_version": "2.1.0",
        "description": "Unauthenticated firmware upload.",
        "disclosure_deadline": null,
        "ack_days": ack_days,
        "ack_due_on": (received + time::Duration::days(ack_days)).to_string(),
        "attachments": [{
            "file_name": "poc.txt",
            "media_type": "text/plain",
            "size_bytes": 5,
            "sha256": "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
            "content_base64": "aGVsbG8="
        }],
    });
    std::fs::write(
        spool.join(format!("{id}.json")),
        serde_json::to_vec_pretty(&report).unwrap(),
    )
    .unwrap();
}

#[test]
fn spooled_reports_are_imported_listed_shown_and_acknowledged() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path(), "pm.db");
    let spool = dir.path().join("spool");
    spool_report(&spool, "CVD-2026-OVERDUE00001", days_ago(10), 5);
    spool_report(&spool, "CVD-2026-OPEN00000002", days_ago(1), 5);
    std::fs::write(spool.join("broken.json"), "{\"tracking_id\": ").unwrap();

    let spool_arg = spool.display().to_string();
    let out = pm(
        dir.path(),
        &db,
        &["cvd", "import-spool", "--spool", &spool_arg],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "one file failed: {}",
        text(&out.stderr)
    );
    assert!(text(&out.stdout).contains("imported 2, already stored 0, failed 1"));
    let err = text(&out.stderr);
    assert!(
        err.contains("broken.json") && err.contains("line 1 column"),
        "{err}"
    );
    assert!(
        spool.join("broken.json").exists(),
        "a bad file stays for inspection"
    );
    assert!(!spool.join("CVD-2026-OVERDUE00001.json").exists());

    let out = pm(dir.path(), &db, &["cvd", "list"]);
    assert_eq!(out.status.code(), Some(0));
    let list = text(&out.stdout);
    assert!(
        list.contains("CVD-2026-OVERDUE00001") && list.contains("OVERDUE since"),
        "{list}"
    );
    assert!(
        list.contains("CVD-2026-OPEN00000002") && list.contains("(4 days left)"),
        "{list}"
    );

    let out = pm(dir.path(), &db, &["--json", "cvd", "list"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 2);
    assert_eq!(
        json[0]["tracking_id"], "CVD-2026-OPEN00000002",
        "newest first"
    );
    assert_eq!(json[1]["clock"]["state"], "overdue");
    assert_eq!(json[1]["clock"]["days"], 5);
    assert_eq!(json[1]["spooled"], true);

    // Acknowledged three days after receipt: within the five days.
    let at = (days_ago(10) + time::Duration::days(3)).to_string();
    let out = pm(
        dir.path(),
        &db,
        &["cvd", "acknowledge", "cvd-2026-overdue00001", "--at", &at],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("on time"),
        "{}",
        text(&out.stdout)
    );

    let out = pm(
        dir.path(),
        &db,
        &["--json", "cvd", "show", "CVD-2026-OVERDUE00001"],
    );
    assert_eq!(out.status.code(), Some(0));
    let show: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(show["acknowledged_on"], at.as_str());
    assert_eq!(show["clock"]["state"], "on-time");
    assert_eq!(show["attachment_checks"][0]["intact"], true);
    let out = pm(dir.path(), &db, &["cvd", "show", "CVD-2026-OVERDUE00001"]);
    let shown = text(&out.stdout);
    assert!(
        shown.contains("Ada Researcher <ada@example.org>") && shown.contains("poc.txt"),
        "{shown}"
    );

    // Late: acknowledged after the due date.
    let late = days_ago(0).to_string();
    let out = pm(
        dir.path(),
        &db,
        &["cvd", "acknowledge", "CVD-2026-OPEN00000002", "--at", &late],
    );
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stdout).contains("on time"),
        "due in 4 days: {}",
        text(&out.stdout)
    );

    let out = pm(dir.path(), &db, &["db", "verify"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stdout));
}

#[test]
fn bad_acknowledgements_are_refused_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path(), "pm.db");
    let spool = dir.path().join("spool");
    spool_report(&spool, "CVD-2026-AAAAAAAAAAAA", days_ago(3), 5);
    let spool_arg = spool.display().to_string();
    assert_eq!(
        pm(
            dir.path(),
            &db,
            &["cvd", "import-spool", "--spool", &spool_arg]
        )
        .status
        .code(),
        Some(0)
    );
    let refused = |args: &[&str], needle: &str| {
        let out = pm(dir.path(), &db, args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        // Our own refusals start with "postmarket: ", argument errors with clap's "error: ".
        assert!(
            (err.starts_with("postmarket: ") || err.starts_with("error: ")) && err.contains(needle),
            "{needle:?} not in {err}"
        );
        assert!(!err.contains("panicked"), "{err}");
    };
    refused(&["cvd", "show", "CVD-2026-NOPE"], "CVD-2026-NOPE");
    let before = days_ago(4).to_string();
    refused(
        &[
            "cvd",
            "acknowledge",
            "CVD-2026-AAAAAAAAAAAA",
            "--at",
            &before,
        ],
        "cannot come before",
    );
    let future = (days_ago(0) + time::Duration::days(2)).to_string();
    refused(
        &[
            "cvd",
            "acknowledge",
            "CVD-2026-AAAAAAAAAAAA",
            "--at",
            &future,
        ],
        "future",
    );
    refused(
        &[
            "cvd",
            "acknowledge",
            "CVD-2026-AAAAAAAAAAAA",
            "--at",
            "2026-02-30",
        ],
        "2026-02-30",
    );
    let ok = pm(
        dir.path(),
        &db,
        &["cvd", "acknowledge", "CVD-2026-AAAAAAAAAAAA"],
    );
    assert_eq!(ok.status.code(), Some(0), "{}", text(&ok.stderr));
    refused(
        &["cvd", "acknowledge", "CVD-2026-AAAAAAAAAAAA"],
        "already acknowledged",
    );
    refused(&["serve", "--cvd-rate-limit", "lots"], "N/DURATION");
    refused(&["serve", "--security-txt-days", "400"], "400");
}

/// `serve` imports the spool before it listens, then takes reports over HTTP.
#[test]
fn serve_imports_the_spool_at_start_and_takes_reports() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path(), "pm.db");
    let spool = dir.path().join("spool");
    spool_report(&spool, "CVD-2026-WAITING00001", days_ago(0), 5);
    let mut child = Command::new(BIN)
        .current_dir(dir.path())
        .env("POSTMARKET_DB", &db)
        .env("POSTMARKET_CVD_SPOOL", &spool)
        .env("POSTMARKET_CVD_ACK_DAYS", "3")
        .env("POSTMARKET_SECURITY_CONTACT", "psirt@example.com")
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(first.contains("imported 1 spooled CVD report"), "{first}");
    let serving = lines.next().unwrap().unwrap();
    let addr = serving
        .split("http://")
        .nth(1)
        .and_then(|s| s.split('/').next())
        .unwrap()
        .to_string();

    let request = |head: &str, body: &str| -> String {
        let mut tcp = std::net::TcpStream::connect(&addr).unwrap();
        write!(
            tcp,
            "{head}Host: {addr}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut answer = String::new();
        tcp.read_to_string(&mut answer).unwrap();
        answer
    };
    let txt = request("GET /.well-known/security.txt HTTP/1.1\r\n", "");
    assert!(txt.starts_with("HTTP/1.1 200"), "{txt}");
    assert!(txt.contains("Contact: mailto:psirt@example.com"), "{txt}");
    let body = r#"{"reporter_name":"Grace","reporter_email":"grace@example.net","product":"Monitor","affected_version":"4","description":"Telnet open."}"#;
    let created = request(
        "POST /api/v1/cvd-reports HTTP/1.1\r\nContent-Type: application/json\r\n",
        body,
    );
    assert!(created.starts_with("HTTP/1.1 201"), "{created}");
    let due = (days_ago(0) + time::Duration::days(3)).to_string();
    assert!(created.contains(&due), "the configured 3 days: {created}");

    let _ = child.kill();
    let _ = child.wait();
    let out = pm(dir.path(), &db, &["--json", "cvd", "list"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 2, "{json}");
    assert!(!spool.join("CVD-2026-WAITING00001.json").exists());
}

//! The public CVD intake over real HTTP: the server on 127.0.0.1:0, a real client, a real
//! database; form and JSON, limits (413), validation (422 naming the field), rate limit (429 with
//! Retry-After), the spool when the database is locked, and security.txt (RFC 9116).

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use base64::Engine as _;
use postmarket_app::cvd::CvdPolicy;
use postmarket_app::App;
use postmarket_model::Actor;
use postmarket_server::cvd::{CvdSettings, RateLimit};

struct Server {
    rt: tokio::runtime::Runtime,
    app: App,
    base: String,
    addr: SocketAddr,
}

fn start(url: &str, settings: Option<CvdSettings>) -> Server {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (app, listener) = rt.block_on(async {
        let app = App::open(url).await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        (app, listener)
    });
    let addr = listener.local_addr().unwrap();
    let router = match settings {
        // The intake alone, with the settings under test.
        Some(s) => axum::Router::new()
            .merge(postmarket_server::cvd::routes_with(s))
            .with_state(app.clone()),
        // The whole application as `serve` builds it.
        None => postmarket_server::router(app.clone(), postmarket_server::ServerConfig::default()),
    };
    rt.spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    Server {
        rt,
        app,
        base: format!("http://{addr}"),
        addr,
    }
}

fn settings(spool: &Path) -> CvdSettings {
    CvdSettings {
        policy: CvdPolicy {
            ack_days: 7,
            spool_dir: spool.to_path_buf(),
            store_timeout: Duration::from_millis(700),
        },
        rate_limit: RateLimit {
            max: 100,
            window: Duration::from_secs(60),
        },
        ..CvdSettings::default()
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

fn answer(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answer {
    let mut r = r.unwrap();
    let headers = r
        .headers()
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    Answer {
        status: r.status().as_u16(),
        headers,
        body: r
            .body_mut()
            .with_config()
            .limit(20 << 20)
            .read_to_string()
            .unwrap(),
    }
}

fn post_json(base: &str, body: &serde_json::Value) -> Answer {
    answer(
        agent()
            .post(&format!("{base}/api/v1/cvd-reports"))
            .header("Content-Type", "application/json")
            .send(body.to_string()),
    )
}

fn report_json() -> serde_json::Value {
    serde_json::json!({
        "reporter_name": "Ada Researcher",
        "reporter_email": "ada@example.org",
        "reporter_organisation": "Example Labs",
        "product": "Infusion pump",
        "device_name": "Pump A",
        "affected_version": "2.1.0",
        "description": "Unauthenticated firmware upload on the service port.\nSteps attached.",
        "attachments": [{
            "file_name": "poc.py",
            "media_type": "text/x-python",
            "content_base64": base64::engine::general_purpose::STANDARD.encode(b"print('poc')\n"),
        }],
    })
}

/// A multipart/form-data body as a browser sends it.
fn multipart(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----postmarket-test-boundary-7MA4YWxkTrZu0gW";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (file_name, media_type, content) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"attachments\"; filename=\"{file_name}\"\r\nContent-Type: {media_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

fn post_form(base: &str, fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> Answer {
    let (ct, body) = multipart(fields, files);
    answer(
        agent()
            .post(&format!("{base}/report-vulnerability"))
            .header("Content-Type", &ct)
            .send(&body[..]),
    )
}

const FORM: &[(&str, &str)] = &[
    ("reporter_name", "Grace"),
    ("reporter_email", "grace@example.net"),
    ("product", "Patient monitor"),
    ("affected_version", "4.0"),
    ("description", "Telnet is open with a default password."),
    ("disclosure_deadline", ""),
];

fn today_plus(days: i64) -> String {
    (time::OffsetDateTime::now_utc().date() + time::Duration::days(days)).to_string()
}

#[test]
fn json_report_is_stored_and_acknowledged_with_a_tracking_id() {
    let dir = tempfile::tempdir().unwrap();
    let url = postmarket_testing::sqlite_url(dir.path(), "pm.db");
    let s = start(&url, Some(settings(&dir.path().join("spool"))));
    let a = post_json(&s.base, &report_json());
    assert_eq!(a.status, 201, "{}", a.body);
    let j = a.json();
    let id = j["tracking_id"].as_str().unwrap().to_string();
    assert!(id.starts_with("CVD-") && id.len() == 21, "{id}");
    assert_eq!(j["acknowledgement_due_on"], today_plus(7));
    assert_eq!(j["acknowledgement_days"], 7);
    assert!(j["message"].as_str().unwrap().contains(&id));

    let second = post_json(&s.base, &report_json()).json();
    assert_ne!(
        second["tracking_id"], j["tracking_id"],
        "every report its own id"
    );

    let stored =
        s.rt.block_on(s.app.cvd_report(&id, postmarket_app::cvd::today()))
            .unwrap();
    let r = &stored.view.report;
    assert_eq!(r.channel, "api");
    assert_eq!(r.device_name.as_deref(), Some("Pump A"));
    assert_eq!(stored.view.clock.state, "open");
    assert_eq!(stored.view.clock.days, 7);
    let (meta, bytes) = s.rt.block_on(s.app.cvd_attachment(&id, 0)).unwrap();
    assert_eq!(meta.file_name, "poc.py");
    assert_eq!(bytes, b"print('poc')\n");
}

#[test]
fn form_report_is_stored_with_its_files() {
    let dir = tempfile::tempdir().unwrap();
    let url = postmarket_testing::sqlite_url(dir.path(), "pm.db");
    let s = start(&url, Some(settings(&dir.path().join("spool"))));
    let page = answer(
        agent()
            .get(&format!("{}/report-vulnerability", s.base))
            .call(),
    );
    assert_eq!(page.status, 200);
    assert!(page.body.contains("enctype=\"multipart/form-data\""));
    assert!(!page.body.contains("<script") && !page.body.contains("style="));

    let a = post_form(
        &s.base,
        FORM,
        &[
            ("shot.png", "image/png", b"\x89PNG\r\n\x1a\n fake"),
            ("", "application/octet-stream", b""),
        ],
    );
    assert_eq!(a.status, 201, "{}", a.body);
    let id = a
        .body
        .split("<strong>")
        .nth(1)
        .and_then(|s| s.split("</strong>").next())
        .unwrap()
        .to_string();
    assert!(id.starts_with("CVD-"), "{}", a.body);
    assert!(a.body.contains(&today_plus(7)));
    let stored =
        s.rt.block_on(s.app.cvd_report(&id, postmarket_app::cvd::today()))
            .unwrap();
    assert_eq!(stored.view.report.channel, "form");
    assert_eq!(stored.view.report.disclosure_deadline, None, "empty = none");
    assert_eq!(
        stored.attachment_checks.len(),
        1,
        "the empty file input is ignored"
    );
    assert_eq!(stored.attachment_checks[0].meta.media_type, "image/png");
    assert!(stored.attachment_checks[0].intact);
}

#[test]
fn bad_fields_are_named_and_nothing_is_stored() {
    let dir = tempfile::tempdir().unwrap();
    let url = postmarket_testing::sqlite_url(dir.path(), "pm.db");
    let s = start(&url, Some(settings(&dir.path().join("spool"))));
    let mut bad = report_json();
    bad["reporter_email"] = "ada-at-example.org".into();
    let a = post_json(&s.base, &bad);
    assert_eq!(a.status, 422, "{}", a.body);
    assert_eq!(a.json()["field"], "/reporter_email");
    assert!(a.json()["error"]
        .as_str()
        .unwrap()
        .contains("ada-at-example.org"));

    let mut missing = report_json();
    missing.as_object_mut().unwrap().remove("product");
    let a = post_json(&s.base, &missing);
    assert_eq!(
        (a.status, a.json()["field"].as_str()),
        (422, Some("/product"))
    );

    let mut unknown = report_json();
    unknown["colour"] = "red".into();
    let a = post_json(&s.base, &unknown);
    assert_eq!(a.status, 400);
    assert!(
        a.json()["error"].as_str().unwrap().contains("colour"),
        "{}",
        a.body
    );

    let a = post_json(&s.base, &serde_json::json!("{"));
    assert_eq!(a.status, 400);

    let mut b64 = report_json();
    b64["attachments"][0]["content_base64"] = "***".into();
    let a = post_json(&s.base, &b64);
    assert_eq!(a.json()["field"], "/attachments/0/content_base64");

    let mut form = FORM.to_vec();
    form[1] = ("reporter_email", "grace@");
    let a = post_form(&s.base, &form, &[]);
    assert_eq!(a.status, 422);
    assert!(a.body.contains("reporter_email"), "{}", a.body);

    let reports =
        s.rt.block_on(s.app.cvd_reports(postmarket_app::cvd::today()))
            .unwrap();
    assert!(reports.is_empty());
}

#[test]
fn oversize_requests_get_413_with_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let url = postmarket_testing::sqlite_url(dir.path(), "pm.db");
    let s = start(&url, Some(settings(&dir.path().join("spool"))));
    // One attachment over 2 MiB, in a request under 10 MiB.
    let big = vec![b'A'; 2 * 1024 * 1024 + 1];
    let a = post_form(
        &s.base,
        FORM,
        &[("dump.bin", "application/octet-stream", &big)],
    );
    assert_eq!(a.status, 413, "{}", a.body);
    assert!(
        a.body.contains("dump.bin") && a.body.contains("2 MiB"),
        "{}",
        a.body
    );

    let mut json = report_json();
    json["attachments"][0]["content_base64"] = base64::engine::general_purpose::STANDARD
        .encode(&big)
        .into();
    let a = post_json(&s.base, &json);
    assert_eq!(a.status, 413);
    assert!(
        a.json()["field"]
            .as_str()
            .unwrap()
            .starts_with("/attachments/0"),
        "{}",
        a.body
    );

    // Six attachments.
    let small: &[u8] = b"x";
    let six = vec![("a.txt", "text/plain", small); 6];
    let a = post_form(&s.base, FORM, &six);
    assert_eq!(a.status, 413, "{}", a.body);
    assert!(a.body.contains("at most 5"), "{}", a.body);

    // A request declaring more than 10 MiB is refused before its body is read.
    let mut tcp = std::net::TcpStream::connect(s.addr).unwrap();
    write!(
        tcp,
        "POST /api/v1/cvd-reports HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        s.addr,
        11 * 1024 * 1024
    )
    .unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut head = [0_u8; 4096];
    let n = tcp.read(&mut head).unwrap();
    let text = String::from_utf8_lossy(&head[..n]);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(text.contains("10 MiB"), "{text}");

    let reports =
        s.rt.block_on(s.app.cvd_reports(postmarket_app::cvd::today()))
            .unwrap();
    assert!(reports.is_empty());
}

#[test]
fn too_many_reports_from_one_address_get_429_with_retry_after() {
    let dir = tempfile::tempdir().unwrap();
    let url = postmarket_testing::sqlite_url(dir.path(), "pm.db");
    let mut cfg = settings(&dir.path().join("spool"));
    cfg.rate_limit = RateLimit {
        max: 2,
        window: Duration::from_secs(120),
    };
    let s = start(&url, Some(cfg));
    assert_eq!(post_json(&s.base, &report_json()).status, 201);
    assert_eq!(post_form(&s.base, FORM, &[]).status, 201);
    let a = post_json(&s.base, &report_json());
    assert_eq!(a.status, 429, "{}", a.body);
    let retry: u64 = a.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=120).contains(&retry), "{retry}");
    assert!(a.json()["error"]
        .as_str()
        .unwrap()
        .contains("at most 2 per 120 s"));
    let a = post_form(&s.base, FORM, &[]);
    assert_eq!(a.status, 429);
    assert!(a.header("retry-after").is_some());
    // Reading the form is not limited.
    let page = answer(
        agent()
            .get(&format!("{}/report-vulnerability", s.base))
            .call(),
    );
    assert_eq!(page.status, 200);
}

#[test]
fn a_locked_database_spools_the_report_and_import_stores_it_later() {
    let dir = tempfile::tempdir().unwrap();
    let url = postmarket_testing::sqlite_url(dir.path(), "pm.db");
    let spool = dir.path().join("spool");
    let s = start(&url, Some(settings(&spool)));
    // Another process holds the write lock for longer than the intake waits.
    let mut locker = s.rt.block_on(async {
        use sqlx::{Connection, Executor};
        let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
        c.execute("BEGIN EXCLUSIVE").await.unwrap();
        c.execute("UPDATE audit_head SET seq = seq WHERE id = 1")
            .await
            .unwrap();
        c
    });
    let a = post_json(&s.base, &report_json());
    assert_eq!(a.status, 201, "{}", a.body);
    let id = a.json()["tracking_id"].as_str().unwrap().to_string();
    let spooled = spool.join(format!("{id}.json"));
    assert!(spooled.is_file(), "spooled as {}", spooled.display());
    assert_eq!(
        std::fs::read_dir(&spool).unwrap().count(),
        1,
        "no temporary file left behind"
    );
    s.rt.block_on(async {
        use sqlx::Executor;
        locker.execute("ROLLBACK").await.unwrap();
    });
    drop(locker);

    let actor = Actor::new("tester").unwrap();
    let imported =
        s.rt.block_on(s.app.import_cvd_spool(&actor, &spool))
            .unwrap();
    assert_eq!(imported.imported, std::slice::from_ref(&id));
    assert!(!spooled.exists());
    let stored =
        s.rt.block_on(s.app.cvd_report(&id, postmarket_app::cvd::today()))
            .unwrap();
    assert!(stored.view.report.spooled);
    assert_eq!(stored.view.report.received_at, a.json()["received_at"]);
    assert_eq!(stored.attachment_checks.len(), 1);
    // Importing again finds nothing.
    let again =
        s.rt.block_on(s.app.import_cvd_spool(&actor, &spool))
            .unwrap();
    assert!(again.imported.is_empty() && again.failed.is_empty());
    assert!(s.rt.block_on(s.app.verify()).unwrap().ok);
}

#[test]
fn security_txt_follows_rfc_9116() {
    let dir = tempfile::tempdir().unwrap();
    let url = postmarket_testing::sqlite_url(dir.path(), "pm.db");
    let s = start(&url, None);
    let a = answer(
        agent()
            .get(&format!("{}/.well-known/security.txt", s.base))
            .call(),
    );
    assert_eq!(a.status, 200);
    assert_eq!(a.header("content-type"), Some("text/plain; charset=utf-8"));
    assert!(
        a.header("content-security-policy").is_some(),
        "the app's headers apply"
    );
    let field = |name: &str| -> Vec<&str> {
        a.body
            .lines()
            .filter_map(|l| l.strip_prefix(&format!("{name}: ")))
            .collect()
    };
    assert_eq!(
        field("Contact"),
        [format!("{}/report-vulnerability", s.base)]
    );
    assert_eq!(
        field("Canonical"),
        [format!("{}/.well-known/security.txt", s.base)]
    );
    assert_eq!(field("Preferred-Languages"), ["en"]);
    assert_eq!(
        field("Policy"),
        [format!("{}/report-vulnerability#policy", s.base)]
    );
    let expires = time::OffsetDateTime::parse(
        field("Expires")[0],
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    let now = time::OffsetDateTime::now_utc();
    assert!(expires > now + time::Duration::days(179), "{expires}");
    assert!(expires <= now + time::Duration::days(365), "{expires}");
    // The intake is mounted in the application router, unauthenticated.
    let a = post_json(&s.base, &report_json());
    assert_eq!(a.status, 201, "{}", a.body);
}

#[test]
fn security_txt_uses_the_configured_public_url_and_contact() {
    let dir = tempfile::tempdir().unwrap();
    let url = postmarket_testing::sqlite_url(dir.path(), "pm.db");
    let mut cfg = settings(&dir.path().join("spool"));
    cfg.public_url = Some("https://psirt.example.com/".into());
    cfg.contact_email = Some("psirt@example.com".into());
    cfg.preferred_languages = "en, de".into();
    cfg.security_txt_days = 30;
    let s = start(&url, Some(cfg));
    let a = answer(
        agent()
            .get(&format!("{}/.well-known/security.txt", s.base))
            .call(),
    );
    assert!(a
        .body
        .contains("Contact: https://psirt.example.com/report-vulnerability\n"));
    assert!(a.body.contains("Contact: mailto:psirt@example.com\n"));
    assert!(a
        .body
        .contains("Canonical: https://psirt.example.com/.well-known/security.txt\n"));
    assert!(a.body.contains("Preferred-Languages: en, de\n"));
    let expires = a
        .body
        .lines()
        .find_map(|l| l.strip_prefix("Expires: "))
        .unwrap();
    let expires =
        time::OffsetDateTime::parse(expires, &time::format_description::well_known::Rfc3339)
            .unwrap();
    let days = (expires - time::OffsetDateTime::now_utc()).whole_hours();
    assert!((29 * 24..=30 * 24).contains(&days), "{days} hours");
}

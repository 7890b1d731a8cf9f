//! Delivery against real servers on loopback (tests/support): what arrives, byte for byte, and
//! what the sender reports when a server refuses, fails or is not there.

mod support;

use std::collections::VecDeque;
use std::time::Duration;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use postmarket_notify::{
    Channel, DeliveryError, Notification, NotificationKind, Notifier, NotifySettings, RetryPolicy,
    SmtpSender, SmtpSettings, WebhookSender, WebhookSettings,
};
use sha2::{Digest, Sha256};
use support::{closed_port, silent_server, Answer, HttpSink, SmtpBehaviour, SmtpSink, TestPki};

fn quick_retries(retries: u32) -> RetryPolicy {
    RetryPolicy {
        retries,
        backoff: Duration::from_millis(10),
        max_backoff: Duration::from_millis(50),
    }
}

fn breach() -> Notification {
    Notification::new(
        NotificationKind::ClockBreached,
        "case-42/notice-30/breached",
        "Case 42: customer notice overdue (day 31 of 30)",
        "The 30-day customer notice clock of case 42 breached on 2026-12-01.\n.A line that starts with a dot\nInfusion pump IP-3 v2.1",
    )
    .unwrap()
    .with_payload(serde_json::json!({"case": 42, "clock": "notice_30", "due": "2026-11-30"}))
    .with_created_at(time::macros::datetime!(2026-12-01 00:00:00 UTC))
}

fn smtp(sink: &SmtpSink, query: &str, retries: u32) -> SmtpSender {
    let mut s = SmtpSettings::parse(&sink.url(query)).unwrap();
    s.retry = quick_retries(retries);
    s.timeout = Duration::from_secs(5);
    SmtpSender::new(s).unwrap()
}

fn webhook(url: &str, secret: Option<&str>, retries: u32) -> WebhookSender {
    let mut w = WebhookSettings::parse(url).unwrap();
    if let Some(s) = secret {
        w = w.with_secret(s);
    }
    w.retry = quick_retries(retries);
    w.timeout = Duration::from_secs(5);
    WebhookSender::new(w).unwrap()
}

const ADDRESSES: &str =
    "from=Postmarket%20%3Cpm@example.com%3E&to=psirt@example.com,quality@example.com";

#[test]
fn mail_arrives_with_its_headers_body_and_recipients() {
    let sink = SmtpSink::start(SmtpBehaviour {
        auth: true,
        ..Default::default()
    });
    let url = format!("smtp://alerts:s%3Acret@{}?tls=none&{ADDRESSES}", sink.addr);
    let mut settings = SmtpSettings::parse(&url).unwrap();
    settings.retry = quick_retries(0);
    let sender = SmtpSender::new(settings).unwrap();
    let n = breach();
    assert_eq!(sender.send(&n).unwrap(), 1);

    let mail = sink.received();
    assert_eq!(mail.len(), 1);
    let mail = &mail[0];
    assert_eq!(mail.helo, "example.com", "EHLO names the sender's domain");
    assert_eq!(
        mail.auth,
        Some(("alerts".to_string(), "s:cret".to_string())),
        "AUTH PLAIN with the decoded user and password"
    );
    assert_eq!(mail.mail_from, "pm@example.com");
    assert_eq!(mail.rcpt_to, ["psirt@example.com", "quality@example.com"]);

    let (headers, body) = mail.headers_and_body();
    let names: Vec<_> = headers
        .iter()
        .map(|(n, _)| n.to_ascii_lowercase())
        .collect();
    for required in [
        "from",
        "to",
        "subject",
        "date",
        "message-id",
        "content-type",
        "mime-version",
    ] {
        assert_eq!(
            names.iter().filter(|n| *n == required).count(),
            1,
            "exactly one {required} header in {headers:?}"
        );
    }
    assert_eq!(mail.header("From").unwrap(), "Postmarket <pm@example.com>");
    assert_eq!(
        mail.header("To").unwrap(),
        "psirt@example.com, quality@example.com"
    );
    assert_eq!(
        mail.header("Subject").unwrap(),
        "Case 42: customer notice overdue (day 31 of 30)"
    );
    assert_eq!(
        mail.header("Content-Type").unwrap().to_ascii_lowercase(),
        "text/plain; charset=utf-8"
    );
    assert_eq!(
        mail.header("X-Postmarket-Key").unwrap(),
        "case-42/notice-30/breached"
    );
    assert_eq!(mail.header("X-Postmarket-Kind").unwrap(), "clock_breached");
    let digest = hex::encode(Sha256::digest(b"case-42/notice-30/breached"));
    assert_eq!(
        mail.header("Message-ID").unwrap(),
        format!("<{}.notify@example.com>", &digest[..32])
    );
    let date = mail.header("Date").unwrap();
    let date = time::OffsetDateTime::parse(&date, &time::format_description::well_known::Rfc2822)
        .unwrap_or_else(|e| panic!("Date `{date}` is not RFC 2822: {e}"));
    assert!((time::OffsetDateTime::now_utc() - date).abs() < time::Duration::minutes(1));
    // The body arrives as written, lines ending in CRLF, the leading dot intact.
    assert_eq!(
        body.trim_end_matches("\r\n").replace("\r\n", "\n"),
        n.body()
    );
    assert!(body.contains("\r\n.A line that starts with a dot\r\n"));
}

#[test]
fn non_ascii_subject_and_body_survive_the_trip() {
    let sink = SmtpSink::start(SmtpBehaviour::default());
    let sender = smtp(&sink, ADDRESSES, 0);
    let body = "Klinikum Süd: Pumpe IP-3 — Frist überschritten.\nµ-Controller Firmware 2.1";
    let n = Notification::new(
        NotificationKind::ClockDueSoon,
        "case-7/fix-60/due-soon",
        "Fällig: Fix für Fall 7",
        body,
    )
    .unwrap();
    sender.send(&n).unwrap();
    let mail = &sink.received()[0];
    let subject = mail.header("Subject").unwrap();
    assert!(
        subject.starts_with("=?utf-8?"),
        "RFC 2047 encoded: {subject}"
    );
    let (_, raw_body) = mail.headers_and_body();
    let decoded = match mail
        .header("Content-Transfer-Encoding")
        .unwrap()
        .to_ascii_lowercase()
        .as_str()
    {
        "base64" => String::from_utf8(
            base64::engine::general_purpose::STANDARD
                .decode(raw_body.replace("\r\n", ""))
                .unwrap(),
        )
        .unwrap(),
        "quoted-printable" => decode_quoted_printable(&raw_body),
        "8bit" => raw_body.clone(),
        other => panic!("unexpected transfer encoding {other}"),
    };
    assert_eq!(decoded.replace("\r\n", "\n").trim_end(), body);
    assert_eq!(decode_encoded_words(&subject), "Fällig: Fix für Fall 7");
}

#[test]
fn a_rejected_recipient_is_a_clear_error_and_not_retried() {
    let sink = SmtpSink::start(SmtpBehaviour {
        reject_rcpt: vec!["quality@example.com".into()],
        ..Default::default()
    });
    let sender = smtp(&sink, ADDRESSES, 3);
    let err = sender.send(&breach()).unwrap_err();
    match &err {
        DeliveryError::SmtpReply {
            target,
            code,
            text,
            attempts,
        } => {
            assert_eq!(target, &sink.addr.to_string());
            assert_eq!(*code, 550);
            assert!(text.contains("quality@example.com"), "{text}");
            assert!(text.contains("User unknown"), "{text}");
            assert_eq!(*attempts, 1, "a 5xx reply is final");
        }
        other => panic!("expected an SMTP reply error, got {other:?}"),
    }
    let shown = err.to_string();
    assert!(
        shown.starts_with(&format!("{}: SMTP server replied 550 ", sink.addr)),
        "{shown}"
    );
    assert!(sink.received().is_empty());
    assert_eq!(sink.connections(), 1);
}

#[test]
fn a_transient_smtp_reply_is_retried() {
    let sink = SmtpSink::start(SmtpBehaviour {
        data_replies: VecDeque::from(["451 4.3.0 Local error, try again later".to_string()]),
        ..Default::default()
    });
    let sender = smtp(&sink, ADDRESSES, 2);
    assert_eq!(sender.send(&breach()).unwrap(), 2);
    assert_eq!(sink.received().len(), 1);
    assert_eq!(sink.connections(), 2);
}

#[test]
fn transient_smtp_replies_give_up_after_the_retries() {
    let sink = SmtpSink::start(SmtpBehaviour {
        data_replies: VecDeque::from(vec!["452 4.3.1 Insufficient system storage".to_string(); 5]),
        ..Default::default()
    });
    let err = smtp(&sink, ADDRESSES, 1).send(&breach()).unwrap_err();
    assert!(
        matches!(
            &err,
            DeliveryError::SmtpReply {
                code: 452,
                attempts: 2,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("Insufficient system storage"));
}

#[test]
fn connection_refused_names_host_and_port() {
    let port = closed_port();
    let mut s =
        SmtpSettings::parse(&format!("smtp://127.0.0.1:{port}?tls=none&{ADDRESSES}")).unwrap();
    s.retry = quick_retries(1);
    let err = SmtpSender::new(s).unwrap().send(&breach()).unwrap_err();
    let shown = err.to_string();
    assert!(
        matches!(&err, DeliveryError::Connect { attempts: 2, .. }),
        "{err:?}"
    );
    assert!(
        shown.starts_with(&format!("127.0.0.1:{port}: cannot connect: ")),
        "{shown}"
    );
    assert!(shown.to_lowercase().contains("refused"), "{shown}");
}

#[test]
fn a_server_that_never_answers_times_out() {
    let addr = silent_server();
    let mut s =
        SmtpSettings::parse(&format!("smtp://{addr}?tls=none&timeout=300ms&{ADDRESSES}")).unwrap();
    s.retry = quick_retries(0);
    let started = std::time::Instant::now();
    let err = SmtpSender::new(s).unwrap().send(&breach()).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(
        err.to_string(),
        format!("{addr}: no answer within 300 ms (after 1 attempt(s))")
    );
}

#[test]
fn starttls_is_required_not_silently_skipped() {
    let sink = SmtpSink::start(SmtpBehaviour::default());
    let mut s =
        SmtpSettings::parse(&format!("smtp://{}?tls=starttls&{ADDRESSES}", sink.addr)).unwrap();
    s.retry = quick_retries(2);
    let err = SmtpSender::new(s).unwrap().send(&breach()).unwrap_err();
    assert!(
        matches!(&err, DeliveryError::Smtp { attempts: 1, .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("STARTTLS"), "{err}");
    assert!(sink.received().is_empty());
}

#[test]
fn credentials_for_a_server_without_auth_are_a_clear_error() {
    let sink = SmtpSink::start(SmtpBehaviour::default());
    let mut s =
        SmtpSettings::parse(&format!("smtp://ops:pw@{}?tls=none&{ADDRESSES}", sink.addr)).unwrap();
    s.retry = quick_retries(2);
    let err = SmtpSender::new(s).unwrap().send(&breach()).unwrap_err();
    assert!(
        matches!(&err, DeliveryError::Smtp { attempts: 1, .. }),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "{}: the server offers no authentication mechanism that can be used (PLAIN or LOGIN); \
             leave the user out of the SMTP URL if the server takes mail without AUTH",
            sink.addr
        )
    );
    assert!(sink.received().is_empty());
}

fn ca_file(pki: &TestPki) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().unwrap();
    std::io::Write::write_all(&mut f, pki.ca_pem.as_bytes()).unwrap();
    f
}

#[test]
fn starttls_upgrades_before_credentials_and_mail_are_sent() {
    let pki = TestPki::new();
    let sink = SmtpSink::start(SmtpBehaviour {
        starttls: true,
        auth: true,
        tls: Some(pki.server.clone()),
        ..Default::default()
    });
    let ca = ca_file(&pki);
    let url = format!(
        "smtp://ops:pw@{}?tls=starttls&ca={}&{ADDRESSES}",
        sink.addr,
        ca.path().display()
    );
    let mut s = SmtpSettings::parse(&url).unwrap();
    s.retry = quick_retries(0);
    assert_eq!(SmtpSender::new(s).unwrap().send(&breach()).unwrap(), 1);
    let mail = &sink.received()[0];
    assert!(mail.tls, "the message went over the upgraded channel");
    assert_eq!(mail.auth, Some(("ops".into(), "pw".into())));
    assert_eq!(mail.rcpt_to, ["psirt@example.com", "quality@example.com"]);
    assert_eq!(
        mail.header("X-Postmarket-Key").unwrap(),
        "case-42/notice-30/breached"
    );
}

#[test]
fn implicit_tls_delivers_to_a_server_with_a_private_ca() {
    let pki = TestPki::new();
    let sink = SmtpSink::start(SmtpBehaviour {
        implicit_tls: true,
        tls: Some(pki.server.clone()),
        ..Default::default()
    });
    let ca = ca_file(&pki);
    let url = format!(
        "smtps://{}?ca={}&{ADDRESSES}",
        sink.addr,
        ca.path().display()
    );
    let mut s = SmtpSettings::parse(&url).unwrap();
    s.retry = quick_retries(0);
    SmtpSender::new(s).unwrap().send(&breach()).unwrap();
    assert!(sink.received()[0].tls);
}

#[test]
fn an_untrusted_certificate_is_refused_without_retrying() {
    let pki = TestPki::new();
    let sink = SmtpSink::start(SmtpBehaviour {
        implicit_tls: true,
        tls: Some(pki.server.clone()),
        ..Default::default()
    });
    let mut s = SmtpSettings::parse(&format!("smtps://{}?{ADDRESSES}", sink.addr)).unwrap();
    s.retry = quick_retries(2);
    let err = SmtpSender::new(s).unwrap().send(&breach()).unwrap_err();
    let shown = err.to_string();
    assert!(shown.starts_with(&format!("{}: ", sink.addr)), "{shown}");
    assert!(
        shown.contains("TLS failed: invalid peer certificate: UnknownIssuer"),
        "{shown}"
    );
    assert!(shown.contains("?ca=FILE.pem"), "{shown}");
    assert_eq!(err.attempts(), 1, "{err:?}");
    assert!(sink.received().is_empty());
}

#[test]
fn a_bad_ca_file_is_a_settings_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.pem");
    let s = SmtpSettings::parse(&format!(
        "smtps://127.0.0.1:1?ca={}&{ADDRESSES}",
        missing.display()
    ))
    .unwrap();
    let e = SmtpSender::new(s).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!(
            "SMTP URL: ca ({}): expected a readable PEM file",
            missing.display()
        )),
        "{e}"
    );
    let not_pem = dir.path().join("ca.pem");
    std::fs::write(&not_pem, "hello").unwrap();
    let s = SmtpSettings::parse(&format!(
        "smtps://127.0.0.1:1?ca={}&{ADDRESSES}",
        not_pem.display()
    ))
    .unwrap();
    let e = SmtpSender::new(s).unwrap_err().to_string();
    assert!(
        e.ends_with("expected PEM certificates (-----BEGIN CERTIFICATE-----)"),
        "{e}"
    );
}

fn hmac_hex(secret: &[u8], body: &[u8]) -> String {
    let mut m = Hmac::<Sha256>::new_from_slice(secret).unwrap();
    m.update(body);
    hex::encode(m.finalize().into_bytes())
}

#[test]
fn webhook_posts_signed_json() {
    let sink = HttpSink::start(vec![]);
    let sender = webhook(&sink.url("/hooks/postmarket"), Some("whsec-1"), 0);
    let n = breach();
    assert_eq!(sender.send(&n).unwrap(), 1);

    let reqs = sink.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/hooks/postmarket");
    assert_eq!(r.header("content-type"), Some("application/json"));
    let json: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "kind": "clock_breached",
            "subject": "Case 42: customer notice overdue (day 31 of 30)",
            "body": n.body(),
            "payload": {"case": 42, "clock": "notice_30", "due": "2026-11-30"},
            "key": "case-42/notice-30/breached",
            "created_at": "2026-12-01T00:00:00Z",
        })
    );
    // The receiver's check: HMAC-SHA256 of the exact bytes received, keyed with the secret.
    let signature = r
        .header("x-postmarket-signature")
        .expect("a signature header");
    assert_eq!(
        signature,
        format!("sha256={}", hmac_hex(b"whsec-1", &r.body))
    );
    assert!(postmarket_notify::verify("whsec-1", &r.body, signature));
    assert!(!postmarket_notify::verify("whsec-2", &r.body, signature));
    let ts: i64 = r.header("x-postmarket-timestamp").unwrap().parse().unwrap();
    assert!((time::OffsetDateTime::now_utc().unix_timestamp() - ts).abs() < 60);
    assert_eq!(
        r.header("x-postmarket-key"),
        Some("case-42/notice-30/breached")
    );
    assert_eq!(r.header("x-postmarket-kind"), Some("clock_breached"));
}

#[test]
fn webhook_without_a_secret_is_unsigned() {
    let sink = HttpSink::start(vec![]);
    webhook(&sink.url("/h"), None, 0).send(&breach()).unwrap();
    assert_eq!(sink.requests()[0].header("x-postmarket-signature"), None);
}

#[test]
fn webhook_retries_503_and_429_then_succeeds() {
    let sink = HttpSink::start(vec![
        Answer::status(503).with_body("maintenance"),
        Answer::status(429).with_header("Retry-After", "0"),
        Answer::status(204),
    ]);
    let sender = webhook(&sink.url("/h"), Some("k"), 3);
    assert_eq!(sender.send(&breach()).unwrap(), 3);
    let reqs = sink.requests();
    assert_eq!(reqs.len(), 3);
    // Every attempt carries the same body and key, so the receiver can drop duplicates.
    assert!(reqs.windows(2).all(|w| w[0].body == w[1].body));
    assert!(reqs
        .iter()
        .all(|r| r.header("x-postmarket-key") == Some("case-42/notice-30/breached")));
}

#[test]
fn webhook_gives_up_after_the_retries() {
    let sink = HttpSink::start(vec![Answer::status(500).with_body("boom\nstack"); 3]);
    let err = webhook(&sink.url("/h"), None, 2)
        .send(&breach())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "http://{}/h: HTTP 500: boom stack (after 3 attempt(s))",
            sink.addr
        )
    );
    assert_eq!(sink.requests().len(), 3);
}

#[test]
fn webhook_4xx_fails_at_once() {
    let sink = HttpSink::start(vec![
        Answer::status(400).with_body("{\"error\":\"unknown kind\"}")
    ]);
    let err = webhook(&sink.url("/h?token=t0k"), Some("k"), 3)
        .send(&breach())
        .unwrap_err();
    match &err {
        DeliveryError::HttpStatus {
            status, attempts, ..
        } => assert_eq!((*status, *attempts), (400, 1)),
        other => panic!("expected an HTTP status error, got {other:?}"),
    }
    let shown = err.to_string();
    assert!(shown.contains("unknown kind"), "{shown}");
    assert!(
        !shown.contains("t0k"),
        "the query (a token) is not shown: {shown}"
    );
    assert_eq!(sink.requests().len(), 1);
}

#[test]
fn webhook_redirect_is_reported_not_followed() {
    let sink = HttpSink::start(vec![
        Answer::status(302).with_header("Location", "/elsewhere")
    ]);
    let err = webhook(&sink.url("/h"), None, 3)
        .send(&breach())
        .unwrap_err();
    assert!(
        matches!(
            &err,
            DeliveryError::HttpStatus {
                status: 302,
                attempts: 1,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(sink.requests().len(), 1);
}

#[test]
fn webhook_connection_refused_names_host_and_port_and_is_retried() {
    let port = closed_port();
    let err = webhook(&format!("http://127.0.0.1:{port}/h"), None, 2)
        .send(&breach())
        .unwrap_err();
    assert!(
        matches!(&err, DeliveryError::Connect { attempts: 3, .. }),
        "{err:?}"
    );
    let shown = err.to_string();
    assert!(
        shown.starts_with(&format!("127.0.0.1:{port}: cannot connect: ")),
        "{shown}"
    );
}

#[test]
fn https_webhook_verified_with_an_in_house_ca() {
    let pki = TestPki::new();
    let sink = HttpSink::start_tls(vec![], pki.server.clone());
    let ca = ca_file(&pki);
    let mut w = WebhookSettings::parse(&sink.https_url("/secure"))
        .unwrap()
        .with_secret("k")
        .with_ca_file(ca.path());
    w.retry = quick_retries(0);
    assert_eq!(WebhookSender::new(w).unwrap().send(&breach()).unwrap(), 1);
    let r = &sink.requests()[0];
    assert_eq!(r.path, "/secure");
    assert!(postmarket_notify::verify(
        "k",
        &r.body,
        r.header("x-postmarket-signature").unwrap()
    ));
}

#[test]
fn https_webhook_with_an_untrusted_certificate_fails_without_retrying() {
    let pki = TestPki::new();
    let sink = HttpSink::start_tls(vec![], pki.server.clone());
    let err = webhook(&sink.https_url("/secure"), None, 3)
        .send(&breach())
        .unwrap_err();
    let shown = err.to_string();
    assert!(
        shown.starts_with(&format!("https://{}/secure: TLS failed: ", sink.addr)),
        "{shown}"
    );
    assert!(shown.contains("UnknownIssuer"), "{shown}");
    assert_eq!(err.attempts(), 1);
    assert!(sink.requests().is_empty());
}

#[test]
fn one_failing_channel_does_not_stop_the_other() {
    // Mail refused, webhook fine.
    let smtp_sink = SmtpSink::start(SmtpBehaviour {
        reject_rcpt: vec!["psirt@example.com".into(), "quality@example.com".into()],
        ..Default::default()
    });
    let http_sink = HttpSink::start(vec![]);
    let notifier = Notifier::new()
        .with_email(smtp(&smtp_sink, ADDRESSES, 0))
        .with_webhook(webhook(&http_sink.url("/h"), Some("k"), 0));
    let report = notifier.deliver(&breach());
    assert_eq!(report.key, "case-42/notice-30/breached");
    assert_eq!(report.outcomes.len(), 2);
    let (mail, hook) = (&report.outcomes[0], &report.outcomes[1]);
    assert_eq!(mail.channel, Channel::Email);
    assert!(matches!(
        mail.error,
        Some(DeliveryError::SmtpReply { code: 550, .. })
    ));
    assert_eq!(hook.channel, Channel::Webhook);
    assert!(hook.is_ok(), "{hook}");
    assert!(report.any_delivered() && !report.all_delivered());
    assert_eq!(http_sink.requests().len(), 1);

    // Webhook gone, mail fine.
    let smtp_sink = SmtpSink::start(SmtpBehaviour::default());
    let notifier = Notifier::new()
        .with_email(smtp(&smtp_sink, ADDRESSES, 0))
        .with_webhook(webhook(
            &format!("http://127.0.0.1:{}/h", closed_port()),
            None,
            1,
        ));
    let report = notifier.deliver(&breach());
    assert!(report.outcomes[0].is_ok());
    assert!(matches!(
        report.outcomes[1].error,
        Some(DeliveryError::Connect { .. })
    ));
    assert_eq!(report.failures().count(), 1);
    assert_eq!(smtp_sink.received().len(), 1);

    // The report as JSON, as a workflow would record it.
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["outcomes"][0]["channel"], "email");
    assert_eq!(json["outcomes"][0]["error"], serde_json::Value::Null);
    assert_eq!(json["outcomes"][1]["attempts"], 2);
    assert!(json["outcomes"][1]["error"]
        .as_str()
        .unwrap()
        .contains("cannot connect"));
}

#[tokio::test]
async fn settings_from_the_environment_drive_a_notifier_from_async_code() {
    let smtp_sink = SmtpSink::start(SmtpBehaviour::default());
    let http_sink = HttpSink::start(vec![Answer::status(502)]);
    let smtp_url = smtp_sink.url(ADDRESSES);
    let hook_url = http_sink.url("/pm");
    let settings = NotifySettings::from_lookup(|k| match k {
        "POSTMARKET_SMTP_URL" => Some(smtp_url.clone()),
        "POSTMARKET_WEBHOOK_URL" => Some(hook_url.clone()),
        "POSTMARKET_WEBHOOK_SECRET" => Some("env-secret".into()),
        "POSTMARKET_NOTIFY_RETRIES" => Some("2".into()),
        "POSTMARKET_NOTIFY_BACKOFF_MS" => Some("5".into()),
        _ => None,
    })
    .unwrap();
    let notifier = Notifier::from_settings(settings).unwrap();
    let report = notifier.deliver_async(breach()).await;
    assert!(report.all_delivered(), "{:?}", report);
    assert_eq!(report.outcomes[1].attempts, 2, "one 502, then success");
    assert_eq!(smtp_sink.received().len(), 1);
    let reqs = http_sink.requests();
    assert!(postmarket_notify::verify(
        "env-secret",
        &reqs[1].body,
        reqs[1].header("x-postmarket-signature").unwrap()
    ));
}

/// RFC 2045 section 6.7 (enough for the sender's output).
fn decode_quoted_printable(s: &str) -> String {
    let mut out = Vec::new();
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' {
            if bytes[i + 1..].starts_with(b"\r\n") {
                i += 3;
                continue;
            }
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// RFC 2047 encoded words (`=?utf-8?b?…?=` / `=?utf-8?q?…?=`) among plain words; white space
/// between two encoded words is not part of the text (section 6.2).
fn decode_encoded_words(s: &str) -> String {
    let mut out = String::new();
    let mut previous_encoded = false;
    for word in s.split_whitespace() {
        let encoded = word.starts_with("=?") && word.ends_with("?=");
        if !out.is_empty() && (!encoded || !previous_encoded) {
            out.push(' ');
        }
        previous_encoded = encoded;
        if !encoded {
            out.push_str(word);
            continue;
        }
        let mut parts = word[2..word.len() - 2].splitn(3, '?');
        let (_charset, enc, text) = (
            parts.next().unwrap(),
            parts.next().unwrap(),
            parts.next().unwrap(),
        );
        out.push_str(&match enc {
            "b" | "B" => String::from_utf8(
                base64::engine::general_purpose::STANDARD
                    .decode(text)
                    .unwrap(),
            )
            .unwrap(),
            _ => decode_quoted_printable(&text.replace('_', " ")),
        });
    }
    out
}

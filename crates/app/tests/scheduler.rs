//! Clock reminders delivered to a real HTTP receiver on 127.0.0.1 (it records the bytes it gets
//! and answers from a script), on SQLite and (with `POSTMARKET_TEST_PG`) PostgreSQL: a failed
//! delivery is not recorded and is retried by the next run; a delivered one is never sent again.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use postmarket_app::cases::OpenCase;
use postmarket_app::App;
use postmarket_model::{Actor, Date, DeviceClass, NewDevice, NewRelease, Pathway};
use postmarket_notify::{Notifier, NotifySettings, RetryPolicy, WebhookSettings};
use postmarket_program::evidence::CaseSource;
use postmarket_testing::{sqlite_url, PgTestDb};

fn actor() -> Actor {
    Actor::new("scheduler-tests").unwrap()
}

/// One request as received: lower-cased headers and the body.
type Received = (Vec<(String, String)>, String);

/// An HTTP/1.1 receiver answering each request with the next status of `script` (then 200).
struct Sink {
    port: u16,
    got: Arc<Mutex<Vec<Received>>>,
}

impl Sink {
    fn start(script: Vec<u16>) -> Sink {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let got = Arc::new(Mutex::new(Vec::new()));
        let seen = got.clone();
        std::thread::spawn(move || {
            let mut script = script.into_iter();
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut headers = Vec::new();
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                loop {
                    line.clear();
                    reader.read_line(&mut line).unwrap();
                    let l = line.trim_end();
                    if l.is_empty() {
                        break;
                    }
                    let (k, v) = l.split_once(':').unwrap();
                    headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
                }
                let len: usize = headers
                    .iter()
                    .find(|(k, _)| k == "content-length")
                    .map_or(0, |(_, v)| v.parse().unwrap());
                let mut body = vec![0; len];
                reader.read_exact(&mut body).unwrap();
                seen.lock()
                    .unwrap()
                    .push((headers, String::from_utf8(body).unwrap()));
                let status = script.next().unwrap_or(200);
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                );
            }
        });
        Sink { port, got }
    }
}

macro_rules! both_backends {
    ($name:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let dir = tempfile::tempdir().unwrap();
                super::$name(&super::sqlite_url(dir.path(), "pm.db")).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(db) = super::PgTestDb::create(stringify!($name)).await else {
                    return;
                };
                super::$name(&db.url).await;
                db.drop_db().await;
            }
        }
    };
}

both_backends!(a_breached_clock_is_delivered_once);

async fn a_breached_clock_is_delivered_once(url: &str) {
    let app = App::open(url).await.unwrap();
    app.add_device(
        &actor(),
        &NewDevice::new(
            "Pump".parse().unwrap(),
            "Line",
            DeviceClass::II,
            Pathway::Premarket510k,
        ),
        None,
    )
    .await
    .unwrap();
    app.add_release(
        &actor(),
        &NewRelease {
            device: "Pump".parse().unwrap(),
            version: "1.0".parse().unwrap(),
            released_at: None,
            end_of_support: None,
            install_base: 5,
        },
        None,
    )
    .await
    .unwrap();
    let t0: Date = "2026-03-02".parse().unwrap();
    let case = app
        .open_case(
            &actor(),
            &OpenCase {
                device: "Pump".parse().unwrap(),
                vulnerability: "PM-2026-1".into(),
                title: None,
                source: CaseSource::Researcher,
                source_detail: Some("researcher report".into()),
                advisory_ref: None,
                releases: vec!["1.0".parse().unwrap()],
                t0,
            },
            t0,
        )
        .await
        .unwrap();
    let at: Date = "2026-03-20".parse().unwrap();
    let due = app.due_clocks(at).await.unwrap();
    assert!(!due.is_empty(), "the acknowledgement clock is breached");

    let sink = Sink::start(vec![503]);
    let mut hook = WebhookSettings::parse(&format!("http://127.0.0.1:{}/hook", sink.port)).unwrap();
    hook.retry = RetryPolicy::none();
    let notifier = Notifier::from_settings(NotifySettings {
        smtp: None,
        webhook: Some(hook),
    })
    .unwrap();

    // The receiver answers 503: nothing recorded, reported as failed.
    let run = app
        .deliver_due_notifications(&actor(), at, &notifier)
        .await
        .unwrap();
    assert_eq!((run.delivered, run.failed), (0, due.len()), "{run:?}");
    assert!(app
        .store()
        .case_table_rows("notification_deliveries")
        .await
        .unwrap()
        .is_empty());
    // Next run: delivered and recorded under the clock's key.
    let run = app
        .deliver_due_notifications(&actor(), at, &notifier)
        .await
        .unwrap();
    assert_eq!((run.delivered, run.failed), (due.len(), 0), "{run:?}");
    let key = format!("case-{}/cvd-acknowledgement/breached", case.id());
    assert!(run.deliveries.iter().any(|d| d.key == key), "{run:?}");
    let rows = app
        .store()
        .case_table_rows("notification_deliveries")
        .await
        .unwrap();
    assert_eq!(rows.len(), due.len());
    assert!(rows.iter().any(|r| r["idempotency_key"] == key.as_str()));
    // And never again.
    let run = app
        .deliver_due_notifications(&actor(), at, &notifier)
        .await
        .unwrap();
    assert_eq!((run.delivered, run.skipped), (0, due.len()), "{run:?}");
    let got = sink.got.lock().unwrap().clone();
    assert_eq!(
        got.len(),
        2 * due.len(),
        "one failed and one delivered request per clock"
    );
    let (headers, body) = got.last().unwrap();
    assert!(headers
        .iter()
        .any(|(k, v)| k == "x-postmarket-key" && v.starts_with("case-")));
    let body: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(body["kind"], "clock_breached");
    assert_eq!(body["payload"]["case"], case.id());
    assert!(app.verify().await.unwrap().ok);
}

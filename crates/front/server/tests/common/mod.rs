//! A real server on an ephemeral port over a real database, and a blocking HTTP client.
#![allow(dead_code)]

use std::future::Future;
use std::path::PathBuf;

use postmarket_app::App;
use postmarket_model::{Actor, DeviceClass, NewDevice, NewRelease, Pathway};
use postmarket_server::ServerConfig;

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

pub struct TestServer {
    pub rt: tokio::runtime::Runtime,
    pub app: App,
    pub base: String,
    pub agent: ureq::Agent,
    _dir: Option<tempfile::TempDir>,
    pg: Option<postmarket_testing::PgTestDb>,
}

#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.body))
    }
}

pub enum Backend {
    Sqlite,
    Postgres,
}

impl TestServer {
    /// Starts a server on a fresh database; `None` when PostgreSQL is asked for but not
    /// configured (the test says it is skipped).
    pub fn start(backend: Backend, test: &str, config: ServerConfig) -> Option<Self> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let (url, dir, pg) = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                (
                    postmarket_testing::sqlite_url(dir.path(), "pm.db"),
                    Some(dir),
                    None,
                )
            }
            Backend::Postgres => {
                let db = rt.block_on(postmarket_testing::PgTestDb::create(test))?;
                (db.url.clone(), None, Some(db))
            }
        };
        let app = rt.block_on(App::open(&url)).unwrap();
        let listener = rt
            .block_on(postmarket_server::bind("127.0.0.1:0".parse().unwrap()))
            .unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        rt.spawn(postmarket_server::serve(app.clone(), config, listener));
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            // A refused request (401/403 before its body is read) ends its connection; a fresh
            // connection per request keeps a pooled, already-closed one from failing the next.
            .max_idle_connections(0)
            .max_idle_connections_per_host(0)
            .build()
            .into();
        Some(Self {
            rt,
            app,
            base,
            agent,
            _dir: dir,
            pg,
        })
    }

    pub fn block_on<F: Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    /// One request. `body`: (content type, bytes).
    pub fn call(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<(&str, Vec<u8>)>,
    ) -> Resp {
        let url = format!("{}{}", self.base, path);
        let result = match (method, body) {
            ("GET", _) => {
                let mut r = self.agent.get(&url);
                for (k, v) in headers {
                    r = r.header(*k, *v);
                }
                r.call()
            }
            ("DELETE", _) => {
                let mut r = self.agent.delete(&url);
                for (k, v) in headers {
                    r = r.header(*k, *v);
                }
                r.call()
            }
            (m, body) => {
                let mut r = match m {
                    "POST" => self.agent.post(&url),
                    "PUT" => self.agent.put(&url),
                    "PATCH" => self.agent.patch(&url),
                    other => panic!("method {other}"),
                };
                for (k, v) in headers {
                    r = r.header(*k, *v);
                }
                match body {
                    Some((ctype, bytes)) => r.header("content-type", ctype).send(&bytes[..]),
                    None => r.send_empty(),
                }
            }
        };
        let resp = result.unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect();
        let body = resp.into_body().read_to_string().unwrap_or_default();
        Resp {
            status,
            headers,
            body,
        }
    }

    pub fn get(&self, path: &str, headers: &[(&str, &str)]) -> Resp {
        self.call("GET", path, headers, None)
    }

    pub fn finish(self) {
        if let Some(db) = self.pg {
            let TestServer { rt, app, .. } = self;
            rt.block_on(async {
                app.store().close().await;
                db.drop_db().await;
            });
        }
    }
}

pub fn actor() -> Actor {
    Actor::new("test-setup").unwrap()
}

/// Adds a device with release 1.0 carrying the monitor SBOM.
pub async fn device_with_release(app: &App, name: &str, line: &str) {
    let new = NewDevice::new(
        name.parse().unwrap(),
        line,
        DeviceClass::II,
        Pathway::Premarket510k,
    );
    app.add_device(&actor(), &new, None).await.unwrap();
    let file = postmarket_app::read_sbom_file(&fixture("monitor.cdx.json"), 1 << 20).unwrap();
    let release = NewRelease {
        device: name.parse().unwrap(),
        version: "1.0".parse().unwrap(),
        released_at: None,
        end_of_support: None,
        install_base: 10,
    };
    app.add_release_with_sbom(&actor(), &release, &file, None)
        .await
        .unwrap();
}

pub const PASSWORD: &str = "a long test password";

/// Percent-encodes a path segment.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

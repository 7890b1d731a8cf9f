//! `feeds sync` end to end against a real HTTP server on 127.0.0.1 serving files from the corpus
//! (`../shared/data`): NVD API paging, a 429 then success, an interruption and a resume from the
//! stored checkpoint, KEV/EPSS/OSV downloads, a CSAF document whose SHA-512 does not match
//! (refused), OpenPGP signatures made here with a freshly generated key (good, tampered, wrong
//! key, missing), and CSAF directory distributions (`changes.csv`, `index.txt`). Every scenario
//! runs on SQLite and on PostgreSQL (`POSTMARKET_TEST_PG`). No network beyond the loopback.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use pgp::composed::{
    ArmorOptions, DetachedSignature, EncryptionCaps, KeyType, SecretKeyParamsBuilder,
    SignedPublicKey, SignedSecretKey,
};
use pgp::crypto::hash::HashAlgorithm;
use pgp::types::Password;
use postmarket_advisories::{discovery, ParseOptions};
use postmarket_app::sync::{SyncConfig, SyncSource};
use postmarket_app::{App, ErrorKind};
use postmarket_model::Actor;
use rand::SeedableRng;

/// What the server does, changeable while it runs.
#[derive(Default)]
struct Behaviour {
    /// Answer the next N NVD requests with 429 and `Retry-After: 1`.
    nvd_429: usize,
    /// Answer NVD pages from this startIndex on with 503.
    nvd_fail_from: Option<u64>,
    /// Every NVD startIndex asked for, in order.
    nvd_log: Vec<u64>,
    /// How many 429s were sent.
    sent_429: usize,
    /// Paths served with their bodies.
    files: HashMap<String, Vec<u8>>,
    /// Every path requested.
    requests: Vec<String>,
}

struct Server {
    base: String,
    state: Arc<Mutex<Behaviour>>,
}

fn nvd_page(all: &[serde_json::Value], start: usize, per: usize) -> Vec<u8> {
    let page: Vec<serde_json::Value> = all.iter().skip(start).take(per).cloned().collect();
    serde_json::to_vec(&serde_json::json!({
        "resultsPerPage": page.len(),
        "startIndex": start,
        "totalResults": all.len(),
        "format": "NVD_CVE",
        "version": "2.0",
        "timestamp": "2024-03-01T00:00:00.000",
        "vulnerabilities": page,
    }))
    .unwrap()
}

fn respond(stream: &mut TcpStream, status: &str, headers: &[(&str, String)], body: &[u8]) {
    let mut head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n",
        body.len()
    );
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
    let _ = stream.flush();
}

fn query(path: &str) -> HashMap<String, String> {
    path.split_once('?')
        .map(|(_, q)| {
            q.split('&')
                .filter_map(|kv| kv.split_once('='))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .unwrap_or_default()
}

fn handle(mut stream: TcpStream, state: &Mutex<Behaviour>, nvd: &[serde_json::Value]) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    // Drain the headers.
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).is_err() || h == "\r\n" || h.is_empty() {
            break;
        }
    }
    let mut s = state.lock().unwrap();
    s.requests.push(path.clone());
    if path.starts_with("/nvd") {
        let q = query(&path);
        let start: u64 = q
            .get("startIndex")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let per: usize = q
            .get("resultsPerPage")
            .and_then(|v| v.parse().ok())
            .unwrap_or(2000);
        s.nvd_log.push(start);
        if s.nvd_429 > 0 {
            s.nvd_429 -= 1;
            s.sent_429 += 1;
            drop(s);
            return respond(
                &mut stream,
                "429 Too Many Requests",
                &[("Retry-After", "1".into())],
                b"slow down",
            );
        }
        if s.nvd_fail_from.is_some_and(|f| start >= f) {
            drop(s);
            return respond(&mut stream, "503 Service Unavailable", &[], b"maintenance");
        }
        drop(s);
        let body = nvd_page(nvd, start as usize, per);
        return respond(
            &mut stream,
            "200 OK",
            &[("Content-Type", "application/json".into())],
            &body,
        );
    }
    match s.files.get(path.split('?').next().unwrap_or("")).cloned() {
        Some(body) => {
            drop(s);
            respond(&mut stream, "200 OK", &[], &body)
        }
        None => {
            drop(s);
            respond(&mut stream, "404 Not Found", &[], b"no such file")
        }
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
            let st = Arc::clone(&st);
            let nvd = Arc::clone(&nvd);
            std::thread::spawn(move || handle(stream, &st, &nvd));
        }
    });
    Server { base, state }
}

fn setup_env() {
    // Fast retries; no NVD rate spacing against the local server.
    std::env::set_var("POSTMARKET_FEEDS_RETRIES", "2");
    std::env::set_var("POSTMARKET_FEEDS_BACKOFF_MS", "10");
    std::env::set_var("POSTMARKET_NVD_DELAY_MS", "0");
}

fn actor() -> Actor {
    Actor::new("sync-test").unwrap()
}

/// The 38 CVEs of a real NVD API 2.0 page plus the 23 single records: 61 records to page through.
fn nvd_records(root: &Path) -> Vec<serde_json::Value> {
    let dir = root.join("03-nvd-cve/nvd-api-2.0");
    let mut out: Vec<serde_json::Value> = Vec::new();
    let page: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("vunnel/full-page.json")).unwrap()).unwrap();
    out.extend(page["vulnerabilities"].as_array().unwrap().iter().cloned());
    let mut singles: Vec<PathBuf> = std::fs::read_dir(dir.join("osv.dev-vulnfeeds"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("CVE-"))
        .collect();
    singles.sort();
    for f in singles {
        // Each is a one-record API page.
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap();
        out.extend(v["vulnerabilities"].as_array().unwrap().iter().cloned());
    }
    out
}

async fn nvd_count(app: &App) -> i64 {
    app.store()
        .feed_sources()
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.source == "nvd")
        .map_or(0, |s| s.records)
}

async fn nvd_paging_429_interruption_and_resume(url: &str) {
    let Some(root) = postmarket_testing::corpus("nvd_paging_429_interruption_and_resume") else {
        return;
    };
    setup_env();
    let records = nvd_records(&root);
    let total = records.len();
    assert_eq!(total, 61);
    let server = serve(records);
    let app = App::open(url).await.unwrap();
    let cfg = SyncConfig {
        sources: vec![SyncSource::Nvd],
        // One 120-day window: the test server does not filter by lastModified.
        since: Some(
            (time::OffsetDateTime::now_utc() - time::Duration::days(30))
                .date()
                .to_string(),
        ),
        nvd_url: Some(format!("{}/nvd", server.base)),
        nvd_page_size: 10,
        ..SyncConfig::default()
    };
    {
        let mut s = server.state.lock().unwrap();
        s.nvd_429 = 1;
        s.nvd_fail_from = Some(30);
    }
    // First sync: a 429 (retried after Retry-After), pages 0, 10, 20, then the server fails.
    let report = app.sync_feeds(&actor(), &cfg).await.unwrap();
    assert!(report.failed, "{report:?}");
    assert!(!report.sources[0].ok);
    assert!(
        report.problems[0].contains("HTTP 503"),
        "{:?}",
        report.problems
    );
    assert_eq!(server.state.lock().unwrap().sent_429, 1);
    assert_eq!(nvd_count(&app).await, 30, "the committed pages stay");
    let state = app.store().sync_state("nvd").await.unwrap().unwrap();
    let cp = state.checkpoint.unwrap();
    assert_eq!(cp["in_progress"]["start_index"], 30, "{cp}");
    assert!(state.last_error.unwrap().contains("503"));
    assert!(state.last_success_at.is_none());

    // The server recovers; the next sync (without --since) resumes at startIndex 30.
    server.state.lock().unwrap().nvd_fail_from = None;
    server.state.lock().unwrap().nvd_log.clear();
    let resume = SyncConfig {
        since: None,
        ..cfg.clone()
    };
    let report = app.sync_feeds(&actor(), &resume).await.unwrap();
    assert!(!report.failed, "{report:?}");
    let log = server.state.lock().unwrap().nvd_log.clone();
    assert_eq!(
        log,
        [30, 40, 50, 60],
        "resumed from the checkpoint, not from 0"
    );
    assert_eq!(nvd_count(&app).await, total as i64);
    let state = app.store().sync_state("nvd").await.unwrap().unwrap();
    assert!(state.last_success_at.is_some());
    assert!(state.checkpoint.unwrap().get("last_until").is_some());
    // Every page is its own audited run; the chain verifies.
    let runs: i64 = report.sources[0]
        .runs
        .iter()
        .filter(|r| r.id.is_some())
        .count() as i64;
    assert_eq!(runs, 4);
    assert!(app.verify().await.unwrap().ok);

    // Again: everything is unchanged and no run is recorded.
    let events = app.store().count("audit_events").await.unwrap();
    let report = app.sync_feeds(&actor(), &resume).await.unwrap();
    assert!(!report.failed);
    assert!(report.sources[0]
        .runs
        .iter()
        .all(|r| r.id.is_none() && r.added == 0));
    assert_eq!(app.store().count("audit_events").await.unwrap(), events);
    // A CVE from a later page is there with NVD's scores.
    let v = app.vuln_show("CVE-2024-3094").await.unwrap();
    assert!(v.records.iter().any(|r| r.source == "nvd"));
}

async fn kev_epss_and_osv_archives(url: &str) {
    let Some(root) = postmarket_testing::corpus("kev_epss_and_osv_archives") else {
        return;
    };
    setup_env();
    let server = serve(Vec::new());
    let mut zip = std::io::Cursor::new(Vec::new());
    let mut rustsec: Vec<PathBuf> = std::fs::read_dir(root.join("04-osv/crates.io-rustsec"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    rustsec.sort();
    rustsec.truncate(50);
    {
        let mut z = zip::ZipWriter::new(&mut zip);
        for f in &rustsec {
            z.start_file(
                f.file_name().unwrap().to_string_lossy(),
                zip::write::SimpleFileOptions::default(),
            )
            .unwrap();
            z.write_all(&std::fs::read(f).unwrap()).unwrap();
        }
        z.finish().unwrap();
    }
    let epss = root.join("07-epss/emba-epss-data-2026-08-16/CVE_2017_EPSS.csv");
    let epss_rows = std::fs::read_to_string(&epss)
        .unwrap()
        .lines()
        .filter(|l| !l.is_empty())
        .count();
    {
        let mut s = server.state.lock().unwrap();
        s.files.insert(
            "/kev.json".into(),
            std::fs::read(root.join("02-cisa-kev/known_exploited_vulnerabilities.json")).unwrap(),
        );
        s.files
            .insert("/epss.csv".into(), std::fs::read(&epss).unwrap());
        s.files
            .insert("/osv/crates.io/all.zip".into(), zip.into_inner());
    }
    let app = App::open(url).await.unwrap();
    let cfg = SyncConfig {
        sources: vec![SyncSource::Kev, SyncSource::Epss, SyncSource::Osv],
        kev_url: Some(format!("{}/kev.json", server.base)),
        epss_url: Some(format!("{}/epss.csv", server.base)),
        osv_url: Some(format!("{}/osv", server.base)),
        osv_ecosystems: vec!["crates.io".into()],
        nvd_page_size: 2000,
        ..SyncConfig::default()
    };
    let report = app.sync_feeds(&actor(), &cfg).await.unwrap();
    assert!(!report.failed, "{report:?}");
    let added = |i: usize| report.sources[i].runs.iter().map(|r| r.added).sum::<i64>();
    assert_eq!(added(0), 1404);
    assert_eq!(added(1), epss_rows as i64);
    assert_eq!(added(2), 50);
    let status = app
        .feed_status(std::time::Duration::from_secs(3600))
        .await
        .unwrap();
    assert!(status.iter().all(|s| !s.stale), "{status:?}");
    // A failing source is reported and keeps what it had.
    server.state.lock().unwrap().files.remove("/kev.json");
    let report = app
        .sync_feeds(
            &actor(),
            &SyncConfig {
                sources: vec![SyncSource::Kev],
                ..cfg.clone()
            },
        )
        .await
        .unwrap();
    assert!(report.failed);
    assert!(
        report.problems[0].contains("HTTP 404"),
        "{:?}",
        report.problems
    );
    assert_eq!(
        app.store()
            .vuln_table_counts()
            .await
            .unwrap()
            .iter()
            .find(|t| t.0 == "kev_entries")
            .unwrap()
            .1,
        1404
    );
}

async fn csaf_documents_are_checked_against_their_sha512(url: &str) {
    let Some(root) = postmarket_testing::corpus("csaf_documents_are_checked_against_their_sha512")
    else {
        return;
    };
    setup_env();
    let server = serve(Vec::new());
    let names = [
        "icsma-24-151-02.json",
        "icsma-24-163-01.json",
        "icsma-24-200-01.json",
        "icsma-24-249-01.json",
        "icsma-24-254-01.json",
    ];
    let tampered = names[2];
    let mut entries = Vec::new();
    {
        let mut s = server.state.lock().unwrap();
        for n in names {
            let mut doc = std::fs::read(root.join("01-cisa-csaf/icsma").join(n)).unwrap();
            if n == tampered {
                // One changed byte inside a string: still valid JSON, no longer the published file.
                let i = doc.windows(6).position(|w| w == b"\"title").unwrap() + 10;
                doc[i] ^= 0x01;
            }
            s.files.insert(format!("/csaf/docs/{n}"), doc);
            s.files.insert(
                format!("/csaf/docs/{n}.sha512"),
                std::fs::read(
                    root.join("01-cisa-csaf/signatures")
                        .join(format!("{n}.sha512")),
                )
                .unwrap(),
            );
            entries.push(serde_json::json!({
                "id": n.trim_end_matches(".json").to_uppercase(),
                "title": n,
                "updated": "2024-10-01T00:00:00Z",
                "link": [
                    {"rel": "self", "href": format!("docs/{n}")},
                    {"rel": "hash", "href": format!("docs/{n}.sha512")},
                ],
            }));
        }
        s.files.insert(
            "/csaf/feed.json".into(),
            serde_json::to_vec(
                &serde_json::json!({"feed": {"id": "test-feed", "title": "t", "entry": entries}}),
            )
            .unwrap(),
        );
        s.files.insert(
            "/csaf/provider-metadata.json".into(),
            serde_json::to_vec(&serde_json::json!({
                "canonical_url": format!("{}/csaf/provider-metadata.json", server.base),
                "metadata_version": "2.0",
                "role": "csaf_trusted_provider",
                "publisher": {"name": "CISA", "namespace": "https://www.cisa.gov/", "category": "coordinator"},
                "distributions": [{"rolie": {"feeds": [{"url": "feed.json", "tlp_label": "WHITE"}]}}],
            }))
            .unwrap(),
        );
    }
    let app = App::open(url).await.unwrap();
    let cfg = SyncConfig {
        sources: vec![SyncSource::CisaCsaf],
        csaf_url: Some(format!("{}/csaf/provider-metadata.json", server.base)),
        nvd_page_size: 2000,
        ..SyncConfig::default()
    };
    let report = app.sync_feeds(&actor(), &cfg).await.unwrap();
    assert!(!report.failed);
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert!(
        report.problems[0].contains("REFUSED")
            && report.problems[0].contains(tampered)
            && report.problems[0].contains("SHA-512 mismatch"),
        "{}",
        report.problems[0]
    );
    assert!(report.sources[0]
        .summary
        .contains("4 document(s) fetched and verified, 1 refused"));
    let refused_id = "ICSMA-24-200-01";
    let docs: Vec<String> = app
        .store()
        .feed_sources()
        .await
        .unwrap()
        .iter()
        .map(|s| s.source.clone())
        .collect();
    assert_eq!(docs, ["cisa-csaf", "csaf"]);
    // Nothing of the refused advisory was stored.
    let tampered_doc: serde_json::Value = serde_json::from_slice(
        &std::fs::read(root.join("01-cisa-csaf/icsma").join(tampered)).unwrap(),
    )
    .unwrap();
    for v in tampered_doc["vulnerabilities"].as_array().unwrap() {
        if let Ok(d) = app.vuln_show(v["cve"].as_str().unwrap()).await {
            assert!(
                d.records
                    .iter()
                    .all(|r| r.document.as_deref() != Some(refused_id)),
                "{refused_id} was stored"
            );
        }
    }
    // Next time only the refused document is tried again; once it is right, it imports.
    {
        let mut s = server.state.lock().unwrap();
        s.files.insert(
            format!("/csaf/docs/{tampered}"),
            std::fs::read(root.join("01-cisa-csaf/icsma").join(tampered)).unwrap(),
        );
        s.requests.clear();
    }
    let report = app.sync_feeds(&actor(), &cfg).await.unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    let requests = server.state.lock().unwrap().requests.clone();
    let docs_fetched: Vec<&String> = requests
        .iter()
        .filter(|r| r.ends_with(".json") && r.contains("/docs/"))
        .collect();
    assert_eq!(docs_fetched, [&format!("/csaf/docs/{tampered}")]);
    assert!(app.verify().await.unwrap().ok);
}

// ------------------------------------------------------------------ CSAF: OpenPGP, directories

/// A signing key generated for the test (no key material from elsewhere).
fn keypair(seed: u64, uid: &str) -> (SignedSecretKey, String) {
    let mut p = SecretKeyParamsBuilder::default();
    p.key_type(KeyType::Ed25519Legacy)
        .can_certify(true)
        .can_sign(true)
        .can_encrypt(EncryptionCaps::None)
        .primary_user_id(uid.into());
    let sk = p
        .build()
        .unwrap()
        .generate(rand::rngs::StdRng::seed_from_u64(seed))
        .unwrap();
    let armored = SignedPublicKey::from(sk.clone())
        .to_armored_string(ArmorOptions::default())
        .unwrap();
    (sk, armored)
}

fn fingerprint(armored: &str) -> String {
    let mut ring = postmarket_advisories::openpgp::KeyRing::new();
    ring.add_armored(armored.as_bytes(), &ParseOptions::default())
        .unwrap()
        .remove(0)
}

/// An armored detached signature, as a CSAF provider publishes it beside the document.
fn sign(sk: &SignedSecretKey, data: &[u8]) -> Vec<u8> {
    DetachedSignature::sign_binary_data(
        rand::rngs::StdRng::seed_from_u64(7),
        &sk.primary_key,
        &Password::empty(),
        HashAlgorithm::Sha512,
        data,
    )
    .unwrap()
    .to_armored_bytes(ArmorOptions::default())
    .unwrap()
}

fn sha512_file(doc: &[u8], name: &str) -> Vec<u8> {
    format!("{}  {name}\n", discovery::sha512_hex(doc)).into_bytes()
}

fn icsma(root: &Path, name: &str) -> Vec<u8> {
    std::fs::read(root.join("01-cisa-csaf/icsma").join(name)).unwrap()
}

/// Which document ids the store holds CSAF records of.
async fn csaf_documents(app: &App, root: &Path, names: &[&str]) -> Vec<String> {
    let mut out = std::collections::BTreeSet::new();
    for n in names {
        let doc: serde_json::Value = serde_json::from_slice(&icsma(root, n)).unwrap();
        for v in doc["vulnerabilities"].as_array().unwrap() {
            if let Ok(d) = app.vuln_show(v["cve"].as_str().unwrap()).await {
                out.extend(d.records.iter().filter_map(|r| r.document.clone()));
            }
        }
    }
    out.into_iter().collect()
}

async fn csaf_openpgp_signatures_are_verified_with_configured_keys(url: &str) {
    let Some(root) = postmarket_testing::corpus("csaf_openpgp_signatures") else {
        return;
    };
    setup_env();
    let server = serve(Vec::new());
    let (trusted, trusted_pub) = keypair(1, "PSIRT <psirt@example.test>");
    let (stranger, stranger_pub) = keypair(2, "Stranger <x@example.test>");
    let keys = tempfile::tempdir().unwrap();
    let trusted_file = keys.path().join("psirt.asc");
    std::fs::write(&trusted_file, &trusted_pub).unwrap();
    let stranger_file = keys.path().join("stranger.asc");
    std::fs::write(&stranger_file, &stranger_pub).unwrap();

    let good = "icsma-24-151-02.json";
    let tampered = "icsma-24-163-01.json";
    let wrong_key = "icsma-24-200-01.json";
    let unsigned = "icsma-24-249-01.json";
    let names = [good, tampered, wrong_key, unsigned];
    let mut entries = Vec::new();
    {
        let mut s = server.state.lock().unwrap();
        for n in names {
            let doc = icsma(&root, n);
            let signature = match n {
                n if n == wrong_key => Some(sign(&stranger, &doc)),
                n if n == unsigned => None,
                _ => Some(sign(&trusted, &doc)),
            };
            let served = if n == tampered {
                // Changed after signing, with a SHA-512 that matches the change: only the
                // signature can tell.
                let mut d = doc.clone();
                let i = d.windows(6).position(|w| w == b"\"title").unwrap() + 10;
                d[i] ^= 0x01;
                d
            } else {
                doc
            };
            s.files
                .insert(format!("/csaf/docs/{n}.sha512"), sha512_file(&served, n));
            s.files.insert(format!("/csaf/docs/{n}"), served);
            if let Some(sig) = signature {
                s.files.insert(format!("/csaf/docs/{n}.asc"), sig);
            }
            entries.push(serde_json::json!({
                "id": n.trim_end_matches(".json").to_uppercase(),
                "title": n,
                "updated": "2024-10-01T00:00:00Z",
                "link": [
                    {"rel": "self", "href": format!("docs/{n}")},
                    {"rel": "hash", "href": format!("docs/{n}.sha512")},
                    {"rel": "signature", "href": format!("docs/{n}.asc")},
                ],
            }));
        }
        s.files.insert(
            "/csaf/feed.json".into(),
            serde_json::to_vec(&serde_json::json!({"feed": {"id": "f", "entry": entries}}))
                .unwrap(),
        );
        s.files.insert(
            "/csaf/provider-metadata.json".into(),
            serde_json::to_vec(&serde_json::json!({
                "canonical_url": format!("{}/csaf/provider-metadata.json", server.base),
                "metadata_version": "2.0",
                "role": "csaf_trusted_provider",
                "publisher": {"name": "PSIRT", "namespace": "https://example.test", "category": "vendor"},
                "public_openpgp_keys": [{"fingerprint": fingerprint(&trusted_pub), "url": "https://example.test/key.asc"}],
                "distributions": [{"rolie": {"feeds": [{"url": "feed.json", "tlp_label": "WHITE"}]}}],
            }))
            .unwrap(),
        );
    }
    let app = App::open(url).await.unwrap();
    let cfg = SyncConfig {
        sources: vec![SyncSource::CisaCsaf],
        csaf_url: Some(format!("{}/csaf/provider-metadata.json", server.base)),
        csaf_keys: vec![trusted_file.clone()],
        nvd_page_size: 2000,
        ..SyncConfig::default()
    };
    let report = app.sync_feeds(&actor(), &cfg).await.unwrap();
    assert!(!report.failed, "{report:?}");
    let problems = report.problems.join("\n");
    assert_eq!(report.problems.len(), 3, "{problems}");
    let refused = |name: &str, why: &str| {
        assert!(
            report
                .problems
                .iter()
                .any(|p| p.contains("REFUSED") && p.contains(name) && p.contains(why)),
            "{name}: {why:?} not in {problems}"
        );
    };
    refused(tampered, "does not verify");
    refused(wrong_key, "does not verify");
    refused(unsigned, "signature is missing");
    assert!(!problems.contains(good), "{problems}");
    let summary = &report.sources[0].summary;
    assert!(
        summary.contains("1 document(s) fetched and verified, 3 refused")
            && summary.contains(&fingerprint(&trusted_pub)),
        "{summary}"
    );
    assert_eq!(
        csaf_documents(&app, &root, &names).await,
        ["ICSMA-24-151-02"],
        "only the well-signed advisory is stored"
    );
    // The run's audit event says how its documents were checked.
    let run = report.sources[0]
        .runs
        .iter()
        .find(|r| r.id.is_some())
        .unwrap();
    assert!(run
        .note
        .as_deref()
        .unwrap()
        .contains("OpenPGP signatures (trusted keys"));

    // Refused documents are tried again; a key that is not the provider's is named up front.
    server.state.lock().unwrap().requests.clear();
    let cfg_stranger = SyncConfig {
        csaf_keys: vec![stranger_file.clone()],
        ..cfg.clone()
    };
    let report = app.sync_feeds(&actor(), &cfg_stranger).await.unwrap();
    assert!(
        report.problems[0].contains("none of them is among the configured keys"),
        "{:?}",
        report.problems
    );
    let fetched: Vec<String> = server
        .state
        .lock()
        .unwrap()
        .requests
        .iter()
        .filter(|r| r.ends_with(".json") && r.contains("/docs/"))
        .cloned()
        .collect();
    assert_eq!(
        fetched.len(),
        3,
        "only the refused three again: {fetched:?}"
    );
    // The stranger's key verifies the document it signed, and nothing else.
    assert_eq!(
        csaf_documents(&app, &root, &names).await,
        ["ICSMA-24-151-02", "ICSMA-24-200-01"]
    );

    // Without keys the signatures are not checked, and the sync and `feeds status` say so.
    let cfg_none = SyncConfig {
        csaf_keys: Vec::new(),
        ..cfg.clone()
    };
    let report = app.sync_feeds(&actor(), &cfg_none).await.unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert!(
        report.sources[0]
            .summary
            .contains("OpenPGP signatures NOT checked"),
        "{}",
        report.sources[0].summary
    );
    let status = app
        .feed_status(std::time::Duration::from_secs(3600))
        .await
        .unwrap();
    let csaf = status.iter().find(|s| s.source == "cisa-csaf").unwrap();
    assert!(
        csaf.note.as_deref().unwrap().contains("NOT checked"),
        "{csaf:?}"
    );
    assert_eq!(csaf_documents(&app, &root, &names).await.len(), 4);
    assert!(app.verify().await.unwrap().ok);

    // A key file that is not a key is bad input, before anything is fetched.
    let junk = keys.path().join("junk.asc");
    std::fs::write(&junk, "not a key").unwrap();
    let err = app
        .sync_feeds(
            &actor(),
            &SyncConfig {
                csaf_keys: vec![junk],
                ..cfg.clone()
            },
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadInput);
    assert!(err.to_string().contains("junk.asc"), "{err}");
}

async fn csaf_directory_distribution_is_incremental(url: &str) {
    let Some(root) = postmarket_testing::corpus("csaf_directory_distribution") else {
        return;
    };
    setup_env();
    let server = serve(Vec::new());
    let names = [
        "icsma-24-151-02.json",
        "icsma-24-163-01.json",
        "icsma-24-200-01.json",
    ];
    let changes = |stamps: [&str; 3]| -> Vec<u8> {
        // Newest first, as CSAF 2.0 §7.1.13 asks.
        let mut rows: Vec<String> = names
            .iter()
            .zip(stamps)
            .map(|(n, t)| format!("\"2024/{n}\",\"{t}\"\n"))
            .collect();
        rows.reverse();
        rows.concat().into_bytes()
    };
    {
        let mut s = server.state.lock().unwrap();
        for n in names {
            let doc = icsma(&root, n);
            s.files
                .insert(format!("/dir/2024/{n}.sha512"), sha512_file(&doc, n));
            s.files.insert(format!("/dir/2024/{n}"), doc);
        }
        s.files.insert(
            "/dir/changes.csv".into(),
            changes([
                "2024-05-30T06:00:00Z",
                "2024-06-11T06:00:00Z",
                "2024-07-18T06:00:00Z",
            ]),
        );
        s.files.insert(
            "/pm/provider-metadata.json".into(),
            serde_json::to_vec(&serde_json::json!({
                "canonical_url": format!("{}/pm/provider-metadata.json", server.base),
                "metadata_version": "2.0",
                "role": "csaf_provider",
                "publisher": {"name": "PSIRT", "namespace": "https://example.test", "category": "vendor"},
                "distributions": [{"directory_url": format!("{}/dir", server.base)}],
            }))
            .unwrap(),
        );
    }
    let app = App::open(url).await.unwrap();
    let cfg = SyncConfig {
        sources: vec![SyncSource::CisaCsaf],
        csaf_url: Some(format!("{}/pm/provider-metadata.json", server.base)),
        nvd_page_size: 2000,
        ..SyncConfig::default()
    };
    let docs_fetched = |server: &Server| -> Vec<String> {
        server
            .state
            .lock()
            .unwrap()
            .requests
            .iter()
            .filter(|r| r.ends_with(".json") && r.starts_with("/dir/"))
            .cloned()
            .collect()
    };
    let report = app.sync_feeds(&actor(), &cfg).await.unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert!(report.sources[0]
        .summary
        .contains("3 document(s) fetched and verified, 0 refused"));
    assert_eq!(csaf_documents(&app, &root, &names).await.len(), 3);

    // Nothing changed: only changes.csv is read.
    server.state.lock().unwrap().requests.clear();
    let report = app.sync_feeds(&actor(), &cfg).await.unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert!(
        docs_fetched(&server).is_empty(),
        "{:?}",
        docs_fetched(&server)
    );

    // One document's timestamp moves: that one alone is fetched again.
    {
        let mut s = server.state.lock().unwrap();
        s.requests.clear();
        s.files.insert(
            "/dir/changes.csv".into(),
            changes([
                "2024-05-30T06:00:00Z",
                "2024-09-01T00:00:00Z",
                "2024-07-18T06:00:00Z",
            ]),
        );
    }
    app.sync_feeds(&actor(), &cfg).await.unwrap();
    assert_eq!(docs_fetched(&server), [format!("/dir/2024/{}", names[1])]);

    // A hash mismatch in a directory is refused like one in a ROLIE feed.
    {
        let mut s = server.state.lock().unwrap();
        s.files.insert(
            format!("/dir/2024/{}.sha512", names[2]),
            sha512_file(b"something else", names[2]),
        );
        s.files.insert(
            "/dir/changes.csv".into(),
            changes([
                "2024-05-30T06:00:00Z",
                "2024-09-01T00:00:00Z",
                "2024-10-01T00:00:00Z",
            ]),
        );
    }
    let report = app.sync_feeds(&actor(), &cfg).await.unwrap();
    assert_eq!(report.problems.len(), 1, "{:?}", report.problems);
    assert!(
        report.problems[0].contains("SHA-512 mismatch") && report.problems[0].contains(names[2])
    );

    // Without changes.csv the directory's index.txt lists the documents.
    {
        let mut s = server.state.lock().unwrap();
        s.files.remove("/dir/changes.csv");
        s.files.insert(
            format!("/dir/2024/{}.sha512", names[2]),
            sha512_file(&icsma(&root, names[2]), names[2]),
        );
        s.files.insert(
            "/dir/index.txt".into(),
            names
                .iter()
                .map(|n| format!("2024/{n}\n"))
                .collect::<String>()
                .into_bytes(),
        );
    }
    let report = app.sync_feeds(&actor(), &cfg).await.unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);

    // A ROLIE feed and the directory listing the same documents: each is fetched once, and not
    // again on the next sync.
    {
        let mut s = server.state.lock().unwrap();
        let entries: Vec<serde_json::Value> = names
            .iter()
            .map(|n| {
                serde_json::json!({
                    "id": n, "updated": "2024-11-01T00:00:00Z",
                    "link": [{"rel": "self", "href": format!("/dir/2024/{n}")},
                             {"rel": "hash", "href": format!("/dir/2024/{n}.sha512")}],
                })
            })
            .collect();
        s.files.insert(
            "/pm/feed.json".into(),
            serde_json::to_vec(&serde_json::json!({"feed": {"id": "f", "entry": entries}}))
                .unwrap(),
        );
        s.files.insert(
            "/pm/provider-metadata.json".into(),
            serde_json::to_vec(&serde_json::json!({
                "canonical_url": format!("{}/pm/provider-metadata.json", server.base),
                "distributions": [{"rolie": {"feeds": [{"url": "feed.json"}]},
                                   "directory_url": format!("{}/dir", server.base)}],
            }))
            .unwrap(),
        );
        s.requests.clear();
    }
    app.sync_feeds(&actor(), &cfg).await.unwrap();
    assert_eq!(
        docs_fetched(&server).len(),
        3,
        "{:?}",
        docs_fetched(&server)
    );
    server.state.lock().unwrap().requests.clear();
    let report = app.sync_feeds(&actor(), &cfg).await.unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert!(
        docs_fetched(&server).is_empty(),
        "{:?}",
        docs_fetched(&server)
    );
    assert!(app.verify().await.unwrap().ok);
}

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let dir = tempfile::tempdir().unwrap();
                    super::$name(&postmarket_testing::sqlite_url(dir.path(), "pm.db")).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(db) = postmarket_testing::PgTestDb::create(stringify!($name)).await else { return };
                    super::$name(&db.url).await;
                    db.drop_db().await;
                }
            )*
        }
    };
}

conformance!(
    nvd_paging_429_interruption_and_resume,
    kev_epss_and_osv_archives,
    csaf_documents_are_checked_against_their_sha512,
    csaf_openpgp_signatures_are_verified_with_configured_keys,
    csaf_directory_distribution_is_incremental,
);

//! Matching and findings (issue 5) through the app's use cases, on SQLite and PostgreSQL
//! (`POSTMARKET_TEST_PG`), with the hand-written feed fixtures of `tests/fixtures/feeds` and
//! `tests/fixtures/findings`: findings when an SBOM is stored, portfolio and incremental
//! re-match with appeared / vanished events and their causes, VEX suppression kept visible,
//! where-used, stateless scans, withdrawn records never matching.

use std::path::{Path, PathBuf};

use postmarket_app::{App, ImportOptions, NoMatchProgress, NoProgress, VexInput};
use postmarket_model::{Actor, DeviceClass, NewDevice, NewRelease, Pathway};
use postmarket_store::FindingFilter;

fn actor() -> Actor {
    Actor::new("findings-test").unwrap()
}

fn fx(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let dir = tempfile::tempdir().unwrap();
                    let url = postmarket_testing::sqlite_url(dir.path(), "pm.db");
                    super::$name(&url).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(db) = postmarket_testing::PgTestDb::create(concat!("appfind_", stringify!($name))).await else { return };
                    super::$name(&db.url).await;
                    db.drop_db().await;
                }
            )*
        }
    };
}

conformance!(
    a_stored_sbom_gets_its_findings_in_the_same_workflow,
    incremental_rematch_records_what_appeared_and_vanished_and_why,
    vex_not_affected_suppresses_but_keeps_the_finding_visible,
    where_used_finds_every_release_and_component,
    scan_is_stateless_and_shaped_as_specified,
    without_a_corpus_storing_an_sbom_matches_nothing,
);

async fn import(app: &App, paths: &[PathBuf]) {
    let rep = app
        .import_feeds(&actor(), paths, &ImportOptions::default(), &NoProgress)
        .await
        .unwrap();
    assert!(rep.diagnostics.is_empty(), "{:?}", rep.diagnostics);
}

async fn corpus_v1(app: &App) {
    import(
        app,
        &[
            fx("feeds/good/osv-ghsa.json"),
            fx("feeds/good/nvd-page.json"),
            fx("feeds/good/kev.json"),
            fx("feeds/good/epss.csv"),
            fx("findings/v1"),
        ],
    )
    .await;
}

async fn device(app: &App, name: &str) {
    app.add_device(
        &actor(),
        &NewDevice::new(
            name.parse().unwrap(),
            "Infusion",
            DeviceClass::II,
            Pathway::Premarket510k,
        ),
        None,
    )
    .await
    .unwrap();
}

async fn release(app: &App, device: &str, version: &str, sbom: &str, install_base: i64) {
    let file = postmarket_app::read_sbom_file(&fx(sbom), 1 << 20).unwrap();
    app.add_release_with_sbom(
        &actor(),
        &NewRelease {
            device: device.parse().unwrap(),
            version: version.parse().unwrap(),
            released_at: None,
            end_of_support: None,
            install_base,
        },
        &file,
        None,
    )
    .await
    .unwrap();
}

fn active() -> FindingFilter {
    FindingFilter::default()
}

fn pairs(v: &[postmarket_app::FindingView]) -> Vec<(String, String, String)> {
    let mut p: Vec<_> = v
        .iter()
        .map(|f| {
            (
                f.finding.release.clone(),
                f.finding.component_name.clone(),
                f.finding.vulnerability.clone(),
            )
        })
        .collect();
    p.sort();
    p
}

async fn a_stored_sbom_gets_its_findings_in_the_same_workflow(url: &str) {
    let app = App::open(url).await.unwrap();
    corpus_v1(&app).await;
    device(&app, "Pump A").await;
    release(&app, "Pump A", "2.0", "findings/device-a.cdx.json", 120).await;
    let found = app.findings(&active()).await.unwrap();
    // otherpkg 3.0 < 4.0 (purl); zlib 1.2.11 < 1.2.12 via the heuristic (zlib:zlib, its own
    // vendor: 0.8); example-pkg 1.2.0 is fixed in v1 of the record; left-pad's record is
    // withdrawn; requests has no record.
    assert_eq!(
        pairs(&found),
        vec![
            ("2.0".into(), "otherpkg".into(), "OSV-TEST-0002".into()),
            ("2.0".into(), "zlib".into(), "CVE-2024-1111".into()),
        ]
    );
    let zlib = found
        .iter()
        .find(|f| f.finding.component_name == "zlib")
        .unwrap();
    assert_eq!(zlib.finding.match_kind, "heuristic");
    assert!((zlib.finding.confidence - 0.8).abs() < 1e-9);
    assert_eq!(
        zlib.finding.affected,
        "cpe:2.3:a:zlib:zlib:*:*:*:*:*:*:*:* <1.2.12"
    );
    assert_eq!(zlib.finding.fixed.as_deref(), Some("1.2.12"));
    assert_eq!(zlib.severity, "critical");
    assert_eq!(zlib.cvss.as_ref().unwrap().base, Some(9.8));
    assert_eq!(zlib.finding.component_key, "purl:pkg:generic/zlib@1.2.11");

    // Every finding explains itself, and says why it exists.
    let ex = app.explain_finding(zlib.finding.id).await.unwrap();
    assert_eq!(ex.view.finding.explanation["verdict"], "affected");
    assert!(ex.view.finding.explanation["text"]
        .as_str()
        .unwrap()
        .contains("1.2.12"));
    assert!(ex.view.finding.reason.contains("zlib"));
    assert_eq!(ex.events.len(), 1);
    assert_eq!(ex.events[0].event, "appeared");
    assert_eq!(ex.events[0].cause, "SBOM revision 1 of Pump A 2.0");

    // The same file again changes nothing; a new revision re-matches and records what changed.
    release(&app, "Pump A", "2.0", "findings/device-a.cdx.json", 0).await;
    assert_eq!(app.store().count("match_runs").await.unwrap(), 1);
    let file = postmarket_app::read_sbom_file(&fx("findings/device-b.cdx.json"), 1 << 20).unwrap();
    app.add_sbom(
        &actor(),
        postmarket_store::SbomTarget::Existing {
            device: &"Pump A".parse().unwrap(),
            version: &"2.0".parse().unwrap(),
        },
        &file,
        None,
    )
    .await
    .unwrap();
    let now = app.findings(&active()).await.unwrap();
    assert_eq!(
        pairs(&now),
        vec![("2.0".into(), "example-pkg".into(), "CVE-2024-0001".into())]
    );
    let kev = &now[0];
    assert!(kev.kev);
    assert_eq!(kev.epss, Some(0.97123));
    assert_eq!(kev.severity, "high");
    let gone = app.explain_finding(zlib.finding.id).await.unwrap();
    assert!(!gone.view.finding.active);
    assert_eq!(gone.events.last().unwrap().event, "vanished");
    assert_eq!(
        gone.events.last().unwrap().cause,
        "SBOM revision 2 of Pump A 2.0"
    );
    assert!(app.verify().await.unwrap().ok);
    app.store().close().await;
}

async fn incremental_rematch_records_what_appeared_and_vanished_and_why(url: &str) {
    let app = App::open(url).await.unwrap();
    corpus_v1(&app).await;
    device(&app, "Pump A").await;
    release(&app, "Pump A", "2.0", "findings/device-a.cdx.json", 120).await;
    release(&app, "Pump A", "1.0", "findings/device-b.cdx.json", 40).await;
    let full = app
        .match_portfolio(&actor(), &NoMatchProgress)
        .await
        .unwrap();
    assert_eq!(full.run.releases, 2);
    assert_eq!(full.run.components, 7);
    assert_eq!(
        (full.run.appeared, full.run.vanished),
        (0, 0),
        "stored already"
    );
    let before = pairs(&app.findings(&active()).await.unwrap());
    assert_eq!(
        before,
        vec![
            ("1.0".into(), "example-pkg".into(), "CVE-2024-0001".into()),
            ("2.0".into(), "otherpkg".into(), "OSV-TEST-0002".into()),
            ("2.0".into(), "zlib".into(), "CVE-2024-1111".into()),
        ]
    );
    // Nothing changed: nothing evaluated.
    let none = app
        .match_incremental(&actor(), &NoMatchProgress)
        .await
        .unwrap();
    assert_eq!((none.changes, none.evaluated), (0, 0));

    // v2: the GHSA record's fix moved to 1.2.1 (example-pkg 1.2.0 of release 2.0 is affected
    // now), and OSV-TEST-0002 no longer names the PyPI package.
    import(
        &app,
        &[
            fx("feeds/v2/osv-ghsa.json"),
            fx("findings/v2/otherpkg.json"),
        ],
    )
    .await;
    let inc = app
        .match_incremental(&actor(), &NoMatchProgress)
        .await
        .unwrap();
    assert_eq!(inc.changes, 2);
    // example-pkg in both releases (package key), otherpkg (holds a finding of a changed
    // vulnerability); zlib, left-pad and requests are not touched.
    assert_eq!(inc.evaluated, 3, "{inc:?}");
    assert_eq!((inc.run.appeared, inc.run.vanished), (1, 1));
    let after = pairs(&app.findings(&active()).await.unwrap());
    assert_eq!(
        after,
        vec![
            ("1.0".into(), "example-pkg".into(), "CVE-2024-0001".into()),
            ("2.0".into(), "example-pkg".into(), "CVE-2024-0001".into()),
            ("2.0".into(), "zlib".into(), "CVE-2024-1111".into()),
        ]
    );
    let events = app.store().run_finding_events(inc.run.id).await.unwrap();
    assert_eq!(events.len(), 2);
    for e in &events {
        assert!(e.cause.starts_with("feed change: osv record "), "{e:?}");
    }
    let appeared = events.iter().find(|e| e.event == "appeared").unwrap();
    assert!(
        appeared.cause.contains("GHSA-2024-exam-ple1"),
        "{appeared:?}"
    );
    let vanished = events.iter().find(|e| e.event == "vanished").unwrap();
    assert!(vanished.cause.contains("OSV-TEST-0002"), "{vanished:?}");
    // The incremental run and a full one agree.
    let again = app
        .match_portfolio(&actor(), &NoMatchProgress)
        .await
        .unwrap();
    assert_eq!((again.run.appeared, again.run.vanished), (0, 0));
    assert!(app.verify().await.unwrap().ok);
    app.store().close().await;
}

async fn vex_not_affected_suppresses_but_keeps_the_finding_visible(url: &str) {
    let app = App::open(url).await.unwrap();
    corpus_v1(&app).await;
    device(&app, "Pump A").await;
    release(&app, "Pump A", "1.0", "findings/device-b.cdx.json", 40).await;
    let row = app
        .record_vex(
            &actor(),
            &"Pump A".parse().unwrap(),
            &"1.0".parse().unwrap(),
            VexInput {
                component: "pkg:pypi/example-pkg".into(),
                // Any alias names the vulnerability.
                vulnerability: "GHSA-2024-exam-ple1".into(),
                status: "not_affected".into(),
                justification: Some("vulnerable_code_not_in_execute_path".into()),
                source_document: Some("acme-vex-1.json".into()),
                ..VexInput::default()
            },
            Some("header parser unused"),
        )
        .await
        .unwrap();
    assert_eq!(row.status, "not_affected");
    let found = app.findings(&active()).await.unwrap();
    assert_eq!(found.len(), 1, "suppressed findings stay listed");
    let f = &found[0].finding;
    assert!(f.suppressed);
    assert_eq!(f.vex_status.as_deref(), Some("not_affected"));
    assert_eq!(
        f.vex_justification.as_deref(),
        Some("vulnerable_code_not_in_execute_path")
    );
    let used = app.where_used("CVE-2024-0001").await.unwrap();
    assert_eq!(used.hits.len(), 1);
    assert!(used.hits[0].findings.is_empty());
    assert_eq!(
        used.hits[0].suppressed,
        vec!["CVE-2024-0001 (VEX not_affected)".to_string()]
    );
    // A bad status is refused naming the allowed ones; nothing is written.
    let n = app.store().count("audit_events").await.unwrap();
    let err = app
        .record_vex(
            &actor(),
            &"Pump A".parse().unwrap(),
            &"1.0".parse().unwrap(),
            VexInput {
                component: "pkg:pypi/example-pkg".into(),
                vulnerability: "CVE-2024-0001".into(),
                status: "safe".into(),
                ..VexInput::default()
            },
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), postmarket_app::ErrorKind::BadInput, "{err}");
    assert!(err.to_string().contains("under_investigation"), "{err}");
    assert_eq!(app.store().count("audit_events").await.unwrap(), n);
    app.store().close().await;
}

/// (device, release, component version, findings, units in the field)
type Hit = (String, String, Option<String>, Vec<String>, i64);

async fn where_used_finds_every_release_and_component(url: &str) {
    let app = App::open(url).await.unwrap();
    corpus_v1(&app).await;
    device(&app, "Pump A").await;
    device(&app, "Gateway").await;
    release(&app, "Pump A", "2.0", "findings/device-a.cdx.json", 120).await;
    release(&app, "Gateway", "5.1", "findings/device-b.cdx.json", 7).await;
    let by_purl = app.where_used("pkg:pypi/example-pkg").await.unwrap();
    let mut got: Vec<Hit> = by_purl
        .hits
        .iter()
        .map(|h| {
            (
                h.device.clone(),
                h.release.clone(),
                h.version.clone(),
                h.findings.clone(),
                h.install_base,
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            (
                "Gateway".into(),
                "5.1".into(),
                Some("1.1.0".into()),
                vec!["CVE-2024-0001".into()],
                7
            ),
            (
                "Pump A".into(),
                "2.0".into(),
                Some("1.2.0".into()),
                vec![],
                120
            ),
        ]
    );
    let exact = app.where_used("pkg:pypi/example-pkg@1.1.0").await.unwrap();
    assert_eq!(exact.hits.len(), 1);
    // By any alias of the vulnerability.
    let by_cve = app.where_used("ghsa-2024-exam-ple1").await.unwrap();
    assert_eq!(by_cve.vulnerability.as_deref(), Some("CVE-2024-0001"));
    assert_eq!(by_cve.hits.len(), 1);
    assert_eq!(by_cve.hits[0].device, "Gateway");
    let unknown = app.where_used("CVE-1999-0001").await.unwrap_err();
    assert_eq!(unknown.kind(), postmarket_app::ErrorKind::NotFound);
    let bad = app.where_used("pkg:").await.unwrap_err();
    assert_eq!(bad.kind(), postmarket_app::ErrorKind::BadInput, "{bad}");
    app.store().close().await;
}

async fn scan_is_stateless_and_shaped_as_specified(url: &str) {
    let app = App::open(url).await.unwrap();
    corpus_v1(&app).await;
    let n = app.store().count("audit_events").await.unwrap();
    let file = postmarket_app::read_sbom_file(&fx("findings/device-a.cdx.json"), 1 << 20).unwrap();
    let rep = app.scan_sbom(&file, 0.7).await.unwrap();
    assert_eq!(app.store().count("audit_events").await.unwrap(), n);
    assert_eq!(app.store().count("findings").await.unwrap(), 0);
    assert_eq!(rep.components, 5);
    let json = serde_json::to_value(&rep).unwrap();
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, vec!["components", "findings", "possible_matches"]);
    let f = &json["findings"][0];
    let mut fkeys: Vec<&str> = f.as_object().unwrap().keys().map(String::as_str).collect();
    fkeys.sort();
    assert_eq!(
        fkeys,
        vec![
            "affected",
            "aliases",
            "component",
            "confidence",
            "cvss",
            "epss",
            "fixed",
            "kev",
            "match",
            "severity",
            "source",
            "vulnerability"
        ]
    );
    let mut ckeys: Vec<&str> = f["component"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    ckeys.sort();
    assert_eq!(ckeys, vec!["cpe", "name", "purl", "version"]);
    assert_eq!(rep.findings.len(), rep.explanations.len());
    // A higher threshold turns the heuristic zlib match into a possible match.
    let strict = app.scan_sbom(&file, 0.9).await.unwrap();
    assert_eq!(strict.findings.len(), 1);
    assert_eq!(strict.possible_matches.len(), 1);
    assert_eq!(strict.possible_matches[0].vulnerability, "CVE-2024-1111");
    app.store().close().await;
}

async fn without_a_corpus_storing_an_sbom_matches_nothing(url: &str) {
    let app = App::open(url).await.unwrap();
    device(&app, "Pump A").await;
    release(&app, "Pump A", "2.0", "findings/device-a.cdx.json", 1).await;
    assert_eq!(app.store().count("match_runs").await.unwrap(), 0);
    // A portfolio match on an empty corpus runs and finds nothing.
    let s = app
        .match_portfolio(&actor(), &NoMatchProgress)
        .await
        .unwrap();
    assert_eq!((s.run.findings, s.run.components), (0, 5));
    app.store().close().await;
}

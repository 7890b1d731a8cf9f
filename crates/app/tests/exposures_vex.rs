//! Cases that open from new findings, and supplier VEX documents imported for a release, on
//! SQLite and (with `POSTMARKET_TEST_PG`) PostgreSQL.

use std::path::{Path, PathBuf};

use postmarket_app::{App, ErrorKind, ImportOptions, NoMatchProgress, NoProgress};
use postmarket_model::{Actor, Date, DeviceClass, NewDevice, NewRelease, Pathway};
use postmarket_program::evidence::CaseSource;
use postmarket_store::FindingFilter;
use postmarket_testing::{sqlite_url, PgTestDb};

fn actor() -> Actor {
    Actor::new("glue-tests").unwrap()
}

fn fx(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        $(
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
        )*
    };
}

both_backends!(
    new_findings_open_one_case_per_vulnerability_and_device,
    supplier_vex_is_stored_whole_or_not_at_all,
);

async fn corpus(app: &App) {
    let rep = app
        .import_feeds(
            &actor(),
            &[
                fx("feeds/good/osv-ghsa.json"),
                fx("feeds/good/nvd-page.json"),
                fx("feeds/good/kev.json"),
                fx("feeds/good/epss.csv"),
                fx("findings/v1"),
            ],
            &ImportOptions::default(),
            &NoProgress,
        )
        .await
        .unwrap();
    assert!(rep.diagnostics.is_empty(), "{:?}", rep.diagnostics);
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

async fn release(app: &App, device: &str, version: &str, sbom: &str) {
    let file = postmarket_app::read_sbom_file(&fx(sbom), 1 << 20).unwrap();
    app.add_release_with_sbom(
        &actor(),
        &NewRelease {
            device: device.parse().unwrap(),
            version: version.parse().unwrap(),
            released_at: None,
            end_of_support: None,
            install_base: 10,
        },
        &file,
        None,
    )
    .await
    .unwrap();
}

fn today() -> Date {
    Date::from_calendar(time::OffsetDateTime::now_utc().date())
}

async fn new_findings_open_one_case_per_vulnerability_and_device(url: &str) {
    let app = App::open(url).await.unwrap();
    corpus(&app).await;
    device(&app, "Pump A").await;
    assert!(app.cases(None).await.unwrap().is_empty());
    // Storing the SBOM matches it: otherpkg (OSV-TEST-0002) and zlib (CVE-2024-1111).
    release(&app, "Pump A", "2.0", "findings/device-a.cdx.json").await;
    let mut cases = app.cases(None).await.unwrap();
    cases.sort_by(|a, b| a.vulnerability.cmp(&b.vulnerability));
    let vulns: Vec<&str> = cases.iter().map(|c| c.vulnerability.as_str()).collect();
    assert_eq!(vulns, ["CVE-2024-1111", "OSV-TEST-0002"]);
    for c in &cases {
        assert_eq!(c.source, CaseSource::Feed);
        assert_eq!(c.t0, today(), "T0 is the day the finding appeared");
    }
    // Matching again finds nothing new and opens nothing.
    let again = app
        .match_portfolio(&actor(), &NoMatchProgress)
        .await
        .unwrap();
    assert_eq!(again.run.appeared, 0);
    assert_eq!(app.cases(None).await.unwrap().len(), 2);
    // A second release with the same components joins the existing cases.
    release(&app, "Pump A", "2.1", "findings/device-a.cdx.json").await;
    let cases = app.cases(None).await.unwrap();
    assert_eq!(cases.len(), 2);
    for c in cases {
        let view = app.case(c.id).await.unwrap();
        let versions: Vec<&str> = view.releases.iter().map(|r| r.version.as_str()).collect();
        assert_eq!(versions, ["2.0", "2.1"], "{}", c.vulnerability);
    }
    // A suppressed finding opens no case: device-b's example-pkg gets a VEX first.
    device(&app, "Pump B").await;
    app.add_release(
        &actor(),
        &NewRelease {
            device: "Pump B".parse().unwrap(),
            version: "1.0".parse().unwrap(),
            released_at: None,
            end_of_support: None,
            install_base: 1,
        },
        None,
    )
    .await
    .unwrap();
    app.record_vex(
        &actor(),
        &"Pump B".parse().unwrap(),
        &"1.0".parse().unwrap(),
        postmarket_app::VexInput {
            component: "pkg:pypi/example-pkg".into(),
            vulnerability: "CVE-2024-0001".into(),
            status: "not_affected".into(),
            justification: Some("vulnerable_code_not_in_execute_path".into()),
            ..Default::default()
        },
        None,
    )
    .await
    .unwrap();
    let file = postmarket_app::read_sbom_file(&fx("findings/device-b.cdx.json"), 1 << 20).unwrap();
    let (dev, ver) = ("Pump B".parse().unwrap(), "1.0".parse().unwrap());
    app.add_sbom(
        &actor(),
        postmarket_store::SbomTarget::Existing {
            device: &dev,
            version: &ver,
        },
        &file,
        None,
    )
    .await
    .unwrap();
    let b = app.cases(Some(&"Pump B".parse().unwrap())).await.unwrap();
    assert!(b.is_empty(), "suppressed findings open no case: {b:?}");
    assert!(app.verify().await.unwrap().ok);
}

async fn supplier_vex_is_stored_whole_or_not_at_all(url: &str) {
    let app = App::open(url).await.unwrap();
    corpus(&app).await;
    device(&app, "Pump B").await;
    release(&app, "Pump B", "1.0", "findings/device-b.cdx.json").await;
    let (dev, ver) = ("Pump B".parse().unwrap(), "1.0".parse().unwrap());

    // A statement naming no component of the release: refused, listing it, nothing stored.
    let before = app.store().count("audit_events").await.unwrap();
    let e = app
        .import_vex(
            &actor(),
            &fx("vex/supplier-openvex-unknown.json"),
            &dev,
            &ver,
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadInput, "{e}");
    let msg = e.to_string();
    assert!(msg.contains("pkg:npm/not-in-this-release@4.2.0"), "{msg}");
    assert!(msg.contains("supplier-openvex-unknown.json"), "{msg}");
    assert!(
        !msg.contains("example-pkg"),
        "only the unresolved one is listed: {msg}"
    );
    assert_eq!(app.store().count("audit_events").await.unwrap(), before);
    assert!(app.store().vex_statements(None).await.unwrap().is_empty());

    // The CycloneDX VEX resolves by bom-ref → purl; the finding is suppressed and keeps its
    // justification (CycloneDX `code_not_reachable` = `vulnerable_code_not_in_execute_path`).
    let r = app
        .import_vex(
            &actor(),
            &fx("vex/supplier-cdx.json"),
            &dev,
            &ver,
            Some("supplier VEX"),
        )
        .await
        .unwrap();
    assert_eq!(r.format, "cyclonedx");
    assert_eq!(r.statements.len(), 1);
    assert_eq!(r.statements[0].component, "purl:pkg:pypi/example-pkg@1.1.0");
    let found = app.findings(&FindingFilter::default()).await.unwrap();
    let f = found
        .iter()
        .find(|f| f.finding.component_name == "example-pkg")
        .expect("the finding stays listed");
    assert!(f.finding.suppressed);
    assert_eq!(f.finding.vex_status.as_deref(), Some("not_affected"));
    assert_eq!(
        f.finding.vex_justification.as_deref(),
        Some("vulnerable_code_not_in_execute_path")
    );
    // A malformed document names the file and the place.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("broken.json");
    std::fs::write(&bad, "{\n  \"bomFormat\": \"CycloneDX\",\n  oops\n}").unwrap();
    let e = app
        .import_vex(&actor(), &bad, &dev, &ver, None)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadInput);
    assert!(
        e.to_string().contains("broken.json") && e.to_string().contains("line 3"),
        "{e}"
    );
    assert!(app.verify().await.unwrap().ok);
}

both_backends!(a_coordinator_advisory_opens_a_case_for_the_device_that_contains_its_product);

/// CISA ICSMA-22-174-01 (OFFIS DCMTK before 3.6.7, three CVEs) against an imaging workstation
/// whose 4.2 SBOM has DCMTK 3.6.5 and whose 4.3 SBOM has 3.6.7.
async fn a_coordinator_advisory_opens_a_case_for_the_device_that_contains_its_product(url: &str) {
    let Some(data) = postmarket_testing::corpus("coordinator_advisory") else {
        return;
    };
    let advisory = data.join("01-cisa-csaf/icsma/icsma-22-174-01.json");
    let app = App::open(url).await.unwrap();
    device(&app, "Imaging Workstation").await;
    device(&app, "Pump A").await;
    release(
        &app,
        "Imaging Workstation",
        "4.2",
        "coordinator/imaging-workstation.cdx.json",
    )
    .await;
    release(
        &app,
        "Imaging Workstation",
        "4.3",
        "coordinator/imaging-workstation-fixed.cdx.json",
    )
    .await;
    release(&app, "Pump A", "2.0", "findings/device-a.cdx.json").await;
    let at: Date = "2026-03-02".parse().unwrap();
    let r = app
        .import_coordinator_advisory(&actor(), &advisory, at)
        .await
        .unwrap();
    assert_eq!(r.tracking_id, "ICSMA-22-174-01");
    // Only 4.2 (3.6.5 < 3.6.7) is reached; supplier "OFFIS e.V." ≈ vendor "OFFIS".
    assert_eq!(r.matches.len(), 1, "{:?}", r.matches);
    let m = &r.matches[0];
    assert_eq!(
        (m.device.as_str(), m.release.as_str()),
        ("Imaging Workstation", "4.2")
    );
    assert!((m.confidence - 0.8).abs() < 1e-9, "{m:?}");
    assert_eq!(
        m.vulnerabilities,
        ["CVE-2022-2119", "CVE-2022-2120", "CVE-2022-2121"]
    );
    assert_eq!(r.opened.len(), 3);
    for id in &r.opened {
        let c = app.case(*id).await.unwrap();
        assert_eq!(c.device, "Imaging Workstation");
        assert_eq!(c.case.source, CaseSource::Isao);
        assert_eq!(c.case.advisory_ref.as_deref(), Some("ICSMA-22-174-01"));
        assert_eq!(c.case.t0, at);
        let versions: Vec<&str> = c.releases.iter().map(|r| r.version.as_str()).collect();
        assert_eq!(versions, ["4.2"]);
    }
    // Importing it again opens nothing.
    let again = app
        .import_coordinator_advisory(&actor(), &advisory, at)
        .await
        .unwrap();
    assert!(again.opened.is_empty());
    assert_eq!(again.existing.len(), 3);
    assert_eq!(app.cases(None).await.unwrap().len(), 3);
    // Not a CSAF document: refused naming the file.
    let e = app
        .import_coordinator_advisory(&actor(), &fx("findings/device-a.cdx.json"), at)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BadInput);
    assert!(e.to_string().contains("device-a.cdx.json"), "{e}");
}

//! Issue 5 "must show", through the store: the real feeds imported with `import_feeds`, the real
//! medical-device SBOMs and CycloneDX example SBOMs stored as releases, matched as a portfolio
//! and scanned. Every finding explains itself, a sample of ids is pinned, and
//! nothing matches from a withdrawn or rejected record. Skipped without the corpus.

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use postmarket_app::{App, ImportOptions, NoProgress};
use postmarket_model::{Actor, DeviceClass, NewDevice, NewRelease, Pathway};
use postmarket_store::FindingFilter;

fn actor() -> Actor {
    Actor::new("corpus-test").unwrap()
}

async fn release(app: &App, device: &str, version: &str, file: &Path) {
    let f = postmarket_app::read_sbom_file(file, 100 << 20).unwrap();
    app.add_release_with_sbom(
        &actor(),
        &NewRelease {
            device: device.parse().unwrap(),
            version: version.parse().unwrap(),
            released_at: None,
            end_of_support: None,
            install_base: 1,
        },
        &f,
        None,
    )
    .await
    .unwrap();
}

/// Ids of withdrawn / rejected records in the store.
async fn withdrawn_ids(app: &App) -> HashSet<String> {
    app.store()
        .all_vuln_records()
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.withdrawn)
        .flat_map(|r| {
            let mut v = vec![r.id.clone()];
            v.extend(r.aliases.iter().cloned());
            v
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_sboms_against_the_imported_corpus() {
    let Some(data) = postmarket_testing::corpus("real_sboms_against_the_imported_corpus") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let url = postmarket_testing::sqlite_url(dir.path(), "pm.db");
    let app = App::open(&url).await.unwrap();
    for name in ["Infusion Pump", "Example Apps"] {
        app.add_device(
            &actor(),
            &NewDevice::new(
                name.parse().unwrap(),
                "Test",
                DeviceClass::II,
                Pathway::Premarket510k,
            ),
            None,
        )
        .await
        .unwrap();
    }
    let md = data.join("05-sboms/medical-device-sbom-completeness");
    release(
        &app,
        "Infusion Pump",
        "extended",
        &md.join("extended.sbom.json"),
    )
    .await;
    release(
        &app,
        "Infusion Pump",
        "narrow",
        &md.join("narrow.sbom.json"),
    )
    .await;
    let ex = data.join("05-sboms/cyclonedx-bom-examples/SBOM");
    for (v, p) in [
        ("keycloak", "keycloak-10.0.2/bom.json"),
        ("dropwizard", "dropwizard-1.3.15/bom.json"),
        ("juice-shop", "juice-shop/v11.1.2/bom.json"),
        ("laravel", "laravel-7.12.0/bom.1.4.json"),
    ] {
        release(&app, "Example Apps", v, &ex.join(p)).await;
    }

    let rep = app
        .import_feeds(
            &actor(),
            &[
                data.join("03-nvd-cve/nvd-1.1-feeds"),
                data.join("03-nvd-cve/nvd-1.1-icsma-subset.json"),
                data.join("04-osv/maven-ghsa"),
                data.join("04-osv/mixed-osv-scanner-offline-db"),
                data.join("02-cisa-kev"),
            ],
            &ImportOptions::default(),
            &NoProgress,
        )
        .await
        .unwrap();
    eprintln!("imported {} runs", rep.runs.len());
    let withdrawn = withdrawn_ids(&app).await;
    assert!(!withdrawn.is_empty(), "the corpus has rejected NVD records");

    // The releases were stored before the corpus (their SBOM workflow matched nothing); one
    // portfolio match gives every release its findings.
    let run = app
        .match_portfolio(&actor(), &postmarket_app::NoMatchProgress)
        .await
        .unwrap();
    eprintln!("{:?}", run.run);
    assert_eq!(run.run.releases, 6);
    let all = app
        .findings(&FindingFilter {
            include_possible: true,
            ..FindingFilter::default()
        })
        .await
        .unwrap();
    let mut per_release: std::collections::BTreeMap<String, usize> = Default::default();
    for v in &all {
        let f = &v.finding;
        *per_release
            .entry(format!("{} {}", f.device, f.release))
            .or_default() += 1;
        // Every finding explains itself.
        assert_eq!(f.explanation["verdict"], "affected", "{f:?}");
        assert!(!f.explanation["text"].as_str().unwrap().is_empty(), "{f:?}");
        assert!(!f.reason.is_empty() && !f.affected.is_empty(), "{f:?}");
        // Nothing from a withdrawn or rejected record.
        assert!(!withdrawn.contains(&f.record_id), "{f:?}");
        assert!(
            f.also_matched.iter().all(|r| !withdrawn.contains(r)),
            "{f:?}"
        );
        let explained = app.explain_finding(f.id).await.unwrap();
        assert_eq!(explained.events[0].event, "appeared");
    }
    eprintln!("findings per release: {per_release:?}");

    // Pinned: FreeRTOS 10.0.1 (CPE amazon:freertos) has the eleven 2018 FreeRTOS TCP/IP CVEs and
    // WolfSSL 4.8.1 CVE-2023-6937 (the matcher's own real-data test derives these from the records).
    let pump: BTreeSet<(String, String)> = all
        .iter()
        .filter(|v| v.finding.device == "Infusion Pump" && v.finding.state == "finding")
        .map(|v| {
            (
                v.finding.component_name.clone(),
                v.finding.vulnerability.clone(),
            )
        })
        .collect();
    for cve in [
        "CVE-2018-16523",
        "CVE-2018-16524",
        "CVE-2018-16525",
        "CVE-2018-16526",
        "CVE-2018-16527",
        "CVE-2018-16598",
        "CVE-2018-16599",
        "CVE-2018-16600",
        "CVE-2018-16601",
        "CVE-2018-16602",
        "CVE-2018-16603",
    ] {
        assert!(
            pump.contains(&("FreeRTOS".to_string(), cve.to_string())),
            "{cve}: {pump:?}"
        );
    }
    assert!(pump.contains(&("WolfSSL".to_string(), "CVE-2023-6937".to_string())));

    // The stateless scan of the same file agrees with what the SBOM workflow stored.
    let f = postmarket_app::read_sbom_file(&md.join("extended.sbom.json"), 100 << 20).unwrap();
    let scan = app.scan_sbom(&f, 0.7).await.unwrap();
    let scanned: BTreeSet<(String, String)> = scan
        .findings
        .iter()
        .map(|f| (f.component.name.clone(), f.vulnerability.clone()))
        .collect();
    let stored: BTreeSet<(String, String)> = all
        .iter()
        .filter(|v| v.finding.release == "extended" && v.finding.state == "finding")
        .map(|v| {
            (
                v.finding.component_name.clone(),
                v.finding.vulnerability.clone(),
            )
        })
        .collect();
    assert_eq!(scanned, stored);
    let kev = scan.findings.iter().filter(|f| f.kev).count();
    eprintln!(
        "extended.sbom.json: {} components, {} findings ({} in KEV), {} possible",
        scan.components,
        scan.findings.len(),
        kev,
        scan.possible_matches.len()
    );
    assert!(app.verify().await.unwrap().ok);
    app.store().close().await;
}

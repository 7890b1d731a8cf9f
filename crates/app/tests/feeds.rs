//! Feed import conformance (issue 4): every scenario runs on SQLite and on PostgreSQL
//! (`POSTMARKET_TEST_PG`) through the app's use cases, with the small hand-written fixtures in
//! `tests/fixtures/feeds`.

use std::path::{Path, PathBuf};

use postmarket_app::{App, AppError, ErrorKind, ImportOptions, NoProgress};
use postmarket_model::Actor;

fn actor() -> Actor {
    Actor::new("feeds-test").unwrap()
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/feeds")
}

fn fx(name: &str) -> PathBuf {
    fixtures().join(name)
}

async fn import(app: &App, paths: &[PathBuf]) -> postmarket_app::ImportReport {
    app.import_feeds(&actor(), paths, &ImportOptions::default(), &NoProgress)
        .await
        .unwrap()
}

async fn import_err(app: &App, paths: &[PathBuf], strict: bool) -> AppError {
    app.import_feeds(
        &actor(),
        paths,
        &ImportOptions { kind: None, strict },
        &NoProgress,
    )
    .await
    .unwrap_err()
}

/// Row counts of every vulnerability table plus the audit chain.
async fn counts(app: &App) -> Vec<(&'static str, i64)> {
    let mut c = app.store().vuln_table_counts().await.unwrap();
    c.push((
        "audit_events",
        app.store().count("audit_events").await.unwrap(),
    ));
    c
}

fn count(c: &[(&'static str, i64)], table: &str) -> i64 {
    c.iter().find(|(t, _)| *t == table).unwrap().1
}

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let dir = tempfile::tempdir().unwrap();
                    let url = postmarket_testing::sqlite_url(dir.path(), "pm.db");
                    super::scenarios::$name(&url).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(db) = postmarket_testing::PgTestDb::create(stringify!($name)).await else { return };
                    super::scenarios::$name(&db.url).await;
                    db.drop_db().await;
                }
            )*
        }
    };
}

conformance!(
    fixtures_import_and_merge_by_alias,
    same_file_twice_writes_nothing_the_second_time,
    newer_record_replaces_and_is_recorded,
    alias_arriving_later_merges_two_vulnerabilities,
    malformed_records_are_reported_and_the_rest_imports,
    strict_mode_writes_nothing,
    failed_import_leaves_the_store_as_it_was,
    backup_restore_includes_the_feed_tables,
    search_by_purl_and_cpe,
);

mod scenarios {
    use super::*;

    pub async fn fixtures_import_and_merge_by_alias(url: &str) {
        let app = App::open(url).await.unwrap();
        let report = import(&app, &[fx("good")]).await;
        assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
        let by_source = |s: &str| report.runs.iter().find(|r| r.source == s).unwrap().clone();
        assert_eq!(report.runs.len(), 5, "{:#?}", report.runs);
        assert_eq!(by_source("osv").added, 2);
        assert_eq!(by_source("osv").files, 2);
        assert_eq!(by_source("nvd").added, 2);
        assert_eq!(by_source("kev").added, 2);
        assert_eq!(by_source("epss").added, 3);
        assert_eq!(by_source("csaf").added, 1);
        for r in &report.runs {
            assert!(r.id.is_some() && r.sha256.len() == 64, "{r:?}");
        }

        // GHSA, NVD and KEV records of CVE-2024-0001 are one vulnerability, found by any alias.
        let v = app.vuln_show("ghsa-2024-EXAM-ple1").await.unwrap();
        assert_eq!(
            v.id, "CVE-2024-0001",
            "ids are compared exactly, then ignoring case"
        );
        let v = app.vuln_show("GHSA-2024-exam-ple1").await.unwrap();
        assert_eq!(v.id, "CVE-2024-0001");
        assert_eq!(v.aliases, ["CVE-2024-0001", "GHSA-2024-exam-ple1"]);
        assert_eq!(
            app.vuln_show("cve-2024-0001").await.unwrap().id,
            "CVE-2024-0001"
        );
        let sources: Vec<&str> = v.records.iter().map(|r| r.source.as_str()).collect();
        assert_eq!(sources, ["kev", "nvd", "osv"]);
        // Every score survives with its provider; NVD's primary one is shown.
        let scores: Vec<(&str, &str, Option<f64>)> = v
            .scores
            .iter()
            .map(|s| (s.provider.as_str(), s.vector.as_str(), s.base_score))
            .collect();
        assert_eq!(v.scores.len(), 3, "{scores:?}");
        let shown = v.shown_score.as_ref().unwrap();
        assert_eq!(shown.provider, "nvd@nist.gov");
        assert_eq!(shown.base_score, Some(7.5));
        assert!(v.scores.iter().any(|s| s.provider == "security@example.org"
            && s.kind == "secondary"
            && s.base_score == Some(5.9)));
        assert!(v.scores.iter().any(|s| s.feed == "osv"));
        assert_eq!(v.scores.iter().filter(|s| s.shown).count(), 1);
        assert_eq!(
            v.disagreements.len(),
            2,
            "the CNA's vector differs from NVD's and OSV's"
        );
        // KEV and EPSS with their dates.
        assert_eq!(v.kev.len(), 1);
        assert_eq!(v.kev[0].date_added, "2024-02-15");
        assert_eq!(v.kev[0].due_date.as_deref(), Some("2024-03-07"));
        assert_eq!(v.epss.len(), 1);
        assert!((v.epss[0].epss - 0.97123).abs() < 1e-12);
        assert_eq!(v.epss[0].score_date.as_deref(), Some("2024-03-01"));
        assert_eq!(v.epss[0].model_version.as_deref(), Some("v2023.03.01"));
        // Affected package with its purl key, and NVD's configuration.
        assert_eq!(v.affected_packages.len(), 1);
        let p = &v.affected_packages[0];
        assert_eq!(p.purl_type.as_deref(), Some("pypi"));
        assert_eq!(p.purl_name.as_deref(), Some("example-pkg"));
        assert_eq!(p.versions, serde_json::json!(["1.0.0", "1.1.0"]));
        assert_eq!(v.configurations.len(), 1);
        assert_eq!(v.cwes, ["CWE-125"]);
        assert!(!v.withdrawn && !v.rejected);

        // The rejected CVE is kept, marked.
        let r = app.vuln_show("CVE-2024-0002").await.unwrap();
        assert!(r.rejected && r.withdrawn, "{r:?}");
        // The CSAF advisory's CVE has its product status and CISA's score, and KEV's entry.
        let c = app.vuln_show("CVE-2023-9999").await.unwrap();
        assert_eq!(c.csaf_product_status.len(), 1);
        assert_eq!(c.csaf_product_status[0].status, "known_affected");
        assert_eq!(c.csaf_product_status[0].document, "ICSMA-24-001-01");
        assert_eq!(c.related, ["ICSMA-24-001-01"]);
        assert_eq!(c.shown_score.as_ref().unwrap().provider, "CISA");
        assert_eq!(
            c.kev[0].known_ransomware_campaign_use.as_deref(),
            Some("Known")
        );
        // EPSS for a CVE no record names is stored but makes no vulnerability.
        assert!(app.vuln_show("CVE-2020-1234").await.is_err());

        let c = counts(&app).await;
        assert_eq!(count(&c, "vulnerabilities"), 4, "{c:?}");
        assert_eq!(count(&c, "epss_scores"), 3);
        assert_eq!(count(&c, "kev_entries"), 2);
        assert_eq!(count(&c, "feed_runs"), 5);
        assert_eq!(count(&c, "audit_events"), 5, "one audited event per run");
        let events = app.store().audit_events(0, 10, None).await.unwrap();
        assert!(events
            .iter()
            .all(|e| e.action == "feeds.import" && e.entity == "feed_run"));
        assert!(app.verify().await.unwrap().ok);
    }

    pub async fn same_file_twice_writes_nothing_the_second_time(url: &str) {
        let app = App::open(url).await.unwrap();
        let first = import(&app, &[fx("good")]).await;
        assert!(first.changed());
        let before = counts(&app).await;
        let second = import(&app, &[fx("good")]).await;
        assert!(!second.changed(), "{:#?}", second.runs);
        for r in &second.runs {
            assert_eq!((r.added, r.updated, r.rejected), (0, 0, 0), "{r:?}");
            assert!(r.unchanged > 0);
            assert_eq!(r.id, None, "an unchanged run is not recorded");
        }
        assert_eq!(counts(&app).await, before, "no new rows, no audit event");
        assert!(app.verify().await.unwrap().ok);
    }

    pub async fn newer_record_replaces_and_is_recorded(url: &str) {
        let app = App::open(url).await.unwrap();
        import(&app, &[fx("good/osv-ghsa.json")]).await;
        let report = import(&app, &[fx("v2/osv-ghsa.json")]).await;
        let run = &report.runs[0];
        assert_eq!((run.added, run.updated, run.unchanged), (0, 1, 0));
        let changes = app.store().run_changes(run.id.unwrap()).await.unwrap();
        assert_eq!(
            changes,
            [(
                "CVE-2024-0001".to_string(),
                "updated".to_string(),
                "osv".to_string(),
                Some("GHSA-2024-exam-ple1".to_string())
            )]
        );
        let v = app.vuln_show("GHSA-2024-exam-ple1").await.unwrap();
        assert!(v.summary.unwrap().contains("fix corrected"));
        assert_eq!(
            v.affected_packages.len(),
            1,
            "the old package rows were replaced"
        );
        assert_eq!(
            v.affected_packages[0].ranges[0]["events"][1],
            serde_json::json!({"event": "fixed", "version": "1.2.1"})
        );
        assert_eq!(v.scores.len(), 1);
        assert!(v.aliases.contains(&"PYSEC-2024-7".to_string()));
        // The older version again: the stored, newer one stays and nothing is written.
        let before = counts(&app).await;
        let again = import(&app, &[fx("good/osv-ghsa.json")]).await;
        assert_eq!(again.runs[0].unchanged, 1);
        assert_eq!(again.runs[0].older, 1);
        assert!(!again.changed());
        assert_eq!(counts(&app).await, before);
        assert!(app
            .vuln_show("CVE-2024-0001")
            .await
            .unwrap()
            .summary
            .unwrap()
            .contains("fix corrected"));
    }

    pub async fn alias_arriving_later_merges_two_vulnerabilities(url: &str) {
        let app = App::open(url).await.unwrap();
        import(&app, &[fx("good/pysec.yaml"), fx("good/osv-ghsa.json")]).await;
        assert_eq!(
            app.vuln_show("PYSEC-2024-7").await.unwrap().id,
            "PYSEC-2024-7"
        );
        assert_eq!(count(&counts(&app).await, "vulnerabilities"), 2);
        // The GHSA record now names the PYSEC id too: one issue, one vulnerability.
        let report = import(&app, &[fx("v2/osv-ghsa.json")]).await;
        assert_eq!(count(&counts(&app).await, "vulnerabilities"), 1);
        let v = app.vuln_show("PYSEC-2024-7").await.unwrap();
        assert_eq!(v.id, "CVE-2024-0001");
        assert_eq!(
            v.aliases,
            ["CVE-2024-0001", "GHSA-2024-exam-ple1", "PYSEC-2024-7"]
        );
        assert_eq!(v.records.len(), 2);
        assert_eq!(
            v.affected_packages.len(),
            2,
            "both records' packages are kept"
        );
        let changes = app
            .store()
            .run_changes(report.runs[0].id.unwrap())
            .await
            .unwrap();
        let kinds: Vec<&str> = changes.iter().map(|c| c.1.as_str()).collect();
        assert_eq!(kinds, ["merged", "updated"], "{changes:?}");
        assert!(app.verify().await.unwrap().ok);
    }

    pub async fn malformed_records_are_reported_and_the_rest_imports(url: &str) {
        let app = App::open(url).await.unwrap();
        let report = import(&app, &[fx("bad/osv-array-malformed.json")]).await;
        assert_eq!(report.diagnostics.len(), 1, "{:?}", report.diagnostics);
        let d = report.diagnostics[0].to_string();
        assert!(
            d.contains("osv-array-malformed.json") && d.contains("/1"),
            "{d}"
        );
        let run = &report.runs[0];
        assert_eq!((run.added, run.rejected), (2, 1));
        // The unknown ecosystem is kept, noted, without a package key.
        assert!(
            report.notes.iter().any(|n| n.contains("\"Nonesuch\"")),
            "{:?}",
            report.notes
        );
        let v = app.vuln_show("GHSA-good-0000-0003").await.unwrap();
        assert_eq!(
            v.affected_packages[0].ecosystem.as_deref(),
            Some("Nonesuch")
        );
        assert_eq!(v.affected_packages[0].purl_type, None);
        assert!(app.vuln_show("GHSA-bad-0000-0002").await.is_err());

        // EPSS rows outside [0, 1] are refused by line; the others import.
        let report = import(&app, &[fx("bad/epss-out-of-range.csv")]).await;
        assert_eq!(report.diagnostics.len(), 1);
        let d = report.diagnostics[0].to_string();
        assert!(
            d.contains("epss-out-of-range.csv: line 2") && d.contains("outside [0, 1]"),
            "{d}"
        );
        assert_eq!(report.runs[0].added, 2);
    }

    pub async fn strict_mode_writes_nothing(url: &str) {
        let app = App::open(url).await.unwrap();
        let before = counts(&app).await;
        // The good fixtures come first: strict mode must undo them too.
        let err = import_err(
            &app,
            &[fx("good"), fx("bad/osv-array-malformed.json")],
            true,
        )
        .await;
        assert_eq!(err.kind(), ErrorKind::BadInput);
        let msg = err.to_string();
        assert!(
            msg.contains("osv-array-malformed.json")
                && msg.contains("/1")
                && msg.contains("--strict"),
            "{msg}"
        );
        assert_eq!(counts(&app).await, before);
        assert_eq!(app.store().feed_sources().await.unwrap(), []);
    }

    pub async fn failed_import_leaves_the_store_as_it_was(url: &str) {
        let app = App::open(url).await.unwrap();
        import(&app, &[fx("good/kev.json")]).await;
        let before = counts(&app).await;
        let dir = tempfile::tempdir().unwrap();
        // A truncated OSV archive after a file that would have changed things.
        let zip = dir.path().join("all.zip");
        std::fs::write(&zip, truncated_zip()).unwrap();
        let err = import_err(&app, &[fx("good/osv-ghsa.json"), zip.clone()], false).await;
        assert_eq!(err.kind(), ErrorKind::BadInput, "{err}");
        assert!(err.to_string().contains("all.zip"), "{err}");
        assert_eq!(counts(&app).await, before);
        // An unreadable file (malformed YAML as the only record) and an unknown format too.
        let junk = dir.path().join("junk.bin");
        std::fs::write(&junk, b"\x00\x01 not a feed").unwrap();
        let err = import_err(&app, &[fx("good/osv-ghsa.json"), junk], false).await;
        assert!(
            err.to_string().contains("junk.bin: format not recognised"),
            "{err}"
        );
        assert_eq!(counts(&app).await, before);
        assert!(app.verify().await.unwrap().ok);
    }

    pub async fn backup_restore_includes_the_feed_tables(url: &str) {
        let app = App::open(url).await.unwrap();
        import(&app, &[fx("good")]).await;
        import(&app, &[fx("v2")]).await;
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pm.jsonl");
        app.store().backup(&file).await.unwrap();
        let text = std::fs::read_to_string(&file).unwrap();
        for t in [
            "epss_scores",
            "kev_entries",
            "vuln_changes",
            "source_records",
            "cpe_index",
        ] {
            assert!(
                text.contains(&format!("\"table\":\"{t}\"")),
                "{t} missing from the backup"
            );
        }
        let target = App::open(&postmarket_testing::sqlite_url(dir.path(), "restored.db"))
            .await
            .unwrap();
        target.store().restore(&file).await.unwrap();
        assert!(target.verify().await.unwrap().ok);
        assert_eq!(counts(&target).await, counts(&app).await);
        let a = serde_json::to_value(app.vuln_show("CVE-2024-0001").await.unwrap()).unwrap();
        let b = serde_json::to_value(target.vuln_show("CVE-2024-0001").await.unwrap()).unwrap();
        assert_eq!(a, b);
        // Importing into the restored database goes on where the original stopped.
        let again = target
            .import_feeds(
                &actor(),
                &[fx("good")],
                &ImportOptions::default(),
                &NoProgress,
            )
            .await
            .unwrap();
        assert!(!again.changed());
    }

    pub async fn search_by_purl_and_cpe(url: &str) {
        let app = App::open(url).await.unwrap();
        import(&app, &[fx("good")]).await;
        let hits = app
            .vuln_search_purl("pkg:pypi/Example_Pkg@1.1.0")
            .await
            .unwrap();
        let ids: Vec<&str> = hits.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["CVE-2024-0001", "PYSEC-2024-7"]);
        let hits = app
            .vuln_search_cpe("cpe:2.3:a:example:example-pkg:1.1.0:*:*:*:*:*:*:*")
            .await
            .unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].id, "CVE-2024-0001");
        assert_eq!(
            hits[0].matched["configurations"].as_array().unwrap().len(),
            1
        );
        let hits = app
            .vuln_search_cpe("cpe:/h:acme:pump_gateway")
            .await
            .unwrap();
        assert_eq!(hits[0].id, "CVE-2023-9999");
        assert!(app
            .vuln_search_purl("pkg:npm/nothing-here")
            .await
            .unwrap()
            .is_empty());
        let err = app.vuln_search_purl("not-a-purl").await.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadInput);
    }
}

/// A real OSV archive (two records) cut in half.
fn truncated_zip() -> Vec<u8> {
    use std::io::Write;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default();
        for (name, file) in [
            ("a.json", "good/osv-ghsa.json"),
            ("b.json", "v2/osv-ghsa.json"),
        ] {
            z.start_file(name, opts).unwrap();
            z.write_all(&std::fs::read(fx(file)).unwrap()).unwrap();
        }
        z.finish().unwrap();
    }
    let bytes = buf.into_inner();
    bytes[..bytes.len() / 2].to_vec()
}

//! SBOM workflows through the app API on SQLite and (with `POSTMARKET_TEST_PG`) PostgreSQL:
//! export round trips with overrides, large documents stored in batches, and every SBOM of the
//! real-data corpus stored with the parser's component count.

use std::path::{Path, PathBuf};

use postmarket_app::{App, ExportFormat, DEFAULT_MAX_SBOM_BYTES};
use postmarket_model::{Actor, DeviceClass, NewDevice, NewRelease, Pathway};
use postmarket_sbom::SupportLevel;
use postmarket_testing::{sqlite_url, PgTestDb};

fn actor() -> Actor {
    Actor::new("sbom-tests").unwrap()
}

async fn app_with_device(url: &str, name: &str) -> App {
    let app = App::open(url).await.unwrap();
    app.add_device(
        &actor(),
        &NewDevice::new(
            name.parse().unwrap(),
            "Line",
            DeviceClass::II,
            Pathway::Premarket510k,
        ),
        None,
    )
    .await
    .unwrap();
    app
}

fn new_release(device: &str, version: &str) -> NewRelease {
    NewRelease {
        device: device.parse().unwrap(),
        version: version.parse().unwrap(),
        released_at: None,
        end_of_support: None,
        install_base: 0,
    }
}

/// Runs `scenario` on a fresh SQLite database and, when configured, a fresh PostgreSQL one.
macro_rules! both_backends {
    ($name:ident, $scenario:ident) => {
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let dir = tempfile::tempdir().unwrap();
                super::$scenario(&super::sqlite_url(dir.path(), "pm.db")).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some(db) = super::PgTestDb::create(stringify!($name)).await else {
                    return;
                };
                super::$scenario(&db.url).await;
                db.drop_db().await;
            }
        }
    };
}

both_backends!(
    export_round_trip,
    export_round_trip_keeps_components_edges_and_overrides
);
both_backends!(large_document, large_document_is_stored_in_batches);
both_backends!(corpus, every_corpus_sbom_is_stored_with_its_component_count);

const FIXTURE: &str = r#"{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,
  "metadata":{"timestamp":"2025-03-01T00:00:00Z","authors":[{"name":"PSIRT"}],
    "component":{"type":"device","bom-ref":"dev","name":"Pump","version":"2.0"}},
  "components":[
    {"type":"library","bom-ref":"ssl","supplier":{"name":"OpenSSL"},"name":"openssl","version":"1.1.1w",
     "purl":"pkg:generic/openssl@1.1.1w","cpe":"cpe:2.3:a:openssl:openssl:1.1.1w:*:*:*:*:*:*:*",
     "hashes":[{"alg":"SHA-256","content":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}],
     "licenses":[{"license":{"id":"Apache-2.0"}}]},
    {"type":"library","bom-ref":"z","supplier":{"name":"zlib"},"name":"zlib","version":"1.3.1","purl":"pkg:generic/zlib@1.3.1",
     "properties":[{"name":"Level of Support","value":"Actively maintained"}]},
    {"type":"firmware","bom-ref":"fw","name":"bootloader","version":"2.1","purl":"pkg:github/acme/boot@v2.1"}],
  "dependencies":[{"ref":"dev","dependsOn":["ssl","z","fw"]},{"ref":"ssl","dependsOn":["z"]}]}"#;

async fn export_round_trip_keeps_components_edges_and_overrides(url: &str) {
    let app = app_with_device(url, "Pump").await;
    let file = postmarket_app::parse_sbom_bytes("fixture.json", FIXTURE.into()).unwrap();
    app.add_release_with_sbom(&actor(), &new_release("Pump", "2.0"), &file, None)
        .await
        .unwrap();
    let (d, v) = ("Pump".parse().unwrap(), "2.0".parse().unwrap());
    let set = app
        .set_component_support(
            &actor(),
            &d,
            &v,
            "openssl",
            SupportLevel::NoLongerMaintained,
            Some("2023-09-11".parse().unwrap()),
            "OpenSSL 1.1.1 reached end of life",
        )
        .await
        .unwrap();
    assert_eq!(set.component_key, "purl:pkg:generic/openssl@1.1.1w");
    let stored = app.release_sbom(&d, &v).await.unwrap();
    let ssl = stored
        .components
        .iter()
        .find(|c| c.component.name == "openssl")
        .unwrap();
    assert!(ssl.overridden);
    assert_eq!(ssl.document_support_level, None);
    assert_eq!(stored.quality.support_level.count, 1, "document: zlib only");
    assert_eq!(
        stored.effective_quality.support_level.count, 2,
        "with the override"
    );

    let original = &file.parsed.sbom;
    for format in [ExportFormat::CycloneDx, ExportFormat::Spdx] {
        let doc = app.export_sbom(&d, &v, format).await.unwrap();
        let text = serde_json::to_vec(&doc).unwrap();
        let back = postmarket_sbom::parse(&text, &Default::default()).unwrap();
        assert!(
            back.diagnostics.is_empty(),
            "{format:?}: {:?}",
            back.diagnostics
        );
        let names = |s: &postmarket_sbom::Sbom| {
            let mut v: Vec<(String, Option<String>, Option<String>)> = s
                .components
                .iter()
                .map(|c| (c.name.clone(), c.version.clone(), c.purl.clone()))
                .collect();
            v.sort();
            v
        };
        assert_eq!(names(&back.sbom), names(original), "{format:?}");
        // Every edge survives, by component name (SPDX renames refs).
        let edge_names = |s: &postmarket_sbom::Sbom| {
            let name = |r: &str| s.component(r).map(|c| c.name.clone()).unwrap_or_default();
            let mut e: Vec<(String, String)> = s
                .dependencies
                .iter()
                .map(|(a, b)| (name(a), name(b)))
                .collect();
            e.sort();
            e
        };
        assert_eq!(edge_names(&back.sbom), edge_names(original), "{format:?}");
        let ssl = back
            .sbom
            .components
            .iter()
            .find(|c| c.name == "openssl")
            .unwrap();
        assert_eq!(
            ssl.support_level,
            Some(SupportLevel::NoLongerMaintained),
            "{format:?}"
        );
        assert_eq!(
            ssl.end_of_support.as_deref(),
            Some("2023-09-11"),
            "{format:?}"
        );
        let z = back
            .sbom
            .components
            .iter()
            .find(|c| c.name == "zlib")
            .unwrap();
        assert_eq!(
            z.support_level,
            Some(SupportLevel::Maintained),
            "{format:?}"
        );
    }
    assert!(app.verify().await.unwrap().ok);
}

async fn large_document_is_stored_in_batches(url: &str) {
    // 3,000 components of 24 columns: three multi-row INSERTs on either backend.
    let app = app_with_device(url, "Big").await;
    let text = postmarket_app::bench::generate_cyclonedx(3_000);
    let file = postmarket_app::parse_sbom_bytes("big.json", text.into_bytes()).unwrap();
    let stored = app
        .add_release_with_sbom(&actor(), &new_release("Big", "1"), &file, None)
        .await
        .unwrap();
    assert_eq!(stored.revision.component_count, 3_000);
    assert_eq!(stored.revision.edge_count, 3_000);
    let loaded = app.store().load_sbom(stored.revision.id).await.unwrap();
    assert_eq!(loaded, file.parsed.sbom);
    let report = app.verify().await.unwrap();
    assert!(report.ok, "{report:?}");
}

/// Every SBOM file of `05-sboms` (JSON, XML, tag-value), sorted.
fn corpus_sboms(root: &Path) -> Vec<(String, PathBuf)> {
    let base = root.join("05-sboms");
    let mut out = Vec::new();
    let mut stack = vec![base.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if matches!(
                p.extension().and_then(|x| x.to_str()),
                Some("json" | "xml" | "spdx")
            ) {
                let rel = p
                    .strip_prefix(&base)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.push((rel, p));
            }
        }
    }
    out.sort();
    out
}

async fn every_corpus_sbom_is_stored_with_its_component_count(url: &str) {
    let Some(root) = postmarket_testing::corpus("every_corpus_sbom_is_stored") else {
        return;
    };
    let files = corpus_sboms(&root);
    assert!(files.len() > 20, "found only {} SBOM files", files.len());
    let app = app_with_device(url, "Corpus Device").await;
    let mut table = Vec::new();
    for (i, (rel, path)) in files.iter().enumerate() {
        let file = postmarket_app::read_sbom_file(path, DEFAULT_MAX_SBOM_BYTES)
            .unwrap_or_else(|e| panic!("{rel}: {e}"));
        let expected = postmarket_sbom::parse(&std::fs::read(path).unwrap(), &Default::default())
            .unwrap()
            .sbom
            .components
            .len();
        let stored = app
            .add_release_with_sbom(
                &actor(),
                &new_release("Corpus Device", &format!("r{i}")),
                &file,
                None,
            )
            .await
            .unwrap_or_else(|e| panic!("{rel}: {e}"));
        let rows = app
            .store()
            .sbom_components(stored.revision.id)
            .await
            .unwrap()
            .len();
        assert_eq!(stored.revision.component_count as usize, expected, "{rel}");
        assert_eq!(rows, expected, "{rel}");
        table.push(format!("{rel:<95} {rows:>6}"));
    }
    eprintln!("{:<95} {:>6}\n{}", "file", "stored", table.join("\n"));
    let report = app.verify().await.unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.events as usize, 1 + 2 * files.len());
}

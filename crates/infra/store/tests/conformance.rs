//! The store's conformance suite: every scenario runs on SQLite and on PostgreSQL
//! (`POSTMARKET_TEST_PG`), through the same interface, and must behave the same.

use postmarket_model::{Actor, DeviceClass, NewDevice, NewRelease, Pathway};
use postmarket_sbom::SupportLevel;
use postmarket_store::{Backend, SbomTarget, Store, StoreError};
use postmarket_testing::{sqlite_url, PgTestDb};
use sqlx::{Connection, Executor};

fn actor() -> Actor {
    Actor::new("conformance").unwrap()
}

fn device(name: &str) -> NewDevice {
    NewDevice::new(
        name.parse().unwrap(),
        "Infusion",
        DeviceClass::II,
        Pathway::Premarket510k,
    )
}

fn release(device: &str, version: &str) -> NewRelease {
    NewRelease {
        device: device.parse().unwrap(),
        version: version.parse().unwrap(),
        released_at: Some("2024-01-15".parse().unwrap()),
        end_of_support: Some("2030-01-15".parse().unwrap()),
        install_base: 42,
    }
}

/// Runs SQL behind Postmarket's back, on a connection of its own.
async fn raw(url: &str, sql: &str) {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    conn.execute(sql).await.unwrap();
    conn.close().await.unwrap();
}

/// Declares one scenario as two tests, `sqlite::NAME` and `postgres::NAME`.
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
    devices_and_releases_round_trip,
    duplicates_are_refused_naming_the_thing,
    chain_verifies_after_1000_writes,
    concurrent_writers_keep_one_chain,
    edited_event_is_named_by_seq,
    deleted_event_is_named_by_seq,
    reordered_seq_is_named,
    truncated_chain_is_detected,
    rows_changed_behind_the_back_are_named,
    backup_restore_round_trip_verifies,
    bad_backups_are_refused_and_write_nothing,
    schema_description_covers_every_table,
    migrate_is_idempotent,
    sbom_revisions_are_stored_whole_and_idempotent,
    sbom_for_a_missing_release_writes_nothing,
    sbom_support_overrides_are_audited,
    sbom_rows_changed_behind_the_back_are_named,
    sbom_backup_restore_keeps_sboms_and_verifies,
    cases_and_records_are_audited_and_verify,
    case_writes_are_all_or_nothing,
    case_backup_restore_verifies,
);

mod scenarios {
    use super::*;

    async fn store(url: &str) -> Store {
        Store::open(url).await.unwrap()
    }

    pub async fn devices_and_releases_round_trip(url: &str) {
        let s = store(url).await;
        let mut new = device("Pump A");
        new.udi_di = Some("00812345000011".into());
        new.safety_statement = Some("Delivers within ±5%".into());
        let d = s.add_device(&actor(), &new, Some("first")).await.unwrap();
        assert_eq!(d.name.as_str(), "Pump A");
        assert_eq!(d.udi_di.as_deref(), Some("00812345000011"));
        assert!(d.cyber_device);
        s.add_device(&actor(), &device("Monitor"), None)
            .await
            .unwrap();
        let names: Vec<String> = s
            .devices()
            .await
            .unwrap()
            .into_iter()
            .map(|d| d.name.to_string())
            .collect();
        assert_eq!(names, ["Monitor", "Pump A"], "sorted by name");
        // Lookup ignores case.
        assert_eq!(s.device(&"pump a".parse().unwrap()).await.unwrap().id, d.id);

        s.add_release(&actor(), &release("Pump A", "1.0"), None)
            .await
            .unwrap();
        let r = s
            .add_release(&actor(), &release("Pump A", "1.1"), None)
            .await
            .unwrap();
        assert_eq!(r.device.as_str(), "Pump A");
        assert_eq!(r.install_base, 42);
        assert_eq!(r.end_of_support.unwrap().to_string(), "2030-01-15");
        let versions: Vec<String> = s
            .releases(Some(&"Pump A".parse().unwrap()))
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.version.to_string())
            .collect();
        assert_eq!(versions, ["1.1", "1.0"], "newest first");
        assert_eq!(
            s.releases(Some(&"Monitor".parse().unwrap()))
                .await
                .unwrap()
                .len(),
            0
        );

        let missing = s
            .add_release(&actor(), &release("Nope", "1"), None)
            .await
            .unwrap_err();
        assert!(missing.is_not_found(), "{missing}");
        assert!(missing.to_string().contains("\"Nope\""), "{missing}");

        // Every write left one audit event, with the actor and reason.
        let events = s.audit_events(0, 100, None).await.unwrap();
        assert_eq!(events.len(), 4);
        assert_eq!(events[0].action, "device.add");
        assert_eq!(events[0].actor, "conformance");
        assert_eq!(events[0].reason.as_deref(), Some("first"));
        assert_eq!(events[0].after.as_ref().unwrap()["name"], "Pump A");
        assert_eq!(events[3].entity, "release");
        let report = s.verify().await.unwrap();
        assert!(report.ok, "{report:?}");
        assert_eq!(report.events, 4);
    }

    pub async fn duplicates_are_refused_naming_the_thing(url: &str) {
        let s = store(url).await;
        s.add_device(&actor(), &device("Pump A"), None)
            .await
            .unwrap();
        let err = s
            .add_device(&actor(), &device("PUMP a"), None)
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::Duplicate { .. }), "{err:?}");
        assert!(err.is_user_error());
        assert_eq!(err.to_string(), "device \"PUMP a\" already exists");
        s.add_release(&actor(), &release("Pump A", "2.0"), None)
            .await
            .unwrap();
        let err = s
            .add_release(&actor(), &release("Pump A", "2.0"), None)
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "release \"2.0\" of device \"Pump A\" already exists"
        );
        // The refused writes left nothing behind, not even an audit event.
        assert_eq!(s.count("devices").await.unwrap(), 1);
        assert_eq!(s.count("releases").await.unwrap(), 1);
        assert_eq!(s.audit_events(0, 100, None).await.unwrap().len(), 2);
        assert!(s.verify().await.unwrap().ok);
    }

    pub async fn chain_verifies_after_1000_writes(url: &str) {
        let s = store(url).await;
        for i in 0..100 {
            let name = format!("Device {i:03}");
            s.add_device(&actor(), &device(&name), None).await.unwrap();
            for v in 0..9 {
                s.add_release(&actor(), &release(&name, &format!("{v}.0")), None)
                    .await
                    .unwrap();
            }
        }
        let report = s.verify().await.unwrap();
        assert!(report.ok, "{report:?}");
        assert_eq!(report.events, 1000);
        assert_eq!(report.head_seq, 1000);
        let events = s.audit_events(990, 100, None).await.unwrap();
        assert_eq!(events.last().unwrap().hash, report.head_hash);
    }

    pub async fn concurrent_writers_keep_one_chain(url: &str) {
        let s = store(url).await;
        let mut tasks = Vec::new();
        for w in 0..4 {
            let s = s.clone();
            tasks.push(tokio::spawn(async move {
                for i in 0..25 {
                    s.add_device(&actor(), &device(&format!("W{w} D{i}")), None)
                        .await
                        .unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let report = s.verify().await.unwrap();
        assert!(report.ok, "{report:?}");
        assert_eq!(report.events, 100);
    }

    async fn store_with_events(url: &str, n: usize) -> Store {
        let s = store(url).await;
        for i in 0..n {
            s.add_device(&actor(), &device(&format!("D{i}")), None)
                .await
                .unwrap();
        }
        assert!(s.verify().await.unwrap().ok);
        s
    }

    pub async fn edited_event_is_named_by_seq(url: &str) {
        let s = store_with_events(url, 6).await;
        raw(url, "UPDATE audit_events SET after_json = replace(after_json, 'Infusion', 'Imaging') WHERE seq = 4").await;
        let report = s.verify().await.unwrap();
        assert!(!report.ok);
        let b = report.first_broken.expect("a broken link");
        assert_eq!(b.seq, Some(4), "{b}");
        assert!(b.problem.contains("edited"), "{b}");
    }

    pub async fn deleted_event_is_named_by_seq(url: &str) {
        let s = store_with_events(url, 6).await;
        raw(url, "DELETE FROM audit_events WHERE seq = 3").await;
        let report = s.verify().await.unwrap();
        let b = report.first_broken.expect("a broken link");
        assert_eq!(b.seq, Some(3), "{b}");
        assert!(b.problem.contains("missing"), "{b}");
        // The row whose event vanished is reported too.
        assert!(report
            .state_breaches
            .iter()
            .any(|x| x.entity_id.as_deref() == Some("3")));
    }

    pub async fn reordered_seq_is_named(url: &str) {
        let s = store_with_events(url, 6).await;
        // Swap events 2 and 5 by renumbering them.
        raw(url, "UPDATE audit_events SET seq = 1000 WHERE seq = 2").await;
        raw(url, "UPDATE audit_events SET seq = 2 WHERE seq = 5").await;
        raw(url, "UPDATE audit_events SET seq = 5 WHERE seq = 1000").await;
        let report = s.verify().await.unwrap();
        let b = report.first_broken.expect("a broken link");
        assert_eq!(b.seq, Some(2), "{b}");
    }

    pub async fn truncated_chain_is_detected(url: &str) {
        let s = store_with_events(url, 5).await;
        raw(url, "DELETE FROM audit_events WHERE seq = 5").await;
        let report = s.verify().await.unwrap();
        let b = report.first_broken.expect("a broken link");
        assert_eq!(b.seq, Some(5), "{b}");
        assert!(b.problem.contains("head records seq 5"), "{b}");
    }

    pub async fn rows_changed_behind_the_back_are_named(url: &str) {
        let s = store_with_events(url, 3).await;
        raw(
            url,
            "UPDATE devices SET product_line = 'Imaging' WHERE id = 2",
        )
        .await;
        raw(url, "DELETE FROM devices WHERE id = 3").await;
        raw(
            url,
            "INSERT INTO devices (id, name, product_line, device_class, pathway, cyber_device, created_at) \
             VALUES (9, 'Ghost', 'X', 'II', 'pma', 1, '2026-01-01T00:00:00Z')",
        )
        .await;
        let report = s.verify().await.unwrap();
        assert!(!report.ok);
        assert!(report.first_broken.is_none(), "the chain itself is intact");
        let text: Vec<String> = report
            .state_breaches
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(text.len(), 3, "{text:?}");
        assert!(
            text.iter().any(|t| t.contains("device 2")
                && t.contains("product_line: \"Infusion\" → \"Imaging\"")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t.starts_with("seq 3: device 3") && t.contains("deleted outside")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t.contains("device 9") && t.contains("inserted outside")),
            "{text:?}"
        );
    }

    pub async fn backup_restore_round_trip_verifies(url: &str) {
        let s = store_with_events(url, 4).await;
        s.add_release(&actor(), &release("D1", "1.0"), Some("with reason"))
            .await
            .unwrap();
        let original = s.verify().await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pm.backup.jsonl");
        let summary = s.backup(&file).await.unwrap();
        assert_eq!(summary.audit_events, 5);
        assert_eq!(summary.head_hash, original.head_hash);

        // Into an empty SQLite database, and (when available) into an empty PostgreSQL one:
        // whichever backend the source was, both targets must give the identical chain.
        let mut targets = vec![sqlite_url(dir.path(), "restored.db")];
        let pg = PgTestDb::create("backup_restore_round_trip_verifies").await;
        if let Some(db) = &pg {
            targets.push(db.url.clone());
        }
        for target in &targets {
            let t = Store::open(target).await.unwrap();
            let restored = t.restore(&file).await.unwrap();
            assert_eq!(restored.audit_events, 5);
            let report = t.verify().await.unwrap();
            assert!(report.ok, "{target}: {report:?}");
            assert_eq!(report.head_hash, original.head_hash, "{target}");
            assert_eq!(
                t.audit_events(0, 100, None).await.unwrap(),
                s.audit_events(0, 100, None).await.unwrap(),
                "{target}"
            );
            assert_eq!(
                t.releases(None).await.unwrap(),
                s.releases(None).await.unwrap()
            );
            // The restored database goes on from where the original stopped.
            t.add_device(&actor(), &device("After restore"), None)
                .await
                .unwrap();
            let after = t.verify().await.unwrap();
            assert!(after.ok);
            assert_eq!(after.head_seq, 6);
            // A second restore into the now non-empty database is refused.
            let err = t.restore(&file).await.unwrap_err();
            assert!(err.to_string().contains("empty database"), "{err}");
            t.close().await;
        }
        if let Some(db) = pg {
            db.drop_db().await;
        }
    }

    pub async fn bad_backups_are_refused_and_write_nothing(url: &str) {
        let source = store_with_events(url, 3).await;
        let dir = tempfile::tempdir().unwrap();
        let good = dir.path().join("good.jsonl");
        source.backup(&good).await.unwrap();
        let text = std::fs::read_to_string(&good).unwrap();
        let lines: Vec<&str> = text.lines().collect();

        let cases: Vec<(&str, String, &str)> = vec![
            (
                "truncated",
                lines[..lines.len() - 1].join("\n") + "\n",
                "truncated",
            ),
            (
                "edited",
                text.replace("Infusion", "Imaging"),
                "checksum mismatch",
            ),
            (
                "not json",
                text.replacen("{\"row\"", "{row", 1),
                ":2: not JSON",
            ),
            (
                "no header",
                lines[1..].join("\n") + "\n",
                ":1: expected a Postmarket backup header",
            ),
            (
                "unknown table",
                text.replacen("\"table\":\"devices\"", "\"table\":\"gadgets\"", 1),
                "unknown table \"gadgets\"",
            ),
        ];
        let target_url = sqlite_url(dir.path(), "target.db");
        let target = Store::open(&target_url).await.unwrap();
        for (what, content, expected) in cases {
            let f = dir.path().join(format!("{what}.jsonl"));
            std::fs::write(&f, content).unwrap();
            let err = target.restore(&f).await.unwrap_err();
            assert!(err.is_user_error(), "{what}: {err}");
            assert!(err.to_string().contains(expected), "{what}: {err}");
            assert_eq!(target.count("audit_events").await.unwrap(), 0, "{what}");
            assert_eq!(target.count("devices").await.unwrap(), 0, "{what}");
        }
        // A row the database refuses (a release whose device is not in the file) rolls back
        // everything before it, even when the end line was recomputed to match.
        let f = dir.path().join("orphan.jsonl");
        let s2 = store(url).await;
        s2.add_release(&actor(), &release("D0", "9.9"), None)
            .await
            .unwrap();
        s2.backup(&f).await.unwrap();
        let text2 = std::fs::read_to_string(&f).unwrap();
        let orphan: String = text2
            .lines()
            .filter(|l| !l.contains("\"table\":\"devices\""))
            .map(|l| format!("{l}\n"))
            .collect();
        std::fs::write(&f, reseal(&orphan)).unwrap();
        let err = target.restore(&f).await.unwrap_err();
        assert!(
            err.to_string().contains("refused this releases row"),
            "{err}"
        );
        assert_eq!(target.count("audit_events").await.unwrap(), 0);
        assert!(target.verify().await.unwrap().ok);
    }

    /// Recomputes a backup's end line so that only the database's own checks remain.
    fn reseal(text: &str) -> String {
        use sha2::{Digest, Sha256};
        let body: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with("{\"end\""))
            .collect();
        let mut content = String::new();
        for l in &body {
            content.push_str(l);
            content.push('\n');
        }
        let sha = hex::encode(Sha256::digest(content.as_bytes()));
        format!(
            "{content}{{\"end\":{{\"rows\":{},\"sha256\":\"{sha}\"}}}}\n",
            body.len() - 1
        )
    }

    pub async fn schema_description_covers_every_table(url: &str) {
        let s = store(url).await;
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
        let sql = match s.backend() {
            Backend::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations' ORDER BY name",
            Backend::Postgres => "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations' ORDER BY table_name",
        };
        let mut actual: Vec<String> = sqlx::query_scalar(sql).fetch_all(&mut conn).await.unwrap();
        actual.sort();
        let mut described: Vec<String> = postmarket_store::table_names()
            .into_iter()
            .map(String::from)
            .collect();
        described.sort();
        assert_eq!(actual, described, "backup and verify must know every table");
    }

    pub async fn migrate_is_idempotent(url: &str) {
        let s = Store::connect(url).await.unwrap();
        assert_eq!(s.applied_migrations().await.unwrap(), 0);
        let n = s.migrate().await.unwrap();
        assert_eq!(n, s.known_migrations());
        assert_eq!(s.migrate().await.unwrap(), 0);
        assert!(s.verify().await.unwrap().ok);
    }

    // ---- SBOMs (migration 0002) ----

    const SBOM_A: &str = r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,
      "metadata":{"timestamp":"2025-01-02T03:04:05Z","authors":[{"name":"Acme PSIRT"}],
        "tools":{"components":[{"type":"application","name":"hand"}]},
        "component":{"type":"device","bom-ref":"dev","name":"Pump A","version":"1.0"}},
      "components":[
        {"type":"library","bom-ref":"ssl","supplier":{"name":"OpenSSL"},"name":"openssl","version":"3.0.13",
         "purl":"pkg:generic/openssl@3.0.13","cpe":"cpe:2.3:a:openssl:openssl:3.0.13:*:*:*:*:*:*:*",
         "hashes":[{"alg":"SHA-256","content":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}],
         "licenses":[{"license":{"id":"Apache-2.0"}}],
         "properties":[{"name":"postmarket:support_level","value":"maintained"},{"name":"postmarket:end_of_support","value":"2026-09-07"}]},
        {"type":"library","bom-ref":"z","name":"zlib","version":"1.3.1","purl":"pkg:generic/zlib@1.3.1",
         "components":[{"type":"library","bom-ref":"z-sub","name":"minizip","version":"1.3.1"}]},
        {"type":"firmware","bom-ref":"fw","name":"bootloader","version":"2.1","purl":"pkg:github/acme/boot@v2.1",
         "externalReferences":[{"type":"vcs","url":"https://github.com/acme/boot"}]},
        {"type":"library","bom-ref":"bad","name":"weird","version":"1","purl":"not a purl"}],
      "dependencies":[{"ref":"dev","dependsOn":["ssl","z","fw"]},{"ref":"ssl","dependsOn":["z"]}]}"#;

    fn parsed(text: &str) -> postmarket_sbom::Parsed {
        postmarket_sbom::parse(text.as_bytes(), &Default::default()).unwrap()
    }

    fn existing<'a>(
        device: &'a postmarket_model::DeviceName,
        version: &'a postmarket_model::ReleaseVersion,
    ) -> SbomTarget<'a> {
        SbomTarget::Existing { device, version }
    }

    async fn store_with_sbom(url: &str) -> (Store, i64) {
        let s = store(url).await;
        s.add_device(&actor(), &device("Pump A"), None)
            .await
            .unwrap();
        let new = release("Pump A", "1.0");
        let p = parsed(SBOM_A);
        let stored = s
            .store_sbom(
                &actor(),
                SbomTarget::CreateIfMissing(&new),
                SBOM_A,
                &p,
                Some("initial"),
            )
            .await
            .unwrap();
        assert!(stored.release_created && !stored.unchanged);
        (s, stored.revision.id)
    }

    pub async fn sbom_revisions_are_stored_whole_and_idempotent(url: &str) {
        let (s, rev_id) = store_with_sbom(url).await;
        let p = parsed(SBOM_A);
        assert_eq!(
            p.diagnostics.len(),
            1,
            "the invalid purl: {:?}",
            p.diagnostics
        );
        let rev = s.sbom_revision(rev_id).await.unwrap();
        assert_eq!(rev.revision, 1);
        assert_eq!(rev.format, "cyclonedx-json");
        assert_eq!(rev.spec_version, "1.6");
        assert_eq!(rev.sha256, postmarket_store::sha256_hex(SBOM_A.as_bytes()));
        assert_eq!(rev.component_count, 5);
        assert_eq!(rev.edge_count, 4);
        assert_eq!(rev.authors, ["Acme PSIRT"]);
        // The stored rows give back exactly what the parser produced, and the original verbatim.
        assert_eq!(s.load_sbom(rev_id).await.unwrap(), p.sbom);
        let doc = s.sbom_document(rev_id).await.unwrap();
        assert_eq!(doc.content, SBOM_A);
        assert_eq!(doc.diagnostics, p.diagnostics);
        assert_eq!(doc.quality, postmarket_sbom::quality_report(&p.sbom));
        let comps = s.sbom_components(rev_id).await.unwrap();
        assert_eq!(comps[1].component.parent, None);
        assert_eq!(comps[2].component.parent.as_deref(), Some("z"));
        assert_eq!(comps[4].component.purl_raw.as_deref(), Some("not a purl"));
        assert_eq!(comps[4].component.purl, None);

        // The release and the revision: two audit events, the revision's naming its digest.
        let events = s.audit_events(0, 100, None).await.unwrap();
        assert_eq!(events.len(), 3, "device, release, SBOM");
        let ev = &events[2];
        assert_eq!(
            (ev.action.as_str(), ev.entity.as_str()),
            ("sbom.add", "sbom_revision")
        );
        let after = ev.after.as_ref().unwrap();
        assert_eq!(after["sha256"], rev.sha256.as_str());
        assert_eq!(after["component_count"], 5);
        assert_eq!(after["rows_digest"], rev.rows_digest.as_str());
        assert!(
            after.get("content").is_none(),
            "the document is not copied into the chain"
        );

        // The same bytes again: nothing written, not even an event.
        let (dn, rv) = ("Pump A".parse().unwrap(), "1.0".parse().unwrap());
        let again = s
            .store_sbom(&actor(), existing(&dn, &rv), SBOM_A, &p, None)
            .await
            .unwrap();
        assert!(again.unchanged);
        assert_eq!(again.revision.id, rev_id);
        assert_eq!(s.audit_events(0, 100, None).await.unwrap().len(), 3);
        assert_eq!(s.count("sbom_revisions").await.unwrap(), 1);

        // A different document: revision 2, revision 1 kept.
        let b_text = SBOM_A.replace("3.0.13", "3.0.14");
        let b = parsed(&b_text);
        let second = s
            .store_sbom(&actor(), existing(&dn, &rv), &b_text, &b, None)
            .await
            .unwrap();
        assert!(!second.unchanged && !second.release_created);
        assert_eq!(second.revision.revision, 2);
        let revs = s.sbom_revisions(second.release.id).await.unwrap();
        assert_eq!(revs.iter().map(|r| r.revision).collect::<Vec<_>>(), [1, 2]);
        assert_eq!(
            s.load_sbom(rev_id).await.unwrap(),
            p.sbom,
            "revision 1 unchanged"
        );
        assert_eq!(s.load_sbom(second.revision.id).await.unwrap(), b.sbom);
        // Going back to the first document is a change too: it becomes revision 3.
        let third = s
            .store_sbom(&actor(), existing(&dn, &rv), SBOM_A, &p, None)
            .await
            .unwrap();
        assert_eq!(third.revision.revision, 3);
        let summaries = s.sbom_summaries().await.unwrap();
        assert_eq!(summaries.len(), 1);
        assert_eq!(
            (summaries[0].revisions, summaries[0].latest.revision),
            (3, 3)
        );
        let report = s.verify().await.unwrap();
        assert!(report.ok, "{report:?}");
        assert_eq!(report.events, 5);
    }

    pub async fn sbom_for_a_missing_release_writes_nothing(url: &str) {
        let s = store(url).await;
        s.add_device(&actor(), &device("Pump A"), None)
            .await
            .unwrap();
        let p = parsed(SBOM_A);
        let (dn, rv) = ("Pump A".parse().unwrap(), "9.9".parse().unwrap());
        let err = s
            .store_sbom(&actor(), existing(&dn, &rv), SBOM_A, &p, None)
            .await
            .unwrap_err();
        assert!(err.is_not_found(), "{err}");
        assert!(err.to_string().contains("release \"9.9\""), "{err}");
        let bad_device = s
            .store_sbom(
                &actor(),
                SbomTarget::CreateIfMissing(&release("Nope", "1")),
                SBOM_A,
                &p,
                None,
            )
            .await
            .unwrap_err();
        assert!(bad_device.is_not_found(), "{bad_device}");
        for t in [
            "releases",
            "sbom_revisions",
            "sbom_documents",
            "sbom_components",
            "sbom_dependencies",
        ] {
            assert_eq!(s.count(t).await.unwrap(), 0, "{t}");
        }
        assert_eq!(s.audit_events(0, 100, None).await.unwrap().len(), 1);
        assert!(s.verify().await.unwrap().ok);
    }

    pub async fn sbom_support_overrides_are_audited(url: &str) {
        let (s, rev_id) = store_with_sbom(url).await;
        let rel = s.sbom_revision(rev_id).await.unwrap().release_id;
        let o = s
            .set_support_override(
                &actor(),
                rel,
                "purl:pkg:generic/zlib@1.3.1",
                "zlib",
                SupportLevel::NoLongerMaintained,
                Some("2025-12-31"),
                Some("supplier notice"),
            )
            .await
            .unwrap();
        assert_eq!(o.support_level, SupportLevel::NoLongerMaintained);
        let o2 = s
            .set_support_override(
                &actor(),
                rel,
                "purl:pkg:generic/zlib@1.3.1",
                "zlib",
                SupportLevel::Abandoned,
                None,
                Some("project archived"),
            )
            .await
            .unwrap();
        assert_eq!(o2.id, o.id, "replaced, not duplicated");
        assert_eq!(o2.end_of_support, None);
        assert_eq!(s.support_overrides(rel).await.unwrap(), vec![o2.clone()]);
        let events = s
            .audit_events(0, 100, Some(("sbom_override", &o.id.to_string())))
            .await
            .unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(
            events[1].before.as_ref().unwrap()["support_level"],
            "no_longer_maintained"
        );
        assert_eq!(
            events[1].after.as_ref().unwrap()["support_level"],
            "abandoned"
        );
        assert_eq!(events[1].reason.as_deref(), Some("project archived"));
        assert!(s.verify().await.unwrap().ok);
        raw(
            url,
            "UPDATE sbom_overrides SET support_level = 'maintained'",
        )
        .await;
        let report = s.verify().await.unwrap();
        assert!(
            report
                .state_breaches
                .iter()
                .any(|b| b.entity.as_deref() == Some("sbom_override")
                    && b.problem
                        .contains("support_level: \"abandoned\" → \"maintained\"")),
            "{report:?}"
        );
    }

    pub async fn sbom_rows_changed_behind_the_back_are_named(url: &str) {
        let (s, rev_id) = store_with_sbom(url).await;
        assert!(s.verify().await.unwrap().ok);
        let id = rev_id.to_string();
        let named = |report: &postmarket_store::VerifyReport, needle: &str| {
            report.state_breaches.iter().any(|b| {
                b.entity.as_deref() == Some("sbom_revision")
                    && b.entity_id.as_deref() == Some(id.as_str())
                    && b.to_string().contains(needle)
            })
        };
        // A component's version edited.
        raw(
            url,
            "UPDATE sbom_components SET version = '3.0.99' WHERE name = 'openssl'",
        )
        .await;
        let report = s.verify().await.unwrap();
        assert!(!report.ok);
        assert!(report.first_broken.is_none(), "the chain itself is intact");
        assert!(
            named(&report, "SBOM revision 1 of \"Pump A\" \"1.0\""),
            "{report:?}"
        );
        assert!(named(&report, "changed outside Postmarket"), "{report:?}");
        raw(
            url,
            "UPDATE sbom_components SET version = '3.0.13' WHERE name = 'openssl'",
        )
        .await;
        assert!(
            s.verify().await.unwrap().ok,
            "restoring the value restores the digest"
        );
        // An edge deleted.
        raw(url, "DELETE FROM sbom_dependencies WHERE from_ref = 'ssl'").await;
        let report = s.verify().await.unwrap();
        assert!(
            named(&report, "3 dependency rows stored, the revision records 4"),
            "{report:?}"
        );
        // The original document edited.
        raw(
            url,
            "UPDATE sbom_documents SET content = replace(content, 'Acme', 'Evil')",
        )
        .await;
        let report = s.verify().await.unwrap();
        assert!(named(&report, "does not match its SHA-256"), "{report:?}");
        // A component row added to no revision at all (SQLite's shell does not enforce keys).
        if s.backend() == Backend::Sqlite {
            raw(url, "PRAGMA foreign_keys = OFF; INSERT INTO sbom_components (id, revision_id, release_id, ordinal, bom_ref, name, hashes_json, properties_json, external_refs_json) VALUES (99, 42, 1, 0, 'x', 'ghost', '[]', '[]', '[]')").await;
            let report = s.verify().await.unwrap();
            assert!(
                report.state_breaches.iter().any(|b| b
                    .problem
                    .contains("1 sbom_components row(s) belong to no SBOM revision")),
                "{report:?}"
            );
        }
    }

    pub async fn sbom_backup_restore_keeps_sboms_and_verifies(url: &str) {
        let (s, rev_id) = store_with_sbom(url).await;
        let rel = s.sbom_revision(rev_id).await.unwrap().release_id;
        s.set_support_override(
            &actor(),
            rel,
            "purl:pkg:generic/zlib@1.3.1",
            "zlib",
            SupportLevel::Maintained,
            None,
            Some("r"),
        )
        .await
        .unwrap();
        let original = s.verify().await.unwrap();
        assert!(original.ok);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pm.backup.jsonl");
        s.backup(&file).await.unwrap();
        let mut targets = vec![sqlite_url(dir.path(), "restored.db")];
        let pg = PgTestDb::create("sbom_backup_restore_keeps_sboms_and_verifies").await;
        if let Some(db) = &pg {
            targets.push(db.url.clone());
        }
        for target in &targets {
            let t = Store::open(target).await.unwrap();
            t.restore(&file).await.unwrap();
            let report = t.verify().await.unwrap();
            assert!(report.ok, "{target}: {report:?}");
            assert_eq!(report.head_hash, original.head_hash);
            assert_eq!(
                t.load_sbom(rev_id).await.unwrap(),
                s.load_sbom(rev_id).await.unwrap()
            );
            assert_eq!(
                t.sbom_document(rev_id).await.unwrap(),
                s.sbom_document(rev_id).await.unwrap()
            );
            assert_eq!(
                t.support_overrides(rel).await.unwrap(),
                s.support_overrides(rel).await.unwrap()
            );
            // The restored store goes on: a new revision gets the next ids.
            let (dn, rv) = ("Pump A".parse().unwrap(), "1.0".parse().unwrap());
            let b_text = SBOM_A.replace("zlib", "zlib-ng");
            let next = t
                .store_sbom(
                    &actor(),
                    existing(&dn, &rv),
                    &b_text,
                    &parsed(&b_text),
                    None,
                )
                .await
                .unwrap();
            assert_eq!(next.revision.revision, 2);
            assert!(t.verify().await.unwrap().ok);
            t.close().await;
        }
        if let Some(db) = pg {
            db.drop_db().await;
        }
    }

    fn fields(v: serde_json::Value) -> postmarket_store::Fields {
        v.as_object().unwrap().clone()
    }

    async fn case_with_release(s: &Store) -> i64 {
        s.add_device(&actor(), &device("Pump C"), None)
            .await
            .unwrap();
        let r = s
            .add_release(&actor(), &release("Pump C", "1.0"), None)
            .await
            .unwrap();
        let mut w = s.case_write(&actor()).await.unwrap();
        let id = w
            .insert(
                "cases",
                "case.open",
                fields(
                    serde_json::json!({"device_id": r.device_id, "vulnerability": "CVE-2026-0001",
                    "state": "new", "t0": "2026-01-05", "source": "researcher"}),
                ),
                Some("researcher report"),
            )
            .await
            .unwrap();
        w.insert(
            "case_releases",
            "case.release.add",
            fields(serde_json::json!({"case_id": id, "release_id": r.id})),
            None,
        )
        .await
        .unwrap();
        w.commit().await.unwrap();
        id
    }

    pub async fn cases_and_records_are_audited_and_verify(url: &str) {
        let s = store(url).await;
        let id = case_with_release(&s).await;
        let mut w = s.case_write(&actor()).await.unwrap();
        w.update(
            "cases",
            id,
            "case.transition",
            fields(serde_json::json!({"state": "triage"})),
            Some("start"),
        )
        .await
        .unwrap();
        let n = w
            .insert(
                "case_notifications",
                "case.notify",
                fields(serde_json::json!({
                "case_id": id, "sent_on": "2026-01-20", "recipients": "all customers",
                "vulnerability_and_impact": "a", "work_under_way": "b",
                "compensating_controls": "c", "fix_coming": "d"})),
                None,
            )
            .await
            .unwrap();
        w.commit().await.unwrap();
        let case = s.case_row("cases", id).await.unwrap().unwrap();
        assert_eq!(case["state"], "triage");
        assert_eq!(case["t0"], "2026-01-05");
        let rows = s
            .case_rows("case_notifications", "case_id", id)
            .await
            .unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0]["id"], n);
        let events = s.audit_events(0, 100_000, None).await.unwrap();
        let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
        assert!(
            actions.ends_with(&[
                "case.open",
                "case.release.add",
                "case.transition",
                "case.notify"
            ]),
            "{actions:?}"
        );
        let transition = &events[events.len() - 2];
        assert_eq!(transition.before.as_ref().unwrap()["state"], "new");
        assert_eq!(transition.after.as_ref().unwrap()["state"], "triage");
        assert!(s.verify().await.unwrap().ok);
        // A state changed behind Postmarket's back is named.
        raw(
            url,
            &format!("UPDATE cases SET state = 'closed' WHERE id = {id}"),
        )
        .await;
        let report = s.verify().await.unwrap();
        assert!(!report.ok);
        assert!(
            report
                .state_breaches
                .iter()
                .any(|b| b.to_string().contains(&format!("case {id}"))),
            "{:?}",
            report.state_breaches
        );
    }

    pub async fn case_writes_are_all_or_nothing(url: &str) {
        let s = store(url).await;
        let id = case_with_release(&s).await;
        let before = s.audit_events(0, 100_000, None).await.unwrap().len();
        // The same vulnerability for the same device twice is refused (ignoring case).
        let mut w = s.case_write(&actor()).await.unwrap();
        w.update(
            "cases",
            id,
            "case.transition",
            fields(serde_json::json!({"state": "triage"})),
            None,
        )
        .await
        .unwrap();
        let dup = w
            .insert(
                "cases",
                "case.open",
                fields(
                    serde_json::json!({"device_id": 1, "vulnerability": "cve-2026-0001",
                "state": "new", "t0": "2026-01-05", "source": "feed"}),
                ),
                None,
            )
            .await
            .unwrap_err();
        assert!(matches!(dup, StoreError::Duplicate { .. }), "{dup}");
        drop(w);
        assert_eq!(
            s.case_row("cases", id).await.unwrap().unwrap()["state"],
            "new",
            "rolled back"
        );
        assert_eq!(
            s.audit_events(0, 100_000, None).await.unwrap().len(),
            before
        );
        // Unknown tables and columns are refused before any SQL runs.
        let mut w = s.case_write(&actor()).await.unwrap();
        let e = w
            .insert("devices", "x", fields(serde_json::json!({})), None)
            .await
            .unwrap_err();
        assert!(e.to_string().contains("not a case table"), "{e}");
        let e = w
            .update(
                "cases",
                id,
                "x",
                fields(serde_json::json!({"stat": "x"})),
                None,
            )
            .await
            .unwrap_err();
        assert!(e.to_string().contains("cases has no column stat"), "{e}");
        drop(w);
        // Settings: set twice, read back, audited with before and after.
        s.set_program_setting(
            &actor(),
            "clocks",
            &serde_json::json!({"due_soon_days": 3}),
            None,
        )
        .await
        .unwrap();
        s.set_program_setting(
            &actor(),
            "clocks",
            &serde_json::json!({"due_soon_days": 5}),
            Some("policy v2"),
        )
        .await
        .unwrap();
        assert_eq!(
            s.program_setting("clocks").await.unwrap().unwrap()["due_soon_days"],
            5
        );
        assert!(s.program_setting("isao").await.unwrap().is_none());
        let last = s
            .audit_events(0, 100_000, None)
            .await
            .unwrap()
            .pop()
            .unwrap();
        assert_eq!(last.action, "program.setting.set");
        assert!(last.before.is_some());
        assert!(s.verify().await.unwrap().ok);
    }

    pub async fn case_backup_restore_verifies(url: &str) {
        let s = store(url).await;
        let first = case_with_release(&s).await;
        // The first case duplicates a later one: restores go in id order, so that must load.
        let mut w = s.case_write(&actor()).await.unwrap();
        let later = w
            .insert(
                "cases",
                "case.open",
                fields(
                    serde_json::json!({"device_id": 1, "vulnerability": "GHSA-xxxx-yyyy-zzzz",
                "state": "new", "t0": "2026-01-06", "source": "feed"}),
                ),
                None,
            )
            .await
            .unwrap();
        w.update(
            "cases",
            first,
            "case.transition",
            fields(serde_json::json!({"state": "duplicate", "duplicate_of": later})),
            None,
        )
        .await
        .unwrap();
        w.commit().await.unwrap();
        s.set_program_setting(&actor(), "cvd", &serde_json::json!({"ack": 5}), None)
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("b.jsonl");
        s.backup(&file).await.unwrap();
        let target = postmarket_testing::sqlite_url(dir.path(), "restored.db");
        let t = Store::open(&target).await.unwrap();
        t.restore(&file).await.unwrap();
        assert!(t.verify().await.unwrap().ok);
        assert_eq!(
            t.case_table_rows("cases").await.unwrap(),
            s.case_table_rows("cases").await.unwrap()
        );
    }
}

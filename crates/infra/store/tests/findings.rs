//! Findings, match runs and VEX statements (migration 0004) on SQLite and PostgreSQL
//! (`POSTMARKET_TEST_PG`): the diff rules of a match run, events with their causes, audit and
//! verify, atomicity, backup and restore.

use std::collections::{BTreeSet, HashMap};

use postmarket_model::{Actor, DeviceClass, NewDevice, NewRelease, Pathway};
use postmarket_store::{
    FindingFilter, MatchScope, NewFinding, NewMatchRun, NewVexStatement, Store, StoreError,
};
use sqlx::{Connection, Executor};

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
                    let Some(db) = postmarket_testing::PgTestDb::create(concat!("findings_", stringify!($name))).await else { return };
                    super::$name(&db.url).await;
                    db.drop_db().await;
                }
            )*
        }
    };
}

conformance!(
    match_runs_record_appeared_and_vanished_findings,
    component_scoped_runs_leave_other_components_alone,
    vex_statements_are_audited_and_replace_earlier_ones,
    findings_changed_behind_the_back_are_named_by_their_run,
    findings_survive_backup_and_restore,
);

fn actor() -> Actor {
    Actor::new("findings-test").unwrap()
}

async fn store_with_release(url: &str) -> (Store, i64) {
    let s = Store::open(url).await.unwrap();
    s.add_device(
        &actor(),
        &NewDevice::new(
            "Pump A".parse().unwrap(),
            "Infusion",
            DeviceClass::II,
            Pathway::Premarket510k,
        ),
        None,
    )
    .await
    .unwrap();
    let r = s
        .add_release(
            &actor(),
            &NewRelease {
                device: "Pump A".parse().unwrap(),
                version: "1.0".parse().unwrap(),
                released_at: None,
                end_of_support: None,
                install_base: 10,
            },
            None,
        )
        .await
        .unwrap();
    (s, r.id)
}

fn finding(release: i64, component: &str, vuln: &str, possible: bool) -> NewFinding {
    NewFinding {
        release_id: release,
        component_key: format!("purl:pkg:generic/{component}@1.0"),
        bom_ref: component.into(),
        component_name: component.into(),
        component_version: Some("1.0".into()),
        component_purl: Some(format!("pkg:generic/{component}@1.0")),
        component_cpe: None,
        vulnerability: vuln.into(),
        aliases: vec![format!("GHSA-{vuln}")],
        possible,
        source: "osv".into(),
        record_id: format!("OSV-{vuln}"),
        also_matched: vec![],
        match_kind: if possible { "heuristic" } else { "purl" }.into(),
        confidence: if possible { 0.4 } else { 1.0 },
        reason: "purl generic/".to_string() + component,
        affected: ">=0 <2.0".into(),
        fixed: Some("2.0".into()),
        explanation: serde_json::json!({"verdict": "affected", "version": "1.0"}),
        vex_status: None,
        vex_justification: None,
        suppressed: false,
    }
}

fn run(scope: &'static str, release: Option<i64>, cause: &str) -> NewMatchRun {
    NewMatchRun {
        scope,
        cause: cause.into(),
        release_id: release,
        sbom_revision_id: None,
        change_checkpoint: 0,
        releases: 1,
        components: 2,
        index_records: 3,
        started_at: postmarket_store::now_rfc3339(),
        duration_ms: 1,
        causes: HashMap::new(),
    }
}

fn whole(release: i64) -> Vec<MatchScope> {
    vec![MatchScope {
        release_id: release,
        components: None,
    }]
}

fn all() -> FindingFilter {
    FindingFilter {
        include_inactive: true,
        include_possible: true,
        ..FindingFilter::default()
    }
}

async fn match_runs_record_appeared_and_vanished_findings(url: &str) {
    let (s, rel) = store_with_release(url).await;
    let first = vec![
        finding(rel, "zlib", "CVE-2022-37434", false),
        finding(rel, "openssl", "CVE-2023-0286", false),
        finding(rel, "busybox", "CVE-2022-48174", true),
    ];
    let r1 = s
        .record_match(
            &actor(),
            &run("release", Some(rel), "SBOM revision 1"),
            &whole(rel),
            &first,
        )
        .await
        .unwrap();
    assert_eq!(
        (r1.findings, r1.possible, r1.appeared, r1.vanished),
        (2, 1, 2, 0)
    );
    let listed = s.findings(&FindingFilter::default()).await.unwrap();
    assert_eq!(listed.len(), 2, "possible matches are not findings");
    assert!(listed
        .iter()
        .all(|f| f.device == "Pump A" && f.release == "1.0"));
    assert_eq!(s.findings(&all()).await.unwrap().len(), 3);

    // The same findings again: nothing appears or vanishes, last_seen moves.
    let r2 = s
        .record_match(
            &actor(),
            &run("portfolio", None, "manual"),
            &whole(rel),
            &first,
        )
        .await
        .unwrap();
    assert_eq!((r2.appeared, r2.vanished), (0, 0));
    let zlib = s
        .findings(&FindingFilter {
            vulnerability: Some("CVE-2022-37434".into()),
            ..FindingFilter::default()
        })
        .await
        .unwrap()
        .remove(0);
    assert_eq!((zlib.first_run, zlib.last_run), (r1.id, r2.id));
    assert_eq!(zlib.explanation["verdict"], "affected");
    assert_eq!(zlib.aliases, vec!["GHSA-CVE-2022-37434".to_string()]);

    // openssl's finding is gone, zlib's became a possible match, busybox's a finding.
    let mut causes = HashMap::new();
    causes.insert(
        "CVE-2022-37434".to_string(),
        "feed change: nvd record CVE-2022-37434 updated".to_string(),
    );
    let third = vec![
        finding(rel, "zlib", "CVE-2022-37434", true),
        finding(rel, "busybox", "CVE-2022-48174", false),
    ];
    let mut r = run("incremental", None, "feed changes 1..9");
    r.causes = causes;
    let r3 = s
        .record_match(&actor(), &r, &whole(rel), &third)
        .await
        .unwrap();
    assert_eq!(
        (r3.findings, r3.possible, r3.appeared, r3.vanished),
        (1, 1, 1, 2)
    );
    let active: Vec<String> = s
        .findings(&FindingFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.vulnerability)
        .collect();
    assert_eq!(active, vec!["CVE-2022-48174".to_string()]);
    let gone = s
        .findings(&all())
        .await
        .unwrap()
        .into_iter()
        .find(|f| f.vulnerability == "CVE-2023-0286")
        .unwrap();
    assert!(!gone.active, "vanished findings stay, inactive");
    let events = s.finding_events(gone.id).await.unwrap();
    assert_eq!(
        events
            .iter()
            .map(|e| (e.event.as_str(), e.run_id))
            .collect::<Vec<_>>(),
        vec![("appeared", r1.id), ("vanished", r3.id)]
    );
    assert_eq!(events[1].cause, "feed changes 1..9");
    let zlib_events = s.finding_events(zlib.id).await.unwrap();
    assert_eq!(zlib_events.last().unwrap().event, "vanished");
    assert_eq!(
        zlib_events.last().unwrap().cause,
        "feed change: nvd record CVE-2022-37434 updated"
    );

    // It comes back: appeared again on the same row.
    let r4 = s
        .record_match(
            &actor(),
            &run("release", Some(rel), "SBOM revision 2"),
            &whole(rel),
            &first,
        )
        .await
        .unwrap();
    assert_eq!(
        (r4.appeared, r4.vanished),
        (2, 1),
        "openssl and zlib back, busybox possible"
    );
    let again = s.finding(gone.id).await.unwrap();
    assert!(again.active);
    assert_eq!(s.finding_events(gone.id).await.unwrap().len(), 3);
    assert_eq!(s.run_finding_events(r4.id).await.unwrap().len(), 3);
    let run_row = s.match_run(r4.id).await.unwrap();
    assert_eq!(run_row, r4);

    // Audited: one event per run, and the chain verifies.
    let audit = s.audit_events(0, 1000, None).await.unwrap();
    assert_eq!(audit.iter().filter(|e| e.entity == "match_run").count(), 4);
    assert!(s.verify().await.unwrap().ok);

    // Outside the scope: refused, nothing written.
    let err = s
        .record_match(
            &actor(),
            &run("release", Some(rel), "x"),
            &whole(rel + 1),
            &first,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Refused(_)), "{err}");
    assert_eq!(s.count("match_runs").await.unwrap(), 4);
    assert!(matches!(
        s.finding(9999).await.unwrap_err(),
        StoreError::NotFound { .. }
    ));
    s.close().await;
}

async fn component_scoped_runs_leave_other_components_alone(url: &str) {
    let (s, rel) = store_with_release(url).await;
    let first = vec![
        finding(rel, "zlib", "CVE-2022-37434", false),
        finding(rel, "openssl", "CVE-2023-0286", false),
    ];
    s.record_match(
        &actor(),
        &run("release", Some(rel), "rev 1"),
        &whole(rel),
        &first,
    )
    .await
    .unwrap();
    // Re-evaluate zlib only, which no longer matches: openssl's finding is untouched.
    let scope = vec![MatchScope {
        release_id: rel,
        components: Some(BTreeSet::from(["purl:pkg:generic/zlib@1.0".to_string()])),
    }];
    let r = s
        .record_match(&actor(), &run("incremental", None, "changes"), &scope, &[])
        .await
        .unwrap();
    assert_eq!((r.appeared, r.vanished), (0, 1));
    let active: Vec<String> = s
        .findings(&FindingFilter::default())
        .await
        .unwrap()
        .into_iter()
        .map(|f| f.vulnerability)
        .collect();
    assert_eq!(active, vec!["CVE-2023-0286".to_string()]);
    assert_eq!(
        s.finding_components_of(&["CVE-2023-0286".to_string()])
            .await
            .unwrap(),
        vec![(rel, "purl:pkg:generic/openssl@1.0".to_string())]
    );
    // The checkpoint is the highest one of portfolio / incremental runs.
    let mut r = run("incremental", None, "changes");
    r.change_checkpoint = 42;
    s.record_match(&actor(), &r, &[], &[]).await.unwrap();
    assert_eq!(s.match_checkpoint().await.unwrap(), Some(42));
    s.close().await;
}

async fn vex_statements_are_audited_and_replace_earlier_ones(url: &str) {
    let (s, rel) = store_with_release(url).await;
    let mut st = NewVexStatement {
        release_id: rel,
        component: "pkg:generic/zlib".into(),
        vulnerability: "CVE-2022-37434".into(),
        status: "under_investigation".into(),
        justification: None,
        detail: None,
        source_document: Some("acme-vex-2024-01.json".into()),
        statement_time: Some("2024-01-02T00:00:00Z".into()),
    };
    let a = s.record_vex_statement(&actor(), &st, None).await.unwrap();
    st.status = "not_affected".into();
    st.justification = Some("vulnerable_code_not_in_execute_path".into());
    let b = s
        .record_vex_statement(&actor(), &st, Some("inflate is never called"))
        .await
        .unwrap();
    assert_eq!(
        a.id, b.id,
        "same (release, component, vulnerability): replaced"
    );
    assert_eq!(b.status, "not_affected");
    let listed = s.vex_statements(Some(rel)).await.unwrap();
    assert_eq!(listed, vec![b.clone()]);
    let audit = s.audit_events(0, 100, None).await.unwrap();
    let vex: Vec<_> = audit
        .iter()
        .filter(|e| e.entity == "vex_statement")
        .collect();
    assert_eq!(vex.len(), 2);
    assert_eq!(vex[1].action, "vex.update");
    assert_eq!(
        vex[1].before.as_ref().unwrap()["status"],
        "under_investigation"
    );
    assert_eq!(vex[1].reason.as_deref(), Some("inflate is never called"));

    // Bad input: refused, nothing written.
    let before = s.audit_events(0, 1000, None).await.unwrap().len();
    st.status = "maybe".into();
    let err = s
        .record_vex_statement(&actor(), &st, None)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("not_affected"), "{err}");
    st.status = "fixed".into();
    st.release_id = rel + 100;
    assert!(s
        .record_vex_statement(&actor(), &st, None)
        .await
        .unwrap_err()
        .is_not_found());
    assert_eq!(s.audit_events(0, 1000, None).await.unwrap().len(), before);
    assert!(s.verify().await.unwrap().ok);
    s.close().await;
}

async fn findings_changed_behind_the_back_are_named_by_their_run(url: &str) {
    let (s, rel) = store_with_release(url).await;
    let r = s
        .record_match(
            &actor(),
            &run("release", Some(rel), "rev 1"),
            &whole(rel),
            &[finding(rel, "zlib", "CVE-2022-37434", false)],
        )
        .await
        .unwrap();
    st_vex(&s, rel).await;
    assert!(s.verify().await.unwrap().ok);
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(url).await.unwrap();
    conn.execute("UPDATE match_runs SET vanished = 7")
        .await
        .unwrap();
    conn.execute("UPDATE vex_statements SET status = 'affected'")
        .await
        .unwrap();
    conn.close().await.unwrap();
    let report = s.verify().await.unwrap();
    assert!(!report.ok);
    let named: Vec<String> = report
        .state_breaches
        .iter()
        .map(|b| {
            format!(
                "{} {}",
                b.entity.clone().unwrap(),
                b.entity_id.clone().unwrap()
            )
        })
        .collect();
    assert!(named.contains(&format!("match_run {}", r.id)), "{named:?}");
    assert!(
        named.iter().any(|n| n.starts_with("vex_statement")),
        "{named:?}"
    );
    s.close().await;
}

async fn st_vex(s: &Store, rel: i64) {
    s.record_vex_statement(
        &actor(),
        &NewVexStatement {
            release_id: rel,
            component: "zlib".into(),
            vulnerability: "GHSA-CVE-2022-37434".into(),
            status: "not_affected".into(),
            justification: Some("component_not_present".into()),
            detail: None,
            source_document: None,
            statement_time: None,
        },
        None,
    )
    .await
    .unwrap();
}

async fn findings_survive_backup_and_restore(url: &str) {
    let (s, rel) = store_with_release(url).await;
    s.record_match(
        &actor(),
        &run("release", Some(rel), "rev 1"),
        &whole(rel),
        &[
            finding(rel, "zlib", "CVE-2022-37434", false),
            finding(rel, "busybox", "CVE-2022-48174", true),
        ],
    )
    .await
    .unwrap();
    st_vex(&s, rel).await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("b.jsonl");
    s.backup(&file).await.unwrap();
    let target = postmarket_testing::sqlite_url(dir.path(), "restored.db");
    let t = Store::open(&target).await.unwrap();
    t.restore(&file).await.unwrap();
    assert!(t.verify().await.unwrap().ok);
    assert_eq!(
        t.findings(&all()).await.unwrap(),
        s.findings(&all()).await.unwrap()
    );
    assert_eq!(
        t.vex_statements(None).await.unwrap(),
        s.vex_statements(None).await.unwrap()
    );
    let f = t
        .findings(&FindingFilter::default())
        .await
        .unwrap()
        .remove(0);
    assert_eq!(
        t.finding_events(f.id).await.unwrap(),
        s.finding_events(f.id).await.unwrap()
    );
    t.close().await;
    s.close().await;
}

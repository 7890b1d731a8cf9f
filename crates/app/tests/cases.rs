//! The case workflow through the app API on SQLite and (with `POSTMARKET_TEST_PG`) PostgreSQL:
//! the seam the findings work calls (`open_cases_for_exposures`, one case per vulnerability and
//! device), refusals that leave the store unchanged, re-assessment needing a new signature, the
//! signer seam, not-affected / duplicate / reopen, and the clock scan.

use postmarket_app::cases::{
    CliSigner, FixCycle, NewFix, OpenCase, SignatureMeaning, SignerVerifier, TransitionArgs,
};
use postmarket_app::App;
use postmarket_model::{Actor, Date, DeviceClass, NewDevice, NewRelease, Pathway};
use postmarket_program::evidence::CaseSource;
use postmarket_program::notice::NoticeDraft;
use postmarket_program::state::{CaseState, VexJustification};
use postmarket_risk::AssessInput;
use postmarket_testing::{sqlite_url, PgTestDb};

fn actor() -> Actor {
    Actor::new("case-tests").unwrap()
}

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

async fn app(url: &str) -> App {
    let app = App::open(url).await.unwrap();
    for name in ["Pump", "Monitor"] {
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
        for (v, units) in [("1.0", 30), ("1.1", 10), ("2.0", 0)] {
            app.add_release(
                &actor(),
                &NewRelease {
                    device: name.parse().unwrap(),
                    version: v.parse().unwrap(),
                    released_at: None,
                    end_of_support: None,
                    install_base: units,
                },
                None,
            )
            .await
            .unwrap();
        }
    }
    app
}

fn input(level: &str, harm: &str) -> AssessInput {
    serde_json::from_value(serde_json::json!({
        "exploitability": {"override": {"level": level, "rationale": "analyst estimate"}},
        "harm": harm, "rationale": "test"}))
    .unwrap()
}

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
    exposures_open_one_case_per_vulnerability_and_device,
    exposures_scenario
);
both_backends!(refusals_change_nothing, refusals_scenario);
both_backends!(side_exits_and_reopen, side_exits_scenario);

async fn exposures_scenario(url: &str) {
    let app = app(url).await;
    let pump = "Pump".parse().unwrap();
    let (c, created) = app
        .open_cases_for_exposures(
            &actor(),
            &pump,
            "CVE-2026-1111",
            &["1.0".parse().unwrap()],
            d("2026-03-01"),
        )
        .await
        .unwrap();
    assert!(created);
    assert_eq!(
        (c.state(), c.case.source, c.case.t0),
        (CaseState::New, CaseSource::Feed, d("2026-03-01"))
    );
    let events = app
        .store()
        .audit_events(0, 100_000, None)
        .await
        .unwrap()
        .len();
    // The same findings again: nothing written.
    let (again, created) = app
        .open_cases_for_exposures(
            &actor(),
            &pump,
            "cve-2026-1111",
            &["1.0".parse().unwrap()],
            d("2026-03-09"),
        )
        .await
        .unwrap();
    assert!(!created);
    assert_eq!(again.id(), c.id());
    assert_eq!(
        app.store()
            .audit_events(0, 100_000, None)
            .await
            .unwrap()
            .len(),
        events
    );
    // A new release with the same finding joins the case; T0 stays the first awareness.
    let (joined, _) = app
        .open_cases_for_exposures(
            &actor(),
            &pump,
            "CVE-2026-1111",
            &["1.0".parse().unwrap(), "1.1".parse().unwrap()],
            d("2026-03-09"),
        )
        .await
        .unwrap();
    let versions: Vec<&str> = joined.releases.iter().map(|r| r.version.as_str()).collect();
    assert_eq!(versions, ["1.0", "1.1"]);
    assert_eq!(joined.case.t0, d("2026-03-01"));
    // Another device gets its own case.
    let (other, created) = app
        .open_cases_for_exposures(
            &actor(),
            &"Monitor".parse().unwrap(),
            "CVE-2026-1111",
            &["2.0".parse().unwrap()],
            d("2026-03-09"),
        )
        .await
        .unwrap();
    assert!(created && other.id() != c.id());
    assert_eq!(app.cases(Some(&pump)).await.unwrap().len(), 1);
    assert_eq!(app.cases(None).await.unwrap().len(), 2);
    assert!(app.verify().await.unwrap().ok);
}

async fn refusals_scenario(url: &str) {
    let app = app(url).await;
    let at = d("2026-04-01");
    let c = app
        .open_case(
            &actor(),
            &OpenCase {
                device: "Pump".parse().unwrap(),
                vulnerability: "PM-2026-7".into(),
                title: Some("debug port".into()),
                source: CaseSource::InternalTest,
                source_detail: Some("pen test 2026-Q1".into()),
                advisory_ref: None,
                releases: vec!["1.0".parse().unwrap()],
                t0: d("2026-03-20"),
            },
            at,
        )
        .await
        .unwrap();
    let id = c.id();
    let snapshot = || async {
        (
            app.case(id).await.unwrap(),
            app.store()
                .audit_events(0, 100_000, None)
                .await
                .unwrap()
                .len(),
        )
    };
    let before = snapshot().await;
    // Assessing before triage, transitions out of order, an incomplete notice, a control
    // without attestation, a fix before assessment, a deployment without a fix.
    assert!(app
        .assess_case(&actor(), id, &input("high", "serious"), None, at)
        .await
        .unwrap_err()
        .to_string()
        .contains("move it to triage first"));
    assert!(app
        .transition(
            &actor(),
            id,
            CaseState::Remediation,
            &TransitionArgs::default(),
            at
        )
        .await
        .is_err());
    let e = app
        .notify_customers(
            &actor(),
            id,
            "all",
            NoticeDraft {
                vulnerability_and_impact: Some("x".into()),
                ..Default::default()
            },
            at,
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("work is under way"), "{e}");
    assert!(app
        .add_interim_control(&actor(), id, "vlan", " ", at)
        .await
        .is_err());
    let fix = NewFix {
        release: "1.1".parse().unwrap(),
        validated_on: Some(at),
        distributed_on: Some(at),
        cycle: FixCycle::InCycle,
        justification: "x".into(),
    };
    assert!(app.record_fix(&actor(), id, &fix, at).await.is_err());
    assert!(app
        .record_deployment(&actor(), id, &"1.1".parse().unwrap(), at, 3, at)
        .await
        .is_err());
    assert!(app
        .open_case(
            &actor(),
            &OpenCase {
                device: "Pump".parse().unwrap(),
                vulnerability: "pm-2026-7".into(),
                title: None,
                source: CaseSource::Complaint,
                source_detail: None,
                advisory_ref: None,
                releases: vec!["1.0".parse().unwrap()],
                t0: at
            },
            at
        )
        .await
        .is_err());
    assert_eq!(snapshot().await, before, "refusals wrote nothing");

    // A signer the verifier refuses (the web app's password re-entry fails): no signature.
    struct WrongPassword;
    impl SignerVerifier for WrongPassword {
        fn verify_signer(&self, _: &Actor, _: SignatureMeaning) -> Result<(), String> {
            Err("the password does not match".into())
        }
        fn method(&self) -> &'static str {
            "password re-entry"
        }
    }
    app.transition(
        &actor(),
        id,
        CaseState::Triage,
        &TransitionArgs::default(),
        at,
    )
    .await
    .unwrap();
    app.assess_case(&actor(), id, &input("high", "serious"), None, at)
        .await
        .unwrap();
    let e = app
        .sign_assessment(&actor(), id, SignatureMeaning::Approved, &WrongPassword, at)
        .await
        .unwrap_err();
    assert!(e.to_string().contains("password does not match"), "{e}");
    assert!(!app.case(id).await.unwrap().approved());
    app.sign_assessment(&actor(), id, SignatureMeaning::Approved, &CliSigner, at)
        .await
        .unwrap();
    // A re-assessment needs its own signature; the signature hashes what was signed.
    let (row, _) = app
        .assess_case(&actor(), id, &input("low", "minor"), None, at)
        .await
        .unwrap();
    let view = app.case(id).await.unwrap();
    assert!(!view.approved(), "the new assessment is not signed yet");
    assert_eq!(view.signatures[0].signed_sha256, view.assessments[0].sha256);
    assert_ne!(view.assessments[0].sha256, row.sha256);
    let e = app
        .transition(
            &actor(),
            id,
            CaseState::RoutineUpdate,
            &TransitionArgs::default(),
            at,
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("not signed"), "{e}");
    app.sign_assessment(&actor(), id, SignatureMeaning::Approved, &CliSigner, at)
        .await
        .unwrap();
    app.transition(
        &actor(),
        id,
        CaseState::RoutineUpdate,
        &TransitionArgs::default(),
        at,
    )
    .await
    .unwrap();
    assert!(app.verify().await.unwrap().ok);
}

async fn side_exits_scenario(url: &str) {
    let app = app(url).await;
    let pump = "Pump".parse().unwrap();
    let at = d("2026-05-01");
    let (a, _) = app
        .open_cases_for_exposures(
            &actor(),
            &pump,
            "CVE-2026-2001",
            &["1.0".parse().unwrap()],
            at,
        )
        .await
        .unwrap();
    let (b, _) = app
        .open_cases_for_exposures(
            &actor(),
            &pump,
            "GHSA-aaaa-bbbb-cccc",
            &["1.0".parse().unwrap()],
            at,
        )
        .await
        .unwrap();
    let na = app
        .transition(
            &actor(),
            a.id(),
            CaseState::NotAffected,
            &TransitionArgs {
                vex_justification: Some(VexJustification::VulnerableCodeNotInExecutePath),
                reason: Some("function never called".into()),
                ..Default::default()
            },
            at,
        )
        .await
        .unwrap();
    assert_eq!(
        na.case.vex_justification,
        Some(VexJustification::VulnerableCodeNotInExecutePath)
    );
    let dup = app
        .transition(
            &actor(),
            b.id(),
            CaseState::Duplicate,
            &TransitionArgs {
                duplicate_of: Some(a.id()),
                ..Default::default()
            },
            at,
        )
        .await
        .unwrap();
    assert_eq!(dup.case.duplicate_of, Some(a.id()));
    assert!(app
        .transition(
            &actor(),
            b.id(),
            CaseState::Duplicate,
            &TransitionArgs {
                duplicate_of: Some(b.id()),
                ..Default::default()
            },
            at
        )
        .await
        .is_err());
    // Terminal cases have no clocks and take no records until reopened.
    assert!(app.clock_report(at).await.unwrap().is_empty());
    assert!(app
        .add_remediation_plan(&actor(), a.id(), "p", "r", at)
        .await
        .unwrap_err()
        .to_string()
        .contains("reopen it"));
    let reopened = app
        .transition(
            &actor(),
            a.id(),
            CaseState::Triage,
            &TransitionArgs {
                reason: Some("the function is reachable after all".into()),
                ..Default::default()
            },
            d("2026-05-10"),
        )
        .await
        .unwrap();
    assert_eq!(
        (reopened.state(), reopened.case.vex_justification),
        (CaseState::Triage, None)
    );
    let reopen_event = app
        .store()
        .audit_events(0, 100_000, None)
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert_eq!(reopen_event.action, "case.reopen");
    // An uncontrolled case with no notice is flagged by the clock scan once day 30 is near.
    app.assess_case(
        &actor(),
        a.id(),
        &input("high", "critical"),
        None,
        d("2026-05-10"),
    )
    .await
    .unwrap();
    let due = app.due_clocks(d("2026-05-25")).await.unwrap();
    assert_eq!(due.len(), 1, "{due:?}");
    assert_eq!(due[0].clock.due, d("2026-05-31"));
    let due = app.due_clocks(d("2026-07-05")).await.unwrap();
    assert_eq!(due.len(), 2, "both day 30 and day 60 breached: {due:?}");
    assert!(due.iter().all(|c| c.clock.breached));
    assert!(app.verify().await.unwrap().ok);
}

//! A case built through the app, published in all four formats on SQLite and (with
//! `POSTMARKET_TEST_PG`) PostgreSQL, and every document run through the same independent
//! validators as `postmarket-documents`' own tests: the BSI csaf-validator-lib (strict schema +
//! mandatory tests), the CycloneDX 1.6 JSON schema (cyclonedx-python-lib) and vexipy (OpenVEX).

use std::path::{Path, PathBuf};
use std::process::Command;

use postmarket_app::advisories::AdvisoryFormat;
use postmarket_app::cases::{
    CliSigner, FixCycle, NewFix, OpenCase, SignatureMeaning, TransitionArgs,
};
use postmarket_app::{App, ErrorKind, ImportOptions, NoProgress};
use postmarket_model::{Actor, Date, DeviceClass, NewDevice, NewRelease, Pathway};
use postmarket_program::evidence::CaseSource;
use postmarket_program::notice::NoticeDraft;
use postmarket_program::state::CaseState;
use postmarket_risk::AssessInput;
use postmarket_testing::{sqlite_url, PgTestDb};
use serde_json::Value;

fn actor() -> Actor {
    Actor::new("advisory-tests").unwrap()
}

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn fx(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
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

both_backends!(a_case_is_published_in_four_valid_formats, publish_scenario);

/// Pump 1.0 and 1.1 affected by CVE-2024-0001 (NVD fixture: CVSS 3.1, CWE-125), fixed in 2.0,
/// with plan, interim control and customer notice. Returns the case id.
async fn remediated_case(app: &App) -> i64 {
    let rep = app
        .import_feeds(
            &actor(),
            &[fx("feeds/good/nvd-page.json")],
            &ImportOptions::default(),
            &NoProgress,
        )
        .await
        .unwrap();
    assert!(rep.diagnostics.is_empty(), "{:?}", rep.diagnostics);
    app.add_device(
        &actor(),
        &NewDevice::new(
            "Pump".parse().unwrap(),
            "Acme Infusion",
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
                device: "Pump".parse().unwrap(),
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
    let at = d("2026-03-02");
    let case = app
        .open_case(
            &actor(),
            &OpenCase {
                device: "Pump".parse().unwrap(),
                vulnerability: "CVE-2024-0001".into(),
                title: Some("Out-of-bounds read in the pump's TLS stack".into()),
                source: CaseSource::Researcher,
                source_detail: Some("coordinated disclosure".into()),
                advisory_ref: None,
                releases: vec!["1.0".parse().unwrap(), "1.1".parse().unwrap()],
                t0: d("2026-03-01"),
            },
            at,
        )
        .await
        .unwrap();
    let id = case.id();
    app.transition(
        &actor(),
        id,
        CaseState::Triage,
        &TransitionArgs::default(),
        at,
    )
    .await
    .unwrap();
    let input: AssessInput = serde_json::from_value(serde_json::json!({
        "exploitability": {"override": {"level": "low", "rationale": "needs the service port"}},
        "harm": "minor", "rationale": "therapy continues on the local keypad"}))
    .unwrap();
    app.assess_case(&actor(), id, &input, None, at)
        .await
        .unwrap();
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
    app.add_remediation_plan(
        &actor(),
        id,
        "Update the TLS library in 2.0",
        "next planned release",
        d("2026-03-03"),
    )
    .await
    .unwrap();
    app.add_interim_control(
        &actor(),
        id,
        "Block TCP 4443 at the hospital firewall",
        "the port carries no clinical traffic",
        d("2026-03-03"),
    )
    .await
    .unwrap();
    app.notify_customers(
        &actor(),
        id,
        "all customers",
        NoticeDraft {
            vulnerability_and_impact: Some("an out-of-bounds read in the TLS stack".into()),
            work_under_way: Some("an update is being validated".into()),
            compensating_controls: Some("block TCP 4443".into()),
            fix_coming: Some("release 2.0".into()),
        },
        d("2026-03-04"),
    )
    .await
    .unwrap();
    app.record_fix(
        &actor(),
        id,
        &NewFix {
            release: "2.0".parse().unwrap(),
            validated_on: Some(d("2026-03-10")),
            distributed_on: Some(d("2026-03-12")),
            cycle: FixCycle::InCycle,
            justification: "Updates the TLS library.".into(),
        },
        d("2026-03-12"),
    )
    .await
    .unwrap();
    id
}

async fn publish_scenario(url: &str) {
    let app = App::open(url).await.unwrap();
    let id = remediated_case(&app).await;
    let at = d("2026-03-15");
    let mut docs: Vec<(String, AdvisoryFormat, Value)> = Vec::new();
    for format in [AdvisoryFormat::Csaf, AdvisoryFormat::CsafVex] {
        let doc = app.case_advisory(id, format, None, at).await.unwrap();
        docs.push((format.to_string(), format, doc.document));
    }
    for format in [AdvisoryFormat::CyclonedxVex, AdvisoryFormat::Openvex] {
        // Per release: one needs --release when the case names several.
        let e = app.case_advisory(id, format, None, at).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BadInput, "{e}");
        assert!(e.to_string().contains("--release"), "{e}");
        for v in ["1.0", "2.0"] {
            let doc = app.case_advisory(id, format, Some(v), at).await.unwrap();
            docs.push((format!("{format}-{v}"), format, doc.document));
        }
    }

    // What the store knows reaches the documents: CWE, CVSS vector, statuses, fix, controls.
    let csaf = &docs[0].2;
    let v = &csaf["vulnerabilities"][0];
    assert_eq!(v["cve"], "CVE-2024-0001");
    // The CWE's catalog name is not stored, so CSAF leaves it out (test 6.1.11) and says so;
    // CycloneDX carries the number.
    assert!(v.get("cwe").is_none());
    let w = app
        .case_advisory(id, AdvisoryFormat::Csaf, None, at)
        .await
        .unwrap()
        .warnings;
    assert!(w.iter().any(|w| w.contains("CWE-125")), "{w:?}");
    assert!(v["scores"][0]["cvss_v3"]["vectorString"]
        .as_str()
        .unwrap()
        .starts_with("CVSS:3.1/"));
    let affected = v["product_status"]["known_affected"].as_array().unwrap();
    assert_eq!(affected.len(), 2, "{}", v["product_status"]);
    assert_eq!(v["product_status"]["fixed"].as_array().unwrap().len(), 1);
    let cats: Vec<&str> = v["remediations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["category"].as_str().unwrap())
        .collect();
    assert!(
        cats.contains(&"vendor_fix") && cats.contains(&"mitigation"),
        "{cats:?}"
    );
    // Routine update under way: not final yet.
    assert_eq!(csaf["document"]["tracking"]["status"], "interim");
    let cdx_10 = &docs.iter().find(|d| d.0 == "cyclonedx-vex-1.0").unwrap().2;
    assert_eq!(
        cdx_10["vulnerabilities"][0]["cwes"],
        serde_json::json!([125])
    );
    let openvex_10 = &docs.iter().find(|d| d.0 == "openvex-1.0").unwrap().2;
    assert_eq!(openvex_10["statements"][0]["status"], "affected");
    let openvex_20 = &docs.iter().find(|d| d.0 == "openvex-2.0").unwrap().2;
    assert_eq!(openvex_20["statements"][0]["status"], "fixed");

    // A case that does not exist.
    let e = app
        .case_advisory(id + 100, AdvisoryFormat::Csaf, None, at)
        .await
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");

    validate(&docs);
}

const SETUP: &str = "run `eval \"$(bash ../shared/tools/oracles/setup.sh)\"` and \
`eval \"$(bash crates/core/documents/oracle/vexipy_setup.sh)\"` from the project root (.ci/run does)";

fn json_lines(out: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(out)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn var(name: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| panic!("{name} is not set; {SETUP}"))
}

/// The validators, exactly as `crates/core/documents/tests/oracles.rs` calls them; skipped only
/// when `shared/` is not beside the project.
fn validate(docs: &[(String, AdvisoryFormat, Value)]) {
    let Some(shared) = postmarket_testing::shared("a_case_is_published_in_four_valid_formats")
    else {
        return;
    };
    let oracles = shared.join("tools/oracles");
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, doc: &Value| {
        let p = dir.path().join(format!("{name}.json"));
        std::fs::write(&p, serde_json::to_string_pretty(doc).unwrap()).unwrap();
        p
    };
    let of = |fs: &[AdvisoryFormat]| -> Vec<(String, PathBuf)> {
        docs.iter()
            .filter(|(_, f, _)| fs.contains(f))
            .map(|(n, _, d)| (n.clone(), write(n, d)))
            .collect()
    };

    let csaf = of(&[AdvisoryFormat::Csaf, AdvisoryFormat::CsafVex]);
    let out = Command::new("node")
        .arg(oracles.join("csaf_validate.mjs"))
        .args(csaf.iter().map(|c| &c.1))
        .current_dir(var("CSAF_LIB_DIR"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run node: {e}; {SETUP}"));
    let results = json_lines(&out.stdout);
    assert_eq!(
        results.len(),
        csaf.len(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for ((name, _), r) in csaf.iter().zip(&results) {
        assert_eq!(r["isValid"], true, "{name}: {}", r["errors"]);
        assert_eq!(r["warnings"], serde_json::json!([]), "{name}");
    }

    let cdx = of(&[AdvisoryFormat::CyclonedxVex]);
    let out = Command::new(var("ORACLES_PY"))
        .arg(oracles.join("cdx_validate.py"))
        .arg("--all")
        .args(cdx.iter().map(|c| &c.1))
        .output()
        .unwrap_or_else(|e| panic!("cannot run ORACLES_PY: {e}; {SETUP}"));
    let results = json_lines(&out.stdout);
    assert_eq!(
        results.len(),
        cdx.len(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for ((name, _), r) in cdx.iter().zip(&results) {
        assert_eq!(r["valid"], true, "{name}: {r}");
    }

    let openvex = of(&[AdvisoryFormat::Openvex]);
    let Ok(python) = std::env::var("VEXIPY_PY") else {
        eprintln!("OpenVEX check skipped: VEXIPY_PY is not set; {SETUP}");
        return;
    };
    let out = Command::new(&python)
        .arg(
            postmarket_testing::workspace_root()
                .join("crates/core/documents/oracle/openvex_check.py"),
        )
        .args(openvex.iter().map(|c| &c.1))
        .output()
        .unwrap_or_else(|e| panic!("cannot run VEXIPY_PY={python}: {e}"));
    let results = json_lines(&out.stdout);
    assert_eq!(
        results.len(),
        openvex.len(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for ((name, _), r) in openvex.iter().zip(&results) {
        assert_eq!(r["valid"], true, "{name}: {}", r["error"]);
    }
    eprintln!(
        "validators: {} CSAF, {} CycloneDX, {} OpenVEX documents valid",
        csaf.len(),
        cdx.len(),
        openvex.len()
    );
}

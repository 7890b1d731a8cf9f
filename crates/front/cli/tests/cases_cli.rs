//! The case workflow driven through the real binary (issue 7): FDA's eight worked examples
//! (postmarket guidance 2016 §VII, read from `../shared/fda/worked-examples.yaml` at test time)
//! played as cases give the expected 806, 803 and annual-report outcomes; so do the edge cases
//! (notice on day 31, fix on day 61, ISAO membership lapsed, a serious adverse event on day 40);
//! and bad input is refused with exit 2 and nothing changed. Each scenario runs on SQLite, and
//! on PostgreSQL too when `POSTMARKET_TEST_PG` is set.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Output};

use postmarket_model::Date;
use serde::Deserialize;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_postmarket");
const T0: &str = "2026-01-05";

fn day(n: i64) -> String {
    let t0: Date = T0.parse().unwrap();
    Date::from_calendar(t0.inner() + time::Duration::days(n)).to_string()
}

struct Pm {
    db: String,
    dir: tempfile::TempDir,
}

impl Pm {
    fn run(&self, args: &[&str]) -> Output {
        Command::new(BIN)
            .current_dir(self.dir.path())
            .env("POSTMARKET_DB", &self.db)
            .env("POSTMARKET_ACTOR", "qa.ra@example.com")
            .env_remove("POSTMARKET_LOG")
            .args(args)
            .output()
            .expect("run postmarket")
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut a = vec!["--json"];
        a.extend_from_slice(args);
        let text = self.ok(&a);
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{args:?}: not JSON ({e}): {text}"))
    }

    /// Exit 2 with a `postmarket:` message containing every needle, and nothing on stdout.
    fn refused(&self, args: &[&str], needles: &[&str]) {
        let out = self.run(args);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(out.stdout.is_empty(), "{args:?}");
        for n in needles {
            assert!(err.contains(n), "{args:?}: {err:?} lacks {n:?}");
        }
    }

    fn show(&self, case: &str, at: &str) -> Value {
        self.json(&["case", "show", case, "--at", at])
    }
}

/// Runs `scenario` on SQLite, then on PostgreSQL when configured.
fn on_both_backends(name: &str, scenario: impl Fn(&Pm)) {
    let dir = tempfile::tempdir().unwrap();
    let db = postmarket_testing::sqlite_url(dir.path(), "pm.db");
    scenario(&Pm { db, dir });
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    if let Some(pg) = rt.block_on(postmarket_testing::PgTestDb::create(name)) {
        scenario(&Pm {
            db: pg.url.clone(),
            dir: tempfile::tempdir().unwrap(),
        });
        rt.block_on(pg.drop_db());
    }
}

// FDA's worked examples, as the shared YAML states them.

#[derive(Debug, Deserialize)]
struct Doc {
    cases: Vec<Example>,
}

#[derive(Debug, Deserialize)]
struct Example {
    id: String,
    summary: String,
    source: String,
    device_class: String,
    #[serde(default)]
    pma: Option<bool>,
    inputs: BTreeMap<String, serde_norway::Value>,
    expected: BTreeMap<String, serde_norway::Value>,
}

impl Example {
    fn value(&self, key: &str) -> Option<serde_norway::Value> {
        let v = self.inputs.get(key)?;
        Some(match v.get("value") {
            Some(inner) => inner.clone(),
            None => v.clone(),
        })
    }
    fn text(&self, key: &str) -> Option<String> {
        self.value(key).and_then(|v| v.as_str().map(String::from))
    }
    fn why(&self, key: &str) -> String {
        self.inputs
            .get(key)
            .and_then(|v| v.get("why"))
            .and_then(|v| v.as_str())
            .unwrap_or("stated in FDA's example")
            .to_string()
    }
    fn flag(&self, key: &str) -> bool {
        self.value(key).and_then(|v| v.as_bool()).unwrap_or(false)
    }
    fn day(&self, key: &str) -> Option<i64> {
        self.value(key).and_then(|v| v.as_i64())
    }
}

/// The guidance's sources mapped onto Postmarket's case sources.
fn source(s: &str) -> &'static str {
    match s {
        "customer-complaint" | "hospital-report" => "complaint",
        "public-disclosure" => "feed",
        "ics-cert" => "isao",
        "external-report" | "researcher" => "researcher",
        "internal-discovery" => "internal-test",
        other => panic!("worked example source {other:?} has no mapping"),
    }
}

fn set_isao(pm: &Pm, until: Option<&str>) {
    let mut args = vec![
        "isao",
        "set",
        "--name",
        "Health-ISAC",
        "--since",
        "2025-01-01",
        "--membership-evidence",
        "membership agreement HISAC-2025-114",
        "--policies-evidence",
        "Health-ISAC TLP and participant agreement on file (QMS-REC-88)",
        "--sharing-evidence",
        "SOP-PSIRT-7 requires sharing customer communications",
        "--processes-evidence",
        "SOP-PSIRT-9: ISAO intelligence traced to risk file RM-12",
    ];
    if let Some(u) = until {
        args.extend(["--until", u]);
    }
    pm.ok(&args);
}

/// Sets up the device, its releases and the case; returns the case id.
fn open(pm: &Pm, device: &str, class: &str, pma: bool, source: &str) -> String {
    pm.ok(&[
        "device",
        "add",
        device,
        "--product-line",
        "Lab",
        "--class",
        class,
        "--pathway",
        if pma { "pma" } else { "510k" },
        "--udi-di",
        "00812345000099",
    ]);
    pm.ok(&[
        "release",
        "add",
        device,
        "1.0",
        "--install-base",
        "40",
        "--released-at",
        "2025-06-01",
    ]);
    pm.ok(&[
        "release",
        "add",
        device,
        "1.1",
        "--released-at",
        "2026-02-01",
    ]);
    let v = pm.json(&[
        "case",
        "open",
        "--device",
        device,
        "--vulnerability",
        &format!(
            "CVE-2026-{}",
            device.len() * 1000 + device.bytes().map(usize::from).sum::<usize>()
        ),
        "--source",
        source,
        "--release",
        "1.0",
        "--t0",
        T0,
        "--at",
        T0,
        "--advisory",
        "ICSMA-26-005-01",
    ]);
    let id = v["id"].as_i64().unwrap().to_string();
    pm.ok(&["case", "transition", &id, "triage", "--at", T0]);
    id
}

fn notify(pm: &Pm, id: &str, d: i64) -> String {
    let v = pm.json(&[
        "case",
        "notify",
        id,
        "--recipients",
        "all customers of release 1.0",
        "--vulnerability-impact",
        "an open port allows unauthorised firmware download; therapy may be altered",
        "--work-under-way",
        "engineering is developing and validating a fix",
        "--compensating-controls",
        "block TCP 4444 at the hospital firewall",
        "--fix-coming",
        "a validated update is in progress; we will tell you when it is available",
        "--at",
        &day(d),
    ]);
    v["id"].as_i64().unwrap().to_string()
}

/// Plays one worked example as a case; returns the case id and its JSON on day 90.
fn play(pm: &Pm, ex: &Example, device: &str) -> (String, Value) {
    let class = match ex.device_class.as_str() {
        "unknown" => "II",
        c => c,
    };
    let pma = ex.pma.unwrap_or(false);
    if ex.flag("isao_member_active") {
        set_isao(pm, None);
    }
    let id = open(pm, device, class, pma, source(&ex.source));
    if ex.flag("acknowledged_submitter") {
        pm.ok(&["case", "acknowledge", &id, "--at", &day(1)]);
    }
    let exploitability = ex.text("exploitability").unwrap();
    let harm = ex.text("harm_severity").unwrap();
    let ewhy = ex.why("exploitability");
    if let Some(residual) = ex.text("residual_risk_after_interim_controls") {
        // The residual re-assessment needs the full input (postmarket-risk AssessInput).
        let control_day = ex.day("interim_controls_identified_day");
        let input = serde_json::json!({
            "exploitability": {"override": {"level": exploitability, "rationale": ewhy}},
            "harm": harm,
            "confidentiality_only": ex.flag("confidentiality_only"),
            "analyst_decision": ex.text("analyst_decision").map(|d| serde_json::json!({"risk": d, "rationale": ex.why("analyst_decision")})),
            "rationale": ex.summary,
            "residual": {"interim_controls": ["disconnect the device from the hospital network"],
                         "residual_risk": residual, "rationale": "re-assessed with the interim control in place",
                         "day": control_day},
        });
        let file = pm.dir.path().join(format!("{id}-input.json"));
        std::fs::write(&file, input.to_string()).unwrap();
        pm.ok(&[
            "case",
            "assess",
            &id,
            "--input",
            file.to_str().unwrap(),
            "--at",
            &day(2),
        ]);
    } else {
        let mut args = vec![
            "case".to_string(),
            "assess".into(),
            id.clone(),
            "--exploitability".into(),
            exploitability,
            "--exploitability-rationale".into(),
            ewhy,
            "--harm".into(),
            harm,
            "--rationale".into(),
            ex.summary.clone(),
            "--at".into(),
            day(2),
        ];
        if ex.flag("confidentiality_only") {
            args.push("--confidentiality-only".into());
        }
        if let Some(d) = ex.text("analyst_decision") {
            args.extend(["--decision".into(), d]);
        }
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        pm.ok(&a);
    }
    pm.ok(&[
        "case",
        "sign",
        &id,
        "--meaning",
        "approved",
        "--at",
        &day(2),
    ]);
    let shown = pm.show(&id, &day(2));
    let risk = shown["assessments"][0]["risk"]
        .as_str()
        .unwrap()
        .to_string();
    let uncontrolled = risk == "uncontrolled";
    pm.ok(&[
        "case",
        "transition",
        &id,
        if uncontrolled {
            "remediation"
        } else {
            "routine-update"
        },
        "--at",
        &day(2),
    ]);
    if ex.flag("serious_adverse_event_or_death") {
        pm.ok(&[
            "case",
            "adverse-event",
            &id,
            "--description",
            "device malfunction may have contributed to a patient death",
            "--mdr-number",
            "MDR-3004-2026-00017",
            "--at",
            &day(0),
        ]);
    }
    // Events in day order, as they happened.
    let mut events: Vec<(i64, &str)> = Vec::new();
    for (key, what) in [
        ("interim_controls_identified_day", "control"),
        ("remediation_plan_day", "plan"),
        ("customer_notified_day", "notify"),
        ("fix_validated_and_distributed_day", "fix"),
    ] {
        if let Some(d) = ex.day(key) {
            events.push((d, what));
        }
    }
    if !uncontrolled {
        events.push((20, "notify"));
        events.push((40, "fix"));
    }
    events.sort();
    for (d, what) in events {
        match what {
            "control" => {
                pm.ok(&[
                    "case",
                    "control",
                    &id,
                    "--description",
                    "disconnect the device from the hospital network",
                    "--attest",
                    "disconnecting removes a network path and adds no hazard (RM-12 §4)",
                    "--at",
                    &day(d),
                ]);
            }
            "plan" => {
                pm.ok(&[
                    "case",
                    "plan",
                    &id,
                    "--description",
                    "close the port in release 1.1",
                    "--timeline-rationale",
                    "firmware change and validation fit in 45 days",
                    "--at",
                    &day(d),
                ]);
            }
            "notify" => {
                let n = notify(pm, &id, d);
                if ex.flag("notices_shared_with_isao") {
                    pm.ok(&[
                        "case",
                        "share",
                        &id,
                        "--what",
                        "customer notification",
                        "--notification",
                        &n,
                        "--at",
                        &day(d),
                    ]);
                }
            }
            "fix" => {
                pm.ok(&[
                    "case",
                    "fix",
                    &id,
                    "--release",
                    "1.1",
                    "--validated-on",
                    &day(d),
                    "--distributed-on",
                    &day(d),
                    "--cycle",
                    if uncontrolled {
                        "out-of-cycle"
                    } else {
                        "in-cycle"
                    },
                    "--justification",
                    if uncontrolled {
                        "uncontrolled risk: out of cycle as soon as possible"
                    } else {
                        "routine update in the regular cycle"
                    },
                    "--at",
                    &day(d),
                ]);
                pm.ok(&[
                    "case",
                    "deploy",
                    &id,
                    "--release",
                    "1.1",
                    "--units",
                    "40",
                    "--on",
                    &day(d + 10),
                    "--at",
                    &day(d + 10),
                ]);
            }
            _ => unreachable!(),
        }
    }
    if uncontrolled {
        pm.ok(&["case", "transition", &id, "fixed", "--at", &day(70)]);
        pm.ok(&["case", "premarket", &id, "--submission", "none", "--why", "the fix closes a port; no change to intended use or technology (807.81(a)(3) / 814.39 assessed)", "--at", &day(70)]);
    }
    pm.ok(&["case", "close", &id, "--at", &day(75)]);
    (id.clone(), pm.show(&id, &day(90)))
}

fn yaml_json(v: &serde_norway::Value) -> Value {
    serde_json::to_value(v).unwrap()
}

#[test]
fn fda_worked_examples_played_as_cases_give_the_expected_outcomes() {
    let Some(shared) = postmarket_testing::shared("fda_worked_examples_played_as_cases") else {
        eprintln!("skipped: the shared folder with fda/worked-examples.yaml is not there");
        return;
    };
    let path = shared.join("fda/worked-examples.yaml");
    let doc: Doc = serde_norway::from_str(&std::fs::read_to_string(&path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(doc.cases.len(), 8, "FDA's §VII has eight worked examples");
    on_both_backends("worked_examples_cli", |pm| {
        for ex in &doc.cases {
            let device = format!("Device {}", ex.id);
            let (id, case) = play(pm, ex, &device);
            let det = &case["determination"];
            let mut compared = 0;
            for (key, want) in &ex.expected {
                let want = yaml_json(want);
                let got = match key.as_str() {
                    "risk" => case["assessments"][0]["risk"].clone(),
                    "report_806" => det["report_806"].clone(),
                    "report_803" => det["report_803"].clone(),
                    "change_type" => {
                        let out: Value = serde_json::from_str(
                            case["assessments"][0]["output_json"].as_str().unwrap(),
                        )
                        .unwrap();
                        out["decision"]["change_type"].clone()
                    }
                    "premarket_submission_evaluated" => {
                        Value::Bool(case["premarket_evaluation"].is_object())
                    }
                    "pma_annual_report" => {
                        let out = pm.run(&[
                            "report",
                            "pma-annual",
                            "--device",
                            &device,
                            "--from",
                            "2026-01-01",
                            "--to",
                            "2026-12-31",
                            "--format",
                            "json",
                            "--at",
                            &day(90),
                        ]);
                        if ex.pma.unwrap_or(false) {
                            assert_eq!(
                                out.status.code(),
                                Some(0),
                                "{}",
                                String::from_utf8_lossy(&out.stderr)
                            );
                            let r: Value = serde_json::from_slice(&out.stdout).unwrap();
                            let listed = r["entries"].as_array().unwrap().iter().any(|e| {
                                e["case_id"].as_i64().map(|v| v.to_string()).as_deref()
                                    == Some(id.as_str())
                            });
                            Value::Bool(listed)
                        } else {
                            // Not a PMA device: no annual report to be in.
                            assert_eq!(out.status.code(), Some(2));
                            assert!(
                                String::from_utf8_lossy(&out.stderr).contains("not PMA-approved")
                            );
                            Value::Bool(false)
                        }
                    }
                    "customer_communication" => continue, // the story's narrative, not an outcome
                    other => panic!("{}: expected key {other} is not checked", ex.id),
                };
                assert_eq!(
                    got,
                    want,
                    "{} {key}: case {}",
                    ex.id,
                    serde_json::to_string_pretty(&case["determination"]).unwrap()
                );
                compared += 1;
            }
            assert!(
                compared >= 3,
                "{}: compared only {compared} outcomes",
                ex.id
            );
            assert_eq!(case["state"], "closed", "{}", ex.id);
        }
        // The audit chain holds every step and verifies.
        pm.ok(&["db", "verify"]);
    });
}

/// VII.B-1's story (all four conditions met), with one thing changed.
fn b1(pm: &Pm, device: &str, notice_day: i64, fix_day: i64, isao_until: Option<&str>) -> String {
    set_isao(pm, isao_until);
    let id = open(pm, device, "III", true, "researcher");
    pm.ok(&[
        "case",
        "assess",
        &id,
        "--exploitability",
        "high",
        "--exploitability-rationale",
        "designed-in features do not prevent the download",
        "--harm",
        "serious",
        "--rationale",
        "open port allows unauthorised firmware download",
        "--at",
        &day(1),
    ]);
    pm.ok(&[
        "case",
        "sign",
        &id,
        "--meaning",
        "approved",
        "--at",
        &day(1),
    ]);
    pm.ok(&["case", "transition", &id, "remediation", "--at", &day(1)]);
    pm.ok(&[
        "case",
        "control",
        &id,
        "--description",
        "block TCP 4444",
        "--attest",
        "a firewall rule adds no hazard",
        "--at",
        &day(10),
    ]);
    pm.ok(&[
        "case",
        "plan",
        &id,
        "--description",
        "close the port in 1.1",
        "--timeline-rationale",
        "45 days of validation",
        "--at",
        &day(10),
    ]);
    let n = notify(pm, &id, notice_day);
    pm.ok(&[
        "case",
        "share",
        &id,
        "--what",
        "customer notification",
        "--notification",
        &n,
        "--at",
        &day(notice_day),
    ]);
    pm.ok(&[
        "case",
        "fix",
        &id,
        "--release",
        "1.1",
        "--validated-on",
        &day(fix_day),
        "--distributed-on",
        &day(fix_day),
        "--cycle",
        "out-of-cycle",
        "--justification",
        "uncontrolled",
        "--at",
        &day(fix_day),
    ]);
    id
}

fn condition(det: &Value, name: &str) -> Value {
    det["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["condition"] == name)
        .cloned()
        .unwrap()
}

#[test]
fn edge_cases_flip_the_806_determination() {
    on_both_backends("edge_cases_cli", |pm| {
        // The reference: day 30 and day 60 exactly still meet the conditions.
        let id = b1(pm, "On Time", 30, 60, None);
        let det = pm.show(&id, &day(90))["determination"].clone();
        assert_eq!(det["report_806"], "not-enforced", "{det}");

        let id = b1(pm, "Notice Day 31", 31, 55, None);
        let det = pm.show(&id, &day(90))["determination"].clone();
        assert_eq!(det["report_806"], "required");
        assert_eq!(condition(&det, "communicated-within-30-days")["met"], false);
        assert!(
            det["reason"]
                .as_str()
                .unwrap()
                .contains("day 31, after day 30"),
            "{det}"
        );
        let clocks = pm.show(&id, &day(90))["clocks"].clone();
        let c30 = clocks
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["kind"] == "day-30")
            .unwrap();
        assert_eq!(
            (c30["status"].as_str(), c30["breached"].as_bool()),
            (Some("met-late"), Some(true))
        );

        let id = b1(pm, "Fix Day 61", 21, 61, None);
        let shown = pm.show(&id, &day(90));
        let det = &shown["determination"];
        assert_eq!(det["report_806"], "required");
        assert_eq!(condition(det, "fixed-within-60-days")["met"], false);
        assert_eq!(
            condition(det, "fixed-within-60-days")["evidence"][0]["day"],
            61
        );
        // On day 60 the fix was still missing: the day-60 clock shows breached the day after.
        let on61 = pm.show(&id, &day(61));
        let c60 = on61["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["kind"] == "day-60")
            .unwrap()
            .clone();
        assert_eq!(c60["status"], "met-late");
        let on60 = pm.show(&id, &day(60));
        let c60 = on60["clocks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["kind"] == "day-60")
            .unwrap()
            .clone();
        assert_eq!(
            (c60["status"].as_str(), c60["days_left"].as_i64()),
            (Some("due-soon"), Some(0))
        );

        // Membership lapsed on day 10; the notice was shared on day 21.
        let id = b1(pm, "Lapsed ISAO", 21, 55, Some(&day(10)));
        let det = pm.show(&id, &day(90))["determination"].clone();
        assert_eq!(det["report_806"], "required");
        let c4 = condition(&det, "active-isao-participation");
        assert_eq!(c4["met"], false);
        assert!(
            c4["explanation"]
                .as_str()
                .unwrap()
                .contains(&format!("lapsed on {}", day(10))),
            "{c4}"
        );
        set_isao(pm, None); // the later edge cases have an active member again

        // A serious adverse event learned of on day 40 (after a compliant day-30 notice).
        let id = b1(pm, "SAE Day 40", 21, 55, None);
        pm.ok(&[
            "case",
            "adverse-event",
            &id,
            "--description",
            "patient harmed",
            "--known-on",
            &day(40),
            "--at",
            &day(40),
        ]);
        let before = pm.show(&id, &day(39))["determination"].clone();
        assert_eq!(before["report_803"], false);
        assert_eq!(condition(&before, "no-serious-adverse-events")["met"], true);
        let after = pm.show(&id, &day(40))["determination"].clone();
        assert_eq!(
            (after["report_806"].as_str(), after["report_803"].as_bool()),
            (Some("required"), Some(true))
        );
        let end = pm.show(&id, &day(90))["determination"].clone();
        assert_eq!(
            end["report_806"], "required",
            "the fix on day 55 does not undo it"
        );
        assert_eq!(
            condition(&end, "no-serious-adverse-events")["evidence"][0]["day"],
            40
        );
        // Recorded determinations keep their day and outcome.
        let rec = pm.json(&[
            "case",
            "determine",
            &id,
            "--reference",
            "806-2026-0042",
            "--at",
            &day(41),
        ]);
        assert_eq!(rec["report_806"], "required");
        pm.ok(&["db", "verify"]);
    });
}

#[test]
fn bad_input_is_refused_and_changes_nothing() {
    on_both_backends("bad_input_cli", |pm| {
        let id = open(pm, "Pump", "II", false, "researcher");
        let events = |pm: &Pm| pm.json(&["case", "show", &id, "--at", &day(5)]);
        let before = events(pm);
        // Out of order.
        pm.refused(
            &["case", "transition", &id, "fixed", "--at", &day(1)],
            &[
                "a case in state triage cannot move to fixed",
                "from triage it can move to: assessed, not-affected, duplicate",
            ],
        );
        pm.refused(
            &["case", "transition", &id, "not-affected", "--at", &day(1)],
            &["needs a VEX justification"],
        );
        pm.refused(
            &[
                "case",
                "sign",
                &id,
                "--meaning",
                "approved",
                "--at",
                &day(1),
            ],
            &["no assessment to sign"],
        );
        // A notice missing an element names it.
        pm.refused(
            &[
                "case",
                "notify",
                &id,
                "--recipients",
                "all",
                "--vulnerability-impact",
                "x",
                "--work-under-way",
                "y",
                "--compensating-controls",
                "z",
                "--at",
                &day(3),
            ],
            &["lacks the statement that a fix is coming", "§VII.B(2)(d)"],
        );
        // Dates outside the case.
        pm.refused(
            &[
                "case",
                "control",
                &id,
                "--description",
                "x",
                "--attest",
                "y",
                "--at",
                "2025-12-01",
            ],
            &["before the case's T0"],
        );
        pm.refused(
            &[
                "case",
                "control",
                &id,
                "--description",
                "x",
                "--attest",
                "",
                "--at",
                &day(3),
            ],
            &["attestation"],
        );
        // Unknown things.
        pm.refused(&["case", "show", "999"], &["case 999 not found"]);
        pm.refused(
            &["case", "transition", &id, "open"],
            &["unknown case state \"open\""],
        );
        pm.refused(
            &[
                "case",
                "open",
                "--device",
                "Pump",
                "--vulnerability",
                "CVE-2026-9",
                "--source",
                "researcher",
                "--release",
                "9.9",
                "--at",
                T0,
            ],
            &["release \"9.9\""],
        );
        pm.refused(
            &[
                "report",
                "pma-annual",
                "--device",
                "Pump",
                "--from",
                "2026-01-01",
                "--to",
                "2026-12-31",
                "--format",
                "json",
            ],
            &["not PMA-approved"],
        );
        pm.refused(
            &[
                "report",
                "metrics",
                "--from",
                "2026-12-31",
                "--to",
                "2026-01-01",
            ],
            &["ends (2026-01-01) before it starts"],
        );
        // Nothing changed.
        assert_eq!(events(pm), before);
        pm.ok(&["db", "verify"]);
        // Opening the same vulnerability again is refused too.
        let vuln = before["vulnerability"].as_str().unwrap().to_string();
        pm.refused(
            &[
                "case",
                "open",
                "--device",
                "pump",
                "--vulnerability",
                &vuln.to_lowercase(),
                "--source",
                "feed",
                "--release",
                "1.0",
                "--at",
                T0,
            ],
            &["already covers"],
        );
    });
}

#[test]
fn pma_annual_report_in_every_format_and_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let pm = Pm {
        db: postmarket_testing::sqlite_url(dir.path(), "pm.db"),
        dir,
    };
    let id = b1(&pm, "Implant", 21, 55, None);
    pm.ok(&[
        "case",
        "deploy",
        &id,
        "--release",
        "1.1",
        "--units",
        "25",
        "--on",
        &day(60),
        "--at",
        &day(60),
    ]);
    pm.ok(&[
        "case",
        "deploy",
        &id,
        "--release",
        "1.1",
        "--units",
        "15",
        "--on",
        &day(65),
        "--at",
        &day(65),
    ]);
    let m = pm.json(&[
        "report",
        "metrics",
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
    ]);
    assert_eq!(m["identified"], 1);
    assert_eq!(m["percent_patched"], 100.0);
    assert_eq!(m["identification_to_patch"]["median_days"], 55.0);
    // 40 units in the field: the second record completes the deployment 10 days after the patch.
    assert_eq!(m["patch_to_deployment"]["mean_days"], 10.0);

    let json = pm.json(&[
        "report",
        "pma-annual",
        "--device",
        "Implant",
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        "--format",
        "json",
        "--at",
        &day(90),
    ]);
    let e = &json["entries"][0];
    assert_eq!(e["risk"], "uncontrolled");
    assert_eq!(e["udi_di"], "00812345000099");
    assert_eq!(e["advisory_reference"], "ICSMA-26-005-01");
    assert_eq!(e["change"]["fixed_by_release"], "1.1");
    assert_eq!(e["isao_shares"][0]["isao"], "Health-ISAC");
    assert_eq!(e["notifications"].as_array().unwrap().len(), 1);
    assert!(e["report_806"]
        .as_str()
        .unwrap()
        .starts_with("not-enforced"));
    let html = pm.ok(&[
        "report",
        "pma-annual",
        "--device",
        "Implant",
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        "--format",
        "html",
        "--at",
        &day(90),
    ]);
    assert!(
        html.starts_with("<!DOCTYPE html>")
            && html.contains("ICSMA-26-005-01")
            && html.contains(e["vulnerability"].as_str().unwrap())
    );
    let pdf = pm.dir.path().join("annual.pdf");
    pm.ok(&[
        "report",
        "pma-annual",
        "--device",
        "Implant",
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        "--format",
        "pdf",
        "-o",
        pdf.to_str().unwrap(),
        "--at",
        &day(90),
    ]);
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-1.4"));
    // An independent reader: pdftotext (poppler), when installed.
    match Command::new("pdftotext").arg(&pdf).arg("-").output() {
        Ok(out) if out.status.success() => {
            let text = String::from_utf8_lossy(&out.stdout);
            assert!(text.contains("PMA annual report"), "{text}");
            assert!(
                text.contains(e["vulnerability"].as_str().unwrap()),
                "{text}"
            );
            assert!(text.contains("ICSMA-26-005-01"), "{text}");
        }
        _ => eprintln!("pdftotext not installed: the PDF was checked for its header only"),
    }
    let _ = Path::new(".");
}

#[test]
fn clocks_report_lists_due_and_breached_items() {
    let dir = tempfile::tempdir().unwrap();
    let pm = Pm {
        db: postmarket_testing::sqlite_url(dir.path(), "pm.db"),
        dir,
    };
    let id = open(&pm, "Monitor", "II", false, "researcher");
    pm.ok(&[
        "case",
        "assess",
        &id,
        "--exploitability",
        "high",
        "--exploitability-rationale",
        "public exploit",
        "--harm",
        "critical",
        "--rationale",
        "remote reprogramming",
        "--at",
        &day(1),
    ]);
    // Day 25: CVD acknowledgement (5 business days from Monday T0 → the next Monday, day 7)
    // breached; day 30 due soon.
    let due = pm.json(&["report", "clocks", "--due", "--at", &day(25)]);
    let kinds: Vec<(String, String)> = due
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap().to_string(),
                c["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("cvd-acknowledgement".to_string(), "breached".to_string()),
            ("day-30".into(), "due-soon".into())
        ]
    );
    assert_eq!(due[1]["days_left"], 5);
    assert_eq!(due[0]["due"], day(7));
    // A longer acknowledgement policy changes the due date.
    pm.ok(&["program", "clocks", "--cvd-ack-business-days", "30"]);
    let due = pm.json(&["report", "clocks", "--due", "--at", &day(25)]);
    assert_eq!(due.as_array().unwrap().len(), 1, "{due}");
    pm.ok(&["case", "acknowledge", &id, "--at", &day(2)]);
    let all = pm.json(&["report", "clocks", "--at", &day(25)]);
    assert_eq!(all[0]["clocks"][0]["status"], "met");
}

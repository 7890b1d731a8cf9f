//! Bad input, through the public API: each refused with an error that names
//! what was wrong.

use postmarket_risk::{
    assess, rubric, AssessInput, CellValue, Error, ExploitabilityLevel, ExploitabilityPolicy,
    HarmSeverity, RiskMatrix, Settings,
};
use time::macros::datetime;

fn approved_settings() -> Settings {
    Settings {
        policy: ExploitabilityPolicy::default(),
        matrix: RiskMatrix::fda_default()
            .approve("QA/RA", datetime!(2026-01-15 09:30 UTC))
            .unwrap()
            .matrix()
            .clone(),
        safety_mapping: Default::default(),
    }
}

fn input(json: &str) -> AssessInput {
    serde_json::from_str(json).unwrap()
}

#[test]
fn unknown_harm_level() {
    let err = "fatal".parse::<HarmSeverity>().unwrap_err();
    assert_eq!(
        err.to_string(),
        "unknown harm severity 'fatal' (expected one of: negligible, minor, serious, critical, catastrophic)"
    );
    // The same message comes through the JSON input.
    let err = serde_json::from_str::<AssessInput>(
        r#"{"exploitability": {}, "harm": "fatal", "rationale": "x"}"#,
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("unknown harm severity 'fatal'"),
        "{err}"
    );
}

#[test]
fn matrix_with_a_missing_cell() {
    let mut v: serde_json::Value =
        serde_json::from_str(&RiskMatrix::fda_default().to_json()).unwrap();
    v["cells"]["low"]
        .as_object_mut()
        .unwrap()
        .remove("catastrophic");
    let err = RiskMatrix::from_json(&v.to_string()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "risk matrix version 1 has no cell for exploitability 'low' × severity 'catastrophic'"
    );
}

#[test]
fn matrix_with_an_unknown_cell_value() {
    let mut v: serde_json::Value =
        serde_json::from_str(&RiskMatrix::fda_default().to_json()).unwrap();
    v["cells"]["medium"]["serious"] = "maybe".into();
    let err = RiskMatrix::from_json(&v.to_string()).unwrap_err();
    assert!(matches!(&err, Error::MatrixUnknownValue { value, .. } if value == "maybe"));
    assert!(
        err.to_string()
            .contains("'medium' × severity 'serious': unknown value 'maybe'"),
        "{err}"
    );
}

#[test]
fn unapproved_or_changed_matrix_used_for_a_decision() {
    let i = input(r#"{"exploitability": {}, "harm": "serious", "rationale": "x"}"#);
    // Never approved.
    let mut s = approved_settings();
    s.matrix = RiskMatrix::fda_default();
    let err = assess(&i, &s).unwrap_err();
    assert_eq!(
        err.to_string(),
        "risk matrix version 1 is not approved for use in decisions: it has no approval; have it approved (who, when) first"
    );
    // Approved, then changed without a new approval.
    let mut s = approved_settings();
    s.matrix = s.matrix.with_cell(
        ExploitabilityLevel::High,
        HarmSeverity::Serious,
        CellValue::Controlled,
    );
    let err = assess(&i, &s).unwrap_err();
    assert!(
        matches!(err, Error::UnapprovedMatrix { version: 2, .. }),
        "{err}"
    );
}

#[test]
fn r_cell_without_decision_or_rationale() {
    // medium × serious is R in the default matrix.
    let base = r#""exploitability": {"override": {"level": "medium", "rationale": "known, not exploited"}},
                  "harm": "serious", "rationale": "essential performance affected""#;
    let err = assess(&input(&format!("{{{base}}}")), &approved_settings()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "matrix cell exploitability 'medium' × severity 'serious' is R: the analyst must choose controlled or uncontrolled and give a rationale"
    );
    let err = assess(
        &input(&format!(
            r#"{{{base}, "analyst_decision": {{"risk": "controlled", "rationale": ""}}}}"#
        )),
        &approved_settings(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the analyst's decision on cell 'medium' × 'serious' requires a non-empty rationale"
    );
}

#[test]
fn override_without_rationale() {
    let err = assess(
        &input(
            r#"{"exploitability": {"override": {"level": "low", "rationale": "   "}},
                "harm": "critical", "rationale": "x"}"#,
        ),
        &approved_settings(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "an exploitability override requires a non-empty rationale"
    );
}

#[test]
fn unknown_rubric_question_or_answer() {
    let err = rubric::evaluate_json(r#"{"XAVN": "yes", "XFOO": "no"}"#).unwrap_err();
    assert!(matches!(&err, Error::UnknownQuestion { id, .. } if id == "XFOO"));
    assert!(
        err.to_string()
            .starts_with("unknown rubric question 'XFOO' (known ids: XAVN, XAVT"),
        "{err}"
    );
    let err = rubric::evaluate_json(r#"{"XAT": "severe"}"#).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid answer 'severe' to rubric question XAT (expected one of: high, low, none, unknown)"
    );
}

#[test]
fn other_malformed_inputs() {
    // Unknown exploitability level, via JSON.
    let err = serde_json::from_str::<AssessInput>(
        r#"{"exploitability": {"override": {"level": "extreme", "rationale": "r"}}, "harm": "minor", "rationale": "x"}"#,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("unknown exploitability level 'extreme'"),
        "{err}"
    );
    // A CVSS base score passed where the exploitability sub-score belongs.
    let err = assess(
        &input(r#"{"exploitability": {"signals": {"subscore": 9.8}}, "harm": "minor", "rationale": "x"}"#),
        &approved_settings(),
    )
    .unwrap_err();
    assert!(
        err.to_string().contains("was the base score given"),
        "{err}"
    );
    // Confidentiality-only with patient harm contradicts itself.
    let err = assess(
        &input(r#"{"exploitability": {}, "harm": "critical", "confidentiality_only": true, "rationale": "x"}"#),
        &approved_settings(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::ConflictingHarm { .. }), "{err}");
    // Empty decision rationale.
    let err = assess(
        &input(r#"{"exploitability": {}, "harm": "minor", "rationale": ""}"#),
        &approved_settings(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "a risk decision requires a non-empty rationale"
    );
}

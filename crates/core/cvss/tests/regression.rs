//! Regression values from the issue, each confirmed with the Red Hat `cvss` library
//! (`CVSS3(v).scores()` → (base, temporal, environmental)).

use postmarket_cvss::{score, Severity, Vector};

const V: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H";

#[test]
fn base_9_6() {
    let s = score(V).unwrap();
    assert_eq!(s.base, 9.6);
    assert_eq!(s.severity, Severity::Critical);
    assert_eq!(s.temporal, None);
    assert_eq!(s.environmental, None);
    assert_eq!(s.vector, V);
}

#[test]
fn environmental_9_7() {
    // Oracle: (9.6, 9.6, 9.7) for each of these.
    for env in [
        "/CR:H/IR:H/AR:H",
        "/CR:H",
        "/MPR:N",
        "/CR:H/IR:H/AR:H/E:H/RL:U/RC:C",
    ] {
        let s = score(&format!("{V}{env}")).unwrap();
        assert_eq!(s.base, 9.6, "{env}");
        assert_eq!(s.environmental, Some(9.7), "{env}");
    }
    // With no environmental metric the 3.1 modified-impact equation (×0.9731, ^13) still
    // gives 9.7: reported by scores_full() / environmental_score().
    let v: Vector = V.parse().unwrap();
    assert_eq!(v.scores_full().environmental, Some(9.7));
    assert_eq!(v.scores_full().temporal, Some(9.6));
    assert_eq!(v.as_v3().unwrap().environmental_score(), 9.7);
}

#[test]
fn other_environmental_settings() {
    // Oracle: MUI:N → 10.0, CR:L/IR:L/AR:L → 8.0, MS:U → 8.8, E:P/RL:O/RC:R → (8.3, 8.4).
    let env = |e: &str| score(&format!("{V}{e}")).unwrap();
    assert_eq!(env("/MUI:N").environmental, Some(10.0));
    assert_eq!(env("/CR:L/IR:L/AR:L").environmental, Some(8.0));
    assert_eq!(env("/MS:U").environmental, Some(8.8));
    let s = env("/E:P/RL:O/RC:R");
    assert_eq!((s.temporal, s.environmental), (Some(8.3), None));
    let v: Vector = format!("{V}/E:P/RL:O/RC:R").parse().unwrap();
    let s = v.scores_full();
    assert_eq!((s.temporal, s.environmental), (Some(8.3), Some(8.4)));
}

#[test]
fn exploitability_and_impact_subscores() {
    let v: Vector = V.parse().unwrap();
    let v3 = v.as_v3().unwrap();
    // 8.22 × 0.85 × 0.77 × 0.85 × 0.62 = 2.8352…
    assert!((v3.exploitability_subscore_raw() - 2.835_254_73).abs() < 1e-6);
    assert_eq!(v3.exploitability_subscore(), 2.8);
    assert_eq!(v.scores().exploitability, Some(2.8));
    assert_eq!(v.scores().impact, Some(6.0));
}

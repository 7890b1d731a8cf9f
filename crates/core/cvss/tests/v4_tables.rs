//! The checked-in CVSS 4.0 tables (src/v4_tables.rs) match the FIRST calculator data in the
//! corpus, entry by entry, through the public scoring API: every macro vector of
//! `cvss_lookup.json` is scored at its highest-severity vector, where the interpolation
//! distance is zero and the score must equal the table value.

mod common;

use common::{corpus, corpus_file, tenths};
use postmarket_cvss::CvssV4;
use serde_json::Value;

fn load(c: &std::path::Path, name: &str) -> Value {
    let p = corpus_file(
        c,
        &format!("06-cvss-test-vectors/first-cvss-v4-calculator/{name}"),
    );
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|s| s.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

#[test]
fn lookup_table_matches_first_data() {
    let Some(c) = corpus() else { return };
    let lookup = load(&c, "cvss_lookup.json");
    let composed = load(&c, "max_composed.json");
    let lookup = lookup.as_object().unwrap();
    assert_eq!(lookup.len(), 270);
    let mut checked = 0;
    let mut bad = Vec::new();
    for (mv, score) in lookup {
        let d: Vec<char> = mv.chars().collect();
        let eq = |i: usize| d[i].to_string();
        // A highest-severity vector of this macro vector: first of each max_composed list.
        let first = |v: &Value| strs(v).into_iter().next().unwrap();
        let eq3 = &composed["eq3"][eq(2)][eq(5)];
        let mut body = first(&composed["eq1"][eq(0)])
            + &first(&composed["eq2"][eq(1)])
            + &first(eq3)
            + &first(&composed["eq4"][eq(3)])
            + &first(&composed["eq5"][eq(4)]);
        body.pop();
        // max_composed uses SI:S/SA:S for EQ4 level 0 — only valid as MSI/MSA; and
        // CR/IR/AR and E are set explicitly. Move S values into the modified metrics.
        let mut parts: Vec<String> = body.split('/').map(str::to_string).collect();
        let mut extra = Vec::new();
        for p in parts.iter_mut() {
            if p == "SI:S" || p == "SA:S" {
                extra.push(format!("M{p}"));
                *p = format!("{}:H", &p[..2]);
            }
        }
        parts.extend(extra);
        let vector = format!("CVSS:4.0/{}", parts.join("/"));
        let v: CvssV4 = vector.parse().unwrap_or_else(|e| panic!("{vector}: {e}"));
        let want: String = mv.clone();
        let got: String = v.macro_vector().iter().map(|d| d.to_string()).collect();
        assert_eq!(got, want, "{vector}");
        checked += 1;
        let want_score = score.as_f64().unwrap();
        if tenths(v.score()) != tenths(want_score) {
            bad.push(format!(
                "{mv}: {vector} scored {} table {want_score}",
                v.score()
            ));
        }
    }
    eprintln!(
        "CVSS 4.0 lookup: {checked} macro vectors checked, {} disagreements",
        bad.len()
    );
    assert_eq!(checked, 270);
    assert!(bad.is_empty(), "{bad:#?}");
}

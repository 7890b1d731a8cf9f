//! The Red Hat `cvss` library's own test vectors (`06-cvss-test-vectors/redhat-cvss-tests`):
//! base, temporal and environmental scores for 2.0, 3.0 and 3.1; the score for 4.0.

mod common;

use common::{corpus, corpus_file, num, tenths};
use postmarket_cvss::Vector;
use std::path::Path;

/// Parse `VECTOR - (a, b, c)` / `VECTOR - (a,)` / `VECTOR - a` lines.
fn lines(path: &Path) -> Vec<(String, Vec<Option<f64>>)> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let (vec, scores) = l
                .split_once(" - ")
                .unwrap_or_else(|| panic!("bad line {l:?} in {}", path.display()));
            let scores = scores.trim().trim_start_matches('(').trim_end_matches(')');
            let scores = scores
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(num)
                .collect();
            (vec.trim().to_string(), scores)
        })
        .collect()
}

fn check_file(corpus: &Path, name: &str) -> usize {
    let path = corpus_file(
        corpus,
        &format!("06-cvss-test-vectors/redhat-cvss-tests/{name}"),
    );
    let cases = lines(&path);
    let mut bad = Vec::new();
    let mut checked_scores = 0;
    for (vec, want) in &cases {
        let v: Vector = match vec.parse() {
            Ok(v) => v,
            Err(e) => {
                bad.push(format!("{vec}: {e}"));
                continue;
            }
        };
        let got: Vec<Option<f64>> = match &v {
            Vector::V2(x) => vec![
                Some(x.base_score()),
                x.has_temporal().then(|| x.temporal_score()),
                x.has_environmental().then(|| x.environmental_score()),
            ],
            Vector::V3(x) => vec![
                Some(x.base_score()),
                Some(x.temporal_score()),
                Some(x.environmental_score()),
            ],
            Vector::V4(x) => vec![Some(x.score())],
        };
        assert_eq!(want.len(), got.len(), "{vec}: expected {want:?}");
        for (g, w) in got.iter().zip(want) {
            checked_scores += 1;
            if g.map(tenths) != w.map(tenths) {
                bad.push(format!("{vec}: got {got:?} want {want:?}"));
                break;
            }
        }
    }
    eprintln!(
        "Red Hat {name}: {} vectors, {checked_scores} scores checked, {} disagreements",
        cases.len(),
        bad.len()
    );
    assert!(!cases.is_empty());
    assert!(bad.is_empty(), "{name}: {bad:#?}");
    cases.len()
}

#[test]
fn redhat_v2() {
    let Some(c) = corpus() else { return };
    let n: usize = ["vectors_simple2", "vectors_calculator2", "vectors_cvsslib2"]
        .iter()
        .map(|f| check_file(&c, f))
        .sum();
    assert_eq!(n, 729 + 5 + 24);
}

#[test]
fn redhat_v3() {
    let Some(c) = corpus() else { return };
    let n: usize = [
        "vectors_simple3",
        "vectors_simple31",
        "vectors_calculator3",
        "vectors_cvsslib3",
    ]
    .iter()
    .map(|f| check_file(&c, f))
    .sum();
    assert_eq!(n, 2592 + 2592 + 2 + 29);
}

#[test]
fn redhat_v4() {
    let Some(c) = corpus() else { return };
    let n: usize = [
        "vectors_simple4",
        "vectors_supplemental4",
        "vectors_security4",
        "vectors_threat4",
    ]
    .iter()
    .map(|f| check_file(&c, f))
    .sum();
    assert_eq!(n, 1058 + 576 + 54 + 6);
}

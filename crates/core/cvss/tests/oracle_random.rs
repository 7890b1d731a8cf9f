//! Agreement with the Red Hat `cvss` library on oracle-scored vectors.
//!
//! Run through `oracle/cvss_random_check.sh`, which writes the oracle file and sets
//! `POSTMARKET_CVSS_ORACLE`. Without that variable the test is skipped (with a message).

use postmarket_cvss::{Vector, Version};
use serde_json::Value;
use std::collections::BTreeMap;

fn tenths(v: &Value) -> Option<i64> {
    v.as_f64().map(|x| (x * 10.0).round() as i64)
}

#[test]
fn agrees_with_redhat_cvss_library() {
    let Some(path) = std::env::var_os("POSTMARKET_CVSS_ORACLE") else {
        eprintln!(
            "skipped: POSTMARKET_CVSS_ORACLE not set (run oracle/cvss_random_check.sh to generate it)"
        );
        return;
    };
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read oracle file {path:?}: {e}"));
    let rows: Vec<Value> = serde_json::from_str(&text).expect("oracle file is not JSON");
    assert!(!rows.is_empty(), "oracle file {path:?} has no rows");

    // (source, version) -> (rows, scores compared, rows in agreement)
    let mut stats: BTreeMap<(String, String), (u64, u64, u64)> = BTreeMap::new();
    let mut bad = Vec::new();
    for row in &rows {
        let vector = row["vector"].as_str().expect("vector");
        let version = row["version"].as_str().expect("version");
        let source = row["source"].as_str().unwrap_or("?");
        let st = stats
            .entry((source.to_string(), version.to_string()))
            .or_default();
        st.0 += 1;
        let v: Vector = match vector.parse() {
            Ok(v) => v,
            Err(e) => {
                bad.push(format!("{vector}: refused: {e}"));
                continue;
            }
        };
        assert_eq!(v.version().as_str(), version, "{vector}");
        let (base, temporal, environmental, severity) = match &v {
            Vector::V2(x) => {
                let s = x.scores();
                (s.base, s.temporal, s.environmental, None)
            }
            Vector::V3(x) => (
                x.base_score(),
                Some(x.temporal_score()),
                Some(x.environmental_score()),
                Some(x.severity()),
            ),
            Vector::V4(x) => (x.score(), None, None, Some(x.severity())),
        };
        let mut mine = vec![("base", Some(base))];
        if v.version() != Version::V4_0 {
            mine.push(("temporal", temporal));
            mine.push(("environmental", environmental));
        }
        let mut ok = true;
        for (key, got) in mine {
            st.1 += 1;
            let want = tenths(&row[key]);
            if got.map(|g| (g * 10.0).round() as i64) != want {
                ok = false;
                bad.push(format!("{vector}: {key} {got:?} oracle {}", row[key]));
            }
        }
        if let Some(sev) = severity {
            st.1 += 1;
            if !row["severity"]
                .as_str()
                .is_some_and(|w| w.eq_ignore_ascii_case(sev.as_str()))
            {
                ok = false;
                bad.push(format!(
                    "{vector}: severity {sev} oracle {}",
                    row["severity"]
                ));
            }
        }
        if ok {
            st.2 += 1;
        }
    }
    for ((source, version), (n, scores, agree)) in &stats {
        eprintln!(
            "oracle {source:>12} CVSS {version}: {agree}/{n} vectors agree ({scores} scores compared)"
        );
    }
    assert!(
        bad.is_empty(),
        "{} disagreements with the oracle, first: {:#?}",
        bad.len(),
        &bad[..bad.len().min(30)]
    );
}

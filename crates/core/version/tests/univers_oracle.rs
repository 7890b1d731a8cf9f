//! Cross-check against `univers` (Python): run `oracle/univers_check.sh`, or
//! generate a TSV with `oracle/univers_check.py --out FILE` and run this test
//! with `POSTMARKET_UNIVERS_PAIRS=FILE`. Skips (with a notice) when unset.
//!
//! Rows where univers itself raised an error are counted and skipped. Every
//! disagreement must fall into one of the documented classes in
//! [`classify`]; any other disagreement fails the test.
use postmarket_version::vers::VersRange;
use postmarket_version::{Scheme, Version};
use std::collections::BTreeMap;

fn scheme(name: &str) -> Scheme {
    Scheme::from_purl_type(name).unwrap_or_else(|| panic!("unknown scheme {name}"))
}

/// Known univers limitations (each an allowed disagreement class). The
/// arguments are the row's kind, scheme, `a` (version or vers range) and `b`.
fn classify(kind: &str, s: &str, a: &str, b: &str) -> Option<&'static str> {
    // the versions involved in the row
    let mut vs: Vec<&str> = vec![b];
    if kind == "cmp" {
        vs.push(a);
    } else if let Some((_, cons)) = a.split_once('/') {
        vs.extend(
            cons.split('|')
                .map(|c| c.trim_start_matches(['<', '>', '=', '!'])),
        );
    }
    let v_prefixed = |v: &&str| {
        let x = v.as_bytes();
        x.len() > 1 && (x[0] == b'v' || x[0] == b'V') && x[1].is_ascii_digit()
    };
    match s {
        // Maven's ComparableVersion reads a leading `v` as a qualifier (so
        // `v3.4.0` sorts below every number); univers strips it first.
        "maven" if vs.iter().any(v_prefixed) => {
            Some("maven: univers strips a leading 'v'; Maven treats it as a qualifier")
        }
        // Maven (>= 3.9, and the OSV vectors) treats `RELEASE` as an alias of
        // the release ("" / ga / final); univers 32 treats it as an unknown
        // qualifier that sorts after the release.
        "maven"
            if vs
                .iter()
                .any(|v| v.to_ascii_lowercase().contains("release")) =>
        {
            Some("maven: univers does not alias RELEASE to the release")
        }
        // RPM: a version without release vs one with an (empty) release.
        // The OSV vectors (redhat-versions.txt: `1 < 1-`, `1 < 1-0`) order
        // "no release" first; univers compares them as equal.
        "rpm"
            if vs.iter().any(|v| v.ends_with('-'))
                || (kind == "cmp" && a.contains('-') != b.contains('-')) =>
        {
            Some("rpm: missing vs empty release (OSV vectors: 1 < 1-; univers: equal)")
        }
        _ => None,
    }
}

#[test]
fn univers_agreement() {
    let Ok(path) = std::env::var("POSTMARKET_UNIVERS_PAIRS") else {
        eprintln!("skipped: POSTMARKET_UNIVERS_PAIRS not set (run oracle/univers_check.sh)");
        return;
    };
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    // (scheme, kind) -> (agree, disagree-allowed, oracle-error, unexplained)
    let mut t: BTreeMap<(String, String), [usize; 4]> = BTreeMap::new();
    let mut classes: BTreeMap<&str, usize> = BTreeMap::new();
    let mut unexplained = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let f: Vec<&str> = line.split('\t').collect();
        assert_eq!(f.len(), 5, "bad row {line:?}");
        let (kind, s, a, b, want) = (f[0], f[1], f[2], f[3], f[4]);
        let e = t.entry((s.to_string(), kind.to_string())).or_insert([0; 4]);
        if want == "ERR" {
            e[2] += 1;
            continue;
        }
        let got = if kind == "cmp" {
            let sc = scheme(s);
            match Version::new(sc, a).compare(&Version::new(sc, b)) {
                std::cmp::Ordering::Less => "-1",
                std::cmp::Ordering::Equal => "0",
                std::cmp::Ordering::Greater => "1",
            }
            .to_string()
        } else {
            let r = VersRange::parse_lenient(a).unwrap_or_else(|e| panic!("{a}: {e}"));
            r.contains(b)
                .unwrap_or_else(|e| panic!("{a}: {e}"))
                .to_string()
        };
        if got == want {
            e[0] += 1;
        } else if let Some(c) = classify(kind, s, a, b) {
            e[1] += 1;
            *classes.entry(c).or_default() += 1;
        } else {
            e[3] += 1;
            unexplained.push(format!("{kind} {s}: {a} | {b}: univers {want}, ours {got}"));
        }
    }
    eprintln!(
        "{:<7} {:<9} {:>7} {:>9} {:>10} {:>12} {:>9}",
        "scheme", "kind", "agree", "allowed", "univ-ERR", "unexplained", "agree%"
    );
    for ((s, k), [ag, al, er, un]) in &t {
        let denom = ag + al + un;
        let pct = if denom == 0 {
            100.0
        } else {
            100.0 * *ag as f64 / denom as f64
        };
        eprintln!("{s:<7} {k:<9} {ag:>7} {al:>9} {er:>10} {un:>12} {pct:>8.2}%");
    }
    for (c, n) in &classes {
        eprintln!("allowed class ({n}): {c}");
    }
    for u in unexplained.iter().take(60) {
        eprintln!("UNEXPLAINED {u}");
    }
    let compared: usize = t.values().map(|x| x[0] + x[1] + x[3]).sum();
    assert!(compared > 1000, "too few rows compared: {compared}");
    assert!(
        unexplained.is_empty(),
        "{} unexplained disagreements with univers",
        unexplained.len()
    );
}

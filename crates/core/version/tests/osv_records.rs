//! Real OSV records from the corpus: every `affected` entry deserialises and
//! evaluates without panicking, and the bounds behave as the OSV spec says:
//! a non-zero `introduced` version is affected (unless the same version is
//! also a `fixed` event or capped by `limit`), a `fixed` version is not
//! affected by its own range unless re-introduced at that version.
mod common;

use postmarket_version::osv::{Event, OsvAffected, OsvRange, RangeType};
use postmarket_version::{Scheme, Verdict};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
}

#[test]
fn real_osv_records_evaluate_consistently() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let mut files = Vec::new();
    walk(&corpus.join("04-osv"), &mut files);
    files.sort();
    let mut per_eco: BTreeMap<String, (usize, usize)> = BTreeMap::new(); // (bound checks, ranges)
    let mut problems = Vec::new();
    let mut git = 0;
    let mut unsupported = BTreeMap::<String, usize>::new();
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        let Ok(doc) = serde_json::from_str::<Value>(&text) else {
            continue;
        };
        let Some(aff) = doc.get("affected").and_then(|a| a.as_array()) else {
            continue;
        };
        for a in aff {
            let a: OsvAffected = serde_json::from_value(a.clone()).unwrap_or_else(|e| {
                panic!("{}: affected entry does not deserialise: {e}", f.display())
            });
            let eco = a.package.ecosystem.clone();
            let Some(scheme) = Scheme::from_ecosystem(&eco) else {
                *unsupported.entry(eco).or_default() += 1;
                continue;
            };
            let m = a.matcher_with_scheme(scheme);
            for v in &a.versions {
                if !m.contains(v) {
                    problems.push(format!("{}: listed version {v} not affected", f.display()));
                }
            }
            for r in &a.ranges {
                if r.kind == RangeType::Git {
                    git += 1;
                    assert_ne!(r.explain(scheme, "1.0").verdict, Verdict::Affected);
                    continue;
                }
                let tally = per_eco
                    .entry(eco.split(':').next().unwrap_or("").to_string())
                    .or_default();
                tally.1 += 1;
                check_range(f, r, scheme, &mut problems, tally);
            }
        }
    }
    eprintln!("{:<12} {:>8} {:>12}", "ecosystem", "ranges", "bound checks");
    for (k, (c, r)) in &per_eco {
        eprintln!("{k:<12} {r:>8} {c:>12}");
    }
    eprintln!("GIT ranges reported unsupported: {git}; ecosystems without scheme: {unsupported:?}");
    for p in problems.iter().take(30) {
        eprintln!("PROBLEM {p}");
    }
    assert!(
        per_eco.values().map(|x| x.1).sum::<usize>() > 1000,
        "too few ranges evaluated"
    );
    assert!(
        problems.is_empty(),
        "{} inconsistent bound evaluations",
        problems.len()
    );
}

fn check_range(
    f: &Path,
    r: &OsvRange,
    scheme: Scheme,
    problems: &mut Vec<String>,
    tally: &mut (usize, usize),
) {
    let s = if r.kind == RangeType::Semver {
        Scheme::Semver
    } else {
        scheme
    };
    let eqv = |a: &str, b: &str| s.compare(a, b).is_eq();
    let has_limit = r.events.iter().any(|e| matches!(e, Event::Limit(_)));
    for e in &r.events {
        match e {
            Event::Introduced(v) if v != "0" => {
                let also_fixed = r
                    .events
                    .iter()
                    .any(|x| matches!(x, Event::Fixed(fv) if eqv(fv, v)));
                if !also_fixed && !has_limit {
                    tally.0 += 1;
                    if !r.contains(scheme, v) {
                        problems.push(format!(
                            "{}: introduced {v} not affected ({})",
                            f.display(),
                            r.explain(scheme, v)
                        ));
                    }
                }
            }
            Event::Fixed(v) => {
                let reintro = r
                    .events
                    .iter()
                    .any(|x| matches!(x, Event::Introduced(iv) if eqv(iv, v)));
                if !reintro {
                    tally.0 += 1;
                    if r.contains(scheme, v) {
                        problems.push(format!(
                            "{}: fixed {v} still affected ({})",
                            f.display(),
                            r.explain(scheme, v)
                        ));
                    }
                }
            }
            Event::LastAffected(v) => {
                tally.0 += 1;
                if !r.contains(scheme, v) {
                    problems.push(format!("{}: last_affected {v} not affected", f.display()));
                }
            }
            _ => {}
        }
    }
}

//! The purl vers-spec test suite (`08-purl-vers/vers-spec/tests/*.json`).
mod common;

use postmarket_version::vers::{Comparator, VersRange};
use postmarket_version::{Scheme, Version};
use serde_json::Value;
use std::collections::BTreeMap;

#[derive(Default)]
struct Tally {
    pass: usize,
    fail: Vec<String>,
    unsupported: usize,
}

fn sign(c: Comparator) -> &'static str {
    c.sign()
}

fn run_case(t: &Value) -> Result<bool, String> {
    // Ok(true) = pass, Ok(false) = unsupported, Err = failure
    let ty = t["test_type"].as_str().unwrap_or("");
    let fail_expected = t["expected_failure"].as_bool().unwrap_or(false);
    match ty {
        "parse" => {
            let input = t["input"].as_str().ok_or("parse input not a string")?;
            match (VersRange::parse(input), fail_expected) {
                (Ok(r), false) => {
                    let want = &t["expected_output"];
                    if want["scheme"].as_str() != Some(r.scheme_name()) {
                        return Err(format!(
                            "{input}: scheme {} != {}",
                            r.scheme_name(),
                            want["scheme"]
                        ));
                    }
                    let got: Vec<Value> = r
                        .constraints()
                        .iter()
                        .map(|c| {
                            Value::Array(vec![sign(c.comparator).into(), c.version.clone().into()])
                        })
                        .collect();
                    if Value::Array(got.clone()) != want["version_constraints"] {
                        return Err(format!(
                            "{input}: constraints {got:?} != {}",
                            want["version_constraints"]
                        ));
                    }
                    Ok(true)
                }
                (Err(e), true) => {
                    let msg = t["expected_message"].as_str().unwrap_or("");
                    if e.to_string() != msg {
                        return Err(format!(
                            "{input}: message {:?} != expected {msg:?}",
                            e.to_string()
                        ));
                    }
                    Ok(true)
                }
                (Ok(r), true) => Err(format!("{input}: parsed as {r} but failure expected")),
                (Err(e), false) => Err(format!("{input}: unexpected error {e}")),
            }
        }
        "validate" => {
            let input = t["input"].as_str().ok_or("validate input not a string")?;
            let r = VersRange::parse_lenient(input).map_err(|e| format!("{input}: {e}"))?;
            if r.scheme().is_none() {
                return Ok(false);
            }
            let want = t["expected_output"].as_str().unwrap_or("");
            if r.to_string() != want {
                return Err(format!("{input}: canonical {r} != {want}"));
            }
            Ok(true)
        }
        "containment" => {
            let vers = t["input"]["vers"].as_str().ok_or("containment vers")?;
            let ver = t["input"]["version"]
                .as_str()
                .ok_or("containment version")?;
            let r = VersRange::parse_lenient(vers).map_err(|e| format!("{vers}: {e}"))?;
            if r.scheme().is_none() && !r.is_star() {
                return Ok(false);
            }
            let got = r.contains(ver).map_err(|e| e.to_string())?;
            let want = t["expected_output"].as_bool().unwrap_or(!got);
            if got != want {
                return Err(format!(
                    "{vers} contains {ver}: got {got}, want {want} ({})",
                    r.explain(ver)
                ));
            }
            Ok(true)
        }
        "comparison" | "equality" => {
            let scheme_name = t["input"]["input_scheme"].as_str().unwrap_or("");
            let Some(scheme) = Scheme::from_purl_type(scheme_name) else {
                return Ok(false);
            };
            let vs: Vec<&str> = t["input"]["versions"]
                .as_array()
                .ok_or("versions")?
                .iter()
                .filter_map(|v| v.as_str())
                .collect();
            if ty == "equality" {
                let got = Version::new(scheme, vs[0])
                    .compare(&Version::new(scheme, vs[1]))
                    .is_eq();
                let want = t["expected_output"].as_bool().unwrap_or(!got);
                if got != want {
                    return Err(format!("{scheme_name}: {} == {}: got {got}", vs[0], vs[1]));
                }
            } else {
                // the ecosystem's pairwise answer (`Version::compare`): these
                // cases are pairs, so the sort only needs one comparison
                let mut sorted: Vec<Version> = vs.iter().map(|v| Version::new(scheme, v)).collect();
                sorted.sort_by(|a, b| a.compare(b));
                let got: Vec<&str> = sorted.iter().map(|v| v.as_str()).collect();
                let want: Vec<&str> = t["expected_output"]
                    .as_array()
                    .ok_or("expected_output")?
                    .iter()
                    .filter_map(|v| v.as_str())
                    .collect();
                // NuGet's expected outputs are normalised (release labels
                // lower-cased), so compare text case-insensitively.
                let same = got.len() == want.len()
                    && got.iter().zip(want.iter()).all(|(g, w)| {
                        if scheme == Scheme::NuGet {
                            g.eq_ignore_ascii_case(w)
                        } else {
                            g == w
                        }
                    });
                if !same {
                    return Err(format!("{scheme_name}: sorted {got:?} != {want:?}"));
                }
            }
            Ok(true)
        }
        // native range syntax conversion is not part of this crate
        _ => Ok(false),
    }
}

#[test]
fn vers_spec_suite() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let dir = corpus.join("08-purl-vers/vers-spec/tests");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("vers-spec tests dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    for f in &files {
        let doc: Value =
            serde_json::from_str(&std::fs::read_to_string(f).expect("read")).expect("json");
        let name = f
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        let tl = tallies.entry(name.clone()).or_default();
        for t in doc["tests"].as_array().expect("tests array") {
            match run_case(t) {
                Ok(true) => tl.pass += 1,
                Ok(false) => tl.unsupported += 1,
                Err(e) => tl
                    .fail
                    .push(format!("[{}] {e}", t["test_group"].as_str().unwrap_or(""))),
            }
        }
    }
    eprintln!(
        "{:<42} {:>6} {:>6} {:>12}",
        "file", "pass", "fail", "unsupported"
    );
    let (mut p, mut fl) = (0, 0);
    for (k, t) in &tallies {
        eprintln!(
            "{:<42} {:>6} {:>6} {:>12}",
            k,
            t.pass,
            t.fail.len(),
            t.unsupported
        );
        for f in t.fail.iter().take(15) {
            eprintln!("    FAIL {f}");
        }
        p += t.pass;
        fl += t.fail.len();
    }
    eprintln!("total: {p} passed, {fl} failed");
    assert!(p >= 1700, "too few vers-spec cases ran: {p}");
    assert_eq!(fl, 0, "vers-spec failures");
}

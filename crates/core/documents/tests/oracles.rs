//! Every CSAF document the writers produce passes the BSI csaf-validator-lib (strict schema and
//! all mandatory tests, §6.1); every CycloneDX VEX passes the CycloneDX 1.6 JSON schema
//! (cyclonedx-python-lib, strict); every OpenVEX document passes vexipy's models (an independent
//! OpenVEX implementation; there is no official OpenVEX schema package). A broken document of
//! each kind must fail, so the validators are known to be looking.

use postmarket_documents::*;

use crate::common::*;

/// The publications the validators see, by name.
fn publications() -> Vec<(&'static str, Publication)> {
    let mut draft = sample();
    draft.document.status = DocumentStatus::Draft;
    let mut interim = sample();
    interim.document.status = DocumentStatus::Interim;
    interim
        .document
        .revisions
        .push(rev("2026-04-02T08:00:00+02:00", "Monitor 1.1 assessed."));
    vec![
        ("sample", sample()),
        ("draft", draft),
        ("interim", interim),
        ("minimal", minimal()),
        ("every-justification", every_justification()),
    ]
}

#[test]
fn every_csaf_document_passes_the_bsi_validator() {
    let Some(oracles) = oracles("every_csaf_document_passes_the_bsi_validator") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut docs = Vec::new();
    for (name, p) in publications() {
        for profile in [CsafProfile::SecurityAdvisory, CsafProfile::Vex] {
            let w = write_csaf(&p, profile).unwrap_or_else(|e| panic!("{name}: {e}"));
            docs.push((format!("{name}-{}", profile.category()), w.document));
        }
    }
    // The control: a product status naming a product the tree does not define (test 6.1.1).
    let mut broken = docs[1].1.clone();
    broken["vulnerabilities"][0]["product_status"]["known_affected"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!("no-such-product"));
    docs.push(("control-undefined-product".into(), broken));

    let files = write_all(dir.path(), &docs);
    let results = oracles.csaf(&files);
    let mut failures = Vec::new();
    for ((name, _), r) in docs.iter().zip(&results) {
        let valid = r["isValid"].as_bool().unwrap_or(false);
        let should = !name.starts_with("control-");
        if valid != should {
            failures.push(format!("{name}: isValid={valid}, errors: {}", r["errors"]));
        }
        if name.starts_with("control-") {
            // It fails for the reason planted, not another.
            let errors = r["errors"].to_string();
            assert!(
                errors.contains("6_1_1") || errors.contains("no-such-product"),
                "{name}: {errors}"
            );
        } else if r["warnings"].as_array().is_some_and(|w| !w.is_empty()) {
            failures.push(format!("{name}: warnings {}", r["warnings"]));
        }
    }
    eprintln!(
        "csaf-validator-lib checked {} documents ({} valid by design, 1 control)",
        docs.len(),
        docs.len() - 1
    );
    assert!(
        failures.is_empty(),
        "csaf-validator-lib disagrees:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_cyclonedx_vex_passes_the_1_6_schema() {
    let Some(oracles) = oracles("every_cyclonedx_vex_passes_the_1_6_schema") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut docs = Vec::new();
    for (name, p) in publications() {
        let w = write_cyclonedx(&p).unwrap_or_else(|e| panic!("{name}: {e}"));
        docs.push((format!("{name}-cyclonedx"), w.document));
    }
    let mut broken = docs[0].1.clone();
    broken["vulnerabilities"][0]["analysis"]["state"] = serde_json::json!("affected");
    docs.push(("control-bad-state".into(), broken));

    let files = write_all(dir.path(), &docs);
    let results = oracles.cyclonedx(&files);
    let mut failures = Vec::new();
    for ((name, _), r) in docs.iter().zip(&results) {
        let valid = r["valid"].as_bool().unwrap_or(false);
        assert_eq!(r["spec"], "1.6", "{name}: {r}");
        if name.starts_with("control-") {
            assert!(
                r["errors"].to_string().contains("analysis/state"),
                "{name}: {r}"
            );
        }
        if valid == name.starts_with("control-") {
            failures.push(format!("{name}: valid={valid}, errors: {}", r["errors"]));
        }
    }
    eprintln!("cyclonedx-python-lib checked {} documents", docs.len());
    assert!(
        failures.is_empty(),
        "the CycloneDX 1.6 schema disagrees:\n{}",
        failures.join("\n")
    );
}

#[test]
fn every_openvex_document_passes_vexipy() {
    let Ok(python) = std::env::var("VEXIPY_PY") else {
        eprintln!(
            "every_openvex_document_passes_vexipy: skipped: set VEXIPY_PY with \
             eval \"$(bash crates/core/documents/oracle/vexipy_setup.sh)\" (.ci/run does)"
        );
        return;
    };
    let script =
        postmarket_testing::workspace_root().join("crates/core/documents/oracle/openvex_check.py");
    let dir = tempfile::tempdir().unwrap();
    let mut docs = Vec::new();
    for (name, p) in publications() {
        docs.push((
            format!("{name}-openvex"),
            write_openvex(&p).unwrap().document,
        ));
    }
    let mut broken = docs[0].1.clone();
    broken["statements"][0]["status"] = serde_json::json!("patched");
    docs.push(("control-bad-status".into(), broken));
    let files = write_all(dir.path(), &docs);
    let out = std::process::Command::new(&python)
        .arg(&script)
        .args(&files)
        .output()
        .unwrap_or_else(|e| panic!("cannot run VEXIPY_PY={python}: {e}"));
    let results = json_lines(&out.stdout);
    assert_eq!(
        results.len(),
        files.len(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut failures = Vec::new();
    for ((name, doc), r) in docs.iter().zip(&results) {
        let valid = r["valid"].as_bool().unwrap_or(false);
        if valid == name.starts_with("control-") {
            failures.push(format!("{name}: valid={valid}, error: {}", r["error"]));
        }
        if valid {
            assert_eq!(
                r["statements"].as_u64().unwrap() as usize,
                doc["statements"].as_array().unwrap().len()
            );
            assert_eq!(r["warnings"], serde_json::json!([]), "{name}");
        }
    }
    eprintln!("vexipy checked {} documents", docs.len());
    assert!(
        failures.is_empty(),
        "vexipy disagrees:\n{}",
        failures.join("\n")
    );
}

//! Every SBOM in the corpus parses; exports round-trip.
mod common;

use postmarket_sbom::{parse, ParseOptions};

#[test]
fn every_corpus_sbom_parses() {
    let Some(root) = common::corpus() else { return };
    let files = common::corpus_sboms(&root);
    assert!(
        files.len() > 100,
        "expected the SBOM corpus, found {} files",
        files.len()
    );
    let mut failures = Vec::new();
    for (rel, path) in &files {
        let bytes = std::fs::read(path).unwrap();
        match parse(&bytes, &ParseOptions::default()) {
            Ok(p) => {
                eprintln!(
                    "{rel}\t{}\t{}\tcomponents={}\tedges={}\tdiagnostics={}",
                    p.sbom.format,
                    p.sbom.metadata.spec_version,
                    p.sbom.components.len(),
                    p.sbom.dependencies.len(),
                    p.diagnostics.len()
                );
                for d in &p.diagnostics {
                    eprintln!(
                        "    {} {:?} {} {}",
                        d.code, d.severity, d.location, d.message
                    );
                }
            }
            Err(e) => failures.push(format!("{rel}: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "files that failed to parse:\n{}",
        failures.join("\n")
    );
}

#[test]
fn medical_device_sboms_support_fields_and_quality() {
    use postmarket_sbom::{quality_report, SupportLevel};
    let Some(root) = common::corpus() else { return };
    let f = root.join("05-sboms/medical-device-sbom-completeness/extended.sbom.json");
    let p = parse(&std::fs::read(f).unwrap(), &ParseOptions::default()).unwrap();
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let s = &p.sbom;
    assert_eq!(s.components.len(), 65);
    assert_eq!(
        s.metadata.device.as_ref().map(|d| d.name.as_str()),
        Some("REDACTED")
    );
    let count = |l: SupportLevel| {
        s.components
            .iter()
            .filter(|c| c.support_level == Some(l))
            .count()
    };
    // "Level of Support": Actively maintained 55, Deprecated 2, Inactive 7, Unknown 1
    assert_eq!(count(SupportLevel::Maintained), 55);
    assert_eq!(count(SupportLevel::NoLongerMaintained), 2);
    assert_eq!(count(SupportLevel::Abandoned), 7);
    // "End-of-Support" holds free text ("Open source", "Unknown", …), never a date
    assert!(s
        .components
        .iter()
        .all(|c| c.end_of_support.is_none() && c.end_of_support_raw.is_some()));
    let q = quality_report(s);
    eprintln!("{}", serde_json::to_string_pretty(&q).unwrap());
    assert_eq!(q.component_count, 65);
    assert_eq!(q.support_level.count, 64);
    assert_eq!(q.end_of_support.count, 0);
    assert_eq!(q.unique_identifier.count, 65);
    assert_eq!(
        q.dependency_relationship.count, 0,
        "its dependencies entries have no dependsOn"
    );
    assert!(q.author && q.timestamp);
}

#[test]
fn cli_json_shape() {
    let bytes = include_bytes!("fixtures/valid-cdx-1.6.json");
    let p = parse(bytes, &ParseOptions::default()).unwrap();
    let out = postmarket_sbom::ParseOutput::new(&p);
    let text = serde_json::to_string(&out).unwrap();
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    // exact key sets, in the documented order in the serialized text
    let order = |keys: &[&str], obj: &serde_json::Value, text: &str| {
        let mut got: Vec<&str> = obj
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        let mut want = keys.to_vec();
        got.sort();
        want.sort();
        assert_eq!(got, want);
        let pos: Vec<usize> = keys
            .iter()
            .map(|k| text.find(&format!("\"{k}\":")).unwrap())
            .collect();
        assert!(
            pos.windows(2).all(|w| w[0] < w[1]),
            "key order {keys:?} in {}",
            &text[..200.min(text.len())]
        );
    };
    order(
        &[
            "format",
            "spec_version",
            "components",
            "dependencies",
            "diagnostics",
            "quality",
        ],
        &v,
        &text,
    );
    let first = serde_json::to_string(&out.components[0]).unwrap();
    order(
        &[
            "bom_ref",
            "name",
            "version",
            "purl",
            "cpe",
            "supplier",
            "hashes",
            "licenses",
            "support_level",
            "end_of_support",
        ],
        &v["components"][0],
        &first,
    );
    assert!(text.starts_with("{\"format\":"));
    assert_eq!(v["format"], "cyclonedx-json");
    assert_eq!(v["components"][0]["support_level"], "maintained");
    assert_eq!(v["components"][0]["end_of_support"], "2026-12-31");
    assert_eq!(v["dependencies"][0], serde_json::json!(["device", "os"]));
    assert_eq!(v["quality"]["component_count"], 4);
}

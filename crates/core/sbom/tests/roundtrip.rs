//! parse(export(x)) keeps every component and edge, for every corpus SBOM and both writers.
mod common;

use postmarket_sbom::write::spdx_ids;
use postmarket_sbom::{parse, to_cyclonedx_json, to_spdx_json, Component, ParseOptions, Sbom};

type Key = (
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn key(c: &Component, r: String) -> Key {
    (
        r,
        c.name.clone(),
        c.version.clone(),
        c.purl.clone(),
        c.support_level.map(|l| l.as_str().to_string()),
        c.end_of_support.clone(),
        c.supplier.clone(),
    )
}

fn check(rel: &str, x: &Sbom) {
    // CycloneDX 1.6
    let cdx = serde_json::to_vec(&to_cyclonedx_json(x)).unwrap();
    let y = parse(&cdx, &ParseOptions::default())
        .unwrap_or_else(|e| panic!("{rel}: CycloneDX export does not parse: {e}"))
        .sbom;
    assert_eq!(y.metadata.spec_version, "1.6");
    let want: Vec<Key> = x
        .components
        .iter()
        .map(|c| key(c, c.bom_ref.clone()))
        .collect();
    let got: Vec<Key> = y
        .components
        .iter()
        .map(|c| key(c, c.bom_ref.clone()))
        .collect();
    assert_eq!(got, want, "{rel}: CycloneDX round trip changed components");
    assert_eq!(
        y.dependencies, x.dependencies,
        "{rel}: CycloneDX round trip changed edges"
    );
    assert_eq!(
        y.metadata.device.as_ref().map(|d| &d.name),
        x.metadata.device.as_ref().map(|d| &d.name),
        "{rel}: device"
    );
    // SPDX 2.3
    let ids = spdx_ids(x);
    let spdx = serde_json::to_vec(&to_spdx_json(x)).unwrap();
    let z = parse(&spdx, &ParseOptions::default())
        .unwrap_or_else(|e| panic!("{rel}: SPDX export does not parse: {e}"))
        .sbom;
    assert_eq!(z.metadata.spec_version, "2.3");
    let want: Vec<Key> = x
        .components
        .iter()
        .map(|c| key(c, ids[&c.bom_ref].clone()))
        .collect();
    let got: Vec<Key> = z
        .components
        .iter()
        .map(|c| key(c, c.bom_ref.clone()))
        .collect();
    assert_eq!(got, want, "{rel}: SPDX round trip changed components");
    let want_edges: Vec<(String, String)> = x
        .dependencies
        .iter()
        .map(|(a, b)| (ids[a].clone(), ids[b].clone()))
        .collect();
    assert_eq!(
        z.dependencies, want_edges,
        "{rel}: SPDX round trip changed edges"
    );
    assert_eq!(
        z.metadata.device.as_ref().map(|d| &d.name),
        x.metadata.device.as_ref().map(|d| &d.name),
        "{rel}: device"
    );
}

#[test]
fn exports_round_trip_on_corpus() {
    let Some(root) = common::corpus() else { return };
    let files = common::corpus_sboms(&root);
    let (mut comps, mut edges) = (0, 0);
    for (rel, path) in &files {
        let x = parse(&std::fs::read(path).unwrap(), &ParseOptions::default())
            .unwrap()
            .sbom;
        comps += x.components.len();
        edges += x.dependencies.len();
        check(rel, &x);
    }
    eprintln!("round-tripped {} files, {comps} components, {edges} edges through CycloneDX 1.6 and SPDX 2.3", files.len());
    assert!(files.len() > 100 && comps > 1000 && edges > 1000);
}

#[test]
fn exports_round_trip_on_fixtures() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut n = 0;
    for e in std::fs::read_dir(&dir).unwrap() {
        let p = e.unwrap().path();
        if p.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("valid-")
        {
            let x = parse(&std::fs::read(&p).unwrap(), &ParseOptions::default())
                .unwrap()
                .sbom;
            check(&p.display().to_string(), &x);
            n += 1;
        }
    }
    assert!(n >= 4, "expected the valid-* fixtures, found {n}");
}

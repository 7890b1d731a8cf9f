//! Benchmark: generate a CycloneDX 1.6 JSON document with N components (default 50,000; each with
//! purl, CPE, hash, license, properties and a dependency edge) and parse it.
//! `cargo run --release --example bench_parse [-- N]`
use std::time::Instant;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(50_000);
    let mut comps = Vec::with_capacity(n);
    let mut deps = Vec::with_capacity(n);
    for i in 0..n {
        comps.push(serde_json::json!({
            "type": "library",
            "bom-ref": format!("c{i}"),
            "supplier": { "name": format!("Vendor {}", i % 97) },
            "name": format!("component-{i}"),
            "version": format!("{}.{}.{}", i % 7, i % 13, i % 101),
            "purl": format!("pkg:npm/%40scope{}/component-{i}@{}.{}.{}", i % 50, i % 7, i % 13, i % 101),
            "cpe": format!("cpe:2.3:a:vendor{}:component-{i}:{}.{}:*:*:*:*:*:*:*", i % 97, i % 7, i % 13),
            "hashes": [{ "alg": "SHA-256", "content": format!("{:064x}", i as u128 * 2654435761u128) }],
            "licenses": [{ "license": { "id": "MIT" } }],
            "properties": [
                { "name": "postmarket:support_level", "value": "maintained" },
                { "name": "postmarket:end_of_support", "value": "2030-12-31" }
            ]
        }));
        if i > 0 {
            deps.push(
                serde_json::json!({ "ref": format!("c{}", i / 2), "dependsOn": [format!("c{i}")] }),
            );
        }
    }
    let doc = serde_json::json!({
        "bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1,
        "metadata": { "timestamp": "2025-01-01T00:00:00Z", "component": { "type": "device", "bom-ref": "device", "name": "bench-device" } },
        "components": comps, "dependencies": deps
    });
    let bytes = serde_json::to_vec(&doc).unwrap();
    println!(
        "generated {n} components, {:.1} MB",
        bytes.len() as f64 / 1e6
    );
    let t = Instant::now();
    let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    println!(
        "(floor) serde_json::Value parse alone: {:.3} s",
        t.elapsed().as_secs_f64()
    );
    drop(v);
    let opts = postmarket_sbom::ParseOptions::default();
    let mut best = f64::MAX;
    let mut parsed = None;
    for run in 0..3 {
        let t = Instant::now();
        let p = postmarket_sbom::parse(&bytes, &opts).expect("parse");
        let s = t.elapsed().as_secs_f64();
        println!(
            "run {run}: parsed {} components, {} edges, {} diagnostics in {:.3} s",
            p.sbom.components.len(),
            p.sbom.dependencies.len(),
            p.diagnostics.len(),
            s
        );
        assert_eq!(p.sbom.components.len(), n);
        assert!(p.diagnostics.is_empty());
        best = best.min(s);
        parsed = Some(p);
    }
    println!(
        "best: {:.0} components/s ({:.3} s for {n})",
        n as f64 / best,
        best
    );
    let p = parsed.unwrap();
    let t = Instant::now();
    let q = postmarket_sbom::quality_report(&p.sbom);
    println!(
        "quality report: {:.3} s (ntia_score {})",
        t.elapsed().as_secs_f64(),
        q.ntia_score
    );
    let t = Instant::now();
    let cdx = serde_json::to_vec(&postmarket_sbom::to_cyclonedx_json(&p.sbom)).unwrap();
    println!(
        "CycloneDX 1.6 export: {:.3} s, {:.1} MB",
        t.elapsed().as_secs_f64(),
        cdx.len() as f64 / 1e6
    );
    let t = Instant::now();
    let spdx = serde_json::to_vec(&postmarket_sbom::to_spdx_json(&p.sbom)).unwrap();
    println!(
        "SPDX 2.3 export: {:.3} s, {:.1} MB",
        t.elapsed().as_secs_f64(),
        spdx.len() as f64 / 1e6
    );
}

//! `postmarket bench sbom-store`: generate a large CycloneDX document shaped like a real device
//! SBOM (purls of several ecosystems, CPEs, hashes, licenses, support properties, a dependency
//! tree), parse it and store it, and report how long each took.

use std::time::Instant;

use postmarket_model::{Actor, DeviceClass, NewDevice, NewRelease, Pathway};
use serde::Serialize;
use serde_json::{json, Value};

use crate::{parse_sbom_bytes, App, AppError};

/// A CycloneDX 1.6 JSON document with `n` components (deterministic for a given `n`).
pub fn generate_cyclonedx(n: usize) -> String {
    let ecosystems = ["npm", "pypi", "maven", "generic", "github", "deb", "cargo"];
    let licenses = ["MIT", "Apache-2.0", "BSD-3-Clause", "GPL-2.0-only", "Zlib"];
    let mut components = Vec::with_capacity(n);
    let mut dependencies = Vec::with_capacity(n + 1);
    for i in 0..n {
        let eco = ecosystems[i % ecosystems.len()];
        let name = format!("component-{i}");
        let version = format!("{}.{}.{}", 1 + i % 9, i % 50, i % 7);
        let purl = match eco {
            "maven" => format!("pkg:maven/org.example.g{}/{name}@{version}", i % 40),
            "github" => format!("pkg:github/example-org{}/{name}@v{version}", i % 30),
            "deb" => format!("pkg:deb/debian/{name}@{version}?arch=amd64"),
            _ => format!("pkg:{eco}/{name}@{version}"),
        };
        let hash = postmarket_store::sha256_hex(name.as_bytes());
        let mut c = json!({
            "type": if i % 11 == 0 { "firmware" } else { "library" },
            "bom-ref": format!("ref-{i}"),
            "supplier": {"name": format!("Supplier {}", i % 250)},
            "name": name,
            "version": version,
            "purl": purl,
            "hashes": [{"alg": "SHA-256", "content": hash}],
            "licenses": [{"license": {"id": licenses[i % licenses.len()]}}],
        });
        if i % 5 == 0 {
            c["cpe"] = json!(format!(
                "cpe:2.3:a:vendor{}:component-{i}:{version}:*:*:*:*:*:*:*",
                i % 100
            ));
        }
        if i % 3 == 0 {
            c["properties"] = json!([
                {"name": "postmarket:support_level", "value": if i % 2 == 0 { "maintained" } else { "no_longer_maintained" }},
                {"name": "postmarket:end_of_support", "value": format!("20{}-0{}-15", 27 + i % 5, 1 + i % 9)},
            ]);
        }
        components.push(c);
        // A tree: every component depends on up to two children.
        let children: Vec<Value> = [2 * i + 1, 2 * i + 2]
            .into_iter()
            .filter(|&k| k < n)
            .map(|k| json!(format!("ref-{k}")))
            .collect();
        dependencies.push(json!({"ref": format!("ref-{i}"), "dependsOn": children}));
    }
    if n > 0 {
        dependencies.push(json!({"ref": "device", "dependsOn": ["ref-0"]}));
    }
    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": "urn:uuid:6f1b0c2e-5d4a-4c59-9b53-7f5f2a1e0b01",
        "version": 1,
        "metadata": {
            "timestamp": "2026-01-15T10:00:00Z",
            "authors": [{"name": "Postmarket benchmark"}],
            "tools": {"components": [{"type": "application", "name": "postmarket-bench"}]},
            "component": {"type": "device", "bom-ref": "device", "name": "Bench Device", "version": "1.0"}
        },
        "components": components,
        "dependencies": dependencies,
    })
    .to_string()
}

#[derive(Debug, Clone, Serialize)]
pub struct SbomBench {
    pub components: usize,
    pub edges: usize,
    pub bytes: usize,
    pub parse_seconds: f64,
    pub components_per_second_parsed: f64,
    pub store_seconds: f64,
    pub components_per_second_stored: f64,
    pub verify_seconds: f64,
    pub database: String,
}

/// Generates `n` components, parses and stores them into the database at `url` (a new device
/// `SBOM bench <time>` with release 1.0), then verifies the database.
pub async fn bench_sbom_store(url: &str, n: usize) -> Result<SbomBench, AppError> {
    let doc = generate_cyclonedx(n);
    let bytes = doc.len();
    let started = Instant::now();
    let file = parse_sbom_bytes("<generated>", doc.into_bytes())?;
    let parse_seconds = started.elapsed().as_secs_f64();
    let edges = file.parsed.sbom.dependencies.len();

    let app = App::open(url).await?;
    let actor = Actor::new("bench")?;
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    let device = NewDevice::new(
        format!("SBOM bench {stamp}").parse()?,
        "Benchmarks",
        DeviceClass::II,
        Pathway::Premarket510k,
    );
    let device = app.add_device(&actor, &device, Some("benchmark")).await?;
    let release = NewRelease {
        device: device.name.clone(),
        version: "1.0".parse()?,
        released_at: None,
        end_of_support: None,
        install_base: 0,
    };
    let started = Instant::now();
    let stored = app
        .add_release_with_sbom(&actor, &release, &file, Some("benchmark"))
        .await?;
    let store_seconds = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let report = app.verify().await?;
    let verify_seconds = started.elapsed().as_secs_f64();
    if !report.ok {
        return Err(AppError::BadInput(format!(
            "the benchmark database does not verify: {:?}",
            report.state_breaches.first()
        )));
    }
    let database = app.store().display_url();
    app.store().close().await;
    let components = stored.revision.component_count as usize;
    Ok(SbomBench {
        components,
        edges,
        bytes,
        parse_seconds,
        components_per_second_parsed: components as f64 / parse_seconds.max(1e-9),
        store_seconds,
        components_per_second_stored: components as f64 / store_seconds.max(1e-9),
        verify_seconds,
        database,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn generated_document_parses_without_diagnostics() {
        let doc = super::generate_cyclonedx(200);
        let parsed = postmarket_sbom::parse(doc.as_bytes(), &Default::default()).unwrap();
        assert_eq!(parsed.sbom.components.len(), 200);
        assert!(parsed.diagnostics.is_empty(), "{:?}", parsed.diagnostics);
        // 199 tree edges plus the device's one.
        assert_eq!(parsed.sbom.dependencies.len(), 200);
    }
}

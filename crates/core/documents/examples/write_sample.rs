//! Writes a small publication in every format to the folder given (default: the current one),
//! for inspecting the output or feeding it to other validators (`oracle/validate.sh` does).
//!
//!     cargo run -p postmarket-documents --example write_sample -- OUT_DIR

use postmarket_documents::*;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::path::PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| ".".into()));
    std::fs::create_dir_all(&dir)?;
    let p: Publication = serde_json::from_str(SAMPLE)?;
    let outputs = [
        (
            "advisory.csaf.json",
            write_csaf(&p, CsafProfile::SecurityAdvisory)?,
        ),
        ("vex.csaf.json", write_csaf(&p, CsafProfile::Vex)?),
        ("vex.cdx.json", write_cyclonedx(&p)?),
        ("vex.openvex.json", write_openvex(&p)?),
    ];
    for (name, w) in outputs {
        std::fs::write(dir.join(name), w.to_json_pretty())?;
        for warning in &w.warnings {
            eprintln!("{name}: warning: {warning}");
        }
        println!("{}", dir.join(name).display());
    }
    Ok(())
}

/// The input model as JSON: what `crates/app` will build from a case.
const SAMPLE: &str = r#"{
  "document": {
    "id": "ACME-PSA-2026-0001",
    "title": "Infusion Pump X: TLS library vulnerability",
    "publisher": {"name": "Acme Medical", "namespace": "https://psirt.acme-medical.example"},
    "status": "final",
    "revisions": [{"date": "2026-03-01T10:00:00Z", "summary": "Initial release."}],
    "summary": "Infusion Pump X 2.0.0 is affected; 2.1.0 fixes it.",
    "tlp": "WHITE",
    "lang": "en",
    "canonical_url": "https://psirt.acme-medical.example/.well-known/csaf/white/2026/acme-psa-2026-0001.json",
    "generator": {"name": "Postmarket", "version": "0.1.0"}
  },
  "products": [{
    "vendor": "Acme Medical", "name": "Infusion Pump X", "model_numbers": ["IPX-100"],
    "releases": [
      {"version": "2.0.0", "purl": "pkg:generic/acme-medical/infusion-pump-x@2.0.0"},
      {"version": "2.1.0", "purl": "pkg:generic/acme-medical/infusion-pump-x@2.1.0"},
      {"version": "1.9.0", "purl": "pkg:generic/acme-medical/infusion-pump-x@1.9.0"}
    ]
  }],
  "vulnerabilities": [{
    "id": "CVE-2024-12797",
    "description": "An out-of-bounds write in the TLS library.",
    "cwe": {"id": "CWE-787", "name": "Out-of-bounds Write"},
    "scores": [{"vector": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
    "statuses": [
      {"product": {"device": "Infusion Pump X", "version": "2.0.0"}, "status": "affected"},
      {"product": {"device": "Infusion Pump X", "version": "2.1.0"}, "status": "fixed", "first_fixed": true},
      {"product": {"device": "Infusion Pump X", "version": "1.9.0"}, "status": "not_affected",
       "justification": {"vex": "component_not_present"}}
    ],
    "remediations": [{"category": "vendor_fix", "details": "Update to 2.1.0.",
                      "products": [{"device": "Infusion Pump X", "version": "2.0.0"}]}],
    "component": "pkg:generic/openssl/openssl@3.0.13"
  }]
}"#;

//! Sample publications, and the independent validators from `shared/tools/oracles`.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use postmarket_documents::*;

pub fn rev(date: &str, summary: &str) -> Revision {
    Revision {
        date: date.into(),
        summary: summary.into(),
    }
}

pub fn pr(device: &str, version: &str) -> ProductRef {
    ProductRef::new(device, version)
}

pub fn status(device: &str, version: &str, status: Status) -> ProductStatus {
    ProductStatus {
        product: pr(device, version),
        status,
        justification: None,
        impact_statement: None,
        first_fixed: false,
        recommended: false,
    }
}

pub const PUMP: &str = "Infusion Pump X";
pub const MONITOR: &str = "Patient Monitor M";

/// A two-device publication covering every status, both justification vocabularies, CVSS 2.0,
/// 3.0, 3.1 and 4.0, a non-CVE id, remediations of several categories.
pub fn sample() -> Publication {
    let mut not_present = status(MONITOR, "1.0", Status::NotAffected);
    not_present.justification = Some(Justification::Vex(VexJustification::ComponentNotPresent));
    let mut perimeter = status(MONITOR, "1.1", Status::NotAffected);
    perimeter.justification = Some(Justification::Cyclonedx(
        CdxJustification::ProtectedAtPerimeter,
    ));
    perimeter.impact_statement = Some("The service listens only on the isolated clinical network segment behind the device firewall.".into());
    let mut fixed = status(PUMP, "2.2.0", Status::Fixed);
    fixed.first_fixed = true;
    fixed.recommended = true;
    let mut affected_with_impact = status(PUMP, "2.1.0", Status::Affected);
    affected_with_impact.impact_statement =
        Some("An attacker on the hospital network can change infusion parameters.".into());

    let mut not_in_path = status(PUMP, "2.2.0", Status::NotAffected);
    not_in_path.justification = Some(Justification::Vex(
        VexJustification::VulnerableCodeNotInExecutePath,
    ));

    Publication {
        document: DocumentInfo {
            id: "ACME-PSA-2026-0007".into(),
            title: "Infusion Pump X and Patient Monitor M: OpenSSL and web interface vulnerabilities".into(),
            publisher: Publisher {
                name: "Acme Medical".into(),
                namespace: "https://psirt.acme-medical.example".into(),
                contact_details: Some("psirt@acme-medical.example".into()),
            },
            status: DocumentStatus::Final,
            revisions: vec![
                rev("2026-03-01T10:00:00Z", "Initial release."),
                rev("2026-03-20T09:30:00Z", "Fix released for Infusion Pump X 2.2.0."),
            ],
            summary: "Two vulnerabilities affect Infusion Pump X 2.0.0 and 2.1.0. Version 2.2.0 fixes them.".into(),
            description: Some("Acme Medical has assessed the vulnerabilities for patient harm; the risk is controlled with the compensating controls below.".into()),
            tlp: Some(Tlp::White),
            references: vec![Reference {
                url: "https://psirt.acme-medical.example/advisories/ACME-PSA-2026-0007".into(),
                summary: "Advisory on the Acme Medical PSIRT site".into(),
            }],
            canonical_url: Some("https://psirt.acme-medical.example/.well-known/csaf/white/2026/acme-psa-2026-0007.json".into()),
            lang: Some("en".into()),
            generator: Generator { name: "Postmarket".into(), version: "0.1.0".into() },
        },
        products: vec![
            Device {
                vendor: "Acme Medical".into(),
                name: PUMP.into(),
                model_numbers: vec!["IPX-100".into(), "IPX-200".into()],
                releases: vec![
                    DeviceRelease { version: "2.0.0".into(), purl: Some("pkg:generic/acme-medical/infusion-pump-x@2.0.0".into()), cpe: Some("cpe:2.3:h:acme_medical:infusion_pump_x:2.0.0:*:*:*:*:*:*:*".into()) },
                    DeviceRelease { version: "2.1.0".into(), purl: Some("pkg:generic/acme-medical/infusion-pump-x@2.1.0".into()), cpe: None },
                    DeviceRelease { version: "2.2.0".into(), purl: Some("pkg:generic/acme-medical/infusion-pump-x@2.2.0".into()), cpe: None },
                ],
            },
            Device {
                vendor: "Acme Medical".into(),
                name: MONITOR.into(),
                model_numbers: vec![],
                releases: vec![
                    DeviceRelease { version: "1.0".into(), purl: Some("pkg:generic/acme-medical/patient-monitor-m@1.0".into()), cpe: None },
                    DeviceRelease { version: "1.1".into(), purl: None, cpe: Some("cpe:2.3:h:acme_medical:patient_monitor_m:1.1:*:*:*:*:*:*:*".into()) },
                ],
            },
        ],
        vulnerabilities: vec![
            Vulnerability {
                id: "CVE-2024-12797".into(),
                aliases: vec!["GHSA-7x3q-2m5c-9v4w".into()],
                title: Some("OpenSSL out-of-bounds write".into()),
                description: "An out-of-bounds write in the TLS library lets a remote attacker crash the device's network service or run code.".into(),
                cwe: Some(Cwe { id: "CWE-787".into(), name: "Out-of-bounds Write".into() }),
                discovery_date: Some("2026-02-10T00:00:00Z".into()),
                release_date: Some("2026-03-01T10:00:00Z".into()),
                scores: vec![
                    Score { vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".into(), products: vec![], source: None },
                    Score { vector: "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N".into(), products: vec![], source: Some("NVD".into()) },
                    Score { vector: "AV:N/AC:L/Au:N/C:P/I:P/A:P".into(), products: vec![pr(PUMP, "2.0.0")], source: None },
                ],
                statuses: vec![
                    status(PUMP, "2.0.0", Status::Affected),
                    affected_with_impact,
                    fixed,
                    not_present,
                    perimeter,
                ],
                remediations: vec![
                    Remediation {
                        category: RemediationCategory::VendorFix,
                        details: "Update to Infusion Pump X 2.2.0.".into(),
                        date: Some("2026-03-20T09:30:00Z".into()),
                        url: Some("https://psirt.acme-medical.example/downloads/ipx-2.2.0".into()),
                        products: vec![pr(PUMP, "2.0.0"), pr(PUMP, "2.1.0")],
                    },
                    Remediation {
                        category: RemediationCategory::Mitigation,
                        details: "Until updated, block TCP port 443 to the pump at the network firewall.".into(),
                        date: None,
                        url: None,
                        products: vec![pr(PUMP, "2.1.0")],
                    },
                ],
                exploit_status: Some("No known exploitation as of 2026-03-20.".into()),
                involvements: vec![Involvement { party: "vendor".into(), status: "completed".into(), summary: Some("Fixed and validated.".into()), date: None }],
                references: vec![Reference { url: "https://nvd.nist.gov/vuln/detail/CVE-2024-12797".into(), summary: "NVD".into() }],
                component: Some("pkg:generic/openssl/openssl@3.0.13".into()),
            },
            Vulnerability {
                id: "ACME-2026-0002".into(),
                aliases: vec![],
                title: Some("Missing authentication on the service interface".into()),
                description: "The service interface accepts configuration changes without authentication.".into(),
                cwe: Some(Cwe { id: "CWE-306".into(), name: "Missing Authentication for Critical Function".into() }),
                discovery_date: None,
                release_date: None,
                scores: vec![
                    Score { vector: "CVSS:3.0/AV:A/AC:L/PR:N/UI:N/S:U/C:L/I:H/A:L/E:P/RL:O/RC:C".into(), products: vec![], source: None },
                ],
                statuses: vec![
                    status(PUMP, "2.0.0", Status::Affected),
                    status(MONITOR, "1.0", Status::UnderInvestigation),
                    not_in_path,
                ],
                remediations: vec![
                    Remediation {
                        category: RemediationCategory::NoFixPlanned,
                        details: "Version 2.0.0 is past end of support; update to 2.2.0.".into(),
                        date: None,
                        url: None,
                        products: vec![pr(PUMP, "2.0.0")],
                    },
                ],
                exploit_status: None,
                involvements: vec![Involvement { party: "discoverer".into(), status: "completed".into(), summary: None, date: Some("2026-01-15T00:00:00Z".into()) }],
                references: vec![],
                component: None,
            },
        ],
    }
}

/// The smallest publication: one device, one release, one vulnerability not affecting it.
pub fn minimal() -> Publication {
    let mut p = sample();
    p.document.status = DocumentStatus::Draft;
    p.document.revisions.truncate(1);
    p.document.tlp = None;
    p.document.description = None;
    p.document.references.clear();
    p.document.canonical_url = None;
    p.document.lang = None;
    p.products.truncate(1);
    p.products[0].releases.truncate(1);
    p.products[0].model_numbers.clear();
    let mut s = status(PUMP, "2.0.0", Status::NotAffected);
    s.justification = Some(Justification::Vex(
        VexJustification::VulnerableCodeNotPresent,
    ));
    p.vulnerabilities.truncate(1);
    let v = &mut p.vulnerabilities[0];
    v.statuses = vec![s];
    v.scores.clear();
    v.remediations.clear();
    v.involvements.clear();
    v.exploit_status = None;
    v.component = None;
    p
}

/// One publication per justification label of either vocabulary, each on its own product.
pub fn every_justification() -> Publication {
    let mut p = minimal();
    p.document.status = DocumentStatus::Interim;
    let labels: Vec<Justification> = VexJustification::ALL
        .into_iter()
        .map(Justification::Vex)
        .chain(
            CdxJustification::ALL
                .into_iter()
                .map(Justification::Cyclonedx),
        )
        .collect();
    p.products[0].releases = (0..labels.len())
        .map(|i| DeviceRelease {
            version: format!("3.{i}"),
            purl: Some(format!("pkg:generic/acme-medical/infusion-pump-x@3.{i}")),
            cpe: None,
        })
        .collect();
    p.vulnerabilities[0].statuses = labels
        .iter()
        .enumerate()
        .map(|(i, j)| {
            let mut s = status(PUMP, &format!("3.{i}"), Status::NotAffected);
            s.justification = Some(*j);
            s
        })
        .collect();
    p
}

// ---- the independent validators ----

/// Where the oracle scripts are and how to run them.
pub struct Oracles {
    pub dir: PathBuf,
    pub python: String,
    pub csaf_lib_dir: String,
}

const SETUP: &str =
    "run `eval \"$(bash ../shared/tools/oracles/setup.sh)\"` from the project root \
(it installs the validators and sets ORACLES_PY, CSAF_LIB_DIR and NODE_PATH); .ci/run does this";

/// The oracles, or `None` (after saying so) when `shared/` is not beside the project.
///
/// # Panics
/// When `shared/tools/oracles` is there but its environment is not set: then the check is
/// mandatory and the message says how to set it up.
pub fn oracles(test: &str) -> Option<Oracles> {
    let dir = postmarket_testing::shared(test)?.join("tools/oracles");
    assert!(
        dir.is_dir(),
        "{test}: {} is missing; the validators live there",
        dir.display()
    );
    let var = |name: &str| {
        std::env::var(name)
            .ok()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| panic!("{test}: {name} is not set; {SETUP}"))
    };
    let python = var("ORACLES_PY");
    let csaf_lib_dir = var("CSAF_LIB_DIR");
    var("NODE_PATH");
    Some(Oracles {
        dir,
        python,
        csaf_lib_dir,
    })
}

/// One line of the validators' JSON-lines output.
pub fn json_lines(out: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(out)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).expect("validator output is JSON lines"))
        .collect()
}

/// Writes the documents to files in `dir` and returns their paths.
pub fn write_all(dir: &Path, docs: &[(String, serde_json::Value)]) -> Vec<PathBuf> {
    docs.iter()
        .map(|(name, doc)| {
            let path = dir.join(format!("{name}.json"));
            std::fs::write(&path, serde_json::to_string_pretty(doc).unwrap()).unwrap();
            path
        })
        .collect()
}

impl Oracles {
    /// BSI csaf-validator-lib: strict schema + every mandatory test, all files in one call.
    pub fn csaf(&self, files: &[PathBuf]) -> Vec<serde_json::Value> {
        let out = Command::new("node")
            .arg(self.dir.join("csaf_validate.mjs"))
            .args(files)
            .current_dir(&self.csaf_lib_dir)
            .output()
            .unwrap_or_else(|e| panic!("cannot run node: {e}; {SETUP}"));
        let lines = json_lines(&out.stdout);
        assert_eq!(
            lines.len(),
            files.len(),
            "csaf_validate.mjs gave {} results for {} files; stderr: {}",
            lines.len(),
            files.len(),
            String::from_utf8_lossy(&out.stderr)
        );
        lines
    }

    /// cyclonedx-python-lib strict JSON schema validation, all files in one call.
    pub fn cyclonedx(&self, files: &[PathBuf]) -> Vec<serde_json::Value> {
        let out = Command::new(&self.python)
            .arg(self.dir.join("cdx_validate.py"))
            .arg("--all")
            .args(files)
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}; {SETUP}", self.python));
        let lines = json_lines(&out.stdout);
        assert_eq!(
            lines.len(),
            files.len(),
            "cdx_validate.py gave {} results for {} files; stderr: {}",
            lines.len(),
            files.len(),
            String::from_utf8_lossy(&out.stderr)
        );
        lines
    }
}

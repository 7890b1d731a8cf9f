//! Throughput of the writers and readers.
//!
//!     cargo run --release -p postmarket-documents --example bench -- [RELEASES] [VULNS] [CORPUS_DIR]
//!
//! Writes a publication of RELEASES releases (default 500) × VULNS vulnerabilities (default 50),
//! every release with a status for every vulnerability, in all four forms; reads each back; then
//! reads every CSAF file under CORPUS_DIR (e.g. `../shared/data/01-cisa-csaf`) if given.

use std::time::Instant;

use postmarket_documents::*;

fn publication(releases: usize, vulns: usize) -> Publication {
    let device = "Infusion Pump X";
    let rels: Vec<DeviceRelease> = (0..releases)
        .map(|i| DeviceRelease {
            version: format!("{}.{}.0", i / 100, i % 100),
            purl: Some(format!("pkg:generic/acme/pump@{}.{}.0", i / 100, i % 100)),
            cpe: None,
        })
        .collect();
    let vulnerabilities = (0..vulns)
        .map(|v| {
            let mut statuses = Vec::new();
            let mut affected = Vec::new();
            for (i, r) in rels.iter().enumerate() {
                let product = ProductRef::new(device, &r.version);
                let status = match (i + v) % 4 {
                    0 => Status::Affected,
                    1 => Status::NotAffected,
                    2 => Status::Fixed,
                    _ => Status::UnderInvestigation,
                };
                if status == Status::Affected {
                    affected.push(product.clone());
                }
                statuses.push(ProductStatus {
                    product,
                    status,
                    justification: (status == Status::NotAffected).then_some(Justification::Vex(
                        VexJustification::VulnerableCodeNotInExecutePath,
                    )),
                    impact_statement: None,
                    first_fixed: false,
                    recommended: false,
                });
            }
            Vulnerability {
                id: format!("CVE-2026-{:05}", 10000 + v),
                aliases: vec![],
                title: None,
                description: "A vulnerability.".into(),
                cwe: None,
                discovery_date: None,
                release_date: None,
                scores: vec![Score {
                    vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".into(),
                    products: vec![],
                    source: None,
                }],
                statuses,
                remediations: vec![Remediation {
                    category: RemediationCategory::VendorFix,
                    details: "Update.".into(),
                    date: None,
                    url: None,
                    products: affected,
                }],
                exploit_status: None,
                involvements: vec![],
                references: vec![],
                component: None,
            }
        })
        .collect();
    Publication {
        document: DocumentInfo {
            id: "BENCH-1".into(),
            title: "Bench".into(),
            publisher: Publisher {
                name: "Acme".into(),
                namespace: "https://acme.example".into(),
                contact_details: None,
            },
            status: DocumentStatus::Final,
            revisions: vec![Revision {
                date: "2026-01-01T00:00:00Z".into(),
                summary: "Initial.".into(),
            }],
            summary: "Bench.".into(),
            description: None,
            tlp: None,
            references: vec![],
            canonical_url: None,
            lang: None,
            generator: Generator {
                name: "Postmarket".into(),
                version: "0.1.0".into(),
            },
        },
        products: vec![Device {
            vendor: "Acme".into(),
            name: device.into(),
            model_numbers: vec![],
            releases: rels,
        }],
        vulnerabilities,
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().collect();
    let releases = args.get(1).map_or(Ok(500), |s| s.parse())?;
    let vulns = args.get(2).map_or(Ok(50), |s| s.parse())?;
    let p = publication(releases, vulns);
    println!(
        "publication: {releases} releases × {vulns} vulnerabilities = {} statuses",
        releases * vulns
    );
    type Writer = fn(&Publication) -> Result<Written, WriteError>;
    let writers: [(&str, Writer); 4] = [
        ("CSAF advisory", |p| {
            write_csaf(p, CsafProfile::SecurityAdvisory)
        }),
        ("CSAF VEX", |p| write_csaf(p, CsafProfile::Vex)),
        ("CycloneDX VEX", write_cyclonedx),
        ("OpenVEX", write_openvex),
    ];
    for (name, write) in writers {
        let t = Instant::now();
        let text = write(&p)?.to_json_pretty();
        let written = t.elapsed();
        let t = Instant::now();
        let n = read_vex(&text)?.statements.len();
        let read = t.elapsed();
        println!(
            "{name:14} write {:>8.1} ms  {:>7.1} MB  read {:>8.1} ms  {n} statements",
            written.as_secs_f64() * 1e3,
            text.len() as f64 / 1e6,
            read.as_secs_f64() * 1e3
        );
    }
    if let Some(dir) = args.get(3) {
        let mut files = Vec::new();
        let mut stack = vec![std::path::PathBuf::from(dir)];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d)? {
                let path = e?.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|x| x == "json") {
                    files.push(path);
                }
            }
        }
        let texts: Vec<String> = files
            .iter()
            .map(std::fs::read_to_string)
            .collect::<Result<_, _>>()?;
        let bytes: usize = texts.iter().map(String::len).sum();
        let t = Instant::now();
        let (mut ok, mut statements) = (0, 0);
        for text in &texts {
            if let Ok(r) = read_vex(text) {
                ok += 1;
                statements += r.statements.len();
            }
        }
        let s = t.elapsed().as_secs_f64();
        println!(
            "corpus: {ok} of {} files read, {statements} statements, {:.1} MB in {:.1} ms ({:.0} MB/s)",
            files.len(),
            bytes as f64 / 1e6,
            s * 1e3,
            bytes as f64 / 1e6 / s
        );
    }
    Ok(())
}

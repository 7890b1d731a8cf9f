//! Write a publication, read the document back, and compare with what the publication says,
//! product by product.

use std::collections::BTreeSet;

use postmarket_documents::*;

use crate::common::*;

/// (vulnerability, product key, status, neutral justification, impact, action): what every
/// format must carry for each product.
type Row = (
    String,
    String,
    Status,
    Option<VexJustification>,
    Option<String>,
    Option<String>,
);

/// What the publication states, keyed by the identifier each format uses for a release.
/// `cdx`: the document went through CycloneDX's vocabulary, so a CSAF / OpenVEX label comes back
/// as its CycloneDX image mapped back (lossy rows of the table differ).
fn expected(
    p: &Publication,
    key: impl Fn(&Device, &DeviceRelease) -> String,
    csaf: bool,
    cdx: bool,
) -> BTreeSet<Row> {
    let mut out = BTreeSet::new();
    for v in &p.vulnerabilities {
        for s in &v.statuses {
            let (dev, rel) = p.release(&s.product).unwrap();
            let row = |status| {
                (
                    v.id.clone(),
                    key(dev, rel),
                    status,
                    s.justification.map(|j| {
                        if cdx {
                            j.to_cdx().0.to_vex().0
                        } else {
                            j.to_vex().0
                        }
                    }),
                    s.impact_statement.clone(),
                    v.action_statement(&s.product),
                )
            };
            out.insert(row(s.status));
            // CSAF also lists the first fixed release under first_fixed: a second statement.
            if csaf && s.first_fixed {
                out.insert(row(Status::Fixed));
            }
        }
    }
    out
}

fn rows(statements: &[Statement], key: impl Fn(&Statement) -> String) -> BTreeSet<Row> {
    statements
        .iter()
        .map(|s| {
            (
                s.vulnerability.clone(),
                key(s),
                s.status,
                s.neutral_justification,
                s.impact_statement.clone(),
                s.action_statement.clone(),
            )
        })
        .collect()
}

#[test]
fn csaf_advisory_and_vex_round_trip() {
    for p in [sample(), minimal(), every_justification()] {
        for profile in [CsafProfile::SecurityAdvisory, CsafProfile::Vex] {
            let text = write_csaf(&p, profile).unwrap().to_json_pretty();
            let read = read_vex(&text).unwrap();
            assert_eq!(read.format, Format::Csaf);
            let got = rows(&read.statements, |s| s.product.id.clone().unwrap());
            let want = expected(&p, |d, r| product_id(&d.name, &r.version), true, false);
            assert_eq!(got, want, "{}", profile.category());
            // The product tree's helpers come back with the product.
            for s in &read.statements {
                let (d, r) = p
                    .releases()
                    .find(|(d, r)| product_id(&d.name, &r.version) == s.product.id.clone().unwrap())
                    .unwrap();
                assert_eq!(s.product.purl, r.purl, "{} {}", d.name, r.version);
                assert_eq!(s.product.cpe, r.cpe);
                assert_eq!(
                    s.product.name.as_deref(),
                    Some(format!("{} {} {}", d.vendor, d.name, r.version).as_str())
                );
            }
            // Aliases: the GHSA id of the first vulnerability.
            if p.vulnerabilities[0].aliases.len() == 1 {
                assert!(read
                    .statements
                    .iter()
                    .any(|s| s.aliases == ["GHSA-7x3q-2m5c-9v4w"]));
            }
        }
    }
}

#[test]
fn csaf_keeps_a_cyclonedx_justification_as_its_vex_label_only() {
    let p = sample();
    let read = read_vex(&write_csaf(&p, CsafProfile::Vex).unwrap().to_json_pretty()).unwrap();
    let s = read
        .statements
        .iter()
        .find(|s| {
            s.product.id.as_deref() == Some("patient-monitor-m-1.1")
                && s.vulnerability == "CVE-2024-12797"
        })
        .unwrap();
    assert_eq!(
        s.justification,
        Some(Justification::Vex(
            VexJustification::InlineMitigationsAlreadyExist
        ))
    );
    assert_eq!(s.native_status, "known_not_affected");
}

#[test]
fn cyclonedx_round_trip() {
    for p in [sample(), minimal(), every_justification()] {
        let text = write_cyclonedx(&p).unwrap().to_json_pretty();
        let read = read_vex(&text).unwrap();
        assert_eq!(read.format, Format::Cyclonedx);
        let got = rows(&read.statements, |s| s.product.id.clone().unwrap());
        let want = expected(&p, |d, r| product_id(&d.name, &r.version), false, true);
        assert_eq!(got, want);
        for s in &read.statements {
            let (_, r) = p
                .releases()
                .find(|(d, r)| product_id(&d.name, &r.version) == s.product.id.clone().unwrap())
                .unwrap();
            assert_eq!(s.product.version.as_deref(), Some(r.version.as_str()));
            assert_eq!(s.product.purl, r.purl);
            assert_eq!(s.product.cpe, r.cpe);
        }
    }
    // A CycloneDX justification comes back as itself, not through the neutral label.
    let p = every_justification();
    let read = read_vex(&write_cyclonedx(&p).unwrap().to_json_pretty()).unwrap();
    for (s, want) in read
        .statements
        .iter()
        .zip(p.vulnerabilities[0].statuses.iter())
    {
        let want = want.justification.unwrap();
        assert_eq!(
            s.justification,
            Some(Justification::Cyclonedx(want.to_cdx().0))
        );
    }
}

#[test]
fn openvex_round_trip() {
    for p in [sample(), minimal(), every_justification()] {
        let text = write_openvex(&p).unwrap().to_json_pretty();
        let read = read_vex(&text).unwrap();
        assert_eq!(read.format, Format::Openvex);
        // With a vulnerable component the statement is about it, inside the device.
        let ns = &p.document.publisher.namespace;
        let got = rows(&read.statements, |s| {
            s.product.parent.clone().or(s.product.id.clone()).unwrap()
        });
        let want = expected(
            &p,
            |d, r| {
                r.purl
                    .clone()
                    .unwrap_or_else(|| format!("{ns}/products/{}", product_id(&d.name, &r.version)))
            },
            false,
            false,
        );
        assert_eq!(got, want);
        for s in &read.statements {
            if s.product.parent.is_some() {
                assert_eq!(
                    s.product.purl.as_deref(),
                    Some("pkg:generic/openssl/openssl@3.0.13")
                );
            }
        }
    }
}

#[test]
fn statements_carry_timestamps() {
    let p = sample();
    for text in [
        write_csaf(&p, CsafProfile::Vex).unwrap().to_json_pretty(),
        write_cyclonedx(&p).unwrap().to_json_pretty(),
        write_openvex(&p).unwrap().to_json_pretty(),
    ] {
        for s in read_vex(&text).unwrap().statements {
            let t = s.timestamp.expect("every statement has a time");
            assert!(is_rfc3339(&t), "{t}");
        }
    }
}

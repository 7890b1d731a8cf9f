//! The justification tables in `vocab`, in every direction, and the warnings the writers give
//! when a mapping loses information.

use postmarket_documents::*;

use crate::common::*;

#[test]
fn vex_to_cyclonedx_table() {
    use CdxJustification as C;
    use VexJustification as V;
    let table = [
        (V::ComponentNotPresent, C::CodeNotPresent, true),
        (V::VulnerableCodeNotPresent, C::CodeNotPresent, false),
        (
            V::VulnerableCodeCannotBeControlledByAdversary,
            C::RequiresEnvironment,
            true,
        ),
        (
            V::VulnerableCodeNotInExecutePath,
            C::CodeNotReachable,
            false,
        ),
        (
            V::InlineMitigationsAlreadyExist,
            C::ProtectedByMitigatingControl,
            true,
        ),
    ];
    assert_eq!(table.len(), V::ALL.len());
    for (v, c, lossy) in table {
        assert_eq!(v.to_cdx(), (c, v.to_cdx().1));
        assert_eq!(v.to_cdx().1.is_some(), lossy, "{v}");
        assert_eq!(
            Justification::Vex(v).to_vex(),
            (v, None),
            "a label maps to itself"
        );
        // Where the mapping is exact it comes back unchanged.
        if !lossy {
            assert_eq!(c.to_vex(), (v, None));
        }
    }
}

#[test]
fn cyclonedx_to_vex_table() {
    use CdxJustification as C;
    use VexJustification as V;
    let table = [
        (C::CodeNotPresent, V::VulnerableCodeNotPresent, false),
        (
            C::CodeNotReachable,
            V::VulnerableCodeNotInExecutePath,
            false,
        ),
        (
            C::RequiresConfiguration,
            V::VulnerableCodeCannotBeControlledByAdversary,
            true,
        ),
        (
            C::RequiresDependency,
            V::VulnerableCodeCannotBeControlledByAdversary,
            true,
        ),
        (
            C::RequiresEnvironment,
            V::VulnerableCodeCannotBeControlledByAdversary,
            true,
        ),
        (
            C::ProtectedByCompiler,
            V::InlineMitigationsAlreadyExist,
            true,
        ),
        (
            C::ProtectedAtRuntime,
            V::InlineMitigationsAlreadyExist,
            true,
        ),
        (
            C::ProtectedAtPerimeter,
            V::InlineMitigationsAlreadyExist,
            true,
        ),
        (
            C::ProtectedByMitigatingControl,
            V::InlineMitigationsAlreadyExist,
            true,
        ),
    ];
    assert_eq!(table.len(), C::ALL.len());
    for (c, v, lossy) in table {
        assert_eq!(c.to_vex().0, v, "{c}");
        assert_eq!(c.to_vex().1.is_some(), lossy, "{c}");
        assert_eq!(Justification::Cyclonedx(c).to_cdx(), (c, None));
        if !lossy {
            assert_eq!(v.to_cdx(), (c, None));
        }
    }
}

#[test]
fn labels_parse_and_print_as_the_specifications_write_them() {
    for v in VexJustification::ALL {
        assert_eq!(VexJustification::parse(v.as_str()), Some(v));
        assert_eq!(serde_json::to_value(v).unwrap(), v.as_str());
    }
    for c in CdxJustification::ALL {
        assert_eq!(CdxJustification::parse(c.as_str()), Some(c));
        assert_eq!(serde_json::to_value(c).unwrap(), c.as_str());
    }
    assert_eq!(VexJustification::parse("code_not_present"), None);
    assert_eq!(CdxJustification::parse("component_not_present"), None);
    let j: Justification = serde_json::from_str(r#"{"cyclonedx":"protected_at_runtime"}"#).unwrap();
    assert_eq!(
        j,
        Justification::Cyclonedx(CdxJustification::ProtectedAtRuntime)
    );
}

#[test]
fn status_tables() {
    for s in Status::ALL {
        assert_eq!(Status::from_openvex(s.as_str()), Some(s));
        assert_eq!(Status::from_csaf_group(s.csaf_group()), Some(s));
        assert_eq!(Status::from_cdx_state(s.cdx_state()), Some(s));
    }
    assert_eq!(Status::from_csaf_group("recommended"), None);
    assert_eq!(
        Status::from_cdx_state("false_positive"),
        Some(Status::NotAffected)
    );
    assert_eq!(
        Status::from_cdx_version_status("unaffected"),
        Some(Status::NotAffected)
    );
    assert_eq!(Status::from_openvex("unknown"), None);
}

/// Each writer warns exactly for the justifications its format cannot carry as given.
#[test]
fn writers_warn_when_a_mapping_loses_information() {
    let p = every_justification();
    let statuses = &p.vulnerabilities[0].statuses;
    let lossy_for = |w: &Written, target_is_cdx: bool| {
        let warned: Vec<usize> = w
            .warnings
            .iter()
            .filter(|w| w.place.ends_with(".justification"))
            .map(|w| {
                w.place
                    .split("statuses[")
                    .nth(1)
                    .unwrap()
                    .split(']')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap()
            })
            .collect();
        let want: Vec<usize> = statuses
            .iter()
            .enumerate()
            .filter(|(_, s)| {
                let j = s.justification.unwrap();
                match (j, target_is_cdx) {
                    (Justification::Vex(_), true) => j.to_cdx().1.is_some(),
                    (Justification::Cyclonedx(_), false) => j.to_vex().1.is_some(),
                    _ => false,
                }
            })
            .map(|(i, _)| i)
            .collect();
        assert_eq!(warned, want);
        assert!(!want.is_empty());
    };
    lossy_for(&write_cyclonedx(&p).unwrap(), true);
    lossy_for(&write_openvex(&p).unwrap(), false);
    lossy_for(&write_csaf(&p, CsafProfile::Vex).unwrap(), false);

    let w = write_cyclonedx(&p).unwrap();
    let msg = &w.warnings[0].message;
    assert!(
        msg.contains("component_not_present") && msg.contains("code_not_present"),
        "{msg}"
    );
}

#[test]
fn csaf_warns_about_cvss_4_and_cyclonedx_about_the_component() {
    let p = sample();
    let csaf = write_csaf(&p, CsafProfile::SecurityAdvisory).unwrap();
    assert!(
        csaf.warnings
            .iter()
            .any(|w| w.place == "vulnerabilities[0].scores[1]" && w.message.contains("CVSS 4.0")),
        "{:?}",
        csaf.warnings
    );
    let cdx = write_cyclonedx(&p).unwrap();
    assert!(
        cdx.warnings
            .iter()
            .any(|w| w.place == "vulnerabilities[0].component"),
        "{:?}",
        cdx.warnings
    );
    // The 4.0 score is in CycloneDX, with its own method.
    let methods: Vec<&str> = cdx.document["vulnerabilities"][0]["ratings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["method"].as_str().unwrap())
        .collect();
    assert_eq!(methods, ["CVSSv31", "CVSSv4", "CVSSv2"]);
}

//! Equal input gives equal bytes, and the ids come from the input.

use postmarket_documents::*;

use crate::common::*;

#[test]
fn writing_twice_gives_the_same_bytes() {
    let p = sample();
    for _ in 0..2 {
        assert_eq!(
            write_csaf(&p, CsafProfile::Vex).unwrap().to_json_pretty(),
            write_csaf(&p.clone(), CsafProfile::Vex)
                .unwrap()
                .to_json_pretty()
        );
        assert_eq!(
            write_cyclonedx(&p).unwrap().to_json_pretty(),
            write_cyclonedx(&p.clone()).unwrap().to_json_pretty()
        );
        assert_eq!(
            write_openvex(&p).unwrap().to_json_pretty(),
            write_openvex(&p.clone()).unwrap().to_json_pretty()
        );
    }
}

#[test]
fn product_ids_are_derived_from_device_and_version() {
    assert_eq!(
        product_id("Infusion Pump X", "2.1.0"),
        "infusion-pump-x-2.1.0"
    );
    assert_eq!(product_id("Pump (EU)", "1.0 rc/2"), "pump-eu-1.0-rc-2");
    let csaf = write_csaf(&sample(), CsafProfile::SecurityAdvisory)
        .unwrap()
        .document;
    let first = &csaf["product_tree"]["branches"][0]["branches"][0]["branches"][0]["product"];
    assert_eq!(first["product_id"], "infusion-pump-x-2.0.0");
    assert_eq!(
        first["product_identification_helper"]["model_numbers"][1],
        "IPX-200"
    );
}

#[test]
fn the_serial_number_is_a_name_based_uuid_stable_across_revisions() {
    // The value Python's uuid.uuid5(uuid.NAMESPACE_URL, "http://www.example.com/") gives.
    assert_eq!(
        cyclonedx::uuid_v5_url("http://www.example.com/"),
        "fcde3c85-2270-590f-9e7c-ee003d65e0e2"
    );
    let p = sample();
    let mut later = sample();
    later
        .document
        .revisions
        .push(rev("2026-05-01T00:00:00Z", "Monitor assessed."));
    let a = write_cyclonedx(&p).unwrap().document;
    let b = write_cyclonedx(&later).unwrap().document;
    assert_eq!(a["serialNumber"], b["serialNumber"]);
    assert_eq!(a["version"], 2);
    assert_eq!(b["version"], 3);
}

#[test]
fn revision_numbers_follow_the_document_status() {
    assert_eq!(
        csaf::revision_numbers(DocumentStatus::Final, 3),
        ["1", "2", "3"]
    );
    assert_eq!(
        csaf::revision_numbers(DocumentStatus::Draft, 2),
        ["0.1.0", "0.2.0"]
    );
    let mut p = sample();
    p.document.status = DocumentStatus::Draft;
    let d = write_csaf(&p, CsafProfile::Vex).unwrap().document;
    assert_eq!(d["document"]["tracking"]["version"], "0.2.0");
    assert_eq!(
        d["document"]["tracking"]["initial_release_date"],
        "2026-03-01T10:00:00Z"
    );
    assert_eq!(
        d["document"]["tracking"]["current_release_date"],
        "2026-03-20T09:30:00Z"
    );
}

#[test]
fn csaf_cvss_objects_carry_every_metric_of_the_vector() {
    let d = write_csaf(&sample(), CsafProfile::SecurityAdvisory)
        .unwrap()
        .document;
    let scores = d["vulnerabilities"][0]["scores"].as_array().unwrap();
    let v3 = &scores[0]["cvss_v3"];
    assert_eq!(v3["version"], "3.1");
    assert_eq!(v3["baseScore"], 9.8);
    assert_eq!(v3["baseSeverity"], "CRITICAL");
    assert_eq!(v3["attackVector"], "NETWORK");
    assert_eq!(v3["availabilityImpact"], "HIGH");
    // Only the affected products unless the score names its own.
    assert_eq!(
        scores[0]["products"],
        serde_json::json!(["infusion-pump-x-2.0.0", "infusion-pump-x-2.1.0"])
    );
    let v2 = &scores[1]["cvss_v2"];
    assert_eq!(v2["baseScore"], 7.5);
    assert_eq!(v2["authentication"], "NONE");
    assert_eq!(
        scores[1]["products"],
        serde_json::json!(["infusion-pump-x-2.0.0"])
    );
    let v30 = &d["vulnerabilities"][1]["scores"][0]["cvss_v3"];
    assert_eq!(v30["exploitCodeMaturity"], "PROOF_OF_CONCEPT");
    assert_eq!(v30["remediationLevel"], "OFFICIAL_FIX");
    assert!(v30["temporalScore"].as_f64().unwrap() < v30["baseScore"].as_f64().unwrap());
    // A non-CVE id goes to ids.
    assert_eq!(
        d["vulnerabilities"][1]["ids"][0],
        serde_json::json!({"system_name": "ACME", "text": "ACME-2026-0002"})
    );
    assert!(d["vulnerabilities"][1].get("cve").is_none());
}

#[test]
fn the_canonical_url_is_the_self_reference() {
    assert_eq!(
        csaf::csaf_file_name("ACME-PSA-2026-0007"),
        "acme-psa-2026-0007.json"
    );
    assert_eq!(
        csaf::csaf_file_name("Example Company/2026:01"),
        "example_company_2026_01.json"
    );
    let d = write_csaf(&sample(), CsafProfile::Vex).unwrap().document;
    assert_eq!(d["document"]["references"][0]["category"], "self");
    assert_eq!(d["document"]["references"][1]["category"], "external");
}

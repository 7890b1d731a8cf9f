//! Bad documents are refused with the JSON pointer and what was expected; a bad input model is
//! refused with the field.

use postmarket_documents::*;
use serde_json::json;

use crate::common::*;

fn err(doc: serde_json::Value) -> ReadError {
    read_value(&doc).expect_err("must be refused")
}

fn invalid_at(e: &ReadError) -> (&str, String) {
    match e {
        ReadError::Invalid {
            pointer, expected, ..
        } => (pointer, expected.clone()),
        other => panic!("expected Invalid, got {other}"),
    }
}

fn csaf_vex() -> serde_json::Value {
    write_csaf(&sample(), CsafProfile::Vex).unwrap().document
}

#[test]
fn malformed_json_names_line_and_column() {
    let e = read_vex("{\n  \"bomFormat\": \"CycloneDX\",\n  oops\n}").unwrap_err();
    assert!(
        matches!(
            e,
            ReadError::Malformed {
                line: 3,
                column: 3,
                ..
            }
        ),
        "{e}"
    );
    assert!(e
        .to_string()
        .starts_with("malformed JSON at line 3, column 3"));
}

#[test]
fn unknown_formats_are_refused() {
    let e = err(json!({"hello": 1}));
    assert!(e.to_string().contains("CSAF document"), "{e}");
    let e = err(json!([1]));
    assert_eq!(invalid_at(&e).0, "");
}

#[test]
fn csaf_product_not_in_the_tree() {
    let mut d = csaf_vex();
    d["vulnerabilities"][1]["product_status"]["under_investigation"][0] =
        json!("infusion-pump-y-9");
    let e = err(d);
    let (ptr, expected) = invalid_at(&e);
    assert_eq!(
        ptr,
        "/vulnerabilities/1/product_status/under_investigation/0"
    );
    assert!(expected.contains("defined in /product_tree"), "{e}");
    assert!(e.to_string().contains("infusion-pump-y-9"));

    let mut d = csaf_vex();
    d["vulnerabilities"][0]["remediations"][0]["product_ids"][1] = json!("ghost");
    assert_eq!(
        invalid_at(&err(d)).0,
        "/vulnerabilities/0/remediations/0/product_ids/1"
    );

    let mut d = csaf_vex();
    d["vulnerabilities"][0]["flags"][0]["group_ids"] = json!(["no-group"]);
    assert_eq!(
        invalid_at(&err(d)).0,
        "/vulnerabilities/0/flags/0/group_ids/0"
    );
}

#[test]
fn csaf_unknown_status_group_and_flag_label() {
    let mut d = csaf_vex();
    d["vulnerabilities"][0]["product_status"]["probably_fine"] = json!(["infusion-pump-x-2.0.0"]);
    let e = err(d);
    assert_eq!(
        invalid_at(&e).0,
        "/vulnerabilities/0/product_status/probably_fine"
    );
    assert!(invalid_at(&e).1.contains("known_not_affected"));

    let mut d = csaf_vex();
    d["vulnerabilities"][0]["flags"][0]["label"] = json!("not_my_problem");
    let e = err(d);
    assert_eq!(invalid_at(&e).0, "/vulnerabilities/0/flags/0/label");
    assert!(e.to_string().contains("\"not_my_problem\""), "{e}");
}

#[test]
fn csaf_wrong_types_and_versions() {
    let mut d = csaf_vex();
    d["document"]["csaf_version"] = json!("2.1");
    assert_eq!(invalid_at(&err(d)).0, "/document/csaf_version");

    let mut d = csaf_vex();
    d["vulnerabilities"][0]["product_status"]["fixed"] = json!("infusion-pump-x-2.2.0");
    let e = err(d);
    assert_eq!(invalid_at(&e).0, "/vulnerabilities/0/product_status/fixed");
    assert!(
        e.to_string().contains("expected an array of product ids"),
        "{e}"
    );

    let mut d = csaf_vex();
    d["product_tree"]["branches"][0]["branches"][0]["branches"][1]["product"]["product_id"] =
        json!(7);
    assert_eq!(
        invalid_at(&err(d)).0,
        "/product_tree/branches/0/branches/0/branches/1/product/product_id"
    );

    let mut d = csaf_vex();
    d["vulnerabilities"][0]
        .as_object_mut()
        .unwrap()
        .remove("cve");
    d["vulnerabilities"][0]
        .as_object_mut()
        .unwrap()
        .remove("ids");
    assert_eq!(invalid_at(&err(d)).0, "/vulnerabilities/0/cve");
}

#[test]
fn csaf_product_defined_twice() {
    let mut d = csaf_vex();
    let dup = d["product_tree"]["branches"][0]["branches"][0]["branches"][0]["product"].clone();
    d["product_tree"]["full_product_names"] = json!([dup]);
    let e = err(d);
    let (ptr, expected) = invalid_at(&e);
    assert_eq!(ptr, "/product_tree/full_product_names/0/product_id");
    assert!(expected.contains("6.1.2"));
}

#[test]
fn cyclonedx_unknown_state_justification_and_version_status() {
    let cdx = || write_cyclonedx(&sample()).unwrap().document;
    let mut d = cdx();
    d["vulnerabilities"][0]["analysis"]["state"] = json!("affected");
    let e = err(d);
    assert_eq!(invalid_at(&e).0, "/vulnerabilities/0/analysis/state");
    assert!(e.to_string().contains("exploitable"));

    let mut d = cdx();
    let i = d["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .position(|v| v["analysis"]["justification"].is_string())
        .unwrap();
    d["vulnerabilities"][i]["analysis"]["justification"] = json!("component_not_present");
    assert_eq!(
        invalid_at(&err(d)).0,
        format!("/vulnerabilities/{i}/analysis/justification")
    );

    let mut d = cdx();
    d["vulnerabilities"][0]["affects"][0]["versions"][0]["status"] = json!("maybe");
    assert_eq!(
        invalid_at(&err(d)).0,
        "/vulnerabilities/0/affects/0/versions/0/status"
    );

    let mut d = cdx();
    d["vulnerabilities"][0]["affects"][0]["versions"][0]
        .as_object_mut()
        .unwrap()
        .remove("status");
    d["vulnerabilities"][0]
        .as_object_mut()
        .unwrap()
        .remove("analysis");
    let e = err(d);
    assert_eq!(invalid_at(&e).0, "/vulnerabilities/0/analysis");

    let mut d = cdx();
    d["bomFormat"] = json!("SPDX");
    assert_eq!(invalid_at(&err(d)).0, "/bomFormat");

    let mut d = cdx();
    d["vulnerabilities"][0]["affects"][0]["ref"] = json!(null);
    assert_eq!(invalid_at(&err(d)).0, "/vulnerabilities/0/affects/0/ref");
}

#[test]
fn openvex_unknown_status_and_missing_statements() {
    let vex = || write_openvex(&sample()).unwrap().document;
    let mut d = vex();
    d["statements"][2]["status"] = json!("patched");
    let e = err(d);
    assert_eq!(invalid_at(&e).0, "/statements/2/status");
    assert!(e.to_string().contains("\"patched\""));

    let mut d = vex();
    let i = d["statements"]
        .as_array()
        .unwrap()
        .iter()
        .position(|s| s["status"] == "not_affected" && s.get("impact_statement").is_none())
        .unwrap();
    d["statements"][i]
        .as_object_mut()
        .unwrap()
        .remove("justification");
    assert_eq!(
        invalid_at(&err(d)).0,
        format!("/statements/{i}/justification")
    );

    let mut d = vex();
    let i = d["statements"]
        .as_array()
        .unwrap()
        .iter()
        .position(|s| s["status"] == "affected")
        .unwrap();
    d["statements"][i]
        .as_object_mut()
        .unwrap()
        .remove("action_statement");
    assert_eq!(
        invalid_at(&err(d)).0,
        format!("/statements/{i}/action_statement")
    );

    let mut d = vex();
    d["statements"][0]["justification"] = json!("code_not_present");
    assert_eq!(invalid_at(&err(d)).0, "/statements/0/justification");

    let mut d = vex();
    d["statements"][0]["products"] = json!([]);
    assert_eq!(invalid_at(&err(d)).0, "/statements/0/products/0");

    let mut d = vex();
    d["statements"][0]["products"][0] = json!({"subcomponents": []});
    assert_eq!(invalid_at(&err(d)).0, "/statements/0/products/0/@id");

    let mut d = vex();
    d["@context"] = json!("https://example.com/ns");
    assert_eq!(invalid_at(&err(d)).0, "/@context");

    let mut d = vex();
    d.as_object_mut().unwrap().remove("statements");
    assert_eq!(invalid_at(&err(d)).0, "/statements");
}

#[test]
fn writers_refuse_an_inconsistent_model() {
    let check = |p: Publication, place: &str, words: &str| {
        for e in [
            write_csaf(&p, CsafProfile::Vex).unwrap_err(),
            write_cyclonedx(&p).unwrap_err(),
            write_openvex(&p).unwrap_err(),
        ] {
            assert_eq!(e.place, place, "{e}");
            assert!(e.message.contains(words), "{e}");
        }
    };
    let mut p = sample();
    p.vulnerabilities[0].statuses[0].product = pr(PUMP, "9.9");
    check(
        p,
        "vulnerabilities[0].statuses[0].product",
        "no release Infusion Pump X 9.9",
    );

    let mut p = sample();
    p.vulnerabilities[0].statuses[3].justification = None;
    check(
        p,
        "vulnerabilities[0].statuses[3]",
        "justification or an impact statement",
    );

    let mut p = sample();
    p.vulnerabilities[1].remediations.clear();
    check(p, "vulnerabilities[1].statuses[0]", "action statement");

    let mut p = sample();
    let dup = p.vulnerabilities[0].statuses[0].clone();
    p.vulnerabilities[0].statuses.push(dup);
    check(p, "vulnerabilities[0].statuses[5]", "two statuses");

    let mut p = sample();
    p.document.revisions[1].date = "2026-03-20".into();
    check(p, "document.revisions[1].date", "RFC 3339");

    let mut p = sample();
    p.vulnerabilities[0].scores[0].vector = "CVSS:3.1/AV:X".into();
    check(p, "vulnerabilities[0].scores[0].vector", "CVSS:3.1/AV:X");

    let mut p = sample();
    p.products[1].name = "Infusion-Pump X".into();
    p.products[1].releases[0].version = "2.0.0".into();
    check(p, "products[1].releases[0]", "same product id");

    let mut p = sample();
    p.vulnerabilities[1].aliases.push("cve-2024-12797".into());
    check(p, "vulnerabilities[1].id", "named by two vulnerabilities");

    let mut p = sample();
    p.vulnerabilities[0].cwe.as_mut().unwrap().id = "787".into();
    check(p, "vulnerabilities[0].cwe.id", "CWE-<number>");

    let mut p = sample();
    p.document.canonical_url =
        Some("https://psirt.acme-medical.example/ACME-PSA-2026-0007.json".into());
    check(p, "document.canonical_url", "/acme-psa-2026-0007.json");

    let mut p = sample();
    p.products[0].releases[0].cpe = Some("cpe:/h:acme:pump".into());
    check(p, "products[0].releases[0].cpe", "CPE 2.3");
}

#[test]
fn csaf_refuses_two_scores_of_one_kind_for_a_product() {
    let mut p = sample();
    p.vulnerabilities[0].scores.push(Score {
        vector: "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H".into(),
        products: vec![pr(PUMP, "2.1.0")],
        source: None,
    });
    let e = write_csaf(&p, CsafProfile::SecurityAdvisory).unwrap_err();
    assert_eq!(e.place, "vulnerabilities[0].scores[3]");
    assert!(e.message.contains("6.1.7"), "{e}");
    // CycloneDX can carry both.
    assert!(write_cyclonedx(&p).is_ok());
}

#[test]
fn rfc3339_dates() {
    for ok in [
        "2026-03-01T00:00:00Z",
        "2026-03-01T00:00:00.123+02:00",
        "2026-12-31t23:59:60-05:30",
    ] {
        assert!(is_rfc3339(ok), "{ok}");
    }
    for bad in [
        "2026-03-01",
        "2026-03-01T00:00:00",
        "2026-13-01T00:00:00Z",
        "2026-03-01T00:00:00.Z",
        "2026-03-01T00:00:00+0200",
    ] {
        assert!(!is_rfc3339(bad), "{bad}");
    }
}

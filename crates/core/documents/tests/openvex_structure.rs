//! OpenVEX 0.2.0 has no official schema package, so besides vexipy (`oracles.rs`) the written
//! documents are checked here against the specification's required structure (OpenVEX
//! specification v0.2.0, "Document" and "Statement" sections), and round-tripped in
//! `roundtrip.rs`.

use postmarket_documents::*;
use serde_json::Value;

use crate::common::*;

fn check_document(d: &Value) {
    let o = d.as_object().unwrap();
    assert_eq!(d["@context"], "https://openvex.dev/ns/v0.2.0");
    for key in ["@id", "author", "timestamp"] {
        assert!(d[key].as_str().is_some_and(|s| !s.is_empty()), "{key}");
    }
    assert!(
        d["@id"].as_str().unwrap().starts_with("https://"),
        "@id is an IRI"
    );
    assert!(is_rfc3339(d["timestamp"].as_str().unwrap()));
    assert!(d["last_updated"].as_str().is_none_or(is_rfc3339));
    assert!(
        d["version"].as_u64().is_some_and(|v| v >= 1),
        "version is a positive integer"
    );
    let allowed = [
        "@context",
        "@id",
        "author",
        "role",
        "timestamp",
        "last_updated",
        "version",
        "tooling",
        "statements",
    ];
    for k in o.keys() {
        assert!(allowed.contains(&k.as_str()), "unexpected document key {k}");
    }
    let statements = d["statements"].as_array().unwrap();
    assert!(!statements.is_empty());
    for st in statements {
        let allowed = [
            "@id",
            "version",
            "vulnerability",
            "timestamp",
            "last_updated",
            "products",
            "status",
            "supplier",
            "status_notes",
            "justification",
            "impact_statement",
            "action_statement",
            "action_statement_timestamp",
        ];
        for k in st.as_object().unwrap().keys() {
            assert!(
                allowed.contains(&k.as_str()),
                "unexpected statement key {k}"
            );
        }
        assert!(st["vulnerability"]["name"]
            .as_str()
            .is_some_and(|s| !s.is_empty()));
        if let Some(a) = st["vulnerability"].get("aliases") {
            assert!(a.as_array().unwrap().iter().all(Value::is_string));
        }
        let status = st["status"].as_str().unwrap();
        assert!(["not_affected", "affected", "fixed", "under_investigation"].contains(&status));
        match status {
            "not_affected" => {
                assert!(st.get("justification").is_some() || st.get("impact_statement").is_some())
            }
            "affected" => assert!(st["action_statement"].as_str().is_some()),
            _ => {}
        }
        if let Some(j) = st.get("justification") {
            assert_eq!(
                status, "not_affected",
                "a justification only on not_affected"
            );
            assert!(VexJustification::parse(j.as_str().unwrap()).is_some());
        }
        if st.get("impact_statement").is_some() {
            assert_eq!(status, "not_affected");
        }
        if let Some(t) = st.get("timestamp") {
            assert!(is_rfc3339(t.as_str().unwrap()));
        }
        let products = st["products"].as_array().unwrap();
        assert!(!products.is_empty());
        for p in products {
            assert!(p["@id"]
                .as_str()
                .is_some_and(|s| s.starts_with("pkg:") || s.starts_with("https://")));
            if let Some(ids) = p.get("identifiers") {
                for k in ids.as_object().unwrap().keys() {
                    assert!(["purl", "cpe22", "cpe23"].contains(&k.as_str()), "{k}");
                }
            }
            for sub in p["subcomponents"].as_array().into_iter().flatten() {
                assert!(sub["@id"].as_str().is_some_and(|s| s.starts_with("pkg:")));
            }
        }
    }
}

#[test]
fn written_openvex_has_the_specified_structure() {
    for p in [sample(), minimal(), every_justification()] {
        let w = write_openvex(&p).unwrap();
        check_document(&w.document);
    }
    let d = write_openvex(&sample()).unwrap().document;
    assert_eq!(
        d["@id"],
        "https://psirt.acme-medical.example/vex/ACME-PSA-2026-0007"
    );
    assert_eq!(d["version"], 2);
    // The affected pump 2.1.0 has its impact statement as status notes.
    let st = d["statements"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["status"] == "affected" && s.get("status_notes").is_some())
        .unwrap();
    assert!(st["status_notes"]
        .as_str()
        .unwrap()
        .contains("infusion parameters"));
    assert_eq!(st["action_statement"], "Update to Infusion Pump X 2.2.0.\nUntil updated, block TCP port 443 to the pump at the network firewall.");
}

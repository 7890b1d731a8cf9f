//! Real supplier documents: every CISA CSAF advisory in the corpus (ICSMA, ICSA, IT — the IT ones
//! are `csaf_vex`), the OASIS CSAF 2.0 examples including the VEX examples, and the CycloneDX VEX
//! examples. Each reads without error, and the statement count equals a count taken straight
//! from the JSON.

use std::path::{Path, PathBuf};

use postmarket_documents::*;
use serde_json::Value;

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            json_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
}

/// Product ids under each product status group except `recommended`, summed.
fn csaf_expected(d: &Value) -> usize {
    d["vulnerabilities"]
        .as_array()
        .map(|vs| {
            vs.iter()
                .filter(|v| v.get("cve").is_some() || v.get("ids").is_some())
                .filter_map(|v| v["product_status"].as_object())
                .flat_map(|ps| ps.iter())
                .filter(|(k, _)| *k != "recommended")
                .map(|(_, ids)| ids.as_array().map_or(0, Vec::len))
                .sum()
        })
        .unwrap_or(0)
}

#[test]
fn cisa_csaf_advisories_and_vex() {
    let Some(corpus) = postmarket_testing::corpus("cisa_csaf_advisories_and_vex") else {
        return;
    };
    let mut files = Vec::new();
    for sub in ["icsma", "icsa", "it"] {
        json_files(&corpus.join("01-cisa-csaf").join(sub), &mut files);
    }
    assert!(files.len() >= 200, "{} files", files.len());
    let (mut docs, mut vex, mut statements, mut affected, mut with_purl_or_cpe) = (0, 0, 0, 0, 0);
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        let read = read_vex(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert_eq!(read.format, Format::Csaf);
        assert_eq!(read.statements.len(), csaf_expected(&v), "{}", f.display());
        docs += 1;
        vex += usize::from(v["document"]["category"] == "csaf_vex");
        statements += read.statements.len();
        affected += read
            .statements
            .iter()
            .filter(|s| s.status == Status::Affected)
            .count();
        with_purl_or_cpe += read
            .statements
            .iter()
            .filter(|s| s.product.purl.is_some() || s.product.cpe.is_some())
            .count();
        for s in &read.statements {
            assert!(s.product.name.is_some(), "{}: {}", f.display(), s.pointer);
            assert!(
                s.timestamp.as_deref().is_some_and(is_rfc3339),
                "{}: {:?}",
                f.display(),
                s.timestamp
            );
        }
    }
    eprintln!("CISA CSAF: {docs} documents ({vex} csaf_vex), {statements} statements, {affected} affected, {with_purl_or_cpe} with a purl or CPE");
    assert!(vex >= 4);
    assert!(affected > 0);
}

#[test]
fn oasis_csaf_examples_including_vex() {
    let Some(corpus) = postmarket_testing::corpus("oasis_csaf_examples_including_vex") else {
        return;
    };
    let mut files = Vec::new();
    json_files(
        &corpus.join("01-cisa-csaf/oasis-csaf-2.0-reference/examples/csaf"),
        &mut files,
    );
    let (mut docs, mut statements, mut justified) = (0, 0, 0);
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        if v["vulnerabilities"]
            .as_array()
            .is_none_or(|vs| vs.iter().all(|x| x.get("product_status").is_none()))
        {
            continue;
        }
        let read = read_vex(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert_eq!(read.statements.len(), csaf_expected(&v), "{}", f.display());
        docs += 1;
        statements += read.statements.len();
        justified += read
            .statements
            .iter()
            .filter(|s| s.justification.is_some())
            .count();
        for s in read
            .statements
            .iter()
            .filter(|s| s.status == Status::NotAffected && v["document"]["category"] == "csaf_vex")
        {
            assert!(
                s.justification.is_some() || s.impact_statement.is_some(),
                "{}: {}",
                f.display(),
                s.pointer
            );
        }
    }
    eprintln!("OASIS CSAF examples: {docs} documents, {statements} statements, {justified} with a justification flag");
    assert!(docs >= 15, "{docs}");
    assert!(justified > 0);
}

#[test]
fn cyclonedx_vex_examples() {
    let Some(corpus) = postmarket_testing::corpus("cyclonedx_vex_examples") else {
        return;
    };
    let mut files = Vec::new();
    json_files(
        &corpus.join("05-sboms/cyclonedx-bom-examples/VEX"),
        &mut files,
    );
    files.retain(|f| f.file_name().unwrap().to_string_lossy().starts_with("vex"));
    assert!(files.len() >= 20, "{}", files.len());
    let (mut statements, mut external_refs) = (0, 0);
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        let read = read_vex(&text).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        assert_eq!(read.format, Format::Cyclonedx);
        let expected: usize = v["vulnerabilities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| match x["affects"].as_array() {
                None => 1,
                Some(a) => a
                    .iter()
                    .map(|e| e["versions"].as_array().map_or(1, |vs| vs.len().max(1)))
                    .sum(),
            })
            .sum();
        assert_eq!(read.statements.len(), expected, "{}", f.display());
        statements += read.statements.len();
        external_refs += read
            .statements
            .iter()
            .filter(|s| s.product.purl.is_none() && s.product.id.is_some())
            .count();
        for s in &read.statements {
            if s.status == Status::NotAffected && s.justification.is_some() {
                assert!(s.neutral_justification.is_some());
            }
        }
    }
    eprintln!("CycloneDX VEX examples: {} documents, {statements} statements, {external_refs} naming a product in a separate BOM", files.len());
}

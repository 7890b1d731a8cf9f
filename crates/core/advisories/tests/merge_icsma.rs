//! Merge of the ICSMA CSAF advisories with the NVD 1.1 ICSMA subset: where CISA's and NVD's
//! CVSS v3 vectors differ, both survive, and the number of such CVEs equals the crossref CSV's.

mod common;

use postmarket_advisories::merge::{merge, same_metrics, Tier};
use postmarket_advisories::{csaf, nvd, ParseOptions, Source, VulnRecord};
use std::collections::BTreeSet;

#[test]
fn icsma_cisa_vs_nvd_vectors_survive_merge() {
    let Some(root) = common::corpus() else { return };
    let mut records: Vec<VulnRecord> = Vec::new();
    for f in common::files(&root.join("01-cisa-csaf/icsma")) {
        let d = csaf::parse(
            &std::fs::read(&f).unwrap(),
            &ParseOptions::named(f.display().to_string()),
        )
        .unwrap();
        records.extend(d.to_records());
    }
    let nvd_path = root.join("03-nvd-cve/nvd-1.1-icsma-subset.json");
    let feed =
        nvd::parse_feed11(&std::fs::read(&nvd_path).unwrap(), &ParseOptions::default()).unwrap();
    let n_nvd = feed.records.len();
    records.extend(feed.records);

    let merged = merge(&records);

    // Expected count, computed from the crossref CSV now: CVEs having both a CISA-CSAF v3 vector
    // and an NVD v3 vector, where no CISA vector states the same metrics as NVD's.
    let mut rdr = csv::Reader::from_path(root.join("00-crossref/icsma-cve-coverage.csv")).unwrap();
    let h = rdr.headers().unwrap().clone();
    let col = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (c_id, c_csaf, c_nvd) = (
        col("cve_id"),
        col("csaf_cvss3_vector|score"),
        col("nvd_cvss3_vector"),
    );
    let mut expected: BTreeSet<String> = BTreeSet::new();
    let mut both_in_csv = 0;
    for r in rdr.records() {
        let r = r.unwrap();
        let (csaf_v, nvd_v) = (&r[c_csaf], &r[c_nvd]);
        if csaf_v.is_empty() || nvd_v.is_empty() {
            continue;
        }
        both_in_csv += 1;
        let cisa: Vec<&str> = csaf_v
            .split(';')
            .map(|p| p.split('|').next().unwrap())
            .collect();
        if !cisa.iter().any(|v| same_metrics(v, nvd_v)) {
            expected.insert(r[c_id].to_string());
        }
    }

    let mut found: BTreeSet<String> = BTreeSet::new();
    let mut with_both = 0;
    for m in &merged {
        let cisa: Vec<&str> = m
            .scores
            .iter()
            .filter(|s| s.record_source == Source::Csaf && s.score.version.is_v3())
            .map(|s| s.score.vector.as_str())
            .collect();
        let nvd: Vec<&str> = m
            .scores
            .iter()
            .filter(|s| s.record_source == Source::Nvd11 && s.score.version.is_v3())
            .map(|s| s.score.vector.as_str())
            .collect();
        if cisa.is_empty() || nvd.is_empty() {
            continue;
        }
        with_both += 1;
        if !cisa.iter().any(|c| nvd.iter().any(|n| same_metrics(c, n))) {
            found.insert(m.key.clone());
            // Both sides kept, with provenance; the shown one is NVD's per the documented rule.
            assert!(m
                .scores
                .iter()
                .any(|s| s.tier == Tier::CsafAdvisory && s.document.is_some()));
            assert!(m.scores.iter().any(|s| s.tier == Tier::NvdPrimary));
            assert_eq!(m.shown_score().unwrap().tier, Tier::NvdPrimary, "{}", m.key);
            assert!(!m.disagreements().is_empty(), "{}", m.key);
        }
    }
    eprintln!(
        "merged {} records ({} NVD) into {} vulnerabilities; {} CVEs with both CISA and NVD v3 (CSV: {}); differing vectors: {} (CSV: {})",
        records.len(),
        n_nvd,
        merged.len(),
        with_both,
        both_in_csv,
        found.len(),
        expected.len()
    );
    assert_eq!(with_both, both_in_csv);
    assert_eq!(found, expected);
    assert!(!expected.is_empty());
}

//! The exploitability policy over real NVD data: every CVSS v3.x vector in
//! `03-nvd-cve/nvd-1.1-cvss-oracle.csv` (41,673 NVD pairs). The sub-score this
//! crate computes from the base metrics must round to NVD's published
//! exploitability score, and the default thresholds must put the unrounded
//! and NVD's rounded value in the same band (the claim in the policy docs).

use crate::common;
use postmarket_cvss::CvssV3;
use postmarket_risk::{ExploitabilityLevel, ExploitabilityPolicy};
use std::collections::BTreeMap;

#[test]
fn default_bands_agree_on_nvd_rounded_and_unrounded_subscores() {
    let Some(shared) = common::shared() else {
        return;
    };
    let path = shared.data.join("03-nvd-cve/nvd-1.1-cvss-oracle.csv");
    let text = common::read(&path);
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("header").split(',').collect();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("{}: no column {name}", path.display()))
    };
    let (vector_col, expl_col) = (col("cvss3_vector"), col("cvss3_exploitability_score"));

    let policy = ExploitabilityPolicy::default();
    let mut per_level: BTreeMap<ExploitabilityLevel, usize> = BTreeMap::new();
    let mut rows = 0;
    for line in lines {
        let f: Vec<&str> = line.split(',').collect();
        let (vector, nvd) = (f[vector_col], f[expl_col]);
        if vector.is_empty() {
            continue;
        }
        let nvd: f64 = nvd
            .parse()
            .unwrap_or_else(|e| panic!("{}: {line}: {e}", path.display()));
        // Strict parsing and the sub-score both come from the cvss crate, the
        // one the rubric and the CLI use.
        let ours = vector
            .parse::<CvssV3>()
            .unwrap_or_else(|e| panic!("{}: {vector}: {e}", path.display()))
            .exploitability_subscore_raw();
        assert!(
            (ours - nvd).abs() <= 0.05 + 1e-9,
            "{vector}: computed {ours:.4}, NVD {nvd}"
        );
        let level = policy.band(ours);
        assert_eq!(level, policy.band(nvd), "{vector}: {ours:.4} vs NVD {nvd}");
        *per_level.entry(level).or_default() += 1;
        rows += 1;
    }
    eprintln!("{rows} NVD v3 vectors, default bands: {per_level:?}");
    assert!(
        rows > 40_000,
        "expected the full NVD oracle, read {rows} rows"
    );
}

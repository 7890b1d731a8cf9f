//! Compares component counts with an independent oracle TSV (`oracle/check_counts.sh` writes it
//! and sets `POSTMARKET_SBOM_COUNTS`). Without the variable the test is skipped.
mod common;

use postmarket_sbom::{parse, ParseOptions};
use std::collections::BTreeMap;

#[test]
fn component_counts_match_oracle() {
    let Ok(tsv) = std::env::var("POSTMARKET_SBOM_COUNTS") else {
        eprintln!("skipped: POSTMARKET_SBOM_COUNTS not set (run oracle/check_counts.sh)");
        return;
    };
    let Some(root) = common::corpus() else {
        panic!(
            "POSTMARKET_SBOM_COUNTS is set but the corpus was not found (set POSTMARKET_CORPUS)"
        );
    };
    let text = std::fs::read_to_string(&tsv).expect("read POSTMARKET_SBOM_COUNTS file");
    let mut oracle: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let cols: Vec<&str> = line.split('\t').collect();
        let n: usize = cols
            .get(1)
            .and_then(|c| c.trim().parse().ok())
            .unwrap_or_else(|| panic!("bad TSV line: {line}"));
        oracle.insert(
            cols[0].to_string(),
            (n, cols.get(2).unwrap_or(&"").to_string()),
        );
    }
    let files = common::corpus_sboms(&root);
    let mut mismatches = Vec::new();
    eprintln!("{:<90} {:>7} {:>7}  method", "file", "rust", "oracle");
    for (rel, path) in &files {
        let p = parse(&std::fs::read(path).unwrap(), &ParseOptions::default())
            .unwrap_or_else(|e| panic!("{rel}: {e}"));
        let ours = p.sbom.components.len();
        match oracle.get(rel) {
            Some((n, m)) => {
                let flag = if *n == ours { "" } else { "  MISMATCH" };
                eprintln!("{rel:<90} {ours:>7} {n:>7}  {m}{flag}");
                if *n != ours {
                    mismatches.push(format!("{rel}: rust {ours}, oracle {n}"));
                }
            }
            None => mismatches.push(format!("{rel}: no oracle count")),
        }
    }
    for k in oracle.keys() {
        if !files.iter().any(|(r, _)| r == k) {
            mismatches.push(format!("{k}: in oracle TSV but not found by the test"));
        }
    }
    eprintln!(
        "{} files compared, {} mismatches",
        files.len(),
        mismatches.len()
    );
    assert!(
        mismatches.is_empty(),
        "component count mismatches:\n{}",
        mismatches.join("\n")
    );
}

//! Shared helpers for integration tests: locating the test corpus outside the crate.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The Postmarket test corpus (`shared/data`), or `None` after saying why the test skips.
pub fn corpus() -> Option<PathBuf> {
    postmarket_testing::corpus("postmarket-cvss")
}

/// A file inside the corpus; panics with a clear message if the corpus exists but the file
/// does not (a moved or missing corpus file is a failure, not a skip).
pub fn corpus_file(corpus: &Path, rel: &str) -> PathBuf {
    let p = corpus.join(rel);
    assert!(
        p.is_file(),
        "corpus file {} is missing (corpus at {})",
        p.display(),
        corpus.display()
    );
    p
}

/// Read a simple CSV (no quoted fields) into header + rows.
pub fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<String> = lines
        .next()
        .expect("empty CSV")
        .split(',')
        .map(str::to_string)
        .collect();
    assert!(
        !text.contains('"'),
        "{} has quoted fields; this reader does not handle them",
        path.display()
    );
    let rows = lines
        .filter(|l| !l.is_empty())
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// Index of a named column.
pub fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("column {name} not found in {header:?}"))
}

/// Parse a score field; `None` for an empty field or Python's `None`.
pub fn num(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.is_empty() || s == "None" {
        None
    } else {
        Some(
            s.parse()
                .unwrap_or_else(|e| panic!("bad number {s:?}: {e}")),
        )
    }
}

/// Scores are compared in tenths to avoid float-equality noise.
pub fn tenths(x: f64) -> i64 {
    (x * 10.0).round() as i64
}

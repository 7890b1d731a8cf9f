//! Locating the shared research corpus (`shared/data`) from tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// The corpus (`shared/data`), or `None` after saying why the test skips.
pub fn corpus() -> Option<PathBuf> {
    postmarket_testing::corpus("postmarket-sbom")
}

/// Every SBOM file of `05-sboms` (JSON, XML and `.spdx` tag-value), sorted, relative paths.
pub fn corpus_sboms(root: &std::path::Path) -> Vec<(String, PathBuf)> {
    let base = root.join("05-sboms");
    let mut out = Vec::new();
    let mut stack = vec![base.clone()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read corpus dir") {
            let p = e.expect("dir entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if let Some(ext) = p.extension().and_then(|x| x.to_str()) {
                if matches!(ext, "json" | "xml" | "spdx") {
                    let rel = p
                        .strip_prefix(&base)
                        .unwrap()
                        .to_string_lossy()
                        .replace('\\', "/");
                    out.push((rel, p));
                }
            }
        }
    }
    out.sort();
    out
}

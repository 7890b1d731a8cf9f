//! Locating the shared research corpus (`shared/data`) from tests.
#![allow(dead_code)]

use std::path::PathBuf;

/// The corpus (`shared/data`), or `None` after saying why the test skips.
pub fn corpus() -> Option<PathBuf> {
    postmarket_testing::corpus("postmarket-ident")
}

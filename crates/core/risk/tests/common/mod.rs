//! Locating the shared corpus (`../shared`) and small helpers for tests.
//!
//! The corpus lives outside the crate and is never copied in. It is found
//! like this:
//!
//! 1. `POSTMARKET_CORPUS`, if set, points at `shared/data`; the FDA folder is
//!    its sibling `../fda`. If that is not there, the test **fails**.
//! 2. Otherwise each ancestor `A` of `CARGO_MANIFEST_DIR` is tried, nearest
//!    first, and the first `A/../shared` that exists is used.
//! 3. If neither finds it, the test prints
//!    `skipped: ../shared not found (set POSTMARKET_CORPUS)` and returns.

use std::path::{Path, PathBuf};

/// The corpus folders.
pub struct Shared {
    /// `shared/` itself (DESIGN.md lives here).
    pub root: PathBuf,
    /// `shared/data`.
    pub data: PathBuf,
    /// `shared/fda`.
    pub fda: PathBuf,
}

/// Finds the corpus, or returns `None` after printing the skip line.
/// Panics when `POSTMARKET_CORPUS` is set but does not lead to it.
pub fn shared() -> Option<Shared> {
    let root = postmarket_testing::shared("postmarket-risk")?;
    let fda = root.join("fda");
    assert!(
        fda.is_dir(),
        "{} is missing beside the corpus",
        fda.display()
    );
    Some(Shared {
        data: root.join("data"),
        fda,
        root,
    })
}

/// Reads a corpus file, failing the test with the path when it cannot.
pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

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

use postmarket_risk::{
    AttackComplexity, AttackVector, BaseMetrics, Impact, PrivilegesRequired, Scope, UserInteraction,
};
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

/// Parses a CVSS v3.x base vector into typed metrics. Test-only: scoring and
/// strict parsing belong to the CVSS crate; this reads well-formed corpus
/// vectors and panics on anything else.
pub fn parse_v3_base(vector: &str) -> BaseMetrics {
    let mut parts = vector.split('/');
    let prefix = parts.next().unwrap_or_default();
    assert!(
        prefix == "CVSS:3.0" || prefix == "CVSS:3.1",
        "not a v3 vector: {vector}"
    );
    let mut m = BaseMetrics {
        av: AttackVector::Network,
        ac: AttackComplexity::Low,
        pr: PrivilegesRequired::None,
        ui: UserInteraction::None,
        s: Scope::Unchanged,
        c: Impact::None,
        i: Impact::None,
        a: Impact::None,
    };
    let mut seen = 0;
    for part in parts {
        let (k, v) = part
            .split_once(':')
            .unwrap_or_else(|| panic!("bad metric {part} in {vector}"));
        fn bad_value(part: &str, vector: &str) -> ! {
            panic!("bad value {part} in {vector}")
        }
        let impact = |v: &str| match v {
            "N" => Impact::None,
            "L" => Impact::Low,
            "H" => Impact::High,
            _ => bad_value(part, vector),
        };
        match k {
            "AV" => {
                m.av = match v {
                    "N" => AttackVector::Network,
                    "A" => AttackVector::Adjacent,
                    "L" => AttackVector::Local,
                    "P" => AttackVector::Physical,
                    _ => bad_value(part, vector),
                }
            }
            "AC" => {
                m.ac = match v {
                    "L" => AttackComplexity::Low,
                    "H" => AttackComplexity::High,
                    _ => bad_value(part, vector),
                }
            }
            "PR" => {
                m.pr = match v {
                    "N" => PrivilegesRequired::None,
                    "L" => PrivilegesRequired::Low,
                    "H" => PrivilegesRequired::High,
                    _ => bad_value(part, vector),
                }
            }
            "UI" => {
                m.ui = match v {
                    "N" => UserInteraction::None,
                    "R" => UserInteraction::Required,
                    _ => bad_value(part, vector),
                }
            }
            "S" => {
                m.s = match v {
                    "U" => Scope::Unchanged,
                    "C" => Scope::Changed,
                    _ => bad_value(part, vector),
                }
            }
            "C" => m.c = impact(v),
            "I" => m.i = impact(v),
            "A" => m.a = impact(v),
            // Temporal and environmental metrics do not change the base.
            _ => continue,
        }
        seen += 1;
    }
    assert_eq!(seen, 8, "incomplete base vector {vector}");
    m
}

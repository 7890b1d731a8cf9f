//! CVSS parsing and scoring for Postmarket.
//!
//! * **CVSS 3.0 / 3.1** — base, temporal and environmental scores, impact and
//!   exploitability sub-scores, qualitative severity; exact per the FIRST specifications,
//!   including the 3.1 `Roundup` function (Appendix A) and 3.0's ceiling rounding.
//!   Typed base metrics ([`V3Base`]) can be read and used to build a vector.
//! * **CVSS 4.0** — CVSS-B / BT / BE / BTE through the official macro-vector (EQ1…EQ6)
//!   lookup table and the FIRST interpolation algorithm; the table is generated from the
//!   FIRST calculator data into `src/v4_tables.rs` by `scripts/gen_v4_tables.py`.
//! * **CVSS 2.0** — base (and temporal / environmental) scores for old NVD records.
//!
//! ```
//! use postmarket_cvss::Vector;
//! let v: Vector = "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H".parse().unwrap();
//! let s = v.scores();
//! assert_eq!(s.base, 9.6);
//! assert_eq!(s.severity.as_str(), "Critical");
//! ```
//!
//! # Parsing rules
//!
//! Strict on everything except metric order:
//!
//! * The prefix must be exactly `CVSS:3.0/`, `CVSS:3.1/` or `CVSS:4.0/` and must come first;
//!   a vector without prefix is CVSS 2.0. Case matters; no whitespace is trimmed.
//! * Every component must be `METRIC:VALUE` with a metric and value of that version;
//!   no metric may repeat; all base metrics must be present, and a base metric cannot be
//!   Not Defined (`X` / `ND`). Empty components (`//`, trailing `/`) are refused.
//! * **Order is not checked.** The CVSS 3.x specifications allow any order (the table order
//!   is only preferred). The CVSS 4.0 specification both lists a fixed order and says
//!   metrics may appear in any order; real data (e.g. GitHub advisories) contains
//!   re-ordered 4.0 vectors, so they are accepted. The normalised vector
//!   ([`Scores::vector`], `Display`) is always written in specification order with
//!   Not Defined metrics left out.
//!
//! Every refusal is a [`CvssError`] naming the offending metric, value or component.

#![warn(missing_docs)]

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

mod error;
mod parse;
pub mod round;
mod v2;
mod v3;
mod v4;
#[rustfmt::skip]
mod v4_tables;

pub use error::CvssError;
pub use v2::CvssV2;
pub use v3::{
    AttackComplexity, AttackVector, CvssV3, ExploitCodeMaturity, Impact, PrivilegesRequired,
    RemediationLevel, ReportConfidence, Requirement, Scope, UserInteraction, V3Base,
    V3Environmental, V3Minor, V3Temporal,
};
pub use v4::{CvssV4, Nomenclature};

/// CVSS specification version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Version {
    /// CVSS v2.0.
    #[serde(rename = "2.0")]
    V2_0,
    /// CVSS v3.0.
    #[serde(rename = "3.0")]
    V3_0,
    /// CVSS v3.1.
    #[serde(rename = "3.1")]
    V3_1,
    /// CVSS v4.0.
    #[serde(rename = "4.0")]
    V4_0,
}

impl Version {
    /// `"2.0"`, `"3.0"`, `"3.1"` or `"4.0"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Version::V2_0 => "2.0",
            Version::V3_0 => "3.0",
            Version::V3_1 => "3.1",
            Version::V4_0 => "4.0",
        }
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Qualitative severity rating (CVSS 3.x / 4.0 scale; see [`CvssV2::severity`] for 2.0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum Severity {
    /// 0.0
    None,
    /// 0.1 – 3.9
    Low,
    /// 4.0 – 6.9
    Medium,
    /// 7.0 – 8.9
    High,
    /// 9.0 – 10.0
    Critical,
}

impl Severity {
    /// Rating of a CVSS 3.x / 4.0 score.
    pub fn from_score(score: f64) -> Self {
        let t = (score * 10.0).round() as i64;
        match t {
            i64::MIN..=0 => Severity::None,
            1..=39 => Severity::Low,
            40..=69 => Severity::Medium,
            70..=89 => Severity::High,
            _ => Severity::Critical,
        }
    }

    /// NVD's rating of a CVSS 2.0 score: Low 0.0–3.9, Medium 4.0–6.9, High 7.0–10.0.
    pub fn from_v2_score(score: f64) -> Self {
        let t = (score * 10.0).round() as i64;
        match t {
            i64::MIN..=39 => Severity::Low,
            40..=69 => Severity::Medium,
            _ => Severity::High,
        }
    }

    /// `"None"`, `"Low"`, `"Medium"`, `"High"` or `"Critical"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::None => "None",
            Severity::Low => "Low",
            Severity::Medium => "Medium",
            Severity::High => "High",
            Severity::Critical => "Critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Every score of a vector. Serialises to exactly the keys
/// `vector, version, base, temporal, environmental, impact, exploitability, severity,
/// nomenclature`, with `null` where a score does not apply.
///
/// * 3.x / 2.0: `temporal` / `environmental` are set only when the vector defines a metric of
///   that group; `impact` / `exploitability` are the base sub-scores rounded half up to one
///   decimal (as NVD publishes them); `severity` rates the base score; no `nomenclature`.
/// * 4.0: the single CVSS 4.0 score is `base`, `nomenclature` says which groups it covers
///   (`CVSS-B`, `CVSS-BT`, `CVSS-BE`, `CVSS-BTE`); `severity` rates that score; the other
///   scores are `null`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scores {
    /// The normalised vector string.
    pub vector: String,
    /// CVSS version.
    pub version: Version,
    /// Base score (4.0: the score named by `nomenclature`).
    pub base: f64,
    /// Temporal score.
    pub temporal: Option<f64>,
    /// Environmental score.
    pub environmental: Option<f64>,
    /// Impact sub-score.
    pub impact: Option<f64>,
    /// Exploitability sub-score.
    pub exploitability: Option<f64>,
    /// Qualitative severity.
    pub severity: Severity,
    /// CVSS 4.0 nomenclature.
    pub nomenclature: Option<String>,
}

impl Scores {
    /// The scores as a JSON string (the `postmarket cvss --json` shape).
    pub fn to_json(&self) -> String {
        // Serialising plain numbers, strings and options cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// A parsed CVSS vector of any supported version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Vector {
    /// CVSS 2.0.
    V2(CvssV2),
    /// CVSS 3.0 or 3.1.
    V3(CvssV3),
    /// CVSS 4.0.
    V4(CvssV4),
}

impl Vector {
    /// The CVSS version.
    pub fn version(&self) -> Version {
        match self {
            Vector::V2(_) => Version::V2_0,
            Vector::V3(v) => match v.minor {
                V3Minor::V3_0 => Version::V3_0,
                V3Minor::V3_1 => Version::V3_1,
            },
            Vector::V4(_) => Version::V4_0,
        }
    }

    /// All scores of this vector.
    pub fn scores(&self) -> Scores {
        match self {
            Vector::V2(v) => v.scores(),
            Vector::V3(v) => v.scores(),
            Vector::V4(v) => v.scores(),
        }
    }

    /// Like [`Self::scores`], but for 2.0 and 3.x `temporal` and `environmental` are always
    /// computed (Not Defined metrics neutral), as the FIRST calculators display them.
    /// 4.0 is unchanged (its single score already covers the groups present).
    pub fn scores_full(&self) -> Scores {
        match self {
            Vector::V2(v) => v.scores_full(),
            Vector::V3(v) => v.scores_full(),
            Vector::V4(v) => v.scores(),
        }
    }

    /// The CVSS 3.x vector, if this is one.
    pub fn as_v3(&self) -> Option<&CvssV3> {
        match self {
            Vector::V3(v) => Some(v),
            _ => None,
        }
    }

    /// The CVSS 4.0 vector, if this is one.
    pub fn as_v4(&self) -> Option<&CvssV4> {
        match self {
            Vector::V4(v) => Some(v),
            _ => None,
        }
    }

    /// The CVSS 2.0 vector, if this is one.
    pub fn as_v2(&self) -> Option<&CvssV2> {
        match self {
            Vector::V2(v) => Some(v),
            _ => None,
        }
    }
}

impl FromStr for Vector {
    type Err = CvssError;

    fn from_str(s: &str) -> Result<Self, CvssError> {
        if s.trim().is_empty() {
            return Err(CvssError::Empty);
        }
        let (first, rest) = match s.split_once('/') {
            Some((f, r)) => (f, Some(r)),
            None => (s, None),
        };
        if let Some(version) = first.strip_prefix("CVSS:") {
            let body = match (version, rest) {
                ("3.0" | "3.1" | "4.0", Some(body)) => body,
                ("3.0" | "3.1", None) => {
                    return Err(CvssError::MissingMetric {
                        version: if version == "3.0" { "3.0" } else { "3.1" },
                        metric: "AV",
                    })
                }
                ("4.0", None) => {
                    return Err(CvssError::MissingMetric {
                        version: "4.0",
                        metric: "AV",
                    })
                }
                _ => {
                    return Err(CvssError::UnsupportedVersion {
                        version: version.to_string(),
                    })
                }
            };
            return match version {
                "3.0" => CvssV3::parse_body(V3Minor::V3_0, body).map(Vector::V3),
                "3.1" => CvssV3::parse_body(V3Minor::V3_1, body).map(Vector::V3),
                _ => CvssV4::parse_body(body).map(Vector::V4),
            };
        }
        if first.len() >= 4 && first[..4].eq_ignore_ascii_case("cvss") {
            return Err(CvssError::BadPrefix {
                found: first.to_string(),
            });
        }
        CvssV2::parse_body(s).map(Vector::V2)
    }
}

impl fmt::Display for Vector {
    /// The normalised vector string.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Vector::V2(v) => v.fmt(f),
            Vector::V3(v) => v.fmt(f),
            Vector::V4(v) => v.fmt(f),
        }
    }
}

/// Parse and score in one step.
pub fn score(vector: &str) -> Result<Scores, CvssError> {
    Ok(vector.parse::<Vector>()?.scores())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_shape() {
        let s = score("CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H").unwrap();
        let j: serde_json::Value = serde_json::from_str(&s.to_json()).unwrap();
        let keys: Vec<&str> = j.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        let mut expect = vec![
            "vector",
            "version",
            "base",
            "temporal",
            "environmental",
            "impact",
            "exploitability",
            "severity",
            "nomenclature",
        ];
        let mut got = keys.clone();
        got.sort();
        expect.sort();
        assert_eq!(got, expect);
        assert_eq!(j["version"], "3.1");
        assert_eq!(j["base"], 9.6);
        assert!(j["temporal"].is_null());
        assert!(j["nomenclature"].is_null());
        assert_eq!(j["severity"], "Critical");
        assert_eq!(j["exploitability"], 2.8);
        assert_eq!(j["impact"], 6.0);

        let s =
            score("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:U").unwrap();
        let j: serde_json::Value = serde_json::from_str(&s.to_json()).unwrap();
        assert_eq!(j["nomenclature"], "CVSS-BT");
        assert!(j["impact"].is_null());
        assert_eq!(j["version"], "4.0");
    }

    #[test]
    fn severity_bounds() {
        assert_eq!(Severity::from_score(0.0), Severity::None);
        assert_eq!(Severity::from_score(0.1), Severity::Low);
        assert_eq!(Severity::from_score(3.9), Severity::Low);
        assert_eq!(Severity::from_score(4.0), Severity::Medium);
        assert_eq!(Severity::from_score(6.9), Severity::Medium);
        assert_eq!(Severity::from_score(7.0), Severity::High);
        assert_eq!(Severity::from_score(8.9), Severity::High);
        assert_eq!(Severity::from_score(9.0), Severity::Critical);
        assert_eq!(Severity::from_score(10.0), Severity::Critical);
        assert_eq!(Severity::from_v2_score(0.0), Severity::Low);
        assert_eq!(Severity::from_v2_score(7.0), Severity::High);
    }
}

//! Severity of patient harm: the five ISO 14971 levels FDA cites
//! (postmarket guidance, 2016, §VI.B), and the confidentiality-only flag.
//!
//! A confidentiality-only (PHI) impact is **not** patient harm (§IV.F,
//! §VII.A): it is carried as a separate flag so that clinical severity and
//! data-breach impact are never mixed, and a change made for it alone is a
//! routine update.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Severity of patient harm if the vulnerability were exploited.
///
/// Ordered from least to most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", try_from = "String")]
pub enum HarmSeverity {
    /// Inconvenience or temporary discomfort.
    Negligible,
    /// Temporary injury or impairment not requiring professional medical
    /// intervention.
    Minor,
    /// Injury or impairment requiring professional medical intervention.
    Serious,
    /// Permanent impairment or life-threatening injury.
    Critical,
    /// Patient death.
    Catastrophic,
}

impl HarmSeverity {
    /// All five, least severe first.
    pub const ALL: [HarmSeverity; 5] = [
        HarmSeverity::Negligible,
        HarmSeverity::Minor,
        HarmSeverity::Serious,
        HarmSeverity::Critical,
        HarmSeverity::Catastrophic,
    ];

    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            HarmSeverity::Negligible => "negligible",
            HarmSeverity::Minor => "minor",
            HarmSeverity::Serious => "serious",
            HarmSeverity::Critical => "critical",
            HarmSeverity::Catastrophic => "catastrophic",
        }
    }

    /// The ISO 14971 definition as DESIGN.md §4 and FDA's guidance give it.
    pub fn definition(self) -> &'static str {
        match self {
            HarmSeverity::Negligible => "inconvenience or temporary discomfort",
            HarmSeverity::Minor => {
                "temporary injury or impairment not requiring professional medical intervention"
            }
            HarmSeverity::Serious => {
                "injury or impairment requiring professional medical intervention"
            }
            HarmSeverity::Critical => "permanent impairment or life-threatening injury",
            HarmSeverity::Catastrophic => "patient death",
        }
    }
}

impl fmt::Display for HarmSeverity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for HarmSeverity {
    type Error = Error;
    fn try_from(s: String) -> Result<Self> {
        s.parse()
    }
}

impl FromStr for HarmSeverity {
    type Err = Error;

    /// Accepts the five names, ignoring ASCII case and surrounding spaces.
    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim();
        HarmSeverity::ALL
            .into_iter()
            .find(|h| h.as_str().eq_ignore_ascii_case(t))
            .ok_or_else(|| Error::UnknownHarmLevel {
                value: s.to_string(),
            })
    }
}

/// The harm axis of an assessment, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HarmAssessment {
    /// The severity level.
    pub severity: HarmSeverity,
    /// Its definition, so the record reads on its own.
    pub definition: &'static str,
    /// The impact is on confidentiality (PHI) only.
    pub confidentiality_only: bool,
    /// Whether the record concerns patient harm at all; false when
    /// confidentiality-only.
    pub patient_harm: bool,
}

impl HarmAssessment {
    /// Records the harm axis. A confidentiality-only impact with a severity
    /// above negligible contradicts itself and is refused.
    pub fn new(severity: HarmSeverity, confidentiality_only: bool) -> Result<Self> {
        if confidentiality_only && severity > HarmSeverity::Negligible {
            return Err(Error::ConflictingHarm {
                harm: severity.to_string(),
            });
        }
        Ok(Self {
            severity,
            definition: severity.definition(),
            confidentiality_only,
            patient_harm: !confidentiality_only,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_each_level_case_insensitively() {
        for h in HarmSeverity::ALL {
            assert_eq!(h.as_str().parse::<HarmSeverity>().unwrap(), h);
            assert_eq!(
                h.as_str().to_uppercase().parse::<HarmSeverity>().unwrap(),
                h
            );
        }
    }

    #[test]
    fn unknown_level_is_refused_with_the_list() {
        let err = "severe".parse::<HarmSeverity>().unwrap_err();
        assert_eq!(
            err,
            Error::UnknownHarmLevel {
                value: "severe".into()
            }
        );
        assert!(err.to_string().contains("negligible, minor, serious"));
    }

    #[test]
    fn levels_are_ordered() {
        assert!(HarmSeverity::ALL.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn confidentiality_only_is_not_patient_harm() {
        let h = HarmAssessment::new(HarmSeverity::Negligible, true).unwrap();
        assert!(!h.patient_harm);
        let err = HarmAssessment::new(HarmSeverity::Serious, true).unwrap_err();
        assert!(matches!(err, Error::ConflictingHarm { .. }));
    }
}

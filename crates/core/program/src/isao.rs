//! ISAO participation as evidence (postmarket guidance §IX): the enforcement-discretion
//! condition 4 needs an *active participating* member, judged by four criteria, each of which
//! the manufacturer keeps objective evidence for.

use postmarket_model::Date;
use serde::{Deserialize, Serialize};

use crate::ProgramError;

/// The four participation criteria of §IX.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IsaoCriterion {
    /// 1. Member of an ISAO that shares medical-device vulnerabilities and threats.
    Membership,
    /// 2. The ISAO has documented policies (participant agreements, processes, privacy).
    DocumentedPolicies,
    /// 3. The manufacturer shares vulnerability information, customer communications included.
    SharesInformation,
    /// 4. Documented processes for ISAO intelligence, traceable to device risk assessments.
    RiskTraceableProcesses,
}

impl IsaoCriterion {
    pub const ALL: [IsaoCriterion; 4] = [
        Self::Membership,
        Self::DocumentedPolicies,
        Self::SharesInformation,
        Self::RiskTraceableProcesses,
    ];

    pub fn describe(self) -> &'static str {
        match self {
            Self::Membership => "member of an ISAO that shares medical-device vulnerabilities and threats",
            Self::DocumentedPolicies => "the ISAO has documented policies (participant agreements, business processes, operating procedures, privacy)",
            Self::SharesInformation => "the manufacturer shares vulnerability information, customer communications included",
            Self::RiskTraceableProcesses => "documented processes for assessing and responding to ISAO intelligence, traceable to device risk assessments",
        }
    }
}

/// One criterion with its evidence (a document reference or a sentence).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CriterionEvidence {
    pub criterion: IsaoCriterion,
    pub evidence: String,
}

/// The manufacturer's membership of one ISAO, kept in the program settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IsaoMembership {
    /// The ISAO's name, e.g. "Health-ISAC".
    pub name: String,
    pub member_since: Date,
    /// The last day of membership, when it ended or will end.
    #[serde(default)]
    pub member_until: Option<Date>,
    pub criteria: Vec<CriterionEvidence>,
}

impl IsaoMembership {
    /// Refuses a membership without a name, with an end before its start, or without evidence
    /// for each of the four criteria (named).
    pub fn validate(&self) -> Result<(), ProgramError> {
        if self.name.trim().is_empty() {
            return Err(ProgramError::Invalid("the ISAO needs a name".into()));
        }
        if let Some(until) = self.member_until {
            if until < self.member_since {
                return Err(ProgramError::Invalid(format!(
                    "ISAO membership ends ({until}) before it starts ({})",
                    self.member_since
                )));
            }
        }
        for c in IsaoCriterion::ALL {
            let ok = self
                .criteria
                .iter()
                .any(|e| e.criterion == c && !e.evidence.trim().is_empty());
            if !ok {
                return Err(ProgramError::Invalid(format!(
                    "ISAO membership {:?} has no evidence for criterion {} ({})",
                    self.name,
                    serde_json::to_value(c)
                        .ok()
                        .and_then(|v| v.as_str().map(String::from))
                        .unwrap_or_default(),
                    c.describe()
                )));
            }
        }
        Ok(())
    }

    /// Whether the membership was active on `day`: `Ok` with what it rests on, or `Err` with why
    /// not.
    pub fn active_on(&self, day: Date) -> Result<String, String> {
        if let Err(e) = self.validate() {
            return Err(e.to_string());
        }
        if day < self.member_since {
            return Err(format!(
                "{} membership starts on {}, after {day}",
                self.name, self.member_since
            ));
        }
        if let Some(until) = self.member_until {
            if day > until {
                return Err(format!(
                    "{} membership lapsed on {until}, before {day}",
                    self.name
                ));
            }
        }
        Ok(format!(
            "active member of {} since {} with evidence for all four participation criteria",
            self.name, self.member_since
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn membership(until: Option<&str>) -> IsaoMembership {
        IsaoMembership {
            name: "Health-ISAC".into(),
            member_since: "2025-01-01".parse().unwrap(),
            member_until: until.map(|u| u.parse().unwrap()),
            criteria: IsaoCriterion::ALL
                .iter()
                .map(|&criterion| CriterionEvidence {
                    criterion,
                    evidence: format!("QMS-ISAO-{criterion:?}"),
                })
                .collect(),
        }
    }

    #[test]
    fn active_within_the_period_only() {
        let m = membership(Some("2026-01-31"));
        assert!(m.active_on("2026-01-31".parse().unwrap()).is_ok());
        let e = m.active_on("2026-02-01".parse().unwrap()).unwrap_err();
        assert!(e.contains("lapsed on 2026-01-31"), "{e}");
        assert!(m.active_on("2024-12-31".parse().unwrap()).is_err());
    }

    #[test]
    fn every_criterion_needs_evidence() {
        let mut m = membership(None);
        m.criteria
            .retain(|c| c.criterion != IsaoCriterion::RiskTraceableProcesses);
        let e = m.validate().unwrap_err().to_string();
        assert!(e.contains("risk-traceable-processes"), "{e}");
        assert!(m.active_on("2026-01-01".parse().unwrap()).is_err());
    }
}

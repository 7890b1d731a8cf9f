//! The binary decision FDA asks for: controlled or uncontrolled
//! (postmarket guidance 2016 §VI.C: "in all cases … make a binary
//! determination … using an established process").
//!
//! The process, in order:
//!
//! 1. A confidentiality-only impact is not patient harm (§IV.F, §VII.A): the
//!    risk is **controlled** and the fix a routine update, whatever the
//!    matrix says.
//! 2. Otherwise the approved matrix cell at (exploitability, severity)
//!    decides: C → controlled, U → uncontrolled.
//! 3. An R cell needs the analyst's choice with a rationale; without it the
//!    decision is refused.
//!
//! An analyst choice given where the process already decides must agree with
//! it: the way to a different outcome is an exploitability override (with its
//! rationale) or a new, approved matrix, both of which leave a trace. Controls
//! already in place count in the assessment (§VII), so they are recorded with
//! the decision, and a residual-risk re-assessment after interim compensating
//! controls can be added later without changing the initial determination
//! (FDA example VII.B-3).

use crate::error::{require_rationale, Error, Result};
use crate::exploitability::{ExploitabilityAssessment, ExploitabilityLevel};
use crate::harm::{HarmAssessment, HarmSeverity};
use crate::matrix::{Approval, ApprovedMatrix, CellValue, MatrixCell};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Controlled or uncontrolled risk of patient harm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", try_from = "String")]
pub enum Risk {
    /// Sufficiently low (acceptable) residual risk of patient harm.
    Controlled,
    /// Unacceptable residual risk of patient harm due to inadequate
    /// compensating controls and risk mitigations.
    Uncontrolled,
}

impl Risk {
    /// The lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Risk::Controlled => "controlled",
            Risk::Uncontrolled => "uncontrolled",
        }
    }
}

impl fmt::Display for Risk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for Risk {
    type Error = String;
    fn try_from(s: String) -> std::result::Result<Self, String> {
        s.parse()
    }
}

impl FromStr for Risk {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "controlled" => Ok(Risk::Controlled),
            "uncontrolled" => Ok(Risk::Uncontrolled),
            _ => Err(format!(
                "unknown risk '{s}' (expected controlled or uncontrolled)"
            )),
        }
    }
}

/// The analyst's choice for an R cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnalystChoice {
    /// The chosen risk.
    pub risk: Risk,
    /// Why. Must not be empty.
    pub rationale: String,
}

/// What settled the risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DecisionBasis {
    /// A C or U cell of the approved matrix.
    MatrixCell,
    /// An R cell and the analyst's justified choice.
    AnalystChoiceOnRCell,
    /// Confidentiality-only impact: not patient harm, controlled.
    ConfidentialityOnly,
}

/// The kind of change the fix is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChangeType {
    /// Controlled: a cybersecurity routine update or patch, a device
    /// enhancement, generally not reportable under 21 CFR 806.
    RoutineUpdate,
    /// Uncontrolled: a correction under 21 CFR 806 (reportable unless the
    /// enforcement-discretion conditions hold).
    Correction,
}

/// A residual-risk re-assessment after interim compensating controls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResidualReassessment {
    /// The interim compensating controls it rests on (at least one).
    pub interim_controls: Vec<String>,
    /// The residual risk with those controls in place.
    pub residual_risk: Risk,
    /// Why. Must not be empty.
    pub rationale: String,
    /// Day after T0 the controls were in place, if known.
    #[serde(default)]
    pub day: Option<u32>,
}

/// Input to [`decide`].
#[derive(Debug, Clone, Copy)]
pub struct DecisionInput<'a> {
    /// The exploitability axis.
    pub exploitability: &'a ExploitabilityAssessment,
    /// The harm axis.
    pub harm: &'a HarmAssessment,
    /// The approved matrix.
    pub matrix: &'a ApprovedMatrix,
    /// For R cells, the analyst's choice and rationale.
    pub analyst_choice: Option<&'a AnalystChoice>,
    /// Compensating controls already in place.
    pub compensating_controls: &'a [String],
    /// The written rationale of the assessment. Must not be empty.
    pub rationale: &'a str,
}

/// The decision, as recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RiskDecision {
    /// Controlled or uncontrolled: the initial determination.
    pub risk: Risk,
    /// What settled it.
    pub basis: DecisionBasis,
    /// The matrix cell consulted.
    pub cell: MatrixCell,
    /// Exploitability level used.
    pub exploitability: ExploitabilityLevel,
    /// Harm severity used.
    pub harm: HarmSeverity,
    /// Confidentiality-only impact.
    pub confidentiality_only: bool,
    /// The analyst's choice, when given.
    pub analyst_choice: Option<AnalystChoice>,
    /// Compensating controls already in place.
    pub compensating_controls: Vec<String>,
    /// The written rationale.
    pub rationale: String,
    /// The kind of change the fix is.
    pub change_type: ChangeType,
    /// Matrix version used.
    pub matrix_version: u32,
    /// Its approval.
    pub matrix_approval: Approval,
    /// Exploitability policy version used.
    pub policy_version: u32,
    /// Residual-risk re-assessments, oldest first.
    pub residual: Vec<ResidualReassessment>,
}

impl RiskDecision {
    /// The risk as it stands: the last residual re-assessment, or the
    /// initial determination.
    pub fn current_risk(&self) -> Risk {
        self.residual
            .last()
            .map(|r| r.residual_risk)
            .unwrap_or(self.risk)
    }

    /// Records a residual-risk re-assessment after interim compensating
    /// controls. Only an uncontrolled risk is re-assessed this way; the
    /// re-assessment needs its controls and a rationale. The initial
    /// determination is kept: it is what the reporting rules look at.
    pub fn record_residual(&mut self, r: ResidualReassessment) -> Result<()> {
        if self.risk != Risk::Uncontrolled {
            return Err(Error::InvalidResidual {
                reason: "the initial risk is controlled; a residual re-assessment applies to an uncontrolled risk".into(),
            });
        }
        if r.interim_controls.iter().all(|c| c.trim().is_empty()) {
            return Err(Error::InvalidResidual {
                reason: "it names no interim compensating control".into(),
            });
        }
        require_rationale(&r.rationale, "a residual-risk re-assessment")?;
        self.residual.push(r);
        Ok(())
    }
}

/// Decides controlled or uncontrolled (see the module docs).
pub fn decide(input: &DecisionInput<'_>) -> Result<RiskDecision> {
    require_rationale(input.rationale, "a risk decision")?;
    let level = input.exploitability.level;
    let severity = input.harm.severity;
    let cell = input.matrix.lookup(level, severity);

    let (risk, basis) = if input.harm.confidentiality_only {
        (Risk::Controlled, DecisionBasis::ConfidentialityOnly)
    } else {
        match cell.value {
            CellValue::Controlled => (Risk::Controlled, DecisionBasis::MatrixCell),
            CellValue::Uncontrolled => (Risk::Uncontrolled, DecisionBasis::MatrixCell),
            CellValue::AnalystChoice => {
                let choice =
                    input
                        .analyst_choice
                        .ok_or_else(|| Error::AnalystDecisionRequired {
                            row: level.to_string(),
                            column: severity.to_string(),
                        })?;
                (choice.risk, DecisionBasis::AnalystChoiceOnRCell)
            }
        }
    };

    if let Some(choice) = input.analyst_choice {
        require_rationale(
            &choice.rationale,
            format!("the analyst's decision on cell '{level}' × '{severity}'"),
        )?;
        if choice.risk != risk {
            let basis_text = match basis {
                DecisionBasis::ConfidentialityOnly => {
                    "confidentiality-only impact is not patient harm".to_string()
                }
                _ => format!(
                    "cell '{level}' × '{severity}' is {} in matrix version {}",
                    cell.value,
                    input.matrix.version()
                ),
            };
            return Err(Error::AnalystDecisionConflicts {
                chosen: choice.risk.to_string(),
                decided: risk.to_string(),
                basis: basis_text,
            });
        }
    }

    Ok(RiskDecision {
        risk,
        basis,
        cell,
        exploitability: level,
        harm: severity,
        confidentiality_only: input.harm.confidentiality_only,
        analyst_choice: input.analyst_choice.cloned(),
        compensating_controls: input.compensating_controls.to_vec(),
        rationale: input.rationale.to_string(),
        change_type: match risk {
            Risk::Controlled => ChangeType::RoutineUpdate,
            Risk::Uncontrolled => ChangeType::Correction,
        },
        matrix_version: input.matrix.version(),
        matrix_approval: input.matrix.approval().clone(),
        policy_version: input.exploitability.policy_version,
        residual: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exploitability::{AnalystOverride, ExploitabilityInput, ExploitabilityPolicy};
    use crate::matrix::RiskMatrix;
    use time::macros::datetime;

    fn exploitability(level: ExploitabilityLevel) -> ExploitabilityAssessment {
        ExploitabilityPolicy::default()
            .assess(&ExploitabilityInput {
                analyst_override: Some(AnalystOverride {
                    level,
                    rationale: "test".into(),
                }),
                ..Default::default()
            })
            .unwrap()
    }

    fn matrix() -> ApprovedMatrix {
        RiskMatrix::fda_default()
            .approve("QA/RA", datetime!(2026-01-15 09:30 UTC))
            .unwrap()
    }

    fn run(
        level: ExploitabilityLevel,
        harm: HarmSeverity,
        conf_only: bool,
        choice: Option<AnalystChoice>,
    ) -> Result<RiskDecision> {
        let e = exploitability(level);
        let h = HarmAssessment::new(harm, conf_only)?;
        let m = matrix();
        decide(&DecisionInput {
            exploitability: &e,
            harm: &h,
            matrix: &m,
            analyst_choice: choice.as_ref(),
            compensating_controls: &["network segmentation".to_string()],
            rationale: "test rationale",
        })
    }

    fn choice(risk: Risk, rationale: &str) -> Option<AnalystChoice> {
        Some(AnalystChoice {
            risk,
            rationale: rationale.into(),
        })
    }

    #[test]
    fn c_and_u_cells_decide_and_record_versions() {
        let d = run(
            ExploitabilityLevel::High,
            HarmSeverity::Serious,
            false,
            None,
        )
        .unwrap();
        assert_eq!(d.risk, Risk::Uncontrolled);
        assert_eq!(d.basis, DecisionBasis::MatrixCell);
        assert_eq!(d.change_type, ChangeType::Correction);
        assert_eq!((d.matrix_version, d.policy_version), (1, 1));
        assert_eq!(d.compensating_controls, ["network segmentation"]);
        let d = run(ExploitabilityLevel::Low, HarmSeverity::Serious, false, None).unwrap();
        assert_eq!(d.risk, Risk::Controlled);
        assert_eq!(d.change_type, ChangeType::RoutineUpdate);
    }

    #[test]
    fn r_cell_needs_choice_and_rationale() {
        let err = run(
            ExploitabilityLevel::Medium,
            HarmSeverity::Serious,
            false,
            None,
        )
        .unwrap_err();
        assert_eq!(
            err,
            Error::AnalystDecisionRequired {
                row: "medium".into(),
                column: "serious".into()
            }
        );
        let err = run(
            ExploitabilityLevel::Low,
            HarmSeverity::Critical,
            false,
            choice(Risk::Controlled, ""),
        )
        .unwrap_err();
        assert!(matches!(err, Error::MissingRationale { .. }), "{err}");
        let d = run(
            ExploitabilityLevel::Low,
            HarmSeverity::Critical,
            false,
            choice(Risk::Controlled, "design prevents remote firmware download"),
        )
        .unwrap();
        assert_eq!(
            (d.risk, d.basis),
            (Risk::Controlled, DecisionBasis::AnalystChoiceOnRCell)
        );
    }

    #[test]
    fn choice_against_a_decided_cell_is_refused() {
        let err = run(
            ExploitabilityLevel::High,
            HarmSeverity::Catastrophic,
            false,
            choice(Risk::Controlled, "we think it is fine"),
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("is U in matrix version 1"),
            "{err}"
        );
        // Agreeing is accepted and recorded.
        let d = run(
            ExploitabilityLevel::High,
            HarmSeverity::Catastrophic,
            false,
            choice(Risk::Uncontrolled, "agreed"),
        )
        .unwrap();
        assert!(d.analyst_choice.is_some());
    }

    #[test]
    fn confidentiality_only_is_controlled_routine_update() {
        let d = run(
            ExploitabilityLevel::High,
            HarmSeverity::Negligible,
            true,
            None,
        )
        .unwrap();
        assert_eq!(d.risk, Risk::Controlled);
        assert_eq!(d.basis, DecisionBasis::ConfidentialityOnly);
        assert_eq!(d.change_type, ChangeType::RoutineUpdate);
        let err = run(
            ExploitabilityLevel::High,
            HarmSeverity::Negligible,
            true,
            choice(Risk::Uncontrolled, "PHI breach"),
        )
        .unwrap_err();
        assert!(err.to_string().contains("not patient harm"), "{err}");
    }

    #[test]
    fn empty_rationale_is_refused() {
        let e = exploitability(ExploitabilityLevel::Low);
        let h = HarmAssessment::new(HarmSeverity::Minor, false).unwrap();
        let m = matrix();
        let err = decide(&DecisionInput {
            exploitability: &e,
            harm: &h,
            matrix: &m,
            analyst_choice: None,
            compensating_controls: &[],
            rationale: "\n",
        })
        .unwrap_err();
        assert_eq!(
            err,
            Error::MissingRationale {
                what: "a risk decision".into()
            }
        );
    }

    #[test]
    fn residual_reassessment_after_interim_controls() {
        let mut d = run(
            ExploitabilityLevel::Medium,
            HarmSeverity::Serious,
            false,
            choice(Risk::Uncontrolled, "no mitigation in the design"),
        )
        .unwrap();
        let r = ResidualReassessment {
            interim_controls: vec!["disconnect from the hospital network".into()],
            residual_risk: Risk::Controlled,
            rationale: "no network path remains".into(),
            day: Some(28),
        };
        d.record_residual(r.clone()).unwrap();
        assert_eq!(d.risk, Risk::Uncontrolled, "initial determination kept");
        assert_eq!(d.current_risk(), Risk::Controlled);

        let mut bad = r.clone();
        bad.interim_controls.clear();
        assert!(matches!(
            d.record_residual(bad),
            Err(Error::InvalidResidual { .. })
        ));
        let mut bad = r.clone();
        bad.rationale = " ".into();
        assert!(matches!(
            d.record_residual(bad),
            Err(Error::MissingRationale { .. })
        ));
        let mut controlled =
            run(ExploitabilityLevel::Low, HarmSeverity::Minor, false, None).unwrap();
        assert!(matches!(
            controlled.record_residual(r),
            Err(Error::InvalidResidual { .. })
        ));
    }
}

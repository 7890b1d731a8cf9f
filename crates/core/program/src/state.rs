//! The case state machine (issue 7; DESIGN.md §3 "Case").
//!
//! ```text
//! new → triage → assessed ─┬─ controlled:   routine-update → closed
//!                          └─ uncontrolled: remediation → fixed → closed
//! any open state → not-affected (with a VEX justification) | duplicate (of another case)
//! closed | not-affected | duplicate → triage (reopen)
//! ```
//!
//! `assessed` is reached by assessing (the assessment is the evidence), and leaving it needs the
//! decision signed by an approver (21 CFR Part 11 style): the branch taken is the signed risk.

use std::fmt;
use std::str::FromStr;

use postmarket_risk::Risk;
use serde::{Deserialize, Serialize};

use crate::ProgramError;

/// Where a case stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CaseState {
    New,
    Triage,
    Assessed,
    RoutineUpdate,
    Remediation,
    Fixed,
    Closed,
    NotAffected,
    Duplicate,
}

impl CaseState {
    pub const ALL: [CaseState; 9] = [
        Self::New,
        Self::Triage,
        Self::Assessed,
        Self::RoutineUpdate,
        Self::Remediation,
        Self::Fixed,
        Self::Closed,
        Self::NotAffected,
        Self::Duplicate,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Triage => "triage",
            Self::Assessed => "assessed",
            Self::RoutineUpdate => "routine-update",
            Self::Remediation => "remediation",
            Self::Fixed => "fixed",
            Self::Closed => "closed",
            Self::NotAffected => "not-affected",
            Self::Duplicate => "duplicate",
        }
    }

    /// Closed, not affected or a duplicate: no clock runs.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Closed | Self::NotAffected | Self::Duplicate)
    }

    /// The states this one may move to, in the order the workflow usually takes them.
    pub fn allowed_next(self) -> &'static [CaseState] {
        use CaseState::*;
        match self {
            New => &[Triage, NotAffected, Duplicate],
            Triage => &[Assessed, NotAffected, Duplicate],
            Assessed => &[RoutineUpdate, Remediation, Triage, NotAffected, Duplicate],
            RoutineUpdate => &[Closed],
            Remediation => &[Fixed],
            Fixed => &[Closed],
            Closed | NotAffected | Duplicate => &[Triage],
        }
    }
}

impl fmt::Display for CaseState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CaseState {
    type Err = ProgramError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace('_', "-");
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == wanted)
            .ok_or_else(|| {
                ProgramError::Invalid(format!(
                    "unknown case state {s:?}: expected one of {}",
                    Self::ALL.map(|s| s.as_str()).join(", ")
                ))
            })
    }
}

/// Why a component or product is not affected: the CSAF 2.0 / OpenVEX justification labels
/// (CSAF §3.2.3.4 flags; OpenVEX `justification`), stored as written there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VexJustification {
    ComponentNotPresent,
    VulnerableCodeNotPresent,
    VulnerableCodeNotInExecutePath,
    VulnerableCodeCannotBeControlledByAdversary,
    InlineMitigationsAlreadyExist,
}

impl VexJustification {
    pub const ALL: [VexJustification; 5] = [
        Self::ComponentNotPresent,
        Self::VulnerableCodeNotPresent,
        Self::VulnerableCodeNotInExecutePath,
        Self::VulnerableCodeCannotBeControlledByAdversary,
        Self::InlineMitigationsAlreadyExist,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::ComponentNotPresent => "component_not_present",
            Self::VulnerableCodeNotPresent => "vulnerable_code_not_present",
            Self::VulnerableCodeNotInExecutePath => "vulnerable_code_not_in_execute_path",
            Self::VulnerableCodeCannotBeControlledByAdversary => {
                "vulnerable_code_cannot_be_controlled_by_adversary"
            }
            Self::InlineMitigationsAlreadyExist => "inline_mitigations_already_exist",
        }
    }
}

impl fmt::Display for VexJustification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for VexJustification {
    type Err = ProgramError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let wanted = s.trim().to_ascii_lowercase().replace('-', "_");
        Self::ALL
            .into_iter()
            .find(|j| j.as_str() == wanted)
            .ok_or_else(|| {
                ProgramError::Invalid(format!(
                    "unknown VEX justification {s:?}: expected one of {}",
                    Self::ALL.map(|j| j.as_str()).join(", ")
                ))
            })
    }
}

/// What the case holds that a transition may need.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransitionFacts {
    /// The risk of the latest assessment (after any residual re-assessment the initial risk
    /// still decides the branch: FDA's §VII.B-3 stays an uncontrolled case).
    pub risk: Option<Risk>,
    /// The latest assessment carries an approver's signature meaning "approved".
    pub approved: bool,
    /// A fix is recorded as validated and distributed.
    pub fix_distributed: bool,
    /// The premarket-submission evaluation is recorded.
    pub premarket_evaluated: bool,
    /// For not-affected: the justification.
    pub vex_justification: Option<VexJustification>,
    /// For duplicate: the other case.
    pub duplicate_of: Option<i64>,
}

/// Checks a transition; the error says which transitions are allowed from `from`.
pub fn check_transition(
    from: CaseState,
    to: CaseState,
    facts: &TransitionFacts,
) -> Result<(), ProgramError> {
    if !from.allowed_next().contains(&to) {
        return Err(ProgramError::IllegalTransition {
            from,
            to,
            allowed: from
                .allowed_next()
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    let refuse = |reason: String| Err(ProgramError::TransitionPrecondition { from, to, reason });
    match to {
        CaseState::Assessed if facts.risk.is_none() => {
            refuse("the case has no assessment; assess it (case assess) to reach assessed".into())
        }
        CaseState::RoutineUpdate | CaseState::Remediation => {
            let wanted = if to == CaseState::RoutineUpdate {
                Risk::Controlled
            } else {
                Risk::Uncontrolled
            };
            match facts.risk {
                None => refuse("the case has no assessment".into()),
                Some(r) if r != wanted => refuse(format!(
                    "the assessed risk is {r}; a {r} case goes to {}",
                    if r == Risk::Controlled {
                        "routine-update"
                    } else {
                        "remediation"
                    }
                )),
                Some(_) if !facts.approved => refuse(
                    "the assessment is not signed with the meaning \"approved\" (case sign)".into(),
                ),
                Some(_) => Ok(()),
            }
        }
        CaseState::Fixed if !facts.fix_distributed => refuse(
            "no fix is recorded as validated and distributed (case fix --validated-on --distributed-on)"
                .into(),
        ),
        CaseState::Closed
            if from == CaseState::Fixed && !facts.premarket_evaluated =>
        {
            refuse(
                "an uncontrolled case needs its premarket-submission evaluation before closing (case premarket)"
                    .into(),
            )
        }
        CaseState::NotAffected if facts.vex_justification.is_none() => {
            refuse("not-affected needs a VEX justification".into())
        }
        CaseState::Duplicate if facts.duplicate_of.is_none() => {
            refuse("duplicate needs the case it duplicates".into())
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn illegal_transition_names_the_allowed_ones() {
        let e = check_transition(
            CaseState::New,
            CaseState::Fixed,
            &TransitionFacts::default(),
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "a case in state new cannot move to fixed; from new it can move to: triage, not-affected, duplicate"
        );
    }

    #[test]
    fn branch_follows_the_signed_risk() {
        let mut f = TransitionFacts {
            risk: Some(Risk::Uncontrolled),
            ..Default::default()
        };
        let e = check_transition(CaseState::Assessed, CaseState::Remediation, &f).unwrap_err();
        assert!(e.to_string().contains("not signed"), "{e}");
        f.approved = true;
        check_transition(CaseState::Assessed, CaseState::Remediation, &f).unwrap();
        let e = check_transition(CaseState::Assessed, CaseState::RoutineUpdate, &f).unwrap_err();
        assert!(e.to_string().contains("goes to remediation"), "{e}");
    }

    #[test]
    fn fixed_closed_and_side_exits_need_their_evidence() {
        let mut f = TransitionFacts::default();
        assert!(check_transition(CaseState::Remediation, CaseState::Fixed, &f).is_err());
        f.fix_distributed = true;
        check_transition(CaseState::Remediation, CaseState::Fixed, &f).unwrap();
        assert!(check_transition(CaseState::Fixed, CaseState::Closed, &f).is_err());
        f.premarket_evaluated = true;
        check_transition(CaseState::Fixed, CaseState::Closed, &f).unwrap();
        assert!(check_transition(CaseState::Triage, CaseState::NotAffected, &f).is_err());
        f.vex_justification = Some(VexJustification::ComponentNotPresent);
        check_transition(CaseState::Triage, CaseState::NotAffected, &f).unwrap();
        assert!(check_transition(CaseState::New, CaseState::Duplicate, &f).is_err());
        f.duplicate_of = Some(3);
        check_transition(CaseState::New, CaseState::Duplicate, &f).unwrap();
        check_transition(CaseState::Closed, CaseState::Triage, &f).unwrap();
        assert!(check_transition(CaseState::Closed, CaseState::Remediation, &f).is_err());
    }

    #[test]
    fn names_parse_back() {
        for s in CaseState::ALL {
            assert_eq!(s.as_str().parse::<CaseState>().unwrap(), s);
        }
        for j in VexJustification::ALL {
            assert_eq!(j.as_str().parse::<VexJustification>().unwrap(), j);
        }
        assert!("open".parse::<CaseState>().is_err());
    }
}

//! The whole assessment in one call: exploitability → harm → decision →
//! residual re-assessment → SSVC → remediation cycle → reporting.

use crate::decision::{
    decide, AnalystChoice, DecisionBasis, DecisionInput, ResidualReassessment, Risk, RiskDecision,
};
use crate::error::Result;
use crate::exploitability::{ExploitabilityAssessment, ExploitabilityInput, ExploitabilityPolicy};
use crate::harm::{HarmAssessment, HarmSeverity};
use crate::matrix::RiskMatrix;
use crate::remediation::{suggest, RemediationSuggestion};
use crate::reporting::{determine, ReportingDetermination, ReportingFacts};
use crate::ssvc::{supplier_decision, SafetyImpactMapping, SsvcDecision, SsvcInput};
use serde::{Deserialize, Serialize};

/// The program settings an assessment runs under.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The exploitability policy.
    pub policy: ExploitabilityPolicy,
    /// The risk matrix; it must be approved to be used.
    pub matrix: RiskMatrix,
    /// ISO 14971 → SSVC Safety Impact.
    #[serde(default)]
    pub safety_mapping: SafetyImpactMapping,
}

/// Everything one assessment needs besides the settings.
///
/// JSON example:
///
/// ```json
/// {
///   "exploitability": {"signals": {"subscore": 2.835, "kev": false, "epss": 0.02}},
///   "harm": "serious",
///   "analyst_decision": {"risk": "uncontrolled", "rationale": "no design mitigation"},
///   "compensating_controls": ["device on an isolated VLAN"],
///   "rationale": "telemetry protocol lacks authentication",
///   "ssvc": {"exploitation": "public-poc", "automatable": "no",
///            "value_density": "concentrated", "technical_impact": "total"},
///   "reporting": {"customer_notified_day": 21, "notice_has_required_elements": true}
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssessInput {
    /// Exploitability signals and an optional analyst override.
    pub exploitability: ExploitabilityInput,
    /// Severity of patient harm.
    pub harm: HarmSeverity,
    /// The impact is on confidentiality (PHI) only.
    #[serde(default)]
    pub confidentiality_only: bool,
    /// For R cells, the analyst's choice and rationale.
    #[serde(default)]
    pub analyst_decision: Option<AnalystChoice>,
    /// Compensating controls already in place.
    #[serde(default)]
    pub compensating_controls: Vec<String>,
    /// The written rationale.
    pub rationale: String,
    /// SSVC supplier inputs, if assessed.
    #[serde(default)]
    pub ssvc: Option<SsvcInput>,
    /// Facts for the reporting determination.
    #[serde(default)]
    pub reporting: ReportingFacts,
    /// A residual-risk re-assessment after interim controls, if any.
    #[serde(default)]
    pub residual: Option<ResidualReassessment>,
}

/// The assessment record.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Assessment {
    /// The initial determination.
    pub risk: Risk,
    /// The risk as it stands after any residual re-assessment.
    pub current_risk: Risk,
    /// Exploitability axis.
    pub exploitability: ExploitabilityAssessment,
    /// Harm axis.
    pub harm: HarmAssessment,
    /// The decision with its rationale, controls and versions.
    pub decision: RiskDecision,
    /// SSVC supplier decision, when SSVC inputs were given.
    pub ssvc: Option<SsvcDecision>,
    /// In-cycle or out-of-cycle remediation.
    pub remediation: RemediationSuggestion,
    /// 806 / 803 / annual report.
    pub reporting: ReportingDetermination,
    /// Matrix version used.
    pub matrix_version: u32,
    /// Exploitability policy version used.
    pub policy_version: u32,
    /// The reasoning in plain sentences, in order.
    pub reasoning: Vec<String>,
}

/// Runs a full assessment. Refuses an unapproved matrix before anything else.
pub fn assess(input: &AssessInput, settings: &Settings) -> Result<Assessment> {
    let matrix = settings.matrix.approved()?;
    let exploitability = settings.policy.assess(&input.exploitability)?;
    let harm = HarmAssessment::new(input.harm, input.confidentiality_only)?;
    let mut decision = decide(&DecisionInput {
        exploitability: &exploitability,
        harm: &harm,
        matrix: &matrix,
        analyst_choice: input.analyst_decision.as_ref(),
        compensating_controls: &input.compensating_controls,
        rationale: &input.rationale,
    })?;
    if let Some(r) = &input.residual {
        decision.record_residual(r.clone())?;
    }
    let ssvc = input
        .ssvc
        .map(|s| supplier_decision(&s, input.harm, &settings.safety_mapping));
    let remediation = suggest(decision.risk, ssvc.map(|s| s.priority));
    let reporting = determine(decision.risk, &input.reporting);
    let reasoning = reasoning(
        &exploitability,
        &harm,
        &decision,
        ssvc.as_ref(),
        &remediation,
        &reporting,
    );
    Ok(Assessment {
        risk: decision.risk,
        current_risk: decision.current_risk(),
        matrix_version: decision.matrix_version,
        policy_version: decision.policy_version,
        exploitability,
        harm,
        decision,
        ssvc,
        remediation,
        reporting,
        reasoning,
    })
}

fn reasoning(
    e: &ExploitabilityAssessment,
    h: &HarmAssessment,
    d: &RiskDecision,
    ssvc: Option<&SsvcDecision>,
    remediation: &RemediationSuggestion,
    reporting: &ReportingDetermination,
) -> Vec<String> {
    let mut out = Vec::new();
    let rules: Vec<String> = e
        .rules
        .iter()
        .map(|r| {
            let name = serde_json::to_value(&r.rule)
                .ok()
                .and_then(|v| v.get("rule").and_then(|x| x.as_str()).map(String::from))
                .unwrap_or_default();
            format!("{name} → {}", r.to)
        })
        .collect();
    out.push(format!(
        "exploitability {} (policy v{}: {})",
        e.level,
        e.policy_version,
        rules.join(", ")
    ));
    out.push(if h.confidentiality_only {
        "impact is confidentiality only: not patient harm".to_string()
    } else {
        format!("harm {}: {}", h.severity, h.definition)
    });
    let cell = format!(
        "matrix v{} cell {} × {} = {}",
        d.matrix_version, d.exploitability, d.harm, d.cell.value
    );
    out.push(match d.basis {
        DecisionBasis::MatrixCell => format!("{cell} → {}", d.risk),
        DecisionBasis::AnalystChoiceOnRCell => format!(
            "{cell}; analyst chose {}: {}",
            d.risk,
            d.analyst_choice
                .as_ref()
                .map(|c| c.rationale.as_str())
                .unwrap_or_default()
        ),
        DecisionBasis::ConfidentialityOnly => {
            format!("{cell}; confidentiality-only → controlled (routine update)")
        }
    });
    for r in &d.residual {
        out.push(format!(
            "residual risk after interim controls ({}): {}: {}",
            r.interim_controls.join("; "),
            r.residual_risk,
            r.rationale
        ));
    }
    if let Some(s) = ssvc {
        out.push(format!(
            "SSVC supplier: {} / {} / {} / {} → {}",
            s.exploitation, s.utility, s.technical_impact, s.public_safety_impact, s.priority
        ));
    }
    out.push(format!(
        "remediation {}: {}",
        serde_json::to_value(remediation.cycle)
            .ok()
            .and_then(|v| v.as_str().map(String::from))
            .unwrap_or_default(),
        remediation.reason
    ));
    let unmet: Vec<String> = reporting
        .enforcement_discretion
        .iter()
        .filter(|c| !c.met)
        .map(|c| c.explanation.clone())
        .collect();
    let r806 = serde_json::to_value(reporting.report_806)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default();
    out.push(if unmet.is_empty() {
        format!("21 CFR 806: {r806}")
    } else {
        format!("21 CFR 806: {r806} ({})", unmet.join("; "))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;
    use crate::exploitability::ExploitabilitySignals;
    use crate::matrix::CellValue;
    use time::macros::datetime;

    fn settings() -> Settings {
        let matrix = RiskMatrix::fda_default()
            .approve("QA/RA", datetime!(2026-01-15 09:30 UTC))
            .unwrap()
            .matrix()
            .clone();
        Settings {
            policy: ExploitabilityPolicy::default(),
            matrix,
            safety_mapping: SafetyImpactMapping::default(),
        }
    }

    fn input() -> AssessInput {
        serde_json::from_str(
            r#"{
                "exploitability": {"signals": {"subscore": 3.887, "kev": true}},
                "harm": "serious",
                "rationale": "remote code execution on the infusion pump",
                "ssvc": {"exploitation": "active", "automatable": "yes",
                         "value_density": "concentrated", "technical_impact": "total"}
            }"#,
        )
        .unwrap()
    }

    #[test]
    fn combines_every_part() {
        let a = assess(&input(), &settings()).unwrap();
        assert_eq!(a.risk, Risk::Uncontrolled);
        assert_eq!(
            a.ssvc.unwrap().priority,
            crate::ssvc::SupplierPriority::Immediate
        );
        assert_eq!(
            a.remediation.cycle,
            crate::remediation::RemediationCycle::OutOfCycle
        );
        assert_eq!(
            a.reporting.report_806,
            crate::reporting::Report806::Required
        );
        assert_eq!((a.matrix_version, a.policy_version), (1, 1));
        assert!(
            a.reasoning[0].starts_with("exploitability high"),
            "{:?}",
            a.reasoning
        );
        let json = serde_json::to_value(&a).unwrap();
        assert_eq!(json["risk"], "uncontrolled");
        assert_eq!(json["decision"]["matrix_approval"]["by"], "QA/RA");
    }

    #[test]
    fn unapproved_matrix_is_refused() {
        let mut s = settings();
        s.matrix = s.matrix.with_cell(
            crate::ExploitabilityLevel::High,
            HarmSeverity::Serious,
            CellValue::AnalystChoice,
        );
        let err = assess(&input(), &s).unwrap_err();
        assert!(
            matches!(err, Error::UnapprovedMatrix { version: 2, .. }),
            "{err}"
        );
    }

    #[test]
    fn unknown_input_fields_are_refused() {
        let err = serde_json::from_str::<AssessInput>(
            r#"{"exploitability": {}, "harm": "minor", "rationale": "x", "severity": "high"}"#,
        )
        .unwrap_err();
        assert!(
            err.to_string().contains("unknown field `severity`"),
            "{err}"
        );
        let ok: AssessInput =
            serde_json::from_str(r#"{"exploitability": {}, "harm": "minor", "rationale": "x"}"#)
                .unwrap();
        assert_eq!(ok.exploitability.signals, ExploitabilitySignals::default());
    }
}

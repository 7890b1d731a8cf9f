//! FDA postmarket risk logic for medical-device vulnerabilities, as pure code
//! with no I/O.
//!
//! FDA asks, per vulnerability, for a binary decision, **controlled** or
//! **uncontrolled**, reached from two axes, exploitability and severity of
//! patient harm, through an established, documented process (postmarket
//! guidance, 28 Dec 2016, §VI). This crate is that process:
//!
//! | module | what |
//! |---|---|
//! | [`rubric`] | the MITRE *Rubric for Applying CVSS to Medical Devices*: questions, answers (JSON), decision logic → CVSS 3.1 base vector + answer record |
//! | [`exploitability`] | versioned policy: sub-score bands, KEV, EPSS, exploit maturity, analyst override → high / medium / low |
//! | [`harm`] | the five ISO 14971 severities; confidentiality-only is not patient harm |
//! | [`matrix`] | the versioned, approved 3 × 5 risk matrix (C / U / R) |
//! | [`decision`] | controlled / uncontrolled with rationale, controls, versions; residual re-assessment |
//! | [`ssvc`] | CERT/CC SSVC v2 supplier tree → defer / scheduled / out-of-cycle / immediate |
//! | [`remediation`] | in-cycle or out-of-cycle (§524B) |
//! | [`reporting`] | 21 CFR 806 (with the four enforcement-discretion conditions), 803, PMA annual report |
//! | [`mod@assess`] | all of the above in one call |
//!
//! # Example
//!
//! ```
//! use postmarket_risk::{assess, AssessInput, ExploitabilityPolicy, RiskMatrix, Risk, Settings};
//! use postmarket_risk::rubric;
//!
//! // 1. The rubric turns the analyst's answers into a CVSS base vector.
//! let r = rubric::evaluate_json(r#"{"XAVN": "no", "XAVP": "yes", "XACL": "yes",
//!                                   "XPRL": "no", "XUI": "no", "XS": "no"}"#)?;
//! assert!(r.vector.starts_with("CVSS:3.1/AV:P/AC:L/PR:N/UI:N/S:U/"));
//!
//! // 2. The manufacturer's matrix must be approved before any decision.
//! let when = time::macros::datetime!(2026-01-15 09:30 UTC);
//! let matrix = RiskMatrix::fda_default().approve("J. Doe, QA/RA", when)?;
//! let settings = Settings {
//!     policy: ExploitabilityPolicy::default(),
//!     matrix: matrix.matrix().clone(),
//!     safety_mapping: Default::default(),
//! };
//!
//! // 3. Physical access only (sub-score 0.915 → low) × serious harm → C.
//! let mut input: AssessInput = serde_json::from_str(r#"{
//!     "exploitability": {}, "harm": "serious",
//!     "rationale": "debug port needs the enclosure opened"}"#)?;
//! input.exploitability.signals.subscore = Some(r.exploitability_subscore);
//! let a = assess(&input, &settings)?;
//! assert_eq!(a.risk, Risk::Controlled);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod assess;
pub mod decision;
mod error;
pub mod exploitability;
pub mod harm;
pub mod matrix;
pub mod remediation;
pub mod reporting;
pub mod rubric;
pub mod ssvc;

pub use assess::{assess, AssessInput, Assessment, Settings};
pub use decision::{
    decide, AnalystChoice, ChangeType, DecisionBasis, DecisionInput, ResidualReassessment, Risk,
    RiskDecision,
};
pub use error::{Error, Result};
pub use exploitability::{
    AnalystOverride, EpssRaise, ExploitMaturity, ExploitabilityAssessment, ExploitabilityInput,
    ExploitabilityLevel, ExploitabilityPolicy, ExploitabilitySignals,
};
pub use harm::{HarmAssessment, HarmSeverity};
pub use matrix::{Approval, ApprovedMatrix, CellValue, MatrixCell, RiskMatrix};
pub use remediation::{RemediationCycle, RemediationSuggestion};
pub use reporting::{Report806, ReportingDetermination, ReportingFacts};
pub use ssvc::{SafetyImpactMapping, SsvcDecision, SsvcInput, SupplierPriority};

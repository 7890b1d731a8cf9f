//! Program settings (DESIGN.md §3 "Program settings"): the approved risk matrix and exploitability
//! policy in force, the clocks, the ISAO membership evidence and the CVD policy. Each is one
//! audited program setting; a missing one falls back to the documented default.

use postmarket_model::Actor;
use postmarket_program::clocks::ClockConfig;
use postmarket_program::isao::IsaoMembership;
use postmarket_risk::{ExploitabilityPolicy, RiskMatrix, SafetyImpactMapping, Settings};
use serde::{Deserialize, Serialize};

use crate::{App, AppError};

/// Who approved the built-in matrix: the default of DESIGN.md §4, approved in code.
pub const BUILT_IN_APPROVER: &str = "postmarket (built-in default)";
const BUILT_IN_APPROVED_AT: time::OffsetDateTime = time::macros::datetime!(2026-11-25 00:00 UTC);

/// The coordinated vulnerability disclosure policy (ISO/IEC 29147; postmarket guidance §V.B).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CvdPolicy {
    /// Where researchers report (published in security.txt).
    pub contact: Option<String>,
    /// Where the policy is published.
    pub policy_url: Option<String>,
}

/// Every program setting, defaults filled in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProgramSettings {
    /// Matrix and exploitability policy in force.
    pub risk: Settings,
    /// Where the matrix came from: `built-in default (DESIGN.md §4)` or `program settings`.
    pub risk_source: String,
    pub clocks: ClockConfig,
    pub isao: Option<IsaoMembership>,
    pub cvd: CvdPolicy,
}

/// The built-in risk settings: DESIGN.md §4's default matrix, approved in code, and the default
/// exploitability policy.
pub fn built_in_risk_settings() -> Result<Settings, AppError> {
    let matrix = RiskMatrix::fda_default()
        .approve(BUILT_IN_APPROVER, BUILT_IN_APPROVED_AT)
        .map_err(|e| AppError::Internal(format!("built-in matrix: {e}")))?;
    Ok(Settings {
        policy: ExploitabilityPolicy::default(),
        matrix: matrix.matrix().clone(),
        safety_mapping: SafetyImpactMapping::default(),
    })
}

fn parse<T: serde::de::DeserializeOwned>(key: &str, v: serde_json::Value) -> Result<T, AppError> {
    serde_json::from_value(v).map_err(|e| {
        AppError::Internal(format!(
            "program setting {key} is not as Postmarket wrote it: {e}"
        ))
    })
}

impl App {
    /// The program settings in force.
    pub async fn program_settings(&self) -> Result<ProgramSettings, AppError> {
        let s = self.store();
        let (risk, risk_source) = match s.program_setting("risk").await? {
            Some(v) => (parse("risk", v)?, "program settings".to_string()),
            None => (
                built_in_risk_settings()?,
                "built-in default (DESIGN.md §4)".to_string(),
            ),
        };
        Ok(ProgramSettings {
            risk,
            risk_source,
            clocks: match s.program_setting("clocks").await? {
                Some(v) => parse("clocks", v)?,
                None => ClockConfig::default(),
            },
            isao: match s.program_setting("isao").await? {
                Some(serde_json::Value::Null) | None => None,
                Some(v) => Some(parse("isao", v)?),
            },
            cvd: match s.program_setting("cvd").await? {
                Some(v) => parse("cvd", v)?,
                None => CvdPolicy::default(),
            },
        })
    }

    /// Sets the matrix and policy in force; the matrix must carry a valid approval and the policy
    /// must be consistent.
    pub async fn set_risk_settings(
        &self,
        actor: &Actor,
        settings: &Settings,
        reason: Option<&str>,
    ) -> Result<(), AppError> {
        settings
            .matrix
            .approved()
            .map_err(|e| AppError::BadInput(format!("risk matrix: {e}")))?;
        settings
            .policy
            .validate()
            .map_err(|e| AppError::BadInput(format!("exploitability policy: {e}")))?;
        self.set_setting(actor, "risk", settings, reason).await
    }

    /// Sets the clocks.
    pub async fn set_clock_config(
        &self,
        actor: &Actor,
        clocks: &ClockConfig,
        reason: Option<&str>,
    ) -> Result<(), AppError> {
        if clocks.controlled_target_days == 0 {
            return Err(AppError::BadInput(
                "the controlled-case target must be at least one day".into(),
            ));
        }
        self.set_setting(actor, "clocks", clocks, reason).await
    }

    /// Records the ISAO membership with its evidence for the four criteria (refused without
    /// any of them); `None` records that there is no membership.
    pub async fn set_isao_membership(
        &self,
        actor: &Actor,
        membership: Option<&IsaoMembership>,
        reason: Option<&str>,
    ) -> Result<(), AppError> {
        if let Some(m) = membership {
            m.validate()
                .map_err(|e| AppError::BadInput(e.to_string()))?;
        }
        self.set_setting(actor, "isao", &membership, reason).await
    }

    /// Sets the CVD policy.
    pub async fn set_cvd_policy(
        &self,
        actor: &Actor,
        cvd: &CvdPolicy,
        reason: Option<&str>,
    ) -> Result<(), AppError> {
        self.set_setting(actor, "cvd", cvd, reason).await
    }

    async fn set_setting<T: Serialize>(
        &self,
        actor: &Actor,
        key: &str,
        value: &T,
        reason: Option<&str>,
    ) -> Result<(), AppError> {
        let v = serde_json::to_value(value)
            .map_err(|e| AppError::Internal(format!("cannot serialise setting {key}: {e}")))?;
        Ok(self
            .store()
            .set_program_setting(actor, key, &v, reason)
            .await?)
    }
}

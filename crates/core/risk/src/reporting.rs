//! What a determination means for FDA reporting (postmarket guidance 2016
//! §VII; 21 CFR 803, 806, 814.84).
//!
//! - **Controlled** → a routine update, not reportable under 21 CFR 806.
//! - **Uncontrolled** → reportable under 21 CFR 806 unless already reported
//!   under 803 or 1004 (806.10(f)), **except** that FDA does not intend to
//!   enforce it when all four conditions hold (§VII.B):
//!   1. no known serious adverse events or deaths;
//!   2. within 30 days of T0: customers notified (the notice with its four
//!      required elements), interim compensating controls identified, and a
//!      remediation plan made;
//!   3. within 60 days of T0: the fix validated and distributed (a
//!      compensating control that brings residual risk to an acceptable level
//!      may be the fix; record its day there);
//!   4. active participation in an ISAO, with the customer notices shared.
//! - A serious adverse event or death also means an MDR under 21 CFR 803.
//! - PMA devices list every such change in the annual report (814.84).
//! - After remediating an uncontrolled risk, the case evaluates whether a
//!   premarket submission (PMA supplement, 510(k)) is needed.
//!
//! The determination reads only the evidence recorded: a condition with no
//! evidence is **not met**, and days are calendar days from T0 (our
//! assumption; the guidance does not say).
//!
//! On condition 2's remediation plan: when no separate plan date is recorded,
//! a compliant customer notice sent within 30 days counts as its evidence,
//! because §VII.B(2)(d) requires that notice to state that a fix is in
//! progress. The record says which evidence was used.

use crate::decision::Risk;
use serde::{Deserialize, Serialize};

/// Days from T0 for condition 2.
pub const NOTICE_DAYS: u32 = 30;
/// Days from T0 for condition 3.
pub const FIX_DAYS: u32 = 60;

/// The facts the reporting rules read. Days count from T0.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportingFacts {
    /// A serious adverse event or death is known to be associated with the
    /// vulnerability.
    #[serde(default)]
    pub serious_adverse_event_or_death: bool,
    /// Already reported under 21 CFR 803 or 1004 (806.10(f)).
    #[serde(default)]
    pub already_reported_803_or_1004: bool,
    /// The device is PMA-approved (annual report, 814.84).
    #[serde(default)]
    pub pma: bool,
    /// Day the customers and users were notified.
    #[serde(default)]
    pub customer_notified_day: Option<u32>,
    /// The notice has the four required elements (§VII.B(2)(a–d)).
    #[serde(default)]
    pub notice_has_required_elements: Option<bool>,
    /// Day interim compensating controls were identified.
    #[serde(default)]
    pub interim_controls_identified_day: Option<u32>,
    /// Day the remediation plan was made.
    #[serde(default)]
    pub remediation_plan_day: Option<u32>,
    /// Day the fix was validated and distributed.
    #[serde(default)]
    pub fix_validated_and_distributed_day: Option<u32>,
    /// Active participating member of an ISAO.
    #[serde(default)]
    pub isao_member_active: bool,
    /// The customer notices were shared with the ISAO.
    #[serde(default)]
    pub notices_shared_with_isao: bool,
    /// The vulnerability's submitter was acknowledged (CVD; recorded, does
    /// not affect reporting).
    #[serde(default)]
    pub acknowledged_submitter: Option<bool>,
}

/// The 21 CFR 806 outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Report806 {
    /// Controlled risk: a routine update, not reportable.
    NotRequired,
    /// Uncontrolled, and all four enforcement-discretion conditions hold.
    NotEnforced,
    /// Uncontrolled, and at least one condition fails.
    Required,
    /// Uncontrolled, but already reported under 803 or 1004 (806.10(f)).
    CoveredByPriorReport,
}

/// The four enforcement-discretion conditions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DiscretionCondition {
    /// 1. No known serious adverse events or deaths.
    NoSeriousAdverseEvents,
    /// 2. Notice, interim controls and remediation plan within 30 days.
    #[serde(rename = "communicated-within-30-days")]
    CommunicatedWithin30Days,
    /// 3. Fix validated and distributed within 60 days.
    #[serde(rename = "fixed-within-60-days")]
    FixedWithin60Days,
    /// 4. Active ISAO participation, notices shared.
    ActiveIsaoParticipation,
}

/// One condition, checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConditionCheck {
    /// Which condition.
    pub condition: DiscretionCondition,
    /// Whether the recorded evidence meets it.
    pub met: bool,
    /// The evidence read, or what is missing.
    pub explanation: String,
}

/// The reporting determination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportingDetermination {
    /// 21 CFR 806.
    pub report_806: Report806,
    /// 21 CFR 803 MDR (serious adverse event or death).
    pub report_803: bool,
    /// PMA annual report entry (814.84).
    pub pma_annual_report: bool,
    /// A premarket submission (PMA supplement, 510(k)) must be evaluated
    /// after remediation.
    pub premarket_submission_evaluation: bool,
    /// The four conditions, checked (uncontrolled risks only).
    pub enforcement_discretion: Vec<ConditionCheck>,
    /// The facts read.
    pub facts: ReportingFacts,
}

fn within(day: Option<u32>, limit: u32) -> bool {
    day.is_some_and(|d| d <= limit)
}

fn day_text(what: &str, day: Option<u32>, limit: u32) -> String {
    match day {
        Some(d) if d <= limit => format!("{what} on day {d} (≤ {limit})"),
        Some(d) => format!("{what} on day {d}, after day {limit}"),
        None => format!("no date recorded for {what}"),
    }
}

/// Checks the four enforcement-discretion conditions.
pub fn check_conditions(f: &ReportingFacts) -> Vec<ConditionCheck> {
    let c1 = ConditionCheck {
        condition: DiscretionCondition::NoSeriousAdverseEvents,
        met: !f.serious_adverse_event_or_death,
        explanation: if f.serious_adverse_event_or_death {
            "a serious adverse event or death is associated with the vulnerability".into()
        } else {
            "no known serious adverse event or death".into()
        },
    };

    let notice_ok = within(f.customer_notified_day, NOTICE_DAYS)
        && f.notice_has_required_elements == Some(true);
    let controls_ok = within(f.interim_controls_identified_day, NOTICE_DAYS);
    let (plan_ok, plan_text) = match f.remediation_plan_day {
        Some(_) => (
            within(f.remediation_plan_day, NOTICE_DAYS),
            day_text("remediation plan", f.remediation_plan_day, NOTICE_DAYS),
        ),
        None if notice_ok => (
            true,
            "remediation plan evidenced by the compliant notice, which states that a fix is in progress (§VII.B(2)(d))".into(),
        ),
        None => (false, "no evidence of a remediation plan".into()),
    };
    let notice_text = match f.notice_has_required_elements {
        Some(true) => day_text("customer notice", f.customer_notified_day, NOTICE_DAYS),
        Some(false) => format!(
            "{}, but it lacks required elements",
            day_text("customer notice", f.customer_notified_day, NOTICE_DAYS)
        ),
        None => format!(
            "{}; its required elements are not confirmed",
            day_text("customer notice", f.customer_notified_day, NOTICE_DAYS)
        ),
    };
    let c2 = ConditionCheck {
        condition: DiscretionCondition::CommunicatedWithin30Days,
        met: notice_ok && controls_ok && plan_ok,
        explanation: format!(
            "{notice_text}; {}; {plan_text}",
            day_text(
                "interim compensating controls",
                f.interim_controls_identified_day,
                NOTICE_DAYS
            )
        ),
    };

    let c3 = ConditionCheck {
        condition: DiscretionCondition::FixedWithin60Days,
        met: within(f.fix_validated_and_distributed_day, FIX_DAYS),
        explanation: day_text(
            "fix validated and distributed",
            f.fix_validated_and_distributed_day,
            FIX_DAYS,
        ),
    };

    let c4 = ConditionCheck {
        condition: DiscretionCondition::ActiveIsaoParticipation,
        met: f.isao_member_active && f.notices_shared_with_isao,
        explanation: match (f.isao_member_active, f.notices_shared_with_isao) {
            (true, true) => "active ISAO member; customer notices shared".into(),
            (true, false) => "active ISAO member, but the notices were not shared".into(),
            (false, _) => "not an active participating ISAO member".into(),
        },
    };
    vec![c1, c2, c3, c4]
}

/// Determines reporting for a risk and the recorded facts.
pub fn determine(risk: Risk, facts: &ReportingFacts) -> ReportingDetermination {
    let (report_806, enforcement_discretion) = match risk {
        Risk::Controlled => (Report806::NotRequired, Vec::new()),
        Risk::Uncontrolled => {
            let checks = check_conditions(facts);
            let outcome = if facts.already_reported_803_or_1004 {
                Report806::CoveredByPriorReport
            } else if checks.iter().all(|c| c.met) {
                Report806::NotEnforced
            } else {
                Report806::Required
            };
            (outcome, checks)
        }
    };
    ReportingDetermination {
        report_806,
        report_803: facts.serious_adverse_event_or_death,
        pma_annual_report: facts.pma,
        premarket_submission_evaluation: risk == Risk::Uncontrolled,
        enforcement_discretion,
        facts: facts.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_met() -> ReportingFacts {
        ReportingFacts {
            customer_notified_day: Some(21),
            notice_has_required_elements: Some(true),
            interim_controls_identified_day: Some(21),
            remediation_plan_day: Some(21),
            fix_validated_and_distributed_day: Some(55),
            isao_member_active: true,
            notices_shared_with_isao: true,
            ..Default::default()
        }
    }

    #[test]
    fn controlled_is_not_reportable() {
        let d = determine(Risk::Controlled, &all_met());
        assert_eq!(d.report_806, Report806::NotRequired);
        assert!(d.enforcement_discretion.is_empty());
        assert!(!d.premarket_submission_evaluation);
    }

    #[test]
    fn uncontrolled_with_all_four_conditions_is_not_enforced() {
        let d = determine(Risk::Uncontrolled, &all_met());
        assert_eq!(d.report_806, Report806::NotEnforced);
        assert!(d.enforcement_discretion.iter().all(|c| c.met));
        assert!(d.premarket_submission_evaluation);
    }

    #[test]
    fn each_failed_condition_makes_806_required() {
        type Edit = Box<dyn Fn(&mut ReportingFacts)>;
        let cases: Vec<(&str, Edit, DiscretionCondition)> = vec![
            (
                "sae",
                Box::new(|f| f.serious_adverse_event_or_death = true),
                DiscretionCondition::NoSeriousAdverseEvents,
            ),
            (
                "late notice",
                Box::new(|f| f.customer_notified_day = Some(31)),
                DiscretionCondition::CommunicatedWithin30Days,
            ),
            (
                "notice lacks elements",
                Box::new(|f| f.notice_has_required_elements = Some(false)),
                DiscretionCondition::CommunicatedWithin30Days,
            ),
            (
                "no interim controls",
                Box::new(|f| f.interim_controls_identified_day = None),
                DiscretionCondition::CommunicatedWithin30Days,
            ),
            (
                "late plan",
                Box::new(|f| f.remediation_plan_day = Some(40)),
                DiscretionCondition::CommunicatedWithin30Days,
            ),
            (
                "late fix",
                Box::new(|f| f.fix_validated_and_distributed_day = Some(61)),
                DiscretionCondition::FixedWithin60Days,
            ),
            (
                "no fix",
                Box::new(|f| f.fix_validated_and_distributed_day = None),
                DiscretionCondition::FixedWithin60Days,
            ),
            (
                "not isao",
                Box::new(|f| f.isao_member_active = false),
                DiscretionCondition::ActiveIsaoParticipation,
            ),
            (
                "not shared",
                Box::new(|f| f.notices_shared_with_isao = false),
                DiscretionCondition::ActiveIsaoParticipation,
            ),
        ];
        for (name, edit, failing) in cases {
            let mut f = all_met();
            edit(&mut f);
            let d = determine(Risk::Uncontrolled, &f);
            assert_eq!(d.report_806, Report806::Required, "{name}");
            let unmet: Vec<_> = d
                .enforcement_discretion
                .iter()
                .filter(|c| !c.met)
                .map(|c| c.condition)
                .collect();
            assert_eq!(unmet, [failing], "{name}");
        }
    }

    #[test]
    fn compliant_notice_evidences_the_remediation_plan() {
        let mut f = all_met();
        f.remediation_plan_day = None;
        let d = determine(Risk::Uncontrolled, &f);
        assert_eq!(d.report_806, Report806::NotEnforced);
        assert!(d.enforcement_discretion[1]
            .explanation
            .contains("evidenced by the compliant notice"));
        f.notice_has_required_elements = None;
        assert_eq!(
            determine(Risk::Uncontrolled, &f).report_806,
            Report806::Required
        );
    }

    #[test]
    fn condition_names_serialize_readably() {
        let names: Vec<_> = check_conditions(&all_met())
            .iter()
            .map(|c| serde_json::to_value(c.condition).unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "no-serious-adverse-events",
                "communicated-within-30-days",
                "fixed-within-60-days",
                "active-isao-participation"
            ]
        );
    }

    #[test]
    fn mdr_annual_report_and_prior_report() {
        let mut f = all_met();
        f.serious_adverse_event_or_death = true;
        f.pma = true;
        let d = determine(Risk::Uncontrolled, &f);
        assert!(d.report_803 && d.pma_annual_report);
        f.already_reported_803_or_1004 = true;
        assert_eq!(
            determine(Risk::Uncontrolled, &f).report_806,
            Report806::CoveredByPriorReport
        );
    }
}

//! The regulatory determinations of a case, read from its recorded evidence (postmarket
//! guidance §VII.B; 21 CFR 803, 806, 807.81(a)(3), 814.84).
//!
//! The rules themselves live in `postmarket_risk::reporting` (the four enforcement-discretion
//! conditions, the 803 flag, the annual report); this module turns dated evidence into the days
//! those rules read, and links each condition to the records it rests on, so a reviewer can go
//! from "806 not enforced" to the notice, the controls, the fix and the ISAO share.

use std::fmt;
use std::str::FromStr;

use postmarket_model::Date;
use postmarket_risk::reporting::{determine, DiscretionCondition, Report806, ReportingFacts};
use postmarket_risk::Risk;
use serde::{Deserialize, Serialize};

use crate::clocks::{FIX_DAYS, NOTICE_DAYS};
use crate::isao::IsaoMembership;
use crate::state::CaseState;
use crate::{add_days, days_between, ProgramError};

/// How the manufacturer learned of the vulnerability (postmarket guidance §IV.D signal sources).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CaseSource {
    /// A vulnerability feed matched a component (findings).
    Feed,
    /// A security researcher's report (CVD).
    Researcher,
    /// Shared by an ISAO or a CERT / coordinator (CISA ICSMA).
    Isao,
    /// A customer complaint (21 CFR 820.198).
    Complaint,
    /// The manufacturer's own testing.
    InternalTest,
}

impl CaseSource {
    pub const ALL: [CaseSource; 5] = [
        Self::Feed,
        Self::Researcher,
        Self::Isao,
        Self::Complaint,
        Self::InternalTest,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Feed => "feed",
            Self::Researcher => "researcher",
            Self::Isao => "isao",
            Self::Complaint => "complaint",
            Self::InternalTest => "internal-test",
        }
    }
}

impl fmt::Display for CaseSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CaseSource {
    type Err = ProgramError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let w = s.trim().to_ascii_lowercase().replace('_', "-");
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == w)
            .ok_or_else(|| {
                ProgramError::Invalid(format!(
                    "unknown case source {s:?}: expected one of {}",
                    Self::ALL.map(|c| c.as_str()).join(", ")
                ))
            })
    }
}

/// A serious adverse event or death associated with the vulnerability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdverseEventEvidence {
    pub id: i64,
    pub known_on: Date,
    pub description: String,
    /// The MDR (21 CFR 803) report number, once filed.
    pub mdr_number: Option<String>,
}

/// A customer notification that was sent (it has the four elements by construction).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoticeEvidence {
    pub id: i64,
    pub sent_on: Date,
    pub recipients: String,
}

/// An interim compensating control, with the attestation that it adds no risk (§IV.G).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ControlEvidence {
    pub id: i64,
    pub identified_on: Date,
    pub description: String,
}

/// A remediation plan with its timeline rationale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanEvidence {
    pub id: i64,
    pub made_on: Date,
    pub description: String,
}

/// A fix: the release that carries it, when validated, when distributed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FixEvidence {
    pub id: i64,
    pub release: String,
    pub validated_on: Option<Date>,
    pub distributed_on: Option<Date>,
}

impl FixEvidence {
    /// The day the fix was both validated and distributed.
    pub fn done_on(&self) -> Option<Date> {
        Some(self.validated_on?.max(self.distributed_on?))
    }
}

/// Something shared with an ISAO.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareEvidence {
    pub id: i64,
    pub isao: String,
    pub shared_on: Date,
    /// The customer notification shared, when it was one.
    pub notification_id: Option<i64>,
}

/// Everything a case has recorded that the determinations and clocks read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseEvidence {
    pub t0: Date,
    pub source: CaseSource,
    pub state: CaseState,
    /// The risk of the latest assessment.
    pub risk: Option<Risk>,
    /// The device is PMA-approved.
    pub pma: bool,
    pub acknowledged_on: Option<Date>,
    pub closed_on: Option<Date>,
    pub adverse_events: Vec<AdverseEventEvidence>,
    pub notices: Vec<NoticeEvidence>,
    pub controls: Vec<ControlEvidence>,
    pub plans: Vec<PlanEvidence>,
    pub fixes: Vec<FixEvidence>,
    pub shares: Vec<ShareEvidence>,
    /// The ISAO membership in the program settings.
    pub isao: Option<IsaoMembership>,
}

fn first_by<T, K: Ord>(items: &[T], key: impl Fn(&T) -> K) -> Option<&T> {
    items.iter().min_by_key(|i| key(i))
}

impl CaseEvidence {
    /// The evidence as it stood on `day`: records dated later are left out.
    pub fn as_of(&self, day: Date) -> CaseEvidence {
        let mut e = self.clone();
        e.acknowledged_on = e.acknowledged_on.filter(|d| *d <= day);
        e.closed_on = e.closed_on.filter(|d| *d <= day);
        e.adverse_events.retain(|a| a.known_on <= day);
        e.notices.retain(|n| n.sent_on <= day);
        e.controls.retain(|c| c.identified_on <= day);
        e.plans.retain(|p| p.made_on <= day);
        e.shares.retain(|s| s.shared_on <= day);
        for f in &mut e.fixes {
            f.validated_on = f.validated_on.filter(|d| *d <= day);
            f.distributed_on = f.distributed_on.filter(|d| *d <= day);
        }
        e
    }

    pub fn first_notice(&self) -> Option<&NoticeEvidence> {
        first_by(&self.notices, |n| (n.sent_on, n.id))
    }
    pub fn first_control(&self) -> Option<&ControlEvidence> {
        first_by(&self.controls, |c| (c.identified_on, c.id))
    }
    pub fn first_plan(&self) -> Option<&PlanEvidence> {
        first_by(&self.plans, |p| (p.made_on, p.id))
    }
    fn first_fix(&self) -> Option<&FixEvidence> {
        self.fixes
            .iter()
            .filter(|f| f.done_on().is_some())
            .min_by_key(|f| (f.done_on(), f.id))
    }
    /// The first day a fix was validated and distributed.
    pub fn first_fix_distributed(&self) -> Option<Date> {
        self.first_fix().and_then(FixEvidence::done_on)
    }
    /// The first share of a customer notification with an ISAO.
    fn first_notice_share(&self) -> Option<&ShareEvidence> {
        self.shares
            .iter()
            .filter(|s| s.notification_id.is_some())
            .min_by_key(|s| (s.shared_on, s.id))
    }

    fn day(&self, d: Date) -> u32 {
        u32::try_from(days_between(self.t0, d).max(0)).unwrap_or(u32::MAX)
    }
}

/// A pointer from a condition to a record that evidences it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceRef {
    /// `adverse-event`, `notification`, `interim-control`, `remediation-plan`, `fix`,
    /// `isao-share`, `isao-membership`.
    pub kind: String,
    /// The record's id (0 for the program settings' ISAO membership).
    pub id: i64,
    pub date: Option<Date>,
    /// Day from T0.
    pub day: Option<i64>,
}

/// One enforcement-discretion condition, checked, with its evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConditionOutcome {
    pub condition: DiscretionCondition,
    pub met: bool,
    /// Not met yet, but its deadline has not passed either: the outcome may still change.
    pub pending: bool,
    pub explanation: String,
    pub evidence: Vec<EvidenceRef>,
}

/// The case's regulatory determination on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CaseDetermination {
    pub as_of: Date,
    pub risk: Risk,
    pub report_806: Report806,
    /// The reason, in one sentence.
    pub reason: String,
    /// True while an unmet condition could still be met in time.
    pub provisional: bool,
    pub report_803: bool,
    pub pma_annual_report: bool,
    /// After remediating an uncontrolled risk, a premarket submission must be evaluated.
    pub premarket_submission_evaluation: bool,
    pub conditions: Vec<ConditionOutcome>,
    /// The facts handed to the reporting rules.
    pub facts: ReportingFacts,
}

fn reference(ev: &CaseEvidence, kind: &str, id: i64, date: Option<Date>) -> EvidenceRef {
    EvidenceRef {
        kind: kind.into(),
        id,
        date,
        day: date.map(|d| days_between(ev.t0, d)),
    }
}

/// The determination as the evidence stood on `as_of`; `None` before the case is assessed.
pub fn determine_case(ev: &CaseEvidence, as_of: Date) -> Option<CaseDetermination> {
    let risk = ev.risk?;
    let seen = ev.as_of(as_of);
    let notice = seen.first_notice();
    let control = seen.first_control();
    let plan = seen.first_plan();
    let fix = seen.first_fix();
    let share = seen.first_notice_share();
    // Condition 4 asks for active participation when the notice is shared; with no share yet,
    // membership on the day asked about is reported (condition unmet either way).
    let isao_day = share.map_or(as_of, |s| s.shared_on);
    let isao_active = seen.isao.as_ref().map(|m| m.active_on(isao_day));
    let shared_with_member = match (share, seen.isao.as_ref()) {
        (Some(s), Some(m)) => s.isao.trim().eq_ignore_ascii_case(m.name.trim()),
        _ => false,
    };
    let facts = ReportingFacts {
        serious_adverse_event_or_death: !seen.adverse_events.is_empty(),
        already_reported_803_or_1004: false,
        pma: ev.pma,
        customer_notified_day: notice.map(|n| seen.day(n.sent_on)),
        notice_has_required_elements: notice.map(|_| true),
        interim_controls_identified_day: control.map(|c| seen.day(c.identified_on)),
        remediation_plan_day: plan.map(|p| seen.day(p.made_on)),
        fix_validated_and_distributed_day: fix.and_then(|f| f.done_on()).map(|d| seen.day(d)),
        isao_member_active: matches!(isao_active, Some(Ok(_))),
        notices_shared_with_isao: shared_with_member,
        acknowledged_submitter: (ev.source == CaseSource::Researcher)
            .then_some(seen.acknowledged_on.is_some()),
    };
    let rules = determine(risk, &facts);
    let past = |days: i64| as_of > add_days(ev.t0, days);
    let conditions: Vec<ConditionOutcome> = rules
        .enforcement_discretion
        .iter()
        .map(|c| {
            let mut evidence = Vec::new();
            let mut explanation = c.explanation.clone();
            let deadline_passed = match c.condition {
                DiscretionCondition::NoSeriousAdverseEvents => {
                    for a in &seen.adverse_events {
                        evidence.push(reference(ev, "adverse-event", a.id, Some(a.known_on)));
                    }
                    true
                }
                DiscretionCondition::CommunicatedWithin30Days => {
                    if let Some(n) = notice {
                        evidence.push(reference(ev, "notification", n.id, Some(n.sent_on)));
                    }
                    if let Some(x) = control {
                        evidence.push(reference(
                            ev,
                            "interim-control",
                            x.id,
                            Some(x.identified_on),
                        ));
                    }
                    if let Some(p) = plan {
                        evidence.push(reference(ev, "remediation-plan", p.id, Some(p.made_on)));
                    }
                    past(NOTICE_DAYS)
                }
                DiscretionCondition::FixedWithin60Days => {
                    if let Some(f) = fix {
                        evidence.push(reference(ev, "fix", f.id, f.done_on()));
                    }
                    past(FIX_DAYS)
                }
                DiscretionCondition::ActiveIsaoParticipation => {
                    if let Some(m) = &seen.isao {
                        evidence.push(reference(ev, "isao-membership", 0, Some(m.member_since)));
                    }
                    if let Some(s) = share {
                        evidence.push(reference(ev, "isao-share", s.id, Some(s.shared_on)));
                    }
                    explanation = match (&isao_active, share) {
                        (None, _) => {
                            "no ISAO membership is recorded in the program settings".into()
                        }
                        (Some(Err(why)), _) => {
                            format!("not an active participating ISAO member: {why}")
                        }
                        (Some(Ok(_)), None) => {
                            "active ISAO member, but no customer notice was shared with it".into()
                        }
                        (Some(Ok(basis)), Some(s)) if shared_with_member => {
                            format!("{basis}; customer notice shared on {}", s.shared_on)
                        }
                        (Some(Ok(_)), Some(s)) => format!(
                            "the customer notice was shared with {:?}, not with the member ISAO",
                            s.isao
                        ),
                    };
                    // Sharing has no deadline of its own; it belongs to the notice.
                    past(NOTICE_DAYS) || matches!(isao_active, Some(Err(_)) | None)
                }
            };
            ConditionOutcome {
                condition: c.condition,
                met: c.met,
                pending: !c.met && !deadline_passed,
                explanation,
                evidence,
            }
        })
        .collect();
    let sae = facts.serious_adverse_event_or_death;
    let provisional = !sae && conditions.iter().any(|c| c.pending);
    let unmet: Vec<&str> = conditions
        .iter()
        .filter(|c| !c.met)
        .map(|c| c.explanation.as_str())
        .collect();
    let reason = match rules.report_806 {
        Report806::NotRequired => {
            "controlled risk: a cybersecurity routine update, not reportable under 21 CFR 806 (§VII.A)".to_string()
        }
        Report806::NotEnforced => {
            "uncontrolled risk, and all four enforcement-discretion conditions are met (§VII.B)".to_string()
        }
        Report806::CoveredByPriorReport => {
            "uncontrolled risk already reported under 21 CFR 803 or 1004 (806.10(f))".to_string()
        }
        Report806::Required => format!(
            "uncontrolled risk: report under 21 CFR 806.10 because {}",
            unmet.join("; ")
        ),
    };
    Some(CaseDetermination {
        as_of,
        risk,
        report_806: rules.report_806,
        reason,
        provisional,
        report_803: rules.report_803,
        pma_annual_report: rules.pma_annual_report,
        premarket_submission_evaluation: rules.premarket_submission_evaluation,
        conditions,
        facts,
    })
}

/// The premarket submission a change needs (21 CFR 814.39 PMA supplement or 30-day notice;
/// 807.81(a)(3) 510(k)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PremarketSubmission {
    None,
    PmaSupplement,
    PmaThirtyDayNotice,
    #[serde(rename = "510k")]
    Premarket510k,
}

impl PremarketSubmission {
    pub const ALL: [PremarketSubmission; 4] = [
        Self::None,
        Self::PmaSupplement,
        Self::PmaThirtyDayNotice,
        Self::Premarket510k,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::PmaSupplement => "pma-supplement",
            Self::PmaThirtyDayNotice => "pma-30-day-notice",
            Self::Premarket510k => "510k",
        }
    }
}

impl fmt::Display for PremarketSubmission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PremarketSubmission {
    type Err = ProgramError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let w = s.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|c| c.as_str() == w)
            .ok_or_else(|| {
                ProgramError::Invalid(format!(
                    "unknown premarket submission {s:?}: expected one of {}",
                    Self::ALL.map(|c| c.as_str()).join(", ")
                ))
            })
    }
}

/// The evaluation recorded after remediation: is a submission needed, which, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PremarketEvaluation {
    pub submission: PremarketSubmission,
    pub why: String,
    /// Reference of the submission when one was made.
    pub reference: Option<String>,
}

impl PremarketEvaluation {
    /// Refuses an evaluation without a reason, or a submission the device's pathway cannot take.
    pub fn validate(&self, device_is_pma: bool) -> Result<(), ProgramError> {
        if self.why.trim().is_empty() {
            return Err(ProgramError::Invalid(
                "the premarket-submission evaluation needs its reason (--why)".into(),
            ));
        }
        let pma_kind = matches!(
            self.submission,
            PremarketSubmission::PmaSupplement | PremarketSubmission::PmaThirtyDayNotice
        );
        if pma_kind && !device_is_pma {
            return Err(ProgramError::Invalid(format!(
                "a {} applies to PMA devices only; this device is not PMA-approved",
                self.submission
            )));
        }
        if self.submission == PremarketSubmission::Premarket510k && device_is_pma {
            return Err(ProgramError::Invalid(
                "a PMA device's changes go to a PMA supplement or 30-day notice, not a 510(k)"
                    .into(),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::isao::{CriterionEvidence, IsaoCriterion};

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn membership(until: Option<&str>) -> IsaoMembership {
        IsaoMembership {
            name: "Health-ISAC".into(),
            member_since: d("2025-01-01"),
            member_until: until.map(d),
            criteria: IsaoCriterion::ALL
                .iter()
                .map(|&criterion| CriterionEvidence {
                    criterion,
                    evidence: "documented".into(),
                })
                .collect(),
        }
    }

    /// FDA's §VII.B-1 story: notice, controls and plan on day 21, fix on day 55, ISAO member.
    fn b1() -> CaseEvidence {
        CaseEvidence {
            t0: d("2026-01-01"),
            source: CaseSource::Researcher,
            state: CaseState::Remediation,
            risk: Some(Risk::Uncontrolled),
            pma: true,
            acknowledged_on: Some(d("2026-01-02")),
            closed_on: None,
            adverse_events: vec![],
            notices: vec![NoticeEvidence {
                id: 1,
                sent_on: d("2026-01-22"),
                recipients: "all".into(),
            }],
            controls: vec![ControlEvidence {
                id: 2,
                identified_on: d("2026-01-22"),
                description: "close port".into(),
            }],
            plans: vec![PlanEvidence {
                id: 3,
                made_on: d("2026-01-22"),
                description: "patch".into(),
            }],
            fixes: vec![FixEvidence {
                id: 4,
                release: "2.1".into(),
                validated_on: Some(d("2026-02-20")),
                distributed_on: Some(d("2026-02-25")),
            }],
            shares: vec![ShareEvidence {
                id: 5,
                isao: "health-isac".into(),
                shared_on: d("2026-01-23"),
                notification_id: Some(1),
            }],
            isao: Some(membership(None)),
        }
    }

    #[test]
    fn all_four_met_is_not_enforced_with_evidence_links() {
        let det = determine_case(&b1(), d("2026-03-31")).unwrap();
        assert_eq!(det.report_806, Report806::NotEnforced, "{}", det.reason);
        assert!(!det.provisional);
        let c2 = &det.conditions[1];
        let kinds: Vec<_> = c2
            .evidence
            .iter()
            .map(|e| (e.kind.as_str(), e.day))
            .collect();
        assert_eq!(
            kinds,
            [
                ("notification", Some(21)),
                ("interim-control", Some(21)),
                ("remediation-plan", Some(21))
            ]
        );
        assert_eq!(det.conditions[2].evidence[0].day, Some(55));
    }

    #[test]
    fn late_fix_late_notice_lapsed_membership_and_late_sae_each_require_806() {
        let mut e = b1();
        e.fixes[0].distributed_on = Some(d("2026-03-02")); // day 60
        let det = determine_case(&e, d("2026-04-01")).unwrap();
        assert_eq!(det.report_806, Report806::NotEnforced, "{}", det.reason);
        e.fixes[0].distributed_on = Some(d("2026-03-03")); // day 61
        let det = determine_case(&e, d("2026-04-01")).unwrap();
        assert_eq!(det.report_806, Report806::Required);
        assert!(det.reason.contains("day 61"), "{}", det.reason);

        let mut e = b1();
        e.notices[0].sent_on = d("2026-02-01"); // day 31
        e.shares[0].shared_on = d("2026-02-01");
        let det = determine_case(&e, d("2026-04-01")).unwrap();
        assert_eq!(det.report_806, Report806::Required);
        assert!(det.reason.contains("day 31"), "{}", det.reason);

        let mut e = b1();
        e.isao = Some(membership(Some("2026-01-10")));
        let det = determine_case(&e, d("2026-04-01")).unwrap();
        assert_eq!(det.report_806, Report806::Required);
        assert!(
            det.reason.contains("lapsed on 2026-01-10"),
            "{}",
            det.reason
        );

        let mut e = b1();
        e.adverse_events.push(AdverseEventEvidence {
            id: 9,
            known_on: d("2026-02-10"),
            description: "death".into(),
            mdr_number: None,
        });
        // On day 39 the event is not known: condition 1 holds and the outcome is still open (the
        // fix is due by day 60); from day 40 on: 806 required for good, and 803.
        let before = determine_case(&e, d("2026-02-09")).unwrap();
        assert!(before.conditions[0].met && before.provisional && !before.report_803);
        let after = determine_case(&e, d("2026-02-10")).unwrap();
        assert_eq!(after.report_806, Report806::Required);
        assert!(after.report_803 && !after.provisional);
        let end = determine_case(&e, d("2026-04-01")).unwrap();
        assert_eq!(
            end.report_806,
            Report806::Required,
            "a fix on day 55 does not undo it"
        );
        assert_eq!(after.conditions[0].evidence[0].day, Some(40));
    }

    #[test]
    fn before_the_deadline_the_outcome_is_provisional() {
        let mut e = b1();
        e.fixes.clear();
        let det = determine_case(&e, d("2026-02-15")).unwrap();
        assert_eq!(det.report_806, Report806::Required);
        assert!(det.provisional && det.conditions[2].pending);
        let det = determine_case(&e, d("2026-03-05")).unwrap();
        assert!(!det.provisional);
    }

    #[test]
    fn premarket_evaluation_fits_the_pathway() {
        let mut p = PremarketEvaluation {
            submission: PremarketSubmission::Premarket510k,
            why: "new feature".into(),
            reference: None,
        };
        assert!(p.validate(true).is_err());
        p.validate(false).unwrap();
        p.why = " ".into();
        assert!(p.validate(false).is_err());
    }
}

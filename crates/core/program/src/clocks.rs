//! The clocks (postmarket guidance §VII.B; issue 7). For an uncontrolled case: day 30 (customer
//! notice, interim compensating controls, remediation plan) and day 60 (fix validated and
//! distributed), in calendar days from T0, the day the manufacturer learned of the vulnerability
//! (calendar days are our reading; the guidance does not say). For a report from a researcher:
//! the CVD acknowledgement clock (ISO/IEC 29147 asks for an acknowledgement within a stated
//! time and sets no number), counted in business days. For a controlled case: the
//! manufacturer's own target for the routine update.

use postmarket_model::Date;
use postmarket_risk::Risk;
use serde::{Deserialize, Serialize};

use crate::evidence::{CaseEvidence, CaseSource};
use crate::{add_days, days_between};

/// Days from T0 for the notice, controls and plan (§VII.B(2)).
pub const NOTICE_DAYS: i64 = postmarket_risk::reporting::NOTICE_DAYS as i64;
/// Days from T0 for the validated, distributed fix (§VII.B(3)).
pub const FIX_DAYS: i64 = postmarket_risk::reporting::FIX_DAYS as i64;

/// The manufacturer's clock settings (program settings, `clocks`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClockConfig {
    /// Business days (Monday to Friday) to acknowledge a researcher's report. Default 5: one
    /// working week, our default, stated in the CVD policy and changeable there.
    pub cvd_ack_business_days: u32,
    /// Calendar days from T0 to distribute the routine update of a controlled case. Default 90:
    /// our default for a regular update cycle (§524B(b)(2) asks for a justified cycle).
    pub controlled_target_days: u32,
    /// A clock this close to its due date (days) is reported as due soon. Default 7.
    pub due_soon_days: u32,
}

impl Default for ClockConfig {
    fn default() -> Self {
        Self {
            cvd_ack_business_days: 5,
            controlled_target_days: 90,
            due_soon_days: 7,
        }
    }
}

/// Which clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClockKind {
    /// Uncontrolled: notice, interim controls and plan by T0 + 30.
    #[serde(rename = "day-30")]
    Day30,
    /// Uncontrolled: fix validated and distributed by T0 + 60.
    #[serde(rename = "day-60")]
    Day60,
    /// Researcher report: acknowledgement.
    CvdAcknowledgement,
    /// Controlled: routine update distributed by the configured target.
    ControlledTarget,
}

/// Where a clock stands on the day asked about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClockStatus {
    /// Met on or before the due date.
    Met,
    /// Met, but after the due date.
    MetLate,
    /// Not met, due date passed.
    Breached,
    /// Not met, due within `due_soon_days`.
    DueSoon,
    /// Not met, time left.
    Running,
}

/// One clock of one case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clock {
    pub kind: ClockKind,
    pub due: Date,
    /// Days from the day asked about to the due date (negative once passed).
    pub days_left: i64,
    pub status: ClockStatus,
    /// True when the due date passed before the clock was met (or it is still unmet).
    pub breached: bool,
    pub met_on: Option<Date>,
    /// What stops the clock.
    pub needs: String,
}

/// `start` plus `n` business days (Saturdays and Sundays skipped).
pub fn add_business_days(start: Date, n: u32) -> Date {
    let mut d = start.inner();
    let mut left = n;
    while left > 0 {
        d += time::Duration::days(1);
        if !matches!(d.weekday(), time::Weekday::Saturday | time::Weekday::Sunday) {
            left -= 1;
        }
    }
    Date::from_calendar(d)
}

fn clock(
    kind: ClockKind,
    due: Date,
    met_on: Option<Date>,
    at: Date,
    cfg: &ClockConfig,
    needs: &str,
) -> Clock {
    let days_left = days_between(at, due);
    let status = match met_on {
        Some(m) if m <= due => ClockStatus::Met,
        Some(_) => ClockStatus::MetLate,
        None if at > due => ClockStatus::Breached,
        None if days_left <= i64::from(cfg.due_soon_days) => ClockStatus::DueSoon,
        None => ClockStatus::Running,
    };
    Clock {
        kind,
        due,
        days_left,
        breached: matches!(status, ClockStatus::MetLate | ClockStatus::Breached),
        status,
        met_on,
        needs: needs.to_string(),
    }
}

/// The clocks of a case as they stand on `at`. Evidence dated after `at` is not seen, so a test
/// (or an auditor) can replay any day. A case closed as not affected or duplicate has none.
pub fn case_clocks(ev: &CaseEvidence, cfg: &ClockConfig, at: Date) -> Vec<Clock> {
    use crate::state::CaseState;
    if matches!(ev.state, CaseState::NotAffected | CaseState::Duplicate) {
        return Vec::new();
    }
    let seen = ev.as_of(at);
    let mut out = Vec::new();
    if ev.source == CaseSource::Researcher {
        out.push(clock(
            ClockKind::CvdAcknowledgement,
            add_business_days(ev.t0, cfg.cvd_ack_business_days),
            seen.acknowledged_on,
            at,
            cfg,
            "acknowledge the researcher's report",
        ));
    }
    match ev.risk {
        Some(Risk::Uncontrolled) => {
            let parts = [
                seen.first_notice().map(|n| n.sent_on),
                seen.first_control().map(|c| c.identified_on),
                seen.first_plan()
                    .map(|p| p.made_on)
                    .or(seen.first_notice().map(|n| n.sent_on)),
            ];
            let met30 = if parts.iter().all(Option::is_some) {
                parts.iter().flatten().max().copied()
            } else {
                None
            };
            out.push(clock(
                ClockKind::Day30,
                add_days(ev.t0, NOTICE_DAYS),
                met30,
                at,
                cfg,
                "customer notice with the four elements, interim compensating controls, remediation plan",
            ));
            out.push(clock(
                ClockKind::Day60,
                add_days(ev.t0, FIX_DAYS),
                seen.first_fix_distributed(),
                at,
                cfg,
                "fix validated and distributed",
            ));
        }
        Some(Risk::Controlled) => out.push(clock(
            ClockKind::ControlledTarget,
            add_days(ev.t0, i64::from(cfg.controlled_target_days)),
            seen.first_fix_distributed().or(seen.closed_on),
            at,
            cfg,
            "routine update distributed (or the case closed)",
        )),
        None => {}
    }
    out
}

/// The clocks that need someone's attention on `at`: breached and due soon, unmet.
pub fn needs_attention(clocks: &[Clock]) -> impl Iterator<Item = &Clock> {
    clocks
        .iter()
        .filter(|c| matches!(c.status, ClockStatus::Breached | ClockStatus::DueSoon))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn business_days_skip_weekends() {
        // 2026-01-02 is a Friday: five business days later is Friday 2026-01-09.
        let d = add_business_days("2026-01-02".parse().unwrap(), 5);
        assert_eq!(d.to_string(), "2026-01-09");
        let d = add_business_days("2026-01-03".parse().unwrap(), 1);
        assert_eq!(d.to_string(), "2026-01-05");
    }
}

//! FDA's metrics for a period (premarket guidance §V.A.6): the percentage of identified
//! vulnerabilities updated or patched, the time from identification to patch, and the time from
//! patch availability to full deployment in the field ("to the extent known").
//!
//! Definitions used (ours; the guidance names the metrics, not their arithmetic):
//! - *identified* in the period: the case's T0 falls in `[from, to]` (not-affected and duplicate
//!   cases are not vulnerabilities of the device and are left out by the caller);
//! - *patched*: a fix was validated and distributed on or before `to`;
//! - *fully deployed*: the day the deployment records' cumulative units reach the affected
//!   install base, on or before `to`; a patch not yet fully deployed is counted as such and left
//!   out of the deployment times.

use postmarket_model::Date;
use serde::{Deserialize, Serialize};

use crate::days_between;

/// One case as the metrics read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MetricCase {
    pub case_id: i64,
    pub identified_on: Date,
    pub patched_on: Option<Date>,
    /// Units of the affected releases in the field.
    pub install_base: i64,
    /// Deployment records: (day, units updated that day).
    pub deployments: Vec<(Date, i64)>,
}

/// Count, mean and median of a list of day counts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DaySummary {
    pub count: usize,
    pub mean_days: Option<f64>,
    pub median_days: Option<f64>,
}

impl DaySummary {
    pub fn of(mut days: Vec<i64>) -> Self {
        days.sort_unstable();
        let n = days.len();
        #[allow(clippy::cast_precision_loss)] // day counts are small
        let mean = (n > 0).then(|| days.iter().sum::<i64>() as f64 / n as f64);
        #[allow(clippy::cast_precision_loss)]
        let median = (n > 0).then(|| {
            if n % 2 == 1 {
                days[n / 2] as f64
            } else {
                (days[n / 2 - 1] + days[n / 2]) as f64 / 2.0
            }
        });
        Self {
            count: n,
            mean_days: mean,
            median_days: median,
        }
    }
}

/// One case's line in the metrics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MetricLine {
    pub case_id: i64,
    pub identified_on: Date,
    pub patched_on: Option<Date>,
    pub fully_deployed_on: Option<Date>,
    pub identification_to_patch_days: Option<i64>,
    pub patch_to_deployment_days: Option<i64>,
}

/// The metrics for a period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Metrics {
    pub from: Date,
    pub to: Date,
    pub identified: usize,
    pub patched: usize,
    /// `patched / identified × 100`, `None` when nothing was identified.
    pub percent_patched: Option<f64>,
    pub identification_to_patch: DaySummary,
    pub patch_to_deployment: DaySummary,
    /// Patched, but the deployment records do not reach the install base by `to`.
    pub not_fully_deployed: usize,
    pub cases: Vec<MetricLine>,
}

/// The day cumulative deployments reach `install_base` (by `to`).
fn fully_deployed_on(c: &MetricCase, patched_on: Date, to: Date) -> Option<Date> {
    if c.install_base <= 0 {
        // No units in the field: deployed as soon as it is available.
        return Some(patched_on);
    }
    let mut records: Vec<(Date, i64)> = c
        .deployments
        .iter()
        .copied()
        .filter(|(d, _)| *d <= to)
        .collect();
    records.sort();
    let mut total = 0;
    for (day, units) in records {
        total += units;
        if total >= c.install_base {
            return Some(day);
        }
    }
    None
}

/// Computes the metrics over the cases identified in `[from, to]`.
pub fn compute(cases: &[MetricCase], from: Date, to: Date) -> Metrics {
    let mut lines = Vec::new();
    for c in cases
        .iter()
        .filter(|c| c.identified_on >= from && c.identified_on <= to)
    {
        let patched_on = c.patched_on.filter(|p| *p <= to);
        let deployed = patched_on.and_then(|p| fully_deployed_on(c, p, to));
        lines.push(MetricLine {
            case_id: c.case_id,
            identified_on: c.identified_on,
            patched_on,
            fully_deployed_on: deployed,
            identification_to_patch_days: patched_on.map(|p| days_between(c.identified_on, p)),
            patch_to_deployment_days: match (patched_on, deployed) {
                (Some(p), Some(d)) => Some(days_between(p, d).max(0)),
                _ => None,
            },
        });
    }
    let identified = lines.len();
    let patched = lines.iter().filter(|l| l.patched_on.is_some()).count();
    #[allow(clippy::cast_precision_loss)]
    let percent_patched = (identified > 0).then(|| patched as f64 * 100.0 / identified as f64);
    Metrics {
        from,
        to,
        identified,
        patched,
        percent_patched,
        identification_to_patch: DaySummary::of(
            lines
                .iter()
                .filter_map(|l| l.identification_to_patch_days)
                .collect(),
        ),
        patch_to_deployment: DaySummary::of(
            lines
                .iter()
                .filter_map(|l| l.patch_to_deployment_days)
                .collect(),
        ),
        not_fully_deployed: lines
            .iter()
            .filter(|l| l.patched_on.is_some() && l.fully_deployed_on.is_none())
            .count(),
        cases: lines,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn percent_mean_median_and_deployment() {
        let cases = vec![
            MetricCase {
                case_id: 1,
                identified_on: d("2026-01-01"),
                patched_on: Some(d("2026-01-11")),
                install_base: 100,
                deployments: vec![(d("2026-01-20"), 60), (d("2026-01-31"), 40)],
            },
            MetricCase {
                case_id: 2,
                identified_on: d("2026-01-05"),
                patched_on: Some(d("2026-02-04")),
                install_base: 10,
                deployments: vec![(d("2026-02-05"), 5)],
            },
            MetricCase {
                case_id: 3,
                identified_on: d("2026-02-01"),
                patched_on: None,
                install_base: 10,
                deployments: vec![],
            },
            MetricCase {
                case_id: 4,
                identified_on: d("2026-03-01"),
                patched_on: Some(d("2026-03-02")),
                install_base: 0,
                deployments: vec![],
            },
            MetricCase {
                case_id: 5,
                identified_on: d("2025-12-01"),
                patched_on: Some(d("2026-01-02")),
                install_base: 1,
                deployments: vec![],
            },
        ];
        let m = compute(&cases, d("2026-01-01"), d("2026-03-31"));
        assert_eq!((m.identified, m.patched), (4, 3));
        assert_eq!(m.percent_patched, Some(75.0));
        // 10, 30, 1 days → mean 13.67, median 10.
        assert_eq!(m.identification_to_patch.count, 3);
        assert!((m.identification_to_patch.mean_days.unwrap() - 41.0 / 3.0).abs() < 1e-9);
        assert_eq!(m.identification_to_patch.median_days, Some(10.0));
        // Case 1 fully deployed on 01-31 (20 days); case 4 has nothing to deploy (0 days);
        // case 2 reached 5 of 10 units.
        assert_eq!(m.patch_to_deployment.count, 2);
        assert_eq!(m.patch_to_deployment.median_days, Some(10.0));
        assert_eq!(m.not_fully_deployed, 1);
        let empty = compute(&cases, d("2027-01-01"), d("2027-12-31"));
        assert_eq!(empty.percent_patched, None);
        assert_eq!(empty.identification_to_patch.mean_days, None);
    }
}

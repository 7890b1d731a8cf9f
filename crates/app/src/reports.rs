//! Reports over the cases: the clocks, FDA's metrics, the PMA annual report (issue 7).

use postmarket_model::{Date, DeviceName, Pathway};
use postmarket_program::annual::{
    AnnualEntry, AnnualReport, ChangeEntry, NotificationEntry, ReportDevice, ShareEntry,
};
use postmarket_program::clocks::{case_clocks, Clock};
use postmarket_program::evidence::determine_case;
use postmarket_program::metrics::{compute, MetricCase, Metrics};
use postmarket_program::state::CaseState;
use postmarket_risk::Risk;
use serde::Serialize;

use crate::cases::CaseView;
use crate::{App, AppError};

/// One open case's clocks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseClocks {
    pub case_id: i64,
    pub device: String,
    pub vulnerability: String,
    pub state: CaseState,
    pub t0: Date,
    pub risk: Option<Risk>,
    pub clocks: Vec<Clock>,
}

fn check_period(from: Date, to: Date) -> Result<(), AppError> {
    if to < from {
        return Err(AppError::BadInput(format!(
            "the period ends ({to}) before it starts ({from})"
        )));
    }
    Ok(())
}

fn counted(v: &CaseView) -> bool {
    !matches!(v.state(), CaseState::NotAffected | CaseState::Duplicate)
}

impl App {
    /// The clocks of every open case on `at`.
    pub async fn clock_report(&self, at: Date) -> Result<Vec<CaseClocks>, AppError> {
        let cfg = self.program_settings().await?.clocks;
        let mut out = Vec::new();
        for c in self.cases(None).await? {
            if c.state.is_terminal() {
                continue;
            }
            let view = self.case(c.id).await?;
            let ev = self.case_evidence(&view).await?;
            out.push(CaseClocks {
                case_id: c.id,
                device: view.device.clone(),
                vulnerability: c.vulnerability.clone(),
                state: c.state,
                t0: c.t0,
                risk: ev.risk,
                clocks: case_clocks(&ev, &cfg, at),
            });
        }
        Ok(out)
    }

    fn metric_case(view: &CaseView) -> MetricCase {
        let affected: i64 = view.releases.iter().map(|r| r.install_base).sum();
        MetricCase {
            case_id: view.id(),
            identified_on: view.case.t0,
            patched_on: view
                .fixes
                .iter()
                .filter_map(|f| {
                    f.distributed_on
                        .max(f.validated_on)
                        .filter(|_| f.validated_on.is_some() && f.distributed_on.is_some())
                })
                .min(),
            install_base: affected,
            deployments: view
                .deployments
                .iter()
                .map(|d| (d.deployed_on, d.units))
                .collect(),
        }
    }

    /// FDA's metrics over the cases identified in `[from, to]`, of one device or all.
    pub async fn metrics(
        &self,
        from: Date,
        to: Date,
        device: Option<&DeviceName>,
    ) -> Result<Metrics, AppError> {
        check_period(from, to)?;
        let mut cases = Vec::new();
        for c in self.cases(device).await? {
            let view = self.case(c.id).await?;
            if counted(&view) {
                cases.push(Self::metric_case(&view));
            }
        }
        Ok(compute(&cases, from, to))
    }

    /// The PMA annual report content for a device and period: every case of the device whose
    /// assessment makes it an annual-report item and that was open during the period.
    pub async fn pma_annual_report(
        &self,
        device: &DeviceName,
        from: Date,
        to: Date,
        today: Date,
    ) -> Result<AnnualReport, AppError> {
        check_period(from, to)?;
        let d = self.store().device(device).await?;
        if d.pathway != Pathway::Pma {
            return Err(AppError::BadInput(format!(
                "device {} is {} (not PMA-approved): 21 CFR 814.84 annual reports are for PMA devices",
                d.name, d.pathway
            )));
        }
        let all_cases = self.cases(None).await?;
        let devices = self.store().devices().await?;
        let mut entries = Vec::new();
        let mut metric_cases = Vec::new();
        for c in self.cases(Some(&d.name)).await? {
            let view = self.case(c.id).await?;
            if !counted(&view) {
                continue;
            }
            metric_cases.push(Self::metric_case(&view));
            let open_in_period =
                view.case.t0 <= to && view.case.closed_on.is_none_or(|cl| cl >= from);
            if !open_in_period {
                continue;
            }
            let ev = self.case_evidence(&view).await?;
            let Some(det) = determine_case(&ev, to.min(today)) else {
                continue; // not assessed: no conclusion to report yet
            };
            if !det.pma_annual_report {
                continue;
            }
            let fix = view
                .fixes
                .iter()
                .find(|f| f.distributed_on.is_some())
                .or(view.fixes.first());
            let assessment = view.assessment();
            let rationale = match (fix, assessment) {
                (Some(f), _) => f.justification.clone(),
                (None, Some(a)) => a.rationale.clone(),
                (None, None) => String::new(),
            };
            let other_devices: Vec<String> = all_cases
                .iter()
                .filter(|o| {
                    o.id != c.id
                        && o.device_id != d.id
                        && o.vulnerability.eq_ignore_ascii_case(&c.vulnerability)
                })
                .filter_map(|o| {
                    devices
                        .iter()
                        .find(|x| x.id == o.device_id)
                        .map(|x| x.name.to_string())
                })
                .collect();
            let premarket = view
                .determinations
                .iter()
                .rev()
                .find(|x| x.kind == "premarket")
                .map_or_else(
                    || "not yet evaluated".to_string(),
                    |x| {
                        format!(
                            "{}{}: {}",
                            x.outcome,
                            x.reference
                                .as_deref()
                                .map(|r| format!(" ({r})"))
                                .unwrap_or_default(),
                            x.reason
                        )
                    },
                );
            let report_806_ref = view
                .determinations
                .iter()
                .rev()
                .find(|x| x.kind == "806")
                .and_then(|x| x.reference.clone());
            entries.push(AnnualEntry {
                case_id: c.id,
                vulnerability: c.vulnerability.clone(),
                how_learned: match &c.source_detail {
                    Some(detail) => format!("{} ({detail})", c.source),
                    None => c.source.to_string(),
                },
                t0: c.t0,
                risk: det.risk.to_string(),
                state: c.state.to_string(),
                change: ChangeEntry {
                    affected_releases: view
                        .releases
                        .iter()
                        .filter(|r| fix.is_none_or(|f| f.release_id != r.id) || r.install_base > 0)
                        .map(|r| r.version.clone())
                        .collect(),
                    fixed_by_release: fix.map(|f| {
                        view.releases
                            .iter()
                            .find(|r| r.id == f.release_id)
                            .map_or_else(String::new, |r| r.version.clone())
                    }),
                    validated_on: fix.and_then(|f| f.validated_on),
                    distributed_on: fix.and_then(|f| f.distributed_on),
                    cycle: fix.map(|f| f.cycle.as_str().to_string()),
                    rationale,
                },
                other_affected_devices: other_devices,
                mdr_numbers: view
                    .adverse_events
                    .iter()
                    .filter_map(|a| a.mdr_number.clone())
                    .collect(),
                udi_di: d.udi_di.clone(),
                advisory_reference: c.advisory_ref.clone(),
                notifications: view
                    .notifications
                    .iter()
                    .map(|n| NotificationEntry {
                        sent_on: n.sent_on,
                        recipients: n.recipients.clone(),
                    })
                    .collect(),
                isao_shares: view
                    .isao_shares
                    .iter()
                    .map(|s| ShareEntry {
                        isao: s.isao.clone(),
                        shared_on: s.shared_on,
                        what: s.what.clone(),
                    })
                    .collect(),
                report_806: format!(
                    "{}{}",
                    serde_json::to_value(det.report_806)
                        .ok()
                        .and_then(|v| v.as_str().map(String::from))
                        .unwrap_or_default(),
                    report_806_ref
                        .map(|r| format!(" (report {r})"))
                        .unwrap_or_default()
                ),
                report_806_reason: det.reason.clone(),
                premarket_submission: premarket,
            });
        }
        Ok(AnnualReport {
            device: ReportDevice {
                name: d.name.to_string(),
                product_line: d.product_line.clone(),
                class: d.class.to_string(),
                pathway: d.pathway.to_string(),
                udi_di: d.udi_di.clone(),
            },
            from,
            to,
            generated_on: today,
            entries,
            metrics: compute(&metric_cases, from, to),
        })
    }
}

//! Cases open from new findings (issue 7; DESIGN.md §2 "triage"): after a match run records
//! findings, every new confident finding that no VEX statement suppresses opens — or joins —
//! the case for its vulnerability on its device, with T0 the day the finding appeared (the
//! manufacturer's awareness, FDA 2016 postmarket guidance §V.A). `open_cases_for_exposures` is
//! idempotent, so a finding seen again changes nothing.

use std::collections::BTreeMap;

use postmarket_model::{Actor, Date, DeviceName, ReleaseVersion};
use postmarket_store::{FindingFilter, MatchRun};

use crate::{App, AppError};

impl App {
    /// Opens or extends the cases for the findings that first appeared in `run`; returns the
    /// ids of the cases it created.
    pub async fn open_cases_for_run(
        &self,
        actor: &Actor,
        run: &MatchRun,
    ) -> Result<Vec<i64>, AppError> {
        if run.appeared == 0 {
            return Ok(Vec::new());
        }
        let rows = self
            .store()
            .findings(&FindingFilter {
                release_id: run.release_id,
                ..FindingFilter::default()
            })
            .await?;
        // (device, vulnerability) → (releases, earliest day seen)
        let mut groups: BTreeMap<(String, String), (Vec<String>, String)> = BTreeMap::new();
        for f in rows
            .iter()
            .filter(|f| f.first_run == run.id && f.active && f.state == "finding" && !f.suppressed)
        {
            let day = f.first_seen.get(..10).unwrap_or(&f.first_seen).to_string();
            let g = groups
                .entry((f.device.clone(), f.vulnerability.clone()))
                .or_insert_with(|| (Vec::new(), day.clone()));
            if !g.0.contains(&f.release) {
                g.0.push(f.release.clone());
            }
            if day < g.1 {
                g.1 = day;
            }
        }
        let mut created = Vec::new();
        for ((device, vulnerability), (releases, day)) in groups {
            let device: DeviceName = device.parse()?;
            let releases = releases
                .iter()
                .map(|r| r.parse::<ReleaseVersion>())
                .collect::<Result<Vec<_>, _>>()?;
            let t0: Date = day
                .parse()
                .map_err(|e| AppError::Internal(format!("finding first seen {day:?}: {e}")))?;
            let (case, new) = self
                .open_cases_for_exposures(actor, &device, &vulnerability, &releases, t0)
                .await?;
            if new {
                created.push(case.id());
            }
        }
        Ok(created)
    }
}

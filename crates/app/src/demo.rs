//! The demo portfolio `postmarket demo` loads: a handful of plausible devices across product lines,
//! classes and pathways, each with releases in the field. Later capabilities add SBOMs,
//! vulnerabilities and cases to it.

use postmarket_model::{Actor, DeviceClass, NewDevice, NewRelease, Pathway};

use crate::{App, AppError};

#[derive(Debug, Clone, serde::Serialize)]
pub struct DemoSummary {
    /// False when the database already held devices and nothing was added.
    pub loaded: bool,
    pub devices: usize,
    pub releases: usize,
}

struct DemoDevice {
    name: &'static str,
    product_line: &'static str,
    class: DeviceClass,
    pathway: Pathway,
    udi_di: &'static str,
    safety: &'static str,
    // (version, released_at, end_of_support, install_base)
    releases: &'static [(&'static str, &'static str, &'static str, i64)],
}

const PORTFOLIO: &[DemoDevice] = &[
    DemoDevice {
        name: "Infusion Pump IP-300",
        product_line: "Infusion",
        class: DeviceClass::II,
        pathway: Pathway::Premarket510k,
        udi_di: "00812345000011",
        safety: "Delivers the programmed dose within ±5%; stops and alarms on occlusion.",
        releases: &[
            ("4.1.0", "2022-03-01", "2029-03-01", 1_200),
            ("4.2.0", "2023-06-15", "2030-06-15", 3_400),
            ("5.0.1", "2025-02-10", "2032-02-10", 800),
        ],
    },
    DemoDevice {
        name: "Patient Monitor PM-7",
        product_line: "Monitoring",
        class: DeviceClass::II,
        pathway: Pathway::Premarket510k,
        udi_di: "00812345000028",
        safety: "Displays vital signs and raises alarms for out-of-range values within 10 s.",
        releases: &[
            ("2.3.4", "2021-09-20", "2027-09-20", 5_600),
            ("2.4.0", "2024-04-02", "2030-04-02", 2_100),
        ],
    },
    DemoDevice {
        name: "Insulin Pump IX",
        product_line: "Diabetes",
        class: DeviceClass::III,
        pathway: Pathway::Pma,
        udi_di: "00812345000035",
        safety:
            "Delivers basal and bolus insulin as programmed; never delivers an unrequested bolus.",
        releases: &[
            ("1.0.3", "2020-11-05", "2026-11-05", 9_800),
            ("1.1.0", "2023-01-30", "2029-01-30", 14_250),
        ],
    },
    DemoDevice {
        name: "Pacemaker Programmer PR-2",
        product_line: "Cardiac Rhythm",
        class: DeviceClass::III,
        pathway: Pathway::Pma,
        udi_di: "00812345000042",
        safety: "Changes implant settings only within the clinician's session and verified ranges.",
        releases: &[("7.2", "2022-07-11", "2030-07-11", 640)],
    },
    DemoDevice {
        name: "CT Viewer Workstation",
        product_line: "Imaging",
        class: DeviceClass::II,
        pathway: Pathway::Premarket510k,
        udi_di: "00812345000059",
        safety: "Displays images without loss or misattribution of patient identity.",
        releases: &[("11.0", "2023-10-01", "2028-10-01", 310)],
    },
];

impl App {
    /// Loads the demo portfolio into an empty database; leaves a database with devices alone.
    pub async fn load_demo_portfolio(&self, actor: &Actor) -> Result<DemoSummary, AppError> {
        if !self.store().devices().await?.is_empty() {
            return Ok(DemoSummary {
                loaded: false,
                devices: self.store().count("devices").await? as usize,
                releases: self.store().count("releases").await? as usize,
            });
        }
        let reason = Some("demo portfolio");
        let mut releases = 0;
        for d in PORTFOLIO {
            let mut new = NewDevice::new(d.name.parse()?, d.product_line, d.class, d.pathway);
            new.udi_di = Some(d.udi_di.into());
            new.safety_statement = Some(d.safety.into());
            let device = self.add_device(actor, &new, reason).await?;
            for (version, released, eos, base) in d.releases {
                let release = NewRelease {
                    device: device.name.clone(),
                    version: version.parse()?,
                    released_at: Some(released.parse().map_err(|_| {
                        postmarket_model::InvalidValue::new("date", *released, "YYYY-MM-DD")
                    })?),
                    end_of_support: Some(eos.parse().map_err(|_| {
                        postmarket_model::InvalidValue::new("date", *eos, "YYYY-MM-DD")
                    })?),
                    install_base: *base,
                };
                self.add_release(actor, &release, reason).await?;
                releases += 1;
            }
        }
        Ok(DemoSummary {
            loaded: true,
            devices: PORTFOLIO.len(),
            releases,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn demo_portfolio_loads_once_and_verifies() {
        let app = App::open("sqlite::memory:").await.unwrap();
        let actor = Actor::new("demo").unwrap();
        let first = app.load_demo_portfolio(&actor).await.unwrap();
        assert!(first.loaded);
        assert_eq!(first.devices, PORTFOLIO.len());
        let second = app.load_demo_portfolio(&actor).await.unwrap();
        assert!(!second.loaded);
        assert_eq!(second.releases, first.releases);
        let report = app.verify().await.unwrap();
        assert!(report.ok, "{report:?}");
        assert_eq!(
            report.events as usize,
            first.devices + first.releases,
            "one audit event per write"
        );
        let portfolio = app.portfolio().await.unwrap();
        let pump = portfolio
            .iter()
            .find(|d| d.device.name.as_str() == "Infusion Pump IP-300")
            .unwrap();
        assert_eq!(pump.install_base, 1_200 + 3_400 + 800);
        assert_eq!(pump.latest_release.as_deref(), Some("5.0.1"));
    }
}

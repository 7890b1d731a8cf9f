//! Postmarket's use cases (DESIGN.md §7 `app`): each workflow is written here once, and both the
//! CLI and the web app call it. For now: the inventory of devices and releases, the integrity of
//! the store, SBOMs of releases (issue 3), and the demo portfolio.

pub mod advisories;
pub mod bench;
pub mod cases;
pub mod coordinator;
pub mod cvd;
mod demo;
mod error;
pub mod exposures;
pub mod feeds;
pub mod findings;
pub mod program;
pub mod reports;
pub mod sbom;
pub mod scheduler;
pub mod sync;
pub mod users;
pub mod vex_import;

use postmarket_model::{Actor, Device, DeviceName, NewDevice, NewRelease, Release};
use postmarket_store::{Store, VerifyReport};

pub use demo::DemoSummary;
pub use error::{AppError, ErrorKind};
pub use feeds::{ImportOptions, ImportReport, NoProgress, Progress};
pub use findings::{
    FindingExplained, FindingView, LoadedIndex, MatchProgress, MatchSummary, NoMatchProgress,
    ScanFinding, ScanReport, VexInput, WhereUsed,
};
pub use sbom::{
    component_key, diff_key, parse_sbom_bytes, read_sbom_file, ComponentView, DiffChange,
    DiffComponent, ExportFormat, ReleaseSbom, ReleaseSbomLine, ReleaseSummary, SbomDiff, SbomFile,
    DEFAULT_MAX_SBOM_BYTES,
};
pub use users::{CreatedToken, NewSession, NewUser, Principal, UserView, Via};

/// The application: a store plus the workflows over it. Cheap to clone.
#[derive(Debug, Clone)]
pub struct App {
    store: Store,
}

/// A device with its releases, for `device show` and the device page.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DeviceDetail {
    #[serde(flatten)]
    pub device: Device,
    pub releases: Vec<Release>,
}

/// One line of the portfolio overview.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DeviceSummary {
    #[serde(flatten)]
    pub device: Device,
    pub releases: usize,
    pub install_base: i64,
    pub latest_release: Option<String>,
}

impl App {
    /// Opens the database at `url`, applying pending migrations.
    pub async fn open(url: &str) -> Result<Self, AppError> {
        Ok(Self {
            store: Store::open(url).await?,
        })
    }

    pub fn from_store(store: Store) -> Self {
        Self { store }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub async fn add_device(
        &self,
        actor: &Actor,
        new: &NewDevice,
        reason: Option<&str>,
    ) -> Result<Device, AppError> {
        Ok(self.store.add_device(actor, new, reason).await?)
    }

    pub async fn devices(&self) -> Result<Vec<Device>, AppError> {
        Ok(self.store.devices().await?)
    }

    /// The portfolio: every device with its release count, units in the field and latest release.
    pub async fn portfolio(&self) -> Result<Vec<DeviceSummary>, AppError> {
        let devices = self.store.devices().await?;
        let releases = self.store.releases(None).await?;
        Ok(devices
            .into_iter()
            .map(|device| {
                let mine: Vec<&Release> = releases
                    .iter()
                    .filter(|r| r.device_id == device.id)
                    .collect();
                DeviceSummary {
                    releases: mine.len(),
                    install_base: mine
                        .iter()
                        .fold(0_i64, |a, r| a.saturating_add(r.install_base)),
                    // Releases come newest first.
                    latest_release: mine.first().map(|r| r.version.to_string()),
                    device,
                }
            })
            .collect())
    }

    pub async fn device_detail(&self, name: &DeviceName) -> Result<DeviceDetail, AppError> {
        let device = self.store.device(name).await?;
        let releases = self.store.releases(Some(&device.name)).await?;
        Ok(DeviceDetail { device, releases })
    }

    pub async fn add_release(
        &self,
        actor: &Actor,
        new: &NewRelease,
        reason: Option<&str>,
    ) -> Result<Release, AppError> {
        Ok(self.store.add_release(actor, new, reason).await?)
    }

    pub async fn releases(&self, device: Option<&DeviceName>) -> Result<Vec<Release>, AppError> {
        Ok(self.store.releases(device).await?)
    }

    pub async fn verify(&self) -> Result<VerifyReport, AppError> {
        Ok(self.store.verify().await?)
    }
}

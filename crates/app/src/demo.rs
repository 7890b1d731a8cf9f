//! The demo portfolio `postmarket demo` loads: a handful of plausible devices across product lines,
//! classes and pathways, each with releases in the field and a CycloneDX SBOM per release
//! (generated here, offline). Later capabilities add vulnerabilities and cases to it.

use postmarket_model::{Actor, DeviceClass, NewDevice, NewRelease, Pathway};
use serde_json::{json, Value};

use crate::{parse_sbom_bytes, App, AppError};

#[derive(Debug, Clone, serde::Serialize)]
pub struct DemoSummary {
    /// False when the database already held devices and nothing was added.
    pub loaded: bool,
    pub devices: usize,
    pub releases: usize,
    /// SBOM revisions stored.
    pub sboms: usize,
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
    /// Third-party software in its SBOMs, by [`LIBRARIES`] name.
    software: &'static [&'static str],
    /// The manufacturer's own firmware components: (name, purl without version).
    firmware: &'static [(&'static str, &'static str)],
}

/// A third-party component as it appears in the demo SBOMs, in three generations (old to new):
/// each device's first release uses an older generation than its later ones, so `sbom diff`
/// shows version changes.
struct Library {
    name: &'static str,
    supplier: &'static str,
    /// purl prefix before `@version`.
    purl: &'static str,
    /// CPE vendor:product.
    cpe: &'static str,
    license: &'static str,
    /// (version, support level, end of support)
    generations: [(&'static str, &'static str, Option<&'static str>); 3],
}

const LIBRARIES: &[Library] = &[
    Library {
        name: "openssl",
        supplier: "OpenSSL Software Foundation",
        purl: "pkg:generic/openssl",
        cpe: "openssl:openssl",
        license: "Apache-2.0",
        generations: [
            ("1.1.1k", "no_longer_maintained", Some("2023-09-11")),
            ("1.1.1w", "no_longer_maintained", Some("2023-09-11")),
            ("3.0.13", "maintained", Some("2026-09-07")),
        ],
    },
    Library {
        name: "zlib",
        supplier: "Jean-loup Gailly and Mark Adler",
        purl: "pkg:generic/zlib",
        cpe: "zlib:zlib",
        license: "Zlib",
        generations: [
            ("1.2.11", "maintained", None),
            ("1.2.13", "maintained", None),
            ("1.3.1", "maintained", None),
        ],
    },
    Library {
        name: "busybox",
        supplier: "BusyBox project",
        purl: "pkg:generic/busybox",
        cpe: "busybox:busybox",
        license: "GPL-2.0-only",
        generations: [
            ("1.33.1", "maintained", None),
            ("1.35.0", "maintained", None),
            ("1.36.1", "maintained", None),
        ],
    },
    Library {
        name: "FreeRTOS-Kernel",
        supplier: "Amazon Web Services",
        purl: "pkg:github/freertos/freertos-kernel",
        cpe: "amazon:freertos",
        license: "MIT",
        generations: [
            ("10.4.3", "maintained", None),
            ("10.5.1", "maintained", None),
            ("11.0.1", "maintained", None),
        ],
    },
    Library {
        name: "lwip",
        supplier: "lwIP developers",
        purl: "pkg:generic/lwip",
        cpe: "lwip_project:lwip",
        license: "BSD-3-Clause",
        generations: [
            ("2.1.2", "maintained", None),
            ("2.1.3", "maintained", None),
            ("2.2.0", "maintained", None),
        ],
    },
    Library {
        name: "linux",
        supplier: "The Linux Foundation",
        purl: "pkg:generic/linux",
        cpe: "linux:linux_kernel",
        license: "GPL-2.0-only",
        generations: [
            ("5.10.110", "maintained", Some("2026-12-31")),
            ("5.15.120", "maintained", Some("2026-12-31")),
            ("6.1.80", "maintained", Some("2027-12-31")),
        ],
    },
    Library {
        name: "sqlite",
        supplier: "SQLite Consortium",
        purl: "pkg:generic/sqlite",
        cpe: "sqlite:sqlite",
        license: "blessing",
        generations: [
            ("3.36.0", "maintained", None),
            ("3.40.1", "maintained", None),
            ("3.45.1", "maintained", None),
        ],
    },
    Library {
        name: "libcurl",
        supplier: "curl project",
        purl: "pkg:generic/curl",
        cpe: "haxx:libcurl",
        license: "curl",
        generations: [
            ("7.79.1", "maintained", None),
            ("8.4.0", "maintained", None),
            ("8.6.0", "maintained", None),
        ],
    },
];

/// The demo SBOM of one release: CycloneDX 1.6 JSON with the device as `metadata.component`.
fn demo_sbom(d: &DemoDevice, release_index: usize, version: &str, released: &str) -> String {
    let generation = (release_index + 3 - d.releases.len().min(3)).min(2);
    let mut components = Vec::new();
    let mut device_deps = Vec::new();
    for (name, purl) in d.firmware {
        let bom_ref = format!("fw-{name}");
        components.push(json!({
            "type": "firmware",
            "bom-ref": bom_ref,
            "supplier": {"name": "Acme Medical Devices"},
            "name": name,
            "version": version,
            "purl": format!("{purl}@{version}"),
            "properties": [{"name": "postmarket:support_level", "value": "maintained"}],
        }));
        device_deps.push(json!(bom_ref));
    }
    for lib in LIBRARIES.iter().filter(|l| d.software.contains(&l.name)) {
        let (v, level, eos) = lib.generations[generation];
        let bom_ref = format!("{}-{v}", lib.name.to_lowercase());
        let mut props = vec![json!({"name": "postmarket:support_level", "value": level})];
        if let Some(eos) = eos {
            props.push(json!({"name": "postmarket:end_of_support", "value": eos}));
        }
        components.push(json!({
            "type": if lib.name == "linux" || lib.name == "FreeRTOS-Kernel" { "operating-system" } else { "library" },
            "bom-ref": bom_ref,
            "supplier": {"name": lib.supplier},
            "name": lib.name,
            "version": v,
            "purl": format!("{}@{v}", lib.purl),
            "cpe": format!("cpe:2.3:a:{}:{v}:*:*:*:*:*:*:*", lib.cpe),
            "licenses": [{"license": {"id": lib.license}}],
            "properties": props,
        }));
        device_deps.push(json!(bom_ref));
    }
    let refs_of = |name: &str| -> Option<Value> {
        components
            .iter()
            .find(|c| c["name"] == name)
            .map(|c| c["bom-ref"].clone())
    };
    let mut dependencies = vec![json!({"ref": "device", "dependsOn": device_deps})];
    if let (Some(curl), Some(ssl)) = (refs_of("libcurl"), refs_of("openssl")) {
        let mut on = vec![ssl];
        on.extend(refs_of("zlib"));
        dependencies.push(json!({"ref": curl, "dependsOn": on}));
    }
    json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "version": 1,
        "metadata": {
            "timestamp": format!("{released}T09:00:00Z"),
            "authors": [{"name": "Acme Medical Devices Product Security"}],
            "tools": {"components": [{"type": "application", "name": "postmarket-demo"}]},
            "component": {
                "type": "device",
                "bom-ref": "device",
                "name": d.name,
                "version": version,
                "supplier": {"name": "Acme Medical Devices"},
            },
        },
        "components": components,
        "dependencies": dependencies,
    })
    .to_string()
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
        software: &["FreeRTOS-Kernel", "lwip", "zlib", "openssl"],
        firmware: &[
            ("ip300-bootloader", "pkg:generic/acme/ip300-bootloader"),
            (
                "ip300-pump-controller",
                "pkg:github/acme-medical/ip300-pump-controller",
            ),
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
        software: &["linux", "busybox", "openssl", "zlib", "sqlite", "libcurl"],
        firmware: &[("pm7-monitor-app", "pkg:github/acme-medical/pm7-monitor-app")],
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
        software: &["FreeRTOS-Kernel", "lwip", "openssl"],
        firmware: &[("ix-dosing-firmware", "pkg:generic/acme/ix-dosing-firmware")],
    },
    DemoDevice {
        name: "Pacemaker Programmer PR-2",
        product_line: "Cardiac Rhythm",
        class: DeviceClass::III,
        pathway: Pathway::Pma,
        udi_di: "00812345000042",
        safety: "Changes implant settings only within the clinician's session and verified ranges.",
        releases: &[("7.2", "2022-07-11", "2030-07-11", 640)],
        software: &["linux", "busybox", "openssl", "sqlite"],
        firmware: &[(
            "pr2-programmer-app",
            "pkg:github/acme-medical/pr2-programmer-app",
        )],
    },
    DemoDevice {
        name: "CT Viewer Workstation",
        product_line: "Imaging",
        class: DeviceClass::II,
        pathway: Pathway::Premarket510k,
        udi_di: "00812345000059",
        safety: "Displays images without loss or misattribution of patient identity.",
        releases: &[("11.0", "2023-10-01", "2028-10-01", 310)],
        software: &["linux", "openssl", "zlib", "sqlite", "libcurl"],
        firmware: &[("ct-viewer", "pkg:github/acme-medical/ct-viewer")],
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
                sboms: self.store().count("sbom_revisions").await? as usize,
            });
        }
        let reason = Some("demo portfolio");
        let mut releases = 0;
        for d in PORTFOLIO {
            let mut new = NewDevice::new(d.name.parse()?, d.product_line, d.class, d.pathway);
            new.udi_di = Some(d.udi_di.into());
            new.safety_statement = Some(d.safety.into());
            let device = self.add_device(actor, &new, reason).await?;
            for (index, (version, released, eos, base)) in d.releases.iter().enumerate() {
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
                let sbom = demo_sbom(d, index, version, released);
                let file = parse_sbom_bytes(
                    &format!("demo SBOM of {} {version}", d.name),
                    sbom.into_bytes(),
                )?;
                self.add_release_with_sbom(actor, &release, &file, reason)
                    .await?;
                releases += 1;
            }
        }
        Ok(DemoSummary {
            loaded: true,
            devices: PORTFOLIO.len(),
            releases,
            sboms: releases,
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
        assert_eq!(first.sboms, first.releases, "an SBOM per release");
        assert_eq!(
            report.events as usize,
            first.devices + first.releases + first.sboms,
            "one audit event per write"
        );
        // Every demo SBOM is clean, and consecutive releases differ.
        let pump: postmarket_model::DeviceName = "Infusion Pump IP-300".parse().unwrap();
        for line in app.device_sboms(&pump).await.unwrap() {
            let sbom = app
                .release_sbom(&pump, &line.release.version)
                .await
                .unwrap();
            assert!(sbom.diagnostics.is_empty(), "{:?}", sbom.diagnostics);
            assert!(sbom.quality.ntia_score > 99.0, "{:?}", sbom.quality);
            assert_eq!(sbom.quality.unique_identifier.percent, 100.0);
        }
        let diff = app
            .sbom_diff(&pump, &"4.1.0".parse().unwrap(), &"5.0.1".parse().unwrap())
            .await
            .unwrap();
        assert!(
            diff.changed.iter().any(|c| c.name == "openssl"
                && c.from_version.as_deref() == Some("1.1.1k")
                && c.to_version.as_deref() == Some("3.0.13")),
            "{diff:?}"
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

//! `postmarket vex import FILE --release DEVICE@VERSION`: a supplier's VEX (CycloneDX, OpenVEX
//! or CSAF) stored as component-level statements of a release (issue 7).

use std::path::PathBuf;

use clap::Subcommand;
use postmarket_app::App;
use postmarket_model::{DeviceName, ReleaseVersion};

use crate::commands::actor;
use crate::{Failure, Global};

#[derive(Debug, Subcommand)]
pub enum VexCommand {
    /// Store a supplier's VEX document (format detected) for a release; every statement must
    /// name a component of the release's latest SBOM, or nothing is stored
    Import {
        /// The VEX document (CycloneDX JSON, OpenVEX or CSAF)
        file: PathBuf,
        /// The release it applies to
        #[arg(long, value_name = "DEVICE@VERSION", value_parser = parse_release)]
        release: (DeviceName, ReleaseVersion),
        /// Why, recorded in the audit trail
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
    },
}

fn parse_release(s: &str) -> Result<(DeviceName, ReleaseVersion), String> {
    // The version is after the last `@`: device names may not contain one, versions neither.
    let (d, v) = s
        .rsplit_once('@')
        .ok_or_else(|| format!("{s:?}: expected DEVICE@VERSION"))?;
    Ok((
        d.parse().map_err(|e| format!("{e}"))?,
        v.parse().map_err(|e| format!("{e}"))?,
    ))
}

pub async fn vex(g: &Global, url: &str, cmd: VexCommand) -> Result<u8, Failure> {
    let app = App::open(url).await?;
    match cmd {
        VexCommand::Import {
            file,
            release: (device, version),
            reason,
        } => {
            let r = app
                .import_vex(&actor(g)?, &file, &device, &version, reason.as_deref())
                .await?;
            if g.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&r).map_err(|e| Failure {
                        code: 3,
                        message: e.to_string()
                    })?
                );
            } else if !g.quiet {
                println!(
                    "stored {} statement(s) from {} ({}) for {} {}",
                    r.statements.len(),
                    r.file,
                    r.format,
                    r.device,
                    r.release
                );
                for s in &r.statements {
                    println!(
                        "  {} {} {}{}",
                        s.vulnerability,
                        s.component,
                        s.status,
                        s.justification
                            .as_deref()
                            .map(|j| format!(" ({j})"))
                            .unwrap_or_default()
                    );
                }
            }
            Ok(0)
        }
    }
}

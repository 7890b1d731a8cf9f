//! `postmarket report …`: clocks, FDA metrics, the PMA annual report (issue 7).

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use postmarket_app::App;
use postmarket_model::{Date, DeviceName};

use crate::case_cmd::today;
use crate::output::{self, Table};
use crate::{Failure, Global};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ReportFormat {
    Html,
    Json,
    Pdf,
}

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// PMA annual report content (21 CFR 814.84) for a device and period
    PmaAnnual {
        #[arg(long)]
        device: DeviceName,
        #[arg(long, value_name = "DATE")]
        from: Date,
        #[arg(long, value_name = "DATE")]
        to: Date,
        #[arg(long, value_enum, default_value = "html")]
        format: ReportFormat,
        /// Write to FILE instead of standard output
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
        /// The day the report is made [default: today, UTC]
        #[arg(long, value_name = "DATE")]
        at: Option<Date>,
    },
    /// FDA's metrics for a period: percentage patched, identification → patch, patch → deployment
    Metrics {
        #[arg(long, value_name = "DATE")]
        from: Date,
        #[arg(long, value_name = "DATE")]
        to: Date,
        #[arg(long)]
        device: Option<DeviceName>,
    },
    /// The clocks of every open case on --at; --due lists only breached and due-soon ones
    Clocks {
        #[arg(long, value_name = "DATE")]
        at: Option<Date>,
        #[arg(long)]
        due: bool,
    },
}

fn name<T: serde::Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .unwrap_or_default()
}

fn days(v: Option<f64>) -> String {
    v.map_or_else(|| "n/a".into(), |d| format!("{d:.1}"))
}

pub async fn report(g: &Global, url: &str, cmd: ReportCommand) -> Result<u8, Failure> {
    let app = App::open(url).await?;
    match cmd {
        ReportCommand::PmaAnnual {
            device,
            from,
            to,
            format,
            output: out,
            at,
        } => {
            let r = app
                .pma_annual_report(&device, from, to, at.unwrap_or_else(today))
                .await?;
            let bytes = match format {
                ReportFormat::Json => serde_json::to_vec_pretty(&r).map_err(|e| Failure {
                    code: 3,
                    message: e.to_string(),
                })?,
                ReportFormat::Html => r.html().into_bytes(),
                ReportFormat::Pdf => r.pdf(),
            };
            match out {
                Some(path) => std::fs::write(&path, &bytes).map_err(|e| Failure {
                    code: 3,
                    message: format!("cannot write {}: {e}", path.display()),
                })?,
                None => {
                    use std::io::Write;
                    std::io::stdout().write_all(&bytes).map_err(|e| Failure {
                        code: 3,
                        message: e.to_string(),
                    })?;
                }
            }
        }
        ReportCommand::Metrics { from, to, device } => {
            let m = app.metrics(from, to, device.as_ref()).await?;
            if g.json {
                output::json(&m)?;
            } else {
                println!("period                    {from} to {to}");
                println!("identified                {}", m.identified);
                println!(
                    "patched                   {} ({})",
                    m.patched,
                    m.percent_patched
                        .map_or_else(|| "n/a".into(), |p| format!("{p:.1}%"))
                );
                println!(
                    "identification → patch    mean {} days, median {} days ({} cases)",
                    days(m.identification_to_patch.mean_days),
                    days(m.identification_to_patch.median_days),
                    m.identification_to_patch.count
                );
                println!("patch → full deployment   mean {} days, median {} days ({} cases; {} not yet fully deployed)", days(m.patch_to_deployment.mean_days), days(m.patch_to_deployment.median_days), m.patch_to_deployment.count, m.not_fully_deployed);
            }
        }
        ReportCommand::Clocks { at, due } => {
            let at = at.unwrap_or_else(today);
            if due {
                let items = app.due_clocks(at).await?;
                if g.json {
                    output::json(&items)?;
                } else {
                    let mut t = Table::new(&[
                        "case",
                        "device",
                        "vulnerability",
                        "clock",
                        "due",
                        "days left",
                        "status",
                    ]);
                    for i in &items {
                        t.row(vec![
                            i.case_id.to_string(),
                            i.device.clone(),
                            i.vulnerability.clone(),
                            name(i.clock.kind),
                            i.clock.due.to_string(),
                            i.clock.days_left.to_string(),
                            name(i.clock.status),
                        ]);
                    }
                    t.print();
                }
            } else {
                let report = app.clock_report(at).await?;
                if g.json {
                    output::json(&report)?;
                } else {
                    let mut t = Table::new(&[
                        "case",
                        "device",
                        "vulnerability",
                        "state",
                        "clock",
                        "due",
                        "days left",
                        "status",
                    ]);
                    for c in &report {
                        for cl in &c.clocks {
                            t.row(vec![
                                c.case_id.to_string(),
                                c.device.clone(),
                                c.vulnerability.clone(),
                                c.state.to_string(),
                                name(cl.kind),
                                cl.due.to_string(),
                                cl.days_left.to_string(),
                                name(cl.status),
                            ]);
                        }
                    }
                    t.print();
                }
            }
        }
    }
    app.store().close().await;
    Ok(0)
}

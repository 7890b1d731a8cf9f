//! `postmarket clocks notify`: deliver the breached and due-soon clocks as mail and webhook
//! notifications, once per clock and state (issue 7). Channels as `postmarket-notify` reads them
//! from the environment (`POSTMARKET_SMTP_URL`, `POSTMARKET_WEBHOOK_URL`, …); `--smtp` and
//! `--webhook` take the place of the two URL variables.

use clap::Subcommand;
use postmarket_app::App;
use postmarket_model::Date;
use postmarket_notify::{Notifier, NotifySettings};

use crate::case_cmd::today;
use crate::commands::actor;
use crate::{Failure, Global};

#[derive(Debug, Subcommand)]
pub enum ClocksCommand {
    /// Deliver every breached or due-soon clock not delivered before; exit 1 when a delivery failed
    Notify {
        /// The day the clocks are read on [default: today, UTC]
        #[arg(long, value_name = "DATE")]
        at: Option<Date>,
        /// SMTP URL (as POSTMARKET_SMTP_URL): smtp://[USER@]HOST[:PORT]?from=ADDR&to=ADDR
        #[arg(long, value_name = "URL")]
        smtp: Option<String>,
        /// Webhook URL (as POSTMARKET_WEBHOOK_URL)
        #[arg(long, value_name = "URL")]
        webhook: Option<String>,
    },
}

pub async fn clocks(g: &Global, url: &str, cmd: ClocksCommand) -> Result<u8, Failure> {
    match cmd {
        ClocksCommand::Notify { at, smtp, webhook } => {
            let settings = NotifySettings::from_lookup(|k| match k {
                "POSTMARKET_SMTP_URL" if smtp.is_some() => smtp.clone(),
                "POSTMARKET_WEBHOOK_URL" if webhook.is_some() => webhook.clone(),
                _ => std::env::var(k).ok(),
            })
            .map_err(|e| Failure::usage(e.to_string()))?;
            let notifier =
                Notifier::from_settings(settings).map_err(|e| Failure::usage(e.to_string()))?;
            let app = App::open(url).await?;
            let run = app
                .deliver_due_notifications(&actor(g)?, at.unwrap_or_else(today), &notifier)
                .await?;
            if g.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&run).map_err(|e| Failure {
                        code: 3,
                        message: e.to_string()
                    })?
                );
            } else if !g.quiet {
                for d in &run.deliveries {
                    println!("{:<18} {}", d.outcome, d.key);
                    if d.outcome == "failed" {
                        for c in d.channels.as_array().into_iter().flatten() {
                            if let Some(e) = c["error"].as_str() {
                                println!("    {}: {e}", c["target"].as_str().unwrap_or(""));
                            }
                        }
                    }
                }
                println!(
                    "{} due on {}: {} delivered, {} already delivered, {} failed",
                    run.due, run.at, run.delivered, run.skipped, run.failed
                );
            }
            Ok(u8::from(run.failed > 0))
        }
    }
}

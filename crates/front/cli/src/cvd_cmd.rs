//! `postmarket cvd …`: coordinated vulnerability disclosure reports (issue 7), and the intake
//! settings `serve` takes.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand};
use postmarket_app::cvd::{CvdPolicy, DEFAULT_ACK_DAYS, DEFAULT_SPOOL_DIR};
use postmarket_app::App;
use postmarket_model::{Actor, Date};
use postmarket_server::cvd::{CvdSettings, RateLimit};

use crate::output::{self, opt, Table};
use crate::{Failure, Global};

#[derive(Debug, Subcommand)]
pub enum CvdCommand {
    /// Reports, newest first, with their acknowledgement clocks
    List,
    /// One report: reporter, product, description, attachments, clock
    Show { tracking_id: String },
    /// Record that the report was acknowledged to the reporter
    Acknowledge {
        tracking_id: String,
        /// The day it was acknowledged (YYYY-MM-DD) [default: today]
        #[arg(long, value_name = "DATE")]
        at: Option<Date>,
        /// Why or how, recorded in the audit trail
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
    },
    /// Import reports spooled while the database was unavailable
    ImportSpool {
        /// The spool directory
        #[arg(long, env = "POSTMARKET_CVD_SPOOL", default_value = DEFAULT_SPOOL_DIR, value_name = "DIR")]
        spool: PathBuf,
    },
}

/// Intake and `security.txt` settings for `serve`.
#[derive(Debug, Args)]
pub struct CvdServeArgs {
    /// Days to acknowledge a CVD report (the CVD policy)
    #[arg(long, env = "POSTMARKET_CVD_ACK_DAYS", default_value_t = DEFAULT_ACK_DAYS, value_name = "DAYS")]
    cvd_ack_days: u32,
    /// Where CVD reports wait when the database cannot take them
    #[arg(long, env = "POSTMARKET_CVD_SPOOL", default_value = DEFAULT_SPOOL_DIR, value_name = "DIR")]
    cvd_spool: PathBuf,
    /// Milliseconds to wait for the database before spooling a report
    #[arg(
        long,
        env = "POSTMARKET_CVD_STORE_TIMEOUT_MS",
        default_value_t = 5000,
        value_name = "MS"
    )]
    cvd_store_timeout_ms: u64,
    /// Intake requests per client IP, as N/DURATION (s, m, h, d)
    #[arg(long, env = "POSTMARKET_CVD_RATE_LIMIT", default_value = "5/10m", value_parser = parse_rate, value_name = "N/DURATION")]
    cvd_rate_limit: RateLimit,
    /// Public base URL of this server, e.g. https://psirt.example.com (security.txt)
    #[arg(long, env = "POSTMARKET_PUBLIC_URL", value_name = "URL")]
    public_url: Option<String>,
    /// A security contact address for security.txt (mailto:)
    #[arg(long, env = "POSTMARKET_SECURITY_CONTACT", value_name = "EMAIL")]
    security_contact: Option<String>,
    /// security.txt Preferred-Languages
    #[arg(
        long,
        env = "POSTMARKET_SECURITY_LANGUAGES",
        default_value = "en",
        value_name = "LANGS"
    )]
    security_languages: String,
    /// security.txt Policy URL [default: the policy section of /report-vulnerability]
    #[arg(long, env = "POSTMARKET_SECURITY_POLICY_URL", value_name = "URL")]
    security_policy_url: Option<String>,
    /// security.txt Expires, in days from each request (1 to 365)
    #[arg(long, env = "POSTMARKET_SECURITY_TXT_DAYS", default_value_t = 180, value_parser = clap::value_parser!(u32).range(1..=365), value_name = "DAYS")]
    security_txt_days: u32,
}

fn parse_rate(s: &str) -> Result<RateLimit, String> {
    s.parse()
}

impl CvdServeArgs {
    pub fn settings(&self) -> Result<CvdSettings, Failure> {
        if let Some(mail) = &self.security_contact {
            postmarket_app::cvd::check_email(mail)
                .map_err(|e| Failure::usage(format!("--security-contact: {e}")))?;
        }
        for (flag, url) in [
            ("--public-url", &self.public_url),
            ("--security-policy-url", &self.security_policy_url),
        ] {
            if let Some(u) = url {
                if !(u.starts_with("https://") || u.starts_with("http://"))
                    || u.contains(char::is_whitespace)
                {
                    return Err(Failure::usage(format!(
                        "{flag} {u:?}: expected an absolute http(s) URL such as https://psirt.example.com"
                    )));
                }
            }
        }
        Ok(CvdSettings {
            policy: CvdPolicy {
                ack_days: self.cvd_ack_days,
                spool_dir: self.cvd_spool.clone(),
                store_timeout: Duration::from_millis(self.cvd_store_timeout_ms),
            },
            rate_limit: self.cvd_rate_limit,
            public_url: self.public_url.clone(),
            contact_email: self.security_contact.clone(),
            preferred_languages: self.security_languages.clone(),
            policy_url: self.security_policy_url.clone(),
            security_txt_days: self.security_txt_days,
        })
    }
}

/// Before serving: configure the intake and import what was spooled while the server was down.
pub async fn prepare_serve(g: &Global, app: &App, args: &CvdServeArgs) -> Result<(), Failure> {
    let settings = args.settings()?;
    let spool = settings.policy.spool_dir.clone();
    postmarket_server::cvd::configure(settings);
    let actor = Actor::new("cvd-intake")?;
    match app.import_cvd_spool(&actor, &spool).await {
        Ok(r) => {
            if !r.imported.is_empty() {
                crate::commands::say(
                    g,
                    format!(
                        "imported {} spooled CVD report(s) from {}",
                        r.imported.len(),
                        spool.display()
                    ),
                );
            }
            for f in &r.failed {
                eprintln!(
                    "postmarket: warning: spooled CVD report {}: {}",
                    f.file, f.error
                );
            }
        }
        // The server still starts: the reports stay spooled for the next attempt.
        Err(e) => eprintln!(
            "postmarket: warning: cannot import spooled CVD reports from {}: {e}",
            spool.display()
        ),
    }
    Ok(())
}

pub async fn run(g: &Global, url: &str, actor: &Actor, cmd: CvdCommand) -> Result<u8, Failure> {
    let app = App::open(url).await?;
    let today = postmarket_app::cvd::today();
    let code = match cmd {
        CvdCommand::List => {
            let reports = app.cvd_reports(today).await?;
            if g.json {
                output::json(&reports)?;
            } else if reports.is_empty() {
                crate::commands::say(g, "no CVD reports");
            } else {
                let mut t = Table::new(&[
                    "tracking id",
                    "received",
                    "product",
                    "version",
                    "reporter",
                    "acknowledgement",
                ]);
                for r in &reports {
                    t.row(vec![
                        r.report.tracking_id.clone(),
                        r.report.received_at.get(..10).unwrap_or("").to_string(),
                        match &r.report.device_name {
                            Some(d) => format!("{} ({d})", r.report.product),
                            None => r.report.product.clone(),
                        },
                        r.report.affected_version.clone(),
                        r.report.reporter_email.clone(),
                        r.clock.describe(),
                    ]);
                }
                t.print();
            }
            0
        }
        CvdCommand::Show { tracking_id } => {
            let d = app.cvd_report(&tracking_id, today).await?;
            if g.json {
                output::json(&d)?;
            } else {
                let r = &d.view.report;
                println!("{}", r.tracking_id);
                println!(
                    "received:        {} via {}{}",
                    r.received_at,
                    r.channel,
                    if r.spooled { " (spooled)" } else { "" }
                );
                println!("acknowledgement: {}", d.view.clock.describe());
                println!(
                    "reporter:        {} <{}>",
                    r.reporter_name, r.reporter_email
                );
                println!(
                    "organisation:    {}",
                    opt(r.reporter_organisation.as_deref())
                );
                println!(
                    "pgp key:         {}",
                    if r.reporter_pgp_key.is_some() {
                        "given"
                    } else {
                        "-"
                    }
                );
                println!("product:         {}", r.product);
                println!("device:          {}", opt(r.device_name.as_deref()));
                println!("version:         {}", r.affected_version);
                println!("disclose on:     {}", opt(r.disclosure_deadline.as_deref()));
                println!("attachments:     {}", d.attachment_checks.len());
                for a in &d.attachment_checks {
                    println!(
                        "  {} {} ({}, {} bytes, sha256 {}){}",
                        a.ordinal,
                        a.meta.file_name,
                        a.meta.media_type,
                        a.meta.size_bytes,
                        a.meta.sha256,
                        if a.intact {
                            ""
                        } else {
                            " CHANGED SINCE RECEIPT"
                        }
                    );
                }
                println!();
                println!("{}", r.description);
            }
            if d.attachment_checks.iter().all(|a| a.intact) {
                0
            } else {
                1
            }
        }
        CvdCommand::Acknowledge {
            tracking_id,
            at,
            reason,
        } => {
            let v = app
                .acknowledge_cvd_report(actor, &tracking_id, at, reason.as_deref())
                .await?;
            if g.json {
                output::json(&v)?;
            } else {
                crate::commands::say(
                    g,
                    format!("{}: {}", v.report.tracking_id, v.clock.describe()),
                );
            }
            0
        }
        CvdCommand::ImportSpool { spool } => {
            let r = app.import_cvd_spool(actor, &spool).await?;
            if g.json {
                output::json(&r)?;
            } else {
                crate::commands::say(
                    g,
                    format!(
                        "{}: imported {}, already stored {}, failed {}",
                        spool.display(),
                        r.imported.len(),
                        r.already_stored.len(),
                        r.failed.len()
                    ),
                );
                for f in &r.failed {
                    eprintln!("postmarket: {}: {}", f.file, f.error);
                }
            }
            if r.failed.is_empty() {
                0
            } else {
                1
            }
        }
    };
    app.store().close().await;
    Ok(code)
}

//! The commands: parse arguments into domain values, call the app, print.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Subcommand};
use postmarket_app::App;
use postmarket_model::{
    Actor, Date, DeviceClass, DeviceName, NewDevice, NewRelease, Pathway, ReleaseVersion,
};
use postmarket_store::Store;

use crate::output::{self, opt, Table};
use crate::{Cli, Command, Failure, Global};

const DEFAULT_DB: &str = "sqlite://postmarket.db";
const DEMO_DB: &str = "sqlite://postmarket-demo.db";

#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Create the schema or bring it up to date
    Migrate,
    /// Recompute the audit chain and check every row against it (exit 1 if anything is off)
    Verify,
    /// Write a consistent, backend-neutral snapshot (JSON lines) to FILE
    Backup { file: PathBuf },
    /// Load a snapshot into an empty database (of either backend) and verify it
    Restore { file: PathBuf },
}

#[derive(Debug, Subcommand)]
pub enum DeviceCommand {
    /// Register a device model
    Add(DeviceAddArgs),
    /// List device models
    List,
    /// Show a device model and its releases
    Show { name: DeviceName },
}

#[derive(Debug, Args)]
pub struct DeviceAddArgs {
    /// The model's name, unique (ignoring case)
    name: DeviceName,
    /// Product line, used for grouping and access scoping
    #[arg(long, value_name = "NAME")]
    product_line: String,
    /// FDA device class: I, II or III
    #[arg(long, value_name = "CLASS")]
    class: DeviceClass,
    /// Marketing authorisation: pma, 510k, de-novo or exempt
    #[arg(long, value_name = "PATHWAY")]
    pathway: Pathway,
    /// UDI device identifier
    #[arg(long, value_name = "UDI-DI")]
    udi_di: Option<String>,
    /// The device is not a "cyber device" under FD&C Act 524B
    #[arg(long)]
    not_cyber_device: bool,
    /// Safety and essential performance statement
    #[arg(long, value_name = "TEXT")]
    safety_statement: Option<String>,
    /// Harm acceptance criteria
    #[arg(long, value_name = "TEXT")]
    harm_acceptance: Option<String>,
    /// Why, recorded in the audit trail
    #[arg(long, value_name = "TEXT")]
    reason: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ReleaseCommand {
    /// Record a release of a device
    Add(ReleaseAddArgs),
    /// List releases, of one device or of all
    List { device: Option<DeviceName> },
}

#[derive(Debug, Args)]
pub struct ReleaseAddArgs {
    device: DeviceName,
    version: ReleaseVersion,
    /// Date of release (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    released_at: Option<Date>,
    /// End of support (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    end_of_support: Option<Date>,
    /// Units of this release in the field [default: 0]
    #[arg(long, value_name = "N")]
    install_base: Option<i64>,
    /// Why, recorded in the audit trail
    #[arg(long, value_name = "TEXT")]
    reason: Option<String>,
    /// Store this SBOM file with the release (an existing release gets it as its next revision)
    #[arg(long, value_name = "FILE")]
    sbom: Option<PathBuf>,
    /// Largest SBOM file accepted, e.g. 100MiB, 512K, 1000000
    #[arg(long, value_name = "SIZE", default_value = "100MiB", value_parser = crate::sbom_cmd::parse_size)]
    max_size: u64,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "ADDR")]
    listen: SocketAddr,
    #[command(flatten)]
    cvd: crate::cvd_cmd::CvdServeArgs,
    /// Send the session cookie without `Secure` (only for plain HTTP on a host other than
    /// localhost inside a trusted network; browsers accept Secure cookies from http://localhost
    /// and http://127.0.0.1)
    #[arg(long, env = "POSTMARKET_INSECURE_COOKIES")]
    insecure_cookies: bool,
    /// Largest SBOM upload accepted, e.g. 100MiB
    #[arg(long, value_name = "SIZE", default_value = "100MiB", value_parser = crate::sbom_cmd::parse_size)]
    max_upload: u64,
}

impl ServeArgs {
    fn config(&self) -> postmarket_server::ServerConfig {
        postmarket_server::ServerConfig {
            secure_cookies: !self.insecure_cookies,
            max_upload_bytes: usize::try_from(self.max_upload).unwrap_or(usize::MAX),
        }
    }
}

pub(crate) fn actor(g: &Global) -> Result<Actor, Failure> {
    let name = g.actor.clone().unwrap_or_else(|| {
        let user = std::env::var("USER")
            .or_else(|_| std::env::var("USERNAME"))
            .unwrap_or_else(|_| "unknown".into());
        format!("cli:{user}")
    });
    Ok(Actor::new(name)?)
}

pub(crate) fn say(g: &Global, text: impl AsRef<str>) {
    if !g.quiet {
        println!("{}", text.as_ref());
    }
}

pub async fn run(cli: Cli) -> Result<u8, Failure> {
    let g = &cli.global;
    let url = g.db.clone().unwrap_or_else(|| {
        match cli.command {
            Command::Demo(_) => DEMO_DB,
            _ => DEFAULT_DB,
        }
        .to_string()
    });
    match cli.command {
        // Stateless: no database is opened.
        Command::Cvss(args) => crate::risk_commands::cvss(g, args),
        Command::Rubric(args) => crate::risk_commands::rubric(g, args),
        Command::Assess(args) => crate::risk_commands::assess_cmd(g, args),
        Command::Vers(cmd) => crate::findings_cmd::vers(g, cmd),
        Command::Scan(args) => crate::findings_cmd::scan(g, &url, args).await,
        Command::Match(args) => crate::findings_cmd::match_cmd(g, &url, args).await,
        Command::Findings(args) => crate::findings_cmd::findings(g, &url, args).await,
        Command::WhereUsed(args) => crate::findings_cmd::where_used(g, &url, args).await,
        Command::Db(DbCommand::Migrate) => {
            let store = Store::connect(&url).await?;
            let applied = store.migrate().await?;
            let known = store.known_migrations();
            if g.json {
                output::json(
                    &serde_json::json!({"applied": applied, "schema": known, "database": store.display_url()}),
                )?;
            } else {
                say(
                    g,
                    format!(
                        "{}: applied {applied} migration(s); schema is at {known} of {known}",
                        store.display_url()
                    ),
                );
            }
            store.close().await;
            Ok(0)
        }
        Command::Db(DbCommand::Verify) => {
            let app = App::open(&url).await?;
            let report = app.verify().await?;
            app.store().close().await;
            if g.json {
                output::json(&report)?;
            } else if report.ok {
                say(g, format!(
                    "ok: {} audit events verified; head seq {} hash {}; every row matches its last audited state",
                    report.events, report.head_seq, report.head_hash
                ));
            } else {
                if let Some(b) = &report.first_broken {
                    println!("BROKEN: first broken link at {b}");
                }
                for b in &report.state_breaches {
                    println!("TAMPERED: {b}");
                }
                println!(
                    "{} audit events read; the chain cannot be trusted from the first broken link on",
                    report.events
                );
            }
            Ok(if report.ok { 0 } else { 1 })
        }
        Command::Db(DbCommand::Backup { file }) => {
            let app = App::open(&url).await?;
            let summary = app.store().backup(&file).await?;
            app.store().close().await;
            if g.json {
                output::json(&summary)?;
            } else {
                say(
                    g,
                    format!(
                        "wrote {} ({} rows, {} audit events, head {}; sha256 {})",
                        summary.file,
                        summary.rows,
                        summary.audit_events,
                        summary.head_hash,
                        summary.sha256
                    ),
                );
            }
            Ok(0)
        }
        Command::Db(DbCommand::Restore { file }) => {
            let app = App::open(&url).await?;
            let summary = app.store().restore(&file).await?;
            let report = app.verify().await?;
            app.store().close().await;
            if g.json {
                output::json(&serde_json::json!({"restore": summary, "verify": report}))?;
            } else {
                say(
                    g,
                    format!(
                        "restored {} rows ({} audit events) from {}; chain {} (head {})",
                        summary.rows,
                        summary.audit_events,
                        summary.file,
                        if report.ok {
                            "verifies"
                        } else {
                            "DOES NOT VERIFY"
                        },
                        report.head_hash
                    ),
                );
            }
            Ok(if report.ok { 0 } else { 1 })
        }
        Command::Feeds(cmd) => crate::feeds_cmd::feeds(g, &url, &actor(g)?, cmd).await,
        Command::Vuln(cmd) => crate::feeds_cmd::vuln(g, &url, cmd).await,
        Command::Case(cmd) => crate::case_cmd::case(g, &url, cmd).await,
        Command::Report(cmd) => crate::report_cmd::report(g, &url, cmd).await,
        Command::Advisory(a) => crate::advisory_cmd::advisory(g, &url, a).await,
        Command::Vex(cmd) => crate::vex_cmd::vex(g, &url, cmd).await,
        Command::Clocks(cmd) => crate::clocks_cmd::clocks(g, &url, cmd).await,
        Command::Isao(cmd) => crate::case_cmd::isao(g, &url, cmd).await,
        Command::Program(cmd) => crate::case_cmd::program(g, &url, cmd).await,
        Command::User(cmd) => crate::user_cmd::user(g, &url, cmd).await,
        Command::Token(cmd) => crate::user_cmd::token(g, &url, cmd).await,
        Command::Cvd(cmd) => crate::cvd_cmd::run(g, &url, &actor(g)?, cmd).await,
        Command::Device(cmd) => device(g, &url, cmd).await,
        Command::Release(cmd) => release(g, &url, cmd).await,
        Command::Sbom(cmd) => crate::sbom_cmd::run(g, &url, cmd).await,
        Command::Bench(cmd) => crate::sbom_cmd::bench(g, g.db.as_deref(), cmd).await,
        Command::Serve(args) => {
            let app = App::open(&url).await?;
            crate::cvd_cmd::prepare_serve(g, &app, &args.cvd).await?;
            if app.users().await?.is_empty() {
                eprintln!(
                    "postmarket: no accounts yet: create the first with `postmarket user add NAME --admin`"
                );
            }
            serve(g, app, &args).await
        }
        Command::Demo(args) => {
            let app = App::open(&url).await?;
            let summary = app.load_demo_portfolio(&Actor::new("demo")?).await?;
            if summary.loaded {
                say(
                    g,
                    format!(
                        "loaded the demo portfolio: {} devices, {} releases into {}",
                        summary.devices,
                        summary.releases,
                        app.store().display_url()
                    ),
                );
            } else {
                say(
                    g,
                    format!(
                        "using {} ({} devices, {} releases already there)",
                        app.store().display_url(),
                        summary.devices,
                        summary.releases
                    ),
                );
            }
            crate::cvd_cmd::prepare_serve(g, &app, &args.cvd).await?;
            let (name, password) = app.demo_admin(&Actor::new("demo")?).await?;
            // The credentials are the point of the demo's output: printed even with --quiet.
            println!("Sign in as {name} with password {password}");
            serve(g, app, &args).await
        }
    }
}

async fn serve(g: &Global, app: App, args: &ServeArgs) -> Result<u8, Failure> {
    let listener = postmarket_server::bind(args.listen)
        .await
        .map_err(|e| Failure {
            code: 3,
            message: e.to_string(),
        })?;
    let local = listener.local_addr().map_err(|e| Failure {
        code: 3,
        message: e.to_string(),
    })?;
    say(
        g,
        format!("Postmarket is serving on http://{local}/ (Ctrl-C stops it)"),
    );
    postmarket_server::serve(app.clone(), args.config(), listener)
        .await
        .map_err(|e| Failure {
            code: 3,
            message: format!("server stopped: {e}"),
        })?;
    app.store().close().await;
    Ok(0)
}

async fn device(g: &Global, url: &str, cmd: DeviceCommand) -> Result<u8, Failure> {
    let app = App::open(url).await?;
    match cmd {
        DeviceCommand::Add(a) => {
            let mut new = NewDevice::new(a.name, &a.product_line, a.class, a.pathway);
            new.udi_di = a.udi_di;
            new.cyber_device = !a.not_cyber_device;
            new.safety_statement = a.safety_statement;
            new.harm_acceptance = a.harm_acceptance;
            let d = app
                .add_device(&actor(g)?, &new, a.reason.as_deref())
                .await?;
            if g.json {
                output::json(&d)?;
            } else {
                say(g, format!("added device {} (id {})", d.name, d.id));
            }
        }
        DeviceCommand::List => {
            let devices = app.portfolio().await?;
            if g.json {
                output::json(&devices)?;
            } else if devices.is_empty() {
                say(
                    g,
                    "no devices yet (postmarket device add NAME ... adds one)",
                );
            } else {
                let mut t = Table::new(&[
                    "NAME",
                    "PRODUCT LINE",
                    "CLASS",
                    "PATHWAY",
                    "RELEASES",
                    "UNITS",
                ])
                .right_align(4)
                .right_align(5);
                for d in devices {
                    t.row(vec![
                        d.device.name.to_string(),
                        d.device.product_line.clone(),
                        d.device.class.to_string(),
                        d.device.pathway.to_string(),
                        d.releases.to_string(),
                        d.install_base.to_string(),
                    ]);
                }
                t.print();
            }
        }
        DeviceCommand::Show { name } => {
            let detail = app.device_detail(&name).await?;
            if g.json {
                output::json(&detail)?;
            } else {
                let d = &detail.device;
                println!("{}", d.name);
                println!("  product line      {}", d.product_line);
                println!("  class             {}", d.class);
                println!("  pathway           {}", d.pathway);
                println!("  UDI-DI            {}", opt(d.udi_di.as_deref()));
                println!(
                    "  cyber device      {}",
                    if d.cyber_device { "yes (524B)" } else { "no" }
                );
                println!("  safety statement  {}", opt(d.safety_statement.as_deref()));
                println!("  harm acceptance   {}", opt(d.harm_acceptance.as_deref()));
                println!("  releases          {}", detail.releases.len());
                for r in &detail.releases {
                    println!(
                        "    {:<12} released {}  end of support {}  units {}",
                        r.version.as_str(),
                        opt(r.released_at),
                        opt(r.end_of_support),
                        r.install_base
                    );
                }
            }
        }
    }
    app.store().close().await;
    Ok(0)
}

async fn release(g: &Global, url: &str, cmd: ReleaseCommand) -> Result<u8, Failure> {
    // A bad SBOM file is refused before the database is even opened.
    let sbom = match &cmd {
        ReleaseCommand::Add(ReleaseAddArgs {
            sbom: Some(file),
            max_size,
            ..
        }) => Some(crate::sbom_cmd::read(file, *max_size)?),
        _ => None,
    };
    let app = App::open(url).await?;
    match cmd {
        ReleaseCommand::Add(a) => {
            let new = NewRelease {
                device: a.device,
                version: a.version,
                released_at: a.released_at,
                end_of_support: a.end_of_support,
                install_base: a.install_base.unwrap_or(0),
            };
            if let Some(file) = sbom {
                let stored = app
                    .add_release_with_sbom(&actor(g)?, &new, &file, a.reason.as_deref())
                    .await?;
                app.store().close().await;
                crate::sbom_cmd::report_stored(g, &file, &stored)?;
                return Ok(0);
            }
            let r = app
                .add_release(&actor(g)?, &new, a.reason.as_deref())
                .await?;
            if g.json {
                output::json(&r)?;
            } else {
                say(
                    g,
                    format!("added release {} of {} (id {})", r.version, r.device, r.id),
                );
            }
        }
        ReleaseCommand::List { device } => {
            let releases = app.release_summaries(device.as_ref()).await?;
            if g.json {
                output::json(&releases)?;
            } else if releases.is_empty() {
                say(
                    g,
                    "no releases yet (postmarket release add DEVICE VERSION adds one)",
                );
            } else {
                let mut t = Table::new(&[
                    "DEVICE",
                    "VERSION",
                    "RELEASED",
                    "END OF SUPPORT",
                    "UNITS",
                    "COMPONENTS",
                ])
                .right_align(4)
                .right_align(5);
                for s in releases {
                    let r = &s.release;
                    t.row(vec![
                        r.device.to_string(),
                        r.version.to_string(),
                        opt(r.released_at),
                        opt(r.end_of_support),
                        r.install_base.to_string(),
                        match s.components {
                            Some(n) if s.sbom_revisions > 1 => {
                                format!("{n} (rev {})", s.sbom_revisions)
                            }
                            Some(n) => n.to_string(),
                            None => "-".into(),
                        },
                    ]);
                }
                t.print();
            }
        }
    }
    app.store().close().await;
    Ok(0)
}

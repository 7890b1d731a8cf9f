//! `postmarket`: the command line (DESIGN.md §8). A thin front end over `postmarket-app`.
//!
//! Exit codes: 0 ok, 1 a checked condition does not hold (e.g. `db verify` found a broken link),
//! 2 bad input or usage, 3 internal or environment error.

mod advisory_cmd;
mod case_cmd;
mod clocks_cmd;
mod commands;
mod cvd_cmd;
mod feeds_cmd;
mod findings_cmd;
mod output;
mod report_cmd;
mod risk_commands;
mod sbom_cmd;
mod user_cmd;
mod vex_cmd;

use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

/// Postmarket runs a medical device manufacturer's postmarket cybersecurity program: SBOMs,
/// vulnerability monitoring, FDA risk decisions, clocks, advisories and the audit trail.
#[derive(Debug, Parser)]
#[command(name = "postmarket", version, max_term_width = 100)]
pub struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// Database URL: sqlite://FILE (embedded) or postgres://USER@HOST:PORT/DB
    /// [default: sqlite://postmarket.db; for `demo`, sqlite://postmarket-demo.db]
    #[arg(long, global = true, env = "POSTMARKET_DB", value_name = "URL")]
    db: Option<String>,
    /// Print machine-readable JSON instead of tables
    #[arg(long, global = true)]
    json: bool,
    /// Print only errors
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Print more detail (repeat for more)
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// Who is acting, recorded in the audit trail [default: cli:$USER]
    #[arg(long, global = true, env = "POSTMARKET_ACTOR", value_name = "NAME")]
    actor: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The database: migrations, integrity, backups
    #[command(subcommand)]
    Db(commands::DbCommand),
    /// Device models
    #[command(subcommand)]
    Device(commands::DeviceCommand),
    /// Device releases (versions in the field)
    #[command(subcommand)]
    Release(commands::ReleaseCommand),
    /// SBOMs: parse, check, store, list, export, diff, support levels
    #[command(subcommand)]
    Sbom(sbom_cmd::SbomCommand),
    /// Benchmarks that print their figures
    #[command(subcommand)]
    Bench(sbom_cmd::BenchCommand),
    /// Serve the web app
    Serve(commands::ServeArgs),
    /// Load the demo portfolio into postmarket-demo.db and serve the web app on it
    Demo(commands::ServeArgs),
    /// Score CVSS 2.0 / 3.0 / 3.1 / 4.0 vectors
    Cvss(risk_commands::CvssArgs),
    /// Run the MITRE medical-device CVSS rubric over an answers file
    Rubric(risk_commands::RubricArgs),
    /// Assess one vulnerability: exploitability × patient harm → controlled or uncontrolled
    Assess(risk_commands::AssessArgs),
    /// Vulnerability feeds: import files, sync over HTTP, freshness
    #[command(subcommand)]
    Feeds(feeds_cmd::FeedsCommand),
    /// Vulnerabilities: show one by any alias, search by package or CPE
    #[command(subcommand)]
    Vuln(feeds_cmd::VulnCommand),
    /// Match an SBOM file against the stored vulnerability records without storing anything
    Scan(findings_cmd::ScanArgs),
    /// Match every release's latest SBOM against the stored records and record the findings
    Match(findings_cmd::MatchArgs),
    /// Findings: list them (suppressed ones with their VEX status), explain one
    Findings(findings_cmd::FindingsArgs),
    /// Every device, release and component a package or a vulnerability reaches
    WhereUsed(findings_cmd::WhereUsedArgs),
    /// Version orderings and vers ranges: compare, test containment
    #[command(subcommand)]
    Vers(findings_cmd::VersCommand),
    /// Vulnerability cases: open, move, assess, sign, notify, share, fix, deploy, close
    #[command(subcommand)]
    Case(case_cmd::CaseCommand),
    /// Publish a case as CSAF 2.0 (advisory or VEX), CycloneDX 1.6 VEX or OpenVEX
    Advisory(advisory_cmd::AdvisoryArgs),
    /// Supplier VEX documents: import them as component-level statements of a release
    #[command(subcommand)]
    Vex(vex_cmd::VexCommand),
    /// Clock reminders: deliver breached and due-soon clocks by mail and webhook
    #[command(subcommand)]
    Clocks(clocks_cmd::ClocksCommand),
    /// Reports: PMA annual report, FDA metrics, clocks
    #[command(subcommand)]
    Report(report_cmd::ReportCommand),
    /// ISAO membership and its evidence (program settings)
    #[command(subcommand)]
    Isao(case_cmd::IsaoCommand),
    /// Program settings: matrix and policy in force, clocks
    #[command(subcommand)]
    Program(case_cmd::ProgramCommand),
    /// Accounts of the web app and API: roles, product lines, passwords
    #[command(subcommand)]
    User(user_cmd::UserCommand),
    /// API tokens: create, list, revoke
    #[command(subcommand)]
    Token(user_cmd::TokenCommand),
    /// Coordinated vulnerability disclosure reports: list, show, acknowledge, import the spool
    #[command(subcommand)]
    Cvd(cvd_cmd::CvdCommand),
}

/// An error with the exit code it deserves.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Self {
        Self {
            code: 2,
            message: message.into(),
        }
    }
}

impl From<postmarket_app::AppError> for Failure {
    fn from(e: postmarket_app::AppError) -> Self {
        use postmarket_app::ErrorKind;
        Self {
            code: match e.kind() {
                ErrorKind::BadInput
                | ErrorKind::NotFound
                | ErrorKind::Unauthorized
                | ErrorKind::Forbidden => 2,
                ErrorKind::Internal => 3,
            },
            message: e.to_string(),
        }
    }
}

impl From<postmarket_store::StoreError> for Failure {
    fn from(e: postmarket_store::StoreError) -> Self {
        postmarket_app::AppError::from(e).into()
    }
}

impl From<postmarket_model::InvalidValue> for Failure {
    fn from(e: postmarket_model::InvalidValue) -> Self {
        Self::usage(e.to_string())
    }
}

fn main() -> ExitCode {
    // One line, no backtrace: a panic is a bug, reported as an internal error (exit 3).
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        // `postmarket … | head` closes the pipe early: that is the reader's choice, not a bug.
        if msg.contains("Broken pipe") {
            std::process::exit(0);
        }
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        eprintln!("postmarket: internal error: {msg}{place} (please report this)");
    }));
    let cli = Cli::parse();
    init_logging(&cli.global);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("postmarket: cannot start the async runtime: {e}");
            return ExitCode::from(3);
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(f) => {
            eprintln!("postmarket: {}", f.message);
            ExitCode::from(f.code)
        }
    }
}

fn init_logging(g: &Global) {
    let level = if g.quiet {
        "error"
    } else {
        match g.verbose {
            0 => "warn",
            1 => "info",
            2 => "debug",
            _ => "trace",
        }
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("POSTMARKET_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(level));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init();
}

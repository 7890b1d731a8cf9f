//! `postmarket feeds …` and `postmarket vuln …`: vulnerability intelligence (issue 4).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};
use postmarket_app::feeds::{SourceStatus, VulnDetail};
use postmarket_app::sync::{SyncConfig, SyncSource};
use postmarket_app::{App, ImportOptions, Progress};

use crate::output::{self, opt, Table};
use crate::{Failure, Global};

#[derive(Debug, Subcommand)]
pub enum FeedsCommand {
    /// Import feed files or directories (NVD, CVE 5, OSV, KEV, EPSS, CSAF); one transaction
    Import(ImportArgs),
    /// Fetch sources over HTTP and import what changed (resumes an interrupted sync)
    Sync(Box<SyncArgs>),
    /// Per source: last success, age, record counts; warns (exit 1) when one is too old
    Status(StatusArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum KindArg {
    Auto,
    Nvd,
    #[value(name = "nvd-1.1")]
    Nvd11,
    Cve5,
    Osv,
    Kev,
    Epss,
    Csaf,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Files or directories (walked recursively)
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// The format of every file; `auto` detects each file's from its content
    #[arg(long, value_enum, default_value = "auto")]
    kind: KindArg,
    /// Refuse the whole import at the first malformed record (nothing is written)
    #[arg(long)]
    strict: bool,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Sync only this source (repeatable; default: all of them)
    #[arg(long, value_parser = ["nvd", "osv", "kev", "epss", "cisa-csaf"], value_name = "SOURCE")]
    source: Vec<String>,
    /// Fetch what changed since DATE (YYYY-MM-DD or RFC 3339) instead of since the last sync
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// NVD CVE API 2.0 endpoint
    #[arg(long, env = "POSTMARKET_NVD_URL", value_name = "URL")]
    nvd_url: Option<String>,
    /// NVD API key (raises NVD's rate limit)
    #[arg(
        long,
        env = "POSTMARKET_NVD_API_KEY",
        value_name = "KEY",
        hide_env_values = true
    )]
    nvd_api_key: Option<String>,
    /// OSV ecosystem archives: URL of the folder holding ECOSYSTEM/all.zip
    #[arg(long, env = "POSTMARKET_OSV_URL", value_name = "URL")]
    osv_url: Option<String>,
    /// OSV ecosystems to fetch (repeatable)
    #[arg(
        long = "osv-ecosystem",
        env = "POSTMARKET_OSV_ECOSYSTEMS",
        value_delimiter = ',',
        value_name = "NAME"
    )]
    osv_ecosystems: Vec<String>,
    /// CISA KEV catalog (JSON)
    #[arg(long, env = "POSTMARKET_KEV_URL", value_name = "URL")]
    kev_url: Option<String>,
    /// FIRST EPSS daily file (CSV, optionally gzip)
    #[arg(long, env = "POSTMARKET_EPSS_URL", value_name = "URL")]
    epss_url: Option<String>,
    /// CISA CSAF provider-metadata.json
    #[arg(long, env = "POSTMARKET_CSAF_URL", value_name = "URL")]
    csaf_url: Option<String>,
    /// Trusted ASCII-armored OpenPGP public key for CSAF document signatures (repeatable); without
    /// one, signatures are not checked (and the sync says so)
    #[arg(
        long = "csaf-key",
        env = "POSTMARKET_CSAF_KEYS",
        value_delimiter = ',',
        value_name = "FILE"
    )]
    csaf_keys: Vec<PathBuf>,
    /// NVD results per page (at most 2000)
    #[arg(long, default_value_t = 2000, value_name = "N")]
    nvd_page_size: u32,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Warn when a source's last success is older than this (e.g. 2d, 36h, 90m)
    #[arg(
        long,
        env = "POSTMARKET_FEEDS_MAX_AGE",
        default_value = "2d",
        value_name = "AGE"
    )]
    max_age: String,
}

#[derive(Debug, Subcommand)]
pub enum VulnCommand {
    /// One vulnerability by any of its ids: aliases, every score with its source, KEV, EPSS,
    /// affected packages and CPE configurations
    Show { id: String },
    /// Vulnerabilities by package URL or CPE
    Search(SearchArgs),
}

#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct SearchArgs {
    /// A package URL, e.g. pkg:pypi/django
    #[arg(long, value_name = "PURL")]
    purl: Option<String>,
    /// A CPE 2.3 name, e.g. cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*
    #[arg(long, value_name = "CPE")]
    cpe: Option<String>,
}

fn say(g: &Global, text: impl AsRef<str>) {
    if !g.quiet {
        println!("{}", text.as_ref());
    }
}

/// A progress bar on stderr when it is a terminal (and not `--quiet`/`--json`).
struct Bar(Option<indicatif::ProgressBar>);

impl Bar {
    fn new(g: &Global) -> Self {
        if g.quiet || g.json || !std::io::stderr().is_terminal() {
            return Self(None);
        }
        let bar = indicatif::ProgressBar::new(0);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{bar:30} {bytes}/{total_bytes} {bytes_per_sec} {wide_msg}",
        ) {
            bar.set_style(style);
        }
        Self(Some(bar))
    }
}

impl Progress for Bar {
    fn start(&self, total: u64) {
        if let Some(b) = &self.0 {
            b.set_length(total);
        }
    }
    fn advance(&self, bytes: u64, what: &str) {
        if let Some(b) = &self.0 {
            b.inc(bytes);
            b.set_message(what.to_string());
        }
    }
    fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

pub async fn feeds(
    g: &Global,
    url: &str,
    actor: &postmarket_model::Actor,
    cmd: FeedsCommand,
) -> Result<u8, Failure> {
    let app = App::open(url).await?;
    let code = match cmd {
        FeedsCommand::Import(a) => {
            let kind = match a.kind {
                KindArg::Auto => None,
                k => postmarket_advisories::Kind::from_name(
                    k.to_possible_value()
                        .map(|v| v.get_name().to_string())
                        .unwrap_or_default()
                        .as_str(),
                )
                .flatten(),
            };
            let opts = ImportOptions {
                kind,
                strict: a.strict,
            };
            let bar = Bar::new(g);
            let report = app.import_feeds(actor, &a.paths, &opts, &bar).await;
            bar.finish();
            let report = report?;
            for d in &report.diagnostics {
                eprintln!("postmarket: rejected: {d}");
            }
            for n in &report.notes {
                eprintln!("postmarket: note: {n}");
            }
            if g.verbose > 0 {
                for s in &report.skipped {
                    eprintln!("postmarket: skipped {s}");
                }
            }
            if g.json {
                output::json(&report)?;
            } else {
                for r in &report.runs {
                    let what = if r.changed() {
                        format!("run {}", r.id.unwrap_or_default())
                    } else {
                        "unchanged, nothing written".to_string()
                    };
                    say(
                        g,
                        format!(
                            "{} {} ({} file{}): added {}, updated {}, unchanged {}, rejected {} in {} ms; {what}",
                            r.source,
                            r.file,
                            r.files,
                            if r.files == 1 { "" } else { "s" },
                            r.added,
                            r.updated,
                            r.unchanged,
                            r.rejected,
                            r.duration_ms
                        ),
                    );
                }
                if report.runs.is_empty() {
                    say(g, "no feed data found in the given paths");
                }
            }
            if report.diagnostics.is_empty() {
                0
            } else {
                1
            }
        }
        FeedsCommand::Status(a) => {
            let max_age = parse_age(&a.max_age)?;
            let status = app.feed_status(max_age).await?;
            let stale = status.iter().any(|s| s.stale);
            if g.json {
                output::json(&serde_json::json!({
                    "max_age_seconds": max_age.as_secs(),
                    "stale": stale,
                    "sources": status,
                }))?;
            } else if status.is_empty() {
                say(
                    g,
                    "no feed imported or synced yet (postmarket feeds import PATH… or feeds sync)",
                );
            } else {
                print_status(&status);
                for s in &status {
                    if let Some(note) = &s.note {
                        say(g, format!("{}: {note}", s.source));
                    }
                }
                for s in status.iter().filter(|s| s.stale) {
                    eprintln!(
                        "postmarket: warning: {} is stale: last success {} (older than {})",
                        s.source,
                        s.last_success.as_deref().unwrap_or("never"),
                        a.max_age
                    );
                }
            }
            if stale {
                1
            } else {
                0
            }
        }
        FeedsCommand::Sync(a) => {
            let config = SyncConfig {
                sources: a
                    .source
                    .iter()
                    .filter_map(|s| SyncSource::from_name(s))
                    .collect(),
                since: a.since.clone(),
                nvd_url: a.nvd_url.clone(),
                nvd_api_key: a.nvd_api_key.clone(),
                nvd_page_size: a.nvd_page_size,
                osv_url: a.osv_url.clone(),
                osv_ecosystems: a.osv_ecosystems.clone(),
                kev_url: a.kev_url.clone(),
                epss_url: a.epss_url.clone(),
                csaf_url: a.csaf_url.clone(),
                csaf_keys: a.csaf_keys.clone(),
            };
            let report = app.sync_feeds(actor, &config).await?;
            for line in &report.problems {
                eprintln!("postmarket: {line}");
            }
            if g.json {
                output::json(&report)?;
            } else {
                for s in &report.sources {
                    say(g, format!("{}: {}", s.source, s.summary));
                }
            }
            if report.failed {
                3
            } else if report.problems.is_empty() {
                0
            } else {
                1
            }
        }
    };
    app.store().close().await;
    Ok(code)
}

fn print_status(status: &[SourceStatus]) {
    let mut t = Table::new(&["SOURCE", "LAST SUCCESS", "AGE", "RUNS", "RECORDS", ""])
        .right_align(3)
        .right_align(4);
    for s in status {
        t.row(vec![
            s.source.clone(),
            opt(s.last_success.as_deref()),
            s.age_seconds.map_or_else(|| "-".into(), human_age),
            s.runs.to_string(),
            s.records.to_string(),
            if s.stale {
                "STALE".into()
            } else {
                String::new()
            },
        ]);
    }
    t.print();
}

fn human_age(secs: i64) -> String {
    match secs {
        s if s < 120 => format!("{s}s"),
        s if s < 7200 => format!("{}m", s / 60),
        s if s < 172_800 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

/// `2d`, `36h`, `90m`, `45s` (a bare number is seconds).
pub fn parse_age(s: &str) -> Result<Duration, Failure> {
    let t = s.trim();
    let (num, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: u64 = num.parse().map_err(|_| {
        Failure::usage(format!(
            "--max-age {s:?}: expected a number with d, h, m or s, such as 2d or 36h"
        ))
    })?;
    let mult = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        _ => {
            return Err(Failure::usage(format!(
                "--max-age {s:?}: unknown unit {unit:?}; expected d, h, m or s"
            )))
        }
    };
    Ok(Duration::from_secs(n * mult))
}

pub async fn vuln(g: &Global, url: &str, cmd: VulnCommand) -> Result<u8, Failure> {
    let app = App::open(url).await?;
    match cmd {
        VulnCommand::Show { id } => {
            let d = app.vuln_show(&id).await?;
            if g.json {
                output::json(&d)?;
            } else {
                print_vuln(&d);
            }
        }
        VulnCommand::Search(a) => {
            let results = match (&a.purl, &a.cpe) {
                (Some(p), _) => app.vuln_search_purl(p).await?,
                (None, Some(c)) => app.vuln_search_cpe(c).await?,
                (None, None) => return Err(Failure::usage("give --purl PURL or --cpe CPE")),
            };
            if g.json {
                output::json(&results)?;
            } else if results.is_empty() {
                say(g, "no stored vulnerability names this package");
            } else {
                let mut t = Table::new(&["ID", "SOURCE", "RECORD", "SUMMARY"]);
                for r in &results {
                    let mut summary: String = r
                        .summary
                        .as_deref()
                        .unwrap_or("-")
                        .lines()
                        .next()
                        .unwrap_or("-")
                        .chars()
                        .take(70)
                        .collect();
                    if r.withdrawn {
                        summary = format!("[withdrawn] {summary}");
                    }
                    t.row(vec![
                        r.id.clone(),
                        r.matched["source"].as_str().unwrap_or("-").to_string(),
                        r.matched["record"].as_str().unwrap_or("-").to_string(),
                        summary,
                    ]);
                }
                t.print();
            }
        }
    }
    app.store().close().await;
    Ok(0)
}

fn print_vuln(d: &VulnDetail) {
    let flag = match (d.rejected, d.withdrawn) {
        (true, _) => " [REJECTED]",
        (false, true) => " [WITHDRAWN]",
        _ => "",
    };
    println!("{}{flag}", d.id);
    println!("  aliases     {}", d.aliases.join(", "));
    if !d.related.is_empty() {
        println!("  related     {}", d.related.join(", "));
    }
    if let Some(s) = d.summary.as_deref().or(d.details.as_deref()) {
        println!("  summary     {}", s.lines().next().unwrap_or(""));
    }
    if !d.cwes.is_empty() {
        println!("  CWE         {}", d.cwes.join(", "));
    }
    println!("  published   {}", opt(d.published.as_deref()));
    println!("  modified    {}", opt(d.modified.as_deref()));
    println!(
        "  scores      ({} from {} records; * = shown)",
        d.scores.len(),
        d.records.len()
    );
    for s in &d.scores {
        println!(
            "    {} {:<5} {:<4} {:<44} {:<10} {}{}",
            if s.shown { "*" } else { " " },
            s.base_score.map_or("-".into(), |b| format!("{b:.1}")),
            s.version,
            s.vector,
            s.kind,
            s.provider,
            s.document
                .as_deref()
                .map(|d| format!(" ({d})"))
                .unwrap_or_default()
        );
    }
    if !d.disagreements.is_empty() {
        println!(
            "  disagreements  {} pair(s) of vectors differ",
            d.disagreements.len()
        );
    }
    for k in &d.kev {
        println!(
            "  KEV         added {} due {} ransomware {}",
            k.date_added,
            opt(k.due_date.as_deref()),
            opt(k.known_ransomware_campaign_use.as_deref())
        );
    }
    for e in &d.epss {
        println!(
            "  EPSS        {:.5} (percentile {:.5}) on {} model {}",
            e.epss,
            e.percentile,
            opt(e.score_date.as_deref()),
            opt(e.model_version.as_deref())
        );
    }
    for p in &d.affected_packages {
        println!(
            "  package     {} {} ({} ranges, {} versions) from {}",
            opt(p.ecosystem.as_deref()),
            opt(p.purl.as_deref().or(p.name.as_deref())),
            p.ranges.as_array().map_or(0, Vec::len),
            p.versions.as_array().map_or(0, Vec::len),
            p.record_id
        );
    }
    println!("  configurations {}", d.configurations.len());
    if !d.csaf_product_status.is_empty() {
        println!("  CSAF product status {}", d.csaf_product_status.len());
    }
    for r in &d.records {
        println!(
            "  record      {} {}{} modified {}{}",
            r.source,
            r.id,
            r.document
                .as_deref()
                .map(|d| format!(" in {d}"))
                .unwrap_or_default(),
            opt(r.modified.as_deref()),
            if r.withdrawn {
                " (withdrawn/rejected)"
            } else {
                ""
            }
        );
    }
}

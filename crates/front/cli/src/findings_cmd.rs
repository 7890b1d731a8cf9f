//! `postmarket scan`, `match`, `findings`, `where-used` and `vers` (issue 5).

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Instant;

use clap::{Args, Subcommand};
use postmarket_app::findings::{severity_rank, DEFAULT_THRESHOLD};
use postmarket_app::{App, MatchProgress};
use postmarket_store::FindingFilter;
use postmarket_version::vers::VersRange;
use postmarket_version::Scheme;

use crate::commands::{actor, say};
use crate::output::{self, opt, Table};
use crate::{Failure, Global};

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// The SBOM (CycloneDX or SPDX, JSON / XML / tag-value)
    file: PathBuf,
    /// Exit 1 when a finding (not suppressed) has at least this severity:
    /// critical, high, medium, low or none
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    fail_on: Option<String>,
    /// Heuristic matches below this confidence (0–1) are possible matches
    #[arg(long, value_name = "X", default_value_t = DEFAULT_THRESHOLD, value_parser = parse_threshold)]
    threshold: f64,
    /// Largest SBOM file accepted, e.g. 100MiB
    #[arg(long, value_name = "SIZE", default_value = "100MiB", value_parser = crate::sbom_cmd::parse_size)]
    max_size: u64,
}

#[derive(Debug, Args)]
pub struct MatchArgs {
    /// Re-match only the components that feed changes since the last match can affect
    #[arg(long)]
    incremental: bool,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct FindingsArgs {
    #[command(subcommand)]
    command: Option<FindingsCommand>,
    /// Only this device
    #[arg(long, value_name = "DEVICE")]
    device: Option<String>,
    /// Only this release version (with --device, of that device)
    #[arg(long, value_name = "VERSION")]
    release: Option<String>,
    /// Also vanished findings and possible matches
    #[arg(long)]
    all: bool,
}

#[derive(Debug, Subcommand)]
pub enum FindingsCommand {
    /// One finding's evidence: record, identity, the comparison made, VEX, history
    Explain {
        /// The finding's id (first column of `postmarket findings`)
        id: i64,
    },
}

#[derive(Debug, Args)]
pub struct WhereUsedArgs {
    /// A purl (version optional) or a vulnerability id (CVE, GHSA, OSV id… any alias)
    query: String,
}

#[derive(Debug, Subcommand)]
pub enum VersCommand {
    /// Compare two versions in a scheme's ordering; prints -1, 0 or 1
    Cmp {
        /// semver, pep440 (pypi), maven, debian (deb), rpm, alpine (apk), rubygems (gem), nuget,
        /// composer, pub, generic, or any purl type / OSV ecosystem name
        scheme: String,
        a: String,
        b: String,
    },
    /// Is VERSION inside a `vers:` range? Prints true or false
    Contains {
        /// e.g. 'vers:pypi/>=1.0|<2.0'
        range: String,
        version: String,
    },
}

#[derive(Debug, Args)]
pub struct BenchMatchArgs {
    /// Affected-package records generated
    #[arg(long, default_value_t = 300_000)]
    pub records: usize,
    /// Components of the generated SBOM
    #[arg(long, default_value_t = 5_000)]
    pub components: usize,
}

fn parse_severity(s: &str) -> Result<String, String> {
    let l = s.trim().to_ascii_lowercase();
    if ["critical", "high", "medium", "low", "none"].contains(&l.as_str()) {
        Ok(l)
    } else {
        Err(format!(
            "invalid severity {s:?}: expected critical, high, medium, low or none"
        ))
    }
}

fn parse_threshold(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!(
            "invalid threshold {s:?}: expected a number from 0 to 1"
        )),
    }
}

fn scheme_named(s: &str) -> Option<Scheme> {
    let l = s.trim().to_ascii_lowercase();
    Scheme::ALL
        .iter()
        .copied()
        .find(|x| x.name() == l)
        .or_else(|| Scheme::from_purl_type(&l))
        .or_else(|| Scheme::from_ecosystem(s.trim()))
}

/// `vers …`: stateless.
pub fn vers(g: &Global, cmd: VersCommand) -> Result<u8, Failure> {
    match cmd {
        VersCommand::Cmp { scheme, a, b } => {
            let sc = scheme_named(&scheme).ok_or_else(|| {
                Failure::usage(format!(
                    "unknown version scheme {scheme:?}: expected one of {} (or a purl type / OSV ecosystem)",
                    Scheme::ALL.iter().map(|s| s.name()).collect::<Vec<_>>().join(", ")
                ))
            })?;
            let n: i8 = match sc.compare(&a, &b) {
                std::cmp::Ordering::Less => -1,
                std::cmp::Ordering::Equal => 0,
                std::cmp::Ordering::Greater => 1,
            };
            if g.json {
                output::json(
                    &serde_json::json!({"scheme": sc.name(), "a": a, "b": b, "result": n}),
                )?;
            } else {
                println!("{n}");
            }
            Ok(0)
        }
        VersCommand::Contains { range, version } => {
            let r = VersRange::parse_lenient(&range).map_err(|e| {
                Failure::usage(format!(
                    "{range:?}: {e}; expected vers:SCHEME/CONSTRAINT|CONSTRAINT…, e.g. 'vers:pypi/>=1.0|<2.0'"
                ))
            })?;
            let inside = r
                .contains(&version)
                .map_err(|e| Failure::usage(format!("{range:?}: {e}")))?;
            if g.json {
                let ex = r.explain(&version);
                output::json(
                    &serde_json::json!({"range": range, "version": version, "contains": inside, "explanation": ex.to_string()}),
                )?;
            } else {
                println!("{inside}");
            }
            Ok(0)
        }
    }
}

/// `scan FILE`: parse and match without storing.
pub async fn scan(g: &Global, url: &str, args: ScanArgs) -> Result<u8, Failure> {
    let t = Instant::now();
    let file = postmarket_app::read_sbom_file(&args.file, args.max_size)?;
    let app = App::open(url).await?;
    let rep = app.scan_sbom(&file, args.threshold).await?;
    app.store().close().await;
    let failing = args.fail_on.as_deref().map(severity_rank).map(|min| {
        rep.findings
            .iter()
            .filter(|f| severity_rank(&f.severity) >= min && severity_rank(&f.severity) > 0)
            .count()
    });
    if g.json {
        output::json(&rep)?;
    } else {
        if rep.index_records == 0 {
            eprintln!(
                "postmarket: warning: the store holds no vulnerability records; `postmarket feeds import` or `feeds sync` adds them"
            );
        }
        if rep.findings.is_empty() {
            say(
                g,
                format!(
                    "{}: {} components, no findings",
                    args.file.display(),
                    rep.components
                ),
            );
        } else {
            let mut tab = Table::new(&[
                "COMPONENT",
                "VERSION",
                "VULNERABILITY",
                "SEVERITY",
                "CVSS",
                "KEV",
                "EPSS",
                "FIXED",
                "MATCH",
            ]);
            for f in &rep.findings {
                tab.row(vec![
                    f.component.name.clone(),
                    opt(f.component.version.as_deref()),
                    f.vulnerability.clone(),
                    f.severity.clone(),
                    opt(f.cvss.as_ref().and_then(|c| c.base)),
                    if f.kev { "yes".into() } else { "-".into() },
                    opt(f.epss.map(|e| format!("{e:.3}"))),
                    opt(f.fixed.as_deref()),
                    format!("{} {:.2}", f.kind, f.confidence),
                ]);
            }
            tab.print();
            if g.verbose > 0 {
                println!();
                for e in &rep.explanations {
                    println!("  {e}");
                }
            }
        }
        if !rep.possible_matches.is_empty() && !g.quiet {
            println!(
                "\n{} possible match(es) for review (below the confidence threshold {:.2}, or a platform condition the SBOM does not show):",
                rep.possible_matches.len(),
                args.threshold
            );
            for e in &rep.possible_explanations {
                println!("  {e}");
            }
        }
        if g.verbose > 0 {
            eprintln!(
                "{} records: read {:?}, index {:?}, match {:?}, facts {:?}; total {:?}",
                rep.index_records,
                rep.timings.load,
                rep.timings.build,
                rep.timings.matching,
                rep.timings.facts,
                t.elapsed()
            );
        }
    }
    match (failing, args.fail_on) {
        (Some(n), Some(sev)) if n > 0 => {
            eprintln!("postmarket: {n} finding(s) of severity {sev} or higher");
            Ok(1)
        }
        _ => Ok(0),
    }
}

/// A progress bar on a terminal, none when piped or with --json / -q.
struct Bar(Option<indicatif::ProgressBar>);

impl Bar {
    fn new(g: &Global) -> Self {
        if g.quiet || g.json || !std::io::stderr().is_terminal() {
            return Self(None);
        }
        let bar = indicatif::ProgressBar::new(0);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} matching [{bar:30}] {pos}/{len} releases {msg}",
        ) {
            bar.set_style(style.progress_chars("=> "));
        }
        Self(Some(bar))
    }
}

impl MatchProgress for Bar {
    fn start(&self, releases: u64) {
        if let Some(b) = &self.0 {
            b.set_length(releases);
        }
    }
    fn advance(&self, release: &str) {
        if let Some(b) = &self.0 {
            b.set_message(release.to_string());
            b.inc(1);
        }
    }
    fn finish(&self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}

/// `match [--incremental]`.
pub async fn match_cmd(g: &Global, url: &str, args: MatchArgs) -> Result<u8, Failure> {
    let app = App::open(url).await?;
    let who = actor(g)?;
    let bar = Bar::new(g);
    let s = if args.incremental {
        app.match_incremental(&who, &bar).await?
    } else {
        app.match_portfolio(&who, &bar).await?
    };
    app.store().close().await;
    if g.json {
        output::json(&s)?;
    } else {
        let r = &s.run;
        let what = if args.incremental {
            format!(
                "{} feed change(s); {} component(s) re-evaluated in {} release(s)",
                s.changes, s.evaluated, r.releases
            )
        } else {
            format!("{} release(s), {} component(s)", r.releases, r.components)
        };
        say(
            g,
            format!(
                "match run {}: {what} against {} records; {} finding(s), {} possible; {} appeared, {} vanished ({} ms: index {}, match {}, store {})",
                r.id, r.index_records, r.findings, r.possible, r.appeared, r.vanished,
                s.index_ms + s.match_ms + s.store_ms, s.index_ms, s.match_ms, s.store_ms
            ),
        );
    }
    Ok(0)
}

/// `findings …`.
pub async fn findings(g: &Global, url: &str, args: FindingsArgs) -> Result<u8, Failure> {
    let app = App::open(url).await?;
    let result = match args.command {
        Some(FindingsCommand::Explain { id }) => explain(g, &app, id).await,
        None => list(g, &app, args.device, args.release, args.all).await,
    };
    app.store().close().await;
    result
}

async fn list(
    g: &Global,
    app: &App,
    device: Option<String>,
    release: Option<String>,
    all: bool,
) -> Result<u8, Failure> {
    let rows = app
        .findings(&FindingFilter {
            device,
            release,
            include_inactive: all,
            include_possible: all,
            ..FindingFilter::default()
        })
        .await?;
    if g.json {
        output::json(&rows)?;
        return Ok(0);
    }
    if rows.is_empty() {
        say(
            g,
            "no findings (postmarket match matches the portfolio against the stored vulnerability records)",
        );
        return Ok(0);
    }
    let mut t = Table::new(&[
        "ID",
        "DEVICE",
        "RELEASE",
        "COMPONENT",
        "VERSION",
        "VULNERABILITY",
        "SEVERITY",
        "KEV",
        "MATCH",
        "STATUS",
    ])
    .right_align(0);
    for v in &rows {
        let f = &v.finding;
        let mut status = Vec::new();
        if !f.active {
            status.push("vanished".to_string());
        }
        if f.state == "possible" {
            status.push("possible".to_string());
        }
        if let Some(s) = &f.vex_status {
            status.push(format!(
                "VEX {s}{}",
                if f.suppressed { " (suppressed)" } else { "" }
            ));
        }
        t.row(vec![
            f.id.to_string(),
            f.device.clone(),
            f.release.clone(),
            f.component_name.clone(),
            opt(f.component_version.as_deref()),
            f.vulnerability.clone(),
            v.severity.clone(),
            if v.kev { "yes".into() } else { "-".into() },
            format!("{} {:.2}", f.match_kind, f.confidence),
            if status.is_empty() {
                "open".into()
            } else {
                status.join(", ")
            },
        ]);
    }
    t.print();
    Ok(0)
}

async fn explain(g: &Global, app: &App, id: i64) -> Result<u8, Failure> {
    let e = app.explain_finding(id).await?;
    if g.json {
        output::json(&e)?;
        return Ok(0);
    }
    let f = &e.view.finding;
    println!(
        "finding {}: {} in {} {} of {} {}",
        f.id,
        f.vulnerability,
        f.component_name,
        opt(f.component_version.as_deref()),
        f.device,
        f.release
    );
    if !f.aliases.is_empty() {
        println!("  aliases:      {}", f.aliases.join(", "));
    }
    if let Some(s) = &e.summary {
        println!("  summary:      {s}");
    }
    println!(
        "  state:        {}{}",
        if f.active { "active" } else { "vanished" },
        if f.state == "possible" {
            " (possible match, for review)"
        } else {
            ""
        }
    );
    println!(
        "  component:    {} (bom-ref {}; purl {}; cpe {})",
        f.component_key,
        f.bom_ref,
        opt(f.component_purl.as_deref()),
        opt(f.component_cpe.as_deref())
    );
    println!(
        "  identity:     {} match, confidence {:.2}: {}",
        f.match_kind, f.confidence, f.reason
    );
    println!("  record:       {} ({})", f.record_id, f.source);
    if !f.also_matched.is_empty() {
        println!("  also matched: {}", f.also_matched.join(", "));
    }
    println!("  affected:     {}", f.affected);
    println!("  fixed in:     {}", opt(f.fixed.as_deref()));
    let ex = &f.explanation;
    println!(
        "  comparison:   {} [{}; scheme {}; verdict {}]",
        ex["text"].as_str().unwrap_or("-"),
        ex["source"].as_str().unwrap_or("-"),
        ex["scheme"].as_str().unwrap_or("-"),
        ex["verdict"].as_str().unwrap_or("-")
    );
    if let Some(notes) = ex["notes"].as_array() {
        for n in notes {
            println!("  note:         {}", n.as_str().unwrap_or_default());
        }
    }
    println!(
        "  severity:     {}{}",
        e.view.severity,
        e.view
            .cvss
            .as_ref()
            .map(|c| format!(" (CVSS {} {} base {})", c.version, c.vector, opt(c.base)))
            .unwrap_or_default()
    );
    println!(
        "  KEV:          {}; EPSS: {}",
        if e.view.kev { "yes" } else { "no" },
        opt(e.view.epss)
    );
    if let Some(v) = &f.vex_status {
        println!(
            "  VEX:          {v}{}{}",
            f.vex_justification
                .as_deref()
                .map(|j| format!(" ({j})"))
                .unwrap_or_default(),
            if f.suppressed {
                "; suppressed, kept visible"
            } else {
                ""
            }
        );
    }
    println!(
        "  seen:         first {} (run {}), last {} (run {})",
        f.first_seen, f.first_run, f.last_seen, f.last_run
    );
    for ev in &e.events {
        println!(
            "  {}  {:<8}  run {}: {}",
            ev.at, ev.event, ev.run_id, ev.cause
        );
    }
    Ok(0)
}

/// `where-used PURL|ID`.
pub async fn where_used(g: &Global, url: &str, args: WhereUsedArgs) -> Result<u8, Failure> {
    let app = App::open(url).await?;
    let w = app.where_used(&args.query).await;
    app.store().close().await;
    let w = w?;
    if g.json {
        output::json(&w)?;
        return Ok(0);
    }
    let title = match &w.vulnerability {
        Some(v) if *v != w.query => format!("{} ({v})", w.query),
        _ => w.query.clone(),
    };
    if w.hits.is_empty() {
        say(g, format!("{title}: in no stored release"));
        return Ok(0);
    }
    let mut t = Table::new(&[
        "DEVICE",
        "RELEASE",
        "UNITS",
        "COMPONENT",
        "VERSION",
        "FINDINGS",
        "SUPPRESSED",
    ])
    .right_align(2);
    for h in &w.hits {
        t.row(vec![
            h.device.clone(),
            h.release.clone(),
            h.install_base.to_string(),
            h.component.clone(),
            opt(h.version.as_deref()),
            if h.findings.is_empty() {
                "-".into()
            } else {
                h.findings.join(", ")
            },
            if h.suppressed.is_empty() {
                "-".into()
            } else {
                h.suppressed.join(", ")
            },
        ]);
    }
    t.print();
    let mut releases: Vec<(&str, &str, i64)> = w
        .hits
        .iter()
        .map(|h| (h.device.as_str(), h.release.as_str(), h.install_base))
        .collect();
    releases.sort();
    releases.dedup();
    let units: i64 = releases.iter().map(|r| r.2).sum();
    say(
        g,
        format!(
            "{title}: {} component(s) in {} release(s); {units} unit(s) in the field",
            w.hits.len(),
            releases.len()
        ),
    );
    Ok(0)
}

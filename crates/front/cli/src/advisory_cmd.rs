//! `postmarket advisory CASE --format …`: a case published as CSAF 2.0 (advisory or VEX),
//! CycloneDX 1.6 VEX or OpenVEX 0.2.0 (issue 7).

use std::path::PathBuf;

use clap::Args;
use postmarket_app::advisories::AdvisoryFormat;
use postmarket_app::App;
use postmarket_model::Date;

use crate::case_cmd::today;
use crate::{Failure, Global};

#[derive(Debug, Args)]
pub struct AdvisoryArgs {
    /// The case id
    case: i64,
    /// csaf, csaf-vex (per case), cyclonedx-vex or openvex (per release)
    #[arg(long, value_name = "FORMAT", value_parser = clap::builder::ValueParser::new(parse_format))]
    format: AdvisoryFormat,
    /// The release a CycloneDX VEX / OpenVEX document speaks about (needed when the case names
    /// more than one)
    #[arg(long, value_name = "VERSION")]
    release: Option<String>,
    /// Write to FILE instead of standard output
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// The day the document is made [default: today, UTC]
    #[arg(long, value_name = "DATE")]
    at: Option<Date>,
}

fn parse_format(s: &str) -> Result<AdvisoryFormat, String> {
    s.parse()
}

pub async fn advisory(g: &Global, url: &str, a: AdvisoryArgs) -> Result<u8, Failure> {
    let app = App::open(url).await?;
    let doc = app
        .case_advisory(
            a.case,
            a.format,
            a.release.as_deref(),
            a.at.unwrap_or_else(today),
        )
        .await?;
    let mut text = serde_json::to_string_pretty(&doc.document).map_err(|e| Failure {
        code: 3,
        message: e.to_string(),
    })?;
    text.push('\n');
    match &a.output {
        Some(path) => std::fs::write(path, &text).map_err(|e| Failure {
            code: 3,
            message: format!("cannot write {}: {e}", path.display()),
        })?,
        None => print!("{text}"),
    }
    if !g.quiet {
        // What the format could not carry goes to stderr, so stdout stays the document.
        for w in &doc.warnings {
            eprintln!("warning: {w}");
        }
        if let Some(path) = &a.output {
            eprintln!(
                "wrote {} ({}) for case {}",
                path.display(),
                a.format,
                a.case
            );
        }
    }
    Ok(0)
}

#[derive(Debug, Args)]
pub struct ImportAdvisoryArgs {
    /// The CSAF 2.0 advisory (e.g. a CISA ICSMA)
    file: PathBuf,
    /// The day the advisory was received: T0 of the cases it opens [default: today, UTC]
    #[arg(long, value_name = "DATE")]
    at: Option<Date>,
}

pub async fn import_advisory(
    g: &Global,
    app: &App,
    who: &postmarket_model::Actor,
    a: ImportAdvisoryArgs,
) -> Result<u8, Failure> {
    let r = app
        .import_coordinator_advisory(who, &a.file, a.at.unwrap_or_else(today))
        .await?;
    if g.json {
        crate::output::json(&r)?;
    } else if !g.quiet {
        println!("{} {}", r.tracking_id, r.title);
        for m in &r.matches {
            println!(
                "  {} {}: {} {} ← {} ({:.1}: {}) {}",
                m.device,
                m.release,
                m.component,
                m.component_version.as_deref().unwrap_or("?"),
                m.product,
                m.confidence,
                m.how,
                m.vulnerabilities.join(", ")
            );
        }
        if r.matches.is_empty() {
            println!("  no stored SBOM contains an affected product");
        }
        let ids = |v: &[i64]| {
            v.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        };
        println!(
            "opened {} case(s){}; {} already open{}",
            r.opened.len(),
            if r.opened.is_empty() {
                String::new()
            } else {
                format!(" ({})", ids(&r.opened))
            },
            r.existing.len(),
            if r.existing.is_empty() {
                String::new()
            } else {
                format!(" ({})", ids(&r.existing))
            },
        );
    }
    Ok(0)
}

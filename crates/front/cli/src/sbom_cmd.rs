//! `postmarket sbom …` and `postmarket bench sbom-store`: argument parsing and printing over the
//! SBOM workflows of `postmarket-app`.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand, ValueEnum};
use postmarket_app::{read_sbom_file, App, ExportFormat, SbomFile};
use postmarket_model::{Date, DeviceName, ReleaseVersion};
use postmarket_sbom::{QualityReport, SupportLevel};
use postmarket_store::{SbomStored, SbomTarget};

use crate::commands::{actor, say};
use crate::output::{self, opt, Table};
use crate::{Failure, Global};

#[derive(Debug, Subcommand)]
pub enum SbomCommand {
    /// Parse an SBOM file without storing it: format, components, edges, diagnostics, quality
    Parse(FileArgs),
    /// The NTIA / FDA quality report of an SBOM file
    Quality(FileArgs),
    /// Store an SBOM file as the next revision of an existing release
    Attach(AttachArgs),
    /// The stored components of a release's latest SBOM, overrides applied
    Components {
        device: DeviceName,
        version: ReleaseVersion,
    },
    /// Export a release's latest SBOM for customers (overrides applied)
    Export(ExportArgs),
    /// Components added, removed and changed in version between two releases
    Diff {
        device: DeviceName,
        from: ReleaseVersion,
        to: ReleaseVersion,
    },
    /// Set a component's support level and end of support for a release (audited)
    SetSupport(SetSupportArgs),
}

#[derive(Debug, Args)]
pub struct FileArgs {
    /// CycloneDX (JSON, XML) or SPDX (JSON, tag-value, 3.0 JSON-LD) file; the format is detected
    file: PathBuf,
    /// Largest file accepted, e.g. 100MiB, 512K, 1000000
    #[arg(long, value_name = "SIZE", default_value = "100MiB", value_parser = parse_size)]
    max_size: u64,
}

#[derive(Debug, Args)]
pub struct AttachArgs {
    device: DeviceName,
    version: ReleaseVersion,
    file: PathBuf,
    /// Largest file accepted, e.g. 100MiB, 512K, 1000000
    #[arg(long, value_name = "SIZE", default_value = "100MiB", value_parser = parse_size)]
    max_size: u64,
    /// Why, recorded in the audit trail
    #[arg(long, value_name = "TEXT")]
    reason: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormatArg {
    /// CycloneDX 1.6 JSON
    Cyclonedx,
    /// SPDX 2.3 JSON
    Spdx,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    device: DeviceName,
    version: ReleaseVersion,
    #[arg(long, value_name = "FORMAT")]
    format: ExportFormatArg,
    /// Write to FILE instead of standard output
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum LevelArg {
    Maintained,
    NoLongerMaintained,
    Abandoned,
}

#[derive(Debug, Args)]
pub struct SetSupportArgs {
    device: DeviceName,
    version: ReleaseVersion,
    /// The component: its bom-ref, purl or name (as `sbom components` shows)
    component: String,
    #[arg(long, value_name = "LEVEL")]
    level: LevelArg,
    /// End of support (YYYY-MM-DD)
    #[arg(long, value_name = "DATE")]
    end_of_support: Option<Date>,
    /// Why, recorded in the audit trail
    #[arg(long, value_name = "TEXT")]
    reason: String,
}

#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Generate, parse and store a large CycloneDX SBOM; print components/s and seconds
    SbomStore {
        /// Components in the generated document
        #[arg(long, default_value_t = 50_000)]
        components: usize,
    },
}

/// `100MiB`, `64M`, `512K`, `512KiB`, `1G`, `1000` (bytes).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: u64 = num.parse().map_err(|_| {
        format!("invalid size {s:?}: expected a number of bytes, e.g. 100MiB, 512K or 1000000")
    })?;
    let mult: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => {
            return Err(format!(
            "invalid size {s:?}: expected a number with an optional unit K, M or G (KiB, MiB, GiB)"
        ))
        }
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("invalid size {s:?}: too large"))
}

fn level(l: LevelArg) -> SupportLevel {
    match l {
        LevelArg::Maintained => SupportLevel::Maintained,
        LevelArg::NoLongerMaintained => SupportLevel::NoLongerMaintained,
        LevelArg::Abandoned => SupportLevel::Abandoned,
    }
}

fn pct(c: &postmarket_sbom::quality::Coverage) -> String {
    format!("{}/{} ({}%)", c.count, c.total, c.percent)
}

fn print_quality(q: &QualityReport) {
    println!("quality (NTIA minimum elements, FDA support information):");
    println!("  NTIA score              {}%", q.ntia_score);
    println!("  supplier                {}", pct(&q.supplier));
    println!("  component name          {}", pct(&q.component_name));
    println!("  version                 {}", pct(&q.version));
    println!("  unique identifier       {}", pct(&q.unique_identifier));
    println!(
        "  dependency relationship {}",
        pct(&q.dependency_relationship)
    );
    println!(
        "  author                  {}",
        if q.author { "yes" } else { "no" }
    );
    println!(
        "  timestamp               {}",
        if q.timestamp { "yes" } else { "no" }
    );
    println!("  support level (FDA)     {}", pct(&q.support_level));
    println!("  end of support (FDA)    {}", pct(&q.end_of_support));
    if !q.components_without_identifier.is_empty() {
        println!(
            "  without any identifier  {}",
            q.components_without_identifier
                .iter()
                .map(
                    |c| format!("{} {}", c.name, c.version.as_deref().unwrap_or(""))
                        .trim()
                        .to_string()
                )
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    for d in &q.duplicates {
        println!(
            "  duplicate {} {}: {}",
            d.kind,
            d.key,
            d.bom_refs.join(", ")
        );
    }
}

/// Diagnostics of a stored or parsed file, one line each on stderr.
fn warn_diagnostics(g: &Global, file: &SbomFile) {
    if g.quiet {
        return;
    }
    for d in &file.parsed.diagnostics {
        let sev = format!("{:?}", d.severity).to_lowercase();
        eprintln!(
            "postmarket: {}: {sev} {} at {}: {}",
            file.file,
            d.code,
            if d.location.is_empty() {
                "(document)"
            } else {
                &d.location
            },
            d.message
        );
    }
}

/// Prints what storing an SBOM did.
pub fn report_stored(g: &Global, file: &SbomFile, stored: &SbomStored) -> Result<(), Failure> {
    if g.json {
        return output::json(&serde_json::json!({
            "stored": stored,
            "diagnostics": file.parsed.diagnostics,
        }));
    }
    warn_diagnostics(g, file);
    let r = &stored.release;
    let rev = &stored.revision;
    if stored.unchanged {
        say(
            g,
            format!(
                "unchanged: {} is already SBOM revision {} of {} {} (sha256 {}); nothing stored",
                file.file, rev.revision, r.device, r.version, rev.sha256
            ),
        );
    } else {
        if stored.release_created {
            say(
                g,
                format!("added release {} of {} (id {})", r.version, r.device, r.id),
            );
        }
        say(
            g,
            format!(
                "stored {} as SBOM revision {} of {} {}: {} {}, {} components, {} dependency edges, {} diagnostics (sha256 {})",
                file.file,
                rev.revision,
                r.device,
                r.version,
                rev.format,
                rev.spec_version,
                rev.component_count,
                rev.edge_count,
                file.parsed.diagnostics.len(),
                rev.sha256
            ),
        );
    }
    Ok(())
}

/// Reads and parses an SBOM file for `release add --sbom`.
pub fn read(file: &Path, max_size: u64) -> Result<SbomFile, Failure> {
    Ok(read_sbom_file(file, max_size)?)
}

pub async fn bench(g: &Global, url: Option<&str>, cmd: BenchCommand) -> Result<u8, Failure> {
    let BenchCommand::SbomStore { components } = cmd;
    // A fresh SQLite file unless a database is named; a named database gets a new device.
    let dir = tempfile_dir()?;
    let default_url = format!("sqlite://{}", dir.join("bench.db").display());
    let url = url.unwrap_or(&default_url);
    let result = postmarket_app::bench::bench_sbom_store(url, components).await;
    let _ = std::fs::remove_dir_all(&dir);
    let b = result?;
    if g.json {
        output::json(&b)?;
    } else {
        println!(
            "generated {} components, {} dependency edges ({:.1} MB of CycloneDX JSON)",
            b.components,
            b.edges,
            b.bytes as f64 / 1e6
        );
        println!(
            "parsed in {:.3} s: {:.0} components/s",
            b.parse_seconds, b.components_per_second_parsed
        );
        println!(
            "stored in {:.3} s on {}: {:.0} components/s (one transaction)",
            b.store_seconds, b.database, b.components_per_second_stored
        );
        println!("db verify in {:.3} s: ok", b.verify_seconds);
    }
    Ok(0)
}

fn tempfile_dir() -> Result<PathBuf, Failure> {
    let stamp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let dir = std::env::temp_dir().join(format!("postmarket-bench-{}-{stamp}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| Failure {
        code: 3,
        message: format!("cannot create {}: {e}", dir.display()),
    })?;
    Ok(dir)
}

pub async fn run(g: &Global, url: &str, cmd: SbomCommand) -> Result<u8, Failure> {
    match cmd {
        SbomCommand::Parse(a) => {
            let file = read(&a.file, a.max_size)?;
            let out = postmarket_sbom::ParseOutput::new(&file.parsed);
            if g.json {
                output::json(&out)?;
                return Ok(0);
            }
            println!(
                "{}: {} {}, {} components, {} dependency edges, {} diagnostics",
                file.file,
                out.format,
                out.spec_version,
                out.components.len(),
                out.dependencies.len(),
                out.diagnostics.len()
            );
            for d in &out.diagnostics {
                println!(
                    "  {:?} {} at {}: {}",
                    d.severity,
                    d.code,
                    if d.location.is_empty() {
                        "(document)"
                    } else {
                        &d.location
                    },
                    d.message
                );
            }
            if !out.components.is_empty() {
                let mut t = Table::new(&[
                    "REF",
                    "NAME",
                    "VERSION",
                    "SUPPLIER",
                    "PURL",
                    "SUPPORT",
                    "END OF SUPPORT",
                ]);
                for c in &out.components {
                    t.row(vec![
                        c.bom_ref.clone(),
                        c.name.clone(),
                        opt(c.version.as_deref()),
                        opt(c.supplier.as_deref()),
                        opt(c.purl.as_deref()),
                        opt(c.support_level.map(|l| l.as_str())),
                        opt(c.end_of_support.as_deref()),
                    ]);
                }
                t.print();
            }
            for [a, b] in &out.dependencies {
                println!("  {a} -> {b}");
            }
            print_quality(&out.quality);
            Ok(0)
        }
        SbomCommand::Quality(a) => {
            let file = read(&a.file, a.max_size)?;
            let q = file.quality();
            if g.json {
                output::json(&q)?;
            } else {
                println!(
                    "{}: {} {}, {} components",
                    file.file,
                    file.parsed.sbom.format,
                    file.parsed.sbom.metadata.spec_version,
                    q.component_count
                );
                print_quality(&q);
            }
            Ok(0)
        }
        SbomCommand::Attach(a) => {
            let file = read(&a.file, a.max_size)?;
            let app = App::open(url).await?;
            let stored = app
                .add_sbom(
                    &actor(g)?,
                    SbomTarget::Existing {
                        device: &a.device,
                        version: &a.version,
                    },
                    &file,
                    a.reason.as_deref(),
                )
                .await?;
            app.store().close().await;
            report_stored(g, &file, &stored)?;
            Ok(0)
        }
        SbomCommand::Components { device, version } => {
            let app = App::open(url).await?;
            let sbom = app.release_sbom(&device, &version).await?;
            app.store().close().await;
            if g.json {
                output::json(&sbom)?;
                return Ok(0);
            }
            println!(
                "{} {}: SBOM revision {} of {} ({} {}, sha256 {}), {} components",
                sbom.release.device,
                sbom.release.version,
                sbom.revision.revision,
                sbom.revisions.len(),
                sbom.revision.format,
                sbom.revision.spec_version,
                sbom.revision.sha256,
                sbom.components.len()
            );
            let mut t = Table::new(&[
                "NAME",
                "VERSION",
                "SUPPLIER",
                "PURL",
                "CPE",
                "SUPPORT",
                "END OF SUPPORT",
            ]);
            for c in &sbom.components {
                let mark = if c.overridden { " *" } else { "" };
                let cc = &c.component;
                t.row(vec![
                    cc.name.clone(),
                    opt(cc.version.as_deref()),
                    opt(cc.supplier.as_deref()),
                    opt(cc.purl.as_deref().or(cc.purl_raw.as_deref())),
                    opt(cc.cpe.as_deref()),
                    format!("{}{mark}", opt(cc.support_level.map(|l| l.as_str()))),
                    format!(
                        "{}{mark}",
                        opt(cc
                            .end_of_support
                            .as_deref()
                            .or(cc.end_of_support_raw.as_deref()))
                    ),
                ]);
            }
            t.print();
            if sbom.components.iter().any(|c| c.overridden) {
                println!("* set in Postmarket (sbom set-support), not in the document");
            }
            Ok(0)
        }
        SbomCommand::Export(a) => {
            let app = App::open(url).await?;
            let format = match a.format {
                ExportFormatArg::Cyclonedx => ExportFormat::CycloneDx,
                ExportFormatArg::Spdx => ExportFormat::Spdx,
            };
            let doc = app.export_sbom(&a.device, &a.version, format).await?;
            app.store().close().await;
            let text = serde_json::to_string_pretty(&doc).map_err(|e| Failure {
                code: 3,
                message: format!("cannot serialise the export: {e}"),
            })?;
            match a.output {
                Some(path) => {
                    std::fs::write(&path, format!("{text}\n")).map_err(|e| Failure {
                        code: 2,
                        message: format!("cannot write {}: {e}", path.display()),
                    })?;
                    say(g, format!("wrote {}", path.display()));
                }
                None => println!("{text}"),
            }
            Ok(0)
        }
        SbomCommand::Diff { device, from, to } => {
            let app = App::open(url).await?;
            let diff = app.sbom_diff(&device, &from, &to).await?;
            app.store().close().await;
            if g.json {
                output::json(&diff)?;
                return Ok(0);
            }
            println!(
                "{} {} (SBOM revision {}) -> {} (revision {}): {} added, {} removed, {} changed, {} unchanged",
                diff.device,
                diff.from,
                diff.from_revision,
                diff.to,
                diff.to_revision,
                diff.added.len(),
                diff.removed.len(),
                diff.changed.len(),
                diff.unchanged
            );
            for c in &diff.added {
                println!("+ {} {}", c.name, opt(c.version.as_deref()));
            }
            for c in &diff.removed {
                println!("- {} {}", c.name, opt(c.version.as_deref()));
            }
            for c in &diff.changed {
                println!(
                    "~ {} {} -> {}",
                    c.name,
                    opt(c.from_version.as_deref()),
                    opt(c.to_version.as_deref())
                );
            }
            Ok(0)
        }
        SbomCommand::SetSupport(a) => {
            let app = App::open(url).await?;
            let o = app
                .set_component_support(
                    &actor(g)?,
                    &a.device,
                    &a.version,
                    &a.component,
                    level(a.level),
                    a.end_of_support,
                    &a.reason,
                )
                .await?;
            app.store().close().await;
            if g.json {
                output::json(&o)?;
            } else {
                say(
                    g,
                    format!(
                        "{} of {} {}: support level {}, end of support {} (set in Postmarket)",
                        o.component_name,
                        a.device,
                        a.version,
                        o.support_level.as_str(),
                        opt(o.end_of_support.as_deref())
                    ),
                );
            }
            Ok(0)
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sizes_parse_with_units() {
        assert_eq!(super::parse_size("100MiB"), Ok(100 << 20));
        assert_eq!(super::parse_size("512K"), Ok(512 << 10));
        assert_eq!(super::parse_size("1000"), Ok(1000));
        assert!(super::parse_size("ten").is_err());
        assert!(super::parse_size("10 parsecs").is_err());
    }
}

//! OSV records: JSON and YAML, single files, directories and ecosystem `all.zip` archives.

use crate::diag::{Diagnostic, Diags, Error, Location, ParseOptions, Parsed, Result};
use crate::model::*;
use crate::util::{self, cwe, push_unique, record};
use serde::Deserialize;
use serde_json::value::RawValue;
use std::io::{Read, Seek};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

/// Ecosystem names defined by the OSV schema (the part before any `:RELEASE` suffix).
/// Unknown ecosystems are kept: use [`is_known_ecosystem`] to report them.
pub const KNOWN_ECOSYSTEMS: &[&str] = &[
    "AlmaLinux",
    "Alpaquita",
    "Alpine",
    "Android",
    "Azure Linux",
    "BellSoft Hardened Containers",
    "Bioconductor",
    "Bitnami",
    "CRAN",
    "Chainguard",
    "CleanStart",
    "ConanCenter",
    "Debian",
    "Docker Hardened Images",
    "Echo",
    "FreeBSD",
    "GHC",
    "GIT",
    "GitHub Actions",
    "Go",
    "Hackage",
    "Hex",
    "Julia",
    "Kubernetes",
    "Linux",
    "Mageia",
    "Maven",
    "MinimOS",
    "NuGet",
    "OSS-Fuzz",
    "Packagist",
    "Photon OS",
    "Pub",
    "PyPI",
    "Red Hat",
    "Rocky Linux",
    "Root",
    "RubyGems",
    "SUSE",
    "SwiftURL",
    "TuxCare",
    "Ubuntu",
    "VSCode",
    "Wolfi",
    "crates.io",
    "npm",
    "opam",
    "openEuler",
    "openSUSE",
];

/// Whether an ecosystem string (`Debian:11`, `PyPI`) names an ecosystem the OSV schema lists.
pub fn is_known_ecosystem(eco: &str) -> bool {
    let base = eco.split(':').next().unwrap_or(eco);
    KNOWN_ECOSYSTEMS.contains(&base)
}

#[derive(Deserialize)]
struct Raw {
    id: String,
    modified: Option<String>,
    published: Option<String>,
    withdrawn: Option<String>,
    #[serde(default)]
    aliases: Option<Vec<String>>,
    #[serde(default)]
    related: Option<Vec<String>>,
    #[serde(default)]
    upstream: Option<Vec<String>>,
    summary: Option<String>,
    details: Option<String>,
    #[serde(default)]
    severity: Option<Vec<RawSeverity>>,
    #[serde(default)]
    affected: Option<Vec<RawAffected>>,
    #[serde(default)]
    references: Option<Vec<RawRef>>,
    #[serde(default)]
    database_specific: Option<serde::de::IgnoredAny>,
}

#[derive(Deserialize)]
struct RawSeverity {
    #[serde(rename = "type")]
    kind: String,
    score: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawAffected {
    package: Option<RawPackage>,
    severity: Option<Vec<RawSeverity>>,
    ranges: Option<Vec<RawRange>>,
    versions: Option<Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawPackage {
    ecosystem: Option<String>,
    name: Option<String>,
    purl: Option<String>,
}

#[derive(Deserialize)]
struct RawRange {
    #[serde(rename = "type")]
    kind: String,
    repo: Option<String>,
    #[serde(default)]
    events: Vec<RawEvent>,
}

#[derive(Deserialize)]
struct RawEvent {
    introduced: Option<String>,
    fixed: Option<String>,
    last_affected: Option<String>,
    limit: Option<String>,
}

#[derive(Deserialize)]
struct RawRef {
    #[serde(rename = "type")]
    kind: Option<String>,
    url: String,
}

fn severity(list: Vec<RawSeverity>, who: &str) -> Vec<Score> {
    list.into_iter()
        .map(|s| {
            let version = match s.kind.as_str() {
                "CVSS_V2" => CvssVersion::V2,
                "CVSS_V3" => CvssVersion::from_vector(&s.score).unwrap_or(CvssVersion::V3_1),
                "CVSS_V4" => CvssVersion::V4_0,
                other => CvssVersion::Other(other.to_string()),
            };
            Score {
                source: who.to_string(),
                feed: Source::Osv,
                kind: ScoreKind::Primary,
                version,
                vector: s.score,
                base_score: None,
                severity: None,
                products: Vec::new(),
            }
        })
        .collect()
}

/// The database behind an OSV id, from its prefix (`GHSA-…` → `GHSA`).
pub fn database_of(id: &str) -> &str {
    id.split('-').next().unwrap_or(id)
}

fn convert(raw: Raw, ptr: &str, diags: &mut Diags<'_>) -> Result<VulnRecord> {
    let mut r = VulnRecord::new(Source::Osv, raw.id.trim());
    let who = database_of(&r.id).to_string();
    r.summary = raw.summary.filter(|s| !s.is_empty());
    r.details = raw.details.filter(|s| !s.is_empty());
    r.modified = util::ts(raw.modified.as_deref(), || format!("{ptr}/modified"), diags)?;
    r.published = util::ts(
        raw.published.as_deref(),
        || format!("{ptr}/published"),
        diags,
    )?;
    if let Some(w) = raw.withdrawn.as_deref() {
        r.withdrawn = true;
        r.status = Some(format!("withdrawn {w}"));
        let _ = util::ts(Some(w), || format!("{ptr}/withdrawn"), diags)?;
    }
    for a in raw.aliases.unwrap_or_default() {
        if a.trim() != r.id {
            push_unique(&mut r.aliases, &a);
        }
    }
    for a in raw
        .related
        .unwrap_or_default()
        .into_iter()
        .chain(raw.upstream.unwrap_or_default())
    {
        push_unique(&mut r.related, &a);
    }
    r.scores = severity(raw.severity.unwrap_or_default(), &who);
    for (i, a) in raw.affected.unwrap_or_default().into_iter().enumerate() {
        let pkg = a.package.unwrap_or_default();
        let mut p = PackageAffected {
            ecosystem: pkg.ecosystem,
            name: pkg.name,
            purl: pkg.purl,
            versions: a.versions.unwrap_or_default(),
            severity: severity(a.severity.unwrap_or_default(), &who),
            ranges: Vec::new(),
        };
        for (j, rg) in a.ranges.unwrap_or_default().into_iter().enumerate() {
            let kind = match rg.kind.as_str() {
                "SEMVER" => RangeKind::Semver,
                "ECOSYSTEM" => RangeKind::Ecosystem,
                "GIT" => RangeKind::Git,
                other => RangeKind::Other(other.to_string()),
            };
            if kind == RangeKind::Git && rg.repo.is_none() {
                diags.ptr(
                    format!("{ptr}/affected/{i}/ranges/{j}/repo"),
                    "GIT range without `repo`",
                )?;
            }
            let mut events = Vec::with_capacity(rg.events.len());
            for (k, e) in rg.events.into_iter().enumerate() {
                let mut found: Vec<RangeEvent> = Vec::with_capacity(1);
                if let Some(v) = e.introduced {
                    found.push(RangeEvent::Introduced(v));
                }
                if let Some(v) = e.fixed {
                    found.push(RangeEvent::Fixed(v));
                }
                if let Some(v) = e.last_affected {
                    found.push(RangeEvent::LastAffected(v));
                }
                if let Some(v) = e.limit {
                    found.push(RangeEvent::Limit(v));
                }
                if found.len() != 1 {
                    diags.ptr(
                        format!("{ptr}/affected/{i}/ranges/{j}/events/{k}"),
                        format!("event must have exactly one of introduced/fixed/last_affected/limit, has {}", found.len()),
                    )?;
                }
                events.extend(found);
            }
            p.ranges.push(VersionRange {
                kind,
                repo: rg.repo,
                events,
            });
        }
        r.affected.push(Affected::Package(p));
    }
    for rf in raw.references.unwrap_or_default() {
        r.references
            .push(Reference::new(rf.url, rf.kind.into_iter().collect()));
    }
    // CWE ids are in database_specific, which the model ignores on purpose.
    let _ = raw.database_specific;
    let _ = cwe;
    Ok(r)
}

fn finish(raw: Raw, ptr: &str, diags: &mut Diags<'_>, out: &mut Vec<VulnRecord>) -> Result<()> {
    if raw.id.trim().is_empty() {
        diags.ptr(format!("{ptr}/id"), "empty OSV id; record skipped")?;
        return Ok(());
    }
    out.push(convert(raw, ptr, diags)?);
    Ok(())
}

#[derive(Deserialize)]
struct Probe<'a> {
    id: Option<serde::de::IgnoredAny>,
    #[serde(borrow)]
    vulns: Option<Vec<&'a RawValue>>,
}

/// Parse OSV JSON: one record, an array of records, or `{"vulns": [...]}` (the API's shape).
pub fn parse_json(bytes: &[u8], opts: &ParseOptions) -> Result<Parsed<VulnRecord>> {
    let mut diags = Diags::new(opts);
    let mut out = Parsed::default();
    let (raws, base): (Vec<&RawValue>, Option<&str>) = if util::first_byte(bytes) == Some(b'[') {
        (util::parse_top(bytes, opts)?, Some(""))
    } else {
        let one: &RawValue = util::parse_top(bytes, opts)?;
        match serde_json::from_str::<Probe<'_>>(one.get()) {
            Ok(Probe {
                id: None,
                vulns: Some(v),
            }) => (v, Some("/vulns")),
            _ => (vec![one], None),
        }
    };
    for (i, raw) in raws.into_iter().enumerate() {
        let ptr = match base {
            Some(b) => format!("{b}/{i}"),
            None => String::new(),
        };
        if let Some(r) = record::<Raw>(raw, &ptr, &mut diags)? {
            finish(r, &ptr, &mut diags, &mut out.records)?;
        }
    }
    out.diagnostics = diags.list;
    Ok(out)
}

/// Parse one OSV record in YAML.
pub fn parse_yaml(bytes: &[u8], opts: &ParseOptions) -> Result<Parsed<VulnRecord>> {
    let mut diags = Diags::new(opts);
    let mut out = Parsed::default();
    let text = std::str::from_utf8(util::strip_bom(bytes))
        .map_err(|e| Error::unreadable(opts, format!("not UTF-8: {e}")))?;
    match serde_norway::from_str::<Raw>(text) {
        Ok(r) => finish(r, "", &mut diags, &mut out.records)?,
        Err(e) => {
            // Syntax error → unreadable; well-formed YAML of the wrong shape → record diagnostic.
            if let Err(syntax) = serde_norway::from_str::<serde_norway::Value>(text) {
                return Err(Error::unreadable(opts, format!("YAML: {syntax}")));
            }
            let loc = e
                .location()
                .map_or(Location::File, |l| Location::Line(l.line() as u64));
            diags.push(loc, format!("malformed record: {e}"))?;
        }
    }
    out.diagnostics = diags.list;
    Ok(out)
}

/// Parse OSV JSON or YAML, by content.
pub fn parse(bytes: &[u8], opts: &ParseOptions) -> Result<Parsed<VulnRecord>> {
    match util::first_byte(bytes) {
        Some(b'{') | Some(b'[') => parse_json(bytes, opts),
        _ => parse_yaml(bytes, opts),
    }
}

fn is_osv_file(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.ends_with(".json") || n.ends_with(".yaml") || n.ends_with(".yml")
}

/// Parse every `.json`/`.yaml`/`.yml` file below `dir` (sorted, recursive). A file that cannot be
/// read or parsed is a diagnostic naming that file; the others still parse.
pub fn parse_dir(dir: &Path, opts: &ParseOptions) -> Result<Parsed<VulnRecord>> {
    let mut files = Vec::new();
    walk(dir, &mut files).map_err(|e| Error::Io {
        place: dir.display().to_string(),
        source: e,
    })?;
    files.sort();
    let outcomes = util::par_chunks(&files, |chunk| {
        chunk
            .iter()
            .map(|f| {
                let name = f.display().to_string();
                match std::fs::read(f) {
                    Ok(bytes) => parse_outcome(&bytes, &name, opts),
                    Err(e) => Outcome::Diag(file_diag(&name, format!("cannot read: {e}"))),
                }
            })
            .collect()
    });
    combine(outcomes, opts)
}

fn file_diag(name: &str, message: String) -> Diagnostic {
    Diagnostic {
        file: Some(name.to_string()),
        location: Location::File,
        message,
    }
}

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let ft = e.file_type()?;
        let p = e.path();
        if ft.is_dir() {
            walk(&p, out)?;
        } else if ft.is_file()
            && p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(is_osv_file)
        {
            out.push(p);
        }
    }
    Ok(())
}

/// Parse an OSV ecosystem archive (`all.zip`). Before anything is decompressed every entry name is
/// checked (absolute paths and `..` are refused) and the declared sizes are checked against
/// [`crate::Limits`]; while reading, actual sizes are capped too (a lying header cannot bypass them).
pub fn parse_zip<R: Read + Seek>(reader: R, opts: &ParseOptions) -> Result<Parsed<VulnRecord>> {
    let place = opts.place();
    let mut zip =
        zip::ZipArchive::new(reader).map_err(|e| Error::unreadable(opts, format!("zip: {e}")))?;
    let wanted = check_entries(&mut zip, opts)?;
    // Pass 2: decompress and parse (entries in order; see `parse_zip_bytes` for the parallel form).
    let total = AtomicU64::new(0);
    let outcomes: Vec<Outcome> = wanted
        .iter()
        .map(|(i, name)| read_entry(&mut zip, *i, name, &place, opts, &total))
        .collect();
    combine(outcomes, opts)
}

/// What reading one archive entry or file gave.
enum Outcome {
    Parsed(Parsed<VulnRecord>),
    Diag(Diagnostic),
    Fatal(Error),
}

fn read_entry<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    i: usize,
    name: &str,
    place: &str,
    opts: &ParseOptions,
    total: &AtomicU64,
) -> Outcome {
    let lim = opts.limits;
    let entry_place = format!("{place}!/{name}");
    let e = match zip.by_index(i) {
        Ok(e) => e,
        Err(err) => {
            return Outcome::Fatal(Error::unreadable(
                opts,
                format!("zip entry {name:?}: {err}"),
            ))
        }
    };
    let mut buf = Vec::with_capacity(e.size().min(lim.max_entry_uncompressed) as usize);
    if let Err(err) = e.take(lim.max_entry_uncompressed + 1).read_to_end(&mut buf) {
        return Outcome::Diag(file_diag(&entry_place, format!("cannot decompress: {err}")));
    }
    if buf.len() as u64 > lim.max_entry_uncompressed {
        return Outcome::Fatal(Error::ArchiveRefused {
            place: place.to_string(),
            message: format!("entry {name:?} expands beyond the per-entry limit"),
        });
    }
    let so_far = total.fetch_add(buf.len() as u64, Ordering::Relaxed) + buf.len() as u64;
    if so_far > lim.max_total_uncompressed {
        return Outcome::Fatal(Error::ArchiveRefused {
            place: place.to_string(),
            message: "uncompressed size exceeds the total limit".to_string(),
        });
    }
    parse_outcome(&buf, &entry_place, opts)
}

fn parse_outcome(bytes: &[u8], name: &str, opts: &ParseOptions) -> Outcome {
    match parse(bytes, &opts.child(name.to_string())) {
        Ok(p) => Outcome::Parsed(p),
        Err(e @ Error::Strict(_)) => Outcome::Fatal(e),
        Err(err) => Outcome::Diag(file_diag(name, err.to_string())),
    }
}

/// Fold per-entry outcomes, in order, into one result (strict fails on the first diagnostic).
fn combine(outcomes: Vec<Outcome>, opts: &ParseOptions) -> Result<Parsed<VulnRecord>> {
    let mut diags = Diags::new(opts);
    let mut out = Parsed::default();
    for o in outcomes {
        match o {
            Outcome::Parsed(p) => {
                out.records.extend(p.records);
                diags.extend(p.diagnostics)?;
            }
            Outcome::Diag(d) => diags.extend(vec![d])?,
            Outcome::Fatal(e) => return Err(e),
        }
    }
    out.diagnostics = diags.list;
    Ok(out)
}

/// Pass 1: names and declared sizes of every entry, nothing decompressed. Returns the OSV entries.
fn check_entries<R: Read + Seek>(
    zip: &mut zip::ZipArchive<R>,
    opts: &ParseOptions,
) -> Result<Vec<(usize, String)>> {
    let place = opts.place();
    let lim = opts.limits;
    if zip.len() > lim.max_entries {
        return Err(Error::ArchiveRefused {
            place,
            message: format!(
                "{} entries exceed the limit of {}",
                zip.len(),
                lim.max_entries
            ),
        });
    }
    // Pass 1: names and declared sizes, nothing decompressed.
    let mut declared_total: u64 = 0;
    let mut wanted = Vec::new();
    for i in 0..zip.len() {
        let e = zip
            .by_index_raw(i)
            .map_err(|e| Error::unreadable(opts, format!("zip entry {i}: {e}")))?;
        let raw_name = match e.name() {
            Ok(n) => n.into_owned(),
            Err(_) => String::from_utf8_lossy(e.name_raw()).into_owned(),
        };
        if e.enclosed_name().is_none() || unsafe_entry_name(&raw_name) {
            return Err(Error::ArchiveRefused {
                place,
                message: format!("entry {raw_name:?} escapes the archive (path traversal)"),
            });
        }
        if e.is_dir() {
            continue;
        }
        if e.size() > lim.max_entry_uncompressed {
            return Err(Error::ArchiveRefused {
                place,
                message: format!(
                    "entry {raw_name:?} declares {} bytes, over the per-entry limit of {}",
                    e.size(),
                    lim.max_entry_uncompressed
                ),
            });
        }
        declared_total = declared_total.saturating_add(e.size());
        if declared_total > lim.max_total_uncompressed {
            return Err(Error::ArchiveRefused {
                place,
                message: format!(
                    "declared uncompressed size exceeds the limit of {} bytes",
                    lim.max_total_uncompressed
                ),
            });
        }
        if is_osv_file(&raw_name) {
            wanted.push((i, raw_name));
        }
    }
    Ok(wanted)
}

/// Absolute paths, drive letters, `..` components or NUL in an archive entry name.
fn unsafe_entry_name(name: &str) -> bool {
    let b = name.as_bytes();
    name.starts_with('/')
        || name.starts_with('\\')
        || (b.len() >= 2 && b[1] == b':' && b[0].is_ascii_alphabetic())
        || name.contains('\0')
        || name.split(['/', '\\']).any(|c| c == "..")
}

/// [`parse_zip`] over bytes in memory; entries are decompressed and parsed on all cores,
/// results kept in archive order.
pub fn parse_zip_bytes(bytes: &[u8], opts: &ParseOptions) -> Result<Parsed<VulnRecord>> {
    let place = opts.place();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| Error::unreadable(opts, format!("zip: {e}")))?;
    let wanted = check_entries(&mut zip, opts)?;
    let total = AtomicU64::new(0);
    let outcomes = util::par_chunks(&wanted, |chunk| {
        let mut z = zip.clone();
        chunk
            .iter()
            .map(|(i, name)| read_entry(&mut z, *i, name, &place, opts, &total))
            .collect()
    });
    combine(outcomes, opts)
}

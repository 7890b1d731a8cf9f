//! DESIGN.md B1: a 5,000-component SBOM against 300,000 affected-package records, timed after the
//! index is built. Run: `cargo run --release -p postmarket-matcher --example bench`.
//!
//! The corpus is generated from real record shapes in `shared/data`: every OSV `affected[]` entry
//! of the RustSec, PySec and Maven GHSA samples is a template (ecosystem, ranges, event count,
//! explicit version lists — up to 300 versions — kept as published); copies get a numbered
//! package name until there are 300,000 package records. The real NVD 1.1 feeds and ICSMA subset
//! (≈42,000 CPE configurations) are indexed too. The SBOM mixes components that hit (a version a
//! template names), components of indexed packages outside every range, packages the index does
//! not know, and the real medical-device components (CPE and generic purls).

use postmarket_advisories::{nvd, osv, Affected, ParseOptions, RangeEvent, VulnRecord};
use postmarket_matcher::Index;
use postmarket_sbom::{Component, Format, Sbom};
use std::time::Instant;

const RECORDS: usize = 300_000;
const COMPONENTS: usize = 5_000;

/// Deterministic xorshift, so runs are comparable.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn purl_type(eco: &str) -> &'static str {
    match eco {
        "crates.io" => "cargo",
        "PyPI" => "pypi",
        _ => "maven",
    }
}

fn purl(eco: &str, name: &str, version: &str) -> String {
    let ty = purl_type(eco);
    if ty == "maven" {
        let (g, a) = name.split_once(':').unwrap_or(("g", name));
        format!("pkg:maven/{g}/{a}@{version}")
    } else {
        format!("pkg:{ty}/{name}@{version}")
    }
}

fn main() {
    let Some(data) = postmarket_testing::corpus("bench") else {
        return;
    };
    let opts = ParseOptions::default();
    let mut templates: Vec<VulnRecord> = Vec::new();
    for d in ["crates.io-rustsec", "pypi-pysec", "maven-ghsa"] {
        let recs = osv::parse_dir(&data.join("04-osv").join(d), &opts)
            .unwrap()
            .records;
        templates.extend(
            recs.into_iter()
                .filter(|r| !r.withdrawn && !r.affected.is_empty()),
        );
    }
    let mut nvd_records = Vec::new();
    let feeds = data.join("03-nvd-cve/nvd-1.1-feeds");
    let mut files: Vec<_> = std::fs::read_dir(&feeds)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".json.gz"))
        .collect();
    files.push(data.join("03-nvd-cve/nvd-1.1-icsma-subset.json"));
    for f in &files {
        nvd_records.extend(
            nvd::parse_feed11(&std::fs::read(f).unwrap(), &opts)
                .unwrap()
                .records,
        );
    }

    // 300,000 package records from the templates' shapes.
    let mut records: Vec<VulnRecord> = Vec::with_capacity(RECORDS + nvd_records.len());
    let mut hits: Vec<(String, String, String)> = Vec::new(); // (ecosystem, name, version)
    let mut i = 0usize;
    let mut packages = 0usize;
    while packages < RECORDS {
        let t = &templates[i % templates.len()];
        let copy = i / templates.len();
        let mut r = t.clone();
        r.id = format!("{}-{copy}", t.id);
        r.aliases = t.aliases.iter().map(|a| format!("{a}-{copy}")).collect();
        for a in &mut r.affected {
            if let Affected::Package(p) = a {
                let name = p.name.clone().unwrap_or_default();
                let new = if copy == 0 {
                    name
                } else {
                    format!("{name}-x{copy}")
                };
                p.purl = None;
                p.name = Some(new.clone());
                packages += 1;
                if hits.len() < 200_000 {
                    let eco = p.ecosystem.clone().unwrap_or_default();
                    let v = p.versions.first().cloned().or_else(|| {
                        p.ranges
                            .iter()
                            .flat_map(|rg| rg.events.iter())
                            .find_map(|e| match e {
                                RangeEvent::Introduced(v) if v != "0" => Some(v.clone()),
                                _ => None,
                            })
                    });
                    if let Some(v) = v {
                        hits.push((eco, new, v));
                    }
                }
            }
        }
        records.push(r);
        i += 1;
    }
    records.extend(nvd_records);

    let t0 = Instant::now();
    let idx = Index::build(&records);
    let build = t0.elapsed();
    eprintln!("index: {:?}", idx.stats());

    // The SBOM.
    let device = postmarket_sbom::parse(
        &std::fs::read(data.join("05-sboms/medical-device-sbom-completeness/extended.sbom.json"))
            .unwrap(),
        &Default::default(),
    )
    .unwrap()
    .sbom;
    let mut rng = Rng(0x9e3779b97f4a7c15);
    let hit_percent: usize = std::env::var("HIT_PERCENT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    let mut components = Vec::with_capacity(COMPONENTS);
    for c in device.components.iter() {
        components.push(c.clone());
    }
    while components.len() < COMPONENTS {
        let n = components.len();
        let (eco, name, v) = &hits[rng.below(hits.len())];
        // HIT_PERCENT (default 10) of the generated components sit at a version a record names
        // as affected; the rest are split between known packages above every range and unknown ones.
        let roll = rng.below(100);
        let (name, version) = if roll < hit_percent {
            (name.clone(), v.clone())
        } else if roll % 2 == 0 {
            (name.clone(), "99999.0.0".to_string())
        } else {
            (format!("{name}-unknown{n}"), v.clone())
        };
        let p = purl(eco, &name, &version);
        let Ok(pu) = postmarket_ident::PackageUrl::parse(&p) else {
            continue;
        };
        components.push(Component {
            bom_ref: format!("c{n}"),
            name,
            version: Some(version),
            purl: Some(pu.to_string()),
            ..Default::default()
        });
    }
    let sbom = Sbom {
        format: Format::CycloneDxJson,
        metadata: Default::default(),
        components,
        dependencies: Vec::new(),
    };

    let mut times = Vec::new();
    let mut rep = None;
    for _ in 0..7 {
        let t = Instant::now();
        let r = idx.match_sbom(&sbom);
        times.push(t.elapsed());
        rep = Some(r);
    }
    times.sort();
    let rep = rep.unwrap();
    let kinds = |k| rep.findings.iter().filter(|f| f.kind == k).count();
    println!(
        "B1: {} package records + {} NVD records ({} CPE configurations) indexed in {:?}",
        RECORDS,
        records.len() - i,
        idx.stats().cpe_configurations,
        build
    );
    println!(
        "B1: match_sbom of {} components ({hit_percent}% generated hits): median {:?}, min {:?}, max {:?} (budget 50 ms) — {} findings (purl {}, cpe {}, heuristic {}), {} possible",
        sbom.components.len(),
        times[times.len() / 2],
        times[0],
        times[times.len() - 1],
        rep.findings.len(),
        kinds(postmarket_matcher::MatchKind::Purl),
        kinds(postmarket_matcher::MatchKind::Cpe),
        kinds(postmarket_matcher::MatchKind::Heuristic),
        rep.possible_matches.len()
    );
}

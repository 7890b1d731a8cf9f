//! The matcher against real feeds and real SBOMs (`shared/data`, skipped when missing).

use postmarket_advisories::{nvd, osv, Affected, ParseOptions, RangeEvent, VulnRecord};
use postmarket_matcher::{Finding, Index, MatchKind};
use postmarket_sbom::{Component, Sbom};
use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

fn sbom(path: &Path) -> Sbom {
    let bytes = std::fs::read(path).unwrap();
    postmarket_sbom::parse(&bytes, &Default::default())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .sbom
}

fn osv_dir(dir: &Path) -> Vec<VulnRecord> {
    osv::parse_dir(dir, &ParseOptions::default())
        .unwrap()
        .records
}

fn feeds11(data: &Path) -> Vec<VulnRecord> {
    let mut v = Vec::new();
    let dir = data.join("03-nvd-cve/nvd-1.1-feeds");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(".json.gz"))
        .collect();
    files.sort();
    files.push(data.join("03-nvd-cve/nvd-1.1-icsma-subset.json"));
    for f in files {
        let feed =
            nvd::parse_feed11(&std::fs::read(&f).unwrap(), &ParseOptions::default()).unwrap();
        v.extend(feed.records);
    }
    v
}

/// Every finding explains itself: an affected verdict, the comparison in words, the range text.
fn assert_explained(f: &Finding) {
    assert!(f.explanation.is_affected(), "{f:?}");
    assert!(!f.explanation.text.is_empty(), "{f:?}");
    assert!(!f.affected.is_empty(), "{f:?}");
    assert!(!f.reason.is_empty(), "{f:?}");
    assert!((0.0..=1.0).contains(&f.confidence));
}

/// The peer (cve-bin-tool) fixture in `shared/tools/oracles/fixtures`: a CycloneDX SBOM, two OSV
/// records and an NVD 2.0 page. Expected answers, derived from the records themselves:
/// * RUSTSEC-2021-0003 (= CVE-2021-25900): smallvec `[0.6.3, 0.6.14) ∪ [1.0.0, 1.6.1)` → 1.6.0
///   and 0.6.13 affected, 1.6.1 not;
/// * PYSEC-2019-217 (= CVE-2019-10906): jinja2 `< 2.10.1` → 2.10 affected, 2.10.1 not;
/// * CVE-2022-3602: openssl `[3.0.0, 3.0.7)` → `pkg:generic/openssl@3.0.6` (heuristic: the product
///   is its own vendor, confidence 0.8 ≥ 0.7);
/// * CVE-2018-25032: zlib `< 1.2.12` → 1.2.11 affected, 1.2.12 not.
#[test]
fn cve_bin_tool_fixture_known_answers() {
    let Some(shared) = postmarket_testing::shared("cve_bin_tool_fixture_known_answers") else {
        return;
    };
    let fx = shared.join("tools/oracles/fixtures");
    if !fx.is_dir() {
        eprintln!("skipped: {} missing", fx.display());
        return;
    }
    let mut records = osv_dir(&fx.join("osv"));
    let page = nvd::parse_api2(
        &std::fs::read(fx.join("nvd/nvdcve-2.0-sample.json")).unwrap(),
        &ParseOptions::default(),
    )
    .unwrap();
    records.extend(page.records);
    let idx = Index::build(&records);
    let rep = idx.match_sbom(&sbom(&fx.join("sbom-osv-nvd.cdx.json")));
    let got: BTreeSet<(String, String, String, MatchKind)> = rep
        .findings
        .iter()
        .map(|f| {
            assert_explained(f);
            (
                f.component.name.clone(),
                f.component.version.clone().unwrap(),
                f.vulnerability.clone(),
                f.kind,
            )
        })
        .collect();
    let want: BTreeSet<(String, String, String, MatchKind)> = [
        ("smallvec", "1.6.0", "CVE-2021-25900", MatchKind::Purl),
        ("smallvec", "0.6.13", "CVE-2021-25900", MatchKind::Purl),
        ("jinja2", "2.10", "CVE-2019-10906", MatchKind::Purl),
        ("openssl", "3.0.6", "CVE-2022-3602", MatchKind::Heuristic),
        ("zlib", "1.2.11", "CVE-2018-25032", MatchKind::Heuristic),
    ]
    .into_iter()
    .map(|(a, b, c, k)| (a.into(), b.into(), c.into(), k))
    .collect();
    assert_eq!(got, want);
    assert!(
        rep.possible_matches.is_empty(),
        "{:?}",
        rep.possible_matches
    );
    let sv = rep
        .findings
        .iter()
        .find(|f| f.component.version.as_deref() == Some("1.6.0"))
        .unwrap();
    assert_eq!(sv.record, "RUSTSEC-2021-0003");
    assert_eq!(sv.fixed.as_deref(), Some("1.6.1"));
    assert!(sv.aliases.contains(&"GHSA-43w2-9j62-hq99".to_string()));
}

fn component(purl: &str, version: &str) -> Component {
    Component {
        bom_ref: format!("{purl}@{version}"),
        name: purl.rsplit('/').next().unwrap().to_string(),
        version: Some(version.to_string()),
        purl: Some(format!("{purl}@{version}")),
        ..Default::default()
    }
}

/// For every real RustSec and PySec record: a component at a version the record names as
/// affected (an `introduced` event other than `0`, or an explicit `versions` entry) is matched to
/// that record's alias group, with an explanation. Exercises the ecosystem → purl key mapping and
/// the alias grouping on the whole directories.
#[test]
fn osv_records_find_their_own_versions() {
    let Some(data) = postmarket_testing::corpus("osv_records_find_their_own_versions") else {
        return;
    };
    for (dir, ty) in [
        ("04-osv/crates.io-rustsec", "cargo"),
        ("04-osv/pypi-pysec", "pypi"),
    ] {
        let records = osv_dir(&data.join(dir));
        let idx = Index::build(&records);
        let (mut checked, mut skipped) = (0, 0);
        for r in records.iter().filter(|r| !r.withdrawn) {
            for a in &r.affected {
                let Affected::Package(p) = a else { continue };
                let Some(name) = &p.name else { continue };
                // the first and last three listed versions (all 142k take minutes in a debug build)
                let n = p.versions.len();
                let mut versions: Vec<&str> = p
                    .versions
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i < 3 || *i + 3 >= n)
                    .map(|(_, v)| v.as_str())
                    .collect();
                for rg in &p.ranges {
                    for e in &rg.events {
                        if let RangeEvent::Introduced(v) = e {
                            // `introduced X, fixed X` is an empty range (RUSTSEC-2022-0012 has one)
                            let empty = rg
                                .events
                                .iter()
                                .any(|x| matches!(x, RangeEvent::Fixed(f) if f == v));
                            if v != "0"
                                && !empty
                                && rg.kind != postmarket_advisories::RangeKind::Git
                            {
                                versions.push(v);
                            }
                        }
                    }
                }
                // the purl type's own normalisation (PyPI folds `_`, crates.io keeps it)
                let Ok(pu) =
                    postmarket_ident::PackageUrl::new(ty, None, name, None, Vec::new(), None)
                else {
                    skipped += 1;
                    continue;
                };
                let purl = pu.to_string();
                let scheme = postmarket_version::Scheme::from_purl_type(ty).unwrap();
                for v in versions {
                    // PYSEC-2020-341 lists `<class 'jw.util.version.Version'>` as a version
                    if postmarket_version::Version::parse(scheme, v).is_err() {
                        skipped += 1;
                        continue;
                    }
                    let c = component(&purl, v);
                    if postmarket_ident::PackageUrl::parse(c.purl.as_deref().unwrap()).is_err() {
                        skipped += 1;
                        continue;
                    }
                    let f = idx.match_component(&c);
                    let mine = f
                        .iter()
                        .find(|f| f.vulnerability == r.id || f.aliases.contains(&r.id));
                    let mine = mine.unwrap_or_else(|| {
                        panic!("{}: {purl}@{v} did not match; got {:?}", r.id, f)
                    });
                    assert_explained(mine);
                    assert_eq!(mine.kind, MatchKind::Purl);
                    checked += 1;
                }
            }
        }
        eprintln!("{dir}: {} records, {checked} affected versions matched ({skipped} invalid names/versions skipped); {:?}", records.len(), idx.stats());
        assert!(checked > 100, "{dir}: only {checked}");
    }
}

/// The real medical-device SBOMs (generic/github/nuget components with CPEs) against the NVD 1.1
/// feeds and the ICSMA subset: every finding explains itself, nothing comes from a rejected record,
/// and a sample of ids is pinned.
#[test]
fn medical_device_sboms_against_nvd() {
    let Some(data) = postmarket_testing::corpus("medical_device_sboms_against_nvd") else {
        return;
    };
    let records = feeds11(&data);
    let rejected: HashSet<&str> = records
        .iter()
        .filter(|r| r.withdrawn)
        .map(|r| r.id.as_str())
        .collect();
    let idx = Index::build(&records);
    eprintln!(
        "NVD 1.1: {} records, {} rejected; {:?}",
        records.len(),
        rejected.len(),
        idx.stats()
    );
    let dir = data.join("05-sboms/medical-device-sbom-completeness");
    let mut all = Vec::new();
    for name in ["extended.sbom.json", "narrow.sbom.json"] {
        let s = sbom(&dir.join(name));
        let t = std::time::Instant::now();
        let rep = idx.match_sbom(&s);
        eprintln!(
            "{name}: {} components, {} findings, {} possible, {:?}",
            rep.components,
            rep.findings.len(),
            rep.possible_matches.len(),
            t.elapsed()
        );
        for f in &rep.findings {
            assert_explained(f);
            assert!(!rejected.contains(f.record.as_str()));
            assert!(f
                .also_matched
                .iter()
                .all(|r| !rejected.contains(r.as_str())));
            eprintln!(
                "  {} {:?} {} {:?} {} [{}] {}",
                f.component.name,
                f.component.version,
                f.vulnerability,
                f.kind,
                f.confidence,
                f.affected,
                f.explanation
            );
        }
        for p in &rep.possible_matches {
            assert!(!rejected.contains(p.record.as_str()));
        }
        all.extend(rep.findings);
    }
    // Pinned: FreeRTOS 10.0.1 (CPE `amazon:freertos`, NVD `versionEndIncluding 10.0.1`) has the
    // eleven 2018 FreeRTOS TCP/IP CVEs; wolfSSL 4.8.1 is below CVE-2023-6937's fix 5.6.6. No
    // heuristic findings: every component of these SBOMs carries a CPE.
    let got: BTreeSet<(&str, &str)> = all
        .iter()
        .map(|f| (f.component.name.as_str(), f.vulnerability.as_str()))
        .collect();
    let mut want: BTreeSet<(&str, &str)> = [
        "CVE-2018-16523",
        "CVE-2018-16524",
        "CVE-2018-16525",
        "CVE-2018-16526",
        "CVE-2018-16527",
        "CVE-2018-16598",
        "CVE-2018-16599",
        "CVE-2018-16600",
        "CVE-2018-16601",
        "CVE-2018-16602",
        "CVE-2018-16603",
    ]
    .into_iter()
    .map(|c| ("FreeRTOS", c))
    .collect();
    want.insert(("WolfSSL", "CVE-2023-6937"));
    assert_eq!(got, want);
    assert!(all.iter().all(|f| f.kind == MatchKind::Cpe));
}

/// CycloneDX example SBOMs with Maven/npm purls against the real GHSA/OSV samples.
#[test]
fn cyclonedx_examples_against_osv() {
    let Some(data) = postmarket_testing::corpus("cyclonedx_examples_against_osv") else {
        return;
    };
    let mut records = osv_dir(&data.join("04-osv/maven-ghsa"));
    records.extend(osv_dir(&data.join("04-osv/mixed-osv-scanner-offline-db")));
    let withdrawn: HashSet<&str> = records
        .iter()
        .filter(|r| r.withdrawn)
        .map(|r| r.id.as_str())
        .collect();
    let idx = Index::build(&records);
    let ex = data.join("05-sboms/cyclonedx-bom-examples/SBOM");
    for p in [
        "keycloak-10.0.2/bom.json",
        "dropwizard-1.3.15/bom.json",
        "juice-shop/v11.1.2/bom.json",
        "laravel-7.12.0/bom.1.4.json",
    ] {
        let s = sbom(&ex.join(p));
        let rep = idx.match_sbom(&s);
        eprintln!(
            "{p}: {} components, {} findings",
            rep.components,
            rep.findings.len()
        );
        for f in &rep.findings {
            assert_explained(f);
            assert!(!withdrawn.contains(f.record.as_str()));
            eprintln!(
                "  {} {:?} {} via {} [{}]",
                f.component.name, f.component.version, f.vulnerability, f.record, f.affected
            );
        }
    }
}

//! Every real file in the corpus parses; counts are printed per folder and compared with
//! independent counts (declared counts in the files, line counts, file counts).

mod common;

use postmarket_advisories::{
    csaf, discovery, epss, kev, nvd, osv, parse_any, Kind, Output, ParseOptions,
};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn opts(p: &Path) -> ParseOptions {
    ParseOptions::named(p.display().to_string())
}

#[derive(Default, Debug)]
struct Tally {
    files: usize,
    skipped: usize,
    records: usize,
    diagnostics: usize,
    kinds: BTreeMap<&'static str, usize>,
}

impl Tally {
    fn print(&self, folder: &str) {
        eprintln!(
            "{folder:<48} files {:>5}  skipped {:>3}  records {:>7}  diagnostics {:>4}  kinds {:?}",
            self.files, self.skipped, self.records, self.diagnostics, self.kinds
        );
    }
}

/// Detect and parse every file in `dir`; files that are not data (README, LICENSE, schemas,
/// derived oracles, `.meta`, `.xlsx`, `.txt` vectors) are skipped and counted. Every other file
/// must parse without error and be detected as one of `expect`.
fn scan(
    dir: &Path,
    expect: &[Kind],
    skip_ext: &[&str],
) -> (Tally, Vec<(std::path::PathBuf, Kind, Output)>) {
    let mut t = Tally::default();
    let mut out = Vec::new();
    for f in common::files(dir) {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let ext = name.rsplit('.').next().unwrap_or("").to_string();
        if skip_ext.contains(&ext.as_str())
            || name == "LICENSE"
            || name.ends_with(".md")
            || name.contains("schema")
        {
            t.skipped += 1;
            continue;
        }
        t.files += 1;
        let bytes = std::fs::read(&f).unwrap();
        let kind = postmarket_advisories::detect(&bytes);
        assert!(
            expect.contains(&kind),
            "{}: detected {kind}, expected one of {expect:?}",
            f.display()
        );
        let (k, o) = parse_any(&bytes, Some(kind), &opts(&f))
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        t.records += o.len();
        t.diagnostics += o.diagnostics().len();
        *t.kinds.entry(k.as_str()).or_default() += 1;
        out.push((f, k, o));
    }
    (t, out)
}

fn line_count(p: &Path) -> usize {
    std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count()
}

#[test]
fn csaf_folder() {
    let Some(root) = common::corpus() else { return };
    let base = root.join("01-cisa-csaf");
    let mut icsma_cves = BTreeSet::new();
    let mut v3_scores = 0usize;
    for sub in ["icsma", "icsa", "it"] {
        let (t, outs) = scan(&base.join(sub), &[Kind::Csaf], &[]);
        t.print(&format!("01-cisa-csaf/{sub}"));
        assert!(t.files > 0);
        assert_eq!(t.diagnostics, 0, "CISA advisories should be clean");
        for (_, _, o) in &outs {
            let Output::Csaf(d) = o else {
                panic!("not csaf")
            };
            assert!(!d.tracking.id.is_empty());
            assert!(
                !d.products.is_empty(),
                "{}: product tree resolved",
                d.tracking.id
            );
            for v in &d.vulnerabilities {
                v3_scores += v.scores.iter().filter(|s| s.version.is_v3()).count();
                if sub == "icsma" {
                    if let Some(c) = &v.cve {
                        icsma_cves.insert(c.clone());
                    }
                }
            }
        }
        if sub == "icsma" {
            assert_eq!(t.files, 144);
        }
    }
    // Independent: the crossref CSV has one row per distinct ICSMA CVE.
    let cov = root.join("00-crossref/icsma-cve-coverage.csv");
    let expected = line_count(&cov) - 1;
    eprintln!(
        "ICSMA distinct CVEs: {} (crossref CSV rows: {expected})",
        icsma_cves.len()
    );
    assert_eq!(icsma_cves.len(), expected);
    // Independent: cvss v3 pairs in the derived CSV.
    let mut rdr = csv::Reader::from_path(base.join("cisa-csaf-cvss-pairs.csv")).unwrap();
    let pairs_v3 = rdr
        .records()
        .filter(|r| r.as_ref().unwrap()[2].eq("cvss_v3"))
        .count();
    eprintln!("CSAF cvss_v3 scores: {v3_scores} (pairs CSV: {pairs_v3})");
    assert_eq!(v3_scores, pairs_v3);

    // Feeds, changes, index.
    let (t, outs) = scan(
        &base.join("feeds"),
        &[Kind::RolieFeed, Kind::CsafChanges, Kind::CsafIndex],
        &[],
    );
    t.print("01-cisa-csaf/feeds");
    assert_eq!(t.diagnostics, 0);
    for (f, k, o) in &outs {
        match (k, o) {
            (Kind::RolieFeed, Output::RolieFeed(feed)) => {
                let v: serde_json::Value =
                    serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap();
                assert_eq!(
                    feed.entries.len(),
                    v["feed"]["entry"].as_array().unwrap().len()
                );
                assert!(feed.entries.iter().all(|e| e.document_url.is_some()
                    && e.signature_url.is_some()
                    && e.sha512_url().is_some()));
            }
            (Kind::CsafChanges, Output::Changes(c)) => assert_eq!(c.entries.len(), line_count(f)),
            (Kind::CsafIndex, Output::Index(i)) => assert_eq!(i.len(), line_count(f)),
            other => panic!("{}: unexpected {:?}", f.display(), other.0),
        }
    }

    // SHA-512 files verify against the documents; a modified document does not.
    let mut verified = 0;
    for f in common::files(&base.join("signatures")) {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let Some(doc_name) = name.strip_suffix(".sha512") else {
            continue;
        };
        let doc = std::fs::read(base.join("icsma").join(doc_name)).unwrap();
        let sha = std::fs::read(&f).unwrap();
        discovery::verify_sha512(&doc, &sha, Some(doc_name), &opts(&f)).unwrap();
        let mut bad = doc.clone();
        bad[10] ^= 1;
        assert!(discovery::verify_sha512(&bad, &sha, Some(doc_name), &opts(&f)).is_err());
        verified += 1;
    }
    eprintln!("01-cisa-csaf/signatures: {verified} SHA-512 files verified");
    assert_eq!(verified, 5);

    // OASIS reference: examples and schemas-as-data. The validator test documents are invalid by
    // design: each must either parse (possibly with diagnostics) or be refused with an error,
    // never panic.
    let oasis = base.join("oasis-csaf-2.0-reference");
    let (t, _) = scan(&oasis.join("examples/csaf"), &[Kind::Csaf], &[]);
    t.print("oasis examples/csaf (+csaf_vex)");
    let n_json = common::files(&oasis.join("examples/csaf"))
        .iter()
        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("json"))
        .count();
    assert_eq!(t.files, n_json);
    let pm = discovery::parse_provider_metadata(
        &std::fs::read(oasis.join("examples/provider-metadata/example-01-provider-metadata.json"))
            .unwrap(),
        &ParseOptions::default(),
    )
    .unwrap();
    assert_eq!(pm.feed_urls().len(), 1);
    assert_eq!(pm.public_openpgp_keys.len(), 1);
    let rolie = discovery::parse_rolie_feed(
        &std::fs::read(oasis.join("examples/ROLIE/example-01-feed-tlp-white.json")).unwrap(),
        &ParseOptions::default(),
    )
    .unwrap();
    assert!(!rolie.entries.is_empty());
    let (mut ok, mut diag_docs, mut refused) = (0, 0, 0);
    for f in common::files(&oasis.join("test")) {
        if f.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        match csaf::parse(&std::fs::read(&f).unwrap(), &opts(&f)) {
            Ok(d) if d.diagnostics.is_empty() => ok += 1,
            Ok(_) => diag_docs += 1,
            Err(_) => refused += 1,
        }
    }
    eprintln!("oasis test documents: {ok} clean, {diag_docs} with diagnostics, {refused} refused");
    assert!(ok + diag_docs > 200);
}

#[test]
fn kev_folder() {
    let Some(root) = common::corpus() else { return };
    let base = root.join("02-cisa-kev");
    let (t, outs) = scan(&base, &[Kind::Kev, Kind::KevCsv], &[]);
    t.print("02-cisa-kev");
    assert_eq!(t.diagnostics, 0);
    let mut json_n = None;
    let mut csv_n = None;
    for (_, k, o) in outs {
        let Output::Kev(c) = o else { panic!() };
        match k {
            Kind::Kev => {
                assert_eq!(
                    Some(c.entries.len() as u64),
                    c.declared_count,
                    "KEV entries = `count`"
                );
                assert_eq!(c.catalog_version.as_deref(), Some("2025.08.25"));
                json_n = Some(c.entries.len());
            }
            Kind::KevCsv => csv_n = Some(c.entries.len()),
            _ => unreachable!(),
        }
    }
    eprintln!("KEV: JSON {json_n:?} entries, CSV {csv_n:?} entries");
    assert_eq!(json_n, csv_n);
    // JSON parser directly, and the catalog's ransomware flag is kept.
    let c = kev::parse_json(
        &std::fs::read(base.join("known_exploited_vulnerabilities.json")).unwrap(),
        &ParseOptions::default(),
    )
    .unwrap();
    assert!(c
        .entries
        .iter()
        .any(|e| e.known_ransomware_campaign_use.as_deref() == Some("Known")));
}

#[test]
fn nvd_cve_folder() {
    let Some(root) = common::corpus() else { return };
    let base = root.join("03-nvd-cve");

    // 1.1 feeds: item counts equal CVE_data_numberOfCVEs.
    let (t, outs) = scan(&base.join("nvd-1.1-feeds"), &[Kind::Nvd11], &["meta"]);
    t.print("03-nvd-cve/nvd-1.1-feeds");
    assert_eq!(t.files, 8);
    for (f, _, _) in &outs {
        let feed = nvd::parse_feed11(&std::fs::read(f).unwrap(), &opts(f)).unwrap();
        assert_eq!(
            Some(feed.records.len() as u64),
            feed.declared_count,
            "{}",
            f.display()
        );
    }
    for name in [
        "nvd-1.1-icsma-subset.json",
        "nvd-1.1-osv.dev-testdata/nvdcve-1.1-test-data.json",
    ] {
        let f = base.join(name);
        let bytes = std::fs::read(&f).unwrap();
        assert_eq!(postmarket_advisories::detect(&bytes), Kind::Nvd11);
        let feed = nvd::parse_feed11(&bytes, &opts(&f)).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
        let n = v["CVE_Items"].as_array().unwrap().len();
        eprintln!(
            "{name:<48} records {:>5} (CVE_Items {n}) diagnostics {}",
            feed.records.len(),
            feed.diagnostics.len()
        );
        assert_eq!(feed.records.len(), n);
        assert!(feed.diagnostics.is_empty());
    }

    // API 2.0 pages: record counts equal the `vulnerabilities` array lengths.
    let (t, outs) = scan(&base.join("nvd-api-2.0"), &[Kind::Nvd], &[]);
    t.print("03-nvd-cve/nvd-api-2.0");
    let mut v31 = 0;
    let mut v40 = 0;
    for (f, _, o) in &outs {
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(f).unwrap()).unwrap();
        assert_eq!(
            o.len(),
            v["vulnerabilities"].as_array().unwrap().len(),
            "{}",
            f.display()
        );
        for r in o.records() {
            if r.scores
                .iter()
                .any(|s| s.version == postmarket_advisories::CvssVersion::V3_1)
            {
                v31 += 1;
            }
            if r.scores
                .iter()
                .any(|s| s.version == postmarket_advisories::CvssVersion::V4_0)
            {
                v40 += 1;
            }
        }
    }
    eprintln!(
        "NVD API 2.0: {} records, {v31} with v3.1, {v40} with v4.0",
        t.records
    );
    assert_eq!(t.records, 75, "MANIFEST: 75 CVE records");
    assert_eq!(
        (v31, v40),
        (68, 1),
        "MANIFEST: 68 with cvssMetricV31, 1 with cvssMetricV40"
    );

    // CVE 5 records: one record per file.
    for sub in ["cve-json5-vulnrichment", "cve-json5-osv.dev-testdata"] {
        let (t, outs) = scan(&base.join(sub), &[Kind::Cve5], &[]);
        t.print(&format!("03-nvd-cve/{sub}"));
        assert_eq!(t.records, t.files);
        if sub == "cve-json5-vulnrichment" {
            assert_eq!(t.files, 2529);
            let adp = outs
                .iter()
                .flat_map(|(_, _, o)| o.records())
                .filter(|r| r.scores.iter().any(|s| s.source == "CISA-ADP"))
                .count();
            eprintln!("  records with a CISA-ADP score: {adp}");
            assert!(adp >= 600, "the adp/ sample alone has 600");
        }
    }
}

#[test]
fn osv_folder() {
    let Some(root) = common::corpus() else { return };
    let base = root.join("04-osv");
    for (sub, n_expected) in [
        ("crates.io-rustsec", Some(1206)),
        ("pypi-pysec", Some(2661)),
        ("maven-ghsa", Some(364)),
        ("mixed-osv-scanner-offline-db", Some(28)),
        ("mixed-dependency-track-fixtures", Some(2)),
        ("go-vulndb-sample", Some(108)),
    ] {
        let dir = base.join(sub);
        let (t, _) = scan(&dir, &[Kind::Osv], &["id-allocator", "txt"]);
        t.print(&format!("04-osv/{sub}"));
        // Independent count: the number of .json/.yaml files.
        let n_files = common::files(&dir)
            .iter()
            .filter(|p| {
                matches!(
                    p.extension().and_then(|e| e.to_str()),
                    Some("json" | "yaml")
                )
            })
            .count();
        assert_eq!(t.records, n_files);
        if let Some(n) = n_expected {
            assert_eq!(t.records, n);
        }
        // The directory walker agrees.
        let p = osv::parse_dir(&dir, &ParseOptions::default()).unwrap();
        assert_eq!(p.records.len(), n_files);
        assert_eq!(p.diagnostics.len(), t.diagnostics);
    }
    // Unknown-to-schema ecosystems are kept (GIT-only records, Debian:11 …) and can be listed.
    let mixed = osv::parse_dir(
        &base.join("mixed-osv-scanner-offline-db"),
        &ParseOptions::default(),
    )
    .unwrap();
    let ecos: BTreeSet<String> = mixed
        .records
        .iter()
        .flat_map(|r| r.affected.iter())
        .filter_map(|a| match a {
            postmarket_advisories::Affected::Package(p) => p.ecosystem.clone(),
            _ => None,
        })
        .collect();
    eprintln!("mixed ecosystems: {ecos:?}");
    assert!(ecos.len() >= 6);
}

#[test]
fn epss_folder() {
    let Some(root) = common::corpus() else { return };
    let base = root.join("07-epss");
    let (t, outs) = scan(&base, &[Kind::Epss], &["xlsx"]);
    t.print("07-epss");
    assert_eq!(t.diagnostics, 0);
    let mut emba_rows = 0;
    for (f, _, o) in &outs {
        let Output::Epss(s) = o else { panic!() };
        let lines = line_count(f);
        let header = usize::from(s.delimiter == ',');
        assert_eq!(s.rows.len() + header, lines, "{}", f.display());
        if f.to_string_lossy().contains("emba") {
            assert_eq!(s.delimiter, ';');
            emba_rows += s.rows.len();
        } else {
            assert!(s.rows.iter().all(|r| r.date.is_some()));
        }
    }
    eprintln!("EPSS emba snapshot rows: {emba_rows}");
    assert_eq!(emba_rows, 360_142);
    let _ = epss::parse;
}

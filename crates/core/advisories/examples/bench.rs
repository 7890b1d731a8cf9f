//! Throughput of the parsers on the real corpus. Run in release:
//!
//! ```text
//! CARGO_TARGET_DIR=… cargo run --release --example bench
//! ```
//!
//! Finds the corpus like the tests do (`POSTMARKET_CORPUS`, else `../shared/data` above the crate).

use postmarket_advisories::{epss, nvd, osv, ParseOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

fn corpus() -> PathBuf {
    if let Some(p) = std::env::var_os("POSTMARKET_CORPUS") {
        return PathBuf::from(p);
    }
    for a in Path::new(env!("CARGO_MANIFEST_DIR")).ancestors() {
        let c = a.join("..").join("shared").join("data");
        if c.is_dir() {
            return c;
        }
    }
    eprintln!("corpus not found (set POSTMARKET_CORPUS)");
    std::process::exit(2);
}

fn files(dir: &Path, exts: &[&str], out: &mut Vec<PathBuf>) {
    let mut es: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    es.sort();
    for p in es {
        if p.is_dir() {
            files(&p, exts, out);
        } else if p
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| exts.contains(&e))
        {
            out.push(p);
        }
    }
}

/// Best of `n` runs, in seconds.
fn best<T>(n: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::MAX;
    let mut last = None;
    for _ in 0..n {
        let t = Instant::now();
        let v = f();
        best = best.min(t.elapsed().as_secs_f64());
        last = Some(v);
    }
    (best, last.unwrap())
}

fn main() {
    let root = corpus();
    let opts = ParseOptions::default();

    // NVD 1.1 year feeds: parse MB/s on the uncompressed JSON, and end-to-end from gzip.
    let feeds = root.join("03-nvd-cve/nvd-1.1-feeds");
    let names = [
        "nvdcve-1.1-2016.json.gz",
        "nvdcve-1.1-2017.json.gz",
        "binmaker-2023-01-nvdcve-1.1-2018.json.gz",
    ];
    let gz: Vec<Vec<u8>> = names
        .iter()
        .map(|n| std::fs::read(feeds.join(n)).unwrap())
        .collect();
    let plain: Vec<Vec<u8>> = gz
        .iter()
        .map(|g| {
            let mut v = Vec::new();
            flate2::read::GzDecoder::new(&g[..])
                .read_to_end(&mut v)
                .unwrap();
            v
        })
        .collect();
    let mb: f64 = plain.iter().map(|p| p.len() as f64).sum::<f64>() / 1e6;
    let (t, n) = best(3, || {
        plain
            .iter()
            .map(|p| nvd::parse_feed11(p, &opts).unwrap().records.len())
            .sum::<usize>()
    });
    println!("NVD 1.1 (3 year feeds): {n} records, {mb:.1} MB JSON in {t:.3}s = {:.0} MB/s, {:.0} records/s", mb / t, n as f64 / t);
    let (t, _) = best(3, || {
        gz.iter()
            .map(|p| nvd::parse_feed11(p, &opts).unwrap().records.len())
            .sum::<usize>()
    });
    println!("NVD 1.1 incl. gunzip: {t:.3}s = {:.0} MB/s of JSON", mb / t);

    // NVD API 2.0: the real full page repeated into one large page.
    let page = std::fs::read(root.join("03-nvd-cve/nvd-api-2.0/vunnel/full-page.json")).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&page).unwrap();
    let items = v["vulnerabilities"].as_array().unwrap();
    let mut big = serde_json::json!({"resultsPerPage": 2000, "startIndex": 0, "totalResults": 2000, "format": "NVD_CVE", "version": "2.0"});
    big["vulnerabilities"] =
        serde_json::Value::Array((0..2000).map(|i| items[i % items.len()].clone()).collect());
    let big = serde_json::to_vec(&big).unwrap();
    let (t, n) = best(3, || nvd::parse_api2(&big, &opts).unwrap().records.len());
    println!(
        "NVD API 2.0 page: {n} records, {:.1} MB in {t:.3}s = {:.0} MB/s",
        big.len() as f64 / 1e6,
        big.len() as f64 / 1e6 / t
    );

    // OSV JSON (RustSec + Maven GHSA + Go), from memory; OSV YAML (PyPA); OSV all.zip.
    let mut jf = Vec::new();
    for d in ["crates.io-rustsec", "maven-ghsa", "go-vulndb-sample"] {
        files(&root.join("04-osv").join(d), &["json"], &mut jf);
    }
    let jb: Vec<Vec<u8>> = jf.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let jmb = jb.iter().map(|b| b.len()).sum::<usize>() as f64 / 1e6;
    let (t, n) = best(3, || {
        jb.iter()
            .map(|b| osv::parse_json(b, &opts).unwrap().records.len())
            .sum::<usize>()
    });
    println!(
        "OSV JSON: {n} records ({jmb:.1} MB) in {t:.3}s = {:.0} records/s",
        n as f64 / t
    );
    let mut yf = Vec::new();
    files(&root.join("04-osv/pypi-pysec"), &["yaml"], &mut yf);
    let yb: Vec<Vec<u8>> = yf.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let (t, n) = best(2, || {
        yb.iter()
            .map(|b| osv::parse_yaml(b, &opts).unwrap().records.len())
            .sum::<usize>()
    });
    println!(
        "OSV YAML: {n} records in {t:.3}s = {:.0} records/s",
        n as f64 / t
    );
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let zo = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (p, b) in jf.iter().zip(&jb) {
        w.start_file(p.file_name().unwrap().to_string_lossy(), zo)
            .unwrap();
        w.write_all(b).unwrap();
    }
    let z = w.finish().unwrap().into_inner();
    let (t, n) = best(3, || osv::parse_zip_bytes(&z, &opts).unwrap().records.len());
    println!(
        "OSV all.zip ({:.1} MB zip): {n} records in {t:.3}s = {:.0} records/s",
        z.len() as f64 / 1e6,
        n as f64 / t
    );

    // EPSS: the full 360k-row snapshot, as semicolon files and re-laid as the official gzip.
    let mut ef = Vec::new();
    files(
        &root.join("07-epss/emba-epss-data-2026-08-16"),
        &["csv"],
        &mut ef,
    );
    let eb: Vec<Vec<u8>> = ef.iter().map(|p| std::fs::read(p).unwrap()).collect();
    let (t, n) = best(3, || {
        eb.iter()
            .map(|b| epss::parse(b, &opts).unwrap().rows.len())
            .sum::<usize>()
    });
    println!(
        "EPSS semicolon files: {n} rows in {t:.3}s = {:.0} rows/s",
        n as f64 / t
    );
    let mut official = String::from(
        "#model_version:v2025.03.14,score_date:2026-08-16T00:00:00+0000\ncve,epss,percentile\n",
    );
    for b in &eb {
        official.push_str(&String::from_utf8_lossy(b).replace(';', ","));
    }
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(official.as_bytes()).unwrap();
    let ogz = enc.finish().unwrap();
    let (t, s) = best(3, || epss::parse(&ogz, &opts).unwrap());
    println!(
        "EPSS official gzip ({:.1} MB gz): {} rows incl. gunzip in {t:.3}s = {:.0} rows/s (model {:?})",
        ogz.len() as f64 / 1e6,
        s.rows.len(),
        s.rows.len() as f64 / t,
        s.model_version
    );
}

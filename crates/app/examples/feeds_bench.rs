//! DESIGN.md B2, feed import throughput, parsed **and stored** through `App::import_feeds` into a
//! fresh SQLite database (or `--db URL`):
//!
//! ```text
//! CARGO_TARGET_DIR=… cargo run --release -p postmarket-app --example feeds_bench [-- --db URL]
//! ```
//!
//! * NVD: the three NVD 1.1 year feeds (2016, 2017, 2018), MB/s of uncompressed JSON;
//! * OSV: the RustSec, PyPI, Maven and Go samples, records/s;
//! * EPSS: the full 360k-row snapshot, seconds.
//!
//! Finds the corpus like the tests (`POSTMARKET_CORPUS`, else `../shared/data`).

use std::io::Read;
use std::path::PathBuf;
use std::time::Instant;

use postmarket_app::{App, ImportOptions, NoProgress};
use postmarket_model::Actor;

fn uncompressed_len(p: &PathBuf) -> u64 {
    let bytes = std::fs::read(p).unwrap();
    let mut d = flate2::read::MultiGzDecoder::new(&bytes[..]);
    let mut sink = Vec::new();
    d.read_to_end(&mut sink).unwrap();
    sink.len() as u64
}

async fn fresh(db: &Option<String>, dir: &std::path::Path, name: &str) -> App {
    let url = db
        .clone()
        .unwrap_or_else(|| postmarket_testing::sqlite_url(dir, name));
    App::open(&url).await.unwrap()
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let db = args
        .iter()
        .position(|a| a == "--db")
        .and_then(|i| args.get(i + 1).cloned());
    let Some(root) = postmarket_testing::corpus("feeds_bench") else {
        std::process::exit(2);
    };
    let dir = tempfile::tempdir().unwrap();
    let actor = Actor::new("bench").unwrap();
    let opts = ImportOptions::default();

    // NVD 1.1 year feeds.
    let feeds = root.join("03-nvd-cve/nvd-1.1-feeds");
    let nvd: Vec<PathBuf> = [
        "nvdcve-1.1-2016.json.gz",
        "nvdcve-1.1-2017.json.gz",
        "binmaker-2023-01-nvdcve-1.1-2018.json.gz",
    ]
    .iter()
    .map(|n| feeds.join(n))
    .collect();
    let bytes: u64 = nvd.iter().map(uncompressed_len).sum();
    let app = fresh(&db, dir.path(), "nvd.db").await;
    let t = Instant::now();
    let r = app
        .import_feeds(&actor, &nvd, &opts, &NoProgress)
        .await
        .unwrap();
    let secs = t.elapsed().as_secs_f64();
    let records: i64 = r.runs.iter().map(|r| r.added).sum();
    println!(
        "NVD 1.1 year feeds: {records} CVEs, {:.1} MB JSON parsed and stored in {secs:.2} s = {:.1} MB/s ({:.0} records/s)",
        bytes as f64 / 1e6,
        bytes as f64 / 1e6 / secs,
        records as f64 / secs
    );
    app.store().close().await;

    // OSV.
    let osv: Vec<PathBuf> = [
        "crates.io-rustsec",
        "pypi-pysec",
        "maven-ghsa",
        "go-vulndb-sample",
    ]
    .iter()
    .map(|n| root.join("04-osv").join(n))
    .collect();
    let app = fresh(&db, dir.path(), "osv.db").await;
    let t = Instant::now();
    let r = app
        .import_feeds(&actor, &osv, &opts, &NoProgress)
        .await
        .unwrap();
    let secs = t.elapsed().as_secs_f64();
    let records: i64 = r.runs.iter().map(|r| r.added).sum();
    println!(
        "OSV: {records} records (JSON and YAML files) parsed and stored in {secs:.2} s = {:.0} records/s",
        records as f64 / secs
    );
    app.store().close().await;

    // EPSS.
    let app = fresh(&db, dir.path(), "epss.db").await;
    let t = Instant::now();
    let r = app
        .import_feeds(
            &actor,
            &[root.join("07-epss/emba-epss-data-2026-08-16")],
            &opts,
            &NoProgress,
        )
        .await
        .unwrap();
    let secs = t.elapsed().as_secs_f64();
    println!(
        "EPSS: {} rows parsed and stored in {secs:.2} s",
        r.runs[0].added
    );
    // A second import of the same snapshot compares every row and writes nothing.
    let t = Instant::now();
    let r = app
        .import_feeds(
            &actor,
            &[root.join("07-epss/emba-epss-data-2026-08-16")],
            &opts,
            &NoProgress,
        )
        .await
        .unwrap();
    println!(
        "EPSS again (all {} unchanged, nothing written): {:.2} s",
        r.runs[0].unchanged,
        t.elapsed().as_secs_f64()
    );
    app.store().close().await;
}

//! `postmarket scan`, `match`, `findings`, `where-used` and `vers` through the real binary, with
//! the hand-written feed and SBOM fixtures of `crates/app/tests/fixtures`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use postmarket_testing::sqlite_url;

const BIN: &str = env!("CARGO_BIN_EXE_postmarket");

fn fx(name: &str) -> String {
    let p: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../app/tests/fixtures")
        .join(name);
    p.display().to_string()
}

fn pm(dir: &Path, db: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(dir)
        .env("POSTMARKET_DB", db)
        .env("POSTMARKET_ACTOR", "tester")
        .env_remove("POSTMARKET_LOG")
        .args(args)
        .output()
        .expect("run postmarket")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn ok(out: &Output) -> String {
    assert_eq!(out.status.code(), Some(0), "stderr: {}", text(&out.stderr));
    text(&out.stdout)
}

/// Exit 2 with one line on stderr naming every needle, nothing on stdout.
fn refused(out: &Output, needles: &[&str]) {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert!(
        err.starts_with("postmarket: ") || err.starts_with("error: "),
        "{err}"
    );
    for n in needles {
        assert!(err.contains(n), "{n:?} not in {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
}

fn corpus(dir: &Path, db: &str) {
    ok(&pm(
        dir,
        db,
        &[
            "feeds",
            "import",
            &fx("feeds/good/osv-ghsa.json"),
            &fx("feeds/good/nvd-page.json"),
            &fx("feeds/good/kev.json"),
            &fx("feeds/good/epss.csv"),
            &fx("findings/v1"),
        ],
    ));
}

#[test]
fn vers_compares_and_tests_ranges() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path(), "unused.db");
    let cases: &[(&[&str], &str)] = &[
        (&["vers", "cmp", "pypi", "1.0rc1", "1.0"], "-1"),
        (&["vers", "cmp", "pep440", "1.0.post1", "1.0"], "1"),
        (&["vers", "cmp", "deb", "1:1.0", "2.0"], "1"),
        (&["vers", "cmp", "debian", "1.0~rc1", "1.0"], "-1"),
        (&["vers", "cmp", "maven", "1.0", "1.0.0"], "0"),
        (&["vers", "cmp", "npm", "1.0.0-alpha", "1.0.0"], "-1"),
        (&["vers", "cmp", "generic", "v5.1", "5.1"], "0"),
        (&["vers", "contains", "vers:pypi/>=1.0|<2.0", "1.5"], "true"),
        (
            &["vers", "contains", "vers:pypi/>=1.0|<2.0", "2.0"],
            "false",
        ),
        (
            &["vers", "contains", "vers:deb/>=1:1.0|<1:2.0", "1:1.5-1"],
            "true",
        ),
    ];
    for (args, want) in cases {
        let out = ok(&pm(dir.path(), &db, args));
        assert_eq!(out.trim(), *want, "{args:?}");
    }
    // Stateless: no database was created.
    assert!(!dir.path().join("unused.db").exists());
    refused(
        &pm(dir.path(), &db, &["vers", "cmp", "cobol", "1", "2"]),
        &["cobol", "pep440"],
    );
    refused(
        &pm(dir.path(), &db, &["vers", "contains", "pypi>=1.0", "1"]),
        &["pypi>=1.0", "vers:"],
    );
}

#[test]
fn scan_prints_the_specified_json_and_fails_on_severity() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path(), "pm.db");
    corpus(dir.path(), &db);
    let out = ok(&pm(
        dir.path(),
        &db,
        &["scan", &fx("findings/device-a.cdx.json"), "--json"],
    ));
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["components"], 5);
    let ids: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["vulnerability"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec!["OSV-TEST-0002", "CVE-2024-1111"]);
    let zlib = &v["findings"][1];
    assert_eq!(zlib["component"]["purl"], "pkg:generic/zlib@1.2.11");
    assert_eq!(zlib["match"], "heuristic");
    assert_eq!(zlib["severity"], "critical");
    assert_eq!(zlib["cvss"]["version"], "3.1");
    assert_eq!(zlib["cvss"]["base"], 9.8);
    assert_eq!(zlib["kev"], false);
    assert_eq!(zlib["fixed"], "1.2.12");
    assert!(v["possible_matches"].as_array().unwrap().is_empty());
    // Nothing stored.
    let f = ok(&pm(dir.path(), &db, &["--json", "findings"]));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&f).unwrap(),
        serde_json::json!([])
    );

    // --fail-on: zlib's critical finding fails at critical; device B's worst is high.
    let crit = pm(
        dir.path(),
        &db,
        &[
            "scan",
            &fx("findings/device-a.cdx.json"),
            "--fail-on",
            "critical",
        ],
    );
    assert_eq!(crit.status.code(), Some(1), "{}", text(&crit.stderr));
    assert!(text(&crit.stdout).contains("CVE-2024-1111"));
    assert!(text(&crit.stderr).contains("1 finding(s) of severity critical or higher"));
    let b = fx("findings/device-b.cdx.json");
    assert_eq!(
        pm(dir.path(), &db, &["scan", &b, "--fail-on", "critical"])
            .status
            .code(),
        Some(0)
    );
    let high = pm(dir.path(), &db, &["scan", &b, "--fail-on", "high", "-v"]);
    assert_eq!(high.status.code(), Some(1));
    // -v explains each finding.
    assert!(
        text(&high.stdout).contains("via purl record GHSA-2024-exam-ple1"),
        "{}",
        text(&high.stdout)
    );
    refused(
        &pm(dir.path(), &db, &["scan", &b, "--fail-on", "severe"]),
        &["severe", "critical, high, medium, low or none"],
    );
    refused(
        &pm(dir.path(), &db, &["scan", "missing.json"]),
        &["missing.json"],
    );
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"bomFormat\": \"CycloneDX\", \"specVersion\": ").unwrap();
    refused(
        &pm(dir.path(), &db, &["scan", &bad.display().to_string()]),
        &["bad.json", "malformed-json"],
    );
}

#[test]
fn releases_get_findings_that_explain_themselves_and_trace_across_the_portfolio() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path(), "pm.db");
    corpus(dir.path(), &db);
    for name in ["Pump A", "Gateway"] {
        ok(&pm(
            dir.path(),
            &db,
            &[
                "device",
                "add",
                name,
                "--product-line",
                "Infusion",
                "--class",
                "II",
                "--pathway",
                "510k",
            ],
        ));
    }
    ok(&pm(
        dir.path(),
        &db,
        &[
            "release",
            "add",
            "Pump A",
            "2.0",
            "--install-base",
            "120",
            "--sbom",
            &fx("findings/device-a.cdx.json"),
        ],
    ));
    ok(&pm(
        dir.path(),
        &db,
        &[
            "release",
            "add",
            "Gateway",
            "5.1",
            "--install-base",
            "7",
            "--sbom",
            &fx("findings/device-b.cdx.json"),
        ],
    ));
    // Findings appear with the SBOM, no match command needed.
    let list = ok(&pm(dir.path(), &db, &["findings"]));
    assert!(list.contains("CVE-2024-1111"), "{list}");
    assert!(list.contains("CVE-2024-0001"), "{list}");
    assert!(list.contains("OSV-TEST-0002"), "{list}");
    let json: serde_json::Value = serde_json::from_str(&ok(&pm(
        dir.path(),
        &db,
        &["findings", "--device", "Pump A", "--json"],
    )))
    .unwrap();
    let rows = json.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|r| r["device"] == "Pump A"));
    let zlib = rows
        .iter()
        .find(|r| r["vulnerability"] == "CVE-2024-1111")
        .unwrap();
    let id = zlib["id"].as_i64().unwrap().to_string();
    let ex = ok(&pm(dir.path(), &db, &["findings", "explain", &id]));
    for needle in [
        "CVE-2024-1111 in zlib 1.2.11 of Pump A 2.0",
        "heuristic match, confidence 0.80",
        "record:       CVE-2024-1111 (nvd)",
        "affected:     cpe:2.3:a:zlib:zlib:*:*:*:*:*:*:*:* <1.2.12",
        "verdict affected",
        "severity:     critical (CVSS 3.1",
        "appeared  run 1: SBOM revision 1 of Pump A 2.0",
    ] {
        assert!(ex.contains(needle), "{needle:?} not in\n{ex}");
    }
    refused(
        &pm(dir.path(), &db, &["findings", "explain", "999"]),
        &["finding 999 not found"],
    );
    refused(
        &pm(dir.path(), &db, &["findings", "--device", "Nope"]),
        &["Nope"],
    );

    // Horizontal impact: by purl and by alias.
    let wu = ok(&pm(
        dir.path(),
        &db,
        &["where-used", "pkg:pypi/example-pkg"],
    ));
    assert!(wu.contains("Gateway") && wu.contains("Pump A"), "{wu}");
    assert!(
        wu.contains("2 component(s) in 2 release(s); 127 unit(s) in the field"),
        "{wu}"
    );
    let wu = ok(&pm(dir.path(), &db, &["where-used", "GHSA-2024-exam-ple1"]));
    assert!(wu.contains("GHSA-2024-exam-ple1 (CVE-2024-0001)"), "{wu}");
    assert!(
        wu.contains("1 component(s) in 1 release(s); 7 unit(s)"),
        "{wu}"
    );
    refused(
        &pm(dir.path(), &db, &["where-used", "CVE-1999-0001"]),
        &["CVE-1999-0001"],
    );

    // A portfolio match: piped, so no progress bar; then an incremental one after feed changes.
    let m = pm(dir.path(), &db, &["match"]);
    let out = ok(&m);
    assert!(out.contains("2 release(s), 7 component(s)"), "{out}");
    assert!(out.contains("0 appeared, 0 vanished"), "{out}");
    assert!(
        text(&m.stderr).is_empty(),
        "no progress bar when piped: {}",
        text(&m.stderr)
    );
    ok(&pm(
        dir.path(),
        &db,
        &[
            "feeds",
            "import",
            &fx("feeds/v2/osv-ghsa.json"),
            &fx("findings/v2/otherpkg.json"),
        ],
    ));
    let inc = ok(&pm(dir.path(), &db, &["match", "--incremental"]));
    assert!(
        inc.contains("2 feed change(s); 3 component(s) re-evaluated"),
        "{inc}"
    );
    assert!(inc.contains("1 appeared, 1 vanished"), "{inc}");
    let all = ok(&pm(dir.path(), &db, &["findings", "--all"]));
    assert!(all.contains("vanished"), "{all}");
    let verify = pm(dir.path(), &db, &["db", "verify"]);
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify.stdout));
}

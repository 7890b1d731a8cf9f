//! `postmarket feeds …` and `postmarket vuln …` as a user meets them: the real binary, real files,
//! bad input reported precisely (file, location, what was expected), exit codes per DESIGN.md §8
//! (0 ok, 1 some records rejected / a source stale, 2 bad input and nothing written), and nothing
//! half-written.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use postmarket_testing::sqlite_url;

const BIN: &str = env!("CARGO_BIN_EXE_postmarket");

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../app/tests/fixtures/feeds")
}

fn fx(name: &str) -> String {
    fixtures().join(name).display().to_string()
}

fn pm(dir: &Path, db: &str, args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(dir)
        .env("POSTMARKET_DB", db)
        .env("POSTMARKET_ACTOR", "tester")
        .env_remove("POSTMARKET_LOG")
        .env_remove("POSTMARKET_FEEDS_MAX_AGE")
        .args(args)
        .output()
        .expect("run postmarket")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn assert_no_panic(out: &Output) {
    let err = text(&out.stderr);
    for bad in ["panicked", "RUST_BACKTRACE", "stack backtrace"] {
        assert!(!err.contains(bad), "{err}");
    }
}

/// Exit 2, one clear line on stderr naming every needle.
fn assert_refused(out: &Output, needles: &[&str]) {
    let err = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "one line expected: {err}"
    );
    assert!(err.starts_with("postmarket: "), "{err}");
    for n in needles {
        assert!(err.contains(n), "{n:?} not in {err}");
    }
    assert_no_panic(out);
}

/// What the database holds, as `feeds status --json` and the audit chain say.
fn state(dir: &Path, db: &str) -> (serde_json::Value, String) {
    let out = pm(dir, db, &["--json", "feeds", "status"]);
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        text(&out.stderr)
    );
    let status: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let verify = pm(dir, db, &["db", "verify"]);
    assert_eq!(verify.status.code(), Some(0), "{}", text(&verify.stdout));
    (status["sources"].clone(), text(&verify.stdout))
}

#[test]
fn import_show_search_and_status() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path(), "pm.db");
    let out = pm(dir.path(), &db, &["feeds", "import", &fx("good")]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("kev ") && stdout.contains("added 2"),
        "{stdout}"
    );
    assert!(
        text(&out.stderr).is_empty(),
        "no progress bar when not a terminal"
    );

    let out = pm(
        dir.path(),
        &db,
        &["vuln", "show", "GHSA-2024-exam-ple1", "--json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["id"], "CVE-2024-0001");
    let scores = v["scores"].as_array().unwrap();
    assert_eq!(scores.len(), 3);
    assert!(scores
        .iter()
        .all(|s| s["provider"].is_string() && s["feed"].is_string()));
    assert_eq!(v["shown_score"]["provider"], "nvd@nist.gov");
    assert_eq!(v["kev"][0]["date_added"], "2024-02-15");
    assert_eq!(v["epss"][0]["score_date"], "2024-03-01");
    let human = pm(dir.path(), &db, &["vuln", "show", "cve-2024-0001"]);
    let h = text(&human.stdout);
    assert!(
        h.starts_with("CVE-2024-0001\n") && h.contains("KEV") && h.contains("* 7.5"),
        "{h}"
    );

    let out = pm(
        dir.path(),
        &db,
        &["vuln", "search", "--purl", "pkg:pypi/example-pkg", "--json"],
    );
    let hits: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(hits.as_array().unwrap().len(), 2);
    let out = pm(
        dir.path(),
        &db,
        &[
            "vuln",
            "search",
            "--cpe",
            "cpe:2.3:h:acme:pump_gateway:*:*:*:*:*:*:*:*",
        ],
    );
    assert!(
        text(&out.stdout).contains("CVE-2023-9999"),
        "{}",
        text(&out.stdout)
    );

    let out = pm(dir.path(), &db, &["feeds", "status"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("csaf"), "{}", text(&out.stdout));
    // A maximum age of zero seconds makes every source stale: a warning and exit 1.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let out = pm(dir.path(), &db, &["feeds", "status", "--max-age", "0s"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("warning: kev is stale"),
        "{}",
        text(&out.stderr)
    );
    let out = pm(
        dir.path(),
        &db,
        &["feeds", "status", "--max-age", "2 weeks"],
    );
    assert_refused(&out, &["--max-age", "expected"]);

    // The same files again: unchanged, nothing written.
    let (before, verified) = state(dir.path(), &db);
    let out = pm(dir.path(), &db, &["feeds", "import", &fx("good")]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).contains("unchanged, nothing written"));
    assert_eq!(state(dir.path(), &db), (before, verified));
}

#[test]
fn malformed_records_are_named_and_the_rest_imports() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path(), "pm.db");
    let cases = [
        // (file, location, what was wrong)
        (
            "bad/osv-array-malformed.json",
            "osv-array-malformed.json: /1: malformed record",
            "expected a string",
        ),
        (
            "bad/kev-bad-row.csv",
            "kev-bad-row.csv: line 3",
            "not a CVE id",
        ),
        (
            "bad/epss-out-of-range.csv",
            "epss-out-of-range.csv: line 2",
            "outside [0, 1]",
        ),
    ];
    for (file, place, what) in cases {
        let out = pm(dir.path(), &db, &["feeds", "import", &fx(file)]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{file}: {err}");
        assert!(err.contains(place) && err.contains(what), "{file}: {err}");
        assert!(text(&out.stdout).contains("rejected 1"), "{file}");
        assert_no_panic(&out);
    }
    // The good records of those files are in.
    for id in ["GHSA-good-0000-0001", "CVE-2024-0001"] {
        let out = pm(dir.path(), &db, &["vuln", "show", id]);
        assert_eq!(out.status.code(), Some(0), "{id}: {}", text(&out.stderr));
    }
    let out = pm(dir.path(), &db, &["vuln", "show", "GHSA-bad-0000-0002"]);
    assert_refused(&out, &["\"GHSA-bad-0000-0002\" not found"]);
}

#[test]
fn unknown_osv_ecosystems_are_kept_and_noted() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path(), "pm.db");
    let f = dir.path().join("odd.json");
    std::fs::write(
        &f,
        r#"{"id": "OSV-2024-1", "modified": "2024-01-01T00:00:00Z", "summary": "s",
            "affected": [{"package": {"ecosystem": "Plan9Ports", "name": "acme"}, "versions": ["1"]}]}"#,
    )
    .unwrap();
    let out = pm(dir.path(), &db, &["feeds", "import", f.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("note: unknown OSV ecosystem \"Plan9Ports\"") && err.contains("OSV-2024-1"),
        "{err}"
    );
    let out = pm(dir.path(), &db, &["--json", "vuln", "show", "OSV-2024-1"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["affected_packages"][0]["ecosystem"], "Plan9Ports");
}

#[test]
fn unreadable_input_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path(), "pm.db");
    let out = pm(dir.path(), &db, &["feeds", "import", &fx("good/kev.json")]);
    assert_eq!(out.status.code(), Some(0));
    let before = state(dir.path(), &db);

    // A truncated zip (an OSV archive cut short), after a file that would change things.
    let zip = dir.path().join("all.zip");
    let mut bytes = b"PK\x03\x04".to_vec();
    bytes.extend_from_slice(&[0x14, 0, 0, 0, 8, 0]);
    bytes.extend_from_slice(&[0x55; 40]);
    std::fs::write(&zip, &bytes).unwrap();
    let out = pm(
        dir.path(),
        &db,
        &[
            "feeds",
            "import",
            &fx("good/osv-ghsa.json"),
            zip.to_str().unwrap(),
        ],
    );
    assert_refused(&out, &["all.zip", "nothing was imported"]);
    assert_eq!(state(dir.path(), &db), before);

    // Malformed YAML: the file and line.
    let out = pm(
        dir.path(),
        &db,
        &[
            "feeds",
            "import",
            &fx("good/osv-ghsa.json"),
            &fx("bad/osv-malformed.yaml"),
        ],
    );
    assert_refused(
        &out,
        &[
            "osv-malformed.yaml",
            "line 7 column 1",
            "nothing was imported",
        ],
    );
    assert_eq!(state(dir.path(), &db), before);

    // Malformed JSON (cut in the middle).
    let cut = dir.path().join("cut.json");
    let good = std::fs::read(fx("good/nvd-page.json")).unwrap();
    std::fs::write(&cut, &good[..good.len() / 2]).unwrap();
    let out = pm(
        dir.path(),
        &db,
        &["feeds", "import", "--kind", "nvd", cut.to_str().unwrap()],
    );
    assert_refused(&out, &["cut.json", "line", "nothing was imported"]);

    // Not a feed at all, named explicitly.
    let junk = dir.path().join("notes.txt");
    std::fs::write(&junk, "hello\n").unwrap();
    let out = pm(
        dir.path(),
        &db,
        &["feeds", "import", junk.to_str().unwrap()],
    );
    assert_refused(
        &out,
        &["notes.txt: format not recognised", "expected an NVD"],
    );

    // --strict: the first malformed record refuses everything.
    let out = pm(
        dir.path(),
        &db,
        &[
            "feeds",
            "import",
            "--strict",
            &fx("good"),
            &fx("bad/epss-out-of-range.csv"),
        ],
    );
    assert_refused(
        &out,
        &[
            "epss-out-of-range.csv: line 2",
            "outside [0, 1]",
            "--strict: nothing was imported",
        ],
    );
    assert_eq!(state(dir.path(), &db), before);

    // A path that does not exist.
    let out = pm(dir.path(), &db, &["feeds", "import", "no/such/file.json"]);
    assert_refused(&out, &["no/such/file.json", "cannot read"]);
    let out = pm(dir.path(), &db, &["vuln", "search", "--purl", "django"]);
    assert_refused(&out, &["--purl \"django\"", "expected a package URL"]);
}

//! `postmarket sbom …` and `release add --sbom` through the real binary: the bad-input table of
//! issue 3, the `sbom parse --json` shape, and the store / export / diff / set-support flow.

use std::path::Path;
use std::process::{Command, Output};

use postmarket_testing::sqlite_url;

const BIN: &str = env!("CARGO_BIN_EXE_postmarket");

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

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_str(&ok(out)).unwrap()
}

fn setup() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let db = sqlite_url(dir.path(), "pm.db");
    ok(&pm(
        dir.path(),
        &db,
        &[
            "device",
            "add",
            "Pump",
            "--product-line",
            "Infusion",
            "--class",
            "II",
            "--pathway",
            "510k",
        ],
    ));
    (dir, db)
}

fn cdx(components: &str, extra: &str) -> Vec<u8> {
    format!(r#"{{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{components}]{extra}}}"#)
        .into_bytes()
}

/// Files the parser refuses: (file, content, extra args, code, location).
/// (file, content, extra args, code, location)
type FatalCase = (
    &'static str,
    Vec<u8>,
    Vec<&'static str>,
    &'static str,
    &'static str,
);

fn fatal_cases() -> Vec<FatalCase> {
    vec![
        (
            "truncated.json",
            br#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":["#.to_vec(),
            vec![],
            "malformed-json",
            "at 1:59",
        ),
        (
            "version.json",
            b"{\"bomFormat\":\"CycloneDX\",\n\"specVersion\":\"9.9\",\"components\":[]}".to_vec(),
            vec![],
            "unsupported-spec-version",
            "at /specVersion",
        ),
        (
            "xxe.xml",
            b"<?xml version=\"1.0\"?>\n<!DOCTYPE bom [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\" version=\"1\"><components><component type=\"library\"><name>&x;</name></component></components></bom>".to_vec(),
            vec![],
            "xml-doctype",
            "at 2:1",
        ),
        (
            "oversized.json",
            cdx(r#"{"type":"library","name":"zlib","version":"1.3"}"#, ""),
            vec!["--max-size", "64"],
            "input-too-large",
            "at byte 64",
        ),
        (
            "latin1.json",
            b"{\"bomFormat\":\"CycloneDX\",\n\"specVersion\":\"1.6\",\"metadata\":{\"authors\":[{\"name\":\"M\xfcller\"}]}}".to_vec(),
            vec![],
            "not-utf8",
            "at 2:54",
        ),
        (
            "bad.spdx",
            b"SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nthis line has no colon\n".to_vec(),
            vec![],
            "bad-tag-value-line",
            "at 3:1",
        ),
    ]
}

/// Problems inside a usable document: (file, content, code, severity, location).
fn component_cases() -> Vec<(
    &'static str,
    Vec<u8>,
    &'static str,
    &'static str,
    &'static str,
)> {
    vec![
        (
            "noname.json",
            cdx(r#"{"type":"library","bom-ref":"a","version":"1"}"#, ""),
            "missing-name",
            "error",
            "/components/0",
        ),
        (
            "purl.json",
            cdx(
                r#"{"type":"library","bom-ref":"a","name":"x","purl":"pkg:/nope"}"#,
                "",
            ),
            "invalid-purl",
            "warning",
            "/components/0/purl",
        ),
        (
            "dup.json",
            cdx(
                r#"{"type":"library","bom-ref":"a","name":"x"},{"type":"library","bom-ref":"a","name":"y"}"#,
                "",
            ),
            "duplicate-bom-ref",
            "error",
            "/components/1",
        ),
        (
            "dep.json",
            cdx(
                r#"{"type":"library","bom-ref":"a","name":"x"}"#,
                r#","dependencies":[{"ref":"a","dependsOn":["ghost"]}]"#,
            ),
            "unknown-dependency-ref",
            "warning",
            "/dependencies/0/dependsOn/0",
        ),
    ]
}

#[test]
fn fatal_inputs_exit_2_with_code_and_location_and_store_nothing() {
    let (dir, db) = setup();
    for (name, content, extra, code, location) in fatal_cases() {
        std::fs::write(dir.path().join(name), &content).unwrap();
        for cmd in [
            vec!["sbom", "parse", name],
            vec!["sbom", "quality", name],
            vec!["release", "add", "Pump", "1.0", "--sbom", name],
        ] {
            let mut args = cmd.clone();
            args.extend(&extra);
            let out = pm(dir.path(), &db, &args);
            let err = text(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{name} {cmd:?}: {err}");
            assert_eq!(err.trim_end().lines().count(), 1, "{name}: one line: {err}");
            assert!(
                err.starts_with(&format!("postmarket: {name}: {code} {location}")),
                "{name} {cmd:?}: {err}"
            );
            assert!(!err.contains("panicked"), "{err}");
            assert!(out.stdout.is_empty(), "{name}: {}", text(&out.stdout));
        }
    }
    // Nothing was stored: no release, no SBOM, only the device's audit event.
    let releases = json(&pm(dir.path(), &db, &["--json", "release", "list"]));
    assert_eq!(releases.as_array().unwrap().len(), 0, "{releases}");
    let verify = json(&pm(dir.path(), &db, &["--json", "db", "verify"]));
    assert_eq!(verify["ok"], true);
    assert_eq!(verify["events"], 1);
}

#[test]
fn component_level_problems_are_stored_and_reported() {
    let (dir, db) = setup();
    for (i, (name, content, code, severity, location)) in component_cases().into_iter().enumerate()
    {
        std::fs::write(dir.path().join(name), &content).unwrap();
        let parsed = json(&pm(dir.path(), &db, &["sbom", "parse", "--json", name]));
        let diags = parsed["diagnostics"].as_array().unwrap();
        assert_eq!(diags.len(), 1, "{name}: {diags:?}");
        assert_eq!(diags[0]["code"], code, "{name}");
        assert_eq!(diags[0]["severity"], severity, "{name}");
        assert_eq!(diags[0]["location"], location, "{name}");

        let version = format!("{i}.0");
        let out = pm(
            dir.path(),
            &db,
            &["release", "add", "Pump", &version, "--sbom", name],
        );
        let stdout = ok(&out);
        assert!(stdout.contains("as SBOM revision 1 of Pump"), "{stdout}");
        let err = text(&out.stderr);
        assert!(
            err.contains(&format!("{name}: {severity} {code} at {location}")),
            "{name}: {err}"
        );
        let stored = json(&pm(
            dir.path(),
            &db,
            &["--json", "sbom", "components", "Pump", &version],
        ));
        assert_eq!(
            stored["components"].as_array().unwrap().len(),
            parsed["components"].as_array().unwrap().len(),
            "{name}"
        );
        assert_eq!(
            stored["diagnostics"][0]["code"], code,
            "{name}: kept with the revision"
        );
    }
    let verify = ok(&pm(dir.path(), &db, &["db", "verify"]));
    assert!(verify.starts_with("ok: 9 audit events"), "{verify}");
}

#[test]
fn parse_json_prints_exactly_the_parse_output_object() {
    let dir = tempfile::tempdir().unwrap();
    let doc = cdx(
        r#"{"type":"library","bom-ref":"z","supplier":{"name":"zlib"},"name":"zlib","version":"1.3.1","purl":"pkg:generic/zlib@1.3.1","hashes":[{"alg":"SHA-256","content":"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}],"licenses":[{"license":{"id":"Zlib"}}],"properties":[{"name":"postmarket:support_level","value":"maintained"},{"name":"postmarket:end_of_support","value":"2030-01-01"}]},{"type":"library","bom-ref":"c","name":"curl","version":"8.6.0"}"#,
        r#","dependencies":[{"ref":"c","dependsOn":["z"]}]"#,
    );
    std::fs::write(dir.path().join("a.json"), &doc).unwrap();
    let v = json(&pm(
        dir.path(),
        "sqlite://unused.db",
        &["sbom", "parse", "a.json", "--json"],
    ));
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        [
            "components",
            "dependencies",
            "diagnostics",
            "format",
            "quality",
            "spec_version"
        ]
    );
    let expected = postmarket_sbom::ParseOutput::new(
        &postmarket_sbom::parse(&doc, &Default::default()).unwrap(),
    );
    assert_eq!(v, serde_json::to_value(&expected).unwrap());
    assert_eq!(v["format"], "cyclonedx-json");
    assert_eq!(v["dependencies"], serde_json::json!([["c", "z"]]));
    let c = &v["components"][0];
    let mut ckeys: Vec<&str> = c.as_object().unwrap().keys().map(String::as_str).collect();
    ckeys.sort();
    assert_eq!(
        ckeys,
        [
            "bom_ref",
            "cpe",
            "end_of_support",
            "hashes",
            "licenses",
            "name",
            "purl",
            "supplier",
            "support_level",
            "version"
        ]
    );
    assert_eq!(c["support_level"], "maintained");
    assert_eq!(c["hashes"][0]["alg"], "SHA-256");
    assert_eq!(v["quality"]["component_count"], 2);
    assert!(
        !dir.path().join("unused.db").exists(),
        "parse needs no database"
    );
}

#[test]
fn store_revise_override_export_diff_and_tamper() {
    let (dir, db) = setup();
    let d = dir.path();
    let v1 = cdx(
        r#"{"type":"library","bom-ref":"ssl","supplier":{"name":"OpenSSL"},"name":"openssl","version":"1.1.1w","purl":"pkg:generic/openssl@1.1.1w"},{"type":"library","bom-ref":"z","name":"zlib","version":"1.2.13","purl":"pkg:generic/zlib@1.2.13"},{"type":"library","bom-ref":"old","name":"libold","version":"0.9"}"#,
        r#","dependencies":[{"ref":"ssl","dependsOn":["z"]}]"#,
    );
    let v2 = cdx(
        r#"{"type":"library","bom-ref":"ssl","supplier":{"name":"OpenSSL"},"name":"openssl","version":"3.0.13","purl":"pkg:generic/openssl@3.0.13"},{"type":"library","bom-ref":"z","name":"zlib","version":"1.2.13","purl":"pkg:generic/zlib@1.2.13"},{"type":"library","bom-ref":"lw","name":"lwip","version":"2.2.0","purl":"pkg:generic/lwip@2.2.0"}"#,
        "",
    );
    std::fs::write(d.join("v1.json"), &v1).unwrap();
    std::fs::write(d.join("v2.json"), &v2).unwrap();
    let first = ok(&pm(
        d,
        &db,
        &[
            "release",
            "add",
            "Pump",
            "1.0",
            "--sbom",
            "v1.json",
            "--released-at",
            "2024-01-01",
        ],
    ));
    assert!(first.contains("added release 1.0 of Pump"), "{first}");
    assert!(
        first.contains(
            "SBOM revision 1 of Pump 1.0: cyclonedx-json 1.6, 3 components, 1 dependency edges"
        ),
        "{first}"
    );
    let again = ok(&pm(
        d,
        &db,
        &["release", "add", "Pump", "1.0", "--sbom", "v1.json"],
    ));
    assert!(
        again.starts_with("unchanged: v1.json is already SBOM revision 1 of Pump 1.0"),
        "{again}"
    );
    let refused = pm(
        d,
        &db,
        &[
            "release",
            "add",
            "Pump",
            "1.0",
            "--sbom",
            "v2.json",
            "--install-base",
            "5",
        ],
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        text(&refused.stderr).contains("exists already"),
        "{}",
        text(&refused.stderr)
    );
    ok(&pm(
        d,
        &db,
        &["release", "add", "Pump", "2.0", "--sbom", "v2.json"],
    ));
    // A different document for 1.0 becomes revision 2; revision 1 stays.
    let attach = ok(&pm(
        d,
        &db,
        &[
            "sbom",
            "attach",
            "Pump",
            "1.0",
            "v2.json",
            "--reason",
            "supplier update",
        ],
    ));
    assert!(attach.contains("SBOM revision 2 of Pump 1.0"), "{attach}");
    let comps = json(&pm(
        d,
        &db,
        &["--json", "sbom", "components", "Pump", "1.0"],
    ));
    assert_eq!(comps["revision"]["revision"], 2);
    assert_eq!(comps["revisions"].as_array().unwrap().len(), 2);
    let list = json(&pm(d, &db, &["--json", "release", "list", "Pump"]));
    assert_eq!(list[1]["version"], "1.0");
    assert_eq!(list[1]["sbom_revisions"], 2);
    assert_eq!(list[1]["components"], 3);

    // The diff compares latest revisions: 0.9 gets the first document, 2.0 has the second.
    ok(&pm(
        d,
        &db,
        &["release", "add", "Pump", "0.9", "--sbom", "v1.json"],
    ));
    let diff = json(&pm(
        d,
        &db,
        &["--json", "sbom", "diff", "Pump", "0.9", "2.0"],
    ));
    assert_eq!(diff["added"][0]["name"], "lwip");
    assert_eq!(diff["removed"][0]["name"], "libold");
    assert_eq!(diff["changed"][0]["name"], "openssl");
    assert_eq!(diff["changed"][0]["from_version"], "1.1.1w");
    assert_eq!(diff["changed"][0]["to_version"], "3.0.13");
    assert_eq!(diff["unchanged"], 1);
    let diff_text = ok(&pm(d, &db, &["sbom", "diff", "Pump", "0.9", "2.0"]));
    assert!(
        diff_text.contains("~ openssl 1.1.1w -> 3.0.13"),
        "{diff_text}"
    );

    // Support override, audited, applied on export.
    let bad_level = pm(
        d,
        &db,
        &[
            "sbom",
            "set-support",
            "Pump",
            "2.0",
            "zlib",
            "--level",
            "retired",
            "--reason",
            "x",
        ],
    );
    assert_eq!(bad_level.status.code(), Some(2));
    let missing = pm(
        d,
        &db,
        &[
            "sbom",
            "set-support",
            "Pump",
            "2.0",
            "curl",
            "--level",
            "abandoned",
            "--reason",
            "x",
        ],
    );
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        text(&missing.stderr).contains("component \"curl\" is not in the latest SBOM"),
        "{}",
        text(&missing.stderr)
    );
    ok(&pm(
        d,
        &db,
        &[
            "sbom",
            "set-support",
            "Pump",
            "2.0",
            "zlib",
            "--level",
            "no-longer-maintained",
            "--end-of-support",
            "2025-06-30",
            "--reason",
            "upstream EOL notice",
        ],
    ));
    let table = ok(&pm(d, &db, &["sbom", "components", "Pump", "2.0"]));
    assert!(table.contains("no_longer_maintained *"), "{table}");
    ok(&pm(
        d,
        &db,
        &[
            "sbom",
            "export",
            "Pump",
            "2.0",
            "--format",
            "cyclonedx",
            "-o",
            "out.cdx.json",
        ],
    ));
    ok(&pm(
        d,
        &db,
        &[
            "sbom",
            "export",
            "Pump",
            "2.0",
            "--format",
            "spdx",
            "-o",
            "out.spdx.json",
        ],
    ));
    for f in ["out.cdx.json", "out.spdx.json"] {
        let back = json(&pm(d, &db, &["sbom", "parse", "--json", f]));
        assert_eq!(back["diagnostics"].as_array().unwrap().len(), 0, "{f}");
        assert_eq!(back["components"].as_array().unwrap().len(), 3, "{f}");
        let z = back["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "zlib")
            .unwrap();
        assert_eq!(z["support_level"], "no_longer_maintained", "{f}");
        assert_eq!(z["end_of_support"], "2025-06-30", "{f}");
    }
    let stdout_export = json(&pm(
        d,
        &db,
        &["sbom", "export", "Pump", "2.0", "--format", "cyclonedx"],
    ));
    assert_eq!(stdout_export["specVersion"], "1.6");
    let no_sbom = pm(
        d,
        &db,
        &["sbom", "export", "Pump", "7.7", "--format", "spdx"],
    );
    assert_eq!(no_sbom.status.code(), Some(2));

    assert!(ok(&pm(d, &db, &["db", "verify"])).starts_with("ok:"));
    // A component row edited behind Postmarket's back is named by its revision.
    let status = Command::new("sqlite3")
        .arg(d.join("pm.db"))
        .arg("UPDATE sbom_components SET version = '3.0.99' WHERE name = 'openssl' AND revision_id = 1;")
        .status()
        .expect("sqlite3 is installed");
    assert!(status.success());
    let out = pm(d, &db, &["db", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    let s = text(&out.stdout);
    assert!(
        s.contains("TAMPERED: sbom_revision 1: SBOM revision 1 of \"Pump\" \"1.0\""),
        "{s}"
    );
}

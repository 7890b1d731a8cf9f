//! Table of bad inputs: each with its expected code, severity/fatality and location.
use postmarket_sbom::{parse, Code, ParseOptions, Severity};

const VALID_CDX: &str = include_str!("fixtures/valid-cdx-1.6.json");

fn cdx(components: &str, deps: &str) -> String {
    format!(
        r#"{{"bomFormat":"CycloneDX","specVersion":"1.6","components":[{components}],"dependencies":[{deps}]}}"#
    )
}

enum Want {
    /// fatal error with this code and location
    Fatal(Code, &'static str),
    /// successful parse with exactly one diagnostic of this code, severity and location
    Diag(Code, Severity, &'static str),
}

#[test]
fn bad_input_table() {
    let oversized = VALID_CDX.as_bytes().to_vec();
    let small_limit = ParseOptions { max_bytes: 1024 };
    let default = ParseOptions::default();
    let mut non_utf8 =
        b"{\"bomFormat\":\"CycloneDX\",\n\"specVersion\":\"1.6\",\"components\":[{\"name\":\"caf"
            .to_vec();
    non_utf8.extend_from_slice(&[0xE9, b'"', b'}', b']', b'}']);
    let xxe = r#"<?xml version="1.0"?>
<!DOCTYPE bom [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<bom xmlns="http://cyclonedx.org/schema/bom/1.5"><components><component type="library"><name>&xxe;</name></component></components></bom>"#;
    let bad_tv = "SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\nSPDXID: SPDXRef-DOCUMENT\nthis line has no tag\n";
    let cases: Vec<(&str, Vec<u8>, &ParseOptions, Want)> = vec![
        ("truncated JSON", VALID_CDX.as_bytes()[..200].to_vec(), &default, Want::Fatal(Code::MalformedJson, "8:6")),
        (
            "unknown spec version",
            br#"{"bomFormat":"CycloneDX","specVersion":"1.9","components":[]}"#.to_vec(),
            &default,
            Want::Fatal(Code::UnsupportedSpecVersion, "/specVersion"),
        ),
        (
            "component without a name",
            cdx(r#"{"type":"library","bom-ref":"a","name":"a"},{"type":"library","bom-ref":"b","version":"1"}"#, "").into_bytes(),
            &default,
            Want::Diag(Code::MissingName, Severity::Error, "/components/1"),
        ),
        (
            "invalid purl",
            cdx(r#"{"type":"library","bom-ref":"a","name":"a","purl":"pkg:maven/commons-io@2.6"}"#, "").into_bytes(),
            &default,
            Want::Diag(Code::InvalidPurl, Severity::Warning, "/components/0/purl"),
        ),
        (
            "duplicate bom-ref",
            cdx(r#"{"type":"library","bom-ref":"a","name":"a"},{"type":"library","bom-ref":"a","name":"b"}"#, "").into_bytes(),
            &default,
            Want::Diag(Code::DuplicateBomRef, Severity::Error, "/components/1"),
        ),
        (
            "dependency on an unknown ref",
            cdx(r#"{"type":"library","bom-ref":"a","name":"a"}"#, r#"{"ref":"a","dependsOn":["ghost"]}"#).into_bytes(),
            &default,
            Want::Diag(Code::UnknownDependencyRef, Severity::Warning, "/dependencies/0/dependsOn/0"),
        ),
        (
            "invalid CPE",
            cdx(r#"{"type":"library","bom-ref":"a","name":"a","cpe":"cpe:2.3:a:vendor:product"}"#, "").into_bytes(),
            &default,
            Want::Diag(Code::InvalidCpe, Severity::Warning, "/components/0/cpe"),
        ),
        ("XML with an external entity", xxe.as_bytes().to_vec(), &default, Want::Fatal(Code::XmlDoctype, "2:1")),
        ("oversized file", oversized, &small_limit, Want::Fatal(Code::InputTooLarge, "byte 1024")),
        ("non-UTF-8 bytes", non_utf8, &default, Want::Fatal(Code::NotUtf8, "2:47")),
        ("bad tag-value line", bad_tv.as_bytes().to_vec(), &default, Want::Fatal(Code::BadTagValueLine, "4:1")),
        (
            "unknown SPDX version",
            b"SPDXVersion: SPDX-9.9\nDataLicense: CC0-1.0\n".to_vec(),
            &default,
            Want::Fatal(Code::UnsupportedSpecVersion, "1:1"),
        ),
        (
            "malformed XML",
            b"<bom xmlns=\"http://cyclonedx.org/schema/bom/1.4\"><components>\n<component></bom>".to_vec(),
            &default,
            Want::Fatal(Code::MalformedXml, "2:12"),
        ),
        ("not an SBOM", b"hello world".to_vec(), &default, Want::Fatal(Code::UnknownFormat, "1:1")),
        (
            "invalid support level",
            cdx(r#"{"type":"library","bom-ref":"a","name":"a","properties":[{"name":"postmarket:support_level","value":"sometimes"}]}"#, "")
                .into_bytes(),
            &default,
            Want::Diag(Code::InvalidSupportLevel, Severity::Warning, "/components/0/properties/0/value"),
        ),
        (
            "invalid end-of-support date",
            cdx(r#"{"type":"library","bom-ref":"a","name":"a","properties":[{"name":"postmarket:end_of_support","value":"2025-02-30"}]}"#, "")
                .into_bytes(),
            &default,
            Want::Diag(Code::InvalidEndOfSupport, Severity::Warning, "/components/0/properties/0/value"),
        ),
    ];
    let mut failures = Vec::new();
    for (name, bytes, opts, want) in &cases {
        let got = parse(bytes, opts);
        let ok = match (want, &got) {
            (Want::Fatal(code, loc), Err(e)) => e.code == *code && e.location == *loc,
            (Want::Diag(code, sev, loc), Ok(p)) => {
                p.diagnostics.len() == 1
                    && p.diagnostics[0].code == *code
                    && p.diagnostics[0].severity == *sev
                    && p.diagnostics[0].location == *loc
            }
            _ => false,
        };
        eprintln!(
            "{} {name}: {:?}",
            if ok { "ok  " } else { "FAIL" },
            got.as_ref().map(|p| &p.diagnostics)
        );
        if !ok {
            failures.push(*name);
        }
    }
    assert!(failures.is_empty(), "unexpected results for: {failures:?}");
}

#[test]
fn invalid_purl_keeps_raw_value() {
    let p = parse(
        cdx(
            r#"{"type":"library","bom-ref":"a","name":"a","purl":"pkg:maven/commons-io@2.6"}"#,
            "",
        )
        .as_bytes(),
        &ParseOptions::default(),
    )
    .unwrap();
    let c = &p.sbom.components[0];
    assert_eq!(c.purl, None);
    assert_eq!(c.purl_raw.as_deref(), Some("pkg:maven/commons-io@2.6"));
}

#[test]
fn doctype_without_entities_is_refused_too() {
    let x = "<?xml version=\"1.0\"?>\n<!-- c -->\n<!DOCTYPE bom>\n<bom xmlns=\"http://cyclonedx.org/schema/bom/1.5\"/>";
    let e = parse(x.as_bytes(), &ParseOptions::default()).unwrap_err();
    assert_eq!((e.code, e.location.as_str()), (Code::XmlDoctype, "3:1"));
}

#[test]
fn valid_fixtures_have_no_diagnostics() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("valid-")
        {
            let r = parse(&std::fs::read(&p).unwrap(), &ParseOptions::default()).unwrap();
            assert!(
                r.diagnostics.is_empty(),
                "{}: {:?}",
                p.display(),
                r.diagnostics
            );
            assert!(!r.sbom.components.is_empty());
            n += 1;
        }
    }
    assert_eq!(n, 5);
}

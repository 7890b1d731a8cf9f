//! Unit tests for the known matching traps.
use postmarket_version::nvd::NvdBounds;
use postmarket_version::osv::OsvAffected;
use postmarket_version::vers::VersRange;
use postmarket_version::{Scheme, Verdict, Version};
use std::cmp::Ordering::{self, *};

fn c(s: Scheme, a: &str, b: &str) -> Ordering {
    s.compare(a, b)
}

#[test]
fn debian_epochs_and_tilde() {
    assert_eq!(c(Scheme::Debian, "1:1.0", "2.0"), Greater);
    assert_eq!(c(Scheme::Debian, "1.0~rc1", "1.0"), Less);
    assert_eq!(c(Scheme::Debian, "1.0~rc1-1", "1.0-1"), Less);
    assert_eq!(c(Scheme::Debian, "1.0-1~bpo1", "1.0-1"), Less);
    assert_eq!(c(Scheme::Debian, "2:0.1", "1:9.9"), Greater);
}

#[test]
fn pep440_prereleases() {
    assert_eq!(c(Scheme::Pep440, "1.0rc1", "1.0"), Less);
    assert_eq!(c(Scheme::Pep440, "1.0.post1", "1.0"), Greater);
    assert_eq!(c(Scheme::Pep440, "1.0.dev1", "1.0a1"), Less);
    assert_eq!(c(Scheme::Pep440, "1.0a1", "1.0b1"), Less);
    assert_eq!(c(Scheme::Pep440, "1.0b1", "1.0rc1"), Less);
    assert_eq!(c(Scheme::Pep440, "1.0", "1.0.0"), Equal);
    assert_eq!(c(Scheme::Pep440, "1!1.0", "2.0"), Greater);
    // legacy (non PEP 440) strings sort below every valid version
    assert_eq!(c(Scheme::Pep440, "0.1-bulbasaur", "0.0.1"), Less);
    assert!(!Version::new(Scheme::Pep440, "0.1-bulbasaur").is_valid());
}

#[test]
fn maven_qualifiers() {
    let asc = [
        "1.0-alpha1",
        "1.0-beta1",
        "1.0-milestone1",
        "1.0-rc1",
        "1.0-SNAPSHOT",
        "1.0",
        "1.0-sp1",
        "1.0.1",
    ];
    for w in asc.windows(2) {
        assert_eq!(c(Scheme::Maven, w[0], w[1]), Less, "{} < {}", w[0], w[1]);
    }
    assert_eq!(c(Scheme::Maven, "1.0.RELEASE", "1.0"), Equal);
    assert_eq!(c(Scheme::Maven, "1.0.Final", "1.0-GA"), Equal);
    assert_eq!(c(Scheme::Maven, "1.0-CR1", "1.0-rc1"), Equal);
    assert_eq!(c(Scheme::Maven, "2.0.1-xyz", "2.0.1-123"), Less);
}

#[test]
fn rpm_tilde_caret() {
    assert_eq!(c(Scheme::Rpm, "1.0~rc1", "1.0"), Less);
    assert_eq!(c(Scheme::Rpm, "1.0^git1", "1.0"), Greater);
    assert_eq!(c(Scheme::Rpm, "1.0^git1", "1.0.1"), Less);
    assert_eq!(c(Scheme::Rpm, "1:1.0-1.el8", "2.0-1.el8"), Greater);
    assert_eq!(c(Scheme::Rpm, "1.0-1.el8_5", "1.0-1.el8_6"), Less);
}

#[test]
fn semver_build_metadata_ignored() {
    assert_eq!(c(Scheme::Semver, "1.0.0+build.1", "1.0.0+build.2"), Equal);
    assert_eq!(c(Scheme::Semver, "1.0.0+build", "1.0.0"), Equal);
    assert_eq!(c(Scheme::Semver, "1.0.0-alpha+b", "1.0.0-alpha"), Equal);
    assert_eq!(c(Scheme::Semver, "1.0.0-alpha", "1.0.0"), Less);
    assert_eq!(c(Scheme::Semver, "1.0.0-beta.2", "1.0.0-beta.11"), Less);
    // but Pub orders build metadata
    assert_eq!(c(Scheme::Pub, "1.0.0+build", "1.0.0"), Greater);
    let r = VersRange::parse("vers:cargo/>=1.0.0|<1.0.1").unwrap();
    assert!(r.contains("1.0.0+build.5").unwrap());
}

fn osv(eco: &str, ranges: &str, versions: &str) -> OsvAffected {
    let s = format!(
        r#"{{"package":{{"ecosystem":"{eco}","name":"p"}},"ranges":{ranges},"versions":{versions}}}"#
    );
    serde_json::from_str(&s).expect("valid OSV affected JSON")
}

#[test]
fn osv_introduced_zero() {
    let a = osv(
        "PyPI",
        r#"[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"2.0"}]}]"#,
        "[]",
    );
    assert!(a.contains("0.0.0.dev0"));
    assert!(a.contains("1.9"));
    assert!(a.contains("2.0rc1"));
    assert!(!a.contains("2.0"));
}

#[test]
fn osv_last_affected_inclusive() {
    let a = osv(
        "npm",
        r#"[{"type":"SEMVER","events":[{"introduced":"1.0.0"},{"last_affected":"1.4.2"}]}]"#,
        "[]",
    );
    assert!(a.contains("1.4.2"));
    assert!(!a.contains("1.4.3"));
    assert!(a.contains("1.4.2+build"));
    let e = a.matcher().unwrap().explain("1.4.2");
    assert_eq!(
        e.text,
        "range 1: 1.4.2 >= introduced 1.0.0 and <= last_affected 1.4.2"
    );
    let e = a.matcher().unwrap().explain("1.5.0");
    assert_eq!(e.text, "range 1: 1.5.0 > last_affected 1.4.2");
}

#[test]
fn osv_multiple_pairs_unsorted() {
    // events deliberately out of order: the walk sorts them
    let a = osv(
        "Maven",
        r#"[{"type":"ECOSYSTEM","events":[{"introduced":"2.0"},{"fixed":"2.3.1"},{"introduced":"1.0"},{"fixed":"1.5"}]}]"#,
        "[]",
    );
    assert!(!a.contains("0.9"));
    assert!(a.contains("1.0"));
    assert!(a.contains("1.5-rc1"));
    assert!(!a.contains("1.5"));
    assert!(!a.contains("1.9"));
    assert!(a.contains("2.0"));
    assert!(a.contains("2.3"));
    assert!(!a.contains("2.3.1"));
    let e = a.matcher().unwrap().explain("1.7");
    assert_eq!(e.verdict, Verdict::NotAffected);
    assert_eq!(e.text, "range 1: 1.7 >= fixed 1.5");
}

#[test]
fn osv_limit() {
    let a = osv(
        "Go",
        r#"[{"type":"SEMVER","events":[{"introduced":"0"},{"limit":"1.5.0"}]}]"#,
        "[]",
    );
    assert!(a.contains("1.4.9"));
    assert!(!a.contains("1.5.0"));
    assert!(!a.contains("2.0.0"));
    let a = osv(
        "Go",
        r#"[{"type":"SEMVER","events":[{"introduced":"1.0.0"},{"fixed":"1.2.0"},{"introduced":"1.4.0"},{"limit":"1.6.0"}]}]"#,
        "[]",
    );
    assert!(a.contains("1.1.0"));
    assert!(!a.contains("1.3.0"));
    assert!(a.contains("1.5.0"));
    assert!(!a.contains("1.6.0"));
}

#[test]
fn osv_versions_list_and_git() {
    let a = osv(
        "Debian:12",
        r#"[{"type":"GIT","repo":"https://example.org/r.git","events":[{"introduced":"0"},{"fixed":"abcdef"}]}]"#,
        r#"["1.2-1","1.2-2"]"#,
    );
    let m = a.matcher().unwrap();
    assert!(m.contains("1.2-2"));
    assert!(!m.contains("1.2-3"));
    let e = m.explain("1.2-3");
    assert_eq!(e.verdict, Verdict::NotAffected);
    assert!(e.notes.iter().any(|n| n.contains("GIT")), "{e}");
    let git_only = osv(
        "Debian:12",
        r#"[{"type":"GIT","repo":"r","events":[{"introduced":"0"}]}]"#,
        "[]",
    );
    assert_eq!(
        git_only.matcher().unwrap().explain("1.0").verdict,
        Verdict::Unknown
    );
}

#[test]
fn nvd_bounds_and_exact() {
    let b = NvdBounds {
        version_start_excluding: Some("1.0".into()),
        version_end_including: Some("1.2.3".into()),
        ..Default::default()
    };
    assert!(!b.contains(Scheme::Generic, "1.0"));
    assert!(b.contains(Scheme::Generic, "1.0.1"));
    assert!(b.contains(Scheme::Generic, "1.2.3"));
    assert!(!b.contains(Scheme::Generic, "1.2.3a"));
    let b = NvdBounds::from_cpe23("cpe:2.3:a:zlib:zlib:1.2.11:*:*:*:*:*:*:*");
    assert!(b.contains(Scheme::Generic, "v1.2.11"));
    assert!(!b.contains(Scheme::Generic, "1.2.12"));
}

#[test]
fn ecosystem_and_purl_mapping() {
    for (e, s) in [
        ("PyPI", Scheme::Pep440),
        ("npm", Scheme::Semver),
        ("crates.io", Scheme::Semver),
        ("Go", Scheme::Semver),
        ("Maven", Scheme::Maven),
        ("Debian:11", Scheme::Debian),
        ("Ubuntu:22.04:LTS", Scheme::Debian),
        ("Alpine:v3.18", Scheme::Alpine),
        ("RubyGems", Scheme::RubyGems),
        ("NuGet", Scheme::NuGet),
        ("Packagist", Scheme::Composer),
        ("Hex", Scheme::Semver),
        ("Pub", Scheme::Pub),
        ("Rocky Linux:9", Scheme::Rpm),
        ("AlmaLinux:8", Scheme::Rpm),
        ("Red Hat:enterprise_linux:9::appstream", Scheme::Rpm),
        ("SUSE:Linux Enterprise Server 15 SP5", Scheme::Rpm),
    ] {
        assert_eq!(Scheme::from_ecosystem(e), Some(s), "{e}");
    }
    assert_eq!(Scheme::from_ecosystem("CRAN"), None);
    for (t, s) in [
        ("pypi", Scheme::Pep440),
        ("npm", Scheme::Semver),
        ("cargo", Scheme::Semver),
        ("golang", Scheme::Semver),
        ("maven", Scheme::Maven),
        ("deb", Scheme::Debian),
        ("rpm", Scheme::Rpm),
        ("apk", Scheme::Alpine),
        ("gem", Scheme::RubyGems),
        ("nuget", Scheme::NuGet),
        ("composer", Scheme::Composer),
        ("hex", Scheme::Semver),
        ("pub", Scheme::Pub),
        ("generic", Scheme::Generic),
        ("github", Scheme::Generic),
    ] {
        assert_eq!(Scheme::from_purl_type(t), Some(s), "{t}");
    }
}

#[test]
fn generic_firmware_versions() {
    let asc = ["v5.1", "5.1.0.1234", "R5.2", "2019-05-01"];
    for w in asc.windows(2) {
        assert_eq!(c(Scheme::Generic, w[0], w[1]), Less, "{} < {}", w[0], w[1]);
    }
    assert_eq!(c(Scheme::Generic, "1.2.3a", "1.2.3"), Greater);
    assert_eq!(c(Scheme::Generic, "2.4.10-p1", "2.4.10"), Greater);
    assert_eq!(c(Scheme::Generic, "2.4.10-p1", "2.4.9"), Greater);
}

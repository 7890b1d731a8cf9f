use super::*;
use postmarket_advisories::{CpeConfiguration, CpeMatch, CpeNode, Operator, VersionRange};

fn osv(id: &str, aliases: &[&str], eco: &str, name: &str, events: &[RangeEvent]) -> VulnRecord {
    let mut r = VulnRecord::new(Source::Osv, id);
    r.aliases = aliases.iter().map(|s| s.to_string()).collect();
    r.affected.push(Affected::Package(PackageAffected {
        ecosystem: Some(eco.into()),
        name: Some(name.into()),
        ranges: vec![VersionRange {
            kind: RangeKind::Ecosystem,
            repo: None,
            events: events.to_vec(),
        }],
        ..Default::default()
    }));
    r
}

fn intro(v: &str) -> RangeEvent {
    RangeEvent::Introduced(v.into())
}
fn fixed(v: &str) -> RangeEvent {
    RangeEvent::Fixed(v.into())
}

fn comp(name: &str, version: &str, purl: Option<&str>, cpe: Option<&str>) -> Component {
    Component {
        bom_ref: format!("ref-{name}-{version}"),
        name: name.into(),
        version: Some(version.into()),
        purl: purl.map(|p| PackageUrl::parse(p).unwrap().to_string()),
        cpe: cpe.map(str::to_string),
        ..Default::default()
    }
}

fn cm(vulnerable: bool, criteria: &str, end_excl: Option<&str>) -> CpeMatch {
    CpeMatch {
        vulnerable,
        criteria: criteria.into(),
        match_criteria_id: None,
        version_start_including: None,
        version_start_excluding: None,
        version_end_including: None,
        version_end_excluding: end_excl.map(str::to_string),
    }
}

fn node(op: Operator, m: Vec<CpeMatch>) -> CpeNode {
    CpeNode {
        operator: op,
        negate: false,
        cpe_match: m,
        children: Vec::new(),
    }
}

fn nvd(id: &str, op: Option<Operator>, nodes: Vec<CpeNode>) -> VulnRecord {
    let mut r = VulnRecord::new(Source::Nvd, id);
    r.affected.push(Affected::Cpe(CpeConfiguration {
        operator: op,
        negate: false,
        nodes,
    }));
    r
}

fn ids(f: &[Finding]) -> Vec<&str> {
    f.iter().map(|f| f.vulnerability.as_str()).collect()
}

#[test]
fn purl_range_hit_and_miss() {
    let r = osv(
        "RUSTSEC-2021-0003",
        &["CVE-2021-25900"],
        "crates.io",
        "smallvec",
        &[
            intro("0.6.3"),
            fixed("0.6.14"),
            intro("1.0.0"),
            fixed("1.6.1"),
        ],
    );
    let idx = Index::build([&r]);
    let hit = idx.match_component(&comp(
        "smallvec",
        "1.6.0",
        Some("pkg:cargo/smallvec@1.6.0"),
        None,
    ));
    assert_eq!(ids(&hit), ["CVE-2021-25900"]);
    let f = &hit[0];
    assert_eq!((f.kind, f.confidence), (MatchKind::Purl, 1.0));
    assert_eq!(f.record, "RUSTSEC-2021-0003");
    assert_eq!(f.aliases, ["RUSTSEC-2021-0003"]);
    assert_eq!(f.fixed.as_deref(), Some("1.6.1"));
    assert!(f.explanation.is_affected());
    assert!(
        f.explanation.text.contains("1.6.1"),
        "{}",
        f.explanation.text
    );
    assert_eq!(f.affected, ">=0.6.3 <0.6.14 | >=1.0.0 <1.6.1");
    // the older branch's fix is the fix for an older version
    let old = idx.match_component(&comp(
        "smallvec",
        "0.6.13",
        Some("pkg:cargo/smallvec@0.6.13"),
        None,
    ));
    assert_eq!(old[0].fixed.as_deref(), Some("0.6.14"));
    for v in ["1.6.1", "0.6.2", "0.6.14"] {
        let purl = format!("pkg:cargo/smallvec@{v}");
        assert!(
            idx.match_component(&comp("smallvec", v, Some(&purl), None))
                .is_empty(),
            "{v}"
        );
    }
    // another package with the same name in another ecosystem does not match
    assert!(idx
        .match_component(&comp(
            "smallvec",
            "1.6.0",
            Some("pkg:npm/smallvec@1.6.0"),
            None
        ))
        .is_empty());
}

#[test]
fn explicit_version_list_matches() {
    let mut r = VulnRecord::new(Source::Osv, "PYSEC-X");
    r.affected.push(Affected::Package(PackageAffected {
        ecosystem: Some("PyPI".into()),
        name: Some("Some_Pkg".into()),
        versions: vec!["1.0".into(), "1.2".into()],
        ..Default::default()
    }));
    let idx = Index::build([&r]);
    let f = idx.match_component(&comp(
        "some-pkg",
        "1.2",
        Some("pkg:pypi/some-pkg@1.2"),
        None,
    ));
    assert_eq!(ids(&f), ["PYSEC-X"]);
    assert!(
        f[0].explanation.text.contains("listed"),
        "{}",
        f[0].explanation.text
    );
    assert!(idx
        .match_component(&comp(
            "some-pkg",
            "1.1",
            Some("pkg:pypi/some-pkg@1.1"),
            None
        ))
        .is_empty());
}

/// Dependency-Track v4 compared Debian versions with a generic tokenizer: `1:1.0` (epoch 1) looked
/// older than `2.0`, a false positive. Under dpkg rules an epoch outranks everything after it.
#[test]
fn debian_epoch_no_false_positive() {
    let r = osv(
        "DSA-X",
        &["CVE-2099-0001"],
        "Debian:11",
        "foo",
        &[intro("0"), fixed("2.0-1")],
    );
    let idx = Index::build([&r]);
    let epoch = comp(
        "foo",
        "1:1.0-1",
        Some("pkg:deb/debian/foo@1:1.0-1?distro=debian-11"),
        None,
    );
    assert!(idx.match_component(&epoch).is_empty());
    let plain = comp(
        "foo",
        "1.9-3",
        Some("pkg:deb/debian/foo@1.9-3?distro=debian-11"),
        None,
    );
    assert_eq!(ids(&idx.match_component(&plain)), ["CVE-2099-0001"]);
    // `~` sorts before the empty string: 2.0~rc1 is below 2.0-1
    let tilde = comp(
        "foo",
        "2.0~rc1-1",
        Some("pkg:deb/debian/foo@2.0~rc1-1?distro=bullseye"),
        None,
    );
    assert_eq!(idx.match_component(&tilde).len(), 1);
    // a different release does not match; no distro qualifier matches with a note
    let other = comp(
        "foo",
        "1.9-3",
        Some("pkg:deb/debian/foo@1.9-3?distro=debian-12"),
        None,
    );
    assert!(idx.match_component(&other).is_empty());
    let bare = comp("foo", "1.9-3", Some("pkg:deb/debian/foo@1.9-3"), None);
    let f = idx.match_component(&bare);
    assert!(f[0].explanation.notes.iter().any(|n| n.contains("distro")));
}

/// Dependency-Track v4 also mis-ordered PEP 440 pre-releases: `2.0rc1` tokenised as newer than
/// `2.0`. PEP 440: `2.0rc1 < 2.0`, so a record fixed in 2.0rc1 does not hit 2.0, and a record
/// fixed in 2.0 hits 2.0rc1.
#[test]
fn pypi_prerelease_ordering() {
    let fixed_rc = osv(
        "PYSEC-A",
        &[],
        "PyPI",
        "pkg",
        &[intro("0"), fixed("2.0rc1")],
    );
    let fixed_final = osv("PYSEC-B", &[], "PyPI", "pkg", &[intro("0"), fixed("2.0")]);
    let idx = Index::build([&fixed_rc, &fixed_final]);
    let v2 = idx.match_component(&comp("pkg", "2.0", Some("pkg:pypi/pkg@2.0"), None));
    assert!(v2.is_empty(), "{:?}", ids(&v2));
    let rc = idx.match_component(&comp("pkg", "2.0rc1", Some("pkg:pypi/pkg@2.0rc1"), None));
    assert_eq!(ids(&rc), ["PYSEC-B"]);
    let dev = idx.match_component(&comp(
        "pkg",
        "2.0.dev1",
        Some("pkg:pypi/pkg@2.0.dev1"),
        None,
    ));
    assert_eq!(ids(&dev), ["PYSEC-A", "PYSEC-B"]);
}

const APP: &str = "cpe:2.3:a:acme:app:*:*:*:*:*:*:*:*";
const OS: &str = "cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*";

fn and_platform() -> VulnRecord {
    nvd(
        "CVE-2099-1000",
        Some(Operator::And),
        vec![
            node(Operator::Or, vec![cm(true, APP, Some("2.0"))]),
            node(Operator::Or, vec![cm(false, OS, None)]),
        ],
    )
}

#[test]
fn cpe_or_node_hits_within_bounds() {
    let r = nvd(
        "CVE-2099-1001",
        None,
        vec![node(
            Operator::Or,
            vec![
                cm(true, APP, Some("2.0")),
                cm(true, "cpe:2.3:a:other:thing:*:*:*:*:*:*:*:*", None),
            ],
        )],
    );
    let idx = Index::build([&r]);
    let c = comp(
        "app",
        "1.5",
        None,
        Some("cpe:2.3:a:acme:app:1.5:*:*:*:*:*:*:*"),
    );
    let f = idx.match_component(&c);
    assert_eq!(ids(&f), ["CVE-2099-1001"]);
    assert_eq!(f[0].kind, MatchKind::Cpe);
    assert_eq!(f[0].fixed.as_deref(), Some("2.0"));
    assert!(f[0].affected.ends_with("<2.0"), "{}", f[0].affected);
    let c2 = comp(
        "app",
        "2.0",
        None,
        Some("cpe:2.3:a:acme:app:2.0:*:*:*:*:*:*:*"),
    );
    let (f2, p2) = idx.match_component_with(&c2, &MatchOptions::default());
    assert!(
        f2.is_empty() && p2.is_empty(),
        "out of range must be neither a finding nor possible"
    );
}

#[test]
fn cpe_and_with_platform() {
    let idx = Index::build([&and_platform()]);
    let app = comp(
        "app",
        "1.0",
        None,
        Some("cpe:2.3:a:acme:app:1.0:*:*:*:*:*:*:*"),
    );
    // alone: the platform is not shown → a possible match naming it, not a finding
    let (f, p) = idx.match_component_with(&app, &MatchOptions::default());
    assert!(f.is_empty());
    assert_eq!(ids(&p), ["CVE-2099-1000"]);
    assert!(p[0].explanation.notes.iter().any(|n| n.contains("windows")));
    // in an SBOM that lists the platform → a finding whose explanation names the platform component
    let os = Component {
        bom_ref: "os".into(),
        name: "Windows".into(),
        cpe: Some("cpe:2.3:o:microsoft:windows:-:*:*:*:*:*:*:*".into()),
        ..Default::default()
    };
    let sbom = Sbom {
        format: postmarket_sbom::Format::CycloneDxJson,
        metadata: Default::default(),
        components: vec![app.clone(), os.clone()],
        dependencies: vec![],
    };
    let rep = idx.match_sbom(&sbom);
    assert_eq!(ids(&rep.findings), ["CVE-2099-1000"]);
    assert_eq!(rep.findings[0].component.bom_ref, app.bom_ref);
    assert!(rep.findings[0]
        .explanation
        .notes
        .iter()
        .any(|n| n.contains("met by component os")));
    // the platform entry (vulnerable: false) never matches on its own: the OS gets no finding
    assert!(idx.match_component(&os).is_empty());
    let (_, p) = idx.match_component_with(&os, &MatchOptions::default());
    assert!(p.is_empty());
}

#[test]
fn cpe_negated_node() {
    // vulnerable app unless running on windows (negated platform node)
    let mut n2 = node(Operator::Or, vec![cm(false, OS, None)]);
    n2.negate = true;
    let r = nvd(
        "CVE-2099-1002",
        Some(Operator::And),
        vec![node(Operator::Or, vec![cm(true, APP, None)]), n2],
    );
    let idx = Index::build([&r]);
    let app = comp(
        "app",
        "1.0",
        None,
        Some("cpe:2.3:a:acme:app:1.0:*:*:*:*:*:*:*"),
    );
    let os = Component {
        bom_ref: "os".into(),
        cpe: Some(OS.into()),
        ..Default::default()
    };
    let sbom = |cs: Vec<Component>| Sbom {
        format: postmarket_sbom::Format::CycloneDxJson,
        metadata: Default::default(),
        components: cs,
        dependencies: vec![],
    };
    assert!(idx
        .match_sbom(&sbom(vec![app.clone(), os]))
        .findings
        .is_empty());
    // without the OS in the SBOM it is unknown → possible match
    let rep = idx.match_sbom(&sbom(vec![app]));
    assert!(rep.findings.is_empty());
    assert_eq!(rep.possible_matches.len(), 1);
}

fn openssl_nvd() -> VulnRecord {
    nvd(
        "CVE-2022-3602",
        None,
        vec![node(
            Operator::Or,
            vec![CpeMatch {
                version_start_including: Some("3.0.0".into()),
                ..cm(
                    true,
                    "cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*",
                    Some("3.0.7"),
                )
            }],
        )],
    )
}

#[test]
fn heuristic_above_threshold_is_a_finding() {
    let idx = Index::build([&openssl_nvd()]);
    let c = comp("OpenSSL", "3.0.6", Some("pkg:generic/openssl@3.0.6"), None);
    let f = idx.match_component(&c);
    assert_eq!(ids(&f), ["CVE-2022-3602"]);
    assert_eq!(f[0].kind, MatchKind::Heuristic);
    assert!((f[0].confidence - 0.8).abs() < 1e-9);
    assert!(f[0].reason.contains("own vendor"), "{}", f[0].reason);
    // the GitHub owner naming the vendor raises confidence
    let g = comp(
        "openssl",
        "3.0.6",
        Some("pkg:github/openssl/openssl@3.0.6"),
        None,
    );
    assert!((idx.match_component(&g)[0].confidence - 0.95).abs() < 1e-9);
    // out of range: nothing
    let c2 = comp("openssl", "3.0.7", Some("pkg:generic/openssl@3.0.7"), None);
    assert!(idx.match_component(&c2).is_empty());
    // a real-ecosystem purl does not go through the heuristic
    let p = comp("openssl", "3.0.6", Some("pkg:pypi/openssl@3.0.6"), None);
    assert!(idx.match_component(&p).is_empty());
}

#[test]
fn heuristic_below_threshold_is_possible() {
    let r = nvd(
        "CVE-2099-2000",
        None,
        vec![node(
            Operator::Or,
            vec![cm(
                true,
                "cpe:2.3:a:somevendor:widget:*:*:*:*:*:*:*:*",
                Some("5"),
            )],
        )],
    );
    let idx = Index::build([&r]);
    let c = comp("widget", "4.1", None, None);
    let (f, p) = idx.match_component_with(&c, &MatchOptions::default());
    assert!(f.is_empty());
    assert_eq!(ids(&p), ["CVE-2099-2000"]);
    assert!((p[0].confidence - 0.6).abs() < 1e-9);
    assert!(p[0].reason.contains("no vendor evidence"));
    // a lower threshold admits it; a supplier naming the vendor admits it at the default
    let lax = MatchOptions {
        threshold: 0.5,
        ..Default::default()
    };
    assert_eq!(idx.match_component_with(&c, &lax).0.len(), 1);
    let mut s = c.clone();
    s.supplier = Some("SomeVendor Inc".into());
    assert_eq!(ids(&idx.match_component(&s)), ["CVE-2099-2000"]);
}

#[test]
fn withdrawn_never_matches() {
    let mut w = osv(
        "GHSA-xxxx",
        &["CVE-2099-3000"],
        "npm",
        "left-pad",
        &[intro("0")],
    );
    w.withdrawn = true;
    let mut rej = openssl_nvd();
    rej.withdrawn = true;
    let idx = Index::build([&w, &rej]);
    assert_eq!(idx.stats().withdrawn_skipped, 2);
    assert!(idx
        .match_component(&comp(
            "left-pad",
            "1.0.0",
            Some("pkg:npm/left-pad@1.0.0"),
            None
        ))
        .is_empty());
    let c = comp(
        "openssl",
        "3.0.6",
        None,
        Some("cpe:2.3:a:openssl:openssl:3.0.6:*:*:*:*:*:*:*"),
    );
    let (f, p) = idx.match_component_with(&c, &MatchOptions::default());
    assert!(f.is_empty() && p.is_empty());
}

#[test]
fn aliases_collapse_to_one_finding() {
    // OSV (PyPI) + GHSA aliasing the same CVE + the NVD record with a CPE: one finding, purl wins
    let a = osv(
        "PYSEC-2019-217",
        &["CVE-2019-10906"],
        "PyPI",
        "jinja2",
        &[intro("0"), fixed("2.10.1")],
    );
    let b = osv(
        "GHSA-462w-v97r-4m45",
        &["cve-2019-10906"],
        "PyPI",
        "Jinja2",
        &[intro("0"), fixed("2.10.1")],
    );
    let n = nvd(
        "CVE-2019-10906",
        None,
        vec![node(
            Operator::Or,
            vec![cm(
                true,
                "cpe:2.3:a:palletsprojects:jinja:*:*:*:*:*:*:*:*",
                Some("2.10.1"),
            )],
        )],
    );
    let idx = Index::build([&a, &b, &n]);
    let c = comp(
        "jinja2",
        "2.10",
        Some("pkg:pypi/jinja2@2.10"),
        Some("cpe:2.3:a:palletsprojects:jinja:2.10:*:*:*:*:*:*:*"),
    );
    let f = idx.match_component(&c);
    assert_eq!(ids(&f), ["CVE-2019-10906"]);
    assert_eq!(f[0].kind, MatchKind::Purl);
    assert_eq!(f[0].also_matched.len(), 2, "{:?}", f[0].also_matched);
    assert!(f[0].aliases.contains(&"PYSEC-2019-217".to_string()));
    assert!(f[0].aliases.contains(&"GHSA-462w-v97r-4m45".to_string()));
}

#[test]
fn vex_suppresses_but_keeps_visible() {
    let r = osv(
        "RUSTSEC-2021-0003",
        &["CVE-2021-25900"],
        "crates.io",
        "smallvec",
        &[intro("1.0.0"), fixed("1.6.1")],
    );
    let idx = Index::build([&r]);
    let c = comp("smallvec", "1.6.0", Some("pkg:cargo/smallvec@1.6.0"), None);
    let opts = MatchOptions {
        vex: vec![VexStatement {
            // an alias id and a version-less purl: both honoured
            vulnerability: "RUSTSEC-2021-0003".into(),
            component: "pkg:cargo/smallvec".into(),
            status: VexStatus::NotAffected,
            justification: Some("vulnerable_code_not_in_execute_path".into()),
        }],
        ..Default::default()
    };
    let (f, _) = idx.match_component_with(&c, &opts);
    assert_eq!(f.len(), 1);
    assert!(f[0].is_suppressed());
    assert_eq!(
        f[0].vex.as_ref().unwrap().justification.as_deref(),
        Some("vulnerable_code_not_in_execute_path")
    );
    // under_investigation annotates without suppressing; another component is untouched
    let mut o2 = opts.clone();
    o2.vex[0].status = VexStatus::UnderInvestigation;
    assert!(!idx.match_component_with(&c, &o2).0[0].is_suppressed());
    let mut o3 = opts.clone();
    o3.vex[0].component = "pkg:cargo/smallvec@1.5.0".into();
    assert!(idx.match_component_with(&c, &o3).0[0].vex.is_none());
}

#[test]
fn keys_touched_select_components() {
    let r = osv(
        "RUSTSEC-2021-0003",
        &[],
        "crates.io",
        "smallvec",
        &[intro("0")],
    );
    let n = openssl_nvd();
    let touched = Index::keys_touched(&[r, n]);
    assert!(touched.packages.contains("cargo/smallvec"));
    assert!(touched.cpes.contains("openssl:openssl"));
    let hit = [
        comp("smallvec", "1.0.0", Some("pkg:cargo/smallvec@1.0.0"), None),
        comp(
            "x",
            "1",
            None,
            Some("cpe:2.3:a:openssl:openssl:1:*:*:*:*:*:*:*"),
        ),
        comp("OpenSSL", "1", Some("pkg:generic/openssl@1"), None),
    ];
    for c in &hit {
        assert!(Index::component_keys(c).intersects(&touched), "{}", c.name);
    }
    let miss = comp("serde", "1.0.0", Some("pkg:cargo/serde@1.0.0"), None);
    assert!(!Index::component_keys(&miss).intersects(&touched));
}

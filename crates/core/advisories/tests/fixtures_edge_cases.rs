//! Edge cases on the crate's own fixtures: each format, malformed records in the middle of a
//! file (reported with location, the others still parse), strict mode, unreadable input.

mod common;

use common::fixture;
use postmarket_advisories::*;
use std::io::Write;

fn named(n: &str) -> ParseOptions {
    ParseOptions::named(n)
}

#[test]
fn nvd_api2_page_fields_and_rejected() {
    let p = nvd::parse_api2(&fixture("nvd-api-page.json"), &named("page")).unwrap();
    assert_eq!(p.info.total_results, Some(3));
    assert_eq!(p.info.start_index, Some(0));
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    assert_eq!(p.records.len(), 3);
    let r = &p.records[0];
    assert_eq!(r.source, Source::Nvd);
    assert_eq!(
        r.details.as_deref(),
        Some("A buffer overflow in Example Pump firmware.")
    );
    assert_eq!(r.cwes, vec!["CWE-787"]);
    assert_eq!(r.published.unwrap().year(), 2099);
    assert_eq!(r.modified.unwrap().millisecond(), 123);
    assert_eq!(r.scores.len(), 4);
    let primary = r
        .scores
        .iter()
        .find(|s| s.kind == ScoreKind::Primary && s.version == CvssVersion::V3_1)
        .unwrap();
    assert_eq!(primary.source, "nvd@nist.gov");
    assert_eq!(primary.base_score, Some(9.8));
    let cna = r
        .scores
        .iter()
        .find(|s| s.kind == ScoreKind::Secondary && s.version == CvssVersion::V3_1)
        .unwrap();
    assert_eq!(cna.source, "psirt@example.test");
    let v2 = r
        .scores
        .iter()
        .find(|s| s.version == CvssVersion::V2)
        .unwrap();
    assert_eq!(v2.severity.as_deref(), Some("HIGH"));
    assert!(r
        .scores
        .iter()
        .any(|s| s.version == CvssVersion::V4_0 && s.base_score == Some(9.3)));
    let Affected::Cpe(cfg) = &r.affected[0] else {
        panic!()
    };
    assert_eq!(cfg.operator, Some(Operator::And));
    assert_eq!(cfg.nodes.len(), 2);
    assert!(cfg.nodes[1].negate);
    let m = &cfg.nodes[0].cpe_match[0];
    assert!(m.vulnerable);
    assert_eq!(m.version_start_including.as_deref(), Some("1.0"));
    assert_eq!(m.version_end_excluding.as_deref(), Some("2.4.1"));
    assert_eq!(m.match_criteria_id.as_deref(), Some("AAAA-1"));
    assert_eq!(r.references[0].tags, vec!["Vendor Advisory"]);
    // Rejected: kept, marked.
    let rej = &p.records[1];
    assert!(rej.withdrawn);
    assert_eq!(rej.status.as_deref(), Some("Rejected"));
    assert!(!p.records[2].withdrawn);
    assert!(p.records[2].scores.is_empty());
}

#[test]
fn nvd_api2_malformed_middle_record() {
    let bytes = fixture("nvd-api-malformed.json");
    let p = nvd::parse_api2(&bytes, &named("bad-page.json")).unwrap();
    let ids: Vec<_> = p.records.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["CVE-2099-0101", "CVE-2099-0103"]);
    assert_eq!(p.diagnostics.len(), 1);
    let d = &p.diagnostics[0];
    assert_eq!(d.file.as_deref(), Some("bad-page.json"));
    assert_eq!(d.location, Location::Pointer("/vulnerabilities/1".into()));
    assert!(d.message.contains("malformed record"), "{d}");
    // Strict: the first diagnostic is an error carrying the same location.
    match nvd::parse_api2(&bytes, &named("bad-page.json").strict(true)) {
        Err(Error::Strict(sd)) => assert_eq!(sd.location, d.location),
        other => panic!("expected strict error, got {other:?}"),
    }
    // Unreadable input names the place.
    let e = nvd::parse_api2(&bytes[..bytes.len() / 2], &named("cut.json")).unwrap_err();
    assert!(
        matches!(&e, Error::Unreadable { place, .. } if place == "cut.json"),
        "{e}"
    );
    assert!(e.to_string().contains("line"), "{e}");
}

#[test]
fn nvd11_feed_plain_and_gzip() {
    let plain = fixture("nvd11-feed.json");
    for bytes in [plain.clone(), common::gzip(&plain)] {
        let f = nvd::parse_feed11(&bytes, &named("feed")).unwrap();
        assert_eq!(f.declared_count, Some(2));
        assert_eq!(f.records.len(), 2);
        let r = &f.records[0];
        assert_eq!(r.source, Source::Nvd11);
        assert_eq!(r.cwes, vec!["CWE-79"]);
        assert_eq!(r.scores.len(), 2);
        assert_eq!(r.scores[0].version, CvssVersion::V3_0);
        assert_eq!(r.scores[1].version, CvssVersion::V2);
        assert_eq!(r.scores[1].severity.as_deref(), Some("MEDIUM"));
        let Affected::Cpe(cfg) = &r.affected[0] else {
            panic!()
        };
        assert_eq!(cfg.nodes[0].operator, Operator::And);
        assert_eq!(cfg.nodes[0].children.len(), 2);
        assert_eq!(
            cfg.nodes[0].children[0].cpe_match[0]
                .version_end_including
                .as_deref(),
            Some("3.2")
        );
        assert!(!cfg.nodes[0].children[1].cpe_match[0].vulnerable);
        assert!(f.records[1].withdrawn);
        assert!(f.records[1].affected.is_empty());
    }
    assert_eq!(detect(&common::gzip(&plain)), Kind::Nvd11);
}

#[test]
fn cve5_cna_adp_and_rejected() {
    let p = cve5::parse(&fixture("cve5-adp.json"), &named("cve5")).unwrap();
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let r = &p.records[0];
    assert_eq!(r.id, "CVE-2099-2000");
    assert_eq!(
        r.summary.as_deref(),
        Some("ExampleMed Monitor hard-coded credentials")
    );
    assert_eq!(r.cwes, vec!["CWE-798"]);
    assert_eq!(r.related, vec!["ICSMA-99-001-01"]);
    assert_eq!(r.scores.len(), 2);
    assert_eq!(
        (r.scores[0].source.as_str(), r.scores[0].kind),
        ("ExampleMed", ScoreKind::Primary)
    );
    assert_eq!(
        (r.scores[1].source.as_str(), r.scores[1].kind),
        ("CISA-ADP", ScoreKind::Secondary)
    );
    let prods: Vec<_> = r
        .affected
        .iter()
        .map(|a| match a {
            Affected::Product(p) => p,
            _ => panic!(),
        })
        .collect();
    assert_eq!(prods.len(), 2);
    assert_eq!(prods[0].container, "cna");
    assert_eq!(prods[0].versions[0].less_than.as_deref(), Some("4.2"));
    assert_eq!(
        prods[0].versions[1].less_than_or_equal.as_deref(),
        Some("5.3")
    );
    assert_eq!(prods[1].container, "CISA-ADP");
    assert_eq!(prods[1].cpes.len(), 1);

    let rej = cve5::parse(&fixture("cve5-rejected.json"), &named("rej")).unwrap();
    assert!(rej.records[0].withdrawn);
    assert_eq!(rej.records[0].status.as_deref(), Some("REJECTED"));
    assert!(rej.records[0]
        .details
        .as_deref()
        .unwrap()
        .contains("duplicate"));
}

#[test]
fn osv_withdrawn_and_ignored_database_specific() {
    let p = osv::parse(&fixture("osv-withdrawn.json"), &named("w")).unwrap();
    assert!(p.diagnostics.is_empty());
    let r = &p.records[0];
    assert!(r.withdrawn);
    assert_eq!(r.aliases, vec!["CVE-2099-3000"]);
    assert_eq!(r.related, vec!["CVE-2099-3999"]);
    assert_eq!(r.scores[0].version, CvssVersion::V3_1);
    assert_eq!(r.scores[0].source, "GHSA");
    let Affected::Package(pk) = &r.affected[0] else {
        panic!()
    };
    assert_eq!(pk.purl.as_deref(), Some("pkg:npm/left-pad-ng"));
    assert_eq!(pk.versions, vec!["1.0.0", "1.2.2"]);
    assert_eq!(pk.ranges[0].kind, RangeKind::Semver);
    assert_eq!(
        pk.ranges[0].events,
        vec![
            RangeEvent::Introduced("0".into()),
            RangeEvent::Fixed("1.2.3".into())
        ]
    );
}

#[test]
fn osv_yaml_git_range_limit_last_affected() {
    let bytes = fixture("osv-git.yaml");
    assert_eq!(detect(&bytes), Kind::Osv);
    let p = osv::parse(&bytes, &named("git.yaml")).unwrap();
    assert!(p.diagnostics.is_empty(), "{:?}", p.diagnostics);
    let r = &p.records[0];
    assert_eq!(r.aliases, vec!["CVE-2099-4000", "GHSA-aaaa-bbbb-cccc"]);
    assert_eq!(r.modified.unwrap().year(), 2099);
    let Affected::Package(pk) = &r.affected[0] else {
        panic!()
    };
    let git = &pk.ranges[0];
    assert_eq!(git.kind, RangeKind::Git);
    assert_eq!(
        git.repo.as_deref(),
        Some("https://git.example.test/examplepkg")
    );
    assert_eq!(
        git.events,
        vec![
            RangeEvent::Introduced("0".into()),
            RangeEvent::Fixed("3f2a9c1d0b".into()),
            RangeEvent::Limit("9e8d7c6b5a".into())
        ]
    );
    // Unquoted YAML numbers stay raw version strings ("1.10", not 1.1).
    assert_eq!(
        pk.ranges[1].events[0],
        RangeEvent::Introduced("1.10".into())
    );
    assert_eq!(
        pk.ranges[1].events[1],
        RangeEvent::LastAffected("2.0.1".into())
    );
    assert_eq!(pk.versions, vec!["1.10", "2.0.0", "2.0.1"]);
}

#[test]
fn osv_malformed_middle_record_and_unknown_ecosystem() {
    let bytes = fixture("osv-array-malformed.json");
    let p = osv::parse(&bytes, &named("arr.json")).unwrap();
    let ids: Vec<_> = p.records.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["RUSTSEC-2099-0001", "RUSTSEC-2099-0003"]);
    assert_eq!(p.diagnostics.len(), 1);
    assert_eq!(p.diagnostics[0].location, Location::Pointer("/1".into()));
    // Unknown ecosystem kept, and reportable.
    let Affected::Package(pk) = &p.records[1].affected[0] else {
        panic!()
    };
    assert_eq!(pk.ecosystem.as_deref(), Some("FutureEco:42"));
    assert!(!osv::is_known_ecosystem("FutureEco:42"));
    assert!(osv::is_known_ecosystem("Debian:11"));
    assert!(matches!(
        osv::parse(&bytes, &named("arr.json").strict(true)),
        Err(Error::Strict(_))
    ));
    // Malformed YAML syntax is unreadable; wrong shape is a diagnostic with a line.
    assert!(matches!(
        osv::parse(b"id: [unclosed\n", &named("y")),
        Err(Error::Unreadable { .. })
    ));
    let p = osv::parse(
        b"id: OSV-1\nmodified: 2099-01-01T00:00:00Z\naliases: 7\n",
        &named("y"),
    )
    .unwrap();
    assert!(p.records.is_empty());
    assert!(
        matches!(p.diagnostics[0].location, Location::Line(_)),
        "{:?}",
        p.diagnostics
    );
}

fn make_zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in entries {
        w.start_file(*name, o).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn osv_zip_archive_limits_and_traversal() {
    let good = fixture("osv-withdrawn.json");
    let arr = fixture("osv-array-malformed.json");
    let z = make_zip(&[
        ("GHSA-xxxx-yyyy-zzzz.json", &good),
        ("bad.json", b"{not json"),
        ("arr.json", &arr),
        ("README", b"hi"),
    ]);
    assert_eq!(detect(&z), Kind::OsvZip);
    let p = osv::parse_zip_bytes(&z, &named("all.zip")).unwrap();
    assert_eq!(p.records.len(), 3);
    assert_eq!(p.diagnostics.len(), 2, "{:?}", p.diagnostics);
    assert!(p
        .diagnostics
        .iter()
        .any(|d| d.file.as_deref() == Some("all.zip!/bad.json") && d.location == Location::File));
    assert!(p
        .diagnostics
        .iter()
        .any(|d| d.file.as_deref() == Some("all.zip!/arr.json")
            && d.location == Location::Pointer("/1".into())));

    // Path traversal refused before anything is read.
    let evil = make_zip(&[("ok.json", &good), ("../../etc/evil.json", &good)]);
    let e = osv::parse_zip_bytes(&evil, &named("evil.zip")).unwrap_err();
    assert!(
        matches!(&e, Error::ArchiveRefused { message, .. } if message.contains("traversal")),
        "{e}"
    );
    let abs = make_zip(&[("/abs.json", &good)]);
    assert!(matches!(
        osv::parse_zip_bytes(&abs, &named("abs.zip")),
        Err(Error::ArchiveRefused { .. })
    ));

    // Size caps: a highly compressible entry over the total limit is refused.
    let big = vec![b' '; 2 << 20];
    let bomb = make_zip(&[("a.json", &big), ("b.json", &big)]);
    let lim = Limits {
        max_total_uncompressed: 3 << 20,
        max_entry_uncompressed: 4 << 20,
        max_entries: 10,
    };
    let e = osv::parse_zip_bytes(&bomb, &named("bomb.zip").with_limits(lim)).unwrap_err();
    assert!(matches!(e, Error::ArchiveRefused { .. }), "{e}");
    let lim1 = Limits {
        max_entry_uncompressed: 1 << 20,
        ..lim
    };
    assert!(matches!(
        osv::parse_zip_bytes(&bomb, &named("bomb.zip").with_limits(lim1)),
        Err(Error::ArchiveRefused { .. })
    ));

    // Truncated archive: unreadable, named.
    let e = osv::parse_zip_bytes(&z[..z.len() - 30], &named("cut.zip")).unwrap_err();
    assert!(e.to_string().contains("cut.zip"), "{e}");
}

#[test]
fn osv_directory_walk_reports_bad_file() {
    let dir = std::env::temp_dir().join(format!("pm-adv-osvdir-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("a.json"), fixture("osv-withdrawn.json")).unwrap();
    std::fs::write(dir.join("sub/b.yaml"), fixture("osv-git.yaml")).unwrap();
    std::fs::write(dir.join("sub/c.json"), b"[1,").unwrap();
    std::fs::write(dir.join("notes.txt"), b"ignored").unwrap();
    let p = osv::parse_dir(&dir, &ParseOptions::default()).unwrap();
    assert_eq!(p.records.len(), 2);
    assert_eq!(p.diagnostics.len(), 1);
    assert!(p.diagnostics[0]
        .file
        .as_deref()
        .unwrap()
        .ends_with("c.json"));
    assert!(osv::parse_dir(&dir, &ParseOptions::default().strict(true)).is_err());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn epss_official_gzip_plain_and_semicolon() {
    let plain = fixture("epss-official.csv");
    for bytes in [plain.clone(), common::gzip(&plain)] {
        assert_eq!(detect(&bytes), Kind::Epss);
        let s = epss::parse(&bytes, &named("epss")).unwrap();
        assert_eq!(s.model_version.as_deref(), Some("v2099.01.01"));
        assert_eq!(
            s.score_date_raw.as_deref(),
            Some("2099-01-02T00:00:00+0000")
        );
        assert_eq!(s.score_date.unwrap().day(), 2);
        assert_eq!(s.rows.len(), 3);
        assert_eq!(s.rows[2].cve, "CVE-2099-10000");
        assert_eq!(s.rows[1].epss, 0.97117);
        assert!(s.diagnostics.is_empty());
    }
    let semi = fixture("epss-semicolon.csv");
    assert_eq!(detect(&semi), Kind::Epss);
    let s = epss::parse(&semi, &named("semi")).unwrap();
    assert_eq!(s.delimiter, ';');
    assert_eq!(s.model_version, None);
    assert_eq!(s.rows.len(), 3);
    assert_eq!(s.rows[0].percentile, 0.99987);
}

#[test]
fn epss_bad_rows_reported_by_line() {
    let s = epss::parse(&fixture("epss-bad.csv"), &named("bad.csv")).unwrap();
    let cves: Vec<_> = s.rows.iter().map(|r| r.cve.as_str()).collect();
    assert_eq!(cves, ["CVE-2099-0001", "CVE-2099-0006"]);
    let lines: Vec<_> = s.diagnostics.iter().map(|d| d.location.clone()).collect();
    assert_eq!(lines, [4, 5, 6, 7, 8].map(Location::Line));
    assert!(s.diagnostics[0].message.contains("outside [0, 1]"));
    assert!(
        matches!(epss::parse(&fixture("epss-bad.csv"), &named("bad.csv").strict(true)), Err(Error::Strict(d)) if d.location == Location::Line(4))
    );
    // Not an EPSS header at all.
    assert!(epss::parse(b"a,b,c\n1,2,3\n", &named("x")).is_err());
}

#[test]
fn kev_csv_and_json_with_bad_rows() {
    let c = kev::parse_csv(&fixture("kev.csv"), &named("kev.csv")).unwrap();
    assert_eq!(c.entries.len(), 2);
    let e = &c.entries[0];
    assert_eq!(e.product, "Infusion, Pump");
    assert_eq!(
        e.short_description,
        "Command injection, via \"debug\" port."
    );
    assert_eq!(e.cwes, vec!["CWE-77", "CWE-78"]);
    assert_eq!(e.known_ransomware_campaign_use.as_deref(), Some("Known"));
    assert_eq!(e.due_date.as_deref(), Some("2099-01-22"));
    assert_eq!(c.diagnostics.len(), 1);
    assert_eq!(c.diagnostics[0].location, Location::Line(3));
    assert!(kev::parse_csv(&fixture("kev.csv"), &named("kev.csv").strict(true)).is_err());
    assert_eq!(detect(&fixture("kev.csv")), Kind::KevCsv);

    let j = kev::parse_json(&fixture("kev.json"), &named("kev.json")).unwrap();
    assert_eq!(j.catalog_version.as_deref(), Some("2099.01.02"));
    assert_eq!(j.declared_count, Some(3));
    assert_eq!(j.entries.len(), 2);
    assert_eq!(
        j.diagnostics[0].location,
        Location::Pointer("/vulnerabilities/1".into())
    );
    let r = j.entries[0].to_record();
    assert_eq!((r.source, r.id.as_str()), (Source::Kev, "CVE-2099-6000"));
    assert_eq!(r.published.unwrap().year(), 2099);
}

#[test]
fn csaf_product_tree_and_vulnerabilities() {
    let d = csaf::parse(&fixture("csaf-small.json"), &named("csaf.json")).unwrap();
    assert_eq!(d.tracking.id, "ICSMA-99-001-01");
    assert_eq!(d.tracking.revision_history.len(), 2);
    assert_eq!(d.products.len(), 4);
    let p1 = &d.products["CSAFPID-0001"];
    assert_eq!(p1.branch_path, vec!["ExampleMed", "Monitor", "<4.2"]);
    assert!(p1.cpe.is_some());
    assert_eq!(
        d.products["CSAFPID-0002"].purl.as_deref(),
        Some("pkg:generic/examplemed/monitor@4.2")
    );
    assert_eq!(
        d.relationships[0].relates_to_product_reference,
        "CSAFPID-0003"
    );
    assert_eq!(
        d.expand_group("CSAFGID-1"),
        vec!["CSAFPID-0001", "CSAFPID-0004"]
    );
    // The malformed second vulnerability is a diagnostic; the unknown product id in the third too.
    assert_eq!(d.vulnerabilities.len(), 2);
    let locs: Vec<_> = d
        .diagnostics
        .iter()
        .map(|x| x.location.to_string())
        .collect();
    assert_eq!(
        locs,
        [
            "/vulnerabilities/1",
            "/vulnerabilities/2/product_status/under_investigation"
        ]
    );
    let v = &d.vulnerabilities[0];
    assert_eq!(v.scores.len(), 2);
    assert_eq!(v.remediations[1].group_ids, vec!["CSAFGID-1"]);
    assert_eq!(v.threats[0].category, "impact");
    let recs = d.to_records();
    assert_eq!(recs[0].id, "CVE-2099-2000");
    assert_eq!(recs[0].related, vec!["ICSMA-99-001-01"]);
    assert_eq!(recs[0].scores[0].source, "CISA");
    assert_eq!(
        recs[0].scores[0].products,
        vec!["CSAFPID-0001", "CSAFPID-0004"]
    );
    let statuses: Vec<_> = recs[0]
        .affected
        .iter()
        .map(|a| match a {
            Affected::Csaf(s) => (s.status.as_str(), s.product_id.as_str()),
            _ => panic!(),
        })
        .collect();
    assert!(statuses.contains(&("fixed", "CSAFPID-0002")));
    assert!(statuses.contains(&("known_not_affected", "CSAFPID-0003")));
    // No CVE: id from tracking id; GHSA from ids[] becomes an alias (merge key), the vendor id related.
    assert_eq!(recs[1].id, "ICSMA-99-001-01#2");
    assert_eq!(recs[1].aliases, vec!["GHSA-mmmm-nnnn-pppp"]);
    assert!(recs[1].related.contains(&"EXM-2099-17".to_string()));
    assert!(csaf::parse(
        &fixture("csaf-small.json"),
        &named("csaf.json").strict(true)
    )
    .is_err());
    // A document without a usable header is unreadable.
    assert!(matches!(
        csaf::parse(br#"{"document": {"title": 1}}"#, &named("h")),
        Err(Error::Unreadable { .. })
    ));
}

#[test]
fn csaf_discovery_helpers() {
    let f = discovery::parse_rolie_feed(&fixture("rolie-feed.json"), &named("feed")).unwrap();
    assert_eq!(f.entries.len(), 2);
    assert_eq!(f.diagnostics.len(), 1);
    assert_eq!(
        f.entries[1].sha512_url(),
        Some("https://example.test/2099/va-99-002-01.json.sha512")
    );
    assert_eq!(
        f.entries[1].signature_url.as_deref(),
        Some("https://example.test/2099/va-99-002-01.json.asc")
    );
    let pm = discovery::parse_provider_metadata(&fixture("provider-metadata.json"), &named("pm"))
        .unwrap();
    assert_eq!(
        pm.feed_urls(),
        vec![
            "https://example.test/feed-white.json",
            "https://example.test/feed-green.json"
        ]
    );
    assert_eq!(
        pm.distributions[1].directory_url.as_deref(),
        Some("https://example.test/csaf/")
    );
    let c = discovery::parse_changes_csv(&fixture("changes.csv"), &named("changes.csv")).unwrap();
    assert_eq!(c.entries.len(), 2);
    assert_eq!(c.diagnostics[0].location, Location::Line(3));
    let doc = fixture("csaf-small.json");
    let sha = format!("{}  icsma-99-001-01.json\n", discovery::sha512_hex(&doc));
    discovery::verify_sha512(
        &doc,
        sha.as_bytes(),
        Some("icsma-99-001-01.json"),
        &named("x"),
    )
    .unwrap();
    assert!(
        discovery::verify_sha512(&doc, sha.as_bytes(), Some("other.json"), &named("x")).is_err()
    );
    assert!(discovery::verify_sha512(&doc[1..], sha.as_bytes(), None, &named("x")).is_err());
    assert!(discovery::verify_sha512(&doc, b"zz", None, &named("x")).is_err());
}

#[test]
fn detect_every_fixture_and_parse_any() {
    for (name, kind) in [
        ("nvd-api-page.json", Kind::Nvd),
        ("nvd11-feed.json", Kind::Nvd11),
        ("cve5-adp.json", Kind::Cve5),
        ("cve5-rejected.json", Kind::Cve5),
        ("osv-withdrawn.json", Kind::Osv),
        ("osv-git.yaml", Kind::Osv),
        ("osv-array-malformed.json", Kind::Osv),
        ("epss-semicolon.csv", Kind::Epss),
        ("epss-official.csv", Kind::Epss),
        ("kev.csv", Kind::KevCsv),
        ("kev.json", Kind::Kev),
        ("csaf-small.json", Kind::Csaf),
        ("rolie-feed.json", Kind::RolieFeed),
        ("provider-metadata.json", Kind::CsafProviderMetadata),
        ("changes.csv", Kind::CsafChanges),
    ] {
        let b = fixture(name);
        assert_eq!(detect(&b), kind, "{name}");
        let (k, out) = parse_any(&b, None, &named(name)).unwrap();
        assert_eq!(k, kind);
        assert!(!out.is_empty(), "{name}");
    }
    assert_eq!(detect(b"hello world"), Kind::Unknown);
    assert!(
        matches!(parse_any(b"hello", None, &named("h")), Err(Error::Unreadable { place, .. }) if place == "h")
    );
    assert_eq!(Kind::from_name("auto"), Some(None));
    assert_eq!(Kind::from_name("nvd-1.1"), Some(Some(Kind::Nvd11)));
    assert_eq!(Kind::from_name("bogus"), None);
}

#[test]
fn merge_by_alias_keeps_all_scores_and_picks_documented_one() {
    let mut recs = Vec::new();
    recs.extend(
        nvd::parse_api2(&fixture("nvd-api-page.json"), &named("a"))
            .unwrap()
            .records,
    );
    recs.extend(
        cve5::parse(&fixture("cve5-adp.json"), &named("b"))
            .unwrap()
            .records,
    );
    recs.extend(
        csaf::parse(&fixture("csaf-small.json"), &named("c"))
            .unwrap()
            .to_records(),
    );
    recs.extend(
        osv::parse(&fixture("osv-git.yaml"), &named("d"))
            .unwrap()
            .records,
    );
    // A GHSA record aliasing the PYSEC one through the GHSA id: transitive grouping.
    let mut g = VulnRecord::new(Source::Osv, "GHSA-aaaa-bbbb-cccc");
    g.aliases.push("cve-2099-4000".into());
    recs.push(g);
    let merged = merge::merge(&recs);
    let m = merged.iter().find(|m| m.key == "CVE-2099-2000").unwrap();
    // CVE 5 (CNA + CISA ADP) and CSAF (v3 + v2) scores, all kept.
    assert_eq!(m.scores.len(), 4);
    // No NVD record: the CNA's v3.1 is shown.
    let shown = m.shown_score().unwrap();
    assert_eq!(shown.tier, merge::Tier::Cna);
    assert_eq!(shown.score.source, "ExampleMed");
    assert!(!m.disagreements().is_empty());
    let nvd1 = merged.iter().find(|m| m.key == "CVE-2099-0001").unwrap();
    assert_eq!(nvd1.shown_score().unwrap().score.base_score, Some(9.8));
    let py = merged.iter().find(|m| m.key == "CVE-2099-4000").unwrap();
    assert_eq!(
        py.ids,
        vec!["CVE-2099-4000", "GHSA-aaaa-bbbb-cccc", "PYSEC-2099-7"]
    );
    assert_eq!(py.records.len(), 2);
    // The CSAF tracking id is not a merge key: CVE-2099-2000 and the GHSA-only vuln stay apart.
    assert!(merged.iter().any(|m| m.key == "GHSA-mmmm-nnnn-pppp"));
    let rej = merged.iter().find(|m| m.key == "CVE-2099-0002").unwrap();
    assert!(rej.withdrawn);
    // A policy can reorder tiers.
    let pol = merge::ScorePolicy {
        tiers: vec![merge::Tier::CsafAdvisory, merge::Tier::Cna],
        ..Default::default()
    };
    let m2 = merge::merge_with(&recs, &pol);
    let m2 = m2.iter().find(|m| m.key == "CVE-2099-2000").unwrap();
    assert_eq!(m2.shown_score().unwrap().tier, merge::Tier::CsafAdvisory);
    assert_eq!(m2.shown_score().unwrap().score.version, CvssVersion::V3_0);
}

#[test]
fn withdrawn_scores_shown_only_as_last_resort() {
    let mut live = VulnRecord::new(Source::Osv, "OSV-1");
    live.aliases.push("CVE-2099-9".into());
    let mut dead = VulnRecord::new(Source::Nvd, "CVE-2099-9");
    dead.withdrawn = true;
    dead.scores.push(Score {
        source: "nvd@nist.gov".into(),
        feed: Source::Nvd,
        kind: ScoreKind::Primary,
        version: CvssVersion::V3_1,
        vector: "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".into(),
        base_score: Some(9.8),
        severity: None,
        products: vec![],
    });
    let mut osv_score = dead.scores[0].clone();
    osv_score.feed = Source::Osv;
    osv_score.vector = "CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H".into();
    live.scores.push(osv_score);
    let m = merge::merge(&[live.clone(), dead.clone()]);
    assert_eq!(m.len(), 1);
    assert_eq!(m[0].shown_score().unwrap().tier, merge::Tier::Osv);
    assert!(!m[0].withdrawn);
    live.scores.clear();
    let m = merge::merge(&[live, dead]);
    assert_eq!(m[0].shown_score().unwrap().tier, merge::Tier::NvdPrimary);
}

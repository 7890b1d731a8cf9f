//! No panics on mutated input: a bounded, deterministic mutation loop over the fixtures of every
//! parser (byte flips, truncation, splices, and token swaps that keep JSON well-formed so the
//! record-level paths are exercised). Stops early if it runs over its time budget.

mod common;

use postmarket_advisories::*;
use std::io::Write;
use std::time::{Duration, Instant};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

const TOKENS: &[&[u8]] = &[
    b"null",
    b"5",
    b"-1e999",
    b"[]",
    b"{}",
    b"\"\"",
    b"true",
    b"\"CVE-1-1\"",
    b"[1,2]",
    b"{\"a\":1}",
    b"1.5",
    b"\"\\u0000\"",
];

fn mutate(src: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut b = src.to_vec();
    let rounds = 1 + rng.below(3);
    for _ in 0..rounds {
        if b.is_empty() {
            b.push(b'{');
        }
        match rng.below(8) {
            0 => {
                let i = rng.below(b.len());
                b[i] ^= 1 << rng.below(8);
            }
            1 => {
                let i = rng.below(b.len());
                b.truncate(i);
            }
            2 => {
                let i = rng.below(b.len());
                let j = (i + rng.below(64)).min(b.len());
                b.drain(i..j);
            }
            3 => {
                let i = rng.below(b.len());
                let j = (i + rng.below(64)).min(b.len());
                let chunk = b[i..j].to_vec();
                let at = rng.below(b.len());
                b.splice(at..at, chunk);
            }
            4 => {
                let i = rng.below(b.len());
                let pool: &[u8] = b"\"{}[],:;\n\r\\#-0";
                b.insert(i, pool[rng.below(pool.len())]);
            }
            _ => {
                // Replace one string literal (or a number) with another JSON token.
                let quotes: Vec<usize> = b
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| **c == b'"')
                    .map(|(i, _)| i)
                    .collect();
                if quotes.len() >= 2 {
                    let k = rng.below(quotes.len() - 1);
                    let (i, j) = (quotes[k], quotes[k + 1]);
                    let tok = TOKENS[rng.below(TOKENS.len())];
                    b.splice(i..=j, tok.iter().copied());
                } else if let Some(i) = b.iter().position(u8::is_ascii_digit) {
                    b[i] = b"x-.9"[rng.below(4)];
                }
            }
        }
    }
    b
}

fn zip_of(entries: &[(&str, Vec<u8>)]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (n, d) in entries {
        w.start_file(*n, o).unwrap();
        w.write_all(d).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn mutated_inputs_never_panic() {
    let budget = Duration::from_secs(25);
    let start = Instant::now();
    let cases: Vec<(&str, Kind)> = vec![
        ("nvd-api-page.json", Kind::Nvd),
        ("nvd-api-malformed.json", Kind::Nvd),
        ("nvd11-feed.json", Kind::Nvd11),
        ("cve5-adp.json", Kind::Cve5),
        ("cve5-rejected.json", Kind::Cve5),
        ("osv-withdrawn.json", Kind::Osv),
        ("osv-git.yaml", Kind::Osv),
        ("osv-array-malformed.json", Kind::Osv),
        ("epss-official.csv", Kind::Epss),
        ("epss-semicolon.csv", Kind::Epss),
        ("epss-bad.csv", Kind::Epss),
        ("kev.csv", Kind::KevCsv),
        ("kev.json", Kind::Kev),
        ("csaf-small.json", Kind::Csaf),
        ("rolie-feed.json", Kind::RolieFeed),
        ("provider-metadata.json", Kind::CsafProviderMetadata),
        ("changes.csv", Kind::CsafChanges),
    ];
    let per_case = 2500;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut ok, mut ok_with_diags, mut err, mut runs) = (0usize, 0usize, 0usize, 0usize);
    'outer: for (name, kind) in &cases {
        let src = common::fixture(name);
        for i in 0..per_case {
            if start.elapsed() > budget {
                eprintln!("time budget reached");
                break 'outer;
            }
            let m = mutate(&src, &mut rng);
            let _ = detect(&m);
            let strict = i % 5 == 0;
            let opts = ParseOptions::named(*name).strict(strict);
            runs += 1;
            match parse_any(&m, Some(*kind), &opts) {
                Ok((_, out)) => {
                    // Strict mode never returns diagnostics: it fails on the first one.
                    if strict {
                        assert!(
                            out.diagnostics().is_empty(),
                            "{name}: strict returned diagnostics"
                        );
                    }
                    if out.diagnostics().is_empty() {
                        ok += 1;
                    } else {
                        ok_with_diags += 1;
                    }
                    // Records survive a serialisation round trip.
                    for r in out.records() {
                        let s = serde_json::to_string(&r).unwrap();
                        let back: VulnRecord = serde_json::from_str(&s).unwrap();
                        assert_eq!(back.id, r.id);
                    }
                    let _ = merge::merge(&out.records());
                }
                Err(e) => {
                    assert!(!e.to_string().is_empty());
                    err += 1;
                }
            }
            // Gzip-wrapped variant for the kinds that accept gzip.
            if matches!(kind, Kind::Nvd11 | Kind::Epss) && i % 7 == 0 {
                let _ = parse_any(&common::gzip(&m), None, &ParseOptions::default());
            }
        }
    }
    // Archives: mutate entries and the archive bytes themselves.
    let osv_a = common::fixture("osv-withdrawn.json");
    let osv_b = common::fixture("osv-git.yaml");
    for _ in 0..300 {
        if start.elapsed() > budget {
            break;
        }
        let z = zip_of(&[
            ("a.json", mutate(&osv_a, &mut rng)),
            ("b/b.yaml", mutate(&osv_b, &mut rng)),
        ]);
        runs += 1;
        match osv::parse_zip_bytes(&z, &ParseOptions::named("all.zip")) {
            Ok(_) => ok += 1,
            Err(_) => err += 1,
        }
        let zm = mutate(&z, &mut rng);
        let _ = osv::parse_zip_bytes(&zm, &ParseOptions::named("all.zip"));
        let _ = detect(&zm);
    }
    eprintln!(
        "mutation runs: {runs} in {:.1}s — ok {ok}, ok with diagnostics {ok_with_diags}, errors {err}",
        start.elapsed().as_secs_f64()
    );
    assert!(runs > 1000, "the loop ran");
    assert!(
        ok > 0 && ok_with_diags > 0 && err > 0,
        "all three outcomes exercised"
    );
}

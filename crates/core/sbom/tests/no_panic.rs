//! Deterministic mutation harness: truncations, byte flips, insertions and deletions applied to
//! every fixture and to small real corpus files of each format. No input may make a parser (or
//! the quality report / writers run on what it returns) panic. Bounded to ~20 s in total.
mod common;

use postmarket_sbom::{parse, quality_report, to_cyclonedx_json, to_spdx_json, ParseOptions};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const INSERTS: &[&[u8]] = &[
    b"{",
    b"}",
    b"[",
    b"]",
    b"\"",
    b",",
    b":",
    b"<",
    b">",
    b"/>",
    b"<!DOCTYPE x>",
    b"&amp;",
    b"\n",
    b"\\",
    b"\xff",
    b"\xc3",
    b"%",
    b"pkg:",
    b"cpe:2.3:",
    b"<text>",
    b"null",
    b"-1e999",
    b"\"components\":",
    b"SPDXRef-",
];

fn mutate(base: &[u8], rng: &mut Rng) -> Vec<u8> {
    let mut v = base.to_vec();
    for _ in 0..1 + rng.below(3) {
        match rng.below(5) {
            0 => {
                let at = rng.below(v.len() + 1);
                v.truncate(at);
            }
            1 if !v.is_empty() => {
                let at = rng.below(v.len());
                v[at] ^= 1 << rng.below(8);
            }
            2 => {
                let at = rng.below(v.len() + 1);
                let ins = INSERTS[rng.below(INSERTS.len())];
                v.splice(at..at, ins.iter().copied());
            }
            3 if !v.is_empty() => {
                let at = rng.below(v.len());
                let len = 1 + rng.below(16).min(v.len() - at - 1);
                v.drain(at..at + len);
            }
            _ if !v.is_empty() => {
                let at = rng.below(v.len());
                v[at] = b"{}[]<>\":,/\n\0"[rng.below(12)];
            }
            _ => {}
        }
    }
    v
}

fn exercise(bytes: &[u8]) {
    if let Ok(p) = parse(bytes, &ParseOptions::default()) {
        let _ = quality_report(&p.sbom);
        let _ = to_cyclonedx_json(&p.sbom);
        let _ = to_spdx_json(&p.sbom);
    }
}

#[test]
fn parsers_never_panic() {
    let mut seeds: Vec<(String, Vec<u8>)> = Vec::new();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut fx: Vec<_> = std::fs::read_dir(&fixtures)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    fx.sort();
    for p in fx {
        seeds.push((p.display().to_string(), std::fs::read(&p).unwrap()));
    }
    if let Some(root) = common::corpus() {
        for rel in [
            "05-sboms/medical-device-sbom-completeness/narrow.sbom.json",
            "05-sboms/cyclonedx-bom-examples/SBOM/laravel-7.12.0/bom.1.4.xml",
            "05-sboms/cyclonedx-bom-examples/SBOM/laravel-7.12.0/bom.1.1.xml",
            "05-sboms/cyclonedx-bom-examples/CBOM/Protocol/bom.json",
            "05-sboms/spdx-examples/software/example6/spdx2.2/example6-lib.spdx",
            "05-sboms/spdx-examples/software/example9/spdx2.2/appbomination.spdx.json",
            "05-sboms/spdx-examples/software/example9/spdx3.0/appbomination.spdx3.json",
        ] {
            let p = root.join(rel);
            seeds.push((
                rel.to_string(),
                std::fs::read(&p).unwrap_or_else(|e| panic!("{rel}: {e}")),
            ));
        }
    }
    let budget = Duration::from_secs(20);
    let per_seed = budget / seeds.len() as u32;
    let start = Instant::now();
    let mut total = 0usize;
    let mut failures = Vec::new();
    let prev_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    for (i, (name, base)) in seeds.iter().enumerate() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ (i as u64 + 1));
        let t0 = Instant::now();
        // every prefix length of the first 2 KiB (truncation) plus random mutations
        let mut cases = 0usize;
        for cut in (0..base.len().min(2048)).step_by(7) {
            if catch_unwind(AssertUnwindSafe(|| exercise(&base[..cut]))).is_err() {
                failures.push(format!("{name}: truncated at {cut}"));
            }
            cases += 1;
        }
        while t0.elapsed() < per_seed && cases < 4000 {
            let m = mutate(base, &mut rng);
            if catch_unwind(AssertUnwindSafe(|| exercise(&m))).is_err() {
                let path = std::env::temp_dir().join(format!("sbom-panic-{i}-{cases}.bin"));
                let _ = std::fs::write(&path, &m);
                failures.push(format!(
                    "{name}: mutation {cases} panicked (input saved to {})",
                    path.display()
                ));
            }
            cases += 1;
        }
        eprintln!("{name}: {cases} inputs");
        total += cases;
    }
    std::panic::set_hook(prev_hook);
    eprintln!(
        "{total} mutated inputs in {:.1} s, {} panics",
        start.elapsed().as_secs_f64(),
        failures.len()
    );
    assert!(total > 1000, "harness ran too few cases: {total}");
    assert!(
        failures.is_empty(),
        "parser panics:\n{}",
        failures.join("\n")
    );
}

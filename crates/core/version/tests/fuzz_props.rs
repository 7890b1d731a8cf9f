//! Deterministic fuzz loop (bounded well under 20 s): parsing and comparing
//! arbitrary strings never panics, and every scheme's order is reflexive,
//! antisymmetric and transitive on the samples.
mod common;

use common::Rng;
use postmarket_version::vers::VersRange;
use postmarket_version::{Scheme, Version};
use std::cmp::Ordering;
use std::time::{Duration, Instant};

const ALPHABET: &[&str] = &[
    "0",
    "1",
    "2",
    "9",
    "10",
    "00",
    "007",
    "99999999999999999999999",
    ".",
    ".",
    ".",
    "-",
    "_",
    "+",
    "~",
    "^",
    ":",
    "!",
    "#",
    "a",
    "b",
    "c",
    "r",
    "p",
    "v",
    "V",
    "alpha",
    "beta",
    "rc",
    "RC",
    "pre",
    "dev",
    "post",
    "final",
    "ga",
    "snapshot",
    "SNAPSHOT",
    "sp",
    "pl",
    "git",
    "z",
    "Z",
    " ",
    "é",
    "%",
    "/",
    "*",
    "|",
    "=",
];

fn random_version(rng: &mut Rng) -> String {
    let n = rng.below(9);
    let mut s = String::new();
    for _ in 0..n {
        s.push_str(ALPHABET[rng.below(ALPHABET.len())]);
    }
    if rng.below(8) == 0 {
        // raw bytes mutation (valid UTF-8 only; Rust strings)
        s.push(char::from_u32(rng.below(0x250) as u32).unwrap_or('x'));
    }
    s
}

#[test]
fn fuzz_never_panics_and_orders_are_total() {
    let start = Instant::now();
    let budget = Duration::from_secs(12);
    let mut rng = Rng::new(0x5eed_2024);
    let mut checks = 0usize;
    for scheme in Scheme::ALL {
        let t0 = Instant::now();
        for _round in 0..20_000 {
            if start.elapsed() > budget {
                break;
            }
            let a = Version::new(scheme, &random_version(&mut rng));
            let b = Version::new(scheme, &random_version(&mut rng));
            let cc = Version::new(scheme, &random_version(&mut rng));
            assert_eq!(a.cmp(&a), Ordering::Equal, "{scheme}: reflexive {a:?}");
            // the pairwise (ecosystem) answer is antisymmetric too
            assert_eq!(
                a.compare(&b),
                b.compare(&a).reverse(),
                "{scheme}: compare antisymmetric {a} / {b}"
            );
            let ab = a.cmp(&b);
            assert_eq!(b.cmp(&a), ab.reverse(), "{scheme}: antisymmetric {a} / {b}");
            let bc = b.cmp(&cc);
            let ac = a.cmp(&cc);
            if ab != Ordering::Greater && bc != Ordering::Greater {
                assert_ne!(
                    ac,
                    Ordering::Greater,
                    "{scheme}: transitive {a} <= {b} <= {cc}"
                );
            }
            if ab == Ordering::Equal && bc == Ordering::Equal {
                assert_eq!(
                    ac,
                    Ordering::Equal,
                    "{scheme}: equality transitive {a} = {b} = {cc}"
                );
            }
            checks += 1;
        }
        // sorting a batch must agree with pairwise comparison
        let mut batch: Vec<Version> = (0..200)
            .map(|_| Version::new(scheme, &random_version(&mut rng)))
            .collect();
        batch.sort();
        for w in batch.windows(2) {
            assert_ne!(
                w[0].cmp(&w[1]),
                Ordering::Greater,
                "{scheme}: sort order {} {}",
                w[0],
                w[1]
            );
        }
        for i in 0..batch.len() {
            for j in (i + 1)..batch.len() {
                assert_ne!(
                    batch[i].cmp(&batch[j]),
                    Ordering::Greater,
                    "{scheme}: sorted pair {} {}",
                    batch[i],
                    batch[j]
                );
            }
        }
        eprintln!("{scheme:<14} ok ({:?})", t0.elapsed());
    }
    // vers parsing of arbitrary strings never panics
    for _ in 0..5_000 {
        let s = format!(
            "vers:{}/{}",
            ["npm", "pypi", "deb", "x"][rng.below(4)],
            random_version(&mut rng)
        );
        if let Ok(r) = VersRange::parse_lenient(&s) {
            let _ = r.contains(&random_version(&mut rng));
            let _ = r.explain(&random_version(&mut rng)).to_string();
        }
    }
    eprintln!("{checks} triples checked in {:?}", start.elapsed());
    assert!(checks >= 100_000, "fuzz loop ran too few rounds: {checks}");
}

/// Transitivity on realistic samples: every pair/triple among a list of
/// real-looking versions per scheme.
#[test]
fn exhaustive_triples_on_realistic_samples() {
    let samples: &[(Scheme, &[&str])] = &[
        (
            Scheme::Semver,
            &[
                "1.0.0",
                "1.0.0-rc.1",
                "1.0.0-alpha",
                "v1.0.0",
                "1",
                "1.0.0+b",
                "0.9.9",
                "1.0.0-1",
                "x",
            ],
        ),
        (
            Scheme::Pep440,
            &[
                "1.0",
                "1.0rc1",
                "1.0.post1",
                "1.0.dev1",
                "1.0a1.dev1",
                "1!0.1",
                "1.0+l",
                "junk",
                "0.1-x",
            ],
        ),
        (
            Scheme::Maven,
            &[
                "1.0",
                "1.0-SNAPSHOT",
                "1.0-sp1",
                "1.0-xyz",
                "1.0.0",
                "1-ga-1",
                "1-1",
                "1.0a",
                "1.0-1",
            ],
        ),
        (
            Scheme::Debian,
            &[
                "1.0", "1:0.1", "1.0~rc1", "1.0-1", "1.0+b1", "1.0a", "1.0-0", "a:1", "",
            ],
        ),
        (
            Scheme::Rpm,
            &[
                "1.0", "1.0~rc1", "1.0^git1", "1.0-1", "1:0.1", "1.0.1", "1_0", "a:1", "1.0-",
            ],
        ),
        (
            Scheme::Alpine,
            &[
                "1.0", "1.0-r1", "1.0_rc1", "1.0_p1", "1.0a", "1.0.1", "1.0-ruff", ".1", "1.0A",
            ],
        ),
        (
            Scheme::Composer,
            &[
                "1.0", "1.0-dev", "1.0RC1", "1.0pl1", "1.0.1", "1.0.#", "dev-main", "1.0.0", "1.0#",
            ],
        ),
        (
            Scheme::Generic,
            &[
                "1.0",
                "1.0a",
                "1.0rc1",
                "1.0.1",
                "1.0-p1",
                "v1.0",
                "2019-01-01",
                "",
                "R1.0.0",
            ],
        ),
    ];
    for (scheme, vs) in samples {
        let v: Vec<Version> = vs.iter().map(|s| Version::new(*scheme, s)).collect();
        for a in &v {
            for b in &v {
                assert_eq!(a.cmp(b), b.cmp(a).reverse());
                for c in &v {
                    if a <= b && b <= c {
                        assert!(a <= c, "{scheme}: {a} <= {b} <= {c}");
                    }
                }
            }
        }
    }
}

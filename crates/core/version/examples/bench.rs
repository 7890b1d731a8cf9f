//! Throughput benchmark: `cargo run --release --example bench`.
//! Prints comparisons per second per scheme (pre-parsed and parse+compare)
//! and range checks per second (vers, OSV, NVD).
use postmarket_version::nvd::NvdBounds;
use postmarket_version::osv::OsvAffected;
use postmarket_version::vers::VersRange;
use postmarket_version::{Scheme, Version};
use std::hint::black_box;
use std::time::Instant;

fn samples(s: Scheme) -> Vec<&'static str> {
    match s {
        Scheme::Semver | Scheme::Pub => vec![
            "1.2.3",
            "1.2.4-rc.1",
            "0.9.10",
            "2.0.0+build.7",
            "1.2.3-alpha.10",
            "v1.20.0",
        ],
        Scheme::Pep440 => vec![
            "1.2.3",
            "1.2.4rc1",
            "2!0.9",
            "1.0.post2.dev3",
            "1.0+ubuntu.1",
            "3.11.0a7",
        ],
        Scheme::Maven => vec![
            "1.2.3",
            "1.2.4-SNAPSHOT",
            "5.3.0.RELEASE",
            "2.0-beta-2",
            "1.0-sp1",
            "9.4.31.v20200723",
        ],
        Scheme::Debian => vec![
            "1.2.3-1",
            "1:2.0~rc1-2",
            "2.7.4+reloaded2-13+deb9u1",
            "1.0-1~bpo10+1",
            "0.9.7e-3sarge1",
        ],
        Scheme::Rpm => vec![
            "1.2.3-1.el8",
            "1:2.0~rc1-2.el9",
            "3.10.0-229.1.2.ael7b",
            "1.0^git1-1",
            "2.4.21-9.EL",
        ],
        Scheme::Alpine => vec![
            "1.2.3-r0",
            "2.0_rc1-r1",
            "6.3_p20220416-r0",
            "1.1.1d-r1",
            "2.19.10.4_p8",
        ],
        Scheme::RubyGems => vec!["1.2.3", "1.2.4.beta2", "5.2.0.rc1", "0.9.10", "7.0.4.3"],
        Scheme::NuGet => vec![
            "1.2.3",
            "1.2.4-beta.2",
            "4.0.0.1",
            "1.0.0-rc.1+sha",
            "10.0.3",
        ],
        Scheme::Composer => vec!["1.2.3", "v1.2.4-RC1", "2.0.0-beta2", "1.0pl1", "10.4.12"],
        Scheme::Generic | Scheme::Lexicographic => {
            vec!["1.2.3", "2.4.10-p1", "v5.1", "2019-05-01", "R2.3", "1.0.2k"]
        }
    }
}

fn main() {
    let n = 2_000_000usize;
    println!(
        "{:<14} {:>16} {:>22}",
        "scheme", "cmp/s (parsed)", "parse+cmp/s (strings)"
    );
    for s in Scheme::ALL {
        let strs = samples(s);
        let parsed: Vec<Version> = strs.iter().map(|x| Version::new(s, x)).collect();
        let k = parsed.len();
        let t = Instant::now();
        let mut acc = 0i64;
        for i in 0..n {
            acc += parsed[i % k].compare(&parsed[(i * 7 + 1) % k]) as i64;
        }
        black_box(acc);
        let pre = n as f64 / t.elapsed().as_secs_f64();
        let m = n / 10;
        let t = Instant::now();
        for i in 0..m {
            acc += s.compare(strs[i % k], strs[(i * 7 + 1) % k]) as i64;
        }
        black_box(acc);
        let raw = m as f64 / t.elapsed().as_secs_f64();
        println!("{:<14} {:>16.0} {:>22.0}", s.name(), pre, raw);
    }

    // range checks
    let vers = VersRange::parse("vers:pypi/>=1.0|<1.5.2|>=2.0|<2.3.1").expect("vers");
    let vs = ["0.9", "1.2", "1.5.2", "2.0rc1", "2.2.9", "3.0"];
    let parsed: Vec<Version> = vs.iter().map(|v| Version::new(Scheme::Pep440, v)).collect();
    let t = Instant::now();
    let mut hits = 0usize;
    for i in 0..n {
        hits += vers.contains_version(&parsed[i % parsed.len()]) as usize;
    }
    println!(
        "vers contains (pre-parsed version): {:.0}/s",
        n as f64 / t.elapsed().as_secs_f64()
    );
    let m = n / 4;
    let t = Instant::now();
    for i in 0..m {
        hits += vers.contains(vs[i % vs.len()]).unwrap_or(false) as usize;
    }
    println!(
        "vers contains (version string):     {:.0}/s",
        m as f64 / t.elapsed().as_secs_f64()
    );

    let aff: OsvAffected = serde_json::from_str(
        r#"{"package":{"ecosystem":"Maven","name":"x"},"ranges":[{"type":"ECOSYSTEM","events":[
        {"introduced":"0"},{"fixed":"2.9.10.5"},{"introduced":"2.10.0"},{"fixed":"2.10.5.1"},
        {"introduced":"2.11.0"},{"last_affected":"2.11.4"}]}],"versions":[]}"#,
    )
    .expect("osv json");
    let matcher = aff.matcher().expect("matcher");
    let mv = [
        "2.9.10.4",
        "2.9.10.5",
        "2.10.1",
        "2.11.4",
        "2.12.0-rc1",
        "1.0-SNAPSHOT",
    ];
    let t = Instant::now();
    for i in 0..m {
        hits += matcher.contains(mv[i % mv.len()]) as usize;
    }
    println!(
        "OSV contains (version string):      {:.0}/s",
        m as f64 / t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let e = m / 10;
    for i in 0..e {
        hits += matcher.explain(mv[i % mv.len()]).is_affected() as usize;
    }
    println!(
        "OSV explain (with text):            {:.0}/s",
        e as f64 / t.elapsed().as_secs_f64()
    );

    let nvd = NvdBounds {
        version_start_including: Some("1.0.1".into()),
        version_end_excluding: Some("1.0.2k".into()),
        ..Default::default()
    };
    let nv = ["1.0.1f", "1.0.2", "1.0.2k", "0.9.8", "1.1.0"];
    let t = Instant::now();
    for i in 0..e {
        hits += nvd.contains(Scheme::Generic, nv[i % nv.len()]) as usize;
    }
    println!(
        "NVD contains (with explanation):    {:.0}/s",
        e as f64 / t.elapsed().as_secs_f64()
    );
    black_box(hits);
}

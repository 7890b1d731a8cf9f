//! Throughput: vectors parsed + scored per second.
//!
//! `cargo run --release --example bench [SECONDS_PER_CASE]`
//!
//! Each case cycles through a fixed set of distinct vectors (base-only and with
//! temporal/threat + environmental metrics), parsing the string and computing all scores.

use postmarket_cvss::Vector;
use std::hint::black_box;
use std::time::{Duration, Instant};

fn run(name: &str, vectors: &[&str], budget: Duration) {
    // Warm up and validate.
    for v in vectors {
        v.parse::<Vector>().expect(v).scores();
    }
    let start = Instant::now();
    let mut n: u64 = 0;
    let mut checksum = 0.0;
    while start.elapsed() < budget {
        for v in vectors {
            let parsed: Vector = black_box(*v).parse().unwrap();
            checksum += black_box(parsed.scores().base);
        }
        n += vectors.len() as u64;
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{name:<32} {:>12.0} vectors/s  ({n} in {secs:.2} s, {:.0} ns each, checksum {checksum:.1})",
        n as f64 / secs,
        secs * 1e9 / n as f64
    );
}

fn main() {
    let secs: f64 = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(2.0);
    let budget = Duration::from_secs_f64(secs);
    let v31_base = [
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H",
        "CVSS:3.1/AV:L/AC:H/PR:L/UI:R/S:U/C:L/I:N/A:N",
        "CVSS:3.1/AV:P/AC:L/PR:H/UI:N/S:C/C:N/I:L/A:H",
    ];
    let v31_full = [
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H/E:P/RL:O/RC:C/CR:H/IR:M/AR:L/MAV:A/MAC:H/MPR:L/MUI:R/MS:C/MC:H/MI:L/MA:N",
        "CVSS:3.1/AV:A/AC:H/PR:L/UI:R/S:C/C:L/I:H/A:N/E:U/RL:W/RC:R/CR:L/MS:U/MC:N",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H/CR:H/IR:H/AR:H",
        "CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:N/I:L/A:H/E:F/RL:T/RC:U/MAV:N/MPR:N",
    ];
    let v40_base = [
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        "CVSS:4.0/AV:A/AC:H/AT:P/PR:L/UI:P/VC:L/VI:H/VA:N/SC:L/SI:L/SA:N",
        "CVSS:4.0/AV:L/AC:L/AT:N/PR:H/UI:A/VC:N/VI:L/VA:H/SC:H/SI:N/SA:L",
        "CVSS:4.0/AV:P/AC:H/AT:N/PR:N/UI:N/VC:H/VI:N/VA:L/SC:N/SI:H/SA:H",
    ];
    let v40_full = [
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N/E:P/CR:H/IR:M/AR:L/MAV:A/MAC:H/MAT:P/MPR:L/MUI:P/MVC:L/MVI:H/MVA:N/MSC:H/MSI:S/MSA:L/S:P/AU:Y/R:U/V:C/RE:H/U:Red",
        "CVSS:4.0/AV:A/AC:H/AT:P/PR:L/UI:P/VC:L/VI:H/VA:N/SC:L/SI:L/SA:N/E:U/CR:L",
        "CVSS:4.0/AV:L/AC:L/AT:N/PR:H/UI:A/VC:N/VI:L/VA:H/SC:H/SI:N/SA:L/E:A/MVC:H/MSA:S",
        "CVSS:4.0/AV:P/AC:H/AT:N/PR:N/UI:N/VC:H/VI:N/VA:L/SC:N/SI:H/SA:H/IR:H/AR:M/MAV:N",
    ];
    run("CVSS 3.1 base", &v31_base, budget);
    run("CVSS 3.1 base+temporal+env", &v31_full, budget);
    run("CVSS 4.0 CVSS-B", &v40_base, budget);
    run("CVSS 4.0 CVSS-BT/BE/BTE", &v40_full, budget);
}

//! Rounding functions of the CVSS specifications, all returning a score in tenths.
//!
//! Floating-point error is handled the way each specification intends:
//!
//! * CVSS 3.1 `Roundup` is implemented exactly as in the 3.1 specification, Appendix A:
//!   the input is first rounded to 5 decimal places, so `4.000001` rounds up to 4.0 only
//!   if it is within 0.000005 of 4.0 (and `4.00001` becomes 4.1).
//! * CVSS 3.0 `Roundup` is "the smallest number, to one decimal place, that is equal to or
//!   higher than its input". The reference results (NVD, the Red Hat library) were produced
//!   with decimal arithmetic, so the input is first rounded to 9 decimal places to strip the
//!   binary floating-point noise (`4.0000000000000004` is 4.0, not 4.1).
//! * CVSS 2.0 and 4.0 round half up to one decimal, likewise after removing floating noise.

/// CVSS 3.1 `Roundup` (specification Appendix A), in tenths.
pub fn roundup_v31(x: f64) -> u32 {
    let int_input = (x * 100_000.0).round() as i64;
    let tenths = if int_input % 10_000 == 0 {
        int_input / 10_000
    } else {
        int_input.div_euclid(10_000) + 1
    };
    tenths.max(0) as u32
}

/// CVSS 3.0 `Roundup` (ceiling to one decimal), in tenths, after stripping float noise.
pub fn roundup_v30(x: f64) -> u32 {
    let nano = (x * 1e9).round() as i64;
    let tenths = nano.div_euclid(100_000_000) + i64::from(nano.rem_euclid(100_000_000) != 0);
    tenths.max(0) as u32
}

/// Round half up to one decimal, in tenths, after stripping float noise (9 decimals).
pub fn round_half_up_1(x: f64) -> i64 {
    let nano = (x * 1e9).round() as i64;
    (nano + 50_000_000).div_euclid(100_000_000)
}

/// Tenths to the nearest `f64` (e.g. 96 → 9.6).
pub fn tenths_to_f64(t: i64) -> f64 {
    t as f64 / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v31_roundup_spec_examples() {
        // Appendix A: Roundup(4.02) = 4.1, Roundup(4.00) = 4.0
        assert_eq!(roundup_v31(4.02), 41);
        assert_eq!(roundup_v31(4.00), 40);
        // floating error just above a tenth is absorbed by the 5-decimal rounding
        assert_eq!(roundup_v31(4.000_000_000_000_001), 40);
        assert_eq!(roundup_v31(4.000001), 40);
        assert_eq!(roundup_v31(4.0000049), 40);
        // anything at or above 0.000005 past the tenth goes up
        assert_eq!(roundup_v31(4.000006), 41);
        assert_eq!(roundup_v31(4.00001), 41);
        // just below a tenth stays at that tenth
        assert_eq!(roundup_v31(3.999_999_999_999_999_6), 40);
        assert_eq!(roundup_v31(3.99999), 40);
        assert_eq!(roundup_v31(3.9999), 40);
        assert_eq!(roundup_v31(3.91), 40);
        // the classic float artefact: 0.1 * 3 = 0.30000000000000004
        assert_eq!(roundup_v31(0.1 * 3.0), 3);
        assert_eq!(roundup_v31(0.0), 0);
        assert_eq!(roundup_v31(10.0), 100);
        // a naive ceil(x * 10) would give 4.1 / 0.4 here
        assert_eq!(((4.000_000_000_000_001_f64) * 10.0).ceil(), 41.0);
        assert_eq!((0.1_f64 * 3.0 * 10.0).ceil(), 4.0);
    }

    #[test]
    fn v30_roundup_is_ceiling_without_float_noise() {
        assert_eq!(roundup_v30(4.02), 41);
        assert_eq!(roundup_v30(4.0), 40);
        assert_eq!(roundup_v30(4.000_000_000_000_001), 40);
        assert_eq!(roundup_v30(0.1 * 3.0), 3);
        // 3.0 has no 5-decimal cut-off: a genuine excess above the tenth rounds up
        assert_eq!(roundup_v30(4.000001), 41);
        assert_eq!(roundup_v30(4.0000001), 41);
        assert_eq!(roundup_v30(3.96), 40);
        assert_eq!(roundup_v30(0.0), 0);
        assert_eq!(roundup_v30(-0.2), 0);
    }

    #[test]
    fn half_up() {
        assert_eq!(round_half_up_1(1.45), 15);
        // 8.6 - 7.15 = 1.4499999999999993 in binary floating point; decimally it is 1.45
        assert_eq!(round_half_up_1(8.6 - 7.15), 15);
        assert_eq!(round_half_up_1(1.44), 14);
        assert_eq!(round_half_up_1(1.449), 14);
        assert_eq!(round_half_up_1(2.25), 23);
        assert_eq!(round_half_up_1(0.0), 0);
        assert_eq!(round_half_up_1(9.95), 100);
    }
}

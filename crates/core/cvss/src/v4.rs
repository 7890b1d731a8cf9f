//! CVSS 4.0: parsing and scoring through the FIRST macro-vector lookup and interpolation.
//!
//! The algorithm follows the FIRST CVSS v4.0 specification, section 8 and the official
//! calculator (`cvss_score.js`): the vector is reduced to a macro vector (EQ1…EQ6), its score
//! is looked up in the FIRST table, and the score is lowered inside the macro vector by the
//! mean proportional severity distance from the macro vector's highest-severity vectors.

use std::fmt;
use std::str::FromStr;

use crate::error::CvssError;
use crate::parse::{parse_body, write_body, MetricDef};
use crate::round::{round_half_up_1, tenths_to_f64};
use crate::v4_tables::*;
use crate::{Scores, Severity, Version};

const HLN: &[&str] = &["H", "L", "N"];
const X_HLN: &[&str] = &["X", "H", "L", "N"];
const X_SHLN: &[&str] = &["X", "S", "H", "L", "N"];
const X_HML: &[&str] = &["X", "H", "M", "L"];

/// Metric table in the specification's order (CVSS v4.0 spec, Table 23).
pub(crate) const V4_METRICS: [MetricDef; 32] = [
    MetricDef::base("AV", &["N", "A", "L", "P"]),
    MetricDef::base("AC", &["L", "H"]),
    MetricDef::base("AT", &["N", "P"]),
    MetricDef::base("PR", &["N", "L", "H"]),
    MetricDef::base("UI", &["N", "P", "A"]),
    MetricDef::base("VC", HLN),
    MetricDef::base("VI", HLN),
    MetricDef::base("VA", HLN),
    MetricDef::base("SC", HLN),
    MetricDef::base("SI", HLN),
    MetricDef::base("SA", HLN),
    // Threat
    MetricDef::opt("E", &["X", "A", "P", "U"]),
    // Environmental
    MetricDef::opt("CR", X_HML),
    MetricDef::opt("IR", X_HML),
    MetricDef::opt("AR", X_HML),
    MetricDef::opt("MAV", &["X", "N", "A", "L", "P"]),
    MetricDef::opt("MAC", &["X", "L", "H"]),
    MetricDef::opt("MAT", &["X", "N", "P"]),
    MetricDef::opt("MPR", &["X", "N", "L", "H"]),
    MetricDef::opt("MUI", &["X", "N", "P", "A"]),
    MetricDef::opt("MVC", X_HLN),
    MetricDef::opt("MVI", X_HLN),
    MetricDef::opt("MVA", X_HLN),
    MetricDef::opt("MSC", X_HLN),
    MetricDef::opt("MSI", X_SHLN),
    MetricDef::opt("MSA", X_SHLN),
    // Supplemental (no effect on the score)
    MetricDef::opt("S", &["X", "N", "P"]),
    MetricDef::opt("AU", &["X", "N", "Y"]),
    MetricDef::opt("R", &["X", "A", "U", "I"]),
    MetricDef::opt("V", &["X", "D", "C"]),
    MetricDef::opt("RE", &["X", "L", "M", "H"]),
    MetricDef::opt("U", &["X", "Clear", "Green", "Amber", "Red"]),
];

// Indices into V4_METRICS.
const AV: usize = 0;
const AC: usize = 1;
const AT: usize = 2;
const PR: usize = 3;
const UI: usize = 4;
const VC: usize = 5;
const VI: usize = 6;
const VA: usize = 7;
const SC: usize = 8;
const SI: usize = 9;
const SA: usize = 10;
const E: usize = 11;
const CR: usize = 12;
const IR: usize = 13;
const AR: usize = 14;
const FIRST_ENV: usize = CR;
const LAST_ENV: usize = 25;
/// Offset from a base metric's index to its modified counterpart (AV → MAV).
const MOD_OFFSET: usize = 15;

/// A parsed CVSS 4.0 vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CvssV4 {
    values: [u8; 32],
}

/// Which metric groups a CVSS 4.0 score takes into account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Nomenclature {
    /// Base metrics only.
    B,
    /// Base and Threat.
    BT,
    /// Base and Environmental.
    BE,
    /// Base, Threat and Environmental.
    BTE,
}

impl Nomenclature {
    /// `"CVSS-B"`, `"CVSS-BT"`, `"CVSS-BE"` or `"CVSS-BTE"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Nomenclature::B => "CVSS-B",
            Nomenclature::BT => "CVSS-BT",
            Nomenclature::BE => "CVSS-BE",
            Nomenclature::BTE => "CVSS-BTE",
        }
    }
}

impl fmt::Display for Nomenclature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

fn level_av(c: u8) -> i32 {
    match c {
        b'N' => 0,
        b'A' => 1,
        b'L' => 2,
        _ => 3, // P
    }
}
fn level_pr(c: u8) -> i32 {
    match c {
        b'N' => 0,
        b'L' => 1,
        _ => 2, // H
    }
}
fn level_ui(c: u8) -> i32 {
    match c {
        b'N' => 0,
        b'P' => 1,
        _ => 2, // A
    }
}
fn level_ac(c: u8) -> i32 {
    i32::from(c != b'L')
}
fn level_at(c: u8) -> i32 {
    i32::from(c != b'N')
}
/// VC/VI/VA: H 0, L 1, N 2.
fn level_v(c: u8) -> i32 {
    match c {
        b'H' => 0,
        b'L' => 1,
        _ => 2,
    }
}
/// SC/SI/SA: S 0, H 1, L 2, N 3.
fn level_s(c: u8) -> i32 {
    match c {
        b'S' => 0,
        b'H' => 1,
        b'L' => 2,
        _ => 3,
    }
}
/// CR/IR/AR: H 0, M 1, L 2.
fn level_req(c: u8) -> i32 {
    match c {
        b'H' => 0,
        b'M' => 1,
        _ => 2,
    }
}

fn lookup(eq: [usize; 6]) -> Option<i32> {
    if eq[0] > 2 || eq[1] > 1 || eq[2] > 2 || eq[3] > 2 || eq[4] > 2 || eq[5] > 1 {
        return None;
    }
    let idx = ((((eq[0] * 2 + eq[1]) * 3 + eq[2]) * 3 + eq[3]) * 3 + eq[4]) * 2 + eq[5];
    match LOOKUP_TENTHS[idx] {
        NONE => None,
        t => Some(i32::from(t)),
    }
}

impl CvssV4 {
    pub(crate) fn parse_body(body: &str) -> Result<Self, CvssError> {
        Ok(CvssV4 {
            values: parse_body(body, 2, &V4_METRICS, "4.0")?,
        })
    }

    /// The value code of a metric as given (`"X"` for an absent optional metric), or `None`
    /// if this is not a CVSS 4.0 metric abbreviation.
    pub fn get(&self, metric: &str) -> Option<&'static str> {
        let i = V4_METRICS.iter().position(|d| d.name == metric)?;
        Some(V4_METRICS[i].values[self.values[i] as usize])
    }

    fn code(&self, i: usize) -> u8 {
        V4_METRICS[i].values[self.values[i] as usize].as_bytes()[0]
    }

    /// Effective value used in scoring (the calculator's `m()`): the modified metric when it
    /// is defined, else the base value; E:X counts as A, CR/IR/AR:X as H.
    fn m(&self, i: usize) -> u8 {
        match i {
            E => match self.code(E) {
                b'X' => b'A',
                c => c,
            },
            CR | IR | AR => match self.code(i) {
                b'X' => b'H',
                c => c,
            },
            _ if i <= SA => match self.code(i + MOD_OFFSET) {
                b'X' => self.code(i),
                c => c,
            },
            _ => self.code(i),
        }
    }

    /// True if a Threat metric (E) is defined.
    pub fn has_threat(&self) -> bool {
        self.values[E] != 0
    }

    /// True if any Environmental metric (CR, IR, AR, M*) is defined.
    pub fn has_environmental(&self) -> bool {
        self.values[FIRST_ENV..=LAST_ENV].iter().any(|&v| v != 0)
    }

    /// The nomenclature: which metric groups are defined (a value other than `X`).
    /// Supplemental metrics never change it.
    pub fn nomenclature(&self) -> Nomenclature {
        match (self.has_threat(), self.has_environmental()) {
            (false, false) => Nomenclature::B,
            (true, false) => Nomenclature::BT,
            (false, true) => Nomenclature::BE,
            (true, true) => Nomenclature::BTE,
        }
    }

    /// The macro vector (EQ1, EQ2, EQ3, EQ4, EQ5, EQ6).
    pub fn macro_vector(&self) -> [u8; 6] {
        let eq = self.eqs();
        [
            eq[0] as u8,
            eq[1] as u8,
            eq[2] as u8,
            eq[3] as u8,
            eq[4] as u8,
            eq[5] as u8,
        ]
    }

    fn eqs(&self) -> [usize; 6] {
        let (av, pr, ui) = (self.m(AV), self.m(PR), self.m(UI));
        let eq1 = if av == b'N' && pr == b'N' && ui == b'N' {
            0
        } else if (av == b'N' || pr == b'N' || ui == b'N') && av != b'P' {
            1
        } else {
            2
        };
        let eq2 = if self.m(AC) == b'L' && self.m(AT) == b'N' {
            0
        } else {
            1
        };
        let (vc, vi, va) = (self.m(VC), self.m(VI), self.m(VA));
        let eq3 = if vc == b'H' && vi == b'H' {
            0
        } else if vc == b'H' || vi == b'H' || va == b'H' {
            1
        } else {
            2
        };
        // MSI / MSA are the only places a Safety (S) value can come from.
        let eq4 = if self.code(SI + MOD_OFFSET) == b'S' || self.code(SA + MOD_OFFSET) == b'S' {
            0
        } else if self.m(SC) == b'H' || self.m(SI) == b'H' || self.m(SA) == b'H' {
            1
        } else {
            2
        };
        let eq5 = match self.m(E) {
            b'A' => 0,
            b'P' => 1,
            _ => 2,
        };
        let eq6 = if (self.m(CR) == b'H' && vc == b'H')
            || (self.m(IR) == b'H' && vi == b'H')
            || (self.m(AR) == b'H' && va == b'H')
        {
            0
        } else {
            1
        };
        [eq1, eq2, eq3, eq4, eq5, eq6]
    }

    /// The CVSS 4.0 score in tenths.
    fn score_tenths(&self) -> i64 {
        if [VC, VI, VA, SC, SI, SA].iter().all(|&i| self.m(i) == b'N') {
            return 0;
        }
        let eq = self.eqs();
        let [eq1, eq2, eq3, eq4, eq5, eq6] = eq;
        let Some(value) = lookup(eq) else {
            // Every reachable macro vector is in the FIRST table; keep a defined result anyway.
            return 0;
        };

        let with = |k: usize, d: usize| {
            let mut e = eq;
            e[k] += d;
            e
        };
        let lower_eq1 = lookup(with(0, 1));
        let lower_eq2 = lookup(with(1, 1));
        let lower_eq3eq6 = match (eq3, eq6) {
            (1, 1) | (0, 1) => lookup(with(2, 1)),
            (1, 0) => lookup(with(5, 1)),
            (0, 0) => {
                // 00 → 01 (left) or 00 → 10 (right): take the higher score; a missing left
                // entry propagates as missing, as in the reference implementations.
                let left = lookup(with(5, 1));
                let right = lookup(with(2, 1));
                match (left, right) {
                    (Some(l), Some(r)) => Some(l.max(r)),
                    (l, _) => l,
                }
            }
            _ => {
                let mut e = with(2, 1);
                e[5] += 1;
                lookup(e)
            }
        };
        let lower_eq4 = lookup(with(3, 1));
        let lower_eq5 = lookup(with(4, 1));

        // Severity distances (in steps of 0.1) from the first highest-severity vector of this
        // macro vector that the current vector does not exceed.
        let cur = [
            level_av(self.m(AV)),
            level_pr(self.m(PR)),
            level_ui(self.m(UI)),
            level_ac(self.m(AC)),
            level_at(self.m(AT)),
            level_v(self.m(VC)),
            level_v(self.m(VI)),
            level_v(self.m(VA)),
            level_s(self.m(SC)),
            level_s(self.m(SI)),
            level_s(self.m(SA)),
            level_req(self.m(CR)),
            level_req(self.m(IR)),
            level_req(self.m(AR)),
        ];
        let mut dist = [0i32; 14];
        let mut found = false;
        'search: for m1 in EQ1_MAX[eq1] {
            for m2 in EQ2_MAX[eq2] {
                for m36 in EQ3EQ6_MAX[eq3][eq6] {
                    for m4 in EQ4_MAX[eq4] {
                        for _m5 in EQ5_MAX[eq5] {
                            let max = [
                                level_av(m1[0]),
                                level_pr(m1[1]),
                                level_ui(m1[2]),
                                level_ac(m2[0]),
                                level_at(m2[1]),
                                level_v(m36[0]),
                                level_v(m36[1]),
                                level_v(m36[2]),
                                level_s(m4[0]),
                                level_s(m4[1]),
                                level_s(m4[2]),
                                level_req(m36[3]),
                                level_req(m36[4]),
                                level_req(m36[5]),
                            ];
                            for k in 0..14 {
                                dist[k] = cur[k] - max[k];
                            }
                            found = true;
                            if dist.iter().all(|&d| d >= 0) {
                                break 'search;
                            }
                        }
                    }
                }
            }
        }
        if !found {
            dist = [0; 14];
        }
        let d_eq1 = dist[0] + dist[1] + dist[2];
        let d_eq2 = dist[3] + dist[4];
        let d_eq3eq6 = dist[5] + dist[6] + dist[7] + dist[11] + dist[12] + dist[13];
        let d_eq4 = dist[8] + dist[9] + dist[10];

        let mut n_lower = 0u32;
        let mut sum = 0.0f64;
        let mut add = |lower: Option<i32>, distance: i32, max_severity: u8| {
            if let Some(lower) = lower {
                let available = value - lower;
                if available >= 0 {
                    n_lower += 1;
                    if max_severity > 0 {
                        let percent = f64::from(distance) / f64::from(max_severity);
                        sum += f64::from(available) / 10.0 * percent;
                    }
                }
            }
        };
        add(lower_eq1, d_eq1, MAX_SEVERITY_EQ1[eq1]);
        add(lower_eq2, d_eq2, MAX_SEVERITY_EQ2[eq2]);
        add(lower_eq3eq6, d_eq3eq6, MAX_SEVERITY_EQ3EQ6[eq3][eq6]);
        add(lower_eq4, d_eq4, MAX_SEVERITY_EQ4[eq4]);
        // EQ5 has no severity distance inside a level; it only counts towards the mean.
        add(lower_eq5, 0, MAX_SEVERITY_EQ5[eq5]);

        let mean = if n_lower == 0 {
            0.0
        } else {
            sum / f64::from(n_lower)
        };
        let score = (f64::from(value) / 10.0 - mean).clamp(0.0, 10.0);
        // Round half up; the tiny epsilon matches the FIRST/Red Hat treatment of values such
        // as 8.6 - 7.15 = 1.4499999999999993, which must round to 1.5.
        round_half_up_1(score + 1e-6).clamp(0, 100)
    }

    /// The CVSS 4.0 score (CVSS-B, -BT, -BE or -BTE according to [`Self::nomenclature`]).
    pub fn score(&self) -> f64 {
        tenths_to_f64(self.score_tenths())
    }

    /// Qualitative severity of the score.
    pub fn severity(&self) -> Severity {
        Severity::from_score(self.score())
    }

    /// Scores: the single CVSS 4.0 score is reported as `base`; `nomenclature` says which
    /// metric groups it includes. Temporal, environmental and sub-scores do not apply.
    pub fn scores(&self) -> Scores {
        let score = self.score();
        Scores {
            vector: self.to_string(),
            version: Version::V4_0,
            base: score,
            temporal: None,
            environmental: None,
            impact: None,
            exploitability: None,
            severity: Severity::from_score(score),
            nomenclature: Some(self.nomenclature().as_str().to_string()),
        }
    }
}

impl fmt::Display for CvssV4 {
    /// The normalised vector: `CVSS:4.0/` prefix, metrics in specification order,
    /// Not Defined (`X`) metrics left out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut body = String::with_capacity(96);
        write_body(&mut body, &V4_METRICS, &self.values);
        write!(f, "CVSS:4.0/{body}")
    }
}

impl FromStr for CvssV4 {
    type Err = CvssError;
    /// Parse a `CVSS:4.0/…` vector.
    fn from_str(s: &str) -> Result<Self, CvssError> {
        match s.parse::<crate::Vector>()? {
            crate::Vector::V4(v) => Ok(v),
            other => Err(CvssError::UnsupportedVersion {
                version: other.version().as_str().to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> f64 {
        v.parse::<CvssV4>().unwrap().score()
    }

    #[test]
    fn spec_examples() {
        assert_eq!(
            s("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"),
            9.3
        );
        assert_eq!(
            s("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H"),
            10.0
        );
        assert_eq!(
            s("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:N/VI:N/VA:N/SC:N/SI:N/SA:N"),
            0.0
        );
    }

    #[test]
    fn nomenclature_from_groups() {
        let b = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";
        let n = |x: &str| x.parse::<CvssV4>().unwrap().nomenclature();
        assert_eq!(n(b), Nomenclature::B);
        assert_eq!(n(&format!("{b}/E:U")), Nomenclature::BT);
        assert_eq!(n(&format!("{b}/E:X")), Nomenclature::B);
        assert_eq!(n(&format!("{b}/MAV:L")), Nomenclature::BE);
        assert_eq!(n(&format!("{b}/E:P/CR:L")), Nomenclature::BTE);
        assert_eq!(n(&format!("{b}/S:P/U:Red")), Nomenclature::B);
    }

    #[test]
    fn eq_levels() {
        let mv = |x: &str| x.parse::<CvssV4>().unwrap().macro_vector();
        assert_eq!(
            mv("CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"),
            [0, 0, 0, 2, 0, 0]
        );
        assert_eq!(
            mv("CVSS:4.0/AV:P/AC:H/AT:P/PR:H/UI:A/VC:L/VI:L/VA:L/SC:H/SI:N/SA:N/E:U/MSI:S"),
            [2, 1, 2, 0, 2, 1]
        );
    }
}

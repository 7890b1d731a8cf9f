//! CVSS 3.0 and 3.1: typed metrics, parsing and the FIRST scoring equations.

use std::fmt;
use std::str::FromStr;

use crate::error::CvssError;
use crate::parse::{parse_body, write_body, MetricDef};
use crate::round::{round_half_up_1, roundup_v30, roundup_v31, tenths_to_f64};
use crate::{Scores, Severity, Version};

macro_rules! metric_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
        pub enum $name { $($(#[$vdoc])* #[doc = concat!("`", stringify!($variant), "` (code `", $code, "`).")] #[serde(rename = $code)] $variant),+ }

        impl $name {
            /// All values, in specification order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The vector-string code of this value (e.g. `"N"`).
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }
            /// Parse a vector-string code.
            pub fn from_code(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)+ _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

metric_enum!(
    /// Attack Vector (AV / MAV).
    AttackVector { Network = "N", Adjacent = "A", Local = "L", Physical = "P" }
);
metric_enum!(
    /// Attack Complexity (AC / MAC).
    AttackComplexity { Low = "L", High = "H" }
);
metric_enum!(
    /// Privileges Required (PR / MPR).
    PrivilegesRequired { None = "N", Low = "L", High = "H" }
);
metric_enum!(
    /// User Interaction (UI / MUI).
    UserInteraction { None = "N", Required = "R" }
);
metric_enum!(
    /// Scope (S / MS).
    Scope { Unchanged = "U", Changed = "C" }
);
metric_enum!(
    /// Confidentiality / Integrity / Availability impact (C, I, A / MC, MI, MA).
    Impact { None = "N", Low = "L", High = "H" }
);
metric_enum!(
    /// Exploit Code Maturity (E).
    ExploitCodeMaturity { NotDefined = "X", Unproven = "U", ProofOfConcept = "P", Functional = "F", High = "H" }
);
metric_enum!(
    /// Remediation Level (RL).
    RemediationLevel { NotDefined = "X", OfficialFix = "O", TemporaryFix = "T", Workaround = "W", Unavailable = "U" }
);
metric_enum!(
    /// Report Confidence (RC).
    ReportConfidence { NotDefined = "X", Unknown = "U", Reasonable = "R", Confirmed = "C" }
);
metric_enum!(
    /// Security requirement (CR, IR, AR).
    Requirement { NotDefined = "X", Low = "L", Medium = "M", High = "H" }
);

impl AttackVector {
    fn weight(self) -> f64 {
        match self {
            AttackVector::Network => 0.85,
            AttackVector::Adjacent => 0.62,
            AttackVector::Local => 0.55,
            AttackVector::Physical => 0.2,
        }
    }
}
impl AttackComplexity {
    fn weight(self) -> f64 {
        match self {
            AttackComplexity::Low => 0.77,
            AttackComplexity::High => 0.44,
        }
    }
}
impl PrivilegesRequired {
    fn weight(self, scope: Scope) -> f64 {
        match (self, scope) {
            (PrivilegesRequired::None, _) => 0.85,
            (PrivilegesRequired::Low, Scope::Unchanged) => 0.62,
            (PrivilegesRequired::Low, Scope::Changed) => 0.68,
            (PrivilegesRequired::High, Scope::Unchanged) => 0.27,
            (PrivilegesRequired::High, Scope::Changed) => 0.5,
        }
    }
}
impl UserInteraction {
    fn weight(self) -> f64 {
        match self {
            UserInteraction::None => 0.85,
            UserInteraction::Required => 0.62,
        }
    }
}
impl Impact {
    fn weight(self) -> f64 {
        match self {
            Impact::None => 0.0,
            Impact::Low => 0.22,
            Impact::High => 0.56,
        }
    }
}
impl ExploitCodeMaturity {
    fn weight(self) -> f64 {
        match self {
            ExploitCodeMaturity::NotDefined | ExploitCodeMaturity::High => 1.0,
            ExploitCodeMaturity::Functional => 0.97,
            ExploitCodeMaturity::ProofOfConcept => 0.94,
            ExploitCodeMaturity::Unproven => 0.91,
        }
    }
}
impl RemediationLevel {
    fn weight(self) -> f64 {
        match self {
            RemediationLevel::NotDefined | RemediationLevel::Unavailable => 1.0,
            RemediationLevel::Workaround => 0.97,
            RemediationLevel::TemporaryFix => 0.96,
            RemediationLevel::OfficialFix => 0.95,
        }
    }
}
impl ReportConfidence {
    fn weight(self) -> f64 {
        match self {
            ReportConfidence::NotDefined | ReportConfidence::Confirmed => 1.0,
            ReportConfidence::Reasonable => 0.96,
            ReportConfidence::Unknown => 0.92,
        }
    }
}
impl Requirement {
    fn weight(self) -> f64 {
        match self {
            Requirement::NotDefined | Requirement::Medium => 1.0,
            Requirement::Low => 0.5,
            Requirement::High => 1.5,
        }
    }
}

/// Which CVSS 3 minor version (it changes the rounding and the modified-impact equation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum V3Minor {
    /// CVSS v3.0.
    V3_0,
    /// CVSS v3.1.
    V3_1,
}

impl V3Minor {
    /// `"3.0"` or `"3.1"`.
    pub fn as_str(self) -> &'static str {
        match self {
            V3Minor::V3_0 => "3.0",
            V3Minor::V3_1 => "3.1",
        }
    }
}

/// The eight CVSS 3 base metrics. Serialises as `{"av":"N",…}` with the vector codes, so
/// records that carry them (the MITRE rubric's result) read like the vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub struct V3Base {
    /// Attack Vector.
    pub av: AttackVector,
    /// Attack Complexity.
    pub ac: AttackComplexity,
    /// Privileges Required.
    pub pr: PrivilegesRequired,
    /// User Interaction.
    pub ui: UserInteraction,
    /// Scope.
    pub s: Scope,
    /// Confidentiality impact.
    pub c: Impact,
    /// Integrity impact.
    pub i: Impact,
    /// Availability impact.
    pub a: Impact,
}

/// CVSS 3 temporal metrics (all Not Defined by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct V3Temporal {
    /// Exploit Code Maturity.
    pub e: ExploitCodeMaturity,
    /// Remediation Level.
    pub rl: RemediationLevel,
    /// Report Confidence.
    pub rc: ReportConfidence,
}

impl Default for V3Temporal {
    fn default() -> Self {
        V3Temporal {
            e: ExploitCodeMaturity::NotDefined,
            rl: RemediationLevel::NotDefined,
            rc: ReportConfidence::NotDefined,
        }
    }
}

impl V3Temporal {
    /// True if any temporal metric is defined (not `X`).
    pub fn is_defined(&self) -> bool {
        *self != V3Temporal::default()
    }
}

/// CVSS 3 environmental metrics. `None` in a modified metric means Not Defined (`X`):
/// the base value is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct V3Environmental {
    /// Confidentiality Requirement.
    pub cr: Requirement,
    /// Integrity Requirement.
    pub ir: Requirement,
    /// Availability Requirement.
    pub ar: Requirement,
    /// Modified Attack Vector.
    pub mav: Option<AttackVector>,
    /// Modified Attack Complexity.
    pub mac: Option<AttackComplexity>,
    /// Modified Privileges Required.
    pub mpr: Option<PrivilegesRequired>,
    /// Modified User Interaction.
    pub mui: Option<UserInteraction>,
    /// Modified Scope.
    pub ms: Option<Scope>,
    /// Modified Confidentiality.
    pub mc: Option<Impact>,
    /// Modified Integrity.
    pub mi: Option<Impact>,
    /// Modified Availability.
    pub ma: Option<Impact>,
}

impl Default for V3Environmental {
    fn default() -> Self {
        V3Environmental {
            cr: Requirement::NotDefined,
            ir: Requirement::NotDefined,
            ar: Requirement::NotDefined,
            mav: None,
            mac: None,
            mpr: None,
            mui: None,
            ms: None,
            mc: None,
            mi: None,
            ma: None,
        }
    }
}

impl V3Environmental {
    /// True if any environmental metric is defined (not `X`).
    pub fn is_defined(&self) -> bool {
        *self != V3Environmental::default()
    }
}

/// A parsed CVSS 3.0 or 3.1 vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CvssV3 {
    /// 3.0 or 3.1.
    pub minor: V3Minor,
    /// Base metrics.
    pub base: V3Base,
    /// Temporal metrics.
    pub temporal: V3Temporal,
    /// Environmental metrics.
    pub environmental: V3Environmental,
}

const X_NALP: &[&str] = &["X", "N", "A", "L", "P"];
const X_LH: &[&str] = &["X", "L", "H"];
const X_NLH: &[&str] = &["X", "N", "L", "H"];
const X_NR: &[&str] = &["X", "N", "R"];
const X_UC: &[&str] = &["X", "U", "C"];
const X_LMH: &[&str] = &["X", "L", "M", "H"];

/// Metric table in the specification's order (3.1 spec Table 15). Value order matches the
/// enum declaration order (optional metrics: index 0 is `X`).
pub(crate) const V3_METRICS: [MetricDef; 22] = [
    MetricDef::base("AV", &["N", "A", "L", "P"]),
    MetricDef::base("AC", &["L", "H"]),
    MetricDef::base("PR", &["N", "L", "H"]),
    MetricDef::base("UI", &["N", "R"]),
    MetricDef::base("S", &["U", "C"]),
    MetricDef::base("C", &["N", "L", "H"]),
    MetricDef::base("I", &["N", "L", "H"]),
    MetricDef::base("A", &["N", "L", "H"]),
    MetricDef::opt("E", &["X", "U", "P", "F", "H"]),
    MetricDef::opt("RL", &["X", "O", "T", "W", "U"]),
    MetricDef::opt("RC", &["X", "U", "R", "C"]),
    MetricDef::opt("CR", X_LMH),
    MetricDef::opt("IR", X_LMH),
    MetricDef::opt("AR", X_LMH),
    MetricDef::opt("MAV", X_NALP),
    MetricDef::opt("MAC", X_LH),
    MetricDef::opt("MPR", X_NLH),
    MetricDef::opt("MUI", X_NR),
    MetricDef::opt("MS", X_UC),
    MetricDef::opt("MC", X_NLH),
    MetricDef::opt("MI", X_NLH),
    MetricDef::opt("MA", X_NLH),
];

fn pick<T: Copy>(all: &[T], idx: u8) -> T {
    all[idx as usize]
}

fn pick_opt<T: Copy>(all: &[T], idx: u8) -> Option<T> {
    (idx != 0).then(|| all[idx as usize - 1])
}

fn idx_of<T: PartialEq>(all: &[T], v: T) -> u8 {
    all.iter().position(|x| *x == v).unwrap_or(0) as u8
}

fn idx_opt<T: PartialEq>(all: &[T], v: Option<T>) -> u8 {
    v.map_or(0, |v| idx_of(all, v) + 1)
}

impl CvssV3 {
    /// A CVSS 3.1 vector with only the given base metrics.
    pub fn v31_from_base(base: V3Base) -> Self {
        CvssV3::from_base(V3Minor::V3_1, base)
    }

    /// A vector of the given minor version with only the given base metrics.
    pub fn from_base(minor: V3Minor, base: V3Base) -> Self {
        CvssV3 {
            minor,
            base,
            temporal: V3Temporal::default(),
            environmental: V3Environmental::default(),
        }
    }

    /// Parse the part after `CVSS:3.x/`.
    pub(crate) fn parse_body(minor: V3Minor, body: &str) -> Result<Self, CvssError> {
        let v = parse_body(body, 2, &V3_METRICS, minor.as_str())?;
        Ok(CvssV3 {
            minor,
            base: V3Base {
                av: pick(AttackVector::ALL, v[0]),
                ac: pick(AttackComplexity::ALL, v[1]),
                pr: pick(PrivilegesRequired::ALL, v[2]),
                ui: pick(UserInteraction::ALL, v[3]),
                s: pick(Scope::ALL, v[4]),
                c: pick(Impact::ALL, v[5]),
                i: pick(Impact::ALL, v[6]),
                a: pick(Impact::ALL, v[7]),
            },
            temporal: V3Temporal {
                e: pick(ExploitCodeMaturity::ALL, v[8]),
                rl: pick(RemediationLevel::ALL, v[9]),
                rc: pick(ReportConfidence::ALL, v[10]),
            },
            environmental: V3Environmental {
                cr: pick(Requirement::ALL, v[11]),
                ir: pick(Requirement::ALL, v[12]),
                ar: pick(Requirement::ALL, v[13]),
                mav: pick_opt(AttackVector::ALL, v[14]),
                mac: pick_opt(AttackComplexity::ALL, v[15]),
                mpr: pick_opt(PrivilegesRequired::ALL, v[16]),
                mui: pick_opt(UserInteraction::ALL, v[17]),
                ms: pick_opt(Scope::ALL, v[18]),
                mc: pick_opt(Impact::ALL, v[19]),
                mi: pick_opt(Impact::ALL, v[20]),
                ma: pick_opt(Impact::ALL, v[21]),
            },
        })
    }

    fn indices(&self) -> [u8; 22] {
        let b = &self.base;
        let t = &self.temporal;
        let e = &self.environmental;
        [
            idx_of(AttackVector::ALL, b.av),
            idx_of(AttackComplexity::ALL, b.ac),
            idx_of(PrivilegesRequired::ALL, b.pr),
            idx_of(UserInteraction::ALL, b.ui),
            idx_of(Scope::ALL, b.s),
            idx_of(Impact::ALL, b.c),
            idx_of(Impact::ALL, b.i),
            idx_of(Impact::ALL, b.a),
            idx_of(ExploitCodeMaturity::ALL, t.e),
            idx_of(RemediationLevel::ALL, t.rl),
            idx_of(ReportConfidence::ALL, t.rc),
            idx_of(Requirement::ALL, e.cr),
            idx_of(Requirement::ALL, e.ir),
            idx_of(Requirement::ALL, e.ar),
            idx_opt(AttackVector::ALL, e.mav),
            idx_opt(AttackComplexity::ALL, e.mac),
            idx_opt(PrivilegesRequired::ALL, e.mpr),
            idx_opt(UserInteraction::ALL, e.mui),
            idx_opt(Scope::ALL, e.ms),
            idx_opt(Impact::ALL, e.mc),
            idx_opt(Impact::ALL, e.mi),
            idx_opt(Impact::ALL, e.ma),
        ]
    }

    fn roundup(&self, x: f64) -> u32 {
        match self.minor {
            V3Minor::V3_0 => roundup_v30(x),
            V3Minor::V3_1 => roundup_v31(x),
        }
    }

    /// Impact Sub-Score (ISS) = 1 − (1−C)(1−I)(1−A).
    fn iss(&self) -> f64 {
        let b = &self.base;
        1.0 - (1.0 - b.c.weight()) * (1.0 - b.i.weight()) * (1.0 - b.a.weight())
    }

    /// Unrounded base impact: 6.42·ISS (scope unchanged) or
    /// 7.52·(ISS−0.029) − 3.25·(ISS−0.02)^15 (scope changed). May be negative.
    pub fn impact_subscore_raw(&self) -> f64 {
        let iss = self.iss();
        match self.base.s {
            Scope::Unchanged => 6.42 * iss,
            Scope::Changed => 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02).powi(15),
        }
    }

    /// Unrounded exploitability sub-score: 8.22 · AV · AC · PR · UI.
    pub fn exploitability_subscore_raw(&self) -> f64 {
        let b = &self.base;
        8.22 * b.av.weight() * b.ac.weight() * b.pr.weight(b.s) * b.ui.weight()
    }

    /// Exploitability sub-score rounded (half up) to one decimal, as NVD publishes it
    /// (`exploitabilityScore`), e.g. 3.9 for AV:N/AC:L/PR:N/UI:N.
    pub fn exploitability_subscore(&self) -> f64 {
        tenths_to_f64(round_half_up_1(self.exploitability_subscore_raw()))
    }

    /// Impact sub-score rounded (half up) to one decimal, as NVD publishes it
    /// (`impactScore`); negative raw values (scope changed, no impact) are reported as 0.0.
    pub fn impact_subscore(&self) -> f64 {
        tenths_to_f64(round_half_up_1(self.impact_subscore_raw()).max(0))
    }

    fn base_tenths(&self) -> u32 {
        let impact = self.impact_subscore_raw();
        if impact <= 0.0 {
            return 0;
        }
        let expl = self.exploitability_subscore_raw();
        match self.base.s {
            Scope::Unchanged => self.roundup((impact + expl).min(10.0)),
            Scope::Changed => self.roundup((1.08 * (impact + expl)).min(10.0)),
        }
    }

    fn temporal_factor(&self) -> f64 {
        let t = &self.temporal;
        t.e.weight() * t.rl.weight() * t.rc.weight()
    }

    /// Base score.
    pub fn base_score(&self) -> f64 {
        tenths_to_f64(self.base_tenths().into())
    }

    /// Temporal score (equals the base score when no temporal metric is defined).
    pub fn temporal_score(&self) -> f64 {
        let base = tenths_to_f64(self.base_tenths().into());
        tenths_to_f64(self.roundup(base * self.temporal_factor()).into())
    }

    /// Environmental score, computed with the modified metrics (Not Defined → base value).
    pub fn environmental_score(&self) -> f64 {
        let b = &self.base;
        let e = &self.environmental;
        let ms = e.ms.unwrap_or(b.s);
        let mc = e.mc.unwrap_or(b.c).weight();
        let mi = e.mi.unwrap_or(b.i).weight();
        let ma = e.ma.unwrap_or(b.a).weight();
        let miss = (1.0
            - (1.0 - e.cr.weight() * mc) * (1.0 - e.ir.weight() * mi) * (1.0 - e.ar.weight() * ma))
            .min(0.915);
        let m_impact = match (ms, self.minor) {
            (Scope::Unchanged, _) => 6.42 * miss,
            (Scope::Changed, V3Minor::V3_0) => {
                7.52 * (miss - 0.029) - 3.25 * (miss - 0.02).powi(15)
            }
            (Scope::Changed, V3Minor::V3_1) => {
                7.52 * (miss - 0.029) - 3.25 * (miss * 0.9731 - 0.02).powi(13)
            }
        };
        if m_impact <= 0.0 {
            return 0.0;
        }
        let m_expl = 8.22
            * e.mav.unwrap_or(b.av).weight()
            * e.mac.unwrap_or(b.ac).weight()
            * e.mpr.unwrap_or(b.pr).weight(ms)
            * e.mui.unwrap_or(b.ui).weight();
        let inner = match ms {
            Scope::Unchanged => self.roundup((m_impact + m_expl).min(10.0)),
            Scope::Changed => self.roundup((1.08 * (m_impact + m_expl)).min(10.0)),
        };
        let inner = tenths_to_f64(inner.into());
        tenths_to_f64(self.roundup(inner * self.temporal_factor()).into())
    }

    /// Qualitative severity of the base score.
    pub fn severity(&self) -> Severity {
        Severity::from_score(self.base_score())
    }

    /// All scores. `temporal` / `environmental` are `Some` only when the vector defines at
    /// least one metric of that group (a value other than `X`).
    pub fn scores(&self) -> Scores {
        let base = self.base_score();
        Scores {
            vector: self.to_string(),
            version: match self.minor {
                V3Minor::V3_0 => Version::V3_0,
                V3Minor::V3_1 => Version::V3_1,
            },
            base,
            temporal: self.temporal.is_defined().then(|| self.temporal_score()),
            environmental: self
                .environmental
                .is_defined()
                .then(|| self.environmental_score()),
            impact: Some(self.impact_subscore()),
            exploitability: Some(self.exploitability_subscore()),
            severity: Severity::from_score(base),
            nomenclature: None,
        }
    }
}

impl CvssV3 {
    /// Like [`Self::scores`] but `temporal` and `environmental` are always filled in (as the
    /// FIRST calculator shows them: Not Defined metrics take their neutral / base values).
    /// Note that for 3.1 scope-changed vectors the environmental equation differs from the
    /// base one, so e.g. `CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H` is base 9.6 but
    /// environmental 9.7.
    pub fn scores_full(&self) -> Scores {
        Scores {
            temporal: Some(self.temporal_score()),
            environmental: Some(self.environmental_score()),
            ..self.scores()
        }
    }
}

impl fmt::Display for CvssV3 {
    /// The normalised vector: `CVSS:3.x/` prefix, metrics in specification order,
    /// Not Defined (`X`) metrics left out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut body = String::with_capacity(80);
        write_body(&mut body, &V3_METRICS, &self.indices());
        write!(f, "CVSS:{}/{}", self.minor.as_str(), body)
    }
}

impl FromStr for CvssV3 {
    type Err = CvssError;
    /// Parse a `CVSS:3.0/…` or `CVSS:3.1/…` vector.
    fn from_str(s: &str) -> Result<Self, CvssError> {
        match s.parse::<crate::Vector>()? {
            crate::Vector::V3(v) => Ok(v),
            other => Err(CvssError::UnsupportedVersion {
                version: other.version().as_str().to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> CvssV3 {
        s.parse().unwrap()
    }

    #[test]
    fn build_from_typed_base() {
        let base = V3Base {
            av: AttackVector::Network,
            ac: AttackComplexity::Low,
            pr: PrivilegesRequired::None,
            ui: UserInteraction::Required,
            s: Scope::Changed,
            c: Impact::High,
            i: Impact::High,
            a: Impact::High,
        };
        let vec = CvssV3::v31_from_base(base);
        assert_eq!(
            vec.to_string(),
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:H/I:H/A:H"
        );
        assert_eq!(vec.base_score(), 9.6);
        assert_eq!(v(&vec.to_string()), vec);
    }

    #[test]
    fn normalises_order_and_drops_not_defined() {
        let a = v("CVSS:3.1/S:U/AV:N/AC:L/PR:H/UI:N/C:L/I:L/A:N/E:F/RL:X");
        assert_eq!(
            a.to_string(),
            "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:L/I:L/A:N/E:F"
        );
    }

    #[test]
    fn subscores_match_nvd_style() {
        let a = v("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:L/A:L");
        assert_eq!(a.exploitability_subscore(), 3.9);
        assert_eq!(a.impact_subscore(), 3.4);
        assert_eq!(a.base_score(), 7.3);
        let z = v("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:N/I:N/A:N");
        assert!(z.impact_subscore_raw() < 0.0);
        assert_eq!(z.impact_subscore(), 0.0);
        assert_eq!(z.base_score(), 0.0);
    }

    #[test]
    fn v30_and_v31_differ_only_where_expected() {
        // Same metrics, MS:C environmental equation differs between 3.0 and 3.1.
        let a = v("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H/MC:H/MI:L/MA:N/CR:H");
        let b = v("CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H/MC:H/MI:L/MA:N/CR:H");
        assert_eq!(a.base_score(), b.base_score());
        assert!(a.environmental_score() > 0.0 && b.environmental_score() > 0.0);
    }
}

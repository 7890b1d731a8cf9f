//! SSVC supplier decision (CERT/CC *Stakeholder-Specific Vulnerability
//! Categorization* v2, supplier tree, "patch development priority"), shown
//! beside the FDA decision.
//!
//! Inputs: Exploitation (none / public PoC / active), Utility (from Automatable
//! × Value Density), Technical Impact (partial / total) and Public Safety
//! Impact (minimal / significant). Output: defer / scheduled / out-of-cycle /
//! immediate. The tree below was checked row by row against CERT/CC's
//! published table (`data/csv/ssvc/supplier_patch_development_priority_1_0_0.csv`
//! and the older `data/csvs/supplier-options.csv` in `CERTCC/SSVC`, 36 rows,
//! identical outcomes); the unit tests replay those rows.
//!
//! # Safety impact from ISO 14971 harm
//!
//! SSVC's Safety Impact (v2.0.1) is based on IEC 61508: negligible ("minor
//! injuries at worst"), marginal ("major injuries to one or more persons"),
//! critical ("loss of life"), catastrophic ("multiple loss of life"). Public
//! Safety Impact is **minimal only when Safety Impact is negligible**, else
//! significant. The default mapping from the five ISO 14971 levels
//! ([`SafetyImpactMapping::default`]) is:
//!
//! | ISO 14971 | SSVC Safety Impact | Public Safety Impact |
//! |---|---|---|
//! | negligible (inconvenience, temporary discomfort) | negligible | minimal |
//! | minor (temporary injury, no professional intervention) | negligible | minimal |
//! | serious (injury needing professional intervention) | marginal | significant |
//! | critical (permanent impairment, life-threatening) | critical | significant |
//! | catastrophic (patient death) | catastrophic | significant |
//!
//! so "serious and above → significant". Catastrophic maps to SSVC
//! catastrophic rather than critical because one vulnerability reaches every
//! fielded device of the model (multi-patient harm); it does not change the
//! outcome, which only reads minimal/significant. The mapping is data and can
//! be replaced (requirements A6.31).

use crate::error::{Error, Result};
use crate::harm::HarmSeverity;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

fn normalize(s: &str) -> String {
    s.trim().to_ascii_lowercase().replace([' ', '_'], "-")
}

macro_rules! ssvc_enum {
    (
        $(#[$meta:meta])* $name:ident, $point:literal, $expected:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal $(| $alias:literal)* ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $text)] $variant ),+
        }

        impl $name {
            /// Every value, lowest first.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The kebab-case name.
            pub fn as_str(self) -> &'static str {
                match self { $( $name::$variant => $text ),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = Error;
            /// Ignores case; spaces and underscores count as hyphens.
            fn from_str(s: &str) -> Result<Self> {
                let n = normalize(s);
                $( if n == $text $(|| n == $alias)* { return Ok($name::$variant); } )+
                Err(Error::UnknownSsvcValue {
                    decision_point: $point,
                    value: s.to_string(),
                    expected: $expected,
                })
            }
        }
    };
}

ssvc_enum!(
    /// Exploitation: evidence of active exploitation.
    Exploitation, "exploitation", "none, public-poc, active" {
        /// No evidence of exploitation and no public proof of concept.
        None = "none",
        /// A public proof of concept exists (also written `poc`).
        PublicPoc = "public-poc" | "poc",
        /// Reliable evidence of exploitation in the wild.
        Active = "active",
    }
);

ssvc_enum!(
    /// Automatable: can steps 1–4 of the kill chain be automated reliably?
    Automatable, "automatable", "no, yes" {
        /// No.
        No = "no",
        /// Yes.
        Yes = "yes",
    }
);

ssvc_enum!(
    /// Value Density: resources gained by one exploitation.
    ValueDensity, "value density", "diffuse, concentrated" {
        /// Limited resources per target.
        Diffuse = "diffuse",
        /// Rich resources per target.
        Concentrated = "concentrated",
    }
);

ssvc_enum!(
    /// Utility: the value to an adversary of mounting the attack.
    Utility, "utility", "laborious, efficient, super-effective" {
        /// No + diffuse.
        Laborious = "laborious",
        /// No + concentrated, or yes + diffuse.
        Efficient = "efficient",
        /// Yes + concentrated.
        SuperEffective = "super-effective",
    }
);

ssvc_enum!(
    /// Technical Impact: control over the vulnerable component.
    TechnicalImpact, "technical impact", "partial, total" {
        /// Limited control or information exposure.
        Partial = "partial",
        /// Total control of the component's behaviour or total disclosure.
        Total = "total",
    }
);

ssvc_enum!(
    /// Safety Impact (SSVC v2.0.1, after IEC 61508).
    SafetyImpact, "safety impact", "negligible, marginal, critical, catastrophic" {
        /// Minor injuries at worst.
        Negligible = "negligible",
        /// Major injuries to one or more persons.
        Marginal = "marginal",
        /// Loss of life.
        Critical = "critical",
        /// Multiple loss of life.
        Catastrophic = "catastrophic",
    }
);

ssvc_enum!(
    /// Public Safety Impact (supplier tree).
    PublicSafetyImpact, "public safety impact", "minimal, significant" {
        /// Safety Impact negligible.
        Minimal = "minimal",
        /// Safety Impact marginal or worse.
        Significant = "significant",
    }
);

ssvc_enum!(
    /// The supplier tree's outcome: patch development priority.
    SupplierPriority, "supplier priority", "defer, scheduled, out-of-cycle, immediate" {
        /// Do not work on the patch now.
        Defer = "defer",
        /// Develop it in the regular schedule.
        Scheduled = "scheduled",
        /// Develop a mitigation or fix out of cycle.
        OutOfCycle = "out-of-cycle",
        /// Develop and publish as fast as possible, all resources.
        Immediate = "immediate",
    }
);

impl Utility {
    /// SSVC's utility table: Automatable × Value Density.
    pub fn from_parts(automatable: Automatable, value_density: ValueDensity) -> Self {
        match (automatable, value_density) {
            (Automatable::No, ValueDensity::Diffuse) => Utility::Laborious,
            (Automatable::No, ValueDensity::Concentrated)
            | (Automatable::Yes, ValueDensity::Diffuse) => Utility::Efficient,
            (Automatable::Yes, ValueDensity::Concentrated) => Utility::SuperEffective,
        }
    }
}

impl SafetyImpact {
    /// SSVC's public-safety table: minimal only for negligible.
    pub fn public(self) -> PublicSafetyImpact {
        match self {
            SafetyImpact::Negligible => PublicSafetyImpact::Minimal,
            _ => PublicSafetyImpact::Significant,
        }
    }
}

/// ISO 14971 harm severity → SSVC Safety Impact; data, replaceable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SafetyImpactMapping {
    /// For negligible harm.
    pub negligible: SafetyImpact,
    /// For minor harm.
    pub minor: SafetyImpact,
    /// For serious harm.
    pub serious: SafetyImpact,
    /// For critical harm.
    pub critical: SafetyImpact,
    /// For catastrophic harm.
    pub catastrophic: SafetyImpact,
}

impl Default for SafetyImpactMapping {
    /// The mapping in the module docs.
    fn default() -> Self {
        Self {
            negligible: SafetyImpact::Negligible,
            minor: SafetyImpact::Negligible,
            serious: SafetyImpact::Marginal,
            critical: SafetyImpact::Critical,
            catastrophic: SafetyImpact::Catastrophic,
        }
    }
}

impl SafetyImpactMapping {
    /// The SSVC Safety Impact for a harm level.
    pub fn map(&self, harm: HarmSeverity) -> SafetyImpact {
        match harm {
            HarmSeverity::Negligible => self.negligible,
            HarmSeverity::Minor => self.minor,
            HarmSeverity::Serious => self.serious,
            HarmSeverity::Critical => self.critical,
            HarmSeverity::Catastrophic => self.catastrophic,
        }
    }
}

/// The SSVC inputs the analyst supplies; Public Safety Impact comes from the
/// harm severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SsvcInput {
    /// Exploitation.
    pub exploitation: Exploitation,
    /// Automatable.
    pub automatable: Automatable,
    /// Value Density.
    pub value_density: ValueDensity,
    /// Technical Impact.
    pub technical_impact: TechnicalImpact,
}

/// The supplier decision, with every decision point.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SsvcDecision {
    /// Exploitation.
    pub exploitation: Exploitation,
    /// Automatable.
    pub automatable: Automatable,
    /// Value Density.
    pub value_density: ValueDensity,
    /// Utility, from the two above.
    pub utility: Utility,
    /// Technical Impact.
    pub technical_impact: TechnicalImpact,
    /// The harm severity it was mapped from.
    pub harm: HarmSeverity,
    /// Safety Impact, mapped from the harm.
    pub safety_impact: SafetyImpact,
    /// Public Safety Impact.
    pub public_safety_impact: PublicSafetyImpact,
    /// The outcome.
    pub priority: SupplierPriority,
}

/// The supplier tree.
pub fn supplier_priority(
    exploitation: Exploitation,
    utility: Utility,
    technical_impact: TechnicalImpact,
    public_safety: PublicSafetyImpact,
) -> SupplierPriority {
    use Exploitation as E;
    use PublicSafetyImpact::{Minimal, Significant};
    use SupplierPriority::*;
    use TechnicalImpact::{Partial, Total};
    use Utility::{Efficient, Laborious, SuperEffective};

    match exploitation {
        E::None => match (utility, technical_impact, public_safety) {
            (Laborious, Partial, Minimal) => Defer,
            (Laborious, Partial, Significant) => Scheduled,
            (SuperEffective, Total, _) => OutOfCycle,
            (_, _, Minimal) => Scheduled,
            (_, _, Significant) => OutOfCycle,
        },
        E::PublicPoc => match (utility, technical_impact, public_safety) {
            (Laborious, Partial, Significant) => OutOfCycle,
            (_, _, Significant) => Immediate,
            (Laborious, _, Minimal) | (Efficient, Partial, Minimal) => Scheduled,
            (_, _, Minimal) => OutOfCycle,
        },
        E::Active => match (utility, public_safety) {
            (SuperEffective, _) => Immediate,
            (_, Significant) => Immediate,
            (_, Minimal) => OutOfCycle,
        },
    }
}

/// Runs the supplier tree with Public Safety Impact mapped from the harm.
pub fn supplier_decision(
    input: &SsvcInput,
    harm: HarmSeverity,
    mapping: &SafetyImpactMapping,
) -> SsvcDecision {
    let utility = Utility::from_parts(input.automatable, input.value_density);
    let safety_impact = mapping.map(harm);
    let public_safety_impact = safety_impact.public();
    SsvcDecision {
        exploitation: input.exploitation,
        automatable: input.automatable,
        value_density: input.value_density,
        utility,
        technical_impact: input.technical_impact,
        harm,
        safety_impact,
        public_safety_impact,
        priority: supplier_priority(
            input.exploitation,
            utility,
            input.technical_impact,
            public_safety_impact,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// CERT/CC's published supplier table (exploitation, utility, technical
    /// impact, public safety impact → priority), row order as published.
    const PUBLISHED: &str = "\
none,laborious,partial,minimal,defer
none,laborious,partial,significant,scheduled
none,laborious,total,minimal,scheduled
none,laborious,total,significant,out-of-cycle
none,efficient,partial,minimal,scheduled
none,efficient,partial,significant,out-of-cycle
none,efficient,total,minimal,scheduled
none,efficient,total,significant,out-of-cycle
none,super effective,partial,minimal,scheduled
none,super effective,partial,significant,out-of-cycle
none,super effective,total,minimal,out-of-cycle
none,super effective,total,significant,out-of-cycle
public poc,laborious,partial,minimal,scheduled
public poc,laborious,partial,significant,out-of-cycle
public poc,laborious,total,minimal,scheduled
public poc,laborious,total,significant,immediate
public poc,efficient,partial,minimal,scheduled
public poc,efficient,partial,significant,immediate
public poc,efficient,total,minimal,out-of-cycle
public poc,efficient,total,significant,immediate
public poc,super effective,partial,minimal,out-of-cycle
public poc,super effective,partial,significant,immediate
public poc,super effective,total,minimal,out-of-cycle
public poc,super effective,total,significant,immediate
active,laborious,partial,minimal,out-of-cycle
active,laborious,partial,significant,immediate
active,laborious,total,minimal,out-of-cycle
active,laborious,total,significant,immediate
active,efficient,partial,minimal,out-of-cycle
active,efficient,partial,significant,immediate
active,efficient,total,minimal,out-of-cycle
active,efficient,total,significant,immediate
active,super effective,partial,minimal,immediate
active,super effective,partial,significant,immediate
active,super effective,total,minimal,immediate
active,super effective,total,significant,immediate";

    #[test]
    fn every_path_of_the_supplier_tree_matches_the_published_table() {
        let mut seen = BTreeSet::new();
        for line in PUBLISHED.lines() {
            let f: Vec<&str> = line.split(',').collect();
            let (e, u, t, p) = (
                f[0].parse::<Exploitation>().unwrap(),
                f[1].parse::<Utility>().unwrap(),
                f[2].parse::<TechnicalImpact>().unwrap(),
                f[3].parse::<PublicSafetyImpact>().unwrap(),
            );
            let expected: SupplierPriority = f[4].parse().unwrap();
            assert_eq!(supplier_priority(e, u, t, p), expected, "row {line}");
            seen.insert((e, u, t, p));
        }
        // The table covers the whole input space: 3 × 3 × 2 × 2.
        assert_eq!(seen.len(), 36);
    }

    #[test]
    fn priority_never_drops_when_an_input_gets_worse() {
        // A property of the published tree, checked over all 36 inputs.
        for &e in Exploitation::ALL {
            for &u in Utility::ALL {
                for &t in TechnicalImpact::ALL {
                    for &p in PublicSafetyImpact::ALL {
                        let base = supplier_priority(e, u, t, p);
                        for &e2 in Exploitation::ALL.iter().filter(|x| **x > e) {
                            assert!(supplier_priority(e2, u, t, p) >= base);
                        }
                        for &u2 in Utility::ALL.iter().filter(|x| **x > u) {
                            assert!(supplier_priority(e, u2, t, p) >= base);
                        }
                        for &t2 in TechnicalImpact::ALL.iter().filter(|x| **x > t) {
                            assert!(supplier_priority(e, u, t2, p) >= base);
                        }
                        for &p2 in PublicSafetyImpact::ALL.iter().filter(|x| **x > p) {
                            assert!(supplier_priority(e, u, t, p2) >= base);
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn utility_table() {
        use Automatable::*;
        use ValueDensity::*;
        assert_eq!(Utility::from_parts(No, Diffuse), Utility::Laborious);
        assert_eq!(Utility::from_parts(No, Concentrated), Utility::Efficient);
        assert_eq!(Utility::from_parts(Yes, Diffuse), Utility::Efficient);
        assert_eq!(
            Utility::from_parts(Yes, Concentrated),
            Utility::SuperEffective
        );
    }

    #[test]
    fn harm_mapping_serious_and_above_is_significant() {
        let m = SafetyImpactMapping::default();
        for (h, expected) in [
            (HarmSeverity::Negligible, PublicSafetyImpact::Minimal),
            (HarmSeverity::Minor, PublicSafetyImpact::Minimal),
            (HarmSeverity::Serious, PublicSafetyImpact::Significant),
            (HarmSeverity::Critical, PublicSafetyImpact::Significant),
            (HarmSeverity::Catastrophic, PublicSafetyImpact::Significant),
        ] {
            assert_eq!(m.map(h).public(), expected, "{h}");
        }
        // A stricter mapping is data, not code.
        let strict = SafetyImpactMapping {
            minor: SafetyImpact::Marginal,
            ..Default::default()
        };
        assert_eq!(
            strict.map(HarmSeverity::Minor).public(),
            PublicSafetyImpact::Significant
        );
    }

    #[test]
    fn supplier_decision_records_every_point() {
        let d = supplier_decision(
            &SsvcInput {
                exploitation: Exploitation::PublicPoc,
                automatable: Automatable::No,
                value_density: ValueDensity::Concentrated,
                technical_impact: TechnicalImpact::Total,
            },
            HarmSeverity::Catastrophic,
            &SafetyImpactMapping::default(),
        );
        assert_eq!(d.utility, Utility::Efficient);
        assert_eq!(d.public_safety_impact, PublicSafetyImpact::Significant);
        assert_eq!(d.priority, SupplierPriority::Immediate);
        let json = serde_json::to_value(d).unwrap();
        assert_eq!(json["priority"], "immediate");
        assert_eq!(json["exploitation"], "public-poc");
    }

    #[test]
    fn unknown_values_are_refused_naming_the_decision_point() {
        let err = "likely".parse::<Exploitation>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "unknown SSVC exploitation value 'likely' (expected one of: none, public-poc, active)"
        );
        assert_eq!(
            "PoC".parse::<Exploitation>().unwrap(),
            Exploitation::PublicPoc
        );
        assert_eq!(
            "Super_Effective".parse::<Utility>().unwrap(),
            Utility::SuperEffective
        );
    }
}

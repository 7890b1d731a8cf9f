//! The one status vocabulary Postmarket keeps, the two justification vocabularies the VEX formats
//! use, and the mapping tables between them.
//!
//! ## Status
//!
//! | neutral | CSAF 2.0 `product_status` (§3.2.3.9) | OpenVEX 0.2.0 `status` | CycloneDX 1.6 `analysis.state` | CycloneDX `affects[].versions[].status` |
//! |---|---|---|---|---|
//! | `affected` | `known_affected` (read: also `first_affected`, `last_affected`) | `affected` | `exploitable` | `affected` |
//! | `not_affected` | `known_not_affected` | `not_affected` | `not_affected` (read: also `false_positive`) | `unaffected` |
//! | `fixed` | `fixed` (and `first_fixed` when marked) (read: both) | `fixed` | `resolved` (read: also `resolved_with_pedigree`) | `unaffected` |
//! | `under_investigation` | `under_investigation` | `under_investigation` | `in_triage` | `unknown` |
//!
//! ## Justification (why a product is not affected)
//!
//! CSAF 2.0 flags (§3.2.3.5) and OpenVEX 0.2.0 justifications share five labels
//! ([`VexJustification`]); CycloneDX 1.6 `analysis.justification` has nine finer ones
//! ([`CdxJustification`]). Postmarket stores whichever was given ([`Justification`]) and maps on
//! output. The tables follow CISA's *Minimum Requirements for VEX* (2023) pairing; a row marked
//! *lossy* loses information, and the writer then returns a warning saying what was lost.
//!
//! CSAF / OpenVEX → CycloneDX:
//!
//! | CSAF / OpenVEX | CycloneDX | |
//! |---|---|---|
//! | `component_not_present` | `code_not_present` | lossy: CycloneDX cannot say the whole component is absent |
//! | `vulnerable_code_not_present` | `code_not_present` | exact |
//! | `vulnerable_code_cannot_be_controlled_by_adversary` | `requires_environment` | lossy: CycloneDX asks which precondition (configuration, dependency, environment) is missing |
//! | `vulnerable_code_not_in_execute_path` | `code_not_reachable` | exact |
//! | `inline_mitigations_already_exist` | `protected_by_mitigating_control` | lossy: CycloneDX asks where the protection sits (compiler, runtime, perimeter, control) |
//!
//! CycloneDX → CSAF / OpenVEX:
//!
//! | CycloneDX | CSAF / OpenVEX | |
//! |---|---|---|
//! | `code_not_present` | `vulnerable_code_not_present` | exact |
//! | `code_not_reachable` | `vulnerable_code_not_in_execute_path` | exact |
//! | `requires_configuration` | `vulnerable_code_cannot_be_controlled_by_adversary` | lossy: "a configuration is required" is lost |
//! | `requires_dependency` | `vulnerable_code_cannot_be_controlled_by_adversary` | lossy: "a dependency is required" is lost |
//! | `requires_environment` | `vulnerable_code_cannot_be_controlled_by_adversary` | lossy: "an environment is required" is lost |
//! | `protected_by_compiler` | `inline_mitigations_already_exist` | lossy: "by the compiler" is lost |
//! | `protected_at_runtime` | `inline_mitigations_already_exist` | lossy: "at runtime" is lost |
//! | `protected_at_perimeter` | `inline_mitigations_already_exist` | lossy: "at the perimeter" is lost |
//! | `protected_by_mitigating_control` | `inline_mitigations_already_exist` | lossy: "by a mitigating control" is lost |

use std::fmt;

use serde::{Deserialize, Serialize};

/// Whether a product is affected by a vulnerability: Postmarket's one status vocabulary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The product is affected; an action statement says what to do.
    Affected,
    /// The product is not affected; a justification or impact statement says why.
    NotAffected,
    /// This version contains a fix.
    Fixed,
    /// Not yet known.
    UnderInvestigation,
}

impl Status {
    /// All four, in a stable order.
    pub const ALL: [Status; 4] = [
        Status::Affected,
        Status::NotAffected,
        Status::Fixed,
        Status::UnderInvestigation,
    ];

    /// The OpenVEX word, which is also the neutral name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Affected => "affected",
            Status::NotAffected => "not_affected",
            Status::Fixed => "fixed",
            Status::UnderInvestigation => "under_investigation",
        }
    }

    /// The CSAF 2.0 `product_status` group (§3.2.3.9).
    pub fn csaf_group(self) -> &'static str {
        match self {
            Status::Affected => "known_affected",
            Status::NotAffected => "known_not_affected",
            Status::Fixed => "fixed",
            Status::UnderInvestigation => "under_investigation",
        }
    }

    /// The CycloneDX 1.6 `analysis.state`.
    pub fn cdx_state(self) -> &'static str {
        match self {
            Status::Affected => "exploitable",
            Status::NotAffected => "not_affected",
            Status::Fixed => "resolved",
            Status::UnderInvestigation => "in_triage",
        }
    }

    /// The CycloneDX 1.6 `affects[].versions[].status` of the version named.
    pub fn cdx_version_status(self) -> &'static str {
        match self {
            Status::Affected => "affected",
            Status::NotAffected | Status::Fixed => "unaffected",
            Status::UnderInvestigation => "unknown",
        }
    }

    /// An OpenVEX `status`.
    pub fn from_openvex(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// A CSAF `product_status` group; `None` for `recommended` (not a vulnerability status) and
    /// for anything unknown.
    pub fn from_csaf_group(s: &str) -> Option<Self> {
        Some(match s {
            "first_affected" | "known_affected" | "last_affected" => Status::Affected,
            "known_not_affected" => Status::NotAffected,
            "first_fixed" | "fixed" => Status::Fixed,
            "under_investigation" => Status::UnderInvestigation,
            _ => return None,
        })
    }

    /// A CycloneDX `analysis.state`.
    pub fn from_cdx_state(s: &str) -> Option<Self> {
        Some(match s {
            "exploitable" => Status::Affected,
            "not_affected" | "false_positive" => Status::NotAffected,
            "resolved" | "resolved_with_pedigree" => Status::Fixed,
            "in_triage" => Status::UnderInvestigation,
            _ => return None,
        })
    }

    /// A CycloneDX `affects[].versions[].status`.
    pub fn from_cdx_version_status(s: &str) -> Option<Self> {
        Some(match s {
            "affected" => Status::Affected,
            "unaffected" => Status::NotAffected,
            "unknown" => Status::UnderInvestigation,
            _ => return None,
        })
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The five justification labels of CSAF 2.0 (§3.2.3.5 flags) and OpenVEX 0.2.0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VexJustification {
    ComponentNotPresent,
    VulnerableCodeNotPresent,
    VulnerableCodeCannotBeControlledByAdversary,
    VulnerableCodeNotInExecutePath,
    InlineMitigationsAlreadyExist,
}

impl VexJustification {
    /// All five.
    pub const ALL: [VexJustification; 5] = [
        VexJustification::ComponentNotPresent,
        VexJustification::VulnerableCodeNotPresent,
        VexJustification::VulnerableCodeCannotBeControlledByAdversary,
        VexJustification::VulnerableCodeNotInExecutePath,
        VexJustification::InlineMitigationsAlreadyExist,
    ];

    /// The label as CSAF and OpenVEX write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ComponentNotPresent => "component_not_present",
            Self::VulnerableCodeNotPresent => "vulnerable_code_not_present",
            Self::VulnerableCodeCannotBeControlledByAdversary => {
                "vulnerable_code_cannot_be_controlled_by_adversary"
            }
            Self::VulnerableCodeNotInExecutePath => "vulnerable_code_not_in_execute_path",
            Self::InlineMitigationsAlreadyExist => "inline_mitigations_already_exist",
        }
    }

    /// Parses a CSAF flag label or OpenVEX justification.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The CycloneDX label (table in the module docs) and what the mapping loses, if anything.
    pub fn to_cdx(self) -> (CdxJustification, Option<&'static str>) {
        match self {
            Self::ComponentNotPresent => (
                CdxJustification::CodeNotPresent,
                Some("CycloneDX cannot say the whole component is absent"),
            ),
            Self::VulnerableCodeNotPresent => (CdxJustification::CodeNotPresent, None),
            Self::VulnerableCodeCannotBeControlledByAdversary => (
                CdxJustification::RequiresEnvironment,
                Some("CycloneDX asks which precondition (configuration, dependency, environment) is missing; requires_environment was chosen"),
            ),
            Self::VulnerableCodeNotInExecutePath => (CdxJustification::CodeNotReachable, None),
            Self::InlineMitigationsAlreadyExist => (
                CdxJustification::ProtectedByMitigatingControl,
                Some("CycloneDX asks where the protection sits (compiler, runtime, perimeter, control); protected_by_mitigating_control was chosen"),
            ),
        }
    }
}

impl fmt::Display for VexJustification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The nine CycloneDX 1.6 `analysis.justification` values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CdxJustification {
    CodeNotPresent,
    CodeNotReachable,
    RequiresConfiguration,
    RequiresDependency,
    RequiresEnvironment,
    ProtectedByCompiler,
    ProtectedAtRuntime,
    ProtectedAtPerimeter,
    ProtectedByMitigatingControl,
}

impl CdxJustification {
    /// All nine.
    pub const ALL: [CdxJustification; 9] = [
        Self::CodeNotPresent,
        Self::CodeNotReachable,
        Self::RequiresConfiguration,
        Self::RequiresDependency,
        Self::RequiresEnvironment,
        Self::ProtectedByCompiler,
        Self::ProtectedAtRuntime,
        Self::ProtectedAtPerimeter,
        Self::ProtectedByMitigatingControl,
    ];

    /// The label as CycloneDX writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CodeNotPresent => "code_not_present",
            Self::CodeNotReachable => "code_not_reachable",
            Self::RequiresConfiguration => "requires_configuration",
            Self::RequiresDependency => "requires_dependency",
            Self::RequiresEnvironment => "requires_environment",
            Self::ProtectedByCompiler => "protected_by_compiler",
            Self::ProtectedAtRuntime => "protected_at_runtime",
            Self::ProtectedAtPerimeter => "protected_at_perimeter",
            Self::ProtectedByMitigatingControl => "protected_by_mitigating_control",
        }
    }

    /// Parses a CycloneDX justification.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// The CSAF / OpenVEX label (table in the module docs) and what the mapping loses, if anything.
    pub fn to_vex(self) -> (VexJustification, Option<&'static str>) {
        use VexJustification as V;
        match self {
            Self::CodeNotPresent => (V::VulnerableCodeNotPresent, None),
            Self::CodeNotReachable => (V::VulnerableCodeNotInExecutePath, None),
            Self::RequiresConfiguration => (
                V::VulnerableCodeCannotBeControlledByAdversary,
                Some("that a configuration is required is lost"),
            ),
            Self::RequiresDependency => (
                V::VulnerableCodeCannotBeControlledByAdversary,
                Some("that a dependency is required is lost"),
            ),
            Self::RequiresEnvironment => (
                V::VulnerableCodeCannotBeControlledByAdversary,
                Some("that an environment is required is lost"),
            ),
            Self::ProtectedByCompiler => (
                V::InlineMitigationsAlreadyExist,
                Some("that the compiler protects it is lost"),
            ),
            Self::ProtectedAtRuntime => (
                V::InlineMitigationsAlreadyExist,
                Some("that it is protected at runtime is lost"),
            ),
            Self::ProtectedAtPerimeter => (
                V::InlineMitigationsAlreadyExist,
                Some("that it is protected at the perimeter is lost"),
            ),
            Self::ProtectedByMitigatingControl => (
                V::InlineMitigationsAlreadyExist,
                Some("that a mitigating control protects it is lost"),
            ),
        }
    }
}

impl fmt::Display for CdxJustification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A justification as it was given: in the CSAF / OpenVEX vocabulary or in CycloneDX's.
///
/// JSON: `{"vex": "vulnerable_code_not_present"}` or `{"cyclonedx": "protected_at_runtime"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Justification {
    /// A CSAF flag label / OpenVEX justification.
    Vex(VexJustification),
    /// A CycloneDX `analysis.justification`.
    Cyclonedx(CdxJustification),
}

impl Justification {
    /// In the CSAF / OpenVEX vocabulary (the neutral one), with what the mapping loses.
    pub fn to_vex(self) -> (VexJustification, Option<&'static str>) {
        match self {
            Justification::Vex(v) => (v, None),
            Justification::Cyclonedx(c) => c.to_vex(),
        }
    }

    /// In CycloneDX's vocabulary, with what the mapping loses.
    pub fn to_cdx(self) -> (CdxJustification, Option<&'static str>) {
        match self {
            Justification::Vex(v) => v.to_cdx(),
            Justification::Cyclonedx(c) => (c, None),
        }
    }

    /// The label as given.
    pub fn as_str(self) -> &'static str {
        match self {
            Justification::Vex(v) => v.as_str(),
            Justification::Cyclonedx(c) => c.as_str(),
        }
    }
}

impl fmt::Display for Justification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

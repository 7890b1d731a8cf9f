//! CVSS v3.x base metrics as typed values.
//!
//! These are the crate's own small types, enough to carry what the MITRE rubric
//! produces and to compute the exploitability sub-score the exploitability
//! policy reads. Full CVSS parsing and scoring lives in the CVSS crate; this
//! crate deliberately does not depend on it.
//!
//! Weights are from the CVSS v3.1 specification §7.4 (identical to v3.0 for
//! the four exploitability metrics).

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! metric_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $key:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $abbr:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $abbr)] $variant ),+
        }

        impl $name {
            /// The metric's key in a vector string.
            pub const KEY: &'static str = $key;

            /// The value's one-letter abbreviation in a vector string.
            pub fn abbreviation(self) -> &'static str {
                match self { $( Self::$variant => $abbr ),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.abbreviation())
            }
        }
    };
}

metric_enum!(
    /// Attack Vector (AV).
    AttackVector, "AV" {
        /// AV:N, remotely exploitable over a routed (layer 3) network.
        Network = "N",
        /// AV:A, bound to an adjacent network or short-range link.
        Adjacent = "A",
        /// AV:L, local access, or a user interface on the device.
        Local = "L",
        /// AV:P, physical contact with the device.
        Physical = "P",
    }
);

metric_enum!(
    /// Attack Complexity (AC).
    AttackComplexity, "AC" {
        /// AC:L, exploitable at will.
        Low = "L",
        /// AC:H, needs conditions beyond the attacker's control.
        High = "H",
    }
);

metric_enum!(
    /// Privileges Required (PR).
    PrivilegesRequired, "PR" {
        /// PR:N, no authorization needed.
        None = "N",
        /// PR:L, basic user privileges.
        Low = "L",
        /// PR:H, administrative or system-level privileges.
        High = "H",
    }
);

metric_enum!(
    /// User Interaction (UI).
    UserInteraction, "UI" {
        /// UI:N, no other user needs to act.
        None = "N",
        /// UI:R, a user or victim must act.
        Required = "R",
    }
);

metric_enum!(
    /// Scope (S).
    Scope, "S" {
        /// S:U, only the vulnerable component's authority is affected.
        Unchanged = "U",
        /// S:C, a component under another authority is affected.
        Changed = "C",
    }
);

metric_enum!(
    /// Impact on confidentiality, integrity or availability (C, I, A).
    ///
    /// Ordered None < Low < High, so the rubric's "maximum across the six
    /// categories" is `Iterator::max`.
    Impact, "C/I/A" {
        /// None.
        None = "N",
        /// Low.
        Low = "L",
        /// High.
        High = "H",
    }
);

impl AttackVector {
    /// CVSS v3.x weight.
    pub fn weight(self) -> f64 {
        match self {
            Self::Network => 0.85,
            Self::Adjacent => 0.62,
            Self::Local => 0.55,
            Self::Physical => 0.2,
        }
    }
}

impl AttackComplexity {
    /// CVSS v3.x weight.
    pub fn weight(self) -> f64 {
        match self {
            Self::Low => 0.77,
            Self::High => 0.44,
        }
    }
}

impl PrivilegesRequired {
    /// CVSS v3.x weight; PR depends on Scope.
    pub fn weight(self, scope: Scope) -> f64 {
        match (self, scope) {
            (Self::None, _) => 0.85,
            (Self::Low, Scope::Unchanged) => 0.62,
            (Self::Low, Scope::Changed) => 0.68,
            (Self::High, Scope::Unchanged) => 0.27,
            (Self::High, Scope::Changed) => 0.5,
        }
    }
}

impl UserInteraction {
    /// CVSS v3.x weight.
    pub fn weight(self) -> f64 {
        match self {
            Self::None => 0.85,
            Self::Required => 0.62,
        }
    }
}

/// The eight CVSS v3.x base metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BaseMetrics {
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

impl BaseMetrics {
    /// The CVSS v3.1 base vector string,
    /// `CVSS:3.1/AV:_/AC:_/PR:_/UI:_/S:_/C:_/I:_/A:_`.
    pub fn vector_string(&self) -> String {
        self.vector_with_prefix("CVSS:3.1")
    }

    /// The same vector under the `CVSS:3.0` prefix. The MITRE rubric was
    /// written for v3.0; the base metrics and their values are the same in
    /// v3.1, so the two strings differ only in the prefix.
    pub fn vector_string_v30(&self) -> String {
        self.vector_with_prefix("CVSS:3.0")
    }

    fn vector_with_prefix(&self, prefix: &str) -> String {
        format!(
            "{prefix}/AV:{}/AC:{}/PR:{}/UI:{}/S:{}/C:{}/I:{}/A:{}",
            self.av, self.ac, self.pr, self.ui, self.s, self.c, self.i, self.a
        )
    }

    /// The unrounded v3.x exploitability sub-score, 8.22 × AV × AC × PR × UI
    /// (between 0.12 and 3.887).
    pub fn exploitability_subscore(&self) -> f64 {
        8.22 * self.av.weight() * self.ac.weight() * self.pr.weight(self.s) * self.ui.weight()
    }
}

impl fmt::Display for BaseMetrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.vector_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn worst() -> BaseMetrics {
        BaseMetrics {
            av: AttackVector::Network,
            ac: AttackComplexity::Low,
            pr: PrivilegesRequired::None,
            ui: UserInteraction::None,
            s: Scope::Changed,
            c: Impact::High,
            i: Impact::High,
            a: Impact::High,
        }
    }

    #[test]
    fn vector_string_lists_all_eight_metrics_in_spec_order() {
        assert_eq!(
            worst().vector_string(),
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"
        );
        assert_eq!(
            worst().vector_string_v30(),
            "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"
        );
    }

    #[test]
    fn exploitability_subscore_matches_nvd_published_values() {
        // NVD publishes 3.9 for AV:N/AC:L/PR:N/UI:N and 2.8 for AV:N/AC:L/PR:L/UI:N (S:U).
        let m = worst();
        assert!((m.exploitability_subscore() - 3.887).abs() < 0.001);
        let m = BaseMetrics {
            pr: PrivilegesRequired::Low,
            s: Scope::Unchanged,
            ..worst()
        };
        assert!((m.exploitability_subscore() - 2.835).abs() < 0.001);
        // PR:L weighs 0.68 under S:C.
        let m = BaseMetrics {
            pr: PrivilegesRequired::Low,
            ..worst()
        };
        assert!((m.exploitability_subscore() - 3.110).abs() < 0.001);
    }

    #[test]
    fn impact_orders_none_low_high() {
        assert!(Impact::None < Impact::Low && Impact::Low < Impact::High);
    }
}

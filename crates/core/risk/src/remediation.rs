//! In-cycle or out-of-cycle remediation (FD&C Act §524B(b)(2); premarket
//! guidance 2025/26 §VII.C.1).
//!
//! §524B asks that known unacceptable vulnerabilities be fixed on a
//! "reasonably justified regular cycle", and critical vulnerabilities that
//! could cause uncontrolled risks "as soon as possible out of cycle". The
//! suggestion here:
//!
//! - **uncontrolled** → out-of-cycle, always;
//! - **controlled** with an SSVC supplier priority of out-of-cycle or
//!   immediate → out-of-cycle (no patient-harm urgency, but the supplier tree
//!   says not to wait: exploitation and utility are high);
//! - otherwise → in-cycle.
//!
//! It is a suggestion shown beside the decision; the engineering lead records
//! the actual release.

use crate::decision::Risk;
use crate::ssvc::SupplierPriority;
use serde::Serialize;

/// When the fix ships.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RemediationCycle {
    /// In the regular, justified release cycle.
    InCycle,
    /// As soon as possible, outside the regular cycle.
    OutOfCycle,
}

/// The suggestion and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RemediationSuggestion {
    /// In-cycle or out-of-cycle.
    pub cycle: RemediationCycle,
    /// Why.
    pub reason: String,
}

/// Suggests in-cycle or out-of-cycle remediation (see the module docs).
pub fn suggest(risk: Risk, ssvc: Option<SupplierPriority>) -> RemediationSuggestion {
    match (risk, ssvc) {
        (Risk::Uncontrolled, _) => RemediationSuggestion {
            cycle: RemediationCycle::OutOfCycle,
            reason: "uncontrolled risk: fix as soon as possible out of cycle (§524B(b)(2))".into(),
        },
        (
            Risk::Controlled,
            Some(p @ (SupplierPriority::OutOfCycle | SupplierPriority::Immediate)),
        ) => RemediationSuggestion {
            cycle: RemediationCycle::OutOfCycle,
            reason: format!("controlled risk, but the SSVC supplier priority is {p}"),
        },
        (Risk::Controlled, Some(p)) => RemediationSuggestion {
            cycle: RemediationCycle::InCycle,
            reason: format!("controlled risk and SSVC supplier priority {p}: regular cycle"),
        },
        (Risk::Controlled, None) => RemediationSuggestion {
            cycle: RemediationCycle::InCycle,
            reason: "controlled risk: routine update in the regular cycle".into(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_combination() {
        use RemediationCycle::InCycle;
        use SupplierPriority::*;
        for p in [
            None,
            Some(Defer),
            Some(Scheduled),
            Some(OutOfCycle),
            Some(Immediate),
        ] {
            assert_eq!(
                suggest(Risk::Uncontrolled, p).cycle,
                RemediationCycle::OutOfCycle
            );
        }
        assert_eq!(suggest(Risk::Controlled, None).cycle, InCycle);
        assert_eq!(suggest(Risk::Controlled, Some(Defer)).cycle, InCycle);
        assert_eq!(suggest(Risk::Controlled, Some(Scheduled)).cycle, InCycle);
        assert_eq!(
            suggest(Risk::Controlled, Some(OutOfCycle)).cycle,
            RemediationCycle::OutOfCycle
        );
        assert_eq!(
            suggest(Risk::Controlled, Some(Immediate)).cycle,
            RemediationCycle::OutOfCycle
        );
    }
}

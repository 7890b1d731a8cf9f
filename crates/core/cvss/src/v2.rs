//! CVSS 2.0 (old NVD records): parsing, base, temporal and environmental scores.

use std::fmt;
use std::str::FromStr;

use crate::error::CvssError;
use crate::parse::{parse_body, write_body, MetricDef};
use crate::round::{round_half_up_1, tenths_to_f64};
use crate::{Scores, Severity, Version};

/// Metric table in the order of the CVSS v2 guide (section 2.4).
pub(crate) const V2_METRICS: [MetricDef; 14] = [
    MetricDef::base("AV", &["L", "A", "N"]),
    MetricDef::base("AC", &["H", "M", "L"]),
    MetricDef::base("Au", &["M", "S", "N"]),
    MetricDef::base("C", &["N", "P", "C"]),
    MetricDef::base("I", &["N", "P", "C"]),
    MetricDef::base("A", &["N", "P", "C"]),
    MetricDef::opt("E", &["ND", "U", "POC", "F", "H"]),
    MetricDef::opt("RL", &["ND", "OF", "TF", "W", "U"]),
    MetricDef::opt("RC", &["ND", "UC", "UR", "C"]),
    MetricDef::opt("CDP", &["ND", "N", "L", "LM", "MH", "H"]),
    MetricDef::opt("TD", &["ND", "N", "L", "M", "H"]),
    MetricDef::opt("CR", &["ND", "L", "M", "H"]),
    MetricDef::opt("IR", &["ND", "L", "M", "H"]),
    MetricDef::opt("AR", &["ND", "L", "M", "H"]),
];

const W_AV: [f64; 3] = [0.395, 0.646, 1.0];
const W_AC: [f64; 3] = [0.35, 0.61, 0.71];
const W_AU: [f64; 3] = [0.45, 0.56, 0.704];
const W_CIA: [f64; 3] = [0.0, 0.275, 0.660];
const W_E: [f64; 5] = [1.0, 0.85, 0.90, 0.95, 1.0];
const W_RL: [f64; 5] = [1.0, 0.87, 0.90, 0.95, 1.0];
const W_RC: [f64; 4] = [1.0, 0.90, 0.95, 1.0];
const W_CDP: [f64; 6] = [0.0, 0.0, 0.1, 0.3, 0.4, 0.5];
const W_TD: [f64; 5] = [1.0, 0.0, 0.25, 0.75, 1.0];
const W_REQ: [f64; 4] = [1.0, 0.5, 1.0, 1.51];

/// A parsed CVSS 2.0 vector (no prefix, e.g. `AV:N/AC:L/Au:N/C:P/I:P/A:P`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CvssV2 {
    values: [u8; 14],
}

impl CvssV2 {
    pub(crate) fn parse_body(body: &str) -> Result<Self, CvssError> {
        Ok(CvssV2 {
            values: parse_body(body, 1, &V2_METRICS, "2.0")?,
        })
    }

    /// The value code of a metric (`"ND"` for an absent optional metric), or `None` if this is
    /// not a CVSS 2.0 metric abbreviation.
    pub fn get(&self, metric: &str) -> Option<&'static str> {
        let i = V2_METRICS.iter().position(|d| d.name == metric)?;
        Some(V2_METRICS[i].values[self.values[i] as usize])
    }

    fn v(&self, i: usize) -> usize {
        self.values[i] as usize
    }

    fn impact_raw(&self) -> f64 {
        10.41
            * (1.0 - (1.0 - W_CIA[self.v(3)]) * (1.0 - W_CIA[self.v(4)]) * (1.0 - W_CIA[self.v(5)]))
    }

    fn adjusted_impact_raw(&self) -> f64 {
        let r = |cia: usize, req: usize| W_CIA[self.v(cia)] * W_REQ[self.v(req)];
        (10.41 * (1.0 - (1.0 - r(3, 11)) * (1.0 - r(4, 12)) * (1.0 - r(5, 13)))).min(10.0)
    }

    /// Unrounded exploitability sub-score: 20 · AV · AC · Au.
    pub fn exploitability_subscore_raw(&self) -> f64 {
        20.0 * W_AV[self.v(0)] * W_AC[self.v(1)] * W_AU[self.v(2)]
    }

    fn base_equation(&self, impact: f64) -> i64 {
        let f = if impact == 0.0 { 0.0 } else { 1.176 };
        let raw = (0.6 * impact + 0.4 * self.exploitability_subscore_raw() - 1.5) * f;
        // Not clamped here: with low security requirements the AdjustedBase inside the
        // environmental equation can be negative, and the guide's formula uses it as is.
        round_half_up_1(raw)
    }

    fn temporal_equation(&self, base_tenths: i64) -> i64 {
        let factor = W_E[self.v(6)] * W_RL[self.v(7)] * W_RC[self.v(8)];
        round_half_up_1(tenths_to_f64(base_tenths) * factor)
    }

    /// Base score.
    pub fn base_score(&self) -> f64 {
        tenths_to_f64(self.base_equation(self.impact_raw()).max(0))
    }

    /// Temporal score (equals the base score when no temporal metric is defined).
    pub fn temporal_score(&self) -> f64 {
        let base = self.base_equation(self.impact_raw()).max(0);
        tenths_to_f64(self.temporal_equation(base).max(0))
    }

    /// Environmental score (guide section 3.2.3: AdjustedTemporal from AdjustedImpact,
    /// then collateral damage potential and target distribution).
    pub fn environmental_score(&self) -> f64 {
        let adjusted_base = self.base_equation(self.adjusted_impact_raw());
        let at = tenths_to_f64(self.temporal_equation(adjusted_base));
        let env = (at + (10.0 - at) * W_CDP[self.v(9)]) * W_TD[self.v(10)];
        tenths_to_f64(round_half_up_1(env).max(0))
    }

    /// Impact sub-score rounded half up to one decimal (as NVD publishes it).
    pub fn impact_subscore(&self) -> f64 {
        tenths_to_f64(round_half_up_1(self.impact_raw()))
    }

    /// Exploitability sub-score rounded half up to one decimal (as NVD publishes it).
    pub fn exploitability_subscore(&self) -> f64 {
        tenths_to_f64(round_half_up_1(self.exploitability_subscore_raw()))
    }

    /// True if any temporal metric is defined (not `ND`).
    pub fn has_temporal(&self) -> bool {
        self.values[6..9].iter().any(|&v| v != 0)
    }

    /// True if any environmental metric is defined (not `ND`).
    pub fn has_environmental(&self) -> bool {
        self.values[9..14].iter().any(|&v| v != 0)
    }

    /// Severity of the base score. CVSS 2.0 itself defines no ratings; this is the NVD
    /// mapping (Low 0.0–3.9, Medium 4.0–6.9, High 7.0–10.0), so never None or Critical.
    pub fn severity(&self) -> Severity {
        Severity::from_v2_score(self.base_score())
    }

    /// All scores; `temporal` / `environmental` are `Some` only when that group is defined.
    pub fn scores(&self) -> Scores {
        Scores {
            vector: self.to_string(),
            version: Version::V2_0,
            base: self.base_score(),
            temporal: self.has_temporal().then(|| self.temporal_score()),
            environmental: self.has_environmental().then(|| self.environmental_score()),
            impact: Some(self.impact_subscore()),
            exploitability: Some(self.exploitability_subscore()),
            severity: self.severity(),
            nomenclature: None,
        }
    }
}

impl CvssV2 {
    /// Like [`Self::scores`] but `temporal` and `environmental` are always filled in.
    pub fn scores_full(&self) -> Scores {
        Scores {
            temporal: Some(self.temporal_score()),
            environmental: Some(self.environmental_score()),
            ..self.scores()
        }
    }
}

impl fmt::Display for CvssV2 {
    /// The normalised vector: specification order, `ND` metrics left out, no prefix.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut body = String::with_capacity(64);
        write_body(&mut body, &V2_METRICS, &self.values);
        f.write_str(&body)
    }
}

impl FromStr for CvssV2 {
    type Err = CvssError;
    /// Parse a bare CVSS 2.0 vector.
    fn from_str(s: &str) -> Result<Self, CvssError> {
        match s.parse::<crate::Vector>()? {
            crate::Vector::V2(v) => Ok(v),
            other => Err(CvssError::UnsupportedVersion {
                version: other.version().as_str().to_string(),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_adjusted_base_is_kept_inside_environmental() {
        // AdjustedImpact 1.431375 gives AdjustedBase -0.2; (−0.2 + 10.2 × 0.5) × 1 = 4.9.
        let v: CvssV2 = "AV:L/AC:H/Au:M/C:N/I:P/A:N/CDP:H/IR:L/AR:L"
            .parse()
            .unwrap();
        assert_eq!(v.environmental_score(), 4.9);
        assert_eq!(v.base_score(), 0.8);
    }

    #[test]
    fn nvd_examples() {
        let v: CvssV2 = "AV:N/AC:L/Au:N/C:P/I:P/A:P".parse().unwrap();
        assert_eq!(v.base_score(), 7.5);
        assert_eq!(v.impact_subscore(), 6.4);
        assert_eq!(v.exploitability_subscore(), 10.0);
        let v: CvssV2 = "AV:N/AC:M/Au:N/C:N/I:P/A:N".parse().unwrap();
        assert_eq!(v.base_score(), 4.3);
        assert_eq!(v.severity(), Severity::Medium);
    }
}

//! SSVC supplier decision points derived from what is known about a vulnerability (CERT/CC
//! SSVC v2): values the analyst gives win, then what the signals say (KEV, exploit maturity, the
//! CVSS vector), then the worst case. Each point records where its value came from, so the
//! assessment can show it. Used by the stateless `assess` command and by case assessments.

use postmarket_cvss::Vector;
use postmarket_risk::ssvc::{Automatable, Exploitation, SsvcInput, TechnicalImpact, ValueDensity};
use postmarket_risk::ExploitMaturity;
use serde::Serialize;

/// What the analyst gave (each `None` is derived) and whether the vulnerability is in KEV.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SsvcGiven {
    pub ssvc_exploitation: Option<Exploitation>,
    pub automatable: Option<Automatable>,
    pub value_density: Option<ValueDensity>,
    pub technical_impact: Option<TechnicalImpact>,
    pub kev: bool,
}

/// Exploit maturity as the policy reads it, from a vector's E metric.
pub fn maturity(v: &Vector) -> ExploitMaturity {
    let written = match v {
        Vector::V3(v) => format!("v3:E:{}", v.temporal.e.code()),
        Vector::V4(v) => format!("v4:E:{}", v.get("E").unwrap_or("X")),
        // CVSS 2.0's E uses another scale; the policy reads 3.x and 4.0 only.
        Vector::V2(_) => return ExploitMaturity::NotDefined,
    };
    written.parse().unwrap_or_default()
}

/// One SSVC decision point: its value and where it came from.
#[derive(Debug, Clone, Serialize)]
pub struct Point<T> {
    pub value: T,
    pub from: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct SsvcInputs {
    pub exploitation: Point<Exploitation>,
    pub automatable: Point<Automatable>,
    pub value_density: Point<ValueDensity>,
    pub technical_impact: Point<TechnicalImpact>,
}

impl SsvcInputs {
    /// The decision points as `postmarket-risk` reads them.
    pub fn input(&self) -> SsvcInput {
        SsvcInput {
            exploitation: self.exploitation.value,
            automatable: self.automatable.value,
            value_density: self.value_density.value,
            technical_impact: self.technical_impact.value,
        }
    }
}

fn given<T>(value: T, flag: &str) -> Point<T> {
    Point {
        value,
        from: format!("given ({flag})"),
    }
}

fn derived<T>(value: T, from: impl Into<String>) -> Point<T> {
    Point {
        value,
        from: from.into(),
    }
}

/// The SSVC inputs: flags first, then what the signals say, then the worst case (see
/// the CLI's `assess` notes). The derivations are the usual CVSS approximations of SSVC's decision
/// points; an analyst who knows better gives the flag.
pub fn ssvc_inputs(args: &SsvcGiven, vector: Option<&Vector>, m: ExploitMaturity) -> SsvcInputs {
    let exploitation = match args.ssvc_exploitation {
        Some(e) => given(e, "--ssvc-exploitation"),
        None if args.kev => derived(Exploitation::Active, "CISA KEV listing"),
        None if m == ExploitMaturity::V4Attacked => derived(Exploitation::Active, "CVSS 4.0 E:A"),
        None if matches!(
            m,
            ExploitMaturity::V3ProofOfConcept
                | ExploitMaturity::V3Functional
                | ExploitMaturity::V3High
                | ExploitMaturity::V4ProofOfConcept
        ) =>
        {
            derived(
                Exploitation::PublicPoc,
                format!("exploit code exists ({m})"),
            )
        }
        None => derived(
            Exploitation::None,
            "no KEV listing or exploit maturity given",
        ),
    };
    let automatable = match (args.automatable, vector) {
        (Some(a), _) => given(a, "--automatable"),
        (None, Some(Vector::V3(v))) => {
            use postmarket_cvss::{
                AttackComplexity as AC, AttackVector as AV, PrivilegesRequired as PR,
                UserInteraction as UI,
            };
            let b = &v.base;
            let yes =
                b.av == AV::Network && b.ac == AC::Low && b.pr == PR::None && b.ui == UI::None;
            derived(
                if yes {
                    Automatable::Yes
                } else {
                    Automatable::No
                },
                format!("CVSS AV:{}/AC:{}/PR:{}/UI:{}", b.av, b.ac, b.pr, b.ui),
            )
        }
        (None, Some(Vector::V4(v))) => {
            let m: Vec<&str> = ["AV", "AC", "AT", "PR", "UI"]
                .iter()
                .map(|k| v.get(k).unwrap_or("?"))
                .collect();
            let yes = m == ["N", "L", "N", "N", "N"];
            derived(
                if yes {
                    Automatable::Yes
                } else {
                    Automatable::No
                },
                format!(
                    "CVSS AV:{}/AC:{}/AT:{}/PR:{}/UI:{}",
                    m[0], m[1], m[2], m[3], m[4]
                ),
            )
        }
        (None, _) => derived(Automatable::Yes, "worst case: no CVSS 3.x/4.0 vector"),
    };
    let value_density = match args.value_density {
        Some(v) => given(v, "--value-density"),
        None => derived(
            ValueDensity::Concentrated,
            "worst case: not given (--value-density)",
        ),
    };
    let technical_impact = match (args.technical_impact, vector) {
        (Some(t), _) => given(t, "--technical-impact"),
        (None, Some(Vector::V3(v))) => {
            use postmarket_cvss::Impact::High;
            let b = &v.base;
            let total = b.c == High && b.i == High && b.a == High;
            derived(
                if total {
                    TechnicalImpact::Total
                } else {
                    TechnicalImpact::Partial
                },
                format!("CVSS C:{}/I:{}/A:{}", b.c, b.i, b.a),
            )
        }
        (None, Some(Vector::V4(v))) => {
            let m: Vec<&str> = ["VC", "VI", "VA"]
                .iter()
                .map(|k| v.get(k).unwrap_or("?"))
                .collect();
            derived(
                if m == ["H", "H", "H"] {
                    TechnicalImpact::Total
                } else {
                    TechnicalImpact::Partial
                },
                format!("CVSS VC:{}/VI:{}/VA:{}", m[0], m[1], m[2]),
            )
        }
        (None, _) => derived(TechnicalImpact::Total, "worst case: no CVSS 3.x/4.0 vector"),
    };
    SsvcInputs {
        exploitation,
        automatable,
        value_density,
        technical_impact,
    }
}

//! CVSS vectors as the FIRST CVSS JSON schema objects CSAF 2.0 embeds (§3.2.3.11: `cvss_v2`,
//! `cvss_v3`): the vector, the scores computed by `postmarket-cvss`, and every metric the vector
//! defines under its schema name. CSAF tests 6.1.9 and 6.1.10 check exactly this agreement.

use postmarket_cvss::{Vector, Version};
use serde_json::{json, Map, Value};

/// `(abbreviation, JSON property, [(value letter, JSON value)])` for CVSS 3.x (cvss-v3.x.json).
type Metric = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

const NHL: &[(&str, &str)] = &[("N", "NONE"), ("L", "LOW"), ("H", "HIGH")];
const XNHL: &[(&str, &str)] = &[
    ("X", "NOT_DEFINED"),
    ("N", "NONE"),
    ("L", "LOW"),
    ("H", "HIGH"),
];
const REQ: &[(&str, &str)] = &[
    ("X", "NOT_DEFINED"),
    ("L", "LOW"),
    ("M", "MEDIUM"),
    ("H", "HIGH"),
];
const AV: &[(&str, &str)] = &[
    ("N", "NETWORK"),
    ("A", "ADJACENT_NETWORK"),
    ("L", "LOCAL"),
    ("P", "PHYSICAL"),
];
const MAV: &[(&str, &str)] = &[
    ("X", "NOT_DEFINED"),
    ("N", "NETWORK"),
    ("A", "ADJACENT_NETWORK"),
    ("L", "LOCAL"),
    ("P", "PHYSICAL"),
];

const V3: &[Metric] = &[
    ("AV", "attackVector", AV),
    ("AC", "attackComplexity", &[("L", "LOW"), ("H", "HIGH")]),
    ("PR", "privilegesRequired", NHL),
    ("UI", "userInteraction", &[("N", "NONE"), ("R", "REQUIRED")]),
    ("S", "scope", &[("U", "UNCHANGED"), ("C", "CHANGED")]),
    ("C", "confidentialityImpact", NHL),
    ("I", "integrityImpact", NHL),
    ("A", "availabilityImpact", NHL),
    (
        "E",
        "exploitCodeMaturity",
        &[
            ("X", "NOT_DEFINED"),
            ("U", "UNPROVEN"),
            ("P", "PROOF_OF_CONCEPT"),
            ("F", "FUNCTIONAL"),
            ("H", "HIGH"),
        ],
    ),
    (
        "RL",
        "remediationLevel",
        &[
            ("X", "NOT_DEFINED"),
            ("O", "OFFICIAL_FIX"),
            ("T", "TEMPORARY_FIX"),
            ("W", "WORKAROUND"),
            ("U", "UNAVAILABLE"),
        ],
    ),
    (
        "RC",
        "reportConfidence",
        &[
            ("X", "NOT_DEFINED"),
            ("U", "UNKNOWN"),
            ("R", "REASONABLE"),
            ("C", "CONFIRMED"),
        ],
    ),
    ("CR", "confidentialityRequirement", REQ),
    ("IR", "integrityRequirement", REQ),
    ("AR", "availabilityRequirement", REQ),
    ("MAV", "modifiedAttackVector", MAV),
    (
        "MAC",
        "modifiedAttackComplexity",
        &[("X", "NOT_DEFINED"), ("L", "LOW"), ("H", "HIGH")],
    ),
    ("MPR", "modifiedPrivilegesRequired", XNHL),
    (
        "MUI",
        "modifiedUserInteraction",
        &[("X", "NOT_DEFINED"), ("N", "NONE"), ("R", "REQUIRED")],
    ),
    (
        "MS",
        "modifiedScope",
        &[("X", "NOT_DEFINED"), ("U", "UNCHANGED"), ("C", "CHANGED")],
    ),
    ("MC", "modifiedConfidentialityImpact", XNHL),
    ("MI", "modifiedIntegrityImpact", XNHL),
    ("MA", "modifiedAvailabilityImpact", XNHL),
];

const V2_IMPACT: &[(&str, &str)] = &[("N", "NONE"), ("P", "PARTIAL"), ("C", "COMPLETE")];
const V2_REQ: &[(&str, &str)] = &[
    ("ND", "NOT_DEFINED"),
    ("L", "LOW"),
    ("M", "MEDIUM"),
    ("H", "HIGH"),
];

const V2: &[Metric] = &[
    (
        "AV",
        "accessVector",
        &[("N", "NETWORK"), ("A", "ADJACENT_NETWORK"), ("L", "LOCAL")],
    ),
    (
        "AC",
        "accessComplexity",
        &[("H", "HIGH"), ("M", "MEDIUM"), ("L", "LOW")],
    ),
    (
        "Au",
        "authentication",
        &[("M", "MULTIPLE"), ("S", "SINGLE"), ("N", "NONE")],
    ),
    ("C", "confidentialityImpact", V2_IMPACT),
    ("I", "integrityImpact", V2_IMPACT),
    ("A", "availabilityImpact", V2_IMPACT),
    (
        "E",
        "exploitability",
        &[
            ("ND", "NOT_DEFINED"),
            ("U", "UNPROVEN"),
            ("POC", "PROOF_OF_CONCEPT"),
            ("F", "FUNCTIONAL"),
            ("H", "HIGH"),
        ],
    ),
    (
        "RL",
        "remediationLevel",
        &[
            ("ND", "NOT_DEFINED"),
            ("OF", "OFFICIAL_FIX"),
            ("TF", "TEMPORARY_FIX"),
            ("W", "WORKAROUND"),
            ("U", "UNAVAILABLE"),
        ],
    ),
    (
        "RC",
        "reportConfidence",
        &[
            ("ND", "NOT_DEFINED"),
            ("UC", "UNCONFIRMED"),
            ("UR", "UNCORROBORATED"),
            ("C", "CONFIRMED"),
        ],
    ),
    (
        "CDP",
        "collateralDamagePotential",
        &[
            ("ND", "NOT_DEFINED"),
            ("N", "NONE"),
            ("L", "LOW"),
            ("LM", "LOW_MEDIUM"),
            ("MH", "MEDIUM_HIGH"),
            ("H", "HIGH"),
        ],
    ),
    (
        "TD",
        "targetDistribution",
        &[
            ("ND", "NOT_DEFINED"),
            ("N", "NONE"),
            ("L", "LOW"),
            ("M", "MEDIUM"),
            ("H", "HIGH"),
        ],
    ),
    ("CR", "confidentialityRequirement", V2_REQ),
    ("IR", "integrityRequirement", V2_REQ),
    ("AR", "availabilityRequirement", V2_REQ),
];

/// Which CSAF score object a vector goes into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsafScoreKind {
    V2,
    V3,
}

impl CsafScoreKind {
    pub fn key(self) -> &'static str {
        match self {
            CsafScoreKind::V2 => "cvss_v2",
            CsafScoreKind::V3 => "cvss_v3",
        }
    }
}

fn metrics(body: &str, table: &[Metric], out: &mut Map<String, Value>) {
    for part in body.split('/') {
        let Some((k, v)) = part.split_once(':') else {
            continue;
        };
        if let Some((_, name, values)) = table.iter().find(|(abbr, _, _)| *abbr == k) {
            if let Some((_, full)) = values.iter().find(|(letter, _)| *letter == v) {
                out.insert((*name).into(), json!(full));
            }
        }
    }
}

fn severity_upper(s: postmarket_cvss::Severity) -> String {
    s.as_str().to_ascii_uppercase()
}

/// The CSAF score object for a (valid) vector; `None` for CVSS 4.0, which CSAF 2.0 cannot carry.
pub fn csaf_cvss(vector: &Vector) -> Option<(CsafScoreKind, Value)> {
    let s = vector.scores();
    let mut o = Map::new();
    o.insert("version".into(), json!(s.version.as_str()));
    o.insert("vectorString".into(), json!(s.vector));
    o.insert("baseScore".into(), json!(s.base));
    match s.version {
        Version::V4_0 => None,
        Version::V2_0 => {
            metrics(&s.vector, V2, &mut o);
            if let Some(t) = s.temporal {
                o.insert("temporalScore".into(), json!(t));
            }
            if let Some(e) = s.environmental {
                o.insert("environmentalScore".into(), json!(e));
            }
            Some((CsafScoreKind::V2, Value::Object(o)))
        }
        Version::V3_0 | Version::V3_1 => {
            o.insert("baseSeverity".into(), json!(severity_upper(s.severity)));
            let body = s.vector.split_once('/').map(|(_, b)| b).unwrap_or_default();
            metrics(body, V3, &mut o);
            if let Some(t) = s.temporal {
                o.insert("temporalScore".into(), json!(t));
                o.insert(
                    "temporalSeverity".into(),
                    json!(severity_upper(postmarket_cvss::Severity::from_score(t))),
                );
            }
            if let Some(e) = s.environmental {
                o.insert("environmentalScore".into(), json!(e));
                o.insert(
                    "environmentalSeverity".into(),
                    json!(severity_upper(postmarket_cvss::Severity::from_score(e))),
                );
            }
            Some((CsafScoreKind::V3, Value::Object(o)))
        }
    }
}

/// The CycloneDX 1.6 `ratings[].method` of a vector.
pub fn cdx_method(v: Version) -> &'static str {
    match v {
        Version::V2_0 => "CVSSv2",
        Version::V3_0 => "CVSSv3",
        Version::V3_1 => "CVSSv31",
        Version::V4_0 => "CVSSv4",
    }
}
